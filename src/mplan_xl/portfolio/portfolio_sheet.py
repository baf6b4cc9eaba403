"""The portfolio workbook of ``mplan-xl consolidate``: finance's view across teams.

Written with XlsxWriter from the consolidation database (every plan loaded so
far, not only the last run), one sheet per view, each with native Excel
charts where a chart helps:

===========================  ====================================================================
sheet (fr / en)              content
===========================  ====================================================================
Synthèse / Overview          one row per plan: team, year, file, template version, currency,
                             envelope, objectives, actions, KPIs, warnings, loaded on, status
                             (submitted, approved, modified after approval)
Budget par équipe / by team  planned, committed, actual, variance, variance % per plan; chart
Budget par poste / by item   the same per expense item, all plans together; chart
KPI par équipe / by team     KPIs, KPIs measured, mean attainment, KPIs on track / at risk /
                             off track per plan; two charts
Plus gros écarts / Largest   the 25 budget lines furthest from plan (|actual − planned|)
Objectifs non SMART          objectives whose SMART check fails: of loaded plans, and those
                             reported by check in skipped files
Fichiers écartés / Skipped   every finding of the invalid and unreadable files
===========================  ====================================================================

Variances are live formulas rendered by :func:`mplan_xl.core.formulas.render`
(the same native formulas as the plan workbook, positive = overspent) and
totals are ``SUM`` formulas; their cached values are computed in Python by
the metrics core, so the file shows the right figures before any
recalculation and LibreOffice recalculates it to the same values. Mean
attainment is the plain mean of the attainments that can be computed.
Amounts are summed as they are: when plans use several currencies, the
Overview says so and amounts carry no currency symbol.

Example:
    >>> from mplan_xl.portfolio.consolidate import connect                                 # doctest: +SKIP
    >>> write_portfolio(connect("plans.duckdb"), "portfolio.xlsx", "en")          # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..core import formulas
from ..core.a1 import cell_name
from ..core.atomic import atomic_output
from ..core.computed import evaluate_metric
from ..core.plan import CURRENCIES
from ..core.schema import Kind
from ..core.vocabulary import EXPENSE_ITEM, Label
from ..read.inputs import OUTPUT_PROPERTY
from ..workbook.layout import LINE_HEIGHT, apply_print_setup, text_lines
from ..workbook.styles import (ATTAINMENT_COLOUR, BORDER_COLOR, BUDGET_COLOURS, Styles, date_format, money_format,
                               number_format, percent_format)
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
    "warning": Label("avertissement", "warning"),
}

# --- the views, as SQL on the consolidation database -----------------------------------------------------

VIEWS_SQL: Mapping[str, str] = {
    "overview": f"""
        SELECT p.company, p.year, p.file_name, p.template_version, p.currency, p.envelope,
               (SELECT count(*) FROM objectives o WHERE o.company = p.company AND o.year = p.year) AS objectives,
               (SELECT count(*) FROM actions a WHERE a.company = p.company AND a.year = p.year) AS actions,
               (SELECT count(*) FROM kpis k WHERE k.company = p.company AND k.year = p.year) AS kpis,
               p.warnings, p.loaded_at, s.status
        FROM plans p JOIN ({STATUS_SQL}) s ON s.company = p.company AND s.year = p.year
        ORDER BY p.company, p.year""",
    "budget_by_team": """
        SELECT p.company || ' ' || p.year AS plan, p.company, p.year,
               coalesce(sum(b.planned), 0) AS planned, coalesce(sum(b.committed), 0) AS committed,
               coalesce(sum(b.actual), 0) AS actual, p.as_of,
               coalesce(sum(b.planned_to_date), 0) AS planned_to_date, coalesce(sum(b.actual_to_date), 0) AS actual_to_date
        FROM plans p LEFT JOIN budget_lines b ON b.company = p.company AND b.year = p.year
        GROUP BY p.company, p.year, p.as_of ORDER BY p.company, p.year""",
    "budget_by_item": """
        SELECT item, coalesce(sum(planned), 0) AS planned, coalesce(sum(committed), 0) AS committed,
               coalesce(sum(actual), 0) AS actual
        FROM budget_lines GROUP BY item""",
    "kpi_by_team": """
        SELECT p.company || ' ' || p.year AS plan, p.company, p.year, count(k.id) AS kpis,
               count(k.attainment) AS measured, avg(k.attainment) AS attainment,
               count(*) FILTER (WHERE k.status = 'on_track') AS on_track,
               count(*) FILTER (WHERE k.status = 'at_risk') AS at_risk,
               count(*) FILTER (WHERE k.status = 'off_track') AS off_track
        FROM plans p LEFT JOIN kpis k ON k.company = p.company AND k.year = p.year
        GROUP BY p.company, p.year ORDER BY p.company, p.year""",
    "largest_variances": f"""
        SELECT b.company, b.year, b.id AS line, b.action_id, a.title AS action, b.item, b.planned, b.actual
        FROM budget_lines b
        LEFT JOIN actions a ON a.company = b.company AND a.year = b.year AND lower(a.id) = lower(b.action_id)
        WHERE b.variance IS NOT NULL AND b.variance <> 0
        ORDER BY abs(b.variance) DESC, b.company, b.year, b.id LIMIT {LARGEST}""",
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
}


def views(con: Any, lang: str = "fr") -> dict[str, Any]:
    """The portfolio's views as pandas DataFrames (expense items labelled in *lang*, in list order).

    Example:
        >>> from mplan_xl.portfolio.consolidate import connect                       # doctest: +SKIP
        >>> views(connect("plans.duckdb", read_only=True))["budget_by_team"]   # doctest: +SKIP
    """
    frames = {name: con.frame(sql) for name, sql in VIEWS_SQL.items()}
    frames["overview"]["status"] = frames["overview"]["status"].map(lambda c: T[c](lang))
    items = frames["budget_by_item"]
    order = {code: i for i, code in enumerate(EXPENSE_ITEM.codes)}
    items["order"] = items["item"].map(lambda c: order.get(c, len(order)))
    items["item"] = items["item"].map(lambda c: EXPENSE_ITEM.label(c, lang) if c in order else c)
    frames["budget_by_item"] = items.sort_values(["order", "item"]).drop(columns="order").reset_index(drop=True)
    for name in ("largest_variances",):
        frames[name]["item"] = frames[name]["item"].map(lambda c: EXPENSE_ITEM.label(c, lang) if c in order else c)
    smart = frames["not_smart"]
    smart["source"] = smart["source"].map(lambda s: T["src_loaded" if s == "loaded" else "src_skipped"](lang))
    skipped = frames["skipped"]
    for column in ("status", "severity"):
        skipped[column] = skipped[column].map(lambda c: T[c](lang) if c in T else c)
    currencies = con.rows("SELECT DISTINCT currency FROM plans WHERE currency IS NOT NULL ORDER BY 1")
    frames["currencies"] = [c for (c,) in currencies]
    return frames


# --- laying out a grid ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    """One column of a grid: a field of the view, or a metric computed from other columns by formula."""

    key: str
    kind: Kind = Kind.TEXT
    width: float = 14
    total: bool = False                      # SUM on the total row
    metric: tuple[str, Mapping[str, str]] | None = None   # (metrics function, {parameter: column key})
    time: bool = False                       # a date shown with its time of day




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


@dataclass
class _Writer:
    wb: Any
    lang: str
    symbol: str | None
    styles: Styles
    generated: str = ""
    _formats: dict[tuple, Any] = field(default_factory=dict)
    headers: dict[str, tuple[str, str]] = field(default_factory=dict)

    def fmt(self, kind: Kind, bold: bool = False, time: bool = False) -> Any:
        key = (kind, bold, time)
        if key not in self._formats:
            props: dict[str, Any] = {"border": 1, "border_color": BORDER_COLOR, "valign": "top", "bold": bold}
            if kind is Kind.MONEY:
                props["num_format"] = number_format(Kind.MONEY, self.lang, self.symbol) if self.symbol else "#,##0.00"
            elif kind is Kind.DATE:
                props["num_format"] = date_format(self.lang) + (" hh:mm" if time else "")
            elif kind in (Kind.LONG_TEXT, Kind.TEXT):
                props["text_wrap"] = True
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
        """Headers on row *top*, one row per record of *frame*, an optional total row; returns (first, last) data
        rows. *charts*: the heights (points) of the charts that go under the table, side by side (see
        :meth:`chart_row`): no page cuts them; *beside*: the width (characters) and height (points) of a chart
        right of the table, from its header row, one narrow column apart. A view without records prints nothing: its sheet is
        hidden."""
        if beside[0]:
            cols = [*cols, Col("", width=2), Col("", width=beside[0])]
            ws.set_column(len(cols) - 2, len(cols) - 2, 2)
            ws.set_column(len(cols) - 1, len(cols) - 1, beside[0])
        position = {c.key: j for j, c in enumerate(cols)}
        header = self.styles.header(required=False, computed=False)
        ws.set_row(top, 30)
        table = [c for c in cols if c.key]
        for j, col in enumerate(table):
            ws.write_string(top, j, T[col.key](self.lang), header)
            ws.set_column(j, j, col.width)
        records = [{k: _plain(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
        first = top + 1
        if not records:
            ws.write_string(first, 0, T["empty"](self.lang), self.styles.guidance)
            self.print_setup(ws, cols, [30.0, LINE_HEIGHT], top)
            if ws.name != T["s_overview"](self.lang):
                # Nothing to print: the sheet is hidden (Excel prints no hidden sheet) and its print range is
                # one blank cell (LibreOffice prints hidden sheets, never an empty page).
                ws.hide()
                ws.print_area(first + 2, 0, first + 2, 0)
            return first, first - 1
        for i, record in enumerate(records):
            self._row(ws, first + i, table, position, record)
        last = first + len(records) - 1
        if total:
            sums = {c.key: sum(r.get(c.key) or 0 for r in records) for c in table if c.total}
            self._row(ws, last + 1, table, position, {cols[0].key: T["total"](self.lang), **sums}, bold=True,
                      sum_rows=(first, last))
        ws.freeze_panes(top + 1, 0)
        ws.autofilter(top, 0, last, len(table) - 1)
        heights = [30.0] + [LINE_HEIGHT * min(10, max(text_lines(str(r.get(c.key) or ""), c.width) for c in table))
                            for r in records] + ([LINE_HEIGHT] if total else [])
        for i, h in enumerate(heights[1:len(records) + 1]):
            if h > LINE_HEIGHT:
                ws.set_row(first + i, h)
        blocks = [(self.chart_row(last, total), max(charts))] if charts else []
        while sum(heights) < beside[1]:   # the rows the chart beside the table spans print too
            heights.append(LINE_HEIGHT)
        self.print_setup(ws, cols, heights, top, blocks)
        return first, last

    def print_setup(self, ws: Any, cols: Sequence[Col], heights: Sequence[float], top: int,
                    blocks: Sequence[tuple[int, float]] = ()) -> None:
        """One page wide, rows flowing, the header row repeated, the charts (*blocks*) never cut by a page."""
        head, foot = self.headers[ws.name]
        apply_print_setup(ws, [c.width for c in cols], heights, header_row=top, first_measured_row=top,
                          title_height=LINE_HEIGHT * (top + 1), header=head, footer=foot, blocks=blocks)
        if any(ws.vbreaks):   # a portfolio sheet prints one page wide, whatever the scale
            ws.vbreaks = []
            ws.fit_to_pages(1, 0)
        last = top + len(heights) - 1 + (1 + int(max((h for _, h in blocks), default=0) / LINE_HEIGHT) + 2 if blocks else 0)
        ws.print_area(0, 0, last, len(cols) - 1)

    @staticmethod
    def chart_row(last: int, total: bool) -> int:
        """The row the charts of a table whose last record is on row *last* start on: one row under the table."""
        return last + int(total) + 2

    def _row(self, ws: Any, r: int, cols: Sequence[Col], position: Mapping[str, int], record: Mapping[str, Any],
             bold: bool = False, sum_rows: tuple[int, int] | None = None) -> None:
        for j, col in enumerate(cols):
            fmt = self.fmt(col.kind, bold, col.time)
            if col.metric is not None:
                name, args = col.metric
                refs = {param: cell_name(r, position[key]) for param, key in args.items()}
                value = evaluate_metric(name, {param: record.get(key) for param, key in args.items()}, self.lang)
                ws.write_formula(r, j, "=" + formulas.render(name, "native", refs, self.lang), fmt,
                                 "" if value is None else value)
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
        for i, (name, col_) in enumerate(series):
            chart.add_series({"name": name, "categories": [sheet_name, first, cat_col, last, cat_col],
                              "values": [sheet_name, first, col_, last, col_],
                              **({"fill": {"color": colors[i]}} if i < len(colors) else {})})
        chart.set_title({"name": title, "name_font": {"size": 12}})
        value_axis = {"num_format": num_format} if num_format else {}
        if kind == "bar":
            chart.set_x_axis(value_axis)
            chart.set_y_axis({"reverse": True, "interval_unit": 1})
        else:
            chart.set_y_axis(value_axis)
            chart.set_x_axis({"interval_unit": 1})
        chart.set_legend({"position": "bottom"})
        ws.insert_chart(row, col, chart, {"x_offset": 2, "y_offset": 2, "object_position": 3,
                                          "x_scale": size[0] / 480, "y_scale": size[1] / 288})

    def whole_money(self) -> str:
        """The number format of an amount on a chart's axis: no cents."""
        return money_format(self.lang, self.symbol, 0) if self.symbol else "#,##0"


def _pixels(cols: Sequence[Col]) -> int:
    """The width (pixels) of the columns *cols*: a chart under them is as wide as the table."""
    return sum(int(c.width * 7 + 5 + 0.5) for c in cols)


#: On track, at risk, off track.
STATUS_COLORS = ("#2E7D32", "#ED7D31", "#C00000")
MONEY_COLS = (Col("planned", Kind.MONEY, total=True), Col("committed", Kind.MONEY, total=True),
              Col("actual", Kind.MONEY, total=True))
VARIANCE_COLS = (Col("variance", Kind.MONEY, metric=("variance", {"actual": "actual", "target": "planned"})),
                 Col("variance_pct", Kind.PERCENT, 11, metric=("variance_pct", {"actual": "actual", "target": "planned"})))

#: Each team's budget at its own situation date: planned and actual to date, and their variance.
TO_DATE_COLS = (Col("as_of", Kind.DATE, 12), Col("planned_to_date", Kind.MONEY, total=True),
                Col("actual_to_date", Kind.MONEY, total=True),
                Col("variance_to_date", Kind.MONEY, metric=("variance", {"actual": "actual_to_date", "target": "planned_to_date"})))


def write_portfolio(con: Database, path: str | os.PathLike, lang: str = "fr", db_name: str | None = None) -> Path:
    """Write the portfolio workbook of the database open on *con* (DuckDB or PostgreSQL) to *path* (replaced atomically)."""
    from ..workbook import xlsx_writer

    frames = views(con, lang)
    currencies = frames["currencies"]
    symbol = CURRENCIES.get(currencies[0]) if len(currencies) == 1 else None
    path = Path(path)
    if db_name is None:
        db_name = con.name if con.kind == "postgresql" else Path(con.name).name
    with atomic_output(path, force=True) as tmp:
        wb = xlsx_writer.workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
        try:
            w = _Writer(wb, lang, symbol, Styles(wb, lang, symbol or ""),
                        T["generated"](lang).format(date=dt.date.today().isoformat(), db=db_name).replace("&", "&&"))
            wb.set_properties({"title": T["title"](lang), "keywords": "mplan-xl portfolio"})
            wb.set_custom_property(OUTPUT_PROPERTY, "portfolio")   # a folder scan skips it (mplan_xl.read.inputs)
            _overview(w, frames, lang, db_name)
            _budget_by_team(w, frames["budget_by_team"], lang)
            _budget_by_item(w, frames["budget_by_item"], lang)
            _kpi_by_team(w, frames["kpi_by_team"], lang)
            ws = w.sheet("s_variances", T["t_variances"](lang).format(n=LARGEST), [T["variance_note"](lang)])
            w.grid(ws, 3, (Col("company", width=24), Col("year", Kind.INTEGER, 7), Col("line", width=8),
                           Col("action_id", width=8), Col("action", Kind.LONG_TEXT, 48), Col("item", width=20),
                           Col("planned", Kind.MONEY), Col("actual", Kind.MONEY), *VARIANCE_COLS),
                   frames["largest_variances"])
            ws = w.sheet("s_smart", T["t_smart"](lang))
            w.grid(ws, 2, (Col("source", width=14), Col("company", width=24), Col("year", Kind.INTEGER, 7),
                           Col("objective", width=10), Col("statement", Kind.LONG_TEXT, 40), Col("smart", Kind.LONG_TEXT, 50),
                           Col("file", Kind.LONG_TEXT, 30), Col("cell", width=8)), frames["not_smart"])
            ws = w.sheet("s_skipped", T["t_skipped"](lang))
            w.grid(ws, 2, (Col("file", Kind.LONG_TEXT, 30), Col("status", width=11), Col("severity", width=11),
                           Col("code", width=24), Col("sheet", width=14), Col("cell", width=8), Col("row_id", width=9),
                           Col("message", Kind.LONG_TEXT, 50), Col("hint", Kind.LONG_TEXT, 36)),
                   frames["skipped"].rename(columns={"path": "file"}))
        finally:
            wb.close()
    return path


def _overview(w: _Writer, frames: Mapping[str, Any], lang: str, db_name: str) -> None:
    overview = frames["overview"]
    notes = [T["generated"](lang).format(date=dt.date.today().isoformat(), db=db_name),
             T["counts"](lang).format(plans=len(overview), teams=overview["company"].nunique(),
                                      skipped=frames["skipped"]["path"].nunique())]
    if len(frames["currencies"]) > 1:
        notes.append(T["currencies"](lang).format(currencies=", ".join(frames["currencies"])))
    ws = w.sheet("s_overview", T["title"](lang), notes)
    ws.activate()
    w.grid(ws, len(notes) + 2, (
        Col("company", width=28), Col("year", Kind.INTEGER, 7), Col("file", width=30), Col("version", width=10),
        Col("currency", width=8), Col("envelope", Kind.MONEY, total=True), Col("objectives", Kind.INTEGER, 10, True),
        Col("actions", Kind.INTEGER, 9, True), Col("kpis", Kind.INTEGER, 7, True), Col("warnings", Kind.INTEGER, 13, True),
        Col("loaded_at", Kind.DATE, 17, time=True), Col("status", width=22)),
        overview.rename(columns={"file_name": "file", "template_version": "version"}), total=True)


#: Height (pixels) of a portfolio chart, and what each category adds to a bar chart's height.
CHART_PX, BAR_PX = 300, 26
BUDGET_KEYS = ("planned", "committed", "actual")


def _budget_by_team(w: _Writer, frame: Any, lang: str) -> None:
    name = T["s_team"](lang)[:31]
    ws = w.sheet("s_team", T["t_team"](lang), [T["variance_note"](lang)])
    cols = (Col("plan", width=30), Col("company", width=24), Col("year", Kind.INTEGER, 7), *MONEY_COLS,
            *VARIANCE_COLS, *TO_DATE_COLS)
    height = max(CHART_PX, 90 + BAR_PX * len(frame))
    first, last = w.grid(ws, 3, cols, frame, total=True, charts=[height * 0.75])
    w.chart(ws, "column", name, (first, last, 0), [(T[k](lang), 3 + i) for i, k in enumerate(BUDGET_KEYS)],
            T["t_team"](lang), w.chart_row(last, True), size=(min(_pixels(cols), 900), height),
            num_format=w.whole_money(), colors=[BUDGET_COLOURS[k] for k in BUDGET_KEYS])


def _budget_by_item(w: _Writer, frame: Any, lang: str) -> None:
    name = T["s_item"](lang)[:31]
    ws = w.sheet("s_item", T["t_item"](lang), [T["variance_note"](lang)])
    cols = (Col("item", width=26), *MONEY_COLS, *VARIANCE_COLS)
    # Beside the table (as tall as it, or taller with many items): the bars of each item by its row.
    width, height = 64, max(CHART_PX, int((30 + LINE_HEIGHT * (len(frame) + 1)) / 0.75), 90 + 36 * len(frame))
    first, last = w.grid(ws, 3, cols, frame, total=True, beside=(width, height * 0.75))
    w.chart(ws, "bar", name, (first, last, 0), [(T[k](lang), 1 + i) for i, k in enumerate(BUDGET_KEYS)],
            T["t_item"](lang), 3, len(cols) + 1, size=(int(width * 7 + 5) - 8, height), num_format=w.whole_money(),
            colors=[BUDGET_COLOURS[k] for k in BUDGET_KEYS])


def _kpi_by_team(w: _Writer, frame: Any, lang: str) -> None:
    name = T["s_kpi"](lang)[:31]
    ws = w.sheet("s_kpi", T["t_kpi"](lang))
    cols = (Col("plan", width=30), Col("company", width=24), Col("year", Kind.INTEGER, 7), Col("kpis", Kind.INTEGER, 7, True),
            Col("measured", Kind.INTEGER, 10, True), Col("attainment", Kind.PERCENT, 12),
            Col("on_track", Kind.INTEGER, 11, True), Col("at_risk", Kind.INTEGER, 11, True),
            Col("off_track", Kind.INTEGER, 11, True))
    height = max(CHART_PX, 90 + BAR_PX * len(frame))
    first, last = w.grid(ws, 2, cols, frame, total=True, charts=[height * 0.75])
    # Two charts side by side under the table: the first over the first columns, the second over the rest.
    split = next(i for i in range(len(cols)) if _pixels(cols[:i + 1]) >= _pixels(cols) / 2)
    row = w.chart_row(last, True)
    w.chart(ws, "column", name, (first, last, 0), [(T["attainment"](lang), 5)], T["t_kpi"](lang), row,
            size=(_pixels(cols[:split]) - 6, height), num_format=percent_format(lang, 0), colors=[ATTAINMENT_COLOUR])
    w.chart(ws, "column", name, (first, last, 0), [(T[k](lang), 6 + i) for i, k in enumerate(("on_track", "at_risk", "off_track"))],
            T["t_kpi_status"](lang), row, split, size=(_pixels(cols[split:]) - 6, height), subtype="stacked",
            colors=STATUS_COLORS)


__all__ = ["LARGEST", "VIEWS_SQL", "views", "write_portfolio"]
