"""The commands of the yearly cycle: ``rollover``, ``upgrade``, ``diff`` and ``actuals``."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..core.errors import EXIT_FAILED, EXIT_OK, UsageError, finding_line
from ..core.vocabulary import LANGUAGES, Label
from ..year.actuals import MARKETING_ACCOUNTS
from .cli_errors import echo, remember_lang
from .group import (
    DIFF_EXTENSIONS, Number, STATUS_TEXT, default_lang, force_option, format_of, lang_option, main, runtime_option)


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
}


@main.command()
@click.argument("plan", type=click.Path(dir_okay=False))
@click.option("--output", "-o", "out", required=True, type=click.Path(dir_okay=False),
              help="Next year's workbook to write (.xlsx native, .xlsm xlwings).")
@click.option("--year", type=int, default=None, help="Year of the new plan (default: the plan's year + 1).")
@runtime_option
@click.option("--lang", type=click.Choice(LANGUAGES), default=default_lang, show_default="fr",
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
    echo(text["new_check"](lang).format(status=STATUS_TEXT[new.status](lang), errors=new.errors, warnings=new.warnings))
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
@click.option("--lang", type=click.Choice(LANGUAGES), default=default_lang, show_default="fr",
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
    echo(text["new_check"](lang).format(status=STATUS_TEXT[new.status](lang), errors=new.errors,
                                              before=before, warnings=new.warnings))
    for finding in new.findings:
        if finding.severity == "error":
            echo(finding_line(finding, lang))
    sys.exit(EXIT_OK)

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
@click.option("--db", default=None, type=click.Path(),
              help="Consolidation database (DuckDB file or PostgreSQL URI): show the plan's approval (who, when, why) "
                   "and the approved actions the changes touch.")
def diff_command(old: str, new: str, fmt: str | None, output: str | None, force: bool, lang: str,
                 timeout: float, db: str | None) -> None:
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
    approval = _approval(result, db) if db and not result.unreadable else None
    if result.unreadable and fmt != "json":
        echo(result.to_text(lang), err=True, nl=False)
    elif fmt == "xlsx":
        assert output is not None   # refused above: --format xlsx needs --output
        result.write_xlsx(output, lang, force=force)
        echo(output)
    else:
        text = result.to_json() if fmt == "json" else result.to_text(lang)
        if db and not result.unreadable:
            text = _with_approval(text, fmt, result, approval, lang)
        if output:
            with atomic_output(output, force=force) as tmp:
                tmp.write_text(text, encoding="utf-8")
            echo(output)
        else:
            echo(text, nl=False)
    sys.exit(result.exit_code)

_DIFF_APPROVAL = {
    "none": Label("Approbation : aucune pour {company} {year} dans la base",
                  "Approval: none for {company} {year} in the database"),
    "plan": Label("Approbation : {status}{by}{when}{comment}", "Approval: {status}{by}{when}{comment}"),
    "by": Label(" par {name}", " by {name}"),
    "when": Label(" le {date}", " on {date}"),
    "version": Label("  version approuvée : {which}", "  approved version: {which}"),
    "old": Label("l'ancienne (OLD)", "the old one (OLD)"),
    "new": Label("la nouvelle (NEW)", "the new one (NEW)"),
    "other": Label("ni l'une ni l'autre (sha256 {sha})", "neither (sha256 {sha})"),
    "touched": Label("  action {action} ({status}{by}) touchée par ces changements",
                     "  action {action} ({status}{by}) touched by these changes"),
}


def _approval(result: Any, db: str) -> dict[str, Any] | None:
    from ..portfolio.consolidate import approval_of, connect

    company, year = result.new.identity.get("company"), result.new.identity.get("year")
    if not company or not isinstance(year, int):
        return None
    with connect(db, read_only=True) as con:
        return approval_of(con, str(company), year)


def _touched_actions(result: Any) -> list[str]:
    """The actions the differences touch: changed or removed, or owning a budget line changed, added or removed."""
    actions = result.rows.get("actions", {})
    touched = [*(r["id"] for r in actions.get("changed", [])), *actions.get("removed", [])]
    lines = result.rows.get("budget_lines", {})
    ids = {str(i).lower() for i in (*(r["id"] for r in lines.get("changed", [])), *lines.get("added", []),
                                     *lines.get("removed", []))}
    for version in (result.old, result.new):
        touched += [r.get("action_id") for r in version.rows.get("budget_lines", [])
                    if str(r.get("id")).lower() in ids and r.get("action_id")]
    return list(dict.fromkeys(str(a) for a in touched))


def _with_approval(text: str, fmt: str | None, result: Any, approval: dict[str, Any] | None, lang: str) -> str:
    """The diff's text or JSON with the plan's approval from the database (JSON: an ``approval`` member)."""
    import json

    if fmt == "json":
        data = json.loads(text)
        data["approval"] = None if approval is None else {**approval, "touched_actions": [
            a for a in _touched_actions(result) if a in approval["actions"]]}
        return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    from ..portfolio.portfolio_sheet import T as status_text   # the statuses as the portfolio names them

    t = _DIFF_APPROVAL
    if approval is None:
        return text + t["none"](lang).format(company=result.new.identity.get("company"),
                                             year=result.new.identity.get("year")) + "\n"
    when = approval.get("approved_at")
    comment = approval.get("comment")
    lines = [t["plan"](lang).format(
        status=status_text[approval["status"]](lang),
        by=t["by"](lang).format(name=approval["approved_by"]) if approval.get("approved_by") else "",
        when=t["when"](lang).format(date=when.date().isoformat()) if when else "",
        comment=(f" « {comment} »" if lang == "fr" else f' "{comment}"') if comment else "")]
    if approval.get("sha256"):
        which = ("old" if approval["sha256"] == result.old.sha256 else "new" if approval["sha256"] == result.new.sha256
                 else "other")
        lines.append(t["version"](lang).format(which=t[which](lang).format(sha=approval["sha256"][:12])))
    for action in _touched_actions(result):
        state = approval["actions"].get(action)
        if state is not None:
            lines.append(t["touched"](lang).format(action=action, status=status_text[state["status"]](lang),
                                                   by=t["by"](lang).format(name=state["approved_by"])
                                                   if state.get("approved_by") else ""))
    return text + "\n".join(lines) + "\n"

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
