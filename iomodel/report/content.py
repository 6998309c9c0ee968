"""What an appraisal report says: its tables, computed from an :class:`~iomodel.fiscal.Appraisal`.

Every function returns a :class:`pandas.DataFrame` whose money columns are in
one unit, named in the column header (``"GVA (million KZT)"``), so the same
frame goes to the HTML page, the Excel workbook and a notebook unchanged.
Nothing here draws or writes; :mod:`iomodel.report.build` assembles.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .. import dims, units
from ..economy import Economy
from ..fiscal import Appraisal, by_budget_level

__all__ = [
    "INDICATOR_LABELS",
    "assumptions",
    "budget_by_level",
    "budget_by_tax",
    "effects",
    "fiscal_by_year",
    "headline",
    "methodology",
    "names_of",
    "summary",
    "top_industries",
    "totals_by_year",
]

#: Readable names of the impact indicators (the money ones take the report's unit).
INDICATOR_LABELS = {
    "output": "Output",
    "gva": "Gross value added",
    "income": "Labour income",
    "employment": "Employment",
    "budget": "Budget revenue (effective rates)",
}

#: Readable names of the taxes the fiscal accounts add to the table's tax rows.
_TAX_LABELS = {
    "VAT": "Value added tax",
    "excise": "Excise",
    "property_tax": "Property tax",
    "land_tax": "Land tax",
    "customs": "Import customs duties (national share)",
    "CIT": "Corporate income tax",
    "PIT": "Individual income tax",
    "social_tax": "Social tax",
}


def names_of(ds: xr.Dataset, dim: str, labels: Any = None) -> dict[str, str]:
    """Readable names of a dimension's labels: a ``<dim>_name`` coordinate if the result has one.

    Taxes: the ``tax_names`` attribute (a JSON mapping from the table's
    metadata), then built-in names of the taxes the fiscal accounts add, and
    last the label itself (never dropped).
    """
    values = [str(v) for v in (ds[dim].values if labels is None else labels)]
    coord = f"{dim}_name"
    found: dict[str, str] = {}
    if coord in ds.coords and ds[coord].dims == (dim,):
        found = {str(k): str(v) for k, v in zip(ds[dim].values, ds[coord].values, strict=True) if str(v)}
    elif dim == dims.TAX and ds.attrs.get("tax_names"):
        found = {str(k): str(v) for k, v in json.loads(str(ds.attrs["tax_names"])).items()}
    return {v: found.get(v) or (_TAX_LABELS.get(v, v) if dim == dims.TAX else v) for v in values}


def _money(ap: Appraisal, unit: str) -> tuple[float, float]:
    """Factors from the table's unit and from the accounts' unit to the report's unit."""
    res = ap.impacts
    per_scenario = units.factor(res.unit, unit)
    return per_scenario / res.unit_factor, units.factor(str(ap.fiscal.attrs["unit"]), unit)


def headline(ap: Appraisal, unit: str) -> pd.DataFrame:
    """The headline figures of :meth:`~iomodel.fiscal.Appraisal.headline`, in ``unit``.

    Columns ``item``, ``value``, ``unit``, ``key`` (the headline variable, so a
    reader can check a number against the result).
    """
    h = ap.headline()
    f = units.factor(str(ap.fiscal.attrs["unit"]), unit)
    rate = float(ap.fiscal.attrs["discount_rate"])
    rows = []
    spec = [
        ("construction_job_years", "Construction jobs (job-years, all effects)", None),
        ("operation_jobs_peak", "Operation jobs, peak year (all effects)", None),
        ("gva_total", "Gross value added over the horizon (all effects)", unit),
        ("npv", f"Net fiscal effect, NPV at {rate:.0%}", unit),
        ("revenue_forgone", f"Revenue forgone, PV at {rate:.0%}", unit),
        ("payback_year", "Payback year of the net fiscal effect", "year"),
        ("break_even_additionality", "Break-even additionality", "share"),
    ]
    for key, label, u in spec:
        if key not in h:
            continue
        v = float(h[key])
        unit_of = str(h[key].attrs.get("units", "")) if u is None else u
        if u == unit:
            v *= f
        rows.append({"item": label, "value": v, "unit": unit_of, "key": key})
    return pd.DataFrame(rows)


def effects(ap: Appraisal, unit: str) -> pd.DataFrame:
    """Effects by phase and type (direct, indirect, induced, total), summed over the horizon.

    Rows ``(phase, indicator)``; columns the effects. Money in ``unit``,
    employment in job-years (construction) and job-years of operation.
    Budget revenue at the table's effective rates counts the product taxes on
    induced household consumption as induced.
    """
    res = ap.impacts
    f_table, _ = _money(ap, unit)
    imp = res.dataset["impact"].sum([dims.SECTOR, dims.INVESTMENT, dims.YEAR])
    cons = res.dataset["consumption_taxes"].sum([dims.INVESTMENT, dims.YEAR, dims.TAX])  # (phase,) table unit
    frames = []
    indicators = [i for i in INDICATOR_LABELS if i in imp[dims.INDICATOR].values]
    for ph in (str(p) for p in imp[dims.PHASE].values):
        for ind in indicators:
            vals = imp.sel({dims.PHASE: ph, dims.INDICATOR: ind}).to_series()
            vals.index = vals.index.astype(str)
            if ind == "employment":
                label = f"{INDICATOR_LABELS[ind]} (job-years)"
            else:
                vals = vals * f_table
                label = f"{INDICATOR_LABELS[ind]} ({unit})"
                if ind == "budget":
                    extra = float(cons.sel({dims.PHASE: ph})) * f_table
                    vals["induced"] += extra
                    vals["total"] += extra
            frames.append(pd.Series(vals, name=(ph.capitalize(), label)))
    out = pd.DataFrame(frames)
    out.index = pd.MultiIndex.from_tuples(out.index, names=["phase", "indicator"])
    out.columns = [c.capitalize() for c in out.columns]
    return out


def top_industries(ap: Appraisal, unit: str, by: str = "employment", n: int = 10) -> pd.DataFrame:
    """The industries with the largest total effect over the horizon (both phases, all effects).

    Parameters
    ----------
    by
        ``"employment"`` (job-years) or ``"gva"`` (``unit``).
    n
        How many rows.
    """
    res = ap.impacts
    ds = res.dataset
    f_table, _ = _money(ap, unit)
    imp = ds["impact"].sel({dims.EFFECT: "total"}).sum([dims.INVESTMENT, dims.YEAR])
    total = imp.sum(dims.PHASE).sel({dims.INDICATOR: by}).to_series()
    split = imp.sel({dims.INDICATOR: by}).to_pandas()  # (phase, sector)
    scale = 1.0 if by == "employment" else f_table
    col = "job-years" if by == "employment" else unit
    top = total.sort_values(ascending=False).head(n).index
    names = names_of(ds, dims.SECTOR, top)
    label = "Employment" if by == "employment" else "Gross value added"
    out = pd.DataFrame(
        {
            "product": [str(s) for s in top],
            "name": [names[str(s)] for s in top],
            f"{label}, construction ({col})": split.loc["construction", top].to_numpy() * scale,
            f"{label}, operation ({col})": split.loc["operation", top].to_numpy() * scale,
            f"{label}, total ({col})": total.loc[top].to_numpy() * scale,
            "share of total": total.loc[top].to_numpy() / float(total.sum()) if float(total.sum()) else np.nan,
        }
    )
    out.index = pd.RangeIndex(1, len(out) + 1, name="rank")
    return out


def budget_by_tax(ap: Appraisal, unit: str, economy: Economy | None = None) -> pd.DataFrame:
    """Each tax over the horizon: revenue at full taxation, forgone, collected, gained, and its budget level.

    Rows by tax id (the index), with the tax's readable name in ``tax``.

    ``revenue at full taxation`` is :math:`R^{other} + R^{ex}` (net of
    displacement; docs/fiscal.md), ``collected`` what the project pays with
    the package, ``gained`` the additional investment's revenue
    (additionality times full taxation).
    """
    acc = ap.fiscal
    _, f = _money(ap, unit)
    alpha = float(acc.attrs["additionality"])
    full = (acc["revenue_other"] + acc["revenue_exemptible"]).sum(dims.YEAR).to_series() * f
    forgone = acc["revenue_forgone"].sum(dims.YEAR).to_series() * f
    taxes = [str(t) for t in full.index]
    names = names_of(ap.impacts.dataset, dims.TAX, taxes)
    eco = economy if economy is not None else ap.impacts.economy
    level = [
        ", ".join(
            eco.budget_level_names.get(lv, lv) + (f" {s:.0%}" if s < 1 else "")
            for lv, s in eco.budget_levels.get(t, {}).items()
        )
        or "not attributed"
        for t in taxes
    ]
    out = pd.DataFrame(
        {
            "tax": [names[t] for t in taxes],
            "budget level": level,
            f"revenue at full taxation ({unit})": full.to_numpy(),
            f"revenue forgone ({unit})": forgone.to_numpy(),
            f"revenue collected ({unit})": (full - forgone).to_numpy(),
            f"revenue gained, additional ({unit})": alpha * full.to_numpy(),
        }
    )
    out.index = pd.Index(taxes, name="tax_id")
    keep = out.iloc[:, 2:].abs().sum(axis=1) > 0
    return out[keep]


def budget_by_level(ap: Appraisal, unit: str, economy: Economy | None = None) -> pd.DataFrame:
    """Revenue gained, forgone and net by level of budget over the horizon (:func:`iomodel.fiscal.by_budget_level`).

    Returns an empty frame when the economy has no budget levels.
    """
    eco = economy if economy is not None else ap.impacts.economy
    if not eco.budget_levels:
        return pd.DataFrame()
    lv = by_budget_level(ap.fiscal, eco)
    _, f = _money(ap, unit)
    rate = float(ap.fiscal.attrs["discount_rate"])
    disc = 1.0 / (1.0 + rate) ** np.arange(lv.sizes[dims.YEAR])
    levels = [str(v) for v in lv[dims.BUDGET_LEVEL].values]
    net = lv["net"].values
    out = pd.DataFrame(
        {
            "level": [str(v) for v in lv["budget_level_name"].values],
            f"revenue gained ({unit})": lv["revenue_gained"].sum(dims.YEAR).values * f,
            f"revenue forgone ({unit})": lv["revenue_forgone"].sum(dims.YEAR).values * f,
            f"net ({unit})": net.sum(axis=0) * f,
            f"net, PV at {rate:.0%} ({unit})": (disc @ net) * f,
        },
        index=pd.Index(levels, name="budget_level"),
    )
    costs = float(lv["state_costs"].sum()) * f
    if costs:
        out.loc["state_costs"] = [
            "State zone costs (not attributed)",
            0.0,
            0.0,
            -costs,
            -float(disc @ lv["state_costs"].values) * f,
        ]
    return out


def _is_money(unit_of: str, unit: str) -> bool:
    try:
        units.factor(unit_of, unit)
    except Exception:
        return False
    return bool(unit_of) and units.parse(unit_of)[1] == units.parse(unit)[1]


def summary(ap: Appraisal, unit: str) -> pd.DataFrame:
    """:meth:`~iomodel.fiscal.Appraisal.summary` with every money row in ``unit`` (columns ``value``, ``unit``)."""
    out = ap.summary().copy()
    money = [_is_money(str(u), unit) for u in out["unit"]]
    out["value"] = [
        float(v) * units.factor(str(u), unit) if m else float(v)
        for v, u, m in zip(out["value"], out["unit"], money, strict=True)
    ]
    out.loc[money, "unit"] = unit
    return out


def totals_by_year(ap: Appraisal, unit: str) -> pd.DataFrame:
    """Each indicator and effect by year, summed over sectors, investments and phases; one header row with units.

    Money indicators in ``unit``, employment in persons (job-years in construction).
    """
    res = ap.impacts
    f_table, _ = _money(ap, unit)
    imp = res.dataset["impact"].sum([dims.SECTOR, dims.INVESTMENT, dims.PHASE])
    table_units = dict(zip(map(str, imp[dims.INDICATOR].values), map(str, imp["units"].values), strict=True))
    cols = {}
    names = names_of(res.dataset, dims.TAX, [i.removeprefix("tax:") for i in table_units if i.startswith("tax:")])
    for ind, u in table_units.items():
        money = _is_money(u, str(res.dataset.attrs.get("table_unit", u)))
        label = INDICATOR_LABELS.get(ind) or (names[ind[4:]] if ind.startswith("tax:") else ind)
        shown = unit if money else u
        for eff in map(str, imp[dims.EFFECT].values):
            v = imp.sel({dims.INDICATOR: ind, dims.EFFECT: eff}).values
            cols[f"{label}, {eff} ({shown})"] = v * f_table if money else v
    return pd.DataFrame(cols, index=pd.Index([int(y) for y in imp[dims.YEAR].values], name="year"))


def fiscal_by_year(ap: Appraisal, unit: str) -> pd.DataFrame:
    """The fiscal accounts by year in ``unit``: gained, forgone, costs, net fiscal effect and its cumulations."""
    acc = ap.fiscal
    _, f = _money(ap, unit)
    cols = {
        "revenue_gained": "revenue gained",
        "revenue_forgone": "revenue forgone",
        "state_costs": "state zone costs",
        "nfe": "net fiscal effect",
        "nfe_cumulative": "net fiscal effect, cumulative",
        "nfe_discounted_cumulative": "net fiscal effect, discounted cumulative",
    }
    data = {}
    for var, label in cols.items():
        da = acc[var]
        if dims.TAX in da.dims:
            da = da.sum(dims.TAX)
        data[f"{label} ({unit})"] = da.values * f
    return pd.DataFrame(data, index=pd.Index([int(y) for y in acc[dims.YEAR].values], name="year"))


def assumptions(ap: Appraisal) -> pd.DataFrame:
    """The assumptions a reader needs to judge the numbers: table, Type, closure, prices, fiscal parameters.

    Columns ``item``, ``value``, ``source``.
    """
    a = ap.impacts.dataset.attrs
    fa = ap.fiscal.attrs
    eco = ap.impacts.economy
    kind = {"type1": "Type I (households exogenous)", "type2": "Type II (households endogenous)"}.get(
        str(a.get("kind")), str(a.get("kind"))
    )
    rows = [
        ("Input-output table", f"{a.get('table', '')} ({a.get('table_unit', '')})", str(a.get("source", ""))),
        ("Prices", f"{a.get('prices', '')}; table at {a.get('price_basis', '')}", "the table"),
        ("Import convention", str(a.get("import_convention", "")), "the table"),
        ("Model", kind, "Miller and Blair (2009), ch. 2 and 6"),
    ]
    if str(a.get("kind")) == "type2":
        rows.append(
            (
                "Household closure",
                f"marginal propensity to consume {a.get('closure_mpc')}, deductions "
                f"{float(a.get('closure_deductions', 0.0)):.1%} of labour income, "
                f"product taxes on consumption {a.get('closure_consumption_taxes', '')}",
                str(eco.sources.get("mpc", "")),
            )
        )
    rows += [
        ("Scenario", str(a.get("scenario", "")), "scenario file"),
        _zone_row(eco, str(a.get("zone", "") or "")),
        ("SEZ package", str(fa.get("package", "")), str(getattr(ap.scenario.package, "law", "") or "")),
        ("Relief", str(fa.get("relief", "")), str(eco.sources.get("relief_rule", ""))),
        ("Additionality", f"{float(fa['additionality']):.0%}", "assumption of the scenario (vary it: fiscal_sweep)"),
        ("Displacement", f"{float(fa['displacement']):.0%}", "assumption of the scenario (vary it: fiscal_sweep)"),
        ("Discount rate (real)", f"{float(fa['discount_rate']):.1%}", "assumption of the scenario"),
        ("Statutory rates", str(fa.get("statutory_rates", "")), f"tax rates in force on {fa.get('tax_vintage', '')}"),
        (
            "Customs pooling",
            f"national share {float(fa.get('customs_pooling_share', 1.0)):.3%} of import duties",
            str(eco.sources.get("customs_pooling_share", "")),
        ),
    ]
    if fa.get("taxes_not_valued"):
        rows.append(("Taxes not valued", str(fa["taxes_not_valued"]), "no statutory rate in the economy"))
    return pd.DataFrame(rows, columns=["item", "value", "source"])


def _zone_row(eco: Economy, zone_id: str) -> tuple[str, str, str]:
    zone = eco.zones.get(zone_id) if zone_id else None
    if zone is None:
        return ("Zone", zone_id or "none", "")
    term = f"; legal term to {zone.term_end}" if zone.term_end else ""
    return ("Zone", f"{zone.name or zone.id} ({zone.region}{term})" if zone.region else zone.name + term, zone.source)


def methodology(ap: Appraisal, economy: Economy | None = None) -> list[Mapping[str, str]]:
    """Methodology notes, each with its source: the IO model, the closure, the fiscal accounts, the budget levels."""
    a = ap.impacts.dataset.attrs
    eco = economy if economy is not None else ap.impacts.economy
    notes: list[Mapping[str, str]] = [
        {
            "title": "Input-output model",
            "text": "Output, jobs, income, value added and taxes follow from the Leontief inverse of the "
            "domestic technical coefficients: direct effects are the project's own spending or output, "
            "indirect effects its suppliers' chains, induced effects the spending of the wages earned "
            "(Type II only).",
            "source": "Miller, R.E. and Blair, P.D. (2009) Input-Output Analysis: Foundations and Extensions, "
            "2nd ed., Cambridge University Press, ch. 2 and 6; iomodel docs/methods.md section 1",
        },
        {
            "title": "Data",
            "text": f"The {a.get('table', '')} table at {a.get('price_basis', '')}, with employment and tax "
            "satellite accounts; results are in constant prices of the table's year.",
            "source": str(a.get("source", "")),
        },
        {
            "title": "Fiscal accounts",
            "text": "Revenue gained is the revenue of the additional investment (additionality times the revenue "
            "as if every tax were paid, net of displacement); revenue forgone is the relief given to every "
            "participant, additional or not; the net fiscal effect subtracts the state's zone costs. The "
            "participant's exemptible taxes are valued at statutory rates, everything else at the table's "
            "effective rates.",
            "source": "James, S. (2009, 2013) on tax incentives' cost-benefit analysis; iomodel docs/fiscal.md",
        },
    ]
    if eco.budget_levels:
        notes.append(
            {
                "title": "Levels of the budget",
                "text": "Each tax is credited to the level of budget the law assigns it; where a tax is split "
                "between levels by kind of taxpayer, the attribution and its certainty are stated in the data.",
                "source": str(eco.sources.get("budget_level:VAT", "")),
            }
        )
    if float(ap.fiscal.attrs.get("customs_pooling_share", 1.0)) < 1.0:
        notes.append(
            {
                "title": "Customs duties",
                "text": "Import duties are pooled in the customs union; the national budget keeps its share, and "
                "the duties forgone by the whole union are shown apart.",
                "source": str(eco.sources.get("customs_pooling_share", "")),
            }
        )
    return notes
