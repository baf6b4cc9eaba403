"""Many plans into one database and one portfolio workbook: ``mplan-xl consolidate``.

Every workbook named (files, or folders searched recursively) is checked by
the validator; the valid ones (warnings allowed) are loaded into a DuckDB
database, the invalid and unreadable ones are skipped and listed with their
findings. Every figure stored is computed by the metrics core through
:func:`mplan_xl.computed.compute_row`, exactly as the workbook computes it.

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
                its figures, attainment, budget_variance, roi and verdict (a code)
findings        finding of a checked file (valid or not): sha256, path, company, year,
                status (valid / invalid / unreadable), code, severity, sheet, cell, row_id,
                message, hint
==============  =============================================================================

Every plan table starts with ``company, year, sha256``. Column names are the
schema's column keys (:mod:`mplan_xl.schema`); dropdown columns hold the
language-independent codes (``search_ads``, ``keep``). A plan is identified
by its company (the team; the file name when the Guide leaves it blank) and
year: loading a file again replaces that plan's rows, so loading twice
changes nothing, and loading a new version of a team's plan replaces the old
one. Two different files of the same company and year in one run: the first
is loaded, the other is skipped and reported. A file's findings are replaced
each time the file (same path or same content) is checked again.

Example:
    >>> result = consolidate(["returned/"], "plans.duckdb", out="portfolio.xlsx")   # doctest: +SKIP
    >>> [p.company for p in result.loaded], [s.path for s in result.skipped]        # doctest: +SKIP
    (['Atelier Lumen', 'Brûlerie Ormelune'], ['returned/broken.xlsx'])
    >>> tables("plans.duckdb")["budget_lines"].groupby("company")["planned"].sum()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from . import schema
from .computed import PlanContext, compute_row
from .errors import MplanError, UsageError
from .numbers import to_number
from .plan import id_text
from .plan_reader import locate_plan, named_value
from .reader import Limits, read_workbook
from .report import INVALID, UNREADABLE, VALID, FileReport
from .rules import Finding, make_finding
from .schema import Kind, Sheet
from .validator import CHECKS_FAILED, check_file, crash_report, expand_paths
from .vocabulary import KPI_STATUS, Label

# --- the database layout, derived from the schema ----------------------------------------------------------

#: Database table -> schema table it holds.
PLAN_TABLES: Mapping[str, Sheet] = {
    "objectives": schema.OBJECTIVES, "actions": schema.ACTIONS, "budget_lines": schema.BUDGET, "kpis": schema.KPIS,
    "reviews": schema.REVIEW,
}
#: Column keys renamed in the database (``end`` is an SQL keyword).
DB_NAMES = {"start": "start_date", "end": "end_date"}
KEY_COLUMNS: tuple[tuple[str, str], ...] = (("company", "VARCHAR"), ("year", "INTEGER"), ("sha256", "VARCHAR"))
PLANS_COLUMNS: tuple[tuple[str, str], ...] = KEY_COLUMNS + (
    ("path", "VARCHAR"), ("file_name", "VARCHAR"), ("lang", "VARCHAR"), ("runtime", "VARCHAR"),
    ("template_version", "VARCHAR"), ("currency", "VARCHAR"), ("envelope", "DOUBLE"), ("author", "VARCHAR"),
    ("warnings", "INTEGER"), ("loaded_at", "TIMESTAMP"),
)
FINDINGS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sha256", "VARCHAR"), ("path", "VARCHAR"), ("company", "VARCHAR"), ("year", "INTEGER"), ("status", "VARCHAR"),
    ("code", "VARCHAR"), ("severity", "VARCHAR"), ("sheet", "VARCHAR"), ("cell", "VARCHAR"), ("row_id", "VARCHAR"),
    ("message", "VARCHAR"), ("hint", "VARCHAR"),
)
#: Every table of the database, in the order :func:`tables` returns them.
TABLE_NAMES = ("plans", "objectives", "actions", "budget_lines", "kpis", "reviews", "findings")


def _sql_type(column: schema.Column) -> str:
    if column.kind is Kind.DATE:
        return "DATE"
    if column.kind is Kind.INTEGER:
        return "INTEGER"
    if column.kind.is_number:
        return "DOUBLE"
    return "VARCHAR"


def _plan_table_columns(sheet: Sheet) -> tuple[tuple[str, str], ...]:
    columns = KEY_COLUMNS + tuple((DB_NAMES.get(c.key, c.key), _sql_type(c)) for c in sheet.columns)
    if sheet.key == "objectives":
        columns += (("smart_ok", "BOOLEAN"),)
    return columns


#: Database table -> ((column, SQL type), ...).
DB_COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "plans": PLANS_COLUMNS,
    **{name: _plan_table_columns(sheet) for name, sheet in PLAN_TABLES.items()},
    "findings": FINDINGS_COLUMNS,
}

_DDL = {name: f"CREATE TABLE IF NOT EXISTS {name} (" + ", ".join(f'"{c}" {t}' for c, t in columns)
        + (", PRIMARY KEY (company, year)" if name == "plans" else "") + ")"
        for name, columns in DB_COLUMNS.items()}

# --- errors ------------------------------------------------------------------------------------------------

_TEXT = {
    "folder": Label("{path} : c'est un dossier ; indiquez un fichier de base de données",
                    "{path}: is a folder; give a database file"),
    "no_folder": Label("{path} : le dossier de la base de données n'existe pas", "{path}: the database's folder does not exist"),
    "not_writable": Label("{path} : impossible d'écrire dans le dossier de la base de données",
                          "{path}: the database's folder is not writable"),
    "missing": Label("{path} : base de données introuvable", "{path}: database not found"),
    "locked": Label("{path} : base de données verrouillée par un autre programme{pid} ; fermez-le puis relancez",
                    "{path}: database locked by another program{pid}; close it and try again"),
    "cannot_open": Label("{path} : impossible d'ouvrir la base de données ({detail})",
                         "{path}: cannot open the database ({detail})"),
    "not_ours": Label("{path} : ce n'est pas une base mplan-xl (table {table} différente)",
                      "{path}: not an mplan-xl database (table {table} differs)"),
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
}


class DatabaseError(MplanError):
    """The database cannot be opened or written (locked, not a DuckDB file, disk error)."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]


def connect(db: str | os.PathLike, read_only: bool = False) -> Any:
    """Open (and create, unless *read_only*) the consolidation database; one clear error otherwise.

    Raises :class:`~mplan_xl.errors.UsageError` for a path that cannot be a
    database file (a folder, a missing or unwritable folder) and
    :class:`DatabaseError` when DuckDB refuses it (locked by another process,
    not a DuckDB file).
    """
    import duckdb

    path = Path(db)
    if path.is_dir():
        raise UsageError(_TEXT["folder"], path=path)
    parent = path.parent if str(path.parent) else Path(".")
    if read_only and not path.exists():
        raise UsageError(_TEXT["missing"], path=path)
    if not parent.is_dir():
        raise UsageError(_TEXT["no_folder"], path=path)
    if not read_only and not os.access(parent, os.W_OK):
        raise UsageError(_TEXT["not_writable"], path=path)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as err:
        message = str(err)
        if "lock" in message.lower():
            pid = re.search(r"PID (\d+)", message)
            raise DatabaseError(_TEXT["locked"], path=path, pid=f" (PID {pid[1]})" if pid else "") from None
        raise DatabaseError(_TEXT["cannot_open"], path=path, detail=_one_line(message.removeprefix("IO Error: "))) from None
    if not read_only:
        try:
            _create_tables(con, path)
        except BaseException:
            con.close()
            raise
    return con


def _create_tables(con: Any, path: Path) -> None:
    for name, ddl in _DDL.items():
        con.execute(ddl)
        found = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = 'main' "
            "ORDER BY ordinal_position", [name]).fetchall()]
        if found != [c for c, _ in DB_COLUMNS[name]]:
            raise DatabaseError(_TEXT["not_ours"], path=path, table=name)


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


def _sha256(path: str | os.PathLike) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()



def _db_value(kind: Kind, value: Any) -> Any:
    if kind is Kind.DATE:
        return value if isinstance(value, dt.date) else None
    if kind.is_number:
        number = to_number(value)
        return int(number) if number is not None and kind is Kind.INTEGER and number.is_integer() else number
    return id_text(value)


def examine(path: str | os.PathLike, lang: str = "fr", limits: Limits = Limits()) -> Examined:
    """Check one file and, when it is valid, turn it into database rows. Never raises for a bad file."""
    report = check_file(path, lang, limits)
    sha = _sha256(path)
    if report.status == UNREADABLE:
        return Examined(str(path), sha, report)
    try:
        raw = read_workbook(path, limits)
    except Exception:  # the validator read it a moment ago; a file changing meanwhile is reported as it was
        return Examined(str(path), sha, report)
    try:
        located = locate_plan(raw)
        plan = located.to_plan()
        company = id_text(located.company) or Path(path).stem
        year = located.year
        if report.status != VALID:
            return Examined(str(path), sha, report, company, year)
        if not isinstance(year, int):
            return Examined(str(path), sha, report, company, None, note="no_year")
        on_track, at_risk = (to_number(named_value(raw, n)) for n in (schema.NAME_ON_TRACK, schema.NAME_AT_RISK))
        thresholds = {k: v for k, v in (("on_track", on_track), ("at_risk", at_risk)) if v is not None}
        context = PlanContext(plan.tables, year, **thresholds)
        key = {"company": company, "year": year, "sha256": sha}
        rows: dict[str, list[dict[str, Any]]] = {}
        for name, sheet in PLAN_TABLES.items():
            out = []
            for inputs in plan.rows(sheet.key):
                computed = compute_row(sheet, inputs, context, located.lang)
                values = {**inputs, **computed}
                row = dict(key)
                for column in sheet.columns:
                    row[DB_NAMES.get(column.key, column.key)] = _db_value(column.kind, values.get(column.key))
                if name == "objectives":
                    row["smart_ok"] = None if row["smart"] is None else row["smart"] == "OK"
                if name == "kpis":
                    row["status"] = KPI_STATUS.code_of(values.get("status"))
                out.append(row)
            rows[name] = out
        plan_row = {**key, "path": str(Path(path).resolve()), "file_name": Path(path).name, "lang": located.lang,
                    "runtime": id_text(located.runtime), "template_version": located.template_version,
                    "currency": plan.identity.currency, "envelope": to_number(located.envelope),
                    "author": id_text(named_value(raw, schema.NAME_AUTHOR)), "warnings": report.warnings,
                    "loaded_at": None}
        return Examined(str(path), sha, report, company, year, plan_row, rows)
    except Exception:  # a workbook the checks passed but that cannot be turned into rows
        report = FileReport(str(path), INVALID, report.template_version,
                            report.findings + [make_finding("corrupt-workbook", lang, detail=CHECKS_FAILED(lang))])
        return Examined(str(path), sha, report)
    finally:
        raw.close()


def _examine_all(files: Sequence[Path], lang: str, jobs: int | None, limits: Limits,
                 on_done: Callable[[Examined], None] | None) -> list[Examined]:
    """:func:`examine` every file, in a pool of worker processes with a time limit per file."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    if jobs == 1:
        results = []
        for f in files:
            results.append(examine(f, lang, limits))
            if on_done:
                on_done(results[-1])
        return results
    from pebble import ProcessExpired, ProcessPool

    results: list[Examined] = []
    with ProcessPool(max_workers=jobs) as pool:
        futures = [pool.schedule(examine, args=(f, lang, limits), timeout=limits.timeout_s) for f in files]
        for f, future in zip(files, futures):
            try:
                result = future.result()
            except FutureTimeout:
                result = Examined(str(f), _sha256(f), FileReport(str(f), UNREADABLE, None, [
                    make_finding("check-timeout", lang, seconds=limits.timeout_s)]))
            except ProcessExpired as err:
                result = Examined(str(f), _sha256(f), crash_report(f, lang, err.exitcode))
            results.append(result)
            if on_done:
                on_done(result)
    return results


# --- loading -------------------------------------------------------------------------------------------------

@dataclass
class LoadedPlan:
    """A plan written to the database by this run."""

    path: str
    sha256: str
    company: str
    year: int
    outcome: str          # "added" | "replaced" (another version was there) | "reloaded" (the same file again)
    warnings: int


@dataclass
class SkippedFile:
    """A file not loaded: invalid, unreadable, or a second file for a plan already loaded in this run."""

    path: str
    status: str           # "invalid" | "unreadable" | "valid" (skipped for the reason in ``note``)
    findings: list[Finding]
    note: str | None = None


@dataclass
class Consolidation:
    """What :func:`consolidate` did."""

    db: Path
    portfolio: Path | None
    loaded: list[LoadedPlan]
    skipped: list[SkippedFile]

    @property
    def exit_code(self) -> int:
        """0 when every file was loaded, 1 when some were skipped."""
        return 1 if self.skipped else 0

    def tables(self) -> dict[str, Any]:
        """Every table of the database as a pandas DataFrame (see :func:`tables`)."""
        return tables(self.db)


def _frame(name: str, rows: list[dict[str, Any]]) -> Any:
    """A DataFrame with the table's columns and explicit dtypes, so that DuckDB never guesses a type."""
    import pandas as pd

    data = {}
    for column, sql in DB_COLUMNS[name]:
        values = [row.get(column) for row in rows]
        if sql == "DOUBLE":
            data[column] = pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
        elif sql == "INTEGER":
            data[column] = pd.Series(values, dtype="Int64")
        elif sql == "BOOLEAN":
            data[column] = pd.Series(values, dtype="boolean")
        elif sql in ("DATE", "TIMESTAMP"):
            data[column] = pd.Series(pd.to_datetime(values), dtype="datetime64[us]")
        else:
            data[column] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


def _insert(con: Any, name: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    frame = _frame(name, rows)
    con.register("mplan_rows", frame)
    try:
        columns = ", ".join(f'"{c}"' for c, _ in DB_COLUMNS[name])
        casts = ", ".join(f'CAST("{c}" AS {t})' for c, t in DB_COLUMNS[name])
        con.execute(f"INSERT INTO {name} ({columns}) SELECT {casts} FROM mplan_rows")
    finally:
        con.unregister("mplan_rows")


def _select_batch(examined: list[Examined], lang: str) -> tuple[list[Examined], list[SkippedFile]]:
    """The valid plans to load, one per (company, year), and the files skipped, in input order."""
    chosen: dict[tuple[str, int], Examined] = {}
    skipped = []
    for item in examined:
        if item.report.status != VALID or item.plan is None:
            note = _TEXT[item.note](lang) if item.note else None
            skipped.append(SkippedFile(item.path, item.report.status, item.report.findings, note))
            continue
        key = (item.company.lower(), item.year)
        first = chosen.get(key)
        if first is None:
            chosen[key] = item
        elif first.sha256 == item.sha256:
            skipped.append(SkippedFile(item.path, VALID, item.report.findings, _TEXT["copy"](lang).format(other=first.path)))
        else:
            skipped.append(SkippedFile(item.path, VALID, item.report.findings, _TEXT["conflict"](lang).format(
                company=item.company, year=item.year, other=first.path)))
    return list(chosen.values()), skipped


def load(con: Any, examined: list[Examined], lang: str = "fr") -> tuple[list[LoadedPlan], list[SkippedFile]]:
    """Write the examined files to the database in one transaction: plans replaced, findings stored."""
    import pandas as pd

    batch, skipped = _select_batch(examined, lang)
    now = dt.datetime.now().replace(microsecond=0)
    keys = pd.DataFrame({"company": pd.Series([e.company for e in batch], dtype=object),
                         "year": pd.Series([e.year for e in batch], dtype="Int64")})
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("mplan_keys", keys)
        previous = {(c.lower(), y): s for c, y, s in con.execute(
            "SELECT p.company, p.year, p.sha256 FROM plans p JOIN mplan_keys k "
            "ON lower(p.company) = lower(k.company) AND p.year = k.year").fetchall()}
        old_shas = [s for s in previous.values() if s]
        for name in ("plans", *PLAN_TABLES):
            con.execute(f"DELETE FROM {name} t USING mplan_keys k WHERE lower(t.company) = lower(k.company) "
                        f"AND t.year = k.year")
        con.unregister("mplan_keys")
        paths = [str(Path(e.path).resolve()) for e in examined]
        shas = sorted({e.sha256 for e in examined if e.sha256} | set(old_shas))
        con.execute("DELETE FROM findings WHERE path IN (SELECT unnest(?::VARCHAR[])) "
                    "OR sha256 IN (SELECT unnest(?::VARCHAR[]))", [paths, shas])
        loaded = []
        for item in batch:
            item.plan["loaded_at"] = now
            before = previous.get((item.company.lower(), item.year))
            outcome = "added" if before is None else "reloaded" if before == item.sha256 else "replaced"
            loaded.append(LoadedPlan(item.path, item.sha256 or "", item.company, item.year, outcome, item.report.warnings))
        _insert(con, "plans", [e.plan for e in batch])
        for name in PLAN_TABLES:
            _insert(con, name, [row for e in batch for row in e.rows.get(name, [])])
        stored = {id(e) for e in batch} | {id(e) for e in examined if e.report.status != VALID}
        _insert(con, "findings", [
            {"sha256": e.sha256, "path": str(Path(e.path).resolve()), "company": e.company, "year": e.year, "status": e.report.status,
             **f.to_dict()} for e in examined if id(e) in stored for f in e.report.findings])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return loaded, skipped


def consolidate(paths: Sequence[str | os.PathLike], db: str | os.PathLike, *, out: str | os.PathLike | None = None,
                lang: str = "fr", jobs: int | None = None, limits: Limits = Limits(),
                on_done: Callable[[Examined], None] | None = None) -> Consolidation:
    """Check every workbook of *paths*, load the valid ones into the DuckDB database *db*, and
    write the portfolio workbook *out* (replaced) from the whole database.

    Example:
        >>> result = consolidate(["returned/"], "plans.duckdb", out="portfolio.xlsx", lang="en")  # doctest: +SKIP
        >>> len(result.loaded), len(result.skipped), result.exit_code                            # doctest: +SKIP
        (12, 2, 1)
    """
    from .atomic import check_output

    if out is not None:
        check_output(out, force=True)
        if Path(out).suffix.lower() != ".xlsx":
            raise UsageError(_TEXT["portfolio_xlsx"], path=out)
    # The portfolio of an earlier run, written among the plans, is not a plan.
    files = [f for f in expand_paths(paths) if out is None or f.resolve() != Path(out).resolve()]
    if not files:
        raise UsageError(_TEXT["no_files"], paths=", ".join(map(str, paths)))
    con = connect(db)
    try:
        examined = _examine_all(files, lang, jobs, limits, on_done)
        try:
            loaded, skipped = load(con, examined, lang)
        except Exception as err:
            import duckdb

            if isinstance(err, duckdb.Error):
                raise DatabaseError(_TEXT["write_failed"], path=db, detail=_one_line(str(err))) from None
            raise
        portfolio = None
        if out is not None:
            from .portfolio_sheet import write_portfolio

            portfolio = write_portfolio(con, out, lang)
    finally:
        con.close()
    return Consolidation(Path(db), portfolio, loaded, skipped)


# --- reading the database back ------------------------------------------------------------------------------

def tables(db: str | os.PathLike) -> dict[str, Any]:
    """Every table of the consolidation database as a pandas DataFrame, read-only.

    Example:
        >>> frames = tables("plans.duckdb")                                   # doctest: +SKIP
        >>> frames["budget_lines"].groupby(["company", "year"])["actual"].sum()   # doctest: +SKIP
    """
    return {name: frame for name, frame in zip(TABLE_NAMES, _read(db, [f"SELECT * FROM {n} ORDER BY ALL" for n in TABLE_NAMES]))}


def read_table(db: str | os.PathLike, name: str) -> Any:
    """One table of the database as a pandas DataFrame.

    Example:
        >>> read_table("plans.duckdb", "kpis").query("status == 'off_track'")   # doctest: +SKIP
    """
    if name not in TABLE_NAMES:
        raise UsageError(Label("table {name!r} : attendu l'une de {known}", "table {name!r}: expected one of {known}"),
                         name=name, known=", ".join(TABLE_NAMES))
    return _read(db, [f"SELECT * FROM {name} ORDER BY ALL"])[0]


def _read(db: str | os.PathLike, queries: Sequence[str]) -> list[Any]:
    """Run *queries* on the database opened read-only; a database without our tables is one clear error."""
    import duckdb

    con = connect(db, read_only=True)
    try:
        return [con.execute(query).df() for query in queries]
    except duckdb.Error as err:
        raise DatabaseError(_TEXT["read_failed"], path=db, detail=_one_line(str(err).split("\n")[0])) from None
    finally:
        con.close()


__all__ = ["Consolidation", "DatabaseError", "DB_COLUMNS", "Examined", "LoadedPlan", "SkippedFile", "TABLE_NAMES",
           "connect", "consolidate", "examine", "load", "read_table", "tables"]
