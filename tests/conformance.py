"""Compare what our reader sees in a workbook with what openpyxl and python-calamine see.

The known representation differences between the three readers are written
down once, here, in :func:`same_value` and :func:`openpyxl_formulas`; every
other difference is a disagreement the conformance test reports.

Differences, and why:

* Empty cells: openpyxl gives ``None``, our grid (python-calamine's) ``""``;
  openpyxl's grid also reaches empty styled cells. A missing cell, ``None``
  and ``""`` are the same empty cell.
* Numbers: openpyxl gives ``int`` for an integral cell, python-calamine a
  ``float`` (or ``int``): compared as numbers.
* Dates: python-calamine gives ``date`` for a date-only value, ``datetime``
  otherwise, ``time`` and ``timedelta`` for times and durations; openpyxl
  gives ``datetime`` (or ``time`` / ``timedelta``). Compared as the same
  instant, to the millisecond (the two round fractions of a second apart).
* A number cell whose format openpyxl takes for a date and python-calamine
  does not (or the reverse: custom formats): compared through the Excel
  serial number.
* Errors: ours are :class:`~mplan_xl.reader.CellError`, openpyxl's the error
  text: equal as strings.
* Formulas: openpyxl prefixes ``=`` and wraps array formulas in
  ``ArrayFormula`` (text in ``.text``); data-table formulas (``t="dataTable"``)
  are not formulas for us, since Excel recomputes them as a what-if table.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from pathlib import Path
from typing import Any

from mplan_xl.reader import read_workbook

EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)


def _serial(value: Any, epoch: dt.datetime) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return (value - epoch).total_seconds() / 86400
    if isinstance(value, dt.date):
        return (dt.datetime.combine(value, dt.time()) - epoch).total_seconds() / 86400
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return None


def same_value(ours: Any, theirs: Any, epoch: dt.datetime = EPOCH_1900) -> bool:
    """True when our value and openpyxl's (or python-calamine's) are the same cell content."""
    if ours in ("", None) and theirs in ("", None):
        return True
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours == theirs
    if isinstance(ours, str) or isinstance(theirs, str):
        return str(ours) == str(theirs)
    a, b = _serial(ours, epoch), _serial(theirs, epoch)
    if a is None or b is None:
        return ours == theirs
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-8)  # about a millisecond of a day


def openpyxl_formulas(ws) -> dict[tuple[int, int], str]:
    """Every formula openpyxl sees in *ws*, (row, col) 0-based -> text without ``=``."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    out = {}
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, ArrayFormula):
                value = value.text
            elif isinstance(value, DataTableFormula):
                continue
            if isinstance(value, str) and cell.data_type == "f":
                out[(cell.row - 1, cell.column - 1)] = value[1:] if value.startswith("=") else value
    return out


def compare(path: Path) -> list[str]:
    """Disagreements between our reader and openpyxl / python-calamine on *path*, as readable lines."""
    import openpyxl
    from python_calamine import CalamineWorkbook

    problems: list[str] = []
    wb = read_workbook(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        formulas_wb = openpyxl.load_workbook(path, read_only=False, data_only=False)
        values_wb = openpyxl.load_workbook(path, read_only=False, data_only=True)
    epoch = EPOCH_1904 if formulas_wb.epoch.year == 1904 else EPOCH_1900
    calamine = CalamineWorkbook.from_path(str(path))
    worksheets = [n for n in wb.sheet_names if wb.sheet_kinds[n] == "worksheet"]
    if [ws.title for ws in formulas_wb.worksheets] != worksheets:
        problems.append(f"worksheets: ours {worksheets}, openpyxl {[ws.title for ws in formulas_wb.worksheets]}")
        return problems
    for name in worksheets:
        ours = wb.values(name)
        theirs_calamine = calamine.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if len(ours) != len(theirs_calamine) or any(
                not all(same_value(a, b, epoch) for a, b in zip(ra, rb)) or len(ra) != len(rb)
                for ra, rb in zip(ours, theirs_calamine)):
            problems.append(f"{name}: values differ from python-calamine")
        ws = values_wb[name]
        seen = set()
        for row in ws.iter_rows():
            for cell in row:
                r, c = cell.row - 1, cell.column - 1
                seen.add((r, c))
                mine = ours[r][c] if r < len(ours) and c < len(ours[r]) else ""
                if not same_value(mine, cell.value, epoch):
                    problems.append(f"{name}!{cell.coordinate}: ours {mine!r}, openpyxl {cell.value!r}")
        for r, row in enumerate(ours):
            for c, mine in enumerate(row):
                if (r, c) not in seen and mine not in ("", None):
                    problems.append(f"{name} ({r}, {c}): ours {mine!r}, openpyxl nothing")
        theirs = openpyxl_formulas(formulas_wb[name])
        mine = wb.formulas(name)
        for pos in sorted(set(theirs) | set(mine)):
            if theirs.get(pos) != mine.get(pos):
                problems.append(f"{name} {pos}: formula ours {mine.get(pos)!r}, openpyxl {theirs.get(pos)!r}")
    wb.close()
    return problems[:20]
