"""Every figure of issue 22's table, each beside its baseline measured in the same run, on this machine's cores.

    python benchmarks/speed_table.py                       # everything (about 5 minutes on 2 cores)
    python benchmarks/speed_table.py --folder /tmp/plans   # keep the 200 generated plans for the next run
    python benchmarks/speed_table.py --skip fec,consolidate,large

1. ``check_file`` on one demo plan, in-process (read + locate + every rule), against a raw python-calamine read of
   all its sheets: CPU time of each, interleaved, best and median of ``--repeat`` runs (CPU time, since the
   machine may be shared: wall time is printed for the batch figures, where the cores are what is measured).
2. 200 demo plans (different teams, years, languages), the whole ``mplan-xl check`` process (start-up, every file,
   the JSON report) with ``--jobs 1`` and ``--jobs 2``, against openpyxl loading each file twice (formulas, then
   cached values) as an openpyxl-based validator must: measured on ``--openpyxl-sample`` files and scaled to 200
   (``--openpyxl-sample 200`` measures them all).
3. 1,000 distinct plans (each of the 200 with one figure typed differently, ``benchmarks/many_plans.py``) with
   ``--jobs 2``: goal 5 s; without the result cache, then cold (an empty cache: every file read and stored) and
   warm (the same folder again: what a controller re-running ``check`` meets), wall and CPU time, each with the
   load average of the moment.
4. ``mplan-xl --version``, and what ``check`` imports (no pandas, DuckDB, XlsxWriter).
5. Growth: one plan of 1,000 / 5,000 / 10,000 actions with 5 budget lines each (up to 10,000 actions and 50,000
   budget lines), each checked in a fresh process: time, cost per row, peak resident memory; and the peak of a
   check worker on a demo plan (goal 150 MiB).
6. ``actuals`` on a FEC of 1,000,000 entries against ``pandas.read_csv`` (``benchmarks/actuals_speed.py``).
7. ``consolidate`` of the 200 plans into DuckDB and PostgreSQL (``benchmarks/consolidate_speed.py``; PostgreSQL
   through ``.ci/postgres-cluster``, skipped with its reason when no server can start).
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
ENV = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           MPLAN_XL_CACHE_DIR=tempfile.mkdtemp(prefix="mplan-bench-cache-"))   # never the user's result cache
# The commands start as an installed package does, from bytecode compiled once (pip compiles at install; a
# checkout compiles on its first run), not compiling every module at every start as a machine that sets
# PYTHONDONTWRITEBYTECODE would make them (0.1-0.2 s of CPU per process): main() compiles them first.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)


#: CPU seconds (user + system) of the last :func:`cli` process and its workers: what a shared machine does not
#: inflate as it inflates wall time.
LAST_CPU = [0.0]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli(*args: str) -> float:
    """Wall seconds of one ``mplan-xl`` process (``python -m mplan_xl.cli``); its CPU seconds in :data:`LAST_CPU`."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mplan_xl.cli", *args], env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    LAST_CPU[0] = _children_cpu() - cpu
    if done.returncode not in (0, 1):   # 1: some plan has errors (the demo's seeded ones are not there)
        raise SystemExit(f"mplan-xl {' '.join(args)} failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds


def in_process(plan: Path, repeat: int) -> None:
    from python_calamine import CalamineWorkbook

    from mplan_xl.check.validator import check_file

    def raw() -> None:
        wb = CalamineWorkbook.from_path(str(plan))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()

    check_file(plan)
    ours, base = [], []
    for _ in range(repeat):
        for func, into in ((lambda: check_file(plan), ours), (raw, base)):
            start = time.process_time()
            func()
            into.append(time.process_time() - start)
    best, median = min(ours) / min(base), statistics.median(ours) / statistics.median(base)
    print(f"{'check_file, demo plan (CPU ms: best / median)':<52} {min(ours) * 1e3:7.1f} / {statistics.median(ours) * 1e3:6.1f}")
    print(f"{'python-calamine, all sheets (CPU ms)':<52} {min(base) * 1e3:7.1f} / {statistics.median(base) * 1e3:6.1f}")
    print(f"{'ratio (goal <= 2x)':<52} {best:7.2f}x / {median:5.2f}x")


def batch(files: list[Path], folder: Path, sample: int) -> None:
    from baselines import read_openpyxl

    report = folder / "report.json"
    n = len(files)
    chosen = files[:sample]
    # openpyxl between our two runs, so all three meet the same load of the machine
    one = cli("check", str(files[0].parent), "--jobs", "1", "-o", str(report), "--force", "--no-cache")
    one_cpu = LAST_CPU[0]
    cpu, start = time.process_time(), time.perf_counter()
    for path in chosen:
        read_openpyxl(path)
    openpyxl = (time.perf_counter() - start) / len(chosen) * n
    openpyxl_cpu = (time.process_time() - cpu) / len(chosen) * n
    two = cli("check", str(files[0].parent), "--jobs", "2", "-o", str(report), "--force", "--no-cache")
    two_cpu = LAST_CPU[0]
    scaled = "" if len(chosen) == n else f" (measured on {len(chosen)}, scaled)"
    print(f"{'':<52} {'wall':>7}    {'CPU':>7}")
    print(f"{f'openpyxl, two loads of each of {n} plans':<52} {openpyxl:7.1f} s  {openpyxl_cpu:7.1f} s{scaled}")
    print(f"{f'mplan-xl check --jobs 1, {n} plans, whole process':<52} {one:7.2f} s  {one_cpu:7.2f} s  "
          f"{openpyxl / one:5.1f}x faster wall, {openpyxl_cpu / one_cpu:5.1f}x CPU (goal >= 15x)")
    print(f"{f'mplan-xl check --jobs 2, {n} plans, whole process':<52} {two:7.2f} s  {two_cpu:7.2f} s  "
          f"{n / two:5.0f} plans/s wall, {n / two_cpu * 2:5.0f} plans/s on 2 free cores (CPU)")


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def thousand(files: list[Path], folder: Path, count: int) -> None:
    from many_plans import distinct_copies

    many = folder / f"many-{count}"
    distinct_copies(files, many, count)
    cache = Path(ENV["MPLAN_XL_CACHE_DIR"])
    shutil.rmtree(cache, ignore_errors=True)
    report = str(folder / "report-many.json")
    print(f"{'':<52} {'wall':>7}    {'CPU':>7}   ({os.cpu_count()} cores)")
    for label, options in ((f"check --jobs 2, {count} plans, no cache", ["--no-cache"]),
                           (f"check --jobs 2, {count} plans, cold cache", []),
                           (f"check --jobs 2, {count} plans, warm cache", []),
                           (f"check --jobs 2, {count} plans, warm cache", [])):
        load = _load()
        seconds = cli("check", str(many), "--jobs", "2", "-o", report, "--force", *options)
        print(f"{label:<52} {seconds:7.2f} s  {LAST_CPU[0]:7.2f} s  {count / seconds:6.0f} plans/s wall; "
              f"CPU / 2 cores {LAST_CPU[0] / 2:.2f} s (goal 5 s); {load} before, {_load()} after")


def startup() -> None:
    runs = sorted(cli("--version") for _ in range(5))
    bare = sorted(_python_bare() for _ in range(5))
    print(f"{'mplan-xl --version (best of 5)':<52} {runs[0]:7.3f} s  (python -c pass: {bare[0]:.3f} s)")
    code = ("import sys, mplan_xl.cli as c\ntry:\n    c.main(['check', sys.argv[1], '-o', sys.argv[2], '--force'])\n"
            "except SystemExit:\n    pass\nprint(sorted(m for m in ('pandas', 'duckdb', 'xlsxwriter', 'openpyxl') "
            "if m in sys.modules))")
    return code


def _python_bare() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def imports(plan: Path, folder: Path, code: str) -> None:
    done = subprocess.run([sys.executable, "-c", code, str(plan), str(folder / "one.json")], env=ENV,
                          capture_output=True, text=True, check=True)
    print(f"{'heavy modules loaded by check':<52} {done.stdout.strip().splitlines()[-1]}")


CHILD = """
import sys, time
from mplan_xl.check.validator import check_file
start, cpu = time.perf_counter(), time.process_time()
check_file(sys.argv[1], lang="en")
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
print(seconds, cpu, peak)
"""


def fresh_check(path: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak resident MiB) of ``check_file`` on *path* in a fresh process."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], env=ENV, capture_output=True, text=True, check=True)
    seconds, cpu, peak = done.stdout.split()
    return float(seconds), float(cpu), float(peak)


def growth(folder: Path, demo: Path) -> None:
    from check_speed import big_plan

    from mplan_xl.workbook.builder import build_workbook

    seconds, cpu, peak = fresh_check(demo)
    print(f"{'one check worker on a demo plan: peak memory':<52} {peak:7.0f} MiB (goal <= 150 MiB), {seconds:.3f} s")
    print(f"{'':<52} {'wall':>7}    {'CPU':>7}")
    for actions in (1000, 5000, 10000):
        path = folder / f"big-{actions}.xlsx"
        if not path.exists():
            build_workbook(big_plan(actions), path, lang="en", template=False, force=True)
        seconds, cpu, peak = fresh_check(path)
        rows = actions * 6
        label = f"{actions:,} actions + {actions * 5:,} budget lines"
        print(f"{label:<52} {seconds:7.2f} s  {cpu:7.2f} s  {cpu / rows * 1e6:5.1f} µs/row (CPU)  peak {peak:4.0f} MiB")


def script(name: str, *args: str) -> None:
    print(f"-- benchmarks/{name} {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, str(HERE / name), *args], env=ENV, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--many", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--openpyxl-sample", type=int, default=20)
    parser.add_argument("--fec-lines", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=None, help="keep the generated plans here")
    parser.add_argument("--skip", default="", help="comma-separated: batch, many, large, fec, consolidate")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(SRC))
    from consolidate_speed import generate

    compileall.compile_dir(SRC / "mplan_xl", quiet=1)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="mplan-speed-"))
    plans = folder / "plans"
    generate(plans, args.files)
    files = sorted(plans.glob("plan-*.xlsx"))[: args.files]
    print(f"mplan-xl speed table, {dt.datetime.now():%Y-%m-%d %H:%M}, python {sys.version.split()[0]}, "
          f"{os.cpu_count()} core(s), load average {os.getloadavg()[0]:.1f}; plans in {folder}")
    print("== 1. one plan, in-process")
    in_process(files[1], args.repeat)
    if "batch" not in skip:
        print(f"== 2. {len(files)} plans, whole process")
        batch(files, folder, args.openpyxl_sample)
    if "many" not in skip:
        print(f"== 3. {args.many} plans")
        thousand(files, folder, args.many)
    print("== 4. start-up and imports")
    imports(files[1], folder, startup())
    if "large" not in skip:
        print("== 5. growth and memory (fresh process each)")
        growth(folder, files[1])
    if "fec" not in skip:
        print("== 6. FEC")
        script("actuals_speed.py", "--lines", str(args.fec_lines), "--repeat", "1", "--folder", str(folder / "fec"))
    if "consolidate" not in skip:
        print("== 7. consolidate")
        script("consolidate_speed.py", "--files", str(args.files), "--folder", str(plans))
    if not args.folder:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
