"""The VBA project writer (mplan_xl.excel.vba) read back by independent parsers.

* oletools' olevba must extract every module with the stored text we expect.
  What is normalised, precisely: the writer stores the module text with CRLF
  line ends, ending with CRLF, after a header of ``Attribute VB_...`` lines
  (see ``VbaModule.stored_source``). olevba returns the stored text as is
  (it strips nothing), so its output must equal ``stored_source()`` exactly,
  and, once the header lines the writer added are removed, the input source
  with its line ends turned into CRLF.
* olefile must list the expected streams and raise no defect, even at its
  strictest level (DEFECT_POTENTIAL).
* LibreOffice must import the modules of an .xlsm made by XlsxWriter.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
import xlsxwriter
from oletools.olevba import VBA_Parser

from mplan_xl.excel import libreoffice
from mplan_xl.excel.vba import VbaModule, build_vba_project, read_vba_modules
from mplan_xl.excel.vba.cfb import _NOSTREAM, _RED, _color_tree, _Node, read_compound_file, write_compound_file
from mplan_xl.excel.vba.compression import decompress
from mplan_xl.excel.vba.project import (
    VBA_PROJECT_STREAM,
    decrypt_data,
    encrypt_data,
    parse_dir_stream,
)

XLWINGS_DIR = Path(__import__("xlwings").__file__).parent
XLWINGS_BAS = (XLWINGS_DIR / "xlwings.bas").read_bytes().decode("cp1252")  # keep its CRLF line ends

UDFS = "Function Answer()\n    Answer = 42\nEnd Function\n"
HELPERS = "Option Explicit\r\n\r\nFunction Twice(x As Double) As Double\r\n    Twice = 2 * x\r\nEnd Function"
CLASS = "Private mValue As Long\rPublic Property Get Value() As Long\r    Value = mValue\rEnd Property\r"


def _modules() -> list[VbaModule]:
    return [
        VbaModule("ThisWorkbook", "", kind="document"),
        VbaModule("Sheet1", "", kind="document"),
        VbaModule("xlwings", XLWINGS_BAS),
        VbaModule("mplan_udfs", UDFS),
        VbaModule("helpers", HELPERS),
        VbaModule("Counter", CLASS, kind="class"),
    ]


def _olevba_modules(data: bytes) -> dict[str, str]:
    parser = VBA_Parser("vbaProject.bin", data=data)
    return {stream_path.split("/")[-1]: code for _, stream_path, _, code in parser.extract_macros()}


def _header_lines(module: VbaModule) -> int:
    return len(re.findall(r"^Attribute VB_", module.stored_source(), flags=re.MULTILINE))


def _crlf(text: str) -> str:
    text = re.sub(r"\r\n|\r|\n", "\r\n", text)
    return text if not text or text.endswith("\r\n") else text + "\r\n"


def _code(source: str) -> str:
    """*source* without the leading ``Attribute VB_`` lines it may carry (as a .bas export does)."""
    return re.sub(r"\A(?:Attribute VB_[^\r\n]*(?:\r\n|\r|\n))+", "", source)


# --- olevba ---------------------------------------------------------------------------


def test_olevba_extracts_every_module_as_stored() -> None:
    modules = _modules()
    data = build_vba_project(modules)
    extracted = _olevba_modules(data)
    assert list(extracted) == [m.name for m in modules]
    for module in modules:
        assert extracted[module.name] == module.stored_source(), module.name
        # Input code (without any leading Attribute lines of its own) == extracted
        # text without the writer's Attribute header, once line ends are CRLF.
        body = "".join(extracted[module.name].splitlines(keepends=True)[_header_lines(module):])
        assert body == _crlf(_code(module.source)), module.name


def test_xlwings_runtime_module_survives_olevba_identically() -> None:
    data = build_vba_project([VbaModule("ThisWorkbook", "", kind="document"), VbaModule("xlwings", XLWINGS_BAS)])
    extracted = _olevba_modules(data)["xlwings"]
    # xlwings.bas is a VBA editor export: CRLF, starting with its own VB_Name
    # attribute, which the writer keeps (a single header line), so the stored
    # text is the file itself, byte for byte.
    assert XLWINGS_BAS.startswith('Attribute VB_Name = "xlwings"\r\n')
    assert extracted == XLWINGS_BAS
    assert read_vba_modules(data)["xlwings"] == XLWINGS_BAS


def test_default_attributes_per_kind() -> None:
    data = build_vba_project(_modules())
    extracted = _olevba_modules(data)
    assert extracted["mplan_udfs"].startswith('Attribute VB_Name = "mplan_udfs"\r\nFunction Answer()')
    assert extracted["ThisWorkbook"] == (
        'Attribute VB_Name = "ThisWorkbook"\r\n'
        'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\n"
        "Attribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = True\r\n"
        "Attribute VB_Exposed = True\r\n"
        "Attribute VB_TemplateDerived = False\r\n"
        "Attribute VB_Customizable = True\r\n"
    )
    assert 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in extracted["Sheet1"]
    assert 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"' in extracted["Counter"]
    assert "Attribute VB_PredeclaredId = False" in extracted["Counter"]


def test_documents_modules_match_what_excel_stores() -> None:
    """ThisWorkbook and Sheet1 of an Excel-made workbook hold exactly our default headers."""
    with zipfile.ZipFile(XLWINGS_DIR / "quickstart_standalone.xlsm") as archive:
        excel = read_vba_modules(archive.read("xl/vbaProject.bin"))
    assert excel["ThisWorkbook"] == VbaModule("ThisWorkbook", "", kind="document").stored_source()
    assert excel["Sheet1"] == VbaModule("Sheet1", "", kind="document").stored_source()


@pytest.mark.parametrize("name", ["Dictionary", "IWebAuthenticator", "WebRequest", "WebResponse",
                                  "WebHelpers", "Config", "License"])
def test_exported_modules_are_stored_as_excel_stores_them(name: str) -> None:
    """The xlwings add-in's .bas/.cls exports, imported by Excel into xlwings.xlam, and by us."""
    path = next(p for p in (XLWINGS_DIR / "addin").iterdir() if p.stem == name)
    kind = "class" if path.suffix == ".cls" else "standard"
    module = VbaModule(name, path.read_bytes().decode("cp1252"), kind=kind)  # type: ignore[arg-type]
    with zipfile.ZipFile(XLWINGS_DIR / "addin" / "xlwings.xlam") as archive:
        excel = read_vba_modules(archive.read("xl/vbaProject.bin"))
    assert module.stored_source() == excel[name]
    assert _olevba_modules(build_vba_project([module]))[name] == excel[name]


def test_attribute_merging_rules() -> None:
    text = ('VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  \'True\nEND\n'
            'Attribute VB_Name = "OldName"\nAttribute VB_Exposed = True\n'
            'Attribute VB_Description = "Counts"\nPublic Sub Add()\n'
            'Attribute Add.VB_Description = "Adds one"\nEnd Sub\n')
    stored = VbaModule("Counter", text, kind="class").stored_source()
    assert stored == (
        'Attribute VB_Name = "Counter"\r\n'  # the module name wins
        'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\n"
        "Attribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = False\r\n"
        "Attribute VB_Exposed = True\r\n"  # the text's value wins
        "Attribute VB_TemplateDerived = False\r\n"
        "Attribute VB_Customizable = False\r\n"
        'Attribute VB_Description = "Counts"\r\n'  # extra attributes follow
        "Public Sub Add()\r\n"
        'Attribute Add.VB_Description = "Adds one"\r\n'  # procedure attributes are code
        "End Sub\r\n"
    )
    assert VbaModule("M", "\ufeffSub A()\r\nEnd Sub").stored_source() == (
        'Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub\r\n')
    assert VbaModule("Sheet2", 'Attribute VB_Base = "0{00020821-0000-0000-C000-000000000046}"\n',
                     kind="document").stored_source().splitlines()[1].endswith('00020821-0000-0000-C000-000000000046}"')


# --- olefile and the streams ------------------------------------------------------------


def test_olefile_lists_the_streams_and_reports_no_defect() -> None:
    data = build_vba_project(_modules())
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_POTENTIAL)
    assert ole.parsing_issues == []
    expected = {("PROJECT",), ("PROJECTwm",), ("VBA", "dir"), ("VBA", "_VBA_PROJECT"),
                *(("VBA", m.name) for m in _modules())}
    assert {tuple(path) for path in ole.listdir()} == expected
    assert ole.openstream("VBA/_VBA_PROJECT").read() == VBA_PROJECT_STREAM == bytes.fromhex("cc61ffff000100")
    header = data[:512]
    assert struct.unpack_from("<HHHHH", header, 24) == (0x003E, 0x0003, 0xFFFE, 9, 6)  # version 3, 512-byte sectors
    assert ole.get_type("VBA") == olefile.STGTY_STORAGE
    # Source-only modules: the compressed source starts at offset 0 of each stream.
    info = parse_dir_stream(decompress(ole.openstream("VBA/dir").read()))
    assert [(m.name, m.stream_name, m.text_offset, m.procedural) for m in info.modules] == [
        ("ThisWorkbook", "ThisWorkbook", 0, False), ("Sheet1", "Sheet1", 0, False),
        ("xlwings", "xlwings", 0, True), ("mplan_udfs", "mplan_udfs", 0, True),
        ("helpers", "helpers", 0, True), ("Counter", "Counter", 0, False)]
    assert info.codepage == 1252 and info.project_name == "VBAProject" and info.references == ["stdole"]
    for m in info.modules:
        assert ole.openstream(f"VBA/{m.stream_name}").read()[:1] == b"\x01"


def test_project_stream_text_and_protection_fields() -> None:
    data = build_vba_project(_modules())
    text = olefile.OleFileIO(data).openstream("PROJECT").read().decode("cp1252")
    lines = text.split("\r\n")
    assert re.fullmatch(r'ID="\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}"', lines[0])
    assert lines[1:7] == ["Document=ThisWorkbook/&H00000000", "Document=Sheet1/&H00000000", "Module=xlwings",
                          "Module=mplan_udfs", "Module=helpers", "Class=Counter"]
    assert lines[7:10] == ['Name="VBAProject"', 'HelpContextID="0"', 'VersionCompatible32="393222000"']
    project_id = lines[0][4:-1]
    fields = dict(re.match(r'(CMG|DPB|GC)="([0-9A-F]+)"', line).groups() for line in lines[10:13])  # type: ignore[union-attr]
    assert decrypt_data(fields["CMG"], project_id) == b"\x00\x00\x00\x00"  # not protected
    assert decrypt_data(fields["DPB"], project_id) == b"\x00"  # no password
    assert decrypt_data(fields["GC"], project_id) == b"\xff"  # visible
    assert lines[13:] == ["", "[Host Extender Info]",
                          "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000", "",
                          "[Workspace]", "ThisWorkbook=0, 0, 0, 0, C", "Sheet1=0, 0, 0, 0, C",
                          "xlwings=0, 0, 0, 0, C", "mplan_udfs=0, 0, 0, 0, C", "helpers=0, 0, 0, 0, C",
                          "Counter=0, 0, 0, 0, C", ""]
    wm = olefile.OleFileIO(data).openstream("PROJECTwm").read()
    assert wm.startswith(b"ThisWorkbook\x00" + "ThisWorkbook".encode("utf-16-le") + b"\x00\x00Sheet1\x00")
    assert wm.endswith(b"C\x00o\x00u\x00n\x00t\x00e\x00r\x00\x00\x00\x00\x00")


def test_encryption_matches_excel_made_fields() -> None:
    """CMG/DPB/GC of quickstart_standalone.xlsm (written by Excel) decrypt, and re-encrypt identically."""
    project_id = "{5CF9CDAB-B77B-4FE4-BD7E-D29900070E1B}"
    for text, data in (("8D8FA61394EA98EA98EA98EA98", b"\x00\x00\x00\x00"),
                       ("8D8FA61394EF95EF95EF", b"\x00"), ("8D8FA61394EF95EF9510", b"\xff")):
        assert decrypt_data(text, project_id) == data
        assert encrypt_data(project_id, data, 0x8D, bytes([169, 219])) == text
    with zipfile.ZipFile(XLWINGS_DIR / "quickstart_standalone.xlsm") as archive:
        excel = olefile.OleFileIO(archive.read("xl/vbaProject.bin")).openstream("PROJECT").read().decode("cp1252")
    assert f'ID="{project_id}"' in excel and 'GC="8D8FA61394EF95EF9510"' in excel


def test_build_is_deterministic_and_reads_back() -> None:
    first = build_vba_project(_modules())
    assert build_vba_project(_modules()) == first
    assert read_vba_modules(first) == {m.name: m.stored_source() for m in _modules()}
    assert read_compound_file(first)["VBA/_VBA_PROJECT"] == VBA_PROJECT_STREAM


def test_project_name_and_codepage() -> None:
    module = VbaModule("Modèle", "' Prévision à 12 mois\nFunction Taux()\n    Taux = 0.2\nEnd Function\n")
    data = build_vba_project([module], project_name="PlanMarketing", codepage=1252)
    assert read_vba_modules(data) == {"Modèle": module.stored_source()}
    assert _olevba_modules(data)["Modèle"] == module.stored_source()
    assert b'Name="PlanMarketing"' in olefile.OleFileIO(data).openstream("PROJECT").read()


@pytest.mark.parametrize("modules, message", [
    ([VbaModule("1st", "")], "identifier"),
    ([VbaModule("has space", "")], "identifier"),
    ([VbaModule("x" * 32, "")], "31"),
    ([VbaModule("Dir", "")], "dir"),
    ([VbaModule("Same", ""), VbaModule("SAME", "")], "duplicate"),
    ([VbaModule("M", "", kind="form")], "kind"),  # type: ignore[arg-type]
    ([VbaModule("M", "' \u4e2d\n")], "encoded"),
    ([VbaModule("M", "x\x00y")], "NUL"),
])
def test_invalid_input_is_rejected(modules: list[VbaModule], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_vba_project(modules)


def test_invalid_project_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="project name"):
        build_vba_project([], project_name="My Project")


# --- the compound file writer --------------------------------------------------------------


def _check_red_black(nodes: dict[int, _Node], root: int) -> None:
    """Binary search order, no red node with a red child, the same black height on every path."""
    by_sid = nodes

    def walk(sid: int, low: int, high: int) -> int:
        if sid == _NOSTREAM:
            return 1
        node = by_sid[sid]
        assert low < sid < high  # siblings were numbered in sorted order
        if node.color == _RED:
            for child in (node.left, node.right):
                assert child == _NOSTREAM or by_sid[child].color != _RED
        left = walk(node.left, low, sid)
        right = walk(node.right, sid, high)
        assert left == right
        return left + (node.color != _RED)

    assert by_sid[root].color != _RED
    walk(root, -1, len(nodes))


@pytest.mark.parametrize("count", range(1, 41))
def test_sibling_trees_are_valid_red_black_trees(count: int) -> None:
    siblings = [_Node(f"S{i:02d}", 2) for i in range(count)]
    for sid, node in enumerate(siblings):
        node.sid = sid
    root = _color_tree(siblings)
    _check_red_black({n.sid: n for n in siblings}, root)


def test_compound_file_with_difat_and_both_stream_sizes() -> None:
    # > 109 FAT sectors (more than 6.9 MB) need DIFAT sectors.
    streams = {f"Big/S{i}": bytes([i]) * 600_000 for i in range(13)}
    streams.update({"small": b"tiny", "empty": b"", "edge": b"e" * 4096, "under": b"u" * 4095})
    data = write_compound_file(streams)
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_POTENTIAL)
    assert ole.parsing_issues == []
    assert struct.unpack_from("<I", data, 72)[0] >= 1  # DIFAT sectors
    for path, content in streams.items():
        assert ole.openstream(path).read() == content
    assert read_compound_file(data) == streams


def test_compound_file_rejects_bad_names() -> None:
    with pytest.raises(ValueError):
        write_compound_file({"a:b": b""})
    with pytest.raises(ValueError):
        write_compound_file({"A": b"", "a": b""})
    with pytest.raises(ValueError):
        write_compound_file({"x" * 32: b""})


# --- XlsxWriter and LibreOffice --------------------------------------------------------------


def _tiny_xlsm(path: Path) -> list[VbaModule]:
    modules = [
        VbaModule("ThisWorkbook", "", kind="document"),
        VbaModule("Sheet1", "", kind="document"),
        VbaModule("mplan_udfs", UDFS),
        VbaModule("helpers", HELPERS),
    ]
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_vba_name("ThisWorkbook")
    worksheet = workbook.add_worksheet()
    worksheet.set_vba_name("Sheet1")
    worksheet.write("A1", "Answer")
    workbook.add_vba_project(io.BytesIO(build_vba_project(modules)), is_stream=True)
    workbook.close()
    return modules


def test_xlsxwriter_embeds_the_project(tmp_path: Path) -> None:
    path = tmp_path / "tiny.xlsm"
    modules = _tiny_xlsm(path)
    with zipfile.ZipFile(path) as archive:
        assert 'codeName="ThisWorkbook"' in archive.read("xl/workbook.xml").decode()
        assert 'codeName="Sheet1"' in archive.read("xl/worksheets/sheet1.xml").decode()
        assert "vbaProject" in archive.read("[Content_Types].xml").decode()
    assert read_vba_modules(path.read_bytes()) == {m.name: m.stored_source() for m in modules}


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_imports_the_modules(tmp_path: Path) -> None:
    path = tmp_path / "tiny.xlsm"
    _tiny_xlsm(path)
    [ods] = libreoffice.convert([path], "ods", tmp_path / "out")
    with zipfile.ZipFile(ods) as archive:
        names = archive.namelist()
        # LibreOffice imports the VBA project as a Basic library named after the project.
        assert "Basic/VBAProject/script-lb.xml" in names
        udfs = archive.read("Basic/VBAProject/mplan_udfs.xml").decode()
        helpers = archive.read("Basic/VBAProject/helpers.xml").decode()
        sheet = archive.read("Basic/VBAProject/Sheet1.xml").decode()
        book = archive.read("Basic/VBAProject/ThisWorkbook.xml").decode()
    assert 'script:moduleType="normal"' in udfs
    assert "Function Answer()\n    Answer = 42\nEnd Function" in udfs
    assert "Function Twice(x As Double) As Double\n    Twice = 2 * x\nEnd Function" in helpers
    assert 'script:moduleType="document"' in sheet and 'script:moduleType="document"' in book


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_the_xlwings_module_byte_for_byte(tmp_path: Path) -> None:
    """LibreOffice's own MS-OVBA decompressor gets back every line of xlwings.bas (12 chunks)."""
    path = tmp_path / "runtime.xlsm"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet()
    workbook.add_vba_project(io.BytesIO(build_vba_project([
        VbaModule("ThisWorkbook", "", kind="document"),
        VbaModule("Sheet1", "", kind="document"),
        VbaModule("xlwings", XLWINGS_BAS),
        VbaModule("Counter", CLASS, kind="class"),
    ])), is_stream=True)
    workbook.close()
    [ods] = libreoffice.convert([path], "ods", tmp_path / "out")
    with zipfile.ZipFile(ods) as archive:
        xlwings_xml = archive.read("Basic/VBAProject/xlwings.xml").decode()
        counter_xml = archive.read("Basic/VBAProject/Counter.xml").decode()
    body = html.unescape(re.search(r"<script:module[^>]*>(.*)</script:module>", xlwings_xml, re.S).group(1))  # type: ignore[union-attr]
    # LibreOffice replaces the Attribute header by two lines of its own and uses LF line ends.
    assert body.split("\n")[:2] == ["Rem Attribute VBA_ModuleType=VBAModule", "Option VBASupport 1"]
    assert "\n".join(body.split("\n")[2:]).rstrip("\n") == _code(XLWINGS_BAS).replace("\r\n", "\n").rstrip("\n")
    assert 'script:moduleType="class"' in counter_xml and "Public Property Get Value() As Long" in counter_xml
