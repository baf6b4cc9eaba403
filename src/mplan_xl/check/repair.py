"""``mplan-xl repair``: a clean copy of the plan a team broke, every value it typed kept.

From a located plan (:func:`~mplan_xl.check.validator.inspect_file`, the one read of every command) this module
makes a list of :class:`Action` objects, each the repair of one cell, table or format (its code is the
``check`` finding it answers, with the sheet, the cell, the value before and after, and why), and the list of
what it leaves to the team (an :class:`Action` not done, with why). Then it applies them to a copy of the file
through the part-by-part patching of :mod:`mplan_xl.read.package` and :mod:`mplan_xl.read.cell_patch` (the
machinery of ``actuals`` and ``check --annotate``): every part it does not need to touch keeps its bytes.

What it restores, the codes of :data:`~mplan_xl.core.rules.REPAIRABLE`:

- computed cells (``computed-overwritten``, ``formula-missing``, ``formula-altered``,
  ``formula-as-cell-references``), on every data row of every table, rows inserted by the team included: the
  template's formula for that column (:func:`~mplan_xl.core.computed.column_formula`, the one the builder
  writes), its cached result computed by Python, the workbook marked to be recalculated on opening;
- numbers typed as text (``number-as-text``: ``12 500``, ``1 200,50 €``, ``15 %``) in number columns, and dates
  typed as text (``15/03/2027``) in date columns: the number or the date the text means, when only one reading
  is possible (:func:`~mplan_xl.core.numbers.typed_number`, :func:`~mplan_xl.core.numbers.parse_localized_date`);
- the calculated-column definitions a LibreOffice save dropped (``table-formulas-lost``);
- the number formats a save in LibreOffice scaled by 1000 (``format-scaled``,
  :func:`~mplan_xl.read.number_formats.unscaled`), in the styles and the charts;
- a table without a total row over the rows typed just below it (``row-outside-table``,
  :func:`~mplan_xl.check.checks.rows_below`), as Excel grows a table.
- the template's data validations (dropdowns) and conditional formats a save or a "clear" dropped from the data
  rows of a table's columns (``validation-lost``, ``conditional-format-lost``: the template built in memory is the
  reference);
- a table's total row an ``.ods`` round trip no longer declares, or a team deleted or emptied, when the row just
  below the data is free (``total-row-lost``);
- the plan's identity (template id, version, language) a save lost, when its tables' headers are exactly one
  template version's (:func:`identity_candidates`).

What it never does: change a value the team typed in an input cell (a text that is no number stays, and is
listed), delete a row or a sheet, guess. A row typed below a table's total row (mplan-xl moves no row), a plan of an older template
(whose formulas ``upgrade`` rewrites), a percentage typed without its sign, a date with two readings: listed,
with the cell and why, and left as they are.

Example:
    >>> result = repair_file("retours/plan.xlsx", "repare/plan.xlsx")      # doctest: +SKIP
    >>> [(a.code, a.cell) for a in result.actions][:2]                     # doctest: +SKIP
    [('formula-missing', 'K12'), ('number-as-text', 'I7')]
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Any, Literal, Sequence
from xml.sax.saxutils import escape

from ..core import schema, versions
from ..core.a1 import cell_name, column_index, column_letters
from ..core.computed import PlanContext, column_formula
from ..core.errors import UnreadableWorkbook
from ..core.numbers import date_to_serial, parse_localized_date, parse_localized_number, typed_number
from ..core.plan import percent_columns
from ..core.rules import REPAIRABLE, Finding, shown_date
from ..core.schema import Kind
from ..core.table_refs import structured_ref
from ..core.vocabulary import Label
from ..read.cell_patch import CellMaker, cell_styles, formula_cell, number_cell, recalculate_on_open, set_cells
from ..read.number_formats import unscale_formats
from ..read.package import PackageCopy, element_prefix, insert_before
from ..read.plan_reader import LocatedPlan, LocatedRow, blank, input_values, thresholds
from ..read.reader import Limits, UnusableValue
from .checks import (
    CellReferences, check_integrity, check_outside_tables, check_plan, computed_tables, normalise_formula, rows_below)

__all__ = ["REPAIRABLE", "Action", "Repaired", "apply_repairs", "plan_repair", "repair_file", "repair_files"]

#: Why each action was taken, or left: formatted with the action's parameters.
WHY = {
    "computed-overwritten": Label("valeur saisie sur une cellule calculée de « {column} » : formule du modèle rétablie",
                                  "value typed over a computed cell of '{column}': the template's formula restored"),
    "formula-missing": Label("formule absente de « {column} » : formule du modèle rétablie",
                             "formula of '{column}' missing: the template's formula restored"),
    "formula-altered": Label("formule de « {column} » modifiée : formule du modèle rétablie",
                             "formula of '{column}' altered: the template's formula restored"),
    "formula-as-cell-references": Label("formule de « {column} » en adresses de cellules : formule du modèle "
                                        "(noms de colonnes) rétablie",
                                        "formula of '{column}' written with cell addresses: the template's formula "
                                        "(column names) restored"),
    "number-as-text": Label("« {column} » : le texte {before!r} devient le nombre {after}",
                            "'{column}': the text {before!r} becomes the number {after}"),
    "date-as-text": Label("« {column} » : le texte {before!r} devient la date {after}",
                          "'{column}': the text {before!r} becomes the date {after}"),
    "table-formulas-lost": Label("tableau {table} : définition de la colonne calculée « {column} » rétablie",
                                 "table {table}: definition of the calculated column '{column}' restored"),
    "format-scaled": Label("format de nombre {before} (chiffres affichés divisés par 1000) rétabli en {after}",
                           "number format {before} (figures shown divided by 1000) restored as {after}"),
    # --- left to the team -----------------------------------------------------------------------------
    "not-a-number": Label("« {column} » : le texte {before!r} n'est pas un nombre ; laissé tel quel, à corriger "
                          "par l'équipe", "'{column}': the text {before!r} is no number; left as it is, for the team "
                          "to fix"),
    "percent-unsure": Label("« {column} » : le texte {before!r} sans signe % peut vouloir dire {number} % ou "
                            "{number} fois 100 % ; laissé tel quel, à ressaisir avec son signe (15 %)",
                            "'{column}': the text {before!r} without a % sign may mean {number}% or {number} times "
                            "100%; left as it is, to be typed again with its sign (15%)"),
    "not-a-date": Label("« {column} » : le texte {before!r} n'est pas une date sûre (illisible, ou deux lectures "
                        "possibles) ; laissé tel quel, à ressaisir", "'{column}': the text {before!r} is no certain "
                        "date (unreadable, or two possible readings); left as it is, to be typed again"),
    "older-template": Label("plan du modèle {version} : ses formules sont celles de son modèle ; passez-le au "
                            "modèle actuel avec mplan-xl upgrade, puis réparez la copie",
                            "plan of template {version}: its formulas are its template's; move it into the "
                            "current template with mplan-xl upgrade, then repair the copy"),
    "shared-formula": Label("« {column} » : la cellule porte une formule partagée avec d'autres cellules ; "
                            "laissée telle quelle, recopiez la formule depuis la ligne du dessus",
                            "'{column}': the cell holds a formula shared with other cells; left as it is, copy the "
                            "formula from the row above"),
    "table-grown": Label("ligne {line} tapée juste sous le tableau {table} : le tableau est agrandi pour la "
                         "compter, comme Excel le fait", "row {line} typed just below table {table}: the table is "
                         "extended to count it, as Excel does"),
    "validation-lost": Label("« {column} » : liste de choix ou contrôle de saisie du modèle rétabli sur {cells}",
                             "'{column}': the template's dropdown or typing check restored on {cells}"),
    "conditional-format-lost": Label("« {column} » : mise en forme conditionnelle du modèle rétablie sur {cells}",
                                     "'{column}': the template's conditional format restored on {cells}"),
    "layout-moved": Label("tableau {table}, « {column} » : liste de choix ou mise en forme conditionnelle absente, "
                          "mais les colonnes ne sont plus à la place du modèle ; laissé tel quel",
                          "table {table}, '{column}': dropdown or conditional format missing, but the columns are "
                          "no longer where the template has them; left as it is"),
    "total-row-unmarked": Label("tableau {table} : la ligne {line} de totaux n'était plus déclarée comme telle "
                                "(elle se comptait elle-même) ; déclarée à nouveau",
                                "table {table}: total row {line} was no longer declared as such (it counted "
                                "itself); declared again"),
    "total-row-deleted": Label("tableau {table} : ligne de totaux supprimée ; rétablie ligne {line}",
                               "table {table}: total row deleted; restored on row {line}"),
    "total-row-taken": Label("tableau {table} : ligne de totaux supprimée, la dernière ligne de données prise pour "
                             "elle ; cette ligne revient au tableau, totaux rétablis ligne {line}",
                             "table {table}: total row deleted, the last data row taken for it; that row is back in "
                             "the table, totals restored on row {line}"),
    "total-row-emptied": Label("tableau {table} : ligne de totaux vidée ; formules rétablies ligne {line}",
                               "table {table}: total row emptied; formulas restored on row {line}"),
    "total-row-blocked": Label("tableau {table} : ligne de totaux absente, mais la ligne {line} sous le tableau est "
                               "occupée ; laissé tel quel", "table {table}: total row missing, but row {line} below "
                               "the table is in use; left as it is"),
    "total-row-moved": Label("tableau {table} : la ligne de totaux est au milieu des données ; laissé tel quel, "
                             "remettez-la en bas du tableau", "table {table}: the total row is among the data rows; "
                             "left as it is, move it back to the bottom of the table"),
    "total-row-columns": Label("tableau {table} : ligne de totaux absente, mais les colonnes ne sont plus à la place "
                               "du modèle ; laissé tel quel", "table {table}: total row missing, but the columns are "
                               "no longer where the template has them; left as it is"),
    "identity-restored": Label("identité du plan perdue par un enregistrement : {key} = {value} rétabli (ses tableaux "
                               "sont exactement ceux de ce modèle)", "plan identity lost by a save: {key} = {value} "
                               "restored (its tables are exactly that template's)"),
    "identity-unknown": Label("identité du plan inconnue (pas de version de modèle) et ses tableaux ne correspondent "
                              "exactement à aucun modèle connu ; laissé tel quel", "plan identity unknown (no template "
                              "version) and its tables match no known template exactly; left as it is"),
    "row-outside-table": Label("ligne {line} sous le tableau {table} : mplan-xl ne déplace pas de ligne ; insérez-la "
                               "dans le tableau (clic droit > Insérer) et déplacez-y ses valeurs",
                               "row {line} below table {table}: mplan-xl moves no row; insert it inside the table "
                               "(right-click > Insert) and move its values there"),
}


@dataclass(frozen=True)
class Action:
    """One repair (*done*), or one thing left to the team (not *done*), located and explained.

    *code* is the ``check`` finding the action answers; *before* and *after* are the cell's content (a formula
    with its ``=``, a value) or the number format, JSON values."""

    code: str
    sheet: str | None
    cell: str | None
    before: Any
    after: Any
    why: str
    done: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "sheet": self.sheet, "cell": self.cell, "before": self.before,
                "after": self.after, "why": self.why, "done": self.done}


@dataclass
class RepairPlan:
    """What repairing one plan takes: the actions, what is left, and the patches that make the actions."""

    actions: list[Action] = field(default_factory=list)
    left: list[Action] = field(default_factory=list)
    #: Worksheet -> A1 address -> how to write the cell.
    cells: dict[str, dict[str, CellMaker]] = field(default_factory=dict)
    #: Table name -> (position of the column in the table, formula) of the calculated columns to declare again.
    table_formulas: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    #: The workbook's number formats are scaled: ``styles.xml`` is made whole.
    formats: bool = False
    #: Table name -> (its range, the range it grows to over the rows typed just below it).
    table_refs: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Table name -> (its range with its total row, its filter's range, each column's total attributes) to mark.
    total_rows: dict[str, tuple[str, str, list[bytes]]] = field(default_factory=dict)
    #: Worksheet -> the template's ``dataValidation`` elements to add (their ``sqref`` the plan's rows).
    validations: dict[str, list[bytes]] = field(default_factory=dict)
    #: Worksheet -> the ``dataValidation`` elements "all values" (a validation cleared) the restored ones replace.
    validations_cleared: dict[str, list[bytes]] = field(default_factory=dict)
    #: Worksheet -> (sqref, the template's ``cfRule`` elements with their differential format elements) to add.
    formats_lost: dict[str, list[tuple[str, list[tuple[bytes, bytes | None]]]]] = field(default_factory=dict)


@dataclass
class Repaired:
    """What repairing one file did (or, with ``--dry-run``, would do)."""

    path: str
    output: str | None
    actions: list[Action] = field(default_factory=list)
    left: list[Action] = field(default_factory=list)
    #: Why the file could not be repaired at all (unreadable, not a plan), in the language asked.
    error: str | None = None
    #: Why the file was skipped, being no plan (a lock file, a report of mplan-xl found in a folder).
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        """Nothing left to the team and nothing failed."""
        return self.error is None and not self.left

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "output": self.output, "error": self.error, "skipped": self.skipped,
                "repaired": [a.to_dict() for a in self.actions], "left": [a.to_dict() for a in self.left]}


def _shown(value: Any, lang: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",") if lang == "fr" and isinstance(value, float) else str(value)


def plan_repair(plan: LocatedPlan, findings: Sequence[Finding], lang: str = "fr",
                package: PackageCopy | None = None) -> RepairPlan:
    """The repairs of *plan* (read and located) given its ``check`` *findings*; messages in *lang*. *package* is
    the file's parts as read (opened from the plan's bytes when not given)."""
    out = RepairPlan()
    package = package or PackageCopy.open(plan.raw.content or plan.raw.path)
    older = versions.status(plan.template_version) == "older"
    grown = {} if older else _grow_tables(plan, out, lang)
    if not older and plan.lang in ("fr", "en"):
        _repair_total_rows(plan, out, lang, package)
    inputs = _repair_inputs(plan, out, lang)
    if older:
        integrity = check_plan(plan, lang, only=(check_integrity,)).findings
        if any(f.code in REPAIRABLE - {"number-as-text", "format-scaled"} for f in integrity):
            out.left.append(Action("template-version-old", None, None, plan.template_version, None,
                                   WHY["older-template"](lang).format(version=plan.template_version), False))
    else:
        _repair_formulas(plan, inputs, out, lang, package)
        _repair_table_definitions(plan, out, lang)
        _repair_validations_and_formats(plan, out, lang, package)
    if plan.raw.scaled_format_codes:
        out.formats = True
    for finding in findings:
        if finding.code == "row-outside-table" and finding.params.get("line") not in grown.get(
                str(finding.params.get("table_name")), ()):
            out.left.append(Action(finding.code, finding.sheet, finding.cell, None, None, WHY["row-outside-table"](
                lang).format(line=finding.params.get("line"), table=finding.params.get("table_name")), False))
    return out


# --- rows typed just below a table -------------------------------------------------------------------------

def _grow_tables(plan: LocatedPlan, out: RepairPlan, lang: str) -> dict[str, set[int]]:
    """A table without a total row whose rows go on just below it (each with values in at least
    :data:`~mplan_xl.workbook.guide_status.ROW_LIKE_CELLS` of its columns, with no gap and no other table there) is
    extended over them, as Excel extends a table when a row is typed right below it: the rows join the table
    (*plan* is updated: its rows, its range), their computed cells get their formulas. Returns, by table name, the
    1-based lines taken in."""
    grown: dict[str, set[int]] = {}
    for table in plan.tables.values():
        info = table.info
        grid = plan.raw.values(table.worksheet)
        last = rows_below(plan, table)
        if last == info.last_row:
            continue
        new_ref = f"{cell_name(info.first_row, info.first_col)}:{cell_name(last, info.last_col)}"
        out.table_refs[info.name] = (info.ref, new_ref)
        use = [c.key for c in table.sheet.use_columns if c.key in table.columns]
        for r in range(info.last_row + 1, last + 1):
            line = grid[r]
            values = {key: (line[c] if c < len(line) else "") for key, c in table.columns.items()}
            row = LocatedRow(r - info.first_row - 1, r, values)
            (table.rows if not all(blank(values[k]) for k in use) else table.suggestions).append(row)
            grown.setdefault(info.name, set()).add(r + 1)
            out.actions.append(Action("row-outside-table", table.worksheet, cell_name(r, info.first_col), info.ref,
                                      new_ref, WHY["table-grown"](lang).format(table=info.name, line=r + 1)))
        table.info = replace(info, ref=new_ref, last_row=last)
    return grown


# --- typed values: numbers and dates typed as text ----------------------------------------------------------

def _repair_inputs(plan: LocatedPlan, out: RepairPlan, lang: str) -> dict[str, list[dict[str, Any]]]:
    """Convert the texts of number and date cells that mean one number or one date; list the others. Returns every
    table's rows' inputs as they will be (for the computed cells' cached results)."""
    everything = {key: [input_values(t.sheet, r.values) for r in t.rows] for key, t in plan.tables.items()}
    for table in plan.tables.values():
        sheet = table.sheet
        columns = [c for c in sheet.input_columns if c.key in table.columns and c.choices is None
                   and (c.kind.is_number or c.kind is Kind.DATE)]
        for row in sorted(table.rows + table.suggestions, key=lambda r: r.sheet_row):
            for column in columns:
                value = row.values.get(column.key)
                if not isinstance(value, str) or isinstance(value, UnusableValue) or blank(value):
                    continue
                cell = table.cell(row, column.key)
                header = column.header(plan.lang)
                if column.kind is Kind.DATE:
                    day = parse_localized_date(value, plan.lang)
                    if day is None:
                        out.left.append(Action("type-invalid", table.worksheet, cell, value, None,
                                               WHY["not-a-date"](lang).format(column=header, before=value), False))
                        continue
                    serial = date_to_serial(day)
                    assert serial is not None   # a four-digit year from 1900 on
                    number: float = serial
                    out.actions.append(Action("type-invalid", table.worksheet, cell, value, day.isoformat(),
                                              WHY["date-as-text"](lang).format(column=header, before=value,
                                                                               after=shown_date(day, lang))))
                else:
                    percent = column.kind is Kind.PERCENT or column.key in percent_columns(
                        sheet.key, input_values(sheet, row.values), everything)
                    typed = typed_number(value, percent)
                    if typed is None:
                        meant = parse_localized_number(value)
                        reason = (WHY["percent-unsure"](lang).format(column=header, before=value, number=_shown(
                            meant, lang)) if meant is not None else WHY["not-a-number"](lang).format(
                            column=header, before=value))
                        out.left.append(Action("number-as-text" if meant is not None else "type-invalid",
                                               table.worksheet, cell, value, None, reason, False))
                        continue
                    number = typed
                    out.actions.append(Action("number-as-text", table.worksheet, cell, value, typed,
                                              WHY["number-as-text"](lang).format(column=header, before=value,
                                                                                 after=_shown(typed, lang))))
                row.values[column.key] = number
                assert cell is not None
                out.cells.setdefault(table.worksheet, {})[cell] = number_cell(number)
    return {key: [input_values(t.sheet, r.values) for r in t.rows] for key, t in plan.tables.items()}


# --- computed cells -------------------------------------------------------------------------------------------

_SHARED = re.compile(rb'<(?:[\w.-]+:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<(?:[\w.-]+:)?f\b[^>]*\bt="(?:shared|array)"'
                     rb'[^>]*\bref="')


def _repair_formulas(plan: LocatedPlan, inputs: dict[str, list[dict[str, Any]]], out: RepairPlan, lang: str,
                     package: PackageCopy) -> None:
    """Every computed cell of every data row whose formula is not the template's gets it back."""
    runtime = _runtime(plan)
    for sheet in schema.TABLES:
        inputs.setdefault(sheet.key, [])
    context: PlanContext | None = None
    references = CellReferences(plan)
    for table, computed, formulas, allowed in computed_tables(plan):
        sheet = table.sheet
        grid = plan.raw.values(table.worksheet)
        position = {row.sheet_row: i for i, row in enumerate(table.rows)}
        fixes: list[tuple[int, Any, str, Any]] = []   # (sheet row, column key, cause, before)
        for r in range(table.info.first_row + 1, table.last_data_row + 1):
            for column in computed:
                c = table.columns[column.key]
                formula = formulas.get((r, c))
                if formula is not None and normalise_formula(formula) in allowed[column.key]:
                    continue
                if formula is None:
                    cached = grid[r][c] if r < len(grid) and c < len(grid[r]) else ""
                    cause, before = ("formula-missing", None) if blank(cached) else ("computed-overwritten", cached)
                else:
                    same = normalise_formula(references.structured(formula, table.worksheet, r))
                    cause = "formula-as-cell-references" if same in allowed[column.key] else "formula-altered"
                    before = "=" + formula
                fixes.append((r, column, cause, before))
        if not fixes:
            continue
        member = package.worksheets().get(table.worksheet)
        xml_cells = package.parts[member[0]] if member else b""
        shared = {m[1].decode() for m in _SHARED.finditer(xml_cells)} if xml_cells else set()
        letters = {column_letters(table.columns[c.key]) for c in computed}
        styles = cell_styles(xml_cells, letters) if xml_cells else {}
        for r, column, cause, before in fixes:
            c = table.columns[column.key]
            address = cell_name(r, c)
            header = column.header(plan.lang)
            if address in shared:
                out.left.append(Action(cause, table.worksheet, address, before, None,
                                       WHY["shared-formula"](lang).format(column=header), False))
                continue
            formula = column_formula(sheet, column, runtime, plan.lang)
            value = None
            if r in position:
                if context is None:
                    context = PlanContext(inputs, plan.year or 0, **thresholds(plan.raw), as_of=plan.as_of,
                                          lang=plan.lang)
                value = context.computed_rows(sheet.key)[position[r]][1].get(column.key)
            if isinstance(value, dt.date):   # a date result: its serial number, as the cell holds it
                value = date_to_serial(value)
            style = styles.get(address)
            if style is None:
                style = _neighbour_style(styles, column_letters(c), r)
            out.cells.setdefault(table.worksheet, {})[address] = formula_cell(formula, value, style)
            out.actions.append(Action(cause, table.worksheet, address, _plain(before), "=" + formula,
                                      WHY[cause](lang).format(column=header)))


def _neighbour_style(styles: dict[str, int], letters: str, row: int) -> int | None:
    """The style of the nearest cell of the same column that has one (0-based *row*)."""
    for distance in range(1, 200):
        for other in (row - distance, row + distance):
            style = styles.get(f"{letters}{other + 1}")
            if style is not None and other >= 0:
                return style
    return None


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --- table definitions -----------------------------------------------------------------------------------

def _runtime(plan: LocatedPlan) -> Literal["native", "xlwings"]:
    """The formulas' runtime of the plan: its ``MPLAN_`` functions (xlwings) or plain formulas."""
    return "xlwings" if plan.runtime == "xlwings" else "native"


def _repair_table_definitions(plan: LocatedPlan, out: RepairPlan, lang: str) -> None:
    runtime = _runtime(plan)
    for table in plan.tables.values():
        info = table.info
        for column in (c for c in table.sheet.computed_columns if c.key in table.columns):
            position = table.columns[column.key] - info.first_col
            header = str(info.columns[position])
            if header in info.calculated:
                continue
            formula = column_formula(table.sheet, column, runtime, plan.lang)
            out.table_formulas.setdefault(info.name, []).append((position, formula))
            out.actions.append(Action("table-formulas-lost", table.worksheet, table.header_cell(position), None,
                                      "=" + formula, WHY["table-formulas-lost"](lang).format(
                                          table=info.name, column=header)))


_TABLE_NAME = re.compile(rb'<(?:[\w.-]+:)?table\b[^>]*?\bdisplayName="([^"]*)"')
_TABLE_COLUMN = re.compile(rb'<(?P<p>[\w.-]+:)?tableColumn\b[^>]*?(?P<close>/?)>')


def _declare_formulas(xml: bytes, formulas: list[tuple[int, str]]) -> bytes:
    """The table part with a ``<calculatedColumnFormula>`` as the first child of each column named (by position)."""
    wanted = dict(formulas)
    pieces, pos = [], 0
    for i, m in enumerate(_TABLE_COLUMN.finditer(xml)):
        if i not in wanted:
            continue
        p = (m["p"] or b"")
        element = b"<" + p + b"calculatedColumnFormula>" + escape(wanted[i]).encode() + b"</" + p + \
            b"calculatedColumnFormula>"
        if m["close"]:
            tag = m[0][:-2].rstrip() + b">"
            pieces += [xml[pos:m.start()], tag, element, b"</" + p + b"tableColumn>"]
        else:
            pieces += [xml[pos:m.end()], element]
        pos = m.end()
    pieces.append(xml[pos:])
    return b"".join(pieces)


# --- data validations and conditional formats a save dropped -------------------------------------------------

_RANGE = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?")
_DV = re.compile(rb"<(?P<p>[\w.-]+:)?dataValidation\b(?P<attrs>[^>]*?)(?:/>|>.*?</(?P=p)?dataValidation>)", re.S)
_CF = re.compile(rb"<(?P<p>[\w.-]+:)?conditionalFormatting\b(?P<attrs>[^>]*)>(?P<body>.*?)</(?P=p)?conditionalFormatting>",
                 re.S)
_CF_RULE = re.compile(rb"<(?P<p>[\w.-]+:)?cfRule\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)?cfRule>)", re.S)
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f(?:ormula)?>(.*?)</(?:[\w.-]+:)?f(?:ormula)?>", re.S)
_SQREF = re.compile(rb'\bsqref="([^"]*)"')
_X14_SQREF = re.compile(rb"<(?:[\w.-]+:)?sqref>([^<]*)</(?:[\w.-]+:)?sqref>")
_DXF = re.compile(rb"<(?P<p>[\w.-]+:)?dxf\b(?:\s*/>|[^>]*>.*?</(?P=p)?dxf>)", re.S)
#: The worksheet's elements that come after ``conditionalFormatting`` and ``dataValidations`` (the schema's order).
_AFTER_VALIDATIONS = ["hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
                      "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
                      "legacyDrawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts"]
_AFTER_FORMATS = ["dataValidations", *_AFTER_VALIDATIONS]


def _ranges(sqref: str) -> list[tuple[int, int, int, int]]:
    """The ranges of an ``sqref`` (``A5:A31 C5``), each (first row, first column, last row, last column), 0-based."""
    out = []
    for m in _RANGE.finditer(sqref):
        c0, r0 = column_index(m[1]), int(m[2]) - 1
        c1, r1 = (column_index(m[3]), int(m[4]) - 1) if m[3] else (c0, r0)
        out.append((min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)))
    return out


def _attr(attrs: bytes, name: str) -> str:
    m = re.search(rb"\b" + name.encode() + rb'="([^"]*)"', attrs)
    return unescape(m[1].decode()) if m else ""


def _rule_signature(attrs: bytes, body: bytes | None) -> tuple[str, ...]:
    """What a conditional format's rule does, whoever wrote it: its type, operator and formulas (spaces, case, the
    writer's escapes and the quotes around a sheet's name aside)."""
    formulas = [re.sub(r"'([^']+)'!", r"\1!", re.sub(r"\s+", "", unescape(f.decode()))).upper().lstrip("=")
                for f in _FORMULA.findall(body or b"")]
    kind = _attr(attrs, "type")
    return (kind, _attr(attrs, "operator") if kind == "cellIs" else "", *formulas)


def _uncovered(rows: tuple[int, int], covering: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The runs of rows of *rows* (first, last) that none of the *covering* runs holds."""
    out, start = [], rows[0]
    for r0, r1 in sorted(covering):
        if r1 < start:
            continue
        if r0 > rows[1]:
            break
        if r0 > start:
            out.append((start, r0 - 1))
        start = max(start, r1 + 1)
    if start <= rows[1]:
        out.append((start, rows[1]))
    return out


def _missing(spans: list[tuple[int, int, int, int]], rows: tuple[int, int],
             held: list[tuple[int, int, int, int]]) -> dict[int, list[tuple[int, int]]]:
    """Column -> the runs of *rows* that none of the *held* ranges covers, for each column of *spans*."""
    out = {}
    for _, c0, _, c1 in spans:
        for c in range(c0, c1 + 1):
            runs = _uncovered(rows, [(r0, r1) for r0, cc0, r1, cc1 in held if cc0 <= c <= cc1])
            if runs:
                out[c] = runs
    return out


def _sqref(cells: dict[int, list[tuple[int, int]]]) -> str:
    """An ``sqref`` of the runs of rows of each column (column -> runs)."""
    return " ".join(f"{cell_name(r0, c)}:{cell_name(r1, c)}" if r1 > r0 else cell_name(r0, c)
                    for c, runs in sorted(cells.items()) for r0, r1 in runs)


@dataclass(frozen=True)
class _Template:
    """The template of one language, built in memory: its located tables and its parts."""

    plan: LocatedPlan
    package: PackageCopy

    def dxfs(self) -> list[bytes]:
        styles = self.package.related(self.package.workbook_part(), "/styles")
        return [m[0] for m in _DXF.finditer(self.package.parts[styles])] if styles else []


@lru_cache(maxsize=4)
def _template(lang: str) -> _Template:
    """The template the builder writes today in *lang* (plain formulas: the validations and formats are the same
    in both runtimes)."""
    import tempfile

    from ..read.plan_reader import locate_plan
    from ..read.reader import read_workbook
    from ..workbook.builder import new_workbook

    with tempfile.TemporaryDirectory(prefix="mplan-repair-") as folder:
        path = new_workbook(Path(folder) / "template.xlsx", lang=lang, runtime="native")
        return _Template(locate_plan(read_workbook(path)), PackageCopy.open(path.read_bytes()))


def _template_ranges(template: _Template, table_key: str, sqref: str) -> list[tuple[int, int, int, int]] | None:
    """The ranges of a template *sqref* when each lies over the data rows of one table's columns (else None)."""
    table = template.plan.tables.get(table_key)
    ranges = _ranges(sqref)
    if table is None or not ranges:
        return None
    first, last = table.info.first_row + 1, table.last_data_row
    inside = all(r0 == first and r1 == last and table.info.first_col <= c0 and c1 <= table.info.last_col
                 for r0, c0, r1, c1 in ranges)
    return ranges if inside else None


def _repair_validations_and_formats(plan: LocatedPlan, out: RepairPlan, lang: str, package: PackageCopy) -> None:
    """The data validations (dropdowns, checks on typing) and conditional formats the template puts on a table's
    columns, that the plan's sheet lacks on some data rows (a save, a "clear" in LibreOffice, rows taken in): put
    back on those rows, as the template writes them. A table whose columns are not where the template has them is
    listed and left (its formulas' references would point elsewhere)."""
    if plan.lang not in ("fr", "en"):
        return
    template = _template(plan.lang)
    sheets = package.worksheets()
    template_sheets = template.package.worksheets()
    for table in plan.tables.values():
        reference = template.plan.tables.get(table.sheet.key)
        member, template_member = sheets.get(table.worksheet), template_sheets.get(table.worksheet)
        if reference is None or member is None or template_member is None:
            continue
        first, last = table.info.first_row + 1, table.last_data_row
        if last < first:
            continue
        xml, template_xml = package.parts[member[0]], template.package.parts[template_member[0]]
        same_place = table.info.first_row == reference.info.first_row and all(
            table.columns.get(k) == c for k, c in reference.columns.items())
        header = lambda c: next((str(table.info.columns[c - table.info.first_col]) for k, cc in  # noqa: E731
                                 table.columns.items() if cc == c), column_letters(c))
        # --- validations: every cell of the columns the template validates has one
        held, cleared = [], []   # a validation "all values" (type none: what LibreOffice writes for one cleared)
        for m in _DV.finditer(xml):
            ranges = _ranges(_attr(m["attrs"], "sqref"))
            if _attr(m["attrs"], "type") in ("", "none"):
                cleared.append((m[0], ranges))
            else:
                held += ranges
        for m in _DV.finditer(template_xml):
            spans = _template_ranges(template, table.sheet.key, _attr(m["attrs"], "sqref"))
            if spans is None:
                continue
            missing = _missing(spans, (first, last), held)
            if not missing:
                continue
            sqref = _sqref(missing)
            where = ", ".join(header(c) for c in sorted(missing))
            cells = {(r, c) for c, runs in missing.items() for r0, r1 in runs for r in range(r0, r1 + 1)}
            over = [(e, rs) for e, rs in cleared if any(r0 <= r <= r1 and c0 <= c <= c1 for r, c in cells
                                                        for r0, c0, r1, c1 in rs)]
            inside = all((r, c) in cells for _, rs in over for r0, c0, r1, c1 in rs for r in range(r0, r1 + 1)
                         for c in range(c0, c1 + 1))
            if not same_place or not inside:
                out.left.append(Action("validation-lost", table.worksheet, sqref.split(":")[0].split()[0], None, sqref,
                                       WHY["layout-moved"](lang).format(table=table.info.name, column=where), False))
                continue
            out.validations_cleared.setdefault(table.worksheet, []).extend(e for e, _ in over)
            element = _SQREF.sub(b'sqref="' + sqref.encode() + b'"', m[0], count=1)
            out.validations.setdefault(table.worksheet, []).append(element)
            out.actions.append(Action("validation-lost", table.worksheet, sqref.split(":")[0].split()[0], None, sqref,
                                      WHY["validation-lost"](lang).format(column=where, cells=sqref)))
        # --- conditional formats: every rule of the template, on every cell it covers there
        rules_held: list[tuple[tuple[str, ...], tuple[int, int, int, int]]] = []
        for m in _CF.finditer(xml):
            for rule in _CF_RULE.finditer(m["body"]):
                rules_held += [(_rule_signature(rule["attrs"], rule["body"]), r)
                               for r in _ranges(_attr(m["attrs"], "sqref"))]
        for x14 in re.finditer(rb"<(?P<p>[\w.-]+:)conditionalFormatting\b[^>]*>(?P<body>.*?)</(?P=p)conditionalFormatting>",
                               xml, re.S):   # the formats a writer put in the extension list
            where_x14 = _X14_SQREF.search(x14["body"])
            for rule in _CF_RULE.finditer(x14["body"]):
                rules_held += [(_rule_signature(rule["attrs"], rule["body"]), r)
                               for r in _ranges(where_x14[1].decode() if where_x14 else "")]
        dxfs = template.dxfs()
        for m in _CF.finditer(template_xml):
            spans = _template_ranges(template, table.sheet.key, _attr(m["attrs"], "sqref"))
            if spans is None:
                continue
            lost: dict[str, list[tuple[bytes, bytes | None]]] = {}
            for rule in _CF_RULE.finditer(m["body"]):
                signature = _rule_signature(rule["attrs"], rule["body"])
                held_here = [r for s, r in rules_held if s == signature]
                missing = _missing(spans, (first, last), held_here)
                if not missing:
                    continue
                dxf_id = _attr(rule["attrs"], "dxfId")
                dxf = dxfs[int(dxf_id)] if dxf_id.isdigit() and int(dxf_id) < len(dxfs) else None
                lost.setdefault(_sqref(missing), []).append((rule[0], dxf))
            for sqref, rules in lost.items():
                first_cell = sqref.split(":")[0].split()[0]
                where = ", ".join(dict.fromkeys(header(c) for _, c0, _, c1 in _ranges(sqref)
                                                for c in range(c0, c1 + 1)))
                if not same_place:
                    out.left.append(Action("conditional-format-lost", table.worksheet, first_cell, None, sqref,
                                           WHY["layout-moved"](lang).format(table=table.info.name, column=where),
                                           False))
                    continue
                out.formats_lost.setdefault(table.worksheet, []).append((sqref, rules))
                out.actions.append(Action("conditional-format-lost", table.worksheet, first_cell, None, sqref,
                                          WHY["conditional-format-lost"](lang).format(column=where, cells=sqref)))


def _prefixed(element: bytes, prefix: bytes) -> bytes:
    """A template element (written without prefix) under the worksheet's namespace *prefix*."""
    return re.sub(rb"<(/?)([A-Za-z])", rb"<\1" + prefix + rb"\2", element) if prefix else element


def _restore_dxfs(styles: bytes, dxfs: list[bytes]) -> tuple[bytes, list[int]]:
    """*styles* with each of *dxfs* (template differential formats) present, and the index of each there."""
    prefix = element_prefix(styles, "styleSheet")
    block = re.search(rb"<" + re.escape(prefix) + rb"dxfs\b[^>]*?(?:/>|>(?P<body>.*?)</" + re.escape(prefix) +
                      rb"dxfs>)", styles, re.S)
    have = [m[0] for m in _DXF.finditer(block["body"] or b"")] if block else []
    indexes, added = [], []
    for dxf in dxfs:
        element = _prefixed(dxf, prefix)
        if element not in have:
            have.append(element)
            added.append(element)
        indexes.append(have.index(element))
    if not added:
        return styles, indexes
    body = b"".join(have)
    new = b"<" + prefix + b'dxfs count="' + str(len(have)).encode() + b'">' + body + b"</" + prefix + b"dxfs>"
    if block:
        return styles[:block.start()] + new + styles[block.end():], indexes
    return insert_before(styles, prefix, ["tableStyles", "colors"], new, 0, "styleSheet"), indexes


def _restore_formats(xml: bytes, validations: list[bytes], formats: list[tuple[str, list[tuple[bytes, int | None]]]],
                     cleared: Sequence[bytes] = ()) -> bytes:
    """The worksheet *xml* with *validations* (``dataValidation`` elements, replacing the *cleared* ones) and
    *formats* (sqref, its ``cfRule`` elements with the index of their differential format) added at the place the
    schema's order gives them; every other byte kept."""
    prefix = element_prefix(xml, "sheetData")
    data_end = xml.find(b"</" + prefix + b"sheetData>")
    start = data_end if data_end >= 0 else 0
    if formats:
        top = max((int(p) for p in re.findall(rb'\bpriority="([0-9]+)"', xml)), default=0)
        elements = []
        for sqref, rules in formats:
            made = []
            for rule, dxf in rules:
                top += 1
                rule = re.sub(rb'\bpriority="[0-9]+"', b'priority="' + str(top).encode() + b'"', rule, count=1)
                rule = re.sub(rb'\s*\bdxfId="[0-9]+"', b"", rule, count=1)
                if dxf is not None:
                    rule = re.sub(rb"^<cfRule\b", b'<cfRule dxfId="' + str(dxf).encode() + b'"', rule)
                made.append(rule)
            elements.append(_prefixed(b'<conditionalFormatting sqref="' + sqref.encode() + b'">' + b"".join(made) +
                                      b"</conditionalFormatting>", prefix))
        xml = insert_before(xml, prefix, _AFTER_FORMATS, b"".join(elements), start, "worksheet")
    for element in cleared:
        xml = xml.replace(element, b"", 1)
    if validations:
        body = b"".join(_prefixed(v, prefix) for v in validations)
        block = re.search(rb"<" + re.escape(prefix) + rb"dataValidations\b([^>]*?)(/?)>", xml[start:])
        if block:
            at = start + block.start()
            count = re.search(rb'\bcount="([0-9]+)"', block[1])
            total = (int(count[1]) if count else 0) + len(validations) - len(cleared)
            attrs = (re.sub(rb'\bcount="[0-9]+"', b'count="' + str(total).encode() + b'"', block[1]) if count
                     else block[1] + b' count="' + str(total).encode() + b'"')
            opening = b"<" + prefix + b"dataValidations" + attrs + b">"
            if block[2]:   # <dataValidations/>, empty
                xml = xml[:at] + opening + body + b"</" + prefix + b"dataValidations>" + xml[start + block.end():]
            else:
                close = xml.index(b"</" + prefix + b"dataValidations>", at)
                xml = xml[:at] + opening + xml[start + block.end():close] + body + xml[close:]
        else:
            new = (b"<" + prefix + b'dataValidations count="' + str(len(validations)).encode() + b'">' + body +
                   b"</" + prefix + b"dataValidations>")
            xml = insert_before(xml, prefix, _AFTER_VALIDATIONS, new, start, "worksheet")
    return xml


# --- a table's total row ------------------------------------------------------------------------------------

_TABLE_TAG = re.compile(rb"<(?P<p>[\w.-]+:)?table\b[^>]*>")
_AUTO_FILTER = re.compile(rb"<(?P<p>[\w.-]+:)?autoFilter\b[^>]*?\bref=\"[^\"]*\"")
_TOTAL_ATTRS = re.compile(rb'\b(totalsRowFunction|totalsRowLabel)="[^"]*"')


def _template_table_part(template: _Template, name: str) -> bytes | None:
    for member, xml in template.package.parts.items():
        if re.search(r"(^|/)tables/[^/]+\.xml$", member, re.IGNORECASE):
            found = _TABLE_NAME.search(xml)
            if found and found[1].decode() == name:
                return xml
    return None


def _total_formula(sheet: schema.Table, column: schema.Column, lang: str) -> str:
    """The total row's formula of *column* (SUBTOTAL, so rows a filter hides drop out), as the builder writes it."""
    from ..workbook.builder import SUBTOTAL_CODES

    assert column.total is not None
    return f"SUBTOTAL({SUBTOTAL_CODES[column.total]},{structured_ref(sheet, column.key, lang, this_row=False)})"


def _repair_total_rows(plan: LocatedPlan, out: RepairPlan, lang: str, package: PackageCopy) -> None:
    """The total row of a table that has one in the template (Actions, Budget, Transfers), when a save lost it:

    - still there but no longer marked (an ``.ods`` round trip): marked again;
    - deleted (its row removed, the table marked without one): written again on the row just below the last data
      row, when that row is free;
    - deleted while the table still says it has one (LibreOffice then takes the last data row for it, and the plan
      loses that row): the table extended by one row, the total row written below, when that row is free;
    - emptied: written again where it is.

    Anything else (the row below in use, the columns not where the template has them) is listed and left."""
    template = _template(plan.lang)
    package_tables = {(_TABLE_NAME.search(xml) or [b"", b""])[1].decode(): member for member, xml in package.parts.items()
                      if re.search(r"(^|/)tables/[^/]+\.xml$", member, re.IGNORECASE)}
    for table in plan.tables.values():
        sheet, info = table.sheet, table.info
        reference = template.plan.tables.get(sheet.key)
        if not sheet.has_totals or reference is None or info.name not in package_tables:
            continue
        grid = plan.raw.values(table.worksheet)
        formulas = plan.raw.formulas(table.worksheet)
        totals = [c for c in sheet.columns if c.total and c.key in table.columns]

        def is_total(r: int) -> bool:
            return bool(totals) and all(formulas.get((r, table.columns[c.key]), "").upper().startswith("SUBTOTAL(")
                                        for c in totals)

        def free(r: int) -> bool:
            line = grid[r] if r < len(grid) else []
            return all(c >= len(line) or blank(line[c]) for c in range(info.first_col, info.last_col + 1)) and not any(
                (r, c) in formulas for c in range(info.first_col, info.last_col + 1)) and not any(
                o is not table and o.worksheet == table.worksheet and o.info.first_row <= r <= o.info.last_row
                and o.info.first_col <= info.last_col and o.info.last_col >= info.first_col for o in plan.tables.values())

        last = info.last_row
        if info.totals_row_count and is_total(last):
            continue
        case = ("unmarked" if table.totals_rows and is_total(last) else
                "emptied" if info.totals_row_count and free(last) else
                "taken" if info.totals_row_count else "deleted")
        total_row = last if case in ("unmarked", "emptied") else last + 1
        cell = cell_name(total_row, info.first_col)
        template_part = _template_table_part(template, info.name)
        same = (template_part is not None and len(info.columns) == len(reference.info.columns) and all(
            table.columns.get(k) is not None and table.columns[k] - info.first_col == c - reference.info.first_col
            for k, c in reference.columns.items()))
        moved = next((r for r in range(info.first_row + 1, last) if is_total(r)), None)
        if not same or moved is not None or (case in ("deleted", "taken") and not free(total_row)):
            why = ("total-row-moved" if moved is not None else "total-row-columns" if not same else "total-row-blocked")
            out.left.append(Action("total-row-lost", table.worksheet, cell_name(moved, info.first_col) if moved is not None
                                   else cell, None, None, WHY[why](lang).format(table=info.name, line=total_row + 1),
                                   False))
            continue
        assert template_part is not None
        attrs = [m[0] for m in _TABLE_COLUMN.finditer(template_part)]
        new_ref = f"{cell_name(info.first_row, info.first_col)}:{cell_name(total_row, info.last_col)}"
        filter_ref = f"{cell_name(info.first_row, info.first_col)}:{cell_name(total_row - 1, info.last_col)}"
        out.total_rows[info.name] = (new_ref, filter_ref, [b" ".join(a[0] for a in _TOTAL_ATTRS.finditer(tag))
                                                           for tag in attrs])
        if case == "taken":   # the last data row, taken for the total row, is a row of the plan again
            line = grid[last] if last < len(grid) else []
            values = {key: (line[c] if c < len(line) else "") for key, c in table.columns.items()}
            table.rows.append(LocatedRow(last - info.first_row - 1, last, values))
        table.info = replace(info, ref=new_ref, last_row=total_row, totals_row_count=1)
        table.totals_rows = 1
        if case != "unmarked":
            member = package.worksheets().get(table.worksheet)
            styles = cell_styles(package.parts[member[0]], {column_letters(c) for c in table.columns.values()}) \
                if member else {}
            label = _TOTAL_LABEL.search(attrs[0]) if attrs else None
            cells = out.cells.setdefault(table.worksheet, {})
            rows = table.rows
            for column in sheet.columns:
                c = table.columns.get(column.key)
                if c is None:
                    continue
                style = styles.get(cell_name(total_row, c)) or _neighbour_style(styles, column_letters(c), total_row)
                if column.total:
                    values_in = [r.values.get(column.key) for r in rows]
                    cached: float = (sum(1 for v in values_in if not blank(v)) if column.total == "count" else
                                     sum(v for v in values_in if isinstance(v, (int, float)) and not isinstance(v, bool)))
                    cells[cell_name(total_row, c)] = formula_cell(_total_formula(sheet, column, plan.lang), cached, style)
                elif c == info.first_col and label:
                    cells[cell_name(total_row, c)] = number_cell(unescape(label[1].decode()))
        out.actions.append(Action("total-row-lost", table.worksheet, cell, info.ref, new_ref,
                                  WHY[f"total-row-{case}"](lang).format(table=info.name, line=total_row + 1)))


_TOTAL_LABEL = re.compile(rb'\btotalsRowLabel="([^"]*)"')


def _mark_total_row(xml: bytes, ref: str, filter_ref: str, attrs: list[bytes]) -> bytes:
    """The table part *xml* with its total row: its range *ref*, its filter's *filter_ref*, one total row, and each
    column's total function or label (*attrs*, by position) as the template declares them."""
    tag = _TABLE_TAG.search(xml)
    assert tag is not None
    new = re.sub(rb'\s*\btotalsRow(?:Count|Shown)="[^"]*"', b"", tag[0])
    new = re.sub(rb'\bref="[^"]*"', b'ref="' + ref.encode() + b'"', new, count=1)
    new = re.sub(rb"\s*(/?>)$", b' totalsRowCount="1"\\1', new)
    xml = xml[:tag.start()] + new + xml[tag.end():]
    xml = _AUTO_FILTER.sub(lambda m: re.sub(rb'\bref="[^"]*"', b'ref="' + filter_ref.encode() + b'"', m[0]), xml,
                           count=1)
    pieces, pos = [], 0
    for i, m in enumerate(_TABLE_COLUMN.finditer(xml)):
        if i >= len(attrs) or not attrs[i] or _TOTAL_ATTRS.search(m[0]):
            continue
        end = m.end() - (2 if m["close"] else 1)
        pieces += [xml[pos:end].rstrip(), b" " + attrs[i]]
        pos = end
    pieces.append(xml[pos:])
    return b"".join(pieces)


# --- the plan's identity ------------------------------------------------------------------------------------

#: The identity a plan's document properties and hidden ``mplan_meta`` sheet hold: key -> how it is recovered.
_IDENTITY_KEYS = ("template_id", "template_version", "lang")


def _expected_headers(version: str, lang: str) -> dict[str, list[str]] | None:
    """Table name -> the headers, in order, of a plan of template *version* in *lang* (None: a column unknown)."""
    release = versions.release_of(version)
    if release is None:
        return {s.table: [c.header(lang) for c in s.columns] for s in schema.TABLES}
    parsed = versions.parse(version) or (0, 0, 0)
    out: dict[str, list[str]] = {}
    for key, columns in release.tables.items():
        sheet = schema.SHEETS_BY_KEY.get(key)
        if sheet is None:
            return None
        headers = []
        for old in columns:
            current = versions.current_key(key, old, version)
            renamed = [r for r in versions.RENAMES if r.table == key and r.key == current
                       and (versions.parse(r.since) or (0, 0, 0)) > parsed]
            try:
                headers.append(renamed[0].header(lang) if renamed else sheet.column(current).header(lang))
            except KeyError:
                return None
        out[sheet.table] = headers
    return out


def identity_candidates(raw: Any) -> list[tuple[str, str]]:
    """The (template version, language) whose tables are exactly the workbook's: same tables, same headers in the
    same order (the current template and every recorded release, :data:`~mplan_xl.core.versions.RELEASES`)."""
    from ..core.vocabulary import LANGUAGES

    found = {name: [str(h) for h in info.columns] for name, info in raw.tables.items()
             if name in {s.table for s in schema.TABLES}}
    out = []
    for version in [schema.TEMPLATE_VERSION, *[r.version for r in reversed(versions.RELEASES)]]:
        for plan_lang in LANGUAGES:
            if _expected_headers(version, plan_lang) == found:
                out.append((version, plan_lang))
    return out


def _recover_identity(located: LocatedPlan, lang: str) -> tuple[LocatedPlan, list[Action], list[Action],
                                                                  dict[str, str]]:
    """A plan whose identity a save lost (no template id or version in its document properties or its
    ``mplan_meta`` sheet): read again as the one template version and language its tables match exactly, with the
    actions that write the identity back; listed and left when none or several match. Returns the plan, the
    actions, what is left, and the identity to write (key -> value)."""
    from ..read.plan_reader import locate_plan

    matches = identity_candidates(located.raw)
    if len(matches) != 1:
        return located, [], [Action("template-version-incompatible", None, None, None,
                                    sorted({v for v, _ in matches}) or None, WHY["identity-unknown"](lang), False)], {}
    version, plan_lang = matches[0]
    wanted = {"template_id": schema.TEMPLATE_ID, "template_version": version, "lang": plan_lang}
    lost = {key: value for key, value in wanted.items() if blank(located.meta.get(key))}
    raw = located.raw
    raw.custom_properties.update({f"mplan_{key}": value for key, value in lost.items()})
    if schema.META_SHEET in raw.sheet_names:   # the sheet's values read first: its blank ones are set too
        for row in raw.values(schema.META_SHEET)[1:]:
            if len(row) >= 2 and row[0] in lost:
                row[1] = lost[row[0]]
    again = locate_plan(raw)
    actions = [Action("template-version-incompatible", None, None, located.meta.get(key), value,
                      WHY["identity-restored"](lang).format(key=key, value=value)) for key, value in lost.items()]
    return again, actions, [], lost


def _write_identity(copy: PackageCopy, raw: Any, identity: dict[str, str]) -> None:
    """Write *identity* back: the document properties, and the ``mplan_meta`` cells whose key is there."""
    for key, value in identity.items():
        copy.set_custom_property(f"mplan_{key}", value)
    member = copy.worksheets().get(schema.META_SHEET)
    if member is None:
        return
    cells = {cell_name(r, 1): number_cell(identity[str(row[0])]) for r, row in enumerate(raw.values(schema.META_SHEET))
             if r > 0 and row and row[0] in identity}
    if cells:
        copy.parts[member[0]] = set_cells(copy.parts[member[0]], cells)


# --- applying the repairs to a copy ----------------------------------------------------------------------

def apply_repairs(copy: PackageCopy, repairs: RepairPlan) -> list[tuple[str, str]]:
    """Patch *copy* with *repairs*: the worksheets with repaired cells, the table parts whose definitions come
    back, ``styles.xml`` and the charts for the formats, the workbook part (recalculated on opening). Returns the formats
    restored, (damaged, restored)."""
    sheets = copy.worksheets()
    for worksheet, cells in repairs.cells.items():
        member = sheets[worksheet][0]
        copy.parts[member] = set_cells(copy.parts[member], cells)
    if repairs.table_formulas or repairs.table_refs or repairs.total_rows:
        for member in [m for m in copy.parts if re.search(r"(^|/)tables/[^/]+\.xml$", m, re.IGNORECASE)]:
            name = _TABLE_NAME.search(copy.parts[member])
            table = name[1].decode() if name else ""
            formulas = repairs.table_formulas.get(table)
            if formulas:
                copy.parts[member] = _declare_formulas(copy.parts[member], formulas)
            if table in repairs.table_refs:   # the table's range and its filter's
                before, after = repairs.table_refs[table]
                copy.parts[member] = copy.parts[member].replace(f'ref="{before}"'.encode(), f'ref="{after}"'.encode())
            if table in repairs.total_rows:
                copy.parts[member] = _mark_total_row(copy.parts[member], *repairs.total_rows[table])
    if repairs.validations or repairs.formats_lost:
        styles_part = copy.related(copy.workbook_part(), "/styles")
        for worksheet in {*repairs.validations, *repairs.formats_lost}:
            lost = repairs.formats_lost.get(worksheet, [])
            wanted = [dxf for _, rules in lost for _, dxf in rules if dxf is not None]
            indexes: list[int] = []
            if wanted and styles_part is not None:
                copy.parts[styles_part], indexes = _restore_dxfs(copy.parts[styles_part], wanted)
            it = iter(indexes)
            made = [(sqref, [(rule, next(it, None) if dxf is not None else None) for rule, dxf in rules])
                    for sqref, rules in lost]
            member = sheets[worksheet][0]
            copy.parts[member] = _restore_formats(copy.parts[member], repairs.validations.get(worksheet, []),
                                                  made, repairs.validations_cleared.get(worksheet, []))
    formats: list[tuple[str, str]] = []
    if repairs.formats:
        styles = copy.related(copy.workbook_part(), "/styles")
        charts = [m for m in copy.parts if re.search(r"(^|/)charts/[^/]+\.xml$", m, re.IGNORECASE)]
        for member in [styles, *charts] if styles is not None else charts:
            copy.parts[member], found = unscale_formats(copy.parts[member])
            formats += [pair for pair in found if pair not in formats]
    if repairs.cells:
        workbook = copy.workbook_part()
        copy.parts[workbook] = recalculate_on_open(copy.parts[workbook])
    return formats


# --- one file -------------------------------------------------------------------------------------------------

_NOT_A_PLAN = Label("pas un plan mplan-xl", "not an mplan-xl plan")


def repair_file(path: str | os.PathLike, output: str | os.PathLike | None, *, lang: str = "fr",
                limits: Limits = Limits(), force: bool = False) -> Repaired:
    """Repair the plan at *path* into *output* (None: list only, the ``--dry-run``); *path* is only read.

    A plan with nothing to repair is copied as it is; nothing is written for a file that cannot be read
    (``error``)."""
    from .report import SKIPPED
    from .validator import inspect_file

    def run(inspected: Any) -> Repaired:
        located = inspected.located
        if located is None and inspected.report.status == SKIPPED:   # a lock file, one of our outputs: no plan
            return Repaired(str(path), None, skipped=inspected.report.note)
        if located is None:
            error = inspected.error or UnreadableWorkbook("not-a-workbook")
            finding = inspected.report.findings[0] if inspected.report.findings else None
            return Repaired(str(path), None, error=finding.message if finding else (inspected.report.note or str(error)))
        identity: dict[str, str] = {}
        restored: list[Action] = []
        unknown: list[Action] = []   # read as the current template, as check reads it; the identity not invented
        findings = inspected.report.findings
        if located.tables and (blank(located.meta.get("template_version")) or blank(located.meta.get("template_id"))):
            located, restored, unknown, identity = _recover_identity(located, lang)
            if identity:
                findings = check_plan(located, lang, only=(check_outside_tables,)).findings
        if not located.tables or versions.status(located.template_version) in (None, "newer"):
            return Repaired(str(path), None, error=inspected.report.findings[0].message if inspected.report.findings
                            else _NOT_A_PLAN(lang))
        copy = PackageCopy.open(located.raw.content or path)
        repairs = plan_repair(located, findings, lang, copy)
        formats = apply_repairs(copy, repairs)
        if identity:
            _write_identity(copy, located.raw, identity)
        actions = restored + repairs.actions + [Action("format-scaled", None, None, before, after, WHY["format-scaled"](lang)
                                            .format(before=before, after=after)) for before, after in formats]
        result = Repaired(str(path), None, actions, unknown + repairs.left)
        if output is not None:   # a plan with nothing to repair is copied too: the folder holds every plan
            copy.write(output, force=force)
            result.output = str(output)
        return result

    return inspect_file(path, lang, limits, then=run, only=(check_outside_tables,))


def _repair_task(path: Path, output: str | None, lang: str, limits: Limits, force: bool) -> Repaired:
    return repair_file(path, output or None, lang=lang, limits=limits, force=force)


def repair_files(files: Sequence[Path], outputs: Sequence[str | os.PathLike | None], *, lang: str = "fr",
                 limits: Limits = Limits(), jobs: int | None = None, force: bool = False) -> list[Repaired]:
    """:func:`repair_file` of each of *files* into its output (None: list only), in the worker pool of ``check``
    (each file stopped after the time limit, a file that kills its worker reported, never the batch)."""
    from .validator import run_files

    def failed(path: Path, report: Any) -> Repaired:
        finding = report.findings[0] if report.findings else None
        return Repaired(str(path), None, error=finding.message if finding else "?")

    return run_files(files, _repair_task, (lang, limits, force), lang=lang, limits=limits, jobs=jobs, failed=failed,
                     per_file=[(str(o) if o is not None else "",) for o in outputs])
