"""Shared fixtures: generated workbooks are built once per session and reused."""

from __future__ import annotations

from pathlib import Path

import pytest

import mplan_xl
from mplan_xl.libreoffice import soffice_path

YEAR = 2027


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
