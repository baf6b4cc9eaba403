"""The demo plan: complete, consistent, the same in both languages, with exactly its seeded errors.

Every property is checked on the Plan data against the declarations of
:mod:`mplan_xl.core.schema` (required columns, kinds, choices, bounds, references),
with a small data-level checker that names each problem by the validator's
rule code: the plain demo must give none, the seeded demo exactly
:data:`mplan_xl.workbook.demo.SEEDED_ERRORS`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from mplan_xl.core import schema
from mplan_xl.workbook.demo import SEEDED_ERRORS, demo_plan
from mplan_xl.workbook.demo_data import DEFAULT_COMPANY
from mplan_xl.core.plan import Plan, PlanError
from mplan_xl.core.schema import Kind
from mplan_xl.core.vocabulary import CHANNEL, LANGUAGES, Label, fold

YEAR = 2031
LANGS = list(LANGUAGES)
REQUIRED_SEEDS = {
    "objective-not-smart", "reference-unresolved", "budget-actual-over-plan", "required-missing",
    "computed-overwritten", "number-as-text", "date-outside-year", "abandoned-action-replanned", "duplicate-id",
    "choice-invalid",
}
Problem = tuple[str, str, Any, Any]   # (rule code, table, row id, column)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _french_number(text: str) -> float | None:
    """'1 250,00 €' -> 1250.0; None when the text is not a number."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text).replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _planned_total(plan: Plan) -> float:
    return sum(r["planned"] for r in plan.rows("budget") if _is_number(r.get("planned")))


# --- a data-level checker, named after the validator's rules --------------------------------------------

def smart_problems(row: dict, year: int) -> list[str]:
    """Columns of an objective that break the SMART rules the demo promises."""
    bad = []
    if _blank(row.get("statement")) or not re.search(r"\d", str(row["statement"])):
        bad.append("statement")
    for key in ("indicator", "unit", "owner"):
        if _blank(row.get(key)):
            bad.append(key)
    if not _is_number(row.get("target")):
        bad.append("target")
    deadline = row.get("deadline")
    if not isinstance(deadline, dt.date) or deadline.year != year:
        bad.append("deadline")
    baseline, target = row.get("baseline"), row.get("target")
    if _is_number(baseline) and baseline != 0 and _is_number(target) and abs(target - baseline) / abs(baseline) > 3:
        bad.append("baseline")
    return bad


def problems(plan: Plan) -> set[Problem]:
    year = plan.identity.year
    found: set[Problem] = set()

    def add(code: str, sheet: schema.Table, row: dict | None, column: str | None) -> None:
        found.add((code, sheet.key, row.get(sheet.id_column) if (row is not None and sheet.id_column) else None, column))

    for sheet in schema.TABLES:
        for row in plan.rows(sheet.key):
            assert set(row) <= {c.key for c in sheet.input_columns}, (sheet.key, set(row))
            for column in sheet.input_columns:
                value = row.get(column.key)
                if _blank(value):
                    if column.required:
                        add("required-missing", sheet, row, column.key)
                    continue
                if column.kind is Kind.CHOICE:
                    if value not in column.choices.codes:
                        add("choice-invalid", sheet, row, column.key)
                elif column.kind is Kind.DATE:
                    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                        add("type-invalid", sheet, row, column.key)
                    elif column.in_plan_year and value.year != year:
                        add("date-outside-year", sheet, row, column.key)
                elif column.kind.is_number:
                    if isinstance(value, str):
                        add("number-as-text" if _french_number(value) is not None else "type-invalid", sheet, row, column.key)
                    elif not _is_number(value) or (column.kind is Kind.INTEGER and not float(value).is_integer()):
                        add("type-invalid", sheet, row, column.key)
                    elif (column.minimum is not None and value < column.minimum) or (
                            column.maximum is not None and value > column.maximum):
                        add("value-out-of-range", sheet, row, column.key)
                elif not isinstance(value, str):
                    add("type-invalid", sheet, row, column.key)
        if sheet.id_column:
            seen: set[str] = set()
            for row in plan.rows(sheet.key):
                key = str(row.get(sheet.id_column)).casefold()
                if key in seen:
                    add("duplicate-id", sheet, row, sheet.id_column)
                seen.add(key)
        for column in sheet.references:
            target = schema.SHEETS_BY_KEY[column.ref]
            ids = {str(r.get(target.id_column)).casefold() for r in plan.rows(target.key)}
            for row in plan.rows(sheet.key):
                if not _blank(row.get(column.key)) and str(row[column.key]).casefold() not in ids:
                    add("reference-unresolved", sheet, row, column.key)
    for override in plan.overrides:
        sheet = schema.SHEETS_BY_KEY[override.table]
        assert not sheet.column(override.column).is_input
        add("computed-overwritten", sheet, plan.rows(sheet.key)[override.row], override.column)
    for row in plan.rows("actions"):
        if isinstance(row.get("start"), dt.date) and isinstance(row.get("end"), dt.date) and row["start"] > row["end"]:
            add("date-order", schema.ACTIONS, row, "end")
    objectives = plan.rows("objectives")
    parents = {r["id"]: r.get("parent_id") for r in objectives}
    for row in objectives:
        node, path = row["id"], []
        while node in parents and node not in path:
            path.append(node)
            node = parents[node]
        if node in path:
            add("reference-cycle", schema.OBJECTIVES, row, "parent_id")
        for column in smart_problems(row, year):
            add("objective-not-smart", schema.OBJECTIVES, row, column)
        for code, table in (("objective-without-action", "actions"), ("objective-without-kpi", "kpis")):
            if not any(r.get("objective_id") == row["id"] for r in plan.rows(table)):
                add(code, schema.OBJECTIVES, row, "id")
    for row in plan.rows("budget"):
        if _is_number(row.get("planned")) and _is_number(row.get("actual")) and row["actual"] > row["planned"]:
            add("budget-actual-over-plan", schema.BUDGET, row, "actual")
    if plan.identity.envelope is not None and _planned_total(plan) > plan.identity.envelope:
        found.add(("budget-over-envelope", "budget", None, None))
    abandoned = {fold(r["action"]) for r in plan.rows("review") if r.get("verdict") == "abandon"}
    for row in plan.rows("actions"):
        if not _blank(row.get("title")) and fold(row["title"]) in abandoned:
            add("abandoned-action-replanned", schema.ACTIONS, row, "title")
    return found


# --- the plain demo -------------------------------------------------------------------------------------

@pytest.fixture(params=LANGS)
def lang(request) -> str:
    return request.param


@pytest.fixture
def plan(lang) -> Plan:
    return demo_plan(lang=lang, year=YEAR)


def test_plain_demo_has_no_problem(plan):
    assert problems(plan) == set()
    assert plan.overrides == []


def test_identity(plan):
    ident = plan.identity
    assert ident.company == DEFAULT_COMPANY and ident.year == YEAR and ident.currency == "EUR"
    assert ident.author.strip()
    assert ident.envelope is not None and _planned_total(plan) < ident.envelope


def test_default_year_is_next_year_and_company_can_be_replaced():
    plan = demo_plan(company="Brûlerie Test")
    assert plan.identity.year == dt.date.today().year + 1
    assert plan.identity.company == "Brûlerie Test"
    assert problems(plan) == set()
    assert demo_plan().identity.company == DEFAULT_COMPANY


@pytest.mark.parametrize("year", [2000, 2024, 2028, 2099, 2100])
def test_any_year_works(year):
    for lang in LANGS:
        plan = demo_plan(lang=lang, year=year)
        assert problems(plan) == set()
        dates = [v for s in schema.TABLES for r in plan.rows(s.key) for v in r.values() if isinstance(v, dt.date)]
        assert len(dates) > 50 and {d.year for d in dates} == {year}
        broken = demo_plan(lang=lang, year=year, with_errors=True)
        assert problems(broken) == {(e.code, e.table, e.row_id, e.column) for e in SEEDED_ERRORS}


def test_bad_settings_are_refused():
    with pytest.raises(PlanError):
        demo_plan(lang="de")
    with pytest.raises(PlanError):
        demo_plan(year=1999)


def test_each_call_builds_a_fresh_plan():
    first = demo_plan(year=YEAR)
    first.rows("actions")[0]["title"] = "changed"
    first.rows("diagnostic")[0]["finding"] = "changed"
    second = demo_plan(year=YEAR)
    assert second.rows("actions")[0]["title"] != "changed"
    assert second.rows("diagnostic")[0]["finding"] != "changed"


def test_audit_tables(plan):
    swot, pestel = plan.rows("swot"), plan.rows("pestel")
    assert len(swot) >= 8 and {r["quadrant"] for r in swot} == {"strength", "weakness", "opportunity", "threat"}
    assert all(isinstance(r["weight"], int) and 1 <= r["weight"] <= 5 for r in swot)
    assert len(pestel) >= 6 and {r["factor"] for r in pestel} == set(schema.PESTEL.column("factor").choices.codes)
    assert all(isinstance(r["impact"], int) and 1 <= r["impact"] <= 5 for r in pestel)
    diagnostic = plan.rows("diagnostic")
    assert [r["topic"] for r in diagnostic] == [topic for topic, _, _ in schema.DIAGNOSTIC_ASPECTS]
    assert all(not _blank(r["finding"]) for r in diagnostic)
    assert sum(not _blank(r.get("source")) for r in diagnostic) >= 10


def test_review_of_last_year(plan):
    review = plan.rows("review")
    assert 8 <= len(review) <= 10
    assert {r["verdict"] for r in review} == {"keep", "improve", "abandon"}
    for row in review:
        for key in ("budget", "spend", "gain", "target", "result"):
            assert _is_number(row[key]), (row["id"], key)
        for key in ("unit", "objective", "lessons", "corrective"):
            assert not _blank(row[key]), (row["id"], key)


def test_objectives(plan):
    objectives = plan.rows("objectives")
    assert len(objectives) >= 6
    assert {r["family"] for r in objectives} == {"activity", "communication", "customer"}
    assert sum(not _blank(r.get("parent_id")) for r in objectives) >= 2
    for row in objectives:
        assert smart_problems(row, YEAR) == [], row["id"]
        assert _is_number(row["baseline"])
        assert any(a["objective_id"] == row["id"] for a in plan.rows("actions")), row["id"]
        assert any(k["objective_id"] == row["id"] for k in plan.rows("kpis")), row["id"]


def test_objectives_pass_the_smart_check(plan):
    smart = pytest.importorskip("mplan_xl.core.smart")
    if not hasattr(smart, "smart_check"):
        pytest.skip("mplan_xl.core.smart.smart_check is not written yet")
    for row in plan.rows("objectives"):
        result = smart.smart_check(row["statement"], row["indicator"], row["target"], row["unit"], row["deadline"],
                                   row["owner"], YEAR, baseline=row["baseline"])
        assert result.ok, (row["id"], result)


def test_actions(plan):
    actions = plan.rows("actions")
    assert len(actions) >= 16
    assert len({r["channel"] for r in actions}) >= 7
    assert len({r["department"] for r in actions}) >= 4
    assert len({r["status"] for r in actions}) >= 4
    for row in actions:
        assert row["start"] <= row["end"]
        for key in ("how", "milestones"):
            assert not _blank(row[key]), (row["id"], key)
        assert _is_number(row["expected_gain"]) and row["expected_gain"] > 0
    review_titles = {fold(r["action"]) for r in plan.rows("review")}
    abandoned = {fold(r["action"]) for r in plan.rows("review") if r["verdict"] == "abandon"}
    assert not abandoned & {fold(r["title"]) for r in actions}
    assert review_titles & {fold(r["title"]) for r in actions}, "a kept action of last year is planned again"


def test_budget(plan):
    budget = plan.rows("budget")
    assert len(budget) >= 30
    by_action: dict[str, list[dict]] = {}
    for row in budget:
        by_action.setdefault(row["action_id"], []).append(row)
        assert not _blank(row["description"]) and not _blank(row["supplier"])
        if not _blank(row.get("quote_ref")):
            assert _is_number(row["quote_amount"])
        if _is_number(row.get("committed")):
            assert row["committed"] <= row["planned"]
        if _is_number(row.get("actual")):
            assert row["actual"] <= row["planned"]
    assert sum(not _blank(r.get("quote_ref")) for r in budget) >= 25
    assert sum(_is_number(r.get("last_year")) for r in budget) >= 8
    for action in plan.rows("actions"):
        lines = by_action.get(action["id"])
        assert lines, action["id"]
        if action["status"] == "done":
            assert all(_is_number(r["actual"]) for r in lines), action["id"]
        if action["status"] in ("planned", "postponed"):
            assert all(r["actual"] is None for r in lines), action["id"]
    assert _planned_total(plan) <= plan.identity.envelope


def test_kpis(plan):
    kpis = plan.rows("kpis")
    library_names = {n for row in schema.KPI_LIBRARY for n in row[:2]}
    assert len(kpis) >= len({r["id"] for r in plan.rows("objectives")})
    assert {r["direction"] for r in kpis} == {"higher", "lower"}
    assert {r["type"] for r in kpis} == {"financial", "performance"}
    assert sum(r["name"] in library_names for r in kpis) >= 5
    for row in kpis:
        assert all(_is_number(row[k]) for k in ("baseline", "target", "actual")), row["id"]
        assert not _blank(row["definition"])


def test_kpi_statuses_cover_on_track_at_risk_and_off_track(plan):
    metrics = pytest.importorskip("mplan_xl.core.metrics")
    if not hasattr(metrics, "kpi_status"):
        pytest.skip("mplan_xl.core.metrics.kpi_status is not written yet")
    from mplan_xl.core.computed import PlanContext, compute_row
    from mplan_xl.core.vocabulary import KPI_STATUS

    context = PlanContext.of_plan(plan, "en")
    statuses = {KPI_STATUS.code_of(compute_row(schema.KPIS, row, context, "en")["status"]) for row in plan.rows("kpis")}
    assert statuses == {"on_track", "at_risk", "off_track"}


# --- both languages ------------------------------------------------------------------------------------

#: Columns holding translated prose: every value differs between French and English.
TRANSLATED = {
    "swot": ("item",), "pestel": ("item",), "diagnostic": ("aspect", "finding"),
    "review": ("action", "objective", "lessons", "corrective"), "objectives": ("statement", "indicator"),
    "actions": ("title", "how", "milestones"), "budget": ("description",), "kpis": ("name", "definition"),
}
#: Mostly proper names and references (an in-house supplier is translated, a company's name is not).
PROPER_NAMES = {"owner", "supplier", "quote_ref"}
FRENCH_WORDS = {"le", "la", "les", "des", "du", "et", "pour", "avec", "une", "sur", "dans", "est", "au", "aux"}
ENGLISH_WORDS = {"the", "and", "with", "for", "of", "to", "by", "is", "from", "our", "at"}


def test_french_and_english_are_the_same_plan():
    fr, en = demo_plan("fr", year=YEAR), demo_plan("en", year=YEAR)
    assert fr.identity == en.identity
    for sheet in schema.TABLES:
        rows_fr, rows_en = fr.rows(sheet.key), en.rows(sheet.key)
        assert len(rows_fr) == len(rows_en), sheet.key
        for row_fr, row_en in zip(rows_fr, rows_en):
            assert row_fr.keys() == row_en.keys()
            for column in sheet.input_columns:
                a, b = row_fr.get(column.key), row_en.get(column.key)
                if column.kind in (Kind.TEXT, Kind.LONG_TEXT):
                    assert _blank(a) == _blank(b), (sheet.key, column.key)
                    if column.key in TRANSLATED.get(sheet.key, ()):
                        assert a != b, (sheet.key, column.key, a)
                else:
                    assert a == b and type(a) is type(b), (sheet.key, column.key, a, b)


@pytest.mark.parametrize("lang, foreign", [("fr", ENGLISH_WORDS), ("en", FRENCH_WORDS)])
def test_texts_are_written_in_their_language(lang, foreign):
    plan = demo_plan(lang, year=YEAR)
    checked = 0
    for sheet in schema.TABLES:
        for row in plan.rows(sheet.key):
            for column in sheet.input_columns:
                value = row.get(column.key)
                if column.kind in (Kind.TEXT, Kind.LONG_TEXT) and column.key not in PROPER_NAMES and not _blank(value):
                    words = set(re.findall(r"[a-zà-ÿ]+", value.casefold()))
                    assert not words & foreign, (sheet.key, column.key, value)
                    checked += 1
    assert checked > 250


# --- the seeded errors ------------------------------------------------------------------------------------

def test_seeded_errors_are_declared_completely():
    assert {e.code for e in SEEDED_ERRORS} >= REQUIRED_SEEDS
    assert len({(e.code, e.table, e.row_id, e.column) for e in SEEDED_ERRORS}) == len(SEEDED_ERRORS)
    for error in SEEDED_ERRORS:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)+", error.code)
        assert error.severity in ("error", "warning")
        sheet = schema.SHEETS_BY_KEY[error.table]
        if error.column is not None:
            sheet.column(error.column)
        assert isinstance(error.description, Label) and error.description.fr.strip() and error.description.en.strip()
        assert error.description.fr != error.description.en
    warnings = {e.code for e in SEEDED_ERRORS if e.severity == "warning"}
    assert warnings == {"budget-actual-over-plan", "abandoned-action-replanned"}


def _seed_rows(plain: Plan, broken: Plan) -> set[tuple[str, int, str]]:
    """(table, row index, column) of every cell where the seeded plan differs from the plain one."""
    cells = set()
    for sheet in schema.TABLES:
        rows_a, rows_b = plain.rows(sheet.key), broken.rows(sheet.key)
        assert len(rows_a) == len(rows_b), sheet.key
        for i, (a, b) in enumerate(zip(rows_a, rows_b)):
            cells |= {(sheet.key, i, key) for key in a.keys() | b.keys() if a.get(key) != b.get(key)}
    cells |= {(o.table, o.row, o.column) for o in broken.overrides}
    return cells


def test_with_errors_differs_exactly_where_the_seeds_say(lang):
    plain, broken = demo_plan(lang, year=YEAR), demo_plan(lang, year=YEAR, with_errors=True)
    assert broken.identity == plain.identity
    changed = _seed_rows(plain, broken)
    expected = set()
    for error in SEEDED_ERRORS:
        sheet = schema.SHEETS_BY_KEY[error.table]
        places = {(error.table, i, error.column) for i, row in enumerate(broken.rows(error.table))
                  if row.get(sheet.id_column) == error.row_id} & changed
        assert len(places) == 1, (error.code, places)
        expected |= places
    assert changed == expected


def test_with_errors_gives_exactly_the_seeded_findings(lang):
    broken = demo_plan(lang, year=YEAR, with_errors=True)
    assert problems(broken) == {(e.code, e.table, e.row_id, e.column) for e in SEEDED_ERRORS}


def test_each_seed_is_what_its_description_says(lang):
    plain, broken = demo_plan(lang, year=YEAR), demo_plan(lang, year=YEAR, with_errors=True)
    by_code = {e.code: e for e in SEEDED_ERRORS}

    def cell(plan: Plan, code: str, nth: int = 0) -> Any:
        error = by_code[code]
        sheet = schema.SHEETS_BY_KEY[error.table]
        rows = [r for r in plan.rows(error.table) if r.get(sheet.id_column) == error.row_id]
        return rows[nth].get(error.column)

    assert cell(broken, "objective-not-smart") == {"fr": "Améliorer la notoriété de la marque",
                                                   "en": "Improve brand awareness"}[lang]
    assert cell(broken, "reference-unresolved") not in {r["id"] for r in broken.rows("objectives")}
    old_objective = cell(plain, "reference-unresolved")
    assert sum(a["objective_id"] == old_objective for a in broken.rows("actions")) >= 1
    assert cell(broken, "budget-actual-over-plan") > cell(plain, "budget-actual-over-plan")
    assert cell(broken, "required-missing") is None and cell(plain, "required-missing")
    override = broken.overrides[0]
    assert len(broken.overrides) == 1 and override.table == "budget" and override.column == "variance"
    assert _is_number(override.value)
    assert broken.rows("budget")[override.row]["id"] == by_code["computed-overwritten"].row_id
    text = cell(broken, "number-as-text")
    assert text == "1 250,00 €" and _french_number(text) == cell(plain, "number-as-text")
    assert cell(broken, "date-outside-year") == dt.date(YEAR + 1, 1, 31)
    title = cell(broken, "abandoned-action-replanned")
    review = {fold(r["action"]): r for r in broken.rows("review")}
    assert review[fold(title)]["verdict"] == "abandon" and title != review[fold(title)]["action"]
    assert [r["id"] for r in broken.rows("budget")].count(by_code["duplicate-id"].row_id) == 2
    channel = cell(broken, "choice-invalid")
    assert CHANNEL.code_of(channel) is None and channel == {"fr": "Télévision locale", "en": "Local television"}[lang]
