"""How fast `mplan-xl check` is, beside an openpyxl reader of the same files.

    python benchmarks/check_speed.py [--files 100] [--large] [--jobs 2]

1. Typical plans: N demo workbooks (different companies), checked one by one
   in-process (our whole check: read + every rule) against openpyxl merely
   *reading* the same files (formulas, then cached values): the baseline any
   openpyxl-based validator starts from. Then the batch with --jobs 1 and 2,
   and with the result cache, cold (every file stored) and warm.
2. Growth: plans of 1k, 5k and 10k actions (5 budget lines each), time per row.
3. With --large: one plan of 10,000 actions and 50,000 budget lines, checked
   in a fresh process, its time and peak memory (resident set size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


import mplan_xl
from mplan_xl.workbook.builder import build_workbook
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.check.cache import ResultCache
from mplan_xl.check.validator import check, check_file

from baselines import read_openpyxl


def big_plan(actions: int, lines_per_action: int = 5, year: int = 2027):
    """The demo plan grown to *actions* actions, each with *lines_per_action* budget lines."""
    plan = demo_plan(lang="en", year=year)
    template_action = plan.rows("actions")[0]
    template_line = plan.rows("budget")[0]
    plan.tables["actions"] = [dict(template_action, id=f"A{i:05d}", title=f"Action {i}") for i in range(actions)]
    plan.tables["budget"] = [dict(template_line, id=f"L{i:06d}", action_id=f"A{i // lines_per_action:05d}",
                                  planned=100.0 + i % 50, actual=90.0 + i % 40)
                             for i in range(actions * lines_per_action)]
    plan.tables["budget_months"] = []   # the demo's monthly rows belong to its own lines
    plan.identity.envelope = None
    return plan


def peak_rss_mib() -> float:
    """This process's peak resident set size. Linux's VmHWM belongs to the program, where ``ru_maxrss`` would keep
    the high-water mark of the benchmark process this one was forked from."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--large", action="store_true", help="also the 10,000-action / 50,000-line plan")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # measure one check in a fresh process: time and peak memory
        elapsed = timed(lambda: check_file(args.child, lang="en"))
        peak_mib = peak_rss_mib()
        print(f"{elapsed:.3f} {peak_mib:.0f}")
        return

    folder = Path(tempfile.mkdtemp(prefix="mplan-check-bench-"))
    paths = [mplan_xl.demo_workbook(folder / f"plan-{i:03d}.xlsx", company=f"Team {i}", year=2027, lang="fr")
             for i in range(args.files)]
    sample = paths[: min(20, len(paths))]
    ours = [timed(lambda p=p: check_file(p)) for p in sample]
    base = [timed(lambda p=p: read_openpyxl(p)) for p in sample]
    ours_ms, base_ms = statistics.median(ours) * 1000, statistics.median(base) * 1000
    print("== typical plan (demo workbook, median per file)")
    print(f"{'mplan-xl check (read + all rules)':<40} {ours_ms:8.1f} ms")
    print(f"{'openpyxl read only (formulas + values)':<40} {base_ms:8.1f} ms")
    print(f"{'ratio':<40} {base_ms / ours_ms:8.1f} x")
    print(f"== batch of {len(paths)} files")
    for jobs in (1, 2):
        elapsed = timed(lambda j=jobs: check(paths, jobs=j))
        print(f"{'check --jobs ' + str(jobs):<40} {len(paths) / elapsed:8.1f} files/s")
    cache_dir = Path(tempfile.mkdtemp(prefix="mplan-check-bench-cache-"))
    for run in ("cold", "warm"):   # the result cache (never the user's): every file stored, then every file served
        cache, _, _ = ResultCache.open({"lang": "fr"}, folder=cache_dir)
        elapsed = timed(lambda: check(paths, jobs=2, cache=cache))
        print(f"{'check --jobs 2, ' + run + ' result cache':<40} {len(paths) / elapsed:8.1f} files/s "
              f"(load {os.getloadavg()[0]:.1f})")
    elapsed = timed(lambda: [read_openpyxl(p) for p in paths[:20]])
    print(f"{'openpyxl read, 1 process':<40} {20 / elapsed:8.1f} files/s")

    print("== growth with rows (in-process check)")
    for actions in (1000, 5000, 10000):
        path = folder / f"big-{actions}.xlsx"
        build_workbook(big_plan(actions), path, lang="en", template=False, force=True)
        seconds = timed(lambda p=path: check_file(p, lang="en"))
        rows = actions * 6
        print(f"{actions:>6} actions + {actions * 5:>6} lines: {seconds:6.2f} s  ({seconds / rows * 1e6:5.1f} µs per row)")
    if args.large:
        path = folder / "big-10000.xlsx"
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True)
        seconds, peak = out.stdout.split()
        print(f"== 10,000 actions + 50,000 budget lines, fresh process: {float(seconds):.2f} s, peak RSS {peak} MiB")
    print(f"python {sys.version.split()[0]}, {dt.date.today()}, files in {folder}")


if __name__ == "__main__":
    main()
