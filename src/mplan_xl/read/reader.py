"""Safe, fast raw reading of a returned workbook (``.xlsx`` / ``.xlsm``).

Finance gets dozens of plans back, from people and tools we do not control,
and validates them in one batch. This module is the layer that opens one such
file: it never modifies it, never hangs, never lets a hostile file exhaust
memory, and turns every way a file can be unreadable into one
:class:`UnreadableWorkbook` with a code from :data:`READ_ERRORS` and a message
and a hint in French and English. What it returns, a :class:`RawWorkbook`, is
the raw content the validation rules need: sheet names and states, Excel
Tables, defined names, custom document properties, the VBA project, external
links, and per sheet the cell values (python-calamine) and the formula texts
(a byte-level scan of the sheet XML).

This module opens the file and assembles the result; each other job has its module:

======================  ============================================================
:mod:`reader_limits`    the limits (:class:`Limits`) and the messages of a file beyond them
:mod:`sniff`            what a file that is not an OOXML package is (OLE, PDF, text...)
:mod:`zip_inflate`      the ZIP package read within limits, each member inflation capped
:mod:`xml_safety`       XML parts refused or re-encoded before the C parser sees them
:mod:`a1`               column letters and indexes
:mod:`shared_formulas`  formula text unescaped, shared formulas shifted to each cell
:mod:`sheet_scan`       a worksheet's extent, formulas and error values, without a tree
:mod:`number_formats`   number formats a LibreOffice save scaled by 1000, and the cells using them
:mod:`mplan_xl.read.package` OPC part names and relationship targets
======================  ============================================================

Order of the checks, each done before anything more expensive:

1. the path exists and is a file; its size is within :attr:`Limits.max_file_bytes`;
2. the magic bytes: a ZIP (``PK``), an OLE compound file (``D0 CF 11 E0``:
   a password-encrypted OOXML file, a legacy ``.xls``, a ``.doc``...), or
   anything else (empty, text/CSV, PDF, random bytes);
3. for a ZIP, the central directory: member count, duplicate names (OPC part
   names are case-insensitive), the declared uncompressed sizes and the
   per-member ratio; then the kind of document: the ODF ``mimetype``, or the
   main part, the target of ``_rels/.rels``' officeDocument relationship,
   with its content type from ``[Content_Types].xml`` (``Override`` for its
   name, else ``Default`` for its extension, as System.IO.Packaging writes);
4. the XML parts we or python-calamine read (package and workbook
   relationships, workbook, shared strings, styles, sheets, tables, custom
   properties) and the VBA project are inflated, hard-capped at the size the
   member declares (which passed the limits): a member that inflates to more
   is a zip bomb and is stopped one byte past its declared size; the CRC is
   checked too. Each must be UTF-8 or UTF-16 (transcoded) and free of
   ``<!DOCTYPE`` and ``<!ENTITY`` (the XML entity bombs and external
   entities live there), so no parser, ours or python-calamine's, ever sees
   a DTD. Parts nobody reads (a UTF-16 ``customXml`` item) are not opened;
5. every worksheet's extent, over the cells holding a value or a formula
   (``<dimension>`` and empty styled cells are not evidence: one pass looks
   for any cell able to reach a limit, and only then are they counted), is
   within :attr:`Limits.max_rows`, :attr:`Limits.max_columns` and
   :attr:`Limits.max_cells` *before* python-calamine is handed the sheet,
   since it allocates a dense grid as large as the extent. Cells in another
   namespace, which python-calamine would read (it matches local names) and
   an XML parser would not, are refused outright; so is a value in a CDATA
   section, which python-calamine would read as empty.

The workbook is never loaded with openpyxl: values come from python-calamine,
formulas from a regular-expression scan of the raw sheet XML, taken only where
it provably sees what an XML parser sees (one default SpreadsheetML namespace,
no prefixed element, comment, CDATA section or processing instruction inside
``<sheetData>``, an ``r`` first on every ``<c>``); any other sheet is parsed
exactly by expat. This is what makes reading more than ten times faster than
openpyxl.

Example:
    >>> wb = read_workbook("plan.xlsx")                      # doctest: +SKIP
    >>> wb.sheet_names[:2]                                   # doctest: +SKIP
    ['Accueil', 'Audit']
    >>> wb.tables["tblActions"].ref                          # doctest: +SKIP
    'A4:N34'
    >>> wb.values("Accueil")[4][2]                           # doctest: +SKIP
    2027.0
    >>> wb.formulas("Actions")[(4, 13)]                      # doctest: +SKIP
    'tblActions[[#This Row],[Gain]]-tblActions[[#This Row],[Coût]]'
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import math
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..core.a1 import column_index, column_letters
from ..core.errors import UnreadableWorkbook
from ..core.numbers import EXCEL_MAX_NUMBER, is_cell_number
from ..core.rules import READ_ERRORS
from ..core.text_safety import xml_forbidden, xml_text
from ..core.vocabulary import Label
from .number_formats import ScaledCells, ScaledStyles, scaled_cells, scaled_styles
from .package import rels_path, resolve
from .reader_limits import EXCEL_MAX_TEXT, Limits, _corrupt, _oversized
from .shared_formulas import _range_bounds, shift_formula
from .sheet_scan import _SheetScan, scan_sheet
from .sniff import EMPTY_ZIP_MAGIC, OLE_MAGIC, ZIP_MAGIC, _classify_compound, _classify_other
from .xml_safety import _local, _parse_xml
from .zip_inflate import _Package


class CellError(str):
    """A cell's error value (``#DIV/0!``, ``#N/A``...), as cached in the file.

    It is a ``str`` equal to the error text, so it prints and compares like the
    text, while ``isinstance(value, CellError)`` tells it from a string a user
    typed.

    Example:
        >>> CellError("#N/A") == "#N/A", isinstance(CellError("#N/A"), CellError)
        (True, True)
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"CellError({str.__repr__(self)})"


class UnusableValue(str):
    """A cell value no command may compute with or write again, as the reader hands it on.

    The number of a ``<v>`` that Excel cannot hold (``nan``, ``inf``, ``1e400``,
    10,000 digits: :class:`NotANumber`) and a text longer than Excel's limit of
    :data:`~mplan_xl.read.reader_limits.EXCEL_MAX_TEXT` characters
    (:class:`TextTooLong`) are replaced, once, where the reader builds the grid:
    no figure counts them (they are not numbers), no writer copies them, and
    ``check`` reports each at its cell. It is a ``str``: a short text saying
    what the cell held.
    """

    __slots__ = ()


class NotANumber(UnusableValue):
    """A cell's number that Excel cannot hold: NaN, an infinity, beyond ±9.99999999999999E+307.

    >>> NotANumber.of(float("inf")), NotANumber.of(float("nan")), NotANumber.of(-1e308)
    (NotANumber('inf'), NotANumber('nan'), NotANumber('-1e+308'))
    """

    __slots__ = ()

    @classmethod
    def of(cls, value: float) -> "NotANumber":
        return cls(repr(value))

    def __repr__(self) -> str:
        return f"NotANumber({str.__repr__(self)})"


class TextTooLong(UnusableValue):
    """A cell's text longer than Excel's limit: its first characters and its length.

    >>> TextTooLong.of("x" * 40_000).length, len(TextTooLong.of("x" * 40_000))
    (40000, 41)
    """

    length: int
    #: How much of the text is kept, to show where it comes from.
    KEPT = 40

    @classmethod
    def of(cls, text: str) -> "TextTooLong":
        value = cls(f"{text[:cls.KEPT]}…")
        value.length = len(text)
        return value

    def __repr__(self) -> str:
        return f"TextTooLong({str.__repr__(self)}, length={self.length})"


def _usable(grid: list[list[Any]]) -> tuple[dict[tuple[int, int], UnusableValue], dict[tuple[int, int], str]]:
    """Make *grid* safe to hand on, in place: every value no command may use becomes an :class:`UnusableValue`,
    and every text loses the characters XML 1.0 forbids (NUL, ESC, BEL...: Excel stores them as ``_x001B_``;
    written into a copy or a report they would keep it from opening). Returns both, by cell: the unusable values,
    and the characters each cleaned text lost. The one place where a cell's value becomes what every command
    computes with.

    Each distinct value is looked at once (a sheet repeats "" and a few others), at the speed of C: the texts
    joined and searched by one pattern, their longest length, the numbers' sum (finite only when each is) and
    bounds; the cells are visited one by one only when one of those finds something."""
    found: dict[tuple[int, int], UnusableValue] = {}
    cleaned: dict[tuple[int, int], str] = {}
    distinct = set(itertools.chain.from_iterable(grid))
    texts = [value for value in distinct if value.__class__ is str]
    numbers = [value for value in distinct if value.__class__ is float]
    controls = xml_forbidden("".join(texts))
    if not controls and max(map(len, texts), default=0) <= EXCEL_MAX_TEXT and (not numbers or math.isfinite(
            sum(numbers)) and -EXCEL_MAX_NUMBER <= min(numbers) and max(numbers) <= EXCEL_MAX_NUMBER):
        return found, cleaned
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            kind = value.__class__
            if kind is float:
                if not is_cell_number(value):
                    found[r, c] = row[c] = NotANumber.of(value)
            elif kind is str:
                if len(value) > EXCEL_MAX_TEXT:
                    found[r, c] = row[c] = TextTooLong.of(xml_text(value))
                elif controls and xml_forbidden(value):
                    row[c] = xml_text(value)
                    cleaned[r, c] = "".join(ch for ch in value if xml_forbidden(ch))
    return found, cleaned


@dataclass
class TableInfo:
    """An Excel Table (ListObject) as declared in ``xl/tables/tableN.xml``.

    ``name`` is the display name, the one formulas use. Positions are 0-based;
    ``first_row`` is the header row. ``calculated`` maps a column name to the
    text of its calculated column formula (without ``=``), for the columns
    that have one.
    """

    name: str
    sheet: str
    ref: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    columns: list[str]
    calculated: dict[str, str]
    header_row_count: int = 1
    totals_row_count: int = 0

    def copy(self) -> "TableInfo":
        """A copy whose column list and formulas can be changed without changing this one."""
        return dataclasses.replace(self, columns=list(self.columns), calculated=dict(self.calculated))


@dataclass(frozen=True)
class SheetModel:
    """One worksheet as its one read gives it: the cell values (:meth:`RawWorkbook.values`), the formulas, the
    types of their cached results and the array formulas (from the scan of the sheet's XML), and the values no
    command may use. What :func:`~mplan_xl.read.plan_reader.locate_plan` maps onto the schema."""

    name: str
    values: list[list[Any]]
    formulas: dict[tuple[int, int], str]
    cached_types: dict[tuple[int, int], str]
    array_ranges: dict[tuple[int, int], str]
    unusable: dict[tuple[int, int], UnusableValue]


@dataclass
class RawWorkbook:
    """The raw content of a workbook, as the validation rules need it.

    Everything but the cell values is read by :func:`read_workbook`; values are
    read by python-calamine the first time a sheet is asked for and cached.
    ``sheet_kinds`` tells worksheets from chart sheets, Excel 4 macro sheets
    (``"macrosheet"``) and dialog sheets.
    """

    path: Path
    sheet_names: list[str]
    sheet_states: dict[str, str]
    tables: dict[str, TableInfo]
    defined_names: dict[str, str]
    custom_properties: dict[str, str]
    has_vba: bool
    vba_project: bytes | None
    external_links: list[str]
    sheet_kinds: dict[str, str] = field(default_factory=dict)
    recalculates_on_open: bool = False   # <calcPr fullCalcOnLoad="1">: Excel recalculates every formula on opening
    #: The sha256 of the file's bytes, hashed from the one read of the file.
    sha256: str | None = None
    #: The file's bytes from that one read: commands that write a copy of the workbook start from them.
    content: bytes | None = field(default=None, repr=False)
    #: Per worksheet, the cells and conditional formats whose number format a LibreOffice save scaled by
    #: accident (:mod:`mplan_xl.read.number_formats`); empty for a workbook without such a format.
    scaled_formats: dict[str, ScaledCells] = field(default_factory=dict, repr=False)
    #: Those damaged number formats (``#,##0.00,\€``).
    scaled_format_codes: tuple[str, ...] = ()
    #: The core document properties (docProps/core.xml) by local name: ``lastModifiedBy``, ``modified``,
    #: ``creator``, ``created`` (text as stored; empty when the part is absent).
    core_properties: dict[str, str] = field(default_factory=dict)
    _scans: dict[str, _SheetScan] = field(default_factory=dict, repr=False)
    _calamine: Any = field(default=None, repr=False)
    _values: dict[str, list[list[Any]]] = field(default_factory=dict, repr=False)
    _unusable: dict[str, dict[tuple[int, int], UnusableValue]] = field(default_factory=dict, repr=False)
    _cleaned: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict, repr=False)
    _models: dict[str, SheetModel] = field(default_factory=dict, repr=False)

    def values(self, sheet: str) -> list[list[Any]]:
        """The sheet's cached cell values as a grid from A1: ``grid[r][c]`` is cell (r, c), 0-based.

        Rows run from row 1 to the last row holding a value, each row from
        column A to the sheet's last column holding a value. Numbers are
        float (or int), dates ``datetime.date`` / ``datetime.datetime``
        according to the cell's number format, booleans bool, error values
        :class:`CellError`, empty cells ``""``. A formula cell holds its cached
        result. Chart, dialog and Excel 4 macro sheets give ``[]`` (their
        formulas are still in :meth:`formulas`).

        Raises :class:`UnreadableWorkbook` (``corrupt-workbook``) when the
        sheet's XML is damaged, KeyError for an unknown sheet.

        Example:
            >>> wb.values("Accueil")[4][2]          # cell C5   # doctest: +SKIP
            2027.0
        """
        cached = self._values.get(sheet)
        if cached is not None:
            return cached
        kind = self.sheet_kinds[sheet]  # KeyError for an unknown sheet
        scan = self._scans.get(sheet)
        grid = self._read_values(sheet, scan) if scan is not None and kind == "worksheet" else []
        self._unusable[sheet], self._cleaned[sheet] = _usable(grid)
        self._values[sheet] = grid
        return grid

    def sheet(self, sheet: str) -> SheetModel:
        """The model of worksheet *sheet*: values, formulas and the rest, each read once (KeyError for an unknown
        sheet, :class:`UnreadableWorkbook` when its values cannot be read)."""
        model = self._models.get(sheet)
        if model is None:
            values = self.values(sheet)
            scan = self._scan(sheet)
            model = self._models[sheet] = SheetModel(sheet, values, scan.formulas, scan.cached_types,
                                                     scan.array_ranges, self._unusable[sheet])
        return model

    def unusable(self, sheet: str) -> dict[tuple[int, int], UnusableValue]:
        """The sheet's cells whose value no command may use (:class:`UnusableValue`): (row, col) 0-based -> value."""
        self.values(sheet)
        return self._unusable[sheet]

    def cleaned(self, sheet: str) -> dict[tuple[int, int], str]:
        """The sheet's texts that held characters XML 1.0 forbids, which :meth:`values` leaves out:
        (row, col) 0-based -> the characters left out."""
        self.values(sheet)
        return self._cleaned[sheet]

    def _read_values(self, sheet: str, scan: _SheetScan) -> list[list[Any]]:
        if not scan.has_cells:
            return []
        if self._calamine is None:
            raise ValueError(f"{self.path}: closed; read the values of {sheet!r} before close()")
        try:
            grid = self._calamine.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:  # python-calamine raises its own exception types for damaged XML
            raise _corrupt("les valeurs de la feuille « {s} » sont illisibles",
                           "the values of sheet '{s}' cannot be read", s=sheet) from exc
        for (r, c), text in scan.errors.items():
            while len(grid) <= r:
                grid.append([""] * (len(grid[0]) if grid else 0))
            row = grid[r]
            if len(row) <= c:
                for other in grid:
                    other.extend([""] * (c + 1 - len(other)))
            row[c] = CellError(text)
        return grid

    def formulas(self, sheet: str) -> dict[tuple[int, int], str]:
        """Every formula of the sheet: (row, col) 0-based -> formula text without ``=``.

        The text is the file's (XML entities decoded): function names as
        stored (``_xlfn.`` prefixes included), structured references as Excel
        writes them (``tbl[[#This Row],[Col]]``). Cells of a shared formula
        (written once by Excel for a block filled down or across) get the
        master's text with their relative A1 references shifted, exactly as
        Excel derives them, so each cell reads as if it had been written on its
        own; structured references need no shift. An array formula is given
        at its anchor cell (see :meth:`array_ranges`).

        Example:
            >>> wb.formulas("Budget")[(5, 9)]       # doctest: +SKIP
            'tblBudget[[#This Row],[Prévu]]-tblBudget[[#This Row],[Réel]]'
        """
        return self._scan(sheet).formulas

    def cached_types(self, sheet: str) -> dict[tuple[int, int], str]:
        """The type of the cached result of each formula cell: the ``t`` attribute of ``<c>``.

        ``"n"`` number (the default), ``"str"`` text, ``"b"`` boolean, ``"e"``
        error, ``"d"`` ISO date, ``"s"`` shared string. Tells a formula that
        returns text from one that returns a number when both cache ``""``.
        """
        return self._scan(sheet).cached_types

    def array_ranges(self, sheet: str) -> dict[tuple[int, int], str]:
        """Array formulas: anchor (row, col) -> the A1 range the formula fills (e.g. ``"C2:C9"``)."""
        return self._scan(sheet).array_ranges

    def _scan(self, sheet: str) -> _SheetScan:
        scan = self._scans.get(sheet)
        if scan is None:
            if sheet not in self.sheet_kinds:
                raise KeyError(sheet)
            return _EMPTY_SCAN
        return scan

    def close(self) -> None:
        """Release python-calamine's copy of the file (cached values stay)."""
        if self._calamine is not None:
            self._calamine.close()
            self._calamine = None


_EMPTY_SCAN = _SheetScan({}, {}, {}, {}, False, (0, 0))


# --------------------------------------------------------------------------------------------------
# Entry point


def read_workbook(path: str | os.PathLike, limits: Limits = Limits()) -> RawWorkbook:
    """Read the workbook at *path* safely; raise :class:`UnreadableWorkbook` if it cannot be.

    The file is opened read-only, read once into memory, and never written.
    Any failure on a bad file, expected or not, ends as an
    :class:`UnreadableWorkbook` (an unexpected one as ``corrupt-workbook``).

    Example:
        >>> try:
        ...     read_workbook("does-not-exist.xlsx")
        ... except UnreadableWorkbook as err:
        ...     print(err.code)
        file-missing
    """
    path = Path(path)
    try:
        return _read(path, limits)
    except UnreadableWorkbook:
        raise
    except MemoryError as exc:
        raise UnreadableWorkbook("oversized-workbook", Label(
            "Le classeur est trop volumineux pour la mémoire disponible",
            "The workbook is too large for the available memory")) from exc
    except Exception as exc:  # the boundary: no traceback for a bad file, ever
        raise UnreadableWorkbook("corrupt-workbook", detail=UNEXPECTED_CONTENT) from exc


#: The detail of a damaged file whose fault has no more precise description.
UNEXPECTED_CONTENT = Label("son contenu ne suit pas le format Excel", "its content does not follow the Excel format")


def _read(path: Path, limits: Limits) -> RawWorkbook:
    data = _read_file(path, limits)
    head = data[:8]
    if head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC):
        return _read_zip(path, data, limits)
    if head == OLE_MAGIC:
        raise _classify_compound(data)
    raise _classify_other(data)


def _read_file(path: Path, limits: Limits) -> bytes:
    from .inputs import CHANGED, InputRefused, read_input, refusal_label

    try:
        st = path.stat()
        if st.st_size > limits.max_file_bytes and stat.S_ISREG(st.st_mode):
            raise _oversized("file_bytes", st.st_size, limits.max_file_bytes)
        data = read_input(path, limits.max_file_bytes)  # read-only, one read: later checks work on these bytes
    except FileNotFoundError as exc:
        raise UnreadableWorkbook("file-missing", path=str(path)) from exc
    except InputRefused as exc:
        raise UnreadableWorkbook("file-changed" if exc.reason is CHANGED else "file-missing", refusal_label(exc),
                                 path=str(path)) from exc
    except OSError as exc:
        raise UnreadableWorkbook("file-missing", Label("Fichier illisible : {path} ({detail})",
                                                       "File cannot be read: {path} ({detail})"),
                                 path=str(path), detail=exc.strerror or type(exc).__name__) from exc
    if len(data) > limits.max_file_bytes:  # grew since stat()
        raise _oversized("file_bytes", len(data), limits.max_file_bytes)
    return data


# --------------------------------------------------------------------------------------------------
# ZIP: central directory, kind of document, capped inflation

_SPREADSHEET_MAIN = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
_OTHER_MAIN = {
    "application/vnd.ms-excel.sheet.binary.macroEnabled.main": ("Excel binaire (.xlsb)", "Excel Binary (.xlsb)"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": ("Word (.docx)", "Word (.docx)"),
    "application/vnd.ms-word.document.macroEnabled.main+xml": ("Word (.docm)", "Word (.docm)"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": ("Word (.dotx)", "Word (.dotx)"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml":
        ("PowerPoint (.pptx)", "PowerPoint (.pptx)"),
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": ("PowerPoint (.pptm)", "PowerPoint (.pptm)"),
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml":
        ("PowerPoint (.ppsx)", "PowerPoint (.ppsx)"),
    "application/vnd.ms-visio.drawing.main+xml": ("Visio (.vsdx)", "Visio (.vsdx)"),
}
_ODF = {
    "application/vnd.oasis.opendocument.spreadsheet": ("OpenDocument tableur (.ods)", "OpenDocument spreadsheet (.ods)"),
    "application/vnd.oasis.opendocument.text": ("OpenDocument texte (.odt)", "OpenDocument text (.odt)"),
    "application/vnd.oasis.opendocument.presentation":
        ("OpenDocument présentation (.odp)", "OpenDocument presentation (.odp)"),
    "application/vnd.oasis.opendocument.graphics": ("OpenDocument dessin (.odg)", "OpenDocument drawing (.odg)"),
}
_SAVE_AS_XLSX = Label("Ouvrez-le dans son application (Excel, LibreOffice) et enregistrez-le au format "
                      "« Classeur Excel (.xlsx) », ou renvoyez le classeur du plan marketing.",
                      "Open it in its application (Excel, LibreOffice) and save it as 'Excel Workbook (.xlsx)', "
                      "or send back the marketing plan workbook.")

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
def _read_zip(path: Path, data: bytes, limits: Limits) -> RawWorkbook:
    content = data
    sha256 = hashlib.sha256(data).hexdigest()
    pkg = _Package(data, limits)
    workbook_part = _check_kind(pkg)

    def rels(source: str) -> tuple[tuple[str, str, str, str], ...]:
        """(type, id, target member or raw external target, target mode) of *source*'s relationships."""
        xml = pkg.xml(rels_path(source))
        if xml is None:
            return ()
        return _parsed_once(("rels", source, xml), lambda: _relationships(source, xml))

    wb_xml = pkg.part_xml(workbook_part)
    root = _parse_xml(workbook_part, wb_xml)
    wb_rels = {rid: (rtype, target, mode) for rtype, rid, target, mode in rels(workbook_part)}
    scaled = ScaledStyles()
    for rtype, target, mode in wb_rels.values():  # the other parts python-calamine reads: checked first
        if mode != "External" and rtype.endswith(("/sharedStrings", "/styles")):
            part = pkg.xml(target)
            if rtype.endswith("/styles"):
                scaled = scaled_styles(target, part)

    sheet_names: list[str] = []
    sheet_states: dict[str, str] = {}
    sheet_kinds: dict[str, str] = {}
    sheet_parts: dict[str, str] = {}
    defined_names: dict[str, str] = {}
    hidden: list[int] = []  # positions of the <sheet> elements python-calamine must not see
    recalculates_on_open = False
    position = -1
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "sheet":
            position += 1
            name = el.get("name", "")
            rid = el.get(f"{{{_REL_NS}}}id") or el.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
            if not rid:  # a sheet without a part (old LibreOffice Basic modules): skipped, as openpyxl does
                hidden.append(position)
                continue
            sheet_names.append(name)
            sheet_states[name] = el.get("state", "visible")
            if rid not in wb_rels:
                raise _corrupt("la feuille « {s} » n'a pas de relation vers sa partie",
                               "sheet '{s}' has no relationship to its part", s=name)
            rtype, target, _ = wb_rels[rid]
            kind = rtype.rpartition("/")[2].lower()
            sheet_kinds[name] = {"worksheet": "worksheet", "chartsheet": "chartsheet", "xlmacrosheet": "macrosheet",
                                 "xlintlmacrosheet": "macrosheet", "dialogsheet": "dialogsheet"}.get(kind, kind or "unknown")
            if sheet_kinds[name] in ("macrosheet", "dialogsheet"):
                hidden.append(position)  # python-calamine refuses a workbook declaring one
            if sheet_kinds[name] in ("worksheet", "macrosheet"):
                member = pkg.find(target) if target else None
                if member is None:
                    raise _corrupt("la feuille « {s} » n'a pas de partie XML", "sheet '{s}' has no XML part", s=name)
                sheet_parts[name] = member
        elif tag == "definedName" and el.get("localSheetId") is None:
            defined_names[el.get("name", "")] = el.text or ""
        elif tag == "calcPr":
            recalculates_on_open = el.get("fullCalcOnLoad") in ("1", "true")

    scans: dict[str, _SheetScan] = {}
    tables: dict[str, TableInfo] = {}
    scaled_formats: dict[str, ScaledCells] = {}
    for name, member in sheet_parts.items():
        sheet_xml = pkg.part_xml(member)
        scans[name] = scan_sheet(sheet_xml, limits, sheet=name)
        if scaled:
            scaled_formats[name] = scaled_cells(sheet_xml, scaled)
        dimension = _DIMENSION.search(sheet_xml, 0, 4096)
        if dimension and not _CELL_RANGE.fullmatch(dimension.group(1)):  # LibreOffice's "1:4": python-calamine fails
            pkg.for_calamine[member] = sheet_xml[:dimension.start()] + sheet_xml[dimension.end():]
        for rtype, _, target, mode in rels(member):
            if rtype.endswith("/table") and mode != "External":
                table_xml = pkg.xml(target)
                if table_xml is None:
                    raise _corrupt("le tableau {p} est absent", "table {p} is missing", p=target)
                info = _parsed_once(("table", name, table_xml), lambda: _parse_table(target, table_xml, name)).copy()
                tables[info.name] = info

    custom_properties: dict[str, str] = {}
    custom_part = next((t for rtype, _, t, _m in rels("") if rtype.endswith("/custom-properties")),
                       "docProps/custom.xml")
    custom_xml = pkg.xml(custom_part)
    if custom_xml is not None:
        for prop in _parse_xml(custom_part, custom_xml):
            prop_name = prop.get("name")
            if _local(prop.tag) == "property" and prop_name:
                value = next(iter(prop), None)
                custom_properties[prop_name] = (value.text or "") if value is not None else ""

    core_properties = _core_properties(pkg, rels(""))

    vba_member = next((pkg.find(t) for rtype, t, _m in wb_rels.values() if rtype.endswith("/vbaProject")), None) \
        or pkg.find("xl/vbaProject.bin")
    vba_project = pkg.read(vba_member) if vba_member else None

    external_links: list[str] = []
    for rtype, target, mode in wb_rels.values():
        if rtype.endswith("/externalLink"):
            paths = [t for rt, _, t, _m in rels(target) if "externalLinkPath" in rt or "xlPathMissing" in rt]
            external_links.extend(paths or [target])

    if hidden or pkg.for_calamine:
        data = _calamine_copy(pkg, workbook_part, hidden)
    calamine = _open_calamine(data)
    return RawWorkbook(path=path, sheet_names=sheet_names, sheet_states=sheet_states, tables=tables,
                       defined_names=defined_names, custom_properties=custom_properties,
                       core_properties=core_properties, has_vba=vba_member is not None, vba_project=vba_project, external_links=external_links,
                       sheet_kinds=sheet_kinds, recalculates_on_open=recalculates_on_open, sha256=sha256,
                       content=content, scaled_formats=scaled_formats, scaled_format_codes=scaled.codes,
                       _scans=scans, _calamine=calamine)


def _relationships(source: str, xml: bytes) -> tuple[tuple[str, str, str, str], ...]:
    out = []
    for rel in _parse_xml(rels_path(source), xml):
        if _local(rel.tag) != "Relationship":
            continue
        mode = rel.get("TargetMode", "Internal")
        target = rel.get("Target", "")
        out.append((rel.get("Type", ""), rel.get("Id", ""),
                    target if mode == "External" else resolve(source, target), mode))
    return tuple(out)


#: What small parts gave when parsed, by their exact bytes: the plans of a batch share their template's
#: relationships and table parts, which are then parsed once per process. Bounded; a failure is never kept.
_PARSED: dict[tuple[str, str, bytes], Any] = {}
_PARSED_BYTES = [0]
_PARSED_KEPT, _PARSED_LARGEST = 4 * 2**20, 64 * 1024


def _parsed_once(key: tuple[str, str, bytes], parse: Any) -> Any:
    found = _PARSED.get(key)
    if found is None:
        found = parse()
        size = len(key[2])
        if size <= _PARSED_LARGEST:
            if _PARSED_BYTES[0] + size > _PARSED_KEPT:
                _PARSED.clear()
                _PARSED_BYTES[0] = 0
            _PARSED[key] = found
            _PARSED_BYTES[0] += size
    return found


#: The core properties kept from docProps/core.xml.
CORE_PROPERTIES = ("creator", "created", "lastModifiedBy", "modified")


def _core_properties(pkg: Any, package_rels: Sequence[tuple[str, str, str, str]]) -> dict[str, str]:
    """``lastModifiedBy``, ``modified``, ``creator`` and ``created`` from the core properties part, when present."""
    part = next((t for rtype, _, t, _m in package_rels if rtype.endswith("/core-properties")), "docProps/core.xml")
    xml = pkg.xml(part)
    if xml is None:
        return {}
    found: dict[str, str] = {}
    for element in _parse_xml(part, xml):
        name, text = _local(element.tag), (element.text or "").strip()
        if name in CORE_PROPERTIES and text:
            found[name] = text
    return found


_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\b[^>]*?\bref="([^"]*)"[^>]*>')
_CELL_RANGE = re.compile(rb"[A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?")
_SHEET_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*>(?:\s*</(?:[\w.-]+:)?sheet>)?")


def _calamine_copy(pkg: _Package, workbook_part: str, hidden: list[int]) -> bytes:
    """A copy of the package as python-calamine can read it.

    python-calamine refuses a workbook that declares an Excel 4 macro or
    dialog sheet or a sheet without a part, reads XML in UTF-8 only and
    fails on a ``<dimension>`` that is no cell range (it is only a hint, which
    we never use): the copy lists no such sheet (they stay in
    :attr:`RawWorkbook.sheet_kinds` for the macros check), holds the UTF-8
    version of every UTF-16 part and no such ``<dimension>``.
    Only these rare files pay for the in-memory copy (the package has already
    passed every size and XML check).
    """
    replaced = dict(pkg.for_calamine)
    if hidden:
        xml = pkg.part_xml(workbook_part)
        drop = set(hidden)
        count = itertools.count()
        replaced[workbook_part] = _SHEET_ELEMENT.sub(lambda m: b"" if next(count) in drop else m.group(0), xml)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(pkg.data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            member = replaced.get(item.filename)
            zout.writestr(item, member if member is not None else pkg.read(item.filename))
    return out.getvalue()


def _open_calamine(data: bytes):
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # python-calamine's own exception types
        raise _corrupt("la structure du classeur est illisible", "the workbook's structure cannot be read") from exc


def _check_kind(pkg: _Package) -> str:
    """Refuse a ZIP that is not a spreadsheet (ODF, Word, PowerPoint, xlsb, a plain archive).

    Returns the member name of the workbook's main part.
    """
    mimetype = pkg.find("mimetype")
    if mimetype is not None and pkg.members[mimetype].file_size < 200:
        kind = pkg.read(mimetype).decode("ascii", "replace").strip()
        if kind in _ODF:
            raise UnreadableWorkbook("wrong-office-format", hint=_SAVE_AS_XLSX, format=Label(*_ODF[kind]))
        if kind.startswith("application/vnd.oasis.opendocument"):
            raise UnreadableWorkbook("wrong-office-format", hint=_SAVE_AS_XLSX,
                                     format=Label("OpenDocument", "OpenDocument"))
    main = _main_part(pkg)
    if main is None:
        raise UnreadableWorkbook("not-a-workbook", Label(
            "Ce fichier est une archive ZIP, pas un classeur Excel", "This file is a ZIP archive, not an Excel workbook"))
    ctype, part = main
    if ctype in _OTHER_MAIN:
        hint = _SAVE_AS_XLSX if ctype.startswith("application/vnd.ms-excel") else None
        raise UnreadableWorkbook("wrong-office-format", hint=hint, format=Label(*_OTHER_MAIN[ctype]))
    if ctype not in _SPREADSHEET_MAIN:
        raise UnreadableWorkbook("not-a-workbook", Label(
            "Ce fichier est un document Office qui n'est pas un classeur Excel ({t})",
            "This file is an Office document that is not an Excel workbook ({t})"), t=ctype)
    member = pkg.find(part)
    if member is None:
        raise _corrupt("la partie principale {p} est absente", "the main part {p} is missing", p=part.lstrip("/"))
    return member


def _main_part(pkg: _Package) -> tuple[str, str] | None:
    """(content type, part name) of the package's main document; None without ``[Content_Types].xml``.

    As the packaging spec says: the main part is the target of the package's
    ``officeDocument`` relationship (``_rels/.rels``), and its content type is
    the ``Override`` for its name or else the ``Default`` for its extension,
    both compared case-insensitively. System.IO.Packaging (so ClosedXML)
    declares it by a ``Default`` only. A package without that relationship
    is judged by the first main-document ``Override``.
    """
    member = pkg.find("[Content_Types].xml")
    if member is None:
        return None
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for el in _parse_xml(member, pkg.part_xml(member)):
        ctype = (el.get("ContentType") or "").strip()
        if _local(el.tag) == "Default":
            defaults.setdefault((el.get("Extension") or "").lower(), ctype)
        elif _local(el.tag) == "Override":
            overrides.setdefault("/" + (el.get("PartName") or "").lstrip("/").lower(), ctype)
    rels_xml = pkg.xml("_rels/.rels")
    if rels_xml is not None:
        for rel in _parse_xml("_rels/.rels", rels_xml):
            if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith("/officeDocument") \
                    and rel.get("TargetMode", "Internal") != "External":
                part = resolve("", rel.get("Target", ""))
                ctype = overrides.get("/" + part.lower()) or defaults.get(part.rpartition(".")[2].lower(), "")
                return ctype, part
    known = _SPREADSHEET_MAIN | set(_OTHER_MAIN)
    candidates = [(ctype, name) for name, ctype in overrides.items() if ctype in known or ctype.endswith(".main+xml")]
    if not candidates:
        raise _corrupt("[Content_Types].xml ne déclare aucun document principal",
                       "[Content_Types].xml declares no main document")
    return min(candidates, key=lambda c: c[0] not in known)


def _parse_table(part: str, xml: bytes, sheet: str) -> TableInfo:
    root = _parse_xml(part, xml)
    ref = root.get("ref", "")
    try:
        (r0, c0), (r1, c1) = _range_bounds(ref)
    except ValueError as exc:
        raise _corrupt("référence de tableau invalide {r} dans {p}", "invalid table reference {r} in {p}",
                       r=ref, p=part) from exc
    columns: list[str] = []
    calculated: dict[str, str] = {}
    for col in root.iter():
        if _local(col.tag) != "tableColumn":
            continue
        name = decode_xstring(col.get("name", ""))
        columns.append(name)
        for child in col:
            if _local(child.tag) == "calculatedColumnFormula" and child.text:
                calculated[name] = child.text
    return TableInfo(name=root.get("displayName") or root.get("name") or "", sheet=sheet, ref=ref,
                     first_row=r0, first_col=c0, last_row=r1, last_col=c1, columns=columns,
                     calculated=calculated, header_row_count=int(root.get("headerRowCount", "1")),
                     totals_row_count=int(root.get("totalsRowCount", "0")))


_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decode_xstring(text: str) -> str:
    """*text* with OOXML's ``_xHHHH_`` escapes decoded, as for cell text.

    Excel stores a table column name holding a line break (a header wrapped
    with Alt+Enter) as ``Handle_x000a_Bars``; ``_x005F_`` escapes an underscore.

    Example:
        >>> decode_xstring("Handle_x000a_Bars"), decode_xstring("a_x005F_x0041_")
        ('Handle\\nBars', 'a_x0041_')
    """
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


__all__ = ["CellError", "Limits", "NotANumber", "TextTooLong", "UnusableValue", "READ_ERRORS", "RawWorkbook", "TableInfo", "UnreadableWorkbook",
           "SheetModel", "column_index", "column_letters", "decode_xstring", "read_workbook", "scan_sheet", "shift_formula"]
