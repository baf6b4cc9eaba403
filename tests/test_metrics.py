"""The metrics core and its number readers: definitions hold, nothing raises, the registry and its docs agree."""

from __future__ import annotations

import datetime as dt
import inspect
import math
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mplan_xl.core import metrics
from mplan_xl.core.metrics import REGISTRY, catalogue
from mplan_xl.core.numbers import (approx_equal, date_to_serial, parse_localized_number, read_number, serial_to_date,
                              to_date, to_number)
from mplan_xl.core.vocabulary import DIRECTION, KPI_STATUS

DOCS = Path(__file__).resolve().parents[1] / "docs"

wide = st.floats(allow_nan=False, allow_infinity=False)                     # the whole float range, subnormals too
business = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
missing = st.one_of(st.none(), st.just(""), st.just("   "), st.text(max_size=10), st.booleans(),
                    st.sampled_from(["12", "1 234,56", "12,5 %", "1\u202f234,56 €", "n/a"]))
anything = st.one_of(missing, wide, business, st.integers(-10**30, 10**30), st.just(0), st.just(0.0), st.just(-0.0),
                     st.just(float("nan")), st.just(float("inf")), st.just(float("-inf")), st.dates(),
                     st.datetimes(), st.sampled_from(list(DIRECTION.codes) + DIRECTION.labels("fr") + DIRECTION.labels("en")),
                     st.lists(st.integers(), max_size=2), st.just(object()))
directions = st.sampled_from(["higher", "lower", "Plus bas = mieux", "Plus haut = mieux", "Lower is better",
                              "LOWER IS BETTER", "Higher is better", None, "", "autre"])


def is_lower(direction) -> bool:
    return DIRECTION.code_of(direction) == "lower"


def finite(value):
    """What the metrics answer for a computed value: itself, or None when it overflows a float."""
    return value if value is None or math.isfinite(value) else None


# --- registry ---------------------------------------------------------------------------------------

def test_registry_describes_every_metric_with_its_contract():
    expected = {"roi": ("gain", "cost"), "variance": ("actual", "target"), "variance_pct": ("actual", "target"),
                "favourable": ("actual", "target", "direction"), "attainment": ("actual", "target", "direction", "baseline"),
                "achievement_rate": ("result", "target"),
                "kpi_status": ("attainment", "on_track", "at_risk"), "acquisition_cost": ("spend", "new_customers"),
                "average_basket": ("revenue", "orders"), "conversion_rate": ("conversions", "visitors"),
                "cart_abandonment_rate": ("orders", "carts"),
                "landing": ("actual_to_date", "committed", "planned", "planned_to_date", "reforecast")}
    assert {name: info.parameters for name, info in REGISTRY.items()} == expected
    for name, info in catalogue().items():
        assert info.function.__doc__ and ">>>" in info.function.__doc__, name
        assert info.result in metrics.RESULT_KINDS and info.udf.startswith("MPLAN_")
        assert info.title.fr and info.title.en and info.definition.fr and info.definition.en
        assert info.edge_cases.fr and info.edge_cases.en and len(info.examples) >= 1
        assert set(info.arguments) == set(info.parameters)
    assert list(catalogue())[-1] == "smart_check" and catalogue()["kpi_status"].localised


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_documented_examples_hold(name):
    info = catalogue()[name]
    for kwargs, expected in info.examples:
        result = info.cell(kwargs, "en")
        if isinstance(expected, float):
            assert result == pytest.approx(expected, rel=1e-12), kwargs
        else:
            assert result == expected and type(result) is type(expected), kwargs


def test_each_metric_documents_what_zero_and_blank_give():
    dividing = {"roi", "variance_pct", "attainment", "acquisition_cost", "average_basket", "conversion_rate",
                "cart_abandonment_rate"}
    for name, info in REGISTRY.items():
        text = info.edge_cases.en.lower() + " " + (info.function.__doc__ or "").lower()
        assert "blank" in text, name
        if name in dividing:
            assert "zero" in text or "(0)" in text, name


# --- never raises, and None for anything missing ---------------------------------------------------

@settings(max_examples=600, deadline=None)
@given(st.sampled_from(sorted(catalogue())), st.lists(anything, min_size=8, max_size=8))
def test_no_function_ever_raises(name, values):
    info = catalogue()[name]
    args = values[: len(info.parameters)]
    for lang in ("fr", "en"):
        result = info.cell(dict(zip(info.parameters, args)), lang)
        assert result is None or isinstance(result, (float, bool, str))
        if isinstance(result, float):
            assert math.isfinite(result)


#: Amounts of a budget line, where a blank cell means nothing (nothing committed yet): blanks count as zero.
BLANK_AS_ZERO = {"landing"}


@given(st.sampled_from(sorted(set(REGISTRY) - BLANK_AS_ZERO)), missing, business)
def test_a_missing_input_gives_none(name, blank, other):
    info = REGISTRY[name]
    required = info.required
    for position in range(len(required)):
        args = [other] * len(required)
        args[position] = blank
        assert info.function(*args) is None, (name, position)


@given(st.sampled_from(sorted(REGISTRY)), st.dates(min_value=dt.date(1900, 3, 1)), business)
def test_a_date_counts_as_its_serial_number_like_in_a_cell(name, day, other):
    info = REGISTRY[name]
    n = len(info.required)
    serial = date_to_serial(day)
    assert info.function(day, *[other] * (n - 1)) == info.function(serial, *[other] * (n - 1))


# --- definitions ------------------------------------------------------------------------------------

@given(wide, wide)
def test_roi_definition(gain, cost):
    result = metrics.roi(gain, cost)
    if cost == 0:
        assert result is None
        return
    exact = (gain - cost) / cost
    assert result == (exact if math.isfinite(exact) else None)


def test_roi_answers_for_zero_and_negative_costs():
    assert metrics.roi(5000, 0) is None and metrics.roi(0, 0) is None
    assert metrics.roi(0, 1000) == -1.0                  # everything spent was lost
    assert metrics.roi(-500, 1000) == -1.5
    assert metrics.roi(1500, -1000) == -2.5              # computed as written


@given(wide, wide)
def test_variance_definitions(actual, target):
    exact = actual - target
    assert metrics.variance(actual, target) == (exact if math.isfinite(exact) else None)
    pct = metrics.variance_pct(actual, target)
    if target == 0:
        assert pct is None
    else:
        relative = (actual - target) / abs(target)
        assert pct == (relative if math.isfinite(relative) else None)


@given(business, business)
def test_variance_pct_keeps_the_sign_of_above_target(actual, target):
    assume(abs(target) > 1e-6 and not approx_equal(actual, target))
    pct = metrics.variance_pct(actual, target)
    assert (pct > 0) == (actual > target)


@given(business, business, directions)
def test_favourable_definition(actual, target, direction):
    result = metrics.favourable(actual, target, direction)
    if approx_equal(actual, target):
        assert result is True
    else:
        assert result == (actual < target if is_lower(direction) else actual > target)


@given(business, business, directions, st.one_of(st.none(), business, st.just("n/a")))
def test_attainment_definition(actual, target, direction, baseline):
    result = metrics.attainment(actual, target, direction, baseline)
    if isinstance(baseline, float) and not approx_equal(target, baseline):
        expected = (actual - baseline) / (target - baseline)
    elif is_lower(direction):
        expected = None if actual == 0 else target / actual
    else:
        expected = None if target == 0 else actual / target
    assert result == finite(expected)


@given(st.floats(1, 1e6), st.floats(1, 1e6))
def test_attainment_is_one_at_target_and_zero_at_baseline_whatever_the_direction(baseline, target):
    assume(not math.isclose(target, baseline))
    for direction in ("higher", "Plus bas = mieux", "lower"):
        assert metrics.attainment(target, target, direction, baseline) == pytest.approx(1)
        assert metrics.attainment(baseline, target, direction, baseline) == 0


@given(st.floats(0.01, 1e6), st.floats(0.01, 1e6))
def test_lower_is_better_without_baseline_rewards_smaller_actuals(actual, target):
    assert metrics.attainment(actual, target, "lower") == target / actual
    assert metrics.attainment(actual, target, "Lower is better", baseline="") == target / actual
    assert metrics.attainment(actual, target) == actual / target


def test_lower_is_better_with_a_baseline():
    # Acquisition cost from 45 € to a target of 35 €: reaching 40 € is half the way.
    assert metrics.attainment(40, 35, "lower", 45) == 0.5
    assert metrics.attainment(30, 35, "Plus bas = mieux", 45) == 1.5
    assert metrics.attainment(50, 35, "lower", 45) == -0.5
    assert metrics.attainment(40, 40, "lower", 40) == 1.0            # baseline equal to target: target / actual


@given(wide, st.floats(-10, 10), st.floats(-10, 10))
def test_kpi_status_definition(value, on, risk):
    status = metrics.kpi_status(value, on, risk)
    if value >= on or approx_equal(value, on):
        assert status == "on_track"
    elif value >= risk or approx_equal(value, risk):
        assert status == "at_risk"
    else:
        assert status == "off_track"
    assert status in KPI_STATUS.codes


@given(st.floats(-10, 10), st.floats(-10, 10))
def test_kpi_status_is_monotone(a, b):
    order = {"off_track": 0, "at_risk": 1, "on_track": 2}
    low, high = sorted((a, b))
    assert order[metrics.kpi_status(low)] <= order[metrics.kpi_status(high)]


def test_kpi_status_thresholds_are_overridable_and_fall_back_to_defaults():
    assert metrics.kpi_status(0.85) == "at_risk"
    assert metrics.kpi_status(0.85, on_track=0.8) == "on_track"
    assert metrics.kpi_status(0.5, at_risk=0.4) == "at_risk"
    assert metrics.kpi_status(0.85, on_track="", at_risk=None) == "at_risk"
    assert metrics.kpi_status(0.95, on_track="n/a") == "on_track"


def test_thresholds_are_compared_as_a_spreadsheet_does():
    attainment = metrics.attainment(1.9, 2, baseline=1)       # 0.8999999999999999 in floating point
    assert attainment != 0.9 and approx_equal(attainment, 0.9)
    assert metrics.kpi_status(attainment) == "on_track"       # Excel and LibreOffice say so too
    assert metrics.kpi_status(0.8999999) == "at_risk"
    assert metrics.favourable(1.9 - 1, 0.9, "lower") and metrics.favourable(1.9 - 1, 0.9)


@given(st.sampled_from(["acquisition_cost", "average_basket", "conversion_rate"]), wide, wide)
def test_ratios(name, numerator, denominator):
    result = getattr(metrics, name)(numerator, denominator)
    if denominator == 0:
        assert result is None
    else:
        exact = numerator / denominator
        assert result == (exact if math.isfinite(exact) else None)


@given(business, business)
def test_cart_abandonment_rate(orders, carts):
    result = metrics.cart_abandonment_rate(orders, carts)
    assert result == (None if carts == 0 or finite(orders / carts) is None else 1 - orders / carts)


def test_direction_codes_and_labels_in_both_languages():
    for text in ("lower", "Lower is better", "Plus bas = mieux", "plus bas = mieux", " LOWER "):
        assert metrics.direction_code(text) == "lower"
    for text in ("higher", "Higher is better", "Plus haut = mieux", "", None, "autre", 3):
        assert metrics.direction_code(text) == "higher"


# --- numbers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, number", [
    ("1234.5", 1234.5), ("1 234,56", 1234.56), ("1 234,56 €", 1234.56), ("1\u00a0234,56", 1234.56),
    ("1\u202f234,56", 1234.56), ("12,5 %", 0.125), ("12 %", 0.12), ("1.234.567", 1234567), ("1,234.50", 1234.5),
    ("1.234,5", 1234.5), ("-3,5", -3.5), ("\u22123,5", -3.5), ("EUR 200", 200), ("$1,200.00", 1200), ("+7", 7),
    (" 42 ", 42), ("1'234.5", 1234.5), (".5", 0.5),
    ("abc", None), ("", None), ("   ", None), ("%", None), ("€", None), ("1,2,3x", None), ("12-3", None),
    ("1e5", None), ("nan", None), ("inf", None)])
def test_localised_numbers_are_read(text, number):
    result = parse_localized_number(text)
    assert result == pytest.approx(number) if number is not None else result is None
    assert read_number(text) == result


@given(st.text(max_size=20))
def test_parse_localized_number_never_raises(text):
    result = parse_localized_number(text)
    assert result is None or math.isfinite(result)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_french_and_english_notations_round_trip(value):
    english = f"{value:,.2f}"
    french = english.replace(",", "\u202f").replace(".", ",")
    assert parse_localized_number(english) == pytest.approx(float(value))
    assert parse_localized_number(french + " €") == pytest.approx(float(value))


def test_to_number_is_isnumber():
    assert to_number(12) == 12.0 and isinstance(to_number(12), float) and to_number(2.5) == 2.5
    for value in ("12", "1 234,56", None, "", True, False, float("nan"), float("inf"), [1], 10**400):
        assert to_number(value) is None, value
    assert to_number(dt.date(2026, 6, 30)) is None and to_number(dt.date(2026, 6, 30), dates=True) == 46203
    assert read_number(12) == 12.0 and read_number("1 500 €") == 1500 and read_number(True) is None


@pytest.mark.parametrize("value, expected", [
    (46203, dt.date(2026, 6, 30)), (46203.99, dt.date(2026, 6, 30)), ("2026-06-30", dt.date(2026, 6, 30)),
    ("2026-06-30T10:00:00", dt.date(2026, 6, 30)), (dt.datetime(2026, 6, 30, 23, 59), dt.date(2026, 6, 30)),
    (dt.date(2026, 6, 30), dt.date(2026, 6, 30)), (1, dt.date(1900, 1, 1)), (59, dt.date(1900, 2, 28)),
    (61, dt.date(1900, 3, 1)), (2958465, dt.date(9999, 12, 31)),
    (0, None), (-3, None), (2958466, None), ("30/06/2026", None), ("nope", None), (None, None), (True, None)])
def test_to_date(value, expected):
    assert to_date(value) == expected


@given(st.dates(min_value=dt.date(1900, 3, 1)))
def test_serial_numbers_round_trip(day):
    assert serial_to_date(date_to_serial(day)) == day


# --- the generated reference ------------------------------------------------------------------------

def test_functions_doc_is_up_to_date():
    from mplan_xl.workbook.functions_doc import functions_md

    assert (DOCS / "functions.md").read_text(encoding="utf-8") == functions_md(), \
        "docs/functions.md drifted; regenerate with: python -m mplan_xl.workbook.functions_doc"


def test_functions_doc_covers_every_function_and_edge_case():
    text = (DOCS / "functions.md").read_text(encoding="utf-8")
    for info in catalogue().values():
        assert f"`{info.udf}(" in text and info.edge_cases.en in text
        signature = ", ".join(inspect.signature(info.function).parameters)
        assert signature.split(",")[0] in text
    for word in ("Lower is better", "Zero cost", "blank", "text", "MPLAN_VERSION"):
        assert word in text


# --- landing -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("actual, committed, planned, to_date, reforecast, expected", [
    (6000, 6000, 12000, 6000, None, 12000.0),     # spent as planned: lands on the plan
    (6000, 12000, 12000, 6000, None, 12000.0),    # a yearly order: the open commitment is the months left, once
    (4000, 4000, 12000, 6000, None, 10000.0),     # behind the phasing: what was not spent is not caught up
    (600, 600, 600, 300, None, 600.0),            # a licence paid in January uses up the months to come
    (6000, 15000, 12000, 6000, None, 15000.0),    # an order above the plan raises the landing
    (13000, 13000, 12000, 6000, None, 13000.0),   # spent beyond the plan
    (6000, 6000, 12000, 6000, 9000, 9000.0),      # the team's re-forecast wins
    (6000, 6000, 12000, 6000, 0, 0.0),            # even a zero one: the line is dropped
    (None, None, 12000, 6000, None, 6000.0),      # nothing spent nor committed: the months left
    (None, None, None, None, None, None),         # an empty line
    ("n/a", "", None, None, "", None),            # text counts as nothing, as ISNUMBER sees it
])
def test_landing_definition(actual, committed, planned, to_date, reforecast, expected):
    assert metrics.landing(actual, committed, planned, to_date, reforecast) == expected


@given(business, business, business, business)
def test_landing_never_below_what_is_spent_or_committed(actual, committed, planned, to_date):
    result = metrics.landing(actual, committed, planned, to_date)
    assert result is None or result >= max(actual, committed) - 1e-6 * max(1.0, abs(actual), abs(committed))
