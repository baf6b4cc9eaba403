"""The reader's limits (sizes, counts, time) and the messages of a file beyond them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.errors import UnreadableWorkbook
from ..core.vocabulary import Label


def _corrupt(fr: str, en: str, **params: Any) -> UnreadableWorkbook:
    return UnreadableWorkbook("corrupt-workbook", detail=Label(fr.format(**params), en.format(**params)))


def _invalid_xml(part: str, line: int, column: int, sheet: str | None = None) -> UnreadableWorkbook:
    """A part whose XML is not well-formed, located by line and column (1-based)."""
    if sheet is not None:
        return _corrupt("XML invalide dans la feuille « {s} », ligne {l}, colonne {c}",
                        "invalid XML in sheet '{s}', line {l}, column {c}", s=sheet, l=line, c=column + 1)
    return _corrupt("XML invalide dans {p}, ligne {l}, colonne {c}", "invalid XML in {p}, line {l}, column {c}",
                    p=part, l=line, c=column + 1)


MIB = 2**20


#: Excel's own grid size: references beyond it are names, not cells.
EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COL = 16_384
#: Excel's limit of characters in one cell: a longer text is refused at its cell (see :class:`~mplan_xl.read.reader.TextTooLong`).
EXCEL_MAX_TEXT = 32_767


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
