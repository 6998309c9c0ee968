"""Standard figures (matplotlib), in the style of :mod:`iomodel.style`. Each function returns the Figure.

Every figure is A4 text width (6.3 in) across, labels each axis with its
quantity and unit, shows names rather than ids (sectors and taxes from the
table's metadata, :attr:`iomodel.TableMeta.sector_names` and
:attr:`~iomodel.TableMeta.tax_names`), uses thousands separators, and carries
a source/notes line at its foot (table edition, Type I/II, prices, source);
save it with :func:`iomodel.style.save` (200 dpi). docs/figures.md shows them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from . import dims, style, units
from .errors import LabelError, ValidationError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "INDICATORS",
    "MULTIPLIERS",
    "PARAMETERS",
    "QUANTITIES",
    "budget_levels",
    "fan_chart",
    "impact_overview",
    "lp_names",
    "lp_overview",
    "multiplier_bars",
    "nfe_histogram",
    "pareto",
    "tornado_chart",
]

#: Readable names of the indicators of an impact result (a tax indicator ``tax:<id>`` takes the tax's name).
INDICATORS = {
    "output": "output",
    "income": "labour income",
    "gva": "gross value added",
    "employment": "employment",
    "budget": "budget revenue",
}
#: Longer names of indicators for titles, where the axis name leaves something out.
_TITLES = {"budget": "budget revenue at the table's effective tax rates"}
#: Readable names of the multipliers of ``iomodel multipliers`` (columns of :func:`iomodel.cli.multiplier_table`).
MULTIPLIERS = {
    "output": "output",
    "employment": "employment",
    "income": "labour income",
    "gva": "gross value added",
    "budget": "budget revenue",
}
#: Readable names of the parameters of :class:`iomodel.sensitivity.ScenarioOutcome` (tornado charts).
PARAMETERS = {
    "additionality": "additionality",
    "displacement": "displacement",
    "discount_rate": "discount rate",
    "output_scale": "plant output relative to plan",
    "capex_scale": "capital expenditure relative to plan",
    "mpc": "marginal propensity to consume",
}
#: Readable names of the objectives of an allocation (:func:`pareto`): quantity and unit where the unit is fixed.
_OBJECTIVES = {
    "employment": ("attributable jobs", "average a year"),
    "gva": ("attributable gross value added", None),
    "nfe": ("net fiscal effect, NPV", None),
}
#: Readable names of the constraint blocks of an allocation problem (:func:`lp_overview`).
_CONSTRAINTS = {
    "budget": "incentive budget",
    "labour": "labour",
    "capacity": "capacity",
    "imports": "imports",
    "balance": "product balance",
    "cluster_capex": "capital expenditure of a cluster",
    "epsilon": "floor on the second objective",
}


def _readable(label: Any, names: Mapping[str, str] | None = None) -> str:
    """A readable name: the mapping's, else the label with underscores as spaces."""
    text = str(label)
    return (names or {}).get(text, text.replace("_", " "))


def _tax_names(attrs: Mapping[str, Any]) -> dict[str, str]:
    """Readable names of taxes in a result's attrs (``tax_names``, JSON); empty if absent."""
    text = attrs.get("tax_names")
    if not text:
        return {}
    try:
        names = json.loads(str(text))
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}


def _indicator_name(indicator: str, tax_names: Mapping[str, str]) -> str:
    if indicator.startswith("tax:"):
        tax = indicator.removeprefix("tax:")
        return tax_names.get(tax, tax.replace("_", " "))
    return INDICATORS.get(indicator, indicator.replace("_", " "))


def _cap(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}"


def _year_axis(ax: Axes) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    style.thousands(ax.xaxis, group=False)
    ax.set_xlabel("year")


def multiplier_bars(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    titles: Mapping[str, str] | None = None,
    title: str = "",
    highlight: str | None = None,
    units: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    note: str | None = None,
    top: int | None = None,
) -> Figure:
    """Horizontal bar panels, one per multiplier column, rows ranked as given.

    Panels stand three to a row at A4 width, the rows' names on the left of
    each row of panels (shortened to 40 characters); every panel's x axis
    reads ``"quantity (unit)"``.

    Parameters
    ----------
    table
        Rows = clusters or sectors, columns = indicators.
    columns
        Which columns to draw, one panel each.
    titles
        Panel titles by column (default :data:`MULTIPLIERS`, else the column).
    title
        Figure title.
    highlight
        Column whose ranking orders the rows (top = largest).
    units
        Unit of each column (default ``table.attrs["units"]``, as
        :func:`iomodel.cli.multiplier_table` sets it).
    names
        Readable names of the rows by label (e.g. the table's
        :attr:`~iomodel.TableMeta.sector_names`); default the labels.
    note
        Source/notes line (:func:`iomodel.style.source_note`).
    top
        Draw only this many rows, the largest by ``highlight`` (the note
        says how many of how many); default all.

    Examples
    --------
    >>> df = pd.DataFrame({"output": [1.5, 1.2], "jobs": [40.0, 90.0]}, index=["a", "b"])
    >>> fig = multiplier_bars(df, ["output", "jobs"], highlight="jobs", units={"output": "KZT per KZT",
    ...                       "jobs": "persons per 1 bn KZT"}, names={"a": "Agriculture"})
    >>> [ax.get_xlabel() for ax in fig.axes], [t.get_text() for t in fig.axes[0].get_yticklabels()]
    (['output (KZT per KZT)', 'jobs (persons per 1 bn KZT)'], ['Agriculture', 'b'])
    """
    data = table.sort_values(highlight, ascending=True) if highlight else table.iloc[::-1]
    units = dict(units if units is not None else table.attrs.get("units", {}))
    if top is not None and len(data) > top:
        by = f" {MULTIPLIERS.get(highlight, highlight)} multipliers" if highlight else ""
        shown = f"Shown: the {top} of {len(data)} with the largest{by}."
        note = f"{note} {shown}" if note else shown
        data = data.iloc[len(data) - top :]
    n = len(columns)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    labels = [style.name_of(i, names) for i in data.index]
    panel = 0.15 * len(data) + 0.95
    with style.figure_style():
        fig, axes = style.new_figure("a4", nrows * panel + 0.4, nrows=nrows, ncols=ncols, sharey=True)
        y = np.arange(len(data))
        for k, ax in enumerate(axes.flat):
            if k >= n:
                ax.set_visible(False)
                continue
            col = columns[k]
            quantity = MULTIPLIERS.get(col, col.replace("_", " "))
            ax.barh(y, data[col].to_numpy(dtype=float), color=style.COLORS["accent" if col == highlight else "bar"])
            ax.set_yticks(y, labels)
            ax.set_title((titles or {}).get(col, _cap(quantity)))
            ax.set_xlabel(style.axis_label(quantity, units.get(col)))
            ax.grid(axis="x")
            ax.set_axisbelow(True)
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
            style.thousands(ax.xaxis)
        if title:
            fig.suptitle(title)
        style.finish(fig, note=note)
    return fig


def impact_overview(
    result: Any, indicator: str = "employment", *, fiscal: Any = None, note: str | None = None, unit: str | None = None
):
    """An indicator by year and effect in each phase, and (with ``fiscal``) the net fiscal effect.

    Two panels side by side (construction, operation), stacked bars of the
    direct, indirect and induced effects summed over sectors and investments;
    with ``fiscal`` a third panel below, the net fiscal effect by year (gain
    or loss) and its discounted cumulative sum. The foot names the table,
    Type I/II, the prices and the source, and that impacts are gross.

    Parameters
    ----------
    result
        An :class:`iomodel.ImpactResult`.
    indicator
        Indicator to draw (e.g. ``"employment"``, ``"gva"``, ``"budget"``,
        ``"tax:CIT"``); a tax is named by the table's
        :attr:`~iomodel.TableMeta.tax_names`.
    fiscal
        Fiscal accounts (:func:`iomodel.fiscal.fiscal_accounts`) for a third panel.
    note
        Source/notes line; default built from the result's attributes.
    unit
        Money unit of the axes (e.g. ``"bn KZT"``); default the scenario's.

    Raises
    ------
    LabelError
        ``indicator`` is not one of the result's (the message lists them).

    Examples
    --------
    >>> import iomodel as iom
    >>> inv = iom.ClusterInvestment(name="plant", cluster="machine_building",
    ...                             capex={2026: 20_000.0}, output={2027: 15_000.0})
    >>> res = iom.impact(iom.datasets.kazakhstan(), iom.Scenario(name="demo", investments=(inv,),
    ...                  years=(2026, 2030), unit="million KZT"))
    >>> fig = impact_overview(res, "tax:rent_tax_on_export_oil")
    >>> " ".join(fig.axes[0].get_ylabel().split())   # wrapped to the height of the axes
    'Rent tax on export of crude oil (million KZT)'
    """
    unit_ = unit
    ds = result.dataset
    names = [str(i) for i in ds[dims.INDICATOR].values]
    if indicator not in names:
        raise LabelError(f"unknown indicator {indicator!r}; valid options are {names}")
    imp = ds["impact"].sum([dims.SECTOR, dims.INVESTMENT]).sel({dims.INDICATOR: indicator})
    unit = str(ds["units"].sel({dims.INDICATOR: indicator}).values)
    money = unit == ds.attrs.get("table_unit")
    money_unit = result.unit if unit_ is None else unit_
    scale = units.factor(str(ds.attrs["table_unit"]), money_unit) if money else 1.0
    unit = money_unit if money else unit
    quantity = _indicator_name(indicator, _tax_names(ds.attrs))
    years = np.asarray(imp[dims.YEAR].values)
    effects = [e for e in ("direct", "indirect", "induced") if e != "induced" or bool(imp.sel(effect=e).any())]
    with style.figure_style():
        if fiscal is None:
            fig, grid = style.new_figure("a4", 2.7, nrows=1, ncols=2)
            axes = list(grid.flat)
        else:
            fig, grid = style.new_figure("a4", 5.2, nrows=2, ncols=2)
            gs = grid[1, 0].get_gridspec()
            grid[1, 0].remove()
            grid[1, 1].remove()
            axes = [grid[0, 0], grid[0, 1], fig.add_subplot(gs[1, :])]
        for ax, phase in zip(axes[:2], ("construction", "operation"), strict=True):
            bottom = np.zeros(len(years))
            for eff in effects:
                v = imp.sel(phase=phase, effect=eff).values * scale
                ax.bar(years, v, bottom=bottom, color=style.COLORS[eff], label=eff, width=0.8)
                bottom = bottom + v
            if indicator == "employment":
                what = "job-years" if phase == "construction" else "jobs in each year"
            else:
                what = unit
            ax.set_title(_cap(phase))
            ax.set_ylabel(style.axis_label(_cap(quantity) if quantity[:1].isupper() else quantity, what))
            ax.grid(axis="y")
            ax.set_axisbelow(True)
            _year_axis(ax)
            style.thousands(ax.yaxis)
        axes[0].legend(loc="best")
        notes = ["impacts gross (before additionality and displacement), summed over sectors and investments"]
        if fiscal is not None:
            f = fiscal
            ax = axes[2]
            f_scale = units.factor(str(f.attrs["unit"]), money_unit)
            nfe = np.asarray(f["nfe"].values, dtype=float) * f_scale
            colors = [style.COLORS["positive"] if v >= 0 else style.COLORS["negative"] for v in nfe]
            ax.bar(f["year"].values, nfe, color=colors, width=0.8)
            rate = f.attrs.get("discount_rate")
            rate_text = f" at {float(rate):.0%}" if rate is not None else ""
            ax.plot(
                f["year"].values,
                f["nfe_discounted_cumulative"].values * f_scale,
                color=style.COLORS["line"],
                lw=1.5,
                label=f"cumulative, discounted{rate_text}",
            )
            ax.axhline(0, color=style.COLORS["reference"], lw=0.8)
            from matplotlib.patches import Patch

            handles = [
                Patch(color=style.COLORS["positive"], label="net gain in the year"),
                Patch(color=style.COLORS["negative"], label="net loss in the year"),
                *ax.get_legend_handles_labels()[0],
            ]
            style.legend_below(ax, handles=handles)
            ax.set_title("Net fiscal effect for the budget")
            ax.set_ylabel(style.axis_label("net fiscal effect", money_unit))
            ax.grid(axis="y")
            ax.set_axisbelow(True)
            _year_axis(ax)
            style.thousands(ax.yaxis)
            a, d = f.attrs.get("additionality"), f.attrs.get("displacement")
            if a is not None and d is not None:
                notes.append(
                    f"net fiscal effect with additionality {float(a):.0%} and displacement {float(d):.0%}"
                    + (f", discounted{rate_text}" if rate_text else "")
                )
        fig.suptitle(f"{result.scenario.name}: {_TITLES.get(indicator, quantity)} by year and effect")
        if note is None:
            note = style.source_note(ds.attrs, notes=notes)
        style.finish(fig, note=note)
    return fig


def lp_names(result: Any, table: Any = None, economy: Any = None) -> dict[str, str]:
    """Readable names of the labels of an allocation's result: projects, sectors, clusters.

    A project ``cluster@zone`` reads its cluster's label above its zone's
    name, on two lines (from the coordinates ``cluster`` and ``zone`` of its ``level`` and the
    economy's clusters and zones), a sector its name in the table's metadata,
    a cluster its label.

    Parameters
    ----------
    result
        An :class:`iomodel.optimize.LPResult` (of an allocation, or any).
    table
        The table it ran on (sector names; its economy by default).
    economy
        The :class:`~iomodel.Economy` (cluster labels, zone names).
    """
    names: dict[str, str] = {}
    if table is not None:
        names.update(table.meta.sector_names)
        economy = economy if economy is not None else table.economy
    clusters = {str(k): v.label or str(k) for k, v in economy.clusters.items()} if economy is not None else {}
    # a zone by its name without the parenthesis (abbreviation, local name, status): "Seaport Aktau"
    zones = (
        {str(k): re.sub(r"\s*\(.*\)\s*$", "", v.name) or str(k) for k, v in economy.zones.items()}
        if economy is not None
        else {}
    )
    names.update(clusters)
    if "level" in getattr(result, "primal", {}):
        level = result.value("level")
        if "cluster" in level.coords and "zone" in level.coords:
            for p, c, z in zip(level[level.dims[0]].values, level["cluster"].values, level["zone"].values, strict=True):
                names[str(p)] = f"{_label(c, clusters)}\n{_label(z, zones)}"
    return names


def _label(label: Any, names: Mapping[str, str]) -> str:
    """A label's name, else the label read aloud: ``cluster@zone`` as "cluster, zone", underscores as spaces."""
    text = str(label)
    if text in names:
        return names[text]
    return text.replace("@", ", ").replace("_", " ")


def lp_overview(
    result: Any,
    block: str = "level",
    top: int = 12,
    *,
    table: Any = None,
    economy: Any = None,
    names: Mapping[str, str] | None = None,
    note: str | None = None,
) -> Figure:
    """A variable block's values, then the largest shadow prices, one panel per unit.

    Shadow prices of different units (jobs per worker, jobs per million KZT
    of budget, ...) never share an axis: each unit has its own panel, its
    unit on the x axis. Labels are names (:func:`lp_names`), not ids.

    Parameters
    ----------
    result
        An :class:`iomodel.optimize.LPResult`.
    block
        Variable block to draw (default ``"level"``: project levels of an allocation).
    top
        How many non-zero shadow prices to show (the largest in absolute value).
    table
        The table the problem ran on: names of sectors, clusters and zones,
        and the source line.
    economy
        The economy (cluster labels, zone names); default the table's.
    names
        Further readable names by label (they take precedence).
    note
        Source/notes line; default from ``table``.
    """
    v = result.value(block)
    shown = {**lp_names(result, table, economy), **(names or {})}
    total = v.size
    nonzero = np.abs(np.asarray(v.values, dtype=float)) > 1e-9
    if total > 12 and nonzero.any() and not nonzero.all():  # a long block: what the solution uses
        v = v[nonzero]
    labels = [style.short_name(_label(i, shown)) for i in v[v.dims[0]].values]
    lines = max((lab.count("\n") + 1 for lab in labels), default=1)
    sp_ = result.shadow_prices()
    sp_ = sp_[(sp_["shadow_price"].abs() > 1e-9) & (sp_["constraint"] != "balance")]
    sp_ = sp_.reindex(sp_["shadow_price"].abs().sort_values(ascending=False).index).head(top)
    groups = list(dict.fromkeys(sp_["units"]))
    sizes = [len(labels) * lines] + [int((sp_["units"] == u).sum()) for u in groups]
    heights = [0.19 * k + 1.0 for k in sizes]
    objective_units = result.units.get("objective", "")
    with style.figure_style():
        fig, grid = style.new_figure(
            "a4", sum(heights) + 0.4, nrows=len(sizes), ncols=1, gridspec_kw={"height_ratios": [k + 1 for k in sizes]}
        )
        axes = list(grid.flat)
        ax = axes[0]
        y = np.arange(len(labels))
        ax.barh(y, v.values[::-1], color=style.COLORS["bar"])
        ax.set_yticks(y, labels[::-1])
        what = _readable(block, {"level": "level of each project"})
        ax.set_title(f"Solution: {what}" + (f", the {v.size} of {total} not zero" if v.size < total else ""))
        ax.set_xlabel(style.axis_label(_readable(block), result.units.get(block, "")))
        style.thousands(ax.xaxis)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        for ax, unit in zip(axes[1:], groups, strict=True):
            rows = sp_[sp_["units"] == unit]
            blocks = list(dict.fromkeys(rows["constraint"]))
            row_names = [
                (f"{_readable(c, _CONSTRAINTS)}: " if len(blocks) > 1 else "")
                + (_readable(c, _CONSTRAINTS) if str(lab) == str(c) else style.short_name(_label(lab, shown)))
                for c, lab in zip(rows["constraint"], rows["label"], strict=True)
            ]
            y = np.arange(len(rows))
            ax.barh(y, rows["shadow_price"].to_numpy()[::-1], color=style.COLORS["accent"])
            ax.set_yticks(y, row_names[::-1])
            ax.axvline(0, color=style.COLORS["reference"], lw=0.8)
            what = " and ".join(_readable(c, _CONSTRAINTS) for c in blocks)
            ax.set_title(f"Shadow price of {what}")
            ax.set_xlabel(style.axis_label("shadow price", unit))
            style.thousands(ax.xaxis)
            ax.grid(axis="x")
            ax.set_axisbelow(True)
        fig.suptitle(
            f"{result.info.get('problem', '') or 'Linear program'}: objective {style.number(result.objective)} "
            f"{objective_units}".strip()
        )
        if note is None and table is not None:
            note = style.source_note(
                table.meta, notes=["shadow price: change of the objective per unit more of the constraint's limit"]
            )
        style.finish(fig, note=note)
    return fig


def pareto(front: xr.Dataset, *, annotate_rate: bool = True, note: str | None = None) -> Figure:
    """Figure of a two-objective Pareto front from :func:`iomodel.optimize.pareto_front`.

    Parameters
    ----------
    front
        The front: the two objectives over ``point``, ``tradeoff_rate``, and
        the attributes ``maximised``, ``constrained`` and ``unit``.
    annotate_rate
        Write each point's trade-off rate next to it.
    note
        Source/notes line; default from the front's attributes.
    """
    f1, f2 = str(front.attrs["maximised"]), str(front.attrs["constrained"])
    unit = front.attrs.get("unit", "")

    def label(f: str) -> str:
        quantity, fixed = _OBJECTIVES.get(f, (f.replace("_", " "), None))
        return style.axis_label(quantity, fixed or (unit if f != "employment" else front[f].attrs.get("units")))

    x, y = np.asarray(front[f2].values, dtype=float), np.asarray(front[f1].values, dtype=float)
    with style.figure_style():
        fig, grid = style.new_figure("a4", 3.6)
        ax = grid[0, 0]
        ax.plot(x, y, "o-", color=style.COLORS["bar"], ms=4)
        rates = []
        if annotate_rate:
            for x_, y_, r in zip(x, y, front["tradeoff_rate"].values, strict=True):
                rates.append(ax.annotate(style.number(float(r)), (x_, y_), xytext=(4, 3), textcoords="offset points"))
        ax.set_xlabel(label(f2))
        ax.set_ylabel(label(f1))
        style.thousands(ax.xaxis, ax.yaxis)
        ax.grid()
        ax.set_axisbelow(True)
        q1, q2 = _OBJECTIVES.get(f1, (f1,))[0], _OBJECTIVES.get(f2, (f2,))[0]
        ax.set_title(f"Trade-off between {q1} and {q2}")
        if note is None:
            notes = [f"numbers at the points: trade-off rate, {q1} per unit of {q2}"] if annotate_rate else []
            note = style.source_note(front.attrs, notes=notes)
        style.finish(fig, note=note)
        style.separate(fig, rates)
    return fig


def budget_levels(levels: xr.Dataset, *, unit: str | None = None, note: str | None = None) -> Figure:
    """Net revenue over the horizon by level of budget (gained less forgone), the zone costs apart.

    Parameters
    ----------
    levels
        The result of :func:`iomodel.fiscal.by_budget_level`.
    unit
        Money unit of the axis; default the accounts'.
    note
        Source/notes line; default from the levels' attributes.

    Examples
    --------
    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> ap = iom.appraise(kz, iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml"))
    >>> fig = budget_levels(iom.fiscal.by_budget_level(ap.fiscal, kz.economy), unit="bn KZT")
    >>> fig.axes[0].get_xlabel()
    'net revenue over the horizon (bn KZT)'
    >>> "Republican budget" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    True
    >>> style.audit(fig)
    []
    """
    out_unit = unit or str(levels.attrs["unit"])
    f = units.factor(str(levels.attrs["unit"]), out_unit)
    names = [str(v) for v in levels["budget_level_name"].values]
    net = levels["net"].sum(dims.YEAR).values * f
    costs = float(levels["state_costs"].sum()) * f
    if costs:
        names, net = [*names, "State zone costs (not attributed)"], np.append(net, -costs)
    with style.figure_style():
        fig, grid = style.new_figure("a4", 0.42 * len(names) + 1.3)
        ax = grid[0, 0]
        y = np.arange(len(names))[::-1]
        colours = [style.COLORS["positive"] if v >= 0 else style.COLORS["negative"] for v in net]
        ax.barh(y, net, color=colours, height=0.6)
        ax.set_yticks(y, [style.short_name(n) for n in names])
        ax.axvline(0.0, color=style.COLORS["reference"], lw=0.8)
        ax.set_xlabel(style.axis_label("net revenue over the horizon", out_unit))
        style.thousands(ax.xaxis)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        ax.set_title("Net revenue by level of budget")
        if note is None:
            a = levels.attrs
            notes = ["revenue gained less revenue forgone, summed over the horizon"]
            if a.get("additionality") is not None:
                notes.append(
                    f"additionality {float(a['additionality']):.0%}, displacement {float(a['displacement']):.0%}"
                )
            note = style.source_note(a, notes=notes)
        style.finish(fig, note=note)
    return fig


# --------------------------------------------------------------------------- sensitivity figures
#: Axis names of the variables of :class:`iomodel.sensitivity.ScenarioOutcome`; a ``long_name`` attr wins.
QUANTITIES = {
    "npv": "net fiscal effect, NPV",
    "nfe": "net fiscal effect",
    "nfe_cumulative": "cumulative net fiscal effect",
    "payback_year": "payback year",
    "break_even_additionality": "break-even additionality",
    "revenue_forgone": "revenue forgone, PV",
    "construction_job_years": "construction employment",
    "operation_jobs_peak": "operation jobs, peak year",
    "jobs": "employment",
    "gva": "gross value added",
    "gva_total": "gross value added, total",
}


def _quantity(name: Any, attrs: Mapping[str, Any] | None = None) -> str:
    """Readable name of a variable: its ``long_name`` attr, else :data:`QUANTITIES`, else the name."""
    long_name = (attrs or {}).get("long_name")
    if long_name:
        return str(long_name)
    key = "value" if name is None else str(name)
    return QUANTITIES.get(key, key.replace("_", " "))


def _is_year(unit: Any) -> bool:
    """Whether values in ``unit`` are calendar years (no thousands separators on them)."""
    return unit is not None and str(unit).strip().lower() in ("year", "years", "calendar year")


def _percent(p: float) -> str:
    """A probability in percent, one decimal, more when one would round it to exactly 0% or 100%."""
    for d in range(1, 5):
        text = f"{p:.{d}%}"
        if p in (0.0, 1.0) or float(text.rstrip("%")) not in (0.0, 100.0):
            return text
    return text


def tornado_chart(tornado_ds: xr.Dataset, output: str | None = None, *, note: str | None = None) -> Figure:
    """Tornado diagram of one output of :func:`iomodel.sensitivity.tornado`.

    Each parameter is a horizontal pair of bars starting at the output's base
    value: one to the output with the parameter at its low value, one to the
    output at its high value (the others at their base values). Parameters
    are sorted by the swing ``|high - low|`` of this output, the largest on
    top; each label shows the parameter's low and high value. A NaN output
    (e.g. no payback within the horizon) draws no bar and sorts last.
    Parameters are named by :data:`PARAMETERS` where they are known.

    Parameters
    ----------
    tornado_ds
        The Dataset of :func:`iomodel.sensitivity.tornado`: ``low``, ``high``
        over ``(indicator, parameter)``, ``base`` over ``indicator``, the
        coordinates ``low_value``, ``high_value`` along ``parameter`` and
        ``units`` along ``indicator``.
    output
        The output (an ``indicator`` of the Dataset) to draw; default the first.
    note
        Source/notes line; default from the Dataset's attributes (the table's).

    Returns
    -------
    matplotlib.figure.Figure
        One axis: the output (with its unit) across, the parameters down.

    Raises
    ------
    ValidationError
        Not a Dataset of :func:`~iomodel.sensitivity.tornado` (a variable or
        dimension is missing).
    LabelError
        ``output`` is not one of the Dataset's outputs (the message lists them).

    Examples
    --------
    >>> import xarray as xr
    >>> import iomodel as iom
    >>> from iomodel import sensitivity as sa
    >>> def npv(table, rate=0.05, growth=0.0):
    ...     v = sum(100 * (1 + growth) ** k / (1 + rate) ** k for k in range(10))
    ...     return xr.Dataset({"npv": ((), v, {"units": "million KZT"})})
    >>> tn = sa.tornado(npv, iom.datasets.miller_blair(), {"rate": (0.03, 0.08), "growth": (-0.01, 0.01)},
    ...                 base={"rate": 0.05, "growth": 0.0})
    >>> fig = tornado_chart(tn)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]   # top to bottom: the largest swing first
    ['rate (low 0.03, high 0.08)', 'growth (low -0.01, high 0.01)']
    >>> fig.axes[0].get_xlabel()
    'net fiscal effect, NPV (million KZT)'
    """
    if not isinstance(tornado_ds, xr.Dataset):
        raise ValidationError(
            f"tornado_chart needs the Dataset of iomodel.sensitivity.tornado, got {type(tornado_ds).__name__}"
        )
    missing = [v for v in ("low", "high", "base") if v not in tornado_ds.data_vars]
    missing_dims = [d for d in (dims.INDICATOR, dims.PARAMETER) if d not in tornado_ds.dims]
    if missing or missing_dims:
        raise ValidationError(
            "tornado_chart needs the Dataset of iomodel.sensitivity.tornado (low, high over (indicator, parameter), "
            f"base over indicator); missing variable(s) {missing}, dimension(s) {missing_dims}"
        )
    outputs = [str(v) for v in tornado_ds[dims.INDICATOR].values]
    if output is None:
        output = outputs[0]
    elif output not in outputs:
        raise LabelError(f"unknown output {output!r}; valid options are {outputs}")
    one = tornado_ds.sel({dims.INDICATOR: output})
    for v in ("low", "high"):
        if one[v].dims != (dims.PARAMETER,):
            raise ValidationError(
                f"tornado_chart: {v!r} has dims {tornado_ds[v].dims}, expected (indicator, parameter)"
            )
    low = np.asarray(one["low"].values, dtype=float)
    high = np.asarray(one["high"].values, dtype=float)
    base = float(one["base"].values)
    if "units" in one.coords:
        unit = one["units"].values.item()
    else:
        unit = one["low"].attrs.get("units", one["base"].attrs.get("units"))
    quantity = _quantity(output)
    names = [str(p) for p in one[dims.PARAMETER].values]
    lows = one["low_value"].values.tolist() if "low_value" in one.coords else [None] * len(names)
    highs = one["high_value"].values.tolist() if "high_value" in one.coords else [None] * len(names)
    swing = np.abs(high - low)
    order = np.argsort(-np.where(np.isnan(swing), -np.inf, swing), kind="stable")
    n = len(names)
    year = _is_year(unit)
    with style.figure_style():
        fig, grid = style.new_figure("a4", 0.3 * n + 1.7)
        ax = grid[0, 0]
        y = np.arange(n)  # from the top (the y axis is inverted below): the largest swing first
        for values, color, which in ((low, "accent", "low"), (high, "bar", "high")):
            ax.barh(
                y,
                values[order] - base,
                left=base,
                height=0.6,
                color=style.COLORS[color],
                label=f"parameter at its {which} value",
            )
        ax.axvline(base, color=style.COLORS["line"], lw=0.8)
        labels = [
            style.name_of(names[i], PARAMETERS)
            + ("" if lows[i] is None else f" (low {style.number(lows[i])}, high {style.number(highs[i])})")
            for i in order
        ]
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_ylabel("parameter (low and high value)")
        ax.set_xlabel(style.axis_label(quantity, unit))
        style.thousands(ax.xaxis, group=not year)
        ax.grid(axis="x")
        ax.set_axisbelow(True)
        style.legend_below(ax)
        base_text = style.number(base, group=not year)
        base_unit = "" if unit in (None, "", "1") or year else f" {unit}"
        ax.set_title(
            f"Tornado diagram: {quantity}\none parameter at a time, the others at base; base {base_text}{base_unit}"
        )
        style.finish(fig, note=style.source_note(tornado_ds.attrs) if note is None else note)
    return fig


def fan_chart(da: xr.DataArray, level: float | Sequence[float] = (0.5, 0.9), *, note: str | None = None) -> Figure:
    """Fan chart of a yearly result across Monte Carlo draws: the median and shaded central intervals.

    Parameters
    ----------
    da
        A yearly variable of a Monte Carlo run, dims ``("draw", "year")``,
        e.g. ``ds["nfe_cumulative"]`` of
        :func:`iomodel.sensitivity.monte_carlo` of
        :class:`~iomodel.sensitivity.ScenarioOutcome`; units from
        ``da.attrs["units"]``.
    level
        Central interval(s) to shade, each in (0, 1): the band of level
        ``p`` runs from quantile ``(1 - p) / 2`` to ``(1 + p) / 2`` over the
        draws (:func:`iomodel.sensitivity.interval`).
    note
        Source/notes line (a DataArray carries no table metadata: pass
        :func:`iomodel.style.source_note` of the run's attributes).

    Returns
    -------
    matplotlib.figure.Figure
        One axis: year across, the variable (with its unit) up.

    Raises
    ------
    ValidationError
        Not a DataArray over ``draw`` and ``year`` alone, a level outside
        (0, 1), or NaN draws (they are not dropped silently).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> rng = np.random.default_rng(0)
    >>> da = xr.DataArray(np.cumsum(rng.normal(1.0, 1.0, (200, 10)), axis=1), dims=("draw", "year"),
    ...                   coords={"year": np.arange(2026, 2036)}, name="nfe_cumulative",
    ...                   attrs={"units": "million KZT"})
    >>> fig = fan_chart(da)
    >>> fig.axes[0].get_ylabel(), fig.axes[0].get_xlabel()
    ('cumulative net fiscal effect (million KZT)', 'year')
    """
    from .sensitivity.results import interval, quantiles

    if not isinstance(da, xr.DataArray):
        hint = " (pick one variable, e.g. ds['nfe_cumulative'])" if isinstance(da, xr.Dataset) else ""
        raise ValidationError(f"fan_chart needs a DataArray over (draw, year){hint}, got {type(da).__name__}")
    for d in (dims.DRAW, dims.YEAR):
        if d not in da.dims:
            raise ValidationError(
                f"fan_chart needs a yearly result across Monte Carlo draws, dims ('draw', 'year'); "
                f"{da.name!r} has dims {tuple(da.dims)} (no {d!r})"
            )
    extra = [str(d) for d in da.dims if d not in (dims.DRAW, dims.YEAR)]
    if extra:
        raise ValidationError(
            f"fan_chart draws one yearly series; {da.name!r} also has dimension(s) {extra}: select or sum them first"
        )
    levels = [level] if isinstance(level, int | float) else list(level)
    if not levels or any(not (isinstance(p, int | float) and 0.0 < float(p) < 1.0) for p in levels):
        raise ValidationError(f"fan_chart levels must each lie in (0, 1), got {level!r}")
    levels = sorted({float(p) for p in levels}, reverse=True)  # the widest band first, lightest
    unit = da.attrs.get("units")
    quantity = _quantity(da.name, da.attrs)
    years = np.asarray(da[dims.YEAR].values)
    median = np.asarray(quantiles(da, (0.5,)).squeeze(dims.QUANTILE, drop=True).transpose(dims.YEAR))
    with style.figure_style():
        fig, grid = style.new_figure("a4", 3.3)
        ax = grid[0, 0]
        shades = np.linspace(0.22, 0.5, len(levels))
        for p, alpha in zip(levels, shades, strict=True):
            band = np.asarray(interval(da, p).transpose(dims.QUANTILE, dims.YEAR))
            ax.fill_between(
                years, band[0], band[1], color=style.COLORS["bar"], alpha=float(alpha), lw=0, label=f"central {p:.0%}"
            )
        ax.plot(years, median, color=style.COLORS["line"], lw=1.6, label="median")
        lo, hi = ax.get_ylim()
        if lo < 0 < hi:
            ax.axhline(0, color=style.COLORS["reference"], lw=0.8)
        _year_axis(ax)
        style.thousands(ax.yaxis, group=not _is_year(unit))
        ax.set_ylabel(style.axis_label(quantity, unit))
        ax.grid()
        ax.set_axisbelow(True)
        style.legend_below(ax)
        bands = " and ".join(f"{p:.0%}" for p in sorted(levels))
        n = da.sizes[dims.DRAW]
        ax.set_title(f"{_cap(quantity)}: median and central {bands} of {n:,} draws")
        style.finish(fig, note=note)
    return fig


def nfe_histogram(ds: xr.Dataset, payback_by: int = 2040, *, note: str | None = None) -> Figure:
    """Histogram of the net fiscal effect NPV across Monte Carlo draws, with the probability of payback.

    Draws a vertical line at 0 (break-even) and at the mean; the title states
    the probability that the package pays back by ``payback_by``,
    :func:`iomodel.sensitivity.exceedance` of ``payback_year`` (a draw that
    never pays back within the horizon counts as not paying back), and a text
    box the central 90% interval and the probability of a negative NPV.

    Parameters
    ----------
    ds
        A Monte Carlo run of :class:`iomodel.sensitivity.ScenarioOutcome`:
        ``npv`` and ``payback_year`` over ``draw``; units from
        ``ds["npv"].attrs["units"]``.
    payback_by
        The year by which payback counts (inclusive).
    note
        Source/notes line; default from the Dataset's attributes (the table's).

    Returns
    -------
    matplotlib.figure.Figure
        One axis: the NPV (with its unit) across, the number of draws up.

    Raises
    ------
    ValidationError
        No ``draw`` dimension, ``npv`` not scalar per draw or NaN in some draw.
    LabelError
        ``npv`` or ``payback_year`` missing (the message lists the variables).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> ds = xr.Dataset({"npv": ("draw", [-5.0, 10.0, 20.0, 30.0], {"units": "billion KZT"}),
    ...                  "payback_year": ("draw", [np.nan, 2041.0, 2035.0, 2031.0], {"units": "year"})})
    >>> fig = nfe_histogram(ds)
    >>> fig.axes[0].get_xlabel()
    'net fiscal effect, NPV (billion KZT)'
    >>> fig.axes[0].get_title().splitlines()[-1]
    'probability of payback by 2040: 50.0%'
    """
    from .sensitivity.results import exceedance

    if not isinstance(ds, xr.Dataset):
        raise ValidationError(f"nfe_histogram needs the Dataset of a Monte Carlo run, got {type(ds).__name__}")
    if dims.DRAW not in ds.dims:
        raise ValidationError(
            f"nfe_histogram needs a Monte Carlo result with a {dims.DRAW!r} dimension, got dims {tuple(ds.dims)}"
        )
    missing = [v for v in ("npv", "payback_year") if v not in ds.data_vars]
    if missing:
        raise LabelError(
            f"nfe_histogram needs variable(s) {missing} (a Monte Carlo run of iomodel.sensitivity.ScenarioOutcome); "
            f"variables: {list(map(str, ds.data_vars))}"
        )
    for v in ("npv", "payback_year"):
        if ds[v].dims != (dims.DRAW,):
            raise ValidationError(f"nfe_histogram: {v!r} must be one number per draw, got dims {ds[v].dims}")
    if isinstance(payback_by, bool) or not isinstance(payback_by, int | float | np.number):
        raise ValidationError(f"payback_by must be a year, got {payback_by!r}")
    x = np.asarray(ds["npv"].values, dtype=float)
    if not np.isfinite(x).all():
        k = int((~np.isfinite(x)).sum())
        raise ValidationError(f"'npv' is not finite in {k} draw(s); the histogram would drop them silently")
    unit = ds["npv"].attrs.get("units")
    quantity = _quantity("npv", ds["npv"].attrs)
    p = float(exceedance(ds["payback_year"], payback_by, below=True))
    never = int(ds["payback_year"].isnull().sum())
    mean = float(x.mean())
    lo, hi = np.quantile(x, [0.05, 0.95])
    unit_text = "" if unit in (None, "", "1") else f" {unit}"
    with style.figure_style():
        fig, grid = style.new_figure("a4", 3.4)
        ax = grid[0, 0]
        ax.hist(x, bins="auto", color=style.COLORS["bar"], edgecolor="white")
        ax.axvline(0.0, color=style.COLORS["line"], lw=1.0, label="NPV = 0 (break-even)")
        ax.axvline(mean, color=style.COLORS["negative"], lw=1.2, ls="--", label=f"mean {style.number(mean)}{unit_text}")
        lines = [
            f"90% interval: {style.number(lo)} to {style.number(hi)}{unit_text}",
            f"P(NPV < 0) = {_percent(float(np.mean(x < 0)))}",
        ]
        if never:
            lines.append(f"{never:,} draw(s) never pay back in the horizon")
        ax.text(
            0.02,
            0.97,
            "\n".join(lines),
            transform=ax.transAxes,
            va="top",
            ha="left",
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85, "edgecolor": "#999999"},
        )
        style.thousands(ax.xaxis)
        ax.set_xlabel(style.axis_label(quantity, unit))
        ax.set_ylabel("frequency (number of draws)")
        ax.grid(axis="y")
        ax.set_axisbelow(True)
        style.legend_below(ax)
        year = f"{float(payback_by):g}"
        ax.set_title(
            f"{_cap(quantity)}: distribution over {x.size:,} draws\nprobability of payback by {year}: {_percent(p)}"
        )
        style.finish(fig, note=style.source_note(ds.attrs) if note is None else note)
    return fig
