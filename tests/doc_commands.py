"""The command examples of the README, the docs and ``--help``, run as a user runs them.

:func:`workspace` writes into a folder the files the examples name (a plan of 2027, its accounts export, a folder
of returned plans (``retours/``, ``returned/``), a plan of an older template, two versions of a plan); :func:`run_example` runs one example line
there through the real command line and gives its exit code and output. :func:`command_blocks` finds the examples
in a Markdown page: the lines starting with ``mplan-xl`` of its ```bash / ```console blocks.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from mplan_xl.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "versions"


@dataclass(frozen=True)
class Example:
    page: str
    line: str
    expected: int | None   # the exit code the page documents (``# exit 1``), else None: 0 expected


def workspace(folder: Path) -> Path:
    """Write into *folder* every input the examples name; the folder."""
    folder.mkdir(parents=True, exist_ok=True)

    def cli(*args: str) -> None:
        result = CliRunner().invoke(main, list(args), env={"MPLAN_LANG": "fr"})
        assert result.exit_code == 0, (args, result.output)

    cli("demo", str(folder / "plan-2027.xlsx"), "--year", "2027", "--fec", str(folder / "fec-2027.txt"))
    (folder / "retours").mkdir()
    shutil.copy(folder / "plan-2027.xlsx", folder / "retours" / "plan-atelier.xlsx")
    cli("demo", str(folder / "retours" / "plan-bistrot.xlsx"), "--year", "2027", "--company", "Bistrot Lune")
    shutil.copytree(folder / "retours", folder / "returned")
    shutil.copy(FIXTURES / "v2.0.0-demo-fr.xlsx", folder / "ancien-plan.xlsx")
    shutil.copy(FIXTURES / "v2.0.0-demo-fr.xlsx", folder / "old-plan.xlsx")
    shutil.copy(folder / "plan-2027.xlsx", folder / "plan-v1.xlsx")
    shutil.copy(folder / "plan-2027.xlsx", folder / "approuve.xlsx")    # the version approved in January
    shutil.copy(folder / "plan-2027.xlsx", folder / "approved.xlsx")
    cli("demo", str(folder / "plan-v2.xlsx"), "--year", "2027", "--with-errors")
    # The exports of a month, as the results examples name them (tests/fixtures/exports/README.md).
    exports = FIXTURES.parent / "exports"
    for name, fixture in (("ga4-mars.csv", "ga4-acquisition-trafic-fr.csv"),
                          ("google-ads-mars.csv", "google-ads-campagnes-fr.csv"), ("meta-mars.csv", "meta-ads-fr.csv"),
                          ("linkedin-mars.csv", "linkedin-campagnes-fr.csv"), ("commandes-mars.csv", "shopify-commandes.csv"),
                          ("crm-maison.csv", "crm-maison.csv"), ("resultats.toml", "regles-crm.toml")):
        shutil.copy(exports / fixture, folder / name)
    # the ECB's reference rates as downloaded (eurofxref.csv), and a consolidation database to export
    (folder / "eurofxref.csv").write_text("Date, USD, JPY, CHF, GBP, \n25 November 2024, 1.0495, 160.2, 0.9300, "
                                          "0.8350, \n", encoding="utf-8")
    CliRunner().invoke(main, ["consolidate", str(folder / "retours"), "--db", str(folder / "plans.duckdb")])
    return folder


def run_example(line: str, cwd: Path) -> tuple[int, str]:
    """Run the example *line* in *cwd* as a shell would (``mplan-xl a && mplan-xl b``: b only when a exits 0);
    the exit code and output of the last command run."""
    before = Path.cwd()
    os.chdir(cwd)
    try:
        for words in invocations(line):
            result = CliRunner().invoke(main, words[1:], env={"MPLAN_LANG": ""})
            if result.exit_code != 0:
                break
    finally:
        os.chdir(before)
    return result.exit_code, result.output


_BLOCK = re.compile(r"^```(?:bash|console)\n(.*?)^```", re.S | re.M)
_EXIT = re.compile(r"#\s*exit\s+(\d+)")


def command_blocks(page: Path) -> list[Example]:
    """The ``mplan-xl`` lines of *page*'s ```bash / ```console blocks (a ``$ `` prompt removed), continuation lines
    joined, each with the exit code its comment documents (``# exit 1``)."""
    examples = []
    text = page.read_text(encoding="utf-8")
    for block in _BLOCK.findall(text):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("mplan-xl"):
                code = _EXIT.search(line)
                examples.append(Example(str(page.relative_to(ROOT)), line, int(code.group(1)) if code else None))
    return examples


def invocations(line: str) -> list[list[str]]:
    """The ``mplan-xl`` commands of a shell line (``a && mplan-xl b``), each as its words."""
    found = []
    for part in re.split(r"&&|\|\||;|\|", line):
        words = shlex.split(part, comments=True)
        if words and words[0] == "mplan-xl":
            found.append(words)
    return found
