"""mplan-xl diff: what changed between two versions of a plan."""

from __future__ import annotations

import copy
import json

import openpyxl
import pytest
from click.testing import CliRunner

import mplan_xl
from mplan_xl.core import schema
from mplan_xl.cli import main
from mplan_xl.workbook.demo import demo_plan
from mplan_xl.year.diff import TEMPLATE_FORMULA, Version, diff, diff_versions, plan_totals, read_version
from mplan_xl.check.validator import check_file

YEAR = 2027


def run(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict:
    """One plan in French and in English, as .xlsx and .xlsm, and a second version with known changes."""
    root = tmp_path_factory.mktemp("diff")
    plan = demo_plan(lang="fr", year=YEAR)
    out = {
        "fr": mplan_xl.build_workbook(plan, root / "plan-fr.xlsx", lang="fr", runtime="native", template=False),
        "en": mplan_xl.build_workbook(plan, root / "plan-en.xlsx", lang="en", runtime="native", template=False),
        "en-xlsm": mplan_xl.build_workbook(plan, root / "plan-en.xlsm", lang="en", runtime="xlwings", template=False),
    }
    changed = copy.deepcopy(plan)
    line = changed.rows("budget")[0]
    line["planned"] += 1000                                   # a budget line re-priced
    removed = changed.tables["actions"].pop()                 # an action dropped with its lines
    changed.tables["budget"] = [b for b in changed.rows("budget") if b["action_id"] != removed["id"]]
    changed.rows("actions")[1]["channel"] = "events"          # a dropdown changed (code)
    changed.identity.envelope = (plan.identity.envelope or 0) + 5000
    out["changed"] = mplan_xl.build_workbook(changed, root / "plan-v2.xlsx", lang="en", runtime="native",
                                             template=False)
    out["plan"], out["changed_plan"], out["removed"], out["line"] = plan, changed, removed, line
    out["root"] = root
    return out


def test_the_same_plan_in_two_languages_and_runtimes_is_the_same(versions):
    code, text, _ = run(versions["fr"], versions["en"])
    assert code == 0 and "Aucune différence" in text
    result = diff(versions["fr"], versions["en-xlsm"], lang="en")
    assert not result.rows and not result.results and not result.totals
    assert result.identity == {"runtime": {"old": "native", "new": "xlwings"}}
    assert result.structure["macros"] == "added" and "formulas" not in result.structure


def test_rows_results_totals_and_identity_by_id(versions):
    code, text, _ = run(versions["fr"], versions["changed"], "--format", "json")
    assert code == 1
    data = json.loads(text)
    plan, removed, line = versions["plan"], versions["removed"], versions["line"]
    assert data["rows"]["actions"]["removed"] == [removed["id"]]
    second = plan.rows("actions")[1]["id"]
    assert data["rows"]["actions"]["changed"] == [
        {"id": second, "changes": [{"column": "channel", "old": plan.rows("actions")[1]["channel"], "new": "events"}]}]
    budget = data["rows"]["budget_lines"]
    assert {"id": line["id"], "changes": [{"column": "planned", "old": line["planned"] - 1000,
                                           "new": line["planned"]}]} in budget["changed"]
    assert set(budget["removed"]) == {b["id"] for b in plan.rows("budget") if b["action_id"] == removed["id"]}
    moved = {(r["table"], r["id"], r["column"]) for r in data["results"]}
    assert ("actions", line["action_id"], "budget") in moved and ("budget_lines", line["id"], "variance") in moved
    old_planned = sum(b["planned"] for b in plan.rows("budget"))
    new_planned = sum(b["planned"] for b in versions["changed_plan"].rows("budget"))
    assert data["totals"]["planned"] == {"old": old_planned, "new": new_planned}
    assert data["identity"]["envelope"]["new"] - data["identity"]["envelope"]["old"] == 5000


def test_text_report_in_french_and_english(versions):
    _, fr, _ = run(versions["fr"], versions["changed"])
    _, en, _ = run(versions["fr"], versions["changed"], "--lang", "en")
    assert "Lignes" in fr and "Canal / outil" in fr and "Événements / salons" in fr and "différence(s)" in fr
    assert "Rows" in en and "Channel / tool" in en and "difference(s)" in en


def test_structure_sheets_and_formulas(versions, tmp_path):
    """A version edited by another tool: a sheet added, a computed cell typed over, a formula rewritten."""
    edited = tmp_path / "edited.xlsx"
    wb = openpyxl.load_workbook(versions["fr"])
    wb.create_sheet("Notes")
    ws = wb[schema.worksheet_name("budget", "fr")]
    columns = [c.value for c in ws[schema.HEADER_ROW]]
    variance = columns.index(schema.BUDGET.column("variance").header("fr")) + 1
    ws.cell(schema.HEADER_ROW + 1, variance).value = 0
    ws.cell(schema.HEADER_ROW + 2, variance).value = "=1+1"
    wb.save(edited)
    result = diff(versions["fr"], edited)
    first, second = (r["id"] for r in versions["plan"].rows("budget")[:2])
    assert result.structure["sheets_added"] == ["Notes"]
    assert result.structure["formulas"] == [
        {"table": "budget_lines", "id": first, "column": "variance", "old": TEMPLATE_FORMULA, "new": None,
         "new_value": 0},
        {"table": "budget_lines", "id": second, "column": "variance", "old": TEMPLATE_FORMULA, "new": "1+1"}]
    assert result.exit_code == 1


def test_a_column_only_one_template_version_has_is_one_structural_change():
    """Compared on column keys: a later template version adding a column is reported once, not on every row."""
    rows = {"actions": [{"id": "A1", "title": "x", "budget": 10.0}, {"id": "A2", "title": "y", "budget": 5.0}]}
    later = {"actions": [dict(r, priority="high") for r in rows["actions"]]}
    old = Version("v1.xlsx", identity={"template_version": "1.0.0"}, rows=rows, columns={"actions": ["id", "title", "budget"]})
    new = Version("v2.xlsx", identity={"template_version": "1.1.0"}, rows=later,
                  columns={"actions": ["id", "title", "budget", "priority"]})
    result = diff_versions(old, new)
    assert not result.rows and not result.results
    assert result.structure["columns"] == {"actions": {"added": ["priority"]}}
    assert result.identity == {"template_version": {"old": "1.0.0", "new": "1.1.0"}}


def test_unreadable_input_gets_the_findings_of_check(versions, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_text("id;name\n1;x\n")
    code, _, err = run(versions["fr"], broken)
    expected = check_file(broken, "fr").findings[0]
    assert code == 2 and expected.code in err and expected.message in err
    assert read_version(broken).findings[0].to_dict() == expected.to_dict()
    code, out, _ = run(versions["fr"], broken, "--format", "json")
    assert code == 2 and json.loads(out)["new"]["findings"] == [expected.to_dict()]


def test_xlsx_output_and_usage_errors(versions, tmp_path):
    out = tmp_path / "diff.xlsx"
    code, _, _ = run(versions["fr"], versions["changed"], "--format", "xlsx", "-o", out)
    assert code == 1
    ws = openpyxl.load_workbook(out).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert any(v[2] == versions["removed"]["id"] for v in values)
    assert run(versions["fr"], versions["changed"], "--format", "xlsx")[0] == 2
    assert run(versions["fr"])[0] == 2
    before = versions["changed"].read_bytes()
    code, _, err = run(versions["fr"], versions["changed"], "--format", "json", "-o", versions["changed"])
    assert code == 2 and "file being read" not in err and "fichier lu" in err
    assert versions["changed"].read_bytes() == before


def test_totals_are_the_plans_figures(versions):
    totals = plan_totals(read_version(versions["fr"]).rows)
    plan = versions["plan"]
    assert totals["planned"] == pytest.approx(sum(b["planned"] for b in plan.rows("budget")))
    assert totals["actions"] == len(plan.rows("actions")) and totals["kpis"] == len(plan.rows("kpis"))
