"""Edit a workbook in LibreOffice through UNO the way a person does, then save it.

Run by Debian's ``/usr/bin/python3`` (the only interpreter with ``python3-uno``), as a subprocess of
the tests::

    /usr/bin/python3 tests/uno_edit.py JOB.json

``JOB.json`` holds ``{"profile": file-URL, "jobs": [{"input": path, "output": path, "save": "xlsx" | "ods",
"steps": [...]}, ...]}``. One LibreOffice process serves every job. Tables are found by name (LibreOffice
imports each Excel table as a database range) and columns by header, never by address. Steps:

- ``{"op": "insert_rows", "table": T, "before": ID, "count": n}``: insert whole sheet rows above the row
  whose id is ID (inside the table: LibreOffice grows the table, and fills no formula);
- ``{"op": "fill", "table": T, "row": ID, "values": {header: value}}``: type values into the row whose id
  is ID (``""``: the first row without an id, e.g. one just inserted); values starting with ``=`` are formulas;
- ``{"op": "append", "table": T, "values": {...}}``: type into the sheet row just below the table (below its
  total row, if any);
- ``{"op": "sort", "table": T, "by": header, "descending": bool}``: sort the table's data rows, as a person
  does in LibreOffice or Excel (the header and the total row stay where they are);
- ``{"op": "delete_rows", "table": T, "ids": [ID, ...]}``: delete the sheet rows of these ids;
- ``{"op": "insert_column", "table": T, "before": header, "header": text}``: insert a sheet column and name it;
- ``{"op": "set", "table": T, "row": ID, "column": header, "value": v}``: type one value (``=`` formula,
  ``""`` clears the cell);
- ``{"op": "type", "table": T, "row": ID, "column": header, "text": s}``: type *s* into the cell as a person
  does: LibreOffice's number scanner reads it in the office's locale and the cell's format (``15 %``,
  ``0,15``, ``15`` in a cell formatted as a percentage), see :func:`type_text`.
- ``{"op": "set_name", "name": N, "value": v}``: type one value into the cell the defined name N points at
  (``mplan_company``: the company on the Guide).

``"save": "ods"`` stores the edited file as OpenDocument, reloads it and saves that as ``.xlsx`` (the
round trip of a team that works in ``.ods``). ``"display": true`` adds to the job's result the text
LibreOffice shows in every non-empty cell of every sheet (``{"Sheet!A1": text}``) just before the save, once
the steps are done (``"before"``), and when the saved output is reopened (``"after"``). Prints one JSON line per job:
``{"output": path}`` (with ``"before"``/``"after"``) or ``{"error": text}``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.table import TableSortField

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "src"))
from mplan_xl.core.a1 import column_letters  # noqa: E402  (the project's own, importable without its dependencies)

XLSX_FILTER = "Calc MS Excel 2007 XML"
#: The number formatter of the running LibreOffice (reading typed text as a person's), made once it answers.
DISPATCH: dict = {}
ODS_FILTER = "calc8"
CSV_FILTER = "Text - txt - csv (StarCalc)"
#: Comma, double quote, UTF-8, from line 1, ..., text "as shown" (9th token), every sheet to its own file (-1).
CSV_AS_SHOWN_EVERY_SHEET = "44,34,76,1,,0,false,true,true,false,false,-1"


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start(profile: str, timeout: float = 60.0):
    pipe = f"mplan_uno_{os.getpid()}"
    proc = subprocess.Popen(["soffice", f"-env:UserInstallation={profile}", "--headless", "--invisible",
                             "--norestore", "--nologo", "--nodefault", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("LibreOffice did not answer on its UNO pipe")
            time.sleep(0.3)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    DISPATCH["formatter"] = ctx.ServiceManager.createInstanceWithContext("com.sun.star.util.NumberFormatter", ctx)
    return proc, desktop


def load(desktop, path: str):
    return desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0,
                                        (prop("Hidden", True),))


def store(doc, path: str, filter_name: str) -> None:
    doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(path)), (prop("FilterName", filter_name),))


class Table:
    """A table of the open document: its sheet, its area (0-based, header row first, total row last when it
    has one), its last data row and its headers."""

    def __init__(self, doc, name: str):
        self.doc, self.name = doc, name
        if not doc.DatabaseRanges.hasByName(name):
            raise KeyError(f"no table {name!r} in the workbook")
        database_range = doc.DatabaseRanges.getByName(name)
        area = database_range.DataArea
        self.sheet = self.doc.Sheets.getByIndex(area.Sheet)
        self.top, self.left, self.bottom, self.right = area.StartRow, area.StartColumn, area.EndRow, area.EndColumn
        self.last_data = self.bottom - int(database_range.TotalsRow)
        self.headers = [self.sheet.getCellByPosition(c, self.top).getString() for c in range(self.left, self.right + 1)]

    def col(self, header: str) -> int:
        return self.left + self.headers.index(header)

    def row_of(self, row_id: str) -> int:
        id_col = self.left
        for r in range(self.top + 1, self.last_data + 1):
            if self.sheet.getCellByPosition(id_col, r).getString() == row_id:
                return r
        raise KeyError(f"{self.name}: no row {row_id!r}")

    def type_into(self, r: int, values: dict) -> None:
        for header, value in values.items():
            cell = self.sheet.getCellByPosition(self.col(header), r)
            type_value(cell, value)


def type_value(cell, value) -> None:
    if value is None or value == "":
        cell.setString("")
    elif isinstance(value, str) and value.startswith("="):
        cell.setFormula(value)
    elif isinstance(value, str):
        cell.setString(value)
    else:
        cell.setValue(value)


def type_text(doc, cell, text: str) -> None:
    """Type *text* into *cell* as LibreOffice reads what a person types: its number scanner, in the locale of the
    cell's number format (the office's locale), with that format (``2,5 %`` is 0.025 in fr-FR; ``70`` stays 70 in
    a cell formatted as a percentage); text when it reads no number. (The dispatcher's ``.uno:EnterString`` does
    the same through the view, but crashes a headless LibreOffice 7.4 a moment later.)"""
    formatter = DISPATCH["formatter"]
    formatter.attachNumberFormatsSupplier(doc)
    try:
        cell.setValue(formatter.convertStringToNumber(cell.NumberFormat, text))
    except Exception:   # NotNumericException: what a person typed is text
        cell.setString(text)


def run_step(doc, step: dict) -> None:
    op = step["op"]
    if op == "set_name":
        if not doc.NamedRanges.hasByName(step["name"]):
            raise KeyError(f"no defined name {step['name']!r} in the workbook")
        type_value(doc.NamedRanges.getByName(step["name"]).getReferredCells().getCellByPosition(0, 0), step["value"])
        return
    table = Table(doc, step["table"])
    if op == "insert_rows":
        table.sheet.Rows.insertByIndex(table.row_of(step["before"]), step.get("count", 1))
    elif op == "fill":
        table.type_into(table.row_of(step["row"]), step["values"])
    elif op == "append":
        table.type_into(table.bottom + 1, step["values"])
    elif op == "sort":
        rng = table.sheet.getCellRangeByPosition(table.left, table.top + 1, table.right, table.last_data)
        field = TableSortField()
        field.Field = table.col(step["by"]) - table.left
        field.IsAscending = not step.get("descending", False)
        descriptor = rng.createSortDescriptor()
        for p in descriptor:
            if p.Name == "SortFields":
                p.Value = uno.Any("[]com.sun.star.table.TableSortField", (field,))
            elif p.Name == "ContainsHeader":
                p.Value = False
        rng.sort(descriptor)
    elif op == "delete_rows":
        rows = sorted((table.row_of(i) for i in step["ids"]), reverse=True)
        for r in rows:
            table.sheet.Rows.removeByIndex(r, 1)
    elif op == "insert_column":
        c = table.col(step["before"])
        table.sheet.Columns.insertByIndex(c, 1)
        table.sheet.getCellByPosition(c, table.top).setString(step["header"])
    elif op == "type":
        cell = table.sheet.getCellByPosition(table.col(step["column"]), table.row_of(step["row"]))
        type_text(doc, cell, step["text"])
    elif op == "set":
        type_value(table.sheet.getCellByPosition(table.col(step["column"]), table.row_of(step["row"])), step["value"])
    else:
        raise ValueError(f"unknown step {op!r}")


def displayed(doc) -> dict:
    """The text LibreOffice shows in every non-empty cell: ``{"Sheet!A1": text}``.

    Read from LibreOffice's own CSV export of every sheet "as shown" (the same text as ``cell.getString()``,
    a hundred times faster than asking cell by cell); a sample of cells is checked against ``getString()``.
    """
    folder = tempfile.mkdtemp(prefix="mplan-uno-shown-")
    doc.storeToURL(uno.systemPathToFileUrl(os.path.join(folder, "shown.csv")), (
        prop("FilterName", CSV_FILTER), prop("FilterOptions", CSV_AS_SHOWN_EVERY_SHEET)))
    shown, cells = {}, []
    for i in range(doc.Sheets.Count):
        sheet = doc.Sheets.getByIndex(i)
        with open(os.path.join(folder, f"shown-{sheet.Name}.csv"), encoding="utf-8", newline="") as f:
            for r, row in enumerate(csv.reader(f)):
                for c, text in enumerate(row):
                    if text:
                        shown[f"{sheet.Name}!{column_letters(c)}{r + 1}"] = text
                        cells.append((sheet, c, r, text))
    shutil.rmtree(folder, ignore_errors=True)
    for sheet, c, r, text in cells[::max(1, len(cells) // 150)]:
        if sheet.getCellByPosition(c, r).getString() != text:
            raise AssertionError(f"{sheet.Name}!{column_letters(c)}{r + 1}: the CSV shows {text!r}, the cell otherwise")
    return shown


def run_job(desktop, job: dict) -> dict:
    result = run_edit(desktop, job)
    if job.get("display") and "output" in result:
        doc = load(desktop, job["output"])
        try:
            doc.calculateAll()
            result["after"] = displayed(doc)
        finally:
            doc.close(True)
    return result


def run_edit(desktop, job: dict) -> dict:
    doc = load(desktop, job["input"])
    if doc is None:
        return {"error": f"LibreOffice could not open {job['input']}"}
    result: dict = {"output": job["output"]}
    try:
        for step in job.get("steps", []):
            run_step(doc, step)
        doc.calculateAll()
        if job.get("display"):
            result["before"] = displayed(doc)
        if job.get("save", "xlsx") == "ods":
            ods = os.path.join(tempfile.mkdtemp(prefix="mplan-uno-"), "roundtrip.ods")
            store(doc, ods, ODS_FILTER)
            doc.close(True)
            doc = load(desktop, ods)
            doc.calculateAll()
        store(doc, job["output"], XLSX_FILTER)
        return result
    finally:
        doc.close(True)


def main(run=None) -> int:
    """Run every job of the spec file named on the command line with *run* (``run(desktop, job) -> dict``,
    :func:`run_job` by default) in one LibreOffice, printing one JSON line per job."""
    run = run or run_job
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    proc, desktop = start(spec["profile"])
    try:
        for job in spec["jobs"]:
            try:
                result = run(desktop, job)
            except Exception as exc:  # reported to the test, which fails with the text
                result = {"error": f"{type(exc).__name__}: {exc}"}
            print(json.dumps(result), flush=True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
