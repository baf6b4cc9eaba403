"""Generated docs are what the declarations say today."""

from __future__ import annotations

from pathlib import Path

import pytest

from mplan_xl.workbook.docgen import GENERATED

DOCS_DIR = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_doc_is_up_to_date(name):
    assert (DOCS_DIR / name).read_text(encoding="utf-8") == GENERATED[name](), \
        f"docs/{name} drifted; regenerate with: python -m mplan_xl.workbook.docgen"


def test_rules_doc_lists_every_rule_code():
    from mplan_xl.core.rules import RULES

    text = (DOCS_DIR / "rules.md").read_text(encoding="utf-8")
    assert all(f"`{code}`" in text for code in RULES)
