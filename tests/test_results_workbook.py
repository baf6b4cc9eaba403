"""Issue 20, the workbook side: each action's campaign code (validated unique), its achieved gain month by month
(which must add up to the gain on the Actions sheet), the KPIs' source metric; checked as a user meets them, in a
built workbook, each finding located by its cell."""

from __future__ import annotations

import openpyxl
import pytest

from mplan_xl.check.validator import check_file
from mplan_xl.core import schema
from mplan_xl.read.plan_reader import a1
from mplan_xl.workbook.builder import build_workbook
from mplan_xl.workbook.demo import demo_plan

from conftest import YEAR


def cell_of(path, table_key: str, position: int, column_key: str) -> tuple[str, str]:
    """(worksheet, A1 cell) of column *column_key* of the *position*-th (0-based) row of a table."""
    sheet = schema.SHEETS_BY_KEY[table_key]
    for ws in openpyxl.load_workbook(path).worksheets:
        table = ws.tables.get(sheet.table)
        if table is not None:
            min_col, min_row, _, _ = openpyxl.utils.cell.range_boundaries(table.ref)
            return ws.title, a1(min_row + position, min_col - 1 + sheet.index(column_key))
    raise AssertionError(table_key)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_campaign_code_used_twice_is_an_error_located_by_cell(tmp_path, lang):
    """Two actions with one campaign code (whatever the case): imported results could not tell which action they
    belong to. The second one is reported at its cell, naming the row of the first; blank codes are fine."""
    plan = demo_plan(lang=lang, year=YEAR)
    actions = plan.rows("actions")
    actions[2]["campaign"] = actions[1]["campaign"].upper()
    actions[5]["campaign"] = actions[6]["campaign"] = None
    path = build_workbook(plan, tmp_path / f"plan-{lang}.xlsx", lang=lang)
    report = check_file(path, lang)
    found = [(f.code, f.sheet, f.cell) for f in report.findings]
    assert found == [("campaign-duplicate", *cell_of(path, "actions", 2, "campaign"))]
    message = report.findings[0].message
    first_row = int(cell_of(path, "actions", 1, "campaign")[1][1:])
    assert actions[1]["campaign"].upper() in message and str(first_row) in message
    assert ("déjà" if lang == "fr" else "already") in message
    assert report.status == "invalid"


def test_monthly_results_must_add_up_to_the_achieved_gain_one_row_per_action(tmp_path):
    plan = demo_plan(lang="fr", year=YEAR)
    plan.rows("actions")[0]["achieved_gain"] = 30000                       # A01: its months say 25 200
    plan.tables["action_results"].append({"action_id": "A02", "m07": 5})  # a second row for A02
    path = build_workbook(plan, tmp_path / "plan.xlsx")
    findings = {f.code: f for f in check_file(path, "fr").findings}
    assert set(findings) == {"results-months-disagree", "months-row-duplicate"}
    disagree = findings["results-months-disagree"]
    assert (disagree.sheet, disagree.cell) == cell_of(path, "action_results", 0, "action_id")
    assert disagree.params == {"action": "A01", "months": "25\u202f200", "year": "30\u202f000"}
    twice = findings["months-row-duplicate"]
    assert (twice.sheet, twice.cell) == cell_of(path, "action_results", len(plan.rows("action_results")) - 1,
                                                "action_id")
    assert f"ligne {int(cell_of(path, 'action_results', 1, 'action_id')[1][1:])}" in twice.message


def test_a_kpi_source_outside_the_export_metrics_is_refused(tmp_path):
    plan = demo_plan(lang="en", year=YEAR)
    plan.rows("kpis")[0]["source"] = "pageviews"
    path = build_workbook(plan, tmp_path / "plan.xlsx", lang="en")
    findings = check_file(path, "en").findings
    assert [(f.code, f.cell) for f in findings] == [("choice-invalid", cell_of(path, "kpis", 0, "source")[1])]
    assert "Sessions" in (findings[0].message + (findings[0].hint or ""))


@pytest.mark.parametrize("made_by", ["demo", "rollover"])
def test_a_filled_plan_keeps_a_monthly_results_row_for_every_action(tmp_path, made_by):
    """``results`` writes an action's months on its row of Résultats mensuels, or on a blank one: a filled plan
    (the demo, next year's plan from ``rollover``) keeps a blank row for each action without one, and one for each
    KPI of KPI mensuels, so no imported gain is left out for want of room (the demo had 2 left for 14 actions)."""
    from mplan_xl.read.plan_reader import locate_plan
    from mplan_xl.read.reader import read_workbook
    from mplan_xl.year.rollover import rollover

    from mplan_xl.workbook.demo import demo_workbook

    path = demo_workbook(tmp_path / "demo.xlsx", year=YEAR)
    if made_by == "rollover":
        path = tmp_path / "next.xlsx"
        rollover(tmp_path / "demo.xlsx", path)
    located = locate_plan(read_workbook(path))
    for table_key, followed, ref in (("action_results", "actions", "action_id"), ("kpi_months", "kpis", "kpi_id")):
        table = located.tables[table_key]
        ids = {r.values["id"] for r in located.tables[followed].rows}
        missing = ids - {r.values[ref] for r in table.rows}
        used = max((r.sheet_row for r in table.rows), default=table.info.first_row)
        blank = table.last_data_row - used
        assert blank >= len(missing), (table_key, blank, sorted(missing))
        assert made_by == "rollover" or table_key == "kpi_months" or len(missing) > 2   # the demo's actions
