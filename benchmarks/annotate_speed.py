"""How fast `mplan-xl check --annotate` returns 100 files with their corrections, beside openpyxl.

    python benchmarks/annotate_speed.py [--files 100] [--jobs 2]

N returned workbooks (the demo with its seeded errors, each of a different
team, French and English, .xlsx and .xlsm) are checked and annotated by the
CLI in a fresh process (``check DIR --annotate OUT --jobs 2``: the check, then
a copy of each file with a note per finding). Beside it: the same ``check``
without ``--annotate``, and the openpyxl way of writing the same notes (load
each workbook, add a comment per finding, save), which also rewrites every
part of the file. The target: under 10 s for 100 files with 2 jobs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment

import mplan_xl
from mplan_xl.check.validator import check_file


def _build(args: tuple[Path, int]) -> None:
    folder, i = args
    suffix = ".xlsm" if i % 4 == 3 else ".xlsx"
    mplan_xl.demo_workbook(folder / f"team-{i:03d}{suffix}", company=f"Équipe {i:03d}", lang="en" if i % 2 else "fr",
                           with_errors=True)


def openpyxl_annotate(path: Path, out: Path) -> None:
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    for f in check_file(path).findings:
        if f.sheet in wb.sheetnames and f.cell:
            wb[f.sheet][f.cell].comment = Comment(f"[{f.code}] {f.message}", "mplan-xl")
    wb.save(out)


def cli(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mplan_xl.cli", *args], capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mplan-annotate-bench-"))
    returned = root / "returned"
    returned.mkdir()
    with multiprocessing.Pool() as pool:
        pool.map(_build, [(returned, i) for i in range(args.files)])
    print(f"{args.files} returned workbooks with findings")
    jobs = str(args.jobs)
    check = cli("check", str(returned), "--jobs", jobs, "--format", "json", "-o", str(root / "report.json"))
    annotate = cli("check", str(returned), "--jobs", jobs, "--format", "json", "-o", str(root / "report-annotate.json"),
                   "--annotate", str(root / "corrections"))
    written = len(list((root / "corrections").iterdir()))
    assert written == args.files, written
    print(f"{'check --jobs ' + jobs:<44} {check:7.2f} s")
    print(f"{'check --jobs ' + jobs + ' --annotate':<44} {annotate:7.2f} s  ({written} annotated copies)")
    sample = sorted(returned.iterdir())[:10]
    (root / "openpyxl").mkdir()
    start = time.perf_counter()
    for path in sample:
        openpyxl_annotate(path, root / "openpyxl" / path.name)
    per_file = (time.perf_counter() - start) / len(sample)
    print(f"{'openpyxl load + comments + save, 1 process':<44} {per_file * args.files:7.2f} s  "
          f"(extrapolated from {len(sample)} files)")
    print(f"target < 10 s: {'met' if annotate < 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
