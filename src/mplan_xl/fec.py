"""Read a *Fichier des Écritures Comptables* (FEC), the accounts export every French accounting program makes.

The FEC is a text file with a header line and one line per accounting entry
line, in 18 columns (article A47 A-1 of the *Livre des procédures fiscales*):
``JournalCode JournalLib EcritureNum EcritureDate CompteNum CompteLib
CompAuxNum CompAuxLib PieceRef PieceDate EcritureLib Debit Credit EcritureLet
DateLet ValidDate Montantdevise Idevise``, or ``Montant`` and ``Sens`` in place
of ``Debit`` and ``Credit``. Real exports differ in ways this reader accepts:

- separator: tab or ``|`` (``;`` too), found from the header line;
- encoding: UTF-8 (with or without BOM), else Windows-1252 when a byte in
  0x80–0x9F is present (those are control characters in ISO-8859-15), else
  ISO-8859-15 (where byte 0xA4 is ``€``);
- amounts with a decimal comma or point, optional spaces as thousands
  separators; ``Sens`` as ``D``/``C`` or ``+1``/``-1``;
- dates ``YYYYMMDD`` (``YYYY-MM-DD`` is accepted too);
- header names in any case; columns in any order; fields quoted with ``"``.

Only what :mod:`mplan_xl.actuals` needs is kept. Every line is checked for
its field count and its date; the amounts of the expense lines (the ones that
count) are checked too. A line that is not what a FEC holds stops the reading
with a message naming its line and column (the first ten such lines are
listed), so nothing is ever imported from half a file.

This module is part of the domain core: it imports no Excel library.

Example:
    >>> text = ("JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|"
    ...         "PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise\\n"
    ...         "AC|Achats|12|20270315|623100|Publicité|||F-88|20270314|Affiches|1200,50|0,00|||20270316||\\n")
    >>> fec = parse_fec(text.encode("utf-8"))
    >>> fec.entries[0].account, fec.entries[0].amount, fec.entries[0].date.isoformat()
    ('623100', 1200.5, '2027-03-15')
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple

from .errors import FecError
from .vocabulary import Label

#: The columns this reader needs, by their FEC names (case-insensitive).
NEEDED = ("JournalCode", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum", "CompAuxLib",
          "PieceRef", "EcritureLib")
DEBIT_CREDIT = ("Debit", "Credit")
AMOUNT_SENS = ("Montant", "Sens")
SEPARATORS = ("\t", "|", ";")

#: Most problems listed before the reading stops: enough to see a pattern, short enough to read.
MAX_PROBLEMS = 10


class Entry(NamedTuple):
    """One expense line of the FEC (an account of class 6), with the supplier of its piece.

    A named tuple, not a dataclass: a large FEC has hundreds of thousands of them.
    """

    line: int           # 1-based line number in the file (the header is line 1)
    journal: str        # JournalCode
    number: str         # EcritureNum: with the journal, identifies the piece
    date: dt.date       # EcritureDate
    account: str        # CompteNum
    account_label: str  # CompteLib
    supplier_code: str  # CompAuxNum of the line, or of another line of the same piece
    supplier: str       # CompAuxLib, likewise
    piece_ref: str      # PieceRef
    label: str          # EcritureLib
    amount: float       # Debit − Credit: a credit note is negative

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "journal": self.journal, "number": self.number, "date": self.date.isoformat(),
                "account": self.account, "supplier": self.supplier or self.supplier_code,
                "piece_ref": self.piece_ref, "label": self.label, "amount": round(self.amount, 2)}


@dataclass
class Fec:
    """What a FEC holds for the plan: its expense lines (class 6), and how many other lines it has."""

    entries: list[Entry] = field(default_factory=list)
    other_lines: int = 0
    encoding: str = "utf-8"
    separator: str = "\t"


@dataclass(frozen=True)
class FecProblem:
    line: int
    column: str | None
    message: Label
    params: dict[str, object]

    def text(self, lang: str = "fr") -> str:
        where = (_AT_COLUMN if self.column else _AT_LINE)(lang).format(line=self.line, column=self.column)
        return _LOCATED(lang).format(where=where, message=self.message(lang).format(**self.params))


_LOCATED = Label("{where} : {message}", "{where}: {message}")
_AT_LINE = Label("ligne {line}", "line {line}")
_AT_COLUMN = Label("ligne {line}, colonne {column}", "line {line}, column {column}")
_NOT_IMPORTED = Label("{path} : FEC illisible, rien n'a été importé ({count} problème(s))",
                      "{path}: unreadable FEC, nothing was imported ({count} problem(s))")
_EMPTY = Label("le fichier est vide", "the file is empty")
_NO_HEADER = Label("pas d'en-tête FEC : colonnes {missing} introuvables (séparateur tabulation ou |)",
                   "no FEC header: columns {missing} not found (tab or | separator)")
_NO_AMOUNT = Label("ni Debit/Credit ni Montant/Sens dans l'en-tête", "neither Debit/Credit nor Montant/Sens in the header")
_FIELDS = Label("{found} champs au lieu de {expected} (un libellé contient-il le séparateur ?)",
                "{found} fields instead of {expected} (does a label contain the separator?)")
_DATE = Label("date « {value} » illisible (attendu AAAAMMJJ)", "unreadable date '{value}' (expected YYYYMMDD)")
_AMOUNT = Label("montant « {value} » illisible", "unreadable amount '{value}'")
_SENS = Label("sens « {value} » inconnu (attendu D, C, +1 ou -1)", "unknown direction '{value}' (expected D, C, +1 or -1)")
_BINARY = Label("ce n'est pas un fichier texte (FEC attendu)", "not a text file (a FEC was expected)")
_MISSING = Label("fichier introuvable", "file not found")


def read_fec(path: str | os.PathLike) -> Fec:
    """Read the FEC at *path*; raise :class:`FecError` naming the first problems when it is not one."""
    from .inputs import InputRefused, read_input, refusal_label

    path = Path(path)
    try:
        data = read_input(path)   # a pipe or a folder refused at once, never waited on
    except InputRefused as err:
        raise FecError(str(path), [FecProblem(0, None, refusal_label(err), {})]) from None
    except OSError:
        raise FecError(str(path), [FecProblem(0, None, _MISSING, {})]) from None
    return parse_fec(data, str(path))


def decode(data: bytes) -> tuple[str, str]:
    """The text of *data* and the encoding it was read with (see the module's rules).

    >>> decode("Publicité".encode("cp1252"))[1], decode("Publicité €".encode("iso-8859-15"))
    ('iso-8859-15', ('Publicité €', 'iso-8859-15'))
    >>> decode(b"\\x80 Pub")[1], decode("\\ufeffé".encode("utf-8"))
    ('cp1252', ('é', 'utf-8'))
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if any(0x80 <= b <= 0x9F for b in data):
        return data.decode("cp1252", errors="replace"), "cp1252"
    return data.decode("iso-8859-15"), "iso-8859-15"


def parse_amount(text: str) -> float:
    """A FEC amount: decimal comma or point, spaces between thousands, blank for zero.

    >>> parse_amount("1 234,56"), parse_amount("1234.5"), parse_amount(""), parse_amount("1.234,50")
    (1234.56, 1234.5, 0.0, 1234.5)
    """
    text = text.strip()
    if not text:
        return 0.0
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    if " " in text or "\u00a0" in text or "\u202f" in text:
        text = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    return float(text)


def parse_date(text: str) -> dt.date:
    """``YYYYMMDD`` (or ``YYYY-MM-DD``) as a date; ValueError otherwise.

    >>> parse_date("20270315"), parse_date("2027-03-15")
    (datetime.date(2027, 3, 15), datetime.date(2027, 3, 15))
    """
    text = text.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        text = text[:4] + text[5:7] + text[8:]
    if len(text) != 8 or not text.isdigit():
        raise ValueError(text)
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


_SENS_SIGN = {"d": 1.0, "+1": 1.0, "1": 1.0, "c": -1.0, "-1": -1.0}


def parse_fec(data: bytes, name: str = "FEC") -> Fec:
    """Parse the bytes of a FEC (see the module's rules); *name* is used in messages."""
    if not data.strip():
        raise FecError(name, [FecProblem(1, None, _EMPTY, {})])
    if b"\x00" in data[:4096]:
        raise FecError(name, [FecProblem(1, None, _BINARY, {})])
    text, encoding = decode(data)
    del data
    # str.splitlines, not io.StringIO: StringIO holds the text as 4 bytes a character.
    lines = text.splitlines()
    del text
    header_line = lines[0]
    separator = max(SEPARATORS, key=header_line.count)
    header_names = [h.strip().strip('"') for h in _split(header_line, separator)]
    header = [h.casefold() for h in header_names]
    position = {h: i for i, h in enumerate(header)}
    missing = [c for c in NEEDED if c.casefold() not in position]
    if missing:
        raise FecError(name, [FecProblem(1, None, _NO_HEADER, {"missing": ", ".join(missing)})])
    if all(c.casefold() in position for c in DEBIT_CREDIT):
        debit, credit, sens = position["debit"], position["credit"], None
    elif all(c.casefold() in position for c in AMOUNT_SENS):
        debit, credit, sens = position["montant"], None, position["sens"]
    else:
        raise FecError(name, [FecProblem(1, None, _NO_AMOUNT, {})])
    (journal, number, date_col, account, account_label, aux_num, aux_lib, piece_ref, label) = (
        position[c.casefold()] for c in NEEDED)
    width = len(header)
    problems: list[FecProblem] = []
    entries: list[Entry] = []
    suppliers: dict[tuple[str, str], tuple[str, str]] = {}
    days: dict[str, dt.date] = {}     # a year has few distinct dates: each is parsed once
    other = 0
    with _no_gc():
        for n, raw in enumerate(itertools.islice(lines, 1, None), start=2):
            row = raw.split(separator) if '"' not in raw else _split(raw, separator)
            if len(row) != width:
                if len(row) > 1 or raw.strip():
                    problems.append(FecProblem(n, None, _FIELDS, {"found": len(row), "expected": width}))
            elif (day := days.get(row[date_col])) is None and (day := _day(row[date_col], days)) is None:
                problems.append(FecProblem(n, header_names[date_col], _DATE, {"value": _excerpt(row[date_col])}))
            else:
                if row[aux_num] or row[aux_lib]:
                    suppliers.setdefault((row[journal], row[number]), (row[aux_num], row[aux_lib]))
                if not row[account].startswith("6"):
                    other += 1
                    continue
                try:
                    amount = _amount(row, debit, credit, sens)
                except _BadAmount as err:
                    problems.append(FecProblem(n, header_names[err.column], err.message,
                                               {"value": _excerpt(row[err.column])}))
                else:
                    entries.append(Entry(n, row[journal], row[number], day, row[account].strip(),
                                         row[account_label].strip(), row[aux_num].strip(), row[aux_lib].strip(),
                                         row[piece_ref].strip(), row[label].strip(), amount))
            if len(problems) >= MAX_PROBLEMS:
                break
        if problems:
            raise FecError(name, problems)
        for i, entry in enumerate(entries):
            if not (entry.supplier_code or entry.supplier) and (entry.journal, entry.number) in suppliers:
                code, supplier = suppliers[entry.journal, entry.number]
                entries[i] = entry._replace(supplier_code=code.strip(), supplier=supplier.strip())
    return Fec(entries, other, encoding, separator)


class _BadAmount(ValueError):
    def __init__(self, column: int, message: Label):
        super().__init__(column)
        self.column = column
        self.message = message


def _amount(row: list[str], debit: int, credit: int | None, sens: int | None) -> float:
    try:
        value = parse_amount(row[debit])
    except ValueError:
        raise _BadAmount(debit, _AMOUNT) from None
    if sens is not None:
        sign = _SENS_SIGN.get(row[sens].strip().casefold())
        if sign is None:
            raise _BadAmount(sens, _SENS)
        return sign * value
    assert credit is not None
    try:
        return value - parse_amount(row[credit])
    except ValueError:
        raise _BadAmount(credit, _AMOUNT) from None


def _day(text: str, days: dict[str, dt.date]) -> dt.date | None:
    try:
        days[text] = day = parse_date(text)
    except ValueError:
        return None
    return day


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    # The parse allocates millions of small strings and keeps few of them: the cyclic
    # garbage collector, which they trigger again and again, would take 40 % of the time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _split(line: str, separator: str) -> list[str]:
    if '"' not in line:
        return line.split(separator)
    return next(csv.reader([line], delimiter=separator))


def _excerpt(value: str, limit: int = 40) -> str:
    value = value.strip()
    return value if len(value) <= limit else value[:limit] + "…"
