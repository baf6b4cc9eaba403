"""``check --against`` on plans written by the builder: each kind of change since approval, one at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from mplan_xl.core.rules import RULES
from mplan_xl.workbook.builder import build_workbook
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.year.against import check_against

from conftest import YEAR


@pytest.fixture(scope="module")
def approved(tmp_path_factory):
    return build_workbook(demo_plan("en", year=YEAR), tmp_path_factory.mktemp("approved") / "approved.xlsx", lang="en")


def returned(tmp_path, edit) -> object:
    plan = demo_plan("en", year=YEAR)
    edit(plan)
    return build_workbook(plan, tmp_path / "returned.xlsx", lang="en", force=True)


def line(plan, line_id):
    return next(r for r in plan.rows("budget") if r["id"] == line_id)


def approval(path, approved, threshold=None):
    report = check_against([path], approved, lang="en", jobs=1, threshold=threshold)
    return report, [(f.code, f.row_id) for f in report.files[0].findings if RULES[f.code].category == "approval"]


def test_the_same_plan_has_nothing_to_say(approved, tmp_path):
    report, found = approval(returned(tmp_path, lambda plan: None), approved)
    assert found == [] and report.files[0].status == "valid"


def test_money_moved_between_actions_is_a_transfer_explained_once_recorded(approved, tmp_path):
    def move(plan):   # 500 from A06 (L016, poster printing) to A07 (L019, the coffee tricycle)
        line(plan, "L016")["planned"] -= 500
        line(plan, "L019")["planned"] += 500
    report, found = approval(returned(tmp_path, move), approved)
    assert found == [("transfer-unrecorded", "L019")] and report.files[0].status == "valid"
    message = next(f.message for f in report.files[0].findings if f.code == "transfer-unrecorded")
    assert "500.00" in message and "L016 (-500.00)" in message

    def recorded(plan):
        move(plan)
        plan.tables["transfers"].append({"from_line": "L016", "to_line": "L019", "amount": 500,
                                         "date": dt.date(YEAR, 6, 1), "reason": "Ads convert better"})
    assert approval(returned(tmp_path, recorded), approved)[1] == []
    # Recorded for less than what moved: the rest is flagged.
    def partly(plan):
        move(plan)
        plan.tables["transfers"].append({"from_line": "L016", "to_line": "L019", "amount": 200})
    report, found = approval(returned(tmp_path, partly), approved)
    assert found == [("transfer-unrecorded", "L019")]
    assert "300.00" in next(f.message for f in report.files[0].findings if f.code == "transfer-unrecorded")


def test_an_envelope_raised_is_an_error(approved, tmp_path):
    def raise_envelope(plan):
        plan.identity.envelope += 10000
    report, found = approval(returned(tmp_path, raise_envelope), approved)
    assert found == [("envelope-changed", None)] and report.files[0].status == "invalid"


def test_a_new_action_funded_by_a_new_line_is_an_increase(approved, tmp_path):
    def add(plan):
        action = dict(plan.rows("actions")[0], id="A99", title="Pop-up store")
        plan.tables["actions"].append(action)
        plan.tables["budget"].append(dict(line(plan, "L001"), id="L099", action_id="A99", planned=3000,
                                          committed=None, actual=None, reforecast=None))
    report, found = approval(returned(tmp_path, add), approved)
    assert sorted(found) == [("action-added", "A99"), ("plan-increased", "L099")]
    assert report.files[0].status == "invalid"


def test_moved_dates_are_shown(approved, tmp_path):
    def later(plan):
        action = next(a for a in plan.rows("actions") if a["id"] == "A07")
        action["start"] += dt.timedelta(days=14)
    assert approval(returned(tmp_path, later), approved)[1] == [("action-dates-moved", "A07")]


def test_a_large_transfer_needs_approval(approved, tmp_path):
    def move(plan):
        line(plan, "L016")["planned"] -= 3000
        line(plan, "L019")["planned"] += 3000
    report, found = approval(returned(tmp_path, move), approved, threshold=1000)
    assert found == [("transfer-over-threshold", "L019")] and report.files[0].status == "invalid"
