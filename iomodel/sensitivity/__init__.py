r"""Sensitivity runs: grids, Monte Carlo, global indices and analytic uncertainty (METHODS.md section 6).

One entry point for any computation: a function of ``(table, **params)``
returning an :class:`xarray.DataArray` or :class:`xarray.Dataset`, such as
:func:`iomodel.multipliers`, a :func:`functools.partial` of it, or
:class:`ScenarioOutcome` (a scenario's impacts and fiscal accounts).

* :func:`sweep` and :func:`tornado`: grids and one-at-a-time rankings;
* :func:`monte_carlo`: draws of coefficient perturbations
  (:class:`LognormalCoefficients`, :class:`DirichletCoefficients`,
  :class:`SatelliteCoefficients`, :class:`TaxCoefficients`) and parameter
  distributions (:class:`Normal`, :class:`Uniform`, :class:`Triangular`,
  :class:`Beta`), serial, batched or on a Dask client, reproducible by seed;
  read with :func:`quantiles`, :func:`interval`, :func:`exceedance`,
  :func:`summary`;
* :func:`sobol` and :func:`morris`: global indices with SALib;
* :func:`coefficient_elasticities`, :func:`multiplier_variance`,
  :func:`impact_variance`: analytic derivatives and the delta method.

docs/sensitivity.md walks through them.
"""

from .analytic import coefficient_elasticities, impact_variance, multiplier_variance
from .distributions import (
    Beta,
    DirichletCoefficients,
    Distribution,
    LognormalCoefficients,
    Normal,
    SatelliteCoefficients,
    TaxCoefficients,
    Triangular,
    Uniform,
)
from .engine import monte_carlo
from .grid import sweep, tornado
from .gsa import morris, sobol
from .outcome import ScenarioOutcome
from .results import exceedance, interval, quantiles, summary

__all__ = [
    "Beta",
    "DirichletCoefficients",
    "Distribution",
    "LognormalCoefficients",
    "Normal",
    "SatelliteCoefficients",
    "ScenarioOutcome",
    "TaxCoefficients",
    "Triangular",
    "Uniform",
    "coefficient_elasticities",
    "exceedance",
    "impact_variance",
    "interval",
    "monte_carlo",
    "morris",
    "multiplier_variance",
    "quantiles",
    "sobol",
    "summary",
    "sweep",
    "tornado",
]
