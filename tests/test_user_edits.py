"""A team edits the plan in LibreOffice the way people do; `check` and the Guide's live status judge each edit right.

Every edit is made through LibreOffice's UNO API (``tests/uno_edit.py``, run by Debian's ``/usr/bin/python3``,
the interpreter that has ``python3-uno``): rows inserted inside a table and filled, a row typed below a table,
a sort, deleted rows, a column of the team's own, values typed over formulas, an ``.ods`` round trip. Each
saved file is checked and the exact findings are asserted, every cell located by table, id and header in the
saved file (never a hard-coded address). Then the Guide's live counts, as LibreOffice calculated them when
saving, must equal ``check``'s errors of the live rules, family by family.

LibreOffice runs in the French locale (fr-FR, as a French desk) and in en-US: every edit is made in both, two
LibreOffice processes side by side. Saved unchanged (``.xlsx``, and an ``.ods`` round trip), every cell shows the
same text as before, the text LibreOffice itself formats, in fr-FR, en-US and de-DE.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

import mplan_xl
from mplan_xl.core import schema
from mplan_xl.portfolio.consolidate import consolidate
from mplan_xl.workbook.demo import SEEDED_ERRORS
from mplan_xl.year.diff import diff
from mplan_xl.excel.libreoffice import _profile_dir, soffice_path
from mplan_xl.read.number_formats import is_scaled
from mplan_xl.read.plan_reader import a1, locate_plan
from mplan_xl.read.reader import read_workbook
from mplan_xl.core.rules import RULES
from mplan_xl.workbook.guide_status import FAMILIES, STATUS_ITEMS
from mplan_xl.check.validator import check_file
from mplan_xl.core.vocabulary import EXPENSE_ITEM

from conftest import YEAR, format_codes

DRIVER = Path(__file__).with_name("uno_edit.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def _uno_missing() -> str | None:
    if soffice_path() is None:
        return "LibreOffice (soffice) is not installed"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is missing (UNO is driven by Debian's python3 with python3-uno)"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=30)
    return None if probe.returncode == 0 else "python3-uno is not installed for /usr/bin/python3"


pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(bool(_uno_missing()), reason=_uno_missing() or "")]


def run_driver(spec: Path, timeout: float) -> list[dict]:
    """Run the UNO driver on *spec*; past *timeout* its whole process group (LibreOffice too) is killed."""
    return run_drivers([spec], timeout)[0]


def run_drivers(specs: list[Path], timeout: float) -> list[list[dict]]:
    """Run one UNO driver per spec, side by side (each its own LibreOffice); the results of each, in order."""
    procs = [subprocess.Popen([SYSTEM_PYTHON, str(DRIVER), str(spec)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True) for spec in specs]
    deadline, outputs = time.monotonic() + timeout, []
    try:
        for proc in procs:
            outputs.append(proc.communicate(timeout=max(1.0, deadline - time.monotonic())))
    except subprocess.TimeoutExpired:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
        raise AssertionError(f"the UNO driver took more than {timeout} s")
    results = []
    for out, err in outputs:
        results.append([json.loads(line) for line in out.splitlines() if line.startswith("{")])
        assert results[-1], err
    return results

ITEM = EXPENSE_ITEM.labels("fr")[2]   # a valid expense item (Impression)
NEW_LINE = {"ID": "L100", "ID action": "A01", "Poste": ITEM, "Prévisionnel": 1000}

#: name -> (source workbook, save format, UNO steps). Tables and columns are named, never addressed.
EDITS = {
    "unchanged": ("demo", "xlsx", []),
    "insert-and-fill": ("demo", "xlsx", [
        {"op": "insert_rows", "table": "tblBudget", "before": "L010", "count": 1},
        {"op": "fill", "table": "tblBudget", "row": "", "values": NEW_LINE}]),
    "append-below": ("demo", "xlsx", [
        {"op": "append", "table": "tblBudget",
         "values": {"ID": "L099", "ID action": "A01", "Poste": ITEM, "Prévisionnel": 250000}}]),
    "sort": ("demo", "xlsx", [{"op": "sort", "table": "tblBudget", "by": "Prévisionnel", "descending": True}]),
    "delete-rows": ("demo", "xlsx", [{"op": "delete_rows", "table": "tblBudget", "ids": ["L015", "L016"]}]),
    "own-column": ("demo", "xlsx", [
        {"op": "insert_column", "table": "tblActions", "before": "Budget", "header": "Commentaire"},
        {"op": "set", "table": "tblActions", "row": "A01", "column": "Commentaire", "value": "à revoir"}]),
    "type-over-formulas": ("demo", "xlsx", [
        {"op": "set", "table": "tblActions", "row": "A03", "column": "ROI attendu", "value": 0.5},
        {"op": "set", "table": "tblKpi", "row": "K01", "column": "Écart", "value": ""}]),
    "ods-round-trip": ("demo", "ods", []),
    "delete-action": ("demo", "xlsx", [{"op": "delete_rows", "table": "tblActions", "ids": ["A05"]}]),
    "no-company": ("demo", "xlsx", [{"op": "set_name", "name": "mplan_company", "value": ""}]),
    # The team keeps working in the file that went through .ods: its mistakes are still found at their cells.
    "ods-then-mistakes": ("ods-round-trip", "xlsx", [
        {"op": "set", "table": "tblActions", "row": "A03", "column": "ROI attendu", "value": 0.5},
        {"op": "append", "table": "tblBudget",
         "values": {"ID": "L099", "ID action": "A01", "Poste": ITEM, "Prévisionnel": 250000}}]),
    # The ROI of the action follows the typed budget: one finding for the typed value, none on the ROI.
    "type-over-budget": ("demo", "xlsx", [
        {"op": "set", "table": "tblActions", "row": "A03", "column": "Budget", "value": 5000}]),
    "retype-budget": ("type-over-budget", "xlsx", [
        {"op": "set", "table": "tblActions", "row": "A03", "column": "Budget", "value": 6000}]),
    "seeded-errors": ("errors", "xlsx", []),
    "seeded-errors-ods": ("errors", "ods", []),
    "template": ("template", "xlsx", []),
}


def h(key: str, column: str, lang: str = "en") -> str:
    return schema.SHEETS_BY_KEY[key].column(column).header(lang)


#: The same kinds of edits on the English workbook, headers taken from the schema.
EDITS["edits-en"] = ("demo-en", "xlsx", [
    {"op": "insert_rows", "table": "tblBudget", "before": "L010", "count": 1},
    {"op": "fill", "table": "tblBudget", "row": "", "values": {
        h("budget", "id"): "L100", h("budget", "action_id"): "A01", h("budget", "item"): EXPENSE_ITEM.labels("en")[2],
        h("budget", "planned"): 1000}},
    {"op": "append", "table": "tblBudget", "values": {h("budget", "id"): "L099", h("budget", "planned"): 250000}},
    {"op": "set", "table": "tblActions", "row": "A03", "column": h("actions", "roi"), "value": 0.5}])
EDITS["seeded-errors-en"] = ("errors-en", "xlsx", [])
#: Saved unchanged: every cell must show the same text after the save (the ods round trip is in EDITS).
EDITS["unchanged"] = ("demo", "xlsx", [])
EDITS["unchanged-en"] = ("demo-en", "xlsx", [])
EDITS["ods-round-trip-en"] = ("demo-en", "ods", [])
#: An amount and a percentage just typed, then saved: reopened, they show what was typed.
EDITS["typed-figures"] = ("demo", "xlsx", [
    {"op": "set", "table": "tblBudget", "row": "L003", "column": "Prévisionnel", "value": 12500.5},
    {"op": "set", "table": "tblKpi", "row": "K02", "column": "Cible", "value": 0.153}])
UNCHANGED = ["unchanged", "ods-round-trip", "template", "unchanged-en", "ods-round-trip-en", "typed-figures"]
#: The locales LibreOffice runs in: every edit in fr-FR and en-US; the French demo's unchanged saves also in
#: de-DE (another locale with a decimal comma: measured, it keeps even the old French formats).
EDIT_LOCALES = ["fr-FR", "en-US"]
DISPLAY_LOCALES = {"fr-FR": [*UNCHANGED, "portfolio"], "en-US": UNCHANGED, "de-DE": ["unchanged", "ods-round-trip"]}
#: Saved unchanged too, not a plan: the portfolio workbook `consolidate` writes.
SAVES = {**EDITS, "portfolio": ("portfolio", "xlsx", [])}


def lang_of(name: str) -> str:
    return "en" if name.endswith("-en") else "fr"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict[str, dict]]:
    """locale -> edit name -> the driver's result (its output and, for the unchanged saves, the text shown)."""
    folder = tmp_path_factory.mktemp("uno")
    sources = {
        "demo": mplan_xl.demo_workbook(folder / "demo.xlsx", year=YEAR),
        "errors": mplan_xl.demo_workbook(folder / "errors.xlsx", year=YEAR, with_errors=True),
        "template": mplan_xl.new_workbook(folder / "template.xlsx", year=YEAR, envelope=50000),
        "demo-en": mplan_xl.demo_workbook(folder / "demo-en.xlsx", lang="en", year=YEAR),
        "errors-en": mplan_xl.demo_workbook(folder / "errors-en.xlsx", lang="en", year=YEAR, with_errors=True),
    }
    sources["portfolio"] = folder / "portfolio.xlsx"
    consolidate([sources["demo"], sources["demo-en"]], folder / "plans.duckdb", out=sources["portfolio"], lang="fr")
    specs, names = [], {}
    for locale in DISPLAY_LOCALES:
        profile = folder / f"profile-{locale}"
        shutil.copytree(_profile_dir(locale), profile)   # recalculates every formula on load, runs in *locale*
        names[locale] = [n for n in SAVES if (locale in EDIT_LOCALES and n in EDITS) or n in DISPLAY_LOCALES[locale]]
        own = folder / locale   # each LibreOffice its own copies: one that finds another's lock file refuses to open
        own.mkdir()
        inputs = {src: shutil.copy(path, own) for src, path in sources.items()}
        # A source that is not one of the workbooks above is the output of an earlier edit (jobs run in order).
        jobs = [{"input": str(inputs.get(SAVES[n][0], own / f"{SAVES[n][0]}.xlsx")), "output": str(own / f"{n}.xlsx"),
                 "save": SAVES[n][1],
                 "steps": SAVES[n][2], "display": n in DISPLAY_LOCALES[locale]} for n in names[locale]]
        specs.append(folder / f"jobs-{locale}.json")
        specs[-1].write_text(json.dumps({"profile": profile.as_uri(), "jobs": jobs}, ensure_ascii=False),
                             encoding="utf-8")
    out = {}
    for locale, results in zip(DISPLAY_LOCALES, run_drivers(specs, timeout=600)):
        assert len(results) == len(names[locale]) and all("output" in r for r in results), results
        out[locale] = dict(zip(names[locale], results))
    return out


@pytest.fixture(scope="module", params=EDIT_LOCALES)
def edited(request, runs) -> dict[str, Path]:
    """Edit name -> the file LibreOffice saved, running in the locale of the test's parameter."""
    return {name: Path(result["output"]) for name, result in runs[request.param].items() if name in EDITS}


@pytest.mark.parametrize(("locale", "name"), [(locale, name) for locale, names in DISPLAY_LOCALES.items()
                                               for name in names])
def test_a_save_shows_every_figure_as_before(runs, locale, name):
    """Saved (unchanged, through .ods, or just after typing figures), reopened: every cell shows the very text
    it showed before the save (a French format with a bare space before its unit would show 133 130,00 € as
    133,13€ after a save in fr-FR)."""
    result = runs[locale][name]
    before, after = result["before"], result["after"]
    assert len(before) > 100
    changed = {cell: (text, after.get(cell)) for cell, text in before.items() if after.get(cell) != text}
    assert not changed and after.keys() == before.keys(), dict(list(changed.items())[:10])
    assert not [code for code in format_codes(Path(result["output"])) if is_scaled(code)]   # charts' axes too


class Located:
    """Cells of a saved workbook found by table name, header and row id (openpyxl reads the file)."""

    def __init__(self, path: Path):
        self.wb = openpyxl.load_workbook(path)

    def table(self, name: str):
        for ws in self.wb.worksheets:
            if name in ws.tables:
                min_col, min_row, max_col, max_row = openpyxl.utils.cell.range_boundaries(ws.tables[name].ref)
                headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
                return ws, min_col, min_row, max_row, headers
        raise AssertionError(f"table {name} not found")

    def cell(self, table: str, row_id: str, header: str, occurrence: int = 1) -> tuple[str, str]:
        ws, min_col, min_row, max_row, headers = self.table(table)
        seen = 0
        for r in range(min_row + 1, max_row + 1):
            if str(ws.cell(r, min_col).value) == row_id:
                seen += 1
                if seen == occurrence:
                    return ws.title, a1(r - 1, min_col - 1 + headers.index(header))
        raise AssertionError(f"{row_id} not in {table}")

    def header(self, table: str, header: str) -> tuple[str, str]:
        ws, min_col, min_row, _, headers = self.table(table)
        return ws.title, a1(min_row - 1, min_col - 1 + headers.index(header))

    def below(self, table: str) -> tuple[str, str]:
        ws, min_col, _, max_row, _ = self.table(table)
        return ws.title, a1(max_row, min_col - 1)

    def first_row(self, table: str, header: str) -> tuple[str, str]:
        ws, min_col, min_row, _, headers = self.table(table)
        return ws.title, a1(min_row, min_col - 1 + headers.index(header))


def found(path: Path) -> list[tuple[str, str, str | None, str | None]]:
    return sorted((f.code, f.severity, f.sheet, f.cell) for f in check_file(path, lang="en").findings)


def lost_definitions(at: Located, lang: str = "fr") -> list[tuple]:
    """LibreOffice drops every table's calculated-column definition: one cause, one warning for the file, at the
    first table that had one."""
    first = next(s for s in schema.TABLES if s.computed_columns)
    return [("table-formulas-lost", "warning", *at.header(first.table, first.headers(lang)[0]))]


def a1_form(at: Located) -> list[tuple]:
    """An .ods round trip writes every computed formula with cell addresses: one warning per table, at its first
    computed cell."""
    return [("formula-as-cell-references", "warning", *at.first_row(s.table, s.computed_columns[0].header("fr")))
            for s in schema.TABLES if s.computed_columns]


def first_computed_cell(at: Located, table: str, row_id: str, lang: str = "fr") -> tuple[str, str]:
    """The leftmost computed cell of a row: where the one finding of a row without formulas sits."""
    sheet = next(s for s in schema.TABLES if s.table == table)
    headers = at.table(table)[4]
    return at.cell(table, row_id, min((c.header(lang) for c in sheet.computed_columns), key=headers.index))


def test_a_row_inserted_inside_a_table_and_filled_lacks_only_its_formulas(edited):
    """One cause (the row came without formulas): one error for the row, listing every computed column."""
    at = Located(edited["insert-and-fill"])
    expected = [("formula-missing", "error", *first_computed_cell(at, "tblBudget", "L100"))]
    assert found(edited["insert-and-fill"]) == sorted(expected + lost_definitions(at))
    [missing] = [f for f in check_file(edited["insert-and-fill"], lang="en").findings if f.code == "formula-missing"]
    assert missing.row_id == "L100" and missing.params["count"] == len(schema.BUDGET.computed_columns)
    assert missing.hint == ("The formulas are missing (a row inserted in LibreOffice gets none); copy them from the row "
                            "above. Automatic repair, every typed value kept: mplan-xl repair FILE -o COPY.")
    assert missing.repairable
    assert all(c.header("fr") in missing.message for c in schema.BUDGET.computed_columns)


def test_a_budget_line_typed_below_the_table_is_an_error(edited):
    at = Located(edited["append-below"])
    # The row below the table (LibreOffice does not grow it) is not part of the plan: the 250,000 is in no total.
    sheet, cell = at.below("tblBudget")
    assert found(edited["append-below"]) == sorted([("row-outside-table", "error", sheet, cell)] + lost_definitions(at))
    [finding] = [f for f in check_file(edited["append-below"], lang="en").findings if f.code == "row-outside-table"]
    assert "tblBudget" in finding.message


def test_a_plain_libreoffice_save_is_one_finding_for_the_file(edited):
    at = Located(edited["unchanged"])
    assert found(edited["unchanged"]) == lost_definitions(at)
    [lost] = check_file(edited["unchanged"], lang="en").findings
    assert all(s.table in lost.message for s in schema.TABLES if s.computed_columns)


def test_diff_sees_a_row_typed_below_a_table(edited):
    """check finds the row typed below tblBudget (row-outside-table); diff shows every value of it."""
    result = diff(edited["unchanged"], edited["append-below"], lang="en")
    ws, min_col, _, max_row, headers = Located(edited["append-below"]).table("tblBudget")
    typed = {"ID": "L099", "ID action": "A01", "Poste": ITEM, "Prévisionnel": 250000}
    assert not result.same and result.exit_code == 1
    assert {(o["cell"], o["old"], o["new"]) for o in result.outside} == {
        (a1(max_row, min_col - 1 + headers.index(h)), None, v) for h, v in typed.items()}
    sheet, cell = ws.title, a1(max_row, min_col - 1)
    assert all(o["sheet"] == "budget" for o in result.outside)
    assert f"{sheet} {cell}: — → L099" in result.to_text("en")


def test_a_plan_without_company_is_an_error_at_its_guide_cell_and_is_not_consolidated(edited, tmp_path):
    at = Located(edited["no-company"])
    company = at.wb.defined_names[schema.NAME_COMPANY].attr_text.replace("$", "")
    sheet, cell = company.split("!")
    assert sheet.strip("'") == schema.worksheet_name("guide", "fr")
    assert found(edited["no-company"]) == sorted([("company-missing", "error", sheet.strip("'"), cell)]
                                                 + lost_definitions(at))
    result = consolidate([edited["no-company"]], tmp_path / "plans.duckdb", lang="en")
    assert not result.loaded and [s.status for s in result.skipped] == ["invalid"]
    assert "company-missing" in {f.code for f in result.skipped[0].findings}


def ws_value(ws, row: int, col: int):
    return ws.cell(row, col).value


def test_deleting_an_action_is_one_finding_for_its_budget_lines(edited):
    at = Located(edited["delete-action"])
    ws, min_col, min_row, max_row, headers = at.table("tblBudget")
    action = min_col + headers.index("ID action")
    lines = [r for r in range(min_row + 1, max_row + 1) if ws.cell(r, action).value == "A05"]
    assert len(lines) > 1
    first = a1(lines[0] - 1, action - 1)
    # A05's monthly results (the demo measured it) now name a missing action too: one finding there.
    results, r_col, r_min, r_max, r_headers = at.table("tblActionResults")
    [result_row] = [r for r in range(r_min + 1, r_max + 1) if ws_value(results, r, r_col) == "A05"]
    assert found(edited["delete-action"]) == sorted([("reference-unresolved", "error", ws.title, first),
                                                     ("reference-unresolved", "error", results.title,
                                                      a1(result_row - 1, r_col - 1))] + lost_definitions(at))
    [finding] = [f for f in check_file(edited["delete-action"], lang="en").findings
                 if f.code == "reference-unresolved" and f.sheet == ws.title]
    assert f"({len(lines)} row(s): {first}:" in finding.message


def test_diff_sees_the_value_typed_over_a_formula_and_its_change(edited):
    typed = diff(edited["unchanged"], edited["type-over-budget"], lang="en")
    assert typed.structure["formulas"] == [{"table": "actions", "id": "A03", "column": "budget", "old": "template",
                                            "new": None, "new_value": 5000}]
    retyped = diff(edited["type-over-budget"], edited["retype-budget"], lang="en")
    assert not retyped.same
    assert "Actions A03 Budget: (typed value: 5,000) → (typed value: 6,000)" in retyped.to_text("en")


def test_diff_sees_what_the_team_typed_in_a_column_of_its_own(edited):
    result = diff(edited["unchanged"], edited["own-column"], lang="en")
    assert result.structure == {"columns": {"actions": {"added": ["?Commentaire"]}}}
    assert result.rows["actions"]["changed"] == [
        {"id": "A01", "changes": [{"column": "?Commentaire", "old": None, "new": "à revoir"}]}]
    assert "Actions A01 Commentaire: — → à revoir" in result.to_text("en")


def test_diff_of_an_ods_round_trip_is_what_the_team_typed(edited):
    """The round trip rewrites every formula with cell addresses (the same computation): no difference; the
    mistakes typed afterwards are the differences, one per cell."""
    assert diff(edited["unchanged"], edited["ods-round-trip"]).same
    result = diff(edited["ods-round-trip"], edited["ods-then-mistakes"], lang="en")
    assert [(f["table"], f["id"], f["column"], f["new"]) for f in result.structure["formulas"]] == [
        ("actions", "A03", "roi", None)]
    assert len(result.outside) == 4 and set(result.structure) == {"formulas"}


@pytest.mark.parametrize("name", ["sort", "delete-rows"])
def test_sorting_and_deleting_rows_break_nothing(edited, name):
    assert found(edited[name]) == sorted(lost_definitions(Located(edited[name])))


def test_sorted_rows_keep_their_own_formulas(edited):
    plan = locate_plan(read_workbook(edited["sort"]))
    planned = [r.values["planned"] for r in plan.tables["budget"].rows]
    assert planned == sorted(planned, reverse=True) and len(planned) == 47
    spent = [r.values for r in plan.tables["budget"].rows if isinstance(r.values["actual"], float)]
    assert spent and all(v["variance"] == pytest.approx(v["actual"] - v["planned"]) for v in spent)


def test_a_column_of_the_teams_own_is_one_warning(edited):
    at = Located(edited["own-column"])
    expected = [("column-unknown", "warning", *at.header("tblActions", "Commentaire"))]
    assert found(edited["own-column"]) == sorted(expected + lost_definitions(at))


def test_typing_over_and_clearing_formulas(edited):
    at = Located(edited["type-over-formulas"])
    expected = [("computed-overwritten", "error", *at.cell("tblActions", "A03", "ROI attendu")),
                ("formula-missing", "error", *at.cell("tblKpi", "K01", "Écart"))]
    assert found(edited["type-over-formulas"]) == sorted(expected + lost_definitions(at))


def test_ods_round_trip_is_one_warning_per_table_and_one_for_the_file(edited):
    at = Located(edited["ods-round-trip"])
    assert found(edited["ods-round-trip"]) == sorted(a1_form(at) + lost_definitions(at))
    [lost] = [f for f in check_file(edited["ods-round-trip"], lang="en").findings if f.code == "table-formulas-lost"]
    assert all(s.table in lost.message for s in schema.TABLES if s.computed_columns)
    actions = next(f for f in check_file(edited["ods-round-trip"], lang="en").findings
                   if f.code == "formula-as-cell-references" and "tblActions" in f.message)
    assert all(c.header("fr") in actions.message for c in schema.ACTIONS.computed_columns)


def test_mistakes_typed_after_an_ods_round_trip_are_found_at_their_cells(edited):
    at = Located(edited["ods-then-mistakes"])
    mistakes = [("computed-overwritten", "error", *at.cell("tblActions", "A03", "ROI attendu")),
                ("row-outside-table", "error", *at.below("tblBudget"))]
    assert found(edited["ods-then-mistakes"]) == sorted(mistakes + a1_form(at) + lost_definitions(at))


def test_a_typed_budget_is_one_finding_not_a_stale_roi_beside_it(edited):
    at = Located(edited["type-over-budget"])
    expected = [("computed-overwritten", "error", *at.cell("tblActions", "A03", "Budget"))]
    assert found(edited["type-over-budget"]) == sorted(expected + lost_definitions(at))


def seeded(at: Located, lang: str = "fr") -> list[tuple]:
    return [(e.code, e.severity, *at.cell(schema.SHEETS_BY_KEY[e.table].table, e.row_id,
                                          schema.SHEETS_BY_KEY[e.table].column(e.column).header(lang),
                                          occurrence=2 if e.code == "duplicate-id" else 1))
            for e in SEEDED_ERRORS]


def test_seeded_errors_survive_libreoffice(edited):
    at = Located(edited["seeded-errors"])
    assert found(edited["seeded-errors"]) == sorted(seeded(at) + lost_definitions(at))


def test_seeded_errors_survive_an_ods_round_trip(edited):
    at = Located(edited["seeded-errors-ods"])
    assert found(edited["seeded-errors-ods"]) == sorted(seeded(at) + a1_form(at) + lost_definitions(at))


def test_edits_of_the_english_workbook(edited):
    at = Located(edited["edits-en"])
    expected = [("formula-missing", "error", *first_computed_cell(at, "tblBudget", "L100", "en"))]
    expected += [("row-outside-table", "error", *at.below("tblBudget")),
                 ("computed-overwritten", "error", *at.cell("tblActions", "A03", h("actions", "roi")))]
    assert found(edited["edits-en"]) == sorted(expected + lost_definitions(at, "en"))


def test_seeded_errors_of_the_english_workbook(edited):
    at = Located(edited["seeded-errors-en"])
    assert found(edited["seeded-errors-en"]) == sorted(seeded(at, "en") + lost_definitions(at, "en"))


def guide(path: Path, lang: str) -> dict[str, object]:
    """The Guide's status figures as LibreOffice calculated them, by item key."""
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(schema.worksheet_name("guide", lang)).to_python()
    labels = {row[c]: row[c + 1] for row in grid for c in range(len(row) - 1) if isinstance(row[c], str) and row[c]}
    return {item.key: labels[item.label(lang)] for item in STATUS_ITEMS}


def test_every_edited_plan_goes_through_the_controllers_commands(edited, tmp_path):
    """Whatever LibreOffice saved (in the fixture's locale), actuals, diff and consolidate answer with their exit
    codes, never an internal error, and leave the file as it was."""
    from click.testing import CliRunner

    from mplan_xl.cli import main
    from mplan_xl.workbook.demo import demo_plan
    from mplan_xl.workbook.demo_fec import demo_fec_text

    fec = tmp_path / "FEC.txt"
    fec.write_text(demo_fec_text(demo_plan(year=YEAR)), encoding="utf-8")
    plans = {name: path for name, path in edited.items() if name != "template"}
    before = {name: path.read_bytes() for name, path in plans.items()}
    runner = CliRunner()
    for name, path in plans.items():
        source = edited["unchanged-en" if lang_of(name) == "en" else "unchanged"]
        for args in (["actuals", str(path), str(fec), "-o", str(tmp_path / f"{name}-actuals.xlsx")],
                     ["diff", str(source), str(path), "--format", "json"]):
            result = runner.invoke(main, args)
            assert result.exit_code in (0, 1) and "Traceback" not in result.output, (name, args[0], result.output)
            if args[0] == "diff":
                assert json.loads(result.output)["compared"], name
    result = runner.invoke(main, ["consolidate", *map(str, plans.values()), "--db", str(tmp_path / "plans.duckdb"),
                                  "--jobs", "1"])
    assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output
    assert {name: path.read_bytes() for name, path in plans.items()} == before


@pytest.mark.parametrize("name", list(EDITS))
def test_the_guide_counts_what_check_finds(edited, name):
    report = check_file(edited[name], lang="en")
    live = collections.Counter(RULES[f.code].category for f in report.findings
                               if f.severity == "error" and RULES[f.code].live)
    status = guide(edited[name], lang_of(name))
    assert {family: status[f"errors_{family}"] for family in FAMILIES} == {family: live[family] for family in FAMILIES}
    assert status["errors_left"] == sum(live.values())
    outside = locate_plan(read_workbook(edited[name])).outside
    assert status["outside_values"] == sum(len(cells) for cells in outside.values())
    if name.startswith("seeded-errors"):
        assert status["errors_left"] == 8 and status["budget_planned_text"] == 1   # the amount typed as text
    if name == "template":
        assert status["errors_left"] == 0


def test_the_driver_refuses_an_unknown_table_with_a_message(tmp_path):
    source = mplan_xl.new_workbook(tmp_path / "t.xlsx", year=YEAR)
    spec = tmp_path / "jobs.json"
    spec.write_text(json.dumps({"profile": (tmp_path / "p").as_uri(), "jobs": [
        {"input": str(source), "output": str(tmp_path / "o.xlsx"), "steps": [{"op": "sort", "table": "tblNope", "by": "ID"}]}]}))
    [result] = run_driver(spec, timeout=120)
    assert "tblNope" in result["error"] and not (tmp_path / "o.xlsx").exists()



def test_protection_blocks_what_the_readme_says(tmp_path):
    """With --protect, LibreOffice leaves a sort undone and refuses to delete a row or insert a column."""
    source = mplan_xl.demo_workbook(tmp_path / "protected.xlsx", year=YEAR, protect=True)
    steps = {"sort": {"op": "sort", "table": "tblBudget", "by": "Prévisionnel", "descending": True},
             "delete": {"op": "delete_rows", "table": "tblBudget", "ids": ["L003"]},
             "column": {"op": "insert_column", "table": "tblActions", "before": "Budget", "header": "Commentaire"}}
    spec = tmp_path / "jobs.json"
    spec.write_text(json.dumps({"profile": (tmp_path / "p").as_uri(), "jobs": [
        {"input": str(source), "output": str(tmp_path / f"{name}.xlsx"), "steps": [step]} for name, step in steps.items()]},
        ensure_ascii=False), encoding="utf-8")
    sort, delete, column = run_driver(spec, timeout=180)
    planned = lambda path: [r.values["planned"] for r in locate_plan(read_workbook(path)).tables["budget"].rows]  # noqa: E731
    assert "output" in sort and planned(tmp_path / "sort.xlsx") == planned(source)   # silently not sorted
    assert "error" in delete and "error" in column
