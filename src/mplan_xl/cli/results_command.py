"""``mplan-xl results``: the exports of analytics, ad platforms, CRM and shop written into a copy of the plan."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.errors import EXIT_FAILED, EXIT_OK
from ..core.numbers import format_number
from ..core.vocabulary import Label
from .cli_errors import echo
from .group import force_option, lang_option, main
from .year_commands import _as_of

_TEXT = {
    "read": Label("Lu : {path} ({source}, {rows} ligne(s) de données)", "Read: {path} ({source}, {rows} data row(s))"),
    "wrote": Label("Écrit : {path} (gain obtenu de {actions} action(s), {kpis} KPI mensuel(s) repris des exports)",
                   "Wrote: {path} (achieved gain of {actions} action(s), {kpis} monthly KPI(s) taken from the exports)"),
    "unmatched": Label("Lignes non rapprochées (feuille « {sheet} » de la copie) :",
                       "Rows not matched (sheet '{sheet}' of the copy):"),
    "group": Label("  {file} : {campaign}  {month}  {rows} ligne(s) dès la ligne {line}  {amounts}",
                   "  {file}: {campaign}  {month}  {rows} row(s) from line {line}  {amounts}"),
    "no_campaign": Label("(sans campagne)", "(no campaign)"),
    "warning": Label("avertissement : {text}", "warning: {text}"),
    "more": Label("  … et {count} autre(s) : voir le rapport JSON (--report) ou la feuille de la copie",
                  "  … and {count} more: see the JSON report (--report) or the copy's sheet"),
}
_LISTED = 20
_AMOUNT_NAMES = {"cost": Label("coût", "cost"), "revenue": Label("CA", "revenue"),
                 "conversions": Label("conv.", "conv."), "sessions": Label("sessions", "sessions")}

_HELP = """Write a copy of PLAN whose actions' achieved gain and KPI months come from the EXPORT files.

Each EXPORT is recognised from its header (French or English interface): Google Analytics 4
(Traffic acquisition by Session campaign), Google Ads, Meta Ads Manager, LinkedIn Campaign
Manager (campaign reports), HubSpot deals, Shopify or WooCommerce orders with their UTM
campaign; any other CSV or xlsx described in --rules ([export]). A row belongs to the action
whose Campaign code it carries (exact, then ignoring case and accents), else to the action a
[[match]] rule of --rules names. Unmatched rows are listed (never dropped); rows of another
year, after --as-of or already read in an earlier EXPORT are counted apart. PLAN and the
exports are only read. Exit code: 0 when the copy is written and every row matched, 1 when
some rows are unmatched (the copy is written) or nothing could be written (an export, the plan
or the rules refused), 2 for a usage error.
"""


@main.command("results", help=_HELP)
@click.argument("plan", type=click.Path(dir_okay=False))
@click.argument("exports", nargs=-1, required=True, metavar="EXPORT...", type=click.Path(dir_okay=False))
@click.option("--output", "-o", "out", required=True, type=click.Path(dir_okay=False),
              help="Copy of PLAN to write, with the achieved gain and the KPI months taken from the exports.")
@click.option("--rules", type=click.Path(dir_okay=False), default=None,
              help="Rules file (TOML or YAML): [gain] revenue or margin at a rate, [export] columns of another "
                   "file, [[match]] campaign -> action.")
@click.option("--report", type=click.Path(dir_okay=False), default=None,
              help="JSON report to write: per file what was read, matched, unmatched, ignored; per action its gain.")
@click.option("--as-of", "as_of", default=None, help="Only rows up to this date (YYYY-MM-DD or DD/MM/YYYY).")
@lang_option
@force_option
def results(plan: str, exports: tuple[str, ...], out: str, rules: str | None, report: str | None,
            as_of: str | None, lang: str, force: bool) -> None:
    from ..year.exports import source_name
    from ..year.results_workbook import UNMATCHED_SHEET, import_results

    text = _TEXT
    result = import_results(plan, exports, out, rules=rules, as_of=_as_of(as_of), report=report, force=force,
                            lang=lang)
    for file in result.files:
        echo(text["read"](lang).format(path=file.path, source=source_name(file.source), rows=file.lines))
    echo(text["wrote"](lang).format(path=out, actions=sum(1 for a in result.actions.values() if a.gain is not None),
                                    kpis=len(result.kpi_metrics)))
    for warning in result.warnings[:_LISTED]:
        echo(text["warning"](lang).format(text=warning.text(lang)))
    for line in result.summary(lang):
        echo(line)
    if result.unmatched:
        echo(text["unmatched"](lang).format(sheet=UNMATCHED_SHEET(lang)))
        for group in result.unmatched[:_LISTED]:
            amounts = ", ".join(f"{name(lang)} " + (result.money(group.sums[m], lang) if m in ("cost", "revenue")
                                                    else format_number(group.sums[m], lang, ",.0f"))
                                for m, name in _AMOUNT_NAMES.items() if group.sums.get(m))
            echo(text["group"](lang).format(file=Path(group.file).name, campaign=group.campaign or
                                            text["no_campaign"](lang), month=group.month, rows=group.rows,
                                            line=group.first_line, amounts=amounts or "-"))
        if len(result.unmatched) > _LISTED:
            echo(text["more"](lang).format(count=len(result.unmatched) - _LISTED))
    sys.exit(EXIT_FAILED if result.unmatched_count else EXIT_OK)
