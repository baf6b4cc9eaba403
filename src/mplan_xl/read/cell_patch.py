"""Change a few cell values inside a worksheet's XML, leaving every other byte as it was.

A command that writes into a copy of a team's workbook (``actuals``) must
change only what it must. Parsing the sheet and serialising it again (as
openpyxl or ElementTree would) rewrites every cell, renames namespace prefixes
and drops what the library does not know; so this module edits the XML text
itself: each target cell element is replaced by one holding the new number,
with its attributes (style, …) kept, and a cell or row that does not exist yet
is inserted at its place in the row order the format requires.

Only numbers are written; the workbook is then marked to be recalculated when
opened (:func:`recalculate_on_open`), since formulas reading these cells hold
stale cached results.

Example:
    >>> xml = b'<worksheet><sheetData><row r="2"><c r="A2" s="3"><v>5</v></c></row></sheetData></worksheet>'
    >>> set_numbers(xml, {"A2": 7.5, "C2": 1, "B4": 2})
    b'<worksheet><sheetData><row r="2"><c r="A2" s="3"><v>7.5</v></c><c r="C2"><v>1</v></c></row><row r="4"><c r="B4"><v>2</v></c></row></sheetData></worksheet>'
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any, Callable, Mapping
from xml.sax.saxutils import escape

from ..core.a1 import column_index
from ..core.numbers import is_cell_number
from ..core.text_safety import xml_text

_ROW = re.compile(rb'<(?P<p>[A-Za-z_][\w.-]*:)?row\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)?row>)', re.S)
_CELL = re.compile(rb'<(?P<p>[A-Za-z_][\w.-]*:)?c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)?c>)', re.S)
_R_ATTR = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE_ATTR = re.compile(rb'\s+t="[^"]*"')
_SHEET_DATA = re.compile(rb'<(?P<p>[A-Za-z_][\w.-]*:)?sheetData\b[^>]*?(?:/>|>)')
_A1 = re.compile(r"^([A-Z]{1,3})([1-9]\d*)$")


def _column_number(letters: bytes | str) -> int:
    return column_index(letters if isinstance(letters, str) else letters.decode()) + 1


def _number(value: float) -> bytes:
    text = repr(float(value))
    if not is_cell_number(float(value)):   # never a NaN or an infinity in a <v>: Excel would refuse the file
        raise ValueError(f"not a number a cell can hold: {text}")
    if text.endswith(".0"):
        text = text[:-2]
    return text.encode()


def _cell(prefix: bytes, ref: bytes, attrs: bytes, value: float | str) -> bytes:
    attrs = _TYPE_ATTR.sub(b"", attrs) if attrs else b' r="' + ref + b'"'
    if isinstance(value, str):   # a text: an inline string (no shared-strings part to touch)
        text = escape(xml_text(value)).encode("utf-8")
        return (b"<" + prefix + b"c" + attrs + b' t="inlineStr"><' + prefix + b"is><" + prefix
                + b't xml:space="preserve">' + text + b"</" + prefix + b"t></" + prefix + b"is></" + prefix + b"c>")
    return b"<" + prefix + b"c" + attrs + b"><" + prefix + b"v>" + _number(value) + b"</" + prefix + b"v></" + prefix + b"c>"


#: Builds a cell's element from its prefix, its A1 reference and the attributes it had (b"" for a new cell).
CellMaker = Callable[[bytes, bytes, bytes], bytes]


def set_numbers(xml: bytes, values: Mapping[str, float | str]) -> bytes:
    """*xml* with the cells of *values* (A1 address -> number) holding those numbers (a text value is written as an
    inline string: an id in a new row).

    >>> set_numbers(b'<worksheet><sheetData/></worksheet>', {"A3": "A01"})
    b'<worksheet><sheetData><row r="3"><c r="A3" t="inlineStr"><is><t xml:space="preserve">A01</t></is></c></row></sheetData></worksheet>'
    """
    return set_cells(xml, {address: number_cell(value) for address, value in values.items()})


def number_cell(value: float | str) -> CellMaker:
    """A maker of a cell holding the number *value* (its attributes kept, but its type; a text as an inline string)."""
    return partial(_number_cell, value=value)


def _number_cell(prefix: bytes, ref: bytes, attrs: bytes, value: float | str) -> bytes:
    return _cell(prefix, ref, attrs, value)


def set_cells(xml: bytes, cells: Mapping[str, CellMaker]) -> bytes:
    """*xml* with each cell of *cells* (A1 address -> how to make its element) replaced, or inserted at its place
    in the row order (its row too, when missing); every other byte as it was."""
    by_row: dict[int, dict[int, tuple[bytes, CellMaker]]] = {}
    for address, maker in cells.items():
        match = _A1.match(address)
        if not match:
            raise ValueError(f"not an A1 cell address: {address!r}")
        by_row.setdefault(int(match[2]), {})[_column_number(match[1])] = (address.encode(), maker)
    data = _SHEET_DATA.search(xml)
    if data is None:
        raise ValueError("no sheetData in the worksheet")
    prefix = data["p"] or b""
    out, pos = [], 0
    for row in _ROW.finditer(xml, data.end()):
        number = _row_number(row["attrs"])
        for missing in sorted(n for n in by_row if n < number):
            out += [xml[pos:row.start()], _new_row(prefix, missing, by_row.pop(missing))]
            pos = row.start()
        if number in by_row:
            out += [xml[pos:row.start()], _patch_row(row, prefix, by_row.pop(number))]
            pos = row.end()
        if not by_row:
            break
    if by_row:
        end = xml.find(b"</" + prefix + b"sheetData>", pos)
        if end < 0:   # <sheetData/>: open it
            tag = data.group(0)
            out += [xml[pos:data.start()], tag[:-2] + b">"]
            pos, end, closing = data.end(), data.end(), b"</" + prefix + b"sheetData>"
        else:
            closing = b""
        out += [xml[pos:end], *(_new_row(prefix, n, by_row[n]) for n in sorted(by_row)), closing]
        pos = end
    out.append(xml[pos:])
    return b"".join(out)


_S_ATTR = re.compile(rb'\s+s="[^"]*"')


def formula_cell(formula: str, value: Any, style: int | None = None) -> CellMaker:
    """A maker of a formula cell: *formula* (without ``=``) and its cached result *value* (a number, a text,
    a boolean; None or ``""``: an empty text). The cell keeps the attributes it had but its type; *style*
    (an index of ``<cellXfs>``) is given to a cell that has none.

    >>> set_cells(b'<sheetData><row r="5"><c r="I5" s="2"><v>7</v></c></row></sheetData>', {"I5": formula_cell("A5*2", 4)})
    b'<sheetData><row r="5"><c r="I5" s="2"><f>A5*2</f><v>4</v></c></row></sheetData>'
    >>> set_cells(b'<sheetData/>', {"B2": formula_cell('IF(A2="","",A2)', None, 3)})
    b'<sheetData><row r="2"><c r="B2" s="3" t="str"><f>IF(A2="","",A2)</f><v></v></c></row></sheetData>'
    """
    def make(prefix: bytes, ref: bytes, attrs: bytes) -> bytes:
        attrs = _TYPE_ATTR.sub(b"", attrs) if attrs else b' r="' + ref + b'"'
        if style is not None and not _S_ATTR.search(attrs):
            attrs += f' s="{style}"'.encode()
        if isinstance(value, bool):
            kind, text = b' t="b"', b"1" if value else b"0"
        elif isinstance(value, (int, float)) and is_cell_number(float(value)):
            kind, text = b"", _number(value)
        else:
            kind, text = b' t="str"', escape(xml_text("" if value is None else str(value))).encode()
        p = prefix
        return (b"<" + p + b"c" + attrs + kind + b"><" + p + b"f>" + escape(formula).encode()
                + b"</" + p + b"f><" + p + b"v>" + text + b"</" + p + b"v></" + p + b"c>")
    return make


_STYLED = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*?\bs="([0-9]+)"'
                     rb'|<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\bs="([0-9]+)"[^>]*?\br="([A-Z]{1,3})([0-9]+)"')


def cell_styles(xml: bytes, columns: set[str]) -> dict[str, int]:
    """The style index (``s``) of every cell of *xml* in the columns (letters) of *columns*: A1 address -> index.

    >>> cell_styles(b'<row r="2"><c r="A2" s="3"/><c s="4" r="B2"><v>1</v></c><c r="C2"/></row>', {"A", "B", "C"})
    {'A2': 3, 'B2': 4}
    """
    out = {}
    wanted = {c.encode() for c in columns}
    for m in _STYLED.finditer(xml):
        col, row, style = (m[1], m[2], m[3]) if m[1] else (m[5], m[6], m[4])
        if col in wanted:
            out[(col + row).decode()] = int(style)
    return out


_VALUE = re.compile(rb'<(?P<p>[A-Za-z_][\w.-]*:)?v>[^<]*</(?P=p)?v>|<(?P<q>[A-Za-z_][\w.-]*:)?v\s*/>')


def set_errors(xml: bytes, cells: set[str], error: bytes = b"#NUM!") -> bytes:
    """*xml* with the value of each cell of *cells* (A1 addresses) replaced by the error *error*, its formula kept.

    What a copy of a team's workbook does with a ``<v>`` no cell can hold (``nan``, ``inf``): Excel would refuse
    the whole file; ``#NUM!`` is what Excel shows for a number beyond its range.

    >>> set_errors(b'<sheetData><row r="5"><c r="I5" s="2"><v>nan</v></c><c r="J5"><f>I5</f><v>inf</v></c></row></sheetData>', {"I5", "J5"})
    b'<sheetData><row r="5"><c r="I5" s="2" t="e"><v>#NUM!</v></c><c r="J5" t="e"><f>I5</f><v>#NUM!</v></c></row></sheetData>'
    """
    def patch(cell: re.Match) -> bytes:
        ref = _R_ATTR.search(cell["attrs"])
        if ref is None or (ref[1] + ref[2]).decode() not in cells or cell["body"] is None:
            return cell.group(0)
        p = cell["p"] or b""
        body = _VALUE.sub(lambda v: b"<" + p + b"v>" + error + b"</" + p + b"v>", cell["body"], count=1)
        return b"<" + p + b"c" + _TYPE_ATTR.sub(b"", cell["attrs"]) + b' t="e">' + body + b"</" + p + b"c>"
    return _CELL.sub(patch, xml) if cells else xml


def _row_number(attrs: bytes) -> int:
    match = re.search(rb'\br="(\d+)"', attrs)
    if match is None:
        raise ValueError("a row without its r attribute: cannot place cells safely")
    return int(match[1])


def _new_row(prefix: bytes, number: int, cells: dict[int, tuple[bytes, CellMaker]]) -> bytes:
    body = b"".join(make(prefix, ref, b"") for _, (ref, make) in sorted(cells.items()))
    return b"<" + prefix + b'row r="' + str(number).encode() + b'">' + body + b"</" + prefix + b"row>"


def _patch_row(row: re.Match, prefix: bytes, cells: dict[int, tuple[bytes, CellMaker]]) -> bytes:
    body = row["body"] or b""
    out, pos = [], 0
    pending = dict(cells)
    for cell in _CELL.finditer(body):
        ref = _R_ATTR.search(cell["attrs"])
        if ref is None:
            raise ValueError("a cell without its r attribute: cannot place cells safely")
        column = _column_number(ref[1])
        for missing in sorted(c for c in pending if c < column):
            new_ref, make = pending.pop(missing)
            out += [body[pos:cell.start()], make(prefix, new_ref, b"")]
            pos = cell.start()
        if column in pending:
            address, make = pending.pop(column)
            out += [body[pos:cell.start()], make(cell["p"] or prefix, address, cell["attrs"])]
            pos = cell.end()
    out += [body[pos:], *(make(prefix, ref, b"") for _, (ref, make) in sorted(pending.items()))]
    head = row.group(0)[:row.start("attrs") - row.start()] + row["attrs"]
    return head + b">" + b"".join(out) + b"</" + (row["p"] or b"") + b"row>"


_CALC_PR = re.compile(rb'<(?P<p>[A-Za-z_][\w.-]*:)?calcPr\b(?P<attrs>[^>]*?)(?P<end>/?>)')
_FULL_CALC = re.compile(rb'\s+fullCalcOnLoad="[^"]*"')
#: Elements that follow calcPr in a workbook part (ECMA-376 CT_Workbook sequence).
_AFTER_CALC_PR = (b"oleSize", b"customWorkbookViews", b"pivotCaches", b"smartTagPr", b"smartTagTypes",
                  b"webPublishing", b"fileRecoveryPr", b"webPublishObjects", b"extLst")


def recalculate_on_open(workbook_xml: bytes) -> bytes:
    """The workbook part with ``<calcPr fullCalcOnLoad="1">``: Excel recalculates every formula on opening.

    >>> recalculate_on_open(b'<workbook><sheets/><calcPr calcId="191029"/></workbook>')
    b'<workbook><sheets/><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>'
    >>> recalculate_on_open(b'<workbook><sheets/><extLst/></workbook>')
    b'<workbook><sheets/><calcPr fullCalcOnLoad="1"/><extLst/></workbook>'
    """
    match = _CALC_PR.search(workbook_xml)
    if match:
        attrs = _FULL_CALC.sub(b"", match["attrs"]).rstrip() + b' fullCalcOnLoad="1"'
        return (workbook_xml[:match.start()] + b"<" + (match["p"] or b"") + b"calcPr" + attrs + match["end"]
                + workbook_xml[match.end():])
    root = re.search(rb'<(?P<p>[A-Za-z_][\w.-]*:)?workbook\b', workbook_xml)
    prefix = (root["p"] or b"") if root else b""
    element = b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>'
    positions = [m.start() for name in _AFTER_CALC_PR
                 if (m := re.search(rb"<" + re.escape(prefix) + name + rb"\b", workbook_xml))]
    at = min(positions) if positions else workbook_xml.rindex(b"</" + prefix + b"workbook>")
    return workbook_xml[:at] + element + workbook_xml[at:]
