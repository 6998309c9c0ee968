#!/usr/bin/env python
"""Benchmark: full multiplier set (Type I and Type II): Krylov, auto and LU paths, pymrio, a bare LU.

What is measured (see ``benchmarks/README.md`` for the full description):

* ``krylov``    ``IOTable.from_flows(..., copy=False)`` then
  ``iomodel.multipliers(t, "type1", method="krylov")`` and the same for ``"type2"``
  (output, income, GVA and three satellite rows; Type II from the same solves).
* ``auto``      the same with ``method="auto"`` (the automatic rule picks LU or Krylov).
* ``lu``        the same with ``method="lu"`` (iomodel's own LU path).
* ``bare-lu``   ``scipy.linalg.lu_factor(I - A)`` (``I - A`` already in hand, default
  arguments) plus the same right-hand sides as the multiplier set, one
  ``lu_solve(..., trans=1)`` of the six indicator rows and the Type II update by
  households closure (Sherman-Morrison), no labels, no checks.
* ``pymrio``    ``pymrio.IOSystem(Z=..., Y=...)`` with one 3-row ``Extension``, then
  ``calc_all()`` (Type I; pymrio has no Type II). ``--skip-pymrio-above N`` leaves it out
  above ``N`` sectors (it takes a minute at n = 9800).

Tables: dense random tables (n = 2000, 4000, 9800 by default), a multi-regional-shaped
table (49 regions x 200 sectors = 9800; dense domestic blocks, sparse trade blocks) and a
synthetic "slow-decay" table (spectral radius 0.9 and a spread spectrum) at a few n to
show where ``auto`` switches between LU and Krylov.

Until ``iomodel.multipliers`` takes ``method=`` (checked with ``inspect.signature``) the
Krylov contenders are unavailable: the script says so and runs iomodel's default path
(``iomodel``) against the rest.

Every measured case runs in its own fresh subprocess (``--worker``), which generates
the same random table from the seed, runs the job, and prints one JSON line with the
wall time of the job (data generation excluded) and its memory:

* ``peak_gib``   process peak RSS (``ru_maxrss``; includes the input data every
  contender holds; the maximum of the generation peak and the job peak);
* ``base_gib``   RSS after data generation, just before the job;
* ``above_gib``  peak RSS during the job minus ``base_gib`` (the peak is reset before
  the job through ``/proc/self/clear_refs``; psutil sampling is the fallback).

The BLAS thread count is the same for every contender (``--threads``, default 1), set
through ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` before numpy
is imported. ``OPENBLAS_CORETYPE`` is left as the environment has it.

Checks in the same run (non-zero exit if one fails): Krylov and auto against iomodel's LU
path, every indicator, Type I and Type II, max |difference| / max |LU| <= 1e-10; for
n <= 2000 against explicit inverses. The goals are reported PASS/MISS, never asserted.

Usage::

    python benchmarks/bench_multipliers.py              # full run
    python benchmarks/bench_multipliers.py --quick      # small n smoke run, < 1 minute
    python benchmarks/bench_multipliers.py --sizes 2000 4000 --no-mrio --skip-pymrio-above 4000

Recorded run
------------

2026-12-02, 2-core AMD EPYC VM, one BLAS thread, pymrio 0.7.0; the machine was busy with
other sessions' work (load 1.4-5.2 on 2 cores), which slows every contender, pymrio most.
Full run 11:28-11:45 (``results/multipliers-2026-12-02-krylov.json``; iomodel's Krylov path
was being committed during it, ``8685010`` to ``903d35c``) and a rerun of the n = 9800 cases
on ``903d35c`` alone (``--sizes 9800 --no-slow --repeat 2``,
``results/multipliers-2026-12-02-krylov-903d35c.json``). Best times, seconds:

====================  ======  ======  ======  =======  ======  =============================
table, n              krylov  auto    lu      bare LU  pymrio  iterations per rhs (krylov)
====================  ======  ======  ======  =======  ======  =============================
dense 2000            0.173   0.183   0.182   0.135    0.743   5
dense 4000            0.806   0.858   1.311   0.897    5.026   5
dense 9800            4.627   4.503   14.38   12.82    70.59   4-5
dense 9800 (rerun)    4.147   4.061   15.35   13.45    79.53   4-5
MRIO 49x200           8.228   2.590   22.57   18.46    -       12-13 (auto: sparse GMRES)
MRIO 49x200 (rerun)   5.923   1.822   15.43   12.40    -       12-13 (auto: sparse GMRES)
slow 500              0.083   0.016   0.017   0.005    -       up to 25 (auto: LU)
slow 1000             0.106   0.116   0.050   0.021    -       up to 26 (auto: Krylov)
slow 2000             0.437   0.449   0.196   0.140    -       up to 26 (auto: Krylov)
slow 4000             1.921   1.916   1.188   1.006    -       up to 26 (auto: Krylov)
====================  ======  ======  ======  =======  ======  =============================

Goals at n = 9800: pymrio / Krylov 15.3 (full run) and 19.2 (rerun), PASS as measured but
borderline (14.6 against pymrio's 60.5 s on a quiet machine); bare LU / Krylov 2.8 and 3.2,
MISS (>= 4); MRIO dense LU / Krylov 2.2 and 2.1 (auto's sparse GMRES 7.1 and 6.8), MISS
(>= 30). Krylov and auto against LU: 1.2e-13 at worst over every indicator and table, PASS.
Diagnosis (35 passes over ``Z``, 27 of them in the Type II call, which solves the Type I
rows again) in
``benchmarks/README.md``.
"""

from __future__ import annotations

import os
import sys


def _threads_from_argv(argv: list[str]) -> str:
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


# Must happen before numpy (and its BLAS) is imported, in the parent and in every worker.
_THREADS = _threads_from_argv(sys.argv)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _THREADS

import argparse  # noqa: E402
import datetime as _dt  # noqa: E402
import gc  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
# Benchmark the checkout this script lives in (no install needed).
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))
GIB = 1024.0**3

#: Goals of issue 13 (item 5), evaluated at the largest dense size and on the MRIO table.
TARGET_N = 9800
GOAL_VS_PYMRIO = 15.0  # pymrio time / Krylov time >= 15 at n = 9800 dense
GOAL_VS_BARE_LU = 4.0  # bare LU time / Krylov time >= 4 at n = 9800 dense
GOAL_MRIO_VS_DENSE_LU = 30.0  # dense LU time / Krylov time >= 30 on the MRIO table
AGREEMENT_RTOL = 1e-10  # Krylov (and auto) vs LU, every indicator: a check, not a goal
CHECK_RTOL = 1e-10  # correctness checks against explicit inverses and pymrio
CHECK_MAX_N = 2000  # explicit-inverse checks only up to this size

#: Slow-decay table: A = rho * ((1 - mix) * banded + mix * dense), both column-stochastic.
SLOW_RHO = 0.9  # spectral radius (every column of A sums to it)
SLOW_MIX = 0.3  # share of the dense random part; the banded part spreads the spectrum
SLOW_BAND = 5  # half-width of the (cyclic) band

SATELLITES = ["employment", "emissions", "water"]
CATEGORIES = ["households", "other"]
COMPONENTS = ["compensation", "other"]

#: iomodel contenders when multipliers() takes method= (label, method).
KRYLOV_CONTENDERS = [("krylov", "krylov"), ("auto", "auto"), ("lu", "lu")]
#: ... and before it does: the default call only.
LEGACY_CONTENDERS = [("iomodel", "default")]


def multipliers_takes_method() -> bool:
    """Whether ``iomodel.multipliers`` accepts ``method=`` (the Krylov API of issue 13)."""
    import iomodel as iom

    try:
        return "method" in inspect.signature(iom.multipliers).parameters
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------------- tables
def make_dense_table(n: int, seed: int) -> dict:
    """A balanced, productive, fully dense random table (memory-lean: one n x n buffer).

    ``A`` is uniform random with column sums drawn in [0.3, 0.7]; output ``x`` is
    uniform in [1000, 2000]; ``Z = A x^``. Rows whose intermediate sales would exceed
    80 % of output are scaled down (this only lowers column sums, so ``A`` stays
    productive), so final demand is at least 20 % of output.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(1000.0, 2000.0, n)
    colsum = rng.uniform(0.3, 0.7, n)
    Z = rng.random((n, n))
    return _finish_table(Z, x, colsum, rng)


def make_mrio_table(
    regions: int,
    sectors: int,
    seed: int,
    *,
    dom_density: float = 0.30,
    trade_density: float = 0.01,
    trade_weight: float = 0.25,
) -> dict:
    """A balanced, productive random table shaped like a multi-regional one.

    ``regions x regions`` blocks of ``sectors x sectors``: domestic (diagonal) blocks
    are ``dom_density`` dense, trade blocks ``trade_density`` dense; trade entries are
    drawn ``trade_weight`` times smaller (about 30 % of intermediate inputs imported).
    Column sums of ``A`` in [0.3, 0.7] as in :func:`make_dense_table`.
    """
    rng = np.random.default_rng(seed)
    n = regions * sectors
    x = rng.uniform(1000.0, 2000.0, n)
    colsum = rng.uniform(0.3, 0.7, n)
    Z = np.zeros((n, n))
    for r in range(regions):
        cols = slice(r * sectors, (r + 1) * sectors)
        dens = np.full(n, trade_density)
        dens[cols] = dom_density
        weight = np.full(n, trade_weight)
        weight[cols] = 1.0
        strip = rng.random((n, sectors))
        keep = rng.random((n, sectors)) < dens[:, None]
        strip *= keep
        strip *= weight[:, None]
        Z[:, cols] = strip
        del strip, keep
    return _finish_table(Z, x, colsum, rng)


def _finish_table(Z: np.ndarray, x: np.ndarray, colsum: np.ndarray, rng: np.random.Generator) -> dict:
    n = Z.shape[0]
    raw = Z.sum(axis=0)
    raw[raw == 0.0] = 1.0
    Z *= (colsum * x / raw)[None, :]  # in place: Z = A x^ with the drawn column sums
    rows = Z.sum(axis=1)
    cap = np.minimum(1.0, 0.8 * x / rows)
    Z *= cap[:, None]  # in place
    f = x - Z.sum(axis=1)
    va = x - Z.sum(axis=0)
    if not (f > 0).all() or not (va > 0).all():
        raise RuntimeError("generated table is not balanced with positive final demand and value added")
    hh = rng.uniform(0.4, 0.7, n)
    F = np.column_stack([f * hh, f * (1.0 - hh)])
    comp = rng.uniform(0.4, 0.6, n)
    V = np.vstack([va * comp, va * (1.0 - comp)])
    S = x[None, :] * rng.uniform(0.05, 1.0, (len(SATELLITES), n))
    return {"Z": Z, "x": x, "F": F, "V": V, "S": S}


def make_slow_table(n: int, seed: int, *, rho: float = SLOW_RHO, mix: float = SLOW_MIX, band: int = SLOW_BAND) -> dict:
    """A balanced, productive table whose spectrum decays slowly (spectral radius ``rho``).

    ``A = rho * ((1 - mix) * B + mix * R)``: ``B`` is a cyclic band (each sector sells to
    its ``2 * band + 1`` neighbours, random weights) and ``R`` uniform random, both with
    columns summing to one, so every column of ``A`` sums to ``rho`` and ``rho`` is the
    spectral radius; the band puts many eigenvalues up to about ``rho * (1 - mix)``
    (a dense random table has one eigenvalue near its column sums and the rest near 0).
    Final demand ``f`` is uniform in [100, 200] and output ``x = (I - A)^-1 f`` (one dense
    solve in the generation, not timed), so value added is ``(1 - rho) x``.
    """
    rng = np.random.default_rng(seed)
    Z = rng.random((n, n))  # becomes R, then A, then Z, in this buffer
    Z *= mix / Z.sum(axis=0)[None, :]
    w = rng.random((2 * band + 1, n))
    w *= (1.0 - mix) / w.sum(axis=0)[None, :]
    cols = np.arange(n)
    for k in range(-band, band + 1):
        Z[(cols + k) % n, cols] += w[k + band]
    Z *= rho
    f = rng.uniform(100.0, 200.0, n)
    import scipy.linalg as sla

    IA = np.eye(n)
    IA -= Z
    x = sla.solve(IA, f, overwrite_a=True, check_finite=False)
    del IA
    gc.collect()
    Z *= x[None, :]
    va = x - Z.sum(axis=0)
    f = x - Z.sum(axis=1)
    if not (f > 0).all() or not (va > 0).all():
        raise RuntimeError("slow-decay table is not balanced with positive final demand and value added")
    hh = rng.uniform(0.3, 0.5, n)  # Type II stays productive with (1 - rho) value added
    F = np.column_stack([f * hh, f * (1.0 - hh)])
    comp = rng.uniform(0.6, 0.8, n)
    V = np.vstack([va * comp, va * (1.0 - comp)])
    S = x[None, :] * rng.uniform(0.05, 1.0, (len(SATELLITES), n))
    return {"Z": Z, "x": x, "F": F, "V": V, "S": S}


def make_table(spec: str, n: int, seed: int, regions: int) -> dict:
    if spec == "dense":
        return make_dense_table(n, seed)
    if spec == "mrio":
        if n % regions:
            raise SystemExit(f"n={n} is not a multiple of {regions} regions")
        return make_mrio_table(regions, n // regions, seed)
    if spec == "slow":
        return make_slow_table(n, seed)
    raise SystemExit(f"unknown table kind {spec!r}")


# ----------------------------------------------------------------------------- memory
def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _hwm_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


class PeakMeter:
    """Peak RSS of a code block, above the RSS at its start.

    Resets the kernel's high-water mark (``/proc/self/clear_refs``, Linux >= 4.0) and
    reads ``VmHWM`` afterwards; if the reset is not allowed, samples RSS every 2 ms
    with psutil in a thread.
    """

    def __enter__(self) -> PeakMeter:
        gc.collect()
        self.gen_peak = _maxrss_bytes()  # generation peak, before the reset
        self.base = _rss_bytes()
        self.method = "clear_refs"
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        except OSError:
            self.method = "psutil"
        self._stop = threading.Event()
        self._sampled = self.base
        if self.method == "psutil":
            import psutil

            proc = psutil.Process()

            def sample() -> None:
                while not self._stop.is_set():
                    self._sampled = max(self._sampled, proc.memory_info().rss)
                    time.sleep(0.002)

            self._thread = threading.Thread(target=sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.method == "psutil":
            self._stop.set()
            self._thread.join()
            self.job_peak = max(self._sampled, _rss_bytes())
        else:
            self.job_peak = max(_hwm_bytes(), _maxrss_bytes())
        self.peak = max(self.gen_peak, self.job_peak)

    def report(self) -> dict:
        return {
            "peak_gib": self.peak / GIB,
            "job_peak_gib": self.job_peak / GIB,
            "gen_peak_gib": self.gen_peak / GIB,
            "base_gib": self.base / GIB,
            "above_gib": (self.job_peak - self.base) / GIB,
            "memory_method": self.method,
        }


# ----------------------------------------------------------------------------- workers
def _labels(n: int) -> list[str]:
    return [f"s{i:05d}" for i in range(n)]


def _jsonable(v):
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (list, tuple)) and len(v) <= 20:
        return [_jsonable(u) for u in v]
    if isinstance(v, dict) and len(v) <= 20:
        return {str(k): _jsonable(u) for k, u in v.items()}
    return str(v)[:200]


_SOLVER_KEYS = ("method", "iter", "solver", "backend", "path", "krylov", "converge", "residual", "matvec")


def solver_info(t, results: dict) -> tuple[str, dict]:
    """The path taken and what the solver reports (iterations, ...), read without computing.

    From the results' attrs (keys naming the method, iterations, solver, ...) and the
    table's cached factorisations; never calls :meth:`IOTable.factor` (that would run an
    LU the Krylov path avoided).
    """
    info: dict = {}
    for kind, m in results.items():
        for k, v in m.attrs.items():
            if any(s in k.lower() for s in _SOLVER_KEYS):
                info[f"{kind}.{k}"] = _jsonable(v)
    paths = []
    for k, v in getattr(t, "_cache", {}).items():
        if not str(k).startswith("factor"):
            continue
        meth = getattr(v, "method", None)
        paths.append(str(meth if meth is not None else k))
        for a in ("iterations", "n_iter", "niter", "info", "stats"):
            if hasattr(v, a) and not callable(getattr(v, a)):
                info[f"{k}.{a}"] = _jsonable(getattr(v, a))
    attr_paths = [str(v) for k, v in info.items() if k.endswith(".method") or k.endswith(".solver")]
    path = "+".join(sorted(set(attr_paths or paths))) or "-"
    return path, info


def iterations_of(info: dict) -> str:
    """Iteration counts found in a worker's solver info, for the tables."""
    its = [f"{v}" for k, v in info.items() if "iter" in k.lower() and v is not None]
    return " ".join(its[:4]) if its else "-"


def worker_iomodel(data: dict, method: str) -> tuple[dict, dict]:
    import pandas as pd

    import iomodel as iom
    import iomodel.linalg as la

    if method == "dense":
        # Before the Krylov API: force the dense LU through the public path (``auto``
        # then never finds the table sparse enough).
        la.SPARSE_MAX_DENSITY = -1.0
    kw = {} if method in ("default", "dense") else {"method": method}
    if kw and not multipliers_takes_method():
        raise SystemExit("iomodel.multipliers() takes no method= yet")
    # Warm-up on a tiny table: one-off lazy imports (xarray imports dask on its first
    # DataArray when dask is installed) are not part of the measured job.
    t0 = time.perf_counter()
    tiny = iom.datasets.miller_blair()
    iom.multipliers(tiny, "type1", **kw)
    iom.multipliers(tiny, "type2", **kw)
    warmup = time.perf_counter() - t0
    n = data["Z"].shape[0]
    idx = pd.Index(_labels(n))
    Z_df = pd.DataFrame(data.pop("Z"), index=idx, columns=idx, copy=False)
    F_df = pd.DataFrame(data["F"], index=idx, columns=CATEGORIES)
    V_df = pd.DataFrame(data["V"], index=COMPONENTS, columns=idx)
    S_df = pd.DataFrame(data["S"], index=SATELLITES, columns=idx)
    with PeakMeter() as meter:
        t0 = time.perf_counter()
        t = iom.IOTable.from_flows(Z_df, F_df, V_df, satellites=S_df, copy=False)
        m1 = iom.multipliers(t, "type1", **kw)
        m2 = iom.multipliers(t, "type2", **kw)
        seconds = time.perf_counter() - t0
    path, info = solver_info(t, {"type1": m1, "type2": m2})
    rec = {
        "seconds": seconds,
        **meter.report(),
        "method": method,
        "path": path,
        "solver": info,
        "warmup_seconds": warmup,
        "z_shared": bool(np.shares_memory(t._Z, Z_df.to_numpy())),
    }
    arrays = {
        "type1": np.asarray(m1.values),
        "type2": np.asarray(m2.values),
        "indicators1": np.asarray(m1.indicator.values.astype(str)),
        "indicators2": np.asarray(m2.indicator.values.astype(str)),
    }
    return rec, arrays


def worker_lu(data: dict, kernel: bool = False) -> tuple[dict, dict]:
    """Bare LU: ``lu_factor(I - A)`` and the multiplier set's solves, no labels or checks."""
    import scipy.linalg as sla

    t0 = time.perf_counter()
    tiny = np.eye(4) - np.full((4, 4), 0.1)
    sla.lu_solve(sla.lu_factor(tiny), np.ones((4, 2)), trans=1)  # warm-up (BLAS/LAPACK initialisation)
    warmup = time.perf_counter() - t0
    n = data["Z"].shape[0]
    Z = data.pop("Z")
    x = Z.sum(axis=1) + data["F"].sum(axis=1)  # what from_flows derives
    va = x - Z.sum(axis=0)
    # the rows of the multiplier set: output, income, GVA, satellites (6 right-hand sides)
    R = np.vstack([np.ones(n), data["V"][0] / x, va / x, data["S"] / x[None, :]])
    h_C = data["F"][:, 0] / data["V"][0].sum()  # households' consumption per unit of income
    Z /= x[None, :]  # A, in the buffer of Z
    A = Z
    t0 = time.perf_counter()
    IA = np.eye(n) - A  # what a user writes
    form_seconds = time.perf_counter() - t0
    del A, Z
    gc.collect()
    with PeakMeter() as meter:
        t0 = time.perf_counter()
        lu_piv = sla.lu_factor(IA)  # the bare call, default arguments
        factor_seconds = time.perf_counter() - t0
        Y1 = sla.lu_solve(lu_piv, R.T, trans=1).T  # Type I: R (I - A)^-1
        # Type II by households closure: R Lbar_11 = R L + (R L h_C)(h_R L) / (1 - h_R L h_C)
        inc = Y1[1]
        d = 1.0 - inc @ h_C
        Y2 = Y1 + np.outer(Y1 @ h_C, inc) / d
        Y2[1] = inc / d
        seconds = time.perf_counter() - t0
    rec = {
        "seconds": seconds,
        **meter.report(),
        "path": "lu_factor+lu_solve",
        "factor_seconds": factor_seconds,
        "solve_seconds": seconds - factor_seconds,
        "form_i_minus_a_seconds": form_seconds,
        "warmup_seconds": warmup,
    }
    del lu_piv
    gc.collect()
    if kernel:
        # Kernel only, for reference: getrf in place on a Fortran-ordered buffer, no copy, no check.
        t0 = time.perf_counter()
        sla.lu_factor(IA.T, overwrite_a=True, check_finite=False)
        rec["getrf_inplace_seconds"] = time.perf_counter() - t0
    rows = np.asarray(["output", "income", "gva", *SATELLITES])
    return rec, {"type1": Y1, "type2": Y2, "rows": rows}


def _pymrio_frames(pd, data: dict) -> tuple:
    n = data["Z"].shape[0]
    mi = pd.MultiIndex.from_arrays([["R1"] * n, _labels(n)], names=["region", "sector"])
    Z_df = pd.DataFrame(data["Z"], index=mi, columns=mi, copy=False)
    y_cols = pd.MultiIndex.from_product([["R1"], CATEGORIES], names=["region", "category"])
    Y_df = pd.DataFrame(data["F"], index=mi, columns=y_cols)
    F_df = pd.DataFrame(data["S"], index=pd.Index(SATELLITES, name="stressor"), columns=mi)
    return Z_df, Y_df, F_df


def _pymrio_calc(pymrio, Z_df, Y_df, F_df):
    io = pymrio.IOSystem(Z=Z_df, Y=Y_df)
    io.satellite = pymrio.Extension(name="satellite", F=F_df)
    io.calc_all()
    return io


def _pymrio_job(pd, pymrio, data: dict):
    return _pymrio_calc(pymrio, *_pymrio_frames(pd, data))


def worker_pymrio(data: dict) -> tuple[dict, dict]:
    import pandas as pd
    import pymrio

    t0 = time.perf_counter()
    # warm-up on a 4-sector corner (a temporary: views of data["Z"] must not outlive the call)
    _pymrio_job(
        pd, pymrio, {k: (v[:4, :4] if k == "Z" else v[..., :4] if k == "S" else v[:4]) for k, v in data.items()}
    )
    warmup = time.perf_counter() - t0
    Z_df, Y_df, F_df = _pymrio_frames(pd, data)
    del data["Z"]  # the DataFrame holds the only reference
    with PeakMeter() as meter:
        t0 = time.perf_counter()
        io = _pymrio_calc(pymrio, Z_df, Y_df, F_df)
        seconds = time.perf_counter() - t0
    rec = {"seconds": seconds, **meter.report(), "pymrio_version": pymrio.__version__, "warmup_seconds": warmup}
    arrays = {"M": io.satellite.M.to_numpy(), "output": io.L.to_numpy().sum(axis=0)}
    return rec, arrays


def run_worker(args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    data = make_table(args.table, args.n, args.seed, args.regions)
    gen_seconds = time.perf_counter() - t0
    if args.worker == "iomodel":
        rec, arrays = worker_iomodel(data, args.method)
    elif args.worker == "lu":
        rec, arrays = worker_lu(data, args.kernel)
    elif args.worker == "pymrio":
        rec, arrays = worker_pymrio(data)
    else:
        raise SystemExit(f"unknown worker {args.worker!r}")
    rec.update(generate_seconds=gen_seconds, blas_threads=os.environ.get("OPENBLAS_NUM_THREADS"))
    if args.out and arrays:
        np.savez(args.out, **arrays)
    print("RESULT " + json.dumps(rec), flush=True)


# ----------------------------------------------------------------------------- driver
def spawn(
    worker: str,
    *,
    n: int,
    table: str,
    seed: int,
    threads: int,
    regions: int,
    method: str = "default",
    out: Path | None = None,
    extra: list[str] | None = None,
    timeout: float | None = None,
) -> dict:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        worker,
        "--n",
        str(n),
        "--table",
        table,
        "--seed",
        str(seed),
        "--threads",
        str(threads),
        "--regions",
        str(regions),
        "--method",
        method,
        *(extra or []),
    ]
    if out is not None:
        cmd += ["--out", str(out)]
    load_before = _load1()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"worker {' '.join(cmd[2:])} failed (rc={proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    rec = json.loads(lines[-1][len("RESULT ") :])
    rec["load1_before"] = load_before
    rec["load1_after"] = _load1()
    return rec


def _load1() -> float | None:
    """One-minute load average: other work on the machine shows up in the timings."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def measure_interleaved(jobs: list[tuple[str, str, dict]], repeat: int, log) -> dict[str, dict]:
    """Run every job ``repeat`` times, interleaved (a, b, c, a, b, c, ...), each in a fresh process.

    ``jobs`` are ``(label, worker, spawn keyword arguments)``. Per label the fastest run
    is kept (the least disturbed by other load on the machine); ``all_seconds`` lists
    every run and ``peak_gib`` is the largest peak seen.
    """
    recs: dict[str, list[dict]] = {label: [] for label, _, _ in jobs}
    for i in range(repeat):
        for label, worker, kw in jobs:
            kw = dict(kw)
            if i > 0:
                kw.pop("out", None)  # result arrays from the first run only
                kw["extra"] = []
            rec = spawn(worker, **kw)
            log(
                f"  {label:<14} run {i + 1}/{repeat}: {rec['seconds']:8.3f} s, peak {rec['peak_gib']:.2f} GiB"
                + (f" ({rec['path']})" if "path" in rec else "")
                + f", load {fmt(rec['load1_before'])} -> {fmt(rec['load1_after'])}"
            )
            recs[label].append(rec)
    out = {}
    for label, rs in recs.items():
        best = dict(min(rs, key=lambda r: r["seconds"]))
        best["all_seconds"] = [r["seconds"] for r in rs]
        best["peak_gib"] = max(r["peak_gib"] for r in rs)
        best["above_gib"] = max(r["above_gib"] for r in rs)
        loads = [r["load1_after"] for r in rs if r.get("load1_after") is not None]
        best["max_load1"] = max(loads) if loads else None
        for key in ("getrf_inplace_seconds", "form_i_minus_a_seconds"):
            vals = [r[key] for r in rs if key in r]
            if vals:
                best[key] = min(vals)
        out[label] = best
    return out


def prefault(gib: float) -> float:
    """Touch ``gib`` GiB once in a throw-away process; return the seconds it took.

    On virtual machines the first touch of guest memory that the host has not backed
    yet costs several times a normal page fault (measured here: ~2 s per GiB against
    ~0.2 s per GiB afterwards), which would land on whichever contender first grows
    into fresh memory. Touching the memory once up front makes the runs comparable.
    """
    if gib <= 0:
        return 0.0
    t0 = time.perf_counter()
    code = f"import numpy as np\nn = int({gib} * 2**30 // 8)\na = np.ones(n)\n"
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - t0


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max |b|."""
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), np.finfo(float).tiny))


def per_indicator_err(a: np.ndarray, b: np.ndarray) -> float:
    """Worst over rows of max |a_i - b_i| / max |b_i|."""
    return max(rel_err(a[i], b[i]) for i in range(a.shape[0]))


def reference_checks(spec: str, n: int, seed: int, regions: int, io_arr: dict, pm_arr: dict | None) -> dict:
    """Explicit-inverse checks of iomodel (and pymrio) on the same table."""
    d = make_table(spec, n, seed, regions)
    x = d["Z"].sum(axis=1) + d["F"].sum(axis=1)  # what from_flows derives
    A = d["Z"] / x[None, :]
    L = np.linalg.inv(np.eye(n) - A)
    Srows = d["S"] / x[None, :]
    n1 = [str(s) for s in io_arr["indicators1"]]
    n2 = [str(s) for s in io_arr["indicators2"]]
    t1, t2 = io_arr["type1"], io_arr["type2"]
    out = {
        "type1_output_vs_inv": rel_err(t1[n1.index("output")], L.sum(axis=0)),
        "type1_satellites_vs_inv": per_indicator_err(t1[[n1.index(s) for s in SATELLITES]], Srows @ L),
    }
    # Type II against the explicit inverse of the (n+1) closed system (M&B 2.5).
    h_R = d["V"][0] / x
    h_C = d["F"][:, 0] / d["V"][0].sum()
    Ab = np.zeros((n + 1, n + 1))
    Ab[:n, :n] = A
    Ab[:n, n] = h_C
    Ab[n, :n] = h_R
    Lb = np.linalg.inv(np.eye(n + 1) - Ab)
    out["type2_output_vs_inv"] = rel_err(t2[n2.index("output")], Lb[:n, :n].sum(axis=0))
    out["type2_income_vs_inv"] = rel_err(t2[n2.index("income")], Lb[n, :n])
    out["type2_satellites_vs_inv"] = per_indicator_err(t2[[n2.index(s) for s in SATELLITES]], Srows @ Lb[:n, :n])
    if pm_arr is not None:
        out["pymrio_M_vs_inv"] = per_indicator_err(pm_arr["M"], Srows @ L)
    return out


def cross_checks(io_arr: dict, pm_arr: dict | None) -> dict:
    if pm_arr is None:
        return {}
    names = [str(s) for s in io_arr["indicators1"]]
    t1 = io_arr["type1"]
    return {
        "type1_output_vs_pymrio": rel_err(t1[names.index("output")], pm_arr["output"]),
        "type1_satellites_vs_pymrio": per_indicator_err(t1[[names.index(s) for s in SATELLITES]], pm_arr["M"]),
    }


def agreement(a: dict, b: dict) -> dict:
    """Per indicator, Type I and Type II: max |a - b| / max |b| (``b`` the LU path)."""
    out: dict = {}
    for kind, key in (("type1", "indicators1"), ("type2", "indicators2")):
        na = [str(s) for s in a[key]]
        nb = [str(s) for s in b[key]]
        if set(na) != set(nb):
            out[f"{kind}:indicator sets differ"] = float("inf")
            continue
        for i, name in enumerate(nb):
            out[f"{kind}:{name}"] = rel_err(a[kind][na.index(name)], b[kind][i])
    return out


def bare_vs_iomodel(bare: dict, io_arr: dict) -> dict:
    """The bare LU's rows against iomodel's (same quantities), to show it does the same work."""
    rows = [str(s) for s in bare["rows"]]
    out = {}
    for kind, key in (("type1", "indicators1"), ("type2", "indicators2")):
        names = [str(s) for s in io_arr[key]]
        for r in ("output", "income", *SATELLITES):
            if r in names:
                out[f"{kind}:{r}"] = rel_err(bare[kind][rows.index(r)], io_arr[kind][names.index(r)])
    return out


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def environment(threads: int) -> dict:
    import scipy

    info: dict = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "blas_threads": threads,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
    }
    try:
        import pandas

        info["pandas"] = pandas.__version__
    except ImportError:
        pass
    try:
        import pymrio

        info["pymrio"] = pymrio.__version__
    except ImportError:
        info["pymrio"] = None
    try:
        import iomodel

        info["iomodel"] = iomodel.__version__
    except ImportError:
        pass
    try:
        with open("/proc/cpuinfo") as fh:
            info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "")
        with open("/proc/meminfo") as fh:
            info["mem_total_gib"] = int(fh.readline().split()[1]) / 1024**2
    except OSError:
        pass
    try:
        info["git_commit"] = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=HERE.parent, capture_output=True, text=True
        ).stdout.strip()
        info["iomodel_uncommitted_changes"] = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--", "iomodel"], cwd=HERE.parent, capture_output=True, text=True
            ).stdout.strip()
        )
    except OSError:
        pass
    try:
        cfg = np.show_config(mode="dicts")
        info["blas"] = cfg["Build Dependencies"]["blas"].get("name")
    except Exception:
        pass
    return info


def fmt(v: float | None, spec: str = ".2f") -> str:
    return "-" if v is None else format(v, spec)


def run_driver(args: argparse.Namespace) -> int:
    have_pymrio = True
    try:
        import pymrio  # noqa: F401
    except ImportError:
        have_pymrio = False
        print("pymrio is not installed (pip install 'iomodel[bench]'): pymrio is skipped", flush=True)
    have_method = multipliers_takes_method()
    contenders = KRYLOV_CONTENDERS if have_method else LEGACY_CONTENDERS
    fast = [lbl for lbl in ("krylov", "auto", "iomodel") if lbl in dict(contenders)]
    ref = "lu" if have_method else None  # the LU path the others must agree with
    if not have_method:
        print(
            "iomodel.multipliers() takes no method= yet: the Krylov contenders (krylov, auto, lu) are "
            "unavailable; running iomodel's default path against the bare LU and pymrio",
            flush=True,
        )
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.quick:
        sizes, mrio_regions, mrio_n, slow_sizes = [500], 10, 2000, [300, 1000]
        skip_pymrio_above = args.skip_pymrio_above or 10**9
    else:
        sizes, mrio_regions, mrio_n, slow_sizes = args.sizes, args.regions, args.mrio_n, args.slow_sizes
        skip_pymrio_above = args.skip_pymrio_above or 10**9
    if args.no_slow:
        slow_sizes = []
    target_n = max(sizes) if args.quick else TARGET_N
    common = dict(seed=args.seed, threads=args.threads, regions=args.regions)
    tmp = Path(tempfile.mkdtemp(prefix="bench_mult_"))
    runs: list[dict] = []
    ratios: list[dict] = []
    checks: dict = {}  # exit code: every value <= its bound
    info_checks: dict = {}  # reported only
    skipped: list[str] = []
    t_start = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    def io_jobs(base: dict, tag: str) -> list[tuple[str, str, dict]]:
        return [(lbl, "iomodel", dict(base, method=m, out=tmp / f"{tag}_{lbl}.npz")) for lbl, m in contenders]

    def load(tag: str, lbl: str) -> dict:
        return dict(np.load(tmp / f"{tag}_{lbl}.npz"))

    def add_runs(case: str, n: int, res: dict) -> None:
        for name, rec in res.items():
            runs.append({"case": case, "n": n, "contender": name, **rec})

    def agree_checks(tag: str, io_labels: list[str]) -> dict:
        out = {}
        if ref is None:
            return out
        b = load(tag, ref)
        for lbl in io_labels:
            if lbl != ref:
                for k, v in agreement(load(tag, lbl), b).items():
                    out[f"{lbl}_vs_lu:{k}"] = v
        return out

    if args.prefault_gib is None:
        args.prefault_gib = 0.0 if args.quick else 12.0
    if args.prefault_gib > 0:
        log(f"touching {args.prefault_gib:g} GiB once (first-touch cost of fresh VM memory)")
        log(f"  done in {prefault(args.prefault_gib):.1f} s")

    # ------------------------------------------------------------ dense tables
    for n in sizes:
        tag = f"dense_{n}"
        base = dict(common, n=n, table="dense")
        jobs = io_jobs(base, tag)
        jobs.append(("bare-lu", "lu", dict(base, extra=["--kernel"], out=tmp / f"{tag}_bare.npz")))
        with_pm = have_pymrio and not args.no_pymrio and n <= skip_pymrio_above
        if with_pm:
            jobs.append(("pymrio", "pymrio", dict(base, out=tmp / f"{tag}_pymrio.npz")))
        elif have_pymrio and not args.no_pymrio:
            skipped.append(f"pymrio at dense n={n} (--skip-pymrio-above {skip_pymrio_above})")
        log(f"dense n={n}: {args.repeat} interleaved fresh-process run(s) of {', '.join(j[0] for j in jobs)}")
        res = measure_interleaved(jobs, args.repeat, log)
        add_runs("dense", n, res)
        pm_arr = load(tag, "pymrio") if with_pm else None
        c = agree_checks(tag, [lbl for lbl, _ in contenders])
        first = contenders[0][0]
        for lbl, _ in contenders:
            for k, v in cross_checks(load(tag, lbl), pm_arr).items():
                c[f"{lbl}:{k}"] = v
        if n <= CHECK_MAX_N:
            log(f"dense n={n}: explicit-inverse checks")
            for lbl, _ in contenders:
                for k, v in reference_checks("dense", n, args.seed, args.regions, load(tag, lbl), pm_arr).items():
                    if not (k.startswith("pymrio") and lbl != first):
                        c[f"{lbl}:{k}"] = v
        checks[tag] = c
        info_checks[tag] = {
            "bare_lu_vs_" + (ref or first): bare_vs_iomodel(
                dict(np.load(tmp / f"{tag}_bare.npz")), load(tag, ref or first)
            )
        }
        for lbl in fast:
            rec = res[lbl]
            pm = res.get("pymrio")
            r = {
                "case": "dense",
                "n": n,
                "contender": lbl,
                "path": rec.get("path"),
                "iterations": iterations_of(rec.get("solver", {})),
                "pymrio_over_it": pm["seconds"] / rec["seconds"] if pm else None,
                "bare_lu_over_it": res["bare-lu"]["seconds"] / rec["seconds"],
                "lu_over_it": res["lu"]["seconds"] / rec["seconds"] if "lu" in res else None,
                "it_over_pymrio_peak": rec["peak_gib"] / pm["peak_gib"] if pm else None,
            }
            if n == target_n:
                r["goal_vs_pymrio"] = None if pm is None else verdict(r["pymrio_over_it"] >= GOAL_VS_PYMRIO)
                r["goal_vs_bare_lu"] = verdict(r["bare_lu_over_it"] >= GOAL_VS_BARE_LU)
            ratios.append(r)

    # ------------------------------------------------------------ multi-regional-shaped table
    if not args.no_mrio:
        n, tag = mrio_n, "mrio"
        base = dict(common, n=n, table="mrio", regions=mrio_regions)
        jobs = io_jobs(base, tag)
        if not have_method:
            jobs.append(("iomodel-dense", "iomodel", dict(base, method="dense", out=tmp / f"{tag}_iomodel-dense.npz")))
        jobs.append(("bare-lu", "lu", dict(base, extra=["--kernel"], out=tmp / f"{tag}_bare.npz")))
        log(
            f"MRIO-shaped n={n} ({mrio_regions} regions): {args.repeat} interleaved run(s) of "
            f"{', '.join(j[0] for j in jobs)}"
        )
        res = measure_interleaved(jobs, args.repeat, log)
        add_runs("mrio", n, res)
        checks[tag] = agree_checks(tag, [lbl for lbl, _ in contenders])
        if not have_method:
            checks[tag].update(
                {
                    f"iomodel_vs_dense:{k}": v
                    for k, v in agreement(load(tag, "iomodel"), load(tag, "iomodel-dense")).items()
                }
            )
        for lbl in fast:
            rec = res[lbl]
            dense_lu = res["bare-lu"]["seconds"]
            r = {
                "case": "mrio",
                "n": n,
                "regions": mrio_regions,
                "contender": lbl,
                "path": rec.get("path"),
                "iterations": iterations_of(rec.get("solver", {})),
                "bare_lu_over_it": dense_lu / rec["seconds"],
                "lu_over_it": res["lu"]["seconds"] / rec["seconds"] if "lu" in res else None,
                "goal_vs_dense_lu": verdict(dense_lu / rec["seconds"] >= GOAL_MRIO_VS_DENSE_LU),
            }
            ratios.append(r)

    # ------------------------------------------------------------ slow-decay tables
    for n in slow_sizes:
        tag = f"slow_{n}"
        base = dict(common, n=n, table="slow")
        jobs = io_jobs(base, tag)
        jobs.append(("bare-lu", "lu", dict(base, out=tmp / f"{tag}_bare.npz")))
        log(f"slow-decay n={n} (spectral radius {SLOW_RHO}): {args.repeat} interleaved run(s)")
        res = measure_interleaved(jobs, args.repeat, log)
        add_runs("slow", n, res)
        checks[tag] = agree_checks(tag, [lbl for lbl, _ in contenders])
        r = {"case": "slow", "n": n}
        for lbl, rec in res.items():
            r[f"{lbl}_seconds"] = rec["seconds"]
            r[f"{lbl}_path"] = rec.get("path")
            r[f"{lbl}_iterations"] = iterations_of(rec.get("solver", {}))
        ratios.append(r)

    # ---------------------------------------------------------------- report
    worst = {tag: (max(c.values()) if c else None) for tag, c in checks.items()}
    checks_pass = all(w is None or w <= AGREEMENT_RTOL for w in worst.values())
    lines = []
    lines.append(
        "| case | n | contender | path | iterations | seconds (best) | all runs s | peak GiB | base GiB | "
        "above base GiB | notes |"
    )
    lines.append("|---|---:|---|---|---|---:|---|---:|---:|---:|---|")
    for rr in runs:
        notes = []
        if "getrf_inplace_seconds" in rr:
            notes.append(f"getrf in place {rr['getrf_inplace_seconds']:.3f} s")
        if "factor_seconds" in rr:
            notes.append(f"lu_factor {rr['factor_seconds']:.3f} s, solves {rr['solve_seconds']:.3f} s")
        if rr["contender"] == "pymrio":
            notes.append("Type I only")
        busy = args.threads + 0.5  # this run itself counts about `threads` in the load average
        if rr.get("max_load1") is not None and rr["max_load1"] > busy:
            notes.append(f"load {rr['max_load1']:.1f} incl. this run, {os.cpu_count()} cores")
        lines.append(
            f"| {rr['case']} | {rr['n']} | {rr['contender']} | {rr.get('path', '-')} | "
            f"{iterations_of(rr.get('solver', {}))} | "
            f"{rr['seconds']:.3f} | {' '.join(f'{v:.3f}' for v in rr['all_seconds'])} | "
            f"{rr['peak_gib']:.2f} | {rr['base_gib']:.2f} | {rr['above_gib']:.2f} | "
            f"{'; '.join(notes)} |"
        )
    lines.append("")
    lines.append(
        "| case | n | contender | path | pymrio / it | bare LU / it | iomodel LU / it | it / pymrio peak | goals |"
    )
    lines.append("|---|---:|---|---|---:|---:|---:|---:|---|")
    for r in ratios:
        if r["case"] not in ("dense", "mrio"):
            continue
        tg = []
        if r.get("goal_vs_pymrio") is not None:
            tg.append(f">= {GOAL_VS_PYMRIO:g}x pymrio: {r['goal_vs_pymrio']}")
        if "goal_vs_bare_lu" in r:
            tg.append(f">= {GOAL_VS_BARE_LU:g}x bare LU: {r['goal_vs_bare_lu']}")
        if "goal_vs_dense_lu" in r:
            tg.append(f">= {GOAL_MRIO_VS_DENSE_LU:g}x dense LU: {r['goal_vs_dense_lu']}")
        lines.append(
            f"| {r['case']} | {r['n']} | {r['contender']} | {r['path']} | {fmt(r.get('pymrio_over_it'))} | "
            f"{fmt(r['bare_lu_over_it'])} | {fmt(r.get('lu_over_it'))} | "
            f"{fmt(r.get('it_over_pymrio_peak'), '.3f')} | {'; '.join(tg) or '-'} |"
        )
    slow = [r for r in ratios if r["case"] == "slow"]
    if slow:
        labels = [lbl for lbl, _ in contenders] + ["bare-lu"]
        lines.append("")
        lines.append(
            f"| slow-decay n (rho {SLOW_RHO}) | "
            + " | ".join(f"{lbl} s" for lbl in labels)
            + " | auto path | krylov iterations |"
        )
        lines.append("|---:|" + "---:|" * len(labels) + "---|---|")
        for r in slow:
            lines.append(
                f"| {r['n']} | "
                + " | ".join(f"{r[f'{lbl}_seconds']:.3f}" for lbl in labels)
                + f" | {r.get('auto_path', r.get('iomodel_path'))} | {r.get('krylov_iterations', '-')} |"
            )
    lines.append("")
    lines.append(f"| checks (max rel. diff, worst indicator) | worst | bound {AGREEMENT_RTOL:g} |")
    lines.append("|---|---:|---|")
    for tag, w in worst.items():
        lines.append(f"| {tag} | {fmt(w, '.1e')} | {verdict(w is None or w <= AGREEMENT_RTOL)} |")
    table_md = "\n".join(lines)
    print()
    print(table_md)
    print()
    print("Checks (max |diff| / max |reference|, per indicator):")
    for case, c in {**checks, **{f"{k} (info)": v for k, v in info_checks.items()}}.items():
        for k, v in c.items():
            if isinstance(v, dict):
                for k2, v2 in v.items():
                    print(f"  {case:>18} {k + ':' + k2:<44} {v2:.2e}")
            else:
                print(f"  {case:>18} {k:<44} {v:.2e}")
    if skipped:
        print("Skipped: " + "; ".join(skipped))
    if not have_method:
        print("Krylov contenders unavailable (iomodel.multipliers takes no method=): goals not evaluated for them.")
    if args.quick:
        print(
            f"QUICK RUN: the goals are meant for n = {TARGET_N}; they are evaluated at n = {target_n} "
            f"and on a {mrio_n}-sector MRIO table only to exercise the script."
        )
    elapsed = time.perf_counter() - t_start
    print(f"elapsed {elapsed:.0f} s")

    result = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "quick": bool(args.quick),
        "repeat": args.repeat,
        "prefault_gib": args.prefault_gib,
        "elapsed_seconds": elapsed,
        "krylov_api": have_method,
        "skipped": skipped,
        "environment": environment(args.threads),
        "goals": {
            "n": target_n,
            "vs_pymrio": GOAL_VS_PYMRIO,
            "vs_bare_lu": GOAL_VS_BARE_LU,
            "mrio_vs_dense_lu": GOAL_MRIO_VS_DENSE_LU,
            "agreement_rtol": AGREEMENT_RTOL,
        },
        "slow_table": {"rho": SLOW_RHO, "mix": SLOW_MIX, "band": SLOW_BAND},
        "runs": runs,
        "ratios": ratios,
        "checks": checks,
        "info_checks": info_checks,
        "checks_pass": checks_pass,
        "table_markdown": table_md,
    }
    outdir = HERE / "results"
    outdir.mkdir(exist_ok=True)
    stamp = _dt.date.today().isoformat()
    default = outdir / f"multipliers-{stamp}-krylov{'-quick' if args.quick else ''}.json"
    path = Path(args.json) if args.json else default
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"results written to {path}")
    return 0 if checks_pass else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="smoke run: n=500 dense, 10x200 MRIO, slow n=300 1000")
    p.add_argument(
        "--sizes", type=int, nargs="+", default=[2000, 4000, 9800], help="dense table sizes (default 2000 4000 9800)"
    )
    p.add_argument("--mrio-n", type=int, default=9800, help="MRIO-shaped table size (default 9800)")
    p.add_argument("--regions", type=int, default=49, help="regions of the MRIO-shaped table (default 49)")
    p.add_argument("--no-mrio", action="store_true", help="skip the MRIO-shaped table")
    p.add_argument(
        "--slow-sizes",
        type=int,
        nargs="+",
        default=[500, 1000, 2000, 4000],
        help="sizes of the slow-decay table (default 500 1000 2000 4000)",
    )
    p.add_argument("--no-slow", action="store_true", help="skip the slow-decay table")
    p.add_argument("--no-pymrio", action="store_true", help="skip pymrio")
    p.add_argument("--skip-pymrio-above", type=int, default=None, help="skip pymrio above this many sectors")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="BLAS threads for every contender (default 1)")
    p.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="interleaved fresh-process runs per contender, fastest kept (default 3; --quick 1)",
    )
    p.add_argument(
        "--prefault-gib",
        type=float,
        default=None,
        help="GiB of memory to touch once before measuring (default 12; --quick 0)",
    )
    p.add_argument("--json", help="results file (default benchmarks/results/multipliers-<date>-krylov.json)")
    # worker mode (internal)
    p.add_argument("--worker", choices=["iomodel", "lu", "pymrio"], help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, help=argparse.SUPPRESS)
    p.add_argument("--table", default="dense", choices=["dense", "mrio", "slow"], help=argparse.SUPPRESS)
    p.add_argument(
        "--method", default="default", choices=["default", "dense", "auto", "lu", "krylov"], help=argparse.SUPPRESS
    )
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--kernel", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        run_worker(args)
        return 0
    return run_driver(args)


if __name__ == "__main__":
    sys.exit(main())
