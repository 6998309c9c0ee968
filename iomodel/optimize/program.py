r"""The building API of a labelled linear program, without solvers, and its result.

A program is a small, explicit representation in the manner of linopy:
variables and constraints come in named *blocks* indexed by labels (sectors,
projects, zones), each constraint block a sparse matrix per variable block
with lower and upper row bounds. This module holds what every layer above it
shares: the blocks (:class:`VarBlock`, :class:`ConBlock`), the program built
from them (:class:`Program`: :meth:`~Program.add_variables`,
:meth:`~Program.add_constraints`, :meth:`~Program.matrices`,
:meth:`~Program.units`) and the result (:class:`LPResult`, :class:`LPStatus`).
It imports no solver; imports in :mod:`iomodel.optimize` run one way:

* :mod:`iomodel.optimize.program` (this module): building and results;
* :mod:`iomodel.optimize.highs`: the matrix path, a :class:`Program` solved
  by HiGHS;
* :mod:`iomodel.optimize.pyomo_backend`: a :class:`Program` as a Pyomo model,
  Pyomo models solved (through :mod:`~iomodel.optimize.highs` or any Pyomo
  solver);
* :mod:`iomodel.optimize.lp`: :class:`~iomodel.optimize.lp.LinearProgram`, a
  :class:`Program` with :meth:`~iomodel.optimize.lp.LinearProgram.solve` and
  :meth:`~iomodel.optimize.lp.LinearProgram.to_pyomo`, the class to build
  programs with.

Results are labelled by block and index. Each block's values lie along one
dimension, :attr:`VarBlock.dim` / :attr:`ConBlock.dim`: the name of the
block's :class:`pandas.Index` when it has one (``table.sectors`` is named
``"sector"``, so balance, capacity and labour rows over it are reported over
``sector``), otherwise the block's own name.

Input is checked when a block is added, and again by :meth:`Program.check`
before a solve (blocks can be changed in place): the sense is ``"max"`` or
``"min"`` (:func:`check_sense`); costs and coefficients are finite (and below
:data:`INFINITE_BOUND` and :data:`LARGE_COEFFICIENT`, which HiGHS reads as
infinite or refuses); bounds are not NaN, ``-inf``/``inf`` (or beyond
:data:`INFINITE_BOUND`) mean no bound, a lower bound of ``+inf`` or an upper
bound of ``-inf`` is refused; labels are unique, also as text. Messages name
the block and the labels.

Sign convention of shadow prices (docs/optimize.md): the dual of a row is
:math:`\partial(\text{objective}) / \partial(\text{bound})` of its binding
bound, in objective units per unit of the row, as HiGHS reports it for the
problem's own sense. In a maximisation a binding upper bound (a resource
limit) has a non-negative price, a binding lower bound a non-positive one.
Duals are reported only for continuous problems solved to a vertex (simplex).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
import xarray as xr

from ..errors import InfeasibleError, LabelError, ValidationError

__all__ = [
    "INF",
    "INFINITE_BOUND",
    "LARGE_COEFFICIENT",
    "SENSES",
    "ConBlock",
    "LPResult",
    "LPStatus",
    "Program",
    "VarBlock",
    "check_sense",
]

INF = np.inf
#: The objective senses a program accepts.
SENSES = ("max", "min")
#: Magnitude from which HiGHS treats a bound or a cost as infinite (its ``infinite_bound``,
#: ``infinite_cost``): bounds beyond it mean no bound, costs beyond it are refused.
INFINITE_BOUND = 1e20
#: Magnitude from which HiGHS refuses a matrix coefficient (its ``large_matrix_value``).
LARGE_COEFFICIENT = 1e15


class LPStatus(StrEnum):
    """Outcome of a solve; a ``str``, so ``res.status == "Optimal"`` reads as before.

    ``OTHER`` stands for any other solver outcome (an iteration limit, an
    interrupt, a numerical failure); the solver's own status is then in
    ``LPResult.info["solver_status"]``.

    Examples
    --------
    >>> LPStatus.OPTIMAL == "Optimal", f"{LPStatus.TIME_LIMIT}", LPStatus("Infeasible").name
    (True, 'TimeLimit', 'INFEASIBLE')
    """

    OPTIMAL = "Optimal"
    INFEASIBLE = "Infeasible"
    UNBOUNDED = "Unbounded"
    UNBOUNDED_OR_INFEASIBLE = "UnboundedOrInfeasible"
    TIME_LIMIT = "TimeLimit"
    OTHER = "Other"


def _dim(index: pd.Index, block: str) -> str:
    return block if index.name is None else str(index.name)


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

    @property
    def dim(self) -> str:
        """Dimension of the block's results: the index's name, or the block's name if it has none."""
        return _dim(self.index, self.name)


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

    @property
    def dim(self) -> str:
        """Dimension of the block's results: the index's name, or the block's name if it has none."""
        return _dim(self.index, self.name)


def check_sense(sense: object) -> None:
    """Refuse an objective sense other than ``"max"`` or ``"min"``.

    Raises
    ------
    ValidationError
        Naming the sense given and the valid options.

    Examples
    --------
    >>> check_sense("max")
    >>> check_sense("maximize")
    Traceback (most recent call last):
        ...
    iomodel.errors.ValidationError: sense must be one of ['max', 'min'], got 'maximize'
    """
    if not (isinstance(sense, str) and sense in SENSES):
        raise ValidationError(f"sense must be one of {list(SENSES)}, got {sense!r}")


def _at(index: pd.Index, mask: np.ndarray) -> str:
    """The labels where ``mask`` holds (the first five, and how many more)."""
    labels = index[np.flatnonzero(mask)].tolist()
    more = f" and {len(labels) - 5} more" if len(labels) > 5 else ""
    return f"{labels[:5]!r}{more}"


def _vec(v: Any, index: pd.Index, what: str) -> np.ndarray:
    """``v`` (one number or one per label) as a float vector over ``index``; NaN and complex refused."""
    n = len(index)
    a = np.asarray(v)
    if np.iscomplexobj(a):
        raise ValidationError(f"{what} must be real numbers, got complex values")
    try:
        a = a.astype(float)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} must be numbers, got {v!r}") from None
    try:
        a = np.broadcast_to(a, (n,)).copy()
    except ValueError:
        raise ValidationError(
            f"{what} must be one number or {n} numbers (one per label), got shape {a.shape}"
        ) from None
    nan = np.isnan(a)
    if nan.any():
        raise ValidationError(f"{what} is NaN at {_at(index, nan)}")
    return a


def _costs(v: Any, index: pd.Index, what: str) -> np.ndarray:
    """Objective coefficients: finite and below :data:`INFINITE_BOUND` in magnitude."""
    a = _vec(v, index, what)
    bad = ~(np.abs(a) < INFINITE_BOUND)
    if bad.any():
        raise ValidationError(
            f"{what} is infinite (or at least {INFINITE_BOUND:g} in magnitude, infinite to HiGHS) at {_at(index, bad)}"
        )
    return a


def _bounds(lower: Any, upper: Any, index: pd.Index, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds: ``-inf``/``inf`` (or beyond :data:`INFINITE_BOUND`) mean none, NaN is refused.

    A lower bound of ``+inf`` or an upper bound of ``-inf`` can be met by no
    number and is refused; a lower bound above the upper bound is infeasible.
    """
    lo = _vec(lower, index, f"{what}: lower bound")
    up = _vec(upper, index, f"{what}: upper bound")
    for a, side, sign in ((lo, "lower", 1.0), (up, "upper", -1.0)):
        wrong = sign * a >= INFINITE_BOUND
        if wrong.any():
            inf = "+inf" if sign > 0 else "-inf"
            raise ValidationError(
                f"{what}: {side} bound is {inf} (or beyond {INFINITE_BOUND:g}, infinite to HiGHS) at "
                f"{_at(index, wrong)}: no number meets it; use {'-inf' if sign > 0 else 'inf'} for no {side} bound"
            )
    lo[lo <= -INFINITE_BOUND] = -np.inf
    up[up >= INFINITE_BOUND] = np.inf
    bad = lo > up
    if bad.any():
        raise InfeasibleError(f"{what}: lower bound above upper bound at {_at(index, bad)}")
    return lo, up


def _labels(index: Any, what: str) -> pd.Index:
    """The labels of a block, refused when two are equal, or equal as text (``1`` and ``"1"``)."""
    idx = index if isinstance(index, pd.Index) else pd.Index(index)
    if idx.has_duplicates:
        raise LabelError(f"{what}: duplicated labels {sorted(set(map(str, idx[idx.duplicated()])))}")
    text = pd.Index([str(lab) for lab in idx])
    if text.has_duplicates:
        same = text.duplicated(keep=False)
        raise LabelError(
            f"{what}: labels {idx[same].tolist()!r} are the same as text; labels name the rows of results, "
            "Pyomo set members and netCDF coordinates, so they must differ as text"
        )
    return idx


def _matrix(M: Any, rows: pd.Index, cols: pd.Index, what: str) -> sp.csr_array:
    """A block's matrix as CSR of shape ``(len(rows), len(cols))``, its entries finite and below HiGHS's limit."""
    if np.iscomplexobj(M.data if sp.issparse(M) else np.asarray(M)):
        raise ValidationError(f"{what} must be real numbers, got complex values")
    try:
        A = sp.csr_array(M, dtype=float)
    except (TypeError, ValueError) as e:
        raise ValidationError(f"{what} is not a matrix of numbers: {e}") from None
    want = (len(rows), len(cols))
    if A.shape != want:
        raise ValidationError(f"{what} has shape {A.shape}, expected {want}")
    coo = A.tocoo()
    bad = ~(np.abs(coo.data) < LARGE_COEFFICIENT)
    if bad.any():
        cells = [(rows[r], cols[c]) for r, c in zip(coo.row[bad][:5], coo.col[bad][:5], strict=True)]
        raise ValidationError(
            f"{what} has {int(bad.sum())} NaN, infinite or huge (at least {LARGE_COEFFICIENT:g}, refused by HiGHS) "
            f"coefficient(s), first at (row, column) {cells!r}"
        )
    return A


@dataclass
class Program:
    """A linear (or mixed-integer) program built from labelled blocks, without a solver.

    The base of :class:`~iomodel.optimize.lp.LinearProgram` (which adds
    ``solve`` and ``to_pyomo``), and what the backends take:
    :func:`~iomodel.optimize.highs.solve_highs` and
    :func:`~iomodel.optimize.pyomo_backend.to_pyomo` accept any
    :class:`Program`. Build programs with
    :class:`~iomodel.optimize.lp.LinearProgram`.

    Examples
    --------
    >>> import numpy as np
    >>> p = Program(sense="min", objective_units="dollars")
    >>> _ = p.add_variables("x", pd.Index(["a", "b"], name="plant"), cost=[2.0, 3.0], units="tons")
    >>> _ = p.add_constraints("demand", ["d"], {"x": np.ones((1, 2))}, lower=[4.0])
    >>> m = p.matrices()
    >>> m["A"].toarray(), m["row_lower"], m["cols"]
    (array([[1., 1.]]), array([4.]), {'x': slice(0, 2, None)})
    >>> p.variables["x"].dim, p.constraints["demand"].dim, p.units()
    ('plant', 'demand', {'x': 'tons', 'demand': '', 'objective': 'dollars'})
    """

    sense: Literal["max", "min"] = "max"
    objective_units: str = ""
    name: str = "iomodel LP"
    variables: dict[str, VarBlock] = field(default_factory=dict)
    constraints: dict[str, ConBlock] = field(default_factory=dict)
    objective_constant: float = 0.0

    def __post_init__(self) -> None:
        check_sense(self.sense)
        if not math.isfinite(self.objective_constant):
            raise ValidationError(f"objective_constant must be finite, got {self.objective_constant}")

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
        """Add a block of variables over ``index`` (labels) with bounds and objective costs.

        The name of ``index`` (a :class:`pandas.Index` name), if it has one,
        names the dimension of the block's results; otherwise ``name`` does.
        ``lower``, ``upper`` and ``cost`` are one number or one per label.
        ``lower=-inf`` and ``upper=inf`` mean no bound (a free variable has
        ``lower=-inf``; the default lower bound is 0), and so do magnitudes
        of :data:`INFINITE_BOUND` or more, which HiGHS treats as infinite;
        they are stored as ``-inf``/``inf``.

        Raises
        ------
        LabelError
            The name is taken; labels repeat, or are equal as text (``1`` and ``"1"``).
        ValidationError
            NaN or complex values; an infinite cost (or one of at least
            :data:`INFINITE_BOUND`); a lower bound of ``+inf`` or an upper
            bound of ``-inf``. The message names the block and the labels.
        InfeasibleError
            A lower bound above the upper bound.
        """
        if name in self.variables or name in self.constraints:
            raise LabelError(f"block name {name!r} is already used")
        idx = _labels(index, f"variables {name!r}")
        lo, up = _bounds(lower, upper, idx, f"variables {name!r}")
        blk = VarBlock(name, idx, lo, up, _costs(cost, idx, f"variables {name!r}: cost"), integer, units)
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
        ``(len(index), len(variables[v].index))`` (dense or sparse). The
        dimension of the block's shadow prices is named as in
        :meth:`add_variables`. A row's bounds (right-hand sides) are one
        number or one per label; ``-inf`` and ``inf`` mean no bound (as do
        magnitudes of :data:`INFINITE_BOUND` or more); a row without terms
        is kept: ``0 <= -1`` makes the program infeasible.

        Raises
        ------
        LabelError
            The name is taken, a term names an unknown variable block, or
            labels repeat (also as text).
        ValidationError
            A matrix of the wrong shape, NaN, infinite or huge coefficients
            (at least :data:`LARGE_COEFFICIENT`), NaN bounds, a lower bound of
            ``+inf`` or an upper bound of ``-inf``; the message names the
            block and the labels.
        InfeasibleError
            A lower bound above the upper bound.
        """
        if name in self.variables or name in self.constraints:
            raise LabelError(f"block name {name!r} is already used")
        idx = _labels(index, f"constraints {name!r}")
        mats = {}
        for v, M in terms.items():
            if v not in self.variables:
                raise LabelError(f"constraints {name!r}: unknown variable block {v!r}; defined: {list(self.variables)}")
            mats[v] = _matrix(M, idx, self.variables[v].index, f"constraints {name!r}: matrix for {v!r}")
        lo, up = _bounds(lower, upper, idx, f"constraints {name!r}")
        blk = ConBlock(name, idx, mats, lo, up, units, dual_units)
        self.constraints[name] = blk
        return blk

    def check(self) -> None:
        """Check the program as it stands (blocks can be changed in place after they are added).

        Runs the checks of :meth:`add_variables` and :meth:`add_constraints`
        again on every block, and :func:`check_sense` on the sense; the
        solvers call it before solving. Raises as those methods do.
        """
        check_sense(self.sense)
        for name, vb in self.variables.items():
            what = f"variables {name!r}"
            _labels(vb.index, what)
            _bounds(vb.lower, vb.upper, vb.index, what)
            _costs(vb.cost, vb.index, f"{what}: cost")
        for name, cb in self.constraints.items():
            what = f"constraints {name!r}"
            _labels(cb.index, what)
            for v, M in cb.terms.items():
                if v not in self.variables:
                    raise LabelError(f"{what}: unknown variable block {v!r}; defined: {list(self.variables)}")
                _matrix(M, cb.index, self.variables[v].index, f"{what}: matrix for {v!r}")
            _bounds(cb.lower, cb.upper, cb.index, what)

    # -- stacking -------------------------------------------------------------
    def _layout(self) -> tuple[dict[str, slice], dict[str, slice], int, int]:
        cols, rows, c0, r0 = {}, {}, 0, 0
        for name, vb in self.variables.items():
            cols[name] = slice(c0, c0 + len(vb.index))
            c0 += len(vb.index)
        for name, cb in self.constraints.items():
            rows[name] = slice(r0, r0 + len(cb.index))
            r0 += len(cb.index)
        return cols, rows, c0, r0

    def matrices(self) -> dict[str, Any]:
        """The stacked problem: ``c, A (csc), row_lower, row_upper, col_lower, col_upper, integrality``.

        Checks the program first (:meth:`check`). Bounds are ``-inf``/``inf``
        where there is none (also where a block holds a magnitude of
        :data:`INFINITE_BOUND` or more).
        """
        self.check()
        cols, rows, nc, nr = self._layout()
        blocks = []
        for cb in self.constraints.values():
            row = [
                cb.terms.get(vname, sp.csr_array((len(cb.index), len(vb.index))))
                for vname, vb in self.variables.items()
            ]
            blocks.append(row)
        A = sp.block_array(blocks, format="csc") if blocks and self.variables else sp.csc_array((nr, nc))

        def cat(attr: str, d: Mapping[str, VarBlock] | Mapping[str, ConBlock]) -> np.ndarray:
            return np.concatenate([np.asarray(getattr(b, attr), dtype=float) for b in d.values()] or [np.zeros(0)])

        integrality = np.concatenate(
            [np.full(len(b.index), b.integer) for b in self.variables.values()] or [np.zeros(0, dtype=bool)]
        )

        def lower(a: np.ndarray) -> np.ndarray:
            return np.where(a <= -INFINITE_BOUND, -np.inf, a)

        def upper(a: np.ndarray) -> np.ndarray:
            return np.where(a >= INFINITE_BOUND, np.inf, a)

        return {
            "c": cat("cost", self.variables),
            "A": sp.csc_array(A),
            "row_lower": lower(cat("lower", self.constraints)),
            "row_upper": upper(cat("upper", self.constraints)),
            "col_lower": lower(cat("lower", self.variables)),
            "col_upper": upper(cat("upper", self.variables)),
            "integrality": integrality,
            "cols": cols,
            "rows": rows,
        }

    def units(self) -> dict[str, str]:
        """Units by block name, as :attr:`LPResult.units` reports them.

        Variable blocks map to their units, constraint blocks to the units of
        their shadow prices, ``"objective"`` to the objective's units.
        """
        return {
            **{n: b.units for n, b in self.variables.items()},
            **{n: b.dual_units for n, b in self.constraints.items()},
            "objective": self.objective_units,
        }


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class LPResult:
    """Solution of a :class:`Program` (or a Pyomo model), labelled by block.

    Attributes
    ----------
    status
        An :class:`LPStatus` (a ``str``: ``"Optimal"``, ``"Infeasible"``, ...);
        a plain string given here is converted.
    objective
        Objective value (``nan`` unless optimal).
    sense
        ``"max"`` or ``"min"``.
    primal
        One DataArray per variable block, along the block's dimension
        (:attr:`VarBlock.dim`: the index's name, else the block's name).
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
        Units by block name (variables: their units; constraints: dual units;
        ``"objective"``).
    info
        Solver details (``solver``, ``solver_status``, ``mip``, iterations,
        options, ``message`` on failure, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from iomodel.optimize.lp import LinearProgram
    >>> lp = LinearProgram(sense="max", objective_units="dollars")
    >>> _ = lp.add_variables("x", ["a", "b"], upper=[1.0, 2.0], cost=[3.0, 1.0], units="tons")
    >>> _ = lp.add_constraints("total", ["total"], {"x": np.ones((1, 2))}, upper=[2.5],
    ...                        dual_units="dollars per ton")
    >>> res = lp.solve()
    >>> res.optimal, res.objective, res.value("x").to_series().to_dict()
    (True, 4.5, {'a': 1.0, 'b': 1.5})
    >>> sorted(res.to_dataset().data_vars)[:4]
    ['bound_lower_total', 'bound_upper_total', 'cost_lower_x', 'cost_upper_x']
    """

    status: LPStatus
    objective: float
    sense: str
    primal: dict[str, xr.DataArray]
    duals: dict[str, xr.DataArray]
    reduced_costs: dict[str, xr.DataArray]
    ranging: dict[str, xr.Dataset]
    units: dict[str, str]
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_sense(self.sense)
        if not isinstance(self.status, LPStatus):
            try:
                object.__setattr__(self, "status", LPStatus(self.status))
            except ValueError:
                raise ValidationError(
                    f"unknown LP status {self.status!r}; valid options are {[s.value for s in LPStatus]}"
                ) from None

    @property
    def optimal(self) -> bool:
        """Whether the solver reports an optimum (:attr:`LPStatus.OPTIMAL`)."""
        return self.status is LPStatus.OPTIMAL

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

    # -- one dataset -------------------------------------------------------------
    def to_dataset(self) -> xr.Dataset:
        """Every labelled result in one :class:`xarray.Dataset` that round-trips through netCDF.

        Naming: one data variable per block and quantity, ``<quantity>_<block>``,
        along the block's dimension:

        ===============================================  ============================================
        data variable                                    units (``attrs["units"]``)
        ===============================================  ============================================
        ``primal_<v>``: values of variable block ``v``   the block's units
        ``reduced_cost_<v>``                             objective per unit of ``v``
        ``cost_lower_<v>``, ``cost_upper_<v>``           as the reduced cost (ranging of ``v``'s cost)
        ``dual_<c>``: shadow prices of constraint ``c``  the block's dual units
        ``bound_lower_<c>``, ``bound_upper_<c>``         the units of ``c``'s rows (bound ranging)
        ===============================================  ============================================

        Each data variable also has ``attrs["block"]`` and
        ``attrs["quantity"]`` (``primal``, ``reduced_cost``, ``dual``, or the
        ranging name), so it can be read back without parsing its name.
        Blocks along the same dimension carry the same labels, or labels no
        other block along it carries (one-off rows along ``constraint``, such
        as an allocation's ``budget`` and ``imports``): the dimension then
        holds all of them, in block order, and each block's variables are
        ``nan`` at the others' labels (text coordinates empty). A non-index
        coordinate (the ``cluster`` of a project) whose name is also a
        dimension of another block is renamed ``<dimension>_<coordinate>``.

        Dataset attrs: ``status``, ``sense``, ``objective``,
        ``objective_units`` and the shadow-price ``convention``; each entry of
        :attr:`info` as ``info_<key>``: numbers and text as they are
        (``True``/``False`` as 1/0), lists and mappings as JSON text. Entries
        that are tables or other objects (an allocation's ``plan``) are left
        out and named in ``info_omitted``.

        Raises
        ------
        LabelError
            Two blocks along one dimension with different labels that overlap.

        Examples
        --------
        >>> import numpy as np
        >>> import iomodel as iom
        >>> from iomodel.optimize.lp import LinearProgram
        >>> t = iom.datasets.miller_blair()
        >>> lp = LinearProgram(sense="max", objective_units="dollars of output")
        >>> _ = lp.add_variables("x", t.sectors, cost=1.0, units="dollars")
        >>> _ = lp.add_constraints("balance", t.sectors, {"x": np.eye(2) - t.A.to_numpy()},
        ...                        upper=[350.0, 1700.0], dual_units="dollars of output per dollar")
        >>> ds = lp.solve().to_dataset()
        >>> ds["dual_balance"].dims, ds["dual_balance"].attrs["units"], ds.attrs["status"]
        (('sector',), 'dollars of output per dollar', 'Optimal')
        >>> ds["reduced_cost_x"].attrs["units"]
        'dollars of output per dollars'
        """
        return self._dataset(primal_only=False)

    def solution(self) -> xr.Dataset:
        """The primal values of :meth:`to_dataset` (``primal_<block>``) with the same attrs."""
        return self._dataset(primal_only=True)

    def _dataset(self, *, primal_only: bool) -> xr.Dataset:
        parts: list[tuple[str, str, str, xr.DataArray]] = []  # (quantity, block, default units, array)
        for b, da in self.primal.items():
            parts.append(("primal", b, self.units.get(b, ""), da))
        if not primal_only:
            for b, da in self.reduced_costs.items():
                parts.append(("reduced_cost", b, "", da))
            for b, da in self.duals.items():
                parts.append(("dual", b, self.units.get(b, ""), da))
            for b, ds in self.ranging.items():
                for q, da in ds.data_vars.items():
                    parts.append((str(q), b, "", da))
        seen = _shared_labels(parts)
        arrays: dict[str, xr.DataArray] = {}
        for q, b, units, da in parts:
            dim = str(da.dims[0])
            arr = da.copy(deep=False)
            if dim in da.indexes and not da.indexes[dim].equals(seen[dim]):
                arr = _reindexed(arr, dim, seen[dim])
            arr.attrs = {**da.attrs, "units": da.attrs.get("units") or units, "block": b, "quantity": q}
            arrays[f"{q}_{b}"] = arr
        clash = sorted(set(arrays) & set(seen))
        if clash:
            raise LabelError(f"data variable(s) {clash} would share their names with dimensions; rename those indexes")
        for name, da in arrays.items():
            rename = {c: f"{da.dims[0]}_{c}" for c in da.coords if c not in da.dims and c in seen}
            if rename:
                arrays[name] = da.rename(rename)
        info, omitted = _netcdf_attrs(self.info)
        attrs = {
            "status": self.status.value,
            "sense": self.sense,
            "objective": float(self.objective),
            "objective_units": self.units.get("objective", ""),
            "convention": "dual = d(objective)/d(binding bound of the row), for the problem's own sense "
            "(docs/optimize.md)",
            **info,
        }
        if omitted:
            attrs["info_omitted"] = ", ".join(omitted)
        return xr.Dataset({k: v.variable for k, v in arrays.items()}, coords=_coords(arrays), attrs=attrs)

    # -- tables and figures --------------------------------------------------------
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
            [
                ("status", "", self.status.value, ""),
                ("objective", "", self.objective, self.units.get("objective", "")),
            ],
            columns=["constraint", "label", "shadow_price", "units"],
        )
        return pd.concat([head, binding], ignore_index=True)


def _shared_labels(parts: list[tuple[str, str, str, xr.DataArray]]) -> dict[str, pd.Index]:
    """The labels of each dimension of a result's dataset (see :meth:`LPResult.to_dataset`).

    Blocks along one dimension carry the same labels, or labels no other
    block along it carries (one-off rows along ``constraint``): then the
    dimension holds them all, in the order of the blocks.
    """
    found: dict[str, list[tuple[str, pd.Index, bool]]] = {}
    for _q, b, _units, da in parts:
        dim = str(da.dims[0])
        labelled = dim in da.indexes
        idx = da.indexes[dim] if labelled else pd.RangeIndex(da.sizes[dim])
        known = found.setdefault(dim, [])
        if not any(idx.equals(other) and labelled == lab for _, other, lab in known):
            known.append((b, idx, labelled))
    out: dict[str, pd.Index] = {}
    for dim, label_sets in found.items():
        union = label_sets[0][1]
        for k, (b, idx, labelled) in enumerate(label_sets[1:], start=1):
            shared = union.intersection(idx)
            if len(shared) or not (labelled and all(lab for _, _, lab in label_sets[:k])):
                other = next(ob for ob, oidx, lab in label_sets[:k] if not lab or oidx.isin(shared).any())
                raise LabelError(
                    f"blocks {other!r} and {b!r} both lie along dimension {dim!r} with different labels, "
                    f"some shared ({shared.tolist()[:5]!r}); name one block's index differently "
                    "(pd.Index(labels, name=...)) to put both in one dataset"
                )
            union = union.append(idx)
        out[dim] = union.rename(label_sets[0][1].name)
    return out


def _reindexed(da: xr.DataArray, dim: str, labels: pd.Index) -> xr.DataArray:
    """``da`` along all the labels of its dimension: NaN outside its own, text coordinates empty there."""
    out = da.reindex({dim: labels})
    for c, coord in da.coords.items():
        if c != dim and dim in coord.dims and coord.dtype.kind in "OUS":
            values = np.array(out[c].values, dtype=object)
            values[~np.asarray(out[dim].isin(da[dim].values))] = ""
            out = out.assign_coords({c: (coord.dims, values.astype(str))})
    return out


def _coords(arrays: Mapping[str, xr.DataArray]) -> dict[str, Any]:
    """The coordinates of all arrays (index and non-index), each once."""
    out: dict[str, Any] = {}
    for da in arrays.values():
        for c, v in da.coords.items():
            out.setdefault(str(c), v.variable)
    return out


def _netcdf_attrs(info: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``info`` as netCDF attributes ``info_<key>`` and the keys left out (see :meth:`LPResult.to_dataset`)."""
    out: dict[str, Any] = {}
    omitted: list[str] = []
    for k, v in info.items():
        key = f"info_{k}"
        if isinstance(v, bool | np.bool_):
            out[key] = int(v)
        elif isinstance(v, str):
            out[key] = v
        elif isinstance(v, int | float | np.integer | np.floating):
            out[key] = v.item() if isinstance(v, np.generic) else v
        elif isinstance(v, Mapping | list | tuple) or v is None:
            try:
                out[key] = json.dumps(v, sort_keys=isinstance(v, Mapping))
            except TypeError:
                omitted.append(str(k))
        else:
            omitted.append(str(k))
    return out, omitted
