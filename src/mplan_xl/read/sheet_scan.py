"""The scan of a worksheet's XML: its extent checked against the limits, its formulas (shared ones
expanded) and its cached error values, without building a tree (a fast path and an expat fallback)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NoReturn
from xml.parsers import expat

from ..core.a1 import column_index
from ..core.errors import UnreadableWorkbook
from .reader_limits import MIB, Limits, _corrupt, _invalid_xml, _oversized
from .shared_formulas import _A1, _has_a1_refs, _valid_col, _valid_row, _xml_text, shift_formula
from .xml_safety import _MAIN_NSS


@dataclass
class _SheetScan:
    """What the byte-level scan of one sheet's XML found."""

    formulas: dict[tuple[int, int], str]
    cached_types: dict[tuple[int, int], str]
    errors: dict[tuple[int, int], str]
    array_ranges: dict[tuple[int, int], str]
    has_cells: bool
    # Last row and column numbers (1-based) when they were counted; a sheet
    # whose cells cannot reach the limits is not counted (see _within_limits).
    extent: tuple[int, int] | None = field(default=None, compare=False)


# Possessive quantifiers: no backtracking, so a failed match at a cell costs a few steps.
_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}+)([0-9]{1,7}+)"([^>]*+)>\s*+<f\b([^>]*?)(?:/>|>([^<]*+)</f>)')
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}+)([0-9]{1,7}+)"[^>]*?\st="e"[^>]*+>\s*+(?:<f\b[^>]*?(?:/>|>[^<]*+</f>)\s*+)?<v>([^<]*+)</v>')
# A cell holding something python-calamine would place in its grid (a value,
# an inline string, even empty) or a formula: an empty styled cell does not count.
_CONTENT_CELL = re.compile(rb'<c r="([A-Z]{1,3}+)([0-9]{1,7}+)"[^>]*+(?<!/)>\s*+<(?:v>[^<]|f[\s/>]|is[\s/>])')
# What the fast path relies on, checked before trusting it: every <c> starts
# with a well-formed r attribute; inside <sheetData> no namespace declaration,
# no prefixed element, no comment, CDATA section or processing instruction
# (where a parser would see no element the patterns would see one).
_ODD_CELL = re.compile(rb'<c(?! r="[A-Z]{1,3}+[0-9]{1,7}+"[\s/>]|[A-Za-z])')
# Searched from just after the opening <sheetData, in one pass (each branch starts at "<"): the opening tag of
# each formula, counted (group 1: a <f> the cell pattern did not see means the exact parse), and what is not plain
# (no group): a comment, CDATA section or processing instruction, a second <sheetData, a prefixed element.
_TAGS = re.compile(rb"<(?:(f)[ >]|[!?]|sheetData|/?[A-Za-z_][\w.-]*+:)")
# Then a namespace declaration.
_XMLNS = re.compile(rb"xmlns")
_ROOT = re.compile(rb'<(?:worksheet|macrosheet)\s[^>]*?\bxmlns="([^"]*)"')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_T_ATTR = re.compile(rb'\st="(\w+)"')
# The elements of a cell, whatever namespace python-calamine finds them in (it matches local names).
_CELL_PARTS = frozenset(("sheetData", "row", "c", "f", "v", "is", "t", "r"))
# SpreadsheetML, transitional or strict; and no namespace at all, which a few writers produce and python-calamine reads.
_CELL_NSS = ("", *_MAIN_NSS)


def _oversized_extent(max_row: int, max_col: int, limits: Limits, sheet: str) -> UnreadableWorkbook | None:
    if max_row > limits.max_rows:
        return _oversized("rows", max_row, limits.max_rows, sheet=sheet)
    if max_col > limits.max_columns:
        return _oversized("columns", max_col, limits.max_columns, sheet=sheet)
    if max_row * max_col > limits.max_cells:
        return _oversized("cells", max_row * max_col, limits.max_cells, sheet=sheet)
    return None


def scan_sheet(xml: bytes, limits: Limits = Limits(), sheet: str = "") -> _SheetScan:
    """Scan one worksheet's XML: enforce the extent limits, collect formulas and cached errors.

    The extent is that of the cells holding a value or a formula, exactly as
    python-calamine will lay them out (it is handed the sheet only once the
    extent is known to be within the limits, since it allocates a dense grid
    as large). The fast path is a handful of regular-expression passes over
    the bytes; it relies on what every spreadsheet writer does (one default
    namespace, unprefixed elements, an ``r`` attribute first on every
    ``<c>``, no comment or CDATA section among the cells) and checks it
    before trusting it, so it sees exactly what an XML parser sees. Any other
    sheet goes through the expat parse, which follows the XML exactly (DTDs
    refused) and stops as soon as a limit is passed.
    """
    start, end = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    root = _ROOT.search(xml, 0, start if start >= 0 else 4096)
    if root and root.group(1).decode("ascii", "replace") in _MAIN_NSS and 0 <= start < end:
        tags = _TAGS.findall(xml, start + 1, end)
        if b"" not in tags and not _XMLNS.search(xml, start + 1, end) and xml.find(b"<sheetData", end) < 0:
            # One pass finds the first cell that is odd or may reach a limit; only then is it told which.
            screen = _screen_pattern(limits)
            flagged = (screen or _ODD_CELL).search(xml, start, end)
            if flagged is None or not _ODD_CELL.search(xml, flagged.start(), end):
                scan = _scan_fast(xml, limits, sheet, start, end, len(tags),
                                  within=screen is not None and flagged is None)
                if scan is not None:
                    return scan
    return _scan_expat(xml, limits, sheet)


def _formula_slices(xml: bytes, begin: int, end: int):
    """The formula cells of *xml* between *begin* and *end* as lists of tuples of raw bytes, one list per slice."""
    for start, stop in _row_chunks(xml, begin, end):
        yield _FORMULA_CELL.findall(xml, start, stop)


#: The opening tags of formulas, to count them when :data:`_TAGS` has not.
_F_OPEN = re.compile(rb"<f[ >]")


def _scan_fast(xml: bytes, limits: Limits, sheet: str, begin: int, end: int, opened: int | None = None,
               within: bool | None = None) -> _SheetScan | None:
    """The regular-expression scan of ``<sheetData>`` (from *begin* to *end*) holding *opened* ``<f>`` elements
    (None: count them); None when it needs the exact parse.

    *within*: whether the caller already knows that no cell can reach a limit (None: look)."""
    if opened is None:
        opened = len(_F_OPEN.findall(xml, begin, end))
    extent = None
    if not (_within_limits(xml, limits, begin, end) if within is None else within or _within_wide(
            xml, limits, begin, end)):
        extent = _exact_extent(xml, begin, end)
        error = _oversized_extent(*extent, limits, sheet)
        if error:
            raise error
    cells = _Cells()
    for found in _formula_slices(xml, begin, end):
        cells.add(found)
    if opened != cells.matched:
        return None  # a <f> the pattern did not see (not the cell's first child...): parse exactly
    if not cells.finish():   # a cell given twice: the later one wins, as the parser sees them, in order
        cells = _Cells()
        for found in _formula_slices(xml, begin, end):
            cells.add_in_order(found)
    _resolve_shared(cells.formulas, cells.types, cells.masters, cells.followers, limits, sheet)
    errors: dict[tuple[int, int], str] = {}
    for letters, digits, value in _error_cells(xml, begin, end):
        errors[(int(digits) - 1, column_index(letters.decode()))] = _xml_text(value)
    return _SheetScan(cells.formulas, cells.types, errors, cells.arrays,
                      _CONTENT_CELL.search(xml, begin, end) is not None, extent)


#: Column letters already converted (at most 18,278 three-letter names).
_COLUMNS: dict[bytes, int] = {}
#: Formula texts already decoded: plans of one template repeat the same few hundred texts, file after file.
_TEXTS: dict[bytes, str] = {}
_TEXTS_KEPT = 20_000


def _decoded_texts(bodies: Any) -> Any:
    """``dict.__getitem__`` of a table holding the text of each of *bodies* (raw ``<f>`` contents): the texts
    already decoded come from the process's cache, the others are decoded and added to it (emptied when full).
    The table is the slice's own, so it is complete whatever happens to the cache meanwhile."""
    distinct = set(bodies)
    texts = {body: text for body in distinct if (text := _TEXTS.get(body)) is not None}
    if len(texts) < len(distinct):
        decoded = {body: _xml_text(body) for body in distinct.difference(texts)}
        texts.update(decoded)
        if len(_TEXTS) + len(decoded) > _TEXTS_KEPT:
            _TEXTS.clear()
        _TEXTS.update(decoded)
    return texts.__getitem__


class _Cells:
    """The formula cells of one sheet, decoded slice by slice into formulas, cached types, array ranges and the
    parts of shared formulas. A slice's plain cells (no attribute on ``<f>``: nearly all of them) are decoded
    column-wise at C speed (``map``, ``zip``, ``dict``); that is exact as long as no cell is given twice, which
    :meth:`finish` checks; otherwise :meth:`add_in_order` decodes them one by one, in document order."""

    def __init__(self) -> None:
        self.formulas: dict[tuple[int, int], str] = {}
        self.types: dict[tuple[int, int], str] = {}
        self.arrays: dict[tuple[int, int], str] = {}
        self.masters: dict[bytes, tuple[int, int, str, bool]] = {}
        self.followers: list[tuple[int, int, bytes]] = []
        self.matched = 0
        self._cell_types: dict[bytes, str] = {}
        self._data_tables: list[tuple[int, int]] = []

    def _type_of(self, c_attrs: bytes) -> str:
        found = _T_ATTR.search(c_attrs)
        return found.group(1).decode() if found else "n"

    def add(self, found: list[tuple[bytes, bytes, bytes, bytes, bytes]]) -> None:
        if not found:
            return
        self.matched += len(found)
        letters, digits, c_attrs, f_attrs, bodies = zip(*found)
        for name in set(letters).difference(_COLUMNS):
            _COLUMNS[name] = column_index(name.decode())
        types = self._cell_types
        for attrs in set(c_attrs).difference(types):
            types[attrs] = self._type_of(attrs)
        positions = list(zip(map((-1).__add__, map(int, digits)), map(_COLUMNS.__getitem__, letters)))
        self.types.update(zip(positions, map(types.__getitem__, c_attrs)))
        text_of = _decoded_texts(bodies)
        if not any(f_attrs):
            self.formulas.update(zip(positions, map(text_of, bodies)))
            return
        for pos, attrs, body in zip(positions, f_attrs, bodies):
            self._formula(pos, attrs, body, text_of(body), self._data_tables.append)

    def _formula(self, pos: tuple[int, int], f_attrs: bytes, body: bytes, text: str, data_table: Any) -> None:
        """One cell's formula, by the kind its ``<f>`` attributes give."""
        if not f_attrs or f_attrs.isspace():
            self.formulas[pos] = text
            return
        attrs = dict(_ATTR.findall(f_attrs))
        kind = attrs.get(b"t", b"normal")
        if kind == b"shared":
            si = attrs.get(b"si", b"")
            if body:
                self.formulas[pos] = text
                self.masters[si] = (pos[0], pos[1], text, _has_a1_refs(text))
            else:
                self.followers.append((pos[0], pos[1], si))
        elif kind == b"array":
            self.formulas[pos] = text
            self.arrays[pos] = attrs.get(b"ref", b"").decode()
        elif kind == b"dataTable":
            data_table(pos)
        else:
            self.formulas[pos] = text

    def finish(self) -> bool:
        """Drop the cached type of data-table cells; False when some cell was given twice (decode in order)."""
        if len(self.types) != self.matched:
            return False
        for pos in self._data_tables:
            del self.types[pos]
        return True

    def add_in_order(self, found: list[tuple[bytes, bytes, bytes, bytes, bytes]]) -> None:
        """:meth:`add`, one cell after the other: a cell given again replaces what the earlier one gave."""
        types = self._cell_types
        for letters, digits, c_attrs, f_attrs, body in found:
            pos = (int(digits) - 1, column_index(letters.decode()))
            kind = types.get(c_attrs)
            if kind is None:
                kind = types[c_attrs] = self._type_of(c_attrs)
            self.types[pos] = kind
            self._formula(pos, f_attrs, body, _xml_text(body), self.types.__delitem__)


_CHUNK = 8 * MIB


def _row_chunks(xml: bytes, begin: int, end: int) -> list[tuple[int, int]]:
    """(start, stop) slices of about 8 MiB from *begin* to *end* that stop after a ``</row>``, so no cell is cut.

    Scanning slice by slice keeps the temporary lists of a huge sheet small.
    """
    chunks, start = [], begin
    while start < end:
        stop = xml.find(b"</row>", start + _CHUNK, end)
        stop = end if stop < 0 else stop + len(b"</row>")
        chunks.append((start, stop))
        start = stop
    return chunks


def _reach_digits(limits: Limits) -> int:
    """The largest count of row digits with which a cell of a single-letter column cannot reach *limits*.

    With single-letter columns (at most 26) and row numbers of at most
    *digits* digits, the extent is at most 26 x (10**digits - 1); *digits* is
    the largest count keeping that within every limit (0: none does). A cell with a
    two-letter column or a longer row number is a reason to count exactly.
    """
    if limits.max_columns < 26:
        return 0
    digits = 0
    while 10 ** (digits + 1) - 1 <= limits.max_rows and 26 * (10 ** (digits + 1) - 1) <= limits.max_cells:
        digits += 1
    return digits


@lru_cache(maxsize=16)
def _reach_pattern(limits: Limits) -> re.Pattern | None:
    """A pattern matching any cell that could put the extent past *limits* (:func:`_reach_digits`), or None if
    every cell could."""
    digits = _reach_digits(limits)
    return re.compile(rb'<c r="(?:[A-Z]{2}|[A-Z][0-9]{%d})' % (digits + 1)) if digits else None


@lru_cache(maxsize=16)
def _screen_pattern(limits: Limits) -> re.Pattern | None:
    """A pattern matching any cell that :data:`_ODD_CELL` or :func:`_reach_pattern` matches, so that a plain
    sheet is screened in one pass; None if every cell could reach *limits*."""
    digits = _reach_digits(limits)
    return re.compile(rb'<c(?! r="[A-Z][0-9]{1,%d}+"[\s/>]|[A-Za-z])' % digits) if digits else None


@lru_cache(maxsize=16)
def _wide_pattern(limits: Limits) -> re.Pattern | None:
    """A pattern matching any cell of three column letters, or with more row digits than a sheet of two-letter
    columns (at most ZZ, 702) may have without reaching *limits*; None if two-letter columns may reach them."""
    digits = 0
    if limits.max_columns >= 702:
        while 10 ** (digits + 1) - 1 <= limits.max_rows and 702 * (10 ** (digits + 1) - 1) <= limits.max_cells:
            digits += 1
    return re.compile(rb'<c r="(?:[A-Z]{3}|[A-Z]{1,2}[0-9]{%d})' % (digits + 1)) if digits else None


def _within_wide(xml: bytes, limits: Limits, begin: int, end: int) -> bool:
    """True when every cell of *xml* between *begin* and *end* has at most two column letters and few enough row
    digits that none can reach a limit (a dashboard's columns AA, AB...): one pass, where counting the extent takes
    a list of every cell."""
    pattern = _wide_pattern(limits)
    return pattern is not None and pattern.search(xml, begin, end) is None


#: Where a cached error value may be: its ``t`` attribute, found at C speed (a literal), then its cell matched.
_T_ERROR = re.compile(rb't="e"')


def _error_cells(xml: bytes, begin: int, end: int) -> list[tuple[bytes, bytes, bytes]]:
    """What ``_ERROR_CELL.findall(xml, begin, end)`` gives, matched only at the cells whose tag may hold
    ``t="e"``: the start of the last ``<c r="`` before each ``t="e"`` (a tag holds no ``<``, and a match never
    runs past its cell, so no match hides another)."""
    starts: dict[int, None] = {}
    for found in _T_ERROR.finditer(xml, begin, end):
        start = xml.rfind(b'<c r="', begin, found.start())
        if start >= 0:
            starts[start] = None
    cells: list[tuple[bytes, bytes, bytes]] = []
    for start in sorted(starts):
        match = _ERROR_CELL.match(xml, start, end)
        if match:
            cells.append((match[1], match[2], match[3]))
    return cells


def _within_limits(xml: bytes, limits: Limits, begin: int, end: int) -> bool:
    """True when no cell of *xml* between *begin* and *end* can reach a limit: one pass, no allocation."""
    pattern = _reach_pattern(limits)
    return pattern is not None and pattern.search(xml, begin, end) is None


def _exact_extent(xml: bytes, begin: int, end: int) -> tuple[int, int]:
    """(last row number, last column number) over the cells holding something, 1-based; (0, 0) without."""
    max_row = max_col = 0
    for start, stop in _row_chunks(xml, begin, end):
        cells = set(_CONTENT_CELL.findall(xml, start, stop))
        if cells:
            max_row = max(max_row, max(int(digits) for _, digits in cells))
            max_col = max(max_col, max(column_index(letters.decode()) for letters in {c for c, _ in cells}) + 1)
    return max_row, max_col


def _resolve_shared(formulas, types, masters, followers, limits: Limits, sheet: str) -> None:
    """Give each follower of a shared formula its master's text, shifted; the text to shift is bounded first.

    A master without A1 references (structured references only) is shared
    as it is: its followers hold the same string, which costs neither time
    nor memory, so only the text to shift counts towards the limit.
    """
    total = sum(len(masters[si][2]) for _, _, si in followers if si in masters and masters[si][3])
    if total > limits.max_formula_chars:
        raise _oversized("formula_chars", total, limits.max_formula_chars, sheet=sheet)
    for r, c, si in followers:
        master = masters.get(si)
        if master is None:  # a follower without its master: Excel would repair it away
            types.pop((r, c), None)
            continue
        mr, mc, text, has_refs = master
        formulas[(r, c)] = shift_formula(text, r - mr, c - mc) if has_refs else text


@dataclass
class _ExpatState:
    """Where the expat scan of one sheet stands (0-based row and column of the current cell)."""

    row: int = -1
    col: int = -1
    max_row: int = 0
    max_col: int = 0
    in_sheet_data: bool = False
    cell_t: str = "n"
    f: tuple[str, dict[str, str]] | None = None
    text: list[str] | None = None
    filled: bool = False


def _scan_expat(xml: bytes, limits: Limits, sheet: str) -> _SheetScan:
    """The exact, slower scan: an expat parse with DTDs and entities refused.

    Besides following the XML exactly, it refuses what python-calamine would
    read differently from an XML parser: cell elements in another namespace
    (python-calamine matches local names only) and a value in a CDATA section.
    """
    formulas: dict[tuple[int, int], str] = {}
    types: dict[tuple[int, int], str] = {}
    arrays: dict[tuple[int, int], str] = {}
    errors: dict[tuple[int, int], str] = {}
    masters: dict[bytes, tuple[int, int, str, bool]] = {}
    followers: list[tuple[int, int, bytes]] = []
    state = _ExpatState()

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, _, tag = name.rpartition("}")
        if ns not in _CELL_NSS:  # python-calamine reads any <sheetData> and the cells in it, whatever the namespace
            if tag == "sheetData" or state.in_sheet_data and tag in _CELL_PARTS:
                raise _corrupt("la feuille « {s} » contient des cellules hors de l'espace de noms SpreadsheetML",
                               "sheet '{s}' holds cells outside the SpreadsheetML namespace", s=sheet)
            return
        if tag == "sheetData":
            state.in_sheet_data = True
        elif not state.in_sheet_data:
            return
        elif tag == "row":
            r = attrs.get("r")
            state.row = _row_number(r, sheet) - 1 if r else state.row + 1
            state.col = -1
        elif tag == "c":
            ref = attrs.get("r")
            if ref:
                state.row, state.col = _cell_position(ref, sheet)
            else:
                state.col += 1
            state.cell_t = attrs.get("t", "n")
            state.filled = False
        elif tag in ("f", "v"):
            state.f = (tag, attrs)
            state.text = []
            state.filled = state.filled or tag == "f"
        elif tag == "is":
            state.filled = True

    def end(name: str) -> None:
        ns, _, tag = name.rpartition("}")
        if ns not in _CELL_NSS:
            return
        if tag == "sheetData":
            state.in_sheet_data = False
        elif tag == "c" and state.in_sheet_data and state.filled:
            row, col = state.row + 1, state.col + 1
            if row > state.max_row:
                state.max_row = row
            if col > state.max_col:
                state.max_col = col
            if row > limits.max_rows or col > limits.max_columns:
                error = _oversized_extent(row, col, limits, sheet)
                assert error is not None  # a row or column over its limit always gives one
                raise error  # stop parsing at once
        if tag not in ("f", "v") or state.f is None or state.text is None:  # f and text are set together
            return
        kind_tag, attrs = state.f
        text = "".join(state.text)
        state.f = state.text = None
        pos = (state.row, state.col)
        if kind_tag == "v":
            state.filled = state.filled or bool(text)
            if state.cell_t == "e":
                errors[pos] = text
            return
        kind = attrs.get("t", "normal")
        if kind == "dataTable":
            return
        types[pos] = state.cell_t
        if kind == "shared":
            si = attrs.get("si", "").encode()
            if text:
                formulas[pos] = text
                masters[si] = (pos[0], pos[1], text, _has_a1_refs(text))
            else:
                followers.append((pos[0], pos[1], si))
            return
        formulas[pos] = text
        if kind == "array":
            arrays[pos] = attrs.get("ref", "")

    def chars(data: str) -> None:
        if state.text is not None:
            state.text.append(data)

    def cdata() -> None:
        if state.f is not None and state.f[0] == "v":
            raise _corrupt("la feuille « {s} » range une valeur dans une section CDATA, ce qu'Excel ne fait jamais",
                           "sheet '{s}' stores a value in a CDATA section, which Excel never does", s=sheet)

    def refuse(*_args: Any) -> NoReturn:
        raise UnreadableWorkbook("unsafe-xml", part=sheet)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartCdataSectionHandler = cdata
    parser.buffer_text = True
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise _invalid_xml("", exc.lineno, exc.offset, sheet) from exc
    _resolve_shared(formulas, types, masters, followers, limits, sheet)
    error = _oversized_extent(state.max_row, state.max_col, limits, sheet)
    if error:
        raise error
    return _SheetScan(formulas, types, errors, arrays, state.max_row > 0, (state.max_row, state.max_col))


def _cell_position(ref: str, sheet: str) -> tuple[int, int]:
    """0-based (row, col) of a cell's ``r`` attribute, which must name a cell of Excel's grid."""
    m = _A1.fullmatch(ref)
    if not m or not (_valid_col(m.group(1).upper()) and _valid_row(m.group(2))):
        raise _corrupt("la feuille « {s} » contient une référence de cellule invalide ({r})",
                       "sheet '{s}' holds an invalid cell reference ({r})", s=sheet, r=ref[:20])
    return int(m.group(2)) - 1, column_index(m.group(1))


def _row_number(text: str, sheet: str) -> int:
    """The 1-based number of a row's ``r`` attribute, which must be a row of Excel's grid."""
    if not (text.isdigit() and len(text) <= 7 and _valid_row(text)):
        raise _corrupt("la feuille « {s} » contient un numéro de ligne invalide ({r})",
                       "sheet '{s}' holds an invalid row number ({r})", s=sheet, r=text[:20])
    return int(text)


__all__ = ["scan_sheet"]
