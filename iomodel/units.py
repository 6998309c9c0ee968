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

from .errors import ValidationError

__all__ = ["SCALES", "factor", "parse"]

#: Scale words and their size.
SCALES = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def parse(unit: str) -> tuple[float, str]:
    """Split a monetary unit into its scale and currency.

    Examples
    --------
    >>> parse("billion KZT")
    (1000000000.0, 'KZT')
    >>> parse("dollars")
    (1.0, 'dollars')
    """
    text = " ".join(str(unit).split())
    if not text:
        raise ValidationError("empty monetary unit")
    word, _, rest = text.partition(" ")
    if rest and word.lower() in SCALES:
        return SCALES[word.lower()], rest
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
            f"scale words understood: {[w for w in SCALES if w]}"
        )
    return s1 / s2
