"""BI export speed: the views of 200 consolidated plans written as Parquet (``mplan-xl export DB --parquet DIR``).

The 200 demo workbooks of ``consolidate_speed.py`` (generated once; ``--folder`` keeps them) are loaded into
DuckDB, and into PostgreSQL when a server is at hand (``--postgres URI``, or a throwaway cluster started by
``.ci/postgres-cluster``). Then it times, for each engine, the export of ``bi_plans``, ``bi_budget_lines`` and
``bi_budget_months`` to Parquet, beside a baseline measured in the same run: the same views read into pandas
and written as CSV (the plain route a script would take). Target: under 5 s for 200 plans.

Usage:
    python benchmarks/export_speed.py                 # 200 plans in a temporary folder
    python benchmarks/export_speed.py --files 50 --folder /tmp/plans
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from consolidate_speed import generate, postgres

from mplan_xl.portfolio.bi_views import BI_VIEWS, export_parquet
from mplan_xl.portfolio.consolidate import connect, consolidate


def baseline(db: str, folder: Path) -> float:
    """Seconds to read the views into pandas and write them as CSV."""
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with connect(db, read_only=True) as con:
        for name in BI_VIEWS:
            con.frame(f"SELECT * FROM {name}").to_csv(folder / f"{name}.csv", index=False)
    return time.perf_counter() - start


def ours(db: str, folder: Path) -> tuple[float, int]:
    """Seconds to export the views to Parquet (opening the database included), and the rows of the months view."""
    start = time.perf_counter()
    con = connect(db)
    try:
        export_parquet(con, folder, force=True)
        rows = con.rows("SELECT count(*) FROM bi_budget_months")[0][0]
    finally:
        con.close()
    return time.perf_counter() - start, rows


def measure(label: str, db: str, tmp: Path, plans: int) -> None:
    seconds, rows = ours(db, tmp / f"parquet-{label}")
    csv = baseline(db, tmp / f"csv-{label}")
    verdict = "OK" if seconds < 5 else "OVER 5 s"
    print(f"{label:<11} {plans} plans, {rows} plan x line x month rows: Parquet {seconds:6.2f} s ({verdict}); "
          f"baseline pandas read + CSV {csv:6.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--folder", type=Path, default=None, help="Keep the generated workbooks here.")
    parser.add_argument("--postgres", default=None, help="An empty PostgreSQL database to load into (URI).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        folder = args.folder or tmp / "plans"
        generate(folder, args.files)
        files = sorted(folder.glob("plan-*.xlsx"))[: args.files]
        duck = str(tmp / "plans.duckdb")
        consolidate(files, duck)
        measure("DuckDB", duck, tmp, len(files))
        with postgres(args.postgres) as uri:
            if uri:
                consolidate(files, uri)
                measure("PostgreSQL", uri, tmp, len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
