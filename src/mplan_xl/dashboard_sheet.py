"""The Tableau de bord / Dashboard sheet: native Excel charts fed by the tables.

Four charts: budget planned vs actual by expense item, objectives by SMART
status, KPI attainment, and the actions on a month timeline (a Gantt drawn as
a stacked bar chart whose first series is invisible). Small helper ranges on
the sheet aggregate the tables with plain formulas, so the charts work in
every runtime and in LibreOffice; their cached values are computed in Python.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .computed import structured_ref
from .schema import ACTIONS, BUDGET, KPIS, OBJECTIVES, Kind
from .vocabulary import EXPENSE_ITEM, Label

TEXTS = {
    "title": Label("Tableau de bord {year}", "Dashboard {year}"),
    "budget": Label("Budget par poste : prévisionnel et réel", "Budget by expense item: planned and actual"),
    "item": Label("Poste", "Expense item"),
    "planned": Label("Prévisionnel", "Planned"),
    "actual": Label("Réel", "Actual"),
    "smart": Label("Objectifs par statut SMART", "Objectives by SMART status"),
    "status": Label("Statut", "Status"),
    "count": Label("Nombre", "Count"),
    "smart_ok": Label("SMART OK", "SMART OK"),
    "smart_review": Label("À revoir", "To review"),
    "kpi": Label("Atteinte des KPI", "KPI attainment"),
    "timeline": Label("Calendrier des actions", "Action timeline"),
    "action": Label("Action", "Action"),
    "start": Label("Début", "Start"),
    "days": Label("Durée (jours)", "Duration (days)"),
}

CHART_COL = 5
EXCEL_EPOCH = dt.date(1899, 12, 30)


def _serial(value: Any) -> float | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    return float((value - EXCEL_EPOCH).days) if isinstance(value, dt.date) else None


def _amount(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def write_dashboard(writer: Any, ws: Any) -> None:
    """Lay out the dashboard; *writer* is the workbook writer of :mod:`mplan_xl.builder`."""
    lang, styles, wb = writer.lang, writer.styles, writer.wb
    name = writer.name_of("dashboard")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 3, 14)
    ws.write_string(0, 0, TEXTS["title"](lang).format(year=writer.identity.year), styles.title)
    head = styles.header(required=False, computed=True)
    money, count = styles.value(Kind.MONEY, locked=True), styles.value(Kind.INTEGER, locked=True)

    # 1. Budget by expense item.
    top = 2
    ws.write_string(top, 0, TEXTS["budget"](lang), styles.subtitle)
    ws.write_row(top + 1, 0, [TEXTS["item"](lang), TEXTS["planned"](lang), TEXTS["actual"](lang)], head)
    items_col = structured_ref(BUDGET, "item", lang, this_row=False)
    budget_rows = writer.plan.rows("budget")
    for i, code in enumerate(EXPENSE_ITEM.codes):
        row = top + 2 + i
        label = EXPENSE_ITEM.label(code, lang)
        ws.write_string(row, 0, label, styles.value(Kind.TEXT, locked=True))
        for j, key in enumerate(("planned", "actual"), 1):
            cached = sum(_amount(r.get(key)) for r in budget_rows if r.get("item") == code)
            formula = f"=SUMIFS({structured_ref(BUDGET, key, lang, this_row=False)},{items_col},$A{row + 1})"
            ws.write_formula(row, j, formula, money, cached)
    last = top + 1 + len(EXPENSE_ITEM.codes)
    chart = wb.add_chart({"type": "column"})
    for j, key in enumerate(("planned", "actual"), 1):
        chart.add_series({"name": [name, top + 1, j], "categories": [name, top + 2, 0, last, 0],
                          "values": [name, top + 2, j, last, j]})
    chart.set_title({"name": TEXTS["budget"](lang)})
    chart.set_y_axis({"num_format": styles.cell(Kind.MONEY, True).num_format})
    ws.insert_chart(top, CHART_COL, chart, {"x_scale": 1.4, "y_scale": 1.1})

    # 2. Objectives by SMART status.
    top = last + 9
    ws.write_string(top, 0, TEXTS["smart"](lang), styles.subtitle)
    ws.write_row(top + 1, 0, [TEXTS["status"](lang), TEXTS["count"](lang)], head)
    ok = sum(1 for text in writer.smart_texts.values() if text == "OK")
    ids = structured_ref(OBJECTIVES, "id", lang, this_row=False)
    smart_col = structured_ref(OBJECTIVES, "smart", lang, this_row=False)
    ws.write_string(top + 2, 0, TEXTS["smart_ok"](lang), styles.value(Kind.TEXT, locked=True))
    ws.write_formula(top + 2, 1, f'=COUNTIF({smart_col},"OK")', count, ok)
    ws.write_string(top + 3, 0, TEXTS["smart_review"](lang), styles.value(Kind.TEXT, locked=True))
    ws.write_formula(top + 3, 1, f'=SUMPRODUCT(--({ids}<>""))-COUNTIF({smart_col},"OK")', count,
                     len(writer.smart_texts) - ok)
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({"name": TEXTS["smart"](lang), "categories": [name, top + 2, 0, top + 3, 0],
                      "values": [name, top + 2, 1, top + 3, 1], "data_labels": {"value": True},
                      "points": [{"fill": {"color": "#2E7D32"}}, {"fill": {"color": "#C00000"}}]})
    chart.set_title({"name": TEXTS["smart"](lang)})
    ws.insert_chart(top, CHART_COL, chart)

    # 3. KPI attainment, straight from the KPI table.
    top += 16
    ws.write_string(top, 0, TEXTS["kpi"](lang), styles.subtitle)
    first, first_col, last_kpi, _ = writer.table_ranges["kpis"]
    kpi_sheet = writer.name_of("kpis")
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({"name": TEXTS["kpi"](lang),
                      "categories": [kpi_sheet, first, first_col + KPIS.index("name"), last_kpi, first_col + KPIS.index("name")],
                      "values": [kpi_sheet, first, first_col + KPIS.index("attainment"), last_kpi, first_col + KPIS.index("attainment")]})
    chart.set_title({"name": TEXTS["kpi"](lang)})
    chart.set_x_axis({"num_format": "0%"})
    chart.set_legend({"none": True})
    ws.insert_chart(top, CHART_COL, chart, {"x_scale": 1.4, "y_scale": 1.3})

    # 4. Actions on a month timeline (Gantt).
    top += 22
    ws.write_string(top, 0, TEXTS["timeline"](lang), styles.subtitle)
    ws.write_row(top + 1, 0, [TEXTS["action"](lang), TEXTS["start"](lang), TEXTS["days"](lang)], head)
    a_first, _, a_last, _ = writer.table_ranges["actions"]
    n = a_last - a_first + 1
    col_id, col_title = (structured_ref(ACTIONS, k, lang, this_row=False) for k in ("id", "title"))
    col_start, col_end = (structured_ref(ACTIONS, k, lang, this_row=False) for k in ("start", "end"))
    actions = writer.plan.rows("actions")
    date_fmt = styles.value(Kind.DATE, locked=True)
    for k in range(n):
        row, idx = top + 2 + k, k + 1
        action = actions[k] if k < len(actions) else {}
        start, end = _serial(action.get("start")), _serial(action.get("end"))
        label = f"{action['id']} {action.get('title', '')}" if action.get("id") else ""
        ws.write_formula(row, 0, f'=IF(INDEX({col_id},{idx})="","",INDEX({col_id},{idx})&" "&INDEX({col_title},{idx}))',
                         styles.value(Kind.TEXT, locked=True), label)
        ws.write_formula(row, 1, f'=IF(ISNUMBER(INDEX({col_start},{idx})),INDEX({col_start},{idx}),"")', date_fmt,
                         "" if start is None else start)
        ws.write_formula(row, 2, f'=IF(AND(ISNUMBER(INDEX({col_start},{idx})),ISNUMBER(INDEX({col_end},{idx}))),'
                                 f'INDEX({col_end},{idx})-INDEX({col_start},{idx})+1,"")', count,
                         "" if start is None or end is None else end - start + 1)
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    last_row = top + 1 + n
    chart.add_series({"categories": [name, top + 2, 0, last_row, 0], "values": [name, top + 2, 1, last_row, 1],
                      "fill": {"none": True}, "border": {"none": True}})
    chart.add_series({"name": TEXTS["days"](lang), "categories": [name, top + 2, 0, last_row, 0],
                      "values": [name, top + 2, 2, last_row, 2], "fill": {"color": "#1F4E78"}})
    year = writer.identity.year
    chart.set_x_axis({"min": _serial(dt.date(year, 1, 1)), "max": _serial(dt.date(year, 12, 31)),
                      "num_format": "mmm", "major_unit": 30.5, "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_title({"name": TEXTS["timeline"](lang)})
    ws.insert_chart(top, CHART_COL, chart, {"x_scale": 1.6, "y_scale": max(1.2, n / 14)})
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
