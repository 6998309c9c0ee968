r"""Declarative, frozen scenario specifications that round-trip to TOML.

A study is a file a colleague can rerun: :class:`Scenario` holds one or more
:class:`ClusterInvestment` (capital expenditure by year, an investment bridge,
the operation phase of the new plant) and an optional :class:`SEZPackage`
(which taxes are exempted, for how long, additionality, the state's zone
costs). Nothing here computes impacts: :func:`iomodel.impact` does, on a table.

Money in scenarios is in ``Scenario.unit`` (default: the table's unit) and is
converted to the table's unit when run (:mod:`iomodel.units`). Every mapping
is read-only and every specification hashable, so a scenario can key a cache
or a sensitivity run. Country facts (clusters, zones, tax rates, the length
of SEZ relief) are not here: they come from the :class:`~iomodel.Economy` a
scenario runs in. Formulas and sources: docs/scenarios.md (investment) and
docs/fiscal.md (fiscal accounts).

Examples
--------
>>> inv = ClusterInvestment(name="plant", cluster="machine_building",
...                         capex={2026: 50_000.0, 2027: 30_000.0},
...                         output={2028: 20_000.0, 2029: 40_000.0})
>>> sc = Scenario(name="demo", investments=(inv,), years=(2026, 2035))
>>> Scenario.from_toml(sc.to_toml()) == sc
True
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import tomli_w
from frozendict import frozendict
from pydantic import Strict, model_validator

from .errors import LabelError, ValidationError
from .validation import (
    YEAR,
    Amount,
    Document,
    IsoDate,
    Number,
    OneOf,
    Problem,
    Share,
    Tables,
    Text,
    Total,
    Whole,
    Year,
    YearKey,
    YearRange,
    errors_in,
    given,
    invalid,
    is_toml_file,
    read_document,
    validate_document,
)

__all__ = [
    "EXEMPTIBLE_TAXES",
    "BridgeDocument",
    "ClusterInvestment",
    "HorizonDocument",
    "InvestmentBridge",
    "InvestmentDocument",
    "PackageDocument",
    "SEZPackage",
    "Scenario",
    "ScenarioDocument",
    "is_toml_file",
    "read_toml",
]

#: Taxes of an SEZ participant that a package can exempt or reduce, valued at
#: statutory rates (docs/fiscal.md): corporate income tax, property tax on
#: buildings and structures, land tax, VAT on goods consumed in the zone, import
#: customs duties, social tax on the wage bill.
EXEMPTIBLE_TAXES = ("CIT", "property_tax", "land_tax", "VAT", "customs", "social_tax")


def _number(v: Any, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ValidationError(f"{what}: expected a number, got {v!r}")
    f = float(v)
    if not math.isfinite(f):
        raise ValidationError(f"{what}: expected a finite number, got {v!r}")
    return f


def _mapping(d: Any, what: str) -> Mapping[Any, Any]:
    if not isinstance(d, Mapping):
        raise ValidationError(f"{what}: expected a mapping, got {d!r}")
    return d


def _years(d: Mapping[Any, float], what: str) -> frozendict:
    _mapping(d, what)
    out: dict[int, float] = {}
    for k, v in d.items():
        y = YearKey().check(k, what)
        v = _number(v, f"{what}, {y}")
        if v < 0:
            raise ValidationError(f"{what}: negative value {v} for {y}")
        out[y] = v
    return frozendict(sorted(out.items()))


def _shares(d: Mapping[str, float], what: str) -> frozendict:
    _mapping(d, what)
    out = {str(k): _number(v, f"{what}, {k!r}") for k, v in d.items()}
    bad = {k: v for k, v in out.items() if not math.isfinite(v) or v < 0}
    if bad:
        raise ValidationError(f"{what}: shares must be finite and non-negative, got {bad}")
    total = sum(out.values())
    if abs(total - 1.0) > 1e-6:
        raise ValidationError(f"{what}: shares sum to {total:.6g}, not 1")
    return frozendict(out)


@dataclass(frozen=True)
class InvestmentBridge:
    r"""Turns capital expenditure into demand by product (docs/scenarios.md).

    Attributes
    ----------
    shares
        Share of each product in capital expenditure (sum to 1), at basic prices.
    import_shares
        Imported share of each product's capex demand (default: from the
        table's gross fixed capital formation, imports over total use).
    name
        Label.

    Notes
    -----
    The default bridge (``shares=None`` in :class:`ClusterInvestment`) is the
    product structure of the table's gross fixed capital formation column
    (domestic plus imported), the documented fallback of docs/scenarios.md when
    no capital-flow table exists. A project bridge names its own shares, e.g.
    construction works, machinery and equipment, and services.
    """

    shares: Mapping[str, float]
    import_shares: Mapping[str, float] = field(default_factory=dict)
    name: str = "custom"

    def __post_init__(self) -> None:
        object.__setattr__(self, "shares", _shares(self.shares, f"bridge {self.name!r}"))
        imports = _mapping(self.import_shares, f"bridge {self.name!r} import_shares")
        imp = {str(k): _number(v, f"bridge {self.name!r} import share {k!r}") for k, v in imports.items()}
        bad = {k: v for k, v in imp.items() if not (0.0 <= v <= 1.0)}
        if bad:
            raise ValidationError(f"bridge {self.name!r}: import shares must lie in [0, 1], got {bad}")
        object.__setattr__(self, "import_shares", frozendict(imp))


@dataclass(frozen=True)
class ClusterInvestment:
    r"""A cluster investment: construction phase, then operation of the new plant.

    Attributes
    ----------
    name
        Project name.
    cluster
        Cluster id of the economy (:attr:`iomodel.Economy.clusters`) whose
        core products the plant makes; or give ``products``.
    products
        Output mix of the plant by product (shares summing to 1), instead of a cluster.
    capex
        Capital expenditure by year (``Scenario.unit``).
    bridge
        Product split of capex; ``None``: the table's GFCF structure.
    equipment_import_share
        Overrides the imported share of machinery and equipment products
        (``equipment_products``), e.g. 0.9 for imported lines.
    equipment_products
        Products counted as equipment for ``equipment_import_share``;
        ``None``: the economy's machinery products.
    output
        The plant's output by year (``Scenario.unit``), entered through the
        new-industry / fixed-output model (docs/scenarios.md): its purchases are
        demand on the economy; its output is not final demand.
    input_coefficients
        Domestic purchases per unit of the plant's output by product; default:
        the output-weighted average domestic input structure of its products.
    jobs_per_output
        Direct jobs per unit of output (persons per ``Scenario.unit``);
        default: the average of its products.
    export_share
        Share of the plant's output exported (recorded with the scenario for
        reports; the fiscal accounts do not use it).
    profit_margin
        Taxable profit per unit of output for the CIT base at statutory rates;
        default: the net operating surplus share of its products.
    customs_duty_rate
        Average import duty on the plant's imported equipment and inputs. The
        default 0.05 is an iomodel assumption, not a statistic: set it from the
        EAEU Common Customs Tariff for the goods concerned.
    land_tax
        Land tax the plant pays per year of operation at standard rates (``Scenario.unit``).
    building_depreciation
        Annual depreciation of buildings and structures for the property-tax base.
    vat_permanent_share
        Share of the VAT on the plant's domestic purchases that would be a
        permanent revenue (not a cash-flow item) if exempted (docs/fiscal.md):
        0 for a VAT-registered producer of taxable or exported output.
    """

    name: str
    cluster: str | None = None
    products: Mapping[str, float] | None = None
    capex: Mapping[int, float] = field(default_factory=dict)
    bridge: InvestmentBridge | None = None
    equipment_import_share: float | None = None
    equipment_products: tuple[str, ...] | None = None
    output: Mapping[int, float] = field(default_factory=dict)
    input_coefficients: Mapping[str, float] | None = None
    jobs_per_output: float | None = None
    export_share: float = 0.0
    profit_margin: float | None = None
    customs_duty_rate: float = 0.05
    land_tax: float = 0.0
    building_depreciation: float = 0.04
    vat_permanent_share: float = 0.0

    def __post_init__(self) -> None:
        if (self.cluster is None) == (self.products is None):
            raise ValidationError(f"investment {self.name!r}: give exactly one of cluster or products")
        if self.products is not None:
            object.__setattr__(self, "products", _shares(self.products, f"investment {self.name!r} products"))
        object.__setattr__(self, "capex", _years(self.capex, f"investment {self.name!r} capex"))
        object.__setattr__(self, "output", _years(self.output, f"investment {self.name!r} output"))
        if self.equipment_products is not None:
            if isinstance(self.equipment_products, str | Mapping):
                raise ValidationError(
                    f"investment {self.name!r} equipment_products: expected a sequence of product codes, "
                    f"got {self.equipment_products!r}"
                )
            object.__setattr__(self, "equipment_products", tuple(str(p) for p in self.equipment_products))
        if _number(self.land_tax, f"investment {self.name!r} land_tax") < 0:
            raise ValidationError(f"investment {self.name!r}: negative land tax")
        for attr in (
            "equipment_import_share",
            "export_share",
            "profit_margin",
            "customs_duty_rate",
            "building_depreciation",
            "vat_permanent_share",
        ):
            v = getattr(self, attr)
            if v is not None and not (0.0 <= _number(v, f"investment {self.name!r} {attr}") <= 1.0):
                raise ValidationError(f"investment {self.name!r}: {attr} must lie in [0, 1], got {v}")
        if self.jobs_per_output is not None and not (
            _number(self.jobs_per_output, f"investment {self.name!r} jobs_per_output") >= 0
        ):
            raise ValidationError(f"investment {self.name!r}: jobs_per_output must be >= 0")
        if self.input_coefficients is not None:
            ic = {
                str(k): _number(v, f"investment {self.name!r} input coefficient {k!r}")
                for k, v in _mapping(self.input_coefficients, f"investment {self.name!r} input_coefficients").items()
            }
            if any(not math.isfinite(v) or v < 0 for v in ic.values()) or sum(ic.values()) >= 1.0:
                raise ValidationError(
                    f"investment {self.name!r}: input coefficients must be non-negative and sum below 1, "
                    f"got sum {sum(ic.values()):.4g}"
                )
            object.__setattr__(self, "input_coefficients", frozendict(ic))

    @property
    def total_capex(self) -> float:
        """Capital expenditure summed over years."""
        return float(sum(self.capex.values()))


@dataclass(frozen=True)
class SEZPackage:
    r"""A special-economic-zone incentive package.

    The standard package of an economy comes from
    :meth:`iomodel.Economy.sez_package` (e.g. Kazakhstan's, Law No. 242-VI of
    3 April 2019).

    Attributes
    ----------
    name
        Label.
    exemptions
        Reduction of each exempted tax as a share of the standard rate (1 =
        100% exemption), keys from :data:`EXEMPTIBLE_TAXES`.
    duration
        Years the reductions last from the first year of operation (0: no
        relief at all); ``None``: the economy's relief rule by project size
        (:meth:`iomodel.Economy.relief_years`).
    zone_term_end
        Last year relief may run, if shorter than the zone's legal term (the
        term of a known zone caps relief anyway).
    additionality
        Share :math:`\alpha` of the investment that happens only because of the
        package (docs/fiscal.md); ``1 - alpha`` is redundancy.
    displacement
        Share :math:`d` of the project's revenue that displaces other domestic activity.
    state_costs
        The state's own zone costs by year (infrastructure, administration), ``Scenario.unit``.
    law
        The legal basis, for reports.
    """

    name: str = "SEZ package"
    exemptions: Mapping[str, float] = field(default_factory=frozendict)
    duration: int | None = None
    zone_term_end: int | None = None
    additionality: float = 1.0
    displacement: float = 0.0
    state_costs: Mapping[int, float] = field(default_factory=frozendict)
    law: str = ""

    def __post_init__(self) -> None:
        exemptions = _mapping(self.exemptions, f"package {self.name!r} exemptions")
        ex = {str(k): _number(v, f"package {self.name!r} exemption {k!r}") for k, v in exemptions.items()}
        unknown = sorted(set(ex) - set(EXEMPTIBLE_TAXES))
        if unknown:
            raise LabelError(
                f"package {self.name!r}: unknown tax(es) {unknown}; valid options are {list(EXEMPTIBLE_TAXES)}"
            )
        bad = {k: v for k, v in ex.items() if not 0.0 <= v <= 1.0}
        if bad:
            raise ValidationError(f"package {self.name!r}: reductions must lie in [0, 1], got {bad}")
        object.__setattr__(self, "exemptions", frozendict(ex))
        object.__setattr__(self, "state_costs", _years(self.state_costs, f"package {self.name!r} state_costs"))
        for attr in ("additionality", "displacement"):
            v = _number(getattr(self, attr), f"package {self.name!r} {attr}")
            if not 0.0 <= v <= 1.0:
                raise ValidationError(f"package {self.name!r}: {attr} must lie in [0, 1], got {v}")
            object.__setattr__(self, attr, v)
        if self.additionality == 0.0:
            raise ValidationError(f"package {self.name!r}: additionality 0 means the package changes nothing")
        for attr in ("duration", "zone_term_end"):
            v = getattr(self, attr)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
                raise ValidationError(f"package {self.name!r}: {attr} must be a whole number of years, got {v!r}")
        if self.duration is not None and self.duration < 0:
            raise ValidationError(f"package {self.name!r}: negative duration {self.duration}")
        if self.zone_term_end is not None:
            YEAR.check(self.zone_term_end, f"package {self.name!r} zone_term_end")

    def replace(self, **changes: Any) -> SEZPackage:
        """A copy with some fields changed (specs are frozen)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(changes)
        return SEZPackage(**d)


@dataclass(frozen=True)
class Scenario:
    """A complete, rerunnable scenario.

    Attributes
    ----------
    name
        Label.
    investments
        The cluster investments.
    package
        The SEZ package granted to every investment (``None``: no package).
    zone
        Zone id of the economy (:attr:`iomodel.Economy.zones`): its legal term
        caps the relief period; an unknown id is an error.
    years
        First and last year of the horizon (inclusive).
    discount_rate
        Real discount rate for present values.
    kind
        ``"type1"`` or ``"type2"``.
    tax_vintage
        ISO date whose statutory rates value the participant's taxes (e.g.
        ``"2026-01-01"``); ``None``: 1 January of the first year.
    mpc
        Marginal propensity to consume of the Type II closure; ``None``: the
        economy's (:attr:`iomodel.Economy.closure`).
    unit
        Monetary unit of the scenario's figures, e.g. ``"million KZT"``
        (:mod:`iomodel.units`); ``None``: the table's unit.
    """

    name: str
    investments: tuple[ClusterInvestment, ...]
    package: SEZPackage | None = None
    zone: str | None = None
    years: tuple[int, int] = (2026, 2045)
    discount_rate: float = 0.05
    kind: Literal["type1", "type2"] = "type2"
    tax_vintage: str | None = None
    mpc: float | None = None
    unit: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "investments", tuple(self.investments))
        object.__setattr__(self, "years", YearRange().check(self.years, f"scenario {self.name!r} years"))
        if not self.investments:
            raise ValidationError(f"scenario {self.name!r}: no investments")
        wrong = [i for i in self.investments if not isinstance(i, ClusterInvestment)]
        if wrong:
            raise ValidationError(f"scenario {self.name!r}: investments must be ClusterInvestments, got {wrong[0]!r}")
        if self.package is not None and not isinstance(self.package, SEZPackage):
            raise ValidationError(
                f"scenario {self.name!r}: package must be an SEZPackage or None, got {self.package!r}"
            )
        names = [i.name for i in self.investments]
        if len(set(names)) != len(names):
            raise ValidationError(f"scenario {self.name!r}: duplicated investment names {names}")
        y0, y1 = self.years
        for inv in self.investments:
            outside = [y for y in (*inv.capex, *inv.output) if not y0 <= y <= y1]
            if outside:
                raise ValidationError(
                    f"investment {inv.name!r}: year(s) {sorted(set(outside))} outside the scenario horizon {y0}-{y1}"
                )
        if self.package is not None:
            outside = [y for y in self.package.state_costs if not y0 <= y <= y1]
            if outside:
                raise ValidationError(f"package state costs in year(s) {outside} outside {y0}-{y1}")
        if self.kind not in ("type1", "type2"):
            raise ValidationError(f"unknown kind {self.kind!r}; valid options are 'type1', 'type2'")
        if not -0.5 < _number(self.discount_rate, f"scenario {self.name!r} discount_rate") < 1.0:
            raise ValidationError(f"discount rate {self.discount_rate} is implausible")
        if self.unit is not None and not str(self.unit).strip():
            raise ValidationError("scenario unit is empty")
        if self.mpc is not None and not 0.0 < _number(self.mpc, f"scenario {self.name!r} mpc") <= 1.0:
            raise ValidationError(
                f"mpc must lie in (0, 1], got {self.mpc} (a Type II closure without spending is kind='type1')"
            )
        if isinstance(self.tax_vintage, _dt.date) and not isinstance(self.tax_vintage, _dt.datetime):
            object.__setattr__(self, "tax_vintage", self.tax_vintage.isoformat())
        if self.tax_vintage is not None:
            try:
                _dt.date.fromisoformat(str(self.tax_vintage))
            except ValueError:
                raise ValidationError(f"tax_vintage {self.tax_vintage!r} is not an ISO date (YYYY-MM-DD)") from None

    @property
    def vintage(self) -> str:
        """The date whose statutory rates apply (``tax_vintage`` or 1 January of the first year)."""
        return self.tax_vintage or f"{self.years[0]}-01-01"

    @property
    def year_list(self) -> list[int]:
        """Every year of the horizon."""
        return list(range(self.years[0], self.years[1] + 1))

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed (specs are frozen)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(changes)
        return Scenario(**d)

    # -- TOML ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain, TOML-ready dictionary (years as string keys, no ``None``)."""
        return _clean(asdict(self))

    def to_toml(self, path: str | Path | None = None, *, overwrite: bool = False) -> str:
        """Serialise to TOML; write to ``path`` if given.

        An existing file is replaced only with ``overwrite=True``; the file is
        written whole or not at all (:func:`iomodel.files.atomic_write`).
        """
        text = tomli_w.dumps(self.to_dict())
        if path is not None:
            from .files import atomic_write

            atomic_write(Path(path), lambda p: p.write_text(text, encoding="utf-8"), overwrite=overwrite)
        return text

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str = "scenario") -> Scenario:
        """Build from :meth:`to_dict` output (or a parsed TOML file), checked by :class:`ScenarioDocument`.

        Raises
        ------
        iomodel.validation.DocumentError
            Every problem of the document at once (an
            :class:`~iomodel.errors.ValidationError`); a
            :class:`~iomodel.validation.DocumentLabelError` (also a
            :class:`~iomodel.errors.LabelError`) when a field or tax is unknown.
        """
        doc = validate_document(ScenarioDocument, d, source)
        with errors_in(source):
            return doc.build()

    @classmethod
    def from_toml(cls, text_or_path: str | Path) -> Scenario:
        """Parse a TOML file (a :class:`~pathlib.Path` or a string ending in ``.toml``) or TOML text.

        The document is checked by :class:`ScenarioDocument` before anything
        is built (docs/scenarios.md, "TOML files"). A scenario *file* must
        state its monetary unit (``unit = "million KZT"``): figures typed by
        hand mean nothing without it, and the default (the table's unit) would
        change their meaning with the table.

        Raises
        ------
        iomodel.validation.DocumentReadError
            No such file, a folder, a binary file, not UTF-8, a TOML syntax
            error (an :class:`~iomodel.errors.ValidationError` and a
            :class:`~iomodel.errors.ReadError`).
        iomodel.validation.DocumentError
            Every problem of the document at once: a file without ``unit``,
            wrong types, missing keys, values out of range (an
            :class:`~iomodel.errors.ValidationError`); a
            :class:`~iomodel.validation.DocumentLabelError` (also a
            :class:`~iomodel.errors.LabelError`) when a field or tax is unknown.
        """
        d, source = read_document(text_or_path, "scenario")
        missing = []
        if is_toml_file(text_or_path) and "unit" not in d:
            missing.append(
                Problem(
                    ("unit",),
                    'missing: a scenario file must state the monetary unit of its figures, e.g. unit = "million KZT"',
                )
            )
        doc = validate_document(ScenarioDocument, d, source, problems=missing)
        with errors_in(source):
            return doc.build()


def read_toml(text_or_path: str | Path, what: str) -> dict[str, Any]:
    """Parse a TOML file (a ``Path`` or a one-line string ending in ``.toml``) or TOML text.

    Raises
    ------
    iomodel.validation.DocumentReadError
        No such file, a folder, a binary file, not UTF-8, a TOML syntax error,
        naming the file (:func:`iomodel.validation.read_document`).
    """
    return read_document(text_or_path, what)[0]


# -- documents: what a scenario file may hold (iomodel.validation) -------------------------------
_YearAmounts = dict[Annotated[int, YearKey()], Amount]
_Shares = Annotated[dict[str, Share], Total(equal=1.0, noun="shares")]


class BridgeDocument(Document):
    """The ``bridge`` table of an investment (:class:`InvestmentBridge`)."""

    shares: _Shares
    import_shares: dict[str, Share] | None = None
    name: str | None = None

    def build(self) -> InvestmentBridge:
        """The bridge."""
        return InvestmentBridge(**given(self))


class InvestmentDocument(Document):
    """One ``[[investments]]`` table (:class:`ClusterInvestment`): ranges as the dataclass checks them."""

    name: str
    cluster: str | None = None
    products: _Shares | None = None
    capex: _YearAmounts | None = None
    bridge: BridgeDocument | None = None
    equipment_import_share: Share | None = None
    equipment_products: Annotated[list[str], Strict(False)] | None = None
    output: _YearAmounts | None = None
    input_coefficients: Annotated[dict[str, Amount], Total(below=1.0, noun="input coefficients")] | None = None
    jobs_per_output: Amount | None = None
    export_share: Share | None = None
    profit_margin: Share | None = None
    customs_duty_rate: Share | None = None
    land_tax: Amount | None = None
    building_depreciation: Share | None = None
    vat_permanent_share: Share | None = None

    @model_validator(mode="after")
    def _cluster_or_products(self) -> Self:
        if (self.cluster is None) == (self.products is None):
            invalid([Problem((), "give exactly one of 'cluster' (a cluster id) or 'products' (output shares)", True)])
        return self

    def build(self) -> ClusterInvestment:
        """The investment (only the fields of :class:`ClusterInvestment`; a subclass may hold more)."""
        known = {f.name for f in fields(ClusterInvestment)}
        kw = {k: v for k, v in given(self).items() if k in known}
        if self.bridge is not None:
            kw["bridge"] = self.bridge.build()
        if self.equipment_products is not None:
            kw["equipment_products"] = tuple(self.equipment_products)
        return ClusterInvestment(**kw)


class PackageDocument(Document):
    """The ``[package]`` table (:class:`SEZPackage`); exempted taxes from :data:`EXEMPTIBLE_TAXES`."""

    name: str | None = None
    exemptions: dict[Annotated[str, OneOf(EXEMPTIBLE_TAXES, noun="tax")], Share] | None = None
    duration: Annotated[int, Whole(0, noun="a whole number of years")] | None = None
    zone_term_end: Year | None = None
    additionality: Annotated[float, Number(0.0, 1.0, low_open=True)] | None = None
    displacement: Share | None = None
    state_costs: _YearAmounts | None = None
    law: str | None = None

    def build(self) -> SEZPackage:
        """The package."""
        return SEZPackage(**given(self))


class HorizonDocument(Document):
    """The horizon and evaluation settings a scenario file and an allocation file share."""

    years: Annotated[tuple[int, int], YearRange()] | None = None
    discount_rate: Annotated[float, Number(-0.5, 1.0, low_open=True, high_open=True)] | None = None
    kind: Literal["type1", "type2"] | None = None
    tax_vintage: Annotated[str, IsoDate()] | None = None
    mpc: Annotated[float, Number(0.0, 1.0, low_open=True)] | None = None
    unit: Annotated[str, Text(nonempty=True)] | None = None

    def horizon(self, default: tuple[int, int]) -> tuple[int, int]:
        """``years``, or ``default`` when the document leaves them out."""
        return self.years if self.years is not None else default


def _default(cls: type, name: str) -> Any:
    return next(f.default for f in fields(cls) if f.name == name)


def _outside(years: list[int], horizon: tuple[int, int]) -> list[int]:
    return [y for y in years if not horizon[0] <= y <= horizon[1]]


class ScenarioDocument(HorizonDocument):
    r"""A scenario file (:class:`Scenario`): checked before the scenario is built.

    Examples
    --------
    >>> text = 'name = "x"\nyears = [2026, 2030]\n[[investments]]\nname = "a"\ncluster = "agro"\n' \
    ...        '[investments.capex]\n2031 = 1.0\n2026 = "lots"\n'
    >>> Scenario.from_toml(text)
    Traceback (most recent call last):
        ...
    iomodel.validation.DocumentError: scenario TOML: [[investments]] 1, [investments.capex], field '2026':
    expected a finite number >= 0, got 'lots'
    """

    name: str
    investments: Annotated[list[InvestmentDocument], Tables(min_items=1)]
    package: PackageDocument | None = None
    zone: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        horizon = self.horizon(_default(Scenario, "years"))
        span = f"{horizon[0]}-{horizon[1]}"
        problems = []
        seen: dict[str, int] = {}
        for i, inv in enumerate(self.investments):
            if inv.name in seen:
                problems.append(
                    Problem(("investments", i, "name"), f"{inv.name!r} is also [[investments]] {seen[inv.name] + 1}")
                )
            seen.setdefault(inv.name, i)
            for key, amounts in (("capex", inv.capex), ("output", inv.output)):
                outside = _outside(sorted(amounts or {}), horizon)
                if outside:
                    problems.append(
                        Problem(("investments", i, key), f"year(s) {outside} outside the scenario's years {span}")
                    )
        if self.package is not None:
            outside = _outside(sorted(self.package.state_costs or {}), horizon)
            if outside:
                problems.append(
                    Problem(("package", "state_costs"), f"year(s) {outside} outside the scenario's years {span}")
                )
        if problems:
            invalid(problems)
        return self

    def build(self) -> Scenario:
        """The scenario."""
        kw = given(self)
        kw["investments"] = tuple(inv.build() for inv in self.investments)
        if self.package is not None:
            kw["package"] = self.package.build()
        return Scenario(**kw)


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj
