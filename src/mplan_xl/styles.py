"""Cell formats of the generated workbook, per language and currency.

Number formats are stored in the file in Excel's locale-neutral syntax; the
language decides where the currency symbol goes, how dates read and whether a
space precedes ``%`` (French typography). Input cells are unlocked and pale
yellow; computed cells are locked, grey and italic, so nobody mistakes one for
the other.

Example:
    >>> number_format(Kind.MONEY, "fr", "€")
    '#,##0.00 "€"'
    >>> number_format(Kind.DATE, "en", "€")
    'd mmm yyyy'
"""

from __future__ import annotations

from typing import Any

from .schema import Kind

INPUT_FILL = "#FFF8DC"
COMPUTED_FILL = "#E7E6E6"
HEADER_FILL = "#1F4E78"
REQUIRED_HEADER_FILL = "#C55A11"
TITLE_COLOR = "#1F4E78"
BORDER_COLOR = "#BFBFBF"


def number_format(kind: Kind, lang: str, currency_symbol: str) -> str | None:
    """The Excel number format of a column kind, or None for text."""
    fr = lang == "fr"
    if kind is Kind.MONEY:
        return f'#,##0.00 "{currency_symbol}"' if fr else f'"{currency_symbol}"#,##0.00'
    if kind is Kind.DATE:
        return "dd/mm/yyyy" if fr else "d mmm yyyy"
    if kind is Kind.PERCENT:
        return "0.0 %" if fr else "0.0%"
    if kind is Kind.INTEGER:
        return "0"
    if kind is Kind.DECIMAL:
        return "#,##0.00"
    return None


class Styles:
    """XlsxWriter formats of one workbook, created once and shared by every sheet."""

    def __init__(self, workbook: Any, lang: str, currency_symbol: str):
        self._wb = workbook
        self.lang = lang
        self.currency_symbol = currency_symbol
        self._cache: dict[tuple, Any] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 16, "font_color": TITLE_COLOR})
        self.subtitle = workbook.add_format({"bold": True, "font_size": 12, "font_color": TITLE_COLOR})
        self.guidance = workbook.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        self.label = workbook.add_format({"bold": True})
        self.text = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.meta = workbook.add_format({"font_color": "#808080"})

    def header(self, required: bool, computed: bool) -> Any:
        fill = COMPUTED_FILL if computed else REQUIRED_HEADER_FILL if required else HEADER_FILL
        return self._get(("header", fill), {
            "bold": True, "text_wrap": True, "valign": "vcenter", "align": "center", "border": 1,
            "border_color": BORDER_COLOR, "bg_color": fill, "font_color": "#000000" if computed else "#FFFFFF",
            "locked": True})

    def cell(self, kind: Kind, computed: bool) -> Any:
        """Format of a table cell: input (unlocked, yellow) or computed (locked, grey, italic)."""
        props: dict[str, Any] = {"border": 1, "border_color": BORDER_COLOR, "valign": "top"}
        fmt = number_format(kind, self.lang, self.currency_symbol)
        if fmt:
            props["num_format"] = fmt
        if kind is Kind.LONG_TEXT:
            props["text_wrap"] = True
        if computed:
            props.update({"bg_color": COMPUTED_FILL, "italic": True, "locked": True})
        else:
            props.update({"bg_color": INPUT_FILL, "locked": False})
        return self._get(("cell", kind, computed), props)

    def value(self, kind: Kind, locked: bool = False, bold: bool = False) -> Any:
        """Format of a loose value cell (guide, dashboard helper ranges)."""
        props: dict[str, Any] = {"border": 1, "border_color": BORDER_COLOR, "locked": locked, "bold": bold}
        fmt = number_format(kind, self.lang, self.currency_symbol)
        if fmt:
            props["num_format"] = fmt
        props["bg_color"] = COMPUTED_FILL if locked else INPUT_FILL
        return self._get(("value", kind, locked, bold), props)

    def _get(self, key: tuple, props: dict[str, Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]
