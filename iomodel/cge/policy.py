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
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w
from frozendict import frozendict

from ..errors import LabelError, ValidationError
from ..scenarios import read_toml

__all__ = ["Policy"]


def _rates(d: Mapping[str, Any], what: str, *, upper: float = 1.0, lower: float = 0.0) -> frozendict:
    out = {}
    for k, v in d.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(float(v)):
            raise ValidationError(f"policy {what}, {k!r}: expected a finite number, got {v!r}")
        if not lower <= float(v) < upper:
            raise ValidationError(f"policy {what}, {k!r}: rate {v} outside [{lower}, {upper})")
        out[str(k)] = float(v)
    return frozendict(out)


def _amounts(d: Mapping[str, Any], what: str, *, positive: bool = False) -> frozendict:
    out = {}
    for k, v in d.items():
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
        set_(
            self,
            "factor_tax_rate",
            frozendict({str(h): _rates(v, f"factor_tax_rate[{h!r}]") for h, v in self.factor_tax_rate.items()}),
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

    def to_toml(self, path: str | Path | None = None) -> str:
        """Serialise to TOML; write to ``path`` if given (an existing file is not replaced)."""
        text = tomli_w.dumps(self.to_dict())
        if path is not None:
            p = Path(path)
            if p.exists():
                raise ValidationError(f"{p} exists: choose another file name")
            p.write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Policy:
        """Build from :meth:`to_dict` output (or a parsed TOML file)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise LabelError(f"policy: unknown field(s) {unknown}; valid options are {sorted(known)}")
        return cls(**dict(d))

    @classmethod
    def from_toml(cls, text_or_path: str | Path) -> Policy:
        """Parse a TOML file (a ``Path`` or a string ending in ``.toml``) or TOML text."""
        return cls.from_dict(read_toml(text_or_path, "policy"))


def _plain(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items() if v is not None}
    return obj
