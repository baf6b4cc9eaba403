"""The portfolio workbook of ``mplan-xl consolidate``: finance's view across teams.

Written with XlsxWriter from the consolidation database (every plan loaded so
far, not only the last run), one sheet per view, each with native Excel
charts where a chart helps:

===========================  ====================================================================
sheet (fr / en)              content
===========================  ====================================================================
Synthèse / Overview          the plans to review first (by trust score, lowest first, with its
                             signals), then one row per plan: team, year, trust score, status
                             (submitted, approved, modified after approval), warnings, envelope,
                             objectives, actions, KPIs, approval, loaded on, file, template
                             version, currency
Budget par équipe / by team  planned, committed, actual, variance, variance % per plan; chart
Budget par poste / by item   the same per expense item, all plans together; chart
KPI par équipe / by team     KPIs, KPIs measured, mean attainment, KPIs on track / at risk /
                             off track per plan; two charts
Résultats / Results by team  expected gain and ROI beside achieved gain and ROI per plan (the
                             achieved side over the actions measured); chart
Plus gros écarts / Largest   the 25 budget lines furthest from plan (|actual − planned|)
Objectifs non SMART          objectives whose SMART check fails: of loaded plans, and those
                             reported by check in skipped files
Fichiers écartés / Skipped   every finding of the invalid and unreadable files (by name, their folder named once)
===========================  ====================================================================

Variances are live formulas rendered by :func:`mplan_xl.core.formulas.render`
(the same native formulas as the plan workbook, positive = overspent) and
totals are ``SUM`` formulas; their cached values are computed in Python by
the metrics core, so the file shows the right figures before any
recalculation and LibreOffice recalculates it to the same values. Mean
attainment is the plain mean of the attainments that can be computed.
Amounts of different currencies are never added up: each amount shows its
row's currency and the total rows are one per currency (``SUMIF``), unless every
plan has a rate to one reporting currency (``consolidate --currency EUR --rates
FILE``): amounts are then converted, the Overview keeping each plan's original
currency, envelope and rate. Nor are they drawn on one axis: the amount charts show the plans of the main
currency (:attr:`Money.main`), named in their titles. The Overview shows each plan's trust score and
approval (who, how many actions) under *Review first*, the plans by trust
score, lowest first, with its signals; *Approvals* the status of each action.
Every sheet prints one page wide, its charts below or beside its table and
never cut by a page; three plans print on six A4 pages.

Example:
    >>> from mplan_xl.portfolio.consolidate import connect                                 # doctest: +SKIP
    >>> write_portfolio(connect("plans.duckdb"), "portfolio.xlsx", "en")          # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
import math
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..check.report import common_folder, in_folder, shown_path
from ..core import formulas, metrics
from ..core.a1 import cell_name
from ..core.atomic import atomic_output
from ..core.computed import evaluate_metric
from ..core.plan import CURRENCIES
from ..core.schema import Kind
from ..core.vocabulary import EXPENSE_ITEM, Label
from ..read.inputs import OUTPUT_PROPERTY
from ..workbook import xlsx_writer
from ..workbook.conditional import TRAFFIC
from ..workbook.layout import LINE_HEIGHT, SAFETY, apply_print_setup, fit_width, printable_area, text_lines
from ..workbook.styles import (ATTAINMENT_COLOUR, BAD, BORDER_COLOR, BUDGET_COLOURS, GAIN_COLOURS, GOOD, NEUTRAL, Styles,
                               date_format, money_format, number_format, percent_format)
from .database import STATUS_SQL, Database

#: Budget lines listed on the Largest variances sheet.
LARGEST = 25

T = {
    "title": Label("Portefeuille des plans marketing", "Marketing plan portfolio"),
    "generated": Label("Généré le {date} depuis {db}", "Generated on {date} from {db}"),
    "counts": Label("{plans} plan(s) de {teams} équipe(s) ; {skipped} fichier(s) écarté(s)",
                    "{plans} plan(s) from {teams} team(s); {skipped} file(s) skipped"),
    "currencies": Label("Attention : plusieurs devises ({currencies}) ; les montants sont additionnés tels quels.",
                        "Warning: several currencies ({currencies}); amounts are added up as they are."),
    "variance_note": Label("Écart = réel − prévisionnel : positif quand la dépense dépasse le prévu.",
                           "Variance = actual − planned: positive when spend exceeds the plan."),
    "empty": Label("Aucune donnée.", "No data."),
    "total": Label("Total", "Total"),
    # sheets
    "s_overview": Label("Synthèse", "Overview"),
    "s_team": Label("Budget par équipe", "Budget by team"),
    "s_item": Label("Budget par poste", "Budget by item"),
    "s_kpi": Label("KPI par équipe", "KPIs by team"),
    "s_results": Label("Résultats par équipe", "Results by team"),
    "t_results": Label("Gain et ROI par équipe : attendu → obtenu", "Gain and ROI by team: expected → achieved"),
    "results_note": Label("Le réalisé ne compte que les actions mesurées (gain obtenu saisi ou importé), avec leur "
                          "dépense réelle : une action sans résultat ne pèse ni sur le gain ni sur le coût.",
                          "The achieved side counts only the actions measured (achieved gain typed or imported), with "
                          "their actual spend: an action without results weighs on neither the gain nor the cost."),
    "expected_gain": Label("Gain attendu", "Expected gain"),
    "expected_cost": Label("Budget des actions chiffrées", "Budget of the actions with a gain"),
    "expected_roi": Label("ROI attendu", "Expected ROI"),
    "achieved_gain": Label("Gain obtenu", "Achieved gain"),
    "achieved_cost": Label("Dépense réelle des actions mesurées", "Actual spend of the actions measured"),
    "achieved_roi": Label("ROI réalisé", "Achieved ROI"),
    "s_variances": Label("Plus gros écarts", "Largest variances"),
    "s_smart": Label("Objectifs non SMART", "Objectives not SMART"),
    "s_skipped": Label("Fichiers écartés", "Skipped files"),
    # sheet titles
    "t_team": Label("Budget prévisionnel, engagé et réel par équipe", "Planned, committed and actual budget by team"),
    "t_item": Label("Budget prévisionnel, engagé et réel par poste", "Planned, committed and actual budget by expense item"),
    "t_kpi": Label("Atteinte des KPI par équipe", "KPI attainment by team"),
    "t_kpi_status": Label("Statut des KPI par équipe", "KPI status by team"),
    "t_variances": Label("Les {n} lignes de budget les plus éloignées du prévisionnel",
                         "The {n} budget lines furthest from plan"),
    "t_smart": Label("Objectifs dont le contrôle SMART échoue", "Objectives failing the SMART check"),
    "t_skipped": Label("Fichiers écartés et leurs constats", "Skipped files and their findings"),
    "folder": Label("Fichiers du dossier {folder}", "Files in the folder {folder}"),
    # headers
    "plan": Label("Plan", "Plan"),
    "company": Label("Équipe / entreprise", "Team / company"),
    "year": Label("Année", "Year"),
    "file": Label("Fichier", "File"),
    "version": Label("Version du modèle", "Template version"),
    "currency": Label("Devise", "Currency"),
    "envelope": Label("Enveloppe", "Envelope"),
    "objectives": Label("Objectifs", "Objectives"),
    "actions": Label("Actions", "Actions"),
    "kpis": Label("KPI", "KPIs"),
    "warnings": Label("Avertissements", "Warnings"),
    "loaded_at": Label("Chargé le", "Loaded on"),
    "planned": Label("Prévisionnel", "Planned"),
    "committed": Label("Engagé", "Committed"),
    "actual": Label("Réel", "Actual"),
    "variance": Label("Écart", "Variance"),
    "as_of": Label("Situation au", "Situation at"),
    "planned_to_date": Label("Prévu à date", "Planned to date"),
    "actual_to_date": Label("Réel à date", "Actual to date"),
    "variance_to_date": Label("Écart à date", "Variance to date"),
    "variance_pct": Label("Écart en %", "Variance in %"),
    "landing": Label("Atterrissage", "Landing"),
    "over_plan": Label("Lignes au-delà du prévu", "Lines above plan"),
    "item": Label("Poste", "Expense item"),
    "measured": Label("KPI mesurés", "KPIs measured"),
    "attainment": Label("Atteinte moyenne", "Mean attainment"),
    "on_track": Label("En bonne voie", "On track"),
    "at_risk": Label("À surveiller", "At risk"),
    "off_track": Label("En retard", "Off track"),
    "line": Label("Ligne", "Line"),
    "action_id": Label("Action", "Action"),
    "action": Label("Intitulé de l'action", "Action title"),
    "objective": Label("Objectif", "Objective"),
    "statement": Label("Énoncé", "Statement"),
    "smart": Label("Contrôle SMART", "SMART check"),
    "source": Label("Source", "Source"),
    "src_loaded": Label("plan chargé", "loaded plan"),
    "src_skipped": Label("fichier écarté", "skipped file"),
    "status": Label("Statut", "Status"),
    "severity": Label("Gravité", "Severity"),
    "code": Label("Règle", "Rule"),
    "sheet": Label("Feuille", "Sheet"),
    "cell": Label("Cellule", "Cell"),
    "row_id": Label("ID ligne", "Row id"),
    "message": Label("Message", "Message"),
    "hint": Label("Conseil", "Hint"),
    "valid": Label("valide", "valid"),
    "invalid": Label("invalide", "invalid"),
    "unreadable": Label("illisible", "unreadable"),
    "submitted": Label("soumis", "submitted"),
    "approved": Label("approuvé", "approved"),
    "modified_after_approval": Label("modifié après approbation", "modified after approval"),
    "error": Label("erreur", "error"),
    # currencies, approvals, trust (issue 23)
    "currencies_apart": Label("Plusieurs devises ({currencies}) : les montants ne sont jamais additionnés entre devises ; "
                              "un total par devise.",
                              "Several currencies ({currencies}): amounts are never added across currencies; "
                              "one total per currency."),
    "converted": Label("Montants convertis en {reporting} aux taux de {source} ({dates}) ; montant et devise "
                       "d'origine à côté.",
                       "Amounts converted to {reporting} at the rates of {source} ({dates}); original amount and "
                       "currency beside them."),
    "total_in": Label("Total {currency}", "Total {currency}"),
    "chart_currency": Label("Graphique : les plans en {main}, devise principale (celle du plus de plans, l'euro à égalité) ; "
                            "ceux en {others}, au tableau seul (--rates FICHIER les convertit).",
                            "Chart: the plans in {main}, the main currency (that of most plans, the euro among equals); "
                            "those in {others}, in the table only (--rates FILE converts them)."),
    "original_currency": Label("Devise d'origine", "Original currency"),
    "original_envelope": Label("Enveloppe d'origine", "Original envelope"),
    "reporting_rate": Label("Taux de conversion", "Conversion rate"),
    "trust_score": Label("Indice de confiance", "Trust score"),
    "approved_by": Label("Approuvé par", "Approved by"),
    "approval_comment": Label("Commentaire d'approbation", "Approval comment"),
    "actions_approved": Label("Actions approuvées", "Actions approved"),
    "partly_approved": Label("approuvé en partie", "partly approved"),
    "pending": Label("en attente", "pending"),
    "t_review": Label("À revoir d'abord : les plans par indice de confiance, le plus bas d'abord (formule : "
                      "docs/data-dictionary.md)",
                      "Review first: the plans by trust score, lowest first (formula: docs/data-dictionary.md)"),
    "t_plans": Label("Les plans chargés", "The plans loaded"),
    "errors": Label("Erreurs", "Errors"),
    "outside_tables": Label("Valeurs hors tableaux", "Values outside tables"),
    "formulas_lost": Label("Formules perdues", "Formulas lost"),
    "over_envelope": Label("Au-delà de l'enveloppe", "Over the envelope"),
    "s_approvals": Label("Approbations", "Approvals"),
    "t_approvals": Label("Approbation de chaque action", "Approval of each action"),
    "approved_at": Label("Approuvé le", "Approved on"),
    "comment": Label("Commentaire", "Comment"),
    "warning": Label("avertissement", "warning"),
}

# --- the views, as SQL on the consolidation database -----------------------------------------------------

VIEWS_SQL: Mapping[str, str] = {
    "overview": f"""
        SELECT p.company, p.year, p.file_name, p.template_version, p.currency, p.envelope,
               (SELECT count(*) FROM objectives o WHERE o.company = p.company AND o.year = p.year) AS objectives,
               (SELECT count(*) FROM actions a WHERE a.company = p.company AND a.year = p.year) AS actions,
               (SELECT count(*) FROM kpis k WHERE k.company = p.company AND k.year = p.year) AS kpis,
               p.warnings, p.loaded_at, s.status,
               p.reporting_currency, p.reporting_rate, p.rate_date, t.trust_score, ap.approved_by,
               ap.comment AS approval_comment,
               (SELECT count(*) FROM action_approvals x WHERE lower(x.company) = lower(p.company) AND x.year = p.year
                    AND x.status = 'approved') AS approved_actions
        FROM plans p JOIN ({STATUS_SQL}) s ON s.company = p.company AND s.year = p.year
        LEFT JOIN plan_trust t ON t.company = p.company AND t.year = p.year
        LEFT JOIN approvals ap ON lower(ap.company) = lower(p.company) AND ap.year = p.year
        ORDER BY p.company, p.year""",
    "budget_by_team": """
        SELECT p.company || ' ' || p.year AS plan, p.company, p.year,
               coalesce(sum(b.planned), 0) AS planned, coalesce(sum(b.committed), 0) AS committed,
               coalesce(sum(b.actual), 0) AS actual, p.as_of,
               coalesce(sum(b.planned_to_date), 0) AS planned_to_date, coalesce(sum(b.actual_to_date), 0) AS actual_to_date,
               coalesce(sum(b.landing), 0) AS landing, p.envelope,
               count(*) FILTER (WHERE b.landing_variance > 0.005) AS over_plan, p.currency, p.reporting_rate
        FROM plans p LEFT JOIN budget_lines b ON b.company = p.company AND b.year = p.year
        GROUP BY p.company, p.year, p.as_of, p.envelope, p.currency, p.reporting_rate ORDER BY p.company, p.year""",
    "budget_by_item": """
        SELECT b.item, coalesce(sum(b.planned), 0) AS planned, coalesce(sum(b.committed), 0) AS committed,
               coalesce(sum(b.actual), 0) AS actual, p.currency, p.reporting_rate
        FROM budget_lines b JOIN plans p ON p.company = b.company AND p.year = b.year
        GROUP BY b.item, p.currency, p.reporting_rate""",
    "kpi_by_team": """
        SELECT p.company || ' ' || p.year AS plan, p.company, p.year, count(k.id) AS kpis,
               count(k.attainment) AS measured, avg(k.attainment) AS attainment,
               count(*) FILTER (WHERE k.status = 'on_track') AS on_track,
               count(*) FILTER (WHERE k.status = 'at_risk') AS at_risk,
               count(*) FILTER (WHERE k.status = 'off_track') AS off_track
        FROM plans p LEFT JOIN kpis k ON k.company = p.company AND k.year = p.year
        GROUP BY p.company, p.year ORDER BY p.company, p.year""",
    "results_by_team": """
        SELECT p.company || ' ' || p.year AS plan, p.company, p.year,
               a.expected_gain, a.budget, a.achieved_gain, a.actual_spend, p.currency, p.reporting_rate
        FROM plans p LEFT JOIN actions a ON a.company = p.company AND a.year = p.year
        ORDER BY p.company, p.year""",
    "largest_variances": f"""
        SELECT b.company, b.year, b.id AS line, b.action_id, a.title AS action, b.item, b.planned, b.actual,
               p.currency, p.reporting_rate
        FROM budget_lines b JOIN plans p ON p.company = b.company AND p.year = b.year
        LEFT JOIN actions a ON a.company = b.company AND a.year = b.year AND lower(a.id) = lower(b.action_id)
        WHERE b.variance IS NOT NULL AND b.variance <> 0
        ORDER BY abs(b.variance * coalesce(p.reporting_rate, 1)) DESC, b.company, b.year, b.id LIMIT {LARGEST}""",
    "not_smart": """
        SELECT 'loaded' AS source, company, year, id AS objective, statement, smart, NULL AS file, NULL AS cell
        FROM objectives WHERE smart_ok = false
        UNION ALL
        SELECT 'skipped', company, year, row_id, NULL, message, path, cell
        FROM findings WHERE code = 'objective-not-smart' AND status <> 'valid'
        ORDER BY 1, 2, 3, 4""",
    "skipped": """
        SELECT path, status, severity, code, sheet, cell, row_id, message, hint
        FROM findings WHERE status <> 'valid' ORDER BY path, severity, sheet, cell""",
    "review": """
        SELECT t.company, t.year, t.trust_score, t.errors, t.warnings, t.outside_tables, t.formulas_lost,
               t.modified_after_approval, t.over_envelope
        FROM plan_trust t ORDER BY t.trust_score, t.company, t.year""",
    "approvals": """
        SELECT x.company, x.year, x.action_id, a.title AS action, x.status, x.approved_by, x.approved_at, x.comment
        FROM action_approvals x
        JOIN plans p ON lower(p.company) = lower(x.company) AND p.year = x.year
        LEFT JOIN actions a ON a.company = p.company AND a.year = p.year AND lower(a.id) = lower(x.action_id)
        ORDER BY x.company, x.year, x.action_id""",
}


def views(con: Any, lang: str = "fr") -> dict[str, Any]:
    """The portfolio's views as pandas DataFrames (expense items labelled in *lang*, in list order).

    Example:
        >>> from mplan_xl.portfolio.consolidate import connect                       # doctest: +SKIP
        >>> views(connect("plans.duckdb", read_only=True))["budget_by_team"]   # doctest: +SKIP
    """
    frames = {name: con.frame(sql) for name, sql in VIEWS_SQL.items()}
    money = _money(con)
    _convert(frames, money)
    frames["overview"]["status"] = frames["overview"]["status"].map(lambda c: T[c](lang))
    frames["approvals"]["status"] = frames["approvals"]["status"].map(lambda c: T[c](lang) if c in T else c)
    items = frames["budget_by_item"]
    order = {code: i for i, code in enumerate(EXPENSE_ITEM.codes)}
    items["order"] = items["item"].map(lambda c: order.get(c, len(order)))
    items["item"] = items["item"].map(lambda c: EXPENSE_ITEM.label(c, lang) if c in order else c)
    frames["budget_by_item"] = _main_first(items.sort_values(["order", "item", "currency"]).drop(columns="order")
                                           .reset_index(drop=True), money)
    for name in ("largest_variances",):
        frames[name]["item"] = frames[name]["item"].map(lambda c: EXPENSE_ITEM.label(c, lang) if c in order else c)
    smart = frames["not_smart"]
    smart["source"] = smart["source"].map(lambda s: T["src_loaded" if s == "loaded" else "src_skipped"](lang))
    skipped = frames["skipped"]
    for column in ("status", "severity"):
        skipped[column] = skipped[column].map(lambda c: T[c](lang) if c in T else c)
    frames["results_by_team"] = _main_first(_results_by_team(frames["results_by_team"]), money)
    frames["budget_by_team"] = _main_first(frames["budget_by_team"], money)
    frames["currencies"] = [money.reporting] if money.reporting else money.currencies
    frames["money"] = money
    return frames


def _results_by_team(actions: Any) -> Any:
    """Each plan's expected and achieved gain with the cost their ROI divides by (:func:`metrics.gain_and_cost`),
    from its actions' rows."""
    import pandas as pd

    out = []
    for (plan, company, year, currency), group in actions.groupby(["plan", "company", "year", "currency"], sort=False,
                                                                  dropna=False):
        records = [{k: _plain(v) for k, v in r.items()} for r in group.to_dict("records")]
        row: dict[str, Any] = {"plan": plan, "company": company, "year": year, "currency": currency}
        for side, cost in (("expected", "budget"), ("achieved", "actual_spend")):
            row[f"{side}_gain"], row[f"{side}_cost"] = metrics.gain_and_cost(
                (r.get(f"{side}_gain"), r.get(cost)) for r in records)
        out.append(row)
    return pd.DataFrame(out, columns=["plan", "company", "year", "expected_gain", "expected_cost", "achieved_gain",
                                      "achieved_cost", "currency"])


@dataclass(frozen=True)
class Money:
    """The currencies of the stored plans, and the reporting currency when every plan has a rate to the same one."""

    currencies: list[str]
    reporting: str | None = None
    source: str | None = None
    dates: str = ""
    #: The currency of the amount charts: the reporting one, else the currency of most plans (EUR, the reporting
    #: currency by default, among equals, then the first by code). A value axis holds one currency.
    main: str | None = None

    @property
    def others(self) -> list[str]:
        """The currencies whose amounts no chart shows (none when amounts are converted)."""
        return [] if self.reporting else [c for c in self.currencies if c != self.main]


def _money(con: Any) -> Money:
    rows = con.rows("SELECT DISTINCT currency, reporting_currency, reporting_rate IS NOT NULL FROM plans")
    currencies = sorted({c for c, _, _ in rows if c})
    targets = {r for _, r, _ in rows}
    if not rows or len(targets) != 1 or not all(ok for _, _, ok in rows):
        plans = dict(con.rows("SELECT currency, count(*) FROM plans WHERE currency IS NOT NULL GROUP BY currency"))
        main = min(plans, key=lambda c: (-plans[c], c != "EUR", c)) if plans else None
        return Money(currencies, main=main)
    (reporting,) = targets
    found = con.rows("SELECT DISTINCT source, rate_date FROM rates WHERE reporting_currency = ? ORDER BY 2", [reporting])
    sources = sorted({Path(str(source)).name for source, _ in found if source})
    dates = sorted({day.isoformat() for _, day in found if day is not None})
    return Money(currencies, reporting, ", ".join(sources) or None, " – ".join(dict.fromkeys((dates[0], dates[-1])))
                 if dates else "", reporting)


#: The amounts of each view that a reporting rate converts.
_MONEY = {"budget_by_team": ("planned", "committed", "actual", "planned_to_date", "actual_to_date", "landing", "envelope"),
          "budget_by_item": ("planned", "committed", "actual"), "largest_variances": ("planned", "actual"),
          "results_by_team": ("expected_gain", "budget", "achieved_gain", "actual_spend")}


def _convert(frames: dict[str, Any], money: Money) -> None:
    """Amounts in the reporting currency when there is one (the original amount and currency kept on the
    Overview); otherwise each amount stays in its plan's currency, which its row shows."""
    overview = frames["overview"]
    if money.reporting:
        overview["original_currency"], overview["original_envelope"] = overview["currency"], overview["envelope"]
        overview["envelope"] = overview["envelope"] * overview["reporting_rate"]
        overview["currency"] = money.reporting
    for name, columns in _MONEY.items():
        frame = frames[name]
        if money.reporting:
            for column in columns:
                frame[column] = frame[column] * frame["reporting_rate"]
            frame["currency"] = money.reporting
        frames[name] = frame.drop(columns="reporting_rate")
    items = frames["budget_by_item"]
    frames["budget_by_item"] = items.groupby(["item", "currency"], as_index=False, dropna=False)[
        list(_MONEY["budget_by_item"])].sum()


def _main_first(frame: Any, money: Money) -> Any:
    """*frame* with the rows in the main currency first, then each other currency's (in their order otherwise):
    an amount chart spans the first block (:meth:`_Writer.charted`), each total row its own."""
    if not money.others:
        return frame
    rank = {c: i for i, c in enumerate([money.main, *money.others])}
    return frame.sort_values("currency", key=lambda c: c.map(lambda v: rank.get(v, len(rank))),
                             kind="stable").reset_index(drop=True)


# --- laying out a grid ---------------------------------------------------------------------------------------

#: Height (points) of a table's header row.
HEADER_PT = 30


@dataclass(frozen=True)
class Col:
    """One column of a grid: a field of the view, or a metric computed from other columns by formula."""

    key: str
    kind: Kind = Kind.TEXT
    width: float = 14
    total: bool = False                      # SUM on the total row
    metric: tuple[str, Mapping[str, str]] | None = None   # (metrics function, {parameter: column key})
    time: bool = False                       # a date shown with its time of day
    currency: str = "currency"               # an amount: the column naming its currency (its row's)


def _plain(value: Any) -> Any:
    """A pandas value as a plain Python value (None for NA)."""
    try:
        import pandas as pd

        if value is None or (not isinstance(value, (str, bytes)) and pd.isna(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _fit(cols: Sequence[Col], frame: Any, lang: str) -> tuple[Col, ...]:
    """*cols* with each text column as wide as its longest text (its declared width the most, wider texts wrap)
    and its header on two lines at most: a portfolio of short names prints larger. An amount column is wide
    enough for its longest amount and currency, its totals' too (never ``###``); other numbers keep their width."""
    out = []
    for col in cols:
        if col.key in frame and col.kind is Kind.MONEY and len(frame):
            currencies = frame[col.currency] if col.currency in frame else [None] * len(frame)
            amounts: dict[Any, list[float]] = {}
            for value, currency in zip(frame[col.key], currencies):
                if _plain(value) is not None:
                    amounts.setdefault(_plain(currency), []).append(float(value))
            longest = max((len(f"{v:,.2f}") + 1 + len(CURRENCIES.get(str(c), str(c or "€")))
                           for c, values in amounts.items() for v in [*values, sum(values)]), default=0)
            col = replace(col, width=max(col.width, longest + 2))
        elif col.key and col.kind in (Kind.TEXT, Kind.LONG_TEXT):
            header = T[col.key](lang)
            least = math.ceil(max(max(map(len, header.split())), len(header) / 2) / 1.22) + 2
            texts = [str(v) for v in frame[col.key] if v is not None and str(v) != "nan"] if col.key in frame else []
            col = replace(col, width=fit_width([*texts, T["total_in"](lang).format(currency="EUR")],
                                               min(least, col.width), col.width))
        out.append(col)
    return tuple(out)


@dataclass
class _Writer:
    wb: Any
    lang: str
    symbol: str | None
    styles: Styles
    generated: str = ""
    _formats: dict[tuple, Any] = field(default_factory=dict)
    headers: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Sheet name -> the total rows under its table (one per currency when the plans' currencies differ).
    total_rows: dict[str, int] = field(default_factory=dict)
    #: The portfolio's currencies: the amount charts show its main one.
    money: Money = field(default_factory=lambda: Money([]))

    def fmt(self, kind: Kind, bold: bool = False, time: bool = False, currency: str | None = None) -> Any:
        """The format of a cell of *kind*; an amount in its *currency* (its row's), else in the portfolio's one
        currency."""
        symbol = None
        if kind is Kind.MONEY:
            symbol = CURRENCIES.get(str(currency).upper(), str(currency)) if currency else self.symbol
        key = (kind, bold, time, symbol)
        if key not in self._formats:
            props: dict[str, Any] = {"border": 1, "border_color": BORDER_COLOR, "valign": "top", "bold": bold}
            if kind is Kind.MONEY:
                props["num_format"] = number_format(Kind.MONEY, self.lang, symbol) if symbol else "#,##0.00"
            elif kind is Kind.DATE:
                props["num_format"] = date_format(self.lang) + (" hh:mm" if time else "")
            elif kind in (Kind.LONG_TEXT, Kind.TEXT):
                props.update({"text_wrap": True, "align": "left", "indent": 1})   # apart from a figure on its left
            elif kind in (Kind.PERCENT, Kind.INTEGER, Kind.DECIMAL):
                props["num_format"] = number_format(kind, self.lang, "")
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def sheet(self, key: str, title: str, notes: Sequence[str] = ()) -> Any:
        ws = self.wb.add_worksheet(T[key](self.lang)[:31])
        self.headers[ws.name] = (f'&L&"-,Bold"{T["title"](self.lang)}&R&A', f"&L{self.generated}&RPage &P / &N")
        ws.write_string(0, 0, title, self.styles.title)
        note_format = self.wb.add_format({"italic": True, "font_color": "#595959"}) if notes else None
        for i, note in enumerate(notes, 1):
            ws.write_string(i, 0, note, note_format)
        return ws

    def grid(self, ws: Any, top: int, cols: Sequence[Col], frame: Any, total: bool = False,
             charts: Sequence[float] = (), beside: tuple[float, float] = (0, 0)) -> tuple[int, int]:
        """The sheet's one table (:meth:`table`) on row *top*, filtered, frozen under its header and set up for
        print; returns (first, last) data rows. *charts*: the heights (points) of the charts that go under the
        table, side by side (see :meth:`chart_row`): no page cuts them; *beside*: the width (characters) and
        height (points) of a chart right of the table, from its first record's row, one narrow column apart. A view
        without records prints nothing: its sheet is hidden."""
        cols = _fit(cols, frame, self.lang)
        if beside[0]:
            cols = [*cols, Col("", width=2), Col("", width=beside[0])]
        for j, col in enumerate(cols):
            ws.set_column(j, j, col.width)
        first, last, heights = self.table(ws, top, cols, frame, total)
        if last < first:
            self.print_setup(ws, [c.width for c in cols], heights, top)
            if ws.name != T["s_overview"](self.lang):
                # Nothing to print: the sheet is hidden (Excel prints no hidden sheet) and its print range is
                # one blank cell (LibreOffice prints hidden sheets, never an empty page).
                ws.hide()
                ws.print_area(first + 2, 0, first + 2, 0)
            return first, last
        ws.freeze_panes(top + 1, 0)
        ws.autofilter(top, 0, last, len([c for c in cols if c.key]) - 1)
        blocks = [(self.chart_row(ws, last), max(charts))] if charts else []
        while sum(heights[1:]) < beside[1]:   # the rows the chart beside the table (from its first record) spans print too
            heights.append(LINE_HEIGHT)
        self.print_setup(ws, [c.width for c in cols], heights, top, blocks)
        return first, last

    def table(self, ws: Any, top: int, cols: Sequence[Col], frame: Any, total: bool = False) -> tuple[int, int, list[float]]:
        """Headers on row *top*, one row per record of *frame*, an optional total row (one per currency when the
        records' currencies differ); returns the (first, last) data rows and the heights (points) of its rows,
        header first. Rows are as tall as their wrapped texts (numbers never wrap). Without records, one row
        says so (last < first)."""
        position = {c.key: j for j, c in enumerate(cols)}
        header = self.styles.header(required=False, computed=False)
        ws.set_row(top, HEADER_PT)
        table = [c for c in cols if c.key]
        for j, col in enumerate(table):
            label = T[col.key](self.lang)
            ws.write_string(top, j, label[:1].upper() + label[1:], header)   # "Modifié après approbation"
        records = [{k: _plain(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
        first = top + 1
        if not records:
            ws.write_string(first, 0, T["empty"](self.lang), self.styles.guidance)
            return first, first - 1, [HEADER_PT, LINE_HEIGHT]
        for i, record in enumerate(records):
            self._row(ws, first + i, table, position, record)
        last = first + len(records) - 1
        currencies = sorted({str(r["currency"]) for r in records if r.get("currency")}) if "currency" in position else []
        total_rows = (len(currencies) if len(currencies) > 1 else 1) if total else 0
        if total and len(currencies) > 1:   # amounts of different currencies are never added: one total each
            for k, currency in enumerate(currencies):
                chosen = [r for r in records if r.get("currency") == currency]
                sums = {c.key: sum(r.get(c.key) or 0 for r in chosen) for c in table if c.total}
                self._row(ws, last + 1 + k, table, position, {table[0].key: T["total_in"](self.lang).format(
                    currency=currency), "currency": currency, **sums}, bold=True, sum_rows=(first, last),
                    sum_if=(position["currency"], currency))
        elif total:
            sums = {c.key: sum(r.get(c.key) or 0 for r in records) for c in table if c.total}
            self._row(ws, last + 1, table, position, {table[0].key: T["total"](self.lang), **sums}, bold=True,
                      sum_rows=(first, last))
        self.total_rows[ws.name] = total_rows
        wrapped = [c for c in table if c.kind in (Kind.TEXT, Kind.LONG_TEXT)]
        heights = [HEADER_PT] + [LINE_HEIGHT * min(10, max([text_lines(str(r.get(c.key) or ""), c.width) for c in wrapped],
                                                      default=1)) for r in records] + [LINE_HEIGHT] * total_rows
        for i, h in enumerate(heights[1:len(records) + 1]):
            if h > LINE_HEIGHT:
                ws.set_row(first + i, h)
        return first, last, heights

    def print_setup(self, ws: Any, widths: Sequence[float], heights: Sequence[float], top: int,
                    blocks: Sequence[tuple[int, float]] = (), header_row: int | None = -1) -> None:
        """One page wide, rows flowing from row *top* (*heights*), the header row (*header_row*, by default
        *top*; None for none) repeated, the charts (*blocks*) never cut by a page."""
        head, foot = self.headers[ws.name]
        apply_print_setup(ws, widths, heights, header_row=top if header_row == -1 else header_row,
                          first_measured_row=top, title_height=LINE_HEIGHT * (top + 1), header=head, footer=foot,
                          blocks=blocks)
        if any(ws.vbreaks):   # a portfolio sheet prints one page wide, whatever the scale
            ws.vbreaks = []
            ws.fit_to_pages(1, 0)
        last = top + len(heights) - 1 + (1 + int(max((h for _, h in blocks), default=0) / LINE_HEIGHT) + 2 if blocks else 0)
        ws.print_area(0, 0, last, len(widths) - 1)

    def chart_row(self, ws: Any, last: int) -> int:
        """The row the charts of the table of *ws* whose last record is on row *last* start on: one row under the
        table and its total rows (one per currency when the plans' currencies differ)."""
        return last + self.total_rows.get(ws.name, 0) + 2

    def _row(self, ws: Any, r: int, cols: Sequence[Col], position: Mapping[str, int], record: Mapping[str, Any],
             bold: bool = False, sum_rows: tuple[int, int] | None = None, sum_if: tuple[int, str] | None = None) -> None:
        for j, col in enumerate(cols):
            fmt = self.fmt(col.kind, bold, col.time, record.get(col.currency))
            if col.metric is not None:
                name, args = col.metric
                refs = {param: cell_name(r, position[key]) for param, key in args.items()}
                value = evaluate_metric(name, {param: record.get(key) for param, key in args.items()}, self.lang)
                ws.write_formula(r, j, "=" + formulas.render(name, "native", refs, self.lang), fmt,
                                 "" if value is None else value)
            elif sum_rows is not None and col.total and sum_if is not None:
                at, value = sum_if
                criteria = f"{cell_name(sum_rows[0], at)}:{cell_name(sum_rows[1], at)}"
                ws.write_formula(r, j, f'=SUMIF({criteria},"{value}",{cell_name(sum_rows[0], j)}:'
                                       f'{cell_name(sum_rows[1], j)})', fmt, record.get(col.key))
            elif sum_rows is not None and col.total:
                ws.write_formula(r, j, f"=SUM({cell_name(sum_rows[0], j)}:{cell_name(sum_rows[1], j)})", fmt, record.get(col.key))
            else:
                value = record.get(col.key)
                if value is None:
                    ws.write_blank(r, j, None, fmt)
                elif isinstance(value, dt.datetime):
                    ws.write_datetime(r, j, value, fmt)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(r, j, value, fmt)
                else:
                    ws.write_string(r, j, str(value), fmt)

    def chart(self, ws: Any, kind: str, sheet_name: str, cats: tuple[int, int, int], series: Sequence[tuple[str, int]],
              title: str, row: int, col: int = 0, size: tuple[int, int] = (720, 300), subtype: str | None = None,
              num_format: str | None = None, colors: Sequence[str] = ()) -> None:
        """A native chart of *series* (header text, column) over the category column ``cats = (first, last, col)``,
        anchored at (*row*, *col*), *size* pixels (width, height)."""
        first, last, cat_col = cats
        if last < first:
            return
        chart = self.wb.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
        if kind == "bar":
            chart = xlsx_writer.unwrapped(chart, whole_categories=True)
        for i, (name, col_) in enumerate(series):
            chart.add_series({"name": name, "categories": [sheet_name, first, cat_col, last, cat_col],
                              "values": [sheet_name, first, col_, last, col_],
                              **({"fill": {"color": colors[i]}} if i < len(colors) else {})})
        chart.set_title({"name": title, "name_font": {"size": 12}})
        value_axis = {"num_format": num_format} if num_format else {}
        if kind == "bar":
            chart.set_x_axis(value_axis)
            # A font of the default size: its labels' turn (xlsx_writer.unwrapped) goes into the font's body.
            chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 10}})
        else:
            chart.set_y_axis(value_axis)
            chart.set_x_axis({"interval_unit": 1})
        chart.set_legend({"position": "bottom"})
        ws.insert_chart(row, col, chart, {"x_offset": 2, "y_offset": 2, "object_position": 3,
                                          "x_scale": size[0] / 480, "y_scale": size[1] / 288})

    def whole_money(self) -> str:
        """The number format of an amount on a chart's axis, in the charts' currency: no cents."""
        symbol = CURRENCIES.get(self.money.main or "", self.money.main) or self.symbol
        return money_format(self.lang, symbol, 0) if symbol else "#,##0"

    def money_chart(self, title: str, first: int, last: int, frame: Any) -> tuple[str, int]:
        """The title (its currency named) and the last row of an amount chart over the rows *first*..*last* of
        *frame*: in several currencies, only the rows of the main one, which come first (:func:`_main_first`)."""
        if not self.money.main:
            return title, last
        if self.money.others:
            last = first + int((frame["currency"] == self.money.main).sum()) - 1
        return f"{title} ({self.money.main})", last

    def chart_notes(self) -> list[str]:
        """The note under the title of a sheet with an amount chart, when some currencies are in its table only."""
        if not self.money.others:
            return []
        return [T["chart_currency"](self.lang).format(main=self.money.main, others=", ".join(self.money.others))]


def _pixels(cols: Sequence[Col]) -> int:
    """The width (pixels) of the columns *cols*: a chart under them is as wide as the table."""
    return sum(int(c.width * 7 + 5 + 0.5) for c in cols)


#: On track, at risk, off track: the colours of these words on the plan's sheets (its traffic lights).
STATUS_COLORS = tuple({"good": GOOD, "neutral": NEUTRAL, "bad": BAD}[TRAFFIC[k]]["font_color"]
                      for k in ("on_track", "at_risk", "off_track"))
MONEY_COLS = (Col("planned", Kind.MONEY, total=True), Col("committed", Kind.MONEY, total=True),
              Col("actual", Kind.MONEY, total=True))
VARIANCE_COLS = (Col("variance", Kind.MONEY, metric=("variance", {"actual": "actual", "target": "planned"})),
                 Col("variance_pct", Kind.PERCENT, 11, metric=("variance_pct", {"actual": "actual", "target": "planned"})))

#: Each team's budget at its own situation date: planned and actual to date, and their variance.
TO_DATE_COLS = (Col("as_of", Kind.DATE, 12), Col("planned_to_date", Kind.MONEY, total=True),
                Col("actual_to_date", Kind.MONEY, total=True),
                Col("variance_to_date", Kind.MONEY, metric=("variance", {"actual": "actual_to_date", "target": "planned_to_date"})))

#: Where each team will land: the landing of its lines beside its envelope, and the lines landing above plan.
LANDING_COLS = (Col("landing", Kind.MONEY, total=True), Col("envelope", Kind.MONEY, total=True),
                Col("over_plan", Kind.INTEGER, 12, True))


def write_portfolio(con: Database, path: str | os.PathLike, lang: str = "fr", db_name: str | None = None,
                    generated_on: dt.date | None = None) -> Path:
    """Write the portfolio workbook of the database open on *con* (DuckDB or PostgreSQL) to *path* (replaced
    atomically), saying it was generated today (or on *generated_on*: the docs' pictures)."""
    frames = views(con, lang)
    currencies = frames["currencies"]
    symbol = CURRENCIES.get(currencies[0]) if len(currencies) == 1 else None
    path = Path(path)
    day = (generated_on or dt.date.today()).isoformat()
    if db_name is None:
        db_name = con.name if con.kind == "postgresql" else Path(con.name).name
    with atomic_output(path, force=True) as tmp:
        wb = xlsx_writer.workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        try:
            w = _Writer(wb, lang, symbol, Styles(wb, lang, symbol or ""),
                        T["generated"](lang).format(date=day, db=db_name).replace("&", "&&"),
                        money=frames["money"])
            wb.set_properties({"title": T["title"](lang), "keywords": "mplan-xl portfolio"})
            wb.set_custom_property(OUTPUT_PROPERTY, "portfolio")   # a folder scan skips it (mplan_xl.read.inputs)
            _overview(w, frames, lang, db_name, day)
            _budget_by_team(w, frames["budget_by_team"], lang)
            _budget_by_item(w, frames["budget_by_item"], lang)
            _kpi_by_team(w, frames["kpi_by_team"], lang)
            _results_by_team_sheet(w, frames["results_by_team"], lang)
            ws = w.sheet("s_variances", T["t_variances"](lang).format(n=LARGEST), [T["variance_note"](lang)])
            w.grid(ws, 3, (Col("company", width=24), Col("year", Kind.INTEGER, 7), Col("line", width=8),
                           Col("action_id", width=8), Col("action", Kind.LONG_TEXT, 48), Col("item", width=20),
                           Col("planned", Kind.MONEY), Col("actual", Kind.MONEY), *VARIANCE_COLS,
                           Col("currency", width=8)),
                   frames["largest_variances"])
            smart, notes = _in_one_folder(frames["not_smart"], "file", lang)
            ws = w.sheet("s_smart", T["t_smart"](lang), notes)
            w.grid(ws, len(notes) + 2, (Col("source", width=14), Col("company", width=24), Col("year", Kind.INTEGER, 7),
                           Col("objective", width=10), Col("statement", Kind.LONG_TEXT, 40), Col("smart", Kind.LONG_TEXT, 50),
                           Col("file", Kind.LONG_TEXT, 30), Col("cell", width=8)), smart)
            skipped, notes = _in_one_folder(frames["skipped"].rename(columns={"path": "file"}), "file", lang)
            ws = w.sheet("s_skipped", T["t_skipped"](lang), notes)
            w.grid(ws, len(notes) + 2, (Col("file", Kind.LONG_TEXT, 30), Col("status", width=12), Col("severity", width=14),
                           Col("code", width=24), Col("sheet", width=14), Col("cell", width=8), Col("row_id", width=9),
                           Col("message", Kind.LONG_TEXT, 50), Col("hint", Kind.LONG_TEXT, 36)),
                   skipped)
            ws = w.sheet("s_approvals", T["t_approvals"](lang))
            w.grid(ws, 2, (Col("company", width=28), Col("year", Kind.INTEGER, 7), Col("action_id", width=8),
                           Col("action", Kind.LONG_TEXT, 36), Col("status", width=14), Col("approved_by", width=20),
                           Col("approved_at", Kind.DATE, 17), Col("comment", Kind.LONG_TEXT, 36)), frames["approvals"])
        finally:
            wb.close()
    return path


def _in_one_folder(frame: Any, column: str, lang: str) -> tuple[Any, list[str]]:
    """*frame* with the file paths of *column* relative to the folder holding them all, and the note naming that
    folder once (as the check report's title does): a name per row, not a long path wrapped on every finding."""
    paths = [p for p in frame[column] if isinstance(p, str) and p]
    folder = common_folder(paths) if paths else ""
    if not folder:
        return frame, []
    return (frame.assign(**{column: [in_folder(p, folder) if isinstance(p, str) and p else p for p in frame[column]]}),
            [T["folder"](lang).format(folder=shown_path(folder))])


#: The review list on the Synthèse: each plan's trust score and the signals that lower it, lowest score first.
REVIEW_COLS = (Col("company", width=28), Col("year", Kind.INTEGER, 7), Col("trust_score", Kind.INTEGER, 11),
               Col("modified_after_approval", Kind.INTEGER, 14), Col("warnings", Kind.INTEGER, 13),
               Col("errors", Kind.INTEGER, 9), Col("outside_tables", Kind.INTEGER, 12),
               Col("formulas_lost", Kind.INTEGER, 11), Col("over_envelope", Kind.INTEGER, 12))


def _overview(w: _Writer, frames: Mapping[str, Any], lang: str, db_name: str, day: str) -> None:
    """The first sheet, the committee's first page: the portfolio's counts, the plans to review first (lowest
    trust score first, with its signals), then every plan loaded (one row each, a total row). The two tables
    share the sheet's columns; the plans' header row repeats on every page it flows onto."""
    overview = frames["overview"]
    notes = [T["generated"](lang).format(date=day, db=db_name),
             T["counts"](lang).format(plans=len(overview), teams=overview["company"].nunique(),
                                      skipped=frames["skipped"]["path"].nunique())]
    money = frames["money"]
    if money.reporting:
        notes.append(T["converted"](lang).format(reporting=money.reporting, source=money.source or "?",
                                                 dates=money.dates or "?"))
    elif len(frames["currencies"]) > 1:
        notes.append(T["currencies_apart"](lang).format(currencies=", ".join(frames["currencies"])))
    ws = w.sheet("s_overview", T["title"](lang), notes)
    ws.activate()
    overview = overview.assign(actions_approved=[f"{int(n)}/{int(a)}" if n else None for n, a in
                                                 zip(overview["approved_actions"], overview["actions"])])
    converted = (Col("original_currency", width=9), Col("original_envelope", Kind.MONEY, 14, currency="original_currency"),
                 Col("reporting_rate", Kind.DECIMAL, 11)) if money.reporting else ()
    plans = overview.rename(columns={"file_name": "file", "template_version": "version"})
    # The committee's columns first, in the order of the review list above; the file's particulars last.
    cols = _fit((Col("company", width=28), Col("year", Kind.INTEGER, 7), Col("trust_score", Kind.INTEGER, 11),
                 Col("status", width=22), Col("warnings", Kind.INTEGER, 13, True), Col("envelope", Kind.MONEY, total=True),
                 Col("objectives", Kind.INTEGER, 10, True), Col("actions", Kind.INTEGER, 9, True),
                 Col("kpis", Kind.INTEGER, 7, True), Col("approved_by", width=18), Col("actions_approved", width=10),
                 Col("approval_comment", Kind.LONG_TEXT, 30), Col("loaded_at", Kind.DATE, 17, time=True),
                 Col("file", width=30), Col("version", width=10), Col("currency", width=8), *converted), plans, lang)
    review = _fit(REVIEW_COLS, frames["review"], lang)
    widths = [max(c.width for c in pair if c is not None) for pair in zip_longest(cols, review)]
    for j, width in enumerate(widths):
        ws.set_column(j, j, width)
    top = len(notes) + 2
    ws.write_string(top, 0, T["t_review"](lang), w.styles.subtitle)
    heights = w.table(ws, top + 1, review, frames["review"])[2]
    plans_top = top + 1 + len(heights) + 1
    ws.write_string(plans_top, 0, T["t_plans"](lang), w.styles.subtitle)
    first, last, plan_heights = w.table(ws, plans_top + 1, cols, plans, total=True)
    if last >= first:
        ws.autofilter(plans_top + 1, 0, last, len(cols) - 1)
    w.print_setup(ws, widths, [20.0, *heights, LINE_HEIGHT, 20.0, *plan_heights], top,
                  header_row=plans_top + 1 if last >= first else None)


#: Height (pixels) of a portfolio chart, and what each category adds to a bar chart's height.
CHART_PX, BAR_PX = 300, 26
BUDGET_KEYS = ("planned", "committed", "actual")


def _page_chart_px(title_rows: int) -> int:
    """The tallest chart (pixels, at 100 %) a page holds under a sheet's *title_rows* and its table's header."""
    return int((SAFETY * printable_area()[1] - title_rows * LINE_HEIGHT - HEADER_PT) / 0.75)


def _budget_by_team(w: _Writer, frame: Any, lang: str) -> None:
    name = T["s_team"](lang)[:31]
    notes = [T["variance_note"](lang), *w.chart_notes()]
    ws = w.sheet("s_team", T["t_team"](lang), notes)
    cols: tuple[Col, ...] = (Col("plan", width=30), Col("company", width=24), Col("year", Kind.INTEGER, 7), *MONEY_COLS,
            *VARIANCE_COLS, *TO_DATE_COLS, *LANDING_COLS, Col("currency", width=8))
    cols = _fit(cols, frame, lang)
    height = max(CHART_PX, 90 + BAR_PX * len(frame))
    first, last = w.grid(ws, len(notes) + 2, cols, frame, total=True, charts=[height * 0.75])
    title, charted = w.money_chart(T["t_team"](lang), first, last, frame)
    w.chart(ws, "column", name, (first, charted, 0), [(T[k](lang), 3 + i) for i, k in enumerate(BUDGET_KEYS)],
            title, w.chart_row(ws, last), size=(min(_pixels(cols), 900), height),
            num_format=w.whole_money(), colors=[BUDGET_COLOURS[k] for k in BUDGET_KEYS])


def _budget_by_item(w: _Writer, frame: Any, lang: str) -> None:
    name = T["s_item"](lang)[:31]
    notes = [T["variance_note"](lang), *w.chart_notes()]
    ws = w.sheet("s_item", T["t_item"](lang), notes)
    cols = (Col("item", width=26), *MONEY_COLS, *VARIANCE_COLS, Col("currency", width=8))
    # Beside the table (as tall as it, or taller with many items): the bars of each item by its row; on the
    # first page whatever the rows (items in several currencies), from the first record's row: not in the
    # header row, which a table longer than a page repeats on each (LibreOffice would print the chart again).
    width, top = 64, len(notes) + 2
    height = min(max(CHART_PX, int(LINE_HEIGHT * (len(frame) + 1) / 0.75), 90 + 36 * len(frame)),
                 _page_chart_px(top + 1))
    first, last = w.grid(ws, top, cols, frame, total=True, beside=(width, height * 0.75))
    title, charted = w.money_chart(T["t_item"](lang), first, last, frame)
    w.chart(ws, "bar", name, (first, charted, 0), [(T[k](lang), 1 + i) for i, k in enumerate(BUDGET_KEYS)],
            title, top + 1, len(cols) + 1, size=(int(width * 7 + 5) - 8, height), num_format=w.whole_money(),
            colors=[BUDGET_COLOURS[k] for k in BUDGET_KEYS])


def _kpi_by_team(w: _Writer, frame: Any, lang: str) -> None:
    name = T["s_kpi"](lang)[:31]
    ws = w.sheet("s_kpi", T["t_kpi"](lang))
    cols: tuple[Col, ...] = (Col("plan", width=30), Col("company", width=24), Col("year", Kind.INTEGER, 7), Col("kpis", Kind.INTEGER, 7, True),
            Col("measured", Kind.INTEGER, 10, True), Col("attainment", Kind.PERCENT, 12),
            Col("on_track", Kind.INTEGER, 11, True), Col("at_risk", Kind.INTEGER, 11, True),
            Col("off_track", Kind.INTEGER, 11, True))
    cols = _fit(cols, frame, lang)
    height = max(CHART_PX, 90 + BAR_PX * len(frame))
    first, last = w.grid(ws, 2, cols, frame, total=True, charts=[height * 0.75])
    # Two charts side by side under the table: the first over the first columns, the second over the rest.
    split = next(i for i in range(len(cols)) if _pixels(cols[:i + 1]) >= _pixels(cols) / 2)
    row = w.chart_row(ws, last)
    w.chart(ws, "column", name, (first, last, 0), [(T["attainment"](lang), 5)], T["t_kpi"](lang), row,
            size=(_pixels(cols[:split]) - 6, height), num_format=percent_format(lang, 0), colors=[ATTAINMENT_COLOUR])
    w.chart(ws, "column", name, (first, last, 0), [(T[k](lang), 6 + i) for i, k in enumerate(("on_track", "at_risk", "off_track"))],
            T["t_kpi_status"](lang), row, split, size=(_pixels(cols[split:]) - 6, height), subtype="stacked",
            colors=STATUS_COLORS)


def _results_by_team_sheet(w: _Writer, frame: Any, lang: str) -> None:
    name = T["s_results"](lang)[:31]
    notes = [T["results_note"](lang), *w.chart_notes()]
    ws = w.sheet("s_results", T["t_results"](lang), notes)
    cols: tuple[Col, ...] = (Col("plan", width=30), Col("company", width=24), Col("year", Kind.INTEGER, 7),
            Col("expected_gain", Kind.MONEY, total=True), Col("expected_cost", Kind.MONEY, 16, True),
            Col("expected_roi", Kind.PERCENT, 11, metric=("roi", {"gain": "expected_gain", "cost": "expected_cost"})),
            Col("achieved_gain", Kind.MONEY, total=True), Col("achieved_cost", Kind.MONEY, 18, True),
            Col("achieved_roi", Kind.PERCENT, 11, metric=("roi", {"gain": "achieved_gain", "cost": "achieved_cost"})),
            Col("currency", width=8))
    cols = _fit(cols, frame, lang)
    height = max(CHART_PX, 90 + BAR_PX * len(frame))
    first, last = w.grid(ws, len(notes) + 2, cols, frame, total=True, charts=[height * 0.75])
    title, charted = w.money_chart(T["t_results"](lang), first, last, frame)
    w.chart(ws, "column", name, (first, charted, 0), [(T[k](lang), 3 + 3 * i) for i, k in enumerate(("expected_gain", "achieved_gain"))],
            title, w.chart_row(ws, last), size=(min(_pixels(cols), 900), height),
            num_format=w.whole_money(), colors=[GAIN_COLOURS["expected"], GAIN_COLOURS["achieved"]])


__all__ = ["LARGEST", "VIEWS_SQL", "views", "write_portfolio"]
