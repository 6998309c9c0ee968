r"""The matrix path: a :class:`~iomodel.optimize.program.Program` solved by HiGHS through ``highspy``.

:func:`solve_highs` stacks the program's blocks into one sparse matrix in
compressed-column form (:meth:`~iomodel.optimize.program.Program.matrices`),
passes it to HiGHS in a single ``passModel`` call with the objective sense set
in the model (docs/optimize.md), and labels the solution, duals, reduced costs
and ranging by block and index (:class:`~iomodel.optimize.program.LPResult`).
It takes any :class:`~iomodel.optimize.program.Program`, a
:class:`~iomodel.optimize.lp.LinearProgram` included, and imports only
:mod:`iomodel.optimize.program`.
:meth:`LinearProgram.solve <iomodel.optimize.lp.LinearProgram.solve>` calls it
for ``solver="highs"``; so does
:func:`~iomodel.optimize.pyomo_backend.solve_pyomo` once it has compiled a
Pyomo model back into blocks.

When a program is infeasible, :func:`diagnose_infeasibility` names the
constraint blocks whose relaxation restores feasibility (an elastic filter);
when it is unbounded, :func:`diagnose_unboundedness` finds a ray along which
the objective improves without limit and names the variables on it, in a
maximisation or a minimisation. A program without columns (empty, or with
empty blocks only) is decided by its rows: optimal if each admits 0,
infeasible otherwise.

Solver output is off: :func:`new_highs` makes a ``highspy.Highs`` that prints
nothing, not even the banner highspy 1.16 otherwise writes to stdout the
first time a solver is constructed in a process. No file descriptor is
redirected and no process-wide state is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
import xarray as xr

from ..errors import InfeasibleError, SolverError, UnboundedError, ValidationError
from .program import ConBlock, LPResult, LPStatus, Program, VarBlock

__all__ = [
    "DENSE_PRESOLVE_DENSITY",
    "DENSE_PRESOLVE_NNZ",
    "diagnose_infeasibility",
    "diagnose_unboundedness",
    "new_highs",
    "solve_highs",
]

#: Programs with more non-zeros than this, at a density above :data:`DENSE_PRESOLVE_DENSITY`,
#: are solved with HiGHS presolve off unless options say otherwise (measured in benchmarks/bench_lp.py).
DENSE_PRESOLVE_NNZ = 50_000
DENSE_PRESOLVE_DENSITY = 0.05

#: HiGHS model status names and the statuses they are reported as; any other is ``LPStatus.OTHER``.
_STATUS = {
    "kOptimal": LPStatus.OPTIMAL,
    "kInfeasible": LPStatus.INFEASIBLE,
    "kUnbounded": LPStatus.UNBOUNDED,
    "kUnboundedOrInfeasible": LPStatus.UNBOUNDED_OR_INFEASIBLE,
    "kTimeLimit": LPStatus.TIME_LIMIT,
}


def new_highs():
    """A ``highspy.Highs`` whose output is off from its construction on.

    highspy's ``Highs.__init__`` registers its callback (``enableCallbacks``)
    right after creating the solver, and that first call into HiGHS logs the
    banner ("Running HiGHS 1.16.0 ...") to stdout while ``output_flag`` still
    has its default, true. Here the object is made in the two steps
    ``Highs()`` takes, ``__new__`` then ``__init__``, and the instance's own
    ``enableCallbacks`` first sets ``output_flag`` to false, then runs the
    class's. The class is looked up at each call, so a subclass put in place
    of ``highspy.Highs`` (as ``benchmarks/bench_lp.py`` does to time the
    solver) is the one made.

    Returns
    -------
    highspy.Highs
        With ``output_flag`` false; HiGHS options passed later (e.g.
        ``{"output_flag": True}``) apply as usual.

    Examples
    --------
    >>> h = new_highs()
    >>> h.getOptionValue("output_flag")[1]
    False
    """
    import highspy

    cls = highspy.Highs
    h = cls.__new__(cls)

    def enable_callbacks_quietly() -> None:
        h.setOptionValue("output_flag", False)
        del h.enableCallbacks
        cls.enableCallbacks(h)

    h.enableCallbacks = enable_callbacks_quietly
    cls.__init__(h)
    vars(h).pop("enableCallbacks", None)  # a highspy whose __init__ does not call it
    h.setOptionValue("output_flag", False)
    return h


def _run(
    mats: Mapping[str, Any], sense: str, time_limit: float | None, options: Mapping[str, Any] | None
) -> tuple[Any, dict[str, Any]]:
    """Pass the stacked program to a new HiGHS and run it; return it and the options applied."""
    import highspy

    h = new_highs()
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    A = mats["A"]
    cells = max(1, A.shape[0] * A.shape[1])
    if options is None and A.nnz > DENSE_PRESOLVE_NNZ and A.nnz / cells > DENSE_PRESOLVE_DENSITY:
        options = {"presolve": "off"}
    applied = dict(options or {})
    for k, v in applied.items():
        if h.setOptionValue(k, v) != highspy.HighsStatus.kOk:
            raise ValidationError(f"HiGHS rejected option {k!r} = {v!r}")
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(A.shape[1]), int(A.shape[0])
    lp.col_cost_ = mats["c"]
    lp.col_lower_ = np.where(np.isfinite(mats["col_lower"]), mats["col_lower"], -inf)
    lp.col_upper_ = np.where(np.isfinite(mats["col_upper"]), mats["col_upper"], inf)
    lp.row_lower_ = np.where(np.isfinite(mats["row_lower"]), mats["row_lower"], -inf)
    lp.row_upper_ = np.where(np.isfinite(mats["row_upper"]), mats["row_upper"], inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data
    lp.sense_ = highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize
    if mats["integrality"].any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in mats["integrality"]
        ]
    if h.passModel(lp) == highspy.HighsStatus.kError:
        raise SolverError(
            "HiGHS refused the model (passModel returned kError); check for coefficients or bounds it cannot take"
        )
    h.run()
    return h, applied


def _status(h) -> tuple[LPStatus, str]:
    """The model status as an :class:`LPStatus` and HiGHS's own name for it."""
    raw = str(h.getModelStatus()).split(".")[-1]
    return _STATUS.get(raw, LPStatus.OTHER), raw


def _empty_rows_hold(mats: Mapping[str, Any], tol: float = 1e-7) -> bool:
    """Whether a program without columns is feasible: every row's bounds admit 0 (within HiGHS's tolerance)."""
    return bool(np.all(mats["row_lower"] <= tol) and np.all(mats["row_upper"] >= -tol))


def _per_unit_of(prog: Program, block: str) -> str:
    """Units of a reduced cost or cost range of a variable block: objective units per unit of the block."""
    obj, units = prog.objective_units, prog.variables[block].units
    if not obj:
        return ""
    return f"{obj} per {units}" if units else f"{obj} per unit of {block}"


def _labelled(values: np.ndarray, block: VarBlock | ConBlock, units: str) -> xr.DataArray:
    return xr.DataArray(
        values,
        dims=(block.dim,),
        coords={block.dim: block.index.to_numpy()},
        name=block.name,
        attrs={"units": units},
    )


def solve_highs(
    prog: Program,
    *,
    check: bool = True,
    ranging: bool = True,
    time_limit: float | None = None,
    options: Mapping[str, Any] | None = None,
) -> LPResult:
    """Solve a :class:`~iomodel.optimize.program.Program` on the matrix path.

    Parameters are those of :meth:`LinearProgram.solve
    <iomodel.optimize.lp.LinearProgram.solve>` (which calls this for
    ``solver="highs"``).

    Returns
    -------
    LPResult
        Values, duals and reduced costs along each block's dimension (the
        index's name, else the block's name), ranging of continuous problems
        (``ranging=True``), and ``info`` with ``solver``, ``solver_status``
        (HiGHS's model status), ``mip``, ``simplex_iterations``,
        ``equality_blocks`` and ``highs_options`` (the options applied).

    Raises
    ------
    InfeasibleError
        With ``check=True``; names the blocks :func:`diagnose_infeasibility` finds.
    UnboundedError
        With ``check=True``; names the variable blocks that improve without bound.
    SolverError
        Any other outcome (a time limit, ...), with ``check=True``.
    ValidationError
        HiGHS rejects an option.

    Examples
    --------
    >>> import numpy as np
    >>> from iomodel.optimize.lp import LinearProgram
    >>> lp = LinearProgram(sense="min")
    >>> _ = lp.add_variables("x", ["a", "b"], cost=[2.0, 3.0])
    >>> _ = lp.add_constraints("demand", ["d"], {"x": np.ones((1, 2))}, lower=[4.0])
    >>> res = solve_highs(lp)
    >>> res.objective, res.dual("demand").values, res.info["solver_status"]
    (8.0, array([2.]), 'kOptimal')
    """
    mats = prog.matrices()
    h, applied = _run(mats, prog.sense, time_limit, options)
    status, raw = _status(h)
    if raw == "kModelEmpty":  # no columns: HiGHS solves nothing, so the rows decide
        status = LPStatus.OPTIMAL if _empty_rows_hold(mats) else LPStatus.INFEASIBLE
    if status is not LPStatus.OPTIMAL:
        return _failure(prog, mats, status, raw, check)
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    is_mip = bool(mats["integrality"].any())
    primal = {n: _labelled(x[s], prog.variables[n], prog.variables[n].units) for n, s in mats["cols"].items()}
    duals, rc, rng = {}, {}, {}
    if not is_mip:
        y = np.asarray(sol.row_dual)
        d = np.asarray(sol.col_dual)
        for n, s in mats["rows"].items():
            duals[n] = _labelled(y[s], prog.constraints[n], prog.constraints[n].dual_units)
        for n, s in mats["cols"].items():
            rc[n] = _labelled(d[s], prog.variables[n], _per_unit_of(prog, n))
        if ranging:
            rng = _ranging(h, prog, mats)
    info = h.getInfo()
    return LPResult(
        status=status,
        objective=float(info.objective_function_value) + prog.objective_constant,
        sense=prog.sense,
        primal=primal,
        duals=duals,
        reduced_costs=rc,
        ranging=rng,
        units=prog.units(),
        info={
            "solver": "highs",
            "solver_status": raw,
            "mip": is_mip,
            "simplex_iterations": int(info.simplex_iteration_count),
            "equality_blocks": [n for n, b in prog.constraints.items() if np.array_equal(b.lower, b.upper)],
            "highs_options": applied,
        },
    )


def _ranging(h, prog: Program, mats: Mapping[str, Any]) -> dict[str, xr.Dataset]:
    _, r = h.getRanging()
    if not getattr(r, "valid", False):
        return {}
    out = {}
    cu, cd = np.asarray(r.col_cost_up.value_), np.asarray(r.col_cost_dn.value_)
    bu, bd = np.asarray(r.row_bound_up.value_), np.asarray(r.row_bound_dn.value_)
    for n, s in mats["cols"].items():
        vb, u = prog.variables[n], _per_unit_of(prog, n)
        out[n] = xr.Dataset(
            {"cost_lower": (vb.dim, cd[s], {"units": u}), "cost_upper": (vb.dim, cu[s], {"units": u})},
            coords={vb.dim: vb.index.to_numpy()},
        )
    for n, s in mats["rows"].items():
        cb = prog.constraints[n]
        out[n] = xr.Dataset(
            {"bound_lower": (cb.dim, bd[s], {"units": cb.units}), "bound_upper": (cb.dim, bu[s], {"units": cb.units})},
            coords={cb.dim: cb.index.to_numpy()},
        )
    return out


def _failure(prog: Program, mats: Mapping[str, Any], status: LPStatus, raw: str, check: bool) -> LPResult:
    msg = ""
    extra: dict[str, Any] = {}
    if status in (LPStatus.INFEASIBLE, LPStatus.UNBOUNDED_OR_INFEASIBLE):
        blocks = diagnose_infeasibility(prog, mats)
        if blocks:
            msg = (
                f"the LP {prog.name!r} is infeasible; relaxing these constraint blocks restores feasibility "
                "(smallest total violation): "
                + ", ".join(f"{b} (violated by {v:.6g} at {lab!r})" for b, (v, lab) in blocks.items())
            )
            status = LPStatus.INFEASIBLE
        elif status is LPStatus.UNBOUNDED_OR_INFEASIBLE:
            status = LPStatus.UNBOUNDED
    if status is LPStatus.UNBOUNDED:
        ray = diagnose_unboundedness(prog, mats)
        msg = _unbounded_message(prog, ray)
        extra["unbounded_ray"] = {b: {str(lab): v for lab, v in r.items()} for b, r in ray.items()}
    if status is LPStatus.INFEASIBLE and not msg:
        msg = f"the LP {prog.name!r} is infeasible"
    if not msg:
        msg = f"HiGHS stopped with {raw} (status {status.value!r}) on the LP {prog.name!r}"
    if check:
        if status is LPStatus.INFEASIBLE:
            raise InfeasibleError(msg)
        if status is LPStatus.UNBOUNDED:
            raise UnboundedError(msg)
        raise SolverError(msg)
    return LPResult(
        status=status,
        objective=float("nan"),
        sense=prog.sense,
        primal={},
        duals={},
        reduced_costs={},
        ranging={},
        units=prog.units(),
        info={"solver": "highs", "solver_status": raw, "message": msg, **extra},
    )


def _unbounded_message(prog: Program, ray: Mapping[str, Mapping[Any, float]], shown: int = 8) -> str:
    """Why the program is unbounded: the blocks that improve without a bound, and the variables along the ray."""
    sign = 1.0 if prog.sense == "max" else -1.0
    grow = "grow" if prog.sense == "max" else "fall"
    if ray:
        # a variable that moves along the ray has no bound in its direction; those with an improving cost drive it
        rising, falling = [], []
        for b, r in ray.items():
            vb = prog.variables[b]
            cost = dict(zip(vb.index, vb.cost, strict=True))
            if any(d > 0 and sign * cost[lab] > 0 for lab, d in r.items()):
                rising.append(b)
            if any(d < 0 and sign * cost[lab] < 0 for lab, d in r.items()):
                falling.append(b)
        moves = [f"{b}[{lab!r}] {'rises' if d > 0 else 'falls'}" for b, r in ray.items() for lab, d in r.items()]
        more = f" and {len(moves) - shown} more" if len(moves) > shown else ""
        along = f"; along an unbounded ray {', '.join(moves[:shown])}{more}"
    else:  # no ray found (numerical trouble): the blocks that could drive it, from costs and bounds
        rising = [b for b, vb in prog.variables.items() if (np.isinf(vb.upper) & (sign * vb.cost > 0)).any()]
        falling = [b for b, vb in prog.variables.items() if (np.isinf(vb.lower) & (sign * vb.cost < 0)).any()]
        along = "; no unbounded ray was found"
    causes = [
        f"variable blocks with an improving cost and no {side} bound: {blocks}"
        for side, blocks in (("upper", rising), ("lower", falling))
        if blocks
    ]
    return f"the LP {prog.name!r} is unbounded: the objective can {grow} without limit; " + "; ".join(causes) + along


def diagnose_unboundedness(prog: Program, mats: Mapping[str, Any] | None = None) -> dict[str, dict[Any, float]]:
    r"""The variables along an unbounded ray: a direction in which the objective improves without limit.

    A feasible program is unbounded exactly when it has a ray :math:`d`: a
    direction that keeps every row and bound (:math:`A d \ge 0`
    for a row with a lower bound, :math:`\le 0` for one with an upper bound;
    :math:`d_j \ge 0` for a variable with a lower bound, :math:`\le 0` for
    one with an upper bound) and improves the objective, :math:`c'd \ge 1`
    in a maximisation (:math:`\le -1` in a minimisation). The ray found has
    the smallest :math:`\sum_j |d_j|`, so it moves few variables. Integer
    variables are relaxed.

    Parameters
    ----------
    prog
        The program (feasible and unbounded, e.g. after an
        :class:`~iomodel.errors.UnboundedError`).
    mats
        Its :meth:`~iomodel.optimize.program.Program.matrices`, if already
        stacked.

    Returns
    -------
    dict
        ``{block: {label: d}}`` for each variable block that moves along the
        ray, its non-zero components scaled so that the largest is 1 in
        magnitude (positive: the variable rises), largest first; empty if
        there is no ray (the program is bounded).

    Examples
    --------
    ``y`` is free and costs 2, ``x`` costs 1: the row :math:`x + y \ge 1`
    lets ``y`` fall as long as ``x`` rises as much, which saves 1 a unit
    without limit:

    >>> import numpy as np
    >>> from iomodel.optimize.lp import LinearProgram
    >>> lp = LinearProgram(sense="min", name="free y")
    >>> _ = lp.add_variables("x", ["a"], cost=1.0)
    >>> _ = lp.add_variables("y", ["b"], lower=-np.inf, cost=2.0)
    >>> _ = lp.add_constraints("row", ["r"], {"x": [[1.0]], "y": [[1.0]]}, lower=[1.0])
    >>> diagnose_unboundedness(lp)
    {'x': {'a': 1.0}, 'y': {'b': -1.0}}
    >>> lp.solve()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    iomodel.errors.UnboundedError: the LP 'free y' ...: ['y']; along an unbounded ray x['a'] rises, y['b'] falls
    """
    mats = prog.matrices() if mats is None else mats
    A = sp.csc_array(mats["A"])
    n = A.shape[1]
    if n == 0:
        return {}
    sign = 1.0 if prog.sense == "max" else -1.0
    c = np.asarray(mats["c"], dtype=float)
    lo, up = mats["col_lower"], mats["col_upper"]
    rl, ru = mats["row_lower"], mats["row_upper"]
    # d = p - q with p, q >= 0: p is 0 where x has an upper bound, q where it has a lower bound
    A2 = sp.vstack([sp.hstack([A, -A]), sp.csr_array(np.r_[sign * c, -sign * c][None, :])], format="csc")
    ray_lp = {
        "c": np.ones(2 * n),
        "A": A2,
        "row_lower": np.r_[np.where(np.isfinite(rl), 0.0, -np.inf), 1.0],
        "row_upper": np.r_[np.where(np.isfinite(ru), 0.0, np.inf), np.inf],
        "col_lower": np.zeros(2 * n),
        "col_upper": np.r_[np.where(np.isfinite(up), 0.0, np.inf), np.where(np.isfinite(lo), 0.0, np.inf)],
        "integrality": np.zeros(2 * n, dtype=bool),
    }
    h, _ = _run(ray_lp, "min", None, None)
    if _status(h)[0] is not LPStatus.OPTIMAL:
        return {}
    z = np.asarray(h.getSolution().col_value)
    d = z[:n] - z[n:]
    top = float(np.abs(d).max()) if n else 0.0
    if top <= 0:
        return {}
    d = d / top
    out: dict[str, dict[Any, float]] = {}
    for name, sl in mats["cols"].items():
        v = d[sl]
        nz = np.flatnonzero(np.abs(v) > 1e-9)
        if len(nz):
            order = nz[np.argsort(-np.abs(v[nz]), kind="stable")]
            out[name] = {prog.variables[name].index[i]: float(v[i]) for i in order}
    return out


def diagnose_infeasibility(prog: Program, mats: Mapping[str, Any] | None = None) -> dict[str, tuple[float, Any]]:
    """Elastic filter: the constraint blocks whose rows must be violated to become feasible.

    Each row gets non-negative slack variables on its finite bounds; the
    phase-one problem minimises total slack (scaled by each row's size). Blocks
    with positive slack are those whose relaxation restores feasibility at the
    smallest total violation. This is not an irreducible infeasible set (other
    blocks take part in the conflict), but it says where to look first.

    Parameters
    ----------
    prog
        The program.
    mats
        Its :meth:`~iomodel.optimize.program.Program.matrices`, if already
        stacked.

    Returns
    -------
    dict
        ``{block: (largest violation, its label)}`` for every block that must
        be relaxed; empty if the program is feasible (or the filter fails).

    Examples
    --------
    Final demand of Miller & Blair's example needs 800 workers; 500 are available:

    >>> import numpy as np
    >>> import iomodel as iom
    >>> from iomodel.optimize.lp import LinearProgram
    >>> t = iom.datasets.miller_blair()
    >>> lp = LinearProgram(sense="max")
    >>> _ = lp.add_variables("x", t.sectors, cost=1.0)
    >>> _ = lp.add_constraints("balance", t.sectors, {"x": np.eye(2) - t.A.to_numpy()}, lower=[350.0, 1700.0])
    >>> _ = lp.add_constraints("labour", ["workers"], {"x": np.array([[0.3, 0.25]])}, upper=[500.0])
    >>> {b: (round(v, 3), lab) for b, (v, lab) in diagnose_infeasibility(lp).items()}
    {'balance': (790.435, 'manufacturing')}
    """
    mats = prog.matrices() if mats is None else mats
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
        "col_upper": np.r_[
            mats["col_upper"], np.where(np.isfinite(lo), np.inf, 0.0), np.where(np.isfinite(up), np.inf, 0.0)
        ],
        "integrality": np.r_[mats["integrality"], np.zeros(2 * m, dtype=bool)],
    }
    h, _ = _run(relax, "min", None, None)
    if _status(h)[0] is not LPStatus.OPTIMAL:
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
