#!/usr/bin/env python
"""Benchmark: full multiplier set (Type I and Type II) against pymrio and a bare LU.

What is measured (see ``benchmarks/README.md`` for the full description):

* ``iomodel``   ``IOTable.from_flows(..., copy=False)`` then
  ``iomodel.multipliers(t, "type1")`` and ``iomodel.multipliers(t, "type2")``
  (output, income, GVA and three satellite rows; Type II from the same factorisation).
* ``lu``        a bare ``scipy.linalg.lu_factor(I - A)`` with ``I - A`` already in hand
  (default arguments, as a user would call it).
* ``pymrio``    ``pymrio.IOSystem(Z=..., Y=...)`` with one 3-row ``Extension``, then
  ``calc_all()`` (pymrio has no Type II).
* sparse case  a multi-regional-shaped table (49 regions x 200 sectors = 9800;
  domestic blocks ~30 % dense, trade blocks ~1 % dense): ``iomodel`` through the
  public path (``method="auto"``, which picks the sparse GMRES path) against the same
  public path forced to the dense LU (``iomodel.linalg.SPARSE_MAX_DENSITY = -1``).

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

Usage::

    python benchmarks/bench_multipliers.py              # full run (n = 1000 ... 9800 + sparse)
    python benchmarks/bench_multipliers.py --quick      # n = 500 smoke run, < 1 minute
    python benchmarks/bench_multipliers.py --sizes 1000 2000 --no-sparse
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

#: Targets of the issue, checked at the largest dense size and on the sparse case.
TARGET_N = 9800
TARGET_SPEEDUP_VS_PYMRIO = 4.0  # pymrio time / iomodel time >= 4
TARGET_MEMORY_VS_PYMRIO = 1.0 / 3.0  # iomodel peak / pymrio peak <= 1/3
TARGET_VS_BARE_LU = 1.25  # iomodel time / bare LU time <= 1.25
TARGET_SPARSE_SPEEDUP = 5.0  # dense time / sparse time >= 5
TARGET_SPARSE_AGREEMENT = 1e-10  # max |sparse - dense| / max |dense| per indicator
CHECK_RTOL = 1e-10  # correctness checks against explicit inverses and pymrio
CHECK_MAX_N = 2000  # explicit-inverse checks only up to this size

SATELLITES = ["employment", "emissions", "water"]
CATEGORIES = ["households", "other"]
COMPONENTS = ["compensation", "other"]


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


def make_table(spec: str, n: int, seed: int, regions: int) -> dict:
    if spec == "dense":
        return make_dense_table(n, seed)
    if spec == "mrio":
        if n % regions:
            raise SystemExit(f"n={n} is not a multiple of {regions} regions")
        return make_mrio_table(regions, n // regions, seed)
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


def worker_iomodel(data: dict, method: str) -> tuple[dict, dict]:
    import pandas as pd

    import iomodel as iom
    import iomodel.linalg as la

    if method == "dense":
        # Force the dense LU through the public path: ``auto`` then never finds the
        # table sparse enough (the IOTable always factorises with method="auto").
        la.SPARSE_MAX_DENSITY = -1.0
    # Warm-up on a tiny table: one-off lazy imports (xarray imports dask on its first
    # DataArray when dask is installed) are not part of the measured job.
    t0 = time.perf_counter()
    tiny = iom.datasets.miller_blair()
    iom.multipliers(tiny, "type1")
    iom.multipliers(tiny, "type2")
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
        m1 = iom.multipliers(t, "type1")
        m2 = iom.multipliers(t, "type2")
        seconds = time.perf_counter() - t0
    rec = {
        "seconds": seconds,
        **meter.report(),
        "path": t.factor().method,
        "warmup_seconds": warmup,
        "z_shared": bool(np.shares_memory(t._Z, Z_df.to_numpy())),
    }
    arrays = {
        "type1": np.asarray(m1.values),
        "type2": np.asarray(m2.values),
        "indicators": np.asarray(m1.indicator.values.astype(str)),
    }
    return rec, arrays


def worker_lu(data: dict, kernel: bool = False) -> tuple[dict, dict]:
    import scipy.linalg as sla

    t0 = time.perf_counter()
    sla.lu_factor(np.eye(4) - np.full((4, 4), 0.1))  # warm-up (BLAS/LAPACK initialisation)
    warmup = time.perf_counter() - t0
    n = data["Z"].shape[0]
    Z = data.pop("Z")
    Z /= data["x"][None, :]  # A, in the buffer of Z
    A = Z
    t0 = time.perf_counter()
    IA = np.eye(n) - A  # what a user writes
    form_seconds = time.perf_counter() - t0
    del A, Z
    gc.collect()
    with PeakMeter() as meter:
        t0 = time.perf_counter()
        lu, piv = sla.lu_factor(IA)  # the bare call, default arguments
        seconds = time.perf_counter() - t0
    rec = {"seconds": seconds, **meter.report(), "form_i_minus_a_seconds": form_seconds, "warmup_seconds": warmup}
    del lu, piv
    gc.collect()
    if kernel:
        # Kernel only, for reference: getrf in place on a Fortran-ordered buffer, no copy, no check.
        t0 = time.perf_counter()
        sla.lu_factor(IA.T, overwrite_a=True, check_finite=False)
        rec["getrf_inplace_seconds"] = time.perf_counter() - t0
    return rec, {}


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
    method: str = "auto",
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


def reference_checks(n: int, seed: int, io_arr: dict, pm_arr: dict | None) -> dict:
    """Explicit-inverse checks of iomodel (and pymrio) on the same table."""
    d = make_dense_table(n, seed)
    x = d["Z"].sum(axis=1) + d["F"].sum(axis=1)  # what from_flows derives
    A = d["Z"] / x[None, :]
    L = np.linalg.inv(np.eye(n) - A)
    Srows = d["S"] / x[None, :]
    names = [str(s) for s in io_arr["indicators"]]
    t1, t2 = io_arr["type1"], io_arr["type2"]
    sat_idx = [names.index(s) for s in SATELLITES]
    out = {
        "type1_output_vs_inv": rel_err(t1[names.index("output")], L.sum(axis=0)),
        "type1_satellites_vs_inv": per_indicator_err(t1[sat_idx], Srows @ L),
    }
    # Type II against the explicit inverse of the (n+1) closed system (M&B 2.5).
    h_R = d["V"][0] / x
    h_C = d["F"][:, 0] / d["V"][0].sum()
    Ab = np.zeros((n + 1, n + 1))
    Ab[:n, :n] = A
    Ab[:n, n] = h_C
    Ab[n, :n] = h_R
    Lb = np.linalg.inv(np.eye(n + 1) - Ab)
    out["type2_output_vs_inv"] = rel_err(t2[names.index("output")], Lb[:n, :n].sum(axis=0))
    out["type2_income_vs_inv"] = rel_err(t2[names.index("income")], Lb[n, :n])
    out["type2_satellites_vs_inv"] = per_indicator_err(t2[sat_idx], Srows @ Lb[:n, :n])
    if pm_arr is not None:
        out["pymrio_M_vs_inv"] = per_indicator_err(pm_arr["M"], Srows @ L)
    return out


def cross_checks(io_arr: dict, pm_arr: dict | None) -> dict:
    if pm_arr is None:
        return {}
    names = [str(s) for s in io_arr["indicators"]]
    t1 = io_arr["type1"]
    return {
        "type1_output_vs_pymrio": rel_err(t1[names.index("output")], pm_arr["output"]),
        "type1_satellites_vs_pymrio": per_indicator_err(t1[[names.index(s) for s in SATELLITES]], pm_arr["M"]),
    }


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
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.quick:
        sizes = [500]
        sparse_regions, sparse_n = 10, 2000  # auto goes sparse only from 2000 sectors
    else:
        sizes = args.sizes
        sparse_regions, sparse_n = args.regions, args.sparse_n
    target_n = max(sizes) if args.quick else TARGET_N
    common = dict(seed=args.seed, threads=args.threads, regions=args.regions)
    tmp = Path(tempfile.mkdtemp(prefix="bench_mult_"))
    runs: list[dict] = []
    ratios: list[dict] = []
    checks: dict = {}

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    if args.prefault_gib is None:
        args.prefault_gib = 0.0 if args.quick else 12.0
    if args.prefault_gib > 0:
        log(f"touching {args.prefault_gib:g} GiB once (first-touch cost of fresh VM memory)")
        log(f"  done in {prefault(args.prefault_gib):.1f} s")

    for n in sizes:
        log(f"dense n={n}: {args.repeat} interleaved fresh-process run(s) per contender")
        base = dict(common, n=n, table="dense")
        jobs = [
            ("iomodel", "iomodel", dict(base, out=tmp / f"io_{n}.npz")),
            ("lu", "lu", dict(base, extra=["--kernel"])),
        ]
        if have_pymrio and not args.no_pymrio:
            jobs.append(("pymrio", "pymrio", dict(base, out=tmp / f"pm_{n}.npz")))
        res = measure_interleaved(jobs, args.repeat, log)
        io_rec, lu_rec, pm_rec = res["iomodel"], res["lu"], res.get("pymrio")
        for name, rec in (("iomodel", io_rec), ("lu", lu_rec), ("pymrio", pm_rec)):
            if rec is not None:
                runs.append({"case": "dense", "n": n, "contender": name, **rec})
        io_arr = dict(np.load(tmp / f"io_{n}.npz"))
        pm_arr = dict(np.load(tmp / f"pm_{n}.npz")) if pm_rec is not None else None
        c = cross_checks(io_arr, pm_arr)
        if n <= CHECK_MAX_N:
            log(f"dense n={n}: explicit-inverse checks")
            c.update(reference_checks(n, args.seed, io_arr, pm_arr))
        checks[f"dense_{n}"] = {k: v for k, v in c.items()}
        worst = max(c.values()) if c else None
        r = {
            "case": "dense",
            "n": n,
            "pymrio_over_iomodel_time": pm_rec["seconds"] / io_rec["seconds"] if pm_rec else None,
            "iomodel_over_pymrio_peak": io_rec["peak_gib"] / pm_rec["peak_gib"] if pm_rec else None,
            "iomodel_over_pymrio_above": (
                io_rec["above_gib"] / pm_rec["above_gib"] if pm_rec and pm_rec["above_gib"] > 0 else None
            ),
            "iomodel_over_lu_time": io_rec["seconds"] / lu_rec["seconds"],
            "worst_check_rel_err": worst,
            "checks_pass": (worst is None or worst <= CHECK_RTOL),
        }
        if n == target_n:
            r["target_speed_vs_pymrio"] = (
                None if pm_rec is None else verdict(r["pymrio_over_iomodel_time"] >= TARGET_SPEEDUP_VS_PYMRIO)
            )
            r["target_memory_vs_pymrio"] = (
                None if pm_rec is None else verdict(r["iomodel_over_pymrio_peak"] <= TARGET_MEMORY_VS_PYMRIO)
            )
            r["target_vs_bare_lu"] = verdict(r["iomodel_over_lu_time"] <= TARGET_VS_BARE_LU)
        ratios.append(r)

    if not args.no_sparse:
        n = sparse_n
        kw = dict(common, regions=sparse_regions)
        log(
            f"sparse MRIO n={n} ({sparse_regions} regions): iomodel auto vs forced dense, "
            f"{args.repeat} interleaved run(s) each"
        )
        base = dict(kw, n=n, table="mrio")
        jobs = [
            ("auto", "iomodel", dict(base, method="auto", out=tmp / "sp_auto.npz")),
            ("dense", "iomodel", dict(base, method="dense", out=tmp / "sp_dense.npz")),
        ]
        res = measure_interleaved(jobs, args.repeat, log)
        sp_rec, dn_rec = res["auto"], res["dense"]
        runs.append({"case": "mrio", "n": n, "contender": f"iomodel-{sp_rec['path']}", **sp_rec})
        runs.append({"case": "mrio", "n": n, "contender": f"iomodel-{dn_rec['path']}", **dn_rec})
        a = dict(np.load(tmp / "sp_auto.npz"))
        b = dict(np.load(tmp / "sp_dense.npz"))
        agree = {
            "type1_sparse_vs_dense": per_indicator_err(a["type1"], b["type1"]),
            "type2_sparse_vs_dense": per_indicator_err(a["type2"], b["type2"]),
        }
        checks[f"mrio_{n}"] = agree
        worst = max(agree.values())
        speed = dn_rec["seconds"] / sp_rec["seconds"]
        ratios.append(
            {
                "case": "mrio",
                "n": n,
                "regions": sparse_regions,
                "dense_over_sparse_time": speed,
                "sparse_path": sp_rec["path"],
                "worst_check_rel_err": worst,
                "checks_pass": worst <= TARGET_SPARSE_AGREEMENT,
                "target_sparse_speed": verdict(speed >= TARGET_SPARSE_SPEEDUP),
                "target_sparse_agreement": verdict(worst <= TARGET_SPARSE_AGREEMENT),
            }
        )

    # ---------------------------------------------------------------- report
    lines = []
    lines.append(
        "| case | n | contender | path | seconds (best) | all runs s | peak GiB | base GiB | above base GiB | notes |"
    )
    lines.append("|---|---:|---|---|---:|---|---:|---:|---:|---|")
    for rr in runs:
        notes = []
        if "getrf_inplace_seconds" in rr:
            notes.append(f"getrf in place {rr['getrf_inplace_seconds']:.3f} s")
        if rr["contender"] == "pymrio":
            notes.append("no Type II")
        busy = args.threads + 0.5  # this run itself counts about `threads` in the load average
        if rr.get("max_load1") is not None and rr["max_load1"] > busy:
            notes.append(f"other work running: load {rr['max_load1']:.1f} incl. this run, {os.cpu_count()} cores")
        lines.append(
            f"| {rr['case']} | {rr['n']} | {rr['contender']} | {rr.get('path', '-')} | "
            f"{rr['seconds']:.3f} | {' '.join(f'{v:.3f}' for v in rr['all_seconds'])} | "
            f"{rr['peak_gib']:.2f} | {rr['base_gib']:.2f} | {rr['above_gib']:.2f} | "
            f"{'; '.join(notes)} |"
        )
    lines.append("")
    lines.append(
        "| n | pymrio / iomodel time | iomodel / pymrio peak | iomodel / pymrio above-base "
        "| iomodel / bare LU time | worst check rel. err | targets |"
    )
    lines.append("|---:|---:|---:|---:|---:|---:|---|")
    for r in ratios:
        if r["case"] != "dense":
            continue
        tg = []
        if "target_vs_bare_lu" in r:
            tg = [
                f"speed >= {TARGET_SPEEDUP_VS_PYMRIO:g}x pymrio: {r['target_speed_vs_pymrio']}",
                f"memory <= 1/3 pymrio: {r['target_memory_vs_pymrio']}",
                f"<= {TARGET_VS_BARE_LU}x bare LU: {r['target_vs_bare_lu']}",
            ]
        tg.append(f"checks <= {CHECK_RTOL:g}: {verdict(r['checks_pass'])}")
        lines.append(
            f"| {r['n']} | {fmt(r['pymrio_over_iomodel_time'])} | "
            f"{fmt(r['iomodel_over_pymrio_peak'], '.3f')} | "
            f"{fmt(r['iomodel_over_pymrio_above'], '.3f')} | "
            f"{fmt(r['iomodel_over_lu_time'], '.3f')} | "
            f"{fmt(r['worst_check_rel_err'], '.1e')} | {'; '.join(tg)} |"
        )
    for r in ratios:
        if r["case"] == "mrio":
            lines.append("")
            lines.append(
                "| sparse MRIO n | regions | sparse path | dense / sparse time | "
                "max rel. diff sparse vs dense | targets |"
            )
            lines.append("|---:|---:|---|---:|---:|---|")
            lines.append(
                f"| {r['n']} | {r['regions']} | {r['sparse_path']} | "
                f"{r['dense_over_sparse_time']:.2f} | "
                f"{r['worst_check_rel_err']:.1e} | "
                f">= {TARGET_SPARSE_SPEEDUP:g}x faster: {r['target_sparse_speed']}; "
                f"agree to {TARGET_SPARSE_AGREEMENT:g}: {r['target_sparse_agreement']} |"
            )
    table_md = "\n".join(lines)
    print()
    print(table_md)
    print()
    print("Checks (max abs diff / max abs reference, per indicator):")
    for case, c in checks.items():
        for k, v in c.items():
            print(f"  {case:>12} {k:<30} {v:.2e}")
    print("pymrio has no Type II multipliers; the pymrio timing covers its calc_all() (A, L, M, D accounts).")
    if args.quick:
        print(
            f"QUICK RUN: the targets are meant for n = {TARGET_N}; they are evaluated at n = {target_n} "
            "and on a 2000-sector sparse table only to exercise the script."
        )

    result = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "quick": bool(args.quick),
        "repeat": args.repeat,
        "prefault_gib": args.prefault_gib,
        "environment": environment(args.threads),
        "targets": {
            "n": target_n,
            "speedup_vs_pymrio": TARGET_SPEEDUP_VS_PYMRIO,
            "memory_vs_pymrio": TARGET_MEMORY_VS_PYMRIO,
            "vs_bare_lu": TARGET_VS_BARE_LU,
            "sparse_speedup": TARGET_SPARSE_SPEEDUP,
            "sparse_agreement": TARGET_SPARSE_AGREEMENT,
            "check_rtol": CHECK_RTOL,
        },
        "runs": runs,
        "ratios": ratios,
        "checks": checks,
        "table_markdown": table_md,
    }
    outdir = HERE / "results"
    outdir.mkdir(exist_ok=True)
    stamp = _dt.date.today().isoformat()
    default = outdir / f"multipliers-{stamp}{'-quick' if args.quick else ''}.json"
    path = Path(args.json) if args.json else default
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results written to {path}")
    failed_checks = [r for r in ratios if not r["checks_pass"]]
    return 1 if failed_checks else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="smoke run: n=500 dense, 10x200 sparse")
    p.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1000, 2000, 4000, 9800],
        help="dense table sizes (default 1000 2000 4000 9800)",
    )
    p.add_argument("--sparse-n", type=int, default=9800, help="sparse MRIO size (default 9800)")
    p.add_argument("--regions", type=int, default=49, help="regions of the sparse MRIO table (default 49)")
    p.add_argument("--no-sparse", action="store_true", help="skip the sparse MRIO case")
    p.add_argument("--no-pymrio", action="store_true", help="skip pymrio")
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
    p.add_argument("--json", help="results file (default benchmarks/results/multipliers-<date>.json)")
    # worker mode (internal)
    p.add_argument("--worker", choices=["iomodel", "lu", "pymrio"], help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, help=argparse.SUPPRESS)
    p.add_argument("--table", default="dense", choices=["dense", "mrio"], help=argparse.SUPPRESS)
    p.add_argument("--method", default="auto", choices=["auto", "dense"], help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--kernel", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        run_worker(args)
        return 0
    return run_driver(args)


if __name__ == "__main__":
    sys.exit(main())
