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

import hashlib
import io
import itertools
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.parsers import expat

from xml.etree import ElementTree

from .a1 import column_index, column_letters  # noqa: F401  (part of this module's API)
from .errors import UnreadableWorkbook
from .package import rels_path, resolve
from .rules import READ_ERRORS
from .vocabulary import Label

MIB = 2**20

#: Magic bytes of the two container formats Office uses.
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: Excel's own grid size: references beyond it are names, not cells.
EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COL = 16_384


@dataclass(frozen=True)
class Limits:
    """What a returned workbook may weigh before we refuse to read it.

    The defaults are far above a real plan (a few hundred rows, ~100 KB) and
    well below what would hurt a batch run. ``max_rows`` and ``max_columns``
    bound the extent of a sheet as :meth:`RawWorkbook.values` returns it (from
    cell A1), so they apply to the last used row number and column number.
    ``max_cells`` bounds that extent's area: a sheet with one cell in A1 and
    one far away is a memory bomb for any dense reader even when both figures
    are within their own limit. Only cells holding a value or a formula
    count: an empty styled cell, a ``<dimension>`` reaching row 1,048,576
    (LibreOffice writes one once a row is deleted) weigh nothing.
    ``max_formula_chars`` bounds, per sheet, the text that shared formulas
    with A1 references expand to (one master filled down 60,000 rows is
    written once, but shifted 60,000 times). ``timeout_s`` is enforced by the caller (``check`` runs
    every file in a separate process); it is documented here with the other
    limits.
    """

    max_file_bytes: int = 50 * MIB
    max_uncompressed_bytes: int = 500 * MIB
    max_ratio: float = 200.0
    max_rows: int = 250_000
    max_columns: int = 1_000
    timeout_s: float = 30.0
    max_members: int = 10_000
    max_cells: int = 5_000_000
    max_formula_chars: int = 10_000_000


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
    _scans: dict[str, _SheetScan] = field(default_factory=dict, repr=False)
    _calamine: Any = field(default=None, repr=False)
    _values: dict[str, list[list[Any]]] = field(default_factory=dict, repr=False)

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
        self._values[sheet] = grid
        return grid

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
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise UnreadableWorkbook("file-missing", path=str(path)) from exc
    except OSError as exc:
        raise UnreadableWorkbook("file-missing", Label("Fichier inaccessible : {path} ({detail})",
                                                       "File not accessible: {path} ({detail})"),
                                 path=str(path), detail=exc.strerror or type(exc).__name__) from exc
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableWorkbook("file-missing", Label("Ce chemin n'est pas un fichier : {path}",
                                                       "This path is not a file: {path}"), path=str(path))
    if st.st_size > limits.max_file_bytes:
        raise _oversized("file_bytes", st.st_size, limits.max_file_bytes)
    try:
        with open(path, "rb") as fh:  # read-only, one read: later checks work on these bytes
            data = fh.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise UnreadableWorkbook("file-missing", Label("Fichier illisible : {path} ({detail})",
                                                       "File cannot be read: {path} ({detail})"),
                                 path=str(path), detail=exc.strerror or type(exc).__name__) from exc
    if len(data) > limits.max_file_bytes:  # grew since stat()
        raise _oversized("file_bytes", len(data), limits.max_file_bytes)
    return data


# --------------------------------------------------------------------------------------------------
# Limits and their messages

_LIMIT_LABELS = {
    "file_bytes": Label("taille du fichier", "file size"),
    "uncompressed_bytes": Label("taille décompressée", "uncompressed size"),
    "ratio": Label("taux de compression ({part})", "compression ratio ({part})"),
    "members": Label("nombre de parties de l'archive", "number of archive parts"),
    "rows": Label("lignes par feuille (feuille « {sheet} »)", "rows per sheet (sheet '{sheet}')"),
    "columns": Label("colonnes par feuille (feuille « {sheet} »)", "columns per sheet (sheet '{sheet}')"),
    "cells": Label("cellules par feuille (feuille « {sheet} »)", "cells per sheet (sheet '{sheet}')"),
    "formula_chars": Label("texte des formules partagées (feuille « {sheet} »)",
                           "shared formula text (sheet '{sheet}')"),
}


def _sizeLabel(n: float, exact: bool = False) -> Label:
    if exact:
        return Label(f"{int(n):,} octets".replace(",", "\u202f"), f"{int(n):,} bytes")
    if n >= MIB:
        fr, en = f"{n / MIB:.1f} Mio", f"{n / MIB:.1f} MiB"
    elif n >= 1024:
        fr, en = f"{n / 1024:.1f} Kio", f"{n / 1024:.1f} KiB"
    else:
        fr, en = f"{int(n)} octets", f"{int(n)} bytes"
    return Label(fr.replace(".", ","), en)


def _countLabel(n: float) -> Label:
    return Label(f"{int(n):,}".replace(",", "\u202f"), f"{int(n):,}")


def _oversized(limit: str, value: float, maximum: float, **where: str) -> UnreadableWorkbook:
    """The oversized-workbook error for *limit*, with the figure and the maximum in the message."""
    template = _LIMIT_LABELS[limit]
    name = Label(template.fr.format(**where), template.en.format(**where))
    if limit in ("file_bytes", "uncompressed_bytes"):
        shown, top = _sizeLabel(value), _sizeLabel(maximum)
        if shown == top:  # too close to tell apart once rounded
            shown, top = _sizeLabel(value, exact=True), _sizeLabel(maximum, exact=True)
    elif limit == "ratio":
        shown = Label(f"{value:.0f}:1", f"{value:.0f}:1")
        top = Label(f"{maximum:.0f}:1", f"{maximum:.0f}:1")
    else:
        shown, top = _countLabel(value), _countLabel(maximum)
    return UnreadableWorkbook("oversized-workbook", limit=name, value=shown, maximum=top)


# --------------------------------------------------------------------------------------------------
# Not a ZIP: compound files and everything else


def _classify_compound(data: bytes) -> UnreadableWorkbook:
    """An OLE compound file: encrypted OOXML, legacy .xls, another Office format or unknown."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # olefile raises OSError and assorted errors on damaged files
        return UnreadableWorkbook("corrupt-workbook", detail=Label(
            "fichier composé OLE illisible", "unreadable OLE compound file"))
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        return UnreadableWorkbook("encrypted-workbook")
    if "workbook" in streams or "book" in streams:
        return UnreadableWorkbook("legacy-xls")
    if "worddocument" in streams:
        return UnreadableWorkbook("wrong-office-format", format=Label("Word 97-2003 (.doc)", "Word 97-2003 (.doc)"))
    if "powerpoint document" in streams:
        return UnreadableWorkbook("wrong-office-format",
                                  format=Label("PowerPoint 97-2003 (.ppt)", "PowerPoint 97-2003 (.ppt)"))
    if "__substg1.0_0037001f" in streams or "__substg1.0_0037001e" in streams or any(
            s.startswith("__substg1.0_") for s in streams):
        return UnreadableWorkbook("wrong-office-format", format=Label("message Outlook (.msg)", "Outlook message (.msg)"))
    return UnreadableWorkbook("not-a-workbook", Label(
        "Ce fichier est un fichier composé OLE qui n'est pas un classeur Excel",
        "This file is an OLE compound file that is not an Excel workbook"))


def _classify_other(data: bytes) -> UnreadableWorkbook:
    """Neither ZIP nor OLE: say what it looks like, for a useful message."""
    if not data:
        return UnreadableWorkbook("not-a-workbook", Label("Le fichier est vide (0 octet)", "The file is empty (0 bytes)"))
    head = data[:4096]
    if head.startswith(b"%PDF"):
        return UnreadableWorkbook("wrong-office-format", format=Label("PDF", "PDF"))
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] == b"<":
        lowered = stripped[:2048].lower()
        if b"urn:schemas-microsoft-com:office:spreadsheet" in lowered or b"<?mso-application" in lowered:
            return UnreadableWorkbook("wrong-office-format",
                                      format=Label("Feuille de calcul XML 2003 (.xml)", "XML Spreadsheet 2003 (.xml)"))
        if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered:
            return UnreadableWorkbook("not-a-workbook", Label(
                "Ce fichier est une page HTML renommée, pas un classeur Excel",
                "This file is a renamed HTML page, not an Excel workbook"))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" as Excel exports it: UTF-16
        head = head[:len(head) - len(head) % 2].decode("utf-16", "replace").encode("utf-8")
    if b"\x00" not in head and _looks_like_text(head):
        return UnreadableWorkbook("not-a-workbook", Label(
            "Ce fichier est un fichier texte (CSV ?) renommé, pas un classeur Excel",
            "This file is a renamed text (CSV?) file, not an Excel workbook"), hint=Label(
            "Ouvrez-le dans Excel et enregistrez-le au format .xlsx, ou renvoyez le classeur du plan marketing.",
            "Open it in Excel and save it as .xlsx, or send back the marketing plan workbook."))
    return UnreadableWorkbook("not-a-workbook", Label(
        "Ce fichier n'est pas un classeur Excel : son contenu n'est ni une archive Office ni un format connu",
        "This file is not an Excel workbook: its content is neither an Office archive nor a known format"))


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            text = head.decode("latin-1")
        else:
            text = head[: exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * max(len(text), 1)


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
_MAIN_NSS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
             "http://purl.oclc.org/ooxml/spreadsheetml/main")


_LYING_SIZE = Label("La partie {part} se décompresse au-delà de la taille qu'elle annonce ({declared}) : "
                    "archive piégée (bombe de décompression)",
                    "Part {part} inflates beyond the size it declares ({declared}): "
                    "a booby-trapped archive (zip bomb)")


def _corrupt(fr: str, en: str, **params: Any) -> UnreadableWorkbook:
    return UnreadableWorkbook("corrupt-workbook", detail=Label(fr.format(**params), en.format(**params)))


def _invalid_xml(part: str, line: int, column: int, sheet: str | None = None) -> UnreadableWorkbook:
    """A part whose XML is not well-formed, located by line and column (1-based)."""
    if sheet is not None:
        return _corrupt("XML invalide dans la feuille « {s} », ligne {l}, colonne {c}",
                        "invalid XML in sheet '{s}', line {l}, column {c}", s=sheet, l=line, c=column + 1)
    return _corrupt("XML invalide dans {p}, ligne {l}, colonne {c}", "invalid XML in {p}, line {l}, column {c}",
                    p=part, l=line, c=column + 1)


class _Package:
    """The ZIP container, read from memory, with capped and verified inflation of members."""

    def __init__(self, data: bytes, limits: Limits):
        self.data = data
        self.view = memoryview(data)
        self.limits = limits
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise _corrupt("l'archive est tronquée ou n'est pas une archive ZIP valide",
                           "the archive is truncated or not a valid ZIP archive") from exc
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise _oversized("members", len(infos), limits.max_members)
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.lower: dict[str, str] = {}
        self.xml_parts: dict[str, bytes] = {}
        # Parts python-calamine must be given changed: UTF-16 ones as UTF-8, sheets with an unreadable <dimension>.
        self.for_calamine: dict[str, bytes] = {}
        declared = 0
        for info in infos:
            low = info.filename.lower()
            if low in self.lower:  # OPC part names are case-insensitive: XL/A.XML and xl/a.xml are one part
                raise _corrupt("la partie {p} figure deux fois dans l'archive",
                               "part {p} appears twice in the archive", p=info.filename)
            self.members[info.filename] = info
            self.lower[low] = info.filename
            declared += info.file_size
            if info.file_size > MIB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise _oversized("ratio", info.file_size / max(info.compress_size, 1), limits.max_ratio,
                                 part=info.filename)
        if declared > limits.max_uncompressed_bytes:
            raise _oversized("uncompressed_bytes", declared, limits.max_uncompressed_bytes)

    def find(self, name: str) -> str | None:
        """The member name matching *name* (OPC part names are case-insensitive), or None."""
        name = name.lstrip("/")
        return name if name in self.members else self.lower.get(name.lower())

    def xml(self, name: str) -> bytes | None:
        """The XML part *name* (found case-insensitively) as safe UTF-8 bytes, or None when absent.

        Inflated once and cached. Only the parts a reader needs are ever
        inflated and checked: a part nobody reads (a UTF-16 ``customXml``
        item, a thumbnail) is none of our business.
        """
        member = self.find(name)
        if member is None:
            return None
        cached = self.xml_parts.get(member)
        if cached is None:
            raw = self.read(member)
            cached = self.xml_parts[member] = _safe_xml(member, raw)
            if cached is not raw:
                self.for_calamine[member] = cached
        return cached

    def read(self, name: str) -> bytes:
        """Inflate member *name*: never more bytes than it declares, checked against its CRC."""
        info = self.members[name]
        if info.flag_bits & 0x1:
            raise UnreadableWorkbook("encrypted-workbook")
        offset = info.header_offset
        header = self.view[offset:offset + 30]
        if len(header) < 30 or bytes(header[:4]) != ZIP_MAGIC:
            raise _corrupt("en-tête local manquant pour {p}", "missing local header for {p}", p=name)
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = offset + 30 + name_len + extra_len
        compressed = self.view[start:start + info.compress_size]
        if len(compressed) < info.compress_size:
            raise _corrupt("la partie {p} est tronquée", "part {p} is truncated", p=name)
        # The declared sizes passed the limits (total, ratio) in __init__, so
        # the declared size is the hard cap: never produce more than it plus
        # one byte, which is enough to catch a member lying about its size.
        cap = info.file_size
        if info.compress_type == zipfile.ZIP_STORED:
            out = bytes(compressed[:cap + 1])
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-15)
            try:
                out = inflater.decompress(compressed, cap + 1)
            except zlib.error as exc:
                raise _corrupt("données compressées invalides dans {p}", "invalid compressed data in {p}",
                               p=name) from exc
            if len(out) <= cap and not inflater.eof:
                raise _corrupt("la partie {p} est tronquée", "part {p} is truncated", p=name)
        else:
            raise _corrupt("méthode de compression {m} non prise en charge ({p})",
                           "unsupported compression method {m} ({p})", m=info.compress_type, p=name)
        if len(out) > cap:
            raise UnreadableWorkbook("oversized-workbook", _LYING_SIZE, part=name, declared=_sizeLabel(cap, exact=True))
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            raise _corrupt("la partie {p} ne correspond pas à sa taille ou à sa somme de contrôle",
                           "part {p} does not match its declared size or checksum", p=name)
        return out


_XML_DECLARED_ENCODING = re.compile(rb'^\s*<\?xml[^>]*?\sencoding\s*=\s*["\']([^"\']*)["\']')
_UTF16_DECLARATION = re.compile(r'^(\s*<\?xml[^>]*?\sencoding\s*=\s*["\'])utf-16(?:le|be)?(["\'])', re.I)


def _safe_xml(part: str, xml: bytes) -> bytes:
    """*xml* as UTF-8 bytes free of DTD and entity declarations, or :class:`UnreadableWorkbook`.

    The packaging spec allows UTF-8 and UTF-16; a UTF-16 part is transcoded
    (and its declaration said UTF-8). Other declared encodings are refused:
    a single-byte encoding could spell ``<!DOCTYPE`` with other bytes. With
    UTF-8 guaranteed, a byte search for ``<!DOCTYPE`` and ``<!ENTITY`` is
    conclusive, and without a DTD an XML parser expands no entity and
    fetches nothing. Excel writes every part in UTF-8, without a DTD.
    """
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in xml[:64]:
        # With a byte-order mark "utf-16" reads it; without, "<" is 00 3C (big-endian) or 3C 00.
        if xml[:2] in (b"\xff\xfe", b"\xfe\xff"):
            encoding = "utf-16"
        else:
            encoding = "utf-16-be" if xml[:1] == b"\x00" else "utf-16-le"
        try:
            text = xml.decode(encoding)
        except UnicodeDecodeError as exc:
            raise _corrupt("la partie {p} n'est ni en UTF-8 ni en UTF-16", "part {p} is neither UTF-8 nor UTF-16",
                           p=part) from exc
        xml = _UTF16_DECLARATION.sub(r"\1UTF-8\2", text.lstrip("\ufeff"), count=1).encode("utf-8")
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise UnreadableWorkbook("unsafe-xml", part=part)
    declared = _XML_DECLARED_ENCODING.match(xml[:200].removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise UnreadableWorkbook("unsafe-xml", Label(
            "Le classeur déclare un encodage XML refusé par sécurité ({encoding}) dans la partie {part}",
            "The workbook declares an XML encoding refused for safety ({encoding}) in part {part}"),
            part=part, encoding=declared.group(1).decode("ascii", "replace"))
    return xml


def _parse_xml(part: str, xml: bytes) -> ElementTree.Element:
    """Parse a small XML part that :func:`_safe_xml` passed (no DTD, no entity, UTF-8).

    With those refused up front, the C ElementTree parser is as safe as
    defusedxml's and several times faster (defusedxml has to hook the
    pure-Python parser to watch for declarations).
    """
    try:
        return ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise _invalid_xml(part, line, column) from exc


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _read_zip(path: Path, data: bytes, limits: Limits) -> RawWorkbook:
    sha256 = hashlib.sha256(data).hexdigest()
    pkg = _Package(data, limits)
    workbook_part = _check_kind(pkg)

    def rels(source: str) -> list[tuple[str, str, str, str]]:
        """(type, id, target member or raw external target, target mode) of *source*'s relationships."""
        xml = pkg.xml(rels_path(source))
        if xml is None:
            return []
        out = []
        for rel in _parse_xml(rels_path(source), xml):
            if _local(rel.tag) != "Relationship":
                continue
            mode = rel.get("TargetMode", "Internal")
            target = rel.get("Target", "")
            out.append((rel.get("Type", ""), rel.get("Id", ""),
                        target if mode == "External" else resolve(source, target), mode))
        return out

    wb_xml = pkg.xml(workbook_part)
    root = _parse_xml(workbook_part, wb_xml)
    wb_rels = {rid: (rtype, target, mode) for rtype, rid, target, mode in rels(workbook_part)}
    for rtype, target, mode in wb_rels.values():  # the other parts python-calamine reads: checked first
        if mode != "External" and rtype.endswith(("/sharedStrings", "/styles")):
            pkg.xml(target)

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
    for name, member in sheet_parts.items():
        sheet_xml = pkg.xml(member)
        scans[name] = scan_sheet(sheet_xml, limits, sheet=name)
        dimension = _DIMENSION.search(sheet_xml, 0, 4096)
        if dimension and not _CELL_RANGE.fullmatch(dimension.group(1)):  # LibreOffice's "1:4": python-calamine fails
            pkg.for_calamine[member] = sheet_xml[:dimension.start()] + sheet_xml[dimension.end():]
        for rtype, _, target, mode in rels(member):
            if rtype.endswith("/table") and mode != "External":
                table_xml = pkg.xml(target)
                if table_xml is None:
                    raise _corrupt("le tableau {p} est absent", "table {p} is missing", p=target)
                info = _parse_table(target, table_xml, name)
                tables[info.name] = info

    custom_properties: dict[str, str] = {}
    custom_part = next((t for rtype, _, t, _m in rels("") if rtype.endswith("/custom-properties")),
                       "docProps/custom.xml")
    custom_xml = pkg.xml(custom_part)
    if custom_xml is not None:
        for prop in _parse_xml(custom_part, custom_xml):
            if _local(prop.tag) == "property" and prop.get("name"):
                value = next(iter(prop), None)
                custom_properties[prop.get("name")] = (value.text or "") if value is not None else ""

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
                       has_vba=vba_member is not None, vba_project=vba_project, external_links=external_links,
                       sheet_kinds=sheet_kinds, recalculates_on_open=recalculates_on_open, sha256=sha256,
                       _scans=scans, _calamine=calamine)


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
        xml = pkg.xml(workbook_part)
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
    for el in _parse_xml(member, pkg.xml(member)):
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
    return TableInfo(name=root.get("displayName") or root.get("name", ""), sheet=sheet, ref=ref,
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


# --------------------------------------------------------------------------------------------------
# A1 references


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
    """Element text as an XML parser gives it: line ends normalised, entities decoded."""
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    text = raw.decode("utf-8")
    return _XML_ENTITY.sub(_entity, text) if "&" in text else text


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


# --------------------------------------------------------------------------------------------------
# Sheet scan: extent, limits, formulas, cached error values

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
# Three patterns, each starting with a literal (one alternation would be ten times slower).
_NOT_PLAIN = (re.compile(rb"<[!?]"), re.compile(rb"</?[A-Za-z_][\w.-]*+:"), re.compile(rb"xmlns"))
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
    if root and root.group(1).decode("ascii", "replace") in _MAIN_NSS and 0 <= start < end \
            and not any(p.search(xml, start, end) for p in _NOT_PLAIN) and not _ODD_CELL.search(xml, start, end) \
            and xml.find(b"<sheetData", start + 1) < 0:
        scan = _scan_fast(xml, limits, sheet, start, end)
        if scan is not None:
            return scan
    return _scan_expat(xml, limits, sheet)


def _formula_cells(xml: bytes, begin: int, end: int):
    """The formula cells of *xml* between *begin* and *end* as tuples of raw bytes, found slice by slice."""
    for start, stop in _row_chunks(xml, begin, end):
        yield from _FORMULA_CELL.findall(xml, start, stop)


def _scan_fast(xml: bytes, limits: Limits, sheet: str, begin: int, end: int) -> _SheetScan | None:
    """The regular-expression scan of ``<sheetData>`` (from *begin* to *end*); None when it needs the exact parse."""
    extent = None
    if not _within_limits(xml, limits, begin, end):
        extent = _exact_extent(xml, begin, end)
        error = _oversized_extent(*extent, limits, sheet)
        if error:
            raise error
    formulas: dict[tuple[int, int], str] = {}
    types: dict[tuple[int, int], str] = {}
    arrays: dict[tuple[int, int], str] = {}
    masters: dict[bytes, tuple[int, int, str, bool]] = {}
    followers: list[tuple[int, int, bytes]] = []
    # A column's formulas are usually one text repeated down the rows, and
    # cells share a few attribute strings: decode each distinct one once.
    columns: dict[bytes, int] = {}
    texts: dict[bytes, str] = {}
    cell_types: dict[bytes, str] = {}
    matched = 0
    for letters, digits, c_attrs, f_attrs, body in _formula_cells(xml, begin, end):
        matched += 1
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = column_index(letters.decode())
        pos = (int(digits) - 1, col)
        t = cell_types.get(c_attrs)
        if t is None:
            found = _T_ATTR.search(c_attrs)
            t = cell_types[c_attrs] = found.group(1).decode() if found else "n"
        types[pos] = t
        text = texts.get(body)
        if text is None:
            text = texts[body] = _xml_text(body)
        if not f_attrs or f_attrs.isspace():
            formulas[pos] = text
            continue
        attrs = dict(_ATTR.findall(f_attrs))
        kind = attrs.get(b"t", b"normal")
        if kind == b"shared":
            si = attrs.get(b"si", b"")
            if body:
                formulas[pos] = text
                masters[si] = (pos[0], pos[1], text, _has_a1_refs(text))
            else:
                followers.append((pos[0], pos[1], si))
        elif kind == b"array":
            formulas[pos] = text
            arrays[pos] = attrs.get(b"ref", b"").decode()
        elif kind == b"dataTable":
            del types[pos]
        else:
            formulas[pos] = text
    if xml.count(b"<f>", begin, end) + xml.count(b"<f ", begin, end) != matched:
        return None  # a <f> the pattern did not see (not the cell's first child...): parse exactly
    _resolve_shared(formulas, types, masters, followers, limits, sheet)
    errors: dict[tuple[int, int], str] = {}
    if xml.find(b't="e"', begin, end) >= 0:
        for letters, digits, value in _ERROR_CELL.findall(xml, begin, end):
            errors[(int(digits) - 1, column_index(letters.decode()))] = _xml_text(value)
    return _SheetScan(formulas, types, errors, arrays, _CONTENT_CELL.search(xml, begin, end) is not None, extent)


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


@lru_cache(maxsize=16)
def _reach_pattern(limits: Limits) -> re.Pattern | None:
    """A pattern matching any cell that could put the extent past *limits*, or None if there is none.

    With single-letter columns (at most 26) and row numbers of at most
    *digits* digits, the extent is at most 26 x (10**digits - 1); *digits* is
    the largest count keeping that within every limit. A cell with a
    two-letter column or a longer row number is a reason to count exactly.
    """
    if limits.max_columns < 26:
        return None
    digits = 0
    while 10 ** (digits + 1) - 1 <= limits.max_rows and 26 * (10 ** (digits + 1) - 1) <= limits.max_cells:
        digits += 1
    if digits == 0:
        return None
    return re.compile(rb'<c r="(?:[A-Z]{2}|[A-Z][0-9]{%d})' % (digits + 1))


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
    state = {"row": -1, "col": -1, "max_row": 0, "max_col": 0, "in_sheet_data": False,
             "cell_t": "n", "f": None, "text": None, "filled": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, _, tag = name.rpartition("}")
        if ns not in _CELL_NSS:  # python-calamine reads any <sheetData> and the cells in it, whatever the namespace
            if tag == "sheetData" or state["in_sheet_data"] and tag in _CELL_PARTS:
                raise _corrupt("la feuille « {s} » contient des cellules hors de l'espace de noms SpreadsheetML",
                               "sheet '{s}' holds cells outside the SpreadsheetML namespace", s=sheet)
            return
        if tag == "sheetData":
            state["in_sheet_data"] = True
        elif not state["in_sheet_data"]:
            return
        elif tag == "row":
            r = attrs.get("r")
            state["row"] = _row_number(r, sheet) - 1 if r else state["row"] + 1
            state["col"] = -1
        elif tag == "c":
            ref = attrs.get("r")
            if ref:
                state["row"], state["col"] = _cell_position(ref, sheet)
            else:
                state["col"] += 1
            state["cell_t"] = attrs.get("t", "n")
            state["filled"] = False
        elif tag in ("f", "v"):
            state["f"] = (tag, attrs)
            state["text"] = []
            state["filled"] = state["filled"] or tag == "f"
        elif tag == "is":
            state["filled"] = True

    def end(name: str) -> None:
        ns, _, tag = name.rpartition("}")
        if ns not in _CELL_NSS:
            return
        if tag == "sheetData":
            state["in_sheet_data"] = False
        elif tag == "c" and state["in_sheet_data"] and state["filled"]:
            row, col = state["row"] + 1, state["col"] + 1
            if row > state["max_row"]:
                state["max_row"] = row
            if col > state["max_col"]:
                state["max_col"] = col
            if row > limits.max_rows or col > limits.max_columns:
                raise _oversized_extent(row, col, limits, sheet)  # stop parsing at once
        if tag not in ("f", "v") or state["f"] is None:
            return
        kind_tag, attrs = state["f"]
        text = "".join(state["text"])
        state["f"] = state["text"] = None
        pos = (state["row"], state["col"])
        if kind_tag == "v":
            state["filled"] = state["filled"] or bool(text)
            if state["cell_t"] == "e":
                errors[pos] = text
            return
        kind = attrs.get("t", "normal")
        if kind == "dataTable":
            return
        types[pos] = state["cell_t"]
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
        if state["text"] is not None:
            state["text"].append(data)

    def cdata() -> None:
        if state["f"] is not None and state["f"][0] == "v":
            raise _corrupt("la feuille « {s} » range une valeur dans une section CDATA, ce qu'Excel ne fait jamais",
                           "sheet '{s}' stores a value in a CDATA section, which Excel never does", s=sheet)

    def refuse(*_args: Any) -> None:
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
    error = _oversized_extent(state["max_row"], state["max_col"], limits, sheet)
    if error:
        raise error
    return _SheetScan(formulas, types, errors, arrays, state["max_row"] > 0, (state["max_row"], state["max_col"]))


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


__all__ = ["CellError", "Limits", "READ_ERRORS", "RawWorkbook", "TableInfo", "UnreadableWorkbook",
           "column_index", "column_letters", "read_workbook", "scan_sheet", "shift_formula"]
