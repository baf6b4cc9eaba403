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

import os
import traceback
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..core.errors import UsageError
from ..core.plan import id_text
from ..core.rules import ERROR, RULES, Finding, make_finding, plain_params
from ..core.vocabulary import Label
from ..read.inputs import SKIP_NOTES, conflict_bases, own_output, scan_paths, skip_reason
from ..read.outputs import own_output_file
from ..read.reader import Limits, UnreadableWorkbook, read_workbook
from .cache import ResultCache, cached_task
from .report import INVALID, SKIPPED, UNREADABLE, VALID, FileReport, Report

if TYPE_CHECKING:
    from ..core.computed import PlanContext
    from ..read.plan_reader import LocatedPlan

_BROKEN_LINK = Label("Lien symbolique cassé : {path}", "Broken symbolic link: {path}")
_WORKER_DIED = Label("sa lecture a arrêté le processus de contrôle (code {code})",
                     "reading it stopped the checking process (code {code})")


_NOT_A_PLAN = Label("{path} n'est pas un plan : {note}", "{path} is no plan: {note}")


def _skipped(name: str, reason: str, lang: str, sha256: str | None = None) -> Inspected:
    """A file that is no plan (a lock file, one of our outputs): skipped in a batch, refused by a command that
    works on one plan (``error``, with the reason)."""
    return Inspected(FileReport(name, SKIPPED, None, [], note=SKIP_NOTES[reason](lang)), sha256,
                     error=not_a_plan(name, SKIP_NOTES[reason]))


def not_a_plan(path: str | os.PathLike, note: Label | str) -> UnreadableWorkbook:
    """The refusal of a file that is no plan (*note*: why) by a command that works on one plan."""
    return UnreadableWorkbook("not-a-workbook", _NOT_A_PLAN, path=str(path), note=note)


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
    #: The plan's figures as the checks computed them, for :func:`~mplan_xl.read.plan_rows.plan_rows` to reuse;
    #: None when no check computed them.
    computed: "PlanContext | None" = None


def inspect_file(path: str | os.PathLike, lang: str = "fr", limits: Limits = Limits(),
                 then: Callable[[Inspected], Any] | None = None, only: tuple[Callable[..., Any], ...] | None = None) -> Any:
    """Read, locate and check one file, once; never raises for a bad file.

    Returns the :class:`Inspected` file, or, with *then*, what ``then(inspected)``
    returns, called while the workbook is still open: ``consolidate``,
    ``rollover``, ``diff`` and ``actuals`` build on the same read of the file.
    A failure inside *then* is its caller's: the file's report is settled first. *only*: run only these checks
    (``repair`` needs a few), see :func:`~mplan_xl.check.checks.check_plan`.
    """
    inspected = _inspect(path, lang, limits, only)
    try:
        return then(inspected) if then else Inspected(inspected.report, inspected.sha256, error=inspected.error)
    finally:
        if inspected.located is not None:
            inspected.located.raw.close()


def _inspect(path: str | os.PathLike, lang: str, limits: Limits,
             only: tuple[Callable[..., Any], ...] | None = None) -> Inspected:
    name = str(path)
    reason = skip_reason(Path(path))
    if reason:
        return _skipped(name, reason, lang)
    if Path(path).is_symlink() and not Path(path).exists():
        return Inspected(FileReport(name, UNREADABLE, None, [unreadable_finding(UnreadableWorkbook(
            "file-missing", _BROKEN_LINK, path=name), lang)]))
    try:
        raw = read_workbook(path, limits)
    except UnreadableWorkbook as err:
        own = own_output_file(path) if err.code == "not-a-workbook" else None
        if own:
            return _skipped(name, own, lang)
        return Inspected(FileReport(name, UNREADABLE, None, [unreadable_finding(err, lang)]), error=err)
    except Exception:  # the reader maps bad files itself: anything else is a bug of ours
        return Inspected(FileReport(name, UNREADABLE, None, [internal_error(lang)]))
    own = own_output((raw.content or b"")[:512], raw.custom_properties, raw.content)
    if own:
        raw.close()
        return _skipped(name, own, lang, raw.sha256)
    try:
        from ..read.plan_reader import locate_plan   # here: a run whose every file is cached never loads them
        from .checks import check_plan

        located = locate_plan(raw)
        checked = check_plan(located, lang) if only is None else check_plan(located, lang, only)
        findings = checked.findings
    except UnreadableWorkbook as err:  # a sheet whose values cannot be read, found by the checks
        raw.close()
        return Inspected(FileReport(name, UNREADABLE, None, [unreadable_finding(err, lang)]), raw.sha256, error=err)
    except Exception:  # a check that stumbles is our bug, not the user's file
        raw.close()
        return Inspected(FileReport(name, INVALID, None, [internal_error(lang)]), raw.sha256)
    status = INVALID if any(f.severity == ERROR for f in findings) else VALID
    company = id_text(located.company)
    key = (company.casefold(), located.year) if company and isinstance(located.year, int) else None
    return Inspected(FileReport(name, status, located.template_version, findings, lang=located.lang,
                                figures=checked.figures, plan_key=key), raw.sha256, located, computed=checked.computed)


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
    _ignore_interrupt()   # Ctrl-C is the parent's to handle: it stops this child
    conn.send(task(*call))
    conn.close()


def _isolated(task: Callable[..., Any], call: tuple, timeout_s: float) -> tuple[str, Any]:
    """``task(*call)`` in a child process stopped after *timeout_s*: ("done", result), ("timeout", None)
    or ("crash", exit code). A single file costs a fork (about 10 ms on Linux) rather than a pool."""
    import multiprocessing

    _preload()
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


def _preload() -> None:
    """Load what the workers run before they start: forked, they share it rather than each import it."""
    from ..read import plan_reader  # noqa: F401
    from . import checks  # noqa: F401


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: the workers are stopped; ``results`` holds what was done, in file order,
    and ``pending`` the files not done (a command that does not catch it ends as on any Ctrl-C: exit 130)."""

    def __init__(self, results: list[Any], pending: list[Path]):
        super().__init__("interrupted")
        self.results, self.pending = results, pending


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the main process, which stops them (a terminal sends it to every process)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_files(files: Sequence[Path], task: Callable[..., Any], args: tuple, *, lang: str, limits: Limits,
              jobs: int | None = None, failed: Callable[[Path, FileReport], Any] = lambda path, report: report,
              on_done: Callable[[Any], None] | None = None, per_file: Sequence[tuple] | None = None) -> list[Any]:
    """``task(file, *per_file[i], *args)`` for every file, each in a worker process stopped after ``limits.timeout_s``.

    The one worker pool of every command that reads many files (``check``,
    ``consolidate``, ``check --annotate``): a batch runs in a ``pebble`` pool
    of *jobs* processes (default: the core count), a single file in one child
    process. A file whose task overran its time limit or killed its worker
    gives ``failed(file, its report)``; the results come in the order of
    *files*, ``on_done`` called as each one is ready. Ctrl-C stops every
    worker at once and raises :class:`Interrupted` with what was done.
    """
    results: list[Any] = []

    def done(result: Any) -> None:
        results.append(result)
        if on_done:
            on_done(result)

    calls = [(f, *(per_file[i] if per_file else ()), *args) for i, f in enumerate(files)]
    if len(files) == 1:
        try:
            outcome, value = _isolated(task, calls[0], limits.timeout_s)
        except KeyboardInterrupt:
            raise Interrupted(results, list(files)) from None
        done(value if outcome == "done" else failed(files[0], timeout_report(files[0], lang, limits)
                                                    if outcome == "timeout" else crash_report(files[0], lang, value)))
        return results
    from pebble import ProcessExpired, ProcessPool

    _preload()
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    pool = ProcessPool(max_workers=jobs, initializer=_ignore_interrupt)
    try:
        futures = [pool.schedule(task, args=call, timeout=limits.timeout_s) for call in calls]
        for path, future in zip(files, futures):
            try:
                done(future.result())
            except FutureTimeout:
                done(failed(path, timeout_report(path, lang, limits)))
            except ProcessExpired as err:
                done(failed(path, crash_report(path, lang, err.exitcode)))
    except BaseException as err:   # Ctrl-C, or any failure: no worker outlives the batch
        pool.stop()
        pool.join()
        if isinstance(err, KeyboardInterrupt):
            raise Interrupted(results, list(files[len(results):])) from None
        raise
    pool.close()
    pool.join()
    return results


_NO_FILES = Label("aucun fichier trouvé dans : {paths}", "no file found in: {paths}")


def check_files(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """The files a check of *paths* reads (:func:`~mplan_xl.read.inputs.scan_paths`); a usage error when there is none."""
    files = scan_paths(paths)
    if not files:
        raise UsageError(_NO_FILES, paths=", ".join(map(str, paths)))
    return files


def flag_conflict_copies(reports: Sequence[FileReport], lang: str) -> None:
    """Warn on each file named like a conflict copy (OneDrive, SharePoint: ``plan-PC-Jean.xlsx``, ``plan (1).xlsx``)
    of another file of its folder that holds the same plan (company and year): ``likely-duplicate``."""
    by_name = {(str(Path(r.path).parent), Path(r.path).stem.casefold()): r for r in reports if r.plan_key}
    for report in reports:
        folder = str(Path(report.path).parent)
        bases = conflict_bases(Path(report.path).name) if report.plan_key else []
        other = next((by_name[k] for k in ((folder, b.casefold()) for b in bases) if k in by_name), None)
        if other is None or other is report or report.plan_key is None or other.plan_key != report.plan_key:
            continue
        report.findings.append(make_finding("likely-duplicate", lang, other=Path(other.path).name,
                                            year=report.plan_key[1]))
        report.duplicate_of = other.path


def check(paths: Sequence[str | os.PathLike], *, lang: str = "fr", jobs: int | None = None, strict: bool = False,
          limits: Limits = Limits(), on_done: Callable[[FileReport], None] | None = None,
          task: Callable[..., FileReport] = check_file, task_args: tuple = (), cache: ResultCache | None = None) -> Report:
    """Check every file of *paths* (files or folders) and return the report.

    ``jobs`` worker processes (default: the core count) read files in
    parallel, each file within ``limits.timeout_s`` seconds; ``on_done`` is
    called as each file finishes (the CLI's progress bar). After Ctrl-C, the
    report of the files done, marked incomplete (:attr:`Report.pending`).
    Each file's report is ``task(file, *task_args, lang, limits)`` (``check --against`` compares it too).
    With a *cache* (:class:`~mplan_xl.check.cache.ResultCache`, made for these options), a file whose report is
    stored is not read again, and each new report is stored: the report is the same.
    """
    files = check_files(paths)
    cached: list[FileReport | None] = [None] * len(files)
    keys: list[str | None] = [None] * len(files)
    if cache is not None:
        cache = cache.with_options(task=f"{task.__module__}.{task.__qualname__}")
        for i, path in enumerate(files):
            keys[i] = cache.key(path)
            cached[i] = cache.get(keys[i], path)
            if cached[i] is not None and on_done:
                on_done(cached[i])  # type: ignore[arg-type]  # set just above
    todo = [i for i, report in enumerate(cached) if report is None]
    args: tuple = (*task_args, lang, limits)
    run_task, per_file = task, None
    if cache is not None:
        run_task, args, per_file = cached_task, (cache, task, *args), [(keys[i],) for i in todo]
    try:
        done = run_files([files[i] for i in todo], run_task, args, lang=lang, limits=limits, jobs=jobs,
                         on_done=on_done, per_file=per_file) if todo else []
        pending: list[Path] = []
    except Interrupted as stop:
        done, pending = stop.results, stop.pending
    for i, report in zip(todo, done):
        cached[i] = report
    if cache is not None and cache.writable and done:
        cache.prune()
    reports = [r for r in cached if r is not None]
    flag_conflict_copies(reports, lang)
    return Report(reports, strict=strict, lang=lang, pending=[str(p) for p in pending])
