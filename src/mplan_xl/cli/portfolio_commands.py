"""The controller's portfolio: ``consolidate`` and ``approve``."""

from __future__ import annotations

import sys

import click

from ..core.errors import UsageError, finding_line
from ..core.vocabulary import Label
from .cli_errors import echo
from .group import Number, STATUS_TEXT, force_option, lang_option, main, progress_bar


# --- consolidate ---------------------------------------------------------------------------------------

_CONSOLIDATE_TEXT = {
    "summary": Label("{db} : {loaded} plan(s) chargé(s) ({added} nouveau(x), {replaced} remplacé(s), "
                     "{reloaded} rechargé(s), {modified_after_approval} modifié(s) après approbation) ; "
                     "{skipped} fichier(s) écarté(s)",
                     "{db}: {loaded} plan(s) loaded ({added} new, {replaced} replaced, {reloaded} reloaded, "
                     "{modified_after_approval} modified after approval); {skipped} file(s) skipped"),
    "loaded": Label("  chargé  {path}  {company} {year}  ({warnings} avertissement(s))",
                    "  loaded  {path}  {company} {year}  ({warnings} warning(s))"),
    "skipped": Label("Fichiers écartés :", "Skipped files:"),
    "skipped_file": Label("  {status}  {path}", "  {status}  {path}"),
    "portfolio": Label("Portefeuille : {path}", "Portfolio: {path}"),
    "ignored": Label("Ignorés (pas des plans) :", "Ignored (not plans):"),
    "interrupted": Label("INCOMPLET : interrompu (Ctrl-C) ; {count} fichier(s) non examiné(s), les autres sont chargés ; "
                         "portefeuille non écrit",
                         "INCOMPLETE: interrupted (Ctrl-C); {count} file(s) not examined, the others are loaded; "
                         "portfolio not written"),
    "currency_needs_rates": Label("--currency : indiquez aussi le fichier de taux (--rates FICHIER)",
                                  "--currency: give the rates file too (--rates FILE)"),
    "modified": Label("  modifié après approbation  {path}  {company} {year} : chiffres approuvés conservés, "
                      "version enregistrée comme révision ({changes} différence(s))",
                      "  modified after approval  {path}  {company} {year}: approved figures kept, "
                      "version stored as a revision ({changes} difference(s))"),
}


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--db", required=True, type=click.Path(),
              help="DuckDB database file (created when missing) or PostgreSQL URI (postgresql://user@host/db); "
                   "a plan loaded again replaces its rows, an approved plan keeps its approved figures.")
@click.option("--output", "-o", "portfolio", type=click.Path(dir_okay=False), default=None,
              help="Portfolio workbook (.xlsx) to write from the whole database.")
@click.option("--out", "portfolio_alias", type=click.Path(dir_okay=False), default=None, hidden=True)
@force_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: core count).")
@click.option("--timeout", type=Number(min=1), default=30.0, show_default="30",
              help="Time limit per file, in seconds.")
@click.option("--rates", type=click.Path(dir_okay=False), default=None,
              help="Exchange rates CSV (currency, rate, date; or the ECB's eurofxref.csv as downloaded): every "
                   "amount is converted to --currency; a plan whose currency has no rate is not loaded.")
@click.option("--currency", "reporting", default=None, metavar="CODE",
              help="The group's reporting currency (with --rates; default EUR).")
@lang_option
def consolidate(paths: tuple[str, ...], db: str, portfolio: str | None, portfolio_alias: str | None, force: bool,
                jobs: int | None, timeout: float, rates: str | None, reporting: str | None, lang: str) -> None:
    """Load every valid plan of PATHS (files or folders) into one database and a portfolio workbook.

    Invalid and unreadable files are skipped and listed with their findings
    (also stored in the database's findings table). Files are only read.
    With --currency EUR --rates FILE, amounts are converted to the reporting
    currency (originals kept); without rates, currencies are never summed.
    Exit code: 0 when every file was loaded, 1 when some were skipped or the
    database cannot be opened or written (locked...), 2 for a usage error.
    """
    from ..portfolio.consolidate import consolidate as run_consolidate
    from ..portfolio.database import display_name
    from ..read.inputs import scan_paths
    from ..read.reader import Limits

    portfolio = portfolio or portfolio_alias   # --out: the name of earlier versions
    text = _CONSOLIDATE_TEXT
    if reporting is not None and rates is None:
        raise UsageError(_CONSOLIDATE_TEXT["currency_needs_rates"])
    table = None
    if rates is not None:
        from ..portfolio.rates import read_rates

        table = read_rates(rates, reporting or "EUR")
    with progress_bar(scan_paths(paths), "consolidate") as on_done:
        result = run_consolidate(list(paths), db, out=portfolio, force=force, lang=lang, jobs=jobs,
                                 limits=Limits(timeout_s=timeout), on_done=on_done, rates=table)
    outcomes = {k: sum(1 for p in result.loaded if p.outcome == k)
                for k in ("added", "replaced", "reloaded", "modified_after_approval")}
    echo(text["summary"](lang).format(db=display_name(db), loaded=len(result.loaded), skipped=len(result.skipped), **outcomes))
    for plan in result.loaded:
        if plan.outcome == "modified_after_approval":
            echo(text["modified"](lang).format(path=plan.path, company=plan.company, year=plan.year,
                                                     changes=plan.diff.count()))
            echo("".join("      " + line + "\n" for line in plan.diff.to_text(lang).splitlines()[1:]), nl=False)
            continue
        echo(text["loaded"](lang).format(path=plan.path, company=plan.company, year=plan.year,
                                               warnings=plan.warnings))
    if result.skipped:
        echo(text["skipped"](lang))
    for item in result.skipped:
        status = item.note or STATUS_TEXT[item.status](lang)
        echo(text["skipped_file"](lang).format(status=status, path=item.path))
        if not item.note:
            for finding in item.findings:
                echo("  " + finding_line(finding, lang))
    if result.ignored:
        echo(text["ignored"](lang))
    for item in result.ignored:
        echo(text["skipped_file"](lang).format(status=item.note, path=item.path))
    if result.portfolio:
        echo(text["portfolio"](lang).format(path=result.portfolio))
    if result.pending:
        echo("mplan-xl: " + text["interrupted"](lang).format(count=len(result.pending)), err=True)
    sys.exit(result.exit_code)

# --- approve -------------------------------------------------------------------------------------------

_APPROVE_TEXT = {
    "approved": Label("Approuvé : {company} {year} ({path}, sha256 {sha}) dans {db}",
                      "Approved: {company} {year} ({path}, sha256 {sha}) in {db}"),
    "actions": Label("Action(s) approuvée(s) : {actions} de {company} {year} ({path}, sha256 {sha}) par {by} dans {db} ; "
                     "les autres actions restent en attente",
                     "Action(s) approved: {actions} of {company} {year} ({path}, sha256 {sha}) by {by} in {db}; "
                     "the other actions stay pending"),
    "figures": Label("  budget prévisionnel {planned}, engagé {committed}, réel {actual} ; {objectives} objectif(s) "
                     "dont {objectives_smart} SMART, {actions} action(s), {budget_lines} ligne(s) de budget, {kpis} KPI",
                     "  planned budget {planned}, committed {committed}, actual {actual}; {objectives} objective(s), "
                     "{objectives_smart} SMART, {actions} action(s), {budget_lines} budget line(s), {kpis} KPI(s)"),
}


@main.command()
@click.argument("plan", type=click.Path(dir_okay=False))
@click.option("--db", required=True, type=click.Path(),
              help="DuckDB database file (created when missing) or PostgreSQL URI (postgresql://user@host/db).")
@lang_option
@click.option("--timeout", type=Number(min=1), default=30.0, show_default="30",
              help="Time limit for reading the file, in seconds.")
@click.option("--by", "by", default=None, metavar="NAME", help="Who approves (default: the session's user name).")
@click.option("--comment", default=None, help="Why, or on what condition (kept with the approval).")
@click.option("--actions", default=None, metavar="A01,A03",
              help="Approve only these actions (comma-separated ids); the others wait, pending.")
def approve(plan: str, db: str, lang: str, timeout: float, by: str | None, comment: str | None,
            actions: str | None) -> None:
    """Record this version of a team's PLAN (company, year, sha256, figures) as approved in the database.

    The plan is checked and loaded like consolidate does. --by and --comment
    are recorded with the approval; --actions approves some actions only (the
    plan is approved once all are). A later consolidate
    of a changed version keeps the approved figures, stores the new version as
    a revision and reports it as modified after approval, with the diff.
    Exit code: 0 approved, 1 refused (the plan has errors) or database error, 2 usage error.
    """
    from ..portfolio.consolidate import approve as run_approve
    from ..portfolio.database import display_name
    from ..read.reader import Limits

    import getpass

    chosen = [a.strip() for a in actions.split(",") if a.strip()] if actions is not None else None
    if by is None:
        try:
            by = getpass.getuser()
        except (KeyError, OSError):
            by = None
    result = run_approve(plan, db, lang=lang, limits=Limits(timeout_s=timeout), by=by, comment=comment, actions=chosen)
    loaded = result.plan
    if chosen is not None:
        echo(_APPROVE_TEXT["actions"](lang).format(actions=", ".join(chosen), company=loaded.company, year=loaded.year,
                                                   path=plan, sha=loaded.sha256[:12], db=display_name(db), by=by or "?"))
    else:
        echo(_APPROVE_TEXT["approved"](lang).format(company=loaded.company, year=loaded.year, path=plan,
                                                    sha=loaded.sha256[:12], db=display_name(db)) + (f" ({by})" if by else ""))
    figures = {k: (_amount(v, lang) if isinstance(v, float) else v) for k, v in result.figures.items()}
    echo(_APPROVE_TEXT["figures"](lang).format(**figures))


def _amount(value: float, lang: str) -> str:
    from ..core.numbers import format_number

    return format_number(value, lang)


# --- export --------------------------------------------------------------------------------------------

_EXPORT_TEXT = {
    "wrote": Label("Écrit : {path} ({rows} ligne(s))", "Wrote: {path} ({rows} row(s))"),
}


@main.command("export")
@click.argument("db", type=click.Path())
@click.option("--parquet", "folder", required=True, type=click.Path(file_okay=False),
              help="Folder to write the BI views to, one Parquet file per view (created when missing).")
@force_option
@lang_option
def export_command(db: str, folder: str, force: bool, lang: str) -> None:
    """Write the BI views of the consolidation database DB (DuckDB file or PostgreSQL URI) as Parquet files.

    bi_plans, bi_budget_lines and bi_budget_months (one row per plan x budget
    line x month), described in docs/data-dictionary.md.
    Exit code: 0 written, 1 database error, 2 usage error.
    """
    from ..portfolio.bi_views import export_parquet
    from ..portfolio.consolidate import connect
    from ..portfolio.database import database_errors, one_line

    connect(db, read_only=True).close()   # a database that is not there is refused, never created empty
    con = connect(db)
    try:
        try:
            paths = export_parquet(con, folder, force=force)
        except database_errors() as err:
            from ..core.errors import DatabaseError

            raise DatabaseError(Label("{path} : export impossible ({detail})", "{path}: export failed ({detail})"),
                                path=con.name, detail=one_line(str(err))) from None
    finally:
        con.close()
    import duckdb

    with duckdb.connect() as local:
        for path in paths:
            quoted = str(path).replace("'", "''")
            rows = local.execute(f"SELECT count(*) FROM read_parquet('{quoted}')").fetchall()
            echo(_EXPORT_TEXT["wrote"](lang).format(path=path, rows=rows[0][0]))
