"""Study: how much of an SEZ project's input-output effect survives when prices move and factors are scarce?

The two SEZ scenarios of ``examples/scenarios/`` (a petrochemical plant in the
Atyrau petrochemical technopark, a machine-building investment around the
Almaty Heavy Machinery Plant) are run, in the first year of their peak output,
through the input-output model (``iomodel.impact`` and the fiscal accounts of
the package) and through the standard CGE model calibrated to a social
accounting matrix built from the same official 2024 table
(``iomodel.cge.compare_with_io``), under two labour markets: full employment
(the labour force is fixed, the wage adjusts) and a fixed real wage (workers
are available at the going wage). The plants enter the CGE model as extra
capital of their sectors with the package's CIT, property, land and customs
relief (``iomodel.cge.from_sez``; docs/cge.md).

Reports, per project and labour market, output, GVA, jobs and budget revenue in
both models and the share of the IO effect the CGE model does not find
(crowding out), output by sector in both models, the CGE budget revenue by tax and the
households' welfare (equivalent variation).

Run:  python examples/cge_vs_io.py [--output DIR]
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
from iomodel import cge, style

HERE = Path(__file__).parent
SCENARIOS = {
    "petrochemical": HERE / "scenarios" / "petrochemical_atyrau.toml",
    "machine_building": HERE / "scenarios" / "machine_building_ahmp.toml",
}
MEASURES = {"output": 1e6, "gva": 1e6, "jobs": 1.0, "budget": 1e6}  # thousand KZT to billion KZT; persons
LABELS = {"output": "output, bn KZT", "gva": "GVA, bn KZT", "jobs": "jobs", "budget": "budget revenue, bn KZT"}
#: Quantity and unit of each measure on a figure's axis.
AXES = {
    "output": ("output", "bn KZT"),
    "gva": ("gross value added", "bn KZT"),
    "jobs": ("employment", "persons"),
    "budget": ("budget revenue", "bn KZT"),
}
#: Names of the projects in figures.
PROJECTS = {
    "petrochemical": "Petrochemical plant, NIPT Atyrau",
    "machine_building": "Machine-building, Almaty Heavy Machinery Plant",
}
SHORT = {"petrochemical": "Petrochemical", "machine_building": "Machine-building"}


def _cap(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}"


def run(output: Path) -> pd.DataFrame:
    output.mkdir(parents=True, exist_ok=True)
    kz = iom.datasets.kazakhstan(2024)
    sam = cge.SAM.from_table(kz)  # one SAM for both projects
    rows, results = [], {}
    for key, path in SCENARIOS.items():
        sc = iom.Scenario.from_toml(path)
        ds = cge.compare_with_io(kz, sc, sam=sam)
        results[key] = ds
        for closure in ds["scenario"].values:
            row = {"project": key, "labour market": str(closure), "year": ds.attrs["year"]}
            for m, div in MEASURES.items():
                row[f"{LABELS[m]}, IO"] = float(ds[f"total_{m}_io"]) / div
                row[f"{LABELS[m]}, CGE"] = float(ds[f"total_{m}_cge"].sel(scenario=closure)) / div
                row[f"crowding out, {m}"] = float(ds[f"crowding_out_{m}"].sel(scenario=closure))
            row["welfare (EV), bn KZT, CGE"] = float(ds["welfare_ev"].sel(scenario=closure)) / 1e6
            rows.append(row)
        if _has_netcdf():
            ds.to_netcdf(output / f"{key}_cge_vs_io.nc")
    table = pd.DataFrame(rows).set_index(["project", "labour market"])
    table.to_csv(output / "cge_vs_io.csv")

    note = style.source_note(
        kz.meta,
        notes=[
            "peak year of operation: " + ", ".join(f"{SHORT[k]} {ds.attrs['year']}" for k, ds in results.items()),
            "IO gross (Type II), CGE net of crowding out, at benchmark prices",
        ],
    )
    series = (("IO", style.COLORS["bar"]), ("CGE", style.COLORS["accent"]))

    # IO against CGE, per measure
    with style.figure_style():
        fig, axes = style.new_figure("a4", 5.4, nrows=2, ncols=2, sharey=True)
        for ax, m in zip(axes.flat, MEASURES, strict=True):
            y = np.arange(len(table))[::-1]
            for k, (model, color) in enumerate(series):
                ax.barh(y - (k - 0.5) * 0.38, table[f"{LABELS[m]}, {model}"], height=0.38, color=color, label=model)
            ax.set_yticks(y, [f"{SHORT[p]},\n{c.replace('_', ' ')}" for p, c in table.index])
            quantity, unit = AXES[m]
            ax.set_xlabel(style.axis_label(quantity, unit))
            ax.set_title(_cap(quantity))
            ax.axvline(0, color=style.COLORS["line"], lw=0.6)
            style.thousands(ax.xaxis)
            ax.grid(axis="x")
            ax.set_axisbelow(True)
        axes[0, 0].legend(loc="lower right")
        fig.suptitle("Peak year of operation: input-output (gross) against CGE (net of crowding out)")
        style.finish(fig, note=note)
    style.save(fig, output / "cge_vs_io_totals.png")
    plt.close(fig)

    # by sector, IO against CGE, for each project (the 15 sectors with the largest IO effect)
    for key, ds in results.items():
        io = ds["output_io"].to_series() / 1e6
        top = io.abs().sort_values(ascending=False).index[:15][::-1]
        with style.figure_style():
            fig, axes = style.new_figure("a4", 7.6, nrows=len(ds["scenario"]), sharex=True)
            for ax, closure in zip(axes[:, 0], ds["scenario"].values, strict=True):
                cge_out = ds["output_cge"].sel(scenario=closure).to_series().loc[top] / 1e6
                y = np.arange(len(top))
                ax.barh(y + 0.2, io.loc[top], height=0.4, color=style.COLORS["bar"], label="IO")
                ax.barh(y - 0.2, cge_out, height=0.4, color=style.COLORS["accent"], label="CGE")
                ax.set_yticks(y, [style.name_of(s, kz.meta.sector_names) for s in top])
                ax.set_title(f"{str(closure).replace('_', ' ').capitalize()}")
                ax.xaxis.set_tick_params(labelbottom=True)
                ax.set_xlabel(style.axis_label("output change", "bn KZT, CGE at benchmark prices"))
                style.thousands(ax.xaxis)
                ax.axvline(0, color=style.COLORS["line"], lw=0.6)
                ax.grid(axis="x")
                ax.set_axisbelow(True)
                ax.legend(loc="lower right")
            fig.suptitle(f"{PROJECTS[key]}: output by product, the 15 largest IO effects")
            style.finish(fig, note=note)
        style.save(fig, output / f"{key}_sectors_io_cge.png")
        plt.close(fig)

    # CGE budget revenue by tax, and welfare
    with style.figure_style():
        fig, axes = style.new_figure(
            "a4", 8.6, nrows=len(results) + 1, gridspec_kw={"height_ratios": [3] * len(results) + [1.4]}
        )
        for ax, (key, ds) in zip(axes[:, 0], results.items(), strict=False):
            frame = ds["budget_cge_by_tax"].to_pandas().T / 1e6
            frame = frame.loc[frame.abs().max(axis=1) > 1e-3].iloc[::-1]
            y = np.arange(len(frame))
            for k, closure in enumerate(frame.columns):
                ax.barh(
                    y + (0.2 if k == 0 else -0.2),
                    frame[closure],
                    height=0.4,
                    color=(style.COLORS["bar"], style.COLORS["accent"])[k % 2],
                    label=str(closure).replace("_", " "),
                )
            ax.set_yticks(y, [style.name_of(t, kz.meta.tax_names) for t in frame.index])
            ax.set_title(f"{PROJECTS[key]}: budget revenue by tax, CGE")
            ax.set_xlabel(style.axis_label("change of revenue", "bn KZT"))
            style.thousands(ax.xaxis)
            ax.axvline(0, color=style.COLORS["line"], lw=0.6)
            ax.grid(axis="x")
            ax.set_axisbelow(True)
            ax.legend(loc="lower right")
        welfare = pd.DataFrame({k: ds["welfare_ev"].to_series() / 1e6 for k, ds in results.items()}).T
        ax = axes[-1, 0]
        y = np.arange(len(welfare))
        for k, closure in enumerate(welfare.columns):
            ax.barh(
                y + (0.2 if k == 0 else -0.2),
                welfare[closure],
                height=0.4,
                color=(style.COLORS["bar"], style.COLORS["accent"])[k % 2],
                label=str(closure).replace("_", " "),
            )
        ax.set_yticks(y, [SHORT[k] for k in welfare.index])
        ax.legend(loc="lower right")
        ax.set_title("Households' equivalent variation, CGE")
        ax.set_xlabel(style.axis_label("equivalent variation", "bn KZT at benchmark prices"))
        style.thousands(ax.xaxis)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        style.finish(fig, note=note)
    style.save(fig, output / "cge_budget_by_tax_and_welfare.png")
    plt.close(fig)

    lines = ["# SEZ projects in the input-output and the CGE model", ""]
    for key, ds in results.items():
        lines.append(f"## {key.replace('_', ' ')} (year {ds.attrs['year']})")
        lines.append("")
        for closure in ds["scenario"].values:
            r = table.loc[(key, str(closure))]
            lines.append(
                f"* {str(closure).replace('_', ' ')}: output {r['output, bn KZT, IO']:.1f} bn KZT (IO) against "
                f"{r['output, bn KZT, CGE']:.1f} (CGE), {r['crowding out, output']:.0%} crowded out; "
                f"jobs {r['jobs, IO']:,.0f} against {r['jobs, CGE']:,.0f}; budget revenue "
                f"{r['budget revenue, bn KZT, IO']:.1f} against {r['budget revenue, bn KZT, CGE']:.1f} bn KZT; "
                f"households' equivalent variation {r['welfare (EV), bn KZT, CGE']:.1f} bn KZT"
            )
        lines.append("")
    lines.append("IO figures are gross (before the package's additionality and displacement assumptions);")
    lines.append("the CGE model finds its own displacement. See docs/cge.md.")
    text = "\n".join(lines)
    (output / "cge_vs_io.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return table


def _has_netcdf() -> bool:
    try:
        import netCDF4  # noqa: F401
    except ImportError:
        try:
            import scipy.io  # noqa: F401
        except ImportError:
            return False
    return True


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("output/cge_vs_io"))
    run(parser.parse_args().output)
