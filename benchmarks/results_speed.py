"""Speed of ``results`` on a 1,000,000-row export, beside a bare ``pandas.read_csv`` of the same file.

Generates (once, ``--folder`` keeps it) the demo plan and a Google Ads campaign report of ``--rows`` rows, as the
French interface downloads it (title and date-range lines, ``;`` separator, decimal commas, narrow no-break space
thousands, totals lines), over the demo's campaign codes and others that match no action. Each measure runs in a
fresh process:

* mplan-xl: read the export (recognised, every value checked) and match it to the plan's actions;
* mplan-xl, the whole command: read the plan, the export, match, write the copy and the JSON report;
* pandas ``read_csv`` of the same file: a bare read (no check, no matching), numbers left as text since pandas
  does not read ``1 234,56``.

Each is given in wall-clock and in CPU time (``time.process_time``): on a machine shared with other work the CPU
time is the fair comparison.

Usage:
    python benchmarks/results_speed.py                      # 1,000,000 rows
    python benchmarks/results_speed.py --rows 200000 --folder /tmp/results
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

MEASURES = {
    "mplan-xl read + match": """
from mplan_xl.year.exports import read_export
from mplan_xl.year.results import match_exports
from mplan_xl.year.results_workbook import plan_actions, read_results_plan
actions = plan_actions(read_results_plan(PLAN))
cpu_start, start = time.process_time(), time.perf_counter()
match_exports([read_export(EXPORT)], actions, year=YEAR)
""",
    "mplan-xl results (whole command)": """
from mplan_xl.year.results_workbook import import_results
cpu_start, start = time.process_time(), time.perf_counter()
import_results(PLAN, [EXPORT], OUT, report=REPORT, force=True)
""",
    "pandas.read_csv (bare)": """
import pandas
cpu_start, start = time.process_time(), time.perf_counter()
pandas.read_csv(EXPORT, sep=";", skiprows=2, encoding="utf-8-sig")
""",
}

RUNNER = """
import json, time
PLAN, EXPORT, OUT, REPORT, YEAR = {paths!r}
cpu_start = time.process_time()
{body}
print(json.dumps({{"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu_start}}))
"""


def prepare(folder: Path, rows: int, year: int) -> tuple[Path, Path]:
    from mplan_xl import demo_workbook
    from mplan_xl.workbook.demo import demo_plan

    folder.mkdir(parents=True, exist_ok=True)
    plan, export = folder / f"plan-{year}.xlsx", folder / f"google-ads-{rows}.csv"
    if not plan.exists():
        demo_workbook(plan, year=year)
    if not export.exists():
        codes = [row["campaign"] for row in demo_plan(year=year).rows("actions") if row.get("campaign")]
        campaigns = codes + [f"campagne-hors-plan-{n}" for n in range(40)]
        rng = random.Random(20)
        nn = "\u202f"

        def amount(cents: int) -> str:
            whole, rest = divmod(cents, 100)
            return f"{whole:,}".replace(",", nn) + f",{rest:02d}"

        with export.open("w", encoding="utf-8-sig", newline="") as out:
            out.write(f"Rapport sur les campagnes\n1 janvier {year} - 31 décembre {year}\n")
            out.write("État de la campagne;Campagne;Jour;Code de la devise;Coût;Impr.;Clics;Conversions;"
                      "Valeur de conv.\n")
            for _ in range(rows):
                day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                out.write(f"Activée;{rng.choice(campaigns)};{day};EUR;{amount(rng.randint(0, 250_000))};"
                          f"{rng.randint(0, 40_000)};{rng.randint(0, 900)};{rng.randint(0, 40)},{rng.randint(0, 9)};"
                          f"{amount(rng.randint(0, 900_000))}\n")
            out.write("Total : compte;;;EUR;0,00;0;0;0;0,00\n")
    return plan, export


def measure(body: str, paths: tuple) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", RUNNER.format(paths=paths, body=body)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measure; the best is shown")
    args = parser.parse_args()
    year = 2027
    folder = args.folder or Path(tempfile.mkdtemp(prefix="mplan-results-"))
    plan, export = prepare(folder, args.rows, year)
    print(f"export: {args.rows:,} rows, {export.stat().st_size / 2**20:.0f} MiB ({export})")
    paths = (str(plan), str(export), str(folder / "plan-resultats.xlsx"), str(folder / "resultats.json"), year)
    results = {}
    for label, body in MEASURES.items():
        runs = [measure(body, paths) for _ in range(args.repeat)]
        results[label] = {key: min(run[key] for run in runs) for key in ("seconds", "cpu")}
        print(f"{label:<36} {results[label]['seconds']:6.2f} s   CPU {results[label]['cpu']:6.2f} s")
    ours, bare = results["mplan-xl read + match"], results["pandas.read_csv (bare)"]
    print(f"read + match / pandas.read_csv: {ours['seconds'] / bare['seconds']:.2f}x wall-clock, "
          f"{ours['cpu'] / bare['cpu']:.2f}x CPU (goal: under 10 s and within 3x)")


if __name__ == "__main__":
    main()
