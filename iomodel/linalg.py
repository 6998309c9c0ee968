"""Pure array kernels of the Leontief model.

Everything here takes and returns :mod:`numpy` (or :mod:`scipy.sparse`) arrays
and knows nothing of labels; :class:`iomodel.IOTable` converts at the boundary.
Formulas and sources are in docs/math.md and Miller & Blair
(2009), chapters 2, 6 and 12.

The central object is :class:`LeontiefFactor`, a factorisation of ``I - A``
computed once and reused for

* output solves ``x = L f`` for many right-hand sides (:meth:`LeontiefFactor.solve`),
* multiplier rows ``m' = s' L`` through the transposed system
  ``(I - A)' m = s`` (:meth:`LeontiefFactor.solve_transposed`),
* the full inverse ``L``, formed only on request (:meth:`LeontiefFactor.inverse`),
* solves after some columns of ``A`` change, without refactorising
  (Woodbury identity, :func:`update_columns` and :class:`LowRankUpdate`).

For few right-hand sides on a large dense table, :class:`KrylovSolver` solves
the same systems matrix-free (GMRES on products with ``I - A``), with no
factorisation and no ``n x n`` work unless it is asked for (docs/math.md,
"Matrix-free solves").

Household closure (Type II) is done with the partitioned inverse from the same
factorisation: no second factorisation of the ``(n+1)`` system is needed
(:class:`ClosedLeontief`).
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, TypeGuard

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .errors import ConvergenceError, IOModelWarning, NotProductiveError, ValidationError

logger = logging.getLogger(__name__)

__all__ = [
    "ClosedLeontief",
    "KrylovSolver",
    "LeontiefFactor",
    "LowRankUpdate",
    "allocation_coefficients",
    "check_productive",
    "check_productive_matrix_free",
    "choose_method",
    "close_households",
    "factorize",
    "ghosh_inverse",
    "krylov_solver",
    "reciprocal",
    "sherman_morrison_column",
    "spectral_radius",
    "technical_coefficients",
    "update_columns",
    "use_krylov",
]

ArrayLike = np.ndarray
#: A square coefficient (or flow) matrix: a dense array or a :mod:`scipy.sparse` array or matrix.
Matrix: TypeAlias = np.ndarray | sp.sparray | sp.spmatrix
Method = Literal["auto", "lu", "krylov", "dense", "splu", "gmres"]

#: Tables at or above this size, sparse enough, go to the sparse path by default.
SPARSE_MIN_SIZE = 2000
#: Density (share of non-zero coefficients) at or below which ``auto`` picks a sparse path.
SPARSE_MAX_DENSITY = 0.10
#: Relative residual that every solve must meet, whatever the method.
RESIDUAL_RTOL = 1e-9
#: ``auto`` solves dense tables of at least this many sectors matrix-free (:class:`KrylovSolver`).
KRYLOV_MIN_SIZE = 1000
#: ... when a call has at most ``n // KRYLOV_RHS_SHARE`` right-hand sides (at least one); more go to an LU.
KRYLOV_RHS_SHARE = 100
#: Right-hand sides solved together by :class:`KrylovSolver` (one product with ``I - A`` per iteration for all),
#: at least; ``n // 600`` on larger tables (a group's full basis, ``61 n`` floats per column, is then at most a
#: tenth of ``Z`` from ``n = 4880``; it grows with the iterations, about 7 on typical tables).
KRYLOV_GROUP = 8
#: GMRES stops at this relative residual ``||b - (I - A) x|| / ||b||`` (then the check of :data:`RESIDUAL_RTOL`).
KRYLOV_RTOL = 1e-13
#: GMRES restart length (the Krylov basis kept, ``n x restart`` floats).
KRYLOV_RESTART = 60
#: GMRES iterations (products with ``I - A``) per right-hand side before a solve counts as stalled
#: (rounded up to whole restart cycles: four of :data:`KRYLOV_RESTART`).
KRYLOV_MAXITER = 240


def _is_sparse(A: object) -> TypeGuard[sp.sparray | sp.spmatrix]:
    """:func:`scipy.sparse.issparse`, telling the type checker what it found."""
    return bool(sp.issparse(A))


def reciprocal(
    x: ArrayLike, *, zero_output: Literal["raise", "zero"] = "raise", what: str = "gross output"
) -> np.ndarray:
    r"""Elementwise :math:`1/x` of a divisor such as gross output, with an explicit zero policy.

    The column divisor of every coefficient (:math:`\hat x^{-1}`). A zero
    divisor makes the coefficients of that sector undefined; silently mapping
    it to 0 hides a data problem, so the default raises.

    Parameters
    ----------
    x
        ``(n,)`` divisor, e.g. gross output.
    zero_output
        ``"raise"`` (default): a zero raises :class:`ValidationError` carrying
        the positions (``IOTable`` turns them into sector labels). ``"zero"``:
        ``1/0`` is set to 0, an explicit choice the caller makes.
    what
        Name of the divisor in error messages.

    Returns
    -------
    numpy.ndarray
        A new float array of the same shape.

    Raises
    ------
    ValidationError
        ``x`` is not finite, or is zero with ``zero_output="raise"``, or
        ``zero_output`` is not a valid option.

    Examples
    --------
    >>> import numpy as np
    >>> reciprocal(np.array([1000.0, 2000.0]))
    array([0.001 , 0.0005])
    >>> reciprocal(np.array([4.0, 0.0]), zero_output="zero")
    array([0.25, 0.  ])
    >>> reciprocal(np.array([4.0, 0.0]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    iomodel.errors.ValidationError: gross output is zero at position(s) [1]: coefficients are undefined; ...
    """
    if zero_output not in ("raise", "zero"):
        raise ValidationError(f"zero_output must be 'raise' or 'zero', not {zero_output!r}")
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):
        bad = np.flatnonzero(~np.isfinite(x))
        raise ValidationError(f"{what} is not finite at position(s) {bad.tolist()}", positions=bad)
    zero = x == 0
    if zero.any():
        bad = np.flatnonzero(zero)
        if zero_output == "raise":
            raise ValidationError(
                f"{what} is zero at position(s) {bad.tolist()}: coefficients are undefined; "
                "drop or aggregate those sectors (array kernels also accept zero_output='zero' "
                "to set their coefficients to 0 explicitly)",
                positions=bad,
            )
    inv = np.zeros_like(x)
    np.divide(1.0, x, out=inv, where=~zero)
    return inv


def technical_coefficients(
    Z: ArrayLike, x: ArrayLike, *, zero_output: Literal["raise", "zero"] = "raise"
) -> np.ndarray:
    r"""Input (technical) coefficients :math:`A = Z\hat{x}^{-1}`.

    Miller & Blair (2009) eq. 2.4; docs/math.md.

    Parameters
    ----------
    Z
        ``(n, n)`` intermediate flows, row sells to column.
    x
        ``(n,)`` gross output (the column divisor).
    zero_output
        ``"raise"`` (default): a zero in ``x`` raises :class:`ValidationError`
        with its position. ``"zero"``: the columns of zero-output sectors are
        set to 0, an explicit choice the caller makes.

    Returns
    -------
    numpy.ndarray
        ``A`` with ``a_ij = z_ij / x_j``.

    Examples
    --------
    >>> import numpy as np
    >>> technical_coefficients(np.array([[150., 500.], [200., 100.]]), np.array([1000., 2000.]))
    array([[0.15, 0.25],
           [0.2 , 0.05]])
    """
    inv = reciprocal(x, zero_output=zero_output)
    if sp.issparse(Z):
        return sp.csc_array(Z @ sp.diags_array(inv))
    return np.asarray(Z, dtype=float) * inv[np.newaxis, :]


def allocation_coefficients(
    Z: ArrayLike, x: ArrayLike, *, zero_output: Literal["raise", "zero"] = "raise"
) -> np.ndarray:
    r"""Ghosh allocation coefficients :math:`B = \hat{x}^{-1} Z`.

    Miller & Blair (2009) ch. 12; docs/math.md.

    Examples
    --------
    >>> import numpy as np
    >>> allocation_coefficients(np.array([[150., 500.], [200., 100.]]), np.array([1000., 2000.]))
    array([[0.15, 0.5 ],
           [0.1 , 0.05]])
    """
    inv = reciprocal(x, zero_output=zero_output)
    return np.asarray(Z, dtype=float) * inv[:, np.newaxis]


def spectral_radius(A: Matrix) -> float:
    r"""Spectral radius :math:`\rho(A)` of a non-negative matrix.

    For a non-negative matrix the spectral radius is the Perron root, a real
    eigenvalue. Small matrices use a full eigenvalue decomposition; large ones
    the implicitly restarted Arnoldi method (ARPACK) for the eigenvalue of
    largest magnitude.

    Examples
    --------
    >>> import numpy as np
    >>> round(spectral_radius(np.array([[0.15, 0.25], [0.2, 0.05]])), 6)
    0.329129
    """
    n = A.shape[0]
    if n == 0:
        return 0.0
    if n <= 600 and not sp.issparse(A):
        return float(np.max(np.abs(np.linalg.eigvals(np.asarray(A, dtype=float)))))
    vals = spla.eigs(A, k=1, which="LM", return_eigenvectors=False, tol=1e-10, maxiter=10_000)
    return float(np.abs(vals[0]))


def check_productive(A: Matrix) -> float:
    """Raise :class:`NotProductiveError` unless ``rho(A) < 1``; return ``rho`` or a bound.

    All column sums below one are sufficient (Miller & Blair 2009, ch. 2;
    docs/math.md) and cheap; only when some column sum reaches one is
    the spectral radius computed. The error carries the positions of columns
    whose sums are at or above one, the usual culprits.

    Returns
    -------
    float
        The largest column sum when every column sum is below one (an upper
        bound of the spectral radius), otherwise the spectral radius itself.
    """
    colsum = np.asarray(A.sum(axis=0)).ravel()
    if colsum.size == 0 or colsum.max() < 1.0:
        return float(colsum.max()) if colsum.size else 0.0
    rho = spectral_radius(A)
    if rho >= 1.0:
        bad = np.flatnonzero(colsum >= 1.0)
        raise NotProductiveError(
            f"the coefficient matrix is not productive: spectral radius {rho:.6g} >= 1; "
            f"column sums at or above 1 at position(s) {bad.tolist()} "
            f"(largest {colsum.max():.6g})",
            positions=bad,
        )
    return rho


def check_productive_matrix_free(colsum: ArrayLike, apply: Callable[[np.ndarray, bool], np.ndarray]) -> float:
    r""":func:`check_productive` without ``A``: from its column sums and products :math:`(I - A)x`.

    All column sums below one suffice; otherwise the spectral radius comes
    from ARPACK on the operator :math:`x \mapsto x - (I - A)x` (no
    ``n x n`` array is formed).

    Parameters
    ----------
    colsum
        ``(n,)`` column sums of ``A``.
    apply
        ``apply(X, trans)`` returning :math:`(I - A)X` (``trans`` false).

    Returns
    -------
    float
        As :func:`check_productive`.

    Raises
    ------
    NotProductiveError
        ``rho(A) >= 1``, with the positions of the columns summing to one or more.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.2, 0.05]])
    >>> check_productive_matrix_free(A.sum(axis=0), lambda X, trans: X - A @ X)
    0.35
    """
    colsum = np.asarray(colsum, dtype=float)
    if colsum.size == 0 or colsum.max() < 1.0:
        return float(colsum.max()) if colsum.size else 0.0
    n = colsum.size
    if n <= 2:
        Ad = np.column_stack([e - apply(e, False) for e in np.eye(n)])
        rho = float(np.max(np.abs(np.linalg.eigvals(Ad))))
    else:
        op = spla.LinearOperator((n, n), matvec=lambda v: v - apply(v, False), dtype=float)
        vals = spla.eigs(op, k=1, which="LM", return_eigenvectors=False, tol=1e-10, maxiter=10_000)
        rho = float(np.abs(vals[0]))
    if rho >= 1.0:
        bad = np.flatnonzero(colsum >= 1.0)
        raise NotProductiveError(
            f"the coefficient matrix is not productive: spectral radius {rho:.6g} >= 1; "
            f"column sums at or above 1 at position(s) {bad.tolist()} "
            f"(largest {colsum.max():.6g})",
            positions=bad,
        )
    return rho


def use_krylov(n: int, rhs: int | None = None) -> bool:
    r"""Whether ``auto`` solves matrix-free (:class:`KrylovSolver`) rather than through an LU.

    ``True`` when the table has at least :data:`KRYLOV_MIN_SIZE` sectors and,
    if the number of right-hand sides ``rhs`` of a call is given, it is at
    most ``max(1, n // KRYLOV_RHS_SHARE)``. Measured with one BLAS thread on
    random dense tables with column sums 0.3-0.7 (GMRES converges there in
    5-8 products per right-hand side), LU (``lu_factor`` and the solves)
    against :class:`KrylovSolver` (best of three): at ``n = 1000`` 0.036 s
    against 0.019 s for 7 right-hand sides, 0.026 s against 0.036 s for 10,
    0.017 s against 0.024 s for 20 (within about 10 ms either way); at
    ``n = 2000`` 0.195 s against 0.057 s for 7, 0.157 s against 0.130 s for
    20, 0.215 s against 0.550 s for 60; at ``n = 4000`` 1.53 s against
    0.33 s for 7, 1.34 s against 0.83 s for 40, 1.15 s against 1.59 s for 60.
    The break-even grows with ``n`` (LU :math:`\tfrac23 n^3`, GMRES about
    ``8 k`` products of ``2 n^2``), near ``n / 70``; ``n / 100`` keeps GMRES
    where it wins. Below ``n = 1000`` the LU costs a few milliseconds
    (docs/math.md, "Matrix-free solves").

    Examples
    --------
    >>> use_krylov(68), use_krylov(4000), use_krylov(4000, rhs=40), use_krylov(4000, rhs=41)
    (False, True, True, False)
    """
    if n < KRYLOV_MIN_SIZE:
        return False
    return rhs is None or rhs <= max(1, n // KRYLOV_RHS_SHARE)


def choose_method(A: Matrix, method: Method = "auto") -> Literal["dense", "splu", "gmres", "krylov"]:
    """The solver :func:`factorize` uses for ``A`` under ``method``.

    ``"auto"`` picks ``"dense"`` (LU) below :data:`KRYLOV_MIN_SIZE` sectors;
    ``"gmres"`` (GMRES on a sparse ``I - A``) from :data:`SPARSE_MIN_SIZE`
    sectors with at most :data:`SPARSE_MAX_DENSITY` non-zero coefficients;
    otherwise ``"krylov"`` (:class:`KrylovSolver`: matrix-free GMRES for few
    right-hand sides, an LU built on request for many, see
    :func:`use_krylov`). ``"lu"`` is the direct factorisation: ``"dense"``
    for a dense ``A``, ``"splu"`` for a sparse one. Any array with the
    sparsity pattern of ``A`` (e.g. the flows ``Z``) gives the same answer,
    so a caller can decide before forming ``A``.

    Raises
    ------
    ValidationError
        Unknown ``method``, naming the valid options.

    Examples
    --------
    >>> import numpy as np
    >>> choose_method(np.array([[0.15, 0.25], [0.2, 0.05]]))
    'dense'
    >>> choose_method(np.eye(2), "lu"), choose_method(np.eye(2), "krylov")
    ('dense', 'krylov')
    >>> choose_method(np.eye(2), "qr")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    iomodel.errors.ValidationError: unknown method 'qr'; valid options are 'auto', 'lu', 'krylov', ...
    """
    if method != "auto":
        if method not in ("lu", "krylov", "dense", "splu", "gmres"):
            raise ValidationError(
                f"unknown method {method!r}; valid options are 'auto', 'lu', 'krylov', 'dense', 'splu', 'gmres'"
            )
        if method == "lu":
            return "splu" if _is_sparse(A) else "dense"
        return method
    n = A.shape[0]
    if n < min(KRYLOV_MIN_SIZE, SPARSE_MIN_SIZE):
        return "dense"
    nnz = A.nnz if _is_sparse(A) else int(np.count_nonzero(A))
    density = nnz / float(n * n)
    if n >= SPARSE_MIN_SIZE and density <= SPARSE_MAX_DENSITY:
        return "gmres"
    return "krylov" if use_krylov(n) else "dense"


@dataclass
class LeontiefFactor:
    r"""A factorisation of :math:`I - A`, computed once, solved many times.

    Build it with :func:`factorize`. The dense path is an LU factorisation
    (LAPACK ``getrf``); the sparse paths are a sparse LU (SuperLU) or a
    Krylov solve (GMRES) of each right-hand side, which on large sparse
    multi-regional tables avoids the fill-in of a sparse LU. Every solve is
    checked: the relative residual must be below :data:`RESIDUAL_RTOL`. For
    the dense path the check uses the operator passed as ``apply`` to
    :func:`factorize` (a product with the stored flows, so no second
    ``n x n`` array is needed); without it, dense solves are not re-checked.

    Attributes
    ----------
    n
        Number of sectors.
    method
        ``"dense"``, ``"splu"`` or ``"gmres"``.
    """

    n: int
    method: Literal["dense", "splu", "gmres"]  # "krylov" is KrylovSolver
    _lu: tuple | None = field(default=None, repr=False)
    _splu: spla.SuperLU | None = field(default=None, repr=False)
    _M: sp.csc_array | sp.csr_array | None = field(default=None, repr=False)  # I - A (sparse paths)
    _inverse: np.ndarray | None = field(default=None, repr=False)
    _apply: Callable[[np.ndarray, bool], np.ndarray] | None = field(default=None, repr=False)
    _MT: sp.csr_array | None = field(default=None, repr=False)  # (I - A)', formed on the first transposed GMRES solve

    # -- solves -------------------------------------------------------------
    def solve(self, F: ArrayLike) -> np.ndarray:
        r"""Solve :math:`(I - A) X = F`, i.e. :math:`X = L F`.

        Parameters
        ----------
        F
            ``(n,)`` or ``(n, k)`` right-hand side(s), e.g. final demand.

        Returns
        -------
        numpy.ndarray
            Same shape as ``F``.
        """
        return self._solve(F, trans=False)

    def solve_transposed(self, S: ArrayLike) -> np.ndarray:
        r"""Row solves :math:`M = S L` for satellite rows ``S`` of shape ``(k, n)``.

        Computed as :math:`(I - A)' M' = S'`, so no inverse is formed
        (docs/math.md: :math:`M = SL`).

        Parameters
        ----------
        S
            ``(n,)`` or ``(k, n)`` coefficient rows.

        Returns
        -------
        numpy.ndarray
            Same shape as ``S``.
        """
        S = np.asarray(S, dtype=float)
        if S.ndim == 1:
            return self._solve(S, trans=True)
        return self._solve(S.T, trans=True).T

    def inverse(self) -> np.ndarray:
        r"""The Leontief inverse :math:`L = (I - A)^{-1}` (formed once, cached, read-only)."""
        if self._inverse is None:
            L = self.solve(np.eye(self.n))
            L.flags.writeable = False
            self._inverse = L
        return self._inverse

    def _rhs_check(self, B: np.ndarray) -> np.ndarray:
        B = np.asarray(B, dtype=float)
        if B.shape[0] != self.n:
            raise ValidationError(f"right-hand side has {B.shape[0]} rows but the system has {self.n} sectors")
        if not np.all(np.isfinite(B)):
            bad = np.flatnonzero(~np.isfinite(B.reshape(self.n, -1)).all(axis=1))
            raise ValidationError(f"right-hand side is not finite at row position(s) {bad.tolist()}", positions=bad)
        return B

    def _solve(self, B: ArrayLike, trans: bool) -> np.ndarray:
        B = self._rhs_check(B)
        if self._inverse is not None:
            L = self._inverse
            return (L.T @ B) if trans else (L @ B)
        if self.method == "dense":
            if self._lu is None:
                raise self._not_built("LU factors")
            # the factors are those of (I - A)' (see factorize): flip the direction
            X = sla.lu_solve(self._lu, B, trans=0 if trans else 1, check_finite=False)
            if self._apply is not None:
                self._verify(B, X, trans)
            return X
        if self.method == "splu":
            if self._splu is None:
                raise self._not_built("a sparse LU")
            X = self._splu.solve(B, trans="T" if trans else "N")
            self._verify(B, X, trans)
            return X
        return self._gmres(B, trans)

    def _not_built(self, what: str) -> ValidationError:
        return ValidationError(f"this {self.method!r} LeontiefFactor holds no {what}; build it with factorize()")

    def _gmres(self, B: np.ndarray, trans: bool) -> np.ndarray:
        if self._M is None:
            raise self._not_built("I - A")
        if trans and self._MT is None:
            self._MT = self._M.T.tocsr()
        M = self._MT if trans else self._M
        cols = B.reshape(self.n, -1)
        X = np.empty_like(cols)
        for k in range(cols.shape[1]):
            b = cols[:, k]
            nb = np.linalg.norm(b)
            if nb == 0.0:
                X[:, k] = 0.0
                continue
            # The Neumann series makes a good start: x0 = b + A b.
            x0 = 2.0 * b - M @ b
            xk, info = spla.gmres(M, b, x0=x0, rtol=1e-13, atol=0.0, restart=60, maxiter=500)
            if info != 0:
                raise ConvergenceError(f"GMRES did not converge on right-hand side {k} (info={info})")
            X[:, k] = xk
        X = X.reshape(B.shape)
        self._verify(B, X, trans)
        return X

    def _verify(self, B: np.ndarray, X: np.ndarray, trans: bool) -> None:
        if self._M is not None:
            M = self._M.T if trans else self._M
            R = (M @ X) - B
        elif self._apply is not None:
            R = self._apply(X, trans) - B
        else:
            raise self._not_built("I - A and no operator to check a solve with")
        scale = max(float(np.max(np.abs(B))), np.finfo(float).tiny)
        err = float(np.max(np.abs(R))) / scale
        if err > RESIDUAL_RTOL:
            raise ConvergenceError(
                f"{self.method} solve residual {err:.3g} exceeds {RESIDUAL_RTOL:.1e}; try method='dense'"
            )


def factorize(
    A: Matrix,
    *,
    method: Method = "auto",
    check: bool = True,
    overwrite_a: bool = False,
    apply: Callable[[np.ndarray, bool], np.ndarray] | None = None,
) -> LeontiefFactor | KrylovSolver:
    r"""Factorise :math:`I - A` once for many solves (or, for ``"krylov"``, prepare matrix-free solves).

    Parameters
    ----------
    A
        ``(n, n)`` coefficient matrix, dense array or :mod:`scipy.sparse` matrix.
    method
        ``"auto"`` (default) picks ``"dense"`` LU below :data:`KRYLOV_MIN_SIZE`
        sectors, ``"gmres"`` on large tables with at most
        :data:`SPARSE_MAX_DENSITY` non-zero coefficients (measured fastest on
        large multi-regional-shaped tables, ``benchmarks/bench_multipliers.py``),
        else ``"krylov"`` (:func:`choose_method`). ``"lu"`` is ``"dense"`` for
        a dense ``A`` and ``"splu"`` (a sparse direct LU) for a sparse one.
        ``"krylov"`` returns a :class:`KrylovSolver` (:func:`krylov_solver`)
        that sends calls of more than ``n // KRYLOV_RHS_SHARE`` right-hand
        sides to an LU built on request.
    check
        Verify productivity first (:func:`check_productive`).
    overwrite_a
        Dense path: build :math:`I - A` in the buffer of ``A`` and factorise it
        in place, so that no second ``n x n`` array is allocated. ``A`` is
        destroyed; pass it only for a scratch array.
    apply
        Optional callable ``apply(X, trans)`` returning :math:`(I-A)X` (or
        :math:`(I-A)'X` when ``trans``), used to verify dense solves without
        keeping ``A`` (``IOTable`` passes products with its flows).

    Returns
    -------
    LeontiefFactor or KrylovSolver

    Examples
    --------
    >>> import numpy as np
    >>> fac = factorize(np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> fac.solve(np.array([600.0, 1500.0])).round(2)
    array([1247.52, 1841.58])
    >>> fac.solve_transposed(np.ones(2)).round(6)   # simple output multipliers
    array([1.518152, 1.452145])
    """
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValidationError(f"A must be square, got shape {A.shape}")
    n = A.shape[0]
    chosen = choose_method(A, method)
    if chosen == "krylov":
        return krylov_solver(A, check=check, max_rhs=max(1, n // KRYLOV_RHS_SHARE))
    if check:
        check_productive(A)
    logger.debug("factorising I - A (n=%d) with %s", n, chosen)
    if chosen == "dense":
        if _is_sparse(A):
            M = np.negative(A.toarray())
        elif overwrite_a and isinstance(A, np.ndarray) and A.dtype == np.float64 and A.flags.writeable:
            M = np.negative(A, out=A)
        else:
            M = np.negative(np.asarray(A, dtype=float))  # fresh buffer, factorised in place
        M[np.diag_indices(n)] += 1.0
        # LAPACK's getrf works on Fortran-ordered arrays; M is C-ordered, so factorising it
        # would copy it. Its transpose is a Fortran-ordered view of the same buffer: factorise
        # (I - A)' in place and flip the solve direction (partial pivoting is as stable).
        lu = sla.lu_factor(M.T, overwrite_a=True, check_finite=False)
        return LeontiefFactor(n=n, method="dense", _lu=lu, _apply=apply)
    As = sp.csc_array(A)
    M = (sp.eye_array(n, format="csc") - As).tocsc()
    if chosen == "splu":
        return LeontiefFactor(n=n, method="splu", _splu=spla.splu(M), _M=M)
    return LeontiefFactor(n=n, method="gmres", _M=M.tocsr())


def _residual_error(R: np.ndarray, B: np.ndarray) -> float:
    """``max|R| / max|B|``, the relative residual every solve is checked with (:data:`RESIDUAL_RTOL`)."""
    scale = max(float(np.max(np.abs(B))) if B.size else 0.0, np.finfo(float).tiny)
    return float(np.max(np.abs(R))) / scale if R.size else 0.0


class _MatrixOperator:
    """``apply(X, trans)``: :math:`(I - A)X` or :math:`(I - A)'X` from ``A`` and its transpose; picklable."""

    def __init__(self, A: Matrix, AT: Matrix) -> None:
        self.A, self.AT = A, AT

    def __call__(self, X: np.ndarray, trans: bool) -> np.ndarray:
        return X - ((self.AT @ X) if trans else (self.A @ X))


def _lu_of(A: Matrix, method: Literal["dense", "splu"], apply: Callable | None) -> LeontiefFactor:
    """The direct factorisation of ``I - A`` a :class:`KrylovSolver` falls back to (picklable through a partial)."""
    return _direct(factorize(A, method=method, check=False, apply=apply))


def _direct(factor: LeontiefFactor | KrylovSolver) -> LeontiefFactor:
    """``factor``, a direct factorisation (what :func:`factorize` returns for ``"dense"`` and ``"splu"``)."""
    if not isinstance(factor, LeontiefFactor):  # pragma: no cover - factorize returns one for those methods
        raise TypeError(f"expected a LeontiefFactor, got {type(factor).__name__}")
    return factor


class _StalledError(Exception):
    """A Krylov solve that did not reach its tolerance (internal: the solver falls back or raises)."""


def _block_gmres(
    apply: Callable[[np.ndarray], np.ndarray],
    B: np.ndarray,
    X0: np.ndarray,
    *,
    rtol: float,
    restart: int,
    maxiter: int,
    inv_diag: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Restarted GMRES on the columns of ``B`` at once: one product ``apply(V)`` per iteration for all of them.

    Each column has its own Arnoldi basis, Hessenberg matrix and Givens
    rotations (Saad & Schultz 1986), i.e. this is ordinary GMRES per column,
    but the products with the operator are made for every live column in one
    call, so a dense table is read once per iteration instead of once per
    column and iteration. The basis grows with the iterations (``n x k``
    floats per iteration, at most ``restart + 1`` of them). Classical
    Gram-Schmidt with one reorthogonalisation;
    optional right preconditioning by ``inv_diag`` (Jacobi). A column stops
    when its true residual ``||b - A x||`` is at most ``rtol ||b||``.

    Returns
    -------
    tuple
        ``(X, iterations, residual)``: the solutions, the iterations of each
        column and its relative residual at the end (above ``rtol`` for the
        columns that did not converge within ``maxiter`` iterations).
    """
    k = B.shape[1]
    X = np.array(X0, dtype=float)
    bnorm = np.linalg.norm(B, axis=0)
    target = rtol * bnorm
    iterations = np.zeros(k, dtype=int)
    residual = np.zeros(k)
    done = bnorm == 0.0
    X[:, done] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        while True:
            act = np.flatnonzero(~done)
            if act.size == 0:
                break
            R = B[:, act] - apply(X[:, act])
            beta = np.linalg.norm(R, axis=0)
            residual[act] = beta / bnorm[act]
            conv = beta <= target[act]
            done[act[conv]] = True
            act, R, beta = act[~conv], R[:, ~conv], beta[~conv]
            budget = maxiter - int(iterations[act].max()) if act.size else 0
            if act.size == 0 or budget <= 0:
                break
            a, m = act.size, min(restart, budget)
            tol = target[act]
            V = [R / beta]  # the basis grows with the iterations (at most restart + 1 blocks of n x a)
            H = np.zeros((a, m + 1, m))
            cs, sn = np.zeros((a, m)), np.zeros((a, m))
            g = np.zeros((a, m + 1))
            g[:, 0] = beta
            steps = np.zeros(a, dtype=int)
            live = np.ones(a, dtype=bool)
            for j in range(m):
                W = apply(V[j] * inv_diag[:, None] if inv_diag is not None else V[j])
                h = np.zeros((j + 1, a))
                for _ in range(2):  # classical Gram-Schmidt, twice
                    hp = np.array([np.einsum("na,na->a", Vi, W) for Vi in V])
                    for i, Vi in enumerate(V):
                        W -= Vi * hp[i]
                    h += hp
                hn = np.linalg.norm(W, axis=0)
                V.append(W / np.where(hn > 0.0, hn, 1.0))
                col = np.vstack([h, hn])  # (j + 2, a): the new column of each Hessenberg matrix
                for i in range(j):
                    top = cs[:, i] * col[i] + sn[:, i] * col[i + 1]
                    col[i + 1] = -sn[:, i] * col[i] + cs[:, i] * col[i + 1]
                    col[i] = top
                r = np.hypot(col[j], col[j + 1])
                r_safe = np.where(r > 0.0, r, 1.0)
                cs[:, j] = np.where(r > 0.0, col[j] / r_safe, 1.0)
                sn[:, j] = np.where(r > 0.0, col[j + 1] / r_safe, 0.0)
                col[j], col[j + 1] = r, 0.0
                H[:, : j + 2, j] = col.T
                g[:, j + 1] = -sn[:, j] * g[:, j]
                g[:, j] = cs[:, j] * g[:, j]
                steps[live] = j + 1
                live &= (np.abs(g[:, j + 1]) > tol) & (hn > 0.0)
                if not live.any():
                    break
            for c in range(a):
                s = int(steps[c])
                if s == 0:
                    continue
                Hc = H[c, :s, :s]
                if not np.all(np.isfinite(Hc)) or np.any(np.diag(Hc) == 0.0):
                    continue
                y = sla.solve_triangular(Hc, g[c, :s], check_finite=False)
                dx = sum(V[i][:, c] * y[i] for i in range(s))
                X[:, act[c]] += dx * inv_diag if inv_diag is not None else dx
            iterations[act] += steps
    return X, iterations, residual


@dataclass(eq=False)
class KrylovSolver:
    r"""Matrix-free solves with :math:`I - A`: GMRES on products, no factorisation.

    Build it with :func:`krylov_solver` (from ``A``) or
    :meth:`iomodel.IOTable.factor` with ``method="krylov"`` (from the
    table's flows). It offers the solving interface of
    :class:`LeontiefFactor` (``n``, ``method``, :meth:`solve`,
    :meth:`solve_transposed`, :meth:`inverse`), so it stands in for one in
    :func:`close_households` (Type II needs two more solves, :math:`L h_C`
    and :math:`h_R L`) and :func:`update_columns`.

    Each right-hand side ``b`` of a call is solved by restarted GMRES
    (Saad & Schultz 1986) on :math:`(I - A) x = b` or :math:`(I - A)' x = b`,
    whose only use of the matrix is the product ``apply(X, trans)``:
    ``2 n^2`` flops per right-hand side on a dense table, none of the
    :math:`\tfrac23 n^3` of an LU. The right-hand sides are solved together
    in groups of at least :data:`KRYLOV_GROUP` (:func:`_block_gmres`: GMRES
    per column, one product with the whole group per iteration, so a dense
    table is read once per iteration, not once per right-hand side). It stops at the relative
    residual ``rtol`` (default :data:`KRYLOV_RTOL`), then the whole block is
    checked as the LU path is: :math:`\max|(I-A)X - B| / \max|B|` must be
    below :data:`RESIDUAL_RTOL`. The start is the solution of the previous
    call of the same direction and shape on a warm-started solver
    (:meth:`warm_start`), else the two-term Neumann series
    :math:`b + A b`. Optional preconditioning by the diagonal of
    :math:`I - A` (Jacobi).

    **Many right-hand sides.** A call with more than ``max_rhs`` right-hand
    sides, and :meth:`inverse`, go to the LU built by ``fallback`` (once,
    then kept): past a few dozen solves one factorisation is cheaper
    (:func:`use_krylov`).

    **Stalls.** If GMRES does not reach ``rtol`` within ``maxiter``
    iterations on some right-hand side, or the residual check fails, the
    solver warns (:class:`~iomodel.errors.IOModelWarning`, naming the
    right-hand side, the residual reached and the iterations) and solves
    through the LU from then on; with no ``fallback`` it raises
    :class:`~iomodel.errors.ConvergenceError`.

    Results agree with the LU path to the residual tolerance, not bit for
    bit (a different start changes the last bits, about ``1e-14``).

    Attributes
    ----------
    n
        Number of sectors.
    method
        ``"krylov"``.
    iterations
        GMRES iterations of each right-hand side of the last Krylov call.
    last
        The solutions of this solver's calls, by direction and shape (what
        :meth:`warm_start` of the next solver starts from).
    """

    n: int
    apply: Callable[[np.ndarray, bool], np.ndarray] = field(repr=False)
    fallback: Callable[[], LeontiefFactor] | None = field(default=None, repr=False)
    diagonal: np.ndarray | None = field(default=None, repr=False)
    rtol: float = KRYLOV_RTOL
    restart: int = KRYLOV_RESTART
    maxiter: int = KRYLOV_MAXITER
    max_rhs: int | None = None
    iterations: list[int] = field(default_factory=list, repr=False)
    last: dict[tuple[bool, tuple[int, ...]], np.ndarray] = field(default_factory=dict, repr=False)
    _warm: dict[tuple[bool, tuple[int, ...]], np.ndarray] = field(default_factory=dict, repr=False)
    _lu: LeontiefFactor | None = field(default=None, repr=False)

    @property
    def method(self) -> Literal["krylov"]:
        """``"krylov"``."""
        return "krylov"

    @property
    def _apply(self) -> Callable[[np.ndarray, bool], np.ndarray]:
        """The operator, under the name :func:`update_columns` looks for."""
        return self.apply

    _M = None  # no stored sparse I - A (read by update_columns)

    @property
    def factorised(self) -> bool:
        """Whether the LU of ``fallback`` has been built (many right-hand sides, :meth:`inverse`, or a stall)."""
        return self._lu is not None

    def lu(self) -> LeontiefFactor:
        """The LU factorisation from ``fallback``, built on the first call and kept.

        Raises
        ------
        ConvergenceError
            The solver has no ``fallback``.
        """
        if self._lu is None:
            if self.fallback is None:
                raise ConvergenceError(
                    "this KrylovSolver has no LU fallback; build it with one to solve many right-hand sides"
                )
            self._lu = self.fallback()
        return self._lu

    def warm_start(self, previous: KrylovSolver | None) -> KrylovSolver:
        """Start each later solve from ``previous``'s solution of the same direction and shape; returns ``self``.

        For sequences of nearby tables (Monte Carlo draws, sweeps, scenario
        variants) the previous table's solutions are close to this one's, and
        GMRES needs fewer products from there. ``None`` does nothing.
        """
        if previous is not None:
            if previous.n != self.n:
                raise ValidationError(f"cannot warm-start a {self.n}-sector solver from a {previous.n}-sector one")
            self._warm = dict(previous.last)
        return self

    # -- solves -------------------------------------------------------------
    def solve(self, F: ArrayLike) -> np.ndarray:
        r"""Solve :math:`(I - A) X = F`, i.e. :math:`X = L F`, for ``(n,)`` or ``(n, k)`` ``F``.

        Raises
        ------
        ValidationError
            ``F`` has the wrong number of rows or is not finite.
        ConvergenceError
            GMRES stalled and there is no LU fallback.
        """
        return self._solve(np.asarray(F, dtype=float), trans=False)

    def solve_transposed(self, S: ArrayLike) -> np.ndarray:
        r"""Row solves :math:`M = S L` for ``(n,)`` or ``(k, n)`` rows ``S``, as :math:`(I - A)' M' = S'`.

        Raises
        ------
        ValidationError
            ``S`` has the wrong number of columns or is not finite.
        ConvergenceError
            GMRES stalled and there is no LU fallback.
        """
        S = np.asarray(S, dtype=float)
        if S.ndim == 1:
            return self._solve(S, trans=True)
        return self._solve(S.T, trans=True).T

    def inverse(self) -> np.ndarray:
        r"""The Leontief inverse :math:`L`, from the LU of ``fallback`` (formed on request, cached, read-only)."""
        return self.lu().inverse()

    def _solve(self, B: np.ndarray, trans: bool) -> np.ndarray:
        if B.ndim not in (1, 2) or B.shape[0] != self.n:
            raise ValidationError(f"right-hand side has shape {B.shape} but the system has {self.n} sectors")
        if not np.all(np.isfinite(B)):
            bad = np.flatnonzero(~np.isfinite(B.reshape(self.n, -1)).all(axis=1))
            raise ValidationError(f"right-hand side is not finite at row position(s) {bad.tolist()}", positions=bad)
        k = 1 if B.ndim == 1 else B.shape[1]
        if self._lu is not None or (self.max_rhs is not None and k > self.max_rhs):
            lu = self.lu()
            return lu._solve(B, trans)
        key = (trans, B.shape)
        try:
            X = self._gmres(B, trans, self._warm.get(key))
        except _StalledError as exc:
            if self.fallback is None:
                raise ConvergenceError(
                    f"Krylov solve: {exc}; build the solver with an LU fallback or use method='lu'"
                ) from None
            warnings.warn(
                f"Krylov solve of I - A{chr(39) if trans else ''} (n={self.n}): {exc}; "
                "falling back to the LU factorisation for this and later solves",
                IOModelWarning,
                stacklevel=3,
            )
            return self.lu()._solve(B, trans)
        self.last[key] = X
        return X

    def _gmres(self, B: np.ndarray, trans: bool, warm: np.ndarray | None) -> np.ndarray:
        n = self.n
        cols = B.reshape(n, -1)
        k = cols.shape[1]
        X = np.empty_like(cols)
        starts = None if warm is None else warm.reshape(n, -1)
        inv_d = None if self.diagonal is None else 1.0 / self.diagonal
        restart = max(1, min(self.restart, n))
        group = max(KRYLOV_GROUP, n // 600)  # a group's basis, at most (restart + 1) n group floats, within Z / 10
        self.iterations = []
        direction = "transposed " if trans else ""

        def op(V: np.ndarray) -> np.ndarray:
            return self.apply(V, trans)

        for a in range(0, k, group):
            Bg = cols[:, a : a + group]
            X0 = starts[:, a : a + group] if starts is not None else 2.0 * Bg - op(Bg)  # b + A b
            Xg, its, res = _block_gmres(
                op, Bg, X0, rtol=self.rtol, restart=restart, maxiter=self.maxiter, inv_diag=inv_d
            )
            self.iterations.extend(int(v) for v in its)
            bad = np.flatnonzero(~(res <= self.rtol) | ~np.isfinite(Xg).all(axis=0))
            if bad.size:
                c = int(bad[0])
                raise _StalledError(
                    f"GMRES stalled on {direction}right-hand side {a + c}: relative residual {res[c]:.3g} after "
                    f"{its[c]} iterations (restart {restart}), above rtol {self.rtol:.1e}"
                )
            X[:, a : a + group] = Xg
        X = X.reshape(B.shape)
        err = _residual_error(self.apply(X, trans) - B, B)
        if not err <= RESIDUAL_RTOL:
            raise _StalledError(f"{direction}solve residual {err:.3g} exceeds {RESIDUAL_RTOL:.1e}")
        return X


def krylov_solver(
    A: Matrix,
    *,
    check: bool = True,
    preconditioner: Literal["diagonal"] | None = None,
    fallback: bool = True,
    warm: KrylovSolver | None = None,
    rtol: float = KRYLOV_RTOL,
    restart: int = KRYLOV_RESTART,
    maxiter: int = KRYLOV_MAXITER,
    max_rhs: int | None = None,
) -> KrylovSolver:
    r"""A matrix-free solver of :math:`I - A` (:class:`KrylovSolver`) from a dense or sparse ``A``.

    Nothing of size ``n x n`` is formed: products are ``X - A @ X`` and
    ``X - A.T @ X`` with the given ``A`` (a transposed view for a dense one).

    Parameters
    ----------
    A
        ``(n, n)`` coefficients, dense array or :mod:`scipy.sparse` matrix
        (kept by reference: do not change it while the solver is in use).
    check
        Verify productivity first (:func:`check_productive`).
    preconditioner
        ``"diagonal"``: Jacobi, the diagonal of :math:`I - A`; default none.
    fallback
        Solve through an LU of ``A`` (:func:`factorize` with ``method="lu"``)
        when GMRES stalls, for calls of more than ``max_rhs`` right-hand sides
        and for :meth:`KrylovSolver.inverse`; ``False``: raise instead.
    warm
        A solver of a nearby system whose solutions start this one's
        (:meth:`KrylovSolver.warm_start`).
    rtol, restart, maxiter
        GMRES relative residual, restart length and iterations per
        right-hand side (:data:`KRYLOV_RTOL`, :data:`KRYLOV_RESTART`,
        :data:`KRYLOV_MAXITER`).
    max_rhs
        Calls with more right-hand sides go to the LU (default: no limit).

    Returns
    -------
    KrylovSolver

    Examples
    --------
    >>> import numpy as np
    >>> ks = krylov_solver(np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> ks.solve(np.array([600.0, 1500.0])).round(2)
    array([1247.52, 1841.58])
    >>> ks.solve_transposed(np.ones(2)).round(6)   # simple output multipliers
    array([1.518152, 1.452145])
    >>> ks.factorised
    False
    """
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValidationError(f"A must be square, got shape {A.shape}")
    n = A.shape[0]
    if check:
        check_productive(A)
    if _is_sparse(A):
        As = sp.csr_array(A)
        diag = np.asarray(As.diagonal(), dtype=float)
        apply = _MatrixOperator(As, sp.csr_array(As.T))
        make_lu = functools.partial(_lu_of, As, "splu", None)
    else:
        Ad = np.asarray(A, dtype=float)
        diag = np.diag(Ad).copy()
        apply = _MatrixOperator(Ad, Ad.T)
        make_lu = functools.partial(_lu_of, Ad, "dense", apply)
    solver = KrylovSolver(
        n=n,
        apply=apply,
        fallback=make_lu if fallback else None,
        diagonal=(1.0 - diag) if preconditioner == "diagonal" else None,
        rtol=rtol,
        restart=restart,
        maxiter=maxiter,
        max_rhs=max_rhs,
    )
    return solver.warm_start(warm)


@dataclass(frozen=True)
class ClosedLeontief:
    r"""The model closed for households, solved through the open factorisation.

    With :math:`\bar A = \begin{bmatrix}A & h_C\\ h_R & h\end{bmatrix}` the
    partitioned inverse is (Miller & Blair 2009, section 2.5 and appendix A;
    docs/math.md)

    .. math::

        s = 1 - h - h_R L h_C,\quad
        \bar L_{11} = L + \frac{(L h_C)(h_R L)}{s},\quad
        \bar L_{12} = \frac{L h_C}{s},\quad
        \bar L_{21} = \frac{h_R L}{s},\quad
        \bar L_{22} = \frac{1}{s}.

    Only two extra solves are needed (``u = L h_C`` and ``w' = h_R L``), so
    Type II multipliers come from the same factorisation as Type I.

    Attributes
    ----------
    factor
        The factorisation of the open model.
    u
        :math:`L h_C`.
    w
        :math:`h_R L`.
    s
        The scalar Schur complement :math:`1 - h - h_R L h_C`; it must be positive.
    """

    factor: LeontiefFactor | LowRankUpdate | KrylovSolver
    u: np.ndarray
    w: np.ndarray
    s: float

    def multiplier_rows(self, S: ArrayLike) -> np.ndarray:
        r"""Rows :math:`S \bar L_{11}` for satellite rows ``S`` (households row excluded)."""
        S = np.atleast_2d(np.asarray(S, dtype=float))
        SL = self.factor.solve_transposed(S)
        return SL + np.outer(S @ self.u, self.w) / self.s

    def income_row(self) -> np.ndarray:
        r""":math:`\bar L_{21} = h_R L / s`: total household income per unit of final demand."""
        return self.w / self.s

    def solve(self, f: ArrayLike, f_h: float | np.ndarray = 0.0) -> tuple[np.ndarray, np.ndarray]:
        r"""Solve the closed system for sector final demand ``f`` and exogenous household income ``f_h``.

        Returns
        -------
        tuple
            ``(x, x_h)``: sector outputs and household income.
        """
        f = np.asarray(f, dtype=float)
        x0 = self.factor.solve(f)
        # x_h = (h_R L f + f_h) / s ; x = L f + u x_h
        x_h = (self.w @ f + np.asarray(f_h, dtype=float)) / self.s
        x = x0 + np.multiply.outer(self.u, x_h) if np.ndim(x_h) else x0 + self.u * x_h
        return x, x_h

    def inverse(self) -> np.ndarray:
        r"""The full :math:`(n+1)\times(n+1)` inverse :math:`\bar L` (on request)."""
        L = self.factor.inverse()
        n = L.shape[0]
        out = np.empty((n + 1, n + 1))
        out[:n, :n] = L + np.outer(self.u, self.w) / self.s
        out[:n, n] = self.u / self.s
        out[n, :n] = self.w / self.s
        out[n, n] = 1.0 / self.s
        return out


def close_households(
    factor: LeontiefFactor | LowRankUpdate | KrylovSolver, h_R: ArrayLike, h_C: ArrayLike, h: float = 0.0
) -> ClosedLeontief:
    r"""Close the model for households from the open factorisation.

    Parameters
    ----------
    factor
        Factorisation of the open model's :math:`I - A`.
    h_R
        ``(n,)`` labour-income coefficients (compensation per unit of output).
    h_C
        ``(n,)`` household consumption of each product per unit of household income.
    h
        Household purchases from households per unit of income (usually 0).

    Raises
    ------
    NotProductiveError
        If :math:`1 - h - h_R L h_C \le 0`: the closed model has no
        non-negative solution (households spend more than the income cycle returns).

    Examples
    --------
    Miller & Blair (2009) two-sector example closed with households
    (docs/math.md):

    >>> import numpy as np
    >>> fac = factorize(np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> cl = close_households(fac, np.array([0.30, 0.25]), np.array([0.05, 0.40]), 0.05)
    >>> cl.inverse().round(3)
    array([[1.365, 0.425, 0.251],
           [0.527, 1.348, 0.595],
           [0.57 , 0.489, 1.289]])
    """
    h_R = np.asarray(h_R, dtype=float)
    h_C = np.asarray(h_C, dtype=float)
    for name, v in (("h_R", h_R), ("h_C", h_C)):
        if v.shape != (factor.n,):
            raise ValidationError(f"{name} must have shape ({factor.n},), got {v.shape}")
        if not np.all(np.isfinite(v)):
            bad = np.flatnonzero(~np.isfinite(v))
            raise ValidationError(f"{name} is not finite at position(s) {bad.tolist()}", positions=bad)
    u = factor.solve(h_C)
    w = factor.solve_transposed(h_R)
    s = float(1.0 - h - h_R @ u)
    if not s > 0.0:
        raise NotProductiveError(f"the model closed for households is not productive: 1 - h - h_R L h_C = {s:.6g} <= 0")
    return ClosedLeontief(factor=factor, u=u, w=w, s=s)


def ghosh_inverse(L: np.ndarray, x: ArrayLike) -> np.ndarray:
    r"""Ghosh inverse :math:`G = \hat{x}^{-1} L \hat{x}` without a second inversion.

    docs/math.md: with :math:`B = \hat x^{-1} Z` the similarity is
    :math:`G = \hat x^{-1} L \hat x` (not :math:`\hat x L \hat x^{-1}`).

    Examples
    --------
    >>> import numpy as np
    >>> L = np.linalg.inv(np.eye(2) - np.array([[0.15, 0.25], [0.2, 0.05]]))
    >>> G = ghosh_inverse(L, np.array([1000.0, 2000.0]))
    >>> B = np.array([[0.15, 0.5], [0.1, 0.05]])
    >>> bool(np.allclose(G, np.linalg.inv(np.eye(2) - B)))
    True
    """
    x = np.asarray(x, dtype=float)
    inv = reciprocal(x)
    return inv[:, np.newaxis] * L * x[np.newaxis, :]


def sherman_morrison_column(L: np.ndarray, j: int, d: ArrayLike) -> np.ndarray:
    r"""Leontief inverse after the column ``j`` of ``A`` changes by ``d``.

    docs/math.md (Sherman & Morrison 1950):
    :math:`L^* = L + \dfrac{L d\, e_j' L}{1 - e_j' L d}`.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.2, 0.05]])
    >>> L = np.linalg.inv(np.eye(2) - A)
    >>> d = np.array([0.05, -0.02])
    >>> A2 = A.copy(); A2[:, 1] += d
    >>> bool(np.allclose(sherman_morrison_column(L, 1, d), np.linalg.inv(np.eye(2) - A2)))
    True
    """
    d = np.asarray(d, dtype=float)
    Ld = L @ d
    denom = 1.0 - Ld[j]
    if not denom > 0.0:
        raise NotProductiveError(
            f"changing column {j} by d makes the model non-productive (1 - e_j'Ld = {denom:.6g})",
            positions=[j],
        )
    return L + np.outer(Ld, L[j, :]) / denom


# --------------------------------------------------------------------------- low-rank updates
def _base_operator(
    factor: LeontiefFactor | LowRankUpdate | KrylovSolver,
) -> Callable[[np.ndarray, bool], np.ndarray] | None:
    """The product :math:`(I-A)X` (or :math:`(I-A)'X`) a factorisation can form, or ``None``."""
    if isinstance(factor, LowRankUpdate):
        return factor._apply
    M = factor._M
    if M is not None:
        return lambda X, trans: (M.T @ X) if trans else (M @ X)
    return factor._apply


def _updated_operator(
    base: Callable[[np.ndarray, bool], np.ndarray], cols: np.ndarray, D: np.ndarray
) -> Callable[[np.ndarray, bool], np.ndarray]:
    r"""Products with :math:`I - A^* = (I - A) - D E'` from products with :math:`I - A`."""

    def apply(X: np.ndarray, trans: bool) -> np.ndarray:
        if not trans:
            return base(X, False) - D @ X[cols]
        R = np.array(base(X, True), dtype=float)  # (I - A*)' X = (I - A)' X - E D' X
        R[cols] -= D.T @ X
        return R

    return apply


def _check_update_residual(R: np.ndarray, B: np.ndarray, what: str) -> None:
    """Raise :class:`ConvergenceError` if ``max|R| / max|B|`` exceeds :data:`RESIDUAL_RTOL`."""
    scale = max(float(np.max(np.abs(B))) if B.size else 0.0, np.finfo(float).tiny)
    err = float(np.max(np.abs(R))) / scale if R.size else 0.0
    if not err <= RESIDUAL_RTOL:
        raise ConvergenceError(
            f"low-rank update: {what} residual {err:.3g} exceeds {RESIDUAL_RTOL:.1e}; "
            "the update is ill-conditioned (refactorise the changed A with factorize()) or the operator "
            "given as apply is not that of the changed I - A"
        )


@dataclass(frozen=True, eq=False)
class LowRankUpdate:
    r"""Solves with :math:`I - A^*` after ``k`` columns of ``A`` change, through the old factorisation.

    Build it with :func:`update_columns`. When the columns ``c_1..c_k`` of
    ``A`` change by the ``(n, k)`` array ``D``, i.e. :math:`A^* = A + D E'`
    with :math:`E = [e_{c_1} \dots e_{c_k}]`, the matrix
    :math:`M^* = I - A^* = M - D E'` has the inverse given by the Woodbury
    identity (Sherman & Morrison 1950; Woodbury 1950; METHODS.md 6.3)

    .. math::

        L^* = (M - D E')^{-1} = L + L D\, C^{-1} E' L,\qquad
        C = I_k - E' L D,

    with :math:`L = M^{-1}` applied through the existing
    :class:`LeontiefFactor`. Only ``k`` solves (:math:`L D`) and the LU
    factorisation of the ``k x k`` capacitance :math:`C` are precomputed; no
    ``n x n`` inverse is formed unless :meth:`inverse` is called. A solve
    costs one solve with the old factorisation and a ``k x k`` solve:

    .. math::

        x^* = y + L D\, C^{-1} y_E,\quad y = L f;\qquad
        m^{*\prime} = m' + (m' D)\, C^{-1} E' L,\quad m' = s' L .

    **Residual checks.** With an operator of the changed system (the
    ``apply`` given to :func:`update_columns`, or else
    :math:`M^* X = M X - D (E'X)` from the products with :math:`M` the base
    factorisation can form: the ``apply`` given to :func:`factorize` or the
    stored sparse :math:`I - A`), every solve is checked against
    :math:`M^*`, relative to the right-hand side, with tolerance
    :data:`RESIDUAL_RTOL`.
    Without an operator the base solves are trusted, as
    :class:`LeontiefFactor` trusts its dense solves, and what the update
    adds is checked instead: for exact base solves the residual of
    :math:`M^* x^* = f` is :math:`D(C w - y_E)` (and that of the row solve
    is :math:`(v C - m'D) E'`), the residual of the ``k x k`` solve.

    It offers the solving interface of :class:`LeontiefFactor` (``n``,
    ``method``, :meth:`solve`, :meth:`solve_transposed`, :meth:`inverse`), so
    it can stand in for one, e.g. in :func:`close_households`, and can itself
    be updated again by :func:`update_columns`.

    Attributes
    ----------
    factor
        The factorisation of the unchanged :math:`I - A` (a
        :class:`LeontiefFactor`, or another update).
    columns
        ``(k,)`` positions of the changed columns.
    D
        ``(n, k)`` changes of those columns (read-only).
    LD
        ``(n, k)`` :math:`L D` (read-only).
    capacitance
        ``(k, k)`` :math:`C = I_k - E' L D` (read-only).
    """

    factor: LeontiefFactor | LowRankUpdate | KrylovSolver
    columns: np.ndarray
    D: np.ndarray = field(repr=False)
    LD: np.ndarray = field(repr=False)
    capacitance: np.ndarray = field(repr=False)
    _lu: tuple = field(repr=False)
    _apply: Callable[[np.ndarray, bool], np.ndarray] | None = field(default=None, repr=False)  # I - A*
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        """Number of sectors."""
        return self.factor.n

    @property
    def k(self) -> int:
        """Number of changed columns (the rank of the update)."""
        return int(self.columns.size)

    @property
    def method(self) -> Literal["woodbury"]:
        """``"woodbury"``: solves go through the base factorisation (``factor.method``) and the update."""
        return "woodbury"

    def solve(self, F: ArrayLike) -> np.ndarray:
        r"""Solve :math:`(I - A^*) X = F`, i.e. :math:`X = L^* F`.

        Parameters
        ----------
        F
            ``(n,)`` or ``(n, m)`` right-hand side(s), e.g. final demand.

        Returns
        -------
        numpy.ndarray
            Same shape as ``F``.

        Raises
        ------
        ValidationError
            ``F`` has the wrong number of rows or is not finite.
        ConvergenceError
            The residual check fails (see the class docstring).
        """
        B = np.asarray(F, dtype=float)
        Y = self.factor.solve(B)
        YE = Y[self.columns]
        w = sla.lu_solve(self._lu, YE, check_finite=False)
        X = Y + self.LD @ w
        if self._apply is not None:
            _check_update_residual(self._apply(X, False) - B, B, "solve")
        else:
            _check_update_residual(self.D @ (self.capacitance @ w - YE), B, "solve (capacitance)")
        return X

    def solve_transposed(self, S: ArrayLike) -> np.ndarray:
        r"""Row solves :math:`S L^*` for coefficient rows ``S``.

        Computed as :math:`S L + (S L D) C^{-1} E' L`: one transposed solve
        with the old factorisation and a ``k x k`` solve; the rows
        :math:`E' L` are solved once, on the first call.

        Parameters
        ----------
        S
            ``(n,)`` or ``(r, n)`` coefficient rows.

        Returns
        -------
        numpy.ndarray
            Same shape as ``S``.

        Raises
        ------
        ValidationError
            ``S`` has the wrong number of columns or is not finite.
        ConvergenceError
            The residual check fails (see the class docstring).
        """
        S = np.asarray(S, dtype=float)
        if S.ndim == 1:
            return self.solve_transposed(S[np.newaxis, :])[0]
        if S.ndim != 2 or S.shape[1] != self.n:
            raise ValidationError(f"coefficient rows must have shape (r, {self.n}), got {S.shape}")
        Y = self.factor.solve_transposed(S)  # (r, n)
        YD = Y @ self.D  # (r, k)
        # v = (Y D) C^{-1}, i.e. C' v' = (Y D)'
        v = sla.lu_solve(self._lu, YD.T, trans=1, check_finite=False).T
        X = Y + v @ self._rows()
        if self._apply is not None:
            _check_update_residual(self._apply(X.T, True) - S.T, S, "transposed solve")
        else:
            _check_update_residual(v @ self.capacitance - YD, S, "transposed solve (capacitance)")
        return X

    def inverse(self) -> np.ndarray:
        r"""The updated inverse :math:`L^* = L + L D C^{-1} E' L` (formed on request, cached, read-only)."""
        if "inverse" not in self._cache:
            L = self.factor.inverse()
            Ls = L + self.LD @ sla.lu_solve(self._lu, L[self.columns, :], check_finite=False)
            Ls.flags.writeable = False
            self._cache["inverse"] = Ls
        return self._cache["inverse"]

    def _rows(self) -> np.ndarray:
        """:math:`E' L`, the rows of the changed columns' positions of ``L`` (solved once)."""
        if "rows" not in self._cache:
            E = np.zeros((self.k, self.n))
            E[np.arange(self.k), self.columns] = 1.0
            W = self.factor.solve_transposed(E)
            W.flags.writeable = False
            self._cache["rows"] = W
        return self._cache["rows"]


def update_columns(
    factor: LeontiefFactor | LowRankUpdate | KrylovSolver,
    columns: int | ArrayLike,
    D: ArrayLike,
    *,
    check: bool = True,
    apply: Callable[[np.ndarray, bool], np.ndarray] | None = None,
) -> LowRankUpdate:
    r"""Solves after columns of ``A`` change, reusing the factorisation of the old :math:`I - A`.

    The Woodbury identity (Sherman & Morrison 1950; Woodbury 1950;
    METHODS.md 6.3): with :math:`A^* = A + D E'`,

    .. math::

        (I - A^*)^{-1} = L + L D\,(I_k - E' L D)^{-1} E' L .

    For one column :math:`j` this is :func:`sherman_morrison_column`,
    :math:`L^* = L + L d\, e_j'L / (1 - e_j' L d)`. See :class:`LowRankUpdate`
    for the solves and their residual checks.

    Parameters
    ----------
    factor
        Factorisation of the unchanged :math:`I - A` (:func:`factorize`), or
        a :class:`LowRankUpdate` to update further.
    columns
        Position of the changed column, or ``(k,)`` distinct positions.
    D
        ``(n, k)`` changes of those columns, in the order of ``columns``
        (``(n,)`` for one column): the new column ``c_i`` of ``A`` is
        ``A[:, c_i] + D[:, i]``.
    check
        Verify that the changed model is productive. The test is exact when
        the changed coefficients are non-negative (as an
        :class:`~iomodel.IOTable`'s are): then :math:`I - A^*` is a
        Z-matrix, which is a non-singular M-matrix, i.e.
        :math:`\rho(A^*) < 1`, if and only if :math:`x^* = L^*\mathbf i`
        exists and is non-negative (Berman & Plemmons 1994, ch. 6). It
        costs one solve. The capacitance determinant must also be positive,
        :math:`\det C = \det(I - A^*)/\det(I - A) > 0`; for one column
        this is :math:`1 - e_j' L d > 0`.
    apply
        Optional callable ``apply(X, trans)`` returning :math:`(I-A^*)X` (or
        :math:`(I-A^*)'X` when ``trans``) for the *changed* coefficients, as
        the ``apply`` of :func:`factorize` is the operator of the system it
        solves (e.g. the new table's products with its flows); every solve is
        residual-checked with it. Default: :math:`(I - A)X - D(E'X)` from the
        operator the base factorisation has (the ``apply`` given to
        :func:`factorize`, as :meth:`iomodel.IOTable.factor` does, or the
        stored sparse :math:`I - A`); with none, the ``k x k`` solves are checked.

    Returns
    -------
    LowRankUpdate

    Raises
    ------
    ValidationError
        ``columns`` not distinct integer positions in ``[0, n)``, ``D`` not
        ``(n, k)`` or not finite.
    NotProductiveError
        The capacitance :math:`C` is singular, or (with ``check``) the
        changed model is not productive; the message and ``positions`` name
        the changed columns.

    Examples
    --------
    Miller & Blair (2009) two-sector example: manufacturing buys 0.05 more
    agriculture and 0.02 less manufacturing per unit of output.

    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.2, 0.05]])
    >>> fac = factorize(A)
    >>> d = np.array([[0.05], [-0.02]])
    >>> upd = update_columns(fac, [1], d)
    >>> A2 = A.copy(); A2[:, 1] += d[:, 0]
    >>> bool(np.allclose(upd.inverse(), np.linalg.inv(np.eye(2) - A2), rtol=1e-12))
    True
    >>> upd.solve(np.array([600.0, 1500.0])).round(2)
    array([1349.9 , 1824.72])
    >>> upd.solve_transposed(np.ones(2)).round(6)   # new simple output multipliers
    array([1.530412, 1.504251])

    A change that takes the model out of productivity is refused:

    >>> update_columns(fac, 1, np.array([0.6, 0.9]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    iomodel.errors.NotProductiveError: changing column(s) [1] of A makes the model non-productive: ...
    """
    n = factor.n
    cols = np.atleast_1d(np.asarray(columns))
    if cols.ndim != 1 or cols.size == 0 or not np.issubdtype(cols.dtype, np.integer):
        raise ValidationError(f"columns must be one or more integer positions, got {columns!r}")
    cols = cols.astype(np.intp)
    out_of_range = cols[(cols < 0) | (cols >= n)]
    if out_of_range.size:
        raise ValidationError(f"column position(s) {out_of_range.tolist()} out of range for {n} sectors")
    if np.unique(cols).size != cols.size:
        raise ValidationError(f"column positions must be distinct, got {cols.tolist()}")
    k = cols.size
    Dm = np.array(D, dtype=float)  # a copy: the update must not change with the caller's array
    if Dm.ndim == 1 and k == 1:
        Dm = Dm[:, np.newaxis]
    if Dm.shape != (n, k):
        raise ValidationError(f"D must have shape ({n}, {k}) for {k} changed column(s), got {Dm.shape}")
    if not np.all(np.isfinite(Dm)):
        bad = np.flatnonzero(~np.isfinite(Dm).all(axis=0))
        raise ValidationError(
            f"D is not finite in the change of column position(s) {cols[bad].tolist()}", positions=cols[bad]
        )
    LD = factor.solve(Dm)
    C = np.eye(k) - LD[cols, :]
    label = f"changing column(s) {cols.tolist()} of A makes the model non-productive"
    # singular to working precision: the smallest singular value of C at rounding level of its terms
    sv = np.linalg.svd(C, compute_uv=False) if np.all(np.isfinite(C)) else np.array([np.nan])
    floor = 64.0 * np.finfo(float).eps * (1.0 + float(np.linalg.norm(LD[cols, :], 2)))
    if not sv[-1] > floor:
        raise NotProductiveError(
            f"{label}: I - A* is singular (capacitance I - E'LD has smallest singular value {sv[-1]:.3g})",
            positions=cols,
        )
    lu = sla.lu_factor(C, check_finite=False)
    diag = np.diag(lu[0])
    swaps = int(np.count_nonzero(lu[1] != np.arange(k)))
    det_sign = (-1.0) ** swaps * float(np.prod(np.sign(diag)))
    if check and not det_sign > 0.0:
        detail = f"1 - e_j'Ld = {C[0, 0]:.6g}" if k == 1 else "det(I - E'LD) < 0"
        raise NotProductiveError(f"{label}: {detail}", positions=cols)
    for arr in (cols, Dm, LD, C):
        arr.flags.writeable = False
    if apply is None:
        base = _base_operator(factor)
        apply = None if base is None else _updated_operator(base, cols, Dm)
    upd = LowRankUpdate(
        factor=factor,
        columns=cols,
        D=Dm,
        LD=LD,
        capacitance=C,
        _lu=lu,
        _apply=apply,
    )
    if check:
        x = upd.solve(np.ones(n))
        if not np.all(x >= 0.0):
            bad = np.flatnonzero(~(x >= 0.0))
            raise NotProductiveError(
                f"{label}: (I - A*)^-1 i is negative at position(s) {bad.tolist()[:10]}", positions=cols
            )
    return upd
