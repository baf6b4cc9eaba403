"""Many plans into one database and one portfolio workbook: ``mplan-xl consolidate``.

Every workbook named (files, or folders searched recursively) is checked by
the validator; the valid ones (warnings allowed) are loaded into the database
(a DuckDB file or a PostgreSQL server), the invalid and unreadable ones are
skipped and listed with their findings. Every figure stored is computed by the metrics core through
:func:`mplan_xl.core.computed.compute_row`, exactly as the workbook computes it.

The database
------------

==============  =============================================================================
table           one row per
==============  =============================================================================
plans           loaded plan: company, year, sha256, path, file_name, lang, runtime,
                template_version, currency, envelope, author, warnings, loaded_at
objectives      objective: the plan key, the columns of the Objectives sheet (computed ones
                included: actions_count, kpis_count, smart) and ``smart_ok``
actions         action (``start_date`` and ``end_date`` for the Start and End columns)
budget_lines    budget line, with its variance and variance_pct
kpis            KPI, with its variance, attainment and status (a code: on_track, at_risk,
                off_track)
reviews         row of the Bilan N-1: last year's action (same id, see ``mplan-xl rollover``),
                its figures, achievement, budget_variance, roi and verdict (a code)
findings        finding of a checked file (valid or not): sha256, path, company, year,
                status (valid / invalid / unreadable), code, severity, sheet, cell, row_id,
                message, hint
approvals       approved plan (``mplan-xl approve``): its key, the approved sha256, path,
                file_name, approved_at, seen_at (last time this version was loaded) and its
                figures (:func:`mplan_xl.year.diff.plan_totals`)
revisions       version of an approved plan loaded later: key, sha256, approved_sha256, path,
                file_name, loaded_at, changes, its figures, and ``diff``, its differences from
                the approved version (the JSON of ``mplan-xl diff`` without ``structure``)
==============  =============================================================================

==================  =========================================================================
table (issue 23)    one row per
==================  =========================================================================
action_approvals    action of a plan with an approval (``approve --actions``): key, action_id,
                    status (approved / pending), approved_by, comment, approved_at
versions            version received (valid or not, once per content): key, path, status,
                    outcome, errors, warnings, last_modified_by and modified_at (document
                    properties), received_at, seen_at
rates               the group's exchange rates (``consolidate --rates``), per currency
==================  =========================================================================

The BI views and the trust score over these tables: :mod:`mplan_xl.portfolio.bi_views`.

Every plan table starts with ``company, year, sha256``. Column names are the
schema's column keys (:mod:`mplan_xl.core.schema`); dropdown columns hold the
language-independent codes (``search_ads``, ``keep``). A plan is identified
by its company (the team, from the Guide; a plan without one is not loaded:
``check`` reports ``company-missing``, and an empty plan is skipped) and
year: loading a file again replaces that plan's rows, so loading twice
changes nothing, and loading a new version of a team's plan replaces the old
one. Two different files of the same company and year in one run: the first
is loaded, the other is skipped and reported. A file's findings are replaced
each time the file (same path or same content) is checked again.

An approved plan keeps its approved rows: another version of it is stored in
``revisions`` (outcome ``modified_after_approval``, with its diff) until it is
approved in turn. A plan's status (:data:`~mplan_xl.portfolio.database.STATUS_SQL`) is ``submitted``,
``approved``, or ``modified_after_approval`` when a different version came
after the approved one was last seen.

The database is a DuckDB file or a PostgreSQL database (``postgresql://...``):
see :mod:`mplan_xl.portfolio.database`.

Example:
    >>> result = consolidate(["returned/"], "plans.duckdb", out="portfolio.xlsx")   # doctest: +SKIP
    >>> [p.company for p in result.loaded], [s.path for s in result.skipped]        # doctest: +SKIP
    (['Atelier Lumen', 'Brûlerie Ormelune'], ['returned/broken.xlsx'])
    >>> tables("plans.duckdb")["budget_lines"].groupby("company")["planned"].sum()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ..check.report import INVALID, SKIPPED, VALID, FileReport
from ..check.validator import (
    Inspected,
    Interrupted,
    flag_conflict_copies,
    inspect_file,
    internal_error,
    not_a_plan,
    run_files,
)
from ..core import schema
from ..core.errors import EXIT_INTERRUPTED, ApprovalRefused, UsageError
from ..core.plan import id_text
from ..core.rules import Finding
from ..core.schema import Kind, Table
from ..core.vocabulary import Label
from ..read.inputs import scan_paths
from ..read.plan_rows import DB_NAMES, PLAN_TABLES, plan_identity, plan_rows
from ..read.reader import Limits
from ..year.diff import plan_totals
from .database import STATUS_SQL, Database, DatabaseError, database_errors, one_line, open_database, typed_frame

# --- the database layout, derived from the schema ----------------------------------------------------------

KEY_COLUMNS: tuple[tuple[str, str], ...] = (("company", "VARCHAR"), ("year", "INTEGER"), ("sha256", "VARCHAR"))
PLANS_COLUMNS: tuple[tuple[str, str], ...] = KEY_COLUMNS + (
    ("path", "VARCHAR"), ("file_name", "VARCHAR"), ("lang", "VARCHAR"), ("runtime", "VARCHAR"),
    ("template_version", "VARCHAR"), ("currency", "VARCHAR"), ("envelope", "DOUBLE"), ("author", "VARCHAR"),
    ("warnings", "INTEGER"), ("loaded_at", "TIMESTAMP"), ("as_of", "DATE"),
) + (
    # consolidate --currency --rates: the reporting currency, and its units per unit of the plan's currency
    ("reporting_currency", "VARCHAR"), ("reporting_rate", "DOUBLE"), ("rate_date", "DATE"),
)
FINDINGS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sha256", "VARCHAR"), ("path", "VARCHAR"), ("company", "VARCHAR"), ("year", "INTEGER"), ("status", "VARCHAR"),
    ("code", "VARCHAR"), ("severity", "VARCHAR"), ("sheet", "VARCHAR"), ("cell", "VARCHAR"), ("row_id", "VARCHAR"),
    ("message", "VARCHAR"), ("hint", "VARCHAR"),
)
#: The figures recorded for an approved version and for a revision (see :func:`mplan_xl.year.diff.plan_totals`).
FIGURE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("planned", "DOUBLE"), ("committed", "DOUBLE"), ("actual", "DOUBLE"), ("variance", "DOUBLE"),
    ("expected_gain", "DOUBLE"), ("objectives", "INTEGER"), ("objectives_smart", "INTEGER"), ("actions", "INTEGER"),
    ("budget_lines", "INTEGER"), ("kpis", "INTEGER"), ("kpis_on_track", "INTEGER"), ("kpis_at_risk", "INTEGER"),
    ("kpis_off_track", "INTEGER"),
)
APPROVALS_COLUMNS: tuple[tuple[str, str], ...] = KEY_COLUMNS + (
    ("path", "VARCHAR"), ("file_name", "VARCHAR"), ("approved_at", "TIMESTAMP"), ("seen_at", "TIMESTAMP"),
) + FIGURE_COLUMNS
APPROVALS_COLUMNS += (("approved_by", "VARCHAR"), ("comment", "VARCHAR"))
#: Each action's approval (``approve --actions``): approved, or pending while another action of the plan is approved.
ACTION_APPROVALS_COLUMNS: tuple[tuple[str, str], ...] = KEY_COLUMNS + (
    ("action_id", "VARCHAR"), ("status", "VARCHAR"), ("approved_by", "VARCHAR"), ("comment", "VARCHAR"),
    ("approved_at", "TIMESTAMP"),
)
#: Every version of a plan received (valid or not), once per content: the history of a plan is
#: ``SELECT * FROM versions WHERE company = ? AND year = ? ORDER BY received_at``.
VERSIONS_COLUMNS: tuple[tuple[str, str], ...] = KEY_COLUMNS + (
    ("path", "VARCHAR"), ("file_name", "VARCHAR"), ("status", "VARCHAR"), ("outcome", "VARCHAR"),
    ("errors", "INTEGER"), ("warnings", "INTEGER"), ("last_modified_by", "VARCHAR"), ("modified_at", "TIMESTAMP"),
    ("received_at", "TIMESTAMP"), ("seen_at", "TIMESTAMP"),
)
#: The group's exchange rates (``consolidate --currency --rates``): units of the reporting currency per unit of
#: ``currency``, as last loaded.
RATES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("currency", "VARCHAR"), ("reporting_currency", "VARCHAR"), ("rate", "DOUBLE"), ("rate_date", "DATE"),
    ("source", "VARCHAR"), ("loaded_at", "TIMESTAMP"),
)
REVISIONS_COLUMNS: tuple[tuple[str, str], ...] = KEY_COLUMNS + (
    ("approved_sha256", "VARCHAR"), ("path", "VARCHAR"), ("file_name", "VARCHAR"), ("loaded_at", "TIMESTAMP"),
    ("changes", "INTEGER"),
) + FIGURE_COLUMNS + (("diff", "VARCHAR"),)
#: Every table of the database, in the order :func:`tables` returns them.
TABLE_NAMES = ("plans", "objectives", "actions", "budget_lines", "kpis", "reviews", "budget_months", "kpi_months", "findings",
               "approvals", "revisions", "action_results", "action_approvals", "versions", "rates")
#: Primary keys: a plan is its company and year; a revision, also its content.
PRIMARY_KEYS = {"plans": ("company", "year"), "approvals": ("company", "year"),
                "revisions": ("company", "year", "sha256"), "action_approvals": ("company", "year", "action_id"),
                "versions": ("company", "year", "sha256"), "rates": ("currency",)}
#: Plan statuses shown on the portfolio.
STATUSES = ("submitted", "approved", "modified_after_approval", "partly_approved")


def _sql_type(column: schema.Column) -> str:
    if column.kind is Kind.DATE:
        return "DATE"
    if column.kind is Kind.INTEGER:
        return "INTEGER"
    if column.kind.is_number:
        return "DOUBLE"
    return "VARCHAR"


def _plan_table_columns(sheet: Table) -> tuple[tuple[str, str], ...]:
    columns = KEY_COLUMNS + tuple((DB_NAMES.get(c.key, c.key), _sql_type(c)) for c in sheet.columns)
    if sheet.key == "objectives":
        columns += (("smart_ok", "BOOLEAN"),)
    return columns


#: Database table -> ((column, SQL type), ...).
DB_COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "plans": PLANS_COLUMNS,
    **{name: _plan_table_columns(sheet) for name, sheet in PLAN_TABLES.items()},
    "findings": FINDINGS_COLUMNS,
    "approvals": APPROVALS_COLUMNS,
    "revisions": REVISIONS_COLUMNS,
    "action_approvals": ACTION_APPROVALS_COLUMNS,
    "versions": VERSIONS_COLUMNS,
    "rates": RATES_COLUMNS,
}

# --- errors ------------------------------------------------------------------------------------------------

_TEXT = {
    "write_failed": Label("{path} : échec de l'écriture dans la base de données ({detail})",
                          "{path}: could not write to the database ({detail})"),
    "no_files": Label("aucun classeur .xlsx/.xlsm trouvé dans : {paths}", "no .xlsx/.xlsm workbook found in: {paths}"),
    "conflict": Label("même entreprise et même année ({company} {year}) que {other}, chargé à sa place",
                      "same company and year ({company} {year}) as {other}, loaded instead"),
    "copy": Label("copie identique de {other}", "identical copy of {other}"),
    "portfolio_xlsx": Label("{path} : le portefeuille est un classeur .xlsx ; nommez-le *.xlsx",
                            "{path}: the portfolio is an .xlsx workbook; name it *.xlsx"),
    "read_failed": Label("{path} : lecture de la base de données impossible ({detail})",
                         "{path}: cannot read the database ({detail})"),
    "no_year": Label("année du plan introuvable sur la feuille Accueil", "plan year not found on the Guide sheet"),
    "no_company": Label("nom de l'entreprise vide sur la feuille Accueil", "company name blank on the Guide sheet"),
    "no_rate": Label("devise {currency} sans taux dans {rates} (consolidation en {reporting}) : plan non chargé",
                     "currency {currency} has no rate in {rates} (reporting in {reporting}): plan not loaded"),
    "unknown_action": Label("{path} : action(s) {actions} absente(s) du plan (actions : {known})",
                            "{path}: action(s) {actions} not in the plan (actions: {known})"),
    "not_approvable": Label("{path} : plan non approuvé, il n'est pas valide", "{path}: plan not approved, it is not valid"),
}


def connect(db: str | os.PathLike, read_only: bool = False) -> Database:
    """Open (and create, unless *read_only*) the consolidation database: a DuckDB file or a PostgreSQL URI.

    Raises :class:`~mplan_xl.core.errors.UsageError` for a path that cannot be a
    database file (a folder, a missing or unwritable folder) and
    :class:`DatabaseError` when the engine refuses it (a DuckDB file locked by
    another process or not a DuckDB file; a PostgreSQL server unreachable,
    credentials refused, database missing). Opened for writing, the database gets the views of
    :mod:`mplan_xl.portfolio.bi_views` (BI views and trust scores).
    """
    database = open_database(db, DB_COLUMNS, PRIMARY_KEYS, read_only)
    if not read_only:
        from .bi_views import create_views

        try:
            create_views(database)
        except BaseException:
            database.close()
            raise
    return database


# --- reading one file (in a worker process) -------------------------------------------------------------------

@dataclass
class Examined:
    """What one file gave: its check report and, for a valid plan, its rows for every table."""

    path: str
    sha256: str | None
    report: FileReport
    company: str | None = None
    year: int | None = None
    plan: dict[str, Any] | None = None                 # the row of ``plans``
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    note: str | None = None                            # why a valid file is skipped anyway
    #: The version received (a row of ``versions`` without its dates of reception): for any file with a key.
    version: dict[str, Any] | None = None

    def valid_plan(self) -> ValidPlan | None:
        """The file as a plan to load, when it is one: valid, with its key (company, year) and its rows."""
        if self.report.status != VALID or self.plan is None or self.company is None or self.year is None:
            return None
        return ValidPlan(self, self.company, self.year, self.plan)


@dataclass(frozen=True)
class ValidPlan:
    """A valid examined plan, with the key and the ``plans`` row that such a plan always has."""

    examined: Examined
    company: str
    year: int
    plan: dict[str, Any]                               # the row of ``plans``

    @property
    def path(self) -> str:
        return self.examined.path

    @property
    def sha256(self) -> str | None:
        return self.examined.sha256

    @property
    def report(self) -> FileReport:
        return self.examined.report

    @property
    def rows(self) -> dict[str, list[dict[str, Any]]]:
        return self.examined.rows


def examine(path: str | os.PathLike, lang: str = "fr", limits: Limits = Limits()) -> Examined:
    """Check one file and, when it is valid, turn it into database rows, from one read. Never raises for a bad file."""
    return inspect_file(path, lang, limits, then=lambda inspected: _rows_of(inspected, lang))


def _rows_of(inspected: Inspected, lang: str) -> Examined:
    report, sha, located = inspected.report, inspected.sha256, inspected.located
    path = report.path
    if located is None:
        return Examined(path, sha, report)
    try:
        plan = located.to_plan()
        company = id_text(located.company) or Path(path).stem
        year = located.year
        if report.status != VALID:
            return Examined(path, sha, report, company, year, version=_version_row(inspected, company, year))
        if not isinstance(year, int):
            return Examined(path, sha, report, company, None, note="no_year")
        if not id_text(located.company):   # an empty plan (check says company-missing once it has content)
            return Examined(path, sha, report, company, year, note="no_company")
        key = {"company": company, "year": year, "sha256": sha}
        rows = {name: [{**key, **row} for row in table_rows] for name, table_rows in
                plan_rows(located, plan, located.lang, inspected.computed).items()}
        plan_row = {**key, "path": str(Path(path).resolve()), "file_name": Path(path).name,
                    **plan_identity(located, plan), "warnings": report.warnings, "loaded_at": None}
        return Examined(path, sha, report, company, year, plan_row, rows,
                        version=_version_row(inspected, company, year))
    except Exception:  # a workbook the checks passed but that we cannot turn into rows: our bug
        report = FileReport(path, INVALID, report.template_version, report.findings + [internal_error(lang)])
        return Examined(path, sha, report)


def _version_row(inspected: Inspected, company: str | None, year: Any) -> dict[str, Any] | None:
    """The ``versions`` row of a file with a key: its sha256, check status, and who saved it last and when
    (``lastModifiedBy`` and ``modified`` of its document properties, docProps/core.xml)."""
    report, located = inspected.report, inspected.located
    if not company or not isinstance(year, int) or inspected.sha256 is None or located is None:
        return None
    properties = located.raw.core_properties
    return {"company": company, "year": year, "sha256": inspected.sha256, "path": str(Path(report.path).resolve()),
            "file_name": Path(report.path).name, "status": report.status, "errors": report.errors,
            "warnings": report.warnings, "last_modified_by": properties.get("lastModifiedBy"),
            "modified_at": _w3c_datetime(properties.get("modified"))}


def _w3c_datetime(text: str | None) -> dt.datetime | None:
    """A document property's date (``2026-12-07T16:48:05Z``) as a naive UTC datetime; None when absent or bad."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _examine_all(files: Sequence[Path], lang: str, jobs: int | None, limits: Limits,
                 on_done: Callable[[Examined], None] | None) -> list[Examined]:
    """:func:`examine` every file, in the validator's worker pool with its time limit per file."""
    return run_files(files, examine, (lang, limits), lang=lang, limits=limits, jobs=jobs, on_done=on_done,
                     failed=lambda path, report: Examined(str(path), _sha256(path), report))


def _sha256(path: str | os.PathLike) -> str | None:
    """The sha256 of a file the reader could not finish (a time limit, a worker that died), for its findings."""
    from ..read.inputs import open_input

    try:
        with open_input(path) as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


# --- loading -------------------------------------------------------------------------------------------------

@dataclass
class LoadedPlan:
    """A plan written to the database by this run."""

    path: str
    sha256: str
    company: str
    year: int
    outcome: str          # "added" | "replaced" (another version was there) | "reloaded" (the same file again)
    #                       | "modified_after_approval" (approved figures kept, the file stored as a revision)
    warnings: int
    diff: Any = None      # for modified_after_approval: the Diff from the approved version


@dataclass
class SkippedFile:
    """A file not loaded: invalid, unreadable, or a second file for a plan already loaded in this run."""

    path: str
    status: str           # "invalid" | "unreadable" | "valid" (skipped for the reason in ``note``) | "skipped" (no plan)
    findings: list[Finding]
    note: str | None = None
    report: FileReport | None = field(default=None, repr=False, compare=False)


@dataclass
class Consolidation:
    """What :func:`consolidate` did."""

    db: str | os.PathLike
    portfolio: Path | None
    loaded: list[LoadedPlan]
    skipped: list[SkippedFile]
    #: Files that are no plan, with the reason (``note``): lock files, system files, our own outputs.
    ignored: list[SkippedFile] = field(default_factory=list)
    #: The files not examined because the run was interrupted (Ctrl-C); what was examined is loaded.
    pending: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every file was loaded (or ignored), 1 when some were skipped, 130 when interrupted."""
        return EXIT_INTERRUPTED if self.pending else 1 if self.skipped else 0

    def tables(self) -> dict[str, Any]:
        """Every table of the database as a pandas DataFrame (see :func:`tables`)."""
        return tables(self.db)


def _select_batch(examined: list[Examined], lang: str) -> tuple[list[ValidPlan], list[SkippedFile]]:
    """The valid plans to load, one per (company, year), and the files skipped, in input order.

    Of a plan and its likely conflict copy (``plan-PC-Jean.xlsx``), the plan is loaded and the copy skipped.
    """
    chosen: dict[tuple[str, int], ValidPlan] = {}
    skipped = []
    for entry in sorted(examined, key=lambda e: e.report.duplicate_of is not None):
        item = entry.valid_plan()
        if item is None:
            note = (_TEXT[entry.note](lang) if entry.note in _TEXT else entry.note) if entry.note else entry.report.note
            skipped.append(SkippedFile(entry.path, entry.report.status, entry.report.findings, note, entry.report))
            continue
        key = (item.company.lower(), item.year)
        first = chosen.get(key)
        if first is None:
            chosen[key] = item
        elif first.sha256 == item.sha256:
            skipped.append(SkippedFile(item.path, VALID, item.report.findings, _TEXT["copy"](lang).format(other=first.path),
                                       item.report))
        else:
            skipped.append(SkippedFile(item.path, VALID, item.report.findings, _TEXT["conflict"](lang).format(
                company=item.company, year=item.year, other=first.path), item.report))
    order = {id(e.report): i for i, e in enumerate(examined)}
    return (sorted(chosen.values(), key=lambda p: order[id(p.report)]),
            sorted(skipped, key=lambda f: order.get(id(f.report), 0)))


def _finding_rows(item: Examined) -> list[dict[str, Any]]:
    return [{"sha256": item.sha256, "path": str(Path(item.path).resolve()), "company": item.company, "year": item.year,
             "status": item.report.status, **{k: v for k, v in f.to_dict().items() if k != "params"}}
            for f in item.report.findings]


def stored_plan(db: Database, company: str, year: int) -> tuple[dict[str, Any] | None, dict[str, list[dict[str, Any]]]]:
    """The ``plans`` row and the rows of every plan table stored for (company, year)."""
    where = "WHERE lower(company) = lower(?) AND year = ?"
    plan = db.records(f"SELECT * FROM plans {where}", [company, year])
    rows = {name: db.records(f"SELECT * FROM {name} {where}", [company, year]) for name in PLAN_TABLES}
    return (plan[0] if plan else None), rows


def _approved_diff(db: Database, item: ValidPlan, lang: str) -> Any:
    """The diff from the approved version stored in the database to the examined file (its data, not its
    structure, which the database does not hold)."""
    from ..year.diff import Version, diff_versions

    plan, rows = stored_plan(db, item.company, item.year)
    identity = lambda p: {k: p.get(k) for k in ("company", "year", "currency", "envelope", "author", "runtime",  # noqa: E731
                                                 "template_version", "lang")}
    old = Version((plan or {}).get("path") or "", (plan or {}).get("sha256"), identity(plan or {}), rows)
    new = Version(item.path, item.sha256, identity(item.plan), item.rows)
    return diff_versions(old, new)


@dataclass(frozen=True)
class ApprovalNote:
    """Who approves and why (``approve --by --comment``), and which actions (``--actions``; None: the whole plan)."""

    by: str | None = None
    comment: str | None = None
    actions: tuple[str, ...] | None = None


def _write(db: Database, plans: Sequence[ValidPlan], others: Sequence[Examined], now: dt.datetime, lang: str,
           approve: bool | ApprovalNote = False) -> list[LoadedPlan]:
    """Write *plans* (valid, one per key) and the findings of *others*; the caller holds the transaction.

    A plan whose approved version differs from the file keeps its approved rows:
    the file becomes a revision (its figures and its diff from the approved
    version) and the outcome is ``modified_after_approval``. With *approve*, the
    file's version is stored and recorded as approved (the whole plan, or the actions the
    :class:`ApprovalNote` names: the plan is then approved once every action is). Every file with a key
    is recorded in ``versions`` (first received, last seen), and the plans stored get the reporting rate
    of their currency from the ``rates`` table, when it has one.
    """
    note = approve if isinstance(approve, ApprovalNote) else ApprovalNote() if approve else None
    keys = [(e.company, e.year) for e in plans]
    state: dict[tuple[str, int], tuple[str | None, str | None]] = {}
    if keys:
        marks = " OR ".join("(lower(p.company) = lower(?) AND p.year = ?)" for _ in keys)
        params = [v for k in keys for v in k]
        for company, year, sha in db.rows(f"SELECT p.company, p.year, p.sha256 FROM plans p WHERE {marks}", params):
            state[(company.lower(), year)] = (sha, None)
        for company, year, sha in db.rows(f"SELECT p.company, p.year, p.sha256 FROM approvals p WHERE {marks}", params):
            state[(company.lower(), year)] = (state.get((company.lower(), year), (None, None))[0], sha)
    loaded, replace, revisions, seen = [], [], [], []
    for item in plans:
        before, approved = state.get((item.company.lower(), item.year), (None, None))
        if approved is not None and approved != item.sha256 and not approve:
            change = _approved_diff(db, item, lang)
            revisions.append({"company": item.company, "year": item.year, "sha256": item.sha256,
                              "approved_sha256": approved, "path": str(Path(item.path).resolve()),
                              "file_name": Path(item.path).name, "loaded_at": now, "changes": change.count(),
                              **plan_totals(item.rows), "diff": json.dumps(change.to_dict(), ensure_ascii=False)})
            loaded.append(LoadedPlan(item.path, item.sha256 or "", item.company, item.year, "modified_after_approval",
                                     item.report.warnings, change))
            continue
        if approved is not None and approved == item.sha256:
            seen.append((item.company, item.year))
        item.plan["loaded_at"] = now.replace(microsecond=0)
        replace.append(item)
        outcome = "added" if before is None else "reloaded" if before == item.sha256 else "replaced"
        loaded.append(LoadedPlan(item.path, item.sha256 or "", item.company, item.year, outcome, item.report.warnings))
    old_shas = [state[(e.company.lower(), e.year)][0] for e in replace if state.get((e.company.lower(), e.year), (None,))[0]]
    stored = [*(e.examined for e in plans), *(e for e in others if e.report.status != VALID)]  # their findings kept
    paths = [str(Path(e.path).resolve()) for e in (*(p.examined for p in plans), *others)]
    db.delete_findings(paths, sorted({s for s in (*(e.sha256 for e in stored), *old_shas) if s}))
    db.delete_plans(("plans", *PLAN_TABLES), [(e.company, e.year) for e in replace])
    _fill_rates(db, [e.plan for e in replace])
    db.insert("plans", [e.plan for e in replace])
    for name in PLAN_TABLES:
        db.insert(name, [row for e in replace for row in e.rows.get(name, [])])
    for company, year, sha in [(r["company"], r["year"], r["sha256"]) for r in revisions]:
        db.execute("DELETE FROM revisions WHERE lower(company) = lower(?) AND year = ? AND sha256 = ?", [company, year, sha])
    db.insert("revisions", revisions)
    for company, year in seen:
        db.execute("UPDATE approvals SET seen_at = ? WHERE lower(company) = lower(?) AND year = ?", [now, company, year])
    if note is not None:
        for e in plans:
            if _approve_actions(db, e, note, now):
                db.delete_plans(("approvals",), [(e.company, e.year)])
                db.insert("approvals", [{"company": e.company, "year": e.year, "sha256": e.sha256,
                                         "path": str(Path(e.path).resolve()), "file_name": Path(e.path).name,
                                         "approved_at": now, "seen_at": now, **plan_totals(e.rows),
                                         "approved_by": note.by, "comment": note.comment}])
            else:   # some actions wait: the version stored is not the one approved as a whole, if any
                db.execute("DELETE FROM approvals WHERE lower(company) = lower(?) AND year = ? AND sha256 <> ?",
                           [e.company, e.year, e.sha256])
    db.insert("findings", [row for e in stored for row in _finding_rows(e)])
    outcomes = {(p.path, p.sha256): p.outcome for p in loaded}
    _record_versions(db, [*(p.examined for p in plans), *others], outcomes, now)
    return loaded


def _approve_actions(db: Database, item: ValidPlan, note: ApprovalNote, now: dt.datetime) -> bool:
    """Record the approval of the actions *note* names (every action of the plan when it names none) and mark
    the others pending, unless already approved; True when every action of the plan is now approved."""
    where = "lower(company) = lower(?) AND year = ?"
    ids = [str(r["id"]) for r in item.rows.get("actions", []) if r.get("id") is not None]
    chosen = {a.lower() for a in note.actions} if note.actions is not None else {i.lower() for i in ids}
    known = {r["action_id"].lower(): r for r in db.records(f"SELECT * FROM action_approvals WHERE {where}",
                                                              [item.company, item.year])}
    if note.actions is None:
        db.execute(f"DELETE FROM action_approvals WHERE {where}", [item.company, item.year])
        known = {}
    rows: list[dict[str, Any]] = []
    for action in ids:
        if action.lower() in chosen:
            rows.append({"company": item.company, "year": item.year, "sha256": item.sha256, "action_id": action,
                         "status": "approved", "approved_by": note.by, "comment": note.comment, "approved_at": now})
        elif action.lower() not in known:
            rows.append({"company": item.company, "year": item.year, "sha256": item.sha256, "action_id": action,
                         "status": "pending", "approved_by": None, "comment": None, "approved_at": None})
    for row in rows:
        db.execute(f"DELETE FROM action_approvals WHERE {where} AND lower(action_id) = lower(?)",
                   [item.company, item.year, row["action_id"]])
    db.insert("action_approvals", rows)
    statuses = {**{a: r["status"] for a, r in known.items()}, **{str(r["action_id"]).lower(): r["status"] for r in rows}}
    return all(statuses.get(a.lower()) == "approved" for a in ids)


def _fill_rates(db: Database, plans: Sequence[dict[str, Any]]) -> None:
    """Give each ``plans`` row the reporting currency and rate of its currency from the ``rates`` table."""
    if not plans:
        return
    rates = {c.upper(): (r, per_unit, day) for c, r, per_unit, day in
             db.rows("SELECT currency, reporting_currency, rate, rate_date FROM rates")}
    for plan in plans:
        found = rates.get(str(plan.get("currency") or "").upper())
        plan["reporting_currency"], plan["reporting_rate"], plan["rate_date"] = (
            (found[0], 1.0 / found[1], found[2]) if found and found[1] else (None, None, None))


def _record_versions(db: Database, examined: Sequence[Examined], outcomes: Mapping[tuple[str, str], str],
                     now: dt.datetime) -> None:
    """Keep every version received in ``versions``: a new content is added with its outcome (added, replaced,
    modified_after_approval, skipped...), one seen again only gets its ``seen_at``."""
    unique: dict[tuple[str, int, str], dict[str, Any]] = {}
    for e in examined:   # of identical copies, the one loaded (plans come first)
        if e.version is not None:
            unique.setdefault((e.version["company"].lower(), e.version["year"], e.version["sha256"]), {
                **e.version, "outcome": outcomes.get((e.path, e.sha256 or ""), "skipped"), "received_at": now,
                "seen_at": now})
    rows = list(unique.values())
    if not rows:
        return
    marks = ", ".join("?" for _ in rows)
    first = {(c.lower(), y, sha): (at, outcome) for c, y, sha, at, outcome in db.rows(
        f"SELECT company, year, sha256, received_at, outcome FROM versions WHERE sha256 IN ({marks})",
        [r["sha256"] for r in rows])}
    for row in rows:   # a version seen again keeps when it was first received and what that did
        row["received_at"], row["outcome"] = first.get((row["company"].lower(), row["year"], row["sha256"]),
                                                       (now, row["outcome"]))
        db.execute("DELETE FROM versions WHERE lower(company) = lower(?) AND year = ? AND sha256 = ?",
                   [row["company"], row["year"], row["sha256"]])
    db.insert("versions", rows)


def store_rates(db: Database, rates: Any, now: dt.datetime) -> None:
    """Replace the database's rates by *rates* (:class:`~mplan_xl.portfolio.rates.Rates`) and give every stored
    plan the reporting rate of its currency (none when the new rates lack it)."""
    with db.transaction():
        db.lock("mplan-xl rates")
        db.execute("DELETE FROM rates")
        db.insert("rates", [{"currency": r.currency, "reporting_currency": rates.reporting, "rate": r.per_unit,
                             "rate_date": r.date, "source": rates.source, "loaded_at": now}
                            for r in rates.rates.values()])
        db.execute("UPDATE plans SET reporting_currency = NULL, reporting_rate = NULL, rate_date = NULL")
        for r in rates.rates.values():
            db.execute("UPDATE plans SET reporting_currency = ?, reporting_rate = ?, rate_date = ? "
                       "WHERE upper(currency) = ?", [rates.reporting, r.reporting_rate, r.date, r.currency])


def load(db: Database, examined: list[Examined], lang: str = "fr", approve: bool | ApprovalNote = False
         ) -> tuple[list[LoadedPlan], list[SkippedFile]]:
    """Write the examined files to the database: plans replaced (or kept, when approved), findings stored.

    DuckDB: one transaction for the batch. PostgreSQL: one transaction per
    file, under a lock on the plan's key and on the file, so concurrent runs
    write each plan exactly once.
    """
    batch, skipped = _select_batch(examined, lang)
    chosen = {id(e.examined) for e in batch}
    others = [e for e in examined if id(e) not in chosen]
    now = dt.datetime.now()
    if not db.per_plan:
        with db.transaction():
            loaded = _write(db, batch, others, now, lang, approve)
        return loaded, skipped
    loaded = []
    for other in others:
        with db.transaction():
            db.lock(f"file:{Path(other.path).resolve()}")
            _write(db, [], [other], now, lang)
    for item in batch:
        with db.transaction():
            db.lock(f"plan:{item.company.lower()}:{item.year}", f"file:{Path(item.path).resolve()}")
            loaded += _write(db, [item], [], now, lang, approve)
    return loaded, skipped


def consolidate(paths: Sequence[str | os.PathLike], db: str | os.PathLike, *, out: str | os.PathLike | None = None,
                force: bool = True, lang: str = "fr", jobs: int | None = None, limits: Limits = Limits(),
                on_done: Callable[[Examined], None] | None = None, rates: Any = None) -> Consolidation:
    """Check every workbook of *paths*, load the valid ones into the DuckDB database *db*, and
    write the portfolio workbook *out* from the whole database (an existing one replaced unless
    *force* is False, as the command line does without ``--force``).

    With *rates* (:func:`mplan_xl.portfolio.rates.read_rates`), the rates replace the database's and every plan
    gets the reporting rate of its currency; a plan whose currency has none is skipped with a located note.

    Example:
        >>> result = consolidate(["returned/"], "plans.duckdb", out="portfolio.xlsx", lang="en")  # doctest: +SKIP
        >>> len(result.loaded), len(result.skipped), result.exit_code                            # doctest: +SKIP
        (12, 2, 1)
    """
    from ..read.outputs import check_outputs

    found = scan_paths(paths)
    # The portfolio of an earlier run, or the database, found among the plans may be replaced (the scan skips them).
    check_outputs([out], paths, force=force, kept=[db], found=found)
    if out is not None and Path(out).suffix.lower() != ".xlsx":
        raise UsageError(_TEXT["portfolio_xlsx"], path=out)
    # The portfolio of an earlier run, written among the plans, is not a plan.
    files = [f for f in found if out is None or f.resolve() != Path(out).resolve()]
    if not files:
        raise UsageError(_TEXT["no_files"], paths=", ".join(map(str, paths)))
    con = connect(db)
    try:
        pending: list[Path] = []
        try:
            examined = _examine_all(files, lang, jobs, limits, on_done)
        except Interrupted as stop:   # Ctrl-C: what was examined is loaded, and said to be incomplete
            examined, pending = stop.results, stop.pending
        flag_conflict_copies([e.report for e in examined], lang)
        for entry in examined:   # a warning that flag added counts in the plan's row
            if entry.plan is not None:
                entry.plan["warnings"] = entry.report.warnings
            if rates is not None and entry.plan is not None and entry.valid_plan() is not None \
                    and rates.get(entry.plan["currency"]) is None:
                entry.note = _TEXT["no_rate"](lang).format(currency=entry.plan["currency"],
                                                           rates=rates.source, reporting=rates.reporting)
                entry.plan = None
        try:
            if rates is not None:
                store_rates(con, rates, dt.datetime.now())
            loaded, skipped = load(con, examined, lang)
        except database_errors() as err:
            raise DatabaseError(_TEXT["write_failed"], path=con.name, detail=one_line(str(err))) from None
        ignored = [f for f in skipped if f.status == SKIPPED]
        skipped = [f for f in skipped if f.status != SKIPPED]
        portfolio = None
        if out is not None and not pending:
            from .portfolio_sheet import write_portfolio

            portfolio = write_portfolio(con, out, lang)
    finally:
        con.close()
    return Consolidation(db, portfolio, loaded, skipped, ignored, [str(p) for p in pending])


# --- approval ------------------------------------------------------------------------------------------------

@dataclass
class Approval:
    """What :func:`approve` recorded."""

    plan: LoadedPlan
    figures: dict[str, Any]


def approve(path: str | os.PathLike, db: str | os.PathLike, lang: str = "fr", limits: Limits = Limits(),
            by: str | None = None, comment: str | None = None, actions: Sequence[str] | None = None) -> Approval:
    """Record this version of a team's plan (company, year, sha256, figures) as approved in *db*, by *by*
    (who approves) with *comment*; with *actions* (ids), only those actions are approved, the others wait
    (``pending``) until approved in turn, and the plan is approved once every action is.

    The file is checked and loaded as by :func:`consolidate` (its rows replace
    any other version of the plan) and the ``approvals`` table gets its key,
    sha256 and figures. A later :func:`consolidate` of another version of the
    plan keeps these rows and stores that version as a revision. A plan with
    errors is refused (:class:`ApprovalRefused`, with its findings).

    Example:
        >>> approve("returned/lumen.xlsx", "plans.duckdb").figures["planned"]   # doctest: +SKIP
        61200.0
    """
    from ..read.outputs import check_outputs

    check_outputs([], [path], force=False, kept=[db])
    item = _examine_all([Path(path)], lang, 1, limits, None)[0]
    if item.report.status == SKIPPED:   # no plan: a lock file, a report
        raise not_a_plan(path, item.report.note or "")
    if item.report.status != VALID or item.plan is None:
        raise ApprovalRefused(_TEXT["not_approvable"], item.report.findings, path=path)
    if actions is not None:
        ids = [str(r["id"]) for r in item.rows.get("actions", []) if r.get("id") is not None]
        unknown = [a for a in actions if a.lower() not in {i.lower() for i in ids}]
        if unknown or not actions:
            raise UsageError(_TEXT["unknown_action"], path=path, actions=", ".join(unknown) or "—",
                             known=", ".join(ids) or "—")
    note = ApprovalNote(by, comment, tuple(actions) if actions is not None else None)
    con = connect(db)
    try:
        try:
            loaded, _ = load(con, [item], lang, approve=note)
        except database_errors() as err:
            raise DatabaseError(_TEXT["write_failed"], path=con.name, detail=one_line(str(err))) from None
    finally:
        con.close()
    return Approval(loaded[0], plan_totals(item.rows))


# --- reading the database back ------------------------------------------------------------------------------

def tables(db: str | os.PathLike) -> dict[str, Any]:
    """Every table of the consolidation database (DuckDB file or PostgreSQL URI) as a pandas DataFrame.

    Example:
        >>> frames = tables("plans.duckdb")                                   # doctest: +SKIP
        >>> frames["budget_lines"].groupby(["company", "year"])["actual"].sum()   # doctest: +SKIP
    """
    return dict(zip(TABLE_NAMES, _read(db, TABLE_NAMES)))


def read_table(db: str | os.PathLike, name: str) -> Any:
    """One table of the database as a pandas DataFrame.

    Example:
        >>> read_table("plans.duckdb", "kpis").query("status == 'off_track'")   # doctest: +SKIP
    """
    if name not in TABLE_NAMES:
        raise UsageError(Label("table {name!r} : attendu l'une de {known}", "table {name!r}: expected one of {known}"),
                         name=name, known=", ".join(TABLE_NAMES))
    return _read(db, [name])[0]


def _read(db: str | os.PathLike, names: Sequence[str]) -> list[Any]:
    """The tables *names*, sorted on every column, with the same dtypes on both engines."""
    con = connect(db, read_only=True)
    try:
        frames = []
        for name in names:
            order = ", ".join(str(i) for i in range(1, len(DB_COLUMNS[name]) + 1))
            frames.append(typed_frame(DB_COLUMNS[name], con.records(f"SELECT * FROM {name} ORDER BY {order}")))
        return frames
    except database_errors() as err:
        raise DatabaseError(_TEXT["read_failed"], path=con.name, detail=one_line(str(err).split("\n")[0])) from None
    finally:
        con.close()


def plan_statuses(db: Database) -> dict[tuple[str, int], str]:
    """(company, year) -> status of each stored plan: ``submitted``, ``approved`` or ``modified_after_approval``."""
    return {(c, y): s for c, y, s in db.rows(f"SELECT company, year, status FROM ({STATUS_SQL}) s")}


def approval_of(db: Database, company: str, year: int) -> dict[str, Any] | None:
    """The approval recorded for the plan (company, year): its status, who approved it, when, why, the sha256
    approved, and each action's approval; None when nothing of the plan is approved or pending."""
    where = "lower(company) = lower(?) AND year = ?"
    plan = db.records(f"SELECT approved_by, approved_at, comment, sha256 FROM approvals WHERE {where}", [company, year])
    actions = db.records(f"SELECT action_id, status, approved_by, approved_at, comment, sha256 FROM action_approvals "
                         f"WHERE {where} ORDER BY action_id", [company, year])
    if not plan and not actions:
        return None
    status = {(c.lower(), y): s for (c, y), s in plan_statuses(db).items()}.get((company.lower(), year), "submitted")
    return {"status": status, **(plan[0] if plan else {"approved_by": None, "approved_at": None, "comment": None,
                                                        "sha256": None}),
            "actions": {a.pop("action_id"): a for a in actions}}


__all__ = ["ApprovalNote", "approval_of", "Consolidation", "DatabaseError", "DB_COLUMNS", "Examined", "LoadedPlan", "STATUSES", "SkippedFile",
           "TABLE_NAMES", "Approval", "ApprovalRefused", "approve", "connect", "consolidate", "examine", "load", "plan_statuses", "read_table",
           "stored_plan", "tables"]
