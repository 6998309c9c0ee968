r"""The Leontief price model: cost-push effects of taxes on production and products.

Miller & Blair (2009), section 2.6; docs/price.md. Each product's
basic price covers the cost of its intermediate inputs and its primary inputs
per unit of output,

.. math::

    p' = p'A + v_c' \quad\Rightarrow\quad p' = v_c' L,\qquad L = (I - A)^{-1},

where :math:`v_c` holds *all* primary-input coefficients: gross value added
(compensation, other taxes on production, consumption of fixed capital,
operating surplus), imported intermediate inputs and net product taxes paid on
intermediate use, each divided by gross output. In the base year every column
of the table balances, so :math:`v_c' = \mathbf i' - \mathbf i'A` and the
base prices are :math:`p' = \mathbf i'`: quantities are measured in "base-year
currency units' worth", and a price change is a relative change.

Functions
---------
:func:`price_effects`
    :math:`\Delta p' = \Delta v_c' L`: relative price changes caused by a
    change in primary-input cost per unit of output (e.g. other taxes on
    production, customs duties on imported inputs), split into the direct
    shock and the indirect (and, closed for households, induced) pass-through.
:func:`tax_on_intermediates`
    An ad valorem non-deductible tax :math:`\tau_i` on intermediate purchases
    of product :math:`i`: :math:`p' = v'\big(I - (I + \hat\tau)A\big)^{-1}`
    (docs/price.md, own derivation).
:func:`consumer_price_index`
    The consumer-price effect :math:`\Delta\pi = \sum_i w_i \Delta q_i / q_i`
    with budget shares :math:`w` of a final-demand category; import prices
    do not move.
:func:`sez_cost_change`
    The cost shock of an SEZ exemption from customs duties on imported inputs
    and from non-recoverable VAT on domestic purchases, ready for
    :func:`price_effects`.

Assumptions (all functions)
---------------------------
Full pass-through of cost changes to prices (cost-plus pricing, no change in
margins); fixed technical coefficients (no substitution between inputs); no
quantity response (the price model is the dual of the quantity model and runs
separately from it); import prices and the prices of primary inputs other than
the shocked ones are fixed. The price effects are therefore upper bounds of
the first-round inflationary effect of a cost increase (or of the relief from a
cost decrease). Dietzenbacher (1997) shows that the Ghosh supply-side model,
read as a price model, gives the same relative changes (docs/math.md); the
test suite checks that equivalence.

References
----------
Miller, R.E. and Blair, P.D. (2009) *Input-Output Analysis: Foundations and
Extensions*, 2nd ed., Cambridge University Press, section 2.6.
Dietzenbacher, E. (1997) "In vindication of the Ghosh model: a
reinterpretation as a price model", *Journal of Regional Science* 37(4), 629-651.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from . import dims
from . import linalg as la
from .economy import HouseholdClosure
from .errors import IOModelWarning, LabelError, NotProductiveError, ValidationError
from .table import IOTable

__all__ = [
    "consumer_price_index",
    "price_effects",
    "sez_cost_change",
    "tax_on_intermediates",
]

Kind = Literal["type1", "type2"]

#: Unit of every relative change in this module's results.
RELATIVE = "relative change (1 = +100%)"
#: Tolerance on the base-year identity p' = v_c' L = i' (a table that passes
#: :meth:`IOTable.check` at ``rtol=1e-6`` can miss it by a few times 1e-6).
BASE_PRICE_ATOL = 1e-5

ASSUMPTIONS = (
    "full pass-through of costs to prices; fixed technical coefficients; no quantity response; "
    "import prices and untouched primary-input prices fixed"
)
_SOURCE = "Miller & Blair (2009) section 2.6; docs/price.md"


# --------------------------------------------------------------------------- helpers
def _check_convention(table: IOTable) -> None:
    conv = table.meta.import_convention
    if conv not in ("domestic", "total"):
        raise ValidationError(
            f"the price model needs the 'domestic' or 'total' import convention; table "
            f"{table.meta.name!r} uses {conv!r}, whose coefficients (flows / (output + imports)) do "
            "not add up to one with the primary inputs; use table.with_import_convention('domestic')"
        )


def _primary_costs(table: IOTable) -> np.ndarray:
    r"""Primary-input coefficients :math:`v_c` per unit of output under the table's convention.

    Domestic convention: value added + imported intermediate inputs + net
    product taxes. Total convention: imports are in :math:`A`, so value added
    + net product taxes.
    """
    arr = table.arrays
    total = arr.value_added.sum(axis=0) + arr.product_taxes
    if table.meta.import_convention == "domestic":
        total = total + arr.imports.sum(axis=0)
    return total * arr.inv_output


def _check_base_prices(table: IOTable, fac: la.LeontiefFactor | la.KrylovSolver, v: np.ndarray) -> np.ndarray:
    """Base prices ``v_c' L``; warn when they are not ones (unbalanced columns)."""
    p0 = fac.solve_transposed(v)
    dev = np.abs(p0 - 1.0)
    if dev.size and dev.max() > BASE_PRICE_ATOL:
        i = int(np.argmax(dev))
        warnings.warn(
            f"table {table.meta.name!r}: base prices v_c'L differ from 1 by up to {dev[i]:.3g} "
            f"(sector {table.sectors[i]!r}); the columns do not balance, so price changes are not "
            "exactly relative changes",
            IOModelWarning,
            stacklevel=3,
        )
    return p0


def _label_hint(table: IOTable, labels: list[Any]) -> str:
    as_str = [str(u) for u in labels if not isinstance(u, str) and str(u) in table.sectors]
    return f"; sector labels are strings, e.g. {as_str[0]!r}" if as_str else ""


def _align(obj: Any, table: IOTable, what: str, *, frame: bool = False) -> pd.Series | pd.DataFrame:
    """Reindex a Series (or a sector x scenario DataFrame) to the sectors; missing sectors are 0."""
    if not (isinstance(obj, pd.Series) or (frame and isinstance(obj, pd.DataFrame))):
        want = "a pandas Series by sector" + (
            " or a DataFrame sector x scenario (or an xarray DataArray over sector and scenario)" if frame else ""
        )
        raise ValidationError(f"{what} must be {want}, got {type(obj).__name__}")
    idx = pd.Index(obj.index)
    if idx.has_duplicates:
        raise LabelError(f"{what}: duplicated sector label(s) {idx[idx.duplicated()].unique().tolist()[:10]}")
    unknown = idx.difference(table.sectors, sort=False)
    if len(unknown):
        bad = unknown.tolist()
        raise LabelError(
            f"{what}: unknown sector label(s) {bad[:10]} for table {table.meta.name!r}"
            f"{_label_hint(table, bad)}; valid labels are e.g. {table.sectors.tolist()[:8]}"
        )
    try:
        vals = obj.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{what} holds non-numeric values: {exc}") from None
    bad_rows = ~np.isfinite(vals) if vals.ndim == 1 else ~np.isfinite(vals).all(axis=1)
    if bad_rows.any():
        raise ValidationError(f"{what} is NaN or infinite for sector(s) {idx[bad_rows].tolist()[:10]}")
    return obj.astype(float).reindex(table.sectors, fill_value=0.0)


def _shock_frame(delta_cost: xr.DataArray, what: str) -> pd.Series | pd.DataFrame:
    """A shock given as a DataArray over ``sector`` (and ``scenario``) as a Series (or sector x scenario frame)."""
    if dims.SECTOR not in delta_cost.dims:
        raise ValidationError(f"{what} has no {dims.SECTOR!r} dimension (dims {delta_cost.dims})")
    if delta_cost.ndim == 1:
        return delta_cost.to_series().rename(delta_cost.name)
    if delta_cost.ndim == 2 and dims.SCENARIO in delta_cost.dims:
        return delta_cost.transpose(dims.SECTOR, dims.SCENARIO).to_pandas()
    raise ValidationError(
        f"{what} must have dims ('sector',) or ('scenario', 'sector'), got {delta_cost.dims}; "
        "stack several shocks along 'scenario'"
    )


def _check_rates(rates: pd.Series, what: str, *, lower: float, lower_open: bool) -> None:
    """Rates are fractions: ``lower < r < 1`` (or ``lower <= r < 1``)."""
    r = rates.to_numpy()
    low = r <= lower if lower_open else r < lower
    bad = low | (r >= 1.0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        op = "<" if lower_open else "<="
        raise ValidationError(
            f"{what} for sector(s) {rates.index[bad].tolist()[:10]} outside {lower:g} {op} rate < 1 "
            f"(first {rates.index[i]!r}: {r[i]:.6g}); rates are fractions, 0.12 for 12%"
        )


def _check_kind(kind: str) -> None:
    if kind not in ("type1", "type2"):
        raise ValidationError(f"unknown price model kind {kind!r}; valid options are 'type1', 'type2'")


def _variable(values: np.ndarray, dims_: tuple[str, ...], units: str, long_name: str) -> xr.Variable:
    return xr.Variable(dims_, values, attrs={"units": units, "long_name": long_name})


# --------------------------------------------------------------------------- price effects
def price_effects(
    table: IOTable,
    delta_cost: xr.DataArray | pd.Series | pd.DataFrame,
    *,
    kind: Kind = "type1",
    closure: HouseholdClosure | None = None,
) -> xr.Dataset:
    r"""Relative price changes caused by a change in primary-input cost per unit of output.

    The cost-push (Leontief price) model, Miller & Blair (2009) section 2.6,
    docs/price.md:

    .. math::

        \Delta p' = \Delta v_c' L,

    computed as the transposed solve :math:`(I - A)'\Delta p = \Delta v_c`
    on the table's cached factorisation (no inverse is formed). Base-year
    prices are ones (:math:`v_c'L = \mathbf i'`), so :math:`\Delta p_j` is
    the relative change of product :math:`j`'s basic price. The result splits
    into the ``direct`` effect (the shock itself, :math:`\Delta v_c`) and the
    ``indirect`` effect passed on through intermediate purchases,
    :math:`\Delta v_c'(L - I)`.

    With ``kind="type2"`` the model is closed for households: the wage rate
    is indexed to the price of the households' domestic consumption basket
    given by ``closure`` (the price dual of the Type II quantity model,
    :math:`[\Delta p', \Delta p_h] = [\Delta v_c', 0]\,\bar L`). The extra
    ``induced`` effect is :math:`\Delta v_c'(\bar L_{11} - L)` and
    ``wage_change`` is :math:`\Delta p_h = \Delta v_c'\bar L_{12}`. This is a
    wage-price spiral under full indexation, an upper bound.

    Parameters
    ----------
    table
        The input-output table (``"domestic"`` or ``"total"`` import convention).
    delta_cost
        Change in primary-input cost per unit of output by sector (currency per
        currency unit of output, e.g. ``+0.01`` for a new tax of 1% of output):
        a DataArray over ``sector`` such as the result of
        :func:`sez_cost_change`, or a Series; for several shocks at once a
        DataArray over ``scenario`` and ``sector`` or a DataFrame sector x
        scenario. Missing sectors are 0; unknown labels raise. The attributes
        of a DataArray (e.g. the SEZ parameters) are kept in the result's
        ``attrs`` with the prefix ``shock_``.
    kind
        ``"type1"`` (open model, default) or ``"type2"`` (wages indexed, see above).
    closure
        Household closure for ``"type2"`` (default: the closure of the table's
        economy, else the textbook :class:`~iomodel.HouseholdClosure`); an
        error with ``"type1"``.

    Returns
    -------
    xarray.Dataset
        Over ``sector`` (and ``scenario`` for a DataFrame): ``price_change``,
        ``direct``, ``indirect`` (and ``induced``, ``wage_change`` for
        Type II), each with ``units`` and ``long_name``; the table's metadata
        and the parameters in ``attrs``.

    Raises
    ------
    LabelError
        ``delta_cost`` names a sector the table does not have.
    ValidationError
        NaN or infinite shocks, an unknown ``kind``, a ``closure`` with
        ``"type1"``, or the ``"bureau"`` convention.

    Warns
    -----
    IOModelWarning
        If the base prices :math:`v_c'L` differ from one by more than
        :data:`BASE_PRICE_ATOL` (the table's columns do not balance).

    Examples
    --------
    A cost increase of 0.1 per unit of agricultural output in the Miller &
    Blair example raises the agricultural price by 12.5% and the
    manufacturing price by 3.3% (the first row of :math:`L`):

    >>> import pandas as pd
    >>> import iomodel as iom
    >>> from iomodel.price import price_effects
    >>> t = iom.datasets.miller_blair()
    >>> ds = price_effects(t, pd.Series({"agriculture": 0.1}))
    >>> ds.price_change.values.round(4)
    array([0.1254, 0.033 ])
    >>> ds.indirect.values.round(4)
    array([0.0254, 0.033 ])
    """
    _check_kind(kind)
    if closure is not None and kind != "type2":
        raise ValidationError("closure applies to kind='type2' only; pass kind='type2' or drop closure")
    _check_convention(table)
    shock_attrs: dict[str, Any] = {}
    if isinstance(delta_cost, xr.DataArray):
        meta_keys = set(table.meta.attrs())
        shock_attrs = {f"shock_{k}": v for k, v in delta_cost.attrs.items() if k not in meta_keys and k != "units"}
        delta_cost = _shock_frame(delta_cost, "delta_cost")
    dv = _align(delta_cost, table, "delta_cost", frame=True)
    fac = table.factor()
    _check_base_prices(table, fac, _primary_costs(table))
    D = dv.to_numpy().T  # (n,) or (k, n)
    total1 = fac.solve_transposed(D)
    if isinstance(dv, pd.DataFrame):
        vdims: tuple[str, ...] = (dims.SCENARIO, dims.SECTOR)
        coords: dict[str, Any] = {
            dims.SCENARIO: np.asarray(dv.columns.astype(str)),
            dims.SECTOR: table.sectors.to_numpy(),
        }
        sdims: tuple[str, ...] = (dims.SCENARIO,)
    else:
        vdims = (dims.SECTOR,)
        coords = {dims.SECTOR: table.sectors.to_numpy()}
        sdims = ()
    total = total1
    extra: dict[str, xr.Variable] = {}
    attrs: dict[str, Any] = {}
    if kind == "type2":
        if closure is None:
            closure = table.economy.closure if table.economy is not None else HouseholdClosure()
        cl = table.closed(closure)
        total = cl.multiplier_rows(D).reshape(D.shape)
        extra["induced"] = _variable(
            total - total1, vdims, RELATIVE, "induced effect through indexed wages, dv'(Lbar11 - L)"
        )
        extra["wage_change"] = _variable(
            np.asarray((D @ cl.u) / cl.s), sdims, RELATIVE, "relative change of the wage rate, dv' Lbar12"
        )
        attrs.update(closure.attrs())
    data = {
        "price_change": _variable(total, vdims, RELATIVE, "relative change of the basic price of each product"),
        "direct": _variable(D.copy(), vdims, RELATIVE, "direct effect: the cost shock itself, dv"),
        "indirect": _variable(
            total1 - D, vdims, RELATIVE, "indirect effect through intermediate purchases, dv'(L - I)"
        ),
        **extra,
    }
    unit = table.meta.unit
    shock_name = getattr(delta_cost, "name", None)
    attrs = {
        **table.meta.attrs(),
        "model": "Leontief price model (cost push)",
        "method": _SOURCE,
        "kind": kind,
        "shock": "change in primary-input cost per unit of output",
        "shock_unit": f"{unit} per {unit} of output",
        "shock_name": "" if shock_name is None else str(shock_name),
        "base_prices": "1 (p' = v_c' L = i')",
        "assumptions": ASSUMPTIONS,
        **shock_attrs,
        **attrs,
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


# --------------------------------------------------------------------------- intermediate taxes
def tax_on_intermediates(
    table: IOTable,
    rates: pd.Series,
    *,
    include_imports: bool = True,
) -> xr.Dataset:
    r"""Prices under an ad valorem non-deductible tax on intermediate purchases by product.

    A tax :math:`\tau_i` on every intermediate purchase of product :math:`i`
    (non-deductible: the buyer cannot recover it, so it is a cost) changes the
    price equations to (docs/price.md, own derivation)

    .. math::

        p' = p'(I + \hat\tau)A + v' + \tau' A^m
        \quad\Rightarrow\quad
        p' = (v' + \tau' A^m)\big(I - (I + \hat\tau)A\big)^{-1},

    with :math:`v` the base primary-input coefficients and :math:`A^m` the
    imported-input coefficients (import prices fixed; the last term only with
    ``include_imports`` under the domestic convention; under the ``"total"``
    convention imported inputs are already in :math:`A`). With
    ``include_imports=False`` this is exactly the textbook :math:`p' =
    v'(I - (I + \hat\tau)A)^{-1}`. The system is solved on a new
    factorisation of :math:`I - (I + \hat\tau)A` (:func:`iomodel.linalg.factorize`).
    The price index is relative to the base prices :math:`p_0' = v'L` (ones
    on a balanced table).

    A negative rate removes part of a tax that is already in the table, e.g. an
    exemption from non-deductible VAT. The table records only the *non-deductible*
    product taxes on intermediate use (its ``product_taxes`` row), so the
    rates must represent that part: a warning names the sectors for which the
    rates remove more product taxes than the table records.

    Parameters
    ----------
    table
        The input-output table (``"domestic"`` or ``"total"`` import convention).
    rates
        :math:`\tau_i` by product, fractions in ``(-1, 1)`` (0.12 for 12%).
        Missing products are 0.
    include_imports
        Tax imported intermediate purchases of the product too (default;
        needs an import-use matrix when the table has imports). Under the
        ``"total"`` convention imported inputs are in :math:`A` and always taxed.

    Returns
    -------
    xarray.Dataset
        Over ``sector``: ``price`` (index, base = 1), ``price_change``
        (``price - 1``) and ``rate``; the table's metadata and the parameters
        in ``attrs``.

    Raises
    ------
    LabelError
        ``rates`` names an unknown product.
    ValidationError
        NaN rates, rates outside ``(-1, 1)``, no import-use matrix with
        ``include_imports``, or ``include_imports=False`` under the ``"total"``
        convention.
    NotProductiveError
        :math:`(I + \hat\tau)A` is not productive.

    Warns
    -----
    IOModelWarning
        Negative rates remove more product taxes from a sector than the table
        records for it.

    Examples
    --------
    A 10% tax on intermediate purchases of manufactured goods in the Miller &
    Blair example; checked against the explicit inverse:

    >>> import numpy as np
    >>> import pandas as pd
    >>> import iomodel as iom
    >>> from iomodel.price import tax_on_intermediates
    >>> t = iom.datasets.miller_blair()
    >>> ds = tax_on_intermediates(t, pd.Series({"manufacturing": 0.10}))
    >>> ds.price_change.values.round(4)
    array([0.0267, 0.0124])
    >>> A = t.A.to_numpy(); v = np.array([0.65, 0.70])
    >>> (v @ np.linalg.inv(np.eye(2) - np.diag([1.0, 1.1]) @ A) - 1).round(4)
    array([0.0267, 0.0124])
    """
    _check_convention(table)
    tau = _align(rates, table, "rates")
    _check_rates(tau, "rates", lower=-1.0, lower_open=True)
    t = tau.to_numpy()
    n = table.n
    arr = table.arrays
    inv_x = arr.inv_output
    v = _primary_costs(table)
    p0 = _check_base_prices(table, table.factor(), v)

    conv = table.meta.import_convention
    if conv == "total" and not include_imports:
        raise ValidationError(
            "include_imports=False needs the 'domestic' import convention: under 'total' "
            "coefficients imported inputs are part of A and are taxed with it"
        )
    imported = "not taxed"
    extra = np.zeros(n)
    has_imports = len(table.imports.index) > 0 and bool(np.any(table.imports.to_numpy()))
    if include_imports and has_imports:
        if conv == "total":
            imported = "taxed, priced like domestic output (total coefficients)"
        elif not table.has_import_use:
            raise ValidationError(
                f"include_imports needs imports by product (an import-use matrix); table "
                f"{table.meta.name!r} has a single imports row; pass include_imports=False"
            )
        else:
            extra = t @ (table.imports.to_numpy() * inv_x[np.newaxis, :])
            imported = "taxed, at fixed import prices"

    # Sanity check of tax removals against the product taxes the table records.
    if (t < 0).any():
        purchases = table.Z.to_numpy()
        if include_imports and table.has_import_use:
            purchases = purchases + table.imports.to_numpy()
        removed = -(np.minimum(t, 0.0) @ purchases)
        recorded = table.product_taxes.to_numpy()
        over = removed > recorded * (1.0 + 1e-9) + 1e-12 * np.abs(table.output.to_numpy())
        if over.any():
            j = int(np.argmax(np.where(over, removed - recorded, -np.inf)))
            warnings.warn(
                f"table {table.meta.name!r}: the negative rates remove more product taxes than the "
                f"table records for sector(s) {table.sectors[over].tolist()[:10]} (e.g. "
                f"{table.sectors[j]!r}: {removed[j]:.6g} removed, {recorded[j]:.6g} recorded, "
                f"{table.meta.unit}); the table holds only non-deductible taxes on intermediate use",
                IOModelWarning,
                stacklevel=2,
            )

    A_tau = arr.A * (1.0 + t)[:, np.newaxis]  # a new writable array, factorised in place
    try:
        fac = la.factorize(A_tau, overwrite_a=True)
    except NotProductiveError as exc:
        raise NotProductiveError(
            f"table {table.meta.name!r}: the rates make (I + tau-hat) A non-productive "
            f"({exc}); the largest rates are on {tau.sort_values().index[-3:].tolist()[::-1]}",
            positions=exc.positions,
        ) from None
    p = fac.solve_transposed(v + extra)
    price = p / p0
    sd = (dims.SECTOR,)
    data = {
        "price": _variable(price, sd, "index (base year = 1)", "basic price relative to the base year"),
        "price_change": _variable(price - 1.0, sd, RELATIVE, "relative change of the basic price"),
        "rate": _variable(
            t.copy(),
            sd,
            "fraction (0.12 = 12%)",
            "non-deductible ad valorem tax on intermediate purchases of the product",
        ),
    }
    attrs = {
        **table.meta.attrs(),
        "model": "Leontief price model with a tax on intermediate purchases",
        "method": _SOURCE + "; p' = (v' + tau'A^m)(I - (I + tau-hat)A)^-1",
        "include_imports": int(include_imports),
        "imported_inputs": imported,
        "base_prices": "1 (p' = v_c' L = i')",
        "assumptions": ASSUMPTIONS,
    }
    return xr.Dataset(data, coords={dims.SECTOR: table.sectors.to_numpy()}, attrs=attrs)


# --------------------------------------------------------------------------- consumer prices
def _price_array(table: IOTable, price_change: Any) -> tuple[xr.DataArray, dict[str, Any]]:
    """The domestic price changes as a DataArray over the table's sectors (plus any other dims)."""
    src: dict[str, Any] = {}
    if isinstance(price_change, xr.Dataset):
        if "price_change" not in price_change:
            raise ValidationError(
                "price_change Dataset has no 'price_change' variable; pass the result of "
                "price_effects or tax_on_intermediates, or a DataArray / Series"
            )
        src = dict(price_change.attrs)
        price_change = price_change["price_change"]
    if isinstance(price_change, pd.Series):
        s = _align(price_change, table, "price_change")
        return xr.DataArray(s.to_numpy(), dims=(dims.SECTOR,), coords={dims.SECTOR: table.sectors.to_numpy()}), src
    if not isinstance(price_change, xr.DataArray):
        raise ValidationError(
            f"price_change must be a price_effects / tax_on_intermediates result, an xarray "
            f"DataArray or a pandas Series by sector, got {type(price_change).__name__}"
        )
    if dims.SECTOR not in price_change.dims:
        raise ValidationError(f"price_change has no {dims.SECTOR!r} dimension (dims {price_change.dims})")
    have = pd.Index(price_change[dims.SECTOR].values)
    unknown = have.difference(table.sectors, sort=False)
    if len(unknown):
        bad = unknown.tolist()
        raise LabelError(
            f"price_change: unknown sector label(s) {bad[:10]} for table {table.meta.name!r}{_label_hint(table, bad)}"
        )
    if have.has_duplicates:
        raise LabelError("price_change has duplicated sector labels")
    da = price_change.astype(float)
    finite = xr.apply_ufunc(np.isfinite, da).all([d for d in da.dims if d != dims.SECTOR])
    if not bool(finite.all()):
        raise ValidationError(f"price_change is NaN or infinite for sector(s) {have[~finite.values].tolist()[:10]}")
    da = da.reindex({dims.SECTOR: table.sectors.to_numpy()}, fill_value=0.0)
    return da.drop_vars([c for c in da.coords if c not in da.dims]), src


def consumer_price_index(
    table: IOTable,
    price_change: xr.Dataset | xr.DataArray | pd.Series,
    *,
    category: str = "households",
    consumer_tax_rates: pd.Series | None = None,
) -> xr.Dataset:
    r"""The consumer-price (CPI) effect of a change in domestic basic prices.

    docs/price.md. The purchaser's price of product :math:`i` is
    :math:`q_i = (s^d_i p_i + s^m_i p^m_i)(1 + \tau^c_i)`, with :math:`s^d_i`
    and :math:`s^m_i = 1 - s^d_i` the domestic and imported shares of the
    category's consumption of :math:`i` in the table, import prices
    :math:`p^m_i = 1` fixed and consumer tax rates :math:`\tau^c_i` fixed.
    The Laspeyres index with base-year quantities changes by

    .. math::

        \Delta\pi = \sum_i w_i \frac{\Delta q_i}{q_i}
                  = \sum_i w_i\, s^d_i\, \Delta p_i,\qquad
        w_i = \frac{(c^d_i + c^m_i)(1 + \tau^c_i)}{\sum_k (c^d_k + c^m_k)(1 + \tau^c_k)},

    where :math:`c^d` and :math:`c^m` are the category's domestic and imported
    consumption at basic prices (``final_demand`` and ``imports_final``) and
    the budget shares :math:`w` sum to one. Consumer taxes change the weights,
    not the relative price changes. Trade and transport margins are products
    of their own in a basic-price table and carry their own price changes.

    Parameters
    ----------
    table
        The input-output table.
    price_change
        Relative changes of domestic basic prices: the result of
        :func:`price_effects` or :func:`tax_on_intermediates` (its
        ``price_change`` variable is used), a DataArray with a ``sector``
        dimension (other dimensions, e.g. ``scenario``, are kept) or a Series.
        Missing sectors are 0.
    category
        Final-demand category whose basket is priced (default ``"households"``).
    consumer_tax_rates
        Net taxes on products in final consumption per unit of basic value,
        by product, fractions in ``(-1, 1)`` (default none: weights at basic prices).

    Returns
    -------
    xarray.Dataset
        ``cpi_change`` (the index change, scalar or per scenario) and, by
        sector, ``weight`` (budget shares, sum 1), ``domestic_share``
        (:math:`s^d`, 0 where the category buys none of the product),
        ``price_change`` (:math:`\Delta p`), ``consumer_price_change``
        (:math:`s^d\Delta p`) and ``contribution`` (:math:`w s^d \Delta p`).

    Raises
    ------
    LabelError
        Unknown category or sector labels.
    ValidationError
        NaN inputs, rates outside ``(-1, 1)``, negative or zero consumption.

    Examples
    --------
    In the Miller & Blair example households buy 40 of agriculture and 320 of
    manufacturing (weights 1/9 and 8/9):

    >>> import pandas as pd
    >>> import iomodel as iom
    >>> from iomodel.price import consumer_price_index, price_effects
    >>> t = iom.datasets.miller_blair()
    >>> cpi = consumer_price_index(t, price_effects(t, pd.Series({"agriculture": 0.1})))
    >>> cpi.weight.values.round(4)
    array([0.1111, 0.8889])
    >>> round(float(cpi.cpi_change), 4)
    0.0433
    """
    if category not in table.categories:
        raise LabelError(
            f"category {category!r} not in the final demand of table {table.meta.name!r}; "
            f"valid options are {table.categories.tolist()}"
        )
    dp, src = _price_array(table, price_change)
    n = table.n
    c_d = table.final_demand[category].to_numpy()
    c_m = table.imports_final[category].to_numpy() if table.has_import_use else np.zeros(n)
    for what, c in (("domestic", c_d), ("imported", c_m)):
        if (c < 0).any():
            raise ValidationError(
                f"{what} consumption of category {category!r} is negative for product(s) "
                f"{table.sectors[c < 0].tolist()[:10]}; budget shares are undefined"
            )
    if consumer_tax_rates is None:
        tc = np.zeros(n)
    else:
        rates = _align(consumer_tax_rates, table, "consumer_tax_rates")
        _check_rates(rates, "consumer_tax_rates", lower=-1.0, lower_open=True)
        tc = rates.to_numpy()
    c = c_d + c_m
    value = c * (1.0 + tc)
    total = float(value.sum())
    if not total > 0.0:
        raise ValidationError(
            f"consumption of category {category!r} in table {table.meta.name!r} is {total:.6g}; "
            "a price index needs positive consumption"
        )
    w = value / total
    s_d = np.divide(c_d, c, out=np.zeros(n), where=c > 0)
    sec = {dims.SECTOR: table.sectors.to_numpy()}
    w_da = xr.DataArray(w, dims=(dims.SECTOR,), coords=sec)
    sd_da = xr.DataArray(s_d, dims=(dims.SECTOR,), coords=sec)
    dq = dp * sd_da
    contrib = dq * w_da
    cpi = contrib.sum(dims.SECTOR)

    def var(da: xr.DataArray, units: str, long_name: str) -> xr.DataArray:
        return da.assign_attrs(units=units, long_name=long_name)

    data = {
        "cpi_change": var(cpi, RELATIVE, f"change of the {category} price index (Laspeyres)"),
        "weight": var(w_da, "share", f"budget share of each product in {category} consumption"),
        "domestic_share": var(sd_da, "share", "domestic share of the category's consumption of the product"),
        "price_change": var(dp, RELATIVE, "relative change of the domestic basic price"),
        "consumer_price_change": var(dq, RELATIVE, "relative change of the purchaser's price"),
        "contribution": var(contrib, RELATIVE, "contribution to the index change, w s_d dp"),
    }
    attrs = {
        **table.meta.attrs(),
        "model": "consumer price index of a Leontief price change",
        "method": "docs/price.md: dpi = sum_i w_i s_d_i dp_i",
        "category": category,
        "consumer_tax_rates": ("none" if consumer_tax_rates is None else "given (weights at purchasers' prices)"),
        "index": "Laspeyres, base-year budget shares",
        "import_prices": "unchanged",
        "price_model": str(src.get("model", "")),
        "price_model_kind": str(src.get("kind", "")),
        "assumptions": ASSUMPTIONS,
    }
    return xr.Dataset(data, attrs=attrs)


# --------------------------------------------------------------------------- SEZ helper
def _fraction(value: Any, what: str, *, upper_open: bool) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} must be a number, got {value!r}") from None
    ok = np.isfinite(f) and f >= 0.0 and (f < 1.0 if upper_open else f <= 1.0)
    if not ok:
        rng = "[0, 1)" if upper_open else "[0, 1]"
        raise ValidationError(f"{what} must be a fraction in {rng} (0.05 for 5%), got {value!r}")
    return f


def sez_cost_change(
    table: IOTable,
    sector: Any,
    *,
    share: float,
    customs_duty_rate: float = 0.0,
    vat_nonrecoverable_rate: float = 0.0,
) -> xr.DataArray:
    r"""Change in cost per unit of output of a sector when part of it produces in an SEZ.

    A share :math:`\sigma` of sector :math:`s`'s output is produced in a
    special economic zone whose participants are exempt from customs duties on
    imported inputs (free customs zone) and from VAT they could not recover on
    domestic purchases (docs/fiscal.md):

    .. math::

        \Delta v_{c,s} = -\sigma\left(\tau^{CD} m_s + \tau^{VAT,nr} d_s\right),

    with :math:`m_s` the imported intermediate inputs and :math:`d_s` the
    domestic intermediate inputs of :math:`s` per unit of output (``imports``
    and ``Z`` columns over output). Pass the result to :func:`price_effects`.

    Assumptions: full pass-through of the cost saving to the sector's price;
    SEZ producers have the sector's average input structure (fixed
    coefficients); buyers pay the sector's average price, so the zone's
    saving lowers the price of the whole product by its output share (no
    split of the sector into SEZ and non-SEZ parts); no quantity response
    (the zone's output share is fixed). ``customs_duty_rate`` is the
    *effective* duty on the sector's imported inputs (EAEU imports pay none);
    add import VAT that the zone relieves and the producer would not recover.
    ``vat_nonrecoverable_rate`` is the VAT rate times the part of input VAT
    that is not credited (zero for a fully registered taxable producer,
    whose exemption is only a cash-flow effect; docs/fiscal.md).

    Parameters
    ----------
    table
        The input-output table.
    sector
        Label of the sector (product) with SEZ producers.
    share
        Share of the sector's output produced in the zone, in ``[0, 1]``.
    customs_duty_rate
        Effective customs duty on imported intermediate inputs, in ``[0, 1)``.
    vat_nonrecoverable_rate
        Non-recoverable VAT per unit of domestic intermediate purchases, in ``[0, 1)``.

    Returns
    -------
    xarray.DataArray
        ``delta_cost`` over ``sector`` (zero except ``sector``; negative = cost
        falls) in the table's unit per unit of output; ``attrs``: the units,
        the table's metadata, the parameters, the inputs per unit of output
        and the two components.

    Raises
    ------
    LabelError
        Unknown ``sector``.
    ValidationError
        ``share`` outside ``[0, 1]``, rates outside ``[0, 1)``, zero output.

    Examples
    --------
    Half of manufacturing in a zone, non-recoverable VAT of 12% on domestic
    inputs (0.30 per unit of output in the Miller & Blair table):

    >>> import iomodel as iom
    >>> from iomodel.price import price_effects, sez_cost_change
    >>> t = iom.datasets.miller_blair()
    >>> dv = sez_cost_change(t, "manufacturing", share=0.5, vat_nonrecoverable_rate=0.12)
    >>> dv.values.round(4)
    array([ 0.   , -0.018])
    >>> dv.attrs["units"], round(dv.attrs["vat_component"], 4)
    ('dollars per dollars of output', -0.018)
    >>> price_effects(t, dv).price_change.values.round(4)
    array([-0.0048, -0.0202])
    """
    if sector not in table.sectors:
        raise LabelError(
            f"sector {sector!r} not in table {table.meta.name!r}{_label_hint(table, [sector])}; "
            f"valid labels are e.g. {table.sectors.tolist()[:8]}"
        )
    sh = _fraction(share, f"share (of sector {sector!r}'s output in the zone)", upper_open=False)
    duty = _fraction(customs_duty_rate, "customs_duty_rate", upper_open=True)
    vat = _fraction(vat_nonrecoverable_rate, "vat_nonrecoverable_rate", upper_open=True)
    j = int(table.sectors.get_loc(sector))
    x_j = float(table.output.iloc[j])
    if not x_j > 0.0:
        raise ValidationError(f"sector {sector!r} has output {x_j:.6g}; its cost per unit is undefined")
    arr = table.arrays
    m_j = float(arr.imports[:, j].sum()) / x_j
    d_j = float(arr.Z[:, j].sum()) / x_j
    customs = -sh * duty * m_j
    vat_part = -sh * vat * d_j
    values = np.zeros(table.n)
    values[j] = customs + vat_part
    unit = table.meta.unit
    return xr.DataArray(
        values,
        dims=(dims.SECTOR,),
        coords={dims.SECTOR: table.sectors.to_numpy()},
        name="delta_cost",
        attrs={
            **table.meta.attrs(),
            "units": f"{unit} per {unit} of output",
            "long_name": "change in primary-input cost per unit of output (SEZ exemptions)",
            "model": "SEZ cost change, -share (customs_duty_rate m_s + vat_nonrecoverable_rate d_s)",
            "method": "docs/fiscal.md",
            "sector": str(sector),
            "share": sh,
            "customs_duty_rate": duty,
            "vat_nonrecoverable_rate": vat,
            "imported_inputs_per_unit": m_j,
            "domestic_inputs_per_unit": d_j,
            "customs_component": customs,
            "vat_component": vat_part,
        },
    )
