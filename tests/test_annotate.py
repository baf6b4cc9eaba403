"""mplan-xl check --annotate: the findings as notes inside a copy of each team's file.

The copies are compared with the originals member by member (zipfile) and
read back by openpyxl and by LibreOffice, neither of which wrote them.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment

import mplan_xl
from mplan_xl.core import schema
from mplan_xl.excel import libreoffice
from mplan_xl.cli import main
from mplan_xl.check.validator import check_file

from conftest import needs_libreoffice


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def findings(path, lang) -> list[dict]:
    return [f.to_dict() for f in check_file(path, lang).findings]


def copy_findings(path, lang) -> list[dict]:
    """The findings of an annotated copy's content (check itself skips an unchanged copy of ours)."""
    from mplan_xl.check.checks import check_plan
    from mplan_xl.read.plan_reader import locate_plan
    from mplan_xl.read.reader import read_workbook

    return [f.to_dict() for f in check_plan(locate_plan(read_workbook(path)), lang).findings]


def notes(path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.comment.text for ws in wb for row in ws.iter_rows() for c in row if c.comment}


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> Path:
    """Returned files: the demo with its seeded errors (fr .xlsx, en .xlsm), a valid plan, a broken file."""
    root = tmp_path_factory.mktemp("returned")
    mplan_xl.demo_workbook(root / "errors-fr.xlsx", lang="fr", with_errors=True)
    mplan_xl.demo_workbook(root / "errors-en.xlsm", lang="en", with_errors=True)
    mplan_xl.demo_workbook(root / "valid.xlsx", lang="fr")
    (root / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    return root


@pytest.fixture(scope="module")
def annotated(returned, tmp_path_factory) -> tuple[Path, dict[str, str], object]:
    before = {p.name: sha(p) for p in returned.iterdir()}
    out = tmp_path_factory.mktemp("corrections")
    result = CliRunner().invoke(main, ["check", str(returned), "--annotate", str(out), "--jobs", "2"])
    return out, before, result


def test_copies_of_files_with_findings_only_and_originals_untouched(returned, annotated):
    out, before, result = annotated
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["errors-en.xlsm", "errors-fr.xlsx"]
    assert "broken.xlsx" in result.stderr and "Copies annotées : 2" in result.stderr
    assert {p.name: sha(p) for p in returned.iterdir()} == before


@pytest.mark.parametrize("name", ["errors-fr.xlsx", "errors-en.xlsm"])
def test_every_other_part_is_byte_identical(returned, annotated, name):
    out, _, _ = annotated
    old, new = members(returned / name), members(out / name)
    sheets_with_notes = {f["sheet"] for f in findings(returned / name, "fr") if f["cell"]}
    assert set(old) <= set(new)
    changed = {m for m in old if old[m] != new[m]}
    added = set(new) - set(old)
    # the sheets that carry notes, their relationships, the content types, the styles (two highlight formats) and
    # the custom properties (the mark of an annotated copy, one property inserted)
    assert changed - {"[Content_Types].xml", "xl/styles.xml", "docProps/custom.xml"} == {
        m for m in changed if m.startswith("xl/worksheets/")}
    rest = iter(new["docProps/custom.xml"])
    assert all(byte in rest for byte in old["docProps/custom.xml"])
    assert len([m for m in changed if m.endswith(".xml") and "/_rels/" not in m and "worksheets" in m]) \
        == len(sheets_with_notes)
    assert all(m.startswith(("xl/comments", "xl/drawings/vmlDrawing")) for m in added)
    assert len(added) == 2 * len(sheets_with_notes)
    if name.endswith(".xlsm"):
        assert new["xl/vbaProject.bin"] == old["xl/vbaProject.bin"]
    with zipfile.ZipFile(out / name) as z:
        assert z.testzip() is None
    # only insertions in a changed sheet: the original bytes are all there, in order
    for member in changed:
        if member.startswith("xl/worksheets/sheet"):
            rest = iter(new[member])
            assert all(byte in rest for byte in old[member])


@pytest.mark.parametrize("name, lang", [("errors-fr.xlsx", "fr"), ("errors-en.xlsm", "en")])
def test_each_finding_is_a_note_at_its_cell_in_the_workbooks_language(returned, annotated, name, lang):
    out, _, _ = annotated
    found = findings(returned / name, lang)
    placed = notes(out / name)
    for f in found:
        text = placed[(f["sheet"], f["cell"])]
        assert f"[{f['code']}]" in text and f["message"] in text and f["hint"] in text
    assert ("Conseil : " if lang == "fr" else "Hint: ") in next(iter(placed.values()))
    wb = openpyxl.load_workbook(out / name)
    highlighted = {(ws.title, str(cf.sqref)) for ws in wb for cf in ws.conditional_formatting}
    for f in found:
        assert any(sheet == f["sheet"] and f["cell"] in ranges.split() for sheet, ranges in highlighted)


@pytest.mark.parametrize("name, lang", [("errors-fr.xlsx", "fr"), ("errors-en.xlsm", "en")])
def test_check_on_the_copy_gives_the_same_findings(returned, annotated, name, lang):
    out, _, _ = annotated
    assert copy_findings(out / name, lang) == findings(returned / name, lang)


def test_team_notes_are_kept_and_merged(tmp_path):
    """A file whose team wrote notes with another tool (openpyxl): theirs stay, ours join, one per cell."""
    source = tmp_path / "team.xlsx"
    mplan_xl.demo_workbook(source, lang="fr", with_errors=True)
    wb = openpyxl.load_workbook(source)
    wb["Actions"]["E10"].comment = Comment("Demander à Paul", "Équipe")
    wb["Actions"]["C5"].comment = Comment("Action phare", "Équipe")
    wb.save(source)
    expected = findings(source, "fr")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(source), "--annotate", str(out)])
    assert result.exit_code == 1, result.output
    placed = notes(out / "team.xlsx")
    assert placed[("Actions", "C5")] == "Action phare"
    assert placed[("Actions", "E10")].startswith("Demander à Paul") and "[choice-invalid]" in placed[("Actions", "E10")]
    assert copy_findings(out / "team.xlsx", "fr") == expected


def test_findings_without_a_cell_go_on_the_guide(tmp_path):
    source = tmp_path / "no-kpi.xlsx"
    mplan_xl.demo_workbook(source, lang="en")
    wb = openpyxl.load_workbook(source)
    del wb[schema.worksheet_name("kpis", "en")]
    wb.save(source)
    expected = findings(source, "en")
    assert any(f["cell"] is None for f in expected)
    out = tmp_path / "out"
    CliRunner().invoke(main, ["check", str(source), "--annotate", str(out), "--lang", "fr"])
    guide = notes(out / "no-kpi.xlsx")[("Guide", "A1")]
    assert "[sheet-missing]" in guide and "Hint: " in guide      # an English workbook gets English notes


def test_annotate_refuses_to_overwrite_the_original(returned):
    result = CliRunner().invoke(main, ["check", str(returned / "errors-fr.xlsx"), "--annotate", str(returned)])
    assert result.exit_code == 2 and "original" in result.stderr


@needs_libreoffice
def test_libreoffice_opens_the_copy_with_its_notes(returned, annotated, tmp_path):
    out, _, _ = annotated
    converted = libreoffice.convert([out / "errors-fr.xlsx"], "xlsx", tmp_path)[0]
    wanted = {(f["sheet"], f["cell"]) for f in findings(returned / "errors-fr.xlsx", "fr")}
    assert set(notes(converted)) == wanted


@needs_libreoffice
def test_team_notes_saved_by_libreoffice_are_merged(tmp_path):
    """The team's notes as LibreOffice writes them (its own notes part and VML drawing)."""
    source = tmp_path / "team.xlsx"
    mplan_xl.demo_workbook(source, lang="fr", with_errors=True)
    wb = openpyxl.load_workbook(source)
    wb["Actions"]["E10"].comment = Comment("Demander à Paul", "Équipe")
    wb["Actions"]["C5"].comment = Comment("Action phare", "Équipe")
    wb.save(source)
    saved = libreoffice.convert([source], "xlsx", tmp_path / "lo")[0]
    expected = findings(saved, "fr")
    out = tmp_path / "out"
    CliRunner().invoke(main, ["check", str(saved), "--annotate", str(out)])
    placed = notes(out / "team.xlsx")
    assert placed[("Actions", "C5")] == "Action phare"
    assert placed[("Actions", "E10")].startswith("Demander à Paul") and "[choice-invalid]" in placed[("Actions", "E10")]
    assert {(f["sheet"], f["cell"]) for f in expected} <= set(placed)
    assert copy_findings(out / "team.xlsx", "fr") == expected
