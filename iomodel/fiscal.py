r"""Fiscal accounts of a scenario: revenue gained and forgone, net fiscal effect.

METHODS.md section 3.4 (two-state counterfactual, consistent with James 2009,
2013). Per year :math:`t`, with additionality :math:`\alpha`, displacement
:math:`d` and the state's zone costs :math:`G_t`:

* :math:`R^{other}_t`: revenue the project brings apart from the participant's
  exemptible taxes: taxes of suppliers and of induced activity in both phases
  (effective rates of the table), the participant's own non-exemptible taxes
  (PIT, resource taxes); net of displacement, :math:`(1-d)` times gross;
* :math:`R^{ex}_t`: the participant's exemptible taxes at *statutory* rates
  (CIT on taxable profit, property tax on buildings, land tax, social tax on
  wages, customs on imported equipment and inputs, the permanent part of VAT
  on goods consumed in the zone). These replace, for the participant, the
  table's effective CIT, other taxes on production, social tax and net
  product taxes on its inputs, so nothing is counted twice;
* revenue forgone :math:`RF_t = \sum_k r_k R^{ex}_{k,t}` while reductions
  :math:`r_k` apply; the rest of :math:`R^{ex}_t` is paid.

Revenue *gained* is the revenue of the additional investment, valued as if
every tax were paid, :math:`\alpha (R^{other}_t + R^{ex}_t)`; revenue
*forgone* is all of :math:`RF_t` (it is given to additional and redundant
investors alike). Then

.. math::

    NFE_t = \alpha\,(R^{other}_t + R^{ex}_t) - RF_t - G_t
          = \alpha\,(R^{other}_t + R^{ex}_t - RF_t) - (1-\alpha)\,RF_t - G_t ,

which is METHODS' :math:`\alpha R^{other}_t - (1-\alpha) RF_t - G_t` during
full relief (:math:`RF_t = R^{ex}_t`) and :math:`\alpha (R^{other}_t + R^{ex}_t) - G_t`
after expiry. Without a package: :math:`\alpha = 1`, nothing is forgone and
:math:`NFE_t = R^{other}_t + R^{ex}_t`.

Signs: gained, forgone and costs are positive numbers and
``nfe = revenue_gained - revenue_forgone - state_costs`` exactly; NFE > 0 means
the budget gains. Present values discount year :math:`t` by
:math:`(1+r)^{-(t - t_0)}` with :math:`t_0` the first year. Break-even
additionality (NPV = 0) is :math:`\alpha^* = (PV(RF) + PV(G)) / PV(R^{other} + R^{ex})`,
which reduces to METHODS' :math:`RF/(R^{other}+RF)` under full relief and no costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from . import datasets
from .errors import ValidationError
from .scenarios import UNIT_FACTORS, Scenario

if TYPE_CHECKING:  # pragma: no cover
    from .impact import PlantProfile
    from .table import IOTable

__all__ = ["fiscal_accounts", "fiscal_summary", "npv", "payback_year", "break_even_additionality", "PARTICIPANT_TAXES"]

#: The participant's exemptible taxes, valued at statutory rates.
PARTICIPANT_TAXES = ("CIT", "property_tax", "land_tax", "social_tax", "customs", "VAT")
#: Table tax rows replaced, for the participant, by the statutory computation.
_REPLACED_ROWS = (
    "tax:CIT",
    "tax:CIT_oil_sector",
    "tax:other_taxes_on_production",
    "tax:social_tax",
    "tax:net_product_taxes",
)


def npv(values: np.ndarray, rate: float) -> float:
    """Present value at the first year of a yearly series.

    Examples
    --------
    >>> round(npv(np.array([100.0, 110.0]), 0.10), 6)
    200.0
    """
    t = np.arange(len(values))
    return float(np.sum(np.asarray(values, dtype=float) / (1.0 + rate) ** t))


def payback_year(years: list[int], nfe: np.ndarray, rate: float) -> int | None:
    """First year from which the cumulative discounted net fiscal effect stays non-negative.

    Examples
    --------
    >>> payback_year([2026, 2027, 2028], np.array([-10.0, 4.0, 8.0]), 0.0)
    2028
    """
    disc = np.cumsum(np.asarray(nfe, dtype=float) / (1.0 + rate) ** np.arange(len(nfe)))
    ok = disc >= -1e-9 * max(1.0, float(np.abs(disc).max()))
    for i in range(len(ok)):
        if ok[i:].all():
            return int(years[i])
    return None


def break_even_additionality(pv_gross: float, pv_forgone: float, pv_costs: float) -> float:
    r"""Additionality at which the package pays for itself: :math:`(PV(RF)+PV(G))/PV(R^{other}+R^{ex})`.

    ``pv_gross`` is the present value of all revenue the project would bring
    if every tax were paid.

    Examples
    --------
    >>> break_even_additionality(400.0, 100.0, 0.0)
    0.25
    """
    if pv_gross <= 0:
        return float("inf")
    return (pv_forgone + pv_costs) / pv_gross


def _statutory_rates(scenario: Scenario, rates: Mapping[str, float] | None) -> dict[str, float]:
    need = ("CIT", "VAT", "social_tax", "property_tax")
    if rates is None:
        r = datasets.kazakhstan_tax_rates(scenario.tax_vintage).set_index("tax")["rate"].to_dict()
    else:
        r = {k: float(v) for k, v in rates.items()}
    missing = [k for k in need if k not in r]
    if missing:
        raise ValidationError(f"statutory rate(s) {missing} missing for {scenario.tax_vintage}")
    bad = {k: v for k, v in r.items() if not 0.0 <= v < 1.0}
    if bad:
        raise ValidationError(f"statutory rates must lie in [0, 1), got {bad}")
    return r


def _mci(first_year: int, mci: float | None) -> float:
    """MCI of a project's first year (the latest known value for later years)."""
    if mci is not None:
        return float(mci)
    table = datasets.kazakhstan_mci()
    return float(table.get(first_year, table.iloc[-1]))


def fiscal_accounts(
    table: IOTable,
    scenario: Scenario,
    impacts: xr.Dataset,
    tax_rows: list[str],
    profiles: Mapping[str, PlantProfile],
    capex: Mapping[str, Mapping[str, np.ndarray]],
    unit_factor: float,
    *,
    rates: Mapping[str, float] | None = None,
    mci: float | None = None,
) -> xr.Dataset:
    """Build the fiscal accounts of a scenario from its impacts (see the module docstring).

    Values are in the scenario's unit. Returns a Dataset with, over ``year``
    and ``tax``: ``revenue_other`` (net of displacement), ``revenue_exemptible``
    (participant, statutory), ``revenue_forgone``; over ``year``:
    ``revenue_collected`` (what the project pays with the package),
    ``revenue_gained`` (additional revenue), ``state_costs``, ``nfe``, ``nfe_cumulative``,
    ``nfe_discounted_cumulative``; and in ``attrs`` the NPV, payback year,
    break-even additionality and the parameters.
    """
    years = scenario.year_list
    T = len(years)
    pkg = scenario.package
    alpha = pkg.additionality if pkg else 1.0
    d = pkg.displacement if pkg else 0.0
    if rates is not None or _kz(table):
        r = _statutory_rates(scenario, rates)
    elif pkg is not None or tax_rows:
        raise ValidationError(
            f"table {table.meta.name!r} is not Kazakhstan's: pass the statutory rates (CIT, VAT, social_tax, "
            "property_tax) that value the participant's own taxes"
        )
    else:
        r = {}
    imp = impacts["impact"]
    other_names = [t.removeprefix("tax:") for t in tax_rows]
    other = np.zeros((T, len(other_names)))
    exempt_names = list(PARTICIPANT_TAXES)
    ex = np.zeros((T, len(exempt_names)))
    relief = np.zeros((T, len(exempt_names)))
    info: dict[str, Any] = {}
    for inv in scenario.investments:
        sub = imp.sel(investment=inv.name)
        # suppliers' and induced taxes, both phases, and construction direct (suppliers of capex)
        for j, row in enumerate(tax_rows):
            s = sub.sel(indicator=row).sum("sector")
            val = s.sel(phase="construction", effect="total") + s.sel(
                phase="operation", effect=["indirect", "induced"]
            ).sum("effect")
            if row not in _REPLACED_ROWS:
                val = val + s.sel(phase="operation", effect="direct")
            other[:, j] += val.values / unit_factor
        prof = profiles[inv.name]
        X = np.array([inv.output.get(y, 0.0) for y in years])  # scenario unit
        K = capex[inv.name]
        dep = inv.building_depreciation
        works = K["construction_works"] / unit_factor
        book = np.array([sum(works[s] * (1.0 - dep) ** (t - s) for s in range(t + 1)) for t in range(T)])
        duty = inv.customs_duty_rate
        vat_perm = inv.vat_permanent_share
        per_tax = {
            "CIT": r.get("CIT", 0.0) * prof.profit * X,
            "property_tax": r.get("property_tax", 0.0) * book,
            "land_tax": np.where(X > 0, inv.land_tax, 0.0),
            "social_tax": r.get("social_tax", 0.0) * prof.wage * X,
            "customs": duty * (prof.imported_inputs * X + K["imported"] / unit_factor),
            "VAT": r.get("VAT", 0.0) * vat_perm * prof.inputs.sum() * X,
        }
        ex += np.column_stack([per_tax[k] for k in exempt_names])
        if pkg is not None:
            if pkg.duration is None and scenario.unit not in UNIT_FACTORS:
                raise ValidationError(
                    f"the size rule for the relief period needs a KZT unit, not "
                    f"{scenario.unit!r}; set the package duration"
                )
            cost_kzt = inv.total_capex * UNIT_FACTORS.get(scenario.unit, 1.0)
            first = min(inv.capex, default=min(inv.output, default=scenario.years[0]))
            dur = pkg.years_of_relief(cost_kzt, _mci(first, mci) if pkg.duration is None else 1.0)
            start = min((y for y in (*inv.capex, *inv.output)), default=years[0])
            op_start = min(inv.output, default=start)
            end = op_start + dur - 1
            if pkg.zone_term_end is not None:
                end = min(end, pkg.zone_term_end)
            active = np.array([(start <= y <= end) for y in years], dtype=float)
            for j, k in enumerate(exempt_names):
                relief[:, j] += pkg.exemptions.get(k, 0.0) * active * per_tax[k]
            info[inv.name] = {"relief_years": f"{start}-{end}", "duration_rule_years": dur}
    other *= 1.0 - d
    forgone = relief
    G = np.array([pkg.state_costs.get(y, 0.0) for y in years]) if pkg else np.zeros(T)
    gross = other.sum(axis=1) + ex.sum(axis=1)
    gained = alpha * gross
    nfe = gained - forgone.sum(axis=1) - G
    rate = scenario.discount_rate
    disc = 1.0 / (1.0 + rate) ** np.arange(T)
    pv_gross, pv_forgone, pv_g = float(gross @ disc), float(forgone.sum(axis=1) @ disc), float(G @ disc)
    ds = xr.Dataset(
        {
            "revenue_other": (("year", "tax_other"), other),
            "revenue_exemptible": (("year", "tax_participant"), ex),
            "revenue_forgone": (("year", "tax_participant"), forgone),
            "revenue_collected": ("year", gross - forgone.sum(axis=1)),
            "revenue_gained": ("year", gained),
            "state_costs": ("year", G),
            "nfe": ("year", nfe),
            "nfe_cumulative": ("year", np.cumsum(nfe)),
            "nfe_discounted_cumulative": ("year", np.cumsum(nfe * disc)),
        },
        coords={"year": years, "tax_other": other_names, "tax_participant": exempt_names},
        attrs={
            "unit": scenario.unit,
            "additionality": alpha,
            "displacement": d,
            "discount_rate": rate,
            "npv": float(nfe @ disc),
            "payback_year": payback_year(years, nfe, rate) or -1,
            "break_even_additionality": break_even_additionality(pv_gross, pv_forgone, pv_g) if pkg else 0.0,
            "pv_revenue_gross": pv_gross,
            "pv_revenue_gained": alpha * pv_gross,
            "pv_revenue_forgone": pv_forgone,
            "pv_state_costs": pv_g,
            "statutory_rates": ", ".join(f"{k}={v}" for k, v in sorted(r.items())),
            "relief": "; ".join(
                f"{k}: {v['relief_years']} ({v['duration_rule_years']} years)" for k, v in info.items()
            ),
            "package": pkg.name if pkg else "none",
            "sign_convention": "revenues, forgone revenue and costs positive; nfe > 0 = budget gains",
        },
    )
    return ds


def _kz(table: IOTable) -> bool:
    return table.meta.currency == "KZT"


def fiscal_summary(fiscal: xr.Dataset, scenario: Scenario) -> pd.DataFrame:
    """Rows of the fiscal part of :meth:`iomodel.impact.ImpactResult.summary`."""
    a = fiscal.attrs
    unit = scenario.unit
    rows = [
        ("revenue collected from the project, total", float(fiscal.revenue_collected.sum()), unit),
        ("revenue gained (additional), total", float(fiscal.revenue_gained.sum()), unit),
        ("revenue forgone, total over horizon", float(fiscal.revenue_forgone.sum()), unit),
        ("state zone costs, total", float(fiscal.state_costs.sum()), unit),
        ("net fiscal effect, cumulative", float(fiscal.nfe.sum()), unit),
        (f"net fiscal effect, NPV at {scenario.discount_rate:.0%}", a["npv"], unit),
        ("payback year", a["payback_year"] if a["payback_year"] > 0 else float("nan"), "year"),
        ("break-even additionality", a["break_even_additionality"] if scenario.package else float("nan"), "share"),
        ("additionality assumed", a["additionality"], "share"),
        ("displacement assumed", a["displacement"], "share"),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "unit"]).set_index("item")
