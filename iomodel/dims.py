"""Dimension names used in every labelled result, fixed once.

A square matrix needs two names: the row dimension is :data:`SECTOR` (the
supplying sector) and the column dimension is :data:`SECTOR_TO` (the using
sector). Multipliers are indexed by :data:`SECTOR`, meaning the sector whose
final demand changes.
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

__all__ = [
    "SECTOR",
    "SECTOR_TO",
    "CATEGORY",
    "COMPONENT",
    "INDICATOR",
    "TAX",
    "EFFECT",
    "YEAR",
    "DRAW",
    "SCENARIO",
    "CLUSTER",
]
