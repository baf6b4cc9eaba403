"""Controlled vocabularies of the plan: every dropdown list, declared once.

Each list has stable language-independent *codes* (what the validator, the
database and the Python API use) and a French and an English *label* (what the
user picks in the workbook). The workbook builder writes the labels of the
chosen language into the hidden lists sheet; the reader maps labels of either
language back to codes.

This module belongs to the domain core: it imports no Excel library.

Example:
    >>> VERDICT.label("abandon", "fr")
    'Abandonner'
    >>> VERDICT.code_of("Improve")
    'improve'
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Label:
    """A text in French and in English."""

    fr: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Case-, accent- and space-insensitive key used to match typed labels (memoised: the same few
    labels are folded for every row of every returned workbook)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


@dataclass(frozen=True)
class Choice:
    code: str
    label: Label


@dataclass(frozen=True)
class ChoiceList:
    """A named dropdown list."""

    key: str
    title: Label
    choices: tuple[Choice, ...]
    _index: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for c in self.choices:
            for text in (c.code, c.label.fr, c.label.en):
                index.setdefault(fold(text), c.code)
        object.__setattr__(self, "_index", index)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.choices)

    def labels(self, lang: str) -> list[str]:
        return [c.label(lang) for c in self.choices]

    def label(self, code: str, lang: str) -> str:
        for c in self.choices:
            if c.code == code:
                return c.label(lang)
        raise KeyError(f"{self.key}: unknown code {code!r}")

    def code_of(self, text: object) -> str | None:
        """The code whose label (in either language) or code matches *text*; None if none."""
        if text is None:
            return None
        return self._index.get(fold(str(text)))


def _list(key: str, fr: str, en: str, *items: tuple[str, str, str]) -> ChoiceList:
    return ChoiceList(key, Label(fr, en), tuple(Choice(code, Label(lfr, len_)) for code, lfr, len_ in items))


OBJECTIVE_FAMILY = _list(
    "objective_family", "Familles d'objectifs", "Objective families",
    ("activity", "Activité", "Activity"),
    ("communication", "Communication", "Communication"),
    ("customer", "Client", "Customer"),
)

CHANNEL = _list(
    "channel", "Canaux et outils", "Channels and tools",
    ("press", "Presse écrite", "Print press"),
    ("posters", "Affichage", "Posters and billboards"),
    ("tv_radio", "TV / radio", "TV / radio"),
    ("mobile", "Mobile / SMS", "Mobile / SMS"),
    ("website", "Site web", "Website"),
    ("search_ads", "Référencement payant", "Search ads"),
    ("seo", "Référencement naturel", "Search engine optimisation"),
    ("social", "Réseaux sociaux", "Social networks"),
    ("emailing", "E-mailing", "E-mailing"),
    ("events", "Événements / salons", "Events / trade fairs"),
    ("press_relations", "Relations presse", "Press relations"),
    ("direct_mail", "Courrier / prospectus", "Direct mail / flyers"),
    ("partnerships", "Partenariats", "Partnerships"),
    ("in_store", "Point de vente", "In store"),
)

DEPARTMENT = _list(
    "department", "Services", "Departments",
    ("marketing", "Marketing", "Marketing"),
    ("sales", "Commercial", "Sales"),
    ("communication", "Communication", "Communication"),
    ("digital", "Digital", "Digital"),
    ("customer_service", "Service client", "Customer service"),
    ("product", "Produit", "Product"),
    ("management", "Direction", "Management"),
    ("agency", "Prestataire externe", "External agency"),
)

ACTION_STATUS = _list(
    "action_status", "Statuts d'action", "Action statuses",
    ("planned", "Prévue", "Planned"),
    ("in_progress", "En cours", "In progress"),
    ("done", "Terminée", "Done"),
    ("postponed", "Reportée", "Postponed"),
    ("cancelled", "Annulée", "Cancelled"),
)

VERDICT = _list(
    "verdict", "Décisions du bilan", "Review verdicts",
    ("keep", "Reconduire", "Keep"),
    ("improve", "Améliorer", "Improve"),
    ("abandon", "Abandonner", "Abandon"),
)

EXPENSE_ITEM = _list(
    "expense_item", "Postes de dépense", "Expense items",
    ("media", "Achat d'espace", "Media buying"),
    ("creative", "Création / agence", "Creative / agency"),
    ("printing", "Impression", "Printing"),
    ("digital_ads", "Publicité en ligne", "Online advertising"),
    ("events", "Événementiel", "Events"),
    ("tools", "Outils et logiciels", "Tools and software"),
    ("content", "Contenus", "Content"),
    ("studies", "Études", "Market research"),
    ("promotions", "Promotions / remises", "Promotions / discounts"),
    ("staff", "Personnel / freelances", "Staff / freelancers"),
    ("other", "Autre", "Other"),
)

KPI_TYPE = _list(
    "kpi_type", "Types d'indicateur", "Indicator types",
    ("financial", "Financier", "Financial"),
    ("performance", "Performance", "Performance"),
)

DIRECTION = _list(
    "direction", "Sens de lecture", "Direction",
    ("higher", "Plus haut = mieux", "Higher is better"),
    ("lower", "Plus bas = mieux", "Lower is better"),
)

KPI_STATUS = _list(
    "kpi_status", "Statuts d'indicateur", "Indicator statuses",
    ("on_track", "En bonne voie", "On track"),
    ("at_risk", "À surveiller", "At risk"),
    ("off_track", "En retard", "Off track"),
)

SWOT_QUADRANT = _list(
    "swot", "SWOT", "SWOT",
    ("strength", "Force", "Strength"),
    ("weakness", "Faiblesse", "Weakness"),
    ("opportunity", "Opportunité", "Opportunity"),
    ("threat", "Menace", "Threat"),
)

PESTEL_FACTOR = _list(
    "pestel", "PESTEL", "PESTEL",
    ("political", "Politique", "Political"),
    ("economic", "Économique", "Economic"),
    ("social", "Socioculturel", "Social"),
    ("technological", "Technologique", "Technological"),
    ("ecological", "Écologique", "Ecological"),
    ("legal", "Légal", "Legal"),
)

DIAGNOSTIC_TOPIC = _list(
    "diagnostic", "Thèmes du diagnostic", "Diagnostic topics",
    ("market", "Marché", "Market"),
    ("competition", "Concurrence", "Competition"),
    ("offer", "Produits / services", "Products / services"),
    ("audience", "Cible", "Target audience"),
    ("price", "Stratégie de prix", "Price strategy"),
    ("promotion", "Communication / promotion", "Communication / promotion"),
    ("distribution", "Distribution", "Distribution"),
    ("mix_product", "Mix : produit", "Mix: product"),
    ("mix_price", "Mix : prix", "Mix: price"),
    ("mix_place", "Mix : distribution", "Mix: place"),
    ("mix_promotion", "Mix : communication", "Mix: promotion"),
    ("mix_people", "Mix : personnel", "Mix: people"),
    ("mix_process", "Mix : processus", "Mix: process"),
    ("mix_physical", "Mix : preuve physique", "Mix: physical evidence"),
    ("c_company", "5C : entreprise", "5C: company"),
    ("c_customers", "5C : clients", "5C: customers"),
    ("c_competitors", "5C : concurrents", "5C: competitors"),
    ("c_collaborators", "5C : partenaires", "5C: collaborators"),
    ("c_context", "5C : contexte", "5C: context"),
)

#: What a row of the monthly budget holds: the planned phasing of a budget line, or its actuals by month.
BUDGET_SERIES = _list(
    "budget_series", "Séries du budget mensuel", "Monthly budget series",
    ("planned", "Prévu", "Planned"),
    ("actual", "Réel", "Actual"),
)

#: What a row of the monthly KPIs holds: monthly targets (the trajectory typed by hand), or the values measured.
KPI_SERIES = _list(
    "kpi_series", "Séries des KPI mensuels", "Monthly KPI series",
    ("target", "Cible", "Target"),
    ("actual", "Réalisé", "Actual"),
)

#: How a KPI's values add up over the year: a running total since January (revenue, orders), or a level measured
#: at each month's end (followers, a rate, a price); it decides the KPI's target and baseline to date.
KPI_NATURE = _list(
    "kpi_nature", "Natures d'indicateur", "Indicator kinds",
    ("level", "Niveau", "Level"),
    ("cumulative", "Cumul annuel", "Year to date"),
)

#: Which metric of an exported report (analytics, ad platforms, CRM) feeds a KPI's months (``mplan-xl results``).
KPI_SOURCE = _list(
    "kpi_source", "Métriques des exports", "Export metrics",
    ("sessions", "Sessions", "Sessions"),
    ("conversions", "Conversions", "Conversions"),
    ("revenue", "Chiffre d'affaires", "Revenue"),
    ("cost", "Coût", "Cost"),
    ("clicks", "Clics", "Clicks"),
    ("impressions", "Impressions", "Impressions"),
    ("cpa", "Coût par acquisition", "Cost per acquisition"),
    ("conversion_rate", "Taux de conversion", "Conversion rate"),
)

ALL_LISTS: tuple[ChoiceList, ...] = (
    OBJECTIVE_FAMILY, CHANNEL, DEPARTMENT, ACTION_STATUS, VERDICT, EXPENSE_ITEM,
    KPI_TYPE, DIRECTION, KPI_STATUS, SWOT_QUADRANT, PESTEL_FACTOR, DIAGNOSTIC_TOPIC,
    BUDGET_SERIES, KPI_SERIES, KPI_NATURE, KPI_SOURCE,
)
LISTS_BY_KEY = {lst.key: lst for lst in ALL_LISTS}
