"""The ``MPLAN_`` worksheet functions, computed by Python through xlwings.

Each function is a thin wrapper over the metrics core (:mod:`mplan_xl.metrics`,
:mod:`mplan_xl.smart`): it holds no logic of its own, so a cell and the batch
validator always give the same answer. A figure that cannot be computed comes
back as an empty string (a blank cell), and no exception ever reaches Excel.

Ranges work where they make sense: give a column (or block) of values and get
a column (or block) of results back; single values and ranges mix (a single
value is repeated for every cell of the range).

In Excel (xlwings runtime workbook)::

    =MPLAN_ROI(L5, M5)
    =MPLAN_SMART(D5, E5, G5, H5, I5, J5, mplan_year, F5, "fr")

In Python::

    >>> MPLAN_ROI(15000, 10000)
    0.5
    >>> MPLAN_ROI([[15000], [9000]], 10000)
    [[0.5], [-0.1]]
"""

from __future__ import annotations

from typing import Any, Callable

import xlwings as xw

from . import metrics, smart
from .vocabulary import KPI_STATUS

CATEGORY = "mplan-xl"


def _cell(value: Any) -> Any:
    """None (not computable) is shown as a blank cell."""
    return "" if value is None else value


def _shape(value: Any) -> tuple[int, int] | None:
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return len(value), len(value[0])
        return len(value), 1
    return None


def _at(value: Any, i: int, j: int) -> Any:
    if not isinstance(value, list):
        return value
    if value and isinstance(value[0], list):
        row = value[i] if i < len(value) else []
        return row[j] if j < len(row) else None
    return value[i] if i < len(value) else None


def _apply(function: Callable[..., Any], *args: Any) -> Any:
    """Call *function* on single values, or cell by cell over ranges (the largest range gives the shape)."""
    shapes = [s for s in map(_shape, args) if s]
    try:
        if not shapes:
            return _cell(function(*args))
        rows, cols = max(s[0] for s in shapes), max(s[1] for s in shapes)
        return [[_cell(function(*(_at(a, i, j) for a in args))) for j in range(cols)] for i in range(rows)]
    except Exception:  # never let an exception reach Excel: the core is total, this is a last guard
        return ""


@xw.func(category=CATEGORY)
@xw.arg("gain", doc="Gain attendu ou obtenu (marge ou chiffre d'affaires) / expected or achieved gain")
@xw.arg("cost", doc="Coût de l'action / cost of the action")
def MPLAN_ROI(gain, cost):
    """ROI = (gain - coût) / coût ; vide si le coût est nul ou absent. ROI = (gain - cost) / cost."""
    return _apply(metrics.roi, gain, cost)


@xw.func(category=CATEGORY)
@xw.arg("actual", doc="Réalisé / actual")
@xw.arg("target", doc="Cible ou prévisionnel / target or planned")
def MPLAN_VARIANCE(actual, target):
    """Écart = réalisé - cible. Variance = actual - target."""
    return _apply(metrics.variance, actual, target)


@xw.func(category=CATEGORY)
@xw.arg("actual", doc="Réalisé / actual")
@xw.arg("target", doc="Cible ou prévisionnel / target or planned")
def MPLAN_VARIANCE_PCT(actual, target):
    """Écart en % = (réalisé - cible) / |cible| ; vide si cible nulle. (actual - target) / |target|."""
    return _apply(metrics.variance_pct, actual, target)


@xw.func(category=CATEGORY)
@xw.arg("actual", doc="Réalisé / actual")
@xw.arg("target", doc="Cible / target")
@xw.arg("direction", doc="Plus haut = mieux (défaut) ou Plus bas = mieux / Higher or Lower is better")
def MPLAN_FAVOURABLE(actual, target, direction="higher"):
    """VRAI si l'écart est favorable selon le sens de l'indicateur. TRUE when the variance is favourable."""
    return _apply(metrics.favourable, actual, target, direction)


@xw.func(category=CATEGORY)
@xw.arg("actual", doc="Réalisé / actual")
@xw.arg("target", doc="Cible / target")
@xw.arg("direction", doc="Plus haut = mieux (défaut) ou Plus bas = mieux / Higher or Lower is better")
@xw.arg("baseline", doc="Valeur de départ (facultatif) / baseline (optional)")
def MPLAN_ATTAINMENT(actual, target, direction="higher", baseline=None):
    """Atteinte de la cible (1 = atteinte) depuis la valeur de départ. Attainment (1 = target reached)."""
    return _apply(metrics.attainment, actual, target, direction, baseline)


@xw.func(category=CATEGORY)
@xw.arg("attainment", doc="Atteinte / attainment")
@xw.arg("on_track", doc="Seuil « en bonne voie » (défaut 0,9) / on-track threshold (0.9)")
@xw.arg("at_risk", doc="Seuil « à surveiller » (défaut 0,7) / at-risk threshold (0.7)")
@xw.arg("lang", doc="fr (défaut) ou en / fr (default) or en")
def MPLAN_KPI_STATUS(attainment, on_track=metrics.DEFAULT_ON_TRACK, at_risk=metrics.DEFAULT_AT_RISK, lang="fr"):
    """Statut du KPI : en bonne voie, à surveiller, en retard. KPI status: on track, at risk, off track."""
    def status(value: Any) -> Any:
        code = metrics.kpi_status(value, on_track, at_risk)
        return KPI_STATUS.label(code, "en" if lang == "en" else "fr") if code else None
    return _apply(status, attainment)


@xw.func(category=CATEGORY)
@xw.arg("statement", doc="Énoncé de l'objectif / objective statement")
@xw.arg("indicator", doc="Indicateur / indicator")
@xw.arg("target", doc="Valeur cible / target value")
@xw.arg("unit", doc="Unité / unit")
@xw.arg("deadline", doc="Échéance / deadline")
@xw.arg("owner", doc="Responsable / owner")
@xw.arg("plan_year", doc="Année du plan / plan year")
@xw.arg("baseline", doc="Valeur de départ (facultatif) / baseline (optional)")
@xw.arg("lang", doc="fr (défaut) ou en / fr (default) or en")
def MPLAN_SMART(statement, indicator, target, unit, deadline, owner, plan_year, baseline=None, lang="fr"):
    """Contrôle SMART : OK ou les lettres en échec et pourquoi. SMART check: OK or the failing letters and why."""
    def check(*row: Any) -> Any:
        return smart.smart_check(*row).text("en" if lang == "en" else "fr") or None
    return _apply(check, statement, indicator, target, unit, deadline, owner, plan_year, baseline)


@xw.func(category=CATEGORY)
@xw.arg("spend", doc="Dépenses d'acquisition / acquisition spend")
@xw.arg("new_customers", doc="Nouveaux clients / new customers")
def MPLAN_ACQUISITION_COST(spend, new_customers):
    """Coût d'acquisition = dépenses / nouveaux clients. Acquisition cost = spend / new customers."""
    return _apply(metrics.acquisition_cost, spend, new_customers)


@xw.func(category=CATEGORY)
@xw.arg("revenue", doc="Chiffre d'affaires / revenue")
@xw.arg("orders", doc="Nombre de commandes / number of orders")
def MPLAN_AVERAGE_BASKET(revenue, orders):
    """Panier moyen = chiffre d'affaires / commandes. Average basket = revenue / orders."""
    return _apply(metrics.average_basket, revenue, orders)


@xw.func(category=CATEGORY)
@xw.arg("conversions", doc="Conversions (commandes, inscriptions) / conversions")
@xw.arg("visitors", doc="Visiteurs / visitors")
def MPLAN_CONVERSION_RATE(conversions, visitors):
    """Taux de conversion = conversions / visiteurs. Conversion rate = conversions / visitors."""
    return _apply(metrics.conversion_rate, conversions, visitors)


@xw.func(category=CATEGORY)
@xw.arg("orders", doc="Commandes / orders")
@xw.arg("carts", doc="Paniers créés / carts created")
def MPLAN_CART_ABANDONMENT(orders, carts):
    """Taux d'abandon de panier = 1 - commandes / paniers. Cart abandonment = 1 - orders / carts."""
    return _apply(metrics.cart_abandonment_rate, orders, carts)


#: Excel function name -> metric of the core it wraps (the SMART check has its own module).
WRAPS = {info.udf: name for name, info in metrics.REGISTRY.items()} | {"MPLAN_SMART": "smart_check"}
