"""Pictures of the printed pages, for the docs: ``python -m mplan_xl.portfolio.pictures`` writes them to
``docs/printed/``.

One render, as a controller prints it for the committee: the demo plan's dashboard (its two pages), the
portfolio of three plans (every page) and the check report of those plans and one with mistakes (every
page), printed by LibreOffice (A4, recalculated) in the locale of the language, then each page turned into a
PNG by pdftoppm. The plans lie in a folder named ``retours-2027/``, and the check report and the portfolio are
dated :data:`DOCS_DATE` (the plans loaded that morning): regenerated, the pictures change only when the pages do,
not with the day or the temporary folder (a real run shows its real folder and date). Needs ``soffice`` and
``pdftoppm`` (Debian: libreoffice-calc-nogui, poppler-utils). The README's pictures of the demo are
:func:`mplan_xl.workbook.docgen.render_pictures`'s (``docgen --pictures``); these live here because they need the
check report and the portfolio, a layer above the workbook.

Example:
    >>> from mplan_xl.portfolio.pictures import render_printed_pages  # doctest: +SKIP
    >>> render_printed_pages()                                        # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..check.validator import check
from ..core import schema
from ..excel import libreoffice
from ..workbook.demo import demo_workbook
from ..workbook.docgen import DOCS_DIR
from .consolidate import connect, consolidate
from .portfolio_sheet import write_portfolio

#: Where the pictures go, and the teams of the portfolio's plans.
PRINTED_DIR = DOCS_DIR / "printed"
TEAMS = ("Atelier Lumen", "Brûlerie Ormelune", "Café Tilleul")
YEAR = 2027
#: Resolution of the pictures (dots per inch): a page is readable, the file stays small.
DPI = 60
#: The folder of the plans returned, as the check report's title names it, and the day of the check and of the
#: portfolio (the day after the demo's situation date), the plans loaded at :data:`LOADED_AT`.
FOLDER = f"retours-{YEAR}"
DOCS_DATE = dt.date(YEAR, 7, 1)
LOADED_AT = dt.datetime(YEAR, 7, 1, 9, 0)


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def docs_workbooks(work: Path, lang: str = "fr") -> tuple[Path, Path, Path]:
    """Write in *work* the workbooks the pictures print: a demo plan (its dashboard), the portfolio of three plans
    and the check report of those plans and one with mistakes, in folder :data:`FOLDER` and dated
    :data:`DOCS_DATE`, whatever *work* and the day; return their paths."""
    plans = work / FOLDER
    plans.mkdir(parents=True)
    files = [demo_workbook(plans / f"plan-{i}.xlsx", company=team, year=YEAR, lang=lang)
             for i, team in enumerate(TEAMS)]
    consolidate(files, work / "plans.duckdb", lang=lang, jobs=1)
    with connect(work / "plans.duckdb") as con:
        con.execute("UPDATE plans SET loaded_at = ?", [LOADED_AT])
        write_portfolio(con, work / "portfolio.xlsx", lang, generated_on=DOCS_DATE)
    demo_workbook(plans / "plan-with-mistakes.xlsx", company="Atelier Lumen", year=YEAR, lang=lang, with_errors=True)
    check([plans], lang=lang, jobs=1).write_xlsx(work / "report.xlsx", folder=f"{FOLDER}/", checked_on=DOCS_DATE)
    return files[1], work / "portfolio.xlsx", work / "report.xlsx"


def render_printed_pages(folder: Path = PRINTED_DIR, lang: str = "fr") -> list[Path]:
    """Print the demo's dashboard, a portfolio of three plans and a check report to PNG pictures in *folder*
    (its old pictures replaced); return the pictures written."""
    work = Path(tempfile.mkdtemp(prefix="mplan-printed-"))
    pdfs = libreoffice.convert(list(docs_workbooks(work, lang)), "pdf", work / "pdf", locale=libreoffice.LOCALES[lang])
    dashboard = schema.worksheet_name("dashboard", lang)
    wanted = {"dashboard": [i for i, p in enumerate(_pages(pdfs[0]), 1) if dashboard in p.splitlines()[0]],
              "portfolio": list(range(1, len(_pages(pdfs[1])) + 1)), "report": list(range(1, len(_pages(pdfs[2])) + 1))}
    if folder.exists():
        for old in folder.glob("*.png"):
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for (name, pages), pdf in zip(wanted.items(), pdfs):
        for n, page in enumerate(pages, 1):
            prefix = work / f"{name}-{n}"
            subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdf), str(prefix)], check=True)
            out.append(Path(shutil.copyfile(prefix.with_suffix(".png"), folder / f"{name}-{n}.png")))
    shutil.rmtree(work, ignore_errors=True)
    return out


if __name__ == "__main__":
    for written in render_printed_pages(Path(sys.argv[1]) if len(sys.argv) > 1 else PRINTED_DIR):
        print(written)
