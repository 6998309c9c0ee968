"""The LP extension: Brink-McCarl, Leontief reproduction, duals vs finite differences, MIP, errors."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel import optimize as opt
from iomodel.errors import InfeasibleError, LabelError, UnboundedError

KZ = iom.datasets.kazakhstan()


def output_lp(table, f, cost=None):
    lp = opt.LinearProgram(sense="max", objective_units="output")
    lp.add_variables("x", table.sectors, cost=1.0 if cost is None else cost)
    lp.add_constraints("balance", table.sectors, {"x": np.eye(table.n) - table.A.to_numpy()}, upper=f)
    return lp


def test_brink_mccarl_duals_are_output_multipliers():
    """With only the balance rows binding, their duals are the output multipliers (Brink & McCarl 1977)."""
    f = KZ.final_demand.sum(axis=1).clip(lower=1.0).to_numpy()
    res = output_lp(KZ, f).solve()
    m = iom.multipliers(KZ, indicators=["output"]).values[0]
    assert_allclose(res.dual("balance").values, m, rtol=1e-8)
    e = KZ.coefficients("satellites").loc["employment"].to_numpy()
    res_e = output_lp(KZ, f, cost=e).solve()
    assert_allclose(res_e.dual("balance").values, iom.multipliers(KZ, indicators=["employment"]).values[0], rtol=1e-7)


def test_slack_constraints_reproduce_leontief():
    f = KZ.final_demand.sum(axis=1).clip(lower=1.0)
    lp = output_lp(KZ, f.to_numpy())
    lp.add_constraints("capacity", KZ.sectors, {"x": np.eye(KZ.n)}, upper=10 * KZ.output.to_numpy())
    res = lp.solve()
    assert_allclose(res.value("x").values, KZ.solve(f).to_numpy(), rtol=1e-7)  # HiGHS feasibility tolerance
    assert_allclose(res.dual("capacity").values, 0.0, atol=1e-9)


def small_problem(**kw):
    cands = opt.standard_candidates(
        KZ.economy, ["agro", "tourism", "petrochemical", "machine_building"], capex=50_000.0
    )
    kw.setdefault("unit", "million KZT")
    return opt.AllocationProblem(candidates=tuple(cands), budget=kw.pop("budget", 40_000.0), **kw)


@pytest.fixture(scope="module")
def prob_coef():
    p = small_problem()
    return p, opt.candidate_coefficients(KZ, p)


def test_duals_match_finite_differences(prob_coef):
    p, coef = prob_coef
    res = p.build(KZ, coef).solve()
    base = res.objective
    for block, field_, delta in (("budget", "budget", 50.0),):
        bumped = opt.AllocationProblem(
            **{**{f: getattr(p, f) for f in p.__dataclass_fields__}, field_: getattr(p, field_) + delta}
        )
        fd = (bumped.build(KZ, coef).solve().objective - base) / delta
        assert_allclose(res.dual(block).values[0], fd, rtol=1e-5, atol=1e-9)
    # labour limit of a binding sector: relax its row by a little
    lab = res.dual("labour")
    j = int(np.argmax(np.abs(lab.values)))
    if abs(lab.values[j]) > 0:
        lp = p.build(KZ, coef)
        blk = lp.constraints["labour"]
        blk.upper = blk.upper.copy()
        blk.upper[j] += 1.0
        assert_allclose(lp.solve().objective - base, lab.values[j], rtol=1e-5)


def test_plan_is_labelled_and_pyomo_path_agrees(prob_coef):
    p, coef = prob_coef
    lp = p.build(KZ, coef)
    res = lp.solve()
    m = lp.to_pyomo()
    res_p = opt.solve_pyomo(m)
    assert_allclose(res_p.objective, res.objective, rtol=1e-9)
    assert_allclose(res_p.dual("budget").values, res.dual("budget").values, rtol=1e-7)
    # a user extends the model: at most 20 000 million KZT of capex in tourism projects
    tour = [str(c) for c in m.level_index if str(c).startswith("tourism")]
    m.tourism_cap = pyo.Constraint(expr=sum(50_000.0 * m.level[c] for c in tour) <= 20_000.0)
    ext = opt.solve_pyomo(m)
    assert ext.objective <= res.objective + 1e-9
    assert "tourism_cap" in ext.duals
    full = p.solve(KZ)
    lev = full.value("level")
    assert {"cluster", "zone"} <= set(lev.coords)
    assert "plan" in full.info and full.info["plan"]["budget_cost"].sum() <= p.budget * (1 + 1e-9)
    assert full.units["budget"].startswith("jobs attributable to the incentives (average a year) per million KZT")
    assert set(full.ranging["level"].data_vars) == {"cost_lower", "cost_upper"}


def test_mip_picks_the_best_set_of_zones():
    cands = [c for c in opt.standard_candidates(KZ.economy, ["petrochemical", "transport_logistics"], capex=50_000.0)]
    zones = sorted({c.zone for c in cands})
    fixed = {z: 2_000.0 + 1_000.0 * i for i, z in enumerate(zones)}
    p = opt.AllocationProblem(candidates=tuple(cands), budget=30_000.0, zone_fixed_costs=fixed, unit="million KZT")
    coef = opt.candidate_coefficients(KZ, p)
    res = p.build(KZ, coef).solve()
    assert res.info["mip"]
    best, best_set = -np.inf, None
    for k in range(len(zones) + 1):
        for opened in itertools.combinations(zones, k):
            keep = tuple(c for c in cands if c.zone in opened)
            if not keep:
                continue
            rest = 30_000.0 - sum(fixed[z] for z in opened)
            if rest < 0:
                continue
            q = opt.AllocationProblem(candidates=keep, budget=rest, unit="million KZT")
            val = q.build(KZ, coef).solve().objective
            if val > best + 1e-9:
                best, best_set = val, set(opened)
    assert_allclose(res.objective, best, rtol=1e-7)
    op = res.value("open")
    opened = {z for z, v in zip(op[op.dims[0]].values, op.values, strict=True) if v > 0.5}
    lev = res.value("level")
    used = {z for z, v in zip(coef["zone"].values, lev.values, strict=True) if v > 1e-9}
    assert used <= opened  # no project in a closed zone
    assert used == best_set  # the enumerated best set of zones


def test_infeasible_and_unbounded_are_named(prob_coef):
    p, coef = prob_coef
    q = opt.AllocationProblem(
        **{
            **{f: getattr(p, f) for f in p.__dataclass_fields__},
            "cluster_limits": {"petrochemical": (5_000_000.0, None)},
        }
    )
    with pytest.raises(InfeasibleError, match="cluster_capex"):
        q.build(KZ, coef).solve()
    r = q.build(KZ, coef).solve(check=False)
    assert r.status == "Infeasible" and "cluster_capex" in r.info["message"]
    lp = opt.LinearProgram(sense="max")
    lp.add_variables("x", ["a", "b"], cost=[1.0, 0.0])
    lp.add_constraints("c", ["r"], {"x": np.array([[1.0, -1.0]])}, upper=[1.0])
    with pytest.raises(UnboundedError, match=r"variable blocks with an improving cost and no upper bound: \['x'\]"):
        lp.solve()
    with pytest.raises(LabelError, match="unknown variable block 'y'"):
        lp.add_constraints("d", ["r"], {"y": np.ones((1, 1))})
    with pytest.raises(InfeasibleError, match="lower bound above upper bound"):
        lp.add_variables("z", ["a"], lower=2.0, upper=1.0)
    with pytest.raises(iom.errors.SolverError, match="not available"):
        lp.solve(solver="no_such_solver")


def test_pareto_front_is_monotone(prob_coef):
    p, _ = prob_coef
    front = opt.pareto_front(KZ, p, ("employment", "nfe"), points=5)
    emp, nfe = front["employment"].values, front["nfe"].values
    assert (np.diff(nfe) >= -1e-6 * np.abs(nfe).max()).all()
    assert (np.diff(emp) <= 1e-6 * np.abs(emp).max()).all()
    assert (front["tradeoff_rate"].values <= 1e-9).all()


def test_choice_of_technology_toy_and_duality():
    """Two technologies for one good run side by side when the cheaper one's factor binds."""
    t = iom.datasets.miller_blair()
    s = "manufacturing"
    base = opt.choice_of_technology(
        t,
        s,
        inputs=pd.Series({"agriculture": 0.25, "manufacturing": 0.05}),
        factors_new={"labour": 0.0, "gas": 0.1},
        factors_incumbent={"labour": pd.Series({"agriculture": 0.3, "manufacturing": 0.25})},
        prices={"labour": 1.0, "gas": 0.5},
        endowments={"labour": np.inf, "gas": 50.0},
    )
    act = base.activity.to_series()
    assert act["zone technology"] > 0 and act["manufacturing"] > 0  # both run
    assert base.rent.sel(factor="gas") > 0  # the cheap factor earns a rent
    assert abs(base.attrs["duality_gap"]) < 1e-6 * base.attrs["cost"]
    free = opt.choice_of_technology(
        t,
        s,
        inputs=pd.Series({"agriculture": 0.25, "manufacturing": 0.05}),
        factors_new={"labour": 0.0, "gas": 0.1},
        factors_incumbent={"labour": pd.Series({"agriculture": 0.3, "manufacturing": 0.25})},
        prices={"labour": 1.0, "gas": 0.5},
        endowments={"labour": np.inf, "gas": 1e9},
    )
    assert free.activity.sel(technology="manufacturing") < 1e-9  # unconstrained: the cheaper wins
    with pytest.raises(LabelError, match=r"factor\(s\) \['water'\] have no price"):
        opt.choice_of_technology(
            t, s, inputs=pd.Series(dtype=float), factors_new={"water": 1.0}, prices={"labour": 1.0}, endowments={}
        )


def test_cli_allocate(tmp_path, capsys):
    from pathlib import Path

    from iomodel import cli

    toml = Path(__file__).resolve().parents[1] / "examples/cluster_allocation.toml"
    assert cli.main(["allocate", str(toml), "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Optimal" in out and "budget" in out
    plan = pd.read_csv(tmp_path / "plan.csv", index_col=0)
    assert plan["budget_cost (million KZT, PV)"].sum() <= 150_000.0 * (1 + 1e-9)  # units in the header
    assert plan.loc[plan["cluster"] == "petrochemical", "capex (million KZT)"].sum() >= 50_000.0 * (1 - 1e-9)
    assert (tmp_path / "allocation.png").is_file() and (tmp_path / "solution.nc").is_file()


def test_solver_by_name_through_pyomo():
    """Another solver name goes through Pyomo's SolverFactory (here Pyomo's own HiGHS interface)."""
    t = iom.datasets.miller_blair()
    lp = opt.LinearProgram(sense="max")
    lp.add_variables("x", t.sectors, cost=1.0)
    lp.add_constraints("balance", t.sectors, {"x": np.eye(2) - t.A.to_numpy()}, upper=[350.0, 1700.0])
    r = lp.solve(solver="appsi_highs")
    assert r.info["solver"] == "appsi_highs"
    assert_allclose(r.objective, 3000.0)
    assert_allclose(r.dual("balance").values, [1.518152, 1.452145], atol=1e-6)


def test_highs_options_zone_terms_and_toml_years(tmp_path):
    from iomodel.errors import ValidationError

    t = iom.datasets.miller_blair()
    lp = output_lp(t, [350.0, 1700.0])
    assert_allclose(lp.solve(options={"presolve": "off"}).objective, lp.solve().objective)
    with pytest.raises(ValidationError, match="HiGHS rejected option 'no_such_option'"):
        lp.solve(options={"no_such_option": 1})
    toml = tmp_path / "p.toml"
    toml.write_text(
        'budget = 1000.0\nunit = "million KZT"\nyears = [2026, 2030]\n'
        '[standard_candidates]\nclusters = ["agro"]\ncapex = 1000.0\n'
    )
    with pytest.raises(ValidationError, match=r"\[standard_candidates\] needs an economy"):
        opt.AllocationProblem.from_toml(toml)
    p = opt.AllocationProblem.from_toml(toml, economy=KZ.economy)
    assert max(p.candidates[0].project.output) == 2030
    assert "medical_pharmaceutical" not in {
        c.cluster
        for c in opt.standard_candidates(
            KZ.economy,
        )
    }


def test_dense_programs_default_to_presolve_off():
    rng = np.random.default_rng(0)
    n = 300
    A = rng.uniform(0, 1, (n, n))
    A *= 0.5 / A.sum(axis=0)
    lp = opt.LinearProgram(sense="max")
    lp.add_variables("x", range(n), cost=1.0)
    lp.add_constraints("balance", range(n), {"x": np.eye(n) - A}, upper=np.ones(n))
    r = lp.solve(ranging=False)
    assert r.info["highs_options"] == {"presolve": "off"}
    assert_allclose(r.value("x").values, np.linalg.solve(np.eye(n) - A, np.ones(n)), rtol=1e-7)
    small = output_lp(iom.datasets.miller_blair(), [350.0, 1700.0]).solve()
    assert small.info["highs_options"] == {}


# --- the allocation counts what the incentive causes ------------------------------------------
def _hand_candidates(alpha=0.5):
    inv = iom.ClusterInvestment(
        name="agro plant", cluster="agro", capex={2026: 20_000.0}, output={y: 15_000.0 for y in range(2027, 2036)}
    )
    return [
        opt.Candidate(project=inv, zone="turkistan", package=KZ.economy.sez_package(additionality=alpha)),
        opt.Candidate(project=inv, zone="pit", package=KZ.economy.sez_package(additionality=1.0)),
    ]


def test_objective_counts_attributable_jobs_with_gross_beside():
    p = opt.AllocationProblem(candidates=tuple(_hand_candidates()), budget=1e9, unit="million KZT")
    coef = opt.candidate_coefficients(KZ, p)
    assert_allclose(coef["jobs_attributable"], coef["additionality"] * coef["jobs_gross"])
    assert_allclose(coef["additionality"], [0.5, 1.0])
    # gross jobs a year from the impact result itself
    res = iom.impact(KZ, p.scenario(p.candidates[0]))
    jobs = float(res.dataset["impact"].sel(indicator="employment", effect="total").sum()) / 10
    assert_allclose(float(coef["jobs_gross"][0]), jobs, rtol=1e-12)
    r = p.solve(KZ, coefficients=coef)
    plan = r.info["plan"]
    assert_allclose(r.objective, plan["jobs_attributable"].sum(), rtol=1e-9)
    assert_allclose(plan["jobs_attributable"], plan["additionality"] * plan["jobs_gross"])
    assert plan.attrs["units"]["jobs_gross"].startswith("persons")


def test_a_known_zone_caps_relief_of_hand_written_candidates_and_nil_relief_is_reported():
    p = opt.AllocationProblem(candidates=tuple(_hand_candidates()), budget=1e9, unit="million KZT")
    coef = opt.candidate_coefficients(KZ, p)
    relief = dict(zip(coef.project.values, coef.relief.values, strict=True))
    assert "ending 2027" in relief["agro plant@pit"]  # the Park of Innovative Technologies ends on 1 January 2028
    late = iom.ClusterInvestment(name="late", cluster="agro", capex={2029: 1_000.0}, output={2030: 1_000.0})
    q = opt.AllocationProblem(
        candidates=(opt.Candidate(project=late, zone="pit", package=KZ.economy.sez_package()),),
        budget=1e9,
        unit="million KZT",
    )
    coef = opt.candidate_coefficients(KZ, q)
    r = q.solve(KZ, coefficients=coef)
    assert r.info["nil_relief"] == ["late@pit"]
    assert r.info["plan"].loc["late@pit", "relief"].startswith("none: relief would end in 2027")
    # the package grants nothing: nothing is attributable to it, its NPV is the cost of the zone and relief
    assert float(coef["jobs_attributable"].sel(project="late@pit")) == 0.0
    assert float(coef["nfe"].sel(project="late@pit")) == -float(coef["cost"].sel(project="late@pit"))
    # construction-only relief (the zone's term ends before operation) is nil too
    slow = iom.ClusterInvestment(
        name="slow", cluster="agro", capex={2026: 500.0, 2027: 500.0}, output={y: 800.0 for y in range(2028, 2036)}
    )
    p = opt.AllocationProblem(
        candidates=(opt.Candidate(project=slow, zone="pit", package=KZ.economy.sez_package()),),
        budget=1e9,
        unit="million KZT",
    )
    c = opt.candidate_coefficients(KZ, p)
    assert c["nil_relief"].values.tolist() == [1] and "construction years 2026-2027 only" in str(c["relief"].values[0])
    assert float(c["cost"][0]) > 0  # duties on imported equipment were still forgone
    with pytest.raises(LabelError, match="no zone 'atlantis'; valid zone ids are"):
        opt.AllocationProblem(
            candidates=(opt.Candidate(project=late, zone="atlantis"),), budget=1.0, unit="million KZT"
        ).solve(KZ)


def test_stale_coefficients_are_refused():
    p = opt.AllocationProblem(candidates=tuple(_hand_candidates()), budget=1e9, unit="million KZT")
    coef = opt.candidate_coefficients(KZ, p)
    changed = p.replace(candidates=tuple(_hand_candidates(alpha=0.9)))
    with pytest.raises(
        iom.errors.ValidationError, match=r"other versions of candidate\(s\) \['agro plant@turkistan'\]"
    ):
        changed.solve(KZ, coefficients=coef)
    with pytest.raises(iom.errors.ValidationError, match="recompute them"):
        p.replace(years=(2026, 2036)).solve(KZ, coefficients=coef)


def test_semicontinuous_levels_against_enumeration():
    cands = [
        dataclasses.replace(c, min_level=0.8, max_level=2.0)
        for c in opt.standard_candidates(KZ.economy, ["agro", "tourism", "textile"], capex=50_000.0)
    ]
    p = opt.AllocationProblem(candidates=tuple(cands), budget=9_000.0, semicontinuous=True, unit="million KZT")
    coef = opt.candidate_coefficients(KZ, p)
    r = p.solve(KZ, coefficients=coef)
    lev = r.value("level").values
    assert ((lev < 1e-9) | ((lev > 0.8 - 1e-9) & (lev < 2.0 + 1e-9))).all()
    # enumeration: every subset built at levels in [0.8, 2], the rest at 0
    best = -np.inf
    for k in range(len(cands) + 1):
        for built in itertools.combinations(range(len(cands)), k):
            sub = [dataclasses.replace(cands[i], min_level=0.8) for i in built]
            if not sub:
                continue
            q = opt.AllocationProblem(candidates=tuple(sub), budget=9_000.0, unit="million KZT")
            rr = q.build(KZ, coef).solve(check=False)
            if rr.optimal:
                best = max(best, rr.objective)
    assert_allclose(r.objective, best, rtol=1e-7)


def test_negative_zone_opening_cost_is_refused():
    with pytest.raises(iom.errors.ValidationError, match="zone opening costs must be finite and non-negative"):
        opt.AllocationProblem(
            candidates=tuple(_hand_candidates()), budget=1.0, zone_fixed_costs={"pit": -5.0}, unit="million KZT"
        )
