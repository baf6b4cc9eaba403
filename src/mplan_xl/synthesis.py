"""The figures of the Synthèse (one-page summary) and of the SWOT matrix: formulas and Python, side by side.

Each figure is computed here in Python from the plan's tables and rendered as
the Excel formula the workbook carries; the builder writes the Python value as
the cell's cached result and a LibreOffice test recalculates the formulas and
compares. Lists (next actions, the items of a SWOT quadrant, the objectives
and KPIs shown) are picked by position in their table, so the formulas use
only ``INDEX``, ``SMALL`` and ``COUNTIFS``, which Excel 2010+ and LibreOffice
share.

- *Situation date* (:data:`mplan_xl.schema.NAME_AS_OF`): the date typed on the
  Guide, or today, kept within the plan year (1 January before it starts,
  31 December after it ends): :func:`mplan_xl.computed.situation_date`.
- *Late action*: an end date before the situation date while the status is
  neither done nor cancelled.
- *Next actions*: actions neither done nor cancelled whose end date is on or
  after the situation date, by start date (then table order).
- *Objective status*: the worst status of the KPIs measuring it (off track,
  then at risk, then on track); blank without a KPI status.
- *SWOT matrix*: the items of each quadrant by weight, heaviest first (blank
  weight counts as 0), then table order.

Domain core: no Excel library is imported.

Example:
    >>> serial(dt.date(2027, 6, 30))
    46568.0
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence, overload

from . import schema
from .computed import PlanContext, compute_row, situation_date, structured_ref
from .numbers import date_to_serial, is_blank
from .plan import id_key
from .schema import ACTIONS, KPIS, SWOT
from .vocabulary import ACTION_STATUS, KPI_STATUS, SWOT_QUADRANT

Tables = Mapping[str, Sequence[Mapping[str, Any]]]

#: Action statuses that close an action: it is neither late nor next.
CLOSED_STATUSES = ("done", "cancelled")
#: KPI statuses from worst to best: an objective shows the worst of its KPIs.
STATUS_ORDER = ("off_track", "at_risk", "on_track")
#: A position key is start (or weight rank) × this + the row's position in its table.
_POSITIONS = 100000

#: The situation date the workbook computes: the typed one, or today, kept within the plan year.
AS_OF_FORMULA = (f"MIN(MAX(IF(ISNUMBER({schema.NAME_SITUATION}),{schema.NAME_SITUATION},TODAY()),"
                 f"DATE({schema.NAME_YEAR},1,1)),DATE({schema.NAME_YEAR},12,31))")


@overload
def serial(value: dt.date) -> float: ...
@overload
def serial(value: Any) -> float | None: ...
def serial(value: Any) -> float | None:
    """Excel's serial number of a date (the number a date cell holds); None for anything else.

    >>> serial(dt.date(2027, 1, 1))
    46388.0
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return date_to_serial(value)
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _open(action: Mapping[str, Any]) -> bool:
    return not is_blank(action.get("id")) and ACTION_STATUS.code_of(action.get("status")) not in CLOSED_STATUSES


def is_late(action: Mapping[str, Any], as_of: dt.date) -> bool:
    end = serial(action.get("end"))
    return _open(action) and end is not None and end < serial(as_of)


def late_actions(tables: Tables, as_of: dt.date) -> int:
    return sum(1 for a in tables.get("actions", []) if is_late(a, as_of))


def next_actions(tables: Tables, as_of: dt.date, limit: int) -> list[int]:
    """Positions (0-based, in the Actions table) of the next *limit* open actions."""
    keys = []
    for pos, a in enumerate(tables.get("actions", [])):
        start, end = serial(a.get("start")), serial(a.get("end"))
        if _open(a) and start is not None and end is not None and end >= serial(as_of):
            keys.append((start, pos))
    return [pos for _, pos in sorted(keys)[:limit]]


def swot_items(tables: Tables, quadrant: str) -> list[int]:
    """Positions (0-based, in the SWOT table) of the items of *quadrant*, heaviest first."""
    keys = []
    for pos, row in enumerate(tables.get("swot", [])):
        if SWOT_QUADRANT.code_of(row.get("quadrant")) == quadrant and not is_blank(row.get("item")):
            weight = _number(row.get("weight")) or 0.0
            keys.append((10 - weight, pos))
    return [pos for _, pos in sorted(keys)]


def objective_status(objective_id: Any, kpi_statuses: Sequence[tuple[Any, Any]]) -> str | None:
    """The worst status code among ``(objective id, status code)`` pairs of this objective; None without any."""
    if is_blank(objective_id):
        return None
    found = {code for oid, code in kpi_statuses if not is_blank(oid) and id_key(oid) == id_key(objective_id)}
    return next((code for code in STATUS_ORDER if code in found), None)


class Figures:
    """Everything the Synthèse and the SWOT matrix show, computed once from a plan."""

    def __init__(self, tables: Tables, year: int, lang: str, envelope: Any, as_of: dt.date | None = None):
        self.tables, self.lang, self.envelope = tables, lang, envelope
        self.as_of = as_of or situation_date(year)
        context = PlanContext(tables, year, as_of=self.as_of, lang=lang)
        self.computed = {key: [compute_row(schema.SHEETS_BY_KEY[key], row, context, lang) if row else {}
                               for row in tables.get(key, [])] for key in ("objectives", "actions", "kpis")}
        self.kpi_status_codes = [(row.get("objective_id"), KPI_STATUS.code_of(c.get("status")))
                                 for row, c in zip(tables.get("kpis", []), self.computed["kpis"])]

    def value(self, table: str, position: int, key: str) -> Any:
        """What cell *key* of row *position* of *table* shows: an input, or a computed column."""
        rows = self.tables.get(table, [])
        if position >= len(rows):
            return None
        column = schema.SHEETS_BY_KEY[table].column(key)
        if column.is_input:
            value = rows[position].get(key)
            if column.choices is not None and value in column.choices.codes:
                return column.choices.label(value, self.lang)
            return value
        return self.computed[table][position].get(key)

    def budget(self, key: str) -> float:
        return sum(_number(r.get(key)) or 0.0 for r in self.tables.get("budget", []))

    def kpi_count(self, status: str) -> int:
        return sum(1 for _, code in self.kpi_status_codes if code == status)

    def smart_ok(self) -> int:
        return sum(1 for c in self.computed["objectives"] if c.get("smart") == "OK")

    def objectives(self) -> int:
        return sum(1 for r in self.tables.get("objectives", []) if not is_blank(r.get("id")))

    def objective_budget(self, objective_id: Any) -> float | None:
        if is_blank(objective_id):
            return None
        return sum(_number(c.get("budget")) or 0.0 for a, c in zip(self.tables.get("actions", []), self.computed["actions"])
                   if not is_blank(a.get("objective_id")) and id_key(a["objective_id"]) == id_key(objective_id))


# --- formulas -------------------------------------------------------------------------------------------

def column(sheet: schema.Table, key: str, lang: str) -> str:
    return structured_ref(sheet, key, lang, this_row=False)


def _position(sheet: schema.Table, key: str, lang: str) -> str:
    ref = column(sheet, key, lang)
    return f"(ROW({ref})-MIN(ROW({ref}))+1)"


def indexed(sheet: schema.Table, key: str, position: str, lang: str) -> str:
    """The cell of column *key* at *position* (an Excel expression, 1-based), blank for a blank cell."""
    ref = column(sheet, key, lang)
    return f'IF(INDEX({ref},{position})="","",INDEX({ref},{position}))'


def next_action_position(k: int, lang: str) -> str:
    """Array expression: the 1-based position in the Actions table of the *k*-th next action."""
    c = {key: column(ACTIONS, key, lang) for key in ("id", "start", "end", "status")}
    closed = "*".join(f'({c["status"]}<>"{ACTION_STATUS.label(code, lang)}")' for code in CLOSED_STATUSES)
    condition = (f'({c["id"]}<>"")*ISNUMBER({c["start"]})*ISNUMBER({c["end"]})*({c["end"]}>={schema.NAME_AS_OF})'
                 f"*{closed}")
    return f"MOD(SMALL(IF({condition},{c['start']}*{_POSITIONS}+{_position(ACTIONS, 'id', lang)}),{k}),{_POSITIONS})"


def late_actions_formula(lang: str) -> str:
    c = {key: column(ACTIONS, key, lang) for key in ("id", "end", "status")}
    closed = "*".join(f'({c["status"]}<>"{ACTION_STATUS.label(code, lang)}")' for code in CLOSED_STATUSES)
    return f'SUMPRODUCT(({c["id"]}<>"")*ISNUMBER({c["end"]})*({c["end"]}<{schema.NAME_AS_OF})*{closed})'


def swot_position(quadrant: str, k: int, lang: str) -> str:
    """Array expression: the 1-based position in the SWOT table of the *k*-th item of *quadrant*."""
    q, item, weight = (column(SWOT, key, lang) for key in ("quadrant", "item", "weight"))
    label = SWOT_QUADRANT.label(quadrant, lang)
    return (f'MOD(SMALL(IF(({q}="{label}")*({item}<>""),(10-IF(ISNUMBER({weight}),{weight},0))*{_POSITIONS}'
            f"+{_position(SWOT, 'item', lang)}),{k}),{_POSITIONS})")


def swot_count_formula(quadrant: str, lang: str) -> str:
    q, item = column(SWOT, "quadrant", lang), column(SWOT, "item", lang)
    return f'SUMPRODUCT(({q}="{SWOT_QUADRANT.label(quadrant, lang)}")*({item}<>""))'


def objective_status_formula(objective_id: str, lang: str) -> str:
    """The worst KPI status label of the objective whose id is in cell *objective_id*."""
    ids, statuses = column(KPIS, "objective_id", lang), column(KPIS, "status", lang)
    out = '""'
    for code in reversed(STATUS_ORDER):
        label = KPI_STATUS.label(code, lang)
        out = f'IF(COUNTIFS({ids},{objective_id},{statuses},"{label}")>0,"{label}",{out})'
    return f'IF({objective_id}="","",{out})'


def objective_budget_formula(objective_id: str, lang: str) -> str:
    return (f'IF({objective_id}="","",SUMIFS({column(ACTIONS, "budget", lang)},'
            f'{column(ACTIONS, "objective_id", lang)},{objective_id}))')


def kpi_count_formula(status: str, lang: str) -> str:
    return f'COUNTIF({column(KPIS, "status", lang)},"{KPI_STATUS.label(status, lang)}")'


def budget_formula(key: str, lang: str) -> str:
    return f"SUM({column(schema.BUDGET, key, lang)})"
