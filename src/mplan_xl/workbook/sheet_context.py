"""What the Guide, Dashboard, Synthèse and contents writers may use of the workbook being built.

The builder (:mod:`mplan_xl.workbook.builder`) writes the plan's tables, then hands
itself to each of these writers as a :class:`SheetContext`: the writers see
this typed interface, not the builder's internals, and a type checker holds
both sides to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from ..core.plan import Identity, Plan
    from .layout import PrintSetup
    from .styles import Styles
    from .synthesis import Figures


class SheetContext(Protocol):
    """The workbook being built, as a sheet writer sees it."""

    wb: Any                      # the xlsxwriter Workbook
    styles: Styles
    plan: Plan
    identity: Identity
    lang: str
    template: bool               # an empty template (no plan figures) rather than a filled plan
    protect: bool                # the sheets are protected
    figures: Figures             # the plan's figures, computed by the metrics core
    status_sheet: Any            # the hidden worksheet the Guide's live status fills
    #: Table key -> (first data row, first column, last row, last column), 0-based.
    table_ranges: dict[str, tuple[int, int, int, int]]
    #: (sheet name, row) -> the height set, for the print layout.
    row_heights: dict[tuple[str, int], float]

    def name_of(self, worksheet_key: str) -> str:
        """The worksheet's name in the workbook's language."""

    def back_link(self, ws: Any, row: int, col: int) -> None:
        """A link to the Guide, where every sheet is listed."""

    def print_setup(self, ws: Any, widths: list[float], heights: list[float], last_row: int, *,
                    units: list[tuple[int, int]] | None = None, repeat_first_column: bool = False,
                    title_height: float = 0.0, header_row: int | None = ..., first_measured_row: int = ...,
                    blocks: list[tuple[int, float]] | None = None, landscape: bool | None = True,
                    area: bool = True) -> PrintSetup:
        """The print setup of the sheet, with the company and sheet name in its header."""

    def one_page(self, ws: Any) -> None:
        """A sheet printed on one A4 landscape page, with the header and footer of every page."""


__all__ = ["SheetContext"]
