"""Compare what our reader sees in a workbook with what openpyxl and python-calamine see.

The known representation differences between the three readers are written
down once, here, in :func:`same_value` and :func:`openpyxl_formulas`; every
other difference is a disagreement the conformance test reports.

Differences, and why (each applied in one place below):

* Empty cells: openpyxl gives ``None``, our grid (python-calamine's) ``""``;
  openpyxl's grid also reaches empty styled cells. A missing cell, ``None``
  and ``""`` are the same empty cell (:func:`same_value`).
* Numbers: openpyxl gives ``int`` for an integral cell, python-calamine a
  ``float``: compared as numbers (:func:`same_value`).
* Dates: python-calamine gives ``date`` for a date-only value, ``datetime``
  otherwise, ``time`` and ``timedelta`` for times and durations; openpyxl
  gives ``datetime`` (or ``time`` / ``timedelta``), and the two do not always
  agree on which formats are dates: compared through the Excel serial
  number, to about a millisecond (:func:`same_value`). A negative serial in
  a date format (Excel shows ``#####``) is a time for python-calamine and a
  day of 1899 for openpyxl: not compared.
* Errors: ours are :class:`~mplan_xl.read.reader.CellError`, read from the sheet
  XML; openpyxl gives the error text (equal as strings) and python-calamine's
  ``to_python`` an empty string (:func:`same_value`).
* Text: python-calamine trims the white space around a text (a text of
  white space only becomes ``""``) and decodes every ``_xHHHH_`` escape
  (``_x000D_``); openpyxl keeps the spaces and decodes only some escapes:
  compared stripped, with escapes decoded on both sides (:func:`same_value`).
  Our reader then leaves out the characters XML 1.0 forbids (``_x001B_``,
  ESC), by design (:func:`mplan_xl.core.text_safety.xml_text`): compared without them.
* openpyxl empties the cells a merged range covers but the first (value and
  formula), and gives an empty cell holding a hyperlink the link as value:
  those cells are compared with python-calamine only (:func:`compare`).
* python-calamine cannot read a sheet whose ``<dimension>`` is no cell range
  (LibreOffice's ``1:4``); our reader gives it a copy without it, compared
  with openpyxl only (:func:`compare`).
* openpyxl does not read strict OOXML (it finds no worksheet) and lists
  dialog and Excel 4 macro sheets as worksheets (we give them no values):
  strict files are compared with python-calamine only, dialog and macro
  sheets not at all (:func:`compare`).
* Formulas: openpyxl prefixes ``=``, wraps array formulas in
  ``ArrayFormula``, and its translator of shared formulas moves or drops
  white space: compared without the ``=`` and without white space
  (:func:`same_formula`). Data-table formulas (``t="dataTable"``) are not
  formulas for us, since Excel recomputes them as a what-if table.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from pathlib import Path
from typing import Any

from mplan_xl.read.reader import CellError, decode_xstring, read_workbook
from mplan_xl.core.text_safety import xml_text

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
    if isinstance(ours, CellError) and theirs in ("", None):
        return True  # python-calamine's to_python has no error values
    if isinstance(ours, str) and isinstance(theirs, str):
        return ours.strip() in (decode_xstring(theirs).strip(), theirs.strip(), xml_text(decode_xstring(theirs)).strip()) \
            or decode_xstring(ours).strip() == decode_xstring(theirs).strip()
    if ours in ("", None) or theirs in ("", None):
        return ours in ("", None) and (theirs in ("", None) or isinstance(theirs, str) and not theirs.strip())
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours == theirs
    if isinstance(ours, str) or isinstance(theirs, str):
        return str(ours) == str(theirs)
    a, b = _serial(ours, epoch), _serial(theirs, epoch)
    if a is None or b is None:
        return ours == theirs
    if isinstance(theirs, (dt.date, dt.time)) and (a < 0 or b < 0):
        return True  # a negative serial in a date format: no date, each reader shows it its way
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-8)  # about a millisecond of a day


def same_formula(ours: str | None, theirs: str | None) -> bool:
    """True when our formula text and openpyxl's are the same formula (white space aside)."""
    if ours is None or theirs is None:
        return ours is theirs
    return "".join(ours.split()) == "".join(theirs.split())


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


def compare(path: Path, with_openpyxl: bool = True) -> list[str]:
    """Disagreements between our reader and openpyxl / python-calamine on *path*, as readable lines.

    Without *with_openpyxl*, python-calamine only (openpyxl takes minutes on
    a sheet whose ``<dimension>`` reaches row 1,048,576: it walks it all).
    """
    import openpyxl
    from openpyxl.cell.cell import MergedCell
    from python_calamine import CalamineWorkbook

    problems: list[str] = []
    wb = read_workbook(path)
    worksheets = [n for n in wb.sheet_names if wb.sheet_kinds[n] == "worksheet"]
    if not with_openpyxl:
        calamine = CalamineWorkbook.from_path(str(path))
        return [f"{name}: values differ from python-calamine" for name in worksheets
                if not _same_grid(wb.values(name), _calamine_grid(calamine, name))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        formulas_wb = openpyxl.load_workbook(path, data_only=False)
        values_wb = openpyxl.load_workbook(path, data_only=True)
    epoch = EPOCH_1904 if formulas_wb.epoch.year == 1904 else EPOCH_1900
    theirs_names = [ws.title for ws in formulas_wb.worksheets
                    if wb.sheet_kinds.get(ws.title) not in ("dialogsheet", "macrosheet")]
    strict = not formulas_wb.worksheets and b"purl.oclc.org/ooxml" in _main_xml(path)
    if theirs_names != worksheets and not strict:
        return [f"worksheets: ours {worksheets}, openpyxl {theirs_names}"]
    try:
        calamine = CalamineWorkbook.from_path(str(path))
    except Exception:  # python-calamine cannot open the original (macro sheets...): ours reads a fixed copy
        calamine = None
    for name in worksheets:
        ours = wb.values(name)
        grid = _calamine_grid(calamine, name)
        if grid is not None and not _same_grid(ours, grid):
            problems.append(f"{name}: values differ from python-calamine")
        if strict:
            continue
        ws = values_wb[name]
        merged = set()
        seen = set()
        for row in ws.iter_rows():
            for cell in row:
                r, c = cell.row - 1, cell.column - 1
                seen.add((r, c))
                mine = ours[r][c] if r < len(ours) and c < len(ours[r]) else ""
                if isinstance(cell, MergedCell) or (mine == "" and cell.hyperlink is not None):
                    merged.add((r, c))
                    continue
                if not same_value(mine, cell.value, epoch):
                    problems.append(f"{name}!{cell.coordinate}: ours {mine!r}, openpyxl {cell.value!r}")
        for r, row in enumerate(ours):
            for c, mine in enumerate(row):
                if (r, c) not in seen and mine not in ("", None):
                    problems.append(f"{name} ({r}, {c}): ours {mine!r}, openpyxl nothing")
        theirs = openpyxl_formulas(formulas_wb[name])
        mine = wb.formulas(name)
        for pos in sorted((set(theirs) | set(mine)) - merged):
            if not same_formula(mine.get(pos), theirs.get(pos)):
                problems.append(f"{name} {pos}: formula ours {mine.get(pos)!r}, openpyxl {theirs.get(pos)!r}")
    wb.close()
    return problems[:20]


def _calamine_grid(calamine, name: str) -> list[list[Any]] | None:
    """python-calamine's grid of the original sheet, or None when it cannot read it (ours reads a fixed copy)."""
    try:
        return None if calamine is None else calamine.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # a <dimension> such as "1:4"
        return None


def _same_grid(ours: list[list[Any]], theirs: list[list[Any]]) -> bool:
    return len(ours) == len(theirs) and all(len(a) == len(b) and all(map(same_value, a, b))
                                            for a, b in zip(ours, theirs))


def _main_xml(path: Path) -> bytes:
    """The start of the workbook part, to tell strict OOXML (which openpyxl does not read)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        name = next((n for n in z.namelist() if n.lower().endswith("workbook.xml")), None)
        return z.read(name)[:2000] if name else b""
