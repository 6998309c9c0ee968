"""Monetary units: ``"<scale> <currency>"`` strings and the factors between them.

A monetary unit is a currency with an optional scale word, e.g. ``"KZT"``,
``"thousand KZT"``, ``"million USD"``, ``"dollars"``. Values convert between
two units of the same currency by the ratio of their scales; units of
different currencies never convert (there is no exchange rate here), and an
unknown unit converts only to itself. Nothing in this module knows a country.

Examples
--------
>>> factor("million KZT", "thousand KZT")
1000.0
>>> factor("dollars", "dollars")
1.0
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import xarray as xr

from .errors import ValidationError

__all__ = ["ABBREVIATIONS", "SCALES", "factor", "parse", "to_pandas"]

#: Scale words and their size.
SCALES = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}

#: Abbreviations of scale words as economists write them ("bn KZT", "mln KZT", "trn KZT").
ABBREVIATIONS = {"k": "thousand", "mn": "million", "mln": "million", "bn": "billion", "trn": "trillion"}


def parse(unit: str) -> tuple[float, str]:
    """Split a monetary unit into its scale and currency.

    Examples
    --------
    >>> parse("billion KZT")
    (1000000000.0, 'KZT')
    >>> parse("dollars")
    (1.0, 'dollars')
    >>> parse("bn KZT")
    (1000000000.0, 'KZT')
    """
    text = " ".join(str(unit).split())
    if not text:
        raise ValidationError("empty monetary unit")
    word, _, rest = text.partition(" ")
    scale = ABBREVIATIONS.get(word.lower(), word.lower())
    if rest and scale in SCALES:
        return SCALES[scale], rest
    return 1.0, text


def factor(from_unit: str, to_unit: str) -> float:
    """Multiply a value in ``from_unit`` by this to express it in ``to_unit``.

    Raises
    ------
    ValidationError
        The units are of different currencies (or unknown and different).

    Examples
    --------
    >>> factor("thousand KZT", "million KZT")
    0.001
    """
    if from_unit == to_unit:
        return 1.0
    s1, c1 = parse(from_unit)
    s2, c2 = parse(to_unit)
    if c1 != c2:
        raise ValidationError(
            f"cannot convert {from_unit!r} to {to_unit!r}: different currencies ({c1!r}, {c2!r}); "
            f"scale words understood: {[w for w in SCALES if w] + list(ABBREVIATIONS)}"
        )
    return s1 / s2


def _header(label: Any, unit: str) -> str:
    return f"{label} ({unit})" if unit else str(label)


def to_pandas(result: xr.DataArray | xr.Dataset, *, header_units: bool = False) -> pd.Series | pd.DataFrame:
    """A result as pandas with its units kept: ``attrs["units"]`` and, optionally, in the headers.

    :meth:`xarray.DataArray.to_pandas` drops the attributes, and with them the
    units. This keeps them: a DataArray's ``units`` attribute, or its
    ``units`` coordinate along one dimension (the indicators of
    :func:`iomodel.multipliers` or of an impact), becomes ``attrs["units"]``
    (a string, or a mapping label -> unit); a Dataset's variables' units a
    mapping variable -> unit. The other attributes follow in ``attrs``.

    Parameters
    ----------
    result
        A labelled result with at most two dimensions (a Dataset: its
        variables as columns over its dimensions as rows).
    header_units
        Also write each unit into its header: ``"employment (persons per
        thousand KZT of final demand)"``, ``"npv (million KZT)"``.

    Examples
    --------
    >>> import iomodel as iom
    >>> m = iom.multipliers(iom.datasets.miller_blair())
    >>> df = iom.units.to_pandas(m)
    >>> df.attrs["units"]["output"]
    'USD per USD of final demand'
    >>> iom.units.to_pandas(m.sel(indicator="output"), header_units=True).name
    'output (USD per USD of final demand)'
    """
    attrs = {k: v for k, v in result.attrs.items() if k != "units"}
    if isinstance(result, xr.Dataset):
        frame = result.to_dataframe()[list(result.data_vars)]
        var_units = {str(v): str(result[v].attrs.get("units", "")) for v in result.data_vars}
        if header_units:
            frame = frame.rename(columns={v: _header(v, u) for v, u in var_units.items()})
        frame.attrs = {**attrs, "units": var_units}
        return frame
    if result.ndim > 2:
        raise ValidationError(
            f"to_pandas takes at most two dimensions; {result.name or 'the result'} has {list(result.dims)}: "
            "select or sum some first"
        )
    along = [d for d in result.dims if "units" in result.coords and result.coords["units"].dims == (d,)]
    out = result.drop_vars("units", errors="ignore").to_pandas()
    if along:
        dim = along[0]
        labels = [str(v) for v in result[dim].values]
        per_label = dict(zip(labels, map(str, result.coords["units"].values), strict=True))
        units_: Any = per_label
        if header_units and isinstance(out, pd.DataFrame):
            axis = "index" if out.index.name == dim else "columns"
            out = out.rename(**{axis: {k: _header(k, u) for k, u in per_label.items()}})
        elif header_units and isinstance(out, pd.Series):
            out.index = [_header(k, per_label[str(k)]) for k in out.index]
    elif "units" in result.coords and result.coords["units"].ndim == 0:  # one indicator selected
        units_ = str(result.coords["units"].values)
    else:
        units_ = str(result.attrs.get("units", ""))
    if header_units and isinstance(out, pd.Series) and isinstance(units_, str):
        scalar = "indicator" in result.coords and result.coords["indicator"].ndim == 0
        out.name = _header(str(result.coords["indicator"].values) if scalar else result.name, units_)
    out.attrs = {**attrs, "units": units_}
    return out
