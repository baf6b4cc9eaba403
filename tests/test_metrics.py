"""The metrics core and its UDF wrappers: definitions hold, nothing raises, wrappers add nothing."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mplan_xl import metrics, udfs
from mplan_xl.metrics import REGISTRY
from mplan_xl.numbers import parse_localized_number, to_date, to_number

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
anything = st.one_of(st.none(), finite, st.integers(-10**9, 10**9), st.text(max_size=8), st.booleans(),
                     st.just(float("nan")), st.just(float("inf")), st.dates(), st.just(""), st.just(0), st.just(0.0))


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_documented_examples_hold(name):
    info = REGISTRY[name]
    for kwargs, expected in info.examples:
        result = info.function(**kwargs)
        assert result == pytest.approx(expected) if isinstance(expected, float) else result == expected


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(REGISTRY)), st.lists(anything, min_size=4, max_size=4))
def test_no_metric_ever_raises(name, values):
    info = REGISTRY[name]
    result = info.function(*values[: len(info.parameters)])
    assert result is None or isinstance(result, (float, bool, str))


@given(finite, finite)
def test_roi_definition(gain, cost):
    result = metrics.roi(gain, cost)
    if cost == 0:
        assert result is None
    else:
        assert result == pytest.approx((gain - cost) / cost)


@given(st.one_of(st.text(), st.none(), st.booleans(), st.dates()), finite)
def test_text_blank_bool_and_dates_are_missing_like_isnumber(value, other):
    for name, info in REGISTRY.items():
        if name == "kpi_status":
            assert info.function(value) is None
            continue
        assert info.function(value, *[other] * (len(info.parameters) - 1)) is None, name


@given(finite, finite)
def test_variance_and_relative_variance(actual, target):
    assert metrics.variance(actual, target) == pytest.approx(actual - target)
    pct = metrics.variance_pct(actual, target)
    assert pct is None if target == 0 else pct == pytest.approx((actual - target) / abs(target))


@given(st.floats(1, 1e6), st.floats(1, 1e6), st.floats(1, 1e6))
def test_attainment_reaches_one_at_target_whatever_the_direction(baseline, target, other):
    if math.isclose(target, baseline):
        return
    assert metrics.attainment(target, target, "higher", baseline) == pytest.approx(1)
    assert metrics.attainment(target, target, "Plus bas = mieux", baseline) == pytest.approx(1)
    assert metrics.attainment(baseline, target, "lower", baseline) == pytest.approx(0)


@given(st.floats(0.01, 1e6), st.floats(0.01, 1e6))
def test_lower_is_better_without_baseline_rewards_smaller_actuals(actual, target):
    lower = metrics.attainment(actual, target, "lower")
    assert lower == pytest.approx(target / actual)
    assert metrics.favourable(actual, target, "Lower is better") == (actual <= target)


@given(st.floats(-10, 10), st.floats(-10, 10))
def test_kpi_status_is_monotone(a, b):
    order = {"off_track": 0, "at_risk": 1, "on_track": 2}
    low, high = sorted((a, b))
    assert order[metrics.kpi_status(low)] <= order[metrics.kpi_status(high)]


def test_kpi_status_thresholds_are_overridable():
    assert metrics.kpi_status(0.85) == "at_risk"
    assert metrics.kpi_status(0.85, on_track=0.8) == "on_track"
    assert metrics.kpi_status(0.5, at_risk=0.4) == "at_risk"


@pytest.mark.parametrize("text, number", [
    ("1 234,56 €", 1234.56), ("1\u202f234,56", 1234.56), ("12,5 %", 0.125), ("1.234.567", 1234567),
    ("1,234.50", 1234.5), ("-3,5", -3.5), ("EUR 200", 200), ("abc", None), ("", None), ("1,2,3x", None)])
def test_localised_numbers_are_read_for_the_validator(text, number):
    result = parse_localized_number(text)
    assert result == pytest.approx(number) if number is not None else result is None


def test_numbers_and_dates_helpers():
    assert to_number("12") is None and to_number(12) == 12.0 and to_number(True) is None
    assert to_date(46203) == dt.date(2026, 6, 30) and to_date("nope") is None and to_date(0) is None


# --- the UDF wrappers -----------------------------------------------------------------------------

CORE_OF = {info.udf: info.function for info in REGISTRY.values()}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(CORE_OF)), st.lists(anything, min_size=4, max_size=4))
def test_udfs_return_exactly_what_the_core_returns(udf, values):
    core = CORE_OF[udf]
    n = len(REGISTRY[udfs.WRAPS[udf]].parameters)
    expected = core(*values[:n])
    if udf == "MPLAN_KPI_STATUS":
        from mplan_xl.vocabulary import KPI_STATUS
        expected = KPI_STATUS.label(expected, "fr") if expected else None
    assert getattr(udfs, udf)(*values[:n]) == ("" if expected is None else expected)


def test_udfs_accept_ranges_and_keep_their_shape():
    assert udfs.MPLAN_ROI([[150], [90], [None]], [[100], [100], [100]]) == [[0.5], [-0.1], [""]]
    assert udfs.MPLAN_VARIANCE([1, 2, 3], 1) == [[0.0], [1.0], [2.0]]
    assert udfs.MPLAN_KPI_STATUS([[0.95, 0.5]], lang="en") == [["On track", "Off track"]]


def test_smart_udf_is_the_core_check():
    args = ("Improve awareness", "Awareness", 40, "%", dt.date(2027, 5, 1), "", 2027)
    assert udfs.MPLAN_SMART(*args, lang="en") == "S, A: vague statement with no figure; no owner"
    assert udfs.MPLAN_SMART(*args) == "S, A : énoncé vague, sans chiffre ; pas de responsable"


def test_every_udf_is_documented_for_the_function_wizard():
    from mplan_xl.macros import _udf_functions

    functions = _udf_functions()[1]
    assert {f["name"] for f in functions} == set(udfs.WRAPS)
    for f in functions:
        assert "Python function" not in f["ret"]["doc"]
        assert all(not arg["doc"].startswith("Positional argument") for arg in f["args"])
