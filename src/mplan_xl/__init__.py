"""mplan-xl: the yearly operational marketing plan as an Excel workbook with Python behind it.

Example:
    >>> import mplan_xl
    >>> mplan_xl.new_workbook("plan-2027.xlsx", company="Atelier Lumen", year=2027)  # doctest: +SKIP
    >>> mplan_xl.demo_workbook("demo.xlsx", lang="en")                               # doctest: +SKIP
"""

__version__ = "0.1.0"

from .builder import build_workbook, demo_workbook, new_workbook  # noqa: E402
from .errors import MplanError, UsageError  # noqa: E402
from .plan import Identity, Plan  # noqa: E402

__all__ = ["__version__", "build_workbook", "demo_workbook", "new_workbook", "Identity", "Plan",
           "MplanError", "UsageError"]
