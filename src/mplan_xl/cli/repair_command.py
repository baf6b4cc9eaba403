"""``mplan-xl repair``: a repaired copy of each plan, every value the team typed kept (:mod:`mplan_xl.check.repair`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..core.atomic import EXISTS
from ..core.errors import EXIT_FAILED, EXIT_OK, OutputError, UsageError
from ..core.vocabulary import Label
from .cli_errors import echo
from .group import Number, force_option, lang_option, main

_TEXT = {
    "one_or_into": Label("indiquez -o COPIE (un seul plan) ou --into DOSSIER, pas les deux",
                         "give -o COPY (one plan) or --into FOLDER, not both"),
    "none": Label("indiquez où écrire : -o COPIE (un seul plan), --into DOSSIER, ou --dry-run pour seulement lister",
                  "give where to write: -o COPY (one plan), --into FOLDER, or --dry-run to list only"),
    "many": Label("-o COPIE répare un seul plan ; pour {count} fichiers, indiquez --into DOSSIER",
                  "-o COPY repairs one plan; for {count} files, give --into FOLDER"),
    "not_folder": Label("{path} : --into attend un dossier", "{path}: --into expects a folder"),
    "repaired": Label("{path} : {count} réparation(s) -> {output}", "{path}: {count} repair(s) -> {output}"),
    "would": Label("{path} : {count} réparation(s) à faire (--dry-run : rien n'est écrit)",
                   "{path}: {count} repair(s) to make (--dry-run: nothing written)"),
    "nothing": Label("{path} : rien à réparer", "{path}: nothing to repair"),
    "left": Label(" ; {count} point(s) laissé(s) à l'équipe", "; {count} point(s) left for the team"),
    "error": Label("{path} : non réparé ({error})", "{path}: not repaired ({error})"),
    "skipped": Label("{path} : ignoré ({note})", "{path}: skipped ({note})"),
    "item": Label("  {where}{why}", "  {where}{why}"),
    "left_item": Label("  à faire par l'équipe : {where}{why}", "  for the team: {where}{why}"),
    "summary": Label("{files} fichier(s) : {repaired} réparé(s), {clean} sans rien à réparer, {left} avec des points "
                     "laissés à l'équipe, {failed} non lu(s)",
                     "{files} file(s): {repaired} repaired, {clean} with nothing to repair, {left} with points left for "
                     "the team, {failed} not read"),
}


@main.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path())
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="The repaired copy to write (one plan).")
@click.option("--into", "into", type=click.Path(file_okay=False), default=None,
              help="Write the repaired copy of each plan into this folder, under its own name.")
@click.option("--dry-run", is_flag=True, help="List what would be repaired; write nothing.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="text (one line per file; a single plan's repairs one per line), json (every repair and "
                   "every point left, located).")
@lang_option
@force_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: core count).")
@click.option("--timeout", type=Number(min=1), default=30.0, show_default="30",
              help="Time limit per file, in seconds.")
def repair(plans: tuple[str, ...], output: str | None, into: str | None, dry_run: bool, fmt: str, lang: str,
           force: bool, jobs: int | None, timeout: float) -> None:
    """Write a repaired copy of each PLAN (files or folders), every value the team typed kept; PLANs are only read.

    Restores the template's formula in computed cells typed over, cleared, altered or written as cell
    addresses (rows inserted by the team included), numbers and dates typed as text (12 500, 1 200,50 €,
    15 %, 15/03/2027), the calculated-column definitions and the number formats a LibreOffice save damaged.
    Never changes a typed value, never deletes a row or a sheet: what is not certain (a text that is no
    number, a row typed below a table) is listed with its cell and left as it is. Exit code: 0 when every
    plan is repaired or has nothing to repair, 1 when something is left for the team or a file cannot be
    read, 2 for a usage error.
    """
    from ..check.annotate import targets
    from ..check.repair import repair_files
    from ..read.inputs import scan_paths
    from ..read.outputs import check_outputs
    from ..read.reader import Limits

    if output and into:
        raise UsageError(_TEXT["one_or_into"])
    if not (output or into or dry_run):
        raise UsageError(_TEXT["none"])
    files = [f for f in scan_paths(plans)]
    if output and len(files) != 1:
        raise UsageError(_TEXT["many"], count=len(files))
    if into and Path(into).exists() and not Path(into).is_dir():
        raise UsageError(_TEXT["not_folder"], path=into)
    outputs: list[Path | None]
    if dry_run:
        outputs = [None] * len(files)
    elif output:
        outputs = [Path(output)]
    else:
        assert into is not None
        outputs = list(targets([str(f) for f in files], Path(into)))
    if into and not dry_run:   # the copies: never an input, never an existing file without --force
        check_outputs([], plans, force=force, kept=outputs, found=files)
        for target in outputs if not force else ():
            if target is not None and target.exists():
                raise OutputError(EXISTS, path=target)
        Path(into).mkdir(parents=True, exist_ok=True)
    else:
        check_outputs(outputs, plans, force=force, found=files)
    results = repair_files(files, outputs, lang=lang, limits=Limits(timeout_s=timeout), jobs=jobs, force=force)
    if fmt == "json":
        echo(json.dumps({"format_version": "1.0", "dry_run": dry_run, "files": [r.to_dict() for r in results]},
                        ensure_ascii=False, indent=2))
    else:
        for result in results:
            echo(_line(result, dry_run, lang))
            if len(results) == 1:   # one plan: each repair and each point left on its line (a batch: --format json)
                for action in result.actions:
                    echo(_TEXT["item"](lang).format(where=_where(action, lang), why=action.why))
                for action in result.left:
                    echo(_TEXT["left_item"](lang).format(where=_where(action, lang), why=action.why))
        if len(results) > 1:
            echo(_TEXT["summary"](lang).format(
                files=len(results), repaired=sum(1 for r in results if r.error is None and r.actions),
                clean=sum(1 for r in results if r.error is None and r.skipped is None and not r.actions and not r.left),
                left=sum(1 for r in results if r.error is None and r.left),
                failed=sum(1 for r in results if r.error is not None)))
    sys.exit(EXIT_OK if all(r.ok for r in results) else EXIT_FAILED)


def _where(action: object, lang: str) -> str:
    sheet, cell = getattr(action, "sheet", None), getattr(action, "cell", None)
    colon = " : " if lang == "fr" else ": "
    if sheet and cell:
        return f"{sheet}!{cell}{colon}"
    return f"{sheet}{colon}" if sheet else ""


def _line(result: object, dry_run: bool, lang: str) -> str:
    from ..check.repair import Repaired

    assert isinstance(result, Repaired)
    if result.error is not None:
        return _TEXT["error"](lang).format(path=result.path, error=result.error)
    if result.skipped is not None:
        return _TEXT["skipped"](lang).format(path=result.path, note=result.skipped)
    if not result.actions:
        line = _TEXT["nothing"](lang).format(path=result.path)
    elif dry_run or result.output is None:
        line = _TEXT["would"](lang).format(path=result.path, count=len(result.actions))
    else:
        line = _TEXT["repaired"](lang).format(path=result.path, count=len(result.actions), output=result.output)
    return line + (_TEXT["left"](lang).format(count=len(result.left)) if result.left else "")
