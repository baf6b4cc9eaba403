"""Excel formulas of the metrics, for either runtime.

:func:`render` turns a metric of :mod:`mplan_xl.metrics` (or the SMART check)
and the Excel expressions of its arguments into formula text:

- ``native``: a plain Excel formula that returns exactly what the Python
  function returns, ``""`` where Python returns None. ``ISNUMBER`` guards
  mirror :func:`mplan_xl.numbers.to_number`; nested ``IF`` (Excel's ``AND``
  does not short-circuit) keeps every branch free of ``#DIV/0!``. Only
  functions that Excel 2010+ and LibreOffice both know are used.
- ``xlwings``: a call of the ``MPLAN_`` function of :mod:`mplan_xl.udfs`.

A LibreOffice test recalculates hundreds of random rows of these formulas and
compares each with the Python function.

Domain core: formulas are plain strings, no Excel library is imported.

Example:
    >>> render("roi", "native", {"gain": "A2", "cost": "B2"})
    'IF(AND(ISNUMBER(A2),ISNUMBER(B2)),IF(B2=0,"",(A2-B2)/B2),"")'
    >>> render("roi", "xlwings", {"gain": "A2", "cost": "B2"})
    'MPLAN_ROI(A2,B2)'
"""

from __future__ import annotations

from typing import Callable, Mapping

from . import smart
from .metrics import DEFAULT_AT_RISK, DEFAULT_ON_TRACK, REGISTRY
from .vocabulary import DIRECTION, KPI_STATUS

#: Metrics whose text result depends on the language: the UDF takes it as a last argument.
LOCALISED = {"kpi_status", "smart_check"}
SMART_UDF = "MPLAN_SMART"
SMART_PARAMETERS = ("statement", "indicator", "target", "unit", "deadline", "owner", "plan_year", "baseline")


def _q(text: str) -> str:
    """An Excel string literal."""
    return '"' + text.replace('"', '""') + '"'


def _numbers(*refs: str) -> str:
    return f"ISNUMBER({refs[0]})" if len(refs) == 1 else "AND(" + ",".join(f"ISNUMBER({r})" for r in refs) + ")"


def _roi(a: Mapping[str, str], lang: str) -> str:
    g, c = a["gain"], a["cost"]
    return f'IF({_numbers(g, c)},IF({c}=0,"",({g}-{c})/{c}),"")'


def _variance(a: Mapping[str, str], lang: str) -> str:
    x, t = a["actual"], a["target"]
    return f'IF({_numbers(x, t)},{x}-{t},"")'


def _variance_pct(a: Mapping[str, str], lang: str) -> str:
    x, t = a["actual"], a["target"]
    return f'IF({_numbers(x, t)},IF({t}=0,"",({x}-{t})/ABS({t})),"")'


def _is_lower(direction: str | None, lang: str) -> str:
    """Excel's ``=`` compares text case-insensitively, as the Python side does."""
    if not direction:
        return "FALSE"
    labels = {DIRECTION.label("lower", lg) for lg in ("fr", "en")} | {"lower"}
    return "OR(" + ",".join(f"{direction}={_q(label)}" for label in sorted(labels)) + ")"


def _favourable(a: Mapping[str, str], lang: str) -> str:
    x, t = a["actual"], a["target"]
    return f'IF({_numbers(x, t)},IF({_is_lower(a.get("direction"), lang)},{x}<={t},{x}>={t}),"")'


def _attainment(a: Mapping[str, str], lang: str) -> str:
    x, t, b = a["actual"], a["target"], a.get("baseline")
    plain = f'IF({t}=0,"",{x}/{t})'
    if a.get("direction"):
        plain = f'IF({_is_lower(a["direction"], lang)},IF({x}=0,"",{t}/{x}),{plain})'
    if b:
        plain = f"IF(ISNUMBER({b}),IF({t}<>{b},({x}-{b})/({t}-{b}),{plain}),{plain})"
    return f'IF({_numbers(x, t)},{plain},"")'


def _kpi_status(a: Mapping[str, str], lang: str) -> str:
    v = a["attainment"]
    on, risk = (f"IF(ISNUMBER({a[k]}),{a[k]},{default:g})" if k in a else f"{default:g}"
                for k, default in (("on_track", DEFAULT_ON_TRACK), ("at_risk", DEFAULT_AT_RISK)))
    labels = {code: _q(KPI_STATUS.label(code, lang)) for code in KPI_STATUS.codes}
    return (f'IF(ISNUMBER({v}),IF({v}>={on},{labels["on_track"]},IF({v}>={risk},{labels["at_risk"]},'
            f'{labels["off_track"]})),"")')


def _ratio(numerator: str, denominator: str) -> Callable[[Mapping[str, str], str], str]:
    def render_ratio(a: Mapping[str, str], lang: str) -> str:
        n, d = a[numerator], a[denominator]
        return f'IF({_numbers(n, d)},IF({d}=0,"",{n}/{d}),"")'
    return render_ratio


def _cart_abandonment(a: Mapping[str, str], lang: str) -> str:
    o, c = a["orders"], a["carts"]
    return f'IF({_numbers(o, c)},IF({c}=0,"",1-{o}/{c}),"")'


def _smart(a: Mapping[str, str], lang: str) -> str:
    """The SMART check, letter by letter, from :data:`mplan_xl.smart.RULES`."""
    st, ind, t, unit, d, owner, year = (a[k] for k in ("statement", "indicator", "target", "unit", "deadline", "owner", "plan_year"))
    b = a.get("baseline")
    blank = lambda ref: f"LEN(TRIM({ref}))=0"  # noqa: E731
    verbs = "{" + ",".join(_q(v) for v in smart.VAGUE_VERBS) + "}"
    digits = "{" + ",".join(_q(c) for c in smart.DIGITS) + "}"
    realistic = (f"IF(AND(ISNUMBER({t}),ISNUMBER({b})),IF({b}<>0,ABS({t}-{b})/ABS({b})>{smart.REALISTIC_CHANGE:g},FALSE),FALSE)"
                 if b else "FALSE")
    conditions = {
        "statement_missing": blank(st),
        "indicator_missing": blank(ind),
        "statement_vague": (f"AND(LEN(TRIM({st}))>0,SUMPRODUCT(--ISNUMBER(SEARCH({verbs},{st})))>0,"
                            f"SUMPRODUCT(--ISNUMBER(FIND({digits},{st})))=0)"),
        "target_not_number": f"NOT(ISNUMBER({t}))",
        "unit_missing": blank(unit),
        "owner_missing": blank(owner),
        "target_unrealistic": realistic,
        "deadline_missing": f"NOT(ISNUMBER({d}))",
        "deadline_outside": f"IF(ISNUMBER({d}),YEAR({d})<>{year},FALSE)",
    }
    between_letters, after_letters, between_reasons = smart.SEPARATORS["en" if lang == "en" else "fr"]
    letters = "&".join(
        f'IF(OR({",".join(conditions[r.code] for r in smart.RULES if r.letter == letter)}),'
        f'{_q(between_letters + letter)},"")' for letter in smart.LETTERS)
    reasons = []
    for rule in smart.RULES:
        text = rule.reason(lang)
        if "{year}" in text:
            before, after = text.split("{year}")
            piece = f"{_q(between_reasons + before)}&{year}&{_q(after)}"
        else:
            piece = _q(between_reasons + text)
        reasons.append(f'IF({conditions[rule.code]},{piece},"")')
    letters_text, reasons_text = f"({letters})", "&".join(reasons)
    untouched = "AND(" + ",".join(blank(ref) for ref in (st, ind, t, unit, d, owner)) + ")"
    return (f'IF({untouched},"",IF({letters_text}="","OK",MID({letters_text},{len(between_letters) + 1},20)'
            f"&{_q(after_letters)}&MID({reasons_text},{len(between_reasons) + 1},2000)))")


NATIVE: dict[str, Callable[[Mapping[str, str], str], str]] = {
    "roi": _roi, "variance": _variance, "variance_pct": _variance_pct, "favourable": _favourable,
    "attainment": _attainment, "kpi_status": _kpi_status,
    "acquisition_cost": _ratio("spend", "new_customers"), "average_basket": _ratio("revenue", "orders"),
    "conversion_rate": _ratio("conversions", "visitors"), "cart_abandonment_rate": _cart_abandonment,
    "smart_check": _smart,
}


def parameters(metric: str) -> tuple[str, ...]:
    """The metric's parameters, in the order its ``MPLAN_`` function takes them."""
    return SMART_PARAMETERS if metric == "smart_check" else REGISTRY[metric].parameters


def udf_name(metric: str) -> str:
    return SMART_UDF if metric == "smart_check" else REGISTRY[metric].udf


def render(metric: str, runtime: str, args: Mapping[str, str], lang: str = "fr") -> str:
    """Formula text (without ``=``) computing *metric* from the Excel expressions in *args*."""
    if runtime == "native":
        return NATIVE[metric](args, lang)
    if runtime != "xlwings":
        raise ValueError(f"unknown runtime {runtime!r}")
    values = [args.get(p, '""') for p in parameters(metric)]
    if metric in LOCALISED:
        values.append(_q(lang))
    while values and values[-1] == '""':
        values.pop()
    return f"{udf_name(metric)}({','.join(values)})"
