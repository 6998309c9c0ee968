"""Standard figures (matplotlib). Each function returns the :class:`~matplotlib.figure.Figure`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from . import dims
from .errors import LabelError, ValidationError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "QUANTITIES",
    "fan_chart",
    "impact_overview",
    "lp_overview",
    "multiplier_bars",
    "nfe_histogram",
    "pareto",
    "tornado_chart",
]


def _plt():
    import matplotlib.pyplot as plt  # matplotlib falls back to Agg where there is no display

    return plt


def multiplier_bars(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    titles: Mapping[str, str] | None = None,
    title: str = "",
    highlight: str | None = None,
):
    """Horizontal bar panels, one per multiplier column, rows ranked as given.

    Parameters
    ----------
    table
        Rows = clusters or sectors, columns = indicators.
    columns
        Which columns to draw, one panel each.
    titles
        Panel titles by column (e.g. with units).
    title
        Figure title.
    highlight
        Column whose ranking orders the rows (top = largest).

    Examples
    --------
    >>> df = pd.DataFrame({"output": [1.5, 1.2], "jobs": [40.0, 90.0]}, index=["a", "b"])
    >>> fig = multiplier_bars(df, ["output", "jobs"], highlight="jobs")
    >>> len(fig.axes)
    2
    """
    plt = _plt()
    data = table.sort_values(highlight, ascending=True) if highlight else table.iloc[::-1]
    n = len(columns)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n + 2.2, 0.32 * len(data) + 1.6), sharey=True, squeeze=False)
    for ax, col in zip(axes[0], columns, strict=True):
        ax.barh([str(i) for i in data.index], data[col].to_numpy(), color="#3b6ea5")
        ax.set_title((titles or {}).get(col, col), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def impact_overview(result, indicator: str = "employment", *, fiscal=None):
    """An indicator by year and effect in each phase, and (with ``fiscal``) the net fiscal effect.

    Parameters
    ----------
    result
        An :class:`iomodel.ImpactResult`.
    indicator
        Indicator to draw (e.g. ``"employment"``, ``"gva"``, ``"budget"``).
    fiscal
        Fiscal accounts (:func:`iomodel.fiscal.fiscal_accounts`) for a third panel.
    """
    plt = _plt()
    ds = result.dataset
    imp = ds["impact"].sum(["sector", "investment"]).sel(indicator=indicator)
    unit = str(ds["units"].sel(indicator=indicator).values)
    money = unit == ds.attrs.get("table_unit")
    scale = 1.0 / result.unit_factor if money else 1.0
    unit = result.unit if money else unit
    panels = 3 if fiscal is not None else 2
    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 4.2))
    colors = {"direct": "#1f4e79", "indirect": "#5b8fc7", "induced": "#b4cde6"}
    years = imp["year"].values
    for ax, phase in zip(axes[:2], ("construction", "operation"), strict=True):
        bottom = 0.0
        for eff in ("direct", "indirect", "induced"):
            v = imp.sel(phase=phase, effect=eff).values * scale
            ax.bar(years, v, bottom=bottom, color=colors[eff], label=eff)
            bottom = bottom + v
        if indicator == "employment":
            what = "job-years" if phase == "construction" else "jobs in each year"
        else:
            what = unit
        ax.set_title(f"{indicator}, {phase}", fontsize=10)
        ax.set_ylabel(f"{indicator} ({what})", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8)
    if fiscal is not None:
        f = fiscal
        axes[2].bar(
            f["year"].values, f["nfe"].values, color=["#2e7d32" if v >= 0 else "#c62828" for v in f["nfe"].values]
        )
        axes[2].plot(
            f["year"].values,
            f["nfe_discounted_cumulative"].values,
            color="black",
            lw=1.5,
            label="cumulative, discounted",
        )
        axes[2].axhline(0, color="grey", lw=0.8)
        axes[2].set_title("net fiscal effect", fontsize=10)
        axes[2].set_ylabel(f"net fiscal effect ({f.attrs['unit']})", fontsize=9)
        axes[2].legend(fontsize=8)
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(result.scenario.name, fontsize=11)
    fig.tight_layout()
    return fig


def lp_overview(result, block: str = "level", top: int = 12):
    """Two panels: the values of a variable block, and the largest shadow prices by constraint block.

    Parameters
    ----------
    result
        An :class:`iomodel.optimize.LPResult`.
    block
        Variable block to draw (default ``"level"``: project levels of an allocation).
    top
        How many non-zero shadow prices to show.
    """
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(14, 0.3 * max(len(result.value(block)), top) + 2))
    v = result.value(block)
    labels = [str(i) for i in v[v.dims[0]].values]
    axes[0].barh(labels[::-1], v.values[::-1], color="#3b6ea5")
    axes[0].set_title(f"{block} ({result.units.get(block, '')})", fontsize=10)
    axes[0].tick_params(labelsize=8)
    sp_ = result.shadow_prices()
    sp_ = sp_[(sp_["shadow_price"].abs() > 1e-9) & (sp_["constraint"] != "balance")]
    sp_ = sp_.reindex(sp_["shadow_price"].abs().sort_values(ascending=False).index).head(top)
    names = [
        f"{c}[{lab}]\n{('per ' + u.split(' per ', 1)[1]) if ' per ' in u else u}"
        for c, lab, u in zip(sp_["constraint"], sp_["label"], sp_["units"], strict=True)
    ]
    axes[1].barh(names[::-1], sp_["shadow_price"].to_numpy()[::-1], color="#b5651d")
    axes[1].set_title(
        f"shadow prices: {result.units.get('objective', 'objective')} per unit of each "
        "constraint (units differ by row)",
        fontsize=10,
    )
    axes[1].tick_params(labelsize=8)
    fig.suptitle(
        f"{result.info.get('problem', '')}: objective {result.objective:,.1f} {result.units.get('objective', '')}",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def pareto(front, *, annotate_rate: bool = True):
    """Figure of a two-objective Pareto front from :func:`iomodel.optimize.pareto_front`."""
    plt = _plt()
    f1, f2 = front.attrs["maximised"], front.attrs["constrained"]
    fig, ax = plt.subplots(figsize=(7, 4.8))
    ax.plot(front[f2].values, front[f1].values, "o-", color="#3b6ea5")
    if annotate_rate:
        for x_, y_, r in zip(front[f2].values, front[f1].values, front["tradeoff_rate"].values, strict=True):
            ax.annotate(f"{r:.3g}", (x_, y_), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel(f"{f2} ({front.attrs.get('unit', '')})" if f2 != "employment" else "jobs (average a year)")
    ax.set_ylabel(f"{f1}" if f1 != "employment" else "jobs (average a year)")
    ax.set_title(f"Pareto front: {f1} vs {f2} (labels: trade-off rate)", fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
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


def _axis_label(quantity: str, unit: Any) -> str:
    """``"quantity (unit)"``; a missing unit is said, not hidden."""
    text = "" if unit is None else str(unit).strip()
    if not text:
        return f"{quantity} (units not given)"
    if text == "1":
        return f"{quantity} (dimensionless)"
    return f"{quantity} ({text})"


def _is_year(unit: Any) -> bool:
    """Whether values in ``unit`` are calendar years (no thousands separators on them)."""
    return unit is not None and str(unit).strip().lower() in ("year", "years", "calendar year")


def _number(v: Any, group: bool = True) -> str:
    """A parameter value or result for a label: thousands separators, at most four significant digits."""
    if isinstance(v, bool | str | np.str_) or not isinstance(v, int | float | np.number):
        return str(v)
    x = float(v)
    if not math.isfinite(x):
        return str(x)
    sep = "," if group else ""
    return f"{x:{sep}.0f}" if abs(x) >= 1000 else f"{x:{sep}.4g}"


def _percent(p: float) -> str:
    """A probability in percent, one decimal, more when one would round it to exactly 0% or 100%."""
    for d in range(1, 5):
        text = f"{p:.{d}%}"
        if p in (0.0, 1.0) or float(text.rstrip("%")) not in (0.0, 100.0):
            return text
    return text


def _grouped_formatter(group: bool = True) -> Any:
    """A tick formatter with thousands separators (``group``) and as many decimals as the ticks need."""
    from matplotlib import rcParams
    from matplotlib.ticker import Formatter

    class GroupedFormatter(Formatter):
        decimals = 0

        def set_locs(self, locs: list[float]) -> None:
            super().set_locs(locs)
            v = np.asarray(locs, dtype=float)
            v = v[np.isfinite(v)]
            span = float(np.ptp(v)) if v.size > 1 else 1.0
            tol = 1e-6 * (span or 1.0)
            self.decimals = next((d for d in range(9) if np.allclose(np.round(v, d), v, rtol=0.0, atol=tol)), 9)

        def __call__(self, x: float, pos: int | None = None) -> str:
            text = f"{x:{',' if group else ''}.{self.decimals}f}"
            if float(text.replace(",", "")) == 0.0:
                text = text.lstrip("-")
            return text.replace("-", "\N{MINUS SIGN}") if rcParams["axes.unicode_minus"] else text

    return GroupedFormatter()


def tornado_chart(tornado_ds: xr.Dataset, output: str | None = None) -> Figure:
    """Tornado diagram of one output of :func:`iomodel.sensitivity.tornado`.

    Each parameter is a horizontal pair of bars starting at the output's base
    value: one to the output with the parameter at its low value, one to the
    output at its high value (the others at their base values). Parameters
    are sorted by the swing ``|high - low|`` of this output, the largest on
    top; each label shows the parameter's low and high value. A NaN output
    (e.g. no payback within the horizon) draws no bar and sorts last.

    Parameters
    ----------
    tornado_ds
        The Dataset of :func:`iomodel.sensitivity.tornado`: ``low``, ``high``
        over ``(indicator, parameter)``, ``base`` over ``indicator``, the
        coordinates ``low_value``, ``high_value`` along ``parameter`` and
        ``units`` along ``indicator``.
    output
        The output (an ``indicator`` of the Dataset) to draw; default the first.

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
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8.0, 0.5 * n + 2.2))
    y = np.arange(n)  # from the top (the y axis is inverted below): the largest swing first
    ax.barh(y, low[order] - base, left=base, height=0.6, color="#dd8452", label="parameter at its low value")
    ax.barh(y, high[order] - base, left=base, height=0.6, color="#4c72b0", label="parameter at its high value")
    ax.axvline(base, color="black", lw=0.8)
    labels = [
        names[i] if lows[i] is None else f"{names[i]} (low {_number(lows[i])}, high {_number(highs[i])})" for i in order
    ]
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_ylabel("parameter (low and high value)", fontsize=9)
    ax.set_xlabel(_axis_label(quantity, unit), fontsize=9)
    ax.xaxis.set_major_formatter(_grouped_formatter(group=not _is_year(unit)))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    base_text = _number(base, group=not _is_year(unit))
    base_unit = "" if unit in (None, "", "1") or _is_year(unit) else f" {unit}"
    ax.set_title(
        f"Tornado diagram: {quantity}\none parameter at a time, the others at base; base {base_text}{base_unit}",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def fan_chart(da: xr.DataArray, level: float | Sequence[float] = (0.5, 0.9)) -> Figure:
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
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8.0, 4.6))
    shades = np.linspace(0.22, 0.5, len(levels))
    for p, alpha in zip(levels, shades, strict=True):
        band = np.asarray(interval(da, p).transpose(dims.QUANTILE, dims.YEAR))
        ax.fill_between(years, band[0], band[1], color="#3b6ea5", alpha=float(alpha), lw=0, label=f"central {p:.0%}")
    ax.plot(years, median, color="#1f4e79", lw=1.8, label="median")
    lo, hi = ax.get_ylim()
    if lo < 0 < hi:
        ax.axhline(0, color="grey", lw=0.8)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_grouped_formatter(group=not _is_year(unit)))
    ax.set_xlabel("year", fontsize=9)
    ax.set_ylabel(_axis_label(quantity, unit), fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    bands = " and ".join(f"{p:.0%}" for p in sorted(levels))
    n = da.sizes[dims.DRAW]
    ax.set_title(f"{quantity[:1].upper()}{quantity[1:]}: median and central {bands} of {n:,} draws", fontsize=10)
    fig.tight_layout()
    return fig


def nfe_histogram(ds: xr.Dataset, payback_by: int = 2040) -> Figure:
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
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8.0, 4.6))
    ax.hist(x, bins="auto", color="#3b6ea5", edgecolor="white")
    ax.axvline(0.0, color="black", lw=1.0, label="NPV = 0 (break-even)")
    ax.axvline(mean, color="#c62828", lw=1.2, ls="--", label=f"mean {_number(mean)}{unit_text}")
    lines = [
        f"90% interval: {_number(lo)} to {_number(hi)}{unit_text}",
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
        fontsize=8,
        bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85, "edgecolor": "#999999"},
    )
    ax.xaxis.set_major_formatter(_grouped_formatter())
    ax.set_xlabel(_axis_label(quantity, unit), fontsize=9)
    ax.set_ylabel("frequency (number of draws)", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    year = f"{float(payback_by):g}"
    ax.set_title(
        f"{quantity[:1].upper()}{quantity[1:]}: distribution over {x.size:,} draws\n"
        f"probability of payback by {year}: {_percent(p)}",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
