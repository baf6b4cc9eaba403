"""Sizes on screen and on paper: column widths, wrapped text lines, print scale and page breaks.

Excel stores a column width in characters of the default font (Calibri 11,
7 pixels per character plus 5 of padding) and a row height in points; neither
XlsxWriter nor LibreOffice fits them to a file's content, so the builder
estimates them here, on the generous side. Print setup follows one rule:
printed text is at least :data:`MIN_FONT_PT` points, so a sheet is never
squeezed below :data:`MIN_SCALE` percent; a table wider than a page at that
scale is split into column groups of balanced width (the id column is
repeated on each), and the scale is lowered, within the limit, when that
saves pages; rows are spread evenly over the pages, so none holds only a few.

Domain core: no Excel library is imported.

Example:
    >>> text_lines("Torréfaction artisanale en petits lots : café vendu moulu ou en grains", 40)
    2
    >>> column_points(14)
    77.25
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

#: The workbook's body font size (Calibri 11), and the smallest printed size we accept.
FONT_PT, MIN_FONT_PT = 11.0, 8.0
#: Smallest print scale, in percent: 11 pt printed at 73 % is 8 pt.
MIN_SCALE = math.ceil(100 * MIN_FONT_PT / FONT_PT)
#: Height of one line of wrapped text and of an empty row (points).
LINE_HEIGHT = 15.0
#: Characters of average text per column-width unit (digits are the unit; text is narrower).
CHARS_PER_UNIT = 1.22
#: The column of every sheet's title, guidance and link back (B): a data sheet's first column, the id, is repeated
#: on every page of a table split across pages, where a title in it would print cut. The Guide, the Synthèse, the
#: SWOT matrix and the Dashboard follow.
TITLE_COLUMN = 1
#: A4 in points, and the margins the builder sets (inches: sides, top/bottom with header and footer).
A4_POINTS = (595.3, 841.9)
SIDE_MARGIN_IN, TOP_MARGIN_IN, HEADER_MARGIN_IN = 0.4, 0.6, 0.25
#: Share of the page the estimates may fill: spreadsheet engines round widths and heights their own way.
SAFETY = 0.93
#: The share of a page's height rows may fill on a plan's data sheets: their heights are upper bounds (a row
#: left at the default 15 pt prints 12.8 pt tall in LibreOffice, a wrapped row is given its lines generously).
ROW_SAFETY = 0.97
#: The share of a page's width a plan's data sheet fitted to one page wide may fill: measured, LibreOffice prints
#: their columns about 2 % wider than :func:`column_points` and fits them itself (the 8 pt floor is checked on the
#: printed pages, tests/test_rendering.py). Column groups printed at a set scale keep :data:`SAFETY`.
WIDTH_SAFETY = 0.96


def column_points(width: float) -> float:
    """Printed width (points, at 100 %) of a column *width* characters wide.

    >>> column_points(8.43)
    48.0
    """
    pixels = int(width * 7 + 5 + 0.5) if width >= 1 else int(width * 12 + 0.5)
    return pixels * 0.75


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped *text* takes in a column *width* characters wide (at least 1).

    >>> text_lines("", 10), text_lines("court", 10), text_lines("a\\nb", 10)
    (1, 1, 2)
    """
    capacity = max(1, int(width * CHARS_PER_UNIT) - 1)
    lines = 0
    for part in str(text).split("\n"):
        lines += 1
        used = 0
        for word in part.split():
            size = len(word)
            if used and used + 1 + size > capacity:  # the word goes to the next line
                lines += 1
                used = 0
            if used:
                used += 1
            while size > capacity:  # a word longer than the line is cut
                lines += 1
                size -= capacity
            used += size
    return max(1, lines)


def fit_width(texts: Sequence[str], declared: float, cap: float) -> float:
    """A column width that shows its longest *texts* on one line when it can: at least *declared*,
    at most *cap* (wider texts wrap).

    >>> fit_width(["% de fréquentation en plus"], 10, 24)
    24
    >>> fit_width(["abc"], 10, 24)
    10
    """
    longest = max((len(t) for t in texts), default=0)
    return min(cap, max(declared, math.ceil(longest / CHARS_PER_UNIT) + 2))


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints: scale (percent), the columns after which a new page starts, the rows (0-based
    among the rows measured) that start a new page."""

    scale: int
    column_breaks: tuple[int, ...]
    row_breaks: tuple[int, ...]
    pages_across: int
    pages_down: int

    @property
    def pages(self) -> int:
        """The pages printed (estimated)."""
        return self.pages_across * self.pages_down


def printable_area(landscape: bool = True) -> tuple[float, float]:
    """Width and height (points) inside the margins of an A4 page."""
    short, long = A4_POINTS
    width, height = (long, short) if landscape else (short, long)
    return width - 2 * 72 * SIDE_MARGIN_IN, height - 2 * 72 * TOP_MARGIN_IN


def _pieces(widths: Sequence[float], units: Sequence[tuple[int, int]], capacity: float) -> list[tuple[int, int]] | None:
    """*units* (column ranges) kept whole when they fit a page of *capacity* points, else cut into columns;
    None when a single column is wider than a page."""
    pieces: list[tuple[int, int]] = []
    for first, last in units:
        if sum(widths[first:last + 1]) <= capacity:
            pieces.append((first, last))
        else:
            pieces += [(c, c) for c in range(first, last + 1)]
    return None if any(sum(widths[a:b + 1]) > capacity for a, b in pieces) else pieces


def _page_count(sizes: Sequence[float], capacity: float) -> int:
    pages, used = 1, 0.0
    for size in sizes:
        if used and used + size > capacity:
            pages, used = pages + 1, 0.0
        used += size
    return pages


def _groups(widths: Sequence[float], pieces: Sequence[tuple[int, int]], capacity: float) -> list[list[int]]:
    """The columns of each page: *pieces* packed into as few pages of *capacity* points as first-fit needs,
    with the pages' widths balanced."""
    sizes = [sum(widths[a:b + 1]) for a, b in pieces]
    pages = _page_count(sizes, capacity)
    low, high = max(sizes), capacity
    for _ in range(40):  # the smallest page width that still needs no more pages
        middle = (low + high) / 2
        low, high = (middle, high) if _page_count(sizes, middle) > pages else (low, middle)
    groups: list[list[int]] = []
    current: list[int] = []
    used = 0.0
    for (a, b), size in zip(pieces, sizes):
        if current and used + size > high + 1e-6:
            groups.append(current)
            current, used = [], 0.0
        current += list(range(a, b + 1))
        used += size
    groups.append(current)
    return groups


def print_setup(widths: Sequence[float], heights: Sequence[float], *, units: Sequence[tuple[int, int]] | None = None,
                repeat_first_column: bool = True, title_height: float = 0.0, repeated_height: float = 0.0,
                landscape: bool = True, row_safety: float = SAFETY, width_safety: float = SAFETY) -> PrintSetup:
    """The print scale and column breaks of a sheet whose printed columns are *widths* points wide and whose
    rows (below the title rows, *title_height* points, and the repeated header, *repeated_height*) are
    *heights* points tall.

    A sheet that fits one page wide at :data:`MIN_SCALE` or more prints one page wide on the fewest pages down
    that a readable scale allows (the engine fits it to 1 by *pages_down* pages); a wider one is split into column groups (*units*, column ranges, kept on one page when they fit:
    the tables of a sheet holding several side by side) at the scale that prints the fewest pages. Rows are
    never broken by hand: they flow onto the pages at their real heights (``row_breaks`` is empty; the pages
    down are an estimate).

    >>> s = print_setup([column_points(w) for w in (8, 30, 30)], [15] * 10)
    >>> s.scale, s.column_breaks, s.pages_across
    (100, (), 1)
    >>> wide = print_setup([column_points(w) for w in [8] + [30] * 9], [15] * 10)
    >>> wide.scale >= MIN_SCALE, wide.pages_across, len(wide.column_breaks)
    (True, 2, 1)
    """
    page_w, page_h = printable_area(landscape)
    one_page = min(100, int(width_safety * page_w * 100 / max(1.0, sum(widths))))
    if one_page >= MIN_SCALE:
        # The fewest pages down at a readable scale (a little above the minimum: the engines' own measures),
        # then the largest scale that prints them.
        rows = [title_height + repeated_height] + list(heights)
        down = _page_count(rows, row_safety * page_h * 100 / min(one_page, MIN_SCALE + 2))
        scale = next(s for s in range(one_page, MIN_SCALE - 1, -1)
                     if s <= MIN_SCALE + 2 or _page_count(rows, row_safety * page_h * 100 / s) <= down)
        return PrintSetup(scale, (), (), 1, down)
    units = list(units) if units else [(i, i) for i in range(len(widths))]
    title_col = widths[0] if repeat_first_column else 0.0
    if repeat_first_column:
        units = [(max(a, 1), b) for a, b in units if b >= 1]
    best: tuple | None = None
    for scale in range(100, MIN_SCALE - 1, -1):
        page_width = SAFETY * page_w * 100 / scale - title_col   # column groups: the engine adds a break to a wider one
        pieces = _pieces(widths, units, page_width)
        if pieces is None:
            continue
        across = _page_count([sum(widths[a:b + 1]) for a, b in pieces], page_width)
        down = _page_count([title_height + repeated_height] + list(heights), row_safety * page_h * 100 / scale)
        option = (across * down, -scale, scale, pieces, page_width, across, down)
        if best is None or option[:2] < best[:2]:
            best = option
    if best is None:
        return PrintSetup(MIN_SCALE, (), (), 1, 1)
    # Fewest printed pages, then the largest scale; columns are spread evenly over the pages.
    _, _, scale, pieces, page_width, across, down = best
    groups = _groups(widths, pieces, page_width)
    return PrintSetup(scale, tuple(g[-1] for g in groups[:-1]), (), len(groups), down)


def keep_together(heights: Sequence[float], blocks: Sequence[tuple[int, float]], first_page: float,
                  repeated: float, capacity: float) -> list[int]:
    """Rows (0-based in *heights*) before which a page must break so that no block (a chart: its first row and
    its height in points) straddles two pages, the rows flowing at their real heights onto pages of *capacity*
    points (the first after *first_page* points of titles, the next after the *repeated* header).

    >>> keep_together([15] * 40, [(30, 200)], 0, 15, 500)
    [30]
    >>> keep_together([15] * 40, [(10, 200)], 0, 15, 500)
    []
    """
    starts = dict(blocks)
    breaks, used = [], first_page
    for i, h in enumerate(heights):
        block = starts.get(i)
        if block is not None and used + block > capacity and used > repeated:
            breaks.append(i)
            used = repeated
        elif used + h > capacity and used > repeated:
            used = repeated
        used += h
    return breaks


def apply_print_setup(ws: Any, widths: Sequence[float], heights: Sequence[float], *, header_row: int | None = None,
                      first_measured_row: int = 0, repeat_first_column: bool = False, title_height: float = 0.0,
                      landscape: bool | None = True, units: Sequence[tuple[int, int]] | None = None,
                      footer: str = "&RPage &P / &N", header: str = "",
                      blocks: Sequence[tuple[int, float]] = (), row_safety: float = SAFETY,
                      width_safety: float = SAFETY) -> PrintSetup:
    """Give the worksheet *ws* (an XlsxWriter worksheet, duck-typed) the print setup of :func:`print_setup`: A4,
    margins, fit to one page wide and the fewest pages down (or, for a sheet too wide for that at :data:`MIN_SCALE`, a scale and column
    breaks, the first column repeated when *repeat_first_column*), the *header_row* repeated on each page, the
    *header* and *footer* (page numbers), landscape, or portrait when *landscape* is None and portrait prints
    fewer pages; *row_safety* and *width_safety*: the share of a page's height and width the rows and columns may fill. *widths* are column widths in characters; *heights* the row heights
    (points) from *first_measured_row* on. Rows flow onto the pages; a page breaks by hand only before a
    block of *blocks* (a chart: its sheet row and height in points) that would otherwise straddle two pages.
    Returns the setup."""
    repeated, body, body_first, title = 0.0, list(heights), first_measured_row, title_height
    if header_row is not None:
        k = header_row - first_measured_row
        repeated, body, body_first, title = heights[k], list(heights[k + 1:]), header_row + 1, title + sum(heights[:k])
    options = [True, False] if landscape is None else [landscape]
    setups = [(print_setup([column_points(w) for w in widths], body, units=units,
                           repeat_first_column=repeat_first_column, title_height=title,
                           repeated_height=repeated, landscape=option, row_safety=row_safety,
                           width_safety=width_safety), option)
              for option in options]
    # Landscape unless portrait prints fewer pages (a long table a landscape page cuts in two down, whose
    # columns fit three portrait pages across on one page down).
    setup, landscape = min(setups, key=lambda s: s[0].pages)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(9)
    ws.set_margins(left=SIDE_MARGIN_IN, right=SIDE_MARGIN_IN, top=TOP_MARGIN_IN, bottom=TOP_MARGIN_IN)
    if setup.pages_across == 1:
        ws.fit_to_pages(1, 0 if blocks else setup.pages_down)   # the blocks' pages are measured one page wide
    else:
        ws.set_print_scale(setup.scale)
        ws.set_v_pagebreaks([c + 1 for c in setup.column_breaks])
    if blocks:
        # The scale the engine picks to fit the width is at least the estimate: pages are measured at 100 %
        # of that scale's capacity, less the safety share.
        scale = min(100.0, printable_area(landscape)[0] * 100 / sum(column_points(w) for w in widths))
        if setup.pages_across > 1:
            scale = setup.scale
        capacity = SAFETY * printable_area(landscape)[1] * 100 / scale
        last = body_first + len(body)
        rows = body + [LINE_HEIGHT] * max(0, max(r for r, _ in blocks) + 1 - last)
        breaks = keep_together(rows, [(r - body_first, h) for r, h in blocks], title + repeated, repeated, capacity)
        if breaks:
            ws.set_h_pagebreaks([body_first + r for r in breaks])
    if header_row is not None:
        ws.repeat_rows(header_row)
    if repeat_first_column and setup.pages_across > 1:
        ws.repeat_columns(0)
    margin = {"margin": HEADER_MARGIN_IN}
    if header:
        ws.set_header(header, margin)
    ws.set_footer(footer, margin)
    return setup
