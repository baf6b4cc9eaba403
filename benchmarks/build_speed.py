"""Time `new` and `demo` beside a plain openpyxl write of the same number of cells.

    python benchmarks/build_speed.py [--repeat 5]

The baseline writes the same count of values and formulas with openpyxl and no
tables, validation, charts or formats: what any Python tool pays just to
produce a workbook of that size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

import mplan_xl
from mplan_xl.workbook.builder import RUNTIME_EXTENSIONS


def cell_count(path: Path) -> tuple[int, int]:
    """(non-empty cells, formula cells) of a workbook, counted from its sheet XML."""
    values = formulas = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name)
                values += xml.count(b"<c ")
                formulas += xml.count(b"<f>")
    return values, formulas


def openpyxl_baseline(path: Path, cells: int, formulas: int) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    width = 16
    for i in range(cells):
        r, c = divmod(i, width)
        ws.cell(r + 1, c + 1, f"=A{r + 1}*2" if i < formulas else i)
    wb.save(path)


def timed(func, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mplan-bench-"))
    cases = []
    for runtime in RUNTIME_EXTENSIONS:
        ext = RUNTIME_EXTENSIONS[runtime]
        cases.append((f"new ({runtime})", lambda p, runtime=runtime: mplan_xl.new_workbook(p, runtime=runtime, force=True), ext))
        cases.append((f"demo ({runtime})", lambda p, runtime=runtime: mplan_xl.demo_workbook(p, runtime=runtime, force=True), ext))
    print(f"{'workbook':<18} {'cells':>7} {'formulas':>8} {'mplan-xl':>10} {'openpyxl same cells':>20} {'ratio':>6}")
    for label, build, ext in cases:
        path = folder / f"{label.split()[0]}-{label.split()[1][1:-1]}{ext}"
        try:
            ours = timed(lambda: build(path), args.repeat)  # noqa: B023 - called at once
        except Exception as err:  # a runtime not available on this machine is reported, not fatal
            print(f"{label:<18} unavailable: {err}")
            continue
        cells, formulas = cell_count(path)
        base = timed(lambda: openpyxl_baseline(folder / "baseline.xlsx", cells, formulas), args.repeat)
        print(f"{label:<18} {cells:>7} {formulas:>8} {ours * 1000:>8.1f}ms {base * 1000:>18.1f}ms {base / ours:>6.2f}")
        CalamineWorkbook.from_path(str(path))  # the output is readable
    print(f"python {sys.version.split()[0]}, median of {args.repeat} runs, files in {folder}")


if __name__ == "__main__":
    main()
