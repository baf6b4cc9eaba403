"""Batch validation: read every returned workbook, run the checks, build one report.

Every file is checked in a separate process with a time limit, one file as
well as many (a single file in one child process; a batch in a pool of
worker processes from ``pebble``, which can stop one task that overruns its
time limit without stopping the others), so one hostile or broken file never
stops, stalls or crashes the batch: a worker that dies is that file's
finding, and the report is still written. Inputs are only ever opened for
reading.

Every file of a folder named is in the report: a workbook is checked, any
other file says what it is (``.xls``, ``.ods``, PDF, a broken link...), and
Excel's lock files and our own reports are skipped with a note.

Example:
    >>> import mplan_xl
    >>> report = mplan_xl.check(["returned/"], lang="en")   # doctest: +SKIP
    >>> report.valid, report.summary["invalid"]             # doctest: +SKIP
    (False, 3)
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .checks import run_checks
from .errors import UsageError
from .plan_reader import locate_plan
from .reader import Limits, UnreadableWorkbook, read_workbook
from .report import INVALID, REPORT_PROPERTY, SKIPPED, UNREADABLE, VALID, FileReport, Report
from .rules import ERROR, RULES, Finding, make_finding
from .vocabulary import Label


_NOTES = {
    "lock": Label("fichier de verrouillage d'Excel (le classeur est ouvert quelque part)",
                  "Excel lock file (the workbook is open somewhere)"),
    "system": Label("fichier du système d'exploitation", "operating system file"),
    "report": Label("rapport de mplan-xl check", "mplan-xl check report"),
}
_SYSTEM_FILES = frozenset((".ds_store", "thumbs.db", "desktop.ini"))
_BROKEN_LINK = Label("Lien symbolique cassé : {path}", "Broken symbolic link: {path}")
CHECKS_FAILED = Label("les contrôles n'ont pas pu interpréter son contenu",
                      "the checks could not interpret its content")
_WORKER_DIED = Label("sa lecture a arrêté le processus de contrôle (code {code})",
                     "reading it stopped the checking process (code {code})")


def expand_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The files named, and every file found (recursively, sorted) in the folders named.

    Nothing found in a folder is dropped here: a file that is not a workbook
    gets its own finding, a lock file or one of our reports a note. A path
    that does not exist is kept: it becomes a ``file-missing`` finding, not a
    crash. Sub-folders are walked, not listed.
    """
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if not p.is_dir()))
        else:
            out.append(path)
    return out


def skip_note(path: Path) -> str | None:
    """Why *path*, found in a folder, is not to be checked: an Excel lock file, a system file; or None."""
    name = path.name.lower()
    if name.startswith("~$"):
        return "lock"
    if name in _SYSTEM_FILES or name.startswith("._"):
        return "system"
    return None


def is_own_report(path: str | os.PathLike, limits: Limits = Limits()) -> bool:
    """True when *path* is a report ``check`` wrote (xlsx, JSON or JUnit), so a folder scan can skip it."""
    if not Path(path).is_file():  # never open a pipe: it would block
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError:
        return False
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{") and b'"format_version"' in text:
        return True
    if text.startswith(b"<?xml") and b'<testsuites name="mplan-xl check"' in text:
        return True
    if not head.startswith(b"PK"):
        return False
    try:
        raw = read_workbook(path, limits)
    except UnreadableWorkbook:
        return False
    raw.close()
    return REPORT_PROPERTY in raw.custom_properties


def check_file(path: str | os.PathLike, lang: str = "fr", limits: Limits = Limits()) -> FileReport:
    """Check one file in this process; never raises for a bad file."""
    name = str(path)
    note = skip_note(Path(path))
    if note:
        return FileReport(name, SKIPPED, None, [], note=_NOTES[note](lang))
    if Path(path).is_symlink() and not Path(path).exists():
        return FileReport(name, UNREADABLE, None, [unreadable_finding(UnreadableWorkbook(
            "file-missing", _BROKEN_LINK, path=name), lang)])
    try:
        raw = read_workbook(path, limits)
    except UnreadableWorkbook as err:
        if err.code == "not-a-workbook" and is_own_report(path):
            return FileReport(name, SKIPPED, None, [], note=_NOTES["report"](lang))
        return FileReport(name, UNREADABLE, None, [unreadable_finding(err, lang)])
    except Exception:  # the reader maps bad files itself; this is the last safety net
        return FileReport(name, UNREADABLE, None, [make_finding("corrupt-workbook", lang, detail=CHECKS_FAILED(lang))])
    try:
        if REPORT_PROPERTY in raw.custom_properties:
            return FileReport(name, SKIPPED, None, [], note=_NOTES["report"](lang))
        located = locate_plan(raw)
        findings = run_checks(located, lang)
    except UnreadableWorkbook as err:  # a sheet whose values cannot be read, found by the checks
        return FileReport(name, UNREADABLE, None, [unreadable_finding(err, lang)])
    except Exception:  # a workbook so odd that the checks stumble is reported, not crashed on
        return FileReport(name, INVALID, None, [make_finding("corrupt-workbook", lang, detail=CHECKS_FAILED(lang))])
    finally:
        raw.close()
    status = INVALID if any(f.severity == ERROR for f in findings) else VALID
    return FileReport(name, status, located.template_version, findings)


def unreadable_finding(err: UnreadableWorkbook, lang: str) -> Finding:
    """The finding of a file the reader refused, in the reader's own (more precise) words."""
    return Finding(code=err.code, severity=RULES[err.code].severity, sheet=None, cell=None, row_id=None,
                   message=err.text(lang), hint=err.hint_text(lang))


def timeout_report(path: Path, lang: str, limits: Limits) -> FileReport:
    return FileReport(str(path), UNREADABLE, None, [make_finding("check-timeout", lang, seconds=limits.timeout_s)])


def crash_report(path: Path, lang: str, exitcode: int | None) -> FileReport:
    detail = _WORKER_DIED(lang).format(code=exitcode)
    return FileReport(str(path), UNREADABLE, None, [make_finding("corrupt-workbook", lang, detail=detail)])


def _child(conn, path: Path, lang: str, limits: Limits) -> None:
    conn.send(check_file(path, lang, limits))
    conn.close()


def check_isolated(path: Path, lang: str = "fr", limits: Limits = Limits()) -> FileReport:
    """:func:`check_file` in a child process stopped after ``limits.timeout_s``; never raises for a bad file.

    A single file costs a fork (about 10 ms on Linux) rather than a pool.
    """
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=_child, args=(sender, path, lang, limits), daemon=True)
    child.start()
    sender.close()
    try:
        if receiver.poll(limits.timeout_s):
            try:
                return receiver.recv()
            except EOFError:  # the child died before answering
                child.join()
                return crash_report(path, lang, child.exitcode)
        return timeout_report(path, lang, limits)
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


_NO_FILES = Label("aucun fichier trouvé dans : {paths}", "no file found in: {paths}")


def check(paths: Sequence[str | os.PathLike], *, lang: str = "fr", jobs: int | None = None, strict: bool = False,
          limits: Limits = Limits(), on_done: Callable[[FileReport], None] | None = None) -> Report:
    """Check every file of *paths* (files or folders) and return the report.

    ``jobs`` worker processes (default: the core count) read files in
    parallel, each file within ``limits.timeout_s`` seconds; ``on_done`` is
    called as each file finishes (the CLI's progress bar).
    """
    files = expand_paths(paths)
    if not files:
        raise UsageError(_NO_FILES, paths=", ".join(map(str, paths)))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    reports: list[FileReport] = []
    if len(files) == 1:
        reports.append(check_isolated(files[0], lang, limits))
        if on_done:
            on_done(reports[0])
    else:
        from pebble import ProcessExpired, ProcessPool

        with ProcessPool(max_workers=jobs) as pool:
            futures = [pool.schedule(check_file, args=(f, lang, limits), timeout=limits.timeout_s) for f in files]
            for path, future in zip(files, futures):
                try:
                    report = future.result()
                except FutureTimeout:
                    report = timeout_report(path, lang, limits)
                except ProcessExpired as err:
                    report = crash_report(path, lang, err.exitcode)
                reports.append(report)
                if on_done:
                    on_done(report)
    return Report(reports, strict=strict, lang=lang)
