"""Scenarios, impacts and fiscal accounts: identities, hand computations, bad input."""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel.errors import LabelError, ValidationError
from iomodel.fiscal import npv
from iomodel.impact import mixed_model, modified_inverse

KZ = iom.datasets.kazakhstan()
MB = iom.datasets.miller_blair()
MB_RATES = {"CIT": 0.2, "VAT": 0.12, "social_tax": 0.1, "property_tax": 0.01}


def mb_scenario(capex=None, output=None, kind="type1", package=None, **kw):
    inv = iom.ClusterInvestment(
        name="p",
        products={"manufacturing": 1.0},
        capex=capex or {2026: 100.0},
        output=output or {},
        bridge=iom.InvestmentBridge(shares={"agriculture": 1.0}, import_shares={"agriculture": 0.0}),
    )
    return iom.Scenario(
        name="mb", investments=(inv,), years=(2026, 2030), kind=kind, unit="dollars", mpc=0.8, package=package, **kw
    )


def kz_scenario(additionality=0.5, package=True, **kw):
    inv = iom.ClusterInvestment(
        name="pp",
        cluster="petrochemical",
        capex={2026: 200_000.0, 2027: 300_000.0},
        output={y: 400_000.0 for y in range(2028, 2041)},
        equipment_import_share=0.9,
    )
    pkg = (
        iom.SEZPackage.kazakhstan(additionality=additionality, state_costs={2026: 20_000.0}, zone_term_end=2036)
        if package
        else None
    )
    return iom.Scenario(name="petro", investments=(inv,), package=pkg, zone="nipt", years=(2026, 2040), **kw)


# --- hand-computed case on Miller & Blair -------------------------------------------------
def test_construction_by_hand_on_miller_blair():
    res = iom.impact(MB, mb_scenario())
    out = res.dataset["impact"].sel(investment="p", phase="construction", year=2026, indicator="output")
    L = np.array([[1.25412541, 0.330033], [0.2640264, 1.12211221]])
    assert_allclose(out.sel(effect="direct"), [100.0, 0.0])
    assert_allclose(out.sel(effect="indirect"), L[:, 0] * 100 - [100.0, 0.0], rtol=1e-7)
    assert_allclose(out.sel(effect="total").sum(), 151.8152, atol=1e-4)  # output multiplier 1.518152
    income = (
        res.dataset["impact"]
        .sel(investment="p", phase="construction", year=2026, indicator="income", effect="total")
        .sum()
    )
    assert_allclose(income, 100 * (0.3 * L[0, 0] + 0.25 * L[1, 0]), rtol=1e-7)


def test_operation_by_hand_on_miller_blair():
    """A new plant making manufacturing: direct = its output, indirect = L a_p X (new-industry model)."""
    res = iom.impact(MB, mb_scenario(capex={2026: 0.0}, output={2027: 100.0}))
    out = res.dataset["impact"].sel(investment="p", phase="operation", year=2027, indicator="output")
    assert_allclose(out.sel(effect="direct"), [0.0, 100.0])
    A = np.array([[0.15, 0.25], [0.20, 0.05]])
    L = np.linalg.inv(np.eye(2) - A)
    assert_allclose(out.sel(effect="indirect"), L @ A[:, 1] * 100, rtol=1e-12)
    jobs = res.dataset["impact"].sel(investment="p", phase="operation", year=2027, indicator="income")
    assert_allclose(jobs.sel(effect="direct").sum(), 25.0)  # h_R of manufacturing 0.25


def test_type2_induced_against_bordered_inverse():
    sc = mb_scenario(kind="type2", capex={2026: 0.0}, output={2027: 100.0})
    res = iom.impact(MB, sc)
    out = res.dataset["impact"].sel(investment="p", phase="operation", year=2027, indicator="output")
    h_R, h_C, _ = MB.household_vectors(iom.HouseholdClosure(propensity=0.8))
    Abar = np.zeros((3, 3))
    Abar[:2, :2] = MB.A.to_numpy()
    Abar[:2, 2], Abar[2, :2] = h_C, h_R
    a_p = np.r_[MB.A.to_numpy()[:, 1], 0.25]  # the plant's inputs and its wage bill per unit
    xbar = np.linalg.solve(np.eye(3) - Abar, a_p * 100)
    assert_allclose((out.sel(effect="indirect") + out.sel(effect="induced")).values, xbar[:2], rtol=1e-10)


# --- identities ----------------------------------------------------------------------------
def test_effects_add_up_and_impacts_are_linear():
    r1 = iom.impact(KZ, kz_scenario())
    imp = r1.dataset["impact"]
    assert_allclose(
        imp.sel(effect="total"), imp.sel(effect=["direct", "indirect", "induced"]).sum("effect"), rtol=1e-12, atol=1e-6
    )
    inv = r1.scenario.investments[0]
    doubled = iom.ClusterInvestment(
        name="pp",
        cluster="petrochemical",
        capex={y: 2 * v for y, v in inv.capex.items()},
        output={y: 2 * v for y, v in inv.output.items()},
        equipment_import_share=0.9,
    )
    r2 = iom.impact(KZ, r1.scenario.replace(investments=(doubled,)))
    assert_allclose(r2.dataset["impact"], 2 * imp, rtol=1e-10, atol=1e-6)
    # additivity: two projects = the sum of each alone
    other = iom.ClusterInvestment(
        name="mb", cluster="machine_building", capex={2027: 50_000.0}, output={y: 30_000.0 for y in range(2029, 2041)}
    )
    both = iom.impact(KZ, r1.scenario.replace(investments=(inv, other)))
    alone = iom.impact(KZ, r1.scenario.replace(investments=(other,)))
    total = both.dataset["impact"].sum("investment")
    assert_allclose(total, imp.sum("investment") + alone.dataset["impact"].sum("investment"), rtol=1e-10, atol=1e-6)


def test_fiscal_identities():
    res = iom.impact(KZ, kz_scenario(additionality=0.6))
    f = res.fiscal
    assert_allclose(f.nfe, f.revenue_gained - f.revenue_forgone.sum("tax_participant") - f.state_costs)
    assert (f.revenue_forgone >= 0).all() and (f.state_costs >= 0).all()
    zero = iom.impact(KZ, kz_scenario(additionality=0.6, discount_rate=0.0)).fiscal
    assert_allclose(zero.attrs["npv"], float(zero.nfe.sum()), rtol=1e-12)
    assert_allclose(zero.nfe_discounted_cumulative[-1], zero.nfe_cumulative[-1])
    assert_allclose(f.attrs["npv"], npv(f.nfe.values, 0.05))


def test_break_even_additionality_zeroes_npv():
    res = iom.impact(KZ, kz_scenario(additionality=0.5))
    a_star = res.fiscal.attrs["break_even_additionality"]
    assert 0 < a_star < 1
    at = iom.impact(KZ, kz_scenario(additionality=a_star))
    assert abs(at.fiscal.attrs["npv"]) < 1e-6 * at.fiscal.attrs["pv_revenue_gross"]
    lower = iom.impact(KZ, kz_scenario(additionality=a_star * 0.9))
    assert (
        lower.fiscal.attrs["npv"]
        < 0
        < iom.impact(KZ, kz_scenario(additionality=min(1, a_star * 1.1))).fiscal.attrs["npv"]
    )


def test_without_package_nothing_is_forgone():
    res = iom.impact(KZ, kz_scenario(package=False))
    f = res.fiscal
    assert float(f.revenue_forgone.sum()) == 0.0
    assert_allclose(f.nfe, f.revenue_collected)
    with_pkg = iom.impact(KZ, kz_scenario(additionality=1.0)).fiscal
    # with full additionality the package costs exactly what it forgoes (plus zone costs)
    assert_allclose(
        f.nfe.sum() - with_pkg.nfe.sum(), with_pkg.revenue_forgone.sum() + with_pkg.state_costs.sum(), rtol=1e-10
    )


def test_relief_follows_the_2024_size_rule():
    pkg = iom.SEZPackage.kazakhstan()
    mci = 4325.0
    assert pkg.years_of_relief(3_000_000 * mci, mci) == 7
    assert pkg.years_of_relief(3_000_001 * mci, mci) == 15
    assert pkg.years_of_relief(14_500_001 * mci, mci) == 25
    res = iom.impact(KZ, kz_scenario())
    assert "2026-2036" in res.fiscal.attrs["relief"]  # capped by the zone's term
    years = res.fiscal.year.values
    assert float(res.fiscal.revenue_forgone.sel(year=years[years > 2036]).sum()) == 0.0


def test_capex_taxes_and_customs():
    res = iom.impact(KZ, kz_scenario())
    customs = res.fiscal.revenue_forgone.sel(tax_participant="customs")
    assert float(customs.sel(year=2026)) > 0  # imported equipment in the free customs zone


# --- mixed model: closed form and LP -------------------------------------------------------
def test_mixed_model_closed_form_and_lp():
    t = KZ
    fixed = pd.Series({"20": 1000.0, "192": 500.0})
    fN = pd.Series({"41-43": 800.0})
    x, f = mixed_model(t, fixed, fN)
    assert_allclose(x[["20", "192"]], [1000.0, 500.0])
    # consistency: (I - A) x = f everywhere
    assert_allclose((np.eye(68) - t.A.to_numpy()) @ x.to_numpy(), f.to_numpy(), atol=1e-6)
    # closed form: L_mod applied to the final demand of the free sectors, plus the fixed part
    Lmod = modified_inverse(t, ["20", "192"]).to_numpy()
    L = t.leontief_inverse().to_numpy()
    assert_allclose(
        Lmod,
        L - L[:, [20, 19]] @ np.linalg.solve(L[np.ix_([20, 19], [20, 19])], L[[20, 19], :]),
        rtol=1e-10,
        atol=1e-14,
    )
    f_free = t.align_demand(fN).to_numpy()
    x_free_part = Lmod @ f_free
    assert_allclose(x_free_part[[20, 19]], 0.0, atol=1e-9)  # fixed sectors do not move
    # LP: minimise total output s.t. (I - A)_N x >= f_N, x_E fixed, x >= 0 (HiGHS)
    A = t.A.to_numpy()
    E = t.sectors.isin(["20", "192"])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    n = 68
    lp.num_col_, lp.num_row_ = n, int((~E).sum())
    lp.col_cost_ = np.ones(n)
    lo, up = np.zeros(n), np.full(n, highspy.kHighsInf)
    lo[E] = up[E] = x.to_numpy()[E]
    lp.col_lower_, lp.col_upper_ = lo, up
    M = (np.eye(n) - A)[~E]
    lp.row_lower_, lp.row_upper_ = f.to_numpy()[~E], np.full(lp.num_row_, highspy.kHighsInf)
    import scipy.sparse as sp

    csc = sp.csc_matrix(M)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = csc.indptr, csc.indices, csc.data
    h.passModel(lp)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert_allclose(np.array(h.getSolution().col_value), x.to_numpy(), rtol=1e-7, atol=1e-6)
    with pytest.raises(LabelError, match="both a fixed output and a final demand"):
        mixed_model(t, fixed, pd.Series({"20": 1.0}))


# --- results: dataset, netCDF, summary, plot, TOML ------------------------------------------
def test_result_dataset_netcdf_summary_plot(tmp_path):
    res = iom.impact(KZ, kz_scenario())
    ds = res.to_dataset()
    assert set(ds.impact.dims) == {"investment", "phase", "year", "effect", "indicator", "sector"}
    assert {"employment", "gva", "budget", "tax:CIT", "tax:PIT"} <= set(ds.indicator.values)
    p = tmp_path / "r.nc"
    res.to_netcdf(p)
    back = xr.load_dataset(p)
    xr.testing.assert_allclose(back.impact, ds.impact)
    assert iom.Scenario.from_toml(back.attrs["scenario_toml"]) == res.scenario
    s = res.summary()
    assert {"net fiscal effect, cumulative", "break-even additionality", "payback year"} <= set(s.index)
    assert s.loc["construction jobs (job-years, all effects)", "unit"] == "job-years"
    fig = res.plot()
    assert len(fig.axes) == 3


def test_toml_round_trip(tmp_path):
    sc = kz_scenario()
    sc2 = sc.replace(
        investments=(
            iom.ClusterInvestment(
                name="x",
                products={"28": 0.6, "25": 0.4},
                capex={2026: 10.0},
                bridge=iom.InvestmentBridge(shares={"41-43": 0.5, "28": 0.5}, import_shares={"28": 0.8}),
            ),
        )
    )
    for s in (sc, sc2):
        path = tmp_path / "s.toml"
        s.to_toml(path)
        assert iom.Scenario.from_toml(path) == s


# --- bad scenarios ---------------------------------------------------------------------------
def test_bad_scenarios():
    with pytest.raises(LabelError, match="unknown cluster 'space'"):
        iom.impact(
            KZ,
            iom.Scenario(
                name="s",
                investments=(iom.ClusterInvestment(name="a", cluster="space", capex={2026: 1.0}),),
                years=(2026, 2030),
            ),
        )
    with pytest.raises(LabelError, match=r"unknown product\(s\) \['999'\]"):
        iom.impact(
            KZ,
            iom.Scenario(
                name="s",
                investments=(iom.ClusterInvestment(name="a", products={"999": 1.0}, capex={2026: 1.0}),),
                years=(2026, 2030),
            ),
        )
    with pytest.raises(ValidationError, match="negative value -5.0 for 2026"):
        iom.ClusterInvestment(name="a", cluster="agro", capex={2026: -5.0})
    with pytest.raises(ValidationError, match="shares sum to 0.9, not 1"):
        iom.ClusterInvestment(name="a", products={"01": 0.5, "03": 0.4})
    with pytest.raises(ValidationError, match=r"year\(s\) \[2050\] outside the scenario horizon 2026-2030"):
        iom.Scenario(
            name="s",
            investments=(iom.ClusterInvestment(name="a", cluster="agro", capex={2050: 1.0}),),
            years=(2026, 2030),
        )
    with pytest.raises(ValidationError, match=r"outside the horizon of table 'Kazakhstan 2024' \(2024-2084\)"):
        iom.impact(
            KZ,
            iom.Scenario(
                name="s",
                investments=(iom.ClusterInvestment(name="a", cluster="agro", capex={2020: 1.0}),),
                years=(2020, 2030),
            ),
        )
    with pytest.raises(LabelError, match=r"unknown tax\(es\) \['wealth_tax'\]"):
        iom.SEZPackage(exemptions={"wealth_tax": 1.0})
    with pytest.raises(ValidationError, match="additionality must lie in"):
        iom.SEZPackage(additionality=1.5)
    with pytest.raises(LabelError, match=r"unknown field\(s\) \['capexx'\]"):
        iom.Scenario.from_dict({"name": "s", "investments": [{"name": "a", "cluster": "agro", "capexx": {}}]})
    with pytest.raises(ValidationError, match="pass the statutory rates"):
        iom.impact(MB, mb_scenario(package=iom.SEZPackage(exemptions={"CIT": 1.0}, duration=3)))
    res = iom.impact(MB, mb_scenario(package=iom.SEZPackage(exemptions={"CIT": 1.0}, duration=3)), rates=MB_RATES)
    assert res.fiscal.attrs["payback_year"] != 0


def test_cli_impact_runs_a_scenario_file(tmp_path, capsys):
    from pathlib import Path

    from iomodel import cli

    toml = Path(__file__).resolve().parents[1] / "examples/scenarios/machine_building_ahmp.toml"
    assert cli.main(["impact", str(toml), "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "break-even additionality" in out
    for f in ("impact.nc", "summary.csv", "fiscal_by_year.csv", "totals_by_year.csv", "impact_employment.png"):
        assert (tmp_path / f).is_file(), f
    back = xr.load_dataset(tmp_path / "impact.nc")
    assert iom.Scenario.from_toml(back.attrs["scenario_toml"]) == iom.Scenario.from_toml(toml)
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[investments]]\nname = "a"\ncluster = "nowhere"\n[investments.capex]\n2026 = 1.0\n')
    assert cli.main(["impact", str(bad), "--output", str(tmp_path / "b")]) == 2
    assert "unknown cluster 'nowhere'" in capsys.readouterr().err


def test_from_toml_reads_text_paths_and_reports_missing_files(tmp_path):
    from pathlib import Path

    sc = kz_scenario()
    text = sc.to_toml()
    assert iom.Scenario.from_toml(text) == sc          # text whose first key is not "name"
    assert iom.Scenario.from_toml("\n" + text) == sc
    p = tmp_path / "s.toml"
    p.write_text(text)
    assert iom.Scenario.from_toml(p) == sc and iom.Scenario.from_toml(str(p)) == sc
    with pytest.raises(ValidationError, match="scenario file .*missing.toml not found"):
        iom.Scenario.from_toml(Path(tmp_path / "missing.toml"))
    with pytest.raises(ValidationError, match="scenario TOML is invalid"):
        iom.Scenario.from_toml("name = \n")
