"""The figures of the Synthèse (one-page summary) and of the SWOT matrix: formulas and Python, side by side.

Each figure is computed here in Python from the plan's tables and rendered as
the Excel formula the workbook carries; the builder writes the Python value as
the cell's cached result and a LibreOffice test recalculates the formulas and
compares. Lists (next actions, the items of a SWOT quadrant, the objectives
and KPIs shown) are picked by position in their table, so the formulas use
only ``INDEX``, ``SMALL`` and ``COUNTIFS``, which Excel 2010+ and LibreOffice
share.

- *Situation date* (:data:`mplan_xl.core.schema.NAME_AS_OF`): the date typed on the
  Guide, or today, kept within the plan year (1 January before it starts,
  31 December after it ends): :func:`mplan_xl.core.computed.situation_date`.
- *Late action*: an end date before the situation date while the status is
  neither done nor cancelled.
- *Next actions*: actions neither done nor cancelled whose end date is on or
  after the situation date, by start date (then table order).
- *Objective status*: the worst status of the KPIs measuring it (off track,
  then at risk, then on track); blank without a KPI status.
- *SWOT matrix*: the items of each quadrant by weight, heaviest first (blank
  weight counts as 0), then table order.
- *Budget curve* (the dashboard): planned and actual cumulated month by month.
  Planned in month *j*: the months *j* of the "Planned" rows of the monthly
  budget, plus the monthly spread of every action running in month *j* (its
  lines without a "Planned" row, :func:`mplan_xl.core.tracking` ``spread_monthly``).
  Actual in month *j*: the months *j* of the "Actual" rows; actuals without
  months count in the situation month (a line with an actual and no "Actual"
  row holding a number, whose actual to date is its yearly actual); no actual
  after the situation month (``#N/A``, so the line stops there).
- *KPI curve* (the dashboard, for the KPI picked in a dropdown): the target of
  month *j* is the "Target" row's month *j* when it holds a number, else the
  trajectory from the baseline to the target at the objective's deadline
  (:func:`mplan_xl.core.tracking.trajectory`); the actual of month *j* is the
  "Actual" row's month *j*, ``#N/A`` (no point) when it holds no number.

Domain core: no Excel library is imported.

Example:
    >>> serial(dt.date(2027, 6, 30))
    46568.0
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping, Sequence, overload

from ..core import formulas, metrics, schema, tracking
from ..core.computed import PlanContext, compute_row, situation_date, structured_ref
from ..core.numbers import date_to_serial, is_blank, to_number
from ..core.plan import id_key, id_text
from ..core.schema import ACTIONS, BUDGET, BUDGET_MONTHS, KPI_MONTHS, KPIS, MONTH_KEYS, SWOT
from ..core.vocabulary import ACTION_STATUS, BUDGET_SERIES, KPI_SERIES, KPI_STATUS, SWOT_QUADRANT, Label

Tables = Mapping[str, Sequence[Mapping[str, Any]]]

#: Action statuses that close an action: it is neither late nor next.
CLOSED_STATUSES = ("done", "cancelled")
#: KPI statuses from worst to best: an objective shows the worst of its KPIs.
STATUS_ORDER = ("off_track", "at_risk", "on_track")
#: A position key is start (or weight rank) × this + the row's position in its table.
_POSITIONS = 100000

#: The situation date the workbook computes: the typed one, or today, kept within the plan year.
AS_OF_FORMULA = (f"MIN(MAX(IF(ISNUMBER({schema.NAME_SITUATION}),{schema.NAME_SITUATION},TODAY()),"
                 f"DATE({schema.NAME_YEAR},1,1)),DATE({schema.NAME_YEAR},12,31))")
#: The situation date as the Synthèse and the Dashboard show it: the typed one, blank when none is typed (as on
#: the Guide; the figures to date then use today, kept within the plan year).
AS_OF_SHOWN_FORMULA = f'IF(ISNUMBER({schema.NAME_SITUATION}),{schema.NAME_AS_OF},"")'


def as_of_shown(situation: dt.date | None, as_of: dt.date) -> float | str:
    """The cached value of :data:`AS_OF_SHOWN_FORMULA`: the situation date's serial, blank without one typed.

    >>> as_of_shown(None, dt.date(2027, 1, 1)), as_of_shown(dt.date(2027, 6, 30), dt.date(2027, 6, 30))
    ('', 46568.0)
    """
    return "" if situation is None else serial(as_of)


@overload
def serial(value: dt.date) -> float: ...
@overload
def serial(value: Any) -> float | None: ...
def serial(value: Any) -> float | None:
    """Excel's serial number of a date (the number a date cell holds); None for anything else.

    >>> serial(dt.date(2027, 1, 1))
    46388.0
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return date_to_serial(value)
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _open(action: Mapping[str, Any]) -> bool:
    return not is_blank(action.get("id")) and ACTION_STATUS.code_of(action.get("status")) not in CLOSED_STATUSES


def is_late(action: Mapping[str, Any], as_of: dt.date) -> bool:
    end = serial(action.get("end"))
    return _open(action) and end is not None and end < serial(as_of)


def late_actions(tables: Tables, as_of: dt.date) -> int:
    return sum(1 for a in tables.get("actions", []) if is_late(a, as_of))


def next_actions(tables: Tables, as_of: dt.date, limit: int) -> list[int]:
    """Positions (0-based, in the Actions table) of the next *limit* open actions: those in progress at *as_of*
    or starting after it, by the next date each reaches (its start when it has not started, else its end).

    >>> day = dt.date(2027, 6, 30)
    >>> acts = [{"id": "A1", "start": dt.date(2027, 1, 5), "end": dt.date(2027, 12, 18)},
    ...         {"id": "A2", "start": dt.date(2027, 7, 1), "end": dt.date(2027, 8, 1)},
    ...         {"id": "A3", "start": dt.date(2027, 2, 1), "end": dt.date(2027, 7, 15)},
    ...         {"id": "A4", "start": dt.date(2027, 1, 1), "end": dt.date(2027, 3, 1)}]
    >>> next_actions({"actions": acts}, day, 6)
    [1, 2, 0]
    """
    keys = []
    day = serial(as_of)
    for pos, a in enumerate(tables.get("actions", [])):
        start, end = serial(a.get("start")), serial(a.get("end"))
        if _open(a) and start is not None and end is not None and day is not None and end >= day:
            keys.append((start if start > day else end, pos))
    return [pos for _, pos in sorted(keys)[:limit]]


def swot_items(tables: Tables, quadrant: str) -> list[int]:
    """Positions (0-based, in the SWOT table) of the items of *quadrant*, heaviest first."""
    keys = []
    for pos, row in enumerate(tables.get("swot", [])):
        if SWOT_QUADRANT.code_of(row.get("quadrant")) == quadrant and not is_blank(row.get("item")):
            weight = _number(row.get("weight")) or 0.0
            keys.append((10 - weight, pos))
    return [pos for _, pos in sorted(keys)]


def objective_status(objective_id: Any, kpi_statuses: Sequence[tuple[Any, Any]]) -> str | None:
    """The worst status code among ``(objective id, status code)`` pairs of this objective; None without any."""
    if is_blank(objective_id):
        return None
    found = {code for oid, code in kpi_statuses if not is_blank(oid) and id_key(oid) == id_key(objective_id)}
    return next((code for code in STATUS_ORDER if code in found), None)


# --- progress curves (the dashboard) ---------------------------------------------------------------

#: The value a chart point without data shows: Excel draws no point for ``#N/A`` (a text, even "", is a zero).
NO_POINT = "#N/A"
#: The KPI curve's title: the KPI picked, or what to do without one.
KPI_CURVE_TITLE = Label("{kpi} : cible et réalisé par mois", "{kpi}: target and actual by month")
KPI_CURVE_NONE = Label("Courbe d'un KPI : choisissez-le dans la liste", "KPI curve: pick one from the list")


def unmonthed_actual(tables: Tables) -> float:
    """The actual of the budget lines that have no "Actual" row holding a number: their actual to date is their
    yearly actual, which the budget curve counts in the situation month."""
    months = tables.get("budget_months", [])
    return sum(_number(line.get("actual")) or 0.0 for line in tables.get("budget", [])
               if not is_blank(line.get("id"))
               and not tracking.has_months(months, BUDGET_MONTHS, "actual", "line_id", line.get("id")))


def budget_curve(tables: Tables, actions: Sequence[Mapping[str, Any]], month: int) -> list[tuple[float, float | None]]:
    """(planned cumulated, actual cumulated) at the end of each month; *actions* are the Actions table's computed
    columns (``month_from``, ``month_to``, ``spread_monthly``), *month* the situation month. Actual is None after
    it."""
    months = tables.get("budget_months", [])
    late = unmonthed_actual(tables)
    planned, actual = 0.0, 0.0
    out: list[tuple[float, float | None]] = []
    for j in range(1, 13):
        spread = sum(s for c in actions
                     if (s := _number(c.get("spread_monthly"))) is not None
                     and (start := _number(c.get("month_from"))) is not None and start <= j
                     and (end := _number(c.get("month_to"))) is not None and end >= j)
        planned = planned + tracking.month_sum(months, BUDGET_MONTHS, "planned", j)[1] + spread
        if j > month:
            out.append((planned, None))
            continue
        actual = actual + tracking.month_sum(months, BUDGET_MONTHS, "actual", j)[1] + (late if j == month else 0.0)
        out.append((planned, actual))
    return out


def curve_kpi(tables: Tables) -> Any:
    """The KPI the dashboard's curve shows at first: the first one that has a monthly value, else the first
    KPI; None without any."""
    kpis = [k for k in tables.get("kpis", []) if not is_blank(k.get("id"))]
    months = tables.get("kpi_months", [])
    for kpi in kpis:
        if any(tracking.has_months(months, KPI_MONTHS, code, "kpi_id", kpi["id"]) for code in KPI_SERIES.codes):
            return kpi["id"]
    return kpis[0]["id"] if kpis else None


@dataclass(frozen=True)
class KpiCurve:
    """The KPI curve's data: the title, the KPI's inputs the trajectory needs (its start: the baseline, or zero
    for a year-to-date KPI), and (target, actual) by month."""

    title: str
    baseline: float | None
    target: float | None
    objective_id: Any
    deadline_month: int
    points: list[tuple[float | None, float | None]]


def kpi_curve(context: PlanContext, kpi_id: Any, lang: str) -> KpiCurve:
    """Target trajectory and actual of KPI *kpi_id* month by month (None: no point)."""
    tables = context.tables
    kpi = None if is_blank(kpi_id) else next(
        (k for k in tables.get("kpis", []) if not is_blank(k.get("id")) and id_key(k["id"]) == id_key(kpi_id)), None)
    baseline, target = (to_number(kpi.get(k), dates=True) if kpi else None for k in ("baseline", "target"))
    baseline = tracking.trajectory_start(baseline, kpi.get("nature")) if kpi else None
    objective = kpi.get("objective_id") if kpi and not is_blank(kpi.get("objective_id")) else None
    deadline = tracking.deadline_month(objective, context)
    title = KPI_CURVE_NONE(lang) if kpi is None else KPI_CURVE_TITLE(lang).format(
        kpi=f"{id_text(kpi_id)} {'' if is_blank(kpi.get('name')) else kpi['name']}")
    months = tables.get("kpi_months", [])
    points: list[tuple[float | None, float | None]] = []
    for j in range(1, 13):
        if is_blank(kpi_id):
            points.append((None, None))
            continue
        count, typed = tracking.month_sum(months, KPI_MONTHS, "target", j, "kpi_id", kpi_id)
        path = typed if count else tracking.trajectory(baseline, target, deadline, j)
        count, measured = tracking.month_sum(months, KPI_MONTHS, "actual", j, "kpi_id", kpi_id)
        points.append((path, measured if count else None))
    return KpiCurve(title, baseline, target, objective, deadline, points)


class Figures:
    """Everything the Synthèse and the SWOT matrix show, computed once from a plan."""

    def __init__(self, tables: Tables, year: int, lang: str, envelope: Any, as_of: dt.date | None = None):
        self.tables, self.lang, self.envelope = tables, lang, envelope
        self.as_of = as_of or situation_date(year)
        context = PlanContext(tables, year, as_of=self.as_of, lang=lang)
        self.context = context
        self.computed = {key: [compute_row(schema.SHEETS_BY_KEY[key], row, context, lang) if row else {}
                               for row in tables.get(key, [])] for key in ("objectives", "actions", "kpis")}
        self.kpi_status_codes = [(row.get("objective_id"), KPI_STATUS.code_of(c.get("status")))
                                 for row, c in zip(tables.get("kpis", []), self.computed["kpis"])]

    def value(self, table: str, position: int, key: str) -> Any:
        """What cell *key* of row *position* of *table* shows: an input, or a computed column."""
        rows = self.tables.get(table, [])
        if position >= len(rows):
            return None
        column = schema.SHEETS_BY_KEY[table].column(key)
        if column.is_input:
            value = rows[position].get(key)
            if column.choices is not None and value in column.choices.codes:
                return column.choices.label(value, self.lang)
            return value
        return self.computed[table][position].get(key)

    def budget(self, key: str) -> float:
        return sum(_number(r.get(key)) or 0.0 for r in self.tables.get("budget", []))

    def landing(self) -> float:
        """The budget lines' landing, summed as SUM adds the column (blanks left out)."""
        return sum(_number(c.get("landing")) or 0.0 for _, c in self.context.computed_rows("budget"))

    def kpi_count(self, status: str) -> int:
        return sum(1 for _, code in self.kpi_status_codes if code == status)

    def smart_ok(self) -> int:
        return sum(1 for c in self.computed["objectives"] if c.get("smart") == "OK")

    def objectives(self) -> int:
        return sum(1 for r in self.tables.get("objectives", []) if not is_blank(r.get("id")))

    def budget_curve(self) -> list[tuple[float, float | None]]:
        return budget_curve(self.tables, self.computed["actions"], self.as_of.month)

    def kpi_curve(self, kpi_id: Any) -> KpiCurve:
        return kpi_curve(self.context, kpi_id, self.lang)

    def results(self, objective_id: Any = None, whole_plan: bool = False) -> dict[str, float | None]:
        """Expected and achieved gain and ROI of an objective, or of the plan (:func:`results`)."""
        return results(self.tables, self.computed["actions"], objective_id, whole_plan)

    def objective_budget(self, objective_id: Any) -> float | None:
        if is_blank(objective_id):
            return None
        return sum(_number(c.get("budget")) or 0.0 for a, c in zip(self.tables.get("actions", []), self.computed["actions"])
                   if not is_blank(a.get("objective_id")) and id_key(a["objective_id"]) == id_key(objective_id))


# --- formulas -------------------------------------------------------------------------------------------

def column(sheet: schema.Table, key: str, lang: str) -> str:
    return structured_ref(sheet, key, lang, this_row=False)


def _position(sheet: schema.Table, key: str, lang: str) -> str:
    ref = column(sheet, key, lang)
    return f"(ROW({ref})-MIN(ROW({ref}))+1)"


def indexed(sheet: schema.Table, key: str, position: str, lang: str) -> str:
    """The cell of column *key* at *position* (an Excel expression, 1-based), blank for a blank cell."""
    ref = column(sheet, key, lang)
    return f'IF(INDEX({ref},{position})="","",INDEX({ref},{position}))'


def next_action_position(k: int, lang: str) -> str:
    """Array expression: the 1-based position in the Actions table of the *k*-th next action."""
    c = {key: column(ACTIONS, key, lang) for key in ("id", "start", "end", "status")}
    closed = "*".join(f'({c["status"]}<>"{ACTION_STATUS.label(code, lang)}")' for code in CLOSED_STATUSES)
    condition = (f'({c["id"]}<>"")*ISNUMBER({c["start"]})*ISNUMBER({c["end"]})*({c["end"]}>={schema.NAME_AS_OF})'
                 f"*{closed}")
    upcoming = f"IF({c['start']}>{schema.NAME_AS_OF},{c['start']},{c['end']})"   # the next date each action reaches
    return f"MOD(SMALL(IF({condition},{upcoming}*{_POSITIONS}+{_position(ACTIONS, 'id', lang)}),{k}),{_POSITIONS})"


def late_actions_formula(lang: str) -> str:
    c = {key: column(ACTIONS, key, lang) for key in ("id", "end", "status")}
    closed = "*".join(f'({c["status"]}<>"{ACTION_STATUS.label(code, lang)}")' for code in CLOSED_STATUSES)
    return f'SUMPRODUCT(({c["id"]}<>"")*ISNUMBER({c["end"]})*({c["end"]}<{schema.NAME_AS_OF})*{closed})'


def swot_position(quadrant: str, k: int, lang: str) -> str:
    """Array expression: the 1-based position in the SWOT table of the *k*-th item of *quadrant*."""
    q, item, weight = (column(SWOT, key, lang) for key in ("quadrant", "item", "weight"))
    label = SWOT_QUADRANT.label(quadrant, lang)
    return (f'MOD(SMALL(IF(({q}="{label}")*({item}<>""),(10-IF(ISNUMBER({weight}),{weight},0))*{_POSITIONS}'
            f"+{_position(SWOT, 'item', lang)}),{k}),{_POSITIONS})")


def swot_count_formula(quadrant: str, lang: str) -> str:
    q, item = column(SWOT, "quadrant", lang), column(SWOT, "item", lang)
    return f'SUMPRODUCT(({q}="{SWOT_QUADRANT.label(quadrant, lang)}")*({item}<>""))'


def objective_status_formula(objective_id: str, lang: str) -> str:
    """The worst KPI status label of the objective whose id is in cell *objective_id*."""
    ids, statuses = column(KPIS, "objective_id", lang), column(KPIS, "status", lang)
    out = '""'
    for code in reversed(STATUS_ORDER):
        label = KPI_STATUS.label(code, lang)
        out = f'IF(COUNTIFS({ids},{objective_id},{statuses},"{label}")>0,"{label}",{out})'
    return f'IF({objective_id}="","",{out})'


def objective_budget_formula(objective_id: str, lang: str) -> str:
    return (f'IF({objective_id}="","",SUMIFS({column(ACTIONS, "budget", lang)},'
            f'{column(ACTIONS, "objective_id", lang)},{objective_id}))')


def kpi_count_formula(status: str, lang: str) -> str:
    return f'COUNTIF({column(KPIS, "status", lang)},"{KPI_STATUS.label(status, lang)}")'


def budget_formula(key: str, lang: str) -> str:
    return f"SUM({column(schema.BUDGET, key, lang)})"


# --- progress curves: formulas ----------------------------------------------------------------------

_SITUATION_MONTH = f"MONTH({schema.NAME_AS_OF})"


def _month_column(table: schema.Table, month: int, lang: str) -> str:
    return column(table, MONTH_KEYS[month - 1], lang)


def unmonthed_actual_formula(lang: str) -> str:
    """The formula of :func:`unmonthed_actual`: a line counts when no "Actual" row of its id has a "To date"
    (the test of its actual to date)."""
    ids, actual = column(BUDGET, "id", lang), column(BUDGET, "actual", lang)
    monthly = (f"COUNTIFS({column(BUDGET_MONTHS, 'line_id', lang)},{ids},{column(BUDGET_MONTHS, 'series', lang)},"
               f'"{BUDGET_SERIES.label("actual", lang)}",{column(BUDGET_MONTHS, "to_date", lang)},"<1E+307")')
    return f'SUMPRODUCT(({ids}<>"")*({monthly}=0),{actual})'


def _series_month(table: schema.Table, code: str, month: int, lang: str, criteria: str = "") -> tuple[str, str]:
    """(COUNTIFS, SUMIFS) of the month *month* of the rows of *table* of series *code*, plus *criteria*."""
    cell = _month_column(table, month, lang)
    label = (BUDGET_SERIES if table is BUDGET_MONTHS else KPI_SERIES).label(code, lang)
    where = f'{criteria}{column(table, "series", lang)},"{label}"'
    return f'COUNTIFS({where},{cell},"<1E+307")', f"SUMIFS({cell},{where})"


def curve_planned_formula(month: int, previous: str | None, lang: str) -> str:
    """Planned cumulated at the end of *month*: *previous* (the cell of the month before) plus the month."""
    spread = (f'SUMIFS({column(ACTIONS, "spread_monthly", lang)},{column(ACTIONS, "month_from", lang)},"<={month}",'
              f'{column(ACTIONS, "month_to", lang)},">={month}")')
    typed = _series_month(BUDGET_MONTHS, "planned", month, lang)[1]
    return f"{previous + '+' if previous else ''}{typed}+{spread}"


def curve_actual_formula(month: int, previous: str | None, unmonthed: str, lang: str) -> str:
    """Actual cumulated at the end of *month*; *unmonthed*: the cell of :func:`unmonthed_actual_formula`."""
    typed = _series_month(BUDGET_MONTHS, "actual", month, lang)[1]
    body = f"{previous + '+' if previous else ''}{typed}+IF({month}={_SITUATION_MONTH},{unmonthed},0)"
    return f"IF({month}>{_SITUATION_MONTH},NA(),{body})"


def envelope_curve_formula() -> str:
    return f"IF(ISNUMBER({schema.NAME_ENVELOPE}),{schema.NAME_ENVELOPE},NA())"


def _kpi_position(selected: str, lang: str) -> str:
    return f"MATCH({selected},{column(KPIS, 'id', lang)},0)"


def kpi_field_formula(selected: str, key: str, lang: str) -> str:
    """Column *key* of the KPI whose id is in cell *selected*; blank for a blank cell or an unknown KPI."""
    return f'IFERROR({indexed(KPIS, key, _kpi_position(selected, lang), lang)},"")'


def kpi_start_formula(selected: str, lang: str) -> str:
    """Where the trajectory of the KPI whose id is in cell *selected* starts (:func:`tracking.trajectory_start`)."""
    return tracking.trajectory_start_formula(kpi_field_formula(selected, "baseline", lang),
                                             kpi_field_formula(selected, "nature", lang), lang)


def kpi_curve_title_formula(selected: str, lang: str) -> str:
    found = f"{selected}&\" \"&INDEX({column(KPIS, 'name', lang)},{_kpi_position(selected, lang)})"
    before, after = KPI_CURVE_TITLE(lang).split("{kpi}")
    title = "&".join(p for p in ((f'"{before}"' if before else ""), found, (f'"{after}"' if after else "")) if p)
    return f'IF(ISNUMBER({_kpi_position(selected, lang)}),{title},"{KPI_CURVE_NONE(lang)}")'


def kpi_deadline_formula(objective: str, lang: str) -> str:
    return tracking.deadline_month_formula(objective, lang)


def kpi_curve_target_formula(month: int, selected: str, baseline: str, target: str, deadline: str, lang: str) -> str:
    """The target of *month*: the typed monthly target, else the trajectory (cells *baseline*, *target*,
    *deadline* hold the KPI's inputs)."""
    count, total = _series_month(KPI_MONTHS, "target", month, lang, f"{column(KPI_MONTHS, 'kpi_id', lang)},{selected},")
    path = tracking.trajectory_formula(baseline, target, deadline, str(month), "NA()")
    return f'IF({selected}="",NA(),IF({count}>0,{total},{path}))'


def kpi_curve_actual_formula(month: int, selected: str, lang: str) -> str:
    count, total = _series_month(KPI_MONTHS, "actual", month, lang, f"{column(KPI_MONTHS, 'kpi_id', lang)},{selected},")
    return f'IF({selected}="",NA(),IF({count}>0,{total},NA()))'


# --- results: expected against achieved ---------------------------------------------------------------

#: The two sides of the results, each (gain column, cost column) of the Actions table: expected (the expected
#: gain against the budget) and achieved (the achieved gain against the actual spend).
RESULTS: Mapping[str, tuple[str, str]] = {"expected": ("expected_gain", "budget"),
                                          "achieved": ("achieved_gain", "actual_spend")}
#: The figures shown side by side, in order: expected gain, achieved gain, expected ROI, achieved ROI.
RESULT_FIGURES = ("expected_gain", "achieved_gain", "expected_roi", "achieved_roi")


def results(tables: Tables, computed: Sequence[Mapping[str, Any]], objective_id: Any = None,
            whole_plan: bool = False) -> dict[str, float | None]:
    """Expected and achieved gain and ROI of the actions of *objective_id* (or of every action, *whole_plan*):
    :func:`mplan_xl.core.metrics.gain_and_cost` over the actions, then :func:`mplan_xl.core.metrics.roi`.
    *computed* are the Actions table's computed columns, row by row. Blank (None) where nothing is measured."""
    if not whole_plan and is_blank(objective_id):
        return dict.fromkeys(RESULT_FIGURES)
    rows = [(a, c) for a, c in zip(tables.get("actions", []), computed)
            if whole_plan or (not is_blank(a.get("objective_id")) and id_key(a["objective_id"]) == id_key(objective_id))]
    out: dict[str, float | None] = {}
    for side, (gain_key, cost_key) in RESULTS.items():
        gain, cost = metrics.gain_and_cost((a.get(gain_key), c.get(cost_key)) for a, c in rows)
        out[f"{side}_gain"], out[f"{side}_roi"] = gain, metrics.roi(gain, cost)
    return {key: out[key] for key in RESULT_FIGURES}


def results_formulas(objective_id: str | None, lang: str) -> dict[str, str]:
    """The formulas of :func:`results`: of the objective whose id is in cell *objective_id* (blank for a blank
    cell), or of the whole plan (*objective_id* None). Numbers only count (``"<1E+307"``), as ISNUMBER."""
    criteria = "" if objective_id is None else f",{column(ACTIONS, 'objective_id', lang)},{objective_id}"
    out: dict[str, str] = {}
    for side, (gain_key, cost_key) in RESULTS.items():
        gain_col, cost_col = column(ACTIONS, gain_key, lang), column(ACTIONS, cost_key, lang)
        measured = f'{gain_col},"<1E+307"{criteria}'
        gain = f'IF(COUNTIFS({measured})=0,"",SUMIFS({gain_col},{measured}))'
        cost = f"SUMIFS({cost_col},{measured})"
        out[f"{side}_gain"] = gain
        out[f"{side}_roi"] = formulas.render("roi", "native", {"gain": gain, "cost": cost})
    if objective_id is not None:
        out = {key: f'IF({objective_id}="","",{formula})' for key, formula in out.items()}
    return {key: out[key] for key in RESULT_FIGURES}
