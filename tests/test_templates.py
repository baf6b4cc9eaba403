"""The committed ready-made templates are exactly what the code generates (compared part by part, not bytes)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from mplan_xl.workbook.regenerate_templates import template_files, write_templates

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "workbook_templates"


def describe(path: Path) -> dict:
    """What must not drift: sheets, tables and headers, validations, formulas, names, metadata."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
                 "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
                 "properties": sorted((p.name, str(p.value)) for p in wb.custom_doc_props.props)}
    for ws in wb.worksheets:
        out[f"tables:{ws.title}"] = sorted(
            (t.name, t.ref, tuple((c.name, c.calculatedColumnFormula.attr_text if c.calculatedColumnFormula else None)
                                  for c in t.tableColumns)) for t in ws.tables.values())
        out[f"validations:{ws.title}"] = sorted(
            (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.prompt, dv.error)
            for dv in ws.data_validations.dataValidation)
        out[f"cells:{ws.title}"] = [(c.coordinate, getattr(c.value, "text", c.value), c.number_format, c.protection.locked)
                                    for row in ws.iter_rows() for c in row if c.value is not None]
    return out


def test_every_template_is_committed():
    assert sorted(p.name for p in DEFAULT_DIR.glob("plan-marketing-*")) == sorted(template_files())


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> dict:
    return {p.name: p for p in write_templates(tmp_path_factory.mktemp("templates"))}


@pytest.mark.parametrize("name", sorted(template_files()))
def test_committed_template_matches_the_generator(fresh, name):
    committed, regenerated = describe(DEFAULT_DIR / name), describe(fresh[name])
    for part in regenerated:
        assert committed.get(part) == regenerated[part], (
            f"{name}: part {part!r} drifted; regenerate with: python -m mplan_xl.workbook.regenerate_templates")
