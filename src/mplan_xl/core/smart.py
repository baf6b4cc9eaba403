"""The SMART check of an objective: which letters fail, and why.

An objective is SMART when it is **S**pecific, **M**easurable, **A**ssigned
(someone answers for it), **R**ealistic and **T**ime-bound. Each letter is
checked by explicit rules, each one a test a plain Excel formula can make too
(:mod:`mplan_xl.core.formulas` renders that formula from :data:`RULES`), so the
workbook's live "SMART check" column, ``MPLAN_SMART`` and ``mplan-xl check``
give the same verdict, word for word.

======  ======================  ============================================================
letter  rule                    fails when
======  ======================  ============================================================
S       ``statement_missing``   the statement is blank
S       ``indicator_missing``   the indicator is blank
S       ``statement_vague``     the statement uses a vague verb of :data:`VAGUE_VERBS`
                                (improve, develop...) and holds no figure (no digit)
M       ``target_not_number``   the target value is not a number
M       ``unit_missing``        the unit is blank
A       ``owner_missing``       nobody is named as owner
R       ``target_unrealistic``  the baseline is a non-zero number and the target moves more
                                than ``REALISTIC_CHANGE`` (3, i.e. ±300 %) away from it:
                                \\|target − baseline\\| / \\|baseline\\| > 3
T       ``deadline_missing``    the deadline is not a date (blank, text, or a number that is
                                no Excel date: below 1 or after 9999-12-31)
T       ``deadline_outside``    the deadline falls outside the plan year
======  ======================  ============================================================

Details that make the rules exact (and the formula equal to the Python):

- *Blank* means empty or spaces only, as Excel's ``LEN(TRIM(x))=0`` sees it.
- Vague verbs are matched case-insensitively, as parts of words
  ("Améliorer", "improved", "growth" all count); a statement with a vague
  verb is fine as soon as it holds a digit ("Augmenter le CA de 10 %"). A
  precise verb without figures ("Lancer la boutique en ligne") passes S:
  the target and the deadline carry the figures.
- The target and the baseline count only when they are numbers as Excel's
  ``ISNUMBER`` sees them (text such as ``"110 000"`` is not a number: the
  validator says so separately).
- R is skipped without a baseline, or with a zero one (no relative change).
- The deadline may be a date, a datetime or an Excel serial number.
- An objective with nothing written yet (statement, indicator, target,
  unit, deadline and owner all blank) gets no verdict: a blank cell.

Why ±300 %: a yearly plan may well double or triple a small figure (a new
channel, a product launch), but a target four times the baseline or more is
almost always a typing error (110000 typed for 110 %, or a monthly target set
against a yearly baseline) or a wish rather than a plan; a drop of more than
300 % is impossible for a positive figure. It is deliberately generous: R
flags the implausible, not the ambitious.

Text results: ``OK``, or the failing letters, then the reasons, in French
(default) or English, e.g. ``"M, T : pas d'unité ; échéance hors de l'année 2026"``.

Standard library only.

Example:
    >>> import datetime as dt
    >>> good = smart_check("Augmenter le chiffre d'affaires de 10 % en 6 mois", "CA mensuel", 110000, "€",
    ...                    dt.date(2026, 6, 30), "Claire Martin", 2026, baseline=100000)
    >>> good.ok, good.text("fr")
    (True, 'OK')
    >>> vague = smart_check("Améliorer la notoriété", "Notoriété", None, "", dt.date(2027, 3, 1), "", 2026)
    >>> vague.letters
    ('S', 'M', 'A', 'T')
    >>> vague.text("en")
    'S, M, A, T: vague statement with no figure; target is not a number; no unit; no owner; deadline outside 2026'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from .metric_info import MetricInfo
from .numbers import approx_equal, is_blank, serial_to_date, to_number
from .vocabulary import Label

#: What the SMART column shows for an objective that passes every criterion (the workbook's formulas too).
SMART_OK = "OK"

LETTERS = "SMART"
#: Largest relative move of the target away from a non-zero baseline (3 = ±300 %).
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


class SmartFailure(NamedTuple):
    """One failed rule: its letter (``"S"``...) and its code (``"statement_vague"``...)."""

    letter: str
    code: str

    def reason(self, lang: str = "fr", plan_year: Any = None) -> str:
        """Why, in *lang*: ``"échéance hors de l'année 2026"``."""
        return RULES_BY_CODE[self.code].reason(lang).format(year=year_text(plan_year))


@dataclass(frozen=True)
class SmartResult:
    """The verdict on one objective.

    ``failures`` lists the failed rules in :data:`RULES` order; ``blank`` is
    True for an objective with nothing written yet (no verdict, empty text).
    """

    failures: tuple[SmartFailure, ...]
    plan_year: Any = None
    blank: bool = False

    @property
    def ok(self) -> bool:
        return not self.failures and not self.blank

    @property
    def letters(self) -> tuple[str, ...]:
        """The failing letters, in SMART order, each once."""
        failing = {f.letter for f in self.failures}
        return tuple(letter for letter in LETTERS if letter in failing)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.failures)

    def text(self, lang: str = "fr") -> str:
        """``OK``, or the failing letters then the reasons, in *lang* (fr default, en); ``""`` for a blank objective."""
        if self.blank:
            return ""
        if self.ok:
            return SMART_OK
        between_letters, after_letters, between_reasons = SEPARATORS["en" if lang == "en" else "fr"]
        reasons = [f.reason("en" if lang == "en" else "fr", self.plan_year) for f in self.failures]
        return between_letters.join(self.letters) + after_letters + between_reasons.join(reasons)


def year_text(year: Any) -> str:
    """The plan year as the workbook writes it into the reason: ``2026``; blank for none."""
    if year is None:
        return ""
    number = to_number(year, dates=True)
    if number is not None:
        return str(int(number)) if number.is_integer() else repr(number)
    return str(year)


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


def deadline_date(deadline: Any) -> dt.date | None:
    """The deadline as a date: a date, a datetime or an Excel serial number (1 to 9999-12-31); else None.

    Text is no date, even ``"2026-06-30"``: the workbook's formula sees text as no date either.
    """
    if isinstance(deadline, dt.datetime):
        return deadline.date()
    if isinstance(deadline, dt.date):
        return deadline
    number = to_number(deadline)
    return None if number is None else serial_to_date(number)


def smart_check(statement: Any, indicator: Any, target: Any, unit: Any, deadline: Any, owner: Any,
                plan_year: Any, baseline: Any = None) -> SmartResult:
    """Check one objective against the SMART rules of the module docstring.

    ``target`` and ``baseline`` count only when they are numbers;
    ``deadline`` may be a date, a datetime or an Excel serial number;
    ``plan_year`` is the plan's year (a number). Never raises.

    >>> import datetime as dt
    >>> smart_check("Grow revenue by 10% within 6 months", "Monthly revenue", 110000, "€",
    ...             dt.date(2026, 6, 30), "Claire Martin", 2026).text("en")
    'OK'
    >>> smart_check("Win 200 accounts", "Accounts", 450, "accounts", 46388, "Claire Martin", 2026,
    ...             baseline=100).text()
    "R, T : cible à plus de 300 % du départ ; échéance hors de l'année 2026"
    """
    if all(is_blank(v) for v in (statement, indicator, target, unit, deadline, owner)):
        return SmartResult((), plan_year, blank=True)
    failed: list[str] = []
    if is_blank(statement):
        failed.append("statement_missing")
    if is_blank(indicator):
        failed.append("indicator_missing")
    if not is_blank(statement) and has_vague_verb(statement) and not has_digit(statement):
        failed.append("statement_vague")
    t, b = to_number(target, dates=True), to_number(baseline, dates=True)
    if t is None:
        failed.append("target_not_number")
    if is_blank(unit):
        failed.append("unit_missing")
    if is_blank(owner):
        failed.append("owner_missing")
    if t is not None and b is not None and b != 0:
        change = abs(t - b) / abs(b)
        if change > REALISTIC_CHANGE and not approx_equal(change, REALISTIC_CHANGE):
            failed.append("target_unrealistic")
    date = deadline_date(deadline)
    year = to_number(plan_year, dates=True)
    if date is None:
        failed.append("deadline_missing")
    elif year is None or date.year != year:
        failed.append("deadline_outside")
    return SmartResult(tuple(SmartFailure(RULES_BY_CODE[code].letter, code) for code in failed), plan_year)


def _text_or_blank(result: SmartResult, lang: str) -> str | None:
    return result.text(lang) or None


_GOOD = {"statement": "Grow revenue by 10% within 6 months", "indicator": "Monthly revenue", "target": 110000,
         "unit": "€", "deadline": dt.date(2026, 6, 30), "owner": "Claire Martin", "plan_year": 2026, "baseline": 100000}

#: The SMART check as a function of the plan (see :func:`mplan_xl.core.metrics.catalogue`).
INFO = MetricInfo(
    "smart_check", smart_check, "MPLAN_SMART", "text",
    Label("Contrôle SMART", "SMART check"),
    Label("« OK », ou les lettres en échec et pourquoi : S énoncé et indicateur précis (pas de verbe vague sans "
          "chiffre), M cible chiffrée avec unité, A un responsable, R cible à ±300 % du départ au plus, T échéance "
          "dans l'année du plan.",
          "\"OK\", or the failing letters and why: S precise statement and indicator (no vague verb without a "
          "figure), M numeric target with a unit, A an owner, R target within ±300% of the baseline, T deadline "
          "within the plan year."),
    {"statement": Label("Énoncé de l'objectif", "Objective statement"),
     "indicator": Label("Indicateur suivi", "Indicator tracked"),
     "target": Label("Valeur cible (un nombre)", "Target value (a number)"),
     "unit": Label("Unité de la cible (€, %, clients...)", "Unit of the target (€, %, customers...)"),
     "deadline": Label("Échéance (une date)", "Deadline (a date)"),
     "owner": Label("Responsable", "Owner"),
     "plan_year": Label("Année du plan (ex. mplan_year)", "Plan year (e.g. mplan_year)"),
     "baseline": Label("Valeur de départ (facultatif)", "Baseline, the starting value (optional)")},
    ((_GOOD, "OK"),
     ({**_GOOD, "statement": "Improve brand awareness", "unit": "", "deadline": dt.date(2027, 1, 15)},
      "S, M, T: vague statement with no figure; no unit; deadline outside 2026"),
     ({**_GOOD, "target": 450000, "owner": None}, "A, R: no owner; target more than 300% away from the baseline"),
     ({k: (2026 if k == "plan_year" else None) for k in _GOOD}, None)),
    Label("Objectif encore vide (énoncé, indicateur, cible, unité, échéance et responsable vides) : vide. Cible ou "
          "départ en texte : pas des nombres. Départ vide ou nul : R n'est pas contrôlé. Échéance en texte : pas une "
          "date.",
          "Objective not written yet (statement, indicator, target, unit, deadline and owner blank): blank. Target or "
          "baseline typed as text: not numbers. Blank or zero baseline: R is not checked. Deadline typed as text: not "
          "a date."),
    localised=True, to_cell=_text_or_blank,
)
