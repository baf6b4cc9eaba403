"""A fully filled, realistic plan for a fictional company: the ``mplan-xl demo`` content.

The company is invented: *Brûlerie Ormelune*, a coffee roaster in Anjou with
sixteen staff, two town-centre shops, an online shop, a monthly coffee
subscription and some forty business accounts (cafés, restaurants, offices).
The plan is shown as it stands in mid-year: early actions are done and
invoiced, others are under way, the autumn ones are still to come.

Every table is written once as compact literal rows in :mod:`mplan_xl.workbook.demo_data`,
French and English texts side by side, dates as (month, day) so that any plan year works.
:func:`demo_plan` renders them in one language; both languages give the same plan (same ids,
numbers, dates and codes).

``demo_plan(with_errors=True)`` returns the same plan with the problems of
:data:`SEEDED_ERRORS` seeded into it, each at one documented place and chosen
so that it causes only its own finding: the validator's tests expect exactly
these findings.

It imports no Excel library: :func:`demo_workbook` loads the builder only when asked.

Example:
    >>> plan = demo_plan(lang="en", year=2027)
    >>> plan.identity.company
    'Brûlerie Ormelune'
    >>> plan.rows("objectives")[0]["deadline"]
    datetime.date(2027, 12, 31)
    >>> sorted({e.code for e in SEEDED_ERRORS})[:3]
    ['abandoned-action-replanned', 'budget-actual-over-plan', 'choice-invalid']
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..core import schema, tracking
from ..core.plan import CellOverride, Identity, Plan, check_language, percent_columns
from ..core.vocabulary import Label
from .demo_data import (
    ACHIEVED_MONTHS, ACTION_CAMPAIGNS, KPI_SOURCES,
    ACTION_COLUMNS, ACTION_ROWS, AUTHOR, BUDGET_COLUMNS, BUDGET_ROWS, CURRENCY, DEFAULT_COMPANY, DIAGNOSTIC_FINDINGS,
    ENVELOPE, KPI_COLUMNS, KPI_MONTHLY_TARGETS, KPI_ROWS, OBJECTIVE_COLUMNS, OBJECTIVE_ROWS, PESTEL_COLUMNS,
    PESTEL_ROWS, PHASED_LINES, REVIEW_COLUMNS, REVIEW_ROWS, SITUATION, SWOT_COLUMNS, SWOT_ROWS, YEAR_TO_DATE_KPIS,
    Day)


def _spread(amount: float, months: Sequence[int]) -> dict[int, float]:
    """*amount* spread over *months*, rounded to the cent, the rounding left on the last month."""
    share = round(amount / len(months), 2)
    out = {m: share for m in months}
    out[months[-1]] = round(amount - share * (len(months) - 1), 2)
    return out


def _month_row(ref_key: str, row_id: str, series: str, values: Mapping[int, float | None]) -> dict[str, Any]:
    row: dict[str, Any] = {ref_key: row_id, "series": series}
    row.update({key: values.get(m) for m, key in enumerate(schema.MONTH_KEYS, 1)})
    return row


def budget_months(plan: Plan) -> list[dict[str, Any]]:
    """The monthly budget of the demo: the phased lines, then each spent line's actuals month by month up to
    the situation date (over its action's months, the situation month for a line paid in advance)."""
    situation = SITUATION.month
    actions = {a["id"]: a for a in plan.rows("actions")}
    rows = [_month_row("line_id", line_id, "planned", dict(enumerate(months, 1)))
            for line_id, months in PHASED_LINES.items()]
    for line in plan.rows("budget"):
        actual, action = line.get("actual"), actions.get(line.get("action_id"))
        if not isinstance(actual, (int, float)) or action is None or line["id"] in _SEEDED_LINES:
            continue
        first, last = action["start"].month, min(action["end"].month, situation)
        months = list(range(first, last + 1)) or [situation]
        rows.append(_month_row("line_id", line["id"], "actual", _spread(actual, months)))
    return rows


def _precision(value: float, percent: bool) -> int:
    return 4 if percent else 0 if abs(value) >= 100 else 1


def kpi_months(plan: Plan) -> list[dict[str, Any]]:
    """The monthly KPIs of the demo: each KPI measured every month up to the situation date, from its baseline
    (from zero for a year-to-date KPI) to the value it shows in June; the typed monthly targets."""
    situation = SITUATION.month
    rows = [_month_row("kpi_id", kpi_id, "target", dict(enumerate(months, 1)))
            for kpi_id, months in KPI_MONTHLY_TARGETS.items()]
    for kpi in plan.rows("kpis"):
        baseline, actual = kpi.get("baseline"), kpi.get("actual")
        if not isinstance(baseline, (int, float)) or not isinstance(actual, (int, float)):
            continue
        digits = _precision(actual, bool(percent_columns("kpis", kpi, plan.tables)))
        start = tracking.trajectory_start(baseline, kpi.get("nature"))
        values = {m: round(start + (actual - start) * m / situation, digits) for m in range(1, situation)}
        values[situation] = actual
        rows.append(_month_row("kpi_id", kpi["id"], "actual", values))
    return rows


def add_results(plan: Plan) -> None:
    """The demo's results: a campaign code per action, the achieved gain of the measured actions with its
    months (Résultats mensuels), the KPIs fed by an export metric."""
    year = plan.identity.year
    for action in plan.rows("actions"):
        action["campaign"] = ACTION_CAMPAIGNS[action["id"]].format(year=year)
        months = ACHIEVED_MONTHS.get(action["id"])
        action["achieved_gain"] = round(sum(months.values()), 2) if months else None
    plan.tables["action_results"] = [{"action_id": action_id, **{key: months.get(m) for m, key in
                                                                  enumerate(schema.MONTH_KEYS, 1)}}
                                     for action_id, months in ACHIEVED_MONTHS.items()]
    for kpi in plan.rows("kpis"):
        kpi["source"] = KPI_SOURCES.get(kpi["id"])


# --- the plan -------------------------------------------------------------------------------------

def _value(value: Any, lang: str, year: int) -> Any:
    if isinstance(value, Label):
        return value(lang)
    if isinstance(value, Day):
        return dt.date(year, value.month, value.day)
    return value


def _rows(columns: Sequence[str], data: Sequence[tuple], lang: str, year: int) -> list[dict[str, Any]]:
    return [{key: _value(value, lang, year) for key, value in zip(columns, row, strict=True)} for row in data]


def demo_plan(lang: str = "fr", company: str | None = None, year: int | None = None,
              with_errors: bool = False) -> Plan:
    """The demo plan in *lang*, for *year* (default: next year).

    ``with_errors=True`` seeds the problems listed in :data:`SEEDED_ERRORS`.
    """
    check_language(lang)
    year = dt.date.today().year + 1 if year is None else year
    identity = Identity(company=DEFAULT_COMPANY if company is None else company, year=year, author=AUTHOR,
                        currency=CURRENCY, envelope=ENVELOPE, situation=_value(SITUATION, lang, year))
    plan = Plan.blank(identity, lang)
    for row, (topic, _, aspect_en) in zip(plan.rows("diagnostic"), schema.DIAGNOSTIC_ASPECTS, strict=True):
        finding, source = DIAGNOSTIC_FINDINGS[(topic, aspect_en)]
        row["finding"] = finding(lang)
        row["source"] = source(lang) if source else None
    plan.tables.update({
        "swot": _rows(SWOT_COLUMNS, SWOT_ROWS, lang, year),
        "pestel": _rows(PESTEL_COLUMNS, PESTEL_ROWS, lang, year),
        "review": _rows(REVIEW_COLUMNS, REVIEW_ROWS, lang, year),
        "objectives": _rows(OBJECTIVE_COLUMNS, OBJECTIVE_ROWS, lang, year),
        "actions": _rows(ACTION_COLUMNS, ACTION_ROWS, lang, year),
        "budget": _rows(BUDGET_COLUMNS, BUDGET_ROWS, lang, year),
        "kpis": _rows(KPI_COLUMNS, KPI_ROWS, lang, year),   # replaces the starter library
    })
    for kpi in plan.rows("kpis"):
        kpi["nature"] = "cumulative" if kpi["id"] in YEAR_TO_DATE_KPIS else "level"
    plan.tables["budget_months"] = budget_months(plan)
    plan.tables["kpi_months"] = kpi_months(plan)
    add_results(plan)
    if with_errors:
        _seed_errors(plan, lang)
    return plan


# --- seeded errors ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeededError:
    """One problem ``demo_plan(with_errors=True)`` plants, and where the validator must report it."""

    code: str            # rule code the validator must report
    table: str           # schema table key
    row_id: str | None   # id of the row (None for a workbook-level finding)
    column: str | None   # schema column key of the offending cell (None for a row/workbook finding)
    severity: str        # "error" | "warning"
    description: Label   # what was broken, for the docs


SEEDED_ERRORS: tuple[SeededError, ...] = (
    SeededError("objective-not-smart", "objectives", "O2", "statement", "error",
                Label("L'énoncé de l'objectif O2 devient « Améliorer la notoriété de la marque » : plus aucun chiffre. "
                  "O2 garde ses actions et son KPI.",
                  "Objective O2's statement becomes 'Improve brand awareness': no figure left. "
                  "O2 keeps its actions and its KPI.")),
    SeededError("reference-unresolved", "actions", "A09", "objective_id", "error",
                Label("L'action A09 vise l'objectif O2.2, qui n'existe pas. O2.1 garde l'action A08.",
                  "Action A09 points to objective O2.2, which does not exist. O2.1 keeps action A08.")),
    SeededError("budget-actual-over-plan", "budget", "L030", "actual", "warning",
                Label("Ligne L030 : 3 680 € dépensés pour 3 200 € prévus.",
                  "Line L030: €3,680 spent against €3,200 planned.")),
    SeededError("required-missing", "actions", "A14", "owner", "error",
                Label("L'action A14 n'a plus de responsable.", "Action A14 has no owner any more.")),
    SeededError("computed-overwritten", "budget", "L002", "variance", "error",
                Label("L'écart de la ligne L002 est saisi à la main (0) à la place de sa formule.",
                  "Line L002's variance is typed in by hand (0) over its formula.")),
    SeededError("number-as-text", "budget", "L027", "planned", "error",
                Label("Le prévisionnel de la ligne L027 est saisi comme texte : « 1 250,00 € ».",
                  "Line L027's planned amount is typed as text: '1 250,00 €'.")),
    SeededError("date-outside-year", "actions", "A16", "end", "error",
                Label("L'action A16 se termine le 31 janvier de l'année suivante.",
                  "Action A16 ends on 31 January of the following year.")),
    SeededError("abandoned-action-replanned", "actions", "A22", "title", "warning",
                Label("L'action A22 est renommée en « distribution de prospectus en boites aux lettres », "
                  "l'action B04 que le bilan a décidé d'abandonner (casse et accents différents).",
                  "Action A22 is renamed 'door-to-door LEAFLET drop', action B04, which the review decided "
                  "to abandon (different case).")),
    SeededError("duplicate-id", "budget", "L036", "id", "error",
                Label("La ligne L037 reprend l'identifiant L036 de la ligne précédente.",
                  "Line L037 reuses id L036 of the line above it.")),
    SeededError("choice-invalid", "actions", "A06", "channel", "error",
                Label("Le canal de l'action A06 est le texte libre « Télévision locale », absent de la liste.",
                  "Action A06's channel is the free text 'Local television', not in the list.")),
)

_VAGUE_STATEMENT = Label("Améliorer la notoriété de la marque", "Improve brand awareness")
_MISSING_OBJECTIVE = "O2.2"
_OVERSPENT_ACTUAL = 3680
_TYPED_VARIANCE = 0
_AMOUNT_AS_TEXT = "1 250,00 €"   # French-formatted, as a French user types it, in either language
_REPLANNED_TITLE = Label("distribution de prospectus en boites aux lettres", "door-to-door LEAFLET drop")
_INVALID_CHANNEL = Label("Télévision locale", "Local television")


#: Budget lines the seeded errors change (L037 takes L036's id): their actuals are not given by month, so the
#: seeded demo differs from the plain one only where the seeds say.
_SEEDED_LINES = frozenset({e.row_id for e in SEEDED_ERRORS if e.table == "budget"} | {"L037"})


def _index(plan: Plan, table: str, row_id: str) -> int:
    return [row.get("id") for row in plan.rows(table)].index(row_id)


def _seed_errors(plan: Plan, lang: str) -> None:
    """Plant :data:`SEEDED_ERRORS`, each at its own row so that no finding triggers another."""
    year = plan.identity.year

    def row(table: str, row_id: str) -> dict[str, Any]:
        return plan.rows(table)[_index(plan, table, row_id)]

    row("objectives", "O2")["statement"] = _VAGUE_STATEMENT(lang)
    row("actions", "A09")["objective_id"] = _MISSING_OBJECTIVE
    row("budget", "L030")["actual"] = _OVERSPENT_ACTUAL
    row("actions", "A14")["owner"] = None
    plan.overrides.append(CellOverride(table="budget", row=_index(plan, "budget", "L002"), column="variance",
                                       value=_TYPED_VARIANCE))
    row("budget", "L027")["planned"] = _AMOUNT_AS_TEXT
    row("actions", "A16")["end"] = dt.date(year + 1, 1, 31)
    row("actions", "A22")["title"] = _REPLANNED_TITLE(lang)
    row("budget", "L037")["id"] = "L036"
    row("actions", "A06")["channel"] = _INVALID_CHANNEL(lang)


def demo_workbook(path: str | os.PathLike, *, lang: str = "fr", company: str | None = None, year: int | None = None,
                  with_errors: bool = False, runtime: str | None = None, force: bool = False,
                  protect: bool = False) -> Path:
    """Write a fully filled, realistic plan of a fictional company.

    ``with_errors=True`` seeds the documented problems of
    :data:`SEEDED_ERRORS` for the validator to find. The demo's content lives here; the builder
    writes any plan and knows nothing of it.

    Example:
        >>> import mplan_xl
        >>> mplan_xl.demo_workbook("demo.xlsx", lang="en")  # doctest: +SKIP
        PosixPath('demo.xlsx')
    """
    from .builder import build_workbook  # the workbook writer is only loaded when asked for

    plan = demo_plan(lang=lang, company=company, year=year, with_errors=with_errors)
    return build_workbook(plan, path, lang=lang, runtime=runtime, template=False, force=force, protect=protect)


__all__ = ["DEFAULT_COMPANY", "SEEDED_ERRORS", "SeededError", "demo_plan", "demo_workbook"]
