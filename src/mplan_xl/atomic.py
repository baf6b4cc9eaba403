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

from .errors import OutputError, UsageError
from .vocabulary import Label


def check_plan_output(source: str | os.PathLike, output: str | os.PathLike, force: bool) -> Path:
    """Refuse early a new plan written over the plan it is made from (a usage error), then as :func:`check_output`."""
    if Path(output).resolve() == Path(source).resolve():
        raise UsageError(Label("{path} : la sortie doit être un autre fichier que le plan lu",
                               "{path}: the output must be another file than the plan read"), path=output)
    return check_output(output, force)


def check_output(path: str | os.PathLike, force: bool) -> Path:
    """Refuse early, before any work, an output that cannot or must not be written."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(Label("{path} : c'est un dossier ; indiquez un nom de fichier",
                                "{path}: is a folder; give a file name"), path=path)
    if path.exists() and not force:
        raise OutputError(Label("{path} : le fichier existe déjà ; ajoutez --force pour le remplacer",
                                "{path}: already exists; use --force to replace it"), path=path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(Label("{path} : ce dossier n'existe pas", "{path}: folder does not exist"), path=parent)
    if not os.access(parent, os.W_OK):
        raise OutputError(Label("{path} : impossible d'écrire dans ce dossier", "{path}: folder is not writable"),
                          path=parent)
    return path


def _umask() -> int:
    """The process's umask (reading it means setting it: it is put back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside *path*; on success it replaces *path* in one rename.

    On any error the temporary file is removed and *path* is left as it was.
    """
    path = check_output(path, force)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp creates the file readable by its owner only: give it the mode any new file gets (0666 less the umask),
    # so colleagues on a shared folder can open plans and reports.
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
