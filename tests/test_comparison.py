"""iom.compare and `iomodel compare`: scenarios side by side, the counterfactual without the package."""

from __future__ import annotations

import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel import cli
from iomodel.errors import ValidationError, WriteError

AHMP = "examples/scenarios/machine_building_ahmp.toml"
PETRO = "examples/scenarios/petrochemical_atyrau.toml"


@pytest.fixture(scope="module")
def kz() -> iom.IOTable:
    return iom.datasets.kazakhstan()


def test_compare_agrees_with_each_appraisal(kz):
    a, b = iom.Scenario.from_toml(AHMP), iom.Scenario.from_toml(PETRO)
    ds = iom.compare([a, iom.appraise(kz, b).impacts], table=kz, names=["AHMP", "NIPT"])
    assert ds["scenario"].values.tolist() == ["AHMP", "NIPT"]
    for label, sc in (("AHMP", a), ("NIPT", b)):
        fiscal = iom.appraise(kz, sc).fiscal
        assert_allclose(float(ds["npv"].sel(scenario=label)), fiscal.attrs["npv"], rtol=1e-12)
        assert_allclose(ds["nfe"].sel(scenario=label), fiscal["nfe"], rtol=1e-12)
        assert float(ds["additionality"].sel(scenario=label)) == sc.package.additionality
    assert ds["npv"].attrs["units"] == "million KZT"


def test_the_counterfactual_keeps_additionality_and_drops_what_the_package_gives(kz):
    sc = iom.Scenario.from_toml(AHMP)
    ds = iom.compare([sc], table=kz, names=["AHMP"], without_package=True)
    with_, without = ds.sel(scenario="AHMP"), ds.sel(scenario="AHMP, without the package")
    assert float(without["additionality"]) == float(with_["additionality"]) == 0.6
    assert float(without["displacement"]) == float(with_["displacement"]) == 0.2
    fiscal = iom.appraise(kz, sc).fiscal.attrs
    # the same attributable revenue; without the package nothing is forgone and the zone costs nothing
    assert_allclose(float(without["npv"]), fiscal["pv_revenue_gained"], rtol=1e-12)
    assert_allclose(
        float(without["npv"] - with_["npv"]), fiscal["pv_revenue_forgone"] + fiscal["pv_state_costs"], rtol=1e-12
    )
    assert float(without["revenue_forgone"]) == 0.0
    assert float(without["operation_jobs_peak"]) == float(with_["operation_jobs_peak"])  # the same impacts


def test_bad_input_is_named(kz):
    sc = iom.Scenario.from_toml(AHMP)
    with pytest.raises(ValidationError, match="needs table="):
        iom.compare([sc])
    with pytest.raises(ValidationError, match="unique"):
        iom.compare([sc, sc], table=kz)
    with pytest.raises(ValidationError, match="2 labels for 1 items"):
        iom.compare([sc], table=kz, names=["a", "b"])
    with pytest.raises(ValidationError, match="item 0 is a str"):
        iom.compare(["x"], table=kz)
    no_pkg = iom.Scenario(name="no package", investments=sc.investments, years=sc.years, unit=sc.unit)
    with pytest.raises(ValidationError, match="has no SEZ package"):
        iom.compare([no_pkg], table=kz, without_package=True)


def test_cli_compare_writes_the_table_and_refuses_to_overwrite(tmp_path, capsys, kz):
    args = ["compare", AHMP, PETRO, "--without-package", "--output", str(tmp_path)]
    assert cli.main(args) == 0
    assert "4 scenarios on Kazakhstan 2024, side by side" in capsys.readouterr().out
    table = pd.read_csv(tmp_path / "compare.csv", index_col=0)
    ds = iom.compare([iom.Scenario.from_toml(AHMP), iom.Scenario.from_toml(PETRO)], table=kz, without_package=True)
    assert_allclose(table.loc["npv"].iloc[1:].astype(float).to_numpy(), ds["npv"].to_numpy(), rtol=1e-12)
    assert table.loc["npv", "unit"] == "million KZT"
    with xr.open_dataset(tmp_path / "compare.nc") as saved:
        assert saved.sizes["scenario"] == 4
    before = (tmp_path / "compare.csv").read_bytes()
    assert cli.main(args) == 2  # files in the way: refused, nothing written
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "compare.csv").read_bytes() == before
    assert cli.main([*args, "--force"]) == 0
    with pytest.raises(WriteError):
        iom.appraise(kz, iom.Scenario.from_toml(AHMP)).to_netcdf(tmp_path / "compare.nc")
