"""LibreOffice, an independent spreadsheet engine, recalculates our workbooks and agrees with Python."""

from __future__ import annotations

import math
import subprocess

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from mplan_xl.core import schema
from mplan_xl.excel import libreoffice
from mplan_xl.workbook import synthesis
from mplan_xl.workbook.builder import build_workbook
from mplan_xl.core.computed import PlanContext, compute_row, situation_date
from mplan_xl.workbook.dashboard_sheet import TEXTS as DASHBOARD_TEXTS
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.core.plan import Identity, Plan
from mplan_xl.workbook.guide_status import LIVE_TERMS, RESULT_ITEMS, STATUS_ITEMS, status_values, term_values
from mplan_xl.read.reader import CellError, read_workbook

from conftest import YEAR, needs_libreoffice

ERROR_MARKERS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


@pytest.fixture(scope="module", params=["fr-FR", "en-US"])
def recalculated(built, tmp_path_factory, request):
    """Every built workbook, recalculated by LibreOffice in one run (running in the French locale, as a French
    desk, and in en-US), then read by calamine."""
    out = tmp_path_factory.mktemp("lo")
    names = list(built)
    paths = libreoffice.convert([built[n] for n in names], "xlsx", out, locale=request.param)
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


def _error_cells(path) -> dict[tuple[str, int, int], str]:
    """Every cell holding an error value (calamine reads them as blanks; the reader's sheet scan finds them)."""
    wb = read_workbook(path)
    try:
        return {(sheet, r, c): value for sheet, kind in wb.sheet_kinds.items() if kind == "worksheet"
                for r, row in enumerate(wb.values(sheet)) for c, value in enumerate(row) if isinstance(value, CellError)}
    finally:
        wb.close()


def _deliberate_gaps(path, lang: str) -> set[tuple[str, int, int]]:
    """The months without data of the dashboard's progress curves: formulas that return NA() on purpose (a chart
    draws no point for #N/A), cached as #N/A by Python."""
    dashboard = schema.worksheet_name("dashboard", lang)
    wb = read_workbook(path)
    try:
        formulas = wb.formulas(dashboard)
    finally:
        wb.close()
    return {key for key, value in _error_cells(path).items()
            if key[0] == dashboard and value == "#N/A" and "NA()" in formulas.get(key[1:], "")}


@needs_libreoffice
@pytest.mark.parametrize("name", ["template-fr", "template-en", "demo-fr", "demo-en"])
def test_no_error_value_anywhere_after_recalculation(built, recalculated, name):
    wb = CalamineWorkbook.from_path(str(recalculated[name]))
    for sheet_name in wb.sheet_names:
        for r, row in enumerate(wb.get_sheet_by_name(sheet_name).to_python()):
            for c, value in enumerate(row):
                assert not (isinstance(value, str) and value.startswith(ERROR_MARKERS)), (sheet_name, r, c, value)
    # The only error cells are the curves' months without data, exactly those Python left without a point.
    gaps = _deliberate_gaps(built[name], name[-2:])
    assert set(_error_cells(recalculated[name])) == gaps
    assert all(value == "#N/A" for value in _error_cells(recalculated[name]).values())
    if name.startswith("demo"):
        assert len(gaps) == 12  # July to December: no actual yet, on the budget curve and on the KPI curve


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


def _grid(path, sheet_name) -> list[list]:
    """A sheet's cached values, error values included (:class:`~mplan_xl.read.reader.CellError`)."""
    wb = read_workbook(path)
    try:
        return wb.values(sheet_name)
    finally:
        wb.close()


def _cells(path, sheet_name):
    """Every non-empty cell of a sheet as the reader reads it (cached values, errors included): (row, col) -> value."""
    return {(r, c): v for r, row in enumerate(_grid(path, sheet_name)) for c, v in enumerate(row) if v not in ("", None)}


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


def _rows_under(grid, header: str, column: int = 1, count: int = 12) -> list[list]:
    """The *count* rows under the row whose cell *column* is *header*."""
    top = next(r for r, row in enumerate(grid) if len(row) > column and row[column] == header)
    return grid[top + 1:top + 1 + count]


def _point(expected, actual) -> bool:
    """A curve's point: a number, or no point (#N/A) where Python has none."""
    return actual == "#N/A" if expected is None else _same(expected, actual)


def _check_curves(path, plan: Plan, lang: str) -> None:
    grid = _grid(path, schema.worksheet_name("dashboard", lang))
    as_of = situation_date(plan.identity.year, plan.identity.situation)
    figures = synthesis.Figures(plan.tables, plan.identity.year, lang, plan.identity.envelope, as_of)
    envelope = plan.identity.envelope
    budget = _rows_under(grid, DASHBOARD_TEXTS["planned_cum"](lang))
    for j, (row, (planned, actual)) in enumerate(zip(budget, figures.budget_curve(), strict=True), 1):
        assert _same(planned, row[1]) and _point(actual, row[2]) and _point(envelope, row[3]), (j, row[:4], planned, actual)
    kpi_id = synthesis.curve_kpi(plan.tables)
    curve = figures.kpi_curve(kpi_id)
    titles = {row[0]: row[1] for row in grid if len(row) > 1 and isinstance(row[0], str)}
    assert titles[DASHBOARD_TEXTS["kpi_title"](lang)] == curve.title
    points = _rows_under(grid, DASHBOARD_TEXTS["trajectory"](lang))
    for j, (row, (target, actual)) in enumerate(zip(points, curve.points, strict=True), 1):
        assert _point(target, row[1]) and _point(actual, row[2]), (j, row[:3], target, actual)


@needs_libreoffice
@pytest.mark.parametrize("name", ["template-fr", "template-en", "demo-fr", "demo-en"])
def test_progress_curves_match_python(recalculated, name):
    """The dashboard's progress curves, recalculated by LibreOffice: month by month the Python figures (the
    cached values, compared above), no point where Python has none."""
    _check_curves(recalculated[name], _plan(name), name[-2:])


@needs_libreoffice
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_progress_curves_meet_the_figures_to_date(recalculated, lang):
    """At the situation month the curves stand where the Budget and KPI sheets' figures to date do: the planned
    and actual cumulated are the sums of the lines' planned and actual to date, the KPI's target and actual
    its target and actual to date; the planned cumulated in December is the year's planned budget."""
    plan = _plan(f"demo-{lang}")
    context = PlanContext.of_plan(plan, lang)
    grid = _grid(recalculated[f"demo-{lang}"], schema.worksheet_name("dashboard", lang))
    month = context.month
    budget = _rows_under(grid, DASHBOARD_TEXTS["planned_cum"](lang))
    lines = [compute_row(schema.BUDGET, row, context, lang) for row in plan.rows("budget")]
    assert _same(math.fsum(c["planned_to_date"] or 0 for c in lines), budget[month - 1][1])
    assert _same(math.fsum(c["actual_to_date"] or 0 for c in lines), budget[month - 1][2])
    assert _same(math.fsum(r["planned"] for r in plan.rows("budget")), budget[11][1])
    assert budget[month][2] == "#N/A"
    kpi_id = synthesis.curve_kpi(plan.tables)
    kpi = next(k for k in plan.rows("kpis") if k["id"] == kpi_id)
    figures = compute_row(schema.KPIS, kpi, context, lang)
    points = _rows_under(grid, DASHBOARD_TEXTS["trajectory"](lang))
    assert _same(figures["target_to_date"], points[month - 1][1]) and _same(figures["actual_to_date"], points[month - 1][2])


@pytest.fixture(scope="module")
def typed_targets(tmp_path_factory):
    """The demo whose curve shows at first K09, the KPI whose target is typed month by month (its objective due
    in June), and a line whose actual has no months: recalculated by LibreOffice."""
    folder = tmp_path_factory.mktemp("curves")
    out = {}
    for lang in ("fr", "en"):
        plan = demo_plan(lang=lang, year=YEAR)
        plan.tables["kpi_months"] = [r for r in plan.tables["kpi_months"] if r["kpi_id"] >= "K09"]
        spent = next(r["line_id"] for r in plan.tables["budget_months"] if r["series"] == "actual")
        plan.tables["budget_months"] = [r for r in plan.tables["budget_months"]
                                        if not (r["series"] == "actual" and r["line_id"] == spent)]
        out[lang] = (plan, build_workbook(plan, folder / f"k09-{lang}.xlsx", lang=lang, template=False))
    lo = {lang: libreoffice.convert([path], "xlsx", folder / lang, locale=libreoffice.LOCALES[lang])[0]
          for lang, (_, path) in out.items()}
    return {lang: (plan, built, lo[lang]) for lang, (plan, built) in out.items()}


@needs_libreoffice
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_kpi_curve_with_typed_targets_and_actuals_without_months(typed_targets, lang):
    plan, built, lo = typed_targets[lang]
    assert synthesis.curve_kpi(plan.tables) == "K09" and synthesis.unmonthed_actual(plan.tables) > 0
    _check_curves(built, plan, lang)   # the cached values
    _check_curves(lo, plan, lang)      # LibreOffice's
    grid = _grid(lo, schema.worksheet_name("dashboard", lang))
    typed = next(r for r in plan.rows("kpi_months") if r["kpi_id"] == "K09" and r["series"] == "target")
    points = _rows_under(grid, DASHBOARD_TEXTS["trajectory"](lang))
    assert [p[1] for p in points[:6]] == [typed[k] for k in schema.MONTH_KEYS[:6]]
    kpi = next(k for k in plan.rows("kpis") if k["id"] == "K09")
    assert all(_same(kpi["target"], p[1]) for p in points[6:])  # the objective is due in June: the target holds


# --- results: achieved gain and ROI, blank where nothing is measured ------------------------------------------

def _results_plan(lang: str) -> Plan:
    """The demo with the edges of the achieved results: an action measured at zero, one measured without any actual
    spend, one whose gain was typed as text, actions not measured, and two actions sharing a campaign code."""
    plan = demo_plan(lang=lang, year=YEAR)
    actions = {a["id"]: a for a in plan.rows("actions")}
    actions["A06"]["achieved_gain"] = 500          # no actual spend yet: ROI undefined, blank
    actions["A07"]["achieved_gain"] = 0            # measured, brought nothing: −100 %
    actions["A08"]["achieved_gain"] = "1 200,50"   # text: not a number, blank (check reports it)
    actions["A03"]["campaign"] = actions["A02"]["campaign"].upper()   # the same code, in capitals
    return plan


@pytest.fixture(scope="module", params=["fr-FR", "en-US"])
def results_edges(tmp_path_factory, request):
    """The results edge plan in French and English, built, then recalculated by LibreOffice in *request.param*."""
    out = tmp_path_factory.mktemp("results")
    built = {lang: build_workbook(_results_plan(lang), out / f"results-{lang}.xlsx", lang=lang) for lang in ("fr", "en")}
    recalc = libreoffice.convert(list(built.values()), "xlsx", out / request.param, locale=request.param)
    return {lang: (built[lang], path) for lang, path in zip(built, recalc)}


@needs_libreoffice
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_achieved_roi_is_the_python_metric_and_blank_where_nothing_is_measured(results_edges, lang):
    """ROI réalisé = metrics.roi(achieved gain, actual spend), the expected ROI's function, through the native
    formula recalculated by LibreOffice; no 0 % or −100 % for an action not measured (nor measured without spend,
    nor typed as text). The Synthèse, dashboard and Guide figures (expected beside achieved) agree too, and the
    live status counts the shared campaign code."""
    built, recalc = results_edges[lang]
    plan = _results_plan(lang)
    context = PlanContext.of_plan(plan, lang)
    grid = CalamineWorkbook.from_path(str(recalc)).get_sheet_by_name(schema.worksheet_name("actions", lang)).to_python()
    header = next(r for r, row in enumerate(grid) if schema.ACTIONS.column("id").header(lang) in row)
    col = {key: grid[header].index(schema.ACTIONS.column(key).header(lang))
           for key in ("id", "actual_spend", "roi_achieved", "roi")}
    shown = {}
    for action, row in zip(plan.rows("actions"), grid[header + 1:]):
        expected = compute_row(schema.ACTIONS, action, context, lang)
        assert row[col["id"]] == action["id"]
        for key in ("actual_spend", "roi_achieved", "roi"):
            assert _same(expected[key], row[col[key]]), (action["id"], key, expected[key], row[col[key]])
        shown[action["id"]] = row[col["roi_achieved"]]
    assert shown["A07"] == -1                                         # measured at zero: everything spent was lost
    assert all(shown[a] == "" for a in ("A03", "A06", "A08", "A09"))  # not measured, no spend, text, nothing
    assert math.isclose(shown["A01"], (25200 - 17630) / 17630)
    for sheet_key in ("summary", "dashboard"):
        name = schema.worksheet_name(sheet_key, lang)
        expected_cells, actual_cells = _cells(built, name), _cells(recalc, name)
        assert set(expected_cells) == set(actual_cells)
        assert all(_same(v, actual_cells[k]) or v == actual_cells[k] for k, v in expected_cells.items())
    labels = {row[c]: row[c + 1] for row in CalamineWorkbook.from_path(str(recalc)).get_sheet_by_name(
        schema.worksheet_name("guide", lang)).to_python() for c in range(len(row) - 1) if isinstance(row[c], str) and row[c]}
    values = status_values(plan)
    for item in STATUS_ITEMS + RESULT_ITEMS:
        assert _same(values[item.key], labels[item.label(lang)]), item.key
    assert values["achieved_gain"] == 114200 + 500 + 0 and values["achieved_roi"] is not None
    terms = CalamineWorkbook.from_path(str(recalc)).get_sheet_by_name(schema.STATUS_SHEET).to_python()[1:]
    counts = {(row[0], row[3]): row[4] for row in terms}
    assert [row[4] for row in terms] == term_values(plan)
    assert counts[("campaign-duplicate", schema.ACTIONS.column("campaign").header(lang))] == 1
