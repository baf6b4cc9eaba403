"""The consolidation database: DuckDB (an embedded file, the default) or PostgreSQL (a shared server).

``--db plans.duckdb`` opens (or creates) a DuckDB file, which allows one
writing process at a time. ``--db postgresql://user@host:5432/plans`` (or
``postgres://``, any libpq connection URI, e.g. ``postgresql:///plans?host=/run/postgresql``
for a Unix socket; the password may come from ``~/.pgpass`` or ``PGPASSWORD``)
connects through psycopg to a PostgreSQL database several controllers share.
Both hold the same tables, with the same columns and keys; the layout is
declared by :mod:`mplan_xl.portfolio.consolidate` and given to :func:`open_database`.

The backends differ only where the engines do:

* DuckDB loads a batch in one transaction, rows inserted from pandas frames;
* PostgreSQL loads each plan in its own transaction, rows sent with ``COPY``,
  under a transaction-scoped advisory lock on the plan's key (company, year) and
  on the file, so two ``consolidate`` runs at the same time on overlapping
  folders write each plan exactly once (the second waits, then replaces the
  first's rows with the same rows). Tables (and an index on each plan key)
  are created under a lock too.

An unreachable server, bad credentials or a missing database is one
:class:`DatabaseError` (one line, exit code 1).

Example:
    >>> db = open_database("postgresql://finance@db.example/plans", layout)   # doctest: +SKIP
    >>> db.rows("SELECT count(*) FROM plans")                                 # doctest: +SKIP
    [(12,)]
"""

from __future__ import annotations

import abc
import contextlib
import os
import re
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from ..core.errors import DatabaseError, UsageError
from ..core.text_safety import utf8_text
from ..core.vocabulary import Label

#: (column, SQL type) per table, and the primary key columns per table.
Layout = Mapping[str, Sequence[tuple[str, str]]]

TEXT = {
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
    "pg_connect": Label("{path} : connexion au serveur PostgreSQL impossible ({detail})",
                        "{path}: cannot connect to the PostgreSQL server ({detail})"),
    "no_psycopg": Label("{path} : psycopg n'est pas installé (pip install 'psycopg[binary]')",
                        "{path}: psycopg is not installed (pip install 'psycopg[binary]')"),
}


def one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]


def is_postgres(db: str | os.PathLike) -> bool:
    return str(db).startswith(("postgresql://", "postgres://"))


def display_name(db: str | os.PathLike) -> str:
    """The database as shown to users: a file path, or a PostgreSQL URI without its password."""
    text = str(db)
    return re.sub(r"(://[^:/@?#]*):[^@/?#]*@", r"\1@", text) if is_postgres(text) else text


class Database(abc.ABC):
    """An open consolidation database (:class:`DuckDatabase` or :class:`PostgresDatabase`).

    ``execute`` and ``rows`` take ``?`` placeholders on both engines."""

    kind = ""
    #: One transaction per plan (PostgreSQL) rather than one for the whole batch (DuckDB).
    per_plan = False

    def __init__(self, name: str, layout: Layout):
        self.name = name
        self.layout = layout

    # -- each engine's own ----------------------------------------------------------------------------------
    @abc.abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns the engine's cursor."""

    @abc.abstractmethod
    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append *rows* (column -> value) to *table* in one bulk load."""

    @abc.abstractmethod
    def delete_plans(self, tables: Sequence[str], keys: Sequence[tuple[str, int]]) -> None:
        """Delete the rows of (company, year) *keys* (company case-insensitive) from *tables*."""

    @abc.abstractmethod
    def delete_findings(self, paths: Sequence[str], shas: Sequence[str]) -> None:
        """Delete the stored findings of the files (*paths*, *shas*) about to be stored again."""

    def lock(self, *names: str) -> None:
        """Serialise writers on *names* until the end of the transaction (PostgreSQL); nothing on DuckDB."""

    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """A transaction: committed when the block ends, rolled back when it raises."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connection."""

    # -- shared ---------------------------------------------------------------------------------------------
    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def records(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        result = self.execute(sql, params)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]

    def frame(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The result as a pandas DataFrame."""
        import pandas as pd

        result = self.execute(sql, params)
        names = [d[0] for d in result.description]
        return pd.DataFrame.from_records(result.fetchall(), columns=names)

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _ddl(name: str, columns: Sequence[tuple[str, str]], key: Sequence[str], types: Mapping[str, str]) -> str:
    body = ", ".join(f'"{c}" {types.get(t, t)}' for c, t in columns)
    return f"CREATE TABLE IF NOT EXISTS {name} ({body}" + (f", PRIMARY KEY ({', '.join(key)})" if key else "") + ")"


def _upgrade(con: Any, name: str, found: Sequence[str], columns: Sequence[tuple[str, str]], path: Any,
             types: Mapping[str, str]) -> None:
    """Add to table *name* the columns a newer mplan-xl stores (a database filled by an older version, whose plans
    then show those figures blank until they are loaded again); a table with a column we do not know is not ours."""
    expected = [c for c, _ in columns]
    if not found or set(found) - set(expected):
        raise DatabaseError(TEXT["not_ours"], path=path, table=name)
    for column, sql_type in columns:
        if column not in found:
            con.execute(f'ALTER TABLE {name} ADD COLUMN "{column}" {types.get(sql_type, sql_type)}')


# --- DuckDB ------------------------------------------------------------------------------------------------

class DuckDatabase(Database):
    kind = "duckdb"

    def __init__(self, path: Path, layout: Layout, keys: Mapping[str, Sequence[str]], read_only: bool):
        import duckdb

        super().__init__(str(path), layout)
        if path.is_dir():
            raise UsageError(TEXT["folder"], path=path)
        if path.exists():   # a named pipe would block DuckDB forever: refused as every input is
            from ..read.inputs import InputRefused, open_input, refusal_label

            try:
                open_input(path).close()
            except InputRefused as err:
                raise UsageError(refusal_label(err)) from None
            except OSError:
                pass   # DuckDB says what it is
        parent = path.parent if str(path.parent) else Path(".")
        if read_only and not path.exists():
            raise UsageError(TEXT["missing"], path=path)
        if not parent.is_dir():
            raise UsageError(TEXT["no_folder"], path=path)
        if not read_only and not os.access(parent, os.W_OK):
            raise UsageError(TEXT["not_writable"], path=path)
        try:
            self.con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as err:
            message = str(err)
            if "lock" in message.lower():
                pid = re.search(r"PID (\d+)", message)
                raise DatabaseError(TEXT["locked"], path=path, pid=f" (PID {pid[1]})" if pid else "") from None
            raise DatabaseError(TEXT["cannot_open"], path=path, detail=one_line(message.removeprefix("IO Error: "))) from None
        if not read_only:
            try:
                for name, columns in layout.items():
                    self.con.execute(_ddl(name, columns, keys.get(name, ()), {}))
                    found = [r[0] for r in self.con.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                        "AND table_schema = 'main' ORDER BY ordinal_position", [name]).fetchall()]
                    if found != [c for c, _ in columns]:
                        _upgrade(self.con, name, found, columns, path, {})
            except BaseException:
                self.con.close()
                raise

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.con.execute(sql, list(params))

    def frame(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.con.execute(sql, list(params)).df()

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        frame = typed_frame(self.layout[table], rows)
        self.con.register("mplan_rows", frame)
        try:
            columns = ", ".join(f'"{c}"' for c, _ in self.layout[table])
            casts = ", ".join(f'CAST("{c}" AS {t})' for c, t in self.layout[table])
            self.con.execute(f"INSERT INTO {table} ({columns}) SELECT {casts} FROM mplan_rows")
        finally:
            self.con.unregister("mplan_rows")

    def delete_plans(self, tables: Sequence[str], keys: Sequence[tuple[str, int]]) -> None:
        if not keys:
            return
        import pandas as pd

        frame = pd.DataFrame({"company": pd.Series([k[0] for k in keys], dtype=object),
                              "year": pd.Series([k[1] for k in keys], dtype="Int64")})
        self.con.register("mplan_keys", frame)
        try:
            for name in tables:
                self.con.execute(f"DELETE FROM {name} t USING mplan_keys k WHERE lower(t.company) = lower(k.company) "
                                 f"AND t.year = k.year")
        finally:
            self.con.unregister("mplan_keys")

    def delete_findings(self, paths: Sequence[str], shas: Sequence[str]) -> None:
        self.con.execute("DELETE FROM findings WHERE path IN (SELECT unnest(?::VARCHAR[])) "
                         "OR sha256 IN (SELECT unnest(?::VARCHAR[]))", [[stored(p) for p in paths], list(shas)])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.con.close()


def typed_frame(columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, Any]]) -> Any:
    """A DataFrame of *rows* with the table's columns and explicit dtypes, so that no engine guesses a type."""
    import pandas as pd

    data = {}
    for column, sql in columns:
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
            data[column] = pd.Series([stored(v) for v in values], dtype=object)
    return pd.DataFrame(data)


def stored(value: Any) -> Any:
    """*value* as a database stores it: a text that UTF-8 cannot carry (a file name that was not UTF-8) gets
    U+FFFD in place of each bad byte (:func:`~mplan_xl.core.text_safety.utf8_text`), so one such name never makes
    the whole batch's write fail."""
    return utf8_text(value) if isinstance(value, str) else value


# --- PostgreSQL ----------------------------------------------------------------------------------------------

PG_TYPES = {"DOUBLE": "DOUBLE PRECISION"}


class PostgresDatabase(Database):
    kind = "postgresql"
    per_plan = True

    def __init__(self, dsn: str, layout: Layout, keys: Mapping[str, Sequence[str]], read_only: bool):
        super().__init__(display_name(dsn), layout)
        try:
            import psycopg
        except ImportError:
            raise DatabaseError(TEXT["no_psycopg"], path=self.name) from None
        self._psycopg = psycopg
        try:
            self.con = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
        except psycopg.Error as err:
            raise DatabaseError(TEXT["pg_connect"], path=self.name, detail=_connect_detail(err)) from None
        if read_only:
            return
        try:
            with self.transaction():
                # DDL only when something is missing: even CREATE ... IF NOT EXISTS takes locks that would
                # make a run starting now wait for (or deadlock with) a run already loading.
                self.lock("mplan-xl schema")
                for name, columns in layout.items():
                    if not self._exists(name):
                        self.con.execute(_ddl(name, columns, keys.get(name, ()), PG_TYPES))
                    found = [r[0] for r in self.con.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                        "AND table_schema = current_schema() ORDER BY ordinal_position", [name]).fetchall()]
                    if found != [c for c, _ in columns]:
                        _upgrade(self.con, name, found, columns, self.name, PG_TYPES)
                    names = [c for c, _ in columns]
                    index = "lower(company), year" if names[:2] == ["company", "year"] else "path, sha256"
                    if "path" not in names and names[:2] != ["company", "year"]:
                        continue   # a small table without a plan key (the rates)
                    if not self._exists(f"{name}_mplan_key"):
                        self.con.execute(f"CREATE INDEX {name}_mplan_key ON {name} ({index})")
        except BaseException:
            self.con.close()
            raise

    def _exists(self, relation: str) -> bool:
        """Whether the table or index *relation* exists in the current schema (``to_regclass`` is NULL otherwise;
        the query always gives one row, none would mean no such relation either)."""
        row = self.con.execute("SELECT to_regclass(%s)", [relation]).fetchone()
        return row is not None and row[0] is not None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.con.execute(sql.replace("?", "%s"), list(params))

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        names = [c for c, _ in self.layout[table]]
        columns = ", ".join(f'"{c}"' for c in names)
        with self.con.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([stored(row.get(c)) for c in names])

    def delete_plans(self, tables: Sequence[str], keys: Sequence[tuple[str, int]]) -> None:
        if not keys:
            return
        companies, years = [k[0].lower() for k in keys], [k[1] for k in keys]
        for name in tables:
            self.con.execute(f"DELETE FROM {name} t USING unnest(%s::text[], %s::int[]) AS k(company, year) "
                             f"WHERE lower(t.company) = k.company AND t.year = k.year", [companies, years])

    def delete_findings(self, paths: Sequence[str], shas: Sequence[str]) -> None:
        self.con.execute("DELETE FROM findings WHERE path = ANY(%s) OR sha256 = ANY(%s)",
                         [[stored(p) for p in paths], list(shas)])

    def lock(self, *names: str) -> None:
        for name in sorted(set(names)):
            self.con.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [name])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con.transaction():
            yield

    def close(self) -> None:
        self.con.close()


def _connect_detail(err: BaseException) -> str:
    """What libpq said, shortly: the server's FATAL message (missing database, refused role or password),
    or the first line (no server there)."""
    text = str(err).strip() or type(err).__name__
    if "FATAL:" in text:
        return one_line(text.rpartition("FATAL:")[2])
    return one_line(text.splitlines()[0].removeprefix("connection failed: "))


def open_database(db: str | os.PathLike, layout: Layout, keys: Mapping[str, Sequence[str]],
                  read_only: bool = False) -> Database:
    """Open (and, unless *read_only*, create the tables of) the database *db*: a DuckDB file or a PostgreSQL URI."""
    if is_postgres(db):
        return PostgresDatabase(str(db), layout, keys, read_only)
    return DuckDatabase(Path(db), layout, keys, read_only)


def database_errors() -> tuple[type[BaseException], ...]:
    """The engines' own error classes (those installed)."""
    import duckdb

    errors: tuple[type[BaseException], ...] = (duckdb.Error,)
    with contextlib.suppress(ImportError):
        import psycopg

        errors += (psycopg.Error,)
    return errors


# --- the plan statuses, read by consolidate and the portfolio sheet -----------------------------------------

#: Each stored plan's status: approved when its approved version is the last one seen, modified after
#: approval when a different version came later (or, for a plan approved action by action, when the version
#: stored is not the one an action was approved on), partly approved when some of its actions are approved
#: (``approve --actions``) but not the whole plan, submitted otherwise.
STATUS_SQL = """
    SELECT p.company, p.year,
           CASE WHEN a.company IS NULL AND EXISTS (
                    SELECT 1 FROM action_approvals x WHERE lower(x.company) = lower(p.company) AND x.year = p.year
                    AND x.status = 'approved' AND x.sha256 <> p.sha256) THEN 'modified_after_approval'
                WHEN a.company IS NULL AND EXISTS (
                    SELECT 1 FROM action_approvals x WHERE lower(x.company) = lower(p.company) AND x.year = p.year
                    AND x.status = 'approved') THEN 'partly_approved'
                WHEN a.company IS NULL THEN 'submitted'
                WHEN EXISTS (SELECT 1 FROM revisions r WHERE lower(r.company) = lower(a.company) AND r.year = a.year
                             AND r.loaded_at > a.seen_at) THEN 'modified_after_approval'
                ELSE 'approved' END AS status
    FROM plans p LEFT JOIN approvals a ON lower(a.company) = lower(p.company) AND a.year = p.year"""


__all__ = ["STATUS_SQL", "Database", "DatabaseError", "DuckDatabase", "PostgresDatabase", "database_errors", "display_name",
           "is_postgres", "one_line", "open_database", "typed_frame"]
