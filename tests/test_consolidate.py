"""mplan-xl consolidate: many plans into DuckDB and a portfolio workbook.

Expected totals are read straight from each workbook with openpyxl (cached
values of the Excel tables), independently of the reader and of the
consolidation code.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

import mplan_xl
from mplan_xl.core import schema
from mplan_xl.excel import libreoffice
from mplan_xl.cli import main
from mplan_xl.portfolio.consolidate import DB_COLUMNS, TABLE_NAMES, DatabaseError, consolidate, read_table, tables
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.core.errors import UsageError

from conftest import needs_libreoffice

PLANS = (("Atelier Lumen", 2027, "fr"), ("Brûlerie Ormelune", 2027, "en"), ("Brûlerie Ormelune", 2028, "fr"))
ERROR_MARKERS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def half_plan(company: str, year: int, lang: str):
    """The demo plan with every budget amount halved, so plans differ in their figures."""
    plan = demo_plan(lang=lang, company=company, year=year)
    for line in plan.rows("budget"):
        for key in ("planned", "committed", "actual", "reforecast"):
            if isinstance(line.get(key), (int, float)):
                line[key] = line[key] / 2
    for row in plan.rows("budget_months"):   # the months keep adding up to the lines
        for key in schema.MONTH_KEYS:
            if isinstance(row.get(key), (int, float)):
                row[key] = row[key] / 2
    return plan


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Three valid plans of two companies and two years (one with halved amounts)."""
    root = tmp_path_factory.mktemp("plans")
    for i, (company, year, lang) in enumerate(PLANS):
        path = root / f"plan-{i}.xlsx"
        if i == 2:
            mplan_xl.build_workbook(half_plan(company, year, lang), path, lang=lang, runtime="native", template=False)
        else:
            mplan_xl.demo_workbook(path, company=company, year=year, lang=lang, runtime="native")
    return root


def workbook_tables(path) -> dict[str, list[dict]]:
    """Every Excel table of *path* as records keyed by header (openpyxl, cached values)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in wb.worksheets:
        for table in ws.tables.values():
            rows = list(ws[table.ref])
            headers = [c.value for c in rows[0]]
            records = [dict(zip(headers, (c.value for c in r))) for r in rows[1:len(rows) - (table.totalsRowCount or 0)]]
            out[table.name] = [r for r in records if any(v not in (None, "") for v in r.values())]
    return out


def expected_totals(path, lang) -> dict:
    t = workbook_tables(path)
    planned, committed, actual = (("Prévisionnel", "Engagé", "Réel") if lang == "fr" else ("Planned", "Committed", "Actual"))
    number = lambda v: v if isinstance(v, (int, float)) else 0  # noqa: E731
    budget = t["tblBudget"]
    return {"planned": sum(number(r[planned]) for r in budget), "committed": sum(number(r[committed]) for r in budget),
            "actual": sum(number(r[actual]) for r in budget), "budget_lines": len(budget),
            "objectives": len(t["tblObjectives"]), "actions": len(t["tblActions"]), "kpis": len(t["tblKpi"])}


@pytest.fixture(scope="module")
def loaded(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("db")
    hashes = {p: sha(p) for p in folder.iterdir()}
    result = consolidate([folder], out / "plans.duckdb", out=out / "portfolio.xlsx", lang="fr")
    assert {p: sha(p) for p in folder.iterdir()} == hashes, "inputs must stay byte-identical"
    return result


def test_every_valid_plan_is_loaded(loaded):
    assert [(p.company, p.year, p.outcome) for p in loaded.loaded] == [(c, y, "added") for c, y, _ in PLANS]
    assert loaded.skipped == [] and loaded.exit_code == 0
    frames = loaded.tables()
    assert list(frames) == list(TABLE_NAMES)
    for name, frame in frames.items():
        assert list(frame.columns) == [c for c, _ in DB_COLUMNS[name]]


def test_totals_equal_the_sum_of_the_workbooks(folder, loaded):
    frames = loaded.tables()
    budget = frames["budget_lines"]
    grand = {"planned": 0.0, "committed": 0.0, "actual": 0.0}
    for i, (company, year, lang) in enumerate(PLANS):
        want = expected_totals(folder / f"plan-{i}.xlsx", lang)
        mine = budget[(budget.company == company) & (budget.year == year)]
        for key in grand:
            assert math.isclose(mine[key].sum(), want[key]), (company, year, key)
            grand[key] += want[key]
        assert len(mine) == want["budget_lines"]
        for table in ("objectives", "actions", "kpis"):
            frame = frames[table]
            assert len(frame[(frame.company == company) & (frame.year == year)]) == want[table], (company, table)
    for key, value in grand.items():
        assert math.isclose(budget[key].sum(), value)
    # the halved plan really differs, so the sums prove something
    assert not math.isclose(expected_totals(folder / "plan-2.xlsx", "fr")["planned"],
                            expected_totals(folder / "plan-0.xlsx", "fr")["planned"])


def test_computed_columns_match_the_workbooks(folder, loaded):
    frames = loaded.tables()
    t = workbook_tables(folder / "plan-1.xlsx")          # English demo
    kpis = frames["kpis"].query("company == 'Brûlerie Ormelune' and year == 2027").set_index("id")
    for row in t["tblKpi"]:
        assert math.isclose(kpis.loc[row["ID"], "attainment"], row["Attainment"])
        assert kpis.loc[row["ID"], "status"] == {"On track": "on_track", "At risk": "at_risk", "Off track": "off_track"}[row["Status"]]
    actions = frames["actions"].query("company == 'Brûlerie Ormelune' and year == 2027").set_index("id")
    for row in t["tblActions"]:
        assert math.isclose(actions.loc[row["ID"], "budget"], row["Budget"])
        assert actions.loc[row["ID"], "channel"] in mplan_xl.core.vocabulary.CHANNEL.codes
    objectives = frames["objectives"]
    assert objectives["smart_ok"].all()
    assert str(frames["actions"]["start_date"].dtype).startswith("datetime64")


def test_loading_twice_changes_nothing(folder, loaded, tmp_path):
    db = tmp_path / "twice.duckdb"
    shutil.copy(loaded.db, db)
    again = consolidate([folder], db, lang="en", jobs=1)
    assert [p.outcome for p in again.loaded] == ["reloaded"] * len(PLANS)
    before, after = tables(loaded.db), tables(db)
    for name in TABLE_NAMES:
        drop = {"plans": ["loaded_at"], "versions": ["seen_at"]}.get(name, [])   # when last seen
        assert before[name].drop(columns=drop).equals(after[name].drop(columns=drop)), name


def test_a_new_version_of_a_plan_replaces_the_old_one(folder, loaded, tmp_path):
    db = tmp_path / "versions.duckdb"
    shutil.copy(loaded.db, db)
    company, year, lang = PLANS[0]
    newer = tmp_path / "lumen-v2.xlsx"
    mplan_xl.build_workbook(half_plan(company, year, lang), newer, lang=lang, runtime="native", template=False)
    result = consolidate([newer], db)
    assert [(p.company, p.year, p.outcome) for p in result.loaded] == [(company, year, "replaced")]
    frames = tables(db)
    assert len(frames["plans"]) == len(PLANS)
    mine = frames["budget_lines"].query("company == @company and year == @year")
    assert set(mine.sha256) == {sha(newer)}
    assert math.isclose(mine.planned.sum(), expected_totals(newer, lang)["planned"])


def test_two_files_for_the_same_plan_in_one_run(folder, tmp_path):
    copy = tmp_path / "copy.xlsx"
    shutil.copy(folder / "plan-0.xlsx", copy)
    other = tmp_path / "other.xlsx"
    company, year, lang = PLANS[0]
    mplan_xl.build_workbook(half_plan(company, year, lang), other, lang=lang, runtime="native", template=False)
    result = consolidate([folder / "plan-0.xlsx", copy, other], tmp_path / "db.duckdb", jobs=1, lang="en")
    assert [p.path for p in result.loaded] == [str(folder / "plan-0.xlsx")]
    notes = [s.note for s in result.skipped]
    assert notes[0].startswith("identical copy of") and notes[1].startswith("same company and year")
    assert result.exit_code == 1


# --- bad input ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mixed(folder, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mixed")
    shutil.copy(folder / "plan-0.xlsx", root / "good.xlsx")
    mplan_xl.demo_workbook(root / "errors.xlsx", company="Maison Verdier", year=2027, with_errors=True, runtime="native")
    (root / "notes.xlsx").write_text("this is not a workbook\n", encoding="utf-8")
    data = (folder / "plan-1.xlsx").read_bytes()
    (root / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    return root


def test_a_mixed_folder_loads_the_valid_plans_and_reports_the_rest(mixed, tmp_path):
    hashes = {p: sha(p) for p in mixed.iterdir()}
    result = consolidate([mixed], tmp_path / "db.duckdb", out=tmp_path / "portfolio.xlsx", lang="en")
    assert {p: sha(p) for p in mixed.iterdir()} == hashes
    assert [Path(p.path).name for p in result.loaded] == ["good.xlsx"]
    skipped = {Path(s.path).name: s for s in result.skipped}
    assert {n: s.status for n, s in skipped.items()} == {
        "errors.xlsx": "invalid", "notes.xlsx": "unreadable", "truncated.xlsx": "unreadable"}
    assert {f.code for f in skipped["errors.xlsx"].findings} >= {"duplicate-id", "objective-not-smart"}
    findings = tables(tmp_path / "db.duckdb")["findings"]
    stored = findings.groupby(findings.path.map(lambda p: Path(p).name))["status"].first().to_dict()
    assert stored == {"errors.xlsx": "invalid", "notes.xlsx": "unreadable", "truncated.xlsx": "unreadable"}
    assert len(findings[findings.path.str.endswith("errors.xlsx")]) == len(skipped["errors.xlsx"].findings)
    assert findings.loc[findings.path.str.endswith("errors.xlsx"), "company"].unique().tolist() == ["Maison Verdier"]
    assert result.exit_code == 1


def test_cli_consolidate_lists_the_skipped_files(mixed, tmp_path):
    result = CliRunner().invoke(main, ["consolidate", str(mixed), "--db", str(tmp_path / "db.duckdb"),
                                       "--out", str(tmp_path / "p.xlsx"), "--lang", "en", "-j", "2"])
    assert result.exit_code == 1, result.output
    assert "1 plan(s) loaded (1 new, 0 replaced, 0 reloaded, 0 modified after approval); 3 file(s) skipped" \
        in result.output
    assert "  invalid  " in result.output and "[duplicate-id]" in result.output and "[not-a-workbook]" in result.output
    assert (tmp_path / "p.xlsx").exists() and "Traceback" not in result.output


def test_a_plan_without_company_is_never_filed_under_its_file_name(tmp_path):
    """A blank company: an empty plan (`mplan-xl new` without --company) is skipped with the reason, a plan with
    content is invalid (check: company-missing at the Guide's company cell); neither is loaded as 'plan-2027'."""
    mplan_xl.new_workbook(tmp_path / "plan-2027.xlsx", year=2027)
    mplan_xl.demo_workbook(tmp_path / "filled.xlsx", company="", year=2027, runtime="native")
    result = consolidate([tmp_path / "plan-2027.xlsx", tmp_path / "filled.xlsx"], tmp_path / "db.duckdb", lang="en")
    assert not result.loaded
    skipped = {Path(s.path).name: s for s in result.skipped}
    assert skipped["plan-2027.xlsx"].status == "valid" and skipped["plan-2027.xlsx"].note == \
        "company name blank on the Guide sheet"
    [missing] = [f for f in skipped["filled.xlsx"].findings if f.code == "company-missing"]
    sheet, cell = openpyxl.load_workbook(tmp_path / "filled.xlsx").defined_names[schema.NAME_COMPANY].attr_text.split("!")
    assert (missing.sheet, missing.cell, missing.severity) == (sheet.strip("'"), cell.replace("$", ""), "error")


def one_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mplan-xl: "), result.output
    return lines[0]


def test_locked_database_gives_one_line(folder, tmp_path):
    db = tmp_path / "locked.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(30)", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = CliRunner().invoke(main, ["consolidate", str(folder / "plan-0.xlsx"), "--db", str(db), "--lang", "en"])
        assert result.exit_code == 1
        assert "database locked by another program" in one_line(result)
        with pytest.raises(DatabaseError):
            tables(db)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("case, code, words", [
    ("missing-folder", 2, "folder does not exist"),
    ("folder", 2, "is a folder"),
    ("not-duckdb", 1, "cannot open the database"),
])
def test_bad_database_path_gives_one_line(folder, tmp_path, case, code, words):
    db = {"missing-folder": tmp_path / "nowhere" / "plans.duckdb", "folder": tmp_path,
          "not-duckdb": folder / "plan-1.xlsx"}[case]  # a workbook, not an input here: not a database
    before = sha(folder / "plan-0.xlsx"), sha(folder / "plan-1.xlsx")
    result = CliRunner().invoke(main, ["consolidate", str(folder / "plan-0.xlsx"), "--db", str(db), "--lang", "en"])
    assert result.exit_code == code
    assert words in one_line(result)
    assert (sha(folder / "plan-0.xlsx"), sha(folder / "plan-1.xlsx")) == before


def test_python_api_read_table(loaded):
    kpis = read_table(loaded.db, "kpis")
    assert set(kpis.status.dropna()) <= {"on_track", "at_risk", "off_track"}
    with pytest.raises(UsageError):
        read_table(loaded.db, "secrets")


# --- the portfolio workbook ----------------------------------------------------------------------------------

def test_portfolio_has_its_sheets_and_native_charts(loaded):
    with zipfile.ZipFile(loaded.portfolio) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 5
    wb = CalamineWorkbook.from_path(str(loaded.portfolio))
    assert wb.sheet_names == ["Synthèse", "Budget par équipe", "Budget par poste", "KPI par équipe",
                              "Résultats par équipe", "Plus gros écarts", "Objectifs non SMART", "Fichiers écartés",
                              "Approbations"]


@needs_libreoffice
def test_portfolio_recalculates_in_libreoffice(folder, loaded, tmp_path):
    converted = libreoffice.convert([loaded.portfolio], "xlsx", tmp_path)[0]
    wb = CalamineWorkbook.from_path(str(converted))
    grids = {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
    for name, grid in grids.items():
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                assert not (isinstance(value, str) and value.startswith(ERROR_MARKERS)), (name, r, c, value)
    team = grids["Budget par équipe"]
    header = team.index(next(r for r in team if r[0] == "Plan"))
    totals = {"planned": 0.0, "actual": 0.0}
    for i, (company, year, lang) in enumerate(PLANS):
        want = expected_totals(folder / f"plan-{i}.xlsx", lang)
        row = team[header + 1 + i]
        assert row[1] == company and row[2] == year
        assert math.isclose(row[3], want["planned"]) and math.isclose(row[5], want["actual"])
        assert math.isclose(row[6], want["actual"] - want["planned"])          # the variance formula, recalculated
        totals["planned"] += want["planned"]
        totals["actual"] += want["actual"]
    total = team[header + 1 + len(PLANS)]
    assert total[0] == "Total" and math.isclose(total[3], totals["planned"]) and math.isclose(total[5], totals["actual"])
    items = grids["Budget par poste"]
    item_total = next(r for r in items if r[0] == "Total")
    assert math.isclose(item_total[1], totals["planned"])
    results = grids["Résultats par équipe"]          # expected and achieved ROI, recalculated from their columns
    header = results[3]
    for row in results[4:4 + len(PLANS) + 1]:
        row = dict(zip(header, row))
        for side in ("attendu", "réalisé"):
            gain, cost = ((row["Gain attendu"], row["Budget des actions chiffrées"]) if side == "attendu"
                          else (row["Gain obtenu"], row["Dépense réelle des actions mesurées"]))
            assert math.isclose(row[f"ROI {side}"], (gain - cost) / cost), (row, side)


def test_years_join_on_stable_ids_after_a_rollover(folder, tmp_path):
    """The reference's year-over-year query: this year's actions and the verdict next year's Bilan N-1 gives them."""
    from mplan_xl.portfolio.consolidate import connect
    from mplan_xl.year.rollover import rollover

    this_year = folder / "plan-0.xlsx"
    next_year = rollover(this_year, tmp_path / "next.xlsx", message_lang="en")
    result = consolidate([this_year, next_year.output], tmp_path / "years.duckdb", jobs=1)
    assert [(p.year, p.outcome) for p in result.loaded] == [(2027, "added"), (2028, "added")]
    con = connect(tmp_path / "years.duckdb", read_only=True)
    try:
        rows = con.execute("""
            SELECT a.company, a.id, a.title, a.budget, r.spend, r.verdict
            FROM actions a JOIN reviews r ON r.company = a.company AND r.year = a.year + 1 AND r.id = a.id
            ORDER BY a.id""").fetchall()
    finally:
        con.close()
    assert [(r[1], r[5]) for r in rows] == [(s.action_id, s.verdict) for s in next_year.suggestions]
    assert all(math.isclose(r[3], b) for r, b in zip(rows, (row["budget"] for row in
               tables(tmp_path / "years.duckdb")["reviews"].sort_values("id").to_dict("records"))))


def test_the_months_and_the_figures_to_date_are_loaded(folder, loaded):
    frames = loaded.tables()
    plan = demo_plan(lang="fr", company="Atelier Lumen", year=2027)
    months = frames["budget_months"].query("company == 'Atelier Lumen' and year == 2027")
    assert len(months) == len(plan.rows("budget_months"))
    assert months["m06"].sum() == pytest.approx(sum(r["m06"] or 0 for r in plan.rows("budget_months")))
    assert len(frames["kpi_months"].query("company == 'Atelier Lumen'")) == len(plan.rows("kpi_months"))
    plans = frames["plans"].set_index(["company", "year"])
    assert str(plans.loc[("Atelier Lumen", 2027), "as_of"])[:10] == "2027-06-30"
    # The portfolio shows each team's budget at its situation date: mid-year, no longer half underspent.
    lines = frames["budget_lines"].query("company == 'Atelier Lumen' and year == 2027")
    grid = CalamineWorkbook.from_path(str(loaded.portfolio)).get_sheet_by_name("Budget par équipe").to_python()
    header = grid[3]
    row = next(r for r in grid if r[0] == "Atelier Lumen 2027")
    assert row[header.index("Prévu à date")] == pytest.approx(lines["planned_to_date"].sum())
    assert row[header.index("Réel à date")] == pytest.approx(lines["actual_to_date"].sum())
    assert abs(row[header.index("Écart à date")]) < 0.2 * row[header.index("Prévu à date")] < abs(row[header.index("Écart")])


def test_a_database_filled_by_an_older_version_gets_the_new_columns(folder, loaded, tmp_path):
    import duckdb

    db = tmp_path / "older.duckdb"
    shutil.copy(loaded.db, db)
    with duckdb.connect(str(db)) as con:     # as mplan-xl 2.0 left it: no situation date, no months
        con.execute("ALTER TABLE plans DROP COLUMN as_of")
        con.execute("DROP TABLE budget_months")
    again = consolidate([folder], db, lang="fr", jobs=1)
    assert again.exit_code == 0 and [p.outcome for p in again.loaded] == ["reloaded"] * len(PLANS)
    frames = tables(db)
    assert "as_of" in frames["plans"] and len(frames["budget_months"]) > 0


def test_the_portfolio_shows_where_each_team_lands(folder, loaded):
    """Planned → landing → envelope per team: the landing is the sum of the lines' Atterrissage the workbooks show."""
    from mplan_xl.portfolio.consolidate import connect
    from mplan_xl.portfolio.portfolio_sheet import views

    con = connect(loaded.db, read_only=True)
    try:
        frame = views(con, "en")["budget_by_team"]
    finally:
        con.close()
    for i, (company, year, lang) in enumerate(PLANS):
        lines = workbook_tables(folder / f"plan-{i}.xlsx")["tblBudget"]
        landing = sum(r["Atterrissage" if lang == "fr" else "Landing"] or 0 for r in lines)
        row = frame[(frame.company == company) & (frame.year == year)].iloc[0]
        assert math.isclose(row["landing"], landing) and row["envelope"] > 0, (company, year)
        assert row["over_plan"] == 0   # the demo's re-forecasts land below plan


def test_examine_computes_each_table_once_with_the_checks_figures(folder, monkeypatch):
    """A checked plan becomes database rows with the figures its check computed: each table computed once per file
    (they were computed again, row by row), the rows those of a computation of their own."""
    from mplan_xl.check.validator import inspect_file
    from mplan_xl.core import computed
    from mplan_xl.portfolio.consolidate import examine
    from mplan_xl.read.plan_rows import plan_rows

    path = folder / "plan-1.xlsx"
    own = inspect_file(path, then=lambda i: plan_rows(i.located, i.located.to_plan(), i.located.lang))
    calls: list[str] = []
    compute_table = computed.compute_table
    monkeypatch.setattr(computed, "compute_table",
                        lambda sheet, *args: calls.append(sheet.key) or compute_table(sheet, *args))
    examined = examine(path)
    assert examined.report.status == "valid"
    assert len(calls) == len(set(calls)) and {"actions", "budget", "kpis", "objectives"} <= set(calls)
    key = ("company", "year", "sha256")
    assert {name: [{k: v for k, v in row.items() if k not in key} for row in rows]
            for name, rows in examined.rows.items()} == own
