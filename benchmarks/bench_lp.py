#!/usr/bin/env python
"""Benchmark: an allocation-shaped IO linear program, iomodel's matrix path against bare highspy.

Contract (issue "Scale"): on random productive tables of 500, 1000 and 2000 sectors
the end-to-end time of ``iomodel.optimize.LinearProgram`` (build + solve + results)
is within 2x of handing the same matrices to ``highspy`` directly, measured in the
same run, with the same optimal objective (1e-9 relative).

The LP (see ``iomodel/optimize/allocation.py``, ``_build``), for ``n`` sectors and
``P`` (default 20) candidate projects::

    max   e'x + J'level
    s.t.  balance   (I - A) x - D level  = 0        (I - A dense, D dense n x P)
          capacity  x                    <= g o x0   (identity, dense as in _build)
          labour    diag(e) x + H level  <= l o E0   (diag dense, H scipy.sparse)
          budget    c'level              <= B
          x >= 0,  0 <= level <= 3

The table is a balanced ``iomodel.IOTable.from_flows`` (final demand >= 20 % of
output, value added with a ``compensation`` row, an ``employment`` satellite); ``A``,
``x0``, ``E0`` and ``e = E0 / x0`` are read from it *before* timing. Both contenders
receive the same numpy/scipy arrays.

Contenders (each timed end to end, arrays in, numbers out):

* ``iomodel``  ``LinearProgram`` + ``add_variables``/``add_constraints`` with the
  arrays, ``solve()``, then the objective, primal values, duals and reduced costs
  read from the ``LPResult``. Row ``default`` is ``solve()`` as a user calls it
  (with ranging); row ``no-ranging`` is ``solve(ranging=False)``.
* ``highspy``  the same stacked CSC matrix built with scipy from the same arrays
  (per-block ``csc_array`` + ``block_array``), ``HighsLp`` + ``passModel`` + ``run``,
  then ``getSolution`` (primal, row and column duals) and the objective; for the
  ``default`` row also ``getRanging`` (the work ``solve()`` does), for
  ``no-ranging`` not.
* ``pyomo``    (information, n <= ``--pyomo-max-n``, default 500):
  ``LinearProgram.to_pyomo()`` + ``solve_pyomo`` (ranging on), against ``highspy``
  with ranging; the ``LinearProgram`` blocks are built inside the timing too.

Every repetition runs the contenders back to back, alternating their order; the
median of ``--repeat`` (default 3) repetitions is reported, wall clock
(``perf_counter``) and process CPU time. Inside every ``highspy.Highs`` (both
contenders: a thin subclass installed in this process) the time spent in ``run()``
and ``getRanging()`` is recorded as the *solver* time; the rest is the model time
(building, stacking, passing, reading results) that the contract is about.

Solver options
--------------
HiGHS' default presolve is pathological on this LP family (dense ``I - A``): at
n = 500 it takes 40-60 s where the simplex without presolve needs < 1 s, at n = 1000
about 14 minutes (5 s without), growing about cubically. So:

* ``--presolve off`` (default)  ``presolve="off"`` on both sides. Bare highspy sets the
  option itself; iomodel gets ``solve(options={"presolve": "off"})`` (public API). Where
  an entry point takes no ``options`` (``solve_pyomo``; ``solve`` before the commit that
  added it) the ``highspy.Highs`` subclass of this process sets the option in its
  constructor (iomodel code is unchanged; only the solver configuration differs). The
  JSON records which route was used (``iomodel_options_via``, ``pyomo_options_via``).
* ``--presolve default``  HiGHS defaults on both sides, ``solve()`` exactly as a user
  calls it without options (only practical up to n = 500).

Results go to ``benchmarks/results/lp-<date>[-quick].json``.

Usage::

    python benchmarks/bench_lp.py                     # n = 500 1000 2000, presolve off
    python benchmarks/bench_lp.py --quick             # n = 200, a few seconds
    python benchmarks/bench_lp.py --presolve default --sizes 500
    python benchmarks/bench_lp.py --sizes 2000 --profile   # + cProfile of the iomodel run
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as _dt
import gc
import inspect
import io
import json
import platform
import pstats
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
# Benchmark the checkout this script lives in (no install needed).
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

import highspy  # noqa: E402

import iomodel as iom  # noqa: E402
from iomodel.optimize import LinearProgram, solve_pyomo  # noqa: E402

#: Contract of the issue.
TARGET_RATIO = 2.0  # iomodel end-to-end / bare highspy end-to-end <= 2
TARGET_OBJ_RTOL = 1e-9  # |obj_iomodel - obj_highspy| / max(1, |obj_highspy|)
DUAL_RTOL = 1e-7  # duals: max |y_iomodel - y_highspy| / max(1, max |y_highspy|)
SIZES = (500, 1000, 2000)
MAX_LEVEL = 3.0


# ----------------------------------------------------------------------------- problem
def make_problem(n: int, projects: int = 20, seed: int = 0, budget_share: float = 0.06) -> dict:
    """A random productive table and the allocation-shaped LP data (numpy / scipy arrays).

    Table: output ``x0 ~ U(1000, 2000)``, ``A`` fully dense with column sums in
    [0.3, 0.7] (rows whose intermediate sales would exceed 80 % of output scaled
    down), final demand ``x0 - Z 1`` (households / other), value added
    (``compensation`` / other), employment ``x0 * U(0.05, 1)``.

    LP data: ``D`` dense, ``U(0.05, 1) * s_p`` in every sector plus 5 sectors with a
    concentrated demand ``U(50, 200)`` per project; ``H`` sparse (3 sectors a project,
    ``U(5, 30)`` jobs); ``J ~ U(50, 200)``, ``c ~ U(50, 150)``; capacity ``g o x0``
    and labour ``l o E0`` with ``g, l ~ U(0.03, 0.15)`` by sector (so both kinds of
    rows bind somewhere); budget ``B = budget_share * sum(c) * 3``.
    """
    rng = np.random.default_rng(seed)
    sectors = [f"s{i:05d}" for i in range(n)]
    x0 = rng.uniform(1000.0, 2000.0, n)
    colsum = rng.uniform(0.3, 0.7, n)
    Z = rng.random((n, n))
    Z *= (colsum * x0 / Z.sum(axis=0))[None, :]
    Z *= np.minimum(1.0, 0.8 * x0 / Z.sum(axis=1))[:, None]
    f = x0 - Z.sum(axis=1)
    va = x0 - Z.sum(axis=0)
    assert (f > 0).all() and (va > 0).all()
    hh = rng.uniform(0.4, 0.7, n)
    comp = rng.uniform(0.4, 0.6, n)
    emp = x0 * rng.uniform(0.05, 1.0, n)
    table = iom.IOTable.from_flows(
        pd.DataFrame(Z, index=sectors, columns=sectors),
        pd.DataFrame({"households": f * hh, "other": f * (1.0 - hh)}, index=sectors),
        pd.DataFrame([va * comp, va * (1.0 - comp)], index=["compensation", "other"], columns=sectors),
        satellites=pd.DataFrame([emp], index=["employment"], columns=sectors),
        satellite_units={"employment": "persons"},
        name=f"random {n}",
        unit="million KZT",
        copy=False,
    )
    del Z
    A = table.A.to_numpy()
    xt = table.output.to_numpy()
    E0 = table.satellites.loc["employment"].to_numpy()
    e = E0 / xt
    P = projects
    D = rng.uniform(0.05, 1.0, (n, P)) * rng.uniform(0.2, 1.0, P)[None, :]
    rows_h, cols_h, vals_h = [], [], []
    for p in range(P):
        D[rng.choice(n, 5, replace=False), p] += rng.uniform(50.0, 200.0, 5)
        rows_h.extend(rng.choice(n, 3, replace=False))
        cols_h.extend([p] * 3)
        vals_h.extend(rng.uniform(5.0, 30.0, 3))
    H = sp.csr_array((vals_h, (rows_h, cols_h)), shape=(n, P))
    c = rng.uniform(50.0, 150.0, P)
    return {
        "n": n,
        "P": P,
        "table": table,
        "sectors": sectors,
        "projects": [f"project{p:02d}" for p in range(P)],
        "IA": np.eye(n) - A,  # dense, as _build passes it
        "I": np.eye(n),  # dense identity, as _build passes it
        "E": np.diag(e),  # dense diagonal, as _build passes it
        "e": e,
        "D": D,
        "H": H,
        "J": rng.uniform(50.0, 200.0, P),
        "c": c,
        "cap": rng.uniform(0.03, 0.15, n) * xt,
        "L": rng.uniform(0.03, 0.15, n) * E0,
        "B": budget_share * c.sum() * MAX_LEVEL,
    }


# ----------------------------------------------------------------------------- solver instrumentation
class _Clock:
    """Process-wide solver time and HiGHS options, shared by every ``TimedHighs``."""

    solver = 0.0
    options: ClassVar[dict] = {}


class TimedHighs(highspy.Highs):
    """``highspy.Highs`` that records the time spent in ``run``/``getRanging`` and applies options."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        for k, v in _Clock.options.items():
            self.setOptionValue(k, v)

    def run(self, *a, **kw):
        t0 = time.perf_counter()
        try:
            return super().run(*a, **kw)
        finally:
            _Clock.solver += time.perf_counter() - t0

    def getRanging(self, *a, **kw):
        t0 = time.perf_counter()
        try:
            return super().getRanging(*a, **kw)
        finally:
            _Clock.solver += time.perf_counter() - t0


_ORIG_HIGHS = highspy.Highs
highspy.Highs = TimedHighs  # iomodel does ``import highspy; highspy.Highs()`` at call time

_SOLVE_HAS_OPTIONS = "options" in inspect.signature(LinearProgram.solve).parameters
_PYOMO_HAS_OPTIONS = "options" in inspect.signature(solve_pyomo).parameters


@contextmanager
def _shim_options(opts: dict, active: bool):
    """Set HiGHS options in every ``Highs`` created inside (only when iomodel cannot take them)."""
    _Clock.options = dict(opts) if active else {}
    try:
        yield
    finally:
        _Clock.options = {}


# ----------------------------------------------------------------------------- contenders
def run_iomodel(d: dict, ranging: bool, opts: dict) -> dict:
    """Build the LP with the public API, solve on the matrix path, read the LPResult."""
    kw = {"options": opts} if (opts and _SOLVE_HAS_OPTIONS) else {}
    with _shim_options(opts, bool(opts) and not _SOLVE_HAS_OPTIONS):
        lp = LinearProgram(sense="max", objective_units="jobs", name=f"bench {d['n']}")
        lp.add_variables("x", d["sectors"], lower=0.0, cost=d["e"], units="output")
        lp.add_variables("level", d["projects"], lower=0.0, upper=MAX_LEVEL, cost=d["J"], units="level")
        lp.add_constraints("balance", d["sectors"], {"x": d["IA"], "level": -d["D"]}, lower=0.0, upper=0.0)
        lp.add_constraints("capacity", d["sectors"], {"x": d["I"]}, upper=d["cap"])
        lp.add_constraints("labour", d["sectors"], {"x": d["E"], "level": d["H"]}, upper=d["L"])
        lp.add_constraints("budget", ["budget"], {"level": d["c"][None, :]}, upper=[d["B"]])
        res = lp.solve(ranging=ranging, **kw)
        out = {
            "objective": res.objective,
            "x": res.value("x").values,
            "level": res.value("level").values,
            "y": np.concatenate([res.dual(b).values for b in ("balance", "capacity", "labour", "budget")]),
            "rc": np.concatenate([res.reduced_costs[b].values for b in ("x", "level")]),
            "ranging": len(res.ranging),
            "status": res.status,
        }
    return out


def run_pyomo(d: dict, opts: dict) -> dict:
    """The Pyomo path: the same LinearProgram, ``to_pyomo()`` + ``solve_pyomo`` (ranging on)."""
    kw = {"options": opts} if (opts and _PYOMO_HAS_OPTIONS) else {}
    with _shim_options(opts, bool(opts) and not _PYOMO_HAS_OPTIONS):
        lp = LinearProgram(sense="max", objective_units="jobs", name=f"bench {d['n']}")
        lp.add_variables("x", d["sectors"], lower=0.0, cost=d["e"], units="output")
        lp.add_variables("level", d["projects"], lower=0.0, upper=MAX_LEVEL, cost=d["J"], units="level")
        lp.add_constraints("balance", d["sectors"], {"x": d["IA"], "level": -d["D"]}, lower=0.0, upper=0.0)
        lp.add_constraints("capacity", d["sectors"], {"x": d["I"]}, upper=d["cap"])
        lp.add_constraints("labour", d["sectors"], {"x": d["E"], "level": d["H"]}, upper=d["L"])
        lp.add_constraints("budget", ["budget"], {"level": d["c"][None, :]}, upper=[d["B"]])
        res = solve_pyomo(lp.to_pyomo(), **kw)
        # Pyomo labels are strings in model order; blocks keep their names
        out = {
            "objective": res.objective,
            "x": res.value("x").values,
            "level": res.value("level").values,
            "y": np.concatenate([res.dual(b).values for b in ("balance", "capacity", "labour", "budget")]),
            "rc": np.concatenate([res.reduced_costs[b].values for b in ("x", "level")]),
            "ranging": len(res.ranging),
            "status": res.status,
        }
    return out


def run_highspy(d: dict, ranging: bool, opts: dict) -> dict:
    """The same LP stacked by hand from the same arrays and handed to highspy."""
    n, P = d["n"], d["P"]
    inf = highspy.kHighsInf
    A = sp.block_array(
        [
            [sp.csc_array(d["IA"]), sp.csc_array(-d["D"])],
            [sp.csc_array(d["I"]), None],
            [sp.csc_array(d["E"]), sp.csc_array(d["H"])],
            [None, sp.csc_array(d["c"][None, :])],
        ],
        format="csc",
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + P, 3 * n + 1
    lp.col_cost_ = np.concatenate([d["e"], d["J"]])
    lp.col_lower_ = np.zeros(n + P)
    lp.col_upper_ = np.concatenate([np.full(n, inf), np.full(P, MAX_LEVEL)])
    lp.row_lower_ = np.concatenate([np.zeros(n), np.full(2 * n + 1, -inf)])
    lp.row_upper_ = np.concatenate([np.zeros(n), d["cap"], d["L"], [d["B"]]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data
    lp.sense_ = highspy.ObjSense.kMaximize
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for k, v in opts.items():
        h.setOptionValue(k, v)
    h.passModel(lp)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    sol = h.getSolution()
    col = np.asarray(sol.col_value)
    out = {
        "objective": h.getInfo().objective_function_value,
        "x": col[:n],
        "level": col[n:],
        "y": np.asarray(sol.row_dual),
        "rc": np.asarray(sol.col_dual),
        "status": status,
        "ranging": 0,
    }
    if ranging:
        _, r = h.getRanging()
        out["ranging"] = sum(
            len(np.asarray(a.value_)) for a in (r.col_cost_up, r.col_cost_dn, r.row_bound_up, r.row_bound_dn)
        )
    return out


# ----------------------------------------------------------------------------- measuring
def timed(fn, *args) -> tuple[dict, dict]:
    gc.collect()
    _Clock.solver = 0.0
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn(*args)
    t1, c1 = time.perf_counter(), time.process_time()
    return out, {
        "seconds": t1 - t0,
        "cpu_seconds": c1 - c0,
        "solver_seconds": _Clock.solver,
        "model_seconds": (t1 - t0) - _Clock.solver,
    }


def compare(a: dict, b: dict) -> dict:
    ya, yb = a["y"], b["y"]
    scale = max(1.0, float(np.max(np.abs(yb))))
    return {
        "objective_a": a["objective"],
        "objective_b": b["objective"],
        "objective_rel_diff": abs(a["objective"] - b["objective"]) / max(1.0, abs(b["objective"])),
        "dual_max_rel_diff": float(np.max(np.abs(ya - yb))) / scale,
        "primal_max_rel_diff": float(np.max(np.abs(np.r_[a["x"], a["level"]] - np.r_[b["x"], b["level"]])))
        / max(1.0, float(np.max(np.abs(b["x"])))),
    }


def structure(d: dict, r: dict) -> dict:
    """How the optimum looks (evidence that the LP is not trivial): binding rows, levels."""
    n = d["n"]
    y = r["y"]
    lev = r["level"]
    tol = 1e-7
    return {
        "objective": r["objective"],
        "levels_at_zero": int((lev <= tol).sum()),
        "levels_at_max": int((lev >= MAX_LEVEL - tol).sum()),
        "levels_fractional": int(((lev > tol) & (lev < MAX_LEVEL - tol)).sum()),
        "binding_capacity": int((np.abs(y[n : 2 * n]) > 1e-9).sum()),
        "binding_labour": int((np.abs(y[2 * n : 3 * n]) > 1e-9).sum()),
        "budget_dual": float(y[3 * n]),
        "balance_dual_range": [float(y[:n].min()), float(y[:n].max())],
        "sample_duals": {"balance[0]": float(y[0]), "balance[n-1]": float(y[n - 1]), "budget": float(y[3 * n])},
    }


def median_rec(recs: list[dict]) -> dict:
    keys = recs[0].keys()
    return {k: statistics.median(r[k] for r in recs) for k in keys} | {"runs": recs}


def bench_size(n: int, args, opts: dict) -> dict:
    t0 = time.perf_counter()
    d = make_problem(n, args.projects, args.seed, args.budget_share)
    gen = time.perf_counter() - t0
    print(f"\n== n = {n} (+{d['P']} projects): {3 * n + 1} rows, {n + d['P']} columns, data {gen:.1f} s", flush=True)
    cases = {"default": True, "no-ranging": False}  # row name -> ranging
    times: dict[str, dict[str, list]] = {c: {"iomodel": [], "highspy": []} for c in cases}
    last: dict[str, dict[str, dict]] = {c: {} for c in cases}
    for rep in range(args.repeat):
        for case, rg in cases.items():
            order = ["iomodel", "highspy"] if rep % 2 == 0 else ["highspy", "iomodel"]
            for who in order:
                fn = run_iomodel if who == "iomodel" else run_highspy
                out, tm = timed(fn, d, rg, opts)
                if out["status"] != "Optimal":
                    raise RuntimeError(f"{who} n={n}: status {out['status']}")
                times[case][who].append(tm)
                last[case][who] = out
                print(
                    f"  rep {rep + 1} {case:<10} {who:<8} {tm['seconds']:8.3f} s "
                    f"(solver {tm['solver_seconds']:.3f}, model {tm['model_seconds']:.3f})",
                    flush=True,
                )
    rows = []
    for case in cases:
        io_, hs = median_rec(times[case]["iomodel"]), median_rec(times[case]["highspy"])
        cmp_ = compare(last[case]["iomodel"], last[case]["highspy"])
        ratio = io_["seconds"] / hs["seconds"]
        rows.append(
            {
                "n": n,
                "case": case,
                "iomodel": io_,
                "highspy": hs,
                "ratio": ratio,
                "cpu_ratio": io_["cpu_seconds"] / hs["cpu_seconds"],
                "model_overhead_seconds": io_["model_seconds"] - hs["model_seconds"],
                **cmp_,
                "pass_time": ratio <= TARGET_RATIO,
                "pass_objective": cmp_["objective_rel_diff"] <= TARGET_OBJ_RTOL,
                "pass_duals": cmp_["dual_max_rel_diff"] <= DUAL_RTOL,
            }
        )
    info = {
        "n": n,
        "rows": rows,
        "structure": structure(d, last["default"]["highspy"]),
        "data_seconds": gen,
        "nnz": int(sum(np.count_nonzero(d[k]) for k in ("IA", "D", "I", "E")) + d["H"].nnz + d["P"]),
    }
    if n <= args.pyomo_max_n and not args.no_pyomo:
        pts, hts = [], []
        for rep in range(args.pyomo_repeat):
            out_p, tp = timed(run_pyomo, d, opts)
            out_h, th = timed(run_highspy, d, True, opts)
            pts.append(tp)
            hts.append(th)
            print(
                f"  rep {rep + 1} pyomo      {tp['seconds']:8.3f} s (solver {tp['solver_seconds']:.3f}); "
                f"highspy {th['seconds']:.3f} s",
                flush=True,
            )
        pm, hm = median_rec(pts), median_rec(hts)
        info["pyomo"] = {"pyomo": pm, "highspy": hm, "ratio": pm["seconds"] / hm["seconds"], **compare(out_p, out_h)}
    if args.profile:
        info["profile"] = profile_iomodel(d, opts, args.profile_lines)
    return info


def profile_iomodel(d: dict, opts: dict, lines: int) -> str:
    pr = cProfile.Profile()
    pr.enable()
    run_iomodel(d, True, opts)
    pr.disable()
    s = io.StringIO()
    st = pstats.Stats(pr, stream=s)
    st.sort_stats("cumulative").print_stats(lines)
    st.sort_stats("tottime").print_stats(lines)
    text = s.getvalue()
    print(text)
    return text


def warm_up(opts: dict) -> None:
    """Import and initialise everything once (xarray, pandas, highspy, pyomo) outside the timings."""
    d = make_problem(30, 5, 123, 0.06)
    run_iomodel(d, True, opts)
    run_highspy(d, True, opts)
    run_pyomo(d, opts)


def environment() -> dict:
    import pyomo
    import scipy
    import xarray

    env = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "xarray": xarray.__version__,
        "pyomo": pyomo.__version__,
        "highs": f"{_ORIG_HIGHS().version()}" if hasattr(_ORIG_HIGHS, "version") else "?",
    }
    try:
        from importlib.metadata import version

        env["highspy"] = version("highspy")
    except Exception:
        pass
    try:
        import subprocess

        git = ["git", "-C", str(HERE.parent)]
        env["git_commit"] = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        env["iomodel_dirty"] = bool(
            subprocess.run(
                [*git, "status", "--porcelain", "--", "iomodel"], capture_output=True, text=True
            ).stdout.strip()
        )
    except Exception:
        pass
    try:
        import os

        env["cpus"] = os.cpu_count()
        env["loadavg_start"] = os.getloadavg()
    except Exception:
        pass
    return env


def fmt_table(results: list[dict]) -> str:
    head = (
        "| n | case | iomodel s | highspy s | ratio | cpu ratio | iomodel model s | highspy model s "
        "| solver s (io / hs) | obj rel diff | dual rel diff | 2x target |"
    )
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for info in results:
        for r in info["rows"]:
            ok = r["pass_time"] and r["pass_objective"] and r["pass_duals"]
            lines.append(
                f"| {r['n']} | {r['case']} | {r['iomodel']['seconds']:.3f} | {r['highspy']['seconds']:.3f} "
                f"| {r['ratio']:.3f} | {r['cpu_ratio']:.3f} | {r['iomodel']['model_seconds']:.3f} "
                f"| {r['highspy']['model_seconds']:.3f} "
                f"| {r['iomodel']['solver_seconds']:.3f} / {r['highspy']['solver_seconds']:.3f} "
                f"| {r['objective_rel_diff']:.1e} | {r['dual_max_rel_diff']:.1e} | {'PASS' if ok else 'MISS'} |"
            )
    return "\n".join(lines)


def fmt_pyomo(results: list[dict]) -> str:
    lines = [
        "| n | pyomo path s | highspy s (with ranging) | ratio | solver s (pyomo path) | obj rel diff |",
        "|---|---|---|---|---|---|",
    ]
    for info in results:
        if "pyomo" in info:
            p = info["pyomo"]
            lines.append(
                f"| {info['n']} | {p['pyomo']['seconds']:.3f} | {p['highspy']['seconds']:.3f} "
                f"| {p['ratio']:.1f} | {p['pyomo']['solver_seconds']:.3f} | {p['objective_rel_diff']:.1e} |"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--quick", action="store_true", help="smoke run: n = 200, Pyomo included, a few seconds")
    p.add_argument("--sizes", type=int, nargs="+", default=None, help="table sizes (default 500 1000 2000)")
    p.add_argument("--projects", type=int, default=20, help="candidate projects P (default 20)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--budget-share",
        type=float,
        default=0.06,
        help="budget as a share of the cost of every project at its largest level (default 0.06)",
    )
    p.add_argument("--repeat", type=int, default=3, help="repetitions, median reported (default 3)")
    p.add_argument(
        "--presolve",
        choices=["off", "default"],
        default="off",
        help="HiGHS presolve on both sides: 'off' (default) or HiGHS' own default (see docstring)",
    )
    p.add_argument("--pyomo-max-n", type=int, default=500, help="time the Pyomo path up to this n (default 500)")
    p.add_argument("--pyomo-repeat", type=int, default=None, help="Pyomo repetitions (default --repeat)")
    p.add_argument("--no-pyomo", action="store_true")
    p.add_argument("--profile", action="store_true", help="cProfile one iomodel run at every size")
    p.add_argument("--profile-lines", type=int, default=25)
    p.add_argument("--json", help="results file (default benchmarks/results/lp-<date>[-quick].json)")
    args = p.parse_args(argv)
    sizes = args.sizes or ([200] if args.quick else list(SIZES))
    if args.pyomo_repeat is None:
        args.pyomo_repeat = args.repeat
    if args.quick:
        args.pyomo_max_n = max(args.pyomo_max_n, 200)
    opts = {"presolve": "off"} if args.presolve == "off" else {}
    via = (
        "n/a (HiGHS defaults)"
        if not opts
        else ("solve(options=...)" if _SOLVE_HAS_OPTIONS else "highspy.Highs subclass (solve() takes no options)")
    )
    via_pyomo = (
        "n/a (HiGHS defaults)"
        if not opts
        else (
            "solve_pyomo(options=...)"
            if _PYOMO_HAS_OPTIONS
            else "highspy.Highs subclass (solve_pyomo takes no options)"
        )
    )
    print(f"HiGHS options on both sides: {opts or 'defaults'}; iomodel gets them via: {via}; Pyomo path: {via_pyomo}")
    warm_up(opts)
    env = environment()
    results = [bench_size(n, args, opts) for n in sizes]
    table_md = fmt_table(results)
    pyomo_md = fmt_pyomo(results)
    print("\n" + table_md)
    if pyomo_md:
        print("\nPyomo path (information, not a target):\n" + pyomo_md)
    print("\nStructure of the optimum (highspy, default case):")
    for info in results:
        print(f"  n={info['n']}: {json.dumps(info['structure'])}")
    all_pass = all(r["pass_time"] and r["pass_objective"] and r["pass_duals"] for i in results for r in i["rows"])
    print(
        f"\ncontract (ratio <= {TARGET_RATIO}, objective rel diff <= {TARGET_OBJ_RTOL:g}, duals "
        f"<= {DUAL_RTOL:g}): {'PASS' if all_pass else 'MISS'}"
    )
    if args.quick:
        print("QUICK RUN: the contract is for n = 500, 1000, 2000; n = 200 only exercises the script.")

    def clean(o):
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list | tuple):
            return [clean(v) for v in o]
        if isinstance(o, np.generic):
            return o.item()
        return o

    result = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "quick": bool(args.quick),
        "repeat": args.repeat,
        "seed": args.seed,
        "projects": args.projects,
        "budget_share": args.budget_share,
        "sizes": sizes,
        "highs_options": opts,
        "iomodel_options_via": via,
        "pyomo_options_via": via_pyomo,
        "targets": {"ratio": TARGET_RATIO, "objective_rtol": TARGET_OBJ_RTOL, "dual_rtol": DUAL_RTOL},
        "environment": env,
        "results": results,
        "table_markdown": table_md,
        "pyomo_markdown": pyomo_md,
        "pass": all_pass,
    }
    outdir = HERE / "results"
    outdir.mkdir(exist_ok=True)
    stamp = _dt.date.today().isoformat()
    suffix = ("-quick" if args.quick else "") + ("-presolve-default" if args.presolve == "default" else "")
    path = Path(args.json) if args.json else outdir / f"lp-{stamp}{suffix}.json"
    path.write_text(json.dumps(clean(result), indent=2) + "\n")
    print(f"results written to {path}")
    return 0 if all_pass else 1


if __name__ == "__main__":
    raise SystemExit(main())
