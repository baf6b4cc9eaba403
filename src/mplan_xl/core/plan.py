"""The plan as Python data: what the builder writes and the reader returns.

A :class:`Plan` is the plan identity plus, for each table of
:mod:`mplan_xl.core.schema`, a list of rows; a row maps column keys to values.
Choice columns hold vocabulary *codes* (``"keep"``, not ``"Reconduire"``),
dates are :class:`datetime.date`, amounts are numbers. Computed columns are
not stored: they are derived from the inputs.

This module belongs to the domain core: it imports no Excel library.

Example:
    >>> plan = Plan.blank(Identity(company="Atelier Lumen", year=2026), lang="en")
    >>> len(plan.rows("kpis"))   # the starter KPI library
    10
    >>> plan.rows("kpis")[0]["name"]
    'Marketing ROI'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence

from . import schema
from .errors import PlanError
from .vocabulary import LANGUAGES, Label

#: File extension each runtime needs: Excel refuses macros in an ``.xlsx`` (declared here, below every layer,
#: so the CLI offers the runtimes without loading the workbook writer).
Runtime = Literal["native", "xlwings"]
RUNTIME_EXTENSIONS: dict[Runtime, str] = {"xlwings": ".xlsm", "native": ".xlsx"}

#: Currencies offered by ``--currency``: code -> symbol shown in number formats.
CURRENCIES = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "CAD": "$ CA", "MAD": "MAD", "XOF": "FCFA"}

Row = dict[str, Any]


@dataclass
class Identity:
    """Who the plan belongs to and for which year."""

    company: str = ""
    year: int = dt.date.today().year + 1
    author: str = ""
    currency: str = "EUR"
    envelope: float | None = None   # total marketing budget allowed for the year
    situation: dt.date | None = None  # the situation date typed on the Guide (None: today)

    def __post_init__(self) -> None:
        if not isinstance(self.year, int) or not schema.MIN_YEAR <= self.year <= schema.MAX_YEAR:
            raise PlanError(Label("année {year!r} : attendu une année entre {low} et {high}",
                                  "year {year!r}: expected a year between {low} and {high}"),
                            year=self.year, low=schema.MIN_YEAR, high=schema.MAX_YEAR)
        self.currency = str(self.currency).upper()
        if self.currency not in CURRENCIES:
            raise PlanError(Label("devise {currency!r} : attendu l'une de {known}", "currency {currency!r}: expected one of {known}"),
                            currency=self.currency, known=", ".join(CURRENCIES))

    @property
    def currency_symbol(self) -> str:
        return CURRENCIES[self.currency]


@dataclass(frozen=True)
class CellOverride:
    """A value typed over a computed cell (used to seed errors in the demo)."""

    table: str
    row: int            # 0-based index in the table's rows
    column: str
    value: Any


@dataclass
class Plan:
    identity: Identity
    tables: dict[str, list[Row]] = field(default_factory=dict)
    overrides: list[CellOverride] = field(default_factory=list)
    #: KPI status thresholds other than the defaults (``on_track``, ``at_risk``), as a plan read keeps them.
    thresholds: dict[str, float] = field(default_factory=dict)

    def rows(self, table: str) -> list[Row]:
        return self.tables.setdefault(table, [])

    @classmethod
    def blank(cls, identity: Identity, lang: str = "fr") -> "Plan":
        """An empty plan with the pre-filled parts of a fresh template:
        the diagnostic aspects to fill and the starter KPI library."""
        check_language(lang)
        plan = cls(identity)
        fr = lang == "fr"
        plan.tables["diagnostic"] = [
            {"topic": topic, "aspect": a_fr if fr else a_en} for topic, a_fr, a_en in schema.DIAGNOSTIC_ASPECTS
        ]
        plan.tables["kpis"] = [
            {"id": f"K{i:02d}", "name": n_fr if fr else n_en, "type": kind, "definition": d_fr if fr else d_en,
             "unit": _unit(u_fr if fr else u_en, identity), "direction": direction, "nature": nature}
            for i, (n_fr, n_en, kind, d_fr, d_en, u_fr, u_en, direction, nature) in enumerate(schema.KPI_LIBRARY, 1)
        ]
        return plan


def id_text(value: Any) -> str | None:
    """An id as text: None for a blank, ``3`` for the number 3.0 (Excel stores typed ids as numbers).

    >>> id_text(3.0), id_text(" "), id_text("O1.1")
    ('3', None, 'O1.1')
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def id_key(value: Any) -> str:
    """The key ids are matched on, as Excel's COUNTIF/SUMIFS match them: case-insensitive,
    numbers by their text, spaces significant (so the workbook's live status and ``check`` agree).

    >>> id_key("o1") == id_key("O1"), id_key(3.0) == id_key("3"), id_key("O1 ") == id_key("O1")
    (True, True, False)
    """
    if value.__class__ is str:   # the common case, as id_text would give it
        return value.casefold() if value.strip() else ""
    return (id_text(value) or "").casefold()


def percent_columns(table: str, row: Mapping[str, Any], tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> tuple[str, ...]:
    """The columns of *row* (of table *table*) holding percentages, as fractions: the figures of
    :data:`mplan_xl.core.schema.UNIT_FIGURES` when their unit (on the row, or on the row it refers to) is a percentage.

    >>> percent_columns("kpis", {"unit": "%"}, {})[:3], percent_columns("kpis", {"unit": "€"}, {})
    (('baseline', 'target', 'actual'), ())
    >>> percent_columns("kpi_months", {"kpi_id": "k1"}, {"kpis": [{"id": "K1", "unit": "% "}]})[:2]
    ('m01', 'm02')
    """
    for spec in schema.UNIT_FIGURES:
        if spec.table != table:
            continue
        if spec.via is None:
            unit = row.get(spec.unit)
        else:
            ref, wanted = schema.SHEETS_BY_KEY[table].column(spec.via).ref_key, id_key(row.get(spec.via))
            unit = next((r.get(spec.unit) for r in tables.get(ref, ()) if wanted and id_key(r.get("id")) == wanted), None)
        return spec.figures if schema.is_percent_unit(unit) else ()
    return ()


def _unit(unit: str, identity: Identity) -> str:
    return identity.currency_symbol if unit == "€" else unit


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise PlanError(Label("langue {lang!r} : attendu l'une de {known}", "language {lang!r}: expected one of {known}"),
                        lang=lang, known=", ".join(LANGUAGES))
    return lang
