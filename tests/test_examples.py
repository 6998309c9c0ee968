"""The reproducible studies in examples/ run end to end on the shipped table (CI runs them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name: str, out: Path) -> str:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    res = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--output", str(out)],
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
TESTED = {"priority_clusters.py", "sez_packages.py", "cluster_allocation.py", "cge_vs_io.py"}


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
