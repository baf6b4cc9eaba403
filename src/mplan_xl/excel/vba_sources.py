"""The VBA modules a workbook embeds, as committed in ``macros/``: read, never generated, here.

:mod:`mplan_xl.excel.macros` regenerates these files (it drives xlwings' own
generator); the builder and the checks only need the committed text, so they
import this module and never the generator.

Example:
    >>> list(vba_sources())
    ['xlwings', 'Dictionary', 'xlwings_udfs', 'mplan_functions', 'mplan_selfcheck']
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from ..core import schema, versions
from ..core.vocabulary import LANGUAGES

MACROS_DIR = Path(__file__).resolve().parents[3] / "macros"
#: VBA module names.
RUNTIME_MODULE, DICTIONARY_MODULE, WRAPPER_MODULE, REGISTER_MODULE = "xlwings", "Dictionary", "xlwings_udfs", "mplan_functions"
SELFCHECK_MODULE = "mplan_selfcheck"
#: Module name -> (file in macros/, VBA module kind), in the order they are embedded.
ModuleKind = Literal["standard", "class", "document"]

MODULES: dict[str, tuple[str, ModuleKind]] = {
    RUNTIME_MODULE: ("xlwings.bas", "standard"),
    DICTIONARY_MODULE: ("Dictionary.cls", "class"),
    WRAPPER_MODULE: ("xlwings_udfs.bas", "standard"),
    REGISTER_MODULE: ("mplan_functions.bas", "standard"),
    SELFCHECK_MODULE: ("mplan_selfcheck.bas", "standard"),
}
MODULE_NAMES = tuple(MODULES)
#: The document module of the workbook: on opening, checks that Python answers (and says what to do when it
#: does not), then registers the functions' help.
THIS_WORKBOOK_CODE = "Private Sub Workbook_Open()\r\n    MplanSelfCheck\r\n    MplanRegisterFunctions\r\nEnd Sub\r\n"


_CLASS_HEADER = re.compile(r"\AVERSION 1\.0 CLASS\r?\nBEGIN\r?\n.*?^END\r?\n", re.MULTILINE | re.DOTALL)


def module_code(text: str) -> str:
    """The module's source as the VBA project holds it: a ``.cls`` file without its ``VERSION``/``BEGIN``...``END`` header.

    >>> module_code("VERSION 1.0 CLASS\\r\\nBEGIN\\r\\n  MultiUse = -1  'True\\r\\nEND\\r\\nAttribute VB_Name = \\"A\\"\\r\\n")
    'Attribute VB_Name = "A"\\r\\n'
    """
    return _CLASS_HEADER.sub("", text, count=1)


@lru_cache(maxsize=1)
def committed_files() -> dict[str, str]:
    """File name -> the exact text of the committed ``macros/`` file the workbooks embed.

    ``macros/`` ships inside the package as ``mplan_xl.macros_vba`` (see
    pyproject.toml), so an installed copy reads the very files of the
    repository, without importing xlwings to regenerate them; an editable
    install reads them from the checkout.
    """
    try:
        folder = resources.files("mplan_xl.macros_vba")
    except ModuleNotFoundError:  # an editable install maps no such package: read the checkout's macros/
        folder = MACROS_DIR
    return {file: folder.joinpath(file).read_bytes().decode("utf-8") for file, _ in MODULES.values()}


def vba_sources() -> dict[str, str]:
    """VBA module name -> its source as embedded: the committed ``macros/`` text (for ``Dictionary``, the class
    module's code without the export file's ``VERSION``/``BEGIN``...``END`` header, which is no part of the module).

    >>> list(vba_sources())[-1]
    'mplan_selfcheck'
    """
    files = committed_files()
    return {name: module_code(files[file]) for name, (file, _) in MODULES.items()}


def vba_modules() -> list[tuple[str, str, ModuleKind]]:
    """``(module name, source, kind)`` of every module of :func:`vba_sources`, in embedding order."""
    sources = vba_sources()
    return [(name, sources[name], kind) for name, (_, kind) in MODULES.items()]


def document_code() -> dict[str, str]:
    """Code of the document modules we write (sheet modules are empty)."""
    return {"ThisWorkbook": THIS_WORKBOOK_CODE}


def current_release(commit: str = "") -> versions.Release:
    """The record of the current template, as :data:`mplan_xl.core.versions.RELEASES` will hold it once the version
    goes up (its VBA fingerprints are those of the committed modules)."""
    names = {label(lang) for _, label in schema.workbook_sheets() for lang in LANGUAGES}
    names |= {schema.META_SHEET, schema.LISTS_SHEET, schema.CONFIG_SHEET, schema.STATUS_SHEET,
              versions.XLWINGS_CONF_SHEET}
    return versions.Release(
        schema.TEMPLATE_VERSION, commit, {t.key: tuple(c.key for c in t.columns) for t in schema.TABLES},
        tuple(key for key, _ in schema.WORKSHEETS), frozenset(names),
        {name: versions.vba_fingerprint(source) for name, source in (vba_sources() | document_code()).items()})


def _print_current() -> None:  # pragma: no cover - a helper for the one who bumps the version
    release = current_release("<commit>")
    print(f"Release({release.version!r}, {release.commit!r},")
    print("        tables={")
    for key, columns in release.tables.items():
        print(f"            {key!r}: {columns!r},")
    print(f"        }},\n        worksheets={release.worksheets!r},")
    print(f"        sheet_names=frozenset({sorted(release.sheet_names)!r}),\n        vba={dict(release.vba)!r}),")


if __name__ == "__main__":  # pragma: no cover
    _print_current()
