"""Excel formulas of the metrics, for either runtime.

:func:`render` turns a metric of :mod:`mplan_xl.core.metrics` (or the SMART check)
and the Excel expressions of its arguments into formula text:

- ``native``: a plain Excel formula that returns exactly what the Python
  function returns, ``""`` where Python returns None. ``ISNUMBER`` guards
  mirror :func:`mplan_xl.core.numbers.to_number`; nested ``IF`` (Excel's ``AND``
  does not short-circuit) keeps every branch free of ``#DIV/0!``. Only
  functions that Excel 2010+ and LibreOffice both know are used.
- ``xlwings``: a call of the ``MPLAN_`` function of :mod:`mplan_xl.udfs`.

A LibreOffice test recalculates hundreds of random rows of these formulas and
compares each with the Python function. Where the two engines themselves
differ, Python follows Excel: LibreOffice stores TRUE/FALSE as the numbers
1/0, so a boolean typed into a number cell computes there (``ISNUMBER(TRUE)``
is FALSE in Excel); and the direction test ignores case and extra spaces,
as Python does, but not accents (no label of the list has one).

``args`` maps the function's parameter names (:attr:`MetricInfo.parameters
<mplan_xl.core.metrics.MetricInfo.parameters>`) to Excel expressions: a cell
(``"A2"``), a structured reference (``"tblActions[[#This Row],[Budget]]"``,
LibreOffice only evaluates that fully qualified Excel 2007 form) or a defined
name (``"mplan_year"``). Optional parameters may be left out: ``direction``
(higher is better), ``baseline`` (none), ``on_track``/``at_risk`` (0.9/0.7).
Text results (KPI status, SMART check) come in *lang*, identical to the
Python text.

Domain core: formulas are plain strings, no Excel library is imported.

Example:
    >>> render("roi", "native", {"gain": "A2", "cost": "B2"})
    'IF(AND(ISNUMBER(A2),ISNUMBER(B2)),IF(B2=0,"",(A2-B2)/B2),"")'
    >>> render("roi", "xlwings", {"gain": "A2", "cost": "B2"})
    'MPLAN_ROI(A2,B2)'
"""

from __future__ import annotations

import re
from typing import Callable, Literal, Mapping

from . import smart
from .metrics import DEFAULT_AT_RISK, DEFAULT_ON_TRACK, MetricInfo, catalogue
from .numbers import MAX_SERIAL
from .smart import SMART_OK
from .vocabulary import DIRECTION, KPI_STATUS

#: Every function :func:`render` knows: the metrics, then the SMART check.
FUNCTIONS: dict[str, MetricInfo] = catalogue()
#: Functions whose text result depends on the language: the UDF takes it as a last argument.
LOCALISED = {name for name, info in FUNCTIONS.items() if info.localised}
SMART_UDF = smart.INFO.udf
SMART_PARAMETERS = smart.INFO.parameters
RUNTIMES = ("native", "xlwings")


#: Expressions that need no parentheses as operands: references, names, structured references, numbers, strings.
_SIMPLE = re.compile(r"""(?x)
    (?:'[^']+'|[A-Za-z_][\w.]*)?!?\$?[A-Za-z_\\][\w.$]*      # A2, $A$2, Sheet1!A2, 'My sheet'!A2, mplan_year
    (?:\[(?:[^\[\]]|\[[^\[\]]*\])*\])?                   # tblX[[#This Row],[Header]]
  | \d+(?:\.\d+)?                                         # 12, 0.9
  | "(?:[^"]|"")*"                                        # "text"
""")


def _operand(expression: str) -> str:
    """*expression* ready to be an operand: compound expressions (``B2+C2``) get parentheses.

    >>> _operand("tblBudget[[#This Row],[Réalisé]]"), _operand("B2+C2"), _operand("'Plan 2027'!$B$4")
    ('tblBudget[[#This Row],[Réalisé]]', '(B2+C2)', "'Plan 2027'!$B$4")
    """
    expression = expression.strip()
    return expression if _SIMPLE.fullmatch(expression) else f"({expression})"


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
    """Whether *direction* reads as lower-is-better: its code or either label.

    Like :meth:`mplan_xl.core.vocabulary.ChoiceList.code_of`, the test ignores case
    (Excel's ``=``) and extra spaces (``TRIM``); unlike it, it does not ignore
    accents or non-breaking spaces, which no label of the list holds.
    """
    if not direction:
        return "FALSE"
    labels = {DIRECTION.label("lower", lg) for lg in ("fr", "en")} | {"lower"}
    return "OR(" + ",".join(f"TRIM({direction})={_q(label)}" for label in sorted(labels)) + ")"


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
    """The SMART check, letter by letter, from :data:`mplan_xl.core.smart.RULES`."""
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
        "deadline_missing": f"IF(ISNUMBER({d}),OR({d}<1,{d}>={MAX_SERIAL + 1}),TRUE)",
        "deadline_outside": f"IF(ISNUMBER({d}),IF(OR({d}<1,{d}>={MAX_SERIAL + 1}),FALSE,YEAR({d})<>{year}),FALSE)",
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
    return (f'IF({untouched},"",IF({letters_text}="",{_q(SMART_OK)},MID({letters_text},{len(between_letters) + 1},20)'
            f"&{_q(after_letters)}&MID({reasons_text},{len(between_reasons) + 1},2000)))")


def _landing(a: Mapping[str, str], lang: str) -> str:
    x, c, p, ptd, r = (a.get(k) for k in ("actual_to_date", "committed", "planned", "planned_to_date", "reforecast"))
    zero = lambda ref: f"IF(ISNUMBER({ref}),{ref},0)"  # noqa: E731
    spent = zero(x)
    body = f"{spent}+MAX(MAX({zero(c)}-{spent},0),MAX({zero(p)}-MAX({zero(ptd)},{spent}),0))"
    computed = f'IF(OR(ISNUMBER({x}),ISNUMBER({c}),ISNUMBER({p})),{body},"")'
    return f"IF(ISNUMBER({r}),{r},{computed})" if r else computed


NATIVE: dict[str, Callable[[Mapping[str, str], str], str]] = {
    "roi": _roi, "variance": _variance, "variance_pct": _variance_pct, "favourable": _favourable,
    "attainment": _attainment, "achievement_rate": _ratio("result", "target"), "kpi_status": _kpi_status,
    "acquisition_cost": _ratio("spend", "new_customers"), "average_basket": _ratio("revenue", "orders"),
    "conversion_rate": _ratio("conversions", "visitors"), "cart_abandonment_rate": _cart_abandonment,
    "smart_check": _smart, "landing": _landing,
}


def parameters(metric: str) -> tuple[str, ...]:
    """The function's parameters, in the order its ``MPLAN_`` function takes them.

    >>> parameters("roi")
    ('gain', 'cost')
    """
    return FUNCTIONS[metric].parameters


def udf_name(metric: str) -> str:
    """The Excel name of the function's UDF.

    >>> udf_name("smart_check")
    'MPLAN_SMART'
    """
    return FUNCTIONS[metric].udf


def _checked(metric: str, args: Mapping[str, str]) -> MetricInfo:
    if metric not in FUNCTIONS:
        raise ValueError(f"unknown metric {metric!r}; known: {', '.join(FUNCTIONS)}")
    info = FUNCTIONS[metric]
    unknown = sorted(set(args) - set(info.parameters))
    missing = [p for p in info.required if not args.get(p)]
    if unknown or missing:
        problems = ([f"unknown argument(s) {', '.join(unknown)}"] if unknown else []) + \
                   ([f"missing argument(s) {', '.join(missing)}"] if missing else [])
        raise ValueError(f"{metric}({', '.join(info.parameters)}): " + "; ".join(problems))
    return info


def render(metric: str, runtime: Literal["native", "xlwings"], args: Mapping[str, str], lang: str = "fr") -> str:
    """Formula text (without ``=``) computing *metric* from the Excel expressions in *args*.

    ``native`` gives a plain Excel formula that returns what the Python
    function returns (``""`` for None, the label in *lang* for a KPI status,
    the SMART text in *lang*); ``xlwings`` calls the ``MPLAN_`` function,
    passing *lang* as a last string argument where the result is text.
    Raises ValueError for an unknown metric or runtime, an unknown argument
    name or a missing required one.

    >>> render("kpi_status", "xlwings", {"attainment": "K5", "on_track": "mplan_on_track", "at_risk": "mplan_at_risk"})
    'MPLAN_KPI_STATUS(K5,mplan_on_track,mplan_at_risk,"fr")'
    >>> render("attainment", "xlwings", {"actual": "A2", "target": "B2", "baseline": "C2"})
    'MPLAN_ATTAINMENT(A2,B2,"",C2)'
    """
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r}; known: {', '.join(RUNTIMES)}")
    lang = "en" if lang == "en" else "fr"
    info = _checked(metric, args)
    if runtime == "native":
        return NATIVE[metric]({name: _operand(expression) for name, expression in args.items() if expression}, lang)
    values = [args.get(p) or '""' for p in info.parameters]
    if info.localised:
        values.append(_q(lang))
    while values and values[-1] == '""':
        values.pop()
    return f"{info.udf}({','.join(values)})"
