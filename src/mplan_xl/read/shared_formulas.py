"""Formula text of the sheet XML: XML unescaping, A1 bounds and the shifting of shared formulas
(a formula written once for a range, moved for each of its cells)."""

from __future__ import annotations

import re

from ..core.a1 import column_index, column_letters
from .reader_limits import EXCEL_MAX_COL, EXCEL_MAX_ROW

_A1 = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def _cell_bounds(ref: str) -> tuple[int, int]:
    m = _A1.fullmatch(ref)
    if not m:
        raise ValueError(f"not an A1 reference: {ref!r}")
    return int(m.group(2)) - 1, column_index(m.group(1))


def _range_bounds(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    first, _, last = ref.partition(":")
    start = _cell_bounds(first)
    return start, _cell_bounds(last) if last else start


# --------------------------------------------------------------------------------------------------
# Formula text: XML unescaping and shared-formula shifting

_XML_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(m: re.Match) -> str:
    key = m.group(1)
    if key[0] == "#":
        return chr(int(key[2:], 16) if key[1] in "xX" else int(key[1:]))
    return _NAMED[key]


def _xml_text(raw: bytes) -> str:
    """Element text as an XML parser gives it: line ends normalised, entities decoded.

    Formulas are full of ``&quot;``: the five named entities are replaced at C speed (``&amp;`` last, so an
    escaped ``&amp;lt;`` stays ``&lt;``); only a text holding a character reference goes through the pattern.
    """
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    text = raw.decode("utf-8")
    if "&" not in text:
        return text
    if "&#" in text:
        return _XML_ENTITY.sub(_entity, text)
    return text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'") \
        .replace("&amp;", "&")


# One token of a formula, by priority: a string literal, a quoted sheet name,
# a bracketed part (structured reference, external workbook index: never
# shifted), then A1 references: cell or cell range, column range, row range.
_BOUND_BEFORE = r"(?<![A-Za-z0-9_.\\$'\]])"
_BOUND_AFTER = r"(?![A-Za-z0-9_(\[.!'])"
_FORMULA_TOKEN = re.compile(
    r'(?P<str>"(?:[^"]|"")*")'
    r"|(?P<sheet>'(?:[^']|'')*')"
    r"|(?P<bracket>\[(?:[^\[\]']|'.|\[(?:[^\[\]']|'.)*\])*\])"
    r"|" + _BOUND_BEFORE + r"(?P<cell>(?P<d1>\$?)(?P<c1>[A-Za-z]{1,3})(?P<d2>\$?)(?P<r1>[0-9]{1,7})"
    r"(?::(?P<d3>\$?)(?P<c2>[A-Za-z]{1,3})(?P<d4>\$?)(?P<r2>[0-9]{1,7}))?)" + _BOUND_AFTER
    + r"|" + _BOUND_BEFORE + r"(?P<cols>(?P<e1>\$?)(?P<k1>[A-Za-z]{1,3}):(?P<e2>\$?)(?P<k2>[A-Za-z]{1,3}))"
    + _BOUND_AFTER
    + r"|" + _BOUND_BEFORE + r"(?P<rows>(?P<f1>\$?)(?P<n1>[0-9]{1,7}):(?P<f2>\$?)(?P<n2>[0-9]{1,7}))"
    + _BOUND_AFTER,
    re.S,
)


def _shift_col(dollar: str, letters: str, dc: int) -> str | None:
    index = column_index(letters)
    if dollar:
        return f"${letters.upper()}"
    index += dc
    return column_letters(index) if 0 <= index < EXCEL_MAX_COL else None


def _shift_row(dollar: str, digits: str, dr: int) -> str | None:
    row = int(digits)
    if dollar:
        return f"${row}"
    row += dr
    return str(row) if 1 <= row <= EXCEL_MAX_ROW else None


def _valid_col(letters: str) -> bool:
    return column_index(letters) < EXCEL_MAX_COL


def _valid_row(digits: str) -> bool:
    return 1 <= int(digits) <= EXCEL_MAX_ROW


def shift_formula(text: str, dr: int, dc: int) -> str:
    """*text* with its relative A1 references moved *dr* rows and *dc* columns, as Excel fills a formula.

    ``$``-anchored parts stay; string literals, quoted sheet names and
    bracketed parts (structured references) are left untouched; a reference
    pushed off the grid becomes ``#REF!``. This is how the cells of a shared
    formula derive their text from the master's.

    Example:
        >>> shift_formula('SUM(A1:$B2)*Sheet2!C$3&"A1"', 2, 1)
        'SUM(B3:$B4)*Sheet2!D$3&"A1"'
        >>> shift_formula("tbl[[#This Row],[Budget]]-E5", 1, 0)
        'tbl[[#This Row],[Budget]]-E6'
    """
    if dr == 0 and dc == 0:
        return text

    def repl(m: re.Match) -> str:
        if m.group("cell"):
            d1, c1, d2, r1, d3, c2, d4, r2 = m.group("d1", "c1", "d2", "r1", "d3", "c2", "d4", "r2")
            if not (_valid_col(c1) and _valid_row(r1)) or (c2 and not (_valid_col(c2) and _valid_row(r2))):
                return m.group(0)  # a name such as LOG10 or a three-letter label beyond XFD
            first = (_shift_col(d1, c1, dc), _shift_row(d2, r1, dr))
            if None in first:
                return "#REF!"
            out = f"{first[0]}{first[1]}"
            if c2:
                second = (_shift_col(d3, c2, dc), _shift_row(d4, r2, dr))
                if None in second:
                    return "#REF!"
                out += f":{second[0]}{second[1]}"
            return out
        if m.group("cols"):
            d1, c1, d2, c2 = m.group("e1", "k1", "e2", "k2")
            if not (_valid_col(c1) and _valid_col(c2)):
                return m.group(0)
            a, b = _shift_col(d1, c1, dc), _shift_col(d2, c2, dc)
            return "#REF!" if a is None or b is None else f"{a}:{b}"
        if m.group("rows"):
            d1, r1, d2, r2 = m.group("f1", "n1", "f2", "n2")
            if not (_valid_row(r1) and _valid_row(r2)):
                return m.group(0)
            a, b = _shift_row(d1, r1, dr), _shift_row(d2, r2, dr)
            return "#REF!" if a is None or b is None else f"{a}:{b}"
        return m.group(0)

    return _FORMULA_TOKEN.sub(repl, text)


def _has_a1_refs(text: str) -> bool:
    """True when *text* has an A1 reference outside strings and brackets (shifting could change it)."""
    return any(m.group("cell") or m.group("cols") or m.group("rows") for m in _FORMULA_TOKEN.finditer(text))
