"""The plan's structure, declared once.

Every data sheet of the workbook is an Excel Table described here: its columns,
their types, whether they are required, their dropdown list, their French and
English labels, which columns are computed (and by which metric of
:mod:`mplan_xl.core.metrics`, or by which roll-up over another table), and the
references between sheets. The workbook builder, the reader, the validator,
the docs and the generated VBA all derive from this declaration; nothing else
restates it.

This module belongs to the domain core: it imports no Excel library.

Example:
    >>> from mplan_xl.core.schema import SHEETS_BY_KEY
    >>> actions = SHEETS_BY_KEY["actions"]
    >>> actions.table
    'tblActions'
    >>> actions.column("objective_id").header("en")
    'Objective ID'
    >>> [c.key for c in actions.computed_columns]
    ['budget', 'actual_spend', 'roi', 'roi_achieved', 'month_from', 'month_to', 'elapsed', 'spread_monthly', 'landing']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Mapping

from . import vocabulary as voc
from .vocabulary import Label

TEMPLATE_ID = "mplan-xl/plan-marketing-operationnel"
#: What the Guide shows for the template (the id itself is in the metadata sheet and document properties).
TEMPLATE_NAME = Label("Plan marketing opérationnel (modèle mplan-xl)", "Operational marketing plan (mplan-xl template)")
#: Semantic version of the workbook layout. Bump the minor number for
#: additions a reader of the same major version can ignore, the major number
#: for anything that breaks older readers. 2.0: the Bilan N-1's "Atteinte" column became "Taux de réalisation"
#: (result / target, not KPI attainment); tables may end with a total row; Synthèse and SWOT matrix sheets;
#: the hidden live-status sheet (mplan_status) and its mplan_rows_<table> names. 3.0: the year followed month by
#: month: a situation date on the Guide, the Budget mensuel and KPI mensuels tables, figures to date on Actions,
#: Budget, KPI and Objectifs, KPI status judged against the target to date. 4.0: a figure in % is held as a
#: fraction shown as a percentage (0.15 for 15 %, where 3.0 held 15: every older reader misreads it); the KPI
#: table's Nature column (level or year to date) and its Départ à date, which the target and attainment to date
#: follow. 4.1: results: the Actions' campaign code, achieved gain, actual spend and achieved ROI, the Résultats
#: mensuels table (achieved gain month by month), the KPI table's Métrique source.
TEMPLATE_VERSION = "4.1.0"

#: Plan years the tools accept.
MIN_YEAR, MAX_YEAR = 2000, 2100

#: Defined names the builder creates and formulas use (language independent).
NAME_YEAR = "mplan_year"
NAME_ENVELOPE = "mplan_envelope"
NAME_CURRENCY = "mplan_currency"
NAME_COMPANY = "mplan_company"
#: The tables a plan is made of: while all three are empty, the plan is empty (a fresh template).
PLAN_CORE = ("objectives", "actions", "budget")
NAME_AUTHOR = "mplan_author"
NAME_ON_TRACK = "mplan_on_track"
NAME_AT_RISK = "mplan_at_risk"
#: The situation date the user types on the Guide (blank: today).
NAME_SITUATION = "mplan_situation"
#: The situation date the plan is judged at (figures to date, late actions, next actions, the dashboard's "today"
#: line): the typed situation date, or today, kept within the plan year.
NAME_AS_OF = "mplan_as_of"

#: Sheet names that never change with the language, so a reader can find them first.
META_SHEET = "mplan_meta"
LISTS_SHEET = "mplan_lists"
CONFIG_SHEET = "mplan_config"
#: Hidden sheet of the live status counts, one per rule and table (see :mod:`mplan_xl.workbook.guide_status`).
STATUS_SHEET = "mplan_status"

#: Row (1-based) of every table header on data sheets: row 1 is the sheet
#: title, row 2 the short guidance, row 3 is left blank.
HEADER_ROW = 4


class Kind(str, Enum):
    """What a column holds; drives formats, validation and reading."""

    ID = "id"              # identifier of the row, unique in its table
    REF = "ref"            # identifier of a row of another table
    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"      # one value of a vocabulary list
    DATE = "date"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    PERCENT = "percent"

    @property
    def is_number(self) -> bool:
        return self in (Kind.INTEGER, Kind.DECIMAL, Kind.MONEY, Kind.PERCENT)


@dataclass(frozen=True)
class Metric:
    """A column computed row by row by a function of :mod:`mplan_xl.core.metrics` or :mod:`mplan_xl.core.smart`.

    ``args`` maps each parameter of the function to the key of a column of the
    same table, or to a workbook defined name written as ``"=name"``.
    """

    name: str
    args: Mapping[str, str]


@dataclass(frozen=True)
class Rollup:
    """A column that adds up (``sum``) or counts (``count``) the rows of another
    table whose ``match`` column equals this row's id."""

    function: str          # "sum" | "count"
    table: str             # sheet key of the other table
    match: str             # column of the other table holding this row's id
    value: str | None = None  # column summed (for "sum")


@dataclass(frozen=True)
class Tracking:
    """A figure to date, computed by :mod:`mplan_xl.core.tracking`, where its Python function and its formula sit side
    by side: unlike a :class:`Metric`, its inputs may lie on other tables (the monthly tables, the action of a
    budget line, the objective of a KPI)."""

    figure: str


@dataclass(frozen=True)
class Column:
    key: str
    label: Label
    kind: Kind
    required: bool = False
    choices: voc.ChoiceList | None = None
    ref: str | None = None            # sheet key whose id this column holds
    computed: Metric | Rollup | Tracking | None = None
    help: Label | None = None          # input message shown in Excel
    width: float | None = None
    minimum: float | None = None       # for numbers
    maximum: float | None = None
    in_plan_year: bool = False         # for dates: must fall within the plan year
    total: str | None = None           # the table's total row: "sum" or "count" (SUBTOTAL: filtered rows drop out)

    def header(self, lang: str) -> str:
        return self.label(lang)

    @property
    def is_input(self) -> bool:
        return self.computed is None

    @property
    def ref_key(self) -> str:
        """Key of the sheet whose ids this reference column holds (a ValueError for a column that is no reference)."""
        if self.ref is None:
            raise ValueError(f"column {self.key!r} refers to no table")
        return self.ref

    @property
    def ref_table(self) -> Table:
        """The table whose ids this reference column holds."""
        return SHEETS_BY_KEY[self.ref_key]

    @property
    def choice_list(self) -> voc.ChoiceList:
        """The dropdown list of a choice column (a ValueError for a column without one)."""
        if self.choices is None:
            raise ValueError(f"column {self.key!r} has no choice list")
        return self.choices


@dataclass(frozen=True)
class Table:
    """A sheet holding one or more tables; data sheets hold exactly one."""

    key: str
    name: Label
    table: str                         # Excel table name, language independent
    columns: tuple[Column, ...]
    title: Label
    guidance: Label
    id_column: str | None = "id"
    blank_rows: int = 20               # empty rows a fresh template offers
    sheet_group: str | None = None     # several tables may share one worksheet
    #: A row is part of the plan once one of these columns is filled (default: any input column);
    #: a row with other inputs only is a suggestion (the starter KPIs), left aside by the checks.
    used_when: tuple[str, ...] = ()
    #: The table whose rows this one follows, a row for each (Résultats mensuels: one per action): a filled plan
    #: keeps a blank row for each one not there yet, so ``mplan-xl results`` finds room for its figures.
    rows_for: str | None = None
    _by_key: Mapping[str, Column] = field(init=False, repr=False, compare=False)
    _inputs: tuple[Column, ...] = field(init=False, repr=False, compare=False)

    @property
    def has_totals(self) -> bool:
        """Whether the table ends with a total row (Excel's Table total row, below the data rows)."""
        return any(c.total for c in self.columns)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", MappingProxyType({c.key: c for c in self.columns}))
        object.__setattr__(self, "_inputs", tuple(c for c in self.columns if c.is_input))

    def column(self, key: str) -> Column:
        return self._by_key[key]

    @property
    def id_column_key(self) -> str:
        """Key of the id column, for a table whose rows have ids (a ValueError for one without)."""
        if self.id_column is None:
            raise ValueError(f"table {self.key!r} has no id column")
        return self.id_column

    def index(self, key: str) -> int:
        """0-based position of a column in the table."""
        return [c.key for c in self.columns].index(key)

    def headers(self, lang: str) -> list[str]:
        return [c.header(lang) for c in self.columns]

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return self._inputs

    @property
    def use_columns(self) -> tuple[Column, ...]:
        """The input columns whose filling makes a row part of the plan (see ``used_when``)."""
        return tuple(self.column(k) for k in self.used_when) if self.used_when else self._inputs

    @property
    def computed_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.is_input)

    @property
    def references(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.ref)

    @property
    def worksheet(self) -> str:
        """Key of the worksheet this table lives on."""
        return self.sheet_group or self.key


def L(fr: str, en: str) -> Label:  # noqa: N802 - short on purpose: hundreds of labels below
    return Label(fr, en)


#: The twelve month columns of the monthly tables, January to December, as keys and as headers.
MONTH_KEYS: tuple[str, ...] = tuple(f"m{i:02d}" for i in range(1, 13))
MONTH_LABELS: tuple[Label, ...] = tuple(Label(fr, en) for fr, en in (
    ("Janv.", "Jan"), ("Févr.", "Feb"), ("Mars", "Mar"), ("Avr.", "Apr"), ("Mai", "May"), ("Juin", "Jun"),
    ("Juil.", "Jul"), ("Août", "Aug"), ("Sept.", "Sep"), ("Oct.", "Oct"), ("Nov.", "Nov"), ("Déc.", "Dec")))


def _months(kind: Kind, help_: Label) -> tuple[Column, ...]:
    return tuple(Column(key, label, kind, width=10, help=help_) for key, label in zip(MONTH_KEYS, MONTH_LABELS))


def _id(fr_help: str, en_help: str) -> Column:
    return Column("id", L("ID", "ID"), Kind.ID, required=True, width=8, help=L(fr_help, en_help))


# --- Audit -----------------------------------------------------------------

SWOT = Table(
    key="swot", sheet_group="audit", table="tblSwot",
    name=L("Audit", "Audit"),
    title=L("Audit : SWOT, PESTEL et diagnostic", "Audit: SWOT, PESTEL and diagnostic"),
    guidance=L("Listez forces, faiblesses, opportunités et menaces, puis les facteurs PESTEL et le diagnostic. Pondération de 1 (faible) à 5 (fort).",
               "List strengths, weaknesses, opportunities and threats, then the PESTEL factors and the diagnostic. Weight from 1 (low) to 5 (high)."),
    id_column=None, blank_rows=12,
    columns=(
        Column("quadrant", L("SWOT", "SWOT"), Kind.CHOICE, required=True, choices=voc.SWOT_QUADRANT, width=14),
        Column("item", L("Élément SWOT", "SWOT item"), Kind.TEXT, required=True, width=64),
        Column("weight", L("Poids SWOT", "SWOT weight"), Kind.INTEGER, minimum=1, maximum=5, width=10,
               help=L("De 1 (faible) à 5 (fort)", "From 1 (low) to 5 (high)")),
    ),
)

PESTEL = Table(
    key="pestel", sheet_group="audit", table="tblPestel",
    name=SWOT.name, title=SWOT.title, guidance=SWOT.guidance,
    id_column=None, blank_rows=12,
    columns=(
        Column("factor", L("Facteur PESTEL", "PESTEL factor"), Kind.CHOICE, required=True, choices=voc.PESTEL_FACTOR, width=16),
        Column("item", L("Élément PESTEL", "PESTEL item"), Kind.TEXT, required=True, width=56),
        Column("impact", L("Impact PESTEL", "PESTEL impact"), Kind.INTEGER, minimum=1, maximum=5, width=10,
               help=L("De 1 (faible) à 5 (fort)", "From 1 (low) to 5 (high)")),
    ),
)

DIAGNOSTIC = Table(
    key="diagnostic", sheet_group="audit", table="tblDiagnostic",
    name=SWOT.name, title=SWOT.title, guidance=SWOT.guidance,
    id_column=None, blank_rows=0,
    columns=(
        Column("topic", L("Thème", "Topic"), Kind.CHOICE, required=True, choices=voc.DIAGNOSTIC_TOPIC, width=20),
        Column("aspect", L("Point étudié", "Aspect"), Kind.TEXT, required=True, width=24),
        Column("finding", L("Constat", "Finding"), Kind.LONG_TEXT, width=90),
        Column("source", L("Source", "Source"), Kind.TEXT, width=18),
    ),
)

#: Pre-filled rows of the diagnostic table: (topic code, fr aspect, en aspect).
DIAGNOSTIC_ASPECTS: tuple[tuple[str, str, str], ...] = (
    ("market", "Taille", "Size"),
    ("market", "Croissance", "Growth"),
    ("market", "Maturité", "Maturity"),
    ("market", "Perspectives", "Outlook"),
    ("competition", "Principaux concurrents", "Main competitors"),
    ("competition", "Leur offre", "Their offer"),
    ("competition", "Leur positionnement", "Their positioning"),
    ("competition", "Ce qui nous différencie", "What sets us apart"),
    ("offer", "Caractéristiques", "Features"),
    ("offer", "Points forts", "Strengths"),
    ("offer", "Points faibles", "Weaknesses"),
    ("audience", "Profil", "Profile"),
    ("audience", "Attentes", "Expectations"),
    ("audience", "Besoins", "Needs"),
    ("audience", "Habitudes", "Habits"),
    ("price", "Politique de prix", "Pricing policy"),
    ("promotion", "Moyens disponibles", "Means available"),
    ("distribution", "Canaux utilisés ou possibles", "Channels used or possible"),
    ("mix_product", "Produit (4P/7P, facultatif)", "Product (4P/7P, optional)"),
    ("mix_price", "Prix (4P/7P, facultatif)", "Price (4P/7P, optional)"),
    ("mix_place", "Distribution (4P/7P, facultatif)", "Place (4P/7P, optional)"),
    ("mix_promotion", "Communication (4P/7P, facultatif)", "Promotion (4P/7P, optional)"),
    ("mix_people", "Personnel (7P, facultatif)", "People (7P, optional)"),
    ("mix_process", "Processus (7P, facultatif)", "Process (7P, optional)"),
    ("mix_physical", "Preuve physique (7P, facultatif)", "Physical evidence (7P, optional)"),
    ("c_company", "Entreprise (5C, facultatif)", "Company (5C, optional)"),
    ("c_customers", "Clients (5C, facultatif)", "Customers (5C, optional)"),
    ("c_competitors", "Concurrents (5C, facultatif)", "Competitors (5C, optional)"),
    ("c_collaborators", "Partenaires (5C, facultatif)", "Collaborators (5C, optional)"),
    ("c_context", "Contexte (5C, facultatif)", "Context (5C, optional)"),
)

# --- Bilan N-1 ---------------------------------------------------------------

REVIEW = Table(
    key="review", table="tblReview",
    name=L("Bilan N-1", "Last year"),
    title=L("Bilan du plan de l'an dernier", "Review of last year's plan"),
    guidance=L("Une ligne par action de l'an dernier : budget, dépense, résultat obtenu face à la cible, puis la décision (reconduire, améliorer, abandonner) et ce que vous en retenez.",
               "One row per action of last year: budget, spend, result against target, then the verdict (keep, improve, abandon) and what you learnt."),
    blank_rows=15,
    columns=(
        _id("Identifiant de l'action de l'an dernier (ex. B01)", "Id of last year's action (e.g. B01)"),
        Column("action", L("Action", "Action"), Kind.TEXT, required=True, width=32),
        Column("objective", L("Objectif visé", "Objective"), Kind.TEXT, width=28),
        Column("channel", L("Canal", "Channel"), Kind.CHOICE, required=True, choices=voc.CHANNEL, width=20),
        Column("budget", L("Budget prévu", "Planned budget"), Kind.MONEY, required=True, minimum=0, width=14),
        Column("spend", L("Dépense réelle", "Actual spend"), Kind.MONEY, required=True, minimum=0, width=14),
        Column("gain", L("Gain obtenu", "Gain achieved"), Kind.MONEY, minimum=0, width=14,
               help=L("Marge ou chiffre d'affaires attribué à l'action", "Margin or revenue attributed to the action")),
        Column("target", L("Cible", "Target"), Kind.DECIMAL, width=12),
        Column("result", L("Résultat", "Result"), Kind.DECIMAL, width=12),
        Column("unit", L("Unité", "Unit"), Kind.TEXT, width=10),
        Column("achievement", L("Taux de réalisation", "Achievement rate"), Kind.PERCENT, width=12,
               computed=Metric("achievement_rate", {"result": "result", "target": "target"})),
        Column("budget_variance", L("Écart budget", "Budget variance"), Kind.MONEY, width=14,
               computed=Metric("variance", {"actual": "spend", "target": "budget"})),
        Column("roi", L("ROI", "ROI"), Kind.PERCENT, width=10,
               computed=Metric("roi", {"gain": "gain", "cost": "spend"})),
        Column("verdict", L("Décision", "Verdict"), Kind.CHOICE, required=True, choices=voc.VERDICT, width=14),
        Column("lessons", L("Enseignements", "Lessons"), Kind.LONG_TEXT, width=36),
        Column("corrective", L("Actions correctives", "Corrective actions"), Kind.LONG_TEXT, width=36),
    ),
)

# --- Objectifs ----------------------------------------------------------------

OBJECTIVES = Table(
    key="objectives", table="tblObjectives",
    name=L("Objectifs", "Objectives"),
    title=L("Objectifs de l'année", "Objectives of the year"),
    guidance=L("Un objectif SMART : spécifique, mesurable (indicateur, cible chiffrée, unité), attribué à un responsable, réaliste et daté dans l'année du plan. La colonne SMART se met à jour en direct.",
               "A SMART objective: specific, measurable (indicator, numeric target, unit), assigned to an owner, realistic and dated within the plan year. The SMART column updates live."),
    blank_rows=15,
    columns=(
        _id("Identifiant unique (ex. O1, O1.1 pour un sous-objectif)", "Unique id (e.g. O1, O1.1 for a sub-objective)"),
        Column("family", L("Famille", "Family"), Kind.CHOICE, required=True, choices=voc.OBJECTIVE_FAMILY, width=15),
        Column("parent_id", L("Objectif parent", "Parent objective"), Kind.REF, ref="objectives", width=10,
               help=L("Pour un sous-objectif : l'ID de l'objectif parent", "For a sub-objective: the parent objective's id")),
        Column("statement", L("Énoncé", "Statement"), Kind.LONG_TEXT, required=True, width=44,
               help=L("Chiffré et daté, ex. : augmenter les ventes de 10 % en 6 mois", "With a figure and a date, e.g. grow sales by 10% within 6 months")),
        Column("indicator", L("Indicateur", "Indicator"), Kind.TEXT, required=True, width=22),
        Column("baseline", L("Valeur de départ", "Baseline"), Kind.DECIMAL, width=12),
        Column("target", L("Valeur cible", "Target value"), Kind.DECIMAL, required=True, width=12),
        Column("unit", L("Unité", "Unit"), Kind.TEXT, required=True, width=9),
        Column("deadline", L("Échéance", "Deadline"), Kind.DATE, required=True, in_plan_year=True, width=12),
        Column("owner", L("Responsable", "Owner"), Kind.TEXT, required=True, width=18),
        Column("actions_count", L("Nb actions", "Actions"), Kind.INTEGER, width=9,
               computed=Rollup("count", "actions", "objective_id")),
        Column("kpis_count", L("Nb KPI", "KPIs"), Kind.INTEGER, width=8,
               computed=Rollup("count", "kpis", "objective_id")),
        Column("smart", L("Contrôle SMART", "SMART check"), Kind.TEXT, width=40,
               computed=Metric("smart_check", {
                   "statement": "statement", "indicator": "indicator", "target": "target", "unit": "unit",
                   "deadline": "deadline", "owner": "owner", "plan_year": "=" + NAME_YEAR, "baseline": "baseline"})),
        Column("progress", L("Progrès à date", "Progress to date"), Kind.PERCENT, width=10,
               computed=Tracking("objective_progress")),
    ),
)

# --- Actions --------------------------------------------------------------------

ACTIONS = Table(
    key="actions", table="tblActions",
    name=L("Actions", "Actions"),
    title=L("Plan d'actions", "Action plan"),
    guidance=L("Quoi, comment, par quel canal, qui et quand. Le budget de l'action est la somme de ses lignes de la feuille Budget ; le ROI compare le gain attendu à ce budget.",
               "What, how, through which channel, who and when. An action's budget is the sum of its lines on the Budget sheet; ROI compares the expected gain with that budget."),
    blank_rows=30,
    columns=(
        _id("Identifiant unique (ex. A01)", "Unique id (e.g. A01)"),
        Column("objective_id", L("ID objectif", "Objective ID"), Kind.REF, required=True, ref="objectives", width=10),
        Column("title", L("Action (quoi)", "Action (what)"), Kind.TEXT, required=True, width=32, total="count"),
        Column("how", L("Comment", "How"), Kind.LONG_TEXT, width=32),
        Column("channel", L("Canal / outil", "Channel / tool"), Kind.CHOICE, required=True, choices=voc.CHANNEL, width=20),
        Column("campaign", L("Code campagne", "Campaign code"), Kind.TEXT, width=18,
               help=L("La valeur utm_campaign ou le nom de la campagne dans les régies (ex. 2027-salon-lyon), unique "
                      "dans le plan : les résultats des exports s'y rattachent",
                      "The utm_campaign value or the campaign name in the ad platforms (e.g. 2027-trade-show-lyon), "
                      "unique in the plan: the results of the exports are matched to it")),
        Column("owner", L("Responsable", "Owner"), Kind.TEXT, required=True, width=16),
        Column("department", L("Service", "Department"), Kind.CHOICE, required=True, choices=voc.DEPARTMENT, width=16),
        Column("start", L("Début", "Start"), Kind.DATE, required=True, in_plan_year=True, width=12),
        Column("end", L("Fin", "End"), Kind.DATE, required=True, in_plan_year=True, width=12),
        Column("milestones", L("Étapes", "Milestones"), Kind.LONG_TEXT, width=30),
        Column("status", L("Statut", "Status"), Kind.CHOICE, required=True, choices=voc.ACTION_STATUS, width=12),
        Column("expected_gain", L("Gain attendu", "Expected gain"), Kind.MONEY, minimum=0, width=14, total="sum",
               help=L("Marge ou chiffre d'affaires que l'action doit rapporter", "Margin or revenue the action should bring")),
        Column("achieved_gain", L("Gain obtenu", "Achieved gain"), Kind.MONEY, minimum=0, width=14, total="sum",
               help=L("Marge ou chiffre d'affaires que l'action a rapporté, tapé ou importé (mplan-xl results) ; "
                      "mois par mois sur la feuille Résultats mensuels",
                      "Margin or revenue the action brought, typed or imported (mplan-xl results); month by month "
                      "on the Monthly results sheet")),
        Column("budget", L("Budget", "Budget"), Kind.MONEY, width=14, total="sum",
               computed=Rollup("sum", "budget", "action_id", "planned")),
        Column("actual_spend", L("Dépense réelle", "Actual spend"), Kind.MONEY, width=14, total="sum",
               computed=Rollup("sum", "budget", "action_id", "actual")),
        Column("roi", L("ROI attendu", "Expected ROI"), Kind.PERCENT, width=11,
               computed=Metric("roi", {"gain": "expected_gain", "cost": "budget"})),
        Column("roi_achieved", L("ROI réalisé", "Achieved ROI"), Kind.PERCENT, width=11,
               computed=Metric("roi", {"gain": "achieved_gain", "cost": "actual_spend"})),
        Column("month_from", L("Mois début", "From month"), Kind.INTEGER, width=8, computed=Tracking("month_from")),
        Column("month_to", L("Mois fin", "To month"), Kind.INTEGER, width=8, computed=Tracking("month_to")),
        Column("elapsed", L("Part écoulée", "Elapsed"), Kind.PERCENT, width=9, computed=Tracking("elapsed")),
        Column("spread_monthly", L("Budget réparti par mois", "Spread budget per month"), Kind.MONEY, width=13,
               computed=Tracking("spread_monthly")),
        Column("landing", L("Atterrissage", "Landing"), Kind.MONEY, width=14, total="sum",
               computed=Tracking("action_landing")),
    ),
)

# --- Budget ------------------------------------------------------------------------

BUDGET = Table(
    key="budget", table="tblBudget",
    name=L("Budget", "Budget"),
    title=L("Budget marketing", "Marketing budget"),
    guidance=L("Une ligne par dépense d'une action : poste, fournisseur et devis, dépense de l'an dernier, prévisionnel, engagé et réel. L'écart se calcule seul.",
               "One row per expense of an action: item, supplier and quote, last year's spend, planned, committed and actual. The variance is computed for you."),
    blank_rows=40,
    columns=(
        _id("Identifiant unique (ex. L001)", "Unique id (e.g. L001)"),
        Column("action_id", L("ID action", "Action ID"), Kind.REF, required=True, ref="actions", width=10),
        Column("item", L("Poste", "Expense item"), Kind.CHOICE, required=True, choices=voc.EXPENSE_ITEM, width=22),
        Column("description", L("Libellé", "Description"), Kind.TEXT, width=30),
        Column("supplier", L("Fournisseur", "Supplier"), Kind.TEXT, width=18),
        Column("quote_ref", L("Réf. devis", "Quote ref"), Kind.TEXT, width=12),
        Column("quote_amount", L("Montant devis", "Quote amount"), Kind.MONEY, minimum=0, width=14, total="sum"),
        Column("last_year", L("Dépense N-1", "Last year spend"), Kind.MONEY, minimum=0, width=14, total="sum"),
        Column("planned", L("Prévisionnel", "Planned"), Kind.MONEY, required=True, minimum=0, width=14, total="sum"),
        Column("committed", L("Engagé", "Committed"), Kind.MONEY, minimum=0, width=14, total="sum"),
        Column("actual", L("Réel", "Actual"), Kind.MONEY, minimum=0, width=14, total="sum"),
        Column("reforecast", L("Réestimation", "Re-forecast"), Kind.MONEY, minimum=0, width=14, total="sum",
               help=L("Facultatif : ce que la ligne coûtera selon l'équipe à la fin de l'année ; remplace "
                      "l'atterrissage calculé", "Optional: what the team expects the line to cost by the end of "
                      "the year; replaces the computed landing")),
        Column("variance", L("Écart", "Variance"), Kind.MONEY, width=13, total="sum",
               computed=Metric("variance", {"actual": "actual", "target": "planned"})),
        Column("variance_pct", L("Écart en %", "Variance in %"), Kind.PERCENT, width=11,
               computed=Metric("variance_pct", {"actual": "actual", "target": "planned"})),
        Column("planned_phased", L("Prévu mensualisé", "Phased planned"), Kind.MONEY, width=13, total="sum",
               computed=Tracking("planned_phased")),
        Column("planned_to_date", L("Prévu à date", "Planned to date"), Kind.MONEY, width=13, total="sum",
               computed=Tracking("planned_to_date")),
        Column("actual_to_date", L("Réel à date", "Actual to date"), Kind.MONEY, width=13, total="sum",
               computed=Tracking("actual_to_date")),
        Column("variance_to_date", L("Écart à date", "Variance to date"), Kind.MONEY, width=13, total="sum",
               computed=Metric("variance", {"actual": "actual_to_date", "target": "planned_to_date"})),
        Column("landing", L("Atterrissage", "Landing"), Kind.MONEY, width=13, total="sum",
               computed=Metric("landing", {"actual_to_date": "actual_to_date", "committed": "committed",
                                           "planned": "planned", "planned_to_date": "planned_to_date",
                                           "reforecast": "reforecast"})),
        Column("landing_variance", L("Écart atterrissage", "Landing variance"), Kind.MONEY, width=13, total="sum",
               computed=Metric("variance", {"actual": "landing", "target": "planned"})),
    ),
)

# --- Budget mensuel ------------------------------------------------------------------

BUDGET_MONTHS = Table(
    key="budget_months", table="tblBudgetMonths",
    name=L("Budget mensuel", "Monthly budget"),
    title=L("Budget mois par mois", "Budget month by month"),
    guidance=L("Facultatif. Une ligne « Prévu » donne le phasage d'une ligne de budget (la somme des mois doit égaler "
               "son prévisionnel) ; sans elle, le prévisionnel se répartit également sur les mois de l'action. Une "
               "ligne « Réel » donne ses dépenses par mois (mplan-xl actuals la remplit depuis le FEC).",
               "Optional. A 'Planned' row phases a budget line (its months must add up to the line's planned amount); "
               "without one, the planned amount is spread evenly over the months of the action. An 'Actual' row "
               "gives its spending by month (mplan-xl actuals fills it from the FEC)."),
    id_column=None, blank_rows=20,
    columns=(
        Column("line_id", L("ID ligne", "Line ID"), Kind.REF, required=True, ref="budget", width=10),
        Column("series", L("Série", "Series"), Kind.CHOICE, required=True, choices=voc.BUDGET_SERIES, width=10),
        *_months(Kind.MONEY, L("Montant du mois (hors TVA)", "Amount of the month (excluding VAT)")),
        Column("total", L("Total", "Total"), Kind.MONEY, width=13, computed=Tracking("months_total")),
        Column("to_date", L("À date", "To date"), Kind.MONEY, width=13, computed=Tracking("months_to_date")),
    ),
)

# --- Résultats mensuels ----------------------------------------------------------------

ACTION_RESULTS = Table(
    key="action_results", table="tblActionResults",
    name=L("Résultats mensuels", "Monthly results"),
    title=L("Gain obtenu mois par mois", "Achieved gain month by month"),
    guidance=L("Facultatif. Une ligne par action : le gain qu'elle a rapporté chaque mois (marge ou chiffre "
               "d'affaires, comme son gain attendu). Le total doit égaler son gain obtenu (feuille Actions). "
               "mplan-xl results la remplit depuis les exports d'analytics, des régies et du CRM.",
               "Optional. One row per action: the gain it brought each month (margin or revenue, like its expected "
               "gain). The total must equal its achieved gain (Actions sheet). mplan-xl results fills it from the "
               "analytics, ad platform and CRM exports."),
    id_column=None, blank_rows=20, rows_for="actions",
    columns=(
        Column("action_id", L("ID action", "Action ID"), Kind.REF, required=True, ref="actions", width=10),
        *_months(Kind.MONEY, L("Gain obtenu dans le mois", "Gain achieved in the month")),
        Column("total", L("Total", "Total"), Kind.MONEY, width=13, computed=Tracking("months_total")),
        Column("to_date", L("À date", "To date"), Kind.MONEY, width=13, computed=Tracking("months_to_date")),
    ),
)

# --- Virements ---------------------------------------------------------------------------

TRANSFERS = Table(
    key="transfers", table="tblTransfers",
    name=L("Virements", "Transfers"),
    title=L("Virements entre lignes de budget", "Transfers between budget lines"),
    guidance=L("Après l'approbation du plan, notez ici chaque somme déplacée d'une ligne de budget à une autre : "
               "d'où, vers où, combien, quand et pourquoi. « mplan-xl check --against » tient pour expliqué un "
               "virement noté ici et signale celui qui ne l'est pas.",
               "Once the plan is approved, record here every amount moved from one budget line to another: from "
               "where, to where, how much, when and why. 'mplan-xl check --against' takes a transfer recorded here "
               "as explained and flags one that is not."),
    id_column=None, blank_rows=10,
    columns=(
        Column("from_line", L("De la ligne", "From line"), Kind.REF, required=True, ref="budget", width=11,
               help=L("L'ID de la ligne de budget qui cède le montant", "The id of the budget line giving the amount")),
        Column("to_line", L("Vers la ligne", "To line"), Kind.REF, required=True, ref="budget", width=11,
               help=L("L'ID de la ligne de budget qui le reçoit", "The id of the budget line receiving it")),
        Column("amount", L("Montant", "Amount"), Kind.MONEY, required=True, minimum=0, width=14, total="sum"),
        Column("date", L("Date", "Date"), Kind.DATE, in_plan_year=True, width=12),
        Column("reason", L("Motif", "Reason"), Kind.LONG_TEXT, width=44),
    ),
)

# --- KPI ---------------------------------------------------------------------------

KPIS = Table(
    key="kpis", table="tblKpi",
    name=L("KPI", "KPIs"),
    title=L("Indicateurs de pilotage", "Key performance indicators"),
    guidance=L("Chaque indicateur mesure un objectif. Indiquez le sens (plus haut ou plus bas = mieux), sa nature (niveau ou cumul annuel), la valeur de départ, la cible et le réalisé (en %, tapez 15 % ou 0,15) : écart, atteinte et statut se calculent seuls. Le statut compare le réalisé à date à la cible à date (feuille KPI mensuels).",
               "Each indicator measures an objective. Give its direction (higher or lower is better), its kind (level or year to date), baseline, target and actual (in %, type 15% or 0.15): variance, attainment and status are computed for you. The status compares the actual to date with the target to date (Monthly KPIs sheet)."),
    blank_rows=10, used_when=("objective_id", "baseline", "target", "actual"),
    columns=(
        _id("Identifiant unique (ex. K01)", "Unique id (e.g. K01)"),
        Column("name", L("Indicateur", "Indicator"), Kind.TEXT, required=True, width=26),
        Column("type", L("Type", "Type"), Kind.CHOICE, required=True, choices=voc.KPI_TYPE, width=12),
        Column("objective_id", L("ID objectif", "Objective ID"), Kind.REF, required=True, ref="objectives", width=10),
        Column("definition", L("Définition", "Definition"), Kind.LONG_TEXT, width=40),
        Column("unit", L("Unité", "Unit"), Kind.TEXT, required=True, width=9),
        Column("direction", L("Sens", "Direction"), Kind.CHOICE, required=True, choices=voc.DIRECTION, width=18),
        Column("nature", L("Nature", "Kind"), Kind.CHOICE, choices=voc.KPI_NATURE, width=13,
               help=L("Niveau : la valeur de chaque mois se suffit à elle-même (abonnés, taux, prix). Cumul annuel : "
                      "chaque mois ajoute au total depuis janvier (chiffre d'affaires, commandes) ; le départ et la "
                      "cible sont des totaux de l'année. Vide : niveau.",
                      "Level: each month's value stands on its own (followers, a rate, a price). Year to date: each "
                      "month adds to the total since January (revenue, orders); baseline and target are yearly "
                      "totals. Blank: level.")),
        Column("source", L("Métrique source", "Source metric"), Kind.CHOICE, choices=voc.KPI_SOURCE, width=16,
               help=L("Facultatif : la métrique des exports (analytics, régies, CRM) qui remplit ses mois avec "
                      "mplan-xl results",
                      "Optional: the metric of the exports (analytics, ad platforms, CRM) that fills its months with "
                      "mplan-xl results")),
        Column("baseline", L("Départ", "Baseline"), Kind.DECIMAL, width=11),
        Column("target", L("Cible", "Target"), Kind.DECIMAL, required=True, width=11),
        Column("actual", L("Réalisé", "Actual"), Kind.DECIMAL, width=11),
        Column("variance", L("Écart", "Variance"), Kind.DECIMAL, width=11,
               computed=Metric("variance", {"actual": "actual", "target": "target"})),
        Column("attainment", L("Atteinte", "Attainment"), Kind.PERCENT, width=11,
               computed=Metric("attainment", {"actual": "actual", "target": "target", "direction": "direction", "baseline": "baseline"})),
        Column("baseline_to_date", L("Départ à date", "Baseline to date"), Kind.DECIMAL, width=11,
               computed=Tracking("kpi_baseline_to_date")),
        Column("target_to_date", L("Cible à date", "Target to date"), Kind.DECIMAL, width=11,
               computed=Tracking("kpi_target_to_date")),
        Column("actual_to_date", L("Réalisé à date", "Actual to date"), Kind.DECIMAL, width=11,
               computed=Tracking("kpi_actual_to_date")),
        Column("attainment_to_date", L("Atteinte à date", "Attainment to date"), Kind.PERCENT, width=11,
               computed=Metric("attainment", {"actual": "actual_to_date", "target": "target_to_date",
                                              "direction": "direction", "baseline": "baseline_to_date"})),
        Column("projection", L("Projection", "Projection"), Kind.DECIMAL, width=12,
               computed=Tracking("kpi_projection")),
        Column("projected_attainment", L("Atteinte projetée", "Projected attainment"), Kind.PERCENT, width=11,
               computed=Metric("attainment", {"actual": "projection", "target": "target", "direction": "direction",
                                              "baseline": "baseline"})),
        Column("status", L("Statut", "Status"), Kind.TEXT, width=14,
               computed=Metric("kpi_status", {"attainment": "attainment_to_date", "on_track": "=" + NAME_ON_TRACK,
                                              "at_risk": "=" + NAME_AT_RISK})),
    ),
)

# --- KPI mensuels --------------------------------------------------------------------

KPI_MONTHS = Table(
    key="kpi_months", table="tblKpiMonths",
    name=L("KPI mensuels", "Monthly KPIs"),
    title=L("Indicateurs mois par mois", "Indicators month by month"),
    guidance=L("Une ligne « Réalisé » par KPI : la valeur mesurée à la fin de chaque mois (le total depuis janvier pour "
               "un KPI en cumul annuel). Une ligne « Cible » facultative fixe la trajectoire mois par mois ; sans elle, "
               "la cible va en ligne droite, à l'échéance de l'objectif, de la valeur de départ (niveau) ou de zéro "
               "(cumul annuel) à la cible.",
               "One 'Actual' row per KPI: the value measured at the end of each month (the total since January for a "
               "year-to-date KPI). An optional 'Target' row sets the trajectory month by month; without it, the "
               "target runs in a straight line, at the objective's deadline, from the baseline (level) or from zero "
               "(year to date) to the target."),
    id_column=None, blank_rows=10, rows_for="kpis",
    columns=(
        Column("kpi_id", L("ID KPI", "KPI ID"), Kind.REF, required=True, ref="kpis", width=10),
        Column("series", L("Série", "Series"), Kind.CHOICE, required=True, choices=voc.KPI_SERIES, width=10),
        *_months(Kind.DECIMAL, L("Valeur à la fin du mois", "Value at the end of the month")),
        Column("to_date", L("À date", "To date"), Kind.DECIMAL, width=11, computed=Tracking("months_latest")),
    ),
)

#: Starter KPI library pre-filled in a fresh template:
#: (fr name, en name, type, fr definition, en definition, unit fr, unit en, direction, nature).
KPI_LIBRARY: tuple[tuple[str, str, str, str, str, str, str, str, str], ...] = (
    ("ROI marketing", "Marketing ROI", "financial",
     "(gain - coût) / coût des actions marketing", "(gain - cost) / cost of marketing actions", "%", "%", "higher", "level"),
    ("Coût d'acquisition client", "Customer acquisition cost", "financial",
     "Dépenses d'acquisition / nouveaux clients", "Acquisition spend / new customers", "€", "€", "lower", "level"),
    ("Panier moyen", "Average basket", "financial",
     "Chiffre d'affaires / nombre de commandes", "Revenue / number of orders", "€", "€", "higher", "level"),
    ("Chiffre d'affaires", "Revenue", "financial",
     "Ventes facturées depuis janvier", "Sales invoiced since January", "€", "€", "higher", "cumulative"),
    ("Part de marché", "Market share", "financial",
     "Nos ventes / ventes du marché", "Our sales / market sales", "%", "%", "higher", "level"),
    ("Taux de conversion", "Conversion rate", "performance",
     "Commandes / visiteurs", "Orders / visitors", "%", "%", "higher", "level"),
    ("Trafic du site", "Site traffic", "performance",
     "Visites mensuelles du site", "Monthly site visits", "visites", "visits", "higher", "level"),
    ("Taux d'abandon de panier", "Cart abandonment rate", "performance",
     "1 - commandes / paniers créés", "1 - orders / carts created", "%", "%", "lower", "level"),
    ("Nombre de clients", "Number of customers", "performance",
     "Clients actifs sur la période", "Active customers over the period", "clients", "customers", "higher", "level"),
    ("Taux de fidélisation", "Retention rate", "performance",
     "Clients conservés d'une année sur l'autre / clients de départ", "Customers kept year over year / customers at start", "%", "%", "higher", "level"),
)


def is_percent_unit(unit: object) -> bool:
    """Whether a unit makes the figures of its row percentages: its text begins with "%" once trimmed ("%",
    "% de clics"), as the workbook reads it (:func:`percent_unit_formula`). Such figures are fractions shown as
    percentages (0.15 is 15 %), since template 4.0.

    >>> is_percent_unit(" % de clics"), is_percent_unit("€"), is_percent_unit(None)
    (True, False, False)
    """
    return isinstance(unit, str) and unit.strip(" ").startswith("%")


def percent_unit_formula(unit: str) -> str:
    """The formula of :func:`is_percent_unit` (*unit*: an expression), as the workbook's conditional formats use it."""
    return f'LEFT(TRIM({unit}),1)="%"'


@dataclass(frozen=True)
class UnitFigures:
    """Columns of *table* holding figures in a unit written on the row (*unit*), or, with *via*, on the row of
    the table whose id the column *via* holds (the monthly KPIs take their KPI's unit)."""

    table: str
    unit: str
    figures: tuple[str, ...]
    via: str | None = None


#: Every figure held in a unit the team writes: a percentage unit makes them fractions with the percent format.
UNIT_FIGURES: tuple[UnitFigures, ...] = (
    UnitFigures("kpis", "unit", ("baseline", "target", "actual", "variance", "baseline_to_date", "target_to_date",
                                 "actual_to_date", "projection")),
    UnitFigures("objectives", "unit", ("baseline", "target")),
    UnitFigures("review", "unit", ("target", "result")),
    UnitFigures("kpi_months", "unit", MONTH_KEYS + ("to_date",), via="kpi_id"),
)

#: Every table, in workbook order.
TABLES: tuple[Table, ...] = (SWOT, PESTEL, DIAGNOSTIC, REVIEW, OBJECTIVES, ACTIONS, BUDGET, BUDGET_MONTHS,
                             TRANSFERS, ACTION_RESULTS, KPIS, KPI_MONTHS)
SHEETS_BY_KEY: Mapping[str, Table] = MappingProxyType({s.key: s for s in TABLES})
#: The tables that carry an id and may be referenced.
ID_TABLES: tuple[Table, ...] = tuple(s for s in TABLES if s.id_column)

#: Worksheets in workbook order: (key, fr name, en name). Audit holds three tables.
WORKSHEETS: tuple[tuple[str, Label], ...] = (
    ("guide", L("Accueil", "Guide")),
    ("audit", SWOT.name),
    ("review", REVIEW.name),
    ("objectives", OBJECTIVES.name),
    ("actions", ACTIONS.name),
    ("budget", BUDGET.name),
    ("budget_months", BUDGET_MONTHS.name),
    ("transfers", TRANSFERS.name),
    ("action_results", ACTION_RESULTS.name),
    ("kpis", KPIS.name),
    ("kpi_months", KPI_MONTHS.name),
    ("dashboard", L("Tableau de bord", "Dashboard")),
)

#: Worksheets that only present what the tables hold (formulas, no input), so a reader need not find them:
#: (key, label, the key of the worksheet they follow).
VIEW_WORKSHEETS: tuple[tuple[str, Label, str], ...] = (
    ("summary", L("Synthèse", "Summary"), "guide"),
    ("swot_grid", L("Matrice SWOT", "SWOT matrix"), "audit"),
)


def workbook_sheets() -> tuple[tuple[str, Label], ...]:
    """Every visible worksheet in workbook order: :data:`WORKSHEETS` with the :data:`VIEW_WORKSHEETS` in place."""
    out = []
    for key, label in WORKSHEETS:
        out.append((key, label))
        out += [(view, view_label) for view, view_label, after in VIEW_WORKSHEETS if after == key]
    return tuple(out)


def tables_on(worksheet_key: str) -> tuple[Table, ...]:
    """The tables laid out on one worksheet, left to right."""
    return tuple(s for s in TABLES if s.worksheet == worksheet_key)


def worksheet_name(worksheet_key: str, lang: str) -> str:
    for key, label in workbook_sheets():
        if key == worksheet_key:
            return label(lang)
    raise KeyError(worksheet_key)


def _check_declaration() -> None:
    """Fail at import when the declaration contradicts itself."""
    for sheet in TABLES:
        keys = [c.key for c in sheet.columns]
        assert len(keys) == len(set(keys)), f"{sheet.key}: duplicate column keys"
        for lang in voc.LANGUAGES:
            headers = sheet.headers(lang)
            assert len(headers) == len(set(headers)), f"{sheet.key}: duplicate {lang} headers"
        for key in sheet.used_when:
            assert sheet.column(key).is_input, f"{sheet.key}.{key}: used_when names a computed column"
        if sheet.rows_for:
            assert any(c.ref == sheet.rows_for for c in sheet.columns), f"{sheet.key}: no column refers to {sheet.rows_for}"
        for col in sheet.columns:
            if col.ref:
                assert SHEETS_BY_KEY[col.ref].id_column, f"{sheet.key}.{col.key}: refers to a table without ids"
            if isinstance(col.computed, Metric):
                for source in col.computed.args.values():
                    assert source.startswith("=") or source in keys, f"{sheet.key}.{col.key}: unknown argument {source}"
            assert col.total in (None, "sum", "count"), f"{sheet.key}.{col.key}: unknown total {col.total}"
            if isinstance(col.computed, Rollup):
                other = SHEETS_BY_KEY[col.computed.table]
                other.column(col.computed.match)
                if col.computed.value:
                    other.column(col.computed.value)
    # Excel requires table names unique in the workbook.
    assert len({s.table for s in TABLES}) == len(TABLES)


_check_declaration()
