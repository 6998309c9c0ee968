"""Scenarios and impacts: hand computations, identities, the result, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel.errors import LabelError, ValidationError

KZ = iom.datasets.kazakhstan()
MB = iom.datasets.miller_blair()
L_MB = np.linalg.inv(np.eye(2) - np.array([[0.15, 0.25], [0.20, 0.05]]))


def mb_scenario(capex=None, output=None, kind="type1", package=None, **kw):
    inv = iom.ClusterInvestment(
        name="p",
        products={"manufacturing": 1.0},
        capex=capex or {2026: 100.0},
        output=output or {},
        bridge=iom.InvestmentBridge(shares={"agriculture": 1.0}, import_shares={"agriculture": 0.0}),
    )
    return iom.Scenario(name="mb", investments=(inv,), years=(2026, 2030), kind=kind, package=package, **kw)


def kz_scenario(additionality=0.5, package=True, **kw):
    inv = iom.ClusterInvestment(
        name="pp",
        cluster="petrochemical",
        capex={2026: 200_000.0, 2027: 300_000.0},
        output={y: 400_000.0 for y in range(2028, 2041)},
        equipment_import_share=0.9,
    )
    pkg = KZ.economy.sez_package(additionality=additionality, state_costs={2026: 20_000.0}) if package else None
    return iom.Scenario(
        name="petro", investments=(inv,), package=pkg, zone="nipt", years=(2026, 2040), unit="million KZT", **kw
    )


# --- hand-computed cases on Miller & Blair -------------------------------------------------
def test_construction_by_hand_on_miller_blair():
    res = iom.impact(MB, mb_scenario())
    out = res.dataset["impact"].sel(investment="p", phase="construction", year=2026, indicator="output")
    assert_allclose(out.sel(effect="direct"), [100.0, 0.0])
    assert_allclose(out.sel(effect="indirect"), L_MB[:, 0] * 100 - [100.0, 0.0], rtol=1e-12)
    assert_allclose(out.sel(effect="total").sum(), 151.8152, atol=1e-4)  # output multiplier 1.518152
    income = res.dataset["impact"].sel(
        investment="p", phase="construction", year=2026, indicator="income", effect="total"
    )
    assert_allclose(income.sum(), 100 * (0.3 * L_MB[0, 0] + 0.25 * L_MB[1, 0]), rtol=1e-12)
    assert res.dataset.attrs["economy"] == "neutral economy"  # the table has none
    assert_allclose(res.dataset["capex"].sel(investment="p", year=2026), 100.0)


def test_operation_by_hand_on_miller_blair():
    """A new plant making manufacturing: direct = its output, indirect = L a_p X (new-industry model)."""
    res = iom.impact(MB, mb_scenario(capex={2026: 0.0}, output={2027: 100.0}))
    out = res.dataset["impact"].sel(investment="p", phase="operation", year=2027, indicator="output")
    assert_allclose(out.sel(effect="direct"), [0.0, 100.0])
    A = np.array([[0.15, 0.25], [0.20, 0.05]])
    assert_allclose(out.sel(effect="indirect"), L_MB @ A[:, 1] * 100, rtol=1e-12)
    income = res.dataset["impact"].sel(investment="p", phase="operation", year=2027, indicator="income")
    assert_allclose(income.sel(effect="direct").sum(), 25.0)  # h_R of manufacturing 0.25
    ds = res.dataset.sel(investment="p", year=2027)
    assert_allclose(ds["plant_wages"], 25.0)
    assert_allclose(ds["plant_domestic_inputs"], 100 * A[:, 1].sum())


def test_type2_closure_with_deductions_and_consumption_taxes_against_the_bordered_inverse():
    """Leakage-consistent closure (METHODS.md 1.4): spending c(1-delta) of labour income, VAT tau/(1+tau) of it."""
    mpc, delta, vat = 0.8, 0.2, 0.1
    eco = iom.Economy(name="t", closure=iom.HouseholdClosure(mpc=mpc, deductions=delta, consumption_taxes={"VAT": vat}))
    res = iom.impact(MB, mb_scenario(kind="type2", capex={2026: 0.0}, output={2027: 100.0}), economy=eco)
    # the bordered matrix by hand: households buy 40 and 320 of 360 of domestic products at basic prices
    h_C = mpc * (1 - delta) / (1 + vat) * np.array([40.0, 320.0]) / 360.0
    Abar = np.zeros((3, 3))
    Abar[:2, :2] = [[0.15, 0.25], [0.20, 0.05]]
    Abar[:2, 2], Abar[2, :2] = h_C, [0.30, 0.25]
    a_p = np.r_[0.25, 0.05, 0.25]  # the plant's inputs and its wage bill per unit of output
    xbar = np.linalg.solve(np.eye(3) - Abar, a_p * 100)
    out = res.dataset["impact"].sel(investment="p", phase="operation", year=2027, indicator="output")
    assert_allclose((out.sel(effect="indirect") + out.sel(effect="induced")).values, xbar[:2], rtol=1e-12)
    vat_paid = res.dataset["consumption_taxes"].sel(investment="p", phase="operation", year=2027, tax="VAT")
    assert_allclose(vat_paid, mpc * (1 - delta) * vat / (1 + vat) * xbar[2], rtol=1e-12)
    # the switch leaves them out of the result, not out of the closure
    off = iom.impact(MB, res.scenario, economy=eco, consumption_taxes=False)
    assert off.dataset.sizes["tax"] == 0
    xr.testing.assert_allclose(off.dataset["impact"], res.dataset["impact"])
    # Type I has no induced consumption
    t1 = iom.impact(MB, res.scenario.replace(kind="type1"), economy=eco)
    assert float(t1.dataset["consumption_taxes"].sum()) == 0.0


def test_kazakhstan_closure_withholds_pit_and_employee_contributions():
    eco = iom.datasets.kazakhstan_economy(2024)
    pit = next(r for r in iom.datasets.kazakhstan_provenance()["calibrated_taxes"] if r["tax"] == "PIT")["rate"]
    assert_allclose(eco.closure.deductions, pit + 0.10 + 0.02)  # PIT + pension 10% + health 2%
    # induced jobs fall by the leakage ratio against the PIT-only closure (about 15% fewer)
    pit_only = eco.replace(closure=iom.HouseholdClosure(mpc=0.8, deductions=pit))
    sc = kz_scenario(package=False)
    ind = lambda e: float(  # noqa: E731
        iom.impact(KZ, sc, economy=e).dataset["impact"].sel(indicator="employment", effect="induced").sum()
    )
    no_ctax = eco.replace(closure=iom.HouseholdClosure(mpc=0.8, deductions=eco.closure.deductions))
    assert 0.80 < ind(no_ctax) / ind(pit_only) < 0.90


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
    assert_allclose(r2.dataset["consumption_taxes"], 2 * r1.dataset["consumption_taxes"], rtol=1e-10)
    other = iom.ClusterInvestment(
        name="mb", cluster="machine_building", capex={2027: 50_000.0}, output={y: 30_000.0 for y in range(2029, 2041)}
    )
    both = iom.impact(KZ, r1.scenario.replace(investments=(inv, other)))
    alone = iom.impact(KZ, r1.scenario.replace(investments=(other,)))
    total = both.dataset["impact"].sum("investment")
    assert_allclose(total, imp.sum("investment") + alone.dataset["impact"].sum("investment"), rtol=1e-10, atol=1e-6)


def test_units_convert_generically():
    in_millions = iom.impact(KZ, kz_scenario(package=False))
    in_billions = iom.impact(
        KZ,
        kz_scenario(package=False).replace(
            unit="billion KZT",
            investments=(
                iom.ClusterInvestment(
                    name="pp",
                    cluster="petrochemical",
                    capex={2026: 200.0, 2027: 300.0},
                    output={y: 400.0 for y in range(2028, 2041)},
                    equipment_import_share=0.9,
                ),
            ),
        ),
    )
    assert_allclose(in_billions.dataset["impact"], in_millions.dataset["impact"], rtol=1e-12)
    with pytest.raises(ValidationError, match="different currencies"):
        iom.impact(KZ, kz_scenario(package=False).replace(unit="million USD"))


# --- the result ---------------------------------------------------------------------------
def test_result_dataset_netcdf_summary_plot(tmp_path):
    res = iom.impact(KZ, kz_scenario())
    ds = res.to_dataset()
    assert set(ds.impact.dims) == {"investment", "phase", "year", "effect", "indicator", "sector"}
    assert {"employment", "gva", "budget", "tax:CIT", "tax:PIT"} <= set(ds.indicator.values)
    assert set(ds["consumption_taxes"].tax.values) == {"VAT", "excise"}
    for v in ds.data_vars:
        assert "units" in ds[v].attrs, v
    p = tmp_path / "r.nc"
    res.to_netcdf(p)
    back = xr.load_dataset(p)
    xr.testing.assert_allclose(back.impact, ds.impact)
    assert iom.impacts.scenario_of(back) == res.scenario
    s = res.summary()
    assert s.loc["construction jobs (job-years, all effects)", "unit"] == "job-years"
    assert s.loc["GVA, operation", "unit"] == "million KZT"
    # budget revenue = production taxes plus taxes on induced consumption
    b = res.budget().sum()
    prod = ds.impact.sel(effect="total", indicator="budget").sum() / res.unit_factor
    assert_allclose(b, prod + ds.consumption_taxes.sum() / res.unit_factor)
    assert len(res.plot().axes) == 2


def test_toml_round_trip_and_hashable(tmp_path):
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
    for k, s in enumerate((sc, sc2)):
        path = tmp_path / f"s{k}.toml"
        s.to_toml(path)
        assert iom.Scenario.from_toml(path) == s
        assert hash(iom.Scenario.from_toml(path)) == hash(s)
    with pytest.raises(iom.WriteError, match="overwrite=True"):
        sc.to_toml(tmp_path / "s1.toml")  # an existing file is not replaced without consent
    sc.to_toml(tmp_path / "s1.toml", overwrite=True)
    assert iom.Scenario.from_toml(tmp_path / "s1.toml") == sc
    with pytest.raises(TypeError):
        sc.investments[0].capex[2026] = 1.0  # type: ignore[index]


# --- economy facts at work ------------------------------------------------------------------
def test_unknown_zone_and_cluster_name_the_valid_ids():
    with pytest.raises(LabelError, match=r"no zone 'atlantis'; valid zone ids are \[.*'nipt'"):
        iom.impact(KZ, kz_scenario().replace(zone="atlantis"))
    with pytest.raises(LabelError, match=r"unknown cluster 'space'.*valid options are"):
        iom.impact(
            KZ,
            iom.Scenario(
                name="s",
                investments=(iom.ClusterInvestment(name="a", cluster="space", capex={2026: 1.0}),),
                years=(2026, 2030),
            ),
        )
    with pytest.raises(LabelError, match="defines no clusters"):
        iom.impact(
            MB,
            iom.Scenario(
                name="s",
                investments=(
                    iom.ClusterInvestment(
                        name="a",
                        cluster="agro",
                        capex={2026: 1.0},
                        bridge=iom.InvestmentBridge(shares={"agriculture": 1.0}),
                    ),
                ),
                years=(2026, 2030),
            ),
        )


def test_equipment_share_uses_the_economy_machinery_products():
    inv = iom.ClusterInvestment(name="a", cluster="agro", capex={2026: 100.0}, equipment_import_share=1.0)
    res = iom.impact(KZ, iom.Scenario(name="s", investments=(inv,), years=(2026, 2027), unit="million KZT"))
    direct = res.dataset["impact"].sel(phase="construction", effect="direct", indicator="output", year=2026)
    assert_allclose(direct.sel(sector=list(KZ.economy.machinery_products)).values, 0.0)  # all imported
    with pytest.raises(ValidationError, match="names the machinery products"):
        iom.impact(
            MB,
            iom.Scenario(
                name="s",
                investments=(
                    iom.ClusterInvestment(
                        name="a",
                        products={"manufacturing": 1.0},
                        capex={2026: 1.0},
                        equipment_import_share=0.5,
                        bridge=iom.InvestmentBridge(shares={"manufacturing": 1.0}),
                    ),
                ),
                years=(2026, 2027),
            ),
        )


# --- bad scenarios ---------------------------------------------------------------------------
def test_bad_scenarios():
    with pytest.raises(LabelError, match=r"unknown product\(s\) \['999'\]"):
        iom.impact(
            KZ,
            iom.Scenario(
                name="s",
                investments=(iom.ClusterInvestment(name="a", products={"999": 1.0}, capex={2026: 1.0}),),
                years=(2026, 2030),
            ),
        )
    with pytest.raises(ValidationError, match=r"negative value -5\.0 for 2026"):
        iom.ClusterInvestment(name="a", cluster="agro", capex={2026: -5.0})
    with pytest.raises(ValidationError, match="land_tax: expected a finite number, got nan"):
        iom.ClusterInvestment(name="a", cluster="agro", land_tax=float("nan"))
    with pytest.raises(ValidationError, match="mpc: expected a number, got 'high'"):
        iom.Scenario(name="s", investments=(iom.ClusterInvestment(name="a", cluster="agro"),), mpc="high")
    with pytest.raises(ValidationError, match=r"shares sum to 0\.9, not 1"):
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
    with pytest.raises(ValidationError, match="duration must be a whole number"):
        iom.SEZPackage(duration=2.5)  # type: ignore[arg-type]
    with pytest.raises(LabelError, match=r"unknown field\(s\) \['capexx'\]"):
        iom.Scenario.from_dict({"name": "s", "investments": [{"name": "a", "cluster": "agro", "capexx": {}}]})
    with pytest.raises(ValidationError, match="not an ISO date"):
        iom.Scenario(name="s", investments=(iom.ClusterInvestment(name="a", cluster="agro"),), tax_vintage="2026")


def test_cli_impact_runs_a_scenario_file(tmp_path, capsys):
    from iomodel import cli

    toml = Path(__file__).resolve().parents[1] / "examples/scenarios/machine_building_ahmp.toml"
    assert cli.main(["impact", str(toml), "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "break-even additionality" in out
    for f in ("impact.nc", "summary.csv", "fiscal_by_year.csv", "totals_by_year.csv", "impact_employment.png"):
        assert (tmp_path / f).is_file(), f
    back = xr.load_dataset(tmp_path / "impact.nc")
    assert iom.impacts.scenario_of(back) == iom.Scenario.from_toml(toml)
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\nunit = "million KZT"\n'
        '[[investments]]\nname = "a"\ncluster = "nowhere"\n[investments.capex]\n2026 = 1.0\n'
    )
    assert cli.main(["impact", str(bad), "--output", str(tmp_path / "b")]) == 2
    assert "unknown cluster 'nowhere'" in capsys.readouterr().err


def test_from_toml_reads_text_paths_and_reports_missing_files(tmp_path):
    sc = kz_scenario()
    text = sc.to_toml()
    assert iom.Scenario.from_toml(text) == sc  # text whose first key is not "name"
    assert iom.Scenario.from_toml("\n" + text) == sc
    p = tmp_path / "s.toml"
    p.write_text(text)
    assert iom.Scenario.from_toml(p) == sc and iom.Scenario.from_toml(str(p)) == sc
    with pytest.raises(ValidationError, match=r"scenario file .*missing\.toml not found"):
        iom.Scenario.from_toml(Path(tmp_path / "missing.toml"))
    with pytest.raises(ValidationError, match="scenario TOML is invalid"):
        iom.Scenario.from_toml("name = \n")


def test_scenario_files_state_their_unit(tmp_path):
    text = kz_scenario().to_toml().replace('unit = "million KZT"\n', "")
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ValidationError, match=r'state the monetary unit of its figures, e\.g\. unit = "million KZT"'):
        iom.Scenario.from_toml(path)
    assert iom.Scenario.from_toml(text).unit is None  # TOML text (e.g. stored in a result) may leave it to the table


def test_capex_bridge_is_what_construction_uses():
    inv = kz_scenario().investments[0]
    b = iom.impacts.capex_bridge(KZ, inv)
    res = iom.impact(KZ, kz_scenario(package=False))
    direct = res.dataset["impact"].sel(phase="construction", effect="direct", indicator="output", year=2026)
    assert_allclose(
        direct.values.ravel(), b.domestic_demand.values * 200_000.0 * 1000.0, rtol=1e-12
    )  # million -> thousand KZT
    assert_allclose(float(b.share.sum()), 1.0)
    assert_allclose(b.import_share.sel(sector=list(KZ.economy.machinery_products)), 0.9)
