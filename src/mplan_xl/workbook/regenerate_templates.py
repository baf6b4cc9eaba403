"""The ready-made templates committed in ``workbook_templates/``.

They are what ``mplan-xl new`` writes with default options, for people who
just want the file. A test regenerates them and compares sheets, headers,
validations, formulas and metadata, so they cannot drift from the code.

Regenerate them with::

    python -m mplan_xl.workbook.regenerate_templates            # writes into workbook_templates/
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.vocabulary import LANGUAGES
from .builder import RUNTIME_EXTENSIONS, new_workbook

#: The template year is fixed so the committed files do not change every January.
TEMPLATE_YEAR = 2027
DEFAULT_DIR = Path(__file__).resolve().parents[3] / "workbook_templates"


def template_files() -> dict[str, dict]:
    """File name -> the options of :func:`mplan_xl.new_workbook` that produce it."""
    return {
        f"plan-marketing-{lang}{RUNTIME_EXTENSIONS[runtime]}": {"lang": lang, "runtime": runtime, "year": TEMPLATE_YEAR}
        for lang in LANGUAGES for runtime in RUNTIME_EXTENSIONS
    }


def write_templates(folder: str | Path = DEFAULT_DIR) -> list[Path]:
    """(Re)write every ready-made template into *folder*."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [new_workbook(folder / name, force=True, **options) for name, options in template_files().items()]


if __name__ == "__main__":
    for path in write_templates(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR):
        print(path)
