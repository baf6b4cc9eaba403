"""Every error of mplan-xl: what went wrong in French and English, and the command's exit code.

Every exception a command can raise on purpose is one of these classes; the
command line handles them once, at the command-group level (as click does
with its ``ClickException``): it prints :meth:`MplanError.lines` in the
chosen language and exits with :attr:`MplanError.exit_code`. Anything else
that escapes a command is a bug of ours, reported in one line with a hint to
report it, never as a traceback.

==================  =========  ==============================================================
class               exit code  raised when
==================  =========  ==============================================================
MplanError          1          (base class)
UsageError          2          the command was asked something it cannot do
OutputError         2          an output cannot or must not be written (exists, folder...)
BuildError          2          a workbook cannot be built with these options
PlanError           2          plan settings out of range (year, language, currency)
UnreadableWorkbook  1          a file cannot be read as a workbook
DatabaseError       1          the database cannot be opened, read or written
ApprovalRefused     1          a plan with errors cannot be approved
PlanRefused         1          the plan read has findings that block the command (base of the two below)
RolloverRefused     1          the plan read has findings that block a rollover (in ``year.rollover``)
UpgradeRefused      1          the plan read cannot be upgraded: unreadable, not a plan... (``year.upgrade``)
FecError            1          the accounts export is not a FEC
FecRefused          1          the FEC has no expense entry of the plan year (``actuals``)
RulesError          1          the mapping table of ``actuals`` (or ``results``) cannot be used
ExportRefused       1          an export of ``results`` cannot be read or recognised
PlanNotUsable       1          the plan has no complete Budget table or no year (``actuals``, ``upgrade``)
PackageError        1          a package lacks a part a command needs
==================  =========  ==============================================================

Example:
    >>> err = UsageError(Label("année {year} hors limites", "year {year} out of range"), year=1800)
    >>> err.text("en"), err.exit_code
    ('year 1800 out of range', 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from .rules import READ_ERRORS
from .vocabulary import Label

if TYPE_CHECKING:  # pragma: no cover
    from .rules import Finding

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


class MplanError(Exception):
    """Base class: a localised message with its parameters."""

    exit_code = EXIT_FAILED

    def __init__(self, message: Label, **params: Any):
        self.message = message
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str = "fr") -> str:
        return self.message(lang).format(**self.params)

    def lines(self, lang: str = "fr") -> list[str]:
        """What the command line prints: the message, then (indented) any detail."""
        return [self.text(lang)]


class UsageError(MplanError):
    """The command was asked something it cannot do (bad option, output exists...)."""

    exit_code = EXIT_USAGE


class OutputError(UsageError):
    """The output cannot be written where asked (exists, folder missing, not writable)."""


class BuildError(UsageError):
    """The workbook cannot be built with these options."""


class PlanError(UsageError):
    """Invalid plan settings (year out of range, unknown language or currency)."""


class UnreadableWorkbook(MplanError):
    """A file that cannot be read as a workbook, with what is wrong and what to do.

    ``code`` is one of :data:`~mplan_xl.core.rules.READ_ERRORS`; ``message`` and
    ``hint`` default to the catalogue's and may be given to say more precisely
    what is wrong. Any parameter that is itself a :class:`Label` is rendered in
    the chosen language.

    Example:
        >>> err = UnreadableWorkbook("file-missing", path="plan.xlsx")
        >>> err.text("en")
        'File not found: plan.xlsx'
        >>> err.hint_text("fr")
        'Vérifiez le chemin et le nom du fichier.'
    """

    def __init__(self, code: str, message: Label | None = None, hint: Label | None = None, **params: Any):
        default_message, default_hint = READ_ERRORS[code]
        self.code = code
        self.hint = hint or default_hint
        super().__init__(message or default_message, **params)

    def _params(self, lang: str) -> dict[str, Any]:
        return {k: (v(lang) if isinstance(v, Label) else v) for k, v in self.params.items()}

    def text(self, lang: str = "fr") -> str:
        return self.message(lang).format(**self._params(lang))

    def hint_text(self, lang: str = "fr") -> str:
        return self.hint(lang).format(**self._params(lang))

    def __reduce__(self):  # picklable, so a process pool can send it back
        return (_rebuild_unreadable, (self.code, self.message, self.hint, self.params))


def _rebuild_unreadable(code: str, message: Label, hint: Label, params: dict[str, Any]) -> UnreadableWorkbook:
    return UnreadableWorkbook(code, message, hint, **params)


def finding_line(finding: Finding, lang: str) -> str:
    """One finding on one indented line: severity, place, rule code, message."""
    severity = _SEVERITY[finding.severity](lang)
    place = "!".join(p for p in (finding.sheet, finding.cell) if p) or "-"
    return f"  {severity}  {place}  [{finding.code}] {finding.message}"


_SEVERITY = {"error": Label("erreur", "error"), "warning": Label("avertissement", "warning")}
_FINDINGS = Label("Constats :", "Findings:")
_BLOCKING = Label("Constats bloquants :", "Blocking findings:")


def blocking_lines(blocking: Sequence[Finding], lang: str) -> list[str]:
    """The heading and one line per finding of a command refused for its blocking findings (rollover, upgrade)."""
    return [_BLOCKING(lang)] + [finding_line(f, lang) for f in blocking]


class PlanRefused(MplanError):
    """A command refuses the plan it read because of blocking findings (:class:`RolloverRefused`,
    :class:`UpgradeRefused`, beside their commands); ``report`` (the check's file report) holds every finding.
    A subclass gives its ``message``, formatted with ``path``, ``count`` and ``codes``."""

    message: Label

    def __init__(self, path: Any, report: Any, blocking: Sequence[Finding]):
        self.report = report
        self.blocking = list(blocking)
        super().__init__(self.message, path=path, count=len(blocking),
                         codes=", ".join(dict.fromkeys(f.code for f in blocking)))

    def lines(self, lang: str = "fr") -> list[str]:
        """The message, then the heading and one line per blocking finding."""
        return [self.text(lang), *blocking_lines(self.blocking, lang)]


class DatabaseError(MplanError):
    """The database cannot be opened, read or written (locked, unreachable, refused, not ours)."""


class ApprovalRefused(DatabaseError):
    """The plan cannot be approved: it is not valid (its findings say why)."""

    def __init__(self, message: Label, findings: Sequence[Finding], **params: Any):
        super().__init__(message, **params)
        self.findings = list(findings)

    def lines(self, lang: str = "fr") -> list[str]:
        return [self.text(lang), _FINDINGS(lang)] + [finding_line(f, lang) for f in self.findings]


@dataclass(frozen=True)
class FecProblem:
    """A problem (or a warning) at a line (0: the whole file) and column of a FEC or a rules file; *path* names the
    file when the text stands on its own (a warning), not under the file's own heading."""

    line: int
    column: str | None
    message: Label
    params: dict[str, object]
    path: str | None = None

    def text(self, lang: str = "fr") -> str:
        params = {key: value(lang) if isinstance(value, Label) else value for key, value in self.params.items()}
        where = (_AT_COLUMN if self.column else _AT_LINE)(lang).format(line=self.line, column=self.column)
        if self.path is not None:
            where = _IN_FILE(lang).format(path=self.path, where=where) if self.line > 0 else self.path
        elif self.line <= 0:   # about the whole file
            return self.message(lang).format(**params)
        return _LOCATED(lang).format(where=where, message=self.message(lang).format(**params))


_LOCATED = Label("{where} : {message}", "{where}: {message}")
_IN_FILE = Label("{path}, {where}", "{path}, {where}")
_AT_LINE = Label("ligne {line}", "line {line}")
_AT_COLUMN = Label("ligne {line}, colonne {column}", "line {line}, column {column}")
_FEC_NOT_IMPORTED = Label("{path} : FEC illisible, rien n'a été importé ({count} problème(s))",
                          "{path}: unreadable FEC, nothing was imported ({count} problem(s))")


class FecError(MplanError):
    """The file is not a FEC, or some of its lines are not what a FEC holds; nothing was imported."""

    def __init__(self, path: str, problems: list[FecProblem]):
        self.path = path
        self.problems = problems
        super().__init__(_FEC_NOT_IMPORTED, path=path, count=len(problems))

    def lines(self, lang: str = "fr") -> list[str]:
        """One line for the whole, then one per problem."""
        return [self.text(lang)] + [f"  {p.text(lang)}" for p in self.problems]


class FecRefused(MplanError):
    """The FEC is read but is not the plan year's (no expense entry of that year); nothing was imported."""


class RulesError(MplanError):
    """The mapping table cannot be used; nothing was imported."""


class ExportRefused(MplanError):
    """An export of ``results`` cannot be read, is not recognised, or has values its columns cannot hold; nothing
    was imported. Its parameters may be :class:`Label` (said in the message's language); *problems* are listed."""

    def __init__(self, message: Label, problems: Sequence[FecProblem] = (), **params: Any):
        self.problems = list(problems)
        super().__init__(message, **params)

    def text(self, lang: str = "fr") -> str:
        params = {key: value(lang) if isinstance(value, Label) else value for key, value in self.params.items()}
        return self.message(lang).format(**params)

    def lines(self, lang: str = "fr") -> list[str]:
        return [self.text(lang)] + [f"  {p.text(lang)}" for p in self.problems]


class PlanNotUsable(MplanError):
    """The plan has no budget table with the columns the import needs, or no plan year."""


class PackageError(Exception):
    """The package lacks a part or an element a command needs, or has it not as the format says.

    Raised inside the package tools; the commands turn it into a finding or an
    :class:`MplanError` of their own.
    """


__all__ = ["ApprovalRefused", "BuildError", "DatabaseError", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "FecError",
           "FecRefused", "Label", "MplanError", "OutputError", "PackageError", "PlanError", "PlanNotUsable",
           "PlanRefused", "RulesError", "UnreadableWorkbook", "UsageError", "FecProblem", "blocking_lines", "finding_line"]
