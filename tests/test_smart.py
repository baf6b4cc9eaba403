"""The SMART check on a table of good and bad objectives, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest

from mplan_xl.smart import smart_check

Y = 2027
GOOD = dict(statement="Augmenter le chiffre d'affaires de 10 % en 6 mois", indicator="CA mensuel", target=110000,
            unit="€", deadline=dt.date(Y, 6, 30), owner="Claire Martin", plan_year=Y, baseline=100000)

CASES = [
    ({}, "OK", "OK"),
    ({"statement": "Grow revenue by 10% within 6 months", "indicator": "Monthly revenue"}, "OK", "OK"),
    ({"statement": "Lancer la boutique en ligne"}, "OK", "OK"),
    ({"statement": "Améliorer la notoriété de la marque"}, "S : énoncé vague, sans chiffre", "S: vague statement with no figure"),
    ({"statement": "IMPROVE our brand"}, "S : énoncé vague, sans chiffre", "S: vague statement with no figure"),
    ({"indicator": "  "}, "S : pas d'indicateur", "S: no indicator"),
    ({"statement": None}, "S : énoncé vide", "S: no statement"),
    ({"target": "beaucoup"}, "M : cible non chiffrée", "M: target is not a number"),
    ({"target": "110 000"}, "M : cible non chiffrée", "M: target is not a number"),
    ({"unit": ""}, "M : pas d'unité", "M: no unit"),
    ({"owner": None}, "A : pas de responsable", "A: no owner"),
    ({"target": 450000}, "R : cible à plus de 300 % du départ", "R: target more than 300% away from the baseline"),
    ({"baseline": 0, "target": 5000}, "OK", "OK"),
    ({"deadline": None}, "T : pas d'échéance", "T: no deadline"),
    ({"deadline": dt.date(Y + 1, 1, 15)}, "T : échéance hors de l'année 2027", "T: deadline outside 2027"),
    ({"deadline": 46568.0}, "OK", "OK"),  # an Excel serial number within 2027
    ({"statement": "Optimiser le SEO", "unit": None, "owner": " ", "deadline": dt.datetime(Y - 1, 12, 31)},
     "S, M, A, T : énoncé vague, sans chiffre ; pas d'unité ; pas de responsable ; échéance hors de l'année 2027",
     "S, M, A, T: vague statement with no figure; no unit; no owner; deadline outside 2027"),
]


@pytest.mark.parametrize("changes, french, english", CASES)
def test_smart_table(changes, french, english):
    result = smart_check(**{**GOOD, **changes})
    assert result.text("fr") == french
    assert result.text("en") == english
    assert result.ok == (french == "OK")


def test_an_objective_not_written_yet_has_no_verdict():
    result = smart_check(None, "", None, "", None, "", Y)
    assert result.blank and not result.ok and result.text("fr") == ""
