"""Section-to-product splits (by compensation or by pay), jobs per output, tax-rate calibration and attribution."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel.errors import LabelError, ValidationError
from iomodel.satellites import (
    attribute_product_taxes,
    calibrate_tax,
    jobs_per_output,
    pay_adjusted_key,
    split_to_products,
)

SEC = pd.Series({"01": "A", "02": "A", "05": "B", "94-96": "S", "97-98": "T"})
KEY = pd.Series({"01": 30.0, "02": 10.0, "05": 5.0, "94-96": 8.0, "97-98": 2.0})
TOT = pd.Series({"A": 1000.0, "B": 50.0, "S": 200.0})


def test_split_reproduces_sections_and_folds_aliases():
    out = split_to_products(TOT, SEC, KEY, aliases={"T": "S"})
    assert_allclose(out.loc[["01", "02"]].to_numpy(), [750.0, 250.0])
    assert_allclose(out.loc[["94-96", "97-98"]].to_numpy(), [160.0, 40.0])
    assert_allclose(out.sum(), TOT.sum())


def test_split_errors_name_sections():
    with pytest.raises(LabelError, match=r"no total for section\(s\) \['T'\]"):
        split_to_products(TOT, SEC, KEY)
    with pytest.raises(LabelError, match=r"section\(s\) \['Q'\] have totals but no product"):
        split_to_products(pd.concat([TOT, pd.Series({"Q": 1.0})]), SEC, KEY, aliases={"T": "S"})
    with pytest.raises(ValidationError, match=r"sums to zero in section\(s\) \['B'\]"):
        split_to_products(TOT, SEC, KEY.replace(5.0, 0.0), aliases={"T": "S"})
    with pytest.raises(ValidationError, match=r"key must be finite and non-negative; offending: \['02'\]"):
        split_to_products(TOT, SEC, KEY.replace(10.0, np.nan), aliases={"T": "S"})
    with pytest.raises(LabelError, match=r"key has no value for product\(s\) \['05'\]"):
        split_to_products(TOT, SEC, KEY.drop("05"), aliases={"T": "S"})


def test_calibrate_tax_reproduces_revenue():
    base = pd.Series({"a": 120.0, "b": 80.0, "c": 300.0})
    t, rec = calibrate_tax(base, 50.0, tax="PIT", base_name="compensation", source="test")
    assert_allclose(t.sum(), 50.0)
    assert_allclose(rec.rate, 0.1)
    t2, rec2 = calibrate_tax(base, 50.0, tax="MET", base_name="output", products=["c"])
    assert_allclose(t2.to_numpy(), [0.0, 0.0, 50.0])
    assert rec2.to_dict()["products"] == ["c"]


def test_calibrate_tax_errors():
    base = pd.Series({"a": 1.0, "b": 0.0})
    with pytest.raises(LabelError, match=r"MET: unknown product\(s\) \['z'\]"):
        calibrate_tax(base, 1.0, tax="MET", base_name="output", products=["z"])
    with pytest.raises(ValidationError, match=r"sums to 0\.0 over the taxed products"):
        calibrate_tax(base, 1.0, tax="MET", base_name="output", products=["b"])
    with pytest.raises(ValidationError, match="base 'output' must be finite and non-negative at \\['b'\\]"):
        calibrate_tax(pd.Series({"a": 1.0, "b": -2.0}), 1.0, tax="MET", base_name="output")
    with pytest.raises(ValidationError, match="revenue must be finite"):
        calibrate_tax(base, float("nan"), tax="MET", base_name="output")


def test_attribute_product_taxes_by_hand():
    taxes = pd.Series({"intermediate": 30.0, "households": 90.0, "gfcf": 30.0, "government": 0.0})
    r = attribute_product_taxes({"VAT": 300.0, "excise": 60.0}, taxes, {"households": 1200.0, "gfcf": 600.0})
    r = r.set_index(["tax", "use"])
    # households: 90 / 150 = 0.6 of each tax; gfcf 30 / 150 = 0.2
    assert_allclose(r.loc[("VAT", "households"), ["share", "attributed", "rate"]].to_numpy(), [0.6, 180.0, 0.15])
    assert_allclose(r.loc[("excise", "households"), ["attributed", "rate"]].to_numpy(), [36.0, 0.03])
    assert_allclose(r.loc[("VAT", "gfcf"), ["attributed", "rate"]].to_numpy(), [60.0, 0.1])
    assert_allclose(r.loc[("excise", "gfcf"), "revenue"], 60.0)


def test_attribute_product_taxes_errors_name_the_item():
    taxes = {"intermediate": 30.0, "households": 90.0}
    with pytest.raises(LabelError, match=r"base names use\(s\) \['exports'\] not among the uses"):
        attribute_product_taxes({"VAT": 1.0}, taxes, {"exports": 5.0})
    with pytest.raises(ValidationError, match=r"product taxes must be finite and non-negative; offending: \['gfcf'\]"):
        attribute_product_taxes({"VAT": 1.0}, {**taxes, "gfcf": -1.0}, {"households": 5.0})
    with pytest.raises(ValidationError, match=r"revenue must be finite and non-negative; offending: \['VAT'\]"):
        attribute_product_taxes({"VAT": np.nan}, taxes, {"households": 5.0})
    with pytest.raises(
        ValidationError, match=r"base must be finite and positive; offending use\(s\): \['households'\]"
    ):
        attribute_product_taxes({"VAT": 1.0}, taxes, {"households": 0.0})
    with pytest.raises(ValidationError, match=r"product taxes sum to 0.0 over the uses"):
        attribute_product_taxes({"VAT": 1.0}, {"households": 0.0}, {"households": 5.0})


def test_pay_adjusted_split_by_hand():
    """e_i = E_s (W_i / w_i) / sum_j (W_j / w_j); section average for products without a wage."""
    wages = pd.Series({"01": 60.0, "A": 40.0, "05": 25.0})  # 02 takes section A's 40; B has one product
    key = pay_adjusted_key(KEY, SEC, wages, aliases={"T": "S"})
    assert_allclose(key.loc[["01", "02", "05"]].to_numpy(), [30 / 60, 10 / 40, 5 / 25])
    assert_allclose(key.loc[["94-96", "97-98"]].to_numpy(), [8.0, 2.0])  # no wage in S or T: compensation
    out = split_to_products(TOT, SEC, key, aliases={"T": "S"})
    # A: keys 0.5 and 0.25 share 1000 -> 666.67 and 333.33 (compensation alone: 750 / 250)
    assert_allclose(out.loc[["01", "02"]].to_numpy(), [1000 * 0.5 / 0.75, 1000 * 0.25 / 0.75])
    assert_allclose(out.loc[["05", "94-96", "97-98"]].to_numpy(), [50.0, 160.0, 40.0])


def test_pay_adjusted_key_by_division_and_alias():
    # products 94-96 and 97-98 share section S's total (T folded into S); 97-98's wage is given by its division 97
    wages = pd.Series({"97": 10.0, "S": 20.0})
    key = pay_adjusted_key(KEY, SEC, wages, wage_codes={"97-98": "97"}, aliases={"T": "S"})
    assert_allclose(key.loc[["94-96", "97-98"]].to_numpy(), [8 / 20, 2 / 10])
    out = split_to_products(TOT, SEC, key, aliases={"T": "S"})
    assert_allclose(out.loc[["94-96", "97-98"]].to_numpy(), [200 * 0.4 / 0.6, 200 * 0.2 / 0.6])
    assert_allclose(out.loc[["01", "02"]].to_numpy(), [750.0, 250.0])  # A untouched


def test_pay_adjusted_key_errors():
    with pytest.raises(
        LabelError, match=r"section 'A': product\(s\) \['02'\] have no wage .* give a wage for section 'A'"
    ):
        pay_adjusted_key(KEY, SEC, pd.Series({"01": 60.0}))
    with pytest.raises(LabelError, match=r"wage code\(s\) \['99'\] match no product"):
        pay_adjusted_key(KEY, SEC, pd.Series({"99": 60.0}))
    with pytest.raises(ValidationError, match=r"wages must be finite and positive; offending code\(s\): \['A'\]"):
        pay_adjusted_key(KEY, SEC, pd.Series({"A": 0.0}))
    with pytest.raises(LabelError, match=r"compensation has no value for product\(s\) \['05'\]"):
        pay_adjusted_key(KEY.drop("05"), SEC, pd.Series({"A": 1.0}))


def test_jobs_per_output_units_and_values():
    mb = iom.datasets.miller_blair().with_satellites(
        pd.DataFrame([[30.0, 10.0]], index=["employment"], columns=["agriculture", "manufacturing"]),
        {"employment": "persons"},
    )
    j = jobs_per_output(mb, per="thousand")
    assert j.dims == ("sector",) and j.attrs["units"] == "persons per 1 thousand dollars of output"
    assert_allclose(j.to_numpy(), [30 / 1000 * 1000, 10 / 2000 * 1000])
    kz = iom.datasets.kazakhstan()
    jb = jobs_per_output(kz)
    assert jb.attrs["units"] == "persons per 1 bn KZT of output"
    # thousand KZT: persons / (output * 1e3 KZT) * 1e9
    expected = kz.satellites.loc["employment"].to_numpy() / (kz.output.to_numpy() * 1e3) * 1e9
    assert_allclose(jb.to_numpy(), expected, rtol=1e-14)
    assert_allclose(jobs_per_output(kz, per="million").to_numpy(), expected / 1e3, rtol=1e-14)
    with pytest.raises(ValidationError, match=r"per='trn' is not understood; valid options are \['unit'"):
        jobs_per_output(kz, per="trn")
    with pytest.raises(LabelError, match=r"has no satellite 'jobs'; it has \['employment'\]"):
        jobs_per_output(kz, indicator="jobs")


def test_jobs_per_output_takes_units_as_the_package_writes_them():
    from iomodel.errors import ValidationError
    from iomodel.satellites import jobs_per_output

    kz = iom.datasets.kazakhstan()
    a, b = jobs_per_output(kz, per="bn"), jobs_per_output(kz, per="bn KZT")
    assert a.equals(b) and a.attrs == b.attrs
    assert np.allclose(jobs_per_output(kz, per="thousand KZT").values * 1e6, a.values)
    with pytest.raises(ValidationError, match="per='bn USD' is not understood"):
        jobs_per_output(kz, per="bn USD")
