"""Readers and writers.

* :mod:`iomodel.io.tidy`: iomodel's own tidy format (what ``tables/`` ships).
* :mod:`iomodel.io.bns`: the official input-output workbook of the Bureau of
  National Statistics of Kazakhstan.
"""

from .bns import BNSBlocks, read_bns_blocks
from .kazakhstan import build_kazakhstan, read_bns
from .tidy import read_description, read_sectors, read_tidy, write_tidy

__all__ = [
    "BNSBlocks",
    "build_kazakhstan",
    "read_bns",
    "read_bns_blocks",
    "read_description",
    "read_sectors",
    "read_tidy",
    "write_tidy",
]
