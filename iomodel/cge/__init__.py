"""Computable general equilibrium (CGE) on a social accounting matrix built from the same table.

* :class:`SAM`: a labelled, balanced social accounting matrix with account roles
  (:mod:`iomodel.cge.sam`);
* :class:`StandardCGE`: the standard small-open-economy model (Hosoe, Gasawa &
  Hashimoto 2010, ch. 6) with Lofgren et al. (2002) extensions, written once as
  a Pyomo square system and solved with an NLP solver that installs with pip
  (:mod:`iomodel.cge.model`), with its :class:`Closure`;
* :class:`Policy`: tax-rate, endowment, world-price and foreign-savings changes;
* :class:`CGEResult`: labelled results, welfare (equivalent variation), summary;
* :func:`from_sez`, :func:`compare_with_io`: an SEZ scenario as a policy, and
  its CGE effects beside the input-output ones (:mod:`iomodel.cge.sez`).

See docs/cge.md.
"""

from __future__ import annotations

from .model import Closure, StandardCGE
from .policy import Policy
from .result import CGEResult
from .sam import SAM
from .sez import compare_with_io, from_sez, plant_shares

__all__ = ["SAM", "CGEResult", "Closure", "Policy", "StandardCGE", "compare_with_io", "from_sez", "plant_shares"]
