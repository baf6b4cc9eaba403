"""The Tableau de bord / Dashboard sheet: native Excel charts and a month timeline fed by the tables.

One page, six charts side by side in three rows: the budget against the
envelope (planned, committed, actual) and the budget and expected gain of
each objective (where the money goes and what it should bring) above, KPI
attainment against the 100 % target and the budget by expense item
(horizontal bars) in the middle, the progress curves (line charts, month by
month) below: the budget planned and actual cumulated against the envelope,
and, for the KPI picked in the dropdown above it (the first KPI with monthly
values at first), the target trajectory against the actual, titled with the
KPI's name by a formula. Their rules are :mod:`mplan_xl.workbook.synthesis`'s
(*Budget curve*, *KPI curve*); actuals without months count in the situation
month. A month without data shows ``#N/A`` (in the colour of its cell): Excel
and LibreOffice draw no point for it, where a blank text would be drawn as a
zero; the charts "span" such points (LibreOffice draws them as zeros under
the default "gap"). A plan with so many KPIs that the six do not fit one page
at a readable scale prints the progress curves on a page of their own.

Then the actions on a timeline of the plan year: one column per half month
under every month's name, bars coloured by status (red when late), the column
of the situation date outlined in red. The timeline is conditional formatting
over cells, not a chart, so every month is named and it prints as it shows, in
Excel and LibreOffice alike.

Helper ranges under the timeline aggregate the tables with plain formulas, so
the charts work in every runtime; their cached values are computed in Python.
Chart ranges cover the rows that hold a KPI or an objective when the workbook
is written, so no chart shows empty slots.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..core import schema
from ..core.a1 import column_letters
from ..core.computed import structured_ref
from ..core.plan import id_key, id_text
from ..core.schema import ACTIONS, BUDGET, KPIS, OBJECTIVES, Kind
from ..core.vocabulary import ACTION_STATUS, EXPENSE_ITEM, KPI_SERIES, Label
from . import layout, synthesis, xlsx_writer
from .conditional import looked_up_unit, unit_formats
from .sheet_context import SheetContext
from .styles import ACTION_STATUS_COLOURS, ATTAINMENT_COLOUR, BUDGET_COLOURS, COMPUTED_FILL, GAIN_COLOURS, percent_format

TEXTS = {
    "title": Label("Tableau de bord {year}", "Dashboard {year}"),
    "as_of": Label("Situation au", "Situation at"),
    "envelope_chart": Label("Budget et enveloppe", "Budget and envelope"),
    "envelope": Label("Enveloppe", "Envelope"),
    "budget": Label("Budget par poste", "Budget by expense item"),
    "item": Label("Poste", "Expense item"),
    "planned": Label("Prévisionnel", "Planned"),
    "committed": Label("Engagé", "Committed"),
    "actual": Label("Réel", "Actual"),
    "amount": Label("Montant", "Amount"),
    "label_room": Label("Place des montants", "Room for the amounts"),
    "kpi": Label("Atteinte des KPI (cible = 100 %)", "KPI attainment (target = 100%)"),
    "kpi_label": Label("Indicateur", "Indicator"),
    "target": Label("Cible (100 %)", "Target (100%)"),
    "attainment": Label("Atteinte", "Attainment"),
    "objectives": Label("Budget et gain, attendu et obtenu, par objectif", "Budget and gain, expected and achieved, by objective"),
    "objective": Label("Objectif", "Objective"),
    "obj_budget": Label("Budget des actions", "Actions' budget"),
    "gain": Label("Gain attendu", "Expected gain"),
    "achieved_gain": Label("Gain obtenu", "Achieved gain"),
    "roi_table": Label("ROI par objectif : attendu → réalisé", "ROI by objective: expected → achieved"),
    "expected_roi": Label("ROI attendu", "Expected ROI"),
    "achieved_roi": Label("ROI réalisé", "Achieved ROI"),
    "whole_plan": Label("Total du plan", "Whole plan"),
    "timeline": Label("Calendrier des actions", "Action timeline"),
    "action": Label("Action", "Action"),
    "start": Label("Début", "Start"),
    "end": Label("Fin", "End"),
    "status": Label("Statut", "Status"),
    "late": Label("En retard", "Late"),
    "today": Label("Date de situation", "Situation date"),
    "data": Label("Données des graphiques", "Chart data"),
    "curves": Label("Courbes de progression", "Progress curves"),
    "budget_curve": Label("Budget cumulé par mois et enveloppe", "Cumulated budget and envelope"),
    "month": Label("Mois", "Month"),
    "planned_cum": Label("Prévu cumulé", "Planned cumulated"),
    "actual_cum": Label("Réel cumulé", "Actual cumulated"),
    "unmonthed": Label("Réel sans détail mensuel", "Actual without months"),
    "unmonthed_help": Label("(compté au mois de situation)", "(counted in the situation month)"),
    "pick_kpi": Label("KPI suivi :", "KPI shown:"),
    "pick_help": Label("Choisissez l'indicateur dont la courbe s'affiche (son ID).",
                       "Pick the indicator whose curve is shown (its ID)."),
    "pick_error": Label("Cet ID n'est pas dans la feuille KPI.", "This ID is not on the KPIs sheet."),
    "kpi_curve": Label("Courbe du KPI choisi", "Curve of the KPI picked"),
    "kpi_title": Label("Titre", "Title"),
    "baseline": Label("Départ de la trajectoire", "Trajectory start"),
    "kpi_target": Label("Cible", "Target"),
    "objective_id": Label("ID objectif", "Objective ID"),
    "deadline_month": Label("Mois de l'échéance", "Deadline month"),
    "trajectory": Label("Cible (trajectoire)", "Target (trajectory)"),
}
MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
#: Bar colour of each action status on the timeline; late actions are red whatever their status.
STATUS_COLOURS = ACTION_STATUS_COLOURS
LATE_COLOUR, TODAY_COLOUR = "#C00000", "#FF0000"
#: Timeline layout: label, start, end and status columns, then two columns (half months) per month.
LABEL_W, DATE_W, STATUS_W, SLOT_W, SLOTS = 44, 11, 12, 2.9, 24
#: Height (pixels) of the upper charts (the budget against the envelope, the objectives).
CHART_H = 176
#: The KPI curve's axis: thousands grouped from 1,000 (revenue, visits), as typed below (rates, scores).
KPI_AXIS_FORMAT = "[>=1000]#,##0;[<=-1000]-#,##0;General"
#: Below this many euros (dollars, pounds) an amount axis shows no figure: the steps LibreOffice and Excel draw for
#: a chart without data (0 to 1, 0 to 20) would read "1 €, 1 €, 0 €"; a plan's amount axes step far above it.
AXIS_AMOUNTS_FROM = 100


def amount_axis_format(money: str) -> str:
    r"""The number format of an amount axis (never below 0): *money* from :data:`AXIS_AMOUNTS_FROM` up and at 0,
    nothing between, so an empty chart's axis reads "0 €" and no fractions of a euro rounded.

    >>> print(amount_axis_format('#,##0\\ "€"'))
    [=0]#,##0\ "€";[<100]"";#,##0\ "€"
    """
    return f'[=0]{money};[<{AXIS_AMOUNTS_FROM}]"";{money}'


#: The budget chart's axis reaches this share of its longest bar: room for the amount right of it.
LABEL_ROOM = 1.25
#: Height (pixels) of the progress curves, the lowest charts.
CURVE_H = 196
#: Height (pixels) the middle charts give each KPI and each expense item (a label on one line), and the rest of
#: their height (title, axis, legend).
KPI_BAR_PX, BAR_CHART_FRAME = 19, 110
#: Chart text size (points): printed at the dashboard's scale it stays above 8 pt; the titles' a little larger,
#: on one line over a chart half the page wide.
CHART_FONT, TITLE_FONT = {"size": 11}, {"size": 13, "bold": True}


def _amount(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _rows(pixels: int) -> int:
    """The rows (20 pixels each) a chart *pixels* tall spans, from 4 pixels under its anchor row's top."""
    return -(-(pixels + 4) // 20)


def _pixels(width: float) -> int:
    return int(width * 7 + 5 + 0.5)


def write_dashboard(writer: SheetContext, ws: Any) -> None:
    """Lay out the dashboard; *writer* is the workbook writer of :mod:`mplan_xl.workbook.builder`."""
    lang, styles, wb, fig = writer.lang, writer.styles, writer.wb, writer.figures
    name = writer.name_of("dashboard")
    year = writer.identity.year
    ws.set_column(0, 0, LABEL_W)
    ws.set_column(1, 2, DATE_W)
    ws.set_column(3, 3, STATUS_W)
    ws.set_column(4, 3 + SLOTS, SLOT_W)
    # The title block in column B, as on every sheet (layout.TITLE_COLUMN): the link under the title runs into
    # column C, the situation date right of it (over four week slots).
    ws.write_string(0, layout.TITLE_COLUMN, TEXTS["title"](lang).format(year=year), styles.title)
    ws.set_row(0, 21)
    writer.back_link(ws, 1, layout.TITLE_COLUMN)
    ws.write_string(1, 3, TEXTS["as_of"](lang), styles.label)
    ws.merge_range(1, 4, 1, 7, "", styles.value(Kind.DATE, locked=True))
    ws.write_formula(1, 4, "=" + synthesis.AS_OF_SHOWN_FORMULA, styles.value(Kind.DATE, locked=True),
                     synthesis.as_of_shown(writer.identity.situation, fig.as_of))
    head = styles.header(required=False, computed=True)
    money, label_fmt = styles.value(Kind.MONEY, locked=True), styles.value(Kind.TEXT, locked=True)
    pct = styles.value(Kind.PERCENT, locked=True)
    # The charts' widths: their columns' less their offsets and a margin, so none reaches the next column.
    left_px = _pixels(LABEL_W) + 2 * _pixels(DATE_W) + _pixels(STATUS_W) - 8
    right_px = SLOTS * _pixels(SLOT_W) - 10

    # Timeline first (its height decides where the data ranges go) ----------------------------------------------
    kpi_count = max(1, sum(1 for k in writer.plan.rows("kpis") if k.get("id") or k.get("name")))
    # The middle charts grow so that every KPI and every expense item keeps its label.
    low_h = max(CHART_H, BAR_CHART_FRAME + KPI_BAR_PX * max(kpi_count, len(EXPENSE_ITEM.codes)))
    low_top = 3 + _rows(CHART_H)
    top = low_top + _rows(low_h)   # a chart ends above the row a page may break before
    curve_h = CURVE_H
    timeline_top = top + 1 + _rows(curve_h)  # the progress curves, then the timeline
    for r in range(2, timeline_top):  # rows of exactly 20 pixels under the charts, so each page break is exact
        ws.set_row(r, layout.LINE_HEIGHT)
    a_first, _, a_last, _ = writer.table_ranges["actions"]
    # A template shows every row of its Actions table; a filled plan its actions (no empty bars).
    filled = sum(1 for a in writer.plan.rows("actions") if a.get("id"))
    n = a_last - a_first + 1 if writer.template or not filled else filled
    data_top = _timeline(writer, ws, timeline_top, n)

    # Chart data, under the timeline --------------------------------------------------------------------------
    ws.write_string(data_top, 0, TEXTS["data"](lang), styles.subtitle)
    row = data_top + 1
    # 1. Budget against the envelope.
    ws.write_row(row, 0, [TEXTS["envelope_chart"](lang), TEXTS["amount"](lang), TEXTS["label_room"](lang)], head)
    env_first = row + 1
    envelope = writer.identity.envelope if isinstance(writer.identity.envelope, (int, float)) else None
    for i, (key, formula, value) in enumerate((
            ("envelope", f'IF(ISNUMBER({schema.NAME_ENVELOPE}),{schema.NAME_ENVELOPE},"")', envelope),
            ("planned", synthesis.budget_formula("planned", lang), fig.budget("planned")),
            ("committed", synthesis.budget_formula("committed", lang), fig.budget("committed")),
            ("actual", synthesis.budget_formula("actual", lang), fig.budget("actual")))):
        ws.write_string(env_first + i, 0, TEXTS[key](lang), label_fmt)
        ws.write_formula(env_first + i, 1, "=" + formula, money, "" if value is None else value)
    # An invisible bar, a quarter longer than the longest, behind the others: the axis the chart scales itself
    # leaves each amount room to print, on one line, right of its bar.
    amounts = [v for v in (envelope, fig.budget("planned"), fig.budget("committed"), fig.budget("actual"))
               if isinstance(v, (int, float))]
    ws.write_formula(env_first, 2, f"={LABEL_ROOM}*MAX(B{env_first + 1}:B{env_first + 4})", money,
                     LABEL_ROOM * max(amounts, default=0))
    chart = xlsx_writer.unwrapped(wb.add_chart({"type": "bar"}))
    chart.add_series({"name": TEXTS["label_room"](lang), "categories": [name, env_first, 0, env_first + 3, 0],
                      "values": [name, env_first, 2, env_first + 3, 2], "fill": {"none": True},
                      "border": {"none": True}, "overlap": 100, "gap": 60})
    chart.add_series({"name": TEXTS["envelope_chart"](lang), "categories": [name, env_first, 0, env_first + 3, 0],
                      "values": [name, env_first, 1, env_first + 3, 1],
                      "data_labels": {"value": True, "font": CHART_FONT, "num_format": styles.unit("money").num_format},
                      "points": [{"fill": {"color": BUDGET_COLOURS[k]}} for k in ("envelope", "planned", "committed", "actual")]})
    chart.set_title({"name": TEXTS["envelope_chart"](lang), "name_font": TITLE_FONT})
    # Each bar carries its amount: no amount axis, whose labels, turned 45° in a chart this wide, would take half
    # its height.
    chart.set_x_axis({"num_format": amount_axis_format(styles.unit("money").num_format), "min": 0, "visible": False,
                      "major_gridlines": {"visible": False}})
    chart.set_y_axis({"reverse": True, "num_font": CHART_FONT})
    chart.set_legend({"none": True})
    ws.insert_chart(3, 0, chart, {"x_offset": 2, "y_offset": 4, "object_position": 3,
                                  "x_scale": left_px / 480, "y_scale": CHART_H / 288})

    # 2. Budget by expense item: planned, committed, actual.
    row = env_first + 5
    keys = ("planned", "committed", "actual")
    ws.write_row(row, 0, [TEXTS["item"](lang)] + [TEXTS[k](lang) for k in keys], head)
    items_col = structured_ref(BUDGET, "item", lang, this_row=False)
    budget_rows = writer.plan.rows("budget")
    item_first = row + 1
    for i, code in enumerate(EXPENSE_ITEM.codes):
        r = item_first + i
        ws.write_string(r, 0, EXPENSE_ITEM.label(code, lang), label_fmt)
        for j, key in enumerate(keys, 1):
            cached = sum(_amount(b.get(key)) for b in budget_rows if b.get("item") == code)
            ws.write_formula(r, j, f"=SUMIFS({structured_ref(BUDGET, key, lang, this_row=False)},{items_col},$A{r + 1})",
                             money, cached)
    item_last = item_first + len(EXPENSE_ITEM.codes) - 1
    # Horizontal bars, under the objectives' chart: every item's name reads on one line beside its bars.
    chart = xlsx_writer.unwrapped(wb.add_chart({"type": "bar"}), whole_categories=True)
    for j, key in enumerate(keys, 1):
        chart.add_series({"name": [name, row, j], "categories": [name, item_first, 0, item_last, 0],
                          "values": [name, item_first, j, item_last, j], "fill": {"color": BUDGET_COLOURS[key]}})
    chart.set_title({"name": TEXTS["budget"](lang), "name_font": TITLE_FONT})
    chart.set_x_axis({"num_format": amount_axis_format(styles.unit("money").num_format), "min": 0, "num_font": CHART_FONT,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": CHART_FONT})
    chart.set_legend({"position": "bottom", "font": CHART_FONT})
    ws.insert_chart(low_top, 4, chart, {"x_offset": 4, "y_offset": 4, "object_position": 3,
                                        "x_scale": right_px / 480, "y_scale": low_h / 288})

    # 3. KPI attainment against the 100 % target (a bullet chart: the target bar behind the attainment bar).
    row = item_last + 2
    ws.write_row(row, 0, [TEXTS["kpi_label"](lang), TEXTS["target"](lang), TEXTS["attainment"](lang)], head)
    shown = kpi_count
    kpi_first = row + 1
    for i in range(shown):
        r, pos = kpi_first + i, str(i + 1)
        label = " ".join(str(fig.value("kpis", i, k) or "") for k in ("id", "name")).strip()
        ws.write_formula(r, 0, f'={synthesis.indexed(KPIS, "id", pos, lang)}&" "&{synthesis.indexed(KPIS, "name", pos, lang)}',
                         label_fmt, label)
        ws.write_number(r, 1, 1, pct)
        attainment = fig.value("kpis", i, "attainment")
        ws.write_formula(r, 2, "=" + synthesis.indexed(KPIS, "attainment", pos, lang), pct,
                         "" if attainment is None else attainment)
    kpi_last = kpi_first + shown - 1
    chart = xlsx_writer.unwrapped(wb.add_chart({"type": "bar"}), whole_categories=True)
    chart.add_series({"name": [name, row, 1], "categories": [name, kpi_first, 0, kpi_last, 0],
                      "values": [name, kpi_first, 1, kpi_last, 1], "fill": {"none": True},
                      "border": {"color": "#404040", "width": 1.25, "dash_type": "dash"}, "gap": 40})
    chart.add_series({"name": [name, row, 2], "categories": [name, kpi_first, 0, kpi_last, 0],
                      "values": [name, kpi_first, 2, kpi_last, 2], "fill": {"color": ATTAINMENT_COLOUR}, "overlap": 100,
                      "gap": 40})
    chart.set_title({"name": TEXTS["kpi"](lang), "name_font": TITLE_FONT})
    chart.set_x_axis({"num_format": percent_format(lang, 0), "major_gridlines": {"visible": True}, "num_font": CHART_FONT})
    chart.set_y_axis({"reverse": True, "interval_unit": 1, "label_position": "low", "num_font": CHART_FONT})
    chart.set_legend({"position": "bottom", "font": CHART_FONT})
    ws.insert_chart(low_top, 0, chart, {"x_offset": 2, "y_offset": 4, "object_position": 3,
                                                      "x_scale": left_px / 480, "y_scale": low_h / 288})

    # 4. Budget and expected gain by objective.
    row = kpi_last + 2
    ws.write_row(row, 0, [TEXTS["objective"](lang), TEXTS["obj_budget"](lang), TEXTS["gain"](lang),
                          TEXTS["achieved_gain"](lang)], head)
    objectives = writer.plan.rows("objectives")
    shown = max(1, sum(1 for o in objectives if o.get("id")))
    obj_first = row + 1
    actions = fig.tables.get("actions", [])
    for i in range(shown):
        r, pos = obj_first + i, str(i + 1)
        oid = fig.value("objectives", i, "id")
        ws.write_formula(r, 0, "=" + synthesis.indexed(OBJECTIVES, "id", pos, lang), label_fmt, oid or "")
        ws.write_formula(r, 1, "=" + synthesis.objective_budget_formula(f"$A{r + 1}", lang), money,
                         "" if oid in (None, "") else fig.objective_budget(oid))
        gain = sum(_amount(a.get("expected_gain")) for a in actions
                   if oid not in (None, "") and a.get("objective_id") not in (None, "")
                   and id_key(a["objective_id"]) == id_key(oid))
        ws.write_formula(r, 2, f'=IF($A{r + 1}="","",SUMIFS({structured_ref(ACTIONS, "expected_gain", lang, this_row=False)},'
                               f'{structured_ref(ACTIONS, "objective_id", lang, this_row=False)},$A{r + 1}))', money,
                         "" if oid in (None, "") else gain)
        achieved = fig.results(oid)["achieved_gain"]
        ws.write_formula(r, 3, "=" + synthesis.results_formulas(f"$A{r + 1}", lang)["achieved_gain"], money,
                         "" if achieved is None else achieved)
    obj_last = obj_first + shown - 1
    chart = wb.add_chart({"type": "column"})
    for j, colour in ((1, BUDGET_COLOURS["planned"]), (2, GAIN_COLOURS["expected"]), (3, GAIN_COLOURS["achieved"])):
        chart.add_series({"name": [name, row, j], "categories": [name, obj_first, 0, obj_last, 0],
                          "values": [name, obj_first, j, obj_last, j], "fill": {"color": colour}})
    chart.set_title({"name": TEXTS["objectives"](lang), "name_font": TITLE_FONT})
    chart.set_y_axis({"num_format": amount_axis_format(styles.unit("money").num_format), "min": 0, "num_font": CHART_FONT})
    chart.set_x_axis({"interval_unit": 1, "num_font": CHART_FONT})
    chart.set_legend({"position": "bottom", "font": CHART_FONT})
    ws.insert_chart(3, 4, chart, {"x_offset": 4, "y_offset": 4, "object_position": 3,
                                  "x_scale": right_px / 480, "y_scale": CHART_H / 288})

    # The ROI of each objective and of the plan, expected beside achieved (blank where nothing is measured).
    row = obj_last + 2
    ws.write_row(row, 0, [TEXTS["roi_table"](lang), TEXTS["expected_roi"](lang), TEXTS["achieved_roi"](lang)], head)
    for i in range(shown + 1):
        r = row + 1 + i
        if i < shown:
            ws.write_formula(r, 0, f"=$A{obj_first + i + 1}", label_fmt, fig.value("objectives", i, "id") or "")
            values, cells = fig.results(fig.value("objectives", i, "id")), synthesis.results_formulas(f"$A{r + 1}", lang)
        else:
            ws.write_string(r, 0, TEXTS["whole_plan"](lang), label_fmt)
            values, cells = fig.results(whole_plan=True), synthesis.results_formulas(None, lang)
        for j, key in enumerate(("expected_roi", "achieved_roi"), 1):
            ws.write_formula(r, j, "=" + cells[key], pct, "" if values[key] is None else values[key])
    roi_last = row + 1 + shown

    # 5 and 6. The progress curves, on their own page.
    curves_data = roi_last + 2
    _curves(writer, ws, top, curves_data, left_px, right_px, curve_h)

    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    widths = [LABEL_W, DATE_W, DATE_W, STATUS_W] + [SLOT_W] * SLOTS
    timeline_last = data_top - 2
    heights = [writer.row_heights.get((ws.name, r), layout.LINE_HEIGHT) for r in range(timeline_last + 1)]
    for hidden_row in (timeline_top + 2, timeline_top + 3):  # the half months' bounds print no height
        heights[hidden_row] = 0.0
    # Two pages: the charts, the timeline; the chart data under the timeline is left out of the print area. Every
    # row above the timeline is exactly one line tall, so the break falls where the pages are meant to; the scale
    # fits the wider and the taller of the pages, never below the readable minimum. Charts too tall for one page at
    # that minimum (a plan with many KPIs) print the progress curves on a page of their own.
    writer.print_setup(ws, widths, heights, timeline_last, header_row=None, first_measured_row=0)
    page_width, page_height = (side * layout.SAFETY for side in layout.printable_area())
    breaks = [timeline_top] if sum(heights[:timeline_top]) * layout.MIN_SCALE <= 100 * page_height else [top, timeline_top]
    ws.set_h_pagebreaks(breaks)
    tallest = max(sum(heights[a:b]) for a, b in zip([0] + breaks, breaks + [len(heights)]))
    width = sum(layout.column_points(w) for w in widths)
    ws.set_print_scale(max(layout.MIN_SCALE, min(100, int(100 * page_width / width), int(100 * page_height / tallest))))


def _curves(writer: SheetContext, ws: Any, top: int, row: int, left_px: int, right_px: int, height: int) -> int:
    """The progress curves from row *top* (the KPI dropdown on that row, the charts of *height* pixels under it),
    their data from row *row* of the chart data; return the last row of the data."""
    lang, styles, wb, fig = writer.lang, writer.styles, writer.wb, writer.figures
    name = writer.name_of("dashboard")
    head = styles.header(required=False, computed=True)
    money, label_fmt = styles.value(Kind.MONEY, locked=True), styles.value(Kind.TEXT, locked=True)
    number = styles.value(Kind.DECIMAL, locked=True)
    hidden = wb.add_format({"font_color": COMPUTED_FILL})  # the #N/A of a month without data: no point, no text
    ws.write_string(top, 0, TEXTS["curves"](lang), styles.subtitle)

    # The KPI picked: a dropdown of the KPI ids, right of the title, above the KPI curve.
    pick_row, pick_col = top, 4 + 12
    ws.merge_range(top, 4 + 6, top, pick_col - 1, TEXTS["pick_kpi"](lang),
                   wb.add_format({"bold": True, "align": "right", "valign": "vcenter"}))
    selected_id = synthesis.curve_kpi(fig.tables)
    pick_fmt = styles.value(Kind.ID, locked=False, bold=True)
    ws.merge_range(pick_row, pick_col, pick_row, pick_col + 3, "", pick_fmt)
    if selected_id is None:
        ws.write_blank(pick_row, pick_col, None, pick_fmt)
    else:
        ws.write(pick_row, pick_col, selected_id, pick_fmt)
    ids = structured_ref(KPIS, "id", lang, this_row=False)
    ws.data_validation(pick_row, pick_col, pick_row, pick_col, {
        "validate": "list", "source": f'=INDIRECT("{ids}")', "error_type": "warning", "ignore_blank": True,
        "input_title": TEXTS["kpi_curve"](lang)[:32], "input_message": TEXTS["pick_help"](lang)[:255],
        "error_title": TEXTS["kpi_curve"](lang)[:32], "error_message": TEXTS["pick_error"](lang)[:255]})
    selected = f"${column_letters(pick_col)}${pick_row + 1}"

    # Budget curve data: the actuals without months, then one row per month.
    ws.write_string(row, 0, TEXTS["unmonthed"](lang), label_fmt)
    ws.write_formula(row, 1, "=" + synthesis.unmonthed_actual_formula(lang), money, synthesis.unmonthed_actual(fig.tables))
    ws.write_string(row, 2, TEXTS["unmonthed_help"](lang))
    unmonthed = f"$B${row + 1}"
    row += 1
    ws.write_row(row, 0, [TEXTS["month"](lang), TEXTS["planned_cum"](lang), TEXTS["actual_cum"](lang),
                          TEXTS["envelope"](lang)], head)
    budget_head, budget_first = row, row + 1
    envelope = writer.identity.envelope if isinstance(writer.identity.envelope, (int, float)) else None
    for j, (planned, actual) in enumerate(fig.budget_curve(), 1):
        r = budget_first + j - 1
        previous = (lambda c: f"{c}{r}") if j > 1 else (lambda c: None)
        ws.write_string(r, 0, MONTHS[lang][j - 1], label_fmt)
        ws.write_formula(r, 1, "=" + synthesis.curve_planned_formula(j, previous("B"), lang), money, planned)
        ws.write_formula(r, 2, "=" + synthesis.curve_actual_formula(j, previous("C"), unmonthed, lang), money,
                         synthesis.NO_POINT if actual is None else actual)
        ws.write_formula(r, 3, "=" + synthesis.envelope_curve_formula(), money,
                         synthesis.NO_POINT if envelope is None else envelope)
    budget_last = budget_first + 11
    ws.conditional_format(budget_first, 1, budget_last, 3, {"type": "errors", "format": hidden})
    chart = wb.add_chart({"type": "line"})
    for j, (colour, dash, marker) in enumerate((("#1F4E78", "solid", "none"), ("#C55A11", "solid", "circle"),
                                                ("#7F7F7F", "dash", "none")), 1):
        chart.add_series({"name": [name, budget_head, j], "categories": [name, budget_first, 0, budget_last, 0],
                          "values": [name, budget_first, j, budget_last, j],
                          "line": {"color": colour, "width": 2.25, "dash_type": dash},
                          "marker": {"type": marker, "size": 5, "fill": {"color": colour}, "border": {"color": colour}}})
    chart.set_title({"name": TEXTS["budget_curve"](lang), "name_font": TITLE_FONT})
    chart.set_y_axis({"num_format": amount_axis_format(styles.unit("money").num_format), "min": 0, "num_font": CHART_FONT,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"interval_unit": 1, "num_font": CHART_FONT})
    chart.set_legend({"position": "bottom", "font": CHART_FONT})
    chart.show_blanks_as("span")  # no point for #N/A; "gap" (the default) lets LibreOffice draw it as 0
    ws.insert_chart(top + 1, 0, chart, {"x_offset": 2, "y_offset": 4, "object_position": 3,
                                        "x_scale": left_px / 480, "y_scale": height / 288})

    # KPI curve data: the KPI picked (its title, the inputs of its trajectory), then one row per month.
    row = budget_last + 2
    curve = fig.kpi_curve(selected_id)
    ws.write_string(row, 0, TEXTS["kpi_curve"](lang), head)
    ws.write_formula(row, 1, f'={selected}&""', head, id_text(selected_id) or "")
    row += 1
    fields = (("kpi_title", synthesis.kpi_curve_title_formula(selected, lang), curve.title, label_fmt),
              ("baseline", synthesis.kpi_start_formula(selected, lang), curve.baseline, number),
              ("kpi_target", synthesis.kpi_field_formula(selected, "target", lang), curve.target, number),
              ("objective_id", synthesis.kpi_field_formula(selected, "objective_id", lang), curve.objective_id, label_fmt))
    cells = {}
    for key, formula, value, fmt in fields:
        ws.write_string(row, 0, TEXTS[key](lang), label_fmt)
        ws.write_formula(row, 1, "=" + formula, fmt, "" if value is None else value)
        cells[key] = (row, f"$B${row + 1}")
        row += 1
    ws.write_string(row, 0, TEXTS["deadline_month"](lang), label_fmt)
    ws.write_formula(row, 1, "=" + synthesis.kpi_deadline_formula(cells["objective_id"][1], lang),
                     styles.value(Kind.INTEGER, locked=True), curve.deadline_month)
    deadline = f"$B${row + 1}"
    row += 1
    ws.write_row(row, 0, [TEXTS["month"](lang), TEXTS["trajectory"](lang), KPI_SERIES.label("actual", lang)], head)
    ws.set_row(row, 2 * layout.LINE_HEIGHT)  # "Cible (trajectoire)" on two lines
    writer.row_heights[(ws.name, row)] = 2 * layout.LINE_HEIGHT
    kpi_head, kpi_first = row, row + 1
    for j, (target, actual) in enumerate(curve.points, 1):
        r = kpi_first + j - 1
        ws.write_string(r, 0, MONTHS[lang][j - 1], label_fmt)
        ws.write_formula(r, 1, "=" + synthesis.kpi_curve_target_formula(
            j, selected, cells["baseline"][1], cells["kpi_target"][1], deadline, lang), number,
            synthesis.NO_POINT if target is None else target)
        ws.write_formula(r, 2, "=" + synthesis.kpi_curve_actual_formula(j, selected, lang), number,
                         synthesis.NO_POINT if actual is None else actual)
    kpi_last = kpi_first + 11
    ws.conditional_format(kpi_first, 1, kpi_last, 2, {"type": "errors", "format": hidden})
    unit = looked_up_unit(writer, KPIS, "unit", selected)   # the picked KPI's figures in its unit (a % as such)
    unit_formats(writer, ws, cells["baseline"][0], cells["kpi_target"][0], unit, [1])
    unit_formats(writer, ws, kpi_first, kpi_last, unit, [1, 2])
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"name": [name, kpi_head, 1], "categories": [name, kpi_first, 0, kpi_last, 0],
                      "values": [name, kpi_first, 1, kpi_last, 1],
                      "line": {"color": "#404040", "width": 2, "dash_type": "dash"}, "marker": {"type": "none"}})
    chart.add_series({"name": [name, kpi_head, 2], "categories": [name, kpi_first, 0, kpi_last, 0],
                      "values": [name, kpi_first, 2, kpi_last, 2], "line": {"color": "#2E75B6", "width": 2.5},
                      "marker": {"type": "circle", "size": 6, "fill": {"color": "#2E75B6"}, "border": {"color": "#2E75B6"}}})
    chart.set_title({"name": [name, cells["kpi_title"][0], 1], "name_font": TITLE_FONT})
    chart.set_y_axis({"num_format": KPI_AXIS_FORMAT, "num_font": CHART_FONT,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_x_axis({"interval_unit": 1, "num_font": CHART_FONT})
    chart.set_legend({"position": "bottom", "font": CHART_FONT})
    chart.show_blanks_as("span")  # no point for #N/A; "gap" (the default) lets LibreOffice draw it as 0
    ws.insert_chart(top + 1, 4, chart, {"x_offset": 4, "y_offset": 4, "object_position": 3,
                                        "x_scale": right_px / 480, "y_scale": height / 288})
    return kpi_last


def _timeline(writer: SheetContext, ws: Any, top: int, n: int) -> int:
    """The action timeline from row *top*, *n* action rows; return the first row free below it."""
    lang, styles, wb, fig = writer.lang, writer.styles, writer.wb, writer.figures
    year = writer.identity.year
    ws.write_string(top, 0, TEXTS["timeline"](lang), styles.subtitle)
    # Two hidden rows hold each half month's first and last day: the conditional formats compare with them.
    starts, ends = top + 2, top + 3
    date_fmt = styles.value(Kind.DATE, locked=True)
    for j in range(SLOTS):
        month, half = j // 2 + 1, j % 2
        first = dt.date(year, month, 16 if half else 1)
        last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)) if half else dt.date(year, month, 15)
        ws.write_formula(starts, 4 + j, f"=DATE({schema.NAME_YEAR},{month},{16 if half else 1})", date_fmt, synthesis.serial(first))
        end_formula = f"=DATE({schema.NAME_YEAR},{month},15)" if not half else f"=DATE({schema.NAME_YEAR},{month + 1},1)-1"
        ws.write_formula(ends, 4 + j, end_formula, date_fmt, synthesis.serial(last))
    ws.set_row(starts, None, None, {"hidden": True})
    ws.set_row(ends, None, None, {"hidden": True})
    header = top + 4
    head = styles.header(required=False, computed=True)
    ws.write_row(header, 0, [TEXTS[k](lang) for k in ("action", "start", "end", "status")], head)
    for m, month_name in enumerate(MONTHS[lang]):
        ws.merge_range(header, 4 + 2 * m, header, 5 + 2 * m, month_name, head)
    first_row = header + 1
    last_row = first_row + n - 1
    actions = writer.plan.rows("actions")
    text = styles.value(Kind.TEXT, locked=True, wrap=True)
    date_fmt = styles.value(Kind.DATE, locked=True)
    grid = wb.add_format({"border": 1, "border_color": "#E0E0E0"})
    for k in range(n):
        r, pos = first_row + k, str(k + 1)
        action = actions[k] if k < len(actions) else {}
        label = f"{action['id']} {action.get('title', '')}" if action.get("id") else ""
        ws.write_formula(r, 0, f'=IF({synthesis.indexed(ACTIONS, "id", pos, lang)}="","",'
                               f'{synthesis.indexed(ACTIONS, "id", pos, lang)}&" "&{synthesis.indexed(ACTIONS, "title", pos, lang)})',
                         text, label)
        if layout.text_lines(label, LABEL_W) > 1:
            height = layout.LINE_HEIGHT * min(3, layout.text_lines(label, LABEL_W))
            ws.set_row(r, height)
            writer.row_heights[(ws.name, r)] = height
        for c, key in ((1, "start"), (2, "end")):
            value = synthesis.serial(action.get(key))
            ws.write_formula(r, c, "=" + synthesis.indexed(ACTIONS, key, pos, lang), date_fmt, "" if value is None else value)
        status = fig.value("actions", k, "status") if k < len(actions) else None
        ws.write_formula(r, 3, "=" + synthesis.indexed(ACTIONS, "status", pos, lang), text, status or "")
        for j in range(SLOTS):
            ws.write_blank(r, 4 + j, None, grid)
    # Bars: a cell is part of an action's bar when the half month overlaps [start, end].
    s, e, st = (f"${c}{first_row + 1}" for c in "BCD")
    slot_start, slot_end = f"E${starts + 1}", f"E${ends + 1}"
    active = f"AND(ISNUMBER({s}),ISNUMBER({e}),{s}<={slot_end},{e}>={slot_start})"
    closed = ",".join(f'{st}<>"{ACTION_STATUS.label(code, lang)}"' for code in synthesis.CLOSED_STATUSES)
    rules = [(f"AND({active},{e}<{schema.NAME_AS_OF},{closed})", LATE_COLOUR)]
    rules += [(f'AND({active},{st}="{ACTION_STATUS.label(code, lang)}")', colour) for code, colour in STATUS_COLOURS.items()]
    rules.append((active, STATUS_COLOURS["in_progress"]))
    for criteria, colour in rules:
        ws.conditional_format(first_row, 4, last_row, 3 + SLOTS, {
            "type": "formula", "criteria": "=" + criteria, "stop_if_true": True,
            "format": wb.add_format({"bg_color": colour, "pattern": 1, "fg_color": colour})})
    today = f"AND({schema.NAME_AS_OF}>={slot_start},{schema.NAME_AS_OF}<={slot_end})"
    ws.conditional_format(header, 4, last_row, 3 + SLOTS, {
        "type": "formula", "criteria": "=" + today,
        "format": wb.add_format({"left": 2, "left_color": TODAY_COLOUR, "right": 2, "right_color": TODAY_COLOUR,
                                 "bg_color": "#FDE9E9"})})
    # Legend, above the timeline (rows *top* and *top* + 1, right of the title).
    legend = top
    items = [(ACTION_STATUS.label(code, lang), colour) for code, colour in STATUS_COLOURS.items()]
    items += [(TEXTS["late"](lang), LATE_COLOUR), (TEXTS["today"](lang), "#FDE9E9")]
    for i, (text_label, colour) in enumerate(items):
        r = legend + i // 4
        c = 4 + (i % 4) * 6
        ws.write_blank(r, c, None, wb.add_format({"bg_color": colour, "border": 1,
                                                  "border_color": TODAY_COLOUR if colour == "#FDE9E9" else colour}))
        ws.write_string(r, c + 1, text_label)
    return last_row + 2
