r"""What is uncertain: distributions of scenario parameters and perturbations of a table's coefficients.

Two kinds of objects, all frozen dataclasses:

* **parameter distributions** (:class:`Normal`, :class:`Uniform`,
  :class:`Triangular`, :class:`Beta`) for the keyword arguments of the
  function under study (additionality, displacement, a tax rate, the
  marginal propensity to consume). Each is sampled by inverse transform,
  :math:`\theta = F^{-1}(u)` with :math:`u \sim U(0, 1)` (``ppf`` of
  :mod:`scipy.stats`), so a Sobol or Morris design on the unit cube maps onto
  it the same way a Monte Carlo draw does;
* **coefficient perturbations** of the table (METHODS.md section 6.1):
  :class:`LognormalCoefficients` and :class:`DirichletCoefficients` of the
  technical coefficients, :class:`SatelliteCoefficients` of satellite rows
  (employment per unit of output) and :class:`TaxCoefficients` of the tax
  rows (budget revenue per unit of output). Each turns a generator into a
  perturbed array; :func:`iomodel.sensitivity.monte_carlo` applies them to
  the table.

Technical coefficients
----------------------
:class:`LognormalCoefficients` multiplies every non-zero :math:`a_{ij}` by a
mean-one lognormal factor,

.. math::

    a^{(s)}_{ij} = a_{ij} \exp(\sigma z_{ij} - \sigma^2 / 2), \qquad
    z_{ij} \sim N(0, 1), \qquad \sigma^2 = \ln(1 + cv^2),

so :math:`E[a^{(s)}_{ij}] = a_{ij}` and its coefficient of variation is
``cv``. By default each column is then rescaled to its observed sum
:math:`\sum_i a_{ij}`: the intermediate share, hence the value-added share,
of every sector is kept, and a table whose column sums are below one stays
productive (every column sum below one bounds the spectral radius below one).
With ``keep_column_sums=False`` the draws are independent; a draw whose
column sum reaches one is refused with
:class:`~iomodel.errors.NotProductiveError` naming the draw and the sector
(never clipped), and the rest of the column (imports, taxes, value added) is
rescaled so the column still sums to output
(:meth:`iomodel.IOTable.with_coefficients`).

:class:`DirichletCoefficients` draws each column's input shares and the rest
of the column together, :math:`(a_{1j}, \dots, a_{nj}, v_j) \sim
\mathrm{Dir}(\kappa (a_{1j}, \dots, a_{nj}, v_j))` with
:math:`v_j = 1 - \sum_i a_{ij}`: mean-preserving, summing to one by
construction, the larger the concentration :math:`\kappa` the tighter
(the variance of a share :math:`p` is :math:`p(1-p)/(\kappa + 1)`).

References: METHODS.md 6.1; Lenzen, Wood & Wiedmann (2010), *Economic
Systems Research* 22(1), 43-63; Temurshoev (2015), "Uncertainty treatment
in input-output analysis".
"""

from __future__ import annotations

import abc
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from scipy import stats

from ..errors import ValidationError

__all__ = [
    "Beta",
    "CoefficientPerturbation",
    "DirichletCoefficients",
    "Distribution",
    "LognormalCoefficients",
    "Normal",
    "SatelliteCoefficients",
    "TaxCoefficients",
    "Triangular",
    "Uniform",
    "as_distribution",
]


def _finite(value: Any, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValidationError(f"{what} must be finite, got {value!r}")
    return v


# --------------------------------------------------------------------------- parameter distributions
class Distribution(abc.ABC):
    """Base of the parameter distributions: sampled by inverse transform of a uniform number."""

    @abc.abstractmethod
    def frozen(self) -> Any:
        """The :mod:`scipy.stats` frozen distribution."""

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Quantile function :math:`F^{-1}(u)` for ``u`` in the open unit interval."""
        return np.asarray(self.frozen().ppf(u), dtype=float)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> np.ndarray | float:
        """Draws from ``rng``: one uniform number per draw, mapped by :meth:`ppf`."""
        u = rng.random(size)
        out = self.ppf(u)
        return float(out) if size is None else out

    def expected(self) -> float:
        """The mean of the distribution."""
        return float(self.frozen().mean())

    @abc.abstractmethod
    def describe(self) -> str:
        """A one-line description for attrs and reports."""


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal distribution with mean ``mean`` and standard deviation ``sd`` (``sd >= 0``).

    Examples
    --------
    >>> Normal(mean=0.8, sd=0.05).ppf([0.5, 0.975]).round(4)   # median, and mean + 1.96 sd
    array([0.8  , 0.898])
    """

    mean: float
    sd: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", _finite(self.mean, "Normal mean"))
        sd = _finite(self.sd, "Normal sd")
        if sd < 0:
            raise ValidationError(f"Normal sd must be >= 0, got {sd}")
        object.__setattr__(self, "sd", sd)

    def frozen(self) -> Any:
        """The :mod:`scipy.stats` frozen distribution."""
        return stats.norm(loc=self.mean, scale=self.sd)

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Quantile function :math:`F^{-1}(u)`."""
        if self.sd == 0:
            return np.full(np.shape(u), self.mean)
        return super().ppf(u)

    def expected(self) -> float:
        """The mean of the distribution."""
        return self.mean

    def describe(self) -> str:
        """A one-line description for attrs and reports."""
        return f"Normal(mean={self.mean:g}, sd={self.sd:g})"


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform distribution on ``[low, high]`` (``low <= high``).

    Examples
    --------
    >>> import numpy as np
    >>> Uniform(0.5, 1.0).ppf(np.array([0.0, 0.5, 1.0]))
    array([0.5 , 0.75, 1.  ])
    """

    low: float
    high: float

    def __post_init__(self) -> None:
        lo, hi = _finite(self.low, "Uniform low"), _finite(self.high, "Uniform high")
        if hi < lo:
            raise ValidationError(f"Uniform needs low <= high, got low={lo}, high={hi}")
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)

    def frozen(self) -> Any:
        """The :mod:`scipy.stats` frozen distribution."""
        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Quantile function :math:`F^{-1}(u)`."""
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)

    def describe(self) -> str:
        """A one-line description for attrs and reports."""
        return f"Uniform(low={self.low:g}, high={self.high:g})"


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular distribution on ``[low, high]`` with its mode at ``mode``.

    Examples
    --------
    >>> round(Triangular(0.0, 0.1, 0.4).expected(), 6)
    0.166667
    """

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        lo = _finite(self.low, "Triangular low")
        mo = _finite(self.mode, "Triangular mode")
        hi = _finite(self.high, "Triangular high")
        if not lo <= mo <= hi:
            raise ValidationError(f"Triangular needs low <= mode <= high, got {lo}, {mo}, {hi}")
        for name, v in (("low", lo), ("mode", mo), ("high", hi)):
            object.__setattr__(self, name, v)

    def frozen(self) -> Any:
        """The :mod:`scipy.stats` frozen distribution."""
        width = self.high - self.low
        c = (self.mode - self.low) / width if width > 0 else 0.5
        return stats.triang(c, loc=self.low, scale=width)

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Quantile function :math:`F^{-1}(u)`."""
        if self.high == self.low:
            return np.full(np.shape(u), self.low)
        return super().ppf(u)

    def describe(self) -> str:
        """A one-line description for attrs and reports."""
        return f"Triangular(low={self.low:g}, mode={self.mode:g}, high={self.high:g})"


@dataclass(frozen=True)
class Beta(Distribution):
    """Beta distribution with shapes ``a, b > 0`` on ``[low, high]`` (default the unit interval).

    Examples
    --------
    >>> round(Beta(8, 2).expected(), 6)
    0.8
    """

    a: float
    b: float
    low: float = 0.0
    high: float = 1.0

    def __post_init__(self) -> None:
        a, b = _finite(self.a, "Beta a"), _finite(self.b, "Beta b")
        if a <= 0 or b <= 0:
            raise ValidationError(f"Beta shapes must be > 0, got a={a}, b={b}")
        lo, hi = _finite(self.low, "Beta low"), _finite(self.high, "Beta high")
        if not lo < hi:
            raise ValidationError(f"Beta needs low < high, got low={lo}, high={hi}")
        for name, v in (("a", a), ("b", b), ("low", lo), ("high", hi)):
            object.__setattr__(self, name, v)

    def frozen(self) -> Any:
        """The :mod:`scipy.stats` frozen distribution."""
        return stats.beta(self.a, self.b, loc=self.low, scale=self.high - self.low)

    def describe(self) -> str:
        """A one-line description for attrs and reports."""
        return f"Beta(a={self.a:g}, b={self.b:g}, low={self.low:g}, high={self.high:g})"


def as_distribution(name: str, value: Any) -> Distribution:
    """Check that ``value`` is a parameter distribution; the error names the parameter."""
    if isinstance(value, Distribution):
        return value
    raise ValidationError(
        f"parameter {name!r}: expected a distribution (Normal, Uniform, Triangular, Beta), got {value!r}"
    )


# --------------------------------------------------------------------------- coefficient perturbations
class CoefficientPerturbation(Protocol):
    """What :func:`~iomodel.sensitivity.monte_carlo` needs of a perturbation of the table."""

    target: str  # "technology", "satellites" or "taxes"

    def describe(self) -> str:
        """A one-line description for attrs and reports."""


def _cv(cv: Any, what: str) -> float:
    v = _finite(cv, f"{what} cv")
    if v < 0:
        raise ValidationError(f"{what}: the coefficient of variation must be >= 0, got {v}")
    return v


def _columns(sectors: Iterable[Any] | None) -> tuple[Any, ...] | None:
    return None if sectors is None else tuple(sectors)


@dataclass(frozen=True)
class LognormalCoefficients:
    r"""Mean-preserving lognormal noise on the technical coefficients (module docstring).

    Parameters
    ----------
    cv
        Coefficient of variation of each coefficient (0: no noise).
    keep_column_sums
        Rescale each column to its observed sum (default), which keeps every
        sector's value-added share and the matrix productive.
    sectors
        Perturb only these columns (the using sectors), e.g. the sectors of a
        new SEZ technology; default every column. On a large table a few
        columns are solved by a low-rank update of one factorisation.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.2, 0.05]])
    >>> A2 = LognormalCoefficients(cv=0.1).perturb(A, np.random.default_rng(0))
    >>> bool(np.allclose(A2.sum(axis=0), A.sum(axis=0)))   # column sums kept
    True
    """

    cv: float
    keep_column_sums: bool = True
    sectors: tuple[Any, ...] | None = field(default=None)
    target: str = field(default="technology", init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cv", _cv(self.cv, "LognormalCoefficients"))
        object.__setattr__(self, "sectors", _columns(self.sectors))

    def perturb(
        self,
        A: np.ndarray,
        rng: np.random.Generator,
        columns: np.ndarray | None = None,
        nonzero: np.ndarray | None = None,
    ) -> np.ndarray:
        """One draw of the coefficients ``A`` (only ``columns``, positions, if given).

        ``nonzero``: the flat positions of the non-zero entries of the block
        perturbed (``numpy.flatnonzero``), if already known.
        """
        if columns is None:
            return self.perturb_block(np.asarray(A, dtype=float), rng, nonzero)
        out = np.array(A, dtype=float, copy=True)
        cols = np.asarray(columns)
        out[:, cols] = self.perturb_block(out[:, cols], rng, nonzero)
        return out

    def perturb_block(
        self, block: np.ndarray, rng: np.random.Generator, nonzero: np.ndarray | None = None
    ) -> np.ndarray:
        """One draw of a block of columns of ``A`` (a new array).

        Only the non-zero coefficients are drawn (a zero stays zero), one
        standard normal number each, in row-major order of the block;
        ``nonzero`` are their flat positions if already known. The draw of
        :meth:`perturb_stack` for one generator.
        """
        return self.perturb_stack(block, [rng], nonzero)[0]

    def perturb_stack(
        self,
        block: np.ndarray,
        rngs: Sequence[np.random.Generator],
        nonzero: np.ndarray | None = None,
        out: np.ndarray | None = None,
        *,
        negate: bool = False,
    ) -> np.ndarray:
        """Draws of a block of columns, one per generator, as a ``(len(rngs), n, k)`` stack.

        Each generator gives one standard normal number per non-zero
        coefficient, in row-major order of the block (none when ``cv`` is 0),
        so draw ``i`` is ``perturb_block(block, rngs[i])`` whatever the
        stack; the exponentials run on the whole stack, and the column sums
        of each draw are added row by row (a reduction over the rows of the
        stack), the same additions for one draw as for many. ``nonzero``:
        the flat positions of the block's non-zero coefficients, if known.
        ``out``: a ``(len(rngs), n, k)`` array to fill, zero outside
        ``nonzero`` (a buffer reused draw after draw keeps its zeros).
        ``negate``: write :math:`-A` instead, exactly the negated draws (the
        batched path turns it into :math:`I - A` in place).
        """
        block = np.ascontiguousarray(block, dtype=float)
        m = len(rngs)
        if out is None:
            out = np.zeros((m, *block.shape))
        elif out.shape != (m, *block.shape) or not out.flags.c_contiguous:
            raise ValidationError(f"out must be a C-contiguous array of shape {(m, *block.shape)}, got {out.shape}")
        if self.cv == 0:
            if negate:
                np.negative(block, out=out)
            else:
                out[...] = block
            return out
        flat = block.reshape(-1)
        nz = np.flatnonzero(flat) if nonzero is None else np.asarray(nonzero)
        z = np.empty((m, nz.size))
        for i, rng in enumerate(rngs):
            rng.standard_normal(out=z[i])
        s2 = math.log1p(self.cv * self.cv)
        z *= math.sqrt(s2)
        z -= 0.5 * s2
        np.exp(z, out=z)
        z *= flat[nz]
        if negate and not self.keep_column_sums:
            np.negative(z, out=z)
        out.reshape(m, -1)[:, nz] = z
        if self.keep_column_sums:
            old = block[None, :, :].sum(axis=1)
            new = out.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                factor = np.where(new > 0, old / np.where(new > 0, new, 1.0), 0.0)
            if negate:
                np.negative(factor, out=factor)
            out *= factor[:, None, :]
        return out

    def describe(self) -> str:
        """A one-line description for attrs and reports."""
        cols = "all columns" if self.sectors is None else f"columns {list(self.sectors)}"
        return f"LognormalCoefficients(cv={self.cv:g}, keep_column_sums={self.keep_column_sums}, {cols})"


@dataclass(frozen=True)
class DirichletCoefficients:
    r"""Dirichlet draws of each column's input shares and its rest (module docstring).

    Parameters
    ----------
    concentration
        :math:`\kappa > 0`; a share :math:`p` gets variance :math:`p(1-p)/(\kappa+1)`.
    sectors
        Perturb only these columns; default every column.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.15, 0.25], [0.2, 0.05]])
    >>> draws = [DirichletCoefficients(2000.0).perturb(A, np.random.default_rng(s)) for s in range(400)]
    >>> bool(np.allclose(np.mean(draws, axis=0), A, atol=0.003))   # mean-preserving
    True
    """

    concentration: float
    sectors: tuple[Any, ...] | None = field(default=None)
    target: str = field(default="technology", init=False, repr=False)

    def __post_init__(self) -> None:
        k = _finite(self.concentration, "DirichletCoefficients concentration")
        if k <= 0:
            raise ValidationError(f"DirichletCoefficients: the concentration must be > 0, got {k}")
        object.__setattr__(self, "concentration", k)
        object.__setattr__(self, "sectors", _columns(self.sectors))

    def perturb(
        self,
        A: np.ndarray,
        rng: np.random.Generator,
        columns: np.ndarray | None = None,
        nonzero: np.ndarray | None = None,
    ) -> np.ndarray:
        """One draw of the coefficients ``A`` (only ``columns``, positions, if given; ``nonzero`` unused)."""
        if columns is None:
            return self.perturb_block(np.asarray(A, dtype=float), rng)
        out = np.array(A, dtype=float, copy=True)
        cols = np.asarray(columns)
        out[:, cols] = self.perturb_block(out[:, cols], rng)
        return out

    def perturb_block(
        self, block: np.ndarray, rng: np.random.Generator, nonzero: np.ndarray | None = None
    ) -> np.ndarray:
        """One draw of a block of columns of ``A`` (a new array; ``nonzero`` unused).

        Each column is drawn as normalised gamma variates over its non-zero
        shares and its rest (zero coefficients stay zero).
        """
        block = np.asarray(block, dtype=float)
        rest = 1.0 - block.sum(axis=0)
        if (rest < 0).any():
            j = int(np.argmin(rest))
            raise ValidationError(f"DirichletCoefficients: column {j} of the block sums to more than one")
        shares = np.vstack([block, rest[None, :]])
        alpha = self.concentration * shares
        g = np.zeros_like(alpha)
        pos = alpha > 0
        g[pos] = rng.gamma(alpha[pos])
        total = g.sum(axis=0)
        return g[:-1] / np.where(total > 0, total, 1.0)

    def describe(self) -> str:
        """A one-line description for attrs and reports."""
        cols = "all columns" if self.sectors is None else f"columns {list(self.sectors)}"
        return f"DirichletCoefficients(concentration={self.concentration:g}, {cols})"


@dataclass(frozen=True)
class _RowNoise:
    cv: float | Mapping[str, float]
    rows: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        name = type(self).__name__
        if isinstance(self.cv, Mapping):
            cvs = {str(k): _cv(v, f"{name} row {k!r}") for k, v in self.cv.items()}
            object.__setattr__(self, "cv", cvs)
        else:
            object.__setattr__(self, "cv", _cv(self.cv, name))
        if self.rows is not None:
            object.__setattr__(self, "rows", tuple(str(r) for r in self.rows))

    def row_cvs(self, names: Iterable[Any]) -> np.ndarray:
        """The coefficient of variation of each row ``names`` (0 for rows not perturbed)."""
        names = [str(n) for n in names]
        if isinstance(self.cv, Mapping):
            return np.array([float(self.cv.get(n, 0.0)) for n in names])
        wanted = set(names) if self.rows is None else set(self.rows)
        return np.array([float(self.cv) if n in wanted else 0.0 for n in names])

    def known_rows(self) -> tuple[str, ...]:
        if isinstance(self.cv, Mapping):
            return tuple(self.cv)
        return self.rows or ()

    def factors(self, rng: np.random.Generator, cvs: np.ndarray, n: int) -> np.ndarray:
        """Mean-one lognormal factors, one per row and sector, ``(len(cvs), n)``."""
        z = rng.standard_normal((len(cvs), n))
        s2 = np.log1p(cvs * cvs)[:, None]
        return np.exp(np.sqrt(s2) * z - 0.5 * s2)

    def describe(self) -> str:
        """A one-line description for attrs and reports."""
        return f"{type(self).__name__}(cv={self.cv!r}, rows={list(self.rows) if self.rows else 'all'})"


@dataclass(frozen=True)
class SatelliteCoefficients(_RowNoise):
    """Mean-one lognormal noise on satellite coefficients (e.g. jobs per unit of output).

    Parameters
    ----------
    cv
        One coefficient of variation for ``rows``, or a mapping row -> cv.
    rows
        Satellite rows to perturb (default all; ignored when ``cv`` is a mapping).

    Examples
    --------
    >>> SatelliteCoefficients(0.1, rows=["employment"]).row_cvs(["employment", "energy"])
    array([0.1, 0. ])
    """

    target: str = field(default="satellites", init=False, repr=False)


@dataclass(frozen=True)
class TaxCoefficients(_RowNoise):
    """Mean-one lognormal noise on the tax rows (budget revenue per unit of output by tax).

    Parameters
    ----------
    cv
        One coefficient of variation for ``rows``, or a mapping tax -> cv.
    rows
        Tax rows to perturb (default all; ignored when ``cv`` is a mapping).

    Examples
    --------
    >>> TaxCoefficients({"VAT": 0.2}).row_cvs(["CIT", "VAT"])
    array([0. , 0.2])
    """

    target: str = field(default="taxes", init=False, repr=False)
