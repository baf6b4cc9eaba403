"""Number formats that survive LibreOffice, and the plans a LibreOffice save already damaged.

A French format with a bare space before its unit (``#,##0.00 "€"``, ``0.0 %``, the templates' until this fix)
is written back by LibreOffice running in fr-FR as ``#,##0.00,\\€`` / ``0.0,%``: a thousands separator before the
unit, every figure shown divided by 1000, in every spreadsheet, for good. The formats the product writes now
survive (the text shown before and after a save is compared in test_user_edits.py); here: none of them has the
bare space, and ``check`` recognises a plan damaged by a save of an older version, once per file, with the
remedy, which ``upgrade`` carries out.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

import mplan_xl
from mplan_xl.excel import libreoffice
from mplan_xl.portfolio import consolidate
from mplan_xl.workbook import styles
from mplan_xl.read.number_formats import is_scaled
from mplan_xl.year.upgrade import upgrade
from mplan_xl.check.validator import check_file

from conftest import YEAR, format_codes, needs_libreoffice

#: A space right after a digit placeholder, unescaped, before a unit: what LibreOffice fr-FR turns into ",".
_BARE_SPACE = re.compile(r'[0#?] +(?:"|%|\\)')


@pytest.fixture(scope="module")
def portfolio(built, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("portfolio")
    out = folder / "portefeuille.xlsx"
    consolidate.consolidate([built["demo-fr"], built["demo-en"]], folder / "plans.duckdb", out=out, lang="fr")
    return out


def test_no_format_the_product_writes_has_a_bare_space_before_its_unit(built, portfolio):
    codes = set().union(*(format_codes(path) for path in [*built.values(), portfolio]))
    assert '#,##0.00\\ "€"' in codes and "0.0\\ %" in codes and '#,##0\\ "€"' in codes
    assert not [code for code in codes if _BARE_SPACE.search(code) or is_scaled(code)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_one_helper_gives_every_percent_format(lang):
    assert styles.number_format(styles.Kind.PERCENT, lang, "€") == styles.percent_format(lang)
    assert styles.unit_format("percent", lang, "€") == styles.percent_format(lang)   # percentages are fractions
    assert styles.percent_format("fr", 0) == "0\\ %" and styles.percent_format("en", 0) == "0%"


def _old_money(lang: str, symbol: str, decimals: int = 2) -> str:
    figure = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f'{figure} "{symbol}"' if lang == "fr" else f'"{symbol}"{figure}'


def _old_percent(lang: str, decimals: int = 1, points: bool = False) -> str:
    figure = ("#,##0" if points else "0") + ("." + "0" * decimals if decimals else "")
    sign = '"%"' if points else "%"
    return f"{figure} {sign}" if lang == "fr" else figure + sign


@pytest.fixture(scope="module")
def damaged(tmp_path_factory, request) -> Path:
    """The French demo built with the formats of the previous versions, saved by LibreOffice in fr-FR."""
    folder = tmp_path_factory.mktemp("damaged")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(styles, "money_format", _old_money)
        patch.setattr(styles, "percent_format", _old_percent)
        old = mplan_xl.demo_workbook(folder / "plan.xlsx", year=YEAR)
    assert '#,##0.00 "€"' in format_codes(old)
    [saved] = libreoffice.convert([old], "xlsx", folder / "lo", locale="fr-FR")
    return saved


@needs_libreoffice
def test_check_says_once_that_a_libreoffice_save_divided_the_figures_by_1000(damaged):
    assert "#,##0.00,\\€" in format_codes(damaged) and "0.0,%" in format_codes(damaged)   # as LibreOffice writes them
    report = check_file(damaged, lang="en")
    [finding] = [f for f in report.findings if f.code == "format-scaled"]
    assert finding.severity == "warning" and finding.sheet and finding.cell
    assert finding.params["count"] > 1000 and finding.params["conditional"] > 0
    assert "#,##0.00,\\€" in finding.message and "0.0,%" in finding.message
    assert f"mplan-xl upgrade {damaged}" in finding.message
    assert report.status == "valid"   # a warning: the values are right


@needs_libreoffice
def test_upgrade_restores_the_templates_formats(damaged, built, tmp_path):
    out = tmp_path / "restored.xlsx"
    upgrade(damaged, out, lang="fr")
    assert not [f for f in check_file(out, lang="en").findings if f.code == "format-scaled"]
    assert format_codes(out) == format_codes(built["demo-fr"])


def test_a_scaled_format_patched_as_libreoffice_writes_it_is_found_without_libreoffice(built, tmp_path):
    """styles.xml patched the way LibreOffice fr-FR rewrites the money format (of cells and conditional formats)."""
    source = built["demo-fr"]
    target = tmp_path / "patched.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/styles.xml":
                data = data.replace('formatCode="#,##0.00\\ &quot;€&quot;"'.encode(), 'formatCode="#,##0.00,\\€"'.encode())
            zout.writestr(item, data)
    assert "#,##0.00,\\€" in format_codes(target)
    found = [f for f in check_file(target, lang="fr").findings if f.code == "format-scaled"]
    assert len(found) == 1 and found[0].params["count"] > 100 and found[0].params["conditional"] > 0
    assert not [f for f in check_file(source, lang="fr").findings if f.code == "format-scaled"]


# --- issue 22: the styles part is parsed only when a format may be scaled ---------------------------------------

_FORMATS = ['#,##0.00,\\€', "0.0,%", '#,##0.00," €"', "#,##0.0,\\%", '#,##0,"k€"', "#,##0,", '0,[$€-40C]',
            '#,##0.00,\u00a0\\€', "#,##0.00,,\\$", '#,##0.00\\ "€"', "0.0\\ %", "#,##0", "#,##0.00", "dd/mm/yyyy",
            '"€"#,##0.00', "0.00,%;-0.00,%", '#,##0;[Red]-#,##0,\\£', "?,%", '#,##0.00," CHF"']


@pytest.mark.parametrize("code", _FORMATS)
def test_the_quick_screen_of_styles_never_misses_a_scaled_format(code):
    from xml.sax.saxutils import quoteattr

    from mplan_xl.read.number_formats import _MAYBE_SCALED

    attribute = ("formatCode=" + quoteattr(code, {'"': "&quot;"})).encode()
    assert not is_scaled(code) or _MAYBE_SCALED.search(attribute)


def test_the_products_styles_are_not_parsed_for_scaled_formats(built):
    from mplan_xl.read import number_formats

    for path in built.values():
        with zipfile.ZipFile(path) as zf:
            styles_xml = zf.read("xl/styles.xml")
        assert b'formatCode="#,##0' in styles_xml
        assert number_formats._MAYBE_SCALED.search(styles_xml) is None   # "#,##0" alone is no reason to parse
