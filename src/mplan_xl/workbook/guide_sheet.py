"""The Guide / Accueil sheet: plan identity, how to fill the plan, live status.

The identity cells carry the workbook's defined names (``mplan_year``,
``mplan_envelope``...) that formulas and validations elsewhere use; the
status block's formulas come from :mod:`mplan_xl.workbook.guide_status`, whose per-rule counts this module writes on
the hidden status sheet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..core import schema
from ..core.schema import Kind
from ..core.vocabulary import Label
from .guide_status import (
    LIVE_TERMS,
    RESULT_ITEMS,
    STATUS_COLUMNS,
    STATUS_ITEMS,
    row_mask_formula,
    row_mask_name,
    status_values,
    term_values,
)
from . import layout
from .layout import fit_width
from .sheet_context import SheetContext

TEXTS = {
    "title": Label("Plan marketing opérationnel {year}", "Operational marketing plan {year}"),
    "identity": Label("Identité du plan", "Plan identity"),
    "company": Label("Entreprise", "Company"),
    "year": Label("Année du plan", "Plan year"),
    "author": Label("Rédigé par", "Prepared by"),
    "currency": Label("Devise", "Currency"),
    "envelope": Label("Enveloppe budgétaire annuelle", "Yearly budget envelope"),
    "situation": Label("Date de situation", "Situation date"),
    "template": Label("Modèle", "Template"),
    "version": Label("Version du modèle", "Template version"),
    "how": Label("Comment remplir ce plan", "How to fill in this plan"),
    "status": Label("Statut en direct", "Live status"),
    "results": Label("Résultats : attendu → obtenu", "Results: expected → achieved"),
    "legend_input": Label("Cellule à saisir", "Cell to fill in"),
    "legend_computed": Label("Cellule calculée : ne rien y saisir", "Computed cell: do not type here"),
    "legend_required": Label("En-tête orange : colonne obligatoire", "Orange header: required column"),
}

STEPS = (
    Label("1. Complétez l'identité ci-contre : entreprise, année, enveloppe budgétaire.",
          "1. Fill in the identity: company, year, budget envelope."),
    Label("2. Audit : listez forces, faiblesses, opportunités, menaces et facteurs PESTEL ; complétez le diagnostic (marché, concurrence, offre, cible, prix, communication, distribution).",
          "2. Audit: list strengths, weaknesses, opportunities, threats and PESTEL factors; complete the diagnostic (market, competition, offer, audience, price, promotion, distribution)."),
    Label("3. Bilan N-1 : pour chaque action de l'an dernier, budget, dépense, résultat et décision (reconduire, améliorer, abandonner).",
          "3. Last year: for each of last year's actions, budget, spend, result and verdict (keep, improve, abandon)."),
    Label("4. Objectifs : des objectifs SMART, chiffrés et datés ; la colonne « Contrôle SMART » dit ce qui manque.",
          "4. Objectives: SMART objectives with figures and dates; the 'SMART check' column tells what is missing."),
    Label("5. Actions : quoi, comment, canal, responsable, service, dates, gain attendu ; rattachez chaque action à un objectif.",
          "5. Actions: what, how, channel, owner, department, dates, expected gain; link each action to an objective."),
    Label("6. Budget : une ligne par dépense d'action (devis, prévisionnel, engagé, réel) ; au besoin, ses mois sur « Budget mensuel ».",
          "6. Budget: one row per expense of an action (quote, planned, committed, actual); if needed, its months on 'Monthly budget'."),
    Label("7. KPI : un indicateur au moins par objectif, avec sa cible ; saisissez le réalisé chaque mois sur « KPI mensuels ». Les dix KPI proposés sont des suggestions : chacun compte dès qu'il a un objectif, une cible ou un réalisé ; supprimez ceux qui ne servent pas.",
          "7. KPIs: at least one indicator per objective, with its target; enter the actual each month on 'Monthly KPIs'. The ten KPIs offered are suggestions: each counts once it has an objective, a target or an actual; delete those you do not use."),
    Label("8. Dans les tableaux, vous pouvez insérer, supprimer, trier et ajouter des lignes, et ajouter vos propres colonnes (ex. « Commentaire »). Une nouvelle ligne : insérez-la dans le tableau (clic droit > Insérer) ; Excel agrandit aussi le tableau quand on tape juste dessous, LibreOffice non.",
          "8. In the tables you may insert, delete, sort and append rows, and add your own columns (e.g. 'Comment'). For a new row, insert it inside the table (right-click > Insert); Excel also grows the table when you type just below it, LibreOffice does not."),
    Label("9. Ne tapez rien dans les cellules grises (calculées) ; si une formule y manque (ligne insérée dans LibreOffice), recopiez-la depuis la ligne du dessus. Ne renommez ni les feuilles ni les en-têtes, et ne saisissez rien sous ou à côté des tableaux : ce n'est compté nulle part.",
          "9. Do not type in the grey (computed) cells; if a formula is missing there (a row inserted in LibreOffice), copy it from the row above. Do not rename sheets or headers, and type nothing below or beside the tables: nothing counts it."),
    Label("10. Le statut en direct compte les erreurs que les formules peuvent voir ; avant d'envoyer le plan, « mplan-xl check » contrôle aussi le reste (formules modifiées, en-têtes, macros).",
          "10. The live status counts the errors formulas can see; before the plan is sent, 'mplan-xl check' also checks the rest (altered formulas, headers, macros)."),
)


#: The live status items shown on the left, under the identity: where the year will land.
LANDING_ITEMS = ("budget_landing", "landing_remaining", "landing_over_plan")
LANDING_TITLE = Label("Atterrissage de fin d'année", "Year-end landing")


def write_guide(writer: SheetContext, ws: Any) -> None:
    """Lay out the Guide sheet; *writer* is the workbook writer of :mod:`mplan_xl.workbook.builder`."""
    lang, styles, ident, wb = writer.lang, writer.styles, writer.identity, writer.wb
    sheet = writer.name_of("guide")
    ws.set_column(0, 0, 2)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 36)
    ws.set_column(3, 3, 3)
    status_width = fit_width([item.label(lang) for item in STATUS_ITEMS if item.key not in LANDING_ITEMS], 34, 44)
    ws.set_column(4, 4, status_width)
    ws.set_column(5, 5, 18)
    steps_width = 30 + 36 + 3 + status_width + 18   # a step spans columns B to F
    ws.write_string(0, layout.TITLE_COLUMN, TEXTS["title"](lang).format(year=ident.year), styles.title)
    ws.write_string(2, 1, TEXTS["identity"](lang), styles.subtitle)

    identity_rows = (
        ("company", schema.NAME_COMPANY, ident.company, Kind.TEXT, False),
        ("year", schema.NAME_YEAR, ident.year, Kind.INTEGER, False),
        ("author", schema.NAME_AUTHOR, ident.author, Kind.TEXT, False),
        ("currency", schema.NAME_CURRENCY, ident.currency, Kind.TEXT, True),
        ("envelope", schema.NAME_ENVELOPE, ident.envelope, Kind.MONEY, False),
        ("situation", schema.NAME_SITUATION, ident.situation, Kind.DATE, False),
        ("template", None, schema.TEMPLATE_NAME(lang), Kind.TEXT, True),
        ("version", None, schema.TEMPLATE_VERSION, Kind.TEXT, True),
    )
    for i, (key, name, value, kind, locked) in enumerate(identity_rows):
        row = 3 + i
        ws.write_string(row, 1, TEXTS[key](lang), styles.label)
        fmt = styles.value(kind, locked=locked)
        if value is None or value == "":
            ws.write_blank(row, 2, None, fmt)
        else:
            ws.write(row, 2, value, fmt)
        if name:
            wb.define_name(name, f"='{sheet}'!$C${row + 1}")
    year_row = 3 + 1
    ws.data_validation(year_row, 2, year_row, 2, {
        "validate": "integer", "criteria": "between", "minimum": schema.MIN_YEAR, "maximum": schema.MAX_YEAR,
        "error_message": Label("Une année entre {a} et {b}.", "A year between {a} and {b}.")(lang).format(
            a=schema.MIN_YEAR, b=schema.MAX_YEAR)})
    envelope_row = 3 + 4
    ws.data_validation(envelope_row, 2, envelope_row, 2, {
        "validate": "decimal", "criteria": ">=", "value": 0,
        "error_message": Label("Un montant positif, sans texte.", "A positive amount, with no text.")(lang)})
    situation_row = 3 + 5
    ws.data_validation(situation_row, 2, situation_row, 2, {
        "validate": "date", "criteria": "between", "minimum": dt.date(ident.year, 1, 1), "maximum": dt.date(ident.year, 12, 31),
        "input_title": TEXTS["situation"](lang)[:32],
        "input_message": Label("Vide : aujourd'hui. Les chiffres « à date » comptent les mois de janvier à celui "
                               "de cette date.", "Blank: today. Figures 'to date' count the months from January to "
                               "this date's month.")(lang),
        "error_message": Label("Une date de l'année {year}.", "A date within {year}.")(lang).format(year=ident.year)})

    # Under the plan's identity, on the left: its results (expected beside achieved), then where the year lands
    # (the envelope above them); the live status on the right. The page keeps its height.
    values = status_values(writer.plan)
    results_top = 3 + len(identity_rows) + 1
    ws.write_string(results_top, 1, TEXTS["results"](lang), styles.subtitle)
    for i, item in enumerate(RESULT_ITEMS, results_top + 1):
        ws.write_string(i, 1, item.label(lang), styles.label)
        ws.write_formula(i, 2, "=" + item.formula(lang), styles.value(item.kind, locked=True),
                         "" if values[item.key] is None else values[item.key])
    left_items = [item for item in STATUS_ITEMS if item.key in LANDING_ITEMS]
    right_items = [item for item in STATUS_ITEMS if item.key not in LANDING_ITEMS]
    landing_top = results_top + 1 + len(RESULT_ITEMS) + 1
    top = max(3 + len(right_items), landing_top + 1 + len(left_items)) + 1
    ws.write_string(top, 1, TEXTS["how"](lang), styles.subtitle)
    for i, step in enumerate(STEPS, 1):
        ws.merge_range(top + i, 1, top + i, 5, step(lang), styles.text)
        # As tall as its wrapped text (with a tenth of margin on the width estimate), no taller: the page fits
        # at a readable size.
        ws.set_row(top + i, layout.LINE_HEIGHT * layout.text_lines(step(lang), steps_width * 0.9) + 3)
    legend = top + len(STEPS) + 1
    ws.write_string(legend, 1, TEXTS["legend_input"](lang), styles.value(Kind.TEXT))
    ws.write_string(legend + 1, 1, TEXTS["legend_computed"](lang), styles.value(Kind.TEXT, locked=True))
    ws.merge_range(legend + 2, 1, legend + 2, 2, TEXTS["legend_required"](lang), styles.header(required=True, computed=False))

    _write_terms(writer, writer.status_sheet)
    ws.write_string(2, 4, TEXTS["status"](lang), styles.subtitle)
    red = wb.add_format({"font_color": "#C00000"})
    green = wb.add_format({"font_color": "#2E7D32"})
    ws.write_string(landing_top, 1, LANDING_TITLE(lang), styles.subtitle)
    placed = [(3 + i, 4, item) for i, item in enumerate(right_items)] + \
             [(landing_top + 1 + i, 1, item) for i, item in enumerate(left_items)]
    for row, col, item in placed:
        bold = item.key == "errors_left"
        ws.write_string(row, col, item.label(lang), styles.label)
        value = values[item.key]
        ws.write_formula(row, col + 1, "=" + item.formula(lang), styles.value(item.kind, locked=True, bold=bold),
                         "" if value is None else value)
        if item.alert:
            ws.conditional_format(row, col + 1, row, col + 1, {"type": "cell", "criteria": ">", "value": 0, "format": red})
            if bold:
                ws.conditional_format(row, col + 1, row, col + 1,
                                      {"type": "cell", "criteria": "==", "value": 0, "format": green})
        if item.key in ("budget_remaining", "landing_remaining"):
            ws.conditional_format(row, col + 1, row, col + 1,
                                  {"type": "cell", "criteria": "<", "value": 0, "format": styles.bad})
    writer.one_page(ws)
    if writer.protect:
        ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


def _write_terms(writer: SheetContext, ws: Any) -> None:
    """The hidden status sheet: one row per live count (rule, category, table, column, formula), and the
    defined names of the tables' row masks the counts share."""
    lang = writer.lang
    for sheet in schema.TABLES:
        writer.wb.define_name(row_mask_name(sheet), "=" + row_mask_formula(sheet, lang))
    ws.write_row(0, 0, STATUS_COLUMNS, writer.styles.label)
    for row, (term, value) in enumerate(zip(LIVE_TERMS, term_values(writer.plan)), 1):
        ws.write_row(row, 0, (term.rule, term.category, term.sheet.table if term.sheet else "",
                              term.sheet.column(term.column).header(lang) if term.sheet and term.column else ""))
        ws.write_formula(row, 4, "=" + term.formula(lang), None, value)
    ws.set_column(0, 3, 22)
    ws.hide()
