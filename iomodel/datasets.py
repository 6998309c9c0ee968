"""Tables and definitions that ship with iomodel, loaded without network access.

* :func:`miller_blair`: the two-sector example of Miller & Blair (2009), ch. 2,
  the known-answer case of the test suite;
* :func:`kazakhstan`: the official 68-product input-output table of Kazakhstan
  with employment and budget-revenue accounts (built from the Bureau's workbook
  by :mod:`iomodel.io.kazakhstan`; provenance in its ``table.json``);
* :func:`kazakhstan_economy`: Kazakhstan's facts as an :class:`~iomodel.Economy`
  (closure, clusters, zones, dated rates, MCI, SEZ rules), which the table of
  :func:`kazakhstan` carries;
* :func:`kazakhstan_clusters`, :func:`kazakhstan_zones`,
  :func:`kazakhstan_tax_rates`, :func:`kazakhstan_mci`: the files behind it as
  tables: the priority clusters mapped to products, the special economic
  zones, dated statutory tax rates and the monthly calculation index.

Files are read through :mod:`importlib.resources` (package ``iomodel.tables``)
so that an installed wheel works; in a source checkout the top-level
``tables/`` folder is used.
"""

from __future__ import annotations

import functools
import json
import math
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from .economy import Cluster, ClusterMember, Economy, HouseholdClosure, ReliefRule, TaxRate, Zone
from .economy import cluster_weights as _cluster_weights
from .errors import LabelError, ReadError
from .table import ImportConvention, IOTable

__all__ = [
    "cluster_weights",
    "kazakhstan",
    "kazakhstan_budget_levels",
    "kazakhstan_clusters",
    "kazakhstan_economy",
    "kazakhstan_mci",
    "kazakhstan_provenance",
    "kazakhstan_sectors",
    "kazakhstan_tax_rates",
    "kazakhstan_zones",
    "miller_blair",
    "tables_path",
]

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
        # iomodel/tables is package data of iomodel (no __init__.py, so it does not shadow PyTables' ``tables``)
        root = resources.files("iomodel") / "tables"
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

    return read_tidy(_table_dir(year)).with_economy(kazakhstan_economy(year))


def kazakhstan(year: int = 2024, *, import_convention: ImportConvention = "domestic") -> IOTable:
    """The official input-output table of Kazakhstan with its satellite accounts.

    68 products, thousand KZT, basic prices, from the Bureau of National
    Statistics; satellites ``employment`` (persons) and taxes by type (net
    product taxes and other taxes on production from the table; CIT, oil-sector
    CIT, PIT, social tax, oil-sector mineral extraction tax and rent tax on
    crude oil exports calibrated to 2024 revenue). See
    :func:`kazakhstan_provenance` for sources and methods. The table carries
    Kazakhstan's economy (:func:`kazakhstan_economy`), which evaluations use
    by default. The table is cached and immutable: nothing a caller does to it
    changes a later load.

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
    return t if import_convention == t.meta.import_convention else t.with_import_convention(import_convention)


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


def kazakhstan_budget_levels() -> pd.DataFrame:
    """The level of budget each tax is credited to, with sources.

    Columns ``tax``, ``level`` (``republican``, ``local``, ``national_fund``),
    ``share`` (of the tax's revenue), ``certainty``, ``source`` (the Budget
    Code and the Minister of Finance's table of distribution of budget
    receipts) and ``note`` (what the attribution leaves out, e.g. the CIT of
    small and medium enterprises credited to district budgets since 2020).

    Examples
    --------
    >>> b = kazakhstan_budget_levels().set_index("tax")
    >>> b.loc["PIT", "level"], b.loc["rent_tax_on_export_oil", "level"]
    ('local', 'national_fund')
    """
    b = _kz_csv("budget_levels.csv")
    b["share"] = b["share"].astype(float)
    return b


def kazakhstan_mci() -> pd.Series:
    """Monthly calculation index (MCI, KZT) by year."""
    m = _kz_csv("mci.csv")
    return pd.Series(m["mci_kzt"].astype(float).to_numpy(), index=m["year"].astype(int), name="mci_kzt")


def cluster_weights(
    table: IOTable,
    clusters: pd.DataFrame | Economy | None = None,
    *,
    roles: tuple[str, ...] = ("core",),
    weighting: str = "output",
) -> pd.DataFrame:
    """Demand weights of each cluster over the table's sectors (rows sum to 1).

    ``clusters`` defaults to Kazakhstan's (:func:`kazakhstan_clusters`); see
    :func:`iomodel.economy.cluster_weights` for the parameters.

    Examples
    --------
    >>> w = cluster_weights(kazakhstan())
    >>> bool((w.sum(axis=1).round(12) == 1).all()), w.shape
    (True, (11, 68))
    """
    return _cluster_weights(
        table, kazakhstan_clusters() if clusters is None else clusters, roles=roles, weighting=weighting
    )


def _economy_file() -> dict[str, Any]:
    p = tables_path() / "kazakhstan" / "economy.toml"
    if not p.is_file():
        raise ReadError(f"{p}: missing from the shipped tables")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ReadError(f"{p}: invalid TOML ({exc})") from None


@functools.lru_cache(maxsize=8)
def kazakhstan_economy(year: int = 2024) -> Economy:
    """Kazakhstan's facts for evaluations, as shipped data (frozen; safe to share).

    * household closure (docs/math.md): marginal propensity to consume 0.8
      (an assumption), deductions = the effective PIT rate calibrated in the
      table plus the employee pension (10%) and health (2%) contributions,
      product taxes on household consumption (VAT and excise rates calibrated
      to 2024 revenue in the table's provenance);
    * the priority clusters (``clusters.csv``), the special economic zones with
      their legal terms (``sez.csv``, ``sez_clusters.csv``), dated statutory
      rates (``tax_rates.csv``), the MCI (``mci.csv``);
    * the SEZ relief rule, product lists, contribution rates, the EAEU customs
      pooling share, the standard SEZ package and the table's tax rows it
      replaces (``economy.toml``);
    * the level of budget each tax is credited to (``budget_levels.csv``).

    Parameters
    ----------
    year
        Year of the table whose calibrations the closure uses.

    Examples
    --------
    >>> eco = kazakhstan_economy(2024)
    >>> eco.closure.mpc, round(eco.closure.deductions, 4), eco.customs_pooling_share
    (0.8, 0.1779, 0.07055)
    >>> eco.zone("nipt").term_end, eco.relief_years(20e9, 2026)
    (None, 15)
    >>> dict(eco.rates_on("2026-06-30"))["VAT"]
    0.16
    """
    f = _economy_file()
    prov = kazakhstan_provenance(year)
    cal = {r["tax"]: r for r in prov.get("calibrated_taxes", [])}
    if "PIT" not in cal:
        raise ReadError(f"the {year} table has no calibrated PIT rate")
    contributions = {k: float(v) for k, v in f["employee_contributions"].items() if not k.endswith("_source")}
    cons = {r["tax"]: float(r["rate"]) for r in prov.get("consumption_taxes", [])}
    if not cons:
        raise ReadError(f"the {year} table's provenance has no consumption tax rates ('consumption_taxes')")
    closure = HouseholdClosure(
        mpc=float(f["closure"]["mpc"]),
        deductions=float(cal["PIT"]["rate"]) + sum(contributions.values()),
        consumption_taxes=cons,
    )
    members: dict[str, list[ClusterMember]] = {}
    labels: dict[str, str] = {}
    for r in kazakhstan_clusters().to_dict("records"):
        labels[r["cluster"]] = r["label"]
        w = r.get("weight", "")
        members.setdefault(r["cluster"], []).append(
            ClusterMember(
                product=r["product"],
                role=r["role"],
                weight=float(w) if w not in ("", None) else None,
                rationale=r.get("rationale", ""),
                source=r.get("source", ""),
            )
        )
    clusters = [Cluster(id=c, label=labels[c], members=tuple(m)) for c, m in members.items()]
    z = kazakhstan_zones()
    zones = [
        Zone(
            id=str(zid),
            name=row["sez_name"],
            status=row["status"],
            term_end=int(row["term_end"]) if str(row["term_end"]).strip() else None,
            term=row["term"],
            clusters=tuple(c for c in row["clusters"].split(";") if c),
            region=row["region"],
            source=row["sources"],
        )
        for zid, row in z.iterrows()
    ]
    rates = [
        TaxRate(
            tax=r["tax"],
            rate=float(r["rate"]),
            valid_from=r["valid_from"] or None,
            valid_to=r["valid_to"] or None,
            base=r["base"],
            source=r["source"],
        )
        for r in kazakhstan_tax_rates().to_dict("records")
    ]
    rr = f["relief_rule"]
    rule = ReliefRule(
        thresholds=tuple((math.inf if u == "inf" else float(u), int(y)) for u, y in rr["thresholds"]),
        unit=rr["unit"],
        source=rr["source"],
    )
    sez = f["sez"]
    levels: dict[str, dict[str, float]] = {}
    level_rows = kazakhstan_budget_levels().to_dict("records")
    for r in level_rows:
        levels.setdefault(r["tax"], {})[r["level"]] = float(r["share"])
    revenue = {r["tax"]: float(r["revenue"]) for r in prov.get("consumption_taxes", [])}
    participant_rows = dict.fromkeys(sez["participant_tax_rows"], 1.0)
    # of the net product taxes on the participant's inputs, VAT's share of VAT plus excise is replaced
    participant_rows[sez["net_product_taxes_row"]] = revenue["VAT"] / (revenue["VAT"] + revenue["excise"])
    sources = {
        "mpc": f["closure"]["mpc_source"],
        "PIT": cal["PIT"]["source"],
        **{
            f"contribution:{k.removesuffix('_source')}": v
            for k, v in f["employee_contributions"].items()
            if k.endswith("_source")
        },
        **{f"consumption_tax:{r['tax']}": r["source"] for r in prov.get("consumption_taxes", [])},
        "customs_pooling_share": f["customs"]["pooling_source"],
        "relief_rule": rr["source"],
        "construction_products": f["products"]["construction_source"],
        "machinery_products": f["products"]["machinery_source"],
        "standard_exemptions": sez["exemptions_source"],
        "participant_tax_rows": "tables/kazakhstan/economy.toml [sez]; VAT and excise revenue of 2024 "
        "(the table's provenance, consumption_taxes)",
        "mci": "tables/kazakhstan/mci.csv (republican budget laws)",
        **{f"budget_level:{r['tax']}": f"{r['source']} ({r['certainty']} certainty)" for r in level_rows},
        "budget_level_names": f["budget_levels"]["names_source"],
    }
    return Economy(
        name=f"{f['name']} {year}",
        currency=f["currency"],
        year=year,
        closure=closure,
        clusters={c.id: c for c in clusters},
        zones={z.id: z for z in zones},
        tax_rates=tuple(rates),
        mci=kazakhstan_mci().to_dict(),
        relief_rule=rule,
        construction_products=tuple(f["products"]["construction"]),
        machinery_products=tuple(f["products"]["machinery"]),
        employee_contributions=contributions,
        customs_pooling_share=float(f["customs"]["pooling_share"]),
        budget_levels=levels,
        budget_level_names=f["budget_levels"]["names"],
        participant_tax_rows=participant_rows,
        standard_exemptions=sez["exemptions"],
        sez_law=sez["law"],
        sources=sources,
    )
