r"""Allocate investment and incentives across clusters and zones (an IO linear program).

Each candidate is a :class:`~iomodel.ClusterInvestment` in a zone with its
:class:`~iomodel.SEZPackage`; the decision is its *level* :math:`\lambda_p`
(1 = the project as specified; bounds give the smallest and largest
acceptable scale). Per unit of level, a candidate's effects are computed once
with :func:`iomodel.impact` on the table, which is linear: average annual
direct domestic demand :math:`d_p` (capex bridge and the plant's purchases),
jobs and GVA outside the supply chain (the plant's own, and induced ones for
Type II), the NPV of its net fiscal effect, its budget cost (PV of revenue
forgone plus state zone costs), its direct imports.

The program (average year of the horizon; money in ``unit``):

.. math::

    \max_{\lambda, x}\ & w_E (e'x + J'\lambda) + w_V (v'x + V'\lambda) + w_N\, N'\lambda \\
    \text{balance:}\ & (I - A^d)\,x = D\lambda \\
    \text{capacity:}\ & x + Q\lambda \le g \circ x^0 \\
    \text{labour:}\ & \hat e\, x + H\lambda \le \ell \circ E^0 \\
    \text{budget:}\ & c'\lambda + F'y \le B \\
    \text{imports:}\ & m'x + \mu'\lambda \le \bar M \\
    \text{cluster, zone limits:}\ & \underline K_g \le \sum_{p\in g} K_p\lambda_p \le \overline K_g \\
    \text{zone opening (MIP):}\ & \lambda_p \le \bar\lambda_p\, y_{z(p)},\ y \in \{0, 1\}

The balance rows are the Leontief system with domestic coefficients
(METHODS.md 4.1); with only they binding, their duals are the objective's
multipliers (Brink & McCarl 1977). Shadow prices follow the convention of
:mod:`iomodel.optimize.lp`: the budget's dual is the objective gained per
extra unit of budget (e.g. jobs per million KZT), labour's per extra worker.

Assumption: a candidate's relief period is fixed at its specified size (the
2024 duration rule is a step function of size and is not re-applied at other
levels).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .. import datasets
from ..errors import LabelError, ValidationError
from ..impact import _coefficients, _unit_factor, bridge_vectors, impact, plant_profile
from ..scenarios import ClusterInvestment, Scenario, SEZPackage, read_toml
from ..table import HouseholdClosure, IOTable
from .lp import LinearProgram, LPResult

__all__ = ["Candidate", "AllocationProblem", "allocate", "pareto_front", "candidate_coefficients", "OBJECTIVES"]

#: Objectives the allocation can maximise (or weight).
OBJECTIVES = ("employment", "gva", "nfe")


@dataclass(frozen=True)
class Candidate:
    """A project option: an investment in a zone with a package.

    Attributes
    ----------
    project
        The investment at level 1.
    zone
        Zone id (see :func:`iomodel.datasets.kazakhstan_zones`).
    package
        The incentive package (``None``: no incentives).
    min_level, max_level
        Bounds of the level (scale of the project).
    """

    project: ClusterInvestment
    zone: str | None = None
    package: SEZPackage | None = None
    min_level: float = 0.0
    max_level: float = 1.0

    def __post_init__(self) -> None:
        if not (0.0 <= self.min_level <= self.max_level) or not math.isfinite(self.max_level):
            raise ValidationError(
                f"candidate {self.name!r}: need 0 <= min_level <= max_level < inf, got "
                f"{self.min_level}, {self.max_level}"
            )

    @property
    def name(self) -> str:
        return f"{self.project.name}@{self.zone}" if self.zone else self.project.name

    @property
    def cluster(self) -> str:
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
        ``"employment"`` (average jobs a year), ``"gva"`` (average GVA a year),
        ``"nfe"`` (NPV of the net fiscal effect), or weights ``{name: weight}``.
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
        Fixed cost of opening each zone (PV, ``unit``): makes the problem a MIP.
    discount_rate, kind, tax_vintage, mpc, unit
        As in :class:`~iomodel.Scenario`.
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
    cluster_limits: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)
    zone_limits: Mapping[str, tuple[float | None, float | None]] = field(default_factory=dict)
    zone_fixed_costs: Mapping[str, float] = field(default_factory=dict)
    discount_rate: float = 0.05
    kind: str = "type2"
    tax_vintage: str = "2026-01-01"
    mpc: float = 0.8
    unit: str = "million KZT"
    name: str = "allocation"

    def __post_init__(self) -> None:
        object.__setattr__(self, "candidates", tuple(self.candidates))
        object.__setattr__(self, "years", (int(self.years[0]), int(self.years[1])))
        if not self.candidates:
            raise ValidationError("allocation: no candidates")
        names = [c.name for c in self.candidates]
        if len(set(names)) != len(names):
            raise ValidationError(f"allocation: duplicated candidate names {names}")
        if not (self.budget >= 0 and math.isfinite(self.budget)):
            raise ValidationError(f"allocation: budget must be finite and non-negative, got {self.budget}")
        w = self.weights()
        unknown = sorted(set(w) - set(OBJECTIVES))
        if unknown:
            raise LabelError(f"allocation: unknown objective(s) {unknown}; valid options are {list(OBJECTIVES)}")
        zones = {c.zone for c in self.candidates}
        unknown_z = sorted(set(self.zone_fixed_costs) - zones) + sorted(set(self.zone_limits) - zones)
        if unknown_z:
            raise LabelError(f"allocation: zone(s) {unknown_z} have no candidate")
        clusters = {c.cluster for c in self.candidates}
        unknown_c = sorted(set(self.cluster_limits) - clusters)
        if unknown_c:
            raise LabelError(f"allocation: cluster(s) {unknown_c} have no candidate")

    def weights(self) -> dict[str, float]:
        """Objective weights by name."""
        if isinstance(self.objective, str):
            return {self.objective: 1.0}
        return {str(k): float(v) for k, v in self.objective.items()}

    def scenario(self, cand: Candidate) -> Scenario:
        """The scenario of one candidate at level 1, as :func:`iomodel.impact` runs it."""
        inv = cand.project
        return Scenario(
            name=cand.name,
            investments=(inv,),
            package=cand.package,
            zone=cand.zone,
            years=self.years,
            discount_rate=self.discount_rate,
            kind=self.kind,  # type: ignore[arg-type]
            tax_vintage=self.tax_vintage,
            mpc=self.mpc,
            unit=self.unit,
        )

    def build(self, table: IOTable, coefficients: pd.DataFrame | None = None) -> LinearProgram:
        """The :class:`~iomodel.optimize.lp.LinearProgram` of this problem on ``table``."""
        return _build(self, table, coefficients if coefficients is not None else candidate_coefficients(table, self))

    def to_pyomo(self, table: IOTable):
        """A Pyomo model of the problem, to inspect and extend; solve with :func:`iomodel.optimize.solve_pyomo`."""
        return self.build(table).to_pyomo()

    def solve(
        self,
        table: IOTable,
        *,
        solver: str = "highs",
        check: bool = True,
        highs_options: Mapping[str, Any] | None = None,
    ) -> LPResult:
        """Build and solve (see :func:`allocate`); ``highs_options`` go to HiGHS."""
        coef = candidate_coefficients(table, self)
        res = self.build(table, coef).solve(solver=solver, check=check, options=highs_options)
        return _decorate(res, self, coef)

    # -- TOML ------------------------------------------------------------------
    @classmethod
    def from_toml(cls, path: str | Path) -> AllocationProblem:
        """Read a problem file (see ``examples/cluster_allocation.toml``).

        ``standard_candidates`` (a table of :func:`kazakhstan_candidates`
        arguments) adds every cluster in every zone hosting it. Further
        candidates are ``[[candidates]]`` tables with the fields of
        :class:`~iomodel.ClusterInvestment` plus ``zone``, ``min_level``,
        ``max_level`` and ``package`` (``"kazakhstan"`` for
        :meth:`~iomodel.SEZPackage.kazakhstan`, a table of its fields, or absent).
        """
        p = Path(path)
        d = read_toml(p, "allocation")
        known = {f.name for f in fields(cls)} | {"standard_candidates"}
        unknown = sorted(set(d) - known)
        if unknown:
            raise LabelError(f"{p}: unknown field(s) {unknown}; valid options are {sorted(known)}")
        cands = []
        std = d.pop("standard_candidates", None)
        if std is not None:
            std = dict(std)
            std["years"] = tuple(std.get("years", d.get("years", (2026, 2035))))
            cands.extend(kazakhstan_candidates(**std))
        for raw in d.pop("candidates", []):
            raw = dict(raw)
            zone = raw.pop("zone", None)
            lo, hi = raw.pop("min_level", 0.0), raw.pop("max_level", 1.0)
            pkg = raw.pop("package", None)
            if pkg == "kazakhstan":
                pkg = SEZPackage.kazakhstan(**raw.pop("package_options", {}))
            elif isinstance(pkg, dict):
                pkg = SEZPackage(**pkg)
            sc = Scenario.from_dict({"name": "x", "investments": [raw]})
            cands.append(Candidate(project=sc.investments[0], zone=zone, package=pkg, min_level=lo, max_level=hi))
        for key in ("cluster_limits", "zone_limits"):
            if key in d:
                d[key] = {
                    k: (None if v[0] == "none" else v[0], None if v[1] == "none" else v[1]) for k, v in d[key].items()
                }
        if "years" in d:
            d["years"] = tuple(d["years"])
        return cls(candidates=tuple(cands), **d)


def candidate_coefficients(table: IOTable, problem: AllocationProblem) -> pd.DataFrame:
    """Per-unit-level effects of every candidate (rows) from :func:`iomodel.impact`.

    Columns: ``demand:<sector>`` (average annual direct domestic demand),
    ``output:<sector>`` (plant output), ``jobs:<sector>`` (plant jobs),
    ``jobs_other``, ``gva_other``, ``nfe``, ``cost``, ``imports``, ``capex``,
    ``cluster``, ``zone``. Money in ``problem.unit``.
    """
    uf = _unit_factor(problem.scenario(problem.candidates[0]), table)
    IA = np.eye(table.n) - table.A.to_numpy()
    T = problem.years[1] - problem.years[0] + 1
    years = list(range(problem.years[0], problem.years[1] + 1))
    coef_rows = _coefficients(table, HouseholdClosure())
    rows = {}
    sectors = [str(s) for s in table.sectors]
    for cand in problem.candidates:
        res = impact(table, problem.scenario(cand))
        imp = res.dataset["impact"].sel(investment=cand.project.name)
        # average year of the horizon, in the problem's unit
        per_year = imp.sum("year") / T

        def out(ph: str, ef: str, ind: str, a: xr.DataArray = per_year) -> np.ndarray:
            return a.sel(phase=ph, effect=ef, indicator=ind).values

        d = (out("construction", "direct", "output") + IA @ out("operation", "indirect", "output")) / uf
        q = out("operation", "direct", "output") / uf
        if "employment" in imp.indicator:
            jobs_dir = out("operation", "direct", "employment")
            induced = out("construction", "induced", "employment") + out("operation", "induced", "employment")
            jobs_other = float(jobs_dir.sum() + induced.sum())
        else:
            jobs_dir, jobs_other = np.zeros(table.n), 0.0
        gva_other = float(
            (
                out("operation", "direct", "gva")
                + out("construction", "induced", "gva")
                + out("operation", "induced", "gva")
            ).sum()
            / uf
        )
        f = res.fiscal.attrs
        shares, mu = bridge_vectors(table, cand.project)
        prof = plant_profile(table, cand.project, coef_rows, uf)
        K = np.array([cand.project.capex.get(y, 0.0) for y in years])
        X = np.array([cand.project.output.get(y, 0.0) for y in years])
        imports = float(((mu * shares).sum() * K).sum() + prof.imported_inputs * X.sum()) / T
        row = {f"demand:{s}": v for s, v in zip(sectors, d, strict=True)}
        row.update({f"output:{s}": v for s, v in zip(sectors, q, strict=True)})
        row.update({f"jobs:{s}": v for s, v in zip(sectors, jobs_dir, strict=True)})
        row.update(
            jobs_other=float(jobs_other),
            gva_other=gva_other,
            nfe=float(f["npv"]),
            cost=float(f["pv_revenue_forgone"] + f["pv_state_costs"]),
            imports=imports,
            capex=cand.project.total_capex,
            cluster=cand.cluster,
            zone=cand.zone or "",
        )
        rows[cand.name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def _per_sector(v: float | Mapping[str, float], table: IOTable, what: str) -> np.ndarray:
    if isinstance(v, Mapping):
        unknown = [k for k in v if k not in table.sectors]
        if unknown:
            raise LabelError(f"{what}: unknown sector(s) {unknown}")
        return pd.Series(v, dtype=float).reindex(table.sectors).to_numpy()
    return np.full(table.n, float(v))


def _build(problem: AllocationProblem, table: IOTable, coef: pd.DataFrame) -> LinearProgram:
    uf = _unit_factor(problem.scenario(problem.candidates[0]), table)
    sectors = [str(s) for s in table.sectors]
    names = list(coef.index)
    n, P = table.n, len(names)
    D = coef[[f"demand:{s}" for s in sectors]].to_numpy(dtype=float).T  # (n, P)
    Q = coef[[f"output:{s}" for s in sectors]].to_numpy(dtype=float).T
    H = coef[[f"jobs:{s}" for s in sectors]].to_numpy(dtype=float).T
    inv_x = table._inv_output()
    e = (
        (table.satellites.loc["employment"].to_numpy() * inv_x * uf)
        if "employment" in table.satellites.index
        else np.zeros(n)
    )  # persons per unit
    v = table.gva.to_numpy() * inv_x
    m = table.imports.to_numpy().sum(axis=0) * inv_x if len(table.imports.index) else np.zeros(n)
    w = problem.weights()
    unit = problem.unit
    obj_units = (
        "jobs (average a year)"
        if w.keys() == {"employment"}
        else f"{unit} a year (GVA)"
        if w.keys() == {"gva"}
        else f"{unit} (NPV of the net fiscal effect)"
        if w.keys() == {"nfe"}
        else "weighted objective"
    )
    lp = LinearProgram(sense="max", objective_units=obj_units, name=problem.name)
    cost_level = (
        w.get("employment", 0.0) * coef["jobs_other"].to_numpy(dtype=float)
        + w.get("gva", 0.0) * coef["gva_other"].to_numpy(dtype=float)
        + w.get("nfe", 0.0) * coef["nfe"].to_numpy(dtype=float)
    )
    cost_x = w.get("employment", 0.0) * e + w.get("gva", 0.0) * v
    lo = [c.min_level for c in problem.candidates]
    hi = [c.max_level for c in problem.candidates]
    lp.add_variables(
        "level", names, lower=lo, upper=hi, cost=cost_level, units="scale of the project (1 = as specified)"
    )
    lp.add_variables("output", table.sectors, lower=0.0, cost=cost_x, units=f"{unit} a year (output change)")
    per = f"{obj_units} per"
    lp.add_constraints(
        "balance",
        table.sectors,
        {"output": np.eye(n) - table.A.to_numpy(), "level": -D},
        lower=0.0,
        upper=0.0,
        units=f"{unit} a year",
        dual_units=f"{per} {unit} of final demand a year",
    )
    x0 = table.output.to_numpy() / uf
    lp.add_constraints(
        "capacity",
        table.sectors,
        {"output": np.eye(n), "level": Q},
        upper=_per_sector(problem.capacity_growth, table, "capacity_growth") * x0,
        dual_units=f"{per} {unit} of capacity a year",
    )
    if "employment" in table.satellites.index:
        E0 = table.satellites.loc["employment"].to_numpy()
        lp.add_constraints(
            "labour",
            table.sectors,
            {"output": np.diag(e), "level": H},
            upper=_per_sector(problem.labour_share, table, "labour_share") * E0,
            dual_units=f"{per} worker",
        )
    zones = sorted({c.zone for c in problem.candidates if c.zone in problem.zone_fixed_costs})
    terms_budget: dict[str, Any] = {"level": coef["cost"].to_numpy(dtype=float)[None, :]}
    if zones:
        lp.add_variables("open", zones, lower=0, upper=1, integer=True, units="1 = zone opened")
        terms_budget["open"] = np.array([[problem.zone_fixed_costs[z] for z in zones]])
    lp.add_constraints(
        "budget", ["budget"], terms_budget, upper=[problem.budget], dual_units=f"{per} {unit} of budget (PV)"
    )
    if problem.import_limit is not None:
        lp.add_constraints(
            "imports",
            ["imports"],
            {"output": m[None, :], "level": coef["imports"].to_numpy(dtype=float)[None, :]},
            upper=[problem.import_limit],
            dual_units=f"{per} {unit} of imports a year",
        )
    capex = coef["capex"].to_numpy(dtype=float)
    for kind, limits, col in (("cluster", problem.cluster_limits, "cluster"), ("zone", problem.zone_limits, "zone")):
        if not limits:
            continue
        keys = list(limits)
        M = np.array([[capex[j] if coef[col].iloc[j] == k else 0.0 for j in range(P)] for k in keys])
        lo_ = [limits[k][0] if limits[k][0] is not None else -np.inf for k in keys]
        hi_ = [limits[k][1] if limits[k][1] is not None else np.inf for k in keys]
        lp.add_constraints(
            f"{kind}_capex", keys, {"level": M}, lower=lo_, upper=hi_, dual_units=f"{per} {unit} of capex"
        )
    if zones:
        Zm = np.zeros((P, len(zones)))
        for j, c in enumerate(problem.candidates):
            if c.zone in zones:
                Zm[j, zones.index(c.zone)] = -c.max_level
        rows = [j for j, c in enumerate(problem.candidates) if c.zone in zones]
        lp.add_constraints(
            "zone_open",
            [names[j] for j in rows],
            {"level": np.eye(P)[rows], "open": Zm[rows]},
            upper=0.0,
            dual_units="",
        )
    return lp


def _decorate(res: LPResult, problem: AllocationProblem, coef: pd.DataFrame) -> LPResult:
    """Attach cluster and zone coordinates to the project levels and a plan table."""
    if not res.optimal:
        return res
    lev = res.primal["level"]
    dim = lev.dims[0]
    lev = lev.assign_coords(
        cluster=(dim, coef["cluster"].reindex(lev[dim].values).to_numpy()),
        zone=(dim, coef["zone"].reindex(lev[dim].values).to_numpy()),
    )
    primal = {**res.primal, "level": lev}
    plan = pd.DataFrame(
        {"level": lev.values, "cluster": lev.cluster.values, "zone": lev.zone.values}, index=lev[dim].values
    )
    plan["capex"] = plan["level"] * coef["capex"].reindex(plan.index).to_numpy(dtype=float)
    plan["budget_cost"] = plan["level"] * coef["cost"].reindex(plan.index).to_numpy(dtype=float)
    plan["nfe"] = plan["level"] * coef["nfe"].reindex(plan.index).to_numpy(dtype=float)
    info = {**res.info, "plan": plan, "problem": problem.name}
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
        ``value("level")`` with ``cluster`` and ``zone`` coordinates,
        ``value("output")`` by sector, shadow prices of ``balance``,
        ``capacity``, ``labour``, ``budget`` and the limits; ``info["plan"]``.
    """
    return AllocationProblem(candidates=tuple(candidates), budget=budget, objective=objective, **options).solve(
        table, solver=solver, check=check, highs_options=highs_options
    )


def _objective_values(
    problem: AllocationProblem, table: IOTable, coef: pd.DataFrame, res: LPResult
) -> dict[str, float]:
    lp_all = {k: _build(AllocationProblem(**{**_fields(problem), "objective": k}), table, coef) for k in OBJECTIVES}
    out = {}
    for k, lp in lp_all.items():
        c = lp.matrices()["c"]
        x = np.concatenate([res.primal[n].values for n in lp.variables])
        out[k] = float(c @ x)
    return out


def _fields(problem: AllocationProblem) -> dict[str, Any]:
    return {f.name: getattr(problem, f.name) for f in fields(problem)}


def pareto_front(
    table: IOTable,
    problem: AllocationProblem,
    objectives: tuple[str, str] = ("employment", "nfe"),
    points: int = 11,
    coefficients: pd.DataFrame | None = None,
) -> xr.Dataset:
    r"""Trade-off between two objectives by the epsilon-constraint method (METHODS.md 4.5).

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
    coef = candidate_coefficients(table, problem) if coefficients is None else coefficients
    base = _fields(problem)
    p1 = AllocationProblem(**{**base, "objective": f1})
    p2 = AllocationProblem(**{**base, "objective": f2})
    r1 = _build(p1, table, coef).solve()
    # lexicographic: the best f2 among the optima of f1
    lex = _build(p2, table, coef)
    c1 = _build(p1, table, coef).matrices()["c"]
    cols1 = lex.matrices()["cols"]
    lex.add_constraints(
        "first_optimum",
        [f1],
        {n: c1[sl][None, :] for n, sl in cols1.items()},
        lower=[r1.objective - 1e-9 * max(1.0, abs(r1.objective))],
    )
    lo = lex.solve(ranging=False).objective
    hi = _build(p2, table, coef).solve().objective
    eps = np.linspace(lo, hi, points)
    names = list(coef.index)
    v1, v2, rate, levels = [], [], [], []
    for e_ in eps:
        lp = _build(p1, table, coef)
        c2 = _build(p2, table, coef).matrices()["c"]
        cols = lp.matrices()["cols"]
        terms = {n: c2[s][None, :] for n, s in cols.items()}
        lp.add_constraints(
            "epsilon", [f2], terms, lower=[e_ - 1e-9 * max(1.0, abs(e_))], dual_units=f"{f1} per unit of {f2}"
        )
        r = lp.solve(ranging=False)
        vals = _objective_values(problem, table, coef, r)
        v1.append(vals[f1])
        v2.append(vals[f2])
        rate.append(float(r.dual("epsilon").values[0]) if r.duals else np.nan)
        levels.append(r.value("level").values)
    return xr.Dataset(
        {
            f1: ("point", v1),
            f2: ("point", v2),
            "tradeoff_rate": ("point", rate),
            "level": (("point", "project"), np.array(levels)),
        },
        coords={
            "point": np.arange(points),
            "project": names,
            "epsilon": ("point", eps),
            "cluster": ("project", coef["cluster"].to_numpy()),
            "zone": ("project", coef["zone"].to_numpy()),
        },
        attrs={
            "method": "epsilon-constraint (Haimes, Lasdon & Wismer 1971; METHODS.md 4.5)",
            "maximised": f1,
            "constrained": f2,
            "unit": problem.unit,
            "tradeoff_rate": f"change of {f1} per unit increase of the {f2} floor (<= 0)",
        },
    )


def kazakhstan_candidates(
    clusters: list[str] | None = None,
    *,
    capex: float = 100_000.0,
    output_ratio: float = 0.6,
    start: int = 2026,
    years: tuple[int, int] = (2026, 2035),
    build_years: int = 2,
    max_level: float = 3.0,
) -> list[Candidate]:
    """Standard candidates: each priority cluster in each zone that hosts it, with the Kazakh package.

    Each candidate is an illustrative project of ``capex`` (``million KZT``)
    built over ``build_years`` and producing ``output_ratio * capex`` a year
    afterwards; levels scale it up to ``max_level``. A cluster that no
    operating zone hosts has no candidate (an SEZ package cannot reach it);
    the clusters left out are listed in ``kazakhstan_candidates.left_out``
    after a call.
    """
    zones = datasets.kazakhstan_zones()
    cl = datasets.kazakhstan_clusters()
    wanted = clusters or list(dict.fromkeys(cl["cluster"]))
    out: list[Candidate] = []
    left_out: list[str] = []
    for c in wanted:
        if c not in set(cl["cluster"]):
            raise LabelError(f"unknown cluster {c!r}")
        capex_years = {start + i: capex / build_years for i in range(build_years)}
        op = {y: capex * output_ratio for y in range(start + build_years, years[1] + 1)}
        inv = ClusterInvestment(name=c, cluster=c, capex=capex_years, output=op)
        hosts = [z for z, row in zones.iterrows() if c in row["clusters"].split(";") and row["status"] == "operating"]
        if not hosts:
            left_out.append(c)
        for z in hosts:
            pkg = SEZPackage.kazakhstan(zone_term_end=_term_end(zones.loc[z, "term"]))
            out.append(Candidate(project=inv, zone=z, package=pkg, max_level=max_level))
    kazakhstan_candidates.left_out = left_out  # type: ignore[attr-defined]
    if not out:
        raise ValidationError(f"no zone hosts any of the clusters {wanted}")
    return out


def _term_end(term: str) -> int | None:
    """Last year of a zone from the term text of the SEZ list (``None`` if not stated)."""
    import re

    text = str(term)
    if not ("until" in text or "extended" in text):
        return None
    m = re.search(r"1 Jan(?:uary)? (20\d\d)", text)
    if m:  # "until 1 Jan 2028": the last full year is 2027
        return int(m.group(1)) - 1
    years = [int(y) for y in re.findall(r"(20\d\d)", text)]
    return max(years) if years else None
