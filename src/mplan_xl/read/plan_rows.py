"""A located plan as rows: every row of every plan table as the database stores it, computed columns included.

``consolidate`` stores these rows, ``diff`` compares them: one reading of a located plan
(:class:`~mplan_xl.read.plan_reader.LocatedPlan`), below both. Column keys as in the schema, except
:data:`DB_NAMES` (``end`` is an SQL keyword); dropdowns as their codes; numbers, dates and text typed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable, Mapping

from ..core import schema, tracking
from ..core.computed import PlanContext
from ..core.numbers import to_number
from ..core.plan import Plan, id_text
from ..core.schema import Kind, Table
from ..core.smart import SMART_OK
from ..core.vocabulary import KPI_STATUS
from .plan_reader import LocatedPlan, named_value, thresholds

#: Database table -> schema table it holds.
PLAN_TABLES: Mapping[str, Table] = {
    "objectives": schema.OBJECTIVES, "actions": schema.ACTIONS, "budget_lines": schema.BUDGET, "kpis": schema.KPIS,
    "reviews": schema.REVIEW, "budget_months": schema.BUDGET_MONTHS, "kpi_months": schema.KPI_MONTHS,
    "action_results": schema.ACTION_RESULTS,
}
#: Column keys renamed in the database (``end`` is an SQL keyword).
DB_NAMES = {"start": "start_date", "end": "end_date"}


def _date_value(value: Any) -> Any:
    return value if isinstance(value, dt.date) else None


def _number_value(value: Any) -> float | None:
    if type(value) is float:  # the common case, first
        return value if math.isfinite(value) else None
    return to_number(value)


def _integer_value(value: Any) -> float | int | None:
    number = _number_value(value)
    return int(number) if number is not None and number.is_integer() else number


def _text_value(value: Any) -> str | None:
    if type(value) is str:
        return value if value.strip() else None
    return id_text(value)


def _db_converter(kind: Kind) -> Callable[[Any], Any]:
    """How a value of a column of *kind* is stored: a date, a number, an integer, or text (None for blanks)."""
    if kind is Kind.DATE:
        return _date_value
    if kind is Kind.INTEGER:
        return _integer_value
    return _number_value if kind.is_number else _text_value


def plan_identity(located: LocatedPlan, plan: Plan) -> dict[str, Any]:
    """The plan's identity as the ``plans`` table stores it: lang, runtime, template version, currency,
    envelope, author."""
    return {"lang": located.lang, "runtime": id_text(located.runtime), "template_version": located.template_version,
            "currency": plan.identity.currency, "envelope": to_number(located.envelope),
            "author": id_text(named_value(located.raw, schema.NAME_AUTHOR)),
            "as_of": tracking.situation_day(located.as_of)}


def plan_rows(located: LocatedPlan, plan: Plan, lang: str, computed: PlanContext | None = None
              ) -> dict[str, list[dict[str, Any]]]:
    """Every row of every plan table as the database stores it (without the plan key), computed
    columns included, computed by the metrics core with text results (SMART check) in *lang*.

    *computed*: the figures the checks of *located* computed (:attr:`Inspected.computed
    <mplan_xl.check.validator.Inspected.computed>`), reused when they were computed from the same rows in the same
    language (a plan without suggested rows, of today's template); otherwise each table is computed here, once."""
    raw = located.raw
    year = located.year if isinstance(located.year, int) else 0
    context = computed if _same_figures(computed, plan, year, lang) else PlanContext(
        plan.tables, year, **thresholds(raw), as_of=located.as_of, lang=lang)
    assert context is not None
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, sheet in PLAN_TABLES.items():
        out = []
        columns = [(DB_NAMES.get(c.key, c.key), c.key, _db_converter(c.kind)) for c in sheet.columns]
        for inputs, figures in context.computed_rows(sheet.key):
            values = {**inputs, **figures}
            row = {db_name: convert(values.get(key)) for db_name, key, convert in columns}
            if name == "objectives":
                row["smart_ok"] = None if row["smart"] is None else row["smart"] == SMART_OK
            if name == "kpis":
                row["status"] = KPI_STATUS.code_of(values.get("status"))
            out.append(row)
        rows[name] = out
    return rows


def _same_figures(computed: PlanContext | None, plan: Plan, year: int, lang: str) -> bool:
    """Whether *computed* holds the figures :func:`plan_rows` would compute for *plan*: same language, same year,
    the same rows in every table (the checks leave suggested rows out, and keep an older template's points)."""
    return (computed is not None and computed.lang == lang and computed.year == year
            and all(computed.tables.get(key, []) == plan.tables.get(key, [])
                    for key in computed.tables.keys() | plan.tables.keys()))


__all__ = ["DB_NAMES", "PLAN_TABLES", "plan_identity", "plan_rows"]
