"""Generated docs are what the declarations say today."""

from __future__ import annotations

from pathlib import Path

import pytest

from mplan_xl.workbook.docgen import GENERATED

DOCS_DIR = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_doc_is_up_to_date(name):
    assert (DOCS_DIR / name).read_text(encoding="utf-8") == GENERATED[name](), \
        f"docs/{name} drifted; regenerate with: python -m mplan_xl.workbook.docgen"


def test_rules_doc_lists_every_rule_code():
    from mplan_xl.core.rules import RULES

    text = (DOCS_DIR / "rules.md").read_text(encoding="utf-8")
    assert all(f"`{code}`" in text for code in RULES)


# The front door: the README and the pages of docs/ it links, their commands checked against the CLI and run.

ROOT = DOCS_DIR.parent
README = ROOT / "README.md"
PAGES = ("docs/guide-equipe-marketing.md", "docs/guide-controleur.md", "docs/reference.md", "docs/architecture.md",
         "docs/benchmarks.md", "CHANGELOG.md")
WRITTEN = [README, ROOT / "CHANGELOG.md", *sorted(DOCS_DIR.glob("*.md"))]   # written and generated pages


def test_the_readme_is_at_most_1500_words():
    assert len(README.read_text(encoding="utf-8").split()) <= 1500


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_linked_from_the_readme(page):
    assert f"]({page})" in README.read_text(encoding="utf-8")


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    import re

    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("page", WRITTEN, ids=lambda p: p.name)
def test_every_relative_link_and_anchor_resolves(page):
    import re

    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), (page.name, target)
        if anchor and linked.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.M)
            assert anchor in {_slug(h) for h in headings}, (page.name, target)


def _commands_in(page: Path) -> list[str]:
    """Every ``mplan-xl ...`` line of *page*'s code blocks (any language) and inline code spans."""
    import re

    text = page.read_text(encoding="utf-8")
    lines = [line.strip().removeprefix("$ ") for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, re.S | re.M)
             for line in block.replace("\\\n", " ").splitlines()]
    spans = re.findall(r"`(mplan-xl [^`]+)`", re.sub(r"^```.*?^```", "", text, flags=re.S | re.M))
    return [line for line in lines + spans if "mplan-xl " in line and not line.startswith("#")]


@pytest.mark.parametrize("page", WRITTEN, ids=lambda p: p.name)
def test_every_command_and_option_the_docs_name_exists(page):
    """A command or an option renamed or removed in the CLI fails here until the README and the docs follow."""
    import re

    from mplan_xl.cli import main

    for line in _commands_in(page):
        for part in re.split(r"&&|\|\||;|\|(?=\s*mplan-xl)", line):
            part = part.split(" #")[0]
            words = part.split()
            if "mplan-xl" not in words or words.index("mplan-xl") + 1 >= len(words):
                continue
            rest = words[words.index("mplan-xl") + 1:]
            if rest[0].startswith("-"):
                assert set(rest) <= {"--help", "-h", "--version"}, (page.name, line)
                continue
            if not re.fullmatch(r"[a-z]+", rest[0]):   # mplan-xl COMMANDE --help, mplan-xl 1.0.0
                continue
            assert rest[0] in main.commands, (page.name, line)
            command = main.commands[rest[0]]
            known = {opt for param in command.params for opt in getattr(param, "opts", ())} | {"-h", "--help"}
            named = re.findall(r"(?:^|[\s\[/(|])(--?[a-z][a-z0-9-]*)", " ".join(rest[1:]))
            assert set(named) <= known, (page.name, line, set(named) - known)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    from doc_commands import workspace

    return workspace(tmp_path_factory.mktemp("docs") / "w")


@pytest.mark.parametrize("page", WRITTEN, ids=lambda p: p.name)
def test_every_command_example_runs_with_its_documented_exit_code(page, inputs, tmp_path):
    """The ```bash / ```console lines that start with mplan-xl, run in order in a folder holding the files they
    name; each ends with the exit code its ``# exit N`` comment gives (0 without one)."""
    import shutil

    from doc_commands import command_blocks, run_example

    folder = tmp_path / "w"
    shutil.copytree(inputs, folder)
    for example in command_blocks(page):
        code, output = run_example(example.line, folder)
        assert code == (example.expected or 0), (example.page, example.line, output)
        assert "erreur interne" not in output and "internal error" not in output


def test_the_quick_start_installs_in_a_virtual_environment_on_the_python_pyproject_requires():
    import re
    import tomllib

    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- quick-start")[1].split("```bash\n")[1].split("```")[0]
    assert block.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install . && mplan-xl ")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert requires == ">=3.11" and re.search(r"Python 3\.11 ou plus récent", text) and "Python 3.11 or later" in text


def test_the_reference_lists_every_option_of_every_command():
    """The reference's table of options is the command line's, both ways: an option added, renamed or removed in the
    CLI fails here until docs/reference.md follows."""
    import re

    from mplan_xl.cli import main

    text = (DOCS_DIR / "reference.md").read_text(encoding="utf-8")
    documented = {m.group(1): set(re.findall(r"`([^`]+)`", m.group(2)))
                  for m in re.finditer(r"^\| `([a-z]+)` \| [^|]* \| (.+) \|$", text, re.M)}
    actual = {name: {"/".join(sorted(p.opts, key=len)) for p in command.params
                     if p.param_type_name == "option" and not getattr(p, "hidden", False)} | {"-h/--help"}
              for name, command in main.commands.items()}
    assert documented == actual


def test_the_docs_pictures_name_a_stable_folder_and_day(tmp_path):
    """The pictures of the printed pages (``python -m mplan_xl.portfolio.pictures``) change only when the pages
    do: the check report names the folder ``retours-2027/`` and the day of the pictures, the portfolio that day
    and its plans loaded that morning, never the temporary folder they were written in nor today's date."""
    import datetime as dt
    import zipfile

    import openpyxl

    from mplan_xl.core.rules import shown_date
    from mplan_xl.portfolio.pictures import DOCS_DATE, FOLDER, LOADED_AT, docs_workbooks

    _, portfolio, report = docs_workbooks(tmp_path / "work")
    today = dt.date.today()
    for path in (portfolio, report):
        with zipfile.ZipFile(path) as z:
            text = " ".join(z.read(n).decode("utf-8") for n in z.namelist()
                            if n.startswith("xl/") and n.endswith(".xml"))
        assert str(tmp_path) not in text and "mplan-printed" not in text, path.name
        assert today.isoformat() not in text and shown_date(today, "fr") not in text, path.name
    files = openpyxl.load_workbook(report).worksheets[0]
    assert files["A2"].value == f"Contrôlé le {shown_date(DOCS_DATE, 'fr')}, dossier {FOLDER}/"
    assert f"{FOLDER}/" in files.oddFooter.left.text
    overview = openpyxl.load_workbook(portfolio).worksheets[0]
    values = [c.value for row in overview.iter_rows() for c in row]
    assert LOADED_AT in values and any(DOCS_DATE.isoformat() in str(v) for v in values)
