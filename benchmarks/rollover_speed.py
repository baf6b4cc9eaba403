"""Rollover speed: next year's plan from a filled demo plan, beside openpyxl merely loading the same source.

    python benchmarks/rollover_speed.py [--runs 10]

Times :func:`mplan_xl.year.rollover.rollover` (check of the source, its plan read,
next year's workbook written, the new workbook checked) on the demo plan,
median of ``--runs`` runs, and openpyxl loading the source once (formulas and
cached values), the baseline any openpyxl-based tool starts from.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

import mplan_xl
from mplan_xl.year.rollover import rollover


def median_seconds(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "plan-2027.xlsx"
        mplan_xl.demo_workbook(source, company="Atelier Lumen", year=2027, lang="fr", runtime="native")
        target = Path(tmp) / "plan-2028.xlsx"
        ours = median_seconds(args.runs, lambda: rollover(source, target, force=True))

        def load_openpyxl() -> None:
            openpyxl.load_workbook(source)
            openpyxl.load_workbook(source, data_only=True)

        baseline = median_seconds(args.runs, load_openpyxl)
    print(f"mplan-xl rollover (check, read, write, check)   {ours * 1000:7.1f} ms")
    print(f"openpyxl load of the source (formulas + values)  {baseline * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
