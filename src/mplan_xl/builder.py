"""Write a plan workbook with XlsxWriter.

XlsxWriter is the writer because it is the one Python library that writes
Excel Tables with calculated columns, data validation, native charts, sheet
protection, custom document properties and a VBA project, fast and without
Excel. The builder derives everything from :mod:`mplan_xl.schema`; the sheet
layouts of the Guide and the Dashboard live in their own modules.

Example:
    >>> from mplan_xl.plan import Identity, Plan
    >>> plan = Plan.blank(Identity(company="Atelier Lumen", year=2026))
    >>> build_workbook(plan, "plan.xlsx", lang="fr", runtime="native")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.worksheet
from xlsxwriter.utility import xl_rowcol_to_cell

from . import __version__, schema
from .atomic import OutputError, atomic_output
from .computed import PlanContext, column_formula, compute_row, structured_ref
from .dashboard_sheet import write_dashboard
from .errors import UsageError
from .guide_sheet import write_guide
from .plan import Identity, Plan, check_language
from .schema import Column, Kind, Sheet
from .styles import Styles
from .vocabulary import ALL_LISTS, Label

#: File extension each runtime needs: Excel refuses macros in an ``.xlsx``.
RUNTIME_EXTENSIONS = {"xlwings": ".xlsm", "native": ".xlsx"}
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

#: Rows kept free under the filled rows of a demo plan, so users can go on.
SPARE_ROWS = 5
#: Empty columns between two tables on the same worksheet.
TABLE_GAP = 1
#: Row height of one line of text (points), and the width of an average character in column-width units.
LINE_HEIGHT, CHAR_WIDTH = 15, 1.1

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


class _Worksheet(xlsxwriter.worksheet.Worksheet):
    """XlsxWriter's worksheet minus one cost: before storing each formula it runs some 35 regular
    expressions to prefix Excel 365 dynamic-array functions (FILTER, LAMBDA...). Our formulas are
    generated, use none of them and carry any ``_xlfn.`` prefix they need, and those passes were
    three quarters of the build time, so they are skipped."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:  # noqa: ARG002
        if formula.startswith("{") and formula.endswith("}"):
            formula = formula[1:-1]
        return formula[1:] if formula.startswith("=") else formula


class BuildError(UsageError):
    """The workbook cannot be built with these options."""


def runtime_for(path: str | os.PathLike, runtime: str | None = None) -> str:
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
    expected = RUNTIME_EXTENSIONS.get(runtime)
    if expected is None:
        raise BuildError(Label("runtime {runtime!r} : attendu l'un de {known}", "runtime {runtime!r}: expected one of {known}"),
                         runtime=runtime, known=", ".join(RUNTIME_EXTENSIONS))
    if path.suffix.lower() != expected:
        raise BuildError(Label("{name} : le runtime {runtime} produit un fichier {ext} ; nommez la sortie *{ext}",
                               "{name}: the {runtime} runtime writes a {ext} file; name the output *{ext}"),
                         name=path.name, runtime=runtime, ext=expected)
    return runtime


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
    def __init__(self, plan: Plan, lang: str, runtime: str, template: bool, protect: bool = False):
        self.plan = plan
        self.protect = protect
        self.lang = lang
        self.runtime = runtime
        self.template = template
        self.identity = plan.identity
        self.context = PlanContext(plan.tables, plan.identity.year)
        self.overrides = {(o.table, o.row, o.column): o.value for o in plan.overrides}
        self.table_ranges: dict[str, tuple[int, int, int, int]] = {}  # key -> (first data row, first col, last row, last col)
        self.smart_texts: dict[str, Any] = {}

    def write(self, path: Path) -> None:
        wb = xlsxwriter.Workbook(str(path), {
            "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
            "use_future_functions": False, "in_memory": True})
        try:
            self.wb = wb
            self.styles = Styles(wb, self.lang, self.identity.currency_symbol)
            self._properties()
            add = lambda name: wb.add_worksheet(name, worksheet_class=_Worksheet)  # noqa: E731
            sheets = {key: add(label(self.lang)[:31]) for key, label in schema.WORKSHEETS}
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
        from .macros import UDF_MODULE, vba_project

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
                                f"={schema.LISTS_SHEET}!${_col_letter(col)}$2:${_col_letter(col)}${len(labels) + 1}")
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
        ws.set_column(0, 0, 18)
        ws.set_column(1, 1, 48)
        ws.hide()

    # --- data sheets -----------------------------------------------------------------

    def _data_sheet(self, ws: Any, tables: tuple[Sheet, ...]) -> None:
        first = tables[0]
        ws.write_string(0, 0, first.title(self.lang), self.styles.title)
        width = sum(len(t.columns) for t in tables) + TABLE_GAP * (len(tables) - 1)
        ws.merge_range(1, 0, 1, max(width - 1, 1), first.guidance(self.lang), self.styles.guidance)
        ws.set_row(1, 45)
        ws.set_row(schema.HEADER_ROW - 1, 32)
        col = 0
        last_row = schema.HEADER_ROW - 1
        for sheet in tables:
            last_row = max(last_row, self._table(ws, sheet, col))
            col += len(sheet.columns) + TABLE_GAP
        ws.freeze_panes(schema.HEADER_ROW, 0)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(schema.HEADER_ROW - 1)
        ws.print_area(0, 0, last_row, width - 1)
        ws.set_header(f"&L&\"-,Bold\"{_escape_header(self.identity.company)}&R&A")
        ws.set_footer("&LPlan {0}&RPage &P / &N".format(self.identity.year))
        if self.protect:
            ws.protect("", PROTECTION)

    def _table(self, ws: Any, sheet: Sheet, first_col: int) -> int:
        rows = self.plan.rows(sheet.key)
        spare = sheet.blank_rows if self.template else (SPARE_ROWS if sheet.blank_rows else 0)
        n = max(1, len(rows) + spare)
        header_row = schema.HEADER_ROW - 1
        first_row, last_row = header_row + 1, header_row + n
        last_col = first_col + len(sheet.columns) - 1
        self.table_ranges[sheet.key] = (first_row, first_col, last_row, last_col)
        columns = []
        for column in sheet.columns:
            spec: dict[str, Any] = {"header": column.header(self.lang),
                                    "header_format": self.styles.header(column.required, not column.is_input)}
            if not column.is_input:
                spec["formula"] = "=" + column_formula(sheet, column, self.runtime, self.lang)
            columns.append(spec)
        ws.add_table(header_row, first_col, last_row, last_col, {
            "name": sheet.table, "columns": columns, "style": "Table Style Light 1", "autofilter": True})
        for j, column in enumerate(sheet.columns):
            ws.set_column(first_col + j, first_col + j, column.width or 14)
            self._validation(ws, sheet, column, first_row, first_col + j, last_row)
        for i in range(n):
            row = rows[i] if i < len(rows) else {}
            computed = compute_row(sheet, row, self.context, self.lang) if row else {}
            if row:
                self._fit_row_height(ws, first_row + i, sheet, row)
            if sheet.key == "objectives" and row.get("id") not in (None, ""):
                self.smart_texts[str(row["id"])] = computed.get("smart")
            for j, column in enumerate(sheet.columns):
                r, c = first_row + i, first_col + j
                fmt = self.styles.cell(column.kind, not column.is_input)
                if column.is_input:
                    self._input_cell(ws, r, c, column, row.get(column.key), fmt)
                elif (sheet.key, i, column.key) in self.overrides:
                    ws.write(r, c, self.overrides[(sheet.key, i, column.key)], fmt)
                else:
                    value = computed.get(column.key)
                    ws.write_formula(r, c, "=" + column_formula(sheet, column, self.runtime, self.lang), fmt,
                                     "" if value is None else value)
        return last_row

    @staticmethod
    def _fit_row_height(ws: Any, r: int, sheet: Sheet, row: dict[str, Any]) -> None:
        """Grow the row to show its wrapped long texts: neither XlsxWriter nor LibreOffice autofits
        row heights of written files, so estimate the line count from the column width."""
        lines = max((math.ceil(len(str(row[c.key])) * CHAR_WIDTH / (c.width or 14)) for c in sheet.columns
                     if c.kind is Kind.LONG_TEXT and row.get(c.key)), default=1)
        if lines > 1:
            ws.set_row(r, LINE_HEIGHT * min(lines, 12))

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

    def _validation(self, ws: Any, sheet: Sheet, column: Column, first_row: int, col: int, last_row: int) -> None:
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

    def _validation_rule(self, sheet: Sheet, column: Column, top_left: str) -> dict[str, Any] | None:
        lang = self.lang
        if not column.is_input:
            return None
        if column.kind is Kind.CHOICE:
            return {"validate": "list", "source": f"=list_{column.choices.key}", "error_type": "stop",
                    "_message": _MSG["list"](lang), "_error": _MSG["list_error"](lang)}
        if column.kind is Kind.REF:
            target = schema.SHEETS_BY_KEY[column.ref]
            name = schema.worksheet_name(target.worksheet, lang)
            ids = structured_ref(target, target.id_column, lang, this_row=False)
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


def _col_letter(col: int) -> str:
    return xl_rowcol_to_cell(0, col, col_abs=False)[:-1]


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


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
    identity = Identity(company=company, author=author, currency=currency, envelope=envelope,
                        **({"year": year} if year is not None else {}))
    return build_workbook(Plan.blank(identity, lang), path, lang=lang, runtime=runtime, template=True, force=force,
                         protect=protect)


def demo_workbook(path: str | os.PathLike, *, lang: str = "fr", company: str | None = None, year: int | None = None,
                  with_errors: bool = False, runtime: str | None = None, force: bool = False,
                  protect: bool = False) -> Path:
    """Write a fully filled, realistic plan of a fictional company.

    ``with_errors=True`` seeds the documented problems of
    :data:`mplan_xl.demo.SEEDED_ERRORS` for the validator to find.

    Example:
        >>> import mplan_xl
        >>> mplan_xl.demo_workbook("demo.xlsx", lang="en")  # doctest: +SKIP
        PosixPath('demo.xlsx')
    """
    from .demo import demo_plan  # the demo content is only loaded when asked for

    plan = demo_plan(lang=lang, company=company, year=year, with_errors=with_errors)
    return build_workbook(plan, path, lang=lang, runtime=runtime, template=False, force=force, protect=protect)

__all__ = ["BuildError", "OutputError", "RUNTIME_EXTENSIONS", "build_workbook", "runtime_for", "new_workbook",
           "demo_workbook"]
