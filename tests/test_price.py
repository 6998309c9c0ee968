"""Leontief price model (METHODS.md 3.5, 1.3): known answers, identities and brute force.

Expected values come from independent computations: explicit inverses with
``np.linalg.inv``, hand calculation on the Miller & Blair (2009) example and
the Ghosh model built from the allocation coefficients.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel.errors import IOModelWarning, LabelError, NotProductiveError, ValidationError
from iomodel.price import consumer_price_index, price_effects, sez_cost_change, tax_on_intermediates

from .test_multipliers import brute_closed
from .test_table import random_table

# Miller & Blair (2009) ch. 2: L as printed (METHODS.md 0.1), more digits from 1/det.
L_MB = np.array([[1.25412541, 0.330033], [0.2640264, 1.12211221]])


@pytest.fixture(scope="module")
def kz() -> iom.IOTable:
    return iom.datasets.kazakhstan(2024)


def primary_costs(t: iom.IOTable) -> np.ndarray:
    """v_c: GVA + imports + product taxes per unit of output, from the raw blocks."""
    x = t.output.to_numpy()
    return (t.value_added.to_numpy().sum(axis=0) + t.imports.to_numpy().sum(axis=0) + t.product_taxes.to_numpy()) / x


def inv(t: iom.IOTable) -> np.ndarray:
    return np.linalg.inv(np.eye(t.n) - t.A.to_numpy())


# ---------------------------------------------------------------- base prices
def test_base_prices_are_ones_kazakhstan(kz):
    v = primary_costs(kz)
    assert_allclose(v @ inv(kz), np.ones(kz.n), atol=1e-9)
    # the same through the factorisation
    assert_allclose(kz.factor().solve_transposed(v), np.ones(kz.n), atol=1e-9)
    # v_c includes all four GVA components, imports and product taxes: each matters
    assert (kz.product_taxes > 0).sum() > 50 and kz.imports.to_numpy().sum() > 0
    # under total coefficients the imports move into A and the identity still holds
    tot = kz.with_import_convention("total")
    v_tot = (kz.value_added.to_numpy().sum(axis=0) + kz.product_taxes.to_numpy()) / kz.output.to_numpy()
    A_tot = tot.A.to_numpy()
    assert_allclose(v_tot @ np.linalg.inv(np.eye(kz.n) - A_tot), np.ones(kz.n), atol=1e-9)


def test_base_prices_are_ones_miller_blair():
    t = iom.datasets.miller_blair()
    v = primary_costs(t)
    assert_allclose(v, [0.65, 0.70])
    assert_allclose(v @ L_MB, [1.0, 1.0], atol=1e-7)
    # zero taxes give exactly the base prices
    ds = tax_on_intermediates(t, pd.Series(dtype=float))
    assert_allclose(ds.price, [1.0, 1.0], atol=1e-12)
    assert_allclose(ds.price_change, [0.0, 0.0], atol=1e-12)


# ---------------------------------------------------------------- price_effects
def test_price_effects_miller_blair_by_hand():
    t = iom.datasets.miller_blair()
    ds = price_effects(t, pd.Series({"agriculture": 0.1}))
    # dp' = dv' L = 0.1 * first row of L
    assert_allclose(ds.price_change, 0.1 * L_MB[0], atol=1e-7)
    assert_allclose(ds.direct, [0.1, 0.0])
    assert_allclose(ds.indirect, [0.1 * (L_MB[0, 0] - 1), 0.1 * L_MB[0, 1]], atol=1e-7)
    assert_allclose(ds.direct + ds.indirect, ds.price_change, rtol=1e-14)
    assert ds.price_change.dims == ("sector",)
    assert ds.price_change.attrs["units"] == "relative change (1 = +100%)"
    assert ds.attrs["kind"] == "type1" and ds.attrs["table"] == t.meta.name
    assert ds.attrs["currency"] == "USD" and "section 2.6" in ds.attrs["method"]


def test_price_effects_never_forms_the_inverse():
    t = random_table(n=8, seed=3)
    price_effects(t, pd.Series({"s1": 0.02}))
    assert t.factor()._inverse is None


def test_uniform_cost_shock_on_one_sector():
    t = random_table(n=9, seed=4)
    L = inv(t)
    c = 0.05
    for j, s in enumerate(t.sectors):
        ds = price_effects(t, pd.Series({s: c}))
        assert_allclose(ds.price_change, c * L[j], rtol=1e-12)
        # the sector's own price rises by more than the shock, the others by less, all rise
        assert ds.price_change.values[j] >= c
        assert (ds.price_change.values >= 0).all()
        assert_allclose(ds.direct.values[j], c)
    # the same shock on every sector raises prices by c times the output multipliers i'L
    ds = price_effects(t, pd.Series(c, index=t.sectors))
    assert_allclose(ds.price_change, c * L.sum(axis=0), rtol=1e-12)


def test_linearity_and_scenarios():
    t = random_table(n=7, seed=2)
    rng = np.random.default_rng(0)
    d1 = pd.Series(rng.normal(0, 0.01, t.n), index=t.sectors)
    d2 = pd.Series(rng.normal(0, 0.01, 3), index=t.sectors[[0, 2, 5]])  # missing sectors are 0
    a, b = 2.5, -0.7
    p1 = price_effects(t, d1).price_change.values
    p2 = price_effects(t, d2).price_change.values
    both = a * d1 + b * d2.reindex(t.sectors, fill_value=0.0)
    assert_allclose(price_effects(t, both).price_change, a * p1 + b * p2, atol=1e-14)
    # a DataFrame runs scenarios at once
    frame = pd.DataFrame({"one": d1, "two": d2.reindex(t.sectors, fill_value=0.0)})
    ds = price_effects(t, frame)
    assert ds.price_change.dims == ("scenario", "sector")
    assert_allclose(ds.price_change.sel(scenario="one"), p1, rtol=1e-12)
    assert_allclose(ds.price_change.sel(scenario="two"), p2, rtol=1e-12)


def test_other_taxes_on_production_kazakhstan(kz):
    """A 10% rise of other taxes on production everywhere: dv = 0.1 OTP / x."""
    otp = kz.coefficients("value_added").loc["other_taxes_on_production"]
    dv = 0.1 * otp
    ds = price_effects(kz, dv.rename(None))
    assert_allclose(ds.price_change, dv.to_numpy() @ inv(kz), rtol=1e-9, atol=1e-15)
    assert_allclose(ds.direct, dv.to_numpy())
    assert ds.sizes["sector"] == 68


def test_type2_against_bordered_inverse():
    t = random_table(n=6, seed=8)
    dv = pd.Series({"s0": 0.03, "s4": -0.01})
    for closure in (iom.HouseholdClosure(), iom.HouseholdClosure(mpc=0.7)):
        Lbar = brute_closed(t, closure)
        n = t.n
        shock = np.r_[dv.reindex(t.sectors, fill_value=0.0).to_numpy(), 0.0]
        expected = shock @ Lbar
        ds = price_effects(t, dv, kind="type2", closure=closure)
        assert_allclose(ds.price_change, expected[:n], rtol=1e-10)
        assert_allclose(float(ds.wage_change), expected[n], rtol=1e-10)
        ds1 = price_effects(t, dv)
        assert_allclose(ds.induced, ds.price_change - ds1.price_change, atol=1e-15)
        assert_allclose(ds.direct + ds.indirect + ds.induced, ds.price_change, atol=1e-15)
        assert ds.attrs["kind"] == "type2" and ds.attrs["closure_income"] == "compensation"


# ---------------------------------------------------------------- Ghosh equivalence
@pytest.mark.parametrize("which", ["random", "kazakhstan", "miller_blair"])
def test_ghosh_equivalence(which, kz):
    """Dietzenbacher (1997), METHODS.md 1.3: Ghosh relative output changes = Leontief price changes."""
    t = {
        "random": lambda: random_table(n=10, seed=9),
        "kazakhstan": lambda: kz,
        "miller_blair": iom.datasets.miller_blair,
    }[which]()
    x = t.output.to_numpy()
    Z = t.Z.to_numpy()
    B = Z / x[:, np.newaxis]
    G = np.linalg.inv(np.eye(t.n) - B)
    rng = np.random.default_rng(1)
    dv_rel = rng.uniform(-0.02, 0.05, t.n)  # change of primary inputs per unit of output
    dx = (dv_rel * x) @ G  # Ghosh: dx' = dv' G with dv in money
    ds = price_effects(t, pd.Series(dv_rel, index=t.sectors))
    assert_allclose(ds.price_change, dx / x, rtol=1e-8, atol=1e-14)


# ---------------------------------------------------------------- tax on intermediates
def brute_tax(t: iom.IOTable, tau: np.ndarray, include_imports: bool) -> np.ndarray:
    x = t.output.to_numpy()
    A = t.A.to_numpy()
    v = primary_costs(t)
    if include_imports:
        v = v + tau @ (t.imports.to_numpy() / x)
    p = v @ np.linalg.inv(np.eye(t.n) - np.diag(1 + tau) @ A)
    return p / (primary_costs(t) @ inv(t))


@pytest.mark.parametrize("include_imports", [True, False])
def test_tax_on_intermediates_vs_inverse(include_imports):
    t = random_table(n=8, seed=6)
    tau = np.random.default_rng(2).uniform(0, 0.2, t.n)
    ds = tax_on_intermediates(t, pd.Series(tau, index=t.sectors), include_imports=include_imports)
    expected = brute_tax(t, tau, include_imports)
    assert_allclose(ds.price, expected, rtol=1e-12)
    assert_allclose(ds.price_change, expected - 1, atol=1e-13)
    assert_allclose(ds.rate, tau)
    assert ds.attrs["include_imports"] == int(include_imports)
    assert (ds.price_change.values > 0).all()


def test_tax_on_intermediates_miller_blair_formula():
    """METHODS.md 3.5: p' = v'(I - (I + tau-hat)A)^-1 (no imports in the textbook table)."""
    t = iom.datasets.miller_blair()
    A = np.array([[0.15, 0.25], [0.20, 0.05]])
    tau = np.array([0.05, 0.10])
    ds = tax_on_intermediates(t, pd.Series(tau, index=t.sectors))
    expected = np.array([0.65, 0.70]) @ np.linalg.inv(np.eye(2) - np.diag(1 + tau) @ A)
    assert_allclose(ds.price, expected, rtol=1e-12)


def test_tax_on_intermediates_kazakhstan_and_first_order(kz):
    tau = pd.Series(0.0, index=kz.sectors)
    tau[["20", "192", "241"]] = [0.01, 0.02, 0.005]
    ds = tax_on_intermediates(kz, tau)
    assert_allclose(ds.price, brute_tax(kz, tau.to_numpy(), True), rtol=1e-10)
    # to first order the tax is a cost shock tau'(A + A^m) per unit of output
    x = kz.output.to_numpy()
    dv = tau.to_numpy() @ (kz.A.to_numpy() + kz.imports.to_numpy() / x)
    first = price_effects(kz, pd.Series(dv, index=kz.sectors)).price_change.values
    assert_allclose(ds.price_change, first, rtol=0.03, atol=1e-9)


def test_tax_on_intermediates_total_convention(kz):
    tot = kz.with_import_convention("total")
    tau = pd.Series({"20": 0.02})
    ds = tax_on_intermediates(tot, tau)
    A = tot.A.to_numpy()
    v = (kz.value_added.to_numpy().sum(axis=0) + kz.product_taxes.to_numpy()) / kz.output.to_numpy()
    t = tau.reindex(kz.sectors, fill_value=0.0).to_numpy()
    p = v @ np.linalg.inv(np.eye(kz.n) - np.diag(1 + t) @ A)
    assert_allclose(ds.price, p / (v @ np.linalg.inv(np.eye(kz.n) - A)), rtol=1e-10)
    assert "total coefficients" in ds.attrs["imported_inputs"]
    with pytest.raises(ValidationError, match="include_imports=False needs the 'domestic' import convention"):
        tax_on_intermediates(tot, tau, include_imports=False)


def test_tax_removal_beyond_recorded_taxes_warns(kz):
    # a VAT exemption as if all 12% of input VAT were non-deductible: far more than the table records
    with pytest.warns(IOModelWarning, match=r"remove more product taxes than the table records"):
        tax_on_intermediates(kz, pd.Series(-0.12, index=kz.sectors))
    # a small removal within the recorded product taxes is silent
    ds = tax_on_intermediates(kz, pd.Series({"20": -0.001}))
    assert (ds.price_change.values <= 1e-15).all()


# ---------------------------------------------------------------- consumer prices
def test_cpi_miller_blair_by_hand():
    t = iom.datasets.miller_blair()
    pe = price_effects(t, pd.Series({"agriculture": 0.1}))
    cpi = consumer_price_index(t, pe)
    # households buy 40 and 320: weights 1/9, 8/9; no imports, so s_d = 1
    assert_allclose(cpi.weight, [1 / 9, 8 / 9])
    assert_allclose(cpi.domestic_share, [1.0, 1.0])
    assert_allclose(float(cpi.cpi_change), (40 * 0.1 * L_MB[0, 0] + 320 * 0.1 * L_MB[0, 1]) / 360, rtol=1e-7)
    # a Series gives the same answer as the Dataset
    same = consumer_price_index(t, pe.price_change.to_series())
    assert_allclose(float(same.cpi_change), float(cpi.cpi_change))
    assert cpi.attrs["price_model_kind"] == "type1" and cpi.attrs["category"] == "households"


def test_cpi_weights_sum_to_one_kazakhstan(kz):
    dv = sez_cost_change(kz, "20", share=0.3, customs_duty_rate=0.05)
    cpi = consumer_price_index(kz, price_effects(kz, dv))
    assert_allclose(float(cpi.weight.sum()), 1.0, rtol=1e-12)
    assert ((cpi.domestic_share >= 0) & (cpi.domestic_share <= 1)).all()
    assert_allclose(float(cpi.contribution.sum()), float(cpi.cpi_change))
    assert float(cpi.cpi_change) < 0
    with_tax = consumer_price_index(kz, price_effects(kz, dv), consumer_tax_rates=pd.Series(0.12, index=kz.sectors))
    # a uniform consumer tax rate leaves the weights unchanged
    assert_allclose(with_tax.weight, cpi.weight, rtol=1e-12)
    assert_allclose(float(with_tax.cpi_change), float(cpi.cpi_change), rtol=1e-12)


def test_cpi_import_shares_and_tax_weights():
    t = random_table(n=5, seed=12)
    cd = t.final_demand["households"].to_numpy()
    cm = t.imports_final["households"].to_numpy()
    # uniform domestic price rise c: the index rises by c times the domestic share of the basket
    c = 0.04
    cpi = consumer_price_index(t, pd.Series(c, index=t.sectors))
    assert_allclose(float(cpi.cpi_change), c * cd.sum() / (cd + cm).sum(), rtol=1e-12)
    assert_allclose(cpi.domestic_share, cd / (cd + cm))
    # consumer tax rates re-weight at purchasers' prices
    tc = np.array([0.0, 0.12, 0.12, 0.5, 0.0])
    dp = np.random.default_rng(3).uniform(0, 0.05, t.n)
    got = consumer_price_index(t, pd.Series(dp, index=t.sectors), consumer_tax_rates=pd.Series(tc, index=t.sectors))
    val = (cd + cm) * (1 + tc)
    w = val / val.sum()
    assert_allclose(got.weight, w)
    assert_allclose(float(got.cpi_change), np.sum(w * cd / (cd + cm) * dp), rtol=1e-12)


def test_cpi_of_scenarios_and_other_category():
    t = random_table(n=6, seed=1)
    frame = pd.DataFrame({"a": [0.01] * 6, "b": [0.02] * 6}, index=t.sectors)
    cpi = consumer_price_index(t, price_effects(t, frame), category="exports")
    assert cpi.cpi_change.dims == ("scenario",)
    assert_allclose(cpi.cpi_change.sel(scenario="b"), 2 * cpi.cpi_change.sel(scenario="a"), rtol=1e-12)
    assert cpi.attrs["category"] == "exports"


# ---------------------------------------------------------------- SEZ helper
def test_sez_cost_change_sign_and_size(kz):
    m20 = kz.imports["20"].sum() / kz.output["20"]
    d20 = kz.Z["20"].sum() / kz.output["20"]
    dv = sez_cost_change(kz, "20", share=0.3, customs_duty_rate=0.05)
    assert isinstance(dv, xr.DataArray) and dv.dims == ("sector",) and dv.name == "delta_cost"
    assert dv.sector.values.tolist() == kz.sectors.tolist()
    d = float(dv.sel(sector="20"))
    assert_allclose(d, -0.3 * 0.05 * m20, rtol=1e-12)
    assert d < 0 and (dv.drop_sel(sector="20") == 0).all()
    assert dv.attrs["units"] == "thousand KZT per thousand KZT of output"
    assert dv.attrs["table"] == kz.meta.name
    both = sez_cost_change(kz, "20", share=0.3, customs_duty_rate=0.05, vat_nonrecoverable_rate=0.02)
    assert_allclose(float(both.sel(sector="20")), -0.3 * (0.05 * m20 + 0.02 * d20), rtol=1e-12)
    assert_allclose(both.attrs["vat_component"], -0.3 * 0.02 * d20)
    assert_allclose(both.attrs["customs_component"] + both.attrs["vat_component"], float(both.sel(sector="20")))
    assert both.attrs["share"] == 0.3 and both.attrs["sector"] == "20"
    # nothing in the zone: no change
    assert (sez_cost_change(kz, "20", share=0.0, customs_duty_rate=0.05) == 0).all()
    # the product's own price falls by at least the direct saving (l_jj >= 1)
    pe = price_effects(kz, dv)
    assert float(pe.price_change.sel(sector="20")) <= d
    assert (pe.price_change.values <= 0).all()
    # the shock's parameters travel into the price result
    assert pe.attrs["shock_sector"] == "20" and pe.attrs["shock_customs_duty_rate"] == 0.05
    assert pe.attrs["shock_name"] == "delta_cost"


def test_price_effects_accepts_a_dataarray_like_a_series(kz):
    dv = sez_cost_change(kz, "20", share=0.3, customs_duty_rate=0.05)
    from_series = price_effects(kz, dv.to_series())
    xr.testing.assert_allclose(price_effects(kz, dv).drop_attrs(), from_series.drop_attrs())
    # several shocks along 'scenario', in either dim order, like a sector x scenario DataFrame
    stacked = xr.concat([dv, 2 * dv], dim=pd.Index(["sez", "double"], name="scenario"))
    frame = pd.DataFrame({"sez": dv.to_series(), "double": 2 * dv.to_series()})
    want = price_effects(kz, frame).price_change
    for da in (stacked, stacked.transpose("sector", "scenario")):
        got = price_effects(kz, da).price_change
        xr.testing.assert_allclose(got.drop_attrs(), want.drop_attrs())
    with pytest.raises(ValidationError, match=r"delta_cost has no 'sector' dimension"):
        price_effects(kz, dv.rename(sector="product"))
    with pytest.raises(
        ValidationError, match=r"dims \('sector',\) or \('scenario', 'sector'\), got \('draw', 'sector'\)"
    ):
        price_effects(kz, xr.concat([dv, dv], dim="draw"))
    with pytest.raises(LabelError, match=r"delta_cost: unknown sector label\(s\) \['ZZ'\]"):
        price_effects(kz, xr.DataArray([0.1], dims="sector", coords={"sector": ["ZZ"]}))


def test_sez_single_import_row():
    t = random_table(n=4, seed=5, import_use=False)
    dv = sez_cost_change(t, "s2", share=1.0, customs_duty_rate=0.1)
    assert_allclose(float(dv.sel(sector="s2")), -0.1 * t.imports.to_numpy()[0, 2] / t.output["s2"])


# ---------------------------------------------------------------- errors
def test_errors_labels_and_values(kz):
    with pytest.raises(LabelError, match=r"delta_cost: unknown sector label\(s\) \['99'\]"):
        price_effects(kz, pd.Series({"99": 0.1}))
    with pytest.raises(LabelError, match=r"unknown sector label\(s\) \[20\].*strings, e.g. '20'"):
        price_effects(kz, pd.Series({20: 0.1}))
    with pytest.raises(ValidationError, match=r"delta_cost is NaN or infinite for sector\(s\) \['20'\]"):
        price_effects(kz, pd.Series({"01": 0.1, "20": np.nan}))
    with pytest.raises(ValidationError, match="delta_cost must be a pandas Series"):
        price_effects(kz, np.zeros(kz.n))
    with pytest.raises(LabelError, match=r"delta_cost: duplicated sector label\(s\) \['20'\]"):
        price_effects(kz, pd.Series([0.1, 0.2], index=["20", "20"]))
    with pytest.raises(ValidationError, match="unknown price model kind 'type3'"):
        price_effects(kz, pd.Series({"20": 0.1}), kind="type3")
    with pytest.raises(ValidationError, match="'bureau'"):
        price_effects(kz.with_import_convention("bureau"), pd.Series({"20": 0.1}))
    with pytest.raises(ValidationError, match="closure applies to kind='type2' only"):
        price_effects(kz, pd.Series({"20": 0.1}), closure=iom.HouseholdClosure())


def test_errors_rates(kz):
    with pytest.raises(ValidationError, match=r"rates for sector\(s\) \['20'\] outside .*0.12 for 12%"):
        tax_on_intermediates(kz, pd.Series({"20": 12.0}))
    with pytest.raises(ValidationError, match=r"rates for sector\(s\) \['01'\] outside -1 < rate < 1"):
        tax_on_intermediates(kz, pd.Series({"01": -1.0}))
    with pytest.raises(ValidationError, match=r"rates is NaN or infinite for sector\(s\) \['05'\]"):
        tax_on_intermediates(kz, pd.Series({"05": np.nan}))
    with pytest.raises(LabelError, match=r"rates: unknown sector label\(s\) \['XX'\]"):
        tax_on_intermediates(kz, pd.Series({"XX": 0.1}))
    single = random_table(n=4, import_use=False)
    with pytest.raises(ValidationError, match="include_imports needs imports by product"):
        tax_on_intermediates(single, pd.Series({"s0": 0.1}))
    assert tax_on_intermediates(single, pd.Series({"s0": 0.1}), include_imports=False).price.size == 4


def test_errors_not_productive():
    s = ["a", "b"]
    Z = pd.DataFrame([[900.0, 900.0], [900.0, 900.0]], index=s, columns=s)
    t = iom.IOTable.from_flows(
        Z,
        pd.DataFrame({"households": [200.0, 200.0]}, index=s),
        pd.DataFrame([[200.0, 200.0]], index=["compensation"], columns=s),
    )
    with pytest.raises(NotProductiveError, match=r"rates make \(I \+ tau-hat\) A non-productive"):
        tax_on_intermediates(t, pd.Series({"a": 0.5, "b": 0.5}))


def test_errors_sez(kz):
    with pytest.raises(ValidationError, match=r"share \(of sector '20'.*\[0, 1\].*-0.1"):
        sez_cost_change(kz, "20", share=-0.1, customs_duty_rate=0.05)
    with pytest.raises(ValidationError, match=r"share .* got 1.5"):
        sez_cost_change(kz, "20", share=1.5)
    with pytest.raises(ValidationError, match=r"customs_duty_rate must be a fraction in \[0, 1\).*got 5"):
        sez_cost_change(kz, "20", share=0.3, customs_duty_rate=5)
    with pytest.raises(ValidationError, match=r"vat_nonrecoverable_rate must be a fraction.*got 1.0"):
        sez_cost_change(kz, "20", share=0.3, vat_nonrecoverable_rate=1.0)
    with pytest.raises(ValidationError, match=r"customs_duty_rate must be a fraction.*got nan"):
        sez_cost_change(kz, "20", share=0.3, customs_duty_rate=float("nan"))
    with pytest.raises(LabelError, match=r"sector 'chemicals' not in table 'Kazakhstan 2024'"):
        sez_cost_change(kz, "chemicals", share=0.3)
    with pytest.raises(LabelError, match=r"sector 20 not in table.*strings, e.g. '20'"):
        sez_cost_change(kz, 20, share=0.3)


def test_errors_cpi(kz):
    pe = price_effects(kz, pd.Series({"20": -0.001}))
    with pytest.raises(LabelError, match=r"category 'consumers' not in the final demand.*'households'"):
        consumer_price_index(kz, pe, category="consumers")
    with pytest.raises(ValidationError, match=r"consumer_tax_rates for sector\(s\) \['12'\] outside"):
        consumer_price_index(kz, pe, consumer_tax_rates=pd.Series({"12": 1.5}))
    with pytest.raises(ValidationError, match="no 'price_change' variable"):
        consumer_price_index(kz, pe.drop_vars("price_change"))
    bad = xr.DataArray([0.1], dims=("sector",), coords={"sector": ["ZZ"]})
    with pytest.raises(LabelError, match=r"price_change: unknown sector label\(s\) \['ZZ'\]"):
        consumer_price_index(kz, bad)
    nan = xr.DataArray([0.1, np.nan], dims=("sector",), coords={"sector": ["01", "20"]})
    with pytest.raises(ValidationError, match=r"price_change is NaN or infinite for sector\(s\) \['20'\]"):
        consumer_price_index(kz, nan)


def test_errors_cpi_zero_consumption():
    t = random_table(n=3)
    F = t.final_demand.copy()
    F["none"] = 0.0
    t0 = t.with_final_demand(F)
    with pytest.raises(ValidationError, match=r"consumption of category 'none'.* is 0"):
        consumer_price_index(t0, pd.Series({"s0": 0.1}), category="none")


def test_unbalanced_table_warns():
    t = iom.datasets.miller_blair()
    V = t.value_added.copy()
    V.loc["compensation", "agriculture"] += 50.0  # columns no longer balance
    bad = iom.IOTable.from_flows(t.Z, t.final_demand, V.rename_axis(columns=None), check=False)
    with pytest.warns(IOModelWarning, match=r"base prices v_c'L differ from 1 .*'agriculture'"):
        price_effects(bad, pd.Series({"agriculture": 0.1}))


# ---------------------------------------------------------------- netCDF and attrs
def test_results_roundtrip_netcdf(tmp_path, kz):
    dv = sez_cost_change(kz, "20", share=0.3, customs_duty_rate=0.05)
    results = {
        "type1": price_effects(kz, dv),
        "type2": price_effects(
            kz,
            xr.concat([dv, 2 * dv], dim=pd.Index(["sez", "double"], name="scenario")),
            kind="type2",
            closure=iom.datasets.kazakhstan_economy().closure,
        ),
        "tax": tax_on_intermediates(kz, pd.Series({"20": 0.01})),
    }
    results["cpi"] = consumer_price_index(kz, results["type2"])
    for name, ds in results.items():
        for key in ("table", "table_year", "currency", "table_unit", "source", "assumptions"):
            assert key in ds.attrs, (name, key)
        for var in ds.data_vars:
            assert ds[var].attrs.get("units"), (name, var)
        p = tmp_path / f"{name}.nc"
        ds.to_netcdf(p)
        back = xr.load_dataset(p)
        xr.testing.assert_allclose(back, ds)
        assert back.attrs == ds.attrs
        for var in ds.data_vars:
            assert back[var].attrs["units"] == ds[var].attrs["units"]
    assert results["type2"].attrs["closure_mpc"] == 0.8
