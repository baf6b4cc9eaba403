"""Our own outputs among the inputs, and outputs that never overwrite an input.

A report, a portfolio or an annotated copy found in a folder being read is recognised as ours
(:func:`own_output_file`, on top of :func:`mplan_xl.read.inputs.own_output`); :func:`check_outputs` refuses, before
any work, an output that is one of the files a command reads.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

from ..core.atomic import check_output
from ..core.errors import UsageError
from ..core.vocabulary import Label
from .inputs import open_input, own_output, scan_paths
from .reader import UnreadableWorkbook, read_workbook


def own_output_file(path: str | os.PathLike) -> str | None:
    """:func:`own_output` of the file at *path* (read through :func:`open_input`); None when it cannot be read."""
    try:
        with open_input(path) as handle:
            head = handle.read(512)
    except OSError:
        return None
    if not head.startswith(b"PK"):
        return own_output(head)
    try:
        raw = read_workbook(path)
    except UnreadableWorkbook:
        return None
    raw.close()
    return own_output(head, raw.custom_properties, raw.content)


_SAME_AS_INPUT = Label("{output} est aussi un fichier lu ({input}) : choisissez un autre fichier de sortie",
                       "{output} is also a file being read ({input}): choose another output file")
_TWO_OUTPUTS = Label("{output} est aussi une autre sortie de la commande ({other}) : choisissez deux fichiers différents",
                     "{output} is also another output of the command ({other}): choose two different files")


def _identity(path: Path) -> tuple[Any, ...]:
    """What tells two paths apart: the file itself (device, inode) when it exists, else its resolved path."""
    try:
        st = path.stat()
        return (st.st_dev, st.st_ino)
    except OSError:
        return (os.path.normcase(str(path.resolve())),)


def check_outputs(outputs: Sequence[str | os.PathLike | None], inputs: Sequence[str | os.PathLike] = (), *,
                  force: bool, kept: Sequence[str | os.PathLike | None] = (),
                  found: Sequence[Path] | None = None) -> list[Path]:
    """Refuse early, before any work, what a command must not write; the one check of every command.

    A usage error (exit 2) for an output that is one of the files the command
    reads (*inputs* named, or a file found in a folder named, compared as the
    system sees them: links, case-insensitive file systems), or that is
    another of its outputs; then :func:`~mplan_xl.core.atomic.check_output` for each of *outputs*.
    *kept* are outputs updated in place (the database of ``consolidate``):
    compared, never refused for existing. A file found in a folder that is
    one of our own outputs (an earlier report, portfolio or annotated copy,
    see :func:`own_output`) may be replaced, with ``--force``:
    the scan skips it anyway. *found* is the folder scan when the caller has
    it (:func:`scan_paths`).
    """
    paths = [Path(p) for p in (*outputs, *kept) if p is not None and not _is_uri(p)]
    named = {_identity(Path(p)): Path(p) for p in inputs if not Path(p).is_dir()}
    folders = [p for p in inputs if Path(p).is_dir()]
    scanned = found if found is not None else scan_paths(folders) if folders else []
    in_folders = {_identity(p): p for p in scanned} if any(p.exists() for p in paths) else {}
    seen: dict[tuple[Any, ...], Path] = {}
    for path in paths:
        key = _identity(path)
        if key in seen:
            raise UsageError(_TWO_OUTPUTS, output=path, other=seen[key])
        seen[key] = path
        if key in named:
            raise UsageError(_SAME_AS_INPUT, output=path, input=named[key])
        if key in in_folders and own_output_file(path) is None:
            raise UsageError(_SAME_AS_INPUT, output=path, input=in_folders[key])
    return [check_output(p, force) for p in (Path(o) for o in outputs if o is not None)]


def _is_uri(path: str | os.PathLike) -> bool:
    return "://" in os.fspath(path)


__all__ = ["check_outputs", "own_output_file"]
