"""The ``mplan-xl`` group and what its commands share: the options, the output rules, the report formats,
the progress bar and the status names. Each command lives in the module of its group (``plan_commands``,
``check_command``, ``year_commands``, ``portfolio_commands``), registered on :data:`main` by :mod:`.main`."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import click

from .. import __version__
from ..core.errors import UsageError
from ..core.vocabulary import LANGUAGES, Label
from .cli_errors import remember_lang
from .cli_help import HelpGroup


WROTE = Label("Écrit : {path}", "Wrote: {path}")


class Number(click.FloatRange):
    """A number option that also takes the French decimal comma and spaced thousands (``60 000,50``)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            from ..core.numbers import parse_localized_number

            parsed = parse_localized_number(value)
            if parsed is None or value.strip().endswith("%"):
                self.fail(f"{value!r} is not a valid number.", param, ctx)
            value = parsed
        return super().convert(value, param, ctx)


def default_lang() -> str:
    lang = os.environ.get("MPLAN_LANG", "fr")
    return lang if lang in LANGUAGES else "fr"


lang_option = click.option("--lang", type=click.Choice(LANGUAGES), default=default_lang, show_default="fr",
                           callback=remember_lang, is_eager=True,
                           help="Language of the workbook and of messages (fr or en; env MPLAN_LANG).")


def runtime_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The --runtime option (the plan's runtimes, read when a command that writes a workbook is loaded)."""
    from ..core.plan import RUNTIME_EXTENSIONS

    return click.option("--runtime", type=click.Choice(tuple(RUNTIME_EXTENSIONS)), default=None,
                        help="xlwings: MPLAN_ functions computed by Python (.xlsm, Windows Excel); "
                             "native: plain Excel formulas (.xlsx, any Excel, Mac, web, LibreOffice). "
                             "Default: from OUT's extension.")(command)


force_option = click.option("--force", is_flag=True, help="Replace the output if it exists (every command: an existing "
                                                          "output is replaced only with --force).")
protect_option = click.option("--protect", is_flag=True,
                              help="Protect the sheets (no password): computed cells cannot be typed over, but sorting, "
                                   "deleting rows and growing tables are blocked (see docs/reference.md).")
year_option = click.option("--year", type=int, default=None, help="Plan year (default: next year).")


_OUT_MISSING = Label("indiquez le classeur à écrire : OUT ou -o/--output", "give the workbook to write: OUT or -o/--output")
_OUT_TWICE = Label("deux classeurs à écrire ({out}, {output}) : indiquez OUT ou -o/--output, pas les deux",
                   "two workbooks to write ({out}, {output}): give OUT or -o/--output, not both")


def workbook_output(command: Callable[..., Any]) -> Callable[..., Any]:
    """The workbook a command writes: OUT, or -o/--output as in every other command."""
    command = click.option("--output", "-o", "output", type=click.Path(dir_okay=False), default=None,
                           help="The workbook to write (instead of OUT).")(command)
    return click.argument("out", required=False, type=click.Path(dir_okay=False))(command)


def one_output(out: str | None, output: str | None) -> str:
    if out and output and out != output:
        raise UsageError(_OUT_TWICE, out=out, output=output)
    if not (out or output):
        raise UsageError(_OUT_MISSING)
    return out or output  # type: ignore[return-value]  # one of them is set: checked above


#: The module of each command, imported when the command is asked for: ``mplan-xl --version`` loads none,
#: ``mplan-xl check`` only its own (not the FEC reader, the database or the workbook writers of the others).
COMMAND_MODULES = {"new": "plan_commands", "demo": "plan_commands", "check": "check_command",
                   "rollover": "year_commands", "upgrade": "year_commands", "diff": "year_commands",
                   "actuals": "year_commands", "consolidate": "portfolio_commands", "approve": "portfolio_commands",
                   "export": "portfolio_commands", "results": "results_command", "repair": "repair_command"}


class LazyCommands(dict):
    """The group's commands, each module imported the first time its command (or the whole list) is looked up."""

    def _load(self, name: Any = None) -> None:
        import importlib

        for command, module in COMMAND_MODULES.items():
            if (name is None or name == command) and not dict.__contains__(self, command):
                importlib.import_module(f"{__package__}.{module}")   # registers its commands on main

    def get(self, name: Any, default: Any = None) -> Any:
        self._load(name)
        return dict.get(self, name, default)

    def __getitem__(self, name: Any) -> Any:
        self._load(name)
        return dict.__getitem__(self, name)

    def __contains__(self, name: object) -> bool:
        self._load(name)
        return dict.__contains__(self, name)

    def __iter__(self) -> Iterator[Any]:
        self._load()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._load()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._load()
        return dict.keys(self)

    def values(self) -> Any:
        self._load()
        return dict.values(self)

    def items(self) -> Any:
        self._load()
        return dict.items(self)


@click.group(cls=HelpGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="mplan-xl")
def main() -> None:
    """mplan-xl: the yearly operational marketing plan as an Excel workbook, with Python behind it."""


main.commands = LazyCommands()

FORMATS = ("text", "json", "xlsx", "junit")
#: The report format an output's extension implies, when --format is not given.
CHECK_EXTENSIONS = {".json": "json", ".xlsx": "xlsx", ".xml": "junit", ".txt": "text"}
DIFF_EXTENSIONS = {".json": "json", ".xlsx": "xlsx", ".txt": "text"}


def format_of(output: str | None, extensions: dict[str, str]) -> str:
    """The format *output*'s extension implies (text for none, or an unknown one).

    >>> format_of("report.JSON", CHECK_EXTENSIONS), format_of("ci.xml", CHECK_EXTENSIONS), format_of(None, {})
    ('json', 'junit', 'text')
    """
    return extensions.get(Path(output).suffix.lower(), "text") if output else "text"


@contextlib.contextmanager
def progress_bar(files: Sequence[Any], label: str = "check") -> Iterator[Callable[[Any], None] | None]:
    """A progress bar on standard error for a batch of *files*, when it is a terminal; nothing otherwise.

    Yields the callback to give as ``on_done``; the bar is gone before the report prints.
    """
    total = len(files)
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda _: progress.advance(task)

#: How a checked file is named in the commands' reports (rollover, upgrade, consolidate).
STATUS_TEXT = {
    "valid": Label("valide", "valid"),
    "invalid": Label("invalide", "invalid"),
    "unreadable": Label("illisible", "unreadable"),
}
