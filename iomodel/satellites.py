r"""Satellite accounts: splitting section data to products, calibrating tax rates.

Two operations build the satellite accounts of a table from published statistics:

* :func:`split_to_products` distributes totals known by a coarser
  classification (e.g. employment by OKED/NACE section from the Labour Force
  Survey) to the table's products in proportion to a key (by default
  compensation of employees), so that each section total is reproduced exactly;
* :func:`calibrate_tax` turns a budget revenue total into an *effective* rate
  on a base from the table (operating surplus for corporate income tax,
  compensation for personal income tax and social tax, output or exports for
  resource taxes), docs/fiscal.md: :math:`t^k_j = \tau^{k,eff} B^k_j`
  with :math:`\tau^{k,eff} = R^k / \sum_j B^k_j`.

* :func:`pay_adjusted_key` turns compensation into a key proportional to the
  number of jobs, :math:`W_i / w_i` with :math:`w_i` an average wage, for
  :func:`split_to_products` when wages by product or division are known;
* :func:`jobs_per_output` gives jobs per unit of output (per billion of the
  table's currency by default), the labour intensity of each product;
* :func:`attribute_product_taxes` attributes the budget revenue of taxes on
  products (VAT, excise) to the domestic uses of a table in proportion to the
  table's net product taxes on each use, and expresses each use's part as a
  rate on a base (docs/fiscal.md, the :math:`\tau^f` of final use).

All are pure functions on pandas objects; the results are attached to a
table with :meth:`iomodel.IOTable.with_satellites` and
:meth:`iomodel.IOTable.with_taxes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import xarray as xr

from . import units
from .dims import SECTOR
from .errors import LabelError, ValidationError
from .table import IOTable

__all__ = [
    "TaxCalibration",
    "attribute_product_taxes",
    "calibrate_tax",
    "jobs_per_output",
    "pay_adjusted_key",
    "split_to_products",
]


def split_to_products(
    totals: pd.Series,
    sections: pd.Series,
    key: pd.Series,
    *,
    aliases: Mapping[str, str] | None = None,
) -> pd.Series:
    r"""Distribute section totals to products in proportion to a key.

    For product :math:`i` in section :math:`s(i)`:
    :math:`e_i = E_{s(i)}\, k_i / \sum_{j \in s(i)} k_j`.

    Parameters
    ----------
    totals
        Totals by section code (e.g. employed persons by OKED section).
    sections
        Section code of each product (index: product codes).
    key
        Non-negative distribution key by product (e.g. compensation).
    aliases
        Sections of ``sections`` whose totals are published inside another
        section, e.g. ``{"T": "S"}`` when household employers are counted with
        other services: their products share the other section's total.

    Returns
    -------
    pandas.Series
        Values by product; each section's products sum to its total.

    Raises
    ------
    LabelError
        A product has no section, a section has no total, or a total's section
        has no product (its total would be lost).
    ValidationError
        Negative or non-finite keys or totals, or a section whose key sums to zero.

    Examples
    --------
    >>> tot = pd.Series({"A": 100.0, "B": 30.0})
    >>> sec = pd.Series({"01": "A", "02": "A", "05": "B"})
    >>> key = pd.Series({"01": 3.0, "02": 1.0, "05": 9.0})
    >>> split_to_products(tot, sec, key).tolist()
    [75.0, 25.0, 30.0]
    """
    aliases = dict(aliases or {})
    sec = sections.map(lambda s: aliases.get(s, s))
    missing_key = pd.Index(sec.index).difference(key.index)
    if len(missing_key):
        raise LabelError(f"key has no value for product(s) {missing_key.tolist()}")
    k = key.reindex(sec.index).astype(float)
    for name, s in (("key", k), ("totals", totals.astype(float))):
        if not np.all(np.isfinite(s.to_numpy())) or (s < 0).any():
            bad = s[~np.isfinite(s.to_numpy()) | (s < 0).to_numpy()].index.tolist()
            raise ValidationError(f"{name} must be finite and non-negative; offending: {bad[:10]}")
    no_total = sorted(set(sec) - set(totals.index))
    if no_total:
        raise LabelError(f"no total for section(s) {no_total}; pass aliases to fold them into another")
    unused = sorted(set(totals.index) - set(sec))
    if unused:
        raise LabelError(f"section(s) {unused} have totals but no product: their totals would be lost")
    ksum = k.groupby(sec).transform("sum")
    zero = ksum == 0
    if zero.any():
        raise ValidationError(
            f"distribution key sums to zero in section(s) {sorted(set(sec[zero]))}; choose another key"
        )
    out = totals.reindex(sec.to_numpy()).to_numpy() * (k / ksum).to_numpy()
    return pd.Series(out, index=sec.index, name=totals.name)


def pay_adjusted_key(
    compensation: pd.Series,
    sections: pd.Series,
    wages: pd.Series,
    *,
    wage_codes: Mapping[str, str] | pd.Series | None = None,
    aliases: Mapping[str, str] | None = None,
) -> pd.Series:
    r"""Distribution key proportional to jobs: compensation over the average wage.

    With :math:`W_i` the compensation of product :math:`i` and :math:`w_i` its
    average wage, :math:`W_i / w_i` is proportional to its number of jobs, so
    :func:`split_to_products` with this key gives

    .. math::

        e_i = E_{s(i)}\,\frac{W_i / w_i}{\sum_{j \in s(i)} W_j / w_j}.

    The wage of product :math:`i` is looked up in ``wages`` under its code in
    ``wage_codes`` (e.g. an OKED division) if it has one there, otherwise
    under the product code; a product without a wage takes the average wage of its section
    (``wages`` under the section code, the product's own or its alias). In a
    section where no product has a wage of its own the key is :math:`W_i`
    (every wage of the section is the same and cancels), the split by
    compensation. The wages' unit does not matter as long as it is one unit
    for all (e.g. KZT per month), since only ratios within a section enter.

    Parameters
    ----------
    compensation
        Compensation of employees by product.
    sections
        Section code of each product (index: product codes).
    wages
        Average wage by product, division or section code.
    wage_codes
        Code under which each product's wage is given in ``wages``, for
        products whose wage is by another classification (e.g.
        ``{"061": "06", "062": "06"}``).
    aliases
        Sections folded into another, as in :func:`split_to_products`: their
        products are compared with the other section's.

    Returns
    -------
    pandas.Series
        The key by product (index of ``sections``).

    Raises
    ------
    LabelError
        A code of ``wages`` matches no product, no code of ``wage_codes`` and
        no section; a section mixes products with and without a wage and has
        no average wage of its own; a product has no compensation.
    ValidationError
        A wage is not finite and positive (the message names the code).

    Examples
    --------
    Section A's 1,500 jobs: product 01 (compensation 30, wage 100) and 02
    (compensation 10, wage 50) have wages, 03 (compensation 20) takes the
    section's 80. Keys 0.3, 0.2 and 0.25 share the jobs 600 / 400 / 500,
    where compensation alone would give 750 / 250 / 500:

    >>> comp = pd.Series({"01": 30.0, "02": 10.0, "03": 20.0})
    >>> sec = pd.Series({"01": "A", "02": "A", "03": "A"})
    >>> key = pay_adjusted_key(comp, sec, pd.Series({"01": 100.0, "02": 50.0, "A": 80.0}))
    >>> key.tolist()
    [0.3, 0.2, 0.25]
    >>> split_to_products(pd.Series({"A": 1500.0}), sec, key).tolist()
    [600.0, 400.0, 500.0]
    """
    aliases = dict(aliases or {})
    codes = pd.Series(dict(wage_codes or {}), dtype=object)
    w = pd.Series(wages, dtype=float)
    bad = w[~np.isfinite(w.to_numpy()) | (w <= 0).to_numpy()].index.tolist()
    if bad:
        raise ValidationError(f"wages must be finite and positive; offending code(s): {bad}")
    missing = pd.Index(sections.index).difference(compensation.index)
    if len(missing):
        raise LabelError(f"compensation has no value for product(s) {missing.tolist()}")
    known = set(sections.index) | set(codes.astype(str)) | set(sections) | set(aliases.values())
    unmatched = [c for c in w.index if c not in known]
    if unmatched:
        raise LabelError(
            f"wage code(s) {unmatched} match no product, no code of wage_codes and no section; "
            "map products to them with wage_codes"
        )
    own: dict[str, float] = {}
    for prod in sections.index:
        code = codes.get(prod, prod)
        if code in w.index:
            own[prod] = float(w[code])
    group = sections.map(lambda s: aliases.get(s, s))
    out = compensation.reindex(sections.index).astype(float).copy()
    for g, prods in sections.index.to_series().groupby(group.to_numpy()):
        have = [p for p in prods if p in own]
        if not have:
            continue  # no product of the group has its own wage: the key is compensation
        for p in prods:
            if p in own:
                wage = own[p]
            elif sections[p] in w.index:
                wage = float(w[sections[p]])
            elif g in w.index:
                wage = float(w[g])
            else:
                lack = [q for q in prods if q not in own]
                raise LabelError(
                    f"section {g!r}: product(s) {lack} have no wage and the section has no average wage "
                    f"(products with a wage: {have}); give a wage for section {g!r}"
                )
            out[p] = out[p] / wage
    return out.rename("key")


def _per_word(per: str, table: IOTable, scales: Mapping[str, float]) -> str:
    """``per`` as one of ``scales``' words: ``"bn"`` and ``"bn KZT"`` alike (the currency must be the table's)."""
    text = " ".join(str(per).split())
    if text in scales:
        return text
    scale, currency = units.parse(text)
    own = units.parse(table.meta.unit or table.meta.currency or "unit")[1]
    word = {1.0: "unit", 1e3: "thousand", 1e6: "million", 1e9: "bn"}.get(scale)
    if currency != own or word is None:
        raise ValidationError(
            f"per={per!r} is not understood; valid options are {list(scales)} or e.g. 'bn {own}', 'million {own}'"
        )
    return word


def jobs_per_output(table: IOTable, *, per: str = "bn", indicator: str = "employment") -> xr.DataArray:
    """Jobs per unit of output of each product, per billion of the table's currency by default.

    :math:`e_i / x_i`, the direct employment coefficient, rescaled from the
    table's monetary unit (e.g. thousand KZT) to ``per`` units of its currency.

    Parameters
    ----------
    table
        A table with an employment satellite.
    per
        ``"unit"``, ``"thousand"``, ``"million"``, ``"bn"`` (or ``"billion"``),
        or with the currency as the rest of the package writes units
        (``"bn KZT"``, ``"million KZT"``): the amount of output the jobs are
        counted for.
    indicator
        The satellite row holding jobs (default ``"employment"``).

    Returns
    -------
    xarray.DataArray
        Over ``sector``; ``attrs["units"]`` e.g. ``"persons per 1 bn KZT of output"``.

    Raises
    ------
    LabelError
        The table has no satellite row ``indicator`` (names the rows it has).
    ValidationError
        ``per`` is not a valid option, or a sector has zero output (named).

    Examples
    --------
    >>> from iomodel.datasets import kazakhstan
    >>> j = jobs_per_output(kazakhstan(2024))
    >>> j.attrs["units"]
    'persons per 1 bn KZT of output'
    >>> round(float(j.sel(sector="28")), 1)   # machinery: 49 jobs per bn KZT of output
    49.0
    >>> m = jobs_per_output(kazakhstan(2024), per="million KZT")
    >>> m.attrs["units"], round(float(m.sel(sector="28")) * 1e3, 1)
    ('persons per 1 million KZT of output', 49.0)
    """
    scales = {"unit": 1.0, "thousand": 1e3, "million": 1e6, "bn": 1e9, "billion": 1e9}
    per = _per_word(per, table, scales)
    if indicator not in table.satellites.index:
        raise LabelError(
            f"table {table.meta.name!r} has no satellite {indicator!r}; it has {table.satellites.index.tolist()}"
        )
    scale, currency = units.parse(table.meta.unit or table.meta.currency or "unit")
    coef = table.coefficients("satellites").loc[indicator]  # jobs per table unit (raises on zero output)
    values = coef.to_numpy() * scales[per] / scale
    unit = table.meta.satellite_units.get(indicator, "jobs")
    amount = {"unit": "1", "thousand": "1 thousand", "million": "1 million", "bn": "1 bn", "billion": "1 bn"}[per]
    return xr.DataArray(
        values,
        coords={SECTOR: np.asarray(table.sectors, dtype=object)},
        dims=[SECTOR],
        name=f"{indicator}_per_output",
        attrs={"units": f"{unit} per {amount} {currency} of output", "table": table.meta.name},
    )


@dataclass(frozen=True)
class TaxCalibration:
    r"""Record of one calibrated effective tax rate (for provenance files).

    Attributes
    ----------
    tax
        Tax name as it appears in the table's tax block.
    base
        What the rate applies to (e.g. ``"net operating surplus, positive part"``).
    products
        Products whose base is taxed (``None``: all).
    revenue
        Revenue the rate reproduces, in the table's unit.
    rate
        The effective rate :math:`R / \sum B`.
    source
        Where the revenue figure comes from.
    """

    tax: str
    base: str
    products: tuple[str, ...] | None
    revenue: float
    rate: float
    source: str

    def to_dict(self) -> dict:
        """The record as a JSON-ready dict (``products`` a list, or ``"all"`` when ``None``)."""
        d = asdict(self)
        d["products"] = list(self.products) if self.products is not None else "all"
        return d


def calibrate_tax(
    base: pd.Series,
    revenue: float,
    *,
    tax: str,
    base_name: str,
    products: Iterable[str] | None = None,
    source: str = "",
) -> tuple[pd.Series, TaxCalibration]:
    r"""Effective rate that makes a tax on ``base`` reproduce ``revenue``.

    :math:`\tau = R / \sum_{j\in P} B_j` and :math:`t_j = \tau B_j` for
    products :math:`j \in P` (all products when ``products`` is None), zero
    elsewhere (docs/fiscal.md).

    Parameters
    ----------
    base
        Base by product, in the same unit as ``revenue``.
    revenue
        Revenue to reproduce.
    tax, base_name, source
        Labels for the calibration record.
    products
        Products that pay the tax.

    Returns
    -------
    tuple
        Tax by product (Series named ``tax``) and its :class:`TaxCalibration`.

    Raises
    ------
    LabelError
        Unknown products.
    ValidationError
        Non-finite or negative base, negative revenue, or a base that sums to zero.

    Examples
    --------
    >>> b = pd.Series({"a": 100.0, "b": 300.0, "c": 50.0})
    >>> t, rec = calibrate_tax(b, 40.0, tax="CIT", base_name="profit", products=["a", "b"])
    >>> t.tolist(), rec.rate
    ([10.0, 30.0, 0.0], 0.1)
    """
    if not np.isfinite(revenue) or revenue < 0:
        raise ValidationError(f"{tax}: revenue must be finite and non-negative, got {revenue}")
    b = base.astype(float)
    if not np.all(np.isfinite(b.to_numpy())) or (b < 0).any():
        bad = b[~np.isfinite(b.to_numpy()) | (b < 0).to_numpy()].index.tolist()
        raise ValidationError(f"{tax}: base {base_name!r} must be finite and non-negative at {bad[:10]}")
    mask = pd.Series(True, index=b.index)
    prods: tuple[str, ...] | None = None
    if products is not None:
        prods = tuple(products)
        unknown = [p for p in prods if p not in b.index]
        if unknown:
            raise LabelError(f"{tax}: unknown product(s) {unknown}")
        mask = pd.Series(b.index.isin(prods), index=b.index)
    total = float(b[mask].sum())
    if total <= 0:
        raise ValidationError(f"{tax}: base {base_name!r} sums to {total} over the taxed products")
    rate = revenue / total
    out = (b * rate).where(mask, 0.0).rename(tax)
    return out, TaxCalibration(
        tax=tax, base=base_name, products=prods, revenue=float(revenue), rate=float(rate), source=source
    )


def attribute_product_taxes(
    revenue: Mapping[str, float] | pd.Series,
    product_taxes: Mapping[str, float] | pd.Series,
    base: Mapping[str, float] | pd.Series,
) -> pd.DataFrame:
    r"""Attribute product-tax revenue to uses and express it as rates on a base.

    Each tax's revenue :math:`R^k` (e.g. VAT, excise) is shared among the uses
    :math:`u` of a table (intermediate use, household consumption, gross fixed
    capital formation, ...) in proportion to the table's net taxes on products
    on each use, :math:`T_u`, and the part of each use in ``base`` is divided
    by that use's base :math:`B_u` (docs/fiscal.md):

    .. math::

        s_u = \frac{T_u}{\sum_v T_v},\qquad R^k_u = s_u R^k,\qquad
        \tau^k_u = \frac{R^k_u}{B_u}.

    Pass only the uses that pay the taxes: exports, zero-rated for VAT, carry
    export duties rather than VAT or excise and are left out by the caller.

    Parameters
    ----------
    revenue
        Revenue by tax, in the unit of ``product_taxes``.
    product_taxes
        Net taxes on products by use (every use the revenue is shared among);
        each must be finite and non-negative, and their sum positive.
    base
        Base by use for the uses whose rates are wanted (a subset of the uses
        of ``product_taxes``), e.g. household final consumption at basic prices.

    Returns
    -------
    pandas.DataFrame
        One row per tax and use of ``base``, columns ``tax``, ``use``,
        ``revenue`` (the tax's total), ``share`` (:math:`s_u`), ``attributed``
        (:math:`R^k_u`), ``base`` (:math:`B_u`) and ``rate``
        (:math:`\tau^k_u`).

    Raises
    ------
    LabelError
        A use of ``base`` is not among the uses of ``product_taxes``.
    ValidationError
        Non-finite or negative product taxes or revenue, product taxes that sum
        to zero, or a non-positive base (the message names the item).

    Examples
    --------
    Net product taxes of 20 on intermediate use, 50 on households and 10 on
    investment (80 in all); households' share is 50 / 80 = 0.625, so of VAT
    revenue 60 they pay 37.5, a rate of 37.5 / 500 = 0.075 on their
    consumption of 500; of excise revenue 12 they pay 7.5, a rate of 0.015:

    >>> r = attribute_product_taxes(
    ...     {"VAT": 60.0, "excise": 12.0},
    ...     {"intermediate": 20.0, "households": 50.0, "gfcf": 10.0},
    ...     {"households": 500.0},
    ... )
    >>> r[["tax", "use", "share", "attributed", "rate"]]
          tax         use  share  attributed   rate
    0     VAT  households  0.625        37.5  0.075
    1  excise  households  0.625         7.5  0.015
    """
    rev = pd.Series(revenue, dtype=float)
    tp = pd.Series(product_taxes, dtype=float)
    b = pd.Series(base, dtype=float)
    for name, s in (("revenue", rev), ("product taxes", tp)):
        bad = s[~np.isfinite(s.to_numpy()) | (s < 0).to_numpy()].index.tolist()
        if bad:
            raise ValidationError(f"{name} must be finite and non-negative; offending: {bad}")
    unknown = [u for u in b.index if u not in tp.index]
    if unknown:
        raise LabelError(f"base names use(s) {unknown} not among the uses of product_taxes {tp.index.tolist()}")
    bad_base = b[~np.isfinite(b.to_numpy()) | (b <= 0).to_numpy()].index.tolist()
    if bad_base:
        raise ValidationError(f"base must be finite and positive; offending use(s): {bad_base}")
    total = float(tp.sum())
    if total <= 0:
        raise ValidationError(f"product taxes sum to {total} over the uses {tp.index.tolist()}")
    rows = []
    for tax, r in rev.items():
        for use, bu in b.items():
            share = float(tp[use]) / total
            rows.append(
                {
                    "tax": str(tax),
                    "use": str(use),
                    "revenue": float(r),
                    "share": share,
                    "attributed": share * float(r),
                    "base": float(bu),
                    "rate": share * float(r) / float(bu),
                }
            )
    return pd.DataFrame(rows, columns=["tax", "use", "revenue", "share", "attributed", "base", "rate"])
