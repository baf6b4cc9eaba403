"""Conditional formats of the data tables: what needs attention stands out, figures show in their unit.

Native Excel conditional formats (no macro), which LibreOffice reads too:

- KPI status and objective status as traffic lights (green / amber / red), the
  SMART check green when "OK" and red otherwise, review verdicts likewise;
- overspending: an actual above its planned amount (budget lines), a spend above
  last year's budget, a negative ROI;
- late actions: an end date before the situation date (``mplan_as_of``) while
  the status is neither done nor cancelled;
- attainment and achievement rate as data bars (0 to 100 %);
- numbers in their unit (:data:`mplan_xl.core.schema.UNIT_FIGURES`): a figure whose
  unit is ``%`` shows as a percentage (it is a fraction), one in the plan's
  currency as money, a whole number without decimals; a monthly KPI value
  takes its KPI's unit.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from ..core import schema
from ..core.metrics import LANDING_TOLERANCE
from ..core.schema import Table
from ..core.smart import SMART_OK
from ..core.vocabulary import ACTION_STATUS, KPI_STATUS, VERDICT
from .styles import ACTION_STATUS_COLOURS
from .synthesis import CLOSED_STATUSES

DATA_BAR = {"type": "data_bar", "bar_color": "#63BE7B", "bar_solid": True, "min_type": "num", "min_value": 0,
            "max_type": "num", "max_value": 1}
TRAFFIC = {"on_track": "good", "at_risk": "neutral", "off_track": "bad"}
VERDICTS = {"keep": "good", "improve": "neutral", "abandon": "bad"}


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def traffic_lights(writer: Any, ws: Any, first_row: int, col: int, last_row: int, codes: dict[str, str],
                   choices: Any = KPI_STATUS) -> None:
    """Colour the cells of one column by the label they hold (*codes*: choice code -> good / neutral / bad)."""
    for code, style in codes.items():
        ws.conditional_format(first_row, col, last_row, col, {
            "type": "cell", "criteria": "==", "value": _q(choices.label(code, writer.lang)),
            "format": getattr(writer.styles, style)})


def _unit_cell(writer: Any, sheet: Table, spec: schema.UnitFigures, first_row: int, first_col: int) -> str:
    """The expression of the unit of the first row: its own unit cell, or the unit of the row it refers to."""
    if spec.via is None:
        return xl_rowcol_to_cell(first_row, first_col + sheet.index(spec.unit), col_abs=True)
    ref = xl_rowcol_to_cell(first_row, first_col + sheet.index(spec.via), col_abs=True)
    return looked_up_unit(writer, sheet.column(spec.via).ref_table, spec.unit, ref)


def looked_up_unit(writer: Any, table: Table, unit: str, row_id: str) -> str:
    """The expression of column *unit* of the row of *table* whose id is in cell *row_id*, blank without one:
    looked up in whole columns of the table's sheet (a conditional format takes no structured reference), so
    rows the team adds are found too."""
    _, first_col = writer.table_ranges[table.key][:2]
    sheet_name = "'" + writer.name_of(table.worksheet).replace("'", "''") + "'!"

    def whole(key: str) -> str:
        letter = xl_col_to_name(first_col + table.index(key), col_abs=True)
        return f"{sheet_name}{letter}:{letter}"

    return f'IFERROR(INDEX({whole(unit)},MATCH({row_id},{whole(table.id_column_key)},0))&"","")'


def unit_formats(writer: Any, ws: Any, first_row: int, last_row: int, unit: int | str, cols: list[int]) -> None:
    """Show each figure of *cols* in the unit of its row: written in column *unit*, or given by the expression
    *unit* (of the first row)."""
    unit = xl_rowcol_to_cell(first_row, unit, col_abs=True) if isinstance(unit, int) else unit
    symbol, code = writer.identity.currency_symbol, writer.identity.currency
    for col in cols:
        value = xl_rowcol_to_cell(first_row, col)
        number = f"ISNUMBER({value})"
        money = f"OR(TRIM({unit})={_q(symbol)},UPPER(TRIM({unit}))={_q(code.upper())})"
        whole = f"{value}=INT({value})"
        rules = ((f"AND({number},{schema.percent_unit_formula(unit)})", writer.styles.unit("percent")),
                 (f"AND({number},{money},{whole})", writer.styles.unit("money")),
                 (f"AND({number},{money})", writer.styles.unit("cents")),
                 (f"AND({number},{whole})", writer.styles.unit("count")))
        for criteria, fmt in rules:
            ws.conditional_format(first_row, col, last_row, col, {
                "type": "formula", "criteria": "=" + criteria, "format": fmt, "stop_if_true": True})


def conditional_formats(writer: Any, ws: Any, sheet: Table, first_row: int, first_col: int, last_row: int) -> None:
    """Every conditional format of one table (rows *first_row*..*last_row*, table starting at *first_col*)."""
    col = {c.key: first_col + sheet.index(c.key) for c in sheet.columns}
    cell = {key: xl_rowcol_to_cell(first_row, c, col_abs=True) for key, c in col.items()}
    styles, lang = writer.styles, writer.lang

    def rule(keys: tuple[str, ...], criteria: str, fmt: Any) -> None:
        for key in keys:
            ws.conditional_format(first_row, col[key], last_row, col[key],
                                  {"type": "formula", "criteria": "=" + criteria, "format": fmt})

    for spec in schema.UNIT_FIGURES:
        if spec.table == sheet.key:
            unit_formats(writer, ws, first_row, last_row, _unit_cell(writer, sheet, spec, first_row, first_col),
                         [col[k] for k in spec.figures])
    if sheet.key == "kpis":
        traffic_lights(writer, ws, first_row, col["status"], last_row, TRAFFIC)
        ws.conditional_format(first_row, col["attainment"], last_row, col["attainment"], DATA_BAR)
    elif sheet.key == "objectives":
        rule(("smart",), f'{cell["smart"]}="{SMART_OK}"', styles.good)
        rule(("smart",), f'AND({cell["smart"]}<>"",{cell["smart"]}<>"{SMART_OK}")', styles.bad)
    elif sheet.key == "actions":
        closed = ",".join(f'{cell["status"]}<>{_q(ACTION_STATUS.label(code, lang))}' for code in CLOSED_STATUSES)
        late = f'AND({cell["id"]}<>"",ISNUMBER({cell["end"]}),{cell["end"]}<{schema.NAME_AS_OF},{closed})'
        rule(("id", "end", "status"), late, styles.bad)
        for code, colour in ACTION_STATUS_COLOURS.items():   # each status word in its timeline colour
            ws.conditional_format(first_row, col["status"], last_row, col["status"], {
                "type": "cell", "criteria": "==", "value": _q(ACTION_STATUS.label(code, lang)),
                "format": writer.wb.add_format({"bg_color": colour, "font_color": "#FFFFFF" if code == "in_progress"
                                                else "#000000"})})
        rule(("roi",), f'AND(ISNUMBER({cell["roi"]}),{cell["roi"]}<0)', styles.bad_font)
    elif sheet.key == "budget":
        over = f'AND(ISNUMBER({cell["actual"]}),ISNUMBER({cell["planned"]}),{cell["actual"]}>{cell["planned"]})'
        rule(("actual", "variance", "variance_pct"), over, styles.bad)
        committed = (f'AND(ISNUMBER({cell["committed"]}),ISNUMBER({cell["planned"]}),'
                     f'{cell["committed"]}>{cell["planned"]})')
        rule(("committed",), committed, styles.neutral)
        landing_over = f'AND(ISNUMBER({cell["landing_variance"]}),{cell["landing_variance"]}>{LANDING_TOLERANCE})'
        rule(("landing", "landing_variance"), landing_over, styles.bad)
        rule(("landing",), f'ISNUMBER({cell["reforecast"]})', styles.typed)   # the team's re-forecast, shown as such
    elif sheet.key == "review":
        rule(("budget_variance",), f'AND(ISNUMBER({cell["budget_variance"]}),{cell["budget_variance"]}>0)', styles.bad)
        rule(("roi",), f'AND(ISNUMBER({cell["roi"]}),{cell["roi"]}<0)', styles.bad_font)
        ws.conditional_format(first_row, col["achievement"], last_row, col["achievement"], DATA_BAR)
        traffic_lights(writer, ws, first_row, col["verdict"], last_row, VERDICTS, VERDICT)
