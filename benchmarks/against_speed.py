"""How much `mplan-xl check --against APPROVED` costs beside a plain `check` of the same files.

    python benchmarks/against_speed.py [--files 200] [--jobs 2]

N demo workbooks (different companies; one line in three moved, a transfer in one plan in two) are checked
as a batch twice in the same run: a plain ``check`` (the baseline), then ``check --against`` the approved demo.
The goal (issue 23): ``check --against`` at most twice the plain check.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from mplan_xl.check.validator import check
from mplan_xl.workbook.builder import build_workbook
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.year.against import check_against

from check_speed import timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mplan-against-bench-"))
    approved = build_workbook(demo_plan(lang="fr", year=2027), folder / "approved.xlsx")
    returned = folder / "returned"
    returned.mkdir()
    for i in range(args.files):
        plan = demo_plan(lang="fr", year=2027, company=f"Team {i}")
        lines = plan.rows("budget")
        if i % 2:   # a transfer of 100 from one line to another
            lines[i % len(lines)]["planned"] -= 100
            lines[(i + 7) % len(lines)]["planned"] += 100
        build_workbook(plan, returned / f"plan-{i:03d}.xlsx")
    plain = timed(lambda: check([returned], lang="fr", jobs=args.jobs))
    against = timed(lambda: check_against([returned], approved, lang="fr", jobs=args.jobs))
    print(f"{args.files} plans, --jobs {args.jobs}")
    print(f"  check (baseline)       {plain:7.2f} s  ({plain / args.files * 1000:6.1f} ms/plan)")
    print(f"  check --against        {against:7.2f} s  ({against / args.files * 1000:6.1f} ms/plan)")
    print(f"  ratio                  {against / plain:7.2f}  (goal: at most 2)")


if __name__ == "__main__":
    main()
