"""The VBA in macros/ is what the generators write, and the .xlsm carries it, as independent parsers see."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from oletools.olevba import VBA_Parser

import mplan_xl
from mplan_xl.core import schema
from mplan_xl.excel import libreoffice, macros
from mplan_xl.excel.macros import THIS_WORKBOOK_CODE, generated_sources, vba_sources

from conftest import YEAR, needs_libreoffice

MACROS_DIR = Path(__file__).resolve().parents[1] / "macros"
XLWINGS_DIR = Path(xlwings.__file__).parent


def code(text: str) -> str:
    """Source without attribute lines and the class file header, with one line ending."""
    lines = macros.module_code(text).replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("Attribute VB_")).strip()


# --- drift ------------------------------------------------------------------------------------------

def test_macros_folder_holds_exactly_the_generated_files():
    assert sorted(p.name for p in MACROS_DIR.iterdir()) == sorted(generated_sources())


@pytest.mark.parametrize("name", sorted(generated_sources()))
def test_committed_macros_equal_what_the_generators_write(name):
    committed = (MACROS_DIR / name).read_bytes()
    assert committed == generated_sources()[name].encode("utf-8"), \
        f"macros/{name} drifted; regenerate with: python -m mplan_xl.excel.macros"


def test_wrapper_module_is_what_xlwings_generator_writes_now():
    """Regenerated from scratch through xlwings' own generator, not from a cache."""
    macros._udf_functions.cache_clear()
    assert (MACROS_DIR / "xlwings_udfs.bas").read_bytes() == macros.wrapper_module().encode("utf-8")


@pytest.mark.parametrize("committed, installed", [("xlwings.bas", "xlwings.bas"), ("Dictionary.cls", "addin/Dictionary.cls")])
def test_xlwings_runtime_files_are_those_of_the_installed_xlwings(committed, installed):
    assert xlwings.__version__ == "0.37.8"
    assert (MACROS_DIR / committed).read_bytes() == (XLWINGS_DIR / installed).read_bytes()


def test_standalone_xlwings_needs_the_dictionary_class():
    """xlwings.bas declares Dictionary objects (on a Mac) and the standalone quickstart carries the class."""
    assert re.search(r"^\s*Dim \w+ As Dictionary", (MACROS_DIR / "xlwings.bas").read_text(), re.MULTILINE)
    parser = VBA_Parser(str(XLWINGS_DIR / "quickstart_standalone.xlsm"))
    assert {"xlwings", "Dictionary"} <= {name.rsplit(".", 1)[0] for _, _, name, _ in parser.extract_macros()}


def test_write_macros_regenerates_the_folder(tmp_path):
    written = macros.write_macros(tmp_path)
    assert sorted(p.name for p in written) == sorted(generated_sources())
    for path in written:
        assert path.read_bytes() == (MACROS_DIR / path.name).read_bytes()


# --- content ----------------------------------------------------------------------------------------

def test_vba_sources_are_the_committed_modules():
    sources = vba_sources()
    assert list(sources) == ["xlwings", "Dictionary", "xlwings_udfs", "mplan_functions", "mplan_selfcheck"]
    for name, (file, kind) in macros.MODULES.items():
        text = (MACROS_DIR / file).read_bytes().decode("utf-8")
        assert sources[name] == (text if kind == "standard" else macros.module_code(text))
    assert not sources["Dictionary"].startswith("VERSION") and sources["Dictionary"].startswith('Attribute VB_Name = "Dictionary"')


def test_wrappers_call_python_for_every_udf():
    import mplan_xl.udfs as udfs

    wrappers = vba_sources()["xlwings_udfs"]
    assert wrappers.startswith('Attribute VB_Name = "xlwings_udfs"')
    for name in [*udfs.WRAPS, "MPLAN_VERSION"]:
        assert f'XLPy.CallUDF("mplan_xl.udfs", "{name}"' in wrappers
    assert "Function MPLAN_SMART(statement, indicator, target, unit, deadline, owner, plan_year, Optional baseline, " \
           "Optional lang)" in wrappers


def test_registration_module_is_valid_vba_in_the_project_code_page():
    text = vba_sources()["mplan_functions"]
    text.encode("cp1252")                                        # the VBA project's code page
    for line in text.split("\r\n"):
        assert len(line) <= 1023                                 # VBA's longest physical line
    logical = re.split(r"(?<! _)\r\n", text)
    assert max(line.count(" _\r\n") for line in logical) <= 24   # VBA's line continuation limit
    import mplan_xl.udfs as udfs

    for name in [*udfs.WRAPS, "MPLAN_VERSION"]:
        assert text.count(f'MplanRegister "{name}",') == 2        # French and English
    assert '« En bonne voie »' in text and '""On track""' in text
    from mplan_xl.core.schema import META_SHEET

    assert META_SHEET == macros.META_SHEET and f'Worksheets("{META_SHEET}")' in text and '= "lang"' in text


# --- the built workbook -----------------------------------------------------------------------------

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
    # every worksheet, visible (schema.workbook_sheets) or hidden (lists, config, live status, metadata, xlwings.conf)
    assert len(sheets) == len(schema.workbook_sheets()) + 5 and all(code(modules[s]) == "" for s in sheets)


def test_olefile_lists_the_project_streams(xlsm):
    with zipfile.ZipFile(xlsm) as z:
        data = z.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(data)
    streams = {"/".join(s) for s in ole.listdir()}
    assert {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT", "VBA/xlwings", "VBA/Dictionary", "VBA/xlwings_udfs",
            "VBA/mplan_functions", "VBA/ThisWorkbook"} <= streams
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Class=Dictionary" in project and "Module=xlwings_udfs" in project


def test_xlsm_carries_the_xlwings_settings_and_mplan_formulas(xlsm):
    import openpyxl

    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    conf = wb["xlwings.conf"]
    assert conf.sheet_state == "hidden" and (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "mplan_xl.udfs")
    assert str(wb["Actions"]["Q5"].value).startswith("=MPLAN_ROI(")   # expected ROI
    assert str(wb["Actions"]["R5"].value).startswith("=MPLAN_ROI(")   # achieved ROI, the same function
    assert str(wb["Objectives"]["M5"].value).startswith("=MPLAN_SMART(") and str(wb["Objectives"]["M5"].value).endswith('"en")')


def test_the_registration_finds_the_workbook_language_where_it_looks(xlsm):
    """MplanLanguage reads column B next to "lang" in column A of the metadata sheet, rows 1 to 50."""
    import openpyxl

    meta = openpyxl.load_workbook(xlsm)[macros.META_SHEET]
    rows = {row[0]: row[1] for row in meta.iter_rows(min_row=1, max_row=50, max_col=2, values_only=True)}
    assert rows[macros.LANG_KEY] == "en"


@needs_libreoffice
def test_libreoffice_opens_the_xlsm_and_sees_the_modules(xlsm, tmp_path):
    ods = libreoffice.convert([xlsm], "ods", tmp_path)[0]
    with zipfile.ZipFile(ods) as z:
        basic = [n for n in z.namelist() if n.startswith("Basic/")]
        text = "".join(z.read(n).decode("utf-8", "replace") for n in basic if n.endswith(".xml"))
    assert any(n.endswith("xlwings_udfs.xml") for n in basic) and any(n.endswith("xlwings.xml") for n in basic)
    assert any(n.endswith("Dictionary.xml") for n in basic)
    assert "MPLAN_ROI" in text and "MplanRegisterFunctions" in text


def test_self_check_runs_before_any_function_and_its_python_answers_with_the_pinned_versions():
    """The .xlsm explains itself when Python is missing or mismatched: Workbook_Open checks first; the Python
    line it runs (here, with this interpreter) prints the versions the VBA compares with its own."""
    import subprocess
    import sys

    assert THIS_WORKBOOK_CODE.index("MplanSelfCheck") < THIS_WORKBOOK_CODE.index("MplanRegisterFunctions")
    check = vba_sources()["mplan_selfcheck"]
    assert not re.search(r"MPLAN_[A-Z_]+\s*\(", check)  # calls no MPLAN_ function
    assert f'EXPECTED_XLWINGS As String = "{xlwings.__version__}"' in check
    assert f'EXPECTED_MPLAN As String = "{mplan_xl.__version__}"' in check
    assert all(len(line) < 1024 for line in check.split("\r\n"))  # VBA's line limit
    assert '"' not in macros._SELFCHECK_PYTHON and "%" not in macros._SELFCHECK_PYTHON  # safe inside cmd.exe /c "..."
    for key in ("no_python", "no_xlwings", "no_mplan", "xlwings_version", "mplan_version", "no_dll", "footer"):
        assert check.count(f'Case "{key}"') == 2  # French and English
    assert ".xlsx" in check and "windows-setup.md" in check
    out = subprocess.run([sys.executable, "-c", macros._SELFCHECK_PYTHON], capture_output=True, text=True, check=True)
    tag, xlwings_version, mplan_version, _dll = out.stdout.split()
    assert (tag, xlwings_version, mplan_version) == ("MPLAN-CHECK", xlwings.__version__, mplan_xl.__version__)
    missing = subprocess.run([sys.executable, "-S", "-c", macros._SELFCHECK_PYTHON], capture_output=True, text=True)
    assert "No module named 'xlwings'" in missing.stderr  # the text the VBA looks for to say "install xlwings"
