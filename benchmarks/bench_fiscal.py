#!/usr/bin/env python
"""Benchmark: the fiscal step on its own against rerunning the IO model.

Contract (issue 8, "layers one way"): 1,000 fiscal recomputations over
additionality values cost less than 5 IO runs, measured in the same run on the
shipped Kazakhstan table and a study scenario (default
``examples/scenarios/petrochemical_atyrau.toml``, 20 years, Type II).

Contenders, each timed with ``time.perf_counter``, best of ``--repeat`` (default 5):

* ``io x5``: five calls of ``iomodel.impact(table, scenario)`` on the loaded
  table (its factorisation of ``I - A`` is cached after the first call, so this is
  the cheapest an IO run gets; the first, cold call is reported apart);
* ``sweep x1000``: ``iomodel.fiscal.fiscal_sweep`` over 1,000 additionality values
  (one call; linear in additionality, one set of revenue components);
* ``accounts x1000``: 1,000 calls of ``iomodel.fiscal.fiscal_accounts``, one per
  additionality value, each returning a full labelled ``xarray.Dataset``
  (information: the per-call cost a user pays in a hand-written loop).

Checks, in the same run: the sweep's NPV, payback year and break-even
additionality equal those of ``fiscal_accounts`` at five values (relative 1e-12).
Prints a table with the ratios to ``io x5`` and writes the run (machine,
versions, git commit, all timings) to ``benchmarks/results/fiscal-<date>.json``.
Exits non-zero if a check fails or the contract is missed.

Run: ``python benchmarks/bench_fiscal.py [--repeat 5] [--scenario PATH] [--json PATH]``
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmark the checkout this file lives in

import numpy as np  # noqa: E402

import iomodel as iom  # noqa: E402


def best(fn, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--scenario", default=str(HERE.parent / "examples/scenarios/petrochemical_atyrau.toml"))
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)

    kz = iom.datasets.kazakhstan(2024)
    sc = iom.Scenario.from_toml(Path(a.scenario))
    t0 = time.perf_counter()
    res = iom.impact(kz, sc)  # cold: factorises I - A
    cold = time.perf_counter() - t0
    alphas = np.linspace(0.01, 1.0, a.draws)
    pkg = sc.package

    io5, io5_all = best(lambda: [iom.impact(kz, sc) for _ in range(5)], a.repeat)
    sweep, sweep_all = best(lambda: iom.fiscal.fiscal_sweep(res, pkg, additionality=alphas), a.repeat)
    loop, loop_all = best(
        lambda: [iom.fiscal.fiscal_accounts(res, pkg.replace(additionality=float(x))) for x in alphas],
        max(1, a.repeat // 2),
    )

    # correctness in the same run
    sw = iom.fiscal.fiscal_sweep(res, pkg, additionality=alphas)
    worst = 0.0
    ok = True
    for i in np.linspace(0, a.draws - 1, 5).astype(int):
        f = iom.fiscal.fiscal_accounts(res, pkg.replace(additionality=float(alphas[i])))
        worst = max(worst, abs(float(sw.npv[i]) - f.attrs["npv"]) / max(1.0, abs(f.attrs["npv"])))
        ok &= int(sw.payback_year[i]) == f.attrs["payback_year"]
        ok &= bool(np.isclose(float(sw.break_even_additionality[i]), f.attrs["break_even_additionality"], rtol=1e-12))
    ok &= worst < 1e-12

    rows = [
        ("io x5 (impact, factorisation cached)", io5, 1.0),
        (f"sweep x{a.draws} (fiscal_sweep, one call)", sweep, sweep / io5),
        (f"accounts x{a.draws} (fiscal_accounts in a loop)", loop, loop / io5),
    ]
    print(f"iomodel fiscal step on {kz.meta.name}, scenario {sc.name!r} ({len(sc.year_list)} years)")
    print(f"first (cold) IO run, factorising I - A: {cold * 1e3:.1f} ms")
    print(f"{'contender':<48} {'seconds':>10} {'/ io x5':>9}")
    for name, t, r in rows:
        print(f"{name:<48} {t:>10.4f} {r:>9.3f}")
    met = sweep < io5
    print(f"contract: {a.draws} fiscal recomputations (sweep) < 5 IO runs: {'met' if met else 'MISSED'}")
    print(f"checks: sweep equals fiscal_accounts (NPV rel. error {worst:.1e}): {'ok' if ok else 'FAILED'}")

    env = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
    }
    try:
        git = ["git", "-C", str(HERE.parent)]
        env["git_commit"] = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    out = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "scenario": sc.name,
        "draws": a.draws,
        "cold_io_seconds": cold,
        "io_x5_seconds": io5_all,
        "sweep_seconds": sweep_all,
        "accounts_loop_seconds": loop_all,
        "ratios_to_io_x5": {name: r for name, _, r in rows},
        "contract_met": bool(met),
        "checks_ok": bool(ok),
        "environment": env,
    }
    path = Path(a.json) if a.json else HERE / "results" / f"fiscal-{dt.date.today().isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"written to {path}")
    return 0 if (ok and met) else 1


if __name__ == "__main__":
    raise SystemExit(main())
