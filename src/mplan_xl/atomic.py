"""Atomic output files: a command's output appears whole or not at all.

Example:
    >>> with atomic_output("report.json", force=True) as tmp:   # doctest: +SKIP
    ...     tmp.write_text("{}")
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator


class OutputError(OSError):
    """The output cannot be written where asked (exists, folder missing, not writable)."""


def check_output(path: str | os.PathLike, force: bool) -> Path:
    """Refuse early, before any work, an output that cannot or must not be written."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name")
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; use --force to replace it")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{parent}: folder does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{parent}: folder is not writable")
    return path


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside *path*; on success it replaces *path* in one rename.

    On any error the temporary file is removed and *path* is left as it was.
    """
    path = check_output(path, force)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
