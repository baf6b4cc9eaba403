"""Reading speed of :mod:`mplan_xl.read.reader` against openpyxl, side by side.

``check`` must read a typical filled plan more than ten times faster than an
openpyxl-based reader, handle at least 50 typical workbooks a second on two
processes, and read a plan of 10,000 actions and 50,000 budget lines in well
under 5 s within 500 MB. This script measures each claim on workbooks it
builds in a temporary folder:

* typical plans: the demo workbooks of :func:`mplan_xl.demo_workbook` when the
  builder works, otherwise plan-shaped XlsxWriter workbooks of similar shape
  (``tests/hostile.py``: ten sheets, six tables of 15-60 rows x 10-16
  columns, about a quarter of the table cells formulas);
* a large plan (10,000 actions, 50,000 budget lines) and a tenth of it, to
  show that time grows linearly with rows.

"Our read" is :func:`~mplan_xl.read.reader.read_workbook` plus ``values`` and
``formulas`` of every sheet; "openpyxl" is ``load_workbook`` (formulas) plus
``load_workbook(data_only=True)`` (cached values), each cell visited. The
large file is read in a fresh process per reader, so its peak resident memory
(``ru_maxrss``, which counts python-calamine's native allocations too) is its
own. No test asserts these timings; run it and read the table.

Usage:
    python benchmarks/reader_speed.py            # everything (about a minute)
    python benchmarks/reader_speed.py --quick    # typical files only
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # hostile.plan_workbook, the XlsxWriter fallback

from mplan_xl.read.reader import read_workbook  # noqa: E402


def read_ours(path: str | Path) -> int:
    """Values and formulas of every sheet; returns the number of formula cells (so nothing is optimised away)."""
    raw = read_workbook(path)
    count = 0
    for sheet in raw.sheet_names:
        raw.values(sheet)
        count += len(raw.formulas(sheet))
    raw.close()
    return count


def read_openpyxl(path: str | Path) -> int:
    """The same content through openpyxl: formulas from a normal load, values from a data_only load."""
    import openpyxl

    count = 0
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            count += sum(1 for v in row if isinstance(v, str) and v.startswith("="))
    wb.close()
    wb = openpyxl.load_workbook(path, data_only=True)
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            pass
    wb.close()
    return count


READERS = {"ours": read_ours, "openpyxl": read_openpyxl}


def typical_files(folder: Path) -> tuple[list[Path], str]:
    """Typical filled plans, and where they come from."""
    try:
        import mplan_xl

        files = [mplan_xl.demo_workbook(folder / f"demo-{lang}.xlsx", lang=lang) for lang in ("fr", "en")]
        files += [mplan_xl.new_workbook(folder / "template-fr.xlsx", lang="fr", year=2027)]
        return files, "mplan_xl.demo_workbook / new_workbook"
    except Exception as exc:  # the builder is not usable in this checkout: build look-alikes
        import hostile

        shapes = [(20, 30), (30, 45), (45, 60), (60, 60)]
        files = [hostile.plan_workbook(folder / f"plan-{a}x{b}.xlsx", actions=a, budget_lines=b) for a, b in shapes]
        return files, f"XlsxWriter look-alikes (builder unavailable: {type(exc).__name__})"


def table_rows(path: Path) -> int:
    raw = read_workbook(path)
    return sum(t.last_row - t.first_row for t in raw.tables.values())


def best_time(func, path: Path, repeat: int) -> float:
    func(path)  # warm up: imports, caches, page cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def throughput(paths: list[Path], jobs: int, seconds: float = 2.0) -> float:
    """Files read per second by *jobs* processes (values + formulas), pool start-up excluded."""
    batch = [str(p) for p in paths] * max(1, int(40 / len(paths)))
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(read_ours, batch[:jobs * 2])  # warm the workers up
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            pool.map(read_ours, batch, chunksize=4)
            done += len(batch)
        return done / (time.perf_counter() - start)


def measure_in_child(reader: str, path: Path) -> dict:
    """Run one reader on *path* in a fresh process: seconds and peak resident memory (MiB)."""
    out = subprocess.run([sys.executable, __file__, "--measure", reader, str(path)], capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(reader: str, path: str) -> None:
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    formulas = READERS[reader](path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024, "baseline_mib": baseline / 1024,
                      "formulas": formulas}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="typical files only, no large plan")
    parser.add_argument("--repeat", type=int, default=7, help="timed reads per typical file (median kept)")
    parser.add_argument("--measure", nargs=2, metavar=("READER", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(*args.measure)
        return

    with tempfile.TemporaryDirectory(prefix="mplan-reader-bench-") as tmp:
        folder = Path(tmp)
        files, origin = typical_files(folder)
        print(f"Typical plans: {origin}; median of {args.repeat} reads (values + formulas of every sheet)")
        print(f"{'file':<24}{'KiB':>7}{'rows':>7}{'ours ms':>10}{'openpyxl ms':>13}{'ratio':>8}")
        ours_all, theirs_all = [], []
        for path in files:
            ours = best_time(read_ours, path, args.repeat)
            theirs = best_time(read_openpyxl, path, max(2, args.repeat // 3))
            ours_all.append(ours)
            theirs_all.append(theirs)
            print(f"{path.name:<24}{path.stat().st_size / 1024:>7.0f}{table_rows(path):>7}{ours * 1000:>10.1f}"
                  f"{theirs * 1000:>13.1f}{theirs / ours:>7.1f}x")
        print(f"{'mean':<38}{statistics.mean(ours_all) * 1000:>10.1f}{statistics.mean(theirs_all) * 1000:>13.1f}"
              f"{statistics.mean(theirs_all) / statistics.mean(ours_all):>7.1f}x")
        one = throughput(files, 1)
        two = throughput(files, 2)
        print(f"throughput, ours: {one:.0f} files/s on 1 process, {two:.0f} files/s on 2 processes; "
              f"openpyxl: {1 / statistics.mean(theirs_all):.1f} files/s on 1 process")
        if args.quick:
            return

        import hostile

        print("\nLarge plans (fresh process per read; peak = max resident memory of that process)")
        print(f"{'plan':<28}{'MiB':>6}{'ours s':>9}{'peak MiB':>10}{'openpyxl s':>12}{'peak MiB':>10}{'ratio':>8}")
        ours_times = {}
        for actions, lines in ((1_000, 5_000), (10_000, 50_000)):
            path = hostile.plan_workbook(folder / f"large-{actions}.xlsx", actions=actions, budget_lines=lines)
            ours = measure_in_child("ours", path)
            theirs = measure_in_child("openpyxl", path)
            assert ours["formulas"] == theirs["formulas"], (ours, theirs)
            ours_times[actions + lines] = ours["seconds"]
            label = f"{actions:,} actions, {lines:,} lines"
            print(f"{label:<28}{path.stat().st_size / 2**20:>6.1f}{ours['seconds']:>9.2f}{ours['peak_mib']:>10.0f}"
                  f"{theirs['seconds']:>12.2f}{theirs['peak_mib']:>10.0f}"
                  f"{theirs['seconds'] / ours['seconds']:>7.1f}x")
        small, large = sorted(ours_times)
        print(f"linearity: {large / small:.0f}x the rows took {ours_times[large] / ours_times[small]:.1f}x the time")


if __name__ == "__main__":
    main()
