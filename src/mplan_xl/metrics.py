"""The metrics core: one pure function per figure of the plan.

Every figure the plan shows (ROI, variances, attainment, KPI status, the usual
marketing ratios) is computed here, and only here: by the ``MPLAN_`` Excel
functions (:mod:`mplan_xl.udfs`), by the batch validator, by consolidation.
The native formulas of :mod:`mplan_xl.formulas` mirror these definitions and a
test lets LibreOffice prove they agree.

Conventions, the same for every function:

- Inputs go through :func:`mplan_xl.numbers.to_number`: only real numbers count.
  Text, blanks, booleans and dates are *missing*, as Excel's ``ISNUMBER`` sees
  them.
- A missing input, or a figure that is undefined (a zero cost, a zero target,
  a zero denominator), returns ``None``, never raises. Excel shows ``None`` as
  a blank cell: "not computable yet" is more honest than 0 or ``#DIV/0!``.

Standard library only, so it can be embedded anywhere.

Example:
    >>> roi(gain=15000, cost=10000)
    0.5
    >>> roi(gain=15000, cost=0) is None
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .numbers import to_number
from .vocabulary import DIRECTION, Label

#: Default KPI status thresholds on attainment (overridable per workbook in the config sheet).
DEFAULT_ON_TRACK = 0.9
DEFAULT_AT_RISK = 0.7


def _ratio(numerator: Any, denominator: Any) -> float | None:
    n, d = to_number(numerator), to_number(denominator)
    if n is None or d is None or d == 0:
        return None
    return n / d


def direction_code(direction: Any) -> str:
    """``"lower"`` for a lower-is-better direction (code or label, either language), else ``"higher"``.

    >>> direction_code("Plus bas = mieux"), direction_code(None)
    ('lower', 'higher')
    """
    return "lower" if DIRECTION.code_of(direction) == "lower" else "higher"


def roi(gain: Any, cost: Any) -> float | None:
    """Return on investment: (gain − cost) / cost.

    ``gain`` is what the action brings (margin or revenue, as the plan chooses
    and says), ``cost`` what it costs. A zero cost gives None: the ratio is
    undefined, and an action without budget is flagged elsewhere.

    >>> roi(12000, 8000)
    0.5
    >>> roi(6000, 8000)
    -0.25
    """
    g, c = to_number(gain), to_number(cost)
    if g is None or c is None or c == 0:
        return None
    return (g - c) / c


def variance(actual: Any, target: Any) -> float | None:
    """Variance: actual − target (for budgets, actual − planned: positive means overspent).

    >>> variance(1200, 1000)
    200.0
    """
    a, t = to_number(actual), to_number(target)
    if a is None or t is None:
        return None
    return a - t


def variance_pct(actual: Any, target: Any) -> float | None:
    """Relative variance: (actual − target) / |target|; None for a zero target.

    Dividing by the absolute value keeps the sign meaning "above target" even
    for negative targets.

    >>> variance_pct(1100, 1000)
    0.1
    >>> variance_pct(-90, -100)
    0.1
    """
    a, t = to_number(actual), to_number(target)
    if a is None or t is None or t == 0:
        return None
    return (a - t) / abs(t)


def favourable(actual: Any, target: Any, direction: Any = "higher") -> bool | None:
    """Whether actual is on the good side of target: ≥ when higher is better, ≤ when lower is better.

    >>> favourable(45, 50, "lower"), favourable(45, 50, "higher")
    (True, False)
    """
    a, t = to_number(actual), to_number(target)
    if a is None or t is None:
        return None
    return a <= t if direction_code(direction) == "lower" else a >= t


def attainment(actual: Any, target: Any, direction: Any = "higher", baseline: Any = None) -> float | None:
    """How far the actual has gone towards the target (1 = target reached).

    With a baseline different from the target: (actual − baseline) / (target − baseline),
    the share of the planned move achieved; this works for lower-is-better
    indicators too, since their target lies below the baseline. Without a
    usable baseline: actual / target (higher is better) or target / actual
    (lower is better). None when an input is missing or a denominator is zero.

    >>> attainment(105, 110, baseline=100)
    0.5
    >>> attainment(40, 35, "lower", baseline=45)
    0.5
    >>> attainment(36, 40, "lower")
    1.1111111111111112
    """
    a, t, b = to_number(actual), to_number(target), to_number(baseline)
    if a is None or t is None:
        return None
    if b is not None and t != b:
        return (a - b) / (t - b)
    if direction_code(direction) == "lower":
        return None if a == 0 else t / a
    return None if t == 0 else a / t


def kpi_status(attainment: Any, on_track: Any = DEFAULT_ON_TRACK, at_risk: Any = DEFAULT_AT_RISK) -> str | None:
    """The KPI status code from its attainment: ``on_track`` (≥ on_track), ``at_risk`` (≥ at_risk), else ``off_track``.

    Thresholds default to 90 % and 70 %; each workbook keeps its own in the
    config sheet (``mplan_on_track``, ``mplan_at_risk``). Labels come from
    :data:`mplan_xl.vocabulary.KPI_STATUS`.

    >>> kpi_status(0.95), kpi_status(0.8), kpi_status(0.2), kpi_status(None)
    ('on_track', 'at_risk', 'off_track', None)
    """
    value = to_number(attainment)
    if value is None:
        return None
    on = to_number(on_track)
    risk = to_number(at_risk)
    on = DEFAULT_ON_TRACK if on is None else on
    risk = DEFAULT_AT_RISK if risk is None else risk
    if value >= on:
        return "on_track"
    return "at_risk" if value >= risk else "off_track"


def acquisition_cost(spend: Any, new_customers: Any) -> float | None:
    """Customer acquisition cost: acquisition spend / new customers (lower is better).

    >>> acquisition_cost(5000, 125)
    40.0
    """
    return _ratio(spend, new_customers)


def average_basket(revenue: Any, orders: Any) -> float | None:
    """Average basket: revenue / number of orders.

    >>> average_basket(48000, 1600)
    30.0
    """
    return _ratio(revenue, orders)


def conversion_rate(conversions: Any, visitors: Any) -> float | None:
    """Conversion rate: conversions (orders, sign-ups) / visitors.

    >>> conversion_rate(250, 10000)
    0.025
    """
    return _ratio(conversions, visitors)


def cart_abandonment_rate(orders: Any, carts: Any) -> float | None:
    """Cart abandonment rate: 1 − orders / carts created (lower is better).

    >>> cart_abandonment_rate(300, 1000)
    0.7
    """
    share = _ratio(orders, carts)
    return None if share is None else 1 - share


@dataclass(frozen=True)
class MetricInfo:
    """What the docs, the UDF module and the formula renderer need to know of a metric."""

    name: str
    function: Callable[..., Any]
    udf: str                 # the Excel function name
    result: str              # "number" | "percent" | "text" | "boolean"
    title: Label
    examples: tuple[tuple[dict[str, Any], Any], ...]
    edge_cases: Label

    @property
    def parameters(self) -> tuple[str, ...]:
        code = self.function.__code__
        return code.co_varnames[: code.co_argcount]


_BLANK = Label("Une entrée vide, du texte ou une date : résultat vide.",
               "A blank input, text or a date: blank result.")

REGISTRY: dict[str, MetricInfo] = {m.name: m for m in (
    MetricInfo("roi", roi, "MPLAN_ROI", "percent", Label("Retour sur investissement", "Return on investment"),
               (({"gain": 12000, "cost": 8000}, 0.5), ({"gain": 6000, "cost": 8000}, -0.25), ({"gain": 100, "cost": 0}, None)),
               Label("Coût nul : résultat vide (ROI non défini). " + _BLANK.fr, "Zero cost: blank (ROI undefined). " + _BLANK.en)),
    MetricInfo("variance", variance, "MPLAN_VARIANCE", "number", Label("Écart", "Variance"),
               (({"actual": 1200, "target": 1000}, 200.0), ({"actual": 900, "target": 1000}, -100.0)), _BLANK),
    MetricInfo("variance_pct", variance_pct, "MPLAN_VARIANCE_PCT", "percent", Label("Écart en %", "Variance in %"),
               (({"actual": 1100, "target": 1000}, 0.1), ({"actual": 5, "target": 0}, None)),
               Label("Cible nulle : résultat vide. " + _BLANK.fr, "Zero target: blank. " + _BLANK.en)),
    MetricInfo("favourable", favourable, "MPLAN_FAVOURABLE", "boolean", Label("Écart favorable", "Favourable variance"),
               (({"actual": 45, "target": 50, "direction": "lower"}, True), ({"actual": 45, "target": 50, "direction": "higher"}, False)),
               Label("Sens inconnu : lu comme « plus haut = mieux ». " + _BLANK.fr,
                     "Unknown direction: read as 'higher is better'. " + _BLANK.en)),
    MetricInfo("attainment", attainment, "MPLAN_ATTAINMENT", "percent", Label("Atteinte", "Attainment"),
               (({"actual": 105, "target": 110, "direction": "higher", "baseline": 100}, 0.5),
                ({"actual": 40, "target": 35, "direction": "lower", "baseline": 45}, 0.5),
                ({"actual": 36, "target": 40, "direction": "lower", "baseline": None}, 40 / 36)),
               Label("Départ égal à la cible ou absent : réalisé / cible (ou cible / réalisé si plus bas = mieux) ; "
                     "dénominateur nul : vide. " + _BLANK.fr,
                     "Baseline equal to the target or missing: actual / target (or target / actual when lower is better); "
                     "zero denominator: blank. " + _BLANK.en)),
    MetricInfo("kpi_status", kpi_status, "MPLAN_KPI_STATUS", "text", Label("Statut du KPI", "KPI status"),
               (({"attainment": 0.95}, "on_track"), ({"attainment": 0.8}, "at_risk"), ({"attainment": 0.2}, "off_track")),
               Label("Seuils par défaut 90 % et 70 %, réglables dans la feuille mplan_config. Atteinte vide : vide.",
                     "Default thresholds 90% and 70%, set in the mplan_config sheet. Blank attainment: blank.")),
    MetricInfo("acquisition_cost", acquisition_cost, "MPLAN_ACQUISITION_COST", "number",
               Label("Coût d'acquisition client", "Customer acquisition cost"),
               (({"spend": 5000, "new_customers": 125}, 40.0),), Label("Aucun nouveau client : vide. " + _BLANK.fr,
                                                                       "No new customer: blank. " + _BLANK.en)),
    MetricInfo("average_basket", average_basket, "MPLAN_AVERAGE_BASKET", "number", Label("Panier moyen", "Average basket"),
               (({"revenue": 48000, "orders": 1600}, 30.0),), Label("Aucune commande : vide. " + _BLANK.fr,
                                                                    "No order: blank. " + _BLANK.en)),
    MetricInfo("conversion_rate", conversion_rate, "MPLAN_CONVERSION_RATE", "percent", Label("Taux de conversion", "Conversion rate"),
               (({"conversions": 250, "visitors": 10000}, 0.025),), Label("Aucun visiteur : vide. " + _BLANK.fr,
                                                                          "No visitor: blank. " + _BLANK.en)),
    MetricInfo("cart_abandonment_rate", cart_abandonment_rate, "MPLAN_CART_ABANDONMENT", "percent",
               Label("Taux d'abandon de panier", "Cart abandonment rate"),
               (({"orders": 300, "carts": 1000}, 0.7),), Label("Aucun panier : vide. " + _BLANK.fr, "No cart: blank. " + _BLANK.en)),
)}
