"""The raw workbook reader: hostile files end in a clear error, fast, untouched; good files read exactly."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.formula.translate import Translator

from mplan_xl.read import reader, sheet_scan
from mplan_xl.excel.libreoffice import soffice_path
from mplan_xl.read.reader import (READ_ERRORS, CellError, Limits, UnreadableWorkbook, column_index, column_letters,
                             read_workbook, shift_formula)
from mplan_xl.core.vocabulary import Label

import hostile
from hostile import Member, minimal_xlsx_members, sheet_xml, write_zip

needs_lo = [pytest.mark.libreoffice,
            pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")]


def sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


# --------------------------------------------------------------------------------------------------
# The hostile corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, hostile.Case]:
    return hostile.build_corpus(tmp_path_factory.mktemp("hostile"))


CASES = ["zip-bomb.xlsx", "zip-bomb-lying-sizes.xlsx", "zip-bomb-spread.xlsx", "too-many-members.xlsx",
         "entity-bomb-strings.xlsx", "entity-bomb-sheet.xlsx", "external-entity-custom.xlsx", "entity-bomb-content-types.xlsx",
         "entity-bomb-utf16.xlsx", "foreign-encoding.xlsx", "encrypted.xlsx", "truncated.xlsx", "flipped-bytes.xlsx", "random-bytes.xlsx",
         "empty.xlsx", "csv-renamed.xlsx", "unicode-text-renamed.xlsx", "html-renamed.xlsx", "pdf-renamed.xlsx", "docx-renamed.xlsx",
         "pptx-renamed.xlsx", "xlsb-renamed.xlsx", "ods-renamed.xlsx", "odt-renamed.xlsx", "plain-zip.xlsx",
         "legacy.xls.xlsx", "doc-renamed.xlsx", "other-compound.xlsx", "compound-truncated.xlsx", "huge-rows.xlsx",
         "huge-rows-no-dimension.xlsx", "huge-rows-lying-dimension.xlsx", "too-wide.xlsx", "sparse-bomb.xlsx",
         "huge-rows-no-r.xlsx", "prefixed-huge.xlsx", "too-big-file.xlsx", "missing.xlsx", "a-folder.xlsx"]


def test_corpus_lists_every_case(corpus):
    assert set(CASES) <= set(corpus)
    assert set(corpus) - set(CASES) <= {"encrypted-real.xlsx"}


@pytest.mark.parametrize("name", CASES + ["encrypted-real.xlsx"])
def test_hostile_file_is_refused_fast_with_its_code_and_left_untouched(corpus, name, monkeypatch):
    if name not in corpus:
        pytest.skip("msoffcrypto-tool is not installed")
    case = corpus[name]
    opened = []
    monkeypatch.setattr(reader, "_open_calamine", lambda data: opened.append(data))  # calamine must never see it
    before = sha256(case.path)
    start = time.perf_counter()
    with pytest.raises(UnreadableWorkbook) as info:
        read_workbook(case.path, Limits(**(case.limits or {})))
    elapsed = time.perf_counter() - start
    assert info.value.code == case.code, info.value.text("en")
    assert elapsed < 2.0
    assert sha256(case.path) == before
    assert not opened
    for lang in ("fr", "en"):
        assert info.value.text(lang) and "{" not in info.value.text(lang)
        assert info.value.hint_text(lang)


def test_whole_corpus_is_read_well_under_ten_seconds(corpus):
    start = time.perf_counter()
    for case in corpus.values():
        with pytest.raises(UnreadableWorkbook):
            read_workbook(case.path, Limits(**(case.limits or {})))
    assert time.perf_counter() - start < 5.0


def test_messages_name_the_limit_and_the_figure(corpus):
    with pytest.raises(UnreadableWorkbook) as info:
        read_workbook(corpus["huge-rows.xlsx"].path)
    assert info.value.text("en") == ("The workbook exceeds the rows per sheet (sheet 'Sheet1') limit: "
                                     "250,001 for at most 250,000")
    assert "250\u202f001" in info.value.text("fr")
    with pytest.raises(UnreadableWorkbook) as info:
        read_workbook(corpus["zip-bomb-lying-sizes.xlsx"].path)
    assert "zip bomb" in info.value.text("en") and "xl/worksheets/sheet1.xml" in info.value.text("en")
    with pytest.raises(UnreadableWorkbook) as info:
        read_workbook(corpus["docx-renamed.xlsx"].path)
    assert "Word (.docx)" in info.value.text("fr")
    for name in ("csv-renamed.xlsx", "unicode-text-renamed.xlsx"):
        with pytest.raises(UnreadableWorkbook) as info:
            read_workbook(corpus[name].path)
        assert "CSV" in info.value.text("en")


def test_every_catalogue_entry_has_both_languages():
    assert set(READ_ERRORS) == {"file-missing", "file-changed", "not-a-workbook", "corrupt-workbook", "encrypted-workbook",
                                "legacy-xls", "wrong-office-format", "oversized-workbook", "unsafe-xml"}
    for message, hint in READ_ERRORS.values():
        assert message.fr and message.en and hint.fr and hint.en and message.fr != message.en


def test_error_survives_a_process_pool_round_trip():
    err = UnreadableWorkbook("oversized-workbook", limit=Label("taille", "size"), value="2", maximum="1")
    back = pickle.loads(pickle.dumps(err))
    assert (back.code, back.text("fr"), back.hint_text("en")) == (err.code, err.text("fr"), err.hint_text("en"))
    assert back.text("en") == "The workbook exceeds the size limit: 2 for at most 1"


def test_unexpected_failure_inside_becomes_corrupt_workbook(tmp_path, monkeypatch):
    path = hostile.plan_workbook(tmp_path / "plan.xlsx", actions=3, budget_lines=3)

    def boom(*args, **kwargs):
        raise RecursionError("deep")

    monkeypatch.setattr(reader, "_parse_table", boom)
    with pytest.raises(UnreadableWorkbook) as info:
        read_workbook(path)
    assert info.value.code == "corrupt-workbook"
    assert "RecursionError" not in info.value.text("en") and "deep" not in info.value.text("en")


def test_damaged_sheet_xml_is_reported_when_its_values_are_read(tmp_path):
    broken = sheet_xml('<row r="1"><c r="A1"><v>1</v></row><row r="2"><c r="A2"><v>2</v></c></row>')
    path = write_zip(tmp_path / "broken.xlsx", minimal_xlsx_members(broken))
    wb = read_workbook(path)
    with pytest.raises(UnreadableWorkbook) as info:
        wb.values("Sheet1")
    assert info.value.code == "corrupt-workbook"


# --------------------------------------------------------------------------------------------------
# A good workbook, read exactly


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> Path:
    return hostile.plan_workbook(tmp_path_factory.mktemp("plan") / "plan.xlsx", actions=25, budget_lines=40)


def test_structure_of_a_plan(plan):
    before = sha256(plan)
    wb = read_workbook(plan)
    assert wb.path == plan
    assert wb.sheet_names == ["Accueil", "Audit", "Bilan N-1", "Objectifs", "Actions", "Budget", "KPI",
                              "Tableau de bord", "Listes", "Config"]
    assert wb.sheet_states["Listes"] == "hidden" and wb.sheet_states["Config"] == "veryHidden"
    assert wb.sheet_states["Actions"] == "visible"
    assert set(wb.sheet_kinds.values()) == {"worksheet"}
    assert wb.defined_names["mplan_year"] == "'Accueil'!$C$6"
    assert wb.defined_names["list_channel"] == "'Listes'!$A$1:$A$6"
    assert wb.custom_properties == {"mplan_template_id": "mplan-xl", "mplan_template_version": "1.0",
                                    "mplan_lang": "fr"}
    assert not wb.has_vba and wb.vba_project is None and wb.external_links == []
    actions = wb.tables["tblActions"]
    assert (actions.sheet, actions.ref) == ("Actions", "A4:P29")
    assert (actions.first_row, actions.first_col, actions.last_row, actions.last_col) == (3, 0, 28, 15)
    assert actions.columns[:3] == ["ID", "Objectif", "Quoi"] and len(actions.columns) == 16
    assert set(actions.calculated) == {"Coût", "ROI", "Durée", "Mois"}
    assert actions.calculated["ROI"].startswith("IF(")
    assert set(wb.tables) == {"tblAudit", "tblBilan", "tblObjectifs", "tblActions", "tblBudget", "tblKPI"}
    assert wb.tables["tblBudget"].ref == "A4:M44"
    assert sha256(plan) == before


def test_values_sit_at_absolute_positions(plan):
    wb = read_workbook(plan)
    home = wb.values("Accueil")
    assert home[4][2] == "Atelier Lumen" and home[5][2] == 2027 and home[4][1] == "Entreprise"
    assert home[0] == [""] * len(home[0])
    actions = wb.values("Actions")
    assert actions[3][:3] == ["ID", "Objectif", "Quoi"]
    assert actions[4][0] == "A00000"
    assert actions[4][7] == dt.date(2027, 1, 1)
    assert wb.values("Actions") is actions  # cached


def test_values_and_formulas_agree_with_openpyxl(plan):
    wb = read_workbook(plan)
    with_formulas = openpyxl.load_workbook(plan)
    with_values = openpyxl.load_workbook(plan, data_only=True)
    for name in wb.sheet_names:
        expected_formulas = {}
        for row in with_formulas[name].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    expected_formulas[(cell.row - 1, cell.column - 1)] = cell.value[1:]
        assert wb.formulas(name) == expected_formulas, name
        assert set(wb.cached_types(name)) == set(expected_formulas)
        grid = wb.values(name)
        for row in with_values[name].iter_rows():
            for cell in row:
                r, c = cell.row - 1, cell.column - 1
                ours = grid[r][c] if r < len(grid) and c < len(grid[r]) else ""
                theirs = "" if cell.value is None else cell.value
                if isinstance(theirs, dt.datetime) and isinstance(ours, dt.date) and not isinstance(ours, dt.datetime):
                    theirs = theirs.date()
                assert ours == theirs, (name, cell.coordinate)


def test_file_resaved_by_openpyxl_reads_the_same(plan, tmp_path):
    book = openpyxl.load_workbook(plan)
    book.save(tmp_path / "resaved.xlsx")
    ours, theirs = read_workbook(plan), read_workbook(tmp_path / "resaved.xlsx")
    assert theirs.sheet_states == ours.sheet_states and theirs.defined_names == ours.defined_names
    assert {n: (t.ref, t.columns, t.calculated) for n, t in theirs.tables.items()} == \
        {n: (t.ref, t.columns, t.calculated) for n, t in ours.tables.items()}
    for sheet in ours.sheet_names:
        assert theirs.formulas(sheet) == ours.formulas(sheet), sheet
        mine, other = ours.values(sheet), theirs.values(sheet)
        for r, row in enumerate(mine):
            for c, value in enumerate(row):
                if (r, c) not in ours.formulas(sheet):  # openpyxl drops cached results
                    assert (other[r][c] if r < len(other) and c < len(other[r]) else "") == value, (sheet, r, c)


def test_first_used_cell_c5_stays_at_c5(tmp_path):
    path = tmp_path / "c5.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write("C5", "first")
    ws.write("D6", 2.5)
    ws.write_formula("E7", "=1/0", None, "#DIV/0!")
    ws.write_formula("F7", '="a"&"b"', None, "ab")
    ws.write_blank("H9", None, wb.add_format({"bold": True}))
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=S!$D$6:$D$6"})
    wb.add_chartsheet("Chart").set_chart(chart)
    wb.close()
    raw = read_workbook(path)
    grid = raw.values("S")
    assert len(grid) == 7 and all(len(row) == 6 for row in grid)
    assert grid[4][2] == "first" and grid[5][3] == 2.5
    assert grid[6][4] == "#DIV/0!" and isinstance(grid[6][4], CellError)
    assert grid[6][5] == "ab" and not isinstance(grid[6][5], CellError)
    assert grid[0] == [""] * 6
    assert raw.formulas("S") == {(6, 4): "1/0", (6, 5): '"a"&"b"'}
    assert raw.cached_types("S") == {(6, 4): "e", (6, 5): "str"}
    assert raw.sheet_kinds == {"S": "worksheet", "Chart": "chartsheet"}
    assert raw.values("Chart") == [] and raw.formulas("Chart") == {}
    with pytest.raises(KeyError):
        raw.values("Nope")


def test_shared_and_array_formulas_are_resolved(tmp_path):
    raw = read_workbook(hostile.shared_formula_workbook(tmp_path / "shared.xlsx"))
    f = raw.formulas("Sheet1")
    assert f[(0, 1)] == "A1*2" and f[(1, 1)] == "A2*2" and f[(5, 1)] == "A6*2"
    assert f[(0, 2)] == "SUM($A$1:A1)" and f[(2, 2)] == "SUM($A$1:A3)" and f[(5, 2)] == "SUM($A$1:A6)"
    assert [f[(0, c)] for c in (3, 4, 5)] == ["A1+B1", "B1+C1", "C1+D1"]
    assert [f[(r, 6)] for r in range(3)] == ["tbl[[#This Row],[x]]"] * 3
    assert f[(2, 6)] is f[(0, 6)]  # no A1 reference: the master's text itself
    assert f[(0, 7)] == '"A1"&A1'
    assert f[(0, 8)] == "SUM(A1:A6*2)" and raw.array_ranges("Sheet1") == {(0, 8): "I1"}
    assert f[(0, 9)] == 'IF(A1<2,"a&b",">")'
    assert len(f) == 6 + 6 + 3 + 3 + 3
    grid = raw.values("Sheet1")
    assert grid[5][1] == 12 and grid[0][9] == "a&b"


def _sheet_parts(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]


@pytest.mark.parametrize("chunk, texts_kept", [(sheet_scan._CHUNK, sheet_scan._TEXTS_KEPT), (300, 5)])
def test_exact_parse_agrees_with_fast_scan(plan, tmp_path, monkeypatch, chunk, texts_kept):
    monkeypatch.setattr(sheet_scan, "_CHUNK", chunk)  # small slices: cells near every slice boundary
    # a cache of decoded formula texts full after a few (a large sheet holds more than it keeps)
    monkeypatch.setattr(sheet_scan, "_TEXTS_KEPT", texts_kept)
    monkeypatch.setattr(sheet_scan, "_TEXTS", {})
    shared = hostile.shared_formula_workbook(tmp_path / "shared.xlsx")
    for path in (plan, shared):
        for xml in _sheet_parts(path):
            fast = sheet_scan._scan_fast(xml, Limits(), "s", xml.find(b"<sheetData"), xml.rfind(b"</sheetData>"))
            exact = sheet_scan._scan_expat(xml, Limits(), "s")
            assert fast is not None and fast == exact


def test_unusual_sheets_take_the_exact_parse(tmp_path):
    rows = ('<x:row r="2"><x:c r="B2"><x:f>A1*2</x:f><x:v>2</x:v></x:c><x:c t="e"><x:f>1/0</x:f>'
            "<x:v>#DIV/0!</x:v></x:c></x:row><x:row><x:c><x:v>5</x:v></x:c></x:row>")
    xml = (f'<x:worksheet xmlns:x="{hostile.NS_MAIN}"><x:sheetData>{rows}</x:sheetData></x:worksheet>').encode()
    scan = reader.scan_sheet(xml, Limits(), "s")
    assert scan.formulas == {(1, 1): "A1*2", (1, 2): "1/0"}
    assert scan.errors == {(1, 2): "#DIV/0!"}
    assert scan.extent == (3, 3) and scan.has_cells
    # A formula after its value is out of schema order: the fast pattern misses it, the count notices.
    odd = sheet_xml('<row r="1"><c r="A1"><v>1</v><f>2-1</f></c></row>')
    assert reader.scan_sheet(odd, Limits(), "s").formulas == {(0, 0): "2-1"}


# The fast scan decodes a slice's plain formula cells column-wise (issue 22); a cell given twice, a data table,
# array and shared formulas mixed with plain ones must read exactly as the XML parser reads them, in order.
_MIXED_ROWS = [
    '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="A1"><f>2+2</f><v>4</v></c></row>',
    '<row r="1"><c r="A1"><f>1+1</f></c><c r="B1"><f t="dataTable" ref="B1:C2" dt2D="0" dtr="0" r1="A1"/></c>'
    '<c r="B1" t="str"><f>"x"</f><v>x</v></c></row>',
    '<row r="1"><c r="A1" t="str"><f t="array" ref="A1:A2">"a"&amp;"b"</f><v>ab</v></c><c r="B1"><f>A1&amp;"&lt;"</f></c>'
    '<c r="C1"><f t="shared" ref="C1:C3" si="0">B1*2</f></c></row><row r="2"><c r="C2"><f t="shared" si="0"/></c>'
    '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>',
    '<row r="1"><c r="B1"><f t="dataTable" ref="B1:C2" dt2D="0" dtr="0" r1="A1"/></c><c r="C1"><f>1</f></c></row>',
]


def test_fast_scan_decodes_a_slice_whose_texts_overflow_the_cache(monkeypatch):
    """A slice repeating a text already decoded, with more new ones than the cache keeps: every text is there."""
    monkeypatch.setattr(sheet_scan, "_CHUNK", 10)   # one row per slice
    monkeypatch.setattr(sheet_scan, "_TEXTS_KEPT", 2)
    monkeypatch.setattr(sheet_scan, "_TEXTS", {})
    xml = sheet_xml('<row r="1"><c r="A1"><f>1+1</f></c></row>'
                    '<row r="2"><c r="A2"><f>1+1</f></c><c r="B2"><f>2+2</f></c><c r="C2"><f>3+3</f></c></row>')
    assert reader.scan_sheet(xml, Limits(), "s").formulas == {(0, 0): "1+1", (1, 0): "1+1", (1, 1): "2+2",
                                                              (1, 2): "3+3"}


def test_a_dashboard_of_two_letter_columns_is_not_counted_cell_by_cell(monkeypatch):
    """Columns AA to ZZ with rows of at most 3 digits cannot reach a default limit: the scan does not count the
    extent cell by cell (issue 22); a limit such cells can reach is still enforced."""
    counted: list = []
    monkeypatch.setattr(sheet_scan, "_exact_extent", lambda *args: counted.append(args) or (0, 0))
    scan = reader.scan_sheet(sheet_xml('<row r="76"><c r="AB76" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'), Limits(), "s")
    assert not counted and scan.has_cells and scan.errors == {(75, 27): "#DIV/0!"}
    monkeypatch.undo()
    with pytest.raises(UnreadableWorkbook) as refused:
        reader.scan_sheet(sheet_xml('<row r="999"><c r="ZZ999"><v>1</v></c></row>'), Limits(max_cells=100_000), "s")
    assert refused.value.code == "oversized-workbook"


@pytest.mark.parametrize("rows", _MIXED_ROWS)
def test_fast_scan_reads_mixed_and_repeated_formula_cells_as_the_parser(rows):
    xml = sheet_xml(rows)
    fast = sheet_scan._scan_fast(xml, Limits(), "s", xml.find(b"<sheetData"), xml.rfind(b"</sheetData>"))
    assert fast is not None and fast == sheet_scan._scan_expat(xml, Limits(), "s")
    assert fast.formulas


def test_macro_workbook_gives_its_vba_project(tmp_path):
    vba = hostile.compound_file({"PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"'})
    path = hostile.plan_workbook(tmp_path / "plan.xlsm", actions=2, budget_lines=2, vba=vba)
    raw = read_workbook(path)
    assert raw.has_vba and raw.vba_project == vba


def test_external_links_are_listed(tmp_path):
    members = minimal_xlsx_members(sheet_xml('<row r="1"><c r="A1"><f>[1]Other!A1</f><v>3</v></c></row>'))
    ext_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink"
    path_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath"
    for m in members:
        if m.name == "xl/_rels/workbook.xml.rels":
            m.data = m.data.replace(b"</Relationships>", f'<Relationship Id="rId9" Type="{ext_rel}" '
                                    f'Target="externalLinks/externalLink1.xml"/></Relationships>'.encode())
    members += [
        Member("xl/externalLinks/externalLink1.xml", f'<externalLink xmlns="{hostile.NS_MAIN}"><externalBook '
               f'xmlns:r="{hostile.NS_R}" r:id="rId1"/></externalLink>'.encode()),
        Member("xl/externalLinks/_rels/externalLink1.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{path_rel}" Target="file:///C:/Budgets/other.xlsx" '
            'TargetMode="External"/></Relationships>').encode()),
    ]
    raw = read_workbook(write_zip(tmp_path / "linked.xlsx", members))
    assert raw.external_links == ["file:///C:/Budgets/other.xlsx"]
    assert raw.formulas("Sheet1") == {(0, 0): "[1]Other!A1"}


def test_sheet_within_limits_is_read(tmp_path):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>A{r}*2</f></c></row>'
                   for r in range(1, 101))
    path = write_zip(tmp_path / "ok.xlsx", minimal_xlsx_members(sheet_xml(rows, "A1:B100")))
    raw = read_workbook(path, Limits(max_rows=100, max_columns=2, max_cells=200))
    assert len(raw.formulas("Sheet1")) == 100 and raw.values("Sheet1")[99][0] == 100
    with pytest.raises(UnreadableWorkbook):
        read_workbook(path, Limits(max_rows=99))
    with pytest.raises(UnreadableWorkbook):
        read_workbook(path, Limits(max_cells=199))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 300_000)), min_size=1, max_size=6),
       st.integers(1, 300_000), st.integers(1, 3000), st.integers(1, 10_000_000))
def test_cells_the_quick_check_lets_through_are_within_limits(cells, max_rows, max_columns, max_cells):
    limits = Limits(max_rows=max_rows, max_columns=max_columns, max_cells=max_cells)
    xml = sheet_xml("".join(f'<row r="{r}"><c r="{column_letters(c)}{r}"><v>1</v></c></row>' for c, r in cells))
    if sheet_scan._within_limits(xml, limits, 0, len(xml)):
        rows, cols = sheet_scan._exact_extent(xml, 0, len(xml))
        assert rows <= max_rows and cols <= max_columns and rows * cols <= max_cells


# --------------------------------------------------------------------------------------------------
# A1 helpers and shared-formula shifting


def test_column_letters_round_trip():
    for i in (0, 25, 26, 701, 702, 16383):
        assert column_index(column_letters(i)) == i


def test_shift_formula_examples():
    assert shift_formula("SUM(A1:$B2)*Sheet2!C$3&\"A1\"", 2, 1) == 'SUM(B3:$B4)*Sheet2!D$3&"A1"'
    assert shift_formula("LOG10(A1)+ATAN2(B1,C1)", 1, 0) == "LOG10(A2)+ATAN2(B2,C2)"
    assert shift_formula("'Q1'!A1+'It''s'!$B$2", 1, 1) == "'Q1'!B2+'It''s'!$B$2"
    assert shift_formula("SUM(A:A)+SUM($2:3)", 1, 1) == "SUM(B:B)+SUM($2:4)"
    assert shift_formula("tbl[[#This Row],[B2]]-tbl[@[a'[1']]]", 5, 5) == "tbl[[#This Row],[B2]]-tbl[@[a'[1']]]"
    assert shift_formula("XFD1+A1048576", 1, 1) == "#REF!+#REF!"
    assert shift_formula("name1+_xlfn.XLOOKUP(A1,B:B,C:C)", 0, 0) == "name1+_xlfn.XLOOKUP(A1,B:B,C:C)"


_REF = st.builds(lambda d1, col, d2, row: f"{'$' if d1 else ''}{column_letters(col)}{'$' if d2 else ''}{row}",
                 st.booleans(), st.integers(0, 300), st.booleans(), st.integers(1, 5000))
_ATOM = st.one_of(
    _REF,
    st.builds(lambda a, b: f"{a}:{b}", _REF, _REF),
    st.builds(lambda s, r: f"{s}!{r}", st.sampled_from(["Sheet2", "'My sheet'", "'It''s'"]), _REF),
    st.sampled_from(['"A1"', '"x""B2"', "tbl[[#This Row],[Budget]]", "TRUE", "mplan_year", "3.5", "A:C",
                     "$B:B", "2:$7"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ATOM, min_size=1, max_size=5), st.sampled_from(["SUM", "LOG10", "IF", "MAX"]),
       st.integers(0, 40), st.integers(0, 10))
def test_shift_formula_matches_openpyxl_translator(atoms, func, dr, dc):
    formula = f"{func}({','.join(atoms)})+{atoms[0]}"
    expected = Translator("=" + formula, origin="A1").translate_formula(row_delta=dr, col_delta=dc)[1:]
    assert shift_formula(formula, dr, dc) == expected


# --------------------------------------------------------------------------------------------------
# LibreOffice re-save


def _apply(marks):
    def deco(func):
        for mark in marks:
            func = mark(func)
        return func
    return deco


@_apply(needs_lo)
def test_file_resaved_by_libreoffice_reads_the_same(plan, tmp_path):
    from mplan_xl.excel.libreoffice import convert

    (resaved,) = convert([plan], "xlsx", tmp_path)
    ours, theirs = read_workbook(plan), read_workbook(resaved)
    assert theirs.sheet_names == ours.sheet_names
    assert theirs.sheet_states["Listes"] == "hidden" and theirs.sheet_states["Config"] in ("hidden", "veryHidden")
    assert {n: (t.ref, t.columns) for n, t in theirs.tables.items()} == \
        {n: (t.ref, t.columns) for n, t in ours.tables.items()}
    assert theirs.custom_properties["mplan_template_version"] == "1.0"
    assert theirs.defined_names["mplan_year"].replace("'", "") == "Accueil!$C$6"
    for sheet in ours.sheet_names:
        formulas = ours.formulas(sheet)
        assert set(theirs.formulas(sheet)) == set(formulas), sheet
        mine, lo = ours.values(sheet), theirs.values(sheet)
        for r, row in enumerate(mine):
            for c, value in enumerate(row):
                if (r, c) not in formulas:
                    assert (lo[r][c] if r < len(lo) and c < len(lo[r]) else "") == value, (sheet, r, c)


# --- issue 21 point 3, issue 22: one read of each sheet part ------------------------------------------------

def test_check_reads_each_sheet_part_once_and_locates_from_the_sheet_models(tmp_path, monkeypatch):
    import collections

    import mplan_xl
    from mplan_xl.check.validator import check_file

    plan = mplan_xl.demo_workbook(tmp_path / "demo.xlsx", year=2027)
    scans: collections.Counter = collections.Counter()
    grids: collections.Counter = collections.Counter()
    scan_sheet, read_values = reader.scan_sheet, reader.RawWorkbook._read_values

    def counted_scan(xml, limits=Limits(), sheet=""):
        scans[sheet] += 1
        return scan_sheet(xml, limits, sheet)

    def counted_values(self, sheet, scan):
        grids[sheet] += 1
        return read_values(self, sheet, scan)

    monkeypatch.setattr(reader, "scan_sheet", counted_scan)
    monkeypatch.setattr(reader.RawWorkbook, "_read_values", counted_values)
    report = check_file(plan)
    assert report.status == "valid"
    assert scans and set(scans.values()) == {1}, scans        # each part's XML scanned once (formulas, extent)
    assert grids and set(grids.values()) == {1}, grids        # each sheet's values read once by python-calamine
    raw = reader.read_workbook(plan)
    model = raw.sheet("Actions")
    assert model is raw.sheet("Actions") and model.values is raw.values("Actions")
    assert model.formulas == raw.formulas("Actions") and model.formulas


def test_a_batch_parses_its_templates_small_parts_once_and_each_file_keeps_its_own_tables(tmp_path, monkeypatch):
    """Plans of one template share their relationships and table parts: parsed once per process (issue 22), yet
    each read gets tables of its own, and a part that differs by one byte is parsed again."""
    import mplan_xl

    first = mplan_xl.demo_workbook(tmp_path / "a.xlsx", year=2027, company="Équipe A")
    second = mplan_xl.demo_workbook(tmp_path / "b.xlsx", year=2027, company="Équipe B")
    parsed: list[str] = []
    parse_table = reader._parse_table

    def counted(part, xml, sheet):
        parsed.append(part)
        return parse_table(part, xml, sheet)

    monkeypatch.setattr(reader, "_parse_table", counted)
    monkeypatch.setattr(reader, "_PARSED", {})
    one = read_workbook(first)
    count = len(parsed)
    assert count == len(one.tables) > 5
    one.tables["tblActions"].columns.append("changed by a caller")
    one.tables["tblActions"].calculated.clear()
    two = read_workbook(second)
    assert len(parsed) == count                                   # the second plan's table parts: no parse
    assert "changed by a caller" not in two.tables["tblActions"].columns and two.tables["tblActions"].calculated
    assert two.tables["tblActions"] == read_workbook(second).tables["tblActions"]
    members = {name: zipfile.ZipFile(second).read(name) for name in zipfile.ZipFile(second).namelist()}
    table_part = next(name for name, xml in members.items() if b'displayName="tblActions"' in xml)
    members[table_part] = members[table_part].replace(b'displayName="tblActions"', b'displayName="tblActionz"')
    with zipfile.ZipFile(tmp_path / "c.xlsx", "w") as out:
        for name, xml in members.items():
            out.writestr(name, xml)
    assert "tblActionz" in read_workbook(tmp_path / "c.xlsx").tables and len(parsed) == count + 1
