"""The live status of the Guide sheet: its formulas and the same figures in Python.

Every rule of :mod:`mplan_xl.core.rules` marked ``live`` is counted by the workbook's own formulas, table by
table and column by column: one :class:`LiveTerm` each, written on the hidden ``mplan_status`` sheet.
The Guide shows their sums by rule category (cells, formulas, plan logic) beside the total, so the team
sees what ``check`` will find before sending the file. Each term counts what ``check`` reports: one per
cell for cell rules, one per column for a computed column's typed values, one per table for cells without
their formula (``check`` groups them so), one per row typed below a table, one per id that matches nothing (however many rows
name it), one for a plan with content and no company. A test lets LibreOffice recalculate edited
workbooks and compares these counts with ``check``'s findings.

Each figure is declared once with its label, its Excel formula (derived from the schema) and its Python
computation over a :class:`~mplan_xl.core.plan.Plan`, which the builder writes as the cached value and the
test compares with LibreOffice's result.

The formulas need Excel 2013 or later (``ISFORMULA``) or LibreOffice; every array is evaluated by
``SUMPRODUCT``, ``IF`` only ever takes single values.

Domain core: no Excel library is imported here.

Example:
    >>> [item.key for item in STATUS_ITEMS][:3]
    ['objectives', 'objectives_smart_ok', 'budget_planned']
    >>> sorted({term.rule for term in LIVE_TERMS})[:3]
    ['budget-over-envelope', 'campaign-duplicate', 'choice-invalid']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, TypeGuard

from ..core import schema
from ..core.computed import PlanContext, structured_ref
from ..core.metrics import LANDING_TOLERANCE
from ..core.numbers import is_blank
from ..core.plan import Plan, id_key
from ..core.rules import CATEGORIES, RULES
from ..core.schema import Column, Kind, Table
from ..core.smart import SMART_OK, smart_check
from ..core.vocabulary import Label
from .synthesis import RESULT_FIGURES, results, results_formulas

#: How far below a table (in rows) a typed row is recognised as one of its rows, by ``check`` and live.
BELOW_WINDOW = 500
#: Values in at least this many of a table's columns make a row below it look like one of its rows.
ROW_LIKE_CELLS = 2
#: The categories the Guide counts errors in, in display order.
FAMILIES = ("cells", "integrity", "logic")
_LAST_ROW = 1_048_576


def _number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _used(plan: Plan, sheet: Table) -> list[tuple[int, dict[str, Any]]]:
    """(index, row) of the rows that are part of the plan: the same rule as ``check``'s (schema ``used_when``)."""
    keys = [c.key for c in sheet.use_columns]
    return [(i, r) for i, r in enumerate(plan.tables.get(sheet.key, [])) if any(not is_blank(r.get(k)) for k in keys)]


# --- formula pieces -------------------------------------------------------------------------------------

def _col(sheet: Table, key: str, lang: str) -> str:
    return structured_ref(sheet, key, lang, this_row=False)


def _header(sheet: Table, key: str, lang: str) -> str:
    """The escaped header as a structured reference writes it."""
    return _col(sheet, key, lang)[len(sheet.table) + 2:-2]


def _all(sheet: Table, key: str, lang: str) -> str:
    return f"{sheet.table}[[#All],[{_header(sheet, key, lang)}]]"


def _filled(ref: str) -> str:
    """1 where *ref* holds something other than spaces. Written with SIGN rather than comparisons: the file
    stores ``<`` and ``>`` as XML entities, which every reader of the sheet then has to decode."""
    return f"SIGN(LEN(TRIM({ref})))"


def _empty(ref: str) -> str:
    return f"(1-{_filled(ref)})"


def row_mask_name(sheet: Table) -> str:
    """The defined name of *sheet*'s row mask (see :func:`row_mask_formula`), shared by its live terms."""
    return f"mplan_rows_{sheet.key}"


def row_mask_formula(sheet: Table, lang: str) -> str:
    """1 on the rows that are part of the plan (the ``used_when`` rule), 0 elsewhere: an array."""
    return "SIGN(" + "+".join(f"LEN(TRIM({_col(sheet, c.key, lang)}))" for c in sheet.use_columns) + ")"


def _year_start(offset: int = 0) -> str:
    return f"DATE({schema.NAME_YEAR}{'+1' if offset else ''},1,1)"


# --- the live terms -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LiveTerm:
    """One count of the live status: problems of *rule* in one table (and column), or of the plan's identity
    (*sheet* None)."""

    rule: str
    sheet: Table | None
    column: str | None
    formula: Callable[[str], str]       # lang -> formula text (no "=")
    compute: Callable[[Plan], int]      # the same count in Python, for the plan the builder writes

    @property
    def category(self) -> str:
        return RULES[self.rule].category


def _cell_terms(sheet: Table) -> list[LiveTerm]:
    terms = []
    for column in sheet.input_columns:
        terms += _column_terms(sheet, column)
    if sheet.key == "actions":
        def order_formula(lang: str) -> str:
            s, e = _col(sheet, "start", lang), _col(sheet, "end", lang)
            return f"SUMPRODUCT({row_mask_name(sheet)}*ISNUMBER({s})*ISNUMBER({e})*({s}>{e}))"

        def order(plan: Plan) -> int:
            return sum(1 for _, r in _used(plan, sheet) if isinstance(r.get("start"), dt.date)
                       and isinstance(r.get("end"), dt.date) and r["start"] > r["end"])
        terms.append(LiveTerm("date-order", sheet, "end", order_formula, order))
    return terms


def _column_terms(sheet: Table, column: Column) -> list[LiveTerm]:
    key, terms = column.key, []

    def count(predicate: Callable[[Any, Plan], bool]) -> Callable[[Plan], int]:
        return lambda plan: sum(1 for _, r in _used(plan, sheet) if predicate(r.get(key), plan))

    if column.required:
        terms.append(LiveTerm("required-missing", sheet, key,
                              lambda lang: f"SUMPRODUCT({row_mask_name(sheet)}*{_empty(_col(sheet, key, lang))})",
                              count(lambda v, plan: is_blank(v))))
    if column.choices is not None:
        choices = column.choices
        terms.append(LiveTerm(
            "choice-invalid", sheet, key,
            lambda lang: (f"SUMPRODUCT({row_mask_name(sheet)}*{_filled(_col(sheet, key, lang))}"
                          f"*(COUNTIF(list_{choices.key},{_col(sheet, key, lang)})=0))"),
            count(lambda v, plan: not is_blank(v) and choices.code_of(v) is None)))
    elif column.kind.is_number or column.kind is Kind.DATE:
        # Text in a number or date column: ``check`` says number-as-text or type-invalid, both cells errors.
        terms.append(LiveTerm(
            "number-as-text", sheet, key,
            lambda lang: f"SUMPRODUCT({row_mask_name(sheet)}*ISTEXT({_col(sheet, key, lang)})*{_filled(_col(sheet, key, lang))})",
            count(lambda v, plan: isinstance(v, str) and not is_blank(v))))
    if column.kind is Kind.DATE and column.in_plan_year:
        def outside_year(lang: str) -> str:
            c = _col(sheet, key, lang)
            return f"SUMPRODUCT({row_mask_name(sheet)}*ISNUMBER({c})*(({c}<{_year_start()})+({c}>={_year_start(1)})))"
        terms.append(LiveTerm("date-outside-year", sheet, key, outside_year,
                              count(lambda v, plan: isinstance(v, dt.date) and v.year != plan.identity.year)))
    if column.kind.is_number and (column.minimum is not None or column.maximum is not None):
        terms.append(_bounds_term(sheet, column))
    return terms


def _bounds_term(sheet: Table, column: Column) -> LiveTerm:
    key, low, high = column.key, column.minimum, column.maximum
    rule = "negative-amount" if column.kind is Kind.MONEY and low == 0 else "value-out-of-range"
    whole = column.kind is Kind.INTEGER and low is not None and high is not None and high - low <= 20

    def formula(lang: str) -> str:
        c = _col(sheet, key, lang)
        if whole and low is not None and high is not None:  # whole numbers from low to high, with no function that fails on text
            allowed = "-".join(f"({c}={n})" for n in range(int(low), int(high) + 1))
            return f"SUMPRODUCT({row_mask_name(sheet)}*ISNUMBER({c})*(1-{allowed}))"
        tests = ([f"({c}<{low:g})"] if low is not None else []) + ([f"({c}>{high:g})"] if high is not None else [])
        return f"SUMPRODUCT({row_mask_name(sheet)}*ISNUMBER({c})*SIGN({'+'.join(tests)}))"

    def bad(value: Any, plan: Plan) -> bool:
        return _number(value) and ((low is not None and value < low) or (high is not None and value > high) or (
            column.kind is Kind.INTEGER and not float(value).is_integer()))

    return LiveTerm(rule, sheet, key, formula, lambda plan: sum(1 for _, r in _used(plan, sheet) if bad(r.get(key), plan)))


def _outside_term(sheet: Table) -> LiveTerm:
    """Rows typed just below the table (within BELOW_WINDOW rows) with values in ROW_LIKE_CELLS of its columns."""
    def formula(lang: str) -> str:
        first = _all(sheet, sheet.columns[0].key, lang)
        cells = "+".join(_filled(f"OFFSET({_all(sheet, c.key, lang)},ROWS({first}),0,{BELOW_WINDOW},1)")
                         for c in sheet.columns)
        return f"SUMPRODUCT((({cells})>={ROW_LIKE_CELLS})*1)"

    return LiveTerm("row-outside-table", sheet, None, formula, lambda plan: 0)  # the builder writes nothing there


def _formula_terms(sheet: Table) -> list[LiveTerm]:
    """A computed column holding typed values (one per column), cells without their formula (one per table), as
    ``check`` groups them."""
    def count(lang: str, key: str, test: Callable[[str], str]) -> str:
        c = _col(sheet, key, lang)
        return f"SUMPRODUCT({row_mask_name(sheet)}*NOT(_xlfn.ISFORMULA({c}))*{test(c)})"

    def overridden(plan: Plan, typed: bool, keys: set[str]) -> int:
        used = {i for i, _ in _used(plan, sheet)}
        return int(any(o.table == sheet.key and o.column in keys and o.row in used and is_blank(o.value) != typed
                       for o in plan.overrides))

    def typed_formula(key: str) -> Callable[[str], str]:
        return lambda lang: f"SIGN({count(lang, key, _filled)})"

    def typed(key: str) -> Callable[[Plan], int]:
        return lambda plan: overridden(plan, True, {key})

    terms = [LiveTerm("computed-overwritten", sheet, column.key, typed_formula(column.key), typed(column.key))
             for column in sheet.computed_columns]
    if sheet.computed_columns:
        keys = [c.key for c in sheet.computed_columns]
        terms.append(LiveTerm("formula-missing", sheet, None,
                              lambda lang: "SIGN(" + "+".join(count(lang, key, _empty) for key in keys) + ")",
                              lambda plan: overridden(plan, False, set(keys))))
    return terms


def _repeats_term(rule: str, sheet: Table, key: str) -> LiveTerm:
    """The rows of *sheet* whose column *key* repeats an earlier row's (matched as ids are: case-insensitive)."""
    def formula(lang: str) -> str:
        values, mask = _col(sheet, key, lang), row_mask_name(sheet)
        return (f"ROUND(SUMPRODUCT({mask}*{_filled(values)})"
                f"-SUMPRODUCT({mask}*{_filled(values)}/COUNTIF({values},{values}&\"\")),0)")

    def compute(plan: Plan) -> int:
        keys = [id_key(r.get(key)) for _, r in _used(plan, sheet) if not is_blank(r.get(key))]
        return len(keys) - len(set(keys))
    return LiveTerm(rule, sheet, key, formula, compute)


def _logic_terms(sheet: Table) -> list[LiveTerm]:
    terms = []
    if sheet.id_column:
        terms.append(_repeats_term("duplicate-id", sheet, sheet.id_column))
    if sheet.key == "actions":
        terms.append(_repeats_term("campaign-duplicate", sheet, "campaign"))
    for column in sheet.references:
        target = column.ref_table

        def unresolved_formula(lang: str, key: str = column.key, target: Table = target) -> str:
            # One per id that matches nothing, however many rows name it (check groups them): each row counts
            # 1 / (rows naming the same id).
            ref = _col(sheet, key, lang)
            return (f"ROUND(SUMPRODUCT({row_mask_name(sheet)}*{_filled(ref)}"
                    f"*(COUNTIF({_col(target, target.id_column_key, lang)},{ref})=0)/COUNTIF({ref},{ref}&\"\")),0)")

        def unresolved(plan: Plan, key: str = column.key, target: Table = target) -> int:
            ids = {id_key(r.get(target.id_column_key)) for _, r in _used(plan, target)}
            return len({id_key(r[key]) for _, r in _used(plan, sheet) if not is_blank(r.get(key)) and id_key(r[key]) not in ids})
        terms.append(LiveTerm("reference-unresolved", sheet, column.key, unresolved_formula, unresolved))
    if sheet.key == "objectives":
        def not_smart_formula(lang: str) -> str:
            smart = _col(sheet, "smart", lang)
            return f'SUMPRODUCT({row_mask_name(sheet)}*({smart}<>"{SMART_OK}")*SIGN(LEN({smart})))'

        def not_smart(plan: Plan) -> int:
            results = [_smart(r, plan) for _, r in _used(plan, sheet)]
            return sum(1 for result in results if not result.ok and not result.blank)
        terms.append(LiveTerm("objective-not-smart", sheet, "smart", not_smart_formula, not_smart))
    if sheet.key == "budget":
        def over_formula(lang: str) -> str:
            return f"IF(AND(ISNUMBER({schema.NAME_ENVELOPE}),{_planned_formula(lang)}>{schema.NAME_ENVELOPE}),1,0)"

        def over(plan: Plan) -> int:
            envelope = plan.identity.envelope
            return int(_number(envelope) and _planned(plan) > envelope)
        terms.append(LiveTerm("budget-over-envelope", sheet, None, over_formula, over))
    return terms


def _smart(row: dict[str, Any], plan: Plan):
    return smart_check(statement=row.get("statement"), indicator=row.get("indicator"), target=row.get("target"),
                       unit=row.get("unit"), deadline=row.get("deadline"), owner=row.get("owner"),
                       plan_year=plan.identity.year, baseline=row.get("baseline"))


def _company_term() -> LiveTerm:
    """1 when the company is blank on a plan that is not empty (``check``'s ``company-missing``)."""
    def formula(lang: str) -> str:
        used = "+".join(f"SUMPRODUCT({row_mask_name(schema.SHEETS_BY_KEY[key])})" for key in schema.PLAN_CORE)
        return f"{_empty(schema.NAME_COMPANY)}*SIGN({used})"

    def compute(plan: Plan) -> int:
        return int(is_blank(plan.identity.company)
                   and any(_used(plan, schema.SHEETS_BY_KEY[key]) for key in schema.PLAN_CORE))
    return LiveTerm("company-missing", None, None, formula, compute)


def _terms() -> tuple[LiveTerm, ...]:
    terms: list[LiveTerm] = [_company_term()]
    for sheet in schema.TABLES:
        terms += _cell_terms(sheet) + [_outside_term(sheet)] + _formula_terms(sheet) + _logic_terms(sheet)
    assert all(RULES[t.rule].live for t in terms) and {t.category for t in terms} <= set(FAMILIES)
    return tuple(terms)


#: Every live count, in the order of the hidden status sheet's rows (row 2 on).
LIVE_TERMS: tuple[LiveTerm, ...] = _terms()
#: Columns of the hidden status sheet: rule, category, table, column, count.
STATUS_COLUMNS = ("rule", "category", "table", "column", "count")


def _terms_range(column: str) -> str:
    return f"{schema.STATUS_SHEET}!${column}$2:${column}${len(LIVE_TERMS) + 1}"


# --- the Guide's figures --------------------------------------------------------------------------------

def _planned_formula(lang: str) -> str:
    return f'SUM({_col(schema.BUDGET, "planned", lang)})'


def _budget_sum(plan: Plan, key: str) -> float:
    """The SUM of a budget column: SUM ignores text and blanks."""
    values = (r.get(key) for r in plan.tables.get("budget", []))
    return float(sum(v for v in values if _number(v)))


def _planned(plan: Plan) -> float:
    return _budget_sum(plan, "planned")


def _actual(plan: Plan) -> float:
    return _budget_sum(plan, "actual")


def _to_date(key: str) -> Callable[[Plan], float]:
    """The budget's total of a figure to date (SUM of a computed column, blanks left out)."""
    def total(plan: Plan) -> float:
        context = PlanContext.of_plan(plan, "fr")   # figures, not texts: the language does not matter
        return float(sum(v for _, c in context.computed_rows(schema.BUDGET.key) if _number(v := c.get(key))))
    return total


def _variance_to_date(plan: Plan) -> float:
    return _to_date("actual_to_date")(plan) - _to_date("planned_to_date")(plan)


def landing_over_plan(plan: Plan) -> list[str]:
    """The ids of the budget lines whose landing exceeds their planned amount (by more than half a cent)."""
    context = PlanContext.of_plan(plan, "fr")
    return [str(r.get("id")) for r, c in context.computed_rows(schema.BUDGET.key)
            if _number(v := c.get("landing_variance")) and v > LANDING_TOLERANCE]


def _planned_text_formula(lang: str) -> str:
    planned = _col(schema.BUDGET, "planned", lang)
    return f"SUMPRODUCT(ISTEXT({planned})*{_filled(planned)})"


def _outside_formula(lang: str) -> str:
    """Non-empty cells of the data sheets, from the header row down, minus those of their tables."""
    terms = []
    for key, _ in schema.WORKSHEETS:
        tables = schema.tables_on(key)
        if not tables:
            continue
        name = schema.worksheet_name(key, lang)[:31].replace("'", "''")
        inside = "".join(f"-COUNTA({t.table}[[#All],[{_header(t, t.columns[0].key, lang)}]:"
                         f"[{_header(t, t.columns[-1].key, lang)}]])" for t in tables)
        terms.append(f"COUNTA('{name}'!${schema.HEADER_ROW}:${_LAST_ROW}){inside}")
    return "+".join(terms)


def _family_formula(family: str) -> Callable[[str], str]:
    return lambda lang: f'SUMIF({_terms_range("B")},"{family}",{_terms_range("E")})'


def _family(family: str) -> Callable[[Plan], int]:
    return lambda plan: sum(t.compute(plan) for t in LIVE_TERMS if t.category == family)


@dataclass(frozen=True)
class StatusItem:
    key: str
    label: Label
    kind: Kind
    formula: Callable[[str], str]
    compute: Callable[[Plan], Any]
    alert: bool = False     # shown in red when above zero


#: The plan's expected and achieved results (:data:`mplan_xl.workbook.synthesis.RESULT_FIGURES`), side by side.
_RESULT_LABELS = (Label("Gain attendu", "Expected gain"), Label("Gain obtenu (actions mesurées)", "Achieved gain (actions measured)"),
                  Label("ROI attendu", "Expected ROI"), Label("ROI réalisé (actions mesurées)", "Achieved ROI (actions measured)"))


def _results_formula(key: str) -> Callable[[str], str]:
    return lambda lang: results_formulas(None, lang)[key]


def _results(key: str) -> Callable[[Plan], float | None]:
    def figure(plan: Plan) -> float | None:
        context = PlanContext.of_plan(plan, "fr")   # figures, not texts: the language does not matter
        rows = context.computed_rows(schema.ACTIONS.key)
        return results({"actions": [row for row, _ in rows]}, [c for _, c in rows], whole_plan=True)[key]
    return figure


_FAMILY_LABELS = {
    "cells": Label("Erreurs : cellules", "Errors: cells"),
    "integrity": Label("Erreurs : formules", "Errors: formulas"),
    "logic": Label("Erreurs : logique du plan", "Errors: plan logic"),
}
assert set(_FAMILY_LABELS) == set(FAMILIES) <= set(CATEGORIES)

STATUS_ITEMS: tuple[StatusItem, ...] = (
    StatusItem("objectives", Label("Objectifs saisis", "Objectives entered"), Kind.INTEGER,
               lambda lang: f'SUMPRODUCT(--({_col(schema.OBJECTIVES, "id", lang)}<>""))',
               lambda plan: len([r for _, r in _used(plan, schema.OBJECTIVES) if not is_blank(r.get("id"))])),
    StatusItem("objectives_smart_ok", Label("Objectifs SMART-OK", "Objectives SMART-OK"), Kind.INTEGER,
               lambda lang: f'COUNTIF({_col(schema.OBJECTIVES, "smart", lang)},"{SMART_OK}")',
               lambda plan: sum(1 for _, r in _used(plan, schema.OBJECTIVES) if _smart(r, plan).ok)),
    StatusItem("budget_planned", Label("Budget prévisionnel total", "Total planned budget"), Kind.MONEY,
               _planned_formula, _planned),
    StatusItem("budget_planned_text", Label("Montants en texte, exclus du total", "Amounts typed as text, left out of the total"),
               Kind.INTEGER, _planned_text_formula,
               lambda plan: sum(1 for r in plan.tables.get("budget", []) if isinstance(r.get("planned"), str)
                                and not is_blank(r.get("planned"))), alert=True),
    StatusItem("budget_remaining", Label("Reste sur l'enveloppe", "Left in the envelope"), Kind.MONEY,
               lambda lang: f'IF({schema.NAME_ENVELOPE}="","",{schema.NAME_ENVELOPE}-{_planned_formula(lang)})',
               lambda plan: None if plan.identity.envelope is None else plan.identity.envelope - _planned(plan)),
    StatusItem("budget_actual", Label("Dépenses réelles", "Actual spend"), Kind.MONEY,
               lambda lang: f'SUM({_col(schema.BUDGET, "actual", lang)})', _actual),
    StatusItem("planned_to_date", Label("Prévu à la date de situation", "Planned at the situation date"), Kind.MONEY,
               lambda lang: f'SUM({_col(schema.BUDGET, "planned_to_date", lang)})', _to_date("planned_to_date")),
    StatusItem("actual_to_date", Label("Réel à la date de situation", "Actual at the situation date"), Kind.MONEY,
               lambda lang: f'SUM({_col(schema.BUDGET, "actual_to_date", lang)})', _to_date("actual_to_date")),
    StatusItem("variance_to_date", Label("Écart à date (réel − prévu)", "Variance to date (actual − planned)"), Kind.MONEY,
               lambda lang: (f'SUM({_col(schema.BUDGET, "actual_to_date", lang)})'
                             f'-SUM({_col(schema.BUDGET, "planned_to_date", lang)})'), _variance_to_date),
    StatusItem("budget_landing", Label("Atterrissage de l'année", "Landing forecast for the year"), Kind.MONEY,
               lambda lang: f'SUM({_col(schema.BUDGET, "landing", lang)})', _to_date("landing")),
    StatusItem("landing_remaining", Label("Reste à l'atterrissage", "Left at landing"),
               Kind.MONEY,
               lambda lang: (f'IF({schema.NAME_ENVELOPE}="","",{schema.NAME_ENVELOPE}'
                             f'-SUM({_col(schema.BUDGET, "landing", lang)}))'),
               lambda plan: None if plan.identity.envelope is None else plan.identity.envelope - _to_date("landing")(plan)),
    StatusItem("landing_over_plan", Label("Lignes au-delà du prévu", "Lines landing above plan"),
               Kind.INTEGER, lambda lang: f'COUNTIF({_col(schema.BUDGET, "landing_variance", lang)},">{LANDING_TOLERANCE}")',
               lambda plan: len(landing_over_plan(plan)), alert=True),
    StatusItem("outside_values", Label("Valeurs hors des tableaux", "Values outside the tables"), Kind.INTEGER,
               _outside_formula, lambda plan: 0, alert=True),
    *(StatusItem(f"errors_{family}", _FAMILY_LABELS[family], Kind.INTEGER, _family_formula(family), _family(family),
                 alert=True) for family in FAMILIES),
    StatusItem("errors_left", Label("Erreurs restantes", "Errors left"), Kind.INTEGER,
               lambda lang: f"SUM({_terms_range('E')})",
               lambda plan: sum(t.compute(plan) for t in LIVE_TERMS), alert=True),
)


#: The plan's results on the Guide, under its identity: expected and achieved gain and ROI, side by side.
RESULT_ITEMS: tuple[StatusItem, ...] = tuple(
    StatusItem(key, label, Kind.PERCENT if key.endswith("_roi") else Kind.MONEY, _results_formula(key), _results(key))
    for key, label in zip(RESULT_FIGURES, _RESULT_LABELS))


def status_values(plan: Plan) -> dict[str, Any]:
    """Every status figure of *plan* (:data:`STATUS_ITEMS`, :data:`RESULT_ITEMS`) computed in Python, by item key."""
    return {item.key: item.compute(plan) for item in STATUS_ITEMS + RESULT_ITEMS}


def term_values(plan: Plan) -> list[int]:
    """Every live term of *plan* computed in Python, in :data:`LIVE_TERMS` order."""
    return [term.compute(plan) for term in LIVE_TERMS]
