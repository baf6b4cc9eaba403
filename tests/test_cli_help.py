"""``mplan-xl`` alone prints a short usage with three examples; every ``--help`` ends with examples that run."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from mplan_xl.cli import main
from mplan_xl.cli.cli_help import EXAMPLES, SHORT_EXAMPLES, examples

from doc_commands import invocations, run_example, workspace

FRENCH = {"LANG": "fr_FR.UTF-8", "MPLAN_LANG": ""}
ENGLISH = {"LANG": "en_GB.UTF-8", "MPLAN_LANG": ""}


def test_mplan_xl_alone_prints_the_short_french_usage_with_three_examples():
    result = CliRunner().invoke(main, [], env=FRENCH)
    lines = result.output.splitlines()
    assert result.exit_code == 2
    assert lines[0] == "Utilisation : mplan-xl COMMANDE [OPTIONS] [ARGUMENTS]..."
    assert [line.strip() for line in lines if line.startswith("  mplan-xl ")] == list(SHORT_EXAMPLES)
    assert len(SHORT_EXAMPLES) == 3 and "Exemples :" in lines
    assert "mplan-xl COMMANDE --help" in result.output and "Options" not in result.output


def test_mplan_xl_alone_in_english():
    result = CliRunner().invoke(main, [], env=ENGLISH)
    assert result.exit_code == 2 and result.output.startswith("Usage: mplan-xl COMMAND") and "Examples:" in result.output
    assert "  mplan-xl check returned/" in result.output.splitlines()


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_help_ends_with_its_examples_in_french_and_in_english(name):
    assert EXAMPLES.get(name), name
    for env, args, lang in ((FRENCH, [], "fr"), (ENGLISH, [], "en"), (FRENCH, ["--lang", "en"], "en")):
        page = CliRunner().invoke(main, [name, "--help", *args], env=env).output
        tail = page.rstrip().splitlines()[-len(EXAMPLES[name]) - 1:]
        heading = "Exemples :" if lang == "fr" else "Examples:"
        assert tail == [heading, *(f"  {line}" for line in examples(name, lang))], page
    assert "retours/" not in " ".join(examples(name, "en"))


def test_defaults_are_shown_as_their_value():
    page = " ".join(CliRunner().invoke(main, ["new", "--help"], env=FRENCH).output.split())
    assert "[défaut : fr]" in page and "(fr)" not in page and "[défaut : EUR]" in page
    english = " ".join(CliRunner().invoke(main, ["new", "--help"], env=ENGLISH).output.split())
    assert "[default: fr]" in english and "(fr)" not in english
    check = " ".join(CliRunner().invoke(main, ["check", "--help"], env=FRENCH).output.split())
    assert "[défaut : 30; x>=1]" in check and "30.0" not in check


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return workspace(tmp_path_factory.mktemp("inputs") / "w")


@pytest.mark.parametrize("line", sorted({line for name in EXAMPLES for lang in ("fr", "en") for line in examples(name, lang)}))
def test_every_help_example_runs(line, inputs, tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(inputs, folder)
    (words,) = invocations(line)
    command = main.commands[words[1]]
    names = {opt for param in command.params for opt in getattr(param, "opts", ())}
    assert all(word in names for word in words if word.startswith("-")), line
    code, output = run_example(line, folder)
    assert code in (0, 1) and "erreur interne" not in output, (line, code, output)
