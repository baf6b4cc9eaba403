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

from .errors import OutputError
from .vocabulary import Label


def check_output(path: str | os.PathLike, force: bool) -> Path:
    """Refuse early, before any work, an output that cannot or must not be written."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(Label("{path} : c'est un dossier ; indiquez un nom de fichier",
                                "{path}: is a folder; give a file name"), path=path)
    if path.exists() and not force:
        raise OutputError(EXISTS, path=path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(Label("{path} : ce dossier n'existe pas", "{path}: folder does not exist"), path=parent)
    if not os.access(parent, os.W_OK):
        raise OutputError(Label("{path} : impossible d'écrire dans ce dossier", "{path}: folder is not writable"),
                          path=parent)
    return path


#: An output that exists, refused without --force (every command, every output).
EXISTS = Label("{path} : le fichier existe déjà ; ajoutez --force pour le remplacer",
               "{path}: already exists; use --force to replace it")


def name_max(folder: str | os.PathLike) -> int:
    """The longest file name, in bytes, the file system of *folder* takes (255 when it does not say)."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def fit_name(name: str, limit: int) -> str:
    """*name* cut to at most *limit* bytes as the file system stores it, never in the middle of a character.

    >>> fit_name("é" * 4, 5), fit_name("plan", 10)
    ('éé', 'plan')
    """
    raw = os.fsencode(name)
    if len(raw) <= limit:
        return name
    cut = raw[:max(0, limit)]
    try:
        return cut.decode("utf-8", "ignore") if raw.decode("utf-8", "strict") else ""
    except UnicodeDecodeError:   # a name that is not UTF-8: cut on bytes
        return os.fsdecode(cut)


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
    folder = path.parent if str(path.parent) else Path(".")
    # ".NAME.XXXXXXXX.part": the name shortened so that the temporary name fits the file system's limit.
    prefix = "." + fit_name(path.name, name_max(folder) - len(".12345678.part") - 1) + "."
    fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=folder)
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
