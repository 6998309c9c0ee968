r"""Scenario grids: full factorial and one-at-a-time sweeps, and tornado rankings.

:func:`sweep` evaluates ``func(table, **params)`` at every point of a grid
(all combinations, or one parameter at a time around a base point) and
stacks the results on a ``scenario`` dimension whose coordinates are the
parameter values. :func:`tornado` moves each parameter from its low to its
high value with the others at their base values and ranks the parameters by
the swing of each scalar output (the one-way sensitivity of a tornado
diagram; Saltelli et al. 2008, *Global Sensitivity Analysis: The Primer*,
ch. 1, on its limits: no interactions).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import dims
from ..errors import ValidationError
from ..table import IOTable
from .engine import Func, check_parameters, plan, run_points

__all__ = ["scalar_outputs", "sweep", "tornado"]


def _values(name: str, values: Any) -> list[Any]:
    if isinstance(values, str) or not isinstance(values, Sequence | np.ndarray):
        raise ValidationError(f"grid parameter {name!r}: expected a list of values, got {values!r}")
    vals = list(values)
    if not vals:
        raise ValidationError(f"grid parameter {name!r}: the list of values is empty")
    return vals


def sweep(
    func: Func,
    table: IOTable,
    grid: Mapping[str, Sequence[Any]],
    *,
    mode: str = "full",
    base: Mapping[str, Any] | None = None,
    fixed: Mapping[str, Any] | None = None,
    client: Any = None,
    progress: bool | None = None,
) -> xr.Dataset:
    """``func(table, **params)`` over a grid of parameter values, stacked on ``scenario``.

    Parameters
    ----------
    func
        A function of ``(table, **params)`` returning labelled xarray.
    table
        The table.
    grid
        ``{parameter: [values, ...]}``.
    mode
        ``"full"``: every combination (the first parameter varies slowest);
        ``"one_at_a_time"``: each parameter over its values, the others at
        ``base``.
    base
        One-at-a-time: the base value of each parameter (default: the middle
        element of its list).
    fixed
        Keyword arguments passed to every call unchanged.
    client, progress
        As :func:`~iomodel.sensitivity.monte_carlo`.

    Returns
    -------
    xarray.Dataset
        ``func``'s variables with a leading ``scenario`` dimension; each
        parameter is a coordinate along it, and one-at-a-time runs add the
        coordinate ``varied`` (the parameter moved at that point, ``"base"``
        for the base point).

    Examples
    --------
    >>> import iomodel as iom
    >>> from iomodel import sensitivity as sa
    >>> t = iom.datasets.miller_blair()
    >>> closure = iom.HouseholdClosure(mpc=0.8)
    >>> ds = sa.sweep(iom.multipliers, t, {"kind": ["type1", "type2"]}, fixed={"closure": closure})
    >>> ds["multiplier"].sel(indicator="output").values.round(3)
    array([[1.518, 1.452],
           [2.266, 2.094]])
    >>> ds["kind"].values.tolist()
    ['type1', 'type2']
    """
    if not isinstance(grid, Mapping) or not grid:
        raise ValidationError("grid must be a non-empty mapping {parameter: [values, ...]}")
    names = [str(k) for k in grid]
    lists = [_values(k, v) for k, v in grid.items()]
    p = plan(func, table, fixed=fixed)
    check_parameters(func, names)
    if mode == "full":
        points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*lists)]
        varied = None
    elif mode == "one_at_a_time":
        base = dict(base or {})
        unknown = [k for k in base if k not in names]
        if unknown:
            raise ValidationError(f"base names parameter(s) {unknown} not in the grid {names}")
        centre = {k: base.get(k, v[len(v) // 2]) for k, v in zip(names, lists, strict=True)}
        points = [dict(centre)]
        varied = ["base"]
        for k, vals in zip(names, lists, strict=True):
            for v in vals:
                points.append({**centre, k: v})
                varied.append(k)
    else:
        raise ValidationError(f"unknown sweep mode {mode!r}; valid options are 'full', 'one_at_a_time'")
    ds = run_points(p, points, client=client, progress=progress, desc="sweep")
    coords: dict[str, Any] = {dims.SCENARIO: np.arange(len(points))}
    for k in names:
        coords[k] = (dims.SCENARIO, np.asarray([pt[k] for pt in points]))
    if varied is not None:
        coords["varied"] = (dims.SCENARIO, np.asarray(varied))
    ds = ds.assign_coords(coords)
    ds.attrs.update({"sensitivity": f"sweep ({mode})", "parameters": ", ".join(names)})
    return ds


def scalar_outputs(ds: xr.Dataset, outputs: Sequence[str] | None, lead: str) -> list[str]:
    """The variables of ``ds`` that are scalar per point (only ``lead`` left), checked by name."""
    if outputs is None:
        found = [str(v) for v in ds.data_vars if ds[v].dims == (lead,) and np.issubdtype(ds[v].dtype, np.number)]
        if not found:
            raise ValidationError(
                "the function returns no scalar variable to rank; pass outputs=[...] naming scalar variables "
                f"(variables: {list(map(str, ds.data_vars))})"
            )
        return found
    out = []
    for name in outputs:
        if name not in ds.data_vars:
            raise ValidationError(f"unknown output {name!r}; valid options are {list(map(str, ds.data_vars))}")
        if ds[name].dims != (lead,):
            raise ValidationError(
                f"output {name!r} has dims {ds[name].dims[1:]} besides {lead!r}; select or sum it to a scalar in the "
                "function first"
            )
        out.append(str(name))
    return out


def tornado(
    func: Func,
    table: IOTable,
    ranges: Mapping[str, tuple[Any, Any]],
    *,
    base: Mapping[str, Any],
    outputs: Sequence[str] | None = None,
    fixed: Mapping[str, Any] | None = None,
    client: Any = None,
    progress: bool | None = None,
) -> xr.Dataset:
    """Rank parameters by how far each moves each scalar output (one at a time, low to high).

    Parameters
    ----------
    func, table, fixed, client, progress
        As :func:`sweep`.
    ranges
        ``{parameter: (low, high)}``.
    base
        The base value of every parameter in ``ranges``.
    outputs
        Scalar variables of ``func``'s result to rank (default: all scalar ones).

    Returns
    -------
    xarray.Dataset
        Over ``(indicator, parameter)`` (``indicator`` the output):
        ``low``, ``high`` (the output with the parameter at its low and high
        value), ``swing`` = ``|high - low|`` and ``rank`` (1: the largest
        swing of that output); ``base`` over ``indicator``; ``parameter``
        sorted by the swing of the first output, and each parameter's
        ``low_value``, ``high_value`` and ``base_value`` as coordinates.

    Examples
    --------
    >>> import xarray as xr
    >>> import iomodel as iom
    >>> from iomodel import sensitivity as sa
    >>> def npv(table, rate=0.05, growth=0.0):
    ...     flows = [100 * (1 + growth) ** k for k in range(10)]
    ...     v = sum(f / (1 + rate) ** k for k, f in enumerate(flows))
    ...     return xr.Dataset({"npv": ((), v, {"units": "KZT"})})
    >>> tn = sa.tornado(npv, iom.datasets.miller_blair(), {"rate": (0.03, 0.08), "growth": (-0.01, 0.01)},
    ...                 base={"rate": 0.05, "growth": 0.0})
    >>> tn["parameter"].values.tolist()
    ['rate', 'growth']
    >>> tn["rank"].sel(indicator="npv").values.tolist()
    [1, 2]
    """
    if not isinstance(ranges, Mapping) or not ranges:
        raise ValidationError("ranges must be a non-empty mapping {parameter: (low, high)}")
    names = [str(k) for k in ranges]
    missing = [k for k in names if k not in base]
    if missing:
        raise ValidationError(f"tornado: base value(s) missing for {missing}")
    for k, r in ranges.items():
        if isinstance(r, str) or not isinstance(r, Sequence) or len(r) != 2:
            raise ValidationError(f"tornado: range of {k!r} must be (low, high), got {r!r}")
    p = plan(func, table, fixed=fixed)
    check_parameters(func, names)
    centre = {k: base[k] for k in names}
    points = [dict(centre)]
    for k in names:
        lo, hi = ranges[k]
        points += [{**centre, k: lo}, {**centre, k: hi}]
    ds = run_points(p, points, client=client, progress=progress, desc="tornado")
    outs = scalar_outputs(ds, outputs, dims.SCENARIO)
    low = np.array([[float(ds[o].values[1 + 2 * i]) for i in range(len(names))] for o in outs])
    high = np.array([[float(ds[o].values[2 + 2 * i]) for i in range(len(names))] for o in outs])
    basev = np.array([float(ds[o].values[0]) for o in outs])
    swing = np.abs(high - low)
    order = np.argsort(-swing[0], kind="stable")
    rank = np.argsort(np.argsort(-swing, axis=1, kind="stable"), axis=1) + 1
    units = [str(ds[o].attrs.get("units", "")) for o in outs]
    res = xr.Dataset(
        {
            "low": ((dims.INDICATOR, dims.PARAMETER), low),
            "high": ((dims.INDICATOR, dims.PARAMETER), high),
            "swing": ((dims.INDICATOR, dims.PARAMETER), swing),
            "rank": ((dims.INDICATOR, dims.PARAMETER), rank),
            "base": ((dims.INDICATOR,), basev),
        },
        coords={
            dims.INDICATOR: outs,
            dims.PARAMETER: names,
            "units": (dims.INDICATOR, units),
            "low_value": (dims.PARAMETER, [ranges[k][0] for k in names]),
            "high_value": (dims.PARAMETER, [ranges[k][1] for k in names]),
            "base_value": (dims.PARAMETER, [base[k] for k in names]),
        },
        attrs={**ds.attrs, "sensitivity": "tornado (one at a time)", "sorted_by": outs[0]},
    )
    return res.isel({dims.PARAMETER: order})
