"""Shared fixtures: generated workbooks are built once per session and reused."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

import mplan_xl
from mplan_xl.excel.libreoffice import soffice_path

YEAR = 2027


_FORMAT_CODE = re.compile(rb'formatCode="([^"]*)"')


def format_codes(path: Path) -> set[str]:
    """Every number format of a workbook: cells, conditional formats (styles.xml) and chart axes."""
    with zipfile.ZipFile(path) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/") and n.endswith(".xml"))
    return {m.decode().replace("&quot;", '"').replace("&amp;", "&").replace("&gt;", ">").replace("&lt;", "<")
            for m in _FORMAT_CODE.findall(xml)}


@pytest.fixture(autouse=True)
def _own_result_cache(tmp_path_factory, monkeypatch):
    """Every test's ``check`` caches its results in a folder of the test session, never in the user's cache."""
    monkeypatch.setenv("MPLAN_XL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "result-cache"))


def needs_libreoffice(func):
    marks = [pytest.mark.libreoffice,
             pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")]
    for mark in marks:
        func = mark(func)
    return func


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict:
    """Template and demo, French and English, native runtime: name -> path."""
    folder: Path = tmp_path_factory.mktemp("built")
    out = {}
    for lang in ("fr", "en"):
        out[f"template-{lang}"] = mplan_xl.new_workbook(folder / f"template-{lang}.xlsx", lang=lang, year=YEAR,
                                                        company="Atelier Lumen", envelope=50000)
        out[f"demo-{lang}"] = mplan_xl.demo_workbook(folder / f"demo-{lang}.xlsx", lang=lang, year=YEAR)
    return out
