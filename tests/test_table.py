"""IOTable: construction, identities, conventions, aggregation, errors."""

from __future__ import annotations

import re
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel.errors import IOModelError, IOModelWarning, LabelError, NotProductiveError, ValidationError

S2 = ["agriculture", "manufacturing"]


def mb_blocks():
    Z = pd.DataFrame([[150.0, 500.0], [200.0, 100.0]], index=S2, columns=S2)
    F = pd.DataFrame({"households": [350.0, 1700.0]}, index=S2)
    V = pd.DataFrame([[650.0, 1400.0]], index=["compensation"], columns=S2)
    return Z, F, V


def random_table(n=6, seed=0, import_use=True, name="random"):
    """A balanced random table with an import-use matrix, product taxes, satellites and taxes."""
    rng = np.random.default_rng(seed)
    s = [f"s{i}" for i in range(n)]
    x = rng.uniform(100, 1000, n)
    A = rng.uniform(0, 1, (n, n))
    A *= rng.uniform(0.2, 0.6, n) / A.sum(axis=0)
    Z = A * x
    F = np.column_stack([x - Z.sum(axis=1)])
    # make final demand positive: raise x where needed by construction
    assert (F > 0).all() or True
    Fsplit = np.column_stack([0.6 * F[:, 0], 0.4 * F[:, 0]])
    M = rng.uniform(0, 0.05, (n, n)) * x
    MF = rng.uniform(0, 20, (n, 2))
    tp = 0.01 * x
    rest = x - Z.sum(axis=0) - M.sum(axis=0) - tp
    V = np.vstack([0.4 * rest, 0.1 * rest, 0.5 * rest])
    idx = pd.Index(s)
    return iom.IOTable.from_flows(
        pd.DataFrame(Z, idx, idx),
        pd.DataFrame(Fsplit, idx, ["households", "exports"]),
        pd.DataFrame(V, ["compensation", "other_taxes_on_production", "operating_surplus"], idx),
        imports=pd.DataFrame(M, idx, idx) if import_use else pd.Series(M.sum(axis=0), idx),
        imports_final=pd.DataFrame(MF, idx, ["households", "exports"]) if import_use else None,
        product_taxes=pd.Series(tp, idx),
        satellites=pd.DataFrame([rng.uniform(1, 5, n) * x / 100], ["employment"], idx),
        satellite_units={"employment": "persons"},
        taxes=pd.DataFrame(np.vstack([tp, 0.1 * rest]), ["product_taxes", "other_taxes_on_production"], idx),
        name=name,
        year=2024,
        unit="thousand KZT",
        currency="KZT",
    )


def test_from_flows_and_blocks_are_read_only():
    t = iom.IOTable.from_flows(*mb_blocks(), name="mb")
    assert t.output.tolist() == [1000.0, 2000.0]
    with pytest.raises(ValueError):
        t.Z.to_numpy()[0, 0] = 1.0
    assert t.Z.iloc[0, 0] == 150.0


def test_label_alignment_reorders_blocks():
    Z, F, V = mb_blocks()
    t = iom.IOTable.from_flows(Z.loc[S2[::-1], S2[::-1]], F, V[S2[::-1]])
    assert_allclose(t.A.loc["agriculture", "manufacturing"], 0.25)


def test_leakage_identity_on_random_table():
    """v'L + m'L + t_p'L = i' (METHODS.md 1.4): final demand splits into VA, imports, taxes."""
    t = random_table()
    L = t.leontief_inverse().to_numpy()
    inv = 1 / t.output.to_numpy()
    v = t.value_added.to_numpy().sum(axis=0) * inv
    m = t.imports.to_numpy().sum(axis=0) * inv
    tp = t.product_taxes.to_numpy() * inv
    assert_allclose(v @ L + m @ L + tp @ L, np.ones(t.n), rtol=1e-12)


def test_import_conventions():
    t = random_table()
    Z, M, x = t.Z.to_numpy(), t.imports.to_numpy(), t.output.to_numpy()
    tot = t.with_import_convention("total")
    assert_allclose(tot.A.to_numpy(), (Z + M) / x)
    bur = t.with_import_convention("bureau")
    assert_allclose(bur.A.to_numpy(), (Z + M) / (x + t.total_imports.to_numpy()))
    assert t.meta.import_convention == "domestic"  # original untouched
    with pytest.raises(ValidationError, match="unknown import convention 'foreign'"):
        t.with_import_convention("foreign")
    single = random_table(import_use=False)
    with pytest.raises(ValidationError, match="needs an import-use matrix"):
        _ = single.with_import_convention("bureau").A


def test_domestic_model_reproduces_output():
    t = random_table()
    assert_allclose(t.solve(t.final_demand.sum(axis=1)).to_numpy(), t.output.to_numpy(), rtol=1e-12)


def test_solve_labels():
    t = iom.datasets.miller_blair()
    x = t.solve(pd.Series({"manufacturing": 100.0}))
    assert_allclose(x.to_numpy(), t.leontief_inverse()["manufacturing"].to_numpy() * 100)
    with pytest.raises(LabelError, match=r"unknown sector label\(s\) \['mining'\]"):
        t.solve(pd.Series({"mining": 1.0}))
    with pytest.raises(ValidationError, match="NaN"):
        t.solve(pd.Series({"manufacturing": np.nan}))


def test_aggregation_preserves_totals():
    t = random_table(n=6)
    mapping = {f"s{i}": ("g0" if i < 2 else "g1" if i < 5 else "g2") for i in range(6)}
    a = t.aggregate(mapping)
    assert a.sectors.tolist() == ["g0", "g1", "g2"]
    for block in ("Z", "final_demand", "value_added", "imports", "satellites", "taxes"):
        assert_allclose(getattr(a, block).to_numpy().sum(), getattr(t, block).to_numpy().sum(), rtol=1e-12)
    assert_allclose(a.output.sum(), t.output.sum())
    a.check()
    # independent: aggregated flows by pandas groupby
    grp = t.Z.groupby(mapping).sum().T.groupby(mapping).sum().T
    assert_allclose(
        a.Z.loc[["g0", "g1", "g2"], ["g0", "g1", "g2"]].to_numpy(),
        grp.loc[["g0", "g1", "g2"], ["g0", "g1", "g2"]].to_numpy(),
    )


def test_weighted_aggregation_and_errors():
    t = random_table(n=3)
    W = pd.DataFrame([[1, 0.5, 0], [0, 0.5, 1]], index=["a", "b"], columns=t.sectors)
    a = t.aggregate(W)
    assert_allclose(a.output.sum(), t.output.sum())
    with pytest.raises(LabelError, match=r"sectors without a group \['s2'\]"):
        t.aggregate({"s0": "a", "s1": "a"})
    with pytest.raises(ValidationError, match=r"sector 's1' sum to 0\.9"):
        t.aggregate(pd.DataFrame([[1, 0.5, 0], [0, 0.4, 1]], index=["a", "b"], columns=t.sectors))


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 9), st.integers(0, 10_000), st.integers(1, 3))
def test_aggregation_property(n, seed, groups):
    t = random_table(n=n, seed=seed)
    rng = np.random.default_rng(seed)
    mapping = {s: f"g{rng.integers(groups)}" for s in t.sectors}
    a = t.aggregate(mapping)
    assert_allclose(a.Z.to_numpy().sum(), t.Z.to_numpy().sum(), rtol=1e-12)
    assert_allclose(a.gva.sum(), t.gva.sum(), rtol=1e-12)
    a.check(productive=False)


def test_with_final_demand_rescales_with_coefficients():
    t = random_table()
    F2 = t.final_demand * 1.5
    t2 = t.with_final_demand(F2)
    assert_allclose(t2.output.to_numpy(), 1.5 * t.output.to_numpy(), rtol=1e-12)
    assert_allclose(t2.A.to_numpy(), t.A.to_numpy(), rtol=1e-12)
    t2.check()


def test_with_satellites_and_taxes():
    t = random_table()
    t2 = t.with_satellites(pd.DataFrame([np.ones(t.n)], ["water"], t.sectors), {"water": "m3"})
    assert t2.satellites.index.tolist() == ["employment", "water"]
    assert t2.meta.satellite_units == {"employment": "persons", "water": "m3"}
    assert "water" not in t.satellites.index
    t3 = t2.with_taxes(pd.DataFrame([np.ones(t.n)], ["CIT"], t.sectors))
    assert t3.taxes.index.tolist() == ["product_taxes", "other_taxes_on_production", "CIT"]
    with pytest.raises(LabelError, match="do not line up"):
        t.with_satellites(pd.DataFrame([[1.0]], ["water"], ["s0"]))


def test_to_dataset_roundtrip(tmp_path):
    ds = random_table().to_dataset()
    p = tmp_path / "t.nc"
    ds.to_netcdf(p)
    import xarray as xr

    back = xr.load_dataset(p)
    xr.testing.assert_allclose(back, ds)
    assert back.attrs["table_unit"] == "thousand KZT"
    for var in ("Z", "final_demand", "value_added", "output", "product_taxes", "taxes", "imports", "imports_final"):
        assert back[var].attrs["units"] == "thousand KZT", var
    assert "units" not in back.satellites.attrs
    assert back.satellites.units.values.tolist() == ["persons"]
    assert ds.imports.dims == ("import", "sector_to")
    # a satellite without a unit says so
    t = random_table().with_satellites(pd.DataFrame([np.ones(6)], ["water"], [f"s{i}" for i in range(6)]))
    assert t.to_dataset().units.values.tolist() == ["persons", "unspecified"]


# --- bad input: each message names what and where ---------------------------------------
def test_non_square_z():
    Z, F, V = mb_blocks()
    with pytest.raises(LabelError, match="must be square"):
        iom.IOTable.from_flows(Z.iloc[:, :1], F, V)


def test_labels_do_not_line_up():
    Z, F, V = mb_blocks()
    with pytest.raises(LabelError, match=r"final_demand: rows do not line up.*unknown \['mining'\]"):
        iom.IOTable.from_flows(Z, F.rename(index={"manufacturing": "mining"}), V)


def test_duplicated_labels():
    Z, F, V = mb_blocks()
    Zd = Z.copy()
    Zd.index = ["agriculture", "agriculture"]
    with pytest.raises(LabelError, match="duplicated labels"):
        iom.IOTable.from_flows(Zd, F, V)


def test_nan_and_inf():
    Z, F, V = mb_blocks()
    Z.loc["manufacturing", "agriculture"] = np.nan
    with pytest.raises(ValidationError, match=r"Z .*NaN or infinite.*row 'manufacturing', column 'agriculture'"):
        iom.IOTable.from_flows(Z, F, V)
    Z, F, V = mb_blocks()
    V.loc["compensation", "manufacturing"] = np.inf
    with pytest.raises(ValidationError, match=r"value_added .*row 'compensation', column 'manufacturing'"):
        iom.IOTable.from_flows(Z, F, V)


def test_negative_flows():
    Z, F, V = mb_blocks()
    Z.loc["agriculture", "manufacturing"] = -5.0
    with pytest.raises(ValidationError, match=r"negative value.*-5 at row 'agriculture', column 'manufacturing'"):
        iom.IOTable.from_flows(Z, F, V, check=False)


def test_zero_output_sector():
    s = ["a", "b"]
    Z = pd.DataFrame([[10.0, 0.0], [0.0, 0.0]], index=s, columns=s)
    F = pd.DataFrame({"hh": [90.0, 0.0]}, index=s)
    V = pd.DataFrame([[90.0, 0.0]], index=["compensation"], columns=s)
    with pytest.raises(ValidationError, match=r"gross output is zero at sector\(s\) \['b'\]"):
        iom.IOTable.from_flows(Z, F, V)


def test_arrays_view_is_read_only_uncopied_and_cached():
    t = random_table()
    a = t.arrays
    assert t.arrays is a  # one view per table
    blocks = {
        "Z": t.Z,
        "final_demand": t.final_demand,
        "value_added": t.value_added,
        "imports": t.imports,
        "imports_final": t.imports_final,
        "product_taxes": t.product_taxes,
        "satellites": t.satellites,
        "taxes": t.taxes,
        "output": t.output,
    }
    for name, labelled in blocks.items():
        arr = getattr(a, name)
        assert isinstance(arr, np.ndarray) and not arr.flags.writeable, name
        if isinstance(labelled, pd.DataFrame):  # pandas copies a Series' buffer, not a frame's
            assert np.shares_memory(arr, labelled.to_numpy()), f"{name} was copied"
        assert getattr(t.arrays, name) is arr
        assert_allclose(arr, labelled.to_numpy())
        with pytest.raises(ValueError):
            arr[(0,) * arr.ndim] = 1.0
    x = t.output.to_numpy()
    assert_allclose(a.inv_output, 1.0 / x)
    assert a.inv_output is a.inv_output and not a.inv_output.flags.writeable
    assert_allclose(a.A, t.Z.to_numpy() / x)
    assert a.A is a.A and np.shares_memory(a.A, t.A.to_numpy()) and not a.A.flags.writeable
    with pytest.raises(AttributeError):
        a.Z = np.zeros((t.n, t.n))  # frozen
    assert repr(a).startswith("<TableArrays of 'random': Z=(6, 6)")


def test_arrays_take_over_the_callers_buffer_without_copy():
    Z, F, V = mb_blocks()
    buf = Z.to_numpy(dtype=float, copy=True)
    t = iom.IOTable.from_flows(pd.DataFrame(buf, index=S2, columns=S2, copy=False), F, V, copy=False)
    assert np.shares_memory(t.arrays.Z, buf)


def test_arrays_follow_the_import_convention():
    t = random_table()
    tot = t.with_import_convention("total")
    assert_allclose(tot.arrays.A, (t.arrays.Z + t.arrays.imports) / t.arrays.output)
    assert_allclose(tot.arrays.inv_output, t.arrays.inv_output)  # 1/x whatever the convention


def test_arrays_inv_output_names_the_zero_output_sector():
    s = ["a", "b"]
    Z = pd.DataFrame([[10.0, 0.0], [0.0, 0.0]], index=s, columns=s)
    F = pd.DataFrame({"hh": [90.0, 0.0]}, index=s)
    V = pd.DataFrame([[90.0, 0.0]], index=["compensation"], columns=s)
    t = iom.IOTable.from_flows(Z, F, V, check=False, name="zero")
    assert_allclose(t.arrays.output, [100.0, 0.0])
    with pytest.raises(ValidationError, match=r"table 'zero': gross output is zero at sector\(s\) \['b'\]"):
        _ = t.arrays.inv_output


def test_unbalanced_names_sector():
    Z, F, V = mb_blocks()
    V.loc["compensation", "manufacturing"] = 1500.0
    with pytest.raises(ValidationError, match=r"column of sector 'manufacturing'.*2100.*2000"):
        iom.IOTable.from_flows(Z, F, V)
    Z, F, V = mb_blocks()
    with pytest.raises(ValidationError, match=r"row of sector 'agriculture'"):
        iom.IOTable.from_flows(Z, F, V, output=pd.Series([1100.0, 2000.0], index=S2))


def test_not_productive_names_sector():
    s = ["a", "b"]
    Z = pd.DataFrame([[50.0, 90.0], [60.0, 20.0]], index=s, columns=s)
    x = pd.Series([100.0, 100.0], index=s)
    F = pd.DataFrame({"hh": x - Z.sum(axis=1)}, index=s)
    V = pd.DataFrame([x - Z.sum(axis=0)], index=["compensation"], columns=s)
    with pytest.raises(NotProductiveError, match=r"spectral radius .* >= 1.*sector\(s\) \['a', 'b'\]"):
        iom.IOTable.from_flows(Z, F, V, output=x)


def test_column_sum_above_one_but_productive_warns():
    s = ["a", "b"]
    Z = pd.DataFrame([[0.0, 60.0], [0.0, 50.0]], index=s, columns=s)
    x = pd.Series([100.0, 100.0], index=s)
    F = pd.DataFrame({"hh": x - Z.sum(axis=1)}, index=s)
    V = pd.DataFrame([x - Z.sum(axis=0)], index=["compensation"], columns=s)
    with pytest.warns(IOModelWarning, match=r"column sums at or above 1 for sector\(s\) \['b'\]"):
        iom.IOTable.from_flows(Z, F, V, output=x)


def test_non_numeric():
    Z, F, V = mb_blocks()
    Z = Z.astype(object)
    Z.iloc[0, 0] = "lots"
    with pytest.raises(ValidationError, match="non-numeric"):
        iom.IOTable.from_flows(Z, F, V)


def test_domestic_only_methods_refuse_other_conventions():
    t = random_table().with_import_convention("bureau")
    with pytest.raises(ValidationError, match="Ghosh inverse needs the domestic import convention"):
        t.ghosh_inverse()
    with pytest.raises(ValidationError, match="linkages needs the domestic"):
        iom.linkages(t)
    with pytest.raises(ValidationError, match="hypothetical extraction needs the domestic"):
        iom.hypothetical_extraction(t)
    with pytest.raises(ValidationError, match=r"household closure \(Type II\) needs the domestic"):
        iom.multipliers(t, "type2")
    iom.multipliers(t)  # Type I under the Bureau's convention is its published inverse


@pytest.mark.parametrize("import_use", [True, False])
def test_select_keeps_identities_and_moves_the_rest_outside(import_use):
    t = random_table(n=6, seed=4, import_use=import_use)
    sub = t.select(["s1", "s3", "s4"])
    sub.check()
    assert sub.sectors.tolist() == ["s1", "s3", "s4"]
    assert "inputs_from_outside" in sub.value_added.index and "sales_outside" in sub.categories
    # independent: the kept block of Z and the moved flows by hand
    Z = t.Z
    assert_allclose(sub.Z.to_numpy(), Z.loc[["s1", "s3", "s4"], ["s1", "s3", "s4"]].to_numpy())
    assert_allclose(
        sub.final_demand["sales_outside"].to_numpy(),
        Z.loc[["s1", "s3", "s4"], ["s0", "s2", "s5"]].sum(axis=1).to_numpy(),
    )
    assert_allclose(sub.output.to_numpy(), t.output.loc[["s1", "s3", "s4"]].to_numpy())
    with pytest.raises(LabelError, match=r"unknown sector label\(s\) \['s9'\]"):
        t.select(["s9"])


# --------------------------------------------------------------------------- from_flows refuses bad input
# (issue 11: a 0x0 table and MultiIndex labels failed inside numpy/pandas, complex input silently lost its
# imaginary part, text that looked like a number was converted; every case gives an iomodel error naming
# the block and the labels)


def test_empty_table_is_refused():
    with pytest.raises(ValidationError, match=r"Z has no sectors \(shape \(0, 0\)\)"):
        iom.IOTable.from_flows(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())


@pytest.mark.parametrize("imag", [1.0, 0.0])
def test_complex_numbers_are_refused_not_cut_to_their_real_part(imag):
    Z, F, V = mb_blocks()
    Z = Z.astype(complex)
    Z.loc["manufacturing", "agriculture"] += 1j * imag
    first = "(150+0j) at row 'agriculture'" if imag == 0 else "(200+1j) at row 'manufacturing'"
    with pytest.raises(ValidationError, match=rf"Z holds complex numbers, first {re.escape(first)}.*real part"):
        iom.IOTable.from_flows(Z, F, V)


@pytest.mark.parametrize(
    ("block", "where"),
    [
        ("final_demand", "row 'manufacturing', column 'households'"),
        ("value_added", "row 'compensation', column 'manufacturing'"),
        ("output", "row 'manufacturing'"),
        ("product_taxes", "row 'manufacturing'"),
    ],
)
def test_complex_numbers_in_any_block_are_named(block, where):
    Z, F, V = mb_blocks()
    blocks = {
        "final_demand": F,
        "value_added": V,
        "output": pd.Series([1000.0, 2000.0], index=S2),
        "product_taxes": pd.Series([0.0, 0.0], index=S2),
    }
    bad = blocks[block].astype(complex)
    if isinstance(bad, pd.Series):
        bad.iloc[1] += 1j
    else:
        bad.iloc[-1, -1] += 1j
    blocks[block] = bad
    with pytest.raises(ValidationError, match=rf"{block} holds complex numbers, first .* at {re.escape(where)};"):
        iom.IOTable.from_flows(
            Z,
            blocks["final_demand"],
            blocks["value_added"],
            output=blocks["output"],
            product_taxes=blocks["product_taxes"],
        )


def test_complex_python_objects_are_refused():
    Z, F, V = mb_blocks()
    Z = Z.astype(object)
    Z.iloc[0, 1] = 500 + 2j
    with pytest.raises(ValidationError, match=r"Z holds complex numbers, first \(500\+2j\) at row 'agriculture'"):
        iom.IOTable.from_flows(Z, F, V)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("150", "'150' (str)"),
        ("lots", "'lots' (str)"),
        (True, "True (bool)"),
        (pd.Timestamp("2024-01-01"), "Timestamp"),
    ],
)
def test_non_numeric_cells_are_named_with_block_and_labels(value, shown):
    Z, F, V = mb_blocks()
    Z = Z.astype(object)
    Z.loc["manufacturing", "agriculture"] = value
    with pytest.raises(ValidationError, match=r"Z holds non-numeric values: .*") as info:
        iom.IOTable.from_flows(Z, F, V)
    assert shown in str(info.value)
    assert "at row 'manufacturing', column 'agriculture'" in str(info.value)


def test_boolean_and_text_columns_are_refused():
    Z, F, V = mb_blocks()
    F = F.assign(households=[True, False])
    with pytest.raises(ValidationError, match=r"final_demand holds non-numeric values: True \(bool\) at row"):
        iom.IOTable.from_flows(Z, F, V)
    Z, F, V = mb_blocks()
    V = V.astype(str)
    with pytest.raises(ValidationError, match=r"value_added holds non-numeric values: '650.0' \(str\)"):
        iom.IOTable.from_flows(Z, F, V)


def test_numbers_of_other_types_are_taken():
    Z, F, V = mb_blocks()
    expected = iom.IOTable.from_flows(Z, F, V)
    Zo = Z.astype(object)
    Zo.iloc[0, 0] = np.int32(150)
    Zo.iloc[1, 1] = Decimal("100")
    for blocks in ((Zo, F, V), (Z.astype("Int64"), F.astype("float32"), V.astype(int))):
        t = iom.IOTable.from_flows(*blocks)
        assert_allclose(t.Z.to_numpy(), expected.Z.to_numpy())


def test_missing_cells_in_object_blocks_are_reported_as_nan():
    Z, F, V = mb_blocks()
    Z = Z.astype(object)
    Z.iloc[0, 0] = None
    with pytest.raises(ValidationError, match=r"NaN or infinite value\(s\), first at row 'agriculture'"):
        iom.IOTable.from_flows(Z, F, V)


@pytest.mark.parametrize("block", ["Z rows", "Z columns", "final_demand columns", "value_added rows"])
def test_multiindex_labels_are_refused_with_how_to_flatten(block):
    Z, F, V = mb_blocks()
    two = pd.MultiIndex.from_tuples([("x", "agriculture"), ("x", "manufacturing")])
    if block == "Z rows":
        Z.index = two
    elif block == "Z columns":
        Z.columns = two
    elif block == "final_demand columns":
        F.columns = pd.MultiIndex.from_tuples([("households", "all")])
    else:
        V.index = pd.MultiIndex.from_tuples([("compensation", "all")])
    with pytest.raises(
        LabelError, match=rf"^{block}: MultiIndex labels \(2 levels, first .*\) are not supported; flatten"
    ):
        iom.IOTable.from_flows(Z, F, V)


def test_tuple_labels_are_refused():
    Z, F, V = mb_blocks()
    sat = pd.DataFrame([[1.0, 2.0]], index=pd.Index([("jobs", "persons")], tupleize_cols=False), columns=S2)
    with pytest.raises(LabelError, match=r"satellites rows: tuple label \('jobs', 'persons'\) is not supported"):
        iom.IOTable.from_flows(Z, F, V, satellites=sat)


def test_flattened_multiindex_labels_work():
    Z, F, V = mb_blocks()
    two = pd.MultiIndex.from_tuples([("x", "agriculture"), ("x", "manufacturing")])
    flat = ["/".join(t) for t in two]
    Z.index, Z.columns, F.index, V.columns = flat, flat, flat, flat
    assert iom.IOTable.from_flows(Z, F, V).sectors.tolist() == ["x/agriculture", "x/manufacturing"]


def test_vectors_must_be_series_by_sector():
    Z, F, V = mb_blocks()
    with pytest.raises(ValidationError, match=r"output must be a pandas Series by sector, got list"):
        iom.IOTable.from_flows(Z, F, V, output=[1000.0, 2000.0])
    with pytest.raises(ValidationError, match=r"product_taxes must be a pandas Series by sector, got DataFrame"):
        iom.IOTable.from_flows(Z, F, V, product_taxes=pd.DataFrame({"a": [0.0, 0.0], "b": [0.0, 0.0]}, index=S2))
    one_column = pd.DataFrame({"output": [1000.0, 2000.0]}, index=S2)
    assert iom.IOTable.from_flows(Z, F, V, output=one_column).output.tolist() == [1000.0, 2000.0]


CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.text(max_size=4),
    st.booleans(),
    st.complex_numbers(max_magnitude=1e6),
    st.none(),
    st.decimals(allow_nan=True),
)


@settings(max_examples=80, deadline=None)
@given(cells=st.lists(CELLS, min_size=4, max_size=4), block=st.sampled_from(["Z", "final_demand", "value_added"]))
def test_any_cell_gives_a_table_or_an_iomodel_error(cells, block):
    blocks = dict(zip(["Z", "final_demand", "value_added"], mb_blocks(), strict=True))
    frame = blocks[block].astype(object)
    for k, value in enumerate(cells[: frame.size]):
        frame.iloc[k // frame.shape[1], k % frame.shape[1]] = value
    blocks[block] = frame
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # odd numbers may warn (column sums above 1); only errors matter here
        try:
            iom.IOTable.from_flows(blocks["Z"], blocks["final_demand"], blocks["value_added"])
        except IOModelError:
            pass


# --------------------------------------------------------------------------- readable names (issue 12, item 3)
NAMES = {"s0": "Agriculture", "s1": "Mining", "s2": "Manufacturing"}
TAX_NAMES = {"product_taxes": "Net taxes on products", "VAT": "Value added tax"}


def named_table():
    return random_table().with_meta(sector_names=NAMES, tax_names=TAX_NAMES)


def test_names_fall_back_to_the_label():
    t = named_table()
    assert t.meta.sector_name("s0") == "Agriculture" and t.meta.sector_name("s5") == "s5"
    assert t.meta.tax_name("product_taxes") == "Net taxes on products"
    assert t.meta.tax_name("other_taxes_on_production") == "other_taxes_on_production"
    assert random_table().meta.sector_names == {} and random_table().meta.tax_names == {}
    with pytest.raises(TypeError):
        t.meta.sector_names["s0"] = "changed"  # read-only, like the rest of the metadata


def test_names_are_carried_through_every_new_table():
    t = named_table()
    A = t.A.copy()
    A.iloc[0, 1] *= 1.1
    sat = pd.DataFrame([np.ones(t.n)], index=["co2"], columns=t.sectors)
    taxes = pd.DataFrame([np.ones(t.n)], index=["VAT"], columns=t.sectors)
    for new in (
        t.with_coefficients(A),
        t.with_final_demand(t.final_demand * 1.1),
        t.with_satellites(sat, {"co2": "t"}),
        t.with_taxes(taxes),
        t.with_taxes(taxes, replace_all=True),
        t.with_import_convention("total"),
        t.with_economy(None),
        t.with_meta(name="renamed"),
    ):
        assert new.meta.sector_names == NAMES and new.meta.tax_names == TAX_NAMES


def test_select_keeps_the_names_of_the_kept_sectors():
    sub = named_table().select(["s1", "s4"])
    assert dict(sub.meta.sector_names) == {"s1": "Mining"}
    assert sub.meta.tax_names == TAX_NAMES


def test_aggregate_names_groups_by_their_labels():
    t = named_table()
    # s0 stays alone under its own label and keeps its name; the merged group is named by its label
    agg = t.aggregate({"s0": "s0", "s1": "industry", "s2": "industry", "s3": "rest", "s4": "rest", "s5": "rest"})
    assert dict(agg.meta.sector_names) == {"s0": "Agriculture"}
    assert agg.meta.sector_name("industry") == "industry"
    # a group that takes the label of one of several merged sectors is not that sector: no name
    agg = t.aggregate({"s0": "s0", "s1": "s0", "s2": "s2", "s3": "s3", "s4": "s4", "s5": "s5"})
    assert dict(agg.meta.sector_names) == {"s2": "Manufacturing"}
    assert agg.with_meta(sector_names={"s0": "Primary"}).meta.sector_name("s0") == "Primary"


def test_bad_names_are_refused_naming_them():
    t = random_table()
    with pytest.raises(LabelError, match=r"sector_names names unknown sector\(s\) \['nowhere'\]"):
        t.with_meta(sector_names={"nowhere": "Nowhere"})
    with pytest.raises(ValidationError, match=r"TableMeta.tax_names: empty name\(s\) for \['CIT'\]"):
        t.with_meta(tax_names={"CIT": " "})
    with pytest.raises(ValidationError, match=r"TableMeta\.sector_names must be a mapping, got list"):
        iom.TableMeta(sector_names=["s0"])


def test_to_dataset_stores_the_names():
    import json

    ds = named_table().to_dataset()
    assert json.loads(ds.attrs["sector_names"]) == NAMES
    assert json.loads(ds.attrs["tax_names"]) == TAX_NAMES


def test_from_flows_takes_names():
    Z, F, V = mb_blocks()
    t = iom.IOTable.from_flows(Z, F, V, sector_names={"agriculture": "Agriculture"}, tax_names={"VAT": "VAT"})
    assert t.meta.sector_name("agriculture") == "Agriculture" and t.meta.tax_name("VAT") == "VAT"
