r"""Rectangular choice of technology (Duchin & Levine 2011), solved with HiGHS.

A product may be made by its incumbent technology (its column of the table)
or by an alternative, e.g. the technology of a new plant in a special
economic zone (a user-given input column, labour and other factor use per
unit of output). With factor prices :math:`\pi` and endowments :math:`f`
(docs/optimize.md):

.. math::

    \min_{x \ge 0}\ \pi' F x \quad\text{s.t.}\quad (I - A)\,x \ge y,\qquad F x \le f,

where :math:`I - A` is rectangular (one column per technology, one row per
product) and :math:`F` holds factor use per unit of output of each
technology. The duals are the product prices :math:`p \ge 0` (cost of one more
unit of final demand) and the factor scarcity rents :math:`r \ge 0`; by strong
duality :math:`p'y - r'f = \pi'Fx`. Prices are set by the highest-cost
technology in use; a cheaper technology limited by a binding factor earns a
rent (Duchin & Levine 2011, *Economic Systems Research* 23(3):281-302).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from .. import dims
from ..errors import LabelError, ValidationError
from ..table import IOTable
from .lp import LinearProgram

__all__ = ["choice_of_technology"]


def choice_of_technology(
    table: IOTable,
    sector: str,
    *,
    inputs: pd.Series,
    factors_new: Mapping[str, float],
    factors_incumbent: Mapping[str, pd.Series] | None = None,
    prices: Mapping[str, float],
    endowments: Mapping[str, float],
    final_demand: pd.Series | None = None,
    name: str = "zone technology",
) -> xr.Dataset:
    """Choose between the incumbent and an alternative technology of one sector.

    Parameters
    ----------
    table
        The table (domestic coefficients are the incumbent technologies).
    sector
        The product the alternative technology makes.
    inputs
        Domestic inputs per unit of output of the alternative technology (by product).
    factors_new
        Factor use per unit of output of the alternative, e.g.
        ``{"labour": 2e-6, "gas": 0.3}``; ``"labour"`` is in the table's
        employment unit per unit of output.
    factors_incumbent
        Factor use per unit of output of every incumbent technology by factor
        (Series by sector); ``"labour"`` defaults to the table's employment
        coefficients, other factors to zero.
    prices
        Price of each factor (objective weight, e.g. wage per person).
    endowments
        Availability of each factor (``inf`` for none).
    final_demand
        Final demand to satisfy (default: the table's domestic final demand).
    name
        Label of the alternative technology.

    Returns
    -------
    xarray.Dataset
        ``activity`` by technology (the incumbents labelled by sector, the
        alternative by ``name``), ``price`` by product, ``rent`` by factor,
        ``factor_use``, each with ``units``; ``attrs``: the table's
        metadata, ``cost``, the duality gap check, and the prices,
        endowments and the alternative's factor use and inputs (JSON).

    Raises
    ------
    LabelError
        Unknown sector or factor.
    InfeasibleError
        The endowments cannot support the final demand (names the blocks).
    """
    if sector not in table.sectors:
        raise LabelError(f"unknown sector {sector!r}")
    facs = sorted(set(prices))
    missing = sorted((set(endowments) | set(factors_new)) - set(facs))
    if missing:
        raise LabelError(f"factor(s) {missing} have no price; priced factors are {facs}")
    unknown = pd.Index(inputs.index).difference(table.sectors)
    if len(unknown):
        raise LabelError(f"inputs name unknown product(s) {unknown.tolist()}")
    a_new = inputs.reindex(table.sectors, fill_value=0.0).to_numpy(dtype=float)
    if (a_new < 0).any() or a_new.sum() >= 1:
        raise ValidationError("alternative inputs must be non-negative and sum below 1")
    n = table.n
    A = table.arrays.A
    techs = [str(s) for s in table.sectors] + [name]
    s_pos = table.sectors.get_loc(sector)
    R = np.zeros((n, n + 1))
    R[:, :n] = np.eye(n) - A
    R[:, n] = -a_new
    R[s_pos, n] += 1.0
    inv_x = table.arrays.inv_output
    F = np.zeros((len(facs), n + 1))
    inc = dict(factors_incumbent or {})
    for k, f in enumerate(facs):
        if f in inc:
            F[k, :n] = pd.Series(inc[f]).reindex(table.sectors, fill_value=0.0).to_numpy(dtype=float)
        elif f == "labour" and "employment" in table.satellites.index:
            F[k, :n] = table.satellites.loc["employment"].to_numpy() * inv_x
        F[k, n] = float(factors_new.get(f, 0.0))
    y = (table.final_demand.sum(axis=1) if final_demand is None else table.align_demand(final_demand)).to_numpy()
    pi = np.array([float(prices[f]) for f in facs])
    lp = LinearProgram(sense="min", objective_units="factor cost", name="choice of technology")
    lp.add_variables("activity", techs, cost=pi @ F, units=f"output, {table.meta.unit}")
    lp.add_constraints(
        "balance", table.sectors, {"activity": R}, lower=y, dual_units="factor cost per unit of final demand"
    )
    lp.add_constraints(
        "factors",
        facs,
        {"activity": F},
        upper=[float(endowments.get(f, np.inf)) for f in facs],
        dual_units="factor cost per unit of factor",
    )
    res = lp.solve()
    x = res.value("activity").values
    p = res.dual("balance").values  # d cost / d y >= 0
    r = -res.dual("factors").values  # rents: relaxing a binding limit lowers cost
    f_end = np.array([float(endowments.get(f, np.inf)) for f in facs])
    fin = np.isfinite(f_end)
    gap = float(p @ y - r[fin] @ f_end[fin] - res.objective)
    T, S, K = (dims.TECHNOLOGY,), (dims.SECTOR,), (dims.FACTOR,)
    unit = table.meta.unit
    return xr.Dataset(
        {
            "activity": (T, x, {"units": f"output, {unit}", "long_name": "output of each technology"}),
            "price": (S, p, {"units": f"factor cost per {unit} of final demand", "long_name": "dual of the balance"}),
            "rent": (K, r, {"units": "factor cost per unit of factor", "long_name": "scarcity rent of each factor"}),
            "factor_use": (K, F @ x, {"units": "each factor's own unit (as its endowment)", "long_name": "factor use"}),
        },
        coords={
            dims.TECHNOLOGY: techs,
            dims.SECTOR: table.sectors.to_numpy(),
            dims.FACTOR: facs,
            "makes": (T, [*map(str, table.sectors), sector]),
        },
        attrs={
            **table.meta.attrs(),
            "cost": res.objective,
            "duality_gap": gap,
            "model": "rectangular choice of technology (Duchin & Levine 2011; docs/optimize.md)",
            "alternative": name,
            "alternative_makes": sector,
            "prices": json.dumps({f: float(prices[f]) for f in facs}),
            "endowments": json.dumps({f: float(endowments.get(f, np.inf)) for f in facs}),
            "alternative_factors": json.dumps({f: float(factors_new.get(f, 0.0)) for f in facs}),
            "alternative_inputs": json.dumps({str(k): float(v) for k, v in inputs.items() if v != 0.0}),
            "final_demand": "the table's domestic final demand" if final_demand is None else "given",
        },
    )
