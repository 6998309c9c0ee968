r"""Global sensitivity indices over scenario parameters: Sobol' and Morris, with SALib.

The designs and estimators are SALib's (Herman & Usher 2017, *JOSS* 2(9),
97; Iwanaga, Usher & Herman 2022, *Socio-Environmental Systems Modelling*
4, 18155), not written here:

* **Sobol'** first-order :math:`S_i` and total-order :math:`S_{T_i}` indices
  (Sobol' 2001; Saltelli 2002; Saltelli et al. 2010, *Computer Physics
  Communications* 181, 259-270) from Saltelli's extension of a Sobol'
  sequence, ``N (k + 2)`` evaluations for ``k`` parameters;
* **Morris** elementary effects (Morris 1991, *Technometrics* 33(2),
  161-174), with :math:`\mu^*` (Campolongo, Cariboni & Saltelli 2007), from
  ``r (k + 1)`` evaluations for ``r`` trajectories.

Both designs are drawn on the unit cube and mapped through each parameter's
quantile function (:meth:`~iomodel.sensitivity.Distribution.ppf`), so a
parameter keeps the distribution it has in a Monte Carlo run. The cube is
shrunk to :math:`[\epsilon, 1 - \epsilon]` with :data:`EPS` so that the
quantiles of unbounded distributions (normal) stay finite at the design's
corners. Morris effects are therefore per unit step on the design cube
(a step of :math:`1 - 2\epsilon` in the parameter's quantile), comparable
across parameters of different units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import dims
from ..errors import ValidationError
from ..table import IOTable
from .distributions import as_distribution
from .engine import Func, check_parameters, plan, run_points
from .grid import scalar_outputs

__all__ = ["EPS", "morris", "sobol"]

#: Margin of the unit cube the designs are drawn on (see the module docstring).
EPS = 1e-6


def _problem(parameters: Mapping[str, Any]) -> tuple[list[str], list[Any], dict[str, Any]]:
    if not isinstance(parameters, Mapping) or not parameters:
        raise ValidationError("parameters must be a non-empty mapping {name: distribution}")
    names = [str(k) for k in parameters]
    dists = [as_distribution(k, v) for k, v in parameters.items()]
    problem = {"num_vars": len(names), "names": names, "bounds": [[EPS, 1.0 - EPS]] * len(names)}
    return names, dists, problem


def _evaluate(
    func: Func,
    table: IOTable,
    names: list[str],
    dists: list[Any],
    unit: np.ndarray,
    fixed: Mapping[str, Any] | None,
    client: Any,
    progress: bool | None,
    desc: str,
) -> tuple[xr.Dataset, np.ndarray]:
    p = plan(func, table, fixed=fixed)
    check_parameters(func, names)
    X = np.column_stack([d.ppf(unit[:, i]) for i, d in enumerate(dists)])
    if not np.isfinite(X).all():
        raise ValidationError("a design point maps to a non-finite parameter value; check the distributions")
    points = [dict(zip(names, (float(v) for v in row), strict=True)) for row in X]
    return run_points(p, points, client=client, progress=progress, desc=desc), X


def _salib() -> Any:
    try:
        import SALib
    except ImportError:  # pragma: no cover - a dependency of iomodel
        raise ValidationError("global sensitivity needs SALib; install it with `pip install SALib`") from None
    import SALib.analyze.morris
    import SALib.analyze.sobol
    import SALib.sample.morris
    import SALib.sample.sobol

    return SALib


def sobol(
    func: Func,
    table: IOTable,
    parameters: Mapping[str, Any],
    *,
    n: int = 256,
    outputs: Sequence[str] | None = None,
    seed: int = 0,
    fixed: Mapping[str, Any] | None = None,
    client: Any = None,
    progress: bool | None = None,
) -> xr.Dataset:
    r"""Sobol' first- and total-order indices of scalar outputs over uncertain parameters.

    Parameters
    ----------
    func, table, fixed, client, progress
        As :func:`~iomodel.sensitivity.monte_carlo`.
    parameters
        ``{name: distribution}`` for keyword arguments of ``func``.
    n
        Base sample size, a power of two (``n (k + 2)`` evaluations).
    outputs
        Scalar variables of ``func``'s result (default: all scalar ones).
    seed
        Seed of the scrambled Sobol' sequence.

    Returns
    -------
    xarray.Dataset
        Over ``(indicator, parameter)``: ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf`` (95% bootstrap half-widths); the design size and seed in
        ``attrs``.

    Examples
    --------
    The Ishigami-like sum :math:`y = a + 2b` of two uniform parameters has
    :math:`S_a = 1/5`, :math:`S_b = 4/5` and no interaction:

    >>> import xarray as xr
    >>> import iomodel as iom
    >>> from iomodel import sensitivity as sa
    >>> def f(table, a=0.0, b=0.0):
    ...     return xr.Dataset({"y": ((), a + 2 * b)})
    >>> s = sa.sobol(f, iom.datasets.miller_blair(), {"a": sa.Uniform(0, 1), "b": sa.Uniform(0, 1)}, n=1024)
    >>> s["S1"].sel(indicator="y").values.round(1)
    array([0.2, 0.8])
    """
    SALib = _salib()
    names, dists, problem = _problem(parameters)
    if isinstance(n, bool) or not isinstance(n, int) or n < 2 or (n & (n - 1)):
        raise ValidationError(f"n must be a power of two >= 2, got {n!r}")
    unit = SALib.sample.sobol.sample(problem, n, calc_second_order=False, seed=seed)
    ds, _ = _evaluate(func, table, names, dists, unit, fixed, client, progress, "Sobol'")
    outs = scalar_outputs(ds, outputs, dims.SCENARIO)
    data = {k: np.empty((len(outs), len(names))) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    for i, o in enumerate(outs):
        y = np.asarray(ds[o].values, dtype=float)
        if not np.isfinite(y).all():
            raise ValidationError(f"output {o!r} is not finite at some design points; Sobol' indices need every value")
        # a Generator, not the int: SALib's Sobol' analysis ignores seed 0 ("if seed:") and would bootstrap
        # its confidence intervals from numpy's global state
        boot = np.random.default_rng(seed)
        res = SALib.analyze.sobol.analyze(problem, y, calc_second_order=False, seed=boot, print_to_console=False)
        for k in data:
            data[k][i] = res[k]
    return xr.Dataset(
        {k: ((dims.INDICATOR, dims.PARAMETER), v, {"units": "1"}) for k, v in data.items()},
        coords={dims.INDICATOR: outs, dims.PARAMETER: names},
        attrs={
            "sensitivity": "Sobol' indices (SALib: Saltelli sampling, Sobol' analysis)",
            "evaluations": int(unit.shape[0]),
            "n": n,
            "seed": seed,
            "distributions": "; ".join(f"{k} ~ {d.describe()}" for k, d in zip(names, dists, strict=True)),
        },
    )


def morris(
    func: Func,
    table: IOTable,
    parameters: Mapping[str, Any],
    *,
    trajectories: int = 20,
    levels: int = 4,
    outputs: Sequence[str] | None = None,
    seed: int = 0,
    fixed: Mapping[str, Any] | None = None,
    client: Any = None,
    progress: bool | None = None,
) -> xr.Dataset:
    r"""Morris elementary-effects screening of scalar outputs over uncertain parameters.

    Parameters
    ----------
    func, table, parameters, outputs, seed, fixed, client, progress
        As :func:`sobol`.
    trajectories
        Number of trajectories ``r`` (``r (k + 1)`` evaluations).
    levels
        Grid levels of the design (even, at least 2).

    Returns
    -------
    xarray.Dataset
        Over ``(indicator, parameter)``: ``mu``, ``mu_star``, ``sigma``,
        ``mu_star_conf``, in output units per unit of the parameter's quantile.

    Examples
    --------
    >>> import xarray as xr
    >>> import iomodel as iom
    >>> from iomodel import sensitivity as sa
    >>> def f(table, a=0.0, b=0.0):
    ...     return xr.Dataset({"y": ((), a + 2 * b)})
    >>> m = sa.morris(f, iom.datasets.miller_blair(), {"a": sa.Uniform(0, 1), "b": sa.Uniform(0, 1)})
    >>> m["mu_star"].sel(indicator="y").values.round(3)
    array([1., 2.])
    """
    SALib = _salib()
    names, dists, problem = _problem(parameters)
    for what, v, low in (("trajectories", trajectories, 2), ("levels", levels, 2)):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValidationError(f"{what} must be an integer >= {low}, got {v!r}")
    if levels % 2:
        raise ValidationError(f"levels must be even, got {levels}")
    unit = SALib.sample.morris.sample(problem, trajectories, num_levels=levels, seed=seed)
    ds, _ = _evaluate(func, table, names, dists, unit, fixed, client, progress, "Morris")
    outs = scalar_outputs(ds, outputs, dims.SCENARIO)
    data = {k: np.empty((len(outs), len(names))) for k in ("mu", "mu_star", "sigma", "mu_star_conf")}
    units = []
    for i, o in enumerate(outs):
        y = np.asarray(ds[o].values, dtype=float)
        if not np.isfinite(y).all():
            raise ValidationError(f"output {o!r} is not finite at some design points; Morris effects need every value")
        res = SALib.analyze.morris.analyze(problem, unit, y, num_levels=levels, seed=seed, print_to_console=False)
        for k in data:
            data[k][i] = np.asarray(res[k], dtype=float)
        units.append(f"{ds[o].attrs.get('units', '')} per unit of quantile".strip())
    return xr.Dataset(
        {k: ((dims.INDICATOR, dims.PARAMETER), v) for k, v in data.items()},
        coords={dims.INDICATOR: outs, dims.PARAMETER: names, "units": (dims.INDICATOR, units)},
        attrs={
            "sensitivity": "Morris elementary effects (SALib)",
            "evaluations": int(unit.shape[0]),
            "trajectories": trajectories,
            "levels": levels,
            "seed": seed,
            "distributions": "; ".join(f"{k} ~ {d.describe()}" for k, d in zip(names, dists, strict=True)),
        },
    )
