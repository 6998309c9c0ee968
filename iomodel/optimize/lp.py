r"""Labelled linear programs: :class:`LinearProgram`, built from blocks and solved.

A :class:`LinearProgram` is a small, explicit representation in the manner of
linopy: variables and constraints come in named *blocks* indexed by labels
(sectors, projects, zones), each constraint block a sparse matrix per variable
block with lower and upper row bounds. Its building API, the blocks and the
result (:class:`VarBlock`, :class:`ConBlock`, :class:`LPResult`,
:class:`LPStatus`) live in :mod:`iomodel.optimize.program`, which imports no
solver, and are re-exported here. This module sits on top of the solvers and
adds the two ways to solve a program:

* :mod:`iomodel.optimize.highs`, the **matrix path**
  (:meth:`LinearProgram.solve`): blocks are stacked into one sparse matrix and
  handed to HiGHS (``highspy``) directly, so model building never dominates
  on large tables (``benchmarks/bench_lp.py``);
* :mod:`iomodel.optimize.pyomo_backend`, the **Pyomo path**
  (:meth:`LinearProgram.to_pyomo`,
  :func:`~iomodel.optimize.pyomo_backend.solve_pyomo`): a ``pyomo``
  ``ConcreteModel`` with one ``Var`` and one ``Constraint`` per block, which a
  user can inspect and extend before solving. It is solved with HiGHS through
  Pyomo's standard-form compiler (duals and ranging included) or with any
  other Pyomo solver by name.

Imports run one way: ``program`` <- ``highs`` <- ``pyomo_backend`` <- ``lp``
(``pyomo_backend`` and ``lp`` also import ``program``).

Both paths return an :class:`LPResult` whose primal values, shadow prices,
reduced costs and ranging are labelled by block and index. Each block's
values lie along one dimension, :attr:`VarBlock.dim` / :attr:`ConBlock.dim`:
the name of the block's :class:`pandas.Index` when it has one
(``table.sectors`` is named ``"sector"``, so balance, capacity and labour
rows over it are reported over ``sector``), otherwise the block's own name.

Sign convention of shadow prices (docs/optimize.md): the dual of a row is
:math:`\partial(\text{objective}) / \partial(\text{bound})` of its binding
bound, in objective units per unit of the row, as HiGHS reports it for the
problem's own sense. In a maximisation a binding upper bound (a resource
limit) has a non-negative price, a binding lower bound a non-positive one.
Duals are reported only for continuous problems solved to a vertex (simplex).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import highs, pyomo_backend
from .program import (
    INF,
    INFINITE_BOUND,
    LARGE_COEFFICIENT,
    SENSES,
    ConBlock,
    LPResult,
    LPStatus,
    Program,
    VarBlock,
    check_sense,
)

logger = logging.getLogger(__name__)

__all__ = [
    "INF",
    "INFINITE_BOUND",
    "LARGE_COEFFICIENT",
    "SENSES",
    "ConBlock",
    "LPResult",
    "LPStatus",
    "LinearProgram",
    "Program",
    "VarBlock",
    "check_sense",
]

#: Names that moved to a backend module, by that module (still readable here, with a warning).
_MOVED = {
    "solve_pyomo": pyomo_backend,
    "diagnose_infeasibility": highs,
    "DENSE_PRESOLVE_NNZ": highs,
    "DENSE_PRESOLVE_DENSITY": highs,
}


def __getattr__(name: str) -> Any:
    """Names moved to the backend modules: found there, with a :class:`DeprecationWarning`."""
    if name in _MOVED:
        module = _MOVED[name]
        warnings.warn(
            f"iomodel.optimize.lp.{name} has moved to {module.__name__}.{name}", DeprecationWarning, stacklevel=2
        )
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class LinearProgram(Program):
    """A linear (or mixed-integer) program built from labelled blocks, and solved.

    The building API is that of :class:`~iomodel.optimize.program.Program`
    (:meth:`add_variables`, :meth:`add_constraints`, :meth:`matrices`,
    :meth:`units`); this class adds :meth:`solve` and :meth:`to_pyomo`.

    Examples
    --------
    Maximise output subject to the Leontief balance: the duals of the
    balance rows are the output multipliers (Brink & McCarl 1977; docs/optimize.md):

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

    ``t.sectors`` is named ``"sector"``, so both blocks' results lie along
    ``sector``; a block over unnamed labels is reported along its own name:

    >>> res.dual("balance").dims, res.value("x").dims, res.status
    (('sector',), ('sector',), <LPStatus.OPTIMAL: 'Optimal'>)
    """

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
            ``"highs"`` (default: :func:`iomodel.optimize.highs.solve_highs`)
            or the name of a Pyomo solver (e.g. ``"glpk"``, ``"cbc"``:
            :func:`iomodel.optimize.pyomo_backend.solve_pyomo`).
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
            (more than :data:`~iomodel.optimize.highs.DENSE_PRESOLVE_NNZ`
            non-zeros at a density above
            :data:`~iomodel.optimize.highs.DENSE_PRESOLVE_DENSITY`): on
            Leontief blocks it cost 100 times the solve
            (``benchmarks/bench_lp.py``). Other solvers ignore ``ranging``,
            ``time_limit`` and ``options``.
        """
        if solver != "highs":
            return pyomo_backend.solve_pyomo(self.to_pyomo(), solver=solver, check=check)
        return highs.solve_highs(self, check=check, ranging=ranging, time_limit=time_limit, options=options)

    def to_pyomo(self):
        """A Pyomo ``ConcreteModel`` with one ``Var`` and one ``Constraint`` per block.

        See :func:`iomodel.optimize.pyomo_backend.to_pyomo`: the Pyomo set
        ``<block>_index`` holds each block's labels (as strings). Extend the
        model (new variables, constraints, a new objective) and solve it with
        :func:`~iomodel.optimize.pyomo_backend.solve_pyomo`; the blocks keep
        their names and dimensions in the result.
        """
        return pyomo_backend.to_pyomo(self)
