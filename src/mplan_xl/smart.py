"""The SMART check of an objective: which letters fail, and why.

An objective is SMART when it is **S**pecific, **M**easurable, **A**ssigned
(someone answers for it), **R**ealistic and **T**ime-bound. Each letter is
checked by explicit rules, written so that a plain Excel formula can check
them too (:mod:`mplan_xl.formulas` renders that formula from :data:`RULES`);
the workbook's live "SMART check" column and ``mplan-xl check`` therefore give
the same verdict, word for word.

======  ======================  ============================================================
letter  rule                    fails when
======  ======================  ============================================================
S       ``statement_missing``   the statement is blank
S       ``indicator_missing``   the indicator is blank
S       ``statement_vague``     the statement uses a vague verb (improve, develop, ...) and
                                holds no figure (no digit)
M       ``target_not_number``   the target value is not a number
M       ``unit_missing``        the unit is blank
A       ``owner_missing``       nobody is named as owner
R       ``target_unrealistic``  the baseline is a non-zero number and the target moves more
                                than ``REALISTIC_CHANGE`` (300 %) away from it
T       ``deadline_missing``    the deadline is not a date
T       ``deadline_outside``    the deadline falls outside the plan year
======  ======================  ============================================================

An objective with nothing written yet (statement, indicator, target, unit,
deadline and owner all blank) gets no verdict: a blank cell.

Why 300 %: a yearly plan may well double a small figure (a new channel), but
a target four times the baseline or more is almost always a typing error
(110000 for 110 %) or a wish, not a plan.

Standard library only.

Example:
    >>> import datetime as dt
    >>> good = smart_check("Augmenter le chiffre d'affaires de 10 % en 6 mois", "CA mensuel", 110000, "€",
    ...                    dt.date(2026, 6, 30), "Claire Martin", 2026, baseline=100000)
    >>> good.ok, good.text("fr")
    (True, 'OK')
    >>> vague = smart_check("Améliorer la notoriété", "Notoriété", None, "", dt.date(2027, 3, 1), "", 2026)
    >>> vague.text("en")
    'S, M, A, T: vague statement with no figure; target is not a number; no unit; no owner; deadline outside 2026'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .numbers import to_date, to_number
from .vocabulary import Label

LETTERS = "SMART"
REALISTIC_CHANGE = 3.0

#: Verbs that make a statement vague when no figure comes with them (matched case-insensitively, as substrings).
VAGUE_VERBS = (
    "améliorer", "augmenter", "développer", "optimiser", "renforcer", "accroître", "booster", "maximiser",
    "dynamiser", "favoriser", "improve", "increase", "develop", "optimise", "optimize", "strengthen", "boost",
    "grow", "enhance", "maximise", "maximize",
)
DIGITS = "0123456789"

#: Separators of the text result, per language: between letters, after the letters, between reasons.
SEPARATORS = {"fr": (", ", " : ", " ; "), "en": (", ", ": ", "; ")}


@dataclass(frozen=True)
class SmartRule:
    letter: str
    code: str
    reason: Label            # may hold {year}


RULES: tuple[SmartRule, ...] = (
    SmartRule("S", "statement_missing", Label("énoncé vide", "no statement")),
    SmartRule("S", "indicator_missing", Label("pas d'indicateur", "no indicator")),
    SmartRule("S", "statement_vague", Label("énoncé vague, sans chiffre", "vague statement with no figure")),
    SmartRule("M", "target_not_number", Label("cible non chiffrée", "target is not a number")),
    SmartRule("M", "unit_missing", Label("pas d'unité", "no unit")),
    SmartRule("A", "owner_missing", Label("pas de responsable", "no owner")),
    SmartRule("R", "target_unrealistic", Label("cible à plus de 300 % du départ", "target more than 300% away from the baseline")),
    SmartRule("T", "deadline_missing", Label("pas d'échéance", "no deadline")),
    SmartRule("T", "deadline_outside", Label("échéance hors de l'année {year}", "deadline outside {year}")),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class SmartResult:
    failures: tuple[str, ...]     # rule codes, in RULES order
    plan_year: Any
    blank: bool = False           # nothing written yet: no verdict

    @property
    def ok(self) -> bool:
        return not self.failures and not self.blank

    @property
    def letters(self) -> tuple[str, ...]:
        failing = {RULES_BY_CODE[code].letter for code in self.failures}
        return tuple(letter for letter in LETTERS if letter in failing)

    def text(self, lang: str = "fr") -> str:
        """``OK``, or the failing letters then the reasons, in *lang*; ``""`` for a blank objective."""
        if self.blank:
            return ""
        if self.ok:
            return "OK"
        between_letters, after_letters, between_reasons = SEPARATORS["en" if lang == "en" else "fr"]
        reasons = [RULES_BY_CODE[code].reason(lang).format(year=_year_text(self.plan_year)) for code in self.failures]
        return between_letters.join(self.letters) + after_letters + between_reasons.join(reasons)


def _year_text(year: Any) -> str:
    number = to_number(year)
    return str(int(number)) if number is not None and number.is_integer() else str(year)


def is_blank(value: Any) -> bool:
    """Blank as Excel's ``LEN(TRIM(x))=0`` sees it."""
    return value is None or (isinstance(value, str) and not value.strip(" "))


def has_digit(text: Any) -> bool:
    return any(ch in DIGITS for ch in _as_text(text))


def has_vague_verb(text: Any) -> bool:
    lowered = _as_text(text).lower()
    return any(verb in lowered for verb in VAGUE_VERBS)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    number = to_number(value)
    if number is not None and number.is_integer():
        return str(int(number))
    return str(value)


def smart_check(statement: Any, indicator: Any, target: Any, unit: Any, deadline: Any, owner: Any,
                plan_year: Any, baseline: Any = None) -> SmartResult:
    """Check one objective; see the module docstring for the rules.

    ``deadline`` may be a date, a datetime or an Excel serial number;
    ``target`` and ``baseline`` count only when they are numbers. An objective
    whose statement, indicator, target, unit, deadline and owner are all blank
    is not written yet: the result is ``blank`` and its text empty.
    """
    if all(is_blank(v) for v in (statement, indicator, target, unit, deadline, owner)):
        return SmartResult((), plan_year, blank=True)
    failures = []
    if is_blank(statement):
        failures.append("statement_missing")
    if is_blank(indicator):
        failures.append("indicator_missing")
    if not is_blank(statement) and has_vague_verb(statement) and not has_digit(statement):
        failures.append("statement_vague")
    t, b = to_number(target), to_number(baseline)
    if t is None:
        failures.append("target_not_number")
    if is_blank(unit):
        failures.append("unit_missing")
    if is_blank(owner):
        failures.append("owner_missing")
    if t is not None and b is not None and b != 0 and abs(t - b) / abs(b) > REALISTIC_CHANGE:
        failures.append("target_unrealistic")
    date = deadline if isinstance(deadline, (dt.date, dt.datetime)) else to_date(to_number(deadline))
    if date is None:
        failures.append("deadline_missing")
    elif to_number(plan_year) is None or date.year != int(to_number(plan_year)):
        failures.append("deadline_outside")
    return SmartResult(tuple(failures), plan_year)
