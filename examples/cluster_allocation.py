"""Study: how should a state incentive budget for 2026-2035 be spread across priority clusters and zones?

Solves the allocation problem of ``examples/cluster_allocation.toml`` on the
official 2024 input-output table with HiGHS: candidate projects of the ten
priority clusters in the special economic zones that host them, a budget for
revenue forgone and zone costs, sector capacity and labour limits and an
import limit. Reports the plan, the shadow prices of the budget and of labour,
how the plan changes with the budget, and the Pareto front between jobs and
the net fiscal effect (epsilon-constraint method, docs/methods.md 4.5).

Run:  python examples/cluster_allocation.py [--output DIR] [--points 9]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import iomodel as iom
from iomodel import optimize as opt
from iomodel import style
from iomodel.plot import lp_overview, pareto

HERE = Path(__file__).parent


def run(output: Path, points: int = 9) -> dict:
    output.mkdir(parents=True, exist_ok=True)
    kz = iom.datasets.kazakhstan(2024)
    problem = opt.AllocationProblem.from_toml(HERE / "cluster_allocation.toml", economy=kz.economy)
    coef = opt.candidate_coefficients(kz, problem)
    res = problem.solve(kz, coefficients=coef)
    plan = res.info["plan"]
    plan.to_csv(output / "plan.csv")
    res.shadow_prices().to_csv(output / "shadow_prices.csv", index=False)
    fig = lp_overview(res, table=kz)
    style.save(fig, output / "plan_and_shadow_prices.png")
    plt.close(fig)

    # how the optimum and the budget's shadow price move with the budget
    budgets = problem.budget * np.array([0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0])
    sweep = []
    for b in budgets:
        r = problem.replace(budget=float(b)).build(kz, coef).solve()
        sweep.append({"budget": b, "jobs": r.objective, "budget_shadow_price": float(r.dual("budget").values[0])})
    sweep = pd.DataFrame(sweep)
    sweep.to_csv(output / "budget_sweep.csv", index=False)
    with style.figure_style():
        fig, grid = style.new_figure("a4", 3.0, ncols=2)
        ax = grid[0]
        ax[0].plot(sweep["budget"] / 1e3, sweep["jobs"], "o-", ms=4)
        ax[0].set_xlabel(style.axis_label("incentive budget, present value", "bn KZT"))
        ax[0].set_ylabel(style.axis_label("attributable jobs", "average a year"))
        ax[0].set_title("Jobs the budget buys")
        ax[1].step(sweep["budget"] / 1e3, sweep["budget_shadow_price"] * 1e3, where="post")
        ax[1].set_xlabel(style.axis_label("incentive budget, present value", "bn KZT"))
        ax[1].set_ylabel(style.axis_label("shadow price of the budget", "jobs per extra bn KZT"))
        ax[1].set_title("Shadow price of the budget")
        for a in ax:
            style.thousands(a.xaxis, a.yaxis)
            a.grid()
            a.set_axisbelow(True)
        style.finish(fig, note=style.source_note(kz.meta, notes=[f"{problem.name} (examples/cluster_allocation.toml)"]))
    style.save(fig, output / "budget_sweep.png")
    plt.close(fig)

    front = opt.pareto_front(kz, problem, ("employment", "nfe"), points=points, coefficients=coef)
    front.to_netcdf(output / "pareto_front.nc")
    fig = pareto(front)
    style.save(fig, output / "pareto_jobs_vs_fiscal.png")
    plt.close(fig)
    (output / "cluster_allocation.md").write_text(report(problem, res, sweep, front), encoding="utf-8")
    return {"result": res, "sweep": sweep, "front": front}


def report(problem, res, sweep: pd.DataFrame, front) -> str:
    plan = res.info["plan"]
    chosen = plan[plan["level"] > 1e-6].sort_values("capex", ascending=False)
    sp_ = res.shadow_prices()
    lab = sp_[(sp_["constraint"] == "labour") & (sp_["shadow_price"].abs() > 1e-9)]
    budget_sp = float(res.dual("budget").values[0])
    names = iom.datasets.kazakhstan_sectors()["name_en"].to_dict()
    hosted = {
        c for z in iom.datasets.kazakhstan_economy().zones.values() if z.status == "operating" for c in z.clusters
    }
    left_out = [c for c in iom.datasets.kazakhstan_economy().clusters if c not in hosted]
    gross = float(plan["jobs_gross"].sum())
    lines = [
        f"# {problem.name}: allocation of {problem.budget / 1e3:,.0f} bn KZT (PV) of incentives",
        "",
        f"Objective: {res.objective:,.0f} jobs a year on average over {problem.years[0]}-{problem.years[1]} "
        f"attributable to the incentives (additionality times the {gross:,.0f} gross jobs, direct, indirect and "
        "induced).",
        "",
        "Candidates: each cluster in every operating zone that hosts it; clusters no zone hosts cannot receive "
        "an SEZ package and are left out: " + (", ".join(left_out) or "none") + ".",
        "",
        "## The plan",
        *[
            f"- {name}: level {row['level']:.2f}, capex {row['capex'] / 1e3:,.0f} bn KZT, budget cost "
            f"{row['budget_cost'] / 1e3:,.1f} bn KZT, NPV of the net fiscal effect {row['nfe'] / 1e3:,.1f} bn KZT; "
            f"relief {row['relief']}"
            for name, row in chosen.iterrows()
        ],
        *(
            [f"- No relief at all for: {', '.join(res.info['nil_relief'])} (the zone's term ends first)."]
            if res.info["nil_relief"]
            else []
        ),
        "",
        "## Shadow prices",
        f"- Budget: {budget_sp * 1e3:,.0f} jobs per extra bn KZT of incentive budget (PV).",
        *(
            [
                f"- Labour in {r['label']} ({names.get(r['label'], '')}): {r['shadow_price']:,.2f} jobs per extra "
                "worker available there "
                "(the plan is held back by labour in that sector)."
                for _, r in lab.iterrows()
            ]
            or ["- No sector's labour limit binds."]
        ),
        "",
        "## Budget sweep",
        sweep.round(3).to_string(index=False),
        "",
        "## Jobs against the net fiscal effect (Pareto front)",
        f"From {front['employment'].values[0]:,.0f} jobs with NPV {front['nfe'].values[0] / 1e3:,.1f} bn KZT "
        f"to {front['employment'].values[-1]:,.0f} jobs with NPV {front['nfe'].values[-1] / 1e3:,.1f} bn KZT; "
        "the trade-off rates (jobs per million KZT of NPV) are the duals of the epsilon constraint.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", default=str(HERE / "output" / "cluster_allocation"))
    ap.add_argument("--points", type=int, default=9)
    a = ap.parse_args()
    run(Path(a.output), a.points)
    print((Path(a.output) / "cluster_allocation.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
