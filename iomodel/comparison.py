r"""Scenarios side by side: the headline figures of several appraisals on one ``scenario`` dimension.

:func:`compare` appraises scenarios (or takes appraisals already made) and
stacks their headline figures (:meth:`iomodel.Appraisal.headline`: jobs,
GVA, net fiscal effect and its NPV, payback, break-even additionality,
revenue forgone) on a ``scenario`` dimension whose coordinates say what each
column assumes: its SEZ package, additionality, displacement and discount
rate.

A counterfactual without the package (``without_package=True``) keeps the
package's additionality and displacement and drops its exemptions and the
state's zone costs, so the two columns count the same share of the project's
revenue and differ only by what the package gives away and costs. (A
scenario run with no package at all counts the whole project, additionality
1 and displacement 0, which is not comparable; docs/fiscal.md.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import xarray as xr

from . import dims
from .economy import Economy
from .errors import ValidationError
from .fiscal import Appraisal, appraise, fiscal_accounts
from .impacts import ImpactResult
from .scenarios import Scenario, SEZPackage
from .table import IOTable

__all__ = ["compare", "without_package"]


def without_package(scenario: Scenario) -> Scenario:
    """The scenario without its SEZ package's exemptions and zone costs, with the same additionality and displacement.

    Examples
    --------
    >>> import iomodel as iom
    >>> sc = iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml")
    >>> cf = without_package(sc)
    >>> dict(cf.package.exemptions), cf.package.additionality, cf.package.displacement
    ({}, 0.6, 0.2)
    """
    pkg = scenario.package
    if pkg is None:
        raise ValidationError(f"scenario {scenario.name!r} has no SEZ package to leave out")
    counterfactual = SEZPackage(
        name=f"no package (counterfactual of {pkg.name})",
        exemptions={},
        additionality=pkg.additionality,
        displacement=pkg.displacement,
        law=pkg.law,
    )
    return replace(scenario, name=f"{scenario.name}, without the package", package=counterfactual)


def _appraisal(item: Any, table: IOTable | None, economy: Economy | None, k: int) -> Appraisal:
    if isinstance(item, Appraisal):
        return item
    if isinstance(item, ImpactResult):
        pkg = item.scenario.package
        return Appraisal(impacts=item, fiscal=fiscal_accounts(item, pkg, economy=economy or item.economy))
    if isinstance(item, Scenario):
        if table is None:
            raise ValidationError(f"item {k} is a scenario ({item.name!r}): compare needs table= to appraise it")
        return appraise(table, item, economy=economy)
    raise ValidationError(
        f"item {k} is a {type(item).__name__}; compare takes iomodel.Scenario, ImpactResult or Appraisal objects"
    )


def compare(
    items: Sequence[Scenario | ImpactResult | Appraisal],
    *,
    names: Sequence[str] | None = None,
    table: IOTable | None = None,
    economy: Economy | None = None,
    without_package: bool = False,
) -> xr.Dataset:
    """Headline figures of several scenarios side by side, on a ``scenario`` dimension.

    Parameters
    ----------
    items
        Scenarios (appraised on ``table``), impact results or appraisals.
    names
        Labels of the columns (default the scenarios' names); must be unique.
    table
        The table scenarios are appraised on.
    economy
        The economy (default the table's or the result's).
    without_package
        After each scenario with an SEZ package, add its counterfactual
        without the package (:func:`iomodel.comparison.without_package`), with
        the same additionality and displacement.

    Returns
    -------
    xarray.Dataset
        The variables of :meth:`iomodel.Appraisal.headline` over ``scenario``
        (yearly ones over ``scenario`` and ``year``; a year outside a
        scenario's horizon is NaN there, as ``attrs["years"]`` says), with the
        coordinates ``package``, ``additionality``, ``displacement`` and
        ``discount_rate`` along ``scenario``.

    Examples
    --------
    >>> import iomodel as iom
    >>> kz = iom.datasets.kazakhstan()
    >>> sc = iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml")
    >>> ds = iom.compare([sc], table=kz, names=["AHMP"], without_package=True)
    >>> ds["scenario"].values.tolist()
    ['AHMP', 'AHMP, without the package']
    >>> ds["additionality"].values.tolist(), ds["displacement"].values.tolist()
    ([0.6, 0.6], [0.2, 0.2])
    >>> (ds["npv"] / 1e3).round(1).values.tolist()   # billion KZT: the gap is the package's forgone revenue and costs
    [22.8, 51.5]
    """
    items = list(items)
    if not items:
        raise ValidationError("compare needs at least one scenario or result")
    if names is not None and len(names) != len(items):
        raise ValidationError(f"names has {len(names)} labels for {len(items)} items")
    apps: list[Appraisal] = []
    labels: list[str] = []
    for k, item in enumerate(items):
        app = _appraisal(item, table, economy, k)
        label = str(names[k]) if names is not None else app.scenario.name
        apps.append(app)
        labels.append(label)
        if without_package:
            if app.scenario.package is None:
                raise ValidationError(f"{label!r} has no SEZ package: without_package needs one in every scenario")
            apps.append(without_package_of(app, economy))
            labels.append(f"{label}, without the package")
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise ValidationError(f"scenario labels must be unique; repeated: {dup} (pass names=[...])")
    parts = [a.headline() for a in apps]
    years = sorted({int(y) for p in parts for y in p[dims.YEAR].values})
    ds = xr.concat(parts, dim=dims.SCENARIO, join="outer", combine_attrs="drop_conflicts")
    pkgs = [a.scenario.package for a in apps]
    ds = ds.assign_coords(
        {
            dims.SCENARIO: labels,
            "package": (dims.SCENARIO, [p.name if p is not None else "none" for p in pkgs]),
            "additionality": (dims.SCENARIO, [p.additionality if p is not None else 1.0 for p in pkgs]),
            "displacement": (dims.SCENARIO, [p.displacement if p is not None else 0.0 for p in pkgs]),
            "discount_rate": (dims.SCENARIO, [float(a.fiscal.attrs["discount_rate"]) for a in apps]),
        }
    )
    spans = {lab: (int(p[dims.YEAR].min()), int(p[dims.YEAR].max())) for lab, p in zip(labels, parts, strict=True)}
    ds.attrs["years"] = "; ".join(f"{k}: {a}-{b}" for k, (a, b) in spans.items()) + (
        " (NaN outside a scenario's horizon)" if len(set(spans.values())) > 1 else ""
    )
    ds.attrs["comparison"] = "headline figures side by side (iomodel.compare)"
    if len(years) != ds.sizes[dims.YEAR]:  # pragma: no cover - concat keeps every year
        raise ValidationError("years were lost in the comparison")
    return ds


def without_package_of(app: Appraisal, economy: Economy | None = None) -> Appraisal:
    """The appraisal of a scenario's counterfactual without its package (the impacts are reused when they can be).

    The impacts do not depend on the package (it enters the fiscal step
    only), so the counterfactual reruns only the fiscal accounts.
    """
    cf = without_package(app.scenario)
    eco = economy or app.impacts.economy
    acc = fiscal_accounts(app.impacts, cf.package, economy=eco)
    return Appraisal(impacts=replace(app.impacts, scenario=cf), fiscal=acc)
