"""The checks ``mplan-xl check`` runs on a located plan, one function per concern.

Each check takes a :class:`Context` and yields :class:`~mplan_xl.core.rules.Finding`
objects made from the rule catalogue. Every recomputed figure comes from the
same functions the workbook's formulas mirror (:mod:`mplan_xl.core.computed`,
:mod:`mplan_xl.core.smart`), so the batch report and the cell can never disagree.

Example:
    >>> findings = run_checks(locate_plan(read_workbook("plan.xlsx")), lang="en")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shlex
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..core import schema, tracking, versions
from ..core.computed import PlanContext, column_formula, structured_ref
from ..core.metrics import LANDING_TOLERANCE
from ..core.numbers import format_number, parse_localized_date, parse_localized_number, to_number, typed_number
from ..core.numbers import total as numbers_total
from ..core.plan import id_key, id_text, percent_columns
from ..core.rules import Finding, make_finding
from ..core.schema import Kind
from ..core.smart import smart_check
from ..core.table_refs import structured_span
from ..core.vocabulary import VERDICT, Label, fold
from ..read.plan_reader import (
    LocatedPlan,
    LocatedRow,
    LocatedTable,
    a1,
    as_date,
    blank,
    input_values,
    named_cell,
    thresholds,
)
from ..read.reader import TextTooLong, UnusableValue, column_index
from ..read.reader_limits import EXCEL_MAX_TEXT
from ..workbook.guide_status import BELOW_WINDOW, ROW_LIKE_CELLS

SUPPORTED_MAJOR = schema.TEMPLATE_VERSION.split(".")[0]


@dataclass
class Context:
    plan: LocatedPlan
    lang: str                 # language of the report's messages
    inputs: dict[str, list[dict[str, Any]]]   # per table, each located row's inputs normalised (codes, dates)

    @cached_property
    def computed(self) -> PlanContext:
        """The plan's figures as Python computes them (the workbook's thresholds, the situation date it computed
        with), each table's rows computed once for every check that needs them."""
        plan = self.plan
        return PlanContext(self.inputs, plan.year or 0, **thresholds(plan.raw), as_of=plan.as_of, lang=plan.lang)

    def finding(self, code: str, table: LocatedTable | None = None, row: LocatedRow | None = None,
                key: str | None = None, *, sheet: str | None = None, cell: str | None = None, **params: Any) -> Finding:
        """A finding of rule *code* at the cell of column *key* in *row* of *table* (or at sheet/cell)."""
        if table is not None:
            sheet = sheet or table.worksheet
            if row is not None and cell is None:
                cell = table.cell(row, key) if key else table.cell(row, table.sheet.id_column or "")
        row_id = id_text(row.id(table.sheet)) if (row is not None and table is not None) else None
        return make_finding(code, self.lang, sheet=sheet, cell=cell, row_id=row_id, **params)

    def header(self, table: LocatedTable, key: str) -> str:
        return table.sheet.column(key).header(self.plan.lang)




def _fmt_number(value: float, lang: str) -> str:
    if float(value).is_integer():
        return format_number(int(value), lang, ",")
    return format_number(value, lang).rstrip("0").rstrip(",.")


# --- values no command may use --------------------------------------------------------------------------

def check_unusable(ctx: Context) -> Iterator[Finding]:
    """Every cell of every worksheet whose value the reader refused (:class:`~mplan_xl.read.reader.UnusableValue`):
    a number Excel cannot hold, a text over Excel's 32,767 characters; and every text it cleaned of control
    characters XML forbids (a warning); each at its cell."""
    raw = ctx.plan.raw
    for sheet in raw.sheet_names:
        if raw.sheet_kinds.get(sheet) != "worksheet":
            continue
        for (r, c), value in sorted(raw.unusable(sheet).items()):
            if isinstance(value, TextTooLong):
                yield ctx.finding("text-too-long", sheet=sheet, cell=a1(r, c), value=value, limit=_fmt_number(
                    EXCEL_MAX_TEXT, ctx.lang), length=_fmt_number(value.length, ctx.lang))
            else:
                yield ctx.finding("number-unusable", sheet=sheet, cell=a1(r, c), value=value)
        for (r, c), characters in sorted(raw.cleaned(sheet).items()):
            yield ctx.finding("text-control-characters", sheet=sheet, cell=a1(r, c), count=len(characters),
                              characters=" ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(characters)))


# --- template -------------------------------------------------------------------------------------------

def check_template(ctx: Context) -> Iterator[Finding]:
    """Sheets, tables and columns missing or renamed; in a file of an older template, only those its version had."""
    plan = ctx.plan
    worksheets = versions.expected_worksheets(plan.template_version)
    tables = versions.expected_tables(plan.template_version)
    for key, label in schema.WORKSHEETS:
        name = label(plan.lang)
        if name not in plan.raw.sheet_names and (worksheets is None or key in worksheets):
            yield ctx.finding("sheet-missing", sheet=name)
    for sheet in schema.TABLES:
        if sheet.key not in plan.tables and (tables is None or sheet.key in tables):
            yield ctx.finding("table-missing", sheet=schema.worksheet_name(sheet.worksheet, plan.lang), name=sheet.table)
    for table in plan.tables.values():
        for position, found, expected in table.header_problems:
            yield ctx.finding("header-mismatch", table, cell=table.header_cell(position), position=position + 1,
                              found=found, expected=expected)
        for key in table.missing:
            yield ctx.finding("column-missing", table, cell=table.header_cell(0), column=ctx.header(table, key),
                              table_name=table.sheet.table)
        for position, header in table.unknown:
            yield ctx.finding("column-unknown", table, cell=table.header_cell(position), column=header)


# --- cells ----------------------------------------------------------------------------------------------

_EXPECTED = {
    Kind.DATE: ("une date", "a date"), Kind.INTEGER: ("un nombre entier", "a whole number"),
    Kind.DECIMAL: ("un nombre", "a number"), Kind.MONEY: ("un montant", "an amount"),
    Kind.PERCENT: ("un pourcentage", "a percentage"),
}


def check_cells(ctx: Context) -> Iterator[Finding]:
    year = ctx.plan.year
    if not any(ctx.plan.tables[k].rows for k in schema.PLAN_CORE if k in ctx.plan.tables):
        yield ctx.finding("plan-empty")
    elif blank(ctx.plan.company):   # a plan with content must say whose it is (consolidate files it by company)
        at = named_cell(ctx.plan.raw, schema.NAME_COMPANY)
        yield ctx.finding("company-missing", sheet=at[0] if at else schema.worksheet_name("guide", ctx.plan.lang),
                          cell=a1(*at[1:]) if at else None)
    for table in ctx.plan.tables.values():
        sheet = table.sheet
        columns = [(c.key, c, c.kind in _FREE_TEXT, _number_bounds(c)) for c in sheet.input_columns
                   if c.key in table.columns]
        for row in table.rows:
            values = row.values
            get = values.get
            for key, column, free, bounds in columns:
                value: Any = get(key)
                kind = value.__class__
                if kind is float and bounds is not None:   # the common cells first: a number within bounds,
                    low, high, whole = bounds
                    if (low is None or value >= low) and (high is None or value <= high) and (
                            not whole or value.is_integer()):
                        continue
                elif kind is str and value and (free or column.choices is not None and column.choices.code_of(
                        value) is not None) and not value.isspace():
                    continue   # a text typed, a choice the list knows
                if value is None or value == "" or (isinstance(value, str) and not value.strip()):
                    if column.required:
                        yield ctx.finding("required-missing", table, row, key, column=ctx.header(table, key))
                    continue
                if free or _plainly_valid(column, value):
                    continue
                yield from _check_value(ctx, table, row, column, value, year)
            if sheet.key == "actions":
                start, end = (as_date(values.get(k)) for k in ("start", "end"))
                if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
                    yield ctx.finding("date-order", table, row, "end", start=start, end=end)


_FREE_TEXT = (Kind.ID, Kind.REF, Kind.TEXT, Kind.LONG_TEXT)


def _plainly_valid(column: schema.Column, value: Any) -> bool:
    """The common cells :func:`_check_value` finds nothing in, told apart without it: a choice the list knows,
    a number within the column's bounds."""
    if column.choices is not None:
        return column.choices.code_of(value) is not None
    bounds = _number_bounds(column)
    if value.__class__ is not float or bounds is None:
        return False
    low, high, whole = bounds
    return (low is None or value >= low) and (high is None or value <= high) and (not whole or value.is_integer())


def _number_bounds(column: schema.Column) -> tuple[float | None, float | None, bool] | None:
    """(minimum, maximum, whole numbers only) of a number column without a choice list; None for other columns."""
    if column.choices is not None or not column.kind.is_number:
        return None
    return column.minimum, column.maximum, column.kind is Kind.INTEGER


def _check_value(ctx: Context, table: LocatedTable, row: LocatedRow, column: schema.Column, value: Any,
                 year: int | None) -> Iterator[Finding]:
    kind = column.kind
    if column.choices is not None:
        if column.choices.code_of(value) is None:
            yield ctx.finding("choice-invalid", table, row, column.key, column=ctx.header(table, column.key), value=value,
                              choices=", ".join(column.choices.labels(ctx.plan.lang)))
        return
    if kind is Kind.DATE:
        date = as_date(value)
        if not isinstance(date, dt.date):   # a date typed as text, with one reading: repair converts it
            yield ctx.finding("type-invalid", table, row, column.key, column=ctx.header(table, column.key), value=value,
                              expected=_EXPECTED[kind][ctx.lang == "en"],
                              repairable=parse_localized_date(value, ctx.plan.lang) is not None)
        elif column.in_plan_year and year and date.year != year:
            yield ctx.finding("date-outside-year", table, row, column.key, column=ctx.header(table, column.key), value=date, year=year)
        return
    if not kind.is_number or isinstance(value, UnusableValue):   # an unusable value: check_unusable says it
        return
    if isinstance(value, str):
        number = parse_localized_number(value)
        if number is not None:
            percent = kind is Kind.PERCENT or column.key in percent_columns(
                table.sheet.key, input_values(table.sheet, row.values), ctx.inputs)
            yield ctx.finding("number-as-text", table, row, column.key, column=ctx.header(table, column.key), value=value,
                              number=_fmt_number(number, ctx.lang), repairable=typed_number(value, percent) is not None)
        else:
            yield ctx.finding("type-invalid", table, row, column.key, column=ctx.header(table, column.key), value=value,
                              expected=_EXPECTED[kind][ctx.lang == "en"])
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        yield ctx.finding("type-invalid", table, row, column.key, column=ctx.header(table, column.key), value=value,
                          expected=_EXPECTED[kind][ctx.lang == "en"])
        return
    low, high = column.minimum, column.maximum
    if kind is Kind.MONEY and low == 0 and value < 0:
        yield ctx.finding("negative-amount", table, row, column.key, column=ctx.header(table, column.key), value=_fmt_number(value, ctx.lang))
    elif (low is not None and value < low) or (high is not None and value > high) or (
            kind is Kind.INTEGER and not float(value).is_integer()):
        yield ctx.finding("value-out-of-range", table, row, column.key, column=ctx.header(table, column.key), value=value,
                          low=_fmt_number(low, ctx.lang) if low is not None else "-∞",
                          high=_fmt_number(high, ctx.lang) if high is not None else "+∞")


# --- integrity ------------------------------------------------------------------------------------------

_FUNCTION_PREFIX = re.compile(r"_xl(?:fn|ws|udf)\.", re.IGNORECASE)
_DOUBLE_BRACKET = re.compile(r"\[\[([^\[\],#]+)\]\]")
_STRING_OR_SPACE = re.compile(r'"(?:[^"]|"")*"|\s+')
_CONSTANT_CALL = re.compile(r"\b(true|false)\(\)")  # LibreOffice writes the constants as functions


@lru_cache(maxsize=4096)
def normalise_formula(formula: str) -> str:
    """Formula text compared modulo what writers legitimately change: case, spaces,
    function prefixes, ``[[Header]]`` written as ``[Header]``, ``FALSE()`` for ``FALSE``.

    >>> normalise_formula("=IF( _xlfn.X(tbl[[Coût]]) ,\\"a b\\")") == normalise_formula("if(x(tbl[coût]),\\"a b\\")")
    True
    """
    text = formula.lstrip("=")
    text = _FUNCTION_PREFIX.sub("", text)
    text = _DOUBLE_BRACKET.sub(r"[\1]", text)
    text = _STRING_OR_SPACE.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", text)
    return _CONSTANT_CALL.sub(r"\1", text.casefold())


def _same_value(expected: Any, cached: Any) -> bool:
    if expected is None:
        return blank(cached)
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return isinstance(cached, (int, float)) and math.isclose(float(cached), float(expected), rel_tol=1e-9, abs_tol=1e-9)
    return str(expected) == str(cached)


def cells_text(cells: Iterable[tuple[int, int]], limit: int = 6) -> str:
    """0-based (row, col) cells as A1 text, consecutive rows of a column joined into ranges.

    >>> cells_text([(4, 2), (5, 2), (6, 2), (9, 2), (9, 3)])
    'C5:C7, C10, D10'
    """
    runs: list[list[int]] = []   # [col, first row, last row]
    for r, c in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        if runs and runs[-1][0] == c and runs[-1][2] == r - 1:
            runs[-1][2] = r
        else:
            runs.append([c, r, r])
    runs.sort(key=lambda run: (run[1], run[0]))
    parts = [a1(r0, c) if r0 == r1 else f"{a1(r0, c)}:{a1(r1, c)}" for c, r0, r1 in runs[:limit]]
    return ", ".join(parts) + (", …" if len(runs) > limit else "")


_A1_REF = re.compile(r"""(?<![\w.$'\]!])(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?
    \$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>[0-9]+)(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>[0-9]+))?(?![\w(\[])""", re.VERBOSE)
_STRING = re.compile(r'"(?:[^"]|"")*"')


class CellReferences:
    """Turns the A1 references of a formula back into the structured references they stand for
    (LibreOffice writes ``Budget!$I$5:$I$56`` for ``tblBudget[[Prévisionnel]]`` after an .ods round trip)."""

    def __init__(self, plan: LocatedPlan):
        self.lang = plan.lang
        self.columns = {(t.worksheet, col): (t, key) for t in plan.tables.values() for key, col in t.columns.items()}

    def structured(self, formula: str, worksheet: str, sheet_row: int) -> str:
        def ref(m: re.Match) -> str:
            sheet = (m["sheet"] or worksheet).strip("'").replace("''", "'")
            found = self.columns.get((sheet, column_index(m["c1"])))
            if found is None:
                return m[0]
            table, key = found
            r1 = int(m["r1"]) - 1
            if m["c2"] is None:
                return structured_ref(table.sheet, key, self.lang) if r1 == sheet_row else m[0]
            if m["c2"] == m["c1"] and r1 == table.info.first_row + 1 and int(m["r2"]) - 1 == table.last_data_row:
                return structured_ref(table.sheet, key, self.lang, this_row=False)
            last = self.columns.get((sheet, column_index(m["c2"])))
            if r1 == sheet_row == int(m["r2"]) - 1 and last is not None and last[0] is table:   # this row's span
                return structured_span(table.sheet, key, last[1], self.lang)
            return m[0]

        parts, last = [], 0
        for m in _STRING.finditer(formula):
            parts += [_A1_REF.sub(ref, formula[last:m.start()]), m[0]]
            last = m.end()
        parts.append(_A1_REF.sub(ref, formula[last:]))
        return "".join(parts)


def _older_formulas(table: LocatedTable, computed: list[schema.Column], formulas: dict[tuple[int, int], str],
                    allowed: dict[str, frozenset[str]], references: CellReferences) -> dict[str, str]:
    """Column key -> the formula an older template wrote in that column, when it is not today's: the one most
    of the column's rows hold (a template writes the same formula on every row; a row whose formula differs
    from it was altered)."""
    out = {}
    for column in computed:
        col = table.columns[column.key]
        counts = Counter(normalise_formula(references.structured(formulas[(row.sheet_row, col)], table.worksheet,
                                                                 row.sheet_row))
                         for row in table.rows if (row.sheet_row, col) in formulas)
        if counts:
            formula, _ = counts.most_common(1)[0]
            if formula not in allowed[column.key]:
                out[column.key] = formula
    return out


def _following(broken: set[tuple[str, str, int | None]], lang: str) -> set[tuple[str, str, int | None]]:
    """The computed cells whose formulas read, directly or through other computed cells, one of the *broken*
    cells ((table key, column key, sheet row)): a row's cell when its formula reads the broken cell's row, the
    whole column (row None) when it reads the broken cell's whole column. Their results follow what the team
    typed, not the inputs: the typed cell is the one finding."""
    if not broken:
        return set()
    formulas = {(sheet.key, column.key): {column_formula(sheet, column, runtime, lang) for runtime in ("native", "xlwings")}
                for sheet in schema.TABLES for column in sheet.computed_columns}
    out = set(broken)
    todo = list(broken)
    while todo:
        table_key, key, row = todo.pop()
        source = schema.SHEETS_BY_KEY[table_key]
        this_row, whole = (structured_ref(source, key, lang, this_row=flag) for flag in (True, False))
        for (reader, column), texts in formulas.items():
            if any(whole in text for text in texts):
                hit: tuple[str, str, int | None] = (reader, column, None)
            elif reader == table_key and any(this_row in text for text in texts):
                hit = (reader, column, row)
            else:
                continue
            if hit not in out and (reader, column, None) not in out:
                out.add(hit)
                todo.append(hit)
    return out


def template_formulas(sheet: schema.Table, computed: Iterable[schema.Column], lang: str) -> dict[str, frozenset[str]]:
    """Column key -> the template's formulas of each computed column, for either runtime, normalised
    (:func:`normalise_formula`): what ``check`` accepts in its cells and ``repair`` restores."""
    return {c.key: _allowed_formulas(sheet, c, lang) for c in computed}


def computed_tables(plan: LocatedPlan) -> Iterator[tuple[LocatedTable, list[schema.Column], dict[tuple[int, int], str],
                                                         dict[str, frozenset[str]]]]:
    """Each table of *plan* with computed columns: the table, those of its computed columns found, its worksheet's
    formulas, and the template's formulas of each column (:func:`template_formulas`)."""
    for table in plan.tables.values():
        computed = [c for c in table.sheet.computed_columns if c.key in table.columns]
        if computed:
            yield table, computed, plan.raw.formulas(table.worksheet), template_formulas(table.sheet, computed, plan.lang)


def check_integrity(ctx: Context) -> Iterator[Finding]:
    """Computed columns: one finding per column and cause (typed values, missing formula, altered
    formula), with the count and the cells; one per table for the right formulas written as cell references
    (an ``.ods`` round trip rewrites them all); one per file for the tables whose calculated-column definitions
    a LibreOffice save dropped.

    In a file of an older template, a column whose formula that template wrote differently from today's
    is judged against its own formula (:func:`_older_formulas`) and its cached results, which today's
    computation cannot reproduce, are not compared."""
    plan = ctx.plan
    context = ctx.computed
    references = CellReferences(plan)
    recalculates = plan.raw.recalculates_on_open
    older = versions.status(plan.template_version) == "older"
    lost_tables: list[LocatedTable] = []
    stale: list[tuple[LocatedTable, LocatedRow, str, Any, Any]] = []   # cached results that differ from Python's
    broken: set[tuple[str, str, int | None]] = set()   # computed cells typed over, cleared or altered
    for table, computed, formulas, allowed in computed_tables(plan):
        sheet = table.sheet
        own = _older_formulas(table, computed, formulas, allowed, references) if older else {}
        groups: dict[tuple[str, str], list[tuple[LocatedRow, Any]]] = {}
        # Per column: its key, its place, the template's formulas, and the formula texts already found among them
        # (a table's rows share one text per column: each normalised once).
        columns: list[tuple[str, int, frozenset[str], set[str]]] = [
            (column.key, table.columns[column.key], allowed[column.key], set()) for column in computed]
        for position, row in enumerate(table.rows):
            expected = None
            sheet_row, get = row.sheet_row, row.values.get
            for key, col, allowed_formulas, known in columns:
                formula = formulas.get((sheet_row, col))
                cached = get(key)
                if formula is None:
                    cause = "formula-missing" if blank(cached) else "computed-overwritten"
                    groups.setdefault((key, cause), []).append((row, cached))
                    continue
                if formula in known:
                    pass
                elif normalise_formula(formula) in allowed_formulas:
                    known.add(formula)
                else:
                    same = normalise_formula(references.structured(formula, table.worksheet, row.sheet_row))
                    if key in own and same == own[key]:   # the older template's own formula
                        if same != normalise_formula(formula):
                            groups.setdefault((key, "formula-as-cell-references"), []).append((row, formula))
                        continue
                    cause = "formula-as-cell-references" if same in allowed_formulas else "formula-altered"
                    groups.setdefault((key, cause), []).append((row, formula))
                    if cause == "formula-altered":
                        continue
                if expected is None:
                    expected = context.computed_rows(sheet.key)[position][1]
                # A blank cache means "never calculated" (files saved by tools that do not
                # calculate, such as openpyxl), and a workbook marked to be recalculated on opening
                # (``actuals`` writes one) declares its caches stale: Excel recalculates both on opening.
                if not blank(cached) and not recalculates and not _same_value(expected[key], cached):
                    stale.append((table, row, key, cached, expected[key]))
        # One cause for the whole table: it went through .ods (cell addresses), rows came without formulas (a row
        # inserted in LibreOffice): one finding listing its columns and cells.
        for per_table in ("formula-missing", "formula-as-cell-references"):
            cells_of = sorted(((table.columns[key], row.sheet_row, key, row, sample) for (key, cause), items
                               in groups.items() if cause == per_table for row, sample in items), key=lambda i: i[:2])
            if not cells_of:
                continue
            broken.update((sheet.key, key, row.sheet_row) for _, _, key, row, _ in cells_of if per_table == "formula-missing")
            _, _, key, first, sample = min(cells_of, key=lambda i: (i[1], i[0]))
            extra = {"found": sample.lstrip("=")} if per_table == "formula-as-cell-references" else {}
            yield ctx.finding(per_table, table, first, key, table_name=sheet.table, count=len(cells_of),
                              cells=cells_text((r, c) for c, r, *_ in cells_of),
                              columns=", ".join(dict.fromkeys(ctx.header(table, k) for _, _, k, _, _ in cells_of)),
                              verbatim=("columns",), **extra)
        for (key, cause), items in sorted(groups.items(), key=lambda g: (table.columns[g[0][0]], g[0][1])):
            if cause in ("formula-missing", "formula-as-cell-references"):
                continue
            broken.update((sheet.key, key, row.sheet_row) for row, _ in items)
            first, sample = items[0]
            cells = cells_text((row.sheet_row, table.columns[key]) for row, _ in items)
            params: dict[str, Any] = {"column": ctx.header(table, key), "count": len(items), "cells": cells}
            if cause == "computed-overwritten":
                params["value"] = _fmt_number(sample, ctx.lang) if isinstance(sample, (int, float)) and not isinstance(
                    sample, bool) else repr(sample)
            else:
                params["found"] = sample.lstrip("=")
            yield ctx.finding(cause, table, first, key, **params)
        headers = {c.key: str(table.info.columns[table.columns[c.key] - table.info.first_col]) for c in computed}
        if any(headers[c.key] not in table.info.calculated for c in computed):
            lost_tables.append(table)
    following = _following(broken, plan.lang)
    by_table: dict[str, list[tuple[LocatedTable, LocatedRow, str, Any, Any]]] = {}
    for item in stale:   # a result that follows a typed cell is that cell's finding
        table, row, key = item[:3]
        if (table.sheet.key, key, row.sheet_row) not in following and (table.sheet.key, key, None) not in following:
            by_table.setdefault(table.sheet.key, []).append(item)
    for results in by_table.values():   # one cause per table (not recalculated, or an .xlsm LibreOffice cannot compute)
        table, row, key, cached, expected_value = results[0]
        yield ctx.finding("cached-value-mismatch", table, row, key, table_name=table.sheet.table, count=len(results),
                          cells=cells_text((r.sheet_row, table.columns[k]) for _, r, k, _, _ in results),
                          columns=", ".join(dict.fromkeys(ctx.header(table, k) for _, _, k, _, _ in results)),
                          column=ctx.header(table, key), cached=cached,
                          expected="" if expected_value is None else expected_value, verbatim=("columns",))
    if lost_tables:   # one cause, the file went through LibreOffice: one finding, at the first table
        first_table = lost_tables[0]
        yield ctx.finding("table-formulas-lost", first_table, cell=first_table.header_cell(0), count=len(lost_tables),
                          tables=", ".join(f"{t.worksheet} ({t.sheet.table})" for t in lost_tables),
                          verbatim=("tables",))


def _allowed_formulas(sheet: schema.Table, column: schema.Column, lang: str) -> frozenset[str]:
    """The formulas a computed column may hold (either runtime), normalised: rendered once per column of the
    schema and language, not once per file."""
    if schema.SHEETS_BY_KEY.get(sheet.key) is sheet:
        return _schema_formulas(sheet.key, column.key, lang, column_formula)
    return frozenset(normalise_formula(column_formula(sheet, column, runtime, lang)) for runtime in ("native", "xlwings"))


@lru_cache(maxsize=None)
def _schema_formulas(sheet_key: str, column_key: str, lang: str, render: Callable[..., str]) -> frozenset[str]:
    """The allowed formulas of a schema column as *render* (:func:`column_formula`, the key of the cache with
    the column: a different renderer is a different entry) writes them."""
    sheet = schema.SHEETS_BY_KEY[sheet_key]
    column = sheet.column(column_key)
    return frozenset(normalise_formula(render(sheet, column, runtime, lang)) for runtime in ("native", "xlwings"))


def check_number_formats(ctx: Context) -> Iterator[Finding]:
    """Number formats of the tables that a LibreOffice save scaled by accident (figures shown divided by
    1000, :mod:`mplan_xl.read.number_formats`): one finding for the file, its cells and conditional formats."""
    raw = ctx.plan.raw
    if not raw.scaled_formats:
        return
    cells: dict[str, set[tuple[int, int]]] = {}
    conditional = 0
    for table in ctx.plan.tables.values():
        scaled = raw.scaled_formats.get(table.worksheet)
        if scaled is None:
            continue
        top, bottom, left, right = table.info.first_row, table.info.last_row, table.info.first_col, table.info.last_col
        cells.setdefault(table.worksheet, set()).update(
            (r, c) for r, c in scaled.cells if top <= r <= bottom and left <= c <= right)
        conditional += sum(r0 <= bottom and r1 >= top and c0 <= right and c1 >= left
                           for (r0, c0), (r1, c1) in scaled.ranges)
    cells = {sheet: found for sheet, found in cells.items() if found}
    if not cells and not conditional:
        return
    first_sheet = next(iter(cells), None)
    colon = " :" if ctx.lang == "fr" else ":"
    yield ctx.finding("format-scaled", sheet=first_sheet, cell=a1(*min(cells[first_sheet])) if first_sheet else None,
                      count=sum(map(len, cells.values())), conditional=conditional,
                      cells="; ".join(f"{sheet}{colon} {cells_text(found, 3)}" for sheet, found in cells.items()),
                      format=" ; ".join(raw.scaled_format_codes) if ctx.lang == "fr" else "; ".join(raw.scaled_format_codes),
                      command=upgrade_command(raw.path), verbatim=("command", "format", "cells"))


def check_macros(ctx: Context) -> Iterator[Finding]:
    """VBA modules other than ours, and Excel 4 macro or dialog sheets (an old macro language
    still run by Excel, a classic way to hide code), are named in one finding."""
    raw = ctx.plan.raw
    foreign = [f"{name} (Excel 4)" for name, kind in raw.sheet_kinds.items() if kind in ("macrosheet", "dialogsheet")]
    if raw.has_vba:
        foreign += _foreign_modules(ctx)
    if foreign:
        yield ctx.finding("foreign-macros", modules=", ".join(foreign))


def _foreign_modules(ctx: Context) -> list[str]:
    from ..excel.vba import read_vba_modules
    from ..excel.vba_sources import document_code, vba_sources

    try:
        modules = read_vba_modules(ctx.plan.raw.vba_project or b"")
    except Exception:  # an unreadable VBA project is foreign by definition
        return ["vbaProject.bin"]
    xlwings = ctx.plan.runtime == "xlwings"
    sources = vba_sources() | document_code() if xlwings else {}
    ours = {name: _code(source) for name, source in sources.items()}
    # As LibreOffice saves them (it drops member attributes, marks class modules): the same code, ours too.
    resaved = {name: versions.vba_code_as_libreoffice_writes(source) for name, source in sources.items()}
    # Our modules as an older release embedded them are ours too (a plan made with that release).
    return sorted(name for name, source in modules.items()
                  if ((name in ours and _code(source) != ours[name]
                       and versions.vba_code_as_libreoffice_writes(source) != resaved[name])
                      or (name not in ours and _code(source)))
                  and not (xlwings and versions.is_released_vba(name, source)))


_code = versions.vba_code


def check_external_links(ctx: Context) -> Iterator[Finding]:
    for target in ctx.plan.raw.external_links:
        yield ctx.finding("external-link", target=target)


# --- plan logic -------------------------------------------------------------------------------------

def _ids(table: LocatedTable) -> dict[str, LocatedRow]:
    out: dict[str, LocatedRow] = {}
    for row in table.rows:
        key = id_key(row.id(table.sheet))
        if key and key not in out:
            out[key] = row
    return out


def check_ids_and_references(ctx: Context) -> Iterator[Finding]:
    tables = ctx.plan.tables
    for table in tables.values():
        sheet = table.sheet
        if not sheet.id_column or sheet.id_column not in table.columns:
            continue
        seen: dict[str, LocatedRow] = {}
        for row in table.rows:
            key = id_key(row.id(sheet))
            if not key:
                continue
            if key in seen:
                yield ctx.finding("duplicate-id", table, row, sheet.id_column, value=id_text(row.id(sheet)),
                                  first=seen[key].sheet_row + 1)
            else:
                seen[key] = row
    actions = tables.get("actions")
    if actions is not None and "campaign" in actions.columns:
        owners: dict[str, LocatedRow] = {}
        for row in actions.rows:
            key = id_key(row.values.get("campaign"))
            if not key:
                continue
            if key in owners:
                yield ctx.finding("campaign-duplicate", actions, row, "campaign", value=id_text(row.values["campaign"]),
                                  first=owners[key].sheet_row + 1)
            else:
                owners[key] = row
    for table in tables.values():
        for column in table.sheet.references:
            target = tables.get(column.ref_key)
            if target is None or column.key not in table.columns:
                continue
            ids = _ids(target)
            missing: dict[str, list[LocatedRow]] = {}   # one cause per id that matches nothing (an action deleted)
            for row in table.rows:
                value = row.values.get(column.key)
                if not blank(value) and id_key(value) not in ids:
                    missing.setdefault(id_key(value), []).append(row)
            col = table.columns[column.key]
            for rows in missing.values():
                yield ctx.finding("reference-unresolved", table, rows[0], column.key, column=ctx.header(table, column.key),
                                  value=id_text(rows[0].values[column.key]), count=len(rows),
                                  cells=cells_text((r.sheet_row, col) for r in rows),
                                  target=schema.worksheet_name(target.sheet.worksheet, ctx.plan.lang))
    objectives = tables.get("objectives")
    if objectives is not None and "parent_id" in objectives.columns:
        yield from _cycles(ctx, objectives)


def _cycles(ctx: Context, objectives: LocatedTable) -> Iterator[Finding]:
    parent = {id_key(r.id(objectives.sheet)): id_key(r.values.get("parent_id")) for r in objectives.rows
              if id_key(r.id(objectives.sheet)) and not blank(r.values.get("parent_id"))}
    rows = _ids(objectives)
    # Every row of _ids has an id, so each key has its id as text.
    shown = {k: text for k, row in rows.items() if (text := id_text(row.id(objectives.sheet))) is not None}
    reported: set[str] = set()
    for start in parent:
        path, node = [], start
        while node in parent and node not in path:
            path.append(node)
            node = parent[node]
        if node in path:
            cycle = path[path.index(node):]
            if not reported.intersection(cycle):
                reported.update(cycle)
                first = min(cycle, key=lambda k: rows[k].sheet_row)
                names = [shown[k] for k in (*cycle, cycle[0])]
                yield ctx.finding("reference-cycle", objectives, rows[first], "parent_id", cycle=" → ".join(names))


def check_objectives(ctx: Context) -> Iterator[Finding]:
    tables = ctx.plan.tables
    objectives = tables.get("objectives")
    if objectives is None:
        return
    sheet = objectives.sheet
    year = ctx.plan.year or 0
    for row, inputs in zip(objectives.rows, ctx.inputs["objectives"]):
        result = smart_check(statement=inputs.get("statement"), indicator=inputs.get("indicator"),
                             target=inputs.get("target"), unit=inputs.get("unit"), deadline=inputs.get("deadline"),
                             owner=inputs.get("owner"), plan_year=year, baseline=inputs.get("baseline"))
        if not result.ok and not result.blank:
            yield ctx.finding("objective-not-smart", objectives, row, "statement", detail=result.text(ctx.lang))
    children: dict[str, list[str]] = {}
    for row in objectives.rows:
        if not blank(row.values.get("parent_id")):
            children.setdefault(id_key(row.values["parent_id"]), []).append(id_key(row.id(sheet)))
    for rule, other in (("objective-without-action", "actions"), ("objective-without-kpi", "kpis")):
        linked_table = tables.get(other)
        if linked_table is None or "objective_id" not in linked_table.columns:
            continue
        linked = {id_key(r.values.get("objective_id")) for r in linked_table.rows}
        for row in objectives.rows:
            key = id_key(row.id(sheet))
            if key and not _covered(key, linked, children):
                yield ctx.finding(rule, objectives, row, "id")


def _covered(key: str, linked: set[str], children: dict[str, list[str]], seen: frozenset = frozenset()) -> bool:
    """An objective is covered when it, or one of its sub-objectives, is linked."""
    if key in linked:
        return True
    return any(_covered(child, linked, children, seen | {key}) for child in children.get(key, ()) if child not in seen)


def check_budget(ctx: Context) -> Iterator[Finding]:
    budget = ctx.plan.tables.get("budget")
    if budget is None:
        return
    number = lambda v: v if isinstance(v, (int, float)) and not isinstance(v, bool) else None  # noqa: E731
    for row in budget.rows:
        planned, actual = number(row.values.get("planned")), number(row.values.get("actual"))
        if planned is not None and actual is not None and actual > planned + 1e-9:
            yield ctx.finding("budget-actual-over-plan", budget, row, "actual", actual=_fmt_number(actual, ctx.lang),
                              planned=_fmt_number(planned, ctx.lang), excess=_fmt_number(actual - planned, ctx.lang))
    yield from _landing_over_plan(ctx, budget)
    envelope = number(ctx.plan.envelope)
    if envelope is not None and "planned" in budget.columns:
        total = sum(number(r.values.get("planned")) or 0 for r in budget.rows)
        if total > envelope + 1e-9:
            target = ctx.plan.raw.defined_names.get(schema.NAME_ENVELOPE, "")
            sheet, _, cell = target.lstrip("=").rpartition("!")
            yield ctx.finding("budget-over-envelope", sheet=sheet.strip("'") or None, cell=cell.replace("$", "") or None,
                              planned=_fmt_number(total, ctx.lang), envelope=_fmt_number(envelope, ctx.lang))


_LANDING_BASIS = {True: Label("réestimée par l'équipe", "re-forecast by the team"),
                  False: Label("réel à date, engagé et mois restants", "actual to date, committed and months left")}


def _landing_over_plan(ctx: Context, budget: LocatedTable) -> Iterator[Finding]:
    """The lines whose landing exceeds their planned amount, when the actual alone does not already (that line
    has its own finding, budget-actual-over-plan)."""
    if "landing" not in budget.columns or not isinstance(ctx.plan.year, int):
        return
    for row, (values, computed) in zip(budget.rows, ctx.computed.computed_rows("budget")):
        planned, landing = _amount(values.get("planned")), _amount(computed.get("landing"))
        if planned is None or landing is None or landing <= planned + LANDING_TOLERANCE:
            continue
        actual = _amount(values.get("actual"))
        if actual is not None and actual > planned + 1e-9:
            continue
        typed = _amount(values.get("reforecast")) is not None
        yield ctx.finding("budget-landing-over-plan", budget, row, "reforecast" if typed else "planned",
                          landing=_fmt_number(round(landing, 2), ctx.lang), planned=_fmt_number(planned, ctx.lang),
                          excess=_fmt_number(round(landing - planned, 2), ctx.lang), basis=_LANDING_BASIS[typed](ctx.lang))


def _amount(value: Any) -> float | None:
    """A number as SUM counts it (booleans and text left out), zero included."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


#: How far a line's months may be from its yearly amount: half a cent for each of twelve months rounded to the cent.
_MONTHS_TOLERANCE = 0.06


def check_months(ctx: Context) -> Iterator[Finding]:
    """The monthly tables: one row per line (or KPI) and series; a budget line's months add up to its yearly
    amount (planned, actual); values measured after the situation date are shown, since they do not count to date."""
    tables = ctx.plan.tables
    for months, ref, owner, yearly in ((tables.get("budget_months"), "line_id", tables.get("budget"),
                                        {"planned": "planned", "actual": "actual"}),
                                       (tables.get("kpi_months"), "kpi_id", tables.get("kpis"), {})):
        if months is None:
            continue
        by_id: dict[str, LocatedRow] = {}
        if owner is not None:
            for owner_row in owner.rows:
                by_id.setdefault(id_key(owner_row.id(owner.sheet)), owner_row)   # a duplicate id is its own finding
        series_list = months.sheet.column("series").choice_list
        seen: dict[tuple[str, str], LocatedRow] = {}
        late: dict[str, list[str]] = {}
        situation_month = tracking.month_of(ctx.plan.as_of)
        for row in months.rows:
            ref_id, series = row.values.get(ref), series_list.code_of(row.values.get("series"))
            if blank(ref_id) or series is None:
                continue
            label = series_list.label(series, ctx.lang)
            first = seen.setdefault((id_key(ref_id), series), row)
            if first is not row:
                yield ctx.finding("months-row-duplicate", months, row, "series", ref=id_text(ref_id), series=label,
                                  first=first.sheet_row)
            values = [row.values.get(k) for k in schema.MONTH_KEYS]
            if series == "actual":
                late.setdefault(label, []).extend(
                    cell for key, value in zip(schema.MONTH_KEYS[situation_month:], values[situation_month:])
                    if to_number(value, dates=True) is not None and (cell := months.cell(row, key)) is not None)
            line = by_id.get(id_key(ref_id))
            total = tracking.months_total(values)
            year = line.values.get(yearly[series]) if (line is not None and series in yearly) else None
            if total is not None and isinstance(year, (int, float)) and not isinstance(year, bool) \
                    and abs(total - year) > _MONTHS_TOLERANCE:
                yield ctx.finding("months-disagree", months, row, "series", series=label, line=id_text(ref_id),
                                  months=_fmt_number(total, ctx.lang), year=_fmt_number(year, ctx.lang))
        for label, cells in late.items():
            if cells:
                yield ctx.finding("months-after-situation", sheet=months.worksheet, cell=cells[0], series=label,
                                  count=len(cells), situation=tracking.situation_day(ctx.plan.as_of),
                                  cells=", ".join(cells[:5]) + ("…" if len(cells) > 5 else ""))
    yield from _check_results_months(ctx)


def _check_results_months(ctx: Context) -> Iterator[Finding]:
    """The Résultats mensuels: one row per action, whose months add up to the action's achieved gain."""
    results, actions = ctx.plan.tables.get("action_results"), ctx.plan.tables.get("actions")
    if results is None:
        return
    by_id = {} if actions is None else _ids(actions)
    seen: dict[str, LocatedRow] = {}
    for row in results.rows:
        ref_id = row.values.get("action_id")
        if blank(ref_id):
            continue
        first = seen.setdefault(id_key(ref_id), row)
        if first is not row:
            yield ctx.finding("months-row-duplicate", results, row, "action_id", ref=id_text(ref_id),
                              series=results.sheet.name(ctx.lang), first=first.sheet_row + 1)
            continue
        action = by_id.get(id_key(ref_id))
        total = tracking.months_total([row.values.get(k) for k in schema.MONTH_KEYS])
        gain = action.values.get("achieved_gain") if action is not None else None
        if total is not None and isinstance(gain, (int, float)) and not isinstance(gain, bool) \
                and abs(total - gain) > _MONTHS_TOLERANCE:
            yield ctx.finding("results-months-disagree", results, row, "action_id", action=id_text(ref_id),
                              months=_fmt_number(total, ctx.lang), year=_fmt_number(gain, ctx.lang))


#: Two values of one percentage row this many times apart are read as one typed in points, the other as a fraction.
PERCENT_GAP = 30
_PERCENT_TEXT = {
    "larger": Label("plus grand", "larger"), "smaller": Label("plus petit", "smaller"),
    "kpi": Label("le KPI {kpi} a {values}", "KPI {kpi} has {values}"),
}


def _fmt_share(value: float, lang: str) -> str:
    """A figure of a percentage row as typed, its small decimals kept (0,016)."""
    return format_number(value, lang, ",.6g") if abs(value) < 1e6 else _fmt_number(value, lang)


def _number_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value else None


def percent_outliers(values: dict[str, float], reference: dict[str, float]) -> list[tuple[str, str]]:
    """The values of a percentage row about 100 times off the others (:data:`PERCENT_GAP` apart or more), with
    ``"larger"`` or ``"smaller"``: sorted by size, the values split at their widest gap; the smaller group is
    flagged (the larger on a tie), the *reference* values (another row's) never.

    >>> percent_outliers({"baseline": 0.12, "target": 15, "actual": 0.13}, {})
    [('target', 'larger')]
    >>> percent_outliers({"m01": 2.3}, {"baseline": 0.016, "target": 0.022}), percent_outliers({"baseline": 1.8, "target": 2.2}, {})
    ([('m01', 'larger')], [])
    """
    both = {**{("ref", k): abs(v) for k, v in reference.items()}, **{("own", k): abs(v) for k, v in values.items()}}
    ordered = sorted(both, key=both.__getitem__)
    gaps = [(both[b] / both[a], i) for i, (a, b) in enumerate(zip(ordered, ordered[1:]), 1)]
    if not gaps or max(gaps)[0] < PERCENT_GAP:
        return []
    split = max(gaps)[1]
    low, high = ordered[:split], ordered[split:]
    if any(side == "ref" for side, _ in low) and any(side == "ref" for side, _ in high):
        return []   # the reference row disagrees with itself: its own finding
    refs_low = any(side == "ref" for side, _ in low)
    flagged, direction = ((high, "larger") if refs_low or (not any(side == "ref" for side, _ in high) and len(high) <= len(low))
                          else (low, "smaller"))
    return [(key, direction) for side, key in flagged if side == "own"]


def check_percentages(ctx: Context) -> Iterator[Finding]:
    """A figure of a percentage row about 100 times off the others: 15 typed where 0.15 (15 %) is meant."""
    lang, plan_lang = ctx.lang, ctx.plan.lang
    for spec in schema.UNIT_FIGURES:
        table = ctx.plan.tables.get(spec.table)
        if table is None:
            continue
        figures = [k for k in spec.figures if table.sheet.column(k).is_input and k in table.columns]
        owners: dict[str, dict[str, Any]] = {}
        if spec.via is not None:
            ref = table.sheet.column(spec.via).ref_key
            for owner in ctx.inputs.get(ref, []):
                owners.setdefault(id_key(owner.get("id")), owner)
        for row, inputs in zip(table.rows, ctx.inputs.get(spec.table, [])):
            if not percent_columns(spec.table, inputs, ctx.inputs):
                continue
            values = {k: v for k in figures if (v := _number_or_none(inputs.get(k))) is not None}
            reference: dict[str, float] = {}
            others_of = inputs
            if spec.via is not None:
                others_of = owners.get(id_key(inputs.get(spec.via)), {})
                owner_table = schema.SHEETS_BY_KEY[table.sheet.column(spec.via).ref_key]
                reference = {k: v for k in ("baseline", "target", "actual")
                             if (v := _number_or_none(others_of.get(k))) is not None}
            for key, direction in percent_outliers(values, reference):
                if spec.via is None:
                    rest = [(table.sheet.column(k).header(plan_lang), v) for k, v in values.items() if k != key]
                else:
                    rest = [(owner_table.column(k).header(plan_lang), v) for k, v in reference.items()]
                listed = ", ".join(f"{header} {_fmt_share(v, lang)}" for header, v in rest)
                if spec.via is not None:
                    listed = _PERCENT_TEXT["kpi"](lang).format(kpi=id_text(inputs.get(spec.via)), values=listed)
                value = values[key]
                shown = format_number(value * 100, lang, ",.0f") + (" %" if lang == "fr" else "%")
                yield ctx.finding("percent-scale", table, row, key, column=ctx.header(table, key),
                                  value=_fmt_share(value, lang), others=listed,
                                  direction=_PERCENT_TEXT[direction](lang), shown=shown)


def check_abandoned_actions(ctx: Context) -> Iterator[Finding]:
    review, actions = ctx.plan.tables.get("review"), ctx.plan.tables.get("actions")
    if review is None or actions is None:
        return
    abandoned = {fold(str(r.values.get("action"))): r for r in review.rows
                 if VERDICT.code_of(r.values.get("verdict")) == "abandon" and not blank(r.values.get("action"))}
    for row in actions.rows:
        title = row.values.get("title")
        if not blank(title) and fold(str(title)) in abandoned:
            earlier = abandoned[fold(str(title))]
            yield ctx.finding("abandoned-action-replanned", actions, row, "title", title=title,
                              review_id=id_text(earlier.id(review.sheet)) or earlier.sheet_row + 1)


def rows_below(plan: LocatedPlan, table: LocatedTable) -> int:
    """The last row (0-based) of the rows typed just below *table* that ``repair`` takes into it, as Excel grows a
    table over a row typed right below it: rows with values in at least
    :data:`~mplan_xl.workbook.guide_status.ROW_LIKE_CELLS` of its columns, with no gap, no other table there, and
    only below a table without a total row, within :data:`~mplan_xl.workbook.guide_status.BELOW_WINDOW` rows; the
    table's own last row when there is none."""
    info = table.info
    last = info.last_row
    if table.totals_rows or info.totals_row_count:
        return last
    grid = plan.raw.values(table.worksheet)
    others = [t.info for t in plan.tables.values() if t is not table and t.worksheet == table.worksheet]
    while last + 1 < min(len(grid), info.last_row + 1 + BELOW_WINDOW):   # as far down as check looks
        r = last + 1
        line = grid[r]
        filled = sum(1 for c in range(info.first_col, min(info.last_col + 1, len(line))) if not blank(line[c]))
        if filled < ROW_LIKE_CELLS or any(o.first_row <= r <= o.last_row and o.first_col <= info.last_col
                                           and o.last_col >= info.first_col for o in others):
            break
        last = r
    return last


def check_outside_tables(ctx: Context) -> Iterator[Finding]:
    """Values outside the tables of a data sheet: a row below a table that looks like one of its rows
    (values in at least :data:`~mplan_xl.workbook.guide_status.ROW_LIKE_CELLS` of its columns, within
    :data:`~mplan_xl.workbook.guide_status.BELOW_WINDOW` rows) is an error of its own; every other value, one warning per sheet."""
    tables_on: dict[str, list[LocatedTable]] = {}
    for table in ctx.plan.tables.values():
        tables_on.setdefault(table.worksheet, []).append(table)
    grown: dict[str, int] = {}

    def grows_to(table: LocatedTable) -> int:   # once per table: a sheet may have many rows below a table
        if table.sheet.key not in grown:
            grown[table.sheet.key] = rows_below(ctx.plan, table)
        return grown[table.sheet.key]
    for worksheet, cells in ctx.plan.outside.items():
        grid = ctx.plan.raw.values(worksheet)
        value = lambda r, c: grid[r][c] if r < len(grid) and c < len(grid[r]) else ""  # noqa: E731
        rest = set(cells)
        by_row: dict[int, list[int]] = {}
        for r, c in cells:
            if not blank(value(r, c)):
                by_row.setdefault(r, []).append(c)
        for r, cols in sorted(by_row.items()):
            for table in tables_on[worksheet]:
                info = table.info
                inside = [c for c in cols if info.first_col <= c <= info.last_col]
                if info.last_row < r <= info.last_row + BELOW_WINDOW and len(inside) >= ROW_LIKE_CELLS:
                    rest.difference_update((r, c) for c in inside)
                    yield ctx.finding("row-outside-table", table, sheet=worksheet, cell=a1(r, inside[0]), line=r + 1,
                                      cells=cells_text((r, c) for c in inside), table_name=table.sheet.table,
                                      repairable=r <= grows_to(table))
        if rest:
            first = min(rest)
            yield ctx.finding("value-outside-table", sheet=worksheet, cell=a1(*first), count=len(rest), cells=cells_text(rest))


CHECKS: tuple[Callable[[Context], Iterable[Finding]], ...] = (
    check_unusable, check_template, check_cells, check_outside_tables, check_integrity, check_number_formats,
    check_macros, check_external_links, check_ids_and_references, check_objectives, check_budget, check_months,
    check_percentages, check_abandoned_actions,
)


def upgrade_command(path: str | Path) -> str:
    """The command that moves the plan at *path* into the current template, its output beside it.

    >>> upgrade_command("retours/plan lumen.xlsx") == f"mplan-xl upgrade 'retours/plan lumen.xlsx' -o 'retours/plan lumen-{schema.TEMPLATE_VERSION}.xlsx'"
    True
    """
    path = Path(path)
    target = path.with_name(f"{path.stem}-{schema.TEMPLATE_VERSION}{path.suffix}")
    return f"mplan-xl upgrade {shlex.quote(str(path))} -o {shlex.quote(str(target))}"


@dataclass(frozen=True)
class Checked:
    """What checking a plan gives: its findings, and its budget at the situation date (None when the plan has no
    budget table or no year)."""

    findings: list[Finding]
    figures: dict[str, Any] | None = None
    #: The plan's figures as the checks computed them (:attr:`Context.computed`; None when no check needed them):
    #: :func:`~mplan_xl.read.plan_rows.plan_rows` reuses them rather than compute every table again.
    computed: PlanContext | None = None


def budget_figures(ctx: Context) -> dict[str, Any] | None:
    """The budget for the year and at the situation date, as the Guide shows it: planned, actual, planned and actual
    to date and their variance, and the year's landing, rounded to the cent."""
    plan = ctx.plan
    if "budget" not in plan.tables or not isinstance(plan.year, int):
        return None
    rows = ctx.computed.computed_rows("budget")
    def total(values: Iterable[Any]) -> float:   # as SUM adds a column: numbers only
        return round(numbers_total(values), 2)

    planned_to_date = total(c.get("planned_to_date") for _, c in rows)
    actual_to_date = total(c.get("actual_to_date") for _, c in rows)
    return {"as_of": tracking.situation_day(ctx.computed.as_of),
            "planned": total(r.get("planned") for r, _ in rows), "actual": total(r.get("actual") for r, _ in rows),
            "planned_to_date": planned_to_date, "actual_to_date": actual_to_date,
            "variance_to_date": round(actual_to_date - planned_to_date, 2),
            "landing": total(c.get("landing") for _, c in rows)}


def run_checks(plan: LocatedPlan, lang: str = "fr") -> list[Finding]:
    """Every finding of every check, in catalogue order, for one located plan."""
    return check_plan(plan, lang).findings


def check_plan(plan: LocatedPlan, lang: str = "fr",
               only: tuple[Callable[[Context], Iterable[Finding]], ...] | None = None) -> Checked:
    """Every finding of every check, in catalogue order, for one located plan, and its budget to date; with *only*,
    the findings of those checks of :data:`CHECKS` (and the template's version), without the budget."""
    inputs = {key: [input_values(t.sheet, r.values) for r in t.rows] for key, t in plan.tables.items()}
    for sheet in schema.TABLES:
        inputs.setdefault(sheet.key, [])
    ctx = Context(plan, lang, inputs)
    if plan.template_id != schema.TEMPLATE_ID and not plan.tables:
        return Checked([ctx.finding("not-mplan-workbook")])
    version = plan.template_version
    state = versions.status(version)
    if state in (None, "newer"):
        return Checked([ctx.finding("template-version-incompatible", found=version, supported=f"{SUPPORTED_MAJOR}.x")])
    findings: list[Finding] = []
    if state == "older":
        findings.append(ctx.finding("template-version-old", found=version, current=schema.TEMPLATE_VERSION,
                                    command=upgrade_command(plan.raw.path), verbatim=("command",)))
    for check in CHECKS if only is None else only:
        findings.extend(check(ctx))
    return Checked(findings, budget_figures(ctx) if only is None else None, ctx.__dict__.get("computed"))


__all__ = ["CHECKS", "CellReferences", "Checked", "Context", "budget_figures", "cells_text", "check_plan", "normalise_formula", "run_checks",
           "computed_tables", "rows_below", "template_formulas", "upgrade_command"]
