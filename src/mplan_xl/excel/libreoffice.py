"""LibreOffice headless as an independent spreadsheet engine.

Used by the tests (recalculate a generated workbook and compare with Python),
by the docs (render sheets to PDF/PNG) and by anyone who wants to check a
workbook in another writer. LibreOffice does not recalculate ``.xlsx`` files
on load by default; a private profile sets ``OOXMLRecalcMode`` to *always*, so
every formula is evaluated by LibreOffice itself, not read from cached values.

Example:
    >>> from mplan_xl.excel.libreoffice import convert  # doctest: +SKIP
    >>> convert(["plan.xlsx"], "xlsx", outdir)     # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
{ui_locale}</oor:items>
"""
# The locale LibreOffice itself runs in (its "user interface" locale, which also decides how number formats
# are written back to a file), set with the locale of numbers and dates: a French desk sets both.
_UI_LOCALE_XCU = """<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>{locale}</value></prop></item>
"""

# Filter names LibreOffice expects for each target extension.
FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xlsm": "xlsm:Calc MS Excel 2007 VBA XML",
    "ods": "ods",
    "pdf": "pdf",
    "png": "png",
}


def soffice_path() -> str | None:
    """Path of the ``soffice`` executable, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


#: LibreOffice locale (number and date display: "25 000,00 €" or "25,000.00 €") of each workbook language.
LOCALES = {"fr": "fr-FR", "en": "en-GB"}


def _profile_dir(locale: str = "") -> Path:
    # One profile per process (and locale): two LibreOffice instances sharing a profile hand
    # their jobs to each other, which breaks concurrent test runs.
    profile = Path(tempfile.gettempdir()) / f"mplan-xl-lo-profile-{os.getpid()}{'-' + locale if locale else ''}"
    xcu = profile / "user" / "registrymodifications.xcu"
    if not xcu.exists():
        xcu.parent.mkdir(parents=True, exist_ok=True)
        xcu.write_text(_PROFILE_XCU.format(locale=locale, ui_locale=_UI_LOCALE_XCU.format(locale=locale) if locale else ""), encoding="utf-8")
    return profile


def convert(files: Iterable[str | os.PathLike], fmt: str, outdir: str | os.PathLike, timeout: float = 300,
            locale: str = "") -> list[Path]:
    """Open *files* in LibreOffice, recalculate every formula, and save them as *fmt* into *outdir*.

    *locale* (``"fr-FR"``, see :data:`LOCALES`) is the locale numbers and dates are shown in, for a PDF or a
    picture; empty: the system's. One LibreOffice process handles the whole batch. Returns the output paths in
    input order; raises RuntimeError when LibreOffice is missing or an output
    was not produced.
    """
    exe = soffice_path()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    paths = [Path(f).resolve() for f in files]
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    target = FILTERS.get(fmt, fmt)
    cmd = [exe, f"-env:UserInstallation={_profile_dir(locale).as_uri()}", "--headless", "--norestore",
           "--convert-to", target, "--outdir", str(outdir), *map(str, paths)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    ext = fmt.split(":")[0]
    outputs = [outdir / (f.stem + "." + ext) for f in paths]
    missing = [str(p) for p in outputs if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not produce {missing}: {proc.stdout}\n{proc.stderr}")
    return outputs
