r"""A scenario's appraisal as a function of ``(table, **params)``, for sensitivity runs.

:class:`ScenarioOutcome` wraps :func:`iomodel.impact` and
:func:`iomodel.fiscal.fiscal_accounts` of one scenario so that
:func:`~iomodel.sensitivity.monte_carlo`, :func:`~iomodel.sensitivity.sweep`,
:func:`~iomodel.sensitivity.sobol` and the CLI can vary its assumptions.
Parameters of the fiscal step alone (``additionality``, ``displacement``,
``discount_rate``) rerun only the fiscal accounts: the impacts of the same
table and the same impact parameters are computed once and reused (the
evaluation layer keeps the two steps apart for this).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

import xarray as xr

from ..economy import Economy
from ..errors import ValidationError
from ..fiscal import Appraisal, fiscal_accounts
from ..impacts import ImpactResult, economy_of, impact
from ..scenarios import Scenario
from ..table import IOTable

__all__ = ["ScenarioOutcome"]

#: Impacts kept per outcome object (the last tables and impact parameters seen).
CACHE_SIZE = 4


@dataclass(frozen=True, eq=False)
class ScenarioOutcome:
    r"""Headline results of a scenario on a table, as a function of its uncertain assumptions.

    Call it as ``outcome(table, **params)``. Parameters (each optional; the
    scenario's own value when not given):

    * fiscal step only: ``additionality``, ``displacement`` (of the SEZ
      package), ``discount_rate``;
    * impacts and fiscal accounts: ``mpc`` (Type II), ``capex_scale`` and
      ``output_scale`` (every investment's capital expenditure and plant
      output times the factor: cost overrun, demand risk),
      ``export_share``, ``equipment_import_share``, ``customs_duty_rate``
      (of every investment).

    Returns an :class:`xarray.Dataset` with scalar variables ``npv`` (net
    fiscal effect, NPV), ``payback_year`` (NaN: no payback within the
    horizon), ``break_even_additionality``, ``revenue_forgone`` (PV),
    ``construction_job_years``, ``operation_jobs_peak``, ``gva_total``, and
    over ``year``: ``nfe``, ``nfe_cumulative``, ``jobs`` (all effects, both
    phases), ``gva``; money in the scenario's unit.

    Examples
    --------
    >>> import iomodel as iom
    >>> from iomodel import sensitivity as sa
    >>> kz = iom.datasets.kazakhstan()
    >>> sc = iom.Scenario.from_toml("examples/scenarios/machine_building_ahmp.toml")
    >>> out = sa.ScenarioOutcome(sc)
    >>> base = out(kz)
    >>> round(float(base["npv"]) / 1e3, 1), int(base["payback_year"])   # billion KZT, year
    (22.8, 2031)
    >>> low = out(kz, additionality=0.4)        # reruns the fiscal step only
    >>> out.impact_runs
    1
    >>> bool(low["npv"] < base["npv"])
    True
    """

    scenario: Scenario
    economy: Economy | None = None
    consumption_taxes: bool = True
    _cache: OrderedDict = field(default_factory=OrderedDict, init=False, repr=False, compare=False)
    _runs: list = field(default_factory=lambda: [0], init=False, repr=False, compare=False)

    __name__ = "ScenarioOutcome"

    def __post_init__(self) -> None:
        if not isinstance(self.scenario, Scenario):
            raise ValidationError(f"ScenarioOutcome needs an iomodel.Scenario, got {type(self.scenario).__name__}")

    @property
    def impact_runs(self) -> int:
        """How many times the impacts have been computed (the fiscal step reruns without them)."""
        return int(self._runs[0])

    def __getstate__(self) -> dict[str, Any]:  # the cache stays behind when sent to a Dask worker
        return {"scenario": self.scenario, "economy": self.economy, "consumption_taxes": self.consumption_taxes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_cache", OrderedDict())
        object.__setattr__(self, "_runs", [0])

    def _scenario(
        self,
        mpc: float | None,
        capex_scale: float,
        output_scale: float,
        export_share: float | None,
        equipment_import_share: float | None,
        customs_duty_rate: float | None,
    ) -> Scenario:
        sc = self.scenario
        for name, v in (("capex_scale", capex_scale), ("output_scale", output_scale)):
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                raise ValidationError(f"parameter {name!r} must be a finite number >= 0, got {v!r}")
        invs = []
        for inv in sc.investments:
            ch: dict[str, Any] = {}
            if capex_scale != 1.0:
                ch["capex"] = {y: v * capex_scale for y, v in inv.capex.items()}
            if output_scale != 1.0:
                ch["output"] = {y: v * output_scale for y, v in inv.output.items()}
            for name, val in (
                ("export_share", export_share),
                ("equipment_import_share", equipment_import_share),
                ("customs_duty_rate", customs_duty_rate),
            ):
                if val is not None:
                    ch[name] = float(val)
            invs.append(replace(inv, **ch) if ch else inv)
        changes: dict[str, Any] = {"investments": tuple(invs)}
        if mpc is not None:
            changes["mpc"] = float(mpc)
        return replace(sc, **changes)

    def impacts(self, table: IOTable, **impact_params: Any) -> ImpactResult:
        """The impacts of the scenario under ``impact_params`` on ``table`` (cached per table object)."""
        key = (id(table), tuple(sorted(impact_params.items())))
        hit = self._cache.get(key)
        if hit is not None and hit[0] is table:
            self._cache.move_to_end(key)
            return hit[1]
        sc = self._scenario(**impact_params)
        res = impact(table, sc, economy=self.economy, consumption_taxes=self.consumption_taxes)
        self._runs[0] += 1
        self._cache[key] = (table, res)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return res

    def __call__(
        self,
        table: IOTable,
        *,
        additionality: float | None = None,
        displacement: float | None = None,
        discount_rate: float | None = None,
        mpc: float | None = None,
        capex_scale: float = 1.0,
        output_scale: float = 1.0,
        export_share: float | None = None,
        equipment_import_share: float | None = None,
        customs_duty_rate: float | None = None,
    ) -> xr.Dataset:
        """The headline results under the given assumptions (class docstring)."""
        res = self.impacts(
            table,
            mpc=mpc,
            capex_scale=capex_scale,
            output_scale=output_scale,
            export_share=export_share,
            equipment_import_share=equipment_import_share,
            customs_duty_rate=customs_duty_rate,
        )
        package = self.scenario.package
        if additionality is not None or displacement is not None:
            if package is None:
                raise ValidationError(
                    f"scenario {self.scenario.name!r} has no SEZ package: additionality and displacement do not apply"
                )
            package = replace(
                package,
                additionality=package.additionality if additionality is None else float(additionality),
                displacement=package.displacement if displacement is None else float(displacement),
            )
        if discount_rate is not None and not (math.isfinite(float(discount_rate)) and float(discount_rate) > -1):
            raise ValidationError(f"parameter 'discount_rate' must be a finite number > -1, got {discount_rate!r}")
        eco = economy_of(table, self.economy)
        acc = fiscal_accounts(res, package, economy=eco, discount_rate=discount_rate)
        return Appraisal(impacts=res, fiscal=acc).headline()
