"""The SMART check on a table of good and bad objectives, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mplan_xl.core import smart
from mplan_xl.core.smart import RULES, SmartFailure, SmartResult, smart_check

Y = 2026
GOOD = dict(statement="Augmenter le chiffre d'affaires de 10 % en 6 mois", indicator="CA mensuel", target=110000,
            unit="€", deadline=dt.date(Y, 6, 30), owner="Claire Martin", plan_year=Y, baseline=100000)

CASES = [
    # changes to GOOD, French text, English text
    ({}, "OK", "OK"),
    ({"baseline": None}, "OK", "OK"),
    ({"statement": "Grow revenue by 10% within 6 months", "indicator": "Monthly revenue"}, "OK", "OK"),
    ({"statement": "Increase the newsletter audience to 5,000 subscribers", "target": 5000, "unit": "subscribers",
      "baseline": 3200}, "OK", "OK"),
    ({"statement": "Lancer la boutique en ligne"}, "OK", "OK"),
    ({"statement": "Réduire le coût d'acquisition à 35 € d'ici juin", "target": 35, "baseline": 45}, "OK", "OK"),
    ({"statement": "Améliorer la notoriété de la marque"}, "S : énoncé vague, sans chiffre", "S: vague statement with no figure"),
    ({"statement": "IMPROVE our brand"}, "S : énoncé vague, sans chiffre", "S: vague statement with no figure"),
    ({"statement": "Développer les ventes en ligne"}, "S : énoncé vague, sans chiffre", "S: vague statement with no figure"),
    ({"statement": "Boost sales"}, "S : énoncé vague, sans chiffre", "S: vague statement with no figure"),
    ({"statement": "Optimiser le référencement pour 2026"}, "OK", "OK"),   # a figure comes with the vague verb
    ({"indicator": "  "}, "S : pas d'indicateur", "S: no indicator"),
    ({"statement": None}, "S : énoncé vide", "S: no statement"),
    ({"target": "beaucoup"}, "M : cible non chiffrée", "M: target is not a number"),
    ({"target": "110 000"}, "M : cible non chiffrée", "M: target is not a number"),
    ({"target": None}, "M : cible non chiffrée", "M: target is not a number"),
    ({"unit": ""}, "M : pas d'unité", "M: no unit"),
    ({"owner": None}, "A : pas de responsable", "A: no owner"),
    ({"target": 450000}, "R : cible à plus de 300 % du départ", "R: target more than 300% away from the baseline"),
    ({"target": 400000}, "OK", "OK"),                                     # exactly +300 %: still realistic
    ({"target": -250000}, "R : cible à plus de 300 % du départ", "R: target more than 300% away from the baseline"),
    ({"baseline": 0, "target": 5000}, "OK", "OK"),                        # no relative change from zero
    ({"baseline": "n/a"}, "OK", "OK"),
    ({"deadline": None}, "T : pas d'échéance", "T: no deadline"),
    ({"deadline": "30/06/2026"}, "T : pas d'échéance", "T: no deadline"),  # text is no date
    ({"deadline": 0}, "T : pas d'échéance", "T: no deadline"),
    ({"deadline": -5}, "T : pas d'échéance", "T: no deadline"),
    ({"deadline": dt.date(Y + 1, 1, 15)}, "T : échéance hors de l'année 2026", "T: deadline outside 2026"),
    ({"deadline": 46203.0}, "OK", "OK"),                                  # an Excel serial number: 2026-06-30
    ({"deadline": dt.datetime(Y, 12, 31, 18, 0)}, "OK", "OK"),
    ({"plan_year": None}, "T : échéance hors de l'année ", "T: deadline outside "),
    ({"unit": None, "deadline": dt.date(Y + 1, 3, 31)},
     "M, T : pas d'unité ; échéance hors de l'année 2026", "M, T: no unit; deadline outside 2026"),
    ({"statement": "Optimiser le SEO", "unit": None, "owner": " ", "deadline": dt.datetime(Y - 1, 12, 31)},
     "S, M, A, T : énoncé vague, sans chiffre ; pas d'unité ; pas de responsable ; échéance hors de l'année 2026",
     "S, M, A, T: vague statement with no figure; no unit; no owner; deadline outside 2026"),
    ({"statement": "", "indicator": None, "target": "x", "unit": "", "owner": "", "deadline": None, "baseline": 1},
     "S, M, A, T : énoncé vide ; pas d'indicateur ; cible non chiffrée ; pas d'unité ; pas de responsable ; pas d'échéance",
     "S, M, A, T: no statement; no indicator; target is not a number; no unit; no owner; no deadline"),
]


@pytest.mark.parametrize("changes, french, english", CASES)
def test_smart_table(changes, french, english):
    result = smart_check(**{**GOOD, **changes})
    assert result.text("fr") == french
    assert result.text() == french
    assert result.text("en") == english
    assert result.ok == (french == "OK")
    assert result.letters == tuple(french.split(" : ")[0].split(", ")) if not result.ok else result.letters == ()


def test_the_example_of_the_brief():
    result = smart_check("Augmenter le chiffre d'affaires de 10 % en 6 mois", "CA mensuel", 110000, "€",
                         dt.date(2026, 6, 30), "Claire Martin", 2026)
    assert result.ok and result.failures == () and result.text("fr") == "OK"


def test_failures_name_letter_and_rule():
    result = smart_check("Améliorer la notoriété", "Notoriété", None, "", dt.date(2027, 3, 1), "", 2026)
    assert result.failures == (SmartFailure("S", "statement_vague"), SmartFailure("M", "target_not_number"),
                               SmartFailure("M", "unit_missing"), SmartFailure("A", "owner_missing"),
                               SmartFailure("T", "deadline_outside"))
    assert result.failures[0].letter == "S" and result.failures[-1].code == "deadline_outside"
    assert result.codes[0] == "statement_vague" and result.letters == ("S", "M", "A", "T")
    assert result.failures[-1].reason("fr", 2026) == "échéance hors de l'année 2026"


def test_an_objective_not_written_yet_has_no_verdict():
    result = smart_check(None, "", None, "  ", None, "", Y)
    assert result.blank and not result.ok and result.text("fr") == "" and result.text("en") == ""
    assert not smart_check(None, "", None, "", None, "", Y, baseline=100).ok   # a baseline alone is not an objective


def test_rules_cover_every_letter_with_both_languages():
    assert {rule.letter for rule in RULES} == set("SMART")
    assert [rule.letter for rule in RULES] == sorted((r.letter for r in RULES), key="SMART".index)
    for rule in RULES:
        assert rule.reason.fr and rule.reason.en and rule.code in smart.__doc__
    assert "améliorer" in smart.VAGUE_VERBS and "improve" in smart.VAGUE_VERBS and smart.REALISTIC_CHANGE == 3


values = st.one_of(st.none(), st.text(max_size=30), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.dates(), st.datetimes(),
                   st.sampled_from(["", " ", "Augmenter le CA", "Improve 5%", "2026-06-30"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(values, min_size=8, max_size=8))
def test_smart_check_never_raises_and_always_answers(row):
    result = smart_check(*row)
    assert isinstance(result, SmartResult)
    for lang in ("fr", "en"):
        text = result.text(lang)
        assert text == "" if result.blank else (text == "OK") == result.ok
