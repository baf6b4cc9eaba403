"""The Guide / Accueil sheet: plan identity, how to fill the plan, live status.

The identity cells carry the workbook's defined names (``mplan_year``,
``mplan_envelope``...) that formulas and validations elsewhere use; the
status block's formulas come from :mod:`mplan_xl.status`.
"""

from __future__ import annotations

from typing import Any

from . import schema
from .schema import Kind
from .status import STATUS_ITEMS, status_values
from .vocabulary import Label

TEXTS = {
    "title": Label("Plan marketing opérationnel {year}", "Operational marketing plan {year}"),
    "identity": Label("Identité du plan", "Plan identity"),
    "company": Label("Entreprise", "Company"),
    "year": Label("Année du plan", "Plan year"),
    "author": Label("Rédigé par", "Prepared by"),
    "currency": Label("Devise", "Currency"),
    "envelope": Label("Enveloppe budgétaire annuelle", "Yearly budget envelope"),
    "template": Label("Modèle", "Template"),
    "version": Label("Version du modèle", "Template version"),
    "how": Label("Comment remplir ce plan", "How to fill in this plan"),
    "status": Label("Statut en direct", "Live status"),
    "legend_input": Label("Cellule à saisir", "Cell to fill in"),
    "legend_computed": Label("Cellule calculée (protégée)", "Computed cell (protected)"),
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
    Label("6. Budget : une ligne par dépense d'action, avec devis, prévisionnel, engagé et réel.",
          "6. Budget: one row per expense of an action, with quote, planned, committed and actual."),
    Label("7. KPI : un indicateur au moins par objectif, avec sa cible ; saisissez le réalisé au fil de l'année.",
          "7. KPIs: at least one indicator per objective, with its target; enter the actual during the year."),
    Label("8. Les feuilles sont protégées sans mot de passe : Révision > Ôter la protection pour insérer des lignes au-delà des lignes vides prévues.",
          "8. Sheets are protected without a password: Review > Unprotect Sheet to add rows beyond the empty rows provided."),
)


def write_guide(writer: Any, ws: Any) -> None:
    """Lay out the Guide sheet; *writer* is the workbook writer of :mod:`mplan_xl.builder`."""
    lang, styles, ident, wb = writer.lang, writer.styles, writer.identity, writer.wb
    sheet = writer.name_of("guide")
    ws.set_column(0, 0, 2)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 36)
    ws.set_column(3, 3, 3)
    ws.set_column(4, 4, 34)
    ws.set_column(5, 5, 18)
    ws.write_string(0, 1, TEXTS["title"](lang).format(year=ident.year), styles.title)
    ws.write_string(2, 1, TEXTS["identity"](lang), styles.subtitle)

    identity_rows = (
        ("company", schema.NAME_COMPANY, ident.company, Kind.TEXT, False),
        ("year", schema.NAME_YEAR, ident.year, Kind.INTEGER, False),
        ("author", schema.NAME_AUTHOR, ident.author, Kind.TEXT, False),
        ("currency", schema.NAME_CURRENCY, ident.currency, Kind.TEXT, True),
        ("envelope", schema.NAME_ENVELOPE, ident.envelope, Kind.MONEY, False),
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

    top = 3 + len(identity_rows) + 1
    ws.write_string(top, 1, TEXTS["how"](lang), styles.subtitle)
    for i, step in enumerate(STEPS, 1):
        ws.merge_range(top + i, 1, top + i, 5, step(lang), styles.text)
        ws.set_row(top + i, 30)
    legend = top + len(STEPS) + 2
    ws.write_string(legend, 1, TEXTS["legend_input"](lang), styles.value(Kind.TEXT))
    ws.write_string(legend + 1, 1, TEXTS["legend_computed"](lang), styles.value(Kind.TEXT, locked=True))
    ws.merge_range(legend + 2, 1, legend + 2, 2, TEXTS["legend_required"](lang), styles.header(required=True, computed=False))

    ws.write_string(2, 4, TEXTS["status"](lang), styles.subtitle)
    values = status_values(writer.plan.tables, writer.smart_texts, ident.envelope)
    for i, item in enumerate(STATUS_ITEMS):
        row = 3 + i
        bold = item.key == "errors_left"
        ws.write_string(row, 4, item.label(lang), styles.label)
        value = values[item.key]
        ws.write_formula(row, 5, "=" + item.formula(lang), styles.value(item.kind, locked=True, bold=bold),
                         "" if value is None else value)
    errors_row = 3 + len(STATUS_ITEMS) - 1
    ws.conditional_format(errors_row, 5, errors_row, 5, {
        "type": "cell", "criteria": ">", "value": 0, "format": wb.add_format({"font_color": "#C00000"})})
    ws.conditional_format(errors_row, 5, errors_row, 5, {
        "type": "cell", "criteria": "==", "value": 0, "format": wb.add_format({"font_color": "#2E7D32"})})
    remaining_row = 3 + [item.key for item in STATUS_ITEMS].index("budget_remaining")
    ws.conditional_format(remaining_row, 5, remaining_row, 5, {
        "type": "cell", "criteria": "<", "value": 0, "format": styles.bad})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
