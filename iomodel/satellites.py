r"""Satellite accounts: splitting section data to products, calibrating tax rates.

Two operations build the satellite accounts of a table from published statistics:

* :func:`split_to_products` distributes totals known by a coarser
  classification (e.g. employment by OKED/NACE section from the Labour Force
  Survey) to the table's products in proportion to a key (by default
  compensation of employees), so that each section total is reproduced exactly;
* :func:`calibrate_tax` turns a budget revenue total into an *effective* rate
  on a base from the table (operating surplus for corporate income tax,
  compensation for personal income tax and social tax, output or exports for
  resource taxes), METHODS.md section 3.1: :math:`t^k_j = \tau^{k,eff} B^k_j`
  with :math:`\tau^{k,eff} = R^k / \sum_j B^k_j`.

Both are pure functions on pandas objects; the results are attached to a
table with :meth:`iomodel.IOTable.with_satellites` and
:meth:`iomodel.IOTable.with_taxes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .errors import LabelError, ValidationError

__all__ = ["split_to_products", "calibrate_tax", "TaxCalibration"]


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


@dataclass(frozen=True)
class TaxCalibration:
    """Record of one calibrated effective tax rate (for provenance files).

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
        The effective rate :math:`R / \\sum B`.
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
    elsewhere (METHODS.md 3.1).

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
