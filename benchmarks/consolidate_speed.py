"""Consolidation speed: 200 demo workbooks into DuckDB and a portfolio workbook.

The workbooks are generated once into a folder (``--folder`` keeps them for
the next run), each the demo plan of a different team (``Équipe 001`` ...,
years 2026 to 2028, French and English), so 200 distinct plans are loaded.
Then it times, on the machine's cores:

* the first load into a new database, with the portfolio workbook;
* the same load again (every plan replaced by itself: the idempotent reload);
* the first load on one process, for comparison;
* with PostgreSQL (``--postgres URI``, or a throwaway cluster started by
  ``.ci/postgres-cluster`` when Debian's server binaries are installed): the
  first load of the same files into an empty database, and the reload
  (each plan its own transaction, rows sent with COPY); target >= 20 plans/s;

and prints files per second for each. Every file is fully checked by the
validator before it is loaded, so this is ``check`` plus the database load.

Usage:
    python benchmarks/consolidate_speed.py                 # 200 files in a temporary folder
    python benchmarks/consolidate_speed.py --files 50 --folder /tmp/plans
    python benchmarks/consolidate_speed.py --postgres postgresql://me@localhost/bench   # an empty database
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mplan_xl
from mplan_xl.portfolio.consolidate import consolidate, tables

YEARS = (2026, 2027, 2028)


def _build(args: tuple[Path, int]) -> None:
    folder, i = args
    path = folder / f"plan-{i:03d}.xlsx"
    if not path.exists():
        mplan_xl.demo_workbook(path, company=f"Équipe {i:03d}", year=YEARS[i % len(YEARS)],
                               lang="fr" if i % 2 else "en", runtime="native")


def generate(folder: Path, count: int) -> float:
    """Write the demo workbooks missing from *folder*; return the seconds it took."""
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with multiprocessing.Pool() as pool:
        pool.map(_build, [(folder, i) for i in range(count)])
    return time.perf_counter() - start


def timed(label: str, count: int, **kwargs) -> None:
    start = time.perf_counter()
    result = consolidate(**kwargs)
    seconds = time.perf_counter() - start
    assert len(result.loaded) == count and not result.skipped, (len(result.loaded), result.skipped[:1])
    print(f"{label:<44} {seconds:7.2f} s  {count / seconds:7.1f} files/s")


CLUSTER = Path(__file__).resolve().parent.parent / ".ci" / "postgres-cluster"


@contextlib.contextmanager
def postgres(uri: str | None):
    """The PostgreSQL URI to load into: the one given, or a throwaway cluster's fresh database (None if neither)."""
    if uri:
        yield uri
        return
    folder = tempfile.mkdtemp(prefix="mplan-pg-")
    started = subprocess.run([str(CLUSTER), "start", folder], capture_output=True, text=True)
    if started.returncode != 0:
        print(f"PostgreSQL: skipped ({started.stderr.strip()})")
        yield None
        return
    try:
        import psycopg

        admin = started.stdout.strip()
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute("CREATE DATABASE bench")
        yield admin.replace("/postgres?", "/bench?")
    finally:
        subprocess.run([str(CLUSTER), "stop", folder], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--folder", type=Path, default=None, help="Keep the generated workbooks here.")
    parser.add_argument("--postgres", default=None, help="An empty PostgreSQL database to load into (URI).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp) / "plans"
        built = generate(folder, args.files)
        files = sorted(folder.glob("plan-*.xlsx"))[: args.files]
        size = sum(f.stat().st_size for f in files) / len(files) / 1024
        print(f"{len(files)} demo workbooks ({size:.0f} KiB each) ready in {built:.1f} s; {os.cpu_count()} core(s)\n")
        db = Path(tmp) / "plans.duckdb"
        timed(f"first load + portfolio ({os.cpu_count()} processes)", len(files),
              paths=files, db=db, out=Path(tmp) / "portfolio.xlsx")
        timed("same files again (idempotent reload)", len(files), paths=files, db=db)
        frames = tables(db)
        timed("first load, one process", len(files), paths=files, db=Path(tmp) / "one.duckdb", jobs=1)
        print(f"\ndatabase: {len(frames['plans'])} plans, {len(frames['actions'])} actions, "
              f"{len(frames['budget_lines'])} budget lines, {len(frames['kpis'])} KPIs")
        with postgres(args.postgres) as uri:
            if uri:
                timed(f"PostgreSQL first load ({os.cpu_count()} processes)", len(files), paths=files, db=uri)
                timed("PostgreSQL same files again", len(files), paths=files, db=uri)
                pg = tables(uri)
                assert {k: len(v) for k, v in pg.items()} == {k: len(v) for k, v in frames.items()}
    return 0


if __name__ == "__main__":
    sys.exit(main())
