"""The controller's year: a plan approved in January comes back edited in LibreOffice (fr-FR, through UNO, as a
team edits it); ``check --against`` tells a transfer from an increase, sees a dropped action, and the landing
follows a re-forecast typed by the team."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

import mplan_xl
from mplan_xl.check.validator import check_file
from mplan_xl.cli import main
from mplan_xl.core import schema
from mplan_xl.core.rules import RULES
from mplan_xl.excel.libreoffice import _profile_dir
from mplan_xl.year.against import check_against

from conftest import YEAR
from test_user_edits import Located, _uno_missing, run_driver

pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(bool(_uno_missing()), reason=_uno_missing() or "")]

PLANNED = "Prévisionnel"
#: name -> UNO steps on the approved demo (French), tables and columns named, never addressed.
EDITS = {
    # L017 gives 600 to L045: the very transfer the demo records on its Virements sheet.
    "transfer-recorded": [{"op": "set", "table": "tblBudget", "row": "L017", "column": PLANNED, "value": 3600},
                          {"op": "set", "table": "tblBudget", "row": "L045", "column": PLANNED, "value": 6000}],
    # L003 gives 300 to L012, recorded nowhere.
    "transfer-unrecorded": [{"op": "set", "table": "tblBudget", "row": "L003", "column": PLANNED, "value": 900},
                            {"op": "set", "table": "tblBudget", "row": "L012", "column": PLANNED, "value": 1650}],
    "increase": [{"op": "set", "table": "tblBudget", "row": "L001", "column": PLANNED, "value": 16000}],
    # Action A05 and its three lines go: the money is released.
    "drop-action": [{"op": "delete_rows", "table": "tblBudget", "ids": ["L011", "L012", "L013"]},
                    {"op": "delete_rows", "table": "tblActions", "ids": ["A05"]}],
    # The team expects the poster sites (L014, 7 400 planned) to cost 8 000.
    "reforecast": [{"op": "set", "table": "tblBudget", "row": "L014", "column": "Réestimation", "value": 8000}],
}


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("against")
    approved = mplan_xl.demo_workbook(folder / "approved.xlsx", year=YEAR)
    profile = folder / "profile"
    shutil.copytree(_profile_dir("fr-FR"), profile)
    jobs = [{"input": str(approved), "output": str(folder / f"{name}.xlsx"), "save": "xlsx", "steps": steps}
            for name, steps in EDITS.items()]
    spec = folder / "jobs.json"
    spec.write_text(json.dumps({"profile": profile.as_uri(), "jobs": jobs}, ensure_ascii=False), encoding="utf-8")
    results = run_driver(spec, timeout=600)
    assert all("output" in r for r in results), results
    return {"approved": approved, **{name: Path(r["output"]) for name, r in zip(EDITS, results)}}


def approval(path: Path, approved: Path, threshold: float | None = None) -> list[tuple[str, str, str | None, str | None]]:
    report = check_against([path], approved, lang="en", jobs=1, threshold=threshold)
    return sorted((f.code, f.severity, f.sheet, f.cell) for f in report.files[0].findings
                  if RULES[f.code].category == "approval")


def test_a_recorded_transfer_is_explained(edited):
    assert approval(edited["transfer-recorded"], edited["approved"]) == []


def test_an_unrecorded_transfer_is_a_warning_at_the_line_that_received_it(edited):
    at = Located(edited["transfer-unrecorded"])
    assert approval(edited["transfer-unrecorded"], edited["approved"]) == [
        ("transfer-unrecorded", "warning", *at.cell("tblBudget", "L012", PLANNED))]
    report = check_against([edited["transfer-unrecorded"]], edited["approved"], lang="en", jobs=1)
    message = next(f.message for f in report.files[0].findings if f.code == "transfer-unrecorded")
    assert "300.00" in message and "L003" in message


def test_a_transfer_over_the_group_threshold_is_an_error(edited):
    at = Located(edited["transfer-unrecorded"])
    assert approval(edited["transfer-unrecorded"], edited["approved"], threshold=200) == [
        ("transfer-over-threshold", "error", *at.cell("tblBudget", "L012", PLANNED))]
    # The recorded transfer of 600 is over a threshold of 500 too: recorded, it still needs approval.
    assert [c for c, *_ in approval(edited["transfer-recorded"], edited["approved"], threshold=500)] == [
        "transfer-over-threshold"]


def test_an_increase_is_an_error_until_approved(edited):
    at = Located(edited["increase"])
    assert approval(edited["increase"], edited["approved"]) == [
        ("plan-increased", "error", *at.cell("tblBudget", "L001", PLANNED))]
    report = check_against([edited["increase"]], edited["approved"], lang="en", jobs=1)
    assert report.files[0].status == "invalid"
    # Approved (the new version becomes the reference), the same file passes.
    assert approval(edited["increase"], edited["increase"]) == []


def test_a_dropped_action_is_shown_and_its_money_released(edited):
    codes = [(c, s) for c, s, *_ in approval(edited["drop-action"], edited["approved"])]
    assert sorted(codes) == [("action-dropped", "warning"), ("plan-decreased", "warning")]


def test_a_reforecast_line_lands_where_the_team_says_and_is_flagged_above_plan(edited):
    path = edited["reforecast"]
    assert approval(path, edited["approved"]) == []      # a re-forecast moves no planned money
    at = Located(path)
    sheet, cell = at.cell("tblBudget", "L014", "Atterrissage")
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    row, col = int(cell[1:]) - 1, ord(cell[0]) - ord("A")
    assert grid[row][col] == 8000                         # LibreOffice computed the landing: the team's figure
    findings = [f for f in check_file(path, lang="fr").findings if f.code == "budget-landing-over-plan"]
    assert [(f.sheet, f.cell) for f in findings] == [at.cell("tblBudget", "L014", "Réestimation")]
    assert "réestimée par l'équipe" in findings[0].message and "600" in findings[0].message


def test_the_command_line(edited, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(edited["increase"]), "--against", str(edited["approved"]),
                                  "--lang", "en"])
    assert result.exit_code == 1 and "Total planned went from" in result.output
    result = runner.invoke(main, ["check", str(edited["transfer-recorded"]), "--against", str(tmp_path / "none.xlsx")])
    assert result.exit_code == 2 and "none.xlsx" in result.output
    result = runner.invoke(main, ["check", str(edited["transfer-recorded"]), "--transfer-threshold", "100"])
    assert result.exit_code == 2 and "--against" in result.output


def test_the_transfers_sheet_is_part_of_the_schema():
    assert schema.SHEETS_BY_KEY["transfers"].table == "tblTransfers"
    assert [c.key for c in schema.SHEETS_BY_KEY["transfers"].columns] == ["from_line", "to_line", "amount", "date",
                                                                          "reason"]
