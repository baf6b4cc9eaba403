"""Amounts and dates typed the way a French (or an English) team types them in LibreOffice (issue 25).

LibreOffice runs in the team's locale (fr-FR, en-US); each text is typed through its number scanner, in the
cell's format, as a person types it. What LibreOffice reads as a number or a date is that number or date in
the plan; what it keeps as text is flagged by ``check`` at its cell, and nowhere else. The typed plan then goes
through the commands a controller runs on it: ``actuals``, ``diff`` (which shows a text typed where a number
or a date belongs as typed) and ``consolidate``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import mplan_xl
from mplan_xl.core import schema
from mplan_xl.excel import libreoffice
from mplan_xl.cli import main
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.workbook.demo_fec import demo_fec_text
from mplan_xl.excel.libreoffice import _profile_dir
from mplan_xl.read.plan_reader import locate_plan
from mplan_xl.read.reader import read_workbook
from mplan_xl.core.rules import RULES
from mplan_xl.check.validator import check_file

from conftest import YEAR
from test_user_edits import _uno_missing, run_driver

pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(bool(_uno_missing()), reason=_uno_missing() or "")]

TEXT = object()   # LibreOffice keeps what was typed as text: check must say so at the cell

#: lang -> (LibreOffice locale, what is typed: (table, row id, column key, text, value the plan holds then)).
TYPED = {
    "fr": ("fr-FR", [
        ("budget", "L001", "planned", "12 500", 12500),                  # a plain space between thousands
        ("budget", "L002", "planned", "12500,50", 12500.5),               # the decimal comma
        ("budget", "L003", "committed", "1 200 €", 1200),                 # the currency typed with it
        ("actions", "A03", "expected_gain", "25 000 €", 25000),
        ("actions", "A01", "start", f"15/03/{YEAR}", dt.date(YEAR, 3, 15)),
        ("actions", "A04", "start", f"15/03/{YEAR % 100}", dt.date(YEAR, 3, 15)),
        ("budget", "L004", "actual", "1\u202f200,50 €", TEXT),              # pasted from a display: U+202F
        ("actions", "A02", "end", "1er mars", TEXT),
    ]),
    "en": ("en-US", [
        ("budget", "L001", "planned", "12,500", 12500),
        ("budget", "L002", "planned", "12500.50", 12500.5),
        ("budget", "L003", "committed", "1,200", 1200),
        ("actions", "A03", "expected_gain", "25,000", 25000),
        ("actions", "A01", "start", f"03/15/{YEAR}", dt.date(YEAR, 3, 15)),
        ("actions", "A04", "start", f"{YEAR}-03-15", dt.date(YEAR, 3, 15)),
        ("budget", "L004", "actual", "1 200.50", TEXT),
        ("actions", "A02", "end", "March 1st", TEXT),
    ]),
}


def _plan_of(path: Path):
    raw = read_workbook(path)
    try:
        return locate_plan(raw).to_plan()
    finally:
        raw.close()


@pytest.fixture(scope="module")
def typed(tmp_path_factory) -> dict[str, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("typing")
    out: dict[str, dict[str, Path]] = {}
    for lang, (locale, edits) in TYPED.items():
        source = mplan_xl.demo_workbook(folder / f"demo-{lang}.xlsx", lang=lang, year=YEAR)
        libreoffice.convert([source], "xlsx", folder / f"first-run-{lang}", locale=locale)   # a settled profile
        profile = folder / f"profile-{lang}"
        shutil.copytree(_profile_dir(locale), profile)
        steps = [{"op": "type", "table": schema.SHEETS_BY_KEY[table].table, "row": row_id,
                  "column": schema.SHEETS_BY_KEY[table].column(key).header(lang), "text": text}
                 for table, row_id, key, text, _ in edits]
        saved, output = folder / f"saved-{lang}.xlsx", folder / f"typed-{lang}.xlsx"
        spec = folder / f"jobs-{lang}.json"
        spec.write_text(json.dumps({"profile": profile.as_uri(), "jobs": [
            {"input": str(source), "output": str(saved), "save": "xlsx", "steps": []},
            {"input": str(source), "output": str(output), "save": "xlsx", "steps": steps}]}), encoding="utf-8")
        assert run_driver(spec, timeout=300) == [{"output": str(saved)}, {"output": str(output)}]
        out[lang] = {"saved": saved, "typed": output}
    return out


@pytest.mark.parametrize("lang", sorted(TYPED))
def test_what_the_team_types_means_what_it_means(typed, lang):
    plan = _plan_of(typed[lang]["typed"])
    for table, row_id, key, text, expected in TYPED[lang][1]:
        value = next(r for r in plan.rows(table) if r.get("id") == row_id).get(key)
        if expected is TEXT:
            assert isinstance(value, str), (text, value)
        else:
            assert value == (pytest.approx(expected) if isinstance(expected, (int, float)) else expected), (text, value)


@pytest.mark.parametrize("lang", sorted(TYPED))
def test_what_stays_text_is_flagged_at_its_cell_and_nothing_else_is(typed, lang):
    def cell_findings(path: Path) -> set[tuple[str, str | None, str | None]]:
        return {(f.code, f.sheet, f.row_id) for f in check_file(path, lang).findings
                if RULES[f.code].category == "cells"}

    # Compared with the same file saved unchanged by LibreOffice: only the typed texts are new cell findings.
    new = cell_findings(typed[lang]["typed"]) - cell_findings(typed[lang]["saved"])
    assert new == {("number-as-text", schema.worksheet_name("budget", lang), "L004"),
                   ("type-invalid", schema.worksheet_name("actions", lang), "A02")}


@pytest.mark.parametrize("lang", sorted(TYPED))
def test_the_typed_plan_goes_through_the_controllers_commands(typed, lang, tmp_path):
    path = typed[lang]["typed"]
    before = path.read_bytes()
    fec = tmp_path / "FEC.txt"
    fec.write_text(demo_fec_text(demo_plan(year=YEAR)), encoding="utf-8")
    runner = CliRunner()

    actuals = runner.invoke(main, ["actuals", str(path), str(fec), "-o", str(tmp_path / "actuals.xlsx"),
                                   "--report", str(tmp_path / "actuals.json"), "--lang", lang])
    assert actuals.exit_code in (0, 1) and (tmp_path / "actuals.xlsx").exists(), actuals.output
    report = json.loads((tmp_path / "actuals.json").read_text(encoding="utf-8"))
    assert report["matched"]["count"] > 0

    diff = runner.invoke(main, ["diff", str(typed[lang]["saved"]), str(path), "--format", "json", "--lang", lang])
    assert diff.exit_code == 1, diff.output
    changes = json.loads(diff.output)
    assert changes["compared"] and not changes["same"]
    changed = {(table, row["id"]) for table, rows in changes["rows"].items() for row in rows["changed"]}
    assert {("budget_lines", "L001"), ("budget_lines", "L002"), ("actions", "A01"), ("actions", "A03")} <= changed
    # What stayed text is shown as typed, not as a blank: the diff sees every value the team typed.
    texts = {(table, row["id"], change["new"]) for table, rows in changes["rows"].items() for row in rows["changed"]
             for change in row["changes"] if isinstance(change["new"], str) and not change["new"][:4].isdigit()}
    assert texts == {("budget_lines", "L004", TYPED[lang][1][6][3]), ("actions", "A02", TYPED[lang][1][7][3])}

    db = tmp_path / "plans.duckdb"
    consolidate = runner.invoke(main, ["consolidate", str(path), "--db", str(db), "--jobs", "1", "--lang", lang])
    assert consolidate.exit_code == 1, consolidate.output          # the plan has errors: it is reported, not loaded
    assert "Traceback" not in consolidate.output
    assert path.read_bytes() == before
