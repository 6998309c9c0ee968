"""The Pyomo path: a :class:`~iomodel.optimize.program.Program` as a Pyomo model, and Pyomo models solved.

This module imports :mod:`iomodel.optimize.program` and
:mod:`iomodel.optimize.highs` only; :mod:`iomodel.optimize.lp` sits on top.
:func:`to_pyomo` (what :meth:`LinearProgram.to_pyomo
<iomodel.optimize.lp.LinearProgram.to_pyomo>` returns) builds a
``ConcreteModel`` with one ``Var`` and one ``Constraint`` per block, which a
user can inspect and extend (new variables, constraints, a new objective).
:func:`solve_pyomo` solves such a model, or any linear Pyomo model, with HiGHS
through Pyomo's standard-form compiler and the matrix path of
:mod:`iomodel.optimize.highs` (duals, reduced costs and ranging included), or
with any other Pyomo solver by name.

Names inside the model and in the result:

* each block is indexed by a Pyomo ``Set`` named ``<block>_index`` holding
  its labels as strings. These are Pyomo component names, used to index and
  extend the model (``m.x_index``); they are not the dimensions of results;
* the model carries ``iomodel_units`` (units by block name, and
  ``"objective"``) and ``iomodel_dims`` (each block's result dimension,
  :attr:`~iomodel.optimize.program.VarBlock.dim`);
* a row without terms is kept as an empty linear expression (so ``0 <= -1``
  stays, and is infeasible), a row without bounds with infinite ones;
  :func:`solve_pyomo` puts back the variables and rows Pyomo's compiler
  leaves out, so a program solved by either path gives the same result
  (``tests/test_lp_edge.py``);
* :func:`solve_pyomo` labels a block of the original program along its own
  dimension (``sector`` for a block over ``table.sectors``), a component the
  user added over one of the program's sets (``Var(m.x_index)``) along that
  block's dimension, and any other component along its own name; a
  component without index (a single constraint) has its name as its one
  label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
import xarray as xr

from ..errors import InfeasibleError, SolverError, UnboundedError, ValidationError
from .highs import solve_highs
from .program import LPResult, LPStatus, Program

__all__ = ["solve_pyomo", "to_pyomo"]


def to_pyomo(prog: Program):
    """A Pyomo ``ConcreteModel`` with one ``Var`` and one ``Constraint`` per block of ``prog``.

    The set ``<block>_index`` holds the labels (as strings); the objective is
    the component ``objective``; ``iomodel_units`` and ``iomodel_dims``
    carry the blocks' units and result dimensions to :func:`solve_pyomo`.

    Examples
    --------
    >>> import numpy as np
    >>> import iomodel as iom
    >>> from iomodel.optimize.lp import LinearProgram
    >>> t = iom.datasets.miller_blair()
    >>> lp = LinearProgram(sense="max", objective_units="dollars of output")
    >>> _ = lp.add_variables("x", t.sectors, cost=1.0)
    >>> _ = lp.add_constraints("balance", t.sectors, {"x": np.eye(2) - t.A.to_numpy()}, upper=[350.0, 1700.0])
    >>> m = to_pyomo(lp)
    >>> list(m.x_index), m.iomodel_dims
    (['agriculture', 'manufacturing'], {'x': 'sector', 'balance': 'sector'})
    """
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    prog.check()
    m = pyo.ConcreteModel(name=prog.name)
    labels: dict[str, list[str]] = {}
    for name, b in prog.variables.items():
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
        for n, b in prog.variables.items()
        for i in np.flatnonzero(b.cost)
    )
    m.objective = pyo.Objective(
        expr=obj + prog.objective_constant, sense=pyo.maximize if prog.sense == "max" else pyo.minimize
    )
    for name, cb in prog.constraints.items():
        lab = [str(i) for i in cb.index]
        s = pyo.Set(initialize=lab, ordered=True)
        m.add_component(f"{name}_index", s)
        rows_terms: list[list[tuple[str, str, float]]] = [[] for _ in lab]
        for vname, M in cb.terms.items():
            coo = M.tocoo()
            for r, c, val in zip(coo.row, coo.col, coo.data, strict=True):
                rows_terms[r].append((vname, labels[vname][c], float(val)))
        row_lo = {lab[i]: (None if not np.isfinite(cb.lower[i]) else float(cb.lower[i])) for i in range(len(lab))}
        row_up = {lab[i]: (None if not np.isfinite(cb.upper[i]) else float(cb.upper[i])) for i in range(len(lab))}
        terms_by = dict(zip(lab, rows_terms, strict=True))

        def rule(mm, k, terms_by=terms_by, lo=row_lo, up=row_up):
            # a row without terms keeps an empty linear body, so that ``0 <= -1`` stays (and is infeasible)
            body = LinearExpression([val * getattr(mm, vn)[vl] for vn, vl, val in terms_by[k]])
            if lo[k] is not None and up[k] is not None and lo[k] == up[k]:
                return body == lo[k]
            # a free row (no bound) is kept with infinite bounds; Pyomo reports no bounds for it
            return pyo.inequality(-np.inf if lo[k] is None else lo[k], body, np.inf if up[k] is None else up[k])

        m.add_component(name, pyo.Constraint(s, rule=rule))
    m.iomodel_units = prog.units()
    m.iomodel_dims = {
        **{n: b.dim for n, b in prog.variables.items()},
        **{n: b.dim for n, b in prog.constraints.items()},
    }
    return m


def _name(component) -> str:
    """A component's block name: its own name on the model (unquoted, as the program's block), else its full name."""
    top = component.model()
    return component.local_name if component.parent_block() is top else component.name


def _dim_of(model, component, dims: Mapping[str, str]) -> str:
    """Result dimension of a component (see the module docstring)."""
    name = _name(component)
    if name in dims:
        return dims[name]
    if component.is_indexed():
        s = component.index_set()
        for block, d in dims.items():
            if model.component(f"{block}_index") is s:
                return d
    return name


def _label(index: Any, component_name: str) -> str:
    return component_name if index is None else str(index)


_TERMINATION = {
    "optimal": LPStatus.OPTIMAL,
    "infeasible": LPStatus.INFEASIBLE,
    "unbounded": LPStatus.UNBOUNDED,
    "infeasibleOrUnbounded": LPStatus.UNBOUNDED_OR_INFEASIBLE,
    "maxTimeLimit": LPStatus.TIME_LIMIT,
}


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
    (``pyomo.repn.plugins.standard_form``), rebuilt as a
    :class:`~iomodel.optimize.program.Program` whose blocks are the Pyomo
    components, and solved by :func:`~iomodel.optimize.highs.solve_highs`,
    keeping duals, reduced costs and ranging; ``options`` are HiGHS options as
    in :meth:`LinearProgram.solve <iomodel.optimize.lp.LinearProgram.solve>`.
    Any other name is passed to ``pyomo.environ.SolverFactory`` with a
    ``dual`` suffix (added to the model if missing); the result then has
    values and duals only, in that solver's sign convention.

    Results lie along the dimensions the module docstring describes; labels
    are strings.

    Raises
    ------
    SolverError
        The solver is not available, or reports another failure (with ``check=True``).
    InfeasibleError, UnboundedError
        With ``check=True``.
    ValidationError
        The model does not have exactly one active objective (``"highs"``).

    Examples
    --------
    >>> import numpy as np
    >>> import pyomo.environ as pyo
    >>> import iomodel as iom
    >>> from iomodel.optimize.lp import LinearProgram
    >>> t = iom.datasets.miller_blair()
    >>> lp = LinearProgram(sense="max")
    >>> _ = lp.add_variables("x", t.sectors, cost=1.0)
    >>> _ = lp.add_constraints("balance", t.sectors, {"x": np.eye(2) - t.A.to_numpy()}, upper=[350.0, 1700.0])
    >>> m = lp.to_pyomo()
    >>> m.cap = pyo.Constraint(expr=m.x["manufacturing"] <= 1800.0)
    >>> res = solve_pyomo(m)
    >>> res.value("x").dims, res.dual("cap").dims, res.dual("cap").values.round(4)
    (('sector',), ('cap',), array([1.2941]))
    """
    import pyomo.environ as pyo

    units = dict(getattr(model, "iomodel_units", {}))
    dims = dict(getattr(model, "iomodel_dims", {}))
    if solver == "highs":
        return _solve_compiled(model, units, dims, check=check, ranging=ranging, options=options)
    opt = pyo.SolverFactory(solver)
    if opt is None or not opt.available(exception_flag=False):
        raise SolverError(f"solver {solver!r} is not available; install it or use solver='highs'")
    objectives = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objectives) != 1:
        raise ValidationError(f"the model must have exactly one active objective, has {len(objectives)}")
    sense = "max" if objectives[0].sense == pyo.maximize else "min"
    mip = any(v.is_integer() for v in model.component_data_objects(pyo.Var, active=True))
    if not mip and not hasattr(model, "dual"):  # MIPs report no duals (as on the matrix path)
        model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    r = opt.solve(model, load_solutions=False)
    tc = str(r.solver.termination_condition)
    status = _TERMINATION.get(tc, LPStatus.OTHER)
    if status is not LPStatus.OPTIMAL:
        msg = f"solver {solver!r} reports {tc} for model {model.local_name!r}"
        if check:
            exc = {LPStatus.INFEASIBLE: InfeasibleError, LPStatus.UNBOUNDED: UnboundedError}.get(status, SolverError)
            raise exc(msg)
        return LPResult(
            status, float("nan"), sense, {}, {}, {}, {}, units, {"solver": solver, "solver_status": tc, "message": msg}
        )
    try:
        model.solutions.load_from(r)
    except (RuntimeError, ValueError) as e:
        raise SolverError(f"solver {solver!r} reports {tc} but its solution could not be read: {e}") from None
    primal, duals = {}, {}
    for v in model.component_objects(pyo.Var, active=True):
        keys = list(v.keys())
        dim = _dim_of(model, v, dims)
        name = _name(v)
        primal[name] = xr.DataArray(
            [np.nan if (x := pyo.value(v[k], exception=False)) is None else x for k in keys],  # unset: unused
            dims=(dim,),
            coords={dim: [_label(k, name) for k in keys]},
            name=name,
            attrs={"units": units.get(name, "")},
        )
    for c in model.component_objects(pyo.Constraint, active=True) if hasattr(model, "dual") else ():
        keys = list(c.keys())
        dim = _dim_of(model, c, dims)
        name = _name(c)
        duals[name] = xr.DataArray(
            [model.dual.get(c[k], np.nan) for k in keys],
            dims=(dim,),
            coords={dim: [_label(k, name) for k in keys]},
            name=name,
            attrs={"units": units.get(name, "")},
        )
    return LPResult(
        LPStatus.OPTIMAL,
        float(pyo.value(objectives[0])),
        sense,
        primal,
        duals,
        {},
        {},
        units,
        {"solver": solver, "solver_status": tc},
    )


def _compile(model) -> Any:
    """The standard form of ``model``, rows with a constant body (``0 <= -1``) left out rather than refused.

    Pyomo's compiler refuses a constant row it finds infeasible; such rows
    are deactivated while it runs (and activated again), so that they come
    back as empty rows of the program and HiGHS and
    :func:`~iomodel.optimize.highs.diagnose_infeasibility` see them as on the
    matrix path.
    """
    import pyomo.environ as pyo
    from pyomo.common.errors import InfeasibleConstraintException
    from pyomo.core.expr.visitor import identify_variables
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    def write() -> Any:
        return LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)

    try:
        return write()
    except InfeasibleConstraintException:
        pass
    constant = [
        con
        for con in model.component_data_objects(pyo.Constraint, active=True)
        if next(identify_variables(con.body, include_fixed=False), None) is None
    ]
    for con in constant:
        con.deactivate()
    try:
        return write()
    finally:
        for con in constant:
            con.activate()


def _solve_compiled(
    model,
    units: Mapping[str, str],
    dims: Mapping[str, str],
    *,
    check: bool,
    ranging: bool,
    options: Mapping[str, Any] | None,
) -> LPResult:
    """Compile a Pyomo model to standard form, rebuild its blocks and solve them with HiGHS.

    Every variable and active constraint of the model becomes a column or row
    of the program, in the order they are declared, so the program is the one
    the matrix path would solve: variables the compiler leaves out (used
    nowhere) and rows it leaves out (no bound, or a constant body) are put
    back, the latter as they are (``0 <= -1`` stays infeasible).
    """
    import pyomo.environ as pyo
    from pyomo.repn.standard_repn import generate_standard_repn

    repn = _compile(model)
    if len(repn.objectives) != 1:
        raise ValidationError(f"the model must have exactly one active objective, has {len(repn.objectives)}")
    sense: Literal["max", "min"] = "max" if repn.objectives[0].sense == pyo.maximize else "min"
    prog = Program(sense=sense, objective_units=units.get("objective", ""), name=model.local_name)

    # columns: every variable of the model, by component in declaration order, then any other the compiler found
    var_groups: dict[str, list[Any]] = {}
    comps: dict[str, Any] = {}
    seen: set[int] = set()

    def add_var(v: Any) -> None:
        if id(v) in seen:
            return
        comp = v.parent_component()
        seen.add(id(v))
        var_groups.setdefault(_name(comp), []).append(v)
        comps.setdefault(_name(comp), comp)

    for comp in model.component_objects(pyo.Var, active=True):
        comps.setdefault(_name(comp), comp)
        var_groups.setdefault(_name(comp), [])
        for v in comp.values():
            add_var(v)
    for v in repn.columns:
        add_var(v)
    # columns grouped by block: position of each variable in the program
    order = [v for vs in var_groups.values() for v in vs]
    new_pos = {id(v): j for j, v in enumerate(order)}
    n = len(order)
    K = len(repn.columns)
    P = sp.csr_array(
        (np.ones(K), ([*range(K)], [new_pos[id(v)] for v in repn.columns])),
        shape=(K, n),
    )
    A = sp.csr_array(sp.csr_array(repn.A) @ P) if K else sp.csr_array((len(repn.rows), n))
    c = (sp.csr_array(repn.c) @ P).toarray().ravel() if K else np.zeros(n)
    starts = np.cumsum([0] + [len(vs) for vs in var_groups.values()])
    for q, (name, vs) in enumerate(var_groups.items()):
        fixed = [v.fixed and v.value is not None for v in vs]
        prog.add_variables(
            name,
            pd.Index([_label(v.index(), name) for v in vs], name=_dim_of(model, comps[name], dims)),
            lower=[v.value if f else (-np.inf if v.lb is None else v.lb) for v, f in zip(vs, fixed, strict=True)],
            upper=[v.value if f else (np.inf if v.ub is None else v.ub) for v, f in zip(vs, fixed, strict=True)],
            cost=c[starts[q] : starts[q + 1]],
            integer=bool(vs) and vs[0].is_integer(),
            units=units.get(name, ""),
        )

    # rows: every active constraint, by component in declaration order
    compiled: dict[int, list[tuple[int, int]]] = {}
    for i, (con, sense_) in enumerate(repn.rows):
        compiled.setdefault(id(con), []).append((i, sense_))
    rhs = np.asarray(repn.rhs, dtype=float)
    extra: list[np.ndarray] = []  # rows the compiler left out, stacked below its own
    blocks = []
    for comp in model.component_objects(pyo.Constraint, active=True):
        datas = [con for con in comp.values() if con.active]
        lo, up = np.full(len(datas), -np.inf), np.full(len(datas), np.inf)
        pick = []
        for k, con in enumerate(datas):
            if id(con) in compiled:
                entries = compiled[id(con)]
                pick.append(entries[0][0])
                for i, s_ in entries:
                    if s_ == 0:
                        lo[k] = up[k] = rhs[i]
                    elif s_ < 0:
                        lo[k] = rhs[i]
                    else:
                        up[k] = rhs[i]
                continue
            # left out by the compiler: no bound, or a constant body
            r = generate_standard_repn(con.body, compute_values=True, quadratic=False)
            if r.nonlinear_expr is not None:
                raise ValidationError(f"constraint {con.name!r} is not linear")
            row = np.zeros(n)
            for v, coef in zip(r.linear_vars, r.linear_coefs, strict=True):
                if id(v) not in new_pos:
                    raise ValidationError(f"constraint {con.name!r} uses {v.name!r}, a variable outside the model")
                row[new_pos[id(v)]] += float(coef)
            const = float(pyo.value(r.constant))
            lo[k] = -np.inf if con.lb is None else float(con.lb) - const
            up[k] = np.inf if con.ub is None else float(con.ub) - const
            pick.append(len(repn.rows) + len(extra))
            extra.append(row)
        blocks.append((comp, datas, pick, lo, up))
    full = sp.vstack([A, sp.csr_array(np.reshape(extra, (len(extra), n)))], format="csr")
    for comp, datas, pick, lo, up in blocks:
        sub = full[pick] if pick else sp.csr_array((0, n))
        prog.add_constraints(
            _name(comp),
            pd.Index([_label(con.index(), _name(comp)) for con in datas], name=_dim_of(model, comp, dims)),
            {name: sub[:, starts[q] : starts[q + 1]] for q, name in enumerate(var_groups)},
            lower=lo,
            upper=up,
            dual_units=units.get(_name(comp), ""),
        )
    prog.objective_constant = float(np.asarray(repn.c_offset).ravel()[0]) if len(repn.c_offset) else 0.0
    return solve_highs(prog, check=check, ranging=ranging, options=options)
