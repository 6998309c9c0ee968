"""Standard figures (matplotlib). Each function returns the :class:`~matplotlib.figure.Figure`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

__all__ = ["impact_overview", "lp_overview", "multiplier_bars", "pareto"]


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
