#!/usr/bin/env python
"""Benchmark: the CGE layer (``iomodel.cge``) against a bare Pyomo solve of the same model.

Cases, each a SAM and the model ``StandardCGE(sam, closure=Closure(labour="full_employment",
capital="sector_specific"), numeraire="CPI")`` on it:

* ``hosoe``: ``SAM.hosoe_standard()``, the textbook SAM of Hosoe, Gasawa & Hashimoto
  (2010), 2 goods, 10 accounts;
* ``clusters``: the Kazakhstan table aggregated to its ten priority clusters (each product
  to the first cluster with it as a core member) and the rest, 12 goods;
* ``kazakhstan``: ``SAM.from_table(iom.datasets.kazakhstan())``, 68 goods, 85 accounts;
* ``synthetic``: a random SAM of ``--goods`` goods (default 300) with the accounts and
  roles of the Hosoe SAM (``CAP``, ``LAB``, ``IDT``, ``TRF``, ``HOH``, ``GOV``, ``INV``,
  ``EXT``), balanced by construction (seed ``--seed``): goods' account totals uniform in
  [100, 1000], intermediate use a random matrix scaled so that it takes at most 60 % of
  any good's row or column, the rest of a good's column split into imports (10-30 %),
  tariffs (2-10 % of imports), production tax (2-8 %) and capital and labour; households
  pay 15 % of their income in direct tax and save 15 %, the government saves 10 % of its
  revenue, foreign savings are 10 % of imports, and final demand by good is a random
  matrix fitted to these row and column totals by RAS (biproportional scaling).

Timed with ``time.perf_counter``, best of ``--repeat`` (default 3), the solves interleaved:

* ``SAM``: building the SAM (``SAM.hosoe_standard()``, ``SAM.from_table`` on the loaded
  table, ``SAM.from_frame`` on the synthetic frame; generating the frame is not timed);
* ``model``: ``StandardCGE(...)`` (calibration and the Pyomo build);
* ``iomodel``: ``model.solve()`` (benchmark) and ``model.solve(policy)`` with the policy
  ``Policy(name="tariffs -50%", tariff_rate={g: 0.5 * rate})`` over every good with a
  tariff: clone, policy, squareness check, ripopt, and the independent numpy residual
  check of the solution (continuation ``steps`` if the direct solve fails);
* ``bare``, the baseline: ``pyo.SolverFactory("ripopt").solve(model.pyomo.clone())``
  after ``import pyomo_ripopt`` (for the policy, the same clone with its ``taum``
  parameters set to the halved rates), the clone included;
* ``check``: ``model.residuals(result.values, result.params)`` alone.

Prints the build times and a table with ``iomodel / bare`` (the cost of iomodel's solve
over the bare solver call), ``check / iomodel`` (the share of the numpy residual check),
``result.info["steps"]``, the solver's iterations (``result.info["iterations"]``, read from
its log) and ``result.info["max_residual"]``. No timing is asserted; the
script exits non-zero only if a solve fails. ``--json PATH`` also writes every timing.
A warm-up solve of the Hosoe model (not timed) loads the solver first.

Run: ``python benchmarks/bench_cge.py [--goods 300] [--repeat 3] [--quick] [--seed 0] [--json PATH]``
(``--quick``: Hosoe, clusters and Kazakhstan only).

Measured on the development machine (2 cores, Python 3.11, Pyomo 6.10.1, pyomo-ripopt
0.8.2), 2026-12-02, ``python benchmarks/bench_cge.py`` (``--goods 200 --repeat 3``; the
whole run took 3 minutes)::

    case        goods accounts    SAM s  model s
    hosoe           2       10   0.0017    0.007
    kazakhstan     68       85   0.0025    0.034
    synthetic     200      208   0.0029    0.443

    case        run           iomodel s   bare s io/bare check ms   chk/io steps max resid
    hosoe       benchmark         0.020    0.014   1.447     0.23  1.2e-02     1   5.5e-16
    hosoe       tariffs -50%      0.017    0.016   1.035     0.22  1.3e-02     1   5.5e-16
    kazakhstan  benchmark         8.005    8.078   0.991     0.39  4.9e-05     1   5.8e-15
    kazakhstan  tariffs -50%      3.793    3.744   1.013     0.35  9.1e-05     1   6.3e-13
    synthetic   benchmark         7.742    8.069   0.959     0.27  3.4e-05     1   1.1e-15
    synthetic   tariffs -50%      8.253    7.846   1.052     0.27  3.2e-05     1   1.2e-15

The solver call is nearly all of the time: the repeats of one solve spread by 5-10 %,
so ratios within about 0.95-1.05 mean "the same"; iomodel's own overhead (clone, squareness
check, numpy check) is visible only on the tiny Hosoe model, a few milliseconds. The
residual check takes under half a millisecond at every size. Solving from the benchmark
point takes longer than the policy solve on the Kazakhstan SAM (8.0 s against 3.8 s) in
the bare call as well, so it is ripopt's doing, not iomodel's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmark the checkout this file lives in

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyomo.environ as pyo  # noqa: E402

import iomodel as iom  # noqa: E402
from iomodel.cge import SAM, Closure, Policy, StandardCGE  # noqa: E402

CLOSURE = Closure(labour="full_employment", capital="sector_specific")
NUMERAIRE = "CPI"


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def best(fn: Any, repeat: int) -> tuple[float, list[float], Any]:
    """Best time of ``repeat`` calls of ``fn``, all times, and the last value returned."""
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times, out


def _ras(prior: np.ndarray, rows: np.ndarray, cols: np.ndarray, tol: float = 1e-14) -> np.ndarray:
    """Scale a positive matrix to the given row and column totals (biproportional scaling)."""
    X = prior.copy()
    for _ in range(10_000):
        X *= (rows / X.sum(axis=1))[:, None]
        X *= (cols / X.sum(axis=0))[None, :]
        if np.max(np.abs(X.sum(axis=1) - rows) / rows) < tol:
            return X
    raise RuntimeError("RAS did not converge")


def synthetic_frame(n: int, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    """A random SAM frame of ``n`` goods with the accounts of the Hosoe SAM, balanced by construction."""
    rng = np.random.default_rng(seed)
    goods = [f"G{k:04d}" for k in range(n)]
    T = rng.uniform(100.0, 1000.0, n)  # account total of each good
    X = rng.uniform(0.0, 1.0, (n, n)) * np.outer(T, T)
    X *= 0.6 / max((X.sum(axis=1) / T).max(), (X.sum(axis=0) / T).max())
    V = T - X.sum(axis=0)  # rest of a good's column: imports, taxes, value added
    F = T - X.sum(axis=1)  # rest of a good's row: final demand
    M = rng.uniform(0.1, 0.3, n) * V
    TRF = rng.uniform(0.02, 0.1, n) * M
    IDT = rng.uniform(0.02, 0.08, n) * V
    VA = V - M - TRF - IDT
    CAP = rng.uniform(0.3, 0.7, n) * VA
    LAB = VA - CAP
    YH = CAP.sum() + LAB.sum()
    Td, Sp = 0.15 * YH, 0.15 * YH
    revenue = IDT.sum() + TRF.sum() + Td
    Sg = 0.1 * revenue
    Sf = 0.1 * M.sum()
    # household, government, investment and export totals; they add up to F.sum() (= V.sum())
    totals = np.array([YH - Td - Sp, revenue - Sg, Sp + Sg + Sf, M.sum() - Sf])
    FD = _ras(rng.uniform(0.5, 1.5, (n, 4)) * np.outer(F, totals), F, totals)
    acc = [*goods, "CAP", "LAB", "IDT", "TRF", "HOH", "GOV", "INV", "EXT"]
    S = pd.DataFrame(0.0, index=acc, columns=acc)
    S.loc[goods, goods] = X
    S.loc[goods, ["HOH", "GOV", "INV", "EXT"]] = FD
    for row, v in (("CAP", CAP), ("LAB", LAB), ("IDT", IDT), ("TRF", TRF), ("EXT", M)):
        S.loc[row, goods] = v
    S.loc["HOH", "CAP"], S.loc["HOH", "LAB"] = CAP.sum(), LAB.sum()
    S.loc["GOV", "IDT"], S.loc["GOV", "TRF"], S.loc["GOV", "HOH"] = IDT.sum(), TRF.sum(), Td
    S.loc["INV", "HOH"], S.loc["INV", "GOV"], S.loc["INV", "EXT"] = Sp, Sg, Sf
    return S, goods


def synthetic_sam(S: pd.DataFrame, goods: list[str]) -> SAM:
    """The SAM of :func:`synthetic_frame` with the roles of the Hosoe SAM."""
    return SAM.from_frame(
        S,
        goods=goods,
        factors=["CAP", "LAB"],
        production_taxes=["IDT"],
        tariffs=["TRF"],
        households="HOH",
        government="GOV",
        investment="INV",
        rest_of_world="EXT",
        name=f"synthetic, {len(goods)} goods",
        tol=1e-9,
    )


def tariff_policy(model: StandardCGE) -> tuple[Policy, dict[str, float]]:
    """Every tariff halved: the policy, and the new rates (to set on a bare clone)."""
    m = model.pyomo
    rates = {g: 0.5 * float(pyo.value(m.taum[g])) for g in m.IM if pyo.value(m.taum[g]) > 0}
    return Policy(name="tariffs -50%", tariff_rate=rates), rates


def bare_solve(model: StandardCGE, rates: dict[str, float] | None = None) -> str:
    """The baseline: ripopt on a clone of the model's Pyomo model (policy rates set on it)."""
    c = model.pyomo.clone()
    for g, r in (rates or {}).items():
        c.taum[g] = r
    res = pyo.SolverFactory("ripopt").solve(c)
    return str(res.solver.termination_condition)


def run_case(name: str, build_sam: Any, repeat: int) -> dict[str, Any]:
    """Time one case: SAM, model, benchmark and policy solves against the bare solve."""
    t_sam, t_sam_all, sam = best(build_sam, repeat)
    t_model, t_model_all, model = best(lambda: StandardCGE(sam, closure=CLOSURE, numeraire=NUMERAIRE), repeat)
    policy, rates = tariff_policy(model)
    out: dict[str, Any] = {
        "case": name,
        "goods": len(sam.goods),
        "accounts": len(sam.accounts),
        "sam_seconds": t_sam_all,
        "model_seconds": t_model_all,
        "sam_best": t_sam,
        "model_best": t_model,
        "runs": {},
    }
    times: dict[str, list[float]] = {k: [] for k in ("solve", "bare", "psolve", "pbare")}
    result = presult = None
    terms: dict[str, str] = {}
    for _ in range(repeat):  # interleaved: iomodel, bare, iomodel (policy), bare (policy)
        t0 = time.perf_counter()
        result = model.solve()
        times["solve"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        terms["benchmark"] = bare_solve(model)
        times["bare"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        presult = model.solve(policy)
        times["psolve"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        terms["policy"] = bare_solve(model, rates)
        times["pbare"].append(time.perf_counter() - t0)
    for run, res, ks, kb in (("benchmark", result, "solve", "bare"), (policy.name, presult, "psolve", "pbare")):
        n_check = max(5, repeat)
        t_check, t_check_all, _ = best(lambda res=res: model.residuals(res.values, res.params), n_check)
        solve, bare = min(times[ks]), min(times[kb])
        out["runs"][run] = {
            "iomodel_seconds": times[ks],
            "bare_seconds": times[kb],
            "check_seconds": t_check_all,
            "iomodel_best": solve,
            "bare_best": bare,
            "check_best": t_check,
            "iomodel_over_bare": solve / bare,
            "check_over_iomodel": t_check / solve,
            "steps": res.info.get("steps"),  # None where solve has no continuation
            "iterations": res.info.get("iterations"),  # read from the solver's log; None if it prints none
            "max_residual": float(res.info["max_residual"]),
            "termination": str(res.info["termination"]),
            "bare_termination": terms["benchmark" if run == "benchmark" else "policy"],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--goods", type=int, default=300, help="goods of the synthetic SAM (default 300)")
    ap.add_argument("--repeat", type=int, default=3, help="best of R (default 3)")
    ap.add_argument("--quick", action="store_true", help="Hosoe, clusters and Kazakhstan only")
    ap.add_argument("--seed", type=int, default=0, help="seed of the synthetic SAM")
    ap.add_argument("--json", default=None, help="also write every timing to this file")
    a = ap.parse_args(argv)
    repeat = max(1, a.repeat)

    import pyomo_ripopt  # noqa: F401  # registers ripopt with Pyomo

    StandardCGE(SAM.hosoe_standard(), closure=CLOSURE, numeraire=NUMERAIRE).solve()  # warm-up, not timed
    kz = iom.datasets.kazakhstan()
    clusters = kz.aggregate(kz.economy.cluster_concordance(kz.sectors), name="Kazakhstan 2024, ten priority clusters")
    cases = [
        ("hosoe", SAM.hosoe_standard),
        ("clusters", lambda: SAM.from_table(clusters)),
        ("kazakhstan", lambda: SAM.from_table(kz)),
    ]
    if not a.quick:
        frame, goods = synthetic_frame(a.goods, a.seed)
        cases.append(("synthetic", lambda: synthetic_sam(frame, goods)))

    results = []
    ok = True
    for name, build in cases:
        print(f"running {name} ...", flush=True)
        try:
            results.append(run_case(name, build, repeat))
        except Exception as exc:  # a failed solve is reported, not hidden
            print(f"  {name} FAILED: {type(exc).__name__}: {exc}")
            ok = False

    print(f"\niomodel.cge, closure {CLOSURE.labour}/{CLOSURE.capital}, numeraire {NUMERAIRE}, best of {repeat}")
    print(f"{'case':<11} {'goods':>5} {'accounts':>8} {'SAM s':>8} {'model s':>8}")
    for r in results:
        print(f"{r['case']:<11} {r['goods']:>5} {r['accounts']:>8} {r['sam_best']:>8.4f} {r['model_best']:>8.3f}")
    print()
    head = (
        f"{'case':<11} {'run':<13} {'iomodel s':>9} {'bare s':>8} {'io/bare':>7} "
        f"{'check ms':>8} {'chk/io':>8} {'steps':>5} {'iters':>5} {'max resid':>9}"
    )
    print(head)
    for r in results:
        for run, x in r["runs"].items():
            print(
                f"{r['case']:<11} {run:<13} {x['iomodel_best']:>9.3f} {x['bare_best']:>8.3f} "
                f"{x['iomodel_over_bare']:>7.3f} {x['check_best'] * 1e3:>8.2f} {x['check_over_iomodel']:>8.1e} "
                f"{x['steps'] if x['steps'] is not None else 'n/a':>5} "
                f"{x['iterations'] if x.get('iterations') is not None else 'n/a':>5} {x['max_residual']:>9.1e}"
            )
            if x["bare_termination"] != "optimal":
                print(f"{'':<11} note: the bare solve ended with {x['bare_termination']!r}")
    print("io/bare: iomodel's solve (clone, policy, square check, ripopt, numpy check) over the bare ripopt call")
    print("chk/io: the numpy residual check over iomodel's solve")

    if a.json:
        env = {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "platform": platform.platform(),
            "numpy": np.__version__,
            "pyomo": _version("pyomo"),
            "pyomo-ripopt": _version("pyomo-ripopt"),
            "cpu_count": os.cpu_count(),
        }
        try:
            git = ["git", "-C", str(HERE.parent)]
            env["git_commit"] = subprocess.run(
                [*git, "rev-parse", "HEAD"], capture_output=True, text=True
            ).stdout.strip()
        except OSError:
            pass
        out = {
            "date": dt.datetime.now().isoformat(timespec="seconds"),
            "repeat": repeat,
            "seed": a.seed,
            "cases": results,
            "ok": ok,
            "environment": env,
        }
        path = Path(a.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"written to {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
