"""``mplan-xl results``: the exports teams download (GA4, Google Ads, Meta, LinkedIn, HubSpot, Shopify, WooCommerce,
any file through --rules), read in their French and English layouts, matched to the actions by campaign code and
written into a copy of the plan (issue 20, points 5-9)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from mplan_xl.cli import main
from mplan_xl.core import schema
from mplan_xl.core.errors import ExportRefused, RulesError
from mplan_xl.excel import libreoffice
from mplan_xl.read.package import PackageCopy
from mplan_xl.read.plan_reader import locate_plan
from mplan_xl.read.reader import read_workbook
from mplan_xl.year.exports import parse_export, read_export
from mplan_xl.year.results import ActionCode, MatchRule, ResultsRules, match_exports, read_results_rules
from mplan_xl.year.results_workbook import COSTS_SHEET, UNMATCHED_SHEET

from conftest import needs_libreoffice

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
YEAR = 2027


def rows(name, mapping=None):
    return [(r.campaign, r.date.isoformat(), r.metrics) for r in read_export(EXPORTS / name, mapping).rows()]


# --- reading: each tool, each interface language -----------------------------------------------------------------

@pytest.mark.parametrize("name, source, first", [
    ("ga4-acquisition-trafic-fr.csv", "ga4", ("(direct)", "2027-03-31", {"sessions": 4210, "conversions": 38,
                                                                         "revenue": 2740.5})),
    ("ga4-traffic-acquisition-daily-en.csv", "ga4", ("2027-sea-origines", "2027-04-02",
                                                      {"sessions": 61, "conversions": 2, "revenue": 180.5})),
    ("google-ads-campagnes-fr.csv", "google_ads", ("2027-sea-origines", "2027-03-02", {
        "cost": 1234.56, "impressions": 18450, "clicks": 612, "conversions": 21.5, "revenue": 3904.2})),
    ("google-ads-campaigns-en.csv", "google_ads", ("2027-sea-origines", "2027-04-02", {
        "cost": 1034.2, "impressions": 12345, "clicks": 321, "conversions": 12, "revenue": 2210.4})),
    ("meta-ads-fr.csv", "meta", ("2027-instagram-videos", "2027-03-01", {
        "cost": 50, "impressions": 8830, "clicks": 96, "conversions": 4, "revenue": 180.4})),
    ("meta-ads-en.csv", "meta", ("2027-instagram-videos", "2027-04-01", {
        "cost": 50, "impressions": 9910, "clicks": 110, "conversions": 5, "revenue": 1204.5})),
    ("meta-ads-en.xlsx", "meta", ("2027-instagram-videos", "2027-05-02", {
        "cost": 61.35, "impressions": 10200, "clicks": 120, "conversions": 6, "revenue": 240})),
    ("linkedin-campagnes-fr.csv", "linkedin", ("2027-prospection-chr", "2027-03-15", {
        "cost": 1250.4, "impressions": 21300, "clicks": 188, "conversions": 6, "revenue": 2400})),
    ("linkedin-campaigns-en.csv", "linkedin", ("2027-prospection-chr", "2027-04-13", {
        "cost": 1100, "impressions": 18000, "clicks": 150, "conversions": 5, "revenue": 2000})),
    ("hubspot-transactions-fr.csv", "hubspot", ("2027-prospection-chr", "2027-03-12", {"revenue": 4800})),
    ("hubspot-deals-en.csv", "hubspot", ("2027-prospection-chr", "2027-04-08", {"revenue": 3600})),
    ("shopify-commandes.csv", "shopify", ("2027-newsletter", "2027-03-05", {"revenue": 59.9})),
    ("woocommerce-commandes-fr.csv", "woocommerce", ("2027-sea-origines", "2027-03-15", {"revenue": 89.9})),
    ("woocommerce-orders-en.csv", "woocommerce", ("2027-sea-origines", "2027-04-03", {"revenue": 89.9})),
])
def test_each_tools_export_is_recognised_from_its_header_and_read_to_the_cent(name, source, first, tmp_path):
    # The file name says nothing: the same bytes under another name are read the same.
    renamed = tmp_path / ("export" + Path(name).suffix)
    renamed.write_bytes((EXPORTS / name).read_bytes())
    table = read_export(renamed)
    assert table.source == source
    campaign, day, metrics = next((r.campaign, r.date.isoformat(), r.metrics) for r in table.rows())
    assert (campaign, day) == first[:2]
    assert {m: metrics[m] for m in first[2]} == pytest.approx(first[2])


def test_totals_lines_title_lines_and_line_items_are_not_rows():
    ads = read_export(EXPORTS / "google-ads-campagnes-fr.csv")     # "Total : compte", "Total : campagnes"
    assert ads.skipped_totals == 2 and len(ads.frame) == 4
    assert ads.period == (__import__("datetime").date(2027, 3, 1), __import__("datetime").date(2027, 3, 31))
    ga4 = read_export(EXPORTS / "ga4-traffic-acquisition-daily-en.csv")   # "Grand total"
    assert ga4.skipped_totals == 1 and ga4.frame["sessions"].sum() == 574
    shop = read_export(EXPORTS / "shopify-commandes.csv")   # a second line item, a voided order, a partial refund
    assert [(r.campaign, r.metrics["revenue"]) for r in shop.rows()] == [
        ("2027-newsletter", 59.9), ("2027-relance-paniers", 100.0), ("", 50.9)]
    assert shop.not_sales == 1


def test_deals_not_won_and_cancelled_orders_are_counted_apart():
    deals = read_export(EXPORTS / "hubspot-transactions-fr.csv")
    assert deals.not_sales == 1 and sum(r.metrics["revenue"] for r in deals.rows()) == pytest.approx(7530.5)
    orders = read_export(EXPORTS / "woocommerce-commandes-fr.csv")
    assert orders.not_sales == 1 and [r.metrics["revenue"] for r in orders.rows()] == [89.9, 1120.0]


def test_us_dates_of_an_english_linkedin_export_are_told_by_the_file():
    # 4/13/2027 cannot be DD/MM: every date of the file, and its report range, are read MM/DD.
    table = read_export(EXPORTS / "linkedin-campaigns-en.csv")
    assert [r.date.isoformat() for r in table.rows()] == ["2027-04-13", "2027-04-20"]
    assert [d.isoformat() for d in table.period] == ["2027-04-01", "2027-04-30"]


def test_an_unknown_export_is_refused_with_the_columns_it_has_and_what_is_expected():
    with pytest.raises(ExportRefused) as caught:
        parse_export(b"Semaine;Visites;Ventes\n12;340;5\n", "stats.csv")
    fr, en = caught.value.text("fr"), caught.value.text("en")
    assert "stats.csv : export non reconnu. Colonnes lues (ligne 1) : Semaine, Visites, Ventes" in fr
    assert "Google Ads : Campagne, Jour, Coût" in fr and "Meta: Campaign name" in en


def test_a_value_that_is_no_number_is_refused_at_its_line_and_column():
    text = ("Campaign report\nMarch 1, 2027 - March 31, 2027\nDay,Campaign,Cost,Impr.\n"
            "2027-03-02,a,12.50,100\n2027-03-03,b,12..5,100\n2027-03-04,c,1e308,9\n").encode()
    with pytest.raises(ExportRefused) as caught:
        parse_export(text, "ads.csv")
    lines = caught.value.lines("fr")
    assert lines[0] == "ads.csv : 2 valeur(s) refusée(s), rien n'a été importé"
    assert lines[1].startswith("  ligne 5, colonne Cost : « 12..5 » n'est pas un nombre")
    assert lines[2].startswith("  ligne 6, colonne Cost : « 1e308 »")


def test_a_comma_that_is_no_thousands_mark_is_not_read_as_one():
    text = "Day,Campaign,Cost,Impr.\n2027-03-02,a,12.50,100\n2027-03-03,b,\"1,5\",100\n".encode()
    with pytest.raises(ExportRefused, match="1 value"):
        parse_export(text, "ads.csv")


def test_an_export_without_date_nor_period_is_refused():
    with pytest.raises(ExportRefused, match="no date column and no date range"):
        parse_export(b"Session campaign,Sessions\na,3\n", "ga4.csv")


def test_a_file_of_another_tool_is_read_through_the_rules_mapping():
    rules = read_results_rules(EXPORTS / "regles-crm.toml", ["A05"])
    assert rules.basis == "margin" and rules.margin_rate == 0.4 and rules.matches == (MatchRule("salon-angers", "A05"),)
    assert rows("crm-maison.csv", rules.mapping)[0] == ("2027-salon-angers", "2027-03-04", {"revenue": 1500.0})


def test_a_rules_file_naming_an_unknown_action_is_refused(tmp_path):
    bad = tmp_path / "r.toml"
    bad.write_text('[[match]]\ncampaign = "x"\naction = "A99"\n', encoding="utf-8")
    with pytest.raises(RulesError, match="A99"):
        read_results_rules(bad, ["A01"])
    bad.write_text('[gain]\nbasis = "margin"\nmargin_rate = 4\n', encoding="utf-8")
    with pytest.raises(RulesError, match="margin_rate"):
        read_results_rules(bad, ["A01"])


# --- matching ---------------------------------------------------------------------------------------------------

ACTIONS = [ActionCode("A02", "2027-sea-origines"), ActionCode("A08", "2027-instagram-videos"),
           ActionCode("A18", "2027-newsletter"), ActionCode("A19", "2027-relance-paniers"),
           ActionCode("A04", "2027-prospection-chr"), ActionCode("A05", "2027-salon-angers")]


def test_rows_match_by_code_then_ignoring_case_and_accents_and_nothing_is_lost():
    tables = [read_export(EXPORTS / n) for n in ("ga4-acquisition-trafic-fr.csv", "google-ads-campagnes-fr.csv",
                                                 "shopify-commandes.csv", "hubspot-transactions-fr.csv")]
    result = match_exports(tables, ACTIONS, year=YEAR)
    # "2027-Relance-Paniers" and "2027-Instagram-Vidéos" carry their action's code in other case and accents.
    assert "campaign_code_folded" in result.actions["A19"].matched_by
    assert result.actions["A08"].platform_cost == 45.0
    unmatched = {(u.file.rsplit("/", 1)[-1], u.campaign) for u in result.unmatched}
    assert unmatched == {("ga4-acquisition-trafic-fr.csv", c) for c in ("(direct)", "(organic)", "(not set)")} | {
        ("google-ads-campagnes-fr.csv", "2026-noel"), ("shopify-commandes.csv", ""), ("hubspot-transactions-fr.csv", "")}
    for file, table in zip(result.files, tables):   # every data row is matched, unmatched or ignored with its reason
        ignored = sum(t.count for reason, t in file.ignored.items())
        assert file.matched.count + file.unmatched.count + ignored == file.lines
        for metric in table.metrics:                    # and so is every amount, to the cent
            tallies = [file.matched, file.unmatched, *(t for r, t in file.ignored.items() if r != "totals")]
            assert round(sum(t.sums.get(metric, 0.0) for t in tallies), 2) == round(float(table.frame[metric].sum()), 2)


def test_the_gain_comes_from_one_kind_of_source_so_no_sale_counts_twice():
    names = ("ga4-acquisition-trafic-fr.csv", "google-ads-campagnes-fr.csv", "shopify-commandes.csv")
    result = match_exports([read_export(EXPORTS / n) for n in names], ACTIONS, year=YEAR)
    # A18's sales are in Shopify (59.90), in GA4 (2,155) and nowhere else: the shop's orders win.
    assert result.actions["A18"].gain == 59.9 and result.actions["A18"].gain_sources == ("shopify",)
    # A02 sold nothing in the shop: GA4's revenue, not GA4's plus Google Ads' conversion value.
    assert result.actions["A02"].gain == 4820.9 and result.actions["A02"].gain_sources == ("ga4",)
    margin = match_exports([read_export(EXPORTS / n) for n in names], ACTIONS, year=YEAR,
                           rules=ResultsRules(basis="margin", margin_rate=0.4))
    assert margin.actions["A02"].gain == pytest.approx(1928.36)


def test_the_same_rows_read_twice_count_once_and_the_report_says_from_where(tmp_path):
    copy = tmp_path / "ads-again.csv"
    copy.write_bytes((EXPORTS / "google-ads-campagnes-fr.csv").read_bytes())
    once = match_exports([read_export(EXPORTS / "google-ads-campagnes-fr.csv")], ACTIONS, year=YEAR)
    twice = match_exports([read_export(EXPORTS / "google-ads-campagnes-fr.csv"), read_export(copy)], ACTIONS,
                          year=YEAR)
    assert twice.actions["A02"].platform_cost == once.actions["A02"].platform_cost == 1332.66
    second = twice.to_dict()["files"][1]
    assert second["ignored"]["duplicate"]["count"] == 4 and second["duplicates_of"] == [
        str(EXPORTS / "google-ads-campagnes-fr.csv")]


def test_rows_of_another_year_or_after_the_situation_date_are_counted_apart():
    import datetime as dt

    tables = [read_export(EXPORTS / "google-ads-campagnes-fr.csv")]
    late = match_exports(tables, ACTIONS, year=YEAR, as_of=dt.date(2027, 3, 2))
    assert late.files[0].ignored["after_as_of"].count == 3 and late.actions["A02"].platform_cost == 1234.56
    other = match_exports(tables, ACTIONS, year=2028)
    assert other.files[0].ignored["other_year"].count == 4 and other.matched_count == 0
    assert "no row of 2028" in other.warnings[-1].text("en")


# --- the command ------------------------------------------------------------------------------------------------

def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


FILES = ("ga4-acquisition-trafic-fr.csv", "google-ads-campagnes-fr.csv", "meta-ads-fr.csv",
         "hubspot-transactions-fr.csv", "shopify-commandes.csv")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    plan, out, report = folder / "plan.xlsx", folder / "plan-resultats.xlsx", folder / "resultats.json"
    runner = CliRunner()
    assert runner.invoke(main, ["demo", str(plan), "--year", str(YEAR)]).exit_code == 0
    exports = [str(EXPORTS / n) for n in FILES]
    before = [sha(plan)] + [sha(Path(p)) for p in exports]
    result = runner.invoke(main, ["results", str(plan), *exports, "-o", str(out), "--report", str(report)],
                           env={"MPLAN_LANG": "fr"})
    return {"plan": plan, "out": out, "report": report, "result": result, "before": before, "exports": exports}


def test_the_copy_holds_the_achieved_gains_and_the_kpi_months(imported):
    result = imported["result"]
    assert result.exit_code == 1, result.output    # GA4's (direct) and others are unmatched: listed, copy written
    assert [sha(imported["plan"])] + [sha(Path(p)) for p in imported["exports"]] == imported["before"]
    report = json.loads(imported["report"].read_text(encoding="utf-8"))
    located = locate_plan(read_workbook(imported["out"]))
    gains = {r.values["id"]: r.values["achieved_gain"] for r in located.tables["actions"].rows}
    for action_id, action in report["actions"].items():
        if action["achieved_gain"] is not None:
            assert gains[action_id] == pytest.approx(action["achieved_gain"]), action_id
    assert gains["A18"] == pytest.approx(59.9)      # the Shopify order of the newsletter campaign
    months = {r.values["action_id"]: r.values for r in located.tables["action_results"].rows}
    assert months["A18"]["m03"] == pytest.approx(59.9)
    assert "A08" in months and months["A08"]["m03"] == pytest.approx(180.4 + 141.0)   # a row added
    kpi = {r.values["kpi_id"]: r.values for r in located.tables["kpi_months"].rows if r.values["series"] == "Réalisé"}
    assert kpi["K06"]["m03"] == pytest.approx(10492)     # sessions of the whole site in March (GA4)
    assert "Non rapprochées : 7 ligne(s)" in result.output
    assert "(direct)  2027-03  1 ligne(s) dès la ligne 10" in result.output


def test_every_other_part_is_byte_identical(imported):
    before, after = parts(imported["plan"]), parts(imported["out"])
    sheets = PackageCopy.open(imported["plan"]).worksheets()
    touched = {sheets[schema.worksheet_name(key, "fr")][0] for key in ("actions", "action_results", "kpi_months")}
    changed = {n for n in before if before[n] != after[n]}
    assert changed == touched | {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    added = set(after) - set(before)
    assert len(added) == 2 and all(name.startswith("xl/worksheets/") for name in added)
    names = read_workbook(imported["out"]).sheet_names
    assert UNMATCHED_SHEET("fr") in names and COSTS_SHEET("fr") in names


def test_the_json_report_says_what_was_read_from_which_file(imported):
    report = json.loads(imported["report"].read_text(encoding="utf-8"))
    assert [f["source"] for f in report["files"]] == ["ga4", "google_ads", "meta", "hubspot", "shopify"]
    ads = report["files"][1]
    assert ads["columns"]["cost"] == "Coût" and ads["ignored"]["totals"]["count"] == 2
    assert report["unmatched"]["count"] == len([1 for u in report["unmatched"]["rows"]]) == 7


@needs_libreoffice
def test_libreoffice_opens_the_copy_and_computes_the_achieved_roi(imported, tmp_path):
    [recalculated] = libreoffice.convert([imported["out"]], "xlsx", tmp_path, locale=libreoffice.LOCALES["fr"])
    located = locate_plan(read_workbook(recalculated))
    rows = {r.values["id"]: r.values for r in located.tables["actions"].rows}
    assert rows["A18"]["achieved_gain"] == pytest.approx(59.9)
    a02 = rows["A02"]
    assert a02["roi_achieved"] == pytest.approx((a02["achieved_gain"] - a02["actual_spend"]) / a02["actual_spend"])


def test_an_unrecognised_export_writes_nothing(imported, tmp_path):
    bad = tmp_path / "stats.csv"
    bad.write_text("Semaine;Visites\n12;340\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["results", str(imported["plan"]), str(bad), "-o", str(out)],
                                env={"MPLAN_LANG": "fr"})
    assert result.exit_code == 1 and not out.exists()
    assert "export non reconnu" in result.output and "Traceback" not in result.output


def test_all_matched_exits_0_in_english(imported, tmp_path):
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["results", str(imported["plan"]), str(EXPORTS / "linkedin-campaigns-en.csv"),
                                       "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Matched: 2 row(s) to 1 action(s)" in result.output


def test_the_copy_passes_check_with_no_new_error(imported):
    from mplan_xl.check.validator import check_file

    before = {(f.code, f.sheet, f.cell) for f in check_file(imported["plan"], "en").findings}
    report = check_file(imported["out"], "en")
    new = [f for f in report.findings if (f.code, f.sheet, f.cell) not in before]
    assert not [f for f in new if f.severity == "error"], [(f.code, f.cell, f.message) for f in new]
    assert "results-months-disagree" not in {f.code for f in report.findings}


def test_a_windows_1252_export_is_read_with_a_warning(tmp_path):
    # Excel on Windows saves a CSV in Windows-1252: the accents of the header and of the campaigns stay right.
    text = (EXPORTS / "hubspot-transactions-fr.csv").read_bytes().decode("utf-8-sig")
    legacy = tmp_path / "transactions.csv"
    legacy.write_bytes(text.replace("2027-salon-angers", "2027-salon-été").encode("cp1252"))
    table = read_export(legacy)
    assert table.source == "hubspot" and [r.campaign for r in table.rows()][1] == "2027-salon-été"
    assert "Windows-1252" in table.warnings[0].text("fr")


def test_overlapping_exports_count_the_shared_days_once(tmp_path):
    lines = (EXPORTS / "meta-ads-en.csv").read_text(encoding="utf-8-sig").splitlines()
    header, day1, day2 = lines[0], lines[1], lines[2]
    first, second = tmp_path / "meta-1.csv", tmp_path / "meta-2.csv"
    first.write_text("\n".join([header, day1]) + "\n", encoding="utf-8")
    second.write_text("\n".join([header, day1, day2]) + "\n", encoding="utf-8")   # day 1 again, then day 2
    result = match_exports([read_export(first), read_export(second)], ACTIONS + [ActionCode("A09", "2027-createurs-locaux")],
                           year=YEAR)
    assert result.actions["A08"].platform_cost == 50.0 and result.actions["A09"].platform_cost == 30.0
    assert result.files[1].ignored["duplicate"].count == 1


def test_the_platforms_billing_more_than_the_accounts_hold_is_a_warning_never_an_overwrite():
    from mplan_xl.year.results import cost_gaps

    result = match_exports([read_export(EXPORTS / "google-ads-campagnes-fr.csv")], ACTIONS, year=YEAR)
    result.currency = "€"
    gaps = cost_gaps(result, {"A02": 1000.0, "A08": 500.0})
    assert [g.text("fr") for g in gaps] == [
        "A02 : les régies ont facturé 1\u202f332,66 € ; la comptabilité (Dépense réelle) en tient 1\u202f000,00 € : à "
        "vérifier (rien n'est remplacé)"]


def test_rules_in_yaml_read_as_in_toml(tmp_path):
    pytest.importorskip("yaml")
    rules = tmp_path / "regles.yaml"
    rules.write_text("gain:\n  basis: margin\n  margin_rate: 35 %\nmatch:\n  - campaign: 'salon*'\n    action: A05\n",
                     encoding="utf-8")
    read = read_results_rules(rules, ["A05"])
    assert read.margin_rate == pytest.approx(0.35) and read.matches == (MatchRule("salon*", "A05"),)


def test_usage_errors_exit_2(imported, tmp_path):
    runner = CliRunner()
    no_output = runner.invoke(main, ["results", str(imported["plan"]), str(EXPORTS / "meta-ads-en.csv")])
    bad_date = runner.invoke(main, ["results", str(imported["plan"]), str(EXPORTS / "meta-ads-en.csv"), "-o",
                                    str(tmp_path / "o.xlsx"), "--as-of", "demain"])
    assert no_output.exit_code == 2 and bad_date.exit_code == 2 and "--as-of" in bad_date.output


def test_an_english_plan_gets_its_results_in_english(tmp_path):
    plan, out = tmp_path / "plan-en.xlsx", tmp_path / "plan-en-results.xlsx"
    runner = CliRunner()
    assert runner.invoke(main, ["demo", str(plan), "--year", str(YEAR), "--lang", "en"]).exit_code == 0
    result = runner.invoke(main, ["results", str(plan), str(EXPORTS / "ga4-traffic-acquisition-daily-en.csv"),
                                  "-o", str(out), "--lang", "en"])
    assert result.exit_code == 1, result.output    # (direct) and 2027-spring-sale are no action's
    located = locate_plan(read_workbook(out))
    kpi = {r.values["kpi_id"]: r.values for r in located.tables["kpi_months"].rows if r.values["series"] == "Actual"}
    assert kpi["K06"]["m04"] == pytest.approx(574)
    assert UNMATCHED_SHEET("en") in read_workbook(out).sheet_names


def test_a_row_wider_than_the_header_is_refused_at_its_line_and_old_mac_line_ends_are_read():
    with pytest.raises(ExportRefused, match=r"wide.csv, line 4: more fields than the header's 4 columns"):
        parse_export(b"Day,Campaign,Cost,Impr.\n2027-01-01,a,1,2\n2027-01-02,a,1,2\n2027-01-03,a,1,5,3\n", "wide.csv")
    table = parse_export(b"Campaign report\rDay,Campaign,Cost,Impr.\r2027-01-01,a,1,2\r", "mac.csv")
    assert [(r.campaign, r.metrics["cost"]) for r in table.rows()] == [("a", 1.0)]


def test_a_row_after_a_value_spanning_lines_is_named_by_its_own_line():
    # Shopify's Note Attributes of order #1041 spans two lines: order #1044 starts on line 7 of the file.
    shop = read_export(EXPORTS / "shopify-commandes.csv")
    assert [r.line for r in shop.rows()] == [2, 5, 7]


def test_a_plan_without_campaign_codes_says_where_to_type_them(tmp_path):
    plan, out = tmp_path / "plan.xlsx", tmp_path / "out.xlsx"
    assert CliRunner().invoke(main, ["new", str(plan), "--company", "Atelier Lumen", "--year", str(YEAR)]).exit_code == 0
    result = CliRunner().invoke(main, ["results", str(plan), str(EXPORTS / "meta-ads-en.csv"), "-o", str(out),
                                       "--lang", "en"])
    assert result.exit_code == 1 and out.exists()
    assert "no action of the plan has a Campaign code" in result.output
