"""``mplan-xl check``: the batch validation of returned plans, its reports and ``--annotate``."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..core.errors import UsageError
from ..core.vocabulary import Label
from .cli_errors import echo
from .group import CHECK_EXTENSIONS, FORMATS, Number, force_option, format_of, lang_option, main, progress_bar


_XLSX_NEEDS_OUTPUT = Label("--format xlsx écrit un classeur : indiquez --output RAPPORT.xlsx",
                           "--format xlsx writes a workbook: give --output REPORT.xlsx")

_AGAINST_ALONE = Label("--against ne se combine pas encore avec --annotate", "--against cannot be combined with --annotate yet")
_THRESHOLD_NEEDS_AGAINST = Label("--transfer-threshold s'emploie avec --against APPROUVÉ.xlsx",
                                 "--transfer-threshold goes with --against APPROVED.xlsx")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Report format: text (terminal), json (stable, documented), xlsx (links to cells), junit (CI). "
                   "Default: from OUTPUT's extension (.json, .xlsx, .xml), else text.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file (atomically) instead of the standard output.")
@force_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: core count).")
@lang_option
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit code 1).")
@click.option("--timeout", type=Number(min=1), default=30.0, show_default="30",
              help="Time limit per file, in seconds.")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False), default=None,
              help="Write into this folder a copy of each file with findings, each finding a note at its cell "
                   "(an existing copy is replaced only with --force).")
@click.option("--against", "approved", type=click.Path(dir_okay=False), default=None,
              help="Compare each file with this approved version: increases (total or envelope) are errors, "
                   "transfers between lines not recorded on the Transfers sheet are warnings, new, dropped or "
                   "moved actions are shown.")
@click.option("--transfer-threshold", "threshold", type=Number(min=0), default=None,
              help="With --against: what a line may receive by transfer before it needs approval (an error).")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Neither read nor write the result cache (by default a file unchanged since a check with the "
                   "same options and the same mplan-xl is not read again; the cache is kept in MPLAN_XL_CACHE_DIR, "
                   "else XDG_CACHE_HOME/mplan-xl or ~/.cache/mplan-xl, never in the checked folder).")
def check(paths: tuple[str, ...], fmt: str | None, output: str | None, force: bool, jobs: int | None, lang: str,
          strict: bool, timeout: float, annotate_dir: str | None, approved: str | None,
          threshold: float | None, no_cache: bool) -> None:
    """Validate returned workbooks (files or folders); files are only read.

    With --annotate DIR, DIR/<same name> is a copy of each file with findings
    where every finding is a note at its cell (highlighted), in the
    workbook's language; unreadable files are listed, not copied. Lock files,
    system files and mplan-xl's own outputs found in a folder are skipped.

    With --against APPROVED.xlsx, each file is also compared with the
    approved version: increases, transfers (explained by the Transfers
    sheet), new, dropped or moved actions.

    Results are cached outside the checked folders: a file unchanged since
    a check with the same options (and the same day) is not read again, and
    its report is the same (--no-cache: read every file; --annotate always
    reads every file).

    Exit code: 0 when every file is valid, 1 when any has an error (or a
    warning under --strict) or cannot be read, 2 for a usage error, 130 when
    interrupted (Ctrl-C: the report of the files done, marked incomplete).
    """
    from ..check.validator import check as run_check
    from ..core.atomic import atomic_output
    from ..read.inputs import scan_paths
    from ..read.outputs import check_outputs
    from ..read.reader import Limits

    fmt = fmt or format_of(output, CHECK_EXTENSIONS)
    if fmt == "xlsx" and not output:
        raise UsageError(_XLSX_NEEDS_OUTPUT)
    if approved and annotate_dir:
        raise UsageError(_AGAINST_ALONE)
    if threshold is not None and not approved:
        raise UsageError(_THRESHOLD_NEEDS_AGAINST)
    files = scan_paths(paths)
    copies = {}
    if annotate_dir:
        from ..check.annotate import prepare

        copies = prepare(files, annotate_dir, force)
    check_outputs([output], paths, force=force, kept=list(copies.values()), found=files)
    limits = Limits(timeout_s=timeout)
    cache = None if no_cache or annotate_dir else _open_cache(paths, lang, limits)
    scanned: list = files or list(paths)   # the folders walked once (none found: the usage error names them)
    with progress_bar(files) as on_done:
        if annotate_dir:
            from ..check.annotate import check_annotated

            report, annotated = check_annotated(list(paths), copies, lang=lang, jobs=jobs, strict=strict,
                                                limits=limits, on_done=on_done)
        elif approved:
            from ..year.against import check_against

            report = check_against(scanned, approved, lang=lang, jobs=jobs, strict=strict,
                                   limits=limits, threshold=threshold, on_done=on_done, cache=cache)
        else:
            report = run_check(scanned, lang=lang, jobs=jobs, strict=strict, limits=limits, on_done=on_done,
                               cache=cache)
    if fmt == "xlsx":
        assert output is not None   # refused above: --format xlsx needs --output
        with atomic_output(output, force=force) as tmp:
            report.write_xlsx(tmp)
        echo(report.summary_line())
    else:
        text = {"text": report.to_text, "json": report.to_json, "junit": report.to_junit}[fmt]()
        if output:
            with atomic_output(output, force=force) as tmp:
                tmp.write_text(text, encoding="utf-8")
            echo(report.summary_line())
        else:
            echo(text, nl=not text.endswith("\n"))
    if annotate_dir:
        for line in annotated.lines(lang):
            echo(line, err=True)
    if report.pending:
        echo("mplan-xl: " + report.summary_line(), err=True)
    sys.exit(report.exit_code)


def _open_cache(paths: tuple[str, ...], lang: str, limits: Any) -> Any:
    """The result cache for this run's options (a warning on standard error when it cannot be written)."""
    from dataclasses import asdict

    from ..check.cache import ResultCache

    options = {"lang": lang, "limits": {k: v for k, v in asdict(limits).items() if k != "timeout_s"}}
    cache, warning, params = ResultCache.open(options, checked=paths, max_file_bytes=limits.max_file_bytes)
    if warning is not None:
        echo(warning(lang).format(**params), err=True)
    return cache
