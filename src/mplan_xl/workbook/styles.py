r"""Cell formats of the generated workbook, per language and currency.

Number formats are stored in the file in Excel's locale-neutral syntax; the
language decides where the currency symbol goes, how dates read and whether a
space precedes ``%`` (French typography). That space is always escaped (``\ ``):
LibreOffice in a French locale (thousands separated by a space) reads a bare space after a digit
placeholder as its thousands separator and writes it back as ``,``, a trailing
thousands separator that divides the shown figure by 1000 (``#,##0.00 "€"``
becomes ``#,##0.00,\€``). Every format with a unit comes from
:func:`money_format` or :func:`percent_format`. Input cells are unlocked and pale
yellow; computed cells are locked, grey and italic, so nobody mistakes one for
the other.

Example:
    >>> print(number_format(Kind.MONEY, "fr", "€"))
    #,##0.00\ "€"
    >>> number_format(Kind.DATE, "en", "€")
    'd mmm yyyy'
"""

from __future__ import annotations

from typing import Any

from ..core.schema import Kind

INPUT_FILL = "#FFF8DC"
COMPUTED_FILL = "#E7E6E6"
HEADER_FILL = "#1F4E78"
REQUIRED_HEADER_FILL = "#C55A11"
TITLE_COLOR = "#1F4E78"
BORDER_COLOR = "#BFBFBF"
#: Traffic-light fills and font colours (Excel's own "good / neutral / bad" cell styles).
GOOD = {"bg_color": "#C6EFCE", "font_color": "#006100"}
NEUTRAL = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}
BAD = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
LINK_COLOR = "#0563C1"
#: The colours of the budget series in every chart of the plan and of the portfolio.
BUDGET_COLOURS = {"envelope": "#7F7F7F", "planned": "#1F4E78", "committed": "#F4B183", "actual": "#C55A11"}
#: The colour of an attainment bar in every chart.
ATTAINMENT_COLOUR = "#2E75B6"
#: The colours of the expected and the achieved gain in every chart of the plan and of the portfolio.
GAIN_COLOURS = {"expected": "#70AD47", "achieved": "#375623"}
#: The colour of each action status: its bar on the Dashboard's timeline, its word on the Actions sheet.
ACTION_STATUS_COLOURS = {"planned": "#9DC3E6", "in_progress": "#2E75B6", "done": "#70AD47", "postponed": "#FFC000",
                         "cancelled": "#BFBFBF"}
#: Text kinds: their cells wrap, so a long entry grows the row instead of being cut off.
TEXT_KINDS = frozenset({Kind.ID, Kind.REF, Kind.TEXT, Kind.LONG_TEXT, Kind.CHOICE})


def money_format(lang: str, currency_symbol: str, decimals: int = 2) -> str:
    r"""Number format of an amount: the symbol after the figure in French (an escaped space between), before
    it in English.

    >>> print(money_format("fr", "€", 0), money_format("en", "$"))
    #,##0\ "€" "$"#,##0.00
    """
    figure = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f'{figure}\\ "{currency_symbol}"' if lang == "fr" else f'"{currency_symbol}"{figure}'


def percent_format(lang: str, decimals: int = 1) -> str:
    r"""The one number format of a percentage, held as a fraction (0.18 shown 18 %). French puts an escaped
    space before the sign (a bare one is taken for a thousands separator by LibreOffice fr-FR on save).

    >>> print(percent_format("fr"), percent_format("en", 0))
    0.0\ % 0%
    """
    figure = "0" + ("." + "0" * decimals if decimals else "")
    return f"{figure}\\ %" if lang == "fr" else figure + "%"


def unit_format(kind: str, lang: str, currency_symbol: str) -> str:
    r"""Number format of a figure shown in its unit: ``"money"`` (whole amounts), ``"cents"`` (amounts with
    cents), ``"percent"`` (a fraction, 0.18 = 18 %: the format of :attr:`Kind.PERCENT`), ``"count"`` (a whole
    number) or ``"decimal"``.

    >>> print(unit_format("percent", "fr", "€"), unit_format("count", "fr", "€"), unit_format("money", "en", "$"))
    0.0\ % #,##0 "$"#,##0
    """
    if kind == "money":
        return money_format(lang, currency_symbol, 0)
    if kind == "cents":
        return money_format(lang, currency_symbol)
    if kind == "percent":
        return percent_format(lang)
    return "#,##0" if kind == "count" else "#,##0.00"


def date_format(lang: str) -> str:
    """The Excel number format of a date in *lang* (the format of :attr:`Kind.DATE` columns)."""
    return "dd/mm/yyyy" if lang == "fr" else "d mmm yyyy"


def number_format(kind: Kind, lang: str, currency_symbol: str) -> str | None:
    """The Excel number format of a column kind, or None for text."""
    if kind is Kind.MONEY:
        return money_format(lang, currency_symbol)
    if kind is Kind.DATE:
        return date_format(lang)
    if kind is Kind.PERCENT:
        return percent_format(lang)
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
        self.link = workbook.add_format({"font_color": LINK_COLOR, "underline": 1})
        self.good, self.neutral, self.bad = (workbook.add_format(props) for props in (GOOD, NEUTRAL, BAD))
        self.bad_font = workbook.add_format({"font_color": BAD["font_color"], "bold": True})
        #: A figure the team typed in place of the computed one (a landing re-forecast): italic, in blue.
        self.typed = workbook.add_format({"italic": True, "font_color": "#1F4E79"})

    def unit(self, kind: str) -> Any:
        """Conditional format showing a figure in its unit (see :func:`unit_format`)."""
        return self._get(("unit", kind), {"num_format": unit_format(kind, self.lang, self.currency_symbol)})

    def total(self, kind: Kind) -> Any:
        """Format of a cell of a table's total row: bold, a rule above, no input colour."""
        props: dict[str, Any] = {"bold": True, "top": 2, "top_color": HEADER_FILL, "bg_color": "#FFFFFF", "locked": True}
        fmt = number_format(kind, self.lang, self.currency_symbol)
        if fmt and kind is not Kind.PERCENT:
            props["num_format"] = fmt if kind is not Kind.INTEGER else "#,##0"
        return self._get(("total", kind), props)

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
        if kind in TEXT_KINDS:
            props["text_wrap"] = True
        if computed:
            props.update({"bg_color": COMPUTED_FILL, "italic": True, "locked": True})
        else:
            props.update({"bg_color": INPUT_FILL, "locked": False})
        return self._get(("cell", kind, computed), props)

    def value(self, kind: Kind, locked: bool = False, bold: bool = False, wrap: bool = False) -> Any:
        """Format of a loose value cell (guide, dashboard helper ranges)."""
        props: dict[str, Any] = {"border": 1, "border_color": BORDER_COLOR, "locked": locked, "bold": bold,
                                 "valign": "top", "text_wrap": wrap}
        fmt = number_format(kind, self.lang, self.currency_symbol)
        if fmt:
            props["num_format"] = fmt
        props["bg_color"] = COMPUTED_FILL if locked else INPUT_FILL
        return self._get(("value", kind, locked, bold, wrap), props)

    def _get(self, key: tuple, props: dict[str, Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]
