"""The MPLAN_ worksheet functions add nothing to the core: same answers, blank for None, ranges, never an exception."""

from __future__ import annotations

import datetime as dt
import inspect

from hypothesis import given, settings
from hypothesis import strategies as st

from mplan_xl import __version__
from mplan_xl.excel import udfs
from mplan_xl.core.metrics import catalogue
from mplan_xl.core.vocabulary import KPI_STATUS

FUNCTIONS = catalogue()
UDFS = {info.udf: name for name, info in FUNCTIONS.items()}

value = st.one_of(st.none(), st.just(""), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
                  st.just(0), st.text(max_size=12), st.booleans(), st.dates(), st.datetimes(),
                  st.sampled_from(["lower", "Plus bas = mieux", "Higher is better", "1 234,56", "12", "OK"]))


def expected_cell(name: str, args: list, lang: str = "fr"):
    info = FUNCTIONS[name]
    result = info.cell(dict(zip(info.parameters, args)), lang)
    return "" if result is None else result


def test_every_function_of_the_catalogue_has_its_udf_with_the_same_parameters():
    assert set(UDFS) == set(udfs.WRAPS) and set(UDFS) | {"MPLAN_VERSION"} == {
        n for n in dir(udfs) if n.startswith("MPLAN_")}
    for udf, name in UDFS.items():
        info = FUNCTIONS[name]
        wrapper = inspect.signature(getattr(udfs, udf)).parameters
        core = inspect.signature(info.function).parameters
        assert tuple(wrapper) == info.parameters + (("lang",) if info.localised else ()), udf
        for p in info.parameters:        # same defaults: an omitted argument means the same in Excel and Python
            assert wrapper[p].default == core[p].default, (udf, p)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(sorted(UDFS)), st.lists(value, min_size=8, max_size=8), st.sampled_from(["fr", "en"]))
def test_udfs_return_exactly_what_the_core_returns(udf, values, lang):
    name = UDFS[udf]
    info = FUNCTIONS[name]
    args = values[: len(info.parameters)]
    kwargs = {"lang": lang} if info.localised else {}
    result = getattr(udfs, udf)(*args, **kwargs)
    expected = expected_cell(name, args, lang if info.localised else "fr")
    assert result == expected and type(result) is type(expected)


def test_none_is_a_blank_cell_and_text_results_are_labels():
    assert udfs.MPLAN_ROI(100, 0) == "" and udfs.MPLAN_ROI(None, 100) == ""
    assert udfs.MPLAN_KPI_STATUS(0.95) == KPI_STATUS.label("on_track", "fr") == "En bonne voie"
    assert udfs.MPLAN_KPI_STATUS(0.8, 0.9, 0.7, "en") == "At risk"
    assert udfs.MPLAN_KPI_STATUS(0.85, "", "", "EN") == "At risk"         # "" thresholds: the defaults
    assert udfs.MPLAN_KPI_STATUS(None) == ""
    assert udfs.MPLAN_FAVOURABLE(45, 50, "Plus bas = mieux") is True
    assert udfs.MPLAN_ATTAINMENT(40, 35, "lower", 45) == 0.5
    assert udfs.MPLAN_VERSION() == __version__


def test_smart_udf_is_the_core_check():
    args = ("Improve awareness", "Awareness", 40, "%", dt.date(2027, 5, 1), "", 2027)
    assert udfs.MPLAN_SMART(*args, lang="en") == "S, A: vague statement with no figure; no owner"
    assert udfs.MPLAN_SMART(*args) == "S, A : énoncé vague, sans chiffre ; pas de responsable"
    good = ("Augmenter le chiffre d'affaires de 10 % en 6 mois", "CA mensuel", 110000, "€", dt.datetime(2026, 6, 30),
            "Claire Martin", 2026, 100000, "fr")
    assert udfs.MPLAN_SMART(*good) == "OK"
    assert udfs.MPLAN_SMART(None, None, None, None, None, None, 2026) == ""


def test_ranges_keep_their_shape():
    # a column (xlwings passes ranges as lists of rows with ndim=2)
    assert udfs.MPLAN_ROI([[150], [90], [None]], [[100], [100], [100]]) == [[0.5], [-0.1], [""]]
    # a row stays a row
    assert udfs.MPLAN_VARIANCE([[1, 2, 3]], [[1, 1, 1]]) == [[0.0, 1.0, 2.0]]
    # a block
    assert udfs.MPLAN_AVERAGE_BASKET([[100, 200], [300, 0]], [[10, 20], [0, 5]]) == [[10.0, 10.0], ["", 0.0]]
    # a flat list is a column
    assert udfs.MPLAN_VARIANCE([1, 2, 3], 1) == [[0.0], [1.0], [2.0]]
    # a single cell given as a 1x1 block is a single value
    assert udfs.MPLAN_ROI([[150]], [[100]]) == 0.5


def test_single_values_rows_and_columns_repeat_across_a_block():
    assert udfs.MPLAN_KPI_STATUS([[0.95, 0.5]], lang="en") == [["On track", "Off track"]]
    assert udfs.MPLAN_KPI_STATUS([[0.95], [0.75], [0.1]], [[0.8]], [[0.7]], "en") == [["On track"], ["At risk"], ["Off track"]]
    assert udfs.MPLAN_VARIANCE([[1, 2], [3, 4]], [[1, 2]]) == [[0.0, 0.0], [2.0, 2.0]]
    assert udfs.MPLAN_VARIANCE([[1, 2], [3, 4]], [[1], [3]]) == [[0.0, 1.0], [0.0, 1.0]]
    assert udfs.MPLAN_ATTAINMENT([[105], [110]], 110, "higher", 100) == [[0.5], [1.0]]
    smart = udfs.MPLAN_SMART([["Lancer le site"], ["Améliorer la marque"]], "Visites", 5000, "visites",
                             dt.date(2027, 3, 1), "Léa", [[2027]], None, "fr")
    assert smart == [["OK"], ["S : énoncé vague, sans chiffre"]]


def test_ranges_of_unequal_sizes_give_blanks_not_errors():
    assert udfs.MPLAN_VARIANCE([[1], [2], [3]], [[1], [1]]) == [[0.0], [1.0], [""]]
    assert udfs.MPLAN_ROI([], 100) == ""


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(UDFS)),
       st.lists(st.one_of(value, st.lists(st.lists(value, min_size=1, max_size=3), min_size=1, max_size=3)),
                min_size=8, max_size=8))
def test_no_exception_ever_reaches_excel(udf, values):
    name = UDFS[udf]
    n = len(FUNCTIONS[name].parameters)
    result = getattr(udfs, udf)(*values[:n])
    cells = [c for row in result for c in row] if isinstance(result, list) else [result]
    assert all(c == "" or isinstance(c, (float, bool, str)) for c in cells)


def test_the_core_raising_is_answered_with_a_blank(monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")
    assert udfs.apply(broken, 1, 2) == ""
    assert udfs.apply(broken, [[1], [2]], 2) == [[""], [""]]
    monkeypatch.setattr(udfs, "_call", lambda name, lang="fr": broken)
    assert udfs.MPLAN_ROI(1, 2) == "" and udfs.MPLAN_SMART(*[None] * 7) == ""


def test_wizard_help_comes_from_the_registry_in_both_languages():
    for udf, name in UDFS.items():
        info = FUNCTIONS[name]
        for lang in ("fr", "en"):
            description, helps = udfs.wizard_help(udf, lang)
            assert description == udfs.wizard_text(info.definition(lang)) and len(description) <= 255
            assert helps[: len(info.parameters)] == [udfs.wizard_text(info.arguments[p](lang)) for p in info.parameters]
            assert len(helps) == len(info.parameters) + info.localised and all(len(h) <= 255 for h in helps)
    assert udfs.wizard_help("MPLAN_VERSION", "en") == (udfs.VERSION_HELP.en, [])


def test_xlwings_sees_documented_functions_and_arguments():
    from mplan_xl.excel.macros import _udf_functions

    functions = {f["name"]: f for f in _udf_functions()[1]}
    assert set(functions) == set(UDFS) | {"MPLAN_VERSION"}
    for name, f in functions.items():
        assert f["category"] == udfs.CATEGORY and "Python function" not in f["ret"]["doc"]
        assert len(f["ret"]["doc"]) <= 255
        for arg in f["args"]:
            assert not arg["doc"].startswith("Positional argument") and len(arg["doc"]) <= 255, (name, arg["name"])
            # every data argument takes a range as a block, so a row stays a row
            assert arg["options"].get("ndim") == (None if arg["name"] == "lang" else 2), (name, arg["name"])


def test_the_name_the_workbooks_call_gives_every_udf():
    """Workbooks already sent call ``XLPy.CallUDF("mplan_xl.udfs", "MPLAN_...")``: that module still answers."""
    import importlib

    compat = importlib.import_module("mplan_xl.udfs")           # what xlwings imports, by the name the VBA gives
    for name in [*udfs.WRAPS, "MPLAN_VERSION"]:
        assert getattr(compat, name) is getattr(udfs, name)
    assert compat.MPLAN_ROI(3, 2) == 0.5
