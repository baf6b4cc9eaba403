"""Numbers and dates as the plan understands them.

Three readers, for three jobs:

- :func:`to_number` is what every metric applies to its inputs. It is strict
  on purpose: only real numbers count, exactly like the workbook's native
  formulas (``ISNUMBER``). Were it to read the text ``"1 234,56"`` as a
  number, ``MPLAN_ROI`` (Python) would show a figure where the native formula
  of the same column shows a blank, and the validator, the consolidation and
  the workbook would disagree on one and the same cell.
- :func:`parse_localized_number` reads *text* that looks like a number, in
  French or English notation (``"1 234,56 €"``, ``"12,5 %"``): the validator
  uses it to say "this text is probably the number 1234.56, type it as a
  number", and rollover to carry such values over as real numbers.
- :func:`read_number` is both: a real number, or else the number a text means.

:func:`to_date` reads dates (date, datetime, Excel serial number, ISO text),
and :func:`approx_equal` compares two numbers the way spreadsheets do, so a
threshold test gives the same answer in Python and in a cell.

Domain core: standard library only.

Example:
    >>> to_number(12), to_number("12"), to_number(None)
    (12.0, None, None)
    >>> parse_localized_number("1 234,56 €"), parse_localized_number("12,5 %")
    (1234.56, 0.125)
    >>> read_number(3), read_number("3,5"), read_number("trois")
    (3.0, 3.5, None)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Iterable

#: Day 0 of Excel's 1900 date system, for serial numbers from 61 (1900-03-01) on.
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Last day Excel can show (9999-12-31) as a serial number.
MAX_SERIAL = 2_958_465

_CURRENCY = re.compile(r"(€|\$|£|¥|EUR|USD|GBP|CHF|CAD|MAD|FCFA|XOF)", re.IGNORECASE)
#: Thousands separators: spaces (also no-break U+00A0, narrow no-break U+202F, thin U+2009) and apostrophes.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009'\u2019]")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})
# Possessive: a long run of digits that ends in a letter fails in linear time.
_NUMBER = re.compile(r"[+-]?(?:\d++(?:\.\d*+)?|\.\d++)")

#: The largest number Excel holds in a cell (Excel specifications and limits); beyond it, and for NaN or an
#: infinity, a cell's value is no number at all: Excel refuses to open a file holding one.
EXCEL_MAX_NUMBER = 9.99999999999999e307

#: Relative tolerance of spreadsheet comparisons (2^-48, LibreOffice's ``rtl::math::approxEqual``).
SPREADSHEET_EPSILON = 2.0 ** -48


def format_number(value: float, lang: str, spec: str = ",.2f") -> str:
    """*value* formatted with *spec* in the language's notation: in French, narrow no-break spaces group the
    thousands and a comma marks the decimals. The one number formatting of every message.

    >>> format_number(-1234.5, "fr"), format_number(1234.5, "en"), format_number(0.125, "fr", ".3g")
    ('-1\u202f234,50', '1,234.50', '0,125')
    """
    text = format(value, spec)
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def is_blank(value: Any) -> bool:
    """Blank as the workbook's formulas see it (``LEN(TRIM(x))=0``): None, or a text of spaces only.

    The one definition of a blank cell for the reader, the checks, the Guide's
    status and the SMART check.

    >>> is_blank(None), is_blank("   "), is_blank(""), is_blank("\\t"), is_blank(0)
    (True, True, True, False, False)
    """
    return value is None or (isinstance(value, str) and not value.strip(" "))


def to_number(value: Any, *, dates: bool = False) -> float | None:
    """A finite int or float as float; anything else (blank, text, bool, NaN, infinity) is None.

    Text is never a number here, even ``"12"`` (see the module docstring for
    why; :func:`read_number` reads text). A date or datetime is None, unless
    *dates* is true: then it is its Excel serial number (:func:`date_to_serial`),
    as a cell holds it, so ``to_number(v, dates=True)`` is exactly Excel's
    ``ISNUMBER`` view of a cell value; the metrics read their inputs that way.

    >>> to_number(3), to_number(2.5), to_number(True), to_number(float("nan")), to_number("1 234,56")
    (3.0, 2.5, None, None, None)
    >>> to_number(dt.date(2026, 6, 30)), to_number(dt.date(2026, 6, 30), dates=True)
    (None, 46203.0)
    """
    kind = value.__class__
    if kind is float:   # the common cases first: a cell's number, a blank, a text
        return value if math.isfinite(value) else None
    if value is None or kind is str:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return date_to_serial(value) if dates else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:  # an int too large for a float
        return None
    return value if math.isfinite(value) else None


def is_cell_number(value: float) -> bool:
    """Whether a float read from a cell is a number Excel can hold: finite, within ±:data:`EXCEL_MAX_NUMBER`.

    The reader (:mod:`mplan_xl.read.reader`) turns every other one into a value no figure counts, so no NaN or
    infinity reaches a computation, a database or a written workbook.

    >>> is_cell_number(1e15), is_cell_number(1e308), is_cell_number(float("nan")), is_cell_number(float("-inf"))
    (True, False, False, False)
    """
    return -EXCEL_MAX_NUMBER <= value <= EXCEL_MAX_NUMBER


def total(values: Iterable[Any]) -> float:
    """The sum of the numbers among *values*, as SUM adds a column (text, blanks and booleans left out).

    Never an infinity: a sum beyond what a cell holds (two amounts of 9e307) is ±:data:`EXCEL_MAX_NUMBER`,
    its amounts being out of range already (``check``: ``value-out-of-range``, at their cells).

    >>> total([1, "2", None, 2.5, True]), total([9e307, 9e307]) == EXCEL_MAX_NUMBER
    (3.5, True)
    """
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    try:
        result = math.fsum(numbers)
    except OverflowError:     # intermediate overflow: the sign of the plain sum says which way
        result = math.copysign(math.inf, sum(numbers))
    return max(-EXCEL_MAX_NUMBER, min(EXCEL_MAX_NUMBER, result))


def parse_localized_number(text: Any) -> float | None:
    """The number a text most probably means, in French or English notation; None if it is no number.

    Spaces (also non-breaking and narrow ones) and apostrophes group thousands;
    currency symbols and codes (``€``, ``EUR``, ``$``...) are dropped; a
    trailing ``%`` divides by 100; a Unicode minus counts as ``-``. With both
    ``,`` and ``.`` the last one is the decimal separator; a lone ``,`` is
    decimal (French) and so is a lone ``.``, unless it repeats (``1.234.567``).
    Only text is parsed: a real number given here is None (use :func:`read_number`).

    >>> parse_localized_number("1.234,5"), parse_localized_number("1,234.5"), parse_localized_number("abc")
    (1234.5, 1234.5, None)
    >>> parse_localized_number("1\\u202f234,56 €"), parse_localized_number("-3,5 %")
    (1234.56, -0.035)
    """
    if not isinstance(text, str):
        return None
    s = _CURRENCY.sub("", text.strip()).translate(_MINUS).strip()
    percent = s.endswith("%")
    s = _SPACES.sub("", s.rstrip("%"))
    if not s:
        return None
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        s = s.replace(thousands, "").replace(decimal, ".")
    elif "," in s:
        s = s.replace(",", "") if s.count(",") > 1 else s.replace(",", ".")
    elif s.count(".") > 1:
        s = s.replace(".", "")
    if not _NUMBER.fullmatch(s):
        return None
    number = float(s)
    if not math.isfinite(number):
        return None
    return number / 100 if percent else number


def read_number(value: Any) -> float | None:
    """A real number (:func:`to_number`), or else the number a text means (:func:`parse_localized_number`).

    For reading what a person typed, never for computing a figure of the plan
    (figures count real numbers only, as the workbook does).

    >>> read_number(1500), read_number("1 500 €"), read_number(""), read_number(True)
    (1500.0, 1500.0, None, None)
    """
    number = to_number(value)
    return number if number is not None else parse_localized_number(value)


def approx_equal(a: float, b: float) -> bool:
    """Whether two numbers are equal as a spreadsheet compares them.

    Excel and LibreOffice treat numbers that differ only in the last bits as
    equal (``=(1.9-1)>=0.9`` is TRUE in a cell, while ``1.9 - 1 >= 0.9`` is
    False in Python). The metrics compare with this test so a KPI right on a
    threshold gets the same status in Python and in the workbook. Zero equals
    only zero.

    >>> approx_equal(1.9 - 1, 0.9), approx_equal(0.9, 0.9000001), approx_equal(0.0, 1e-300)
    (True, False, False)
    """
    if a == b:
        return True
    if a == 0 or b == 0:
        return False
    d = abs(a - b)
    return d < abs(a) * SPREADSHEET_EPSILON and d < abs(b) * SPREADSHEET_EPSILON


def at_least(a: float, b: float) -> bool:
    """``a >= b`` as a spreadsheet evaluates it (see :func:`approx_equal`).

    >>> at_least((1.9 - 1) / (2 - 1), 0.9), at_least(0.89, 0.9)
    (True, False)
    """
    return a >= b or approx_equal(a, b)


def at_most(a: float, b: float) -> bool:
    """``a <= b`` as a spreadsheet evaluates it (see :func:`approx_equal`)."""
    return a <= b or approx_equal(a, b)


def date_to_serial(value: dt.date | dt.datetime) -> float | None:
    """The Excel serial number (1900 date system) of a date or datetime, time of day as a fraction; None before 1900.

    >>> date_to_serial(dt.date(2026, 6, 30)), date_to_serial(dt.datetime(2026, 6, 30, 18)), date_to_serial(dt.date(1900, 1, 1))
    (46203.0, 46203.75, 1.0)
    """
    day = value.date() if isinstance(value, dt.datetime) else value
    if day.year < 1900:
        return None
    serial = float((day - EXCEL_EPOCH).days)
    if serial < 61:  # before 1900-03-01: Excel's phantom 1900-02-29 shifts the count by one
        serial -= 1
    if isinstance(value, dt.datetime):
        midnight = dt.datetime.combine(day, dt.time(), value.tzinfo)
        serial += (value - midnight).total_seconds() / 86400
    return serial


def serial_to_date(serial: float) -> dt.date | None:
    """The day of an Excel serial number (1900 date system, time of day dropped); None outside 1..9999-12-31.

    Excel counts 1900 as a leap year: serials 1 to 59 are 1900-01-01 to
    1900-02-28, 60 is the phantom 1900-02-29 (read here as 1900-02-28, as
    openpyxl does), 61 is 1900-03-01.

    >>> serial_to_date(1), serial_to_date(61), serial_to_date(46203.75), serial_to_date(0)
    (datetime.date(1900, 1, 1), datetime.date(1900, 3, 1), datetime.date(2026, 6, 30), None)
    """
    if not 1 <= serial < MAX_SERIAL + 1:
        return None
    days = int(serial)
    if days < 61:
        days += 1
        if days == 61:
            days = 60
    return EXCEL_EPOCH + dt.timedelta(days=days)


def to_date(value: Any) -> dt.date | None:
    """A date from a date, a datetime, an Excel serial number (1900 system) or an ISO text; else None.

    >>> to_date(46203), to_date("2026-06-30"), to_date(dt.datetime(2026, 6, 30, 14, 0))
    (datetime.date(2026, 6, 30), datetime.date(2026, 6, 30), datetime.date(2026, 6, 30))
    >>> to_date("30/06/2026"), to_date(0), to_date(None)
    (None, None, None)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    number = to_number(value)
    if number is not None:
        return serial_to_date(number)
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.datetime.fromisoformat(text).date() if len(text) > 10 else dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_localized_date(text: Any, lang: str = "fr") -> dt.date | None:
    """The day a text typed into a date cell means, when only one reading is possible; else None.

    ``15/03/2027``, ``15.03.2027``, ``15-03-2027`` are day first (French, and English outside the US); ISO
    ``2027-03-15`` too. In an English workbook a text such as ``03/04/2027``, which a US desk reads as
    March 4th, is ambiguous: None (never a guess); in a French one it is day first. Only text is parsed.

    >>> parse_localized_date("15/03/2027"), parse_localized_date(" 2027-03-15 "), parse_localized_date("03/04/2027", "en")
    (datetime.date(2027, 3, 15), datetime.date(2027, 3, 15), None)
    >>> parse_localized_date("31/02/2027"), parse_localized_date("bientôt"), parse_localized_date("15/03/2027", "en")
    (None, None, datetime.date(2027, 3, 15))
    """
    if not isinstance(text, str):
        return None
    s = text.strip()
    iso = _ISO_DAY.fullmatch(s)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        match = _DAY_FIRST.fullmatch(s)
        if match is None:
            return None
        day, month, year = (int(g) for g in match.groups())
        if lang == "en" and day <= 12 and month <= 12 and day != month:
            return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def typed_number(text: Any, percent: bool = False) -> float | None:
    """The number a text typed into a number cell certainly means (:func:`parse_localized_number`), for a cell
    holding a percentage (*percent*: a fraction, 0.15 shown 15 %) only when the text carries its ``%`` sign:
    ``"15"`` there may mean 15 % or 0.15 %; None when unsure.

    >>> typed_number("1 200,50 €"), typed_number("15 %", percent=True), typed_number("15", percent=True)
    (1200.5, 0.15, None)
    """
    number = parse_localized_number(text)
    if number is None or (percent and "%" not in str(text)):
        return None
    return number
