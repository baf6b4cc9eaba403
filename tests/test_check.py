"""`mplan-xl check`: the demo is valid, seeded errors are found exactly, edits are located, files never change."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from click.testing import CliRunner

import mplan_xl
from mplan_xl.core import schema
from mplan_xl.excel import libreoffice
from mplan_xl.cli import main
from mplan_xl.workbook.demo import SEEDED_ERRORS
from mplan_xl.read.plan_reader import a1
from mplan_xl.check.validator import check, check_file

from conftest import YEAR, needs_libreoffice

DOCS = Path(__file__).resolve().parents[1] / "docs"


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def located(path: Path, table_key: str, row_id: str, column_key: str, occurrence: int = 1) -> tuple[str, str]:
    """(worksheet name, A1 cell) of a column in the row carrying *row_id* (its n-th occurrence)."""
    sheet = schema.SHEETS_BY_KEY[table_key]
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        table = ws.tables.get(sheet.table)
        if table is None:
            continue
        min_col, min_row, _, max_row = openpyxl.utils.cell.range_boundaries(table.ref)
        seen = 0
        for r in range(min_row + 1, max_row + 1):
            if str(ws.cell(r, min_col + sheet.index(sheet.id_column)).value) == row_id:
                seen += 1
                if seen == occurrence:
                    return ws.title, a1(r - 1, min_col - 1 + sheet.index(column_key))
    raise AssertionError(f"{row_id} not found in {table_key}")


@pytest.fixture(scope="module")
def demos(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("check")
    out = {}
    for lang in ("fr", "en"):
        out[f"plain-{lang}"] = mplan_xl.demo_workbook(folder / f"plain-{lang}.xlsx", lang=lang, year=YEAR)
        out[f"errors-{lang}"] = mplan_xl.demo_workbook(folder / f"errors-{lang}.xlsx", lang=lang, year=YEAR,
                                                       with_errors=True)
        out[f"plain-{lang}-xlsm"] = mplan_xl.demo_workbook(folder / f"plain-{lang}.xlsm", lang=lang, year=YEAR)
        out[f"errors-{lang}-xlsm"] = mplan_xl.demo_workbook(folder / f"errors-{lang}.xlsm", lang=lang, year=YEAR,
                                                            with_errors=True)
    return out


BOTH = [("fr", ""), ("en", ""), ("fr", "-xlsm"), ("en", "-xlsm")]


@pytest.mark.parametrize("lang, runtime", BOTH)
def test_plain_demo_is_valid(demos, lang, runtime):
    report = check_file(demos[f"plain-{lang}{runtime}"], lang=lang)
    assert report.findings == [] and report.status == "valid"
    assert report.template_version == schema.TEMPLATE_VERSION


@pytest.mark.parametrize("lang, runtime", BOTH)
def test_seeded_errors_are_found_exactly(demos, lang, runtime):
    path = demos[f"errors-{lang}{runtime}"]
    report = check_file(path, lang=lang)
    found = sorted((f.code, f.severity, f.sheet, f.cell, f.row_id) for f in report.findings)
    expected = sorted(
        (e.code, e.severity,
         *located(path, e.table, e.row_id, e.column, occurrence=2 if e.code == "duplicate-id" else 1), e.row_id)
        for e in SEEDED_ERRORS)
    assert found == expected
    assert report.status == "invalid"


def test_foreign_macros_are_flagged(demos, tmp_path):
    """A module that mplan-xl did not write (here: added to our project) is named."""
    import zipfile

    from mplan_xl.excel.macros import THIS_WORKBOOK_CODE, vba_sources
    from mplan_xl.excel.vba import VbaModule, build_vba_project

    source = demos["plain-en-xlsm"]
    modules = [VbaModule("ThisWorkbook", THIS_WORKBOOK_CODE, "document")]
    modules += [VbaModule(name, code) for name, code in vba_sources().items()]
    modules.append(VbaModule("Payload", 'Sub AutoOpen()\r\n    Shell "calc.exe"\r\nEnd Sub\r\n'))
    tampered = tmp_path / "tampered.xlsm"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = build_vba_project(modules) if item.filename == "xl/vbaProject.bin" else zin.read(item)
            zout.writestr(item, data)
    findings = [f for f in check_file(tampered, lang="en").findings if f.code == "foreign-macros"]
    assert len(findings) == 1 and "Payload" in findings[0].message


def test_excel4_macro_sheet_is_flagged(demos, tmp_path):
    """An Excel 4 macro sheet (old macro language, no VBA needed) slipped into a plain .xlsx is named."""
    import zipfile

    source, tampered = demos["plain-en"], tmp_path / "xl4.xlsx"
    macro = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             b'<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData>'
             b'<row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c></row></sheetData></xm:macrosheet>')
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", b'<sheet name="Auto_Open" sheetId="99" state="hidden" r:id="rIdXL4"/></sheets>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdXL4" Type="http://schemas.microsoft.com/'
                                    b'office/2006/relationships/xlMacrosheet" Target="macrosheets/sheet1.xml"/></Relationships>')
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/macrosheets/sheet1.xml" ContentType='
                                    b'"application/vnd.ms-excel.macrosheet+xml"/></Types>')
            zout.writestr(item, data)
        zout.writestr("xl/macrosheets/sheet1.xml", macro)
    findings = [f for f in check_file(tampered, lang="en").findings if f.code == "foreign-macros"]
    assert len(findings) == 1 and "Auto_Open (Excel 4)" in findings[0].message


def test_inputs_are_byte_identical_after_check(demos):
    paths = list(demos.values())
    before = [sha(p) for p in paths]
    check(paths, jobs=2)
    assert [sha(p) for p in paths] == before


def test_json_report_follows_the_documented_schema(demos):
    report = check([demos["plain-en"], demos["errors-en"]], lang="en", jobs=2)
    document = json.loads(report.to_json())
    jsonschema.validate(document, json.loads((DOCS / "report-format.schema.json").read_text()))
    assert document["valid"] is False
    assert document["summary"]["files"] == 2 and document["summary"]["invalid"] == 1
    frame = report.to_frame()
    assert set(frame["code"].dropna()) == {e.code for e in SEEDED_ERRORS}


def _edit(src: Path, dst: Path, edit) -> Path:
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


def test_edit_then_check_required_cell(demos, tmp_path):
    sheet, cell = located(demos["plain-en"], "objectives", "O1", "owner")
    path = _edit(demos["plain-en"], tmp_path / "edited.xlsx", lambda wb: wb[sheet][cell].__setattr__("value", None))
    codes = {(f.code, f.sheet, f.cell) for f in check_file(path, lang="en").findings}
    assert ("required-missing", sheet, cell) in codes


def test_edit_then_check_overwritten_computed_cell(demos, tmp_path):
    sheet, cell = located(demos["plain-fr"], "actions", "A03", "roi")
    path = _edit(demos["plain-fr"], tmp_path / "edited.xlsx", lambda wb: wb[sheet][cell].__setattr__("value", 0.42))
    findings = [f for f in check_file(path).findings if f.code == "computed-overwritten"]
    assert [(f.sheet, f.cell, f.row_id) for f in findings] == [(sheet, cell, "A03")]
    assert "0,42" in findings[0].message  # the typed number, in French notation


def test_edit_then_check_altered_formula(demos, tmp_path):
    sheet, cell = located(demos["plain-en"], "budget", "L001", "variance")
    path = _edit(demos["plain-en"], tmp_path / "edited.xlsx", lambda wb: wb[sheet][cell].__setattr__("value", "=1+1"))
    findings = [f for f in check_file(path, lang="en").findings if f.code == "formula-altered"]
    assert [(f.sheet, f.cell) for f in findings] == [(sheet, cell)]


def test_edit_then_check_renamed_header(demos, tmp_path):
    sheet, cell = located(demos["plain-en"], "actions", "A01", "channel")
    header_cell = cell.rstrip("0123456789") + str(schema.HEADER_ROW)

    def rename(wb):
        ws = wb[sheet]
        ws[header_cell].value = "Medium"
        for table in ws.tables.values():
            if table.name == "tblActions":
                table.tableColumns[schema.ACTIONS.index("channel")].name = "Medium"

    path = _edit(demos["plain-en"], tmp_path / "edited.xlsx", rename)
    findings = [f for f in check_file(path, lang="en").findings if f.code == "header-mismatch"]
    assert [(f.sheet, f.cell) for f in findings] == [(sheet, header_cell)]
    assert "Medium" in findings[0].message and "Channel / tool" in findings[0].message


def test_deleted_sheet_and_table_are_named(demos, tmp_path):
    path = _edit(demos["plain-en"], tmp_path / "edited.xlsx", lambda wb: wb.remove(wb["KPIs"]))
    codes = {(f.code, f.sheet) for f in check_file(path, lang="en").findings}
    assert ("sheet-missing", "KPIs") in codes and ("table-missing", "KPIs") in codes


@needs_libreoffice
def test_workbook_resaved_by_libreoffice_is_still_recognised(demos, tmp_path):
    resaved = libreoffice.convert([demos["plain-fr"], demos["errors-fr"]], "xlsx", tmp_path)
    plain = check_file(resaved[0])
    assert plain.status == "valid", [f.message for f in plain.findings]
    assert {f.code for f in plain.findings} == {"table-formulas-lost"}   # LibreOffice drops them, values stay right
    errors = check_file(resaved[1])
    assert {f.code for f in errors.findings} - {"table-formulas-lost"} == {e.code for e in SEEDED_ERRORS}


@needs_libreoffice
def test_an_xlsm_saved_by_libreoffice_is_one_stale_results_finding_per_table(demos, tmp_path):
    """LibreOffice (fr-FR) cannot compute the MPLAN_ functions: hundreds of cells show #VALUE!. One cause: one
    warning per table that has such columns, listing them, with the remedy; not one per cell. Our VBA modules,
    which LibreOffice writes back without their member attributes, are still ours: the file stays valid."""
    [resaved] = libreoffice.convert([demos["plain-fr-xlsm"]], "xlsm", tmp_path, locale="fr-FR")
    report = check_file(resaved, lang="en")
    assert report.status == "valid", [f.message for f in report.findings if f.severity == "error"]
    assert {f.code for f in report.findings} == {"cached-value-mismatch", "table-formulas-lost"}
    stale = [f for f in report.findings if f.code == "cached-value-mismatch"]
    assert stale and len(stale) == len({f.params["table_name"] for f in stale}) <= len(schema.TABLES)
    assert sum(f.params["count"] for f in stale) > 100
    assert all("LibreOffice" in f.hint and "MPLAN_" in f.hint for f in stale)


def test_cli_exit_codes_and_formats(demos, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(demos["plain-fr"])])
    assert ok.exit_code == 0, ok.output
    assert "1 fichier(s) : 1 valide(s)" in ok.output
    bad = runner.invoke(main, ["check", str(demos["errors-en"]), "--format", "json", "--lang", "en"])
    assert bad.exit_code == 1
    assert json.loads(bad.output)["summary"]["errors"] == sum(1 for e in SEEDED_ERRORS if e.severity == "error")
    warnings_only = runner.invoke(main, ["check", str(demos["plain-fr"]), "--strict"])
    assert warnings_only.exit_code == 0
    junit = tmp_path / "report.xml"
    result = runner.invoke(main, ["check", str(demos["errors-fr"]), "--format", "junit", "-o", str(junit)])
    assert result.exit_code == 1 and junit.read_text().count("<failure") == sum(
        1 for e in SEEDED_ERRORS if e.severity == "error")
    usage = runner.invoke(main, ["check", str(demos["plain-fr"]), "--format", "xlsx"])
    assert usage.exit_code == 2
    assert runner.invoke(main, ["check", str(tmp_path / "empty-folder-that-does-not-exist")]).exit_code == 1


def test_xlsx_report_links_to_cells_and_neutralises_formulas(demos, tmp_path):
    out = tmp_path / "report.xlsx"
    report = check([demos["errors-en"]], lang="en")
    report.files[0].findings[0] = type(report.files[0].findings[0])(
        **{**report.files[0].findings[0].to_dict(), "message": '=HYPERLINK("http://x","boom")'})
    report.write_xlsx(out)
    wb = openpyxl.load_workbook(out)
    findings = wb["Findings"]
    assert findings["G2"].value == '=HYPERLINK("http://x","boom")' and findings["G2"].data_type == "s"
    links = [c.hyperlink for row in findings.iter_rows(min_row=2) for c in row if c.hyperlink]
    assert len(links) == len(SEEDED_ERRORS)
    expected = {(f.sheet, f.cell) for f in report.files[0].findings}
    assert {tuple(link.location.replace("'", "").split("!")) for link in links} == expected
    assert all(link.target.replace("\\", "/").endswith("errors-en.xlsx") for link in links)


def test_a_folder_is_searched_and_a_mixed_batch_reports_each_file(demos, tmp_path):
    (tmp_path / "returned").mkdir()
    for name in ("plain-fr", "errors-fr"):
        (tmp_path / "returned" / f"{name}.xlsx").write_bytes(Path(demos[name]).read_bytes())
    (tmp_path / "returned" / "notes.xlsx").write_text("not a workbook")
    (tmp_path / "returned" / "~$plain-fr.xlsx").write_bytes(b"lock")
    report = check([tmp_path / "returned"], jobs=2)
    statuses = {Path(f.path).name: f.status for f in report.files}
    assert statuses == {"errors-fr.xlsx": "invalid", "notes.xlsx": "unreadable", "plain-fr.xlsx": "valid",
                        "~$plain-fr.xlsx": "skipped"}
