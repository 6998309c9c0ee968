"""Readers and writers.

* :mod:`iomodel.io.tidy`: iomodel's own tidy format (what ``tables/`` ships).
* :mod:`iomodel.io.bns`: the official input-output workbook of the Bureau of
  National Statistics of Kazakhstan.
"""

from .tidy import read_description, read_sectors, read_tidy, write_tidy

__all__ = ["read_tidy", "write_tidy", "read_sectors", "read_description"]
