"""``mplan-xl actuals``: the spending of the accounts (FEC) written into a copy of a team's plan.

The plan is read once, by the pipeline every command shares
(:func:`~mplan_xl.check.validator.inspect_file`: read, locate, check), the FEC is read and matched to its
budget lines by :mod:`mplan_xl.year.actuals`, then a copy of the workbook is
written in which each budget line's *Réel* / *Actual* cell holds the sum of
the entries it claimed (0 when it claimed none), and the workbook is marked to
be recalculated on opening. Every other part of the file keeps its bytes
(:mod:`mplan_xl.read.package`, :mod:`mplan_xl.read.cell_patch`); the plan and the FEC
are only read. A FEC with a malformed line or without an expense entry of the
plan year, a plan that cannot be read or has no budget table, or a rules file
that names an unknown line: nothing is written. A FEC that has no entry in some
months up to the situation date is taken, with a warning naming them.

Example:
    >>> result = import_actuals("plan.xlsx", "FEC2027.txt", "plan-actuals.xlsx")   # doctest: +SKIP
    >>> result.matched_amount, len(result.unmatched)                                # doctest: +SKIP
    (63120.0, 2)
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Sequence
from xml.sax.saxutils import escape

from ..core import schema, tracking
from ..core.atomic import atomic_output
from ..core.errors import PlanNotUsable, UnreadableWorkbook
from ..core.plan import CURRENCIES, id_text
from ..core.text_safety import xml_text
from ..core.vocabulary import BUDGET_SERIES, Label
from ..read.cell_patch import recalculate_on_open, set_numbers
from ..read.outputs import check_outputs
from ..read.package import MAIN_NS, PackageCopy
from ..read.plan_reader import LocatedPlan
from ..read.reader import Limits
from .actuals import MARKETING_ACCOUNTS, ActualsResult, BudgetLine, check_fec_year, match_entries, read_rules
from .fec import FecProblem, read_fec

#: Columns of the budget table the import needs.
NEEDED_COLUMNS = ("id", "supplier", "quote_ref", "actual")


def read_plan(path: str | os.PathLike, limits: Limits = Limits()) -> LocatedPlan:
    """The plan located by the one pipeline (:func:`~mplan_xl.check.validator.inspect_file`); its findings do not
    stop the import, a file the reader refuses does (:class:`~mplan_xl.core.errors.UnreadableWorkbook`)."""
    from ..check.validator import inspect_file

    return inspect_file(path, "fr", limits, then=lambda inspected: _usable(path, inspected))


def _usable(path: str | os.PathLike, inspected: Any) -> LocatedPlan:
    if inspected.error is not None:
        raise inspected.error
    located = inspected.located
    if located is None:   # one of our reports, a lock file: no plan in it
        raise UnreadableWorkbook("not-a-workbook")
    table = located.tables.get("budget")
    missing = [key for key in NEEDED_COLUMNS if table is None or key not in table.columns]
    if missing or not isinstance(located.year, int):
        raise PlanNotUsable(Label("{path} : pas de tableau Budget complet (colonnes {missing}) ou pas d'année du plan",
                                  "{path}: no complete Budget table (columns {missing}) or no plan year"),
                            path=path, missing=", ".join(missing) or "-")
    return located


def budget_lines(located: LocatedPlan) -> list[BudgetLine]:
    """The plan's budget lines that have an id, as matching needs them."""
    table = located.tables["budget"]
    lines = []
    for row in table.rows:
        line_id = id_text(row.values.get("id"))
        if line_id is not None:
            lines.append(BudgetLine(line_id, str(row.values.get("supplier") or ""), str(row.values.get("quote_ref") or "")))
    return lines


#: The sheet of the copy that lists the unmatched marketing expenses.
UNMATCHED_SHEET = Label("FEC non rapproché", "FEC unmatched")
UNMATCHED_HEADERS = (Label("Ligne FEC", "FEC line"), Label("Date", "Date"), Label("Journal", "Journal"),
                     Label("N° écriture", "Entry no."), Label("Compte", "Account"), Label("Fournisseur", "Supplier"),
                     Label("Pièce", "Piece"), Label("Libellé", "Label"), Label("Montant HT", "Amount excl. VAT"))


def unmatched_sheet_xml(result: ActualsResult, lang: str) -> bytes:
    """A worksheet listing the unmatched entries (inline strings: no shared-strings or styles part to touch)."""
    def text(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(xml_text(value))}</t></is></c>'

    rows = ['<row r="1">' + "".join(text("ABCDEFGHI"[i] + "1", h(lang)) for i, h in enumerate(UNMATCHED_HEADERS))
            + "</row>"]
    for n, entry in enumerate(result.unmatched, start=2):
        day = entry.date.strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")
        cells = [f'<c r="A{n}"><v>{entry.line}</v></c>', text(f"B{n}", day), text(f"C{n}", entry.journal),
                 text(f"D{n}", entry.number), text(f"E{n}", entry.account), text(f"F{n}", entry.supplier or entry.supplier_code),
                 text(f"G{n}", entry.piece_ref), text(f"H{n}", entry.label), f'<c r="I{n}"><v>{float(entry.amount)!r}</v></c>']
        rows.append(f'<row r="{n}">' + "".join(cells) + "</row>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}"><sheetData>' + "".join(rows) + "</sheetData></worksheet>").encode("utf-8")


def _actual_months(months: Any, result: ActualsResult, situation_month: int) -> dict[str, float]:
    """The cells of the monthly budget's "Actual" rows of the matched lines: each month up to the later of the
    situation month and the last month with an entry holds the month's total (0 without an entry), so the months
    keep adding up to the line's new actual."""
    cells: dict[str, float] = {}
    for row in months.rows:
        line = result.lines.get(id_text(row.values.get("line_id")) or "")
        if line is None or BUDGET_SERIES.code_of(row.values.get("series")) != "actual":
            continue
        last = max([situation_month, *line.months])
        for month, key in enumerate(schema.MONTH_KEYS[:last], 1):
            cell = months.cell(row, key)
            if cell is not None:
                cells[cell] = float(line.months.get(month, 0))
    return cells


def write_actuals(located: LocatedPlan, result: ActualsResult, out: str | os.PathLike, *, force: bool = False) -> Path:
    """Write the copy of the plan with each budget line's actual replaced by its matched total."""
    table = located.tables["budget"]
    cells: dict[str, float] = {}
    for row in table.rows:
        line_id = id_text(row.values.get("id"))
        cell = table.cell(row, "actual")   # the column is there: read_plan refuses a plan without it
        if line_id in result.lines and cell is not None:
            cells[cell] = float(result.lines[line_id].total)
    copy = PackageCopy.open(located.raw.content or located.raw.path)   # the bytes the pipeline read
    part = copy.worksheets()[table.worksheet][0]
    copy.parts[part] = set_numbers(copy.parts[part], cells)
    months = located.tables.get("budget_months")
    month_cells = _actual_months(months, result, tracking.month_of(located.as_of)) if months is not None else {}
    if month_cells and months is not None:
        part = copy.worksheets()[months.worksheet][0]
        copy.parts[part] = set_numbers(copy.parts[part], month_cells)
    workbook = copy.workbook_part()
    copy.parts[workbook] = recalculate_on_open(copy.parts[workbook])
    if result.unmatched:
        copy.set_worksheet(UNMATCHED_SHEET(located.lang), unmatched_sheet_xml(result, located.lang))
    return copy.write(out, force=force)


def import_actuals(plan: str | os.PathLike, fec: str | os.PathLike, out: str | os.PathLike, *,
                   rules: str | os.PathLike | None = None, as_of: dt.date | None = None,
                   accounts: Sequence[str] = MARKETING_ACCOUNTS, report: str | os.PathLike | None = None,
                   force: bool = False, lang: str = "fr") -> ActualsResult:
    """Match the FEC to the plan's budget lines and write the plan's copy (and the JSON report when asked, its
    warnings in *lang*)."""
    check_outputs([out, report], [p for p in (plan, fec, rules) if p is not None], force=force)
    located = read_plan(plan)
    lines = budget_lines(located)
    warnings: list[FecProblem] = []
    mapping = read_rules(rules, [line.id for line in lines], warnings=warnings) if rules else ()
    entries = read_fec(fec)
    year = located.year
    assert isinstance(year, int)   # read_plan refuses a plan without its year
    warnings += entries.warnings
    warnings += check_fec_year(fec, entries.months, {e.date.year for e in entries.entries}, year=year,
                               last_month=tracking.month_in_year(as_of or located.as_of, year, 12))
    result = match_entries(entries.entries, lines, year=year, as_of=as_of, rules=mapping,
                           marketing_accounts=accounts, other_lines=entries.other_lines)
    result.currency = CURRENCIES.get(str(located.meta.get("currency") or "EUR").upper(), "")
    result.warnings = warnings
    write_actuals(located, result, out, force=force)
    if report:
        with atomic_output(report, force=force) as tmp:
            tmp.write_text(json.dumps(result.to_dict(lang), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result
