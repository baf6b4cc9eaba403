"""mplan-xl: the yearly operational marketing plan as an Excel workbook with Python behind it.

The public API is loaded on first use, so the domain core (``mplan_xl.metrics``,
``mplan_xl.smart``, ``mplan_xl.schema``...) imports without any Excel library.

Example:
    >>> import mplan_xl
    >>> mplan_xl.new_workbook("plan-2027.xlsm", company="Atelier Lumen", year=2027)  # doctest: +SKIP
    >>> mplan_xl.demo_workbook("demo.xlsx", lang="en")                               # doctest: +SKIP
    >>> mplan_xl.check(["returned/"]).summary                                         # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> module that defines it.
_API = {
    "new_workbook": "builder", "demo_workbook": "builder", "build_workbook": "builder",
    "check": "validator", "check_file": "validator", "Report": "report", "FileReport": "report",
    "Identity": "plan", "Plan": "plan", "MplanError": "errors", "UsageError": "errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'mplan_xl' has no attribute {name!r}")
