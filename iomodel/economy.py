r"""A country's facts as data: the :class:`Economy` an evaluation runs in.

The Leontief engine knows no country. What differs between countries (and
between years of one country) is held by an :class:`Economy`, a frozen,
deeply read-only and hashable profile passed to :func:`iomodel.impact`,
:func:`iomodel.fiscal.fiscal_accounts` and the allocation model:

* the household closure of the Type II model (:class:`HouseholdClosure`:
  marginal propensity to consume, income tax and employee contributions
  withheld, product taxes on consumption);
* cluster definitions (:class:`Cluster`) and special economic zones with
  their legal terms (:class:`Zone`);
* dated statutory tax rates (:class:`TaxRate`), the reference unit of size
  thresholds (Kazakhstan's monthly calculation index, MCI) and the rule that
  sets the length of SEZ tax relief by project size (:class:`ReliefRule`);
* the product lists scenarios need (construction works, machinery and
  equipment), employee contribution rates, the share of import duties the
  national budget keeps (customs pooling), the table's tax rows that an SEZ
  participant's own statutory taxes replace, the standard SEZ package.

Kazakhstan's economy ships as data (:func:`iomodel.datasets.kazakhstan_economy`,
read from ``tables/kazakhstan/``); a table loaded with
:func:`iomodel.datasets.kazakhstan` carries it. :meth:`Economy.neutral` (the
default for a table without one, e.g. the Miller & Blair example) has the
textbook closure and no country facts: whatever needs a fact it lacks raises
an error that says which fact.

Examples
--------
>>> eco = Economy(name="toy", tax_rates={"CIT": 0.2, "VAT": 0.12})
>>> dict(eco.rates_on("2026-01-01"))
{'CIT': 0.2, 'VAT': 0.12}
>>> eco.zone("nowhere")
Traceback (most recent call last):
...
iomodel.errors.LabelError: economy 'toy' has no zone 'nowhere'; valid zone ids are []
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from frozendict import frozendict

from .errors import LabelError, ValidationError
from .scenarios import EXEMPTIBLE_TAXES, SEZPackage

__all__ = [
    "Cluster",
    "ClusterMember",
    "Economy",
    "HouseholdClosure",
    "ReliefRule",
    "TaxRate",
    "Zone",
    "cluster_weights",
]


@dataclass(frozen=True)
class HouseholdClosure:
    r"""How the model is closed for households (Type II).

    The households row is :math:`h_{R,j} = W_j / x_j` with :math:`W` the
    value-added component named by ``income``. The households column is

    * ``mpc=None`` (Miller & Blair 2009, section 2.5): domestic household
      consumption of each product per unit of total labour income,
      :math:`h_{C,i} = c^d_i / \sum_j W_j`;
    * ``mpc=c``: the leakage-consistent marginal form (docs/math.md). Of one
      unit of labour income, the share :math:`\delta` (``deductions``: income
      tax and employee social contributions) is withheld, and the marginal
      propensity to consume :math:`c` of the rest is
      spent at purchasers' prices. Spending is split like household consumption
      in the table: the part :math:`\tau / (1 + \tau)` is product taxes (VAT,
      excise; ``consumption_taxes``, per unit of consumption at basic prices),
      the rest buys domestic products and imports at basic prices in proportion
      to :math:`c^d` and :math:`c^m`:

      .. math::

          h_{C,i} = \frac{c\,(1 - \delta)}{1 + \tau}\,
                    \frac{c^d_i}{\sum_k (c^d_k + c^m_k)},\qquad
          \tau = \sum_k \tau_k .

      Imports and product taxes are leakages from the domestic income cycle;
      product taxes are budget revenue (the ``tax:<name>`` rows of Type II
      results, see :meth:`consumption_tax_per_income`).

    Attributes
    ----------
    income
        Value-added component holding labour income (default ``"compensation"``).
    consumption
        Final-demand category of households (default ``"households"``).
    mpc
        Marginal propensity to consume out of disposable labour income, in
        ``[0, 1]``; ``None`` for the textbook closure.
    deductions
        With ``mpc``: share of labour income withheld as income tax and
        employee social contributions, in ``[0, 1)``.
    consumption_taxes
        With ``mpc``: product taxes on household consumption by tax (e.g.
        ``{"VAT": 0.041, "excise": 0.0067}``), each per unit of consumption at
        basic prices, domestic plus imported.
    h
        Household purchases of household services per unit of income (0).

    Examples
    --------
    >>> c = HouseholdClosure(mpc=0.8, deductions=0.2, consumption_taxes={"VAT": 0.1})
    >>> round(c.spending_per_income, 4), round(c.consumption_tax_per_income()["VAT"], 6)
    (0.64, 0.058182)
    >>> hash(c) == hash(HouseholdClosure(mpc=0.8, deductions=0.2, consumption_taxes={"VAT": 0.1}))
    True
    """

    income: str = "compensation"
    consumption: str = "households"
    mpc: float | None = None
    deductions: float = 0.0
    consumption_taxes: Mapping[str, float] = field(default_factory=frozendict)
    h: float = 0.0

    def __post_init__(self) -> None:
        taxes = frozendict({str(k): float(v) for k, v in dict(self.consumption_taxes).items()})
        object.__setattr__(self, "consumption_taxes", taxes)
        if self.mpc is not None:
            object.__setattr__(self, "mpc", float(self.mpc))
            if not 0.0 <= self.mpc <= 1.0:
                raise ValidationError(f"household closure: mpc must lie in [0, 1], got {self.mpc}")
        if not (np.isfinite(self.deductions) and 0.0 <= self.deductions < 1.0):
            raise ValidationError(f"household closure: deductions must lie in [0, 1), got {self.deductions}")
        bad = {k: v for k, v in taxes.items() if not (np.isfinite(v) and 0.0 <= v < 1.0)}
        if bad:
            raise ValidationError(f"household closure: consumption tax rates must lie in [0, 1), got {bad}")
        if self.mpc is None and (self.deductions or taxes):
            raise ValidationError(
                "household closure: deductions and consumption_taxes apply to the marginal closure only; set mpc too"
            )
        if not np.isfinite(self.h) or not 0.0 <= self.h < 1.0:
            raise ValidationError(f"household closure: h must lie in [0, 1), got {self.h}")

    @property
    def spending_per_income(self) -> float:
        r"""Household spending at purchasers' prices per unit of labour income, :math:`c(1-\delta)` (``mpc`` only)."""
        if self.mpc is None:
            raise ValidationError("the textbook closure (mpc=None) has no spending propensity")
        return self.mpc * (1.0 - self.deductions)

    def consumption_tax_per_income(self) -> dict[str, float]:
        r"""Product tax revenue per unit of labour income, by tax: :math:`c(1-\delta)\,\tau_k/(1+\tau)`."""
        if not self.consumption_taxes:
            return {}
        total = sum(self.consumption_taxes.values())
        return {k: self.spending_per_income * v / (1.0 + total) for k, v in self.consumption_taxes.items()}

    def attrs(self) -> dict[str, Any]:
        """Flat, netCDF-safe description for result attributes."""
        return {
            "closure_income": self.income,
            "closure_consumption": self.consumption,
            "closure_mpc": "" if self.mpc is None else float(self.mpc),
            "closure_deductions": float(self.deductions),
            "closure_consumption_taxes": ", ".join(f"{k}={v:.6g}" for k, v in self.consumption_taxes.items()),
            "closure_h": float(self.h),
        }


def _fmap(d: Mapping[Any, Any] | None, key: type = str, value: type = float) -> frozendict:
    return frozendict({key(k): value(v) for k, v in dict(d or {}).items()})


def _date(value: str | _dt.date | None, what: str) -> _dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"{what}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class TaxRate:
    """A statutory tax rate valid over a period (``None`` ends: open).

    Attributes
    ----------
    tax
        Tax name (e.g. ``"CIT"``, ``"VAT"``, ``"social_tax"``, ``"property_tax"``).
    rate
        Rate as a fraction (0.2 for 20%).
    valid_from, valid_to
        First and last day of validity (ISO dates; ``None``: open).
    base
        What the rate applies to.
    source
        The law or bulletin.
    """

    tax: str
    rate: float
    valid_from: _dt.date | None = None
    valid_to: _dt.date | None = None
    base: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", float(self.rate))
        if not (math.isfinite(self.rate) and 0.0 <= self.rate < 1.0):
            raise ValidationError(f"tax rate {self.tax!r}: rate must lie in [0, 1), got {self.rate}")
        object.__setattr__(self, "valid_from", _date(self.valid_from, f"tax rate {self.tax!r} valid_from"))
        object.__setattr__(self, "valid_to", _date(self.valid_to, f"tax rate {self.tax!r} valid_to"))
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                f"tax rate {self.tax!r}: valid_to {self.valid_to} before valid_from {self.valid_from}"
            )

    def valid_on(self, day: _dt.date) -> bool:
        """Whether the rate is in force on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class ReliefRule:
    """Length of SEZ tax relief by project size (years), with sizes in a reference unit.

    Attributes
    ----------
    thresholds
        ``((upper size, years), ...)`` in increasing size; the last upper
        bound may be ``inf``. A project of size ``s`` gets the years of the
        first threshold with ``s <= upper``.
    unit
        Name of the reference unit of the sizes (e.g. ``"MCI"``, whose value
        by year is :attr:`Economy.mci`); empty or the economy's currency: the
        sizes are amounts of the currency.
    source
        The law.

    Examples
    --------
    >>> r = ReliefRule(((3e6, 7), (14.5e6, 15), (float("inf"), 25)), unit="MCI")
    >>> r.years(20e9 / 4325.0)
    15
    """

    thresholds: tuple[tuple[float, int], ...]
    unit: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        th = tuple((float(u), int(y)) for u, y in self.thresholds)
        if not th:
            raise ValidationError("relief rule: no thresholds")
        uppers = [u for u, _ in th]
        if any(b <= a for a, b in pairwise(uppers)) or any(y < 0 for _, y in th):
            raise ValidationError(f"relief rule: thresholds must increase and years be >= 0, got {th}")
        object.__setattr__(self, "thresholds", th)

    def years(self, size: float) -> int:
        """Years of relief for a project of ``size`` reference units."""
        for upper, years in self.thresholds:
            if size <= upper:
                return years
        raise ValidationError(
            f"relief rule: a project of {size:,.0f} {self.unit} exceeds the largest threshold "
            f"{self.thresholds[-1][0]:,.0f}; the rule has no category for it"
        )


@dataclass(frozen=True)
class ClusterMember:
    """A product of a cluster: ``core`` products carry the cluster's demand, ``supporting`` ones supply it."""

    product: str
    role: str = "core"
    weight: float | None = None
    rationale: str = ""
    source: str = ""


@dataclass(frozen=True)
class Cluster:
    """A cluster of products (e.g. a priority cluster of an industrial policy)."""

    id: str
    label: str = ""
    members: tuple[ClusterMember, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(self.members))
        if not any(m.role == "core" for m in self.members):
            raise ValidationError(f"cluster {self.id!r} has no core product")

    def products(self, roles: Iterable[str] = ("core",)) -> tuple[str, ...]:
        """Products of the given roles."""
        want = set(roles)
        return tuple(m.product for m in self.members if m.role in want)


@dataclass(frozen=True)
class Zone:
    """A special economic zone and its legal terms.

    Attributes
    ----------
    id
        Stable identifier (e.g. ``"nipt"``).
    name
        Full name.
    status
        ``"operating"``, ``"planned"`` or ``"uncertain"``.
    term_end
        Last year of the zone's legal term (``None``: not stated); SEZ relief
        of its participants cannot run past it.
    term
        The term as the legal source states it.
    clusters
        Ids of the clusters the zone hosts.
    region, source
        Where it is and where the facts come from.
    """

    id: str
    name: str = ""
    status: str = "operating"
    term_end: int | None = None
    term: str = ""
    clusters: tuple[str, ...] = ()
    region: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "clusters", tuple(str(c) for c in self.clusters))
        if self.term_end is not None:
            object.__setattr__(self, "term_end", int(self.term_end))


@dataclass(frozen=True)
class Economy:
    """A country's facts for an evaluation (see the module docstring); frozen and hashable.

    Attributes
    ----------
    name
        Label, e.g. ``"Kazakhstan 2024"``.
    currency
        ISO code of the currency of its amounts (tax bases, MCI).
    year
        Year of the facts (the table's year).
    closure
        Type II household closure.
    clusters
        Cluster definitions by id.
    zones
        Special economic zones by id.
    tax_rates
        Dated statutory rates (a mapping ``{tax: rate}`` is taken as rates
        valid at every date).
    mci
        Value of the reference unit of size thresholds in ``currency`` by year
        (Kazakhstan: the monthly calculation index).
    relief_rule
        Length of SEZ relief by project size in that unit (``None``: a package
        must state its ``duration``).
    construction_products
        Products whose capital expenditure is buildings and structures (the
        property-tax base of a new plant).
    machinery_products
        Products counted as machinery and equipment (``equipment_import_share``
        of an investment applies to them).
    employee_contributions
        Compulsory contributions withheld from wages by name, as fractions
        (part of the Type II deductions).
    customs_pooling_share
        Share of import duties that the national budget keeps (1 without a
        customs union that pools duties).
    budget_levels
        Which level of budget each tax is credited to: ``{tax: {level: share}}``
        with shares summing to 1 (e.g. Kazakhstan: ``republican``, ``local``,
        ``national_fund``). Empty: revenue is not split by level
        (:func:`iomodel.fiscal.by_budget_level` refuses).
    budget_level_names
        Readable names of the levels (e.g. ``{"national_fund": "National
        Fund"}``); a level without one is shown by its id.
    participant_tax_rows
        Tax rows of the table that, for an SEZ participant, are replaced by
        its own taxes at statutory rates (so that nothing is counted twice),
        each with the share of the row replaced (1: all of it). A sequence of
        names replaces each row whole. Kazakhstan replaces the share of its
        net product taxes on inputs that VAT and duties make up and keeps the
        excise part, which no package exempts.
    standard_exemptions
        The standard SEZ package: reduction of each exemptible tax (1 = 100%).
    sez_law
        Legal basis of the SEZ regime.
    sources
        Source of each fact by name.
    """

    name: str = "neutral economy"
    currency: str = ""
    year: int | None = None
    closure: HouseholdClosure = field(default_factory=HouseholdClosure)
    clusters: Mapping[str, Cluster] = field(default_factory=frozendict)
    zones: Mapping[str, Zone] = field(default_factory=frozendict)
    tax_rates: tuple[TaxRate, ...] | Mapping[str, float] = ()
    mci: Mapping[int, float] = field(default_factory=frozendict)
    relief_rule: ReliefRule | None = None
    construction_products: tuple[str, ...] = ()
    machinery_products: tuple[str, ...] = ()
    employee_contributions: Mapping[str, float] = field(default_factory=frozendict)
    customs_pooling_share: float = 1.0
    budget_levels: Mapping[str, Mapping[str, float]] = field(default_factory=frozendict)
    budget_level_names: Mapping[str, str] = field(default_factory=frozendict)
    participant_tax_rows: Mapping[str, float] = field(default_factory=frozendict)
    standard_exemptions: Mapping[str, float] = field(default_factory=frozendict)
    sez_law: str = ""
    sources: Mapping[str, str] = field(default_factory=frozendict)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if isinstance(self.tax_rates, Mapping):
            set_(self, "tax_rates", tuple(TaxRate(str(k), float(v)) for k, v in self.tax_rates.items()))
        else:
            set_(self, "tax_rates", tuple(self.tax_rates))
        for attr in ("clusters", "zones"):
            items = getattr(self, attr)
            items = items.values() if isinstance(items, Mapping) else items
            set_(self, attr, frozendict({item.id: item for item in items}))
        set_(self, "mci", _fmap(self.mci, int, float))
        bad_mci = {y: v for y, v in self.mci.items() if not (math.isfinite(v) and v > 0)}
        if bad_mci:
            raise ValidationError(f"economy {self.name!r}: MCI must be positive, got {bad_mci}")
        for attr in ("construction_products", "machinery_products"):
            set_(self, attr, tuple(str(p) for p in getattr(self, attr)))
        rows: Any = self.participant_tax_rows  # a mapping, or a sequence of names replaced whole
        set_(self, "participant_tax_rows", _fmap(rows if isinstance(rows, Mapping) else dict.fromkeys(rows, 1.0)))
        bad_rows = {k: v for k, v in self.participant_tax_rows.items() if not 0.0 <= v <= 1.0}
        if bad_rows:
            raise ValidationError(
                f"economy {self.name!r}: replaced shares of tax rows must lie in [0, 1], got {bad_rows}"
            )
        set_(self, "employee_contributions", _fmap(self.employee_contributions))
        bad = {k: v for k, v in self.employee_contributions.items() if not 0.0 <= v < 1.0}
        if bad:
            raise ValidationError(f"economy {self.name!r}: contribution rates must lie in [0, 1), got {bad}")
        set_(self, "standard_exemptions", _fmap(self.standard_exemptions))
        unknown = sorted(set(self.standard_exemptions) - set(EXEMPTIBLE_TAXES))
        if unknown:
            raise LabelError(
                f"economy {self.name!r}: unknown exemptible tax(es) {unknown}; "
                f"valid options are {list(EXEMPTIBLE_TAXES)}"
            )
        set_(self, "sources", _fmap(self.sources, str, str))
        share = float(self.customs_pooling_share)
        if not 0.0 < share <= 1.0:
            raise ValidationError(f"economy {self.name!r}: customs_pooling_share must lie in (0, 1], got {share}")
        set_(self, "customs_pooling_share", share)
        levels = frozendict({str(t): _fmap(v) for t, v in dict(self.budget_levels or {}).items()})
        for tax, split in levels.items():
            total = sum(split.values())
            if not split or any(not (math.isfinite(v) and 0.0 <= v <= 1.0) for v in split.values()):
                raise ValidationError(
                    f"economy {self.name!r}: budget levels of {tax!r} must be shares in [0, 1], got {dict(split)}"
                )
            if abs(total - 1.0) > 1e-9:
                raise ValidationError(
                    f"economy {self.name!r}: budget-level shares of {tax!r} sum to {total:g}, not 1: {dict(split)}"
                )
        set_(self, "budget_levels", levels)
        set_(self, "budget_level_names", _fmap(self.budget_level_names, str, str))
        for z in self.zones.values():
            missing = [c for c in z.clusters if c not in self.clusters]
            if missing and self.clusters:
                raise LabelError(f"zone {z.id!r} hosts unknown cluster(s) {missing}; known: {sorted(self.clusters)}")

    # -- construction ----------------------------------------------------------
    @classmethod
    def neutral(cls, name: str = "neutral economy") -> Economy:
        """An economy with the textbook household closure and no country facts."""
        return cls(name=name)

    def replace(self, **changes: Any) -> Economy:
        """A copy with some fields changed (economies are frozen).

        Examples
        --------
        >>> Economy().replace(customs_pooling_share=0.5).customs_pooling_share
        0.5
        """
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise LabelError(f"Economy has no field(s) {unknown}; valid options are {sorted(known)}")
        return replace(self, **changes)

    # -- look-ups ----------------------------------------------------------------
    def zone(self, zone_id: str) -> Zone:
        """The zone with this id (a :class:`~iomodel.errors.LabelError` lists the valid ids)."""
        if zone_id not in self.zones:
            raise LabelError(f"economy {self.name!r} has no zone {zone_id!r}; valid zone ids are {sorted(self.zones)}")
        return self.zones[zone_id]

    def cluster(self, cluster_id: str) -> Cluster:
        """The cluster with this id (a :class:`~iomodel.errors.LabelError` lists the valid ids)."""
        if cluster_id not in self.clusters:
            raise LabelError(
                f"unknown cluster {cluster_id!r} in economy {self.name!r}; valid options are {sorted(self.clusters)}"
            )
        return self.clusters[cluster_id]

    def rates_on(self, day: str | _dt.date) -> frozendict:
        """Statutory rates valid on ``day`` by tax (one rate per tax, or an error naming the clash)."""
        d = _date(day, "tax vintage")
        assert d is not None
        rates = self.tax_rates
        if isinstance(rates, Mapping):  # __post_init__ turns a mapping into TaxRate records
            raise ValidationError(f"economy {self.name!r}: tax_rates were changed after construction")
        out: dict[str, float] = {}
        for r in rates:
            if r.valid_on(d):
                if r.tax in out and out[r.tax] != r.rate:
                    raise ValidationError(f"economy {self.name!r}: two rates of {r.tax!r} are valid on {d}")
                out[r.tax] = r.rate
        return frozendict(out)

    def mci_for(self, year: int) -> float:
        """The reference unit (MCI) of a year; a later year takes the latest known value."""
        if not self.mci:
            raise ValidationError(f"economy {self.name!r} has no MCI (reference unit of size thresholds)")
        known = sorted(self.mci)
        if year in self.mci:
            return self.mci[year]
        if year > known[-1]:
            return self.mci[known[-1]]
        raise ValidationError(f"economy {self.name!r}: no MCI for {year}; known years {known}")

    def relief_years(self, project_cost: float, year: int) -> int:
        """Years of SEZ relief for a project costing ``project_cost`` (``currency``) that starts in ``year``."""
        if self.relief_rule is None:
            raise ValidationError(f"economy {self.name!r} has no SEZ relief-duration rule: give the package a duration")
        if self.relief_rule.unit in ("", self.currency):  # thresholds in the currency itself
            return self.relief_rule.years(project_cost)
        return self.relief_rule.years(project_cost / self.mci_for(year))

    def sez_package(self, **changes: Any) -> SEZPackage:
        """The standard SEZ package of this economy, with any field of :class:`~iomodel.SEZPackage` changed.

        Examples
        --------
        >>> eco = Economy(standard_exemptions={"CIT": 1.0}, sez_law="Law 1")
        >>> p = eco.sez_package(additionality=0.5)
        >>> dict(p.exemptions), p.additionality, p.law
        ({'CIT': 1.0}, 0.5, 'Law 1')
        """
        if not self.standard_exemptions:
            raise ValidationError(f"economy {self.name!r} has no standard SEZ package")
        base: dict[str, Any] = {
            "name": f"{self.name}: standard SEZ package",
            "exemptions": self.standard_exemptions,
            "law": self.sez_law,
        }
        return SEZPackage(**{**base, **changes})

    def cluster_table(self) -> pd.DataFrame:
        """Cluster definitions as a table (``cluster``, ``label``, ``product``, ``role``, ``weight``, ...)."""
        rows = [
            {
                "cluster": c.id,
                "label": c.label,
                "product": m.product,
                "role": m.role,
                "weight": "" if m.weight is None else m.weight,
                "rationale": m.rationale,
                "source": m.source,
            }
            for c in self.clusters.values()
            for m in c.members
        ]
        cols = ["cluster", "label", "product", "role", "weight", "rationale", "source"]
        return pd.DataFrame(rows, columns=cols)

    def cluster_concordance(self, sectors: Any, *, roles: tuple[str, ...] = ("core",), other: str = "other") -> dict:
        """A many-to-one map of sectors to clusters, for :meth:`IOTable.aggregate`.

        Each sector goes to the first cluster (in the economy's order) that
        has it as a member with one of ``roles``, every other sector to
        ``other``. Clusters overlap, so the map is a convention for
        aggregation, not a partition the clusters define.

        Examples
        --------
        >>> import iomodel as iom
        >>> kz = iom.datasets.kazakhstan()
        >>> small = kz.aggregate(kz.economy.cluster_concordance(kz.sectors))
        >>> len(small.sectors), "machine_building" in small.sectors
        (12, True)
        """
        first: dict[str, str] = {}
        for c in self.clusters.values():
            for m in c.members:
                if m.role in roles:
                    first.setdefault(str(m.product), c.id)
        return {str(s): first.get(str(s), other) for s in sectors}

    def attrs(self) -> dict[str, Any]:
        """Flat, netCDF-safe description for result attributes."""
        return {"economy": self.name, **self.closure.attrs()}


def cluster_weights(
    table: Any,
    clusters: pd.DataFrame | Economy,
    *,
    roles: tuple[str, ...] = ("core",),
    weighting: str = "output",
) -> pd.DataFrame:
    """Demand weights of each cluster over the table's sectors (rows sum to 1).

    Parameters
    ----------
    table
        The :class:`~iomodel.IOTable` whose sectors the clusters refer to.
    clusters
        An :class:`Economy` (its clusters), or a table with columns
        ``cluster``, ``product`` and optionally ``role`` and ``weight`` (as
        :meth:`Economy.cluster_table` returns it; edit a copy for your own
        definitions).
    roles
        Which member roles carry demand (default only ``core``).
    weighting
        ``"output"``: members weighted by their gross output (a cluster's unit
        of final demand is spread like its production); ``"equal"``. A
        ``weight`` column, where given for every member, overrides it.

    Returns
    -------
    pandas.DataFrame
        Clusters x sectors.

    Raises
    ------
    LabelError
        A cluster names a product the table does not have.

    Examples
    --------
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> c = pd.DataFrame({"cluster": ["all", "all"], "product": ["agriculture", "manufacturing"]})
    >>> cluster_weights(t, c).round(4).values.tolist()
    [[0.3333, 0.6667]]
    """
    c = clusters.cluster_table() if isinstance(clusters, Economy) else clusters
    if c.empty:
        raise ValidationError("no cluster definitions")
    c = c[c["role"].isin(roles)] if "role" in c.columns else c
    unknown = sorted(set(map(str, c["product"])) - set(map(str, table.sectors)))
    if unknown:
        bad = c[c["product"].astype(str).isin(unknown)]["cluster"].unique().tolist()
        raise LabelError(f"cluster(s) {bad} name product(s) {unknown} not in table {table.meta.name!r}")
    if weighting not in ("output", "equal"):
        raise ValidationError(f"unknown weighting {weighting!r}; valid options are 'output', 'equal'")
    out = pd.DataFrame(0.0, index=pd.Index(pd.unique(c["cluster"]), name="cluster"), columns=table.sectors)
    x = table.output
    for cl, g in c.groupby("cluster", sort=False):
        if "weight" in g.columns and (g["weight"].astype(str) != "").all():
            w = pd.Series(g["weight"].astype(float).to_numpy(), index=g["product"])
        elif weighting == "output":
            w = x.reindex(g["product"])
        else:
            w = pd.Series(1.0, index=g["product"])
        if not np.isfinite(w.to_numpy()).all() or (w < 0).any() or w.sum() <= 0:
            raise ValidationError(f"cluster {cl!r}: weights must be finite, non-negative and sum above 0")
        out.loc[cl, w.index] = (w / w.sum()).to_numpy()
    return out
