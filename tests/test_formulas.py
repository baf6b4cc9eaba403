"""Formula rendering, and native formulas that agree with the core: one workbook of hundreds of random rows,
recalculated by one LibreOffice run, compared cell by cell with Python."""

from __future__ import annotations

import datetime as dt
import math
import random
import re

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from mplan_xl.core import formulas
from mplan_xl.excel import libreoffice
from mplan_xl.core.formulas import FUNCTIONS, render
from mplan_xl.core.metrics import catalogue
from mplan_xl.core.vocabulary import DIRECTION, KPI_STATUS

from conftest import needs_libreoffice

#: Functions a native formula may use: all in Excel 2010 and LibreOffice.
PORTABLE = {"IF", "AND", "OR", "NOT", "ISNUMBER", "ABS", "LEN", "TRIM", "SUMPRODUCT", "SEARCH", "FIND", "MID", "YEAR", "MAX"}
CALL = re.compile(r'"(?:[^"]|"")*"|([A-Z][A-Z0-9._]*)\(')


def placeholder_args(name: str) -> dict[str, str]:
    return {p: f"{chr(65 + i)}2" for i, p in enumerate(FUNCTIONS[name].parameters)}


def functions_called(formula: str) -> set[str]:
    return {m.group(1) for m in CALL.finditer(formula) if m.group(1)}


def depth(formula: str) -> int:
    level = deepest = 0
    for m in re.finditer(r'"(?:[^"]|"")*"|[()]', formula):
        if m.group(0) == "(":
            level += 1
            deepest = max(deepest, level)
        elif m.group(0) == ")":
            level -= 1
    return deepest


# --- rendering --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_native_formulas_use_portable_functions_only(name, lang):
    formula = render(name, "native", placeholder_args(name), lang)
    assert not formula.startswith("=")
    assert functions_called(formula) <= PORTABLE, functions_called(formula) - PORTABLE
    assert formula.count("(") == formula.count(")")


def test_native_formulas_fit_excel_limits_with_long_structured_references():
    """8192 characters and 64 nesting levels, with the longest headers a plan has."""
    for name in FUNCTIONS:
        args = {p: f"tblObjectives[[#This Row],[Valeur de départ de l'indicateur {p}]]" for p in FUNCTIONS[name].parameters}
        for lang in ("fr", "en"):
            formula = render(name, "native", args, lang)
            assert len(formula) < 8192 and depth(formula) <= 64, (name, len(formula), depth(formula))


def test_xlwings_formulas_call_the_udfs_with_the_language_where_the_result_is_text():
    assert render("roi", "xlwings", {"gain": "A2", "cost": "B2"}) == "MPLAN_ROI(A2,B2)"
    assert render("kpi_status", "xlwings", {"attainment": "K5", "on_track": "mplan_on_track", "at_risk": "mplan_at_risk"},
                  "en") == 'MPLAN_KPI_STATUS(K5,mplan_on_track,mplan_at_risk,"en")'
    assert render("kpi_status", "xlwings", {"attainment": "K5"}) == 'MPLAN_KPI_STATUS(K5,"","","fr")'
    assert render("attainment", "xlwings", {"actual": "A2", "target": "B2"}) == "MPLAN_ATTAINMENT(A2,B2)"
    assert render("attainment", "xlwings", {"actual": "A2", "target": "B2", "baseline": "D2"}) == \
        'MPLAN_ATTAINMENT(A2,B2,"",D2)'
    smart_args = {p: p.upper() for p in FUNCTIONS["smart_check"].parameters} | {"plan_year": "mplan_year"}
    assert render("smart_check", "xlwings", smart_args, "fr") == \
        'MPLAN_SMART(STATEMENT,INDICATOR,TARGET,UNIT,DEADLINE,OWNER,mplan_year,BASELINE,"fr")'
    for name, info in FUNCTIONS.items():
        formula = render(name, "xlwings", placeholder_args(name), "en")
        assert formula.startswith(info.udf + "(") and formula.endswith('"en")' if info.localised else ")")


def test_text_results_are_the_labels_of_the_language():
    for lang in ("fr", "en"):
        formula = render("kpi_status", "native", {"attainment": "A2"}, lang)
        assert all(f'"{KPI_STATUS.label(code, lang)}"' in formula for code in KPI_STATUS.codes)
        assert '"lower"' in render("favourable", "native", {"actual": "A2", "target": "B2", "direction": "C2"}, lang)
    assert "échéance hors de l'année " in render("smart_check", "native", placeholder_args("smart_check"), "fr")
    assert "deadline outside " in render("smart_check", "native", placeholder_args("smart_check"), "en")


def test_compound_expressions_are_parenthesised():
    assert render("roi", "native", {"gain": "A2*2", "cost": "B2+C2"}) == \
        'IF(AND(ISNUMBER((A2*2)),ISNUMBER((B2+C2))),IF((B2+C2)=0,"",((A2*2)-(B2+C2))/(B2+C2)),"")'
    ref = "tblActions[[#This Row],[Gain attendu]]"
    assert render("variance", "native", {"actual": ref, "target": "mplan_year"}) == \
        f'IF(AND(ISNUMBER({ref}),ISNUMBER(mplan_year)),{ref}-mplan_year,"")'


@pytest.mark.parametrize("call, message", [
    (("nope", "native", {}), "unknown metric"),
    (("roi", "python", {"gain": "A2", "cost": "B2"}), "unknown runtime"),
    (("roi", "native", {"gain": "A2"}), "missing argument(s) cost"),
    (("roi", "native", {"gain": "A2", "cost": "B2", "costs": "C2"}), "unknown argument(s) costs"),
    (("smart_check", "xlwings", {"statement": "A2"}), "missing argument(s) indicator"),
])
def test_render_refuses_what_it_cannot_render(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        render(*call)


def test_parameters_and_udf_names_come_from_the_registry():
    assert formulas.parameters("smart_check") == formulas.SMART_PARAMETERS == (
        "statement", "indicator", "target", "unit", "deadline", "owner", "plan_year", "baseline")
    assert formulas.udf_name("cart_abandonment_rate") == "MPLAN_CART_ABANDONMENT"
    assert formulas.LOCALISED == {"kpi_status", "smart_check"} and set(FUNCTIONS) == set(catalogue())


# --- LibreOffice agrees with Python -----------------------------------------------------------------

ROWS = 300
YEAR = 2027
ON_TRACK, AT_RISK = 0.8, 0.6          # the workbook's own thresholds, in defined names


def number(rng: random.Random):
    return rng.choice([
        None, None, 0, 0.0, -1.5, 1, 100, 1000, -250, rng.randint(-50, 50), rng.uniform(-1e6, 1e6),
        rng.uniform(0, 1000), rng.uniform(0, 2), rng.uniform(1e-9, 1e-6), rng.uniform(1e9, 1e12),
        round(rng.uniform(-100, 100), 2), "texte", "12", "1 234,56", "", " ",
        dt.date(YEAR, rng.randint(1, 12), rng.randint(1, 28))])
    # No TRUE/FALSE: LibreOffice stores them as the numbers 1/0 (ISNUMBER(TRUE) is TRUE there, FALSE in Excel,
    # whose answer Python gives); test_udfs checks booleans against the core.


def direction(rng: random.Random):
    return rng.choice(["higher", "lower", "LOWER", " lower ", DIRECTION.label("lower", "fr"), "plus bas = mieux",
                       DIRECTION.label("higher", "fr"), DIRECTION.label("lower", "en"), DIRECTION.label("higher", "en"),
                       None, "", "autre", 3])


def threshold(rng: random.Random):
    return rng.choice([None, 0.9, 0.7, 0.5, 1, 0.95, rng.uniform(0, 1.2), "n/a", ""])


STATEMENTS = ["Augmenter le CA de 10 % en 6 mois", "Améliorer la notoriété", "AMÉLIORER la notoriété",
              "Improve awareness", "Grow revenue by 5%", "Lancer la boutique", "Launch the online shop", "", None,
              "   ", "OPTIMISER le SEO", "optimize SEO", "Win 200 accounts", "Renforcer la fidélité", 2027, 12.5,
              "Développer l'export", "boost sales in Q3", "Strengthen the brand"]


def smart_row(rng: random.Random) -> dict:
    if rng.random() < 0.06:
        return {p: None for p in formulas.SMART_PARAMETERS} | {"plan_year": "mplan_year"}
    if rng.random() < 0.2:
        return {"statement": "Augmenter le chiffre d'affaires de 10 % en 6 mois", "indicator": "CA mensuel",
                "target": 110000, "unit": "€", "deadline": dt.date(YEAR, 6, 30), "owner": "Claire Martin",
                "plan_year": "mplan_year", "baseline": 100000}
    return {"statement": rng.choice(STATEMENTS), "indicator": rng.choice(["CA", "", None, "  ", "Visits", 7]),
            "target": rng.choice([110000, 0, None, "beaucoup", "110 000", 450000, 400000, 12.5, -300, 0.4]),
            "unit": rng.choice(["€", "", None, "%", " "]),
            "deadline": rng.choice([dt.date(YEAR, 6, 30), dt.date(YEAR, 12, 31), dt.date(YEAR + 1, 1, 2), None,
                                    dt.date(YEAR - 1, 12, 31), "demain", "2027-06-30", 46568, 46387.5, 0, -5, 30,
                                    3_000_000]),
            "owner": rng.choice(["Claire", "", None, " ", "C. Martin"]), "plan_year": "mplan_year",
            "baseline": rng.choice([100000, 0, None, 2000, "n/a", 100, 0.1, -50])}


class Table:
    """One worksheet of inputs and formulas, remembering what Python expects of each formula cell."""

    def __init__(self, workbook, name: str, date_format, result_format):
        self.ws, self.name, self.date_format = workbook.add_worksheet(name), name, date_format
        self.result_format = result_format
        self.expected: list[tuple[str, str, dict, object, tuple[int, int]]] = []

    def value(self, row: int, col: int, value) -> str:
        ws = self.ws
        if value is None:
            pass
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), self.date_format)
        elif isinstance(value, str):
            ws.write_string(row, col, value)
        else:
            ws.write_number(row, col, value)
        return xlsxwriter.utility.xl_rowcol_to_cell(row, col)

    def formula(self, row: int, col: int, name: str, refs: dict, inputs: dict, lang: str) -> str:
        numeric = FUNCTIONS[name].result in ("number", "percent")
        self.ws.write_formula(row, col, "=" + render(name, "native", refs, lang), self.result_format if numeric else None)
        self.expected.append((name, lang, inputs, FUNCTIONS[name].cell(inputs, lang), (row, col)))
        return xlsxwriter.utility.xl_rowcol_to_cell(row, col)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """(sheet, metric, lang, inputs, expected, actual) for every formula cell, after one LibreOffice run."""
    rng = random.Random(20270)
    folder = tmp_path_factory.mktemp("formulas")
    path = folder / "formulas.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    # An explicit number format: LibreOffice would otherwise give a formula reading a date cell a date format,
    # and a huge result shown as a date is more than the reader can take.
    result_format = wb.add_format({"num_format": "0.00"})
    config = wb.add_worksheet("config")
    for row, (name, value) in enumerate((("mplan_year", YEAR), ("mplan_on_track", ON_TRACK), ("mplan_at_risk", AT_RISK))):
        config.write_string(row, 0, name)
        config.write_number(row, 1, value)
        wb.define_name(name, f"=config!$B${row + 1}")
    names = {"mplan_year": YEAR, "mplan_on_track": ON_TRACK, "mplan_at_risk": AT_RISK}
    sheets = [Table(wb, n, date_format, result_format) for n in ("pairs", "kpi", "smart", "landing")]
    pairs, kpi, smart_sheet, landing_sheet = sheets

    two = ["roi", "variance", "variance_pct", "acquisition_cost", "average_basket", "conversion_rate",
           "cart_abandonment_rate"]
    for r in range(ROWS):
        x, y = number(rng), number(rng)
        refs = [pairs.value(r, 0, x), pairs.value(r, 1, y)]
        for j, name in enumerate(two):
            params = FUNCTIONS[name].parameters
            pairs.formula(r, 2 + j, name, dict(zip(params, refs)), dict(zip(params, (x, y))), "en")

    for r in range(ROWS):
        lang = "fr" if r % 2 else "en"
        row = {"actual": number(rng), "target": number(rng), "direction": direction(rng), "baseline": number(rng),
               "on_track": threshold(rng), "at_risk": threshold(rng)}
        if r % 5 == 0:   # realistic KPIs, often right on a threshold
            target, base = rng.choice([(110, 100), (35, 45), (0.02, 0.01), (2, 1)])
            row |= {"target": target, "baseline": rng.choice([base, None]),
                    "actual": rng.choice([target, base, base + (target - base) * rng.choice([0.9, 0.7, 0.5, 1.2])])}
        ref = {k: kpi.value(r, c, v) for c, (k, v) in enumerate(row.items())}
        actual_target = {"actual": ref["actual"], "target": ref["target"]}
        inputs = {"actual": row["actual"], "target": row["target"]}
        kpi.formula(r, 6, "favourable", actual_target | {"direction": ref["direction"]},
                    inputs | {"direction": row["direction"]}, lang)
        kpi.formula(r, 7, "favourable", actual_target, inputs, lang)
        full = {"direction": row["direction"], "baseline": row["baseline"]}
        att = kpi.formula(r, 8, "attainment", actual_target | {"direction": ref["direction"], "baseline": ref["baseline"]},
                          inputs | full, lang)
        kpi.formula(r, 9, "attainment", actual_target | {"direction": ref["direction"]},
                    inputs | {"direction": row["direction"]}, lang)
        attainment = FUNCTIONS["attainment"].function(**inputs, **full)
        # The status reads the attainment cell: the formulas feed each other as in the workbook.
        kpi.formula(r, 10, "kpi_status", {"attainment": att, "on_track": ref["on_track"], "at_risk": ref["at_risk"]},
                    {"attainment": attainment, "on_track": row["on_track"], "at_risk": row["at_risk"]}, lang)
        kpi.formula(r, 11, "kpi_status", {"attainment": att, "on_track": "mplan_on_track", "at_risk": "mplan_at_risk"},
                    {"attainment": attainment, "on_track": ON_TRACK, "at_risk": AT_RISK}, lang)
        kpi.formula(r, 12, "kpi_status", {"attainment": att}, {"attainment": attainment}, lang)

    for r in range(ROWS):
        lang = "fr" if r % 2 else "en"
        row = smart_row(rng)
        refs = {p: ("mplan_year" if p == "plan_year" else smart_sheet.value(r, c, row[p]))
                for c, p in enumerate(formulas.SMART_PARAMETERS)}
        inputs = {p: names[v] if p == "plan_year" else v for p, v in row.items()}
        smart_sheet.formula(r, 8, "smart_check", refs, inputs, lang)
        without = {p: v for p, v in refs.items() if p != "baseline"}
        smart_sheet.formula(r, 9, "smart_check", without, inputs | {"baseline": None}, lang)
    landing_params = FUNCTIONS["landing"].parameters
    for r in range(ROWS):
        if r % 3 == 0:   # realistic lines: spent, committed and phased around their plan
            planned = rng.choice([12000, 600, 0, 4800.5])
            row = dict(zip(landing_params, (rng.choice([planned * 0.5, planned * 1.1, 0, None]),
                                            rng.choice([planned, planned * 1.2, planned * 0.4, None]), planned,
                                            rng.choice([planned * 0.5, planned, 0, None]),
                                            rng.choice([None, None, planned * 0.9, 0]))))
        else:
            row = {p: number(rng) for p in landing_params}
        refs = {p: landing_sheet.value(r, c, v) for c, (p, v) in enumerate(row.items())}
        landing_sheet.formula(r, 5, "landing", refs, row, "fr")
        without = {p: ref for p, ref in refs.items() if p != "reforecast"}
        landing_sheet.formula(r, 6, "landing", without, row | {"reforecast": None}, "en")
    wb.close()

    out = libreoffice.convert([path], "xlsx", folder / "out")[0]
    book = CalamineWorkbook.from_path(str(out))
    results = []
    for sheet in sheets:
        grid = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
        for name, lang, inputs, expected, (r, c) in sheet.expected:
            actual = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
            results.append((sheet.name, name, lang, inputs, expected, actual))
    return results


def agrees(expected, actual) -> bool:
    if expected is None:
        return actual == ""
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, float):
        return isinstance(actual, float) and math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    return actual == expected


@needs_libreoffice
def test_every_native_formula_agrees_with_the_core(recalculated):
    assert len(recalculated) == ROWS * (7 + 7 + 2 + 2)
    mismatches = [row for row in recalculated if not agrees(row[4], row[5])]
    assert mismatches == [], f"{len(mismatches)} mismatches, first: {mismatches[:5]}"


@needs_libreoffice
def test_the_random_rows_cover_the_edge_cases(recalculated):
    by_metric: dict[str, list] = {}
    for _, name, lang, inputs, expected, _ in recalculated:
        by_metric.setdefault(name, []).append((lang, inputs, expected))
    for name, rows in by_metric.items():
        results = [e for _, _, e in rows]
        assert None in results and any(e is not None for e in results), name
    assert any(i.get("cost") == 0 and e is None for _, i, e in by_metric["roi"])
    assert any(isinstance(i.get("cost"), float) and i["cost"] < 0 for _, i, e in by_metric["roi"])
    statuses = {e for _, _, e in by_metric["kpi_status"]}
    assert {KPI_STATUS.label(c, lang) for c in KPI_STATUS.codes for lang in ("fr", "en")} <= statuses
    lower = [e for _, i, e in by_metric["attainment"] if DIRECTION.code_of(i.get("direction")) == "lower" and e is not None]
    assert len(lower) > 20
    texts = [(lang, e) for lang, _, e in by_metric["smart_check"] if e]
    assert {"fr", "en"} == {lang for lang, e in texts if e == "OK"} == {lang for lang, e in texts if e != "OK"}
    joined = " ".join(e for _, e in texts)
    for rule_text in ("énoncé vide", "no indicator", "énoncé vague", "not a number", "pas d'unité", "no owner",
                      "300 %", "300%", "pas d'échéance", "deadline outside 2027", "hors de l'année 2027"):
        assert rule_text in joined, rule_text
