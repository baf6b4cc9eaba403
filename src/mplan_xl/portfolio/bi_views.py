"""Views of the consolidation database for BI tools (Power BI, Metabase...), and each plan's trust score.

The same views are created on DuckDB and PostgreSQL (plain SQL both engines run), each time the database
is opened for writing; ``mplan-xl export DB --parquet DIR`` writes them as Parquet files. Columns are
described in docs/data-dictionary.md.

==================  =========================================================================================
view                one row per
==================  =========================================================================================
plan_trust          plan: the signals of its trust score and the score (:func:`trust_score`)
bi_plans            plan: identity, currency and reporting rate, status, approval, totals, trust score
bi_budget_lines     plan × budget line: its action, objective, channel, item, department; planned,
                    committed, actual, in the plan's currency and in the reporting currency
bi_budget_months    plan × budget line × month (1 to 12): planned and actual of the month; a row with a
                    blank month holds what the months do not (actual typed without monthly actuals)
==================  =========================================================================================

Monthly planned amounts follow the workbook (:mod:`mplan_xl.core.tracking`): the months of the line's
"Planned" row of the monthly budget when it has one, otherwise its planned amount spread evenly over its
action's months (``month_from`` to ``month_to``, computed by the metrics core and stored with the action;
the whole year when the action is unknown). Monthly actuals are the line's "Actual" row; the rest of the
line's amount (planned or actual not phased by month) is on its blank-month row, so the months of a plan
always add up to its budget lines.

Trust score
-----------

100 minus points per signal found on the stored version of the plan, each capped, never below 0
(:data:`PENALTIES`): a controller sorts the plans by score, lowest first, to see which need a look.

=======================  ==========================================================  ===========  =====
signal                   what                                                         points each  cap
=======================  ==========================================================  ===========  =====
errors                   findings of severity error                                   25           50
warnings                 other findings of severity warning                           3            15
outside_tables           values typed outside the tables (value/row-outside-table)   10           20
formulas_lost            formulas lost or rewritten (formula-*, computed-overwritten) 10           20
modified_after_approval  a different version came after the approved one              30           30
over_envelope            spend (planned, committed or actual) above the envelope     20           20
=======================  ==========================================================  ===========  =====

Example:
    >>> trust_score({"warnings": 2, "outside_tables": 1})
    84
    >>> trust_score({"errors": 3, "modified_after_approval": 1, "over_envelope": 1})
    0
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any, Mapping

from ..core.errors import UsageError
from ..core.vocabulary import Label
from .database import STATUS_SQL, Database

#: signal -> (points taken off per occurrence, most points taken off by that signal).
PENALTIES: Mapping[str, tuple[int, int]] = {
    "errors": (25, 50),
    "warnings": (3, 15),
    "outside_tables": (10, 20),
    "formulas_lost": (10, 20),
    "modified_after_approval": (30, 30),
    "over_envelope": (20, 20),
}
#: The finding codes of two signals (the other warnings count as ``warnings``).
OUTSIDE_TABLES = ("value-outside-table", "row-outside-table")
FORMULAS_LOST = ("formula-missing", "formula-altered", "formula-as-cell-references", "computed-overwritten")
#: The budget line amounts compared with the envelope: the plan, what is committed, spent, and where the year
#: lands (its landing forecast); the largest over the envelope lowers the score.
SPEND_COLUMNS = ("planned", "committed", "actual", "landing")


def trust_score(signals: Mapping[str, Any]) -> int:
    """The trust score (0 to 100) of a plan from its *signals* (counts; missing ones are 0)."""
    lost = sum(min(cap, per * int(signals.get(name) or 0)) for name, (per, cap) in PENALTIES.items())
    return max(0, 100 - lost)


def _score_sql(alias: str) -> str:
    """:func:`trust_score` as an SQL expression on the signal columns of *alias* (same :data:`PENALTIES`)."""
    terms = " - ".join(f"least({cap}, {per} * coalesce({alias}.{name}, 0))" for name, (per, cap) in PENALTIES.items())
    return f"greatest(0, 100 - {terms})"


def _codes(codes: tuple[str, ...]) -> str:
    return ", ".join(f"'{c}'" for c in codes)


_SPEND_MAX = "greatest(" + ", ".join(f"coalesce(sum(b.{c}), 0)" for c in SPEND_COLUMNS) + ")"

PLAN_TRUST_SQL = f"""
SELECT p.company, p.year, p.sha256, s.errors, s.warnings, s.outside_tables, s.formulas_lost,
       s.modified_after_approval, s.over_envelope,
       {_score_sql('s')} AS trust_score
FROM plans p JOIN (
    SELECT p.company, p.year,
           coalesce(f.errors, 0) AS errors, coalesce(f.warnings, 0) AS warnings,
           coalesce(f.outside_tables, 0) AS outside_tables, coalesce(f.formulas_lost, 0) AS formulas_lost,
           CASE WHEN st.status = 'modified_after_approval' THEN 1 ELSE 0 END AS modified_after_approval,
           CASE WHEN p.envelope IS NOT NULL AND b.spend > p.envelope + 0.005 THEN 1 ELSE 0 END AS over_envelope
    FROM plans p
    JOIN ({STATUS_SQL}) st ON st.company = p.company AND st.year = p.year
    LEFT JOIN (  -- the findings of the stored file (its path and content: a copy elsewhere is not counted twice)
        SELECT sha256, path,
               count(*) FILTER (WHERE severity = 'error') AS errors,
               count(*) FILTER (WHERE severity = 'warning' AND code NOT IN ({_codes(OUTSIDE_TABLES + FORMULAS_LOST)}))
                   AS warnings,
               count(*) FILTER (WHERE code IN ({_codes(OUTSIDE_TABLES)})) AS outside_tables,
               count(*) FILTER (WHERE code IN ({_codes(FORMULAS_LOST)})) AS formulas_lost
        FROM findings GROUP BY sha256, path
    ) f ON f.sha256 = p.sha256 AND f.path = p.path
    LEFT JOIN (SELECT b.company, b.year, {_SPEND_MAX} AS spend FROM budget_lines b GROUP BY b.company, b.year) b
        ON b.company = p.company AND b.year = p.year
) s ON s.company = p.company AND s.year = p.year"""

_PLAN_DIMENSIONS = """p.company, p.year, p.sha256 AS version, p.currency, p.reporting_currency, p.reporting_rate,
       st.status"""

BI_PLANS_SQL = f"""
SELECT {_PLAN_DIMENSIONS}, p.file_name, p.template_version, p.lang, p.author, p.as_of, p.loaded_at, p.rate_date,
       p.envelope, p.envelope * p.reporting_rate AS envelope_reporting,
       a.approved_by, a.approved_at, a.comment AS approval_comment,
       coalesce(x.approved, 0) AS actions_approved, coalesce(n.actions, 0) AS actions,
       t.trust_score, t.errors, t.warnings, t.outside_tables, t.formulas_lost, t.modified_after_approval,
       t.over_envelope
FROM plans p
JOIN ({STATUS_SQL}) st ON st.company = p.company AND st.year = p.year
JOIN plan_trust t ON t.company = p.company AND t.year = p.year
LEFT JOIN approvals a ON lower(a.company) = lower(p.company) AND a.year = p.year
LEFT JOIN (SELECT lower(company) AS company, year, count(*) AS approved FROM action_approvals
           WHERE status = 'approved' GROUP BY lower(company), year) x ON x.company = lower(p.company) AND x.year = p.year
LEFT JOIN (SELECT company, year, count(*) AS actions FROM actions GROUP BY company, year) n
    ON n.company = p.company AND n.year = p.year"""

_LINES = f"""
SELECT {_PLAN_DIMENSIONS},
       a.objective_id AS objective, b.action_id AS action, a.title AS action_title, a.channel, b.item,
       a.department, b.id AS line, b.description,
       coalesce(a.month_from, 1) AS month_from, coalesce(a.month_to, 12) AS month_to,
       b.planned, b.committed, b.actual
FROM budget_lines b
JOIN plans p ON p.company = b.company AND p.year = b.year
JOIN ({STATUS_SQL}) st ON st.company = p.company AND st.year = p.year
LEFT JOIN actions a ON a.company = b.company AND a.year = b.year AND lower(a.id) = lower(b.action_id)"""

_DIMENSIONS = ("company", "year", "objective", "action", "action_title", "channel", "item", "department", "line",
               "description", "currency", "reporting_currency", "status", "version")

BI_BUDGET_LINES_SQL = f"""
SELECT {", ".join("l." + c for c in _DIMENSIONS)}, l.planned, l.committed, l.actual,
       l.planned * l.reporting_rate AS planned_reporting, l.committed * l.reporting_rate AS committed_reporting,
       l.actual * l.reporting_rate AS actual_reporting
FROM ({_LINES}) l"""


def _month(alias: str) -> str:
    return "CASE m.month " + " ".join(f"WHEN {i} THEN {alias}.m{i:02d}" for i in range(1, 13)) + " END"


def _series(series: str) -> str:
    """The monthly row of *series* of each line (one per line: the first, as the workbook's lookups take it)."""
    return f"""(SELECT company, year, line_id, {", ".join(f"max(m{i:02d}) AS m{i:02d}" for i in range(1, 13))}
               FROM budget_months WHERE series = '{series}' GROUP BY company, year, line_id)"""


_CELLS = f"""
SELECT l.*, m.month,
       CASE WHEN pm.line_id IS NOT NULL THEN {_month("pm")}
            WHEN m.month BETWEEN l.month_from AND l.month_to THEN l.planned / (l.month_to - l.month_from + 1)
       END AS planned_month,
       {_month("am")} AS actual_month
FROM ({_LINES}) l
CROSS JOIN (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) AS m(month)
LEFT JOIN {_series("planned")} pm ON pm.company = l.company AND pm.year = l.year AND lower(pm.line_id) = lower(l.line)
LEFT JOIN {_series("actual")} am ON am.company = l.company AND am.year = l.year AND lower(am.line_id) = lower(l.line)"""

_KEEP = ", ".join(_DIMENSIONS) + ", reporting_rate"

BI_BUDGET_MONTHS_SQL = f"""
WITH c AS ({_CELLS})
SELECT {_KEEP}, month, planned, actual, planned * reporting_rate AS planned_reporting,
       actual * reporting_rate AS actual_reporting
FROM (
    SELECT {_KEEP}, month, planned_month AS planned, actual_month AS actual FROM c
    WHERE planned_month IS NOT NULL OR actual_month IS NOT NULL
    UNION ALL
    SELECT {_KEEP}, CAST(NULL AS INTEGER), rest_planned, rest_actual FROM (
        SELECT {_KEEP}, coalesce(max(planned), 0) - coalesce(sum(planned_month), 0) AS rest_planned,
               coalesce(max(actual), 0) - coalesce(sum(actual_month), 0) AS rest_actual
        FROM c GROUP BY {_KEEP}
    ) r WHERE abs(rest_planned) > 0.005 OR abs(rest_actual) > 0.005
) x"""

#: View name -> its SELECT, in the order they are created (a view after those it reads).
VIEWS: Mapping[str, str] = {
    "plan_trust": PLAN_TRUST_SQL,
    "bi_plans": BI_PLANS_SQL,
    "bi_budget_lines": BI_BUDGET_LINES_SQL,
    "bi_budget_months": BI_BUDGET_MONTHS_SQL,
}
#: The tables the views read, analysed before an export from PostgreSQL.
ANALYZED = ("plans", "budget_lines", "budget_months", "actions", "findings", "approvals", "revisions",
            "action_approvals")
#: The views a BI tool reads (``export --parquet`` writes these).
BI_VIEWS = ("bi_plans", "bi_budget_lines", "bi_budget_months")


def _signature() -> str:
    return "mplan-xl " + hashlib.sha256("\n".join(VIEWS.values()).encode()).hexdigest()[:16]


def create_views(db: Database) -> None:
    """(Re)create the views on *db* when they are missing or differ from this version's (PostgreSQL: a comment
    on each view holds the definitions' signature, so an unchanged database takes no lock)."""
    signature = _signature()
    if db.kind == "postgresql":
        found = db.rows("SELECT obj_description(to_regclass('bi_budget_months'), 'pg_class')")
        if found and found[0][0] == signature:
            return
        with db.transaction():
            db.lock("mplan-xl schema")
            found = db.rows("SELECT obj_description(to_regclass('bi_budget_months'), 'pg_class')")
            if found and found[0][0] == signature:   # another run created them while this one waited
                return
            for name in reversed(list(VIEWS)):
                db.execute(f"DROP VIEW IF EXISTS {name}")
            for name, sql in VIEWS.items():
                db.execute(f"CREATE VIEW {name} AS {sql}")
                db.execute(f"COMMENT ON VIEW {name} IS '{signature}'")
        return
    for name, sql in VIEWS.items():
        db.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")


def export_parquet(db: Database, folder: str | os.PathLike, force: bool = False) -> list[Path]:
    """Write each of :data:`BI_VIEWS` of *db* to ``FOLDER/<view>.parquet`` (created; each file written
    atomically, an existing one replaced only with *force*). DuckDB writes its views directly; the rows of a
    PostgreSQL database are read, then written by an in-memory DuckDB, so both give the same files."""
    import duckdb

    from ..core.atomic import atomic_output, check_output

    target = Path(folder)
    paths = [target / f"{name}.parquet" for name in BI_VIEWS]
    if target.exists() and not target.is_dir():
        raise UsageError(_TEXT["not_folder"], path=target)
    for path in paths:
        if target.is_dir():
            check_output(path, force)
    target.mkdir(parents=True, exist_ok=True)
    if db.kind == "postgresql":   # fresh statistics: rows just loaded by COPY would otherwise get nested loops
        from .database import database_errors

        with contextlib.suppress(*database_errors()):
            db.execute("ANALYZE " + ", ".join(ANALYZED))
    local = db.con if db.kind == "duckdb" else duckdb.connect()   # type: ignore[attr-defined]
    try:
        for name, path in zip(BI_VIEWS, paths):
            with atomic_output(path, force=True) as tmp:
                quoted = str(tmp).replace("'", "''")
                if db.kind == "duckdb":
                    local.execute(f"COPY (SELECT * FROM {name}) TO '{quoted}' (FORMAT PARQUET)")
                else:
                    frame = db.frame(f"SELECT * FROM {name}")
                    local.register("mplan_view", frame)
                    try:
                        local.execute(f"COPY (SELECT * FROM mplan_view) TO '{quoted}' (FORMAT PARQUET)")
                    finally:
                        local.unregister("mplan_view")
    finally:
        if local is not getattr(db, "con", None):
            local.close()
    return paths


_TEXT = {
    "not_folder": Label("{path} : --parquet attend un dossier", "{path}: --parquet expects a folder"),
}


__all__ = ["BI_VIEWS", "export_parquet", "FORMULAS_LOST", "OUTSIDE_TABLES", "PENALTIES", "SPEND_COLUMNS", "VIEWS", "create_views",
           "trust_score"]
