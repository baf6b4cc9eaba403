"""What every command reads: one way to open an input file, one way to scan folders.

:func:`open_input` is how every input of every command is opened (a returned
workbook, a FEC, a rules file): read-only, and refused at once, without
blocking, when it is not a regular file (a named pipe, a folder, a device).
:func:`read_input` reads a whole input and refuses it when it changed while
it was read (a file being saved).

:func:`scan_paths` lists what a command reads in the paths it was given (the
files named, and every file of the folders named), and :func:`skip_reason`
and :func:`own_output` classify what a shared folder holds besides plans:
Excel and LibreOffice lock files, the operating system's files, the
temporary files of an output being written, and every output of mplan-xl
itself (reports, portfolio, differences, databases, unchanged annotated
copies), which carry a mark in their content rather than a name. The
commands skip them with their reason (status ``skipped``).

Example:
    >>> skip_reason(Path(".~lock.plan.xlsx#")), skip_reason(Path("~$plan.xlsx")), skip_reason(Path("plan.xlsx"))
    ('libreoffice-lock', 'excel-lock', None)
    >>> conflict_bases("plan-PC-Jean.xlsx"), conflict_bases("plan (1).xlsx"), conflict_bases("plan - Copie.xlsx")
    (['plan', 'plan-PC'], ['plan'], ['plan'])
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
import zipfile
from pathlib import Path
from typing import IO, Iterable, Mapping

from ..core.vocabulary import Label

# --- opening an input -----------------------------------------------------------------------------------

_KINDS = (
    (stat.S_ISDIR, Label("un dossier", "a folder")),
    (stat.S_ISFIFO, Label("un tube nommé (FIFO)", "a named pipe (FIFO)")),
    (stat.S_ISSOCK, Label("une socket", "a socket")),
    (stat.S_ISCHR, Label("un périphérique", "a device")),
    (stat.S_ISBLK, Label("un périphérique de stockage", "a block device")),
)
NOT_A_FILE = Label("{path} n'est pas un fichier ordinaire mais {kind} : rien n'en est lu",
                   "{path} is not a regular file but {kind}: nothing is read from it")
CHANGED = Label("{path} a changé pendant sa lecture (il était sans doute en cours d'enregistrement)",
                "{path} changed while it was read (it was probably being saved)")


class InputRefused(OSError):
    """An input that is not read: not a regular file, or changed while it was read. ``reason`` says why."""

    def __init__(self, path: str | os.PathLike, reason: Label, **params: str):
        self.reason, self.params = reason, {"path": os.fspath(path), **params}
        super().__init__(errno.EINVAL, reason("en").format(**self.params), os.fspath(path))

    def text(self, lang: str) -> str:
        return self.reason(lang).format(**{k: (v(lang) if isinstance(v, Label) else v) for k, v in self.params.items()})

    def __reduce__(self):  # picklable, so a worker process can send it back
        return (_rebuild_refused, (self.params["path"], self.reason, {k: v for k, v in self.params.items() if k != "path"}))


def _rebuild_refused(path: str, reason: Label, params: dict) -> InputRefused:
    return InputRefused(path, reason, **params)


def _kind(mode: int) -> Label:
    return next((label for test, label in _KINDS if test(mode)), Label("un objet spécial", "a special file"))


def open_input(path: str | os.PathLike) -> io.BufferedReader:
    """Open *path* for reading, in binary; :class:`InputRefused` at once when it is not a regular file.

    The file is looked at (``stat``) before it is opened, and opened without
    blocking (``O_NONBLOCK``: a named pipe with no writer would block a plain
    ``open`` forever), then looked at again through its descriptor, so a
    path swapped in between is refused too. Raises ``OSError`` as ``open``
    does for a missing or forbidden file.
    """
    if not stat.S_ISREG(mode := os.stat(path).st_mode):
        raise InputRefused(path, NOT_A_FILE, kind=_kind(mode))  # type: ignore[arg-type]
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputRefused(path, NOT_A_FILE, kind=_kind(mode))  # type: ignore[arg-type]
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read(handle: IO[bytes], size: int) -> bytes:
    return handle.read(size)


def read_input(path: str | os.PathLike, max_bytes: int | None = None) -> bytes:
    """The bytes of the input *path* (see :func:`open_input`), at most ``max_bytes + 1`` of them.

    Raises :class:`InputRefused` when the file changed while it was read (its
    size or modification time moved, or fewer bytes came than it had), so a
    file caught half-saved is never taken for a damaged one.
    """
    with open_input(path) as handle:
        before = os.fstat(handle.fileno())
        data = _read(handle, -1 if max_bytes is None else max_bytes + 1)
        after = os.fstat(handle.fileno())
    grew = max_bytes is not None and len(data) > max_bytes
    if not grew and ((before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
                     or len(data) != before.st_size):
        raise InputRefused(path, CHANGED)
    return data


def refusal_label(err: InputRefused) -> Label:
    """The message of a refused input as a text to format in either language (its braces escaped)."""
    return Label(*(err.text(lang).replace("{", "{{").replace("}", "}}") for lang in ("fr", "en")))


# --- scanning folders -----------------------------------------------------------------------------------

def scan_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The files named, and every file found (recursively, sorted) in the folders named.

    The one folder scan of every command. Nothing found is dropped here: a
    file that is not a workbook gets its own finding, a lock file or one of
    our outputs its reason (:func:`skip_reason`, :func:`own_output`). A path
    that does not exist is kept: it becomes a ``file-missing`` finding, not a
    crash. Sub-folders are walked, not listed; a folder that vanishes while it
    is walked is left out.
    """
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found: list[Path] = []
            for folder, dirs, files in os.walk(path):
                dirs.sort()
                found.extend(Path(folder, name) for name in files)
            out.extend(sorted(found))
        else:
            out.append(path)
    return out


#: Why a file is not checked: its reason in every report, by key.
SKIP_NOTES: Mapping[str, Label] = {
    "excel-lock": Label("fichier de verrouillage d'Excel (le classeur est ouvert quelque part)",
                        "Excel lock file (the workbook is open somewhere)"),
    "libreoffice-lock": Label("fichier de verrouillage de LibreOffice (le classeur est ouvert quelque part)",
                              "LibreOffice lock file (the workbook is open somewhere)"),
    "system": Label("fichier du système d'exploitation", "operating system file"),
    "temporary": Label("fichier temporaire d'une sortie de mplan-xl en cours d'écriture",
                       "temporary file of an mplan-xl output being written"),
    "report": Label("rapport de mplan-xl check", "mplan-xl check report"),
    "portfolio": Label("portefeuille écrit par mplan-xl consolidate", "portfolio written by mplan-xl consolidate"),
    "diff": Label("rapport de différences de mplan-xl diff", "differences report of mplan-xl diff"),
    "database": Label("base de données (mplan-xl consolidate)", "database (mplan-xl consolidate)"),
    "annotated": Label("copie annotée écrite par mplan-xl check --annotate, inchangée depuis",
                       "annotated copy written by mplan-xl check --annotate, unchanged since"),
}
_SYSTEM_FILES = frozenset((".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".directory"))
#: atomic_output's temporary names: ``.NAME.XXXXXXXX.part``.
_TEMPORARY = re.compile(r"^\..*\.[a-z0-9_]{8}\.part$")


def skip_reason(path: Path) -> str | None:
    """Why *path* is not to be checked, from its name: a lock file, a system file, one of our temporary
    files; None for any other file (see :data:`SKIP_NOTES`)."""
    name = path.name.lower()
    if name.startswith("~$"):
        return "excel-lock"
    if name.startswith(".~lock.") and name.endswith("#"):
        return "libreoffice-lock"
    if name in _SYSTEM_FILES or name.startswith("._"):
        return "system"
    if _TEMPORARY.match(name):
        return "temporary"
    if name.endswith((".duckdb.wal", ".duckdb.tmp")):
        return "database"
    return None


#: The custom document property of every workbook mplan-xl writes that is not a plan: its kind.
OUTPUT_PROPERTY = "mplan_report"
#: The custom document property of an annotated copy: the digest of its content (:func:`package_digest`).
ANNOTATED_PROPERTY = "mplan_annotated"
_DUCKDB_MAGIC = b"DUCK"


def own_output(head: bytes, custom_properties: Mapping[str, str] | None = None, content: bytes | None = None) -> str | None:
    """Which output of mplan-xl a file is, from its content: a key of :data:`SKIP_NOTES`, or None.

    *head* is the file's first bytes; *custom_properties* a workbook's custom
    document properties, *content* its bytes. A workbook is ours when it has
    :data:`OUTPUT_PROPERTY` (check report, portfolio, differences), or is an
    annotated copy whose content is still the one written
    (:data:`ANNOTATED_PROPERTY`; once the team edits it, it is their plan
    again); a JSON or JUnit report by its first bytes; a DuckDB database by
    its magic number.
    """
    props = custom_properties or {}
    if OUTPUT_PROPERTY in props:
        kind = props[OUTPUT_PROPERTY]
        return kind if kind in ("portfolio", "diff") else "report"
    if ANNOTATED_PROPERTY in props and content is not None:
        return "annotated" if props[ANNOTATED_PROPERTY] == package_digest(content) else None
    text = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{") and b'"format_version"' in text:
        return "diff" if b'"compared"' in text else "report"
    if text.startswith(b"<?xml") and b'<testsuites name="mplan-xl check"' in text:
        return "report"
    if head[8:12] == _DUCKDB_MAGIC:
        return "database"
    return None


#: The custom properties part, left out of the digest (it holds the digest).
CUSTOM_PART = "docProps/custom.xml"


def parts_digest(parts: Iterable[tuple[str, int, int]]) -> str:
    """The digest of a package from its members' (name, CRC-32, size), the custom properties part left out."""
    digest = hashlib.sha256()
    for name, crc, size in sorted(parts):
        if name.lower() != CUSTOM_PART.lower():
            digest.update(f"{name}\0{crc:08x}\0{size}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


def package_digest(content: bytes) -> str | None:
    """:func:`parts_digest` of the zip package *content* (its central directory only); None when it is no zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return parts_digest((i.filename, i.CRC, i.file_size) for i in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


# --- OneDrive / SharePoint conflict copies ----------------------------------------------------------------

# plan (1) (a second download), plan - Copie / Copy (Explorer), plan (conflicted copy ...) (Dropbox).
_COPY_SUFFIX = re.compile(r"^(?P<base>.+?)(?: \(\d+\)| - (?:copie|copy)(?: \(\d+\))?| \([^)]*conflict[^)]*\))$",
                          re.IGNORECASE)


def conflict_bases(name: str) -> list[str]:
    """The names (without extension) of the files *name* may be a conflict copy of, most likely first.

    OneDrive and SharePoint add the computer's name (``plan-PC-Jean.xlsx``,
    ``plan-PC-Jean-2.xlsx``; the computer's name may hold hyphens), a second
    download `` (1)``, Windows Explorer `` - Copie``, Dropbox ``(conflicted copy)``.

    >>> conflict_bases("plan-PC-Jean.xlsx"), conflict_bases("plan (1).xlsx"), conflict_bases("plan.xlsx")
    (['plan', 'plan-PC'], ['plan'], [])
    """
    stem = Path(name).stem
    match = _COPY_SUFFIX.match(stem)
    if match:
        return [match["base"]]
    return [stem[:i] for i, char in enumerate(stem) if char == "-" and 0 < i < len(stem) - 1]


__all__ = ["ANNOTATED_PROPERTY", "InputRefused", "OUTPUT_PROPERTY", "SKIP_NOTES", "conflict_bases", "open_input",
           "own_output", "package_digest", "parts_digest", "read_input", "refusal_label",
           "scan_paths", "skip_reason"]
