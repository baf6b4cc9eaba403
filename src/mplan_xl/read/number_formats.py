r"""Number formats a save in LibreOffice damaged: the figure shown divided by 1000.

Earlier releases wrote French formats with a bare space before the unit (``#,##0.00 "€"``, ``0.0 %``).
LibreOffice running in a French locale (whose thousands separator is a space) reads that space as its
thousands separator and writes the format back as ``#,##0.00,\€`` / ``0.0,%``: a thousands separator right
after the last digit scales the figure by 1000, so 133 130,00 € shows "133,13€" and a ROI of 151,4 % shows
"0,2%", in every spreadsheet that opens the file afterwards. This module recognises such a format
(:func:`is_scaled`) and finds the cells and conditional formats that use one (:func:`scaled_styles`,
:func:`scaled_cells`), from ``styles.xml`` read once and the sheet XML, without an Excel library.

Example:
    >>> is_scaled('#,##0.00,\\€'), is_scaled("0.0,%"), is_scaled('#,##0.00\\ "€"'), is_scaled('#,##0,"k€"')
    (True, True, False, False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.a1 import column_index
from ..core.plan import CURRENCIES
from .shared_formulas import _range_bounds
from .xml_safety import _local, _parse_xml

# A format section's figure ending in thousands separators, then only its unit: escaped characters, quoted
# text, a percent sign, a [$symbol-locale] currency, spaces.
_SCALED_TAIL = re.compile(r'[0#?](,+)((?:\\.|"[^"]*"|%|\[\$[^\]]*\]|[ \u00a0\u202f])+)$')
_UNIT_PART = re.compile(r'\\(.)|"([^"]*)"|\[\$([^\]-]*)[^\]]*\]|(%)')
_SECTIONS = re.compile(r'(?:"[^"]*"|\\.|\[[^\]]*\]|[^;"\\\[])+')
#: The units whose format a save damages: percent and the currencies a plan can hold (spaces aside).
_UNITS = frozenset({"%", "€", "$", "£", *(re.sub(r"\s", "", s) for s in CURRENCIES.values())})


def is_scaled(code: str) -> bool:
    r"""Whether the number format *code* shows a figure divided by 1000 by accident: a section whose digits end
    in a thousands separator right before a currency symbol or a percent sign (``#,##0.00,\€``, ``0.0,%``,
    ``#,##0," €"``). A deliberate scale shows its unit (``#,##0,"k€"``) and is not one.

    >>> is_scaled('#,##0.00," €"'), is_scaled("#,##0.0,\\%"), is_scaled("#,##0,"), is_scaled('0.0\\ %')
    (True, True, False, False)
    """
    for section in _SECTIONS.findall(code):
        tail = _SCALED_TAIL.search(section)
        if tail is None:
            continue
        unit = "".join("".join(p) for p in _UNIT_PART.findall(tail.group(2)))
        if re.sub(r"[\s\u00a0\u202f]", "", unit) in _UNITS:
            return True
    return False


@dataclass(frozen=True)
class ScaledStyles:
    """The styles of a workbook whose number format is scaled by accident."""

    #: Index in ``<cellXfs>`` of each cell style with such a format (a cell's ``s`` attribute).
    cell_styles: frozenset[int] = frozenset()
    #: Index in ``<dxfs>`` of each conditional-format style with such a format (a rule's ``dxfId``).
    conditional_styles: frozenset[int] = frozenset()
    #: The damaged format codes, in the order of the file.
    codes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cell_styles or self.conditional_styles)


def scaled_styles(part: str, xml: bytes | None) -> ScaledStyles:
    """The cell and conditional-format styles of ``styles.xml`` (*xml*, part name *part*) whose number
    format is scaled by accident; empty when there is none (or no styles part)."""
    if xml is None or not _MAYBE_SCALED.search(xml):
        return ScaledStyles()
    root = _parse_xml(part, xml)
    codes: dict[str, str] = {}
    cell_ids: list[str] = []
    dxf_codes: list[str | None] = []
    for el in root:
        tag = _local(el.tag)
        if tag == "numFmts":
            codes.update((f.get("numFmtId", ""), f.get("formatCode", "")) for f in el if _local(f.tag) == "numFmt")
        elif tag == "cellXfs":
            cell_ids = [xf.get("numFmtId", "0") for xf in el if _local(xf.tag) == "xf"]
        elif tag == "dxfs":
            for dxf in el:
                fmt = next((f for f in dxf if _local(f.tag) == "numFmt"), None)
                dxf_codes.append(None if fmt is None else fmt.get("formatCode", ""))
    damaged = {i for i, code in codes.items() if is_scaled(code)}
    damaged_dxf = [code for code in dxf_codes if code is not None and is_scaled(code)]
    return ScaledStyles(
        frozenset(i for i, fmt_id in enumerate(cell_ids) if fmt_id in damaged),
        frozenset(i for i, code in enumerate(dxf_codes) if code is not None and is_scaled(code)),
        tuple(dict.fromkeys([*(codes[i] for i in sorted(damaged, key=lambda i: int(i) if i.isdigit() else 0)),
                             *damaged_dxf])))


#: The format codes worth parsing ``styles.xml`` for: every format :func:`is_scaled` accepts has commas right after a
#: digit placeholder followed by something other than a digit placeholder (its unit). ``#,##0`` alone does not
#: match, so most workbooks skip the parse.
_MAYBE_SCALED = re.compile(rb'formatCode="[^"]*?[0#?],+[^0#?,]')
_STYLED_CELL = re.compile(rb'<(?:[\w.-]+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*?\bs="([0-9]+)"'
                          rb'|<(?:[\w.-]+:)?c\b[^>]*?\bs="([0-9]+)"[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_CONDITIONAL = re.compile(rb'<(?:[\w.-]+:)?conditionalFormatting\b[^>]*?\bsqref="([^"]*)"[^>]*>(.*?)'
                          rb'</(?:[\w.-]+:)?conditionalFormatting>', re.S)
_DXF_ID = re.compile(rb'<(?:[\w.-]+:)?cfRule\b[^>]*?\bdxfId="([0-9]+)"')


@dataclass
class ScaledCells:
    """Where one sheet uses a scaled format: its cells, 0-based (row, column), and the ranges of its conditional
    formats, each as its first and last cell."""

    cells: list[tuple[int, int]] = field(default_factory=list)
    ranges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def scaled_cells(sheet_xml: bytes, styles: ScaledStyles) -> ScaledCells:
    """The cells of one sheet's XML styled with a scaled format, and the ranges of its conditional formats
    showing one (a regular-expression pass, run only when the workbook has such a style)."""
    found = ScaledCells()
    if not styles:
        return found
    if styles.cell_styles:
        wanted = {str(i).encode() for i in styles.cell_styles}
        for m in _STYLED_CELL.finditer(sheet_xml):
            col, row, style = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(6), m.group(4))
            if style in wanted:
                found.cells.append((int(row) - 1, column_index(col.decode())))
    if styles.conditional_styles:
        for m in _CONDITIONAL.finditer(sheet_xml):
            if any(int(d) in styles.conditional_styles for d in _DXF_ID.findall(m.group(2))):
                for ref in m.group(1).decode().split():
                    try:
                        found.ranges.append(_range_bounds(ref))
                    except ValueError:   # not an A1 range: nothing to locate
                        continue
    return found


_FORMAT_CODE = re.compile(rb'(\bformatCode=")([^"]*)(")')


def unscaled(code: str) -> str:
    r"""*code* with each scaled section (:func:`is_scaled`) showing its figure whole again: the thousands
    separators before the unit become the escaped space the template writes there (none when the unit
    already starts with a space). Any other code is returned as it is.

    >>> print(unscaled('#,##0.00,\\€'), unscaled("0.0,%"), unscaled('#,##0," €";[Red]-#,##0," €"'), unscaled("0.0%"))
    #,##0.00\ \€ 0.0\ % #,##0" €";[Red]-#,##0" €" 0.0%
    """
    if not is_scaled(code):
        return code
    sections = []
    for section in _SECTIONS.findall(code):
        tail = _SCALED_TAIL.search(section)
        unit = "".join("".join(p) for p in _UNIT_PART.findall(tail.group(2))) if tail else ""
        if tail is not None and re.sub(r"[\s\u00a0\u202f]", "", unit) in _UNITS:
            spaced = re.match(r'(?:\\)?[ \u00a0\u202f]|"[ \u00a0\u202f]', tail.group(2)) is not None
            section = section[:tail.start(1)] + ("" if spaced else "\\ ") + section[tail.end(1):]
        sections.append(section)
    return ";".join(sections)


def unscale_formats(xml: bytes) -> tuple[bytes, list[tuple[str, str]]]:
    """A part's XML (``styles.xml``: cells' and conditional formats'; a chart's: its axes' and labels') with every
    scaled number format made whole (:func:`unscaled`), each ``formatCode`` attribute edited in place; and the
    (damaged, restored) codes, in file order."""
    from xml.sax.saxutils import escape, unescape

    changed: list[tuple[str, str]] = []

    def fix(m: re.Match) -> bytes:
        code = unescape(m[2].decode(), {"&quot;": '"', "&apos;": "'"})
        fixed = unscaled(code)
        if fixed == code:
            return m[0]
        changed.append((code, fixed))
        return m[1] + escape(fixed, {'"': "&quot;"}).encode() + m[3]

    return _FORMAT_CODE.sub(fix, xml), list(dict.fromkeys(changed))
