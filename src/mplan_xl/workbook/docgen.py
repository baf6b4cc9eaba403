"""Reference docs generated from the declarations, so they cannot drift.

- ``docs/workbook.md``: every sheet, table and column of :mod:`mplan_xl.core.schema`
  with types, required flags, dropdown lists and computed columns.
- ``docs/rules.md``: the rule catalogue of :mod:`mplan_xl.core.rules`.

Regenerate with ``python -m mplan_xl.workbook.docgen``; a test fails when the committed
files differ from the output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..core import schema
from ..core.computed import column_formula
from ..core.rules import CATEGORIES, REPAIR_HINT, REPAIRABLE, RULES
from ..core.schema import Metric, Rollup
from .functions_doc import functions_md

DOCS_DIR = Path(__file__).resolve().parents[3] / "docs"


def _kind(column: schema.Column) -> str:
    if column.choices is not None:
        return f"list `{column.choices.key}`"
    if column.ref:
        return f"id of `{column.ref}`"
    return column.kind.value


def _computed(sheet: schema.Table, column: schema.Column) -> str:
    spec = column.computed
    if isinstance(spec, Metric):
        args = ", ".join(f"{k}={v.lstrip('=')}" for k, v in spec.args.items())
        return f"`{spec.name}({args})`"
    if isinstance(spec, Rollup):
        what = "count" if spec.function == "count" else f"sum of `{spec.table}.{spec.value}`"
        return f"{what} where `{spec.table}.{spec.match}` = this id"
    return ""


def workbook_md() -> str:
    lines = [
        "# The plan workbook",
        "",
        "Generated from `src/mplan_xl/core/schema.py` by `python -m mplan_xl.workbook.docgen`; do not edit by hand.",
        "",
        f"Template id `{schema.TEMPLATE_ID}`, version `{schema.TEMPLATE_VERSION}`. Every data sheet is an Excel "
        f"Table whose header is on row {schema.HEADER_ROW}; hidden sheets `{schema.LISTS_SHEET}` (dropdown lists), "
        f"`{schema.CONFIG_SHEET}` (KPI status thresholds), `{schema.STATUS_SHEET}` (the live status counts, one per "
        f"rule and table) and `{schema.META_SHEET}` (template id, version, language, "
        "runtime) support them. Defined names: "
        + ", ".join(f"`{n}`" for n in (schema.NAME_COMPANY, schema.NAME_YEAR, schema.NAME_AUTHOR, schema.NAME_CURRENCY,
                                       schema.NAME_ENVELOPE, schema.NAME_ON_TRACK, schema.NAME_AT_RISK,
                                       schema.NAME_AS_OF)) + f" (`{schema.NAME_AS_OF}`: the situation date, today "
        "kept within the plan year), and `mplan_rows_<table key>` (1 on the rows that are part of the plan, shared by "
        "the live status counts). The sheets marked *view* only show what the tables hold (formulas, no input): "
        "a reader does not need them.",
        "",
        "| worksheet (fr / en) | tables |",
        "| --- | --- |",
    ]
    views = {key for key, _, _ in schema.VIEW_WORKSHEETS}
    for key, label in schema.workbook_sheets():
        tables = ", ".join(f"`{t.table}`" for t in schema.tables_on(key)) or ("*view*" if key in views else "—")
        lines.append(f"| {label.fr} / {label.en} | {tables} |")
    for sheet in schema.TABLES:
        lines += ["", f"## `{sheet.table}` ({sheet.key}) — sheet {sheet.name.fr} / {sheet.name.en}", "",
                  sheet.guidance.en, "",
                  "| key | header (fr) | header (en) | type | required | computed as |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for c in sheet.columns:
            total = f"{'; ' if c.computed else ''}total row: {c.total} (SUBTOTAL)" if c.total else ""
            lines.append(f"| `{c.key}` | {c.header('fr')} | {c.header('en')} | {_kind(c)} | "
                         f"{'yes' if c.required else ''} | {_computed(sheet, c)}{total} |")
        examples = [c for c in sheet.computed_columns if isinstance(c.computed, Metric)][:1]
        for c in examples:
            lines += ["", f"Native formula of `{c.key}` (en): `={column_formula(sheet, c, 'native', 'en')}`"]
    lines += ["", "## Dropdown lists", ""]
    from ..core.vocabulary import ALL_LISTS

    for lst in ALL_LISTS:
        lines.append(f"- `{lst.key}`: " + "; ".join(f"`{c.code}` {c.label.fr} / {c.label.en}" for c in lst.choices))
    return "\n".join(lines) + "\n"


def rules_md() -> str:
    lines = [
        "# Validation rules",
        "",
        "Generated from `src/mplan_xl/core/rules.py` by `python -m mplan_xl.workbook.docgen`; do not edit by hand.",
        "Codes are stable: a published code never changes meaning.",
        "",
        "*Live*: the workbook's own formulas count the rule, so the Guide's live status shows it by category "
        "(cells, formulas, plan logic) beside the total, as `check` will report it. Findings about a computed "
        "column are grouped: one per column and cause, with the count and the cells.",
        "",
        "*Repairable*: `mplan-xl repair` restores what the finding is about, every typed value kept; `check` says "
        "so in the hint and marks the finding `\"repairable\": true` in JSON (case by case: a `type-invalid` finding "
        "when the text is a date with one reading, `15/03/2027`; a `row-outside-table` finding when the row is "
        "typed just below a table without a total row, which then grows over it).",
    ]
    for category, title in CATEGORIES.items():
        lines += ["", f"## {title.en} / {title.fr}", "", "| code | severity | live | what it means | hint |",
                  "| --- | --- | --- | --- | --- |"]
        for rule in RULES.values():
            if rule.category == category:
                hint = rule.hint.en if rule.hint else ""
                if rule.code in REPAIRABLE:
                    hint += f" *Repairable:* {REPAIR_HINT.en}"
                lines.append(f"| `{rule.code}` | {rule.severity} | {'yes' if rule.live else ''} | "
                             f"{rule.title.en}: {rule.message.en} | {hint} |")
    return "\n".join(lines + _limits_md()) + "\n"


def _limits_md() -> list[str]:
    """The reader's limits (``oversized-workbook`` past them, ``check-timeout`` past the time), from :class:`Limits`."""
    from ..read.reader import Limits

    limits = Limits()
    mib = 2**20
    return ["", "## Reading limits", "",
            "A file beyond one of these is `oversized-workbook`, one read for longer than the time limit "
            "`check-timeout` (`check --timeout` sets it). Rows, "
            "columns and cells count only cells holding a value or a formula: a `<dimension>` or empty styled "
            "cells reaching row 1,048,576 weigh nothing.", "",
            "| limit | default |", "| --- | --- |",
            f"| file size | {limits.max_file_bytes // mib} MiB |",
            f"| uncompressed size | {limits.max_uncompressed_bytes // mib} MiB |",
            f"| compression ratio of a part over 1 MiB | {limits.max_ratio:g}:1 |",
            f"| parts in the archive | {limits.max_members:,} |",
            f"| last row of a sheet | {limits.max_rows:,} |",
            f"| last column of a sheet | {limits.max_columns:,} |",
            f"| cells of a sheet (last row x last column) | {limits.max_cells:,} |",
            f"| text of shared formulas shifted for their cells, per sheet | {limits.max_formula_chars:,} characters |",
            f"| time per file | {limits.timeout_s:g} s |"]


def demo_md() -> str:
    from .demo import SEEDED_ERRORS
    from .demo_data import DEFAULT_COMPANY

    lines = ["# The demo plan and its seeded errors", "",
             "Generated from `src/mplan_xl/workbook/demo.py` by `python -m mplan_xl.workbook.docgen`; do not edit by hand.", "",
             f"`mplan-xl demo OUT` writes the plan of {DEFAULT_COMPANY}, a fictional company; it passes `mplan-xl check`",
             "with no finding. `--with-errors` seeds the problems below, one each, and `check` must report exactly",
             "these findings (a test holds it to that, in both languages and both runtimes).", "",
             "| rule | severity | table | row | column | what was broken |", "| --- | --- | --- | --- | --- | --- |"]
    for e in SEEDED_ERRORS:
        lines.append(f"| `{e.code}` | {e.severity} | {e.table} | {e.row_id} | {e.column} | {e.description.en} |")
    return "\n".join(lines) + "\n"


GENERATED = {"workbook.md": workbook_md, "rules.md": rules_md, "functions.md": functions_md, "demo.md": demo_md}


def write_docs(folder: Path = DOCS_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, render in GENERATED.items():
        path = folder / name
        path.write_text(render(), encoding="utf-8")
        out.append(path)
    return out


#: README pictures: worksheet key -> file name under docs/.
PICTURES = {"guide": "demo-guide.png", "summary": "demo-summary.png", "objectives": "demo-objectives.png",
            "dashboard": "demo-dashboard.png"}


def render_pictures(folder: Path = DOCS_DIR, lang: str = "fr") -> list[Path]:
    """Render sheets of the demo plan to PNG through LibreOffice (PDF) and pdftoppm, for the README.

    Needs ``soffice`` and ``pdftoppm`` (Debian: libreoffice-calc-nogui, poppler-utils). Each worksheet
    prints on its own page(s), in workbook order; hidden sheets do not print. LibreOffice runs in the
    locale of *lang* (``fr-FR``: "140 000,00 €"), whatever the machine's.
    """
    import shutil
    import subprocess
    import tempfile

    from ..excel import libreoffice
    from .demo import demo_workbook

    work = Path(tempfile.mkdtemp(prefix="mplan-pictures-"))
    xlsx = demo_workbook(work / "demo.xlsx", lang=lang, year=2027)
    pdf = libreoffice.convert([xlsx], "pdf", work, locale=libreoffice.LOCALES[lang])[0]
    count = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                                 check=True).stdout.splitlines() if line.startswith("Pages")))
    texts = [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout for i in range(1, count + 1)]
    titles = {"guide": "Plan marketing opérationnel" if lang == "fr" else "Operational marketing plan",
              "summary": "Synthèse du plan" if lang == "fr" else "Plan summary",
              # the page of the Objectives table that holds its computed columns, the SMART check among them
              "objectives": schema.OBJECTIVES.column("actions_count").header(lang),
              "dashboard": ("Tableau de bord {year}" if lang == "fr" else "Dashboard {year}").format(year=2027)}
    out = []
    for key, name in PICTURES.items():
        page = next(i for i, text in enumerate(texts, 1) if titles[key] in " ".join(text.split()))   # headers wrap
        prefix = work / key
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                        str(prefix)], check=True)
        target = folder / name
        shutil.copyfile(prefix.with_suffix(".png"), target)
        out.append(target)
    return out


if __name__ == "__main__":
    if "--pictures" in sys.argv:
        for written in render_pictures():
            print(written)
    else:
        for written in write_docs(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS_DIR):
            print(written)
