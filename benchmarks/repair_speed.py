"""How fast `mplan-xl repair --into` gives back 100 damaged plans, beside openpyxl load + save of the same files.

    python benchmarks/repair_speed.py [--files 100] [--jobs 2]

N damaged plans (the demo with its seeded errors, each of a different team, French and English: a computed cell
typed over and an amount typed as text; then the damage of a LibreOffice save, made on the file's parts: every
table's calculated-column definitions dropped, the money and percent formats written as a save in fr-FR writes
them, divided by 1000) are repaired by the CLI in a fresh process (``repair DIR --into OUT --jobs 2``). Beside
it, measured in the same run: ``check`` of the same folder, and openpyxl loading and saving each file (what a
script that fixes the files with openpyxl pays before fixing anything, and which rewrites every part). The
target: under 20 s for 100 plans.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import resource
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import openpyxl

import mplan_xl


def _build(args: tuple[Path, int]) -> None:
    folder, i = args
    clean = folder.parent / f"clean-{i:03d}.xlsx"
    mplan_xl.demo_workbook(clean, company=f"Équipe {i:03d}", lang="en" if i % 2 else "fr", with_errors=True)
    with zipfile.ZipFile(clean) as zin, zipfile.ZipFile(folder / f"team-{i:03d}.xlsx", "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename.startswith("xl/tables/"):   # a LibreOffice save drops the definitions
                data = re.sub(rb"<calculatedColumnFormula>.*?</calculatedColumnFormula>", b"", data, flags=re.S)
            elif item.filename == "xl/styles.xml":        # ... and scales the French formats
                data = data.replace(b'formatCode="#,##0.00\\ &quot;\xe2\x82\xac&quot;"', 'formatCode="#,##0.00,\\€"'.encode())
            zout.writestr(item, data)
    clean.unlink()


def cli(*args: str) -> tuple[float, float, str]:
    """The CLI run in a fresh process: wall-clock seconds, CPU seconds of the process and its workers, its output.
    On a machine shared with other work the wall clock says little; the CPU time over the cores used says what
    the run takes on free cores."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mplan_xl.cli", *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mplan-repair-bench-"))
    returned = root / "returned"
    returned.mkdir()
    with multiprocessing.Pool() as pool:
        pool.map(_build, [(returned, i) for i in range(args.files)])
    print(f"{args.files} damaged plans")
    jobs = str(args.jobs)
    check, check_cpu, _ = cli("check", str(returned), "--jobs", jobs, "--format", "json", "-o", str(root / "report.json"))
    repair, repair_cpu, out = cli("repair", str(returned), "--into", str(root / "repaired"), "--jobs", jobs)
    written = len(list((root / "repaired").iterdir()))
    assert written == args.files, (written, out[-2000:])
    repairs = sum(int(m) for m in re.findall(r": (\d+) r[ée]paration", out))
    print(f"{'':<48} {'wall':>7}    {'CPU':>7}    CPU / {jobs} cores")
    print(f"{'check --jobs ' + jobs:<48} {check:7.2f} s  {check_cpu:7.2f} s  {check_cpu / args.jobs:7.2f} s")
    print(f"{'repair --into --jobs ' + jobs:<48} {repair:7.2f} s  {repair_cpu:7.2f} s  {repair_cpu / args.jobs:7.2f} s"
          f"  ({written} copies, {repairs} repairs)")
    sample = sorted(returned.iterdir())[:10]
    (root / "openpyxl").mkdir()
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in sample:
            openpyxl.load_workbook(path).save(root / "openpyxl" / path.name)
    per_file, per_file_cpu = (time.perf_counter() - start) / len(sample), (time.process_time() - cpu) / len(sample)
    print(f"{'openpyxl load + save, 1 process':<48} {per_file * args.files:7.2f} s  {per_file_cpu * args.files:7.2f} s  "
          f"{per_file_cpu * args.files / args.jobs:7.2f} s  (extrapolated from {len(sample)} files)")
    print(f"target < 20 s: wall {'met' if repair < 20 else 'MISSED'}, on free cores (CPU / {jobs}) "
          f"{'met' if repair_cpu / args.jobs < 20 else 'MISSED'}")


if __name__ == "__main__":
    main()
