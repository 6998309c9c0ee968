"""The ``iomodel`` command line.

``iomodel multipliers``
    Ranked multipliers of the priority clusters (or of every product) on the
    shipped Kazakhstan table or a user's Bureau workbook; prints a table or
    CSV and writes a figure.
``iomodel impact SCENARIO.toml``
    Run a scenario file on the shipped table: writes the dataset (netCDF), the
    summary (CSV) and figures to an output folder, and prints the summary.
``iomodel allocate PROBLEM.toml``
    Allocate a budget across candidate cluster projects and zones (LP/MIP with
    HiGHS): writes the plan, shadow prices and solution.
``iomodel build-tables``
    Rebuild the shipped ``tables/`` from the official sources vendored in
    ``tables/sources/`` (``--shared DIR`` for another folder of the same layout).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import datasets
from .analysis import Kind, group_multipliers, multipliers
from .economy import HouseholdClosure
from .errors import IOModelError
from .impacts import closure_for, economy_of
from .table import IOTable

__all__ = ["main", "multiplier_table"]

_PER_BILLION = {"KZT": 1e9, "thousand KZT": 1e6, "million KZT": 1e3, "billion KZT": 1.0}
_COLUMNS = ["output", "employment", "income", "gva", "budget"]


def multiplier_table(
    table: IOTable,
    *,
    kind: Kind = "type2",
    by: str = "cluster",
    closure: HouseholdClosure | None = None,
    clusters: pd.DataFrame | None = None,
    sort: str = "employment",
) -> pd.DataFrame:
    """The ranked table behind ``iomodel multipliers`` (also used by the studies).

    Employment is expressed in persons per billion of the table's currency
    where the unit is known (``thousand KZT`` -> per 1 bn KZT); monetary
    multipliers per unit of final demand.

    Returns
    -------
    pandas.DataFrame
        Rows = clusters (or products), columns = available indicators, sorted
        descending by ``sort``; ``attrs`` carry units and the parameters.
    """
    m = multipliers(table, kind, closure=closure)
    if by == "cluster":
        w = datasets.cluster_weights(table, clusters)
        g = group_multipliers(m, w)
        df = g.to_pandas().T
        labels = (clusters if clusters is not None else datasets.kazakhstan_clusters()).drop_duplicates("cluster")
        df.insert(0, "label", labels.set_index("cluster")["label"].reindex(df.index).to_numpy())
    elif by == "product":
        df = m.to_pandas().T
    else:
        raise IOModelError(f"unknown grouping {by!r}; valid options are 'cluster', 'product'")
    units = {}
    cols = [c for c in _COLUMNS if c in df.columns]
    if "employment" in cols:
        factor = _PER_BILLION.get(table.meta.unit)
        su = table.meta.satellite_units.get("employment", "persons")
        if factor is not None:
            df["employment"] = df["employment"] * factor
            units["employment"] = f"{su} per 1 bn {table.meta.currency}"
        else:
            units["employment"] = f"{su} per {table.meta.unit}"
    for c in ("output", "income", "gva", "budget"):
        units[c] = f"{table.meta.currency or 'currency'} per {table.meta.currency or 'unit'} of final demand"
    if sort not in cols:
        raise IOModelError(f"cannot sort by {sort!r}; available: {cols}")
    keep = (["label"] if "label" in df.columns else []) + cols
    out = df[keep].sort_values(sort, ascending=False)
    out.index.name = by
    out.attrs = {"units": units, "kind": kind, "table": table.meta.name, **(closure.attrs() if closure else {})}
    return out


def _format_table(df: pd.DataFrame, title: str) -> str:
    show = df.copy()
    num = [c for c in show.columns if c != "label"]
    show[num] = show[num].round({"employment": 1, "output": 3, "income": 3, "gva": 3, "budget": 3})
    show.insert(0, "rank", range(1, len(show) + 1))
    show.columns.name = None
    lines = [title, "=" * len(title), show.to_string()]
    lines.append("")
    for c, u in df.attrs.get("units", {}).items():
        if c in df.columns:
            lines.append(f"  {c}: {u}")
    return "\n".join(lines)


def _cmd_multipliers(a: argparse.Namespace) -> int:
    if a.table:
        from .io.kazakhstan import read_bns

        table = read_bns(a.table)
        closure = HouseholdClosure(mpc=a.mpc if a.mpc is not None else 0.8)
        if a.by == "cluster":
            print(
                "note: your workbook has no employment or calibrated tax accounts; showing what it has", file=sys.stderr
            )
    else:
        table = datasets.kazakhstan(a.year)
        closure = closure_for(economy_of(table), a.mpc)
    kind_closure = closure if a.kind == "type2" else None
    sort = a.sort if a.sort != "employment" or "employment" in table.satellites.index else "output"
    df = multiplier_table(table, kind=a.kind, by=a.by, closure=kind_closure, sort=sort)
    label = {"type1": "Type I", "type2": "Type II"}[a.kind]
    title = f"{table.meta.name}: {label} multipliers by {a.by}, ranked by {sort}"
    if a.format == "csv":
        df.to_csv(sys.stdout)
    else:
        print(_format_table(df, title))
        if a.kind == "type2" and closure.mpc is not None:
            taxes = ", ".join(f"{k} {v:.4f}" for k, v in closure.consumption_taxes.items()) or "none"
            print(
                f"\n  Type II closure: mpc {closure.mpc}, income tax and employee contributions "
                f"{closure.deductions:.4f}, product taxes on consumption {taxes} "
                "(leakage-consistent, docs/math.md)"
            )
    if not a.no_figure:
        from .plot import multiplier_bars

        out = Path(a.output)
        out.mkdir(parents=True, exist_ok=True)
        cols = [c for c in _COLUMNS if c in df.columns]
        show = df.set_index("label") if "label" in df.columns else df
        fig = multiplier_bars(
            show, cols, titles={c: f"{c}\n({df.attrs['units'][c]})" for c in cols}, title=title, highlight=sort
        )
        path = out / f"multipliers_{a.by}_{a.kind}.png"
        fig.savefig(path, dpi=130)
        print(f"figure written to {path}", file=sys.stderr)
    return 0


def _cmd_impact(a: argparse.Namespace) -> int:
    from .fiscal import appraise
    from .scenarios import Scenario

    scenario = Scenario.from_toml(Path(a.scenario))
    table = datasets.kazakhstan(a.year)
    res = appraise(table, scenario)
    out = Path(a.output)
    out.mkdir(parents=True, exist_ok=True)
    res.to_netcdf(str(out / "impact.nc"))
    summary = res.summary()
    summary.to_csv(out / "summary.csv")
    res.impacts.totals().to_csv(out / "totals_by_year.csv")
    res.fiscal[
        ["revenue_gained", "revenue_collected", "state_costs", "nfe", "nfe_cumulative", "nfe_discounted_cumulative"]
    ].to_dataframe().to_csv(out / "fiscal_by_year.csv")
    shown = summary.copy()
    shown["value"] = [
        f"{v:,.0f}" if u == "year" and v == v else f"{v:,.3f}" if u == "share" else f"{v:,.1f}"
        for v, u in zip(summary["value"], summary["unit"], strict=True)
    ]
    shown["value"] = shown["value"].str.replace(r"^(\d),(\d{3})$", r"\1\2", regex=True)
    with pd.option_context("display.width", 120):
        print(f"{scenario.name} on {table.meta.name} ({scenario.kind}, {res.impacts.unit})")
        print(shown.to_string())
    if a.draws:
        _impact_intervals(a, table, scenario, out)
    if not a.no_figure:
        import matplotlib.pyplot as plt

        for ind in ("employment", "gva", "budget"):
            if ind in res.impacts.dataset.indicator:
                fig = res.plot(ind)
                fig.savefig(out / f"impact_{ind}.png", dpi=120)
                plt.close(fig)
    print(f"results written to {out}", file=sys.stderr)
    return 0


def _impact_intervals(a: argparse.Namespace, table: Any, scenario: Any, out: Path) -> None:
    """``--draws``: Monte Carlo intervals of the headline results under uncertain coefficients."""
    from . import sensitivity as sa

    coefficients = [sa.LognormalCoefficients(cv=a.cv), sa.SatelliteCoefficients(cv=a.cv), sa.TaxCoefficients(cv=a.cv)]
    ds = sa.monte_carlo(
        sa.ScenarioOutcome(scenario), table, draws=a.draws, coefficients=coefficients, seed=a.seed, progress=None
    )
    ds.to_netcdf(out / "draws.nc")
    table_ = sa.summary(ds, level=0.9)
    table_.to_csv(out / "intervals.csv")
    end = scenario.years[1]
    p = float(sa.exceedance(ds["payback_year"], end, below=True))
    shown = table_[["p5", "p50", "p95", "units"]].copy()
    for c in ("p5", "p50", "p95"):
        shown[c] = [
            f"{v:.0f}" if u == "year" else f"{v:,.3f}" if u == "1" else f"{v:,.1f}"
            for v, u in zip(table_[c], table_["units"], strict=True)
        ]
    print(
        f"\n90% intervals over {a.draws} draws (seed {ds.attrs['seed']}): technical, satellite and tax "
        f"coefficients lognormal with CV {a.cv:g} (column sums kept); scenario assumptions as in the file"
    )
    with pd.option_context("display.width", 120):
        print(shown.to_string())
    print(f"probability of payback by {end}: {p:.0%}")


def _cmd_allocate(a: argparse.Namespace) -> int:
    from .optimize.allocation import AllocationProblem

    table = datasets.kazakhstan(a.year)
    problem = AllocationProblem.from_toml(a.problem, economy=table.economy)
    res = problem.solve(table)
    out = Path(a.output)
    out.mkdir(parents=True, exist_ok=True)
    plan = res.info["plan"]
    plan.to_csv(out / "plan.csv")
    res.shadow_prices().to_csv(out / "shadow_prices.csv", index=False)
    res.solution().to_netcdf(out / "solution.nc")
    sp_ = res.shadow_prices()
    key = sp_[
        sp_["constraint"].isin(["budget", "imports"])
        | ((sp_["constraint"] == "labour") & (sp_["shadow_price"].abs() > 1e-9))
    ]
    with pd.option_context("display.float_format", "{:,.4g}".format, "display.width", 140):
        print(f"{problem.name}: {res.status}, objective {res.objective:,.1f} {res.units.get('objective', '')}")
        print(plan[plan["level"] > 1e-9].to_string())
        print("\nshadow prices:")
        print(key.to_string(index=False))
    if not a.no_figure:
        import matplotlib.pyplot as plt

        fig = res.plot()
        fig.savefig(out / "allocation.png", dpi=110)
        plt.close(fig)
    print(f"results written to {out}", file=sys.stderr)
    return 0


def _cmd_build_tables(a: argparse.Namespace) -> int:
    from .io.kazakhstan import build_kazakhstan, write_kazakhstan

    out = write_kazakhstan(build_kazakhstan(a.shared, a.year), a.out)
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    ap = argparse.ArgumentParser(prog="iomodel", description="Input-output models of Kazakhstan's economy.")
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("multipliers", help="ranked multipliers of the priority clusters")
    m.add_argument("--kind", choices=["type1", "type2"], default="type2")
    m.add_argument("--by", choices=["cluster", "product"], default="cluster")
    m.add_argument("--sort", choices=_COLUMNS, default="employment")
    m.add_argument("--format", choices=["table", "csv"], default="table")
    m.add_argument("--table", help="a Bureau input-output workbook (.xlsx) instead of the shipped table")
    m.add_argument("--year", type=int, default=2024, help="year of the shipped table")
    m.add_argument(
        "--mpc",
        type=float,
        default=None,
        help="marginal propensity to consume of the Type II closure (default: the economy's, an assumption)",
    )
    m.add_argument("--output", default="iomodel-output", help="folder for the figure")
    m.add_argument("--no-figure", action="store_true")
    m.set_defaults(func=_cmd_multipliers)
    i = sub.add_parser("impact", help="run a scenario file (TOML)")
    i.add_argument("scenario", help="scenario file, see iomodel.Scenario.to_toml")
    i.add_argument("--year", type=int, default=2024, help="year of the shipped table")
    i.add_argument("--output", default="iomodel-output/impact", help="folder for the results")
    i.add_argument("--no-figure", action="store_true")
    i.add_argument(
        "--draws", type=int, default=0, help="Monte Carlo draws for 90%% intervals of the summary (default 0: none)"
    )
    i.add_argument("--seed", type=int, default=None, help="seed of the draws (default: fresh, printed)")
    i.add_argument(
        "--cv",
        type=float,
        default=0.1,
        help="coefficient of variation of the technical, satellite and tax coefficients in the draws (assumption, "
        "default 0.1)",
    )
    i.set_defaults(func=_cmd_impact)
    al = sub.add_parser("allocate", help="allocate a budget across clusters and zones (TOML problem)")
    al.add_argument("problem", help="problem file, see examples/cluster_allocation.toml")
    al.add_argument("--year", type=int, default=2024, help="year of the shipped table")
    al.add_argument("--output", default="iomodel-output/allocate", help="folder for the results")
    al.add_argument("--no-figure", action="store_true")
    al.set_defaults(func=_cmd_allocate)
    b = sub.add_parser("build-tables", help="rebuild tables/ from the official sources (tables/sources)")
    b.add_argument(
        "--shared",
        default=None,
        help="folder with kz_bns_io_2024/ and kz_satellites/ (default: the vendored tables/sources)",
    )
    b.add_argument("--out", default="tables")
    b.add_argument("--year", type=int, default=2024)
    b.set_defaults(func=_cmd_build_tables)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``iomodel`` command."""
    a = build_parser().parse_args(argv)
    try:
        return int(a.func(a))
    except IOModelError as exc:
        print(f"iomodel: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader closed the pipe (e.g. `| head`): stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
