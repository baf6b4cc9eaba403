"""A plan made with an older template, moved into the current one: ``mplan-xl upgrade OLD -o NEW``.

:func:`upgrade` reads the plan (only reads it) through the one pipeline every
command uses (:func:`mplan_xl.check.validator.inspect_file`: read, locate, check),
as a file of its own template version is read (:mod:`mplan_xl.core.versions`), and
writes with the builder a workbook of the current template
(:data:`mplan_xl.core.schema.TEMPLATE_VERSION`) holding:

- the plan's identity: company, year, author, currency, budget envelope, and
  its KPI status thresholds;
- every input value of every table, as read (the percentages of a template before 4.0, held in points, as
  fractions: :func:`mplan_xl.core.versions.percent_to_fractions`): rows in their order, the starter
  KPIs left untouched included; a value that does not fit its column (a
  choice not in its list, text in an amount) is kept as it is, so ``check``
  of the new file points at it as ``check`` of the old one did;
- in the plan's own language (or ``lang``).

Computed columns get the current template's formulas, and the tables,
columns and sheets the current template added since come as a fresh
template has them. A plan already made with the current template is simply
copied into a fresh one (the same, rebuilt).

What it cannot carry is listed (:class:`NotCarried`), never dropped
silently: the team's own sheets, the columns the team added to a table,
formulas typed into input cells (their result is carried), values typed
outside the tables, figures typed over computed cells (the formula is put back), notes on cells, charts and pictures of the team's own,
VBA modules not ours, defined names of the team's own, an identity value
the template cannot hold, and (always) the workbook's own formatting.

What blocks an upgrade is what blocks a rollover
(:data:`mplan_xl.year.rollover.BLOCKING_CODES`): a file that cannot be read, is
not an mplan plan, comes from a newer template, or misses a sheet, a table,
a column or a header its version had, so its content cannot be located
reliably: :class:`~mplan_xl.core.errors.UpgradeRefused`, nothing written.

Example:
    >>> result = upgrade("plan-2027-v1.xlsx", "plan-2027.xlsx")      # doctest: +SKIP
    >>> result.source_version, result.version, [n.text("en") for n in result.not_carried][:1]   # doctest: +SKIP
    ('1.0.0', '2.0.0', ["Sheet 'Notes' (the team's own, 3 value(s)): not carried"])
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..check.report import UNREADABLE, FileReport
from ..check.validator import Inspected, check_file, inspect_file
from ..core import schema, versions
from ..core.errors import PlanNotUsable, PlanRefused
from ..core.plan import CURRENCIES, Identity, Plan, check_language, id_text
from ..core.rules import ERROR, Finding
from ..core.vocabulary import Label
from ..read.outputs import check_outputs
from ..read.package import PackageCopy
from ..read.plan_reader import LocatedPlan, blank, named_value, thresholds
from ..workbook.builder import build_workbook, runtime_for
from .rollover import is_blocking

class UpgradeRefused(PlanRefused):
    """The plan read cannot be moved into the current template (it cannot be read, is not a plan, comes from a
    newer template, or its structure is broken so its content cannot be located); ``report`` holds every finding."""

    message = Label("{path} : mise à niveau impossible, {count} constat(s) bloquant(s) : {codes}",
                    "{path}: cannot upgrade, {count} blocking finding(s): {codes}")

    def lines(self, lang: str = "fr") -> list[str]:
        hints = dict.fromkeys(f.hint for f in self.blocking if f.hint)
        return super().lines(lang) + [f"  → {hint}" for hint in hints]


_TEXT = {
    "no_year": Label("{path} : année du plan introuvable (cellule « Année » de la feuille Accueil, nommée {name}) : "
                     "saisissez-la dans le classeur, puis relancez",
                     "{path}: plan year not found (the 'Year' cell of the Guide sheet, named {name}): type it in the "
                     "workbook, then run again"),
}

#: Every kind of thing an upgrade cannot carry, with its text.
NOT_CARRIED: dict[str, Label] = {
    "sheet": Label("Feuille « {sheet} » (propre à l'équipe, {count} valeur(s)) : non reprise",
                   "Sheet '{sheet}' (the team's own, {count} value(s)): not carried"),
    "chart_sheet": Label("Feuille graphique « {sheet} » (propre à l'équipe) : non reprise",
                         "Chart sheet '{sheet}' (the team's own): not carried"),
    "column": Label("Colonne « {column} » ajoutée au tableau {table} (feuille « {sheet} », {count} valeur(s)) : non reprise",
                    "Column '{column}' added to table {table} (sheet '{sheet}', {count} value(s)): not carried"),
    "input_formulas": Label("« {column} » (feuille « {sheet} ») : {count} formule(s) saisie(s) dans des cellules de "
                            "saisie ({cells}) : seul leur résultat est repris",
                            "'{column}' (sheet '{sheet}'): {count} formula(s) typed into input cells ({cells}): only "
                            "their result is carried"),
    "outside": Label("{count} valeur(s) hors des tableaux sur la feuille « {sheet} » ({cells}) : non reprises",
                     "{count} value(s) outside the tables on sheet '{sheet}' ({cells}): not carried"),
    "computed": Label("« {column} » (feuille « {sheet} ») : {count} cellule(s) calculée(s) saisie(s) ou modifiée(s) "
                      "({cells}) : la formule du modèle est rétablie",
                      "'{column}' (sheet '{sheet}'): {count} computed cell(s) typed over or altered ({cells}): the "
                      "template's formula is put back"),
    "notes": Label("{count} note(s) de cellule sur la feuille « {sheet} » : non reprises",
                   "{count} cell note(s) on sheet '{sheet}': not carried"),
    "drawings": Label("{count} graphique(s) ou image(s) ajouté(s) sur la feuille « {sheet} » : non repris",
                      "{count} chart(s) or picture(s) added on sheet '{sheet}': not carried"),
    "vba": Label("Macros VBA qui ne viennent pas de mplan-xl ({modules}) : non reprises",
                 "VBA macros that do not come from mplan-xl ({modules}): not carried"),
    "name": Label("Nom défini « {name} » (propre à l'équipe) : non repris", "Defined name '{name}' (the team's own): not carried"),
    "envelope": Label("Enveloppe budgétaire {value!r} : pas un montant, non reprise",
                      "Budget envelope {value!r}: not an amount, not carried"),
    "currency": Label("Devise {value!r} : inconnue du modèle, remplacée par EUR",
                      "Currency {value!r}: unknown to the template, replaced by EUR"),
    "formatting": Label("Mise en forme : le nouveau classeur a celle du modèle actuel ; les couleurs, polices, largeurs "
                        "et formats de cellule propres à l'équipe ne sont pas repris",
                        "Formatting: the new workbook has the current template's; the team's own colours, fonts, "
                        "widths and cell formats are not carried"),
}

#: Defined names our templates write (every release): any other is the team's own.
_OUR_NAMES = re.compile(r"^(?:mplan_|list_|_xlnm\.)", re.IGNORECASE)
#: The worksheet whose charts are the template's own.
_CHARTS_SHEET = "dashboard"


@dataclass(frozen=True)
class NotCarried:
    """One thing of the plan read that the new workbook does not hold."""

    kind: str                      # a key of NOT_CARRIED
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return NOT_CARRIED[self.kind](lang).format(**self.params)


@dataclass
class UpgradeResult:
    """What :func:`upgrade` did: the paths and versions, what was carried, what was not, both files' checks."""

    source: Path
    output: Path
    source_version: str | None
    version: str
    lang: str
    #: Worksheet name (in the new workbook's language) -> rows carried, in workbook order.
    rows: dict[str, int]
    not_carried: list[NotCarried]
    source_report: FileReport
    output_report: FileReport
    #: Values of a percentage unit turned from points into fractions (a template before 4.0: 18 became 0.18).
    percent_converted: int = 0

    @property
    def same_version(self) -> bool:
        """The plan was already made with the current template: it was copied into a fresh one."""
        return self.source_version is not None and versions.status(self.source_version) == "current"

    @property
    def new_errors(self) -> list[Finding]:
        """Errors of the new workbook beyond those the plan read already had (by rule, in number)."""
        before = Counter(f.code for f in self.source_report.findings if f.severity == ERROR)
        out = []
        for finding in self.output_report.findings:
            if finding.severity != ERROR:
                continue
            if before[finding.code] > 0:
                before[finding.code] -= 1
            else:
                out.append(finding)
        return out


@dataclass
class _Source:
    report: FileReport
    located: LocatedPlan
    plan: Plan
    not_carried: list[NotCarried]


def upgrade(source: str | os.PathLike, output: str | os.PathLike, *, lang: str | None = None,
            runtime: str | None = None, force: bool = False, message_lang: str = "fr") -> UpgradeResult:
    """Write to *output* the plan *source* in the current template; *source* is only read.

    ``lang`` (the new workbook's language) defaults to the plan's own, ``runtime``
    to the one *output*'s extension implies. Findings are worded in
    ``message_lang``. Raises :class:`~mplan_xl.core.errors.UpgradeRefused` when the
    plan cannot be upgraded, :class:`~mplan_xl.core.errors.PlanNotUsable` when it has
    no plan year, a usage error for an output that is the input or exists
    (without *force*).
    """
    source, output = Path(source), Path(output)
    if lang is not None:
        check_language(lang)
    check_outputs([output], [source], force=force)
    runtime = runtime_for(output, runtime)
    read: _Source = inspect_file(source, message_lang, then=lambda inspected: _read_source(inspected, lang))
    located = read.located
    target_lang = lang or located.lang
    source_version, tables = located.template_version, set(located.tables)
    plan, report, not_carried = read.plan, read.report, read.not_carried
    del read, located   # the source workbook as read (its values, its bytes) is not held while the new one is built
    build_workbook(plan, output, lang=target_lang, runtime=runtime, template=_is_template(report), force=force)
    rows: dict[str, int] = {}
    for table in schema.TABLES:
        if table.key in tables:
            name = schema.worksheet_name(table.worksheet, target_lang)
            rows[name] = rows.get(name, 0) + len(plan.rows(table.key))
    return UpgradeResult(source=source, output=output, source_version=source_version,
                         version=schema.TEMPLATE_VERSION, lang=target_lang, rows=rows, not_carried=not_carried,
                         source_report=report, output_report=check_file(output, message_lang),
                         percent_converted=len(versions.percent_figures(plan.tables))
                         if versions.percent_in_points(source_version) else 0)


def _is_template(report: FileReport) -> bool:
    """Whether the plan read is still an empty template: the new one then gets a fresh template's empty rows."""
    return any(f.code == "plan-empty" for f in report.findings)


def _read_source(inspected: Inspected, lang: str | None) -> _Source:
    """The checked plan, its content as a :class:`~mplan_xl.core.plan.Plan` for a workbook in *lang* (None: the plan's
    own) and what cannot be carried, read while the workbook is open; :class:`UpgradeRefused` when it cannot be
    upgraded."""
    report, located = inspected.report, inspected.located
    if located is None and not report.findings and inspected.error is not None:   # no plan: a lock file, a report
        raise inspected.error
    blocking = [f for f in report.findings if is_blocking(f)]
    if report.status == UNREADABLE or blocking or located is None:
        raise UpgradeRefused(report.path, report, blocking)
    if not isinstance(located.year, int) or not schema.MIN_YEAR <= located.year <= schema.MAX_YEAR:
        raise PlanNotUsable(_TEXT["no_year"], path=report.path, name=schema.NAME_YEAR)
    not_carried: list[NotCarried] = []
    identity = _identity(located, not_carried)
    plan = Plan.blank(identity, lang or located.lang)   # the pre-filled rows of tables the plan read does not have
    read = located.to_plan()
    for key in located.tables:
        plan.tables[key] = read.tables[key]
    plan.thresholds = thresholds(located.raw)
    not_carried += _not_carried(located, report)
    return _Source(report, located, plan, not_carried)


def _identity(located: LocatedPlan, not_carried: list[NotCarried]) -> Identity:
    raw = located.raw
    currency = str(located.meta.get("currency") or named_value(raw, schema.NAME_CURRENCY) or "EUR").strip().upper()
    if currency not in CURRENCIES:
        not_carried.append(NotCarried("currency", {"value": currency}))
        currency = "EUR"
    envelope = located.envelope
    if isinstance(envelope, bool) or not isinstance(envelope, (int, float)):
        if not blank(envelope):
            not_carried.append(NotCarried("envelope", {"value": envelope}))
        envelope = None
    assert isinstance(located.year, int)   # refused before
    return Identity(company=id_text(located.company) or "", year=located.year,
                    author=id_text(named_value(raw, schema.NAME_AUTHOR)) or "", currency=currency, envelope=envelope,
                    situation=located.situation)


def _not_carried(located: LocatedPlan, report: FileReport) -> list[NotCarried]:
    """Everything of the plan read that the new workbook will not hold, sheet by sheet."""
    raw = located.raw
    out: list[NotCarried] = []
    ours = versions.template_sheet_names()
    own_sheets = [name for name in raw.sheet_names if name not in ours]
    for name in own_sheets:
        if raw.sheet_kinds.get(name) == "worksheet":
            count = sum(1 for line in raw.values(name) for value in line if not blank(value))
            out.append(NotCarried("sheet", {"sheet": name, "count": count}))
        else:
            out.append(NotCarried("chart_sheet", {"sheet": name}))
    for table in located.tables.values():
        grid = raw.values(table.worksheet)
        rows = table.rows + table.suggestions
        for position, header in table.unknown:
            col = table.info.first_col + position
            count = sum(1 for row in rows if row.sheet_row < len(grid) and col < len(grid[row.sheet_row])
                        and not blank(grid[row.sheet_row][col]))
            out.append(NotCarried("column", {"column": header, "table": table.sheet.table, "sheet": table.worksheet,
                                             "count": count}))
    from ..check.checks import cells_text

    for table in located.tables.values():
        formulas = raw.formulas(table.worksheet)
        rows = table.rows + table.suggestions
        for column in table.sheet.input_columns:
            if column.key not in table.columns:
                continue
            col = table.columns[column.key]
            typed = [(row.sheet_row, col) for row in rows if (row.sheet_row, col) in formulas]
            if typed:
                out.append(NotCarried("input_formulas", {"column": column.header(located.lang), "sheet": table.worksheet,
                                                         "count": len(typed), "cells": cells_text(typed)}))
    for worksheet, outside in located.outside.items():
        out.append(NotCarried("outside", {"sheet": worksheet, "count": len(outside), "cells": cells_text(outside)}))
    for finding in report.findings:
        if finding.code in ("computed-overwritten", "formula-altered"):
            out.append(NotCarried("computed", {"column": finding.params.get("column"), "sheet": finding.sheet,
                                               "count": finding.params.get("count"),
                                               "cells": finding.params.get("cells")}))
    out += _package_parts(located, set(own_sheets))
    for finding in report.findings:
        if finding.code == "foreign-macros":
            out.append(NotCarried("vba", {"modules": finding.params.get("modules")}))
    out += [NotCarried("name", {"name": name}) for name in sorted(raw.defined_names) if not _OUR_NAMES.match(name)]
    out.append(NotCarried("formatting"))
    return out


def _package_parts(located: LocatedPlan, own_sheets: set[str]) -> list[NotCarried]:
    """Notes on cells, and charts and pictures outside the template's dashboard, on the template's sheets
    (a sheet of the team's own is listed whole)."""
    content = located.raw.content
    if not content:
        return []
    try:
        package = PackageCopy.open(content)
        sheets = package.worksheets()
    except Exception:  # the reader read this file: a part it does not need may still be odd; nothing to list then
        return []
    dashboards = {schema.worksheet_name(_CHARTS_SHEET, lang) for lang in ("fr", "en")}
    out = []
    for name, (member, _state) in sheets.items():
        if name in own_sheets:
            continue
        notes = drawings = 0
        for _rid, kind, target in package.relationships(member):
            xml = package.parts.get(target, b"")
            if kind.endswith("/comments"):
                notes += len(re.findall(rb"<(?:\w+:)?comment\b", xml))
            elif kind.endswith("/drawing") and name not in dashboards:
                drawings += sum(1 for _r, inner, _t in package.relationships(target)
                                if inner.endswith(("/chart", "/image")))
        if notes:
            out.append(NotCarried("notes", {"sheet": name, "count": notes}))
        if drawings:
            out.append(NotCarried("drawings", {"sheet": name, "count": drawings}))
    return out


__all__ = ["NOT_CARRIED", "NotCarried", "UpgradeRefused", "UpgradeResult", "upgrade"]
