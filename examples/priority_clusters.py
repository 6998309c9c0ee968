"""Study: which of Kazakhstan's priority clusters pay off in jobs, income and budget revenue?

Ranks the ten priority clusters of the paper (plus the machine-building
cluster around the Almaty Heavy Machinery Plant) by their Type I and Type II
multipliers on the official 2024 input-output table, and writes figures, a CSV
and a short report whose commentary is computed from the numbers.

Run:  python examples/priority_clusters.py [--output DIR] [--mpc 0.8]

A cluster's multiplier is the effect of one unit of final demand for its core
products spread like their 2024 output (``iomodel.datasets.cluster_weights``).
Employment is in persons per 1 bn KZT of final demand; monetary multipliers
in KZT per KZT. Budget revenue covers all taxes attached to the table (net
product taxes on intermediate use, other taxes on production, CIT including the
oil sector's, PIT, social tax, oil mineral extraction tax, rent tax on oil
exports); VAT on final sales is not included, because the table is at basic
prices.
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
from iomodel import style
from iomodel.cli import multiplier_table
from iomodel.plot import multiplier_bars


def run(output: Path, mpc: float | None = None) -> dict[str, pd.DataFrame]:
    output.mkdir(parents=True, exist_ok=True)
    kz = iom.datasets.kazakhstan(2024)
    closure = iom.impacts.closure_for(kz.economy, mpc)  # the economy's closure, mpc replaced if given
    t1 = multiplier_table(kz, kind="type1")
    t2 = multiplier_table(kz, kind="type2", closure=closure)
    cols = ["output", "employment", "income", "gva", "budget"]

    # Figure 1: Type II multipliers, ranked by jobs
    per = "multipliers per unit of final demand for the cluster's products"
    fig = multiplier_bars(
        t2.set_index("label"),
        cols,
        highlight="employment",
        units=t2.attrs["units"],
        title="Kazakhstan 2024: Type II multipliers of the priority clusters, ranked by employment",
        note=style.source_note(kz.meta, kind="type2", notes=[per]),
    )
    style.save(fig, output / "clusters_type2.png")
    plt.close(fig)

    # Figure 2: jobs against budget revenue, the two questions of the ministry
    with style.figure_style():
        fig, grid = style.new_figure("a4", 4.2)
        ax = grid[0, 0]
        ax.scatter(t2["employment"], t2["budget"], s=30, color=style.COLORS["bar"], zorder=3)
        names = [
            ax.annotate(
                row["label"].split(" (")[0],
                (row["employment"], row["budget"]),
                xytext=(4, 3),
                textcoords="offset points",
            )
            for _, row in t2.iterrows()
        ]
        ax.axvline(t2["employment"].median(), color=style.COLORS["reference"], lw=0.8, ls="--", label="median")
        ax.axhline(t2["budget"].median(), color=style.COLORS["reference"], lw=0.8, ls="--")
        ax.set_xlabel(style.axis_label("employment multiplier, Type II", t2.attrs["units"]["employment"]))
        ax.set_ylabel(style.axis_label("budget revenue multiplier, Type II", t2.attrs["units"]["budget"]))
        style.thousands(ax.xaxis, ax.yaxis)
        ax.legend(loc="lower right")
        ax.set_title("Jobs and budget revenue per unit of cluster demand, 2024")
        style.finish(fig, note=style.source_note(kz.meta, kind="type2", notes=[per]))
        style.separate(fig, names)  # no name over another, none off the axes
    style.save(fig, output / "clusters_jobs_vs_budget.png")
    plt.close(fig)

    # Figure 3: how much of the effect is induced (Type II over Type I)
    ratio = (t2[cols] / t1[cols].reindex(t2.index)).rename(columns=lambda c: f"{c}_type2_over_type1")
    both = pd.DataFrame({"Type I": t1["employment"], "Type II": t2["employment"]}).reindex(t2.index)
    both.index = t2["label"].str.split(" \\(").str[0]
    with style.figure_style():
        fig, grid = style.new_figure("a4", 0.3 * len(both) + 1.2)
        ax = grid[0, 0]
        y = np.arange(len(both))[::-1]  # the largest Type II on top
        ax.barh(y + 0.2, both["Type I"], height=0.4, color=style.COLORS["indirect"], label=style.TYPES["type1"])
        ax.barh(y - 0.2, both["Type II"], height=0.4, color=style.COLORS["bar"], label="Type II (with induced effects)")
        ax.set_yticks(y, [style.short_name(n) for n in both.index])
        ax.set_xlabel(style.axis_label("employment multiplier", t2.attrs["units"]["employment"]))
        style.thousands(ax.xaxis)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        ax.legend(loc="lower right")
        ax.set_title("Employment multipliers of the priority clusters: without and with induced effects")
        style.finish(fig, note=style.source_note(kz.meta, notes=[per]))
    style.save(fig, output / "clusters_jobs_type1_type2.png")
    plt.close(fig)

    # Key sectors among each cluster's core products
    keys = iom.key_sectors(kz)
    clusters = iom.datasets.kazakhstan_clusters()
    core = clusters[clusters.role == "core"]
    n_key = (
        core.assign(cls=core["product"].map(keys["key_sector"].to_series()))
        .groupby("cluster")["cls"]
        .apply(lambda s: int((s == "key").sum()))
    )

    result = t2.join(ratio).join(n_key.rename("key_sectors_in_core"))
    result.to_csv(output / "priority_clusters.csv")
    (output / "priority_clusters.md").write_text(report(t1, t2, n_key, closure), encoding="utf-8")
    return {"type1": t1, "type2": t2, "result": result}


def report(t1: pd.DataFrame, t2: pd.DataFrame, n_key: pd.Series, closure) -> str:
    """Commentary computed from the numbers (nothing here is typed in by hand)."""

    def name(c: str) -> str:
        return str(t2.loc[c, "label"])

    jobs = t2["employment"].sort_values(ascending=False)
    budget = t2["budget"].sort_values(ascending=False)
    both = t2[(t2["employment"] >= t2["employment"].median()) & (t2["budget"] >= t2["budget"].median())]
    top_out = t2["output"].idxmax()
    rank_jobs = t2["employment"].rank(ascending=False).astype(int)
    induced = (t2["employment"] / t1["employment"].reindex(t2.index)).sort_values(ascending=False)
    lines = [
        "# Priority clusters of Kazakhstan: multipliers on the 2024 input-output table",
        "",
        f"Type II closure: marginal propensity to consume {closure.mpc}, income tax and employee contributions "
        f"{closure.deductions:.3f} of labour income, product taxes on consumption "
        + ", ".join(f"{k} {v:.4f}" for k, v in closure.consumption_taxes.items())
        + " (docs/methods.md 1.4; the budget multiplier includes them). Employment per 1 bn KZT of final demand.",
        "",
        "## Who leads",
        f"- **Jobs**: {name(jobs.index[0])} ({jobs.iloc[0]:.0f} jobs per 1 bn KZT), then "
        f"{name(jobs.index[1])} ({jobs.iloc[1]:.0f}) and {name(jobs.index[2])} ({jobs.iloc[2]:.0f}); "
        f"{name(jobs.index[-1])} creates the fewest ({jobs.iloc[-1]:.0f}), "
        f"{jobs.iloc[0] / jobs.iloc[-1]:.1f} times fewer than the leader.",
        f"- **Budget revenue**: {name(budget.index[0])} returns {budget.iloc[0]:.3f} KZT of taxes per KZT "
        f"of demand, then {name(budget.index[1])} ({budget.iloc[1]:.3f}); "
        f"{name(budget.index[-1])} returns least ({budget.iloc[-1]:.3f}).",
        "- **Above the median on both**: "
        + (", ".join(name(c) for c in both.index) if len(both) else "no cluster")
        + ".",
        f"- **Induced effects** add most to jobs in {name(induced.index[0])} "
        f"(Type II / Type I = {induced.iloc[0]:.2f}) and least in {name(induced.index[-1])} "
        f"({induced.iloc[-1]:.2f}).",
        "- **Key sectors** (backward and forward linkage above average) among core products: "
        + ", ".join(f"{name(c)} {int(n)}" for c, n in n_key.sort_values(ascending=False).items() if n > 0)
        + ".",
        "",
        "## Caveats",
        "- Multipliers are per unit of *final demand* for the cluster's products at basic prices; an "
        "investment's construction phase and a plant's operation phase are different shocks "
        "(see the SEZ package study).",
        f"- A large output multiplier is not a large jobs multiplier: {name(top_out)} has the largest "
        f"output multiplier ({t2.loc[top_out, 'output']:.2f}) but ranks {rank_jobs[top_out]} of {len(t2)} on "
        "jobs.",
        "",
        "## Type II multipliers",
        "",
        t2.round(3).to_markdown() if _has_tabulate() else t2.round(3).to_string(),
        "",
    ]
    return "\n".join(lines)


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", default=str(Path(__file__).parent / "output" / "priority_clusters"))
    ap.add_argument("--mpc", type=float, default=None, help="marginal propensity to consume (default: the economy's)")
    a = ap.parse_args()
    out = run(Path(a.output), a.mpc)
    print((Path(a.output) / "priority_clusters.md").read_text(encoding="utf-8"))
    print(f"figures and CSV in {a.output}; {len(out['type2'])} clusters ranked")


if __name__ == "__main__":
    main()
