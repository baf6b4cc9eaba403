"""The metrics core: one pure function per figure of the plan.

Every figure the plan shows (ROI, variances, attainment, KPI status, the usual
marketing ratios) is computed here, and only here: by the ``MPLAN_`` Excel
functions (:mod:`mplan_xl.udfs`), by the batch validator, by consolidation.
The native formulas of :mod:`mplan_xl.core.formulas` mirror these definitions and a
test lets LibreOffice prove they agree, cell by cell.

Conventions, the same for every function:

- Inputs go through :func:`mplan_xl.core.numbers.to_number` (``dates=True``):
  exactly what Excel's ``ISNUMBER`` sees as a number counts. Text (even
  ``"1 234,56"``), blanks and booleans are *missing*; a date counts as its
  serial number, as a cell holds it. (The validator reports numbers typed
  as text, so they get fixed rather than guessed.)
- A missing input, or a figure that is undefined (a zero cost, a zero target,
  a zero denominator), returns ``None``, never raises. Excel shows ``None`` as
  a blank cell: "not computable yet" is more honest than 0 or ``#DIV/0!``.
  A result too large for a float (beyond 1e308) is None as well.
- Comparisons (thresholds, favourable side, baseline equal to target) treat
  numbers equal to 15 significant digits as equal, as spreadsheets do
  (:func:`mplan_xl.core.numbers.approx_equal`).
- Percentages are fractions: 0.25 means 25 %.

:data:`REGISTRY` describes every metric (parameters, result kind, French and
English title, definition, argument help, examples, edge cases);
:func:`catalogue` adds the SMART check. The function reference
(``docs/functions.md``), the UDF module and the formula renderer derive from it.

Standard library only, so it can be embedded anywhere.

Example:
    >>> roi(gain=15000, cost=10000)
    0.5
    >>> roi(gain=15000, cost=0) is None
    True
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from .metric_info import RESULT_KINDS, MetricInfo  # noqa: F401  (RESULT_KINDS: part of this module's API)
from .numbers import approx_equal, at_least, at_most, to_number
from .smart import INFO as SMART_INFO  # smart builds on metric_info, never on this module
from .vocabulary import DIRECTION, KPI_STATUS, Label

#: Default KPI status thresholds on attainment (each workbook keeps its own in ``mplan_on_track``/``mplan_at_risk``).
DEFAULT_ON_TRACK = 0.9
DEFAULT_AT_RISK = 0.7
#: How far above its planned amount a budget line may land before it lands above plan: half a cent.
LANDING_TOLERANCE = 0.005


def _number(value: Any) -> float | None:
    """An input as Excel's ``ISNUMBER`` sees it: a number (dates as serial numbers), else None."""
    if value.__class__ is float:   # the common case without a second call
        return value if math.isfinite(value) else None
    return to_number(value, dates=True)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _ratio(numerator: Any, denominator: Any) -> float | None:
    n, d = _number(numerator), _number(denominator)
    if n is None or d is None or d == 0:
        return None
    return _finite(n / d)


def direction_code(direction: Any) -> str:
    """``"lower"`` for a lower-is-better direction, else ``"higher"``.

    *direction* is a code or a label of :data:`mplan_xl.core.vocabulary.DIRECTION`
    in either language, matched case-insensitively; anything else (blank,
    unknown text) reads as higher-is-better.

    >>> direction_code("Plus bas = mieux"), direction_code("LOWER"), direction_code(None)
    ('lower', 'lower', 'higher')
    """
    return "lower" if DIRECTION.code_of(direction) == "lower" else "higher"


def roi(gain: Any, cost: Any) -> float | None:
    """Return on investment: (gain − cost) / cost.

    ``gain`` is what the action brings (margin or revenue, as the plan
    chooses and says), ``cost`` what it costs. 0.5 means the action brings
    back its cost plus 50 %; −1 means everything spent was lost.

    Zero cost: None (blank), since the ratio is undefined; an action without
    budget is not "infinitely profitable", its budget is missing, which the
    validator reports. Blank or text input: None. A negative cost is
    computed as written.

    >>> roi(12000, 8000)
    0.5
    >>> roi(6000, 8000)
    -0.25
    >>> roi(100, 0) is None, roi("", 8000) is None
    (True, True)
    """
    g, c = _number(gain), _number(cost)
    if g is None or c is None or c == 0:
        return None
    return _finite((g - c) / c)


def variance(actual: Any, target: Any) -> float | None:
    """Variance: actual − target.

    For a budget line, actual − planned: positive means overspent. Defined
    for every pair of numbers, zeros included; blank or text input: None.

    >>> variance(1200, 1000)
    200.0
    >>> variance(0, 0), variance(None, 1000)
    (0.0, None)
    """
    a, t = _number(actual), _number(target)
    if a is None or t is None:
        return None
    return _finite(a - t)


def variance_pct(actual: Any, target: Any) -> float | None:
    """Relative variance: (actual − target) / |target|.

    Dividing by the absolute value keeps the sign meaning "above target" even
    for a negative target. Zero target: None (blank), a relative gap to
    nothing is undefined; blank or text input: None.

    >>> variance_pct(1100, 1000)
    0.1
    >>> variance_pct(-90, -100)
    0.1
    >>> variance_pct(5, 0) is None
    True
    """
    a, t = _number(actual), _number(target)
    if a is None or t is None or t == 0:
        return None
    return _finite((a - t) / abs(t))


def favourable(actual: Any, target: Any, direction: Any = "higher") -> bool | None:
    """Whether actual is on the good side of target: actual ≥ target when higher is better, ≤ when lower is better.

    Reaching the target exactly is favourable. *direction* is a code or label
    of the DIRECTION list in either language (``"lower"``, ``"Plus bas =
    mieux"``...); blank or unknown reads as higher-is-better. Blank or text
    actual or target: None.

    >>> favourable(45, 50, "lower"), favourable(45, 50, "higher"), favourable(50, 50, "Plus bas = mieux")
    (True, False, True)
    """
    a, t = _number(actual), _number(target)
    if a is None or t is None:
        return None
    return at_most(a, t) if direction_code(direction) == "lower" else at_least(a, t)


def attainment(actual: Any, target: Any, direction: Any = "higher", baseline: Any = None) -> float | None:
    """How far the actual has gone towards the target (1 = target reached, above 1 = beyond it).

    With a baseline (the starting value) different from the target:
    (actual − baseline) / (target − baseline), the share of the planned move
    achieved; this works for lower-is-better indicators too, since their
    target lies below the baseline (and then *direction* is not needed).
    Without a usable baseline (blank, text, or equal to the target):
    actual / target when higher is better, target / actual when lower is
    better. None when actual or target is missing or the denominator is zero
    (zero target when higher is better, zero actual when lower is better).

    >>> attainment(105, 110, baseline=100)
    0.5
    >>> attainment(40, 35, "lower", baseline=45)
    0.5
    >>> attainment(36, 40, "lower")
    1.1111111111111112
    >>> attainment(5, 0) is None
    True
    """
    a, t, b = _number(actual), _number(target), _number(baseline)
    if a is None or t is None:
        return None
    if b is not None and not approx_equal(t, b):
        return _finite((a - b) / (t - b))
    if direction_code(direction) == "lower":
        return None if a == 0 else _finite(t / a)
    return None if t == 0 else _finite(a / t)


def achievement_rate(result: Any, target: Any) -> float | None:
    """Result ÷ target, the share of a target that was delivered (1 = target met, above 1 = beaten).

    Unlike :func:`attainment`, it does not start from a baseline: last year's
    review records a result and its target, not where the indicator started.
    Zero target: None (blank). Blank or text input: None.

    >>> achievement_rate(1020, 900)
    1.1333333333333333
    >>> achievement_rate(5, 0) is None
    True
    """
    return _ratio(result, target)


def kpi_status(attainment: Any, on_track: Any = DEFAULT_ON_TRACK, at_risk: Any = DEFAULT_AT_RISK) -> str | None:
    """The KPI status code from its attainment: ``on_track`` if ≥ on_track, ``at_risk`` if ≥ at_risk, else ``off_track``.

    Thresholds default to 0.9 (90 %) and 0.7 (70 %); a workbook keeps its own
    in the named config cells ``mplan_on_track`` and ``mplan_at_risk``. A
    threshold that is not a number falls back to its default. The codes are
    those of :data:`mplan_xl.core.vocabulary.KPI_STATUS` (labels: "En bonne voie",
    "À surveiller", "En retard"). Blank or text attainment: None.

    >>> kpi_status(0.95), kpi_status(0.8), kpi_status(0.2), kpi_status(None)
    ('on_track', 'at_risk', 'off_track', None)
    >>> kpi_status(0.85, on_track=0.8)
    'on_track'
    """
    value = _number(attainment)
    if value is None:
        return None
    on = _number(on_track)
    risk = _number(at_risk)
    on = DEFAULT_ON_TRACK if on is None else on
    risk = DEFAULT_AT_RISK if risk is None else risk
    if at_least(value, on):
        return "on_track"
    return "at_risk" if at_least(value, risk) else "off_track"


def acquisition_cost(spend: Any, new_customers: Any) -> float | None:
    """Customer acquisition cost: acquisition spend / new customers won (lower is better).

    No new customer (zero): None (blank), the cost per customer is undefined.
    Blank or text input: None.

    >>> acquisition_cost(5000, 125)
    40.0
    >>> acquisition_cost(5000, 0) is None
    True
    """
    return _ratio(spend, new_customers)


def average_basket(revenue: Any, orders: Any) -> float | None:
    """Average basket: revenue / number of orders.

    No order (zero): None (blank). Blank or text input: None.

    >>> average_basket(48000, 1600)
    30.0
    """
    return _ratio(revenue, orders)


def conversion_rate(conversions: Any, visitors: Any) -> float | None:
    """Conversion rate: conversions (orders, sign-ups...) / visitors.

    No visitor (zero): None (blank). Blank or text input: None.

    >>> conversion_rate(250, 10000)
    0.025
    """
    return _ratio(conversions, visitors)


def cart_abandonment_rate(orders: Any, carts: Any) -> float | None:
    """Cart abandonment rate: 1 − orders / carts created (lower is better).

    No cart (zero): None (blank). Blank or text input: None. More
    orders than carts gives a negative rate, shown as computed (a data issue
    worth seeing).

    >>> cart_abandonment_rate(300, 1000)
    0.7
    """
    share = _ratio(orders, carts)
    return None if share is None else 1 - share


def gain_and_cost(pairs: Iterable[tuple[Any, Any]]) -> tuple[float | None, float]:
    """The gain and the cost of a group of actions (an objective, the plan), whose ROI is :func:`roi` of the two.

    *pairs* are each action's (gain, cost): (expected gain, budget) for the expected ROI, (achieved gain, actual
    spend) for the ROI achieved. Only the actions whose gain is a number count, their cost with them: an action
    not measured yet weighs on neither side, so the achieved ROI of an objective is that of what was measured,
    never −100 % for want of results. Gain None when no action's gain is a number; a cost that is not a number
    counts as 0.

    >>> gain_and_cost([(25200, 17630), (None, 2400), (5200, 4750)])
    (30400.0, 22380.0)
    >>> roi(*gain_and_cost([(None, 2400)])) is None
    True
    """
    gain: float | None = None
    cost = 0.0
    for g, c in pairs:
        number = _number(g)
        if number is None:
            continue
        gain = (gain or 0.0) + number
        cost += _number(c) or 0.0
    return gain, cost
def landing(actual_to_date: Any, committed: Any, planned: Any, planned_to_date: Any, reforecast: Any = None) -> float | None:
    """Where a budget line will land at the end of the year (its *atterrissage*).

    A re-forecast the team typed wins. Otherwise: the actual to date, plus the committed amount not yet spent
    (committed − actual to date, when positive), plus what remains of the planned months after the situation date
    (planned − planned to date, when positive) beyond what is already committed for them: an order placed for the
    coming months is counted once, as the larger of the two. Spending ahead of the phasing (a yearly licence paid
    in January) uses up the months to come rather than adding to them: what remains is planned − the larger of
    planned and actual to date. A line spent as planned lands on its plan; it lands above it once spent or
    committed beyond it, below it when it spends less than its months planned so far. Blank inputs count as zero;
    None when the line has no planned, committed or actual amount at all.

    >>> landing(actual_to_date=4000, committed=6000, planned=10000, planned_to_date=5000)
    9000.0
    >>> landing(6000, 12000, 10000, 5000), landing(7000, 7000, 10000, 5000), landing(7000, 7000, 10000, 5000, 9500)
    (12000.0, 10000.0, 9500.0)
    >>> landing(None, "", None, None) is None
    True
    """
    typed = _number(reforecast)
    if typed is not None:
        return typed
    a, c, p = _number(actual_to_date), _number(committed), _number(planned)
    if a is None and c is None and p is None:
        return None
    spent, to_date = a or 0.0, _number(planned_to_date) or 0.0
    remaining = max((p or 0.0) - max(to_date, spent), 0.0)
    open_orders = max((c or 0.0) - spent, 0.0)
    return _finite(spent + max(open_orders, remaining))


# --- registry ---------------------------------------------------------------------------------------

_BLANK = Label("Entrée vide ou texte (même « 1 234,56 ») : résultat vide.",
               "Blank input or text (even \"1 234,56\"): blank result.")
_ACTUAL = Label("Réalisé", "Actual")
_TARGET = Label("Cible (ou prévisionnel)", "Target (or planned)")
_DIRECTION = Label("Sens : « Plus haut = mieux » (défaut) ou « Plus bas = mieux »",
                   "Direction: \"Higher is better\" (default) or \"Lower is better\"")
_BASELINE = Label("Valeur de départ (facultatif)", "Baseline, the starting value (optional)")


def _edge(fr: str, en: str) -> Label:
    return Label(f"{fr} {_BLANK.fr}".strip(), f"{en} {_BLANK.en}".strip())


REGISTRY: dict[str, MetricInfo] = {m.name: m for m in (
    MetricInfo(
        "roi", roi, "MPLAN_ROI", "percent",
        Label("Retour sur investissement", "Return on investment"),
        Label("ROI = (gain − coût) / coût ; 0,5 = l'action rapporte son coût plus 50 %.",
              "ROI = (gain − cost) / cost; 0.5 = the action brings back its cost plus 50%."),
        {"gain": Label("Gain attendu ou obtenu (marge ou chiffre d'affaires)", "Expected or achieved gain (margin or revenue)"),
         "cost": Label("Coût de l'action (budget)", "Cost of the action (budget)")},
        (({"gain": 12000, "cost": 8000}, 0.5), ({"gain": 6000, "cost": 8000}, -0.25), ({"gain": 100, "cost": 0}, None)),
        _edge("Coût nul : vide (ROI non défini ; un budget manquant est signalé par le contrôle).",
              "Zero cost: blank (ROI undefined; a missing budget is reported by the check)."),
    ),
    MetricInfo(
        "variance", variance, "MPLAN_VARIANCE", "number",
        Label("Écart", "Variance"),
        Label("Écart = réalisé − cible ; pour un budget, réalisé − prévisionnel (positif = dépassement).",
              "Variance = actual − target; for a budget, actual − planned (positive = overspent)."),
        {"actual": _ACTUAL, "target": _TARGET},
        (({"actual": 1200, "target": 1000}, 200.0), ({"actual": 900, "target": 1000}, -100.0),
         ({"actual": 0, "target": 0}, 0.0)),
        _edge("Zéros : calculés (0 − 0 = 0).", "Zeros: computed (0 − 0 = 0)."),
    ),
    MetricInfo(
        "variance_pct", variance_pct, "MPLAN_VARIANCE_PCT", "percent",
        Label("Écart en %", "Variance in %"),
        Label("Écart en % = (réalisé − cible) / |cible| ; positif = au-dessus de la cible, même pour une cible négative.",
              "Variance in % = (actual − target) / |target|; positive = above target, even for a negative target."),
        {"actual": _ACTUAL, "target": _TARGET},
        (({"actual": 1100, "target": 1000}, 0.1), ({"actual": -90, "target": -100}, 0.1), ({"actual": 5, "target": 0}, None)),
        _edge("Cible nulle : vide (écart relatif non défini).", "Zero target: blank (relative variance undefined)."),
    ),
    MetricInfo(
        "favourable", favourable, "MPLAN_FAVOURABLE", "boolean",
        Label("Écart favorable", "Favourable variance"),
        Label("VRAI si réalisé ≥ cible (plus haut = mieux) ou réalisé ≤ cible (plus bas = mieux) ; cible atteinte = favorable.",
              "TRUE when actual ≥ target (higher is better) or actual ≤ target (lower is better); target reached = favourable."),
        {"actual": _ACTUAL, "target": Label("Cible", "Target"), "direction": _DIRECTION},
        (({"actual": 45, "target": 50, "direction": "lower"}, True), ({"actual": 45, "target": 50, "direction": "higher"}, False),
         ({"actual": 50, "target": 50, "direction": "Plus bas = mieux"}, True)),
        _edge("Sens vide ou inconnu : lu comme « Plus haut = mieux ».", "Blank or unknown direction: read as \"Higher is better\"."),
    ),
    MetricInfo(
        "attainment", attainment, "MPLAN_ATTAINMENT", "percent",
        Label("Atteinte", "Attainment"),
        Label("Atteinte = (réalisé − départ) / (cible − départ) si la valeur de départ diffère de la cible (part du "
              "chemin prévu parcourue) ; sinon réalisé / cible, ou cible / réalisé si plus bas = mieux. 1 = cible atteinte.",
              "Attainment = (actual − baseline) / (target − baseline) when the baseline differs from the target (share "
              "of the planned move achieved); otherwise actual / target, or target / actual when lower is better. "
              "1 = target reached."),
        {"actual": _ACTUAL, "target": Label("Cible", "Target"), "direction": _DIRECTION, "baseline": _BASELINE},
        (({"actual": 105, "target": 110, "direction": "higher", "baseline": 100}, 0.5),
         ({"actual": 40, "target": 35, "direction": "lower", "baseline": 45}, 0.5),
         ({"actual": 36, "target": 40, "direction": "lower", "baseline": None}, 40 / 36),
         ({"actual": 5, "target": 0, "direction": "higher", "baseline": None}, None)),
        _edge("Plus bas = mieux : avec un départ, la formule avec départ convient (la cible est sous le départ) ; sans "
              "départ, cible / réalisé. Départ vide ou égal à la cible : réalisé / cible (ou cible / réalisé). "
              "Dénominateur nul (cible nulle, ou réalisé nul si plus bas = mieux) : vide.",
              "Lower is better: with a baseline, the baseline formula works as is (the target lies below the "
              "baseline); without one, target / actual. Baseline blank or equal to the target: actual / target (or "
              "target / actual). Zero denominator (zero target, or zero actual when lower is better): blank."),
    ),
    MetricInfo(
        "achievement_rate", achievement_rate, "MPLAN_ACHIEVEMENT_RATE", "percent",
        Label("Taux de réalisation", "Achievement rate"),
        Label("Taux de réalisation = résultat / cible, sans valeur de départ (Bilan N-1) ; 1 = cible tenue. À ne pas "
              "confondre avec l'atteinte des KPI, qui mesure le chemin parcouru depuis la valeur de départ.",
              "Achievement rate = result / target, with no baseline (last year's review); 1 = target met. Not to be "
              "confused with KPI attainment, which measures the way travelled from the baseline."),
        {"result": Label("Résultat obtenu", "Result achieved"), "target": Label("Cible", "Target")},
        (({"result": 1020, "target": 900}, 1020 / 900), ({"result": 31, "target": 200}, 0.155),
         ({"result": 5, "target": 0}, None)),
        _edge("Cible nulle : vide.", "Zero target: blank."),
    ),
    MetricInfo(
        "kpi_status", kpi_status, "MPLAN_KPI_STATUS", "text",
        Label("Statut du KPI", "KPI status"),
        Label("« En bonne voie » si l'atteinte ≥ seuil haut (0,9 par défaut), « À surveiller » si ≥ seuil bas "
              "(0,7), sinon « En retard ».",
              "\"On track\" when attainment ≥ the upper threshold (0.9 by default), \"At risk\" when ≥ the lower one "
              "(0.7), otherwise \"Off track\"."),
        {"attainment": Label("Atteinte (1 = cible atteinte)", "Attainment (1 = target reached)"),
         "on_track": Label("Seuil « En bonne voie » (défaut 0,9)", "\"On track\" threshold (default 0.9)"),
         "at_risk": Label("Seuil « À surveiller » (défaut 0,7)", "\"At risk\" threshold (default 0.7)")},
        (({"attainment": 0.95}, "On track"), ({"attainment": 0.8}, "At risk"), ({"attainment": 0.2}, "Off track"),
         ({"attainment": 0.85, "on_track": 0.8}, "On track"), ({"attainment": None}, None)),
        Label("Seuils dans les cellules nommées mplan_on_track et mplan_at_risk (feuille mplan_config) ; un seuil non "
              "numérique reprend sa valeur par défaut. Atteinte vide ou texte : vide. Le texte est le libellé de "
              "la langue du classeur.",
              "Thresholds in the named cells mplan_on_track and mplan_at_risk (sheet mplan_config); a threshold that is "
              "not a number falls back to its default. Blank or text attainment: blank. The text is the label in "
              "the workbook's language."),
        localised=True, to_cell=lambda code, lang: KPI_STATUS.label(code, lang),
    ),
    MetricInfo(
        "acquisition_cost", acquisition_cost, "MPLAN_ACQUISITION_COST", "number",
        Label("Coût d'acquisition client", "Customer acquisition cost"),
        Label("Coût d'acquisition = dépenses d'acquisition / nouveaux clients (plus bas = mieux).",
              "Acquisition cost = acquisition spend / new customers (lower is better)."),
        {"spend": Label("Dépenses d'acquisition", "Acquisition spend"),
         "new_customers": Label("Nouveaux clients gagnés", "New customers won")},
        (({"spend": 5000, "new_customers": 125}, 40.0), ({"spend": 5000, "new_customers": 0}, None)),
        _edge("Aucun nouveau client (0) : vide.", "No new customer (0): blank."),
    ),
    MetricInfo(
        "average_basket", average_basket, "MPLAN_AVERAGE_BASKET", "number",
        Label("Panier moyen", "Average basket"),
        Label("Panier moyen = chiffre d'affaires / nombre de commandes.", "Average basket = revenue / number of orders."),
        {"revenue": Label("Chiffre d'affaires", "Revenue"), "orders": Label("Nombre de commandes", "Number of orders")},
        (({"revenue": 48000, "orders": 1600}, 30.0), ({"revenue": 48000, "orders": 0}, None)),
        _edge("Aucune commande (0) : vide.", "No order (0): blank."),
    ),
    MetricInfo(
        "conversion_rate", conversion_rate, "MPLAN_CONVERSION_RATE", "percent",
        Label("Taux de conversion", "Conversion rate"),
        Label("Taux de conversion = conversions (commandes, inscriptions...) / visiteurs.",
              "Conversion rate = conversions (orders, sign-ups...) / visitors."),
        {"conversions": Label("Conversions (commandes, inscriptions...)", "Conversions (orders, sign-ups...)"),
         "visitors": Label("Visiteurs", "Visitors")},
        (({"conversions": 250, "visitors": 10000}, 0.025), ({"conversions": 250, "visitors": 0}, None)),
        _edge("Aucun visiteur (0) : vide.", "No visitor (0): blank."),
    ),
    MetricInfo(
        "cart_abandonment_rate", cart_abandonment_rate, "MPLAN_CART_ABANDONMENT", "percent",
        Label("Taux d'abandon de panier", "Cart abandonment rate"),
        Label("Taux d'abandon = 1 − commandes / paniers créés (plus bas = mieux).",
              "Abandonment rate = 1 − orders / carts created (lower is better)."),
        {"orders": Label("Commandes passées", "Orders placed"), "carts": Label("Paniers créés", "Carts created")},
        (({"orders": 300, "carts": 1000}, 0.7), ({"orders": 300, "carts": 0}, None)),
        _edge("Aucun panier (0) : vide. Plus de commandes que de paniers : taux négatif, affiché tel quel.",
              "No cart (0): blank. More orders than carts: a negative rate, shown as computed."),
    ),
    MetricInfo(
        "landing", landing, "MPLAN_LANDING", "number",
        Label("Atterrissage", "Landing forecast"),
        Label("Atterrissage = la réestimation saisie, sinon réel à date + le plus grand de l'engagé non encore "
              "dépensé (engagé − réel à date) et du prévu restant après la date de situation (prévisionnel − le "
              "plus grand du prévu et du réel à date) : ce qu'une ligne aura coûté à la fin de l'année.",
              "Landing = the typed re-forecast, otherwise actual to date + the larger of the committed amount not "
              "yet spent (committed − actual to date) and the planned amount left after the situation date "
              "(planned − the larger of planned and actual to date): what a line will have cost at the end of the "
              "year."),
        {"actual_to_date": Label("Réel à date", "Actual to date"), "committed": Label("Engagé", "Committed"),
         "planned": Label("Prévisionnel", "Planned"), "planned_to_date": Label("Prévu à date", "Planned to date"),
         "reforecast": Label("Réestimation saisie par l'équipe (facultatif)", "Re-forecast typed by the team (optional)")},
        (({"actual_to_date": 4000, "committed": 6000, "planned": 10000, "planned_to_date": 5000}, 9000.0),
         ({"actual_to_date": 6000, "committed": 12000, "planned": 10000, "planned_to_date": 5000}, 12000.0),
         ({"actual_to_date": 7000, "committed": 7000, "planned": 10000, "planned_to_date": 5000}, 10000.0),
         ({"actual_to_date": 7000, "committed": 7000, "planned": 10000, "planned_to_date": 5000, "reforecast": 9500}, 9500.0),
         ({"actual_to_date": None, "committed": None, "planned": None, "planned_to_date": None}, None)),
        Label("Réestimation numérique : elle l'emporte. Entrées vides ou texte : comptées pour zéro ; aucune de "
              "prévisionnel, engagé et réel à date : vide. Un engagement pour les mois à venir n'est pas compté "
              "deux fois (le plus grand de l'engagé restant et du prévu restant) ; une dépense en avance sur le "
              "phasage consomme les mois à venir.",
              "A numeric re-forecast wins. Blank or text inputs count as zero; none of planned, committed and actual "
              "to date: blank. An order for the coming months is not counted twice (the larger of the open "
              "commitment and the planned amount left); spending ahead of the phasing uses up the months to come."),
    ),
)}


def catalogue() -> dict[str, MetricInfo]:
    """Every function of the plan by name: the metrics of :data:`REGISTRY`, then the SMART check.

    >>> list(catalogue())[-1], catalogue()["smart_check"].udf
    ('smart_check', 'MPLAN_SMART')
    """
    return {**REGISTRY, SMART_INFO.name: SMART_INFO}
