"""The one XlsxWriter workbook every writer of ours opens: no NaN or infinity ever reaches a ``<v>``.

Excel refuses a whole file whose cell holds ``<v>inf</v>`` or ``<v>nan</v>``.
The reader hands on no such number (:class:`~mplan_xl.read.reader.NotANumber`), yet
a figure computed from numbers Excel holds can still overflow (two amounts of
9e307 add up to an infinity). Every workbook we write (new plans, rollover,
upgrade, portfolio, reports, diff) is opened by :func:`workbook`, which writes
such a number as ``#NUM!``, what Excel shows for a number beyond its range:
a number with ``nan_inf_to_errors``, the cached result of a formula through
:class:`SafeWorksheet`.

Example:
    >>> wb = workbook("out.xlsx", {"strings_to_numbers": False})    # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

#: What a cell shows for a number beyond what a cell can hold.
NUM_ERROR = "#NUM!"


def _cached(value: Any) -> Any:
    return NUM_ERROR if isinstance(value, float) and not math.isfinite(value) else value


class SafeWorksheet(Worksheet):
    """A worksheet whose formulas never cache a NaN or an infinity (``#NUM!`` instead)."""

    def _write_formula(self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0) -> Any:
        return super()._write_formula(row, col, formula, cell_format, _cached(value))

    def _write_array_formula(self, first_row: int, first_col: int, last_row: int, last_col: int, formula: str,
                             cell_format: Any = None, value: Any = 0, atype: str = "static") -> Any:
        return super()._write_array_formula(first_row, first_col, last_row, last_col, formula, cell_format,
                                            _cached(value), atype)


#: A turn no eye sees (0.01°, in 60,000ths of a degree) that LibreOffice still reads as a turn: it then keeps a
#: category label on one line, where it breaks an unturned one at its spaces and shows every other label.
UNSEEN_TURN = -600


def unwrapped(chart: Any, whole_categories: bool = False) -> Any:
    """*chart* (an XlsxWriter chart) with every text of it on one line (``<a:bodyPr wrap="none"/>``): LibreOffice
    wraps a data label wider than a third of the chart's height or width, the smaller (``140 000`` over ``€`` in
    a chart 176 pixels tall). With *whole_categories*, its category labels are turned by :data:`UNSEEN_TURN` as
    well: LibreOffice ignores ``wrap`` on an axis and breaks its labels unless they are turned ("Promotions /
    remises" over two lines, then every other name left out). The category axis needs a font (``num_font``)
    for its labels to have a ``<a:bodyPr>``. Returns the chart."""
    empty_tag = chart._xml_empty_tag
    write_cat_axis = chart._write_cat_axis
    in_categories = False

    def tag(name: str, attributes: list | None = None) -> None:
        if name == "a:bodyPr":
            turn = [("rot", UNSEEN_TURN), ("vert", "horz")] if in_categories and whole_categories else []
            attributes = [*turn, *(attributes or []), ("wrap", "none")]
        empty_tag(name, attributes or [])

    def cat_axis(args: dict[str, Any]) -> None:
        nonlocal in_categories
        in_categories = True
        try:
            write_cat_axis(args)
        finally:
            in_categories = False

    chart._xml_empty_tag = tag
    chart._write_cat_axis = cat_axis
    return chart


def workbook(path: str | os.PathLike, options: dict[str, Any] | None = None) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook at *path* with *options*, whose every worksheet is a :class:`SafeWorksheet` and
    whose non-finite numbers are written as errors."""
    wb = xlsxwriter.Workbook(str(path), {**(options or {}), "nan_inf_to_errors": True})
    wb.worksheet_class = SafeWorksheet
    return wb


__all__ = ["NUM_ERROR", "SafeWorksheet", "UNSEEN_TURN", "unwrapped", "workbook"]
