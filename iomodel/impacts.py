r"""Run a scenario on a table: direct, indirect and induced effects by year.

:func:`impact` turns a :class:`~iomodel.Scenario` into labelled impacts and
the bases its fiscal accounts need, in one pass over the IO model. The fiscal
step (:func:`iomodel.fiscal.fiscal_accounts`) works on this result alone, so a
sensitivity run over additionality, displacement, tax rates or the discount
rate never reruns the IO model.

Two shocks per investment (docs/scenarios.md):

**Construction** (temporary; employment in *job-years*). Capital expenditure
:math:`K_t` is turned into demand by product with the investment bridge
:math:`b`, its imported part removed with import shares :math:`\mu`:
:math:`k^d_t = (I - \hat\mu)\,b\,K_t`. Then, by sector,

.. math::

    x^{dir} = k^d,\qquad x^{ind} = (L - I)k^d,\qquad x^{indu} = (\bar L_{11} - L)k^d .

**Operation** (recurring; jobs per year). The new plant's output :math:`X_t`
is exogenous (new-industry / fixed-output model, docs/scenarios.md): it is not
final demand; its domestic purchases :math:`a_p X_t` are. With the plant's
labour-income coefficient :math:`w_p`,

.. math::

    x^{dir} = s_p X_t,\qquad x^{ind} = L a_p X_t,\qquad
    \begin{bmatrix} x^{ind} + x^{indu} \\ y_h \end{bmatrix}
      = \bar L \begin{bmatrix} a_p \\ w_p \end{bmatrix} X_t ,

where :math:`s_p` spreads the plant's output over its products. Every
indicator is its coefficient per unit of output times the sector's output
change (the plant's own coefficients for the direct effect).

**Product taxes on induced consumption** (Type II). Households spend
:math:`c(1-\delta)` of each unit of labour income :math:`y_h` at purchasers'
prices; the part :math:`\tau_k/(1+\tau)` of it is tax :math:`k` (VAT, excise;
:class:`~iomodel.HouseholdClosure`). These taxes are not paid by a producing
sector, so they are the variable ``consumption_taxes`` by tax, not rows of
``impact`` (whose ``budget`` indicator is the production-based taxes).

Impacts are gross: additionality and displacement enter the fiscal accounts,
as docs/fiscal.md prescribes. All values are in constant prices of the
table's year and in the table's unit. Country facts (clusters, product lists,
the closure) come from the :class:`~iomodel.Economy`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from . import dims, units
from .economy import Economy, HouseholdClosure, cluster_weights
from .errors import LabelError, ValidationError
from .files import atomic_write
from .scenarios import ClusterInvestment, Scenario
from .table import IOTable

__all__ = [
    "BASES",
    "EFFECTS",
    "PHASES",
    "ImpactResult",
    "ImpactSums",
    "IndicatorRows",
    "capex_bridge",
    "closure_for",
    "economy_of",
    "impact",
    "impact_sums",
    "indicator_rows",
    "scenario_of",
]

EFFECTS = ("direct", "indirect", "induced", "total")
PHASES = ("construction", "operation")
#: Names of the gross fixed capital formation category a table may use (the default capex bridge).
GFCF_CATEGORIES = ("gfcf", "gross_fixed_capital_formation", "investment")
#: Horizon the table is trusted for (years after its reference year).
MAX_YEARS_AFTER_TABLE = 60
#: The per-investment, per-year bases of the fiscal accounts carried by an impact result (table unit).
BASES = {
    "capex": "capital expenditure",
    "capex_imported": "imported part of capital expenditure",
    "capex_buildings": "capital expenditure on buildings and structures (the economy's construction products)",
    "plant_output": "output of the new plant",
    "plant_profit": "taxable profit of the plant (profit margin times output)",
    "plant_wages": "labour income paid by the plant",
    "plant_domestic_inputs": "domestic intermediate purchases of the plant",
    "plant_imported_inputs": "imported intermediate purchases of the plant",
    "plant_land_tax": "land tax of the plant at standard rates, in years of operation",
}


# --------------------------------------------------------------------------- indicators
@dataclass(frozen=True)
class IndicatorRows:
    """Indicator coefficients per unit of output: names, units and a ``(k, n)`` array.

    Attributes
    ----------
    names
        ``output``, ``income``, ``gva``, one per satellite, ``tax:<name>`` per
        tax row of the table, and ``budget`` (the sum of the tax rows).
    units
        Unit of each indicator's *level* (e.g. ``"thousand KZT"``, ``"persons"``).
    rows
        Coefficients per unit of output (read-only).
    taxes
        Names of the tax indicators (without the ``tax:`` prefix).
    """

    names: tuple[str, ...]
    units: tuple[str, ...]
    rows: np.ndarray = field(repr=False)
    taxes: tuple[str, ...]

    def index(self, name: str) -> int:
        """Position of an indicator (a :class:`~iomodel.errors.LabelError` lists the names)."""
        if name not in self.names:
            raise LabelError(f"unknown indicator {name!r}; valid options are {list(self.names)}")
        return self.names.index(name)


def indicator_rows(table: IOTable, closure: HouseholdClosure | None = None) -> IndicatorRows:
    """The indicators of :func:`impact` and their coefficients per unit of output.

    Examples
    --------
    >>> import iomodel as iom
    >>> r = indicator_rows(iom.datasets.miller_blair())
    >>> r.names, r.rows[1].round(2).tolist()
    (('output', 'income', 'gva'), [0.3, 0.25])
    """
    closure = closure or HouseholdClosure()
    a = table.arrays
    inv = a.inv_output
    money = table.meta.unit
    names, unit_list, rows = ["output", "gva"], [money, money], [np.ones(table.n), a.value_added.sum(axis=0) * inv]
    if closure.income in table.value_added.index:
        names.insert(1, "income")
        unit_list.insert(1, money)
        rows.insert(1, a.value_added[table.value_added.index.get_loc(closure.income)] * inv)
    for i, ind in enumerate(table.satellites.index):
        if str(ind) in names:
            raise LabelError(f"satellite {ind!r} clashes with a built-in indicator name")
        names.append(str(ind))
        unit_list.append(table.meta.satellite_units.get(ind, "units"))
        rows.append(a.satellites[i] * inv)
    taxes = tuple(str(t) for t in table.taxes.index)
    for i, tax in enumerate(taxes):
        names.append(f"tax:{tax}")
        unit_list.append(money)
        rows.append(a.taxes[i] * inv)
    if taxes:
        names.append("budget")
        unit_list.append(money)
        rows.append(a.taxes.sum(axis=0) * inv)
    arr = np.vstack(rows)
    arr.flags.writeable = False
    return IndicatorRows(tuple(names), tuple(unit_list), arr, taxes)


# --------------------------------------------------------------------------- economy
def economy_of(table: IOTable, economy: Economy | None = None) -> Economy:
    """The economy an evaluation uses: the one given, the table's own, or the neutral one.

    A table loaded with :func:`iomodel.datasets.kazakhstan` carries Kazakhstan's
    economy (:attr:`iomodel.IOTable.economy`); a table without one (e.g. the
    Miller & Blair example) runs in :meth:`iomodel.Economy.neutral`: the
    textbook household closure and no country facts.
    """
    if economy is not None:
        if not isinstance(economy, Economy):
            raise ValidationError(f"economy must be an iomodel.Economy, got {type(economy).__name__}")
        return economy
    return table.economy if table.economy is not None else Economy.neutral()


def closure_for(economy: Economy, mpc: float | None = None) -> HouseholdClosure:
    """The economy's household closure, with its marginal propensity to consume replaced if ``mpc`` is given.

    On the textbook closure (no ``mpc``) a given ``mpc`` turns on the
    marginal closure without deductions or consumption taxes.
    """
    c = economy.closure
    if mpc is None:
        return c
    return HouseholdClosure(
        income=c.income,
        consumption=c.consumption,
        mpc=mpc,
        deductions=c.deductions if c.mpc is not None else 0.0,
        consumption_taxes=c.consumption_taxes if c.mpc is not None else {},
        h=c.h,
    )


# --------------------------------------------------------------------------- plant and bridge
def _product_weights(table: IOTable, inv: ClusterInvestment, economy: Economy) -> np.ndarray:
    if inv.products is not None:
        unknown = [p for p in inv.products if p not in table.sectors]
        if unknown:
            raise LabelError(f"investment {inv.name!r}: unknown product(s) {unknown}")
        return pd.Series(dict(inv.products)).reindex(table.sectors, fill_value=0.0).to_numpy()
    if not economy.clusters:
        raise LabelError(
            f"investment {inv.name!r} names cluster {inv.cluster!r}, but economy {economy.name!r} defines no "
            "clusters: give the investment its products, or pass an economy with clusters "
            "(e.g. iomodel.datasets.kazakhstan_economy())"
        )
    cl = economy.cluster(str(inv.cluster))
    frame = economy.cluster_table()
    w = cluster_weights(table, frame[frame["cluster"] == cl.id])
    return w.loc[cl.id].to_numpy()


def _gfcf_category(table: IOTable) -> str:
    for cand in GFCF_CATEGORIES:
        if cand in table.categories:
            return cand
    raise LabelError(
        f"table {table.meta.name!r} has no GFCF final-demand category; valid categories are "
        f"{table.categories.tolist()}; give the investment an explicit bridge"
    )


def _supply_import_shares(table: IOTable) -> np.ndarray:
    if not table.has_import_use:
        return np.zeros(table.n)
    M = table.total_imports.to_numpy()
    sup = table.output.to_numpy() + M
    return np.where(sup > 0, M / np.where(sup > 0, sup, 1.0), 0.0)


def _bridge(table: IOTable, inv: ClusterInvestment, economy: Economy) -> tuple[np.ndarray, np.ndarray]:
    """Bridge shares and import shares of capex by product (arrays over the table's sectors)."""
    a = table.arrays
    if inv.bridge is None:
        cat = table.categories.get_loc(_gfcf_category(table))
        dom = a.final_demand[:, cat]
        imp = a.imports_final[:, cat] if table.has_import_use else np.zeros(table.n)
        tot = dom + imp
        if (tot < 0).any():
            bad = table.sectors[tot < 0].tolist()
            raise ValidationError(f"GFCF is negative for product(s) {bad}; give an explicit bridge")
        shares = tot / tot.sum()
        mu = np.where(tot > 0, imp / np.where(tot > 0, tot, 1.0), 0.0)
    else:
        unknown = [p for p in (*inv.bridge.shares, *inv.bridge.import_shares) if p not in table.sectors]
        if unknown:
            raise LabelError(f"investment {inv.name!r}: bridge names unknown product(s) {sorted(set(unknown))}")
        shares = pd.Series(dict(inv.bridge.shares)).reindex(table.sectors, fill_value=0.0).to_numpy()
        # import shares: of the product's GFCF where the table has it, else of its total supply
        mu = _supply_import_shares(table)
        gfcf = [c for c in GFCF_CATEGORIES if c in table.categories]
        if gfcf and table.has_import_use:
            cat = table.categories.get_loc(gfcf[0])
            tot = a.final_demand[:, cat] + a.imports_final[:, cat]
            mu = np.where(tot > 0, a.imports_final[:, cat] / np.where(tot > 0, tot, 1.0), mu)
        for p, v in inv.bridge.import_shares.items():
            mu[table.sectors.get_loc(p)] = v
    if inv.equipment_import_share is not None:
        products = inv.equipment_products if inv.equipment_products is not None else economy.machinery_products
        if not products:
            raise ValidationError(
                f"investment {inv.name!r}: equipment_import_share given, but neither the investment nor economy "
                f"{economy.name!r} names the machinery products (equipment_products)"
            )
        unknown = [p for p in products if p not in table.sectors]
        if unknown:
            raise LabelError(f"investment {inv.name!r}: unknown equipment product(s) {unknown}")
        mu = mu.copy()
        mu[table.sectors.get_indexer(list(products))] = inv.equipment_import_share
    return shares, mu


def capex_bridge(table: IOTable, investment: ClusterInvestment, *, economy: Economy | None = None) -> xr.Dataset:
    """How one unit of an investment's capital expenditure becomes demand by product (docs/scenarios.md).

    Parameters
    ----------
    table
        The table whose products and GFCF the bridge uses.
    investment
        The investment: its ``bridge`` (or the table's GFCF structure),
        ``equipment_import_share`` and ``equipment_products``.
    economy
        For the machinery products (default: the table's economy, else the neutral one).

    Returns
    -------
    xarray.Dataset
        Over ``sector``: ``share`` (of capex, sums to 1), ``import_share``
        (imported part of each product's capex demand) and ``domestic_demand``
        (domestic demand per unit of capex, ``(1 - import_share) * share``),
        as :func:`impact` uses them for the construction phase.

    Examples
    --------
    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> inv = iom.ClusterInvestment(name="p", cluster="agro", capex={2026: 1.0}, equipment_import_share=0.9)
    >>> b = capex_bridge(kz, inv)
    >>> round(float(b.share.sum()), 12), float(b.import_share.sel(sector="28"))
    (1.0, 0.9)
    """
    eco = economy_of(table, economy)
    shares, mu = _bridge(table, investment, eco)
    sec = {dims.SECTOR: table.sectors.to_numpy()}
    per = f"per {table.meta.unit} of capital expenditure"
    return xr.Dataset(
        {
            "share": (dims.SECTOR, shares, {"units": "share of capital expenditure"}),
            "import_share": (dims.SECTOR, mu, {"units": "share of the product's capex demand"}),
            "domestic_demand": (dims.SECTOR, (1.0 - mu) * shares, {"units": f"{table.meta.unit} {per}"}),
        },
        coords=sec,
        attrs={**table.meta.attrs(), "investment": investment.name, "economy": eco.name},
    )


@dataclass(frozen=True)
class _Plant:
    weights: np.ndarray  # output mix over products
    inputs: np.ndarray  # domestic input coefficients a_p
    imported_inputs: float  # imported intermediate inputs per unit output
    direct: np.ndarray  # indicator coefficients of the plant (k,)
    wage: float  # labour income per unit output
    profit: float  # taxable profit per unit output (CIT base)


def _plant(table: IOTable, inv: ClusterInvestment, ind: IndicatorRows, uf: float, economy: Economy) -> _Plant:
    """The plant's coefficients: given ones, or the output-weighted average of its products."""
    w = _product_weights(table, inv, economy)
    a = table.arrays
    if inv.input_coefficients is not None:
        unknown = [p for p in inv.input_coefficients if p not in table.sectors]
        if unknown:
            raise LabelError(f"investment {inv.name!r}: input coefficients name unknown product(s) {unknown}")
        inputs = pd.Series(dict(inv.input_coefficients)).reindex(table.sectors, fill_value=0.0).to_numpy()
    else:
        inputs = a.A @ w  # domestic coefficients: impact() requires the domestic convention
    m = float((a.imports.sum(axis=0) * a.inv_output) @ w) if len(table.imports.index) else 0.0
    direct = ind.rows @ w
    if inv.jobs_per_output is not None:
        if "employment" not in ind.names:
            raise ValidationError(
                f"investment {inv.name!r}: jobs_per_output given but table {table.meta.name!r} has no "
                "employment satellite"
            )
        direct = direct.copy()
        direct[ind.index("employment")] = inv.jobs_per_output / uf
    va = table.value_added
    V = a.value_added * a.inv_output
    if "net_operating_surplus" in va.index:
        nos = V[va.index.get_loc("net_operating_surplus")]
    else:
        nos = V.sum(axis=0) - (V[va.index.get_loc("compensation")] if "compensation" in va.index else 0.0)
    profit = inv.profit_margin if inv.profit_margin is not None else float(np.clip(nos, 0, None) @ w)
    wage = float(direct[ind.index("income")]) if "income" in ind.names else 0.0
    return _Plant(weights=w, inputs=inputs, imported_inputs=m, direct=direct, wage=wage, profit=profit)


def _check_horizon(table: IOTable, scenario: Scenario) -> None:
    if table.meta.year is None:
        return
    y0, y1 = scenario.years
    if y0 < table.meta.year or y1 > table.meta.year + MAX_YEARS_AFTER_TABLE:
        raise ValidationError(
            f"scenario years {y0}-{y1} lie outside the horizon of table {table.meta.name!r} "
            f"({table.meta.year}-{table.meta.year + MAX_YEARS_AFTER_TABLE})"
        )


# --------------------------------------------------------------------------- the engine
def impact(
    table: IOTable,
    scenario: Scenario,
    *,
    economy: Economy | None = None,
    consumption_taxes: bool = True,
) -> ImpactResult:
    """Run a scenario: impacts by year, phase and effect, and the bases of its fiscal accounts.

    Parameters
    ----------
    table
        The input-output table (domestic convention), e.g.
        :func:`iomodel.datasets.kazakhstan`.
    scenario
        The :class:`~iomodel.Scenario`.
    economy
        The country's facts (:class:`~iomodel.Economy`); default: the table's
        own (:attr:`iomodel.IOTable.economy`), else the neutral economy.
    consumption_taxes
        Type II: report product taxes on induced household consumption
        (``consumption_taxes`` variable, docs/fiscal.md). ``False`` leaves
        them out of the result (they remain a leakage of the closure).

    Returns
    -------
    ImpactResult

    Raises
    ------
    LabelError
        Unknown cluster, product, category or zone (the message lists the valid ones).
    ValidationError
        Years outside the table's horizon, a non-domestic table, units that do not convert.

    Examples
    --------
    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> inv = iom.ClusterInvestment(name="plant", cluster="machine_building",
    ...                             capex={2026: 20_000.0}, output={2027: 15_000.0})
    >>> res = iom.impact(kz, iom.Scenario(name="demo", investments=(inv,), years=(2026, 2030),
    ...                                   unit="million KZT"))
    >>> res.dataset["impact"].dims
    ('investment', 'phase', 'year', 'effect', 'indicator', 'sector')
    """
    table.require_domestic("impact analysis")
    eco = economy_of(table, economy)
    _check_horizon(table, scenario)
    if scenario.zone is not None:
        eco.zone(scenario.zone)  # an unknown zone id raises, listing the valid ones
    unit = scenario.unit or table.meta.unit
    uf = units.factor(unit, table.meta.unit)
    closure = closure_for(eco, scenario.mpc)
    ind = indicator_rows(table, closure)
    years = scenario.year_list
    n, k, T, P = table.n, len(ind.names), len(years), len(scenario.investments)
    fac = table.factor()
    closed = table.closed(closure) if scenario.kind == "type2" else None
    tax_per_income = closure.consumption_tax_per_income() if (closed is not None and consumption_taxes) else {}
    ctax_names = list(closure.consumption_taxes) if consumption_taxes else []
    data = np.zeros((P, 2, T, 4, k, n))
    ctax = np.zeros((P, 2, T, len(ctax_names)))
    bases = {name: np.zeros((P, T)) for name in BASES}
    per_inv: dict[str, list[float]] = {"customs_duty_rate": [], "building_depreciation": [], "vat_permanent_share": []}
    construction_idx = table.sectors.get_indexer([p for p in eco.construction_products if p in table.sectors])
    for ii, inv in enumerate(scenario.investments):
        # construction
        shares, mu = _bridge(table, inv, eco)
        K = np.array([inv.capex.get(y, 0.0) for y in years]) * uf  # (T,)
        kd = np.outer((1.0 - mu) * shares, K)  # (n, T)
        bases["capex"][ii] = K
        bases["capex_imported"][ii] = float((mu * shares).sum()) * K
        bases["capex_buildings"][ii] = float(shares[construction_idx].sum()) * K if len(construction_idx) else 0.0
        xL = fac.solve(kd)
        effects = [kd, xL - kd, np.zeros_like(kd)]
        if closed is not None:
            xC, yh = closed.solve(kd)
            effects[2] = xC - xL
            for j, t in enumerate(ctax_names):
                ctax[ii, 0, :, j] = tax_per_income.get(t, 0.0) * yh
        for e, xe in enumerate(effects):
            data[ii, 0, :, e] = ind.rows[None, :, :] * xe.T[:, None, :]
        # operation
        plant = _plant(table, inv, ind, uf, eco)
        X = np.array([inv.output.get(y, 0.0) for y in years]) * uf  # (T,)
        data[ii, 1, :, 0] = (plant.direct[:, None, None] * np.outer(X, plant.weights)[None, :, :]).transpose(1, 0, 2)
        demand = np.outer(plant.inputs, X)  # (n, T)
        xI = fac.solve(demand)
        data[ii, 1, :, 1] = ind.rows[None, :, :] * xI.T[:, None, :]
        if closed is not None:
            xC, yh = closed.solve(demand, plant.wage * X)
            data[ii, 1, :, 2] = ind.rows[None, :, :] * (xC - xI).T[:, None, :]
            for j, t in enumerate(ctax_names):
                ctax[ii, 1, :, j] = tax_per_income.get(t, 0.0) * yh
        bases["plant_output"][ii] = X
        bases["plant_profit"][ii] = plant.profit * X
        bases["plant_wages"][ii] = plant.wage * X
        bases["plant_domestic_inputs"][ii] = float(plant.inputs.sum()) * X
        bases["plant_imported_inputs"][ii] = plant.imported_inputs * X
        bases["plant_land_tax"][ii] = np.where(X > 0, inv.land_tax * uf, 0.0)
        per_inv["customs_duty_rate"].append(inv.customs_duty_rate)
        per_inv["building_depreciation"].append(inv.building_depreciation)
        per_inv["vat_permanent_share"].append(inv.vat_permanent_share)
    data[..., 3, :, :] = data[..., :3, :, :].sum(axis=-3)
    money = table.meta.unit
    inv_names = [i.name for i in scenario.investments]
    iy = (dims.INVESTMENT, dims.YEAR)
    variables: dict[str, Any] = {
        "impact": xr.Variable(
            (dims.INVESTMENT, dims.PHASE, dims.YEAR, dims.EFFECT, dims.INDICATOR, dims.SECTOR),
            data,
            {"units": "see the units coordinate", "long_name": "impact by investment, phase, year, effect"},
        ),
        "consumption_taxes": xr.Variable(
            (dims.INVESTMENT, dims.PHASE, dims.YEAR, dims.TAX),
            ctax,
            {"units": money, "long_name": "product taxes on induced household consumption (Type II)"},
        ),
    }
    for name, long_name in BASES.items():
        variables[name] = xr.Variable(iy, bases[name], {"units": money, "long_name": long_name})
    for name, vals in per_inv.items():
        variables[name] = xr.Variable((dims.INVESTMENT,), np.array(vals, dtype=float), {"units": "share"})
    ds = xr.Dataset(
        variables,
        coords={
            dims.INVESTMENT: inv_names,
            dims.PHASE: list(PHASES),
            dims.YEAR: years,
            dims.EFFECT: list(EFFECTS),
            dims.INDICATOR: list(ind.names),
            dims.SECTOR: table.sectors.to_numpy(),
            dims.TAX: ctax_names,
            "units": (dims.INDICATOR, list(ind.units)),
            "sector_name": (dims.SECTOR, np.array([table.meta.sector_name(s) for s in table.sectors], dtype=str)),
        },
        attrs={
            **table.meta.attrs(),
            **eco.attrs(),
            **closure.attrs(),
            "scenario": scenario.name,
            "scenario_toml": scenario.to_toml(),
            "scenario_unit": unit,
            "unit_factor": uf,
            "zone": scenario.zone or "",
            "tax_vintage": scenario.vintage,
            "kind": scenario.kind,
            "consumption_taxes": int(bool(consumption_taxes)),
            "employment_meaning": "construction: job-years; operation: jobs in each year",
            "prices": f"constant {table.meta.year} prices" if table.meta.year else "constant prices of the table",
            "method": "docs/scenarios.md",
            "tax_names": json.dumps(dict(table.meta.tax_names), ensure_ascii=False),
        },
    )
    return ImpactResult(scenario=scenario, economy=eco, dataset=ds)


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class ImpactResult:
    """The outcome of :func:`impact`: labelled impacts and the bases of the fiscal accounts.

    Attributes
    ----------
    scenario
        The scenario that produced it (stored, so the result is reproducible).
    economy
        The economy it ran in.
    dataset
        ``impact`` over investment, phase, year, effect, indicator, sector
        (table unit; a ``units`` coordinate along ``indicator``, the readable
        ``sector_name`` along ``sector``);
        ``consumption_taxes`` over investment, phase, year, tax; the fiscal
        bases of :data:`BASES` over investment and year; the parameters in
        attrs, with the readable names of the taxes (``tax_names``, a JSON
        mapping, :attr:`iomodel.TableMeta.tax_names`).
    """

    scenario: Scenario
    economy: Economy
    dataset: xr.Dataset
    #: ``report(output=None, *, unit=None, title=None, figures=True, overwrite=False)``: the appraisal report of
    #: this result, fiscal step included (:func:`iomodel.report.report_of`). Attached by :mod:`iomodel.report`,
    #: which ``import iomodel`` always loads, so this layer does not import the layers above it.
    report: ClassVar[Callable[..., Any]]

    @property
    def unit(self) -> str:
        """Monetary unit of the scenario (what :meth:`summary` reports in)."""
        return str(self.dataset.attrs["scenario_unit"])

    @property
    def unit_factor(self) -> float:
        """Table units per scenario unit."""
        return float(self.dataset.attrs["unit_factor"])

    @cached_property
    def sums(self) -> ImpactSums:
        """The aggregates the fiscal accounts need (:func:`impact_sums`), computed once per result."""
        return impact_sums(self.dataset)

    def to_dataset(self) -> xr.Dataset:
        """The result as one netCDF-safe :class:`xarray.Dataset` (the scenario as TOML in attrs)."""
        return self.dataset.copy()

    def to_netcdf(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write :meth:`to_dataset` to a netCDF file.

        The file is written to a temporary file in the same folder and renamed
        into place (:func:`iomodel.files.atomic_write`): an interrupted run
        leaves no half-written file.

        Parameters
        ----------
        path
            The file to write (its folder is created if needed).
        overwrite
            Replace an existing file; by default an existing file is refused.

        Raises
        ------
        iomodel.errors.WriteError
            ``path`` exists and ``overwrite`` is false, or it cannot be written
            (the message names the path and the operating system's reason).
        """
        atomic_write(path, self.to_dataset().to_netcdf, overwrite=overwrite)

    def totals(self, phase: str | None = None) -> pd.DataFrame:
        """Effects summed over sectors and investments: rows year, columns (indicator, effect), table unit."""
        imp = self.dataset["impact"].sum([dims.SECTOR, dims.INVESTMENT])
        imp = imp.sel({dims.PHASE: phase}) if phase is not None else imp.sum(dims.PHASE)
        return imp.to_dataframe().unstack([dims.INDICATOR, dims.EFFECT])["impact"]

    def budget(self) -> xr.DataArray:
        """Budget revenue at the table's effective rates by year and phase: production taxes plus consumption taxes.

        In the scenario's unit; gross (before additionality and displacement).
        """
        imp = self.dataset["impact"].sel({dims.EFFECT: "total"}).sum([dims.SECTOR, dims.INVESTMENT])
        prod = imp.sel({dims.INDICATOR: "budget"}) if "budget" in imp[dims.INDICATOR] else xr.zeros_like(imp[:, :, 0])
        cons = self.dataset["consumption_taxes"].sum([dims.INVESTMENT, dims.TAX])
        out = (prod.drop_vars([dims.INDICATOR, "units"], errors="ignore") + cons) / self.unit_factor
        attrs = {k: v for k, v in self.dataset.attrs.items() if k != "scenario_toml"}
        return out.rename("budget").assign_attrs(
            attrs, units=self.unit, long_name="budget revenue at effective rates (production and consumption taxes)"
        )

    def summary(self) -> pd.DataFrame:
        """What the scenario brings to the real economy, in the scenario's unit (jobs in persons).

        Rows: construction job-years, operation jobs (peak year and job-years),
        GVA, labour income and budget revenue by phase (all effects).
        """
        ds = self.dataset["impact"].sum([dims.SECTOR, dims.INVESTMENT]).sel({dims.EFFECT: "total"})
        uf, unit = self.unit_factor, self.unit
        rows = []
        if "employment" in ds[dims.INDICATOR]:
            emp = ds.sel({dims.INDICATOR: "employment"})
            rows += [
                (
                    "construction jobs (job-years, all effects)",
                    float(emp.sel({dims.PHASE: "construction"}).sum()),
                    "job-years",
                ),
                ("operation jobs, peak year (all effects)", float(emp.sel({dims.PHASE: "operation"}).max()), "jobs"),
                ("operation job-years over the horizon", float(emp.sel({dims.PHASE: "operation"}).sum()), "job-years"),
            ]
        for name, label in (("gva", "GVA"), ("income", "labour income")):
            if name in ds[dims.INDICATOR]:
                for ph in PHASES:
                    rows.append(
                        (f"{label}, {ph}", float(ds.sel({dims.INDICATOR: name, dims.PHASE: ph}).sum()) / uf, unit)
                    )
        if "budget" in ds[dims.INDICATOR] or self.dataset.sizes[dims.TAX]:
            b = self.budget()
            for ph in PHASES:
                rows.append((f"budget revenue at effective rates, {ph}", float(b.sel({dims.PHASE: ph}).sum()), unit))
        return pd.DataFrame(rows, columns=["item", "value", "unit"]).set_index("item")

    def plot(self, indicator: str = "employment", **kwargs: Any) -> Any:
        """Figure: an indicator by year and effect for each phase (:func:`iomodel.plot.impact_overview`).

        ``kwargs`` go to :func:`~iomodel.plot.impact_overview` (e.g. ``note``).
        """
        from .plot import impact_overview

        return impact_overview(self, indicator, **kwargs)


def scenario_of(dataset: xr.Dataset) -> Scenario:
    """The scenario stored in an impact dataset (e.g. read back from netCDF)."""
    if "scenario_toml" not in dataset.attrs:
        raise ValidationError("the dataset has no 'scenario_toml' attribute: it is not an iomodel impact result")
    return Scenario.from_toml(str(dataset.attrs["scenario_toml"]))


@dataclass(frozen=True)
class ImpactSums:
    """Aggregates of an impact dataset that the fiscal accounts use (numpy, table unit).

    Attributes
    ----------
    years
        The years of the horizon.
    taxes
        Tax rows of the table (``tax:<name>`` indicators, without the prefix).
    construction
        ``(T, k)`` tax revenue of the construction phase, all effects, summed
        over sectors and investments.
    operation_direct
        ``(T, k)`` tax revenue of the plants' own output (direct operation effect).
    operation_chain
        ``(T, k)`` tax revenue of the plants' suppliers and induced activity.
    consumption_taxes
        Names of the taxes on induced household consumption.
    consumption
        ``(T, c)`` those taxes, both phases.
    investments
        Investment names.
    bases
        Each of :data:`BASES` as a ``(P, T)`` array.
    parameters
        ``customs_duty_rate``, ``building_depreciation``, ``vat_permanent_share`` as ``(P,)`` arrays.
    """

    years: tuple[int, ...]
    taxes: tuple[str, ...]
    construction: np.ndarray = field(repr=False)
    operation_direct: np.ndarray = field(repr=False)
    operation_chain: np.ndarray = field(repr=False)
    consumption_taxes: tuple[str, ...]
    consumption: np.ndarray = field(repr=False)
    investments: tuple[str, ...]
    bases: dict[str, np.ndarray] = field(repr=False)
    parameters: dict[str, np.ndarray] = field(repr=False)


def impact_sums(dataset: xr.Dataset) -> ImpactSums:
    """Aggregate an impact dataset for the fiscal step (see :class:`ImpactSums`).

    Raises
    ------
    ValidationError
        The dataset lacks a variable an impact result has.
    """
    missing = [v for v in ("impact", "consumption_taxes", *BASES) if v not in dataset]
    if missing:
        raise ValidationError(f"the dataset is not an iomodel impact result: missing variable(s) {missing}")
    imp = dataset["impact"]
    names = [str(i) for i in imp[dims.INDICATOR].values]
    pos = [j for j, nm in enumerate(names) if nm.startswith("tax:")]
    taxes = tuple(names[j].removeprefix("tax:") for j in pos)
    order = (dims.INVESTMENT, dims.PHASE, dims.YEAR, dims.EFFECT, dims.INDICATOR, dims.SECTOR)
    arr = imp.transpose(*order).values[:, :, :, :, pos, :].sum(axis=(0, 5))  # (phase, T, effect, k)
    eff = {e: i for i, e in enumerate(str(v) for v in imp[dims.EFFECT].values)}
    ph = {p: i for i, p in enumerate(str(v) for v in imp[dims.PHASE].values)}
    c, o = arr[ph["construction"]], arr[ph["operation"]]
    cons = (
        dataset["consumption_taxes"].transpose(dims.INVESTMENT, dims.PHASE, dims.YEAR, dims.TAX).values.sum(axis=(0, 1))
    )
    return ImpactSums(
        years=tuple(int(y) for y in dataset[dims.YEAR].values),
        taxes=taxes,
        construction=c[:, eff["total"]],
        operation_direct=o[:, eff["direct"]],
        operation_chain=o[:, eff["indirect"]] + o[:, eff["induced"]],
        consumption_taxes=tuple(str(t) for t in dataset[dims.TAX].values),
        consumption=cons,
        investments=tuple(str(i) for i in dataset[dims.INVESTMENT].values),
        bases={b: dataset[b].transpose(dims.INVESTMENT, dims.YEAR).values for b in BASES},
        parameters={
            p: dataset[p].values for p in ("customs_duty_rate", "building_depreciation", "vat_permanent_share")
        },
    )
