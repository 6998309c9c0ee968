"""Kernels against the Miller & Blair known answers and independent computations."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from iomodel import linalg as la
from iomodel.errors import NotProductiveError, ValidationError

# Miller & Blair (2009) ch. 2, Table 2.3/2.4 and section 2.5 (values as printed; METHODS.md 0.1)
Z_MB = np.array([[150.0, 500.0], [200.0, 100.0]])
X_MB = np.array([1000.0, 2000.0])
A_MB = np.array([[0.15, 0.25], [0.20, 0.05]])
L_MB = np.array([[1.2541, 0.3300], [0.2640, 1.1221]])
LBAR_MB = np.array([[1.365, 0.425, 0.251], [0.527, 1.348, 0.595], [0.570, 0.489, 1.289]])


def test_coefficients_match_textbook():
    assert_allclose(la.technical_coefficients(Z_MB, X_MB), A_MB, atol=1e-12)


def test_inverse_matches_textbook_to_printed_digits():
    L = la.factorize(A_MB).inverse()
    assert_allclose(L, L_MB, atol=5e-5)


def test_new_demand_solution():
    x = la.factorize(A_MB).solve(np.array([600.0, 1500.0]))
    assert_allclose(x, [1247.52, 1841.58], atol=5e-3)


def test_shared_expected_json(miller_blair_expected):
    e = miller_blair_expected
    fac = la.factorize(la.technical_coefficients(np.array(e["Z"]), np.array(e["x"])))
    assert_allclose(fac.inverse(), e["L"], atol=e["tolerances"]["L"])
    assert_allclose(
        fac.solve_transposed(np.ones(2)), e["output_multipliers_typeI"], atol=e["tolerances"]["multipliers"]
    )
    x_new = fac.solve(np.array(e["f_new_inferred"]))
    assert_allclose(x_new, e["x_new"], atol=e["tolerances"]["x_new"])
    assert_allclose(np.array(e["labour_coefficients"]) * x_new, e["labour_totals_at_x_new"], atol=0.1)


def test_closed_model_matches_textbook():
    fac = la.factorize(A_MB)
    cl = la.close_households(fac, np.array([0.30, 0.25]), np.array([0.05, 0.40]), 0.05)
    Lbar = cl.inverse()
    assert_allclose(Lbar, LBAR_MB, atol=5e-4)
    # total output multipliers 2.462 and 2.262 (column sums over all three rows)
    assert_allclose(Lbar[:, :2].sum(axis=0), [2.462, 2.262], atol=5e-4)
    # independent: invert the bordered matrix directly
    Abar = np.array([[0.15, 0.25, 0.05], [0.20, 0.05, 0.40], [0.30, 0.25, 0.05]])
    assert_allclose(Lbar, np.linalg.inv(np.eye(3) - Abar), rtol=1e-12)
    # Type II / Type I income ratio is constant and equals lbar_{n+1,n+1} (METHODS.md 1.4)
    h_R = np.array([0.30, 0.25])
    ratio = Lbar[2, :2] / (h_R @ fac.inverse())
    assert_allclose(ratio, Lbar[2, 2], rtol=1e-12)


def test_closed_solve_matches_bordered_system():
    fac = la.factorize(A_MB)
    cl = la.close_households(fac, np.array([0.30, 0.25]), np.array([0.05, 0.40]), 0.05)
    x, xh = cl.solve(np.array([100.0, 50.0]), 10.0)
    Abar = np.array([[0.15, 0.25, 0.05], [0.20, 0.05, 0.40], [0.30, 0.25, 0.05]])
    full = np.linalg.solve(np.eye(3) - Abar, [100.0, 50.0, 10.0])
    assert_allclose(np.r_[x, xh], full, rtol=1e-12)


def test_ghosh_identity():
    L = la.factorize(A_MB).inverse()
    G = la.ghosh_inverse(L, X_MB)
    B = la.allocation_coefficients(Z_MB, X_MB)
    assert_allclose(G, np.linalg.inv(np.eye(2) - B), rtol=1e-12)
    # and the pymrio documentation's x L x^-1 is NOT it (METHODS.md 1.3 pitfall)
    wrong = np.diag(X_MB) @ L @ np.diag(1 / X_MB)
    assert not np.allclose(wrong, G)


def test_sherman_morrison_column_random():
    rng = np.random.default_rng(3)
    A = rng.uniform(0, 0.1, (8, 8))
    L = np.linalg.inv(np.eye(8) - A)
    d = rng.uniform(-0.02, 0.05, 8)
    A2 = A.copy()
    A2[:, 5] += d
    assert_allclose(la.sherman_morrison_column(L, 5, d), np.linalg.inv(np.eye(8) - A2), rtol=1e-10)


def _random_productive(n, rng, density=1.0):
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(0, 1, (n, n)) < density)
    A *= rng.uniform(0.2, 0.8, n) / np.maximum(A.sum(axis=0), 1e-12)
    return A


@pytest.mark.parametrize("method", ["dense", "splu", "gmres"])
def test_methods_agree(method):
    rng = np.random.default_rng(0)
    A = _random_productive(300, rng, density=0.05)
    ref = np.linalg.inv(np.eye(300) - A)
    fac = la.factorize(sp.csc_array(A) if method != "dense" else A, method=method)
    F = rng.uniform(0, 1, (300, 3))
    assert_allclose(fac.solve(F), ref @ F, rtol=1e-9)
    S = rng.uniform(0, 1, (4, 300))
    assert_allclose(fac.solve_transposed(S), S @ ref, rtol=1e-9)
    assert fac.method == method


def test_auto_picks_dense_for_small_and_gmres_for_large_sparse():
    rng = np.random.default_rng(1)
    assert la.factorize(_random_productive(50, rng)).method == "dense"
    big = sp.random_array((2500, 2500), density=0.01, random_state=2, format="csc") * 0.05
    assert la.factorize(big).method == "gmres"


def test_zero_output_policy():
    with pytest.raises(ValidationError, match=r"zero at position\(s\) \[1\]"):
        la.technical_coefficients(Z_MB, np.array([1000.0, 0.0]))
    A = la.technical_coefficients(Z_MB, np.array([1000.0, 0.0]), zero_output="zero")
    assert_allclose(A[:, 1], 0.0)


def test_reciprocal_policy_and_errors():
    assert_allclose(la.reciprocal(X_MB), [0.001, 0.0005])
    assert_allclose(la.reciprocal(np.array([4.0, 0.0]), zero_output="zero"), [0.25, 0.0])
    with pytest.raises(ValidationError, match=r"imports plus output is zero at position\(s\) \[1\]") as info:
        la.reciprocal(np.array([4.0, 0.0]), what="imports plus output")
    assert list(info.value.positions) == [1]
    with pytest.raises(ValidationError, match=r"not finite at position\(s\) \[0\]"):
        la.reciprocal(np.array([np.nan, 1.0]))
    with pytest.raises(ValidationError, match="zero_output must be 'raise' or 'zero', not 'skip'"):
        la.reciprocal(X_MB, zero_output="skip")


def test_choose_method_is_what_factorize_uses():
    rng = np.random.default_rng(3)
    small = _random_productive(40, rng)
    assert la.choose_method(small) == "dense" == la.factorize(small).method
    big = sp.random_array((2500, 2500), density=0.01, random_state=2, format="csc") * 0.05
    assert la.choose_method(big) == "gmres" == la.factorize(big).method
    dense_big = np.full((2100, 2100), 1e-5)
    assert la.choose_method(dense_big) == "krylov"  # above the density threshold, n >= KRYLOV_MIN_SIZE
    assert la.choose_method(small, "splu") == "splu"
    assert la.choose_method(small, "lu") == "dense" and la.choose_method(big, "lu") == "splu"
    with pytest.raises(ValidationError, match="unknown method 'qr'; valid options are"):
        la.choose_method(small, "qr")


def test_not_productive_names_positions():
    A = np.array([[0.5, 0.9], [0.6, 0.2]])
    with pytest.raises(NotProductiveError, match=r"spectral radius .* >= 1.*\[0, 1\]") as exc:
        la.factorize(A)
    assert exc.value.positions == [0, 1]


def test_closure_not_productive():
    fac = la.factorize(A_MB)
    with pytest.raises(NotProductiveError, match="closed for households"):
        la.close_households(fac, np.array([0.8, 0.8]), np.array([0.9, 0.9]))


def test_rhs_errors():
    fac = la.factorize(A_MB)
    with pytest.raises(ValidationError, match="3 rows but the system has 2"):
        fac.solve(np.ones(3))
    with pytest.raises(ValidationError, match="not finite"):
        fac.solve(np.array([1.0, np.nan]))


# --- properties (Hypothesis) ------------------------------------------------------------
@st.composite
def productive_matrices(draw):
    n = draw(st.integers(2, 8))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return _random_productive(n, rng, density=draw(st.floats(0.3, 1.0))), rng


@settings(max_examples=60, deadline=None)
@given(productive_matrices())
def test_leontief_properties(case):
    A, rng = case
    n = A.shape[0]
    fac = la.factorize(A)
    L = fac.inverse()
    assert (L >= np.eye(n) - 1e-12).all()  # L >= I elementwise
    f1, f2 = rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    x1 = fac.solve(f1)
    assert_allclose((np.eye(n) - A) @ x1, f1, rtol=1e-9, atol=1e-9)
    a, b = rng.uniform(-3, 3, 2)
    assert_allclose(fac.solve(a * f1 + b * f2), a * x1 + b * fac.solve(f2), rtol=1e-8, atol=1e-7)
    # power series agrees (METHODS.md 1.1)
    S, P = np.eye(n), np.eye(n)
    for _ in range(400):
        P = P @ A
        S += P
    assert_allclose(S, L, rtol=1e-6, atol=1e-9)


def test_dense_solves_are_verified_with_the_apply_operator():
    A = A_MB.copy()
    good = la.factorize(A, apply=lambda X, t: (np.eye(2) - (A.T if t else A)) @ X)
    good.solve(np.ones(2))
    bad = la.factorize(A, apply=lambda X, t: 2 * X)  # an operator that disagrees with the factors
    from iomodel.errors import ConvergenceError

    with pytest.raises(ConvergenceError, match="residual"):
        bad.solve(np.ones(2))


@settings(max_examples=60, deadline=None)
@given(productive_matrices(), st.integers(0, 2**32 - 1))
def test_ghosh_similarity_property(case, seed):
    """G = x^-1 L x equals the inverse of I - B with B = x^-1 Z (METHODS.md 1.3)."""
    A, _ = case
    n = A.shape[0]
    x = np.random.default_rng(seed).uniform(1.0, 1000.0, n)
    Z = A * x[None, :]
    G = la.ghosh_inverse(la.factorize(A).inverse(), x)
    B = la.allocation_coefficients(Z, x)
    assert_allclose(G, np.linalg.inv(np.eye(n) - B), rtol=1e-9, atol=1e-12)
