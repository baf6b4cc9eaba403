"""Every command that reads a returned plan, on every hostile plan of :mod:`hostile_plans` (issue 26: 5, 6, 7, 9).

For each command and each plan: no internal error (no traceback, no
"internal error"), an exit code among the documented ones, the input left
byte-identical, every workbook written opens (every XML part parses, no ``<v>``
holds a non-finite number), no database holds a non-finite number, and
nothing printed carries a control character raw.
"""

from __future__ import annotations

import hashlib
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import mplan_xl
from mplan_xl.cli import main

from hostile_plans import assert_opens, build_hostile_plans, with_company

#: What a terminal must never receive raw: C0 controls but tab and line feed, DEL, C1 controls.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return mplan_xl.demo_workbook(tmp_path_factory.mktemp("demo") / "demo.xlsx", year=2027)


@pytest.fixture(scope="module")
def plans(demo, tmp_path_factory) -> dict[str, Path]:
    return build_hostile_plans(demo, tmp_path_factory.mktemp("hostile-plans"))


COMMANDS = {
    "check": lambda plan, demo, out: ["check", str(plan), "-j", "1"],
    "check-json": lambda plan, demo, out: ["check", str(plan), "-j", "1", "--format", "json"],
    "check-junit": lambda plan, demo, out: ["check", str(plan), "-j", "1", "--format", "junit"],
    "check-xlsx": lambda plan, demo, out: ["check", str(plan), "-j", "1", "-o", str(out / "report.xlsx")],
    "check-annotate": lambda plan, demo, out: ["check", str(plan), "-j", "1", "--annotate", str(out / "annotated")],
    "rollover": lambda plan, demo, out: ["rollover", str(plan), "-o", str(out / "next.xlsx")],
    "upgrade": lambda plan, demo, out: ["upgrade", str(plan), "-o", str(out / "upgraded.xlsx")],
    "diff": lambda plan, demo, out: ["diff", str(demo), str(plan)],
    "diff-json": lambda plan, demo, out: ["diff", str(demo), str(plan), "--format", "json"],
    "diff-xlsx": lambda plan, demo, out: ["diff", str(demo), str(plan), "-o", str(out / "diff.xlsx")],
    "consolidate": lambda plan, demo, out: ["consolidate", str(plan), "--db", str(out / "plans.duckdb"), "-j", "1",
                                            "-o", str(out / "portfolio.xlsx")],
    "approve": lambda plan, demo, out: ["approve", str(plan), "--db", str(out / "approved.duckdb")],
}

CASES = ("value-nan", "value-inf", "value-minus-inf", "value-1e400", "value-10000-digits", "sum-overflow", "sum-overflow-9e307", "text-nan",
         "text-infinity", "text-10000-digits", "version-5000-digits", "company-control", "company-too-long",
         "label-control")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_database_finite(path: Path) -> None:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        for (table,) in con.execute("select table_name from information_schema.tables").fetchall():
            for (column,) in con.execute("select column_name from information_schema.columns where table_name = ? "
                                         "and data_type in ('DOUBLE', 'FLOAT', 'REAL')", [table]).fetchall():
                values = con.execute(f'select "{column}" from "{table}"').fetchall()
                assert all(v is None or math.isfinite(v) for (v,) in values), (table, column)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_hostile_plan_gives_a_clean_answer(plans, demo, tmp_path, command, case):
    plan = plans[case]
    before = digest(plan)
    result = CliRunner().invoke(main, [*COMMANDS[command](plan, demo, tmp_path), "--lang", "en"])
    output = result.output
    assert result.exit_code in (0, 1, 2), (result.exit_code, output[-2000:])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    assert not RAW_CONTROL.search(output), RAW_CONTROL.search(output)
    assert len(output) < 20_000, len(output)     # an excerpt of a huge value, never the value
    assert digest(plan) == before
    if command == "check-junit":
        ET.fromstring(output.encode("utf-8"))
    for written in tmp_path.rglob("*.xlsx"):
        assert_opens(written)
    for database in tmp_path.glob("*.duckdb"):
        assert_database_finite(database)


# --- what check says, at the cell ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case, shown", [("value-nan", "nan"), ("value-inf", "inf"), ("value-minus-inf", "-inf"),
                                         ("value-1e400", "inf"), ("value-10000-digits", "inf"),
                                         ("sum-overflow", "1e+308")])
def test_a_number_no_cell_can_hold_is_reported_at_its_cell_and_counted_nowhere(plans, case, shown):
    from mplan_xl.check.validator import check

    report = check([plans[case]], lang="en", jobs=1)
    file = report.files[0]
    found = [f for f in file.findings if f.code == "number-unusable"]
    assert [(f.sheet, f.cell, f.params["value"]) for f in found][:1] == [("Budget", "I5", shown)]
    assert file.status == "invalid" and report.exit_code == 1
    assert not any(f.code == "type-invalid" and f.cell == "I5" for f in file.findings)   # said once
    assert all(math.isfinite(v) for v in file.figures.values() if isinstance(v, float))


def test_a_text_over_excel_s_cell_limit_is_refused_at_its_cell(plans, tmp_path):
    from mplan_xl.check.validator import check

    file = check([plans["company-too-long"]], lang="en", jobs=1).files[0]
    found = [f for f in file.findings if f.code == "text-too-long"]
    assert [(f.sheet, f.cell) for f in found] == [("Accueil", "C4")]
    assert "40,009 characters" in found[0].message and "32,767" in found[0].message and len(found[0].message) < 300
    result = CliRunner().invoke(main, ["rollover", str(plans["company-too-long"]), "-o", str(tmp_path / "next.xlsx"),
                                       "--lang", "en"])
    assert result.exit_code == 1 and "text-too-long" in result.output and "C4" in result.output
    assert not (tmp_path / "next.xlsx").exists()


def test_the_annotated_copy_of_a_nan_opens_and_shows_num_at_the_cell(plans, tmp_path):
    from mplan_xl.read.reader import read_workbook

    result = CliRunner().invoke(main, ["check", str(plans["value-nan"]), "-j", "1", "--annotate", str(tmp_path)])
    assert result.exit_code == 1
    copy = tmp_path / "value-nan.xlsx"
    assert_opens(copy)
    assert read_workbook(copy).values("Budget")[4][8] == "#NUM!"


def test_control_characters_are_left_out_of_texts_and_reported_at_their_cell(plans, tmp_path):
    from mplan_xl.read.plan_reader import named_value
    from mplan_xl.read.reader import read_workbook

    result = CliRunner().invoke(main, ["rollover", str(plans["company-control"]), "-o", str(tmp_path / "next.xlsx"),
                                       "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Accueil!C4  [text-control-characters]" in result.output         # the cleaning, reported
    assert named_value(read_workbook(tmp_path / "next.xlsx"), "mplan_company") == "Ormelune ]0;pwned  fin"


def test_a_terminal_escape_in_a_file_name_is_printed_escaped(demo, tmp_path):
    odd = tmp_path / "plan\x1b]0;pwned\x07.xlsx"
    odd.write_bytes(demo.read_bytes())
    for args in (["diff", str(demo), str(odd)], ["check", str(odd), "-j", "1"], ["approve", str(odd), "--db", str(tmp_path / "a.duckdb")]):
        output = CliRunner().invoke(main, [*args, "--lang", "en"]).output
        # escaped by the CLI (\\x1b), or U+FFFD where a report shows the name (as check's JSON does)
        assert re.search(r"plan(\\x1b|\ufffd)]0;pwned(\\x07|\ufffd)\.xlsx", output), output
        assert not RAW_CONTROL.search(output), output


# --- file names that are not UTF-8 ------------------------------------------------------------------------------

def test_a_file_name_that_is_not_utf8_is_reported_and_the_batch_stored(demo, plans, tmp_path):
    import json
    import os

    import duckdb

    folder = tmp_path / "returned"
    folder.mkdir()
    odd = folder / os.fsdecode(b"plan-\xe9t\xe9.xlsx")
    odd.write_bytes(demo.read_bytes())
    (folder / "broken.xlsx").write_bytes(plans["value-nan"].read_bytes())
    runner = CliRunner()
    out = tmp_path / "diff.json"
    result = runner.invoke(main, ["diff", str(demo), str(odd), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["new"]["path"].endswith("plan-\ufffdt\ufffd.xlsx")
    result = runner.invoke(main, ["diff", str(demo), str(odd), "--format", "json", "--lang", "en"])
    assert result.exit_code == 0 and json.loads(result.output)["same"] is True
    db = tmp_path / "plans.duckdb"
    result = runner.invoke(main, ["consolidate", str(folder), "--db", str(db), "-j", "1", "--lang", "en"])
    assert result.exit_code == 1 and "could not write" not in result.output, result.output
    assert not RAW_CONTROL.search(result.output) and "\udce9" not in result.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select file_name from plans").fetchall() == [("plan-\ufffdt\ufffd.xlsx",)]
        assert ("number-unusable",) in con.execute("select code from findings").fetchall()


# --- memory: a 10-million-character company name ----------------------------------------------------------------

#: Runs the CLI in a child process and prints its exit code and its peak resident memory (VmHWM), in KiB.
MEASURE = """
import resource, subprocess, sys
out = subprocess.run([sys.executable, "-m", "mplan_xl.cli", *sys.argv[1:]], capture_output=True, text=True)
print(out.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, len(out.stdout) + len(out.stderr))
"""


def test_a_ten_million_character_company_name_costs_what_a_plan_costs(demo, tmp_path):
    import random
    import subprocess
    import sys

    # Random letters: a run of one letter would be refused earlier, as a zip bomb (compression ratio).
    name = "Ormelune " + "".join(random.Random(1).choices("abcdefghijklmnopqrstuvwxyz ", k=10_000_000))
    plan = with_company(demo, tmp_path / "big.xlsx", name)
    del name
    for args in (["check", str(plan), "-j", "1"], ["consolidate", str(plan), "--db", str(tmp_path / "p.duckdb"), "-j", "1"],
                 ["diff", str(demo), str(plan)]):
        out = subprocess.run([sys.executable, "-c", MEASURE, *args, "--lang", "en"], capture_output=True, text=True,
                             timeout=120)
        code, peak_kib, printed = map(int, out.stdout.split())
        assert code in (1, 2), (args, out)                               # refused, or invalid
        assert peak_kib < 400 * 1024, (args[0], peak_kib // 1024)      # was 3.6 GiB for consolidate
        assert printed < 5_000, (args[0], printed)                       # was the whole name, 10 MB


def test_the_reader_hands_on_no_value_a_command_may_not_use(tmp_path):
    import xlsxwriter

    from mplan_xl.read.reader import NotANumber, TextTooLong, read_workbook

    path = tmp_path / "cells.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    ws = wb.add_worksheet("S")
    ws.write_string(0, 0, "Ormelune\x1b]0;t\x07")              # a shared string, stored as _x001B_
    ws.write_string(0, 1, "x" * 32_767)                          # Excel's limit: still a text
    ws.write_number(0, 2, 9.99999999999999e307)
    ws.write_string(0, 3, "tab\tand line\nkept")
    wb.close()
    raw = read_workbook(path)
    row = raw.values("S")[0]
    assert row[0] == "Ormelune]0;t" and raw.cleaned("S") == {(0, 0): "\x1b\x07"}
    assert row[1] == "x" * 32_767 and not isinstance(row[1], TextTooLong)
    assert row[2] == 9.99999999999999e307 and not isinstance(row[2], NotANumber)
    assert row[3] == "tab\tand line\nkept"
    assert raw.unusable("S") == {}


@pytest.mark.parametrize("case, where", [("value-nan", "Budget!I5 [number-unusable]"),
                                         ("company-too-long", "Accueil!C4 [text-too-long]")])
def test_diff_refuses_a_value_no_command_may_use_with_its_cell(plans, demo, case, where):
    result = CliRunner().invoke(main, ["diff", str(demo), str(plans[case]), "--lang", "en"])
    assert result.exit_code == 2 and where in result.output, result.output


def test_a_control_character_written_as_a_character_reference_is_left_out_and_reported(demo, tmp_path):
    """``&#x1B;`` in a text (a tool other than Excel may write ESC so) is a control character as ``_x001B_`` is:
    left out of the value the checks read (the choice is still known) and reported at its cell, never shown."""
    import json
    import zipfile

    path = tmp_path / "reference.xlsx"
    with zipfile.ZipFile(demo) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                assert b"<t>Client</t>" in data
                data = data.replace(b"<t>Client</t>", b"<t>Cli&#x1B;ent</t>")
            copy.writestr(info, data)
    result = CliRunner().invoke(main, ["check", str(path), "--lang", "en", "--format", "json"])
    codes = {f["code"] for file in json.loads(result.output)["files"] for f in file["findings"]}
    assert "text-control-characters" in codes and "choice-invalid" not in codes
    assert "\x1b" not in result.output and "u001b" not in result.output.lower()
