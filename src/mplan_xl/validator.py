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
import traceback
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .checks import check_plan
from .errors import UsageError
from .plan_reader import LocatedPlan, locate_plan
from .reader import Limits, UnreadableWorkbook, read_workbook
from .report import INVALID, REPORT_PROPERTY, SKIPPED, UNREADABLE, VALID, FileReport, Report
from .rules import ERROR, RULES, Finding, make_finding, plain_params
from .vocabulary import Label


_NOTES = {
    "lock": Label("fichier de verrouillage d'Excel (le classeur est ouvert quelque part)",
                  "Excel lock file (the workbook is open somewhere)"),
    "system": Label("fichier du système d'exploitation", "operating system file"),
    "report": Label("rapport de mplan-xl check", "mplan-xl check report"),
}
_SYSTEM_FILES = frozenset((".ds_store", "thumbs.db", "desktop.ini"))
_BROKEN_LINK = Label("Lien symbolique cassé : {path}", "Broken symbolic link: {path}")
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


@dataclass
class Inspected:
    """One file after the one pipeline read -> locate -> check: its report, its sha256 and its located plan.

    ``located`` is open (its cell values readable) only inside the *then* of
    :func:`inspect_file`; it is None for a file that could not be read.
    """

    report: FileReport
    sha256: str | None = None
    located: LocatedPlan | None = None
    #: Why the reader refused the file, for a command that stops on it (``actuals``) rather than report it.
    error: UnreadableWorkbook | None = None


def inspect_file(path: str | os.PathLike, lang: str = "fr", limits: Limits = Limits(),
                 then: Callable[[Inspected], Any] | None = None) -> Any:
    """Read, locate and check one file, once; never raises for a bad file.

    Returns the :class:`Inspected` file, or, with *then*, what ``then(inspected)``
    returns, called while the workbook is still open: ``consolidate``,
    ``rollover``, ``diff`` and ``actuals`` build on the same read of the file.
    A failure inside *then* is its caller's: the file's report is settled first.
    """
    inspected = _inspect(path, lang, limits)
    try:
        return then(inspected) if then else Inspected(inspected.report, inspected.sha256, error=inspected.error)
    finally:
        if inspected.located is not None:
            inspected.located.raw.close()


def _inspect(path: str | os.PathLike, lang: str, limits: Limits) -> Inspected:
    name = str(path)
    note = skip_note(Path(path))
    if note:
        return Inspected(FileReport(name, SKIPPED, None, [], note=_NOTES[note](lang)))
    if Path(path).is_symlink() and not Path(path).exists():
        return Inspected(FileReport(name, UNREADABLE, None, [unreadable_finding(UnreadableWorkbook(
            "file-missing", _BROKEN_LINK, path=name), lang)]))
    try:
        raw = read_workbook(path, limits)
    except UnreadableWorkbook as err:
        if err.code == "not-a-workbook" and is_own_report(path):
            return Inspected(FileReport(name, SKIPPED, None, [], note=_NOTES["report"](lang)))
        return Inspected(FileReport(name, UNREADABLE, None, [unreadable_finding(err, lang)]), error=err)
    except Exception:  # the reader maps bad files itself: anything else is a bug of ours
        return Inspected(FileReport(name, UNREADABLE, None, [internal_error(lang)]))
    if REPORT_PROPERTY in raw.custom_properties:
        raw.close()
        return Inspected(FileReport(name, SKIPPED, None, [], note=_NOTES["report"](lang)), raw.sha256)
    try:
        located = locate_plan(raw)
        checked = check_plan(located, lang)
        findings = checked.findings
    except UnreadableWorkbook as err:  # a sheet whose values cannot be read, found by the checks
        raw.close()
        return Inspected(FileReport(name, UNREADABLE, None, [unreadable_finding(err, lang)]), raw.sha256, error=err)
    except Exception:  # a check that stumbles is our bug, not the user's file
        raw.close()
        return Inspected(FileReport(name, INVALID, None, [internal_error(lang)]), raw.sha256)
    status = INVALID if any(f.severity == ERROR for f in findings) else VALID
    return Inspected(FileReport(name, status, located.template_version, findings, lang=located.lang,
                                figures=checked.figures), raw.sha256, located)


def internal_error(lang: str) -> Finding:
    """The finding of a bug of ours met while reading or checking a file (never blamed on the file)."""
    return make_finding("internal-error", lang, detail=traceback.format_exc(limit=-1).strip().splitlines()[-1])


def check_file(path: str | os.PathLike, lang: str = "fr", limits: Limits = Limits()) -> FileReport:
    """Check one file in this process; never raises for a bad file."""
    return inspect_file(path, lang, limits).report


def unreadable_finding(err: UnreadableWorkbook, lang: str) -> Finding:
    """The finding of a file the reader refused, in the reader's own (more precise) words."""
    params = {k: (v(lang) if isinstance(v, Label) else v) for k, v in err.params.items()}
    return Finding(code=err.code, severity=RULES[err.code].severity, sheet=None, cell=None, row_id=None,
                   message=err.text(lang), hint=err.hint_text(lang), params=plain_params(params))


def timeout_report(path: Path, lang: str, limits: Limits) -> FileReport:
    return FileReport(str(path), UNREADABLE, None, [make_finding("check-timeout", lang, seconds=limits.timeout_s)])


def crash_report(path: Path, lang: str, exitcode: int | None) -> FileReport:
    detail = _WORKER_DIED(lang).format(code=exitcode)
    return FileReport(str(path), UNREADABLE, None, [make_finding("corrupt-workbook", lang, detail=detail)])


def _child(conn, task: Callable[..., Any], call: tuple) -> None:
    conn.send(task(*call))
    conn.close()


def _isolated(task: Callable[..., Any], call: tuple, timeout_s: float) -> tuple[str, Any]:
    """``task(*call)`` in a child process stopped after *timeout_s*: ("done", result), ("timeout", None)
    or ("crash", exit code). A single file costs a fork (about 10 ms on Linux) rather than a pool."""
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.Process(target=_child, args=(sender, task, call), daemon=True)
    child.start()
    sender.close()
    try:
        if receiver.poll(timeout_s):
            try:
                return "done", receiver.recv()
            except EOFError:  # the child died before answering
                child.join()
                return "crash", child.exitcode
        return "timeout", None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def run_files(files: Sequence[Path], task: Callable[..., Any], args: tuple, *, lang: str, limits: Limits,
              jobs: int | None = None, failed: Callable[[Path, FileReport], Any] = lambda path, report: report,
              on_done: Callable[[Any], None] | None = None, per_file: Sequence[tuple] | None = None) -> list[Any]:
    """``task(file, *per_file[i], *args)`` for every file, each in a worker process stopped after ``limits.timeout_s``.

    The one worker pool of every command that reads many files (``check``,
    ``consolidate``, ``check --annotate``): a batch runs in a ``pebble`` pool
    of *jobs* processes (default: the core count), a single file in one child
    process. A file whose task overran its time limit or killed its worker
    gives ``failed(file, its report)``; the results come in the order of
    *files*, ``on_done`` called as each one is ready.
    """
    results: list[Any] = []

    def done(result: Any) -> None:
        results.append(result)
        if on_done:
            on_done(result)

    calls = [(f, *(per_file[i] if per_file else ()), *args) for i, f in enumerate(files)]
    if len(files) == 1:
        outcome, value = _isolated(task, calls[0], limits.timeout_s)
        done(value if outcome == "done" else failed(files[0], timeout_report(files[0], lang, limits)
                                                    if outcome == "timeout" else crash_report(files[0], lang, value)))
        return results
    from pebble import ProcessExpired, ProcessPool

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    with ProcessPool(max_workers=jobs) as pool:
        futures = [pool.schedule(task, args=call, timeout=limits.timeout_s) for call in calls]
        for path, future in zip(files, futures):
            try:
                done(future.result())
            except FutureTimeout:
                done(failed(path, timeout_report(path, lang, limits)))
            except ProcessExpired as err:
                done(failed(path, crash_report(path, lang, err.exitcode)))
    return results


_NO_FILES = Label("aucun fichier trouvé dans : {paths}", "no file found in: {paths}")


def check_files(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """The files a check of *paths* reads (:func:`expand_paths`); a usage error when there is none."""
    files = expand_paths(paths)
    if not files:
        raise UsageError(_NO_FILES, paths=", ".join(map(str, paths)))
    return files


def check(paths: Sequence[str | os.PathLike], *, lang: str = "fr", jobs: int | None = None, strict: bool = False,
          limits: Limits = Limits(), on_done: Callable[[FileReport], None] | None = None) -> Report:
    """Check every file of *paths* (files or folders) and return the report.

    ``jobs`` worker processes (default: the core count) read files in
    parallel, each file within ``limits.timeout_s`` seconds; ``on_done`` is
    called as each file finishes (the CLI's progress bar).
    """
    files = check_files(paths)
    reports = run_files(files, check_file, (lang, limits), lang=lang, limits=limits, jobs=jobs, on_done=on_done)
    return Report(reports, strict=strict, lang=lang)
