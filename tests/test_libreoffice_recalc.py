"""LibreOffice, an independent spreadsheet engine, recalculates our workbooks and agrees with Python."""

from __future__ import annotations

import math
import subprocess

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from mplan_xl import libreoffice, schema
from mplan_xl.computed import PlanContext, compute_row
from mplan_xl.demo import demo_plan
from mplan_xl.plan import Identity, Plan
from mplan_xl.guide_status import LIVE_TERMS, STATUS_ITEMS, status_values, term_values

from conftest import YEAR, needs_libreoffice

ERROR_MARKERS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


@pytest.fixture(scope="module")
def recalculated(built, tmp_path_factory):
    """Every built workbook, recalculated by LibreOffice in one run, then read by calamine."""
    out = tmp_path_factory.mktemp("lo")
    names = list(built)
    paths = libreoffice.convert([built[n] for n in names], "xlsx", out)
    return {n: p for n, p in zip(names, paths)}


def _plan(name: str) -> Plan:
    lang = name[-2:]
    if name.startswith("demo"):
        return demo_plan(lang=lang, year=YEAR)
    return Plan.blank(Identity(company="Atelier Lumen", year=YEAR, envelope=50000), lang)


def _same(expected, actual) -> bool:
    if expected is None:
        return actual in ("", None)
    if isinstance(expected, float) or isinstance(expected, int):
        return isinstance(actual, (int, float)) and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    return expected == actual


@needs_libreoffice
@pytest.mark.parametrize("name", ["template-fr", "template-en", "demo-fr", "demo-en"])
def test_no_error_value_anywhere_after_recalculation(recalculated, name):
    wb = CalamineWorkbook.from_path(str(recalculated[name]))
    for sheet_name in wb.sheet_names:
        for r, row in enumerate(wb.get_sheet_by_name(sheet_name).to_python()):
            for c, value in enumerate(row):
                assert not (isinstance(value, str) and value.startswith(ERROR_MARKERS)), (sheet_name, r, c, value)


@needs_libreoffice
@pytest.mark.parametrize("name", ["template-fr", "template-en", "demo-fr", "demo-en"])
def test_every_computed_cell_matches_python(built, recalculated, name):
    lang = name[-2:]
    plan = _plan(name)
    context = PlanContext.of_plan(plan, lang)
    original = openpyxl.load_workbook(built[name])
    refs = {t.name: t.ref for ws in original.worksheets for t in ws.tables.values()}
    by_table = {s.table: s for s in schema.TABLES}
    assert all(bool(t.totalsRowCount) == by_table[t.name].has_totals for ws in original.worksheets for t in ws.tables.values())
    wb = CalamineWorkbook.from_path(str(recalculated[name]))
    checked = 0
    for sheet in schema.TABLES:
        min_col, min_row, _, max_row = openpyxl.utils.cell.range_boundaries(refs[sheet.table])
        grid = wb.get_sheet_by_name(schema.worksheet_name(sheet.worksheet, lang)).to_python()
        rows = plan.rows(sheet.key)
        for i in range(max_row - min_row - sheet.has_totals):
            expected = compute_row(sheet, rows[i], context, lang) if i < len(rows) else {}
            for column in sheet.computed_columns:
                actual = grid[min_row + i][min_col - 1 + sheet.index(column.key)]
                assert _same(expected.get(column.key), actual), (sheet.key, i, column.key, expected.get(column.key), actual)
                checked += 1
    assert checked > 200


@needs_libreoffice
@pytest.mark.parametrize("name", ["template-fr", "demo-fr", "demo-en"])
def test_live_status_block_matches_python(built, recalculated, name):
    lang = name[-2:]
    plan = _plan(name)
    expected = status_values(plan)
    grid = CalamineWorkbook.from_path(str(recalculated[name])).get_sheet_by_name(
        schema.worksheet_name("guide", lang)).to_python()
    # calamine trims leading empty columns: find each label, take the cell to its right.
    labels = {row[c]: row[c + 1] for row in grid for c in range(len(row) - 1) if isinstance(row[c], str) and row[c]}
    for item in STATUS_ITEMS:
        assert _same(expected[item.key], labels[item.label(lang)]), (item.key, expected[item.key], labels[item.label(lang)])
    if name.startswith("demo"):
        assert expected["errors_left"] == 0 and expected["objectives"] >= 6
    terms = CalamineWorkbook.from_path(str(recalculated[name])).get_sheet_by_name(schema.STATUS_SHEET).to_python()[1:]
    assert [row[4] for row in terms] == term_values(plan) and len(terms) == len(LIVE_TERMS) > 100


@needs_libreoffice
def test_libreoffice_renders_template_and_demo_to_pdf(built, tmp_path):
    pdfs = libreoffice.convert([built["template-fr"], built["demo-en"]], "pdf", tmp_path)
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 20_000
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
        if pages.returncode == 0:
            count = int(next(line.split()[-1] for line in pages.stdout.splitlines() if line.startswith("Pages")))
            assert count >= 8


def _cells(path, sheet_name):
    """Every non-empty cell of a sheet as calamine reads it (cached values): (row, col) -> value."""
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    return {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row) if v not in ("", None)}


@needs_libreoffice
@pytest.mark.parametrize("name", ["template-fr", "template-en", "demo-fr", "demo-en"])
@pytest.mark.parametrize("sheet_key", ["summary", "swot_grid", "dashboard", "budget", "actions"])
def test_presentation_figures_match_python(built, recalculated, name, sheet_key):
    """The Synthèse, the SWOT matrix, the dashboard's chart data and the tables' total rows: every value the
    builder computed in Python (the cached result) is what LibreOffice computes from the formulas."""
    sheet_name = schema.worksheet_name(sheet_key, name[-2:])
    expected, actual = _cells(built[name], sheet_name), _cells(recalculated[name], sheet_name)
    assert set(expected) == set(actual), sorted(set(expected) ^ set(actual))[:10]
    for key, value in expected.items():
        assert _same(value, actual[key]) or value == actual[key], (sheet_name, key, value, actual[key])
    if name.startswith("demo") and sheet_key == "summary":
        assert len(expected) > 150
