"""How the command line ends: every error handled once, at the command-group level, in the user's language.

:class:`MplanGroup` is the ``mplan-xl`` group. Around every command it turns

* an :class:`~mplan_xl.core.errors.MplanError` into its lines and its exit code;
* an ``OSError`` (a disk full, a permission refused) into one line, exit 1;
* anything else (a bug of ours) into one line saying so, with a hint to report it, exit 1;

and click's own usage errors (an unknown option, a bad value) into one line
in French or English, exit 2. No command can end in a traceback.

The language is the command's ``--lang``; before it is known (a usage
error, ``--help``): ``--lang`` on the command line, else ``MPLAN_LANG``, else
English when ``LC_ALL`` or ``LANG`` is English, else French.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any, Sequence

import click

from ..core.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, MplanError
from ..core.text_safety import display_text
from ..core.vocabulary import LANGUAGES, Label


def echo(message: str = "", nl: bool = True, err: bool = False) -> None:
    """Print *message* as every command prints: control characters escaped (:func:`~mplan_xl.core.text_safety.display_text`),
    so a company name or a file name holding a terminal escape shows it instead of obeying it."""
    click.echo(display_text(str(message)), nl=nl, err=err)

LANG_KEY = "mplan_lang"

_TEXT = {
    "write_failed": Label("Échec de l'écriture de {path} : {error}", "Could not write {path}: {error}"),
    "internal": Label("erreur interne de mplan-xl ({error}) : signalez-la aux mainteneurs avec la commande lancée "
                      "et la sortie de « mplan-xl --version »",
                      "internal error of mplan-xl ({error}): report it to the maintainers with the command run "
                      "and the output of 'mplan-xl --version'"),
    "see_help": Label(" (voir « {command} --help »)", " (see '{command} --help')"),
    "no_option": Label("option inconnue : {name}", "no such option: {name}"),
    "did_you_mean": Label(" (vouliez-vous dire {names} ?)", " (did you mean {names}?)"),
    "needs_value": Label("l'option {name} attend une valeur", "option {name} requires a value"),
    "missing_argument": Label("argument manquant : {name}", "missing argument: {name}"),
    "missing_option": Label("option obligatoire manquante : {name}", "missing option: {name}"),
    "bad_value": Label("valeur {value} refusée pour {name} : {expected}", "invalid value {value} for {name}: {expected}"),
    "bad_value_plain": Label("valeur refusée pour {name} : {detail}", "invalid value for {name}: {detail}"),
    "one_of": Label("attendu l'une de {choices}", "expected one of {choices}"),
    "integer": Label("attendu un nombre entier", "expected a whole number"),
    "number": Label("attendu un nombre (virgule ou point décimal)", "expected a number"),
    "range": Label("attendu un nombre {range}", "expected a number {range}"),
    "is_folder": Label("{value} est un dossier", "{value} is a folder"),
    "not_found": Label("{value} n'existe pas", "{value} does not exist"),
    "no_command": Label("commande inconnue : {name}", "no such command: {name}"),
    "extra": Label("argument(s) en trop : {names}", "unexpected extra argument(s): {names}"),
    "aborted": Label("interrompu", "aborted"),
}


def user_lang(args: Sequence[str] | None = None) -> str:
    """The language of messages before a command has parsed its ``--lang``.

    >>> user_lang(["check", "--lang", "en"]), user_lang(["check", "--lang=fr"])
    ('en', 'fr')
    """
    args = list(sys.argv[1:] if args is None else args)
    for i, arg in enumerate(args):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else args[i + 1] if arg == "--lang" and \
            i + 1 < len(args) else None
        if value in LANGUAGES:
            return value
    if os.environ.get("MPLAN_LANG") in LANGUAGES:
        return os.environ["MPLAN_LANG"]
    system = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "en" if system.lower().startswith("en") else "fr"


def remember_lang(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """The ``--lang`` callback: the language of the command's messages, errors included."""
    ctx.meta[LANG_KEY] = value
    return value


def _quoted(text: str) -> str | None:
    match = re.search(r"'([^']*)'", text)
    return match.group(1) if match else None


def _expected(param_type: click.ParamType, lang: str) -> str | None:
    if isinstance(param_type, click.Choice):
        return _TEXT["one_of"](lang).format(choices=", ".join(map(str, param_type.choices)))
    if isinstance(param_type, (click.IntRange, click.FloatRange)):
        return _TEXT["range"](lang).format(range=param_type._describe_range())
    if isinstance(param_type, click.types.IntParamType):
        return _TEXT["integer"](lang)
    if isinstance(param_type, click.types.FloatParamType) or getattr(param_type, "name", "") == "number":
        return _TEXT["number"](lang)
    return None


def usage_text(err: click.ClickException, lang: str) -> str:
    """click's usage error *err* in one line of *lang* (click's own words for the rare cases not listed here)."""
    t = {key: label(lang) for key, label in _TEXT.items()}
    message = err.format_message()
    if isinstance(err, click.NoSuchOption):
        text = t["no_option"].format(name=err.option_name)
        if err.possibilities:
            text += t["did_you_mean"].format(names=", ".join(sorted(err.possibilities)))
    elif isinstance(err, click.BadOptionUsage) and "requires an argument" in message:
        text = t["needs_value"].format(name=err.option_name)
    elif isinstance(err, click.MissingParameter) and err.param is not None:
        name = (err.param.get_error_hint(err.ctx) if err.ctx else err.param.name) or ""
        key = "missing_argument" if err.param.param_type_name == "argument" else "missing_option"
        text = t[key].format(name=name.replace("'", ""))
    elif isinstance(err, click.BadParameter) and err.param is not None:
        name = (err.param.get_error_hint(err.ctx) if err.ctx else err.param.name or "").replace("'", "")
        expected: str | None = _expected(err.param.type, lang)
        value = _quoted(err.message)
        if isinstance(err.param.type, click.Path) and value is not None:
            problem = "is_folder" if "is a directory" in err.message else "not_found" \
                if "does not exist" in err.message else None
            expected = t[problem].format(value=value) if problem else None
            value = value if problem is None else None
        text = t["bad_value_plain"].format(name=name, detail=expected) if expected and value is None else (t["bad_value"].format(value=repr(value), name=name, expected=expected) if expected and value is not None
                else t["bad_value_plain"].format(name=name, detail=err.message))
    elif message.startswith("No such command"):
        text = t["no_command"].format(name=_quoted(message))
    elif message.startswith("Got unexpected extra argument"):
        text = t["extra"].format(names=message.partition("(")[2].rstrip(")"))
    else:
        text = message
    ctx = getattr(err, "ctx", None)
    if ctx is not None:
        text += t["see_help"].format(command=ctx.command_path)
    return " ".join(text.split())


class MplanGroup(click.Group):
    """The ``mplan-xl`` group: every error of every command handled here, once."""

    args_given: list[str] | None = None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except MplanError as err:
            lang = ctx.meta.get(LANG_KEY) or user_lang(self.args_given)
            for i, line in enumerate(err.lines(lang)):
                echo(f"mplan-xl: {line}" if i == 0 and not line.startswith(" ") else line, err=True)
            ctx.exit(err.exit_code)
        except BrokenPipeError:  # the reader of our output went away (| head): nothing more to say
            sys.stderr.close()
            ctx.exit(EXIT_FAILED)
        except OSError as err:
            lang = ctx.meta.get(LANG_KEY) or user_lang(self.args_given)
            path = err.filename or ""
            echo("mplan-xl: " + _TEXT["write_failed"](lang).format(path=path, error=err.strerror or err),
                       err=True)
            ctx.exit(EXIT_FAILED)
        except Exception as err:  # a bug of ours: said as such, never a traceback
            lang = ctx.meta.get(LANG_KEY) or user_lang(self.args_given)
            detail = f"{type(err).__name__}: {' '.join(str(err).split())[:200]}"
            echo("mplan-xl: " + _TEXT["internal"](lang).format(error=detail), err=True)
            ctx.exit(EXIT_FAILED)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        args = list(sys.argv[1:] if args is None else args)
        self.args_given = args   # for the language of --help and of errors met before --lang is parsed
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as err:
            echo(f"mplan-xl: {usage_text(err, user_lang(args))}", err=True)
            sys.exit(err.exit_code if err.exit_code != 1 else EXIT_USAGE)
        except (click.Abort, KeyboardInterrupt, EOFError) as err:
            echo(f"mplan-xl: {_TEXT['aborted'](user_lang(args))}", err=True)
            sys.exit(EXIT_INTERRUPTED if isinstance(err, KeyboardInterrupt) else EXIT_FAILED)
        sys.exit(code if isinstance(code, int) else 0)


__all__ = ["LANG_KEY", "MplanGroup", "remember_lang", "usage_text", "user_lang"]
