"""mplan-xl approve, plan statuses, and the PostgreSQL backend of consolidate.

PostgreSQL tests use the server named by ``MPLAN_TEST_POSTGRES_DSN`` (a
``postgresql://`` URI of a role that may create databases; ``.ci/run`` starts
one), else a throwaway cluster started by ``.ci/postgres-cluster`` when
Debian's server binaries are installed; otherwise they are skipped. Each test
gets a database of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import mplan_xl
from mplan_xl.cli import main
from mplan_xl.portfolio.consolidate import approve, connect, consolidate, plan_statuses, read_table, tables
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.year.diff import plan_totals, read_version

CLUSTER = Path(__file__).resolve().parent.parent / ".ci" / "postgres-cluster"
YEAR = 2027


@pytest.fixture(scope="session")
def postgres_admin():
    """A PostgreSQL URI with the right to create databases."""
    dsn = os.environ.get("MPLAN_TEST_POSTGRES_DSN")
    if dsn:
        yield dsn
        return
    folder = tempfile.mkdtemp(prefix="mplan-pg-")   # not under pytest's tmp: the postgres user must reach it
    started = subprocess.run([str(CLUSTER), "start", folder], capture_output=True, text=True)
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip("no PostgreSQL server: set MPLAN_TEST_POSTGRES_DSN, or install Debian's postgresql package "
                    f"so that .ci/postgres-cluster can start one ({started.stderr.strip()})")
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([str(CLUSTER), "stop", folder], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_admin):
    """A fresh, empty database on the test server."""
    import psycopg

    name = "mplan_test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_admin, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    yield urlsplit(postgres_admin)._replace(path="/" + name).geturl()
    with psycopg.connect(postgres_admin, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["duckdb", "postgresql"])
def db(request, tmp_path):
    """Each test of approval runs on both engines."""
    if request.param == "duckdb":
        return str(tmp_path / "plans.duckdb")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> dict:
    """Version 1 and version 2 (a budget line re-priced, an action retitled) of one plan, and two other plans."""
    root = tmp_path_factory.mktemp("approve")
    for name in ("v1", "v2"):
        (root / name).mkdir()
    plan = demo_plan(lang="fr", company="Atelier Lumen", year=YEAR)
    v1 = mplan_xl.build_workbook(plan, root / "v1" / "lumen.xlsx", lang="fr", runtime="native", template=False)
    plan.rows("budget")[0]["planned"] += 2500
    plan.rows("actions")[2]["title"] = "Nouvel intitulé"
    v2 = mplan_xl.build_workbook(plan, root / "v2" / "lumen.xlsx", lang="fr", runtime="native", template=False)
    others = root / "others"
    others.mkdir()
    for i, company in enumerate(("Brûlerie Ormelune", "Cidrerie du Val", "Dentelles Morel")):
        mplan_xl.demo_workbook(others / f"team-{i}.xlsx", company=company, year=YEAR, lang="en" if i % 2 else "fr")
    return {"v1": v1, "v2": v2, "others": others, "root": root}


def budget(db, company="Atelier Lumen") -> float:
    frame = read_table(db, "budget_lines")
    return float(frame[frame.company == company]["planned"].sum())


def test_approved_figures_are_kept_and_the_new_version_is_a_revision(plans, db):
    approved = approve(plans["v1"], db)
    assert approved.plan.outcome == "added"
    assert approved.figures == plan_totals(read_version(plans["v1"]).rows)
    row = read_table(db, "approvals").iloc[0]
    assert row["company"] == "Atelier Lumen" and row["year"] == YEAR and row["planned"] == approved.figures["planned"]
    before = budget(db)

    result = consolidate([plans["v2"], plans["others"]], db)
    (modified,) = [p for p in result.loaded if p.company == "Atelier Lumen"]
    assert modified.outcome == "modified_after_approval"
    assert budget(db) == before                                           # the approved figures stay
    revision = read_table(db, "revisions").iloc[0]
    assert revision["approved_sha256"] == approved.plan.sha256 and revision["sha256"] == modified.sha256
    assert revision["planned"] == before + 2500
    change = json.loads(revision["diff"])
    assert change["rows"]["budget_lines"]["changed"][0]["changes"][0]["column"] == "planned"
    assert change["rows"]["actions"]["changed"][0]["changes"] == [
        {"column": "title", "old": demo_plan(lang="fr").rows("actions")[2]["title"], "new": "Nouvel intitulé"}]
    with connect(db, read_only=True) as con:
        statuses = plan_statuses(con)
    assert statuses[("Atelier Lumen", YEAR)] == "modified_after_approval"
    assert statuses[("Brûlerie Ormelune", YEAR)] == "submitted"

    again = consolidate([plans["v1"]], db)                                # the approved version comes back
    assert again.loaded[0].outcome == "reloaded"
    with connect(db, read_only=True) as con:
        assert plan_statuses(con)[("Atelier Lumen", YEAR)] == "approved"


def test_cli_reports_modified_after_approval_with_the_diff_and_the_portfolio_shows_statuses(plans, db, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["approve", str(plans["v1"]), "--db", db]).exit_code == 0
    portfolio = tmp_path / "portfolio.xlsx"
    result = runner.invoke(main, ["consolidate", str(plans["v2"]), str(plans["others"]), "--db", db,
                                  "--out", str(portfolio), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "modified after approval" in result.stdout and "Nouvel intitulé" in result.stdout
    assert "approved figures kept" in result.stdout
    ws = openpyxl.load_workbook(portfolio)["Overview"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(r for r in rows if "Status" in r)
    status = {r[0]: r[header.index("Status")] for r in rows[rows.index(header) + 1:] if r[0] and r[0] != "Total"}
    assert status == {"Atelier Lumen": "modified after approval", "Brûlerie Ormelune": "submitted",
                      "Cidrerie du Val": "submitted", "Dentelles Morel": "submitted"}


def test_a_plan_with_errors_is_not_approved(plans, tmp_path):
    broken = tmp_path / "broken.xlsx"
    mplan_xl.demo_workbook(broken, with_errors=True)
    result = CliRunner().invoke(main, ["approve", str(broken), "--db", str(tmp_path / "p.duckdb")])
    assert result.exit_code == 1 and "non approuvé" in result.stderr and "[choice-invalid]" in result.stderr


# --- PostgreSQL --------------------------------------------------------------------------------------------

def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in ("loaded_at", "approved_at", "seen_at", "received_at") if c in frame]).reset_index(drop=True)


def test_postgresql_holds_the_same_tables_as_duckdb(plans, postgres_url, tmp_path):
    paths = [plans["v1"], plans["others"]]
    duck = tmp_path / "same.duckdb"
    consolidate(paths, duck, jobs=1)
    first = consolidate(paths, postgres_url, jobs=1)
    again = consolidate(paths, postgres_url, jobs=1)                       # idempotent
    assert {p.outcome for p in first.loaded} == {"added"} and {p.outcome for p in again.loaded} == {"reloaded"}
    ours, theirs = tables(duck), tables(postgres_url)
    assert list(ours) == list(theirs)
    for name in ours:
        pd.testing.assert_frame_equal(_comparable(ours[name]), _comparable(theirs[name]), check_dtype=True)


def test_two_concurrent_runs_on_overlapping_folders_store_each_plan_once(plans, postgres_url, tmp_path):
    """Two processes at the same time, sharing two of their files: every plan and every row exactly once."""
    both = tmp_path / "shared"
    shutil.copytree(plans["others"], both)
    shutil.copy(plans["v1"], both / "lumen.xlsx")
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, names in ((one, ("team-0.xlsx", "team-1.xlsx", "lumen.xlsx")), (two, ("team-1.xlsx", "team-2.xlsx", "lumen.xlsx"))):
        folder.mkdir()
        for name in names:
            (folder / name).symlink_to(both / name)
    command = [sys.executable, "-m", "mplan_xl.cli", "consolidate", "--db", postgres_url, "--jobs", "1"]
    runs = [subprocess.Popen(command + [str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for folder in (one, two)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    frames = tables(postgres_url)
    assert sorted(frames["plans"]["company"]) == ["Atelier Lumen", "Brûlerie Ormelune", "Cidrerie du Val",
                                                  "Dentelles Morel"]
    per_plan = frames["budget_lines"].groupby("company").size()
    expected = {c: len(read_version(f).rows["budget_lines"]) for c, f in (
        ("Atelier Lumen", plans["v1"]), ("Brûlerie Ormelune", both / "team-0.xlsx"),
        ("Cidrerie du Val", both / "team-1.xlsx"), ("Dentelles Morel", both / "team-2.xlsx"))}
    assert per_plan.to_dict() == expected
    assert not frames["actions"].duplicated(["company", "year", "id"]).any()


@pytest.mark.parametrize("change, words", [
    (lambda u: u._replace(path="/no_such_database"), "does not exist"),
    (lambda u: u._replace(netloc="nobody@" + u.netloc.split("@")[-1]), "nobody"),
    (lambda u: u._replace(netloc="mplan:secret@127.0.0.1:9", query=""), "127.0.0.1"),
])
def test_postgresql_connection_problems_give_one_line(plans, postgres_url, change, words):
    url = change(urlsplit(postgres_url)).geturl()
    result = CliRunner().invoke(main, ["consolidate", str(plans["v1"]), "--db", url, "--lang", "en"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PostgreSQL" in lines[0] and words in lines[0] and "secret" not in lines[0]


def test_achieved_results_reach_the_database_and_the_portfolio(plans, db, tmp_path):
    """A plan with results (the demo: achieved gains, their months, campaign codes) beside one of template 4.0.0
    (no results): each action's achieved gain, actual spend and ROI are stored, its months in action_results, and
    the portfolio's Results sheet puts each team's expected and achieved gain and ROI side by side, the achieved
    ROI blank for the team that measured nothing (never −100 %)."""
    from python_calamine import CalamineWorkbook

    from mplan_xl.workbook.guide_status import status_values

    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(Path(__file__).parent / "fixtures" / "versions" / "v4.0.0-demo-fr.xlsx", old / "ormelune-4.0.0.xlsx")
    result = consolidate([plans["v1"], old], db, out=tmp_path / "portfolio.xlsx", lang="fr", jobs=1)
    assert {(p.company, p.outcome) for p in result.loaded} == {("Atelier Lumen", "added"), ("Brûlerie Ormelune", "added")}
    actions = read_table(db, "actions").set_index(["company", "id"])
    plan = demo_plan(lang="fr", company="Atelier Lumen", year=YEAR)
    for action in plan.rows("actions"):
        row = actions.loc[("Atelier Lumen", action["id"])]
        assert row["campaign"] == action["campaign"]
        assert (pd.isna(row["achieved_gain"]) and pd.isna(row["roi_achieved"])) if action["achieved_gain"] is None \
            else row["achieved_gain"] == action["achieved_gain"] and row["roi_achieved"] == pytest.approx(
                (action["achieved_gain"] - row["actual_spend"]) / row["actual_spend"])
    assert actions.loc["Brûlerie Ormelune"]["achieved_gain"].isna().all()
    months = read_table(db, "action_results")
    assert len(months) == len(plan.rows("action_results"))
    assert months["m06"].sum() == pytest.approx(sum(r["m06"] or 0 for r in plan.rows("action_results")))
    grid = CalamineWorkbook.from_path(str(result.portfolio)).get_sheet_by_name("Résultats par équipe").to_python()
    header = grid[3]
    rows = {r[1]: dict(zip(header, r)) for r in grid[4:] if r[1]}
    figures = status_values(plan)
    lumen = rows["Atelier Lumen"]
    assert lumen["Gain attendu"] == pytest.approx(figures["expected_gain"])
    assert lumen["Gain obtenu"] == pytest.approx(figures["achieved_gain"])
    assert lumen["ROI attendu"] == pytest.approx(figures["expected_roi"])
    assert lumen["ROI réalisé"] == pytest.approx(figures["achieved_roi"])
    assert rows["Brûlerie Ormelune"]["Gain obtenu"] == "" and rows["Brûlerie Ormelune"]["ROI réalisé"] == ""
    assert rows["Brûlerie Ormelune"]["ROI attendu"] != ""
