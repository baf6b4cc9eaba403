"""Write a plan workbook with XlsxWriter.

XlsxWriter is the writer because it is the one Python library that writes
Excel Tables with calculated columns, data validation, native charts, sheet
protection, custom document properties and a VBA project, fast and without
Excel. The builder derives everything from :mod:`mplan_xl.core.schema`; the sheet
layouts of the Guide and the Dashboard live in their own modules.

Example:
    >>> from mplan_xl.core.plan import Identity, Plan
    >>> plan = Plan.blank(Identity(company="Atelier Lumen", year=2026))
    >>> build_workbook(plan, "plan.xlsx", lang="fr", runtime="native")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from pathlib import Path
from typing import Any, cast

from xlsxwriter.utility import xl_rowcol_to_cell

from .. import __version__
from ..core import schema
from ..core.a1 import column_letters
from ..core.atomic import OutputError, atomic_output
from ..core.computed import PlanContext, column_formula, compute_row, situation_date, structured_ref
from ..core.errors import BuildError
from ..core.plan import RUNTIME_EXTENSIONS, Identity, Plan, Runtime, check_language, id_text, percent_columns
from ..core.schema import Column, Kind, Table
from ..core.vocabulary import ALL_LISTS, Label
from . import layout, xlsx_writer
from .conditional import conditional_formats
from .dashboard_sheet import write_dashboard
from .guide_sheet import write_guide
from .layout import LINE_HEIGHT
from .styles import TEXT_KINDS, Styles
from .summary_sheet import write_contents, write_summary, write_swot_grid
from .synthesis import AS_OF_FORMULA, Figures, serial

#: The sheet xlwings reads its settings from (key in column A, value in column B, from row 1).
XLWINGS_CONF_SHEET = "xlwings.conf"

#: Sheet protection without a password, only with ``protect=True`` (``--protect``): it keeps computed
#: cells from being typed over, but Excel then refuses to sort rows or delete rows holding locked cells
#: and does not grow a table, and LibreOffice refuses to sort, delete rows or insert columns. Without it
#: (the default) every edit works and ``check`` and the Guide's live status guard the formulas.
PROTECTION = {
    "format_cells": False, "format_columns": True, "format_rows": True, "insert_columns": False,
    "insert_rows": True, "delete_columns": False, "delete_rows": True, "sort": True, "autofilter": True,
    "select_locked_cells": True, "select_unlocked_cells": True, "objects": False, "scenarios": False,
}

#: Rows kept free under the filled rows of a filled plan (the demo), so users can go on: two, not more, as every
#: one prints (five cost the Budget mensuel a second page). A team needing more inserts rows in the table or types
#: under it; no print area cuts them off. A template keeps each table's ``blank_rows`` (its sheet prints them:
#: the empty rows a team fills on paper too, Virements and Résultats mensuels one page each).
SPARE_ROWS = 2
#: Empty columns between two tables on the same worksheet.
TABLE_GAP = 1
#: Computed helper columns other formulas read (an action's months and its budget spread per month): hidden, so
#: neither the screen nor the printed pages spend room on them; unhide them to see their figures.
HELPER_COLUMNS = {"actions": ("month_from", "month_to", "elapsed", "spread_monthly")}
#: Width of the empty column between two tables; widest a text, choice or number column grows to fit its content.
GAP_WIDTH, TEXT_WIDTH_CAP, CHOICE_WIDTH_CAP, NUMBER_WIDTH_CAP = 2, 36, 26, 18
#: Widest a long-text column of a filled plan grows to show its longest text on two lines.
LONG_TEXT_WIDTH_CAP = 48
#: Widest a text column of a filled plan grows to show its longest text on one line.
FILLED_TEXT_WIDTH_CAP = 44
#: Most lines a row grows to for its wrapped texts.
MAX_LINES = 12
#: SUBTOTAL function numbers of the total row (1xx: rows hidden by a filter or by hand are left out).
SUBTOTAL_CODES = {"sum": 109, "count": 103}

_NAV = {
    "back": Label("← Retour à l'{guide}", "← Back to the {guide}"),
    "total": Label("Total", "Total"),
}

_MSG = {
    "list": Label("Choisissez une valeur dans la liste.", "Pick a value from the list."),
    "list_error": Label("Cette valeur n'est pas dans la liste : choisissez-en une proposée.",
                        "This value is not in the list: pick one of those offered."),
    "ref": Label("Saisissez l'ID d'une ligne de la feuille « {sheet} ».", "Enter the id of a row of the '{sheet}' sheet."),
    "ref_error": Label("Cet ID n'existe pas (encore) dans la feuille « {sheet} ».", "This id does not exist (yet) on the '{sheet}' sheet."),
    "id": Label("Identifiant unique dans ce tableau.", "Id unique within this table."),
    "id_error": Label("Cet identifiant existe déjà dans ce tableau.", "This id is already used in this table."),
    "date_year": Label("Une date de l'année du plan.", "A date within the plan year."),
    "date_year_error": Label("La date doit tomber dans l'année du plan (feuille Accueil).",
                             "The date must fall within the plan year (Guide sheet)."),
    "date": Label("Une date.", "A date."),
    "date_error": Label("Saisissez une date valide.", "Enter a valid date."),
    "integer": Label("Un nombre entier de {min} à {max}.", "A whole number from {min} to {max}."),
    "integer_error": Label("Saisissez un nombre entier de {min} à {max}.", "Enter a whole number from {min} to {max}."),
    "number": Label("Un nombre (pas de texte).", "A number (not text)."),
    "number_min": Label("Un nombre supérieur ou égal à {min}.", "A number greater than or equal to {min}."),
    "number_error": Label("Saisissez un nombre, sans texte ni unité.", "Enter a number, with no text or unit."),
    "required": Label("Obligatoire. ", "Required. "),
    "computed": Label("Calculé automatiquement : ne pas saisir.", "Computed for you: do not type here."),
}


class _Worksheet(xlsx_writer.SafeWorksheet):
    """XlsxWriter's worksheet minus one cost: before storing each formula it runs some 35 regular
    expressions to prefix Excel 365 dynamic-array functions (FILTER, LAMBDA...). Our formulas are
    generated, use none of them and carry any ``_xlfn.`` prefix they need, and those passes were
    three quarters of the build time, so they are skipped."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:  # noqa: ARG002
        if formula.startswith("{") and formula.endswith("}"):
            formula = formula[1:-1]
        return formula[1:] if formula.startswith("=") else formula


def runtime_for(path: str | os.PathLike, runtime: str | None = None) -> Runtime:
    """The runtime to write *path* with: the one asked, else the one its extension implies.

    >>> runtime_for("plan.xlsx"), runtime_for("plan.xlsm"), runtime_for("plan.xlsm", "xlwings")
    ('native', 'xlwings', 'xlwings')
    """
    path = Path(path)
    if runtime is None:
        for name, ext in RUNTIME_EXTENSIONS.items():
            if path.suffix.lower() == ext:
                return name
        raise BuildError(Label("{name} : nommez la sortie *.xlsm (fonctions MPLAN_, Excel + Python) ou *.xlsx "
                               "(formules natives, sans Python)",
                               "{name}: name the output *.xlsm (MPLAN_ functions, Excel + Python) or *.xlsx "
                               "(native formulas, no Python)"), name=path.name)
    expected = RUNTIME_EXTENSIONS.get(cast(Runtime, runtime))  # None for an unknown runtime, refused below
    if expected is None:
        raise BuildError(Label("runtime {runtime!r} : attendu l'un de {known}", "runtime {runtime!r}: expected one of {known}"),
                         runtime=runtime, known=", ".join(RUNTIME_EXTENSIONS))
    if path.suffix.lower() != expected:
        raise BuildError(Label("{name} : le runtime {runtime} produit un fichier {ext} ; nommez la sortie *{ext}",
                               "{name}: the {runtime} runtime writes a {ext} file; name the output *{ext}"),
                         name=path.name, runtime=runtime, ext=expected)
    return cast(Runtime, runtime)  # a key of RUNTIME_EXTENSIONS, checked above


def build_workbook(plan: Plan, path: str | os.PathLike, *, lang: str = "fr", runtime: str | None = None,
                   template: bool = True, force: bool = False, protect: bool = False) -> Path:
    """Write *plan* as a workbook at *path*, atomically; return the path.

    ``runtime`` is ``"xlwings"`` (``.xlsm``: computed columns call the
    ``MPLAN_`` functions) or ``"native"`` (``.xlsx``: plain formulas); by
    default the extension of *path* decides. ``template=True`` leaves the
    empty rows a fresh template offers under each table; ``False`` (a filled
    plan) leaves a few. ``protect=True`` protects the Guide and the data sheets (no password), with the
    limits :data:`PROTECTION` states.
    """
    check_language(lang)
    path = Path(path)
    runtime = runtime_for(path, runtime)
    with atomic_output(path, force=force) as tmp:
        _WorkbookWriter(plan, lang, runtime, template, protect).write(tmp)
    return path


class _WorkbookWriter:
    def __init__(self, plan: Plan, lang: str, runtime: Runtime, template: bool, protect: bool = False):
        self.plan = plan
        self.protect = protect
        self.lang = lang
        self.runtime = runtime
        self.template = template
        self.identity = plan.identity
        self.as_of = situation_date(plan.identity.year, plan.identity.situation)
        self.context = PlanContext.of_plan(plan, lang, **plan.thresholds)
        self.overrides = {(o.table, o.row, o.column): o.value for o in plan.overrides}
        self.table_ranges: dict[str, tuple[int, int, int, int]] = {}  # key -> (first data row, first col, last row, last col)
        self.smart_texts: dict[str, Any] = {}
        self.row_heights: dict[tuple[str, int], float] = {}  # (sheet, row) -> height set, for the print layout
        self.figures = Figures(plan.tables, plan.identity.year, lang, plan.identity.envelope, self.as_of)

    def write(self, path: Path) -> None:
        wb = xlsx_writer.workbook(str(path), {
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "use_future_functions": False, "in_memory": True})
        try:
            self.wb = wb
            self.styles = Styles(wb, self.lang, self.identity.currency_symbol)
            self._properties()
            add = lambda name: wb.add_worksheet(name, worksheet_class=_Worksheet)  # noqa: E731
            sheets = {key: add(label(self.lang)[:31]) for key, label in schema.workbook_sheets()}
            self._lists(add(schema.LISTS_SHEET))
            self._config(add(schema.CONFIG_SHEET))
            self._meta(add(schema.META_SHEET))
            self.status_sheet = add(schema.STATUS_SHEET)   # filled by the Guide, whose live status it feeds
            if self.runtime == "xlwings":
                self._xlwings(wb)
            for key, ws in sheets.items():
                tables = schema.tables_on(key)
                if tables:
                    self._data_sheet(ws, tables)
            write_guide(self, sheets["guide"])
            write_contents(self, sheets["guide"])
            write_summary(self, sheets["summary"])
            write_swot_grid(self, sheets["swot_grid"])
            write_dashboard(self, sheets["dashboard"])
            sheets["guide"].activate()
        finally:
            wb.close()

    # --- workbook-level parts ---------------------------------------------------------

    def _properties(self) -> None:
        ident = self.identity
        title = Label("Plan marketing opérationnel {year}", "Operational marketing plan {year}")(self.lang)
        self.wb.set_properties({
            "title": title.format(year=ident.year), "subject": schema.TEMPLATE_ID, "author": ident.author,
            "company": ident.company, "keywords": "mplan-xl", "comments": f"mplan-xl {__version__}",
        })
        for name, value in self.metadata().items():
            self.wb.set_custom_property(f"mplan_{name}", str(value))

    def metadata(self) -> dict[str, Any]:
        """What a returned workbook says about itself (hidden sheet and document properties)."""
        return {
            "template_id": schema.TEMPLATE_ID, "template_version": schema.TEMPLATE_VERSION, "lang": self.lang,
            "runtime": self.runtime, "generator": f"mplan-xl {__version__}", "year": self.identity.year,
            "currency": self.identity.currency,
        }

    def _xlwings(self, wb: Any) -> None:
        """The VBA project (xlwings runtime, MPLAN_ wrappers) and xlwings' settings sheet."""
        from ..excel.macros import UDF_MODULE, vba_project

        conf = wb.add_worksheet(XLWINGS_CONF_SHEET, worksheet_class=_Worksheet)
        for row, (key, value) in enumerate((("UDF Modules", UDF_MODULE), ("Use UDF Server", "False"),
                                            ("Show Console", "False"))):
            conf.write_string(row, 0, key)
            conf.write_string(row, 1, value)
        conf.set_column(0, 1, 22)
        conf.hide()
        wb.set_vba_name("ThisWorkbook")
        codenames = []
        for i, ws in enumerate(wb.worksheets(), 1):
            ws.set_vba_name(f"Sheet{i}")
            codenames.append(f"Sheet{i}")
        wb.add_vba_project(io.BytesIO(vba_project(tuple(codenames))), is_stream=True)

    def _meta(self, ws: Any) -> None:
        ws.write_row(0, 0, ["key", "value"], self.styles.label)
        for i, (key, value) in enumerate(self.metadata().items(), 1):
            ws.write_string(i, 0, key)
            ws.write(i, 1, value)
        ws.set_column(0, 1, 24)
        ws.hide()
        ws.protect("", PROTECTION)

    def _lists(self, ws: Any) -> None:
        for col, choice_list in enumerate(ALL_LISTS):
            ws.write_string(0, col, choice_list.title(self.lang), self.styles.label)
            labels = choice_list.labels(self.lang)
            for row, label in enumerate(labels, 1):
                ws.write_string(row, col, label)
            self.wb.define_name(f"list_{choice_list.key}",
                                f"={schema.LISTS_SHEET}!${column_letters(col)}$2:${column_letters(col)}${len(labels) + 1}")
            ws.set_column(col, col, 24)
        ws.hide()

    def _config(self, ws: Any) -> None:
        rows = (
            (schema.NAME_ON_TRACK, Label("Seuil « en bonne voie » (atteinte minimale)", "'On track' threshold (minimum attainment)"),
             self.context.names[schema.NAME_ON_TRACK]),
            (schema.NAME_AT_RISK, Label("Seuil « à surveiller » (atteinte minimale)", "'At risk' threshold (minimum attainment)"),
             self.context.names[schema.NAME_AT_RISK]),
        )
        ws.write_row(0, 0, ["name", "description", "value"], self.styles.label)
        pct = self.styles.value(Kind.PERCENT)
        for i, (name, label, value) in enumerate(rows, 1):
            ws.write_string(i, 0, name)
            ws.write_string(i, 1, label(self.lang))
            ws.write_number(i, 2, value, pct)
            self.wb.define_name(name, f"={schema.CONFIG_SHEET}!$C${i + 1}")
        row = len(rows) + 1
        ws.write_string(row, 0, schema.NAME_AS_OF)
        ws.write_string(row, 1, Label("Date de situation : celle de l'Accueil, ou aujourd'hui, dans l'année du plan",
                                      "Situation date: the Guide's, or today, within the plan year")(self.lang))
        ws.write_formula(row, 2, "=" + AS_OF_FORMULA, self.styles.value(Kind.DATE), serial(self.figures.as_of))
        self.wb.define_name(schema.NAME_AS_OF, f"={schema.CONFIG_SHEET}!$C${row + 1}")
        ws.set_column(0, 0, 18)
        ws.set_column(1, 1, 48)
        ws.hide()

    # --- data sheets -----------------------------------------------------------------

    def _data_sheet(self, ws: Any, tables: tuple[Table, ...]) -> None:
        first = tables[0]
        ws.set_row(0, 21)
        col = 0
        last_row = schema.HEADER_ROW - 1
        widths: list[float] = []
        units: list[tuple[int, int]] = []
        for i, sheet in enumerate(tables):
            if i:
                ws.set_column(col - TABLE_GAP, col - 1, GAP_WIDTH)
                widths += [GAP_WIDTH] * TABLE_GAP
            table_widths, table_last = self._table(ws, sheet, col)
            units.append((col, col + len(sheet.columns) - 1))
            widths += table_widths
            last_row = max(last_row, table_last)
            col += len(sheet.columns) + TABLE_GAP
        ws.freeze_panes(schema.HEADER_ROW, 1 if first.id_column else 0)
        # The header row as tall as its longest wrapped header (bold: a tenth wider), the guidance as tall as
        # its lines over the first page (estimated over two lines for the print setup, then measured).
        header_lines = max(layout.text_lines(column.header(self.lang), 0.9 * w) for sheet in tables
                           for column, w in zip(sheet.columns, widths[self.table_ranges[sheet.key][1]:]) if w)
        header_height = LINE_HEIGHT * min(header_lines, 3) + 2
        ws.set_row(schema.HEADER_ROW - 1, header_height)
        heights = [header_height] + [self.row_heights.get((ws.name, r), LINE_HEIGHT)
                                     for r in range(schema.HEADER_ROW, last_row + 1)]
        # No print area: the rows a team adds, inside the table or typed under it, print with the others.
        setup = self.print_setup(ws, widths, heights, last_row, units=units, landscape=None, area=False,
                                 repeat_first_column=bool(first.id_column),
                                 title_height=21 + 2 * LINE_HEIGHT + LINE_HEIGHT)
        # Title, guidance and the link back sit on the first page, in column B on every sheet (TITLE_COLUMN): right
        # of the id column, which a table split across pages repeats on each (it would print them cut), the
        # guidance as wide as the first page.
        left = layout.TITLE_COLUMN
        right = max(setup.column_breaks[0] if setup.column_breaks else len(widths) - 1, left + 1)
        guidance = first.guidance(self.lang)
        ws.set_row(1, LINE_HEIGHT * layout.text_lines(guidance, sum(widths[left:right + 1])) + 2)
        ws.write_string(0, left, first.title(self.lang), self.styles.title)
        ws.merge_range(1, left, 1, right, guidance, self.styles.guidance)
        self.back_link(ws, 2, left)
        if self.protect:
            ws.protect("", PROTECTION)

    def print_setup(self, ws: Any, widths: list[float], heights: list[float], last_row: int, *,
                    units: list[tuple[int, int]] | None = None, repeat_first_column: bool = False,
                    title_height: float = 0.0, header_row: int | None = schema.HEADER_ROW - 1,
                    first_measured_row: int = schema.HEADER_ROW - 1,
                    blocks: list[tuple[int, float]] | None = None, landscape: bool | None = True,
                    area: bool = True) -> layout.PrintSetup:
        """The print setup of :func:`mplan_xl.workbook.layout.apply_print_setup` over columns 0..len(widths)-1 and rows
        0..*last_row*, with the company and sheet name in the page header and the plan year in the footer;
        *blocks*: (row, height in points) of the charts no page may cut; *landscape* None: the orientation
        that prints fewer pages; *area* False: no print area (the sheet prints what it holds)."""
        if area:
            ws.print_area(0, 0, last_row, len(widths) - 1)
        return layout.apply_print_setup(
            ws, widths, heights, header_row=header_row, first_measured_row=first_measured_row,
            repeat_first_column=repeat_first_column, title_height=title_height, units=units, blocks=blocks or (),
            header=self.page_header, footer=self.page_footer, landscape=landscape, row_safety=layout.ROW_SAFETY,
            width_safety=layout.WIDTH_SAFETY)

    @property
    def page_header(self) -> str:
        """Every printed page's header: the company on the left, the sheet's name on the right."""
        return f"&L&\"-,Bold\"{_escape_header(self.identity.company)}&R&A"

    @property
    def page_footer(self) -> str:
        """Every printed page's footer: the plan's year on the left, the page number on the right."""
        return f"&LPlan {self.identity.year}&RPage &P / &N"

    def one_page(self, ws: Any) -> None:
        """A sheet printed on one A4 landscape page, with the header and footer of every page."""
        ws.set_landscape()
        ws.set_paper(9)
        ws.set_margins(left=layout.SIDE_MARGIN_IN, right=layout.SIDE_MARGIN_IN, top=layout.TOP_MARGIN_IN,
                       bottom=layout.TOP_MARGIN_IN)
        ws.fit_to_pages(1, 1)
        ws.set_header(self.page_header, {"margin": layout.HEADER_MARGIN_IN})
        ws.set_footer(self.page_footer, {"margin": layout.HEADER_MARGIN_IN})

    def back_link(self, ws: Any, row: int, col: int) -> None:
        """A link to the Guide, where every sheet is listed."""
        ws.write_url(row, col, f"internal:'{self.name_of('guide')}'!A1", self.styles.link,
                     string=_NAV["back"](self.lang).format(guide=self.name_of("guide")))

    def _table(self, ws: Any, sheet: Table, first_col: int) -> tuple[list[float], int]:
        """Write one table; return its column widths and its last row (the total row when it has one)."""
        rows = self.plan.rows(sheet.key)
        spare = sheet.blank_rows if self.template else (SPARE_ROWS if sheet.blank_rows else 0)
        if sheet.rows_for and not self.template:
            spare = max(spare, self._rows_missing(sheet, rows))
        n = max(1, len(rows) + spare)
        header_row = schema.HEADER_ROW - 1
        first_row, last_row = header_row + 1, header_row + n
        last_col = first_col + len(sheet.columns) - 1
        self.table_ranges[sheet.key] = (first_row, first_col, last_row, last_col)
        computed_rows = [compute_row(sheet, row, self.context, self.lang) if row else {} for row in rows]
        widths = self._widths(sheet, rows, computed_rows, n)
        columns = []
        for column in sheet.columns:
            spec: dict[str, Any] = {"header": column.header(self.lang),
                                    "header_format": self.styles.header(column.required, not column.is_input)}
            if not column.is_input:
                spec["formula"] = "=" + column_formula(sheet, column, self.runtime, self.lang)
            if column.total:
                spec["total_function"] = column.total
            columns.append(spec)
        if sheet.has_totals:
            columns[0]["total_string"] = _NAV["total"](self.lang)
        ws.add_table(header_row, first_col, last_row + sheet.has_totals, last_col, {
            "name": sheet.table, "columns": columns, "style": "Table Style Light 1", "autofilter": True,
            "total_row": sheet.has_totals})
        helpers = HELPER_COLUMNS.get(sheet.key, ())
        for j, column in enumerate(sheet.columns):
            ws.set_column(first_col + j, first_col + j, widths[j], None, {"hidden": column.key in helpers})
            self._validation(ws, sheet, column, first_row, first_col + j, last_row)
        for i in range(n):
            row = rows[i] if i < len(rows) else {}
            computed = computed_rows[i] if i < len(rows) else {}
            # A percentage typed as 15 in a cell formatted as a percentage is 0.15, in Excel and LibreOffice.
            percent = percent_columns(sheet.key, row, self.plan.tables) if row else ()
            if row:
                self._fit_row_height(ws, first_row + i, sheet, {**row, **computed}, widths)
            if sheet.key == "objectives" and row.get("id") not in (None, ""):
                self.smart_texts[str(row["id"])] = computed.get("smart")
            for j, column in enumerate(sheet.columns):
                r, c = first_row + i, first_col + j
                fmt = self.styles.cell(Kind.PERCENT if column.key in percent else column.kind, not column.is_input)
                if column.is_input:
                    self._input_cell(ws, r, c, column, row.get(column.key), fmt)
                elif (sheet.key, i, column.key) in self.overrides:
                    ws.write(r, c, self.overrides[(sheet.key, i, column.key)], fmt)
                else:
                    value = computed.get(column.key)
                    ws.write_formula(r, c, "=" + column_formula(sheet, column, self.runtime, self.lang), fmt,
                                     "" if value is None else value)
        if sheet.has_totals:
            self._total_row(ws, sheet, last_row + 1, first_col, rows, computed_rows)
        conditional_formats(self, ws, sheet, first_row, first_col, last_row)
        printed = [0.0 if column.key in helpers else width for column, width in zip(sheet.columns, widths)]
        return printed, last_row + sheet.has_totals

    def _rows_missing(self, sheet: Table, rows: list[dict[str, Any]]) -> int:
        """How many rows of the table *sheet* follows (``rows_for``) have no row in it yet."""
        followed = schema.SHEETS_BY_KEY[sheet.rows_for or ""]
        ref = next(c.key for c in sheet.columns if c.ref == followed.key)
        present = {id_text(row.get(ref)) for row in rows}
        return len({id_text(row.get(followed.id_column_key)) for row in self.plan.rows(followed.key)} - present - {None})

    def _widths(self, sheet: Table, rows: list[dict[str, Any]], computed_rows: list[dict[str, Any]],
                n: int) -> list[float]:
        """The table's column widths. When its rows wrap anyway (:meth:`_rows_wrap`), its texts take the fewest
        lines (two, three or four) that print the fewest pages: narrower columns, taller rows; or, when that
        prints fewer pages, its typed texts narrowed further (:meth:`_narrowed`) until the table fits one page
        wide at the smallest readable scale (a few rows: their height is free, a second page across is not)."""
        if not self._rows_wrap(sheet, rows):
            return [self._column_width(sheet, c, rows, computed_rows) for c in sheet.columns]
        best: tuple[int, list[float]] | None = None
        helpers = HELPER_COLUMNS.get(sheet.key, ())
        filled = [{**row, **computed} for row, computed in zip(rows, computed_rows)]

        def pages(widths: list[float]) -> int:
            heights = [self._row_height(sheet, row, widths) for row in filled] + [LINE_HEIGHT] * (n - len(rows) + 1)
            points = [0.0 if c.key in helpers else layout.column_points(w) for c, w in zip(sheet.columns, widths)]
            return min(layout.print_setup(points, heights, title_height=21 + 3 * LINE_HEIGHT, repeated_height=32,
                                          landscape=landscape, row_safety=layout.ROW_SAFETY,
                                          width_safety=layout.WIDTH_SAFETY).pages
                       for landscape in (True, False))

        floors = [self._column_width(sheet, c, rows, computed_rows, MAX_LINES) for c in sheet.columns]
        for lines in (2, 3, 4):
            widths = [self._column_width(sheet, c, rows, computed_rows, lines) for c in sheet.columns]
            for option in (widths, self._narrowed(sheet, filled, widths, floors)):
                count = pages(option)
                if best is None or count < best[0]:
                    best = (count, option)
        assert best is not None
        return best[1]

    def _narrowed(self, sheet: Table, rows: list[dict[str, Any]], widths: list[float],
                  floors: list[float]) -> list[float]:
        """*widths* with the table's typed texts (no narrower than *floors*, their longest word) narrowed one
        step at a time, each step where the rows grow least for the room it saves, until the table fits one
        landscape page wide at :data:`~mplan_xl.workbook.layout.MIN_SCALE`; *widths* when it cannot."""
        helpers = HELPER_COLUMNS.get(sheet.key, ())
        printed = [c.key not in helpers for c in sheet.columns]
        room = layout.printable_area(True)[0] * layout.WIDTH_SAFETY * 100 / layout.MIN_SCALE

        def width(option: list[float]) -> float:
            return sum(layout.column_points(w) for w, shown in zip(option, printed) if shown)

        texts = [j for j, c in enumerate(sheet.columns)
                 if c.is_input and c.kind in (Kind.TEXT, Kind.LONG_TEXT) and printed[j]]
        if width([floors[j] if j in texts else w for j, w in enumerate(widths)]) > room:
            return widths
        narrowed = list(widths)
        while width(narrowed) > room:
            height = sum(self._row_height(sheet, row, narrowed) for row in rows)
            steps = []
            for j in texts:
                if narrowed[j] > floors[j]:
                    option = narrowed[:j] + [narrowed[j] - 1] + narrowed[j + 1:]
                    steps.append((sum(self._row_height(sheet, row, option) for row in rows) - height, j))
            narrowed[min(steps)[1]] -= 1
        return narrowed

    def _rows_wrap(self, sheet: Table, rows: list[dict[str, Any]]) -> bool:
        """Whether a filled plan's table, alone on its sheet, has rows that wrap anyway: a long text longer than
        a line of its declared width. (Tables side by side share their rows: one must not make another's tall.)"""
        if self.template or len(schema.tables_on(sheet.worksheet)) > 1:
            return False
        return any(layout.text_lines(str(row.get(c.key) or ""), c.width or 14) > 1 for c in sheet.columns
                   if c.kind is Kind.LONG_TEXT for row in rows)

    def _total_row(self, ws: Any, sheet: Table, r: int, first_col: int, rows: list[dict[str, Any]],
                   computed_rows: list[dict[str, Any]]) -> None:
        """The Table's total row: SUBTOTAL, so rows hidden by a filter drop out of the totals."""
        for j, column in enumerate(sheet.columns):
            fmt = self.styles.total(column.kind if column.total != "count" else Kind.INTEGER)
            if column.total:
                source = rows if column.is_input else computed_rows
                values = [x.get(column.key) for x in source]
                if column.total == "count":
                    cached: float = sum(1 for v in values if v not in (None, ""))
                else:
                    cached = sum(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
                code = SUBTOTAL_CODES[column.total]
                ws.write_formula(r, first_col + j, f"=SUBTOTAL({code},{structured_ref(sheet, column.key, self.lang, this_row=False)})",
                                 fmt, cached)
            elif j == 0:
                ws.write_string(r, first_col, _NAV["total"](self.lang), fmt)
            else:
                ws.write_blank(r, first_col + j, None, fmt)

    def _column_width(self, sheet: Table, column: Column, rows: list[dict[str, Any]],
                      computed_rows: list[dict[str, Any]], wraps: int = 0) -> float:
        """The declared width, widened to show the column's texts on one line up to a cap (longer texts wrap).

        A filled plan's columns follow their content rather than the width declared for typing: figures as
        wide as the widest (or their header's longest word), computed texts as wide as what they say; when
        the table's rows wrap anyway, its texts are as wide as their longest on *wraps* lines. A template keeps
        the declared widths."""
        declared = column.width or 14
        source = rows if column.is_input else computed_rows
        texts = [str(x.get(column.key)) for x in source if x.get(column.key) not in (None, "")]
        if column.choices is not None:
            texts = list(column.choices.labels(self.lang))   # any label may be picked later
        if column.kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.CHOICE) and wraps and texts:
            cap = {Kind.LONG_TEXT: LONG_TEXT_WIDTH_CAP, Kind.TEXT: TEXT_WIDTH_CAP}.get(column.kind, CHOICE_WIDTH_CAP)
            floor = max(_header_word_width(column.header(self.lang)), _word_width(texts, bold=False))
            return next((w for w in range(floor, cap) if all(layout.text_lines(t, w) <= wraps for t in texts)), cap)
        if column.kind is Kind.LONG_TEXT:
            return declared
        if not column.is_input and not self.template and column.kind is Kind.TEXT:
            # A computed text of a filled plan (the SMART check): as wide as what it says, its header wrapping.
            floor = _header_word_width(column.header(self.lang))
            return layout.fit_width(texts, floor, max(TEXT_WIDTH_CAP, declared))
        if column.kind.is_number:
            # Digits are the width unit; separators, spaces and signs about half of one; a little padding.
            numbers = [float(t) for t in texts if _is_number_text(t)]
            if column.total == "sum":
                numbers.append(sum(numbers))   # the total row's figure
            shown = [_shown_number(n, column.kind) for n in numbers]
            needed = max((sum(1 if ch.isdigit() else 0.5 for ch in text) + 1.5 for text in shown), default=0)
            if not self.template and shown:
                # A filled plan's figures: as wide as the widest (total included) or the longest header word,
                # not the width declared for typing (fewer pages across).
                declared = max(_header_word_width(column.header(self.lang)), 8)
            return min(max(NUMBER_WIDTH_CAP, declared), max(declared, math.ceil(needed)))
        cap = {Kind.TEXT: TEXT_WIDTH_CAP, Kind.CHOICE: CHOICE_WIDTH_CAP}.get(column.kind, NUMBER_WIDTH_CAP)
        if not self.template and column.kind is Kind.TEXT and not any(c.kind is Kind.LONG_TEXT for c in sheet.columns):
            cap = FILLED_TEXT_WIDTH_CAP   # its rows would grow for this text alone (with long texts they grow anyway)
        widest = max(cap, declared)
        if not self.template and texts and column.choices is None:
            declared = _header_word_width(column.header(self.lang))   # ids, dates, texts: as wide as their content
        return layout.fit_width(texts, declared, widest)

    def _fit_row_height(self, ws: Any, r: int, sheet: Table, row: dict[str, Any], widths: list[float]) -> None:
        """Grow the row to show its wrapped texts: neither XlsxWriter nor LibreOffice fits row heights of
        written files, so the lines are estimated from the column widths."""
        height = self._row_height(sheet, row, widths)
        if height > LINE_HEIGHT:
            ws.set_row(r, height)
            self.row_heights[(ws.name, r)] = max(height, self.row_heights.get((ws.name, r), 0))

    def _row_height(self, sheet: Table, row: dict[str, Any], widths: list[float]) -> float:
        """The height (points) that shows the row's wrapped texts, at most :data:`MAX_LINES` lines."""
        lines = max((layout.text_lines(self._shown_text(c, row[c.key]), w) for c, w in zip(sheet.columns, widths)
                     if c.kind in TEXT_KINDS and row.get(c.key) not in (None, "")), default=1)
        return LINE_HEIGHT * min(lines, MAX_LINES)

    def _shown_text(self, column: Column, value: Any) -> str:
        if column.choices is not None and value in column.choices.codes:
            return column.choices.label(value, self.lang)
        return str(value)

    def _input_cell(self, ws: Any, r: int, c: int, column: Column, value: Any, fmt: Any) -> None:
        if value is None or value == "":
            ws.write_blank(r, c, None, fmt)
        elif column.choices is not None and value in column.choices.codes:
            ws.write_string(r, c, column.choices.label(value, self.lang), fmt)
        elif isinstance(value, (dt.date, dt.datetime)):
            ws.write_datetime(r, c, value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day), fmt)
        elif isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt)
        elif isinstance(value, (int, float)):
            ws.write_number(r, c, value, fmt)
        else:
            ws.write_string(r, c, str(value), fmt)

    def _validation(self, ws: Any, sheet: Table, column: Column, first_row: int, col: int, last_row: int) -> None:
        rule = self._validation_rule(sheet, column, xl_rowcol_to_cell(first_row, col))
        if rule is None:
            return
        message, error = rule.pop("_message"), rule.pop("_error")
        prefix = _MSG["required"](self.lang) if column.required else ""
        help_text = column.help(self.lang) + " " if column.help else ""
        rule.update({
            "input_title": column.header(self.lang)[:32], "input_message": (prefix + help_text + message)[:255],
            "error_title": column.header(self.lang)[:32], "error_message": error[:255], "ignore_blank": True,
        })
        ws.data_validation(first_row, col, last_row, col, rule)

    def _validation_rule(self, sheet: Table, column: Column, top_left: str) -> dict[str, Any] | None:
        lang = self.lang
        if not column.is_input:
            return None
        if column.kind is Kind.CHOICE:
            return {"validate": "list", "source": f"=list_{column.choice_list.key}", "error_type": "stop",
                    "_message": _MSG["list"](lang), "_error": _MSG["list_error"](lang)}
        if column.kind is Kind.REF:
            target = column.ref_table
            name = schema.worksheet_name(target.worksheet, lang)
            ids = structured_ref(target, target.id_column_key, lang, this_row=False)
            return {"validate": "list", "source": f'=INDIRECT("{ids}")', "error_type": "warning",
                    "_message": _MSG["ref"](lang).format(sheet=name), "_error": _MSG["ref_error"](lang).format(sheet=name)}
        if column.kind is Kind.ID:
            ids = structured_ref(sheet, column.key, lang, this_row=False)
            return {"validate": "custom", "value": f'=COUNTIF(INDIRECT("{ids}"),{top_left})<=1', "error_type": "stop",
                    "_message": _MSG["id"](lang), "_error": _MSG["id_error"](lang)}
        if column.kind is Kind.DATE:
            if column.in_plan_year:
                return {"validate": "date", "criteria": "between", "minimum": f"=DATE({schema.NAME_YEAR},1,1)",
                        "maximum": f"=DATE({schema.NAME_YEAR},12,31)", "error_type": "stop",
                        "_message": _MSG["date_year"](lang), "_error": _MSG["date_year_error"](lang)}
            return {"validate": "date", "criteria": "between", "minimum": dt.date(1900, 1, 1),
                    "maximum": dt.date(9999, 12, 31), "_message": _MSG["date"](lang), "_error": _MSG["date_error"](lang)}
        if column.kind is Kind.INTEGER:
            low, high = int(column.minimum or 0), int(column.maximum or 10**9)
            return {"validate": "integer", "criteria": "between", "minimum": low, "maximum": high,
                    "_message": _MSG["integer"](lang).format(min=low, max=high),
                    "_error": _MSG["integer_error"](lang).format(min=low, max=high)}
        if column.kind.is_number:
            if column.minimum is not None:
                return {"validate": "decimal", "criteria": ">=", "value": column.minimum,
                        "_message": _MSG["number_min"](lang).format(min=_number_text(column.minimum)),
                        "_error": _MSG["number_error"](lang)}
            return {"validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15,
                    "_message": _MSG["number"](lang), "_error": _MSG["number_error"](lang)}
        return None

    # --- helpers used by the guide and dashboard modules ---------------------------------

    def name_of(self, worksheet_key: str) -> str:
        return schema.worksheet_name(worksheet_key, self.lang)[:31]




def _word_width(texts: list[str], bold: bool) -> int:
    """The width that shows the longest word of *texts* on one line (bold: a tenth wider), with the margin
    LibreOffice needs (a narrower column cuts the word, "Communicatio-n"); texts wrap between their words.

    >>> _word_width(["Communication"], bold=False), _word_width(["Responsable"], bold=True)
    (13, 12)
    """
    longest = max((len(word) for text in texts for word in text.split()), default=0)
    return max(4, math.ceil((1.1 if bold else 1.0) * longest / layout.CHARS_PER_UNIT) + 2)


def _header_word_width(header: str) -> int:
    """The width that shows the longest word of a header on one line.

    >>> _header_word_width("Atterrissage"), _header_word_width("Dépense réelle")
    (13, 9)
    """
    return _word_width([header], bold=True)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _shown_number(value: float, kind: Kind) -> str:
    """A number as its cell's format shows it (its length, which sizes the column): amounts and decimals with two
    decimals and thousands separators, percentages with one decimal and the sign, whole numbers without decimals.

    >>> _shown_number(1968000.123456, Kind.MONEY), _shown_number(0.532198, Kind.PERCENT), _shown_number(3.0, Kind.INTEGER)
    ('1,968,000.12 €', '53.2 %', '3')
    """
    if kind is Kind.MONEY:
        return f"{value:,.2f} €"
    if kind is Kind.PERCENT:
        return f"{value * 100:.1f} %"
    if kind is Kind.INTEGER:
        return f"{round(value):,}"
    return f"{value:,.2f}"


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text not in ("True", "False")


def _escape_header(text: str) -> str:
    """Excel header/footer codes start with '&': a literal ampersand is doubled."""
    return (text or "").replace("&", "&&")[:100]




def new_workbook(path: str | os.PathLike, *, lang: str = "fr", company: str = "", year: int | None = None,
                 currency: str = "EUR", author: str = "", envelope: float | None = None,
                 runtime: str | None = None, force: bool = False, protect: bool = False) -> Path:
    """Write an empty plan template, ready to fill in (runtime from the extension unless given).

    Example:
        >>> import mplan_xl
        >>> mplan_xl.new_workbook("plan-2027.xlsx", company="Atelier Lumen", year=2027)  # doctest: +SKIP
        PosixPath('plan-2027.xlsx')
    """
    year_given: dict[str, Any] = {"year": year} if year is not None else {}   # else Identity's default: next year
    identity = Identity(company=company, author=author, currency=currency, envelope=envelope, **year_given)
    return build_workbook(Plan.blank(identity, lang), path, lang=lang, runtime=runtime, template=True, force=force,
                         protect=protect)


__all__ = ["BuildError", "OutputError", "RUNTIME_EXTENSIONS", "build_workbook", "runtime_for", "new_workbook"]
