"""Build an appraisal report from appraisals: tables (:mod:`~iomodel.report.content`), figures, notes."""

from __future__ import annotations

import datetime as _dt
import io
import os
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .. import style, units
from ..economy import Economy
from ..errors import ValidationError
from ..fiscal import Appraisal, by_budget_level, fiscal_accounts
from ..impacts import ImpactResult
from . import content
from .document import Figure, Report, Section, Table, headline_cards

__all__ = ["build_report", "report_of"]


def _png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    try:
        style.save(fig, buf, format="png")
    finally:
        plt.close(fig)
    return buf.getvalue()


def _figures(ap: Appraisal, unit: str, eco: Economy) -> list[Figure]:
    from .. import plot

    out = []
    ind = ap.impacts.dataset["indicator"].values
    if "employment" in ind:
        fig = plot.impact_overview(ap.impacts, "employment", fiscal=ap.fiscal, unit=unit)
        out.append(Figure("jobs", "Jobs by year and effect in each phase, and the net fiscal effect", _png(fig)))
    if "gva" in ind:
        fig = plot.impact_overview(ap.impacts, "gva", unit=unit)
        out.append(Figure("gva", "Gross value added by year and effect in each phase", _png(fig)))
    if eco.budget_levels:
        fig = plot.budget_levels(by_budget_level(ap.fiscal, eco), unit=unit)
        out.append(Figure("budget_levels", "Net revenue by level of budget over the horizon", _png(fig)))
    return out


def _section(name: str, ap: Appraisal, unit: str, economy: Economy | None, figures: bool) -> Section:
    eco = economy if economy is not None else ap.impacts.economy
    levels = content.budget_by_level(ap, unit, eco)
    tables = [
        Table("headline", "Headline figures", content.headline(ap, unit).drop(columns="key")),
        Table(
            "effects",
            "Effects by phase and type, summed over the horizon",
            content.effects(ap, unit),
            note="Direct: the project's own spending (construction) or output (operation); indirect: its "
            "suppliers' chains; induced: the spending of the wages earned (Type II).",
            index=True,
        ),
        Table(
            "top_jobs",
            "Top industries by jobs (job-years over the horizon, all effects)",
            content.top_industries(ap, unit, "employment"),
            index=True,
        ),
        Table(
            "top_gva",
            "Top industries by gross value added (over the horizon, all effects)",
            content.top_industries(ap, unit, "gva"),
            index=True,
        ),
        Table(
            "budget_by_tax",
            "Budget revenue by tax over the horizon",
            content.budget_by_tax(ap, unit, eco),
            note="Full taxation: as if every tax were paid, net of displacement; gained: the additional "
            "investment's share (additionality); collected: what the project pays with the package.",
        ),
    ]
    if len(levels):
        tables.append(
            Table(
                "budget_by_level",
                "Budget revenue by level of budget over the horizon",
                levels.reset_index(drop=True),
                note="The levels' revenue adds up to the accounts' totals; the state's zone costs are shown apart. "
                "The duties forgone by the customs union's other members are not national revenue.",
            )
        )
    tables += [
        Table("fiscal_by_year", "Fiscal accounts by year", content.fiscal_by_year(ap, unit), index=True),
        Table("assumptions", "Assumptions", content.assumptions(ap)),
    ]
    figs = tuple(_figures(ap, unit, eco)) if figures else ()
    return Section(
        name=name,
        unit=unit,
        appraisal=ap,
        tables=tuple(tables),
        figures=figs,
        notes=tuple(content.methodology(ap, eco)),
        cards=headline_cards(content.headline(ap, unit)),
    )


def _comparison(sections: Sequence[Section], unit: str) -> Table:
    frames = []
    for s in sections:
        h = content.headline(s.appraisal, unit).set_index("item")
        frames.append(h["value"].rename(s.name))
        units_ = h["unit"]
    table = pd.concat(frames, axis=1)
    table.insert(0, "unit", units_.reindex(table.index).fillna(""))
    for k, label in (("additionality", "Additionality"), ("displacement", "Displacement")):
        table.loc[label] = ["share"] + [float(s.appraisal.fiscal.attrs[k]) for s in sections]
    table.index.name = "item"
    return Table("comparison", "Scenarios side by side", table, index=True)


def build_report(
    appraisals: Appraisal | ImpactResult | Sequence[Appraisal | ImpactResult],
    *,
    names: Sequence[str] | None = None,
    unit: str | None = None,
    title: str | None = None,
    economy: Economy | None = None,
    figures: bool = True,
) -> Report:
    """Build the appraisal report of one or more scenarios (IMPLAN-style: summary, industries, taxes, notes).

    Parameters
    ----------
    appraisals
        One :class:`~iomodel.fiscal.Appraisal` (:func:`iomodel.appraise`) or
        several; an :class:`~iomodel.ImpactResult` is appraised with the
        fiscal accounts of its scenario's package.
    names
        Section names; default the scenarios' names.
    unit
        The money unit of every table, e.g. ``"million KZT"``, ``"bn KZT"``;
        default the first scenario's unit.
    title
        Title of the page and the workbook; default "Economic and fiscal
        appraisal" (each section is headed by its scenario's name).
    economy
        Budget levels, sources; default each appraisal's economy.
    figures
        Draw the figures (off: tables only, faster).

    Returns
    -------
    Report
        Write it with :meth:`Report.write`, :meth:`Report.to_html` or
        :meth:`Report.to_excel`.

    Raises
    ------
    ValidationError
        No appraisal, names of the wrong length or repeated, or a unit of
        another currency.

    Examples
    --------
    >>> import iomodel as iom
    >>> from iomodel.report import build_report
    >>> kz = iom.datasets.kazakhstan()
    >>> ap = iom.appraise(kz, iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml"))
    >>> rep = build_report(ap, unit="bn KZT", figures=False)
    >>> h = rep.sections[0].table("headline").frame.set_index("item")
    >>> npv = h.loc["Net fiscal effect, NPV at 5%"]
    >>> f"{npv['value']:.1f} {npv['unit']}"
    '22.8 bn KZT'
    >>> bool(abs(npv["value"] * 1e3 - float(ap.headline()["npv"])) < 1e-9)   # million KZT in the scenario
    True
    """
    items = [appraisals] if isinstance(appraisals, Appraisal | ImpactResult) else list(appraisals)
    if not items:
        raise ValidationError("a report needs at least one appraisal")
    bad = [i for i, a in enumerate(items) if not isinstance(a, Appraisal | ImpactResult)]
    if bad:
        raise ValidationError(
            f"item(s) {bad} are neither appraisals nor impact results (iomodel.appraise(table, scenario) makes "
            "an appraisal, iomodel.impact an impact result)"
        )
    aps = [
        a
        if isinstance(a, Appraisal)
        else Appraisal(impacts=a, fiscal=fiscal_accounts(a, a.scenario.package, economy=a.economy))
        for a in items
    ]
    labels = list(names) if names is not None else [a.scenario.name for a in aps]
    if len(labels) != len(aps):
        raise ValidationError(f"{len(labels)} names for {len(aps)} appraisals")
    if len(set(labels)) != len(labels):
        dup = sorted({n for n in labels if labels.count(n) > 1})
        raise ValidationError(f"section names repeat: {dup}; give names=")
    out_unit = unit or aps[0].impacts.unit
    for a in aps:
        units.factor(str(a.fiscal.attrs["unit"]), out_unit)  # refuses another currency, naming both units
    sections = tuple(_section(n, a, out_unit, economy, figures) for n, a in zip(labels, aps, strict=True))
    return Report(
        title=title
        or ("Economic and fiscal appraisal" + (f": {len(labels)} scenarios compared" if len(labels) > 1 else "")),
        unit=out_unit,
        sections=sections,
        comparison=_comparison(sections, out_unit) if len(sections) > 1 else None,
        created=_dt.date.today().isoformat(),
    )


def report_of(
    result: Appraisal | ImpactResult,
    output: str | os.PathLike[str] | None = None,
    *,
    unit: str | None = None,
    title: str | None = None,
    figures: bool = True,
    overwrite: bool = False,
) -> Report:
    """The appraisal report of one result; ``ImpactResult.report`` and ``Appraisal.report`` are this function.

    For an impact result the fiscal accounts are those of its scenario's
    package (:func:`iomodel.fiscal.fiscal_accounts`; without a package nothing
    is forgone and additionality is 1). The report package attaches it to both
    classes when it is imported (``import iomodel`` imports it), so the
    layers below need not import this one (docs/architecture.md).

    Parameters
    ----------
    result
        The impact result or appraisal.
    output
        Folder to write ``report.html`` and ``report.xlsx`` into; ``None``
        writes nothing (the returned report can be written later).
    unit, title, figures
        As in :func:`build_report`.
    overwrite
        Replace existing files.

    Examples
    --------
    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> res = iom.impact(kz, iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml"))
    >>> rep = res.report(unit="bn KZT", figures=False)
    >>> [t.key for t in rep.sections[0].tables][:4]
    ['headline', 'effects', 'top_jobs', 'top_gva']
    """
    rep = build_report(result, unit=unit, title=title, figures=figures)
    if output is not None:
        rep.write(output, overwrite=overwrite)
    return rep


ImpactResult.report = report_of
Appraisal.report = report_of
