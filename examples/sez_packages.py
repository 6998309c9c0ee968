"""Study: do SEZ incentive packages pay for themselves? Two investments, with and without the package.

A petrochemical plant in the Atyrau petrochemical technopark (NIPT) and a
machine-building investment around the Almaty Heavy Machinery Plant, each run
over 2026-2045 on the official 2024 input-output table with and without the
standard Kazakh SEZ package (Law No. 242-VI of 3 April 2019; relief periods by
project size since 2024). The scenarios are the TOML files in
``examples/scenarios/``; change them and rerun.

Reports jobs (construction job-years, operation jobs), GVA, budget revenue by
tax, the net fiscal effect by year, its NPV, the payback year and the
break-even additionality, and how the NPV moves with additionality (the
assumption that dominates the answer, docs/methods.md 3.4).

Run:  python examples/sez_packages.py [--output DIR]
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

HERE = Path(__file__).parent
SCENARIOS = {
    "petrochemical": HERE / "scenarios" / "petrochemical_atyrau.toml",
    "machine_building": HERE / "scenarios" / "machine_building_ahmp.toml",
}
#: Names of the projects in figures.
PROJECTS = {
    "petrochemical": "Petrochemical plant, NIPT Atyrau",
    "machine_building": "Machine-building, Almaty Heavy Machinery Plant",
}


def run(output: Path) -> pd.DataFrame:
    output.mkdir(parents=True, exist_ok=True)
    kz = iom.datasets.kazakhstan(2024)
    rows, results = [], {}
    for key, path in SCENARIOS.items():
        sc = iom.Scenario.from_toml(path)
        impacts = iom.impact(kz, sc)  # one IO run; the package changes the budget, not the real economy
        s = impacts.summary()["value"]
        for variant, package in (("with package", sc.package), ("without package", None)):
            f = iom.fiscal.fiscal_accounts(impacts, package)  # the fiscal step alone
            results[(key, variant)] = f
            rows.append(
                {
                    "project": key,
                    "variant": variant,
                    "construction job-years": s["construction jobs (job-years, all effects)"],
                    "operation jobs (peak)": s["operation jobs, peak year (all effects)"],
                    "GVA, bn KZT": (s["GVA, construction"] + s["GVA, operation"]) / 1e3,
                    "revenue collected, bn KZT": float(f.revenue_collected.sum()) / 1e3,
                    "revenue forgone, bn KZT": float(f.revenue_forgone.sum()) / 1e3,
                    "customs forgone by the EAEU pool, bn KZT": float(f.customs_forgone_pooled.sum()) / 1e3,
                    "state costs, bn KZT": float(f.state_costs.sum()) / 1e3,
                    "NFE cumulative, bn KZT": float(f.nfe.sum()) / 1e3,
                    "NFE NPV, bn KZT": f.attrs["npv"] / 1e3,
                    "payback year": f.attrs["payback_year"] if f.attrs["payback_year"] > 0 else np.nan,
                    "break-even additionality": f.attrs["break_even_additionality"] if package else np.nan,
                    "relief": f.attrs["relief"],
                }
            )
            fig = iom.Appraisal(impacts=impacts, fiscal=f).plot("employment")
            style.save(fig, output / f"{key}_{variant.replace(' ', '_')}_employment.png")
            plt.close(fig)
        results[(key, "impacts")] = impacts
    table = pd.DataFrame(rows).set_index(["project", "variant"])
    table.to_csv(output / "sez_packages.csv")

    # budget revenue by tax, with the package
    with style.figure_style():
        fig, axes = style.new_figure("a4", 6.4, nrows=len(SCENARIOS))
        for ax, key in zip(axes[:, 0], SCENARIOS, strict=True):
            f = results[(key, "with package")]
            collected = (f.revenue_other + f.revenue_exemptible - f.revenue_forgone).sum("year").to_pandas() / 1e3
            forgone = f.revenue_forgone.sum("year").to_pandas() / 1e3
            df = pd.DataFrame({"collected": collected, "forgone": forgone})
            df = df[(df.abs().sum(axis=1) > 0)].iloc[::-1]
            y = np.arange(len(df))
            ax.barh(y, df["collected"], color=style.COLORS["bar"], label="collected")
            ax.barh(
                y, df["forgone"], left=df["collected"], color=style.COLORS["negative"], label="forgone (the package)"
            )
            ax.set_yticks(y, [style.name_of(t, kz.meta.tax_names) for t in df.index])
            a, d = f.attrs["additionality"], f.attrs["displacement"]
            ax.set_title(f"{PROJECTS[key]} (additionality {a:.0%}, displacement {d:.0%})")
            ax.grid(axis="x")
            ax.set_axisbelow(True)
            ax.legend(loc="lower right")
            ax.set_xlabel(style.axis_label("budget revenue, 2026-2045, undiscounted", "bn KZT"))
            style.thousands(ax.xaxis)
        fig.suptitle("Budget revenue by tax with the SEZ package")
        style.finish(
            fig,
            note=style.source_note(
                f.attrs,
                notes=["revenue forgone valued at the statutory rates the package relieves"],
            ),
        )
    style.save(fig, output / "budget_by_tax.png")
    plt.close(fig)

    # NPV of the net fiscal effect against additionality: the fiscal step for 101 values at once
    with style.figure_style():
        fig, grid = style.new_figure("a4", 3.4)
        ax = grid[0, 0]
        alphas = np.linspace(0.0, 1.0, 101)
        for key in SCENARIOS:
            impacts = results[(key, "impacts")]
            sw = iom.fiscal.fiscal_sweep(impacts, impacts.scenario.package, additionality=alphas)
            ax.plot(alphas, sw.npv.values / 1e3, label=PROJECTS[key])
            be = results[(key, "with package")].attrs["break_even_additionality"]
            ax.axvline(be, ls="--", lw=0.8, color=ax.lines[-1].get_color())
        ax.axhline(0, color=style.COLORS["reference"], lw=0.8)
        ax.set_xlabel(style.axis_label("additionality", "share of the investment due to the package"))
        ax.set_ylabel(style.axis_label("net fiscal effect, NPV", "bn KZT"))
        style.thousands(ax.yaxis)
        ax.set_title("When does the package pay for itself? (dashed: break-even additionality)")
        ax.legend(loc="upper left")
        rate = results[(next(iter(SCENARIOS)), "with package")].attrs["discount_rate"]
        style.finish(fig, note=style.source_note(f.attrs, notes=[f"NPV at a discount rate of {rate:.0%}"]))
    style.save(fig, output / "npv_vs_additionality.png")
    plt.close(fig)
    (output / "sez_packages.md").write_text(report(table), encoding="utf-8")
    return table


def report(t: pd.DataFrame) -> str:
    """Commentary computed from the results."""
    lines = ["# SEZ packages: net fiscal effect of two cluster investments, 2026-2045", ""]
    for key in t.index.get_level_values(0).unique():
        w, wo = t.loc[(key, "with package")], t.loc[(key, "without package")]
        be = w["break-even additionality"]
        verdict = "pays for itself" if w["NFE NPV, bn KZT"] >= 0 else "does not pay for itself"
        lines += [
            f"## {key}",
            f"- Jobs: {w['construction job-years']:,.0f} job-years in construction and up to "
            f"{w['operation jobs (peak)']:,.0f} jobs a year in operation (direct, indirect and induced).",
            f"- With the package the budget forgoes {w['revenue forgone, bn KZT']:,.1f} bn KZT "
            f"({w['relief']}) and spends {w['state costs, bn KZT']:,.1f} bn KZT on the zone; "
            f"the NPV of the net fiscal effect is {w['NFE NPV, bn KZT']:,.1f} bn KZT: at the assumed "
            f"additionality the package {verdict}.",
            f"- It breaks even when at least {be:.0%} of the investment is due to the package; "
            f"if the project happened anyway, the state would collect {wo['NFE NPV, bn KZT']:,.1f} bn KZT "
            "in present value without any package.",
            (
                f"- Payback year of the package: {int(w['payback year'])}."
                if pd.notna(w["payback year"])
                else "- The package does not pay back within the horizon."
            ),
            "",
        ]
    lines += ["## Results", "", t.round(2).to_string(), ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", default=str(HERE / "output" / "sez_packages"))
    a = ap.parse_args()
    run(Path(a.output))
    print((Path(a.output) / "sez_packages.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
