"""Tables that ship with iomodel, loaded without network access.

* :func:`miller_blair`: the two-sector example of Miller & Blair (2009), ch. 2,
  the known-answer case of the test suite.
"""

from __future__ import annotations

import pandas as pd

from .table import IOTable

__all__ = ["miller_blair"]

MILLER_BLAIR_SOURCE = (
    "Miller, R.E. and Blair, P.D. (2009) Input-Output Analysis: Foundations and Extensions, "
    "2nd ed., Cambridge University Press, ch. 2 (Table 2.3; household closure of section 2.5)"
)


def miller_blair() -> IOTable:
    """The two-sector hypothetical example of Miller & Blair (2009), chapter 2.

    ``Z = [[150, 500], [200, 100]]``, ``x = (1000, 2000)``, final demand
    ``f = (350, 1700)``. Value added is split so that labour income per unit
    of output is the textbook's household row ``h_R = (0.30, 0.25)``
    (compensation 300 and 500); final demand is split into ``households``
    ``(40, 320)`` and ``other`` so that the default :class:`~iomodel.HouseholdClosure`
    (consumption per unit of labour income, 800) gives the textbook's
    household column ``h_C = (0.05, 0.40)``. The textbook's ``h = 0.05``
    (households buying household services) has no counterpart in a table; the
    closed-model known answers are tested at kernel level.

    Examples
    --------
    >>> t = miller_blair()
    >>> t.output.tolist()
    [1000.0, 2000.0]
    """
    s = pd.Index(["agriculture", "manufacturing"], name="sector")
    Z = pd.DataFrame([[150.0, 500.0], [200.0, 100.0]], index=s, columns=s)
    F = pd.DataFrame({"households": [40.0, 320.0], "other": [310.0, 1380.0]}, index=s)
    V = pd.DataFrame([[300.0, 500.0], [350.0, 900.0]], index=["compensation", "other_value_added"],
                     columns=s)
    return IOTable.from_flows(
        Z, F, V, name="Miller & Blair (2009) two-sector example", unit="dollars",
        currency="USD", source=MILLER_BLAIR_SOURCE,
    )
