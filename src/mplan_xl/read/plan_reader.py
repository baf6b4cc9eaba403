"""Map a raw workbook onto the schema: which table is where, which row is which, each value located.

:func:`locate_plan` takes what :mod:`mplan_xl.read.reader` read (values, formulas,
tables, names) and finds, for every table of :mod:`mplan_xl.core.schema`, its
columns by header (in the workbook's language, or the other one) and its
non-blank rows, with the A1 address of every cell. The validator checks this
located plan; :meth:`LocatedPlan.to_plan` turns it into a :class:`~mplan_xl.core.plan.Plan`
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

from ..core import schema, versions
from ..core.a1 import cell_name as a1
from ..core.a1 import column_index
from ..core.computed import situation_date
from ..core.numbers import is_blank, serial_to_date, to_number
from ..core.plan import Identity, Plan, PlanError
from ..core.schema import Kind, Table
from ..core.vocabulary import LANGUAGES, fold
from .reader import RawWorkbook, SheetModel, TableInfo

_CELL = re.compile(r"^'?(?P<sheet>.*?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


@dataclass
class LocatedRow:
    index: int                   # position among the table's data rows (0-based)
    sheet_row: int               # 0-based row on the worksheet
    values: dict[str, Any]       # column key -> value as read (computed columns: their cached result)

    def id(self, sheet: Table) -> Any:
        return self.values.get(sheet.id_column) if sheet.id_column else None


@dataclass
class LocatedTable:
    sheet: Table
    worksheet: str
    info: TableInfo
    columns: dict[str, int]                         # column key -> 0-based worksheet column (found headers only)
    rows: list[LocatedRow] = field(default_factory=list)
    #: Rows with inputs that do not make them part of the plan (an untouched starter KPI).
    suggestions: list[LocatedRow] = field(default_factory=list)
    header_problems: list[tuple[int, str, str]] = field(default_factory=list)  # renamed: (position, found, expected)
    missing: list[str] = field(default_factory=list)                 # keys of columns of the file's version not found
    unknown: list[tuple[int, str]] = field(default_factory=list)     # columns the schema does not know: (position, header)
    totals_rows: int = 0                                             # rows at the end that are the total row

    def cell(self, row: LocatedRow, key: str) -> str | None:
        col = self.columns.get(key)
        return None if col is None else a1(row.sheet_row, col)

    def header_cell(self, position: int) -> str:
        return a1(self.info.first_row, self.info.first_col + position)

    @property
    def last_data_row(self) -> int:
        """0-based worksheet row of the last data row (a totals row is not data)."""
        return self.info.last_row - self.totals_rows


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
    #: The situation date typed on the Guide (None: blank, or an older template without one).
    situation: dt.date | None = None
    #: The situation date the workbook last computed with (the cached value of ``mplan_as_of``), a serial number.
    computed_as_of: float | None = None
    #: Per worksheet holding tables: the non-empty cells (0-based row, col) outside every table,
    #: below the title rows (those above the first table's header).
    outside: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def as_of(self) -> Any:
        """The situation date the figures to date are judged at: the one the workbook last computed with, else the
        typed one, else today (within the plan year); None without a plan year."""
        if self.computed_as_of is not None:
            return self.computed_as_of
        if isinstance(self.year, int) and schema.MIN_YEAR <= self.year <= schema.MAX_YEAR:
            return situation_date(self.year, self.situation)
        return None

    def to_plan(self) -> Plan:
        """The plan's inputs as Python data: choice labels become codes, date serials dates, the percentages of an
        older template's points fractions (:func:`mplan_xl.core.versions.percent_to_fractions`)."""
        try:
            identity = Identity(company=str(self.company or ""), year=int(self.year or 0),
                                currency=str(self.meta.get("currency") or "EUR"),
                                envelope=self.envelope if isinstance(self.envelope, (int, float)) else None,
                                situation=self.situation)
        except PlanError:
            identity = Identity(company=str(self.company or ""))
        plan = Plan(identity)
        for key, table in self.tables.items():
            rows = sorted(table.rows + table.suggestions, key=lambda row: row.sheet_row)
            plan.tables[key] = [input_values(table.sheet, row.values) for row in rows]
        versions.percent_to_fractions(plan.tables, self.template_version)   # an older file's points
        return plan


def input_values(sheet: Table, values: dict[str, Any]) -> dict[str, Any]:
    """The row's input values normalised: choice codes, dates, None for blanks."""
    out: dict[str, Any] = {}
    get = values.get
    for key, code_of, is_date, whole in _input_plan(sheet):
        value = get(key)
        if value == "" or value is None:
            value = None
        elif code_of is not None:
            value = code_of(value) or value
        elif is_date:
            value = as_date(value)
        elif whole and isinstance(value, float) and value.is_integer():
            value = int(value)
        out[key] = value
    return out


_WHOLE_KINDS = (Kind.INTEGER, Kind.ID, Kind.REF)
_INPUT_PLANS: dict[int, tuple[Table, tuple[tuple[str, Any, bool, bool], ...]]] = {}


def _input_plan(sheet: Table) -> tuple[tuple[str, Any, bool, bool], ...]:
    """What :func:`input_values` does with each input column of *sheet*, worked out once per table:
    (key, the choice list's ``code_of`` or None, a date column, a column of whole numbers)."""
    known = _INPUT_PLANS.get(id(sheet))
    if known is None or known[0] is not sheet:
        if len(_INPUT_PLANS) > 256:   # the schema's tables are a few dozen: never reached but by a bug
            _INPUT_PLANS.clear()
        plan = tuple((c.key, c.choices.code_of if c.choices is not None else None, c.kind is Kind.DATE,
                      c.kind in _WHOLE_KINDS) for c in sheet.input_columns)
        known = _INPUT_PLANS[id(sheet)] = (sheet, plan)
    return known[1]


def as_date(value: Any) -> Any:
    """A date for date-like values (datetime, date, Excel serial, read by :func:`~mplan_xl.core.numbers.serial_to_date`
    as the metrics core reads them); anything else unchanged.

    >>> as_date(61.0), as_date("x")
    (datetime.date(1900, 3, 1), 'x')
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        day = serial_to_date(value)
        return value if day is None else day
    return value


blank = is_blank


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


def thresholds(raw: RawWorkbook) -> dict[str, float]:
    """The KPI status thresholds the workbook's named cells hold (``on_track``, ``at_risk``), as
    :class:`~mplan_xl.core.computed.PlanContext` takes them: a name missing or not a number is left out."""
    values = {key: to_number(named_value(raw, name)) for key, name in (("on_track", schema.NAME_ON_TRACK),
                                                                      ("at_risk", schema.NAME_AT_RISK))}
    return {key: value for key, value in values.items() if value is not None}


def named_cell(raw: RawWorkbook, name: str) -> tuple[str, int, int] | None:
    """(worksheet, 0-based row, 0-based column) of the single cell a defined name points at (None when absent)."""
    target = raw.defined_names.get(name)
    match = _CELL.match(target.lstrip("=")) if target else None
    if not match:
        return None
    sheet = match["sheet"].replace("''", "'")
    if sheet not in raw.sheet_names:
        return None
    return sheet, int(match["row"]) - 1, column_index(match["col"])


def named_value(raw: RawWorkbook, name: str) -> Any:
    """The value of the single cell a defined name points at (None when absent)."""
    cell = named_cell(raw, name)
    if cell is None:
        return None
    sheet, r, c = cell
    grid = raw.values(sheet)
    return grid[r][c] if r < len(grid) and c < len(grid[r]) else None


def _detect_lang(meta: dict[str, Any], raw: RawWorkbook) -> str:
    lang = str(meta.get("lang") or "")
    if lang in LANGUAGES:
        return lang
    for candidate in LANGUAGES:
        if schema.worksheet_name("objectives", candidate) in raw.sheet_names:
            return candidate
    return "fr"


def _match_headers(sheet: Table, found: list[str], lang: str, version: str | None = None,
                   ) -> tuple[dict[str, int], list[tuple[int, str, str]], list[str], list[tuple[int, str]]]:
    """Columns located by header, in either language and in any order; in a file of an older template
    *version*, also under the headers that version gave them (:func:`mplan_xl.core.versions.header_aliases`).

    Returns (key -> position, renamed, missing keys, unknown): a schema column whose header is not found
    and a header the schema does not know, at the place where that column would be (between the same
    located neighbours), is one renamed header; other unknown headers are columns the team added, other
    missing columns are missing. A column the file's template version did not have yet is found by its
    header only, never missing nor renamed.
    """
    by_header = {fold(c.header(lg)): c.key for lg in LANGUAGES for c in sheet.columns}
    for old_header, aliased in versions.header_aliases(version).get(sheet.key, {}).items():
        by_header.setdefault(old_header, aliased)
    expected = versions.expected_columns(version, sheet.key)
    positions: dict[str, int] = {}
    strangers: list[int] = []
    for position, header in enumerate(found):
        key = by_header.get(fold(header))
        if key is not None and key not in positions:
            positions[key] = position
        else:
            strangers.append(position)
    order = [c.key for c in sheet.columns]
    renamed, missing = [], []
    for i, key in enumerate(order):
        if key in positions or (expected is not None and key not in expected):
            continue
        before = max((positions[k] for k in order[:i] if k in positions), default=-1)
        after = min((positions[k] for k in order[i + 1:] if k in positions), default=len(found))
        candidate = next((p for p in strangers if before < p < after), None)
        if candidate is None:
            missing.append(key)
        else:
            strangers.remove(candidate)
            renamed.append((candidate, found[candidate], sheet.column(key).header(lang)))
    return positions, renamed, missing, [(p, found[p]) for p in strangers]


def _locate_table(model: SheetModel, sheet: Table, info: TableInfo, lang: str, version: str | None) -> LocatedTable:
    found = [str(h) for h in info.columns]
    positions, renamed, missing, unknown = _match_headers(sheet, found, lang, version)
    columns = {key: info.first_col + p for key, p in positions.items()}
    table = LocatedTable(sheet, info.sheet, info, columns, header_problems=renamed, missing=missing, unknown=unknown,
                         totals_rows=info.totals_row_count or _unmarked_total_row(model, sheet, info, columns))
    grid = model.values
    use_cols = [k for k in (c.key for c in sheet.use_columns) if k in columns]
    input_cols = [c.key for c in sheet.input_columns if c.key in columns]
    first, last = info.first_col, info.last_col + 1
    for i, r in enumerate(range(info.first_row + 1, table.last_data_row + 1)):
        line = grid[r] if r < len(grid) else []
        span = line[first:last]
        if span.count("") == len(span):   # an empty row (a template offers many): no value to look at
            continue
        values = {key: (line[c] if c < len(line) else "") for key, c in columns.items()}
        if not all(blank(values[k]) for k in use_cols):
            table.rows.append(LocatedRow(i, r, values))
        elif not all(blank(values[k]) for k in input_cols):
            table.suggestions.append(LocatedRow(i, r, values))
    return table


def _unmarked_total_row(model: SheetModel, sheet: Table, info: TableInfo, columns: dict[str, int]) -> int:
    """1 when the table's last row is its total row though the file does not mark it (an ``.ods`` round trip
    drops the marking): a SUBTOTAL formula in every total column found, no other formula; else 0."""
    totals = [columns[c.key] for c in sheet.columns if c.total and c.key in columns]
    if not totals or info.last_row <= info.first_row:
        return 0
    formulas = {c: f for (r, c), f in model.formulas.items()
                if r == info.last_row and info.first_col <= c <= info.last_col}
    is_total = all(formulas.get(c, "").upper().startswith("SUBTOTAL(") for c in totals)
    return int(is_total and set(formulas) <= set(totals))


def _outside_cells(model: SheetModel, infos: list[TableInfo]) -> list[tuple[int, int]]:
    """Non-empty cells of *worksheet* outside its tables, from the first table's header row down
    (what the Guide's live count of values outside the tables counts: COUNTA of the sheet minus the tables).

    Rows are taken in bands crossed by the same tables, so only the columns between and beside those
    tables are looked at (none at all on a sheet whose tables fill its width)."""
    grid, formulas = model.values, model.formulas
    top = min(i.first_row for i in infos)
    width = max([max(map(len, grid), default=0)] + [c + 1 for _, c in formulas])
    height = max([len(grid)] + [r + 1 for r, _ in formulas])
    edges = sorted({top, height} | {i.first_row for i in infos} | {i.last_row + 1 for i in infos})
    cells = []
    for start, end in zip(edges, edges[1:]):
        if start < top or start >= height:
            continue
        covered = [(i.first_col, i.last_col) for i in infos if i.first_row <= start <= i.last_row]
        gaps = [c for c in range(width) if not any(first <= c <= last for first, last in covered)]
        for r in range(start, min(end, height)) if gaps else ():
            line = grid[r] if r < len(grid) else ()
            cells += [(r, c) for c in gaps if (c < len(line) and line[c] != "" and line[c] is not None)
                      or (r, c) in formulas]
    return cells


def locate_plan(raw: RawWorkbook) -> LocatedPlan:
    """Find every schema table of *raw* and its rows; tables that are missing are left out.

    Data flows one way: each worksheet holding a table is read once into its
    :class:`~mplan_xl.read.reader.SheetModel` (values and formulas from one read of its part), and locating
    maps that model onto the schema; nothing here asks the raw workbook for a sheet twice.

    A file of an older template version is read as what it is: its columns are also found under the
    headers that version gave them, and the columns added since are not missing (:mod:`mplan_xl.core.versions`)."""
    meta = read_meta(raw)
    lang = _detect_lang(meta, raw)
    version = None if meta.get("template_version") in (None, "") else str(meta["template_version"])
    tables = {}
    for sheet in schema.TABLES:
        info = raw.tables.get(sheet.table)
        if info is not None:
            tables[sheet.key] = _locate_table(raw.sheet(info.sheet), sheet, info, lang, version)
    by_sheet: dict[str, list[TableInfo]] = {}
    for table in tables.values():
        by_sheet.setdefault(table.worksheet, []).append(table.info)
    outside = {name: cells for name, infos in by_sheet.items() if (cells := _outside_cells(raw.sheet(name), infos))}
    year = named_value(raw, schema.NAME_YEAR)
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    return LocatedPlan(
        raw=raw, lang=lang, runtime=meta.get("runtime"), template_id=meta.get("template_id"),
        template_version=version,
        year=year if isinstance(year, int) else _int(meta.get("year")),
        envelope=named_value(raw, schema.NAME_ENVELOPE), company=named_value(raw, schema.NAME_COMPANY),
        tables=tables, meta=meta, outside=outside, situation=_date_or_none(named_value(raw, schema.NAME_SITUATION)),
        computed_as_of=to_number(named_value(raw, schema.NAME_AS_OF), dates=True))


def _date_or_none(value: Any) -> dt.date | None:
    day = as_date(value)
    return day if isinstance(day, dt.date) else None


def _int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None
