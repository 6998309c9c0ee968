"""Appraisal reports (issue 12, item 1): tables against the results they come from, HTML, Excel, CLI."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel.cli import main
from iomodel.errors import ValidationError, WriteError
from iomodel.report import build_report
from iomodel.report.document import cell_text

KZ = iom.datasets.kazakhstan()
MACHINES = "examples/scenarios/machine_building_ahmp.toml"
PETRO = "examples/scenarios/petrochemical_atyrau.toml"


@pytest.fixture(scope="module")
def ap() -> iom.fiscal.Appraisal:
    return iom.appraise(KZ, iom.Scenario.from_toml(MACHINES))


@pytest.fixture(scope="module")
def report(ap):
    return build_report(ap, unit="bn KZT")


def test_headline_equals_the_appraisal_in_the_report_unit(ap, report):
    h = report.sections[0].table("headline").frame.set_index("item")
    ref = ap.headline()
    # million KZT in the scenario, bn KZT in the report
    assert_allclose(h.loc["Net fiscal effect, NPV at 5%", "value"], float(ref["npv"]) / 1e3, rtol=1e-12)
    assert h.loc["Net fiscal effect, NPV at 5%", "unit"] == "bn KZT"
    assert_allclose(h.loc["Revenue forgone, PV at 5%", "value"], float(ref["revenue_forgone"]) / 1e3, rtol=1e-12)
    assert h.loc["Operation jobs, peak year (all effects)", "value"] == float(ref["operation_jobs_peak"])
    assert h.loc["Payback year of the net fiscal effect", "value"] == float(ref["payback_year"])


def test_effects_add_up_to_the_impact_result(ap, report):
    eff = report.sections[0].table("effects").frame
    imp = ap.impacts.dataset["impact"]
    for ph in ("construction", "operation"):
        row = eff.loc[(ph.capitalize(), "Employment (job-years)")]
        jobs = imp.sel(phase=ph, indicator="employment").sum(["sector", "investment", "year"])
        assert_allclose(
            row[["Direct", "Indirect", "Induced", "Total"]], jobs.sel(effect=["direct", "indirect", "induced", "total"])
        )
        assert_allclose(row["Direct"] + row["Indirect"] + row["Induced"], row["Total"], rtol=1e-12)
    # budget: production taxes of every effect plus taxes on induced consumption = ImpactResult.budget (bn KZT)
    budget = eff.xs("Budget revenue (effective rates) (bn KZT)", level="indicator")["Total"].sum()
    assert_allclose(budget, float(ap.impacts.budget().sum()) / 1e3, rtol=1e-12)
    gva = eff.xs("Gross value added (bn KZT)", level="indicator")["Total"].sum()
    assert_allclose(gva, float(ap.headline()["gva_total"]) / 1e3, rtol=1e-12)


def test_top_industries_rank_the_sectors_of_the_impact(ap, report):
    top = report.sections[0].table("top_jobs").frame
    jobs = ap.impacts.dataset["impact"].sel(effect="total", indicator="employment").sum(["investment", "year", "phase"])
    ranked = jobs.to_series().sort_values(ascending=False)
    assert list(top["product"]) == [str(s) for s in ranked.index[:10]]
    assert_allclose(top["Employment, total (job-years)"], ranked.to_numpy()[:10])
    assert_allclose(top["share of total"], ranked.to_numpy()[:10] / ranked.sum())
    names = iom.datasets.kazakhstan_sectors()["name_en"]
    assert top["name"].iloc[0] == names.loc[top["product"].iloc[0]]  # a readable name, not the code


def test_budget_by_tax_and_level_add_up_to_the_fiscal_accounts(ap, report):
    s = report.sections[0]
    tax = s.table("budget_by_tax").frame
    acc = ap.fiscal
    assert_allclose(tax["revenue forgone (bn KZT)"].sum(), float(acc.revenue_forgone.sum()) / 1e3, rtol=1e-12)
    assert_allclose(tax["revenue gained, additional (bn KZT)"].sum(), float(acc.revenue_gained.sum()) / 1e3, rtol=1e-12)
    assert tax.loc["PIT", "budget level"] == "Local budgets (regions and districts)"
    assert tax.loc["CIT", "budget level"] == "Republican budget"
    lv = s.table("budget_by_level").frame.set_index("level")
    others = "Other members of the customs union (pooled import duties)"
    national = lv.drop([others, "State zone costs (not attributed)"])
    assert_allclose(national["revenue gained (bn KZT)"].sum(), float(acc.revenue_gained.sum()) / 1e3, rtol=1e-12)
    # the national levels' net less zone costs is the cumulative net fiscal effect; PV: the NPV
    own = lv.drop(others)
    assert_allclose(own["net (bn KZT)"].sum(), float(acc.nfe.sum()) / 1e3, rtol=1e-10)
    assert_allclose(own["net, PV at 5% (bn KZT)"].sum(), acc.attrs["npv"] / 1e3, rtol=1e-10)


def test_fiscal_by_year_and_assumptions(ap, report):
    s = report.sections[0]
    fy = s.table("fiscal_by_year").frame
    assert_allclose(fy["net fiscal effect (bn KZT)"], ap.fiscal.nfe.values / 1e3)
    assert list(fy.index) == list(ap.fiscal.year.values)
    a = s.table("assumptions").frame.set_index("item")
    assert a.loc["Additionality", "value"] == "60%"
    assert a.loc["Displacement", "value"] == "20%"
    assert a.loc["Model", "value"].startswith("Type II")
    assert "Bureau of National Statistics" in a.loc["Input-output table", "source"]
    assert all(n["source"] for n in s.notes)


def test_cell_text_formats():
    assert cell_text(590000.0) == "590,000"
    assert cell_text(-1234.5) == "-1,234"
    assert cell_text(0.335, "share") == "33.5%"
    assert cell_text(2031.0, "year") == "2031"
    assert cell_text(np.nan) == "—"


class _Page(HTMLParser):
    """Collect the headline cards, the images and the tables of a report page."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, str] = {}
        self.images: list[str] = []
        self.tables: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-key" in a:
            self.cards[a["data-key"]] = a["data-value"]
        if tag == "img":
            self.images.append(a.get("src", ""))
        if tag == "table":
            self.tables.append(a.get("data-table", ""))
        for k in ("href", "src"):
            if k in a and tag in ("link", "script", "img"):
                self.links.append(a[k])


def test_html_is_self_contained_and_carries_the_headline(ap, report, tmp_path):
    page = report.to_html(tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == page
    p = _Page()
    p.feed(page)
    ref = ap.headline()
    assert float(p.cards["npv"]) == pytest.approx(float(ref["npv"]) / 1e3, rel=1e-12)
    assert float(p.cards["operation_jobs_peak"]) == float(ref["operation_jobs_peak"])
    assert len(p.images) == 3 and all(src.startswith("data:image/png;base64,") for src in p.images)
    assert all(src.startswith("data:") for src in p.links)  # nothing fetched from elsewhere
    assert {"effects", "top_jobs", "top_gva", "budget_by_tax", "budget_by_level", "fiscal_by_year"} <= set(p.tables)
    assert "@page { size: A4" in page
    assert f"{float(ref['operation_jobs_peak']):,.0f}" in page
    text = re.sub(r"<[^>]+>", " ", page)
    assert "rent_tax_on_export_oil" not in text and "Rent tax on export of crude oil" in text  # names, not ids


def test_excel_workbook_has_units_formats_and_sources(ap, report, tmp_path):
    report.to_excel(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames[0] == "Contents"
    assert {"Headline", "Effects", "Budget by tax", "Budget by level", "Fiscal by year"} <= set(wb.sheetnames)
    assert "Sources and assumptions" in wb.sheetnames
    ws = wb["Fiscal by year"]
    header = [c.value for c in ws[2]]
    assert "net fiscal effect (bn KZT)" in header
    col = header.index("net fiscal effect (bn KZT)") + 1
    cell = ws.cell(row=3, column=col)
    assert cell.number_format == "#,##0.0"
    assert cell.value == pytest.approx(float(ap.fiscal.nfe.values[0]) / 1e3, rel=1e-12)
    src = pd.read_excel(tmp_path / "r.xlsx", sheet_name="Sources and assumptions")
    assert {"assumption", "method"} <= set(src["kind"])
    assert src["source"].notna().all()
    head = pd.read_excel(tmp_path / "r.xlsx", sheet_name="Headline", header=1)
    assert (head["unit"] == "share").sum() == 1
    ws = wb["Headline"]
    share_row = next(r for r in ws.iter_rows(min_row=3) if r[2].value == "share")
    assert share_row[1].number_format == "0.0%"


def test_several_scenarios_side_by_side(ap):
    petro = iom.appraise(KZ, iom.Scenario.from_toml(PETRO))
    rep = build_report([ap, petro], names=["machines", "polymers"], unit="million KZT", figures=False)
    cmp_ = rep.comparison.frame
    assert list(cmp_.columns) == ["unit", "machines", "polymers"]
    assert cmp_.loc["Net fiscal effect, NPV at 5%", "polymers"] == pytest.approx(petro.fiscal.attrs["npv"])
    assert cmp_.loc["Additionality", "machines"] == 0.6
    page = rep.to_html()
    assert page.count('class="scenario"') == 2


def test_bad_report_requests_are_named(ap, report, tmp_path):
    with pytest.raises(ValidationError, match="at least one"):
        build_report([])
    with pytest.raises(ValidationError, match="neither appraisals nor impact results"):
        build_report([ap.fiscal])
    with pytest.raises(ValidationError, match="repeat"):
        build_report([ap, ap], figures=False)
    with pytest.raises(ValidationError, match="different currencies"):
        build_report(ap, unit="million USD", figures=False)
    report.write(tmp_path)
    with pytest.raises(WriteError, match=r"report\.html"):
        report.write(tmp_path)


def test_impact_result_report_writes_both_files(tmp_path):
    res = iom.impact(KZ, iom.Scenario.from_toml(MACHINES))
    rep = res.report(tmp_path / "out", unit="million KZT", figures=False)
    assert (tmp_path / "out" / "report.html").is_file() and (tmp_path / "out" / "report.xlsx").is_file()
    ref = iom.appraise(KZ, iom.Scenario.from_toml(MACHINES)).headline()
    h = rep.sections[0].table("headline").frame.set_index("item")
    assert h.loc["Net fiscal effect, NPV at 5%", "value"] == pytest.approx(float(ref["npv"]))


def test_cli_report_and_units_in_every_csv(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", MACHINES, PETRO, "--output", str(out), "--no-figure", "--unit", "bn KZT"]) == 0
    assert (out / "report.html").is_file() and (out / "report.xlsx").is_file()
    printed = capsys.readouterr().out
    assert "Net fiscal effect, NPV at 5%" in printed and "bn KZT" in printed
    assert main(["report", MACHINES, "--output", str(out), "--no-figure"]) == 2  # files in the way
    imp = tmp_path / "imp"
    assert main(["impact", MACHINES, "--output", str(imp), "--no-figure", "--unit", "bn KZT"]) == 0
    ap = iom.appraise(KZ, iom.Scenario.from_toml(MACHINES))
    for name in ("summary.csv", "totals_by_year.csv", "fiscal_by_year.csv"):
        df = pd.read_csv(imp / name)
        assert "thousand KZT" not in " ".join(df.columns) and "million KZT" not in df.to_string()
    fy = pd.read_csv(imp / "fiscal_by_year.csv", index_col="year")
    assert_allclose(fy["net fiscal effect (bn KZT)"], ap.fiscal.nfe.values / 1e3)
    tot = pd.read_csv(imp / "totals_by_year.csv", index_col="year")  # one header row
    gva = ap.impacts.dataset["impact"].sel(indicator="gva", effect="total").sum(["sector", "investment", "phase"])
    assert_allclose(tot["Gross value added, total (bn KZT)"], gva.values / 1e6)
    assert "Employment, total (persons)" in tot.columns
    summ = pd.read_csv(imp / "summary.csv", index_col="item")
    assert set(summ["unit"]) <= {"bn KZT", "jobs", "job-years", "year", "share"}


def test_cli_allocate_and_multipliers_csv_carry_units_and_names(tmp_path, capsys):
    a, b = tmp_path / "m", tmp_path / "bn"
    problem = "examples/cluster_allocation.toml"
    assert main(["allocate", problem, "--output", str(a), "--no-figure"]) == 0
    assert main(["allocate", problem, "--output", str(b), "--no-figure", "--unit", "bn KZT"]) == 0
    pa, pb = pd.read_csv(a / "plan.csv", index_col=0), pd.read_csv(b / "plan.csv", index_col=0)
    assert_allclose(pb["capex (bn KZT)"], pa["capex (million KZT)"] / 1e3)
    assert "budget_cost (bn KZT, PV)" in pb.columns and "jobs_gross (persons, average a year)" in pb.columns
    sa_, sb = pd.read_csv(a / "shadow_prices.csv"), pd.read_csv(b / "shadow_prices.csv")
    budget_a, budget_b = (s[s["constraint"] == "budget"].iloc[0] for s in (sa_, sb))
    assert budget_a["units"].endswith("per million KZT of budget (PV)")
    assert budget_b["units"] == budget_a["units"].replace("million KZT", "bn KZT")
    assert budget_b["shadow_price"] == pytest.approx(budget_a["shadow_price"] * 1e3)  # jobs per bn = per million x 1000
    capsys.readouterr()
    assert main(["multipliers", "--by", "product", "--format", "csv", "--no-figure"]) == 0
    from io import StringIO

    csv = pd.read_csv(StringIO(capsys.readouterr().out), dtype={"product": str}).set_index("product")
    assert csv.loc["28", "name"] == iom.datasets.kazakhstan_sectors().loc["28", "name_en"]
    assert "employment (persons per 1 bn KZT)" in csv.columns


def test_the_style_sheet_is_not_escaped(report):
    page = report.to_html()
    style = page.split("<style>")[1].split("</style>")[0]
    assert '"DejaVu Sans"' in style and "&#34;" not in style


def test_to_pandas_keeps_units(ap):
    m = iom.multipliers(KZ, "type2")
    df = iom.units.to_pandas(m)
    assert df.attrs["units"]["employment"] == str(m.sel(indicator="employment").coords["units"].values)
    assert df.attrs["table"] == "Kazakhstan 2024"
    assert_allclose(df.loc["output"].to_numpy(), m.sel(indicator="output").values)
    wide = iom.units.to_pandas(m, header_units=True)
    assert "employment (persons per thousand KZT of final demand)" in wide.index
    h = iom.units.to_pandas(ap.headline()[["nfe", "jobs", "gva"]], header_units=True)
    assert list(h.columns) == ["nfe (million KZT)", "jobs (persons (job-years in construction))", "gva (million KZT)"]
    assert h.attrs["units"]["nfe"] == "million KZT"
    with pytest.raises(ValidationError, match="at most two dimensions"):
        iom.units.to_pandas(ap.impacts.dataset["impact"])


def test_readme_shows_a_report_screenshot_and_the_command():
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "![The appraisal report" in readme and "(docs/assets/report-screenshot.png)" in readme
    assert "iomodel report examples/scenarios/machine_building_ahmp.toml" in readme
    png = root / "docs" / "assets" / "report-screenshot.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and 20_000 < png.stat().st_size < 300_000


def test_report_methods_are_attached_by_the_report_package(ap, tmp_path):
    from iomodel.report import report_of

    assert iom.ImpactResult.report is report_of and iom.Appraisal.report is report_of
    rep = ap.report(tmp_path, unit="bn KZT", figures=False)
    assert (tmp_path / "report.html").is_file() and rep.unit == "bn KZT"
