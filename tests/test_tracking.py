"""The year followed month by month: figures to date, their situation date, and what check says of the months.

LibreOffice proves the formulas equal these Python figures (tests/test_libreoffice_recalc.py); here the figures
themselves are held to what a marketing lead expects in the middle of the year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import openpyxl
import pytest

from mplan_xl.core import schema
from mplan_xl.workbook.builder import build_workbook
from mplan_xl.core.computed import PlanContext, compute_row
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.workbook.demo_data import PHASED_LINES
from mplan_xl.check.validator import check_file

from conftest import YEAR
from test_edit_rules import col, table_of


def _computed(plan, table: str, row_id: str, situation: dt.date | None = None) -> dict:
    if situation is not None:
        plan = dataclasses.replace(plan, identity=dataclasses.replace(plan.identity, situation=situation))
    context = PlanContext.of_plan(plan, "en")
    row = next(r for r in plan.rows(table) if r.get("id") == row_id)
    return compute_row(schema.SHEETS_BY_KEY[table], row, context, "en")


@pytest.fixture(scope="module")
def plan():
    return demo_plan("en", year=YEAR)


def test_a_line_without_months_is_spread_over_its_actions_months(plan):
    # L005 belongs to A02, search ads from February to December: at the end of June, 5 of its 11 months are over.
    line = next(r for r in plan.rows("budget") if r["id"] == "L005")
    figures = _computed(plan, "budget", "L005")
    assert figures["planned_phased"] is None
    assert figures["planned_to_date"] == pytest.approx(line["planned"] * 5 / 11)
    assert _computed(plan, "actions", "A02")["spread_monthly"] == pytest.approx(
        sum(r["planned"] for r in plan.rows("budget") if r["action_id"] == "A02" and r["id"] not in PHASED_LINES) / 11)


def test_a_phased_line_counts_its_months_up_to_the_situation_date(plan):
    months = PHASED_LINES["L004"]
    assert _computed(plan, "budget", "L004")["planned_phased"] == pytest.approx(sum(months))
    assert _computed(plan, "budget", "L004")["planned_to_date"] == pytest.approx(sum(months[:6]))
    assert _computed(plan, "budget", "L004", dt.date(YEAR, 2, 10))["planned_to_date"] == pytest.approx(sum(months[:2]))


def test_at_the_end_of_the_year_to_date_is_the_whole_year(plan):
    for line in plan.rows("budget"):
        figures = _computed(plan, "budget", line["id"], dt.date(YEAR, 12, 31))
        assert figures["planned_to_date"] == pytest.approx(line["planned"]), line["id"]


def test_mid_year_the_budget_is_no_longer_half_underspent(plan):
    context = PlanContext.of_plan(plan, "en")
    rows = context.computed_rows("budget")
    planned = sum(r["planned"] for r, _ in rows)
    actual = sum(r["actual"] or 0 for r, _ in rows)
    planned_to_date = sum(c["planned_to_date"] for _, c in rows)
    actual_to_date = sum(c["actual_to_date"] or 0 for _, c in rows)
    assert actual / planned < 0.6                     # against the whole year, the plan looks underspent
    assert 0.8 < actual_to_date / planned_to_date < 1.2   # against the months gone by, it is on course


def test_a_kpi_is_judged_against_where_it_should_stand_at_the_situation_date(plan):
    # K06, site traffic, 21,000 to 28,000 visits by December, at 26,500 in June: 79 % of the way against the year-end
    # target (at risk), ahead of its trajectory (24,500 in June): on track.
    figures = _computed(plan, "kpis", "K06")
    assert figures["attainment"] == pytest.approx(5500 / 7000)
    assert figures["target_to_date"] == pytest.approx(21000 + 7000 * 6 / 12)
    assert figures["actual_to_date"] == 26500
    assert figures["status"] == "On track"


def test_typed_monthly_targets_replace_the_trajectory(plan):
    # K09 has a "Target" row: its target at the end of March is the one typed for March.
    assert _computed(plan, "kpis", "K09", dt.date(YEAR, 3, 31))["target_to_date"] == 7400


def test_an_objective_shows_the_progress_of_its_kpis(plan):
    context = PlanContext.of_plan(plan, "en")
    o11 = [c["attainment_to_date"] for r, c in context.computed_rows("kpis") if r["objective_id"] == "O1.1"]
    assert _computed(plan, "objectives", "O1.1")["progress"] == pytest.approx(sum(o11) / len(o11))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("tracking") / "demo.xlsx"
    build_workbook(demo_plan("en", year=YEAR), path, lang="en", runtime="native", template=False)
    return path


def _months_edit(src, dst, edit) -> list[tuple[str, str, str | None]]:
    wb = openpyxl.load_workbook(src)
    edit(wb, *table_of(wb, "budget_months"))
    wb.save(dst)
    return sorted((f.code, f.severity, f.cell) for f in check_file(dst, lang="en").findings)


def test_months_that_disagree_with_the_year_are_an_error(demo_file, tmp_path):
    def edit(wb, ws, table, min_col, header, last):
        ws.cell(header + 1, col("budget_months", "m02", min_col)).value = 999   # L004's February: 800 -> 999
    found = _months_edit(demo_file, tmp_path / "months.xlsx", edit)
    assert found == [("months-disagree", "error", f"B{schema.HEADER_ROW + 1}")]
    [finding] = check_file(tmp_path / "months.xlsx", lang="en").findings
    assert finding.params["line"] == "L004" and "9,799" in finding.message and "9,600" in finding.message


def test_a_second_row_for_the_same_line_and_series_is_an_error(demo_file, tmp_path):
    def edit(wb, ws, table, min_col, header, last):
        rows = [r for r in range(header + 1, last + 1) if ws.cell(r, min_col + 1).value == "Actual"]
        ws.cell(rows[-1], min_col).value = "L004"       # the last "Actual" row becomes a second one for L004
    found = _months_edit(demo_file, tmp_path / "twice.xlsx", edit)
    codes = [code for code, _, _ in found]
    assert "months-row-duplicate" in codes


def test_actual_months_after_the_situation_date_are_shown(demo_file, tmp_path):
    def edit(wb, ws, table, min_col, header, last):
        row = next(r for r in range(header + 1, last + 1) if ws.cell(r, min_col + 1).value == "Actual")
        ws.cell(row, col("budget_months", "m09", min_col)).value = 0   # September, after 30 June
    found = _months_edit(demo_file, tmp_path / "late.xlsx", edit)
    assert ("months-after-situation", "warning") in {(code, severity) for code, severity, _ in found}


def test_check_reports_the_budget_at_the_situation_date(demo_file, plan):
    report = check_file(demo_file, lang="en")
    context = PlanContext.of_plan(plan, "en")
    rows = context.computed_rows("budget")
    figures = report.figures
    assert figures["as_of"] == dt.date(YEAR, 6, 30)
    assert figures["planned_to_date"] == pytest.approx(sum(c["planned_to_date"] for _, c in rows), abs=0.01)
    assert figures["actual_to_date"] == pytest.approx(sum(c["actual_to_date"] or 0 for _, c in rows), abs=0.01)
    assert figures["variance_to_date"] == pytest.approx(figures["actual_to_date"] - figures["planned_to_date"], abs=0.01)
    assert report.to_dict()["figures"]["as_of"] == f"{YEAR}-06-30"


# --- level and year-to-date KPIs (issue 25, point 12) ------------------------------------------------------------

def _year_to_date_revenue(plan, nature: str | None):
    """K01, revenue from 1.85 M€ last year to 2.072 M€, typed month by month as the sales since January: 1.04 M€
    at the end of June, a little ahead of half the year's target."""
    plan = dataclasses.replace(plan, tables={k: [dict(r) for r in rows] for k, rows in plan.tables.items()})
    kpi = next(r for r in plan.rows("kpis") if r["id"] == "K01")
    kpi["nature"], kpi["actual"] = nature, 1_040_000
    months = next(r for r in plan.rows("kpi_months") if r["kpi_id"] == "K01" and r["series"] == "actual")
    months.update({key: 1_040_000 * m / 6 for m, key in enumerate(schema.MONTH_KEYS[:6], 1)})
    return plan


def test_a_year_to_date_kpi_is_judged_against_the_share_of_its_year(plan):
    figures = _computed(_year_to_date_revenue(plan, "cumulative"), "kpis", "K01")
    assert figures["baseline_to_date"] == pytest.approx(1_850_000 / 2)    # last year's pace
    assert figures["target_to_date"] == pytest.approx(2_072_000 / 2)      # from zero to the year's target
    assert figures["attainment_to_date"] == pytest.approx((1_040_000 - 925_000) / (1_036_000 - 925_000))
    assert figures["status"] == "On track"


def test_the_same_kpi_read_as_a_level_is_far_behind(plan):
    # As a level, the sales since January are compared with a trajectory from the yearly baseline: what the
    # template said of every KPI before it knew the difference.
    figures = _computed(_year_to_date_revenue(plan, "level"), "kpis", "K01")
    assert figures["target_to_date"] == pytest.approx(1_850_000 + 222_000 / 2)
    assert figures["attainment_to_date"] < -5
    assert figures["status"] == "Off track"
    assert _computed(_year_to_date_revenue(plan, None), "kpis", "K01") == figures   # blank: a level


def test_the_starter_library_says_which_kpis_add_up_since_january():
    from mplan_xl.core.plan import Identity, Plan

    kinds = {r["name"]: r["nature"] for r in Plan.blank(Identity(company="X", year=YEAR), "en").rows("kpis")}
    assert kinds["Revenue"] == "cumulative"
    assert {kinds["Conversion rate"], kinds["Site traffic"], kinds["Number of customers"]} == {"level"}


def test_the_demo_shows_both_kinds(plan):
    natures = {r["id"]: r["nature"] for r in plan.rows("kpis")}
    assert natures["K07"] == natures["K10"] == "cumulative" and natures["K09"] == "level"
    # K10, press coverage since January: 4 articles in June for 12 by October, 5 last year: 3 due by June at last
    # year's pace, 7.2 for this year's target.
    figures = _computed(plan, "kpis", "K10")
    assert (figures["baseline_to_date"], figures["target_to_date"]) == (pytest.approx(3), pytest.approx(7.2))
