"""The ``mplan-xl`` command line.

click gives us subcommands, typed options and the usage-error exit code 2 for
free. Every error we raise ourselves is a :class:`~mplan_xl.core.errors.MplanError`
printed as one line in the language of ``--lang`` (French by default); any
other failure is still reported in one line, never as a traceback.

Example:
    $ mplan-xl new plan-2027.xlsx --company "Atelier Lumen" --year 2027
    $ mplan-xl demo demo.xlsx --lang en
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import click

from .. import __version__
from ..core.errors import EXIT_FAILED, EXIT_OK, UsageError, finding_line
from ..core.plan import CURRENCIES
from ..core.vocabulary import LANGUAGES, Label
from ..workbook import builder
from ..year.actuals import MARKETING_ACCOUNTS
from .cli_errors import echo, remember_lang
from .cli_help import HelpGroup

_WROTE = Label("Écrit : {path}", "Wrote: {path}")


class Number(click.FloatRange):
    """A number option that also takes the French decimal comma and spaced thousands (``60 000,50``)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            from ..core.numbers import parse_localized_number

            parsed = parse_localized_number(value)
            if parsed is None or value.strip().endswith("%"):
                self.fail(f"{value!r} is not a valid number.", param, ctx)
            value = parsed
        return super().convert(value, param, ctx)


def _default_lang() -> str:
    lang = os.environ.get("MPLAN_LANG", "fr")
    return lang if lang in LANGUAGES else "fr"


lang_option = click.option("--lang", type=click.Choice(LANGUAGES), default=_default_lang, show_default="fr",
                           callback=remember_lang, is_eager=True,
                           help="Language of the workbook and of messages (fr or en; env MPLAN_LANG).")
runtime_option = click.option("--runtime", type=click.Choice(tuple(builder.RUNTIME_EXTENSIONS)), default=None,
                              help="xlwings: MPLAN_ functions computed by Python (.xlsm, Windows Excel); "
                                   "native: plain Excel formulas (.xlsx, any Excel, Mac, web, LibreOffice). "
                                   "Default: from OUT's extension.")
force_option = click.option("--force", is_flag=True, help="Replace the output if it exists (every command: an existing "
                                                          "output is replaced only with --force).")
protect_option = click.option("--protect", is_flag=True,
                              help="Protect the sheets (no password): computed cells cannot be typed over, but sorting, "
                                   "deleting rows and growing tables are blocked (see docs/reference.md).")
year_option = click.option("--year", type=int, default=None, help="Plan year (default: next year).")


_OUT_MISSING = Label("indiquez le classeur à écrire : OUT ou -o/--output", "give the workbook to write: OUT or -o/--output")
_OUT_TWICE = Label("deux classeurs à écrire ({out}, {output}) : indiquez OUT ou -o/--output, pas les deux",
                   "two workbooks to write ({out}, {output}): give OUT or -o/--output, not both")


def workbook_output(command: Callable[..., Any]) -> Callable[..., Any]:
    """The workbook a command writes: OUT, or -o/--output as in every other command."""
    command = click.option("--output", "-o", "output", type=click.Path(dir_okay=False), default=None,
                           help="The workbook to write (instead of OUT).")(command)
    return click.argument("out", required=False, type=click.Path(dir_okay=False))(command)


def one_output(out: str | None, output: str | None) -> str:
    if out and output and out != output:
        raise UsageError(_OUT_TWICE, out=out, output=output)
    if not (out or output):
        raise UsageError(_OUT_MISSING)
    return out or output  # type: ignore[return-value]  # one of them is set: checked above


@click.group(cls=HelpGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="mplan-xl")
def main() -> None:
    """mplan-xl: the yearly operational marketing plan as an Excel workbook, with Python behind it."""


@main.command()
@workbook_output
@lang_option
@click.option("--company", default="", help="Company name written on the Guide sheet.")
@year_option
@click.option("--currency", type=click.Choice(tuple(CURRENCIES), case_sensitive=False), default="EUR",
              show_default=True, help="Currency of every amount.")
@click.option("--author", default="", help="Who prepares the plan.")
@click.option("--envelope", type=Number(min=0), default=None, help="Yearly marketing budget envelope.")
@runtime_option
@protect_option
@force_option
def new(out: str | None, output: str | None, lang: str, company: str, year: int | None, currency: str, author: str,
        envelope: float | None, runtime: str, protect: bool, force: bool) -> None:
    """Write an empty plan template to OUT."""
    out = one_output(out, output)
    path = builder.new_workbook(out, lang=lang, company=company, year=year, currency=currency, author=author,
                                envelope=envelope, runtime=runtime, force=force, protect=protect)
    echo(_WROTE(lang).format(path=path))


@main.command()
@workbook_output
@lang_option
@click.option("--company", default=None, help="Replace the fictional company's name.")
@year_option
@click.option("--with-errors", is_flag=True, help="Seed the documented problems the validator must find.")
@click.option("--fec", type=click.Path(dir_okay=False), default=None,
              help="Also write the fictional company's accounts export (FEC), to try `mplan-xl actuals` on the demo.")
@runtime_option
@protect_option
@force_option
def demo(out: str | None, output: str | None, lang: str, company: str | None, year: int | None, with_errors: bool,
         fec: str | None, runtime: str, protect: bool, force: bool) -> None:
    """Write a fully filled example plan of a fictional company to OUT."""
    out = one_output(out, output)
    from ..read.outputs import check_outputs

    check_outputs([out, fec], force=force)
    from ..workbook.demo import demo_workbook

    path = demo_workbook(out, lang=lang, company=company, year=year, with_errors=with_errors,
                                 runtime=runtime, force=force, protect=protect)
    echo(_WROTE(lang).format(path=path))
    if fec:
        from ..workbook.demo import demo_plan
        from ..workbook.demo_fec import write_demo_fec

        echo(_WROTE(lang).format(path=write_demo_fec(demo_plan(lang=lang, company=company, year=year), fec,
                                                           force=force)))


FORMATS = ("text", "json", "xlsx", "junit")
#: The report format an output's extension implies, when --format is not given.
CHECK_EXTENSIONS = {".json": "json", ".xlsx": "xlsx", ".xml": "junit", ".txt": "text"}
DIFF_EXTENSIONS = {".json": "json", ".xlsx": "xlsx", ".txt": "text"}


def format_of(output: str | None, extensions: dict[str, str]) -> str:
    """The format *output*'s extension implies (text for none, or an unknown one).

    >>> format_of("report.JSON", CHECK_EXTENSIONS), format_of("ci.xml", CHECK_EXTENSIONS), format_of(None, {})
    ('json', 'junit', 'text')
    """
    return extensions.get(Path(output).suffix.lower(), "text") if output else "text"

_XLSX_NEEDS_OUTPUT = Label("--format xlsx écrit un classeur : indiquez --output RAPPORT.xlsx",
                           "--format xlsx writes a workbook: give --output REPORT.xlsx")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Report format: text (terminal), json (stable, documented), xlsx (links to cells), junit (CI). "
                   "Default: from OUTPUT's extension (.json, .xlsx, .xml), else text.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of the standard output.")
@force_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: core count).")
@lang_option
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit code 1).")
@click.option("--timeout", type=Number(min=1), default=30.0, show_default="30",
              help="Time limit per file, in seconds.")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False), default=None,
              help="Write into this folder a copy of each file with findings, each finding a note at its cell "
                   "(an existing copy is replaced only with --force).")
def check(paths: tuple[str, ...], fmt: str | None, output: str | None, force: bool, jobs: int | None, lang: str,
          strict: bool, timeout: float, annotate_dir: str | None) -> None:
    """Validate returned workbooks (files or folders); files are only read.

    With --annotate DIR, DIR/<same name> is a copy of each file with findings
    where every finding is a note at its cell (highlighted), in the
    workbook's language; unreadable files are listed, not copied. Lock files,
    system files and mplan-xl's own outputs found in a folder are skipped.

    Exit code: 0 when every file is valid, 1 when any has an error (or a
    warning under --strict) or cannot be read, 2 for a usage error, 130 when
    interrupted (Ctrl-C: the report of the files done, marked incomplete).
    """
    from ..check.validator import check as run_check
    from ..core.atomic import atomic_output
    from ..read.inputs import scan_paths
    from ..read.outputs import check_outputs
    from ..read.reader import Limits

    fmt = fmt or format_of(output, CHECK_EXTENSIONS)
    if fmt == "xlsx" and not output:
        raise UsageError(_XLSX_NEEDS_OUTPUT)
    files = scan_paths(paths)
    copies = {}
    if annotate_dir:
        from ..check.annotate import prepare

        copies = prepare(files, annotate_dir, force)
    check_outputs([output], paths, force=force, kept=list(copies.values()), found=files)
    with progress_bar(files) as on_done:
        if annotate_dir:
            from ..check.annotate import check_annotated

            report, annotated = check_annotated(list(paths), copies, lang=lang, jobs=jobs, strict=strict,
                                                limits=Limits(timeout_s=timeout), on_done=on_done)
        else:
            report = run_check(list(paths), lang=lang, jobs=jobs, strict=strict, limits=Limits(timeout_s=timeout),
                               on_done=on_done)
    if fmt == "xlsx":
        assert output is not None   # refused above: --format xlsx needs --output
        with atomic_output(output, force=force) as tmp:
            report.write_xlsx(tmp)
        echo(report.summary_line())
    else:
        text = {"text": report.to_text, "json": report.to_json, "junit": report.to_junit}[fmt]()
        if output:
            with atomic_output(output, force=force) as tmp:
                tmp.write_text(text, encoding="utf-8")
            echo(report.summary_line())
        else:
            echo(text, nl=not text.endswith("\n"))
    if annotate_dir:
        for line in annotated.lines(lang):
            echo(line, err=True)
    if report.pending:
        echo("mplan-xl: " + report.summary_line(), err=True)
    sys.exit(report.exit_code)


@contextlib.contextmanager
def progress_bar(files: Sequence[Any], label: str = "check") -> Iterator[Callable[[Any], None] | None]:
    """A progress bar on standard error for a batch of *files*, when it is a terminal; nothing otherwise.

    Yields the callback to give as ``on_done``; the bar is gone before the report prints.
    """
    total = len(files)
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda _: progress.advance(task)


# --- rollover ------------------------------------------------------------------------------------------

_ROLLOVER_TEXT = {
    "wrote": Label("Écrit : {path} (plan {year}, repris du plan {source_year})",
                   "Wrote: {path} ({year} plan, rolled over from the {source_year} plan)"),
    "review": Label("Bilan N-1 : {count} action(s) ; décisions suggérées, à confirmer : {keep} à reconduire, "
                    "{improve} à améliorer, {abandon} à abandonner",
                    "Last year's review: {count} action(s); suggested verdicts, to confirm: {keep} keep, "
                    "{improve} improve, {abandon} abandon"),
    "carried": Label("Objectifs non atteints reconduits : {count} ({ids}) ; KPI reconduits : {kpis}",
                     "Objectives not reached, carried over: {count} ({ids}); KPIs carried over: {kpis}"),
    "listed": Label("Constats du plan lu, non bloquants : {count}", "Findings of the plan read, not blocking: {count}"),
    "new_check": Label("Contrôle du nouveau classeur : {status}, {errors} erreur(s), {warnings} avertissement(s)",
                       "Check of the new workbook: {status}, {errors} error(s), {warnings} warning(s)"),
    "valid": Label("valide", "valid"),
    "invalid": Label("invalide", "invalid"),
    "unreadable": Label("illisible", "unreadable"),
}


@main.command()
@click.argument("plan", type=click.Path(dir_okay=False))
@click.option("--output", "-o", "out", required=True, type=click.Path(dir_okay=False),
              help="Next year's workbook to write (.xlsx native, .xlsm xlwings).")
@click.option("--year", type=int, default=None, help="Year of the new plan (default: the plan's year + 1).")
@runtime_option
@click.option("--lang", type=click.Choice(LANGUAGES), default=_default_lang, show_default="fr",
              callback=remember_lang, is_eager=True, help="Language of messages, and of the new workbook when given (default workbook language: "
                   "the plan's own).")
@force_option
def rollover(plan: str, out: str, year: int | None, runtime: str | None, lang: str, force: bool) -> None:
    """Write next year's plan from this year's filled PLAN (only read).

    Bilan N-1 gets one row per action with a suggested verdict to confirm;
    the audit is carried over marked as last year's; objectives not reached
    are proposed again with their KPIs, ids kept. Errors of the readability
    and template categories block; other findings are listed. Exit code: 0
    when the new workbook passes check, 1 when it has errors (it is written
    anyway) or the plan is refused, 2 for a usage error.
    """
    from click.core import ParameterSource

    from ..year.rollover import rollover as run_rollover

    explicit = click.get_current_context().get_parameter_source("lang") is ParameterSource.COMMANDLINE
    text = _ROLLOVER_TEXT
    result = run_rollover(plan, out, year=year, lang=lang if explicit else None, runtime=runtime, force=force,
                          message_lang=lang)
    verdicts = result.verdicts()
    echo(text["wrote"](lang).format(path=result.output, year=result.year, source_year=result.source_year))
    echo(text["review"](lang).format(count=len(result.suggestions), **verdicts))
    echo(text["carried"](lang).format(count=len(result.carried_objectives),
                                            ids=", ".join(result.carried_objectives) or "-",
                                            kpis=len(result.carried_kpis)))
    listed = result.listed_findings
    echo(text["listed"](lang).format(count=len(listed)))
    for finding in listed:
        echo(finding_line(finding, lang))
    new = result.output_report
    echo(text["new_check"](lang).format(status=text[new.status](lang), errors=new.errors, warnings=new.warnings))
    sys.exit(EXIT_OK if new.errors == 0 else EXIT_FAILED)


# --- upgrade -------------------------------------------------------------------------------------------

_UPGRADE_TEXT = {
    "wrote": Label("Écrit : {path} (modèle {version}, repris du modèle {source_version} de {source})",
                   "Wrote: {path} (template {version}, moved from template {source_version} of {source})"),
    "same": Label("{source} est déjà au modèle {version} : son plan est recopié dans un modèle neuf",
                  "{source} is already in template {version}: its plan is copied into a fresh template"),
    "rows": Label("Lignes reprises : {total} ({tables})", "Rows carried: {total} ({tables})"),
    "not_carried": Label("Non repris ({count}) :", "Not carried ({count}):"),
    "percent": Label("Pourcentages : {count} valeur(s) en % passées des points aux fractions (18 devient 0,18, "
                     "affiché 18 %), comme le modèle {version} les tient",
                     "Percentages: {count} value(s) in % turned from points into fractions (18 becomes 0.18, shown "
                     "18%), as template {version} holds them"),
    "new_check": Label("Contrôle du nouveau classeur : {status}, {errors} erreur(s) ({before} déjà dans le plan lu), "
                       "{warnings} avertissement(s)",
                       "Check of the new workbook: {status}, {errors} error(s) ({before} already in the plan read), "
                       "{warnings} warning(s)"),
    "unknown_version": Label("sans version", "no version"),
}


@main.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.option("--output", "-o", "out", required=True, metavar="NEW", type=click.Path(dir_okay=False),
              help="The workbook to write in the current template (.xlsx native, .xlsm xlwings).")
@runtime_option
@click.option("--lang", type=click.Choice(LANGUAGES), default=_default_lang, show_default="fr",
              callback=remember_lang, is_eager=True, help="Language of messages, and of the new workbook when given (default workbook language: "
                   "the plan's own).")
@force_option
def upgrade(old: str, out: str, runtime: str | None, lang: str, force: bool) -> None:
    """Move OLD, a plan made with an older template, into the current template, written to NEW (OLD is only read).

    Every value is carried: the plan's identity, its KPI thresholds, every
    input of every table, in the plan's language. What cannot be carried is
    listed (the team's own sheets and added columns, values outside the
    tables, figures typed over computed cells, notes, charts, VBA not ours,
    formatting). A plan of the current template is copied into a fresh one.
    Exit code: 0 when NEW is written, 1 when OLD cannot be upgraded
    (unreadable, not a plan, newer template, a sheet, table or column missing),
    2 for a usage error.
    """
    from click.core import ParameterSource

    from ..year.upgrade import upgrade as run_upgrade

    explicit = click.get_current_context().get_parameter_source("lang") is ParameterSource.COMMANDLINE
    text = _UPGRADE_TEXT
    result = run_upgrade(old, out, lang=lang if explicit else None, runtime=runtime, force=force, message_lang=lang)
    source_version = result.source_version or text["unknown_version"](lang)
    if result.same_version:
        echo(text["same"](lang).format(source=old, version=result.version))
    echo(text["wrote"](lang).format(path=result.output, version=result.version, source_version=source_version,
                                          source=old))
    echo(text["rows"](lang).format(total=sum(result.rows.values()),
                                         tables=", ".join(f"{name} {count}" for name, count in result.rows.items())))
    if result.percent_converted:
        echo(text["percent"](lang).format(count=result.percent_converted, version=result.version))
    echo(text["not_carried"](lang).format(count=len(result.not_carried)))
    for item in result.not_carried:
        echo(f"  - {item.text(lang)}")
    new = result.output_report
    before = new.errors - len(result.new_errors)
    echo(text["new_check"](lang).format(status=_ROLLOVER_TEXT[new.status](lang), errors=new.errors,
                                              before=before, warnings=new.warnings))
    for finding in new.findings:
        if finding.severity == "error":
            echo(finding_line(finding, lang))
    sys.exit(EXIT_OK)


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
@lang_option
def consolidate(paths: tuple[str, ...], db: str, portfolio: str | None, portfolio_alias: str | None, force: bool,
                jobs: int | None, timeout: float, lang: str) -> None:
    """Load every valid plan of PATHS (files or folders) into one database and a portfolio workbook.

    Invalid and unreadable files are skipped and listed with their findings
    (also stored in the database's findings table). Files are only read.
    Exit code: 0 when every file was loaded, 1 when some were skipped or the
    database cannot be opened or written (locked...), 2 for a usage error.
    """
    from ..portfolio.consolidate import consolidate as run_consolidate
    from ..portfolio.database import display_name
    from ..read.inputs import scan_paths
    from ..read.reader import Limits

    portfolio = portfolio or portfolio_alias   # --out: the name of earlier versions
    text = _CONSOLIDATE_TEXT
    with progress_bar(scan_paths(paths), "consolidate") as on_done:
        result = run_consolidate(list(paths), db, out=portfolio, force=force, lang=lang, jobs=jobs,
                                 limits=Limits(timeout_s=timeout), on_done=on_done)
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
        status = item.note or _ROLLOVER_TEXT[item.status](lang)
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
def approve(plan: str, db: str, lang: str, timeout: float) -> None:
    """Record this version of a team's PLAN (company, year, sha256, figures) as approved in the database.

    The plan is checked and loaded like consolidate does. A later consolidate
    of a changed version keeps the approved figures, stores the new version as
    a revision and reports it as modified after approval, with the diff.
    Exit code: 0 approved, 1 refused (the plan has errors) or database error, 2 usage error.
    """
    from ..portfolio.consolidate import approve as run_approve
    from ..portfolio.database import display_name
    from ..read.reader import Limits

    result = run_approve(plan, db, lang=lang, limits=Limits(timeout_s=timeout))
    loaded = result.plan
    echo(_APPROVE_TEXT["approved"](lang).format(company=loaded.company, year=loaded.year, path=plan,
                                                      sha=loaded.sha256[:12], db=display_name(db)))
    figures = {k: (_amount(v, lang) if isinstance(v, float) else v) for k, v in result.figures.items()}
    echo(_APPROVE_TEXT["figures"](lang).format(**figures))


def _amount(value: float, lang: str) -> str:
    from ..core.numbers import format_number

    return format_number(value, lang)


# --- diff ----------------------------------------------------------------------------------------------

_DIFF_XLSX_NEEDS_OUTPUT = Label("--format xlsx écrit un classeur : indiquez -o DIFF.xlsx",
                                "--format xlsx writes a workbook: give -o DIFF.xlsx")


@main.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("text", "json", "xlsx")), default=None,
              help="text (terminal), json (stable), xlsx (one row per difference). "
                   "Default: from OUTPUT's extension (.json, .xlsx), else text.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the differences to this file (atomically) instead of the standard output.")
@force_option
@lang_option
@click.option("--timeout", type=Number(min=1), default=30.0, show_default="30",
              help="Time limit per file, in seconds.")
def diff_command(old: str, new: str, fmt: str | None, output: str | None, force: bool, lang: str,
                 timeout: float) -> None:
    """What changed from OLD to NEW, two versions of a plan (files are only read).

    By table and row id: rows added, removed, changed (column: old -> new);
    computed results that moved; totals; the plan's identity; structure
    (sheets, columns, formulas, macros). Compared on column keys and codes,
    so a French and an English workbook of the same plan compare equal.
    Exit code: 0 same, 1 different, 2 for a usage error or an unreadable input.
    """
    from ..core.atomic import atomic_output
    from ..read.outputs import check_outputs
    from ..read.reader import Limits
    from ..year.diff import diff as run_diff

    fmt = fmt or format_of(output, DIFF_EXTENSIONS)
    if fmt == "xlsx" and not output:
        raise UsageError(_DIFF_XLSX_NEEDS_OUTPUT)
    check_outputs([output], [old, new], force=force)
    result = run_diff(old, new, lang=lang, limits=Limits(timeout_s=timeout))
    if result.unreadable and fmt != "json":
        echo(result.to_text(lang), err=True, nl=False)
    elif fmt == "xlsx":
        assert output is not None   # refused above: --format xlsx needs --output
        result.write_xlsx(output, lang, force=force)
        echo(output)
    else:
        text = result.to_json() if fmt == "json" else result.to_text(lang)
        if output:
            with atomic_output(output, force=force) as tmp:
                tmp.write_text(text, encoding="utf-8")
            echo(output)
        else:
            echo(text, nl=False)
    sys.exit(result.exit_code)


# --- actuals -------------------------------------------------------------------------------------------

_ACTUALS_TEXT = {
    "wrote": Label("Écrit : {path} (réel de {lines} ligne(s) budgétaire(s) repris du FEC {fec})",
                   "Wrote: {path} (actual of {lines} budget line(s) taken from the FEC {fec})"),
    "unmatched": Label("Dépenses marketing non rapprochées (feuille « {sheet} » de la copie) :",
                       "Marketing expenses not matched (sheet '{sheet}' of the copy):"),
    "entry": Label("  ligne {line}  {date}  {account}  {supplier}  {label}  {amount}",
                   "  line {line}  {date}  {account}  {supplier}  {label}  {amount}"),
    "warning": Label("avertissement : {text}", "warning: {text}"),
    "more_warnings": Label("  … et {count} autre(s) avertissement(s) : voir le rapport JSON (--report)",
                           "  … and {count} more warning(s): see the JSON report (--report)"),
    "more": Label("  … et {count} autre(s) : voir le rapport JSON ou la feuille de la copie",
                  "  … and {count} more: see the JSON report or the copy's sheet"),
    "bad_date": Label("--as-of {value!r} : attendu une date AAAA-MM-JJ ou JJ/MM/AAAA",
                      "--as-of {value!r}: expected a date YYYY-MM-DD or DD/MM/YYYY"),
}
_LISTED_UNMATCHED = 20


def _as_of(value: str | None) -> Any:
    import datetime as dt

    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise UsageError(_ACTUALS_TEXT["bad_date"], value=value)


@main.command()
@click.argument("plan", type=click.Path(dir_okay=False))
@click.argument("fec", type=click.Path(dir_okay=False))
@click.option("--output", "-o", "out", required=True, type=click.Path(dir_okay=False),
              help="Copy of PLAN to write, with each budget line's actual taken from the FEC.")
@click.option("--report", type=click.Path(dir_okay=False), default=None,
              help="JSON report to write: matched, unmatched (every entry), ignored (by reason), total of each budget line.")
@click.option("--rules", type=click.Path(dir_okay=False), default=None,
              help="Mapping table (CSV: ligne;compte;fournisseur;libelle) whose rules claim entries first.")
@click.option("--as-of", "as_of", default=None, help="Only entries up to this date (YYYY-MM-DD or DD/MM/YYYY).")
@click.option("--accounts", default=",".join(MARKETING_ACCOUNTS), show_default=True,
              help="Account prefixes of marketing expenses whose unmatched entries are listed (comma-separated).")
@lang_option
@force_option
def actuals(plan: str, fec: str, out: str, report: str | None, rules: str | None, as_of: str | None, accounts: str,
            lang: str, force: bool) -> None:
    """Write a copy of PLAN whose budget lines' actuals come from the accounts' FEC export.

    Expense entries (class 6) of the plan year are matched to budget lines:
    an explicit rule of --rules, else the line's quote reference in the
    entry's piece reference or label, else the line's supplier (when it has
    one budget line). Marketing expenses that no line claims are listed.
    A FEC with no expense of the plan year, or an amount that does not fit
    the file's notation, is refused. PLAN and FEC are only read. Exit code:
    0 when the copy is written and every marketing expense matched, 1 when
    some are unmatched (the copy is written) or nothing could be written
    (FEC, plan or rules refused), 2 for a usage error.
    """
    from ..year.actuals_workbook import UNMATCHED_SHEET, import_actuals

    text = _ACTUALS_TEXT
    prefixes = tuple(p.strip() for p in accounts.split(",") if p.strip())
    result = import_actuals(plan, fec, out, rules=rules, as_of=_as_of(as_of), accounts=prefixes, report=report,
                            force=force, lang=lang)
    echo(text["wrote"](lang).format(path=out, lines=len(result.lines), fec=fec))
    for warning in result.warnings[:_LISTED_UNMATCHED]:
        echo(text["warning"](lang).format(text=warning.text(lang)))
    if len(result.warnings) > _LISTED_UNMATCHED:
        echo(text["more_warnings"](lang).format(count=len(result.warnings) - _LISTED_UNMATCHED))
    for line in result.summary(lang):
        echo(line)
    if result.unmatched:
        echo(text["unmatched"](lang).format(sheet=UNMATCHED_SHEET(lang)))
        for entry in result.unmatched[:_LISTED_UNMATCHED]:
            echo(text["entry"](lang).format(line=entry.line, date=entry.date.strftime("%d/%m/%Y") if lang == "fr"
                                                  else entry.date.isoformat(), account=entry.account,
                                                  supplier=entry.supplier or entry.supplier_code or "-",
                                                  label=entry.label, amount=result.money(entry.amount, lang)))
        if len(result.unmatched) > _LISTED_UNMATCHED:
            echo(text["more"](lang).format(count=len(result.unmatched) - _LISTED_UNMATCHED))
    sys.exit(EXIT_FAILED if result.unmatched else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
