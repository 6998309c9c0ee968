"""Multipliers, linkages and extraction against textbook values and brute force."""

from __future__ import annotations

import json

import highspy
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel.analysis import group_multipliers, mixed_model, modified_inverse
from iomodel.errors import LabelError, NotProductiveError, ValidationError

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
    for closure in (iom.HouseholdClosure(), iom.HouseholdClosure(mpc=0.7)):
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
    for var in ds.data_vars:
        assert ds[var].attrs["units"], var
    assert ds.backward.attrs["units"] == "index (mean over sectors = 1)"
    assert ds.backward_direct.attrs["units"] == "KZT per KZT of output"


def test_key_sectors_dataset_order_and_values():
    t = random_table(n=12, seed=4)
    ds = iom.linkages(t)
    key = iom.key_sectors(t)
    assert isinstance(key, xr.Dataset) and set(key.data_vars) == {"backward", "forward", "key_sector"}
    assert key.sector.size == t.n and set(key.sector.values) == set(t.sectors)
    # same values as the linkages, sector by sector
    same = ds[["backward", "forward", "key_sector"]].sel(sector=key.sector)
    xr.testing.assert_allclose(key.drop_attrs(), same.drop_attrs(), rtol=1e-12)
    # ordered by class, then by backward linkage (descending) within a class
    order = ["key", "backward", "forward", "weak"]
    rank = [order.index(c) for c in key.key_sector.values]
    assert rank == sorted(rank)
    for c in order:
        b = key.backward.values[key.key_sector.values == c]
        assert (np.diff(b) <= 0).all(), c
    is_key = key.key_sector == "key"
    assert ((key.backward > 1) & (key.forward > 1)).equals(is_key)
    assert key.backward.attrs["units"] and key.key_sector.attrs["units"]
    assert key.attrs["table"] == "random"


@pytest.mark.parametrize("variant", ["total", "backward", "forward"])
def test_extraction_closed_forms_match_re_solving(variant):
    t = random_table(n=6, seed=9)
    A, x = t.A.to_numpy(), t.output.to_numpy()
    f = t.final_demand.to_numpy().sum(axis=1)
    Z = t.Z.to_numpy()
    res = iom.hypothetical_extraction(t, variant=variant)
    assert isinstance(res, xr.Dataset) and res.loss.dims == ("sector",)
    assert res.attrs["variant"] == variant and res.loss.attrs["units"] == "thousand KZT"
    assert_allclose(res.share, res.loss / x.sum())
    for j in range(6):
        if variant == "total":
            keep = np.arange(6) != j
            xb = np.linalg.solve(np.eye(5) - A[np.ix_(keep, keep)], f[keep])
            loss = x.sum() - xb.sum()
        elif variant == "backward":
            A2 = A.copy()
            A2[:, j] = 0
            loss = x.sum() - np.linalg.solve(np.eye(6) - A2, f).sum()
        else:
            B = Z / x[:, None]
            B[j, :] = 0
            v = x - Z.sum(axis=0)  # primary inputs by column
            loss = x.sum() - (v @ np.linalg.inv(np.eye(6) - B)).sum()
        assert_allclose(float(res["loss"][j]), loss, rtol=1e-9)
    sub = iom.hypothetical_extraction(t, ["s3", "s1"], variant=variant)
    assert sub.sector.values.tolist() == ["s3", "s1"]
    assert_allclose(sub.loss, res.loss.sel(sector=["s3", "s1"]))


def test_extraction_errors():
    t = random_table(n=4)
    with pytest.raises(LabelError, match=r"unknown sector label\(s\) \['nope'\]"):
        iom.hypothetical_extraction(t, ["nope"])
    with pytest.raises(LabelError, match=r"duplicated sector label\(s\) \['s1'\]"):
        iom.hypothetical_extraction(t, ["s1", "s1"])
    with pytest.raises(ValidationError, match="unknown extraction variant 'type1'; valid options are 'total'"):
        iom.hypothetical_extraction(t, variant="type1")
    with pytest.raises(TypeError):
        iom.hypothetical_extraction(t, kind="total")  # kind= means type1/type2 across the API


def test_group_multipliers_weights_units_and_errors():
    t = iom.datasets.miller_blair()
    m = iom.multipliers(t)
    w = pd.DataFrame([[0.2, 0.8], [1.0, 0.0]], index=["agro", "farming"], columns=t.sectors)
    g = group_multipliers(m, w)
    assert g.dims == ("indicator", "cluster")
    assert_allclose(g.sel(cluster="agro"), 0.2 * m.sel(sector="agriculture") + 0.8 * m.sel(sector="manufacturing"))
    assert_allclose(g.sel(cluster="farming"), m.sel(sector="agriculture"))
    assert g.units.values.tolist() == m.units.values.tolist()
    assert json.loads(g.attrs["weights"]) == {
        "agro": {"agriculture": 0.2, "manufacturing": 0.8},
        "farming": {"agriculture": 1.0},
    }
    assert group_multipliers(m, w, dim="zone").dims == ("indicator", "zone")
    with pytest.raises(ValidationError, match="unknown group dimension 'region'; valid options are"):
        group_multipliers(m, w, dim="region")
    with pytest.raises(ValidationError, match="has no 'sector' dimension"):
        group_multipliers(m.isel(sector=0), w)
    with pytest.raises(LabelError, match=r"weights name unknown sector\(s\) \['mining'\]"):
        group_multipliers(m, w.rename(columns={"agriculture": "mining"}))
    with pytest.raises(ValidationError, match="weights hold NaN"):
        group_multipliers(m, w.replace(0.8, np.nan))


# --- the mixed model ------------------------------------------------------------------------
def test_mixed_model_by_hand_miller_blair():
    """Agriculture's output fixed at +100 (A = [[.15, .25], [.2, .05]]): x_2 = .2*100/.95, f_1 = .85*100 - .25 x_2."""
    t = iom.datasets.miller_blair()
    ds = mixed_model(t, pd.Series({"agriculture": 100.0}))
    x2 = 0.2 * 100 / 0.95
    assert_allclose(ds.output, [100.0, x2], rtol=1e-12)
    assert_allclose(ds.final_demand, [0.85 * 100 - 0.25 * x2, 0.0], rtol=1e-12, atol=1e-12)
    assert ds.given.values.tolist() == ["output", "final_demand"]
    assert ds.output.attrs["units"] == ds.final_demand.attrs["units"] == "dollars"
    assert json.loads(ds.attrs["exogenous"]) == ["agriculture"]
    # with final demand for manufacturing too: x_2 = (.2*100 + 50)/.95
    ds2 = mixed_model(t, pd.Series({"agriculture": 100.0}), pd.Series({"manufacturing": 50.0}))
    assert_allclose(ds2.output.sel(sector="manufacturing"), (20.0 + 50.0) / 0.95)
    assert_allclose(ds2.final_demand.sel(sector="manufacturing"), 50.0)
    # every sector exogenous: f = (I - A) x
    ds3 = mixed_model(t, pd.Series({"agriculture": 10.0, "manufacturing": 20.0}))
    assert_allclose(ds3.final_demand, [0.85 * 10 - 0.25 * 20, -0.2 * 10 + 0.95 * 20])


def test_modified_inverse_by_hand_and_partition():
    t = iom.datasets.miller_blair()
    Lmod = modified_inverse(t, ["agriculture"])
    assert Lmod.dims == ("sector", "sector_to")
    # the Schur complement: the free block is (I - A_NN)^-1 = 1/.95; the exogenous row and column vanish
    assert_allclose(Lmod.values, [[0.0, 0.0], [0.0, 1 / 0.95]], atol=1e-15)
    assert Lmod.attrs["units"] == "USD per USD of final demand"
    assert modified_inverse(t, "agriculture").equals(Lmod)  # a single label
    # on a larger table: L_mod against the partition and against the mixed model
    r = random_table(n=7, seed=8)
    E = ["s1", "s4"]
    Lm = modified_inverse(r, E).values
    A = r.A.to_numpy()
    N = ~r.sectors.isin(E)
    assert_allclose(Lm[np.ix_(N, N)], np.linalg.inv(np.eye(N.sum()) - A[np.ix_(N, N)]), rtol=1e-10)
    assert_allclose(Lm[~N], 0.0) and assert_allclose(Lm[:, ~N], 0.0)
    fN = pd.Series(np.arange(1.0, 6.0), index=r.sectors[N])
    ds = mixed_model(r, pd.Series(0.0, index=E), fN)
    assert_allclose(ds.output, Lm @ r.align_demand(fN).to_numpy(), rtol=1e-10)
    # linearity: fixed outputs and final demand add up
    xE = pd.Series([3.0, 7.0], index=E)
    assert_allclose(mixed_model(r, xE, fN).output, mixed_model(r, xE).output + ds.output, rtol=1e-10)
    # the explicit textbook formula L - L D'(D L D')^-1 D L
    L = np.linalg.inv(np.eye(7) - A)
    i = r.sectors.get_indexer(E)
    assert_allclose(Lm, L - L[:, i] @ np.linalg.solve(L[np.ix_(i, i)], L[i, :]), atol=1e-12)


def test_mixed_model_errors():
    t = iom.datasets.miller_blair()
    with pytest.raises(LabelError, match="both a fixed output and a final demand"):
        mixed_model(t, pd.Series({"agriculture": 1.0}), pd.Series({"agriculture": 1.0}))
    with pytest.raises(LabelError, match=r"unknown sector label\(s\) \['mining'\]"):
        mixed_model(t, pd.Series({"mining": 1.0}))
    with pytest.raises(ValidationError, match="names no sector"):
        mixed_model(t, pd.Series(dtype=float))
    with pytest.raises(ValidationError, match="fixed_output must be a pandas Series"):
        mixed_model(t, {"agriculture": 1.0})
    with pytest.raises(ValidationError, match="mixed model needs the domestic import convention"):
        mixed_model(random_table().with_import_convention("total"), pd.Series({"s0": 1.0}))
    with pytest.raises(LabelError, match=r"modified inverse: unknown sector label\(s\) \['mining'\]"):
        modified_inverse(t, ["mining"])
    with pytest.raises(ValidationError, match="no exogenous sector"):
        modified_inverse(t, [])


def test_mixed_model_non_productive_block_names_sectors():
    """A_NN of a non-productive table: the error names the endogenous sectors at fault."""
    s = ["a", "b", "c"]
    Z = pd.DataFrame([[60.0, 50.0, 0.0], [50.0, 60.0, 0.0], [0.0, 0.0, 10.0]], index=s, columns=s)
    F = pd.DataFrame({"hh": [-10.0, -10.0, 90.0]}, index=s)
    V = pd.DataFrame([[-10.0, -10.0, 90.0]], index=["compensation"], columns=s)
    t = iom.IOTable.from_flows(Z, F, V, check=False)
    with pytest.raises(NotProductiveError, match=r"A_NN of the mixed model is not productive.*\['a', 'b'\]"):
        mixed_model(t, pd.Series({"c": 1.0}))


def test_mixed_model_closed_form_and_lp():
    """Kazakhstan 2024: mixed model, its closed form and a HiGHS linear program agree."""
    t = iom.datasets.kazakhstan()
    fixed = pd.Series({"20": 1000.0, "192": 500.0})
    fN = pd.Series({"41-43": 800.0})
    ds = mixed_model(t, fixed, fN)
    x, f = ds.output.to_numpy(), ds.final_demand.to_numpy()
    assert_allclose(ds.output.sel(sector=["20", "192"]), [1000.0, 500.0])
    # consistency: (I - A) x = f everywhere
    n = t.n
    A = t.A.to_numpy()
    assert_allclose((np.eye(n) - A) @ x, f, atol=1e-6)
    # closed form: L_mod applied to the final demand of the free sectors, plus the fixed part
    i = t.sectors.get_indexer(["20", "192"])
    Lmod = modified_inverse(t, ["20", "192"]).values
    L = t.leontief_inverse().to_numpy()
    assert_allclose(Lmod, L - L[:, i] @ np.linalg.solve(L[np.ix_(i, i)], L[i, :]), rtol=1e-10, atol=1e-12)
    f_free = t.align_demand(fN).to_numpy()
    assert_allclose((Lmod @ f_free)[i], 0.0, atol=1e-9)  # fixed sectors do not move
    # LP: minimise total output s.t. (I - A)_N x >= f_N, x_E fixed, x >= 0 (HiGHS)
    E = t.sectors.isin(["20", "192"])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, int((~E).sum())
    lp.col_cost_ = np.ones(n)
    lo, up = np.zeros(n), np.full(n, highspy.kHighsInf)
    lo[E] = up[E] = x[E]
    lp.col_lower_, lp.col_upper_ = lo, up
    csc = sp.csc_matrix((np.eye(n) - A)[~E])
    lp.row_lower_, lp.row_upper_ = f[~E], np.full(lp.num_row_, highspy.kHighsInf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = csc.indptr, csc.indices, csc.data
    h.passModel(lp)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert_allclose(np.array(h.getSolution().col_value), x, rtol=1e-7, atol=1e-6)


def test_per_restates_employment_not_money():
    from iomodel.cli import multiplier_table

    kz = iom.datasets.kazakhstan()
    base, bn = iom.multipliers(kz, "type2"), iom.multipliers(kz, "type2", per="bn KZT")
    assert_allclose(bn.sel(indicator="employment"), base.sel(indicator="employment") * 1e6)
    assert_allclose(bn.sel(indicator="output"), base.sel(indicator="output"))
    assert str(bn.sel(indicator="output").units.values) == "KZT per KZT of final demand"
    # the command line's table (its own rescaling by unit) gives the same jobs per bn KZT
    cli = multiplier_table(kz, kind="type2", by="product")
    assert_allclose(cli["employment"], bn.sel(indicator="employment").to_series().loc[cli.index], rtol=1e-12)
    with pytest.raises(iom.errors.ValidationError, match="different currencies"):
        iom.multipliers(kz, per="bn USD")
