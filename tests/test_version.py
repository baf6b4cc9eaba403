"""The version of mplan-xl lives in one place (src/mplan_xl/_version.py): --version, the workbooks' properties,
the .xlsm self-check and pyproject.toml read it there, and CHANGELOG.md's latest release is it."""

from __future__ import annotations

import re
import tomllib
import zipfile
from pathlib import Path

from click.testing import CliRunner

import mplan_xl
from mplan_xl._version import __version__
from mplan_xl.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_the_release_is_1_0_0_and_mplan_xl_version_prints_it():
    assert __version__ == mplan_xl.__version__ == "1.0.0"
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == "mplan-xl, version 1.0.0"


def test_pyproject_reads_the_version_from_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "mplan_xl._version.__version__"}


def test_a_new_workbook_carries_the_version_in_its_properties(tmp_path):
    path = mplan_xl.new_workbook(tmp_path / "plan.xlsx", year=2027)
    with zipfile.ZipFile(path) as z:
        core = z.read("docProps/core.xml").decode()
        custom = z.read("docProps/custom.xml").decode()
    assert f"mplan-xl {__version__}" in core and f"mplan-xl {__version__}" in custom


def test_the_changelog_starts_with_this_release():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## (\d+\.\d+\.\d+)", changelog, re.M)
    assert releases[0] == __version__ and releases[-1] == "0.1.0"


def test_the_xlsm_self_check_expects_this_version():
    vba = (ROOT / "macros" / "mplan_selfcheck.bas").read_text(encoding="utf-8")
    assert f'EXPECTED_MPLAN As String = "{__version__}"' in vba
