"""What changed between two versions of a plan: ``mplan-xl diff OLD NEW``.

Both workbooks are read by the reader and located by :func:`~mplan_xl.read.plan_reader.locate_plan`,
and their rows turned into exactly the rows ``consolidate`` stores
(:func:`~mplan_xl.read.plan_rows.plan_rows`: column keys, dropdowns as codes,
computed columns recomputed by the metrics core). The comparison is made on
those keys and codes, never on labels, so it works between a French and an
English workbook of the same plan, and between template versions: a column
only one version has is reported once as a structural change, not on every row.

What is reported:

* ``identity``: company, year, currency, envelope, author, runtime, template
  version (the workbook language is shown but is not a difference);
* ``rows``: per table, rows added and removed, and rows changed, by row id,
  with each input column that changed (old -> new), the team's own columns
  included (``?Header``);
* ``results``: computed columns that moved (an action's budget and ROI, a KPI's
  attainment and status, an objective's SMART check...), by row id;
* ``totals``: the plan's totals (:func:`plan_totals`) that moved;
* ``outside``: values typed outside the tables of a data sheet (a row pasted below a table, a note beside
  it), by sheet and cell: what ``check`` reports as ``row-outside-table`` / ``value-outside-table``;
* ``structure``: sheets added or removed, table columns missing or unknown,
  formulas of computed columns altered (compared language-independently, when
  both workbooks use the same runtime; a value typed over a formula is given as
  ``old_value`` / ``new_value``, and a retyped value is a difference), the VBA project added, removed or changed.

Example:
    >>> result = diff("plan-v1.xlsx", "plan-v2.xlsx")           # doctest: +SKIP
    >>> result.same, result.to_dict()["rows"]["actions"]["added"]   # doctest: +SKIP
    (False, ['A23'])
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..core import schema
from ..core.a1 import cell_name
from ..core.numbers import format_number, is_blank
from ..core.plan import id_text
from ..core.rules import Finding, shown_date
from ..core.schema import Kind
from ..core.vocabulary import LANGUAGES, Label, fold
from ..read.plan_rows import DB_NAMES, PLAN_TABLES, plan_identity, plan_rows
from ..read.reader import Limits

#: Format version of ``diff --format json``.
DIFF_FORMAT_VERSION = "1.1"

#: Above this total size the two workbooks are read in two processes (below, starting them costs more).
PARALLEL_BYTES = 2 * 2**20

#: What ``structure.formulas`` says of a cell holding the template's own formula.
TEMPLATE_FORMULA = "template"

#: Identity fields compared, and the one only shown.
IDENTITY_FIELDS = ("company", "year", "currency", "envelope", "author", "runtime", "template_version")
SHOWN_ONLY = ("lang",)


# --- totals: one definition, used by diff and by approve ----------------------------------------------------

def _sum(rows: Sequence[Mapping[str, Any]], key: str) -> float:
    return float(sum(v for r in rows if isinstance(v := r.get(key), (int, float)) and not isinstance(v, bool)))


def plan_totals(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, float | int]:
    """The plan's headline figures from its table rows (as :func:`~mplan_xl.read.plan_rows.plan_rows` gives them).

    Budget planned, committed and actual (sums of the budget lines) and the
    variance actual − planned; the actions' expected gain; counts of
    objectives, objectives passing the SMART check, actions, budget lines, KPIs
    and KPIs per status.
    """
    budget, kpis, objectives = rows.get("budget_lines", ()), rows.get("kpis", ()), rows.get("objectives", ())
    planned, actual = _sum(budget, "planned"), _sum(budget, "actual")
    return {
        "planned": planned, "committed": _sum(budget, "committed"), "actual": actual, "variance": actual - planned,
        "expected_gain": _sum(rows.get("actions", ()), "expected_gain"),
        "objectives": len(objectives), "objectives_smart": sum(1 for o in objectives if o.get("smart_ok")),
        "actions": len(rows.get("actions", ())), "budget_lines": len(budget), "kpis": len(kpis),
        **{f"kpis_{s}": sum(1 for k in kpis if k.get("status") == s) for s in ("on_track", "at_risk", "off_track")},
    }


TOTAL_LABELS = {
    "planned": Label("Budget prévisionnel", "Planned budget"),
    "committed": Label("Budget engagé", "Committed budget"),
    "actual": Label("Budget réel", "Actual spend"),
    "variance": Label("Écart réel − prévisionnel", "Variance actual − planned"),
    "expected_gain": Label("Gain attendu des actions", "Actions' expected gain"),
    "objectives": Label("Objectifs", "Objectives"),
    "objectives_smart": Label("Objectifs SMART", "SMART objectives"),
    "actions": Label("Actions", "Actions"),
    "budget_lines": Label("Lignes de budget", "Budget lines"),
    "kpis": Label("KPI", "KPIs"),
    "kpis_on_track": Label("KPI en bonne voie", "KPIs on track"),
    "kpis_at_risk": Label("KPI à surveiller", "KPIs at risk"),
    "kpis_off_track": Label("KPI en retard", "KPIs off track"),
}


# --- one side ------------------------------------------------------------------------------------------------

@dataclass
class Version:
    """One workbook as the diff sees it (or, for an unreadable file, its findings)."""

    path: str
    sha256: str | None = None
    identity: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)             # worksheet keys ("guide") or names of other sheets
    columns: dict[str, list[str]] = field(default_factory=dict)  # table -> column keys found ("?Header" unknown)
    formulas: dict[tuple[str, str, str], str | None] | None = None  # cells not holding the template's formula
    typed: dict[tuple[str, str, str], Any] = field(default_factory=dict)  # the values typed over a formula
    vba: str | None = None                                       # sha256 of the VBA project
    outside: dict[tuple[str, int, int], Any] | None = None       # (sheet key, row, col) -> value outside the tables
    findings: list[Finding] | None = None                        # set when the file cannot be read
    note: str | None = None                                      # why a file skipped is no plan (a lock file...)


_KNOWN_HEADERS = {fold(c.header(lg)) for s in schema.TABLES for c in s.columns for lg in LANGUAGES}
_SHEET_KEYS = {name(lg): key for key, name in schema.workbook_sheets() for lg in LANGUAGES}


def _row_key(table: str, row: Mapping[str, Any], position: int, seen: dict[str, int]) -> str:
    """The row's id (its position for a row without one); a repeated id gets ``#2``, ``#3``..."""
    id_column = _ID_COLUMNS[table]
    value = row.get(id_column) if id_column else None
    key = value if type(value) is str and value.strip() else id_text(value)
    key = key if key is not None else f"#{position + 1}"
    folded = key.casefold()
    n = seen.get(folded, 0) + 1
    seen[folded] = n
    return key if n == 1 else f"{key}#{n}"


def _altered_formulas(name: str, table: Any, cells: Mapping[tuple[int, int], str], rows: Sequence[Mapping[str, Any]],
                      lang: str, references: Any, typed: dict[tuple[str, str, str], Any]
                      ) -> dict[tuple[str, str, str], str | None]:
    """The computed cells of *table* whose formula is not the template's: (table, row, column) -> formula
    text, or None for a typed value (the value goes into *typed*). Template formulas (either runtime, the workbook's language, or written
    with cell addresses by an ``.ods`` round trip: the same computation) are left out, so two workbooks in
    different languages or runtimes, or saved as ``.ods`` and back, compare equal."""
    from ..check.checks import normalise_formula
    from ..core.computed import column_formula
    sheet = table.sheet
    computed = [c for c in sheet.computed_columns if c.key in table.columns]
    allowed = {c.key: {normalise_formula(column_formula(sheet, c, runtime, lang)) for runtime in ("native", "xlwings")}
               for c in computed}
    out: dict[tuple[str, str, str], str | None] = {}
    seen: dict[str, int] = {}
    for position, (row, values) in enumerate(zip(table.rows, rows)):
        row_key = None
        for column in computed:
            text = cells.get((row.sheet_row, table.columns[column.key]))
            if text is not None and (normalise_formula(text) in allowed[column.key] or normalise_formula(
                    references.structured(text, table.worksheet, row.sheet_row)) in allowed[column.key]):
                continue
            row_key = row_key or _row_key(name, values, position, seen)
            out[(name, row_key, DB_NAMES.get(column.key, column.key))] = text
            if text is None:
                typed[(name, row_key, DB_NAMES.get(column.key, column.key))] = row.values.get(column.key)
        if row_key is None:
            _row_key(name, values, position, seen)
    return out


def read_version(path: str | Path, lang: str = "fr", limits: Limits = Limits()) -> Version:
    """Read one workbook into a :class:`Version`; an unreadable file gives its ``check`` findings."""
    from ..check.validator import inspect_file

    return inspect_file(path, lang, limits, then=lambda inspected: _version(inspected, lang))


def _version(inspected: Any, lang: str) -> Version:
    from ..check.checks import CellReferences
    from ..check.report import shown_path
    from ..check.validator import internal_error

    # A name that is not valid UTF-8 is shown as every report shows it (U+FFFD), so JSON and xlsx can carry it.
    path, located = shown_path(inspected.report.path), inspected.located
    if located is None:
        return Version(path, findings=inspected.report.findings, note=inspected.report.note)
    # A value no command may use (a number Excel cannot hold, a text over 32,767 characters) is not compared:
    # the file is refused with those cells, as rollover and upgrade refuse it.
    unusable = [f for f in inspected.report.findings if f.code in UNUSABLE_CODES]
    if unusable:
        return Version(path, findings=unusable)
    raw = located.raw
    try:
        plan = located.to_plan()
        version = Version(path, inspected.sha256)
        version.identity = {"company": id_text(located.company), "year": located.year,
                            **plan_identity(located, plan)}
        # Rows are compared by id: the monthly tables (no id) show in the lines' figures to date instead.
        version.rows = {name: rows for name, rows in plan_rows(located, plan, lang, inspected.computed).items()
                        if name in _SCHEMA_KEY}
        for name, rows in version.rows.items():
            if (table := located.tables.get(_SCHEMA_KEY[name])) is not None:
                _keep_typed_texts(table, rows)
        version.sheets = [_SHEET_KEYS.get(n, n) for n in raw.sheet_names]
        version.vba = hashlib.sha256(raw.vba_project).hexdigest() if raw.vba_project else None
        version.outside = {}
        for worksheet, cells in located.outside.items():
            grid = raw.values(worksheet)
            for r, c in cells:
                value = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
                if not is_blank(value):
                    version.outside[(_SHEET_KEYS.get(worksheet, worksheet), r, c)] = value
        version.formulas = {}
        references = CellReferences(located)
        for name, sheet in PLAN_TABLES.items():
            table = located.tables.get(sheet.key)
            if table is None or name not in _SCHEMA_KEY:
                continue
            version.columns[name] = [DB_NAMES.get(k, k) for k in table.columns] + [
                "?" + h for _, h, _ in table.header_problems if h and fold(h) not in _KNOWN_HEADERS] + [
                "?" + h for _, h in table.unknown]
            if table.unknown:   # the team's own columns: their values are compared too, under "?Header"
                grid = raw.values(table.worksheet)
                for row, values in zip(table.rows, version.rows[name]):
                    line = grid[row.sheet_row] if row.sheet_row < len(grid) else []
                    for position, header in table.unknown:
                        c = table.info.first_col + position
                        cell = line[c] if c < len(line) else None
                        values["?" + header] = None if is_blank(cell) else cell
            version.formulas.update(_altered_formulas(name, table, raw.formulas(table.worksheet), version.rows[name],
                                                      located.lang, references, version.typed))
        return version
    except Exception:  # a plan located and checked that we cannot compare: our bug, never the file's
        return Version(path, findings=[internal_error(lang)])


def _keep_typed_texts(table: Any, rows: list[dict[str, Any]]) -> None:
    """Put back into *rows* the texts the team typed where a number or a date belongs (``1er mars`` in *Fin*):
    the database holds nothing there, but the team typed something, and a diff shows what was typed."""
    sheet = table.sheet
    id_db = DB_NAMES.get(sheet.id_column, sheet.id_column)
    typed = {id_text(row.id(sheet)): row.values for row in table.rows}
    inputs = [(c.key, DB_NAMES.get(c.key, c.key)) for c in sheet.columns if c.is_input and c.key in table.columns]
    for row in rows:
        values = typed.get(id_text(row.get(id_db)))
        if values is None:
            continue
        for key, db_name in inputs:
            if row.get(db_name) is None and isinstance(value := values.get(key), str) and value.strip():
                row[db_name] = value


#: The findings of a value the reader refused to hand on (:class:`~mplan_xl.read.reader.UnusableValue`).
UNUSABLE_CODES = ("number-unusable", "text-too-long")

_SCHEMA_KEY = {"objectives": "objectives", "actions": "actions", "budget_lines": "budget", "kpis": "kpis",
               "reviews": "review"}
_ID_COLUMNS = {table: schema.SHEETS_BY_KEY[key].id_column for table, key in _SCHEMA_KEY.items()}


# --- comparing ------------------------------------------------------------------------------------------------

def same_value(a: Any, b: Any) -> bool:
    """Equal values; numbers to 1e-9 relative, blank text and None alike."""
    if isinstance(a, str) and not a.strip():
        a = None
    if isinstance(b, str) and not b.strip():
        b = None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    return a == b


def _computed_keys(table: str) -> set[str]:
    sheet = schema.SHEETS_BY_KEY[_SCHEMA_KEY[table]]
    keys = {DB_NAMES.get(c.key, c.key) for c in sheet.computed_columns}
    return keys | ({"smart_ok"} if table == "objectives" else set())


def compare_rows(old: Mapping[str, Sequence[Mapping[str, Any]]], new: Mapping[str, Sequence[Mapping[str, Any]]],
                 skip: Sequence[str] = ("company", "year", "sha256", "smart_ok")) -> tuple[dict, list, dict]:
    """Rows added, removed and changed per table, and computed results that moved.

    Returns ``(rows, results, common)``: ``rows[table] = {"added": [ids], "removed": [ids],
    "changed": [{"id", "changes": [{"column", "old", "new"}]}]}`` (only tables
    with a difference), ``results = [{"table", "id", "column", "old", "new"}]`` and
    ``common[table]``, the ids of the rows both sides have. Columns only one
    side has are left out (a structural change), but for the team's own columns (``?Header``): what the team
    typed in a column it added is compared with nothing.
    """
    rows: dict[str, dict] = {}
    results: list[dict] = []
    common: dict[str, set[str]] = {}
    for table in _SCHEMA_KEY:
        before = _keyed(table, old.get(table, ()))
        after = _keyed(table, new.get(table, ()))
        computed = _computed_keys(table)
        added = [after[k][0] for k in after if k not in before]
        removed = [before[k][0] for k in before if k not in after]
        common[table] = {row_id for k, (row_id, _) in before.items() if k in after}
        changed = []
        columns: list[str] | None = None
        for k, (row_id, b) in before.items():
            if k not in after:
                continue
            a = after[k][1]
            if columns is None or len(b) != len(columns) or len(a) != len(b):
                columns = [c for c in b if c in a and c not in skip] + [
                    c for c in (*b, *a) if c.startswith("?") and (c not in a or c not in b)]
            differ = [c for c in columns if b.get(c) != a.get(c) and not same_value(b.get(c), a.get(c))]
            if not differ:
                continue
            changes = [{"column": c, "old": b.get(c), "new": a.get(c)} for c in differ if c not in computed]
            if changes:
                changed.append({"id": row_id, "changes": changes})
            results += [{"table": table, "id": row_id, "column": c, "old": b.get(c), "new": a.get(c)} for c in differ
                        if c in computed]
        if added or removed or changed:
            rows[table] = {"added": added, "removed": removed, "changed": changed}
    return rows, results, common


def _keyed(table: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """Rows by the key ids are matched on (:func:`~mplan_xl.core.plan.id_key`: case-insensitive)."""
    seen: dict[str, int] = {}
    out = {}
    for position, row in enumerate(rows):
        row_id = _row_key(table, row, position, seen)
        out[row_id.casefold()] = (row_id, row)
    return out


def compare_totals(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: {"old": old.get(k), "new": new.get(k)} for k in old if not same_value(old.get(k), new.get(k))}


@dataclass
class Diff:
    """The differences between two versions; empty sections when they are the same."""

    old: Version
    new: Version
    identity: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: dict[str, dict] = field(default_factory=dict)
    results: list[dict] = field(default_factory=list)
    totals: dict[str, dict[str, Any]] = field(default_factory=dict)
    structure: dict[str, Any] = field(default_factory=dict)
    outside: list[dict[str, Any]] = field(default_factory=list)   # {sheet, cell, old, new}

    @property
    def unreadable(self) -> list[Version]:
        return [v for v in (self.old, self.new) if v.findings is not None]

    @property
    def compared(self) -> bool:
        """False when an input could not be read: nothing was compared."""
        return not self.unreadable

    @property
    def same(self) -> bool:
        """True when both versions were compared and nothing differs."""
        return self.compared and not (self.identity or self.rows or self.results or self.totals or self.structure
                                      or self.outside)

    @property
    def exit_code(self) -> int:
        """0 same, 1 different, 2 when an input cannot be read."""
        return 2 if self.unreadable else 0 if self.same else 1

    def to_dict(self) -> dict[str, Any]:
        def side(v: Version) -> dict[str, Any]:
            out = {"path": v.path, "sha256": v.sha256, **{k: _plain(v.identity.get(k)) for k in ("company", "year", "lang")}}
            if v.findings is not None:
                out["findings"] = [f.to_dict() for f in v.findings]
            if v.note:
                out["note"] = v.note
            return out

        return _plain({"format_version": DIFF_FORMAT_VERSION, "compared": self.compared,
                       "same": self.same if self.compared else None, "old": side(self.old),
                       "new": side(self.new), "identity": self.identity, "rows": self.rows, "results": self.results,
                       "totals": self.totals, "structure": self.structure, "outside": self.outside})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def count(self) -> int:
        """Number of differences: identity fields, rows added/removed/changed, results, totals, structure items,
        cells outside the tables."""
        rows = sum(len(t["added"]) + len(t["removed"]) + len(t["changed"]) for t in self.rows.values())
        structure = sum(len(v) if isinstance(v, (list, dict)) else 1 for v in self.structure.values())
        return len(self.identity) + rows + len(self.results) + len(self.totals) + structure + len(self.outside)

    def records(self, lang: str) -> list[dict[str, Any]]:
        """Every difference as one flat record (section, table, id, column, old, new), shown in *lang*.

        ``old`` and ``new`` are both blank for a row added or removed; only
        ``new`` is given for a structural change (its description).
        """
        out = []

        def change(section: str, table: str, row_id: Any, column: str, old: Any, new: Any,
                   table_key: str | None = None, column_key: str | None = None) -> None:
            out.append({"section": T[section](lang), "table": table, "id": "" if row_id is None else str(row_id),
                        "column": column, "old": _show(old, lang, table_key, column_key),
                        "new": _show(new, lang, table_key, column_key)})

        def event(section: str, table: str, row_id: Any, what: str) -> None:
            out.append({"section": T[section](lang), "table": table, "id": "" if row_id is None else str(row_id),
                        "column": what, "old": "", "new": ""})

        for key, value in self.identity.items():
            change("s_identity", "", None, IDENTITY_LABELS[key](lang), value["old"], value["new"])
        for kind, items in self.structure.items():
            for item in (items if isinstance(items, list) else [items]):
                out.append({"section": T["s_structure"](lang), "table": "", "id": "", "column": T[f"st_{kind}"](lang),
                            "old": "", "new": _describe(item, lang)})
        for table, rows in self.rows.items():
            name = table_label(table, lang)
            for row_id in rows["added"]:
                event("s_rows", name, row_id, T["added"](lang))
            for row_id in rows["removed"]:
                event("s_rows", name, row_id, T["removed"](lang))
            for row in rows["changed"]:
                for c in row["changes"]:
                    change("s_rows", name, row["id"], column_label(table, c["column"], lang), c["old"], c["new"],
                           table, c["column"])
        for r in self.results:
            change("s_results", table_label(r["table"], lang), r["id"], column_label(r["table"], r["column"], lang),
                   r["old"], r["new"], r["table"], r["column"])
        for key, value in self.totals.items():
            change("s_totals", "", None, TOTAL_LABELS[key](lang), value["old"], value["new"])
        for item in self.outside:
            change("s_outside", _sheet_label(item["sheet"], lang), item["cell"], "", item["old"], item["new"])
        return out

    def to_text(self, lang: str = "fr") -> str:
        """A readable report: one line per difference, grouped by section, and a count."""
        lines = [T["title"](lang).format(old=self.old.path, new=self.new.path)]
        for version in (self.old, self.new):   # the unreadable ones: those with findings
            if version.findings is None:
                continue
            lines.append(T["not_a_plan"](lang).format(path=version.path, note=version.note) if version.note
                         else T["unreadable"](lang).format(path=version.path))
            lines += [f"  {f'{f.sheet}!{f.cell} ' if f.sheet and f.cell else ''}[{f.code}] {f.message}"
                      + (f" → {f.hint}" if f.hint else "") for f in version.findings]
        if self.unreadable:
            return "\n".join(lines + [T["not_compared"](lang)]) + "\n"
        if self.same:
            return "\n".join(lines + [T["same"](lang)]) + "\n"
        colon = " : " if lang == "fr" else ": "
        section = None
        for record in self.records(lang):
            if record["section"] != section:
                section = record["section"]
                lines.append(section)
            where = " ".join(p for p in (record["table"], record["id"], record["column"]) if p)
            if record["old"] or record["new"]:
                value = f"{record['old']} → {record['new']}" if record["old"] else record["new"]
                lines.append(f"  {where}{colon}{value}")
            else:
                lines.append(f"  {where}")
        lines.append(T["summary"](lang).format(count=self.count()))
        return "\n".join(lines) + "\n"

    def write_xlsx(self, path: str | Path, lang: str = "fr", force: bool = True) -> Path:
        """The differences as an Excel workbook: one row per difference, filterable (written atomically)."""
        from ..core.atomic import atomic_output
        from ..read.inputs import OUTPUT_PROPERTY
        from ..workbook import xlsx_writer

        with atomic_output(path, force=force) as tmp:
            wb = xlsx_writer.workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                "strings_to_urls": False})
            wb.set_custom_property(OUTPUT_PROPERTY, "diff")   # a folder scan skips it (mplan_xl.read.inputs)
            try:
                ws = wb.add_worksheet(T["sheet"](lang))
                bold = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
                ws.write_string(0, 0, T["title"](lang).format(old=self.old.path, new=self.new.path), wb.add_format({"bold": True}))
                ws.write_string(1, 0, T["summary"](lang).format(count=self.count()) if not self.same else T["same"](lang))
                headers = [T[h](lang) for h in ("h_section", "h_table", "h_id", "h_column", "h_old", "h_new")]
                for j, (h, width) in enumerate(zip(headers, (18, 16, 10, 28, 36, 36))):
                    ws.write_string(3, j, h, bold)
                    ws.set_column(j, j, width)
                records = self.records(lang)
                for i, rec in enumerate(records, 4):
                    for j, key in enumerate(("section", "table", "id", "column", "old", "new")):
                        ws.write_string(i, j, str(rec[key]))
                ws.autofilter(3, 0, 3 + max(1, len(records)), 5)
                ws.freeze_panes(4, 0)
            finally:
                wb.close()
        return Path(path)


def diff_versions(old: Version, new: Version) -> Diff:
    """Compare two read versions."""
    result = Diff(old, new)
    if result.unreadable:
        return result
    result.identity = {k: {"old": old.identity.get(k), "new": new.identity.get(k)} for k in IDENTITY_FIELDS
                       if not same_value(old.identity.get(k), new.identity.get(k))}
    result.rows, result.results, common = compare_rows(old.rows, new.rows)
    result.totals = compare_totals(plan_totals(old.rows), plan_totals(new.rows))
    structure: dict[str, Any] = {}
    added = [s for s in new.sheets if s not in old.sheets]
    removed = [s for s in old.sheets if s not in new.sheets]
    if added:
        structure["sheets_added"] = added
    if removed:
        structure["sheets_removed"] = removed
    # Per table: {"table_added"/"table_removed": True}, or the columns "added" and "removed".
    columns: dict[str, dict[str, bool] | dict[str, list[str]]] = {}
    for table in sorted(set(old.columns) | set(new.columns), key=list(_SCHEMA_KEY).index):
        before, after = old.columns.get(table), new.columns.get(table)
        if before is None or after is None:
            columns[table] = {"table_added" if before is None else "table_removed": True}
            continue
        change = {k: v for k, v in (("added", [c for c in after if c not in before]),
                                    ("removed", [c for c in before if c not in after])) if v}
        if change:
            columns[table] = change
    if columns:
        structure["columns"] = columns
    if old.formulas is not None and new.formulas is not None:
        cells = sorted({k for k in (*old.formulas, *new.formulas) if k[1] in common[k[0]]},
                       key=lambda k: (list(_SCHEMA_KEY).index(k[0]), k[1], k[2]))
        def state(version: Version, cell: tuple[str, str, str]) -> dict[str, Any]:
            formula = (version.formulas or {}).get(cell, TEMPLATE_FORMULA)
            return {"formula": formula, "value": version.typed.get(cell)} if formula is None else {"formula": formula}

        # A typed value is a difference when it changes too (5 000 typed over the budget, then 6 000).
        altered = [{"table": t, "id": i, "column": c, "old": before["formula"], "new": after["formula"],
                    **({"old_value": before["value"]} if "value" in before else {}),
                    **({"new_value": after["value"]} if "value" in after else {})}
                   for t, i, c in cells for before, after in [(state(old, (t, i, c)), state(new, (t, i, c)))]
                   if before["formula"] != after["formula"] or not same_value(before.get("value"), after.get("value"))]
        if altered:
            structure["formulas"] = altered
    if old.outside is not None and new.outside is not None:
        result.outside = [{"sheet": key[0], "cell": cell_name(*key[1:]), "old": old.outside.get(key),
                           "new": new.outside.get(key)} for key in sorted(set(old.outside) | set(new.outside))
                          if not same_value(old.outside.get(key), new.outside.get(key))]
    if old.vba != new.vba:
        structure["macros"] = "added" if old.vba is None else "removed" if new.vba is None else "changed"
    result.structure = structure
    return result


def diff(old: str | Path, new: str | Path, lang: str = "fr", limits: Limits = Limits(), jobs: int = 2) -> Diff:
    """Read both workbooks (in two processes when *jobs* > 1 and the files are large) and compare them."""
    sizes = [Path(p).stat().st_size if Path(p).is_file() else 0 for p in (old, new)]
    if jobs > 1 and sum(sizes) > PARALLEL_BYTES:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=1) as pool:   # NEW in a worker while this process reads OLD
            future = pool.submit(read_version, new, lang, limits)
            versions = [read_version(old, lang, limits), future.result()]
    else:
        versions = [read_version(p, lang, limits) for p in (old, new)]
    return diff_versions(*versions)


# --- presenting ---------------------------------------------------------------------------------------------

T = {
    "title": Label("Différences de {old} à {new}", "Differences from {old} to {new}"),
    "same": Label("Aucune différence : les deux versions du plan sont identiques.",
                  "No difference: both versions of the plan are the same."),
    "summary": Label("{count} différence(s).", "{count} difference(s)."),
    "unreadable": Label("{path} : illisible", "{path}: unreadable"),
    "not_compared": Label("Rien n'a été comparé.", "Nothing was compared."),
    "not_a_plan": Label("{path} : pas un plan ({note})", "{path}: not a plan ({note})"),
    "sheet": Label("Différences", "Differences"),
    "s_identity": Label("Identité du plan", "Plan identity"),
    "s_structure": Label("Structure", "Structure"),
    "s_rows": Label("Lignes", "Rows"),
    "s_results": Label("Résultats calculés", "Computed results"),
    "s_totals": Label("Totaux", "Totals"),
    "s_outside": Label("Valeurs hors des tableaux", "Values outside the tables"),
    "added": Label("ajoutée", "added"),
    "removed": Label("supprimée", "removed"),
    "st_sheets_added": Label("feuille ajoutée", "sheet added"),
    "st_sheets_removed": Label("feuille supprimée", "sheet removed"),
    "st_columns": Label("colonnes", "columns"),
    "st_formulas": Label("formule modifiée", "formula altered"),
    "template_formula": Label("(formule du modèle)", "(template formula)"),
    "no_formula": Label("(valeur saisie : {value})", "(typed value: {value})"),
    "st_macros": Label("macros (projet VBA)", "macros (VBA project)"),
    "macros_added": Label("ajoutées", "added"),
    "macros_removed": Label("supprimées", "removed"),
    "macros_changed": Label("modifiées", "changed"),
    "table_added": Label("tableau ajouté", "table added"),
    "table_removed": Label("tableau absent", "table missing"),
    "col_added": Label("ajoutées", "added"),
    "col_removed": Label("absentes", "missing"),
    "h_section": Label("Rubrique", "Section"),
    "h_table": Label("Tableau", "Table"),
    "h_id": Label("ID", "ID"),
    "h_column": Label("Colonne / élément", "Column / item"),
    "h_old": Label("Avant", "Before"),
    "h_new": Label("Après", "After"),
}

IDENTITY_LABELS = {
    "company": Label("Entreprise", "Company"), "year": Label("Année", "Year"), "currency": Label("Devise", "Currency"),
    "envelope": Label("Enveloppe", "Envelope"), "author": Label("Auteur", "Author"),
    "runtime": Label("Mode de calcul", "Runtime"), "template_version": Label("Version du modèle", "Template version"),
}


def table_label(table: str, lang: str) -> str:
    return schema.SHEETS_BY_KEY[_SCHEMA_KEY[table]].name(lang)


def column_label(table: str, column: str, lang: str) -> str:
    column_ = _column(table, column)
    return column_.header(lang) if column_ is not None else column.removeprefix("?")


def _column(table: str, column: str) -> schema.Column | None:
    """The schema column a database column holds (None for ``smart_ok``)."""
    key = {v: k for k, v in DB_NAMES.items()}.get(column, column)
    return next((c for c in schema.SHEETS_BY_KEY[_SCHEMA_KEY[table]].columns if c.key == key), None)


def _sheet_label(key: str, lang: str) -> str:
    return schema.worksheet_name(key, lang) if key in dict(schema.workbook_sheets()) else key


def _describe(item: Any, lang: str) -> str:
    if isinstance(item, str):
        return T[f"macros_{item}"](lang) if item in ("added", "removed", "changed") else _sheet_label(item, lang)
    if "table" in item and "old" in item:   # a formula
        old, new = (T["template_formula"](lang) if item[k] == TEMPLATE_FORMULA else f"={item[k]}"
                    if item[k] is not None else T["no_formula"](lang).format(
                        value=_show(item.get(f"{k}_value"), lang, item["table"], item["column"]))
                    for k in ("old", "new"))
        return f"{table_label(item['table'], lang)} {item['id']} {column_label(item['table'], item['column'], lang)}" \
               f"{' : ' if lang == 'fr' else ': '}{old} → {new}"
    return "; ".join(f"{table_label(t, lang)} : " + ", ".join(
        T[k](lang) if v is True else f"{T['col_' + k](lang)} " + ", ".join(
            c[1:] if c.startswith("?") else column_label(t, c, lang) for c in v) for k, v in change.items())
        for t, change in item.items())


def _show(value: Any, lang: str, table: str | None = None, column: str | None = None) -> str:
    """A value as the user reads it: a dropdown code as its label in *lang*, numbers in the language's style."""
    if value is None or value == "":
        return "—"
    col = _column(table, column) if table and column else None
    if col is not None and col.choices is not None and isinstance(value, str) and value in col.choices.codes:
        return col.choices.label(value, lang)
    if column == "status" and table == "kpis":
        from ..core.vocabulary import KPI_STATUS

        return KPI_STATUS.label(value, lang) if value in KPI_STATUS.codes else str(value)
    if isinstance(value, bool):
        return str(value)
    kind = col.kind if col is not None else None
    if kind is Kind.PERCENT and isinstance(value, (int, float)):
        return (f"{value:.1%}".replace(".", ",").replace("%", "\u00a0%")) if lang == "fr" else f"{value:.1%}"
    if isinstance(value, float):
        return format_number(value, lang, ",.6g") if abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return shown_date(value, lang)
    return str(value)


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, tuples as lists, NaN as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


__all__ = ["DIFF_FORMAT_VERSION", "Diff", "Version", "compare_rows", "diff", "diff_versions", "plan_totals",
           "read_version", "same_value"]
