r"""Multipliers, linkages, key sectors and hypothetical extraction.

Definitions follow Miller & Blair (2009), chapter 6 (multipliers) and
chapter 12 (linkages, extraction); the formula sheet is METHODS.md sections
1.2-1.5. All multipliers come from one factorisation of ``I - A`` per table:
Type I rows are :math:`M = S L` (transposed solves), Type II rows use the
partitioned inverse of the household-closed model (see
:class:`iomodel.linalg.ClosedLeontief`), so no second factorisation is made.

Indicators
----------
``output``
    Simple output multiplier :math:`\mathbf i' L` (Type I). For Type II the
    *truncated* multiplier :math:`\mathbf i'\bar L_{11}` by default (output of
    producing sectors only), or the *total* one :math:`\mathbf i'\bar L_{11} +
    \bar L_{21}` with ``include_households=True`` (M&B's 2.462, 2.262).
``income``
    Household (labour) income: :math:`h_R L` (Type I), :math:`\bar L_{21}` (Type II).
``gva``
    Gross value added: :math:`v' L` with :math:`v_j = GVA_j/x_j`.
one row per satellite
    :math:`e' L` for each satellite coefficient row (e.g. ``employment``).
one row per tax, and ``budget``
    :math:`t^{k\prime} L` for each tax row and their sum (METHODS.md 3.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from . import dims
from .errors import LabelError, ValidationError
from .table import HouseholdClosure, IOTable

__all__ = [
    "multipliers",
    "direct_effect_multipliers",
    "linkages",
    "key_sectors",
    "hypothetical_extraction",
    "group_multipliers",
]

Kind = Literal["type1", "type2"]


def _coefficient_rows(table: IOTable, closure: HouseholdClosure) -> tuple[list[str], list[str], np.ndarray]:
    """Names, units and ``(k, n)`` coefficient rows of every indicator."""
    arr = table.arrays
    inv_x = arr.inv_output
    unit = table.meta.unit
    cur = table.meta.currency or unit
    money = f"{cur} per {cur} of final demand"
    names: list[str] = ["output"]
    units: list[str] = [money]
    rows: list[np.ndarray] = [np.ones(table.n)]
    if closure.income in table.value_added.index:
        names.append("income")
        units.append(money)
        rows.append(table.value_added.loc[closure.income].to_numpy() * inv_x)
    if len(table.value_added.index):
        names.append("gva")
        units.append(money)
        rows.append(table.value_added.to_numpy().sum(axis=0) * inv_x)
    sat = table.satellites
    for ind in sat.index:
        if ind in names:
            raise LabelError(f"satellite {ind!r} clashes with a built-in indicator name")
        names.append(str(ind))
        su = table.meta.satellite_units.get(ind, "units")
        units.append(f"{su} per {unit} of final demand")
        rows.append(sat.loc[ind].to_numpy() * inv_x)
    tx = table.taxes
    if len(tx.index):
        for tax in tx.index:
            label = f"tax:{tax}"
            names.append(label)
            units.append(money)
            rows.append(tx.loc[tax].to_numpy() * inv_x)
        names.append("budget")
        units.append(money)
        rows.append(tx.to_numpy().sum(axis=0) * inv_x)
    return names, units, np.vstack(rows)


def _result(
    table: IOTable, values: np.ndarray, names: Sequence[str], units: Sequence[str], attrs: dict
) -> xr.DataArray:
    da = xr.DataArray(
        values,
        dims=(dims.INDICATOR, dims.SECTOR),
        coords={
            dims.INDICATOR: list(names),
            dims.SECTOR: table.sectors.to_numpy(),
            "units": (dims.INDICATOR, list(units)),
        },
        name="multiplier",
        attrs={**table.meta.attrs(), **attrs},
    )
    return da


def _check_kind(kind: str) -> None:
    if kind not in ("type1", "type2"):
        raise ValidationError(f"unknown multiplier kind {kind!r}; valid options are 'type1', 'type2'")


def _select(da: xr.DataArray, indicators: Iterable[str] | None) -> xr.DataArray:
    if indicators is None:
        return da
    wanted = list(indicators)
    unknown = [i for i in wanted if i not in da[dims.INDICATOR].values]
    if unknown:
        raise LabelError(f"unknown indicator(s) {unknown}; valid options are {da[dims.INDICATOR].values.tolist()}")
    return da.sel({dims.INDICATOR: wanted})


def multipliers(
    table: IOTable,
    kind: Kind = "type1",
    *,
    closure: HouseholdClosure | None = None,
    include_households: bool = False,
    indicators: Iterable[str] | None = None,
) -> xr.DataArray:
    r"""Final-demand multipliers: total effect per unit of final demand for each sector.

    Parameters
    ----------
    table
        The input-output table.
    kind
        ``"type1"`` (open model, :math:`S L`) or ``"type2"`` (households
        endogenous, :math:`S \bar L_{11}`; income :math:`\bar L_{21}`).
    closure
        How households are closed for Type II (:class:`HouseholdClosure`).
    include_households
        Type II only: add the households row to the output multiplier
        (M&B's *total* output multiplier) instead of the truncated one.
    indicators
        Subset of indicators to return (default all).

    Returns
    -------
    xarray.DataArray
        Dims ``("indicator", "sector")``, a ``units`` coordinate along
        ``indicator``, table metadata and the parameters in ``attrs``.

    Examples
    --------
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> m = iom.multipliers(t)
    >>> m.sel(indicator="output").values.round(6)
    array([1.518152, 1.452145])
    """
    _check_kind(kind)
    closure = closure or HouseholdClosure()
    names, units, S = _coefficient_rows(table, closure)
    if kind == "type1":
        values = table.factor().solve_transposed(S)
    else:
        cl = table.closed(closure)
        values = cl.multiplier_rows(S)
        if "income" in names:
            values[names.index("income")] = cl.income_row()
        if include_households:
            values[0] = values[0] + cl.income_row()
    attrs = {"kind": kind, "include_households": int(include_households), **closure.attrs()}
    return _select(_result(table, values, names, units, attrs), indicators)


def direct_effect_multipliers(
    table: IOTable,
    kind: Kind = "type1",
    *,
    closure: HouseholdClosure | None = None,
    indicators: Iterable[str] | None = None,
) -> xr.DataArray:
    r"""Direct-effect (ratio) multipliers: total effect per unit of *direct* effect.

    BEA RIMS II "direct-effect multipliers" and M&B's Type I / Type II ratios
    (METHODS.md 1.4): for indicator ``s`` and sector ``j`` the multiplier
    divided by the sector's own coefficient, e.g. Type I income
    :math:`(h_R L)_j / h_{R,j}` and Type II income :math:`\bar l_{n+1,j}/h_{R,j}`.
    The output row equals the output multiplier (direct output is 1).

    Where a sector's own coefficient is zero the ratio is undefined and is
    returned as NaN; the ``undefined`` attribute counts such cells.

    Examples
    --------
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> d = iom.direct_effect_multipliers(t, indicators=["income"])
    >>> d.values.round(4)
    array([[1.4741, 1.5182]])
    """
    _check_kind(kind)
    closure = closure or HouseholdClosure()
    names, units, S = _coefficient_rows(table, closure)
    total = multipliers(table, kind, closure=closure)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(S != 0.0, total.values / np.where(S != 0.0, S, 1.0), np.nan)
    ratio_units = ["ratio" for _ in names]
    attrs = {"kind": kind, "multiplier": "direct-effect", **closure.attrs(), "undefined": int(np.isnan(ratio).sum())}
    da = _result(table, ratio, names, ratio_units, attrs).rename("direct_effect_multiplier")
    return _select(da, indicators)


def linkages(table: IOTable) -> xr.Dataset:
    r"""Backward and forward linkages, normalised, with dispersion and key-sector class.

    Variables (METHODS.md 1.5):

    ``backward_direct``
        Chenery-Watanabe :math:`\sum_i a_{ij}`.
    ``forward_direct``
        :math:`\sum_j b_{ij}` from the allocation coefficients.
    ``backward``
        Rasmussen's power of dispersion :math:`n (\mathbf i'L)_j / \mathbf i'L\mathbf i`.
    ``forward``
        Ghosh-based sensitivity :math:`n (G\mathbf i)_i / \mathbf i'G\mathbf i`
        (Jones 1976), with :math:`G\mathbf i = \hat x^{-1} L x` from the Leontief factorisation.
    ``forward_leontief``
        Rasmussen's sensitivity of dispersion :math:`n (L\mathbf i)_i / \mathbf i'L\mathbf i`.
    ``dispersion``
        Rasmussen's coefficient of variation of column :math:`j` of :math:`L`
        (low = effects spread evenly).
    ``key_sector``
        ``"key"`` (both normalised linkages above 1), ``"backward"``,
        ``"forward"`` or ``"weak"``.

    Examples
    --------
    >>> import iomodel as iom
    >>> ds = iom.linkages(iom.datasets.miller_blair())
    >>> float(ds.backward.mean())
    1.0
    """
    table.require_domestic("linkages")
    n = table.n
    fac = table.factor()
    arr = table.arrays
    x, A, inv_x = arr.output, arr.A, arr.inv_output
    colL = fac.solve_transposed(np.ones(n))
    rowL = fac.solve(np.ones(n))
    rowG = fac.solve(x) * inv_x
    L = fac.inverse()
    mean_col = L.mean(axis=0)
    disp = L.std(axis=0, ddof=1) / mean_col if n > 1 else np.zeros(n)
    backward = n * colL / colL.sum()
    forward = n * rowG / rowG.sum()
    ds = xr.Dataset(
        {
            "backward_direct": (dims.SECTOR, A.sum(axis=0)),
            "forward_direct": (dims.SECTOR, arr.Z.sum(axis=1) * inv_x),
            "backward": (dims.SECTOR, backward),
            "forward": (dims.SECTOR, forward),
            "forward_leontief": (dims.SECTOR, n * rowL / rowL.sum()),
            "dispersion": (dims.SECTOR, disp),
            "key_sector": (dims.SECTOR, _classify(backward, forward)),
        },
        coords={dims.SECTOR: table.sectors.to_numpy()},
        attrs={
            **table.meta.attrs(),
            "normalisation": "average over sectors = 1",
            "forward_basis": "Ghosh inverse (Jones 1976)",
        },
    )
    return ds


def _classify(backward: np.ndarray, forward: np.ndarray) -> np.ndarray:
    out = np.full(backward.shape, "weak", dtype=object)
    out[(backward > 1) & (forward <= 1)] = "backward"
    out[(backward <= 1) & (forward > 1)] = "forward"
    out[(backward > 1) & (forward > 1)] = "key"
    return out.astype(str)


def key_sectors(table: IOTable) -> pd.DataFrame:
    """Sectors with both normalised backward and forward linkages above one.

    Returns
    -------
    pandas.DataFrame
        Every sector with its ``backward`` and ``forward`` indices and its
        class, sorted with key sectors first, then by backward linkage.

    Examples
    --------
    >>> import iomodel as iom
    >>> key_sectors(iom.datasets.miller_blair())["class"].tolist()
    ['key', 'weak']
    """
    ds = linkages(table)
    df = pd.DataFrame(
        {"backward": ds.backward.values, "forward": ds.forward.values, "class": ds.key_sector.values},
        index=table.sectors,
    )
    order = {"key": 0, "backward": 1, "forward": 2, "weak": 3}
    return (
        df.assign(_o=df["class"].map(order)).sort_values(["_o", "backward"], ascending=[True, False]).drop(columns="_o")
    )


def hypothetical_extraction(
    table: IOTable,
    sectors: Iterable | None = None,
    *,
    kind: Literal["total", "backward", "forward"] = "total",
) -> pd.DataFrame:
    r"""Output lost if a sector were hypothetically extracted, one sector at a time.

    Dietzenbacher, van der Linden & Steenge (1993); Miller & Lahr (2001);
    Miller & Blair (2009) ch. 12. With the table's final demand fixed:

    * ``"total"``: row and column of :math:`j` removed (and its final demand);
      loss :math:`\mathbf i'x - \mathbf i'\bar x = x_j(\mathbf i'L)_j / l_{jj}`;
    * ``"backward"``: column :math:`j` of :math:`A` set to zero (the sector
      buys nothing domestically); loss :math:`x_j((\mathbf i'L)_j - 1)/l_{jj}`;
    * ``"forward"``: row :math:`j` of :math:`B` set to zero in the Ghosh model;
      loss :math:`((Lx)_j - x_j)/l_{jj}`.

    The closed forms follow from the partitioned inverse / Sherman-Morrison
    (METHODS.md 6.3); the tests check them against re-solving the reduced system.

    Returns
    -------
    pandas.DataFrame
        ``loss`` (in the table's unit) and ``share`` of total output, per sector.

    Examples
    --------
    >>> import iomodel as iom
    >>> hypothetical_extraction(iom.datasets.miller_blair())["loss"].round(2).tolist()
    [1210.53, 2588.24]
    """
    if kind not in ("total", "backward", "forward"):
        raise ValidationError(f"unknown extraction kind {kind!r}; valid options are 'total', 'backward', 'forward'")
    table.require_domestic("hypothetical extraction")
    fac = table.factor()
    L = fac.inverse()
    x = table.output.to_numpy()
    diag = np.diag(L)
    if kind == "total":
        loss = x * L.sum(axis=0) / diag
    elif kind == "backward":
        loss = x * (L.sum(axis=0) - 1.0) / diag
    else:
        loss = (L @ x - x) / diag
    df = pd.DataFrame({"loss": loss, "share": loss / x.sum()}, index=table.sectors)
    df.attrs.update(kind=kind, unit=table.meta.unit)
    if sectors is not None:
        wanted = list(sectors)
        unknown = [s for s in wanted if s not in table.sectors]
        if unknown:
            raise LabelError(f"unknown sector label(s) {unknown}")
        df = df.loc[wanted]
    return df


def group_multipliers(m: xr.DataArray, weights: pd.DataFrame, *, dim: str = dims.CLUSTER) -> xr.DataArray:
    r"""Multipliers of groups of sectors (clusters) as demand-weighted averages.

    A group's multiplier is the effect of one unit of final demand spread over
    its member sectors with the given weights, :math:`m_g = \sum_j w_{gj} m_j`
    (linear, since the model is linear in final demand).

    Parameters
    ----------
    m
        Multipliers with a ``sector`` dimension (e.g. from :func:`multipliers`).
    weights
        Groups x sectors, each row summing to 1 (e.g.
        :func:`iomodel.datasets.cluster_weights`).
    dim
        Name of the new dimension (default ``"cluster"``).

    Examples
    --------
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> w = pd.DataFrame([[0.5, 0.5]], index=["all"], columns=t.sectors)
    >>> float(group_multipliers(iom.multipliers(t), w).sel(indicator="output", cluster="all").round(6))
    1.485149
    """
    unknown = pd.Index(weights.columns).difference(pd.Index(m[dims.SECTOR].values))
    if len(unknown):
        raise LabelError(f"weights name unknown sector(s) {unknown.tolist()[:10]}")
    rowsum = weights.sum(axis=1)
    bad = rowsum[(rowsum - 1.0).abs() > 1e-9]
    if len(bad):
        raise ValidationError(f"weights of group {bad.index[0]!r} sum to {bad.iloc[0]:.6g}, not 1")
    W = xr.DataArray(
        weights.reindex(columns=m[dims.SECTOR].values, fill_value=0.0).to_numpy(),
        dims=(dim, dims.SECTOR),
        coords={dim: weights.index.to_numpy()},
    )
    out = xr.dot(m, W, dim=dims.SECTOR)
    out.attrs = {**m.attrs, "grouping": f"demand-weighted average over sectors by {dim}"}
    out.name = m.name
    return out.transpose(*[d for d in m.dims if d != dims.SECTOR], dim)
