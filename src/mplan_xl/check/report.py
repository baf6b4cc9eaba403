"""The validation report: one object, many renderings.

:class:`Report` holds a :class:`FileReport` per checked file, each with its
findings (:class:`mplan_xl.core.rules.Finding`). It renders to the stable JSON
documented in ``docs/report-format.md`` (schema in
``docs/report-format.schema.json``), to a pandas DataFrame, to a readable
terminal table, to an Excel workbook with links to the offending cells, and to
JUnit XML for CI pipelines.

Example:
    >>> report = Report([FileReport("plan.xlsx", "valid", "1.0.0", [])])
    >>> report.valid, report.summary["valid"]
    (True, 1)
    >>> report.to_dict()["files"][0]["status"]
    'valid'
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence, overload

from ..core.errors import EXIT_INTERRUPTED
from ..core.numbers import format_number
from ..core.rules import ERROR, WARNING, Finding, shown_date
from ..core.vocabulary import Label
from ..read.inputs import OUTPUT_PROPERTY
from ..workbook.layout import LINE_HEIGHT, apply_print_setup, fit_width, text_lines
from ..workbook.styles import BORDER_COLOR, HEADER_FILL, LINK_COLOR, TITLE_COLOR

#: Version of the JSON report format; bumped on additions (minor) and never broken.
REPORT_FORMAT_VERSION = "1.5"

VALID, INVALID, UNREADABLE, SKIPPED = "valid", "invalid", "unreadable", "skipped"

#: The custom document property that marks a workbook as one of our outputs, with its kind (``check`` skips it).
REPORT_PROPERTY = OUTPUT_PROPERTY

#: How much of a text a rendering shows at most; a message quotes an excerpt, never a whole pasted value.
MAX_SHOWN = 500
#: How much of a template version a report shows (a real one is ``3.0.0``).
MAX_VERSION_SHOWN = 40

# What no report may carry: C0/C1 control characters (ill-formed in XML 1.0,
# garbage on a terminal), lone surrogates (a file name that was not UTF-8,
# decoded by Python with surrogateescape) and non-characters.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def shown_path(path: str) -> str:
    """A file name as every report can carry it, whole (see :func:`shown`)."""
    return shown(path, limit=4096)


@overload
def shown(text: str, limit: int = MAX_SHOWN) -> str: ...
@overload
def shown(text: None, limit: int = MAX_SHOWN) -> None: ...
def shown(text: str | None, limit: int = MAX_SHOWN) -> str | None:
    """*text* as every report can carry it: at most *limit* characters, unshowable characters replaced.

    A file name that is not valid UTF-8 (common after unzipping an archive
    made on Windows) or holds control characters keeps its place in the
    report, each bad character shown as U+FFFD, so JSON stays UTF-8 and JUnit
    stays well-formed XML. A longer text is cut with an ellipsis and its
    length, so rendering stays linear however large a pasted value is.

    Example:
        >>> shown("plan\\udce9.xlsx") == "plan\\ufffd.xlsx", shown("a\\x01b") == "a\\ufffdb"
        (True, True)
        >>> shown("x" * 12, limit=5)
        'xxxxx… (12)'
    """
    if text is None:
        return None
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text)})"
    return _UNSHOWABLE.sub("\ufffd", text)

_TEXT = {
    "summary": Label("{files} fichier(s) : {valid} valide(s), {invalid} invalide(s), {unreadable} illisible(s), "
                     "{skipped} ignoré(s) ; {errors} erreur(s), {warnings} avertissement(s).",
                     "{files} file(s): {valid} valid, {invalid} invalid, {unreadable} unreadable, {skipped} skipped; "
                     "{errors} error(s), {warnings} warning(s)."),
    "status_valid": Label("valide", "valid"),
    "status_invalid": Label("invalide", "invalid"),
    "status_unreadable": Label("illisible", "unreadable"),
    "status_skipped": Label("ignoré", "skipped"),
    "severity_error": Label("erreur", "error"),
    "severity_warning": Label("avertissement", "warning"),
    "file": Label("Fichier", "File"),
    "status": Label("Statut", "Status"),
    "version": Label("Version du modèle", "Template version"),
    "errors": Label("Erreurs", "Errors"),
    "warnings": Label("Avertissements", "Warnings"),
    "sheet": Label("Feuille", "Sheet"),
    "cell": Label("Cellule", "Cell"),
    "row_id": Label("ID ligne", "Row id"),
    "code": Label("Règle", "Rule"),
    "severity": Label("Gravité", "Severity"),
    "message": Label("Message", "Message"),
    "hint": Label("Conseil", "Hint"),
    "note": Label("Note", "Note"),
    "link": Label("Lien", "Link"),
    "open": Label("ouvrir", "open"),
    "files_sheet": Label("Fichiers", "Files"),
    "title": Label("Rapport de contrôle des plans marketing", "Marketing plan check report"),
    "checked": Label("Contrôlé le {date}, dossier {folder}", "Checked on {date}, folder {folder}"),
    "findings_sheet": Label("Constats", "Findings"),
    "incomplete": Label("RAPPORT INCOMPLET : interrompu (Ctrl-C), {count} fichier(s) non contrôlé(s) : {paths}",
                        "INCOMPLETE REPORT: interrupted (Ctrl-C), {count} file(s) not checked: {paths}"),
    "figures": Label("Budget au {as_of} : prévu à date {planned_to_date}, réel à date {actual_to_date}, écart à date "
                     "{variance_to_date} (année : prévu {planned}, réel {actual}, atterrissage {landing})",
                     "Budget at {as_of}: planned to date {planned_to_date}, actual to date {actual_to_date}, variance "
                     "to date {variance_to_date} (year: planned {planned}, actual {actual}, landing {landing})"),
}

FINDING_FIELDS = ("code", "severity", "sheet", "cell", "row_id", "message", "hint")


@dataclass
class FileReport:
    """One file's result. ``path`` is as given (it may hold undecodable bytes); renderings show :func:`shown`.

    ``note`` says why a ``skipped`` file (a lock file, one of our reports) was not checked.
    """

    path: str
    status: str
    template_version: str | None
    findings: list[Finding] = field(default_factory=list)
    note: str | None = None
    #: The language of the workbook's plan (its labels), when it could be located.
    lang: str | None = None
    #: The budget for the year and at the situation date (see :func:`mplan_xl.check.checks.budget_figures`).
    figures: dict[str, Any] | None = None
    #: The plan's (company folded, year), when both are known: tells the copies of one plan apart.
    plan_key: tuple[str, int] | None = field(default=None, compare=False, repr=False)
    #: The file this one is likely a conflict copy of (finding ``likely-duplicate``).
    duplicate_of: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # The template version as the file gives it: a text of any length (5,000 digits) is shown as an excerpt.
        if isinstance(self.template_version, str):
            self.template_version = shown(self.template_version, limit=MAX_VERSION_SHOWN)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": shown_path(self.path), "status": self.status, "template_version": self.template_version,
               "findings": [_shown_finding(f) for f in self.findings]}
        if self.note:
            out["note"] = self.note
        if self.figures is not None:
            out["figures"] = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.figures.items()}
        return out


def _shown_finding(finding: Finding) -> dict[str, Any]:
    out = {k: shown(v) if isinstance(v, str) else v for k, v in finding.to_dict().items()}
    out["params"] = {k: shown(v) if isinstance(v, str) else v for k, v in finding.params.items()}
    return out


def _by_sheet(findings: Sequence[Finding]) -> list[tuple[str | None, list[Finding]]]:
    """Findings by sheet (the whole file's first, then sheets in the order met), each sheet's by row and column."""
    groups: dict[str | None, list[Finding]] = {None: []}
    for finding in findings:
        groups.setdefault(finding.sheet, []).append(finding)
    return [(sheet, sorted(items, key=lambda x: _cell_order(x.cell))) for sheet, items in groups.items() if items]


def _cell_order(cell: str | None) -> tuple[int, int]:
    from xlsxwriter.utility import xl_cell_to_rowcol

    return xl_cell_to_rowcol(cell) if cell else (-1, -1)


@dataclass
class Report:
    files: list[FileReport]
    strict: bool = False     # warnings make the batch fail too
    lang: str = "fr"
    #: The files not checked because the batch was interrupted (Ctrl-C): the report is incomplete.
    pending: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.pending

    @property
    def valid(self) -> bool:
        """True when every file is valid or skipped (and, under ``strict``, free of warnings)."""
        return all(f.status == SKIPPED or (f.status == VALID and not (self.strict and f.warnings))
                   for f in self.files)

    @property
    def exit_code(self) -> int:
        """0 valid, 1 not, 130 interrupted (the report holds what was done)."""
        return EXIT_INTERRUPTED if self.pending else 0 if self.valid else 1

    @property
    def summary(self) -> dict[str, int]:
        statuses = [f.status for f in self.files]
        return {"files": len(self.files), "valid": statuses.count(VALID), "invalid": statuses.count(INVALID),
                "unreadable": statuses.count(UNREADABLE), "skipped": statuses.count(SKIPPED),
                "errors": sum(f.errors for f in self.files),
                "warnings": sum(f.warnings for f in self.files)}

    # --- renderings -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": REPORT_FORMAT_VERSION, "valid": self.valid, "strict": self.strict,
                "complete": self.complete, "not_checked": [shown_path(p) for p in self.pending],
                "summary": self.summary, "files": [f.to_dict() for f in self.files]}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def to_frame(self) -> "Any":
        """One row per finding (files without findings get one row with empty finding fields).

        >>> Report([FileReport("a.xlsx", "valid", "1.0.0")]).to_frame().shape[0]
        1
        """
        import pandas as pd

        rows = []
        for f in self.files:
            base = {"path": shown_path(f.path), "status": f.status, "template_version": f.template_version}
            if not f.findings:
                rows.append({**base, **{k: None for k in FINDING_FIELDS}})
            rows.extend({**base, **_shown_finding(finding)} for finding in f.findings)
        return pd.DataFrame(rows, columns=["path", "status", "template_version", *FINDING_FIELDS])

    def _figures_line(self, figures: dict[str, Any]) -> str:
        """A file's budget at its situation date, in the report's language."""
        shown_figures = {k: (shown_date(v, self.lang) if isinstance(v, dt.date) else
                             format_number(v, self.lang, "+,.2f" if k == "variance_to_date" else ",.2f"))
                         for k, v in figures.items()}
        return _TEXT["figures"](self.lang).format(**shown_figures)

    def summary_line(self) -> str:
        """The counts, and, for a batch interrupted, that the report is incomplete and the files not checked."""
        line = _TEXT["summary"](self.lang).format(**self.summary)
        if self.pending:
            shown_paths = ", ".join(shown_path(p) for p in self.pending[:5]) + (", …" if len(self.pending) > 5 else "")
            line += " " + _TEXT["incomplete"](self.lang).format(count=len(self.pending), paths=shown_paths)
        return line

    def to_text(self, width: int | None = None) -> str:
        """The findings grouped by file and sheet, in sheet and row order, then a summary line (what a terminal shows).

        Each finding gives its cell and rule, its row id, its message and its
        hint on lines of their own, wrapped to *width* (default: the
        terminal's width or ``COLUMNS``, 100 columns in a pipe); the layout is
        the same on a terminal and in a pipe, at any width.

        >>> from mplan_xl.core.rules import make_finding
        >>> f = make_finding("required-missing", "en", sheet="Actions", cell="D7", row_id="A02", column="Owner")
        >>> print(Report([FileReport("plan.xlsx", "invalid", "2.0.0", [f])], lang="en").to_text(width=80), end="")
        plan.xlsx — invalid (2.0.0)
          Sheet Actions
            D7 — error [required-missing]
              Row id: A02
              'Owner' is required.
              Hint: Fill in the cell.
        1 file(s): 0 valid, 1 invalid, 0 unreadable, 0 skipped; 1 error(s), 0
          warning(s).
        """
        import shutil
        import textwrap

        width = max(30, width or shutil.get_terminal_size((100, 40)).columns)
        t = lambda key: _TEXT[key](self.lang)  # noqa: E731
        colon = " : " if self.lang == "fr" else ": "
        lines: list[str] = []

        def add(text: str, indent: int) -> None:
            lines.extend(textwrap.wrap(text, width, initial_indent=" " * indent, subsequent_indent=" " * (indent + 2),
                                       break_long_words=True, break_on_hyphens=False) or [""])

        for f in self.files:
            line = f"{shown_path(f.path)} — {t(f'status_{f.status}')}" + (
                f" ({f.template_version})" if f.template_version else "")
            add(line + (colon + f.note if f.note else ""), 0)
            if f.figures is not None:
                add(self._figures_line(f.figures), 2)
            for sheet, findings in _by_sheet(f.findings):
                indent = 2
                if sheet is not None:
                    add(f"{t('sheet')} {shown(sheet)}", 2)
                    indent = 4
                for x in findings:
                    add(f"{x.cell or '-'} — {t(f'severity_{x.severity}')} [{x.code}]", indent)
                    if x.row_id:
                        add(f"{t('row_id')}{colon}{shown(x.row_id)}", indent + 2)
                    add(shown(x.message) or "", indent + 2)
                    if x.hint:
                        add(f"{t('hint')}{colon}{shown(x.hint)}", indent + 2)
        add(self.summary_line(), 0)
        return "\n".join(lines) + "\n"

    def to_junit(self) -> str:
        """One test suite per file, one failing test case per error (warnings are skipped cases)."""
        suites = ET.Element("testsuites", name="mplan-xl check", tests="0", failures="0")
        total = failures = 0
        for f in self.files:
            cases = f.findings or []
            path = shown_path(f.path)
            suite = ET.SubElement(suites, "testsuite", name=path, tests=str(max(1, len(cases))),
                                  failures=str(f.errors), skipped=str(f.warnings + (f.status == SKIPPED)))
            if f.status == SKIPPED:
                ET.SubElement(ET.SubElement(suite, "testcase", classname=path, name="skipped"), "skipped",
                              message=f.note or "")
            elif not cases:
                ET.SubElement(suite, "testcase", classname=path, name="valid")
            for x in cases:
                where = "!".join(p for p in (shown(x.sheet), x.cell) if p) or path
                case = ET.SubElement(suite, "testcase", classname=path, name=f"{x.code} {where}")
                if x.severity == ERROR:
                    node = ET.SubElement(case, "failure", message=shown(x.message), type=x.code)
                    node.text = shown(x.hint) or ""
                else:
                    ET.SubElement(case, "skipped", message=shown(x.message))
            total += max(1, len(cases))
            failures += f.errors
        if self.pending:  # a failing suite, so that CI never takes an interrupted check for a passed one
            suite = ET.SubElement(suites, "testsuite", name="mplan-xl check: interrupted", tests="1", failures="1")
            case = ET.SubElement(suite, "testcase", classname="mplan-xl check", name="incomplete")
            ET.SubElement(case, "failure", message=self.summary_line(), type="interrupted").text = \
                "\n".join(shown_path(p) for p in self.pending)
            total, failures = total + 1, failures + 1
        suites.set("tests", str(total))
        suites.set("failures", str(failures))
        ET.indent(suites)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"

    def write_xlsx(self, path: str | os.PathLike, *, folder: str | None = None, checked_on: dt.date | None = None) -> None:
        """An Excel report: a summary row per file, a row per finding with a link to its cell. Its title and
        footer say the day and the folder checked: today and the files' folder, or *checked_on* and *folder* (the
        docs' pictures, :mod:`mplan_xl.portfolio.pictures`).

        Every text that Excel could read as a formula is written as a plain
        string (the writer never turns strings into formulas), so a hostile
        message or file name cannot execute anything.
        """
        from ..workbook import xlsx_writer

        t = lambda key: _TEXT[key](self.lang)  # noqa: E731
        wb = xlsx_writer.workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                             "strings_to_urls": False})
        wb.set_custom_property(REPORT_PROPERTY, "check")
        try:
            border = {"border": 1, "border_color": BORDER_COLOR, "valign": "top"}
            head_props = {"bold": True, "bg_color": HEADER_FILL, "font_color": "#FFFFFF", "text_wrap": True,
                          "border": 1, "border_color": BORDER_COLOR, "valign": "vcenter"}
            head, head_right = wb.add_format(head_props), wb.add_format({**head_props, "align": "right"})
            wrap = wb.add_format({**border, "text_wrap": True})
            number = wb.add_format(border)
            coloured = {colour: wb.add_format({**border, "text_wrap": True, "bold": True, "font_color": colour})
                        for colour in set(SEVERITY_COLOURS.values()) | set(STATUS_COLOURS.values())}
            link = wb.add_format({**border, "font_color": LINK_COLOR, "underline": 1})
            title = wb.add_format({"bold": True, "font_size": 14, "font_color": TITLE_COLOR})
            today = shown_date(checked_on or dt.date.today(), self.lang)
            checked = common_folder([f.path for f in self.files])
            shown_folder = shown_path(checked) if folder is None else folder
            page_header = f'&L&"-,Bold"{t("title").replace("&", "&&")}&R&A'
            # Every page says when and which folder (its tail when too long for Excel's 255-character footer).
            where = shown_folder if len(shown_folder) <= 150 else "…" + shown_folder[-149:]
            page_footer = f'&L{t("checked").format(date=today, folder=where).replace("&", "&&")}&RPage &P / &N'


            files = wb.add_worksheet(t("files_sheet"))
            files.write_string(0, 0, t("title"), title)
            files.write_string(1, 0, t("checked").format(date=today, folder=shown_folder))
            top = 3
            keys: tuple[str, ...] = ("file", "status", "version", "errors", "warnings", "note")
            for col, key in enumerate(keys):
                files.write_string(top, col, t(key), head_right if key in ("errors", "warnings") else head)
            for i, f in enumerate(self.files, top + 1):
                files.write_string(i, 0, in_folder(f.path, checked), wrap)
                files.write_string(i, 1, t(f"status_{f.status}"), coloured[STATUS_COLOURS[f.status]])
                files.write_string(i, 2, f.template_version or "", wrap)
                files.write_number(i, 3, f.errors, coloured[SEVERITY_COLOURS[ERROR]] if f.errors else number)
                files.write_number(i, 4, f.warnings, coloured[SEVERITY_COLOURS[WARNING]] if f.warnings else number)
                files.write_string(i, 5, f.note or "", wrap)
            files.write_string(top + len(self.files) + 2, 0, self.summary_line())
            widths: list[float] = list(FILE_WIDTHS)   # the file column as wide as its names, the note gets the rest
            widths[0] = fit_width([in_folder(f.path, checked) for f in self.files], 14, FILE_WIDTHS[0])
            widths[5] += FILE_WIDTHS[0] - widths[0]
            for col, width in enumerate(widths):
                files.set_column(col, col, width)
            files.set_row(top, 30)
            files.autofilter(top, 0, top + max(1, len(self.files)), len(keys) - 1)
            files.freeze_panes(top + 1, 0)
            file_heights = [22.0, LINE_HEIGHT, LINE_HEIGHT, 30.0]
            for f in self.files:
                lines = max(text_lines(in_folder(f.path, checked), widths[0]), text_lines(f.note or "", widths[5]))
                file_heights.append(LINE_HEIGHT * min(lines, 15))
                if lines > 1:
                    files.set_row(len(file_heights) - 1, file_heights[-1])
            file_heights += [LINE_HEIGHT, LINE_HEIGHT * text_lines(self.summary_line(), sum(widths))]
            apply_print_setup(files, widths, file_heights, header_row=top, header=page_header, footer=page_footer)
            files.print_area(0, 0, len(file_heights) - 1, len(keys) - 1)   # the table and its summary, no more

            sheet = wb.add_worksheet(t("findings_sheet"))
            keys = ("file", "severity", "code", "sheet", "cell", "row_id", "message", "hint", "link")
            sheet.write_row(0, 0, [t(k) for k in keys], head)
            row = 1
            for f in self.files:
                for x in f.findings:
                    sheet.write_string(row, 0, in_folder(f.path, checked), wrap)
                    sheet.write_string(row, 1, t(f"severity_{x.severity}"), coloured[SEVERITY_COLOURS[x.severity]])
                    for col, value in enumerate((x.code, x.sheet, x.cell, x.row_id, x.message, x.hint), 2):
                        sheet.write_string(row, col, shown(value) or "", wrap)
                    target = _link_target(f.path, x.sheet, x.cell, Path(path).resolve().parent)
                    if target:
                        sheet.write_url(row, 8, target, link, string=t("open"))
                    else:
                        sheet.write_blank(row, 8, None, wrap)
                    row += 1
            # The file column as wide as its names (the folder is in the title), the message gets the rest.
            widths = list(FINDING_WIDTHS)
            widths[0] = fit_width([in_folder(f.path, checked) for f in self.files if f.findings], 12, FINDING_WIDTHS[0])
            widths[6] += FINDING_WIDTHS[0] - widths[0]
            for col, width in enumerate(widths):
                sheet.set_column(col, col, width)
            sheet.set_row(0, 30)
            heights = [30.0]
            for f in self.files:
                for x in f.findings:
                    texts = (in_folder(f.path, checked), "", x.code, x.sheet, x.cell, x.row_id, x.message, x.hint)
                    lines = max(text_lines(t or "", w) for t, w in zip(texts, widths))
                    heights.append(LINE_HEIGHT * min(lines, 15))
                    if lines > 1:
                        sheet.set_row(len(heights) - 1, heights[-1])
            sheet.autofilter(0, 0, max(1, row - 1), len(keys) - 1)
            sheet.freeze_panes(1, 0)
            apply_print_setup(sheet, widths, heights, header_row=0, header=page_header, footer=page_footer)
            sheet.print_area(0, 0, max(1, row - 1), len(keys) - 1)
        finally:
            wb.close()


#: Column widths of the findings sheet: file, severity, code, sheet, cell, row, message, hint, link. Texts wrap;
#: the whole table prints on one page width at a readable size.
FINDING_WIDTHS = (28, 13, 22, 12, 6, 8, 46, 32, 7)
#: Column widths of the files sheet: file, status, template version, errors, warnings, note.
FILE_WIDTHS = (50, 12, 12, 10, 14, 40)
#: Font colour of each severity and each file status in the Excel report: errors red, warnings orange.
SEVERITY_COLOURS = {ERROR: "#C00000", WARNING: "#C55A11"}
STATUS_COLOURS = {VALID: "#2E7D32", INVALID: "#C00000", UNREADABLE: "#C00000", SKIPPED: "#7F7F7F"}


def in_folder(path: str, folder: str) -> str:
    """*path* as the Excel report shows it: relative to the checked *folder* its title names (whole when it is
    not under it)."""
    try:
        return shown_path(str(Path(path).resolve().relative_to(folder))) if folder else shown_path(path)
    except ValueError:
        return shown_path(path)


def common_folder(paths: Sequence[str]) -> str:
    """The folder holding every checked file (their common parent), or "" when there is none."""
    try:
        return os.path.commonpath([str(Path(p).resolve().parent) for p in paths]) if paths else ""
    except ValueError:   # files on several drives
        return ""


def _link_target(path: str, sheet: str | None, cell: str | None, report_dir: Path) -> str | None:
    """An ``external:`` link that opens *path* at *sheet*!*cell* (Excel's file#location form).

    The file is named relative to the report's folder, so the report and the
    checked files can be moved or shared together.
    """
    if not sheet:
        return None
    location = f"'{sheet.replace(chr(39), chr(39) * 2)}'!{cell or 'A1'}"
    try:
        target = Path(os.path.relpath(Path(path).resolve(), report_dir)).as_posix()
    except ValueError:  # another drive on Windows: keep the absolute path
        target = Path(path).resolve().as_posix()
    if len(target) + len(location) > 250 or "#" in target or shown(target) != target:
        return None
    return f"external:{target}#{location}"
