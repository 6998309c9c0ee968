"""An SEZ scenario in the CGE model (issue 9): the policy of ``from_sez`` recomputed by hand from the
SAM and the scenario file, and ``compare_with_io`` against the IO impact and the CGE solutions it reports."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import iomodel as iom
from iomodel import cge
from iomodel.errors import ValidationError

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "scenarios" / "machine_building_ahmp.toml"


@pytest.fixture(scope="module")
def kz() -> iom.IOTable:
    return iom.datasets.kazakhstan()


@pytest.fixture(scope="module")
def sam(kz: iom.IOTable) -> cge.SAM:
    return cge.SAM.from_table(kz)


@pytest.fixture(scope="module")
def scenario() -> iom.Scenario:
    return iom.Scenario.from_toml(SCENARIO)


def _hand_shares(kz: iom.IOTable, scenario: iom.Scenario) -> dict[str, float]:
    """Peak output (million KZT in the file) spread over the cluster's core members by output, over sector output."""
    inv = scenario.investments[0]
    peak_thousand = max(inv.output.values()) * 1000.0
    members = kz.economy.cluster_table()
    core = members[(members["cluster"] == inv.cluster) & (members["role"] == "core")]
    sectors = [str(s) for s in core["product"]]
    x = kz.output.loc[sectors]
    return {s: peak_thousand * x[s] / x.sum() / x[s] for s in sectors}


def test_plant_shares_by_hand(kz, scenario):
    shares = cge.plant_shares(kz, scenario)
    hand = _hand_shares(kz, scenario)
    assert sorted(shares[shares > 0].index) == sorted(hand)
    for s, v in hand.items():
        assert shares[s] == pytest.approx(v, rel=1e-12)


def test_policy_by_hand(kz, sam, scenario):
    policy = cge.from_sez(kz, scenario, sam=sam)
    hand = _hand_shares(kz, scenario)
    frame = sam.frame
    goods = [str(g) for g in sam.goods]
    # capital: the plants' share of each sector's capital
    for s, share in hand.items():
        assert policy.capital_stock_change[s] == pytest.approx(share * frame.loc["CAP", s], rel=1e-12)
    # CIT: the rate on capital income cut in proportion to the plants' share (full exemption in the file)
    tau = frame.loc[list(sam.factor_taxes), "CAP"].sum() / frame.loc["CAP", goods].sum()
    for s, share in hand.items():
        assert policy.factor_tax_rate["CAP"][s] == pytest.approx(tau * (1 - share), rel=1e-12)
    # property and land: the other taxes on production of the plants' sectors, share exempted; rates are on
    # gross output before production taxes, intermediates plus factor payments (Hosoe et al. 2010, ch. 6)
    for s, share in hand.items():
        z = frame.loc[list(sam.factors) + goods, s].sum()
        full = frame.loc[list(sam.production_taxes), s].sum() / z
        other = frame.loc["other_taxes_on_production", s] / z
        assert policy.production_tax_rate[s] == pytest.approx(full - share * other, rel=1e-12)
    # customs: each good's tariff cut by the plants' share of its imports (their sectors' imported inputs)
    plant_imports = sum(kz.imports[s] * share for s, share in hand.items())
    for g, rate in policy.tariff_rate.items():
        imports = frame.loc[sam.rest_of_world, g]
        bench = frame.loc[list(sam.tariffs), g].sum() / imports
        assert rate == pytest.approx(bench * (1 - plant_imports[g] / imports), rel=1e-9)
    assert set(policy.tariff_rate) == {g for g in goods if plant_imports.get(g, 0) > 0}


def test_policy_without_package_changes_capital_only(kz, sam, scenario):
    bare = scenario.replace(package=None)
    policy = cge.from_sez(kz, bare, sam=sam)
    assert policy.capital_stock_change and not policy.factor_tax_rate
    assert not policy.tariff_rate and not policy.production_tax_rate


def test_plants_larger_than_their_sector_refused(kz, scenario):
    inv = scenario.investments[0]
    huge = dataclasses.replace(inv, output={y: v * 1e4 for y, v in inv.output.items()})
    with pytest.raises(ValidationError, match="more than the whole output of sector"):
        cge.plant_shares(kz, scenario.replace(investments=(huge,)))


@pytest.fixture(scope="module")
def comparison(kz, sam, scenario):
    return cge.compare_with_io(kz, scenario, sam=sam, labour=("fixed_real_wage",))


def test_io_side_is_the_impact_in_the_peak_year(kz, scenario, comparison):
    ds = iom.impact(kz, scenario).dataset
    op = ds["impact"].sel(phase="operation", year=2030, effect="total").sum("investment")
    assert comparison.attrs["year"] == 2030  # the first year at the peak of 60,000 million KZT
    assert float(comparison["total_output_io"]) == pytest.approx(float(op.sel(indicator="output").sum()), rel=1e-12)
    assert float(comparison["total_jobs_io"]) == pytest.approx(float(op.sel(indicator="employment").sum()), rel=1e-12)
    acc = iom.fiscal.fiscal_accounts(iom.impact(kz, scenario), scenario.package)
    collected = float(acc["revenue_collected"].sel(year=2030)) * 1000.0  # million to thousand KZT
    assert float(comparison["total_budget_io"]) == pytest.approx(collected, rel=1e-12)


def test_cge_side_against_its_own_solutions(sam, kz, scenario, comparison):
    model = cge.StandardCGE(
        sam, closure=cge.Closure(labour="fixed_real_wage", capital="sector_specific"), numeraire="CPI"
    )
    base, new = model.solve(), model.solve(cge.from_sez(kz, scenario, sam=sam))
    d_out = new.values["Z"] - base.values["Z"]
    np.testing.assert_allclose(comparison["output_cge"].sel(scenario="fixed_real_wage"), d_out, rtol=1e-6, atol=1.0)
    assert float(comparison["total_budget_cge"][0]) == pytest.approx(
        float(new.values["T"] - base.values["T"]), rel=1e-6
    )
    # the plants' sectors grow; the economy as a whole grows by less than the IO model says
    for s in ("245", "25", "28"):
        assert float(comparison["output_cge"].sel(scenario="fixed_real_wage", sector=s)) > 0
    io, ce = float(comparison["total_output_io"]), float(comparison["total_output_cge"][0])
    assert 0 < ce < io
    assert float(comparison["crowding_out_output"][0]) == pytest.approx((io - ce) / io, rel=1e-12)
    # jobs are the sum of the sectors'
    assert float(comparison["total_jobs_cge"][0]) == pytest.approx(
        float(comparison["jobs_cge"].sel(scenario="fixed_real_wage").sum()), rel=1e-12
    )
