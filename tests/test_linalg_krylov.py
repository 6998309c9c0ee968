"""The matrix-free Krylov path (issue 13): agreement with the LU, the fallback, warm starts, no hidden n x n work."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel import linalg as la
from iomodel import sensitivity as sa
from iomodel.errors import ConvergenceError, IOModelWarning, NotProductiveError, ValidationError

A_MB = np.array([[0.15, 0.25], [0.20, 0.05]])
L_MB = np.array([[1.2541, 0.3300], [0.2640, 1.1221]])  # Miller & Blair (2009) Table 2.4, as printed


def random_A(n: int, seed: int, density: float = 0.6) -> np.ndarray:
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.0, 1.0, (n, n)) * (rng.uniform(size=(n, n)) < density)
    A[np.diag_indices(n)] += 0.01
    return A * (rng.uniform(0.3, 0.7, n) / A.sum(axis=0))


def random_table(n: int, seed: int = 0, A: np.ndarray | None = None) -> iom.IOTable:
    """A balanced table with coefficients ``A``: two value-added rows, a satellite and two taxes."""
    rng = np.random.default_rng(seed)
    A = random_A(n, seed) if A is None else A
    x = rng.uniform(100.0, 1000.0, n)
    s = [f"s{i:04d}" for i in range(n)]
    Z = pd.DataFrame(A * x, index=s, columns=s)
    fd = x - Z.sum(axis=1).to_numpy()
    f = pd.DataFrame({"households": 0.6 * fd, "exports": 0.4 * fd}, index=s)
    rest = x - Z.sum().to_numpy()
    va = pd.DataFrame([0.7 * rest, 0.3 * rest], index=["compensation", "gos"], columns=s)
    sat = pd.DataFrame([rng.uniform(0.001, 0.01, n) * x], index=["employment"], columns=s)
    tax = pd.DataFrame([0.05 * x, 0.02 * x], index=["VAT", "CIT"], columns=s)
    return iom.IOTable.from_flows(Z, f, va, satellites=sat, taxes=tax, name=f"random {n}")


def slow_A(n: int, c: float = 0.9999) -> np.ndarray:
    """``c`` times the cyclic shift: eigenvalues ``c`` times the n-th roots of unity, around 1 at distance
    ``1 - c``, so GMRES reduces the residual by about ``c`` per iteration (it needs ~3e5 iterations at 1e-13)."""
    return c * np.roll(np.eye(n), 1, axis=0)


def rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# --------------------------------------------------------------------------- kernels
def test_known_answers_miller_blair():
    ks = la.krylov_solver(A_MB)
    assert ks.method == "krylov" and not ks.factorised
    assert_allclose(ks.solve(np.eye(2)), L_MB, atol=5e-5)
    assert_allclose(ks.solve(np.array([600.0, 1500.0])), [1247.52, 1841.58], atol=5e-3)
    assert_allclose(ks.solve_transposed(np.ones(2)), L_MB.sum(axis=0), atol=1e-4)
    exact = np.linalg.inv(np.eye(2) - A_MB)  # independent: numpy's inverse
    assert_allclose(ks.solve_transposed(np.eye(2)), exact, rtol=1e-13)
    assert not ks.factorised  # two right-hand sides, no max_rhs: no LU was built
    assert_allclose(ks.inverse(), exact, rtol=1e-13)
    assert ks.factorised  # the inverse asks for the LU


def test_closed_model_from_krylov_matches_textbook():
    LBAR = np.array([[1.365, 0.425, 0.251], [0.527, 1.348, 0.595], [0.570, 0.489, 1.289]])
    h_R, h_C = np.array([0.30, 0.25]), np.array([0.05, 0.40])
    cl = la.close_households(la.krylov_solver(A_MB), h_R, h_C, 0.05)
    assert_allclose(cl.inverse(), LBAR, atol=5e-4)
    Abar = np.block([[A_MB, h_C[:, None]], [h_R[None, :], np.array([[0.05]])]])
    ref = np.linalg.inv(np.eye(3) - Abar)
    assert_allclose(cl.multiplier_rows(np.ones(2)), ref[:2, :2].sum(axis=0, keepdims=True), rtol=1e-12)
    assert_allclose(cl.income_row(), ref[2, :2], rtol=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
def test_random_tables_agree_with_an_independent_solve(sparse):
    A = random_A(300, 1, density=0.05)
    S = np.random.default_rng(2).uniform(0.0, 1.0, (5, 300))
    ks = la.krylov_solver(sp.csr_array(A) if sparse else A, preconditioner="diagonal")
    M = np.eye(300) - A
    assert rel(ks.solve_transposed(S), np.linalg.solve(M.T, S.T).T) < 1e-12
    F = np.random.default_rng(3).uniform(0.0, 1.0, (300, 3))
    assert rel(ks.solve(F), np.linalg.solve(M, F)) < 1e-12
    assert max(ks.iterations) < 40 and not ks.factorised


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 40),
    seed=st.integers(0, 2**32 - 1),
    density=st.floats(0.05, 1.0),
    top=st.floats(0.05, 0.95),
)
def test_krylov_and_lu_agree_on_random_productive_tables(n, seed, density, top):
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(0, 1, (n, n)) < density)
    A *= rng.uniform(0.0, top, n) / np.maximum(A.sum(axis=0), 1e-12)
    S = rng.uniform(0.0, 1.0, (3, n))
    ks = la.krylov_solver(A, fallback=False)  # a stall would raise, not fall back
    lu = la.factorize(A, method="lu")
    assert_allclose(ks.solve_transposed(S), lu.solve_transposed(S), rtol=1e-10, atol=1e-13)
    assert_allclose(ks.solve(S.T), lu.solve(S.T), rtol=1e-10, atol=1e-13)


def test_bad_input_named():
    ks = la.krylov_solver(A_MB)
    with pytest.raises(ValidationError, match="right-hand side has shape \\(3,\\) but the system has 2 sectors"):
        ks.solve(np.ones(3))
    with pytest.raises(ValidationError, match=r"not finite at row position\(s\) \[1\]"):
        ks.solve(np.array([1.0, np.nan]))
    with pytest.raises(NotProductiveError, match="spectral radius"):
        la.krylov_solver(np.array([[0.5, 0.9], [0.6, 0.2]]))
    with pytest.raises(ValidationError, match="cannot warm-start a 2-sector solver from a 3-sector one"):
        ks.warm_start(la.krylov_solver(np.zeros((3, 3))))


def test_matrix_free_productivity_check_matches_the_dense_one():
    A = np.array([[0.1, 0.9, 0.0], [0.05, 0.2, 0.1], [0.0, 0.05, 0.2]])  # column 1 sums to 1.15, rho < 1
    rho = la.check_productive_matrix_free(A.sum(axis=0), lambda X, trans: X - A @ X)
    assert rho == pytest.approx(float(np.max(np.abs(np.linalg.eigvals(A)))), rel=1e-8)
    assert rho < 1.0
    B = A.copy()
    B[1, 0] = 0.9
    with pytest.raises(NotProductiveError, match=r"column sums at or above 1 at position\(s\) \[0, 1\]"):
        la.check_productive_matrix_free(B.sum(axis=0), lambda X, trans: X - B @ X)


# --------------------------------------------------------------------------- the fallback
def test_slow_table_falls_back_to_lu_with_a_warning():
    n = 300
    A = slow_A(n)
    S = np.random.default_rng(0).uniform(0.0, 1.0, (2, n))
    ref = np.linalg.solve((np.eye(n) - A).T, S.T).T  # independent
    ks = la.krylov_solver(A)
    stalled = r"GMRES stalled on transposed right-hand side 0: relative residual .* after 240 iterations \(restart 60\)"
    with pytest.warns(IOModelWarning, match=stalled + ".*falling back to the LU"):
        out = ks.solve_transposed(S)
    assert ks.factorised
    assert rel(out, ref) < 1e-12
    with pytest.raises(ConvergenceError, match="GMRES stalled"):
        la.krylov_solver(A, fallback=False).solve_transposed(S)


def test_slow_table_multipliers_fall_back_and_equal_lu():
    t = random_table(120, 4, A=slow_A(120, 0.999))
    with pytest.warns(IOModelWarning, match="falling back to the LU"):
        k = iom.multipliers(t, "type2", method="krylov")
    lu = iom.multipliers(t, "type2", method="lu")
    assert_allclose(k, lu, rtol=1e-12)


# --------------------------------------------------------------------------- tables and multipliers
@pytest.mark.parametrize("kind", ["type1", "type2"])
def test_multipliers_agree_on_known_answer_tables(kind):
    for t in (iom.datasets.miller_blair(), iom.datasets.kazakhstan()):
        k = iom.multipliers(t, kind, method="krylov")
        lu = iom.multipliers(t, kind, method="lu")
        assert k.indicator.values.tolist() == lu.indicator.values.tolist()
        for ind in lu.indicator.values:  # every indicator, relative to its own size
            a, b = k.sel(indicator=ind).values, lu.sel(indicator=ind).values
            assert rel(a, b) < 1e-10, (t.meta.name, ind)
        assert t.factor("auto").method == "dense"  # small tables stay on the LU under auto


def test_miller_blair_krylov_known_answer():
    t = iom.datasets.miller_blair()
    m = iom.multipliers(t, method="krylov")
    assert_allclose(m.sel(indicator="output").values, L_MB.sum(axis=0), atol=1e-4)


def test_auto_rule_on_a_large_table_forms_no_n_by_n_array():
    n = 1400  # seven coefficient rows (output, income, gva, employment, VAT, CIT, budget) <= n // 100
    t = random_table(n, 5)
    ref_A = random_A(n, 5)
    tracemalloc.start()
    try:
        m = iom.multipliers(t, "type2")  # auto
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    fac = t.factor()
    assert fac.method == "krylov" and fac.max_rhs == 14
    assert not fac.factorised and "A" not in t._cache and "factor:lu" not in t._cache
    assert peak < 0.25 * 8 * n * n, peak  # no n x n temporary: Krylov bases, rows and results only
    # the answers are those of an independent dense solve
    S = t.coefficients("satellites").to_numpy()
    ref = np.linalg.solve((np.eye(n) - ref_A).T, S.T).T
    assert rel(t.factor().solve_transposed(S), ref) < 1e-11
    lu = iom.multipliers(t, "type2", method="lu")
    for ind in lu.indicator.values:
        assert rel(m.sel(indicator=ind).values, lu.sel(indicator=ind).values) < 1e-10, ind
    # L is still there: it factorises on request
    assert_allclose(t.L.to_numpy().sum(axis=0), t.factor("lu").solve_transposed(np.ones(n)), rtol=1e-10)
    assert fac.factorised and fac.lu() is t.factor("lu")


def test_few_rows_stay_matrix_free_many_go_to_lu():
    n = 1000
    t = random_table(n, 6)
    fac = t.factor()
    assert fac.method == "krylov" and fac.max_rhs == 10
    tracemalloc.start()
    try:
        out = fac.solve_transposed(t.coefficients("taxes").to_numpy())  # 2 rows
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not fac.factorised and peak < 0.1 * 8 * n * n
    M = np.eye(n) - random_A(n, 6)
    assert rel(out, np.linalg.solve(M.T, t.coefficients("taxes").to_numpy().T).T) < 1e-11
    F = np.random.default_rng(1).uniform(size=(n, 10))  # 10 <= 10 right-hand sides: GMRES, in groups of 8
    assert rel(fac.solve(F), np.linalg.solve(M, F)) < 1e-11 and not fac.factorised
    assert len(fac.iterations) == 10 and min(fac.iterations) > 0
    F = np.random.default_rng(1).uniform(size=(n, 11))  # 11 > 10 right-hand sides: one LU
    assert rel(fac.solve(F), np.linalg.solve(M, F)) < 1e-11
    assert fac.factorised and t._cache["factor:lu"] is fac.lu()


def test_use_krylov_rule():
    assert not la.use_krylov(la.KRYLOV_MIN_SIZE - 1)
    assert la.use_krylov(la.KRYLOV_MIN_SIZE) and la.use_krylov(4000, 40) and not la.use_krylov(4000, 41)
    assert la.choose_method(np.full((1000, 1000), 1e-4)) == "krylov"
    assert la.choose_method(np.full((999, 999), 1e-4)) == "dense"


def test_unknown_method_named():
    t = iom.datasets.miller_blair()
    with pytest.raises(ValidationError, match="unknown method 'qr'; valid options are 'auto', 'lu', 'krylov'"):
        iom.multipliers(t, method="qr")


# --------------------------------------------------------------------------- warm starts
def test_warm_starts_give_the_cold_answers_in_fewer_iterations():
    n = 400
    A = random_A(n, 7)
    rng = np.random.default_rng(8)
    S = rng.uniform(size=(4, n))
    prev = la.krylov_solver(A)
    prev.solve_transposed(S)
    for _ in range(3):
        A2 = A * rng.lognormal(0.0, 0.01, A.shape)
        cold = la.krylov_solver(A2)
        warm = la.krylov_solver(A2, warm=prev)
        x_cold, x_warm = cold.solve_transposed(S), warm.solve_transposed(S)
        ref = np.linalg.solve((np.eye(n) - A2).T, S.T).T
        assert rel(x_warm, ref) < 1e-12 and rel(x_cold, ref) < 1e-12
        assert rel(x_warm, x_cold) < 1e-12
        assert sum(warm.iterations) <= sum(cold.iterations)
        prev = warm


def test_warm_starts_save_iterations_where_convergence_is_slow():
    n = 200
    A = slow_A(n, 0.6)  # the residual falls by about 0.6 per iteration: ~60 iterations from a cold start
    S = np.random.default_rng(9).uniform(size=(2, n))
    prev = la.krylov_solver(A)
    prev.solve_transposed(S)
    A2 = A * np.random.default_rng(10).lognormal(0.0, 1e-6, A.shape)
    cold, warm = la.krylov_solver(A2), la.krylov_solver(A2, warm=prev)
    x_cold, x_warm = cold.solve_transposed(S), warm.solve_transposed(S)
    ref = np.linalg.solve((np.eye(n) - A2).T, S.T).T
    assert rel(x_warm, ref) < 1e-12 and rel(x_cold, ref) < 1e-12
    assert min(cold.iterations) > 40 and max(warm.iterations) < min(cold.iterations) - 15
    assert not warm.factorised and not cold.factorised


def test_table_factor_takes_a_warm_start():
    t = random_table(300, 9)
    t.factor("krylov").solve_transposed(t.coefficients("taxes").to_numpy())
    A2 = t.arrays.A * 1.01
    t2 = t.with_coefficients(A2)
    warm = t2.factor("krylov", warm=t.factor("krylov"))
    assert warm is t2.factor("krylov")
    got = warm.solve_transposed(t2.coefficients("taxes").to_numpy())
    ref = np.linalg.solve((np.eye(300) - A2).T, t2.coefficients("taxes").to_numpy().T).T
    assert rel(got, ref) < 1e-12


def test_monte_carlo_on_a_large_table_warm_starts_and_matches_cold_draws():
    t = random_table(la.KRYLOV_MIN_SIZE, 10)
    cv = sa.LognormalCoefficients(0.05)
    warm = sa.monte_carlo(iom.multipliers, t, draws=3, coefficients=cv, seed=1, chunk_size=3)
    cold = sa.monte_carlo(iom.multipliers, t, draws=3, coefficients=cv, seed=1, chunk_size=1)  # every draw cold
    assert warm.attrs["backend"] != "batched"
    assert rel(warm["multiplier"].values, cold["multiplier"].values) < 1e-10


def test_krylov_solvers_pickle_with_their_tables():
    import pickle

    t = iom.datasets.miller_blair()
    t.factor("krylov").solve(np.ones(2))
    back = pickle.loads(pickle.dumps(t))
    assert_allclose(back.factor("krylov").solve_transposed(np.ones(2)), L_MB.sum(axis=0), atol=1e-4)
    ks = pickle.loads(pickle.dumps(la.krylov_solver(A_MB)))
    assert_allclose(ks.inverse(), np.linalg.inv(np.eye(2) - A_MB), rtol=1e-13)
