"""A thousand returned plans, each a distinct file: what a controller's shared folder holds.

    python benchmarks/many_plans.py FOLDER/plans OUT --count 1000

Copy *i* is source plan ``i % len(sources)`` with one figure typed differently (the first budget line's planned
amount, ``1000 + i``), written through the project's own part patcher, so no two files have the same bytes and a
cache keyed on content never sees a file twice.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mplan_xl.read.cell_patch import set_numbers
from mplan_xl.read.package import PackageCopy
from mplan_xl.read.plan_reader import locate_plan
from mplan_xl.read.reader import read_workbook


def planned_cell(path: Path) -> tuple[str, str]:
    """(worksheet name, cell) of the first budget line's planned amount in the plan at *path*."""
    raw = read_workbook(path)
    try:
        table = locate_plan(raw).tables["budget"]
        return table.worksheet, table.cell(table.rows[0], "planned") or ""
    finally:
        raw.close()


def distinct_copies(sources: list[Path], folder: Path, count: int) -> list[Path]:
    """*count* distinct plans in *folder* (kept when already there), made from *sources*."""
    folder.mkdir(parents=True, exist_ok=True)
    cells = {}
    out = []
    for i in range(count):
        source = sources[i % len(sources)]
        path = folder / f"copy-{i:04d}-{source.name}"
        out.append(path)
        if path.exists():
            continue
        if source not in cells:
            cells[source] = planned_cell(source)
        sheet, cell = cells[source]
        copy = PackageCopy.open(source)
        part = copy.worksheets()[sheet][0]
        copy.parts[part] = set_numbers(copy.parts[part], {cell: 1000.0 + i})
        copy.write(path)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    files = distinct_copies(sorted(args.sources.glob("*.xlsx")), args.out, args.count)
    print(f"{len(files)} plans in {args.out}")


if __name__ == "__main__":
    main()
