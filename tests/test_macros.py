"""The VBA in macros/ is what the code generates, and the .xlsm carries it, as independent parsers see."""

from __future__ import annotations

from pathlib import Path

import zipfile

import olefile
import pytest
from oletools.olevba import VBA_Parser

import mplan_xl
from mplan_xl import libreoffice
from mplan_xl.macros import THIS_WORKBOOK_CODE, generated_sources, vba_sources

MACROS_DIR = Path(__file__).resolve().parents[1] / "macros"

from conftest import YEAR, needs_libreoffice


def code(text: str) -> str:
    """Source without attribute lines, with one line ending."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("Attribute VB_")).strip()


@pytest.mark.parametrize("name", sorted(generated_sources()))
def test_committed_macros_equal_what_the_generators_write(name):
    committed = (MACROS_DIR / name).read_bytes()
    assert committed == generated_sources()[name].encode("utf-8"), \
        f"macros/{name} drifted; regenerate with: python -m mplan_xl.macros"


def test_wrappers_call_python_for_every_udf():
    wrappers = vba_sources()["xlwings_udfs"]
    import mplan_xl.udfs as udfs
    for name in udfs.WRAPS:
        assert f'XLPy.CallUDF("mplan_xl.udfs", "{name}"' in wrappers


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory):
    return mplan_xl.demo_workbook(tmp_path_factory.mktemp("xlsm") / "demo.xlsm", year=YEAR, lang="en")


def test_olevba_extracts_each_module_with_the_committed_source(xlsm):
    parser = VBA_Parser(str(xlsm))
    modules = {name.rsplit(".", 1)[0]: source for _, _, name, source in parser.extract_macros()}
    for name, source in vba_sources().items():
        assert code(modules[name]) == code(source), name
    assert code(modules["ThisWorkbook"]) == code(THIS_WORKBOOK_CODE)
    sheets = [name for name in modules if name.startswith("Sheet")]
    assert len(sheets) == 12 and all(code(modules[s]) == "" for s in sheets)


def test_olefile_lists_the_project_streams(xlsm):
    with zipfile.ZipFile(xlsm) as z:
        data = z.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(data)
    streams = {"/".join(s) for s in ole.listdir()}
    assert {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT", "VBA/xlwings", "VBA/xlwings_udfs",
            "VBA/mplan_functions", "VBA/ThisWorkbook"} <= streams


def test_xlsm_carries_the_xlwings_settings_and_mplan_formulas(xlsm):
    import openpyxl

    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    conf = wb["xlwings.conf"]
    assert conf.sheet_state == "hidden" and (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "mplan_xl.udfs")
    ws = wb["Actions"]
    assert str(ws["N5"].value).startswith("=MPLAN_ROI(")
    assert str(wb["Objectives"]["M5"].value).startswith("=MPLAN_SMART(") and str(wb["Objectives"]["M5"].value).endswith('"en")')


@needs_libreoffice
def test_libreoffice_opens_the_xlsm_and_sees_the_modules(xlsm, tmp_path):
    ods = libreoffice.convert([xlsm], "ods", tmp_path)[0]
    with zipfile.ZipFile(ods) as z:
        basic = [n for n in z.namelist() if n.startswith("Basic/")]
        text = "".join(z.read(n).decode("utf-8", "replace") for n in basic if n.endswith(".xml"))
    assert any(n.endswith("xlwings_udfs.xml") for n in basic) and any(n.endswith("xlwings.xml") for n in basic)
    assert "MPLAN_ROI" in text and "MplanRegisterFunctions" in text
