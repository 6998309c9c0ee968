"""Exception and warning hierarchy of iomodel.

Every error raised on bad input derives from :class:`IOModelError`, so a caller
can catch the whole family with one ``except`` clause, and each message names
the offending sector, block or parameter.

Kernels in :mod:`iomodel.linalg` know nothing of labels: they raise with
*positions* stored on the exception (``exc.positions``) and the labelled layer
(:class:`iomodel.IOTable` and friends) re-raises with the sector labels.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import SupportsInt

__all__ = [
    "ConvergenceError",
    "IOModelError",
    "IOModelWarning",
    "InfeasibleError",
    "LabelError",
    "NotProductiveError",
    "ReadError",
    "SolverError",
    "UnboundedError",
    "ValidationError",
    "WriteError",
]


class IOModelError(Exception):
    """Base class of every error iomodel raises on purpose."""


class ValidationError(IOModelError, ValueError):
    """Input data violate a structural or accounting rule.

    Parameters
    ----------
    message
        What is wrong and where.
    positions
        Optional integer positions (kernel level) of the offending items, e.g.
        a numpy index array, so that a labelled caller can translate them into
        sector labels; stored as a list of ``int``.
    """

    def __init__(self, message: str, positions: Iterable[SupportsInt] | None = None) -> None:
        super().__init__(message)
        self.positions: list[int] = [int(p) for p in positions] if positions is not None else []


class NotProductiveError(ValidationError):
    """The coefficient matrix is not productive (spectral radius >= 1)."""


class LabelError(IOModelError, KeyError):
    """Labels are unknown, duplicated or do not line up between blocks."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class InfeasibleError(IOModelError):
    """An optimisation model has no feasible solution."""


class UnboundedError(IOModelError):
    """An optimisation model is unbounded."""


class SolverError(IOModelError):
    """A solver failed or returned a status iomodel cannot interpret."""


class ConvergenceError(IOModelError):
    """An iterative method did not reach its tolerance."""


class ReadError(IOModelError):
    """A data file does not have the layout a reader expects."""


class WriteError(IOModelError):
    """A file cannot be written, or would replace an existing one without consent.

    Parameters
    ----------
    message
        Which file, and why (the operating system's reason, or how to allow
        the replacement: ``overwrite=True``, ``--force`` on the command line).
    paths
        The offending files, stored as a list of :class:`pathlib.Path`.
    """

    def __init__(self, message: str, paths: Iterable[str | os.PathLike[str]] = ()) -> None:
        super().__init__(message)
        self.paths: list[Path] = [Path(p) for p in paths]


class IOModelWarning(UserWarning):
    """Something unusual that does not stop the computation."""
