"""The generated workbook, read back by openpyxl and python-calamine."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import mplan_xl
from mplan_xl.core import schema
from mplan_xl.core.computed import column_formula
from mplan_xl.core.schema import Kind
from mplan_xl.workbook.styles import number_format
from mplan_xl.core.vocabulary import ALL_LISTS

from conftest import YEAR

NAMES = ["template-fr", "template-en", "demo-fr", "demo-en"]


def _lang(name: str) -> str:
    return name[-2:]


def _tables(wb: openpyxl.Workbook) -> dict:
    """Excel table name -> (worksheet, table)."""
    return {t.name: (ws, t) for ws in wb.worksheets for t in ws.tables.values()}


def _each_table(path):
    """For every schema table of the workbook: (sheet, worksheet, table, first column, header row, last data row),
    1-based (the total row, when the table has one, is not a data row)."""
    tables = _tables(openpyxl.load_workbook(path))
    for sheet in schema.TABLES:
        ws, table = tables[sheet.table]
        min_col, min_row, _, max_row = openpyxl.utils.cell.range_boundaries(table.ref)
        yield sheet, ws, table, min_col, min_row, max_row - (table.totalsRowCount or 0)


@pytest.mark.parametrize("name", NAMES)
def test_sheets_in_order_with_hidden_support_sheets(built, name):
    lang = _lang(name)
    wb = openpyxl.load_workbook(built[name])
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert visible == [label(lang) for _, label in schema.workbook_sheets()]
    hidden = {ws.title for ws in wb.worksheets if ws.sheet_state == "hidden"}
    assert hidden == {schema.LISTS_SHEET, schema.CONFIG_SHEET, schema.META_SHEET, schema.STATUS_SHEET}


@pytest.mark.parametrize("name", NAMES)
def test_every_table_has_the_declared_headers_in_its_language(built, name):
    lang = _lang(name)
    wb = openpyxl.load_workbook(built[name])
    tables = _tables(wb)
    assert set(tables) == {s.table for s in schema.TABLES}
    for sheet in schema.TABLES:
        ws, table = tables[sheet.table]
        assert ws.title == schema.worksheet_name(sheet.worksheet, lang)
        assert [c.name for c in table.tableColumns] == sheet.headers(lang)
        first_row = openpyxl.utils.cell.range_boundaries(table.ref)[1]
        assert first_row == schema.HEADER_ROW
        # The header row, and the id column when the sheet's tables have ids, stay in view.
        first = schema.tables_on(sheet.worksheet)[0]
        assert ws.freeze_panes == f"{'B' if first.id_column else 'A'}{schema.HEADER_ROW + 1}"


def test_english_and_french_headers_differ_and_are_complete():
    for sheet in schema.TABLES:
        for column in sheet.columns:
            assert column.header("fr") and column.header("en")
    differing = [c for s in schema.TABLES for c in s.columns if c.header("fr") != c.header("en")]
    assert len(differing) > 50


@pytest.mark.parametrize("name", ["template-fr", "demo-en"])
def test_computed_columns_carry_table_formulas_and_are_locked(built, name):
    """Table-level calculated column formulas make Excel fill inserted rows; sheets are not protected,
    so inserting, deleting and sorting rows work in Excel and LibreOffice."""
    lang = _lang(name)
    for sheet, ws, table, min_col, min_row, _ in _each_table(built[name]):
        for j, column in enumerate(sheet.columns):
            table_column = table.tableColumns[j]
            cell = ws.cell(min_row + 1, min_col + j)
            if column.is_input:
                assert table_column.calculatedColumnFormula is None
                assert cell.protection.locked is False, (sheet.key, column.key)
            else:
                expected = column_formula(sheet, column, "native", lang)
                assert table_column.calculatedColumnFormula.attr_text == expected
                assert cell.value == "=" + expected
                assert cell.protection.locked is True
        assert ws.protection.sheet is False


def test_protection_is_an_option(tmp_path):
    path = mplan_xl.new_workbook(tmp_path / "protected.xlsx", protect=True)
    wb = openpyxl.load_workbook(path)
    for key, label in schema.WORKSHEETS:
        ws = wb[label("fr")]
        if key != "dashboard":
            assert ws.protection.sheet is True and not ws.protection.password, key
        if schema.tables_on(key):
            # False means "allowed" in OOXML's inverted flags
            assert ws.protection.insertRows is False and ws.protection.sort is False, key


@pytest.mark.parametrize("name", ["template-fr", "template-en"])
def test_validation_covers_every_constrained_column_of_every_row(built, name):
    for sheet, ws, _, min_col, min_row, max_row in _each_table(built[name]):
        by_column = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                by_column[(rng.min_col, rng.min_row, rng.max_row)] = dv
        for j, column in enumerate(sheet.columns):
            key = (min_col + j, min_row + 1, max_row)
            constrained = column.is_input and column.kind not in (Kind.TEXT, Kind.LONG_TEXT)
            assert (key in by_column) == constrained, (sheet.key, column.key)
            if not constrained:
                continue
            dv = by_column[key]
            assert dv.prompt and dv.error, (sheet.key, column.key)
            if column.kind is Kind.CHOICE:
                assert dv.type == "list" and dv.formula1 == f"list_{column.choices.key}"
            elif column.kind is Kind.DATE and column.in_plan_year:
                assert dv.type == "date" and dv.formula1 == f"DATE({schema.NAME_YEAR},1,1)"
            elif column.kind.is_number:
                assert dv.type in ("decimal", "whole")


@pytest.mark.parametrize("name", ["template-fr", "template-en"])
def test_dropdown_lists_hold_the_labels_of_the_language(built, name):
    lang = _lang(name)
    wb = openpyxl.load_workbook(built[name])
    lists = wb[schema.LISTS_SHEET]
    for col, choice_list in enumerate(ALL_LISTS, 1):
        values = [lists.cell(r, col).value for r in range(2, 2 + len(choice_list.choices))]
        assert values == choice_list.labels(lang)
        dest = wb.defined_names[f"list_{choice_list.key}"].attr_text
        assert dest.startswith(f"{schema.LISTS_SHEET}!$")


@pytest.mark.parametrize("name", ["demo-fr", "demo-en"])
def test_number_formats_follow_the_language(built, name):
    lang = _lang(name)
    wb = openpyxl.load_workbook(built[name])
    tables = _tables(wb)
    ws, table = tables["tblBudget"]
    min_col, min_row, _, _ = openpyxl.utils.cell.range_boundaries(table.ref)
    planned = ws.cell(min_row + 1, min_col + schema.BUDGET.index("planned"))
    assert planned.number_format == number_format(Kind.MONEY, lang, "€")
    ws, table = tables["tblActions"]
    min_col, min_row, _, _ = openpyxl.utils.cell.range_boundaries(table.ref)
    start = ws.cell(min_row + 1, min_col + schema.ACTIONS.index("start"))
    assert start.number_format == ("dd/mm/yyyy" if lang == "fr" else "d mmm yyyy")
    assert start.value.year == YEAR


@pytest.mark.parametrize("name", NAMES)
def test_metadata_in_hidden_sheet_and_document_properties(built, name):
    lang = _lang(name)
    wb = openpyxl.load_workbook(built[name])
    meta = {row[0]: row[1] for row in wb[schema.META_SHEET].iter_rows(min_row=2, values_only=True)}
    assert meta["template_id"] == schema.TEMPLATE_ID
    assert meta["template_version"] == schema.TEMPLATE_VERSION
    assert meta["lang"] == lang and meta["runtime"] == "native" and meta["year"] == YEAR
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["mplan_template_id"] == schema.TEMPLATE_ID
    assert props["mplan_template_version"] == schema.TEMPLATE_VERSION
    guide = wb[schema.worksheet_name("guide", lang)]
    year_cell = wb.defined_names[schema.NAME_YEAR].attr_text.split("!")[1].replace("$", "")
    assert guide[year_cell].value == YEAR


@pytest.mark.parametrize("name", NAMES)
def test_calamine_reads_the_same_headers(built, name):
    lang = _lang(name)
    wb = CalamineWorkbook.from_path(str(built[name]))
    for sheet in (schema.OBJECTIVES, schema.ACTIONS, schema.BUDGET, schema.KPIS, schema.REVIEW):
        rows = wb.get_sheet_by_name(schema.worksheet_name(sheet.worksheet, lang)).to_python()
        assert rows[schema.HEADER_ROW - 1][: len(sheet.columns)] == sheet.headers(lang)


def test_template_prefills_kpi_library_and_diagnostic(built):
    wb = CalamineWorkbook.from_path(str(built["template-en"]))
    rows = wb.get_sheet_by_name("KPIs").to_python()
    names = [r[1] for r in rows[schema.HEADER_ROW:] if r[1]]
    assert names[:3] == ["Marketing ROI", "Customer acquisition cost", "Average basket"]
    assert len(names) == len(schema.KPI_LIBRARY)


def test_workbook_has_six_native_charts_on_the_dashboard(built):
    """Four on the first page; the progress curves (budget cumulated, the KPI picked) on the next."""
    with zipfile.ZipFile(built["demo-fr"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        kinds = [z.read(n).decode() for n in charts]
    assert len(charts) == 6
    assert sum("<c:lineChart>" in k for k in kinds) == 2


@pytest.mark.parametrize("name", ["template-fr", "demo-en"])
def test_the_kpi_curve_is_picked_from_a_dropdown_of_the_kpi_ids(built, name):
    lang = name[-2:]
    ws = openpyxl.load_workbook(built[name])[schema.worksheet_name("dashboard", lang)]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and "tblKpi" in lists[0].formula1
    cell = ws[str(lists[0].sqref).split(":")[0]]
    assert cell.value == "K01" and cell.protection.locked is False  # the first KPI with monthly values
