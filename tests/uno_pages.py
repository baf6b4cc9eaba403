"""Print workbooks in LibreOffice through UNO and report how their pages fall.

Run by Debian's ``/usr/bin/python3`` (the only interpreter with ``python3-uno``), as a subprocess of the tests::

    /usr/bin/python3 tests/uno_pages.py JOB.json

``JOB.json`` holds ``{"profile": file-URL, "jobs": [{"input": path, "pdf": path}, ...]}``. One LibreOffice
process serves every job: it opens the workbook (recalculating every formula), exports it to ``pdf``, then
reports, for every visible sheet, what LibreOffice itself paginated: its pages, its row and column page
breaks (manual and automatic), its print ranges, and every chart with the cells it covers and the cells
holding content under it. Prints one JSON line per job: ``{"pdf": path, "sheets": [...]}`` or
``{"error": text}``.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uno_edit import load, main, prop, store  # noqa: E402

PDF_FILTER = "calc_pdf_Export"


def _row_at(sheet, y: int, last: int) -> int:
    """The row whose extent holds the vertical position *y* (1/100 mm)."""
    low, high = 0, last
    while low < high:
        middle = (low + high + 1) // 2
        if sheet.getCellByPosition(0, middle).Position.Y <= y:
            low = middle
        else:
            high = middle - 1
    return low


def _col_at(sheet, x: int, last: int) -> int:
    low, high = 0, last
    while low < high:
        middle = (low + high + 1) // 2
        if sheet.getCellByPosition(middle, 0).Position.X <= x:
            low = middle
        else:
            high = middle - 1
    return low


def _charts(sheet) -> list[dict]:
    out = []
    page = sheet.DrawPage
    for i in range(page.Count):
        shape = page.getByIndex(i)
        if shape.ShapeType != "com.sun.star.drawing.OLE2Shape":
            continue
        pos, size = shape.Position, shape.Size
        top, left = _row_at(sheet, pos.Y + 1, 10000), _col_at(sheet, pos.X + 1, 1000)
        bottom = _row_at(sheet, pos.Y + size.Height - 1, 10000)
        right = _col_at(sheet, pos.X + size.Width - 1, 1000)
        grid = sheet.getCellRangeByPosition(left, top, right, bottom).getFormulaArray()
        under = [[top + i, left + j] for i, row in enumerate(grid) for j, text in enumerate(row) if text != ""]
        out.append({"rows": [top, bottom], "cols": [left, right], "under": under})
    return out


def report(doc) -> list[dict]:
    sheets = []
    for index in range(doc.Sheets.Count):
        sheet = doc.Sheets.getByIndex(index)
        if not sheet.IsVisible:
            continue
        pages = doc.getRendererCount(sheet, (prop("IsPrinter", True),))
        sheets.append({
            "name": sheet.Name, "pages": pages,
            "row_breaks": [[b.Position, b.ManualBreak] for b in sheet.getRowPageBreaks()],
            "col_breaks": [[b.Position, b.ManualBreak] for b in sheet.getColumnPageBreaks()],
            "print_areas": [[a.StartColumn, a.StartRow, a.EndColumn, a.EndRow] for a in sheet.getPrintAreas()],
            "charts": _charts(sheet),
        })
    return sheets


def print_job(desktop, job: dict) -> dict:
    doc = load(desktop, job["input"])
    try:
        doc.calculateAll()
        store(doc, job["pdf"], PDF_FILTER)
        return {"pdf": job["pdf"], "sheets": report(doc)}
    finally:
        doc.close(True)


if __name__ == "__main__":
    sys.exit(main(print_job))
