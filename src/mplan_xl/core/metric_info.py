"""What the docs, the UDF module and the formula renderer know of a function of the plan.

:mod:`mplan_xl.core.metrics` and :mod:`mplan_xl.core.smart` both describe their functions
with :class:`MetricInfo`; neither imports the other for it.

Domain core: no Excel library is imported here.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

from .vocabulary import Label

RESULT_KINDS = ("number", "percent", "text", "boolean")


@dataclass(frozen=True)
class MetricInfo:
    """What the docs, the UDF module and the formula renderer need to know of a function.

    ``arguments`` gives each parameter's help (French and English), as the
    Excel function wizard shows it. ``examples`` pairs keyword arguments with
    the *cell value* an English workbook shows (see :meth:`cell`).
    ``localised`` functions return text in a language, so their ``MPLAN_``
    function takes a last ``lang`` argument. ``to_cell`` turns what the Python
    function returns into the cell value in a language (by default the value
    itself); None stays None, a blank cell.
    """

    name: str
    function: Callable[..., Any]
    udf: str                 # the Excel function name
    result: str              # one of RESULT_KINDS
    title: Label
    definition: Label
    arguments: dict[str, Label]
    examples: tuple[tuple[dict[str, Any], Any], ...]
    edge_cases: Label
    localised: bool = False
    to_cell: Callable[[Any, str], Any] | None = None
    _parameters: tuple[str, ...] = field(init=False, repr=False, compare=False)
    _required: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        signature = inspect.signature(self.function).parameters
        names = tuple(signature)
        object.__setattr__(self, "_parameters", names)
        object.__setattr__(self, "_required",
                           tuple(n for n, p in signature.items() if p.default is inspect.Parameter.empty))
        if self.result not in RESULT_KINDS:
            raise ValueError(f"{self.name}: unknown result kind {self.result!r}")
        if set(self.arguments) != set(names):
            raise ValueError(f"{self.name}: argument help for {sorted(self.arguments)} but parameters {names}")

    @property
    def parameters(self) -> tuple[str, ...]:
        """Parameter names, in order: the keyword contract of the function and its ``MPLAN_`` wrapper."""
        return self._parameters

    @property
    def kind(self) -> str:
        return self.result

    def cell(self, kwargs: dict[str, Any], lang: str = "fr") -> Any:
        """The value a cell shows for these arguments: a number, a boolean, a text in *lang*, or None (blank).

        >>> from mplan_xl.core.metrics import REGISTRY
        >>> REGISTRY["kpi_status"].cell({"attainment": 0.95}, "fr")
        'En bonne voie'
        """
        result = self.function(**kwargs)
        if result is None or self.to_cell is None:
            return result
        return self.to_cell(result, "en" if lang == "en" else "fr")

    @property
    def required(self) -> tuple[str, ...]:
        """Parameters without a default value."""
        return self._required


__all__ = ["RESULT_KINDS", "MetricInfo"]
