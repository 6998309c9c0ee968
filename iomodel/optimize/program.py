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

Sign convention of shadow prices (docs/optimize.md): the dual of a row is
:math:`\partial(\text{objective}) / \partial(\text{bound})` of its binding
bound, in objective units per unit of the row, as HiGHS reports it for the
problem's own sense. In a maximisation a binding upper bound (a resource
limit) has a non-negative price, a binding lower bound a non-positive one.
Duals are reported only for continuous problems solved to a vertex (simplex).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
import xarray as xr

from ..errors import InfeasibleError, LabelError, ValidationError

__all__ = ["INF", "ConBlock", "LPResult", "LPStatus", "Program", "VarBlock"]

INF = np.inf


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


def _vec(v: Any, n: int, what: str) -> np.ndarray:
    a = np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
    if np.isnan(a).any():
        raise ValidationError(f"{what} contains NaN")
    return a


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
        """
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
        ``(len(index), len(variables[v].index))`` (dense or sparse). The
        dimension of the block's shadow prices is named as in
        :meth:`add_variables`.
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
        for name, vb in self.variables.items():
            cols[name] = slice(c0, c0 + len(vb.index))
            c0 += len(vb.index)
        for name, cb in self.constraints.items():
            rows[name] = slice(r0, r0 + len(cb.index))
            r0 += len(cb.index)
        return cols, rows, c0, r0

    def matrices(self) -> dict[str, Any]:
        """The stacked problem: ``c, A (csc), row_lower, row_upper, col_lower, col_upper, integrality``."""
        cols, rows, nc, _nr = self._layout()
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
        Blocks along the same dimension must carry the same labels (they are
        not aligned). A non-index coordinate (the ``cluster`` of a project)
        whose name is also a dimension of another block is renamed
        ``<dimension>_<coordinate>``.

        Dataset attrs: ``status``, ``sense``, ``objective``,
        ``objective_units`` and the shadow-price ``convention``; each entry of
        :attr:`info` as ``info_<key>``: numbers and text as they are
        (``True``/``False`` as 1/0), lists and mappings as JSON text. Entries
        that are tables or other objects (an allocation's ``plan``) are left
        out and named in ``info_omitted``.

        Raises
        ------
        LabelError
            Two blocks along one dimension with different labels.

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
        arrays: dict[str, xr.DataArray] = {}
        seen: dict[str, tuple[str, pd.Index]] = {}
        for q, b, units, da in parts:
            dim = str(da.dims[0])
            idx = da.indexes[dim] if dim in da.indexes else pd.RangeIndex(da.sizes[dim])
            if dim in seen and not seen[dim][1].equals(idx):
                raise LabelError(
                    f"blocks {seen[dim][0]!r} and {b!r} both lie along dimension {dim!r} with different labels; "
                    f"name one block's index differently (pd.Index(labels, name=...)) to put both in one dataset"
                )
            seen.setdefault(dim, (b, idx))
            name = f"{q}_{b}"
            arr = da.copy(deep=False)
            arr.attrs = {**da.attrs, "units": da.attrs.get("units") or units, "block": b, "quantity": q}
            arrays[name] = arr
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
