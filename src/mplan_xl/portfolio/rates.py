"""The group's exchange rates: ``mplan-xl consolidate --currency EUR --rates FILE``.

Two CSV layouts are read, told apart by their header:

* **long**: one rate per line, columns ``currency, rate, date`` (or ``devise, taux, date``), separated by
  commas or semicolons (then a decimal comma is allowed). The rate is the number of units of the currency
  for **one unit of the reporting currency** (the ECB's convention: ``USD, 1.0495`` means 1 EUR = 1.0495 USD).
  When a currency has several lines, the latest date wins. The date is ``AAAA-MM-JJ`` or ``JJ/MM/AAAA``.
* **ECB**: the European Central Bank's reference rates as downloaded (``eurofxref.csv``, or the history
  ``eurofxref-hist.csv``, newest first): a header ``Date, USD, JPY, ...`` and rows ``25 November 2024, 1.0495,
  ...`` (or ``2024-11-25,1.0495,...``), rates per 1 EUR; the first row (the latest) is used, ``N/A`` is no rate.
  Another reporting currency than EUR is reached through the euro (cross rate), when the file has it.

:func:`read_rates` returns, for each currency, its *reporting rate*: what one unit of it is worth in the
reporting currency (amount × reporting rate = amount in the reporting currency). The reporting currency
itself always has rate 1.

Example:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "eurofxref.csv"
    >>> _ = path.write_text("Date, USD, JPY, PLN, \\n25 November 2024, 1.0495, 160.2, 4.3, \\n")
    >>> rates = read_rates(path, "EUR")
    >>> round(rates.rates["PLN"].reporting_rate, 6), rates.rates["PLN"].date.isoformat(), rates.rates["EUR"].per_unit
    (0.232558, '2024-11-25', 1.0)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass

from ..core.errors import UsageError
from ..core.vocabulary import Label

TEXT = {
    "unreadable": Label("{path} : fichier de taux illisible ({detail})", "{path}: rates file unreadable ({detail})"),
    "empty": Label("{path} : fichier de taux vide", "{path}: rates file is empty"),
    "header": Label("{path}, ligne 1 : en-tête attendu « currency, rate, date » (ou « devise, taux, date ») ou celui "
                    "de la BCE « Date, USD, JPY, ... »",
                    "{path}, line 1: expected the header 'currency, rate, date' (or 'devise, taux, date') or the "
                    "ECB's 'Date, USD, JPY, ...'"),
    "rate": Label("{path}, ligne {line}, colonne {column} : taux {value!r} invalide (attendu un nombre > 0)",
                  "{path}, line {line}, column {column}: invalid rate {value!r} (expected a number > 0)"),
    "date": Label("{path}, ligne {line}, colonne {column} : date {value!r} invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)",
                  "{path}, line {line}, column {column}: invalid date {value!r} (expected YYYY-MM-DD or DD/MM/YYYY)"),
    "currency": Label("{path}, ligne {line} : code de devise {value!r} invalide (attendu 3 lettres, ex. EUR)",
                      "{path}, line {line}: invalid currency code {value!r} (expected 3 letters, e.g. EUR)"),
    "no_reporting": Label("{path} : pas de taux pour la devise de consolidation {currency} (taux BCE en euros : "
                          "ajoutez-la ou consolidez en EUR)",
                          "{path}: no rate for the reporting currency {currency} (ECB rates are per euro: "
                          "add it or consolidate in EUR)"),
}

LONG_HEADERS = ({"currency", "rate", "date"}, {"devise", "taux", "date"})
#: Largest rates file read (a rates table is a few kilobytes).
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class Rate:
    """One currency's rate: *per_unit* units of it for one unit of the reporting currency, on *date*."""

    currency: str
    per_unit: float
    date: dt.date | None

    @property
    def reporting_rate(self) -> float:
        """What one unit of the currency is worth in the reporting currency."""
        return 1.0 / self.per_unit


@dataclass(frozen=True)
class Rates:
    """The rates of a file, towards *reporting* (a currency code)."""

    reporting: str
    rates: dict[str, Rate]
    source: str

    def get(self, currency: str | None) -> Rate | None:
        return self.rates.get((currency or "").strip().upper())


def _number(text: str) -> float | None:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value > 0 and value == value and value != float("inf") else None


def _date(text: str) -> dt.date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _cells(line: list[str]) -> list[str]:
    cells = [c.strip() for c in line]
    while cells and not cells[-1]:   # the ECB's rows end with ", "
        cells.pop()
    return cells


def read_rates(path: str | os.PathLike, reporting: str) -> Rates:
    """The rates of the CSV *path* towards the currency *reporting*; a bad file is a located
    :class:`~mplan_xl.core.errors.UsageError` (file, line, column)."""
    reporting = reporting.strip().upper()
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise UsageError(TEXT["unreadable"], path=path, detail=err.strerror or type(err).__name__) from None
    if len(data) > MAX_BYTES:
        raise UsageError(TEXT["unreadable"], path=path, detail=f"> {MAX_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise UsageError(TEXT["empty"], path=path)
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = [_cells(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
    header = [h.lower() for h in rows[0]]
    ecb = bool(header) and header[0] == "date" and len(header) > 1 and set(header) not in LONG_HEADERS
    if ecb:
        found = _ecb(path, rows)
    elif set(header) in LONG_HEADERS and len(header) == 3:
        found = _long(path, rows, header)
    else:
        raise UsageError(TEXT["header"], path=path)
    base = found.get(reporting)
    if base is None and ecb:   # the ECB's rates are per euro: another reporting currency must be in the file
        raise UsageError(TEXT["no_reporting"], path=path, currency=reporting)
    base = base or Rate(reporting, 1.0, None)   # a long file's rates are per unit of the reporting currency
    rates = {code: Rate(code, rate.per_unit / base.per_unit, rate.date) for code, rate in found.items()}
    rates[reporting] = Rate(reporting, 1.0, base.date)
    return Rates(reporting, rates, str(path))


def _ecb(path: str | os.PathLike, rows: list[list[str]]) -> dict[str, Rate]:
    header = rows[0]
    if len(rows) < 2:
        raise UsageError(TEXT["empty"], path=path)
    row = rows[1]   # the latest day (the history file is newest first)
    day = _date(row[0]) if row else None
    if day is None:
        raise UsageError(TEXT["date"], path=path, line=2, column=1, value=row[0] if row else "")
    found = {"EUR": Rate("EUR", 1.0, day)}
    for column, (code, cell) in enumerate(zip(header[1:], row[1:]), 2):
        code = code.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise UsageError(TEXT["currency"], path=path, line=1, value=code)
        if cell.upper() in ("N/A", ""):
            continue
        value = _number(cell)
        if value is None:
            raise UsageError(TEXT["rate"], path=path, line=2, column=column, value=cell)
        found[code] = Rate(code, value, day)
    return found


def _long(path: str | os.PathLike, rows: list[list[str]], header: list[str]) -> dict[str, Rate]:
    at = {name: header.index(name) for name in header}
    code_at = at.get("currency", at.get("devise", 0))
    rate_at = at.get("rate", at.get("taux", 1))
    date_at = at["date"]
    found: dict[str, Rate] = {}
    for line, row in enumerate(rows[1:], 2):
        row = row + [""] * (3 - len(row))
        code = row[code_at].strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise UsageError(TEXT["currency"], path=path, line=line, value=row[code_at])
        value = _number(row[rate_at])
        if value is None:
            raise UsageError(TEXT["rate"], path=path, line=line, column=rate_at + 1, value=row[rate_at])
        day = _date(row[date_at]) if row[date_at].strip() else None
        if row[date_at].strip() and day is None:
            raise UsageError(TEXT["date"], path=path, line=line, column=date_at + 1, value=row[date_at])
        known = found.get(code)
        if known is None or (day is not None and (known.date is None or day >= known.date)):
            found[code] = Rate(code, value, day)
    return found


__all__ = ["Rate", "Rates", "read_rates"]
