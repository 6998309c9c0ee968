"""Dimension names used in every labelled result, fixed once.

A square matrix needs two names: the row dimension is :data:`SECTOR` (the
supplying sector) and the column dimension is :data:`SECTOR_TO` (the using
sector). Multipliers are indexed by :data:`SECTOR`, meaning the sector whose
final demand changes.

Every public result of iomodel uses only these names for its dimensions (the
contract test ``tests/test_contract.py`` checks it), so results of different
functions line up in xarray without renaming.
"""

SECTOR = "sector"
SECTOR_TO = "sector_to"
CATEGORY = "category"
COMPONENT = "component"
INDICATOR = "indicator"
TAX = "tax"
EFFECT = "effect"
YEAR = "year"
DRAW = "draw"
SCENARIO = "scenario"
CLUSTER = "cluster"
#: One project of a scenario (a :class:`~iomodel.ClusterInvestment`).
INVESTMENT = "investment"
#: ``construction`` or ``operation``.
PHASE = "phase"
#: A candidate project of an allocation problem.
PROJECT = "project"
#: A special economic zone.
ZONE = "zone"
#: A point of a Pareto front or a sweep.
POINT = "point"
#: A row of the imports block (an imported product, or the single row ``"imports"``).
IMPORT = "import"
#: A resource or factor of a linear program (labour, budget, foreign exchange, ...).
FACTOR = "factor"
#: A technology of a choice-of-technology model.
TECHNOLOGY = "technology"
#: A parameter of a sensitivity run (what a tornado chart or a Sobol index is about).
PARAMETER = "parameter"
#: The multiplier (the sector whose final demand changes) an elasticity or derivative is of.
MULTIPLIER_OF = "multiplier_of"
#: A level of the budget that revenue is credited to (e.g. republican, local, a national fund).
BUDGET_LEVEL = "budget_level"
#: Quantiles of a Monte Carlo result.
QUANTILE = "quantile"
#: Generic label of a one-off constraint row of a linear program.
CONSTRAINT = "constraint"
#: An account of a social accounting matrix (:class:`~iomodel.cge.SAM`): its receiving row.
ACCOUNT = "account"
#: The paying column of a social accounting matrix (the row dimension is :data:`ACCOUNT`).
ACCOUNT_TO = "account_to"

__all__ = [
    "ACCOUNT",
    "ACCOUNT_TO",
    "ALL",
    "BUDGET_LEVEL",
    "CATEGORY",
    "CLUSTER",
    "COMPONENT",
    "CONSTRAINT",
    "DRAW",
    "EFFECT",
    "FACTOR",
    "IMPORT",
    "INDICATOR",
    "INVESTMENT",
    "MULTIPLIER_OF",
    "PARAMETER",
    "PHASE",
    "POINT",
    "PROJECT",
    "QUANTILE",
    "SCENARIO",
    "SECTOR",
    "SECTOR_TO",
    "TAX",
    "TECHNOLOGY",
    "YEAR",
    "ZONE",
]

#: Every dimension name a public result may carry.
ALL = frozenset(
    {
        SECTOR,
        SECTOR_TO,
        CATEGORY,
        COMPONENT,
        INDICATOR,
        TAX,
        EFFECT,
        YEAR,
        DRAW,
        SCENARIO,
        CLUSTER,
        INVESTMENT,
        PHASE,
        PROJECT,
        ZONE,
        POINT,
        IMPORT,
        FACTOR,
        TECHNOLOGY,
        CONSTRAINT,
        ACCOUNT,
        ACCOUNT_TO,
        PARAMETER,
        QUANTILE,
        MULTIPLIER_OF,
        BUDGET_LEVEL,
    }
)
