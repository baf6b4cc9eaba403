"""``mplan-xl check NEW --against APPROVED``: what changed since the approved version, and whether it may.

The approved workbook is read once; each new version is checked as ``check`` checks it, then compared with
the approved one on the rows :func:`~mplan_xl.year.diff.compare_rows` compares (the same read of the file,
the same keys and codes as ``mplan-xl diff``). Each change is classified:

- an **increase**: the plan's total planned went up (error ``plan-increased``: it needs approval), or the
  envelope changed (error ``envelope-changed``); a decrease is a warning (``plan-decreased``);
- a **transfer**: the total is unchanged but money moved between budget lines (or actions, through their
  lines). A line that received money is explained by the transfers recorded on the *Virements* sheet (from
  line, to line, amount); what is not recorded is a warning (``transfer-unrecorded``); what a line received
  above the group's threshold (``--transfer-threshold``) is an error (``transfer-over-threshold``), recorded
  or not, until approved;
- an action **added** or **dropped**, an action whose **dates moved**: warnings, for the controller to see.

Every finding comes from the rule catalogue (:mod:`mplan_xl.core.rules`, category ``approval``), located at
the new file's cell where it can be.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..check.cache import ResultCache, file_digest
from ..check.report import INVALID, Report
from ..check.validator import check, inspect_file, internal_error
from ..core.errors import UsageError
from ..core.numbers import format_number
from ..core.plan import id_key, id_text
from ..core.rules import ERROR, Finding, make_finding, shown_date
from ..core.vocabulary import Label
from ..read.plan_rows import plan_rows
from ..read.reader import Limits
from .diff import Version, compare_rows, read_version

#: Amounts closer than half a cent are equal.
CENT = 0.005

_UNREADABLE = Label("La version approuvée {path} ne peut pas être lue : {reason}",
                    "The approved version {path} cannot be read: {reason}")
_RECORDED = {True: Label("noté sur la feuille Virements", "recorded on the Transfers sheet"),
             False: Label("non noté", "not recorded")}
_NOTHING = Label("aucune ligne", "no line")
_NOT_FOUND = Label("fichier introuvable", "file not found")


def approved_version(path: str | os.PathLike, lang: str = "fr", limits: Limits = Limits()) -> Version:
    """The approved workbook as :func:`~mplan_xl.year.diff.read_version` reads it; a usage error when it cannot be
    read (the comparison would mean nothing)."""
    if not Path(path).is_file():
        raise UsageError(_UNREADABLE, path=str(path), reason=_NOT_FOUND(lang))
    version = read_version(Path(path), lang, limits)
    if version.findings is not None or not version.rows:
        reason = version.findings[0].message if version.findings else (version.note or "?")
        raise UsageError(_UNREADABLE, path=str(path), reason=reason)
    return version


def _money(value: float, lang: str) -> str:
    return format_number(round(value, 2), lang)


def _signed(value: float, lang: str) -> str:
    return ("+" if value > 0 else "") + _money(value, lang)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _by_id(rows: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Rows by id as the diff matches them (case aside); rows without an id are left out."""
    out: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        if row.get("id") not in (None, ""):
            out.setdefault(id_key(row.get("id")), row)
    return out


def _listed(ids: Sequence[str], lang: str, limit: int = 6) -> str:
    if not ids:
        return _NOTHING(lang)
    return ", ".join(ids[:limit]) + (" …" if len(ids) > limit else "")


def changes_since(approved: Version, new_rows: Mapping[str, Sequence[Mapping[str, Any]]], new_envelope: Any,
                  transfers: Sequence[tuple[Any, Any, Any]], located_cell: Any, lang: str,
                  threshold: float | None = None) -> list[Finding]:
    """The findings of what changed from *approved* to the rows *new_rows* (as :func:`plan_rows` gives them).

    *transfers* are the (from line, to line, amount) rows of the new version's Virements table;
    ``located_cell(table key, row id, column key)`` gives (sheet, cell) in the new file, or (None, None)."""
    def finding(code: str, table: str | None = None, row_id: Any = None, column: str | None = None,
                **params: Any) -> Finding:
        sheet, cell = located_cell(table, row_id, column) if table else (None, None)
        return make_finding(code, lang, sheet=sheet, cell=cell, row_id=id_text(row_id) if row_id else None, **params)

    out: list[Finding] = []
    old_envelope = approved.identity.get("envelope")
    if _number(old_envelope) != _number(new_envelope) and abs(_number(old_envelope) - _number(new_envelope)) > CENT:
        out.append(finding("envelope-changed", old=_money(_number(old_envelope), lang),
                           new=_money(_number(new_envelope), lang)))
    rows, _, _ = compare_rows(approved.rows, new_rows)
    # Actions added, dropped, dates moved: the diff's own comparison.
    old_actions, new_actions = _by_id(approved.rows.get("actions", ())), _by_id(new_rows.get("actions", ()))
    changes = rows.get("actions", {})
    for action_id in changes.get("added", []):
        action = new_actions.get(id_key(action_id), {})
        out.append(finding("action-added", "actions", action_id, "title", title=action.get("title") or "",
                           budget=_money(_number(action.get("budget")), lang)))
    for action_id in changes.get("removed", []):
        action = old_actions.get(id_key(action_id), {})
        out.append(finding("action-dropped", "budget", None, None, id=action_id, title=action.get("title") or "",
                           budget=_money(_number(action.get("budget")), lang)))
    for change in changes.get("changed", []):
        if {c["column"] for c in change["changes"]} & {"start_date", "end_date"}:
            before, after = old_actions[id_key(change["id"])], new_actions[id_key(change["id"])]
            out.append(finding("action-dates-moved", "actions", change["id"], "start",
                               old_start=shown_date(before.get("start_date"), lang),
                               old_end=shown_date(before.get("end_date"), lang),
                               new_start=shown_date(after.get("start_date"), lang),
                               new_end=shown_date(after.get("end_date"), lang)))
    # Money: line by line, what each budget line gained or lost since approval.
    old_lines, new_lines = _by_id(approved.rows.get("budget_lines", ())), _by_id(new_rows.get("budget_lines", ()))
    delta: dict[str, float] = {}
    names: dict[str, str] = {}
    for key in {**old_lines, **new_lines}:
        moved = _number(new_lines.get(key, {}).get("planned")) - _number(old_lines.get(key, {}).get("planned"))
        if abs(moved) > CENT:
            delta[key] = moved
            names[key] = id_text((new_lines.get(key) or old_lines.get(key) or {}).get("id")) or key
    old_total = sum(_number(r.get("planned")) for r in approved.rows.get("budget_lines", ()))
    new_total = sum(_number(r.get("planned")) for r in new_rows.get("budget_lines", ()))
    up = sorted((k for k, v in delta.items() if v > 0), key=lambda k: -delta[k])
    down = sorted((k for k, v in delta.items() if v < 0), key=lambda k: delta[k])
    if new_total - old_total > CENT:
        out.append(finding("plan-increased", "budget", names[up[0]] if up else None, "planned",
                           old=_money(old_total, lang), new=_money(new_total, lang),
                           delta=_signed(new_total - old_total, lang),
                           lines=_listed([f"{names[k]} ({_signed(delta[k], lang)})" for k in up], lang)))
        return out
    if old_total - new_total > CENT:
        out.append(finding("plan-decreased", "budget", names[down[0]] if down else None, "planned",
                           old=_money(old_total, lang), new=_money(new_total, lang),
                           delta=_signed(new_total - old_total, lang), released=_money(old_total - new_total, lang),
                           lines=_listed([f"{names[k]} ({_signed(delta[k], lang)})" for k in down], lang)))
        return out
    # The total is unchanged: what moved are transfers. The Virements table explains them.
    recorded_in: dict[str, float] = {}
    for source, target, amount in transfers:
        if target not in (None, "") and source not in (None, ""):
            recorded_in[id_key(target)] = recorded_in.get(id_key(target), 0.0) + _number(amount)
    sources = _listed([f"{names[k]} ({_signed(delta[k], lang)})" for k in down], lang)
    for key in up:
        received, recorded = delta[key], recorded_in.get(key, 0.0)
        if threshold is not None and received > threshold + CENT:
            out.append(finding("transfer-over-threshold", "budget", names[key], "planned",
                               amount=_money(received, lang), sources=sources, threshold=_money(threshold, lang),
                               recorded=_RECORDED[recorded >= received - CENT](lang)))
        elif received - recorded > CENT:
            out.append(finding("transfer-unrecorded", "budget", names[key], "planned",
                               amount=_money(received - recorded, lang), sources=sources))
    return out


def _locator(located: Any) -> Any:
    """``(table key, row id, column key) -> (sheet, cell)`` in a located plan; (sheet, None) without a row."""
    def where(table: str, row_id: Any, column: str | None) -> tuple[str | None, str | None]:
        located_table = located.tables.get(table)
        if located_table is None:
            return None, None
        if row_id is not None:
            for row in located_table.rows:
                if id_key(row.id(located_table.sheet)) == id_key(row_id):
                    if column and column in located_table.columns:
                        return located_table.worksheet, located_table.cell(row, column)
                    return located_table.worksheet, None
        return located_table.worksheet, None
    return where


def check_file_against(path: Path, approved: Version, threshold: float | None, lang: str, limits: Limits) -> Any:
    """One file's report (:func:`~mplan_xl.check.validator.check_file`) with the findings since *approved*."""
    def then(inspected: Any) -> Any:
        report, located = inspected.report, inspected.located
        if located is None or not isinstance(located.year, int):
            return report
        try:
            plan = located.to_plan()
            new_rows = plan_rows(located, plan, lang, inspected.computed)
            table = located.tables.get("transfers")
            transfers = [(r.values.get("from_line"), r.values.get("to_line"), r.values.get("amount"))
                         for r in table.rows] if table is not None else []
            report.findings.extend(changes_since(approved, new_rows, located.envelope, transfers, _locator(located),
                                                 lang, threshold))
        except Exception:   # a plan checked that we cannot compare: our bug, never the file's
            report.findings.append(internal_error(lang))
        if any(f.severity == ERROR for f in report.findings):
            report.status = INVALID
        return report
    return inspect_file(path, lang, limits, then=then)


def check_against(paths: Sequence[str | os.PathLike], approved: str | os.PathLike, *, lang: str = "fr",
                  jobs: int | None = None, strict: bool = False, limits: Limits = Limits(),
                  threshold: float | None = None, on_done: Any = None, cache: ResultCache | None = None) -> Report:
    """:func:`~mplan_xl.check.validator.check` of *paths*, each file also compared with the *approved* version
    (with a *cache*, each report is stored with the approved file's bytes and the threshold in its key)."""
    if cache is not None:
        digest = file_digest(approved, limits.max_file_bytes)
        cache = cache.with_options(approved=digest, threshold=threshold) if digest else None
    version = approved_version(approved, lang, limits)
    return check(paths, lang=lang, jobs=jobs, strict=strict, limits=limits, on_done=on_done, task=check_file_against,
                 task_args=(version, threshold), cache=cache)


__all__ = ["approved_version", "changes_since", "check_against", "check_file_against"]
