"""Batch validation: read every returned workbook, run the checks, build one report.

Files are read in a pool of worker processes (``pebble``, a maintained pool
that can stop one task that overruns its time limit without stopping the
others), so one hostile or broken file never stops or stalls the batch.
Inputs are only ever opened for reading.

Example:
    >>> import mplan_xl
    >>> report = mplan_xl.check(["returned/"], lang="en")   # doctest: +SKIP
    >>> report.valid, report.summary["invalid"]             # doctest: +SKIP
    (False, 3)
"""

from __future__ import annotations

import os
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .checks import run_checks
from .errors import UsageError
from .plan_reader import locate_plan
from .reader import Limits, UnreadableWorkbook, read_workbook
from .report import INVALID, UNREADABLE, VALID, FileReport, Report
from .rules import ERROR, RULES, Finding, make_finding
from .vocabulary import Label

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def expand_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Workbooks named, and those found (recursively, sorted) in the folders named.

    Excel's lock files (``~$plan.xlsx``) are skipped. A path that does not
    exist is kept: it becomes a ``file-missing`` finding, not a crash.
    """
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES
                              and not p.name.startswith("~$")))
        else:
            out.append(path)
    return out


def check_file(path: str | os.PathLike, lang: str = "fr", limits: Limits = Limits()) -> FileReport:
    """Check one workbook; never raises for a bad file."""
    name = str(path)
    try:
        raw = read_workbook(path, limits)
    except UnreadableWorkbook as err:
        return FileReport(name, UNREADABLE, None, [unreadable_finding(err, lang)])
    except Exception as err:  # the reader maps bad files itself; this is the last safety net
        return FileReport(name, UNREADABLE, None, [make_finding("corrupt-workbook", lang, detail=type(err).__name__)])
    try:
        located = locate_plan(raw)
        findings = run_checks(located, lang)
    except Exception as err:  # a workbook so odd that the checks stumble is reported, not crashed on
        return FileReport(name, INVALID, None, [make_finding("corrupt-workbook", lang, detail=f"{type(err).__name__}: {err}")])
    status = INVALID if any(f.severity == ERROR for f in findings) else VALID
    return FileReport(name, status, located.template_version, findings)


def unreadable_finding(err: UnreadableWorkbook, lang: str) -> Finding:
    """The finding of a file the reader refused, in the reader's own (more precise) words."""
    return Finding(code=err.code, severity=RULES[err.code].severity, sheet=None, cell=None, row_id=None,
                   message=err.text(lang), hint=err.hint_text(lang))


_NO_FILES = Label("aucun classeur .xlsx/.xlsm trouvé dans : {paths}", "no .xlsx/.xlsm workbook found in: {paths}")


def check(paths: Sequence[str | os.PathLike], *, lang: str = "fr", jobs: int | None = None, strict: bool = False,
          limits: Limits = Limits(), on_done: Callable[[FileReport], None] | None = None) -> Report:
    """Check every workbook of *paths* (files or folders) and return the report.

    ``jobs`` worker processes (default: the core count) read files in
    parallel, each file within ``limits.timeout_s`` seconds; ``on_done`` is
    called as each file finishes (the CLI's progress bar).
    """
    files = expand_paths(paths)
    if not files:
        raise UsageError(_NO_FILES, paths=", ".join(map(str, paths)))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(files)))
    reports: list[FileReport | None] = [None] * len(files)
    if jobs == 1 and len(files) == 1:
        # One file: the pool's start-up would cost more than the check. The
        # reader's own limits bound its work.
        reports[0] = check_file(files[0], lang, limits)
        if on_done:
            on_done(reports[0])
    else:
        from pebble import ProcessExpired, ProcessPool

        with ProcessPool(max_workers=jobs) as pool:
            futures = [pool.schedule(check_file, args=(f, lang, limits), timeout=limits.timeout_s) for f in files]
            for i, future in enumerate(futures):
                try:
                    reports[i] = future.result()
                except FutureTimeout:
                    reports[i] = FileReport(str(files[i]), UNREADABLE, None,
                                            [make_finding("check-timeout", lang, seconds=limits.timeout_s)])
                except ProcessExpired as err:
                    reports[i] = FileReport(str(files[i]), UNREADABLE, None,
                                            [make_finding("corrupt-workbook", lang, detail=f"worker stopped ({err.exitcode})")])
                if on_done:
                    on_done(reports[i])
    return Report([r for r in reports if r is not None], strict=strict, lang=lang)
