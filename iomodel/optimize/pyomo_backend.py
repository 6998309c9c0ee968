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
            body = sum(val * getattr(mm, vn)[vl] for vn, vl, val in terms_by[k])
            if isinstance(body, int | float) and body == 0:
                return pyo.Constraint.Skip
            if lo[k] is not None and up[k] is not None and lo[k] == up[k]:
                return body == lo[k]
            return pyo.inequality(lo[k], body, up[k])

        m.add_component(name, pyo.Constraint(s, rule=rule))
    m.iomodel_units = prog.units()
    m.iomodel_dims = {
        **{n: b.dim for n, b in prog.variables.items()},
        **{n: b.dim for n, b in prog.constraints.items()},
    }
    return m


def _dim_of(model, component, dims: Mapping[str, str]) -> str:
    """Result dimension of a component (see the module docstring)."""
    if component.name in dims:
        return dims[component.name]
    if component.is_indexed():
        s = component.index_set()
        for block, d in dims.items():
            if model.component(f"{block}_index") is s:
                return d
    return component.name


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
    if not hasattr(model, "dual"):
        model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    r = opt.solve(model, load_solutions=False)
    tc = str(r.solver.termination_condition)
    status = _TERMINATION.get(tc, LPStatus.OTHER)
    if status is not LPStatus.OPTIMAL:
        msg = f"solver {solver!r} reports {tc} for model {model.name!r}"
        if check:
            exc = {LPStatus.INFEASIBLE: InfeasibleError, LPStatus.UNBOUNDED: UnboundedError}.get(status, SolverError)
            raise exc(msg)
        return LPResult(
            status, float("nan"), sense, {}, {}, {}, {}, units, {"solver": solver, "solver_status": tc, "message": msg}
        )
    model.solutions.load_from(r)
    primal, duals = {}, {}
    for v in model.component_objects(pyo.Var, active=True):
        keys = list(v.keys())
        dim = _dim_of(model, v, dims)
        primal[v.name] = xr.DataArray(
            [pyo.value(v[k]) for k in keys],
            dims=(dim,),
            coords={dim: [_label(k, v.name) for k in keys]},
            name=v.name,
            attrs={"units": units.get(v.name, "")},
        )
    for c in model.component_objects(pyo.Constraint, active=True):
        keys = list(c.keys())
        dim = _dim_of(model, c, dims)
        duals[c.name] = xr.DataArray(
            [model.dual.get(c[k], np.nan) for k in keys],
            dims=(dim,),
            coords={dim: [_label(k, c.name) for k in keys]},
            name=c.name,
            attrs={"units": units.get(c.name, "")},
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


def _solve_compiled(
    model,
    units: Mapping[str, str],
    dims: Mapping[str, str],
    *,
    check: bool,
    ranging: bool,
    options: Mapping[str, Any] | None,
) -> LPResult:
    """Compile a Pyomo model to standard form, rebuild its blocks and solve them with HiGHS."""
    import pyomo.environ as pyo
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    repn = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    if len(repn.objectives) != 1:
        raise ValidationError(f"the model must have exactly one active objective, has {len(repn.objectives)}")
    sense: Literal["max", "min"] = "max" if repn.objectives[0].sense == pyo.maximize else "min"
    prog = Program(sense=sense, objective_units=units.get("objective", ""), name=model.name)
    cols: dict[str, list[int]] = {}
    comps: dict[str, Any] = {}
    for j, v in enumerate(repn.columns):
        comp = v.parent_component()
        cols.setdefault(comp.name, []).append(j)
        comps[comp.name] = comp
    c = np.asarray(repn.c.toarray()).ravel()
    for name, js in cols.items():
        vs = [repn.columns[j] for j in js]
        prog.add_variables(
            name,
            pd.Index([_label(v.index(), name) for v in vs], name=_dim_of(model, comps[name], dims)),
            lower=[-np.inf if v.lb is None else v.lb for v in vs],
            upper=[np.inf if v.ub is None else v.ub for v in vs],
            cost=c[js],
            integer=vs[0].is_integer(),
            units=units.get(name, ""),
        )
    A = sp.csr_array(repn.A)
    rows: dict[str, dict[Any, list[tuple[int, int]]]] = {}
    for i, (con, sense_) in enumerate(repn.rows):
        comp = con.parent_component()
        comps[comp.name] = comp
        rows.setdefault(comp.name, {}).setdefault(con.index(), []).append((i, sense_))
    order = list(cols)
    starts = np.cumsum([0] + [len(cols[n]) for n in order])
    A = A[:, np.concatenate([cols[n] for n in order])]
    rhs = np.asarray(repn.rhs, dtype=float)
    for name, by_index in rows.items():
        labels = list(by_index)
        lo, up, pick = np.full(len(labels), -np.inf), np.full(len(labels), np.inf), []
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
        prog.add_constraints(
            name,
            pd.Index([_label(lab, name) for lab in labels], name=_dim_of(model, comps[name], dims)),
            {n: sub[:, starts[q] : starts[q + 1]] for q, n in enumerate(order)},
            lower=lo,
            upper=up,
            dual_units=units.get(name, ""),
        )
    prog.objective_constant = float(np.asarray(repn.c_offset).ravel()[0]) if len(repn.c_offset) else 0.0
    return solve_highs(prog, check=check, ranging=ranging, options=options)
