"""mplan-xl: the yearly operational marketing plan as an Excel workbook with Python behind it.

The public API is loaded on first use, so the domain core (``mplan_xl.core.metrics``,
``mplan_xl.core.smart``, ``mplan_xl.core.schema``...) imports without any Excel library;
type checkers and IDEs see the same names through the explicit imports below.

Example:
    >>> import mplan_xl
    >>> mplan_xl.new_workbook("plan-2027.xlsm", company="Atelier Lumen", year=2027)  # doctest: +SKIP
    >>> mplan_xl.demo_workbook("demo.xlsx", lang="en")                               # doctest: +SKIP
    >>> mplan_xl.check(["returned/"]).summary                                         # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names __getattr__ loads on first use, seen by type checkers and IDEs
    from .check.report import FileReport, Report
    from .check.validator import check, check_file
    from .core.errors import MplanError, UsageError
    from .core.plan import Identity, Plan
    from .workbook.builder import build_workbook, new_workbook
    from .workbook.demo import demo_workbook

from ._version import __version__

#: Public name -> module that defines it.
_API = {
    "new_workbook": "workbook.builder", "demo_workbook": "workbook.demo", "build_workbook": "workbook.builder",
    "check": "check.validator", "check_file": "check.validator", "Report": "check.report",
    "FileReport": "check.report", "Identity": "core.plan", "Plan": "core.plan", "MplanError": "core.errors",
    "UsageError": "core.errors",
}

__all__ = ["FileReport", "Identity", "MplanError", "Plan", "Report", "UsageError", "__version__", "build_workbook",
           "check", "check_file", "demo_workbook", "new_workbook"]
assert set(__all__) == {"__version__", *_API}


def __getattr__(name: str) -> Any:
    if name == "check":  # the subpackage mplan_xl.check, callable as the function (see check/__init__.py)
        return importlib.import_module(".check", __name__)
    if name in _API:
        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'mplan_xl' has no attribute {name!r}")
