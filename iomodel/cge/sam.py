r"""The social accounting matrix: one immutable, validated, labelled object for CGE models.

A :class:`SAM` is a square matrix of money flows with **receipts in rows and
payments in columns** (Pyatt & Round 1985; Hosoe, Gasawa & Hashimoto 2010,
ch. 3; docs/methods.md section 7.1): the cell ``(i, j)`` is what account ``i``
receives from account ``j``, and every account's row total equals its column
total. Each account has exactly one **role**, the contract a CGE model reads
(:data:`ROLES`):

======================  ==========================================================================
role                    accounts
======================  ==========================================================================
``goods``               commodity = activity accounts of a product-by-product table
``factors``             primary factors, e.g. ``"LAB"``, ``"CAP"``
``production_taxes``    taxes paid by goods columns on output (other taxes on production, net
                        product taxes on intermediate inputs, payroll and resource taxes)
``tariffs``             import duties paid by goods columns on their imports
``factor_taxes``        taxes paid by factor columns out of factor income (e.g. CIT from capital)
``direct_taxes``        taxes paid by the households column on income (e.g. PIT); none means
                        households pay the government directly (one cell)
``consumption_taxes``   taxes paid by the households column as an ad valorem tax on household
                        spending (product taxes on household consumption)
``households``          one account: the representative household
``government``          one account
``investment``          one account: savings-investment
``rest_of_world``       one account
======================  ==========================================================================

Which cells a model reads
-------------------------
Only the cells of :data:`CELLS` may be nonzero; anything else (households
paying a factor, a tax account paying anyone but the government, ...) is
refused by name, because the standard model (Hosoe et al. 2010, ch. 6) could
not interpret it. Sign rules: flows of goods to their users, factor payments,
factor income of households, imports and transfers to households are
**non-negative**; every tax cell may be negative (taxes net of subsidies);
savings (household, government, foreign), factor income paid abroad (a net
flow) and investment demand (inventories may fall) may have **any sign**.

=====================  ======================  ============  ======================================
row role               column role             sign          meaning
=====================  ======================  ============  ======================================
goods                  goods                   >= 0          intermediate use (composite commodity)
goods                  households              >= 0          household consumption
goods                  government              >= 0          government consumption
goods                  investment              any           GFCF, inventories, valuables
goods                  rest_of_world           >= 0          exports
factors                goods                   >= 0          factor payments (value added)
production_taxes       goods                   any           taxes on production
tariffs                goods                   any           import duties
rest_of_world          goods                   >= 0          imports
households             factors                 >= 0          factor income of households
rest_of_world          factors                 any           factor income paid abroad (net)
factor_taxes           factors                 any           taxes on factor income
direct_taxes           households              any           direct taxes
consumption_taxes      households              any           taxes on household consumption
government             households              any           direct tax, only without direct_taxes
government             every tax role          any           tax revenue
households             government              >= 0          transfers to households
households             rest_of_world           any           transfers from abroad (net)
investment             households              any           household savings
investment             government              any           government savings
investment             rest_of_world           any           foreign savings
=====================  ======================  ============  ======================================

Balancing
---------
:meth:`SAM.balance` adjusts a matrix whose totals differ by least squares
(Stone 1942; docs/methods.md section 7.1), solved as a quadratic program by
HiGHS:

.. math::

    \min_T \sum_{(i,j)\ \mathrm{free}} \frac{(T_{ij} - T^0_{ij})^2}{w_{ij}}
    \quad\text{s.t.}\quad \sum_j T_{kj} = \sum_i T_{ik}\ \ \forall k,\qquad
    T_{ij} = T^0_{ij}\ \text{(fixed cells, structural zeros)},\qquad
    T_{ij} \ge 0\ \text{(where the sign rule says so)},

with :math:`w_{ij} = |T^0_{ij}|` (``weights="relative"``: each cell moves in
proportion to its size), :math:`w_{ij} = 1` (``"uniform"``) or reliability
weights of your own. The kernel is :func:`least_squares_balance`: HiGHS's QP
solver, and an exact semismooth Newton method on the dual (one unknown per
account) that scales to any number of cells and hot-starts HiGHS; the new
SAM reports every changed cell in :attr:`SAM.adjustments`.

Examples
--------
The standard-model SAM of Hosoe, Gasawa & Hashimoto (2010):

>>> from iomodel.cge import SAM
>>> sam = SAM.hosoe_standard()
>>> sam.goods, sam.factors, sam.tariffs, sam.direct_taxes
(('BRD', 'MLK'), ('CAP', 'LAB'), ('TRF',), ())
>>> sam.value("HOH", "CAP"), float(sam.row_totals["GOV"])
(50.0, 35.0)
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from frozendict import frozendict

from .. import dims
from ..economy import Economy
from ..errors import ConvergenceError, InfeasibleError, LabelError, SolverError, ValidationError

if TYPE_CHECKING:
    import xarray as xr

    from ..table import IOTable

__all__ = [
    "CELLS",
    "DEFAULT_FINAL_DEMAND",
    "DEFAULT_TAXES",
    "DEFAULT_VALUE_ADDED",
    "HIGHS_QP_LIMIT",
    "HOSOE_SOURCE",
    "ROLES",
    "SAM",
    "TAX_ROLES",
    "Cell",
    "least_squares_balance",
]

#: Roles whose accounts are lists (any number of accounts).
LIST_ROLES = (
    "goods",
    "factors",
    "production_taxes",
    "tariffs",
    "factor_taxes",
    "direct_taxes",
    "consumption_taxes",
)
#: Roles with exactly one account.
SINGLE_ROLES = ("households", "government", "investment", "rest_of_world")
#: Every role, in the order :meth:`SAM.from_table` lays the accounts out.
ROLES = LIST_ROLES + SINGLE_ROLES
#: Roles of tax accounts; each tax account's column pays the government only.
TAX_ROLES = ("production_taxes", "tariffs", "factor_taxes", "direct_taxes", "consumption_taxes")

#: Weights of :meth:`SAM.balance`: a rule or a frame of reliability weights.
Weights: TypeAlias = Literal["relative", "uniform"] | pd.DataFrame


@dataclass(frozen=True)
class Cell:
    """One kind of cell a CGE model reads from a SAM (row role x column role).

    Attributes
    ----------
    row, col
        Roles of the receiving row and the paying column.
    sign
        ``"nonnegative"`` or ``"any"``.
    meaning
        What the flow is.
    """

    row: str
    col: str
    sign: Literal["nonnegative", "any"]
    meaning: str


#: The cells a CGE model reads; every other cell must be zero (module docstring).
CELLS: tuple[Cell, ...] = (
    Cell("goods", "goods", "nonnegative", "intermediate use (composite commodity)"),
    Cell("goods", "households", "nonnegative", "household consumption"),
    Cell("goods", "government", "nonnegative", "government consumption"),
    Cell("goods", "investment", "any", "investment demand (GFCF, inventories, valuables)"),
    Cell("goods", "rest_of_world", "nonnegative", "exports"),
    Cell("factors", "goods", "nonnegative", "factor payments (value added)"),
    Cell("production_taxes", "goods", "any", "taxes on production, net of subsidies"),
    Cell("tariffs", "goods", "any", "import duties"),
    Cell("rest_of_world", "goods", "nonnegative", "imports"),
    Cell("households", "factors", "nonnegative", "factor income of households"),
    Cell("rest_of_world", "factors", "any", "factor income paid abroad (net)"),
    Cell("factor_taxes", "factors", "any", "taxes on factor income"),
    Cell("direct_taxes", "households", "any", "direct taxes"),
    Cell("consumption_taxes", "households", "any", "taxes on household consumption"),
    Cell("government", "households", "any", "direct tax paid without a tax account (only if direct_taxes is empty)"),
    *(Cell("government", r, "any", "tax revenue") for r in TAX_ROLES),
    Cell("households", "government", "nonnegative", "transfers to households"),
    Cell("households", "rest_of_world", "any", "transfers from abroad to households (net)"),
    Cell("investment", "households", "any", "household savings"),
    Cell("investment", "government", "any", "government savings"),
    Cell("investment", "rest_of_world", "any", "foreign savings"),
)

_CELL_RULE: dict[tuple[str, str], Cell] = {(c.row, c.col): c for c in CELLS}

HOSOE_SOURCE = (
    "Hosoe, N., Gasawa, K. and Hashimoto, H. (2010) Textbook of Computable General Equilibrium Modelling: "
    "Programming and Simulations, Palgrave Macmillan, ch. 5-6 (the standard model's SAM); also the GAMS Model "
    "Library model STDCGE"
)


# --------------------------------------------------------------------------- kernel
#: Largest number of free cells for which ``solver="auto"`` also hands the QP to HiGHS. HiGHS's QP
#: solver is an active-set method on a dense null space (of dimension free cells minus accounts, capped
#: by its option ``qp_nullspace_limit``, 4000 by default). Measured on random SAMs with half their cells
#: free (this 2-core machine): 1,290 cells took 1.7 s from a cold start and 0.33 s hot-started from the
#: Newton solution, 2,889 cells 6.8 s hot-started, and 7,000 cells failed (``kSolveError``) after two
#: minutes, while the dual Newton method balances 51,000 cells in 0.04 s.
HIGHS_QP_LIMIT = 1500

Solver: TypeAlias = Literal["auto", "highs", "newton"]


def least_squares_balance(
    prior: np.ndarray,
    *,
    free: np.ndarray | None = None,
    nonnegative: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    labels: Sequence[str] | None = None,
    solver: Solver = "auto",
    options: Mapping[str, Any] | None = None,
    info: dict[str, Any] | None = None,
) -> tuple[np.ndarray, float]:
    r"""Balance a square matrix by weighted least squares: a QP solved by HiGHS.

    .. math::

        \min_T \sum_{(i,j)\in\mathcal F}\frac{(T_{ij}-T^0_{ij})^2}{w_{ij}}
        \quad\text{s.t.}\quad \sum_j T_{kj}=\sum_i T_{ik}\ \forall k,\quad
        T_{ij}=T^0_{ij}\ \forall (i,j)\notin\mathcal F,\quad
        T_{ij}\ge 0\ \text{where}\ \texttt{nonnegative}.

    In the scaled unknowns :math:`y_{ij}=(T_{ij}-T^0_{ij})/\sqrt{w_{ij}}` the
    problem is :math:`\min \tfrac12\|y\|^2` s.t. :math:`Ay=b`,
    :math:`y\ge l`, with one balance row per account but the last (the
    balances add up to zero identically). Two exact solvers:

    * ``"highs"``: the QP (Hessian :math:`I`) passed to HiGHS with
      ``passModel`` and solved by its active-set QP solver;
    * ``"newton"``: the dual. Stationarity gives
      :math:`y(\lambda)=\max(A^\top\lambda, l)` componentwise, and the dual
      function :math:`g(\lambda)=b^\top\lambda-\sum_i\varphi_i((A^\top\lambda)_i)`,
      :math:`\varphi_i(z)=z^2/2` for :math:`z\ge l_i`, else
      :math:`l_iz-l_i^2/2`, is concave, piecewise quadratic and has the
      gradient :math:`b-Ay(\lambda)`; a semismooth Newton method with an
      Armijo line search (Hessian :math:`-A_FA_F^\top` over the cells off
      their bounds) reaches a zero gradient in a few steps, on a system with
      one unknown per account whatever the number of cells.

    ``"auto"`` (default) runs Newton and then HiGHS hot-started from its
    solution (the basis it implies), which must agree, when there are at
    most :data:`HIGHS_QP_LIMIT` free cells; above that Newton's solution is
    returned (it meets the KKT conditions by construction: :math:`Ay=b`,
    and :math:`y=\max(A^\top\lambda, l)` makes the bound multipliers
    :math:`y-A^\top\lambda` non-negative and complementary).

    Parameters
    ----------
    prior
        ``(n, n)`` matrix :math:`T^0`, receipts in rows, payments in columns.
    free
        Boolean mask of the cells that may change; default every nonzero cell
        (zero cells are structural zeros and stay zero).
    nonnegative
        Boolean mask of the cells that must stay :math:`\ge 0`; default none.
    weights
        Positive weights :math:`w` on the free cells; default
        :math:`|T^0_{ij}|` (relative changes).
    labels
        Account names for error messages (default positions).
    solver
        ``"auto"``, ``"highs"`` or ``"newton"``.
    options
        HiGHS options, e.g. ``{"time_limit": 10.0}``.
    info
        A dict to receive the solver used and its iteration counts.

    Returns
    -------
    tuple of numpy.ndarray and float
        The balanced matrix and the objective value (in the units of
        :math:`T^2/w`).

    Raises
    ------
    ValidationError
        Shapes, non-finite values, a free cell without a positive weight, a
        nonnegative cell that starts negative, an unknown solver.
    InfeasibleError
        An account whose cells are all fixed does not balance, or the
        constraints cannot be met (sign bounds); the message names the accounts.
    SolverError
        HiGHS returns any other status, or disagrees with the Newton solution.
    ConvergenceError
        The Newton method does not converge (not seen; the QP has a solution
        whenever it is feasible).

    Examples
    --------
    Three accounts, every off-diagonal cell free, uniform weights. With the
    gaps :math:`d = (\text{row} - \text{column}) = (-1, 0, 1)` the solution is
    :math:`T_{ij} - T^0_{ij} = (d_j - d_i)/6` (derived in tests/test_cge_sam.py):

    >>> import numpy as np
    >>> T0 = np.array([[0.0, 2.0, 1.0], [1.0, 0.0, 2.0], [3.0, 1.0, 0.0]])
    >>> T, obj = least_squares_balance(T0, weights=np.ones((3, 3)))
    >>> (T - T0).round(6)
    array([[ 0.      ,  0.166667,  0.333333],
           [-0.166667,  0.      ,  0.166667],
           [-0.333333, -0.166667,  0.      ]])
    >>> np.allclose(T.sum(axis=1), T.sum(axis=0)), round(obj, 6)
    (True, 0.333333)
    """
    import scipy.sparse as sp

    if solver not in ("auto", "highs", "newton"):
        raise ValidationError(f"solver must be 'auto', 'highs' or 'newton', got {solver!r}")
    T0 = np.array(prior, dtype=float, copy=True)
    if T0.ndim != 2 or T0.shape[0] != T0.shape[1]:
        raise ValidationError(f"the matrix to balance must be square, got shape {T0.shape}")
    n = T0.shape[0]
    names = list(labels) if labels is not None else [str(k) for k in range(n)]
    if len(names) != n:
        raise ValidationError(f"{len(names)} labels for a {n} x {n} matrix")
    if not np.isfinite(T0).all():
        i, j = np.argwhere(~np.isfinite(T0))[0]
        raise ValidationError(f"the matrix holds NaN or infinite values, first at ({names[i]!r}, {names[j]!r})")

    def mask(m: np.ndarray | None, default: np.ndarray, what: str) -> np.ndarray:
        if m is None:
            return default
        out = np.asarray(m, dtype=bool)
        if out.shape != T0.shape:
            raise ValidationError(f"{what} has shape {out.shape}, expected {T0.shape}")
        return out

    free_m = mask(free, T0 != 0.0, "free")
    nonneg = mask(nonnegative, np.zeros_like(free_m), "nonnegative")
    if weights is None:
        w = np.abs(T0)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != T0.shape:
            raise ValidationError(f"weights have shape {w.shape}, expected {T0.shape}")
    bad = free_m & ~(np.isfinite(w) & (w > 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValidationError(
            f"cell ({names[i]!r}, {names[j]!r}) is free but its weight is {w[i, j]!r}; weights of free cells must "
            "be positive and finite (relative weights cannot free a zero cell)"
        )
    wrong = nonneg & (T0 < 0)
    if wrong.any():
        i, j = np.argwhere(wrong)[0]
        raise ValidationError(f"cell ({names[i]!r}, {names[j]!r}) must be non-negative but starts at {T0[i, j]:.10g}")

    scale = float(np.abs(T0).max()) or 1.0
    t0 = T0 / scale
    gap = t0.sum(axis=1) - t0.sum(axis=0)  # row minus column, per account
    rows, cols = np.nonzero(free_m & ~np.eye(n, dtype=bool))  # diagonal cells cannot change a balance
    touch = np.zeros(n, dtype=bool)
    touch[rows] = True
    touch[cols] = True
    account_size = np.maximum(np.abs(t0).sum(axis=1), np.abs(t0).sum(axis=0))
    tiny = 1e-13
    stuck = np.flatnonzero(~touch & (np.abs(gap) > tiny * np.maximum(account_size, 1.0)))
    if len(stuck):
        raise InfeasibleError(
            "cannot balance: account(s) "
            + ", ".join(f"{names[k]!r} (row - column = {gap[k] * scale:.10g})" for k in stuck)
            + " have no free cell; free some of their cells or correct them"
        )
    if info is not None:
        info.update({"solver": "none", "free_cells": len(rows)})
    if np.abs(gap).max(initial=0.0) <= tiny:
        return T0, 0.0

    wf = w[rows, cols] / float(w[rows, cols].max())  # the argmin does not depend on a common factor
    s = np.sqrt(wf)
    nv = len(rows)
    lower = np.full(nv, -np.inf)
    nn = nonneg[rows, cols]
    lower[nn] = -t0[rows, cols][nn] / s[nn]
    # balance rows (accounts but the last): sum_j y_kj s_kj - sum_i y_ik s_ik = -gap_k
    var = np.arange(nv)
    A = sp.csr_matrix((np.concatenate([s, -s]), (np.concatenate([rows, cols]), np.concatenate([var, var]))), (n, nv))
    A, b = A[:-1], -gap[:-1]
    run: dict[str, Any] = {}
    if solver == "highs":
        y = _solve_qp(A, b, lower, names, options, None, run)
    else:
        try:
            y = _dual_newton(A, b, lower, run)
        except ConvergenceError:
            # an infeasible QP has an unbounded dual; HiGHS's LP says which it is (it scales to any size)
            _solve_qp(A, b, lower, names, options, None, {}, quadratic=False)
            raise
        if solver == "auto" and nv <= HIGHS_QP_LIMIT:
            y_h = _solve_qp(A, b, lower, names, options, y, run)
            tol_y = 1e-6 * (1.0 + float(np.abs(y).max()))
            if np.abs(y_h - y).max() > tol_y:
                raise SolverError(
                    "HiGHS and the dual Newton method disagree on the balanced matrix "
                    f"(largest difference {np.abs(y_h - y).max() * scale:.3g} in the matrix's units)"
                )
            run["solver"] = "newton, confirmed by HiGHS"
    if info is not None:
        info.update(run)
    T = T0.copy()
    T[rows, cols] = (t0[rows, cols] + s * y) * scale
    T[rows[nn], cols[nn]] = np.maximum(T[rows[nn], cols[nn]], 0.0)
    change = T[rows, cols] - T0[rows, cols]
    objective = float((change**2 / w[rows, cols]).sum())
    return T, objective


def _dual_newton(A: Any, b: np.ndarray, lower: np.ndarray, run: dict[str, Any], maxit: int = 200) -> np.ndarray:
    """Solve ``min |y|^2/2 s.t. A y = b, y >= lower`` by semismooth Newton on the dual (docstring above)."""
    AT = A.T.tocsr()
    bounded = np.isfinite(lower)
    low = np.where(bounded, lower, 0.0)

    def primal(lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = AT @ lam
        off = ~bounded | (z > low)
        return np.where(off, z, low), off

    def dual(lam: np.ndarray) -> float:
        z = AT @ lam
        phi = np.where(~bounded | (z >= low), 0.5 * z * z, low * z - 0.5 * low * low)
        return float(b @ lam - phi.sum())

    lam = np.zeros(A.shape[0])
    tol = 1e-13 * (1.0 + float(np.abs(b).max(initial=0.0)))
    for it in range(1, maxit + 1):
        y, off = primal(lam)
        r = b - A @ y
        if np.abs(r).max(initial=0.0) <= tol:
            run.update({"solver": "newton", "newton_iterations": it - 1})
            return y
        Af = A[:, off]
        H = (Af @ Af.T).toarray()
        d = np.linalg.lstsq(H, r, rcond=None)[0]
        g0, slope, step = dual(lam), float(r @ d), 1.0
        while step > 1e-12 and dual(lam + step * d) < g0 + 1e-4 * step * slope:
            step *= 0.5
        if step <= 1e-12:
            break
        lam = lam + step * d
    y, _ = primal(lam)
    if np.abs(b - A @ y).max(initial=0.0) <= 1e3 * tol:
        run.update({"solver": "newton", "newton_iterations": maxit})
        return y
    raise ConvergenceError(
        f"the dual Newton method did not balance the matrix in {maxit} iterations (largest gap "
        f"{np.abs(b - A @ y).max():.3g}); the sign restrictions may make it infeasible, try solver='highs'"
    )


def _solve_qp(
    A: Any,
    b: np.ndarray,
    lower: np.ndarray,
    names: Sequence[str],
    options: Mapping[str, Any] | None,
    start: np.ndarray | None,
    run: dict[str, Any],
    *,
    quadratic: bool = True,
) -> np.ndarray:
    """Solve ``min y'y s.t. A y = b, y >= lower`` with HiGHS (Hessian 2I), hot-started from ``start``.

    With ``quadratic=False`` only feasibility is sought (an LP with zero cost).
    """
    import highspy

    from ..optimize.highs import new_highs

    m, nv = A.shape
    h = new_highs()
    opts = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
    if start is not None:
        opts["qp_allow_hot_start"] = True
    for k, v in {**opts, **(options or {})}.items():
        if h.setOptionValue(k, v) != highspy.HighsStatus.kOk:
            raise ValidationError(f"HiGHS rejected option {k!r} = {v!r}")
    inf = highspy.kHighsInf
    Ac = A.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = nv, m
    lp.col_cost_ = np.zeros(nv)
    lp.col_lower_ = np.where(np.isfinite(lower), lower, -inf)
    lp.col_upper_ = np.full(nv, inf)
    lp.row_lower_ = b.copy()
    lp.row_upper_ = b.copy()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = Ac.indptr.astype(np.int32)
    lp.a_matrix_.index_ = Ac.indices.astype(np.int32)
    lp.a_matrix_.value_ = Ac.data.astype(float)
    hess = highspy.HighsHessian()
    hess.dim_ = nv
    hess.format_ = highspy.HessianFormat.kTriangular
    hess.start_ = np.arange(nv + 1, dtype=np.int32)
    hess.index_ = np.arange(nv, dtype=np.int32)
    hess.value_ = np.full(nv, 2.0)
    model = highspy.HighsModel()
    model.lp_ = lp
    if quadratic:
        model.hessian_ = hess
    h.passModel(model)
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(start)
        sol.value_valid = True
        h.setSolution(sol)
        basis = highspy.HighsBasis()
        at_bound = np.isfinite(lower) & (start <= lower)
        basis.col_status = [highspy.HighsBasisStatus.kLower if a else highspy.HighsBasisStatus.kBasic for a in at_bound]
        basis.row_status = [highspy.HighsBasisStatus.kLower] * m
        basis.valid = True
        h.setBasis(basis)
    h.run()
    status = str(h.getModelStatus()).split(".")[-1]
    run["qp_iterations"] = int(h.getInfo().qp_iteration_count)
    run["solver"] = "highs"
    if status == "kInfeasible":
        raise InfeasibleError(
            "cannot balance: the fixed cells and sign restrictions admit no balanced matrix; the accounts out of "
            f"balance are {[names[int(k)] for k in np.flatnonzero(np.abs(b) > 0)]}"
        )
    if status != "kOptimal":
        raise SolverError(f"HiGHS returned {status} while balancing the SAM")
    return np.asarray(h.getSolution().col_value, dtype=float)


# --------------------------------------------------------------------------- helpers
def _labels(values: Iterable[Any], what: str) -> tuple[str, ...]:
    out = tuple(values)
    bad = [v for v in out if not isinstance(v, str)]
    if bad:
        raise LabelError(f"{what}: account labels must be strings, got {bad[:5]}")
    return out


def _role_tuple(value: str | Iterable[str] | None, role: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return _labels(value, f"role {role!r}")


def _show(labels: Sequence[Any], k: int = 12) -> str:
    lab = list(labels)
    return str(lab[:k])[:-1] + (", ...]" if len(lab) > k else "]")


class SAM:
    r"""A balanced social accounting matrix with account roles, immutable.

    Build it with :meth:`from_frame` (or :meth:`read_csv`, :meth:`read_excel`,
    :meth:`from_dataset`), from an input-output table with :meth:`from_table`,
    or take the textbook case :meth:`hosoe_standard`. Receipts are in rows,
    payments in columns; roles and sign rules are in the module docstring
    (:data:`ROLES`, :data:`CELLS`).

    Nothing a caller does changes a SAM: :attr:`frame` is a copy, the values
    are a read-only array, and :meth:`balance` returns a new SAM.

    Examples
    --------
    >>> import pandas as pd
    >>> acc = ["g", "L", "H", "G", "I", "W"]
    >>> T = pd.DataFrame(0.0, index=acc, columns=acc)
    >>> T.loc["g", "H"], T.loc["L", "g"], T.loc["H", "L"] = 80.0, 100.0, 100.0
    >>> T.loc["I", "H"], T.loc["g", "I"] = 20.0, 20.0
    >>> sam = SAM.from_frame(T, goods=["g"], factors=["L"], households="H", government="G",
    ...                      investment="I", rest_of_world="W", unit="USD")
    >>> sam
    <SAM 'unnamed SAM' (USD): 6 accounts; 1 goods, 1 factors, 0 tax accounts; total 320>
    >>> sam.block("goods", "households")
    account_to     H
    account
    g           80.0
    """

    __slots__ = (
        "_T",
        "_accounts",
        "_balance_info",
        "_name",
        "_notes",
        "_prior",
        "_role_of",
        "_roles",
        "_source",
        "_tol",
        "_unit",
    )

    _T: np.ndarray
    _accounts: pd.Index
    _roles: frozendict
    _role_of: frozendict
    _unit: str
    _name: str
    _source: str
    _tol: float
    _notes: frozendict
    _prior: np.ndarray | None
    _balance_info: frozendict

    # ------------------------------------------------------------------ build
    def __init__(
        self,
        *,
        accounts: Sequence[str],
        values: np.ndarray,
        roles: Mapping[str, tuple[str, ...]],
        unit: str = "",
        name: str = "",
        source: str = "",
        tol: float = 1e-6,
        notes: Mapping[str, str] | None = None,
        prior: np.ndarray | None = None,
        balance_info: Mapping[str, Any] | None = None,
        check: bool = True,
    ) -> None:
        if not (isinstance(tol, int | float) and math.isfinite(tol) and tol >= 0):
            raise ValidationError(f"tol must be a finite non-negative number, got {tol!r}")
        acc = pd.Index(_labels(accounts, "accounts"), name=dims.ACCOUNT)
        if acc.has_duplicates:
            raise LabelError(f"duplicated account labels {acc[acc.duplicated()].unique().tolist()}")
        T = np.array(values, dtype=float, copy=True)
        if T.shape != (len(acc), len(acc)):
            raise ValidationError(f"values have shape {T.shape}, expected {(len(acc), len(acc))}")
        T.flags.writeable = False
        set_ = object.__setattr__
        set_(self, "_accounts", acc)
        set_(self, "_T", T)
        set_(self, "_unit", str(unit))
        set_(self, "_name", str(name) or "unnamed SAM")
        set_(self, "_source", str(source))
        set_(self, "_tol", float(tol))
        set_(self, "_notes", frozendict({str(k): str(v) for k, v in (notes or {}).items()}))
        if prior is not None:
            prior = np.array(prior, dtype=float, copy=True)
            if prior.shape != T.shape:
                raise ValidationError(f"prior has shape {prior.shape}, expected {T.shape}")
            prior.flags.writeable = False
        set_(self, "_prior", prior)
        set_(self, "_balance_info", frozendict(balance_info or {}))
        self._set_roles(roles)
        self._validate_cells()
        if check:
            self.check()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"SAM is immutable: cannot set {name!r}; build a new SAM instead")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"SAM is immutable: cannot delete {name!r}")

    def _set_roles(self, roles: Mapping[str, tuple[str, ...]]) -> None:
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            raise LabelError(f"unknown role(s) {unknown}; valid roles are {list(ROLES)}")
        have = set(self._accounts)
        role_of: dict[str, str] = {}
        full: dict[str, tuple[str, ...]] = {}
        for role in ROLES:
            labels = tuple(roles.get(role, ()))
            if role in SINGLE_ROLES and len(labels) != 1:
                raise LabelError(f"role {role!r} needs exactly one account, got {list(labels)}")
            if role in ("goods", "factors") and not labels:
                raise LabelError(f"role {role!r} needs at least one account")
            dup = sorted({x for x in labels if labels.count(x) > 1})
            if dup:
                raise LabelError(f"role {role!r} lists account(s) {dup} more than once")
            missing = [x for x in labels if x not in have]
            if missing:
                raise LabelError(
                    f"role {role!r} names account(s) {missing} that the matrix does not have; "
                    f"its accounts are {_show(self._accounts)}"
                )
            for x in labels:
                if x in role_of:
                    raise LabelError(f"account {x!r} has two roles: {role_of[x]!r} and {role!r}")
                role_of[x] = role
            full[role] = labels
        no_role = [x for x in self._accounts if x not in role_of]
        if no_role:
            raise LabelError(f"account(s) {no_role} have no role; give each one of {list(ROLES)}")
        object.__setattr__(self, "_roles", frozendict(full))
        object.__setattr__(self, "_role_of", frozendict(role_of))

    def _roles_vector(self) -> np.ndarray:
        return np.array([self._role_of[a] for a in self._accounts], dtype=object)

    def _rule_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """Boolean masks: cells a model reads, and cells that must be non-negative."""
        r = self._roles_vector()
        n = len(r)
        readable = np.zeros((n, n), dtype=bool)
        nonneg = np.zeros((n, n), dtype=bool)
        for (rr, cr), cell in _CELL_RULE.items():
            if (rr, cr) == ("government", "households") and self._roles["direct_taxes"]:
                continue
            m = np.outer(r == rr, r == cr)
            readable |= m
            if cell.sign == "nonnegative":
                nonneg |= m
        return readable, nonneg

    def _validate_cells(self) -> None:
        T, acc = self._T, self._accounts
        if not np.isfinite(T).all():
            bad = np.argwhere(~np.isfinite(T))
            i, j = bad[0]
            raise ValidationError(
                f"SAM {self._name!r}: {len(bad)} NaN or infinite cell(s), first ({acc[i]!r}, {acc[j]!r}) = {T[i, j]}"
            )
        readable, nonneg = self._rule_masks()
        outside = (T != 0.0) & ~readable
        if outside.any():
            i, j = np.argwhere(outside)[0]
            ri, rj = self._role_of[acc[i]], self._role_of[acc[j]]
            may = sorted(
                {c.row for c in CELLS if c.col == rj}
                - ({"government"} if rj == "households" and self._roles["direct_taxes"] else set())
            )
            extra = (
                " (households pay the government directly only when there are no direct_taxes accounts)"
                if (ri, rj) == ("government", "households")
                else ""
            )
            raise ValidationError(
                f"SAM {self._name!r}: cell ({acc[i]!r}, {acc[j]!r}) = {T[i, j]:.10g} cannot be interpreted: "
                f"{rj} ({acc[j]!r}) paying {ri} ({acc[i]!r}){extra}; the column of {rj} may pay only {may} "
                f"({int(outside.sum())} such cell(s))"
            )
        neg = nonneg & (T < 0.0)
        if neg.any():
            i, j = np.argwhere(neg)[0]
            cell = _CELL_RULE[(self._role_of[acc[i]], self._role_of[acc[j]])]
            raise ValidationError(
                f"SAM {self._name!r}: cell ({acc[i]!r}, {acc[j]!r}) = {T[i, j]:.10g} is negative, but {cell.meaning} "
                f"({cell.row} x {cell.col}) must be non-negative ({int(neg.sum())} such cell(s))"
            )

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        goods: Iterable[str],
        factors: Iterable[str],
        households: str,
        government: str,
        investment: str,
        rest_of_world: str,
        production_taxes: Iterable[str] = (),
        tariffs: Iterable[str] = (),
        factor_taxes: Iterable[str] = (),
        direct_taxes: Iterable[str] = (),
        consumption_taxes: Iterable[str] = (),
        unit: str = "",
        name: str = "",
        source: str = "",
        tol: float = 1e-6,
        notes: Mapping[str, str] | None = None,
        check: bool = True,
    ) -> SAM:
        """A SAM from a square :class:`pandas.DataFrame` and the role of every account.

        Parameters
        ----------
        frame
            Square matrix, receipts in rows, payments in columns; the same
            labels (strings) on both axes, in any order (columns are put in the
            order of the rows).
        goods, factors, production_taxes, tariffs, factor_taxes, direct_taxes, consumption_taxes
            Accounts of each list role (module docstring); ``direct_taxes=()``
            means households pay the government directly (one cell).
        households, government, investment, rest_of_world
            The one account of each of these roles.
        unit
            Money unit of every cell, e.g. ``"thousand KZT"``.
        name, source
            Short name and where the figures come from.
        tol
            Largest relative gap between an account's row and column totals,
            relative to the larger of the two (or to the largest account
            total, for accounts near zero).
        notes
            Free-form provenance notes (assumptions and their sources).
        check
            Also check the balance (``False`` builds an unbalanced SAM to
            pass to :meth:`balance`; every other rule is always checked).

        Raises
        ------
        LabelError
            Not a square frame with the same labels on both axes, duplicated
            labels, an account with no role or two roles, a role naming an
            account the frame lacks (each message names the account).
        ValidationError
            A NaN or infinite cell, a cell outside :data:`CELLS`, a negative
            cell where the sign rule forbids it (each names the cell), row and
            column totals that differ beyond ``tol`` (names the account and
            both totals).
        """
        if not isinstance(frame, pd.DataFrame):
            raise ValidationError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
        rows = _labels(frame.index, "rows")
        cols = _labels(frame.columns, "columns")
        for what, labels in (("row", rows), ("column", cols)):
            seen: set[str] = set()
            dup = sorted({x for x in labels if x in seen or seen.add(x)})  # type: ignore[func-returns-value]
            if dup:
                raise LabelError(f"duplicated {what} label(s) {dup}")
        if frame.shape[0] != frame.shape[1] or set(rows) != set(cols):
            only_r = [x for x in rows if x not in set(cols)]
            only_c = [x for x in cols if x not in set(rows)]
            raise LabelError(
                f"a SAM must be square with the same accounts in rows and columns; shape {frame.shape}, "
                f"account(s) only in rows {only_r}, only in columns {only_c}"
            )
        try:
            values = frame.reindex(columns=list(rows)).to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"the SAM holds non-numeric values: {exc}") from None
        roles: dict[str, tuple[str, ...]] = {
            "goods": _role_tuple(goods, "goods"),
            "factors": _role_tuple(factors, "factors"),
            "production_taxes": _role_tuple(production_taxes, "production_taxes"),
            "tariffs": _role_tuple(tariffs, "tariffs"),
            "factor_taxes": _role_tuple(factor_taxes, "factor_taxes"),
            "direct_taxes": _role_tuple(direct_taxes, "direct_taxes"),
            "consumption_taxes": _role_tuple(consumption_taxes, "consumption_taxes"),
        }
        for role, acct in (
            ("households", households),
            ("government", government),
            ("investment", investment),
            ("rest_of_world", rest_of_world),
        ):
            if not isinstance(acct, str):
                raise LabelError(f"role {role!r} takes one account label (a string), got {acct!r}")
            roles[role] = (acct,)
        return cls(
            accounts=rows,
            values=values,
            roles=roles,
            unit=unit,
            name=name,
            source=source,
            tol=tol,
            notes=notes,
            check=check,
        )

    @classmethod
    def read_csv(cls, path: str | Path, **roles: Any) -> SAM:
        """Read a SAM from a CSV file: row labels in the first column, column labels in the header.

        Labels are read as text (``"01"`` stays ``"01"``); an empty cell is a
        zero (the usual way SAMs are printed), while ``nan`` or ``inf`` is
        refused. Roles and the other keywords are those of :meth:`from_frame`.

        Raises
        ------
        ReadError
            The file cannot be read.
        """
        from ..errors import ReadError

        try:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, index_col=0)
        except (OSError, ValueError) as exc:
            raise ReadError(f"{path}: cannot read a SAM ({exc})") from None
        return cls.from_frame(cls._numeric(raw, str(path)), **roles)

    @classmethod
    def read_excel(cls, path: str | Path, sheet: str | int = 0, **roles: Any) -> SAM:
        """Read a SAM from a sheet of an Excel workbook (layout of :meth:`read_csv`).

        Parameters
        ----------
        path
            The workbook.
        sheet
            Sheet name or position.
        **roles
            Roles and the other keywords of :meth:`from_frame`.
        """
        from ..errors import ReadError

        try:
            raw = pd.read_excel(path, sheet_name=sheet, dtype=object, index_col=0, header=0)
        except (OSError, ValueError, KeyError) as exc:
            raise ReadError(f"{path}: cannot read sheet {sheet!r} ({exc})") from None
        raw.index = [str(x) for x in raw.index]
        raw.columns = [str(x) for x in raw.columns]
        raw = raw.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
        return cls.from_frame(cls._numeric(raw, f"{path}[{sheet}]"), **roles)

    @staticmethod
    def _numeric(raw: pd.DataFrame, where: str) -> pd.DataFrame:
        """Text cells to floats: empty is 0; anything else must parse."""

        def num(v: str, r: str, c: str) -> float:
            s = v.strip()
            if not s:
                return 0.0
            try:
                return float(s)
            except ValueError:
                raise ValidationError(f"{where}: cell ({r!r}, {c!r}) = {v!r} is not a number") from None

        out = pd.DataFrame(
            [
                [num(raw.iat[i, j], raw.index[i], raw.columns[j]) for j in range(raw.shape[1])]
                for i in range(raw.shape[0])
            ],
            index=[str(x) for x in raw.index],
            columns=[str(x) for x in raw.columns],
        )
        return out

    def to_csv(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write the matrix to CSV (the layout :meth:`read_csv` reads); return the path.

        An existing file is replaced only with ``overwrite=True`` (:func:`iomodel.files.atomic_write`).
        """
        from ..files import atomic_write

        return atomic_write(Path(path), lambda p: self.frame.to_csv(p), overwrite=overwrite)

    def to_excel(self, path: str | Path, sheet: str = "SAM", *, overwrite: bool = False) -> Path:
        """Write the matrix to a sheet of a new workbook (the layout :meth:`read_excel` reads).

        An existing file is replaced only with ``overwrite=True`` (:func:`iomodel.files.atomic_write`).
        """
        from ..files import atomic_write

        return atomic_write(Path(path), lambda p: self.frame.to_excel(p, sheet_name=sheet), overwrite=overwrite)

    # ------------------------------------------------------------- accessors
    @property
    def accounts(self) -> pd.Index:
        """Account labels (rows and columns, same order)."""
        return self._accounts

    @property
    def frame(self) -> pd.DataFrame:
        """The matrix as a new :class:`pandas.DataFrame` (``account`` x ``account_to``); a copy."""
        return pd.DataFrame(self._T.copy(), index=self._accounts.copy(), columns=self._accounts.rename(dims.ACCOUNT_TO))

    @property
    def values(self) -> np.ndarray:
        """The matrix as a read-only numpy array (no copy), in the order of :attr:`accounts`."""
        return self._T

    def value(self, row: str, col: str) -> float:
        """The cell ``(row, col)``: what ``row`` receives from ``col``.

        Raises
        ------
        LabelError
            An unknown account (the message lists the accounts).
        """
        return float(self._T[self._pos(row), self._pos(col)])

    def _pos(self, account: str) -> int:
        try:
            return int(self._accounts.get_loc(account))
        except KeyError:
            raise LabelError(
                f"SAM {self._name!r} has no account {account!r}; accounts are {_show(self._accounts)}"
            ) from None

    @property
    def row_totals(self) -> pd.Series:
        """Receipts of every account (row sums)."""
        return pd.Series(self._T.sum(axis=1), index=self._accounts, name="row_total")

    @property
    def col_totals(self) -> pd.Series:
        """Payments of every account (column sums)."""
        return pd.Series(self._T.sum(axis=0), index=self._accounts, name="column_total")

    def totals(self) -> pd.DataFrame:
        """Row and column totals of every account with the gap and the relative gap.

        The relative gap is ``|row - column|`` over the larger total (the
        largest account total for an account of zero size), the quantity
        :meth:`check` compares with ``tol``.
        """
        r, c = self._T.sum(axis=1), self._T.sum(axis=0)
        return pd.DataFrame(
            {
                "role": [self._role_of[a] for a in self._accounts],
                "row_total": r,
                "column_total": c,
                "gap": r - c,
                "relative_gap": np.abs(r - c) / self._scale(r, c),
            },
            index=self._accounts,
        )

    @staticmethod
    def _scale(r: np.ndarray, c: np.ndarray) -> np.ndarray:
        size = np.maximum(np.abs(r), np.abs(c))
        return np.maximum(size, max(float(size.max(initial=0.0)), 1e-300) * 1e-12)

    @property
    def unit(self) -> str:
        """Money unit of every cell."""
        return self._unit

    @property
    def name(self) -> str:
        """Short name."""
        return self._name

    @property
    def source(self) -> str:
        """Where the figures come from."""
        return self._source

    @property
    def tol(self) -> float:
        """Relative tolerance of the balance check."""
        return self._tol

    @property
    def notes(self) -> Mapping[str, str]:
        """Provenance notes: assumptions, parameters and their sources (read-only)."""
        return self._notes

    @property
    def roles(self) -> Mapping[str, tuple[str, ...]]:
        """Accounts of every role (read-only; single roles as one-element tuples)."""
        return self._roles

    def role_of(self, account: str) -> str:
        """The role of an account."""
        self._pos(account)
        return str(self._role_of[account])

    goods = property(lambda self: self._roles["goods"], doc="Commodity = activity accounts.")
    factors = property(lambda self: self._roles["factors"], doc="Factor accounts.")
    production_taxes = property(lambda self: self._roles["production_taxes"], doc="Production-tax accounts.")
    tariffs = property(lambda self: self._roles["tariffs"], doc="Import-duty accounts.")
    factor_taxes = property(lambda self: self._roles["factor_taxes"], doc="Factor-tax accounts.")
    direct_taxes = property(lambda self: self._roles["direct_taxes"], doc="Direct-tax accounts (may be empty).")
    consumption_taxes = property(lambda self: self._roles["consumption_taxes"], doc="Consumption-tax accounts.")
    households = property(lambda self: self._roles["households"][0], doc="The households account.")
    government = property(lambda self: self._roles["government"][0], doc="The government account.")
    investment = property(lambda self: self._roles["investment"][0], doc="The savings-investment account.")
    rest_of_world = property(lambda self: self._roles["rest_of_world"][0], doc="The rest-of-the-world account.")

    @property
    def taxes(self) -> tuple[str, ...]:
        """Every tax account, in the order of :data:`TAX_ROLES`."""
        return tuple(a for r in TAX_ROLES for a in self._roles[r])

    def _expand(self, key: str | Iterable[str]) -> list[str]:
        """Account labels for an account, a role name or a list of either."""
        if isinstance(key, str):
            if key in self._role_of:
                return [key]
            if key in self._roles:
                return list(self._roles[key])
            raise LabelError(
                f"SAM {self._name!r} has no account or role {key!r}; roles are {list(ROLES)}, "
                f"accounts {_show(self._accounts)}"
            )
        return [a for k in key for a in self._expand(k)]

    def block(self, rows: str | Iterable[str], cols: str | Iterable[str]) -> pd.DataFrame:
        """The cells of some rows and columns, given as accounts or role names (a copy).

        Examples
        --------
        >>> SAM.hosoe_standard().block("factors", "goods")
        account_to   BRD   MLK
        account
        CAP         20.0  30.0
        LAB         15.0  25.0
        """
        r = [self._pos(a) for a in self._expand(rows)]
        c = [self._pos(a) for a in self._expand(cols)]
        return pd.DataFrame(
            self._T[np.ix_(r, c)],
            index=pd.Index(self._accounts[r], name=dims.ACCOUNT),
            columns=pd.Index(self._accounts[c], name=dims.ACCOUNT_TO),
        )

    @property
    def adjustments(self) -> pd.DataFrame:
        """Every cell :meth:`balance` changed: ``row``, ``col``, ``before``, ``after``, ``change``, ``relative_change``.

        Sorted by the size of the change; empty for a SAM that was not
        balanced by :meth:`balance` (or needed no change). ``attrs`` hold the
        weights, the objective value and the unit.
        """
        cols = ["row", "col", "before", "after", "change", "relative_change"]
        if self._prior is None:
            out = pd.DataFrame({c: pd.Series(dtype=object if c in ("row", "col") else float) for c in cols})
        else:
            d = self._T - self._prior
            scale = max(float(np.abs(self._prior).max(initial=0.0)), 1e-300)
            i, j = np.nonzero(np.abs(d) > 1e-13 * scale)
            before, after = self._prior[i, j], self._T[i, j]
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.where(before != 0.0, (after - before) / np.abs(before), np.nan)
            out = pd.DataFrame(
                {
                    "row": self._accounts[i].to_numpy(dtype=object),
                    "col": self._accounts[j].to_numpy(dtype=object),
                    "before": before,
                    "after": after,
                    "change": after - before,
                    "relative_change": rel,
                }
            )
            size = np.abs(out["change"].to_numpy())
            key = np.round(size / max(float(size.max(initial=0.0)), 1e-300), 9)  # ties in matrix order
            out = out.iloc[np.lexsort((np.arange(len(out)), -key))].reset_index(drop=True)
        out.attrs = {"unit": self._unit, **dict(self._balance_info)}
        return out

    def __repr__(self) -> str:
        return (
            f"<SAM {self._name!r} ({self._unit or 'no unit'}): {len(self._accounts)} accounts; "
            f"{len(self.goods)} goods, {len(self.factors)} factors, {len(self.taxes)} tax accounts; "
            f"total {self._T.sum():.10g}>"
        )

    def equals(self, other: SAM, *, rtol: float = 0.0) -> bool:
        """Whether two SAMs have the same accounts, roles and cells (to ``rtol``), unit and name."""
        return (
            isinstance(other, SAM)
            and self._accounts.equals(other._accounts)
            and dict(self._roles) == dict(other._roles)
            and self._unit == other._unit
            and self._name == other._name
            and bool(np.allclose(self._T, other._T, rtol=rtol, atol=0.0))
        )

    # --------------------------------------------------------------- checks
    def check(self, tol: float | None = None) -> SAM:
        """Verify that every account's row total equals its column total; return the SAM.

        Parameters
        ----------
        tol
            Relative tolerance (default the SAM's :attr:`tol`).

        Raises
        ------
        ValidationError
            Names the account with the largest relative gap, both totals and
            how many accounts fail.

        Examples
        --------
        >>> import pandas as pd
        >>> T = SAM.hosoe_standard().frame
        >>> T.loc["INV", "HOH"] = 18.0
        >>> roles = dict(goods=["BRD", "MLK"], factors=["CAP", "LAB"], production_taxes=["IDT"],
        ...              tariffs=["TRF"], households="HOH", government="GOV", investment="INV",
        ...              rest_of_world="EXT")
        >>> SAM.from_frame(T, **roles)
        Traceback (most recent call last):
        ...
        iomodel.errors.ValidationError: SAM 'unnamed SAM' is unbalanced: account 'INV' (investment) receives 32
        but pays 31 (relative gap 0.03125 > tol 1e-06); 2 account(s) fail
        """
        tol = self._tol if tol is None else float(tol)
        t = self.totals()
        rel = t["relative_gap"].to_numpy()
        fail = rel > tol
        if fail.any():
            k = int(np.argmax(rel))
            a = self._accounts[k]
            raise ValidationError(
                f"SAM {self._name!r} is unbalanced: account {a!r} ({self._role_of[a]}) receives "
                f"{t['row_total'].iloc[k]:.12g} but pays {t['column_total'].iloc[k]:.12g} (relative gap "
                f"{rel[k]:.4g} > tol {tol:g}); {int(fail.sum())} account(s) fail"
            )
        return self

    # ------------------------------------------------------------ balancing
    def _cell_mask(self, cells: Iterable[tuple[str, str]] | pd.DataFrame, what: str) -> np.ndarray:
        """A boolean mask from ``(row, col)`` pairs of accounts or role names, or a boolean frame."""
        n = len(self._accounts)
        if isinstance(cells, pd.DataFrame):
            m = cells.reindex(index=self._accounts, columns=self._accounts).fillna(False)
            return np.asarray(m.to_numpy(dtype=bool))
        out = np.zeros((n, n), dtype=bool)
        for pair in cells:
            if isinstance(pair, str) or len(pair) != 2:
                raise ValidationError(f"{what} cells are (row, col) pairs, got {pair!r}")
            r = [self._pos(a) for a in self._expand(pair[0])]
            c = [self._pos(a) for a in self._expand(pair[1])]
            out[np.ix_(r, c)] = True
        return out

    def balance(
        self,
        *,
        fixed: Iterable[tuple[str, str]] | pd.DataFrame = (),
        free: Iterable[tuple[str, str]] | pd.DataFrame | None = None,
        weights: Weights = "relative",
        solver: Solver = "auto",
        options: Mapping[str, Any] | None = None,
    ) -> SAM:
        r"""A balanced SAM close to this one by weighted least squares (QP solved by HiGHS).

        Solves the problem of the module docstring with
        :func:`least_squares_balance`: only nonzero cells that are not
        ``fixed`` change (zero cells are structural zeros), the sign rules of
        :data:`CELLS` hold, and every account's receipts equal its payments.

        Parameters
        ----------
        fixed
            Cells kept as they are: ``(row, col)`` pairs, each an account or a
            role name (``("goods", "goods")`` fixes the whole intermediate
            block), or a boolean frame over the accounts.
        free
            If given, only these cells may change (same forms as ``fixed``);
            every other cell is fixed.
        weights
            ``"relative"`` (default, :math:`w = |T^0|`: each cell moves in
            proportion to its size), ``"uniform"`` (:math:`w = 1`: absolute
            changes) or a frame of positive reliability weights (larger moves
            more).
        solver
            ``"auto"`` (default), ``"highs"`` or ``"newton"``: see
            :func:`least_squares_balance`.
        options
            HiGHS options.

        Returns
        -------
        SAM
            A new SAM, checked to :attr:`tol`; :attr:`adjustments` reports
            every changed cell against this one (its ``attrs`` say which
            solver ran).

        Raises
        ------
        InfeasibleError
            The fixed cells and sign rules admit no balanced matrix (names the
            accounts).
        SolverError
            HiGHS fails, or its solution does not pass :meth:`check`.

        Examples
        --------
        Household savings in the Hosoe SAM raised from 17 to 18 unbalance
        households and investment. Letting only household savings, the direct
        tax and government savings move, households' budget gives
        ``GOV,HOH + INV,HOH = 40`` and the government's ``INV,GOV = GOV,HOH - 21``:
        one degree of freedom :math:`x = T_{GOV,HOH}`, and minimising
        :math:`(22 - x)^2/18 + (x - 23)^2/23 + (x - 23)^2/2` gives
        :math:`x = 23 - 1/(18 (1/18 + 1/23 + 1/2)) = 22.9073`:

        >>> T = SAM.hosoe_standard().frame
        >>> T.loc["INV", "HOH"] = 18.0
        >>> roles = dict(goods=["BRD", "MLK"], factors=["CAP", "LAB"], production_taxes=["IDT"],
        ...              tariffs=["TRF"], households="HOH", government="GOV", investment="INV",
        ...              rest_of_world="EXT")
        >>> prior = SAM.from_frame(T, check=False, **roles)
        >>> sam = prior.balance(free=[("INV", "HOH"), ("GOV", "HOH"), ("INV", "GOV")])
        >>> sam.adjustments.round(4)
           row  col  before    after  change  relative_change
        0  INV  HOH    18.0  17.0927 -0.9073          -0.0504
        1  GOV  HOH    23.0  22.9073 -0.0927          -0.0040
        2  INV  GOV     2.0   1.9073 -0.0927          -0.0464
        """
        fm = self._cell_mask(fixed, "fixed")
        if free is not None:
            fm |= ~self._cell_mask(free, "free")
        if isinstance(weights, pd.DataFrame):
            w = weights.reindex(index=self._accounts, columns=self._accounts).to_numpy(dtype=float)
            how = "given"
        elif weights == "relative":
            w = np.abs(self._T)
            how = "relative"
        elif weights == "uniform":
            w = np.ones_like(self._T)
            how = "uniform"
        else:
            raise ValidationError(f"weights must be 'relative', 'uniform' or a DataFrame, got {weights!r}")
        movable = (self._T != 0.0) & ~fm
        _, nonneg = self._rule_masks()
        run: dict[str, Any] = {}
        T, obj = least_squares_balance(
            self._T,
            free=movable,
            nonnegative=nonneg,
            weights=w,
            labels=list(self._accounts),
            solver=solver,
            options=options,
            info=run,
        )
        new = SAM(
            accounts=list(self._accounts),
            values=T,
            roles=self._roles,
            unit=self._unit,
            name=self._name,
            source=self._source,
            tol=self._tol,
            notes=self._notes,
            prior=self._T,
            balance_info={"weights": how, "objective": obj, **run},
            check=False,
        )
        try:
            return new.check()
        except ValidationError as exc:
            raise SolverError(f"the balanced matrix fails its check: {exc}") from None

    # -------------------------------------------------------------- export
    def to_dataset(self) -> xr.Dataset:
        """The SAM as an :class:`xarray.Dataset` (for netCDF interchange).

        ``flows`` (``account`` x ``account_to``) holds the matrix and, for a
        SAM made by :meth:`balance`, ``prior`` the matrix before balancing;
        the coordinates ``role`` and ``role_to`` give each account's role;
        ``attrs`` hold the name, unit, source, tolerance, notes (JSON) and the
        balancing record (JSON). :meth:`from_dataset` reads it back.

        Examples
        --------
        >>> ds = SAM.hosoe_standard().to_dataset()
        >>> ds.flows.dims, ds.flows.attrs["units"]
        (('account', 'account_to'), 'value units (benchmark prices 1)')
        >>> ds.flows.sel(account="HOH", account_to="CAP").item()
        50.0
        """
        import xarray as xr

        acc = self._accounts.to_numpy(dtype=str)
        roles = np.array([self._role_of[a] for a in self._accounts], dtype=str)
        money = {"units": self._unit or "unspecified"}
        data: dict[str, Any] = {"flows": ((dims.ACCOUNT, dims.ACCOUNT_TO), np.array(self._T), money)}
        if self._prior is not None:
            data["prior"] = ((dims.ACCOUNT, dims.ACCOUNT_TO), np.array(self._prior), money)
        return xr.Dataset(
            data,
            coords={
                dims.ACCOUNT: acc,
                dims.ACCOUNT_TO: acc,
                "role": (dims.ACCOUNT, roles),
                "role_to": (dims.ACCOUNT_TO, roles),
            },
            attrs={
                "name": self._name,
                "unit": self._unit,
                "source": self._source,
                "tol": self._tol,
                "notes": json.dumps(dict(self._notes), ensure_ascii=False),
                "balance": json.dumps(dict(self._balance_info)),
                "roles": json.dumps({r: list(v) for r, v in self._roles.items()}, ensure_ascii=False),
            },
        )

    @classmethod
    def from_dataset(cls, ds: xr.Dataset) -> SAM:
        """Read back a SAM written by :meth:`to_dataset` (e.g. after a netCDF round trip)."""
        try:
            acc = [str(a) for a in ds[dims.ACCOUNT].to_numpy()]
            roles = {r: tuple(v) for r, v in json.loads(str(ds.attrs["roles"])).items()}
            T = ds["flows"].transpose(dims.ACCOUNT, dims.ACCOUNT_TO).to_numpy()
        except (KeyError, ValueError) as exc:
            raise ValidationError(f"not a SAM dataset (written by SAM.to_dataset): {exc}") from None
        prior = ds["prior"].transpose(dims.ACCOUNT, dims.ACCOUNT_TO).to_numpy() if "prior" in ds else None
        return cls(
            accounts=acc,
            values=T,
            roles=roles,
            unit=str(ds.attrs.get("unit", "")),
            name=str(ds.attrs.get("name", "")),
            source=str(ds.attrs.get("source", "")),
            tol=float(ds.attrs.get("tol", 1e-6)),
            notes=json.loads(str(ds.attrs.get("notes", "{}"))),
            prior=prior,
            balance_info=json.loads(str(ds.attrs.get("balance", "{}"))),
        )

    # ------------------------------------------------------------ datasets
    @classmethod
    def hosoe_standard(cls) -> SAM:
        """The SAM of the standard CGE model of Hosoe, Gasawa & Hashimoto (2010), as printed.

        Two goods (``BRD`` bread, ``MLK`` milk), two factors (``CAP``,
        ``LAB``), a production tax ``IDT`` and a tariff ``TRF`` paid by the
        goods, households ``HOH``, government ``GOV``, savings-investment
        ``INV`` and the rest of the world ``EXT``. The direct tax (23) is paid
        by households straight to the government, without a tax account
        (``direct_taxes=()``). Source: :data:`HOSOE_SOURCE` (the book, ch. 5-6,
        and the GAMS Model Library model STDCGE, whose SAM is the same).

        Examples
        --------
        >>> sam = SAM.hosoe_standard()
        >>> sam.frame.astype(int)  # doctest: +NORMALIZE_WHITESPACE
        account_to  BRD  MLK  CAP  LAB  IDT  TRF  HOH  GOV  INV  EXT
        account
        BRD          21    8    0    0    0    0   20   19   16    8
        MLK          17    9    0    0    0    0   30   14   15    4
        CAP          20   30    0    0    0    0    0    0    0    0
        LAB          15   25    0    0    0    0    0    0    0    0
        IDT           5    4    0    0    0    0    0    0    0    0
        TRF           1    2    0    0    0    0    0    0    0    0
        HOH           0    0   50   40    0    0    0    0    0    0
        GOV           0    0    0    0    9    3   23    0    0    0
        INV           0    0    0    0    0    0   17    2    0   12
        EXT          13   11    0    0    0    0    0    0    0    0
        """
        acc = ["BRD", "MLK", "CAP", "LAB", "IDT", "TRF", "HOH", "GOV", "INV", "EXT"]
        cells = {
            "BRD": {"BRD": 21, "MLK": 8, "HOH": 20, "GOV": 19, "INV": 16, "EXT": 8},
            "MLK": {"BRD": 17, "MLK": 9, "HOH": 30, "GOV": 14, "INV": 15, "EXT": 4},
            "CAP": {"BRD": 20, "MLK": 30},
            "LAB": {"BRD": 15, "MLK": 25},
            "IDT": {"BRD": 5, "MLK": 4},
            "TRF": {"BRD": 1, "MLK": 2},
            "HOH": {"CAP": 50, "LAB": 40},
            "GOV": {"IDT": 9, "TRF": 3, "HOH": 23},
            "INV": {"HOH": 17, "GOV": 2, "EXT": 12},
            "EXT": {"BRD": 13, "MLK": 11},
        }
        T = pd.DataFrame(0.0, index=acc, columns=acc)
        for r, row in cells.items():
            for c, v in row.items():
                T.loc[r, c] = float(v)
        return cls.from_frame(
            T,
            goods=["BRD", "MLK"],
            factors=["CAP", "LAB"],
            production_taxes=["IDT"],
            tariffs=["TRF"],
            households="HOH",
            government="GOV",
            investment="INV",
            rest_of_world="EXT",
            unit="value units (benchmark prices 1)",
            name="Hosoe, Gasawa & Hashimoto (2010) standard model",
            source=HOSOE_SOURCE,
            tol=1e-12,
        )

    @classmethod
    def from_table(
        cls,
        table: IOTable,
        *,
        economy: Economy | None = None,
        final_demand: Mapping[str, str] | None = None,
        value_added: Mapping[str, tuple[str, str]] | None = None,
        taxes: Mapping[str, tuple[str, ...]] | None = None,
        consumption_taxes: Mapping[str, float] | None = None,
        tariff_rate: float | Mapping[str, float] = 0.01,
        export_taxes: Mapping[str, float] | pd.Series | None = None,
        factor_income_abroad: Mapping[str, float] | None = None,
        transfers: float = 0.04,
        household_saving: float | None = None,
        foreign_savings: float | None = None,
        net_stock_drawdowns: bool = True,
        weights: Weights = "relative",
        name: str | None = None,
        tol: float = 1e-6,
    ) -> SAM:
        r"""The social accounting matrix of a symmetric input-output table at basic prices.

        Goods are the table's products (commodity = activity); the table's cells
        enter as follows (docs/cge_sam.md):

        * **goods x goods**: domestic plus imported intermediate use, bought as
          one composite commodity, plus the import duty on the imported part;
          **goods x final users**: domestic plus imported final use by category
          (``final_demand`` maps categories to households, government,
          investment, rest of the world), plus the duty on the imported part;
        * **goods columns** pay their factors (``value_added``), production taxes
          (net product taxes on their intermediate inputs less the duties now in
          the composite price, other taxes on production, and the table's tax
          rows of role ``production_taxes``, each out of the value-added
          component it is part of), the import duty on their imports
          (``tariff_rate`` times imports) and the rest of the world for their
          imports. So goods row total = column total = output at basic prices +
          imports + import duties (+ ``export_taxes``, which raise the export
          row and are paid as a production tax);
        * **factor taxes** are paid by the factor columns, **direct taxes** and
          **consumption taxes** (``consumption_taxes`` rates times household
          consumption, domestic plus imported, at basic prices) by households;
          each tax account pays the government;
        * the institutional flows the table lacks are assumptions (parameters):
          factor income paid abroad, transfers, and the savings of households,
          government and the rest of the world. By default each saving is the
          residual of its account, so the matrix balances by construction; a
          prior for ``household_saving`` or ``foreign_savings`` makes it
          unbalanced, and :meth:`SAM.balance` reconciles it keeping every cell
          that comes from the table or the tax data fixed (only factor income of
          households and abroad, transfers and savings move). The report is
          :attr:`SAM.adjustments`.

        Parameters
        ----------
        table
            A table with an import-use matrix (or no imports).
        economy
            Facts used: the household closure's ``consumption`` category and
            ``consumption_taxes`` rates. Default the table's economy.
        final_demand
            Category -> ``"households"``, ``"government"``, ``"investment"`` or
            ``"rest_of_world"``; default :data:`DEFAULT_FINAL_DEMAND`.
        value_added
            Component -> ``(role, account)``; default :data:`DEFAULT_VALUE_ADDED`.
        taxes
            Tax row -> treatment; default :data:`DEFAULT_TAXES` (its docstring
            says why each tax goes where it does).
        consumption_taxes
            Rates on household consumption at basic prices (domestic plus
            imported) by tax; one account each. Default the economy's
            ``closure.consumption_taxes`` (Kazakhstan 2024: VAT 4.10% and excise
            0.67%, 2024 revenue attributed to household consumption in the
            table's provenance).
        tariff_rate
            Import duty per unit of imports (CIF), one rate or a mapping by good
            (goods not named pay none). Default 0.01, an **assumption**: the
            shipped revenue data have no customs series and the table has no duty
            row. It sits between what the budget keeps and what the Common
            Customs Tariff would give: the EAEU pools import duties and credits
            Kazakhstan 7.055% of the pool (the economy's
            ``customs_pooling_share``), imports from the other members pay none,
            and the table's product taxes on domestic use already match VAT plus
            excise revenue within 1.1%, so the duties inside them cannot be
            large. Replace it with the State Revenue Committee's customs receipts
            over imports when at hand.
        export_taxes
            Product taxes on exports by good (amounts, the table's unit): an
            ``export_taxes`` production tax paid by the good, with exports valued
            at basic prices plus the tax (as the rest of the world pays them).
            Default none: a basic-price table does not hold them (Kazakhstan
            2024: 2.33 trillion KZT, 2.10 of it on crude oil, in the Bureau's
            table 5, not shipped; see docs/cge_sam.md).
        factor_income_abroad
            Share of each factor's income, net of its factor taxes, paid to the
            rest of the world (net). Default ``{"CAP": 0.10}``, an
            **assumption**: non-resident direct investors own much of the oil and
            mining capital, and 10% of after-tax capital income with the table's
            trade surplus leaves foreign savings (a current-account deficit) of
            1.8% of GVA, 3.4% once stock drawdowns are netted from exports, the
            order of recent years; replace it with the National Bank's balance
            of payments (primary income).
        transfers
            Government transfers to households (pensions, social benefits) as a
            share of the table's gross value added. Default 0.04, an
            **assumption** of the order of the republican budget's social
            spending; replace with the budget execution report.
        household_saving
            Prior of household savings as a share of household income; default
            ``None``: the residual of the households account.
        foreign_savings
            Prior of foreign savings (the current-account deficit) as a share of
            gross value added; default ``None``: the residual of the rest of the
            world account.
        net_stock_drawdowns
            Where a good's inventories fall, the exports they supply are netted
            against the fall (both cells shrink by the smaller of the two; the
            goods row keeps its total, savings and foreign savings absorb the
            change). Default ``True``: the standard model produces exports from
            current output, and goods whose exports exceed their output because
            stocks were run down (Kazakhstan 2024: natural gas, apparel,
            leather, electronics, other manufactured goods) would have no
            domestic sales. The amounts moved are in the SAM's ``notes``.
        weights
            Weights of :meth:`SAM.balance`.
        name
            Name of the SAM; default ``"SAM of <table name>"``.
        tol
            Balance tolerance.

        Returns
        -------
        SAM
            Balanced, with every assumption in :attr:`SAM.notes`.

        Raises
        ------
        LabelError
            A category, component or tax row without a treatment, an unknown good
            in a by-good parameter, an account name used twice.
        ValidationError
            A table with a single imports row (imports by product unknown), a
            ``block`` tax row that differs from its block, a negative share or
            rate, a value-added component carved below zero.

        Examples
        --------
        >>> import iomodel as iom
        >>> sam = SAM.from_table(iom.datasets.kazakhstan())
        >>> len(sam.accounts), sam.factors, sam.factor_taxes, sam.direct_taxes, sam.consumption_taxes
        (85, ('LAB', 'CAP'), ('CIT', 'CIT_oil_sector'), ('PIT',), ('VAT', 'excise'))
        """
        return _sam_from_table(
            table,
            economy=economy,
            final_demand=final_demand,
            value_added=value_added,
            taxes=taxes,
            consumption_taxes=consumption_taxes,
            tariff_rate=tariff_rate,
            export_taxes=export_taxes,
            factor_income_abroad=factor_income_abroad,
            transfers=transfers,
            household_saving=household_saving,
            foreign_savings=foreign_savings,
            net_stock_drawdowns=net_stock_drawdowns,
            weights=weights,
            name=name,
            tol=tol,
        )


# --------------------------------------------------------------------------- from a table
#: Where each final-demand category of a table goes (``SAM.from_table(final_demand=...)``). Non-profit
#: institutions serving households go with the government: like government consumption they pay no
#: product taxes in a basic-price table and are non-market output financed by transfers, and keeping
#: them out of household consumption keeps that equal to the base of the calibrated consumption-tax rates.
DEFAULT_FINAL_DEMAND: Mapping[str, str] = frozendict(
    {
        "households": "households",
        "npish": "government",
        "government": "government",
        "gfcf": "investment",
        "inventories": "investment",
        "valuables": "investment",
        "exports": "rest_of_world",
    }
)

#: Where each value-added component goes: ``(role, account)``. Operating surplus (net or gross), mixed
#: income and consumption of fixed capital are capital income; other net taxes on production are a
#: production tax account of their own.
DEFAULT_VALUE_ADDED: Mapping[str, tuple[str, str]] = frozendict(
    {
        "compensation": ("factors", "LAB"),
        "consumption_of_fixed_capital": ("factors", "CAP"),
        "net_operating_surplus": ("factors", "CAP"),
        "gross_operating_surplus": ("factors", "CAP"),
        "mixed_income": ("factors", "CAP"),
        "other_value_added": ("factors", "CAP"),
        "other_taxes_on_production": ("production_taxes", "other_taxes_on_production"),
    }
)

#: How each tax row of a table's ``taxes`` block enters (``SAM.from_table(taxes=...)``):
#:
#: * ``("block",)``: the row repeats a block of the table already in the SAM (net product taxes on
#:   intermediate use; the other-taxes-on-production component) and is checked equal to it;
#: * ``("production_taxes", component)``: a production tax of each sector, paid out of the named
#:   value-added component (which is lowered by it), so the goods column total is unchanged;
#: * ``("factor_taxes", factor)``: paid by the factor's column out of its income (the sum over sectors);
#: * ``("direct_taxes",)``: paid by households out of their income;
#: * ``("omit",)``: left out of the SAM.
#:
#: The defaults name the tax rows of iomodel's tidy tables: CIT (also the oil sector's) is a tax on capital
#: income; PIT a direct tax; the social tax a production tax of the employing sector, out of
#: compensation (the employer pays it on the payroll of each sector, its calibration base is compensation,
#: and an SEZ package exempts it sector by sector, which a single tax on the labour factor could not
#: express); the oil sector's mineral extraction tax and the rent tax on crude oil exports production
#: taxes of the extracting sectors, out of net operating surplus (the table's other taxes on production of
#: crude oil, 338 billion KZT in 2024, are smaller than the two taxes, 1,104 billion, so they are not in
#: it).
DEFAULT_TAXES: Mapping[str, tuple[str, ...]] = frozendict(
    {
        "net_product_taxes": ("block",),
        "other_taxes_on_production": ("block",),
        "CIT": ("factor_taxes", "CAP"),
        "CIT_oil_sector": ("factor_taxes", "CAP"),
        "PIT": ("direct_taxes",),
        "social_tax": ("production_taxes", "compensation"),
        "MET_oil_sector": ("production_taxes", "net_operating_surplus"),
        "rent_tax_on_export_oil": ("production_taxes", "net_operating_surplus"),
    }
)

HOUSEHOLDS, GOVERNMENT, INVESTMENT, REST_OF_WORLD = "households", "government", "investment", "rest_of_world"
NET_PRODUCT_TAXES, IMPORT_DUTIES, EXPORT_TAXES = "net_product_taxes", "import_duties", "export_taxes"


def _by_good(value: float | Mapping[str, float] | pd.Series, goods: pd.Index, what: str) -> np.ndarray:
    """A number for every good: a scalar for all, or a mapping (goods not named get 0)."""
    if isinstance(value, int | float):
        out = np.full(len(goods), float(value))
    else:
        m = dict(value.items())
        unknown = [k for k in m if k not in set(goods)]
        if unknown:
            raise LabelError(f"{what} names unknown good(s) {unknown}; goods are {_show(goods)}")
        out = np.array([float(m.get(g, 0.0)) for g in goods])
    if not np.isfinite(out).all():
        raise ValidationError(f"{what} must be finite")
    return out


def _sam_from_table(
    table: IOTable,
    *,
    economy: Economy | None = None,
    final_demand: Mapping[str, str] | None = None,
    value_added: Mapping[str, tuple[str, str]] | None = None,
    taxes: Mapping[str, tuple[str, ...]] | None = None,
    consumption_taxes: Mapping[str, float] | None = None,
    tariff_rate: float | Mapping[str, float] = 0.01,
    export_taxes: Mapping[str, float] | pd.Series | None = None,
    factor_income_abroad: Mapping[str, float] | None = None,
    transfers: float = 0.04,
    household_saving: float | None = None,
    foreign_savings: float | None = None,
    net_stock_drawdowns: bool = True,
    weights: Weights = "relative",
    name: str | None = None,
    tol: float = 1e-6,
) -> SAM:
    """Build the SAM of :meth:`SAM.from_table` (parameters documented there)."""
    economy = economy or table.economy or Economy.neutral()
    fd_map = dict(DEFAULT_FINAL_DEMAND if final_demand is None else final_demand)
    va_map = dict(DEFAULT_VALUE_ADDED if value_added is None else value_added)
    tax_map = dict(DEFAULT_TAXES if taxes is None else taxes)
    abroad = dict({"CAP": 0.10} if factor_income_abroad is None else factor_income_abroad)
    cons_rates = dict(economy.closure.consumption_taxes if consumption_taxes is None else consumption_taxes)

    a = table.arrays
    goods = pd.Index([str(s) for s in table.sectors])
    n = len(goods)
    cats = [str(c) for c in table.categories]
    comps = [str(c) for c in table.value_added.index]
    tax_rows = [str(t) for t in table.taxes.index]

    # -- imports by product
    import_rows = [str(r) for r in table.imports.index]
    if len(import_rows) == 0:
        M, MF = np.zeros((n, n)), np.zeros((n, len(cats)))
    elif table.has_import_use and import_rows == list(goods):
        M, MF = np.asarray(a.imports), np.asarray(a.imports_final)
    elif not (np.any(a.imports) or np.any(a.imports_final)):
        M, MF = np.zeros((n, n)), np.zeros((n, len(cats)))
    else:
        raise ValidationError(
            f"table {table.meta.name!r} has imports without an import-use matrix by product (rows {import_rows[:5]}); "
            "a SAM needs imports of every good"
        )
    Z, F = np.asarray(a.Z), np.asarray(a.final_demand).copy()
    drawn = np.zeros(n)
    if net_stock_drawdowns:
        inv_cats = [k for k, c in enumerate(cats) if c == "inventories"]
        exp_cats = [k for k, c in enumerate(cats) if fd_map.get(c) == "rest_of_world"]
        if inv_cats and exp_cats:
            ki, ke = inv_cats[0], exp_cats[0]
            drawn = np.minimum(np.maximum(-F[:, ki], 0.0), np.maximum(F[:, ke], 0.0))
            F[:, ki] += drawn
            F[:, ke] -= drawn

    # -- final demand
    unknown = [c for c in cats if c not in fd_map]
    if unknown:
        raise LabelError(
            f"final-demand categories {unknown} have no account; pass final_demand={{category: one of "
            f"{list(SINGLE_ROLES)}}} (defaults: {dict(DEFAULT_FINAL_DEMAND)})"
        )
    bad = {c: v for c, v in fd_map.items() if v not in SINGLE_ROLES}
    if bad:
        raise LabelError(f"final_demand maps {bad} to unknown accounts; valid are {list(SINGLE_ROLES)}")

    # -- value added by account; components kept apart so carving can be checked
    unknown = [c for c in comps if c not in va_map]
    if unknown:
        raise LabelError(
            f"value-added components {unknown} have no account; pass value_added={{component: (role, account)}} "
            f"with role 'factors' or 'production_taxes' (defaults: {dict(DEFAULT_VALUE_ADDED)})"
        )
    comp_vals = {c: np.array(a.value_added[i], dtype=float) for i, c in enumerate(comps)}
    for c in comps:
        role, acct = va_map[c]
        if role not in ("factors", "production_taxes"):
            raise LabelError(f"value_added[{c!r}] has role {role!r}; valid are 'factors', 'production_taxes'")

    factors: list[str] = []
    for c in comps:
        if va_map[c][0] == "factors" and va_map[c][1] not in factors:
            factors.append(va_map[c][1])
    prod_taxes: dict[str, np.ndarray] = {}
    tp = np.array(a.product_taxes, dtype=float)
    if np.any(tp):
        prod_taxes[NET_PRODUCT_TAXES] = tp.copy()
    for c in comps:  # production-tax components (the table's other taxes on production)
        role, acct = va_map[c]
        if role == "production_taxes":
            prod_taxes[acct] = prod_taxes.get(acct, np.zeros(n)) + comp_vals[c]

    # -- the table's tax rows
    notes: dict[str, str] = {}
    if drawn.any():
        moved = {g: float(v) for g, v in zip(goods, drawn, strict=True) if v > 0}
        notes["stock_drawdowns_netted"] = (
            "exports supplied from falling inventories netted against the fall (the table's unit): "
            + json.dumps({g: round(v, 3) for g, v in moved.items()})
        )
    factor_taxes: dict[str, tuple[str, float]] = {}
    direct_taxes: dict[str, float] = {}
    carved: dict[str, np.ndarray] = {}
    T_tax = np.asarray(a.taxes)
    for k, t in enumerate(tax_rows):
        if t not in tax_map:
            raise LabelError(
                f"tax row {t!r} of the table has no treatment; pass taxes={{{t!r}: treatment}} with a treatment of "
                "('block',), ('production_taxes', component), ('factor_taxes', factor), ('direct_taxes',), ('omit',)"
            )
        how = tuple(tax_map[t])
        row = np.array(T_tax[k], dtype=float)
        if how == ("block",):
            have = tp if t == NET_PRODUCT_TAXES else prod_taxes.get(t)
            if have is None or not np.allclose(row, have, rtol=1e-9, atol=1e-9 * max(1.0, float(np.abs(row).max()))):
                raise ValidationError(
                    f"tax row {t!r} is declared a block of the table, but it differs from "
                    f"{'the product-taxes block' if t == NET_PRODUCT_TAXES else 'any production-tax component'}"
                )
            notes[f"tax:{t}"] = "production tax from the table's own block"
        elif how[0] == "production_taxes" and len(how) == 2:
            comp = how[1]
            if comp not in comp_vals:
                raise LabelError(f"taxes[{t!r}] carves from component {comp!r}; the table has {comps}")
            comp_vals[comp] = comp_vals[comp] - row
            carved[comp] = carved.get(comp, np.zeros(n)) + row
            prod_taxes[t] = prod_taxes.get(t, np.zeros(n)) + row
            notes[f"tax:{t}"] = f"production tax of each sector, paid out of {comp}"
        elif how[0] == "factor_taxes" and len(how) == 2:
            if how[1] not in factors:
                raise LabelError(f"taxes[{t!r}] is paid by factor {how[1]!r}; the factors are {factors}")
            factor_taxes[t] = (how[1], float(row.sum()))
            notes[f"tax:{t}"] = f"factor tax paid out of {how[1]} income"
        elif how == ("direct_taxes",):
            direct_taxes[t] = float(row.sum())
            notes[f"tax:{t}"] = "direct tax paid by households"
        elif how == ("omit",):
            notes[f"tax:{t}"] = f"left out of the SAM ({float(row.sum()):.10g})"
        else:
            raise ValidationError(f"taxes[{t!r}] = {how!r} is not a treatment")
    for comp, carved_rows in carved.items():
        neg = np.flatnonzero(comp_vals[comp] < -1e-9 * max(1.0, float(np.abs(carved_rows).max())))
        if len(neg):
            raise ValidationError(
                f"taxes carved out of {comp!r} exceed it for sector(s) {[goods[i] for i in neg[:10]]}; "
                "carve them from another component"
            )

    # -- factor rows (after carving)
    fac_rows = {f: np.zeros(n) for f in factors}
    for c in comps:
        role, acct = va_map[c]
        if role == "factors":
            fac_rows[acct] += comp_vals[c]

    # -- import duties: into the composite price of every imported use; intermediate ones come out of
    #    the net product taxes of the using sector, where the basic-price table records them
    tau_m = _by_good(tariff_rate, goods, "tariff_rate")
    if (tau_m < 0).any():
        raise ValidationError("tariff_rate must be non-negative")
    D_int = tau_m[:, None] * M
    D_fin = tau_m[:, None] * MF
    if np.any(D_int):
        prod_taxes[NET_PRODUCT_TAXES] = prod_taxes.get(NET_PRODUCT_TAXES, np.zeros(n)) - D_int.sum(axis=0)
    imports_total = M.sum(axis=1) + MF.sum(axis=1)
    duties = tau_m * imports_total

    # -- export taxes
    ex_tax = np.zeros(n) if export_taxes is None else _by_good(export_taxes, goods, "export_taxes")
    if np.any(ex_tax):
        prod_taxes[EXPORT_TAXES] = ex_tax

    # -- consumption taxes
    cons_cat = economy.closure.consumption
    if cons_rates and cons_cat not in cats:
        raise LabelError(f"the closure's consumption category {cons_cat!r} is not a category of the table {cats}")
    for k_, r_ in cons_rates.items():
        if not (math.isfinite(r_) and r_ >= 0):
            raise ValidationError(f"consumption tax rate {k_!r} must be finite and non-negative, got {r_!r}")
    cons_base = float(F[:, cats.index(cons_cat)].sum() + MF[:, cats.index(cons_cat)].sum()) if cons_rates else 0.0
    cons_tax = {k_: r_ * cons_base for k_, r_ in cons_rates.items()}

    # -- accounts
    tariffs = [IMPORT_DUTIES]
    accounts = (
        list(goods)
        + factors
        + list(prod_taxes)
        + tariffs
        + list(factor_taxes)
        + list(direct_taxes)
        + list(cons_tax)
        + [HOUSEHOLDS, GOVERNMENT, INVESTMENT, REST_OF_WORLD]
    )
    seen: set[str] = set()
    dup = [x for x in accounts if x in seen or seen.add(x)]  # type: ignore[func-returns-value]
    if dup:
        raise LabelError(f"account name(s) {dup} used twice (a good, factor or tax named like another account)")
    pos = {x: i for i, x in enumerate(accounts)}
    N = len(accounts)
    T = np.zeros((N, N))
    g = np.arange(n)

    # goods x goods and goods x final users
    T[np.ix_(g, g)] = Z + M + D_int
    for j, c in enumerate(cats):
        T[g, pos[fd_map[c]]] += F[:, j] + MF[:, j] + D_fin[:, j]
    T[g, pos[REST_OF_WORLD]] += ex_tax
    # goods columns
    for f in factors:
        T[pos[f], g] = fac_rows[f]
    for t, tax_row in prod_taxes.items():
        T[pos[t], g] = tax_row
    T[pos[IMPORT_DUTIES], g] = duties
    T[pos[REST_OF_WORLD], g] = imports_total
    hh, gov, inv, row_ = pos[HOUSEHOLDS], pos[GOVERNMENT], pos[INVESTMENT], pos[REST_OF_WORLD]
    for t, (f, paid) in factor_taxes.items():
        T[pos[t], pos[f]] = paid
    for t, paid in direct_taxes.items():
        T[pos[t], hh] = paid
    for t, paid in cons_tax.items():
        T[pos[t], hh] = paid
    for t in list(prod_taxes) + tariffs + list(factor_taxes) + list(direct_taxes) + list(cons_tax):
        T[gov, pos[t]] = T[pos[t]].sum()
    # factor income: abroad, the rest to households
    unknown = [f for f in abroad if f not in factors]
    if unknown:
        raise LabelError(f"factor_income_abroad names unknown factor(s) {unknown}; factors are {factors}")
    for f in factors:
        share = float(abroad.get(f, 0.0))
        if not (math.isfinite(share) and 0.0 <= share <= 1.0):
            raise ValidationError(f"factor_income_abroad[{f!r}] must lie in [0, 1], got {share!r}")
        net = fac_rows[f].sum() - sum(amt for (ff, amt) in factor_taxes.values() if ff == f)
        T[row_, pos[f]] = share * net
        T[hh, pos[f]] = net - share * net
    # transfers, savings
    gva = float(np.asarray(a.value_added).sum())
    if not (math.isfinite(transfers) and transfers >= 0):
        raise ValidationError(f"transfers must be a finite non-negative share of GVA, got {transfers!r}")
    T[hh, gov] = transfers * gva
    hh_income = T[hh].sum()
    hh_spent = T[:, hh].sum()
    if household_saving is None:
        T[inv, hh] = hh_income - hh_spent
    else:
        T[inv, hh] = float(household_saving) * hh_income
    T[inv, gov] = T[gov].sum() - T[:, gov].sum()
    if foreign_savings is None:
        T[inv, row_] = T[row_].sum() - T[:, row_].sum()
    else:
        T[inv, row_] = float(foreign_savings) * gva

    roles = {
        "goods": tuple(goods),
        "factors": tuple(factors),
        "production_taxes": tuple(prod_taxes),
        "tariffs": tuple(tariffs),
        "factor_taxes": tuple(factor_taxes),
        "direct_taxes": tuple(direct_taxes),
        "consumption_taxes": tuple(cons_tax),
        "households": (HOUSEHOLDS,),
        "government": (GOVERNMENT,),
        "investment": (INVESTMENT,),
        "rest_of_world": (REST_OF_WORLD,),
    }
    notes.update(
        {
            "goods": "composite commodity = activity: domestic plus imported use at basic prices plus import duties; "
            "goods row and column total = output + imports + import duties (+ export taxes)",
            "final_demand": json.dumps(fd_map),
            "value_added": json.dumps({k: list(v) for k, v in va_map.items()}),
            "tariff_rate": json.dumps(tariff_rate if isinstance(tariff_rate, int | float) else dict(tariff_rate)),
            "tariff_method": "duty = rate x imports (CIF) of each good, on every imported use; the intermediate part "
            "is taken out of the net product taxes of the using sector, the final-use part is added to the "
            "final user's payment (a basic-price table holds no taxes on final uses); assumption, see "
            "SAM.from_table(tariff_rate)",
            "export_taxes": "none" if export_taxes is None else f"{float(ex_tax.sum()):.10g} in all, by good",
            "consumption_taxes": json.dumps(cons_rates)
            + f" x household consumption ({cons_cat!r}, domestic plus imported, basic prices) = {cons_base:.10g}",
            "factor_income_abroad": json.dumps(abroad) + " (shares of factor income net of factor taxes)",
            "transfers": f"{transfers} x GVA {gva:.10g} (assumption)",
            "household_saving": "residual of the households account"
            if household_saving is None
            else f"prior {household_saving} x household income",
            "government_saving": "residual of the government account",
            "foreign_savings": "residual of the rest-of-the-world account"
            if foreign_savings is None
            else f"prior {foreign_savings} x GVA",
            "omitted": "product taxes on final uses other than household consumption and the import duties "
            "(e.g. on GFCF) and on exports unless export_taxes is given",
            "economy": economy.name,
        }
    )
    prior = SAM(
        accounts=accounts,
        values=T,
        roles=roles,
        unit=table.meta.unit,
        name=name or f"SAM of {table.meta.name}",
        source=table.meta.source,
        tol=tol,
        notes=notes,
        check=False,
    )
    free = [(HOUSEHOLDS, "factors"), (REST_OF_WORLD, "factors"), (HOUSEHOLDS, GOVERNMENT)]
    free += [(INVESTMENT, x) for x in (HOUSEHOLDS, GOVERNMENT, REST_OF_WORLD)]
    return prior.balance(free=free, weights=weights)
