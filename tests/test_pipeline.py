"""The one pipeline read -> locate -> check -> plan: one read of each file, and our bugs never blamed on a file."""

from __future__ import annotations

import builtins
import os
import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

import mplan_xl
from mplan_xl.check import checks, validator
from mplan_xl.cli import main
from mplan_xl.portfolio.consolidate import examine


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pipeline") / "plan.xlsx"
    mplan_xl.demo_workbook(path, company="Atelier Lumen", year=2027, lang="fr", runtime="native")
    return path


def _opens(monkeypatch, path: Path) -> list[str]:
    """Every opening of *path* by the code under test, recorded."""
    seen: list[str] = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        if Path(str(file)).resolve() == path.resolve() if isinstance(file, (str, Path)) else False:
            seen.append(str(file))
        return real_open(file, *args, **kwargs)

    real_os_open = os.open

    def os_spy(file, *args, **kwargs):   # how mplan_xl.read.inputs.open_input opens an input (without blocking)
        if isinstance(file, (str, Path)) and Path(str(file)).resolve() == path.resolve():
            seen.append(str(file))
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(os, "open", os_spy)
    return seen


def test_consolidate_reads_each_file_once(plan, monkeypatch):
    opens = _opens(monkeypatch, plan)
    item = examine(plan, "fr")
    assert item.report.status == "valid" and item.plan is not None
    assert item.sha256 == hashlib.sha256(plan.read_bytes()).hexdigest()
    assert len(opens) == 1   # check, rows and hash from the same bytes (read_bytes above is the test's own)


def test_diff_reads_each_file_once(plan, monkeypatch):
    from mplan_xl.year.diff import read_version

    opens = _opens(monkeypatch, plan)
    version = read_version(plan, "en")
    assert version.findings is None and version.rows["actions"]
    assert len(opens) == 1


def test_a_bug_in_a_check_is_an_internal_error_not_the_files_fault(plan, monkeypatch):
    def broken(located, lang):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(checks, "check_plan", broken)
    report = validator.check_file(plan, "en")
    assert [f.code for f in report.findings] == ["internal-error"]
    assert "not at fault" in report.findings[0].message and "ZeroDivisionError" in report.findings[0].message
    assert "mplan-xl --version" in report.findings[0].hint


def test_a_bug_in_a_check_shows_no_traceback_in_the_cli(plan, monkeypatch, tmp_path):
    monkeypatch.setattr(checks, "check_plan", lambda located, lang: 1 / 0)
    result = CliRunner().invoke(main, ["check", str(plan), "--lang", "en"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "internal-error" in result.output or "Internal error" in result.output


def test_checking_a_macro_workbook_never_imports_the_vba_generator(tmp_path):
    import subprocess
    import sys

    xlsm = tmp_path / "plan.xlsm"
    mplan_xl.demo_workbook(xlsm, lang="en", runtime="xlwings")
    code = ("import sys; from mplan_xl.check.validator import check_file; r = check_file(sys.argv[1], 'en'); "
            "assert r.status == 'valid', r; assert 'mplan_xl.excel.macros' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code, str(xlsm)], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def _all_opens(monkeypatch, path: Path) -> list[str]:
    """Every opening of *path*, through open() or io.open() (zipfile and pathlib use the latter)."""
    import io

    seen = _opens(monkeypatch, path)
    real_io_open = io.open

    def spy(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and Path(str(file)).resolve() == path.resolve():
            seen.append(str(file))
        return real_io_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", spy)
    return seen


def test_check_annotate_reads_each_file_once(tmp_path, monkeypatch):
    from mplan_xl.check.annotate import check_and_annotate

    plan = mplan_xl.demo_workbook(tmp_path / "errors.xlsx", year=2027, with_errors=True)
    opens = _all_opens(monkeypatch, plan)
    report, wrote, why = check_and_annotate(plan, str(tmp_path / "out" / "errors.xlsx"), "en", validator.Limits())
    assert report.status == "invalid" and wrote and why is None
    assert len(opens) == 1   # checked in English, annotated in French on the same read


def test_actuals_reads_the_plan_once(tmp_path, monkeypatch):
    from mplan_xl.year.actuals_workbook import import_actuals
    from mplan_xl.workbook.demo import demo_plan
    from mplan_xl.workbook.demo_fec import write_demo_fec

    plan = mplan_xl.demo_workbook(tmp_path / "plan.xlsx", year=2027)
    fec = write_demo_fec(demo_plan(year=2027), tmp_path / "fec.txt")
    opens = _all_opens(monkeypatch, plan)
    import_actuals(plan, fec, tmp_path / "copy.xlsx")
    assert len(opens) == 1
