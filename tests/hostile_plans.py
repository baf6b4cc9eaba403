"""Returned plans with hostile cells, cut from the demo plan (issue 26, points 5, 6, 7 and 9).

Each case edits the demo's package at the byte level, the way a tool or a
person could leave it: a ``<v>`` that is no number Excel can hold (``nan``,
``inf``, ``1e400``, 10,000 digits), two amounts whose sum overflows, a number
typed as a text that means no number (``NaN``, ``Infinity``, 10,000 digits), a
template version of 5,000 digits, control characters in a company name and in a
label (``_x001B_`` is how Excel stores ESC in a cell's text), a company name
longer than Excel's 32,767-character cell limit.

Example:
    >>> paths = build_hostile_plans(demo, tmp_path)        # doctest: +SKIP
    >>> sorted(paths)[:2]                                  # doctest: +SKIP
    ['company-control', 'company-too-long']
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Callable

from mplan_xl.read.package import PackageCopy
from mplan_xl.read.plan_reader import locate_plan, named_value
from mplan_xl.read.reader import read_workbook

#: A terminal escape that sets the window title (OSC 0), then a NUL and a bell: as Excel stores them in a cell.
CONTROL_TEXT = "Ormelune _x001B_]0;pwned_x0007_ _x0000_ _x0008_fin"
#: Longer than Excel's 32,767 characters per cell.
TOO_LONG = 40_000


def rewritten(src: Path, dst: Path, edits: dict[str, Callable[[bytes], bytes]]) -> Path:
    """A copy of the package *src* at *dst* with members edited (name -> function of the bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item.filename, edits[item.filename](data) if item.filename in edits else data)
    return dst


def _cell_edit(cell: str, body: bytes, kind: bytes | None) -> Callable[[bytes], bytes]:
    """Replace cell *cell*'s content by *body* (``<v>...</v>`` or ``<is>...</is>``) with type *kind*."""
    pattern = re.compile(rb'<c r="' + cell.encode() + rb'"([^>]*?)(?:/>|>.*?</c>)', re.S)

    def edit(data: bytes) -> bytes:
        def one(m: re.Match) -> bytes:
            attrs = re.sub(rb'\s+t="[^"]*"', b"", m.group(1))
            return b'<c r="' + cell.encode() + b'"' + attrs + (b' t="' + kind + b'"' if kind else b"") + b">" + body + b"</c>"
        out, n = pattern.subn(one, data, count=1)
        assert n == 1, cell
        return out
    return edit


def _number(value: bytes) -> tuple[bytes, None]:
    return b"<v>" + value + b"</v>", None


def _text(value: str) -> tuple[bytes, bytes]:
    return b"<is><t>" + value.encode() + b"</t></is>", b"inlineStr"


def build_hostile_plans(demo: Path, folder: Path) -> dict[str, Path]:
    """Write every hostile plan into *folder*: case name -> path."""
    located = locate_plan(read_workbook(demo))
    sheets = PackageCopy.open(demo).worksheets()
    budget = located.tables["budget"]
    planned = [budget.cell(row, "planned") for row in budget.rows[:2]]
    label = budget.cell(budget.rows[0], "description")
    budget_part = sheets[budget.worksheet][0]
    target = read_workbook(demo).defined_names["mplan_company"]
    company_sheet, company_cell = target.split("!")
    company_part = sheets[company_sheet.strip("'")][0]
    company_cell = company_cell.replace("$", "")
    assert named_value(read_workbook(demo), "mplan_company")

    def cells(part: str, edits: dict[str, tuple[bytes, bytes | None]]) -> dict[str, Callable[[bytes], bytes]]:
        functions = [_cell_edit(cell, body, kind) for cell, (body, kind) in edits.items()]

        def edit(data: bytes) -> bytes:
            for function in functions:
                data = function(data)
            return data
        return {part: edit}

    version = {name: (lambda d: d.replace(b">3.0.0<", b">" + b"7" * 5000 + b"<"))
               for name in ("docProps/custom.xml", "xl/sharedStrings.xml")}
    cases: dict[str, dict[str, Callable[[bytes], bytes]]] = {
        "value-nan": cells(budget_part, {planned[0]: _number(b"nan")}),
        "value-inf": cells(budget_part, {planned[0]: _number(b"inf")}),
        "value-minus-inf": cells(budget_part, {planned[0]: _number(b"-inf")}),
        "value-1e400": cells(budget_part, {planned[0]: _number(b"1e400")}),
        "value-10000-digits": cells(budget_part, {planned[0]: _number(b"9" * 10_000)}),
        "sum-overflow": cells(budget_part, {planned[0]: _number(b"1e308"), planned[1]: _number(b"1e308")}),
        "sum-overflow-9e307": cells(budget_part, {planned[0]: _number(b"9e307"), planned[1]: _number(b"9e307")}),
        "text-nan": cells(budget_part, {planned[0]: _text("NaN")}),
        "text-infinity": cells(budget_part, {planned[0]: _text("Infinity")}),
        "text-10000-digits": cells(budget_part, {planned[0]: _text("9" * 10_000)}),
        "version-5000-digits": version,
        "company-control": cells(company_part, {company_cell: _text(CONTROL_TEXT)}),
        "company-too-long": cells(company_part, {company_cell: _text("Ormelune " + "x" * TOO_LONG)}),
        "label-control": cells(budget_part, {label: _text(CONTROL_TEXT)}),
    }
    folder.mkdir(parents=True, exist_ok=True)
    return {name: rewritten(demo, folder / f"{name}.xlsx", edits) for name, edits in cases.items()}


def with_company(demo: Path, dst: Path, name: str) -> Path:
    """A copy of *demo* at *dst* whose company name (the cell of ``mplan_company``) is *name*, as an inline string."""
    target = read_workbook(demo).defined_names["mplan_company"]
    sheet, cell = target.split("!")
    part = PackageCopy.open(demo).worksheets()[sheet.strip("'")][0]
    return rewritten(demo, dst, {part: _cell_edit(cell.replace("$", ""), _text(name)[0], b"inlineStr")})


_NON_FINITE_V = re.compile(rb"<(?:\w+:)?v>\s*[+-]?(?:nan|inf)", re.IGNORECASE)


def assert_opens(path: Path) -> None:
    """Every XML part of the xlsx at *path* parses, and no ``<v>`` holds a non-finite number."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None, path
        for name in z.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                data = z.read(name)
                ET.fromstring(data)   # raises ParseError on a character XML 1.0 forbids
                assert not _NON_FINITE_V.search(data), (path, name)
