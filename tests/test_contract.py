"""One result contract for every public result type (issue 8, item 3).

Every public function returns an :class:`xarray.DataArray` or
:class:`xarray.Dataset` whose dimensions are names of :mod:`iomodel.dims`,
with units on every data variable (``attrs["units"]``, or a ``units``
coordinate along ``indicator``), the table's metadata in ``attrs`` and a
netCDF round trip that keeps values and attributes.

To add a result type, append a :class:`Case` to :data:`CASES`: a name, a
function of the table that returns the result, and the tables it applies to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import iomodel as iom
from iomodel import cge, dims
from iomodel import optimize as opt
from iomodel import sensitivity as sa
from iomodel.analysis import group_multipliers, mixed_model, modified_inverse
from iomodel.price import consumer_price_index, price_effects, sez_cost_change, tax_on_intermediates

Result = xr.DataArray | xr.Dataset

#: The tables every case may run on, built once per test session.
TABLES: dict[str, Callable[[], iom.IOTable]] = {
    "miller_blair": iom.datasets.miller_blair,
    "kazakhstan": iom.datasets.kazakhstan,
}


@dataclass(frozen=True)
class Case:
    """One public result type.

    Attributes
    ----------
    name
        Test id.
    build
        Returns the result for a table.
    tables
        Keys of :data:`TABLES` the case applies to.
    table_meta
        Whether the result must carry the table's metadata (``False`` for
        results that are not made from a table).
    """

    name: str
    build: Callable[[iom.IOTable], Result]
    tables: tuple[str, ...] = tuple(TABLES)
    table_meta: bool = True


# --------------------------------------------------------------------------- builders
def _two_groups(table: iom.IOTable) -> pd.DataFrame:
    """Groups x sectors weights: the first half of the sectors and all of them, equally weighted."""
    n = table.n
    half = np.zeros(n)
    half[: max(1, n // 2)] = 1.0
    return pd.DataFrame([half / half.sum(), np.full(n, 1.0 / n)], index=["first_half", "all"], columns=table.sectors)


def _last(table: iom.IOTable) -> str:
    return str(table.sectors[-1])


def _sez(table: iom.IOTable) -> xr.DataArray:
    return sez_cost_change(table, _last(table), share=0.3, customs_duty_rate=0.05, vat_nonrecoverable_rate=0.02)


def _technology(table: iom.IOTable) -> xr.Dataset:
    s = _last(table)
    return opt.choice_of_technology(
        table,
        s,
        inputs=table.A[s] * 0.9,
        factors_new={"labour": 0.0, "gas": 0.1},
        factors_incumbent={"labour": table.gva / table.output},
        prices={"labour": 1.0, "gas": 0.5},
        endowments={"labour": np.inf, "gas": 0.01 * float(table.output[s])},
    )


CASES: list[Case] = [
    Case("multipliers_type1", lambda t: iom.multipliers(t)),
    Case("multipliers_type2", lambda t: iom.multipliers(t, "type2", include_households=True)),
    Case("direct_effect_multipliers", lambda t: iom.direct_effect_multipliers(t, "type2")),
    Case("linkages", iom.linkages),
    Case("key_sectors", iom.key_sectors),
    Case("hypothetical_extraction", lambda t: iom.hypothetical_extraction(t, variant="forward")),
    Case("group_multipliers", lambda t: group_multipliers(iom.multipliers(t), _two_groups(t))),
    Case("mixed_model", lambda t: mixed_model(t, pd.Series({t.sectors[0]: 100.0}), pd.Series({_last(t): 50.0}))),
    Case("modified_inverse", lambda t: modified_inverse(t, [t.sectors[0]])),
    Case("price_effects_type1", lambda t: price_effects(t, _sez(t))),
    Case(
        "price_effects_type2_scenarios",
        lambda t: price_effects(
            t, xr.concat([_sez(t), 2 * _sez(t)], dim=pd.Index(["a", "b"], name="scenario")), kind="type2"
        ),
    ),
    Case("tax_on_intermediates", lambda t: tax_on_intermediates(t, pd.Series({t.sectors[0]: 0.01}))),
    Case("consumer_price_index", lambda t: consumer_price_index(t, price_effects(t, _sez(t)))),
    Case("sez_cost_change", _sez),
    Case("IOTable.to_dataset", lambda t: t.to_dataset()),
    Case("choice_of_technology", _technology),
]


# --------------------------------------------------------------------------- evaluation layer
def _scenario(table: iom.IOTable) -> iom.Scenario:
    """A construction and operation scenario on any table, with a package where the economy has rates."""
    first, last = str(table.sectors[0]), _last(table)
    inv = iom.ClusterInvestment(
        name="plant",
        products={last: 1.0},
        capex={2026: 100.0},
        output={2027: 80.0, 2028: 80.0},
        bridge=iom.InvestmentBridge(shares={first: 1.0}, import_shares={first: 0.3}),
        profit_margin=0.1,
    )
    package = table.economy.sez_package(duration=2, additionality=0.5) if table.economy is not None else None
    return iom.Scenario(name="contract", investments=(inv,), package=package, years=(2026, 2029), kind="type2")


def _impact(table: iom.IOTable) -> iom.ImpactResult:
    return iom.impact(table, _scenario(table))


def _allocation(table: iom.IOTable) -> opt.AllocationProblem:
    cands = opt.standard_candidates(table.economy, ["agro", "tourism"], capex=10_000.0, years=(2026, 2030))
    return opt.AllocationProblem(candidates=tuple(cands), budget=5_000.0, unit="million KZT", years=(2026, 2030))


CASES += [
    Case("impact", lambda t: _impact(t).to_dataset()),
    Case("ImpactResult.budget", lambda t: _impact(t).budget()),
    Case("fiscal_accounts", lambda t: iom.fiscal.fiscal_accounts(r := _impact(t), r.scenario.package)),
    Case(
        "fiscal_sweep",
        lambda t: iom.fiscal.fiscal_sweep(r := _impact(t), r.scenario.package, discount_rate=[0.0, 0.05]),
    ),
    Case("Appraisal.to_dataset", lambda t: iom.appraise(t, _scenario(t)).to_dataset()),
    Case(
        "fiscal.by_budget_level",
        lambda t: iom.fiscal.by_budget_level(iom.appraise(t, _scenario(t)).fiscal, t.economy),
        tables=("kazakhstan",),
    ),
    Case("candidate_coefficients", lambda t: opt.candidate_coefficients(t, _allocation(t)), tables=("kazakhstan",)),
    Case(
        "allocation LPResult.to_dataset",
        lambda t: _allocation(t).solve(t).to_dataset(),
        tables=("kazakhstan",),
        table_meta=False,
    ),
    Case(
        "pareto_front",
        lambda t: opt.pareto_front(t, _allocation(t), points=3),
        tables=("kazakhstan",),
    ),
]


def _cluster_sam(table: iom.IOTable) -> cge.SAM:
    """The SAM of the table aggregated to its priority clusters (small, so its model solves in a second)."""
    return cge.SAM.from_table(table.aggregate(table.economy.cluster_concordance(table.sectors)))


def _cge_result(table: iom.IOTable) -> xr.Dataset:
    sam = _cluster_sam(table)
    model = cge.StandardCGE(sam, closure=cge.Closure(labour="fixed_real_wage"), numeraire="CPI")
    return model.solve(cge.Policy(name="no import duties", tariff_rate=dict.fromkeys(sam.goods, 0.0))).to_dataset()


CASES += [
    Case("SAM.to_dataset", lambda t: cge.SAM.from_table(t).to_dataset(), tables=("kazakhstan",), table_meta=False),
    Case("CGEResult.to_dataset", _cge_result, tables=("kazakhstan",), table_meta=False),
    Case(
        "cge.compare_with_io",
        lambda t: cge.compare_with_io(t, _scenario(t), labour=("fixed_real_wage",)),
        tables=("kazakhstan",),
    ),
]


def _mc_outcome(t: iom.IOTable) -> Result:
    params = {"additionality": sa.Triangular(0.4, 0.6, 0.8), "displacement": sa.Uniform(0.1, 0.3)}
    return sa.monte_carlo(sa.ScenarioOutcome(_scenario(t)), t, draws=4, parameters=params, seed=1)


def _linear(table: iom.IOTable, a: float = 0.0, b: float = 0.0) -> xr.Dataset:
    return xr.Dataset({"y": ((), a + 2 * b, {"units": "KZT"})}, attrs=table.meta.attrs())


CASES += [
    Case(
        "sensitivity.monte_carlo(multipliers)",
        lambda t: sa.monte_carlo(iom.multipliers, t, draws=3, coefficients=sa.LognormalCoefficients(0.1), seed=0),
    ),
    Case("sensitivity.monte_carlo(ScenarioOutcome)", _mc_outcome, tables=("kazakhstan",)),
    Case("sensitivity.quantiles", lambda t: sa.quantiles(_mc_outcome(t)[["npv", "jobs"]]), tables=("kazakhstan",)),
    Case(
        "sensitivity.sweep",
        lambda t: sa.sweep(iom.multipliers, t, {"kind": ["type1", "type2"]}, fixed={"indicators": ["output", "gva"]}),
    ),
    Case("sensitivity.tornado", lambda t: sa.tornado(_linear, t, {"a": (0, 1), "b": (0, 1)}, base={"a": 0, "b": 0})),
    Case("sensitivity.coefficient_elasticities", lambda t: sa.coefficient_elasticities(t, kind="type2")),
    Case("sensitivity.multiplier_variance", lambda t: sa.multiplier_variance(t, 0.05)),
    Case(
        "sensitivity.sobol",
        lambda t: sa.sobol(_linear, t, {"a": sa.Uniform(0, 1), "b": sa.Uniform(0, 1)}, n=8),
        table_meta=False,
    ),
]


# --------------------------------------------------------------------------- the contract
def _units_of(var: xr.DataArray) -> str | None:
    """The variable's units: ``attrs["units"]``, or its ``units`` coordinate along ``indicator``."""
    if "units" in var.attrs:
        return var.attrs["units"]
    if "units" in var.coords and dims.INDICATOR in var.dims and var.coords["units"].dims == (dims.INDICATOR,):
        values = var.coords["units"].values.tolist()
        if not values:  # no indicator at all (e.g. a table without satellites): nothing lacks a unit
            return "(empty)"
        return "; ".join(values) if all(isinstance(u, str) and u for u in values) else None
    return None


def assert_contract(result: object, tmp_path: Path, table: iom.IOTable | None = None) -> None:
    """Assert the result contract; the message lists every breach.

    Parameters
    ----------
    result
        A public result.
    tmp_path
        Directory for the netCDF round trip.
    table
        The table the result was made from: its metadata (``table.meta.attrs()``)
        must be in ``result.attrs``. ``None`` skips that check.
    """
    assert isinstance(result, xr.DataArray | xr.Dataset), (
        f"a public result must be an xarray DataArray or Dataset, got {type(result).__name__}"
    )
    problems: list[str] = []
    unknown = sorted(set(map(str, result.dims)) - dims.ALL)
    if unknown:
        problems.append(f"dims {unknown} are not in iomodel.dims.ALL")
    for name, coord in result.coords.items():
        bad = sorted(set(map(str, coord.dims)) - dims.ALL)
        if bad:
            problems.append(f"coordinate {name!r} has dims {bad} outside iomodel.dims.ALL")
    variables = {result.name: result} if isinstance(result, xr.DataArray) else dict(result.data_vars)
    if not variables:
        problems.append("no data variable")
    for name, var in variables.items():
        units = _units_of(var)
        if not isinstance(units, str) or not units:
            problems.append(f"variable {name!r} has no units (attrs['units'] or a units coordinate along indicator)")
    if table is not None:
        for key, value in table.meta.attrs().items():
            if key not in result.attrs:
                problems.append(f"attrs lack the table's {key!r}")
            elif result.attrs[key] != value:
                problems.append(f"attrs[{key!r}] is {result.attrs[key]!r}, the table's is {value!r}")
    assert not problems, "result contract broken:\n  " + "\n  ".join(problems)

    path = tmp_path / "result.nc"
    result.to_netcdf(path)
    back = xr.load_dataarray(path) if isinstance(result, xr.DataArray) else xr.load_dataset(path)
    # values, coordinates, names and attrs (of the result and of every variable) survive
    xr.testing.assert_identical(back, result)


@pytest.fixture(scope="module")
def tables() -> dict[str, iom.IOTable]:
    return {name: load() for name, load in TABLES.items()}


def _params() -> list:
    return [pytest.param(case, name, id=f"{case.name}[{name}]") for case in CASES for name in case.tables]


@pytest.mark.parametrize(("case", "table_name"), _params())
def test_result_contract(case: Case, table_name: str, tables: dict[str, iom.IOTable], tmp_path: Path) -> None:
    table = tables[table_name]
    assert_contract(case.build(table), tmp_path, table if case.table_meta else None)


def test_the_contract_catches_breaches(tmp_path: Path) -> None:
    """assert_contract fails on pandas results, foreign dims, missing units, missing metadata."""
    t = iom.datasets.miller_blair()
    good = iom.multipliers(t)
    assert_contract(good, tmp_path, t)
    with pytest.raises(AssertionError, match="must be an xarray DataArray or Dataset, got DataFrame"):
        assert_contract(good.to_pandas(), tmp_path, t)
    with pytest.raises(AssertionError, match=r"dims \['product'\] are not in iomodel.dims.ALL"):
        assert_contract(good.rename(sector="product"), tmp_path, t)
    with pytest.raises(AssertionError, match="variable 'multiplier' has no units"):
        assert_contract(good.drop_vars("units"), tmp_path, t)
    with pytest.raises(AssertionError, match="attrs lack the table's 'source'"):
        assert_contract(good.drop_attrs(), tmp_path, t)
    ds = iom.linkages(t)
    ds["backward"].attrs.pop("units")
    with pytest.raises(AssertionError, match="variable 'backward' has no units"):
        assert_contract(ds, tmp_path, t)
