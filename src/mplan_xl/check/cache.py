"""The result cache of ``check``: a file already checked, unchanged, is not read again.

A controller runs ``mplan-xl check`` on the team's shared folder many times as plans come back; most files have not
changed since the last run. Each file's report is kept under a key made of

* the sha256 of the file's bytes and the path as given (a report names its file, and an older template's finding
  quotes the command to upgrade it);
* a fingerprint of mplan-xl's code: its version, Python's, python-calamine's, and the size and modification time
  of every file of the package, so an edited source (an editable install) never serves a report it did not make;
* every option that changes a report: the language, the reader's limits, today's date (a plan without a typed
  situation date is judged at today), the task (``check`` or ``check --against``) and its own inputs (the
  approved file's bytes, the transfer threshold).

The cache lives outside the team's folder, in ``$MPLAN_XL_CACHE_DIR``, else ``$XDG_CACHE_HOME/mplan-xl`` (Linux
default ``~/.cache/mplan-xl``; ``~/Library/Caches/mplan-xl`` on macOS, ``%LOCALAPPDATA%\\mplan-xl\\Cache`` on
Windows). Entries are JSON (never pickle: a cache file is read, never executed), written atomically (a temporary
file renamed), at most :data:`MAX_ENTRIES` of them (the least recently used go first). A folder that cannot be
written is a warning, never a failure: the check runs without storing. The report is the same with or without the
cache; ``check --no-cache`` neither reads nor writes it.

Example:
    >>> cache, warning = ResultCache.open({"lang": "fr"}, folder=None)      # doctest: +SKIP
    >>> key = cache.key(Path("returned/plan.xlsx"))                         # doctest: +SKIP
    >>> cache.get(key)                                                      # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .. import __version__
from ..core.rules import Finding
from ..core.vocabulary import Label
from .report import SKIPPED, FileReport

#: Bumped whenever the layout of an entry changes (older entries are then never read).
CACHE_FORMAT = "1"
#: The environment variable that names the cache folder.
CACHE_ENV = "MPLAN_XL_CACHE_DIR"
#: How many reports the cache keeps at most (a few KB each); the least recently used are removed first.
MAX_ENTRIES = 20_000
#: A report larger than this (a hostile file with thousands of findings) is not stored.
MAX_ENTRY_BYTES = 1 << 20
#: Findings of a moment, not of the file's bytes: a report holding one is never stored.
TRANSIENT = frozenset(("internal-error", "file-missing", "file-changed", "check-timeout", "oversized-workbook",
                       "corrupt-workbook"))

NOT_WRITABLE = Label("mplan-xl : cache des résultats désactivé en écriture ({folder} : {reason}) ; le contrôle "
                     "continue sans lui",
                     "mplan-xl: result cache not written ({folder}: {reason}); the check goes on without it")
INSIDE_CHECKED = Label("mplan-xl : cache des résultats ignoré : {folder} est dans un dossier contrôlé",
                       "mplan-xl: result cache not used: {folder} is inside a checked folder")


def cache_folder() -> Path:
    """Where the cache lives: ``$MPLAN_XL_CACHE_DIR``, else the platform's user cache folder + ``mplan-xl``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"], "mplan-xl")
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"], "mplan-xl", "Cache")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "mplan-xl"
    return Path.home() / ".cache" / "mplan-xl"


def code_fingerprint(root: Path | None = None) -> str:
    """mplan-xl's code as it is now: its version, Python's and python-calamine's, and each file's size and
    modification time in the package (*root*; an edited source changes it, so a report is never served by other
    code)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        calamine = version("python-calamine")
    except PackageNotFoundError:   # pragma: no cover - a dependency
        calamine = "?"
    parts = [__version__, sys.version, calamine]
    root = root or Path(__file__).resolve().parent.parent
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            try:
                st = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            parts.append(f"{os.path.relpath(os.path.join(folder, name), root)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def file_digest(path: str | os.PathLike, max_bytes: int) -> str | None:
    """The sha256 of the regular file *path* (at most *max_bytes*), None when it cannot be read whole now."""
    from ..read.inputs import InputRefused, read_input

    try:
        data = read_input(path, max_bytes)
    except (OSError, InputRefused, ValueError):
        return None
    return None if len(data) > max_bytes else hashlib.sha256(data).hexdigest()


def _inside(folder: Path, paths: Sequence[str | os.PathLike]) -> bool:
    try:
        here = folder.resolve()
    except OSError:
        return False
    for path in paths:
        try:
            top = Path(path).resolve()
        except OSError:
            continue
        if top.is_dir() and (here == top or top in here.parents):
            return True
    return False


@dataclass(frozen=True)
class ResultCache:
    """The cache folder and the context of this run (code fingerprint and options), picklable for the workers."""

    folder: Path
    context: str
    writable: bool = True
    max_file_bytes: int = 50 << 20

    @classmethod
    def open(cls, options: Mapping[str, Any], folder: Path | None = None, checked: Sequence[str | os.PathLike] = (),
             max_file_bytes: int = 50 << 20) -> tuple[ResultCache | None, Label | None, dict[str, str]]:
        """The cache for a run with these *options* (JSON values), or None; and the warning to show, with its
        parameters. The folder is created; one that cannot be written gives a cache that only reads (a
        warning); one inside a *checked* folder is not used at all (its entries would be checked files)."""
        folder = folder or cache_folder()
        if _inside(folder, checked):
            return None, INSIDE_CHECKED, {"folder": str(folder)}
        context = json.dumps({"format": CACHE_FORMAT, "code": code_fingerprint(), "today": dt.date.today().isoformat(),
                              **options}, sort_keys=True, default=str)
        digest = hashlib.sha256(context.encode("utf-8", "surrogateescape")).hexdigest()
        entries = folder / f"v{CACHE_FORMAT}"
        try:
            entries.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=entries, prefix=".probe-"):
                pass
        except OSError as err:
            cache = cls(folder, digest, writable=False, max_file_bytes=max_file_bytes)
            return (cache if entries.is_dir() else None), NOT_WRITABLE, {
                "folder": str(folder), "reason": err.strerror or type(err).__name__}
        return cls(folder, digest, max_file_bytes=max_file_bytes), None, {}

    def with_options(self, **options: Any) -> ResultCache:
        """This cache, for a task with more inputs (``check --against``: the approved file, the threshold)."""
        extra = json.dumps(options, sort_keys=True, default=str)
        context = hashlib.sha256(f"{self.context}\n{extra}".encode("utf-8", "surrogateescape")).hexdigest()
        return ResultCache(self.folder, context, self.writable, self.max_file_bytes)

    def key(self, path: str | os.PathLike) -> str | None:
        """The key of *path*'s report in this context, from its bytes now; None when it cannot be read whole."""
        digest = file_digest(path, self.max_file_bytes)
        if digest is None:
            return None
        name = os.fsencode(str(path))
        return hashlib.sha256(b"\n".join((self.context.encode(), digest.encode(), name))).hexdigest()

    def _entry(self, key: str) -> Path:
        return self.folder / f"v{CACHE_FORMAT}" / key[:2] / f"{key[2:]}.json"

    def get(self, key: str | None, path: str | os.PathLike) -> FileReport | None:
        """The report stored under *key*, as the report of *path*; None when there is none (or it is unreadable)."""
        if key is None:
            return None
        entry = self._entry(key)
        try:
            with open(entry, "rb") as handle:
                data = json.loads(handle.read())
            report = _report(str(path), data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if self.writable:
            try:
                os.utime(entry)   # recently used: kept the longest
            except OSError:
                pass
        return report

    def put(self, key: str, report: FileReport) -> None:
        """Store *report* under *key* (atomically), unless it is of a moment or too large; never raises."""
        if not self.writable or not storable(report):
            return
        data = json.dumps(_entry_data(report), ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")
        if len(data) > MAX_ENTRY_BYTES:
            return
        entry = self._entry(key)
        try:
            entry.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, entry)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass

    def prune(self, keep: int = MAX_ENTRIES) -> int:
        """Remove the least recently used entries beyond *keep* (down to 80 % of it); return how many went."""
        found: list[tuple[int, str]] = []
        root = self.folder / f"v{CACHE_FORMAT}"
        try:
            for sub in os.scandir(root):
                if sub.is_dir(follow_symlinks=False):
                    for item in os.scandir(sub.path):
                        if item.name.endswith(".json"):
                            found.append((item.stat(follow_symlinks=False).st_mtime_ns, item.path))
        except OSError:
            return 0
        if len(found) <= keep:
            return 0
        found.sort()
        gone = 0
        for _, path in found[: len(found) - keep * 4 // 5]:
            try:
                os.unlink(path)
                gone += 1
            except OSError:
                pass
        return gone


def storable(report: FileReport) -> bool:
    """A report that depends on the file's bytes only: not a skipped file, nor one with a finding of a moment."""
    return report.status != SKIPPED and not any(f.code in TRANSIENT for f in report.findings)


def _plain(value: Any) -> Any:
    return {"date": value.isoformat()} if isinstance(value, dt.date) else value


def _typed(value: Any) -> Any:
    return dt.date.fromisoformat(value["date"]) if isinstance(value, dict) else value


def _entry_data(report: FileReport) -> dict[str, Any]:
    return {"status": report.status, "template_version": report.template_version, "note": report.note,
            "lang": report.lang, "plan_key": list(report.plan_key) if report.plan_key else None,
            "figures": None if report.figures is None else {k: _plain(v) for k, v in report.figures.items()},
            "findings": [[f.code, f.severity, f.sheet, f.cell, f.row_id, f.message, f.hint, f.params, f.repairable]
                         for f in report.findings]}


def _report(path: str, data: dict[str, Any]) -> FileReport:
    figures = data["figures"]
    report = FileReport(path, data["status"], None, [Finding(*f) for f in data["findings"]], note=data["note"],
                        lang=data["lang"], figures=None if figures is None else {k: _typed(v) for k, v in figures.items()},
                        plan_key=tuple(data["plan_key"]) if data["plan_key"] else None)
    report.template_version = data["template_version"]   # as stored: already cut to what a report shows
    return report


def cached_task(path: Path, key: str | None, cache: ResultCache, task: Callable[..., FileReport], *args: Any) -> FileReport:
    """``task(path, *args)`` in a worker, its report stored under *key* when the file still has the bytes *key*
    was made from (a file saved again while it was checked is not stored: its report may be of either version)."""
    report = task(path, *args)
    if key is not None and cache.writable and storable(report) and cache.key(path) == key:
        cache.put(key, report)
    return report


__all__ = ["CACHE_ENV", "MAX_ENTRIES", "ResultCache", "cache_folder", "cached_task", "code_fingerprint", "file_digest",
           "storable"]
