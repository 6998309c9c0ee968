"""Economy: Kazakhstan's facts as data, validation, immutability of every frozen object."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pytest

import iomodel as iom
from iomodel import optimize as opt
from iomodel.errors import LabelError, ValidationError


def test_kazakhstan_economy_facts_and_sources():
    eco = iom.datasets.kazakhstan_economy(2024)
    assert eco.currency == "KZT" and eco.customs_pooling_share == 0.07055
    assert dict(eco.employee_contributions) == {"pension": 0.10, "health": 0.02}
    assert eco.zone("seaport_aktau").term_end == 2052 and eco.zone("pit").term_end == 2027
    assert "petrochemical" in eco.zone("nipt").clusters
    assert eco.rates_on("2025-06-30")["VAT"] == 0.12 and eco.rates_on("2026-06-30")["VAT"] == 0.16
    assert eco.mci_for(2026) == 4325.0 and eco.mci_for(2030) == 4325.0  # the latest known for later years
    assert eco.construction_products == ("41-43",)
    assert set(eco.closure.consumption_taxes) == {"VAT", "excise"}
    for fact in (
        "mpc",
        "PIT",
        "customs_pooling_share",
        "relief_rule",
        "consumption_tax:VAT",
        "contribution:pension",
    ):
        assert eco.sources[fact], fact
    pkg = eco.sez_package(additionality=0.4)
    assert dict(pkg.exemptions) == {"CIT": 1.0, "property_tax": 1.0, "land_tax": 1.0, "VAT": 1.0, "customs": 1.0}
    assert "242-VI" in pkg.law
    assert iom.datasets.kazakhstan().economy is eco  # the table carries it


def test_neutral_economy_has_no_country_facts():
    eco = iom.Economy.neutral()
    assert eco.closure == iom.HouseholdClosure()
    with pytest.raises(ValidationError, match="no SEZ relief-duration rule"):
        eco.relief_years(1.0, 2026)
    with pytest.raises(ValidationError, match="no standard SEZ package"):
        eco.sez_package()
    with pytest.raises(LabelError, match="no zone 'x'; valid zone ids are \\[\\]"):
        eco.zone("x")
    assert iom.datasets.miller_blair().economy is None


def test_economy_validation_names_the_fact():
    with pytest.raises(ValidationError, match="customs_pooling_share must lie in"):
        iom.Economy(customs_pooling_share=0.0)
    with pytest.raises(ValidationError, match="contribution rates must lie in"):
        iom.Economy(employee_contributions={"pension": 1.5})
    with pytest.raises(LabelError, match="unknown exemptible tax"):
        iom.Economy(standard_exemptions={"wealth_tax": 1.0})
    with pytest.raises(ValidationError, match="tax rate 'CIT': rate must lie in"):
        iom.TaxRate("CIT", 1.2)
    with pytest.raises(ValidationError, match="two rates of 'CIT' are valid"):
        iom.Economy(tax_rates=(iom.TaxRate("CIT", 0.2), iom.TaxRate("CIT", 0.25))).rates_on("2026-01-01")
    with pytest.raises(ValidationError, match="mpc must lie in"):
        iom.HouseholdClosure(mpc=1.2)
    with pytest.raises(ValidationError, match="marginal closure only"):
        iom.HouseholdClosure(deductions=0.1)
    with pytest.raises(LabelError, match="hosts unknown cluster"):
        kz = iom.datasets.kazakhstan_economy()
        kz.replace(zones=[iom.Zone("z", clusters=("space",))])


def _frozen_instances():
    kz = iom.datasets.kazakhstan()
    eco = kz.economy
    sc = iom.Scenario.from_toml("examples/scenarios/petrochemical_atyrau.toml")
    cand = opt.standard_candidates(eco, ["agro"])[0]
    return [
        kz.meta,
        eco,
        eco.closure,
        eco.zone("nipt"),
        eco.cluster("agro"),
        eco.tax_rates[0],
        eco.relief_rule,
        sc,
        sc.investments[0],
        sc.package,
        cand,
        opt.AllocationProblem(candidates=(cand,), budget=1.0, objective={"employment": 1.0}),
        iom.InvestmentBridge(shares={"28": 1.0}, import_shares={"28": 0.5}),
    ]


@pytest.mark.parametrize("obj", _frozen_instances(), ids=lambda o: type(o).__name__)
def test_frozen_objects_are_hashable_and_deeply_read_only(obj):
    hash(obj)
    assert obj == dataclasses.replace(obj)  # equality by value
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, f.name, value)
        if isinstance(value, Mapping):
            with pytest.raises(TypeError):
                value["new key"] = 1  # type: ignore[index]
        assert not isinstance(value, list | dict | set) or (isinstance(value, Mapping) and hash(value) is not None)


def test_a_cached_dataset_cannot_be_changed_by_a_caller():
    kz = iom.datasets.kazakhstan()
    before = float(kz.output.sum())
    with pytest.raises(TypeError):
        kz.meta.satellite_units["employment"] = "x"  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        kz.arrays.Z[0, 0] = 1.0
    frame = kz.Z
    with pytest.raises(ValueError, match="read-only"):
        frame.iloc[0, 0] = -1.0  # the frames wrap the table's read-only buffers
    again = iom.datasets.kazakhstan()
    assert again is kz and float(again.Z.iloc[0, 0]) >= 0.0 and float(again.output.sum()) == before
    assert again.meta.satellite_units["employment"] == "persons"
    assert np.isfinite(iom.multipliers(again).values).all()


def test_cluster_concordance_maps_core_members_to_their_first_cluster():
    kz = iom.datasets.kazakhstan()
    table = kz.economy.cluster_table()
    core = table[table["role"] == "core"]
    conc = kz.economy.cluster_concordance(kz.sectors)
    assert set(conc) == set(map(str, kz.sectors))
    for sector, cluster in conc.items():
        has = core.loc[core["product"].astype(str) == sector, "cluster"].tolist()
        assert cluster == (has[0] if has else "other"), sector  # cluster_table keeps the economy's order
    assert kz.economy.cluster_concordance(["01", "zz"], other="rest")["zz"] == "rest"
