"""The accounts import never changes money silently: one number convention per file, a stray byte decoded where it
stands, a header-only or wrong-year FEC refused, hostile fields located, and a report whose amounts reconcile."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import zipfile
from xml.etree import ElementTree
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mplan_xl.year.actuals import BudgetLine, RulesError, match_entries, read_rules
from mplan_xl.cli import main
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.workbook.demo_fec import demo_fec_text
from mplan_xl.year.fec import FecError, parse_amount, parse_fec

from conftest import YEAR
from test_fec import HEADER, fec_bytes, piece

CENT = Decimal("0.01")


def problems(data: bytes) -> list[tuple[int, str | None, str]]:
    with pytest.raises(FecError) as caught:
        parse_fec(data, "FEC.txt")
    return [(p.line, p.column, p.text("en")) for p in caught.value.problems]


def reconciles(report: dict) -> None:
    """matched + unmatched + ignored = the FEC's expense lines, in count (every line) and amount (to the cent)."""
    fec, ignored = report["fec"], report["ignored"]
    amount = [Decimal(str(x)) for x in (report["matched"]["amount"], report["unmatched"]["amount"], ignored["amount"],
                                        fec["expense_amount"])]
    assert amount[0] + amount[1] + amount[2] == amount[3]
    assert report["matched"]["count"] + report["unmatched"]["count"] + ignored["count"] == fec["lines"]
    reasons = ignored["reasons"]
    assert sum(r["count"] for r in reasons.values()) == ignored["count"]
    assert sum(Decimal(str(r.get("amount", 0))) for r in reasons.values()) == amount[2]
    assert reasons["not_an_expense"]["count"] == fec["lines"] - fec["expense_lines"]


# --- 26.1: one number convention per file ------------------------------------------------------------------------


def test_english_notation_is_read_as_english():
    rows = piece("1", "20270315", "623100", "5,920.00") + piece("2", "20270316", "623100", "120.50")
    for row in rows:
        row[11], row[12] = (v.replace(",", ".") if v in ("0,00", "1,00") else v for v in row[11:13])
    fec = parse_fec(fec_bytes(rows))
    assert [e.amount for e in fec.entries] == [Decimal("5920.00"), Decimal("120.50")]
    assert fec.decimal == "."


def test_an_amount_that_does_not_fit_the_files_notation_is_refused_at_its_line_and_column():
    rows = (piece("1", "20270315", "623100", "1 200,50") + piece("2", "20270316", "623100", "99,90")
            + piece("3", "20270317", "623100", "5,920.00"))
    [(line, column, text)] = problems(fec_bytes(rows))
    assert (line, column) == (8, "Debit")
    assert "'5,920.00'" in text and "decimal comma" in text


def test_three_decimals_are_not_an_amount_to_the_cent():
    # "5,920" in a decimal-comma file: 5.92 with a third decimal, or 5,920 in English? Refused, not guessed.
    [(line, column, text)] = problems(fec_bytes(piece("1", "20270315", "623100", "5,920")))
    assert (line, column) == (2, "Debit") and "'5,920'" in text


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-inf", "1e308", "1E5", "9" * 10_000, "0x10", "1_000"],
                         ids=lambda value: value if len(value) < 20 else f"{len(value)} digits")
def test_numbers_that_are_not_amounts_are_refused_at_their_line_and_column(value):
    found = problems(fec_bytes(piece("1", "20270315", "623100", value)))
    assert [(line, column) for line, column, _ in found] == [(2, "Debit")]


def test_an_amount_on_a_line_that_is_not_an_expense_is_checked_too():
    rows = piece("1", "20270315", "623100", "10,00")
    rows[2][12] = "NaN"
    assert [(line, column) for line, column, _ in problems(fec_bytes(rows))] == [(4, "Credit")]


# --- 26.2: one stray byte ------------------------------------------------------------------------------------------


def test_a_stray_windows_byte_is_decoded_on_its_line_only_and_named():
    rows = piece("1", "20270315", "623100", "10,00", supplier="Société Générale d'Impression")
    rows += piece("2", "20270316", "622600", "20,00", supplier="Éditions Papilles", label="Remise 5 EURO")
    data = fec_bytes(rows).replace(b"EURO", b"\x80")   # a Windows-1252 euro sign in a UTF-8 file
    fec = parse_fec(data)
    assert [e.supplier for e in fec.entries] == ["Société Générale d'Impression", "Éditions Papilles"]
    assert fec.entries[1].label == "Remise 5 €"
    assert [(w.line, w.text("en")) for w in fec.warnings] == [
        (line, f"FEC, line {line}: not valid UTF-8, read as Windows-1252") for line in (5, 6, 7)]


# --- 26.3 and 26.4, and the year of the FEC: through the command ---------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hardening")
    plan = folder / "plan.xlsx"
    assert CliRunner().invoke(main, ["demo", str(plan), "--year", str(YEAR)]).exit_code == 0
    return {"folder": folder, "plan": plan, "fec": demo_fec_text(demo_plan(year=YEAR))}


def run(demo, name: str, data: bytes, *extra: str):
    fec, out, report = (demo["folder"] / f"{name}{suffix}" for suffix in (".txt", ".xlsx", ".json"))
    fec.write_bytes(data)
    before = fec.read_bytes()
    result = CliRunner().invoke(main, ["actuals", str(demo["plan"]), str(fec), "-o", str(out), "--report", str(report),
                                       "--lang", "en", "--force", *extra])
    assert fec.read_bytes() == before
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    written = json.loads(report.read_text(encoding="utf-8")) if out.exists() else None
    if written is not None:
        reconciles(written)
        with zipfile.ZipFile(out) as archive:
            for name in archive.namelist():
                if name.endswith(".xml"):
                    assert b"<v>nan</v>" not in archive.read(name) and b"<v>inf" not in archive.read(name)
    return result, out, written


def test_the_demo_report_reconciles(demo):
    result, out, report = run(demo, "clean", demo["fec"].encode("utf-8"))
    assert result.exit_code == 1 and report is not None   # two unmatched marketing expenses
    reasons = report["ignored"]["reasons"]
    assert reasons["other_year"]["count"] == 1 and reasons["other_year"]["amount"] == 450.0
    assert reasons["not_marketing"]["count"] >= 1


def test_a_stray_byte_costs_no_euro(demo):
    _, _, clean = run(demo, "clean", demo["fec"].encode("utf-8"))
    text = demo["fec"].replace("Loyer février", "Loyer février EURO", 1)
    result, _, dirty = run(demo, "stray", text.encode("utf-8").replace(b"EURO", b"\x80"))
    assert dirty is not None and clean is not None
    assert dirty["matched"] == clean["matched"] and dirty["unmatched"]["amount"] == clean["unmatched"]["amount"]
    assert "not valid UTF-8, read as Windows-1252" in result.output
    assert dirty["warnings"]


def test_english_notation_through_the_command(demo):
    english = "\n".join(line if n == 0 else "\t".join(
        f"{Decimal(f.replace(',', '.')):,.2f}" if i in (11, 12) else f for i, f in enumerate(line.split("\t")))
        for n, line in enumerate(demo["fec"].splitlines())) + "\n"
    assert "5,920.00" in english
    _, _, clean = run(demo, "clean", demo["fec"].encode("utf-8"))
    result, _, report = run(demo, "english", english.encode("utf-8"))
    assert report is not None and clean is not None
    assert report["matched"] == clean["matched"] and report["lines"] == clean["lines"], result.output


def test_a_fec_with_only_its_header_is_refused(demo):
    result, out, _ = run(demo, "header", (demo["fec"].splitlines()[0] + "\n").encode("utf-8"))
    assert result.exit_code == 1 and not out.exists()
    assert "no entry" in result.output


def test_a_fec_of_another_year_is_refused_naming_its_years(demo):
    result, out, _ = run(demo, "lastyear", demo_fec_text(demo_plan(year=YEAR - 1)).encode("utf-8"))
    assert result.exit_code == 1 and not out.exists()
    assert f"no expense entry of {YEAR}" in result.output and f"{YEAR - 2}, {YEAR - 1}" in result.output


def test_a_fec_that_stops_before_the_situation_date_is_taken_with_a_warning(demo):
    # The demo plan is at the end of June; the accountant's export stops at the end of March.
    lines = demo["fec"].splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.split("\t")[3] <= f"{YEAR}0331"]
    result, out, report = run(demo, "q1", ("\n".join(kept) + "\n").encode("utf-8"))
    assert out.exists() and report is not None
    assert f"no entry in 04/{YEAR}, 05/{YEAR}, 06/{YEAR}" in result.output
    assert any("04/" in w for w in report["warnings"])
    # Up to March, nothing is missing: no warning.
    result, _, report = run(demo, "q1-asof", ("\n".join(kept) + "\n").encode("utf-8"), "--as-of", f"{YEAR}-03-31")
    assert report is not None and not report["warnings"] and "no entry in" not in result.output


def test_nan_in_a_fec_writes_nothing(demo):
    text = demo["fec"].replace("\t5920,00\t", "\tNaN\t", 1)
    result, out, _ = run(demo, "nan", text.encode("utf-8"))
    assert result.exit_code == 1 and not out.exists() and "line 2, column Debit" in result.output


# --- 26.6: a field longer than the csv module takes ------------------------------------------------------------------


@pytest.mark.parametrize("quoted", [True, False])
def test_a_200000_character_field_is_located(quoted):
    rows = piece("1", "20270315", "623100", "10,00")
    rows[1][10] = ('"' + "x" * 200_000 + '"') if quoted else "x" * 200_000
    [(line, column, text)] = problems(fec_bytes(rows))
    assert line == 3 and "characters" in text


def test_rules_file_refuses_hostile_fields_at_their_line(tmp_path):
    path = tmp_path / "rules.csv"
    path.write_text("ligne;compte;fournisseur;libelle\nL1;6231;;\nL1;;\"" + "x" * 200_000 + "\";\n", encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        read_rules(path, ["L1"])
    assert "line 3" in caught.value.text("en")
    for account in ("NaN", "Infinity", "1e308", "62x"):
        path.write_text(f"ligne;compte\nL1;6231\nL1;{account}\n", encoding="utf-8")
        with pytest.raises(RulesError) as caught:
            read_rules(path, ["L1"])
        assert "line 3, column compte" in caught.value.text("en") and account in caught.value.text("en")


def test_rules_file_with_a_stray_byte_is_read_line_by_line(tmp_path):
    path = tmp_path / "rules.csv"
    path.write_bytes("ligne;fournisseur;libelle\nL1;Société Générale;\nL2;;promo 5 EURO\n".encode("utf-8")
                     .replace(b"EURO", b"\x80"))
    warnings: list = []
    rules = read_rules(path, ["L1", "L2"], warnings=warnings)
    assert [r.supplier for r in rules] == ["Société Générale", ""] and rules[1].label == "promo 5 €"
    assert [w.text("en") for w in warnings] == [f"{path}, line 3: not valid UTF-8, read as Windows-1252"]


# --- Hypothesis: the number parser, the FEC reader and the rules reader ----------------------------------------------

amounts = st.decimals(min_value=Decimal("-99999999999.99"), max_value=Decimal("99999999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


def written(value: Decimal, decimal: str, group: str) -> str:
    text = f"{value:,.2f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


@given(amounts, st.sampled_from([(",", ""), (",", " "), (",", "\u202f"), (",", "."), (".", ""), (".", ","), (".", " ")]))
def test_number_parser_reads_back_what_each_convention_writes(value, notation):
    decimal, group = notation
    assert parse_amount(written(value, decimal, group), decimal) == value


@given(st.text(max_size=30), st.sampled_from([",", "."]))
def test_number_parser_returns_a_cent_exact_amount_or_refuses(text, decimal):
    try:
        value = parse_amount(text, decimal)
    except ValueError:
        return
    assert value.is_finite() and value == value.quantize(CENT) and abs(value) < Decimal(10) ** 13


ACCOUNTS = ["623100", "623400", "622600", "613200", "401000", "445660", "6"]
SUPPLIERS = ["Imprimerie Vallorin", "Éditions Papilles", "Clicorama", "", "Inconnu"]
fec_lines = st.lists(st.tuples(
    st.sampled_from(ACCOUNTS), st.sampled_from(SUPPLIERS), amounts, amounts,
    st.dates(min_value=dt.date(YEAR - 1, 11, 1), max_value=dt.date(YEAR + 1, 1, 31)),
    st.sampled_from(["", "IV-7719", "CLK-5", "Affiches kakémono"])), min_size=1, max_size=25)
PLAN_LINES = [BudgetLine("L1", "Imprimerie Vallorin", "IV-7719"), BudgetLine("L2", "Imprimerie Vallorin", ""),
              BudgetLine("L3", "Éditions Papilles", ""), BudgetLine("L4", "Clicorama", "CLK-5")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fec_lines, st.sampled_from([(",", " "), (".", ",")]), st.sampled_from(["\t", "|"]),
       st.sampled_from(["utf-8", "cp1252"]),
       st.lists(st.tuples(st.sampled_from(["L1", "L2", "L3", "L4"]), st.sampled_from(["", "623", "6226", "6"]),
                          st.sampled_from(["", "Clicorama", "inconnu", "Éditions Papilles"]), st.sampled_from(["", "*kakemono*", "x"])),
                max_size=4),
       st.one_of(st.none(), st.dates(min_value=dt.date(YEAR, 1, 1), max_value=dt.date(YEAR, 12, 31))))
def test_generated_fecs_and_rules_reconcile(lines, notation, sep, encoding, rule_rows, as_of):
    rows = [["AC", "Achats", str(n), day.strftime("%Y%m%d"), account, "Compte", "", supplier, ref, "", ref,
             written(debit, *notation), written(credit, *notation), "", "", "", "", ""]
            for n, (account, supplier, debit, credit, day, ref) in enumerate(lines)]
    fec = parse_fec(fec_bytes(rows, sep=sep, encoding=encoding))
    expected = [debit - credit for account, _, debit, credit, _, _ in lines if account.startswith("6")]
    assert [e.amount for e in fec.entries] == expected
    rows_text = [";".join(r) for r in rule_rows if any(r[1:])]
    with tempfile.TemporaryDirectory() as folder:   # a rules file, as the team keeps it
        path = Path(folder) / "regles.csv"
        path.write_bytes("\r\n".join(["ligne;compte;fournisseur;libelle", *rows_text]).encode(encoding))
        rules = read_rules(path, [line.id for line in PLAN_LINES])
    assert [(r.line_id, r.account, r.supplier, r.label) for r in rules] == [r for r in rule_rows if any(r[1:])]
    result = match_entries(fec.entries, PLAN_LINES, year=YEAR, as_of=as_of, rules=rules, other_lines=fec.other_lines)
    report = json.loads(json.dumps(result.to_dict()))
    reconciles(report)
    assert Decimal(str(report["fec"]["expense_amount"])) == sum(expected, Decimal(0))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
                                   st.sampled_from(["623100", "401000", f"{YEAR}0315", "1,00", "0.00", "1,234.50", "NaN",
                                                    "", '"', "\u2028", "\x80"])),
                         min_size=18, max_size=18), max_size=6),
       st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_any_fec_is_read_or_refused_cleanly(rows, encoding):
    try:
        fec = parse_fec(fec_bytes(rows, encoding=encoding) if encoding != "cp1252" else
                        "\n".join("\t".join(r) for r in [HEADER, *rows]).encode(encoding, errors="replace"))
    except FecError as err:
        assert err.lines("en")
        return
    assert all(e.amount.is_finite() for e in fec.entries)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_rules_file_is_read_or_refused_cleanly(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.csv"
        path.write_bytes(b"ligne;compte;fournisseur;libelle\n" + data)
        try:
            rules = read_rules(path, ["L1", "L2"])
        except RulesError as err:
            assert err.text("fr") and err.text("en")
            return
        assert all(r.line_id in ("L1", "L2") and (not r.account or r.account.isdigit()) for r in rules)


def test_a_header_the_csv_module_cannot_read_is_refused_as_no_header():
    header = ['"' + "x" * 200_000 + '"'] + HEADER
    [(line, _, text)] = problems(fec_bytes(piece("1", "20270315", "623100", "10,00"), header=header))
    assert line == 1 and "no FEC header" in text


def test_the_benchmarks_large_demo_fec_reconciles():
    plan = demo_plan(year=YEAR)
    fec = parse_fec(demo_fec_text(plan, extra_pieces=400).encode("utf-8"))
    lines = [BudgetLine(str(row["id"]), str(row.get("supplier") or ""), str(row.get("quote_ref") or ""))
             for row in plan.rows("budget")]
    for as_of in (None, dt.date(YEAR, 6, 30)):
        reconciles(json.loads(json.dumps(match_entries(fec.entries, lines, year=YEAR, as_of=as_of,
                                                       other_lines=fec.other_lines).to_dict())))


def test_many_stray_bytes_are_listed_briefly(demo):
    lines = demo["fec"].splitlines()
    stray = [line.replace("Achats", "Achats EURO") if line.startswith("AC\t") else line for line in lines]
    data = ("\n".join(stray) + "\n").encode("utf-8").replace(b"EURO", b"\x80")
    result, out, report = run(demo, "many-stray", data)
    assert out.exists() and report is not None
    count = sum(line.startswith("AC\t") for line in lines)
    assert len(report["warnings"]) == count > 20
    assert f"and {count - 20} more warning(s): see the JSON report" in result.output


@pytest.mark.parametrize("value", ["1.234", "1,234", "12.345.678"])
def test_a_grouped_amount_in_a_file_whose_amounts_have_no_decimals_is_ambiguous(value):
    rows = piece("1", "20270315", "623100", value) + piece("2", "20270316", "623100", "NaN")
    for row in rows:
        row[11], row[12] = (v.replace(",00", "") for v in row[11:13])
    found = problems(fec_bytes(rows))
    assert [(line, column) for line, column, _ in found] == [(2, "Debit"), (5, "Debit")]
    assert "ambiguous amount" in found[0][2] and "unreadable amount 'NaN'" in found[1][2]


def test_control_characters_in_fec_labels_are_removed_reported_and_never_printed_raw(demo):
    # An export with a terminal escape (ESC ] 0 ; ... BEL sets a window's title) in every label, and a NUL in the
    # last one (a NUL at the start of a file is taken for a binary file, and refused as such).
    lines = demo["fec"].splitlines()
    assert len("\n".join(lines[:-1])) > 4096
    dirty = "\n".join(line if n == 0 else "\t".join(
        f + "\x1b]0;x\x07\x0b" + ("\x00" if n == len(lines) - 1 else "") if i == 10 else f
        for i, f in enumerate(line.split("\t"))) for n, line in enumerate(lines)) + "\n"
    _, _, clean = run(demo, "clean", demo["fec"].encode("utf-8"))
    result, out, report = run(demo, "control", dirty.encode("utf-8"))
    assert report is not None and clean is not None
    assert report["matched"] == clean["matched"] and report["unmatched"]["amount"] == clean["unmatched"]["amount"]
    assert "control characters removed" in result.output and "\x1b" not in result.output
    assert report["warnings"]
    with zipfile.ZipFile(out) as archive:   # the unmatched entries' sheet holds the labels: every part parses
        for name in archive.namelist():
            if name.endswith(".xml"):
                ElementTree.fromstring(archive.read(name))
