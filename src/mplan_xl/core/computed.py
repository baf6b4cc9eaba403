"""Computed columns: their Excel formula and their value, from one declaration.

A computed column of :mod:`mplan_xl.core.schema` is a :class:`~mplan_xl.core.schema.Metric`
(one function of the metrics core, row by row), a :class:`~mplan_xl.core.schema.Rollup`
(a sum or count over another table) or a :class:`~mplan_xl.core.schema.Tracking` figure to
date (:mod:`mplan_xl.core.tracking`). This module renders the formula the
workbook carries, for either runtime, and computes the same figure in Python.
The builder writes the Python figure as the cell's cached value; the validator
compares a returned workbook's formulas and cached values with both.

Domain core: no Excel library is imported here, formulas are plain strings.

Example:
    >>> from mplan_xl.core.schema import ACTIONS
    >>> column_formula(ACTIONS, ACTIONS.column("roi"), "native", "en")  # doctest: +ELLIPSIS
    'IF(...'
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Callable, Literal, Mapping, Sequence

from . import formulas, metrics, tracking
from .numbers import date_to_serial
from .plan import id_key
from .schema import NAME_AS_OF, SHEETS_BY_KEY, Column, Metric, Rollup, Table, Tracking
from .table_refs import structured_ref

__all__ = ["PlanContext", "column_formula", "compute_row", "compute_table", "evaluate_metric", "situation_date", "structured_ref"]


def situation_date(year: int, typed: Any = None, today: dt.date | None = None) -> dt.date:
    """The date the plan is judged at: the situation date typed on the Guide, or today, kept within the plan *year*.

    >>> situation_date(2027, today=dt.date(2026, 12, 1)), situation_date(2027, dt.date(2027, 6, 30))
    (datetime.date(2027, 1, 1), datetime.date(2027, 6, 30))
    """
    day = typed if isinstance(typed, dt.date) else (today or dt.date.today())
    if isinstance(day, dt.datetime):
        day = day.date()
    return min(max(day, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def column_formula(sheet: Table, column: Column, runtime: Literal["native", "xlwings"], lang: str) -> str:
    """The formula (without the leading ``=``) of a computed column for *runtime*."""
    spec = column.computed
    if isinstance(spec, Rollup):
        return _rollup_formula(sheet, spec, lang)
    if isinstance(spec, Metric):
        args = {param: (source[1:] if source.startswith("=") else structured_ref(sheet, source, lang))
                for param, source in spec.args.items()}
        return formulas.render(spec.name, runtime, args, lang)
    if isinstance(spec, Tracking):
        return tracking.formula(spec.figure, sheet, lang)
    raise ValueError(f"{sheet.key}.{column.key} is not a computed column")


def _rollup_formula(sheet: Table, spec: Rollup, lang: str) -> str:
    other = SHEETS_BY_KEY[spec.table]
    match_range = structured_ref(other, spec.match, lang, this_row=False)
    own_id = structured_ref(sheet, _id_column(sheet), lang)
    if spec.function == "count":
        return f'IF({own_id}="","",COUNTIF({match_range},{own_id}))'
    value_range = structured_ref(other, _summed_column(spec), lang, this_row=False)
    return f'IF({own_id}="","",SUMIFS({value_range},{match_range},{own_id}))'


def _id_column(sheet: Table) -> str:
    """The id column of *sheet*, which its roll-ups match the other table's rows on."""
    if sheet.id_column is None:
        raise ValueError(f"{sheet.key} has roll-up columns but no id column")
    return sheet.id_column


def _summed_column(spec: Rollup) -> str:
    """The column of the other table that a "sum" roll-up adds up."""
    if spec.value is None:
        raise ValueError(f"the sum roll-up over {spec.table}.{spec.match} names no column to sum")
    return spec.value


class PlanContext:
    """What row-level computations need beyond the row: the plan year, the KPI
    thresholds, the situation date and the other tables (for roll-ups and figures to date).

    *as_of* is the situation date (a date or its serial number); by default today kept within the year.
    """

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], year: int,
                 on_track: float = metrics.DEFAULT_ON_TRACK, at_risk: float = metrics.DEFAULT_AT_RISK,
                 *, as_of: Any = None, lang: str = "fr"):
        self.tables = tables
        self.year = year
        self.lang = lang
        if as_of is None or isinstance(as_of, dt.date):
            as_of = date_to_serial(situation_date(year, as_of)) if 2000 <= year <= 2100 else None
        self.as_of = as_of
        #: The month (1 to 12) of the situation date: figures to date count January to this month.
        self.month = tracking.month_of(as_of)
        self.names = {"mplan_year": year, "mplan_on_track": on_track, "mplan_at_risk": at_risk, NAME_AS_OF: as_of}
        self._rollup_cache: dict[tuple, dict[str, float]] = {}
        self._rows_for: dict[tuple[str, str], dict[str, list[Mapping[str, Any]]]] = {}
        self._computed: dict[str, list[tuple[Mapping[str, Any], dict[str, Any]]]] = {}
        #: Figures the tracking functions compute once per context (an action's elapsed share...).
        self.memo: dict[Any, Any] = {}

    @classmethod
    def of_plan(cls, plan: Any, lang: str, **thresholds: float) -> "PlanContext":
        """The context of a :class:`~mplan_xl.core.plan.Plan`: its tables, its year, its situation date (or today)."""
        return cls(plan.tables, plan.identity.year, as_of=plan.identity.situation, lang=lang, **thresholds)

    def rows_for(self, table: str, column: str, row_id: Any) -> list[Mapping[str, Any]]:
        """The rows of *table* whose *column* holds *row_id* (matched as COUNTIFS matches ids)."""
        key = (table, column)
        if key not in self._rows_for:
            index: dict[str, list[Mapping[str, Any]]] = {}
            for row in self.tables.get(table, []):
                if row.get(column) not in (None, ""):
                    index.setdefault(id_key(row.get(column)), []).append(row)
            self._rows_for[key] = index
        return self._rows_for[key].get(id_key(row_id), [])

    def computed_rows(self, table: str) -> list[tuple[Mapping[str, Any], dict[str, Any]]]:
        """Each row of *table* with its computed columns, computed once (in the context's language)."""
        if table not in self._computed:
            self._computed[table] = []   # a figure reading its own table sees no row rather than looping
            rows = self.tables.get(table, [])
            self._computed[table] = list(zip(rows, compute_table(SHEETS_BY_KEY[table], rows, self, self.lang)))
        return self._computed[table]


    def rollup(self, spec: Rollup, row_id: Any) -> float | None:
        if row_id in (None, ""):
            return None
        key = (spec.table, spec.match, spec.value, spec.function)
        if key not in self._rollup_cache:
            totals: dict[str, float] = {}
            for other in self.tables.get(spec.table, []):
                match = other.get(spec.match)
                if match in (None, ""):
                    continue
                k = id_key(match)
                if spec.function == "count":
                    totals[k] = totals.get(k, 0) + 1
                else:
                    # SUMIFS ignores text, exactly like this.
                    value = other.get(_summed_column(spec))
                    amount = value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
                    totals[k] = totals.get(k, 0) + amount
            self._rollup_cache[key] = totals
        return float(self._rollup_cache[key].get(id_key(row_id), 0))



def compute_row(sheet: Table, row: Mapping[str, Any], context: PlanContext, lang: str) -> dict[str, Any]:
    """Values of every computed column of *row*, in declaration order.

    Text results (SMART, KPI status) come in *lang*; a figure that cannot be
    computed is None (the workbook shows a blank cell).
    """
    return compute_table(sheet, [row], context, lang)[0]


def compute_table(sheet: Table, rows: Sequence[Mapping[str, Any]], context: PlanContext, lang: str
                  ) -> list[dict[str, Any]]:
    """:func:`compute_row` for every row of a table, column by column: each computed column resolved once (its
    function, its sources) and run down the rows, a column seeing the row's earlier columns as a row does."""
    outs: list[dict[str, Any]] = [{} for _ in rows]
    pairs = list(zip(rows, outs))
    for key, spec, function, sources in _compiled(sheet.key, lang):
        if isinstance(spec, Tracking):
            figure = tracking.figure_function(spec.figure)
            for row, out in pairs:
                out[key] = figure(sheet, row, out, context, lang)
        elif function is None:
            id_column = _id_column(sheet)
            for row, out in pairs:
                out[key] = context.rollup(spec, row.get(id_column))
        else:
            names = context.names
            for row, out in pairs:
                out[key] = function({param: (names[name] if name else (out[source] if source in out else row.get(source)))
                                     for param, source, name in sources}, lang)
    return outs


@lru_cache(maxsize=None)
def _compiled(sheet_key: str, lang: str) -> tuple:
    """Each computed column of a table, resolved once: (key, spec, the metric's cell function or None,
    ((parameter, column, defined name), ...))."""
    sheet = SHEETS_BY_KEY[sheet_key]
    compiled: list[tuple[str, Rollup | Metric | Tracking, Callable[..., Any] | None,
                         tuple[tuple[str, str, str | None], ...]]] = []
    for column in sheet.computed_columns:
        spec = column.computed
        if isinstance(spec, (Rollup, Tracking)):
            compiled.append((column.key, spec, None, ()))
            continue
        assert spec is not None  # computed_columns are the columns with a spec
        sources = tuple((param, source, source[1:] if source.startswith("=") else None) for param, source in spec.args.items())
        compiled.append((column.key, spec, metrics.catalogue()[spec.name].cell, sources))
    return tuple(compiled)


def evaluate_metric(name: str, kwargs: Mapping[str, Any], lang: str) -> Any:
    """What a cell computed by metric *name* shows (text results in *lang*): the same
    :meth:`MetricInfo.cell <mplan_xl.core.metrics.MetricInfo.cell>` the ``MPLAN_`` functions call."""
    return metrics.catalogue()[name].cell(dict(kwargs), lang)
