"""The controller's year (issue 23, points 4-7): approval with names and per action, every version received
kept, several currencies, the BI views and their Parquet export, the trust score. Each test runs on DuckDB
and on a real PostgreSQL server (see test_approve_postgres.py for how one is found or started)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

import mplan_xl
from mplan_xl.cli import main
from mplan_xl.core import schema
from mplan_xl.core.errors import UsageError
from mplan_xl.excel import libreoffice
from mplan_xl.portfolio.bi_views import BI_VIEWS, PENALTIES, trust_score
from mplan_xl.portfolio.consolidate import approve, connect, consolidate, plan_statuses, read_table
from mplan_xl.portfolio.rates import read_rates
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.year.diff import plan_totals, read_version

from conftest import needs_libreoffice
from test_approve_postgres import postgres_admin, postgres_url  # noqa: F401  (fixtures)

YEAR = 2027


@pytest.fixture(params=["duckdb", "postgresql"])
def db(request, tmp_path):
    if request.param == "duckdb":
        return str(tmp_path / "plans.duckdb")
    return request.getfixturevalue("postgres_url")


def build(path: Path, company: str, currency: str = "EUR", edit=None, lang: str = "fr") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    plan = demo_plan(lang=lang, company=company, year=YEAR)
    plan.identity.currency = currency
    if edit:
        edit(plan)
    return mplan_xl.build_workbook(plan, path, lang=lang, runtime="native", template=False)


def saved_by(path: Path, who: str, when: str) -> Path:
    """The workbook as if *who* had saved it at *when*: docProps/core.xml rewritten, nothing else."""
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                text = data.decode()
                text = re.sub(r"<cp:lastModifiedBy>[^<]*</cp:lastModifiedBy>",
                              f"<cp:lastModifiedBy>{who}</cp:lastModifiedBy>", text)
                text = re.sub(r'(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)', rf"\g<1>{when}\g<2>", text)
                data = text.encode()
            z.writestr(info, data)
    return path


def grid(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def plans_loaded(path: Path) -> tuple[list, list[list]]:
    """The header and rows of the Overview's table of the plans loaded (under the plans to review first)."""
    rows = grid(path, "Overview")
    return table_rows(rows[next(i for i, r in enumerate(rows) if r and r[0] == "The plans loaded"):], "Team / company")


def table_rows(rows: list[list], header_first: str) -> tuple[list, list[list]]:
    at = next(i for i, r in enumerate(rows) if r and r[0] == header_first)
    return rows[at], [r for r in rows[at + 1:] if r and r[0] != ""]


# --- 4. approval with names, per action; every version received -------------------------------------------

def test_approval_records_who_why_and_each_action(tmp_path, db):
    plan = build(tmp_path / "lumen.xlsx", "Atelier Lumen")
    runner = CliRunner()
    result = runner.invoke(main, ["approve", str(plan), "--db", db, "--by", "Claire Martin",
                                  "--comment", "Salon à confirmer", "--actions", "A01,A03"])
    assert result.exit_code == 0, result.output
    assert "A01, A03" in result.stdout and "Claire Martin" in result.stdout
    actions = read_table(db, "action_approvals").set_index("action_id")
    assert actions.loc["A01", "status"] == actions.loc["A03", "status"] == "approved"
    assert actions.loc["A01", "approved_by"] == "Claire Martin" and actions.loc["A03", "comment"] == "Salon à confirmer"
    assert actions.loc["A02", "status"] == "pending" and actions.loc["A02", "approved_by"] is None
    assert read_table(db, "approvals").empty                      # the plan itself waits
    with connect(db, read_only=True) as con:
        assert plan_statuses(con)[("Atelier Lumen", YEAR)] == "partly_approved"

    ids = [r["id"] for r in demo_plan(lang="fr").rows("actions")]
    rest = ",".join(i for i in ids if i not in ("A01", "A03"))
    assert runner.invoke(main, ["approve", str(plan), "--db", db, "--by", "Paul Azar", "--actions", rest]).exit_code == 0
    approval = read_table(db, "approvals").iloc[0]
    assert approval["approved_by"] == "Paul Azar"                 # every action approved: the plan is
    actions = read_table(db, "action_approvals").set_index("action_id")
    assert actions.loc["A01", "approved_by"] == "Claire Martin" and actions.loc["A02", "approved_by"] == "Paul Azar"
    with connect(db, read_only=True) as con:
        assert plan_statuses(con)[("Atelier Lumen", YEAR)] == "approved"

    portfolio = tmp_path / "portfolio.xlsx"
    assert runner.invoke(main, ["consolidate", str(plan), "--db", db, "-o", str(portfolio), "--lang", "en"]).exit_code == 0
    header, rows = plans_loaded(portfolio)
    row = dict(zip(header, rows[0]))
    assert row["Approved by"] == "Paul Azar" and row["Actions approved"] == f"{len(ids)}/{len(ids)}"
    header, rows = table_rows(grid(portfolio, "Approvals"), "Team / company")
    a03 = dict(zip(header, next(r for r in rows if r[2] == "A03")))
    assert a03["Approved by"] == "Claire Martin" and a03["Comment"] == "Salon à confirmer" and a03["Status"] == "approved"


def test_approving_an_action_the_plan_lacks_is_a_located_usage_error(tmp_path):
    plan = build(tmp_path / "lumen.xlsx", "Atelier Lumen")
    result = CliRunner().invoke(main, ["approve", str(plan), "--db", str(tmp_path / "p.duckdb"), "--actions", "A01,A99"])
    assert result.exit_code == 2 and "lumen.xlsx" in result.stderr and "A99" in result.stderr
    assert "Traceback" not in result.output


def test_every_version_received_is_kept_with_who_saved_it(tmp_path, db):
    v1 = saved_by(build(tmp_path / "v1" / "lumen.xlsx", "Atelier Lumen"), "Inès Barbier", "2027-01-10T09:30:00Z")

    def more(plan):
        plan.rows("budget")[0]["planned"] += 1000
    v2 = saved_by(build(tmp_path / "v2" / "lumen.xlsx", "Atelier Lumen", edit=more), "Hugo Renard", "2027-03-02T17:05:00Z")
    broken = tmp_path / "v3" / "lumen.xlsx"
    broken.parent.mkdir()
    mplan_xl.demo_workbook(broken, company="Atelier Lumen", year=YEAR, with_errors=True)
    approve(v1, db, by="Claire Martin")
    consolidate([v2], db)
    consolidate([broken], db)
    consolidate([v1], db)                                          # seen again: still one row

    with connect(db, read_only=True) as con:                      # the history of a plan: one query
        history = con.records("SELECT sha256, status, outcome, last_modified_by, modified_at, received_at "
                              "FROM versions WHERE lower(company) = lower(?) AND year = ? ORDER BY received_at",
                              ["atelier lumen", YEAR])
    assert [h["last_modified_by"] for h in history[:2]] == ["Inès Barbier", "Hugo Renard"]
    assert [h["outcome"] for h in history] == ["added", "modified_after_approval", "skipped"]
    assert [h["status"] for h in history] == ["valid", "valid", "invalid"]
    assert history[0]["modified_at"] == dt.datetime(2027, 1, 10, 9, 30)
    assert history[0]["sha256"] == read_version(v1).sha256 and history[1]["sha256"] == read_version(v2).sha256
    assert history[0]["received_at"] <= history[1]["received_at"] <= history[2]["received_at"]


# --- 5. currencies ----------------------------------------------------------------------------------------

ECB = "Date, USD, JPY, CHF, GBP, \n25 November 2024, 1.0495, 160.2, 0.9300, 0.8350, \n"


def test_rates_files_ecb_as_downloaded_and_long(tmp_path):
    ecb = tmp_path / "eurofxref.csv"
    ecb.write_text(ECB)
    rates = read_rates(ecb, "EUR")
    assert rates.get("usd").per_unit == 1.0495 and rates.get("EUR").per_unit == 1.0
    assert rates.get("USD").date == dt.date(2024, 11, 25)
    history = tmp_path / "eurofxref-hist.csv"
    history.write_text("Date,USD,JPY,CHF,CYP,\n2024-11-25,1.0495,160.2,0.93,N/A,\n2024-11-22,1.04,159,0.92,N/A,\n")
    hist = read_rates(history, "EUR")
    assert hist.get("CHF").per_unit == 0.93 and hist.get("CYP") is None
    assert math.isclose(read_rates(ecb, "USD").get("CHF").per_unit, 0.93 / 1.0495)     # cross rate through the euro
    long = tmp_path / "taux.csv"
    long.write_text("devise;taux;date\nUSD;1,05;2026-11-30\nUSD;1,10;2026-10-31\nCHF;0,94;30/11/2026\n")
    rates = read_rates(long, "EUR")
    assert rates.get("USD").per_unit == 1.05 and rates.get("CHF").date == dt.date(2026, 11, 30)


@pytest.mark.parametrize("text, words", [
    ("currency,rate,date\nUSD,abc,2026-11-30\n", ["ligne 2", "colonne 2", "'abc'"]),
    ("currency,rate,date\nUSD,1.05,30-11-2026\n", ["ligne 2", "colonne 3", "'30-11-2026'"]),
    ("currency,rate,date\nDOLLAR,1.05,2026-11-30\n", ["ligne 2", "'DOLLAR'"]),
    ("code,value\nUSD,1.05\n", ["ligne 1", "currency, rate, date"]),
    ("", ["vide"]),
])
def test_a_bad_rates_file_is_a_located_message(tmp_path, text, words):
    rates = tmp_path / "rates.csv"
    rates.write_text(text)
    plan = build(tmp_path / "lumen.xlsx", "Atelier Lumen")
    result = CliRunner().invoke(main, ["consolidate", str(plan), "--db", str(tmp_path / "p.duckdb"),
                                       "--currency", "EUR", "--rates", str(rates)])
    assert result.exit_code == 2, result.output
    assert "rates.csv" in result.stderr and all(w in result.stderr for w in words), result.stderr
    assert not (tmp_path / "p.duckdb").exists()                   # refused before anything is written


def test_ecb_rates_in_another_currency_need_it_in_the_file(tmp_path):
    ecb = tmp_path / "eurofxref.csv"
    ecb.write_text(ECB)
    with pytest.raises(UsageError, match="CAD"):
        read_rates(ecb, "CAD")


@pytest.fixture(scope="module")
def currencies(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("currencies")
    (root / "plans").mkdir()
    return {"eur": build(root / "plans" / "lumen.xlsx", "Atelier Lumen", "EUR"),
            "usd": build(root / "plans" / "ormelune.xlsx", "Ormelune Inc", "USD", lang="en"),
            "mad": build(root / "mad.xlsx", "Dentelles Morel", "MAD"), "root": root}


def test_without_rates_currencies_are_never_summed(currencies, tmp_path):
    portfolio = tmp_path / "portfolio.xlsx"
    result = consolidate([currencies["root"] / "plans"], tmp_path / "p.duckdb", out=portfolio, lang="en")
    assert result.exit_code == 0
    planned = {c: plan_totals(read_version(currencies[c]).rows)["planned"] for c in ("eur", "usd")}
    header, rows = table_rows(grid(portfolio, "Budget by team"), "Plan")
    totals = {r[header.index("Currency")]: r[header.index("Planned")] for r in rows if str(r[0]).startswith("Total")}
    assert totals == {"EUR": planned["eur"], "USD": planned["usd"]}
    assert not any(r[0] == "Total" for r in rows)                 # no total adding euros and dollars
    header, rows = table_rows(grid(portfolio, "Budget by item"), "Expense item")
    assert {r[0] for r in rows if str(r[0]).startswith("Total")} == {"Total EUR", "Total USD"}
    overview = grid(portfolio, "Overview")
    assert any("never added across currencies" in str(r[0]) for r in overview)


def test_every_amount_of_a_portfolio_in_several_currencies_shows_its_own(currencies, tmp_path):
    """Euros and dollars side by side: each amount shows its row's currency (not a bare "12,000.00"), the
    results by team too, which have one total per currency like every other sheet."""
    portfolio = tmp_path / "portfolio.xlsx"
    assert consolidate([currencies["root"] / "plans"], tmp_path / "p.duckdb", out=portfolio, lang="en").exit_code == 0
    money = {"Envelope", "Planned", "Committed", "Actual", "Variance", "Planned to date", "Actual to date",
             "Variance to date", "Landing", "Expected gain", "Budget of the actions with a gain", "Achieved gain",
             "Actual spend of the actions measured"}
    symbols = {"EUR": "€", "USD": "$"}
    seen = set()
    for ws in openpyxl.load_workbook(portfolio).worksheets:
        rows = list(ws.iter_rows())
        for i, row in enumerate(rows):
            header = [c.value for c in row]
            if "Currency" not in header:
                continue
            for below in rows[i + 1:]:
                currency = below[header.index("Currency")].value
                if currency not in symbols:
                    break
                for cell, name in zip(below, header):
                    if name in money and cell.value is not None:
                        assert symbols[currency] in cell.number_format, (ws.title, cell.coordinate, cell.number_format)
                        seen.add((ws.title, currency))
    assert {title for title, _ in seen} >= {"Overview", "Budget by team", "Budget by item", "Results by team",
                                            "Largest variances"}
    header, rows = table_rows(grid(portfolio, "Results by team"), "Plan")
    assert sorted(r[0] for r in rows if str(r[0]).startswith("Total")) == ["Total EUR", "Total USD"]


@needs_libreoffice
def test_the_totals_per_currency_recalculate_in_libreoffice(currencies, tmp_path):
    portfolio = tmp_path / "portfolio.xlsx"
    consolidate([currencies["root"] / "plans"], tmp_path / "p.duckdb", out=portfolio, lang="en")
    converted = libreoffice.convert([portfolio], "xlsx", tmp_path / "lo")[0]
    ours, theirs = ([r for r in table_rows(grid(p, "Budget by team"), "Plan")[1] if str(r[0]).startswith("Total")]
                    for p in (portfolio, converted))
    assert [r[0] for r in ours] == [r[0] for r in theirs] == ["Total EUR", "Total USD"]
    for mine, recalculated in zip(ours, theirs):
        assert mine[3:6] == pytest.approx(recalculated[3:6])      # the SUMIF per currency, recalculated


def test_rates_convert_every_amount_and_keep_the_original(currencies, db, tmp_path):
    rates = tmp_path / "eurofxref.csv"
    rates.write_text(ECB)
    portfolio = tmp_path / "portfolio.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(currencies["root"]), "--db", db, "-o", str(portfolio),
                                       "--currency", "EUR", "--rates", str(rates), "--lang", "en"])
    assert result.exit_code == 1                                  # the plan in MAD has no rate: refused
    assert "mad.xlsx" in result.stdout and "currency MAD has no rate in" in result.stdout
    assert sorted(read_table(db, "plans")["company"]) == ["Atelier Lumen", "Ormelune Inc"]
    planned = {c: plan_totals(read_version(currencies[c]).rows)["planned"] for c in ("eur", "usd")}
    lines = read_table(db, "budget_lines")
    assert math.isclose(lines[lines.company == "Ormelune Inc"].planned.sum(), planned["usd"])   # original kept
    with connect(db, read_only=True) as con:
        bi = con.frame("SELECT company, currency, reporting_currency, sum(planned) AS planned, "
                       "sum(planned_reporting) AS reporting FROM bi_budget_lines GROUP BY 1, 2, 3").set_index("company")
    assert bi.loc["Ormelune Inc", "currency"] == "USD" and bi.loc["Ormelune Inc", "reporting_currency"] == "EUR"
    assert math.isclose(bi.loc["Ormelune Inc", "reporting"], planned["usd"] / 1.0495)
    header, rows = table_rows(grid(portfolio, "Budget by team"), "Plan")
    total = next(r for r in rows if r[0] == "Total")
    assert math.isclose(total[header.index("Planned")], planned["eur"] + planned["usd"] / 1.0495)
    header, rows = plans_loaded(portfolio)
    usd = dict(zip(header, next(r for r in rows if r[0] == "Ormelune Inc")))
    assert usd["Currency"] == "EUR" and usd["Original currency"] == "USD"
    assert math.isclose(usd["Envelope"] * 1.0495, usd["Original envelope"])


# --- 6. BI views and Parquet -------------------------------------------------------------------------------

def parquet(folder: Path, name: str):
    with duckdb.connect() as con:                               # loaded back into pandas DataFrames
        return con.execute(f"SELECT * FROM read_parquet('{folder / (name + '.parquet')}')").df()


@pytest.fixture(scope="module")
def bi_plans(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("bi")
    return [mplan_xl.demo_workbook(root / f"team-{i}.xlsx", company=f"Équipe {i}", year=YEAR, lang=lang)
            for i, lang in enumerate(("fr", "en", "fr"))]


def test_export_parquet_gives_the_plans_totals_month_by_month(bi_plans, db, tmp_path):
    consolidate(bi_plans, db, jobs=1)
    out = tmp_path / "bi"
    result = CliRunner().invoke(main, ["export", db, "--parquet", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{v}.parquet" for v in BI_VIEWS)
    months, lines, plans = (parquet(out, n) for n in ("bi_budget_months", "bi_budget_lines", "bi_plans"))
    for dimension in ("company", "year", "objective", "action", "channel", "item", "department", "currency",
                      "status", "version", "month", "planned", "actual"):
        assert dimension in months.columns, dimension
    assert set(months["month"].dropna()) <= set(range(1, 13))
    for i, path in enumerate(bi_plans):
        version = read_version(path)
        want = plan_totals(version.rows)
        mine = months[months.company == f"Équipe {i}"]
        assert math.isclose(mine.planned.sum(), want["planned"]) and math.isclose(mine.actual.sum(), want["actual"])
        assert math.isclose(lines[lines.company == f"Équipe {i}"].committed.sum(), want["committed"])
        as_of = version.rows["budget_lines"]
        to_date = sum(r["planned_to_date"] or 0 for r in as_of)    # months up to the situation date = planned to date
        month = plans.set_index("company").loc[f"Équipe {i}", "as_of"].month
        assert math.isclose(mine[mine.month <= month].planned.sum(), to_date, rel_tol=1e-9)
        assert set(mine.version) == {version.sha256} and set(mine.status) == {"submitted"}
    assert len(plans) == 3 and set(plans.trust_score) == {100}
    assert result.stdout.count("bi_") == 3
    again = CliRunner().invoke(main, ["export", db, "--parquet", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr       # an existing export is replaced only with --force


def test_both_engines_export_the_same_parquet(bi_plans, request, tmp_path):
    server = request.getfixturevalue("postgres_url")
    duck = tmp_path / "p.duckdb"
    for target in (str(duck), server):
        consolidate(bi_plans, target, jobs=1)
    for target, folder in ((str(duck), tmp_path / "a"), (server, tmp_path / "b")):
        assert CliRunner().invoke(main, ["export", target, "--parquet", str(folder)]).exit_code == 0
    for name in BI_VIEWS:
        a, b = parquet(tmp_path / "a", name), parquet(tmp_path / "b", name)
        a, b = (f.drop(columns=[c for c in ("loaded_at",) if c in f]) for f in (a, b))
        keys = [c for c in ("company", "line", "month") if c in a]
        a, b = (f.sort_values(keys, na_position="first").reset_index(drop=True) for f in (a, b))
        assert list(a.columns) == list(b.columns)
        for column in a.columns:
            if a[column].dtype.kind == "f" or b[column].dtype.kind == "f":
                assert ((a[column] - b[column]).abs().fillna(0) < 1e-6).all(), (name, column)
            else:
                assert a[column].astype(str).tolist() == b[column].astype(str).tolist(), (name, column)


# --- 7. trust score ---------------------------------------------------------------------------------------

def test_the_trust_score_puts_the_plans_that_need_a_look_first(tmp_path, db):
    clean = build(tmp_path / "clean.xlsx", "Atelier Lumen")
    noted = tmp_path / "noted.xlsx"                               # a note typed right of the Budget table
    wb = openpyxl.load_workbook(build(tmp_path / "src.xlsx", "Brûlerie Ormelune"))
    budget = schema.SHEETS_BY_KEY["budget"]
    ws = next(w for w in wb.worksheets if budget.table in w.tables)
    min_col, _, max_col, _ = openpyxl.utils.cell.range_boundaries(ws.tables[budget.table].ref)
    ws.cell(6, max_col + 2).value = "à revoir"
    wb.save(noted)

    def overspent(plan):                                          # actual beyond the envelope, planned within
        phased = {r["line_id"] for r in plan.rows("budget_months")}
        line = next(r for r in plan.rows("budget") if r["id"] not in phased)
        line["actual"] = plan.identity.envelope + 5000
    over = build(tmp_path / "over.xlsx", "Cidrerie du Val", edit=overspent)

    def lands_over(plan):                                         # re-forecast beyond the envelope, all else within
        plan.rows("budget")[0]["reforecast"] = plan.identity.envelope + 5000
    landing = build(tmp_path / "landing.xlsx", "Distillerie Aubrac", edit=lands_over)
    approve(clean, db)
    changed = build(tmp_path / "clean-v2.xlsx", "Atelier Lumen", edit=lambda p: p.rows("actions")[0].update(title="X"))
    portfolio = tmp_path / "portfolio.xlsx"
    consolidate([changed, noted, over, landing], db, out=portfolio, lang="en")

    with connect(db, read_only=True) as con:
        trust = con.records("SELECT * FROM plan_trust ORDER BY trust_score, company")
    signals = {t["company"]: t for t in trust}
    assert signals["Atelier Lumen"]["modified_after_approval"] == 1
    assert signals["Brûlerie Ormelune"]["outside_tables"] == 1
    assert signals["Cidrerie du Val"]["over_envelope"] == 1
    assert signals["Distillerie Aubrac"]["over_envelope"] == 1          # where the year lands counts too
    for row in trust:                                             # the SQL view is the Python formula
        assert row["trust_score"] == trust_score({k: row[k] for k in PENALTIES})
    assert signals["Atelier Lumen"]["trust_score"] == 70
    assert [t["company"] for t in trust][0] == "Atelier Lumen"
    header, rows = table_rows(grid(portfolio, "Overview"), "Team / company")   # the Overview's first table
    rows = list(itertools.takewhile(lambda r: r[0] != "The plans loaded", rows))
    assert header[:3] == ["Team / company", "Year", "Trust score"]
    assert [r[0] for r in rows] == [t["company"] for t in trust]
    assert [r[header.index("Trust score")] for r in rows] == [t["trust_score"] for t in trust]


def test_diff_with_the_database_shows_the_approval_and_the_approved_actions_touched(tmp_path, db):
    v1 = build(tmp_path / "v1.xlsx", "Atelier Lumen")

    def moved(plan):
        plan.rows("budget")[0]["planned"] += 500                  # a line of A01
    v2 = build(tmp_path / "v2.xlsx", "Atelier Lumen", edit=moved)
    runner = CliRunner()
    assert runner.invoke(main, ["approve", str(v1), "--db", db, "--by", "Claire Martin", "--comment", "vu en comité",
                                "--lang", "en"]).exit_code == 0
    result = runner.invoke(main, ["diff", str(v1), str(v2), "--db", db, "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert 'Approval: approved by Claire Martin on ' in result.stdout and '"vu en comité"' in result.stdout
    assert "approved version: the old one (OLD)" in result.stdout
    assert "action A01 (approved by Claire Martin) touched by these changes" in result.stdout
    data = json.loads(runner.invoke(main, ["diff", str(v1), str(v2), "--db", db, "--format", "json"]).stdout)
    assert data["approval"]["approved_by"] == "Claire Martin" and data["approval"]["touched_actions"] == ["A01"]
    plain = runner.invoke(main, ["diff", str(v1), str(v2), "--format", "json"])
    assert "approval" not in json.loads(plain.stdout)            # without --db, the diff is as before


def test_export_refuses_a_missing_database_and_a_file_for_its_folder(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(main, ["export", str(tmp_path / "nope.duckdb"), "--parquet", str(tmp_path / "bi")])
    assert missing.exit_code == 2 and "nope.duckdb" in missing.stderr
    assert not (tmp_path / "nope.duckdb").exists() and not (tmp_path / "bi").exists()   # nothing created
    db = tmp_path / "p.duckdb"
    consolidate([build(tmp_path / "lumen.xlsx", "Atelier Lumen")], db)
    (tmp_path / "file").write_text("x")
    result = runner.invoke(main, ["export", str(db), "--parquet", str(tmp_path / "file"), "--lang", "en"])
    assert result.exit_code == 2 and "--parquet" in result.stderr and "Traceback" not in result.output


def test_a_new_version_of_a_partly_approved_plan_is_modified_after_approval(tmp_path, db):
    v1 = build(tmp_path / "v1.xlsx", "Atelier Lumen")
    v2 = build(tmp_path / "v2.xlsx", "Atelier Lumen", edit=lambda p: p.rows("budget")[0].update(planned=15300))
    approve(v1, db, by="Claire Martin", actions=["A01"])
    assert consolidate([v2], db).exit_code == 0                    # the team resent the plan, A01's line raised
    with connect(db, read_only=True) as con:
        assert plan_statuses(con)[("Atelier Lumen", YEAR)] == "modified_after_approval"
        assert con.rows("SELECT modified_after_approval FROM plan_trust") == [(1,)]
    approve(v2, db, by="Claire Martin", actions=["A01"])             # approved again on the new version
    with connect(db, read_only=True) as con:
        assert plan_statuses(con)[("Atelier Lumen", YEAR)] == "partly_approved"


def test_no_portfolio_chart_puts_two_currencies_on_one_axis(tmp_path):
    """Without rates, the amounts of a portfolio in several currencies are never drawn on one value axis: each
    amount chart shows the plans of the portfolio's main currency (the currency of most plans), its title names
    it, and a note under the sheet's title says which currencies the table alone shows."""
    from portfolio_charts import chart_series

    plans = [build(tmp_path / "plans" / f"{name}.xlsx", company, currency) for name, company, currency in (
        ("lumen", "Atelier Lumen", "EUR"), ("ormelune", "Brûlerie Ormelune", "USD"), ("zinc", "Zinc Studio", "USD"))]
    portfolio = tmp_path / "portfolio.xlsx"
    assert consolidate(plans, tmp_path / "p.duckdb", out=portfolio, lang="fr").exit_code == 0
    charts = chart_series(portfolio)
    money = [c for c in charts if any(c["series"])]
    assert {c["sheet"] for c in money} == {"Budget par équipe", "Budget par poste", "Résultats par équipe"}
    for chart in money:
        assert all(s == {"USD"} for s in chart["series"]), chart     # the two plans in dollars, not the euros
        assert chart["title"].endswith("(USD)"), chart["title"]
    header, rows = table_rows(grid(portfolio, "Budget par équipe"), "Plan")
    assert [r[0] for r in rows if not str(r[0]).startswith("Total")] == ["Brûlerie Ormelune 2027", "Zinc Studio 2027",
                                                                         "Atelier Lumen 2027"]
    notes = " ".join(str(r[0]) for r in grid(portfolio, "Budget par équipe")[:4])
    assert "USD" in notes and "EUR" in notes, notes
