"""`mplan-xl repair`: a plan a team broke the way teams do, in LibreOffice, comes back clean, every typed value kept.

The damage is made by LibreOffice itself, through UNO (``tests/uno_edit.py``), in fr-FR and en-US: values typed
over computed cells and a formula cleared, a row inserted inside a table and filled (LibreOffice fills no
formula), an ``.ods`` round trip (formulas written with cell addresses, table definitions dropped), numbers,
percentages and dates typed as text the French way (``12 500,00 €``, ``15,3 %``, ``15/03/2027``) and a word in a
number cell, a plain save of a plan with the formats of earlier releases (figures shown divided by 1000). For
each, the repaired copy:

(a) gives ``check`` no finding of the kinds repaired;
(b) holds exactly the typed values of the damaged file (every input cell of every table compared), the texts
    converted being the numbers and dates they mean;
(c) recalculated by LibreOffice, gives the same computed values as the undamaged original (to 1e-9), or, for a
    row the team added, the values Python computes (its cached results, compared by ``check``);
(d) opens in LibreOffice, reads the same in openpyxl, python-calamine and our reader, and keeps the structure
    the template has (each table's calculated columns declared, every part well-formed XML);
(e) keeps every part it had no reason to touch byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from defusedxml import ElementTree

import mplan_xl
from mplan_xl.check.repair import repair_file
from mplan_xl.check.validator import check_file
from mplan_xl.cli.main import main
from mplan_xl.core import schema
from mplan_xl.core.rules import REPAIRABLE
from mplan_xl.excel import libreoffice
from mplan_xl.excel.libreoffice import _profile_dir
from mplan_xl.read.plan_reader import as_date, locate_plan
from mplan_xl.read.reader import read_workbook
from mplan_xl.workbook import styles

from conftest import YEAR, format_codes
from conformance import compare
from test_number_formats import _old_money, _old_percent
from test_user_edits import SYSTEM_PYTHON, _uno_missing, run_drivers

pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(bool(_uno_missing()), reason=_uno_missing() or "")]

LOCALES = ["fr-FR", "en-US"]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def located(path: Path):
    return locate_plan(read_workbook(path))


def _value(plan, table: str, row_id: str, key: str):
    t = plan.tables[table]
    row = next(r for r in t.rows if str(r.id(t.sheet)) == row_id)
    return row.values[key]


def _french_amount(value: float) -> str:
    """12500.5 -> '12 500,50 €', as a French desk types it."""
    return f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",") + " €"


def _percent_kpi(plan) -> tuple[str, float]:
    """A KPI of the demo measured in %, and its target (a fraction)."""
    kpis = plan.tables["kpis"]
    row = next(r for r in kpis.rows if str(r.values.get("unit")).strip() == "%"
               and isinstance(r.values.get("target"), float))
    return str(row.id(kpis.sheet)), row.values["target"]


def damage_jobs(sources: dict[str, Path], folder: Path) -> dict[str, tuple[Path, str, list[dict]]]:
    """name -> (source, save format, UNO steps): the damage, made as a team makes it."""
    plan = located(sources["demo"])
    h = lambda key, column: schema.SHEETS_BY_KEY[key].column(column).header("fr")  # noqa: E731
    planned = _value(plan, "budget", "L003", "planned")
    start = as_date(_value(plan, "actions", "A01", "start"))
    kpi, target = _percent_kpi(plan)
    percent = f"{target * 100:.10g}".replace(".", ",") + " %"
    return {
        "type-over": (sources["demo"], "xlsx", [
            {"op": "set", "table": "tblActions", "row": "A03", "column": h("actions", "roi"), "value": 0.5},
            {"op": "set", "table": "tblKpi", "row": "K01", "column": h("kpis", "variance"), "value": ""},
            {"op": "set", "table": "tblBudget", "row": "L004", "column": h("budget", "variance"),
             "value": "=1+1"}]),
        "insert": (sources["demo"], "xlsx", [
            {"op": "insert_rows", "table": "tblBudget", "before": "L010", "count": 1},
            {"op": "fill", "table": "tblBudget", "row": "", "values": {
                h("budget", "id"): "L100", h("budget", "action_id"): "A01", h("budget", "planned"): 1000}}]),
        "ods": (sources["demo"], "ods", []),
        "text": (sources["demo"], "xlsx", [
            {"op": "set", "table": "tblBudget", "row": "L003", "column": h("budget", "planned"),
             "value": _french_amount(planned)},
            {"op": "set", "table": "tblActions", "row": "A01", "column": h("actions", "start"),
             "value": start.strftime("%d/%m/%Y")},
            {"op": "set", "table": "tblKpi", "row": kpi, "column": h("kpis", "target"), "value": percent}]),
        "word-in-number": (sources["demo"], "xlsx", [
            {"op": "set", "table": "tblBudget", "row": "L004", "column": h("budget", "committed"),
             "value": "à voir"}]),
        "old-formats-saved": (sources["old-formats"], "xlsx", []),
        "append-kpi": (sources["demo"], "xlsx", [
            {"op": "append", "table": "tblKpi", "values": {
                h("kpis", "id"): "K99", h("kpis", "name"): "Avis Google", h("kpis", "objective_id"): "O1",
                h("kpis", "unit"): "nb", h("kpis", "baseline"): 10, h("kpis", "target"): 20, h("kpis", "actual"): 15}}]),
    }


#: The damage whose typed values mean exactly the original's: the repaired copy computes what the original does.
SAME_VALUES = ["type-over", "ods", "text", "old-formats-saved"]


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """locale -> damage name -> the damaged file LibreOffice saved; "original" is the undamaged demo."""
    folder = tmp_path_factory.mktemp("repair")
    sources = {"demo": mplan_xl.demo_workbook(folder / "demo.xlsx", year=YEAR)}
    with pytest.MonkeyPatch.context() as patch:   # the formats of earlier releases, which a save in fr-FR scales
        patch.setattr(styles, "money_format", _old_money)
        patch.setattr(styles, "percent_format", _old_percent)
        sources["old-formats"] = mplan_xl.demo_workbook(folder / "old-formats.xlsx", year=YEAR)
    specs, names = [], {}
    for locale in LOCALES:
        profile = folder / f"profile-{locale}"
        shutil.copytree(_profile_dir(locale), profile)
        own = folder / locale
        own.mkdir()
        inputs = {name: Path(shutil.copy(path, own)) for name, path in sources.items()}
        jobs = damage_jobs(inputs, own)
        names[locale] = list(jobs)
        specs.append(folder / f"jobs-{locale}.json")
        specs[-1].write_text(json.dumps({"profile": profile.as_uri(), "jobs": [
            {"input": str(source), "output": str(own / f"{name}.xlsx"), "save": save, "steps": steps}
            for name, (source, save, steps) in jobs.items()]}, ensure_ascii=False), encoding="utf-8")
    out = {}
    for locale, results in zip(LOCALES, run_drivers(specs, timeout=600)):
        assert all("output" in r for r in results), results
        out[locale] = {name: Path(r["output"]) for name, r in zip(names[locale], results)}
        out[locale]["original"] = folder / locale / "demo.xlsx"
    return out


@pytest.fixture(scope="module")
def repaired(cases, tmp_path_factory) -> dict[str, dict[str, tuple[Path, object]]]:
    """locale -> damage name -> (the repaired copy, what repair did)."""
    folder = tmp_path_factory.mktemp("repaired")
    out: dict[str, dict[str, tuple[Path, object]]] = {}
    for locale, files in cases.items():
        for name, path in files.items():
            if name == "original":
                continue
            target = folder / locale / f"{name}.xlsx"
            target.parent.mkdir(exist_ok=True)
            before = path.read_bytes()
            result = repair_file(path, target, lang="en")
            assert path.read_bytes() == before   # the input is never written
            out.setdefault(locale, {})[name] = (target, result)
    return out


@pytest.fixture(scope="module")
def recalculated(cases, repaired, tmp_path_factory) -> dict[str, dict[str, Path]]:
    """locale -> name -> the file recalculated and saved by LibreOffice (the repaired copies and the original)."""
    folder = tmp_path_factory.mktemp("recalculated")
    out = {}
    for locale in LOCALES:
        names = list(repaired[locale])
        paths = [repaired[locale][n][0] for n in names] + [cases[locale]["original"]]
        converted = libreoffice.convert(paths, "xlsx", folder / locale, locale=locale)
        out[locale] = dict(zip([*names, "original"], converted))
    return out


def repaired_kinds(path: Path) -> list[tuple[str, str | None, str | None]]:
    """The findings of *path* that repair restores: what must be gone from a repaired copy."""
    return [(f.code, f.sheet, f.cell) for f in check_file(path, lang="en").findings
            if f.code in REPAIRABLE or f.repairable]


CASES = [(locale, name) for locale in LOCALES for name in
         ("type-over", "insert", "ods", "text", "word-in-number", "old-formats-saved", "append-kpi")]


@pytest.mark.parametrize(("locale", "name"), CASES)
def test_the_damage_is_found_and_repair_leaves_none_of_it(cases, repaired, locale, name):
    """(a) The damaged file has repairable findings, each marked so and its hint naming repair; the copy has none."""
    damaged = check_file(cases[locale][name], lang="fr").findings
    marked = [f for f in damaged if f.repairable]
    assert marked, [f.code for f in damaged]
    assert all("mplan-xl repair" in (f.hint or "") for f in marked)
    path, result = repaired[locale][name]
    assert result.actions and result.error is None
    assert repaired_kinds(path) == []


def _inputs(path: Path) -> dict[tuple[str, str, int], object]:
    """Every input cell of every table: (table, column key, sheet row) -> value."""
    plan = located(path)
    out = {}
    for key, table in plan.tables.items():
        for row in table.rows + table.suggestions:
            for column in table.sheet.input_columns:
                if column.key in table.columns:
                    out[(key, column.key, row.sheet_row)] = row.values.get(column.key)
    return out


@pytest.mark.parametrize(("locale", "name"), CASES)
def test_every_typed_value_is_kept(cases, repaired, locale, name):
    """(b) Every input cell holds what the damaged file holds; a text converted holds the number or date it means."""
    path, result = repaired[locale][name]
    before, after = _inputs(cases[locale][name]), _inputs(path)
    assert before.keys() <= after.keys()
    taken_in = after.keys() - before.keys()   # a row typed just below a table, now in it: its values as typed
    assert bool(taken_in) == (name == "append-kpi")
    if taken_in:
        plan, grid = located(path), read_workbook(cases[locale][name]).values("KPI")
        for table, key, r in taken_in:
            line = grid[r]
            c = plan.tables[table].columns[key]
            assert after[(table, key, r)] == (line[c] if c < len(line) else ""), (table, key, r)
    plan = located(path)
    converted = {}
    for action in result.actions:
        if action.code in ("number-as-text", "type-invalid"):
            table = next(t for t in plan.tables.values() if t.worksheet == action.sheet
                         and any(t.cell(r, k) == action.cell for r in t.rows for k in t.columns))
            row, key = next((r, k) for r in table.rows for k in table.columns if table.cell(r, k) == action.cell)
            converted[(table.sheet.key, key, row.sheet_row)] = action.after
    for cell, value in before.items():
        if cell in converted:
            wanted = converted[cell]
            got = after[cell]
            if isinstance(wanted, str):   # a date typed as text: the day it means
                assert as_date(got) == dt.date.fromisoformat(wanted), cell
            else:
                assert got == pytest.approx(wanted, rel=1e-12), cell
        else:
            assert after[cell] == value, (cell, value, after[cell])


def test_a_text_that_is_no_number_stays_and_is_listed(cases, repaired):
    path, result = repaired["fr-FR"]["word-in-number"]
    [left] = [a for a in result.left if a.before == "à voir"]
    assert left.sheet == "Budget" and left.cell and not left.done
    assert _inputs(path) == _inputs(cases["fr-FR"]["word-in-number"])


def _computed(path: Path) -> dict[tuple[str, str, str], object]:
    """Every computed cell of every row with an id: (table, row id, column key) -> value."""
    plan = located(path)
    out = {}
    for key, table in plan.tables.items():
        for row in table.rows:
            row_id = row.id(table.sheet)
            if row_id in (None, ""):
                continue
            for column in table.sheet.computed_columns:
                if column.key in table.columns:
                    out[(key, str(row_id), column.key)] = row.values.get(column.key)
    return out


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return (a in (None, "") and b in (None, "")) or a == b


@pytest.mark.parametrize(("locale", "name"), [(locale, name) for locale in LOCALES for name in SAME_VALUES
                                              if name != "old-formats-saved"])
def test_libreoffice_computes_what_the_undamaged_original_computes(recalculated, locale, name):
    """(c) Recalculated by LibreOffice, every computed cell of the repaired copy equals the original's."""
    ours, original = _computed(recalculated[locale][name]), _computed(recalculated[locale]["original"])
    assert ours.keys() == original.keys()
    differ = {k: (ours[k], original[k]) for k in ours if not _same(ours[k], original[k])}
    assert not differ, list(differ.items())[:5]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("name", "cell"), [("insert", ("budget", "L100", "variance")),
                                            ("append-kpi", ("kpis", "K99", "attainment"))])
def test_the_row_the_team_added_computes_what_python_computes(recalculated, locale, name, cell):
    """(c) The formulas of a row inserted inside a table, or typed just below it (the table grown over it),
    recalculated by LibreOffice, give Python's figures (check compares every cached result of the saved file with
    its own computation)."""
    path = recalculated[locale][name]
    assert not read_workbook(path).recalculates_on_open   # so check compares the cached results
    codes = [f.code for f in check_file(path, lang="en").findings]
    assert not {"cached-value-mismatch", "formula-missing", "row-outside-table"} & set(codes), codes
    assert cell in _computed(path)
    if name == "append-kpi":
        assert _computed(path)[cell] == pytest.approx(0.5)   # (15 - 10) / (20 - 10)


@pytest.mark.parametrize(("locale", "name"), CASES)
def test_the_copy_opens_everywhere_with_the_templates_structure(repaired, recalculated, locale, name):
    """(d) LibreOffice opened it (recalculated above); openpyxl, python-calamine and our reader read the same;
    every part is well-formed XML; every computed column of every table is declared calculated, as in the
    template (the plans of the current template)."""
    path, _ = repaired[locale][name]
    assert recalculated[locale][name].exists()
    assert compare(path) == []
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        for member in z.namelist():
            if member.endswith((".xml", ".rels")):
                ElementTree.fromstring(z.read(member))
    raw = read_workbook(path)
    for sheet in schema.TABLES:
        info = raw.tables[sheet.table]
        assert {c.header("fr") for c in sheet.computed_columns} <= set(info.calculated), sheet.table


@pytest.mark.parametrize(("locale", "name"), CASES)
def test_every_part_it_did_not_need_is_byte_identical(cases, repaired, locale, name):
    """(e) Only the worksheets with repaired cells, the table parts given their definitions back, the styles and
    charts (scaled formats) and the workbook part (recalculated on opening) may change; nothing is added or removed."""
    path, result = repaired[locale][name]
    old, new = members(cases[locale][name]), members(path)
    assert old.keys() == new.keys()
    changed = {m for m in old if old[m] != new[m]}
    sheets = {a.sheet for a in result.actions if a.cell and a.code not in ("table-formulas-lost", "row-outside-table")
              and not (a.code == "total-row-lost" and a.before == a.after)}   # a total row declared again: its table
    codes = {a.code for a in result.actions}
    allowed = {m for m in old if m.startswith("xl/worksheets/sheet")} if sheets else set()
    if codes & {"table-formulas-lost", "row-outside-table", "total-row-lost"}:
        allowed |= {m for m in old if m.startswith("xl/tables/")}
    if "format-scaled" in codes:   # the cells' formats, the charts' axes
        allowed |= {"xl/styles.xml"} | {m for m in old if m.startswith("xl/charts/chart")}
    if "conditional-format-lost" in codes:   # the differential formats of the conditional formats restored
        allowed.add("xl/styles.xml")
    allowed.add("xl/workbook.xml")
    assert changed <= allowed, changed - allowed
    assert len([m for m in changed if m.startswith("xl/worksheets/")]) == len(sheets)


def test_the_formats_come_back_whole(cases, repaired):
    path, result = repaired["fr-FR"]["old-formats-saved"]
    assert "#,##0.00,\\€" in format_codes(cases["fr-FR"]["old-formats-saved"])
    assert not [code for code in format_codes(path) if ",\\€" in code or ",%" in code]
    assert any(a.code == "format-scaled" for a in result.actions)


def test_cli_batch_a_folder_one_line_per_file_and_exit_codes(cases, tmp_path):
    folder = tmp_path / "retours"
    folder.mkdir()
    for name in ("type-over", "ods", "original"):
        shutil.copy(cases["fr-FR"][name], folder / f"{name}.xlsx")
    runner = CliRunner()
    result = runner.invoke(main, ["repair", str(folder), "--into", str(tmp_path / "repares")])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 4 and "ods.xlsx : " in lines[0] and "réparation(s) ->" in lines[0]
    assert "original.xlsx : rien à réparer" in lines[1] and lines[3].startswith("3 fichier(s) : 2 réparé(s)")
    assert sorted(p.name for p in (tmp_path / "repares").iterdir()) == ["ods.xlsx", "original.xlsx", "type-over.xlsx"]
    again = runner.invoke(main, ["repair", str(folder), "--into", str(tmp_path / "repares")])
    assert again.exit_code == 2   # an existing copy is replaced only with --force
    shutil.copy(cases["fr-FR"]["word-in-number"], folder / "word.xlsx")
    dry = runner.invoke(main, ["repair", str(folder), "--dry-run", "--format", "json", "--lang", "en"])
    assert dry.exit_code == 1   # the word is left for the team
    report = json.loads(dry.output)
    [word] = [f for f in report["files"] if f["path"].endswith("word.xlsx")]
    assert word["left"][0]["cell"] and word["output"] is None
    assert not (folder / "repares").exists()
    into_input = runner.invoke(main, ["repair", str(folder / "ods.xlsx"), "-o", str(folder / "ods.xlsx")])
    assert into_input.exit_code == 2


def test_check_json_marks_repairable_findings(cases):
    result = CliRunner().invoke(main, ["check", str(cases["fr-FR"]["type-over"]), "--format", "json", "--lang", "en"])
    report = json.loads(result.output)
    assert report["format_version"] == "1.5"
    findings = report["files"][0]["findings"]
    assert {f["code"] for f in findings if f["repairable"]} >= {"computed-overwritten"}
    assert all("mplan-xl repair" in f["hint"] for f in findings if f["repairable"])
    assert all("mplan-xl repair" not in (f["hint"] or "") for f in findings if not f["repairable"])


def test_the_annotated_copy_says_repair_in_the_teams_language(cases, tmp_path):
    """`check --annotate` (report in English) writes its notes in the workbook's language: French, naming repair."""
    out = tmp_path / "annotes"
    result = CliRunner().invoke(main, ["check", str(cases["fr-FR"]["type-over"]), "--annotate", str(out),
                                       "--lang", "en"])
    assert result.exit_code == 1, result.output
    with zipfile.ZipFile(out / "type-over.xlsx") as z:
        notes = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/comments"))
    assert "Réparation automatique, chaque valeur saisie gardée : mplan-xl repair".encode() in notes
    assert b"Automatic repair" not in notes


def test_a_folder_s_lock_files_and_reports_are_skipped_and_unreadable_files_listed(cases, tmp_path):
    """What a returned folder holds besides plans: skipped (exit 0); a file that is no workbook: listed, exit 1,
    nothing written for it."""
    folder = tmp_path / "retours"
    folder.mkdir()
    shutil.copy(cases["fr-FR"]["type-over"], folder / "plan.xlsx")
    (folder / "~$plan.xlsx").write_bytes(b"lock")
    runner = CliRunner()
    result = runner.invoke(main, ["repair", str(folder), "--into", str(tmp_path / "out"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and sorted(p.name for p in (tmp_path / "out").iterdir()) == ["plan.xlsx"]
    (folder / "notes.xlsx").write_text("not a workbook", encoding="utf-8")
    again = runner.invoke(main, ["repair", str(folder), "--into", str(tmp_path / "out2"), "--lang", "en"])
    assert again.exit_code == 1 and "notes.xlsx: not repaired" in again.output
    assert not (tmp_path / "out2" / "notes.xlsx").exists()


def test_a_table_grows_over_the_rows_just_below_it_not_over_a_gap(tmp_path):
    """Two KPI rows typed right below the table, a third after an empty row: the table grows over the two (as
    Excel would), the third is left for the team, with its cell (exit code 1 in the command)."""
    import openpyxl

    source = mplan_xl.demo_workbook(tmp_path / "demo.xlsx", year=YEAR)
    wb = openpyxl.load_workbook(source)
    ws = next(w for w in wb.worksheets if "tblKpi" in w.tables)
    first_col, header_row, last_col, last_row = openpyxl.utils.cell.range_boundaries(ws.tables["tblKpi"].ref)
    col = {ws.cell(header_row, c).value: c for c in range(first_col, last_col + 1)}
    for r, kpi in ((last_row + 1, "K97"), (last_row + 2, "K98"), (last_row + 4, "K99")):
        ws.cell(r, col["ID"], kpi)
        ws.cell(r, col["ID objectif"], "O1")
        ws.cell(r, col["Cible"], 20)
    wb.save(tmp_path / "typed.xlsx")
    result = repair_file(tmp_path / "typed.xlsx", tmp_path / "out.xlsx", lang="en")
    grown = [a for a in result.actions if a.code == "row-outside-table"]
    assert [a.cell for a in grown] == [f"A{last_row + 1}", f"A{last_row + 2}"]
    assert grown[0].after.endswith(str(last_row + 2))
    [left] = [a for a in result.left if a.code == "row-outside-table"]
    assert left.cell.endswith(str(last_row + 4)) and not left.done
    ids = {str(r.id(t.sheet)) for t in [located(tmp_path / "out.xlsx").tables["kpis"]] for r in t.rows}
    assert {"K97", "K98"} <= ids and "K99" not in ids
    findings = check_file(tmp_path / "out.xlsx", lang="en").findings
    assert [f.cell for f in findings if f.code == "row-outside-table"] == [left.cell]
    assert not [f for f in findings if f.code in ("formula-missing", "computed-overwritten")]


# --- dropdowns and conditional formats a team cleared ----------------------------------------------------------

#: A UNO driver with more steps, as a person does them in LibreOffice: Data > Validity > Allow "All values"
#: on a column's data rows (``clear_validation``), Format > Conditional > Manage > Remove on the formats that
#: cover a column (``delete_format``).
FORMAT_DRIVER = """
import sys
sys.path.insert(0, {tests!r})
import uno
import uno_edit


def run(desktop, job):
    doc = uno_edit.load(desktop, job["input"])
    try:
        for step in job["steps"]:
            if step["op"] == "forget_identity":   # the custom properties removed, mplan_meta's values cleared
                props = doc.DocumentProperties.UserDefinedProperties
                for prop in props.PropertySetInfo.Properties:
                    if prop.Name.startswith("mplan_"):
                        props.removeProperty(prop.Name)
                meta = doc.Sheets.getByName("mplan_meta")
                meta.unprotect("")
                for r in range(1, 20):
                    if meta.getCellByPosition(0, r).getString() in step["keys"]:
                        meta.getCellByPosition(1, r).setString("")
                continue
            table = uno_edit.Table(doc, step["table"])
            c = table.col(step["column"])
            cells = table.sheet.getCellRangeByPosition(c, table.top + 1, c, table.last_data)
            if step["op"] == "clear_validation":
                validation = cells.Validation
                validation.Type = uno.Enum("com.sun.star.sheet.ValidationType", "ANY")
                cells.Validation = validation
            elif step["op"] == "delete_total":   # select the total row, Delete Rows
                table.sheet.Rows.removeByIndex(table.bottom, 1)
            elif step["op"] == "untick_then_delete":   # Define Range > untick "Contains totals row", Delete Rows
                doc.DatabaseRanges.getByName(step["table"]).TotalsRow = False
                table.sheet.Rows.removeByIndex(table.bottom, 1)
                if step.get("below"):   # a note typed just below the table
                    table.sheet.getCellByPosition(c, table.bottom).setString(step["below"])
            elif step["op"] == "delete_format":
                formats = table.sheet.ConditionalFormats
                for f in list(formats.ConditionalFormats):
                    if any(a.StartColumn <= c <= a.EndColumn and a.StartRow <= table.top + 1 <= a.EndRow
                           for a in f.Range.RangeAddresses):
                        formats.removeByID(f.ID)
        doc.calculateAll()
        uno_edit.store(doc, job["output"], uno_edit.XLSX_FILTER)
        return {{"output": job["output"]}}
    finally:
        doc.close(True)


sys.exit(uno_edit.main(run))
"""


def _dropdowns_and_formats(path: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """What a user meets on the Budget sheet's Poste cells and the Actions sheet's Statut cells, every data row:
    the validation's type and list, the conditional formats' rules (openpyxl's reading)."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out_dv, out_cf = {}, {}
    for sheet_name, table, column in (("Budget", "tblBudget", "Poste"), ("Actions", "tblActions", "Statut")):
        ws = wb[sheet_name]
        first_col, top, last_col, bottom = openpyxl.utils.cell.range_boundaries(ws.tables[table].ref)
        c = next(c for c in range(first_col, last_col + 1) if ws.cell(top, c).value == column)
        last = bottom - (ws.tables[table].totalsRowCount or 0)
        letter = openpyxl.utils.get_column_letter(c)
        for r in range(top + 1, last + 1):
            cell = f"{letter}{r}"
            dv = [f"{v.type}:{v.formula1}" for v in ws.data_validations.dataValidation
                  if cell in v.sqref and v.type not in (None, "none")]
            out_dv[f"{sheet_name}!{cell}"] = "|".join(dv)
            out_cf[f"{sheet_name}!{cell}"] = sorted(f"{rule.type}:{rule.formula}" for cf in ws.conditional_formatting
                                                    if cell in cf.sqref for rule in cf.rules)
    return out_dv, out_cf


def _uno_damage(tmp_path: Path, source: Path, jobs: dict[str, list[dict]]) -> dict[str, Path]:
    """name -> the file LibreOffice (fr-FR) saved after the steps of *jobs* on *source*."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    driver = tmp_path / "driver.py"
    driver.write_text(FORMAT_DRIVER.format(tests=str(Path(__file__).parent)), encoding="utf-8")
    profile = tmp_path / "profile"
    shutil.copytree(_profile_dir("fr-FR"), profile)
    outputs = {name: tmp_path / f"{name}.xlsx" for name in jobs}
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"profile": profile.as_uri(), "jobs": [
        {"input": str(source), "output": str(outputs[name]), "steps": steps} for name, steps in jobs.items()]}),
                    encoding="utf-8")
    done = subprocess.run([SYSTEM_PYTHON, str(driver), str(spec)], capture_output=True, text=True, timeout=300)
    assert [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")] == [
        {"output": str(path)} for path in outputs.values()], done.stderr
    return outputs


def test_a_dropdown_and_a_conditional_format_cleared_in_libreoffice_come_back(cases, tmp_path):
    """fr-FR: a team clears the Poste dropdown of the Budget (Validity > All values) and removes the status colours
    of the Actions (Conditional > Manage > Remove), then saves as .xlsx. The repaired copy has them back on every
    data row, as the template has them; the team's values stay (b); every part but the two sheets and the styles
    keeps its bytes (e); LibreOffice opens it and keeps them on its own save (d); a second repair finds nothing."""
    original = cases["fr-FR"]["original"]
    damaged = _uno_damage(tmp_path, original, {"cleared": [
        {"op": "clear_validation", "table": "tblBudget", "column": "Poste"},
        {"op": "delete_format", "table": "tblActions", "column": "Statut"}]})["cleared"]

    wanted_dv, wanted_cf = _dropdowns_and_formats(original)
    lost_dv, lost_cf = _dropdowns_and_formats(damaged)
    assert all("list_expense_item" in v for k, v in wanted_dv.items() if k.startswith("Budget"))
    assert all(v == "" for k, v in lost_dv.items() if k.startswith("Budget"))       # the damage is there
    assert all(not v for k, v in lost_cf.items() if k.startswith("Actions"))

    result = repair_file(damaged, tmp_path / "repaired.xlsx", lang="fr")
    repaired_path = tmp_path / "repaired.xlsx"
    codes = {(a.code, a.sheet, a.cell) for a in result.actions}
    assert {("validation-lost", "Budget", "C5"), ("conditional-format-lost", "Actions", "L5")} <= codes, codes
    assert not result.left
    assert _dropdowns_and_formats(repaired_path) == (wanted_dv, wanted_cf)
    assert _inputs(repaired_path) == _inputs(damaged)
    old, new = members(damaged), members(repaired_path)
    assert old.keys() == new.keys()
    changed = {m for m in old if old[m] != new[m]}
    assert len([m for m in changed if m.startswith("xl/worksheets/")]) == 2
    tables = {m for m in old if m.startswith("xl/tables/")}   # the calculated columns a LibreOffice save drops
    assert changed - {m for m in changed if m.startswith("xl/worksheets/")} <= {"xl/styles.xml", "xl/workbook.xml",
                                                                               *tables}
    assert compare(repaired_path) == []
    with zipfile.ZipFile(repaired_path) as z:
        for member in z.namelist():
            if member.endswith((".xml", ".rels")):
                ElementTree.fromstring(z.read(member))
    saved = libreoffice.convert([repaired_path], "xlsx", tmp_path / "saved", locale="fr-FR")[0]
    assert _dropdowns_and_formats(saved) == (wanted_dv, wanted_cf)
    again = repair_file(saved, None, lang="fr")
    assert not [a for a in again.actions + again.left if a.code in ("validation-lost", "conditional-format-lost")]
    assert repaired_kinds(repaired_path) == []


# --- total rows ----------------------------------------------------------------------------------------------

def _totals(path: Path, table: str) -> dict[str, object]:
    """The total row of *table* as LibreOffice shows it once it has recalculated *path*: header -> value."""
    import openpyxl

    ws = next(w for w in openpyxl.load_workbook(path, data_only=True).worksheets if table in w.tables)
    t = ws.tables[table]
    first_col, top, last_col, bottom = openpyxl.utils.cell.range_boundaries(t.ref)
    assert t.totalsRowCount == 1, (table, t.ref)
    return {ws.cell(top, c).value: ws.cell(bottom, c).value for c in range(first_col, last_col + 1)
            if ws.cell(bottom, c).value not in (None, "")}


def _ids(path: Path, key: str) -> list[str]:
    t = located(path).tables[key]
    return [str(r.id(t.sheet)) for r in t.rows]


@pytest.mark.parametrize("locale", LOCALES)
def test_an_ods_round_trip_s_unmarked_total_rows_are_declared_again(cases, repaired, recalculated, locale):
    """An .ods round trip keeps the total rows' cells but no longer declares them total rows (in Excel each SUBTOTAL
    then counts itself: a circular reference; a filter or a sort takes the row along). The repaired copy declares
    them again, as the template does, and LibreOffice computes the original's totals."""
    damaged = cases[locale]["ods"]
    with zipfile.ZipFile(damaged) as z:
        parts = [z.read(n) for n in z.namelist() if n.startswith("xl/tables/")]
    assert all(b'totalsRowCount="1"' not in p for p in parts)
    path, result = repaired[locale]["ods"]
    marked = {a.sheet for a in result.actions if a.code == "total-row-lost"}
    assert len(marked) == len([s for s in schema.TABLES if s.has_totals]), marked
    for sheet in schema.TABLES:
        if sheet.has_totals:
            assert _totals(recalculated[locale]["ods"], sheet.table) == _totals(recalculated[locale]["original"],
                                                                                 sheet.table), sheet.table
            assert _ids(path, sheet.key) == _ids(cases[locale]["original"], sheet.key)


def test_a_deleted_total_row_comes_back_below_the_last_data_row(cases, tmp_path):
    """fr-FR, the Actions table: the team deletes its total row (Delete Rows; or Define Range > untick the totals
    row, then Delete Rows). LibreOffice, when the range still says it has a total row, takes the last data row for
    it (the plan loses that row). Repair writes the total row back on the free row below the data, every action
    row in the table; LibreOffice computes the original's totals. A row below in use: listed, nothing done."""
    original = cases["fr-FR"]["original"]
    damaged = _uno_damage(tmp_path, original, {
        "taken": [{"op": "delete_total", "table": "tblActions", "column": "ID"}],
        "deleted": [{"op": "untick_then_delete", "table": "tblActions", "column": "ID"}],
        "blocked": [{"op": "untick_then_delete", "table": "tblActions", "column": "Comment", "below": "à revoir"}]})
    wanted = _totals(libreoffice.convert([original], "xlsx", tmp_path / "original", locale="fr-FR")[0], "tblActions")
    for name in ("taken", "deleted"):
        path = tmp_path / f"{name}-repaired.xlsx"
        result = repair_file(damaged[name], path, lang="fr")
        [action] = [a for a in result.actions if a.code == "total-row-lost"]
        assert action.sheet == "Actions" and not result.left, (result.actions, result.left)
        assert _ids(path, "actions") == _ids(original, "actions")
        before, after = _inputs(damaged[name]), _inputs(path)
        assert all(after[k] == v for k, v in before.items())
        recalculated = libreoffice.convert([path], "xlsx", tmp_path / name, locale="fr-FR")[0]
        assert _totals(recalculated, "tblActions") == wanted, name
        assert compare(path) == []
        again = repair_file(path, None, lang="fr")
        assert not [a for a in again.actions + again.left if a.code == "total-row-lost"]
    result = repair_file(damaged["blocked"], tmp_path / "blocked-repaired.xlsx", lang="fr")
    [left] = [a for a in result.left if a.code == "total-row-lost"]
    assert left.sheet == "Actions" and left.cell and not left.done
    assert not [a for a in result.actions if a.code == "total-row-lost"]


# --- the plan's identity -------------------------------------------------------------------------------------

def test_a_plan_whose_identity_a_save_lost_gets_it_back_when_its_tables_say_it(cases, tmp_path):
    """fr-FR: the plan's document properties removed and its mplan_meta values cleared (what a save in another
    format does). Without a version a plan is read as the current template: a 4.0.0 plan then misses the columns
    4.1.0 added. Its tables are exactly the current template's (or 4.0.0's), so repair writes the template id,
    version and language back, in the properties and in mplan_meta, and repairs the rest; check on the copy of the
    4.0.0 plan reads it as what it is. A plan whose tables match no template exactly: listed, no identity written
    (repaired as the current template, the way check reads it)."""
    original = cases["fr-FR"]["original"]
    keys = ["template_id", "template_version", "lang"]
    old_plan = Path(__file__).parent / "fixtures" / "versions" / "v4.0.0-demo-fr.xlsx"
    damage = _uno_damage(tmp_path, original, {"forgotten": [{"op": "forget_identity", "keys": keys}]})
    damage |= _uno_damage(tmp_path / "old", old_plan, {"forgotten-4.0.0": [{"op": "forget_identity", "keys": keys}]})
    damaged = damage["forgotten"]
    assert located(damaged).template_version is None

    old_damaged = damage["forgotten-4.0.0"]
    assert "column-missing" in [f.code for f in check_file(old_damaged, lang="en").findings]
    old_result = repair_file(old_damaged, tmp_path / "old-repaired.xlsx", lang="en")
    assert "4.0.0" in [a.after for a in old_result.actions if a.code == "template-version-incompatible"]
    old_codes = [f.code for f in check_file(tmp_path / "old-repaired.xlsx", lang="en").findings]
    assert "template-version-old" in old_codes and "column-missing" not in old_codes, old_codes
    path = tmp_path / "repaired.xlsx"
    result = repair_file(damaged, path, lang="en")
    assert result.error is None and not result.left, (result.error, result.left)
    restored = [a.after for a in result.actions if a.code == "template-version-incompatible"]
    assert sorted(restored) == sorted([schema.TEMPLATE_ID, schema.TEMPLATE_VERSION, "fr"])
    plan = located(path)
    assert (plan.template_id, plan.template_version, plan.lang) == (schema.TEMPLATE_ID, schema.TEMPLATE_VERSION, "fr")
    assert read_workbook(path).custom_properties["mplan_template_version"] == schema.TEMPLATE_VERSION
    meta = dict((row[0], row[1]) for row in read_workbook(path).values("mplan_meta") if len(row) > 1)
    assert meta["template_id"] == schema.TEMPLATE_ID and meta["template_version"] == schema.TEMPLATE_VERSION
    assert _inputs(path) == _inputs(damaged)
    assert repaired_kinds(path) == []
    assert compare(path) == []

    import openpyxl   # a table whose headers are no template's: no identity to be sure of

    wb = openpyxl.load_workbook(damaged)
    ws = next(w for w in wb.worksheets if "tblKpi" in w.tables)
    first_col, top, _, _ = openpyxl.utils.cell.range_boundaries(ws.tables["tblKpi"].ref)
    ws.cell(top, first_col + 1).value = "Nom de l'indicateur"
    ws.tables["tblKpi"].tableColumns[1].name = "Nom de l'indicateur"
    wb.save(tmp_path / "renamed.xlsx")
    unknown = repair_file(tmp_path / "renamed.xlsx", tmp_path / "renamed-repaired.xlsx", lang="en")
    [left] = [a for a in unknown.left if a.code == "template-version-incompatible"]
    assert "identity unknown" in left.why and not left.done
    assert "mplan_template_version" not in read_workbook(tmp_path / "renamed-repaired.xlsx").custom_properties
