r"""Fiscal accounts of a scenario: revenue gained and forgone, net fiscal effect.

:func:`fiscal_accounts` works on an impact result alone
(:func:`iomodel.impact`): it never touches the IO model, so a Monte Carlo over
additionality, displacement, statutory rates or the discount rate reruns only
this step. :func:`appraise` does both steps; :class:`Appraisal` holds both.

docs/fiscal.md (two-state counterfactual, consistent with James 2009,
2013). Per year :math:`t`, with additionality :math:`\alpha`, displacement
:math:`d` and the state's zone costs :math:`G_t`:

* :math:`R^{other}_t`: revenue the project brings apart from the participant's
  exemptible taxes, at the table's effective rates: taxes of suppliers and of
  induced activity in both phases, product taxes (VAT, excise) on induced
  household consumption, the participant's own taxes that no package exempts
  (PIT of its employees, resource taxes); net of displacement, :math:`(1-d)`
  times gross;
* :math:`R^{ex}_t`: the participant's exemptible taxes at *statutory* rates of
  the economy (CIT on taxable profit, property tax on buildings, land tax,
  social tax on wages, import duties on imported equipment and inputs, the
  permanent part of VAT on its domestic inputs). For the participant these
  replace the table's rows named in
  :attr:`iomodel.Economy.participant_tax_rows` (effective CIT, other taxes on
  production, social tax, net product taxes on its inputs), so nothing is
  counted twice: the plant's net product taxes on inputs are counted once, as
  the VAT and customs items of :math:`R^{ex}` (docs/fiscal.md);
* import duties: where a customs union pools duties, the national budget
  keeps the share :attr:`iomodel.Economy.customs_pooling_share` of them
  (Kazakhstan 7.055%, Treaty on the EAEU, Annex 5); :math:`R^{ex}` and the
  revenue forgone count that share, and ``customs_forgone_pooled`` reports
  the duty forgone by the whole union beside it;
* revenue forgone :math:`RF_t = \sum_k r_k R^{ex}_{k,t}` in years of relief
  (reductions :math:`r_k`); the rest of :math:`R^{ex}_t` is paid.

Revenue *gained* is the revenue of the additional investment, valued as if
every tax were paid, :math:`\alpha (R^{other}_t + R^{ex}_t)`; revenue
*forgone* is all of :math:`RF_t` (it is given to additional and redundant
investors alike). Then

.. math::

    NFE_t = \alpha\,(R^{other}_t + R^{ex}_t) - RF_t - G_t ,

which is the textbook :math:`\alpha R^{other}_t - (1-\alpha) RF_t - G_t` during
full relief and :math:`\alpha (R^{other}_t + R^{ex}_t) - G_t` after expiry.
Without a package: :math:`\alpha = 1`, nothing is forgone.

Relief runs from the first year of the project (construction: duties on
imported equipment, property tax) to the last year of the relief period
counted from the first year of operation, capped by the zone's legal term
(:attr:`iomodel.Zone.term_end`) and the package's ``zone_term_end``; a
duration of 0 grants nothing. The ``relief`` attribute states the exact years.

Signs: gained, forgone and costs are positive numbers and
``nfe = revenue_gained - revenue_forgone - state_costs`` exactly. Present
values discount year :math:`t` by :math:`(1+r)^{-(t - t_0)}`. Break-even
additionality (NPV = 0) is :math:`\alpha^* = (PV(RF) + PV(G)) / PV(R^{other} + R^{ex})`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from . import dims, units
from .economy import Economy
from .errors import LabelError, ValidationError
from .files import atomic_write
from .impacts import ImpactResult, economy_of, impact, impact_sums, scenario_of
from .scenarios import EXEMPTIBLE_TAXES, Scenario, SEZPackage
from .table import IOTable

__all__ = [
    "PARTICIPANT_TAXES",
    "Appraisal",
    "appraise",
    "break_even_additionality",
    "by_budget_level",
    "fiscal_accounts",
    "fiscal_summary",
    "fiscal_sweep",
    "npv",
    "payback_year",
    "relief_window",
]

#: The participant's exemptible taxes, valued at statutory rates.
PARTICIPANT_TAXES = EXEMPTIBLE_TAXES


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

    Examples
    --------
    >>> break_even_additionality(400.0, 100.0, 0.0)
    0.25
    """
    if pv_gross <= 0:
        return float("inf")
    return (pv_forgone + pv_costs) / pv_gross


def relief_window(
    package: SEZPackage,
    *,
    capex: dict[int, float],
    output: dict[int, float],
    economy: Economy,
    zone: str | None,
    cost_in_currency: float,
) -> tuple[tuple[int, ...], str, int]:
    """Years of relief of one investment, a label stating them, and the duration that applied.

    ``capex`` and ``output`` map years to amounts (only positive years
    count); ``cost_in_currency`` is the project's cost in the economy's
    currency for the size rule.

    Examples
    --------
    >>> from iomodel import Economy, SEZPackage
    >>> relief_window(SEZPackage(exemptions={"CIT": 1.0}, duration=3), capex={2026: 1.0},
    ...               output={2027: 1.0, 2028: 1.0}, economy=Economy(), zone=None, cost_in_currency=1.0)
    ((2026, 2027, 2028, 2029), '2026-2029 (construction from 2026; 3 years of operation from 2027)', 3)
    >>> relief_window(SEZPackage(exemptions={"CIT": 1.0}, duration=0), capex={2026: 1.0},
    ...               output={2027: 1.0}, economy=Economy(), zone=None, cost_in_currency=1.0)[1]
    'none (duration 0)'
    """
    active = sorted({y for y, v in capex.items() if v > 0} | {y for y, v in output.items() if v > 0})
    if not active:
        return (), "none (no capex or output)", 0
    start = active[0]
    op_years = sorted(y for y, v in output.items() if v > 0)
    if package.duration is not None:
        dur = int(package.duration)
    else:
        dur = economy.relief_years(cost_in_currency, start)
    if dur == 0:
        return (), "none (duration 0)", 0
    op_start = op_years[0] if op_years else start
    end = op_start + dur - 1
    caps = []
    if zone is not None:
        term = economy.zone(zone).term_end
        if term is not None and term < end:
            end, caps = term, [f"capped by the legal term of zone {zone!r} ending {term}"]
    if package.zone_term_end is not None and package.zone_term_end < end:
        end, caps = package.zone_term_end, [f"capped by the package's end year {package.zone_term_end}"]
    if end < start:
        return (), f"none: relief would end in {end}, before the project starts in {start} ({'; '.join(caps)})", dur
    if op_years and end < op_start:
        what = f"construction years {start}-{end} only: no year of operation ({'; '.join(caps)})"
    else:
        ran = min(dur, end - op_start + 1)
        what = (
            f"construction from {start}; {ran} "
            + ("" if ran == dur else f"of {dur} ")
            + ("year" if dur == 1 else "years")
            + f" of operation from {op_start}"
            + (f"; {'; '.join(caps)}" if caps else "")
        )
    return tuple(range(start, end + 1)), f"{start}-{end} ({what})", dur


@dataclass(frozen=True)
class _Components:
    """The parts of the accounts that do not depend on additionality, displacement or the discount rate."""

    ds: xr.Dataset
    scenario: Scenario
    economy: Economy
    years: list[int]
    tax_names: list[str]
    other: np.ndarray  # (T, k) before displacement
    ex: np.ndarray
    forgone: np.ndarray
    pooled: np.ndarray
    G: np.ndarray
    reliefs: list[str]
    relief_operation_years: int  # years of operation with relief, summed over investments
    not_valued: set[str]
    statutory: Any
    vintage: str
    unit: str


def _components(
    impacts: ImpactResult | xr.Dataset,
    package: SEZPackage | None,
    economy: Economy | None,
    tax_vintage: str | None,
    unit: str | None,
) -> _Components:
    if isinstance(impacts, ImpactResult):
        ds, scenario, eco, sums = impacts.dataset, impacts.scenario, economy or impacts.economy, impacts.sums
    elif isinstance(impacts, xr.Dataset):
        ds, scenario, sums = impacts, scenario_of(impacts), impact_sums(impacts)
        named = str(impacts.attrs.get("economy", Economy.neutral().name))
        if economy is None and named != Economy.neutral().name:
            raise ValidationError(
                f"the impacts were computed in economy {named!r}: pass it as economy= (e.g. "
                "iomodel.datasets.kazakhstan_economy()), its statutory rates, zones and customs pooling value the "
                "participant's taxes"
            )
        eco = economy or Economy.neutral()
    else:
        raise ValidationError(f"impacts must be an ImpactResult or its dataset, got {type(impacts).__name__}")
    if package is not None and not isinstance(package, SEZPackage):
        raise ValidationError(f"package must be an iomodel.SEZPackage or None, got {type(package).__name__}")
    vintage = tax_vintage or str(ds.attrs.get("tax_vintage") or scenario.vintage)
    table_unit = str(ds.attrs["table_unit"])
    out_unit = unit or str(ds.attrs.get("scenario_unit") or table_unit)
    to_out = units.factor(table_unit, out_unit)
    years = list(sums.years)
    T = len(years)
    statutory = eco.rates_on(vintage)
    tax_names = list(dict.fromkeys([*sums.taxes, *sums.consumption_taxes, *PARTICIPANT_TAXES]))
    col = {t: j for j, t in enumerate(tax_names)}
    other = np.zeros((T, len(tax_names)))
    ex = np.zeros((T, len(tax_names)))
    forgone = np.zeros((T, len(tax_names)))
    pooled = np.zeros(T)
    reliefs: list[str] = []
    op_relief = 0
    not_valued: set[str] = set()
    # -- revenue other: suppliers, induced activity, the participant's non-exemptible taxes
    keep = np.array([1.0 - eco.participant_tax_rows.get(t, 0.0) for t in sums.taxes])
    if sums.taxes:
        idx = [col[t] for t in sums.taxes]
        other[:, idx] += (sums.construction + sums.operation_chain + keep * sums.operation_direct) * to_out
    if sums.consumption_taxes:
        other[:, [col[t] for t in sums.consumption_taxes]] += sums.consumption * to_out
    # -- the participant's exemptible taxes at statutory rates, and relief
    t_idx = np.arange(T)
    for i, inv_name in enumerate(sums.investments):
        b = {name: arr[i] * to_out for name, arr in sums.bases.items()}
        dep = float(sums.parameters["building_depreciation"][i])
        # book value of buildings: sum over s <= t of works_s (1 - dep)^(t - s)
        lag = t_idx[:, None] - t_idx[None, :]
        book = np.where(lag >= 0, (1.0 - dep) ** np.maximum(lag, 0), 0.0) @ b["capex_buildings"]
        duty_all = float(sums.parameters["customs_duty_rate"][i]) * (b["plant_imported_inputs"] + b["capex_imported"])
        vat_share = float(sums.parameters["vat_permanent_share"][i])

        def rate_of(tax: str, base: np.ndarray) -> float:
            if tax in statutory:
                return statutory[tax]
            if np.any(base > 0):
                not_valued.add(tax)
            return 0.0

        per_tax = {
            "CIT": rate_of("CIT", b["plant_profit"]) * b["plant_profit"],
            "property_tax": rate_of("property_tax", book) * book,
            "land_tax": b["plant_land_tax"],
            "social_tax": rate_of("social_tax", b["plant_wages"]) * b["plant_wages"],
            "customs": eco.customs_pooling_share * duty_all,
            "VAT": rate_of("VAT", b["plant_domestic_inputs"]) * vat_share * b["plant_domestic_inputs"],
        }
        for t, v in per_tax.items():
            ex[:, col[t]] += v
        if package is None:
            continue
        missing = sorted(t for t, r in package.exemptions.items() if r > 0 and t in not_valued)
        if missing:
            raise ValidationError(
                f"package {package.name!r} exempts {missing}, but economy {eco.name!r} has no statutory rate "
                f"for them on {vintage}: the revenue forgone cannot be valued; give the economy these rates"
            )
        cost = float(b["capex"].sum())
        cost_cur = cost * units.factor(out_unit, eco.currency) if (eco.currency and package.duration is None) else cost
        win, label, _ = relief_window(
            package,
            capex=dict(zip(years, b["capex"], strict=True)),
            output=dict(zip(years, b["plant_output"], strict=True)),
            economy=eco,
            zone=scenario.zone,
            cost_in_currency=cost_cur,
        )
        reliefs.append(f"{inv_name}: {label}")
        active = np.isin(years, win).astype(float)
        op_relief += int(np.sum(active * (b["plant_output"] > 0)))
        for t, r in package.exemptions.items():
            forgone[:, col[t]] += r * active * per_tax[t]
        pooled += package.exemptions.get("customs", 0.0) * active * duty_all
    G = np.zeros(T)
    if package is not None and package.state_costs:
        f = units.factor(scenario.unit or table_unit, out_unit)
        G = np.array([package.state_costs.get(y, 0.0) for y in years]) * f
    return _Components(
        ds=ds,
        scenario=scenario,
        economy=eco,
        years=years,
        tax_names=tax_names,
        other=other,
        ex=ex,
        forgone=forgone,
        pooled=pooled,
        G=G,
        reliefs=reliefs,
        relief_operation_years=op_relief,
        not_valued=not_valued,
        statutory=statutory,
        vintage=vintage,
        unit=out_unit,
    )


def fiscal_accounts(
    impacts: ImpactResult | xr.Dataset,
    package: SEZPackage | None,
    *,
    economy: Economy | None = None,
    discount_rate: float | None = None,
    tax_vintage: str | None = None,
    unit: str | None = None,
) -> xr.Dataset:
    """The fiscal accounts of a scenario from its impacts (see the module docstring).

    Parameters
    ----------
    impacts
        An :class:`~iomodel.ImpactResult` or its dataset (e.g. read back from
        netCDF).
    package
        The SEZ package (``None``: no package: nothing forgone, additionality 1).
    economy
        Statutory rates, MCI, relief rule, zones, customs pooling; default:
        the impact result's economy (an impact *dataset* needs it given, unless
        no statutory fact is used).
    discount_rate
        Real discount rate; default the scenario's.
    tax_vintage
        ISO date whose statutory rates apply; default the scenario's.
    unit
        Monetary unit of the accounts; default the scenario's.

    Returns
    -------
    xarray.Dataset
        Over ``year`` and ``tax``: ``revenue_other`` (net of displacement),
        ``revenue_exemptible`` (participant, statutory; national share of
        duties), ``revenue_forgone``; over ``year``: ``customs_forgone_pooled``
        (duties forgone by the whole customs union), ``revenue_collected``,
        ``revenue_gained``, ``state_costs``, ``nfe``, ``nfe_cumulative``,
        ``nfe_discounted_cumulative``; NPV, payback year, break-even
        additionality, relief years and the parameters in ``attrs``.

    Examples
    --------
    Recompute the accounts for another additionality without the IO model:

    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> inv = iom.ClusterInvestment(name="plant", cluster="machine_building",
    ...                             capex={2026: 20_000.0}, output={2027: 15_000.0, 2028: 15_000.0})
    >>> sc = iom.Scenario(name="demo", investments=(inv,), years=(2026, 2030), unit="million KZT",
    ...                   package=kz.economy.sez_package(additionality=0.5))
    >>> res = iom.impact(kz, sc)
    >>> acc = iom.fiscal.fiscal_accounts(res, sc.package.replace(additionality=0.8))
    >>> acc.attrs["additionality"], acc.nfe.attrs["units"]
    (0.8, 'million KZT')
    """
    c = _components(impacts, package, economy, tax_vintage, unit)
    ds, scenario, eco, years, T = c.ds, c.scenario, c.economy, c.years, len(c.years)
    rate = scenario.discount_rate if discount_rate is None else float(discount_rate)
    if not -0.5 < rate < 1.0:
        raise ValidationError(f"discount rate {rate} is implausible")
    alpha = package.additionality if package else 1.0
    d = package.displacement if package else 0.0
    other, ex, forgone, pooled, G = (1.0 - d) * c.other, c.ex, c.forgone, c.pooled, c.G
    out_unit, vintage, statutory, reliefs, not_valued = c.unit, c.vintage, c.statutory, c.reliefs, c.not_valued
    tax_names = c.tax_names
    gross = other.sum(axis=1) + ex.sum(axis=1)
    gained = alpha * gross
    rf = forgone.sum(axis=1)
    nfe = gained - rf - G
    disc = 1.0 / (1.0 + rate) ** np.arange(T)
    pv_gross, pv_forgone, pv_g = float(gross @ disc), float(rf @ disc), float(G @ disc)
    money = {"units": out_unit}
    yt = (dims.YEAR, dims.TAX)
    y = (dims.YEAR,)
    variables = {
        "revenue_other": (yt, other, "revenue apart from the participant's exemptible taxes, net of displacement"),
        "revenue_exemptible": (
            yt,
            ex,
            "the participant's exemptible taxes at statutory rates (national share of duties)",
        ),
        "revenue_forgone": (yt, forgone, "revenue forgone through the package"),
        "customs_forgone_pooled": (y, pooled, "import duties forgone by the whole customs union"),
        "revenue_collected": (y, gross - rf, "revenue the project pays with the package"),
        "revenue_gained": (y, gained, "revenue of the additional investment"),
        "state_costs": (y, G, "the state's zone costs"),
        "nfe": (y, nfe, "net fiscal effect"),
        "nfe_cumulative": (y, np.cumsum(nfe), "net fiscal effect, cumulative"),
        "nfe_discounted_cumulative": (y, np.cumsum(nfe * disc), "net fiscal effect, discounted, cumulative"),
    }
    attrs = {k: v for k, v in ds.attrs.items() if k != "unit_factor"}
    attrs.update(
        unit=out_unit,
        economy=eco.name,
        additionality=alpha,
        displacement=d,
        discount_rate=rate,
        tax_vintage=vintage,
        npv=float(nfe @ disc),
        payback_year=payback_year(years, nfe, rate) or -1,
        break_even_additionality=break_even_additionality(pv_gross, pv_forgone, pv_g) if package else float("nan"),
        pv_revenue_gross=pv_gross,
        pv_revenue_gained=alpha * pv_gross,
        pv_revenue_forgone=pv_forgone,
        pv_state_costs=pv_g,
        statutory_rates=", ".join(f"{k}={v}" for k, v in sorted(statutory.items())),
        taxes_not_valued=", ".join(sorted(not_valued)),
        customs_pooling_share=eco.customs_pooling_share,
        relief="; ".join(reliefs) if package else "no package",
        relief_operation_years=c.relief_operation_years,
        package=package.name if package else "none",
        sign_convention="revenues, forgone revenue and costs positive; nfe > 0 = budget gains",
        method="docs/fiscal.md",
    )
    return xr.Dataset(
        {k: xr.Variable(dd, v, {**money, "long_name": ln}) for k, (dd, v, ln) in variables.items()},
        coords={dims.YEAR: years, dims.TAX: tax_names},
        attrs=attrs,
    )


def fiscal_sweep(
    impacts: ImpactResult | xr.Dataset,
    package: SEZPackage | None,
    *,
    additionality: Any = None,
    displacement: Any = None,
    discount_rate: Any = None,
    economy: Economy | None = None,
    tax_vintage: str | None = None,
    unit: str | None = None,
) -> xr.Dataset:
    """The fiscal accounts for many values of additionality, displacement and the discount rate at once.

    The net fiscal effect is linear in additionality and displacement and the
    relief window does not depend on them, so every value is computed from one
    set of revenue components (:func:`fiscal_accounts` for each value gives the
    same numbers; the test suite checks it). For sensitivity runs over the
    fiscal assumptions (docs/fiscal.md: report ranges over alpha and d).

    Parameters
    ----------
    impacts, package, economy, tax_vintage, unit
        As in :func:`fiscal_accounts`.
    additionality, displacement, discount_rate
        One value or an array per draw (arrays of one length); ``None``: the
        package's and the scenario's value.

    Returns
    -------
    xarray.Dataset
        Over ``draw`` and ``year``: ``nfe``, ``revenue_gained``,
        ``revenue_forgone`` (all taxes); over ``draw``: ``npv``,
        ``payback_year`` (-1: none within the horizon),
        ``break_even_additionality``; the parameters as coordinates along ``draw``.

    Examples
    --------
    >>> import numpy as np
    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> inv = iom.ClusterInvestment(name="plant", cluster="machine_building",
    ...                             capex={2026: 20_000.0}, output={y: 15_000.0 for y in range(2027, 2036)})
    >>> sc = iom.Scenario(name="demo", investments=(inv,), years=(2026, 2035), unit="million KZT",
    ...                   package=kz.economy.sez_package(additionality=0.5))
    >>> res = iom.impact(kz, sc)
    >>> sw = iom.fiscal.fiscal_sweep(res, sc.package, additionality=np.linspace(0.1, 1.0, 10))
    >>> sw.npv.dims, bool((np.diff(sw.npv.values) > 0).all())
    (('draw',), True)
    """
    c = _components(impacts, package, economy, tax_vintage, unit)
    years, T = c.years, len(c.years)
    base_a = package.additionality if package else 1.0
    base_d = package.displacement if package else 0.0
    params = {
        "additionality": base_a if additionality is None else additionality,
        "displacement": base_d if displacement is None else displacement,
        "discount_rate": c.scenario.discount_rate if discount_rate is None else discount_rate,
    }
    arrs = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in params.items()}
    try:
        arrs = dict(zip(arrs, np.broadcast_arrays(*arrs.values()), strict=True))
    except ValueError:
        raise ValidationError(f"parameter arrays differ in length: { {k: v.size for k, v in arrs.items()} }") from None
    a, d, r = (arrs[k].ravel() for k in ("additionality", "displacement", "discount_rate"))
    for name, v, lo, hi in (("additionality", a, 0.0, 1.0), ("displacement", d, 0.0, 1.0)):
        bad = ~np.isfinite(v) | (v < lo) | (v > hi)
        if bad.any():
            raise ValidationError(f"{name} must lie in [{lo}, {hi}]; draw {int(np.argmax(bad))} has {v[bad][0]!r}")
    bad = ~np.isfinite(r) | (r <= -0.5) | (r >= 1.0)
    if bad.any():
        raise ValidationError(f"discount rate {r[bad][0]!r} (draw {int(np.argmax(bad))}) is implausible")
    if package is None and (additionality is not None or displacement is not None):
        raise ValidationError("without a package additionality is 1 and displacement 0: give a package to vary them")
    other_t, ex_t, rf, G = c.other.sum(axis=1), c.ex.sum(axis=1), c.forgone.sum(axis=1), c.G
    gross = (1.0 - d)[:, None] * other_t[None, :] + ex_t[None, :]  # (D, T)
    gained = a[:, None] * gross
    nfe = gained - rf[None, :] - G[None, :]
    disc = 1.0 / (1.0 + r[:, None]) ** np.arange(T)[None, :]
    cum = np.cumsum(nfe * disc, axis=1)
    scale = np.maximum(1.0, np.abs(cum).max(axis=1, initial=0.0))
    ok = cum >= -1e-9 * scale[:, None]
    stays = np.flip(np.logical_and.accumulate(np.flip(ok, axis=1), axis=1), axis=1)
    first = np.where(stays.any(axis=1), stays.argmax(axis=1), -1)
    payback = np.where(first >= 0, np.asarray(years)[np.maximum(first, 0)], -1)
    pv_gross = (gross * disc).sum(axis=1)
    pv_cost = (rf[None, :] * disc).sum(axis=1) + (G[None, :] * disc).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        be = np.where(pv_gross > 0, pv_cost / np.where(pv_gross > 0, pv_gross, 1.0), np.inf)
    if package is None:
        be = np.full_like(be, np.nan)
    money = {"units": c.unit}
    dy = (dims.DRAW, dims.YEAR)
    return xr.Dataset(
        {
            "nfe": (dy, nfe, {**money, "long_name": "net fiscal effect"}),
            "revenue_gained": (dy, gained, {**money, "long_name": "revenue of the additional investment"}),
            "revenue_forgone": (dy, np.broadcast_to(rf, nfe.shape).copy(), {**money, "long_name": "revenue forgone"}),
            "npv": (dims.DRAW, (nfe * disc).sum(axis=1), {**money, "long_name": "NPV of the net fiscal effect"}),
            "payback_year": (dims.DRAW, payback, {"units": "year", "long_name": "payback year (-1: none)"}),
            "break_even_additionality": (dims.DRAW, be, {"units": "share", "long_name": "break-even additionality"}),
        },
        coords={
            dims.DRAW: np.arange(len(a)),
            dims.YEAR: years,
            "additionality": (dims.DRAW, a, {"units": "share"}),
            "displacement": (dims.DRAW, d, {"units": "share"}),
            "discount_rate": (dims.DRAW, r, {"units": "per year"}),
        },
        attrs={
            **{k: v for k, v in c.ds.attrs.items() if k != "unit_factor"},
            "unit": c.unit,
            "economy": c.economy.name,
            "tax_vintage": c.vintage,
            "relief": "; ".join(c.reliefs) if package else "no package",
            "package": package.name if package else "none",
            "method": "docs/fiscal.md (one set of components, linear in alpha and d)",
        },
    )


def fiscal_summary(accounts: xr.Dataset) -> pd.DataFrame:
    """Rows of the fiscal accounts a ministry reader understands (values in the accounts' unit)."""
    a = accounts.attrs
    unit = a["unit"]
    has_pkg = a.get("package", "none") != "none"
    rows = [
        ("revenue collected from the project, total", float(accounts.revenue_collected.sum()), unit),
        ("revenue gained (additional), total", float(accounts.revenue_gained.sum()), unit),
        ("revenue forgone, total over horizon", float(accounts.revenue_forgone.sum()), unit),
        ("state zone costs, total", float(accounts.state_costs.sum()), unit),
        ("net fiscal effect, cumulative", float(accounts.nfe.sum()), unit),
        (f"net fiscal effect, NPV at {a['discount_rate']:.0%}", a["npv"], unit),
        ("payback year", a["payback_year"] if a["payback_year"] > 0 else float("nan"), "year"),
        ("break-even additionality", a["break_even_additionality"] if has_pkg else float("nan"), "share"),
        ("additionality assumed", a["additionality"], "share"),
        ("displacement assumed", a["displacement"], "share"),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "unit"]).set_index("item")


#: The level that :func:`by_budget_level` gives the duties forgone by the other members of a customs union.
CUSTOMS_UNION_LEVEL = "customs_union_others"
#: Its readable name.
CUSTOMS_UNION_LEVEL_NAME = "Other members of the customs union (pooled import duties)"


def by_budget_level(accounts: xr.Dataset, economy: Economy) -> xr.Dataset:
    r"""Revenue gained and forgone by level of budget (republican, local, a national fund, ...) and year.

    Each tax of the accounts is split over levels by the economy's
    :attr:`~iomodel.Economy.budget_levels`. Per tax :math:`k`, revenue gained
    is :math:`\alpha (R^{other}_k + R^{ex}_k)` and revenue forgone
    :math:`RF_k` (module docstring); their sums over the levels are the
    accounts' ``revenue_gained`` and ``revenue_forgone``. The state's zone
    costs are not attributed to a level (``state_costs`` beside).

    Where a customs union pools import duties (``customs_pooling_share`` below
    1), the level ``customs_union_others`` shows what the other members of the
    union gain and forgo: their part of the duties the participant would pay,
    :math:`\alpha R^{ex}_{customs} (1 - s)/s`, and of the duties forgone,
    ``customs_forgone_pooled`` less the national share. It is not part of the
    national budget and is left out of ``national_total``.

    Parameters
    ----------
    accounts
        The accounts of :func:`fiscal_accounts`.
    economy
        Gives the budget levels and the pooling share :math:`s`.

    Returns
    -------
    xarray.Dataset
        Over ``year`` and ``budget_level`` (with the levels' readable names
        as the coordinate ``budget_level_name``, from
        :attr:`~iomodel.Economy.budget_level_names`): ``revenue_gained``,
        ``revenue_forgone``, ``net`` (gained less forgone); over ``year``:
        ``state_costs``; the scalar ``national_total`` (net over the horizon,
        national levels, before zone costs); the accounts' unit and
        parameters in attrs.

    Raises
    ------
    ValidationError
        The economy has no budget levels.
    LabelError
        A tax of the accounts has no level (the message names it).

    Examples
    --------
    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> ap = iom.appraise(kz, iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml"))
    >>> lv = iom.fiscal.by_budget_level(ap.fiscal, kz.economy)
    >>> [str(v) for v in lv.budget_level.values]
    ['republican', 'local', 'national_fund', 'customs_union_others']
    >>> total = lv.revenue_gained.sel(budget_level=["republican", "local", "national_fund"]).sum()
    >>> bool(abs(float(total) - float(ap.fiscal.revenue_gained.sum())) < 1e-6)
    True
    """
    if not economy.budget_levels:
        raise ValidationError(
            f"economy {economy.name!r} has no budget levels (Economy.budget_levels): revenue cannot be split by level"
        )
    taxes = [str(t) for t in accounts[dims.TAX].values]
    missing = [t for t in taxes if t not in economy.budget_levels]
    if missing:
        raise LabelError(
            f"economy {economy.name!r} gives no budget level for tax(es) {missing}; "
            f"it has levels for {sorted(economy.budget_levels)}"
        )
    levels: list[str] = []
    for t in taxes:
        levels += [lv for lv in economy.budget_levels[t] if lv not in levels]
    split = np.array([[economy.budget_levels[t].get(lv, 0.0) for lv in levels] for t in taxes])  # (tax, level)
    alpha = float(accounts.attrs["additionality"])
    gained_tax = alpha * (accounts["revenue_other"].values + accounts["revenue_exemptible"].values)  # (year, tax)
    forgone_tax = accounts["revenue_forgone"].values
    gained, forgone = gained_tax @ split, forgone_tax @ split
    national = list(levels)
    share = float(accounts.attrs.get("customs_pooling_share", economy.customs_pooling_share))
    pooled = accounts["customs_forgone_pooled"].values
    if share < 1.0 and "customs" in taxes and (pooled.any() or accounts["revenue_exemptible"].sel(tax="customs").any()):
        k = taxes.index("customs")
        others_gained = alpha * accounts["revenue_exemptible"].values[:, k] * (1.0 - share) / share
        others_forgone = pooled - forgone_tax[:, k]
        gained = np.column_stack([gained, others_gained])
        forgone = np.column_stack([forgone, others_forgone])
        levels.append(CUSTOMS_UNION_LEVEL)
    unit = str(accounts.attrs["unit"])
    money = {"units": unit}
    yl = (dims.YEAR, dims.BUDGET_LEVEL)
    net = gained - forgone
    return xr.Dataset(
        {
            "revenue_gained": (yl, gained, {**money, "long_name": "revenue of the additional investment"}),
            "revenue_forgone": (yl, forgone, {**money, "long_name": "revenue forgone through the package"}),
            "net": (yl, net, {**money, "long_name": "revenue gained less revenue forgone"}),
            "state_costs": (
                (dims.YEAR,),
                accounts["state_costs"].values,
                {**money, "long_name": "the state's zone costs (not attributed to a level)"},
            ),
            "national_total": (
                (),
                float(net[:, : len(national)].sum()),
                {**money, "long_name": "net revenue over the horizon, national levels, before zone costs"},
            ),
        },
        coords={
            dims.YEAR: accounts[dims.YEAR].values,
            dims.BUDGET_LEVEL: levels,
            "budget_level_name": (
                dims.BUDGET_LEVEL,
                [
                    CUSTOMS_UNION_LEVEL_NAME if lv == CUSTOMS_UNION_LEVEL else economy.budget_level_names.get(lv, lv)
                    for lv in levels
                ],
            ),
        },
        attrs={
            **accounts.attrs,
            "budget_levels": "; ".join(
                f"{t}: " + ", ".join(f"{lv} {v:g}" for lv, v in economy.budget_levels[t].items()) for t in taxes
            ),
            "customs_union_level": CUSTOMS_UNION_LEVEL if CUSTOMS_UNION_LEVEL in levels else "",
        },
    )


# --------------------------------------------------------------------------- both steps
@dataclass(frozen=True)
class Appraisal:
    """Impacts and fiscal accounts of one scenario (:func:`appraise`).

    Attributes
    ----------
    impacts
        The :class:`~iomodel.ImpactResult`.
    fiscal
        The accounts of :func:`fiscal_accounts` for the scenario's package.
    """

    impacts: ImpactResult
    fiscal: xr.Dataset
    #: ``report(output=None, *, unit=None, title=None, figures=True, overwrite=False)``: the appraisal report
    #: (:func:`iomodel.report.report_of`), attached by :mod:`iomodel.report` as for :class:`~iomodel.ImpactResult`.
    report: ClassVar[Callable[..., Any]]

    @property
    def scenario(self) -> Scenario:
        """The scenario appraised."""
        return self.impacts.scenario

    def summary(self) -> pd.DataFrame:
        """Impact rows (jobs, GVA, income, budget) and fiscal rows, in the scenario's unit."""
        return pd.concat([self.impacts.summary(), fiscal_summary(self.fiscal)])

    def to_dataset(self) -> xr.Dataset:
        """Impacts and fiscal accounts in one netCDF-safe :class:`xarray.Dataset`.

        The fiscal variables are prefixed ``fiscal_`` and their attributes
        ``fiscal_``; both share the ``tax`` axis, on which the impacts'
        ``consumption_taxes`` of the taxes that are not consumption taxes are 0.
        """
        fiscal = self.fiscal.rename({v: f"fiscal_{v}" for v in self.fiscal.data_vars})
        ds = xr.merge(
            [self.impacts.dataset, fiscal.drop_attrs(deep=False)],
            combine_attrs="override",
            join="outer",
            fill_value=0.0,
        )
        ds.attrs.update({f"fiscal_{k}": v for k, v in self.fiscal.attrs.items() if k not in ds.attrs})
        for k in ("npv", "payback_year", "break_even_additionality", "relief", "unit"):
            ds.attrs[f"fiscal_{k}"] = self.fiscal.attrs[k]
        return ds

    def to_netcdf(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write :meth:`to_dataset` to a netCDF file, as :meth:`iomodel.ImpactResult.to_netcdf` writes (same rules)."""
        atomic_write(path, self.to_dataset().to_netcdf, overwrite=overwrite)

    def headline(self) -> xr.Dataset:
        """The headline figures as scalar and yearly variables with units (read by comparisons and sensitivity runs).

        Scalars ``npv`` (net fiscal effect, NPV), ``payback_year`` (NaN: none
        within the horizon), ``break_even_additionality``, ``revenue_forgone``
        (PV), ``construction_job_years``, ``operation_jobs_peak``,
        ``gva_total``; over ``year``: ``nfe``, ``nfe_cumulative``, ``jobs``
        (all effects, both phases), ``gva``. Money in the scenario's unit.

        Examples
        --------
        >>> import iomodel as iom
        >>> kz = iom.datasets.kazakhstan()
        >>> sc = iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml")
        >>> h = iom.appraise(kz, sc).headline()
        >>> int(h["operation_jobs_peak"]), int(h["payback_year"]), h["npv"].attrs["units"]
        (4560, 2031, 'million KZT')
        """
        res, acc = self.impacts, self.fiscal
        unit = str(acc.attrs["unit"])
        imp = res.dataset["impact"].sel({dims.EFFECT: "total"}).sum([dims.SECTOR, dims.INVESTMENT])
        years = res.dataset[dims.YEAR].values
        out: dict[str, Any] = {}
        a = acc.attrs
        payback = float(a["payback_year"]) if a["payback_year"] and a["payback_year"] > 0 else np.nan
        out["npv"] = ((), float(a["npv"]), {"units": unit, "long_name": "net fiscal effect, NPV"})
        out["payback_year"] = ((), payback, {"units": "year", "long_name": "payback year (NaN: none in horizon)"})
        out["break_even_additionality"] = ((), float(a["break_even_additionality"]), {"units": "1"})
        forgone = float(a["pv_revenue_forgone"])
        out["revenue_forgone"] = ((), forgone, {"units": unit, "long_name": "revenue forgone, PV"})
        out["nfe"] = ((dims.YEAR,), acc["nfe"].values, {"units": unit, "long_name": "net fiscal effect"})
        out["nfe_cumulative"] = (
            (dims.YEAR,),
            acc["nfe_cumulative"].values,
            {"units": unit, "long_name": "cumulative net fiscal effect"},
        )
        names = imp[dims.INDICATOR].values.tolist()
        if "employment" in names:
            emp = imp.sel({dims.INDICATOR: "employment"})
            out["jobs"] = ((dims.YEAR,), emp.sum(dims.PHASE).values, {"units": "persons (job-years in construction)"})
            build = float(emp.sel({dims.PHASE: "construction"}).sum())
            out["construction_job_years"] = ((), build, {"units": "job-years"})
            out["operation_jobs_peak"] = ((), float(emp.sel({dims.PHASE: "operation"}).max()), {"units": "jobs"})
        if "gva" in names:
            gva = imp.sel({dims.INDICATOR: "gva"}).sum(dims.PHASE) / res.unit_factor
            out["gva"] = ((dims.YEAR,), gva.values, {"units": unit, "long_name": "gross value added, all effects"})
            out["gva_total"] = ((), float(gva.sum()), {"units": unit})
        attrs = {
            k: v
            for k, v in {**res.dataset.attrs, **acc.attrs}.items()
            if k not in ("scenario_toml",) and isinstance(v, str | int | float)
        }
        return xr.Dataset(out, coords={dims.YEAR: years}, attrs=attrs)

    def plot(self, indicator: str = "employment", **kwargs: Any) -> Any:
        """Figure: an indicator by year and effect for each phase, and the net fiscal effect.

        :func:`iomodel.plot.impact_overview` with the fiscal accounts; ``kwargs``
        go to it (e.g. ``note``, the source line).
        """
        from .plot import impact_overview

        return impact_overview(self.impacts, indicator, fiscal=self.fiscal, **kwargs)


def appraise(
    table: IOTable,
    scenario: Scenario,
    *,
    economy: Economy | None = None,
    consumption_taxes: bool = True,
) -> Appraisal:
    """Impacts (:func:`iomodel.impact`) and fiscal accounts (:func:`fiscal_accounts`) of a scenario.

    Examples
    --------
    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> inv = iom.ClusterInvestment(name="plant", cluster="machine_building",
    ...                             capex={2026: 20_000.0}, output={2027: 15_000.0})
    >>> ap = iom.appraise(kz, iom.Scenario(name="demo", investments=(inv,), years=(2026, 2030),
    ...                                    unit="million KZT"))
    >>> "net fiscal effect, cumulative" in ap.summary().index
    True
    """
    eco = economy_of(table, economy)
    res = impact(table, scenario, economy=eco, consumption_taxes=consumption_taxes)
    return Appraisal(impacts=res, fiscal=fiscal_accounts(res, scenario.package, economy=eco))
