"""Issue 8's crafted files, generated here: each with its expected status and finding, inputs left byte-identical.

Good files other tools write (a main part declared by ``Default`` only, a
``<dimension>`` reaching row 1,048,576, a wrapped table header, a UTF-16
part, a sheet without a part) must be read; hostile ones (duplicate part
names differing by case, cells in a foreign namespace, a formula hidden in
a comment or a CDATA section, a shared-formula bomb) must end in one clear
finding, never a crash, a stall or a wrong "valid". Then what ``check``
does around the reader: the time limit for one file, a worker that dies,
names that are not UTF-8, huge values in messages, an output over an input,
every file of a folder in the report.
"""

from __future__ import annotations

import faulthandler
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import mplan_xl
from mplan_xl.check import validator
from mplan_xl.read.package import PackageCopy
from mplan_xl.read.plan_reader import locate_plan
from mplan_xl.read.reader import Limits, UnreadableWorkbook, read_workbook
from mplan_xl.check.validator import check, check_file

from hostile import (CT_XLSX, NS_MAIN, Member, compound_file, foreign_namespace_cell, minimal_xlsx_members,
                     plan_workbook, shared_formula_bomb, sheet_xml, write_zip)

CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cells(*row_xml: str) -> bytes:
    return sheet_xml("".join(row_xml), dimension=None)


def rewritten(src: Path, dst: Path, edits: dict[str, callable]) -> Path:
    """A copy of the package *src* at *dst* with members edited (name -> function of the bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item.filename, edits[item.filename](data) if item.filename in edits else data)
    return dst


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return mplan_xl.demo_workbook(tmp_path_factory.mktemp("demo") / "demo.xlsx", year=2027)


# --- 1. the main part found through _rels/.rels, content types through Default and Override --------------

def test_main_part_declared_by_default_extension_only_is_read(tmp_path):
    members = minimal_xlsx_members(cells('<row r="1"><c r="A1"><v>7</v></c></row>'))
    members[0].data = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                       'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                       f'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="{CT_XLSX}"/>'
                       f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT_SHEET}"/></Types>').encode()
    wb = read_workbook(write_zip(tmp_path / "closedxml-like.xlsx", members))
    assert wb.values("Sheet1") == [[7.0]]


def test_xlsb_declared_by_default_extension_is_the_wrong_format(tmp_path):
    members = [Member("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                      b'package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.'
                      b'sheet.binary.macroEnabled.main"/></Types>'),
               Member("_rels/.rels", b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                      b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                      b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>'),
               Member("xl/workbook.bin", b"\x83\x01\x00")]
    with pytest.raises(UnreadableWorkbook) as info:
        read_workbook(write_zip(tmp_path / "book.xlsb", members))
    assert info.value.code == "wrong-office-format" and ".xlsb" in info.value.text("en")


# --- 2. limits judged from cells holding something ------------------------------------------------------

@pytest.mark.parametrize("dimension, far_cell", [("A1:M1048576", "M1048576"), ("A1:XFD1048576", "XFD1048576")])
def test_a_far_dimension_or_empty_styled_cell_is_not_oversized(tmp_path, dimension, far_cell):
    xml = sheet_xml(f'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="{far_cell}" s="1"/></row>',
                    dimension)
    wb = read_workbook(write_zip(tmp_path / "lo.xlsx", minimal_xlsx_members(xml)))
    assert wb.values("Sheet1") == [[1.0]]


def test_the_demo_plan_with_libreoffice_s_dimension_stays_valid(demo, tmp_path):
    path = rewritten(demo, tmp_path / "lo-dim.xlsx", {"xl/worksheets/sheet5.xml": lambda d: re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', d)})
    assert check_file(path).status == "valid"


# --- 3. table column names decoded like cell text -------------------------------------------------------

def test_a_wrapped_table_header_is_decoded(tmp_path):
    members = minimal_xlsx_members(cells('<row r="1"><c r="A1" t="inlineStr"><is><t>Handle\nBars</t></is></c></row>'
                                         '<row r="2"><c r="A2"><v>1</v></c></row>'))
    members.append(Member("xl/worksheets/_rels/sheet1.xml.rels", b'<?xml version="1.0"?><Relationships xmlns="http:'
                          b'//schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
                          b'http://schemas.openxmlformats.org/officeDocument/2006/relationships/table" Target="../'
                          b'tables/table1.xml"/></Relationships>'))
    members.append(Member("xl/tables/table1.xml", f'<table xmlns="{NS_MAIN}" id="1" name="t" displayName="t" '
                          'ref="A1:A2">'
                          '<tableColumns count="1"><tableColumn id="1" name="Handle_x000a_Bars"/></tableColumns>'
                          '</table>'.encode()))
    wb = read_workbook(write_zip(tmp_path / "wrapped.xlsx", members))
    assert wb.tables["t"].columns == ["Handle\nBars"] == [wb.values("Sheet1")[0][0]]


def test_a_plan_header_wrapped_with_alt_enter_is_no_header_mismatch(demo, tmp_path):
    path = rewritten(demo, tmp_path / "wrapped-plan.xlsx", {  # what Excel writes after Alt+Enter in a header
        "xl/tables/table5.xml": lambda d: d.replace(b'name="Objectif parent"', b'name="Objectif_x000a_parent"'),
        "xl/sharedStrings.xml": lambda d: d.replace(b"<t>Objectif parent</t>", b"<t>Objectif\nparent</t>", 1)})
    assert check_file(path).status == "valid"


# --- 4. a UTF-16 part --------------------------------------------------------------------------------------

def test_a_utf16_part_nobody_reads_and_a_utf16_sheet_are_fine(tmp_path):
    sheet = cells('<row r="1"><c r="A1" t="inlineStr"><is><t>été</t></is></c><c r="B1"><f>1+1</f><v>2</v></c></row>')
    members = minimal_xlsx_members(sheet.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16"))
    members.append(Member("customXml/item1.xml", '<?xml version="1.0" encoding="utf-16"?><b:Sources xmlns:b="urn:x"/>'
                          .encode("utf-16")))
    wb = read_workbook(write_zip(tmp_path / "utf16.xlsx", members))
    assert wb.values("Sheet1") == [["été", 2.0]] and wb.formulas("Sheet1") == {(0, 1): "1+1"}


# --- 5. part names are case-insensitive -----------------------------------------------------------------

def test_two_members_differing_only_by_case_are_refused(demo, tmp_path):
    with zipfile.ZipFile(demo) as z:
        tampered = z.read("xl/worksheets/sheet5.xml")
    path = tmp_path / "case.xlsx"
    path.write_bytes(demo.read_bytes())
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("XL/WORKSHEETS/SHEET5.XML", re.sub(rb"<f>[^<]*</f>", b"", tampered))
    report = check_file(path, "en")
    assert report.status == "unreadable" and report.findings[0].code == "corrupt-workbook"
    assert "appears twice" in report.findings[0].message


# --- 6. small things: a sheet without part, a macro sheet, one sentence per message --------------------

def test_a_sheet_without_a_part_is_skipped_as_openpyxl_does(tmp_path):
    members = minimal_xlsx_members(cells('<row r="1"><c r="A1"><v>1</v></c></row>'))
    members[2].data = members[2].data.replace(b"</sheets>", b'<sheet name="Module1" sheetId="9" r:id=""/></sheets>')
    wb = read_workbook(write_zip(tmp_path / "lo-basic.xlsx", members))
    assert wb.sheet_names == ["Sheet1"] and wb.values("Sheet1") == [[1.0]]


def test_values_of_an_excel4_macro_sheet_are_empty_not_an_error(tmp_path):
    members = minimal_xlsx_members([cells('<row r="1"><c r="A1"><v>1</v></c></row>'),
                                    cells('<row r="1"><c r="A1"><f>GET.CELL(1)</f></c></row>')])
    members[3].data = members[3].data.replace(b'Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
                                              b'2006/relationships/worksheet"',
                                              b'Id="rId2" Type="http://schemas.microsoft.com/office/2006/relationships/'
                                              b'xlMacrosheet"')
    wb = read_workbook(write_zip(tmp_path / "xlm.xlsx", members))
    assert wb.sheet_kinds["Sheet2"] == "macrosheet" and wb.values("Sheet2") == []
    assert wb.formulas("Sheet2") == {(0, 0): "GET.CELL(1)"} and wb.values("Sheet1") == [[1.0]]


@pytest.mark.parametrize("rows", ['<row r="1"><c r="A99999999999"><v>1</v></c></row>',
                                  '<row r="1"><c r="A1"><v>1</v></c></row><!-- unclosed',
                                  '<row r="99999999999"><c><v>1</v></c></row>'])
def test_every_message_is_one_sentence_without_exception_text(tmp_path, rows):
    path = write_zip(tmp_path / "bad.xlsx", minimal_xlsx_members(cells(rows)))
    for lang in ("fr", "en"):
        finding = check_file(path, lang).findings[0]
        assert finding.code == "corrupt-workbook"
        assert not re.search(r"Error|Exception|Traceback|not an A1|: \w+Error", finding.message), finding.message
        assert finding.message.count("endommagé" if lang == "fr" else "damaged") == 1


# --- 7. cells in a foreign namespace ----------------------------------------------------------------------

@pytest.mark.parametrize("cell, prefixed", [("XFD1048576", True), ("XFD4000", True), ("XFD1048576", False)])
def test_a_cell_in_a_foreign_namespace_never_reaches_python_calamine(tmp_path, cell, prefixed):
    path = foreign_namespace_cell(tmp_path / "ns.xlsx", cell, prefixed)
    report = check([path], lang="en")  # in a child process: a crash would be reported, not fatal
    assert report.files[0].status == "unreadable"
    assert report.files[0].findings[0].code == "corrupt-workbook"
    assert "namespace" in report.files[0].findings[0].message


# --- 8. the formula scan sees what an XML parser sees ----------------------------------------------------

def _overwrite_keeping_original(hide):
    """Replace the first formula cell of the Actions sheet by a typed value, keeping the original hidden by *hide*."""
    def edit(xml: bytes) -> bytes:
        m = re.search(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>[^<]*</f><v>[^<]*</v></c>', xml)
        return xml[:m.start()] + hide(m.group(0), m.group(1)) + xml[m.end():]
    return edit


@pytest.mark.parametrize("hide", [
    lambda cell, ref: b"<!--" + cell + b'--><c r="' + ref + b'"><v>123456</v></c>',
    lambda cell, ref: b'<c r="' + ref + b'" t="inlineStr"><is><t><![CDATA[' + cell + b"]]></t></is></c>",
], ids=["comment", "cdata"])
def test_a_formula_overwritten_and_kept_in_a_comment_or_cdata_is_found(demo, tmp_path, hide):
    path = rewritten(demo, tmp_path / "hidden.xlsx", {"xl/worksheets/sheet5.xml": _overwrite_keeping_original(hide)})
    report = check_file(path, "en")
    assert report.status == "invalid"
    assert "computed-overwritten" in [f.code for f in report.findings]


# --- 9. the time limit for one file, shared formulas bounded ------------------------------------------------

def test_one_file_over_the_time_limit_is_stopped(tmp_path):
    slow = plan_workbook(tmp_path / "slow.xlsx", actions=3000, budget_lines=15000)
    start = time.perf_counter()
    report = check([slow], limits=Limits(timeout_s=0.3))
    assert time.perf_counter() - start < 3
    assert [f.code for f in report.files[0].findings] == ["check-timeout"]


def test_a_shared_formula_bomb_is_refused_quickly(tmp_path):
    path = shared_formula_bomb(tmp_path / "shared.xlsx")
    start = time.perf_counter()
    with pytest.raises(UnreadableWorkbook) as info:
        read_workbook(path)
    assert time.perf_counter() - start < 2
    assert info.value.code == "oversized-workbook" and "shared formula" in info.value.text("en")


def test_a_worker_that_dies_costs_only_its_file(demo, tmp_path, monkeypatch):
    bad = tmp_path / "abort.xlsx"
    bad.write_bytes(demo.read_bytes())
    real = validator.read_workbook

    def dying(path, limits):
        if Path(path).name == "abort.xlsx":
            faulthandler.disable()  # the test run's own crash dump would only be noise here
            os.abort()
        return real(path, limits)

    monkeypatch.setattr(validator, "read_workbook", dying)  # forked workers inherit it
    alone = check([bad], lang="en")
    assert alone.files[0].status == "unreadable"
    assert "stopped the checking process" in alone.files[0].findings[0].message
    batch = check([bad, demo], lang="en", jobs=2)
    assert [f.status for f in batch.files] == ["unreadable", "valid"]


# --- 10. file names that are not UTF-8 or hold control characters ----------------------------------------

def test_names_that_are_not_utf8_or_hold_control_characters_keep_every_report_valid(demo, tmp_path):
    folder = tmp_path / "returned"
    folder.mkdir()
    for raw in (b"plan-\xe9t\xe9.xlsx", b"plan\x01\x1b[31m.xlsx"):
        (folder / os.fsdecode(raw)).write_bytes(demo.read_bytes())
    report = check([folder], lang="en", jobs=2)
    assert [f.status for f in report.files] == ["valid", "valid"]
    document = json.loads(report.to_json().encode("utf-8"))
    assert {f["path"].rsplit("/", 1)[1] for f in document["files"]} == {"plan-\ufffdt\ufffd.xlsx",
                                                                        "plan\ufffd\ufffd[31m.xlsx"}
    ET.fromstring(report.to_junit().encode("utf-8"))
    assert "\x1b" not in report.to_text()
    report.write_xlsx(tmp_path / "report.xlsx")
    out = subprocess.run([sys.executable, "-m", "mplan_xl.cli", "check", str(folder), "--format", "json"],
                         capture_output=True)
    assert out.returncode == 0 and json.loads(out.stdout.decode("utf-8"))["summary"]["valid"] == 2


# --- 11. a huge value makes a short message ---------------------------------------------------------------

def test_a_5_mb_value_in_a_number_cell_is_quoted_as_an_excerpt(demo, tmp_path):
    huge = "".join(random.Random(1).choices("0123456789 ", k=5_000_000)) + "x"  # random: no zip-ratio refusal
    budget = locate_plan(read_workbook(demo)).tables["budget"]
    cell = budget.cell(budget.rows[0], "planned")            # a number cell, found by table and header
    part = PackageCopy.open(demo).worksheets()[budget.worksheet][0]
    path = rewritten(demo, tmp_path / "huge.xlsx", {part: lambda d: re.sub(
        rb'<c r="' + cell.encode() + rb'"([^>]*)><v>[^<]*</v></c>', lambda m: b'<c r="' + cell.encode() + b'"'
        + m.group(1).replace(b' t="s"', b"") + b' t="inlineStr"><is><t>' + huge.encode() + b"</t></is></c>", d,
        count=1)})
    report = check([path], lang="en")
    start = time.perf_counter()
    text = report.to_text()
    assert time.perf_counter() - start < 2
    assert len(text) < 20_000
    assert all(len(f.message) < 1000 for f in report.files[0].findings)
    assert any(f.cell == cell for f in report.files[0].findings)


# --- 12. an output over an input -----------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mplan_xl.cli", *args], capture_output=True, text=True)


def test_an_output_equal_to_an_input_is_a_usage_error_in_every_command(demo, tmp_path):
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(demo.read_bytes())
    before = digest(plan)
    for args in (["check", str(plan), "--format", "json", "-o", str(plan)],
                 ["check", str(tmp_path), "-o", str(plan)],
                 ["rollover", str(plan), "-o", str(plan), "--force"],
                 ["consolidate", str(plan), "--db", str(tmp_path / "p.duckdb"), "--out", str(plan)],
                 ["consolidate", str(plan), "--db", str(plan)]):
        out = run_cli(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert "Traceback" not in out.stderr
    assert digest(plan) == before


# --- 13. every file of a folder is in the report ---------------------------------------------------------

def test_every_file_of_a_folder_appears_with_a_status_and_a_reason(demo, tmp_path):
    folder = tmp_path / "returned"
    folder.mkdir()
    (folder / "plan.xlsx").write_bytes(demo.read_bytes())
    (folder / "old.xls").write_bytes(compound_file({"Workbook": b"\x09\x08" + bytes(14)}))
    write_zip(folder / "sheet.ods", [Member("mimetype", b"application/vnd.oasis.opendocument.spreadsheet",
                                            stored=True), Member("content.xml", b"<x/>")])
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    write_zip(folder / "letter.docx", [Member("[Content_Types].xml", b'<Types xmlns="http://schemas.openxmlformats.'
                                              b'org/package/2006/content-types"><Override PartName="/word/document.'
                                              b'xml" ContentType="application/vnd.openxmlformats-officedocument.'
                                              b'wordprocessingml.document.main+xml"/></Types>')])
    (folder / "gone.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    os.mkfifo(folder / "pipe.xlsx")
    (folder / "~$plan.xlsx").write_bytes(b"lock")
    check([folder / "plan.xlsx"], lang="en").write_xlsx(folder / "report.xlsx")
    inputs = {p: digest(p) for p in folder.iterdir() if p.is_file() and not p.is_symlink() and p.name != "pipe.xlsx"}
    start = time.perf_counter()
    report = check([folder], lang="en", jobs=2)
    assert time.perf_counter() - start < 20
    got = {Path(f.path).name: (f.status, f.findings[0].code if f.findings else f.note) for f in report.files}
    assert got == {
        "plan.xlsx": ("valid", None),
        "old.xls": ("unreadable", "legacy-xls"),
        "sheet.ods": ("unreadable", "wrong-office-format"),
        "scan.pdf": ("unreadable", "wrong-office-format"),
        "letter.docx": ("unreadable", "wrong-office-format"),
        "gone.xlsx": ("unreadable", "file-missing"),
        "pipe.xlsx": ("unreadable", "file-missing"),
        "~$plan.xlsx": ("skipped", "Excel lock file (the workbook is open somewhere)"),
        "report.xlsx": ("skipped", "mplan-xl check report"),
    }
    assert report.exit_code == 1
    assert {p: digest(p) for p in inputs} == inputs
