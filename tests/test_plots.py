"""Every figure the package makes is one a journal or a ministry accepts (issue 12, item 3).

Each figure of :mod:`iomodel.plot`, :meth:`iomodel.ImpactResult.plot`,
:meth:`iomodel.Appraisal.plot` and the command line (``iomodel multipliers``,
``impact``, ``allocate``, run in-process into a temporary folder, the figures
caught as they are saved) is drawn on the shipped table and checked by
:func:`iomodel.style.audit`: a title; an x and a y label on every axes with
data unless the axis is a category axis; the unit in parentheses on every
numeric axis; thousands separators on numbers of 10,000 or more and no offset
multiplier; no raw id where a name is known (tax ids, ``cluster@zone``,
``snake_case``, a sector code on a category axis); every text inside the
figure and none over another; text of 8 pt or more; A4 width (at most 7 in)
saved at 150 dpi or more. The checks are shown to fail on figures made to
break them, one rule at a time.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure

import iomodel as iom
from iomodel import cli, plot, style
from iomodel import optimize as opt
from iomodel import sensitivity as sa

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "examples" / "scenarios" / "machine_building_ahmp.toml"
PROBLEM = ROOT / "examples" / "cluster_allocation.toml"


@pytest.fixture(scope="module")
def kz() -> iom.IOTable:
    return iom.datasets.kazakhstan()


@pytest.fixture(scope="module")
def appraisal(kz) -> iom.Appraisal:
    return iom.appraise(kz, iom.Scenario.from_toml(SCENARIO))


@pytest.fixture(scope="module")
def allocation(kz):
    problem = opt.AllocationProblem.from_toml(PROBLEM, economy=kz.economy)
    coef = opt.candidate_coefficients(kz, problem)
    return problem, coef, problem.solve(kz, coefficients=coef)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def raw_ids(kz: iom.IOTable) -> list[str]:
    """Ids a reader must never see where the table knows their name: tax ids of more than an acronym."""
    return [t for t in kz.meta.tax_names if "_" in t]


def problems(fig: Figure, kz: iom.IOTable, *, dpi: float | None = style.DPI, note: bool = True) -> list[str]:
    """What :func:`iomodel.style.audit` finds, plus sector codes on category axes and a missing source line."""
    found = style.audit(fig, ids=raw_ids(kz), dpi=dpi)
    codes = {str(s) for s in kz.sectors}
    for k, ax in enumerate(fig.axes, start=1):
        for axis in (ax.xaxis, ax.yaxis):
            texts = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
            if any(re.search(r"[^\d.,\u2212-]", t) for t in texts):  # a category axis
                found += [f"axes {k}: sector code {t!r} as a tick label" for t in texts if t in codes]
    if note and not any(t.get_gid() == style.NOTE_GID and t.get_text() for t in fig.texts):
        found.append("no source/notes line at the foot")
    return found


def assert_readable(fig: Figure, kz: iom.IOTable, **kw) -> None:
    found = problems(fig, kz, **kw)
    assert not found, "figure problems:\n  " + "\n  ".join(found)


# --------------------------------------------------------------------------- iomodel.plot
def test_multiplier_bars_of_clusters_and_products(kz):
    t2 = cli.multiplier_table(kz, kind="type2", closure=iom.impacts.closure_for(kz.economy))
    cols = ["output", "employment", "income", "gva", "budget"]
    note = style.source_note(kz.meta, kind="type2")
    fig = plot.multiplier_bars(t2.set_index("label"), cols, highlight="employment", title="Type II", note=note)
    assert_readable(fig, kz)
    assert fig.get_figwidth() == pytest.approx(style.A4_WIDTH)
    labels = [" ".join(ax.get_xlabel().split()) for ax in fig.axes if ax.get_visible()]  # wrapped to the axes
    assert labels[1] == "employment (persons per 1 bn KZT)"
    # products by their names from the table's metadata, 20 of 68 (the note says so)
    t1 = cli.multiplier_table(kz, kind="type1", by="product")
    fig = plot.multiplier_bars(t1, cols, highlight="employment", names=kz.meta.sector_names, note=note, top=20)
    assert_readable(fig, kz)
    shown = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(shown) == 20 and "Forestry and logging products" in shown
    assert "the 20 of 68" in next(t.get_text() for t in fig.texts if t.get_gid() == style.NOTE_GID).replace("\n", " ")


@pytest.mark.parametrize("indicator", ["employment", "gva", "budget", "tax:rent_tax_on_export_oil"])
def test_impact_result_plot(appraisal, kz, indicator):
    fig = appraisal.impacts.plot(indicator)
    assert_readable(fig, kz)
    labels = [" ".join(ax.get_ylabel().split()) for ax in fig.axes]
    if indicator == "employment":
        assert labels == ["employment (job-years)", "employment (jobs in each year)"]
    elif indicator.startswith("tax:"):
        assert labels[0] == "Rent tax on export of crude oil (million KZT)"
    else:
        assert all(label.endswith("(million KZT)") for label in labels)
    note = next(t.get_text() for t in fig.texts if t.get_gid() == style.NOTE_GID).replace("\n", " ")
    for part in ("Kazakhstan 2024 input-output table at basic prices", "Type II", "constant 2024 prices", "Source:"):
        assert part in note


def test_appraisal_plot_adds_the_net_fiscal_effect(appraisal, kz):
    fig = appraisal.plot("employment")
    assert_readable(fig, kz)
    assert len(fig.axes) == 3
    assert fig.axes[2].get_ylabel() == "net fiscal effect (million KZT)"
    note = next(t.get_text() for t in fig.texts if t.get_gid() == style.NOTE_GID).replace("\n", " ")
    assert "additionality 60% and displacement 20%" in note


def test_appraisal_plot_in_another_unit_and_budget_levels(appraisal, kz):
    fig = appraisal.plot("gva", unit="bn KZT")
    assert_readable(fig, kz)
    assert [" ".join(ax.get_ylabel().split()) for ax in fig.axes][2] == "net fiscal effect (bn KZT)"
    gva = appraisal.impacts.dataset["impact"].sel(indicator="gva", effect="direct", phase="operation")
    direct = [p.get_height() for p in fig.axes[1].patches][: gva.sizes["year"]]  # the first stack: direct
    assert np.allclose(direct, gva.sum(["sector", "investment"]).values / 1e6)  # thousand KZT -> bn KZT
    levels = iom.fiscal.by_budget_level(appraisal.fiscal, kz.economy)
    fig = plot.budget_levels(levels, unit="bn KZT")
    assert_readable(fig, kz)
    widths = [p.get_width() for p in fig.axes[0].patches]
    expected = [*(levels["net"].sum("year").values / 1e3), -float(levels["state_costs"].sum()) / 1e3]
    assert np.allclose(widths, expected)
    shown = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    assert {"Republican budget", "National Fund", "State zone costs (not attributed)"} <= shown


def test_lp_overview_names_projects_and_keeps_units_apart(allocation, kz):
    _, _, res = allocation
    fig = plot.lp_overview(res, table=kz)
    assert_readable(fig, kz)
    # one panel per unit of shadow price: no axis mixes jobs per worker with jobs per million KZT
    units = [ax.get_xlabel() for ax in fig.axes[1:]]
    assert len(units) == len(set(units)) >= 2
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert "Tourism\nTurkistan" in ticks and "Other non-metallic mineral products" in ticks
    assert not any("@" in t for t in ticks)


def test_lp_result_plot_without_the_table_reads_its_labels(allocation):
    """LPResult.plot knows no table: labels are read aloud (no snake_case, no cluster@zone), no source line."""
    _, _, res = allocation
    fig = res.plot()
    assert style.audit(fig) == []
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "tourism\nturkistan" in ticks


def test_pareto(allocation, kz):
    problem, coef, _ = allocation
    front = opt.pareto_front(kz, problem, ("employment", "nfe"), points=3, coefficients=coef)
    fig = plot.pareto(front)
    assert_readable(fig, kz)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "net fiscal effect, NPV (million KZT)"
    assert ax.get_ylabel() == "attributable jobs (average a year)"


@pytest.fixture(scope="module")
def runs(kz):
    out = sa.ScenarioOutcome(iom.Scenario.from_toml(SCENARIO))
    mc = sa.monte_carlo(
        out,
        kz,
        draws=6,
        seed=3,
        coefficients=[sa.LognormalCoefficients(cv=0.1)],
        parameters={"additionality": sa.Uniform(0.3, 0.8)},
        progress=False,
    )
    tn = sa.tornado(
        out,
        kz,
        {"additionality": (0.4, 0.8), "discount_rate": (0.03, 0.08), "capex_scale": (0.9, 1.4)},
        base={"additionality": 0.6, "discount_rate": 0.05, "capex_scale": 1.0},
        outputs=["npv", "payback_year"],
        progress=False,
    )
    return mc, tn


def test_sensitivity_figures(runs, kz):
    mc, tn = runs
    for fig in (
        plot.tornado_chart(tn),
        plot.tornado_chart(tn, output="payback_year"),
        plot.nfe_histogram(mc),
        plot.fan_chart(mc["nfe_cumulative"], note=style.source_note(mc.attrs)),
    ):
        assert_readable(fig, kz)
    # without table metadata (a bare DataArray) a fan chart has no source line, and is otherwise as readable
    assert_readable(plot.fan_chart(mc["nfe_cumulative"]), kz, note=False)


def test_figures_of_small_inputs():
    """The docstring inputs (no table metadata, tiny data) draw readable figures too."""
    df = pd.DataFrame({"output": [1.5, 1.2], "jobs": [40.0, 90.0]}, index=["a", "b"])
    fig = plot.multiplier_bars(df, ["output", "jobs"], units={"output": "USD per USD", "jobs": "jobs per USD 1m"})
    fig.suptitle("Two sectors")
    assert style.audit(fig) == []
    ds = xr.Dataset(
        {
            "npv": ("draw", [-5.0, 10.0, 20.0, 30.0], {"units": "billion KZT"}),
            "payback_year": ("draw", [np.nan, 2041.0, 2035.0, 2031.0], {"units": "year"}),
        }
    )
    assert style.audit(plot.nfe_histogram(ds)) == []


# --------------------------------------------------------------------------- the command line
@pytest.fixture
def saved(monkeypatch) -> list[tuple[Figure, float | None, Path]]:
    """Every figure the command line saves, with the dpi and the path it is saved at."""
    caught: list[tuple[Figure, float | None, Path]] = []
    original = Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        caught.append((self, kwargs.get("dpi"), Path(fname)))
        return original(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    return caught


@pytest.mark.parametrize(
    ("args", "files"),
    [
        (["multipliers", "--kind", "type2"], ["multipliers_cluster_type2.png"]),
        (["multipliers", "--kind", "type1", "--by", "product"], ["multipliers_product_type1.png"]),
        (["impact", str(SCENARIO)], ["impact_employment.png", "impact_gva.png", "impact_budget.png"]),
        (["allocate", str(PROBLEM)], ["allocation.png"]),
    ],
    ids=["multipliers-cluster", "multipliers-product", "impact", "allocate"],
)
def test_command_line_figures(args, files, tmp_path, saved, kz, capsys):
    assert cli.main([*args, "--output", str(tmp_path)]) == 0
    capsys.readouterr()
    # figures are written to a temporary file renamed into place (iomodel.files.atomic_write)
    final = [path.parent / re.sub(r"^\.(.+)\.\w+\.tmp(\.\w+)$", r"\1\2", path.name) for _, _, path in saved]
    assert sorted(p.name for p in final) == sorted(files)
    for (fig, dpi, _), path in zip(saved, final, strict=True):
        assert dpi is not None and dpi >= 150, path.name
        assert_readable(fig, kz, dpi=dpi)
        # the file as written: A4 text width at its resolution
        width = matplotlib.image.imread(path).shape[1]
        assert width / dpi <= style.MAX_WIDTH and width == pytest.approx(fig.get_figwidth() * dpi, abs=2), path.name


# --------------------------------------------------------------------------- names, from the table to the figures
def test_impact_results_carry_readable_names(appraisal, kz, tmp_path):
    ds = appraisal.impacts.dataset
    names = dict(zip(ds["sector"].values.tolist(), ds["sector_name"].values.tolist(), strict=True))
    assert names["061"] == "Crude petroleum" == kz.meta.sector_name("061")
    assert len(names) == kz.n
    import json

    taxes = json.loads(ds.attrs["tax_names"])
    assert taxes["rent_tax_on_export_oil"] == "Rent tax on export of crude oil"
    assert set(kz.taxes.index) <= set(taxes)
    appraisal.impacts.to_netcdf(tmp_path / "impact.nc")
    back = xr.load_dataset(tmp_path / "impact.nc")
    assert back["sector_name"].values.tolist() == ds["sector_name"].values.tolist()
    assert back.attrs["tax_names"] == ds.attrs["tax_names"]
    # the fiscal accounts inherit the tax names
    assert json.loads(appraisal.fiscal.attrs["tax_names"]) == taxes


def test_the_shipped_table_names_every_sector_and_tax(kz):
    sectors = iom.datasets.kazakhstan_sectors()
    assert dict(kz.meta.sector_names) == sectors["name_en"].to_dict()
    assert all(t in kz.meta.tax_names for t in kz.taxes.index)
    # where the names come from travels with them, in the metadata's notes
    assert "Tax Code" in kz.meta.notes["tax_names"] and "120-VI" in kz.meta.notes["tax_names"]
    assert "CPA/KPVED" in kz.meta.notes["sector_names"]


# --------------------------------------------------------------------------- the checks catch what they should
def _figure(title: str = "A title", **kw) -> tuple[Figure, object]:
    fig, ax = plt.subplots(figsize=kw.pop("figsize", (6.3, 3.0)))
    ax.plot([0, 1], [0, 1])
    ax.set_title(title)
    ax.set_xlabel("year")
    ax.set_ylabel("output (million KZT)")
    return fig, ax


def test_a_clipped_title_fails_and_finish_fits_it():
    title = "A title much too long for the width of an A4 page, running off both edges of the figure " * 2
    fig, _ = _figure(title)
    found = style.audit(fig)
    assert any("is clipped" in p and "past the right edge" in p for p in found), found
    fig, _ = _figure(title)
    style.finish(fig, note="Source: none.")
    assert style.audit(fig) == []


def test_clipped_axis_label_and_legend_fail():
    fig, ax = _figure()
    ax.set_ylabel("output (million KZT)", labelpad=300)  # pushed off the left edge
    assert any("'output (million KZT)' (axis label) is clipped" in p for p in style.audit(fig))
    fig, ax = _figure()
    ax.legend(["a series"], loc="center left", bbox_to_anchor=(1.2, 0.5))
    found = style.audit(fig)
    assert "a legend is clipped by the figure's edge" in found, found


def test_missing_title_label_and_unit_fail():
    fig, ax = _figure("")
    ax.set_xlabel("")
    ax.set_ylabel("nfe")
    found = style.audit(fig)
    assert "no title (neither a suptitle nor an axes title)" in found
    assert "axes 1: the x axis has no label" in found
    assert "axes 1: the y axis label 'nfe' names no unit in parentheses, '(unit)'" in found


def test_numbers_without_separators_and_offsets_fail():
    fig, ax = _figure()
    ax.plot([0, 1], [0, 590_000])
    found = style.audit(fig)
    assert any("lack thousands separators" in p for p in found), found
    fig, ax = _figure()
    ax.plot([0, 1], [1e9, 1e9 + 1])
    found = style.audit(fig)
    assert any("shows an offset or multiplier" in p for p in found), found
    style.thousands(ax.yaxis)
    assert not any("offset" in p or "separators" in p for p in style.audit(fig))


def test_raw_ids_fail(kz):
    fig, ax = plt.subplots(figsize=(6.3, 3.0))
    ax.barh(["rent_tax_on_export_oil", "061"], [1.0, 2.0])
    ax.set_xlabel("revenue (bn KZT)")
    ax.set_title("Revenue by tax")
    found = problems(fig, kz, note=False)
    assert "text 'rent_tax_on_export_oil' (tick label) shows the id 'rent_tax_on_export_oil', not its name" in found
    assert "axes 1: sector code '061' as a tick label" in found
    fig, ax = _figure()
    ax.set_title("petrochemical@nipt")
    assert any("identifier 'petrochemical@nipt'" in p for p in style.audit(fig))


def test_small_text_overlaps_and_width_fail():
    fig, ax = _figure()
    ax.tick_params(labelsize=6)
    assert any("is 6 pt, below 8 pt" in p for p in style.audit(fig))
    fig, ax = _figure()
    ax.text(0.5, 0.5, "one label", transform=ax.transAxes)
    ax.text(0.5, 0.5, "another label", transform=ax.transAxes)
    assert any("overlap" in p for p in style.audit(fig))
    # the old five-panel multiplier chart: 2,366 px at 130 dpi
    fig, _ = _figure(figsize=(2366 / 130, 665 / 130))
    found = style.audit(fig, dpi=130)
    assert "figure is 18.20 in wide, more than 7 in (A4 text width 6.3 in)" in found
    assert "saved at 130 dpi, below 150 dpi: it prints blurred at A4 width" in found


def test_shared_category_axes_need_no_label_but_numeric_ones_do():
    fig, axes = plt.subplots(1, 2, sharey=True, figsize=(6.3, 3))
    for ax in axes:
        ax.barh(["Agriculture", "Mining"], [1.0, 2.0])
        ax.set_xlabel("output (million KZT)")
    fig.suptitle("Shared names")
    fig.tight_layout()
    assert style.audit(fig) == []
    fig, axes = plt.subplots(1, 2, sharey=True, figsize=(6.3, 3))
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set_xlabel("output (million KZT)")
    axes[0].set_ylabel("jobs (persons)")
    fig.suptitle("Shared numbers")
    fig.tight_layout()
    assert "axes 2: the y axis has no label" in style.audit(fig)


def test_style_basics():
    assert style.axis_label("net fiscal effect", "million KZT") == "net fiscal effect (million KZT)"
    assert style.short_name("Public administration and defence; compulsory social security").endswith("\u2026")
    assert len(style.short_name("x" * 100)) == style.NAME_WIDTH
    assert style.name_of("061", {"061": "Crude petroleum"}) == "Crude petroleum"
    assert style.PALETTE[0] == style.OKABE_ITO["blue"] and len(set(style.PALETTE)) == 8
    with pytest.raises(iom.ValidationError, match="figure width 'letter' unknown"):
        style.new_figure("letter")
    with pytest.raises(iom.ValidationError, match=r"give 0\.5 to 7 in"):
        style.new_figure(12.0)
