r"""Run a scenario on a table: direct, indirect and induced effects by year.

Two shocks per investment (METHODS.md 2.1):

**Construction** (temporary; employment in *job-years*). Capital expenditure
:math:`K_t` is turned into demand by product with the investment bridge
:math:`b`, its imported part removed with import shares :math:`\mu`:
:math:`k^d_t = (I - \hat\mu)\,b\,K_t`. Then, by sector,

.. math::

    x^{dir} = k^d,\qquad x^{ind} = (L - I)k^d,\qquad x^{indu} = (\bar L_{11} - L)k^d .

**Operation** (recurring; jobs per year). The new plant's output :math:`X_t`
is exogenous (new-industry / fixed-output model, METHODS.md 1.8): it is not
final demand; its domestic purchases :math:`a_p X_t` are. With the plant's
labour-income coefficient :math:`w_p`,

.. math::

    x^{dir} = s_p X_t,\qquad x^{ind} = L a_p X_t,\qquad
    \begin{bmatrix} x^{ind} + x^{indu} \\ y_h \end{bmatrix}
      = \bar L \begin{bmatrix} a_p \\ w_p \end{bmatrix} X_t ,

where :math:`s_p` spreads the plant's output over its products. Every
indicator is its coefficient per unit of output times the sector's output
change (the plant's own coefficients for the direct effect).

Impacts are gross: additionality and displacement enter the fiscal accounts
(:mod:`iomodel.fiscal`), as METHODS.md 3.4 prescribes. All values are in
constant prices of the table's year.

:func:`mixed_model` solves the general fixed-output (mixed) model for
existing sectors, with its closed form :func:`modified_inverse`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from . import datasets, dims
from .errors import LabelError, ValidationError
from .scenarios import UNIT_FACTORS, ClusterInvestment, Scenario
from .table import HouseholdClosure, IOTable

__all__ = ["impact", "ImpactResult", "mixed_model", "modified_inverse", "EFFECTS", "PHASES"]

EFFECTS = ("direct", "indirect", "induced", "total")
PHASES = ("construction", "operation")
#: Horizon the table is trusted for (years after its reference year).
MAX_YEARS_AFTER_TABLE = 60


# --------------------------------------------------------------------------- mixed model
def mixed_model(
    table: IOTable, fixed_output: pd.Series, final_demand: pd.Series | None = None
) -> tuple[pd.Series, pd.Series]:
    r"""The mixed (fixed-output) model: some sectors' outputs are given.

    With exogenous sectors :math:`E` (output change :math:`\Delta x_E` fixed)
    and the others :math:`N` (final demand change :math:`\Delta f_N`, default 0),
    Miller & Blair (2009) ch. 13; METHODS.md 1.8:

    .. math::

        \Delta x_N = (I - A_{NN})^{-1}(A_{NE}\Delta x_E + \Delta f_N),\qquad
        \Delta f_E = (I - A_{EE})\Delta x_E - A_{EN}\Delta x_N .

    Parameters
    ----------
    table
        The table (domestic convention).
    fixed_output
        Output change of the exogenous sectors, labelled.
    final_demand
        Final-demand change of the other sectors (labels outside ``fixed_output``).

    Returns
    -------
    tuple of pandas.Series
        Output change of every sector, and the implied final demand of every
        sector (given for ``N``, solved for ``E``).

    Examples
    --------
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> x, f = mixed_model(t, pd.Series({"agriculture": 100.0}))
    >>> round(float(x["manufacturing"]), 4), round(float(f["agriculture"]), 4)
    (21.0526, 79.7368)
    """
    table.require_domestic("the mixed model")
    fixed = table.align_demand(fixed_output)
    E = np.isin(table.sectors, pd.Index(fixed_output.index))
    if not E.any():
        raise ValidationError("mixed model: no exogenous sector given")
    fN = np.zeros(table.n)
    if final_demand is not None:
        both = pd.Index(final_demand.index).intersection(pd.Index(fixed_output.index))
        if len(both):
            raise LabelError(f"sector(s) {both.tolist()} have both a fixed output and a final demand")
        fN = table.align_demand(final_demand).to_numpy()
    A = table.A.to_numpy()
    N = ~E
    xE = fixed.to_numpy()[E]
    rhs = A[np.ix_(N, E)] @ xE + fN[N]
    xN = np.linalg.solve(np.eye(N.sum()) - A[np.ix_(N, N)], rhs) if N.any() else np.zeros(0)
    x = np.zeros(table.n)
    x[E], x[N] = xE, xN
    f = fN.copy()
    f[E] = xE - A[np.ix_(E, E)] @ xE - A[np.ix_(E, N)] @ xN
    return pd.Series(x, index=table.sectors, name="output"), pd.Series(f, index=table.sectors, name="final_demand")


def modified_inverse(table: IOTable, exogenous: list[Any]) -> pd.DataFrame:
    r"""The modified Leontief inverse of the mixed model (Zhu, Kim & Harris; METHODS.md 1.8).

    :math:`L^{mod} = L - L D'(D L D')^{-1} D L`, with :math:`D` selecting the
    exogenous sectors. :math:`L^{mod} f` is the output change when final demand
    changes by :math:`f` while the exogenous sectors' outputs stay fixed.
    """
    table.require_domestic("the modified inverse")
    unknown = [s for s in exogenous if s not in table.sectors]
    if unknown:
        raise LabelError(f"unknown sector label(s) {unknown}")
    L = table.factor().inverse()
    idx = table.sectors.get_indexer(exogenous)
    LD = L[:, idx]
    DLD = L[np.ix_(idx, idx)]
    Lmod = L - LD @ np.linalg.solve(DLD, L[idx, :])
    return pd.DataFrame(Lmod, index=table.sectors, columns=table.sectors)


# --------------------------------------------------------------------------- the engine
@dataclass(frozen=True)
class _Coefficients:
    names: list[str]
    units: list[str]
    rows: np.ndarray  # (k, n) per unit of output
    tax_rows: list[str]  # names of tax indicators (subset of names)


def _coefficients(table: IOTable, closure: HouseholdClosure) -> _Coefficients:
    inv = table._inv_output()
    money = f"{table.meta.unit}"
    names, units, rows = (
        ["output", "income", "gva"],
        [money, money, money],
        [np.ones(table.n), table.value_added.loc[closure.income].to_numpy() * inv, table.gva.to_numpy() * inv],
    )
    for ind in table.satellites.index:
        names.append(str(ind))
        units.append(table.meta.satellite_units.get(ind, "units"))
        rows.append(table.satellites.loc[ind].to_numpy() * inv)
    tax_rows = []
    for tax in table.taxes.index:
        names.append(f"tax:{tax}")
        tax_rows.append(f"tax:{tax}")
        units.append(money)
        rows.append(table.taxes.loc[tax].to_numpy() * inv)
    if tax_rows:
        budget = np.sum([r for nm, r in zip(names, rows, strict=True) if nm in tax_rows], axis=0)
        names.append("budget")
        units.append(money)
        rows.append(budget)
    return _Coefficients(names, units, np.vstack(rows), tax_rows)


def _product_weights(table: IOTable, inv: ClusterInvestment, clusters: pd.DataFrame | None) -> np.ndarray:
    if inv.products is not None:
        unknown = [p for p in inv.products if p not in table.sectors]
        if unknown:
            raise LabelError(f"investment {inv.name!r}: unknown product(s) {unknown}")
        return pd.Series(inv.products).reindex(table.sectors, fill_value=0.0).to_numpy()
    c = datasets.kazakhstan_clusters() if clusters is None else clusters
    if inv.cluster not in set(c["cluster"]):
        raise LabelError(
            f"investment {inv.name!r}: unknown cluster {inv.cluster!r}; valid options are {sorted(set(c['cluster']))}"
        )
    w = datasets.cluster_weights(table, c[c["cluster"] == inv.cluster])
    return w.loc[inv.cluster].to_numpy()


def gfcf_category(table: IOTable) -> str:
    """Name of the gross fixed capital formation category of a table."""
    for cand in ("gfcf", "gross_fixed_capital_formation", "investment"):
        if cand in table.categories:
            return cand
    raise LabelError(
        f"table {table.meta.name!r} has no GFCF final-demand category; valid categories are "
        f"{table.categories.tolist()}; give the investment an explicit bridge"
    )


def bridge_vectors(table: IOTable, inv: ClusterInvestment) -> tuple[np.ndarray, np.ndarray]:
    """Bridge shares and import shares of capex by product (arrays over the table's sectors)."""
    if inv.bridge is None:
        cat = gfcf_category(table)
        dom = table.final_demand[cat].to_numpy()
        imp = table.imports_final[cat].to_numpy() if table.has_import_use else np.zeros(table.n)
        tot = dom + imp
        if (tot < 0).any():
            bad = table.sectors[tot < 0].tolist()
            raise ValidationError(f"GFCF is negative for product(s) {bad}; give an explicit bridge")
        shares = tot / tot.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            mu = np.where(tot > 0, imp / np.where(tot > 0, tot, 1.0), 0.0)
    else:
        unknown = [p for p in inv.bridge.shares if p not in table.sectors]
        unknown += [p for p in inv.bridge.import_shares if p not in table.sectors]
        if unknown:
            raise LabelError(f"investment {inv.name!r}: bridge names unknown product(s) {sorted(set(unknown))}")
        shares = pd.Series(inv.bridge.shares).reindex(table.sectors, fill_value=0.0).to_numpy()
        # import shares: of the product's GFCF where the table has it, else of its total supply
        mu = _supply_import_shares(table)
        if "gfcf" in table.categories and table.has_import_use:
            dom, imp = table.final_demand["gfcf"].to_numpy(), table.imports_final["gfcf"].to_numpy()
            tot = dom + imp
            ok = tot > 0
            mu = np.where(ok, imp / np.where(ok, tot, 1.0), mu)
        given = pd.Series(inv.bridge.import_shares, dtype=float)
        for p, v in given.items():
            mu[table.sectors.get_loc(p)] = v
    if inv.equipment_import_share is not None:
        unknown = [p for p in inv.equipment_products if p not in table.sectors]
        if unknown:
            raise LabelError(f"investment {inv.name!r}: unknown equipment product(s) {unknown}")
        mu = mu.copy()
        mu[table.sectors.get_indexer(list(inv.equipment_products))] = inv.equipment_import_share
    return shares, mu


def _supply_import_shares(table: IOTable) -> np.ndarray:
    if not table.has_import_use:
        return np.zeros(table.n)
    M = table.total_imports.to_numpy()
    sup = table.output.to_numpy() + M
    return np.where(sup > 0, M / np.where(sup > 0, sup, 1.0), 0.0)


@dataclass(frozen=True)
class PlantProfile:
    """Per-unit-of-output profile of a new plant (arrays over the table's sectors)."""

    weights: np.ndarray  # output mix over products
    inputs: np.ndarray  # domestic input coefficients a_p
    imported_inputs: float  # imported intermediate inputs per unit output
    direct: np.ndarray  # indicator coefficients of the plant (k,)
    wage: float  # labour income per unit output
    profit: float  # taxable profit per unit output (CIT base)


def plant_profile(
    table: IOTable,
    inv: ClusterInvestment,
    coef: _Coefficients,
    unit_factor: float,
    clusters: pd.DataFrame | None = None,
) -> PlantProfile:
    """The plant's coefficients: given ones, or the output-weighted average of its products."""
    w = _product_weights(table, inv, clusters)
    A = table.A.to_numpy()
    if inv.input_coefficients is not None:
        unknown = [p for p in inv.input_coefficients if p not in table.sectors]
        if unknown:
            raise LabelError(f"investment {inv.name!r}: input coefficients name unknown product(s) {unknown}")
        a = pd.Series(inv.input_coefficients).reindex(table.sectors, fill_value=0.0).to_numpy()
    else:
        a = A @ w
    m = float(table.coefficients("imports").to_numpy().sum(axis=0) @ w) if len(table.imports.index) else 0.0
    direct = coef.rows @ w
    if inv.jobs_per_output is not None and "employment" not in coef.names:
        raise ValidationError(
            f"investment {inv.name!r}: jobs_per_output given but table {table.meta.name!r} has no employment satellite"
        )
    if inv.jobs_per_output is not None:
        direct = direct.copy()
        direct[coef.names.index("employment")] = inv.jobs_per_output / unit_factor
    va = table.coefficients("value_added")
    nos = (
        va.loc["net_operating_surplus"].to_numpy()
        if "net_operating_surplus" in va.index
        else (va.to_numpy().sum(axis=0) - va.loc["compensation"].to_numpy())
    )
    profit = inv.profit_margin if inv.profit_margin is not None else float(np.clip(nos, 0, None) @ w)
    wage = float(direct[coef.names.index("income")])
    return PlantProfile(weights=w, inputs=a, imported_inputs=m, direct=direct, wage=wage, profit=profit)


def _unit_factor(scenario: Scenario, table: IOTable) -> float:
    if table.meta.unit == scenario.unit:
        return 1.0
    if scenario.unit not in UNIT_FACTORS:
        raise ValidationError(
            f"scenario unit {scenario.unit!r} is neither the table's unit {table.meta.unit!r} "
            f"nor one of {list(UNIT_FACTORS)}"
        )
    if table.meta.unit not in UNIT_FACTORS:
        raise ValidationError(
            f"table unit {table.meta.unit!r} is not a known monetary unit "
            f"({list(UNIT_FACTORS)}); scenarios cannot be converted to it"
        )
    return UNIT_FACTORS[scenario.unit] / UNIT_FACTORS[table.meta.unit]


def _check_horizon(table: IOTable, scenario: Scenario) -> None:
    if table.meta.year is None:
        return
    y0, y1 = scenario.years
    if y0 < table.meta.year or y1 > table.meta.year + MAX_YEARS_AFTER_TABLE:
        raise ValidationError(
            f"scenario years {y0}-{y1} lie outside the horizon of table {table.meta.name!r} "
            f"({table.meta.year}-{table.meta.year + MAX_YEARS_AFTER_TABLE})"
        )


def impact(
    table: IOTable,
    scenario: Scenario,
    *,
    clusters: pd.DataFrame | None = None,
    rates: Mapping[str, float] | None = None,
    mci: float | None = None,
) -> ImpactResult:
    """Run a scenario: impacts by year and effect, and its fiscal accounts.

    Parameters
    ----------
    table
        The input-output table (domestic convention), e.g.
        :func:`iomodel.datasets.kazakhstan`.
    scenario
        The :class:`~iomodel.Scenario`.
    clusters
        Cluster definitions (default: the shipped Kazakhstan clusters).
    rates
        Statutory rates by tax (``CIT``, ``VAT``, ``social_tax``,
        ``property_tax``) used to value the participant's own taxes; default:
        Kazakhstan's rates on ``scenario.tax_vintage``.
    mci
        Monthly calculation index in KZT for the 2024 duration rule; default:
        the shipped value for the first capex year (or the latest known).

    Returns
    -------
    ImpactResult

    Raises
    ------
    LabelError
        Unknown cluster, product or category.
    ValidationError
        Years outside the table's horizon, non-domestic table, bad units.

    Examples
    --------
    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> inv = iom.ClusterInvestment(name="plant", cluster="machine_building",
    ...                             capex={2026: 20_000.0}, output={2027: 15_000.0})
    >>> res = iom.impact(kz, iom.Scenario(name="demo", investments=(inv,), years=(2026, 2030)))
    >>> res.to_dataset()["impact"].dims
    ('investment', 'phase', 'year', 'effect', 'indicator', 'sector')
    """
    from .fiscal import fiscal_accounts

    table.require_domestic("impact analysis")
    _check_horizon(table, scenario)
    uf = _unit_factor(scenario, table)
    closure = (
        datasets.kazakhstan_closure(table.meta.year or 2024, mpc=scenario.mpc)
        if _is_kazakhstan(table)
        else HouseholdClosure(propensity=scenario.mpc)
    )
    coef = _coefficients(table, closure)
    years = scenario.year_list
    n, k, T = table.n, len(coef.names), len(years)
    fac = table.factor()
    closed = table.closed(closure) if scenario.kind == "type2" else None
    data = np.zeros((len(scenario.investments), 2, T, 4, k, n))
    profiles: dict[str, PlantProfile] = {}
    capex_parts: dict[str, dict[str, np.ndarray]] = {}
    for ii, inv in enumerate(scenario.investments):
        # construction
        shares, mu = bridge_vectors(table, inv)
        K = np.array([inv.capex.get(y, 0.0) for y in years]) * uf  # (T,)
        kd = np.outer((1.0 - mu) * shares, K)  # (n, T)
        capex_parts[inv.name] = {
            "total": K,
            "imported": ((mu * shares).sum()) * K,
            "construction_works": _construction_share(table, shares) * K,
        }
        x_dir = kd
        xL = fac.solve(kd)
        x_ind = xL - kd
        x_indu = (closed.solve(kd)[0] - xL) if closed is not None else np.zeros_like(kd)
        for e, xe in enumerate((x_dir, x_ind, x_indu)):
            data[ii, 0, :, e] = coef.rows[None, :, :] * xe.T[:, None, :]
        # operation
        prof = plant_profile(table, inv, coef, uf, clusters)
        profiles[inv.name] = prof
        X = np.array([inv.output.get(y, 0.0) for y in years]) * uf  # (T,)
        direct = prof.direct[:, None, None] * (np.outer(X, prof.weights))[None, :, :]  # (k, T, n)
        data[ii, 1, :, 0] = direct.transpose(1, 0, 2)
        demand = np.outer(prof.inputs, X)  # (n, T)
        xI = fac.solve(demand)
        data[ii, 1, :, 1] = coef.rows[None, :, :] * xI.T[:, None, :]
        if closed is not None:
            xC = closed.solve(demand, prof.wage * X)[0]
            data[ii, 1, :, 2] = coef.rows[None, :, :] * (xC - xI).T[:, None, :]
    data[..., 3, :, :] = data[..., :3, :, :].sum(axis=-3)
    ds = xr.Dataset(
        {"impact": (("investment", "phase", dims.YEAR, dims.EFFECT, dims.INDICATOR, dims.SECTOR), data)},
        coords={
            "investment": [i.name for i in scenario.investments],
            "phase": list(PHASES),
            dims.YEAR: years,
            dims.EFFECT: list(EFFECTS),
            dims.INDICATOR: coef.names,
            dims.SECTOR: table.sectors.to_numpy(),
            "units": (dims.INDICATOR, coef.units),
        },
        attrs={
            **table.meta.attrs(),
            "scenario": scenario.name,
            "kind": scenario.kind,
            "employment_meaning": "construction: job-years; operation: jobs in each year",
            "prices": f"constant {table.meta.year} prices",
            **closure.attrs(),
        },
    )
    fiscal = fiscal_accounts(table, scenario, ds, coef.tax_rows, profiles, capex_parts, uf, rates=rates, mci=mci)
    return ImpactResult(scenario=scenario, dataset=ds, fiscal=fiscal, unit_factor=uf)


def _construction_share(table: IOTable, shares: np.ndarray) -> float:
    """Share of capex that is buildings and structures (the property-tax base)."""
    for code in ("41-43", "construction", "F"):
        if code in table.sectors:
            return float(shares[table.sectors.get_loc(code)])
    return 0.0


def _is_kazakhstan(table: IOTable) -> bool:
    return table.meta.currency == "KZT" and "PIT" in table.taxes.index


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class ImpactResult:
    """The outcome of :func:`impact`: impacts and fiscal accounts, labelled.

    Attributes
    ----------
    scenario
        The scenario that produced it (stored, so the result is reproducible).
    dataset
        ``impact`` over investment, phase, year, effect, indicator, sector.
    fiscal
        Fiscal accounts by year and tax (:func:`iomodel.fiscal.fiscal_accounts`).
    unit_factor
        Scenario unit per table unit.
    """

    scenario: Scenario
    dataset: xr.Dataset
    fiscal: xr.Dataset
    unit_factor: float

    def to_dataset(self) -> xr.Dataset:
        """Impacts and fiscal accounts in one :class:`xarray.Dataset` (netCDF-safe)."""
        fiscal = self.fiscal.copy()
        for v in fiscal.data_vars:
            fiscal[v].attrs["units"] = self.fiscal.attrs["unit"]
        ds = xr.merge([self.dataset, fiscal], combine_attrs="override")
        ds["impact"].attrs["units"] = f"{self.dataset.attrs['table_unit']} (employment: see the units coordinate)"
        ds.attrs.update({f"fiscal_{k}": v for k, v in self.fiscal.attrs.items()})
        ds.attrs["scenario_toml"] = self.scenario.to_toml()
        return ds

    def to_netcdf(self, path: str) -> None:
        """Write :meth:`to_dataset` to a netCDF file."""
        self.to_dataset().to_netcdf(path)

    def totals(self, phase: str | None = None) -> pd.DataFrame:
        """Effects summed over sectors and investments: rows year, columns (indicator, effect)."""
        imp = self.dataset["impact"].sum(["sector", "investment"])
        if phase is not None:
            imp = imp.sel(phase=phase)
        else:
            imp = imp.sum("phase")
        return imp.to_dataframe().unstack(["indicator", "effect"])["impact"]

    def summary(self) -> pd.DataFrame:
        """A table a ministry reader understands: what the scenario brings, in the scenario's unit.

        Rows: construction job-years, operation jobs (peak year and job-years),
        GVA and budget revenue by phase, revenue gained and forgone, state
        costs, net fiscal effect (cumulative, NPV), payback year, break-even
        additionality.
        """
        from .fiscal import fiscal_summary

        ds = self.dataset["impact"].sum(["sector", "investment"]).sel(effect="total")
        uf = self.unit_factor
        rows = []
        unit = self.scenario.unit
        if "employment" in ds.indicator:
            emp = ds.sel(indicator="employment")
            rows += [
                ("construction jobs (job-years, all effects)", float(emp.sel(phase="construction").sum()), "job-years"),
                ("operation jobs, peak year (all effects)", float(emp.sel(phase="operation").max()), "jobs"),
                ("operation job-years over the horizon", float(emp.sel(phase="operation").sum()), "job-years"),
            ]
        for ind, label in (("gva", "GVA"), ("income", "labour income"), ("budget", "budget revenue (table rates)")):
            if ind in ds.indicator:
                for ph in PHASES:
                    rows.append((f"{label}, {ph}", float(ds.sel(indicator=ind, phase=ph).sum()) / uf, unit))
        out = pd.DataFrame(rows, columns=["item", "value", "unit"]).set_index("item")
        return pd.concat([out, fiscal_summary(self.fiscal, self.scenario)])

    def plot(self, indicator: str = "employment"):
        """Figure: an indicator by year and effect for each phase, and the net fiscal effect."""
        from .plot import impact_overview

        return impact_overview(self, indicator)
