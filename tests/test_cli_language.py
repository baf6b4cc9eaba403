"""The command line speaks French by default: usage errors on one line, numbers with a decimal comma,
dates dd/mm/yyyy, consistent outputs, a text report that fits 80 columns."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

import mplan_xl
from mplan_xl.cli import main


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env or {"LANG": "fr_FR.UTF-8", "MPLAN_LANG": ""})


@pytest.mark.parametrize("args, french", [
    (("check", "--lang", "de", "x.xlsx"), "valeur 'de' refusée pour --lang : attendu l'une de fr, en"),
    (("check", "--bogus", "x.xlsx"), "option inconnue : --bogus"),
    (("consolidate", "x.xlsx"), "option obligatoire manquante : --db"),
    (("check",), "argument manquant : PATHS"),
    (("nope",), "commande inconnue : nope"),
    (("new", "--envelope", "abc", "x.xlsx"), "valeur 'abc' refusée pour --envelope"),
])
def test_usage_errors_are_one_french_line_with_exit_2(args, french):
    result = run(*args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and french in lines[0] and "Error" not in lines[0], result.output


def test_usage_errors_in_english_with_an_english_lang():
    result = run("check", "--lang", "de", "x.xlsx", env={"LANG": "en_US.UTF-8", "MPLAN_LANG": ""})
    assert result.exit_code == 2 and "invalid value 'de' for --lang: expected one of fr, en" in result.output


def test_the_envelope_takes_a_decimal_comma(tmp_path):
    out = tmp_path / "plan.xlsx"
    assert run("new", str(out), "--envelope", "60000,50", "--year", "2027").exit_code == 0
    from mplan_xl.read.plan_reader import locate_plan
    from mplan_xl.read.reader import read_workbook

    assert locate_plan(read_workbook(out)).envelope == 60000.5


@pytest.fixture(scope="module")
def flawed(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "errors.xlsx"
    mplan_xl.demo_workbook(path, with_errors=True, lang="fr", runtime="native")
    return path


def test_french_messages_write_dates_day_first(flawed):
    result = run("check", str(flawed))
    assert re.search(r"\b\d\d/\d\d/20\d\d\b", result.output) and not re.search(r"\b20\d\d-\d\d-\d\d\b", result.output)


def test_the_text_report_fits_80_columns_grouped_by_sheet(flawed):
    result = CliRunner().invoke(main, ["check", str(flawed)], env={"COLUMNS": "80"})
    lines = result.output.splitlines()
    assert max(map(len, lines)) <= 80
    sheets = [line.strip() for line in lines if line.startswith("  Feuille ")]
    assert len(sheets) == len(set(sheets)) >= 2           # each sheet once: findings grouped by sheet
    assert any(line.strip().startswith("Conseil : ") for line in lines)
    assert any(line.strip().startswith("ID ligne : ") for line in lines)


def test_outputs_follow_one_force_rule_and_their_extension_sets_the_format(flawed, tmp_path):
    report = tmp_path / "report.json"
    assert run("check", str(flawed), "-o", str(report)).exit_code == 1
    assert json.loads(report.read_text(encoding="utf-8"))["format_version"] == "1.5"
    again = run("check", str(flawed), "-o", str(report))
    assert again.exit_code == 2 and "--force" in again.output
    assert run("check", str(flawed), "-o", str(report), "--force").exit_code == 1
    junit = tmp_path / "ci.xml"
    run("check", str(flawed), "-o", str(junit))
    assert junit.read_text(encoding="utf-8").startswith("<?xml")


def test_consolidate_writes_its_portfolio_with_o_and_keeps_out_as_an_alias(flawed, tmp_path):
    plan = tmp_path / "plan.xlsx"
    mplan_xl.demo_workbook(plan, lang="fr", runtime="native")
    for option, name in (("-o", "a.xlsx"), ("--out", "b.xlsx")):
        result = run("consolidate", str(plan), "--db", str(tmp_path / "p.duckdb"), option, str(tmp_path / name))
        assert result.exit_code == 0 and (tmp_path / name).is_file(), result.output
    assert "--out " not in run("consolidate", "--help").output


def test_json_findings_keep_their_parameters(flawed):
    document = json.loads(run("check", str(flawed), "--format", "json").output)
    findings = [f for file in document["files"] for f in file["findings"]]
    unresolved = next(f for f in findings if f["code"] == "reference-unresolved")
    assert unresolved["params"]["value"] in unresolved["message"] and unresolved["params"]["target"]


def test_every_help_text_has_its_french_and_help_is_french_by_default():
    from mplan_xl.cli.cli_help import FRENCH, FRENCH_COMMANDS

    assert set(FRENCH_COMMANDS) == {"", *main.commands}
    for command in main.commands.values():
        for param in command.params:
            if getattr(param, "help", None):
                assert " ".join(param.help.split()) in FRENCH, (command.name, param.help)
    page = run("check", "--help").output
    assert page.startswith("Utilisation :") and "Contrôle les classeurs rendus" in page and "Options :" in page
    assert "Durée maximale par fichier" in page and "Time limit" not in page
    english = run("check", "--help", "--lang", "en").output
    assert english.startswith("Usage:") and "Time limit per file" in english
    assert run("--help", env={"LANG": "en_GB.UTF-8", "MPLAN_LANG": ""}).output.startswith("Usage:")
    assert "Commandes :" in run("--help").output
