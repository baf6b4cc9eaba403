"""Computed columns: their Excel formula and their value, from one declaration.

A computed column of :mod:`mplan_xl.schema` is either a :class:`~mplan_xl.schema.Metric`
(one function of the metrics core, row by row) or a :class:`~mplan_xl.schema.Rollup`
(a sum or count over another table). This module renders the formula the
workbook carries, for either runtime, and computes the same figure in Python.
The builder writes the Python figure as the cell's cached value; the validator
compares a returned workbook's formulas and cached values with both.

Domain core: no Excel library is imported here, formulas are plain strings.

Example:
    >>> from mplan_xl.schema import ACTIONS
    >>> column_formula(ACTIONS, ACTIONS.column("roi"), "native", "en")  # doctest: +ELLIPSIS
    'IF(...'
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import Any, Callable, Literal, Mapping, Sequence

from . import formulas, metrics
from .plan import id_key
from .schema import Column, Metric, Rollup, Table, SHEETS_BY_KEY

#: Characters that must be escaped with a quote inside a structured reference.
_STRUCTURED_ESCAPES = str.maketrans({c: "'" + c for c in "[]#'"})


def structured_ref(sheet: Table, column_key: str, lang: str, this_row: bool = True) -> str:
    """The Excel 2007 form of a structured reference, the only one LibreOffice evaluates.

    >>> from mplan_xl.schema import BUDGET
    >>> structured_ref(BUDGET, "planned", "fr")
    'tblBudget[[#This Row],[Prévisionnel]]'
    >>> structured_ref(BUDGET, "planned", "fr", this_row=False)
    'tblBudget[[Prévisionnel]]'
    """
    header = sheet.column(column_key).header(lang).translate(_STRUCTURED_ESCAPES)
    if this_row:
        return f"{sheet.table}[[#This Row],[{header}]]"
    return f"{sheet.table}[[{header}]]"


def column_formula(sheet: Table, column: Column, runtime: Literal["native", "xlwings"], lang: str) -> str:
    """The formula (without the leading ``=``) of a computed column for *runtime*."""
    spec = column.computed
    if isinstance(spec, Rollup):
        return _rollup_formula(sheet, spec, lang)
    if isinstance(spec, Metric):
        args = {param: (source[1:] if source.startswith("=") else structured_ref(sheet, source, lang))
                for param, source in spec.args.items()}
        return formulas.render(spec.name, runtime, args, lang)
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
    thresholds and the other tables (for roll-ups)."""

    def __init__(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], year: int,
                 on_track: float = metrics.DEFAULT_ON_TRACK, at_risk: float = metrics.DEFAULT_AT_RISK):
        self.tables = tables
        self.names = {"mplan_year": year, "mplan_on_track": on_track, "mplan_at_risk": at_risk}
        self._rollup_cache: dict[tuple, dict[str, float]] = {}

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
    out: dict[str, Any] = {}
    for key, spec, function, sources in _compiled(sheet.key, lang):
        if function is None:
            result = context.rollup(spec, row.get(_id_column(sheet)))
        else:
            kwargs = {param: (context.names[name] if name else (out[source] if source in out else row.get(source)))
                      for param, source, name in sources}
            result = function(**kwargs)
        out[key] = result
    return out


@lru_cache(maxsize=None)
def _compiled(sheet_key: str, lang: str) -> tuple:
    """Each computed column of a table, resolved once: (key, spec, function or None for roll-ups,
    ((parameter, column, defined name), ...))."""
    sheet = SHEETS_BY_KEY[sheet_key]
    compiled: list[tuple[str, Rollup | Metric, Callable[..., Any] | None, tuple[tuple[str, str, str | None], ...]]] = []
    for column in sheet.computed_columns:
        spec = column.computed
        if isinstance(spec, Rollup):
            compiled.append((column.key, spec, None, ()))
            continue
        assert spec is not None  # computed_columns are the columns with a spec
        sources = tuple((param, source, source[1:] if source.startswith("=") else None) for param, source in spec.args.items())
        compiled.append((column.key, spec, partial(_metric_function, metrics.catalogue()[spec.name], lang), sources))
    return tuple(compiled)


def _metric_function(info: Any, lang: str, **kwargs: Any) -> Any:
    """:func:`evaluate_metric` with the catalogue entry looked up once per column, not once per cell."""
    return info.cell(kwargs, lang)


def evaluate_metric(name: str, kwargs: Mapping[str, Any], lang: str) -> Any:
    """What a cell computed by metric *name* shows (text results in *lang*): the same
    :meth:`MetricInfo.cell <mplan_xl.metrics.MetricInfo.cell>` the ``MPLAN_`` functions call."""
    return metrics.catalogue()[name].cell(dict(kwargs), lang)
