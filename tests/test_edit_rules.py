"""How `check` judges ordinary edits, made here with openpyxl (fast; the LibreOffice UNO edits are in
test_user_edits.py): one finding per cause, values outside the tables, columns found by header,
starter KPIs as suggestions, a totals row left alone."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import mplan_xl
from mplan_xl.core import schema
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.core.plan import Identity, Plan
from mplan_xl.read.plan_reader import a1
from mplan_xl.workbook.guide_status import status_values
from mplan_xl.check.validator import check_file

from conftest import YEAR


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return mplan_xl.demo_workbook(tmp_path_factory.mktemp("edits") / "demo.xlsx", lang="en", year=YEAR)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return mplan_xl.new_workbook(tmp_path_factory.mktemp("edits") / "template.xlsx", lang="en", year=YEAR)


def table_of(wb, key: str):
    """(worksheet, table, first column, header row, last row), 1-based as openpyxl counts."""
    sheet = schema.SHEETS_BY_KEY[key]
    for ws in wb.worksheets:
        if sheet.table in ws.tables:
            table = ws.tables[sheet.table]
            min_col, min_row, _, max_row = openpyxl.utils.cell.range_boundaries(table.ref)
            return ws, table, min_col, min_row, max_row
    raise AssertionError(key)


def col(key: str, column: str, min_col: int) -> int:
    return min_col + schema.SHEETS_BY_KEY[key].index(column)


def edited(src: Path, dst: Path, edit) -> list[tuple[str, str, str | None]]:
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dst)
    return sorted((f.code, f.severity, f.cell) for f in check_file(dst, lang="en").findings)


def test_an_untouched_template_has_no_error(template):
    findings = check_file(template, lang="en").findings
    assert [(f.code, f.severity) for f in findings] == [("plan-empty", "warning")]
    status = status_values(Plan.blank(Identity(year=YEAR), "en"))
    assert status["errors_left"] == 0 and status["objectives"] == 0


def test_a_starter_kpi_is_checked_once_it_is_used(template, tmp_path):
    def use_k01(wb):
        ws, _, min_col, header, _ = table_of(wb, "kpis")
        ws.cell(header + 1, col("kpis", "target", min_col)).value = 0.05     # K01 gets a target, no objective

    found = edited(template, tmp_path / "k.xlsx", use_k01)
    wb = openpyxl.load_workbook(template)
    _, _, min_col, header, _ = table_of(wb, "kpis")
    assert found == [("plan-empty", "warning", None),
                     ("required-missing", "error", a1(header, col("kpis", "objective_id", min_col) - 1))]


def test_values_outside_the_tables(demo, tmp_path):
    def type_outside(wb):
        ws, _, min_col, _, last = table_of(wb, "budget")
        ws.cell(last + 1, col("budget", "id", min_col)).value = "L099"           # a budget line under the table
        ws.cell(last + 1, col("budget", "action_id", min_col)).value = "A01"
        ws.cell(last + 1, col("budget", "planned", min_col)).value = 250000
        ws.cell(last + 4, col("budget", "planned", min_col)).value = 12          # a lone value further down
        ws.cell(6, col("budget", schema.BUDGET.columns[-1].key, min_col) + 2).value = "note"    # a note right of the table

    wb = openpyxl.load_workbook(demo)
    _, _, min_col, _, last = table_of(wb, "budget")
    found = edited(demo, tmp_path / "outside.xlsx", type_outside)
    assert found == sorted([("row-outside-table", "error", a1(last, min_col - 1)),
                            ("value-outside-table", "warning", a1(5, col("budget", schema.BUDGET.columns[-1].key, min_col) + 1))])
    warning = next(f for f in check_file(tmp_path / "outside.xlsx", lang="en").findings if f.code == "value-outside-table")
    assert warning.message.startswith("2 value(s) outside the tables")


def test_a_totals_row_is_part_of_the_table(demo, tmp_path):
    """Budget and Actions come with a total row; one the team adds to another table (Excel: Table Design >
    Total Row) is no data either."""
    def add_totals(wb):
        ws, table, min_col, header, last = table_of(wb, "review")
        budget = col("review", "budget", min_col)
        ws.cell(last + 1, min_col).value = "Total"
        ws.cell(last + 1, budget).value = f"=SUBTOTAL(109,{schema.REVIEW.table}[{schema.REVIEW.column('budget').header('en')}])"
        table.ref = f"{table.ref.split(':')[0]}:{openpyxl.utils.get_column_letter(min_col + len(schema.REVIEW.columns) - 1)}{last + 1}"
        table.totalsRowCount = 1

    assert edited(demo, tmp_path / "totals.xlsx", add_totals) == []


def test_a_total_row_that_lost_its_marking_is_still_no_data(demo, tmp_path):
    """An .ods round trip keeps the total row's label and SUBTOTAL formulas but not the table's mark of it."""
    def unmark(wb):
        for key in ("budget", "actions"):
            _, table, _, _, _ = table_of(wb, key)
            table.totalsRowCount = None

    assert edited(demo, tmp_path / "unmarked.xlsx", unmark) == []


def test_typed_values_over_a_column_are_one_finding(demo, tmp_path):
    def overwrite(wb):
        ws, _, min_col, header, _ = table_of(wb, "actions")
        for r in range(header + 2, header + 5):
            ws.cell(r, col("actions", "roi", min_col)).value = 0.5
        ws.cell(header + 8, col("actions", "roi", min_col)).value = None

    wb = openpyxl.load_workbook(demo)
    _, _, min_col, header, _ = table_of(wb, "actions")
    roi = col("actions", "roi", min_col) - 1
    edited(demo, tmp_path / "o.xlsx", overwrite)
    found = check_file(tmp_path / "o.xlsx", lang="en").findings
    assert sorted((f.code, f.cell) for f in found) == [("computed-overwritten", a1(header + 1, roi)),
                                                        ("formula-missing", a1(header + 7, roi))]
    typed = next(f for f in found if f.code == "computed-overwritten")
    assert f"3 cell(s) hold a typed value instead of the formula: {a1(header + 1, roi)}:{a1(header + 3, roi)}" in typed.message


def test_the_same_formula_in_cell_references_is_a_warning(demo, tmp_path):
    def to_a1(wb):
        ws, _, min_col, header, _ = table_of(wb, "budget")
        actual, planned = (openpyxl.utils.get_column_letter(col("budget", k, min_col)) for k in ("actual", "planned"))
        for r in (header + 1, header + 2):
            ws.cell(r, col("budget", "variance", min_col)).value = (
                f"=IF(AND(ISNUMBER(Budget!${actual}{r}),ISNUMBER(Budget!${planned}{r})),Budget!${actual}{r}-Budget!${planned}{r},\"\")")
        r = header + 3   # the neighbour's row: a different computation
        ws.cell(r, col("budget", "variance", min_col)).value = (
            f"=IF(AND(ISNUMBER(Budget!${actual}{r - 1}),ISNUMBER(Budget!${planned}{r})),Budget!${actual}{r - 1}-Budget!${planned}{r},\"\")")

    wb = openpyxl.load_workbook(demo)
    _, _, min_col, header, _ = table_of(wb, "budget")
    variance = col("budget", "variance", min_col) - 1
    assert edited(demo, tmp_path / "a1.xlsx", to_a1) == [("formula-altered", "error", a1(header + 2, variance)),
                                                         ("formula-as-cell-references", "warning", a1(header, variance))]


def test_a_column_added_inside_a_table_is_one_warning(demo, tmp_path):
    def add_column(wb):
        ws, table, min_col, header, last = table_of(wb, "actions")
        at = col("actions", "budget", min_col)
        ws.insert_cols(at)
        ws.cell(header, at).value = "Comment"
        end = openpyxl.utils.get_column_letter(min_col + len(schema.ACTIONS.columns))
        table.ref = f"{table.ref.split(':')[0]}:{end}{last}"
        table.tableColumns.insert(at - min_col, openpyxl.worksheet.table.TableColumn(id=99, name="Comment"))
        for i, column in enumerate(table.tableColumns, 1):
            column.id = i

    wb = openpyxl.load_workbook(demo)
    _, _, min_col, header, _ = table_of(wb, "actions")
    at = a1(header - 1, col("actions", "budget", min_col) - 1)
    assert edited(demo, tmp_path / "column.xlsx", add_column) == [("column-unknown", "warning", at)]


def test_the_seeded_demo_counts_the_amount_typed_as_text():
    plan = demo_plan(lang="fr", year=YEAR, with_errors=True)
    status = status_values(plan)
    assert status["budget_planned_text"] == 1 and status["errors_left"] == 8
