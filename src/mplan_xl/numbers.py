"""Numbers and dates as the plan understands them.

:func:`to_number` is what every metric applies to its inputs. It is strict on
purpose: only real numbers count, exactly like the workbook's native formulas
(``ISNUMBER``), so a figure computed in Python and the same figure computed
by Excel can never disagree. Text that *looks* like a number is the
validator's business: :func:`parse_localized_number` reads it ("1 234,56 €")
so the report can say which number was probably meant.

Domain core: standard library only.

Example:
    >>> to_number(12), to_number("12"), to_number(None)
    (12.0, None, None)
    >>> parse_localized_number("1 234,56 €"), parse_localized_number("12,5 %")
    (1234.56, 0.125)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Last day Excel can show (9999-12-31) as a serial number.
MAX_SERIAL = 2_958_465

_CURRENCY = re.compile(r"(€|\$|£|¥|EUR|USD|GBP|CHF|CAD|MAD|FCFA|XOF)", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


def to_number(value: Any) -> float | None:
    """A finite int or float as float; anything else (blank, text, bool, date) is None.

    >>> to_number(3), to_number(2.5), to_number(True), to_number(float("nan"))
    (3.0, 2.5, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def parse_localized_number(text: Any) -> float | None:
    """The number a text most probably means, in French or English notation; None if it is no number.

    Spaces (also non-breaking and narrow ones) and apostrophes group thousands;
    currency symbols are dropped; a trailing ``%`` divides by 100. With both
    ``,`` and ``.`` the last one is the decimal separator; a lone ``,`` is
    decimal (French) and a lone ``.`` too, unless it repeats (``1.234.567``).

    >>> parse_localized_number("1.234,5"), parse_localized_number("1,234.5"), parse_localized_number("abc")
    (1234.5, 1234.5, None)
    """
    if not isinstance(text, str):
        return None
    s = _CURRENCY.sub("", text.strip())
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
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", s):
        return None
    number = float(s)
    return number / 100 if percent else number


def to_date(value: Any) -> dt.date | None:
    """A date from a date, a datetime, an Excel serial number (1900 system) or an ISO text; else None.

    >>> to_date(46203), to_date("2026-06-30")
    (datetime.date(2026, 6, 30), datetime.date(2026, 6, 30))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    number = to_number(value)
    if number is not None:
        return EXCEL_EPOCH + dt.timedelta(days=int(number)) if 1 <= number <= MAX_SERIAL else None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None
