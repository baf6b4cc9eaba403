"""Matching the accounts' expenses to budget lines, and writing them into a copy of the team's workbook."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from decimal import Decimal

import pytest
from click.testing import CliRunner

from mplan_xl.core import schema
from mplan_xl.excel import libreoffice
from mplan_xl.year.actuals import (BY_QUOTE, BY_RULE, BY_SUPPLIER, BudgetLine, Rule, RulesError, match_entries,
                              read_rules)
from mplan_xl.year.actuals_workbook import UNMATCHED_SHEET
from mplan_xl.cli import main
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.workbook.demo_fec import write_demo_fec
from mplan_xl.year.fec import Entry
from mplan_xl.core.metrics import variance
from mplan_xl.read.package import PackageCopy
from mplan_xl.read.plan_reader import locate_plan
from mplan_xl.read.reader import read_workbook
from mplan_xl.check.validator import check_file

from conftest import YEAR, needs_libreoffice
from test_fec_hardening import reconciles


def entry(amount=100.0, *, account="623100", supplier="", code="", ref="", label="", date=dt.date(YEAR, 3, 1), line=2):
    return Entry(line, "AC", str(line), date, account, "", code, supplier, ref, label, Decimal(str(amount)).quantize(Decimal("0.01")))


LINES = [BudgetLine("L1", "Imprimerie Vallorin", "IV-7719"), BudgetLine("L2", "Imprimerie Vallorin", "IV-7790"),
         BudgetLine("L3", "Éditions Papilles de Loire", ""), BudgetLine("L4", "Clicorama", "CLK-5")]


def claimed(result) -> dict[str, list[str]]:
    return {line_id: [how for _, how in a.entries] for line_id, a in result.lines.items() if a.entries}


def test_first_rule_that_applies_wins():
    entries = [entry(ref="FA-1 IV-7790", supplier="Imprimerie Vallorin", line=2),        # quote ref of L2
               entry(label="Publi-reportage", supplier="EDITIONS PAPILLES DE LOIRE", line=3),  # unique supplier
               entry(label="Solde", supplier="Imprimerie Vallorin", line=4),           # supplier with two lines: no
               entry(label="Salon IV-7719", supplier="Clicorama", line=5,               # explicit rule beats the quote
                     account="623300")]
    rules = [Rule("L4", account="6233")]
    result = match_entries(entries, LINES, year=YEAR, rules=rules)
    assert claimed(result) == {"L2": [BY_QUOTE], "L3": [BY_SUPPLIER], "L4": [BY_RULE]}
    assert [e.line for e in result.unmatched] == [4]


def test_quote_reference_is_matched_as_a_whole_word_and_shared_references_claim_nothing():
    lines = [BudgetLine("A", "", "CLK-5"), BudgetLine("B", "", "D1"), BudgetLine("C", "", "D1")]
    entries = [entry(ref="CLK-55", line=2), entry(label="facture clk-5.", line=3), entry(ref="D1", line=4)]
    result = match_entries(entries, lines, year=YEAR)
    assert claimed(result) == {"A": [BY_QUOTE]} and result.lines["A"].entries[0][0].line == 3
    assert sorted(e.line for e in result.unmatched) == [2, 4]


def test_credit_notes_reduce_the_spend_and_months_follow_the_entry_date():
    entries = [entry(500.0, ref="CLK-5", date=dt.date(YEAR, 2, 3)), entry(-120.0, ref="CLK-5", date=dt.date(YEAR, 2, 20)),
               entry(80.0, ref="CLK-5", date=dt.date(YEAR, 7, 1))]
    result = match_entries(entries, LINES, year=YEAR)
    assert result.totals["L4"] == 460.0 and result.lines["L4"].months == {2: 380.0, 7: 80.0}


def test_only_the_plan_year_up_to_the_situation_date_counts_and_nothing_is_lost_silently():
    entries = [entry(ref="CLK-5", date=dt.date(YEAR - 1, 12, 31), line=2),   # last year: ignored
               entry(ref="CLK-5", date=dt.date(YEAR, 6, 30), line=3),
               entry(ref="CLK-5", date=dt.date(YEAR, 7, 1), line=4),         # after --as-of: ignored
               entry(account="613200", line=5),                              # rent, claimed by nobody: ignored
               entry(account="623400", supplier="Inconnu", line=6),          # marketing, claimed by nobody: listed
               entry(account="62341", line=7)]
    result = match_entries(entries, LINES, year=YEAR, as_of=dt.date(YEAR, 6, 30), other_lines=10,
                           marketing_accounts=("623",))
    assert result.matched_count == 1 and [e.line for e in result.unmatched] == [6, 7]
    assert result.ignored == 10 + 3
    report = result.to_dict()
    assert report["matched"] == {"count": 1, "amount": 100.0}
    assert report["unmatched"]["count"] == 2 and report["unmatched"]["amount"] == 200.0
    assert report["ignored"]["count"] == 13 and report["ignored"]["amount"] == 300.0
    assert {reason: r["count"] for reason, r in report["ignored"]["reasons"].items()} == {
        "not_an_expense": 10, "other_year": 1, "after_as_of": 1, "not_marketing": 1}
    assert report["lines"]["L4"]["total"] == 100.0 and report["lines"]["L1"]["total"] == 0.0


def test_supplier_matching_ignores_case_accents_and_punctuation():
    result = match_entries([entry(supplier="EDITIONS PAPILLES-DE-LOIRE")], LINES, year=YEAR)
    assert claimed(result) == {"L3": [BY_SUPPLIER]}


def test_rules_file(tmp_path):
    path = tmp_path / "regles.csv"
    path.write_text("ligne;compte;fournisseur;libelle\nL1;6236;;\nl2;;Imprimerie Vallorin;*kakémono*\n", encoding="utf-8")
    rules = read_rules(path, ["L1", "L2"])
    assert rules == [Rule("L1", account="6236", source_line=2), Rule("L2", supplier="Imprimerie Vallorin",
                                                                     label="*kakémono*", source_line=3)]
    assert rules[1].applies(entry(supplier="imprimerie vallorin", label="Impression KAKEMONOS salon"))
    path.write_text("line,account\nL9,623\n", encoding="utf-8")
    with pytest.raises(RulesError, match="line 2: budget line 'L9' is not in the plan"):
        read_rules(path, ["L1"])
    path.write_text("ligne;compte\nL1;\n", encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        read_rules(path, ["L1"])
    assert "ligne 2 : aucune condition" in caught.value.text("fr")


# --- the command ------------------------------------------------------------------------------------------


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("actuals")
    plan, fec, out, report = (folder / n for n in ("plan.xlsx", "fec.txt", "plan-actuals.xlsx", "report.json"))
    runner = CliRunner()
    assert runner.invoke(main, ["demo", str(plan), "--year", str(YEAR)]).exit_code == 0
    write_demo_fec(demo_plan(year=YEAR), fec)
    before = (sha(plan), sha(fec))
    result = runner.invoke(main, ["actuals", str(plan), str(fec), "-o", str(out), "--report", str(report)])
    return {"plan": plan, "fec": fec, "out": out, "report": report, "result": result, "before": before}


def test_the_copy_holds_each_lines_matched_total_and_inputs_are_untouched(imported):
    result = imported["result"]
    assert result.exit_code == 1, result.output   # two marketing expenses are not matched: listed, copy written
    assert (sha(imported["plan"]), sha(imported["fec"])) == imported["before"]
    report = json.loads(imported["report"].read_text(encoding="utf-8"))
    located = locate_plan(read_workbook(imported["out"]))
    actual = {row.values["id"]: row.values["actual"] for row in located.tables["budget"].rows}
    assert actual == {line_id: line["total"] for line_id, line in report["lines"].items()}
    # The demo FEC books each supplier-paid line's actual, and a credit note of 180 on CLK-552 (L004);
    # lines paid in-house have no invoice.
    plan = {row["id"]: row for row in demo_plan(year=YEAR).rows("budget")}
    for line_id, value in actual.items():
        expected = (plan[line_id]["actual"] or 0) if plan[line_id]["supplier"] != "Interne" else 0
        assert value == pytest.approx(expected - (180 if line_id == "L004" else 0)), line_id
    assert "Non rapprochées (comptes marketing) : 2 écriture(s), 930,00 €" in result.output
    assert report["unmatched"]["count"] == 2 and report["matched"]["amount"] == pytest.approx(
        sum(v for v in actual.values()))
    reconciles(report)


def test_every_other_part_is_byte_identical(imported):
    before, after = parts(imported["plan"]), parts(imported["out"])
    sheets = PackageCopy.open(imported["plan"]).worksheets()
    budget, months = (sheets[schema.worksheet_name(key, "fr")][0] for key in ("budget", "budget_months"))
    changed = {n for n in before if before[n] != after[n]}
    # The Budget sheet (actuals), the Budget mensuel sheet (the months of the lines' "Réel" rows), the workbook.
    assert changed == {budget, months, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    added = set(after) - set(before)
    assert len(added) == 1 and added.pop().startswith("xl/worksheets/")
    assert b'fullCalcOnLoad="1"' in after["xl/workbook.xml"]
    assert UNMATCHED_SHEET("fr") in read_workbook(imported["out"]).sheet_names


def test_the_copy_passes_check_and_the_import_causes_no_finding(imported):
    # The copy is marked to be recalculated on opening: its cached results of formulas reading the new
    # actuals are stale by declaration, not a finding.
    before = {(f.code, f.sheet, f.cell) for f in check_file(imported["plan"], "en").findings}
    report = check_file(imported["out"], "en")
    assert report.status == "valid"
    # The demo's FEC runs into July, after the plan's situation date (30 June): the July spending is written to
    # the lines' months and check says it does not count to date. Nothing else is new.
    new = {(f.code, f.sheet, f.cell) for f in report.findings} - before
    assert {code for code, _, _ in new} <= {"months-after-situation"}
    assert all(f.severity == "warning" for f in report.findings if f.code == "months-after-situation")


@needs_libreoffice
def test_libreoffice_opens_and_recalculates_the_copy(imported, tmp_path):
    [recalculated] = libreoffice.convert([imported["out"]], "xlsx", tmp_path)
    located = locate_plan(read_workbook(recalculated))
    rows = located.tables["budget"].rows
    assert rows
    for row in rows:
        expected = variance(row.values["actual"], row.values["planned"])
        got = row.values["variance"]
        assert (got in ("", None) and expected is None) or got == pytest.approx(expected, abs=1e-9), row.values["id"]
    for sheet in located.raw.sheet_names:
        formulas = located.raw.formulas(sheet)
        for r, line in enumerate(located.raw.values(sheet)):
            for c, v in enumerate(line):
                # The one error value allowed: a month without data on the dashboard's progress curves (NA() on
                # purpose, so that the chart draws no point there).
                deliberate = (v == "#N/A" and "NA()" in formulas.get((r, c), "")
                              and sheet in {schema.worksheet_name("dashboard", lang) for lang in ("fr", "en")})
                assert type(v).__name__ != "CellError" or deliberate, (sheet, r, c, v)


def test_a_malformed_fec_writes_nothing(imported, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(imported["fec"].read_bytes().replace(b"\t20270", b"\t2027x", 1))
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["actuals", str(imported["plan"]), str(bad), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 1 and not out.exists()
    assert "unreadable FEC, nothing was imported" in result.output
    assert "line 2, column EcritureDate" in result.output


def test_output_equal_to_an_input_is_a_usage_error(imported):
    result = CliRunner().invoke(main, ["actuals", str(imported["plan"]), str(imported["fec"]), "-o", str(imported["plan"]),
                                       "--force"])
    assert result.exit_code == 2
    assert sha(imported["plan"]) == imported["before"][0]


def test_without_the_recalculation_mark_the_stale_results_would_be_found(imported, tmp_path):
    copy = PackageCopy.open(imported["out"])
    workbook = copy.workbook_part()
    copy.parts[workbook] = copy.parts[workbook].replace(b' fullCalcOnLoad="1"', b"")
    unmarked = copy.write(tmp_path / "unmarked.xlsx")
    stale = {f.cell for f in check_file(unmarked, "en").findings if f.code == "cached-value-mismatch"}
    tables = locate_plan(read_workbook(unmarked)).tables
    reading_actuals = {(key, c.key) for key in ("budget", "budget_months") for c in schema.SHEETS_BY_KEY[key].computed_columns}
    computed = {tables[key].cell(row, column) for key, column in reading_actuals for row in tables[key].rows}
    assert stale and stale <= computed   # the figures of the lines whose actual (and months) changed


@needs_libreoffice
def test_a_plan_saved_by_libreoffice_takes_its_actuals_too(imported, tmp_path):
    # A team that opened and saved its plan in LibreOffice: other prefixes, shared strings, styles.
    [resaved] = libreoffice.convert([imported["plan"]], "xlsx", tmp_path)
    out = tmp_path / "resaved-actuals.xlsx"
    result = CliRunner().invoke(main, ["actuals", str(resaved), str(imported["fec"]), "-o", str(out)])
    assert result.exit_code == 1, result.output   # the same two unmatched expenses
    expected = json.loads(imported["report"].read_text(encoding="utf-8"))["lines"]
    located = locate_plan(read_workbook(out))
    budget = located.tables["budget"]
    assert {row.values["id"]: row.values["actual"] for row in budget.rows} == \
        {line_id: line["total"] for line_id, line in expected.items()}
    # The months of the lines' "Réel" rows, in the sheet LibreOffice wrote, add up to the new actuals.
    actual_rows = [r for r in located.tables["budget_months"].rows if r.values["series"] == "Réel"]
    assert actual_rows and all(sum(v for k in schema.MONTH_KEYS if isinstance(v := r.values[k], (int, float)))
                               == pytest.approx(expected[r.values["line_id"]]["total"]) for r in actual_rows)
    assert check_file(out, "en").status == "valid"


def test_the_months_of_a_lines_actual_row_take_the_entries_month_by_month(imported):
    expected = json.loads(imported["report"].read_text(encoding="utf-8"))["lines"]
    months = locate_plan(read_workbook(imported["out"])).tables["budget_months"]
    checked = 0
    for row in months.rows:
        line = expected.get(row.values["line_id"])
        if row.values["series"] != "Réel" or line is None:
            continue
        written = {f"{m:02d}": row.values[key] for m, key in enumerate(schema.MONTH_KEYS, 1)
                   if isinstance(row.values[key], (int, float)) and row.values[key]}
        assert written == line["months"], row.values["line_id"]
        assert sum(written.values()) == pytest.approx(line["total"])
        checked += 1
    assert checked >= 5
