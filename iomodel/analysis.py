r"""Structural analysis: multipliers, linkages, key sectors, extraction, the mixed model.

Definitions follow Miller & Blair (2009), chapter 6 (multipliers),
chapter 12 (linkages, extraction) and chapter 13 (the mixed model); the
formulas with their sources are on docs/math.md. Every function returns
an :class:`xarray.DataArray` or :class:`xarray.Dataset` with dimensions from
:mod:`iomodel.dims`, units per variable (or a ``units`` coordinate along
``indicator``) and the table's metadata and the parameters in ``attrs``.

All multipliers come from one factorisation of ``I - A`` per table:
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
    :math:`t^{k\prime} L` for each tax row and their sum (docs/fiscal.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from . import dims
from . import linalg as la
from .economy import HouseholdClosure
from .errors import ConvergenceError, LabelError, NotProductiveError, ValidationError
from .table import IOTable

__all__ = [
    "StackedMultipliers",
    "direct_effect_multipliers",
    "group_multipliers",
    "hypothetical_extraction",
    "key_sectors",
    "linkages",
    "mixed_model",
    "modified_inverse",
    "multipliers",
    "multipliers_batch",
    "multipliers_columns",
]

Kind = Literal["type1", "type2"]
Variant = Literal["total", "backward", "forward"]

#: Unit of the normalised linkage indices.
INDEX_UNITS = "index (mean over sectors = 1)"
#: Unit of the key-sector class labels.
CLASS_UNITS = "class (key, backward, forward, weak)"
#: Order of the key-sector classes in :func:`key_sectors`.
CLASS_ORDER = ("key", "backward", "forward", "weak")


def _money(table: IOTable) -> str:
    """The table's currency (or unit when no currency is given), for ratio units."""
    return table.meta.currency or table.meta.unit


def _check_sectors(table: IOTable, labels: Iterable[Any], what: str) -> list[Any]:
    """A list of sector labels of the table; unknown or duplicated labels raise naming them."""
    wanted = [labels] if isinstance(labels, str) else list(labels)
    unknown = [s for s in wanted if s not in table.sectors]
    if unknown:
        raise LabelError(
            f"{what}: unknown sector label(s) {unknown} for table {table.meta.name!r}; "
            f"valid labels are e.g. {table.sectors.tolist()[:8]}"
        )
    dup = sorted({str(s) for s in wanted if wanted.count(s) > 1})
    if dup:
        raise LabelError(f"{what}: duplicated sector label(s) {dup}")
    return wanted


def _coefficient_rows(table: IOTable, closure: HouseholdClosure) -> tuple[list[str], list[str], np.ndarray]:
    """Names, units and ``(k, n)`` coefficient rows of every indicator."""
    arr = table.arrays
    inv_x = arr.inv_output
    unit = table.meta.unit
    cur = _money(table)
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
    table: IOTable,
    values: np.ndarray,
    names: Sequence[str],
    units: Sequence[str],
    attrs: dict,
    draws: np.ndarray | None = None,
) -> xr.DataArray:
    """Labelled multipliers; a leading axis of ``values`` (a stack of variants) becomes ``draw`` (labels ``draws``)."""
    lead = {dims.DRAW: np.arange(values.shape[0]) if draws is None else draws} if values.ndim == 3 else {}
    da = xr.DataArray(
        values,
        dims=(*lead, dims.INDICATOR, dims.SECTOR),
        coords={
            **lead,
            dims.INDICATOR: list(names),
            dims.SECTOR: table.sectors.to_numpy(),
            "units": (dims.INDICATOR, list(units)),
            # region and product of each sector of a whole MRIO (IOTable.sector_coords; none for other tables)
            **{k: (dims.SECTOR, v) for k, v in table.sector_coords().items()},
        },
        name="multiplier",
        attrs={**table.meta.attrs(), **attrs},
    )
    return da


def _attrs(kind: str, closure: HouseholdClosure, include_households: bool, consumption_taxes: bool) -> dict:
    """The parameters of a multiplier result, for its attrs."""
    return {
        "kind": kind,
        "include_households": int(include_households),
        "consumption_taxes": int(kind == "type2" and consumption_taxes and bool(closure.consumption_taxes)),
        **closure.attrs(),
    }


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


def _assemble(
    table: IOTable,
    kind: str,
    closure: HouseholdClosure,
    names: list[str],
    units: list[str],
    SL: np.ndarray,
    *,
    Su: np.ndarray | None = None,
    w: np.ndarray | None = None,
    s: np.ndarray | None = None,
    include_households: bool = False,
    consumption_taxes: bool = True,
) -> tuple[np.ndarray, list[str], list[str]]:
    r"""Multiplier rows from the solves, for one table or a stack of draws (leading axes).

    ``SL`` is ``(..., k, n)``; for Type II ``Su`` = :math:`S L h_C` is
    ``(..., k)``, ``w`` = :math:`h_R L` is ``(..., n)`` and ``s`` the Schur
    complement ``(...)``, so :math:`S \bar L_{11} = SL + (S L h_C) w' / s` and
    :math:`\bar L_{21} = w / s` (:class:`~iomodel.linalg.ClosedLeontief`).
    """
    if kind == "type1":
        return SL, names, units
    if Su is None or w is None or s is None:
        raise ValidationError("Type II multipliers need S L h_C, h_R L and the Schur complement")
    s_ = np.asarray(s)[..., None]
    income = w / s_
    values = SL + np.einsum("...k,...n->...kn", Su, w) / s_[..., None]
    if "income" in names:
        values[..., names.index("income"), :] = income
    if include_households:
        values[..., 0, :] = values[..., 0, :] + income
    per_income = closure.consumption_tax_per_income() if consumption_taxes else {}
    if per_income:
        clash = [f"tax:{k}" for k in per_income if f"tax:{k}" in names]
        if clash:
            raise LabelError(
                f"consumption tax row(s) {clash} clash with tax rows of table {table.meta.name!r}; "
                "rename the table's rows or pass consumption_taxes=False"
            )
        rows = np.stack([r * income for r in per_income.values()], axis=-2)
        money = f"{_money(table)} per {_money(table)} of final demand"
        at = names.index("budget") if "budget" in names else len(names)
        if "budget" in names:
            values[..., at, :] = values[..., at, :] + rows.sum(axis=-2)
        else:
            names, units = [*names, "budget"], [*units, money]
            values = np.concatenate([values, rows.sum(axis=-2)[..., None, :]], axis=-2)
        names = [*names[:at], *(f"tax:{k}" for k in per_income), *names[at:]]
        units = [*units[:at], *([money] * len(per_income)), *units[at:]]
        values = np.concatenate([values[..., :at, :], rows, values[..., at:, :]], axis=-2)
    return values, names, units


def multipliers(
    table: IOTable,
    kind: Kind = "type1",
    *,
    closure: HouseholdClosure | None = None,
    include_households: bool = False,
    indicators: Iterable[str] | None = None,
    consumption_taxes: bool = True,
    per: str | None = None,
    method: la.Method = "auto",
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
        How households are closed for Type II (:class:`~iomodel.HouseholdClosure`);
        default: the closure of the table's economy
        (:attr:`iomodel.IOTable.economy`), else the textbook closure.
    include_households
        Type II only: add the households row to the output multiplier
        (M&B's *total* output multiplier) instead of the truncated one.
    indicators
        Subset of indicators to return (default all).
    consumption_taxes
        Type II only: add a row ``tax:<name>`` per product tax on household
        consumption of the closure (VAT, excise), the tax paid on the
        consumption induced by one unit of final demand,
        :math:`c(1-\delta)\tau_k/(1+\tau)\,\bar L_{21}` (docs/fiscal.md),
        and count it in ``budget``.
    per
        Express the non-monetary multipliers (employment and other
        satellites) per this amount of final demand, e.g. ``"bn KZT"`` or
        ``"million KZT"`` (the currency must be the table's); default per
        the table's unit. Monetary multipliers are ratios and do not change.
    method
        How the rows :math:`S L` (and, for Type II, :math:`L h_C` and
        :math:`h_R L`) are solved (:meth:`~iomodel.IOTable.factor`):
        ``"lu"`` factorises :math:`I - A`; ``"krylov"`` solves each row
        matrix-free by GMRES on :math:`(I - A)'`, forming neither ``A``,
        ``L`` nor a factorisation, and falls back to the LU with an
        :class:`~iomodel.errors.IOModelWarning` if GMRES stalls; ``"auto"``
        (default) uses the LU below :data:`~iomodel.linalg.KRYLOV_MIN_SIZE`
        sectors and GMRES above it when the rows number at most
        ``n // KRYLOV_RHS_SHARE`` (:func:`iomodel.linalg.use_krylov`). Both
        paths pass the same residual check; they agree to about ``1e-13``,
        not bit for bit.

    Examples
    --------
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> m = iom.multipliers(t)
    >>> m.sel(indicator="output").values.round(6)
    array([1.518152, 1.452145])
    >>> c = iom.HouseholdClosure(mpc=0.8, consumption_taxes={"VAT": 0.1})
    >>> m2 = iom.multipliers(t, "type2", closure=c)
    >>> bool(np.allclose(m2.sel(indicator="tax:VAT"), 0.8 * 0.1 / 1.1 * m2.sel(indicator="income")))
    True

    Jobs per billion tenge of final demand on the shipped table:

    >>> kz = iom.datasets.kazakhstan()
    >>> j = iom.multipliers(kz, "type2", per="bn KZT").sel(indicator="employment")
    >>> str(j.units.values), round(float(j.sel(sector="28")), 1)
    ('persons per bn KZT of final demand', 91.2)

    The matrix-free path gives the same numbers to the residual tolerance:

    >>> k = iom.multipliers(kz, "type2", method="krylov")
    >>> bool(np.allclose(k, iom.multipliers(kz, "type2", method="lu"), rtol=1e-10, atol=0))
    True
    """
    _check_kind(kind)
    if closure is None:
        closure = table.economy.closure if table.economy is not None else HouseholdClosure()
    names, units, S = _coefficient_rows(table, closure)
    if kind == "type1":
        values, names, units = _assemble(table, kind, closure, names, units, table.factor(method).solve_transposed(S))
    else:
        cl = table.closed(closure, method)
        values, names, units = _assemble(
            table,
            kind,
            closure,
            names,
            units,
            cl.factor.solve_transposed(S),
            Su=S @ cl.u,
            w=cl.w,
            s=np.asarray(cl.s),
            include_households=include_households,
            consumption_taxes=consumption_taxes,
        )
    attrs = _attrs(kind, closure, include_households, consumption_taxes)
    return _per(_select(_result(table, values, names, units, attrs), indicators), table, per)


def _per(m: xr.DataArray, table: IOTable, per: str | None) -> xr.DataArray:
    """Rows ``... per <table unit> of final demand`` that are not money, restated per ``per`` (see multipliers)."""
    if per is None:
        return m
    from . import units as units_

    own = table.meta.unit or table.meta.currency
    f = units_.factor(per, own)  # refuses another currency, naming both units
    tag = f" per {own} of final demand"
    unit_text = [str(u) for u in m.coords["units"].values]
    rows = [i for i, u in enumerate(unit_text) if u.endswith(tag) and not u.startswith(own.split()[-1])]
    values = m.values.copy()
    values[rows] *= f
    for i in rows:
        unit_text[i] = unit_text[i].removesuffix(tag) + f" per {per} of final demand"
    return m.copy(data=values).assign_coords(units=(m.dims[0], unit_text)).assign_attrs(per=per)


#: Variants solved together in one stacked LAPACK call: few enough that a block's matrices and temporaries stay in
#: cache (on the 68-product table a block's largest temporary stays below the 256 KiB at which numpy starts looking
#: for temporaries to reuse), enough that the Python overhead of a block is small per variant.
BLOCK = 32


class StackedMultipliers:
    r"""The multipliers of many variants of one table, solved block by block into one result.

    What every variant shares is built once: the coefficient rows, which of
    them a variant rescales (income and value added by the rest of each
    column, satellites and taxes by their factors), the household closure.
    :meth:`solve` takes a block of matrices :math:`I - A_d` and writes the
    multipliers of each variant; :meth:`label` makes the labelled result.
    Each variant needs one transposed LAPACK solve for every row (Type II
    included: :math:`h_R L` is the income row, :math:`S L h_C` a product, see
    :func:`_assemble`); the ``budget`` row, the sum of the tax rows, is
    summed after the solve instead of solved. Every block is checked on a
    weighted sum of its right-hand sides (:func:`_checked_solve`). Under the
    textbook closure (no ``mpc``) the households column of a variant follows
    its own labour income, rescaled with the rest of each column.
    :func:`multipliers_batch` and the batched path of
    :func:`iomodel.sensitivity.monte_carlo` use it.

    Parameters
    ----------
    table
        The base table (domestic import convention).
    kind, closure, include_households, indicators, consumption_taxes
        As :func:`multipliers`.
    """

    def __init__(
        self,
        table: IOTable,
        kind: Kind = "type1",
        *,
        closure: HouseholdClosure | None = None,
        include_households: bool = False,
        indicators: Iterable[str] | None = None,
        consumption_taxes: bool = True,
    ) -> None:
        _check_kind(kind)
        table.require_domestic("batched multipliers")
        if closure is None:
            closure = table.economy.closure if table.economy is not None else HouseholdClosure()
        self.table, self.kind, self.closure = table, kind, closure
        self.include_households, self.consumption_taxes = include_households, consumption_taxes
        names, units, S0 = _coefficient_rows(table, closure)
        self.names, self.units, self.n = names, units, table.n
        # the order of _coefficient_rows: output, [income], [gva], satellites, taxes, [budget]
        first_sat = 1 + int("income" in names) + int("gva" in names)
        n_sat, n_tax = len(table.satellites.index), len(table.taxes.index)
        self.n_sat, self.n_tax = n_sat, n_tax
        self.sat_rows = slice(first_sat, first_sat + n_sat)
        self.tax_rows = slice(first_sat + n_sat, first_sat + n_sat + n_tax)
        self.solved = len(names) - int(n_tax > 0)  # every row but the budget (the last row, when there are taxes)
        rows = [S0[: self.solved]]
        self.rest_rows = [names.index(r) for r in ("income", "gva") if r in names]
        self.h_C = np.zeros(0)
        self.h = 0.0
        self.w_row = -1
        if kind == "type2":
            h_R0, self.h_C, self.h = table.household_vectors(closure)
            if "income" in names and np.array_equal(S0[names.index("income")], h_R0):
                self.w_row = names.index("income")  # h_R is the income row: h_R L is one of the solves
            else:  # pragma: no cover - the income indicator is the closure's income row (_coefficient_rows)
                self.w_row = self.solved
                rows.append(h_R0[None, :])
                self.rest_rows.append(self.w_row)
        self.rows = np.ascontiguousarray(np.vstack(rows))
        self.weights = _check_weights(self.rows.shape[0])
        self.attrs = _attrs(kind, closure, include_households, consumption_taxes)
        # the names after assembly (consumption taxes add rows), and the rows of the indicators asked for
        probe = np.zeros((1, len(names), self.n))
        one = np.ones(1)
        if kind == "type1":
            _, out_names, out_units = _assemble(table, kind, closure, names, units, probe)
        else:
            _, out_names, out_units = _assemble(
                table,
                kind,
                closure,
                names,
                units,
                probe,
                Su=probe @ self.h_C,
                w=probe[:, 0],
                s=one,
                include_households=include_households,
                consumption_taxes=consumption_taxes,
            )
        self.pick: list[int] | None = None
        if indicators is not None:
            wanted = list(indicators)
            unknown = [i for i in wanted if i not in out_names]
            if unknown:
                raise LabelError(f"unknown indicator(s) {unknown}; valid options are {list(out_names)}")
            self.pick = [out_names.index(i) for i in wanted]
            out_names, out_units = wanted, [out_units[i] for i in self.pick]
        self.out_names, self.out_units = list(out_names), list(out_units)
        self._rhs = np.empty((0, *self.rows.shape))

    @property
    def shape(self) -> tuple[int, int]:
        """``(indicators, sectors)`` of one variant's multipliers."""
        return len(self.out_names), self.n

    def solve(
        self,
        M: np.ndarray,
        out: np.ndarray,
        *,
        rest_scale: np.ndarray | None = None,
        satellite_scale: np.ndarray | None = None,
        tax_scale: np.ndarray | None = None,
        first: int = 0,
    ) -> None:
        """Multipliers of a block of variants into ``out`` (``(b, *shape)``).

        ``M`` is ``(b, n, n)``, :math:`I - A_d` of each variant (not changed);
        ``rest_scale`` ``(b, n)`` rescales the income and value-added rows,
        ``satellite_scale`` and ``tax_scale`` ``(b, k, n)`` the satellite and
        tax rows. ``first``: the number of the block's first variant, for
        error messages.
        """
        b = M.shape[0]
        if self._rhs.shape[0] < b:
            self._rhs = np.broadcast_to(self.rows, (b, *self.rows.shape)).copy()
        R = self._rhs[:b]
        for i in self.rest_rows:
            if rest_scale is None:
                R[:, i] = self.rows[i]
            else:
                np.multiply(self.rows[i], rest_scale, out=R[:, i])
        if self.n_sat:
            if satellite_scale is None:
                R[:, self.sat_rows] = self.rows[self.sat_rows]
            else:
                np.multiply(self.rows[self.sat_rows], satellite_scale, out=R[:, self.sat_rows])
        if self.n_tax:
            if tax_scale is None:
                R[:, self.tax_rows] = self.rows[self.tax_rows]
            else:
                np.multiply(self.rows[self.tax_rows], tax_scale, out=R[:, self.tax_rows])
        # one transposed solve per variant: X[d] = R[d] (I - A_d)^-1, every row at once
        X = _checked_solve(M.transpose(0, 2, 1), R.transpose(0, 2, 1), self.weights, first).transpose(0, 2, 1)
        k = len(self.names)
        if self.n_tax:
            SL = np.empty((b, k, self.n))
            SL[:, : self.solved] = X[:, : self.solved]
            np.sum(SL[:, self.tax_rows], axis=1, out=SL[:, k - 1])
        else:
            SL = X[:, :k]
        if self.kind == "type1":
            if self.pick is None:
                out[...] = SL
            else:
                np.take(SL, self.pick, axis=1, out=out)
            return
        w = SL[:, self.w_row] if self.w_row < self.solved else X[:, self.w_row]
        h_C = self.h_C if self.closure.mpc is not None else _household_column(self.table, self.closure, rest_scale)
        s = 1.0 - self.h - _times_column(w, h_C)
        if not (s > 0).all():
            bad = int(np.flatnonzero(~(s > 0))[0])
            raise NotProductiveError(
                f"variant {first + bad}: the model closed for households is not productive "
                f"(1 - h - h_R L h_C = {s[bad]:.6g})"
            )
        values, _, _ = _assemble(
            self.table,
            self.kind,
            self.closure,
            self.names,
            self.units,
            SL,
            Su=_times_column(SL, h_C),
            w=w,
            s=s,
            include_households=self.include_households,
            consumption_taxes=self.consumption_taxes,
        )
        if self.pick is None:
            out[...] = values
        else:
            np.take(values, self.pick, axis=1, out=out)

    def label(self, values: np.ndarray, draws: np.ndarray | None = None) -> xr.DataArray:
        """The labelled result of ``(d, *shape)`` multipliers: dims ``("draw", "indicator", "sector")``.

        ``draws``: the labels along ``draw`` (default ``0`` to ``d - 1``).
        """
        return _result(self.table, values, self.out_names, self.out_units, self.attrs, draws)


def multipliers_batch(
    table: IOTable,
    A: np.ndarray,
    kind: Kind = "type1",
    *,
    rest_scale: np.ndarray | None = None,
    satellite_scale: np.ndarray | None = None,
    tax_scale: np.ndarray | None = None,
    closure: HouseholdClosure | None = None,
    include_households: bool = False,
    indicators: Iterable[str] | None = None,
    consumption_taxes: bool = True,
) -> xr.DataArray:
    r""":func:`multipliers` of many variants of one table in stacked solves.

    Each variant ``d`` has technical coefficients ``A[d]`` (the variant the
    table's :meth:`~iomodel.IOTable.with_coefficients` builds), and optionally
    its value-added, satellite and tax coefficients rescaled column by
    column. The ``(I - A[d])`` are solved in stacked LAPACK calls
    (:func:`numpy.linalg.solve` on blocks of :data:`BLOCK` variants,
    :class:`StackedMultipliers`) instead of a Python loop over tables, and
    every solve is residual-checked. The result equals
    ``multipliers(table.with_coefficients(A[d]), ...)`` for each ``d`` (tested);
    it is what :func:`iomodel.sensitivity.monte_carlo` uses for many draws of a
    small table.

    Parameters
    ----------
    table
        The base table (domestic import convention): outputs, value added,
        satellites, taxes and the household closure come from it.
    A
        ``(d, n, n)`` technical coefficients of the variants.
    kind, closure, include_households, indicators, consumption_taxes
        As :func:`multipliers`.
    rest_scale
        ``(d, n)`` factor on each column's imports, product taxes and value
        added (what :meth:`~iomodel.IOTable.with_coefficients` applies so
        columns still sum to output); default: computed from ``A``.
    satellite_scale, tax_scale
        ``(d, k, n)`` factors on the satellite and tax coefficient rows
        (default 1).

    Returns
    -------
    xarray.DataArray
        Dims ``("draw", "indicator", "sector")``.

    Examples
    --------
    >>> import numpy as np
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> A = np.stack([t.arrays.A, 0.9 * t.arrays.A])
    >>> m = multipliers_batch(t, A)
    >>> m.sel(indicator="output").values.round(4)
    array([[1.5182, 1.4521],
           [1.4448, 1.3875]])
    >>> iom.multipliers(t.with_coefficients(A[1])).sel(indicator="output").values.round(4)
    array([1.4448, 1.3875])
    """
    stacked = StackedMultipliers(
        table,
        kind,
        closure=closure,
        include_households=include_households,
        indicators=indicators,
        consumption_taxes=consumption_taxes,
    )
    A = np.asarray(A, dtype=float)
    n = table.n
    if A.ndim != 3 or A.shape[1:] != (n, n):
        raise ValidationError(f"A must have shape (draws, {n}, {n}), got {A.shape}")
    d = A.shape[0]
    rest = table.rest_scale(A) if rest_scale is None else np.asarray(rest_scale, dtype=float)
    sat = None if satellite_scale is None else np.asarray(satellite_scale, dtype=float)
    tax = None if tax_scale is None else np.asarray(tax_scale, dtype=float)
    out = np.empty((d, *stacked.shape))
    M = np.empty((min(BLOCK, d), n, n))
    diag = np.arange(n)
    for a in range(0, d, BLOCK):
        b = min(a + BLOCK, d)
        Mb = M[: b - a]
        np.negative(A[a:b], out=Mb)
        Mb[:, diag, diag] += 1.0
        stacked.solve(
            Mb,
            out[a:b],
            rest_scale=rest[a:b],
            satellite_scale=None if sat is None else sat[a:b],
            tax_scale=None if tax is None else tax[a:b],
            first=a,
        )
    return stacked.label(out)


def multipliers_columns(
    table: IOTable,
    columns: Sequence[int] | np.ndarray,
    D: np.ndarray,
    kind: Kind = "type1",
    *,
    closure: HouseholdClosure | None = None,
    include_households: bool = False,
    indicators: Iterable[str] | None = None,
    consumption_taxes: bool = True,
) -> xr.DataArray:
    r""":func:`multipliers` of many variants that change the same few columns of ``A``, without a solve per variant.

    Variant ``d`` has coefficients :math:`A^*_d = A + D_d E'` (columns
    ``columns`` change by ``D[d]``), built as
    :meth:`~iomodel.IOTable.with_coefficients` builds it (the rest of each
    changed column rescaled). Every multiplier is a row of :math:`L^*`, and the
    Woodbury identity (METHODS.md 6.3) gives rows of :math:`L^*` from rows of
    :math:`L`:

    .. math::

        Y L^* = Y L + (Y L D)\, C^{-1} E' L, \qquad C = I_k - E' L D,

    so with :math:`Y L` (the base multipliers) and :math:`E' L` (the rows of
    :math:`L` of the changed sectors) solved once from the base
    factorisation, a variant costs products of size ``n x k`` only. The
    income and value-added rows change in the changed columns (their rest is
    rescaled) and are corrected through :math:`E' L^*`. Each variant is
    checked on a weighted sum of its rows, :math:`y (I - A^*) = v' Y` with
    :math:`y = v' Y L^*` (one product with the flows per variant).

    Parameters
    ----------
    table
        The base table (domestic convention) whose column sums of ``A`` are
        all below one (then every variant whose changed columns sum below one
        is productive).
    columns
        Positions of the changed columns (``k`` of them, distinct).
    D
        ``(d, n, k)`` changes of those columns.
    kind, closure, include_households, indicators, consumption_taxes
        As :func:`multipliers`.

    Returns
    -------
    xarray.DataArray
        Dims ``("draw", "indicator", "sector")``, equal to
        :func:`multipliers` of each variant's table (tested).

    Examples
    --------
    >>> import numpy as np
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> D = np.array([[[0.05], [-0.02]]])            # column 1 (manufacturing) changes
    >>> m = multipliers_columns(t, [1], D)
    >>> A = t.arrays.A.copy(); A[:, 1] += D[0, :, 0]
    >>> bool(np.allclose(m.sel(indicator="output")[0], iom.multipliers(t.with_coefficients(A)).sel(indicator="output")))
    True
    """
    _check_kind(kind)
    table.require_domestic("multipliers_columns")
    if closure is None:
        closure = table.economy.closure if table.economy is not None else HouseholdClosure()
    n = table.n
    cols = np.asarray(columns, dtype=int).ravel()
    D = np.asarray(D, dtype=float)
    if cols.size == 0 or len(set(cols.tolist())) != cols.size or cols.min() < 0 or cols.max() >= n:
        raise ValidationError(f"columns must be distinct positions in [0, {n}), got {cols.tolist()}")
    if D.ndim != 3 or D.shape[1:] != (n, cols.size):
        raise ValidationError(f"D must have shape (draws, {n}, {cols.size}), got {D.shape}")
    if not np.isfinite(D).all():
        raise ValidationError("D is not finite")
    arr = table.arrays
    inv_x = arr.inv_output
    base_sums = arr.Z.sum(axis=0) * inv_x
    if not (base_sums < 1.0).all():
        j = int(np.argmax(base_sums))
        raise NotProductiveError(
            f"multipliers_columns needs every column sum of A below one; sector {table.sectors[j]!r} has "
            f"{base_sums[j]:.6g}: use multipliers_batch"
        )
    d, k = D.shape[0], cols.size
    A_cols = arr.Z[:, cols] * inv_x[cols]
    new_cols = A_cols[None, :, :] + D
    if (new_cols < 0).any():
        v, _, c = (int(i) for i in np.argwhere(new_cols < 0)[0])
        raise ValidationError(f"variant {v}: a coefficient of sector {table.sectors[cols[c]]!r} becomes negative")
    old_rest = 1.0 - A_cols.sum(axis=0)
    new_rest = 1.0 - new_cols.sum(axis=1)  # (d, k)
    if not (new_rest > 0).all():
        v, c = (int(i) for i in np.argwhere(~(new_rest > 0))[0])
        raise NotProductiveError(
            f"variant {v}: the coefficients of sector {table.sectors[cols[c]]!r} sum to {1 - new_rest[v, c]:.6g} >= 1: "
            "its inputs would exceed its output",
            positions=[int(cols[c])],
        )
    r_cols = new_rest / old_rest  # the rest of each changed column is rescaled (IOTable.rest_scale)
    names, units, S0 = _coefficient_rows(table, closure)
    rows = S0
    if kind == "type2":
        h_R0 = table.household_vectors(closure)[0]
        rows = np.vstack([S0, h_R0])
    scaled = [names.index(r) for r in ("income", "gva") if r in names] + ([len(names)] if kind == "type2" else [])
    factor = table.factor()
    YL = factor.solve_transposed(rows)  # (m, n) base rows of L
    EL = factor.solve_transposed(np.eye(n)[cols])  # (k, n) rows of L of the changed sectors
    YLD = np.einsum("mn,dnk->dmk", YL, D)
    ELD = np.einsum("jn,dnk->djk", EL, D)
    C = np.eye(k)[None, :, :] - ELD
    try:
        CinvEL = np.linalg.solve(C, np.broadcast_to(EL, (d, k, n)))
    except np.linalg.LinAlgError:
        raise NotProductiveError(f"a variant's change of columns {cols.tolist()} makes I - A singular") from None
    Y_star = YL[None] + np.einsum("dmk,dkn->dmn", YLD, CinvEL)  # rows of the base Y times L*
    EL_star = EL[None] + np.einsum("djk,dkn->djn", ELD, CinvEL)
    dY = np.zeros((d, rows.shape[0], k))
    dY[:, scaled, :] = rows[scaled][:, cols][None, :, :] * (r_cols[:, None, :] - 1.0)
    X = Y_star + np.einsum("dmk,dkn->dmn", dY, EL_star)
    # the check: y (I - A*) = v'Y_d for a weighted sum y = v'Y_d L* of each variant's rows
    wts = _check_weights(rows.shape[0])
    y = np.einsum("m,dmn->dn", wts, X)
    target = np.einsum("m,mn->n", wts, rows)[None, :].repeat(d, axis=0)
    target[:, cols] += np.einsum("m,dmk->dk", wts, dY)
    yA = (y @ arr.Z) * inv_x
    yA[:, cols] += np.einsum("dn,dnk->dk", y, D)
    _check_rows(y - yA, target, "multipliers_columns")
    rest = np.ones((d, n))
    rest[:, cols] = r_cols
    return _batch_result(table, kind, closure, names, units, X, include_households, consumption_taxes, indicators, rest)


def _household_column(table: IOTable, closure: HouseholdClosure, rest: np.ndarray | None) -> np.ndarray:
    r"""The households column :math:`h_C` of each variant, ``(d, n)``, or the table's ``(n,)`` when it is the same.

    With a propensity to consume (``closure.mpc``) :math:`h_C` does not
    depend on the technology. The textbook closure spends each variant's own
    labour income, :math:`h_C = c / \sum_j W_j r_j`, with the income row
    rescaled by the rest of each column, ``rest`` ``(d, n)``, as
    :meth:`~iomodel.IOTable.with_coefficients` rescales value added (and
    :meth:`~iomodel.IOTable.household_vectors` then divides by its total).
    """
    h_C = table.household_vectors(closure)[1]
    if closure.mpc is not None or rest is None:
        return h_C
    arr = table.arrays
    W = arr.value_added[table.value_added.index.get_loc(closure.income)]
    c = arr.final_demand[:, table.final_demand.columns.get_loc(closure.consumption)]
    total = (W[None, :] * rest).sum(axis=1)
    return c[None, :] / total[:, None]


def _times_column(rows: np.ndarray, h_C: np.ndarray) -> np.ndarray:
    """``rows @ h_C`` for each variant (rows ``(d, ..., n)``, ``h_C`` ``(n,)`` or ``(d, n)``), one product per variant.

    Never one ``(d, n) @ (n,)`` product: a BLAS kernel takes the rows of such a
    product in groups, so a variant's sum would depend on its place in the stack.
    """
    if rows.ndim == 2:
        rows = rows[:, None, :]
        return _times_column(rows, h_C)[:, 0]
    if h_C.ndim == 1:
        return rows @ h_C
    return np.matmul(rows, h_C[:, :, None])[..., 0]


def _check_weights(m: int) -> np.ndarray:
    """Fixed positive weights of the rows combined in a check (deterministic, distinct)."""
    return 1.0 + np.arange(m, dtype=float) / max(m, 1)


def _check_rows(lhs: np.ndarray, rhs: np.ndarray, what: str, first: int = 0) -> None:
    scale = np.maximum(np.abs(rhs).max(axis=-1), np.finfo(float).tiny)
    err = np.abs(lhs - rhs).max(axis=-1) / scale
    if (err > la.RESIDUAL_RTOL).any():
        k = int(np.argmax(err))
        raise ConvergenceError(f"variant {first + k}: {what} residual {err[k]:.3g} exceeds {la.RESIDUAL_RTOL:.1e}")


def _batch_result(
    table: IOTable,
    kind: str,
    closure: HouseholdClosure,
    names: list[str],
    units: list[str],
    X: np.ndarray,
    include_households: bool,
    consumption_taxes: bool,
    indicators: Iterable[str] | None,
    rest: np.ndarray | None = None,
) -> xr.DataArray:
    """The labelled result from the ``(d, k [+1], n)`` rows times the inverse of each variant (``rest``: ``(d, n)``)."""
    k = len(names)
    SL = X[:, :k]
    if kind == "type1":
        values, names, units = _assemble(table, kind, closure, names, units, SL)
    else:
        h = table.household_vectors(closure)[2]
        h_C = _household_column(table, closure, rest)
        w = X[:, k]
        s = 1.0 - h - _times_column(w, h_C)
        if not (s > 0).all():
            bad = int(np.flatnonzero(~(s > 0))[0])
            raise NotProductiveError(
                f"variant {bad}: the model closed for households is not productive (1 - h - h_R L h_C = {s[bad]:.6g})"
            )
        values, names, units = _assemble(
            table,
            kind,
            closure,
            names,
            units,
            SL,
            Su=_times_column(SL, h_C),
            w=w,
            s=s,
            include_households=include_households,
            consumption_taxes=consumption_taxes,
        )
    attrs = _attrs(kind, closure, include_households, consumption_taxes)
    return _select(_result(table, values, names, units, attrs), indicators)


def _checked_solve(M: np.ndarray, B: np.ndarray, weights: np.ndarray | None = None, first: int = 0) -> np.ndarray:
    """Stacked ``solve(M, B)``, checked on a weighted sum of the right-hand sides of each variant.

    The residual :math:`M (X v) - B v` of fixed positive weights ``v`` is one
    matrix-vector product per variant instead of one per right-hand side; it
    must be below :data:`~iomodel.linalg.RESIDUAL_RTOL` relative to ``B v``.
    ``first`` numbers the first variant in error messages.
    """
    try:
        X = np.linalg.solve(M, B)
    except np.linalg.LinAlgError:
        raise NotProductiveError("a variant's I - A is singular") from None
    v = _check_weights(B.shape[2]) if weights is None else weights
    _check_rows(np.matmul(M, (X @ v)[..., None])[..., 0], B @ v, "stacked solve", first)
    return X


def direct_effect_multipliers(
    table: IOTable,
    kind: Kind = "type1",
    *,
    closure: HouseholdClosure | None = None,
    indicators: Iterable[str] | None = None,
) -> xr.DataArray:
    r"""Direct-effect (ratio) multipliers: total effect per unit of *direct* effect.

    BEA RIMS II "direct-effect multipliers" and M&B's Type I / Type II ratios
    (docs/math.md): for indicator ``s`` and sector ``j`` the multiplier
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
    if closure is None:
        closure = table.economy.closure if table.economy is not None else HouseholdClosure()
    names, _units, S = _coefficient_rows(table, closure)
    total = multipliers(table, kind, closure=closure, consumption_taxes=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(S != 0.0, total.values / np.where(S != 0.0, S, 1.0), np.nan)
    ratio_units = ["ratio" for _ in names]
    attrs = {"kind": kind, "multiplier": "direct-effect", **closure.attrs(), "undefined": int(np.isnan(ratio).sum())}
    da = _result(table, ratio, names, ratio_units, attrs).rename("direct_effect_multiplier")
    return _select(da, indicators)


def linkages(table: IOTable) -> xr.Dataset:
    r"""Backward and forward linkages, normalised, with dispersion and key-sector class.

    Variables (docs/math.md):

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
    cur = _money(table)
    S = (dims.SECTOR,)
    ds = xr.Dataset(
        {
            "backward_direct": (
                S,
                A.sum(axis=0),
                {"units": f"{cur} per {cur} of output", "long_name": "direct backward linkage, column sum of A"},
            ),
            "forward_direct": (
                S,
                arr.Z.sum(axis=1) * inv_x,
                {"units": f"{cur} per {cur} of output", "long_name": "direct forward linkage, row sum of B"},
            ),
            "backward": (S, backward, {"units": INDEX_UNITS, "long_name": "Rasmussen power of dispersion"}),
            "forward": (S, forward, {"units": INDEX_UNITS, "long_name": "Ghosh-based sensitivity (Jones 1976)"}),
            "forward_leontief": (
                S,
                n * rowL / rowL.sum(),
                {"units": INDEX_UNITS, "long_name": "Rasmussen sensitivity of dispersion (Leontief)"},
            ),
            "dispersion": (
                S,
                disp,
                {"units": "coefficient of variation (1)", "long_name": "Rasmussen dispersion of column j of L"},
            ),
            "key_sector": (S, _classify(backward, forward), {"units": CLASS_UNITS, "long_name": "key-sector class"}),
        },
        coords={dims.SECTOR: table.sectors.to_numpy()},
        attrs={
            **table.meta.attrs(),
            "model": "backward and forward linkages (docs/math.md)",
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


def key_sectors(table: IOTable) -> xr.Dataset:
    """Every sector's normalised linkages and class, key sectors first.

    A key sector has both normalised linkages (:func:`linkages`) above one.

    Returns
    -------
    xarray.Dataset
        Over ``sector``: ``backward`` and ``forward`` (index, mean 1) and
        ``key_sector`` (``"key"``, ``"backward"``, ``"forward"`` or
        ``"weak"``), with units; the sectors ordered by class (key,
        backward, forward, weak), then by backward linkage, descending. The
        table's metadata in ``attrs``.

    Examples
    --------
    >>> import iomodel as iom
    >>> ks = key_sectors(iom.datasets.miller_blair())
    >>> ks.key_sector.values.tolist()
    ['key', 'weak']
    >>> ks.to_dataframe().round(4)
                   backward  forward key_sector
    sector
    agriculture      1.0222   1.2083        key
    manufacturing    0.9778   0.7917       weak
    """
    ds = linkages(table)
    rank = np.array([CLASS_ORDER.index(c) for c in ds.key_sector.values])
    order = np.lexsort((-ds.backward.values, rank))  # last key sorts first
    out = ds[["backward", "forward", "key_sector"]].isel({dims.SECTOR: order})
    out.attrs["order"] = "by class (key, backward, forward, weak), then by backward linkage, descending"
    return out


def hypothetical_extraction(
    table: IOTable,
    sectors: Iterable[Any] | None = None,
    *,
    variant: Variant = "total",
) -> xr.Dataset:
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
    (docs/math.md); the tests check them against re-solving the reduced system.

    Parameters
    ----------
    table
        The table (domestic import convention).
    sectors
        Sectors to report, in this order (default all).
    variant
        ``"total"``, ``"backward"`` or ``"forward"`` (see above).

    Returns
    -------
    xarray.Dataset
        Over ``sector``: ``loss`` (in the table's unit) and ``share`` of total
        output; the variant and the table's metadata in ``attrs``.

    Raises
    ------
    ValidationError
        Unknown ``variant``, or a convention other than ``"domestic"``.
    LabelError
        Unknown or duplicated sector labels.

    Examples
    --------
    >>> import iomodel as iom
    >>> hypothetical_extraction(iom.datasets.miller_blair())["loss"].values.round(2)
    array([1210.53, 2588.24])
    """
    if variant not in ("total", "backward", "forward"):
        raise ValidationError(
            f"unknown extraction variant {variant!r}; valid options are 'total', 'backward', 'forward'"
        )
    table.require_domestic("hypothetical extraction")
    wanted = None if sectors is None else _check_sectors(table, sectors, "hypothetical extraction")
    L = table.factor().inverse()
    x = table.arrays.output
    diag = np.diag(L)
    if variant == "total":
        loss = x * L.sum(axis=0) / diag
    elif variant == "backward":
        loss = x * (L.sum(axis=0) - 1.0) / diag
    else:
        loss = (L @ x - x) / diag
    S = (dims.SECTOR,)
    ds = xr.Dataset(
        {
            "loss": (S, loss, {"units": table.meta.unit, "long_name": f"output lost ({variant} extraction)"}),
            "share": (
                S,
                loss / x.sum(),
                {"units": "share of total output", "long_name": f"output lost ({variant} extraction) / i'x"},
            ),
        },
        coords={dims.SECTOR: table.sectors.to_numpy()},
        attrs={
            **table.meta.attrs(),
            "model": "hypothetical extraction, closed forms (Miller & Blair 2009 ch. 12; docs/math.md)",
            "variant": variant,
            "final_demand": "the table's, fixed",
        },
    )
    if wanted is not None:
        ds = ds.sel({dims.SECTOR: wanted})
    return ds


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
        Name of the new dimension (default ``"cluster"``), one of
        :data:`iomodel.dims.ALL` other than ``"sector"``.

    Returns
    -------
    xarray.DataArray
        ``m`` with ``sector`` replaced by ``dim`` (other dimensions and the
        ``units`` coordinate kept); ``attrs`` of ``m`` plus the grouping and
        the non-zero weights as JSON (``weights``).

    Raises
    ------
    LabelError
        The weights name sectors that ``m`` does not have.
    ValidationError
        Weights that are not finite or whose rows do not sum to 1, ``m``
        without a ``sector`` dimension, or an unknown ``dim``.

    Examples
    --------
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> w = pd.DataFrame([[0.5, 0.5]], index=["all"], columns=t.sectors)
    >>> float(group_multipliers(iom.multipliers(t), w).sel(indicator="output", cluster="all").round(6))
    1.485149
    """
    if dims.SECTOR not in m.dims:
        raise ValidationError(f"m has no {dims.SECTOR!r} dimension (dims {m.dims}); pass multipliers by sector")
    valid = sorted(dims.ALL - {dims.SECTOR, *m.dims})
    if dim not in valid:
        raise ValidationError(f"unknown group dimension {dim!r}; valid options are {valid}")
    unknown = pd.Index(weights.columns).difference(pd.Index(m[dims.SECTOR].values))
    if len(unknown):
        raise LabelError(f"weights name unknown sector(s) {unknown.tolist()[:10]}")
    if not np.isfinite(weights.to_numpy(dtype=float)).all():
        raise ValidationError("weights hold NaN or infinite values")
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
    nonzero = {str(g): {str(j): float(v) for j, v in row.items() if v != 0.0} for g, row in weights.iterrows()}
    out.attrs = {
        **m.attrs,
        "grouping": f"demand-weighted average over sectors by {dim}",
        "weights": json.dumps(nonzero, ensure_ascii=False),
    }
    out.name = m.name
    return out.transpose(*[d for d in m.dims if d != dims.SECTOR], dim)


# --------------------------------------------------------------------------- mixed model
def mixed_model(table: IOTable, fixed_output: pd.Series, final_demand: pd.Series | None = None) -> xr.Dataset:
    r"""The mixed (fixed-output) model: some sectors' outputs are given.

    With exogenous sectors :math:`E` (output change :math:`\Delta x_E` fixed)
    and the others :math:`N` (final demand change :math:`\Delta f_N`, default 0),
    Miller & Blair (2009) ch. 13; docs/scenarios.md:

    .. math::

        \Delta x_N = (I - A_{NN})^{-1}(A_{NE}\Delta x_E + \Delta f_N),\qquad
        \Delta f_E = (I - A_{EE})\Delta x_E - A_{EN}\Delta x_N .

    :math:`I - A_{NN}` is factorised (:func:`iomodel.linalg.factorize`, every
    solve residual-checked); no inverse is formed. The closed form is
    :func:`modified_inverse`.

    Parameters
    ----------
    table
        The table (domestic import convention).
    fixed_output
        Output change of the exogenous sectors :math:`E`, labelled by sector
        (in the table's unit); every label it names is exogenous.
    final_demand
        Final-demand change of the other sectors :math:`N` (labels outside
        ``fixed_output``; missing sectors are 0).

    Returns
    -------
    xarray.Dataset
        Over ``sector``: ``output`` (:math:`\Delta x`, every sector) and
        ``final_demand`` (given for :math:`N`, implied for :math:`E`), in the
        table's unit; the coordinate ``given`` says which of the two was
        given for each sector. ``attrs``: the table's metadata, the model and
        the exogenous sectors (JSON).

    Raises
    ------
    LabelError
        Unknown labels, or a sector with both a fixed output and a final demand.
    ValidationError
        No exogenous sector, NaN values, or a convention other than ``"domestic"``.
    NotProductiveError
        :math:`A_{NN}` is not productive (names the sectors).

    Examples
    --------
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> ds = mixed_model(t, pd.Series({"agriculture": 100.0}))
    >>> ds.to_dataframe().round(4)
                   output  final_demand        given
    sector
    agriculture     100.0       79.7368       output
    manufacturing    21.0526        0.0  final_demand
    >>> ds.output.attrs["units"]
    'dollars'
    """
    table.require_domestic("the mixed model")
    if not isinstance(fixed_output, pd.Series):
        raise ValidationError(f"fixed_output must be a pandas Series by sector, got {type(fixed_output).__name__}")
    fixed = table.align_demand(fixed_output).to_numpy()
    E = table.sectors.isin(pd.Index(fixed_output.index))
    if not E.any():
        raise ValidationError("mixed model: fixed_output names no sector; give the output change of at least one")
    fN = np.zeros(table.n)
    if final_demand is not None:
        if not isinstance(final_demand, pd.Series):
            raise ValidationError(f"final_demand must be a pandas Series by sector, got {type(final_demand).__name__}")
        both = pd.Index(final_demand.index).intersection(pd.Index(fixed_output.index))
        if len(both):
            raise LabelError(
                f"sector(s) {both.tolist()} have both a fixed output and a final demand; "
                "a sector's output or its final demand is given, not both"
            )
        fN = table.align_demand(final_demand).to_numpy()
    A = table.arrays.A
    N = ~E
    x = np.zeros(table.n)
    x[E] = fixed[E]
    if N.any():
        try:
            fac = la.factorize(A[np.ix_(N, N)], overwrite_a=True)  # a fresh submatrix: factorised in place
        except NotProductiveError as exc:
            names = table.sectors[N][list(exc.positions)].tolist() if exc.positions else []
            raise NotProductiveError(
                f"table {table.meta.name!r}: the endogenous block A_NN of the mixed model is not productive "
                f"(column sums at or above 1 for sector(s) {names})",
                positions=exc.positions,
            ) from None
        x[N] = fac.solve(A[np.ix_(N, E)] @ x[E] + fN[N])
    f = fN.copy()
    f[E] = x[E] - A[np.ix_(E, E)] @ x[E] - A[np.ix_(E, N)] @ x[N]
    unit = table.meta.unit
    S = (dims.SECTOR,)
    return xr.Dataset(
        {
            "output": (S, x, {"units": unit, "long_name": "output change"}),
            "final_demand": (
                S,
                f,
                {"units": unit, "long_name": "final-demand change (given for N, implied for E)"},
            ),
        },
        coords={dims.SECTOR: table.sectors.to_numpy(), "given": (S, np.where(E, "output", "final_demand"))},
        attrs={
            **table.meta.attrs(),
            "model": "mixed exogenous/endogenous (fixed-output) model",
            "method": "Miller & Blair (2009) ch. 13; docs/scenarios.md",
            "exogenous": json.dumps([str(s) for s in table.sectors[E]], ensure_ascii=False),
        },
    )


def modified_inverse(table: IOTable, exogenous: Iterable[Any]) -> xr.DataArray:
    r"""The modified Leontief inverse of the mixed model (Zhu, Kim & Harris; docs/scenarios.md).

    .. math::

        L^{mod} = L - L D'(D L D')^{-1} D L,

    with :math:`D` selecting the exogenous sectors. :math:`L^{mod} f` is the
    output change when final demand changes by :math:`f` while the exogenous
    sectors' outputs stay fixed (a capacity constraint): the rows and columns
    of the exogenous sectors are zero, and the rest is :math:`(I - A_{NN})^{-1}`
    (the Schur complement identity). It equals :func:`mixed_model` with
    :math:`\Delta x_E = 0`.

    Parameters
    ----------
    table
        The table (domestic import convention).
    exogenous
        Labels of the exogenous sectors (a single label is accepted).

    Returns
    -------
    xarray.DataArray
        Dims ``("sector", "sector_to")``: output of ``sector`` per unit of
        final demand for ``sector_to``; units, the table's metadata and the
        exogenous sectors (JSON) in ``attrs``.

    Raises
    ------
    LabelError
        Unknown or duplicated labels.
    ValidationError
        No exogenous sector, or a convention other than ``"domestic"``.

    Examples
    --------
    >>> import iomodel as iom
    >>> Lmod = modified_inverse(iom.datasets.miller_blair(), ["agriculture"])
    >>> Lmod.values.round(4)
    array([[0.    , 0.    ],
           [0.    , 1.0526]])
    """
    table.require_domestic("the modified inverse")
    labels = _check_sectors(table, exogenous, "modified inverse")
    if not labels:
        raise ValidationError("modified inverse: no exogenous sector given")
    L = table.factor().inverse()
    idx = table.sectors.get_indexer(labels)
    # L D'(D L D')^{-1} D L with D L = L[idx, :] and L D' = L[:, idx]
    Lmod = L - L[:, idx] @ np.linalg.solve(L[np.ix_(idx, idx)], L[idx, :])
    Lmod[idx, :] = 0.0  # exactly zero (they are zero up to rounding)
    Lmod[:, idx] = 0.0
    cur = _money(table)
    return xr.DataArray(
        Lmod,
        dims=(dims.SECTOR, dims.SECTOR_TO),
        coords={dims.SECTOR: table.sectors.to_numpy(), dims.SECTOR_TO: table.sectors.to_numpy()},
        name="modified_inverse",
        attrs={
            **table.meta.attrs(),
            "units": f"{cur} per {cur} of final demand",
            "long_name": "modified Leontief inverse, exogenous outputs fixed",
            "model": "mixed exogenous/endogenous model, closed form (Zhu, Kim & Harris)",
            "method": "L - L D'(D L D')^-1 D L; docs/scenarios.md",
            "exogenous": json.dumps([str(s) for s in labels], ensure_ascii=False),
        },
    )
