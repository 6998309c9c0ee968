"""Low-rank (Woodbury) updates of the Leontief factorisation against fresh factorisations (METHODS.md 6.3)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel import linalg as la
from iomodel.errors import ConvergenceError, NotProductiveError, ValidationError

A_MB = np.array([[0.15, 0.25], [0.20, 0.05]])
RTOL = 1e-10


def random_table(n: int, seed: int) -> np.ndarray:
    """A productive coefficient matrix: about 30% non-zeros, column sums in [0.3, 0.8]."""
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.0, 1.0, (n, n)) * (rng.uniform(size=(n, n)) < 0.3)
    A[np.diag_indices(n)] += 0.05
    return A * (rng.uniform(0.3, 0.8, n) / A.sum(axis=0))


def operator(A: np.ndarray):
    """``apply(X, trans)``: products with ``I - A``, as ``IOTable.factor`` passes to ``factorize``."""
    return lambda X, trans: X - (A.T @ X if trans else A @ X)


def changed(A: np.ndarray, cols, D: np.ndarray) -> np.ndarray:
    A2 = A.copy()
    A2[:, cols] += D
    return A2


def column_change(A: np.ndarray, cols: list[int], seed: int) -> np.ndarray:
    """A change of the columns ``cols`` that keeps them non-negative and the model productive."""
    rng = np.random.default_rng(seed)
    return A[:, cols] * rng.uniform(-0.5, 0.2, (A.shape[0], len(cols)))


@pytest.fixture(scope="module")
def big() -> np.ndarray:
    return random_table(200, seed=20240601)


@pytest.mark.parametrize("cols", [[17], [3, 90, 181]], ids=["rank1", "rank3"])
@pytest.mark.parametrize("checked_by", ["capacitance", "base-operator", "changed-operator"])
def test_update_matches_fresh_factorisation(big, cols, checked_by):
    A = big
    n = A.shape[0]
    D = column_change(A, cols, seed=len(cols))
    A_new = changed(A, cols, D)
    fac = la.factorize(A, apply=operator(A) if checked_by == "base-operator" else None)
    upd = la.update_columns(fac, cols, D, apply=operator(A_new) if checked_by == "changed-operator" else None)
    fresh = la.factorize(A_new)
    rng = np.random.default_rng(7)
    f = rng.uniform(0.0, 100.0, n)
    F = rng.uniform(0.0, 100.0, (n, 5))
    s = rng.uniform(0.0, 1.0, n)
    S = rng.uniform(0.0, 1.0, (4, n))
    assert upd.solve(f).shape == (n,) and upd.solve(F).shape == (n, 5)
    assert upd.solve_transposed(s).shape == (n,) and upd.solve_transposed(S).shape == (4, n)
    assert_allclose(upd.solve(f), fresh.solve(f), rtol=RTOL)
    assert_allclose(upd.solve(F), fresh.solve(F), rtol=RTOL)
    assert_allclose(upd.solve_transposed(s), fresh.solve_transposed(s), rtol=RTOL)
    assert_allclose(upd.solve_transposed(S), fresh.solve_transposed(S), rtol=RTOL)
    Lnew = fresh.inverse()
    assert_allclose(upd.inverse(), Lnew, rtol=RTOL, atol=RTOL * np.abs(Lnew).max())
    assert not upd.inverse().flags.writeable
    assert upd.k == len(cols) and upd.n == n
    # the base factorisation is untouched
    assert_allclose(fac.solve(f), la.factorize(A).solve(f), rtol=1e-12)


@pytest.mark.parametrize("method", ["splu", "gmres"])
def test_update_on_sparse_factorisations(big, method):
    A = big
    cols = [5, 60]
    D = column_change(A, cols, seed=3)
    upd = la.update_columns(la.factorize(sp.csc_array(A), method=method), cols, D)
    fresh = la.factorize(changed(A, cols, D))
    f = np.linspace(1.0, 2.0, A.shape[0])
    assert_allclose(upd.solve(f), fresh.solve(f), rtol=1e-9)
    assert_allclose(upd.solve_transposed(f), fresh.solve_transposed(f), rtol=1e-9)


def test_rank_one_equals_sherman_morrison(big):
    A = big
    j = 42
    d = column_change(A, [j], seed=11)[:, 0]
    fac = la.factorize(A)
    upd = la.update_columns(fac, j, d)  # a scalar position and an (n,) change
    expected = la.sherman_morrison_column(fac.inverse(), j, d)
    assert_allclose(upd.inverse(), expected, rtol=1e-12, atol=1e-14)
    assert_allclose(upd.capacitance, [[1.0 - (fac.inverse() @ d)[j]]], rtol=1e-12)


def test_miller_blair_against_the_inverse_of_the_changed_matrix():
    d = np.array([[0.05, 0.0], [-0.02, 0.1]])
    upd = la.update_columns(la.factorize(A_MB), [1, 0], d)
    A2 = A_MB.copy()
    A2[:, 1] += d[:, 0]
    A2[:, 0] += d[:, 1]
    L2 = np.linalg.inv(np.eye(2) - A2)
    assert_allclose(upd.inverse(), L2, rtol=1e-13)
    f = np.array([600.0, 1500.0])
    assert_allclose(upd.solve(f), L2 @ f, rtol=1e-13)
    assert_allclose(upd.solve_transposed(np.ones(2)), L2.sum(axis=0), rtol=1e-13)


def test_table_factor_is_residual_checked_through_its_operator():
    t = iom.datasets.miller_blair()
    upd = la.update_columns(t.factor(), [0], np.array([0.01, 0.02]))
    A2 = changed(t.arrays.A, [0], np.array([[0.01], [0.02]]))
    assert_allclose(upd.solve(np.ones(2)), np.linalg.solve(np.eye(2) - A2, np.ones(2)), rtol=1e-13)


@pytest.mark.parametrize("wrong", ["other-matrix", "unchanged-matrix"])
def test_residual_check_catches_an_inconsistent_operator(big, wrong):
    A = big
    # apply is the operator of the changed system; that of another or of the unchanged matrix is caught
    op = operator(A * 1.01) if wrong == "other-matrix" else operator(A)
    upd = la.update_columns(la.factorize(A), [4], column_change(A, [4], seed=1), apply=op, check=False)
    with pytest.raises(ConvergenceError, match="residual"):
        upd.solve(np.ones(A.shape[0]))
    with pytest.raises(ConvergenceError, match="residual"):
        upd.solve_transposed(np.ones(A.shape[0]))
    with pytest.raises(ConvergenceError, match="residual"):  # the productivity check solves too
        la.update_columns(la.factorize(A), [4], column_change(A, [4], seed=1), apply=op)


def test_non_productive_change_names_the_column():
    fac = la.factorize(A_MB)
    with pytest.raises(NotProductiveError, match=r"column\(s\) \[1\].*1 - e_j'Ld = -0\.168") as exc:
        la.update_columns(fac, 1, np.array([0.6, 0.9]))
    assert exc.value.positions == [1]
    # sherman_morrison_column agrees that this change is not productive
    with pytest.raises(NotProductiveError):
        la.sherman_morrison_column(fac.inverse(), 1, np.array([0.6, 0.9]))


def test_non_productive_rank_two_change_with_positive_determinant():
    # A* = [[1.5, 0.1], [0.1, 1.5]]: det(I - A*) > 0 but rho(A*) = 1.6, caught by L* i >= 0
    A_new = np.array([[1.5, 0.1], [0.1, 1.5]])
    fac = la.factorize(A_MB)
    D = A_new - A_MB
    assert np.linalg.det(np.eye(2) - A_new) > 0
    with pytest.raises(NotProductiveError, match=r"column\(s\) \[0, 1\]") as exc:
        la.update_columns(fac, [0, 1], D)
    assert exc.value.positions == [0, 1]
    # without the check the (non-productive) system is still solved
    upd = la.update_columns(fac, [0, 1], D, check=False)
    assert_allclose(upd.inverse(), np.linalg.inv(np.eye(2) - A_new), rtol=1e-12)


def test_singular_update_is_refused_even_unchecked():
    # column 1 becomes (0.85, 0.8): det(I - A*) = 0.85 * 0.2 - 0.2 * 0.85 = 0
    with pytest.raises(NotProductiveError, match="singular") as exc:
        la.update_columns(la.factorize(A_MB), [1], np.array([[0.6], [0.75]]), check=False)
    assert exc.value.positions == [1]


@pytest.mark.parametrize(
    ("columns", "D", "match"),
    [
        ([0], np.zeros((3, 1)), r"D must have shape \(2, 1\)"),
        ([0, 1], np.zeros((2, 1)), r"D must have shape \(2, 2\)"),
        ([0, 1], np.zeros(2), r"D must have shape \(2, 2\)"),
        ([2], np.zeros((2, 1)), r"out of range"),
        ([-1], np.zeros((2, 1)), r"out of range"),
        ([1, 1], np.zeros((2, 2)), r"distinct"),
        ([], np.zeros((2, 0)), r"integer positions"),
        ([0.5], np.zeros((2, 1)), r"integer positions"),
        ([[0]], np.zeros((2, 1)), r"integer positions"),
        ([1], np.array([[np.nan], [0.0]]), r"not finite .* \[1\]"),
    ],
)
def test_bad_input_raises_validation_error(columns, D, match):
    with pytest.raises(ValidationError, match=match):
        la.update_columns(la.factorize(A_MB), columns, D)


def test_bad_right_hand_sides():
    upd = la.update_columns(la.factorize(A_MB), [0], np.array([0.01, 0.0]))
    with pytest.raises(ValidationError, match="3 rows"):
        upd.solve(np.ones(3))
    with pytest.raises(ValidationError, match=r"shape \(r, 2\)"):
        upd.solve_transposed(np.ones((1, 3)))
    with pytest.raises(ValidationError, match="not finite"):
        upd.solve(np.array([1.0, np.inf]))


def test_update_is_immutable():
    D = np.array([[0.01], [0.0]])
    upd = la.update_columns(la.factorize(A_MB), [0], D)
    D[0, 0] = 0.5  # the caller's array may change afterwards
    assert upd.D[0, 0] == 0.01
    for arr in (upd.columns, upd.D, upd.LD, upd.capacitance):
        assert not arr.flags.writeable
    with pytest.raises(AttributeError):
        upd.columns = np.array([1])  # type: ignore[misc]


def test_update_of_an_update_and_household_closure(big):
    A = big
    n = A.shape[0]
    D1, D2 = column_change(A, [8], seed=21), column_change(A, [8, 77], seed=22)
    op = operator(A)
    first = la.update_columns(la.factorize(A, apply=op), [8], D1)
    A1 = changed(A, [8], D1)
    second = la.update_columns(first, [8, 77], D2)  # checked through the chained operator
    A2 = changed(A1, [8, 77], D2)
    fresh = la.factorize(A2)
    f = np.linspace(1.0, 3.0, n)
    assert first.method == "woodbury"
    assert_allclose(second.solve(f), fresh.solve(f), rtol=RTOL)
    assert_allclose(second.solve_transposed(f), fresh.solve_transposed(f), rtol=RTOL)
    # an update stands in for a LeontiefFactor in the household closure
    rng = np.random.default_rng(5)
    h_R, h_C = rng.uniform(0.05, 0.3, n), rng.uniform(0.0, 1.0, n)
    h_C *= 0.5 / h_C.sum()
    assert_allclose(
        la.close_households(second, h_R, h_C).inverse(),
        la.close_households(fresh, h_R, h_C).inverse(),
        rtol=1e-9,
        atol=1e-12,
    )
