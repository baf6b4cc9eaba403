"""The Synthèse (a one-page summary for the boss), the SWOT matrix and the Guide's table of contents.

Both sheets only show what the tables hold: every cell is a formula of
:mod:`mplan_xl.workbook.synthesis`, with the value Python computes as its cached result.
The Synthèse prints on one A4 page: objectives and their status, budget against
the envelope, KPI traffic lights, the next actions and a few counts. The SWOT
matrix lays the SWOT list of the Audit sheet out as the familiar 2×2 grid,
heaviest items first; the list stays the place to type.
"""

from __future__ import annotations

from typing import Any

from ..core import schema
from ..core.a1 import column_letters
from ..core.schema import ACTIONS, KPIS, OBJECTIVES, SWOT, Kind
from ..core.numbers import is_blank as _blank
from ..core.smart import SMART_OK
from ..core.vocabulary import KPI_STATUS, SWOT_QUADRANT, Label
from . import layout, synthesis
from .conditional import TRAFFIC, traffic_lights, unit_formats
from .sheet_context import SheetContext

#: How many rows each block of the Synthèse shows (it must stay on one page).
OBJECTIVES_SHOWN, KPIS_SHOWN, NEXT_ACTIONS_SHOWN = 10, 8, 6
#: Items shown per SWOT quadrant.
SWOT_SHOWN = 8

T = {
    "title": Label("Synthèse du plan {year} – {company}", "Plan summary {year} – {company}"),
    "as_of": Label("Situation au", "Situation at"),
    "objectives": Label("Objectifs", "Objectives"),
    "statement": Label("Objectif", "Objective"),
    "smart": Label("SMART", "SMART"),
    "to_review": Label("À revoir", "To review"),
    "status": Label("Statut KPI", "KPI status"),
    "budget_col": Label("Budget", "Budget"),
    "budget": Label("Budget et enveloppe", "Budget and envelope"),
    "envelope": Label("Enveloppe", "Envelope"),
    "planned": Label("Prévisionnel", "Planned"),
    "committed": Label("Engagé", "Committed"),
    "actual": Label("Réel", "Actual"),
    "remaining": Label("Reste sur l'enveloppe (enveloppe − prévisionnel)", "Left in the envelope (envelope − planned)"),
    "consumed": Label("Consommé (réel / enveloppe)", "Spent (actual / envelope)"),
    "kpis": Label("Indicateurs (KPI)", "Indicators (KPIs)"),
    "kpis_first": Label("Indicateurs (KPI) : les {shown} premiers sur {n}", "Indicators (KPIs): the first {shown} of {n}"),
    "plan_counts": Label("Objectifs et actions", "Objectives and actions"),
    "kpi_counts": Label("KPI par statut", "KPIs by status"),
    "number": Label("Nombre", "Number"),
    "kpi": Label("Indicateur", "Indicator"),
    "target": Label("Cible", "Target"),
    "kpi_actual": Label("Réalisé", "Actual"),
    "unit": Label("Unité", "Unit"),
    "attainment": Label("Progression depuis la base", "Progress from baseline"),
    "kpi_status": Label("Statut", "Status"),
    "next": Label("Prochaines actions", "Next actions"),
    "action": Label("Action", "Action"),
    "owner": Label("Responsable", "Owner"),
    "start": Label("Début", "Start"),
    "end": Label("Fin", "End"),
    "figures": Label("En chiffres", "In figures"),
    "n_objectives": Label("Objectifs", "Objectives"),
    "n_smart": Label("Objectifs SMART OK", "Objectives SMART OK"),
    "n_late": Label("Actions en retard", "Late actions"),
    "swot_title": Label("Matrice SWOT {year}", "SWOT matrix {year}"),
    "swot_note": Label("Tirée de la liste SWOT de la feuille « {audit} », éléments les plus lourds en tête : "
                       "saisissez-les là-bas.",
                       "Taken from the SWOT list of the '{audit}' sheet, heaviest items first: type them there."),
    "internal": Label("Interne", "Internal"),
    "external": Label("Externe", "External"),
    "more": Label("+ {n} autre(s)", "+ {n} more"),
    "contents": Label("Sommaire", "Contents"),
    "results": Label("Résultats : attendu → obtenu", "Results: expected → achieved"),
    "expected_gain": Label("Gain attendu", "Expected gain"),
    "achieved_gain": Label("Gain obtenu", "Achieved gain"),
    "expected_roi": Label("ROI attendu", "Expected ROI"),
    "achieved_roi": Label("ROI réalisé", "Achieved ROI"),
    "results_total": Label("Total du plan", "Whole plan"),
    "landing": Label("Atterrissage (réel, engagé, mois restants)", "Landing (actual, committed, months left)"),
    "landing_remaining": Label("Reste sur l'enveloppe à l'atterrissage", "Left in the envelope at landing"),
    "projection": Label("À ce rythme", "At this pace"),
}
QUADRANTS = (("strength", "weakness"), ("opportunity", "threat"))
QUADRANT_FILL = {"strength": "#C6EFCE", "weakness": "#FFC7CE", "opportunity": "#DDEBF7", "threat": "#FFEB9C"}
SUMMARY_WIDTHS = (6, 44, 11, 14, 13, 2, 6, 26, 11, 11, 9, 10, 14, 11)


def write_contents(writer: SheetContext, ws: Any) -> None:
    """The Guide's table of contents: a link to every sheet."""
    col = 7
    ws.set_column(col - 1, col - 1, 3)
    ws.set_column(col, col, 26)
    ws.write_string(2, col, T["contents"](writer.lang), writer.styles.subtitle)
    for i, (key, _) in enumerate(schema.workbook_sheets()[1:], 1):
        name = writer.name_of(key)
        ws.write_url(2 + i, col, f"internal:'{name}'!A1", writer.styles.link, string=name)


def _write(ws: Any, r: int, c: int, formula: str, fmt: Any, value: Any, array: bool = False) -> None:
    cached = "" if value is None else value
    if array:
        ws.write_array_formula(r, c, r, c, "{=" + formula + "}", fmt, cached)
    else:
        ws.write_formula(r, c, "=" + formula, fmt, cached)


def _shown(value: Any) -> Any:
    """A cell's value as written: a date as its serial number."""
    number = synthesis.serial(value)
    return value if number is None else number


def write_summary(writer: SheetContext, ws: Any) -> None:
    """Lay out the Synthèse sheet (one A4 landscape page)."""
    lang, styles, fig, ident = writer.lang, writer.styles, writer.figures, writer.identity
    for c, w in enumerate(SUMMARY_WIDTHS):
        ws.set_column(c, c, w)
    ws.write_string(0, layout.TITLE_COLUMN, T["title"](lang).format(year=ident.year, company=ident.company).rstrip(" –"),
                    styles.title)
    ws.set_row(0, 21)
    writer.back_link(ws, 1, layout.TITLE_COLUMN)
    ws.write_string(1, 3, T["as_of"](lang), styles.label)
    _write(ws, 1, 4, synthesis.AS_OF_SHOWN_FORMULA, styles.value(Kind.DATE, locked=True),
           synthesis.as_of_shown(ident.situation, fig.as_of))
    head = styles.header(required=False, computed=True)
    text = styles.value(Kind.TEXT, locked=True, wrap=True)
    money, pct = styles.value(Kind.MONEY, locked=True), styles.value(Kind.PERCENT, locked=True)
    count, date = styles.value(Kind.INTEGER, locked=True), styles.value(Kind.DATE, locked=True)
    decimal = styles.value(Kind.DECIMAL, locked=True)
    heights: dict[int, float] = {}

    # Objectives (left) ---------------------------------------------------------------------------------------
    top = 3
    ws.write_string(top, 0, T["objectives"](lang), styles.subtitle)
    ws.write_row(top + 1, 0, ["ID"] + [T[k](lang) for k in ("statement", "smart", "status", "budget_col")], head)
    for i in range(OBJECTIVES_SHOWN):
        r, pos = top + 2 + i, str(i + 1)
        oid = fig.value("objectives", i, "id")
        _write(ws, r, 0, synthesis.indexed(OBJECTIVES, "id", pos, lang), text, oid)
        statement = fig.value("objectives", i, "statement")
        _write(ws, r, 1, synthesis.indexed(OBJECTIVES, "statement", pos, lang), text, statement)
        heights[r] = layout.LINE_HEIGHT * min(3, layout.text_lines(statement or "", SUMMARY_WIDTHS[1]))
        smart = fig.value("objectives", i, "smart")
        smart_shown = None if smart in (None, "") else SMART_OK if smart == SMART_OK else T["to_review"](lang)
        smart_ref = synthesis.column(OBJECTIVES, "smart", lang)
        _write(ws, r, 2, f'IF(INDEX({smart_ref},{pos})="","",IF(INDEX({smart_ref},{pos})="{SMART_OK}","{SMART_OK}",'
                         f'"{T["to_review"](lang)}"))', text, smart_shown)
        status = synthesis.objective_status(oid, fig.kpi_status_codes)
        _write(ws, r, 3, synthesis.objective_status_formula(f"$A{r + 1}", lang), text,
               None if status is None else KPI_STATUS.label(status, lang))
        _write(ws, r, 4, synthesis.objective_budget_formula(f"$A{r + 1}", lang), money, fig.objective_budget(oid))
    obj_first, obj_last = top + 2, top + 1 + OBJECTIVES_SHOWN
    ws.conditional_format(obj_first, 2, obj_last, 2, {"type": "cell", "criteria": "==", "value": f'"{SMART_OK}"',
                                                      "format": styles.good})
    ws.conditional_format(obj_first, 2, obj_last, 2, {"type": "cell", "criteria": "==",
                                                      "value": f'"{T["to_review"](lang)}"', "format": styles.bad})
    traffic_lights(writer, ws, obj_first, 3, obj_last, TRAFFIC)

    # Next actions (left, below) ---------------------------------------------------------------------------------
    top = obj_last + 2
    ws.write_string(top, 0, T["next"](lang), styles.subtitle)
    ws.write_row(top + 1, 0, ["ID"] + [T[k](lang) for k in ("action", "start", "end", "owner")], head)
    positions = synthesis.next_actions(fig.tables, fig.as_of, NEXT_ACTIONS_SHOWN)
    for k in range(NEXT_ACTIONS_SHOWN):
        r = top + 2 + k
        pos = synthesis.next_action_position(k + 1, lang)
        lines = 1
        for c, (key, fmt) in enumerate((("id", text), ("title", text), ("start", date), ("end", date), ("owner", text))):
            value = fig.value("actions", positions[k], key) if k < len(positions) else None
            if isinstance(value, str):
                lines = max(lines, layout.text_lines(value, SUMMARY_WIDTHS[c]))
            ref = synthesis.column(ACTIONS, key, lang)
            _write(ws, r, c, f'IFERROR(IF(INDEX({ref},{pos})="","",INDEX({ref},{pos})),"")', fmt,
                   _shown(value), array=True)
        heights[r] = layout.LINE_HEIGHT * min(lines, 3)
    actions_last = top + 1 + NEXT_ACTIONS_SHOWN

    # In figures (left, bottom) --------------------------------------------------------------------------------
    top = actions_last + 2
    ws.write_string(top, 0, T["figures"](lang), styles.subtitle)
    ws.write_row(top + 1, 1, [T[k](lang) for k in ("plan_counts", "number", "kpi_counts", "number")], head)
    top += 1
    counts = (
        ("n_objectives", f'SUMPRODUCT(--({synthesis.column(OBJECTIVES, "id", lang)}<>""))', fig.objectives()),
        ("n_smart", f'COUNTIF({synthesis.column(OBJECTIVES, "smart", lang)},"{SMART_OK}")', fig.smart_ok()),
        ("n_late", synthesis.late_actions_formula(lang), synthesis.late_actions(fig.tables, fig.as_of)),
    )
    for i, (key, formula, value) in enumerate(counts):
        ws.write_string(top + 1 + i, 1, T[key](lang), styles.label)
        _write(ws, top + 1 + i, 2, formula, count, value)
    late_row = top + 3
    ws.conditional_format(late_row, 2, late_row, 2, {"type": "cell", "criteria": ">", "value": 0, "format": styles.bad})
    for i, code in enumerate(synthesis.STATUS_ORDER[::-1]):
        ws.write_string(top + 1 + i, 3, KPI_STATUS.label(code, lang), getattr(styles, TRAFFIC[code]))
        _write(ws, top + 1 + i, 4, synthesis.kpi_count_formula(code, lang), count, fig.kpi_count(code))
    last_row = top + 3

    # Budget (right) ---------------------------------------------------------------------------------------------
    top, left = 3, 6
    ws.write_string(top, left, T["budget"](lang), styles.subtitle)
    envelope = ident.envelope if isinstance(ident.envelope, (int, float)) else None
    planned, committed, actual = (fig.budget(k) for k in ("planned", "committed", "actual"))
    budget_rows = (
        ("envelope", f'IF({schema.NAME_ENVELOPE}="","",{schema.NAME_ENVELOPE})', money, envelope),
        ("planned", synthesis.budget_formula("planned", lang), money, planned),
        ("committed", synthesis.budget_formula("committed", lang), money, committed),
        ("actual", synthesis.budget_formula("actual", lang), money, actual),
        ("remaining", f'IF(ISNUMBER({schema.NAME_ENVELOPE}),{schema.NAME_ENVELOPE}-'
                      f'{synthesis.budget_formula("planned", lang)},"")', money,
         None if envelope is None else envelope - planned),
        ("consumed", f'IF(AND(ISNUMBER({schema.NAME_ENVELOPE}),{schema.NAME_ENVELOPE}<>0),'
                     f'{synthesis.budget_formula("actual", lang)}/{schema.NAME_ENVELOPE},"")', pct,
         None if not envelope else actual / envelope),
        ("landing", synthesis.budget_formula("landing", lang), money, fig.landing()),
        ("landing_remaining", f'IF(ISNUMBER({schema.NAME_ENVELOPE}),{schema.NAME_ENVELOPE}-'
                              f'{synthesis.budget_formula("landing", lang)},"")', money,
         None if envelope is None else envelope - fig.landing()),
    )
    for i, (key, formula, fmt, value) in enumerate(budget_rows):
        r = top + 1 + i
        ws.merge_range(r, left, r, left + 4, T[key](lang), styles.value(Kind.TEXT, locked=True))
        ws.merge_range(r, left + 5, r, left + 6, "", fmt)
        _write(ws, r, left + 5, formula, fmt, value)
    for remaining_row in (top + 5, top + 8):   # what the plan, then the landing, leaves in the envelope
        ws.conditional_format(remaining_row, left + 5, remaining_row, left + 5,
                              {"type": "cell", "criteria": "<", "value": 0, "format": styles.bad})
        ws.conditional_format(remaining_row, left + 5, remaining_row, left + 5,
                              {"type": "cell", "criteria": ">=", "value": 0, "format": styles.good})

    # KPI traffic lights (right, below) -------------------------------------------------------------------------
    top = top + 1 + len(budget_rows) + 1
    n_kpis = sum(1 for k in fig.tables.get("kpis", []) if not _blank(k.get("id")))
    kpi_ids = synthesis.column(KPIS, "id", lang)
    count_kpis = f'SUMPRODUCT(--({kpi_ids}<>""))'
    first_of = T["kpis_first"](lang).format(shown=KPIS_SHOWN, n='"&' + count_kpis + '&"')
    _write(ws, top, left, f'IF({count_kpis}>{KPIS_SHOWN},"{first_of}","{T["kpis"](lang)}")', styles.subtitle,
           T["kpis_first"](lang).format(shown=KPIS_SHOWN, n=n_kpis) if n_kpis > KPIS_SHOWN else T["kpis"](lang))
    ws.write_row(top + 1, left, ["ID"] + [T[k](lang) for k in ("kpi", "target", "kpi_actual", "unit", "attainment",
                                                                "kpi_status", "projection")], head)
    heights[top + 1] = max(heights.get(top + 1, 0), layout.LINE_HEIGHT * max(
        layout.text_lines(T[k](lang), SUMMARY_WIDTHS[left + 1 + i])
        for i, k in enumerate(("kpi", "target", "kpi_actual", "unit", "attainment", "kpi_status", "projection"))))
    keys = (("id", text), ("name", text), ("target", decimal), ("actual", decimal), ("unit", text),
            ("attainment", pct), ("status", text), ("projection", decimal))
    for i in range(KPIS_SHOWN):
        r, pos = top + 2 + i, str(i + 1)
        for c, (key, fmt) in enumerate(keys):
            _write(ws, r, left + c, synthesis.indexed(KPIS, key, pos, lang), fmt, fig.value("kpis", i, key))
        name = fig.value("kpis", i, "name") or ""
        heights[r] = max(heights.get(r, 0), layout.LINE_HEIGHT * min(2, layout.text_lines(name, SUMMARY_WIDTHS[7])))
    kpi_first, kpi_last = top + 2, top + 1 + KPIS_SHOWN
    unit_formats(writer, ws, kpi_first, kpi_last, left + 4, [left + 2, left + 3, left + 7])
    traffic_lights(writer, ws, kpi_first, left + 6, kpi_last, TRAFFIC)
    last_row = max(last_row, kpi_last)
    last_row = max(last_row, _write_results(writer, ws, kpi_last + 2, left))

    for r, h in heights.items():
        if h > layout.LINE_HEIGHT:
            ws.set_row(r, h)
    writer.one_page(ws)
    ws.print_area(0, 0, last_row, len(SUMMARY_WIDTHS) - 1)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


def _write_results(writer: SheetContext, ws: Any, top: int, left: int) -> int:
    """Expected against achieved gain and ROI, objective by objective (its indicator; as the objectives block lists
    them) and for the whole plan, from row *top*; blank where nothing is measured yet. Return the last row."""
    lang, styles, fig = writer.lang, writer.styles, writer.figures
    head = styles.header(required=False, computed=True)
    text = styles.value(Kind.TEXT, locked=True, wrap=True)
    formats = {"expected_gain": styles.value(Kind.MONEY, locked=True), "achieved_gain": styles.value(Kind.MONEY, locked=True),
               "expected_roi": styles.value(Kind.PERCENT, locked=True), "achieved_roi": styles.value(Kind.PERCENT, locked=True)}
    # No subtitle row (the page must stay readable on one sheet): the block's title heads its objective column.
    ws.write_row(top, left, ["ID", T["results"](lang)] + [T[k](lang) for k in synthesis.RESULT_FIGURES], head)
    for i in range(OBJECTIVES_SHOWN + 1):
        r, pos = top + 1 + i, str(i + 1)
        if i < OBJECTIVES_SHOWN:
            oid = fig.value("objectives", i, "id")
            _write(ws, r, left, synthesis.indexed(OBJECTIVES, "id", pos, lang), text, oid)
            _write(ws, r, left + 1, synthesis.indexed(OBJECTIVES, "indicator", pos, lang), text,
                   fig.value("objectives", i, "indicator"))
            values, cells = fig.results(oid), synthesis.results_formulas(f"${column_letters(left)}{r + 1}", lang)
        else:
            ws.write_string(r, left + 1, T["results_total"](lang), styles.label)
            values, cells = fig.results(whole_plan=True), synthesis.results_formulas(None, lang)
        for c, key in enumerate(synthesis.RESULT_FIGURES, left + 2):
            _write(ws, r, c, cells[key], formats[key], values[key])
    return top + 1 + OBJECTIVES_SHOWN


def write_swot_grid(writer: SheetContext, ws: Any) -> None:
    """Lay out the SWOT matrix: strengths and weaknesses (internal) over opportunities and threats (external)."""
    lang, styles, fig = writer.lang, writer.styles, writer.figures
    ws.set_column(0, 0, 10)
    ws.set_column(1, 2, 58)
    ws.write_string(0, layout.TITLE_COLUMN, T["swot_title"](lang).format(year=writer.identity.year), styles.title)
    ws.set_row(0, 21)
    writer.back_link(ws, 1, layout.TITLE_COLUMN)
    ws.merge_range(2, layout.TITLE_COLUMN, 2, 2, T["swot_note"](lang).format(audit=writer.name_of("audit")), styles.guidance)
    item, weight = synthesis.column(SWOT, "item", lang), synthesis.column(SWOT, "weight", lang)
    row = 4
    for side, pair in zip(("internal", "external"), QUADRANTS):
        ws.merge_range(row, 0, row + SWOT_SHOWN + 1, 0, T[side](lang), writer.wb.add_format(
            {"bold": True, "rotation": 90, "align": "center", "valign": "vcenter", "border": 1}))
        for c, quadrant in enumerate(pair, 1):
            fill = {"bold": True, "bg_color": QUADRANT_FILL[quadrant], "border": 1, "font_size": 12}
            ws.write_string(row, c, SWOT_QUADRANT.label(quadrant, lang), writer.wb.add_format(fill))
            positions = synthesis.swot_items(fig.tables, quadrant)
            cell = writer.wb.add_format({"text_wrap": True, "valign": "top", "left": 1, "right": 1,
                                         "bg_color": "#FFFFFF", "locked": True})
            for k in range(SWOT_SHOWN):
                pos = synthesis.swot_position(quadrant, k + 1, lang)
                value = ""
                if k < len(positions):
                    text, w = fig.value("swot", positions[k], "item"), fig.value("swot", positions[k], "weight")
                    value = f"• {text}" + (f" ({int(w)})" if isinstance(w, (int, float)) and float(w).is_integer() else "")
                    lines = layout.text_lines(value, 58)
                    if lines > 1:
                        ws.set_row(row + 1 + k, max(layout.LINE_HEIGHT * lines, 15))
                _write(ws, row + 1 + k, c, f'IFERROR("• "&INDEX({item},{pos})&IF(ISNUMBER(INDEX({weight},{pos})),'
                                           f'" ("&INDEX({weight},{pos})&")",""),"")', cell, value, array=True)
            n = len(positions)
            more = writer.wb.add_format({"italic": True, "font_color": "#595959", "left": 1, "right": 1, "bottom": 1})
            count = synthesis.swot_count_formula(quadrant, lang)
            _write(ws, row + 1 + SWOT_SHOWN, c,
                   f'IF({count}>{SWOT_SHOWN},SUBSTITUTE("{T["more"](lang)}","{{n}}",{count}-{SWOT_SHOWN}),"")', more,
                   T["more"](lang).format(n=n - SWOT_SHOWN) if n > SWOT_SHOWN else "")
        row += SWOT_SHOWN + 3
    writer.one_page(ws)
    ws.print_area(0, 0, row - 2, 2)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
