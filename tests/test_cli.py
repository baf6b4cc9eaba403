"""The command line: outputs, and bad input answered by one clear line without a half-written file."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from mplan_xl.core import schema
from mplan_xl.cli import main


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_new_writes_a_template_with_the_options(tmp_path):
    out = tmp_path / "plan.xlsx"
    result = run("new", str(out), "--lang", "en", "--company", "Atelier Lumen", "--year", "2030",
                 "--currency", "usd", "--envelope", "42000")
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    wb = openpyxl.load_workbook(out)
    guide = wb["Guide"]
    assert guide["C4"].value == "Atelier Lumen" and guide["C5"].value == 2030
    assert guide["C7"].value == "USD" and guide["C8"].value == 42000
    meta = {r[0]: r[1] for r in wb[schema.META_SHEET].iter_rows(min_row=2, values_only=True)}
    assert meta["lang"] == "en" and meta["currency"] == "USD"


def test_demo_writes_a_filled_plan(tmp_path):
    out = tmp_path / "demo.xlsx"
    result = run("demo", str(out), "--company", "Brûlerie Test")
    assert result.exit_code == 0, result.output
    assert "Écrit" in result.output
    wb = openpyxl.load_workbook(out)
    assert wb["Accueil"]["C4"].value == "Brûlerie Test"
    ids = [r[0] for r in wb["Actions"].iter_rows(min_row=schema.HEADER_ROW + 1, values_only=True) if r[0]]
    assert len(ids) >= 16


def test_existing_output_is_refused_without_force_and_left_untouched(tmp_path):
    out = tmp_path / "plan.xlsx"
    out.write_bytes(b"precious")
    result = run("new", str(out))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "--force" in result.output
    assert out.read_bytes() == b"precious"
    assert run("new", str(out), "--force").exit_code == 0
    assert out.read_bytes().startswith(b"PK")
    assert leftovers(tmp_path) == ["plan.xlsx"]


@pytest.mark.parametrize("args, needle", [
    (["--year", "1850"], "1850"),
    (["--year", "2200"], "2200"),
    (["--lang", "de"], "de"),
    (["--currency", "XYZ"], "XYZ"),
    (["--runtime", "vba"], "vba"),
])
def test_bad_options_are_usage_errors(tmp_path, args, needle):
    out = tmp_path / "plan.xlsx"
    result = run("new", str(out), *args)
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output
    assert leftovers(tmp_path) == []


def test_wrong_extension_for_the_runtime_is_explained(tmp_path):
    result = run("new", str(tmp_path / "plan.xlsm"), "--runtime", "native", "--lang", "en")
    assert result.exit_code == 2
    assert ".xlsx" in result.output and result.output.count("\n") == 1


def test_missing_folder_gives_one_line(tmp_path):
    result = run("new", str(tmp_path / "nope" / "plan.xlsx"), "--lang", "en")
    assert result.exit_code == 2
    assert result.output.strip().endswith("folder does not exist")


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs a read-only pseudo file system")
def test_unwritable_place_gives_one_line_and_no_file():
    result = run("new", "/proc/plan.xlsx", "--lang", "en")
    assert result.exit_code != 0
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert not os.path.exists("/proc/plan.xlsx")


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_outputs_get_the_permissions_of_a_new_file(tmp_path, mask, mode):
    """Plans, demos and reports are readable by colleagues on a shared folder, as the umask allows."""
    old = os.umask(mask)
    try:
        assert run("demo", str(tmp_path / "demo.xlsx")).exit_code == 0
        assert run("new", str(tmp_path / "plan.xlsm")).exit_code == 0
        run("check", str(tmp_path / "demo.xlsx"), "--format", "xlsx", "--output", str(tmp_path / "report.xlsx"))
    finally:
        os.umask(old)
    for name in ("demo.xlsx", "plan.xlsm", "report.xlsx"):
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name


def test_new_and_demo_take_their_workbook_as_out_or_with_o(tmp_path):
    runner = CliRunner()
    for command in ("new", "demo"):
        target = tmp_path / f"{command}.xlsx"
        result = runner.invoke(main, [command, "-o", str(target), "--lang", "en"])
        assert result.exit_code == 0 and target.exists(), result.output
        assert runner.invoke(main, [command, "--lang", "en"]).exit_code == 2
        both = runner.invoke(main, [command, str(tmp_path / "a.xlsx"), "--output", str(tmp_path / "b.xlsx")])
        assert both.exit_code == 2 and "OUT ou -o/--output, pas les deux" in both.output
        assert not (tmp_path / "a.xlsx").exists() and not (tmp_path / "b.xlsx").exists()


# --- issue 22: the commands load only what they use -------------------------------------------------------

_HEAVY = ("pandas", "duckdb", "xlsxwriter", "openpyxl", "numpy", "psycopg")
_LOADED = """
import sys
from mplan_xl.cli import main
try:
    main({args!r}, standalone_mode=True)
except SystemExit:
    pass
print(" ".join(sorted({{name if {full!r} else name.split(".")[0] for name in sys.modules}})))
"""


def _loaded_by(*args: str, full: bool = False) -> set[str]:
    import subprocess
    import sys

    src = str(Path(__file__).resolve().parent.parent / "src")
    env = dict(os.environ, PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", _LOADED.format(args=list(args), full=full)], capture_output=True,
                          text=True, env=env, check=True)
    return set(done.stdout.splitlines()[-1].split())


def test_check_loads_no_dataframe_database_or_workbook_writer(tmp_path):
    import mplan_xl

    plan = mplan_xl.demo_workbook(tmp_path / "plan.xlsx", year=2027)
    loaded = _loaded_by("check", str(plan), "--jobs", "1", "-o", str(tmp_path / "report.json"))
    assert (tmp_path / "report.json").exists()
    assert loaded.isdisjoint(_HEAVY), sorted(loaded & set(_HEAVY))


def test_version_loads_no_reader_nor_workbook_writer():
    loaded = _loaded_by("--version")
    assert loaded.isdisjoint(_HEAVY + ("python_calamine", "pebble")), sorted(loaded & set(_HEAVY))


def test_each_command_loads_only_its_own_module(tmp_path):
    """Issue 22: the start-up of a command costs only its own imports (--version none, check not the FEC reader,
    the database nor the other commands)."""
    import mplan_xl

    commands = {f"mplan_xl.cli.{name}" for name in ("check_command", "plan_commands", "year_commands",
                                                   "portfolio_commands", "results_command", "repair_command")}
    assert _loaded_by("--version", full=True).isdisjoint(commands | {"mplan_xl.core.schema"})
    plan = mplan_xl.demo_workbook(tmp_path / "plan.xlsx", year=2027)
    loaded = _loaded_by("check", str(plan), "--jobs", "1", "--no-cache", "-o", str(tmp_path / "r.json"), full=True)
    assert (tmp_path / "r.json").exists()
    assert loaded & commands == {"mplan_xl.cli.check_command"}
    assert loaded.isdisjoint({"mplan_xl.year.fec", "mplan_xl.year.actuals", "mplan_xl.portfolio.consolidate"})
    assert "mplan_xl.year.fec" in _loaded_by("actuals", "--help", full=True)
