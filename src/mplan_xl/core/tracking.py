"""Figures to date: the year followed month by month, in Python and as the formula the workbook carries.

The plan is judged at its *situation date* (:data:`mplan_xl.core.schema.NAME_AS_OF`:
the date typed on the Guide, or today, kept within the plan year). Its month
*m* (1 to 12) decides what counts "to date": the months January to *m*.

- *Budget*. A budget line's planned amount is phased by month either by a
  "Planned" row of the monthly budget (the months typed), or, without one,
  spread evenly over the months its action runs (from the start month to the
  end month; the whole year when the action is unknown or undated). Planned to
  date is the sum of its months up to *m*, or the planned amount times the
  share of the action's months elapsed. Actual to date is the sum of the
  "Actual" row's months up to *m*, or the line's actual amount when it has no
  monthly actuals (what has been spent so far is spent to date).
- *KPI*. A KPI is a *level* (followers, a rate: each month's value stands on
  its own) or a *year-to-date* total (revenue since January: its baseline and
  target are yearly totals), as its Nature column says (blank: a level). Its
  target to date is the latest monthly target typed up to *m* (a "Target" row
  of the monthly KPIs), or its trajectory: a straight line from its start to
  the target, reached in the month of the objective's deadline (December
  without one). A level starts from the baseline (without one, the target
  itself is the target to date); a year-to-date total starts from zero. Its
  baseline to date is the baseline for a level, and for a year-to-date total
  the share of the baseline due by then (last year's pace: the baseline times
  *m* / the deadline month). Actual to date is the latest value measured up
  to *m*, or the KPI's actual; the attainment to date compares it with the
  target to date from the baseline to date.
- *Objective*. Progress to date is the average attainment to date of the KPIs
  that measure it.

A monthly row counts once it holds a number (a row left empty changes
nothing). Each figure below is one pure function and one formula renderer;
:func:`compute` and :func:`formula` dispatch on the figure's name, which
:class:`mplan_xl.core.schema.Tracking` columns give. The formulas use only
``COUNTIFS``, ``SUMIFS``, ``INDEX``/``MATCH`` and ``LOOKUP``, which Excel 2010+
and LibreOffice share; a LibreOffice test recalculates them and compares.

Domain core: no Excel library is imported.

Example:
    >>> months_to_date([100, 200, None, 50] + [None] * 8, month=3)
    300.0
    >>> elapsed_share(month_from=3, month_to=6, month=4)
    0.5
    >>> trajectory(baseline=100, target=160, deadline_month=6, month=3)
    130.0
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

from . import schema
from .numbers import date_to_serial, serial_to_date, to_number
from .plan import id_key
from .schema import ACTIONS, BUDGET, BUDGET_MONTHS, KPI_MONTHS, KPIS, MONTH_KEYS, OBJECTIVES, Table
from .table_refs import structured_ref, structured_span
from .vocabulary import BUDGET_SERIES, KPI_NATURE, KPI_SERIES

Row = Mapping[str, Any]


class TrackingContext(Protocol):
    """What the tracking figures read of a plan beyond the row: :class:`mplan_xl.core.computed.PlanContext` (which
    imports this module, so it is described here rather than imported)."""

    year: int
    #: The month (1 to 12) of the situation date.
    month: int
    #: Figures computed once per context.
    memo: dict[Any, Any]

    def rows_for(self, table: str, column: str, row_id: Any) -> list[Mapping[str, Any]]: ...

    def computed_rows(self, table: str) -> list[tuple[Mapping[str, Any], dict[str, Any]]]: ...

#: The largest number a numeric criterion of COUNTIFS lets through: "holds a number" in a criterion.
_ANY_NUMBER = '"<1E+307"'


# --- pure functions ----------------------------------------------------------------------------

def _number(value: Any) -> float | None:
    """A value as ``ISNUMBER`` sees it (dates are their serial numbers), else None."""
    if value.__class__ is float:   # the common case without a second call
        return value if math.isfinite(value) else None
    return to_number(value, dates=True)


def situation_day(as_of: Any) -> dt.date | None:
    """The situation date as a date (it may come as a serial number, as a cell holds it).

    >>> situation_day(46568.0)
    datetime.date(2027, 6, 30)
    """
    if isinstance(as_of, dt.date):
        return as_of
    serial = _number(as_of)
    return serial_to_date(serial) if serial is not None else None


def month_of(as_of: Any) -> int:
    """The month (1 to 12) of a situation date (a date or its serial number); December when it is not a date.

    >>> month_of(dt.date(2027, 6, 30)), month_of(None)
    (6, 12)
    """
    day = situation_day(as_of)
    return day.month if day else 12


def month_in_year(value: Any, year: int, default: int) -> int:
    """The month of date *value* kept within the plan *year* (January before it, December after it); *default*
    when *value* is not a date.

    >>> month_in_year(dt.date(2027, 4, 12), 2027, 1), month_in_year(dt.date(2026, 11, 2), 2027, 1), month_in_year("", 2027, 12)
    (4, 1, 12)
    """
    if value.__class__ is dt.date and value.year > 1900 and 1900 < year < 10000:   # a date cell: no serial needed
        return value.month if value.year == year else 1 if value.year < year else 12
    serial = _number(value)
    if serial is None:
        return default
    first, last = _year_bounds(year)
    day = serial_to_date(min(max(serial, first), last))
    return day.month if day else default


@lru_cache(maxsize=None)
def _year_bounds(year: int) -> tuple[float, float]:
    """The serial numbers of 1 January and 31 December of *year*."""
    return date_to_serial(dt.date(year, 1, 1)) or 1.0, date_to_serial(dt.date(year, 12, 31)) or 1.0


def months_total(months: Sequence[Any]) -> float | None:
    """The sum of the months that hold a number; None when none does.

    >>> months_total([100, "x", None, 50] + [None] * 8), months_total([None] * 12)
    (150.0, None)
    """
    return _total(list(map(_number, months)))


def months_to_date(months: Sequence[Any], month: int) -> float | None:
    """The sum of the months January to *month* that hold a number; None when no month of the row holds one."""
    return _sum_to_date(list(map(_number, months)), month)


def latest_to_date(months: Sequence[Any], month: int) -> float | None:
    """The last value among January to *month*; None when none of them holds a number.

    >>> latest_to_date([10, None, 12, 15] + [None] * 8, month=3), latest_to_date([None, 5] + [None] * 10, month=1)
    (12.0, None)
    """
    return _latest(list(map(_number, months)), month)


# The same three figures on months already read as numbers (:func:`_month_numbers`): each cell converted once.

def _total(numbers: Sequence[float | None]) -> float | None:
    found = [n for n in numbers if n is not None]
    return math.fsum(found) if found else None


def _sum_to_date(numbers: Sequence[float | None], month: int) -> float | None:
    if all(n is None for n in numbers):
        return None
    return math.fsum(n for n in numbers[:month] if n is not None)


def _latest(numbers: Sequence[float | None], month: int) -> float | None:
    found = [n for n in numbers[:month] if n is not None]
    return found[-1] if found else None


def _month_numbers(context: TrackingContext, row: Row) -> list[float | None]:
    """The twelve months of a monthly *row* as ``ISNUMBER`` sees them, converted once per row and context
    (a monthly row is read by its own total and to-date columns and by its budget line's or KPI's figures)."""
    key = ("months", id(row))
    found = context.memo.get(key)
    if found is None:
        found = context.memo[key] = [_number(row.get(k)) for k in MONTH_KEYS]
        context.memo[("months row", id(row))] = row   # the row stays alive with its memo: its id is not reused
    return found


def elapsed_share(month_from: int, month_to: int, month: int) -> float:
    """The share of the months *month_from* to *month_to* elapsed at the end of *month*: 0 before, 1 after."""
    count = month_to - month_from + 1
    return min(max(month - month_from + 1, 0), count) / count


def trajectory(baseline: Any, target: Any, deadline_month: int, month: int) -> float | None:
    """Where a KPI should stand at the end of *month*: from *baseline* in a straight line to *target*, reached at
    the end of *deadline_month* and kept afterwards; the target itself without a baseline; None without a target.

    >>> trajectory(baseline=45, target=35, deadline_month=10, month=5), trajectory(None, 50, 12, 3)
    (40.0, 50.0)
    """
    t, b = _number(target), _number(baseline)
    if t is None:
        return None
    if b is None:
        return t
    return b + (t - b) * min(month, deadline_month) / deadline_month


def is_year_to_date(nature: Any) -> bool:
    """Whether a KPI's Nature cell (a code or a label, either language) says its values add up since January.

    >>> is_year_to_date("Cumul annuel"), is_year_to_date("cumulative"), is_year_to_date(None)
    (True, True, False)
    """
    return KPI_NATURE.code_of(nature) == "cumulative"


def trajectory_start(baseline: Any, nature: Any) -> Any:
    """Where a KPI's trajectory starts: zero for a year-to-date total, else its baseline.

    >>> trajectory_start(1850000, "cumulative"), trajectory_start(18, "level")
    (0.0, 18)
    """
    return 0.0 if is_year_to_date(nature) else baseline


def baseline_to_date(baseline: Any, nature: Any, deadline_month: int, month: int) -> float | None:
    """A KPI's baseline at the end of *month*: the baseline of a level; for a year-to-date total, the share of
    the yearly baseline due by then (the baseline times *month* / *deadline_month*, at most the baseline).

    >>> baseline_to_date(1200, "cumulative", 12, 3), baseline_to_date(18, "level", 12, 3), baseline_to_date("", "level", 12, 3)
    (300.0, 18.0, None)
    """
    if is_year_to_date(nature):
        return trajectory(0.0, baseline, deadline_month, month)
    return _number(baseline)


def month_sum(rows: Iterable[Row], table: Table, series: str, month: int, ref: str | None = None,
              row_id: Any = None) -> tuple[int, float]:
    """(how many rows of the monthly *table* of *series* (a code) hold a number in *month* (1 to 12), their sum):
    ``COUNTIFS`` and ``SUMIFS`` on one month column. With *ref*, only the rows whose *ref* holds *row_id*.

    >>> rows = [{"series": "planned", "m03": 100}, {"series": "Prévu", "m03": 50}, {"series": "actual", "m03": 7}]
    >>> month_sum(rows, schema.BUDGET_MONTHS, "planned", 3), month_sum(rows, schema.BUDGET_MONTHS, "planned", 4)
    ((2, 150.0), (0, 0.0))
    """
    key, wanted = MONTH_KEYS[month - 1], None if ref is None else id_key(row_id)
    count, total = 0, 0.0
    for row in rows:
        if ref is not None and (_blank_id(row.get(ref)) or id_key(row.get(ref)) != wanted):
            continue
        value = _number(row.get(key))
        if value is not None and _is_series(table, row.get("series"), series):
            count += 1
            total += value
    return count, total


def has_months(rows: Iterable[Row], table: Table, series: str, ref: str, row_id: Any) -> bool:
    """Whether a row of *table* for *row_id* and *series* holds a number in some month: the test that decides,
    for a budget line, between its monthly actuals and its yearly actual (its "To date" cell is a number)."""
    return any(not _blank_id(r.get(ref)) and id_key(r.get(ref)) == id_key(row_id) and _is_series(table, r.get("series"), series)
               and months_total([r.get(k) for k in MONTH_KEYS]) is not None for r in rows)


# --- reading the other tables --------------------------------------------------------------------

def _is_series(table: Table, series: Any, code: str) -> bool:
    """Whether a series cell holds *code*: the plan holds codes, read from the labels case aside, as COUNTIFS
    matches them. (A label typed in the other language reads as its code here but matches no formula: the
    dropdown offers only the workbook's language.)"""
    return series == code or (isinstance(series, str) and table.column("series").choice_list.code_of(series) == code)


def _monthly(context: TrackingContext, table: Table, ref: str, row_id: Any, series: str,
             value: Callable[[Sequence[Any]], float | None]) -> tuple[int, float]:
    """(how many rows of *table* for *row_id* and *series* (a code) hold a number, the sum of *value* over them):
    COUNTIFS and SUMIFS on a computed column of the monthly table."""
    count, total = 0, 0.0
    for row in context.rows_for(table.key, ref, row_id):
        if _is_series(table, row.get("series"), series):
            result = value(_month_numbers(context, row))
            if result is not None:
                count += 1
                total += result
    return count, total


def _first(context: TrackingContext, table: str, row_id: Any) -> Row | None:
    """The first row of *table* whose id matches *row_id*, as ``MATCH(…, 0)`` finds it."""
    rows = context.rows_for(table, "id", row_id)
    return rows[0] if rows else None


def _action_months(action: Row, year: int) -> tuple[int, int]:
    """The months an action runs (from, to), as its Mois début / Mois fin columns compute them."""
    start = month_in_year(action.get("start"), year, 1)
    return start, max(start, month_in_year(action.get("end"), year, 12))


def _phased(context: TrackingContext, line_id: Any) -> float | None:
    """A budget line's phased planned amount: the total of its "Planned" monthly rows that hold a number."""
    count, total = _monthly(context, BUDGET_MONTHS, "line_id", line_id, "planned", _total)
    return total if count else None


def _blank_id(value: Any) -> bool:
    return value is None or value == ""


# --- each figure: Python ------------------------------------------------------------------------

def compute(figure: str, table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    """The value of *figure* on *row* of *table*; *done* holds the row's computed columns already known."""
    return _FIGURES[figure][0](table, row, done, context, lang)


def figure_function(figure: str) -> Callable[[Table, Row, Mapping[str, Any], TrackingContext, str], Any]:
    """The Python function of *figure*, called as :func:`compute` calls it (looked up once per column)."""
    return _FIGURES[figure][0]


def _own_id(table: Table, row: Row) -> Any:
    return row.get(table.id_column) if table.id_column else None


def _py_months_total(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    return _total(_month_numbers(context, row))


def _py_months_to_date(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    return _sum_to_date(_month_numbers(context, row), context.month)


def _py_months_latest(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    return _latest(_month_numbers(context, row), context.month)


def _py_month_from(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    if _blank_id(_own_id(table, row)):
        return None
    return float(_action_months(row, context.year)[0])


def _py_month_to(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    if _blank_id(_own_id(table, row)):
        return None
    return float(_action_months(row, context.year)[1])


def _py_elapsed(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    if _blank_id(_own_id(table, row)):
        return None
    return elapsed_share(int(done["month_from"]), int(done["month_to"]), context.month)


def _py_spread_monthly(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    action_id = _own_id(table, row)
    if _blank_id(action_id):
        return None
    spread = 0.0
    for line in context.rows_for(BUDGET.key, "action_id", action_id):   # SUMIFS ignores text
        planned, line_id = line.get("planned"), line.get("id")
        # A line without an id has a blank phased amount: it is spread too, as SUMIFS(…, "") counts it.
        if isinstance(planned, (int, float)) and not isinstance(planned, bool) \
                and (_blank_id(line_id) or _phased(context, line_id) is None):
            spread += planned
    return spread / (done["month_to"] - done["month_from"] + 1)


def _py_planned_phased(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    line_id = _own_id(table, row)
    if _blank_id(line_id):
        return None
    return _phased(context, line_id)


def _action_share(action_id: Any, context: TrackingContext) -> float:
    """The elapsed share of the line's action; the share of the year elapsed when the action is unknown."""
    fallback = context.month / 12
    if _blank_id(action_id):
        return fallback
    key = ("action share", id_key(action_id))
    if key not in context.memo:   # an action has many lines
        action = _first(context, ACTIONS.key, action_id)
        context.memo[key] = fallback if action is None else elapsed_share(*_action_months(action, context.year),
                                                                           context.month)
    return context.memo[key]


def _py_planned_to_date(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    line_id = _own_id(table, row)
    if _blank_id(line_id):
        return None
    if done.get("planned_phased") is not None:
        return _to_date(context, BUDGET_MONTHS, "line_id", line_id, "planned")[1]
    planned = _number(row.get("planned"))
    if planned is None:
        return None
    return planned * _action_share(row.get("action_id"), context)


def _to_date(context: TrackingContext, months: Table, ref: str, row_id: Any, series: str) -> tuple[int, float]:
    """COUNTIFS and SUMIFS of the "À date" column of the monthly rows of *row_id* and *series*: a budget month
    adds up to date, a KPI keeps its latest value."""
    month, latest = context.month, months is KPI_MONTHS
    return _monthly(context, months, ref, row_id, series,
                    (lambda numbers: _latest(numbers, month)) if latest else (lambda numbers: _sum_to_date(numbers, month)))


def _actual_to_date(table: Table, row: Row, context: TrackingContext, months: Table, ref: str) -> Any:
    """What the monthly "actual" rows say to date; the row's own actual when it has none."""
    own_id = _own_id(table, row)
    if _blank_id(own_id):
        return None
    count, total = _to_date(context, months, ref, own_id, "actual")
    return total if count else _number(row.get("actual"))


def _py_actual_to_date(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    return _actual_to_date(table, row, context, BUDGET_MONTHS, "line_id")


def deadline_month(objective_id: Any, context: TrackingContext) -> int:
    """The month of the deadline of the objective a KPI measures; December without one."""
    if _blank_id(objective_id):
        return 12
    found = _first(context, OBJECTIVES.key, objective_id)
    return month_in_year(found.get("deadline"), context.year, 12) if found else 12


def _py_kpi_baseline_to_date(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    if _blank_id(_own_id(table, row)):
        return None
    return baseline_to_date(row.get("baseline"), row.get("nature"), deadline_month(row.get("objective_id"), context),
                            context.month)


def _py_kpi_target_to_date(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    kpi_id = _own_id(table, row)
    if _blank_id(kpi_id):
        return None
    count, total = _to_date(context, KPI_MONTHS, "kpi_id", kpi_id, "target")
    if count:
        return total
    return trajectory(trajectory_start(row.get("baseline"), row.get("nature")), row.get("target"),
                      deadline_month(row.get("objective_id"), context), context.month)


def _py_kpi_actual_to_date(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    return _actual_to_date(table, row, context, KPI_MONTHS, "kpi_id")


def _py_objective_progress(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    objective_id = _own_id(table, row)
    if _blank_id(objective_id):
        return None
    kpis = context.computed_rows(KPIS.key)
    grouped = context.memo.get("attainments")
    if grouped is None or grouped[0] is not kpis:   # the KPIs grouped by objective once, not scanned per objective
        by_objective: dict[str, list[float]] = {}
        for kpi, computed in kpis:
            if (v := _number(computed.get("attainment_to_date"))) is not None:
                by_objective.setdefault(id_key(kpi.get("objective_id")), []).append(v)
        grouped = context.memo["attainments"] = (kpis, by_objective)
    values = grouped[1].get(id_key(objective_id))
    return math.fsum(values) / len(values) if values else None


def projection(actual_to_date: Any, nature: Any, deadline_month: int, month: int) -> float | None:
    """Where a KPI will stand at its deadline at the current pace: a year-to-date total grows at the pace of the
    months elapsed (the actual to date times *deadline_month* / *month*, *month* at most the deadline month); a
    level keeps its last value. None without an actual to date.

    >>> projection(850000, "cumulative", 12, 6), projection(2.1, "level", 12, 6), projection(None, "level", 12, 6)
    (1700000.0, 2.1, None)
    """
    value = _number(actual_to_date)
    if value is None:
        return None
    if is_year_to_date(nature):
        return value * deadline_month / min(month, deadline_month)
    return value


def _py_kpi_projection(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    if _blank_id(_own_id(table, row)):
        return None
    return projection(done.get("actual_to_date"), row.get("nature"), deadline_month(row.get("objective_id"), context),
                      context.month)


def _py_action_landing(table: Table, row: Row, done: Mapping[str, Any], context: TrackingContext, lang: str) -> Any:
    action_id = _own_id(table, row)
    if _blank_id(action_id):
        return None
    if "landing by action" not in context.memo:   # SUMIFS: the numbers of the lines whose action id matches
        totals: dict[str, float] = {}
        for line, computed in context.computed_rows(BUDGET.key):
            value = computed.get("landing")
            if not _blank_id(line.get("action_id")) and isinstance(value, (int, float)) and not isinstance(value, bool):
                key = id_key(line.get("action_id"))
                totals[key] = totals.get(key, 0.0) + value
        context.memo["landing by action"] = totals
    return context.memo["landing by action"].get(id_key(action_id), 0.0)


# --- each figure: the formula --------------------------------------------------------------------

_MONTH = f"MONTH({schema.NAME_AS_OF})"
_YEAR = schema.NAME_YEAR


def formula(figure: str, table: Table, lang: str) -> str:
    """The native formula (without ``=``) of *figure* on *table*, in the workbook's language *lang*.

    >>> formula("months_total", schema.BUDGET_MONTHS, "en")
    'IF(COUNT(tblBudgetMonths[[#This Row],[Jan]:[Dec]])=0,"",SUM(tblBudgetMonths[[#This Row],[Jan]:[Dec]]))'
    """
    return _FIGURES[figure][1](table, lang)


def _here(table: Table, key: str, lang: str) -> str:
    return structured_ref(table, key, lang)


def _all(table: Table, key: str, lang: str) -> str:
    return structured_ref(table, key, lang, this_row=False)


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _months_span(table: Table, lang: str) -> str:
    return structured_span(table, MONTH_KEYS[0], MONTH_KEYS[-1], lang)


def _to_month(table: Table, lang: str) -> str:
    span = _months_span(table, lang)
    return f"INDEX({span},1,1):INDEX({span},1,{_MONTH})"


def _guard(table: Table, lang: str, body: str) -> str:
    """Blank on a row without an id, as every computed cell of a blank row."""
    return f'IF({_here(table, table.id_column or "id", lang)}="","",{body})'


def _clamped_month(date: str, default: int) -> str:
    return f"IF(ISNUMBER({date}),MONTH(MIN(MAX({date},DATE({_YEAR},1,1)),DATE({_YEAR},12,31))),{default})"


def _series_criteria(months: Table, ref: str, own_id: str, series: str, lang: str) -> str:
    return f"{_all(months, ref, lang)},{own_id},{_all(months, 'series', lang)},{_q(series)}"


def _monthly_figure(months: Table, ref: str, own_id: str, series: str, value: str, lang: str, otherwise: str) -> str:
    """The sum of *value* over the monthly rows of *own_id* and *series* when one holds a number, else *otherwise*."""
    criteria = _series_criteria(months, ref, own_id, series, lang)
    return (f"IF(COUNTIFS({criteria},{_all(months, value, lang)},{_ANY_NUMBER})>0,"
            f"SUMIFS({_all(months, value, lang)},{criteria}),{otherwise})")


def _f_months_total(table: Table, lang: str) -> str:
    span = _months_span(table, lang)
    return f'IF(COUNT({span})=0,"",SUM({span}))'


def _f_months_to_date(table: Table, lang: str) -> str:
    return f'IF(COUNT({_months_span(table, lang)})=0,"",SUM({_to_month(table, lang)}))'


def _f_months_latest(table: Table, lang: str) -> str:
    upto = _to_month(table, lang)
    return f'IF(COUNT({upto})=0,"",LOOKUP(2,1/ISNUMBER({upto}),{upto}))'


def _f_month_from(table: Table, lang: str) -> str:
    return _guard(table, lang, _clamped_month(_here(table, "start", lang), 1))


def _f_month_to(table: Table, lang: str) -> str:
    return _guard(table, lang, f"MAX({_here(table, 'month_from', lang)},{_clamped_month(_here(table, 'end', lang), 12)})")


def _months_count(table: Table, lang: str) -> str:
    return f"({_here(table, 'month_to', lang)}-{_here(table, 'month_from', lang)}+1)"


def _f_elapsed(table: Table, lang: str) -> str:
    start = _here(table, "month_from", lang)
    count = _months_count(table, lang)
    return _guard(table, lang, f"MIN(MAX({_MONTH}-{start}+1,0),{count})/{count}")


def _f_spread_monthly(table: Table, lang: str) -> str:
    spread = (f'SUMIFS({_all(BUDGET, "planned", lang)},{_all(BUDGET, "action_id", lang)},{_here(table, "id", lang)},'
              f'{_all(BUDGET, "planned_phased", lang)},"")')
    return _guard(table, lang, f"{spread}/{_months_count(table, lang)}")


def _f_planned_phased(table: Table, lang: str) -> str:
    planned = BUDGET_SERIES.label("planned", lang)
    return _guard(table, lang, _monthly_figure(BUDGET_MONTHS, "line_id", _here(table, "id", lang), planned, "total",
                                               lang, '""'))


def _f_planned_to_date(table: Table, lang: str) -> str:
    own_id, planned = _here(table, "id", lang), _here(table, "planned", lang)
    label = BUDGET_SERIES.label("planned", lang)
    action, fallback = _here(table, "action_id", lang), f"{_MONTH}/12"
    share = f"INDEX({_all(ACTIONS, 'elapsed', lang)},MATCH({action},{_all(ACTIONS, 'id', lang)},0))"
    action_share = f'IF({action}="",{fallback},IF(ISNUMBER({share}),{share},{fallback}))'
    spread = f'IF(ISNUMBER({planned}),{planned}*{action_share},"")'
    phased = f"SUMIFS({_all(BUDGET_MONTHS, 'to_date', lang)},{_series_criteria(BUDGET_MONTHS, 'line_id', own_id, label, lang)})"
    return _guard(table, lang, f"IF(ISNUMBER({_here(table, 'planned_phased', lang)}),{phased},{spread})")


def _actual_formula(table: Table, lang: str, months: Table, ref: str) -> str:
    """The formula of :func:`_actual_to_date`: the monthly "actual" rows to date, else the row's own actual."""
    actual = _here(table, "actual", lang)
    label = months.column("series").choice_list.label("actual", lang)
    return _guard(table, lang, _monthly_figure(months, ref, _here(table, "id", lang), label, "to_date", lang,
                                               f'IF(ISNUMBER({actual}),{actual},"")'))


def _f_actual_to_date(table: Table, lang: str) -> str:
    return _actual_formula(table, lang, BUDGET_MONTHS, "line_id")


def deadline_month_formula(objective: str, lang: str) -> str:
    """The formula of :func:`deadline_month`: the month of the deadline of the objective whose id is *objective*
    (an expression); December without one."""
    deadline = f"INDEX({_all(OBJECTIVES, 'deadline', lang)},MATCH({objective},{_all(OBJECTIVES, 'id', lang)},0))"
    return f'IF({objective}="",12,{_clamped_month(deadline, 12)})'


def trajectory_formula(baseline: str, target: str, deadline_month: str, month: str, otherwise: str = '""') -> str:
    """The formula of :func:`trajectory` (every argument an expression); *otherwise* without a target."""
    line = f"{baseline}+({target}-{baseline})*MIN({month},{deadline_month})/{deadline_month}"
    return f"IF(ISNUMBER({target}),IF(ISNUMBER({baseline}),{line},{target}),{otherwise})"


def year_to_date_formula(nature: str, lang: str) -> str:
    """The formula of :func:`is_year_to_date` (*nature*: an expression)."""
    return f"{nature}={_q(KPI_NATURE.label('cumulative', lang))}"


def trajectory_start_formula(baseline: str, nature: str, lang: str) -> str:
    """The formula of :func:`trajectory_start` (every argument an expression)."""
    return f"IF({year_to_date_formula(nature, lang)},0,{baseline})"


def _deadline_month(table: Table, lang: str) -> str:
    return deadline_month_formula(_here(table, "objective_id", lang), lang)


def _f_kpi_baseline_to_date(table: Table, lang: str) -> str:
    baseline, nature = _here(table, "baseline", lang), _here(table, "nature", lang)
    share = trajectory_formula("0", baseline, _deadline_month(table, lang), _MONTH)
    return _guard(table, lang, f'IF({year_to_date_formula(nature, lang)},{share},IF(ISNUMBER({baseline}),{baseline},""))')


def _f_kpi_target_to_date(table: Table, lang: str) -> str:
    target = _here(table, "target", lang)
    start = trajectory_start_formula(_here(table, "baseline", lang), _here(table, "nature", lang), lang)
    path = trajectory_formula(start, target, _deadline_month(table, lang), _MONTH)
    return _guard(table, lang, _monthly_figure(KPI_MONTHS, "kpi_id", _here(table, "id", lang),
                                               KPI_SERIES.label("target", lang), "to_date", lang, path))


def _f_kpi_actual_to_date(table: Table, lang: str) -> str:
    return _actual_formula(table, lang, KPI_MONTHS, "kpi_id")


def _f_objective_progress(table: Table, lang: str) -> str:
    average = (f"AVERAGEIFS({_all(KPIS, 'attainment_to_date', lang)},{_all(KPIS, 'objective_id', lang)},"
               f"{_here(table, 'id', lang)})")
    return _guard(table, lang, f'IFERROR({average},"")')


def _f_kpi_projection(table: Table, lang: str) -> str:
    actual, deadline = _here(table, "actual_to_date", lang), _deadline_month(table, lang)
    pace = f"{actual}*{deadline}/MIN({_MONTH},{deadline})"
    return _guard(table, lang, f'IF(ISNUMBER({actual}),IF({year_to_date_formula(_here(table, "nature", lang), lang)},'
                               f'{pace},{actual}),"")')


def _f_action_landing(table: Table, lang: str) -> str:
    return _guard(table, lang, f"SUMIFS({_all(BUDGET, 'landing', lang)},{_all(BUDGET, 'action_id', lang)},"
                               f"{_here(table, 'id', lang)})")


#: Each figure to date: its Python function and its formula renderer, side by side.
_FIGURES: dict[str, tuple[Callable[[Table, Row, Mapping[str, Any], TrackingContext, str], Any], Callable[[Table, str], str]]] = {
    "months_total": (_py_months_total, _f_months_total),
    "months_to_date": (_py_months_to_date, _f_months_to_date),
    "months_latest": (_py_months_latest, _f_months_latest),
    "month_from": (_py_month_from, _f_month_from),
    "month_to": (_py_month_to, _f_month_to),
    "elapsed": (_py_elapsed, _f_elapsed),
    "spread_monthly": (_py_spread_monthly, _f_spread_monthly),
    "planned_phased": (_py_planned_phased, _f_planned_phased),
    "planned_to_date": (_py_planned_to_date, _f_planned_to_date),
    "actual_to_date": (_py_actual_to_date, _f_actual_to_date),
    "kpi_baseline_to_date": (_py_kpi_baseline_to_date, _f_kpi_baseline_to_date),
    "kpi_target_to_date": (_py_kpi_target_to_date, _f_kpi_target_to_date),
    "kpi_actual_to_date": (_py_kpi_actual_to_date, _f_kpi_actual_to_date),
    "objective_progress": (_py_objective_progress, _f_objective_progress),
    "kpi_projection": (_py_kpi_projection, _f_kpi_projection),
    "action_landing": (_py_action_landing, _f_action_landing),
}
