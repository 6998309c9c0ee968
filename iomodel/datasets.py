"""Tables and definitions that ship with iomodel, loaded without network access.

* :func:`miller_blair`: the two-sector example of Miller & Blair (2009), ch. 2,
  the known-answer case of the test suite;
* :func:`kazakhstan`: the official 68-product input-output table of Kazakhstan
  with employment and budget-revenue accounts (built from the Bureau's workbook
  by :mod:`iomodel.io.kazakhstan`; provenance in its ``table.json``);
* :func:`kazakhstan_clusters`, :func:`kazakhstan_zones`,
  :func:`kazakhstan_tax_rates`, :func:`kazakhstan_mci`: the priority clusters
  mapped to products, the special economic zones, dated statutory tax rates and
  the monthly calculation index.

Files are read through :mod:`importlib.resources` (package ``iomodel.tables``)
so that an installed wheel works; in a source checkout the top-level
``tables/`` folder is used.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import LabelError, ReadError, ValidationError
from .table import HouseholdClosure, IOTable

__all__ = [
    "miller_blair",
    "kazakhstan",
    "kazakhstan_sectors",
    "kazakhstan_provenance",
    "kazakhstan_clusters",
    "kazakhstan_zones",
    "kazakhstan_tax_rates",
    "kazakhstan_mci",
    "cluster_weights",
    "kazakhstan_closure",
    "tables_path",
    "KZ_DEFAULT_MPC",
]

#: Assumed marginal propensity of Kazakh households to consume out of disposable
#: labour income (an iomodel assumption, not a statistic: vary it in sensitivity runs).
KZ_DEFAULT_MPC = 0.8

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
    (households buying household services) is a closure parameter:
    ``HouseholdClosure(h=0.05)`` reproduces the printed closed inverse.

    Examples
    --------
    >>> t = miller_blair()
    >>> t.output.tolist()
    [1000.0, 2000.0]
    """
    s = pd.Index(["agriculture", "manufacturing"], name="sector")
    Z = pd.DataFrame([[150.0, 500.0], [200.0, 100.0]], index=s, columns=s)
    F = pd.DataFrame({"households": [40.0, 320.0], "other": [310.0, 1380.0]}, index=s)
    V = pd.DataFrame([[300.0, 500.0], [350.0, 900.0]], index=["compensation", "other_value_added"], columns=s)
    return IOTable.from_flows(
        Z,
        F,
        V,
        name="Miller & Blair (2009) two-sector example",
        unit="dollars",
        currency="USD",
        source=MILLER_BLAIR_SOURCE,
    )


def tables_path() -> Path:
    """Folder of the shipped tables (installed package data or the checkout's ``tables/``)."""
    try:
        root = resources.files("iomodel.tables")
        p = Path(str(root))
        if (p / "kazakhstan").is_dir():
            return p
    except ModuleNotFoundError:
        pass
    p = Path(__file__).resolve().parents[1] / "tables"
    if not p.is_dir():
        raise ReadError("the shipped tables are missing: neither iomodel.tables nor ./tables was found")
    return p


def _table_dir(year: int) -> Path:
    d = tables_path() / f"kazakhstan_{year}"
    if not d.is_dir():
        have = sorted(p.name.split("_")[-1] for p in tables_path().glob("kazakhstan_*") if p.is_dir())
        raise LabelError(f"no shipped Kazakhstan table for {year}; available years: {have}")
    return d


@functools.lru_cache(maxsize=8)
def _kazakhstan(year: int) -> IOTable:
    from .io.tidy import read_tidy

    return read_tidy(_table_dir(year))


def kazakhstan(year: int = 2024, *, import_convention: str = "domestic") -> IOTable:
    """The official input-output table of Kazakhstan with its satellite accounts.

    68 products, thousand KZT, basic prices, from the Bureau of National
    Statistics; satellites ``employment`` (persons) and taxes by type (net
    product taxes and other taxes on production from the table; CIT, oil-sector
    CIT, PIT, social tax, oil-sector mineral extraction tax and rent tax on
    crude oil exports calibrated to 2024 revenue). See
    :func:`kazakhstan_provenance` for sources and methods.

    Parameters
    ----------
    year
        Table year (2024 ships).
    import_convention
        ``"domestic"`` (default) or the Bureau's ``"bureau"`` convention.

    Examples
    --------
    >>> kz = kazakhstan(2024)
    >>> kz.n, kz.meta.unit
    (68, 'thousand KZT')
    """
    t = _kazakhstan(int(year))
    return t if import_convention == t.meta.import_convention else t.with_import_convention(import_convention)  # type: ignore[arg-type]


def kazakhstan_sectors(year: int = 2024) -> pd.DataFrame:
    """Product codes with English and Russian names and OKED sections."""
    from .io.tidy import read_sectors

    return read_sectors(_table_dir(year))


def kazakhstan_provenance(year: int = 2024) -> dict[str, Any]:
    """Sources, units and methods of the shipped table (its ``table.json`` provenance)."""
    return json.loads((_table_dir(year) / "table.json").read_text(encoding="utf-8"))["provenance"]


def _kz_csv(name: str) -> pd.DataFrame:
    p = tables_path() / "kazakhstan" / name
    if not p.is_file():
        raise ReadError(f"{p}: missing from the shipped tables")
    return pd.read_csv(p, dtype=str, keep_default_na=False)


def kazakhstan_clusters() -> pd.DataFrame:
    """The ten priority clusters of the paper and the machine-building cluster, mapped to products.

    Columns ``cluster``, ``label``, ``product``, ``role`` (``core`` products
    carry the cluster's demand; ``supporting`` ones are suppliers named for
    analysis), ``rationale`` and ``source``. Edit a copy and pass it to
    :func:`cluster_weights` to use your own definitions.

    Examples
    --------
    >>> c = kazakhstan_clusters()
    >>> c["cluster"].nunique()
    11
    """
    return _kz_csv("clusters.csv")


def kazakhstan_zones() -> pd.DataFrame:
    """Special economic zones (Law No. 242-VI of 3 April 2019) with the clusters each hosts.

    Indexed by ``zone`` id; ``clusters`` lists the hosted clusters (from
    ``sez_clusters.csv``, each with its basis in the SEZ list).
    """
    z = _kz_csv("sez.csv").set_index("zone")
    links = _kz_csv("sez_clusters.csv")
    unknown = sorted(set(links["zone"]) - set(z.index))
    if unknown:
        raise ReadError(f"sez_clusters.csv names unknown zone(s) {unknown}")
    z["clusters"] = links.groupby("zone")["cluster"].agg(lambda s: ";".join(s)).reindex(z.index).fillna("")
    return z


def kazakhstan_tax_rates(on: str | None = None) -> pd.DataFrame:
    """Statutory tax rates with validity dates and sources.

    Parameters
    ----------
    on
        ISO date; if given, only the rates valid on that day.

    Examples
    --------
    >>> r = kazakhstan_tax_rates("2026-06-30").set_index("tax")["rate"]
    >>> float(r["VAT"]), float(r["social_tax"])
    (0.16, 0.06)
    """
    r = _kz_csv("tax_rates.csv")
    r["rate"] = r["rate"].astype(float)
    if on is None:
        return r
    day = pd.Timestamp(on)
    start = pd.to_datetime(r["valid_from"])
    end = pd.to_datetime(r["valid_to"].replace("", "2262-01-01"))
    return r[(start <= day) & (day <= end)].reset_index(drop=True)


def kazakhstan_mci() -> pd.Series:
    """Monthly calculation index (MCI, KZT) by year."""
    m = _kz_csv("mci.csv")
    return pd.Series(m["mci_kzt"].astype(float).to_numpy(), index=m["year"].astype(int), name="mci_kzt")


def cluster_weights(
    table: IOTable,
    clusters: pd.DataFrame | None = None,
    *,
    roles: tuple[str, ...] = ("core",),
    weighting: str = "output",
) -> pd.DataFrame:
    """Demand weights of each cluster over the table's sectors (rows sum to 1).

    Parameters
    ----------
    table
        The table whose sectors the clusters refer to.
    clusters
        Cluster definitions as :func:`kazakhstan_clusters` returns them
        (default: those). An optional ``weight`` column overrides the weighting.
    roles
        Which member roles carry demand (default only ``core``).
    weighting
        ``"output"``: members weighted by their gross output (a cluster's unit
        of final demand is spread like its production); ``"equal"``.

    Returns
    -------
    pandas.DataFrame
        Clusters x sectors.

    Raises
    ------
    LabelError
        A cluster names a product the table does not have.
    """
    c = kazakhstan_clusters() if clusters is None else clusters
    c = c[c["role"].isin(roles)] if "role" in c.columns else c
    unknown = sorted(set(c["product"]) - set(map(str, table.sectors)))
    if unknown:
        bad = c[c["product"].isin(unknown)]["cluster"].unique().tolist()
        raise LabelError(f"cluster(s) {bad} name product(s) {unknown} not in table {table.meta.name!r}")
    if weighting not in ("output", "equal"):
        raise ValidationError(f"unknown weighting {weighting!r}; valid options are 'output', 'equal'")
    out = pd.DataFrame(0.0, index=pd.Index(pd.unique(c["cluster"]), name="cluster"), columns=table.sectors)
    x = table.output
    for cl, g in c.groupby("cluster", sort=False):
        if "weight" in g.columns and (g["weight"] != "").all():
            w = pd.Series(g["weight"].astype(float).to_numpy(), index=g["product"])
        elif weighting == "output":
            w = x.reindex(g["product"])
        else:
            w = pd.Series(1.0, index=g["product"])
        if w.sum() <= 0:
            raise ValidationError(f"cluster {cl!r}: weights sum to {w.sum()}")
        out.loc[cl, w.index] = (w / w.sum()).to_numpy()
    return out


def kazakhstan_closure(year: int = 2024, *, mpc: float = KZ_DEFAULT_MPC) -> HouseholdClosure:
    """The Type II household closure used by default for Kazakhstan.

    The leakage-consistent form of METHODS.md 1.4: induced consumption per
    unit of labour income is ``mpc * (1 - tau_PIT) * s_i``, with ``s_i`` the
    share of domestic product ``i`` in household consumption at basic prices,
    domestic plus imported (imports are a leakage; product taxes on consumption,
    about 3.4 trillion KZT in 2024, are not in the basic-price table and are left
    out) and ``tau_PIT`` the effective PIT
    rate on compensation calibrated in the shipped table. Miller & Blair's
    textbook closure (consumption per unit of labour income) would let
    households spend 1.42 KZT of domestic products per KZT of compensation in
    2024, because their consumption is also financed by mixed income and
    transfers; it overstates induced effects for a wage shock.

    Parameters
    ----------
    year
        Table year (for the calibrated PIT rate).
    mpc
        Marginal propensity to consume out of disposable labour income
        (default :data:`KZ_DEFAULT_MPC`, an assumption).

    Examples
    --------
    >>> c = kazakhstan_closure()
    >>> round(c.income_tax, 4), c.propensity
    (0.0579, 0.8)
    """
    cal = {r["tax"]: r for r in kazakhstan_provenance(year)["calibrated_taxes"]}
    if "PIT" not in cal:
        raise ReadError(f"the {year} table has no calibrated PIT rate")
    return HouseholdClosure(propensity=float(mpc), income_tax=float(cal["PIT"]["rate"]))
