"""The linear-programming extension: labelled LPs solved with HiGHS.

* :mod:`iomodel.optimize.program`: the building API without solvers
  (:class:`~iomodel.optimize.program.Program`, blocks of variables and
  constraints), :class:`LPResult`, :class:`LPStatus`;
* :mod:`iomodel.optimize.lp`: :class:`LinearProgram`, a program with ``solve``
  and ``to_pyomo`` (it re-exports the names of ``program``);
* :mod:`iomodel.optimize.highs`: the matrix path (HiGHS through ``highspy``),
  :func:`diagnose_infeasibility`, :func:`diagnose_unboundedness`;
* :mod:`iomodel.optimize.pyomo_backend`: Pyomo models of a program and
  :func:`solve_pyomo`;
* :mod:`iomodel.optimize.allocation`: :func:`allocate` investment and
  incentives across clusters and zones, :func:`pareto_front`;
* :mod:`iomodel.optimize.technology`: rectangular :func:`choice_of_technology`.
"""

from .allocation import (
    AllocationProblem,
    Candidate,
    allocate,
    candidate_coefficients,
    pareto_front,
    standard_candidates,
)
from .highs import diagnose_infeasibility, diagnose_unboundedness
from .lp import LinearProgram, LPResult, LPStatus
from .program import Program
from .pyomo_backend import solve_pyomo
from .technology import choice_of_technology

__all__ = [
    "AllocationProblem",
    "Candidate",
    "LPResult",
    "LPStatus",
    "LinearProgram",
    "Program",
    "allocate",
    "candidate_coefficients",
    "choice_of_technology",
    "diagnose_infeasibility",
    "diagnose_unboundedness",
    "pareto_front",
    "solve_pyomo",
    "standard_candidates",
]
