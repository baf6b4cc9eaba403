"""Structured references to the plan's Excel tables, in the one form both Excel and LibreOffice evaluate.

Domain core: formulas are plain strings, no Excel library is imported.
"""

from __future__ import annotations

from .schema import Table

#: Characters that must be escaped with a quote inside a structured reference.
_STRUCTURED_ESCAPES = str.maketrans({c: "'" + c for c in "[]#'"})


def _header(sheet: Table, column_key: str, lang: str) -> str:
    return sheet.column(column_key).header(lang).translate(_STRUCTURED_ESCAPES)


def structured_ref(sheet: Table, column_key: str, lang: str, this_row: bool = True) -> str:
    """The Excel 2007 form of a structured reference, the only one LibreOffice evaluates.

    >>> from mplan_xl.core.schema import BUDGET
    >>> structured_ref(BUDGET, "planned", "fr")
    'tblBudget[[#This Row],[Prévisionnel]]'
    >>> structured_ref(BUDGET, "planned", "fr", this_row=False)
    'tblBudget[[Prévisionnel]]'
    """
    header = _header(sheet, column_key, lang)
    if this_row:
        return f"{sheet.table}[[#This Row],[{header}]]"
    return f"{sheet.table}[[{header}]]"


def structured_span(sheet: Table, first: str, last: str, lang: str) -> str:
    """This row's cells from column *first* to column *last*, as one range (the twelve months of a row).

    >>> from mplan_xl.core.schema import BUDGET_MONTHS
    >>> structured_span(BUDGET_MONTHS, "m01", "m12", "en")
    'tblBudgetMonths[[#This Row],[Jan]:[Dec]]'
    """
    return f"{sheet.table}[[#This Row],[{_header(sheet, first, lang)}]:[{_header(sheet, last, lang)}]]"
