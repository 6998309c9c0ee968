"""Analytic elasticities and delta-method variances against finite differences and Monte Carlo (METHODS.md 6.2, 6.4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel import dims
from iomodel.errors import LabelError, ValidationError
from iomodel.sensitivity.analytic import (
    MULTIPLIER_OF,
    coefficient_elasticities,
    impact_variance,
    multiplier_variance,
)

MB_CLOSURE = iom.HouseholdClosure(h=0.05)  # the textbook closure with M&B's h = 0.05
MPC_CLOSURE = iom.HouseholdClosure(mpc=0.8, deductions=0.1, consumption_taxes={"VAT": 0.1, "excise": 0.02})


# --------------------------------------------------------------------------- tables
def random_table(n: int = 5, seed: int = 3) -> iom.IOTable:
    """A small balanced table with income, a satellite and two taxes, built from flows."""
    rng = np.random.default_rng(seed)
    s = pd.Index([f"s{i}" for i in range(n)], name="sector")
    Z = pd.DataFrame(rng.uniform(5.0, 60.0, (n, n)) * (rng.uniform(size=(n, n)) < 0.7), index=s, columns=s)
    F = pd.DataFrame({"households": rng.uniform(50.0, 150.0, n), "other": rng.uniform(50.0, 150.0, n)}, index=s)
    x = Z.sum(axis=1) + F.sum(axis=1)
    rest = x - Z.sum(axis=0)
    share = rng.uniform(0.3, 0.6, n)
    V = pd.DataFrame([rest * share, rest * (1 - share)], index=["compensation", "other_value_added"], columns=s)
    sat = pd.DataFrame([rng.uniform(0.5, 2.0, n)], index=["employment"], columns=s)
    taxes = pd.DataFrame(rng.uniform(1.0, 10.0, (2, n)), index=["CIT", "PIT"], columns=s)
    return iom.IOTable.from_flows(
        Z, F, V, satellites=sat, satellite_units={"employment": "persons"}, taxes=taxes, name="random", unit="KZT"
    )


def with_coefficient(table: iom.IOTable, r: int, s: int, value: float) -> iom.IOTable:
    """The table with ``a_rs`` set to ``value`` and everything else (outputs, other coefficients) kept.

    Built from flows: ``z_rs = value * x_s`` with output given, so the column no
    longer balances (``check=False``), as a change of technology does.
    """
    A = table.A.to_numpy().copy()
    A[r, s] = value
    x = table.output
    Z = pd.DataFrame(A * x.to_numpy()[None, :], index=table.sectors, columns=table.sectors)
    meta = table.meta
    return iom.IOTable.from_flows(
        Z,
        table.final_demand,
        table.value_added,
        output=x,
        satellites=table.satellites if len(table.satellites.index) else None,
        satellite_units=meta.satellite_units,
        taxes=table.taxes if len(table.taxes.index) else None,
        name=meta.name,
        unit=meta.unit,
        currency=meta.currency,
        check=False,
    )


def finite_difference_elasticities(table: iom.IOTable, kind: str, closure, h: float = 1e-5) -> xr.DataArray:
    """Central differences of ln m (every indicator) in ln a_rs: dims (indicator, multiplier_of, sector, sector_to)."""
    base = iom.multipliers(table, kind, closure=closure)
    A = table.A.to_numpy()
    n = table.n
    out = np.zeros((base.sizes[dims.INDICATOR], n, n, n))
    for r in range(n):
        for s in range(n):
            a = A[r, s]
            if a == 0.0:
                continue
            up = iom.multipliers(with_coefficient(table, r, s, a * (1 + h)), kind, closure=closure).values
            down = iom.multipliers(with_coefficient(table, r, s, a * (1 - h)), kind, closure=closure).values
            out[:, :, r, s] = (up - down) / (2 * h) / base.values
    labels = table.sectors.to_numpy()
    return xr.DataArray(
        out,
        dims=(dims.INDICATOR, MULTIPLIER_OF, dims.SECTOR, dims.SECTOR_TO),
        coords={
            dims.INDICATOR: base[dims.INDICATOR].values,
            MULTIPLIER_OF: labels,
            dims.SECTOR: labels,
            dims.SECTOR_TO: labels,
        },
    )


# --------------------------------------------------------------------------- elasticities
CASES = [
    pytest.param("miller_blair", "type1", None, id="mb-type1"),
    pytest.param("miller_blair", "type2", MB_CLOSURE, id="mb-type2"),
    pytest.param("random", "type1", None, id="random-type1"),
    pytest.param("random", "type2", None, id="random-type2-textbook"),
    pytest.param("random", "type2", MPC_CLOSURE, id="random-type2-consumption-taxes"),
]


@pytest.fixture(scope="module")
def tables() -> dict[str, iom.IOTable]:
    return {"miller_blair": iom.datasets.miller_blair(), "random": random_table()}


@pytest.mark.parametrize(("name", "kind", "closure"), CASES)
def test_elasticities_match_finite_differences(tables, name, kind, closure):
    table = tables[name]
    fd = finite_difference_elasticities(table, kind, closure)
    for indicator in fd[dims.INDICATOR].values:
        e = coefficient_elasticities(table, str(indicator), kind, closure=closure)
        assert e.dims == (MULTIPLIER_OF, dims.SECTOR, dims.SECTOR_TO)
        assert_allclose(e.values, fd.sel(indicator=indicator).values, rtol=1e-6, atol=1e-9, err_msg=str(indicator))


def test_miller_blair_elasticity_by_hand():
    # METHODS.md 6.4: eps(m_l, a_ij) = a_ij m_i l_jl / m_l
    t = iom.datasets.miller_blair()
    e = coefficient_elasticities(t)
    m = iom.multipliers(t).sel(indicator="output").values
    L = t.leontief_inverse().to_numpy()
    A = t.A.to_numpy()
    for l in range(2):
        for i in range(2):
            for j in range(2):
                assert e.values[l, i, j] == pytest.approx(A[i, j] * m[i] * L[j, l] / m[l], rel=1e-13)


def test_type2_weights_reproduce_the_multipliers(tables):
    # the module's claim: every Type II row is sbar' Lbar[:, :n] with sbar = (s; c) independent of A
    t = tables["random"]
    closure = MPC_CLOSURE
    m = iom.multipliers(t, "type2", closure=closure)
    Lbar = t.closed(closure).inverse()
    n = t.n
    inv_x = 1.0 / t.output.to_numpy()
    per_income = closure.consumption_tax_per_income()
    tax_rows = t.taxes.to_numpy() * inv_x
    weights = {
        "output": (np.ones(n), 0.0),
        "income": (np.zeros(n), 1.0),
        "gva": (t.value_added.to_numpy().sum(axis=0) * inv_x, 0.0),
        "employment": (t.satellites.loc["employment"].to_numpy() * inv_x, 0.0),
        "tax:CIT": (tax_rows[0], 0.0),
        "tax:PIT": (tax_rows[1], 0.0),
        "tax:VAT": (np.zeros(n), per_income["VAT"]),
        "tax:excise": (np.zeros(n), per_income["excise"]),
        "budget": (tax_rows.sum(axis=0), sum(per_income.values())),
    }
    assert sorted(weights) == sorted(m[dims.INDICATOR].values.tolist())
    for name, (s, c) in weights.items():
        sbar = np.append(s, c)
        assert_allclose(sbar @ Lbar[:, :n], m.sel(indicator=name).values, rtol=1e-12, err_msg=name)


def test_elasticities_subset_and_result_contract(tables, tmp_path: Path):
    t = tables["random"]
    full = coefficient_elasticities(t, "employment", "type2", closure=MPC_CLOSURE)
    sub = coefficient_elasticities(t, "employment", "type2", closure=MPC_CLOSURE, multiplier_of=["s3", "s1"])
    xr.testing.assert_allclose(sub, full.sel({MULTIPLIER_OF: ["s3", "s1"]}))
    assert full.attrs["units"] == "1"
    assert full.attrs["indicator"] == "employment" and full.attrs["kind"] == "type2"
    for key, value in t.meta.attrs().items():
        assert full.attrs[key] == value
    path = tmp_path / "e.nc"
    full.to_netcdf(path)
    xr.testing.assert_identical(xr.load_dataarray(path), full)


# --------------------------------------------------------------------------- delta method
def test_variance_equals_the_sum_over_cells(tables):
    t = tables["random"]
    rng = np.random.default_rng(0)
    cv = rng.uniform(0.0, 0.2, (t.n, t.n))
    for kind, closure in (("type1", None), ("type2", MPC_CLOSURE)):
        ds = multiplier_variance(t, cv, "income", kind, closure=closure)
        e = coefficient_elasticities(t, "income", kind, closure=closure)
        m = ds.multiplier.values
        # d m_j / d a_rs = eps_jrs m_j / a_rs; Var = sum (d m_j/d a_rs)^2 (cv_rs a_rs)^2 = m_j^2 sum eps^2 cv^2
        expected = m**2 * np.einsum("jrs,rs->j", e.values**2, cv**2)
        assert_allclose(ds.variance.values, expected, rtol=1e-12)
        assert_allclose(ds["std"].values, np.sqrt(expected), rtol=1e-12)
        assert_allclose(ds.cv.values, np.sqrt(expected) / m, rtol=1e-12)
        assert_allclose(m, iom.multipliers(t, kind, closure=closure).sel(indicator="income").values, rtol=1e-15)


def test_cv_forms_agree(tables):
    t = tables["random"]
    rng = np.random.default_rng(1)
    arr = rng.uniform(0.0, 0.2, (t.n, t.n))
    frame = pd.DataFrame(arr, index=t.sectors, columns=t.sectors)
    shuffled = frame.iloc[::-1, [2, 0, 4, 1, 3]]  # aligned by label, not by position
    a = multiplier_variance(t, arr)
    b = multiplier_variance(t, shuffled)
    xr.testing.assert_allclose(a, b)
    c = multiplier_variance(t, 0.05)
    d = multiplier_variance(t, np.full((t.n, t.n), 0.05))
    xr.testing.assert_allclose(c.drop_attrs(), d.drop_attrs())
    assert c.attrs["cv"] == 0.05
    assert_allclose(multiplier_variance(t, 0.0).variance.values, 0.0)
    # the variance scales with cv^2
    assert_allclose(multiplier_variance(t, 0.1).variance.values, 4 * c.variance.values, rtol=1e-12)


def test_variance_result_contract(tables, tmp_path: Path):
    t = tables["miller_blair"]
    ds = multiplier_variance(t, 0.05, "income", "type2", closure=MB_CLOSURE)
    assert set(ds.data_vars) == {"multiplier", "variance", "std", "cv"}
    assert ds["std"].attrs["units"] == ds.multiplier.attrs["units"] == "USD per USD of final demand"
    assert ds.variance.attrs["units"] == "(USD per USD of final demand)^2"
    assert ds.attrs["indicator"] == "income" and ds.attrs["undefined"] == 0
    for key, value in t.meta.attrs().items():
        assert ds.attrs[key] == value
    path = tmp_path / "v.nc"
    ds.to_netcdf(path)
    xr.testing.assert_identical(xr.load_dataset(path), ds)


def test_impact_variance_matches_multiplier_variance_for_a_unit_demand(tables):
    t = tables["random"]
    for kind, closure in (("type1", None), ("type2", MPC_CLOSURE)):
        m_var = multiplier_variance(t, 0.07, "employment", kind, closure=closure)
        ds = impact_variance(t, pd.Series({"s2": 1.0}), 0.07, ["employment", "output"], kind, closure=closure)
        assert ds["impact"].sel(indicator="employment") == pytest.approx(float(m_var.multiplier.sel(sector="s2")))
        assert ds.variance.sel(indicator="employment") == pytest.approx(float(m_var.variance.sel(sector="s2")))
        # linear in demand: the impact scales with f, the variance with f^2
        ds3 = impact_variance(t, pd.Series({"s2": 3.0}), 0.07, ["employment", "output"], kind, closure=closure)
        assert_allclose(ds3["impact"].values, 3 * ds["impact"].values, rtol=1e-12)
        assert_allclose(ds3.variance.values, 9 * ds.variance.values, rtol=1e-12)


def test_impact_variance_defaults_and_contract(tables, tmp_path: Path):
    t = tables["random"]
    f = pd.Series({"s0": 100.0, "s4": 50.0})
    ds = impact_variance(t, f, 0.05, kind="type2", closure=MPC_CLOSURE)
    m = iom.multipliers(t, "type2", closure=MPC_CLOSURE)
    assert ds[dims.INDICATOR].values.tolist() == m[dims.INDICATOR].values.tolist()
    assert_allclose(ds["impact"].values, m.values @ t.align_demand(f).to_numpy(), rtol=1e-12)
    units = dict(zip(ds[dims.INDICATOR].values, ds["units"].values, strict=True))
    assert units["employment"] == "persons" and units["tax:VAT"] == "KZT" and units["output"] == "KZT"
    assert set(ds.data_vars) == {"impact", "variance", "std"}
    for key, value in t.meta.attrs().items():
        assert ds.attrs[key] == value
    path = tmp_path / "i.nc"
    ds.to_netcdf(path)
    xr.testing.assert_identical(xr.load_dataset(path), ds)


# --------------------------------------------------------------------------- Monte Carlo
DRAWS = 4000
CV = 0.05


@pytest.fixture(scope="module")
def kazakhstan() -> iom.IOTable:
    return iom.datasets.kazakhstan()


def monte_carlo(table: iom.IOTable, kind: str, closure, f: np.ndarray, seed: int = 20240601):
    """Independent normal errors on every a_rs (sd = CV a_rs): draws of the multipliers and of y = M f.

    Type I: M = S L(A); Type II: the bordered inverse of the closed model with the A block perturbed.
    Returns (multiplier draws (draws, k, n), impact draws (draws, k)) for the indicators of iom.multipliers.
    """
    rng = np.random.default_rng(seed)
    n = table.n
    A = table.A.to_numpy()
    names = iom.multipliers(table, kind, closure=closure)[dims.INDICATOR].values.tolist()
    if kind == "type1":
        S = iom.multipliers(table, "type1").values @ (np.eye(n) - A)  # the coefficient rows, m' (I - A) = s'
        Sbar = S
        Abar = A
    else:
        closure = (
            closure if closure is not None else (table.economy.closure if table.economy else iom.HouseholdClosure())
        )
        h_R, h_C, h = table.household_vectors(closure)
        Abar = np.block([[A, h_C[:, None]], [h_R[None, :], np.array([[h]])]])
        m2 = iom.multipliers(table, "type2", closure=closure).values
        Lbar = np.linalg.inv(np.eye(n + 1) - Abar)
        # sbar = (s; c): c is the households weight of each row (test_type2_weights_reproduce_the_multipliers)
        per_income = closure.consumption_tax_per_income()
        c = np.zeros(len(names))
        for k, name in enumerate(names):
            if name == "income":
                c[k] = 1.0
            elif name.startswith("tax:") and name[4:] in per_income:
                c[k] = per_income[name[4:]]
            elif name == "budget":
                c[k] = sum(per_income.values())
        # s' = (m2 - c Lbar[n, :n]) Lbar11^{-1}: recover the sector weights
        Lbar11 = Lbar[:n, :n]
        S = np.linalg.solve(Lbar11.T, (m2 - np.outer(c, Lbar[n, :n])).T).T
        Sbar = np.hstack([S, c[:, None]])
    size = Abar.shape[0]
    mult, imp = [], []
    fbar = np.zeros(size)
    fbar[:n] = f
    for start in range(0, DRAWS, 500):
        b = min(500, DRAWS - start)
        draws = np.broadcast_to(Abar, (b, size, size)).copy()
        draws[:, :n, :n] = A * (1.0 + CV * rng.standard_normal((b, n, n)))
        Ld = np.linalg.inv(np.eye(size) - draws)
        mult.append(np.einsum("kp,bpj->bkj", Sbar, Ld[:, :, :n]))
        imp.append(np.einsum("kp,bp->bk", Sbar, Ld @ fbar))
    return names, np.concatenate(mult), np.concatenate(imp)


@pytest.mark.parametrize("kind", ["type1", "type2"])
def test_delta_method_within_15_percent_of_monte_carlo(kazakhstan, kind):
    t = kazakhstan
    f = t.final_demand.sum(axis=1)  # the year's final demand
    names, mult, imp = monte_carlo(t, kind, None, f.to_numpy())
    for indicator in ("output", "income", "employment"):
        k = names.index(indicator)
        ds = multiplier_variance(t, CV, indicator, kind)
        mc_std = mult[:, k, :].std(axis=0, ddof=1)
        delta = ds["std"].values
        live = mc_std > 1e-12 * np.abs(ds.multiplier.values).max()
        assert live.sum() > 0.9 * t.n
        ratio = delta[live] / mc_std[live]
        assert np.all(np.abs(ratio - 1.0) < 0.15), (indicator, ratio.min(), ratio.max())
        assert_allclose(delta[~live], 0.0, atol=1e-12)
    ds = impact_variance(t, f, CV, kind=kind)
    mc_std = imp.std(axis=0, ddof=1)
    ratio = ds["std"].values / mc_std
    assert np.all(np.abs(ratio - 1.0) < 0.15), dict(zip(names, ratio.round(3), strict=True))
    # the Monte Carlo mean is the impact at the mean A to first order
    assert_allclose(imp.mean(axis=0), ds["impact"].values, rtol=0.01)


# --------------------------------------------------------------------------- bad input
def test_unknown_indicator_lists_the_options(tables):
    t = tables["miller_blair"]
    with pytest.raises(LabelError, match=r"unknown indicator 'jobs'.*valid options are \['output', 'income', 'gva'\]"):
        coefficient_elasticities(t, "jobs")
    with pytest.raises(LabelError, match="valid options"):
        multiplier_variance(t, 0.05, "jobs")
    with pytest.raises(LabelError, match=r"unknown indicator\(s\) \['jobs'\].*valid options"):
        impact_variance(t, pd.Series({"agriculture": 1.0}), 0.05, ["output", "jobs"])


def test_unknown_kind(tables):
    with pytest.raises(ValidationError, match="valid options are 'type1', 'type2'"):
        coefficient_elasticities(tables["miller_blair"], kind="type3")  # type: ignore[arg-type]


def test_zero_multiplier_is_refused_naming_the_sector():
    # sector b buys nothing from a, and only a emits: b's emission multiplier is zero
    s = pd.Index(["a", "b"], name="sector")
    Z = pd.DataFrame([[100.0, 0.0], [50.0, 100.0]], index=s, columns=s)
    F = pd.DataFrame({"households": [400.0, 350.0]}, index=s)
    V = pd.DataFrame([[350.0, 400.0]], index=["compensation"], columns=s)
    sat = pd.DataFrame([[10.0, 0.0]], index=["emissions"], columns=s)
    t = iom.IOTable.from_flows(Z, F, V, satellites=sat, name="triangular")
    with pytest.raises(
        ValidationError, match=r"'emissions' multiplier \(type1\) of sector\(s\) \['b'\] is zero"
    ) as exc:
        coefficient_elasticities(t, "emissions")
    assert exc.value.positions == [1]
    e = coefficient_elasticities(t, "emissions", multiplier_of=["a"])
    assert e.sizes[MULTIPLIER_OF] == 1
    # the variance is defined (zero), its CV is not
    ds = multiplier_variance(t, 0.05, "emissions")
    assert ds.variance.sel(sector="b") == 0.0 and np.isnan(ds.cv.sel(sector="b")) and ds.attrs["undefined"] == 1
    with pytest.raises(LabelError, match=r"unknown sector label\(s\) \['c'\]"):
        coefficient_elasticities(t, multiplier_of=["c"])


@pytest.mark.parametrize(
    ("cv", "error", "match"),
    [
        (-0.1, ValidationError, "non-negative"),
        (np.nan, ValidationError, "finite"),
        (np.inf, ValidationError, "finite"),
        ("five percent", ValidationError, "number"),
        (np.zeros((3, 3)), ValidationError, r"shape \(2, 2\)"),
        (np.array([[0.1, 0.1], [-0.2, 0.1]]), ValidationError, r"\(sector 'manufacturing', sector_to 'agriculture'\)"),
        (
            np.array([[0.1, np.nan], [0.1, 0.1]]),
            ValidationError,
            r"\(sector 'agriculture', sector_to 'manufacturing'\)",
        ),
        (
            pd.DataFrame(0.1, index=["agriculture", "mining"], columns=["agriculture", "manufacturing"]),
            LabelError,
            r"unknown \['mining'\], missing \['manufacturing'\]",
        ),
    ],
)
def test_bad_cv(tables, cv, error, match):
    t = tables["miller_blair"]
    with pytest.raises(error, match=match):
        multiplier_variance(t, cv)
    with pytest.raises(error, match=match):
        impact_variance(t, pd.Series({"agriculture": 1.0}), cv)


def test_bad_final_demand(tables):
    t = tables["miller_blair"]
    with pytest.raises(LabelError, match=r"unknown sector label\(s\) \['mining'\]"):
        impact_variance(t, pd.Series({"mining": 1.0}), 0.05)
    with pytest.raises(ValidationError, match="pandas Series"):
        impact_variance(t, pd.DataFrame({"x": [1.0, 2.0]}, index=t.sectors), 0.05)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="NaN"):
        impact_variance(t, pd.Series({"agriculture": np.nan}), 0.05)
