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
from pathlib import Path

import pytest
from click.testing import CliRunner

import mplan_xl
from mplan_xl.cli import main

from hostile_plans import assert_opens, build_hostile_plans

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

CASES = ("value-nan", "value-inf", "value-minus-inf", "value-1e400", "value-10000-digits", "sum-overflow", "text-nan",
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
    assert len(output) < 200_000
    assert digest(plan) == before
    for written in tmp_path.rglob("*.xlsx"):
        assert_opens(written)
    for database in tmp_path.glob("*.duckdb"):
        assert_database_finite(database)
