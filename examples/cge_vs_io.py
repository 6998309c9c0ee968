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
import pandas as pd

import iomodel as iom
from iomodel import cge

HERE = Path(__file__).parent
SCENARIOS = {
    "petrochemical": HERE / "scenarios" / "petrochemical_atyrau.toml",
    "machine_building": HERE / "scenarios" / "machine_building_ahmp.toml",
}
MEASURES = {"output": 1e6, "gva": 1e6, "jobs": 1.0, "budget": 1e6}  # thousand KZT to billion KZT; persons
LABELS = {"output": "output, bn KZT", "gva": "GVA, bn KZT", "jobs": "jobs", "budget": "budget revenue, bn KZT"}


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

    # IO against CGE, per measure
    fig, axes = plt.subplots(1, 4, figsize=(16, 4.2))
    for ax, m in zip(axes, MEASURES, strict=True):
        frame = pd.DataFrame(
            {
                "IO": table[f"{LABELS[m]}, IO"],
                "CGE": table[f"{LABELS[m]}, CGE"],
            }
        )
        frame.index = [f"{p.replace('_', ' ')}\n{c.replace('_', ' ')}" for p, c in frame.index]
        frame.plot.bar(ax=ax, rot=0, width=0.75, color=["#4c72b0", "#dd8452"])
        ax.set_title(LABELS[m])
        ax.axhline(0, color="black", lw=0.6)
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle("Peak year of operation: input-output (gross) against CGE (net of crowding out)")
    fig.tight_layout()
    fig.savefig(output / "cge_vs_io_totals.png", dpi=110)
    plt.close(fig)

    # by sector, IO against CGE, for each project (the 15 sectors with the largest IO effect)
    for key, ds in results.items():
        fig, axes = plt.subplots(1, len(ds["scenario"]), figsize=(14, 6))
        io = ds["output_io"].to_series() / 1e6
        top = io.abs().sort_values(ascending=False).index[:15][::-1]
        for ax, closure in zip(axes, ds["scenario"].values, strict=True):
            frame = pd.DataFrame(
                {"IO": io.loc[top], "CGE": ds["output_cge"].sel(scenario=closure).to_series().loc[top] / 1e6}
            )
            frame.index = [f"product {s}" for s in top]  # CPA codes of the Bureau's table
            frame.plot.barh(ax=ax, width=0.8, color=["#4c72b0", "#dd8452"])
            ax.set_title(f"{key.replace('_', ' ')}, {str(closure).replace('_', ' ')}")
            ax.set_xlabel("output change, bn KZT (CGE at benchmark prices)")
            ax.axvline(0, color="black", lw=0.6)
        fig.tight_layout()
        fig.savefig(output / f"{key}_sectors_io_cge.png", dpi=110)
        plt.close(fig)

    # CGE budget revenue by tax, and welfare
    fig, axes = plt.subplots(1, len(results) + 1, figsize=(16, 4.8))
    for ax, (key, ds) in zip(axes, results.items(), strict=False):
        frame = ds["budget_cge_by_tax"].to_pandas().T / 1e6
        frame = frame.loc[frame.abs().max(axis=1) > 1e-3]
        frame.columns = [str(c).replace("_", " ") for c in frame.columns]
        frame.plot.barh(ax=ax, width=0.8)
        ax.set_title(f"{key.replace('_', ' ')}: budget revenue by tax, CGE")
        ax.set_xlabel("change, bn KZT")
        ax.axvline(0, color="black", lw=0.6)
    welfare = pd.DataFrame({k: ds["welfare_ev"].to_series() / 1e6 for k, ds in results.items()}).T
    welfare.columns = [str(c).replace("_", " ") for c in welfare.columns]
    welfare.plot.bar(ax=axes[-1], rot=0)
    axes[-1].set_title("households' equivalent variation, CGE")
    axes[-1].set_ylabel("bn KZT at benchmark prices")
    fig.tight_layout()
    fig.savefig(output / "cge_budget_by_tax_and_welfare.png", dpi=110)
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
