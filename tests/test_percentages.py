"""Percentages typed the way everyone types them (issue 25, point 10).

A figure whose unit is % is held as a fraction (0.15 for 15 %) in a cell formatted as a percentage, so what a
team types in LibreOffice means what it means: ``15 %``, ``15`` in a cell formatted as a percentage, ``0,15``.
LibreOffice runs in the workbook's locale (fr-FR for the French plan, en-US for the English one) and the values
are typed through its dispatcher, as a person types them. An older plan (points: 18 for 18 %) is converted by
``upgrade``; ``check`` flags a percentage about 100 times off the rest of its row.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

import mplan_xl
from mplan_xl.core import schema
from mplan_xl.excel import libreoffice
from mplan_xl.core.computed import PlanContext
from mplan_xl.excel.libreoffice import _profile_dir
from mplan_xl.read.plan_reader import locate_plan
from mplan_xl.read.reader import read_workbook
from mplan_xl.year.upgrade import upgrade
from mplan_xl.check.validator import check_file

from conftest import YEAR
from test_user_edits import _uno_missing, run_driver

FIXTURES = Path(__file__).parent / "fixtures" / "versions"


def h(table: str, key: str, lang: str) -> str:
    return schema.SHEETS_BY_KEY[table].column(key).header(lang)


def _plan_of(path: Path):
    raw = read_workbook(path)
    try:
        return locate_plan(raw).to_plan()
    finally:
        raw.close()


def _row(plan, table: str, key: str, row_id: str) -> dict:
    return next(r for r in plan.rows(table) if r.get(key) == row_id)


#: lang -> (LibreOffice locale, what is typed: (table, id column, row id, column key, text, value expected)).
TYPED = {
    "fr": ("fr-FR", [("kpis", "id", "K05", "actual", "2,5 %", 0.025),     # the sign typed
                     ("kpis", "id", "K13", "actual", "0,6", 0.60),         # the fraction
                     ("objectives", "id", "O6", "target", "70 %", 0.70),
                     ("kpi_months", "kpi_id", "K13", "m06", "60,5 %", 0.605),
                     ("kpis", "id", "K08", "target", "30", 30)]),          # no sign: see below
    "en": ("en-US", [("kpis", "id", "K05", "actual", "2.5%", 0.025),
                     ("kpis", "id", "K13", "actual", "0.6", 0.60),
                     ("objectives", "id", "O6", "target", "70%", 0.70),
                     ("kpi_months", "kpi_id", "K13", "m06", "60.5%", 0.605),
                     ("kpis", "id", "K08", "target", "30", 30)]),
}


@pytest.fixture(scope="module")
def typed(tmp_path_factory) -> dict[str, Path]:
    reason = _uno_missing()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("percent")
    out = {}
    for lang, (locale, edits) in TYPED.items():
        source = mplan_xl.demo_workbook(folder / f"demo-{lang}.xlsx", lang=lang, year=YEAR)
        libreoffice.convert([source], "xlsx", folder / f"first-run-{lang}", locale=locale)   # a settled profile
        profile = folder / f"profile-{lang}"
        shutil.copytree(_profile_dir(locale), profile)
        steps = [{"op": "type", "table": schema.SHEETS_BY_KEY[t].table, "row": row_id, "column": h(t, key, lang),
                  "text": text} for t, _, row_id, key, text, _ in edits]
        output = folder / f"typed-{lang}.xlsx"
        spec = folder / f"jobs-{lang}.json"
        spec.write_text(json.dumps({"profile": profile.as_uri(), "jobs": [
            {"input": str(source), "output": str(output), "save": "xlsx", "steps": steps}]}), encoding="utf-8")
        results = run_driver(spec, timeout=300)
        assert results == [{"output": str(output)}], results
        out[lang] = output
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", sorted(TYPED))
def test_a_percentage_typed_in_libreoffice_means_what_the_team_means(typed, lang):
    plan = _plan_of(typed[lang])
    for table, key_column, row_id, key, text, expected in TYPED[lang][1]:
        assert _row(plan, table, key_column, row_id)[key] == pytest.approx(expected), (table, row_id, key, text)
    # K13, retention from 58 % to 65 %: 60,5 % at the end of June against 61,5 % due is "at risk", not a 100x miss.
    context = PlanContext.of_plan(plan, lang)
    status = next(c["status"] for r, c in context.computed_rows("kpis") if r["id"] == "K13")
    assert status == {"fr": "À surveiller", "en": "At risk"}[lang]
    # LibreOffice has no automatic percent entry (Excel has, on by default): 30 typed without its sign in a cell
    # formatted as a percentage stays 30, shown 3 000 %; check says so at the cell, nothing else.
    findings = [(f.code, f.sheet, f.row_id) for f in check_file(typed[lang], lang).findings
                if f.severity == "warning" and f.code == "percent-scale"]
    assert findings == [("percent-scale", schema.worksheet_name("kpis", lang), "K08")]
    assert not check_file(typed[lang], lang).errors


def test_the_cells_of_a_percentage_row_are_formatted_as_percentages(tmp_path):
    path = mplan_xl.demo_workbook(tmp_path / "demo.xlsx", year=YEAR)
    wb = openpyxl.load_workbook(path)
    kpis = wb["KPI"]
    header = [c.value for c in kpis[schema.HEADER_ROW]]
    rows = {r[0].value: r for r in kpis.iter_rows(min_row=schema.HEADER_ROW + 1)}
    target = header.index(h("kpis", "target", "fr"))
    assert "%" in rows["K05"][target].number_format          # conversion rate
    assert "%" not in rows["K06"][target].number_format      # site traffic, in visits
    assert rows["K05"][target].value == pytest.approx(0.022)


def test_upgrade_turns_the_points_of_an_older_plan_into_fractions(tmp_path):
    # The 3.0.0 demo holds the conversion rate K05 as 1.6 -> 2.2 (points) and its months likewise.
    old = _plan_of(FIXTURES / "v3.0.0-demo-fr.xlsx")
    assert _row(old, "kpis", "id", "K05")["target"] == pytest.approx(0.022)   # read as fractions already
    result = upgrade(FIXTURES / "v3.0.0-demo-fr.xlsx", tmp_path / "plan.xlsx")
    assert not result.new_errors
    # 5 KPIs in % (baseline, target, actual, six months each), 2 objectives, 3 review rows (target, result).
    assert result.percent_converted == 5 * (3 + 6) + 2 * 2 + 3 * 2
    # Its situation date (30 June) is carried: the months typed up to June are not "after the situation date".
    assert [f.code for f in result.output_report.findings] == []
    new = _plan_of(tmp_path / "plan.xlsx")
    kpi = _row(new, "kpis", "id", "K05")
    assert (kpi["baseline"], kpi["target"], kpi["actual"]) == (0.016, 0.022, 0.023)
    assert _row(new, "objectives", "id", "O6")["target"] == 0.65
    assert _row(new, "kpi_months", "kpi_id", "K05")["m06"] == 0.023
    assert _row(new, "kpis", "id", "K06")["target"] == 28000                  # visits stay visits
    wb = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    raw = [r for r in wb["KPI"].iter_rows(min_row=schema.HEADER_ROW + 1, values_only=True) if r[0] == "K05"][0]
    assert 0.022 in raw


def _typed_over(tmp_path: Path, edits: dict[tuple[str, str], float]) -> list:
    path = mplan_xl.demo_workbook(tmp_path / "demo.xlsx", year=YEAR)
    wb = openpyxl.load_workbook(path)
    for (row_id, header), value in edits.items():
        ws = wb["KPI"]
        col = [c.value for c in ws[schema.HEADER_ROW]].index(header)
        row = next(r for r in ws.iter_rows(min_row=schema.HEADER_ROW + 1) if r[0].value == row_id)
        row[col].value = value
    wb.save(tmp_path / "edited.xlsx")
    return [f for f in check_file(tmp_path / "edited.xlsx", "fr").findings if f.code == "percent-scale"]


def test_check_flags_a_percentage_100_times_off_its_baseline_and_target(tmp_path):
    # K13, retention: baseline 0.58, target typed as 65 (points) where 0.65 is meant.
    found = _typed_over(tmp_path, {("K13", "Cible"): 65})
    assert [(f.sheet, f.row_id, f.severity) for f in found] == [("KPI", "K13", "warning")]
    assert found[0].cell.startswith("K")   # Cible, after Métrique source (template 4.1)
    assert "65" in found[0].message and "6\u202f500" in found[0].message and "0,58" in found[0].message


def test_check_leaves_a_consistent_percentage_row_alone(tmp_path):
    # A ROI from 180 % to 220 % is large, not 100 times off; a row in points throughout is not flagged either.
    assert _typed_over(tmp_path, {("K02", "Cible"): 2.5}) == []


def test_consolidation_reads_an_older_plan_and_a_current_one_in_the_same_unit(tmp_path):
    # The database holds one unit: a 3.0 plan's 2.2 (points) and a 4.0 plan's 0.022 are both 0.022.
    from mplan_xl.portfolio.consolidate import examine

    current = mplan_xl.demo_workbook(tmp_path / "demo.xlsx", year=YEAR)
    targets = []
    for path in (FIXTURES / "v3.0.0-demo-fr.xlsx", current):
        kpis = examine(path, "fr").rows["kpis"]
        targets.append(next(k["target"] for k in kpis if k["id"] == "K05"))
    assert targets == [pytest.approx(0.022)] * 2
