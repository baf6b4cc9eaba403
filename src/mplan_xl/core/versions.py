"""Template versions: what each released template held, the headers renamed since, how older files are read.

Teams send back plans made with an older template. ``check`` reads such a file
as what it is (the tables and columns of its version, under the headers that
version gave them) and says how to upgrade it; ``mplan-xl upgrade`` moves it
into the current template. Everything they need to know about the past is
declared here, once:

- :data:`RENAMES`, the one table of header aliases: each column whose header a
  version changed, with the header files made before that version give it;
  the reader finds the column under either;
- :data:`RELEASES`: what each released template held (its tables' columns,
  its worksheets, its sheet names, its VBA modules), recorded from that
  release's code, so that a table, a column or a sheet added since is never
  asked of an older file, and our own VBA of an older release is not taken
  for foreign macros.

The current template is :data:`mplan_xl.core.schema.TEMPLATE_VERSION`: its structure
is the schema itself, never restated here. When the version goes up, add the
release being replaced to :data:`RELEASES` (``python -m mplan_xl.excel.vba_sources``
prints its record from the code about to change), a :class:`Rename` for each
header changed, and its workbooks to ``tests/fixtures/versions``.

This module belongs to the domain core: it imports no Excel library.

Example:
    >>> status("1.0.0"), status(schema.TEMPLATE_VERSION), status("99.0.0"), status(None)
    ('older', 'current', 'newer', 'current')
    >>> header_aliases("1.0.0")["review"]["atteinte"]
    'achievement'
    >>> "achievement" in expected_columns("1.0.0", "review")
    True
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Literal, Mapping

from . import schema
from .vocabulary import LANGUAGES, Label, fold

#: The sheet xlwings reads its settings from (:data:`mplan_xl.workbook.builder.XLWINGS_CONF_SHEET`, written by every release).
XLWINGS_CONF_SHEET = "xlwings.conf"

Status = Literal["current", "older", "newer"]


@dataclass(frozen=True)
class Rename:
    """Column *key* of table *table* got its current header in version *since*; files of earlier versions
    call it *header* (and earlier code called it *old_key*)."""

    since: str
    table: str
    key: str
    old_key: str
    header: Label


#: Every header a template version changed, oldest first: the one table of header aliases.
RENAMES: tuple[Rename, ...] = (
    Rename("2.0.0", "review", "achievement", "attainment", Label("Atteinte", "Attainment")),
)


@dataclass(frozen=True)
class Release:
    """What one released template held, as its own code declared it."""

    version: str
    commit: str
    #: Table key -> its column keys, as that release named them (:data:`RENAMES` maps them to today's).
    tables: Mapping[str, tuple[str, ...]]
    #: Keys of its worksheets holding tables or the Guide (``schema.WORKSHEETS`` of that release).
    worksheets: tuple[str, ...]
    #: Every sheet name it wrote, in both languages, hidden support sheets included.
    sheet_names: frozenset[str]
    #: VBA module -> :func:`vba_fingerprint` of the code it embedded (xlwings runtime).
    vba: Mapping[str, str]


def _release(version: str, commit: str, tables: Mapping[str, str], worksheets: str, sheet_names: str,
             vba: Mapping[str, str]) -> Release:
    return Release(version, commit, {key: tuple(columns.split()) for key, columns in tables.items()},
                   tuple(worksheets.split()), frozenset(sheet_names.split("|")), dict(vba))


_AUDIT = {"swot": "quadrant item weight", "pestel": "factor item impact", "diagnostic": "topic aspect finding source"}
_PLAN = {
    "objectives": "id family parent_id statement indicator baseline target unit deadline owner actions_count "
                  "kpis_count smart",
    "actions": "id objective_id title how channel owner department start end milestones status expected_gain budget roi",
    "budget": "id action_id item description supplier quote_ref quote_amount last_year planned committed actual "
              "variance variance_pct",
    "kpis": "id name type objective_id definition unit direction baseline target actual variance attainment status",
}
_REVIEW = "id action objective channel budget spend gain target result unit {rate} budget_variance roi verdict lessons corrective"
_MONTHS = " ".join(f"m{i:02d}" for i in range(1, 13))
_WORKSHEETS = "guide audit review objectives actions budget kpis dashboard"
_SHEETS = ("Accueil|Guide|Audit|Bilan N-1|Last year|Objectifs|Objectives|Actions|Budget|KPI|KPIs|Tableau de bord|"
           "Dashboard|mplan_lists|mplan_config|mplan_meta|" + XLWINGS_CONF_SHEET)
_XLWINGS_VBA = {"xlwings": "06bd8334916656e0", "Dictionary": "c98adbe5174a7f20"}

#: Every released template before the current one, oldest first, recorded from its commit.
RELEASES: tuple[Release, ...] = (
    _release("1.0.0", "14de5aa", {**_AUDIT, "review": _REVIEW.format(rate="attainment"), **_PLAN}, _WORKSHEETS, _SHEETS,
             {**_XLWINGS_VBA, "xlwings_udfs": "14a4a4cbe0fb7c69", "mplan_functions": "bf5449050be16fe4",
              "ThisWorkbook": "9ab83a324503f9d3"}),
    _release("2.0.0", "5fdf807", {**_AUDIT, "review": _REVIEW.format(rate="achievement"), **_PLAN}, _WORKSHEETS,
             _SHEETS + "|Synthèse|Summary|Matrice SWOT|SWOT matrix|mplan_status",
             {**_XLWINGS_VBA, "xlwings_udfs": "af9665517f056972", "mplan_functions": "3ab30e8ae2492517",
              "mplan_selfcheck": "8a462a0bd98e555b", "ThisWorkbook": "8276d2d84a472c10"}),
    _release("3.0.0", "0e2185a", {
        **_AUDIT, "review": _REVIEW.format(rate="achievement"),
        "objectives": _PLAN["objectives"] + " progress",
        "actions": _PLAN["actions"] + " month_from month_to elapsed spread_monthly",
        "budget": _PLAN["budget"] + " planned_phased planned_to_date actual_to_date variance_to_date",
        "budget_months": "line_id series " + _MONTHS + " total to_date",
        "kpis": _PLAN["kpis"].replace(" status", " target_to_date actual_to_date attainment_to_date status"),
        "kpi_months": "kpi_id series " + _MONTHS + " to_date",
    }, _WORKSHEETS.replace("budget kpis", "budget budget_months kpis kpi_months"),
        _SHEETS + "|Synthèse|Summary|Matrice SWOT|SWOT matrix|mplan_status|Budget mensuel|Monthly budget|KPI mensuels|"
        "Monthly KPIs",
        {**_XLWINGS_VBA, "xlwings_udfs": "af9665517f056972", "mplan_functions": "3ab30e8ae2492517",
         "mplan_selfcheck": "8a462a0bd98e555b", "ThisWorkbook": "8276d2d84a472c10"}),
    _release("4.0.0", "b920945", {
        **_AUDIT, "review": _REVIEW.format(rate="achievement"),
        "objectives": _PLAN["objectives"] + " progress",
        "actions": _PLAN["actions"] + " month_from month_to elapsed spread_monthly",
        "budget": _PLAN["budget"] + " planned_phased planned_to_date actual_to_date variance_to_date",
        "budget_months": "line_id series " + _MONTHS + " total to_date",
        "kpis": _PLAN["kpis"].replace(" direction", " direction nature").replace(
            " status", " baseline_to_date target_to_date actual_to_date attainment_to_date status"),
        "kpi_months": "kpi_id series " + _MONTHS + " to_date",
    }, _WORKSHEETS.replace("budget kpis", "budget budget_months kpis kpi_months"),
        _SHEETS + "|Synthèse|Summary|Matrice SWOT|SWOT matrix|mplan_status|Budget mensuel|Monthly budget|KPI mensuels|"
        "Monthly KPIs",
        {**_XLWINGS_VBA, "xlwings_udfs": "af9665517f056972", "mplan_functions": "3ab30e8ae2492517",
         "mplan_selfcheck": "5e1344ef40409eca", "ThisWorkbook": "8276d2d84a472c10"}),
)

# At most 9 digits a part: a longer run is no version (and would pass Python's integer-string limit).
_VERSION = re.compile(r"^\s*(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?\s*$")


def parse(version: object) -> tuple[int, int, int] | None:
    """A version text as (major, minor, patch); None when it is not one.

    >>> parse("2.0.0"), parse("1.0"), parse(" 3 "), parse("v2"), parse(None), parse("7" * 5000)
    ((2, 0, 0), (1, 0, 0), (3, 0, 0), None, None, None)
    """
    match = _VERSION.match(str(version)) if isinstance(version, (str, int, float)) else None
    return None if match is None else (int(match[1]), int(match[2] or 0), int(match[3] or 0))


CURRENT = parse(schema.TEMPLATE_VERSION)
assert CURRENT is not None, "schema.TEMPLATE_VERSION is not a version"


def status(version: str | None) -> Status | None:
    """How today's tools read a file of template *version*.

    ``current``: this major version, or no version said (read as the current
    template); ``older``: an earlier version, read as it is; ``newer``: a later
    major version, which this tool cannot read. None: not a version at all.
    """
    if version is None or str(version).strip() == "":
        return "current"
    parsed = parse(version)
    if parsed is None:
        return None
    assert CURRENT is not None
    if parsed[0] > CURRENT[0]:
        return "newer"
    return "older" if parsed < CURRENT else "current"


def release_of(version: str | None) -> Release | None:
    """The recorded release a file of an older *version* is read as: the newest one not after it (the oldest
    for a version older than every record); None for a file of the current template."""
    if status(version) != "older":
        return None
    parsed = parse(version)
    earlier = [r for r in RELEASES if (parse(r.version) or (0, 0, 0)) <= (parsed or (0, 0, 0))]
    return earlier[-1] if earlier else RELEASES[0]


def _renames_after(version: str | None) -> list[Rename]:
    """The renames made by versions after *version* (none when it is not an older version), oldest first."""
    parsed = parse(version)
    if status(version) != "older" or parsed is None:
        return []
    return [r for r in RENAMES if (parse(r.since) or (0, 0, 0)) > parsed]


def current_key(table: str, key: str, version: str | None) -> str:
    """Today's key of the column *key* that a file of *version* has in *table* (renames followed in order).

    >>> current_key("review", "attainment", "1.0.0"), current_key("kpis", "attainment", "1.0.0")
    ('achievement', 'attainment')
    """
    for rename in _renames_after(version):
        if rename.table == table and rename.old_key == key:
            key = rename.key
    return key


def header_aliases(version: str | None) -> dict[str, dict[str, str]]:
    """Table key -> {folded header a file of *version* may have: today's column key}, for every header renamed
    since that version (empty for a file of the current template)."""
    out: dict[str, dict[str, str]] = {}
    for rename in _renames_after(version):
        key = current_key(rename.table, rename.key, rename.since)   # renamed again later: today's key
        for lang in LANGUAGES:
            out.setdefault(rename.table, {})[fold(rename.header(lang))] = key
    return out


def expected_tables(version: str | None) -> frozenset[str] | None:
    """Keys of the tables a file of *version* should have; None: every table of the schema."""
    release = release_of(version)
    return None if release is None else frozenset(release.tables)


def expected_columns(version: str | None, table: str) -> frozenset[str] | None:
    """Today's keys of the columns a file of *version* should have in *table*; None: every column of the schema."""
    release = release_of(version)
    if release is None:
        return None
    return frozenset(current_key(table, key, version) for key in release.tables.get(table, ()))


def expected_worksheets(version: str | None) -> frozenset[str] | None:
    """Keys of the worksheets a file of *version* should have; None: every worksheet of the schema."""
    release = release_of(version)
    return None if release is None else frozenset(release.worksheets)


#: The first template holding the figures of a percentage unit as fractions (0.18); earlier ones hold points (18).
PERCENT_FRACTIONS_SINCE = "4.0.0"


def percent_in_points(version: str | None) -> bool:
    """Whether a file of template *version* holds its percentages in points (18 for 18 %).

    >>> percent_in_points("3.0.0"), percent_in_points(schema.TEMPLATE_VERSION), percent_in_points(None)
    (True, False, False)
    """
    parsed = parse(version)
    return status(version) == "older" and parsed is not None and parsed < (parse(PERCENT_FRACTIONS_SINCE) or (0, 0, 0))


def percent_figures(tables: Mapping[str, list[dict[str, Any]]]) -> list[tuple[dict[str, Any], str]]:
    """(row, column key) of every number a plan holds in a percentage unit
    (:func:`mplan_xl.core.plan.percent_columns` says which figures are percentages)."""
    from .plan import percent_columns

    return [(row, key) for table, rows in tables.items() for row in rows for key in percent_columns(table, row, tables)
            if isinstance(row.get(key), (int, float)) and not isinstance(row.get(key), bool)]


def percent_to_fractions(tables: dict[str, list[dict[str, Any]]], version: str | None) -> int:
    """Turn the percentages of a plan read from a file of template *version* into fractions, in place (points
    divided by 100, for the versions that held points: :func:`percent_in_points`); the number of values changed.

    >>> tables = {"kpis": [{"id": "K1", "unit": "%", "baseline": 18, "target": "x"}], "kpi_months": [{"kpi_id": "K1", "m01": 19}]}
    >>> percent_to_fractions(tables, "3.0.0"), tables["kpis"][0]["baseline"], tables["kpi_months"][0]["m01"]
    (2, 0.18, 0.19)
    """
    if not percent_in_points(version):
        return 0
    found = percent_figures(tables)   # every unit looked up before any value changes
    for row, key in found:
        row[key] = float(f"{row[key] / 100:.15g}")   # 2.2 is 0.022, as a cell holds it (15 digits)
    return len(found)


def template_sheet_names() -> frozenset[str]:
    """Every sheet name a template of ours ever wrote, today's included, in both languages."""
    names = {label(lang) for _, label in schema.workbook_sheets() for lang in LANGUAGES}
    names |= {schema.META_SHEET, schema.LISTS_SHEET, schema.CONFIG_SHEET, schema.STATUS_SHEET, XLWINGS_CONF_SHEET}
    for release in RELEASES:
        names |= release.sheet_names
    return frozenset(names)


def vba_code(source: str) -> str:
    """A VBA module's code as compared: no attribute lines, no blank lines, line endings and indentation ignored.

    >>> vba_code('Attribute VB_Name = "A"\\r\\nOption Explicit\\r\\n\\r\\n  Sub X()\\r\\nEnd Sub\\r\\n')
    'Sub X()\\nEnd Sub'
    """
    lines = (line.strip() for line in source.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line and not line.startswith("Attribute VB_") and line != "Option Explicit")


def vba_code_as_libreoffice_writes(source: str) -> str:
    """:func:`vba_code` without what LibreOffice drops or adds when it saves a ``.xlsm`` (a procedure's
    ``Attribute Name.VB_...`` lines, and ``Option ClassModule`` at the top of a class module): the same code.

    >>> vba_code_as_libreoffice_writes('Option ClassModule\\nSub X()\\nAttribute X.VB_UserMemId = 0\\nEnd Sub')
    'Sub X()\\nEnd Sub'
    """
    return "\n".join(line for line in vba_code(source).split("\n")
                     if line != "Option ClassModule" and not _MEMBER_ATTRIBUTE.match(line))


_MEMBER_ATTRIBUTE = re.compile(r"Attribute \w+\.VB_\w+ = ")


def vba_fingerprint(source: str) -> str:
    """A short fingerprint of a module's :func:`vba_code` (16 hex digits of its SHA-256)."""
    return hashlib.sha256(vba_code(source).encode("utf-8")).hexdigest()[:16]


def is_released_vba(name: str, source: str) -> bool:
    """Whether module *name* holds the very code one of :data:`RELEASES` embedded under that name."""
    fingerprint = vba_fingerprint(source)
    return any(release.vba.get(name) == fingerprint for release in RELEASES)


__all__ = ["CURRENT", "PERCENT_FRACTIONS_SINCE", "RELEASES", "RENAMES", "Release", "Rename", "current_key", "expected_columns",
           "expected_tables", "expected_worksheets", "header_aliases", "is_released_vba", "parse", "percent_figures", "percent_in_points", "percent_to_fractions", "release_of",
           "status", "template_sheet_names", "vba_code", "vba_fingerprint"]
