"""Multipliers, linkages and extraction against textbook values and brute force."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel.errors import LabelError, ValidationError

from .test_table import random_table


def brute_closed(t: iom.IOTable, closure: iom.HouseholdClosure) -> np.ndarray:
    """Invert the bordered (n+1) matrix directly: an independent Type II computation."""
    h_R, h_C, h = t.household_vectors(closure)
    n = t.n
    Abar = np.zeros((n + 1, n + 1))
    Abar[:n, :n] = t.A.to_numpy()
    Abar[:n, n] = h_C
    Abar[n, :n] = h_R
    Abar[n, n] = h
    return np.linalg.inv(np.eye(n + 1) - Abar)


def test_type1_miller_blair():
    m = iom.multipliers(iom.datasets.miller_blair())
    assert m.dims == ("indicator", "sector")
    assert_allclose(m.sel(indicator="output"), [1.518152, 1.452145], atol=1e-6)
    # income h_R L with h_R = (0.3, 0.25): by hand from the printed L
    L = np.array([[1.25412541, 0.330033], [0.2640264, 1.12211221]])
    assert_allclose(m.sel(indicator="income"), np.array([0.3, 0.25]) @ L, atol=1e-7)
    # all value added: every unit of final demand becomes value added (no imports)
    assert_allclose(m.sel(indicator="gva"), [1.0, 1.0], atol=1e-12)
    assert m.attrs["kind"] == "type1"
    assert str(m.units.sel(indicator="output").values) == "USD per USD of final demand"


def test_type2_against_bordered_inverse():
    t = random_table(n=7, seed=5)
    for closure in (iom.HouseholdClosure(), iom.HouseholdClosure(propensity=0.7)):
        Lbar = brute_closed(t, closure)
        n = t.n
        m2 = iom.multipliers(t, "type2", closure=closure)
        assert_allclose(m2.sel(indicator="output"), Lbar[:n, :n].sum(axis=0), rtol=1e-10)
        tot = iom.multipliers(t, "type2", closure=closure, include_households=True)
        assert_allclose(tot.sel(indicator="output"), Lbar[:, :n].sum(axis=0), rtol=1e-10)
        assert_allclose(m2.sel(indicator="income"), Lbar[n, :n], rtol=1e-10)
        e = t.coefficients("satellites").loc["employment"].to_numpy()
        assert_allclose(m2.sel(indicator="employment"), e @ Lbar[:n, :n], rtol=1e-10)
        tx = t.coefficients("taxes").to_numpy()
        assert_allclose(m2.sel(indicator="budget"), tx.sum(axis=0) @ Lbar[:n, :n], rtol=1e-10)


def test_type2_textbook_totals_via_kernel_closure():
    """With the textbook's h = 0.05 the total output multipliers are 2.462 and 2.262."""
    t = iom.datasets.miller_blair()
    m = iom.multipliers(t, "type2", closure=iom.HouseholdClosure(h=0.05), include_households=True)
    assert_allclose(m.sel(indicator="output"), [2.462, 2.262], atol=5e-4)
    assert_allclose(m.sel(indicator="income"), [0.570, 0.489], atol=5e-4)


def test_tax_rows_and_budget():
    t = random_table()
    m = iom.multipliers(t)
    assert {"tax:product_taxes", "tax:other_taxes_on_production", "budget"} <= set(m.indicator.values)
    assert_allclose(
        m.sel(indicator="budget"),
        m.sel(indicator=["tax:product_taxes", "tax:other_taxes_on_production"]).sum("indicator"),
    )


def test_type1_equals_dense_inverse_on_random():
    t = random_table(n=9, seed=11)
    L = np.linalg.inv(np.eye(9) - t.A.to_numpy())
    m = iom.multipliers(t)
    assert_allclose(
        m.sel(indicator="employment"), t.coefficients("satellites").loc["employment"].to_numpy() @ L, rtol=1e-12
    )


def test_direct_effect_multipliers():
    t = iom.datasets.miller_blair()
    d1 = iom.direct_effect_multipliers(t)
    m1 = iom.multipliers(t)
    h_R = np.array([0.3, 0.25])
    assert_allclose(d1.sel(indicator="income"), m1.sel(indicator="income") / h_R)
    assert_allclose(d1.sel(indicator="output"), m1.sel(indicator="output"))
    # Type II / Type I income ratio is the same for all sectors (METHODS.md 1.4)
    d2 = iom.direct_effect_multipliers(t, "type2", closure=iom.HouseholdClosure(h=0.05))
    r = d2.sel(indicator="income") / d1.sel(indicator="income")
    assert_allclose(r, r[0])


def test_direct_effect_zero_coefficient_is_nan():
    t = random_table()
    zero_tax = pd.DataFrame([np.r_[0.0, np.ones(t.n - 1)]], ["land_tax"], t.sectors)
    d = iom.direct_effect_multipliers(t.with_taxes(zero_tax), indicators=["tax:land_tax"])
    assert np.isnan(d.values[0, 0]) and d.attrs["undefined"] == 1


def test_multiplier_errors():
    t = iom.datasets.miller_blair()
    with pytest.raises(ValidationError, match="unknown multiplier kind 'type3'"):
        iom.multipliers(t, "type3")
    with pytest.raises(LabelError, match=r"unknown indicator\(s\) \['jobs'\]"):
        iom.multipliers(t, indicators=["jobs"])
    with pytest.raises(LabelError, match="household category 'hh' not in final demand"):
        iom.multipliers(t, "type2", closure=iom.HouseholdClosure(consumption="hh"))


def test_result_roundtrips_netcdf(tmp_path):
    m = iom.multipliers(random_table(), "type2")
    p = tmp_path / "m.nc"
    m.to_netcdf(p)
    back = xr.load_dataarray(p)
    xr.testing.assert_allclose(back, m)
    assert back.attrs["kind"] == "type2"


def test_linkages_normalised_and_ghosh_based():
    t = random_table(n=8, seed=2)
    ds = iom.linkages(t)
    assert_allclose(ds.backward.mean(), 1.0)
    assert_allclose(ds.forward.mean(), 1.0)
    G = t.ghosh_inverse().to_numpy()
    assert_allclose(ds.forward, 8 * G.sum(axis=1) / G.sum())
    B = t.Z.to_numpy() / t.output.to_numpy()[:, None]
    assert_allclose(G, np.linalg.inv(np.eye(8) - B), rtol=1e-10)
    L = np.linalg.inv(np.eye(8) - t.A.to_numpy())
    assert_allclose(ds.dispersion, L.std(axis=0, ddof=1) / L.mean(axis=0))
    cls = ds.key_sector.values
    assert set(cls) <= {"key", "backward", "forward", "weak"}
    key = iom.key_sectors(t)
    assert (key[key["class"] == "key"][["backward", "forward"]] > 1).all().all()


@pytest.mark.parametrize("kind", ["total", "backward", "forward"])
def test_extraction_closed_forms_match_re_solving(kind):
    t = random_table(n=6, seed=9)
    A, x = t.A.to_numpy(), t.output.to_numpy()
    f = t.final_demand.to_numpy().sum(axis=1)
    Z = t.Z.to_numpy()
    res = iom.hypothetical_extraction(t, kind=kind)
    for j in range(6):
        if kind == "total":
            keep = np.arange(6) != j
            xb = np.linalg.solve(np.eye(5) - A[np.ix_(keep, keep)], f[keep])
            loss = x.sum() - xb.sum()
        elif kind == "backward":
            A2 = A.copy()
            A2[:, j] = 0
            loss = x.sum() - np.linalg.solve(np.eye(6) - A2, f).sum()
        else:
            B = Z / x[:, None]
            B[j, :] = 0
            v = x - Z.sum(axis=0)  # primary inputs by column
            loss = x.sum() - (v @ np.linalg.inv(np.eye(6) - B)).sum()
        assert_allclose(res["loss"].iloc[j], loss, rtol=1e-9)
    with pytest.raises(LabelError):
        iom.hypothetical_extraction(t, ["nope"])
