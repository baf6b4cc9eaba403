"""A1 addresses: column letters and indexes, the one helper every module uses.

Domain-neutral (no Excel library): the reader, the plan locator, the builder,
the cell patcher and the portfolio all name cells through these functions.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def column_index(letters: str) -> int:
    """0-based index of column *letters*.

    Example:
        >>> column_index("A"), column_index("AA"), column_index("XFD")
        (0, 26, 16383)
    """
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


@lru_cache(maxsize=4096)
def column_letters(index: int) -> str:
    """Column letters of 0-based *index*.

    Example:
        >>> column_letters(0), column_letters(26), column_letters(16383)
        ('A', 'AA', 'XFD')
    """
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """A1 address of 0-based (row, col).

    >>> cell_name(0, 0), cell_name(6, 27)
    ('A1', 'AB7')
    """
    return f"{column_letters(col)}{row + 1}"


__all__ = ["cell_name", "column_index", "column_letters"]
