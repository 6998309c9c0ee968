"""Fiscal accounts: a hand-worked case, relief windows, customs pooling, the fiscal step on its own."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel.errors import LabelError, ValidationError
from iomodel.fiscal import fiscal_accounts, fiscal_sweep, npv

KZ = iom.datasets.kazakhstan()
A = np.array([[0.15, 0.25], [0.20, 0.05]])
L = np.linalg.inv(np.eye(2) - A)
#: Miller & Blair with two tax rows: net product taxes on inputs and PIT (per unit of output below)
MB = iom.datasets.miller_blair().with_taxes(
    pd.DataFrame(
        [[10.0, 40.0], [30.0, 50.0]], index=["net_product_taxes", "PIT"], columns=["agriculture", "manufacturing"]
    )
)
T_NP, T_PIT = np.array([0.01, 0.02]), np.array([0.03, 0.025])
RATES = {"CIT": 0.2, "VAT": 0.12, "social_tax": 0.1, "property_tax": 0.01}
ECO = iom.Economy(
    name="toy",
    tax_rates=RATES,
    customs_pooling_share=0.5,
    zones=[iom.Zone("z", term_end=2028)],
    participant_tax_rows=("net_product_taxes",),
)


def scenario(duration=1, zone="z", additionality=0.5, **pkg):
    inv = iom.ClusterInvestment(
        name="plant",
        products={"manufacturing": 1.0},
        capex={2026: 100.0},
        output={2027: 100.0, 2028: 100.0, 2029: 100.0},
        bridge=iom.InvestmentBridge(shares={"agriculture": 1.0}, import_shares={"agriculture": 0.4}),
        profit_margin=0.1,
        land_tax=2.0,
        vat_permanent_share=0.5,
        customs_duty_rate=0.05,
    )
    exemptions = {t: 1.0 for t in ("CIT", "property_tax", "land_tax", "VAT", "customs", "social_tax")}
    package = iom.SEZPackage(exemptions=exemptions, duration=duration, additionality=additionality, **pkg)
    return iom.Scenario(name="toy", investments=(inv,), package=package, zone=zone, years=(2026, 2030), kind="type1")


def test_hand_worked_accounts_on_miller_blair():
    res = iom.impact(MB, scenario(), economy=ECO)
    f = fiscal_accounts(res, res.scenario.package)
    other, ex, rf = (f[v].to_pandas() for v in ("revenue_other", "revenue_exemptible", "revenue_forgone"))
    # construction 2026: 60 of domestic demand for agriculture (40% imported); every tax row on the total effect
    x_c = L[:, 0] * 60.0
    assert_allclose(other.loc[2026, "net_product_taxes"], T_NP @ x_c)
    assert_allclose(other.loc[2026, "PIT"], T_PIT @ x_c)
    # operation 2027: suppliers L a_p X, plus the plant's own PIT; its net product taxes are replaced (counted once)
    x_o = L @ A[:, 1] * 100.0
    assert_allclose(other.loc[2027, "net_product_taxes"], T_NP @ x_o)
    assert_allclose(other.loc[2027, "PIT"], T_PIT @ x_o + 0.025 * 100.0)
    # the participant's exemptible taxes at statutory rates
    assert_allclose(ex.loc[2027, "CIT"], 0.2 * 0.1 * 100.0)  # rate x margin x output
    assert_allclose(ex.loc[2027, "social_tax"], 0.1 * 0.25 * 100.0)  # rate x wages
    assert_allclose(ex.loc[2027, "VAT"], 0.12 * 0.5 * (0.25 + 0.05) * 100.0)  # permanent part of VAT on inputs
    assert_allclose(ex.loc[2027, "land_tax"], 2.0)
    # duties: half of the pool stays in the national budget (customs_pooling_share)
    assert_allclose(ex.loc[2026, "customs"], 0.5 * 0.05 * 40.0)
    assert_allclose(f.customs_forgone_pooled.sel(year=2026), 0.05 * 40.0)
    # relief: from the first year of the project to one year of operation
    assert f.attrs["relief"] == "plant: 2026-2027 (construction from 2026; 1 year of operation from 2027)"
    assert_allclose(rf.loc[2026].sum(), 0.5 * 0.05 * 40.0)
    assert_allclose(rf.loc[2027].sum(), ex.loc[2027].sum())
    assert float(rf.loc[2028:].to_numpy().sum()) == 0.0
    # NFE = alpha (R_other + R_ex) - RF - G
    gross = other.sum(axis=1) + ex.sum(axis=1)
    assert_allclose(f.nfe.values, 0.5 * gross.values - rf.sum(axis=1).values)
    assert_allclose(f.attrs["npv"], npv(f.nfe.values, 0.05))


def test_duration_zero_grants_nothing():
    f = fiscal_accounts(iom.impact(MB, scenario(duration=0), economy=ECO), scenario(duration=0).package)
    assert float(f.revenue_forgone.sum()) == 0.0
    assert f.attrs["relief"] == "plant: none (duration 0)"


def test_zone_term_caps_relief_and_nil_relief_is_stated():
    capped = ECO.replace(zones=[iom.Zone("z", term_end=2026)])
    sc = scenario(duration=5)
    f = fiscal_accounts(iom.impact(MB, sc, economy=capped), sc.package)
    assert f.attrs["relief"] == (
        "plant: 2026-2026 (construction years 2026-2026 only: no year of operation "
        "(capped by the legal term of zone 'z' ending 2026))"
    )
    assert float(f.revenue_forgone.sel(year=slice(2027, None)).sum()) == 0.0
    ended = ECO.replace(zones=[iom.Zone("z", term_end=2025)])
    f = fiscal_accounts(iom.impact(MB, sc, economy=ended), sc.package)
    assert f.attrs["relief"].startswith("plant: none: relief would end in 2025, before the project starts in 2026")
    assert float(f.revenue_forgone.sum()) == 0.0
    # the package's own end year caps it too
    sc2 = scenario(duration=5, zone_term_end=2028)
    f = fiscal_accounts(iom.impact(MB, sc2, economy=ECO), sc2.package)
    assert "2026-2028" in f.attrs["relief"] and "2 of 5 years" in f.attrs["relief"]


def test_kazakhstan_size_rule_zone_terms_and_customs_pooling():
    eco = KZ.economy
    mci = eco.mci_for(2026)
    assert eco.relief_years(3_000_000 * mci, 2026) == 7
    assert eco.relief_years(3_000_001 * mci, 2026) == 15
    assert eco.relief_years(14_500_001 * mci, 2026) == 25
    inv = iom.ClusterInvestment(
        name="pp",
        cluster="petrochemical",
        capex={2026: 200_000.0, 2027: 300_000.0},
        output={y: 400_000.0 for y in range(2028, 2041)},
        equipment_import_share=0.9,
    )
    sc = iom.Scenario(
        name="petro",
        investments=(inv,),
        package=eco.sez_package(additionality=0.5),
        zone="pit",  # term until 1 January 2028
        years=(2026, 2040),
        unit="million KZT",
    )
    f = fiscal_accounts(iom.impact(KZ, sc), sc.package)
    assert eco.zone("pit").term_end == 2027
    assert "2026-2027" in f.attrs["relief"] and "ending 2027" in f.attrs["relief"]
    assert_allclose(f.revenue_forgone.sel(tax="customs"), 0.07055 * f.customs_forgone_pooled, rtol=1e-12)
    assert float(f.customs_forgone_pooled.sel(year=2026)) > 0  # imported equipment in the free customs zone


def test_fiscal_step_needs_no_io_model(tmp_path):
    res = iom.impact(MB, scenario(), economy=ECO)
    f = fiscal_accounts(res, res.scenario.package)
    path = tmp_path / "impact.nc"
    res.to_netcdf(path)
    back = fiscal_accounts(xr.load_dataset(path), res.scenario.package, economy=ECO)
    xr.testing.assert_allclose(back, f)
    # another additionality, discount rate, tax vintage: same components, no IO run
    g = fiscal_accounts(res, res.scenario.package.replace(additionality=0.8), discount_rate=0.1)
    assert g.attrs["additionality"] == 0.8 and g.attrs["discount_rate"] == 0.1
    assert_allclose(g.revenue_forgone, f.revenue_forgone)


def test_sweep_equals_one_account_per_value():
    res = iom.impact(KZ, iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml"))
    pkg = res.scenario.package
    a = np.array([0.1, 0.35, 0.6, 0.9])
    r = np.array([0.0, 0.03, 0.05, 0.1])
    sw = fiscal_sweep(res, pkg, additionality=a, discount_rate=r, displacement=0.3)
    for i in range(len(a)):
        f = fiscal_accounts(res, pkg.replace(additionality=a[i], displacement=0.3), discount_rate=r[i])
        assert_allclose(sw.nfe[i], f.nfe, rtol=1e-12)
        assert_allclose(float(sw.npv[i]), f.attrs["npv"], rtol=1e-12)
        assert int(sw.payback_year[i]) == f.attrs["payback_year"]
        assert_allclose(float(sw.break_even_additionality[i]), f.attrs["break_even_additionality"], rtol=1e-12)
    with pytest.raises(ValidationError, match="additionality must lie in"):
        fiscal_sweep(res, pkg, additionality=[0.5, 1.5])


def test_fiscal_identities_break_even_and_no_package():
    sc = iom.Scenario.from_toml("examples/scenarios/petrochemical_atyrau.toml")
    res = iom.impact(KZ, sc)
    f = fiscal_accounts(res, sc.package)
    assert_allclose(f.nfe, f.revenue_gained - f.revenue_forgone.sum("tax") - f.state_costs)
    assert (f.revenue_forgone >= 0).all() and (f.state_costs >= 0).all()
    a_star = f.attrs["break_even_additionality"]
    assert 0 < a_star < 1
    at = fiscal_accounts(res, sc.package.replace(additionality=a_star))
    assert abs(at.attrs["npv"]) < 1e-9 * at.attrs["pv_revenue_gross"]
    none = fiscal_accounts(res, None)
    assert float(none.revenue_forgone.sum()) == 0.0 and none.attrs["additionality"] == 1.0
    full = fiscal_accounts(res, sc.package.replace(additionality=1.0, displacement=0.0))
    # with full additionality the package costs exactly what it forgoes plus the zone costs
    assert_allclose(none.nfe.sum() - full.nfe.sum(), full.revenue_forgone.sum() + full.state_costs.sum(), rtol=1e-10)
    ap = iom.appraise(KZ, sc)
    xr.testing.assert_allclose(ap.fiscal, f)
    assert {"net fiscal effect, cumulative", "payback year", "GVA, operation"} <= set(ap.summary().index)


def test_missing_rates_and_bad_arguments_are_named():
    res = iom.impact(MB, scenario(), economy=iom.Economy(name="bare", zones=[iom.Zone("z")]))
    with pytest.raises(ValidationError, match=r"exempts \['CIT', 'VAT', 'social_tax'\].*no statutory rate"):
        fiscal_accounts(res, res.scenario.package)
    without = fiscal_accounts(res, None)
    assert without.attrs["taxes_not_valued"] == "CIT, VAT, social_tax"
    with pytest.raises(ValidationError, match=r"needs.*duration|no SEZ relief-duration rule"):
        fiscal_accounts(res, res.scenario.package.replace(duration=None), economy=ECO)
    with pytest.raises(ValidationError, match=r"must be an iomodel\.SEZPackage"):
        fiscal_accounts(res, {"CIT": 1.0})  # type: ignore[arg-type]
    with pytest.raises(LabelError, match="no zone 'y'"):
        iom.impact(MB, scenario(zone="y"), economy=ECO)


def test_a_share_of_a_participant_row_is_replaced():
    """Kazakhstan keeps the excise part of the plant's net product taxes on inputs (no package exempts it)."""
    part = ECO.replace(participant_tax_rows={"net_product_taxes": 0.75})
    res = iom.impact(MB, scenario(), economy=part)
    other = fiscal_accounts(res, res.scenario.package).revenue_other.to_pandas()
    x_o = L @ A[:, 1] * 100.0
    assert_allclose(other.loc[2027, "net_product_taxes"], T_NP @ x_o + 0.25 * 0.02 * 100.0)
    kz = iom.datasets.kazakhstan_economy()
    prov = {r["tax"]: r["revenue"] for r in iom.datasets.kazakhstan_provenance()["consumption_taxes"]}
    assert_allclose(kz.participant_tax_rows["net_product_taxes"], prov["VAT"] / (prov["VAT"] + prov["excise"]))
    assert kz.participant_tax_rows["CIT"] == 1.0


def test_a_dataset_read_back_needs_its_economy(tmp_path):
    sc = iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml")
    res = iom.impact(KZ, sc)
    res.to_netcdf(tmp_path / "r.nc")
    back = xr.load_dataset(tmp_path / "r.nc")
    with pytest.raises(ValidationError, match="computed in economy 'Kazakhstan 2024': pass it as economy="):
        fiscal_accounts(back, sc.package)
    xr.testing.assert_allclose(fiscal_accounts(back, sc.package, economy=KZ.economy), fiscal_accounts(res, sc.package))


def test_relief_rule_in_the_currency_needs_no_reference_unit():
    eco = iom.Economy(currency="USD", relief_rule=iom.economy.ReliefRule(((100.0, 2), (float("inf"), 5))))
    assert eco.relief_years(50.0, 2026) == 2 and eco.relief_years(500.0, 2026) == 5


def test_by_budget_level_splits_each_tax_and_shows_the_customs_union_apart():
    levels = {
        "net_product_taxes": {"central": 1.0},
        "PIT": {"central": 0.25, "regional": 0.75},
        **{t: {"regional": 1.0} for t in ("CIT", "VAT", "social_tax", "property_tax", "land_tax")},
        "customs": {"central": 1.0},
    }
    eco = ECO.replace(budget_levels=levels)
    res = iom.impact(MB, scenario(), economy=eco)
    f = fiscal_accounts(res, res.scenario.package)
    lv = iom.fiscal.by_budget_level(f, eco)
    assert list(lv.budget_level.values) == ["central", "regional", "customs_union_others"]
    a = f.attrs["additionality"]
    g = a * (f.revenue_other + f.revenue_exemptible)  # (year, tax)
    central = g.sel(tax="net_product_taxes") + 0.25 * g.sel(tax="PIT") + g.sel(tax="customs")
    assert_allclose(lv.revenue_gained.sel(budget_level="central"), central)
    regional = g.sel(tax=["CIT", "VAT", "social_tax", "property_tax", "land_tax"]).sum("tax") + 0.75 * g.sel(tax="PIT")
    assert_allclose(lv.revenue_gained.sel(budget_level="regional"), regional)
    national = lv.sel(budget_level=["central", "regional"]).sum("budget_level")
    assert_allclose(national.revenue_gained, f.revenue_gained)
    assert_allclose(national.revenue_forgone, f.revenue_forgone.sum("tax"))
    assert_allclose(float(lv.national_total), float((f.revenue_gained - f.revenue_forgone.sum("tax")).sum()))
    # the other members of a union that pools half the duties gain and forgo as much as the nation
    others = lv.sel(budget_level="customs_union_others")
    assert_allclose(others.revenue_forgone, f.customs_forgone_pooled - f.revenue_forgone.sel(tax="customs"))
    assert_allclose(others.revenue_forgone, f.revenue_forgone.sel(tax="customs"))
    assert_allclose(others.revenue_gained, a * f.revenue_exemptible.sel(tax="customs"))
    assert float(others.revenue_forgone.sum()) > 0


def test_by_budget_level_names_a_tax_without_a_level_and_refuses_bad_shares():
    res = iom.impact(MB, scenario(), economy=ECO)
    f = fiscal_accounts(res, res.scenario.package)
    with pytest.raises(ValidationError, match="has no budget levels"):
        iom.fiscal.by_budget_level(f, ECO)
    with pytest.raises(LabelError, match=r"no budget level for tax\(es\) \['PIT'"):
        iom.fiscal.by_budget_level(f, ECO.replace(budget_levels={"net_product_taxes": {"central": 1.0}}))
    with pytest.raises(ValidationError, match=r"'PIT' sum to 0\.9"):
        ECO.replace(budget_levels={"PIT": {"central": 0.4, "regional": 0.5}})
    with pytest.raises(ValidationError, match="shares in"):
        ECO.replace(budget_levels={"PIT": {"central": float("nan")}})


def test_kazakhstan_budget_levels_cover_every_tax_of_the_accounts_with_a_source():
    sc = iom.Scenario.from_toml("examples/scenarios/petrochemical_atyrau.toml")
    ap = iom.appraise(KZ, sc)
    lv = iom.fiscal.by_budget_level(ap.fiscal, KZ.economy)
    assert set(map(str, lv.budget_level.values)) == {"republican", "local", "national_fund", "customs_union_others"}
    for tax in map(str, ap.fiscal.tax.values):
        assert (
            "Budget Code" in KZ.economy.sources[f"budget_level:{tax}"]
            or "Treaty" in KZ.economy.sources[f"budget_level:{tax}"]
        )
    # PIT and social tax are local, oil-sector taxes go to the National Fund (Budget Code)
    assert dict(KZ.economy.budget_levels["PIT"]) == {"local": 1.0}
    assert dict(KZ.economy.budget_levels["MET_oil_sector"]) == {"national_fund": 1.0}
    nf = ap.fiscal.revenue_other.sel(tax=["CIT_oil_sector", "MET_oil_sector", "rent_tax_on_export_oil"]).sum("tax")
    assert_allclose(lv.revenue_gained.sel(budget_level="national_fund"), ap.fiscal.attrs["additionality"] * nf)
