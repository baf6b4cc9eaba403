"""Speed and memory of ``actuals`` on a large FEC, beside pandas and DuckDB reading the same file.

Generates (once, ``--folder`` keeps it) the demo plan and a FEC of about
``--lines`` lines: the demo company's marketing invoices plus ordinary pieces
(sales, rent, energy, purchases), as :mod:`mplan_xl.workbook.demo_fec` writes them.
Each measure runs in a fresh process, so its peak memory is its own:

* mplan-xl: read the FEC (every line checked) and match it to the plan's budget lines;
* mplan-xl, the whole command: read the plan, the FEC, match, write the copy and the JSON report;
* pandas ``read_csv`` of the same file, every column as text (a bare read: no check, no matching);
* DuckDB ``read_csv`` of the same file, every column as text, fetched into Python.

Usage:
    python benchmarks/actuals_speed.py                      # 1,000,000 lines
    python benchmarks/actuals_speed.py --lines 200000 --folder /tmp/fec
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

MEASURES = {
    "mplan-xl read + match": """
from mplan_xl.year.fec import read_fec
from mplan_xl.year.actuals import match_entries
from mplan_xl.year.actuals_workbook import budget_lines, read_plan
lines = budget_lines(read_plan(PLAN))
start, cpu = time.perf_counter(), time.process_time()
fec = read_fec(FEC)
match_entries(fec.entries, lines, year=YEAR, other_lines=fec.other_lines)
""",
    "mplan-xl actuals (whole command)": """
from mplan_xl.year.actuals_workbook import import_actuals
start, cpu = time.perf_counter(), time.process_time()
import_actuals(PLAN, FEC, OUT, report=REPORT, force=True)
""",
    "pandas.read_csv (text columns)": """
import pandas
start, cpu = time.perf_counter(), time.process_time()
pandas.read_csv(FEC, sep="\\t", dtype=str, keep_default_na=False)
""",
    "duckdb read_csv (text columns)": """
import duckdb
start, cpu = time.perf_counter(), time.process_time()
duckdb.sql(f"SELECT * FROM read_csv('{FEC}', delim='\\t', header=true, all_varchar=true)").fetchall()
""",
}

RUNNER = """
import json, resource, time
PLAN, FEC, OUT, REPORT, YEAR = {paths!r}
{body}
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
try:   # this process's own peak: ru_maxrss may keep the high-water mark of the process it was forked from
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "cpu": cpu, "peak_mib": peak}}))
"""


def prepare(folder: Path, lines: int, year: int) -> tuple[Path, Path]:
    from mplan_xl import demo_workbook
    from mplan_xl.workbook.demo import demo_plan
    from mplan_xl.workbook.demo_fec import write_demo_fec

    folder.mkdir(parents=True, exist_ok=True)
    plan, fec = folder / f"plan-{year}.xlsx", folder / f"fec-{lines}.txt"
    if not plan.exists():
        demo_workbook(plan, year=year)
    if not fec.exists():
        # An ordinary piece is 2 (sale) or 5 (invoice and payment) lines: 4 on average.
        write_demo_fec(demo_plan(year=year), fec, extra_pieces=lines // 4)
    return plan, fec


def measure(body: str, paths: tuple) -> dict[str, float]:
    code = RUNNER.format(paths=paths, body=body)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure; the best is shown")
    args = parser.parse_args()
    year = 2027
    folder = args.folder or Path(tempfile.mkdtemp(prefix="mplan-fec-"))
    plan, fec = prepare(folder, args.lines, year)
    total = sum(1 for _ in fec.open("rb")) - 1
    print(f"FEC: {total:,} lines, {fec.stat().st_size / 2**20:.0f} MiB ({fec})")
    paths = (str(plan), str(fec), str(folder / "plan-actuals.xlsx"), str(folder / "report.json"), year)
    results = {}
    for label, body in MEASURES.items():
        runs = [measure(body, paths) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        results[label] = best
        print(f"{label:<36} {best['seconds']:6.2f} s   CPU {best['cpu']:6.2f} s   peak {best['peak_mib']:6.0f} MiB")
    ours = results["mplan-xl read + match"]["seconds"]
    cpu = results["mplan-xl read + match"]["cpu"] / results["pandas.read_csv (text columns)"]["cpu"]
    print(f"read + match / pandas.read_csv: {ours / results['pandas.read_csv (text columns)']['seconds']:.2f}x "
          f"(CPU: {cpu:.2f}x, goal <= 3x, 1,000,000 entries < 5 s); "
          f"whole command: {results['mplan-xl actuals (whole command)']['seconds']:.2f} s")


if __name__ == "__main__":
    main()
