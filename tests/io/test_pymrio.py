"""pymrio interchange: IOTable.from_pymrio and IOTable.to_pymrio against pymrio's own calc_all()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import iomodel as iom
from iomodel.errors import LabelError, ValidationError

pymrio = pytest.importorskip("pymrio")

TOL = 1e-10


def _close(a, b, tol=TOL):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    assert np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)) < tol


@pytest.fixture(scope="module")
def mrio():
    """pymrio's test MRIO with every account computed by pymrio (calc_all on a copy)."""
    return pymrio.load_test().calc_all()


@pytest.fixture(scope="module")
def whole(mrio):
    return iom.IOTable.from_pymrio(pymrio.load_test())


def _flat(idx):
    return ["/".join(t) for t in idx]


def test_whole_mrio_blocks(mrio, whole):
    assert whole.n == 48
    assert whole.sectors.tolist() == _flat(mrio.Z.index)
    assert whole.categories.tolist() == _flat(mrio.Y.columns)
    _close(whole.Z, mrio.Z)
    _close(whole.final_demand, mrio.Y)
    _close(whole.output, mrio.x.iloc[:, 0])
    _close(whole.value_added.loc["Value Added"], mrio.factor_inputs.F.loc["Value Added"])
    # the test MRIO's columns do not balance: the gap is a named value-added row, written in the notes
    gap = mrio.x.iloc[:, 0].to_numpy() - mrio.Z.sum(axis=0).to_numpy() - mrio.factor_inputs.F.sum(axis=0).to_numpy()
    _close(whole.value_added.loc["other_inputs"], gap)
    assert "other_inputs" in whole.meta.notes
    assert whole.satellites.index.tolist() == ["emission_type1/air", "emission_type2/water"]
    assert dict(whole.meta.satellite_units) == {"emission_type1/air": "kg", "emission_type2/water": "kg"}
    assert whole.meta.unit == "Mill USD"
    assert "emissions.F_Y" in whole.meta.notes  # household emissions are not carried, and say so
    assert whole.meta.sector_name("reg3/trade") == "trade (reg3)"


def test_whole_mrio_multipliers_equal_pymrio(mrio, whole):
    m = iom.multipliers(whole)
    _close(m.sel(indicator="output"), mrio.L.sum(axis=0))
    for name, row in zip(["emission_type1/air", "emission_type2/water"], mrio.emissions.M.index, strict=True):
        _close(m.sel(indicator=name), mrio.emissions.M.loc[row])
    _close(whole.leontief_inverse(), mrio.L)


def test_results_carry_region_and_product(mrio, whole):
    idx = whole.sector_index
    assert isinstance(idx, pd.MultiIndex)
    assert list(idx.names) == ["region", "product"]
    assert idx.tolist() == mrio.Z.index.tolist()
    m = iom.multipliers(whole, indicators=["output"])
    assert m.region.values.tolist() == idx.get_level_values(0).tolist()
    assert m.product.values.tolist() == idx.get_level_values(1).tolist()
    by_region = m.sel(indicator="output").groupby("region").mean()
    assert by_region.region.values.tolist() == mrio.get_regions().tolist()
    # a table whose labels no longer split has no such coordinates, and sector_index says why
    agg = whole.aggregate({s: s.split("/")[1] for s in whole.sectors})
    assert "region" not in iom.multipliers(agg).coords
    with pytest.raises(ValidationError, match="does not split"):
        _ = agg.sector_index
    with pytest.raises(ValidationError, match="no sector levels"):
        _ = iom.datasets.miller_blair().sector_index


def test_z_from_a_and_x(mrio):
    io = pymrio.load_test().calc_all()
    io.Z = None
    t = iom.IOTable.from_pymrio(io)
    _close(t.Z, mrio.Z, 1e-9)


def test_single_region_is_the_domestic_table(mrio):
    t = iom.IOTable.from_pymrio(pymrio.load_test(), "reg2")
    reg = mrio.Z.index.get_level_values(0) == "reg2"
    yreg = mrio.Y.columns.get_level_values(0) == "reg2"
    Z, Y = mrio.Z.to_numpy(), mrio.Y.to_numpy()
    x = mrio.x.iloc[:, 0].to_numpy()[reg]
    assert t.sectors.tolist() == mrio.get_sectors().tolist()
    _close(t.Z, Z[np.ix_(reg, reg)])
    _close(t.final_demand.iloc[:, :-1], Y[np.ix_(reg, yreg)])
    _close(t.final_demand["exports_to_other_regions"], Z[np.ix_(reg, ~reg)].sum(1) + Y[np.ix_(reg, ~yreg)].sum(1))
    # imports by product: the other regions' deliveries summed over their origin
    imp = pd.DataFrame(Z[np.ix_(~reg, reg)], index=mrio.Z.index[~reg].get_level_values(1)).groupby(level=0).sum()
    _close(t.imports, imp.reindex(t.sectors))
    impf = pd.DataFrame(Y[np.ix_(~reg, yreg)], index=mrio.Z.index[~reg].get_level_values(1)).groupby(level=0).sum()
    _close(t.imports_final.iloc[:, :-1], impf.reindex(t.sectors))
    _close(t.output, x)
    # the domestic Leontief inverse, computed independently
    L = np.linalg.inv(np.eye(8) - Z[np.ix_(reg, reg)] / x[None, :])
    _close(t.leontief_inverse(), L)
    m = iom.multipliers(t)
    _close(m.sel(indicator="output"), L.sum(axis=0))
    F = mrio.emissions.F.to_numpy()[:, reg]
    _close(m.sel(indicator="emission_type1/air"), (F[0] / x) @ L)
    assert "region" not in m.coords
    t.check()


def test_round_trip_through_pymrio(mrio, whole):
    back = whole.to_pymrio()
    assert back.Z.index.tolist() == mrio.Z.index.tolist()
    assert back.Y.columns.tolist() == mrio.Y.columns.tolist()
    back.calc_all()
    _close(back.L, mrio.L)
    _close(back.satellites.M, mrio.emissions.M)
    assert back.satellites.unit.iloc[:, 0].tolist() == ["kg", "kg"]
    _close(
        back.factor_inputs.F.loc[["Value Added", "other_inputs"]].sum(axis=0) + back.Z.sum(axis=0), mrio.x.iloc[:, 0]
    )
    again = iom.IOTable.from_pymrio(back, value_added="factor_inputs")
    _close(again.Z, whole.Z)
    _close(iom.multipliers(again).sel(indicator="emission_type1/air"), mrio.emissions.M.iloc[0])


def test_round_trip_of_a_plain_table_keeps_imports():
    t = iom.datasets.kazakhstan()
    io = t.to_pymrio(region="KZ").calc_all()
    _close(io.L, t.leontief_inverse())
    fi = io.factor_inputs
    assert fi.F.index.tolist()[: len(t.value_added)] == t.value_added.index.tolist()
    imports = fi.F.loc[[r for r in fi.F.index if str(r).startswith("imports")]]
    _close(imports.to_numpy().sum(), t.imports.to_numpy().sum())
    _close(fi.F_Y.loc[imports.index].to_numpy().sum(), t.imports_final.to_numpy().sum())
    back = iom.IOTable.from_pymrio(io, "KZ", satellites=["satellites"], residual=None, check=False)
    _close(back.Z, t.Z)


def test_errors_name_what_and_where():
    io = pymrio.load_test()
    with pytest.raises(LabelError, match=r"unknown region 'reg9'.*\['reg1', 'reg2', 'reg3', 'reg4', 'reg5', 'reg6'\]"):
        iom.IOTable.from_pymrio(io, "reg9")
    with pytest.raises(LabelError, match=r"value_added: no extension 'VA'.*\['factor_inputs', 'emissions'\]"):
        iom.IOTable.from_pymrio(io, value_added="VA")
    with pytest.raises(LabelError, match=r"satellites: no extension\(s\) \['water'\]"):
        iom.IOTable.from_pymrio(io, satellites=["water"])
    with pytest.raises(ValidationError, match=r"labels='multi'\) is not supported yet"):
        iom.IOTable.from_pymrio(io, labels="multi")
    with pytest.raises(ValidationError, match=r"is unbalanced: column of sector .reg2/electricity."):
        iom.IOTable.from_pymrio(io, residual=None)
    io2 = pymrio.load_test()
    io2.Y = None
    with pytest.raises(ValidationError, match="has no final demand Y"):
        iom.IOTable.from_pymrio(io2)
