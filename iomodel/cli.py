"""The ``iomodel`` command line.

``iomodel multipliers``
    Ranked multipliers of the priority clusters (or of every product) on the
    shipped Kazakhstan table or a user's Bureau workbook; prints a table or
    CSV and writes a figure.
``iomodel impact SCENARIO.toml``
    Run a scenario file on the shipped table: writes the dataset (netCDF), the
    summary (CSV) and figures to an output folder, and prints the summary.
``iomodel report SCENARIO.toml [OTHER.toml ...]``
    The appraisal report a ministry reads: ``report.html`` (self-contained,
    prints on A4) and ``report.xlsx`` (one sheet per table, units in
    headers, a sources-and-assumptions sheet); several scenarios are set side
    by side.
``iomodel allocate PROBLEM.toml``
    Allocate a budget across candidate cluster projects and zones (LP/MIP with
    HiGHS): writes the plan, shadow prices and solution.
``iomodel build-tables``
    Rebuild the shipped ``tables/`` from the official sources vendored in
    ``tables/sources/`` (``--shared DIR`` for another folder of the same layout).

Every money amount a command writes is in one unit per output folder,
``--unit`` (default million KZT), named in each CSV's header; every CSV has
one header row.

No command replaces a file without ``--force``: every file a command would
write is checked before anything is computed or written, and each is written
to a temporary file renamed into place (:mod:`iomodel.files`), so an
interrupted run leaves no half-written file. Errors never end in a traceback:
bad input and problems of the operating system print one line on standard
error and exit with status 2, an interruption (Ctrl-C) exits with 130, and an
internal error exits with 1 and asks for a report; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from . import datasets, dims, units
from .analysis import Kind, group_multipliers, multipliers
from .economy import HouseholdClosure
from .errors import IOModelError, ReadError
from .files import atomic_write, check_targets
from .impacts import closure_for, economy_of
from .table import IOTable

__all__ = ["main", "multiplier_table"]

_PER_BILLION = {"KZT": 1e9, "thousand KZT": 1e6, "million KZT": 1e3, "billion KZT": 1.0}
_COLUMNS = ["output", "employment", "income", "gva", "budget"]
_FIGURES = ("employment", "gva", "budget")  # the indicators `iomodel impact` draws
_FORCE = "--force"  # how to allow replacing files, quoted in refusals
_UNIT = "million KZT"  # the default money unit of every output folder


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
        Rows = clusters (or products), a ``label`` column with their readable
        names (a cluster's label or the product's name from the table's
        metadata), columns = available indicators, sorted descending by
        ``sort``; ``attrs`` carry units and the parameters.
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
        df.insert(0, "label", [table.meta.sector_name(p) for p in df.index])
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


@contextmanager
def _reading(path: str | os.PathLike[str]) -> Iterator[None]:
    """Report what the operating system or the decoder says of an input file as a ReadError naming it."""
    try:
        yield
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{path}: not a UTF-8 text file (byte {exc.object[exc.start : exc.start + 1].hex()} at position "
            f"{exc.start} cannot be decoded)"
        ) from exc
    except OSError as exc:
        raise ReadError(f"{path}: cannot read ({_os_reason(exc)})") from exc


def _check_outputs(a: argparse.Namespace, folder: Path, names: Sequence[str]) -> None:
    """Refuse, before anything is computed or written, files in the way (unless ``--force``) or an unusable folder."""
    check_targets([folder / n for n in names], overwrite=a.force, hint=_FORCE)


def _write(a: argparse.Namespace, path: Path, write: Callable[[Path], object]) -> None:
    """Write one output file atomically (replacing an existing one only with ``--force``)."""
    atomic_write(path, write, overwrite=a.force, hint=_FORCE)


def _in_unit(df: pd.DataFrame, col_units: dict[str, str], money_unit: str, unit: str) -> pd.DataFrame:
    """Columns in ``unit`` where their unit starts with ``money_unit``; every column's unit in its header."""
    f = units.factor(money_unit, unit)
    out = df.copy()
    rename = {}
    for c, u in col_units.items():
        if c not in out.columns:
            continue
        if u.startswith(money_unit):
            out[c] = out[c] * f
            u = unit + u[len(money_unit) :]
        rename[c] = f"{c} ({u.replace(' (', ', ').replace(')', '')})"
    return out.rename(columns=rename)


def _rates_in_unit(df: pd.DataFrame, money_unit: str, unit: str, column: str = "units", value: str = "shadow_price"):
    """Rates such as shadow prices (``... per million KZT of ...``) restated in ``unit`` on both sides of ``per``."""
    out = df.copy()
    up, down = units.factor(money_unit, unit), units.factor(unit, money_unit)
    texts, values = [], []
    for v, u in zip(out[value], out[column], strict=True):
        num, sep, den = str(u).partition(" per ")
        f = (up if money_unit in num else 1.0) * (down if money_unit in den else 1.0)
        texts.append(num.replace(money_unit, unit) + sep + den.replace(money_unit, unit))
        values.append(float(v) * f)
    out[value], out[column] = values, texts
    return out


def _rows_in_unit(df: pd.DataFrame, unit: str, column: str = "unit") -> pd.DataFrame:
    """Rows whose ``unit`` column is money of the same currency converted to ``unit`` (the column says so)."""
    out = df.copy()
    currency = units.parse(unit)[1]
    for label, u in out[column].items():
        u = str(u)
        if u and units.parse(u)[1] == currency and u != unit:
            f = units.factor(u, unit)
            num = [c for c in out.columns if c != column]
            out.loc[label, num] = out.loc[label, num].astype(float) * f
            out.loc[label, column] = unit
    return out


def _cmd_multipliers(a: argparse.Namespace) -> int:
    out = Path(a.output)
    figure = f"multipliers_{a.by}_{a.kind}.png"
    if not a.no_figure:
        _check_outputs(a, out, [figure])
    if a.table:
        from .io.kazakhstan import read_bns

        with _reading(a.table):
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
    if a.format == "csv":  # one header row: the name of each row and every column's unit
        units_ = df.attrs["units"]
        df.rename(columns={"label": "name", **{c: f"{c} ({units_[c]})" for c in units_ if c in df.columns}}).to_csv(
            sys.stdout
        )
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
        import matplotlib.pyplot as plt

        from . import style
        from .plot import multiplier_bars

        cols = [c for c in _COLUMNS if c in df.columns]
        show = df.set_index("label") if "label" in df.columns else df
        per = "per unit of final demand" + (" for the cluster's products" if a.by == "cluster" else "")
        fig = multiplier_bars(
            show,
            cols,
            title=title,
            highlight=sort,
            units=df.attrs["units"],
            names=table.meta.sector_names,
            note=style.source_note(table.meta, kind=a.kind, notes=[f"multipliers {per}"]),
            top=20,
        )
        try:
            _write(a, out / figure, partial(style.save, fig))
        finally:
            plt.close(fig)
        print(f"figure written to {out / figure}", file=sys.stderr)
    return 0


def _cmd_impact(a: argparse.Namespace) -> int:
    from .fiscal import appraise
    from .report import content
    from .scenarios import Scenario

    out = Path(a.output)
    names = ["impact.nc", "summary.csv", "totals_by_year.csv", "fiscal_by_year.csv"]
    names += ["draws.nc", "intervals.csv"] if a.draws else []
    names += [] if a.no_figure else [f"impact_{ind}.png" for ind in _FIGURES]
    _check_outputs(a, out, names)
    with _reading(a.scenario):
        scenario = Scenario.from_toml(Path(a.scenario))
    table = datasets.kazakhstan(a.year)
    res = appraise(table, scenario)
    res.to_netcdf(out / "impact.nc", overwrite=a.force)
    summary = content.summary(res, a.unit)
    _write(a, out / "summary.csv", summary.to_csv)
    _write(a, out / "totals_by_year.csv", content.totals_by_year(res, a.unit).to_csv)
    _write(a, out / "fiscal_by_year.csv", content.fiscal_by_year(res, a.unit).to_csv)
    shown = summary.copy()
    shown["value"] = [
        f"{v:,.0f}" if u == "year" and v == v else f"{v:,.3f}" if u == "share" else f"{v:,.1f}"
        for v, u in zip(summary["value"], summary["unit"], strict=True)
    ]
    shown["value"] = shown["value"].str.replace(r"^(\d),(\d{3})$", r"\1\2", regex=True)
    with pd.option_context("display.width", 120):
        print(f"{scenario.name} on {table.meta.name} ({scenario.kind}, {a.unit})")
        print(shown.to_string())
    if a.draws:
        _impact_intervals(a, table, scenario, out)
    if not a.no_figure:
        import matplotlib.pyplot as plt

        from . import style

        for ind in _FIGURES:
            if ind in res.impacts.dataset.indicator:
                fig = res.plot(ind, unit=a.unit)
                try:
                    _write(a, out / f"impact_{ind}.png", partial(style.save, fig))
                finally:
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
    _write(a, out / "draws.nc", ds.to_netcdf)
    table_ = sa.summary(ds, level=0.9)
    _write(a, out / "intervals.csv", table_.to_csv)
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


def _cmd_compare(a: argparse.Namespace) -> int:
    from .comparison import compare
    from .scenarios import Scenario

    out = Path(a.output)
    _check_outputs(a, out, ["compare.nc", "compare.csv"])
    scenarios = []
    for path in a.scenarios:
        with _reading(path):
            scenarios.append(Scenario.from_toml(Path(path)))
    table = datasets.kazakhstan(a.year)
    ds = compare(scenarios, table=table, without_package=a.without_package)
    scalars = [str(v) for v in ds.data_vars if ds[v].dims == (dims.SCENARIO,)]
    frame = ds[scalars].to_dataframe()[scalars].T
    frame.insert(0, "unit", [str(ds[v].attrs.get("units", "")) for v in scalars])
    assumptions = pd.DataFrame(
        {k: ds[k].values for k in ("additionality", "displacement", "discount_rate")}, index=frame.columns[1:]
    ).T
    assumptions.insert(0, "unit", "share")
    table_ = _rows_in_unit(pd.concat([frame, assumptions]), a.unit)
    _write(a, out / "compare.csv", table_.to_csv)
    _write(a, out / "compare.nc", ds.to_netcdf)
    shown = table_.copy()
    for c in shown.columns[1:]:
        shown[c] = [
            f"{v:.0f}" if u == "year" else f"{v:,.3f}" if u in ("1", "share") else f"{v:,.1f}"
            for v, u in zip(table_[c].astype(float), table_["unit"], strict=True)
        ]
    with pd.option_context("display.width", 160, "display.max_colwidth", 40):
        print(f"{len(ds[dims.SCENARIO])} scenarios on {table.meta.name}, side by side")
        print(shown.to_string())
    print(f"results written to {out}", file=sys.stderr)
    return 0


def _cmd_report(a: argparse.Namespace) -> int:
    from .fiscal import appraise
    from .report import build_report
    from .report.document import FILES
    from .scenarios import Scenario

    out = Path(a.output)
    _check_outputs(a, out, list(FILES))
    scenarios = []
    for path in a.scenarios:
        with _reading(path):
            scenarios.append(Scenario.from_toml(Path(path)))
    table = datasets.kazakhstan(a.year)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):  # two files of one name: tell them apart by file
        names = [f"{s.name} ({Path(p).name})" for s, p in zip(scenarios, a.scenarios, strict=True)]
    rep = build_report([appraise(table, s) for s in scenarios], names=names, unit=a.unit, figures=not a.no_figure)
    paths = rep.write(out, overwrite=a.force)
    for s in rep.sections:
        h = s.table("headline").frame
        print(s.name)
        for _, r in h.iterrows():
            v = r["value"]
            text = f"{v:.1%}" if r["unit"] == "share" else f"{v:.0f}" if r["unit"] == "year" and v == v else f"{v:,.1f}"
            print(f"  {r['item']}: {text} {r['unit'] if r['unit'] not in ('share', 'year') else ''}".rstrip())
    print(f"report written to {paths['html']} and {paths['xlsx']}", file=sys.stderr)
    return 0


def _cmd_allocate(a: argparse.Namespace) -> int:
    from .optimize.allocation import AllocationProblem

    out = Path(a.output)
    _check_outputs(
        a, out, ["plan.csv", "shadow_prices.csv", "solution.nc"] + ([] if a.no_figure else ["allocation.png"])
    )
    table = datasets.kazakhstan(a.year)
    with _reading(a.problem):
        problem = AllocationProblem.from_toml(a.problem, economy=table.economy)
    res = problem.solve(table)
    plan = res.info["plan"]
    sp_ = res.shadow_prices()
    money = str(plan.attrs["units"]["capex"])  # the problem's money unit
    _write(a, out / "plan.csv", _in_unit(plan, plan.attrs.get("units", {}), money, a.unit).to_csv)
    _write(a, out / "shadow_prices.csv", partial(_rates_in_unit(sp_, money, a.unit).to_csv, index=False))
    _write(a, out / "solution.nc", res.solution().to_netcdf)
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

        from . import style
        from .plot import lp_overview

        fig = lp_overview(res, table=table)
        try:
            _write(a, out / "allocation.png", partial(style.save, fig))
        finally:
            plt.close(fig)
    print(f"results written to {out}", file=sys.stderr)
    return 0


def _cmd_build_tables(a: argparse.Namespace) -> int:
    from .io.kazakhstan import build_kazakhstan, write_kazakhstan

    if a.shared is not None:
        with _reading(a.shared):
            if not Path(a.shared).is_dir():
                raise ReadError(
                    f"{a.shared}: no such folder (--shared names a folder with kz_bns_io_2024/ and kz_satellites/)"
                )
    # write_kazakhstan checks every file it writes before writing any (overwrite: --force)
    out = write_kazakhstan(build_kazakhstan(a.shared, a.year), a.out, overwrite=a.force)
    print(f"wrote {out}")
    return 0


_DEBUG_HELP = "show the full traceback of an error (for a bug report) instead of a one-line message"
_FORCE_HELP = "replace files already in the output folder (by default they are refused, before anything is written)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    ap = argparse.ArgumentParser(prog="iomodel", description="Input-output models of Kazakhstan's economy.")
    ap.add_argument("--debug", action="store_true", help=_DEBUG_HELP)
    # --debug is also accepted after the command (`iomodel impact s.toml --debug`)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP)
    common.add_argument("--force", action="store_true", help=_FORCE_HELP)
    money = argparse.ArgumentParser(add_help=False)
    money.add_argument(
        "--unit",
        default=_UNIT,
        help=f"money unit of every file written, e.g. 'million KZT', 'bn KZT', 'thousand KZT' (default {_UNIT})",
    )
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("multipliers", parents=[common], help="ranked multipliers of the priority clusters")
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
    i = sub.add_parser("impact", parents=[common, money], help="run a scenario file (TOML)")
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
    c = sub.add_parser("compare", parents=[common, money], help="headline figures of scenario files side by side")
    c.add_argument("scenarios", nargs="+", help="scenario files (TOML)")
    c.add_argument(
        "--without-package",
        action="store_true",
        help="add each scenario's counterfactual without its SEZ package (same additionality and displacement)",
    )
    c.add_argument("--year", type=int, default=2024, help="year of the shipped table")
    c.add_argument("--output", default="iomodel-output/compare", help="folder for the results")
    c.set_defaults(func=_cmd_compare)
    r = sub.add_parser(
        "report", parents=[common, money], help="appraisal report (HTML and Excel) of one or more scenario files"
    )
    r.add_argument("scenarios", nargs="+", help="scenario files (TOML); several are set side by side")
    r.add_argument("--year", type=int, default=2024, help="year of the shipped table")
    r.add_argument("--output", default="iomodel-output/report", help="folder for report.html and report.xlsx")
    r.add_argument("--no-figure", action="store_true", help="tables only")
    r.set_defaults(func=_cmd_report)
    al = sub.add_parser(
        "allocate", parents=[common, money], help="allocate a budget across clusters and zones (TOML problem)"
    )
    al.add_argument("problem", help="problem file, see examples/cluster_allocation.toml")
    al.add_argument("--year", type=int, default=2024, help="year of the shipped table")
    al.add_argument("--output", default="iomodel-output/allocate", help="folder for the results")
    al.add_argument("--no-figure", action="store_true")
    al.set_defaults(func=_cmd_allocate)
    b = sub.add_parser(
        "build-tables", parents=[common], help="rebuild tables/ from the official sources (tables/sources)"
    )
    b.add_argument(
        "--shared",
        default=None,
        help="folder with kz_bns_io_2024/ and kz_satellites/ (default: the vendored tables/sources)",
    )
    b.add_argument("--out", default="tables", help="the tables folder to write (default: tables)")
    b.add_argument("--year", type=int, default=2024)
    b.set_defaults(func=_cmd_build_tables)
    return ap


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _one_line(text: str) -> str:
    """A message on one line: its lines joined (``'; '``, or a space after a colon)."""
    out = ""
    for line in (ln.strip() for ln in text.splitlines()):
        if line:
            out += ("" if not out else " " if out.endswith((":", ";", ",")) else "; ") + line
    return out


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, IOModelError):
        files = [str(f) for f in (exc.filename, exc.filename2) if f is not None]
        text = f"{' -> '.join(files)}: {_os_reason(exc)}" if files else str(exc)
    else:
        text = str(exc)
    text = _one_line(text)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``iomodel`` command.

    Returns the exit status: 0 on success; 2 for bad input or a problem of the
    operating system (a missing file, a file in the way, a refusal to replace
    a file without ``--force``), printed as one line on standard error; 130
    when interrupted; 1 for an internal error, with a request to report it.
    With ``--debug`` the exception is raised instead (its traceback shown).
    """
    a = build_parser().parse_args(argv)
    debug = bool(getattr(a, "debug", False))
    try:
        return int(a.func(a))
    except BrokenPipeError:  # the reader closed the pipe (e.g. `| head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        if debug:
            raise
        print("iomodel: interrupted (files already written are complete; none is left half-written)", file=sys.stderr)
        return 130
    except (IOModelError, OSError) as exc:  # bad input, or what the operating system refused
        if debug:
            raise
        print(f"iomodel: error: {_describe(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:
        if debug:
            raise
        print(
            f"iomodel: internal error: {_describe(exc)} (a bug in iomodel: please report it with the traceback "
            "that the same command prints with --debug)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
