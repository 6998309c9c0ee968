r"""Allocate investment and incentives across clusters and zones (an IO linear program).

Each candidate is a :class:`~iomodel.ClusterInvestment` in a zone with its
:class:`~iomodel.SEZPackage`; the decision is its *level* :math:`\lambda_p`
(1 = the project as specified; bounds give the smallest and largest
acceptable scale). Per unit of level, a candidate's effects are computed once
with the public evaluation functions (:func:`iomodel.impact`,
:func:`iomodel.fiscal.fiscal_accounts`) on the table, which is linear:
average annual direct domestic demand :math:`d_p` (capex bridge and the
plant's purchases), the plant's own output and jobs, gross jobs and GVA
(direct, indirect and induced, both phases), the NPV of its net fiscal
effect, its budget cost (PV of revenue forgone plus state zone costs) and its
direct imports (:func:`candidate_coefficients`).

**Attributable effects.** A package can claim only the effects of the
investment it causes: the objective counts jobs and GVA times the candidate's
additionality :math:`\alpha_p` (1 without a package), and the plan reports
gross effects beside them. The NPV of the net fiscal effect already nets
additionality (docs/fiscal.md).

The program (average year of the horizon; money in ``unit``):

.. math::

    \max_{\lambda, x}\ & \sum_p \lambda_p \big(w_E\,\alpha_p J_p + w_V\,\alpha_p V_p + w_N N_p\big) \\
    \text{balance:}\ & (I - A^d)\,x = D\lambda \\
    \text{capacity:}\ & x + Q\lambda \le g \circ x^0 \\
    \text{labour:}\ & \hat e\, x + H\lambda \le \ell \circ E^0 \\
    \text{budget:}\ & c'\lambda + F'y \le B \\
    \text{imports:}\ & m'x + \mu'\lambda \le \bar M \\
    \text{cluster, zone limits:}\ & \underline K_g \le \sum_{p\in g} K_p\lambda_p \le \overline K_g \\
    \text{zone opening (MIP):}\ & \lambda_p \le \bar\lambda_p\, y_{z(p)},\ y \in \{0, 1\} \\
    \text{semi-continuous (MIP):}\ & \underline\lambda_p u_p \le \lambda_p \le \bar\lambda_p u_p,\ u \in \{0, 1\}

:math:`J_p` and :math:`V_p` are gross jobs and GVA per unit of level
(:math:`J_p = e' L d_p` + the plant's own and induced jobs); the balance rows
tie the output :math:`x` of existing sectors to the plan so that capacity,
labour and import limits see it. Shadow prices follow the convention of
:mod:`iomodel.optimize.lp`: the budget's dual is the objective gained per
extra unit of budget (e.g. attributable jobs per million KZT), labour's per
extra worker.

Assumption: a candidate's relief period is fixed at its specified size (the
size rule is a step function and is not re-applied at other levels). A
candidate in a known zone gets the zone's legal term as the end of its
relief. A candidate whose relief covers no year of operation (the zone's term
ends before the plant runs) is *nil relief*: the package grants it nothing
that could cause the investment, so nothing is attributable to it (its
additionality is 0 in effect, its NPV the cost of what it forgoes and of the
zone); the plan and ``info["nil_relief"]`` name it.

Coefficients carry a fingerprint of each candidate's scenario; solving with
coefficients computed for another version of a candidate (another package,
horizon, closure or unit) is refused.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import numpy as np
import pandas as pd
import xarray as xr
from frozendict import frozendict
from pydantic import PlainValidator, Strict, model_validator

from .. import dims, units
from ..economy import Economy
from ..errors import LabelError, ValidationError
from ..fiscal import fiscal_accounts
from ..impacts import economy_of, impact
from ..scenarios import ClusterInvestment, HorizonDocument, InvestmentDocument, PackageDocument, Scenario, SEZPackage
from ..table import IOTable
from ..validation import (
    YEAR,
    Amount,
    Document,
    Limit,
    Number,
    OneOf,
    Problem,
    Tables,
    Whole,
    Year,
    YearRange,
    errors_in,
    given,
    invalid,
    read_document,
    shown,
    validate_document,
)
from .lp import LinearProgram, LPResult

__all__ = [
    "OBJECTIVES",
    "AllocationDocument",
    "AllocationProblem",
    "Candidate",
    "CandidateDocument",
    "StandardCandidatesDocument",
    "allocate",
    "candidate_coefficients",
    "pareto_front",
    "standard_candidates",
]

#: Objectives the allocation can maximise (or weight).
OBJECTIVES = ("employment", "gva", "nfe")

#: A candidate's level (scale of the project).
_LEVEL = Number(0.0)


def _mapping(value: Any, what: str) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{what}: expected a mapping, got {value!r}")
    return value


def _share_or_table(value: Any, what: str) -> float | frozendict:
    """A non-negative number, or a mapping of them by sector (``capacity_growth``, ``labour_share``)."""
    if isinstance(value, Mapping):
        return frozendict({str(k): Number(0.0).check(v, f"{what} {k!r}") for k, v in value.items()})
    return Number(0.0).check(value, what)


@dataclass(frozen=True)
class Candidate:
    """A project option: an investment in a zone with a package.

    Attributes
    ----------
    project
        The investment at level 1.
    zone
        Zone id of the economy (its legal term caps the relief; an unknown id
        is an error when the problem is solved).
    package
        The incentive package (``None``: no incentives).
    min_level, max_level
        Bounds of the level (scale of the project). With
        ``AllocationProblem(semicontinuous=True)`` the level is 0 or between them.
    """

    project: ClusterInvestment
    zone: str | None = None
    package: SEZPackage | None = None
    min_level: float = 0.0
    max_level: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.project, ClusterInvestment):
            raise ValidationError(f"candidate: project must be a ClusterInvestment, got {self.project!r}")
        if self.zone is not None and not isinstance(self.zone, str):
            raise ValidationError(f"candidate {self.project.name!r}: zone must be a zone id (str), got {self.zone!r}")
        if self.package is not None and not isinstance(self.package, SEZPackage):
            raise ValidationError(
                f"candidate {self.name!r}: package must be an SEZPackage or None, got {self.package!r}"
            )
        lo = _LEVEL.check(self.min_level, f"candidate {self.name!r} min_level")
        hi = _LEVEL.check(self.max_level, f"candidate {self.name!r} max_level")
        if not lo <= hi:
            raise ValidationError(f"candidate {self.name!r}: need 0 <= min_level <= max_level < inf, got {lo}, {hi}")
        object.__setattr__(self, "min_level", lo)
        object.__setattr__(self, "max_level", hi)

    @property
    def name(self) -> str:
        """``project@zone`` (or the project's name without a zone)."""
        return f"{self.project.name}@{self.zone}" if self.zone else self.project.name

    @property
    def cluster(self) -> str:
        """The project's cluster id (``"custom"`` for a product mix)."""
        return self.project.cluster or "custom"


@dataclass(frozen=True)
class AllocationProblem:
    """The allocation problem (see the module docstring for the formulation).

    Attributes
    ----------
    candidates
        Project options.
    budget
        State budget for incentives and zone costs over the horizon, present
        value at ``discount_rate`` (``unit``).
    objective
        ``"employment"`` (attributable jobs, average a year), ``"gva"``
        (attributable GVA, average a year), ``"nfe"`` (NPV of the net fiscal
        effect), or weights ``{name: weight}``.
    years
        Horizon (inclusive).
    capacity_growth
        Largest average annual output increase of each sector, as a share of
        its output in the table's year (one number or by sector). Assumption.
    labour_share
        Largest average annual additional employment of each sector as a share
        of its employment in the table's year. Assumption.
    import_limit
        Largest average annual imports caused by the plan (``unit``), or ``None``.
    cluster_limits, zone_limits
        ``{name: (min, max)}`` of total capex (``unit``); ``None`` for no bound.
    zone_fixed_costs
        Fixed cost of opening each zone (PV, ``unit``, non-negative): makes the problem a MIP.
    semicontinuous
        Each level is 0 or between the candidate's ``min_level`` and
        ``max_level`` (a MIP), instead of at least ``min_level``.
    discount_rate, kind, tax_vintage, mpc, unit
        As in :class:`~iomodel.Scenario` (``unit`` ``None``: the table's unit).
    name
        Label.
    """

    candidates: tuple[Candidate, ...]
    budget: float
    objective: str | Mapping[str, float] = "employment"
    years: tuple[int, int] = (2026, 2035)
    capacity_growth: float | Mapping[str, float] = 0.10
    labour_share: float | Mapping[str, float] = 0.05
    import_limit: float | None = None
    cluster_limits: Mapping[str, tuple[float | None, float | None]] = field(default_factory=frozendict)
    zone_limits: Mapping[str, tuple[float | None, float | None]] = field(default_factory=frozendict)
    zone_fixed_costs: Mapping[str, float] = field(default_factory=frozendict)
    semicontinuous: bool = False
    discount_rate: float = 0.05
    kind: Literal["type1", "type2"] = "type2"
    tax_vintage: str | None = None
    mpc: float | None = None
    unit: str | None = None
    name: str = "allocation"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        what = f"allocation {self.name!r}"
        set_(self, "candidates", tuple(self.candidates))
        set_(self, "years", YearRange().check(self.years, f"{what} years"))
        if not self.candidates:
            raise ValidationError("allocation: no candidates")
        wrong = [c for c in self.candidates if not isinstance(c, Candidate)]
        if wrong:
            raise ValidationError(f"{what}: candidates must be Candidates, got {wrong[0]!r}")
        names = [c.name for c in self.candidates]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ValidationError(f"allocation: duplicated candidate names {dup}")
        set_(self, "budget", Number(0.0).check(self.budget, f"{what} budget"))
        if not isinstance(self.objective, str):
            weights = _mapping(self.objective, f"{what} objective")
            set_(
                self,
                "objective",
                frozendict({str(k): Number().check(v, f"{what} objective weight {k!r}") for k, v in weights.items()}),
            )
        for attr in ("capacity_growth", "labour_share"):
            set_(self, attr, _share_or_table(getattr(self, attr), f"{what} {attr}"))
        if self.import_limit is not None:
            set_(self, "import_limit", Number(0.0).check(self.import_limit, f"{what} import_limit"))
        for attr in ("cluster_limits", "zone_limits"):
            limits = _mapping(getattr(self, attr), f"{what} {attr}")
            set_(self, attr, frozendict({str(k): Limit().check(v, f"{what} {attr} {k!r}") for k, v in limits.items()}))
        costs = _mapping(self.zone_fixed_costs, f"{what} zone_fixed_costs")
        bad_cost = {z: v for z, v in costs.items() if Number(0.0).fault(v) is not None}
        if not bad_cost:
            set_(self, "zone_fixed_costs", frozendict({str(k): float(v) for k, v in costs.items()}))
        if not isinstance(self.semicontinuous, bool):
            raise ValidationError(f"{what}: semicontinuous must be True or False, got {self.semicontinuous!r}")
        w = self.weights()
        unknown = sorted(set(w) - set(OBJECTIVES))
        if unknown:
            raise LabelError(f"allocation: unknown objective(s) {unknown}; valid options are {list(OBJECTIVES)}")
        if bad_cost:
            raise ValidationError(f"allocation: zone opening costs must be finite and non-negative, got {bad_cost}")
        zones = {c.zone for c in self.candidates}
        unknown_z = sorted(set(self.zone_fixed_costs) - zones) + sorted(set(self.zone_limits) - zones)
        if unknown_z:
            raise LabelError(f"allocation: zone(s) {unknown_z} have no candidate")
        clusters = {c.cluster for c in self.candidates}
        unknown_c = sorted(set(self.cluster_limits) - clusters)
        if unknown_c:
            raise LabelError(f"allocation: cluster(s) {unknown_c} have no candidate")
        for cand in self.candidates:  # the settings and each candidate's years, as impact() will see them
            self.scenario(cand)

    def weights(self) -> dict[str, float]:
        """Objective weights by name."""
        if isinstance(self.objective, str):
            return {self.objective: 1.0}
        return dict(self.objective)

    def replace(self, **changes: Any) -> AllocationProblem:
        """A copy with some fields changed (problems are frozen)."""
        return AllocationProblem(**{**{f.name: getattr(self, f.name) for f in fields(self)}, **changes})

    def scenario(self, cand: Candidate) -> Scenario:
        """The scenario of one candidate at level 1, as :func:`iomodel.impact` runs it."""
        return Scenario(
            name=cand.name,
            investments=(cand.project,),
            package=cand.package,
            zone=cand.zone,
            years=self.years,
            discount_rate=self.discount_rate,
            kind=self.kind,
            tax_vintage=self.tax_vintage,
            mpc=self.mpc,
            unit=self.unit,
        )

    def build(
        self, table: IOTable, coefficients: xr.Dataset | None = None, *, economy: Economy | None = None
    ) -> LinearProgram:
        """The :class:`~iomodel.optimize.lp.LinearProgram` of this problem on ``table``."""
        coef = coefficients if coefficients is not None else candidate_coefficients(table, self, economy=economy)
        return _build(self, table, coef)

    def to_pyomo(self, table: IOTable, *, economy: Economy | None = None) -> Any:
        """A Pyomo model of the problem, to inspect and extend; solve with :func:`iomodel.optimize.solve_pyomo`."""
        return self.build(table, economy=economy).to_pyomo()

    def solve(
        self,
        table: IOTable,
        *,
        economy: Economy | None = None,
        solver: str = "highs",
        check: bool = True,
        highs_options: Mapping[str, Any] | None = None,
        coefficients: xr.Dataset | None = None,
    ) -> LPResult:
        """Build and solve (see :func:`allocate`); ``highs_options`` go to HiGHS."""
        coef = coefficients if coefficients is not None else candidate_coefficients(table, self, economy=economy)
        res = _build(self, table, coef).solve(solver=solver, check=check, options=highs_options)
        return _decorate(res, self, coef)

    # -- TOML ------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path, *, economy: Economy | None = None) -> AllocationProblem:
        """Read a problem file (see ``examples/cluster_allocation.toml``), checked by :class:`AllocationDocument`.

        ``[standard_candidates]`` (a table of :func:`standard_candidates`
        arguments) adds every cluster in every operating zone of ``economy``
        that hosts it. Further candidates are ``[[candidates]]`` tables with
        the fields of :class:`~iomodel.ClusterInvestment` plus ``zone``,
        ``min_level``, ``max_level`` and ``package`` (``"standard"`` for the
        economy's standard package, :meth:`iomodel.Economy.sez_package`, with
        ``package_options``; a table of :class:`~iomodel.SEZPackage` fields;
        or absent). With an ``economy``, the clusters and zones the file names
        are checked against it.

        Raises
        ------
        iomodel.validation.DocumentReadError
            No such file, a folder, a binary file, not UTF-8, a TOML syntax error.
        iomodel.validation.DocumentError
            Every problem of the file at once (an
            :class:`~iomodel.errors.ValidationError`): a file without ``unit``,
            wrong types, missing keys, values out of range,
            ``standard_candidates`` or a ``"standard"`` package without an
            ``economy``; a :class:`~iomodel.validation.DocumentLabelError`
            (also a :class:`~iomodel.errors.LabelError`) for unknown fields, or
            clusters and zones the economy does not know.
        """
        d, source = read_document(Path(path), "allocation")
        missing = []
        if "unit" not in d:
            missing.append(
                Problem(
                    ("unit",),
                    'missing: a problem file must state the monetary unit of its figures, e.g. unit = "million KZT"',
                )
            )
        doc = validate_document(
            AllocationDocument, d, source, problems=missing, then=lambda doc: doc.label_problems(economy)
        )
        with errors_in(source):
            return doc.build(economy)


def candidate_coefficients(table: IOTable, problem: AllocationProblem, *, economy: Economy | None = None) -> xr.Dataset:
    """Per-unit-level effects of every candidate, from :func:`iomodel.impact` and the fiscal accounts.

    Returns
    -------
    xarray.Dataset
        Over ``project`` and ``sector`` (average year of the horizon, money in
        the problem's unit): ``demand`` (direct domestic demand on existing
        sectors), ``plant_output`` and ``plant_jobs`` (the plant's own, by
        product); over ``project``: ``jobs_gross``, ``gva_gross``,
        ``output_gross`` (all effects, both phases), ``additionality``,
        ``jobs_attributable``, ``gva_attributable``, ``output_attributable``
        (gross times additionality), ``jobs_other`` and ``gva_other`` (the
        part outside the supply chain of existing sectors: the plant's own
        and induced effects), ``nfe`` (NPV), ``cost`` (PV of revenue forgone
        plus state costs), ``imports``, ``capex``; coordinates ``cluster``,
        ``zone`` and ``relief`` (the relief years as the fiscal accounts state them).
    """
    eco = economy_of(table, economy)
    y0, y1 = problem.years
    T = y1 - y0 + 1
    IA = np.eye(table.n) - table.arrays.A
    rows: dict[str, dict[str, Any]] = {}
    unit = problem.unit or table.meta.unit
    for cand in problem.candidates:
        res = impact(table, problem.scenario(cand), economy=eco)
        acc = fiscal_accounts(res, cand.package, economy=eco)
        uf = res.unit_factor
        imp = res.dataset["impact"].sel({dims.INVESTMENT: cand.project.name}).sum(dims.YEAR) / T

        def out(ph: str, ef: str, ind: str, a: xr.DataArray = imp) -> np.ndarray:
            if ind not in a[dims.INDICATOR]:
                return np.zeros(table.n)
            return a.sel({dims.PHASE: ph, dims.EFFECT: ef, dims.INDICATOR: ind}).values

        def total(ind: str, ef: str = "total") -> float:
            return float(sum(out(ph, ef, ind).sum() for ph in ("construction", "operation")))

        ds = res.dataset.sel({dims.INVESTMENT: cand.project.name})
        # a package whose relief covers no year of operation causes nothing: nothing is attributable to it
        nil = cand.package is not None and int(acc.attrs["relief_operation_years"]) == 0
        alpha = 0.0 if nil else (cand.package.additionality if cand.package else 1.0)
        cost = float(acc.attrs["pv_revenue_forgone"] + acc.attrs["pv_state_costs"])
        jobs_other = total("employment", "induced") + float(out("operation", "direct", "employment").sum())
        gva_other = (total("gva", "induced") + float(out("operation", "direct", "gva").sum())) / uf
        rows[cand.name] = {
            "demand": (out("construction", "direct", "output") + IA @ out("operation", "indirect", "output")) / uf,
            "plant_output": out("operation", "direct", "output") / uf,
            "plant_jobs": out("operation", "direct", "employment"),
            "jobs_gross": total("employment"),
            "gva_gross": total("gva") / uf,
            "output_gross": total("output") / uf,
            "additionality": alpha,
            "jobs_other": jobs_other,
            "gva_other": gva_other,
            "nfe": -cost if nil else float(acc.attrs["npv"]),
            "cost": cost,
            "imports": float((ds["capex_imported"] + ds["plant_imported_inputs"]).sum()) / uf / T,
            "capex": cand.project.total_capex,
            "cluster": cand.cluster,
            "zone": cand.zone or "",
            "relief": str(acc.attrs["relief"]).split(": ", 1)[-1] if cand.package else "no package",
            "nil_relief": nil,
            "fingerprint": _fingerprint(problem, cand),
        }
    names = list(rows)
    proj = {dims.PROJECT: names}

    def stack(key: str) -> np.ndarray:
        return np.array([rows[n][key] for n in names])

    money = {"units": unit}
    jobs = {"units": "persons (average a year; construction in job-years per year)"}
    a = stack("additionality")
    ps = (dims.PROJECT, dims.SECTOR)
    return xr.Dataset(
        {
            "demand": (ps, stack("demand"), {**money, "long_name": "direct domestic demand a year"}),
            "plant_output": (ps, stack("plant_output"), {**money, "long_name": "the plant's output a year"}),
            "plant_jobs": (ps, stack("plant_jobs"), {**jobs, "long_name": "the plant's own jobs"}),
            "jobs_gross": (dims.PROJECT, stack("jobs_gross"), {**jobs, "long_name": "jobs, all effects"}),
            "gva_gross": (dims.PROJECT, stack("gva_gross"), {**money, "long_name": "GVA a year, all effects"}),
            "output_gross": (dims.PROJECT, stack("output_gross"), {**money, "long_name": "output a year, all effects"}),
            "additionality": (dims.PROJECT, a, {"units": "share"}),
            "jobs_attributable": (
                dims.PROJECT,
                a * stack("jobs_gross"),
                {**jobs, "long_name": "jobs due to the package"},
            ),
            "gva_attributable": (
                dims.PROJECT,
                a * stack("gva_gross"),
                {**money, "long_name": "GVA due to the package"},
            ),
            "output_attributable": (
                dims.PROJECT,
                a * stack("output_gross"),
                {**money, "long_name": "output due to the package"},
            ),
            "jobs_other": (
                dims.PROJECT,
                stack("jobs_other"),
                {**jobs, "long_name": "the plant's own and induced jobs"},
            ),
            "gva_other": (dims.PROJECT, stack("gva_other"), {**money, "long_name": "the plant's own and induced GVA"}),
            "nfe": (dims.PROJECT, stack("nfe"), {**money, "long_name": "NPV of the net fiscal effect"}),
            "cost": (dims.PROJECT, stack("cost"), {**money, "long_name": "PV of revenue forgone and state costs"}),
            "imports": (dims.PROJECT, stack("imports"), {**money, "long_name": "direct imports a year"}),
            "capex": (dims.PROJECT, stack("capex"), {**money, "long_name": "capital expenditure"}),
        },
        coords={
            **proj,
            dims.SECTOR: table.sectors.to_numpy(),
            "cluster": (dims.PROJECT, stack("cluster")),
            "zone": (dims.PROJECT, stack("zone")),
            "relief": (dims.PROJECT, stack("relief")),
            "nil_relief": (dims.PROJECT, stack("nil_relief").astype(int)),
            "fingerprint": (dims.PROJECT, stack("fingerprint")),
        },
        attrs={**table.meta.attrs(), "economy": eco.name, "unit": unit, "problem": problem.name, "years": f"{y0}-{y1}"},
    )


def _fingerprint(problem: AllocationProblem, cand: Candidate) -> str:
    """A digest of what a candidate's coefficients depend on (its scenario), to refuse stale coefficients."""
    return hashlib.sha256(repr(problem.scenario(cand)).encode()).hexdigest()[:16]


def _per_sector(v: float | Mapping[str, float], table: IOTable, what: str) -> np.ndarray:
    if isinstance(v, Mapping):
        unknown = [k for k in v if k not in table.sectors]
        if unknown:
            raise LabelError(f"{what}: unknown sector(s) {unknown}")
        return pd.Series(dict(v), dtype=float).reindex(table.sectors).to_numpy()
    return np.full(table.n, float(v))


def _objective_units(w: Mapping[str, float], unit: str) -> str:
    if w.keys() == {"employment"}:
        return "jobs attributable to the incentives (average a year)"
    if w.keys() == {"gva"}:
        return f"{unit} a year (GVA attributable to the incentives)"
    if w.keys() == {"nfe"}:
        return f"{unit} (NPV of the net fiscal effect)"
    return "weighted objective"


def _build(problem: AllocationProblem, table: IOTable, coef: xr.Dataset) -> LinearProgram:
    unit = str(coef.attrs["unit"])
    uf = _unit_factor(unit, table)
    names = pd.Index([str(p) for p in coef[dims.PROJECT].values], name=dims.PROJECT)
    missing = [c.name for c in problem.candidates if c.name not in names]
    if missing:
        raise LabelError(f"the coefficients lack candidate(s) {missing}")
    coef = coef.sel({dims.PROJECT: [c.name for c in problem.candidates]})
    stale = [
        c.name
        for c, fp in zip(problem.candidates, coef["fingerprint"].values, strict=True)
        if fp != _fingerprint(problem, c)
    ]
    if stale:
        raise ValidationError(
            f"the coefficients were computed for other versions of candidate(s) {stale} or of the problem's "
            "horizon, closure, unit or rates: recompute them with candidate_coefficients"
        )
    names = pd.Index([c.name for c in problem.candidates], name=dims.PROJECT)
    n, P = table.n, len(names)
    D = coef["demand"].values.T  # (n, P)
    Q = coef["plant_output"].values.T
    H = coef["plant_jobs"].values.T
    a = table.arrays
    e = (
        a.satellites[table.satellites.index.get_loc("employment")] * a.inv_output * uf
        if "employment" in table.satellites.index
        else np.zeros(n)
    )  # persons per unit
    m = a.imports.sum(axis=0) * a.inv_output if len(table.imports.index) else np.zeros(n)
    w = problem.weights()
    obj_units = _objective_units(w, unit)
    lp = LinearProgram(sense="max", objective_units=obj_units, name=problem.name)
    value = (
        w.get("employment", 0.0) * coef["jobs_attributable"].values
        + w.get("gva", 0.0) * coef["gva_attributable"].values
        + w.get("nfe", 0.0) * coef["nfe"].values
    )
    lo = np.array([c.min_level for c in problem.candidates])
    hi = np.array([c.max_level for c in problem.candidates])
    lp.add_variables(
        "level",
        names,
        lower=0.0 if problem.semicontinuous else lo,
        upper=hi,
        cost=value,
        units="scale of the project (1 = as specified)",
    )
    sectors = table.sectors
    lp.add_variables("output", sectors, lower=0.0, units=f"{unit} a year (output change of existing sectors)")
    per = f"{obj_units} per"
    lp.add_constraints(
        "balance",
        sectors,
        {"output": np.eye(n) - a.A, "level": -D},
        lower=0.0,
        upper=0.0,
        units=f"{unit} a year",
        dual_units=f"{per} {unit} of final demand a year",
    )
    x0 = a.output / uf
    lp.add_constraints(
        "capacity",
        sectors,
        {"output": np.eye(n), "level": Q},
        upper=_per_sector(problem.capacity_growth, table, "capacity_growth") * x0,
        units=f"{unit} a year",
        dual_units=f"{per} {unit} of capacity a year",
    )
    if "employment" in table.satellites.index:
        E0 = a.satellites[table.satellites.index.get_loc("employment")]
        lp.add_constraints(
            "labour",
            sectors,
            {"output": np.diag(e), "level": H},
            upper=_per_sector(problem.labour_share, table, "labour_share") * E0,
            units="persons",
            dual_units=f"{per} worker",
        )
    zones = sorted({c.zone for c in problem.candidates if c.zone is not None and c.zone in problem.zone_fixed_costs})
    terms_budget: dict[str, Any] = {"level": coef["cost"].values[None, :]}
    if zones:
        lp.add_variables(
            "open", pd.Index(zones, name=dims.ZONE), lower=0, upper=1, integer=True, units="1 = zone opened"
        )
        terms_budget["open"] = np.array([[problem.zone_fixed_costs[z] for z in zones]])
    one = pd.Index(["budget"], name=dims.CONSTRAINT)
    lp.add_constraints(
        "budget",
        one,
        terms_budget,
        upper=[problem.budget],
        units=f"{unit} (PV)",
        dual_units=f"{per} {unit} of budget (PV)",
    )
    if problem.import_limit is not None:
        lp.add_constraints(
            "imports",
            pd.Index(["imports"], name=dims.CONSTRAINT),
            {"output": m[None, :], "level": coef["imports"].values[None, :]},
            upper=[problem.import_limit],
            units=f"{unit} a year",
            dual_units=f"{per} {unit} of imports a year",
        )
    capex = coef["capex"].values
    for kind, limits, col in (("cluster", problem.cluster_limits, "cluster"), ("zone", problem.zone_limits, "zone")):
        if not limits:
            continue
        keys = list(limits)
        groups = coef[col].values
        M = np.array([[capex[j] if groups[j] == k else 0.0 for j in range(P)] for k in keys])
        lo_ = [limits[k][0] if limits[k][0] is not None else -np.inf for k in keys]
        hi_ = [limits[k][1] if limits[k][1] is not None else np.inf for k in keys]
        lp.add_constraints(
            f"{kind}_capex",
            pd.Index(keys, name=dims.CLUSTER if kind == "cluster" else dims.ZONE),
            {"level": M},
            lower=lo_,
            upper=hi_,
            units=unit,
            dual_units=f"{per} {unit} of capex",
        )
    if zones:
        # (candidate, its zone's position) for every candidate in a zone that can be opened
        opening = [(j, zones.index(c.zone)) for j, c in enumerate(problem.candidates) if c.zone in zones]
        rows = [j for j, _ in opening]
        Zm = np.zeros((len(rows), len(zones)))
        for r, (j, z) in enumerate(opening):
            Zm[r, z] = -problem.candidates[j].max_level
        lp.add_constraints(
            "zone_open",
            names[rows],
            {"level": np.eye(P)[rows], "open": Zm},
            upper=0.0,
            units="scale of the project",
            dual_units=f"{per} unit of level",
        )
    if problem.semicontinuous:
        lp.add_variables("build", names, lower=0, upper=1, integer=True, units="1 = project built")
        for name, bound, kw in (("build_max", hi, {"upper": 0.0}), ("build_min", lo, {"lower": 0.0})):
            lp.add_constraints(
                name,
                names,
                {"level": np.eye(P), "build": -np.diag(bound)},
                units="scale of the project",
                dual_units=f"{per} unit of level",
                **kw,
            )
    return lp


def _unit_factor(unit: str, table: IOTable) -> float:
    return units.factor(unit, table.meta.unit)


def _decorate(res: LPResult, problem: AllocationProblem, coef: xr.Dataset) -> LPResult:
    """Attach cluster, zone and relief coordinates to the project levels and a plan table."""
    if not res.optimal:
        return res
    lev = res.primal["level"]
    dim = lev.dims[0]
    pick = {dims.PROJECT: [str(v) for v in lev[dim].values]}
    c = coef.sel(pick)
    lev = lev.assign_coords(
        cluster=(dim, c["cluster"].values), zone=(dim, c["zone"].values), relief=(dim, c["relief"].values)
    )
    primal = {**res.primal, "level": lev}
    L = lev.values
    plan = pd.DataFrame(
        {
            "level": L,
            "cluster": c["cluster"].values,
            "zone": c["zone"].values,
            "capex": L * c["capex"].values,
            "budget_cost": L * c["cost"].values,
            "nfe": L * c["nfe"].values,
            "additionality": c["additionality"].values,
            "jobs_gross": L * c["jobs_gross"].values,
            "jobs_attributable": L * c["jobs_attributable"].values,
            "gva_gross": L * c["gva_gross"].values,
            "gva_attributable": L * c["gva_attributable"].values,
            "output_gross": L * c["output_gross"].values,
            "output_attributable": L * c["output_attributable"].values,
            "relief": c["relief"].values,
            "nil_relief": c["nil_relief"].values.astype(bool),
        },
        index=pd.Index(lev[dim].values, name=dims.PROJECT),
    )
    unit = str(coef.attrs["unit"])
    plan.attrs["units"] = {
        "level": "scale of the project (1 = as specified)",
        "capex": unit,
        "budget_cost": f"{unit} (PV)",
        "nfe": f"{unit} (NPV)",
        "additionality": "share",
        "jobs_gross": "persons (average a year)",
        "jobs_attributable": "persons (average a year)",
        "gva_gross": f"{unit} a year",
        "gva_attributable": f"{unit} a year",
        "output_gross": f"{unit} a year",
        "output_attributable": f"{unit} a year",
    }
    nil = [str(p) for p, flag in zip(plan.index, c["nil_relief"].values, strict=True) if flag]
    info = {**res.info, "plan": plan, "problem": problem.name, "nil_relief": nil}
    return LPResult(
        status=res.status,
        objective=res.objective,
        sense=res.sense,
        primal=primal,
        duals=res.duals,
        reduced_costs=res.reduced_costs,
        ranging=res.ranging,
        units=res.units,
        info=info,
    )


def allocate(
    table: IOTable,
    candidates: list[Candidate] | tuple[Candidate, ...],
    budget: float,
    *,
    objective: str | Mapping[str, float] = "employment",
    economy: Economy | None = None,
    solver: str = "highs",
    check: bool = True,
    highs_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> LPResult:
    """Allocate a budget across candidate projects to maximise an objective.

    Parameters
    ----------
    table
        The table (domestic convention).
    candidates
        Project options (:class:`Candidate`).
    budget
        PV of revenue forgone plus zone costs the state accepts (``unit``).
    objective
        ``"employment"``, ``"gva"``, ``"nfe"`` or weights.
    economy
        The economy (default: the table's).
    solver
        ``"highs"`` (matrix path) or a Pyomo solver name.
    check
        Raise on infeasible or unbounded problems.
    highs_options
        HiGHS options by name (see :meth:`iomodel.optimize.LinearProgram.solve`).
    **options
        Further :class:`AllocationProblem` fields (limits, horizon, ...).

    Returns
    -------
    LPResult
        ``value("level")`` over ``project`` with ``cluster``, ``zone`` and
        ``relief`` coordinates, ``value("output")`` by sector, shadow prices of
        ``balance``, ``capacity``, ``labour``, ``budget`` and the limits;
        ``info["plan"]`` (gross and attributable effects), ``info["nil_relief"]``.
    """
    problem = AllocationProblem(candidates=tuple(candidates), budget=budget, objective=objective, **options)
    return problem.solve(table, economy=economy, solver=solver, check=check, highs_options=highs_options)


def _objective_values(problem: AllocationProblem, table: IOTable, coef: xr.Dataset, res: LPResult) -> dict[str, float]:
    out = {}
    for k in OBJECTIVES:
        lp = _build(problem.replace(objective=k), table, coef)
        c = lp.matrices()["c"]
        x = np.concatenate([res.primal[n].values for n in lp.variables])
        out[k] = float(c @ x)
    return out


def pareto_front(
    table: IOTable,
    problem: AllocationProblem,
    objectives: tuple[str, str] = ("employment", "nfe"),
    points: int = 11,
    coefficients: xr.Dataset | None = None,
    *,
    economy: Economy | None = None,
) -> xr.Dataset:
    r"""Trade-off between two objectives by the epsilon-constraint method (docs/optimize.md).

    Maximises the first objective subject to the second being at least
    :math:`\varepsilon`, for :math:`\varepsilon` on a grid between the second
    objective's best value among the first's optima (found lexicographically,
    so the first point is not weakly dominated) and its own maximum (payoff
    table). Pass ``coefficients`` from :func:`candidate_coefficients` to
    reuse them. The dual of the epsilon row is the trade-off rate
    :math:`\partial f_1^* / \partial \varepsilon` (e.g. jobs forgone per extra
    million KZT of net fiscal effect).

    Returns
    -------
    xarray.Dataset
        Over ``point``: both objectives, the trade-off rate and the project levels.
    """
    f1, f2 = objectives
    for f in objectives:
        if f not in OBJECTIVES:
            raise LabelError(f"unknown objective {f!r}; valid options are {list(OBJECTIVES)}")
    coef = candidate_coefficients(table, problem, economy=economy) if coefficients is None else coefficients
    p1, p2 = problem.replace(objective=f1), problem.replace(objective=f2)
    r1 = _build(p1, table, coef).solve()
    # lexicographic: the best f2 among the optima of f1
    lex = _build(p2, table, coef)
    c1 = _build(p1, table, coef).matrices()["c"]
    cols1 = lex.matrices()["cols"]
    lex.add_constraints(
        "first_optimum",
        pd.Index([f1], name=dims.CONSTRAINT),
        {nm: c1[sl][None, :] for nm, sl in cols1.items()},
        lower=[r1.objective - 1e-9 * max(1.0, abs(r1.objective))],
    )
    lo = lex.solve(ranging=False).objective
    hi = _build(p2, table, coef).solve().objective
    eps = np.linspace(lo, hi, points)
    c2 = _build(p2, table, coef).matrices()["c"]
    v1, v2, rate, levels = [], [], [], []
    for e_ in eps:
        lp = _build(p1, table, coef)
        cols = lp.matrices()["cols"]
        lp.add_constraints(
            "epsilon",
            pd.Index([f2], name=dims.CONSTRAINT),
            {nm: c2[s][None, :] for nm, s in cols.items()},
            lower=[e_ - 1e-9 * max(1.0, abs(e_))],
            dual_units=f"{f1} per unit of {f2}",
        )
        r = lp.solve(ranging=False)
        vals = _objective_values(problem, table, coef, r)
        v1.append(vals[f1])
        v2.append(vals[f2])
        rate.append(float(r.dual("epsilon").values[0]) if r.duals else np.nan)
        levels.append(r.value("level").values)
    unit = str(coef.attrs["unit"])
    return xr.Dataset(
        {
            f1: (dims.POINT, v1, {"units": _objective_units({f1: 1.0}, unit)}),
            f2: (dims.POINT, v2, {"units": _objective_units({f2: 1.0}, unit)}),
            "tradeoff_rate": (dims.POINT, rate, {"units": f"{f1} per unit of {f2}"}),
            "level": ((dims.POINT, dims.PROJECT), np.array(levels), {"units": "scale of the project"}),
        },
        coords={
            dims.POINT: np.arange(points),
            dims.PROJECT: [c.name for c in problem.candidates],
            "epsilon": (dims.POINT, eps),
            "cluster": (dims.PROJECT, coef["cluster"].sel({dims.PROJECT: [c.name for c in problem.candidates]}).values),
            "zone": (dims.PROJECT, coef["zone"].sel({dims.PROJECT: [c.name for c in problem.candidates]}).values),
        },
        attrs={
            **table.meta.attrs(),
            "method": "epsilon-constraint (Haimes, Lasdon & Wismer 1971; docs/optimize.md)",
            "maximised": f1,
            "constrained": f2,
            "unit": unit,
            "tradeoff_rate": f"change of {f1} per unit increase of the {f2} floor (<= 0)",
        },
    )


def standard_candidates(
    economy: Economy,
    clusters: list[str] | None = None,
    *,
    capex: float = 100_000.0,
    output_ratio: float = 0.6,
    start: int = 2026,
    years: tuple[int, int] = (2026, 2035),
    build_years: int = 2,
    max_level: float = 3.0,
) -> list[Candidate]:
    """Standard candidates: each cluster in each operating zone of the economy that hosts it, with its package.

    Each candidate is an illustrative project of ``capex`` (in the problem's
    unit) built over ``build_years`` and producing ``output_ratio * capex`` a
    year afterwards; levels scale it up to ``max_level``. Relief is capped by
    each zone's legal term when the problem is solved. A cluster that no
    operating zone hosts has no candidate (an SEZ package cannot reach it).

    Raises
    ------
    LabelError
        An unknown cluster (the message lists the valid ones).
    ValidationError
        No zone hosts any of the clusters.
    """
    what = "standard_candidates"
    capex = Number(0.0, low_open=True).check(capex, f"{what} capex")
    output_ratio = Number(0.0).check(output_ratio, f"{what} output_ratio")
    start = YEAR.check(start, f"{what} start")
    years = YearRange().check(years, f"{what} years")
    build_years = Whole(1).check(build_years, f"{what} build_years")
    max_level = Number(0.0, low_open=True).check(max_level, f"{what} max_level")
    if clusters is not None and (isinstance(clusters, str) or not all(isinstance(c, str) for c in clusters)):
        raise ValidationError(f"{what}: clusters must be a list of cluster ids, got {clusters!r}")
    wanted = clusters or list(economy.clusters)
    out: list[Candidate] = []
    for c in wanted:
        economy.cluster(c)
        capex_years = {start + i: capex / build_years for i in range(build_years)}
        op = {y: capex * output_ratio for y in range(start + build_years, years[1] + 1)}
        inv = ClusterInvestment(name=c, cluster=c, capex=capex_years, output=op)
        hosts = [z.id for z in economy.zones.values() if c in z.clusters and z.status == "operating"]
        for z in hosts:
            out.append(Candidate(project=inv, zone=z, package=economy.sez_package(), max_level=max_level))
    if not out:
        raise ValidationError(f"no operating zone of economy {economy.name!r} hosts any of the clusters {wanted}")
    return out


# -- documents: what a problem file may hold (iomodel.validation) ---------------------------------


def _objective(value: Any) -> str | dict[str, float]:
    """``objective``: a name from :data:`OBJECTIVES` or a table of weights by name."""
    names = OneOf(OBJECTIVES, noun="objective")
    if isinstance(value, str):
        fault = names.fault(value)
        if fault is not None:
            invalid([Problem((), fault, label=True)])
        return value
    if isinstance(value, Mapping):
        problems = [Problem((k,), f, label=True) for k in value if (f := names.fault(k)) is not None]
        problems += [Problem((k,), f) for k, w in value.items() if (f := Number().fault(w)) is not None]
        if problems:
            invalid(problems)
        if not value:
            invalid([Problem((), f"expected at least one weight, of {list(OBJECTIVES)}, got an empty table")])
        return {str(k): float(w) for k, w in value.items()}
    invalid([Problem((), f"expected one of {list(OBJECTIVES)} or a table of weights by objective, got {shown(value)}")])


def _share_by_sector(value: Any) -> float | dict[str, float]:
    """``capacity_growth``, ``labour_share``: a number >= 0, or a table of them by sector."""
    number = Number(0.0)
    if isinstance(value, Mapping):
        problems = [Problem((k,), f) for k, v in value.items() if (f := number.fault(v)) is not None]
        if problems:
            invalid(problems)
        return {str(k): float(v) for k, v in value.items()}
    fault = number.fault(value)
    if fault is not None:
        invalid([Problem((), f"{fault} (or a table of such numbers by sector)")])
    return float(value)


def _package(value: Any) -> PackageDocument | str:
    """A candidate's ``package``: ``"standard"`` or a table of :class:`~iomodel.SEZPackage` fields."""
    if value == "standard":
        return "standard"
    if isinstance(value, Mapping):
        return PackageDocument.model_validate(value)
    invalid([Problem((), f'expected "standard" or a table of SEZPackage fields, got {shown(value)}')])


class StandardCandidatesDocument(Document):
    """The ``[standard_candidates]`` table: the arguments of :func:`standard_candidates`."""

    clusters: Annotated[list[str], Strict(False)] | None = None
    capex: Annotated[float, Number(0.0, low_open=True)] | None = None
    output_ratio: Amount | None = None
    start: Year | None = None
    years: Annotated[tuple[int, int], YearRange()] | None = None
    build_years: Annotated[int, Whole(1)] | None = None
    max_level: Annotated[float, Number(0.0, low_open=True)] | None = None


class CandidateDocument(InvestmentDocument):
    """One ``[[candidates]]`` table: the fields of :class:`~iomodel.ClusterInvestment` and of :class:`Candidate`."""

    zone: str | None = None
    min_level: Amount | None = None
    max_level: Amount | None = None
    package: Annotated[PackageDocument | str, PlainValidator(_package)] | None = None
    package_options: PackageDocument | None = None

    @model_validator(mode="after")
    def _levels_and_options(self) -> Self:
        problems = []
        lo, hi = self.min_level, self.max_level
        if lo is not None and lo > (hi if hi is not None else _default(Candidate, "max_level")):
            problems.append(Problem(("max_level",), f"expected at least min_level = {lo:g}, got {shown(hi)}"))
        if self.package_options is not None and self.package != "standard":
            problems.append(Problem(("package_options",), 'applies to package = "standard" only'))
        if problems:
            invalid(problems)
        return self

    def build_candidate(self, economy: Economy | None) -> Candidate:
        """The candidate (``economy``: for the standard package)."""
        pkg: SEZPackage | None = None
        if self.package == "standard":
            if economy is None:
                raise ValidationError('package = "standard" needs an economy: pass economy= (e.g. table.economy)')
            pkg = economy.sez_package(**(given(self.package_options) if self.package_options is not None else {}))
        elif isinstance(self.package, PackageDocument):
            pkg = self.package.build()
        levels = {k: v for k, v in given(self).items() if k in ("min_level", "max_level")}
        return Candidate(project=self.build(), zone=self.zone, package=pkg, **levels)


def _default(cls: type, name: str) -> Any:
    return next(f.default for f in fields(cls) if f.name == name)


class AllocationDocument(HorizonDocument):
    r"""An allocation problem file (:class:`AllocationProblem`): checked before the problem is built.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = Path(folder.name) / "p.toml"
    >>> _ = path.write_text('budget = "lots"\nunit = "million KZT"\n[cluster_limits]\nagro = [1.0]\n')
    >>> AllocationProblem.from_toml(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    iomodel.validation.DocumentError: ...p.toml: 2 problems:
    ...p.toml: field 'budget': expected a finite number >= 0, got 'lots'
    ...p.toml: [cluster_limits], field 'agro': expected [low, high], two finite numbers or "none"
    with low <= high, got [1.0]
    >>> folder.cleanup()
    """

    name: str | None = None
    budget: Amount
    objective: Annotated[str | dict[str, float], PlainValidator(_objective)] | None = None
    capacity_growth: Annotated[float | dict[str, float], PlainValidator(_share_by_sector)] | None = None
    labour_share: Annotated[float | dict[str, float], PlainValidator(_share_by_sector)] | None = None
    import_limit: Amount | None = None
    cluster_limits: dict[str, Annotated[tuple[float | None, float | None], Limit()]] | None = None
    zone_limits: dict[str, Annotated[tuple[float | None, float | None], Limit()]] | None = None
    zone_fixed_costs: dict[str, Amount] | None = None
    semicontinuous: bool | None = None
    standard_candidates: StandardCandidatesDocument | None = None
    candidates: Annotated[list[CandidateDocument], Tables()] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        horizon = self.horizon(_default(AllocationProblem, "years"))
        span = f"{horizon[0]}-{horizon[1]}"
        problems = []
        if self.standard_candidates is None and not self.candidates:
            problems.append(Problem((), "no candidates: give [standard_candidates] or [[candidates]] tables"))
        for i, c in enumerate(self.candidates or []):
            for key, amounts in (("capex", c.capex), ("output", c.output)):
                outside = [y for y in sorted(amounts or {}) if not horizon[0] <= y <= horizon[1]]
                if outside:
                    problems.append(
                        Problem(("candidates", i, key), f"year(s) {outside} outside the problem's years {span}")
                    )
        std = self.standard_candidates
        if std is not None:
            arg = inspect.signature(standard_candidates).parameters
            start = std.start if std.start is not None else arg["start"].default
            last = (std.years or horizon)[1]
            build = std.build_years if std.build_years is not None else arg["build_years"].default
            if not horizon[0] <= start <= horizon[1]:
                problems.append(
                    Problem(("standard_candidates", "start"), f"{start} lies outside the problem's years {span}")
                )
            elif start + build - 1 > horizon[1]:
                problems.append(
                    Problem(
                        ("standard_candidates", "build_years"), f"construction runs past the problem's years {span}"
                    )
                )
            if last > horizon[1]:
                problems.append(
                    Problem(("standard_candidates", "years"), f"output runs to {last}, past the problem's years {span}")
                )
        if problems:
            invalid(problems)
        return self

    def label_problems(self, economy: Economy | None) -> list[Problem]:
        """Clusters and zones the economy does not know; what needs an economy when there is none."""
        problems = []
        if economy is None:
            if self.standard_candidates is not None:
                problems.append(
                    Problem((), "[standard_candidates] needs an economy: pass economy= (e.g. table.economy)")
                )
            problems += [
                Problem(
                    ("candidates", i, "package"),
                    'package = "standard" needs an economy: pass economy= (e.g. table.economy)',
                )
                for i, c in enumerate(self.candidates or [])
                if c.package == "standard"
            ]
            return problems
        clusters, zones = sorted(economy.clusters), sorted(economy.zones)
        std = self.standard_candidates
        for j, cl in enumerate((std.clusters or []) if std is not None else []):
            if cl not in economy.clusters:
                problems.append(
                    Problem(
                        ("standard_candidates", "clusters", j),
                        f"unknown cluster {cl!r}; valid options are {clusters}",
                        label=True,
                    )
                )
        for i, c in enumerate(self.candidates or []):
            if c.cluster is not None and c.cluster not in economy.clusters:
                problems.append(
                    Problem(
                        ("candidates", i, "cluster"),
                        f"unknown cluster {c.cluster!r}; valid options are {clusters}",
                        label=True,
                    )
                )
            if c.zone is not None and c.zone not in economy.zones:
                problems.append(
                    Problem(
                        ("candidates", i, "zone"), f"unknown zone {c.zone!r}; valid zone ids are {zones}", label=True
                    )
                )
        return problems

    def build(self, economy: Economy | None) -> AllocationProblem:
        """The problem (``economy``: for standard candidates and packages)."""
        cands: list[Candidate] = []
        if self.standard_candidates is not None:
            if economy is None:
                raise ValidationError("[standard_candidates] needs an economy: pass economy= (e.g. table.economy)")
            kw = given(self.standard_candidates)
            kw.setdefault("years", self.horizon(_default(AllocationProblem, "years")))
            cands.extend(standard_candidates(economy, **kw))
        cands.extend(c.build_candidate(economy) for c in self.candidates or [])
        kw = {k: v for k, v in given(self).items() if k not in ("standard_candidates", "candidates")}
        return AllocationProblem(candidates=tuple(cands), **kw)
