"""The shipped Kazakhstan table: totals against their sources, conventions, clusters, the main job."""

from __future__ import annotations

import io
import json
import re
import warnings
from contextlib import redirect_stdout

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel import cli
from iomodel.errors import IOModelWarning, LabelError, ReadError, ValidationError
from iomodel.io.bns import read_bns_blocks
from iomodel.io.kazakhstan import build_kazakhstan, parse_term_end, read_bns, read_sez_list
from iomodel.satellites import attribute_product_taxes

KZ = iom.datasets.kazakhstan(2024)

# Totals of the Bureau's 2024 table as stated with the sources (tables/sources/README.md), trillion KZT
OUTPUT_TRN, GVA_TRN, COMP_TRN, IMPORTS_TRN, TP_TRN = 204.047, 124.853, 42.379, 35.189, 1.859
EMPLOYED_THOUSAND_2024 = 9214.184  # Labour Force Survey, BNS table 5831 (kz_employment_by_section.csv)


def ref_csv(sources, name):
    return pd.read_csv(sources / "kz_bns_io_2024/reference_csv" / name, dtype={"code": str}).set_index("code")


def test_shipped_totals_match_published_figures():
    trn = 1e9  # thousand KZT per trillion
    assert round(KZ.output.sum() / trn, 3) == OUTPUT_TRN
    assert round(KZ.gva.sum() / trn, 3) == GVA_TRN
    assert round(KZ.value_added.loc["compensation"].sum() / trn, 3) == COMP_TRN
    assert round(KZ.total_imports.sum() / trn, 3) == IMPORTS_TRN
    assert round(KZ.product_taxes.sum() / trn, 3) == TP_TRN
    assert_allclose(KZ.satellites.loc["employment"].sum(), EMPLOYED_THOUSAND_2024 * 1000, rtol=1e-12)
    assert KZ.n == 68 and KZ.meta.unit == "thousand KZT"


def test_leakage_identity_on_kazakhstan():
    """Each unit of final demand splits exactly into GVA, imports and product taxes (METHODS.md 1.4)."""
    inv = 1 / KZ.output.to_numpy()
    rows = np.vstack(
        [KZ.gva.to_numpy() * inv, KZ.imports.to_numpy().sum(axis=0) * inv, KZ.product_taxes.to_numpy() * inv]
    )
    total = KZ.factor().solve_transposed(rows).sum(axis=0)
    assert_allclose(total, np.ones(68), rtol=1e-12)


def test_domestic_model_reproduces_output():
    x = KZ.solve(KZ.final_demand.sum(axis=1))
    assert_allclose(x.to_numpy(), KZ.output.to_numpy(), rtol=1e-12)


def test_bureau_convention_reproduces_published_table_10(sources):
    L = KZ.with_import_convention("bureau").leontief_inverse()
    ref = ref_csv(sources, "L_published_table10.csv").drop(columns="name")
    assert list(ref.index) == list(L.index)
    assert np.abs(L.to_numpy() - ref.to_numpy()).max() < 1e-12
    A9 = ref_csv(sources, "A_published_table9.csv").drop(columns="name")
    assert np.abs(KZ.with_import_convention("bureau").A.to_numpy() - A9.to_numpy()).max() < 1e-15


def test_domestic_inverse_matches_reference(sources):
    ref = ref_csv(sources, "L_domestic_computed.csv").drop(columns="name")
    assert_allclose(KZ.leontief_inverse().to_numpy(), ref.to_numpy(), rtol=1e-10, atol=1e-14)
    mult = ref_csv(sources, "multipliers_computed.csv")
    m = iom.multipliers(KZ)
    assert_allclose(m.sel(indicator="output"), mult["output_mult_typeI_domestic"], rtol=1e-10)
    assert_allclose(m.sel(indicator="gva"), mult["GVA_mult_domestic"], rtol=1e-10)
    assert_allclose(m.sel(indicator="income"), mult["CoE_mult_domestic"], rtol=1e-10)


def test_shipped_files_are_what_the_reader_produces(sources):
    built = build_kazakhstan(sources).table
    for block in ("Z", "final_demand", "value_added", "imports", "imports_final", "satellites", "taxes"):
        a, b = getattr(built, block), getattr(KZ, block)
        assert a.index.tolist() == b.index.tolist(), block
        assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-15, atol=0, err_msg=block)


def test_build_tables_reproduces_the_shipped_files_byte_for_byte(tmp_path, capsys):
    """`iomodel build-tables` with its defaults (the vendored sources) writes exactly what ships."""
    assert cli.main(["build-tables", "--out", str(tmp_path)]) == 0
    assert f"wrote {tmp_path / 'kazakhstan_2024'}" in capsys.readouterr().out
    shipped = iom.datasets.tables_path()
    for f in ("kazakhstan_2024/blocks.csv", "kazakhstan_2024/table.json", "kazakhstan_2024/sectors.csv"):
        assert (tmp_path / f).read_bytes() == (shipped / f).read_bytes(), f
    assert (tmp_path / "kazakhstan/sez.csv").read_bytes() == (shipped / "kazakhstan/sez.csv").read_bytes()


def test_raw_workbook_gives_the_same_table(bns_workbooks):
    with pytest.warns(IOModelWarning, match="total requirement coefficients lack the columns of 38"):
        raw = read_bns(bns_workbooks["raw"])
    clean = read_bns(bns_workbooks["clean"])
    assert_allclose(raw.Z.to_numpy(), clean.Z.to_numpy(), rtol=0, atol=0)
    assert_allclose(raw.final_demand.to_numpy(), clean.final_demand.to_numpy(), rtol=0, atol=0)


def test_employment_reproduces_each_section(sources):
    emp = pd.read_csv(sources / "kz_satellites/kz_employment_by_section.csv", dtype=str)
    emp = emp[(emp.year == "2024") & (emp.section_code.str.len() == 1)]
    totals = emp.set_index("section_code")["employed_thousand"].astype(float) * 1000
    sections = iom.datasets.kazakhstan_sectors()["oked_section"].replace({"T": "S"})
    by_section = KZ.satellites.loc["employment"].groupby(sections.to_numpy()).sum()
    assert_allclose(by_section.reindex(totals.index).to_numpy(), totals.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("level", "tax", "row"),
    [
        ("state_budget", "CIT", "CIT"),
        ("national_fund", "CIT_oil_sector", "CIT_oil_sector"),
        ("state_budget", "PIT", "PIT"),
        ("state_budget", "social_tax", "social_tax"),
        ("national_fund", "MET_oil_sector", "MET_oil_sector"),
        ("national_fund", "rent_tax_on_export_oil", "rent_tax_on_export_oil"),
    ],
)
def test_calibrated_taxes_reproduce_2024_revenue(sources, level, tax, row):
    rev = pd.read_csv(sources / "kz_satellites/kz_tax_revenue_annual_million_kzt.csv")
    r = rev[(rev.year == 2024) & (rev.budget_level == level) & (rev.tax == tax)]["value_million_kzt"].item()
    assert abs(KZ.taxes.loc[row].sum() / 1000 - r) / r < 0.01


def test_oil_taxes_sit_on_oil_and_gas_only():
    for row in ("CIT_oil_sector", "MET_oil_sector"):
        t = KZ.taxes.loc[row]
        assert set(t[t != 0].index) <= {"061", "062"}
    assert set(KZ.taxes.loc["rent_tax_on_export_oil"].pipe(lambda s: s[s != 0]).index) == {"061"}
    assert KZ.taxes.loc["CIT", ["061", "062"]].sum() == 0


def test_provenance_names_sources_and_reports_vat():
    prov = iom.datasets.kazakhstan_provenance()
    assert "Bureau of National Statistics" in prov["source"]
    assert {r["tax"] for r in prov["calibrated_taxes"]} == {
        "CIT",
        "CIT_oil_sector",
        "PIT",
        "social_tax",
        "MET_oil_sector",
        "rent_tax_on_export_oil",
    }
    assert all(r["source"] for r in prov["calibrated_taxes"])
    comp = prov["product_tax_comparison_thousand_kzt"]
    assert comp["net product taxes, total (table)"] > comp["VAT plus excise revenue"] > 0


def revenue_2024(sources, tax):
    """2024 state-budget revenue of a tax, thousand KZT, read straight from the CSV."""
    rev = pd.read_csv(sources / "kz_satellites/kz_tax_revenue_annual_million_kzt.csv")
    sel = (rev.year == 2024) & (rev.budget_level == "state_budget") & (rev.tax == tax)
    return rev[sel]["value_million_kzt"].item() * 1000


def test_vat_attributed_to_domestic_uses_adds_to_revenue(bns_workbooks, sources):
    b = read_bns_blocks(bns_workbooks["clean"])
    by_use = b.product_taxes_final.sum().drop("exports")
    by_use["intermediate"] = b.product_taxes.sum()
    paying = by_use[by_use > 0]
    vat = revenue_2024(sources, "VAT")
    att = attribute_product_taxes({"VAT": vat}, by_use, pd.Series(1.0, index=paying.index))
    assert set(att["use"]) == {"intermediate", "households", "gfcf"}
    assert abs(att["attributed"].sum() - vat) / vat < 0.01


def test_household_consumption_tax_rates_by_hand(bns_workbooks, sources):
    """Household VAT and excise rates against a hand computation from tables 5 and 6."""
    b = read_bns_blocks(bns_workbooks["clean"])
    t5 = b.product_taxes_final.sum()  # net taxes on products by final-use category (table 5)
    hh, gfcf, exports = t5["households"], t5["gfcf"], t5["exports"]
    intermediate = b.product_taxes.sum()  # row "Чистые налоги на продукты" of table 6
    assert t5.drop(["households", "gfcf", "exports"]).abs().sum() == 0  # no other final use pays any
    consumption = b.final_demand_domestic["households"].sum() + b.final_demand_imported["households"].sum()
    share = hh / (intermediate + hh + gfcf)  # exports left out: zero-rated, their taxes are duties
    records = {r["tax"]: r for r in iom.datasets.kazakhstan_provenance()["consumption_taxes"]}
    for tax in ("VAT", "excise"):
        expected = revenue_2024(sources, tax) * share / consumption
        assert_allclose(records[tax]["rate"], expected, rtol=1e-12)
        assert_allclose(records[tax]["household_share_of_domestic_product_taxes"], share, rtol=1e-12)
    # the same from the rounded figures of the brief (trillion KZT): 3.391 / (1.859 + 3.391 + 0.708)
    assert round(hh / 1e9, 3) == 3.391 and round(gfcf / 1e9, 3) == 0.708 and round(exports / 1e9, 3) == 2.328
    assert_allclose(records["VAT"]["rate"], 5.179 * 3.391 / 5.958 / 71.84, rtol=1e-3)
    assert_allclose(records["excise"]["rate"], 0.845 * 3.391 / 5.958 / 71.84, rtol=1e-3)


def test_shipped_provenance_carries_consumption_taxes():
    prov = iom.datasets.kazakhstan_provenance()
    recs = {r["tax"]: r for r in prov["consumption_taxes"]}
    assert set(recs) == {"VAT", "excise"}
    for r in recs.values():
        assert "household final consumption at basic prices" in r["base"]
        assert "Minfin Statistical Bulletin" in r["source"]
        assert_allclose(r["attributed_to_households"], r["revenue"] * r["household_share_of_domestic_product_taxes"])
        assert_allclose(r["rate"] * r["base_value"], r["attributed_to_households"])
    hh_consumption = KZ.final_demand["households"].sum() + KZ.imports_final["households"].sum()
    assert_allclose(recs["VAT"]["base_value"], hh_consumption, rtol=1e-15)
    assert round(recs["VAT"]["rate"], 4) == 0.0410 and round(recs["excise"]["rate"], 4) == 0.0067
    comp = prov["consumption_tax_comparison"]
    assert round(comp["net_product_taxes_on_domestic_use_table"] / 1e9, 3) == 5.958
    assert_allclose(comp["vat_plus_excise_revenue"], recs["VAT"]["revenue"] + recs["excise"]["revenue"])
    assert 0.010 < comp["relative_gap"] < 0.012


# Each zone's term text in kz_sez_list.csv and the last full year read by hand
TERM_ENDS = {
    "astana_new_city": ("not verified", None),
    "seaport_aktau": ("extended to 2052", 2052),
    "pit": ("until 1 Jan 2028", 2027),
    "ontustik": ("not verified", None),
    "pavlodar": ("not verified", None),
    "saryarka": ("not verified", None),
    "burabay": ("not verified (possibly abolished)", None),
    "nipt": ("not verified", None),
    "khorgos_eastern_gate": ("not verified", None),
    "khorgos_icbc": ("until 2041", 2041),
    "chemical_park_taraz": ("until 2037", 2037),
    "astana_technopolis": ("until 2042", 2042),
    "turkistan": ("land use until 2043", 2043),
    "qyzyljar": ("not verified", None),
    "aktobe": ("not verified", None),
    "atyrau": ("until 31 Dec 2036", 2036),
    "alatau": ("n/a", None),
}


@pytest.mark.parametrize("zone", list(TERM_ENDS))
def test_term_end_of_each_zone(zone):
    text, end = TERM_ENDS[zone]
    assert parse_term_end(text) == (end, text if end is not None else "")
    shipped = iom.datasets.kazakhstan_zones().loc[zone]
    assert shipped["term"] == text
    assert shipped["term_end"] == ("" if end is None else str(end))
    assert shipped["term_basis"] == (text if end is not None else "")


def test_term_parser_dates_and_errors():
    assert parse_term_end("until 30 June 2030") == (2029, "until 30 June 2030")  # 2030 is not covered entirely
    assert parse_term_end("valid until 31 December 2036.") == (2036, "valid until 31 December 2036")
    with pytest.raises(ReadError, match=r"'Jum' is not a month"):
        parse_term_end("until 1 Jum 2030")
    with pytest.raises(ReadError, match=r"SEZ term 'until 2030-06-30': a term is stated but not as"):
        parse_term_end("until 2030-06-30")
    with pytest.raises(ReadError, match=r"more than one term stated \(\['until 2030', 'extended to 2052'\]\)"):
        parse_term_end("until 2030, extended to 2052")


def test_zone_terms_read_from_the_source(sources):
    z = read_sez_list(sources / "kz_satellites/kz_sez_list.csv")
    got = {k: (None if pd.isna(v) else int(v)) for k, v in z["term_end"].items()}
    assert got == {k: end for k, (_, end) in TERM_ENDS.items()}


def test_employment_refined_by_a_wage_table(sources):
    """Section B split by compensation over illustrative wages (by division 06, product 09, section B)."""
    wages = pd.DataFrame(
        {
            "code": ["06", "09", "B"],
            "avg_wage": [1_200_000, 900_000, 700_000],
            "source": ["illustrative test figure"] * 3,
        }
    )
    built = build_kazakhstan(sources, wages=wages, wage_codes={"061": "06", "062": "06"})
    emp = built.table.satellites.loc["employment"]
    sec = iom.datasets.kazakhstan_sectors()["oked_section"]
    b = sec.index[sec == "B"]
    e_b = pd.read_csv(sources / "kz_satellites/kz_employment_by_section.csv", dtype=str)
    e_b = float(e_b[(e_b.year == "2024") & (e_b.section_code == "B")]["employed_thousand"].item()) * 1000
    wage = pd.Series({"05": 7e5, "061": 1.2e6, "062": 1.2e6, "071": 7e5, "072": 7e5, "08": 7e5, "09": 9e5})
    assert sorted(wage.index) == sorted(b)
    jobs_key = KZ.value_added.loc["compensation", wage.index] / wage
    assert_allclose(emp[wage.index].to_numpy(), (e_b * jobs_key / jobs_key.sum()).to_numpy(), rtol=1e-12)
    others = sec.index[sec != "B"]
    assert_allclose(emp[others].to_numpy(), KZ.satellites.loc["employment", others].to_numpy(), rtol=1e-12)
    rec = built.provenance["employment"]
    assert "divided by the average wage" in rec["method"] and rec["wage_codes"] == {"061": "06", "062": "06"}
    assert {w["code"] for w in rec["wages"]} == {"06", "09", "B"}


def jobs_per_output_by_hand(table):
    return table.satellites.loc["employment"] / table.output  # persons per thousand KZT


def test_check_names_jobs_per_output_outliers():
    r = jobs_per_output_by_hand(KZ)
    ratio = r / np.median(r)
    assert 13 < ratio.max() < 14 and 1 / 8 < ratio.min() < 1 / 7  # the range the default band of 20 leaves alone
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        KZ.check()  # the shipped table: no outlier at the default band
    expected = sorted(ratio[(ratio > 10) | (ratio < 1 / 10)].index)
    assert expected == ["02", "97-98"]
    with pytest.warns(IOModelWarning, match=r"more than a factor 10 from its median") as rec:
        KZ.check(outliers=10)
    named = re.search(r"sector\(s\) (\{.*?\})", str(rec[0].message)).group(1)
    assert sorted(re.findall(r"'([^']+)': ", named)) == expected
    slip = KZ.satellites.copy()
    slip.loc["employment", "28"] *= 1000  # thousand persons read as persons
    bad = KZ.with_satellites(slip)
    with pytest.warns(IOModelWarning, match=r"for sector\(s\) \{'28': [0-9.]+\} \(1\.48e\+03 times the median\)"):
        bad.check()
    bad.check(outliers=None)
    with pytest.raises(ValidationError, match="outliers must be a band factor above 1"):
        KZ.check(outliers=1.0)


def test_clusters_cover_the_paper_and_the_plant():
    c = iom.datasets.kazakhstan_clusters()
    assert set(c.cluster) == {
        "innovation_technological",
        "innovation_education",
        "petrochemical",
        "metallurgical",
        "transport_logistics",
        "textile",
        "tourism",
        "agro",
        "construction",
        "medical_pharmaceutical",
        "machine_building",
    }
    assert set(c["product"]) <= set(KZ.sectors)
    assert (c["rationale"] != "").all() and (c["source"] != "").all()
    w = iom.datasets.cluster_weights(KZ)
    assert_allclose(w.sum(axis=1), 1.0)
    mine = c[c.cluster == "agro"].assign(product=lambda d: d["product"].replace({"01": "99"}))
    with pytest.raises(LabelError, match=r"cluster\(s\) \['agro'\] name product\(s\) \['99'\]"):
        iom.datasets.cluster_weights(KZ, mine)


def test_zones_and_their_clusters(sources):
    z = iom.datasets.kazakhstan_zones()
    assert "petrochemical" in z.loc["nipt", "clusters"]
    assert z.loc["alatau", "status"] == "planned"
    fresh = read_sez_list(sources / "kz_satellites/kz_sez_list.csv")
    assert fresh.index.tolist() == z.index.tolist()
    clusters = set(iom.datasets.kazakhstan_clusters().cluster)
    assert {c for s in z["clusters"] for c in s.split(";") if c} <= clusters


def test_tax_rates_by_date():
    r24 = iom.datasets.kazakhstan_tax_rates("2024-07-01").set_index("tax")["rate"]
    r26 = iom.datasets.kazakhstan_tax_rates("2026-07-01").set_index("tax")["rate"]
    assert (r24["VAT"], r26["VAT"], r26["CIT"], r26["social_tax"]) == (0.12, 0.16, 0.20, 0.06)
    assert iom.datasets.kazakhstan_mci()[2026] == 4325


def brute_type2(table, closure):
    h_R, h_C, h = table.household_vectors(closure)
    n = table.n
    Abar = np.zeros((n + 1, n + 1))
    Abar[:n, :n], Abar[:n, n], Abar[n, :n], Abar[n, n] = table.A.to_numpy(), h_C, h_R, h
    return np.linalg.inv(np.eye(n + 1) - Abar)


def test_cli_main_job_csv_matches_independent_computation():
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert cli.main(["multipliers", "--no-figure", "--format", "csv"]) == 0
    df = pd.read_csv(io.StringIO(buf.getvalue()), index_col=0)
    df = df.rename(columns={"employment (persons per 1 bn KZT)": "employment"})  # units in the header
    assert df["employment"].is_monotonic_decreasing
    # the Kazakhstan closure by hand from the table and its provenance (METHODS.md 1.4):
    # spending 0.8 (1 - PIT - 10% pension - 2% health) of labour income, product taxes tau/(1+tau) of it
    prov = iom.datasets.kazakhstan_provenance()
    pit = next(r["rate"] for r in prov["calibrated_taxes"] if r["tax"] == "PIT")
    tau = sum(r["rate"] for r in prov["consumption_taxes"])
    c_d = KZ.final_demand["households"].to_numpy()
    c_all = c_d.sum() + KZ.imports_final["households"].sum()
    h_C = 0.8 * (1 - pit - 0.12) / (1 + tau) * c_d / c_all
    h_R = KZ.value_added.loc["compensation"].to_numpy() / KZ.output.to_numpy()
    Abar = np.zeros((69, 69))
    Abar[:68, :68], Abar[:68, 68], Abar[68, :68] = KZ.A.to_numpy(), h_C, h_R
    Lbar = np.linalg.inv(np.eye(69) - Abar)
    e = KZ.coefficients("satellites").loc["employment"].to_numpy()
    w = iom.datasets.cluster_weights(KZ)
    jobs = (e @ Lbar[:68, :68]) @ w.to_numpy().T * 1e6
    assert_allclose(df.loc[w.index, "employment"].to_numpy(), jobs, rtol=1e-9)


def test_cli_writes_figure_and_handles_errors(tmp_path, capsys):
    assert cli.main(["multipliers", "--output", str(tmp_path), "--kind", "type1"]) == 0
    assert (tmp_path / "multipliers_cluster_type1.png").stat().st_size > 10_000
    assert "Type I multipliers by cluster" in capsys.readouterr().out
    assert cli.main(["multipliers", "--no-figure", "--table", str(tmp_path / "missing.xlsx")]) == 2
    assert "ReadError" in capsys.readouterr().err


def test_cli_on_a_users_workbook(bns_workbooks, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cli.main(["multipliers", "--no-figure", "--table", str(bns_workbooks["clean"]), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "petrochemical" in out and "employment" not in out.splitlines()[0]


def test_table_json_is_valid():
    d = json.loads((iom.datasets.tables_path() / "kazakhstan_2024/table.json").read_text())
    assert d["provenance"]["employment"]["total_persons"] == pytest.approx(9214184.0)
