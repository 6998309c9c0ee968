r"""Analytic sensitivity of multipliers and impacts to the technical coefficients.

First-order (derivative) results, exact for small changes and free of sampling
noise, from one inverse per table (METHODS.md sections 6.2 and 6.4; Miller &
Blair 2009, ch. 6 for the multipliers):

* :func:`coefficient_elasticities`: :math:`\partial\ln m_j/\partial\ln a_{rs}`
  for every multiplier and coefficient;
* :func:`multiplier_variance`: delta-method variance of the multipliers for
  independent errors in the coefficients;
* :func:`impact_variance`: the same for the total impact of a final-demand
  vector, for every indicator.

The derivative
--------------
Every multiplier row of :func:`iomodel.multipliers` has the form
:math:`m' = \bar s'\bar L_{\cdot,1..n}` with a weight vector :math:`\bar s`
that does not depend on :math:`A`: :math:`\bar s = s` and :math:`\bar L = L`
for Type I; for Type II :math:`\bar s = (s; c)` over the sectors and the
households row (:math:`c = 1` for ``income``, :math:`c = c(1-\delta)\tau_k/(1+\tau)`
for a consumption tax row, their sum in ``budget``, 0 for the rest) and
:math:`\bar L` is the inverse of the household-closed model. Since
:math:`d\bar L = \bar L\, d\bar A\, \bar L` and a coefficient :math:`a_{rs}`
sits in the :math:`A` block of :math:`\bar A`,

.. math::

    \frac{\partial m_j}{\partial a_{rs}} = (\bar s'\bar L)_r\, \bar L_{sj} = m_r\, \bar L_{sj},
    \qquad r, s, j \le n,

so the multiplier row itself carries the whole weight vector: no indicator
row needs to be rebuilt here, and every indicator of :func:`iomodel.multipliers`
(including the consumption-tax rows of Type II) is covered the same way.
For Type I this is METHODS.md 6.2, :math:`\partial (s'L)_l/\partial a_{ij} = (s'L)_i\, l_{jl}`.
The labour-income row :math:`h_R`, the consumption column :math:`h_C` and
gross output are held fixed: only :math:`A` is perturbed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .. import dims
from ..analysis import Kind, multipliers
from ..economy import HouseholdClosure
from ..errors import LabelError, ValidationError
from ..table import IOTable

__all__ = ["MULTIPLIER_OF", "coefficient_elasticities", "impact_variance", "multiplier_variance"]

#: Dimension of the elasticities: the sector whose multiplier responds.
MULTIPLIER_OF = dims.MULTIPLIER_OF

METHOD_ELASTICITY = "d ln m_j / d ln a_rs = a_rs m_r Lbar_sj / m_j (METHODS.md 6.2, 6.4)"
METHOD_DELTA = "delta method, independent errors in A with sd_rs = cv_rs a_rs (METHODS.md 6.2)"


# --------------------------------------------------------------------------- helpers
def _closure(table: IOTable, closure: HouseholdClosure | None) -> HouseholdClosure:
    """The closure :func:`iomodel.multipliers` uses: the one given, the table's economy's, or the textbook one."""
    if closure is not None:
        return closure
    return table.economy.closure if table.economy is not None else HouseholdClosure()


def _inverse(table: IOTable, kind: Kind, closure: HouseholdClosure) -> np.ndarray:
    r"""The sector block of the inverse the multipliers come from: :math:`L` or :math:`\bar L_{11}`."""
    if kind == "type1":
        return table.factor().inverse()
    cl = table.closed(closure)
    return cl.factor.inverse() + np.outer(cl.u, cl.w) / cl.s


def _multiplier_row(
    table: IOTable, indicator: str, kind: Kind, closure: HouseholdClosure
) -> tuple[np.ndarray, str, list[str]]:
    """One indicator's multipliers, its unit, and the valid indicator names."""
    if not isinstance(indicator, str):
        raise LabelError(f"indicator must be one indicator name (a str), got {indicator!r}")
    m = multipliers(table, kind, closure=closure)
    names = [str(v) for v in m[dims.INDICATOR].values]
    if indicator not in names:
        raise LabelError(f"unknown indicator {indicator!r} for table {table.meta.name!r}; valid options are {names}")
    row = m.sel({dims.INDICATOR: indicator})
    return np.asarray(row.values, dtype=float), str(row["units"].values), names


def _coefficient_variances(table: IOTable, cv: Any) -> tuple[np.ndarray, float | str]:
    r"""``(n, n)`` variances :math:`(cv_{rs} a_{rs})^2` and a netCDF-safe description of ``cv``."""
    A = table.arrays.A
    n = table.n
    if isinstance(cv, pd.DataFrame):
        rows, cols = pd.Index(cv.index), pd.Index(cv.columns)
        for what, idx in (("rows", rows), ("columns", cols)):
            unknown = idx.difference(table.sectors)
            missing = table.sectors.difference(idx)
            if len(unknown) or len(missing) or idx.has_duplicates:
                raise LabelError(
                    f"cv {what} must be the sectors of table {table.meta.name!r}, each once; "
                    f"unknown {unknown.tolist()[:10]}, missing {missing.tolist()[:10]}"
                )
        values = cv.reindex(index=table.sectors, columns=table.sectors)
        try:
            C = values.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"cv holds non-numeric values: {exc}") from None
        described: float | str = "per coefficient (sector x sector_to)"
    elif np.ndim(cv) == 0:
        try:
            c = float(cv)
        except (TypeError, ValueError):
            raise ValidationError(f"cv must be a number or an (n, n) array, got {cv!r}") from None
        if not (np.isfinite(c) and c >= 0.0):
            raise ValidationError(f"cv must be finite and non-negative, got {c}")
        return (c * A) ** 2, c
    else:
        try:
            C = np.asarray(cv, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"cv holds non-numeric values: {exc}") from None
        if C.shape != (n, n):
            raise ValidationError(f"cv must be a number or have shape ({n}, {n}), got {C.shape}")
        described = "per coefficient (sector x sector_to)"
    bad = ~(np.isfinite(C) & (C >= 0.0))
    if bad.any():
        r, s = (int(i) for i in np.argwhere(bad)[0])
        raise ValidationError(
            f"cv must be finite and non-negative; cv for (sector {table.sectors[r]!r}, "
            f"sector_to {table.sectors[s]!r}) is {C[r, s]} ({int(bad.sum())} bad cell(s))",
            positions=[r],
        )
    return (C * A) ** 2, described


def _level_units(table: IOTable, names: Iterable[str]) -> list[str]:
    """Unit of each indicator's level (impact): its satellite unit, else the table's unit."""
    sat = {str(i) for i in table.satellites.index}
    return [table.meta.satellite_units.get(name, "units") if name in sat else table.meta.unit for name in names]


def _attrs(table: IOTable, kind: Kind, closure: HouseholdClosure, **extra: Any) -> dict[str, Any]:
    return {**table.meta.attrs(), "kind": kind, **closure.attrs(), **extra}


# --------------------------------------------------------------------------- elasticities
def coefficient_elasticities(
    table: IOTable,
    indicator: str = "output",
    kind: Kind = "type1",
    *,
    closure: HouseholdClosure | None = None,
    multiplier_of: Iterable[Any] | None = None,
) -> xr.DataArray:
    r"""Elasticities of an indicator's multipliers with respect to every technical coefficient.

    METHODS.md 6.4: for the multiplier :math:`m_j` of sector :math:`j`
    (:func:`iomodel.multipliers`, row ``indicator``) and the coefficient
    :math:`a_{rs}`,

    .. math::

        \varepsilon(m_j, a_{rs}) = \frac{\partial \ln m_j}{\partial \ln a_{rs}}
        = \frac{a_{rs}\, m_r\, \bar L_{sj}}{m_j},

    with :math:`\bar L = L` for Type I and the sector block
    :math:`\bar L_{11}` of the household-closed inverse for Type II (see the
    module docstring for why the multiplier row :math:`m` is the whole
    weight). For the output multiplier this is METHODS.md's
    :math:`a_{ij} m_i l_{jl} / m_l`. A 1% rise in :math:`a_{rs}` changes
    :math:`m_j` by about :math:`\varepsilon` percent.

    Parameters
    ----------
    table
        The input-output table.
    indicator
        A row of :func:`iomodel.multipliers` (``"output"``, ``"income"``,
        ``"gva"``, a satellite, ``"tax:<name>"``, ``"budget"``).
    kind
        ``"type1"`` or ``"type2"`` (households endogenous; only the
        :math:`A` block of the closed model is perturbed).
    closure
        Household closure for Type II, as in :func:`iomodel.multipliers`
        (default: the table's economy's, else the textbook closure).
    multiplier_of
        Sectors whose multipliers to differentiate (default all). The
        result holds :math:`n^2` values per sector, ``8 n**3`` bytes for all
        of them: pass a subset on large tables.

    Returns
    -------
    xarray.DataArray
        Dims ``("multiplier_of", "sector", "sector_to")``: entry
        ``[j, r, s]`` is :math:`\varepsilon(m_j, a_{rs})`, dimensionless
        (``units`` ``"1"``); the indicator, kind, closure and the table's
        metadata in ``attrs``.

    Raises
    ------
    LabelError
        Unknown ``indicator`` (the message lists the valid options), or
        unknown sectors in ``multiplier_of``.
    ValidationError
        Unknown ``kind``, or a multiplier that is zero (its elasticity is
        undefined; the message names the sectors).

    Examples
    --------
    Miller & Blair (2009) two-sector example: a 1% rise of agriculture's
    input from manufacturing (:math:`a_{21} = 0.2`) raises agriculture's
    output multiplier by about 0.24%.

    >>> import iomodel as iom
    >>> from iomodel.sensitivity.analytic import coefficient_elasticities
    >>> t = iom.datasets.miller_blair()
    >>> e = coefficient_elasticities(t)
    >>> e.dims
    ('multiplier_of', 'sector', 'sector_to')
    >>> e.sel(multiplier_of="agriculture").values.round(4)
    array([[0.1881, 0.066 ],
           [0.2399, 0.0126]])
    """
    closure = _closure(table, closure)
    m, _unit, _names = _multiplier_row(table, indicator, kind, closure)
    sectors = table.sectors
    if multiplier_of is None:
        sel = np.arange(table.n)
    else:
        wanted = [multiplier_of] if isinstance(multiplier_of, str) else list(multiplier_of)
        unknown = [s for s in wanted if s not in sectors]
        if unknown:
            raise LabelError(
                f"multiplier_of: unknown sector label(s) {unknown} for table {table.meta.name!r}; "
                f"valid labels are e.g. {sectors.tolist()[:8]}"
            )
        sel = sectors.get_indexer(wanted)
    zero = sel[m[sel] == 0.0]
    if zero.size:
        raise ValidationError(
            f"the {indicator!r} multiplier ({kind}) of sector(s) {sectors[zero].tolist()} is zero: "
            "its elasticity is undefined; leave those sectors out with multiplier_of",
            positions=zero,
        )
    A = table.arrays.A
    Lt = _inverse(table, kind, closure)
    # [j, r, s] = (a_rs m_r) * (Lbar_sj / m_j)
    values = (A * m[:, np.newaxis])[np.newaxis, :, :] * (Lt[:, sel].T / m[sel, np.newaxis])[:, np.newaxis, :]
    labels = sectors.to_numpy()
    return xr.DataArray(
        values,
        dims=(MULTIPLIER_OF, dims.SECTOR, dims.SECTOR_TO),
        coords={MULTIPLIER_OF: labels[sel], dims.SECTOR: labels, dims.SECTOR_TO: labels},
        name="elasticity",
        attrs=_attrs(
            table,
            kind,
            closure,
            units="1",
            indicator=indicator,
            long_name=f"elasticity of the {indicator} multiplier of multiplier_of w.r.t. a(sector, sector_to)",
            method=METHOD_ELASTICITY,
        ),
    )


# --------------------------------------------------------------------------- delta method
def multiplier_variance(
    table: IOTable,
    cv: float | np.ndarray | pd.DataFrame,
    indicator: str = "output",
    kind: Kind = "type1",
    *,
    closure: HouseholdClosure | None = None,
) -> xr.Dataset:
    r"""Delta-method variance of an indicator's multipliers under coefficient errors.

    METHODS.md 6.2: with independent errors in the coefficients of standard
    deviation :math:`\sigma_{rs} = cv_{rs}\, a_{rs}`, to first order

    .. math::

        \operatorname{Var}(m_j) \approx \sum_{r,s} (m_r \bar L_{sj})^2 \sigma_{rs}^2
        = \big[(m^{\circ 2})' \Sigma\, \bar L^{\circ 2}\big]_j ,

    where :math:`\Sigma = [\sigma^2_{rs}]` and :math:`\circ 2` squares
    elementwise (two matrix products, no loop over cells); :math:`\bar L` as
    in :func:`coefficient_elasticities`. The first-order approximation
    ignores the (small, positive) bias of :math:`E[L]` (METHODS.md 6.1); at
    a 5% CV it is within a few percent of Monte Carlo on the Kazakhstan table
    (the tests check it).

    Parameters
    ----------
    table
        The input-output table.
    cv
        Coefficient of variation of the coefficients: one number for all, or
        an ``(n, n)`` array or a DataFrame (sector x sector_to, labelled like
        :attr:`iomodel.IOTable.A`) of one CV per coefficient.
    indicator, kind, closure
        As in :func:`coefficient_elasticities`.

    Returns
    -------
    xarray.Dataset
        Over ``sector``: ``multiplier`` (:func:`iomodel.multipliers`),
        ``variance``, ``std`` and ``cv`` (``std / multiplier``, NaN where the
        multiplier is zero; ``attrs["undefined"]`` counts them), with units;
        the indicator, kind, closure, ``cv`` and the table's metadata in ``attrs``.

    Raises
    ------
    ValidationError
        Negative, non-finite or mis-shaped ``cv`` (the message names the
        cell), or an unknown ``kind``.
    LabelError
        Unknown ``indicator``, or a ``cv`` DataFrame whose labels are not the
        table's sectors.

    Examples
    --------
    >>> import iomodel as iom
    >>> from iomodel.sensitivity.analytic import multiplier_variance
    >>> ds = multiplier_variance(iom.datasets.miller_blair(), cv=0.1)
    >>> ds.multiplier.values.round(4), ds["std"].values.round(4)
    (array([1.5182, 1.4521]), array([0.0474, 0.045 ]))
    >>> ds["std"].attrs["units"]
    'USD per USD of final demand'
    """
    closure = _closure(table, closure)
    m, unit, _names = _multiplier_row(table, indicator, kind, closure)
    V, described = _coefficient_variances(table, cv)
    Lt = _inverse(table, kind, closure)
    variance = ((m**2) @ V) @ (Lt**2)
    std = np.sqrt(variance)
    zero = m == 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(zero, np.nan, std / np.where(zero, 1.0, m))
    S = (dims.SECTOR,)
    return xr.Dataset(
        {
            "multiplier": (S, m, {"units": unit, "long_name": f"{indicator} multiplier ({kind})"}),
            "variance": (S, variance, {"units": f"({unit})^2", "long_name": "delta-method variance"}),
            "std": (S, std, {"units": unit, "long_name": "delta-method standard deviation"}),
            "cv": (S, rel, {"units": "1", "long_name": "coefficient of variation, std / multiplier"}),
        },
        coords={dims.SECTOR: table.sectors.to_numpy()},
        attrs=_attrs(
            table,
            kind,
            closure,
            indicator=indicator,
            cv=described,
            method=METHOD_DELTA,
            undefined=int(zero.sum()),
        ),
    )


def impact_variance(
    table: IOTable,
    final_demand: pd.Series,
    cv: float | np.ndarray | pd.DataFrame,
    indicators: Iterable[str] | None = None,
    kind: Kind = "type1",
    *,
    closure: HouseholdClosure | None = None,
) -> xr.Dataset:
    r"""Delta-method variance of the total impact of a final-demand vector, per indicator.

    For the impact :math:`y = m' f` of final demand :math:`f` on an
    indicator with multiplier row :math:`m' = \bar s'\bar L_{\cdot,1..n}`,
    :math:`\partial y / \partial a_{rs} = m_r (\bar L f)_s` (METHODS.md 6.2
    with :math:`\partial x/\partial a_{ij} = L_{\cdot i} x_j`), so with
    independent errors of standard deviation :math:`\sigma_{rs} = cv_{rs} a_{rs}`

    .. math::

        \operatorname{Var}(y) \approx \sum_{r,s} m_r^2\, \sigma_{rs}^2\, x_s^2
        = (m^{\circ 2})' \Sigma\, x^{\circ 2},\qquad x = \bar L f,

    for all indicators at once (two matrix products). :math:`x` is the output
    the demand induces (Type II: of the closed model, households' induced
    demand included).

    Parameters
    ----------
    table
        The input-output table.
    final_demand
        Final demand by sector in the table's unit (missing sectors are 0).
    cv
        As in :func:`multiplier_variance`.
    indicators
        Indicators of :func:`iomodel.multipliers` to report (default all).
    kind, closure
        As in :func:`coefficient_elasticities`.

    Returns
    -------
    xarray.Dataset
        Over ``indicator``: ``impact``, ``variance`` and ``std``; a ``units``
        coordinate gives each indicator's unit (of ``impact`` and ``std``;
        ``variance`` is in its square); the kind, closure, ``cv``, the
        final demand (JSON) and the table's metadata in ``attrs``.

    Raises
    ------
    LabelError
        Unknown sectors in ``final_demand`` or unknown indicators (the
        message lists the valid options).
    ValidationError
        ``final_demand`` not a Series or not finite; bad ``cv``; unknown ``kind``.

    Examples
    --------
    >>> import pandas as pd
    >>> import iomodel as iom
    >>> from iomodel.sensitivity.analytic import impact_variance
    >>> t = iom.datasets.miller_blair()
    >>> ds = impact_variance(t, pd.Series({"agriculture": 600.0, "manufacturing": 1500.0}), cv=0.1)
    >>> ds.to_dataframe().round(2)
                impact  variance    std    units
    indicator
    output     3089.11   7183.93  84.76  dollars
    income      834.65    584.93  24.19  dollars
    gva        2100.00   3177.13  56.37  dollars
    """
    if not isinstance(final_demand, pd.Series):
        raise ValidationError(f"final_demand must be a pandas Series by sector, got {type(final_demand).__name__}")
    closure = _closure(table, closure)
    f = table.align_demand(final_demand).to_numpy()
    m = multipliers(table, kind, closure=closure, indicators=indicators)
    names = [str(v) for v in m[dims.INDICATOR].values]
    M = np.asarray(m.values, dtype=float)
    V, described = _coefficient_variances(table, cv)
    x = _inverse(table, kind, closure) @ f
    impact = M @ f
    variance = (M**2) @ (V @ (x**2))
    I = (dims.INDICATOR,)
    nonzero = {str(s): float(v) for s, v in zip(table.sectors, f, strict=True) if v != 0.0}
    return xr.Dataset(
        {
            "impact": (I, impact, {"units": "see the units coordinate", "long_name": f"total impact ({kind})"}),
            "variance": (
                I,
                variance,
                {"units": "square of the units coordinate", "long_name": "delta-method variance of the impact"},
            ),
            "std": (
                I,
                np.sqrt(variance),
                {"units": "see the units coordinate", "long_name": "delta-method standard deviation of the impact"},
            ),
        },
        coords={dims.INDICATOR: names, "units": (dims.INDICATOR, _level_units(table, names))},
        attrs=_attrs(
            table,
            kind,
            closure,
            cv=described,
            final_demand=json.dumps(nonzero, ensure_ascii=False),
            final_demand_units=table.meta.unit,
            method=METHOD_DELTA,
        ),
    )
