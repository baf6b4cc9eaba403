"""Next year's plan from this year's: ``mplan-xl rollover``.

:func:`rollover` reads a filled plan (only reads it), checks it with the
validator, and writes next year's workbook with:

- **Bilan N-1** (table ``review``) filled from this year's actions, one row
  per action, its id being the action's id, so the two years can be joined;
- the **audit** (SWOT, PESTEL, diagnostic) carried over, each text marked as
  last year's (``[Audit 2027, à revoir] ...``);
- the **objectives not reached** proposed again, with their KPIs; ids kept.

Which findings block
--------------------

The source is first checked by :func:`mplan_xl.check.validator.check_file`. Only
errors of the ``readability`` and ``template`` categories of the rule
catalogue block a rollover (:data:`BLOCKING_CODES`): the file cannot be
read, is not an mplan plan, has an incompatible template version, or misses
a sheet, a table or a header, so its content cannot be located reliably.
Every other finding (cell, integrity and plan-logic errors, and all
warnings) is listed, not blocking: values that do not fit their column (a
choice not in its list, text where a number is expected) are left blank in
the new workbook, where ``mplan-xl check`` points at them.

How a Bilan N-1 row is filled
-----------------------------

============  ========================================================================
column        from this year's plan
============  ========================================================================
ID            the action's id
Action        the action's title
Objective     the objective's id and indicator, e.g. ``O1.1 – Online revenue``
Channel       the action's channel
Budget        the action's budget: the roll-up of its budget lines' planned amounts
Spend         the action's actual spend: the sum of its budget lines' actual amounts (0 without lines)
Gain          the action's *achieved* gain (typed or imported by ``results``), so the
              Bilan's ROI is the ROI the action achieved; blank for an action without
              one. A plan that records no achieved gain at all (an older template, a
              team that did not measure) gives its *expected* gains instead, as before
              4.1: the best figure available, to correct
Target        the target of the KPI measuring the objective (see :func:`measure_objective`);
              the objective's own target when no KPI measures it
Result        that KPI's actual (blank when not measured)
Unit          that KPI's unit (the objective's unit when no KPI measures it)
Verdict       the suggested verdict, see :func:`suggest_verdict`
Lessons       ``Suggestion mplan-xl, à confirmer : <reasons> → <verdict>.``
============  ========================================================================

The computed columns (achievement rate, budget variance, ROI = (gain − spend) /
spend) are the workbook's own formulas. The ``Lessons`` prefix marks the
verdict as a suggestion: users confirm or change the verdict and replace the
text by their own lessons. ``check`` never flags it.

Objectives carried over
-----------------------

An objective is *reached* when the KPI measuring it is on the good side of its
target (:func:`mplan_xl.core.metrics.favourable`, direction-aware). Every objective
not shown reached (missed, or not measured) is proposed again:

- same id; the statement prefixed ``[Reconduit] `` / ``[Carried over] ``
  (no digit, so the mark never makes a vague statement look measurable);
- the baseline moved to where the measuring KPI ended (:func:`carried_baseline`:
  the KPI's actual, or the objective's baseline moved by the KPI's progress
  when the KPI counts from another starting point; kept when the KPI is in
  another unit);
- the deadline moved to the same day of the new year (28 February for a
  29 February); a sub-objective whose parent is reached loses its parent id;
- its KPIs come along, ids kept, each with its baseline set to this year's
  actual, the actual cleared and the target kept: raise the targets already reached.

Actions and budget lines are not carried over: the new year's actions are
decided from the Bilan N-1, so a carried objective gets the
``objective-without-action`` warning until then. Last year's own Bilan N-1
(two years back by then) is not carried either.

Example:
    >>> suggest_verdict(reached=True, roi=0.4, over_budget=False, late=False)
    ('keep', ('reached', 'roi_positive'))
    >>> suggest_verdict(reached=False, roi=-0.2, over_budget=False, late=False)
    ('abandon', ('missed', 'roi_negative'))
    >>> result = rollover("plan-2027.xlsx", "plan-2028.xlsx")   # doctest: +SKIP
    >>> result.verdicts()                                         # doctest: +SKIP
    {'keep': 6, 'improve': 11, 'abandon': 5}
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..check.report import UNREADABLE, FileReport
from ..check.validator import Inspected, check_file, inspect_file
from ..core import metrics, schema
from ..core.computed import PlanContext, compute_row
from ..core.errors import PlanRefused, UsageError
from ..core.numbers import parse_localized_number, to_number
from ..core.plan import Identity, Plan, Row, check_language, id_key, id_text
from ..core.rules import ERROR, RULES, Finding
from ..core.schema import Kind
from ..core.vocabulary import VERDICT, Label, fold
from ..read.outputs import check_outputs
from ..read.plan_reader import LocatedPlan, named_value, thresholds
from ..workbook.builder import build_workbook

class RolloverRefused(PlanRefused):
    """The source plan has findings that block a rollover; ``report`` holds them all."""

    message = Label("{path} : reprise impossible, {count} constat(s) bloquant(s) : {codes}",
                    "{path}: cannot roll over, {count} blocking finding(s): {codes}")


#: Rule categories whose errors stop a rollover.
BLOCKING_CATEGORIES = ("readability", "template")
#: Every rule code that blocks a rollover when found as an error.
BLOCKING_CODES: tuple[str, ...] = tuple(sorted(
    code for code, rule in RULES.items() if rule.severity == ERROR and rule.category in BLOCKING_CATEGORIES))

#: Marks the Lessons text of a suggested verdict.
SUGGESTION_MARK = Label("Suggestion mplan-xl, à confirmer", "mplan-xl suggestion, to confirm")
AUDIT_MARK = Label("[Audit {year}, à revoir] ", "[{year} audit, to review] ")
#: No digit in it: a figure in the mark would hide a vague statement from the SMART check.
OBJECTIVE_MARK = Label("[Reconduit] ", "[Carried over] ")
#: Any earlier mark, removed before a new one is put, so two rollovers do not stack marks.
_OLD_MARK = re.compile(r"^\[(?:Audit \d{4}, à revoir|\d{4} audit, to review|Reconduit|Carried over)\]\s*")

REASONS: Mapping[str, Label] = {
    "cancelled": Label("action annulée", "action cancelled"),
    "not_measured": Label("résultat non mesuré (aucun KPI de l'objectif n'a de cible et de réalisé)",
                          "result not measured (no KPI of the objective has a target and an actual)"),
    "reached": Label("objectif atteint", "objective reached"),
    "missed": Label("objectif non atteint", "objective missed"),
    "late": Label("en retard (reportée ou finie après l'échéance de l'objectif)",
                  "late (postponed or ending after the objective's deadline)"),
    "over_budget": Label("dépense au-delà du budget", "spend over budget"),
    "roi_positive": Label("ROI positif", "positive ROI"),
    "roi_not_positive": Label("ROI nul ou négatif", "zero or negative ROI"),
    "roi_negative": Label("ROI négatif", "negative ROI"),
    "roi_unknown": Label("ROI non calculable (dépense nulle ou gain absent)", "ROI not computable (no spend or no gain)"),
}

_TEXT = {
    "refused": Label("{path} : reprise impossible, {count} constat(s) bloquant(s) : {codes}",
                     "{path}: cannot roll over, {count} blocking finding(s): {codes}"),
    "no_year": Label("{path} : année du plan introuvable ; indiquez --year", "{path}: plan year not found; give --year"),
    "year_order": Label("année {year} : le nouveau plan doit suivre l'année du plan lu ({source})",
                        "year {year}: the new plan must come after the year of the plan read ({source})"),
}


def is_blocking(finding: Finding) -> bool:
    """Whether *finding* stops a rollover (an error of a blocking category).

    >>> from mplan_xl.core.rules import make_finding
    >>> is_blocking(make_finding("sheet-missing", "en", sheet="KPI")), is_blocking(make_finding("required-missing", "en", column="Owner"))
    (True, False)
    """
    rule = RULES.get(finding.code)
    return finding.severity == ERROR and (rule is None or rule.category in BLOCKING_CATEGORIES)


# --- measuring an objective and suggesting a verdict --------------------------------------------------

@dataclass(frozen=True)
class Measure:
    """How an objective did this year, read on the KPI that measures it."""

    objective_id: str
    kpi_id: str | None
    kpi_name: str | None
    target: float
    actual: float
    baseline: float | None     # the KPI's baseline
    unit: str | None
    same_unit: bool            # the KPI's unit is the objective's unit
    reached: bool
    attainment: float | None




def measure_objective(objective: Mapping[str, Any], kpis: Sequence[Mapping[str, Any]]) -> Measure | None:
    """The result of *objective*, read on the first of its KPIs (table order) with a numeric target and
    actual, preferring one whose unit is the objective's unit; None when no KPI measures it.

    Reached means the actual is on the good side of the target
    (:func:`mplan_xl.core.metrics.favourable`, which knows lower-is-better KPIs).

    >>> m = measure_objective({"id": "O7", "unit": "€"},
    ...     [{"id": "K14", "objective_id": "O7", "unit": "€", "direction": "lower", "baseline": 32, "target": 26, "actual": 25.4}])
    >>> m.reached, round(m.attainment, 2)
    (True, 1.1)
    """
    own = id_key(objective.get("id"))
    measured = [k for k in kpis if own and id_key(k.get("objective_id")) == own
                and to_number(k.get("target")) is not None and to_number(k.get("actual")) is not None]
    if not measured:
        return None
    unit = fold(str(objective.get("unit") or ""))
    same = [k for k in measured if fold(str(k.get("unit") or "")) == unit]
    kpi = (same or measured)[0]
    return Measure(
        objective_id=id_text(objective.get("id")) or "", kpi_id=id_text(kpi.get("id")), kpi_name=id_text(kpi.get("name")),
        target=float(kpi["target"]), actual=float(kpi["actual"]), baseline=to_number(kpi.get("baseline")), unit=id_text(kpi.get("unit")), same_unit=bool(same),
        reached=bool(metrics.favourable(kpi["actual"], kpi["target"], kpi.get("direction"))),
        attainment=metrics.attainment(kpi["actual"], kpi["target"], kpi.get("direction"), kpi.get("baseline")))


def carried_baseline(objective: Mapping[str, Any], measure: Measure | None) -> Any:
    """The baseline of an objective proposed again: where its measuring KPI ended this year.

    The KPI's progress (actual − KPI baseline) moves the objective's baseline;
    when both start from the same baseline, or either has none, that is simply
    the KPI's actual. A KPI in another unit, or no measure, leaves the baseline as it was.

    >>> m = Measure("O1.2", "K07", "New accounts", 15.0, 12.0, 0.0, "accounts", True, False, 0.8)
    >>> carried_baseline({"baseline": 42, "unit": "accounts"}, m), carried_baseline({"baseline": None}, m)
    (54.0, 12.0)
    """
    if measure is None or not measure.same_unit:
        return objective.get("baseline")
    own, start = to_number(objective.get("baseline")), to_number(measure.baseline)
    if own is None or start is None:
        return measure.actual
    return own + (measure.actual - start)


def suggest_verdict(reached: bool | None, roi: float | None, over_budget: bool, late: bool,
                    cancelled: bool = False) -> tuple[str, tuple[str, ...]]:
    """The suggested verdict code and the reasons behind it (codes of :data:`REASONS`).

    Rules, the first that applies wins:

    1. the action was cancelled: **abandon**;
    2. its objective is not measured (``reached`` is None): **improve**, to measure it next time;
    3. objective reached, ROI > 0, on time and within budget: **keep**;
    4. objective reached but late, over budget, ROI ≤ 0 or not computable: **improve**;
    5. objective missed with ROI < 0: **abandon**;
    6. objective missed, ROI ≥ 0 or not computable: **improve**.

    ``roi`` is the Bilan's ROI, (gain − spend) / spend; ``over_budget`` means spend > planned budget;
    ``late`` means postponed, or ending after the objective's deadline.

    >>> suggest_verdict(True, 0.5, over_budget=True, late=False)
    ('improve', ('reached', 'over_budget', 'roi_positive'))
    >>> suggest_verdict(None, 2.0, over_budget=False, late=False)
    ('improve', ('not_measured', 'roi_positive'))
    """
    roi_reason = ("roi_unknown" if roi is None else "roi_positive" if roi > 0
                  else "roi_negative" if roi < 0 else "roi_not_positive")
    if cancelled:
        return "abandon", ("cancelled",)
    if reached is None:
        return "improve", ("not_measured", roi_reason)
    if reached:
        flaws = tuple(r for r, on in (("late", late), ("over_budget", over_budget)) if on)
        if roi_reason == "roi_negative":
            roi_reason = "roi_not_positive"
        if not flaws and roi_reason == "roi_positive":
            return "keep", ("reached", roi_reason)
        return "improve", ("reached", *flaws, roi_reason)
    if roi_reason == "roi_negative":
        return "abandon", ("missed", roi_reason)
    return "improve", ("missed", roi_reason)


@dataclass(frozen=True)
class ReviewSuggestion:
    """The Bilan N-1 row suggested for one action of this year."""

    action_id: str
    verdict: str
    reasons: tuple[str, ...]
    measure: Measure | None
    roi: float | None

    def text(self, lang: str) -> str:
        """The Lessons text: the mark, the reasons with their figures, the verdict.

        >>> ReviewSuggestion("A01", "keep", ("reached", "roi_positive"), None, 0.25).text("en")
        'mplan-xl suggestion, to confirm: objective reached; positive ROI (25%) → Keep.'
        """
        parts = []
        for reason in self.reasons:
            part = REASONS[reason](lang)
            m = self.measure
            if reason in ("reached", "missed") and m is not None:
                part += f" ({m.kpi_id or m.kpi_name} : " if lang == "fr" else f" ({m.kpi_id or m.kpi_name}: "
                part += f"{_show(m.actual, lang, m.unit)} / {_show(m.target, lang, m.unit)})"
            elif reason.startswith("roi_") and self.roi is not None:
                part += f" ({_show(self.roi, lang, '%')})"
            parts.append(part)
        sep, colon = ("; ", ": ") if lang == "en" else (" ; ", " : ")
        return f"{SUGGESTION_MARK(lang)}{colon}{sep.join(parts)} → {VERDICT.label(self.verdict, lang)}."


def _show(value: float, lang: str, unit: str | None = None) -> str:
    """A figure of the Lessons text; in a percentage unit, the fraction as a percentage (0.61: 61 %).

    >>> _show(431000, "fr"), _show(0.615, "fr", "%"), _show(2.5, "en", "% de clics")
    ('431\u202f000', '61,5 %', '250%')
    """
    percent = schema.is_percent_unit(unit)
    value = value * 100 if percent else value
    text = f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"
    text = text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text
    return text + (" %" if lang == "fr" else "%") if percent else text


# --- building next year's plan -----------------------------------------------------------------------

def clean_plan(plan: Plan) -> Plan:
    """*plan* with every value that does not fit its column blanked: a choice outside its list,
    text in a number column (parsed when it is a number typed as text), a non-date in a date column."""
    for sheet in schema.TABLES:
        rows = plan.tables.get(sheet.key, [])
        for row in rows:
            for column in sheet.input_columns:
                value = row.get(column.key)
                if value is None:
                    continue
                if column.choices is not None:
                    row[column.key] = value if value in column.choices.codes else None
                elif column.kind.is_number and to_number(value) is None:
                    row[column.key] = parse_localized_number(value)
                elif column.kind is Kind.DATE and not isinstance(value, dt.date):
                    row[column.key] = None
    return plan


def _move_date(value: Any, year: int) -> Any:
    if not isinstance(value, dt.date):
        return value
    day = min(value.day, calendar.monthrange(year, value.month)[1])
    return dt.date(year, value.month, day)


def _mark(mark: Label, text: Any, year: int, lang: str) -> Any:
    if not isinstance(text, str) or not text.strip():
        return text
    return mark(lang).format(year=year) + _OLD_MARK.sub("", text)


@dataclass
class NextYear:
    """Next year's plan and what was decided on the way."""

    plan: Plan
    suggestions: list[ReviewSuggestion]
    carried_objectives: list[str]
    carried_kpis: list[str]
    measures: dict[str, Measure | None]


def next_year_plan(plan: Plan, year: int, lang: str = "fr", on_track: Any = None, at_risk: Any = None) -> NextYear:
    """Next year's :class:`~mplan_xl.core.plan.Plan` from this year's (already cleaned) *plan*.

    Texts added by the rollover (marks, suggestions) are in *lang*.

    >>> from mplan_xl.workbook.demo import demo_plan
    >>> nxt = next_year_plan(demo_plan(lang="en", year=2027), 2028, "en")
    >>> nxt.plan.identity.year, len(nxt.plan.rows("review")) == len(demo_plan(year=2027).rows("actions"))
    (2028, True)
    """
    source_year = plan.identity.year
    ident = plan.identity
    identity = Identity(company=ident.company, year=year, author=ident.author, currency=ident.currency,
                        envelope=ident.envelope)
    out = Plan.blank(identity, lang)
    thresholds: dict[str, Any] = {name: value for name, value in (("on_track", to_number(on_track)),
                                                                   ("at_risk", to_number(at_risk))) if value is not None}
    # The review judges the year as a whole: its figures at 31 December, whatever the plan's situation date.
    context = PlanContext(plan.tables, source_year, **thresholds, as_of=dt.date(source_year, 12, 31))
    objectives = plan.rows("objectives")
    kpis = plan.rows("kpis")
    by_id: dict[str, Row] = {}
    for objective in objectives:   # the first row of a duplicated id wins, as lookups in Excel do
        if id_key(objective.get("id")):
            by_id.setdefault(id_key(objective.get("id")), objective)
    measures = {key: measure_objective(o, kpis) for key, o in by_id.items()}

    # Bilan N-1: one row per action of this year.
    review_context = PlanContext({}, year)
    suggestions: list[ReviewSuggestion] = []
    review: list[Row] = []
    # The achieved gains when the plan records any, else (a plan that measured nothing) the expected ones.
    gain_key = "achieved_gain" if any(to_number(a.get("achieved_gain")) is not None
                                      for a in plan.rows("actions")) else "expected_gain"
    for action in plan.rows("actions"):
        action_id = id_text(action.get("id"))
        if action_id is None:
            continue
        objective = by_id.get(id_key(action.get("objective_id")), {})
        measure = measures.get(id_key(action.get("objective_id")))
        row: Row = {
            "id": action_id,
            "action": action.get("title"),
            "objective": _objective_text(action.get("objective_id"), objective),
            "channel": action.get("channel"),
            "budget": (computed := compute_row(schema.ACTIONS, action, context, lang))["budget"] or 0.0,
            "spend": computed["actual_spend"] or 0.0,
            "gain": action.get(gain_key),
            "target": measure.target if measure else to_number(objective.get("target")),
            "result": measure.actual if measure else None,
            "unit": measure.unit if measure else id_text(objective.get("unit")),
        }
        figures = compute_row(schema.REVIEW, row, review_context, lang)
        deadline, end = objective.get("deadline"), action.get("end")
        late = action.get("status") == "postponed" or (
            isinstance(deadline, dt.date) and isinstance(end, dt.date) and end > deadline)
        variance = figures["budget_variance"]
        verdict, reasons = suggest_verdict(
            reached=measure.reached if measure else None, roi=figures["roi"],
            over_budget=variance is not None and variance > 0, late=late,
            cancelled=action.get("status") == "cancelled")
        suggestion = ReviewSuggestion(action_id, verdict, reasons, measure, figures["roi"])
        row.update({"verdict": verdict, "lessons": suggestion.text(lang), "corrective": None})
        suggestions.append(suggestion)
        review.append(row)
    out.tables["review"] = review

    # Audit carried over, marked as last year's.
    out.tables["swot"] = [{**r, "item": _mark(AUDIT_MARK, r.get("item"), source_year, lang)} for r in plan.rows("swot")]
    out.tables["pestel"] = [{**r, "item": _mark(AUDIT_MARK, r.get("item"), source_year, lang)} for r in plan.rows("pestel")]
    if plan.rows("diagnostic"):
        out.tables["diagnostic"] = [{**r, "finding": _mark(AUDIT_MARK, r.get("finding"), source_year, lang)}
                                    for r in plan.rows("diagnostic")]

    # Objectives not shown reached, proposed again with their KPIs.
    carried_keys = {key for key in by_id if not ((measure := measures[key]) and measure.reached)}
    new_objectives = []
    for key, objective in by_id.items():
        if key not in carried_keys:
            continue
        measure = measures[key]
        row = dict(objective)
        row["statement"] = _mark(OBJECTIVE_MARK, objective.get("statement"), source_year, lang)
        row["baseline"] = carried_baseline(objective, measure)
        row["deadline"] = _move_date(objective.get("deadline"), year)
        if id_key(objective.get("parent_id")) not in carried_keys:
            row["parent_id"] = None
        new_objectives.append(row)
    out.tables["objectives"] = new_objectives
    new_kpis = []
    for kpi in kpis:
        if id_key(kpi.get("objective_id")) in carried_keys and id_key(kpi.get("objective_id")):
            actual = to_number(kpi.get("actual"))
            new_kpis.append({**kpi, "baseline": kpi.get("baseline") if actual is None else actual, "actual": None})
    out.tables["kpis"] = new_kpis
    out.tables["actions"] = []
    out.tables["budget"] = []
    return NextYear(out, suggestions, [id_text(o["id"]) or "" for o in new_objectives],
                    [id_text(k.get("id")) or "" for k in new_kpis],
                    {(id_text(o.get("id")) or ""): measures[k] for k, o in by_id.items()})


def _objective_text(objective_id: Any, objective: Mapping[str, Any]) -> str | None:
    oid = id_text(objective_id)
    label = id_text(objective.get("indicator")) or id_text(objective.get("statement"))
    if oid and label:
        return f"{oid} – {label}"
    return oid or label


# --- the command -------------------------------------------------------------------------------------

@dataclass
class RolloverResult:
    """What :func:`rollover` did: the paths, the source's findings, the suggestions, the new file's check."""

    source: Path
    output: Path
    source_year: int
    year: int
    source_report: FileReport
    output_report: FileReport
    suggestions: list[ReviewSuggestion] = field(default_factory=list)
    carried_objectives: list[str] = field(default_factory=list)
    carried_kpis: list[str] = field(default_factory=list)

    @property
    def listed_findings(self) -> list[Finding]:
        """The source's findings that did not block the rollover (warnings and non-blocking errors)."""
        return [f for f in self.source_report.findings if not is_blocking(f)]

    def verdicts(self) -> dict[str, int]:
        """Number of suggested verdicts of each kind, in vocabulary order."""
        return {code: sum(1 for s in self.suggestions if s.verdict == code) for code in VERDICT.codes}


def _readable_source(inspected: Inspected) -> tuple[FileReport, LocatedPlan, Plan, tuple[dict[str, float], Any]]:
    """The checked source, its located and cleaned plan and its KPI thresholds and author; RolloverRefused when blocked."""
    report, located = inspected.report, inspected.located
    if located is None and not report.findings and inspected.error is not None:   # no plan: a lock file, a report
        raise inspected.error
    blocking = [f for f in report.findings if is_blocking(f)]
    if report.status == UNREADABLE or blocking or located is None:
        raise RolloverRefused(report.path, report, blocking)
    return report, located, clean_plan(located.to_plan()), (thresholds(located.raw),
                                                             named_value(located.raw, schema.NAME_AUTHOR))


def rollover(source: str | os.PathLike, output: str | os.PathLike, *, year: int | None = None,
             lang: str | None = None, runtime: str | None = None, force: bool = False,
             message_lang: str = "fr") -> RolloverResult:
    """Write next year's plan from the filled plan *source* to *output*; *source* is only read.

    ``year`` defaults to the source's year + 1; ``lang`` (language of the new
    workbook) to the source's; ``runtime`` to the one *output*'s extension
    implies. Findings are worded in ``message_lang``. Raises
    :class:`RolloverRefused` when the source has blocking findings
    (:data:`BLOCKING_CODES`).

    Example:
        >>> result = rollover("plan-2027.xlsx", "plan-2028.xlsx", lang="fr")   # doctest: +SKIP
        >>> result.output_report.status, result.verdicts()                     # doctest: +SKIP
        ('valid', {'keep': 4, 'improve': 14, 'abandon': 4})
    """
    source, output = Path(source), Path(output)
    if lang is not None:
        check_language(lang)
    check_outputs([output], [source], force=force)
    report, located, plan, (kpi_thresholds, author) = inspect_file(source, message_lang, then=_readable_source)
    source_year = located.year
    if not isinstance(source_year, int):
        raise UsageError(_TEXT["no_year"], path=source)
    plan.identity.year = source_year
    plan.identity.author = id_text(author) or ""
    year = source_year + 1 if year is None else year
    if year <= source_year:
        raise UsageError(_TEXT["year_order"], year=year, source=source_year)
    nxt = next_year_plan(plan, year, lang or located.lang, **kpi_thresholds)
    build_workbook(nxt.plan, output, lang=lang or located.lang, runtime=runtime, template=False, force=force)
    return RolloverResult(source=source, output=output, source_year=source_year, year=year, source_report=report,
                          output_report=check_file(output, message_lang), suggestions=nxt.suggestions,
                          carried_objectives=nxt.carried_objectives, carried_kpis=nxt.carried_kpis)


__all__ = ["BLOCKING_CATEGORIES", "BLOCKING_CODES", "Measure", "NextYear", "ReviewSuggestion", "RolloverRefused",
           "RolloverResult", "clean_plan", "is_blocking", "measure_objective", "next_year_plan", "rollover",
           "suggest_verdict"]
