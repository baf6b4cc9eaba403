"""mplan-xl rollover: next year's plan from this year's, checked end to end.

The expected Bilan N-1 figures and verdicts are recomputed here from the demo
plan's Python data, without the rollover module's helpers, so the test and
the code can only agree if both follow the documented rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import mplan_xl
from mplan_xl.cli import main
from mplan_xl.workbook.builder import build_workbook
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.core.plan import Identity, Plan
from mplan_xl.read.plan_reader import locate_plan
from mplan_xl.read.reader import read_workbook
from mplan_xl.year.rollover import (BLOCKING_CODES, SUGGESTION_MARK, RolloverRefused, rollover, suggest_verdict)
from mplan_xl.check.validator import check_file

from conftest import YEAR


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_plan(path) -> Plan:
    return locate_plan(read_workbook(path)).to_plan()


# --- an independent statement of the documented rules ------------------------------------------------

def first_measuring_kpi(objective: dict, kpis: list[dict]) -> dict | None:
    numeric = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
    candidates = [k for k in kpis if str(k.get("objective_id")).lower() == str(objective["id"]).lower()
                  and numeric(k.get("target")) and numeric(k.get("actual"))]
    same_unit = [k for k in candidates if str(k.get("unit")).strip().lower() == str(objective.get("unit")).strip().lower()]
    return (same_unit or candidates or [None])[0]


def is_reached(kpi: dict) -> bool:
    if kpi["direction"] == "lower":
        return kpi["actual"] <= kpi["target"]
    return kpi["actual"] >= kpi["target"]


def expected_review(plan: Plan) -> dict[str, dict]:
    objectives = {o["id"]: o for o in plan.rows("objectives")}
    out = {}
    # The achieved gains when the plan records any (the demo does), else the expected ones.
    measured = any(isinstance(a.get("achieved_gain"), (int, float)) for a in plan.rows("actions"))
    for action in plan.rows("actions"):
        lines = [b for b in plan.rows("budget") if b["action_id"] == action["id"]]
        budget = sum(b["planned"] or 0 for b in lines)
        spend = sum(b["actual"] or 0 for b in lines)
        gain = action.get("achieved_gain" if measured else "expected_gain")
        objective = objectives[action["objective_id"]]
        kpi = first_measuring_kpi(objective, plan.rows("kpis"))
        roi = None if not spend or gain is None else (gain - spend) / spend
        late = action["status"] == "postponed" or action["end"] > objective["deadline"]
        over = spend > budget
        if action["status"] == "cancelled":
            verdict = "abandon"
        elif kpi is None:
            verdict = "improve"
        elif is_reached(kpi):
            verdict = "keep" if (roi is not None and roi > 0 and not late and not over) else "improve"
        else:
            verdict = "abandon" if (roi is not None and roi < 0) else "improve"
        out[action["id"]] = {
            "action": action["title"], "channel": action["channel"], "budget": budget, "spend": spend, "gain": gain,
            "target": kpi["target"] if kpi else objective["target"], "result": kpi["actual"] if kpi else None,
            "unit": kpi["unit"] if kpi else objective["unit"], "verdict": verdict, "roi": roi,
        }
    return out


def close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


# --- the demo round trip ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rolled(built, tmp_path_factory):
    """The French and English demo rolled over to YEAR + 1: lang -> (source, result)."""
    out = tmp_path_factory.mktemp("rollover")
    results = {}
    for lang in ("fr", "en"):
        source = built[f"demo-{lang}"]
        before = sha(source)
        result = rollover(source, out / f"next-{lang}.xlsx", message_lang=lang)
        assert sha(source) == before, "the plan read must stay byte-identical"
        results[lang] = (source, result)
    return results


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_new_workbook_passes_check_with_the_new_year(rolled, lang):
    _, result = rolled[lang]
    report = check_file(result.output, lang)
    assert report.status == "valid", [(f.code, f.cell, f.message) for f in report.findings if f.severity == "error"]
    assert {f.code for f in report.findings} <= {"objective-without-action"}
    located = locate_plan(read_workbook(result.output))
    assert located.year == YEAR + 1 == result.year
    assert located.lang == lang
    assert result.output_report.status == "valid"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_review_has_one_row_per_action_with_the_right_figures_and_verdicts(rolled, lang):
    _, result = rolled[lang]
    source = demo_plan(lang=lang, year=YEAR)
    expected = expected_review(source)
    located = locate_plan(read_workbook(result.output))
    review = located.tables["review"]
    rows = read_plan(result.output).rows("review")
    assert [r["id"] for r in rows] == [a["id"] for a in source.rows("actions")]
    for located_row, row in zip(review.rows, rows):
        want = expected[row["id"]]
        for key in ("action", "channel", "unit", "verdict"):
            assert row[key] == want[key], (row["id"], key, row[key], want[key])
        for key in ("budget", "spend", "gain", "target", "result"):
            assert close(row[key], want[key]), (row["id"], key, row[key], want[key])
        assert close(located_row.values["roi"] if located_row.values["roi"] != "" else None, want["roi"]), row["id"]
        assert row["lessons"].startswith(SUGGESTION_MARK(lang))
        assert row["objective"].startswith(source.rows("actions")[[a["id"] for a in source.rows("actions")].index(row["id"])]["objective_id"])
    verdicts = {r["verdict"] for r in rows}
    assert verdicts == {"keep", "improve"}   # the mid-year demo: one clear success, the rest to improve
    assert result.verdicts() == {code: sum(1 for r in rows if r["verdict"] == code) for code in ("keep", "improve", "abandon")}


def test_objectives_not_reached_are_carried_over_with_their_kpis(rolled):
    _, result = rolled["en"]
    source = demo_plan(lang="en", year=YEAR)
    new = read_plan(result.output)
    missed = []
    for objective in source.rows("objectives"):
        kpi = first_measuring_kpi(objective, source.rows("kpis"))
        if kpi is None or not is_reached(kpi):
            missed.append(objective["id"])
    assert [o["id"] for o in new.rows("objectives")] == missed == result.carried_objectives
    assert "O2.1" not in missed and "O7" not in missed      # 9,150 followers for 9,000; CAC 25.4 for 26 (lower is better)
    old = {o["id"]: o for o in source.rows("objectives")}
    kpis = {k["id"]: k for k in source.rows("kpis")}
    for objective in new.rows("objectives"):
        before = old[objective["id"]]
        assert objective["statement"] == "[Carried over] " + before["statement"]
        assert objective["deadline"] == before["deadline"].replace(year=YEAR + 1)
        assert objective["target"] == before["target"]
    # Baseline: where the measuring KPI ended; K07 counts new accounts from 0, O1.2 active accounts from 42.
    assert new.rows("objectives")[0]["baseline"] == kpis["K01"]["actual"]
    o12 = next(o for o in new.rows("objectives") if o["id"] == "O1.2")
    assert o12["baseline"] == 42 + 12
    for kpi in new.rows("kpis"):
        assert kpi["objective_id"] in missed
        assert kpi["actual"] is None and kpi["baseline"] == kpis[kpi["id"]]["actual"]
    assert not new.rows("actions") and not new.rows("budget")


def test_audit_is_carried_over_marked_as_last_years(rolled):
    _, result = rolled["fr"]
    source = demo_plan(lang="fr", year=YEAR)
    new = read_plan(result.output)
    mark = f"[Audit {YEAR}, à revoir] "
    assert [r["item"] for r in new.rows("swot")] == [mark + r["item"] for r in source.rows("swot")]
    assert [r["item"] for r in new.rows("pestel")] == [mark + r["item"] for r in source.rows("pestel")]
    assert [r["finding"] for r in new.rows("diagnostic")] == [mark + r["finding"] for r in source.rows("diagnostic")]
    assert new.identity.company == source.identity.company


def test_rolling_over_twice_keeps_ids_and_does_not_stack_marks(rolled, tmp_path):
    _, first = rolled["en"]
    second = rollover(first.output, tmp_path / "year3.xlsx", message_lang="en")
    plan = read_plan(second.output)
    assert second.year == YEAR + 2
    assert all(r["item"].count("audit, to review]") == 1 for r in plan.rows("swot"))
    assert all(o["statement"].count("[Carried over]") == 1 for o in plan.rows("objectives"))
    assert [o["id"] for o in plan.rows("objectives")] == first.carried_objectives   # nothing measured yet
    assert check_file(second.output, "en").status == "valid"


# --- verdict rules --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reached, roi, over, late, cancelled, verdict", [
    (True, 0.5, False, False, False, "keep"),
    (True, 0.5, True, False, False, "improve"),      # over budget
    (True, 0.5, False, True, False, "improve"),      # late
    (True, -0.1, False, False, False, "improve"),     # reached but not profitable
    (True, None, False, False, False, "improve"),     # ROI not computable
    (False, -0.1, False, False, False, "abandon"),
    (False, 0.0, False, False, False, "improve"),
    (False, 2.0, True, True, False, "improve"),
    (False, None, False, False, False, "improve"),
    (None, -3.0, False, False, False, "improve"),     # not measured: measure it next year
    (True, 9.0, False, False, True, "abandon"),      # cancelled
])
def test_suggest_verdict_rules(reached, roi, over, late, cancelled, verdict):
    assert suggest_verdict(reached, roi, over_budget=over, late=late, cancelled=cancelled)[0] == verdict


def small_plan() -> Plan:
    """Three objectives and five actions chosen to give every verdict."""
    year = YEAR
    plan = Plan(Identity(company="Atelier Lumen", year=year, author="Claire Martin"))
    d = lambda m, day: dt.date(year, m, day)  # noqa: E731
    objective = lambda oid, target, unit, deadline: {  # noqa: E731
        "id": oid, "family": "activity", "statement": f"Reach {target} {unit} by the deadline", "indicator": "Sales",
        "baseline": 100, "target": target, "unit": unit, "deadline": deadline, "owner": "Claire Martin"}
    plan.tables["objectives"] = [objective("O1", 120, "orders", d(6, 30)), objective("O2", 150, "orders", d(12, 31)),
                                 objective("O3", 130, "orders", d(12, 31))]
    kpi = lambda kid, oid, actual: {"id": kid, "name": "Orders", "type": "performance", "objective_id": oid,  # noqa: E731
                                    "unit": "orders", "direction": "higher", "baseline": 100,
                                    "target": {"O1": 120, "O2": 150, "O3": 130}[oid], "actual": actual}
    plan.tables["kpis"] = [kpi("K1", "O1", 125), kpi("K2", "O2", 110), kpi("K3", "O3", None)]
    action = lambda aid, oid, status, end, gain: {  # noqa: E731
        "id": aid, "objective_id": oid, "title": f"Action {aid}", "channel": "social", "owner": "Claire Martin",
        "department": "marketing", "start": d(1, 10), "end": end, "status": status, "expected_gain": gain}
    plan.tables["actions"] = [
        action("A1", "O1", "done", d(5, 31), 5000),        # reached, ROI +, on time, within budget -> keep
        action("A2", "O1", "done", d(9, 30), 5000),        # reached but ends after the deadline -> improve
        action("A3", "O2", "done", d(11, 30), 500),        # missed, ROI - -> abandon
        action("A4", "O3", "done", d(11, 30), 5000),       # not measured -> improve
        action("A5", "O2", "cancelled", d(11, 30), 5000),  # cancelled -> abandon
    ]
    line = lambda lid, aid, planned, actual: {"id": lid, "action_id": aid, "item": "media",  # noqa: E731
                                              "planned": planned, "actual": actual}
    plan.tables["budget"] = [line("L1", "A1", 1000, 900), line("L2", "A2", 1000, 950), line("L3", "A3", 1000, 1200),
                             line("L4", "A4", 1000, 1000), line("L5", "A5", 1000, None)]
    return plan


def test_every_verdict_on_a_built_plan(tmp_path):
    source = mplan_xl.build_workbook(small_plan(), tmp_path / "small.xlsx", lang="en", runtime="native", template=False)
    result = rollover(source, tmp_path / "next.xlsx", message_lang="en")
    rows = {r["id"]: r for r in read_plan(result.output).rows("review")}
    assert {k: r["verdict"] for k, r in rows.items()} == {
        "A1": "keep", "A2": "improve", "A3": "abandon", "A4": "improve", "A5": "abandon"}
    assert "late" in rows["A2"]["lessons"] and "not measured" in rows["A4"]["lessons"]
    assert rows["A3"]["spend"] == 1200 and rows["A5"]["spend"] == 0
    assert [o["id"] for o in read_plan(result.output).rows("objectives")] == ["O2", "O3"]
    assert check_file(result.output, "en").status == "valid"


# --- refusals and listed findings ----------------------------------------------------------------------------

def test_blocking_codes_are_readability_and_template_errors():
    assert {"not-a-workbook", "corrupt-workbook", "sheet-missing", "table-missing", "header-mismatch",
            "template-version-incompatible", "not-mplan-workbook", "file-missing"} <= set(BLOCKING_CODES)
    assert not {"required-missing", "duplicate-id", "objective-not-smart", "budget-actual-over-plan"} & set(BLOCKING_CODES)


def test_unreadable_plan_is_refused_with_its_blocking_findings(tmp_path):
    bad = tmp_path / "plan.xlsx"
    bad.write_text("company;year\nLumen;2027\n", encoding="utf-8")
    with pytest.raises(RolloverRefused) as caught:
        rollover(bad, tmp_path / "next.xlsx", message_lang="en")
    assert [f.code for f in caught.value.blocking] == ["not-a-workbook"]
    assert "not-a-workbook" in caught.value.text("en")
    assert not (tmp_path / "next.xlsx").exists()


def test_plan_with_errors_rolls_over_and_lists_them(tmp_path):
    source = mplan_xl.demo_workbook(tmp_path / "errors.xlsx", year=YEAR, with_errors=True, runtime="native")
    before = sha(source)
    result = rollover(source, tmp_path / "next.xlsx", message_lang="en")
    assert sha(source) == before
    listed = {f.code for f in result.listed_findings}
    assert {"choice-invalid", "duplicate-id", "budget-actual-over-plan", "objective-not-smart"} <= listed
    # The invalid channel of A06 is left blank in the Bilan, where check points at it; the
    # vague O2 statement stays not SMART (the carried-over mark holds no digit).
    new = {(f.code, f.row_id) for f in result.output_report.findings if f.severity == "error"}
    assert new == {("required-missing", "A06"), ("objective-not-smart", "O2")}


# --- command line ---------------------------------------------------------------------------------------------

def test_cli_rollover(built, tmp_path):
    runner = CliRunner()
    out = tmp_path / "next.xlsx"
    result = runner.invoke(main, ["rollover", str(built["demo-en"]), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"({YEAR + 1} plan, rolled over from the {YEAR} plan)" in result.output
    assert "Check of the new workbook: valid, 0 error(s)" in result.output
    again = runner.invoke(main, ["rollover", str(built["demo-en"]), "-o", str(out), "--lang", "en"])
    assert again.exit_code == 2 and "already exists" in again.output
    same = runner.invoke(main, ["rollover", str(out), "-o", str(out), "--force"])
    assert same.exit_code == 2 and "autre fichier" in same.output


def test_cli_refusal_names_the_blocking_findings(tmp_path):
    bad = tmp_path / "plan.xlsx"
    bad.write_bytes(b"\x00" * 64)
    result = CliRunner().invoke(main, ["rollover", str(bad), "-o", str(tmp_path / "next.xlsx")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("mplan-xl: ") and "reprise impossible" in lines[0]
    assert any("[not-a-workbook]" in line or "[corrupt-workbook]" in line for line in lines[2:])
    assert "Traceback" not in result.output


def test_the_reference_lists_exactly_the_blocking_codes():
    readme = (Path(__file__).parent.parent / "docs" / "reference.md").read_text(encoding="utf-8")
    start = readme.index("Blocking: only errors")
    listed = readme[start:readme.index("cannot be located", start)]
    import re

    assert sorted(re.findall(r"`([a-z-]+)`", listed)) == sorted(BLOCKING_CODES)


def test_a_plan_missing_a_sheet_is_refused(built, tmp_path):
    import openpyxl

    damaged = tmp_path / "damaged.xlsx"
    wb = openpyxl.load_workbook(built["demo-en"])
    del wb["KPIs"]
    wb.save(damaged)
    with pytest.raises(RolloverRefused) as caught:
        rollover(damaged, tmp_path / "next.xlsx", message_lang="en")
    assert {"sheet-missing", "table-missing"} <= {f.code for f in caught.value.blocking}
    assert all(f.code in BLOCKING_CODES for f in caught.value.blocking)


# --- the Bilan N-1 takes this year's results --------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fr", "en"])
def test_review_takes_this_years_achieved_gain_and_roi(rolled, lang):
    """The demo records achieved gains (typed or imported): the Bilan's gain is each action's achieved gain and
    its ROI (recalculated by the workbook's formula, read from the written file) the ROI the action achieved;
    nothing to retype. An action without an achieved gain has a blank gain and a blank ROI, not its estimate."""
    source_path, result = rolled[lang]
    source = locate_plan(read_workbook(source_path))
    achieved = {row.values["id"]: (row.values["achieved_gain"], row.values["roi_achieved"])
                for row in source.tables["actions"].rows}
    review = locate_plan(read_workbook(result.output)).tables["review"]
    measured = 0
    for row in review.rows:
        gain, roi = achieved[row.values["id"]]
        if gain in ("", None):
            assert row.values["gain"] in ("", None) and row.values["roi"] in ("", None), row.values["id"]
            continue
        measured += 1
        assert close(row.values["gain"], gain) and close(row.values["roi"], roi), (row.values["id"], row.values, gain, roi)
    assert measured == 8


def test_review_of_a_plan_without_achieved_gains_gives_the_expected_ones(tmp_path):
    """A plan that measured nothing (an older template, a team that did not import results): the Bilan gives the
    expected gains, the best figure available, as before."""
    plan = demo_plan(lang="fr", year=YEAR)
    for action in plan.rows("actions"):
        action["achieved_gain"] = None
    plan.tables["action_results"] = []
    source = build_workbook(plan, tmp_path / "unmeasured.xlsx")
    result = rollover(source, tmp_path / "next.xlsx", message_lang="fr")
    rows = read_plan(result.output).rows("review")
    expected = {a["id"]: a["expected_gain"] for a in plan.rows("actions")}
    assert [r["gain"] for r in rows] == [expected[r["id"]] for r in rows]
