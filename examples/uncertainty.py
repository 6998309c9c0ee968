"""Study: how sure is the fiscal case for an SEZ package? Monte Carlo draws, Sobol' indices and a tornado.

The machine-building investment around the Almaty Heavy Machinery Plant with
the standard Kazakh SEZ package (``examples/scenarios/machine_building_ahmp.toml``,
2026-2045) on the official 2024 input-output table
(``iomodel.datasets.kazakhstan()``), appraised by
``iomodel.sensitivity.ScenarioOutcome`` (impacts, then the fiscal accounts of
the package) with its uncertain assumptions drawn instead of fixed
(``iomodel.sensitivity``; docs/methods.md section 6).

Assumptions: every uncertain input is a documented parameter of this script
(``MC_COEFFICIENTS``, ``MC_PARAMETERS``, ``PROJECT_RISKS`` below), printed
with its rationale:

* technical coefficients ``LognormalCoefficients(cv=0.1)``: the Bureau
  publishes no standard errors for its table; a 10% coefficient of variation of
  every input coefficient is an assumed moderate error, mean-preserving, each
  column rescaled to its published sum so every sector keeps its published
  value-added share;
* tax coefficients ``TaxCoefficients(cv=0.1)``: the revenue per unit of output
  of each tax row (effective rates of suppliers and of induced activity) moves
  with compliance and the tax mix from year to year; 10% is assumed. The
  plant's own exempted taxes are valued at statutory rates (docs/fiscal.md),
  so the revenue forgone does not vary with them;
* additionality ``Triangular(0.4, 0.6, 0.8)``: the share of the investment due
  to the package is a judgement (the scenario's 0.6) that no data pin down;
  +-0.2 around it, values near the judgement more likely than the ends;
* displacement ``Uniform(0.1, 0.3)``: the share of the plant's activity that
  replaces domestic suppliers (the scenario's 0.2), no value in the range
  preferred;
* project risks, in the Sobol' indices and the tornado only: the real
  discount rate ``Triangular(0.03, 0.05, 0.08)`` (the scenario's 5%, within the
  range of real rates used in public project appraisal), plant output
  ``output_scale ~ Triangular(0.7, 1.0, 1.1)`` (demand and ramp-up risk: a
  plant rarely sells much more than planned, often less) and capital
  expenditure ``capex_scale ~ Triangular(0.9, 1.0, 1.4)`` (cost overruns of
  large industrial projects are skewed upwards).

Reports the point estimate (the scenario's own assumptions) and the 90%
interval over the Monte Carlo draws of operation jobs (peak year),
construction job-years and the NPV of the net fiscal effect; the probability
that the package pays back by 2040 (a draw that never pays back within the
horizon counts as not paying back); the Sobol' first- and total-order indices
of the NPV over additionality, displacement, discount rate, plant output and
capital expenditure; and a tornado of the NPV, each of those parameters moved
from its 5% to its 95% quantile. Writes a fan chart of the cumulative net
fiscal effect, a histogram of the NPV, the tornado chart, the draws and the
indices as CSV, and the printed report as Markdown to ``--output``.

Run:  python examples/uncertainty.py [--output DIR] [--draws 2000] [--sobol-n 256] [--seed 2026]
(about two minutes with the defaults on one core; CI runs ``--draws 40 --sobol-n 16``, about 15 s).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import xarray as xr

import iomodel as iom
from iomodel import plot, style
from iomodel import sensitivity as sa

HERE = Path(__file__).parent
SCENARIO = HERE / "scenarios" / "machine_building_ahmp.toml"
PAYBACK_BY = 2040  # the year by which the package should have paid back
LEVEL = 0.9  # central interval reported
MONEY = "billion KZT"  # reporting unit of money (the scenario's own unit is million KZT)

#: Perturbations of the table in the Monte Carlo: (perturbation, rationale).
MC_COEFFICIENTS = {
    "technical coefficients": (
        sa.LognormalCoefficients(cv=0.1),
        "no published standard errors; an assumed moderate 10% error of every input coefficient, mean-preserving, "
        "column sums (value-added shares) kept as published",
    ),
    "tax coefficients": (
        sa.TaxCoefficients(cv=0.1),
        "effective revenue per unit of output of each tax row moves with compliance and the tax mix; 10% assumed "
        "(the plant's exempted taxes are at statutory rates and do not vary)",
    ),
}
#: Parameters of ScenarioOutcome drawn in the Monte Carlo (and in the Sobol' design): (distribution, rationale).
MC_PARAMETERS = {
    "additionality": (
        sa.Triangular(0.4, 0.6, 0.8),
        "share of the investment due to the package: the scenario's 0.6 is a judgement; +-0.2, the middle likelier",
    ),
    "displacement": (
        sa.Uniform(0.1, 0.3),
        "share of the plant's activity replacing domestic suppliers, around the scenario's 0.2, none preferred",
    ),
}
#: Project risks added in the Sobol' indices and the tornado: (distribution, rationale).
PROJECT_RISKS = {
    "discount_rate": (
        sa.Triangular(0.03, 0.05, 0.08),
        "real discount rate: the scenario's 5%, within the range of real rates of public project appraisal",
    ),
    "output_scale": (
        sa.Triangular(0.7, 1.0, 1.1),
        "plant output relative to plan (demand, ramp-up): rarely much above plan, often below",
    ),
    "capex_scale": (
        sa.Triangular(0.9, 1.0, 1.4),
        "capital expenditure relative to plan: cost overruns of large projects are skewed upwards",
    ),
}
#: The scalar results reported with their point estimate and interval: (label, unit shown).
REPORTED = {
    "operation_jobs_peak": ("operation jobs, peak year", "jobs"),
    "construction_job_years": ("construction employment", "job-years"),
    "npv": ("net fiscal effect, NPV", MONEY),
}


def assumptions_text(draws: int, sobol_n: int, seed: int) -> list[str]:
    """The assumptions as report lines: every distribution and its rationale."""
    lines = [
        f"## Assumptions (Monte Carlo: {draws:,} draws, seed {seed}; Sobol': n = {sobol_n})",
        "",
        "Monte Carlo (the intervals and the payback probability):",
    ]
    for name, (d, why) in {**MC_COEFFICIENTS, **MC_PARAMETERS}.items():
        lines.append(f"- {name} ~ {d.describe()}: {why}")
    lines += ["", "Sobol' indices and tornado: additionality and displacement as above, and the project risks"]
    for name, (d, why) in PROJECT_RISKS.items():
        lines.append(f"- {name} ~ {d.describe()}: {why}")
    lines += [
        "- the tornado moves each parameter from its 5% to its 95% quantile, the others at the scenario's values",
        "",
    ]
    return lines


def run(output: Path, draws: int = 2000, sobol_n: int = 256, seed: int = 2026) -> str:
    output.mkdir(parents=True, exist_ok=True)
    kz = iom.datasets.kazakhstan()
    sc = iom.Scenario.from_toml(SCENARIO)
    outcome = sa.ScenarioOutcome(sc)
    point = outcome(kz)  # the scenario's own assumptions

    # -- Monte Carlo: coefficients of the table, additionality and displacement
    ds = sa.monte_carlo(
        outcome,
        kz,
        draws=draws,
        seed=seed,
        coefficients=[c for c, _ in MC_COEFFICIENTS.values()],
        parameters={k: d for k, (d, _) in MC_PARAMETERS.items()},
    )
    scalars = [v for v in ds.data_vars if ds[v].dims == ("draw",)]
    ds[scalars].to_dataframe().to_csv(output / "uncertainty_draws.csv")
    band = sa.interval(ds[list(REPORTED)], LEVEL)
    p_payback = float(sa.exceedance(ds["payback_year"], PAYBACK_BY, below=True))
    never = int(ds["payback_year"].isnull().sum())
    p_loss = float(sa.exceedance(ds["npv"], 0.0, below=True, inclusive=False))

    # -- Sobol' indices of the NPV over the fiscal parameters and the project risks
    gsa_params = {k: d for k, (d, _) in {**MC_PARAMETERS, **PROJECT_RISKS}.items()}
    sob = sa.sobol(outcome, kz, gsa_params, n=sobol_n, outputs=["npv"], seed=seed)
    sob.to_dataframe().to_csv(output / "uncertainty_sobol.csv")

    # -- tornado: each parameter from its 5% to its 95% quantile, the others at the scenario's values
    ranges = {k: (round(float(d.ppf(0.05)), 3), round(float(d.ppf(0.95)), 3)) for k, d in gsa_params.items()}
    package = sc.package
    if package is None:
        raise SystemExit(f"{SCENARIO} defines no SEZ package: nothing to appraise")
    base = {
        "additionality": package.additionality,
        "displacement": package.displacement,
        "discount_rate": sc.discount_rate,
        "output_scale": 1.0,
        "capex_scale": 1.0,
    }
    tn = sa.tornado(outcome, kz, ranges, base=base, outputs=["npv", "payback_year"])
    tn.to_dataframe().to_csv(output / "uncertainty_tornado.csv")

    # -- figures
    draws_note = (
        f"{draws:,} Monte Carlo draws (seed {seed}): technical and tax coefficients lognormal, CV 10%; "
        "additionality and displacement as in the assumptions"
    )
    figures = {
        "nfe_cumulative_fan.png": plot.fan_chart(
            ds["nfe_cumulative"], level=(0.5, LEVEL), note=style.source_note(ds.attrs, notes=[draws_note])
        ),
        "nfe_npv_histogram.png": plot.nfe_histogram(
            ds, payback_by=PAYBACK_BY, note=style.source_note(ds.attrs, notes=[draws_note])
        ),
        "tornado_npv.png": plot.tornado_chart(
            tn,
            output="npv",
            note=style.source_note(tn.attrs, notes=["each parameter from its 5% to its 95% quantile"]),
        ),
    }
    for name, fig in figures.items():
        style.save(fig, output / name)
        plt.close(fig)

    text = report(sc, point, ds, band, p_payback, never, p_loss, sob, tn, draws, sobol_n, seed, output, figures)
    (output / "uncertainty.md").write_text(text + "\n", encoding="utf-8")
    return text


def _in(value: float, unit: str, to: str) -> float:
    """A value in ``unit`` expressed in ``to`` (money converts by scale; other units must match)."""
    return value * iom.units.factor(unit, to) if unit != to else value


def report(
    sc: iom.Scenario,
    point: xr.Dataset,
    ds: xr.Dataset,
    band: xr.Dataset,
    p_payback: float,
    never: int,
    p_loss: float,
    sob: xr.Dataset,
    tn: xr.Dataset,
    draws: int,
    sobol_n: int,
    seed: int,
    output: Path,
    figures: dict,
) -> str:
    """The printed report, computed from the results."""
    lines = [f"# Uncertainty of the fiscal case: {sc.name}", ""]
    lines += assumptions_text(draws, sobol_n, seed)
    lo_q, hi_q = (1 - LEVEL) / 2, (1 + LEVEL) / 2
    lines += [
        f"## Point estimate and {LEVEL:.0%} intervals over {draws:,} draws ({lo_q:.0%} and {hi_q:.0%} quantiles)",
        "",
    ]
    for var, (label, unit) in REPORTED.items():
        u = str(ds[var].attrs["units"])
        pt = _in(float(point[var]), u, unit)
        mean = _in(float(ds[var].mean()), u, unit)
        lo, hi = (_in(float(v), u, unit) for v in band[var].values)
        fmt = "{:,.2f}" if unit == MONEY else "{:,.0f}"
        lines.append(
            f"- {label} ({unit}): point {fmt.format(pt)}, mean {fmt.format(mean)}, "
            f"{LEVEL:.0%} interval [{fmt.format(lo)}, {fmt.format(hi)}]"
        )
    years = ds["year"].values
    paid = int((ds["payback_year"] <= PAYBACK_BY).sum())
    pb = float(point["payback_year"])
    point_pb = f"payback in {pb:.0f}" if pb == pb else "no payback within the horizon"
    lines += [
        f"- P(payback by {PAYBACK_BY}) = {p_payback:.4f} ({paid:,} of {draws:,} draws; {never:,} never pay back "
        f"within {years[0]}-{years[-1]}; point estimate: {point_pb})",
        f"- P(NPV < 0) = {p_loss:.4f}",
        "",
    ]
    s = sob.sel(indicator="npv")
    lines += [
        f"## What drives the NPV: Sobol' indices (n = {sobol_n}, {sob.attrs['evaluations']:,} runs; +- 95% bootstrap)",
        "",
        f"{'parameter':<16}{'first order S1':>18}{'total order ST':>18}",
    ]
    order = s["ST"].to_series().sort_values(ascending=False).index
    for p in order:
        v = s.sel(parameter=p)
        s1 = f"{float(v['S1']):.2f} +- {float(v['S1_conf']):.2f}"
        st = f"{float(v['ST']):.2f} +- {float(v['ST_conf']):.2f}"
        lines.append(f"{p:<16}{s1:>18}{st:>18}")
    if sobol_n < 128:
        lines.append(f"(n = {sobol_n} is a smoke test: the indices are rough; use --sobol-n 256 or more)")
    lines.append("")
    t = tn.sel(indicator="npv")
    u = str(t["units"].values)
    lines += ["## Tornado: the NPV with one parameter at its 5% and 95% quantile, the others at base", ""]
    for p in t["parameter"].values:
        v = t.sel(parameter=p)
        lo, hi = _in(float(v["low"]), u, MONEY), _in(float(v["high"]), u, MONEY)
        lines.append(
            f"- {p} {float(v['low_value']):g} to {float(v['high_value']):g}: NPV {lo:,.2f} to {hi:,.2f} {MONEY} "
            f"(swing {abs(hi - lo):,.2f})"
        )
    cap = t.sel(parameter="capex_scale")
    if float(cap["high"]) > float(cap["low"]):
        lines.append(
            "- a cost overrun raises the NPV here: in the input-output model extra construction spending is extra "
            "activity and tax revenue (gross of any crowding out)"
        )
    top = str(order[0])
    lines += [
        "",
        f"The NPV's main driver is {top} (total-order index {float(s['ST'].sel(parameter=top)):.2f}); "
        f"with the Monte Carlo assumptions the package pays back by {PAYBACK_BY} in {p_payback:.2%} of the draws.",
        "",
        "Figures: " + ", ".join(str(output / f) for f in figures),
        f"Draws and indices: {output / 'uncertainty_draws.csv'}, {output / 'uncertainty_sobol.csv'}, "
        f"{output / 'uncertainty_tornado.csv'}",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", type=Path, default=Path("output/uncertainty"))
    ap.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws (default 2000)")
    ap.add_argument("--sobol-n", type=int, default=256, help="Sobol' base sample, a power of two (default 256)")
    ap.add_argument("--seed", type=int, default=2026, help="seed of the draws and of the Sobol' design")
    a = ap.parse_args()
    print(run(a.output, draws=a.draws, sobol_n=a.sobol_n, seed=a.seed))


if __name__ == "__main__":
    main()
