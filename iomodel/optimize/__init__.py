"""The linear-programming extension: labelled LPs solved with HiGHS.

* :mod:`iomodel.optimize.lp`: :class:`LinearProgram` (blocks of variables and
  constraints), :class:`LPResult`, :func:`solve_pyomo`;
* :mod:`iomodel.optimize.allocation`: :func:`allocate` investment and
  incentives across clusters and zones, :func:`pareto_front`;
* :mod:`iomodel.optimize.technology`: rectangular :func:`choice_of_technology`.
"""

from .allocation import (
    AllocationProblem,
    Candidate,
    allocate,
    candidate_coefficients,
    kazakhstan_candidates,
    pareto_front,
)
from .lp import LinearProgram, LPResult, solve_pyomo
from .technology import choice_of_technology

__all__ = [
    "LinearProgram",
    "LPResult",
    "solve_pyomo",
    "AllocationProblem",
    "Candidate",
    "allocate",
    "pareto_front",
    "candidate_coefficients",
    "kazakhstan_candidates",
    "choice_of_technology",
]
