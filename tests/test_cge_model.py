"""The standard CGE model: the book's known answer, benchmark replication, homogeneity, Walras, closures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

from iomodel import cge, dims
from iomodel.errors import LabelError, SolverError, ValidationError

#: Hosoe, Gasawa & Hashimoto (2010), Textbook of Computable General Equilibrium Modelling, ch. 6:
#: the SAM of the standard model (also the GAMS Model Library's STDCGE).
HOSOE = {
    ("BRD", "BRD"): 21, ("BRD", "MLK"): 8, ("BRD", "HOH"): 20, ("BRD", "GOV"): 19, ("BRD", "INV"): 16,
    ("BRD", "EXT"): 8, ("MLK", "BRD"): 17, ("MLK", "MLK"): 9, ("MLK", "HOH"): 30, ("MLK", "GOV"): 14,
    ("MLK", "INV"): 15, ("MLK", "EXT"): 4, ("CAP", "BRD"): 20, ("CAP", "MLK"): 30, ("LAB", "BRD"): 15,
    ("LAB", "MLK"): 25, ("IDT", "BRD"): 5, ("IDT", "MLK"): 4, ("TRF", "BRD"): 1, ("TRF", "MLK"): 2,
    ("HOH", "CAP"): 50, ("HOH", "LAB"): 40, ("GOV", "IDT"): 9, ("GOV", "TRF"): 3, ("GOV", "HOH"): 23,
    ("INV", "HOH"): 17, ("INV", "GOV"): 2, ("INV", "EXT"): 12, ("EXT", "BRD"): 13, ("EXT", "MLK"): 11,
}  # fmt: skip
#: The book's model in the GAMS Model Library (STDCGE), solved with CONOPT: utility at the benchmark
#: and after the abolition of import tariffs, as the GAMSPy test suite of that model asserts them.
U_BENCHMARK = 25.508490012515818
U_NO_TARIFFS = 26.092634381288686
NO_TARIFFS = cge.Policy(name="no import tariffs", tariff_rate={"BRD": 0.0, "MLK": 0.0})


def hosoe_sam() -> cge.SAM:
    acc = ["BRD", "MLK", "CAP", "LAB", "IDT", "TRF", "HOH", "GOV", "INV", "EXT"]
    frame = pd.DataFrame(0.0, index=acc, columns=acc)
    for (r, c), v in HOSOE.items():
        frame.loc[r, c] = float(v)
    return cge.SAM.from_frame(
        frame,
        goods=["BRD", "MLK"],
        factors=["CAP", "LAB"],
        households="HOH",
        government="GOV",
        investment="INV",
        rest_of_world="EXT",
        production_taxes=["IDT"],
        tariffs=["TRF"],
        name="Hosoe et al. (2010) standard model",
    )


@pytest.fixture(scope="module")
def model() -> cge.StandardCGE:
    return cge.StandardCGE(hosoe_sam())


def test_the_books_known_answer(model):
    bench = model.solve()
    assert_allclose(bench.utility(), U_BENCHMARK, rtol=1e-12)
    free = model.solve(NO_TARIFFS)
    assert_allclose(free.utility(), U_NO_TARIFFS, rtol=1e-9)
    w = free.welfare()
    assert_allclose(w["ev"], (U_NO_TARIFFS / U_BENCHMARK - 1) * 50.0, rtol=1e-8)  # household spending of 50
    assert free.revenue_by_tax()["TRF"] == 0.0


def test_the_benchmark_replicates_the_sam(model):
    v = model.solve().values
    c = model.calibration
    for name, expected in (("Z", c.Z0), ("Q", c.Q0), ("D", c.D0), ("E", c.E0), ("M", c.M0), ("Xp", c.Xp0)):
        assert_allclose(v[name], expected, rtol=1e-9, err_msg=name)
    assert_allclose(v["F"], c.F0, rtol=1e-9)
    for p in ("pq", "pd", "pz", "py"):
        assert_allclose(v[p], 1.0, rtol=1e-9)
    assert_allclose(v["eps"], 1.0, rtol=1e-9)
    assert_allclose(v["T"], 35.0, rtol=1e-9)  # IDT 9 + TRF 3 + direct 23


def test_homogeneity_and_walras(model):
    base = model.solve(NO_TARIFFS)
    double = cge.StandardCGE(hosoe_sam(), numeraire_price=2.0).solve(NO_TARIFFS)
    for p in ("pq", "pd", "pz", "py", "pf"):
        assert_allclose(double.values[p], 2 * base.values[p], rtol=1e-8)
    assert_allclose(double.values["eps"], 2 * base.values["eps"], rtol=1e-8)
    for q in ("Z", "Q", "Xp", "E", "M"):
        assert_allclose(double.values[q], base.values[q], rtol=1e-8)
    assert_allclose(double.utility(), base.utility(), rtol=1e-10)
    assert base.walras_residual < 1e-9  # the market-clearing equation left out holds
    with pytest.raises(AssertionError):  # and the check can fail: a disturbed solution breaks it
        broken = dict(base.values, Xp=base.values["Xp"] * np.array([1.01, 1.0]))
        assert model.walras_residual(broken) < 1e-9


def test_the_solution_does_not_depend_on_the_start(model):
    from_bench = model.solve(NO_TARIFFS)
    far = model.solve(cge.Policy(name="high tariffs", tariff_rate={"BRD": 0.5, "MLK": 0.4}))
    from_far = model.solve(NO_TARIFFS, start=far)
    for q in ("Z", "pq", "Xp", "M"):
        assert_allclose(from_far.values[q], from_bench.values[q], rtol=1e-7)


def test_closures(model):
    free = model.solve(NO_TARIFFS)
    # fixed real wage with 5% benchmark unemployment: cheaper imports raise labour demand
    frw = cge.StandardCGE(hosoe_sam(), closure=cge.Closure(labour="fixed_real_wage"), numeraire="CPI")
    b, r = frw.solve(), frw.solve(NO_TARIFFS)
    assert_allclose(b.values["U"], 40 * 0.05 / 0.95, rtol=1e-8)
    assert r.values["U"] < b.values["U"]
    assert_allclose(r.values["pf"][1], r.values["CPI"], rtol=1e-9)  # the real wage is fixed
    # fixed exchange rate: foreign savings adjust, the exchange rate does not
    fx = cge.StandardCGE(hosoe_sam(), closure=cge.Closure(foreign="fixed_exchange_rate")).solve(NO_TARIFFS)
    assert_allclose(fx.values["eps"], 1.0) and fx.values["Sf"] != 12.0
    # sector-specific capital: more capital in BRD raises BRD's output and lowers its rent
    spec = cge.StandardCGE(hosoe_sam(), closure=cge.Closure(capital="sector_specific"))
    more = spec.solve(cge.Policy(name="investment", capital_stock_change={"BRD": 5.0}))
    assert more.values["Z"][0] > spec.solve().values["Z"][0]
    assert more.values["pk"][0] < 1.0
    with pytest.raises(ValidationError, match="sector_specific"):
        model.solve(cge.Policy(name="x", capital_stock_change={"BRD": 1.0}))
    assert free.info["max_residual"] < 1e-9


def test_ces_value_added_near_one_approaches_cobb_douglas(model):
    cd = model.solve(NO_TARIFFS).welfare()["ev"]
    near = cge.StandardCGE(hosoe_sam(), production=0.999).solve(NO_TARIFFS).welfare()["ev"]
    assert_allclose(near, cd, rtol=1e-3)
    assert_allclose(cge.StandardCGE(hosoe_sam(), production=0.5).solve().utility(), U_BENCHMARK, rtol=1e-10)


def test_bad_input_is_named(model):
    with pytest.raises(ValidationError, match=r"elasticity of 1 in a CES slot is degenerate .*\['MLK'\]"):
        cge.StandardCGE(hosoe_sam(), armington={"MLK": 1.0})
    with pytest.raises(LabelError, match=r"unknown good\(s\) \['CAR'\]"):
        model.solve(cge.Policy(name="x", tariff_rate={"CAR": 0.0}))
    with pytest.raises(LabelError, match="unknown numeraire 'USD'"):
        cge.StandardCGE(hosoe_sam(), numeraire="USD")
    with pytest.raises(ValidationError, match="fixed real wage fixes the wage"):
        cge.StandardCGE(hosoe_sam(), closure=cge.Closure(labour="fixed_real_wage"))
    m = model.pyomo.clone()
    m.Z["BRD"].fix()
    with pytest.raises(ValidationError, match="not give a square system: 43 equations for 42 free variables"):
        model.check_square(m)
    tight = cge.StandardCGE(
        hosoe_sam(), closure=cge.Closure(labour="fixed_real_wage", unemployment_rate=0.0), numeraire="CPI"
    )
    with pytest.raises(SolverError, match="raise unemployment_rate"):
        tight.solve(NO_TARIFFS)
    # the independent check refuses a wrong solution
    good = model.solve(NO_TARIFFS)
    bad = dict(good.values, pz=good.values["pz"] * 1.001)
    assert max(model.residuals(bad, good.params).values()) > 1e-4


def test_policy_toml_and_result_dataset(model, tmp_path):
    p = cge.Policy(
        name="SEZ",
        tariff_rate={"BRD": 0.0},
        factor_tax_rate={"CAP": {"MLK": 0.0}},
        world_import_price={"MLK": 1.1},
    )
    assert cge.Policy.from_toml(p.to_toml()) == p
    ds = model.solve(NO_TARIFFS).to_dataset()
    assert set(ds.dims) <= dims.ALL
    for name, var in ds.data_vars.items():
        assert var.attrs.get("units"), name
    ds.to_netcdf(tmp_path / "cge.nc")
    xr.testing.assert_identical(xr.load_dataset(tmp_path / "cge.nc"), ds)
    assert cge.Policy.from_toml(ds.attrs["policy_toml"]) == NO_TARIFFS
    assert {"equivalent variation", "exchange rate"} <= set(model.solve().summary().index)


def test_les_with_frisch_minus_one_and_unit_elasticities_is_cobb_douglas(model):
    # gamma_i = Xp0_i + beta_i C0 / ((1 + tauc) p phi) = Xp0_i - w_i C0 / p = 0 when phi = -1 and eps = 1
    les = cge.StandardCGE(hosoe_sam(), household="les", frisch=-1.0)
    assert_allclose(les.les_gamma, 0.0, atol=1e-12)
    free = les.solve(NO_TARIFFS)
    assert_allclose(free.utility(), U_NO_TARIFFS, rtol=1e-9)  # the book's answer through the LES equations


def test_les_benchmark_homogeneity_and_welfare():
    eps = {"BRD": 0.6, "MLK": 1.3}
    les = cge.StandardCGE(hosoe_sam(), household="les", income_elasticity=eps, frisch=-2.0)
    c = les.calibration
    # calibration by hand: budget shares 20/50 and 30/50 of the book's household spending of 50
    w = np.array([20.0, 30.0]) / 50.0
    e = np.array([0.6, 1.3])
    beta = e * w / (e * w).sum()
    assert_allclose(les.les_beta, beta, rtol=1e-12)
    assert_allclose(les.les_gamma, np.array([20.0, 30.0]) - beta * 50.0 / 2.0, rtol=1e-12)
    bench = les.solve()
    assert_allclose(bench.values["Xp"], c.Xp0, rtol=1e-9)
    free = les.solve(NO_TARIFFS)
    double = cge.StandardCGE(
        hosoe_sam(), household="les", income_elasticity=eps, frisch=-2.0, numeraire_price=2.0
    ).solve(NO_TARIFFS)
    assert_allclose(double.values["pq"], 2 * free.values["pq"], rtol=1e-8)
    assert_allclose(double.values["Xp"], free.values["Xp"], rtol=1e-8)
    # EV from the LES expenditure function e(p, U) = p.gamma + U prod (p/beta)^beta at benchmark prices 1
    p0 = np.ones(2)
    u1 = np.prod((free.values["Xp"] - les.les_gamma) ** beta)
    e1 = p0 @ les.les_gamma + u1 * np.prod((p0 / beta) ** beta)
    assert_allclose(free.welfare()["ev"], e1 - 50.0, rtol=1e-9)
    assert free.welfare()["ev"] > 0  # abolishing tariffs helps the household, as with Cobb-Douglas
    # the necessity (elasticity 0.6) takes a smaller share of the extra spending than its budget share
    d_spend = free.values["Xp"] * free.values["pq"] - c.Xp0
    assert d_spend[0] / d_spend.sum() < w[0]


def test_les_bad_input_is_named():
    with pytest.raises(ValidationError, match="Frisch parameter must be negative"):
        cge.StandardCGE(hosoe_sam(), household="les", frisch=0.5)
    with pytest.raises(ValidationError, match="income elasticities must be finite and positive; goods \\['BRD'\\]"):
        cge.StandardCGE(hosoe_sam(), household="les", income_elasticity={"BRD": -0.5, "MLK": 1.0})
    with pytest.raises(LabelError, match="unknown good\\(s\\) \\['TEA'\\]"):
        cge.StandardCGE(hosoe_sam(), household="les", income_elasticity={"TEA": 0.5})
    with pytest.raises(ValidationError, match="valid options are \\['cobb_douglas', 'les'\\]"):
        cge.StandardCGE(hosoe_sam(), household="ces")


def test_continuation_when_the_direct_solve_fails(monkeypatch):
    model = cge.StandardCGE(hosoe_sam())
    direct = model.solve(NO_TARIFFS)
    real = cge.StandardCGE._attempt
    calls = []

    def fail_first(self, opt, m, tol, iterations):  # the solver gives up on the first (direct) try only
        calls.append(float(m.taum["BRD"].value))
        return "termination maxIterations" if len(calls) == 1 else real(self, opt, m, tol, iterations)

    monkeypatch.setattr(cge.StandardCGE, "_attempt", fail_first)
    stepped = model.solve(NO_TARIFFS)
    assert stepped.info["steps"] == 2
    assert stepped.info["iterations"] > 0  # both steps' iterations (the failed try printed none)
    bench_rate = float(model.pyomo.taum["BRD"].value)
    assert_allclose(calls, [0.0, bench_rate / 2, 0.0])  # direct, then halfway, then the target
    for q in ("Z", "pq", "Xp", "M"):
        assert_allclose(stepped.values[q], direct.values[q], rtol=1e-8)
    calls.clear()
    with pytest.raises(SolverError, match="maxIterations"):
        model.solve(NO_TARIFFS, steps=1)  # continuation off: the first failure is final
    assert len(calls) == 1


def test_solver_iterations_are_read_from_its_log(model):
    from iomodel.cge.model import _iteration_count

    res = model.solve(NO_TARIFFS)
    assert isinstance(res.info["iterations"], int) and 0 < res.info["iterations"] < 100
    # the patterns: ripopt's diagnostics and closing line, Ipopt's summary; nothing found is None
    assert _iteration_count("--- ripopt diagnostics ---\nstatus: Optimal\niterations: 6\n") == 6
    assert _iteration_count("ripopt 0.8.2: Optimal after 11 iterations") == 11
    assert _iteration_count("Number of Iterations....: 23\n") == 23
    assert _iteration_count("EXIT: Optimal Solution Found.") is None
