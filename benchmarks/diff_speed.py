"""How fast `mplan-xl diff` compares two large plans, beside openpyxl merely reading them.

    python benchmarks/diff_speed.py [--actions 10000] [--lines-per-action 5]

Two workbooks of the same plan, 10,000 actions and 50,000 budget lines each
(the second with 100 budget lines re-priced, 10 actions removed and 10 added),
are compared by ``mplan_xl.year.diff.diff`` (read both in two processes, locate,
recompute every computed column, compare by row id) and by the CLI in a fresh
process (start-up included). The baseline is openpyxl in read-only mode
loading the values of both workbooks, the first step any openpyxl-based diff
would take. The target: under 5 s.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).parent))
from check_speed import big_plan  # noqa: E402

from mplan_xl.workbook.builder import build_workbook  # noqa: E402
from mplan_xl.year.diff import diff  # noqa: E402


def openpyxl_values(path: Path) -> int:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for ws in wb.worksheets for _ in ws.iter_rows(values_only=True))
    wb.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--lines-per-action", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mplan-diff-bench-"))
    old_plan = big_plan(args.actions, args.lines_per_action)
    old = build_workbook(old_plan, folder / "old.xlsx", lang="en", runtime="native", template=False)
    new_plan = big_plan(args.actions, args.lines_per_action)
    for line in new_plan.tables["budget"][:100]:
        line["planned"] = line["planned"] + 10
    actions = new_plan.tables["actions"]
    new_plan.tables["actions"] = actions[10:] + [dict(actions[0], id=f"B{i:05d}") for i in range(10)]
    new = build_workbook(new_plan, folder / "new.xlsx", lang="en", runtime="native", template=False)
    print(f"two plans of {args.actions} actions and {args.actions * args.lines_per_action} budget lines "
          f"({old.stat().st_size / 2**20:.1f} MiB each)")

    start = time.perf_counter()
    result = diff(old, new, lang="en")
    ours = time.perf_counter() - start
    rows = result.to_dict()["rows"]
    assert len(rows["actions"]["added"]) == 10 and len(rows["actions"]["removed"]) == 10, rows["actions"].keys()
    assert len(rows["budget_lines"]["changed"]) == 100
    print(f"{'mplan_xl.year.diff.diff (API)':<44} {ours:7.2f} s  ({result.count()} differences)")

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mplan_xl.cli", "diff", str(old), str(new), "--format", "json",
                           "-o", str(folder / "diff.json")], capture_output=True, text=True)
    cli = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    assert proc.returncode == 1, proc.stderr
    print(f"{'mplan-xl diff --format json (fresh process)':<44} {cli:7.2f} s  ({cpu:.2f} s of CPU, both processes)")

    start = time.perf_counter()
    for path in (old, new):
        openpyxl_values(path)
    base = time.perf_counter() - start
    print(f"{'openpyxl read-only, values of both files':<44} {base:7.2f} s")
    print(f"target < 5 s: {'met' if cli < 5 else 'MISSED'} (elapsed time depends on what else the cores run)")


if __name__ == "__main__":
    main()
