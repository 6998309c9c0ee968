r"""SEZ packages in the CGE model, and the comparison with the input-output appraisal.

:func:`from_sez` turns a :class:`~iomodel.Scenario` (its
:class:`~iomodel.SEZPackage` and its :class:`~iomodel.ClusterInvestment`) into
a :class:`~iomodel.cge.Policy` for a year of full operation:

* the plant's **capital** enters as a higher capital stock of its sectors
  (sector-specific capital): each sector :math:`j` of the plant's product mix
  :math:`w_j` gains the capital services of its share
  :math:`s_j = w_j X / x_j` of the sector's output, :math:`\Delta K_j = s_j K_j`
  (the plant is assumed to have its sector's capital intensity);
* the package's **corporate income tax** relief lowers the tax on capital
  income of those sectors in proportion to the plant's share,
  :math:`\tau^f_{Kj}(1 - r_{CIT} s_j)`;
* its **property and land tax** relief lowers the sectors' other taxes on
  production in the same proportion (the SNA classes taxes on land, buildings
  and structures paid by producers there; the whole account is taken as such,
  an approximation);
* its **customs** relief lowers the tariff on the goods the plant imports in
  proportion to its share of their imports, with the plant importing its
  sector's average imported inputs per unit of output. The duty relief on
  the plant's imported *capital goods* is a one-off of the construction
  years (booked by :func:`iomodel.fiscal.fiscal_accounts`); in the static year of
  operation compared here the equipment is in place, and the exemption acts
  on the imported materials and components, which the free customs zone
  procedure of an SEZ also covers.

Not represented: the VAT exemption (the SAM's VAT falls on household
consumption, not on the zone's sales), the construction phase (a year of
operation is compared), and the package's additionality and displacement
assumptions: the IO figures of :func:`compare_with_io` are gross, and the CGE
model finds its own displacement.

:func:`compare_with_io` runs the same scenario through :func:`iomodel.impact`
and the CGE model under each labour-market closure and reports output, jobs,
value added and budget revenue side by side, with the share of the IO effect
that prices and scarce factors crowd out.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from .. import dims, units
from ..economy import Economy, cluster_weights
from ..errors import LabelError, ValidationError
from ..fiscal import fiscal_accounts
from ..impacts import economy_of, impact
from ..scenarios import Scenario
from ..table import IOTable
from .model import Closure, StandardCGE
from .policy import Policy
from .sam import SAM

__all__ = ["compare_with_io", "from_sez", "plant_shares"]


def plant_shares(table: IOTable, scenario: Scenario, *, economy: Economy | None = None) -> pd.Series:
    """Share of each sector's output that the scenario's plants make in their peak year of operation.

    Examples
    --------
    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> sc = iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml")
    >>> s = plant_shares(kz, sc)
    >>> s[s > 0].round(4).to_dict()
    {'245': 0.0482, '25': 0.0482, '28': 0.0482}
    """
    eco = economy_of(table, economy)
    uf = units.factor(scenario.unit or table.meta.unit, table.meta.unit)
    out = pd.Series(0.0, index=table.sectors)
    for inv in scenario.investments:
        peak = max(inv.output.values(), default=0.0) * uf
        if inv.products is not None:
            w = pd.Series(dict(inv.products)).reindex(table.sectors, fill_value=0.0)
        else:
            frame = eco.cluster_table()
            eco.cluster(str(inv.cluster))
            w = cluster_weights(table, frame[frame["cluster"] == inv.cluster]).loc[str(inv.cluster)]
        out = out + w * peak
    share = out / table.output
    too_big = share[share >= 1.0]
    if len(too_big):
        raise ValidationError(
            f"scenario {scenario.name!r}: the plants would make more than the whole output of sector(s) "
            f"{too_big.index.tolist()} at full operation; the comparative statics of the CGE model need a smaller share"
        )
    return share.rename("plant_share")


def from_sez(
    table: IOTable,
    scenario: Scenario,
    *,
    economy: Economy | None = None,
    sam: SAM | None = None,
) -> Policy:
    """The :class:`~iomodel.cge.Policy` of an SEZ scenario in its peak year of operation (module docstring).

    Parameters
    ----------
    table
        The input-output table the SAM is built from.
    scenario
        The scenario; without a package only the capital stock changes.
    economy
        Default: the table's economy.
    sam
        The SAM (default :meth:`SAM.from_table` of ``table``).

    Examples
    --------
    >>> import iomodel as iom
    >>> from iomodel import cge
    >>> kz = iom.datasets.kazakhstan()
    >>> sc = iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml")
    >>> p = cge.from_sez(kz, sc)
    >>> p.capital_stock_change["28"] > 0, p.factor_tax_rate["CAP"]["28"] < 0.2
    (True, True)
    """
    eco = economy_of(table, economy)
    sam = sam if sam is not None else SAM.from_table(table, economy=eco)
    share = plant_shares(table, scenario, economy=eco)
    goods = [str(g) for g in sam.goods]
    missing = sorted(set(map(str, table.sectors)) - set(goods))
    if missing:
        raise LabelError(f"the SAM {sam.name!r} lacks the table's sector(s) {missing[:10]}")
    frame = sam.frame
    cap = "CAP"
    if cap not in sam.factors:
        raise LabelError(f"the SAM {sam.name!r} has no capital account 'CAP'; factors are {list(sam.factors)}")
    s = share.reindex(goods).to_numpy()
    touched = [g for g, v in zip(goods, s, strict=True) if v > 0]
    pkg = scenario.package
    ex = dict(pkg.exemptions) if pkg is not None else {}
    # capital stocks
    K = frame.loc[cap, goods].to_numpy(dtype=float)
    dK = {g: float(K[i] * s[i]) for i, g in enumerate(goods) if s[i] > 0 and K[i] > 0}
    # corporate income tax on capital income of the touched sectors
    ftax = list(sam.factor_taxes)
    cap_income = float(frame.loc[cap, goods].sum())
    tau_cap = float(frame.loc[ftax, cap].sum()) / cap_income if (ftax and cap_income) else 0.0
    cit = ex.get("CIT", 0.0)
    # (a sector that pays no capital income, e.g. households as employers, has no CIT base to relieve)
    factor_tax = {g: tau_cap * (1.0 - cit * float(share[g])) for g in touched if g in dK} if cit and tau_cap else {}
    # property and land: other taxes on production of the touched sectors
    prop = max(ex.get("property_tax", 0.0), ex.get("land_tax", 0.0))
    Z = (frame.loc[list(sam.factors), goods].sum() + frame.loc[goods, goods].sum()).to_numpy(dtype=float)
    tz = frame.loc[list(sam.production_taxes), goods].sum().to_numpy(dtype=float) / Z
    otp = (
        frame.loc["other_taxes_on_production", goods].to_numpy(dtype=float) / Z
        if "other_taxes_on_production" in sam.production_taxes
        else np.zeros(len(goods))
    )
    production = {g: float(tz[i] - prop * s[i] * otp[i]) for i, g in enumerate(goods) if prop and s[i] > 0}
    # customs: the plant's share of each good's imports, its inputs imported like its sectors'
    tariff: dict[str, float] = {}
    duty = ex.get("customs", 0.0)
    if duty and sam.tariffs:
        M = frame.loc[sam.rest_of_world, goods].to_numpy(dtype=float)
        rate = frame.loc[list(sam.tariffs), goods].sum().to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(M > 0, rate / np.where(M > 0, M, 1.0), 0.0)
        a = table.arrays
        if not table.has_import_use:
            raise ValidationError(
                f"scenario {scenario.name!r}: the package exempts customs duties, but table {table.meta.name!r} has "
                "no import-use block to tell which imports the plants buy"
            )
        plant_imports = (a.imports * a.inv_output) @ (share.to_numpy() * a.output)
        plant_imports = pd.Series(plant_imports, index=table.sectors).reindex(goods).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            sm = np.where(M > 0, np.minimum(plant_imports / np.where(M > 0, M, 1.0), 1.0), 0.0)
        tariff = {g: float(rate[i] * (1.0 - duty * sm[i])) for i, g in enumerate(goods) if sm[i] > 0}
    return Policy(
        name=f"{scenario.name} (CGE, peak year of operation)",
        tariff_rate=tariff,
        production_tax_rate=production,
        factor_tax_rate={cap: factor_tax} if factor_tax else {},
        capital_stock_change=dK,
    )


def compare_with_io(
    table: IOTable,
    scenario: Scenario,
    *,
    economy: Economy | None = None,
    sam: SAM | None = None,
    labour: tuple[Literal["full_employment", "fixed_real_wage"], ...] = ("full_employment", "fixed_real_wage"),
    **model_options: Any,
) -> xr.Dataset:
    r"""IO and CGE effects of the same scenario in its peak year of operation, side by side.

    The IO effect is the operation phase of :func:`iomodel.impact` (direct,
    indirect and, for Type II, induced) in the year of the plants' peak
    output. The CGE effect is the change from the benchmark of
    :class:`~iomodel.cge.StandardCGE` with sector-specific capital under the
    policy of :func:`from_sez`, for each labour-market closure in ``labour``
    (the consumer price index as numeraire). Output and value added are at
    benchmark prices, jobs are the change of labour use times the sector's
    jobs per unit of compensation. Budget revenue is, for IO, the revenue the
    project's impacts pay with the package's relief in that year
    (``revenue_collected`` of :func:`iomodel.fiscal.fiscal_accounts`; without a
    package, the tax rows and consumption taxes of the impacts), and for CGE
    the change of the government's revenue, relief included. The
    crowding-out share of each measure is :math:`(IO - CGE)/IO`.

    Returns
    -------
    xarray.Dataset
        Over ``sector`` and ``scenario`` (the closures): ``output_io``,
        ``output_cge``, ``jobs_io``, ``jobs_cge``; over ``scenario``: totals of
        output, jobs, GVA and budget revenue for both models and their
        crowding-out shares; ``welfare_ev`` (the households' equivalent
        variation) and ``budget_cge_by_tax`` (over ``scenario`` and ``tax``,
        the SAM's tax accounts) from the CGE model.

    Examples
    --------
    >>> import iomodel as iom
    >>> from iomodel import cge
    >>> kz = iom.datasets.kazakhstan()
    >>> sc = iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml")
    >>> ds = cge.compare_with_io(kz, sc, labour=("fixed_real_wage",))
    >>> float(ds["total_output_cge"][0]) < float(ds["total_output_io"])
    True
    """
    eco = economy_of(table, economy)
    sam = sam if sam is not None else SAM.from_table(table, economy=eco)
    policy = from_sez(table, scenario, economy=eco, sam=sam)
    res = impact(table, scenario, economy=eco)
    ds = res.dataset
    out_year = ds["plant_output"].sum(dims.INVESTMENT)
    peak = int(out_year[dims.YEAR].values[int(out_year.values.argmax())])
    op = ds["impact"].sel({dims.PHASE: "operation", dims.YEAR: peak, dims.EFFECT: "total"}).sum(dims.INVESTMENT)
    goods = [str(g) for g in sam.goods]
    io_out = op.sel({dims.INDICATOR: "output"}).to_series().reindex(goods).to_numpy()
    has_jobs = "employment" in ds[dims.INDICATOR]
    io_jobs = (
        op.sel({dims.INDICATOR: "employment"}).to_series().reindex(goods).to_numpy()
        if has_jobs
        else np.full(len(goods), np.nan)
    )
    io_gva = float(op.sel({dims.INDICATOR: "gva"}).sum())
    # the budget revenue of the project's impacts with the package's relief (fiscal accounts; without a
    # package, everything the impacts pay)
    acc = fiscal_accounts(res, scenario.package, economy=eco)
    io_budget = float(acc["revenue_collected"].sel({dims.YEAR: peak})) * units.factor(
        acc.attrs["unit"], table.meta.unit
    )
    # jobs per unit of compensation by sector (no employment account: jobs are not a number, not zero)
    labour_factor = Closure().labour_factor
    if labour_factor not in sam.factors:
        raise LabelError(
            f"the SAM {sam.name!r} has no labour account {labour_factor!r}; factors are {list(sam.factors)}"
        )
    lab_pay = sam.frame.loc[labour_factor, goods].to_numpy(dtype=float)
    emp = (
        table.satellites.loc["employment"].reindex(goods).to_numpy()
        if "employment" in table.satellites.index
        else np.full(len(goods), np.nan)
    )
    jobs_per_pay = np.divide(emp, lab_pay, out=np.zeros(len(goods)), where=lab_pay > 0)
    cge_out, cge_jobs, totals, ev, by_tax = [], [], [], [], []
    for closure in labour:
        model = StandardCGE(
            sam, closure=Closure(labour=closure, capital="sector_specific"), numeraire="CPI", **model_options
        )
        base, new = model.solve(), model.solve(policy)
        d_out = new.values["Z"] - base.values["Z"]
        lab = list(model.calibration.factors).index(labour_factor)
        d_jobs = (new.values["F"][lab] - base.values["F"][lab]) * jobs_per_pay
        d_gva = float((new.values["Y"] - base.values["Y"]).sum())
        d_budget = float(new.values["T"] - base.values["T"])
        ev.append(float(new.welfare()["ev"]))
        by_tax.append(new.revenue_by_tax() - base.revenue_by_tax())
        cge_out.append(d_out)
        cge_jobs.append(d_jobs)
        totals.append((float(d_out.sum()), float(d_jobs.sum()), d_gva, d_budget))
    tot = np.array(totals)
    taxes = [str(t) for t in by_tax[0].index] if by_tax else []
    io_tot = np.array([float(io_out.sum()), float(io_jobs.sum()), io_gva, io_budget])
    with np.errstate(divide="ignore", invalid="ignore"):
        crowd = np.where(io_tot != 0, (io_tot[None, :] - tot) / io_tot[None, :], np.nan)
    unit = table.meta.unit
    sc = (dims.SCENARIO,)
    ss = (dims.SCENARIO, dims.SECTOR)
    persons = table.meta.satellite_units.get("employment", "persons")
    return xr.Dataset(
        {
            "output_io": (dims.SECTOR, io_out, {"units": unit, "long_name": "output change, IO"}),
            "output_cge": (ss, np.array(cge_out), {"units": f"{unit} at benchmark prices", "long_name": "CGE"}),
            "jobs_io": (dims.SECTOR, io_jobs, {"units": persons, "long_name": "jobs, IO"}),
            "jobs_cge": (ss, np.array(cge_jobs), {"units": persons, "long_name": "jobs, CGE"}),
            "total_output_io": ((), io_tot[0], {"units": unit}),
            "total_jobs_io": ((), io_tot[1], {"units": persons}),
            "total_gva_io": ((), io_tot[2], {"units": unit}),
            "total_budget_io": ((), io_tot[3], {"units": unit}),
            "total_output_cge": (sc, tot[:, 0], {"units": f"{unit} at benchmark prices"}),
            "total_jobs_cge": (sc, tot[:, 1], {"units": persons}),
            "total_gva_cge": (sc, tot[:, 2], {"units": f"{unit} at benchmark prices"}),
            "total_budget_cge": (sc, tot[:, 3], {"units": unit}),
            "crowding_out_output": (sc, crowd[:, 0], {"units": "share of the IO effect"}),
            "crowding_out_jobs": (sc, crowd[:, 1], {"units": "share of the IO effect"}),
            "crowding_out_gva": (sc, crowd[:, 2], {"units": "share of the IO effect"}),
            "crowding_out_budget": (sc, crowd[:, 3], {"units": "share of the IO effect"}),
            "budget_cge_by_tax": (
                (dims.SCENARIO, dims.TAX),
                np.array([b.reindex(taxes).to_numpy(dtype=float) for b in by_tax]),
                {"units": unit, "long_name": "change of government revenue by tax account, CGE"},
            ),
            "welfare_ev": (
                sc,
                np.array(ev),
                {"units": f"{unit} at benchmark prices", "long_name": "households' equivalent variation, CGE"},
            ),
        },
        coords={dims.SECTOR: goods, dims.SCENARIO: list(labour), dims.TAX: taxes},
        attrs={
            **table.meta.attrs(),
            "scenario": scenario.name,
            "year": peak,
            "policy_toml": policy.to_toml(),
            "method": "docs/cge.md: IO operation phase in the peak year against the CGE comparative statics",
        },
    )
