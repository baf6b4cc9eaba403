"""mplan-xl: the yearly operational marketing plan as an Excel workbook with Python behind it.

The public API is loaded on first use, so the domain core (``mplan_xl.metrics``,
``mplan_xl.smart``, ``mplan_xl.schema``...) imports without any Excel library;
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
    from .builder import build_workbook, new_workbook
    from .demo import demo_workbook
    from .errors import MplanError, UsageError
    from .plan import Identity, Plan
    from .report import FileReport, Report
    from .validator import check, check_file

from ._version import __version__

#: Public name -> module that defines it.
_API = {
    "new_workbook": "builder", "demo_workbook": "demo", "build_workbook": "builder",
    "check": "validator", "check_file": "validator", "Report": "report", "FileReport": "report",
    "Identity": "plan", "Plan": "plan", "MplanError": "errors", "UsageError": "errors",
}

__all__ = ["FileReport", "Identity", "MplanError", "Plan", "Report", "UsageError", "__version__", "build_workbook",
           "check", "check_file", "demo_workbook", "new_workbook"]
assert set(__all__) == {"__version__", *_API}


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'mplan_xl' has no attribute {name!r}")
