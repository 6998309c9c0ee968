"""iomodel: input-output and CGE economics on labelled data.

A Leontief input-output core (one immutable :class:`IOTable`, one factorised
``I - A`` per table, labelled xarray results), multipliers of Type I and II,
linkages and key sectors, and on top of them scenarios, fiscal accounts,
linear programming and sensitivity runs.

>>> import iomodel as iom
>>> t = iom.datasets.miller_blair()
>>> float(iom.multipliers(t).sel(indicator="output", sector="agriculture").round(4))
1.5182
"""

from __future__ import annotations

from . import datasets, dims, economy, errors, fiscal, impacts, linalg, price, report, scenarios, units
from .analysis import (
    direct_effect_multipliers,
    group_multipliers,
    hypothetical_extraction,
    key_sectors,
    linkages,
    mixed_model,
    modified_inverse,
    multipliers,
)
from .comparison import compare
from .economy import Cluster, Economy, HouseholdClosure, TaxRate, Zone
from .errors import (
    IOModelError,
    IOModelWarning,
    LabelError,
    NotProductiveError,
    ReadError,
    ValidationError,
    WriteError,
)
from .fiscal import Appraisal, appraise
from .impacts import ImpactResult, impact
from .price import consumer_price_index, price_effects, sez_cost_change, tax_on_intermediates
from .scenarios import ClusterInvestment, InvestmentBridge, Scenario, SEZPackage
from .table import IMPORT_CONVENTIONS, IOTable, TableArrays, TableMeta

__version__ = "0.1.0"

__all__ = [
    "IMPORT_CONVENTIONS",
    "Appraisal",
    "Cluster",
    "ClusterInvestment",
    "Economy",
    "HouseholdClosure",
    "IOModelError",
    "IOModelWarning",
    "IOTable",
    "ImpactResult",
    "InvestmentBridge",
    "LabelError",
    "NotProductiveError",
    "ReadError",
    "SEZPackage",
    "Scenario",
    "TableArrays",
    "TableMeta",
    "TaxRate",
    "ValidationError",
    "WriteError",
    "Zone",
    "analysis",
    "appraise",
    "compare",
    "consumer_price_index",
    "datasets",
    "dims",
    "direct_effect_multipliers",
    "economy",
    "errors",
    "fiscal",
    "group_multipliers",
    "hypothetical_extraction",
    "impact",
    "impacts",
    "key_sectors",
    "linalg",
    "linkages",
    "mixed_model",
    "modified_inverse",
    "multipliers",
    "price",
    "price_effects",
    "report",
    "scenarios",
    "sez_cost_change",
    "tax_on_intermediates",
    "units",
]
