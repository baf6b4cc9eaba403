"""Map a raw workbook onto the schema: which table is where, which row is which, each value located.

:func:`locate_plan` takes what :mod:`mplan_xl.reader` read (values, formulas,
tables, names) and finds, for every table of :mod:`mplan_xl.schema`, its
columns by header (in the workbook's language, or the other one) and its
non-blank rows, with the A1 address of every cell. The validator checks this
located plan; :meth:`LocatedPlan.to_plan` turns it into a :class:`~mplan_xl.plan.Plan`
(codes for dropdowns, dates as dates) for the year-over-year tools.

Example:
    >>> located = locate_plan(read_workbook("plan.xlsx"))          # doctest: +SKIP
    >>> located.tables["actions"].rows[0].values["objective_id"]     # doctest: +SKIP
    'O1'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from . import schema
from .plan import Identity, Plan, PlanError
from .reader import RawWorkbook, TableInfo
from .schema import Kind, Sheet
from .vocabulary import LANGUAGES, fold

_CELL = re.compile(r"^'?(?P<sheet>.*?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


def a1(row: int, col: int) -> str:
    """A1 address of 0-based (row, col).

    >>> a1(0, 0), a1(6, 27)
    ('A1', 'AB7')
    """
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass
class LocatedRow:
    index: int                   # position among the table's data rows (0-based)
    sheet_row: int               # 0-based row on the worksheet
    values: dict[str, Any]       # column key -> value as read (computed columns: their cached result)

    def id(self, sheet: Sheet) -> Any:
        return self.values.get(sheet.id_column) if sheet.id_column else None


@dataclass
class LocatedTable:
    sheet: Sheet
    worksheet: str
    info: TableInfo
    columns: dict[str, int]                         # column key -> 0-based worksheet column (found headers only)
    rows: list[LocatedRow] = field(default_factory=list)
    header_problems: list[tuple[int, str, str]] = field(default_factory=list)  # (position, found, expected)

    def cell(self, row: LocatedRow, key: str) -> str | None:
        col = self.columns.get(key)
        return None if col is None else a1(row.sheet_row, col)

    def header_cell(self, position: int) -> str:
        return a1(self.info.first_row, self.info.first_col + position)


@dataclass
class LocatedPlan:
    raw: RawWorkbook
    lang: str
    runtime: str | None
    template_id: str | None
    template_version: str | None
    year: int | None
    envelope: Any
    company: Any
    tables: dict[str, LocatedTable]
    meta: dict[str, Any]

    def to_plan(self) -> Plan:
        """The plan's inputs as Python data: choice labels become codes, date serials dates."""
        try:
            identity = Identity(company=str(self.company or ""), year=int(self.year or 0),
                                currency=str(self.meta.get("currency") or "EUR"),
                                envelope=self.envelope if isinstance(self.envelope, (int, float)) else None)
        except PlanError:
            identity = Identity(company=str(self.company or ""))
        plan = Plan(identity)
        for key, table in self.tables.items():
            plan.tables[key] = [input_values(table.sheet, row.values) for row in table.rows]
        return plan


def input_values(sheet: Sheet, values: dict[str, Any]) -> dict[str, Any]:
    """The row's input values normalised: choice codes, dates, None for blanks."""
    out: dict[str, Any] = {}
    for column in sheet.input_columns:
        value = values.get(column.key)
        if value == "" or value is None:
            value = None
        elif column.choices is not None:
            value = column.choices.code_of(value) or value
        elif column.kind is Kind.DATE:
            value = as_date(value)
        elif isinstance(value, float) and value.is_integer() and column.kind in (Kind.INTEGER, Kind.ID, Kind.REF):
            value = int(value)
        out[column.key] = value
    return out


EXCEL_EPOCH = dt.date(1899, 12, 30)


def as_date(value: Any) -> Any:
    """A date for date-like values (datetime, date, Excel serial); anything else unchanged."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    return value


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_meta(raw: RawWorkbook) -> dict[str, Any]:
    """The hidden metadata sheet as a dict (empty when absent), document properties as fallback."""
    meta: dict[str, Any] = {}
    for key, value in raw.custom_properties.items():
        if key.startswith("mplan_"):
            meta[key[len("mplan_"):]] = value
    if schema.META_SHEET in raw.sheet_names:
        for row in raw.values(schema.META_SHEET)[1:]:
            if len(row) >= 2 and isinstance(row[0], str) and row[0]:
                meta[row[0]] = row[1]
    return meta


def named_value(raw: RawWorkbook, name: str) -> Any:
    """The value of the single cell a defined name points at (None when absent)."""
    target = raw.defined_names.get(name)
    match = _CELL.match(target.lstrip("=")) if target else None
    if not match:
        return None
    sheet = match["sheet"].replace("''", "'")
    if sheet not in raw.sheet_names:
        return None
    grid = raw.values(sheet)
    r, c = int(match["row"]) - 1, _col_index(match["col"])
    return grid[r][c] if r < len(grid) and c < len(grid[r]) else None


def _detect_lang(meta: dict[str, Any], raw: RawWorkbook) -> str:
    lang = str(meta.get("lang") or "")
    if lang in LANGUAGES:
        return lang
    for candidate in LANGUAGES:
        if schema.worksheet_name("objectives", candidate) in raw.sheet_names:
            return candidate
    return "fr"


def _locate_table(raw: RawWorkbook, sheet: Sheet, info: TableInfo, lang: str) -> LocatedTable:
    expected = sheet.headers(lang)
    other = {fold(c.header(lg)): c.key for lg in LANGUAGES for c in sheet.columns}
    found = [str(h) for h in info.columns]
    columns: dict[str, int] = {}
    problems = []
    for position, header in enumerate(found):
        key = other.get(fold(header))
        if key is not None and key not in columns:
            columns[key] = info.first_col + position
        if position >= len(expected) or fold(header) != fold(expected[position]):
            problems.append((position, header, expected[position] if position < len(expected) else ""))
    for position in range(len(found), len(expected)):
        problems.append((position, "", expected[position]))
    table = LocatedTable(sheet, info.sheet, info, columns, header_problems=problems)
    grid = raw.values(info.sheet)
    input_cols = {c.key for c in sheet.input_columns}
    # A Table's total row (its last totals_row_count rows) holds totals, not data.
    for i, r in enumerate(range(info.first_row + 1, info.last_row + 1 - info.totals_row_count)):
        line = grid[r] if r < len(grid) else []
        values = {key: (line[c] if c < len(line) else "") for key, c in columns.items()}
        if all(blank(values.get(k)) for k in input_cols if k in values):
            continue
        table.rows.append(LocatedRow(i, r, values))
    return table


def locate_plan(raw: RawWorkbook) -> LocatedPlan:
    """Find every schema table of *raw* and its rows; tables that are missing are left out."""
    meta = read_meta(raw)
    lang = _detect_lang(meta, raw)
    tables = {}
    for sheet in schema.TABLES:
        info = raw.tables.get(sheet.table)
        if info is not None:
            tables[sheet.key] = _locate_table(raw, sheet, info, lang)
    year = named_value(raw, schema.NAME_YEAR)
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    return LocatedPlan(
        raw=raw, lang=lang, runtime=meta.get("runtime"), template_id=meta.get("template_id"),
        template_version=None if meta.get("template_version") in (None, "") else str(meta["template_version"]),
        year=year if isinstance(year, int) else _int(meta.get("year")),
        envelope=named_value(raw, schema.NAME_ENVELOPE), company=named_value(raw, schema.NAME_COMPANY),
        tables=tables, meta=meta)


def _int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None
