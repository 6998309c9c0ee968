"""Standard figures (matplotlib). Each function returns the :class:`~matplotlib.figure.Figure`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

__all__ = ["multiplier_bars"]


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
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n + 2.2, 0.32 * len(data) + 1.6), sharey=True,
                             squeeze=False)
    for ax, col in zip(axes[0], columns, strict=True):
        ax.barh([str(i) for i in data.index], data[col].to_numpy(), color="#3b6ea5")
        ax.set_title((titles or {}).get(col, col), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
