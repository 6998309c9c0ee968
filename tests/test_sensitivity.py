"""Sensitivity runs: seeding, batching, Dask, perturbations, grids, global indices, scenario outcomes, bad input."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose
from scipy import stats

import iomodel as iom
from iomodel import linalg as la
from iomodel import sensitivity as sa
from iomodel.errors import LabelError, NotProductiveError, ValidationError
from iomodel.fiscal import fiscal_accounts

SCENARIO = "examples/scenarios/machine_building_ahmp.toml"


@pytest.fixture(scope="module")
def kz() -> iom.IOTable:
    return iom.datasets.kazakhstan()


@pytest.fixture(scope="module")
def mb() -> iom.IOTable:
    return iom.datasets.miller_blair()


@pytest.fixture(scope="module")
def scenario() -> iom.Scenario:
    return iom.Scenario.from_toml(SCENARIO)


def random_table(n: int, seed: int = 0) -> iom.IOTable:
    rng = np.random.default_rng(seed)
    x = rng.uniform(100.0, 1000.0, n)
    A = rng.uniform(0.0, 1.0, (n, n)) * (rng.uniform(size=(n, n)) < 0.6)
    A *= rng.uniform(0.3, 0.7, n) / A.sum(axis=0)
    s = [f"s{i:02d}" for i in range(n)]
    Z = pd.DataFrame(A * x, index=s, columns=s)
    f = pd.DataFrame({"households": x - Z.sum(axis=1).to_numpy()}, index=s)
    va = pd.DataFrame([0.7 * (x - Z.sum().to_numpy()), 0.3 * (x - Z.sum().to_numpy())], index=["compensation", "gos"])
    va.columns = s
    sat = pd.DataFrame([rng.uniform(0.001, 0.01, n) * x], index=["employment"], columns=s)
    tax = pd.DataFrame([0.05 * x, 0.02 * x], index=["VAT", "CIT"], columns=s)
    return iom.IOTable.from_flows(Z, f, va, satellites=sat, taxes=tax, name=f"random {n}")


# --------------------------------------------------------------------------- perturbations
def test_lognormal_keeps_column_sums_and_is_mean_preserving_without(mb):
    A = mb.arrays.A
    rng = np.random.default_rng(0)
    draws = np.stack([sa.LognormalCoefficients(0.2).perturb(A, rng) for _ in range(50)])
    assert_allclose(draws.sum(axis=1), np.broadcast_to(A.sum(axis=0), (50, 2)), rtol=1e-14)
    free = sa.LognormalCoefficients(0.2, keep_column_sums=False)
    rng = np.random.default_rng(1)
    big = np.stack([free.perturb(A, rng) for _ in range(20000)])
    assert_allclose(big.mean(axis=0), A, rtol=0.01)  # E[a] = a
    assert_allclose(big.std(axis=0) / A, 0.2, rtol=0.03)  # its coefficient of variation is cv
    zero = sa.LognormalCoefficients(0.0).perturb(A, rng)
    assert_allclose(zero, A, rtol=0, atol=0)


def test_dirichlet_is_mean_preserving_with_the_textbook_variance(mb):
    A = mb.arrays.A
    kappa = 200.0
    rng = np.random.default_rng(2)
    draws = np.stack([sa.DirichletCoefficients(kappa).perturb(A, rng) for _ in range(20000)])
    assert_allclose(draws.mean(axis=0), A, rtol=0.01)
    assert_allclose(draws.var(axis=0), A * (1 - A) / (kappa + 1), rtol=0.05)
    assert (draws.sum(axis=1) < 1).all()


def test_parameter_distributions_match_scipy():
    rng = np.random.default_rng(3)
    cases = [
        (sa.Normal(mean=0.8, sd=0.05), stats.norm(0.8, 0.05)),
        (sa.Uniform(0.1, 0.3), stats.uniform(0.1, 0.2)),
        (sa.Triangular(0.4, 0.6, 0.8), stats.triang(0.5, loc=0.4, scale=0.4)),
        (sa.Beta(8, 2), stats.beta(8, 2)),
    ]
    for dist, ref in cases:
        x = dist.sample(rng, 20000)
        assert stats.kstest(x, ref.cdf).pvalue > 1e-3, dist
        assert_allclose(dist.expected(), ref.mean(), rtol=1e-12)
    assert sa.Normal(mean=1.0, sd=0.0).sample(rng) == 1.0


# --------------------------------------------------------------------------- seeding, batching, backends
def test_same_seed_same_numbers_whatever_the_chunking(kz):
    cv = [sa.LognormalCoefficients(0.1), sa.SatelliteCoefficients(0.1), sa.TaxCoefficients({"CIT": 0.2})]
    a = sa.monte_carlo(iom.multipliers, kz, draws=30, coefficients=cv, seed=11)
    b = sa.monte_carlo(iom.multipliers, kz, draws=30, coefficients=cv, seed=11, chunk_size=7)
    c = sa.monte_carlo(iom.multipliers, kz, draws=12, coefficients=cv, seed=11)  # a prefix of the same run
    d = sa.monte_carlo(iom.multipliers, kz, draws=30, coefficients=cv, seed=12)
    xr.testing.assert_identical(a["multiplier"], b["multiplier"])
    xr.testing.assert_identical(a["multiplier"].isel(draw=slice(0, 12)), c["multiplier"])
    assert not np.allclose(a["multiplier"], d["multiplier"])
    assert a.attrs["seed"] == 11 and a.attrs["draws"] == 30 and "LognormalCoefficients" in a.attrs["perturbation"]
    fresh = sa.monte_carlo(iom.multipliers, kz, draws=3, coefficients=cv)
    again = sa.monte_carlo(iom.multipliers, kz, draws=3, coefficients=cv, seed=fresh.attrs["seed"])
    xr.testing.assert_identical(fresh["multiplier"], again["multiplier"])  # the stored seed repeats the run


def test_generators_are_the_seed_sequence_children(mb):
    # Plan.rngs computes the seed words of all its children at once: each is SeedSequence(seed, spawn_key=(d,))'s
    from iomodel.sensitivity.engine import child_states, plan

    draws = np.array([0, 1, 2, 31, 32, 33, 1000, 2**31, 2**32 - 1])
    for entropy in (0, 1, 7, 2**32 - 1, 2**32, 2**64 + 5, 2**150 + 3, int(np.random.SeedSequence().entropy)):
        states = child_states(entropy, draws)
        for d, state in zip(draws, states, strict=True):
            want = np.random.SeedSequence(entropy, spawn_key=(int(d),)).generate_state(4, np.uint64)
            np.testing.assert_array_equal(state, want)
    p = plan(iom.multipliers, mb, coefficients=sa.LognormalCoefficients(0.1), seed=123)
    for d, rng in zip(range(5, 45), p.rngs(5, 45), strict=True):
        np.testing.assert_array_equal(rng.standard_normal(5), p.rng(d).standard_normal(5))
        np.testing.assert_array_equal(rng.random(3), p.rng(d).random(8)[5:])  # the same stream, draw for draw


def test_a_draw_is_the_same_whatever_the_stack(kz):
    A = kz.arrays.A
    n = kz.n
    for cv in (sa.LognormalCoefficients(0.2), sa.LognormalCoefficients(0.2, keep_column_sums=False)):
        one = np.stack([cv.perturb(A, np.random.default_rng(s)) for s in range(40)])
        if cv.keep_column_sums:
            assert_allclose(one.sum(axis=1), np.broadcast_to(A.sum(axis=0), (40, n)), rtol=1e-14, atol=1e-16)
        buf = np.zeros((64, n, n))
        many = cv.perturb_stack(A, [np.random.default_rng(s) for s in range(40)], out=buf[:40])
        np.testing.assert_array_equal(many, one)  # bit for bit: the column sums add the same numbers in order
        # a reused buffer (its zeros kept), the draws negated: -A exactly
        neg = cv.perturb_stack(A, [np.random.default_rng(s) for s in range(8, 40)], out=buf[:32], negate=True)
        np.testing.assert_array_equal(neg, -one[8:])
    zero = sa.LognormalCoefficients(0.0).perturb_stack(A, [np.random.default_rng(0)] * 2, negate=True)
    np.testing.assert_array_equal(zero, -np.stack([A, A]))


def test_batched_blocks_and_chunks_give_the_same_numbers(kz, mb):
    cv = sa.LognormalCoefficients(0.1)
    func = functools.partial(iom.multipliers, kind="type2")
    a = sa.monte_carlo(func, kz, draws=70, coefficients=cv, seed=3)  # solved in blocks of 32, 32 and 6 draws
    assert a.attrs["backend"] == "batched" and a.sizes["draw"] == 70
    for size in (33, 5):
        b = sa.monte_carlo(func, kz, draws=70, coefficients=cv, seed=3, chunk_size=size)
        xr.testing.assert_identical(a["multiplier"], b["multiplier"])
    serial = sa.monte_carlo(func, kz, draws=70, coefficients=cv, seed=3, batched=False)
    assert_allclose(a["multiplier"], serial["multiplier"], rtol=1e-11, atol=1e-14)
    # rows of the low-rank update, too, whatever a draw's place in its chunk
    plant = sa.LognormalCoefficients(0.2, sectors=["28", "25"])
    g = sa.monte_carlo(func, kz, draws=40, coefficients=plant, seed=7)
    h = sa.monte_carlo(func, kz, draws=40, coefficients=plant, seed=7, chunk_size=3)
    assert g.attrs["backend"] == "low-rank"
    xr.testing.assert_identical(g["multiplier"], h["multiplier"])
    # the options of multipliers through the stacked path: a subset of indicators, the total output multiplier
    some = functools.partial(
        iom.multipliers, kind="type2", include_households=True, indicators=["budget", "output", "tax:VAT"]
    )
    c = sa.monte_carlo(some, kz, draws=40, coefficients=cv, seed=4)
    d = sa.monte_carlo(some, kz, draws=40, coefficients=cv, seed=4, batched=False)
    assert c["indicator"].values.tolist() == ["budget", "output", "tax:VAT"]
    xr.testing.assert_identical(c["units"], d["units"])
    assert_allclose(c["multiplier"], d["multiplier"], rtol=1e-11, atol=1e-14)
    # a Dirichlet perturbation is drawn table by table but solved stacked; under the textbook closure (no mpc)
    # each draw's households spend its own labour income, which the rest of each column rescales
    dir_ = sa.DirichletCoefficients(300.0)
    e = sa.monte_carlo(func, mb, draws=40, coefficients=dir_, seed=5)
    f = sa.monte_carlo(func, mb, draws=40, coefficients=dir_, seed=5, batched=False)
    assert e.attrs["backend"] == "batched" and mb.economy is None
    assert_allclose(e["multiplier"], f["multiplier"], rtol=1e-11, atol=1e-14)
    textbook = functools.partial(iom.multipliers, kind="type2", closure=iom.HouseholdClosure())
    free = sa.LognormalCoefficients(0.1, keep_column_sums=False)
    for pert in (free, sa.LognormalCoefficients(0.2, keep_column_sums=False, sectors=["28", "25"])):
        e = sa.monte_carlo(textbook, kz, draws=20, coefficients=pert, seed=6)
        f = sa.monte_carlo(textbook, kz, draws=20, coefficients=pert, seed=6, batched=False)
        assert e.attrs["backend"] in ("batched", "low-rank")
        assert_allclose(e["multiplier"], f["multiplier"], rtol=1e-11, atol=1e-14)


def test_multipliers_batch_across_blocks(kz):
    from iomodel.analysis import BLOCK, multipliers_batch

    cv = sa.LognormalCoefficients(0.1, keep_column_sums=False)
    d = BLOCK + 7
    A = cv.perturb_stack(kz.arrays.A, [np.random.default_rng(s) for s in range(d)])
    sat = np.random.default_rng(1).uniform(0.8, 1.2, (d, len(kz.satellites.index), kz.n))
    for kind in ("type1", "type2"):
        m = multipliers_batch(kz, A, kind, satellite_scale=sat)
        for i in (0, BLOCK - 1, BLOCK, d - 1):
            t = kz.with_coefficients(A[i]).with_satellites(kz.satellites * sat[i])
            assert_allclose(m.isel(draw=i), iom.multipliers(t, kind), rtol=1e-11, atol=1e-15)
    with pytest.raises(ValidationError, match="shape"):
        multipliers_batch(kz, A[:, :5], "type1")


@pytest.mark.parametrize("kind", ["type1", "type2"])
def test_batched_equals_one_table_per_draw(kz, kind):
    cv = [sa.LognormalCoefficients(0.15), sa.SatelliteCoefficients(0.1), sa.TaxCoefficients(0.1)]
    func = functools.partial(iom.multipliers, kind=kind)
    batch = sa.monte_carlo(func, kz, draws=8, coefficients=cv, seed=5)
    loop = sa.monte_carlo(func, kz, draws=8, coefficients=cv, seed=5, batched=False)
    assert batch.attrs["backend"] == "batched" and loop.attrs["backend"] == "serial"
    assert_allclose(batch["multiplier"], loop["multiplier"], rtol=1e-11, atol=1e-14)
    # and each draw is the multipliers of the table it describes, rebuilt by hand
    rng = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(3,)))
    A = cv[0].perturb(kz.arrays.A, rng)
    sat = cv[1].factors(rng, np.ones(len(kz.satellites.index)) * 0.1, kz.n)
    tax = cv[2].factors(rng, np.ones(len(kz.taxes.index)) * 0.1, kz.n)
    t3 = kz.with_coefficients(A).with_satellites(kz.satellites * sat).with_taxes(kz.taxes * tax)
    assert_allclose(batch["multiplier"].sel(draw=3), iom.multipliers(t3, kind), rtol=1e-11)


def test_dask_local_cluster_gives_the_serial_numbers(kz, scenario):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        cv = sa.LognormalCoefficients(0.1)
        remote = sa.monte_carlo(iom.multipliers, kz, draws=40, coefficients=cv, seed=9, client=client)
        local = sa.monte_carlo(iom.multipliers, kz, draws=40, coefficients=cv, seed=9)
        xr.testing.assert_identical(remote["multiplier"], local["multiplier"])
        assert remote.attrs["backend"] == "dask"
        out = sa.ScenarioOutcome(scenario)
        params = {"additionality": sa.Triangular(0.4, 0.6, 0.8)}
        r2 = sa.monte_carlo(out, kz, draws=6, parameters=params, seed=4, client=client)
        l2 = sa.monte_carlo(out, kz, draws=6, parameters=params, seed=4)
        xr.testing.assert_identical(r2["npv"], l2["npv"])
        assert_allclose(r2["additionality"], l2["additionality"], rtol=0)


def test_low_rank_draws_equal_refactorised_draws():
    t = random_table(60, seed=4)
    t.factor()  # the base factorisation the draws update
    cv = sa.LognormalCoefficients(0.2, sectors=["s07"])
    fast = sa.monte_carlo(iom.multipliers, t, draws=6, coefficients=cv, seed=2)
    rng = np.random.default_rng(np.random.SeedSequence(2, spawn_key=(4,)))
    A4 = cv.perturb(t.arrays.A, rng, np.array([7]))
    assert (A4[:, [i for i in range(60) if i != 7]] == t.arrays.A[:, [i for i in range(60) if i != 7]]).all()
    out = fast["multiplier"].sel(draw=4, indicator="output")
    assert_allclose(out, np.linalg.inv(np.eye(60) - A4).sum(axis=0), rtol=1e-11)  # by hand
    uncached = iom.IOTable.from_flows(t.Z, t.final_demand, t.value_added, satellites=t.satellites, taxes=t.taxes)
    t4_lu = uncached.with_coefficients(A4)  # a parent without a factorisation: a fresh LU
    assert isinstance(t4_lu.factor(), la.LeontiefFactor)
    assert_allclose(fast["multiplier"].sel(draw=4), iom.multipliers(t4_lu), rtol=1e-11)
    t4 = t.with_coefficients(A4)
    assert isinstance(t4.factor(), la.LowRankUpdate)  # solved through the update, not a new LU


# --------------------------------------------------------------------------- with_coefficients
def test_with_coefficients_keeps_output_and_column_totals(kz):
    rng = np.random.default_rng(6)
    A = sa.LognormalCoefficients(0.1, keep_column_sums=False).perturb(kz.arrays.A, rng)
    t = kz.with_coefficients(A)
    assert_allclose(t.Z.to_numpy(), A * kz.output.to_numpy(), rtol=1e-14)
    assert_allclose(t.balance()["column_total"], kz.output, rtol=1e-12)  # columns still sum to output
    assert_allclose(t.arrays.A, A, rtol=1e-12)
    bad = kz.arrays.A.copy()
    bad[:, kz.sectors.get_loc("28")] *= 5.0
    with pytest.raises(NotProductiveError, match="'28'"):
        kz.with_coefficients(bad)
    with pytest.raises(ValidationError, match="shape"):
        kz.with_coefficients(np.eye(3))


# --------------------------------------------------------------------------- scenario outcomes
def test_outcome_agrees_with_the_fiscal_accounts_and_reruns_only_the_fiscal_step(kz, scenario):
    out = sa.ScenarioOutcome(scenario)
    base = out(kz)
    ap = iom.appraise(kz, scenario)
    assert_allclose(float(base["npv"]), ap.fiscal.attrs["npv"], rtol=1e-12)
    assert float(base["payback_year"]) == ap.fiscal.attrs["payback_year"]
    low = out(kz, additionality=0.4, displacement=0.3, discount_rate=0.08)
    pkg = replace(scenario.package, additionality=0.4, displacement=0.3)
    direct = fiscal_accounts(ap.impacts, pkg, discount_rate=0.08)
    assert_allclose(float(low["npv"]), direct.attrs["npv"], rtol=1e-12)
    assert_allclose(low["nfe"], direct["nfe"], rtol=1e-12)
    assert out.impact_runs == 1  # the fiscal step alone was rerun
    bigger = out(kz, output_scale=1.2)
    assert out.impact_runs == 2
    assert float(bigger["operation_jobs_peak"]) > float(base["operation_jobs_peak"])
    with pytest.raises(LabelError, match="'additionallity'"):
        sa.monte_carlo(out, kz, draws=2, parameters={"additionallity": sa.Uniform(0.4, 0.8)}, seed=0)


def test_monte_carlo_of_fiscal_assumptions_records_each_draw(kz, scenario):
    out = sa.ScenarioOutcome(scenario)
    params = {"additionality": sa.Triangular(0.4, 0.6, 0.8), "displacement": sa.Uniform(0.1, 0.3)}
    ds = sa.monte_carlo(out, kz, draws=25, parameters=params, seed=1)
    assert out.impact_runs == 1
    k = 17
    direct = out(kz, additionality=float(ds["additionality"][k]), displacement=float(ds["displacement"][k]))
    assert_allclose(float(ds["npv"][k]), float(direct["npv"]), rtol=1e-12)
    p = sa.exceedance(ds["payback_year"], 2040, below=True)
    assert float(p) == float((ds["payback_year"] <= 2040).mean())
    iv = sa.interval(ds["npv"], 0.9)
    assert float(iv[0]) < float(out(kz)["npv"]) < float(iv[1])


# --------------------------------------------------------------------------- grids and global indices
def linear(table, a=0.0, b=0.0, c=0.0):
    return xr.Dataset({"y": ((), a + 2.0 * b + 0.0 * c, {"units": "KZT"}), "z": ((), a * b)})


def test_sweep_full_and_one_at_a_time(mb):
    full = sa.sweep(linear, mb, {"a": [0.0, 1.0], "b": [0.0, 1.0, 2.0]})
    assert full.sizes["scenario"] == 6
    assert_allclose(full["y"], full["a"] + 2 * full["b"])
    oat = sa.sweep(linear, mb, {"a": [0.0, 1.0, 2.0], "b": [5.0, 6.0]}, mode="one_at_a_time", base={"b": 5.0})
    assert oat["varied"].values.tolist() == ["base", "a", "a", "a", "b", "b"]
    assert_allclose(oat["y"], oat["a"] + 2 * oat["b"])
    with pytest.raises(LabelError, match="'d'"):
        sa.sweep(linear, mb, {"d": [1.0]})
    with pytest.raises(ValidationError, match="mode"):
        sa.sweep(linear, mb, {"a": [1.0]}, mode="random")
    closure = iom.HouseholdClosure(mpc=0.8, consumption_taxes={"VAT": 0.1})  # Type II adds a tax:VAT row
    with pytest.raises(ValidationError, match="differ in their labels"):
        sa.sweep(iom.multipliers, mb, {"kind": ["type1", "type2"]}, fixed={"closure": closure})


def test_tornado_ranks_by_swing(mb):
    tn = sa.tornado(linear, mb, {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 9.0)}, base={"a": 0.5, "b": 0.5, "c": 0})
    assert tn["parameter"].values.tolist() == ["b", "a", "c"]
    assert_allclose(tn["swing"].sel(indicator="y"), [2.0, 1.0, 0.0])
    assert tn["rank"].sel(indicator="y").values.tolist() == [1, 2, 3]


def test_sobol_and_morris_recover_known_indices(mb):
    params = {"a": sa.Uniform(0, 1), "b": sa.Uniform(0, 1), "c": sa.Uniform(0, 1)}
    s = sa.sobol(linear, mb, params, n=512, outputs=["y"], seed=3)
    # y = a + 2b with uniform a, b: Var = 1/12 + 4/12, S_a = 0.2, S_b = 0.8, S_c = 0, no interactions
    assert_allclose(s["S1"].sel(indicator="y"), [0.2, 0.8, 0.0], atol=0.05)
    assert_allclose(s["ST"].sel(indicator="y"), [0.2, 0.8, 0.0], atol=0.05)
    m = sa.morris(linear, mb, params, outputs=["y"], trajectories=10, seed=3)
    assert_allclose(m["mu_star"].sel(indicator="y"), [1.0, 2.0, 0.0], atol=1e-5)  # per unit of the design cube
    with pytest.raises(ValidationError, match="power of two"):
        sa.sobol(linear, mb, params, n=100)
    again = sa.sobol(linear, mb, params, n=512, outputs=["y"], seed=0)
    xr.testing.assert_identical(again, sa.sobol(linear, mb, params, n=512, outputs=["y"], seed=0))  # CIs too


# --------------------------------------------------------------------------- results and bad input
def test_result_helpers_refuse_silent_nan():
    ds = xr.Dataset({"payback_year": ("draw", [2030.0, np.nan, 2050.0])})
    with pytest.raises(ValidationError, match="NaN in 1"):
        sa.quantiles(ds)
    p = sa.exceedance(ds["payback_year"], 2040, below=True)
    assert_allclose(float(p), 1 / 3)
    assert p.attrs["nan_draws"] == 1
    with pytest.raises(ValidationError, match="'draw'"):
        sa.quantiles(xr.Dataset({"y": ("year", [1.0])}))


def test_bad_input_is_named(mb, kz):
    with pytest.raises(ValidationError, match=">= 0"):
        sa.LognormalCoefficients(cv=-0.1)
    with pytest.raises(ValidationError, match="concentration"):
        sa.DirichletCoefficients(0.0)
    with pytest.raises(ValidationError, match="draws"):
        sa.monte_carlo(iom.multipliers, mb, draws=0, seed=0)
    with pytest.raises(ValidationError, match="seed"):
        sa.monte_carlo(iom.multipliers, mb, draws=2, seed=-1)
    with pytest.raises(LabelError, match="'nope'"):
        sa.monte_carlo(iom.multipliers, mb, draws=2, parameters={"nope": sa.Uniform(0, 1)}, seed=0)
    with pytest.raises(ValidationError, match="expected a distribution"):
        sa.monte_carlo(linear, mb, draws=2, parameters={"a": 0.5}, seed=0)
    with pytest.raises(ValidationError, match="ndarray"):
        sa.monte_carlo(lambda t: np.zeros(2), mb, draws=2, seed=0)
    with pytest.raises(LabelError, match="'99'"):
        sa.monte_carlo(iom.multipliers, kz, draws=2, coefficients=sa.LognormalCoefficients(0.1, sectors=["99"]))
    with pytest.raises(LabelError, match="'jobs'"):
        sa.monte_carlo(iom.multipliers, kz, draws=2, coefficients=sa.SatelliteCoefficients({"jobs": 0.1}))
    with pytest.raises(ValidationError, match="Uniform needs low <= high"):
        sa.Uniform(1.0, 0.0)
    # a draw that makes a column's inputs exceed its output is refused, naming the draw and the seed
    wild = sa.LognormalCoefficients(cv=3.0, keep_column_sums=False)
    with pytest.raises(NotProductiveError, match=r"draw (\d+) \(seed 0\).*sector '.*' sum to") as batched:
        sa.monte_carlo(iom.multipliers, kz, draws=50, coefficients=wild, seed=0, chunk_size=4)
    with pytest.raises(NotProductiveError, match=r"draw \d+ \(seed 0\)") as serial:
        sa.monte_carlo(iom.multipliers, kz, draws=50, coefficients=wild, seed=0, batched=False)
    first = str(batched.value).split(" (seed")[0]
    assert str(serial.value).startswith(first)  # both name the same draw, whatever the chunking
    with pytest.raises(NotProductiveError, match=r"draw \d+ \(seed 0\)") as blocks:
        sa.monte_carlo(iom.multipliers, kz, draws=50, coefficients=wild, seed=0)  # one chunk, blocks of draws
    assert str(blocks.value).startswith(first)


def test_cli_impact_draws_prints_intervals_that_the_library_reproduces(tmp_path, capsys, kz, scenario):
    from iomodel import cli

    args = ["impact", SCENARIO, "--output", str(tmp_path), "--no-figure", "--draws", "12", "--seed", "7"]
    assert cli.main(args) == 0
    text = capsys.readouterr().out
    assert "90% intervals over 12 draws (seed 7)" in text and "probability of payback by 2045" in text
    shown = pd.read_csv(tmp_path / "intervals.csv", index_col=0)
    cv = [sa.LognormalCoefficients(0.1), sa.SatelliteCoefficients(0.1), sa.TaxCoefficients(0.1)]
    ds = sa.monte_carlo(sa.ScenarioOutcome(scenario), kz, draws=12, coefficients=cv, seed=7)
    assert_allclose(shown.loc["npv", "p95"], float(ds["npv"].quantile(0.95)), rtol=1e-12)
    assert shown.loc["npv", "p5"] < shown.loc["npv", "p50"] < shown.loc["npv", "p95"]
    with xr.open_dataset(tmp_path / "draws.nc") as saved:
        assert saved.sizes["draw"] == 12


def test_attrs_of_one_draw_do_not_pass_for_the_run(kz, scenario):
    out = sa.ScenarioOutcome(scenario)
    ds = sa.monte_carlo(out, kz, draws=5, parameters={"additionality": sa.Uniform(0.4, 0.8)}, seed=2)
    assert "npv" not in ds.attrs and "additionality" not in ds.attrs  # per-draw facts, not the run's
    assert ds.attrs["displacement"] == scenario.package.displacement  # the same in every draw: kept
    assert ds.attrs["table"] == kz.meta.name
    table = sa.summary(ds, level=0.95)
    assert {"p2.5", "p50", "p97.5"} <= set(table.columns)
    assert_allclose(table.loc["npv", "p97.5"], float(ds["npv"].quantile(0.975)), rtol=1e-12)


@pytest.mark.parametrize("kind", ["type1", "type2"])
def test_low_rank_rows_equal_tables_per_draw(kz, kind):
    # two columns, independent draws (their rest, hence income and GVA coefficients, rescaled)
    cv = sa.LognormalCoefficients(0.3, keep_column_sums=False, sectors=["28", "25"])
    func = functools.partial(iom.multipliers, kind=kind)
    rows = sa.monte_carlo(func, kz, draws=6, coefficients=cv, seed=8, chunk_size=4)
    tables = sa.monte_carlo(func, kz, draws=6, coefficients=cv, seed=8, batched=False)
    assert rows.attrs["backend"] == "low-rank" and tables.attrs["backend"] == "serial"
    assert_allclose(rows["multiplier"], tables["multiplier"], rtol=1e-11, atol=1e-15)
    wild = sa.LognormalCoefficients(3.0, keep_column_sums=False, sectors=["28"])
    with pytest.raises(NotProductiveError, match=r"draw \d+ \(seed 1\).*'28'"):
        sa.monte_carlo(func, kz, draws=60, coefficients=wild, seed=1)
    with pytest.raises(ValidationError, match="batched=True needs"):
        sa.monte_carlo(func, kz, draws=2, coefficients=[cv, sa.SatelliteCoefficients(0.1)], seed=1, batched=True)


# --------------------------------------------------------------------------- the LP and the CGE as functions
def test_sweeps_of_the_lp_and_the_cge(kz):
    from iomodel import cge
    from iomodel import optimize as opt

    problem = opt.AllocationProblem.from_toml("examples/cluster_allocation.toml", economy=kz.economy)

    def allocation(table, budget=problem.budget):
        res = replace(problem, budget=budget).solve(table)
        dual = float(res.dual("budget").values.ravel()[0])
        return xr.Dataset(
            {"objective": ((), res.objective, {"units": "jobs"}), "budget_dual": ((), dual, {"units": "jobs per unit"})}
        )

    b, step = problem.budget, 1e-4 * problem.budget
    lp = sa.sweep(allocation, kz, {"budget": [b, b + step]})
    slope = float(lp["objective"][1] - lp["objective"][0]) / step
    assert_allclose(slope, float(lp["budget_dual"][0]), rtol=1e-6)  # the shadow price is the slope

    clusters = kz.aggregate(kz.economy.cluster_concordance(kz.sectors))
    model = cge.StandardCGE(
        cge.SAM.from_table(clusters), closure=cge.Closure(labour="fixed_real_wage"), numeraire="CPI"
    )
    rates = {g: float(model.pyomo.taum[g].value) for g in model.calibration.goods}

    def tariffs(table, keep=1.0):
        policy = cge.Policy(name=f"tariffs x{keep}", tariff_rate={g: keep * r for g, r in rates.items()})
        return model.solve(policy).to_dataset()

    ds = sa.sweep(tariffs, clusters, {"keep": [1.0, 0.5]})
    assert_allclose(float(ds["ev"].sel(scenario=0)), 0.0, atol=1e-6 * float(abs(ds["ev"]).max() + 1))  # benchmark
    assert float(ds["ev"].sel(scenario=1)) != 0.0 and ds["keep"].values.tolist() == [1.0, 0.5]
