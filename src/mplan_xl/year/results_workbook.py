"""``mplan-xl results``: what the actions brought in, from the exports, written into a copy of a team's plan.

The plan is read once by the pipeline every command shares (:func:`~mplan_xl.year.actuals_workbook.read_plan`),
the exports are read (:mod:`mplan_xl.year.exports`) and matched to the actions by campaign code
(:mod:`mplan_xl.year.results`), then a copy of the workbook is written in which:

- each action that the exports credit with revenue gets its *Gain obtenu* (the sum of its months) and its row of
  *Résultats mensuels* (the gain of each month; a row is added for an action that has none); an action the exports
  say nothing of keeps what it had (nothing is written: no 0 % ROI, no −100 %);
- each KPI whose *Métrique source* names a metric gets its *Réalisé* row of *KPI mensuels* (a row is added when
  it has none): the month's figure, or the total since January for a year-to-date KPI;
- a sheet lists the unmatched rows (file, campaign, month, amounts), and a sheet sets what the ad platforms billed
  each action beside its actual spend from the accounts (a gap is a warning: nothing is replaced).

Every other part of the file keeps its bytes (:mod:`mplan_xl.read.package`, :mod:`mplan_xl.read.cell_patch`); the
plan and the exports are only read; the workbook is marked to be recalculated on opening. An export that cannot be
read or recognised, a plan without the columns the import needs, a rules file that names an unknown action:
nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Sequence
from xml.sax.saxutils import escape

from ..core import schema, tracking
from ..core.atomic import atomic_output
from ..core.errors import FecProblem, PlanNotUsable, UnreadableWorkbook
from ..core.numbers import to_number
from ..core.plan import CURRENCIES, id_text
from ..core.text_safety import xml_text
from ..core.vocabulary import Label
from ..read.cell_patch import recalculate_on_open, set_numbers
from ..read.outputs import check_outputs
from ..read.package import MAIN_NS, PackageCopy
from ..read.plan_reader import LocatedPlan, LocatedTable
from ..read.reader import Limits
from .exports import METRICS, read_export, source_name
from .results import ActionCode, ResultsResult, ResultsRules, cost_gaps, match_exports, read_results_rules

#: Columns of the plan the import needs, per table.
NEEDED = {"actions": ("id", "campaign", "achieved_gain"), "action_results": ("action_id", "m01"),
          "kpis": ("id", "source"), "kpi_months": ("kpi_id", "series", "m01")}


def read_results_plan(path: str | os.PathLike, limits: Limits = Limits()) -> LocatedPlan:
    """The plan located by the one pipeline; refused (:class:`PlanNotUsable`) without the tables and columns of
    template 4.1.0 the import writes to (an older plan: ``mplan-xl upgrade`` first)."""
    from ..check.validator import inspect_file

    def usable(inspected: Any) -> LocatedPlan:
        if inspected.error is not None:
            raise inspected.error
        located = inspected.located
        if located is None:
            raise UnreadableWorkbook("not-a-workbook")
        missing = [f"{key}.{column}" for key, columns in NEEDED.items() for column in columns
                   if key not in located.tables or column not in located.tables[key].columns]
        if missing or not isinstance(located.year, int):
            raise PlanNotUsable(Label("{path} : le plan n'a pas les colonnes des résultats ({missing}) ou pas d'année "
                                      "du plan : passez-le d'abord au modèle courant (mplan-xl upgrade)",
                                      "{path}: the plan lacks the results columns ({missing}) or its year: move it to "
                                      "the current template first (mplan-xl upgrade)"),
                                path=path, missing=", ".join(missing) or "-")
        return located

    return inspect_file(path, "fr", limits, then=usable)


def plan_actions(located: LocatedPlan) -> list[ActionCode]:
    """The plan's actions that have an id, with their campaign code, as matching needs them."""
    table = located.tables["actions"]
    out = []
    for row in table.rows:
        action_id = id_text(row.values.get("id"))
        if action_id is not None:
            out.append(ActionCode(action_id, str(row.values.get("campaign") or "").strip()))
    return out


def _actual_spend(located: LocatedPlan) -> dict[str, float | None]:
    """Each action's actual spend from the accounts: the sum of its budget lines' *Réel*."""
    spend: dict[str, float | None] = {}
    budget = located.tables.get("budget")
    if budget is None or "actual" not in budget.columns:
        return spend
    for row in budget.rows:
        action_id = id_text(row.values.get("action_id"))
        value = to_number(row.values.get("actual"))
        if action_id is not None and value is not None:
            spend[action_id] = (spend.get(action_id) or 0.0) + value
    return spend


# --- the sheets of the copy -------------------------------------------------------------------------------------

UNMATCHED_SHEET = Label("Exports non rapprochés", "Exports unmatched")
UNMATCHED_HEADERS = (Label("Fichier", "File"), Label("Source", "Source"), Label("Campagne", "Campaign"),
                     Label("Mois", "Month"), Label("Lignes", "Rows"), Label("Première ligne", "First line"),
                     *(Label(fr, en) for fr, en in (("Coût", "Cost"), ("Chiffre d'affaires", "Revenue"),
                                                    ("Conversions", "Conversions"), ("Sessions", "Sessions"),
                                                    ("Clics", "Clicks"), ("Impressions", "Impressions"))))
COSTS_SHEET = Label("Coûts des régies", "Ad platform costs")
COSTS_HEADERS = (Label("ID action", "Action ID"), Label("Code campagne", "Campaign code"),
                 Label("Coût facturé par les régies", "Cost billed by the platforms"),
                 Label("Dépense réelle (comptabilité)", "Actual spend (accounts)"), Label("Écart", "Gap"),
                 Label("Gain obtenu", "Achieved gain"), Label("Source du gain", "Gain source"))
_COLUMNS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sheet_xml(headers: Sequence[Label], rows: Sequence[Sequence[Any]], lang: str) -> bytes:
    """A worksheet of inline strings and numbers (no shared-strings or styles part to touch)."""
    def cell(ref: str, value: Any) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f'<c r="{ref}"><v>{float(value)!r}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(xml_text(str(value)))}</t></is></c>'

    out = ['<row r="1">' + "".join(cell(f"{_COLUMNS[i]}1", h(lang)) for i, h in enumerate(headers)) + "</row>"]
    for n, row in enumerate(rows, start=2):
        out.append(f'<row r="{n}">' + "".join(cell(f"{_COLUMNS[i]}{n}", v) for i, v in enumerate(row)) + "</row>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}"><sheetData>' + "".join(out) + "</sheetData></worksheet>").encode("utf-8")


def unmatched_rows(result: ResultsResult) -> list[list[Any]]:
    order = ("cost", "revenue", "conversions", "sessions", "clicks", "impressions")
    return [[Path(u.file).name, source_name(u.source), u.campaign, u.month, u.rows, u.first_line,
             *(round(u.sums[m], 2) if m in u.sums else None for m in order)] for u in result.unmatched]


def cost_rows(result: ResultsResult, spend: dict[str, float | None]) -> list[list[Any]]:
    rows = []
    for action in result.actions.values():
        cost = action.platform_cost
        if cost is None and action.gain is None:
            continue
        actual = spend.get(action.id)
        rows.append([action.id, action.campaign, cost, actual,
                     round(cost - actual, 2) if cost is not None and actual is not None else None, action.gain,
                     ", ".join(source_name(s) for s in action.gain_sources)])
    return rows


# --- writing ----------------------------------------------------------------------------------------------------

def _free_rows(table: LocatedTable) -> list[int]:
    """0-based worksheet rows of the table's blank rows (inside its range, below its last filled row)."""
    used = {row.sheet_row for row in table.rows} | {row.sheet_row for row in table.suggestions}
    first = table.info.first_row + 1
    return [r for r in range(first, table.last_data_row + 1) if r not in used and r > max(used, default=first - 1)]


def _a1(table: LocatedTable, row: int, key: str) -> str:
    from ..core.a1 import cell_name

    return cell_name(row, table.columns[key])


_NO_CODES = Label("aucune action du plan n'a de Code campagne : les lignes ne se rapprochent que par les règles "
                  "[[match]] ; tapez sur la feuille Actions la valeur utm_campaign ou le nom de campagne de chacune",
                  "no action of the plan has a Campaign code: rows are matched by the [[match]] rules only; type on "
                  "the Actions sheet each one's utm_campaign value or campaign name")
_NO_ROOM = Label("{table} : plus de ligne libre pour {what} ; ajoutez des lignes au tableau puis relancez",
                 "{table}: no blank row left for {what}; add rows to the table and run again")


def _gain_cells(located: LocatedPlan, result: ResultsResult, last_month: int,
                warnings: list[Any]) -> tuple[dict[str, float | str], dict[str, float | str]]:
    """The Actions cells (achieved gain) and the Résultats mensuels cells (months, and the id of an added row)."""

    actions, months = located.tables["actions"], located.tables["action_results"]
    action_cells: dict[str, float | str] = {}
    month_cells: dict[str, float | str] = {}
    rows_of = {id_text(r.values.get("action_id")): r.sheet_row for r in months.rows}
    typed = {id_text(r.values.get("action_id")): r.values for r in months.rows}
    free = _free_rows(months)
    for row in actions.rows:
        action = result.actions.get(id_text(row.values.get("id")) or "")
        if action is None or action.gain is None:
            continue
        sheet_row = rows_of.get(action.id)
        if sheet_row is None:
            if not free:
                warnings.append(FecProblem(0, None, _NO_ROOM, {"table": months.sheet.name(located.lang),
                                                               "what": action.id}))
                continue
            sheet_row = free.pop(0)
            month_cells[_a1(months, sheet_row, "action_id")] = action.id
        last = max([last_month, *action.gain_months])
        before = typed.get(action.id, {})
        for month, key in enumerate(schema.MONTH_KEYS, 1):
            # The months to date hold the exports' gain (0 without a row); a later month typed by hand is cleared,
            # so the months keep adding up to the achieved gain (results-months-disagree).
            if key in months.columns and (month <= last or to_number(before.get(key)) is not None):
                month_cells[_a1(months, sheet_row, key)] = action.gain_months.get(month, 0.0)
        cell = actions.cell(row, "achieved_gain")
        if cell is not None:
            action_cells[cell] = round(sum(action.gain_months.values()), 2)
    return action_cells, month_cells


def _kpi_cells(located: LocatedPlan, result: ResultsResult, last_month: int, warnings: list[Any]) -> dict[str, float | str]:
    from ..core.vocabulary import KPI_NATURE, KPI_SERIES, KPI_SOURCE

    kpis, months = located.tables["kpis"], located.tables["kpi_months"]
    cells: dict[str, float | str] = {}
    actual_rows = {id_text(r.values.get("kpi_id")): r.sheet_row for r in months.rows
                   if KPI_SERIES.code_of(r.values.get("series")) == "actual"}
    free = _free_rows(months)
    for row in kpis.rows:
        kpi_id = id_text(row.values.get("id"))
        metric = KPI_SOURCE.code_of(row.values.get("source"))
        values = result.kpi_metrics.get(metric or "")
        if kpi_id is None or not values:
            continue
        sheet_row = actual_rows.get(kpi_id)
        if sheet_row is None:
            if not free:
                warnings.append(FecProblem(0, None, _NO_ROOM, {"table": months.sheet.name(located.lang),
                                                               "what": kpi_id}))
                continue
            sheet_row = free.pop(0)
            cells[_a1(months, sheet_row, "kpi_id")] = kpi_id
            cells[_a1(months, sheet_row, "series")] = KPI_SERIES.label("actual", located.lang)
        ytd = KPI_NATURE.code_of(row.values.get("nature")) == "cumulative" if "nature" in kpis.columns else False
        running = 0.0
        last = min(max([last_month, *values]), 12)
        for month, key in enumerate(schema.MONTH_KEYS[:last], 1):
            value = values.get(month)
            if ytd and metric in ("sessions", "conversions", "revenue", "cost", "clicks", "impressions"):
                running += value or 0.0
                value = running
            if value is not None and key in months.columns:
                cells[_a1(months, sheet_row, key)] = round(value, 6)
    return cells


def write_results(located: LocatedPlan, result: ResultsResult, out: str | os.PathLike, *, last_month: int,
                  spend: dict[str, float | None], force: bool = False) -> Path:
    """Write the copy of the plan (see the module)."""
    copy = PackageCopy.open(located.raw.content or located.raw.path)
    sheets = copy.worksheets()
    action_cells, month_cells = _gain_cells(located, result, last_month, result.warnings)
    kpi_cells = _kpi_cells(located, result, last_month, result.warnings)
    for key, cells in (("actions", action_cells), ("action_results", month_cells), ("kpi_months", kpi_cells)):
        if cells:
            part = sheets[located.tables[key].worksheet][0]
            copy.parts[part] = set_numbers(copy.parts[part], cells)
    workbook = copy.workbook_part()
    copy.parts[workbook] = recalculate_on_open(copy.parts[workbook])
    lang = located.lang
    if result.unmatched:
        copy.set_worksheet(UNMATCHED_SHEET(lang), _sheet_xml(UNMATCHED_HEADERS, unmatched_rows(result), lang))
    costs = cost_rows(result, spend)
    if costs:
        copy.set_worksheet(COSTS_SHEET(lang), _sheet_xml(COSTS_HEADERS, costs, lang))
    return copy.write(out, force=force)


def import_results(plan: str | os.PathLike, exports: Sequence[str | os.PathLike], out: str | os.PathLike, *,
                   rules: str | os.PathLike | None = None, as_of: dt.date | None = None,
                   report: str | os.PathLike | None = None, force: bool = False, lang: str = "fr") -> ResultsResult:
    """Read the exports, match them to the plan's actions and write the plan's copy (and the JSON report)."""
    check_outputs([out, report], [p for p in (plan, *exports, rules) if p is not None], force=force)
    located = read_results_plan(plan)
    actions = plan_actions(located)
    mapping = read_results_rules(rules, [a.id for a in actions]) if rules else ResultsRules()
    tables = [read_export(path, mapping.mapping) for path in exports]
    year = located.year
    assert isinstance(year, int)   # read_results_plan refuses a plan without its year
    result = match_exports(tables, actions, year=year, as_of=as_of, rules=mapping)
    result.currency = CURRENCIES.get(str(located.meta.get("currency") or "EUR").upper(), "") or result.currency
    if not any(action.campaign for action in actions):
        result.warnings.insert(0, FecProblem(0, None, _NO_CODES, {}))
    spend = _actual_spend(located)
    result.warnings += cost_gaps(result, spend, lang)
    last_month = tracking.month_in_year(as_of or located.as_of, year, 12)
    write_results(located, result, out, last_month=last_month, spend=spend, force=force)
    if report:
        data = result.to_dict(lang)
        data["output"] = str(out)
        data["metrics"] = list(METRICS)
        with atomic_output(report, force=force) as tmp:
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result
