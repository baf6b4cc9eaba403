"""Plans made with older templates: ``check`` reads them as they are, ``upgrade`` moves them into the current one.

The workbooks of tests/fixtures/versions were written by the code of each release (see its README). Every
expectation below is stated against :data:`mplan_xl.core.schema.TEMPLATE_VERSION`, so it holds when the template
version goes up: the current release's own file then becomes an older one.
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from mplan_xl.check import checks
from mplan_xl.core import schema, versions
from mplan_xl.check.checks import run_checks
from mplan_xl.cli import main
from mplan_xl.excel.vba_sources import current_release
from mplan_xl.year.upgrade import UpgradeRefused
from mplan_xl.read.package import PackageCopy
from mplan_xl.read.plan_reader import _match_headers, locate_plan, named_value, thresholds
from mplan_xl.read.reader import read_workbook
from mplan_xl.year.upgrade import upgrade
from mplan_xl.check.validator import check_file
from mplan_xl.core.vocabulary import Label

FIXTURES = Path(__file__).parent / "fixtures" / "versions"
EDITED = "v1.0.0-demo-fr-edited.xlsx"
#: Each fixture and the findings check gives it besides the version warning (exact codes, in order).
OWN_FINDINGS = {
    "v1.0.0-demo-fr.xlsx": [],
    "v1.0.0-demo-en.xlsx": [],
    "v1.0.0-demo-fr.xlsm": [],          # our 1.0.0 VBA is not foreign
    "v1.0.0-new-fr.xlsx": ["plan-empty"],
    EDITED: ["column-unknown", "computed-overwritten"],
    "v2.0.0-demo-fr.xlsx": [],
    "v3.0.0-demo-fr.xlsx": [],
    "v4.0.0-demo-fr.xlsx": [],
}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def version_of(path: Path) -> str:
    raw = read_workbook(path)
    try:
        return locate_plan(raw).template_version or ""
    finally:
        raw.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_fixture_of_the_readme_is_there_and_was_made_by_its_release():
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    assert set(OWN_FINDINGS) == {p.name for p in FIXTURES.glob("*.xls*")}
    for name in OWN_FINDINGS:
        assert f"`{name}`" in readme
        assert version_of(FIXTURES / name) == name.split("-")[0][1:]
    assert {r.version for r in versions.RELEASES} >= {version_of(FIXTURES / n) for n in OWN_FINDINGS}


# --- check -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(OWN_FINDINGS))
def test_check_reads_an_older_plan_as_it_is_and_says_how_to_upgrade_it(name):
    path = FIXTURES / name
    report = check_file(path, "fr")
    version = version_of(path)
    old = versions.status(version) == "older"
    assert [f.code for f in report.findings] == ["template-version-old"] * old + OWN_FINDINGS[name]
    assert report.errors == OWN_FINDINGS[name].count("computed-overwritten")
    if old:
        warning = report.findings[0]
        assert warning.severity == "warning"
        assert f"modèle {version}" in warning.message and f"le {schema.TEMPLATE_VERSION}" in warning.message
        target = path.with_name(f"{path.stem}-{schema.TEMPLATE_VERSION}{path.suffix}")
        assert warning.message.endswith(f"mplan-xl upgrade {path} -o {target}")
        assert warning.params == {"found": version, "current": schema.TEMPLATE_VERSION,
                                  "command": f"mplan-xl upgrade {path} -o {target}"}


def test_the_version_warning_in_english_too():
    path = FIXTURES / "v1.0.0-demo-en.xlsx"
    warning = check_file(path, "en").findings[0]
    assert warning.message.startswith(f"Workbook made with template 1.0.0; the current template is {schema.TEMPLATE_VERSION}.")
    assert "mplan-xl upgrade" in warning.message and "original file is not changed" in warning.hint


def test_a_header_renamed_since_is_found_under_its_old_name():
    """In 1.0.0 the Bilan N-1's "Taux de réalisation" was "Atteinte" ("Attainment"): the column is read."""
    for name, header in (("v1.0.0-demo-fr.xlsx", "Atteinte"), ("v1.0.0-demo-en.xlsx", "Attainment")):
        raw = read_workbook(FIXTURES / name)
        review = locate_plan(raw).tables["review"]
        assert review.info.columns[review.columns["achievement"] - review.info.first_col] == header
        assert review.header_problems == [] and review.missing == [] and review.unknown == []
        raw.close()
    # In a file of the current template the old header is a renamed header, as any other.
    assert versions.header_aliases(schema.TEMPLATE_VERSION) == {}


def test_a_plan_of_a_newer_major_version_stays_incompatible(tmp_path):
    newer = f"{versions.CURRENT[0] + 1}.0.0"
    path = with_version(FIXTURES / "v2.0.0-demo-fr.xlsx", tmp_path / "newer.xlsx", newer)
    report = check_file(path, "fr")
    assert [f.code for f in report.findings] == ["template-version-incompatible"]
    assert report.findings[0].params["found"] == newer
    result = run("upgrade", str(path), "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 1
    assert "mise à niveau impossible" in result.output and "[template-version-incompatible]" in result.output
    assert not (tmp_path / "out.xlsx").exists()


def with_version(source: Path, target: Path, version: str) -> Path:
    """A copy of *source* whose metadata (sheet and document properties) says template *version*."""
    copy = PackageCopy.open(source)
    found = version_of(source).encode()
    for member in ("xl/sharedStrings.xml", "docProps/custom.xml"):
        assert found in copy.parts[member]
        copy.parts[member] = copy.parts[member].replace(b">" + found + b"<", b">" + version.encode() + b"<")
    copy.write(target)
    assert version_of(target) == version
    return target


def test_what_a_later_template_added_is_not_asked_of_an_older_file(monkeypatch):
    """As after the next version adds tables and columns: a 1.0.0 file lacking them gets no finding for them,
    a file of the current template does."""
    raw = read_workbook(FIXTURES / "v1.0.0-demo-fr.xlsx")
    located = locate_plan(raw)
    del located.tables["pestel"]            # as if the table had come after 1.0.0
    record = versions.RELEASES[0]
    tables = {**record.tables, "kpis": tuple(k for k in record.tables["kpis"] if k != "status")}
    del tables["pestel"]
    monkeypatch.setattr(versions, "RELEASES", (versions.Release(record.version, record.commit, tables,
                                                                 record.worksheets, record.sheet_names, record.vba),
                                               *versions.RELEASES[1:]))
    codes = [f.code for f in run_checks(located, "en")]
    assert "table-missing" not in codes
    headers = [h for h in schema.KPIS.headers("fr") if h != "Statut"] + ["Notes de l'équipe"]
    # The reader: a column the file's version did not have is neither missing nor "renamed" into a team column.
    positions, renamed, missing, unknown = _match_headers(schema.KPIS, headers, "fr", "1.0.0")
    assert (renamed, missing, unknown) == ([], [], [(len(headers) - 1, "Notes de l'équipe")])
    positions, renamed, missing, unknown = _match_headers(schema.KPIS, headers, "fr", schema.TEMPLATE_VERSION)
    assert renamed == [(len(headers) - 1, "Notes de l'équipe", "Statut")]
    raw.close()


def test_an_older_templates_own_formula_is_not_an_altered_one(monkeypatch, tmp_path):
    """As after the next version changes a formula (the KPI status judged at the situation date): the older
    file's formula is its template's, not an alteration; one row altered in it still is."""
    original = checks.column_formula

    def changed(sheet, column, runtime, lang):
        formula = original(sheet, column, runtime, lang)
        return f'IFERROR({formula},"")' if (sheet.key, column.key) == ("kpis", "status") else formula

    monkeypatch.setattr(checks, "column_formula", changed)
    old = FIXTURES / "v1.0.0-demo-fr.xlsx"
    assert [f.code for f in check_file(old, "fr").findings] == ["template-version-old"]
    current = tmp_path / "current.xlsx"
    import mplan_xl

    mplan_xl.demo_workbook(current, lang="fr", year=2027)
    assert "formula-altered" in [f.code for f in check_file(current, "fr").findings]
    altered = tmp_path / "altered.xlsx"
    wb = openpyxl.load_workbook(old)
    wb["KPI"]["M6"] = '="OK"'
    wb.save(altered)
    findings = [f for f in check_file(altered, "fr").findings if f.code == "formula-altered"]
    assert [(f.cell, f.params["count"]) for f in findings] == [("M6", 1)]


def test_once_the_version_goes_up_a_plan_of_today_is_an_older_one(monkeypatch):
    """As after the next major version, its macros changed: the 2.0.0 plan is read by its record, with the
    version warning only, and the VBA of the 1.0.0 and 2.0.0 releases is still ours."""
    later = (versions.CURRENT[0] + 1, 0, 0)
    monkeypatch.setattr(versions, "CURRENT", later)
    monkeypatch.setattr(schema, "TEMPLATE_VERSION", ".".join(map(str, later)))
    import mplan_xl.excel.vba_sources

    changed = {name: source + "\r\nSub Later()\r\nEnd Sub\r\n" for name, source in mplan_xl.excel.vba_sources.vba_sources().items()}
    monkeypatch.setattr(mplan_xl.excel.vba_sources, "vba_sources", lambda: changed)
    for name in ("v2.0.0-demo-fr.xlsx", "v1.0.0-demo-fr.xlsm"):
        findings = check_file(FIXTURES / name, "fr").findings
        assert [f.code for f in findings] == ["template-version-old"], name
        assert findings[0].params["current"] == schema.TEMPLATE_VERSION


def test_release_records_match_the_files_of_their_release():
    """Each record says what its release's files hold: their tables, their columns (in number), their sheets;
    the record of the current version, while it is current, is the schema's."""
    for name in OWN_FINDINGS:
        if name == EDITED:
            continue
        raw = read_workbook(FIXTURES / name)
        release = next(r for r in versions.RELEASES if r.version == version_of(FIXTURES / name))
        by_name = {t.table: t.key for t in schema.TABLES}
        assert {by_name[t] for t in raw.tables} == set(release.tables), name
        for table, info in raw.tables.items():
            assert len(info.columns) == len(release.tables[by_name[table]]), (name, table)
        assert set(raw.sheet_names) <= release.sheet_names, name
        raw.close()
    for release in versions.RELEASES:
        if release.version == schema.TEMPLATE_VERSION:
            assert release == current_release(release.commit)
    from mplan_xl.workbook.builder import XLWINGS_CONF_SHEET

    assert versions.XLWINGS_CONF_SHEET == XLWINGS_CONF_SHEET


# --- upgrade ---------------------------------------------------------------------------------------------

def source_plan(path: Path):
    raw = read_workbook(path)
    located = locate_plan(raw)
    try:
        columns = {key: [c for c in t.sheet.input_columns if c.key in t.columns] for key, t in located.tables.items()}
        identity = {"company": located.company, "year": located.year, "envelope": located.envelope,
                    "currency": located.meta.get("currency"), "author": named_value(raw, schema.NAME_AUTHOR),
                    "lang": located.lang, "runtime": located.runtime, "thresholds": thresholds(raw)}
        return located.to_plan(), columns, identity, located.template_version
    finally:
        raw.close()


@pytest.mark.parametrize("name", sorted(OWN_FINDINGS))
def test_upgrade_keeps_every_value_and_the_new_file_checks_as_well(name, tmp_path):
    source = FIXTURES / name
    before = sha256(source)
    output = tmp_path / f"new{source.suffix}"
    result = run("upgrade", str(source), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert sha256(source) == before
    old_plan, columns, old_identity, old_version = source_plan(source)
    new_plan, _, new_identity, new_version = source_plan(output)
    assert new_version == schema.TEMPLATE_VERSION
    assert new_identity == {**old_identity, "runtime": "xlwings" if source.suffix == ".xlsm" else "native"}
    for key, kept in columns.items():
        assert kept, key
        old_rows = [{c.key: row[c.key] for c in kept} for row in old_plan.tables[key]]
        new_rows = [{c.key: row[c.key] for c in kept} for row in new_plan.tables[key]]
        assert new_rows == old_rows, key
    source_errors = Counter(f.code for f in check_file(source, "fr").findings if f.severity == "error")
    new_findings = check_file(output, "fr").findings
    new_errors = Counter(f.code for f in new_findings if f.severity == "error")
    assert new_errors - source_errors == Counter()
    assert "template-version-old" not in [f.code for f in new_findings]
    assert f"modèle {schema.TEMPLATE_VERSION}, repris du modèle {old_version}" in result.output
    if versions.status(old_version) == "current":
        assert "est déjà au modèle" in result.output


def test_the_edited_plan_lists_what_could_not_be_carried(tmp_path):
    output = tmp_path / "new.xlsx"
    result = run("upgrade", str(FIXTURES / EDITED), "-o", str(output))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    listed = lines[lines.index(next(x for x in lines if x.startswith("Non repris"))) + 1:]
    assert "  - Feuille « Notes équipe » (propre à l'équipe, 3 valeur(s)) : non reprise" in listed
    assert ("  - Colonne « Commentaire équipe » ajoutée au tableau tblActions (feuille « Actions », 2 valeur(s)) : "
            "non reprise") in listed
    assert "  - 1 note(s) de cellule sur la feuille « Budget » : non reprises" in listed
    assert any(x.startswith("  - « Écart » (feuille « Budget ») : 1 cellule(s)") and "(L7)" in x for x in listed)
    assert any(x.startswith("  - Mise en forme") for x in listed)
    raw = read_workbook(output)
    assert "Notes équipe" not in raw.sheet_names
    raw.close()
    # The value the team changed is carried: L002's committed amount.
    plan, *_ = source_plan(output)
    assert next(r for r in plan.tables["budget"] if r["id"] == "L002")["committed"] == 1500


def test_a_formula_typed_into_an_input_cell_is_listed(tmp_path):
    source = tmp_path / "formula.xlsx"
    wb = openpyxl.load_workbook(FIXTURES / "v1.0.0-demo-fr.xlsx")
    wb["Budget"]["I5"] = "=7400*2"
    wb.save(source)
    result = upgrade(source, tmp_path / "new.xlsx")
    assert [n.text("fr") for n in result.not_carried if n.kind == "input_formulas"] == [
        "« Prévisionnel » (feuille « Budget ») : 1 formule(s) saisie(s) dans des cellules de saisie (I5) : seul leur "
        "résultat est repris"]


def test_upgrade_in_english_and_to_another_language(tmp_path):
    source = FIXTURES / "v1.0.0-demo-fr.xlsx"
    result = run("upgrade", str(source), "-o", str(tmp_path / "en.xlsx"), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Wrote:") and "Not carried (1):" in result.output
    raw = read_workbook(tmp_path / "en.xlsx")
    assert "Objectives" in raw.sheet_names and locate_plan(raw).lang == "en"
    raw.close()
    old_plan, *_ = source_plan(source)
    new_plan, *_ = source_plan(tmp_path / "en.xlsx")
    assert new_plan.tables["actions"] == old_plan.tables["actions"]     # codes compare equal across languages


def test_thresholds_are_carried(tmp_path):
    source = tmp_path / "thresholds.xlsx"
    wb = openpyxl.load_workbook(FIXTURES / "v1.0.0-demo-fr.xlsx")
    wb[schema.CONFIG_SHEET]["C2"] = 0.8
    wb.save(source)
    raw = read_workbook(source)
    assert thresholds(raw)["on_track"] == 0.8
    raw.close()
    result = upgrade(source, tmp_path / "new.xlsx")
    raw = read_workbook(result.output)
    assert thresholds(raw) == {"on_track": 0.8, "at_risk": 0.7}
    raw.close()
    assert result.output_report.findings == [] and result.new_errors == []


def test_upgrade_usage_errors_and_unreadable_files(tmp_path):
    source = FIXTURES / "v1.0.0-demo-fr.xlsx"
    copy = tmp_path / "plan.xlsx"
    shutil.copy(source, copy)
    same = run("upgrade", str(copy), "-o", str(copy))
    assert same.exit_code == 2 and "est aussi un fichier lu" in same.output
    assert run("upgrade", str(copy)).exit_code == 2
    exists = tmp_path / "exists.xlsx"
    exists.write_bytes(b"precious")
    refused = run("upgrade", str(copy), "-o", str(exists))
    assert refused.exit_code == 2 and "--force" in refused.output and exists.read_bytes() == b"precious"
    assert run("upgrade", str(copy), "-o", str(tmp_path / "plan.ods")).exit_code == 2
    missing = run("upgrade", str(tmp_path / "absent.xlsx"), "-o", str(tmp_path / "out.xlsx"))
    assert missing.exit_code == 1
    assert missing.output.splitlines()[0] == f"mplan-xl: {tmp_path / 'absent.xlsx'} : mise à niveau impossible, " \
                                             "1 constat(s) bloquant(s) : file-missing"
    text = tmp_path / "notes.xlsx"
    text.write_text("pas un classeur", encoding="utf-8")
    broken = run("upgrade", str(text), "-o", str(tmp_path / "out.xlsx"))
    assert broken.exit_code == 1 and "[not-a-workbook]" in broken.output and str(text) in broken.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists.xlsx", "notes.xlsx", "plan.xlsx"]
    assert sha256(copy) == sha256(source)


def test_upgrade_refuses_a_plan_whose_structure_is_broken(tmp_path):
    source = tmp_path / "broken.xlsx"
    wb = openpyxl.load_workbook(FIXTURES / "v1.0.0-demo-fr.xlsx")
    wb["Actions"]["F4"] = "Qui"       # the "Responsable" header renamed: its column can no longer be located
    wb["Actions"].tables["tblActions"].tableColumns[5].name = "Qui"
    wb.save(source)
    with pytest.raises(UpgradeRefused) as refused:
        upgrade(source, tmp_path / "new.xlsx")
    assert [f.code for f in refused.value.blocking] == ["header-mismatch"]
    assert not (tmp_path / "new.xlsx").exists()


def test_upgrade_help_is_french_by_default():
    result = run("upgrade", "--help")
    assert result.exit_code == 0
    assert "Passe OLD, un plan fait avec un ancien modèle, au modèle actuel" in result.output
    assert "Le classeur à écrire au modèle actuel" in result.output and "Utilisation :" in result.output
    assert "-o, --output NEW" in result.output
    assert isinstance(versions.RENAMES[0].header, Label)


def test_a_4_0_0_plan_is_carried_into_the_results_columns_blank(tmp_path):
    """Template 4.1.0 added the results (campaign code, achieved gain, actual spend, achieved ROI, the Résultats
    mensuels table, the KPIs' source metric): a 4.0.0 plan is read without them (nothing asked of it) and upgrade
    carries it into them blank, its achieved ROI blank, never 0 % or −100 %; its actual spend is its budget
    lines' actuals."""
    source = FIXTURES / "v4.0.0-demo-fr.xlsx"
    assert versions.release_of("4.0.0") is not None
    assert "achieved_gain" not in versions.expected_columns("4.0.0", "actions")
    assert "source" not in versions.expected_columns("4.0.0", "kpis")
    assert [f.code for f in check_file(source, "fr").findings] == ["template-version-old"]
    output = tmp_path / "new.xlsx"
    assert run("upgrade", str(source), "-o", str(output)).exit_code == 0
    raw = read_workbook(output)
    try:
        located = locate_plan(raw)
        actions = located.tables["actions"].rows
        budget = located.tables["budget"].rows
        assert "action_results" in located.tables and located.tables["action_results"].rows == []
        assert all(k.values.get("source") in (None, "") for k in located.tables["kpis"].rows)
    finally:
        raw.close()
    assert len(actions) == 22
    for row in actions:
        assert row.values["campaign"] in (None, "") and row.values["achieved_gain"] in (None, "")
        assert row.values["roi_achieved"] == ""
        spend = sum(b.values["actual"] for b in budget if b.values["action_id"] == row.values["id"]
                    and isinstance(b.values["actual"], (int, float)))
        assert row.values["actual_spend"] == pytest.approx(spend)
    assert check_file(output, "fr").status == "valid"
