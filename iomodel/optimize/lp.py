r"""Labelled linear programs: blocks of variables and constraints, solved with HiGHS.

A :class:`LinearProgram` is a small, explicit representation in the manner of
linopy: variables and constraints come in named *blocks* indexed by labels
(sectors, projects, zones), each constraint block a sparse matrix per variable
block with lower and upper row bounds. Two routes lead to a solution:

* the **matrix path** (:meth:`LinearProgram.solve`): blocks are stacked into
  one sparse matrix and handed to HiGHS (``highspy``) directly, so model
  building never dominates on large tables (``benchmarks/bench_lp.py``);
* the **Pyomo path** (:meth:`LinearProgram.to_pyomo`, :func:`solve_pyomo`):
  a ``pyomo`` ``ConcreteModel`` with one ``Var`` and one ``Constraint`` per
  block, which a user can inspect and extend before solving. It is solved
  with HiGHS through Pyomo's standard-form compiler (duals and ranging
  included) or with any other Pyomo solver by name.

Both return an :class:`LPResult` whose primal values, shadow prices, reduced
costs and ranging are labelled by block and index.

Sign convention of shadow prices (METHODS.md 4.4, 4.7): the dual of a row is
:math:`\partial(\text{objective}) / \partial(\text{bound})` of its binding
bound, in objective units per unit of the row, as HiGHS reports it for the
problem's own sense. In a maximisation a binding upper bound (a resource
limit) has a non-negative price, a binding lower bound a non-positive one.
Duals are reported only for continuous problems solved to a vertex (simplex).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
import xarray as xr

from ..errors import InfeasibleError, LabelError, SolverError, UnboundedError, ValidationError

logger = logging.getLogger(__name__)

__all__ = ["LinearProgram", "LPResult", "solve_pyomo", "VarBlock", "ConBlock"]

INF = np.inf
#: Programs with more non-zeros than this, at a density above :data:`DENSE_PRESOLVE_DENSITY`,
#: are solved with HiGHS presolve off unless options say otherwise (measured in benchmarks/bench_lp.py).
DENSE_PRESOLVE_NNZ = 50_000
DENSE_PRESOLVE_DENSITY = 0.05


@dataclass
class VarBlock:
    """A block of variables indexed by labels."""

    name: str
    index: pd.Index
    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    integer: bool = False
    units: str = ""


@dataclass
class ConBlock:
    """A block of constraints ``lower <= sum_v terms[v] @ x_v <= upper``."""

    name: str
    index: pd.Index
    terms: dict[str, sp.csr_array]
    lower: np.ndarray
    upper: np.ndarray
    units: str = ""
    dual_units: str = ""


def _vec(v: Any, n: int, what: str) -> np.ndarray:
    a = np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
    if np.isnan(a).any():
        raise ValidationError(f"{what} contains NaN")
    return a


@dataclass
class LinearProgram:
    """A linear (or mixed-integer) program built from labelled blocks.

    Examples
    --------
    Maximise output subject to the Leontief balance: the duals of the
    balance rows are the output multipliers (Brink & McCarl 1977; METHODS.md 4):

    >>> import numpy as np, pandas as pd
    >>> import iomodel as iom
    >>> t = iom.datasets.miller_blair()
    >>> lp = LinearProgram(sense="max", objective_units="dollars of output")
    >>> x = lp.add_variables("x", t.sectors, cost=1.0, units="dollars")
    >>> bal = lp.add_constraints("balance", t.sectors, {"x": np.eye(2) - t.A.to_numpy()},
    ...                    upper=[350.0, 1700.0], units="dollars")
    >>> res = lp.solve()
    >>> round(res.objective, 2), res.dual("balance").values.round(6)
    (3000.0, array([1.518152, 1.452145]))
    """

    sense: Literal["max", "min"] = "max"
    objective_units: str = ""
    name: str = "iomodel LP"
    variables: dict[str, VarBlock] = field(default_factory=dict)
    constraints: dict[str, ConBlock] = field(default_factory=dict)
    objective_constant: float = 0.0

    # -- building ------------------------------------------------------------
    def add_variables(
        self,
        name: str,
        index: Any,
        *,
        lower: Any = 0.0,
        upper: Any = INF,
        cost: Any = 0.0,
        integer: bool = False,
        units: str = "",
    ) -> VarBlock:
        """Add a block of variables over ``index`` (labels) with bounds and objective costs."""
        if name in self.variables or name in self.constraints:
            raise LabelError(f"block name {name!r} is already used")
        idx = pd.Index(index)
        if idx.has_duplicates:
            raise LabelError(f"variables {name!r}: duplicated labels")
        n = len(idx)
        blk = VarBlock(
            name,
            idx,
            _vec(lower, n, f"{name} lower"),
            _vec(upper, n, f"{name} upper"),
            _vec(cost, n, f"{name} cost"),
            integer,
            units,
        )
        bad = np.flatnonzero(blk.lower > blk.upper)
        if len(bad):
            raise InfeasibleError(f"variables {name!r}: lower bound above upper bound at {idx[bad].tolist()[:5]}")
        self.variables[name] = blk
        return blk

    def add_constraints(
        self,
        name: str,
        index: Any,
        terms: Mapping[str, Any],
        *,
        lower: Any = -INF,
        upper: Any = INF,
        units: str = "",
        dual_units: str = "",
    ) -> ConBlock:
        """Add a block of rows: ``lower <= sum(terms[v] @ v) <= upper``.

        ``terms`` maps variable-block names to matrices of shape
        ``(len(index), len(variables[v].index))`` (dense or sparse).
        """
        if name in self.variables or name in self.constraints:
            raise LabelError(f"block name {name!r} is already used")
        idx = pd.Index(index)
        m = len(idx)
        mats = {}
        for v, M in terms.items():
            if v not in self.variables:
                raise LabelError(f"constraints {name!r}: unknown variable block {v!r}; defined: {list(self.variables)}")
            M = sp.csr_array(M, dtype=float)
            want = (m, len(self.variables[v].index))
            if M.shape != want:
                raise ValidationError(f"constraints {name!r}: matrix for {v!r} has shape {M.shape}, expected {want}")
            if not np.all(np.isfinite(M.data)):
                raise ValidationError(f"constraints {name!r}: matrix for {v!r} has NaN or infinite entries")
            mats[v] = M
        blk = ConBlock(
            name, idx, mats, _vec(lower, m, f"{name} lower"), _vec(upper, m, f"{name} upper"), units, dual_units
        )
        bad = np.flatnonzero(blk.lower > blk.upper)
        if len(bad):
            raise InfeasibleError(f"constraints {name!r}: lower bound above upper bound at {idx[bad].tolist()[:5]}")
        self.constraints[name] = blk
        return blk

    # -- stacking -------------------------------------------------------------
    def _layout(self) -> tuple[dict[str, slice], dict[str, slice], int, int]:
        cols, rows, c0, r0 = {}, {}, 0, 0
        for name, b in self.variables.items():
            cols[name] = slice(c0, c0 + len(b.index))
            c0 += len(b.index)
        for name, b in self.constraints.items():
            rows[name] = slice(r0, r0 + len(b.index))
            r0 += len(b.index)
        return cols, rows, c0, r0

    def matrices(self) -> dict[str, Any]:
        """The stacked problem: ``c, A (csc), row_lower, row_upper, col_lower, col_upper, integrality``."""
        cols, rows, nc, nr = self._layout()
        blocks = []
        for cb in self.constraints.values():
            row = [
                cb.terms.get(vname, sp.csr_array((len(cb.index), len(vb.index))))
                for vname, vb in self.variables.items()
            ]
            blocks.append(row)
        A = sp.block_array(blocks, format="csc") if blocks else sp.csc_array((0, nc))
        cat = lambda attr, d: np.concatenate([getattr(b, attr) for b in d.values()]) if d else np.zeros(0)  # noqa: E731
        integrality = np.concatenate([np.full(len(b.index), b.integer) for b in self.variables.values()])
        return {
            "c": cat("cost", self.variables),
            "A": sp.csc_array(A),
            "row_lower": cat("lower", self.constraints),
            "row_upper": cat("upper", self.constraints),
            "col_lower": cat("lower", self.variables),
            "col_upper": cat("upper", self.variables),
            "integrality": integrality,
            "cols": cols,
            "rows": rows,
        }

    # -- solving --------------------------------------------------------------
    def solve(
        self,
        solver: str = "highs",
        *,
        check: bool = True,
        ranging: bool = True,
        time_limit: float | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> LPResult:
        """Solve; ``solver="highs"`` uses the matrix path, any other name goes through Pyomo.

        Parameters
        ----------
        solver
            ``"highs"`` (default) or the name of a Pyomo solver (e.g. ``"glpk"``, ``"cbc"``).
        check
            Raise :class:`~iomodel.errors.InfeasibleError` /
            :class:`~iomodel.errors.UnboundedError` on failure (``False``: return
            the status in the result, for batch runs).
        ranging
            Compute cost and bound ranging (continuous problems).
        time_limit
            Seconds (HiGHS only).
        options
            HiGHS options by name, e.g. ``{"presolve": "on"}`` (HiGHS only).
            Unless given, presolve is switched off for large dense programs
            (more than :data:`DENSE_PRESOLVE_NNZ` non-zeros at a density above
            :data:`DENSE_PRESOLVE_DENSITY`): on Leontief blocks it cost 100
            times the solve (``benchmarks/bench_lp.py``). Other solvers ignore
            ``ranging``, ``time_limit`` and ``options``.
        """
        if solver != "highs":
            return solve_pyomo(self.to_pyomo(), solver=solver, check=check)
        mats = self.matrices()
        return _solve_highs(self, mats, check=check, ranging=ranging, time_limit=time_limit, options=options)

    def to_pyomo(self):
        """A Pyomo ``ConcreteModel`` with one ``Var`` and one ``Constraint`` per block.

        Set ``<block>_index`` holds the labels (as strings). Extend the model
        (new variables, constraints, a new objective) and solve it with
        :func:`solve_pyomo`; the blocks keep their names in the result.
        """
        import pyomo.environ as pyo

        m = pyo.ConcreteModel(name=self.name)
        labels: dict[str, list[str]] = {}
        for name, b in self.variables.items():
            lab = [str(i) for i in b.index]
            labels[name] = lab
            s = pyo.Set(initialize=lab, ordered=True)
            m.add_component(f"{name}_index", s)
            lo, up = b.lower, b.upper
            bounds = {
                lab[i]: (
                    None if not np.isfinite(lo[i]) else float(lo[i]),
                    None if not np.isfinite(up[i]) else float(up[i]),
                )
                for i in range(len(lab))
            }
            v = pyo.Var(s, domain=pyo.Integers if b.integer else pyo.Reals, bounds=lambda mm, k, bb=bounds: bb[k])
            m.add_component(name, v)
        obj = sum(
            float(b.cost[i]) * getattr(m, n)[labels[n][i]]
            for n, b in self.variables.items()
            for i in np.flatnonzero(b.cost)
        )
        m.objective = pyo.Objective(
            expr=obj + self.objective_constant, sense=pyo.maximize if self.sense == "max" else pyo.minimize
        )
        for name, cb in self.constraints.items():
            lab = [str(i) for i in cb.index]
            s = pyo.Set(initialize=lab, ordered=True)
            m.add_component(f"{name}_index", s)
            rows_terms: list[list[tuple[str, str, float]]] = [[] for _ in lab]
            for vname, M in cb.terms.items():
                coo = M.tocoo()
                for r, c, val in zip(coo.row, coo.col, coo.data, strict=True):
                    rows_terms[r].append((vname, labels[vname][c], float(val)))
            lo = {lab[i]: (None if not np.isfinite(cb.lower[i]) else float(cb.lower[i])) for i in range(len(lab))}
            up = {lab[i]: (None if not np.isfinite(cb.upper[i]) else float(cb.upper[i])) for i in range(len(lab))}
            terms_by = dict(zip(lab, rows_terms, strict=True))

            def rule(mm, k, terms_by=terms_by, lo=lo, up=up):
                body = sum(val * getattr(mm, vn)[vl] for vn, vl, val in terms_by[k])
                if isinstance(body, int | float) and body == 0:
                    return pyo.Constraint.Skip
                if lo[k] is not None and up[k] is not None and lo[k] == up[k]:
                    return body == lo[k]
                return pyo.inequality(lo[k], body, up[k])

            m.add_component(name, pyo.Constraint(s, rule=rule))
        m.iomodel_units = {
            **{n: b.units for n, b in self.variables.items()},
            **{n: b.dual_units for n, b in self.constraints.items()},
            "objective": self.objective_units,
        }
        return m


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class LPResult:
    """Solution of a :class:`LinearProgram` (or a Pyomo model), labelled by block.

    Attributes
    ----------
    status
        Solver status text (``"Optimal"``, ``"Infeasible"``, ...).
    objective
        Objective value (``nan`` unless optimal).
    primal
        One DataArray per variable block (dims ``<block>_index``).
    duals
        Shadow prices per constraint block (continuous problems), see module docstring.
    reduced_costs
        Reduced costs per variable block.
    ranging
        Per variable block: ``cost_lower``/``cost_upper`` (objective coefficient
        range keeping the basis optimal); per constraint block:
        ``bound_lower``/``bound_upper`` (range of the binding bound over which
        the dual stays valid).
    units
        Units by block name (variables: their units; constraints: dual units).
    """

    status: str
    objective: float
    sense: str
    primal: dict[str, xr.DataArray]
    duals: dict[str, xr.DataArray]
    reduced_costs: dict[str, xr.DataArray]
    ranging: dict[str, xr.Dataset]
    units: dict[str, str]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def optimal(self) -> bool:
        return self.status == "Optimal"

    def value(self, block: str) -> xr.DataArray:
        """Primal values of a variable block."""
        if block not in self.primal:
            raise LabelError(f"no variable block {block!r}; valid options are {list(self.primal)}")
        return self.primal[block]

    def dual(self, block: str) -> xr.DataArray:
        """Shadow prices of a constraint block."""
        if block not in self.duals:
            raise LabelError(f"no duals for {block!r}; available: {list(self.duals)} (MIPs report none)")
        return self.duals[block]

    def solution(self) -> xr.Dataset:
        """All primal values as one :class:`xarray.Dataset`."""
        return xr.Dataset(
            {k: v for k, v in self.primal.items()}, attrs={"status": self.status, "objective": self.objective}
        )

    def shadow_prices(self) -> pd.DataFrame:
        """Every shadow price with its block, label and units (long table)."""
        rows = []
        for name, da in self.duals.items():
            for lab, val in zip(da[da.dims[0]].values, da.values, strict=True):
                rows.append((name, lab, float(val), self.units.get(name, "")))
        return pd.DataFrame(rows, columns=["constraint", "label", "shadow_price", "units"])

    def plot(self, block: str = "level"):
        """Figure: a variable block and the largest shadow prices (:func:`iomodel.plot.lp_overview`)."""
        from ..plot import lp_overview

        return lp_overview(self, block if block in self.primal else next(iter(self.primal)))

    def summary(self) -> pd.DataFrame:
        """Status, objective and the binding constraints with their shadow prices."""
        sp_ = self.shadow_prices()
        equality = {n for n in self.duals if self.info.get("equality_blocks") and n in self.info["equality_blocks"]}
        binding = sp_[(sp_["shadow_price"].abs() > 1e-9) & ~sp_["constraint"].isin(equality)]
        head = pd.DataFrame(
            [("status", "", self.status, ""), ("objective", "", self.objective, self.units.get("objective", ""))],
            columns=["constraint", "label", "shadow_price", "units"],
        )
        return pd.concat([head, binding], ignore_index=True)


_STATUS = {
    "kOptimal": "Optimal",
    "kInfeasible": "Infeasible",
    "kUnbounded": "Unbounded",
    "kUnboundedOrInfeasible": "UnboundedOrInfeasible",
    "kTimeLimit": "TimeLimit",
}


_BANNER_SHOWN = False


def _new_highs():
    """A silent ``highspy.Highs``; the banner its first construction prints to stdout is swallowed."""
    global _BANNER_SHOWN
    import highspy

    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        import os
        import sys

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h


def _highs(mats: dict[str, Any], sense: str, time_limit: float | None, options: Mapping[str, Any] | None = None):
    import highspy

    h = _new_highs()
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    A_ = mats["A"]
    cells = max(1, A_.shape[0] * A_.shape[1])
    if options is None and A_.nnz > DENSE_PRESOLVE_NNZ and A_.nnz / cells > DENSE_PRESOLVE_DENSITY:
        options = {"presolve": "off"}
    h.iomodel_options = dict(options or {})
    for k, v in (options or {}).items():
        if h.setOptionValue(k, v) != highspy.HighsStatus.kOk:
            raise ValidationError(f"HiGHS rejected option {k!r} = {v!r}")
    lp = highspy.HighsLp()
    A = mats["A"]
    lp.num_col_, lp.num_row_ = int(A.shape[1]), int(A.shape[0])
    lp.col_cost_ = mats["c"]
    lp.col_lower_ = np.where(np.isfinite(mats["col_lower"]), mats["col_lower"], -highspy.kHighsInf)
    lp.col_upper_ = np.where(np.isfinite(mats["col_upper"]), mats["col_upper"], highspy.kHighsInf)
    lp.row_lower_ = np.where(np.isfinite(mats["row_lower"]), mats["row_lower"], -highspy.kHighsInf)
    lp.row_upper_ = np.where(np.isfinite(mats["row_upper"]), mats["row_upper"], highspy.kHighsInf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data
    lp.sense_ = highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize
    if mats["integrality"].any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in mats["integrality"]
        ]
    h.passModel(lp)
    h.run()
    return h


def _status_text(h) -> str:
    name = str(h.getModelStatus()).split(".")[-1]
    return _STATUS.get(name, name)


def _solve_highs(
    prog: LinearProgram,
    mats: dict[str, Any],
    *,
    check: bool,
    ranging: bool,
    time_limit: float | None,
    options: Mapping[str, Any] | None = None,
) -> LPResult:
    h = _highs(mats, prog.sense, time_limit, options)
    status = _status_text(h)
    if status != "Optimal":
        return _failure(prog, mats, status, check)
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    is_mip = bool(mats["integrality"].any())
    primal = {
        n: xr.DataArray(
            x[s],
            dims=(f"{n}_index",),
            coords={f"{n}_index": prog.variables[n].index.to_numpy()},
            name=n,
            attrs={"units": prog.variables[n].units},
        )
        for n, s in mats["cols"].items()
    }
    duals, rc, rng = {}, {}, {}
    if not is_mip:
        y = np.asarray(sol.row_dual)
        d = np.asarray(sol.col_dual)
        for n, s in mats["rows"].items():
            duals[n] = xr.DataArray(
                y[s],
                dims=(f"{n}_index",),
                coords={f"{n}_index": prog.constraints[n].index.to_numpy()},
                name=n,
                attrs={"units": prog.constraints[n].dual_units},
            )
        for n, s in mats["cols"].items():
            rc[n] = xr.DataArray(
                d[s], dims=(f"{n}_index",), coords={f"{n}_index": prog.variables[n].index.to_numpy()}, name=n
            )
        if ranging:
            rng = _ranging(h, prog, mats)
    units = {
        **{n: b.units for n, b in prog.variables.items()},
        **{n: b.dual_units for n, b in prog.constraints.items()},
        "objective": prog.objective_units,
    }
    return LPResult(
        status=status,
        objective=float(h.getInfo().objective_function_value) + prog.objective_constant,
        sense=prog.sense,
        primal=primal,
        duals=duals,
        reduced_costs=rc,
        ranging=rng,
        units=units,
        info={
            "solver": "highs",
            "mip": is_mip,
            "simplex_iterations": int(h.getInfo().simplex_iteration_count),
            "equality_blocks": [n for n, b in prog.constraints.items() if np.array_equal(b.lower, b.upper)],
            "highs_options": getattr(h, "iomodel_options", {}),
        },
    )


def _ranging(h, prog: LinearProgram, mats: dict[str, Any]) -> dict[str, xr.Dataset]:
    status, r = h.getRanging()
    if not getattr(r, "valid", False):
        return {}
    out = {}
    cu, cd = np.asarray(r.col_cost_up.value_), np.asarray(r.col_cost_dn.value_)
    bu, bd = np.asarray(r.row_bound_up.value_), np.asarray(r.row_bound_dn.value_)
    for n, s in mats["cols"].items():
        dim = f"{n}_index"
        out[n] = xr.Dataset(
            {"cost_lower": (dim, cd[s]), "cost_upper": (dim, cu[s])}, coords={dim: prog.variables[n].index.to_numpy()}
        )
    for n, s in mats["rows"].items():
        dim = f"{n}_index"
        out[n] = xr.Dataset(
            {"bound_lower": (dim, bd[s]), "bound_upper": (dim, bu[s])},
            coords={dim: prog.constraints[n].index.to_numpy()},
        )
    return out


def _failure(prog: LinearProgram, mats: dict[str, Any], status: str, check: bool) -> LPResult:
    msg = ""
    if status in ("Infeasible", "UnboundedOrInfeasible"):
        blocks = diagnose_infeasibility(prog, mats)
        if blocks:
            msg = (
                f"the LP {prog.name!r} is infeasible; relaxing these constraint blocks restores feasibility "
                "(smallest total violation): "
                + ", ".join(f"{b} (violated by {v:.6g} at {lab!r})" for b, (v, lab) in blocks.items())
            )
            status = "Infeasible"
        elif status == "UnboundedOrInfeasible":
            status = "Unbounded"
    if status == "Unbounded":
        free = [
            n
            for n, b in prog.variables.items()
            if (np.isinf(b.upper) & (b.cost > 0 if prog.sense == "max" else b.cost < 0)).any()
        ]
        msg = (
            f"the LP {prog.name!r} is unbounded: the objective can grow without limit; variable blocks "
            f"with an improving cost and no upper bound: {free}"
        )
    if check:
        if status == "Infeasible":
            raise InfeasibleError(msg or f"the LP {prog.name!r} is infeasible")
        if status == "Unbounded":
            raise UnboundedError(msg)
        raise SolverError(f"HiGHS returned status {status!r} for {prog.name!r}")
    return LPResult(
        status=status,
        objective=float("nan"),
        sense=prog.sense,
        primal={},
        duals={},
        reduced_costs={},
        ranging={},
        units={},
        info={"message": msg},
    )


def diagnose_infeasibility(prog: LinearProgram, mats: dict[str, Any]) -> dict[str, tuple[float, Any]]:
    """Elastic filter: the constraint blocks whose rows must be violated to become feasible.

    Each row gets non-negative slack variables on its finite bounds; the
    phase-one problem minimises total slack (scaled by each row's size). Blocks
    with positive slack are those whose relaxation restores feasibility at the
    smallest total violation; the largest violation and its label are reported.
    """
    A = mats["A"]
    m, n = A.shape
    lo, up = mats["row_lower"], mats["row_upper"]
    scale = np.maximum(
        1.0, np.maximum(np.where(np.isfinite(lo), np.abs(lo), 0), np.where(np.isfinite(up), np.abs(up), 0))
    )
    I = sp.eye_array(m, format="csc")
    A2 = sp.hstack([A, sp.diags_array(scale) @ I, -(sp.diags_array(scale) @ I)], format="csc")
    relax = {
        "c": np.r_[np.zeros(n), np.ones(2 * m)],
        "A": A2,
        "row_lower": lo,
        "row_upper": up,
        "col_lower": np.r_[mats["col_lower"], np.zeros(2 * m)],
        # s+ raises a row that cannot reach its lower bound, s- lowers one above its upper bound
        "col_upper": np.r_[mats["col_upper"], np.where(np.isfinite(lo), INF, 0.0), np.where(np.isfinite(up), INF, 0.0)],
        "integrality": np.r_[mats["integrality"], np.zeros(2 * m, dtype=bool)],
    }
    h = _highs(relax, "min", None)
    if _status_text(h) != "Optimal":
        return {}
    s = np.asarray(h.getSolution().col_value)[n:]
    viol = (s[:m] + s[m:]) * scale
    out = {}
    for name, sl in mats["rows"].items():
        v = viol[sl]
        if (v > 1e-7).any():
            i = int(np.argmax(v))
            out[name] = (float(v[i]), prog.constraints[name].index[i])
    return out


# ----------------------------------------------------------------------------- Pyomo path
def solve_pyomo(
    model,
    solver: str = "highs",
    *,
    check: bool = True,
    ranging: bool = True,
    options: Mapping[str, Any] | None = None,
) -> LPResult:
    """Solve a (possibly user-extended) Pyomo model and label the result by component.

    With ``solver="highs"`` the model is compiled to standard form
    (``pyomo.repn.plugins.standard_form``) and solved by ``highspy``, keeping
    duals, reduced costs and ranging; blocks are the Pyomo components, and
    ``options`` are HiGHS options as in :meth:`LinearProgram.solve`. Any
    other name is passed to ``pyomo.environ.SolverFactory`` with a ``dual``
    suffix.

    Raises
    ------
    SolverError
        The solver is not available.
    InfeasibleError, UnboundedError
        With ``check=True``.
    """
    import pyomo.environ as pyo

    units = dict(getattr(model, "iomodel_units", {}))
    if solver == "highs":
        from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

        repn = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        if len(repn.objectives) != 1:
            raise ValidationError(f"the model must have exactly one active objective, has {len(repn.objectives)}")
        sense = "max" if repn.objectives[0].sense == pyo.maximize else "min"
        prog = LinearProgram(sense=sense, objective_units=units.get("objective", ""), name=model.name)
        cols: dict[str, list[int]] = {}
        for j, v in enumerate(repn.columns):
            cols.setdefault(v.parent_component().name, []).append(j)
        c = np.asarray(repn.c.toarray()).ravel()
        for name, js in cols.items():
            vs = [repn.columns[j] for j in js]
            prog.add_variables(
                name,
                [str(v.index()) if v.index() is not None else name for v in vs],
                lower=[-INF if v.lb is None else v.lb for v in vs],
                upper=[INF if v.ub is None else v.ub for v in vs],
                cost=c[js],
                integer=vs[0].is_integer(),
                units=units.get(name, ""),
            )
        A = sp.csr_array(repn.A)
        rows: dict[str, dict[Any, list[tuple[int, int]]]] = {}
        for i, (con, sense_) in enumerate(repn.rows):
            rows.setdefault(con.parent_component().name, {}).setdefault(con.index(), []).append((i, sense_))
        order = list(cols)
        starts = np.cumsum([0] + [len(cols[n]) for n in order])
        colpos = np.concatenate([cols[n] for n in order])
        A = A[:, colpos]
        rhs = np.asarray(repn.rhs, dtype=float)
        for name, by_index in rows.items():
            labels = list(by_index)
            lo, up, pick = np.full(len(labels), -INF), np.full(len(labels), INF), []
            for k, lab in enumerate(labels):
                entries = by_index[lab]
                pick.append(entries[0][0])
                for i, s_ in entries:
                    if s_ == 0:
                        lo[k] = up[k] = rhs[i]
                    elif s_ < 0:
                        lo[k] = rhs[i]
                    else:
                        up[k] = rhs[i]
            sub = A[pick]
            terms = {n: sub[:, starts[q] : starts[q + 1]] for q, n in enumerate(order)}
            prog.add_constraints(
                name,
                [str(lab) if lab is not None else name for lab in labels],
                terms,
                lower=lo,
                upper=up,
                dual_units=units.get(name, ""),
            )
        prog.objective_constant = float(np.asarray(repn.c_offset).ravel()[0]) if len(repn.c_offset) else 0.0
        res = _solve_highs(prog, prog.matrices(), check=check, ranging=ranging, time_limit=None, options=options)
        return res
    opt = pyo.SolverFactory(solver)
    if opt is None or not opt.available(exception_flag=False):
        raise SolverError(f"solver {solver!r} is not available; install it or use solver='highs'")
    if not hasattr(model, "dual"):
        model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    r = opt.solve(model, load_solutions=False)
    tc = str(r.solver.termination_condition)
    if tc != "optimal":
        status = {"infeasible": "Infeasible", "unbounded": "Unbounded"}.get(tc, tc)
        if check:
            exc = {"Infeasible": InfeasibleError, "Unbounded": UnboundedError}.get(status, SolverError)
            raise exc(f"solver {solver!r} reports {tc} for model {model.name!r}")
        return LPResult(status, float("nan"), "", {}, {}, {}, {}, units)
    model.solutions.load_from(r)
    primal, duals = {}, {}
    for v in model.component_objects(pyo.Var, active=True):
        keys = list(v.keys())
        primal[v.name] = xr.DataArray(
            [pyo.value(v[k]) for k in keys],
            dims=(f"{v.name}_index",),
            coords={f"{v.name}_index": [str(k) for k in keys]},
            name=v.name,
        )
    for c in model.component_objects(pyo.Constraint, active=True):
        keys = list(c.keys())
        vals = [model.dual.get(c[k], np.nan) for k in keys]
        duals[c.name] = xr.DataArray(
            vals, dims=(f"{c.name}_index",), coords={f"{c.name}_index": [str(k) for k in keys]}
        )
    obj = next(model.component_data_objects(pyo.Objective, active=True))
    return LPResult(
        "Optimal",
        float(pyo.value(obj)),
        "max" if obj.sense == pyo.maximize else "min",
        primal,
        duals,
        {},
        {},
        units,
        {"solver": solver},
    )
