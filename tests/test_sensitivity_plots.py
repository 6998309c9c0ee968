"""Figures of sensitivity runs (iomodel.plot): tornado chart, fan chart, NFE histogram.

Run on a small Monte Carlo and a tornado of the machine-building SEZ scenario
on the official table: what each figure shows is checked against the numbers
of :mod:`iomodel.sensitivity` it is drawn from (bar ends, band edges, the
payback probability), and every axis against the units of the data.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel import plot
from iomodel import sensitivity as sa
from iomodel.errors import LabelError, ValidationError

SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "machine_building_ahmp.toml"
RANGES = {
    "additionality": (0.4, 0.8),
    "displacement": (0.1, 0.3),
    "discount_rate": (0.03, 0.08),
    "output_scale": (0.7, 1.1),
    "capex_scale": (0.9, 1.4),
}
BASE = {"additionality": 0.6, "displacement": 0.2, "discount_rate": 0.05, "output_scale": 1.0, "capex_scale": 1.0}


@pytest.fixture(scope="module")
def outcome() -> tuple[iom.IOTable, sa.ScenarioOutcome]:
    return iom.datasets.kazakhstan(), sa.ScenarioOutcome(iom.Scenario.from_toml(SCENARIO))


@pytest.fixture(scope="module")
def mc(outcome) -> xr.Dataset:
    """24 draws; additionality down to 0.1 so that some draws pay back late or never (break-even is about 0.33)."""
    kz, out = outcome
    return sa.monte_carlo(
        out,
        kz,
        draws=24,
        seed=7,
        coefficients=[sa.LognormalCoefficients(cv=0.1), sa.TaxCoefficients(cv=0.1)],
        parameters={"additionality": sa.Uniform(0.1, 0.8), "displacement": sa.Uniform(0.1, 0.3)},
        progress=False,
    )


@pytest.fixture(scope="module")
def tn(outcome) -> xr.Dataset:
    kz, out = outcome
    return sa.tornado(
        out, kz, RANGES, base=BASE, outputs=["npv", "operation_jobs_peak", "payback_year"], progress=False
    )


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def fits(fig) -> bool:
    """Whether every axis title lies inside the figure once drawn."""
    fig.canvas.draw()
    box = fig.bbox
    for ax in fig.axes:
        t = ax.title.get_window_extent()
        if t.x0 < box.x0 - 1 or t.x1 > box.x1 + 1 or t.y1 > box.y1 + 1:
            return False
    return True


def tick_texts(axis) -> list[str]:
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def parameters(ax) -> list[str]:
    """The parameters of a tornado's rows, top to bottom (tick labels read back through plot.PARAMETERS)."""
    ids = {name: p for p, name in plot.PARAMETERS.items()}
    return [ids.get(t.get_text().split(" (")[0], t.get_text().split(" (")[0]) for t in ax.get_yticklabels()]


# --------------------------------------------------------------------------- tornado
def test_tornado_chart_bars_from_base_to_low_and_high(tn):
    fig = plot.tornado_chart(tn)
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "net fiscal effect, NPV (million KZT)"
    assert ax.get_ylabel() == "parameter (low and high value)"
    assert "Tornado diagram: net fiscal effect, NPV" in ax.get_title()
    one = tn.sel(indicator="npv")
    base = float(one["base"])
    params = parameters(ax)
    # top to bottom in order of swing, the largest first
    expected = one["swing"].to_series().sort_values(ascending=False, kind="stable").index.tolist()
    assert params == expected
    bars = ax.patches
    n = len(params)
    assert len(bars) == 2 * n
    for i, p in enumerate(params):
        low_bar, high_bar = bars[i], bars[n + i]
        assert low_bar.get_x() == pytest.approx(base) and high_bar.get_x() == pytest.approx(base)
        assert low_bar.get_x() + low_bar.get_width() == pytest.approx(float(one["low"].sel(parameter=p)))
        assert high_bar.get_x() + high_bar.get_width() == pytest.approx(float(one["high"].sel(parameter=p)))
    assert fits(fig)


def test_tornado_chart_labels_show_the_parameter_values(tn):
    ax = plot.tornado_chart(tn).axes[0]
    labels = tick_texts(ax.yaxis)
    assert "additionality (low 0.4, high 0.8)" in labels
    # parameters by their readable names, not their ids
    assert "capital expenditure relative to plan (low 0.9, high 1.4)" in labels
    assert "discount rate (low 0.03, high 0.08)" in labels
    assert not any("_" in t for t in labels)


def test_tornado_chart_sorts_by_the_swing_of_the_output_drawn(tn):
    # the Dataset is sorted by the first output (npv); jobs only move with the plant's output
    fig = plot.tornado_chart(tn, output="operation_jobs_peak")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "operation jobs, peak year (jobs)"
    params = parameters(ax)
    swing = tn["swing"].sel(indicator="operation_jobs_peak")
    assert params[0] == "output_scale" == str(swing.idxmax().values)
    assert params != tn["parameter"].values.tolist()  # re-sorted, not the Dataset's order
    assert np.all(np.diff(swing.sel(parameter=params).values) <= 0)


def test_tornado_chart_money_axis_has_thousands_separators_and_years_none(tn):
    fig = plot.tornado_chart(tn)
    fig.canvas.draw()
    labels = tick_texts(fig.axes[0].xaxis)
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+", t) for t in labels), labels
    fig = plot.tornado_chart(tn, output="payback_year")
    fig.canvas.draw()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "payback year (year)"
    assert all("," not in t for t in tick_texts(ax.xaxis))
    assert ax.get_title().endswith("base 2031")


def test_tornado_chart_refuses_unknown_output_and_other_datasets(tn, mc):
    with pytest.raises(LabelError, match=r"unknown output 'jobs'; valid options are \['npv', 'operation_jobs_peak'"):
        plot.tornado_chart(tn, output="jobs")
    with pytest.raises(ValidationError, match=r"Dataset of iomodel.sensitivity.tornado.*missing variable\(s\) \['low'"):
        plot.tornado_chart(mc)
    with pytest.raises(ValidationError, match="got DataArray"):
        plot.tornado_chart(tn["low"])


# --------------------------------------------------------------------------- fan chart
def test_fan_chart_median_and_bands_are_the_quantiles_over_draws(mc):
    da = mc["nfe_cumulative"]
    fig = plot.fan_chart(da, level=(0.5, 0.9))
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "year"
    assert ax.get_ylabel() == "cumulative net fiscal effect (million KZT)"
    assert "median and central 50% and 90% of 24 draws" in ax.get_title()
    years = mc["year"].values
    line = next(line for line in ax.lines if line.get_label() == "median")
    assert_allclose(line.get_xdata(), years)
    assert_allclose(line.get_ydata(), da.median("draw").values)
    assert len(ax.collections) == 2  # the 90% band (lighter, first), then the 50% band
    for coll, level in zip(ax.collections, (0.9, 0.5), strict=True):
        band = sa.interval(da, level).transpose("quantile", "year").values
        v = coll.get_paths()[0].vertices
        for j, y in enumerate(years):
            ys = v[np.isclose(v[:, 0], y), 1]
            assert ys.min() == pytest.approx(band[0, j]) and ys.max() == pytest.approx(band[1, j])
    fig.canvas.draw()
    assert any("," in t for t in tick_texts(ax.yaxis))  # money: thousands separators
    assert fits(fig)


def test_fan_chart_refuses_what_is_not_a_yearly_result_across_draws(outcome, mc):
    kz, out = outcome
    with pytest.raises(ValidationError, match=r"dims \('year',\) \(no 'draw'\)"):
        plot.fan_chart(out(kz)["nfe_cumulative"])
    with pytest.raises(ValidationError, match="pick one variable"):
        plot.fan_chart(mc)
    with pytest.raises(ValidationError, match=r"no 'year'"):
        plot.fan_chart(mc["npv"])
    with pytest.raises(ValidationError, match=r"also has dimension\(s\) \['sector'\]"):
        plot.fan_chart(mc["nfe"].expand_dims(sector=["a", "b"]))
    with pytest.raises(ValidationError, match=r"levels must each lie in \(0, 1\)"):
        plot.fan_chart(mc["nfe"], level=(0.5, 1.5))
    nan = mc["nfe"].copy()
    nan[0, 0] = np.nan
    with pytest.raises(ValidationError, match="NaN in 1 draw value"):
        plot.fan_chart(nan)


# --------------------------------------------------------------------------- NFE histogram
def test_nfe_histogram_shows_the_payback_probability_of_exceedance(mc):
    fig = plot.nfe_histogram(mc, payback_by=2040)
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "net fiscal effect, NPV (million KZT)"
    assert ax.get_ylabel() == "frequency (number of draws)"
    p = float(sa.exceedance(mc["payback_year"], 2040, below=True))
    assert 0 < p < 1  # the fixture's additionality range makes some draws miss 2040
    shown = re.search(r"probability of payback by 2040: ([\d.]+)%", ax.get_title())
    assert shown is not None, ax.get_title()
    assert float(shown.group(1)) == pytest.approx(100 * p, abs=0.05)
    # every draw is counted once; lines at 0 and at the mean
    assert sum(b.get_height() for b in ax.patches) == mc.sizes["draw"]
    xs = sorted(float(line.get_xdata()[0]) for line in ax.lines)
    assert xs == pytest.approx(sorted([0.0, float(mc["npv"].mean())]))
    fig.canvas.draw()
    assert any("," in t for t in tick_texts(ax.xaxis))
    assert fits(fig)


def test_nfe_histogram_counts_draws_that_never_pay_back_as_not_paying_back():
    ds = xr.Dataset(
        {
            "npv": ("draw", [-5.0, 10.0, 20.0, 30.0], {"units": "billion KZT"}),
            "payback_year": ("draw", [np.nan, 2041.0, 2035.0, 2031.0], {"units": "year"}),
        }
    )
    ax = plot.nfe_histogram(ds, payback_by=2041).axes[0]
    assert ax.get_title().endswith("probability of payback by 2041: 75.0%")
    assert ax.get_xlabel() == "net fiscal effect, NPV (billion KZT)"
    box = ax.texts[0].get_text()
    assert "P(NPV < 0) = 25.0%" in box and "1 draw(s) never pay back" in box


def test_nfe_histogram_refuses_bad_input(outcome, mc):
    kz, out = outcome
    with pytest.raises(ValidationError, match="with a 'draw' dimension, got dims"):
        plot.nfe_histogram(out(kz))
    with pytest.raises(LabelError, match=r"needs variable\(s\) \['payback_year'\].*variables: \['npv'"):
        plot.nfe_histogram(mc[["npv", "nfe"]])
    with pytest.raises(ValidationError, match="one number per draw"):
        plot.nfe_histogram(mc.assign(npv=mc["nfe"]))
    with pytest.raises(ValidationError, match="not finite in 1 draw"):
        plot.nfe_histogram(mc.assign(npv=mc["npv"].where(mc["draw"] != 3)))
    with pytest.raises(ValidationError, match="got DataArray"):
        plot.nfe_histogram(mc["npv"])


def test_nfe_histogram_does_not_round_a_near_certainty_to_certainty():
    payback = np.full(2000, 2031.0)
    payback[0] = 2041.0  # one draw of 2,000 pays back too late
    ds = xr.Dataset(
        {"npv": ("draw", np.linspace(1.0, 2.0, 2000), {"units": "million KZT"}), "payback_year": ("draw", payback)}
    )
    assert plot.nfe_histogram(ds).axes[0].get_title().endswith("probability of payback by 2040: 99.95%")
