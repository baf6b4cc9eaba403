"""``docs/functions.md``, the reference of the ``MPLAN_`` functions, generated from the registry.

Everything in it comes from :func:`mplan_xl.core.metrics.catalogue` (signatures,
definitions, argument help, examples, edge cases), :mod:`mplan_xl.core.smart` (the
SMART rules) and :mod:`mplan_xl.core.formulas` (the native formulas), and every
example is computed, not copied, so the reference cannot drift from the code.

Regenerate with ``python -m mplan_xl.workbook.functions_doc``; a test fails when the
committed file differs from the output.
"""

from __future__ import annotations

import datetime as dt
import inspect
import sys
from pathlib import Path
from typing import Any

from ..core import formulas, smart
from ..core.metrics import DEFAULT_AT_RISK, DEFAULT_ON_TRACK, MetricInfo, catalogue
from ..core.numbers import SPREADSHEET_EPSILON
from ..core.vocabulary import DIRECTION, KPI_STATUS

DOCS_FILE = Path(__file__).resolve().parents[3] / "docs" / "functions.md"

_KIND = {"number": "number", "percent": "number, shown as a percentage (0.25 = 25 %)", "text": "text",
         "boolean": "TRUE / FALSE"}


def _excel(value: Any) -> str:
    """A value as it would be typed in a formula."""
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date):
        return f"DATE({value.year},{value.month},{value.day})"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return f"{value:g}" if isinstance(value, float) else str(value)


def _shown(value: Any) -> str:
    """A cell value as the table shows it."""
    if value is None:
        return "*blank*"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return f"{value:.10g}"
    return f"`{value}`" if isinstance(value, str) else str(value)


def _call(info: MetricInfo, kwargs: dict[str, Any]) -> str:
    """The example as typed in a cell: trailing blank optional arguments left out, except before ``lang``."""
    defaults = {n: p.default for n, p in inspect.signature(info.function).parameters.items()}
    values = [kwargs.get(p, defaults[p]) for p in info.parameters]
    args = [_excel(v) for v in values]
    if info.localised:
        args.append("lang")
    else:
        while len(args) > len(info.required) and values[len(args) - 1] is None:
            args.pop()
    return f"{info.udf}({', '.join(args)})"


def _python_signature(info: MetricInfo) -> str:
    """``metrics.favourable(actual, target, direction="higher") -> bool | None``."""
    module = info.function.__module__.split(".")[-1]
    params = []
    for name, p in inspect.signature(info.function).parameters.items():
        if p.default is inspect.Parameter.empty:
            params.append(name)
        else:
            params.append(f"{name}={'None' if p.default is None else _excel(p.default)}")
    returns = info.function.__annotations__.get("return", "")
    return f"{module}.{info.name}({', '.join(params)})" + (f" -> {returns}" if returns else "")


def _function_section(info: MetricInfo) -> list[str]:
    params = ", ".join(info.parameters) + (", lang" if info.localised else "")
    lines = ["", f"## `{info.udf}({params})` — {info.title.en} / {info.title.fr}", "",
             f"- **Definition:** {info.definition.en}",
             f"- **Définition :** {info.definition.fr}",
             f"- **Result:** {_KIND[info.result]}; blank when not computable.",
             f"- **Python:** `{_python_signature(info)}`", "",
             "| argument | help | aide | default |", "| --- | --- | --- | --- |"]
    defaults = {n: p.default for n, p in inspect.signature(info.function).parameters.items()}
    for p in info.parameters:
        default = defaults[p]
        shown = "required" if default is inspect.Parameter.empty else ("*blank*" if default is None else _excel(default))
        lines.append(f"| `{p}` | {info.arguments[p].en} | {info.arguments[p].fr} | {shown} |")
    if info.localised:
        lines.append('| `lang` | Language of the text: "fr" or "en" | Langue du texte : « fr » ou « en » | "fr" |')
    lines += ["", f"**Edge cases.** {info.edge_cases.en}", "", f"*Cas limites.* {info.edge_cases.fr}", "",
              '| call | lang = "en" | lang = "fr" |' if info.localised else "| call | result |",
              "| --- |" + (" --- | --- |" if info.localised else " --- |")]
    for kwargs, expected in info.examples:
        if info.localised:
            lines.append(f"| `{_call(info, kwargs)}` | {_shown(info.cell(kwargs, 'en'))} | "
                         f"{_shown(info.cell(kwargs, 'fr'))} |")
        else:
            lines.append(f"| `{_call(info, kwargs)}` | {_shown(info.cell(kwargs, 'en'))} |")
    refs = {p: p.upper() for p in info.parameters}
    if info.name == "kpi_status":
        refs.update(on_track="mplan_on_track", at_risk="mplan_at_risk")
    if info.name == "smart_check":
        refs.update(plan_year="mplan_year")
    if info.name != "smart_check":
        lines += ["", f"Native formula (`--runtime native`, English workbook): `={formulas.render(info.name, 'native', refs, 'en')}`"]
    lines += ["", f"xlwings formula (`--runtime xlwings`): `={formulas.render(info.name, 'xlwings', refs, 'en')}`"]
    return lines


def _smart_section() -> list[str]:
    lines = ["", "### SMART rules", "",
             "| letter | rule | reason (en) | raison (fr) |", "| --- | --- | --- | --- |"]
    for rule in smart.RULES:
        lines.append(f"| {rule.letter} | `{rule.code}` | {rule.reason.en} | {rule.reason.fr} |")
    lines += [
        "",
        "- *Blank* means empty or spaces only (Excel's `LEN(TRIM(x))=0`).",
        "- Vague verbs, matched case-insensitively as parts of words; a statement using one fails S only when it "
        "holds no digit: " + ", ".join(f"`{v}`" for v in smart.VAGUE_VERBS) + ".",
        f"- Realistic (R): with a non-zero numeric baseline, |target − baseline| / |baseline| must not exceed "
        f"{smart.REALISTIC_CHANGE:g} (±{smart.REALISTIC_CHANGE:.0%}). A yearly plan may double or triple a small "
        "figure; four times the baseline or more is almost always a typing error (110000 for 110 %) or a wish.",
        "- Time-bound (T): the deadline is a date (a date cell, or an Excel serial number from 1 to 9999-12-31; "
        "text is no date) within the plan year.",
        "- The target and the baseline count only as numbers (text such as `\"110 000\"` is not a number).",
        "- Nothing written yet (statement, indicator, target, unit, deadline and owner blank): blank result.",
        "",
        "The native formula checks the same rules letter by letter (one `IF` per rule, the vague verbs as an array "
        "constant in `SEARCH`); it is long, see `mplan_xl.core.formulas.render(\"smart_check\", \"native\", ...)`.",
    ]
    return lines


def functions_md() -> str:
    """The text of ``docs/functions.md``."""
    lower = [DIRECTION.label("lower", lang) for lang in ("en", "fr")]
    lines = [
        "# `MPLAN_` worksheet functions",
        "",
        "Generated from the registry (`src/mplan_xl/core/metrics.py`, `src/mplan_xl/core/smart.py`) by",
        "`python -m mplan_xl.workbook.functions_doc`; do not edit by hand. Each function is a thin xlwings wrapper",
        "(`src/mplan_xl/udfs.py`) over one pure Python function; the validator, the consolidation and the native",
        "formulas (`--runtime native`) use the same definitions, and a test has LibreOffice recompute hundreds of",
        "random rows of native formulas to prove they agree with Python.",
        "",
        "## Common rules",
        "",
        "- **Only real numbers count**, exactly those Excel's `ISNUMBER` accepts. Text (even `\"1 234,56\"` or",
        "  `\"12 %\"`), blanks and booleans are *missing*; a date counts as its serial number, as a cell holds it.",
        "  `mplan-xl check` reports numbers typed as text, with the number they probably mean.",
        "- **Blank, never an error.** A missing input or an undefined figure (zero cost, zero target, zero",
        "  denominator) gives a blank cell (`\"\"`), not 0 and not `#DIV/0!`.",
        "- **Zero** is a number: it is used as such wherever the figure stays defined (a variance of 0 − 0 is 0).",
        "- **Percentages are fractions:** 0.25 is 25 %.",
        "- **Lower is better.** A direction is a code or a label of the direction list, in either language,",
        f"  matched case-insensitively: `lower`, {', '.join(f'`{x}`' for x in lower)}. Anything else, blank",
        "  included, reads as higher is better.",
        "- **Comparisons** (thresholds, favourable side, baseline equal to target) treat numbers that differ by",
        f"  less than one part in 2^48 (about {SPREADSHEET_EPSILON:.1e}) as equal, as Excel and LibreOffice do.",
        f"- **KPI thresholds** default to {DEFAULT_ON_TRACK:g} and {DEFAULT_AT_RISK:g}; a workbook keeps its own in",
        "  the named cells `mplan_on_track` and `mplan_at_risk` (sheet `mplan_config`). Status labels: "
        + "; ".join(f"`{c.code}` {c.label.en} / {c.label.fr}" for c in KPI_STATUS.choices) + ".",
        "- **Text results** (KPI status, SMART check) come in the workbook's language: the `MPLAN_` function takes",
        "  `\"fr\"` (default) or `\"en\"` as its last argument; the native formula carries the labels of its language.",
        "- **Ranges.** Every argument takes a single value or a range: a column (or row, or block) gives one result",
        "  per cell, in the same shape; a single value, row or column is repeated across the block.",
        "- **Help in Excel.** The function wizard (fx) shows each function's description and argument help, in the",
        "  workbook's language.",
    ]
    for info in catalogue().values():
        lines += _function_section(info)
        if info.name == "smart_check":
            lines += _smart_section()
    lines += ["", "## `MPLAN_VERSION()` — version", "",
              "The version of mplan-xl computing the functions: `=MPLAN_VERSION()` in any cell shows at once whether",
              "Python answers (a version number) or not (an error text)."]
    return "\n".join(lines) + "\n"


def write_functions_md(path: Path = DOCS_FILE) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(functions_md().encode("utf-8"))
    return path


if __name__ == "__main__":
    print(write_functions_md(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS_FILE))
