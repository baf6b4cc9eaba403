"""Read a *Fichier des Écritures Comptables* (FEC), the accounts export every French accounting program makes.

The FEC is a text file with a header line and one line per accounting entry
line, in 18 columns (article A47 A-1 of the *Livre des procédures fiscales*):
``JournalCode JournalLib EcritureNum EcritureDate CompteNum CompteLib
CompAuxNum CompAuxLib PieceRef PieceDate EcritureLib Debit Credit EcritureLet
DateLet ValidDate Montantdevise Idevise``, or ``Montant`` and ``Sens`` in place
of ``Debit`` and ``Credit``. Real exports differ in ways this reader accepts:

- separator: tab or ``|`` (``;`` too), found from the header line;
- encoding: UTF-8 (with or without BOM); a line of a UTF-8 file that is not
  valid UTF-8 (a stray Windows byte) is read as Windows-1252, and named in a
  warning. A file with no valid UTF-8 line of accented text is read as a whole
  as Windows-1252 when a byte in 0x80–0x9F is present (those are control
  characters in ISO-8859-15), else as ISO-8859-15 (where byte 0xA4 is ``€``);
- amounts to the cent: the file's number convention, decimal comma (the FEC
  norm: ``1 234,56``, ``1.234,56``) or decimal point (``1,234.56``, as an
  accounting program set to English writes it), is decided once from all its
  amounts (:func:`number_convention`); an amount that does not fit it, has
  more than two decimals, more than 13 digits before them, or is not written
  with digits (``NaN``, ``1e308``) is refused at its line and column, never
  guessed; so is ``1.234`` or ``1,234`` when no amount of the file has decimals. Amounts are :class:`~decimal.Decimal`, so every sum is exact;
- ``Sens`` as ``D``/``C`` or ``+1``/``-1``;
- dates ``YYYYMMDD`` (``YYYY-MM-DD`` is accepted too);
- header names in any case; columns in any order; fields quoted with ``"``.

Only what :mod:`mplan_xl.year.actuals` needs is kept. Every line is checked for
its field count, its date, its amounts and the length of its fields (at most
32,767 characters, Excel's cell limit). A line that is not what a FEC holds
stops the reading with a message naming its line and column (the first ten
such lines are listed), so nothing is ever imported from half a file; a FEC
without any entry after its header is refused too.

A plain file, as most exports write it, is read column by column in blocks of its text (:func:`_read_plain`);
any other, or one with a problem, line by line (:func:`_read_lines`): both give the same entries and warnings.

It imports no Excel library: a FEC is text.

Example:
    >>> text = ("JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|"
    ...         "PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise\\n"
    ...         "AC|Achats|12|20270315|623100|Publicité|||F-88|20270314|Affiches|1200,50|0,00|||20270316||\\n")
    >>> fec = parse_fec(text.encode("utf-8"))
    >>> fec.entries[0].account, fec.entries[0].amount, fec.entries[0].date.isoformat()
    ('623100', Decimal('1200.50'), '2027-03-15')
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import itertools
import operator
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from ..core.errors import FecError, FecProblem
from ..core.text_safety import xml_forbidden, xml_text
from ..core.vocabulary import Label

#: The columns this reader needs, by their FEC names (case-insensitive).
NEEDED = ("JournalCode", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum", "CompAuxLib",
          "PieceRef", "EcritureLib")
DEBIT_CREDIT = ("Debit", "Credit")
AMOUNT_SENS = ("Montant", "Sens")
SEPARATORS = ("\t", "|", ";")

#: Most problems listed before the reading stops: enough to see a pattern, short enough to read.
MAX_PROBLEMS = 10

#: Longest field taken, in characters: Excel's limit for a cell's text (the labels go into the copy).
MAX_FIELD = 32_767

#: Most digits before the decimal separator: 10^13 € is beyond any company's accounts, and far within what
#: a spreadsheet cell holds exactly.
MAX_DIGITS = 13

ZERO = Decimal("0.00")

#: The two number conventions, by their decimal separator.
DECIMAL_COMMA, DECIMAL_POINT = ",", "."


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
    amount: Decimal     # Debit − Credit, to the cent: a credit note is negative

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "journal": self.journal, "number": self.number, "date": self.date.isoformat(),
                "account": self.account, "supplier": self.supplier or self.supplier_code,
                "piece_ref": self.piece_ref, "label": self.label, "amount": float(self.amount)}


@dataclass
class Fec:
    """What a FEC holds for the plan: its expense lines (class 6), and how many other lines it has."""

    entries: list[Entry] = field(default_factory=list)
    other_lines: int = 0
    encoding: str = "utf-8"
    separator: str = "\t"
    decimal: str = DECIMAL_COMMA
    #: The months (year, month) in which the file has at least one line, of any account.
    months: frozenset[tuple[int, int]] = frozenset()
    #: What was read but deserves a word: the lines read with the fallback encoding.
    warnings: list[FecProblem] = field(default_factory=list)


_NOT_IMPORTED = Label("{path} : FEC illisible, rien n'a été importé ({count} problème(s))",
                      "{path}: unreadable FEC, nothing was imported ({count} problem(s))")
_EMPTY = Label("le fichier est vide", "the file is empty")
_NO_HEADER = Label("pas d'en-tête FEC : colonnes {missing} introuvables (séparateur tabulation ou |)",
                   "no FEC header: columns {missing} not found (tab or | separator)")
_NO_AMOUNT = Label("ni Debit/Credit ni Montant/Sens dans l'en-tête", "neither Debit/Credit nor Montant/Sens in the header")
_FIELDS = Label("{found} champs au lieu de {expected} (un libellé contient-il le séparateur ?)",
                "{found} fields instead of {expected} (does a label contain the separator?)")
_DATE = Label("date « {value} » illisible (attendu AAAAMMJJ)", "unreadable date '{value}' (expected YYYYMMDD)")
_AMOUNT = Label("montant « {value} » illisible (attendu p. ex. {expected} : chiffres, deux décimales au plus)",
                "unreadable amount '{value}' (expected e.g. {expected}: digits, two decimals at most)")
_TOO_LARGE = Label("montant « {value} » hors limites (au plus 13 chiffres avant la virgule)",
                   "amount '{value}' out of range (at most 13 digits before the decimals)")
_NOTATION = Label("montant « {value} » écrit avec {other}, alors que le fichier écrit ses montants avec {decimal}"
                  " ({example})", "amount '{value}' written with {other}, while the file writes its amounts with"
                  " {decimal} ({example})")
_CONVENTION = {DECIMAL_COMMA: Label("la virgule décimale", "a decimal comma"),
               DECIMAL_POINT: Label("le point décimal", "a decimal point")}
_EXAMPLE = Label("p. ex. ligne {line} « {value} »", "e.g. line {line} '{value}'")
_AMBIGUOUS = Label("montant « {value} » ambigu : aucun montant du fichier n'a de décimales qui disent s'il écrit "
                   "1 234,56 ou 1,234.56", "ambiguous amount '{value}': no amount of the file has decimals that say "
                   "whether it writes 1 234,56 or 1,234.56")
_FEC_NORM = Label("la norme du FEC", "the FEC norm")
_LONG = Label("champ de {length} caractères (au plus 32 767, la limite d'une cellule Excel)",
              "field of {length} characters (at most 32,767, an Excel cell's limit)")
_UNREADABLE_LINE = Label("ligne illisible ({error})", "unreadable line ({error})")
_NO_ENTRY = Label("aucune écriture après la ligne d'en-tête", "no entry after the header line")
_FALLBACK = Label("pas en UTF-8, lue en Windows-1252", "not valid UTF-8, read as Windows-1252")
_CONTROL = Label("caractères de contrôle retirés des textes (un classeur ne peut pas les contenir)",
                 "control characters removed from the texts (a workbook cannot hold them)")
_SENS = Label("sens « {value} » inconnu (attendu D, C, +1 ou -1)", "unknown direction '{value}' (expected D, C, +1 or -1)")
_BINARY = Label("ce n'est pas un fichier texte (FEC attendu)", "not a text file (a FEC was expected)")
_MISSING = Label("fichier introuvable", "file not found")


def read_fec(path: str | os.PathLike) -> Fec:
    """Read the FEC at *path*; raise :class:`FecError` naming the first problems when it is not one."""
    from ..read.inputs import InputRefused, read_input, refusal_label

    path = Path(path)
    try:
        data = read_input(path)   # a pipe or a folder refused at once, never waited on
    except InputRefused as err:
        raise FecError(str(path), [FecProblem(0, None, refusal_label(err), {})]) from None
    except OSError:
        raise FecError(str(path), [FecProblem(0, None, _MISSING, {})]) from None
    return parse_fec(data, str(path))


def decode_lines(data: bytes) -> tuple[list[str], str, list[int]]:
    """The lines of *data* (split at LF, CRLF or CR only), the encoding they were read with, and the lines
    (1-based) of a UTF-8 file that were not valid UTF-8 and were read as Windows-1252 (see :func:`decode_text`).

    >>> decode_lines("Publicité\\n".encode("cp1252")), decode_lines("€".encode("iso-8859-15"))[:2]
    ((['Publicité', ''], 'iso-8859-15', []), (['€'], 'iso-8859-15'))
    >>> decode_lines(b"\\x80 Pub")[:2], decode_lines("\\ufeffé".encode("utf-8"))
    ((['€ Pub'], 'cp1252'), (['é'], 'utf-8', []))
    >>> decode_lines("é\\r\\n".encode("utf-8") + b"5 \\x80\\r\\n")
    (['é', '5 €', ''], 'utf-8', [2])
    """
    text, encoding, fallback = decode_text(data)
    return text.split("\n"), encoding, fallback


def decode_text(data: bytes) -> tuple[str, str, list[int]]:
    """The text of *data*, its lines ended by LF alone (CRLF and CR become LF), the encoding it was read with, and
    the lines (1-based) of a UTF-8 file that were not valid UTF-8 and were read as Windows-1252.

    A file is UTF-8 when it decodes as such, or when at least as many of its lines with non-ASCII bytes are
    valid UTF-8 as are not (a stray Windows byte); otherwise it is a single-byte file, read as a whole as
    Windows-1252 when a byte in 0x80–0x9F is present, else as ISO-8859-15.

    >>> decode_text("é\\r\\n".encode("utf-8") + b"5 \\x80\\r\\n")
    ('é\\n5 €\\n', 'utf-8', [2])
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return _newlines(data.decode("utf-8")), "utf-8", []
    except UnicodeDecodeError:
        pass
    # The bytes that are not UTF-8 become lone surrogates (one pass), then each run of them is read as Windows-1252.
    lines = _newlines(data.decode("utf-8", errors="surrogateescape")).split("\n")
    valid, invalid = 0, []
    for n, line in enumerate(lines, start=1):
        if not line.isascii():
            if _STRAY.search(line):
                invalid.append(n)
            if _NON_ASCII.search(line):
                valid += 1
    if valid >= len(invalid):
        for n in invalid:
            lines[n - 1] = _STRAY.sub(_windows, lines[n - 1])
        return "\n".join(lines), "utf-8", invalid
    encoding = "cp1252" if any(0x80 <= b <= 0x9F for b in data) else "iso-8859-15"
    return _newlines(data.decode(encoding, errors="replace")), encoding, []


_STRAY = re.compile("[\udc80-\udcff]+")
_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")


def _windows(found: re.Match) -> str:
    return bytes(ord(ch) - 0xDC00 for ch in found.group(0)).decode("cp1252", errors="replace")


def _newlines(text: str) -> str:
    # Only LF, CRLF and CR end a line: str.splitlines would also cut a label at U+2028 or a form feed, and the
    # line numbers would no longer be an editor's.
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_SPACES = " \u00a0\u202f"
_PATTERNS = {decimal: re.compile(rf"([+-]?)(\d{{1,3}}(?:[{re.escape(_SPACES + group)}]\d{{3}})+|\d+)"
                                 rf"(?:{re.escape(decimal)}(\d{{1,2}}))?")
             for decimal, group in ((DECIMAL_COMMA, "."), (DECIMAL_POINT, ","))}
_EXPECTED = {DECIMAL_COMMA: "1 234,56", DECIMAL_POINT: "1,234.56"}
#: An amount with decimals, that only its convention reads (the other would need three digits after its last mark).
_SHOWS = {decimal: re.compile(rf"^[^\S\n]*[+-]?(?:\d{{1,3}}(?:[{re.escape(_SPACES + group)}]\d{{3}})+|\d+)"
                              rf"{re.escape(decimal)}\d{{1,2}}[^\S\n]*$", re.MULTILINE)
          for decimal, group in ((DECIMAL_COMMA, "."), (DECIMAL_POINT, ","))}
#: The amounts most exports write, one a line (``-1234,56``, ``12``): all read at once, without the general pattern.
_PLAIN = {decimal: re.compile(rf"(?:-?\d{{1,{MAX_DIGITS}}}(?:{re.escape(decimal)}\d{{1,2}})?\n)*"
                              rf"-?\d{{1,{MAX_DIGITS}}}(?:{re.escape(decimal)}\d{{1,2}})?")
          for decimal in (DECIMAL_COMMA, DECIMAL_POINT)}
_TOO_LARGE_REASON = "too large"


def parse_amount(text: str, decimal: str = DECIMAL_COMMA) -> Decimal:
    """A FEC amount to the cent, in the convention whose decimal separator is *decimal*: digits, thousands grouped
    by spaces (or by the other separator), at most two decimals, blank for zero; ValueError otherwise.

    >>> parse_amount("1 234,56"), parse_amount("1.234,5"), parse_amount(""), parse_amount("5,920.00", ".")
    (Decimal('1234.56'), Decimal('1234.50'), Decimal('0.00'), Decimal('5920.00'))
    >>> parse_amount("5,920.00")
    Traceback (most recent call last):
    ValueError: 5,920.00
    """
    text = text.strip()
    if not text:
        return Decimal("0.00")
    found = _PATTERNS[decimal].fullmatch(text)
    if found is None:
        raise ValueError(text)
    sign, whole, cents = found.groups()
    digits = whole.translate(_NOT_DIGITS)
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise ValueError(_TOO_LARGE_REASON)
    return Decimal(f"{sign}{digits}.{(cents or '').ljust(2, '0')}")


_NOT_DIGITS = str.maketrans("", "", _SPACES + ".,")


def number_convention(amounts: Iterable[str]) -> str:
    """The file's decimal separator, decided once from all its amounts.

    Only an amount with decimals tells (``1,5``, ``5,920.00``): it fits one convention alone; ``1234`` or ``1,234``
    do not. The convention most amounts show wins, the decimal comma of the FEC norm when none does or as many
    show each; the amounts that do not fit it are refused by :func:`parse_amount`, never read the other way.

    >>> number_convention(["1 200,50", "0,00", "1234"]), number_convention(["5,920.00", "1,234"])
    (',', '.')
    >>> number_convention(["12", "1,234"])
    ','
    """
    joined = "\n".join(amounts)
    shown = {decimal: len(pattern.findall(joined)) for decimal, pattern in _SHOWS.items()}
    return DECIMAL_POINT if shown[DECIMAL_POINT] > shown[DECIMAL_COMMA] else DECIMAL_COMMA


def _shown_by(amounts: dict[str, tuple[int, int]], decimal: str) -> tuple[str, int] | None:
    """The first amount (text, line) that shows the convention *decimal*, for a message."""
    shows = _SHOWS[decimal]
    found = [(line, text) for text, (line, _) in amounts.items() if shows.fullmatch(text)]
    return (min(found)[1], min(found)[0]) if found else None


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


_SENS_SIGN = {"d": 1, "+1": 1, "1": 1, "c": -1, "-1": -1}


class _Columns(NamedTuple):
    """Where the fields this reader keeps stand in a line (0-based): those of :data:`NEEDED`, in its order, then
    the debit (or the amount) and the column read with it (the credit, or the direction)."""

    journal: int
    number: int
    date: int
    account: int
    account_label: int
    aux_num: int
    aux_lib: int
    piece_ref: int
    label: int
    debit: int
    second: int


class _Read(NamedTuple):
    """What a FEC gives once its lines are read."""

    entries: list[Entry]
    other: int
    decimal: str
    days: dict[str, dt.date]     # each distinct date text of the file, parsed
    cleaned: list[int]           # the expense lines whose texts lost characters XML forbids


def parse_fec(data: bytes, name: str = "FEC") -> Fec:
    """Parse the bytes of a FEC (see the module's rules); *name* is used in messages."""
    if not data or data.isspace():   # not data.strip(), which would copy the whole file
        raise FecError(name, [FecProblem(1, None, _EMPTY, {})])
    if b"\x00" in data[:4096]:
        raise FecError(name, [FecProblem(1, None, _BINARY, {})])
    text, encoding, fallback = decode_text(data)
    del data
    header_line = text[:text.find("\n")] if "\n" in text else text
    separator = max(SEPARATORS, key=header_line.count)
    header_names = [h.strip().strip('"') for h in _row(header_line, separator) or []]
    header = [h.casefold() for h in header_names]
    position = {h: i for i, h in enumerate(header)}
    missing = [c for c in NEEDED if c.casefold() not in position]
    if missing:
        raise FecError(name, [FecProblem(1, None, _NO_HEADER, {"missing": ", ".join(missing)})])
    if all(c.casefold() in position for c in DEBIT_CREDIT):
        debit, second, sens = position["debit"], position["credit"], None
    elif all(c.casefold() in position for c in AMOUNT_SENS):
        debit, second, sens = position["montant"], position["sens"], position["sens"]
    else:
        raise FecError(name, [FecProblem(1, None, _NO_AMOUNT, {})])
    columns = _Columns._make([*(position[c.casefold()] for c in NEEDED), debit, second])
    with _no_gc():
        # Most files are plain and read column by column; any other, or one with a problem, line by line.
        read = _read_plain(text, separator, len(header), columns, sens is None) or _read_lines(
            text.split("\n"), separator, header_names, columns, sens, name)
        del text
    months = frozenset((day.year, day.month) for day in read.days.values())
    warnings = fallback_warnings(fallback, name) + [FecProblem(n, None, _CONTROL, {}, name) for n in read.cleaned]
    return Fec(read.entries, read.other, encoding, separator, read.decimal, months,
               sorted(warnings, key=lambda w: w.line))


#: Every ASCII digit as 9: the plain amount patterns (:data:`_PLAIN`, :data:`_SHOWS`) read a text and its shape
#: alike, and a file has few distinct shapes (``-9999,99``) where it has many distinct amounts.
_SHAPE = str.maketrans("012345678", "999999999")

#: What an expense line whose piece names no supplier is given.
_NO_SUPPLIER = ("", "")

#: Characters of the text read at once by :func:`_read_plain` (whole lines): no field of a block this long can be
#: longer than a field may be, and its strings stay in the processor's cache from its first pass to its last.
_BLOCK = MAX_FIELD


def _read_plain(text: str, separator: str, width: int, columns: _Columns, credit: bool) -> _Read | None:
    """A plain FEC read column by column at C speed, or None at the first thing that is not plain, for
    :func:`_read_lines` to read the file again and locate each problem.

    Plain: every line has the header's field count and no quote, no line is blank, no field is longer than
    :data:`MAX_FIELD`, every date is readable, every amount is written plainly (:func:`_plain_convention`), every
    direction is known, and no text holds a character XML forbids.

    The text is read in blocks of whole lines of at most :data:`_BLOCK` characters (so that no field can be
    longer than :data:`MAX_FIELD`), each cut at the separator in one call: the last field of a line and the first
    of the next come out as one piece, around their line feed. Every line has the header's field count when the
    block cuts into ``lines × (width − 1) + 1`` pieces and each line feed is alone in a piece at a multiple of
    ``width − 1``; then column *c* of the block is the slice ``pieces[c::width - 1]`` (the first and last columns
    come from cutting those pieces at their line feed), and each check or selection is one pass over a column (a
    set of the distinct dates and amount shapes, ``itertools.compress`` for the class-6 lines and the lines naming
    a supplier), while the block's strings are still in the processor's cache.
    """
    begin, stop = text.find("\n") + 1, len(text) - text.endswith("\n")   # the first line after the header, the end
    if not begin or stop <= begin:
        return None
    step = width - 1   # the separators of a line
    entries: list[Entry] = []
    waiting: list[int] = []   # the entries whose piece named no supplier yet: a later line of it may
    suppliers: dict[tuple[str, str], tuple[str, str]] = {}
    shapes: set[str] = set()
    days: dict[str, dt.date] = {}
    other = 0
    line = 2   # the number of the block's first line
    while begin < stop:
        end = stop if stop - begin <= _BLOCK else text.rfind("\n", begin, begin + _BLOCK)
        if end < 0:   # a line longer than a field may be: its fields are measured below
            end = text.find("\n", begin, stop)
            end = stop if end < 0 else end
        block = text[begin:end]
        begin = end + 1
        count = block.count("\n") + 1
        pieces = block.split(separator)
        joints = pieces[step:-1:step]   # the last field of each line and the first of the next
        if ('"' in block or len(pieces) != count * step + 1
                or list(map(str.count, joints, itertools.repeat("\n"))).count(1) != count - 1
                or (len(block) > MAX_FIELD and max(map(len, pieces)) > MAX_FIELD)):
            return None
        del block
        ends = "\n".join(joints).split("\n") if joints else []

        def column(c: int) -> list[str]:   # the field c of each line of this block
            if c == 0:
                return [pieces[0], *ends[1::2]]
            if c == step:
                return [*ends[0::2], pieces[-1]]
            return pieces[c::step]

        for date in set(column(columns.date)).difference(days):
            if _day(date, days) is None:
                return None
        amounts = column(columns.debit) + column(columns.second) if credit else column(columns.debit)
        new = set("\n".join(amounts).translate(_SHAPE).split("\n")).difference(shapes)
        if new:
            shapes.update(new)
            if _plain_convention(shape for shape in shapes if shape) is None:
                return None
        codes, names = column(columns.aux_num), column(columns.aux_lib)
        naming = list(map(operator.or_, map(bool, codes), map(bool, names)))
        if True in naming:
            codes, names = list(itertools.compress(codes, naming)), list(itertools.compress(names, naming))
            if xml_forbidden("".join(codes) + "".join(names)):
                return None
            # The first line of each piece naming its supplier: the block's later lines first, so that its first
            # one stays, and the earlier blocks' before it.
            keys = list(zip(itertools.compress(column(columns.journal), naming),
                            itertools.compress(column(columns.number), naming)))
            named = dict(zip(reversed(keys), reversed(list(zip(codes, names)))))
            if suppliers.keys().isdisjoint(named):
                suppliers.update(named)
            else:
                suppliers.update({key: value for key, value in named.items() if key not in suppliers})
        expense = list(map(str.startswith, column(columns.account), itertools.repeat("6")))
        expenses = expense.count(True)
        other += count - expenses
        line += count
        if not expenses:
            continue
        (journals, pieces_of, dates, accounts, account_labels, codes, names, refs, labels, firsts, seconds) = (
            list(itertools.compress(column(c), expense)) for c in columns)
        if credit:
            amounts_of = list(map(operator.sub, _plain_decimals(firsts), _plain_decimals(seconds)))
        else:
            signs = list(map(_SENS_SIGN.get, map(str.casefold, map(str.strip, seconds))))
            if None in signs:
                return None
            amounts_of = list(map(operator.mul, _plain_decimals(firsts), signs))
        waiting.extend(len(entries) + i for i in _fill_suppliers(journals, pieces_of, codes, names, suppliers))
        if xml_forbidden("".join(map("".join, (journals, pieces_of, accounts, account_labels, codes, names, refs,
                                                labels)))):
            return None
        entries += _make_entries(itertools.compress(range(line - count, line), expense), journals, pieces_of,
                                 map(days.__getitem__, dates), accounts, account_labels, codes, names, refs, labels,
                                 amounts_of)
    for i in waiting:
        if (found := suppliers.get(entries[i][1:3])) is not None:
            entries[i] = entries[i]._replace(supplier_code=found[0].strip(), supplier=found[1].strip())
    decimal = _plain_convention(shape for shape in shapes if shape)
    assert decimal is not None
    return _Read(entries, other, decimal, days, [])


def _read_lines(lines: list[str], separator: str, header_names: list[str], columns: _Columns, sens: int | None,
                name: str) -> _Read:
    """Any FEC read line by line; raise :class:`FecError` with its first problems (line and column), after
    :data:`MAX_PROBLEMS` of them the reading stops."""
    (journal, number, date_col, account, account_label, aux_num, aux_lib, piece_ref, label, debit,
     second) = columns
    width = len(header_names)
    problems: list[FecProblem] = []
    expenses: list[tuple] = []         # the fields of each expense line, its amount texts last
    amounts: dict[str, tuple[int, int]] = {}   # every amount of the file, once, with its first line and column
    suppliers: dict[tuple[str, str], tuple[str, str]] = {}
    days: dict[str, dt.date] = {}     # a year has few distinct dates: each is parsed once
    other = 0
    for n, raw in enumerate(itertools.islice(lines, 1, None), start=2):
        if len(raw) > MAX_FIELD and (long := _long_field(raw, separator)) is not None:
            problems.append(FecProblem(n, header_names[long[0]] if long[0] < width else None, _LONG,
                                       {"length": f"{long[1]:,}".replace(",", "\u202f")}))
        elif (row := raw.split(separator) if '"' not in raw else _row(raw, separator)) is None:
            problems.append(FecProblem(n, None, _UNREADABLE_LINE, {"error": "csv"}))
        elif len(row) != width:
            if len(row) > 1 or raw.strip():
                problems.append(FecProblem(n, None, _FIELDS, {"found": len(row), "expected": width}))
        elif row[date_col] not in days and _day(row[date_col], days) is None:
            problems.append(FecProblem(n, header_names[date_col], _DATE, {"value": _excerpt(row[date_col])}))
        else:
            if (text := row[debit]) not in amounts:
                amounts[text] = (n, debit)
            if sens is None and (text := row[second]) not in amounts:
                amounts[text] = (n, second)
            if row[aux_num] or row[aux_lib]:
                suppliers.setdefault((row[journal], row[number]), (row[aux_num], row[aux_lib]))
            if row[account].startswith("6"):
                expenses.append((n, row[journal], row[number], row[date_col], row[account], row[account_label],
                                 row[aux_num], row[aux_lib], row[piece_ref], row[label], row[debit], row[second]))
            else:
                other += 1
        if len(problems) >= MAX_PROBLEMS:
            break
    if not problems and not expenses and not other:
        raise FecError(name, [FecProblem(1, None, _NO_ENTRY, {})])
    (numbers, journals, pieces, dates, accounts, account_labels, codes, names, refs, labels, firsts, seconds) = (
        list(values) for values in zip(*expenses)) if expenses else ([] for _ in range(12))
    del expenses
    decimal, values = _read_amounts(amounts, header_names, problems,
                                    itertools.chain(firsts, seconds if sens is None else ()))
    signs: list[int | None] = []
    if sens is not None:
        signs = list(map(_SENS_SIGN.get, map(str.casefold, map(str.strip, seconds))))
        if None in signs and len(problems) < MAX_PROBLEMS:
            problems += itertools.islice((FecProblem(n, header_names[sens], _SENS, {"value": _excerpt(text)})
                                          for n, text, sign in zip(numbers, seconds, signs) if sign is None),
                                         MAX_PROBLEMS - len(problems))
    if problems:
        raise FecError(name, sorted(problems, key=lambda p: p.line)[:MAX_PROBLEMS])
    debits = map(values.get, firsts, itertools.repeat(ZERO))
    amounts_of = (list(map(operator.mul, debits, signs)) if sens is not None else
                  list(map(operator.sub, debits, map(values.get, seconds, itertools.repeat(ZERO)))))
    _fill_suppliers(journals, pieces, codes, names, suppliers)
    texts = [journals, pieces, accounts, account_labels, codes, names, refs, labels]
    cleaned: list[int] = []   # the expense lines whose texts lost characters XML forbids
    # One search over every text rather than one per entry: a FEC with a character XML forbids is rare, and only
    # then is each entry looked at.
    if xml_forbidden("".join(map("".join, texts))):
        for i, line_texts in enumerate(zip(*texts)):
            if xml_forbidden("".join(line_texts)):   # NUL, ESC...: the copy's XML could not hold them
                for column, text in zip(texts, line_texts):
                    column[i] = xml_text(text)
                cleaned.append(numbers[i])
    entries = _make_entries(numbers, journals, pieces, map(days.__getitem__, dates), accounts, account_labels, codes,
                            names, refs, labels, amounts_of)
    return _Read(entries, other, decimal, days, cleaned)


def _fill_suppliers(journals: list[str], pieces: list[str], codes: list[str], names: list[str],
                    suppliers: dict[tuple[str, str], tuple[str, str]]) -> list[int]:
    """Give each expense line that names no supplier its piece's (from the 401 line, usually); return the indexes
    of those whose piece is not in *suppliers*."""
    named = list(map(operator.or_, map(bool, codes), map(bool, names)))
    if True not in named:   # as most exports write them: the supplier on the 401 line alone
        pairs = list(map(suppliers.get, zip(journals, pieces), itertools.repeat(_NO_SUPPLIER)))
        codes[:], names[:] = map(operator.itemgetter(0), pairs), map(operator.itemgetter(1), pairs)
        return list(itertools.compress(range(len(pairs)), map(operator.is_, pairs, itertools.repeat(_NO_SUPPLIER))))
    missing = []
    for i in itertools.compress(range(len(codes)), map(operator.not_, named)):
        if (found := suppliers.get((journals[i], pieces[i]))) is None:
            missing.append(i)
        else:
            codes[i], names[i] = found
    return missing


def _make_entries(numbers: Iterable[int], journals: Iterable[str], pieces: Iterable[str], dates: Iterable[dt.date],
                  accounts: Iterable[str], account_labels: Iterable[str], codes: Iterable[str], names: Iterable[str],
                  refs: Iterable[str], labels: Iterable[str], amounts: Iterable[Decimal]) -> list[Entry]:
    """The entries of these columns, their texts stripped (but the journal and piece, which identify a piece)."""
    strip = str.strip
    return list(map(tuple.__new__, itertools.repeat(Entry), zip(   # Entry(...) without its Python-level __new__
        numbers, journals, pieces, dates, map(strip, accounts), map(strip, account_labels), map(strip, codes),
        map(strip, names), map(strip, refs), map(strip, labels), amounts)))


def _plain_decimals(texts: list[str]) -> Iterator[Decimal]:
    """Amounts written plainly (:func:`_plain_convention`) as Decimals, blank for zero."""
    if not texts:
        return iter(())
    if "" in texts:
        texts = [text or "0.00" for text in texts]
    return map(Decimal, "\n".join(texts).replace(",", ".").split("\n"))


def fallback_warnings(lines: list[int], path: str | None = None) -> list[FecProblem]:
    """The warning of each line read with the fallback encoding (see :func:`decode_lines`)."""
    return [FecProblem(n, None, _FALLBACK, {}, path) for n in lines]


def _read_amounts(amounts: dict[str, tuple[int, int]], header_names: list[str], problems: list[FecProblem],
                  wanted: Iterable[str]) -> tuple[str, dict[str, Decimal]]:
    """The file's convention (:func:`number_convention`) and each distinct amount text read in it (at least those
    *wanted*: when every amount is written plainly, only they are read); a problem for each one that does not fit
    it."""
    texts = [text for text in amounts if text]
    decimal = _plain_convention(texts)
    if decimal is not None:
        return decimal, _plain_values(wanted)
    joined = "\n".join(texts)
    decimal = number_convention(texts)
    if not _SHOWS[decimal].search(joined):
        # No amount with decimals tells the convention: 1.234 or 1,234 could be a thousand or one, refused.
        ambiguous = {text: amounts[text] for text in texts if "." in text or "," in text}
        for text, (n, column) in ambiguous.items():
            problems.append(FecProblem(n, header_names[column], _AMBIGUOUS, {"value": _excerpt(text)}))
        amounts = {text: where for text, where in amounts.items() if text not in ambiguous}
    return decimal, _amounts(amounts, decimal, header_names, problems)


def _plain_convention(texts: Iterable[str]) -> str | None:
    """The convention of amounts that are all written as most exports write them, ``-1234,56`` (or ``-1234.56``,
    a decimal comma when none has decimals), read by one regular expression; None when one is not so written.

    >>> _plain_convention(["-1234,56", "12"]), _plain_convention(["5920.00"]), _plain_convention(["1 234,56"])
    (',', '.', None)
    """
    joined = "\n".join(texts)
    for decimal, plain in _PLAIN.items():
        if plain.fullmatch(joined):
            if decimal == DECIMAL_POINT and not _SHOWS[DECIMAL_POINT].search(joined):
                return DECIMAL_COMMA   # integers only: the FEC norm
            return decimal
    return None


def _plain_values(texts: Iterable[str]) -> dict[str, Decimal]:
    """Each distinct text of amounts written plainly (:func:`_plain_convention`), as a Decimal."""
    distinct = [text for text in dict.fromkeys(texts) if text]
    values = {"": ZERO}
    values.update(zip(distinct, _plain_decimals(distinct)))
    return values


def _amounts(amounts: dict[str, tuple[int, int]], decimal: str, header_names: list[str],
             problems: list[FecProblem]) -> dict[str, Decimal]:
    """Each distinct amount text read in the convention *decimal*; a problem for each one that does not fit it."""
    values: dict[str, Decimal] = {}
    other = DECIMAL_POINT if decimal == DECIMAL_COMMA else DECIMAL_COMMA
    for text, (n, column) in amounts.items():
        try:
            values[text] = parse_amount(text, decimal)
            continue
        except ValueError as err:
            too_large = err.args[0] == _TOO_LARGE_REASON
        name = header_names[column]
        if too_large:
            problems.append(FecProblem(n, name, _TOO_LARGE, {"value": _excerpt(text)}))
            continue
        try:
            parse_amount(text, other)
        except ValueError:
            problems.append(FecProblem(n, name, _AMOUNT, {"value": _excerpt(text), "expected": _EXPECTED[decimal]}))
        else:
            example = _shown_by(amounts, decimal)
            shown = (Label(*(form.format(line=example[1], value=_excerpt(example[0])) for form in (_EXAMPLE.fr, _EXAMPLE.en)))
                     if example else _FEC_NORM)
            problems.append(FecProblem(n, name, _NOTATION, {
                "value": _excerpt(text), "other": _CONVENTION[other], "decimal": _CONVENTION[decimal], "example": shown}))
    return values


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
    # On the way out, what the parse made (the entries, the suppliers) goes straight to the oldest
    # generation (freeze, then unfreeze): the first young collection after it would otherwise scan
    # every one of those objects (half a second on a FEC of 1,000,000 lines); they are still collected
    # with that generation, as any long-lived object.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def _split(line: str, separator: str) -> list[str]:
    if '"' not in line:
        return line.split(separator)
    return next(csv.reader([line], delimiter=separator), [])


def _row(line: str, separator: str) -> list[str] | None:
    """The fields of a line; None when the csv module cannot read it."""
    if '"' not in line:
        return line.split(separator)
    try:
        return _split(line, separator)
    except csv.Error:
        return None


def _long_field(line: str, separator: str) -> tuple[int, int] | None:
    """(index, length) of the first field longer than :data:`MAX_FIELD` (fields cut at every separator)."""
    for i, text in enumerate(line.split(separator)):
        if len(text) > MAX_FIELD:
            return i, len(text)
    return None


def _excerpt(value: str, limit: int = 40) -> str:
    value = value.strip()
    return value if len(value) <= limit else value[:limit] + "…"
