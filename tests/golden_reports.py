"""The JSON reports of ``check`` on every corpus, kept as golden files: a faster path must find the same.

The inputs are the committed files (``tests/corpus``, ``tests/fixtures/versions``) and files built here the same
way every time: the demo and the template in both languages, with and without the seeded errors, plan-shaped
workbooks without monthly rows, the hostile plans, the hostile corpus and issue 8's crafted files, and the demo
edited with openpyxl at seeded random places (text in number cells, blanks, negative amounts, dates, formulas
replaced by values, rows deleted). Each file's report is compared finding for finding (code, severity, sheet, cell,
row, message, hint, parameters), with its status, template version, language and figures.

Regenerate the golden file only on purpose (a change of what ``check`` finds), then review its diff::

    PYTHONPATH=src python3 tests/golden_reports.py --write
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "fixtures" / "golden" / "reports.json"
YEAR = 2027


def _edits(demo: Path, folder: Path, seed: int) -> Path:
    """The demo edited with openpyxl at random places of its tables (seeded: the same file every time)."""
    import openpyxl
    from openpyxl.utils.cell import range_boundaries

    rnd = random.Random(seed)
    wb = openpyxl.load_workbook(demo)
    tables = [(ws, t) for ws in wb.worksheets for t in ws.tables.values()]
    values: list[Any] = ["", None, "abc", -250, 0, 1e12, "12,5", "1 200 €", dt.datetime(YEAR - 3, 2, 29 - 1),
                         dt.datetime(YEAR + 2, 7, 1), "Oui", "n/a", 3.5, "=1/0", "#REF!", "  ", 0.25, 150]
    for _ in range(8):
        ws, table = rnd.choice(tables)
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if max_row <= min_row:
            continue
        row, col = rnd.randint(min_row + 1, max_row), rnd.randint(min_col, max_col)
        ws.cell(row, col).value = rnd.choice(values)
    if seed % 3 == 0:   # a whole row emptied, as a team clears a line it no longer needs
        ws, table = rnd.choice(tables)
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        row = rnd.randint(min_row + 1, max_row)
        for col in range(min_col, max_col + 1):
            ws.cell(row, col).value = None
    out = folder / f"edited-{demo.stem}-{seed}.xlsx"
    wb.save(out)
    return out


def build_inputs(folder: Path) -> dict[str, Path]:
    """Every input file, name -> path (the names are the golden file's keys)."""
    sys.path.insert(0, str(HERE))
    import mplan_xl
    from hostile import build_corpus, issue8_hostile, plan_workbook
    from hostile_plans import build_hostile_plans

    files: dict[str, Path] = {}
    for path in sorted((HERE / "corpus").glob("*.xls*")):
        files[f"corpus/{path.name}"] = path
    for path in sorted((HERE / "fixtures" / "versions").glob("*.xls*")):
        files[f"versions/{path.name}"] = path
    built = folder / "built"
    built.mkdir()
    for lang in ("fr", "en"):
        files[f"built/template-{lang}"] = mplan_xl.new_workbook(built / f"template-{lang}.xlsx", lang=lang, year=YEAR,
                                                                company="Atelier Lumen", envelope=50000)
        files[f"built/demo-{lang}"] = mplan_xl.demo_workbook(built / f"demo-{lang}.xlsx", lang=lang, year=YEAR)
        files[f"built/demo-errors-{lang}"] = mplan_xl.demo_workbook(built / f"demo-errors-{lang}.xlsx", lang=lang,
                                                                    year=YEAR, with_errors=True)
    files["built/plan-shaped"] = plan_workbook(built / "plan-shaped.xlsx")
    files["built/plan-shaped-large"] = plan_workbook(built / "plan-shaped-large.xlsx", actions=400, budget_lines=900)
    for name, path in build_hostile_plans(files["built/demo-fr"], folder / "hostile-plans").items():
        files[f"hostile-plans/{name}"] = path
    for name, case in build_corpus(folder / "hostile").items():
        files[f"hostile/{name}"] = case.path
    for name, case in issue8_hostile(folder / "issue8").items():
        files[f"issue8/{name}"] = case.path
    edited = folder / "edited"
    edited.mkdir()
    for lang in ("fr", "en"):
        for seed in range(1, 13):
            files[f"edited/{lang}-{seed}"] = _edits(files[f"built/demo-{lang}"], edited, seed)
    return files


def report_of(path: Path, lang: str, folder: Path) -> dict[str, Any]:
    """The JSON report of one file, without its path, and the folders named in messages as ``<tmp>``, ``<tests>``
    (they differ between runs and machines)."""
    from mplan_xl.check.validator import check_file

    report = check_file(path, lang=lang)
    out = report.to_dict()
    out.pop("path")
    out["lang"] = report.lang
    text = json.dumps(out, sort_keys=True, default=str, ensure_ascii=False)
    for root, mark in ((str(folder), "<tmp>"), (str(HERE), "<tests>")):
        text = text.replace(json.dumps(root, ensure_ascii=False)[1:-1], mark)
    return json.loads(text)


def reports(files: dict[str, Path], folder: Path) -> dict[str, Any]:
    """name -> language -> the file's report, checked in this process (:func:`check_file`)."""
    return {name: {lang: report_of(path, lang, folder) for lang in ("fr", "en")}
            for name, path in sorted(files.items())}


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        got = reports(build_inputs(Path(tmp)), Path(tmp))
    if "--write" in argv:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{len(got)} files -> {GOLDEN}")
    else:
        print(json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
