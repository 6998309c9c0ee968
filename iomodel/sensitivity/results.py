r"""Reading a Monte Carlo result: quantiles, intervals, exceedance probabilities, a summary table.

Every function takes the :class:`xarray.Dataset` (or one of its variables) of
:func:`~iomodel.sensitivity.monte_carlo` and reduces its ``draw`` dimension.
A NaN draw (e.g. a payback year that never comes) is never dropped
silently: quantiles of a variable with NaN draws raise, and
:func:`exceedance` counts a NaN as *not* meeting the condition (a project
that never pays back has not paid back by 2040) and says so in ``attrs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .. import dims
from ..errors import ValidationError

__all__ = ["exceedance", "interval", "quantiles", "summary"]


def _draws(obj: xr.Dataset | xr.DataArray) -> None:
    if dims.DRAW not in obj.dims:
        raise ValidationError(
            f"expected a Monte Carlo result with a {dims.DRAW!r} dimension, got dims {tuple(obj.dims)}"
        )


def _no_nan(obj: xr.Dataset | xr.DataArray) -> None:
    items = obj.data_vars.items() if isinstance(obj, xr.Dataset) else [(obj.name, obj)]
    for name, da in items:
        if np.issubdtype(da.dtype, np.number) and bool(da.isnull().any()):
            k = int(da.isnull().sum())
            raise ValidationError(
                f"variable {name!r} is NaN in {k} draw value(s); quantiles would drop them silently. Use "
                "exceedance() for events that may not happen (e.g. payback), or select the draws explicitly"
            )


def quantiles(obj: xr.Dataset | xr.DataArray, q: Sequence[float] = (0.05, 0.5, 0.95)) -> xr.Dataset | xr.DataArray:
    """Quantiles over draws (a ``quantile`` dimension replaces ``draw``).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> da = xr.DataArray(np.arange(101.0), dims="draw", name="jobs")
    >>> quantiles(da, (0.05, 0.95)).values
    array([ 5., 95.])
    """
    _draws(obj)
    qs = [float(v) for v in q]
    if not qs or any(not 0.0 <= v <= 1.0 for v in qs):
        raise ValidationError(f"quantiles must lie in [0, 1], got {list(q)}")
    numeric = obj
    if isinstance(obj, xr.Dataset):
        numeric = obj[[v for v in obj.data_vars if np.issubdtype(obj[v].dtype, np.number)]]
    _no_nan(numeric)
    out = numeric.quantile(qs, dim=dims.DRAW, keep_attrs=True)
    return out.rename({"quantile": dims.QUANTILE}) if "quantile" != dims.QUANTILE else out


def interval(obj: xr.Dataset | xr.DataArray, level: float = 0.9) -> xr.Dataset | xr.DataArray:
    """The central ``level`` interval over draws: quantiles ``(1 - level) / 2`` and ``(1 + level) / 2``.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> da = xr.DataArray(np.arange(101.0), dims="draw")
    >>> interval(da, 0.9).values
    array([ 5., 95.])
    """
    if not 0.0 < float(level) < 1.0:
        raise ValidationError(f"level must lie in (0, 1), got {level!r}")
    lo, hi = (1.0 - level) / 2.0, (1.0 + level) / 2.0
    out = quantiles(obj, (lo, hi))
    out.attrs["interval"] = f"central {level:.0%} interval over draws"
    return out


def exceedance(da: xr.DataArray, threshold: float, *, below: bool = False, inclusive: bool = True) -> xr.DataArray:
    r"""Probability over draws that ``da`` is above (default) or below ``threshold``.

    ``below=True, inclusive=True`` gives :math:`P(X \le t)`, e.g. the
    probability of payback by 2040; ``below=False`` gives :math:`P(X \ge t)`
    (``inclusive=False``: strict). NaN draws count as not meeting the
    condition.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> payback = xr.DataArray([2031.0, 2036.0, 2044.0, np.nan], dims="draw", name="payback_year")
    >>> float(exceedance(payback, 2040, below=True))
    0.5
    """
    if not isinstance(da, xr.DataArray):
        raise ValidationError(f"exceedance needs a DataArray (one variable), got {type(da).__name__}")
    _draws(da)
    t = float(threshold)
    vals = da
    if below:
        hit = (vals <= t) if inclusive else (vals < t)
        what = f"P({da.name} {'<=' if inclusive else '<'} {threshold})"
    else:
        hit = (vals >= t) if inclusive else (vals > t)
        what = f"P({da.name} {'>=' if inclusive else '>'} {threshold})"
    n_nan = int(da.isnull().sum())
    out = hit.where(da.notnull(), False).mean(dims.DRAW)
    return out.rename("probability").assign_attrs(
        long_name=what, units="1", nan_draws=n_nan, nan_meaning="a NaN draw does not meet the condition"
    )


def summary(ds: xr.Dataset, *, level: float = 0.9, variables: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean, standard deviation and the central interval of every scalar variable, with units.

    Variables with NaN draws report the share of such draws instead of
    failing (``nan_share`` column); their statistics are over the other draws.
    The interval columns are named by their quantile in percent (``p5`` and
    ``p95`` for ``level=0.9``, ``p2.5`` and ``p97.5`` for ``level=0.95``).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset({"jobs": ("draw", np.arange(101.0), {"units": "jobs"})})
    >>> summary(ds).loc["jobs", ["mean", "p5", "p95"]].astype(float).round(6).tolist()
    [50.0, 5.0, 95.0]
    """
    _draws(ds)
    names = list(variables) if variables is not None else [str(v) for v in ds.data_vars if ds[v].dims == (dims.DRAW,)]
    lo, hi = (1.0 - level) / 2.0, (1.0 + level) / 2.0
    rows: list[dict[str, Any]] = []
    for v in names:
        if v not in ds.data_vars:
            raise ValidationError(f"unknown variable {v!r}; valid options are {list(map(str, ds.data_vars))}")
        x = np.asarray(ds[v].values, dtype=float)
        if x.ndim != 1:
            raise ValidationError(f"variable {v!r} is not scalar per draw (dims {ds[v].dims})")
        ok = x[np.isfinite(x)]
        rows.append(
            {
                "variable": v,
                "mean": float(ok.mean()) if ok.size else np.nan,
                "sd": float(ok.std(ddof=1)) if ok.size > 1 else np.nan,
                f"p{lo * 100:g}": float(np.quantile(ok, lo)) if ok.size else np.nan,
                "p50": float(np.quantile(ok, 0.5)) if ok.size else np.nan,
                f"p{hi * 100:g}": float(np.quantile(ok, hi)) if ok.size else np.nan,
                "nan_share": float(1.0 - ok.size / x.size),
                "units": str(ds[v].attrs.get("units", "")),
            }
        )
    return pd.DataFrame(rows).set_index("variable")
