"""The ``MPLAN_`` worksheet functions, computed by Python through xlwings.

Each function is a thin wrapper over the metrics core (:mod:`mplan_xl.core.metrics`,
:mod:`mplan_xl.core.smart`): it holds no logic of its own, so a cell, the batch
validator and the consolidation always give the same answer. Its help texts
(function wizard description, argument help) come from the registry
(:func:`mplan_xl.core.metrics.catalogue`). A figure that cannot be computed comes
back as an empty string (a blank cell), and no exception ever reaches Excel.

Ranges work everywhere: give a column (or a row, or a block) of values and get
one result per cell back, in the same shape; single values and ranges mix (a
single value, a single row or a single column is repeated across the block).

In Excel (xlwings runtime workbook)::

    =MPLAN_ROI(L5, M5)
    =MPLAN_SMART(D5, E5, G5, H5, I5, J5, mplan_year, F5, "fr")
    =MPLAN_VERSION()

In Python::

    >>> MPLAN_ROI(15000, 10000)
    0.5
    >>> MPLAN_ROI([[15000], [9000], [None]], 10000)
    [[0.5], [-0.1], ['']]
    >>> MPLAN_KPI_STATUS(0.95, lang="en")
    'On track'
"""

from __future__ import annotations

from typing import Any, Callable

import xlwings as xw

from .. import __version__
from ..core.metrics import DEFAULT_AT_RISK, DEFAULT_ON_TRACK, MetricInfo, catalogue
from ..core.vocabulary import Label

CATEGORY = "mplan-xl"
#: Longest text Excel's function wizard takes for a description or an argument help.
WIZARD_LIMIT = 255
FUNCTIONS: dict[str, MetricInfo] = catalogue()
LANG_HELP = Label("Langue du texte : fr (défaut) ou en", "Language of the text: fr (default) or en")
VERSION_HELP = Label("Version de mplan-xl qui calcule les fonctions MPLAN_ (montre que Python répond)",
                     "Version of mplan-xl computing the MPLAN_ functions (shows that Python answers)")


def wizard_text(text: str, limit: int = WIZARD_LIMIT) -> str:
    """*text* on one line, cut at a word to fit the function wizard's limit.

    >>> wizard_text("a  b\\n c"), wizard_text("one two three", 9)
    ('a b c', 'one two…')
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _both(label: Label) -> str:
    return wizard_text(f"{label.fr} / {label.en}")


def _describe(info: MetricInfo) -> Label:
    return info.definition


def wizard_help(udf: str, lang: str) -> tuple[str, list[str]]:
    """The function wizard's description of *udf* and the help of each of its arguments, in *lang*.

    >>> wizard_help("MPLAN_ROI", "en")[1]
    ['Expected or achieved gain (margin or revenue)', 'Cost of the action (budget)']
    """
    lang = _language(lang)
    if udf == "MPLAN_VERSION":
        return wizard_text(VERSION_HELP(lang)), []
    info = FUNCTIONS[WRAPS[udf]]
    helps = [wizard_text(info.arguments[p](lang)) for p in info.parameters]
    if info.localised:
        helps.append(wizard_text(LANG_HELP(lang)))
    return wizard_text(_describe(info)(lang)), helps


#: Excel function name -> function of the core it wraps.
WRAPS = {info.udf: name for name, info in FUNCTIONS.items()}


def _language(lang: Any) -> str:
    return "en" if isinstance(lang, str) and lang.strip().lower().startswith("en") else "fr"


def _mplan(metric: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a wrapper to xlwings with the help texts of *metric* from the registry.

    Every parameter accepts a single value or a range (``ndim=2``: a cell
    comes as a 1×1 block, so rows and columns keep their shape); ``lang``
    stays a single value.
    """
    info = FUNCTIONS[metric]

    def declare(function: Callable[..., Any]) -> Callable[..., Any]:
        function.__doc__ = _both(_describe(info))
        for parameter in info.parameters:
            function = xw.arg(parameter, ndim=2, doc=_both(info.arguments[parameter]))(function)
        if info.localised:
            function = xw.arg("lang", doc=_both(LANG_HELP))(function)
        # Last, as a decorator on top would be: xlwings resets the function's options on each xw.arg.
        return xw.func(category=CATEGORY)(function)

    return declare


# --- ranges -----------------------------------------------------------------------------------------

def _grid(value: Any) -> list[list[Any]] | None:
    """A range as rows of cells (a flat list is a column); None for a single value."""
    if not isinstance(value, (list, tuple)):
        return None
    if value and all(isinstance(row, (list, tuple)) for row in value):
        return [list(row) for row in value]
    return [[v] for v in value]


def _cell_of(grid: list[list[Any]], i: int, j: int) -> Any:
    """Cell (i, j) of *grid*, a single row or column repeated across; None outside the grid."""
    row = grid[0] if len(grid) == 1 else (grid[i] if i < len(grid) else [])
    if len(row) == 1:
        return row[0]
    return row[j] if j < len(row) else None


def _blank(value: Any) -> Any:
    """None (not computable) is shown as a blank cell."""
    return "" if value is None else value


def _safe(function: Callable[..., Any], *args: Any) -> Any:
    try:
        return _blank(function(*args))
    except Exception:  # the core never raises; this last guard keeps any surprise out of Excel
        return ""


def apply(function: Callable[..., Any], *args: Any) -> Any:
    """Call *function* on single values, or cell by cell over ranges, mapping None to ``""``.

    The result has the shape of the largest range; a 1×1 result is returned
    as a single value.

    >>> apply(lambda a, b: a + b, [[1, 2]], [[10], [20]])
    [[11, 12], [21, 22]]
    """
    grids = [_grid(a) for a in args]
    if all(g is None for g in grids):
        return _safe(function, *args)
    present = [g for g in grids if g is not None]
    rows = max(len(g) for g in present)
    cols = max((len(row) for g in present for row in g), default=0)
    if rows == 0 or cols == 0:
        return ""
    out = [[_safe(function, *(a if g is None else _cell_of(g, i, j) for a, g in zip(args, grids)))
            for j in range(cols)] for i in range(rows)]
    return out[0][0] if rows == cols == 1 else out


def _call(metric: str, lang: Any = "fr") -> Callable[..., Any]:
    """The core function of *metric*, returning the cell value in *lang*."""
    info, language = FUNCTIONS[metric], _language(lang)
    return lambda *values: info.cell(dict(zip(info.parameters, values)), language)


# --- the functions ----------------------------------------------------------------------------------

@_mplan("roi")
def MPLAN_ROI(gain, cost):
    return apply(_call("roi"), gain, cost)


@_mplan("variance")
def MPLAN_VARIANCE(actual, target):
    return apply(_call("variance"), actual, target)


@_mplan("variance_pct")
def MPLAN_VARIANCE_PCT(actual, target):
    return apply(_call("variance_pct"), actual, target)


@_mplan("favourable")
def MPLAN_FAVOURABLE(actual, target, direction="higher"):
    return apply(_call("favourable"), actual, target, direction)


@_mplan("attainment")
def MPLAN_ATTAINMENT(actual, target, direction="higher", baseline=None):
    return apply(_call("attainment"), actual, target, direction, baseline)


@_mplan("achievement_rate")
def MPLAN_ACHIEVEMENT_RATE(result, target):
    return apply(_call("achievement_rate"), result, target)


@_mplan("kpi_status")
def MPLAN_KPI_STATUS(attainment, on_track=DEFAULT_ON_TRACK, at_risk=DEFAULT_AT_RISK, lang="fr"):
    return apply(_call("kpi_status", lang), attainment, on_track, at_risk)


@_mplan("smart_check")
def MPLAN_SMART(statement, indicator, target, unit, deadline, owner, plan_year, baseline=None, lang="fr"):
    return apply(_call("smart_check", lang), statement, indicator, target, unit, deadline, owner, plan_year, baseline)


@_mplan("acquisition_cost")
def MPLAN_ACQUISITION_COST(spend, new_customers):
    return apply(_call("acquisition_cost"), spend, new_customers)


@_mplan("average_basket")
def MPLAN_AVERAGE_BASKET(revenue, orders):
    return apply(_call("average_basket"), revenue, orders)


@_mplan("conversion_rate")
def MPLAN_CONVERSION_RATE(conversions, visitors):
    return apply(_call("conversion_rate"), conversions, visitors)


@_mplan("cart_abandonment_rate")
def MPLAN_CART_ABANDONMENT(orders, carts):
    return apply(_call("cart_abandonment_rate"), orders, carts)


@_mplan("landing")
def MPLAN_LANDING(actual_to_date, committed, planned, planned_to_date, reforecast=None):
    return apply(_call("landing"), actual_to_date, committed, planned, planned_to_date, reforecast)


def _version_doc(function: Callable[..., Any]) -> Callable[..., Any]:
    function.__doc__ = _both(VERSION_HELP)
    return function


@xw.func(category=CATEGORY)
@_version_doc
def MPLAN_VERSION():
    return __version__


