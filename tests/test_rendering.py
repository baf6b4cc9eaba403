"""What users see: the demo and the template rendered by LibreOffice to PDF, in French and English, page by page.

Asserted from the workbook and from the PDF (poppler's pdftotext): no text cut off, printed text at least
8 pt, wide tables split into column groups with the id column repeated, no near-empty page, the Synthèse on
one page, every chart with its series and every KPI labelled, every month named on the timeline, numbers
in the workbook's locale.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest

from mplan_xl.core import schema, vocabulary
from mplan_xl.excel import libreoffice
from mplan_xl.workbook import layout
from mplan_xl.workbook.dashboard_sheet import MONTHS, TEXTS
from mplan_xl.workbook.synthesis import KPI_CURVE_TITLE
from mplan_xl.workbook.demo_data import DEFAULT_COMPANY

from conftest import needs_libreoffice

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
NAMES = ("template-fr", "template-en", "demo-fr", "demo-en")
#: Height of a word's box in pdftotext -bbox per point of font size (Carlito, LibreOffice's Calibri).
BOX_PER_POINT = 1.25
#: The companies of the template and the demo: the left part of the data sheets' page header.
COMPANIES = ("Atelier Lumen", DEFAULT_COMPANY)


@pytest.fixture(scope="module")
def pdfs(built, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    result = {}
    for lang in ("fr", "en"):
        names = [n for n in NAMES if n.endswith(lang)]
        for name, pdf in zip(names, libreoffice.convert([built[n] for n in names], "pdf", out / lang,
                                                        locale=libreoffice.LOCALES[lang])):
            result[name] = pdf
    return result


def _pages(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _sheet_of(page: str, names: list[str]) -> str | None:
    """The sheet a page belongs to: the sheet name printed at the right of the page header (among the first
    lines: LibreOffice may emit a chart's clipped labels first)."""
    for line in [line for line in page.splitlines() if line.strip()][:3]:
        found = next((n for n in sorted(names, key=len, reverse=True)
                      if line.strip() == n or (line.startswith(COMPANIES) and line.rstrip().endswith("  " + n))), None)
        if found:
            return found
    return None


def _visible_sheets(lang: str) -> list[str]:
    return [label(lang) for _, label in schema.workbook_sheets()]


@needs_libreoffice
@pytest.mark.parametrize("name", NAMES)
def test_printed_text_is_at_least_8_points(pdfs, name):
    """The 5 % smallest words of every page are still 8 pt or more (chart labels included)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdfs[name]), "-"], capture_output=True, text=True, check=True).stdout
    for number, page in enumerate(xml.split("<page ")[1:], 1):
        heights = sorted(float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', page))
        if len(heights) < 20:
            continue
        smallest = heights[len(heights) // 20]
        assert smallest / BOX_PER_POINT >= layout.MIN_FONT_PT * 0.97, (name, number, smallest / BOX_PER_POINT)


@needs_libreoffice
@pytest.mark.parametrize("name", NAMES)
def test_every_sheet_prints_at_a_readable_scale_and_fills_its_pages(built, pdfs, name):
    wb = openpyxl.load_workbook(built[name])
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        if ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage:
            assert (ws.page_setup.fitToWidth or 1) == 1, ws.title  # one page wide, font checked above
        else:
            assert layout.MIN_SCALE <= (ws.page_setup.scale or 100) <= 100, ws.title
    pages = _pages(pdfs[name])
    names = _visible_sheets(name[-2:])
    by_sheet: dict[str, list[str]] = {}
    for page in pages:
        by_sheet.setdefault(_sheet_of(page, names) or "?", []).append(page)
    summary = schema.worksheet_name("summary", name[-2:])
    assert len(by_sheet[summary]) == 1  # the Synthèse is one page
    assert len(by_sheet[schema.worksheet_name("swot_grid", name[-2:])]) == 1
    if name.startswith("demo"):  # a template's pages hold empty rows, which print no text
        for sheet, sheet_pages in by_sheet.items():
            for page in sheet_pages[:-1]:   # rows flow: only a sheet's last page may hold its last rows alone
                lines = [line for line in page.splitlines() if line.strip()]
                assert len(lines) >= 6, (sheet, lines)  # header, footer and some rows: no near-empty page
    assert len(pages) <= {"demo-en": 22}.get(name, 23)


@needs_libreoffice
@pytest.mark.parametrize("name", NAMES)
def test_wide_tables_split_into_column_groups_with_the_id_repeated(built, name):
    wb = openpyxl.load_workbook(built[name])
    for sheet in schema.TABLES:
        if not sheet.id_column:
            continue
        ws = wb[schema.worksheet_name(sheet.worksheet, name[-2:])]
        if ws.col_breaks.brk:
            assert ws.print_title_cols == "$A:$A", ws.title
            first_col = openpyxl.utils.column_index_from_string
            assert all(1 < b.id < first_col(openpyxl.utils.get_column_letter(len(sheet.columns))) for b in ws.col_breaks.brk)
        assert ws.print_title_rows == f"${schema.HEADER_ROW}:${schema.HEADER_ROW}", ws.title


@pytest.mark.parametrize("name", NAMES)
def test_no_text_is_cut_off(built, name):
    """Every text of a table, the Synthèse and the SWOT matrix either fits its column or wraps, and a wrapped
    text's row is tall enough for its lines (estimated generously: 1.4 characters per width unit)."""
    wb = openpyxl.load_workbook(built[name])
    checked = 0
    for ws in wb.worksheets:
        if ws.sheet_state != "visible" or ws.title == schema.worksheet_name("dashboard", name[-2:]):
            continue
        merged = {cell for rng in ws.merged_cells.ranges for cell in rng.cells}
        widths = {c: d.width for d in ws.column_dimensions.values() if d.width for c in range(d.min, d.max + 1)}
        for row in ws.iter_rows(min_row=schema.HEADER_ROW):
            for cell in row:
                text = cell.value if isinstance(cell.value, str) and not cell.value.startswith("=") else None
                if not text or (cell.row, cell.column) in merged:
                    continue
                width = widths.get(cell.column, 8.43)
                right = ws.cell(cell.row, cell.column + 1).value
                if cell.alignment.wrap_text:
                    height = ws.row_dimensions[cell.row].height or layout.LINE_HEIGHT
                    lines = sum(-(-len(part) // int(width * 1.4)) or 1 for part in text.split("\n"))
                    assert height >= layout.LINE_HEIGHT * min(lines, 12) - 0.1, (ws.title, cell.coordinate, text, height)
                else:
                    assert len(text) <= width * 1.22 or right in (None, ""), (ws.title, cell.coordinate, text, width)
                checked += 1
    assert checked > (300 if name.startswith("demo") else 100)


@needs_libreoffice
@pytest.mark.parametrize("name", NAMES)
def test_dashboard_names_every_month_every_series_and_every_kpi(built, pdfs, name):
    lang = name[-2:]
    dashboard = schema.worksheet_name("dashboard", lang)
    text = "\n".join(p for p in _pages(pdfs[name]) if _sheet_of(p, _visible_sheets(lang)) == dashboard)
    timeline = re.sub(r"\s+", " ", text)
    assert " ".join(MONTHS[lang]) in timeline  # one column pair per month, each month named, in order
    wb = openpyxl.load_workbook(built[name])
    ws = wb[dashboard]
    assert len(ws._charts) == 6  # on one page: two, two, then the two progress curves
    for chart in ws._charts:
        assert chart.series, chart
        for series in chart.series:
            assert series.val.numRef.f and series.cat is not None
    kpis = wb[schema.worksheet_name("kpis", lang)]
    names = [r[1] for r in kpis.iter_rows(min_row=schema.HEADER_ROW + 1, values_only=True) if r[1]]
    flat = text.replace("\n", " ")
    for kpi in names:
        assert kpi.split()[0] in flat, kpi  # the KPI chart labels every KPI
    money = "140 000" if lang == "fr" else "140,000"
    if name.startswith("demo"):
        assert money in flat.replace("\u202f", " ").replace("\u00a0", " ")  # the envelope, in the locale's format
    # The progress curves' page: both charts titled, every series named in the legend, in the workbook's language.
    curves = next(p for p in _pages(pdfs[name]) if TEXTS["curves"](lang) in p and TEXTS["pick_kpi"](lang) in p)
    curves = re.sub(r"\s+", " ", curves)
    for key in ("budget_curve", "planned_cum", "actual_cum", "envelope", "trajectory"):
        assert TEXTS[key](lang) in curves, key
    title = KPI_CURVE_TITLE(lang).format(kpi=f"K01 {names[0]}")  # the first KPI with monthly values, or the first
    assert title in curves, title


@pytest.mark.parametrize("name", ["template-fr", "demo-en"])
def test_attention_points_stand_out_with_native_conditional_formats(built, name):
    """Traffic lights, SMART not OK, overspending, late actions, envelope balance, attainment bars: conditional
    formats of the .xlsx itself (no macro)."""
    lang = name[-2:]
    wb = openpyxl.load_workbook(built[name])

    def rules(sheet_key):
        ws = wb[schema.worksheet_name(sheet_key, lang)]
        return [(str(cf.sqref), r) for cf in ws.conditional_formatting for r in cf.rules]

    def header_column(sheet, key):
        return openpyxl.utils.get_column_letter(sheet.index(key) + 1)

    kpi = rules("kpis")
    status = header_column(schema.KPIS, "status")
    labels = {r.formula[0].strip('"') for ref, r in kpi if ref.startswith(status) and r.type == "cellIs"}
    assert labels == {vocabulary.KPI_STATUS.label(c, lang) for c in vocabulary.KPI_STATUS.codes}
    assert any(r.type == "dataBar" and ref.startswith(header_column(schema.KPIS, "attainment")) for ref, r in kpi)
    assert any(r.type == "dataBar" for _, r in rules("review"))
    smart = header_column(schema.OBJECTIVES, "smart")
    assert any(ref.startswith(smart) and '<>"OK"' in r.formula[0] for ref, r in rules("objectives"))
    assert any(schema.NAME_AS_OF in r.formula[0] for _, r in rules("actions"))  # late actions
    actual, planned = (header_column(schema.BUDGET, k) for k in ("actual", "planned"))
    assert any(f"${actual}5>${planned}5" in r.formula[0] for _, r in rules("budget"))  # overspent lines
    guide = rules("guide")
    assert any(r.operator == "lessThan" and r.formula == ["0"] for _, r in guide)  # negative envelope balance
    assert any("%" in (r.dxf.numFmt.formatCode if r.dxf and r.dxf.numFmt else "") for _, r in kpi)  # units


@needs_libreoffice
def test_figures_print_in_their_unit(pdfs):
    """Counts without decimals, percentages as %, money in the plan's currency (French demo, French locale)."""
    text = re.sub(r"[\u202f\u00a0]", " ", "\n".join(_pages(pdfs["demo-fr"])))
    assert "2 072 000 €" in text and "236,0 %" in text  # KPI K01 target, K02 actual
    assert re.search(r"\b900 +1 020\b", text)  # Bilan B01: target and result, counts without decimals
    assert not re.search(r"(?<![\d ])(900|1 020),00(?! *€)", text)
    assert "140 000,00 €" in text and "140,000.00" not in text  # the envelope, French format


def test_navigation_links_every_sheet_and_back(built):
    wb = openpyxl.load_workbook(built["demo-fr"])
    guide = schema.worksheet_name("guide", "fr")

    def links(title):
        return [c.hyperlink.location for row in wb[title].iter_rows() for c in row if c.hyperlink and c.hyperlink.location]

    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert {target.split("!")[0].strip("'") for target in links(guide)} == set(visible) - {guide}
    for title in visible[1:]:
        assert f"'{guide}'!A1" in links(title), title
    assert wb[guide]["C10"].value == schema.TEMPLATE_NAME("fr")  # a readable label, not the template id


def test_achievement_rate_and_attainment_are_two_names_with_their_definitions():
    from mplan_xl.workbook.functions_doc import functions_md

    assert schema.REVIEW.column("achievement").header("fr") == "Taux de réalisation"
    assert schema.KPIS.column("attainment").header("fr") == "Atteinte"
    assert all(c.header("fr") != "Atteinte" for s in schema.TABLES if s is not schema.KPIS for c in s.columns)
    doc = functions_md()
    assert "MPLAN_ACHIEVEMENT_RATE" in doc and "MPLAN_ATTAINMENT" in doc and "result / target" in doc


@pytest.mark.parametrize("name", NAMES)
def test_every_sheet_title_stands_in_the_same_column(built, name):
    """Issue 24 (8): the title of every sheet (its 16 pt text on the first row) stands in column B, whichever way
    its table prints, the Dashboard's too; under it, the link back to the Guide (and on the Dashboard the
    situation date beside it)."""
    from mplan_xl.workbook.dashboard_sheet import TEXTS

    wb = openpyxl.load_workbook(built[name])
    lang = name[-2:]
    where = {}
    for ws in wb.worksheets:
        if ws.sheet_state == "visible":
            where[ws.title] = [c.column_letter for c in ws[1] if c.value and c.font.sz and c.font.sz >= 16]
    assert set(map(tuple, where.values())) == {("B",)}, where
    dashboard = wb[schema.worksheet_name("dashboard", lang)]
    assert dashboard["B2"].hyperlink is not None and dashboard["A1"].value is None and dashboard["A2"].value is None
    label = next(c for c in dashboard[2] if c.value == TEXTS["as_of"](lang))
    date = dashboard.cell(2, label.column + 1)
    assert label.column > 2 and str(date.value).startswith("=") and "yy" in date.number_format, (label, date.value)
