"""A CGE policy: changes of tax rates, endowments, world prices and foreign savings.

:class:`Policy` is a frozen, hashable specification with a TOML round trip,
like :class:`iomodel.Scenario`; :meth:`iomodel.cge.StandardCGE.solve` applies
it to a copy of the calibrated model. Rates are total ad valorem rates of a
good (or of a factor in a sector), replacing the benchmark rates of the SAM;
endowment and capital-stock changes are additive, in the SAM's money unit at
benchmark prices.

Examples
--------
>>> p = Policy(name="no tariffs", tariff_rate={"BRD": 0.0, "MLK": 0.0})
>>> Policy.from_toml(p.to_toml()) == p
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any

import tomli_w
from frozendict import frozendict

from ..errors import ValidationError
from ..validation import Document, Number, errors_in, given, read_document, validate_document

__all__ = ["Policy", "PolicyDocument"]


def _table(d: Any, what: str) -> Mapping[Any, Any]:
    if not isinstance(d, Mapping):
        raise ValidationError(f"policy {what}: expected a mapping, got {d!r}")
    return d


def _rates(d: Mapping[str, Any], what: str, *, upper: float = 1.0, lower: float = 0.0) -> frozendict:
    out = {}
    for k, v in _table(d, what).items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(float(v)):
            raise ValidationError(f"policy {what}, {k!r}: expected a finite number, got {v!r}")
        if not lower <= float(v) < upper:
            raise ValidationError(f"policy {what}, {k!r}: rate {v} outside [{lower}, {upper})")
        out[str(k)] = float(v)
    return frozendict(out)


def _amounts(d: Mapping[str, Any], what: str, *, positive: bool = False) -> frozendict:
    out = {}
    for k, v in _table(d, what).items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(float(v)):
            raise ValidationError(f"policy {what}, {k!r}: expected a finite number, got {v!r}")
        if positive and not float(v) > 0:
            raise ValidationError(f"policy {what}, {k!r}: must be positive, got {v}")
        out[str(k)] = float(v)
    return frozendict(out)


@dataclass(frozen=True)
class Policy:
    """Changes to the benchmark of a :class:`~iomodel.cge.StandardCGE`.

    Attributes
    ----------
    name
        Label.
    tariff_rate
        Import tariff rate by good (all tariff accounts together).
    production_tax_rate
        Tax rate on output by good (all production-tax accounts together).
    factor_tax_rate
        Tax rate on factor income by factor and good, e.g. the corporate income
        tax on capital by sector ``{"CAP": {"20": 0.0}}``.
    direct_tax_rate
        Direct tax rate on household income (all direct-tax accounts), or ``None``.
    consumption_tax_rate
        Tax rate on household spending (all consumption-tax accounts), or ``None``.
    endowment_change
        Additive change of a factor's endowment (SAM unit at benchmark prices).
    capital_stock_change
        Additive change of the capital stock of a sector (sector-specific
        capital closure), e.g. an investment in a cluster's sectors.
    world_export_price, world_import_price
        World prices by good in foreign currency (benchmark 1).
    foreign_savings
        Foreign savings in foreign currency (fixed-foreign-savings closure), or ``None``.
    """

    name: str = "policy"
    tariff_rate: Mapping[str, float] = field(default_factory=frozendict)
    production_tax_rate: Mapping[str, float] = field(default_factory=frozendict)
    factor_tax_rate: Mapping[str, Mapping[str, float]] = field(default_factory=frozendict)
    direct_tax_rate: float | None = None
    consumption_tax_rate: float | None = None
    endowment_change: Mapping[str, float] = field(default_factory=frozendict)
    capital_stock_change: Mapping[str, float] = field(default_factory=frozendict)
    world_export_price: Mapping[str, float] = field(default_factory=frozendict)
    world_import_price: Mapping[str, float] = field(default_factory=frozendict)
    foreign_savings: float | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "tariff_rate", _rates(self.tariff_rate, "tariff_rate"))
        set_(self, "production_tax_rate", _rates(self.production_tax_rate, "production_tax_rate", lower=-1.0))
        factor_rates = _table(self.factor_tax_rate, "factor_tax_rate")
        set_(
            self,
            "factor_tax_rate",
            frozendict({str(h): _rates(v, f"factor_tax_rate[{h!r}]") for h, v in factor_rates.items()}),
        )
        for attr in ("direct_tax_rate", "consumption_tax_rate"):
            v = getattr(self, attr)
            if v is not None:
                set_(self, attr, _rates({attr: v}, attr)[attr])
        set_(self, "endowment_change", _amounts(self.endowment_change, "endowment_change"))
        set_(self, "capital_stock_change", _amounts(self.capital_stock_change, "capital_stock_change"))
        set_(self, "world_export_price", _amounts(self.world_export_price, "world_export_price", positive=True))
        set_(self, "world_import_price", _amounts(self.world_import_price, "world_import_price", positive=True))
        if self.foreign_savings is not None:
            set_(self, "foreign_savings", _amounts({"foreign_savings": self.foreign_savings}, "")["foreign_savings"])

    def goods_named(self) -> set[str]:
        """Every good the policy names (to check them against a model)."""
        out = set(self.tariff_rate) | set(self.production_tax_rate) | set(self.capital_stock_change)
        out |= set(self.world_export_price) | set(self.world_import_price)
        for rates in self.factor_tax_rate.values():
            out |= set(rates)
        return out

    # -- TOML -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain, TOML-ready dictionary (no ``None``)."""
        return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in _plain(asdict(self)).items() if v is not None}

    def to_toml(self, path: str | Path | None = None, *, overwrite: bool = False) -> str:
        """Serialise to TOML; write to ``path`` if given.

        An existing file is replaced only with ``overwrite=True``; the file is
        written whole or not at all (:func:`iomodel.files.atomic_write`).
        """
        text = tomli_w.dumps(self.to_dict())
        if path is not None:
            from ..files import atomic_write

            atomic_write(Path(path), lambda p: p.write_text(text, encoding="utf-8"), overwrite=overwrite)
        return text

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str = "policy") -> Policy:
        """Build from :meth:`to_dict` output (or a parsed TOML file), checked by :class:`PolicyDocument`.

        Raises
        ------
        iomodel.validation.DocumentError
            Every problem at once (an :class:`~iomodel.errors.ValidationError`);
            a :class:`~iomodel.validation.DocumentLabelError` (also a
            :class:`~iomodel.errors.LabelError`) for unknown fields.
        """
        doc = validate_document(PolicyDocument, d, source)
        with errors_in(source):
            return cls(**given(doc))

    @classmethod
    def from_toml(cls, text_or_path: str | Path) -> Policy:
        r"""Parse a TOML file (a ``Path`` or a string ending in ``.toml``) or TOML text.

        Raises
        ------
        iomodel.validation.DocumentReadError
            No such file, a folder, a binary file, not UTF-8, a TOML syntax error.
        iomodel.validation.DocumentError
            As :meth:`from_dict`, naming the file.

        Examples
        --------
        >>> Policy.from_toml('name = "x"\n[tariff_rate]\nBRD = 1.5\nMLK = "none"\n')
        Traceback (most recent call last):
            ...
        iomodel.validation.DocumentError: policy TOML: 2 problems:
        policy TOML: [tariff_rate], field 'BRD': expected a number in [0, 1), got 1.5
        policy TOML: [tariff_rate], field 'MLK': expected a number in [0, 1), got 'none'
        """
        d, source = read_document(text_or_path, "policy")
        return cls.from_dict(d, source=source)


def _plain(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items() if v is not None}
    return obj


# -- documents: what a policy file may hold (iomodel.validation) ----------------------------------
_Rate = Annotated[float, Number(0.0, 1.0, high_open=True)]
_Finite = Annotated[float, Number()]
_Price = Annotated[float, Number(0.0, low_open=True)]


class PolicyDocument(Document):
    """A policy file (:class:`Policy`).

    Rates lie in [0, 1) (production-tax rates in [-1, 1)), changes are finite,
    world prices positive.
    """

    name: str | None = None
    tariff_rate: dict[str, _Rate] | None = None
    production_tax_rate: dict[str, Annotated[float, Number(-1.0, 1.0, high_open=True)]] | None = None
    factor_tax_rate: dict[str, dict[str, _Rate]] | None = None
    direct_tax_rate: _Rate | None = None
    consumption_tax_rate: _Rate | None = None
    endowment_change: dict[str, _Finite] | None = None
    capital_stock_change: dict[str, _Finite] | None = None
    world_export_price: dict[str, _Price] | None = None
    world_import_price: dict[str, _Price] | None = None
    foreign_savings: _Finite | None = None
