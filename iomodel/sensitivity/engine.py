r"""Monte Carlo draws of any computation on a table: serial, batched or on a Dask cluster.

:func:`monte_carlo` runs ``func(table_d, **params_d)`` for draws ``d = 0, 1,
...``, where ``table_d`` is the table under draw ``d`` of the coefficient
perturbations and ``params_d`` draw ``d`` of the parameter distributions,
and stacks the results on a ``draw`` dimension.

Reproducibility: draw ``d`` takes its random numbers from its own generator,
``numpy.random.default_rng(SeedSequence(seed, spawn_key=(d,)))``, the
``d``-th child of ``SeedSequence(seed).spawn``; so a draw's numbers do not
depend on how draws are chunked, on the backend, or on how many draws run.
Within a draw the parameters are drawn first, in the order given, then the
perturbations of the technical coefficients, the satellites and the taxes.
A chunk builds the generators of its draws at once (:meth:`Plan.rngs`: the
children's seed words by :func:`child_states`, the same state as one
``SeedSequence`` object per draw). Nothing a draw computes depends on its
place in a chunk or a block: column sums add row by row, and products with
a vector are made draw by draw, never as one product over the stack (whose
BLAS kernel would group the draws). The one exception is a large table
(:func:`iomodel.linalg.use_krylov`: solved matrix-free by GMRES): each draw's
solves start from the previous draw's solutions (:func:`warm_start`), so a
draw's results there agree across chunkings to the GMRES residual tolerance
(about ``1e-13`` relative), not bit for bit; the random numbers are the same.

Execution: draws are cut into chunks of ``chunk_size``; a chunk is computed
by one call of :func:`run_chunk`, in this process (serial) or on a worker of
the ``dask.distributed`` client passed as ``client``, and never holds more
than one chunk of tables. When ``func`` is :func:`iomodel.multipliers` (or a
:func:`functools.partial` of it) and no parameter is drawn, a chunk is
solved in blocks of :data:`iomodel.analysis.BLOCK` draws, one stacked LAPACK
call each (:class:`iomodel.analysis.StackedMultipliers`), into one labelled
result, instead of one table per draw (by default only below
:data:`iomodel.linalg.KRYLOV_MIN_SIZE` sectors: a larger table is solved
draw by draw, matrix-free and warm-started). When only a few columns of ``A`` are
perturbed (``sectors=`` of the perturbation), the multipliers are rows of a
low-rank update of the base table's inverse
(:func:`iomodel.analysis.multipliers_columns`), and with ``batched=False``
each draw's table solves through a low-rank update of the base table's
factorisation (:meth:`iomodel.IOTable.with_coefficients`).
"""

from __future__ import annotations

import functools
import inspect
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .. import dims
from .. import linalg as la
from ..analysis import BLOCK, StackedMultipliers, multipliers, multipliers_columns
from ..errors import LabelError, NotProductiveError, ValidationError
from ..table import IOTable
from .distributions import (
    DirichletCoefficients,
    Distribution,
    LognormalCoefficients,
    SatelliteCoefficients,
    TaxCoefficients,
    as_distribution,
)

__all__ = [
    "Plan",
    "check_parameters",
    "monte_carlo",
    "plan",
    "points_chunk",
    "run",
    "run_chunk",
    "run_points",
    "stack",
    "to_dataset",
]

Func = Callable[..., xr.DataArray | xr.Dataset]
#: Default memory budget of one chunk's results (a batched chunk solves its matrices a block at a time), in bytes.
CHUNK_BYTES = 64 * 2**20


def to_dataset(result: Any, func: Any) -> xr.Dataset:
    """A function's result as a Dataset; anything but labelled xarray is refused, naming the function."""
    name = getattr(func, "__name__", None) or getattr(getattr(func, "func", None), "__name__", repr(func))
    if isinstance(result, xr.Dataset):
        ds = result
    elif isinstance(result, xr.DataArray):
        ds = result.to_dataset(name=result.name if result.name is not None else "value", promote_attrs=True)
    else:
        raise ValidationError(
            f"function {name!r} returned {type(result).__name__}; a sensitivity run needs an xarray.DataArray or "
            "Dataset (labelled dims, units in attrs)"
        )
    clash = [d for d in (dims.DRAW, dims.SCENARIO) if d in ds.dims]
    if clash:
        raise ValidationError(f"function {name!r} returned a result with dimension(s) {clash} the run adds itself")
    return ds


def stack(parts: Sequence[xr.Dataset], dim: Any, what: str) -> xr.Dataset:
    """Concatenate results along ``dim``; results whose labels differ are refused, not padded with NaN."""
    try:
        # attrs that differ between calls (e.g. an NPV or a drawn assumption a function copies into its
        # attrs) are facts of one draw, not of the run: dropped, never taken from the first draw
        return xr.concat(parts, dim=dim, combine_attrs="drop_conflicts", join="exact")
    except ValueError as exc:
        raise ValidationError(
            f"the function's results differ in their labels across {what} ({exc}); a sensitivity run stacks results "
            "of one shape: select the same labels in every call (e.g. indicators=[...] of iomodel.multipliers)"
        ) from None


def check_parameters(func: Any, names: Iterable[str]) -> None:
    """Refuse parameter names ``func`` does not take as keywords, listing those it does."""
    names = list(names)
    if not names:
        return
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return  # a builtin or C function: let the call itself decide
    params = sig.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    accepted = [
        p.name
        for i, p in enumerate(params.values())
        if i > 0 and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]
    unknown = [n for n in names if n not in accepted]
    if unknown:
        fname = getattr(func, "__name__", None) or getattr(getattr(func, "func", None), "__name__", repr(func))
        raise LabelError(f"function {fname!r} takes no parameter(s) {unknown}; valid options are {accepted}")


# numpy.random.SeedSequence's hash and mixing constants (O'Neill's seed_seq_fe, 32-bit words, a pool of 4)
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_MASK32 = 0xFFFFFFFF


def _words(n: int) -> list[int]:
    """A non-negative integer as little-endian 32-bit words, as ``SeedSequence`` takes its entropy."""
    out = [] if n else [0]
    while n > 0:
        out.append(n & _MASK32)
        n >>= 32
    return out


def child_states(entropy: int, draws: np.ndarray) -> np.ndarray:
    """``SeedSequence(entropy, spawn_key=(d,)).generate_state(4, numpy.uint64)`` for every ``d`` of ``draws``.

    The same 32-bit hashing and mixing as :class:`numpy.random.SeedSequence`
    (pool of four words; the run's entropy padded to four words, then the
    spawn key), run on the vector of draws instead of once per draw; every
    ``d`` below ``2**32``. ``PCG64`` seeds itself from these four words, so
    the generator of draw ``d`` is the one ``default_rng`` gives for that
    child (tested against numpy).
    """
    d = np.asarray(draws, dtype=np.uint32)
    run = _words(int(entropy))
    entropy_words = [np.full(d.shape, w, dtype=np.uint32) for w in run + [0] * max(0, 4 - len(run))] + [d]
    const = _INIT_A
    shift = np.uint32(16)

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal const
        value = np.bitwise_xor(value, np.uint32(const))
        const = (const * _MULT_A) & _MASK32
        value = np.multiply(value, np.uint32(const))
        return np.bitwise_xor(value, np.right_shift(value, shift))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = np.subtract(np.multiply(np.uint32(_MIX_L), x), np.multiply(np.uint32(_MIX_R), y))
        return np.bitwise_xor(r, np.right_shift(r, shift))

    with np.errstate(over="ignore"):
        pool = [hashmix(entropy_words[i]) for i in range(4)]
        for src in range(4):
            for dst in range(4):
                if src != dst:
                    pool[dst] = mix(pool[dst], hashmix(pool[src]))
        for word in entropy_words[4:]:
            for dst in range(4):
                pool[dst] = mix(pool[dst], hashmix(word))
        const = _INIT_B
        state = np.empty((d.size, 8), dtype=np.uint32)
        for i in range(8):
            v = np.bitwise_xor(pool[i % 4], np.uint32(const))
            const = (const * _MULT_B) & _MASK32
            v = np.multiply(v, np.uint32(const))
            state[:, i] = np.bitwise_xor(v, np.right_shift(v, shift))
    return state.astype("<u4").view("<u8").astype(np.uint64)


class _ChildState(np.random.bit_generator.ISeedSequence):
    """The seed words of one ``SeedSequence`` child, computed by :func:`child_states`, for a bit generator."""

    __slots__ = ("state",)

    def __init__(self, state: np.ndarray) -> None:
        self.state = state

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        if n_words != 4 or np.dtype(dtype) != np.dtype(np.uint64):  # pragma: no cover - PCG64 asks for these
            raise ValueError("only the four 64-bit words PCG64 seeds itself from")
        return self.state


@dataclass(frozen=True)
class Plan:
    """Everything a chunk of draws needs; sent once to each Dask worker.

    Build it with :func:`plan`.
    """

    func: Func
    table: IOTable
    names: tuple[str, ...]
    distributions: tuple[Distribution, ...]
    technology: LognormalCoefficients | DirichletCoefficients | None
    satellites: SatelliteCoefficients | None
    taxes: TaxCoefficients | None
    entropy: int
    columns: np.ndarray | None  # positions of the perturbed columns of A, None: all
    sat_cv: np.ndarray | None
    tax_cv: np.ndarray | None
    batched: bool  # stacked solves (every column perturbed) or rows of a low-rank update (columns given)
    fixed: Mapping[str, Any]

    @property
    def backend(self) -> str:
        """``"batched"`` (stacked solves), ``"low-rank"`` (rows of a Woodbury update) or ``"serial"``."""
        if not self.batched:
            return "serial"
        return "low-rank" if self.columns is not None else "batched"

    def rng(self, draw: int) -> np.random.Generator:
        """The generator of draw ``draw``: the child ``(draw,)`` of the run's seed sequence."""
        return np.random.default_rng(np.random.SeedSequence(self.entropy, spawn_key=(draw,)))

    def rngs(self, start: int, stop: int) -> list[np.random.Generator]:
        """The generators of draws ``start`` to ``stop - 1``, each :meth:`rng` of its draw.

        The seed words of all these children are computed at once
        (:func:`child_states`); each generator is then the one
        ``default_rng(SeedSequence(entropy, spawn_key=(draw,)))`` builds,
        state for state, for a fraction of the cost of one ``SeedSequence``
        object per draw.
        """
        if stop - start < 2 or stop > 2**32:
            return [self.rng(d) for d in range(start, stop)]
        states = child_states(self.entropy, np.arange(start, stop))
        first = np.random.SeedSequence(self.entropy, spawn_key=(start,)).generate_state(4, np.uint64)
        if not np.array_equal(states[0], first):  # pragma: no cover - numpy changed how SeedSequence mixes
            return [self.rng(d) for d in range(start, stop)]
        children: list[Any] = [_ChildState(row) for row in states]  # PCG64 takes any ISeedSequence
        return [np.random.Generator(np.random.PCG64(child)) for child in children]

    def spec(self) -> str:
        """The perturbation spec as text (for attrs)."""
        parts = [f"{n} ~ {d.describe()}" for n, d in zip(self.names, self.distributions, strict=True)]
        parts += [p.describe() for p in (self.technology, self.satellites, self.taxes) if p is not None]
        parts += [f"{k} = {v!r}" for k, v in self.fixed.items()]
        return "; ".join(parts) if parts else "none"


def _is_multipliers(func: Any) -> tuple[bool, dict[str, Any]]:
    """Whether ``func`` is :func:`iomodel.multipliers` or a partial of it (with its keywords)."""
    if func is multipliers:
        return True, {}
    if isinstance(func, functools.partial) and func.func is multipliers and not func.args:
        return True, dict(func.keywords)
    return False, {}


def plan(
    func: Func,
    table: IOTable,
    *,
    coefficients: Any = None,
    parameters: Mapping[str, Any] | None = None,
    seed: int | None = None,
    batched: bool | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> Plan:
    """Check the inputs of a run and fix its seed (see :func:`monte_carlo`)."""
    if not isinstance(table, IOTable):
        raise ValidationError(f"a sensitivity run needs an IOTable, got {type(table).__name__}")
    if not callable(func):
        raise ValidationError(f"func must be callable, got {func!r}")
    parameters = dict(parameters or {})
    names = tuple(str(k) for k in parameters)
    dists = tuple(as_distribution(k, v) for k, v in parameters.items())
    fixed = dict(fixed or {})
    check_parameters(func, [*names, *fixed])
    techs: list[Any] = []
    sat = tax = None
    if coefficients is None:
        perts = []
    else:
        perts = list(coefficients) if isinstance(coefficients, list | tuple) else [coefficients]
    for p in perts:
        if isinstance(p, LognormalCoefficients | DirichletCoefficients):
            techs.append(p)
        elif isinstance(p, SatelliteCoefficients):
            if sat is not None:
                raise ValidationError("give one SatelliteCoefficients (a mapping of cvs covers several rows)")
            sat = p
        elif isinstance(p, TaxCoefficients):
            if tax is not None:
                raise ValidationError("give one TaxCoefficients (a mapping of cvs covers several rows)")
            tax = p
        else:
            raise ValidationError(
                f"unknown perturbation {p!r}; valid options are LognormalCoefficients, DirichletCoefficients, "
                "SatelliteCoefficients, TaxCoefficients"
            )
    if len(techs) > 1:
        raise ValidationError("give one perturbation of the technical coefficients (Lognormal or Dirichlet), not two")
    tech = techs[0] if techs else None
    columns = None
    if tech is not None:
        table.require_domestic("a perturbation of the technical coefficients")
        if tech.sectors is not None:
            unknown = [s for s in tech.sectors if s not in table.sectors]
            if unknown:
                raise LabelError(
                    f"{type(tech).__name__}: unknown sector(s) {unknown}; valid options are {table.sectors.tolist()}"
                )
            columns = np.array([table.sectors.get_loc(s) for s in tech.sectors], dtype=int)
    sat_cv = tax_cv = None
    if sat is not None:
        rows = table.satellites.index.astype(str)
        unknown = [r for r in sat.known_rows() if r not in rows]
        if unknown:
            raise LabelError(f"SatelliteCoefficients: unknown satellite(s) {unknown}; valid options are {list(rows)}")
        sat_cv = sat.row_cvs(rows)
    if tax is not None:
        rows = table.taxes.index.astype(str)
        unknown = [r for r in tax.known_rows() if r not in rows]
        if unknown:
            raise LabelError(f"TaxCoefficients: unknown tax(es) {unknown}; valid options are {list(rows)}")
        tax_cv = tax.row_cvs(rows)
    is_mult, _ = _is_multipliers(func)
    stackable = is_mult and not names and table.meta.import_convention == "domestic" and tech is not None
    can_stack = stackable and columns is None
    # a few columns: rows of the Woodbury update (analysis.multipliers_columns), when every column of the base
    # table sums below one (so every draw whose changed columns do is productive) and no row is perturbed
    can_columns = (
        stackable
        and columns is not None
        and sat is None
        and tax is None
        and bool((table.arrays.Z.sum(axis=0) * table.arrays.inv_output < 1.0).all())
    )
    if batched is None:
        # large tables: one matrix-free solver per draw, warm-started from the previous draw (run_chunk), instead of
        # blocks of n x n matrices
        batched = (can_stack and not la.use_krylov(table.n)) or can_columns
    elif batched and not (can_stack or can_columns):
        raise ValidationError(
            "batched=True needs func to be iomodel.multipliers (or a functools.partial of it), a perturbation of "
            "the technical coefficients, no drawn parameters and a table in the domestic convention (with "
            "sectors= of the perturbation: no satellite or tax perturbation and every column sum of A below one)"
        )
    if seed is None:
        entropy = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    else:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise ValidationError(f"seed must be a non-negative integer, got {seed!r}")
        entropy = int(seed)
    return Plan(
        func=func,
        table=table,
        names=names,
        distributions=dists,
        technology=tech,
        satellites=sat,
        taxes=tax,
        entropy=entropy,
        columns=columns,
        sat_cv=sat_cv,
        tax_cv=tax_cv,
        batched=bool(batched),
        fixed=fixed,
    )


def _draw(p: Plan, d: int) -> tuple[list[float], np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Parameter values and perturbed arrays of draw ``d`` (``A``, satellite and tax factors)."""
    rng = p.rng(d)
    values = [float(dist.sample(rng)) for dist in p.distributions]
    A = sat = tax = None
    if p.technology is not None:
        A = p.technology.perturb(p.table.arrays.A, rng, p.columns)
    if p.sat_cv is not None and p.satellites is not None:
        sat = p.satellites.factors(rng, p.sat_cv, p.table.n)
    if p.tax_cv is not None and p.taxes is not None:
        tax = p.taxes.factors(rng, p.tax_cv, p.table.n)
    return values, A, sat, tax


def _table_of(p: Plan, d: int, A: np.ndarray | None, sat: np.ndarray | None, tax: np.ndarray | None) -> IOTable:
    t = p.table
    try:
        if A is not None:
            t = t.with_coefficients(A)
    except NotProductiveError as exc:
        raise NotProductiveError(f"draw {d} (seed {p.entropy}): {exc}", positions=exc.positions) from None
    if sat is not None:
        s = t.satellites
        t = t.with_satellites(s * sat)
    if tax is not None:
        x = t.taxes
        t = t.with_taxes(x * tax)
    return t


def warm_start(table: IOTable, previous: la.KrylovSolver | None) -> la.KrylovSolver | None:
    """Seed a large draw's matrix-free solver with the previous draw's solutions; return its solver.

    On tables where ``method="auto"`` solves by GMRES (:func:`iomodel.linalg.use_krylov`),
    the solver of ``table`` (:meth:`iomodel.IOTable.factor`) starts each solve
    from the previous draw's solution of the same shape: nearby tables have
    nearby solutions, so GMRES needs fewer products. The answers agree with
    cold starts to the residual tolerance (about ``1e-13`` relative), not bit
    for bit, and the first draw of every chunk starts cold; small tables
    (LU) are untouched and stay bit-for-bit reproducible.
    """
    if not la.use_krylov(table.n):
        return None
    solver = table.factor()
    if not isinstance(solver, la.KrylovSolver):
        return None
    return solver.warm_start(previous)


def evaluate(p: Plan, table: IOTable, params: Mapping[str, Any], where: str) -> xr.Dataset:
    """``func(table, **params)`` as a Dataset; the error of a failed call says which draw or point."""
    try:
        out = p.func(table, **params, **p.fixed)
    except TypeError as exc:
        raise ValidationError(f"{where}: calling the function with {sorted(params)} failed: {exc}") from exc
    return to_dataset(out, p.func)


def run_chunk(p: Plan, start: int, stop: int) -> tuple[xr.Dataset, np.ndarray]:
    """Draws ``start`` to ``stop - 1``: the stacked results and the parameter values ``(draws, k)``."""
    draws = range(start, stop)
    values = np.empty((len(draws), len(p.names)))
    if p.batched and p.columns is not None and p.technology is not None:
        _, kw = _is_multipliers(p.func)
        block = np.ascontiguousarray(p.table.arrays.A[:, p.columns])
        nonzero = np.flatnonzero(block)
        D = np.empty((len(draws), p.table.n, len(p.columns)))
        for i, rng in enumerate(p.rngs(start, stop)):
            D[i] = p.technology.perturb_block(block, rng, nonzero) - block
        sums = (block[None, :, :] + D).sum(axis=1)
        if not (sums < 1.0).all():
            i, c = (int(v) for v in np.argwhere(~(sums < 1.0))[0])
            j = int(p.columns[c])
            raise NotProductiveError(
                f"draw {start + i} (seed {p.entropy}): the coefficients of sector {p.table.sectors[j]!r} sum to "
                f"{sums[i, c]:.6g} >= 1: its inputs would exceed its output",
                positions=[j],
            )
        da = multipliers_columns(p.table, p.columns, D, **{**kw, **p.fixed})
        ds = da.assign_coords({dims.DRAW: np.arange(start, stop)}).to_dataset(promote_attrs=True)
        return ds, values
    if p.batched:
        return _stacked_chunk(p, start, stop), values
    parts = []
    previous: la.KrylovSolver | None = None
    for i, d in enumerate(draws):
        vals, Ad, sd, td = _draw(p, d)
        values[i] = vals
        t = _table_of(p, d, Ad, sd, td)
        previous = warm_start(t, previous)
        parts.append(evaluate(p, t, dict(zip(p.names, vals, strict=True)), f"draw {d}"))
    ds = stack(parts, pd.Index(list(draws), name=dims.DRAW), "draws")
    return ds, values


def _stacked_chunk(p: Plan, start: int, stop: int) -> xr.Dataset:
    """Draws ``start`` to ``stop - 1`` of multipliers, solved in blocks of stacked LAPACK calls.

    Block by block (:data:`iomodel.analysis.BLOCK` draws, small enough for the
    cache): each draw's generator gives the numbers :func:`_draw` would take
    from it, in the same order (no parameter is drawn on this path:
    technology, then satellites, then taxes); the matrices :math:`I - A_d`
    are written into one buffer (for lognormal noise only the non-zero
    coefficients change) and solved by :class:`~iomodel.analysis.StackedMultipliers`
    into one array, labelled once.
    """
    _, kw = _is_multipliers(p.func)
    stacked = StackedMultipliers(p.table, **{**kw, **p.fixed})
    t = p.table
    n = t.n
    base = t.arrays.A
    out = np.empty((stop - start, *stacked.shape))
    size = min(BLOCK, stop - start)
    tech = p.technology
    nonzero = np.flatnonzero(base)  # the same in every draw
    base_rest = 1.0 - t.arrays.Z.sum(axis=0) * t.arrays.inv_output  # as IOTable.rest_scale computes it
    has_rest = not np.isclose(base_rest, 0.0, atol=1e-12).any()
    # one buffer: each draw's -A, then I - A in place; zero outside the non-zero coefficients block after block
    M = np.zeros((size, n, n))
    diag = np.arange(n) * (n + 1)
    zero_diag = diag[base.reshape(-1)[diag] == 0]  # diagonal places the draws never write
    n_sat, n_tax = len(t.satellites.index), len(t.taxes.index)
    sat = np.empty((size, n_sat, n)) if p.sat_cv is not None else None
    tax = np.empty((size, n_tax, n)) if p.tax_cv is not None else None
    gens = p.rngs(start, stop)
    for a in range(start, stop, size):
        b = min(a + size, stop)
        m = b - a
        rngs = gens[a - start : b - start]
        Ab = M[:m]
        if isinstance(tech, LognormalCoefficients):
            tech.perturb_stack(base, rngs, nonzero, out=Ab, negate=True)  # -A of each draw
        else:
            for i, rng in enumerate(rngs):
                np.negative(base if tech is None else tech.perturb(base, rng), out=Ab[i])
        for i, rng in enumerate(rngs):
            if sat is not None and p.satellites is not None and p.sat_cv is not None:
                sat[i] = p.satellites.factors(rng, p.sat_cv, n)
            if tax is not None and p.taxes is not None and p.tax_cv is not None:
                tax[i] = p.taxes.factors(rng, p.tax_cv, n)
        sums = Ab.sum(axis=1)  # minus the column sums of each draw's A (exactly: negation commutes with rounding)
        np.negative(sums, out=sums)
        bad = ~(sums < 1.0).all(axis=1)
        if bad.any():  # name the draw, and the sector through the table's own check of that draw
            i = int(np.flatnonzero(bad)[0])
            try:
                t.rest_scale(sums[i][None, :])
            except NotProductiveError as exc:
                raise NotProductiveError(f"draw {a + i} (seed {p.entropy}): {exc}", positions=exc.positions) from None
        if has_rest:  # IOTable.rest_scale's r_j = (1 - sum_i a*_ij) / (1 - sum_i a_ij), without its per-call checks
            rest = np.subtract(1.0, sums, out=sums)
            rest /= base_rest
        else:  # a column without imports, taxes or value added: rest_scale's own rules (and error)
            rest = t.rest_scale(sums[:, None, :])  # the column sums of each draw's A are all rest_scale needs
        flat = Ab.reshape(m, n * n)
        flat[:, diag] += 1.0  # I - A
        stacked.solve(
            Ab,
            out[a - start : b - start],
            rest_scale=rest,
            satellite_scale=None if sat is None else sat[:m],
            tax_scale=None if tax is None else tax[:m],
            first=a,
        )
        flat[:, zero_diag] = 0.0  # the next block's A: the draws write every non-zero place, this clears the rest
    return stacked.label(out, np.arange(start, stop)).to_dataset(promote_attrs=True)


def _as_completed() -> Any:
    """``distributed.as_completed``, or an error that says what to install."""
    try:
        from distributed import as_completed
    except ImportError:  # pragma: no cover - the dask extra is installed in CI
        raise ValidationError("client= needs dask.distributed; install it with `pip install iomodel[dask]`") from None
    return as_completed


def _progress(progress: bool | None, total: int, desc: str) -> Any:
    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="draw", disable=not progress, leave=False)


def _chunks(draws: int, chunk_size: int) -> list[tuple[int, int]]:
    return [(a, min(a + chunk_size, draws)) for a in range(0, draws, chunk_size)]


def _default_chunk(p: Plan, draws: int, client: Any) -> int:
    if p.batched and p.columns is not None:
        per = 8 * p.table.n * (len(p.columns) * 3 + 40)  # D, the rows of L* and the corrections of each draw
        size = max(1, CHUNK_BYTES // per)
    elif p.batched:
        # the chunk's results (the rows of the indicators, consumption taxes included); its matrices are solved a
        # block at a time, whatever the chunk's size
        per = 8 * p.table.n * (8 + len(p.table.satellites.index) + len(p.table.taxes.index))
        size = max(1, CHUNK_BYTES // per)
    else:
        size = 64
    if client is not None:
        info: dict[str, Any] = client.scheduler_info() if hasattr(client, "scheduler_info") else {}
        workers = max(1, len(info.get("workers", {})))
        # several chunks per worker, so that a slow worker does not hold the run; stacked chunks are large (a chunk's
        # memory is its results): eight per worker
        per_worker = 8 if (p.batched and p.columns is None) else 4
        size = min(size, max(1, math.ceil(draws / (per_worker * workers))))
    return int(max(1, min(size, draws)))


def run(
    p: Plan,
    draws: int,
    *,
    client: Any = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    desc: str = "draws",
) -> tuple[xr.Dataset, np.ndarray]:
    """Run every draw of a plan, in chunks, serially or on a Dask client; results in draw order."""
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ValidationError(f"draws must be an integer >= 1, got {draws!r}")
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1):
        raise ValidationError(f"chunk_size must be an integer >= 1, got {chunk_size!r}")
    if p.technology is not None and p.columns is not None and not p.batched:
        p.table.factor()  # the base factorisation each draw's low-rank update starts from
    size = chunk_size or _default_chunk(p, int(draws), client)
    chunks = _chunks(int(draws), size)
    results: list[tuple[xr.Dataset, np.ndarray] | None] = [None] * len(chunks)
    with _progress(progress, int(draws), desc) as bar:
        if client is None:
            for i, (a, b) in enumerate(chunks):
                results[i] = run_chunk(p, a, b)
                bar.update(b - a)
        else:
            as_completed = _as_completed()
            remote = client.scatter(p, broadcast=True, hash=False)  # a fresh key per run: reruns never share one
            futures = {client.submit(run_chunk, remote, a, b, pure=False): i for i, (a, b) in enumerate(chunks)}
            for fut in as_completed(list(futures)):
                i = futures[fut]
                results[i] = fut.result()
                a, b = chunks[i]
                bar.update(b - a)
    done = [r for r in results if r is not None]
    ds = done[0][0] if len(done) == 1 else stack([r[0] for r in done], dims.DRAW, "draws")
    values = np.concatenate([r[1] for r in done], axis=0)
    return ds, values


def monte_carlo(
    func: Func,
    table: IOTable,
    *,
    draws: int,
    coefficients: Any = None,
    parameters: Mapping[str, Any] | None = None,
    seed: int | None = None,
    client: Any = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    batched: bool | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    r"""Monte Carlo draws of ``func(table, **params)`` under uncertain coefficients and parameters.

    METHODS.md section 6.1; the module docstring says how draws are seeded,
    chunked and batched.

    Parameters
    ----------
    func
        A function of ``(table, **params)`` returning an
        :class:`xarray.DataArray` or :class:`xarray.Dataset`, e.g.
        :func:`iomodel.multipliers`, a :func:`functools.partial` of it, or
        :class:`~iomodel.sensitivity.ScenarioOutcome` for impacts and fiscal
        accounts.
    table
        The base table.
    draws
        Number of draws (at least 1).
    coefficients
        A perturbation or a list of them: :class:`LognormalCoefficients` or
        :class:`DirichletCoefficients` (technical coefficients),
        :class:`SatelliteCoefficients`, :class:`TaxCoefficients`.
    parameters
        ``{name: distribution}`` for keyword arguments of ``func``
        (:class:`Normal`, :class:`Uniform`, :class:`Triangular`, :class:`Beta`).
    seed
        Seed of the run (default: fresh entropy, stored in ``attrs["seed"]``
        so the run can be repeated).
    client
        A ``dask.distributed.Client``: chunks run on its workers; the numbers
        are the same as serially.
    chunk_size
        Draws per chunk (default: about 64 MiB of results for a batched run,
        whose matrices are solved a block at a time, 64 draws otherwise;
        smaller chunks on a client so every worker gets several).
    progress
        Progress bar (tqdm); default on when standard error is a terminal.
    batched
        Solve chunks of :func:`iomodel.multipliers` in one stacked call
        (default: whenever possible, except that tables of at least
        :data:`iomodel.linalg.KRYLOV_MIN_SIZE` sectors with every column
        perturbed are solved draw by draw, by GMRES warm-started from the
        previous draw, see :func:`warm_start`).
    fixed
        Keyword arguments passed to every call unchanged.

    Returns
    -------
    xarray.Dataset
        The variables of ``func``'s result with a leading ``draw`` dimension,
        each drawn parameter as a coordinate along ``draw``, and in ``attrs``
        the seed, the number of draws, the perturbation spec and the backend.

    Raises
    ------
    ValidationError
        ``draws < 1``, a negative CV, an unlabelled result, a bad seed.
    LabelError
        A parameter ``func`` does not take, an unknown sector, satellite or tax.
    NotProductiveError
        A draw that makes a column's inputs exceed its output (only possible
        with ``keep_column_sums=False``); the draw and the seed are named. It
        is refused, not resampled or clipped.

    Examples
    --------
    >>> import iomodel as iom
    >>> from iomodel import sensitivity as sa
    >>> t = iom.datasets.miller_blair()
    >>> ds = sa.monte_carlo(iom.multipliers, t, draws=500, seed=1,
    ...                     coefficients=sa.LognormalCoefficients(cv=0.1, keep_column_sums=False))
    >>> ds["multiplier"].sizes["draw"], ds.attrs["seed"]
    (500, 1)
    >>> m = ds["multiplier"].sel(indicator="output").mean("draw").values
    >>> m.round(2)   # close to the multipliers at the mean coefficients, 1.52 and 1.45
    array([1.52, 1.45])
    """
    p = plan(func, table, coefficients=coefficients, parameters=parameters, seed=seed, batched=batched, fixed=fixed)
    ds, values = run(p, draws, client=client, chunk_size=chunk_size, progress=progress, desc="Monte Carlo")
    coords = {name: (dims.DRAW, values[:, i]) for i, name in enumerate(p.names)}
    if coords or not np.array_equal(ds[dims.DRAW].values, np.arange(int(draws))):
        ds = ds.assign_coords({dims.DRAW: np.arange(int(draws)), **coords})
    ds.attrs.update(
        {
            "sensitivity": "monte_carlo",
            "seed": p.entropy,
            "draws": int(draws),
            "perturbation": p.spec(),
            "parameters": ", ".join(p.names),
            "backend": "dask" if client is not None else p.backend,
            "seeding": "numpy SeedSequence(seed, spawn_key=(draw,)) per draw",
        }
    )
    return ds


def points_chunk(p: Plan, points: Sequence[Mapping[str, Any]], offset: int) -> xr.Dataset:
    """``func(table, **point)`` for each point, stacked on ``scenario`` (positions from ``offset``)."""
    parts = [evaluate(p, p.table, pt, f"point {offset + i} {dict(pt)}") for i, pt in enumerate(points)]
    idx = pd.Index(np.arange(offset, offset + len(points)), name=dims.SCENARIO)
    return stack(parts, idx, "points")


def run_points(
    p: Plan,
    points: Sequence[Mapping[str, Any]],
    *,
    client: Any = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    desc: str = "points",
) -> xr.Dataset:
    """Evaluate ``func`` at given parameter points (a grid or a design), serially or on a Dask client."""
    if not points:
        raise ValidationError("no points to evaluate")
    size = chunk_size or max(1, min(64, math.ceil(len(points) / (8 if client is not None else 1))))
    chunks = _chunks(len(points), size)
    results: list[xr.Dataset | None] = [None] * len(chunks)
    with _progress(progress, len(points), desc) as bar:
        if client is None:
            for i, (a, b) in enumerate(chunks):
                results[i] = points_chunk(p, points[a:b], a)
                bar.update(b - a)
        else:
            as_completed = _as_completed()
            remote = client.scatter(p, broadcast=True, hash=False)  # a fresh key per run: reruns never share one
            futures = {}
            for i, (a, b) in enumerate(chunks):
                futures[client.submit(points_chunk, remote, list(points[a:b]), a, pure=False)] = i
            for fut in as_completed(list(futures)):
                i = futures[fut]
                results[i] = fut.result()
                a, b = chunks[i]
                bar.update(b - a)
    return stack([r for r in results if r is not None], dims.SCENARIO, "points")
