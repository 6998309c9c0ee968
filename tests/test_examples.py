"""The reproducible studies in examples/ run end to end on the shipped table (CI runs them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name: str, out: Path, *options: str) -> str:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    res = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--output", str(out), *options],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def test_priority_clusters(tmp_path):
    stdout = run_example("priority_clusters.py", tmp_path)
    for f in (
        "clusters_type2.png",
        "clusters_jobs_vs_budget.png",
        "clusters_jobs_type1_type2.png",
        "priority_clusters.csv",
        "priority_clusters.md",
    ):
        assert (tmp_path / f).stat().st_size > 500, f
    assert "## Who leads" in stdout and "11 clusters ranked" in stdout


def test_sez_packages(tmp_path):
    stdout = run_example("sez_packages.py", tmp_path)
    for f in (
        "sez_packages.csv",
        "sez_packages.md",
        "budget_by_tax.png",
        "npv_vs_additionality.png",
        "petrochemical_with_package_employment.png",
        "machine_building_without_package_employment.png",
    ):
        assert (tmp_path / f).stat().st_size > 500, f
    assert "breaks even when at least" in stdout
    import pandas as pd

    t = pd.read_csv(tmp_path / "sez_packages.csv", index_col=[0, 1])
    # the package changes the budget, not the real economy (impacts are gross)
    for p in ("petrochemical", "machine_building"):
        assert (
            t.loc[(p, "with package"), "operation jobs (peak)"]
            == t.loc[(p, "without package"), "operation jobs (peak)"]
        )
        assert t.loc[(p, "without package"), "revenue forgone, bn KZT"] == 0


def test_cluster_allocation(tmp_path):
    stdout = run_example("cluster_allocation.py", tmp_path)
    for f in (
        "plan.csv",
        "shadow_prices.csv",
        "budget_sweep.csv",
        "pareto_front.nc",
        "plan_and_shadow_prices.png",
        "budget_sweep.png",
        "pareto_jobs_vs_fiscal.png",
        "cluster_allocation.md",
    ):
        assert (tmp_path / f).stat().st_size > 200, f
    assert "jobs per extra bn KZT of incentive budget" in stdout
    import pandas as pd

    sweep = pd.read_csv(tmp_path / "budget_sweep.csv")
    assert sweep["jobs"].is_monotonic_increasing  # more budget never hurts
    assert sweep["budget_shadow_price"].is_monotonic_decreasing  # with diminishing returns (LP concavity)


#: Studies with a test above; a new study must be added here with its test.
TESTED = {"priority_clusters.py", "sez_packages.py", "cluster_allocation.py", "cge_vs_io.py", "uncertainty.py"}


def test_every_example_has_a_test():
    scripts = {p.name for p in EXAMPLES.glob("*.py")}
    assert scripts <= TESTED, f"examples without a test: {sorted(scripts - TESTED)}"


def test_cge_vs_io(tmp_path):
    stdout = run_example("cge_vs_io.py", tmp_path)
    for f in (
        "cge_vs_io.csv",
        "cge_vs_io.md",
        "cge_vs_io_totals.png",
        "machine_building_sectors_io_cge.png",
        "petrochemical_sectors_io_cge.png",
        "cge_budget_by_tax_and_welfare.png",
    ):
        assert (tmp_path / f).stat().st_size > 500, f
    assert "crowded out" in stdout
    import pandas as pd

    t = pd.read_csv(tmp_path / "cge_vs_io.csv", index_col=[0, 1])
    assert list(t.index.get_level_values(1).unique()) == ["full_employment", "fixed_real_wage"]
    for p in ("petrochemical", "machine_building"):
        full, fixed = t.loc[(p, "full_employment")], t.loc[(p, "fixed_real_wage")]
        # the IO side does not depend on the labour market
        assert full["output, bn KZT, IO"] == fixed["output, bn KZT, IO"]
        # scarce factors: the CGE output gain is positive and below the IO one, smaller with a fixed labour force
        assert 0 < full["output, bn KZT, CGE"] < fixed["output, bn KZT, CGE"] < fixed["output, bn KZT, IO"]
        assert full["jobs, CGE"] < fixed["jobs, CGE"]


def test_uncertainty(tmp_path):
    stdout = run_example("uncertainty.py", tmp_path, "--draws", "40", "--sobol-n", "16", "--seed", "2026")
    for f in (
        "uncertainty.md",
        "uncertainty_draws.csv",
        "uncertainty_sobol.csv",
        "uncertainty_tornado.csv",
        "nfe_cumulative_fan.png",
        "nfe_npv_histogram.png",
        "tornado_npv.png",
    ):
        assert (tmp_path / f).stat().st_size > 500, f
    assert "## Assumptions" in stdout and "additionality ~ Triangular(low=0.4, mode=0.6, high=0.8)" in stdout
    import re

    import pandas as pd
    import pytest
    import xarray as xr

    from iomodel import sensitivity as sa

    draws = pd.read_csv(tmp_path / "uncertainty_draws.csv", index_col="draw")
    assert len(draws) == 40
    assert draws["additionality"].between(0.4, 0.8).all() and draws["displacement"].between(0.1, 0.3).all()
    # each printed 90% interval is the 5% and 95% quantile of the saved draws and brackets the point estimate
    number = r"(-?[\d,]+\.?\d*)"
    for label, column, to_printed, tol in (
        ("operation jobs, peak year (jobs)", "operation_jobs_peak", 1.0, 0.5),
        ("construction employment (job-years)", "construction_job_years", 1.0, 0.5),
        ("net fiscal effect, NPV (billion KZT)", "npv", 1e-3, 0.005),  # the draws are in million KZT
    ):
        pattern = rf"- {re.escape(label)}: point {number}, mean {number}, 90% interval \[{number}, {number}\]"
        m = re.search(pattern, stdout)
        assert m is not None, label
        point, mean, lo, hi = (float(g.replace(",", "")) for g in m.groups())
        q05, q95 = draws[column].quantile([0.05, 0.95]).to_numpy() * to_printed
        assert lo == pytest.approx(q05, abs=tol) and hi == pytest.approx(q95, abs=tol), label
        assert mean == pytest.approx(draws[column].mean() * to_printed, abs=tol), label
        assert lo <= point <= hi, label
    # the payback probability is exceedance's over the same draws (a draw that never pays back does not count)
    m = re.search(r"P\(payback by 2040\) = ([\d.]+)", stdout)
    assert m is not None
    payback = xr.DataArray(draws["payback_year"].to_numpy(), dims="draw", name="payback_year")
    expected = float(sa.exceedance(payback, 2040, below=True))
    assert 0.0 <= float(m.group(1)) <= 1.0
    assert float(m.group(1)) == pytest.approx(expected, abs=5e-5)
    # Sobol' indices of the NPV over the five parameters, all printed
    sobol = pd.read_csv(tmp_path / "uncertainty_sobol.csv", index_col=["indicator", "parameter"])
    params = ["additionality", "displacement", "discount_rate", "output_scale", "capex_scale"]
    assert sorted(sobol.loc["npv"].index) == sorted(params)
    assert all(re.search(rf"^{p}\s+-?\d", stdout, re.M) for p in params)
