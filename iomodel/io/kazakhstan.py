"""Build the shipped Kazakhstan table from the official sources.

This module turns the Bureau of National Statistics workbook and the published
satellite statistics into the tidy files of ``tables/``. The sources are
vendored in a checkout of the repository, in ``tables/sources/`` (each with
its publisher, date, address and checksum in ``tables/sources/provenance.json``;
not installed with the wheel), and :data:`SOURCES_DIR` is the default folder:

1. :func:`read_bns` reads the workbook into an :class:`~iomodel.IOTable`
   (domestic flows, the import-use matrix, final demand by category, the
   value-added block, net product taxes), with two tax rows taken from the
   table itself: net taxes on products paid on intermediate use and other
   taxes less subsidies on production;
2. :func:`build_kazakhstan` adds the satellite accounts:

   * **employment** (persons): Labour Force Survey totals by OKED section split
     to the 68 products in proportion to compensation of employees
     (:func:`iomodel.satellites.split_to_products`); section T (households as
     employers) is not published separately and is folded into S;
   * **budget revenue by tax**, each an effective rate calibrated to the 2024
     revenue (:func:`iomodel.satellites.calibrate_tax`): CIT of the state budget
     on the positive net operating surplus of all products but crude oil and
     natural gas; oil-sector CIT (National Fund) on that of crude oil and gas;
     PIT and social tax on compensation; mineral extraction tax of the oil
     sector on the output of crude oil and gas; rent tax on exports on crude
     oil exports;
   * **VAT and excise on household consumption** (provenance only, for the
     Type II closure): 2024 revenue attributed to the domestic uses in
     proportion to the table's net product taxes on each use, the households'
     part as a rate on their consumption at basic prices
     (:func:`iomodel.satellites.attribute_product_taxes`);

3. :func:`main` writes them with :func:`iomodel.io.tidy.write_tidy`.

Run ``iomodel build-tables`` (``--shared DIR`` reads another folder of the same
layout, ``--out`` writes elsewhere than ``tables``).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReadError
from ..satellites import attribute_product_taxes, calibrate_tax, pay_adjusted_key, split_to_products
from ..table import ImportConvention, IOTable
from .bns import BNSBlocks, read_bns_blocks
from .tidy import write_tidy

__all__ = [
    "PRODUCT_NAMES_EN",
    "SECTOR_NAMES_SOURCE",
    "SOURCES_DIR",
    "TAX_NAMES_EN",
    "TAX_NAMES_SOURCE",
    "KazakhstanBuild",
    "build_kazakhstan",
    "default_sources",
    "parse_term_end",
    "product_names",
    "read_bns",
    "read_employment_by_section",
    "read_sez_list",
    "read_tax_revenue",
    "read_wage_table",
]

#: English names of the 68 products (CPA/KPVED 2008 groupings of the Bureau's table).
PRODUCT_NAMES_EN: dict[str, str] = {
    "01": "Crop and animal products, hunting",
    "02": "Forestry and logging products",
    "03": "Fish and aquaculture products",
    "05": "Coal and lignite",
    "061": "Crude petroleum",
    "062": "Natural gas",
    "071": "Iron ores",
    "072": "Non-ferrous metal ores",
    "08": "Other mining and quarrying products",
    "09": "Mining support services",
    "10-11": "Food products and beverages",
    "12": "Tobacco products",
    "13": "Textiles",
    "14": "Wearing apparel",
    "15": "Leather and leather products",
    "16": "Wood and products of wood and cork",
    "17": "Paper and paper products",
    "18": "Printing and recording services",
    "191": "Coke oven products",
    "192": "Refined petroleum products",
    "20": "Chemicals and chemical products",
    "21": "Basic pharmaceutical products and preparations",
    "22": "Rubber and plastic products",
    "23": "Other non-metallic mineral products",
    "241": "Basic iron and steel and ferro-alloys",
    "242": "Tubes, pipes, hollow profiles and fittings of steel",
    "243": "Other products of first processing of steel",
    "244": "Basic precious and other non-ferrous metals",
    "245": "Casting services",
    "25": "Fabricated metal products, except machinery",
    "26": "Computer, electronic and optical products",
    "27": "Electrical equipment",
    "28": "Machinery and equipment n.e.c.",
    "29": "Motor vehicles, trailers and semi-trailers",
    "30": "Other transport equipment",
    "31": "Furniture",
    "32": "Other manufactured goods",
    "33": "Repair and installation of machinery",
    "351": "Electricity, transmission and distribution",
    "352": "Manufactured gas; distribution of gaseous fuels",
    "353": "Steam and air conditioning supply",
    "36-39": "Water supply, sewerage, waste management",
    "41-43": "Buildings and construction works",
    "45": "Trade and repair of motor vehicles",
    "46": "Wholesale trade, except motor vehicles",
    "47": "Retail trade, except motor vehicles",
    "49": "Land and pipeline transport",
    "50": "Water transport",
    "51": "Air transport",
    "52": "Warehousing and support services for transport",
    "53": "Postal and courier services",
    "55": "Accommodation services",
    "56": "Food and beverage serving services",
    "58-63, кроме 61": "Information services, except telecommunications",
    "61": "Telecommunications services",
    "64": "Financial services, except insurance and pensions",
    "65": "Insurance, reinsurance and pension funding",
    "66": "Services auxiliary to financial services",
    "68": "Real estate services",
    "69-75": "Professional, scientific and technical services",
    "77-82": "Administrative and support services",
    "84": "Public administration and defence; compulsory social security",
    "85": "Education services",
    "86": "Human health services",
    "87-88": "Social work services",
    "90-93": "Arts, entertainment and recreation services",
    "94-96": "Other services",
    "97-98": "Services of households as employers",
}

#: Readable names of the taxes of the Kazakhstan tables and of the accounts run on them (:data:`TAX_NAMES_SOURCE`).
TAX_NAMES_EN: dict[str, str] = {
    "net_product_taxes": "Net taxes on products (intermediate use)",
    "other_taxes_on_production": "Other taxes on production less subsidies",
    "CIT": "Corporate income tax, except oil and gas",
    "CIT_oil_sector": "Corporate income tax, oil and gas",
    "PIT": "Individual income tax",
    "social_tax": "Social tax",
    "MET_oil_sector": "Mineral extraction tax, oil and gas",
    "rent_tax_on_export_oil": "Rent tax on export of crude oil",
    "VAT": "Value added tax",
    "excise": "Excise taxes",
    "property_tax": "Property tax",
    "land_tax": "Land tax",
    "customs": "Import customs duties",
    "import_duties": "Import customs duties",
    "export_taxes": "Export customs duties",
}
#: Where the sectors' names come from (``TableMeta.notes["sector_names"]`` of a table read from the workbook).
SECTOR_NAMES_SOURCE = (
    "English names of the CPA/KPVED 2008 product groupings of the Bureau's table (iomodel.io.kazakhstan."
    "PRODUCT_NAMES_EN; sectors.csv, column name_en), a product not among them by its Russian name in the workbook"
)
#: Where the names of :data:`TAX_NAMES_EN` come from (``TableMeta.notes["tax_names"]``).
TAX_NAMES_SOURCE = (
    "taxes named after the Code of the Republic of Kazakhstan 'On taxes and other obligatory payments to the "
    "budget (Tax Code)' of 25 December 2017 No. 120-VI, in force in 2024 (English of the unofficial translation "
    "of the Republican Centre of Legal Information, adilet.zan.kz): corporate income tax, individual income tax, "
    "social tax, mineral extraction tax, rent tax on export, value added tax, excise taxes, property tax, land "
    "tax; the products they are attributed to as in the revenue series of the Ministry of Finance (state budget; "
    "oil-sector taxes paid to the National Fund); net taxes on products and other taxes less subsidies on "
    "production as the rows of the Bureau's table ('Чистые налоги на продукты', 'Другие налоги на производство за "
    "вычетом субсидий'); import and export customs duties as in the Customs Code of the Eurasian Economic Union"
)

OIL_AND_GAS = ("061", "062")
CRUDE_OIL = ("061",)
BNS_SOURCE = (
    "Bureau of National Statistics of the Republic of Kazakhstan (Agency for Strategic Planning and "
    "Reforms), 'Tables Input-Output of the Republic of Kazakhstan for 2024', 68 products, thousand "
    "tenge, published 19 December 2025 (stat.gov.kz, national accounts, listing 19580)"
)


#: The official sources vendored in a checkout (``tables/sources/``; not installed with the wheel).
SOURCES_DIR = Path(__file__).resolve().parents[2] / "tables" / "sources"


def default_sources() -> Path:
    """The vendored official sources, :data:`SOURCES_DIR`.

    Raises
    ------
    ReadError
        The folder is absent, as in an installed wheel (names the folder looked at).
    """
    if not (SOURCES_DIR / "provenance.json").is_file():
        raise ReadError(
            f"the official sources are not at {SOURCES_DIR}: they are vendored in a checkout of the repository "
            "(tables/sources), not installed with the wheel; pass the folder that holds kz_bns_io_2024/ and "
            "kz_satellites/"
        )
    return SOURCES_DIR


def read_bns(path: str | Path, *, import_convention: ImportConvention = "domestic") -> IOTable:
    """Read the Bureau's input-output workbook into an :class:`~iomodel.IOTable`.

    Parameters
    ----------
    path
        The workbook (either the layout the Bureau publishes or the re-laid copy).
    import_convention
        ``"domestic"`` (default, impact analysis: domestic flows over output)
        or ``"bureau"`` (its table 9: all flows over output plus imports);
        see :data:`iomodel.IMPORT_CONVENTIONS`.

    Returns
    -------
    IOTable
        Labelled by the Bureau's product codes, named in English
        (:data:`PRODUCT_NAMES_EN`; a product not among them by its name in
        the workbook); tax rows ``net_product_taxes`` and
        ``other_taxes_on_production`` from the table, taxes named
        (:data:`TAX_NAMES_EN`).

    Raises
    ------
    ReadError
        The workbook's layout is not as expected (names the sheet and row).
    """
    b = read_bns_blocks(path)
    return table_from_blocks(b, import_convention=import_convention)


def table_from_blocks(b: BNSBlocks, *, import_convention: ImportConvention = "domestic") -> IOTable:
    """Assemble an :class:`~iomodel.IOTable` from parsed workbook blocks."""
    year = int(b.meta["year"])
    taxes = pd.DataFrame(
        [b.product_taxes.to_numpy(), b.value_added.loc["other_taxes_on_production"].to_numpy()],
        index=["net_product_taxes", "other_taxes_on_production"],
        columns=b.value_added.columns,
    )
    return IOTable.from_flows(
        b.Z_domestic,
        b.final_demand_domestic,
        b.value_added,
        output=b.output,
        imports=b.Z_imported,
        imports_final=b.final_demand_imported,
        product_taxes=b.product_taxes,
        taxes=taxes,
        name=f"Kazakhstan {year}",
        year=year,
        currency="KZT",
        unit="thousand KZT",
        price_basis="basic prices",
        source=BNS_SOURCE.replace("2024", str(year)) if year != 2024 else BNS_SOURCE,
        import_convention=import_convention,
        notes={
            "file": str(b.meta.get("file", "")),
            "layout": str(b.meta.get("layout", "")),
            "sector_names": SECTOR_NAMES_SOURCE,
            "tax_names": TAX_NAMES_SOURCE,
        },
        sector_names=product_names(b.Z_domestic.index, b.products.get("name_ru")),
        tax_names=TAX_NAMES_EN,
        rtol=1e-9,
    )


def product_names(codes: Sequence[Any], workbook_names: pd.Series | None = None) -> dict[str, str]:
    """Readable names of the Bureau's products: :data:`PRODUCT_NAMES_EN`, else the workbook's (Russian) name.

    Examples
    --------
    >>> product_names(["061", "99"], pd.Series({"99": "Прочее"}))
    {'061': 'Crude petroleum', '99': 'Прочее'}
    """
    names = {}
    for code in map(str, codes):
        name = PRODUCT_NAMES_EN.get(code)
        if name is None and workbook_names is not None and code in workbook_names.index:
            text = str(workbook_names[code]).strip()
            name = text if text and text != "nan" else None
        if name:
            names[code] = name
    return names


def _csv(path: Path, columns: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV source file as text cells, with its required columns.

    Raises
    ------
    ReadError
        The file is missing, cannot be opened, is not UTF-8 text, is empty, is
        not a readable CSV file (pandas' parser error, with its line), or lacks
        one of ``columns`` (the message names the file and the columns).
    """
    try:
        if not path.is_file():
            raise ReadError(f"{path}: not found")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            d = pd.read_csv(path, dtype=str, keep_default_na=False, index_col=False, skip_blank_lines=False)
    except OSError as exc:  # a folder in the way, no permission, a name too long, ...
        raise ReadError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path}: not a UTF-8 text file (byte {exc.start}: {exc.reason})") from exc
    except pd.errors.EmptyDataError as exc:
        raise ReadError(f"{path}: empty file; expected a header with the columns {list(columns)}") from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReadError(f"{path}: not a readable CSV file ({' '.join(str(exc).split())})") from exc
    missing = [c for c in columns if c not in d.columns]
    if missing:
        raise ReadError(f"{path}: missing column(s) {missing}; the file has {list(d.columns)}")
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):  # pandas would drop the extra fields
        raise ReadError(f"{path}: lines with more fields than the header {','.join(map(str, d.columns))}")
    # blank lines are dropped, the index keeps each row's place: line = index + 2
    return d[(d != "").any(axis=1)]


def _numbers(d: pd.DataFrame, column: str, path: Path, labels: pd.Series) -> pd.Series:
    """A column of text cells as finite floats; ReadError naming the rows (by ``labels`` and line) otherwise."""
    values = pd.to_numeric(d[column].str.strip(), errors="coerce").astype(float)
    bad = ~np.isfinite(values.to_numpy())
    if bad.any():
        rows = [f"{labels.iloc[i]!r} (line {d.index[i] + 2}: {d[column].iloc[i]!r})" for i in np.flatnonzero(bad)[:5]]
        raise ReadError(f"{path}: {column} is not a finite number for {', '.join(rows)}")
    return values


def read_employment_by_section(path: str | Path, year: int) -> tuple[pd.Series, str]:
    """Employed persons (thousand) by OKED section from ``kz_employment_by_section.csv``.

    Aggregate rows (``B-E``, ``TOTAL``) are used only to verify the sections.

    Returns
    -------
    tuple
        Series by section code and the source text.

    Raises
    ------
    ReadError
        The file is missing, empty or not a CSV file; a column is missing; the
        year has no rows, a section twice, no ``TOTAL`` row, or sections that do
        not add up to it; a value is not a finite non-negative number (the
        message names the file, the section and the line).
    """
    p = Path(path)
    d = _csv(p, ("year", "section_code", "employed_thousand", "source"))
    d = d[d["year"].str.strip() == str(year)]
    if d.empty:
        raise ReadError(f"{p}: no rows for year {year}")
    codes = d["section_code"].str.strip()
    dup = codes[codes.duplicated(keep=False)]
    if len(dup):
        lines = ", ".join(str(i + 2) for i in dup.index)
        raise ReadError(f"{p}: section(s) {sorted(set(dup))} appear more than once for {year} (lines {lines})")
    vals = _numbers(d, "employed_thousand", p, codes)
    if (vals < 0).any():
        i = int(np.flatnonzero((vals < 0).to_numpy())[0])
        raise ReadError(f"{p}: negative employment for section {codes.iloc[i]!r} (line {d.index[i] + 2})")
    vals.index = pd.Index(codes.to_numpy())
    if "TOTAL" not in vals.index:
        raise ReadError(f"{p}: no TOTAL row for {year}, against which the sections are checked")
    total = float(vals["TOTAL"])
    sections = vals[[len(c) == 1 and c.isalpha() for c in vals.index]]
    if abs(sections.sum() - total) > 1e-6 * total:
        raise ReadError(f"{p}: sections of {year} add to {sections.sum():.3f}, total row says {total}")
    return sections.rename("employed_thousand"), str(d["source"].iloc[0])


def read_tax_revenue(path: str | Path, year: int) -> pd.DataFrame:
    """Revenue by tax and budget level (thousand KZT) from ``kz_tax_revenue_annual_million_kzt.csv``.

    Returns
    -------
    pandas.DataFrame
        Index ``(budget_level, tax)``; columns ``value`` (thousand KZT) and ``source``.

    Raises
    ------
    ReadError
        The file is missing, empty or not a CSV file; a column is missing; the
        year has no rows or a (budget level, tax) twice; a value is not a
        finite number (the message names the file, the tax and the line).
    """
    p = Path(path)
    d = _csv(
        p,
        (
            "year",
            "budget_level",
            "tax",
            "value_million_kzt",
            "source_series",
            "source_repo_path",
            "underlying_official_source",
        ),
    )
    for col in ("source_repo_path", "underlying_official_source"):  # the file uses "same" as a ditto mark
        d[col] = d[col].where(d[col] != "same").ffill().fillna("")
    d = d[d["year"].str.strip() == str(year)]
    if d.empty:
        raise ReadError(f"{p}: no rows for year {year}")
    keys = d["budget_level"] + "/" + d["tax"]
    dup = keys[keys.duplicated(keep=False)]
    if len(dup):
        lines = ", ".join(str(i + 2) for i in dup.index)
        raise ReadError(f"{p}: budget_level/tax {sorted(set(dup))} appear more than once for {year} (lines {lines})")
    val = _numbers(d, "value_million_kzt", p, keys)
    src = d["underlying_official_source"] + " via " + d["source_repo_path"] + " (" + d["source_series"] + ")"
    return pd.DataFrame(
        {"value": val.to_numpy() * 1000.0, "source": src.to_numpy()},
        index=pd.MultiIndex.from_frame(d[["budget_level", "tax"]]),
    )


def _slug(name: str) -> str:
    base = name.split("(")[0]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_")


_ZONE_IDS = {
    "National Industrial Petrochemical Technopark (NIPT)": "nipt",
    "Park of Innovative Technologies (PIT; Astana Hub/Alatau area)": "pit",
    "Khorgos International Centre of Boundary Cooperation (ICBC)": "khorgos_icbc",
    "Alatau (planned SEZ -> special-status city)": "alatau",
}


_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_TERM = re.compile(
    r"(?P<phrase>(?:[A-Za-z]+ )*?(?:until|till|extended to)\s+"
    r"(?:(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\.?\s+)?(?P<year>(?:19|20)\d\d))(?![\w/-])"
)


def parse_term_end(term: str) -> tuple[int | None, str]:
    """Last full year of a zone's legal term from the term text of the SEZ list.

    A term ``until <year>`` or ``extended to <year>`` ends with that year; a
    term ``until <day> <month> <year>`` ends with the last calendar year the
    zone covers entirely: ``until 1 Jan 2028`` gives 2027, ``until 31 Dec 2036``
    gives 2036 (any other day gives the year before). Texts that state no term
    (``not verified``, ``n/a``) give ``None``.

    Parameters
    ----------
    term
        The ``term`` text of one zone.

    Returns
    -------
    tuple
        The year (or ``None``) and the phrase it was read from (``""`` if none).

    Raises
    ------
    ReadError
        A term stated in another form, a dated term with a month that is not
        an English month name, or two different terms in one text (the
        message quotes the text).

    Examples
    --------
    >>> parse_term_end("until 1 Jan 2028")
    (2027, 'until 1 Jan 2028')
    >>> parse_term_end("extended to 2052")
    (2052, 'extended to 2052')
    >>> parse_term_end("land use until 2043")
    (2043, 'land use until 2043')
    >>> parse_term_end("not verified (possibly abolished)")
    (None, '')
    """
    text = " ".join(str(term).split())
    found = list(_TERM.finditer(text))
    if not found:
        if re.search(r"\b(?:until|till|extended)\b", text) and re.search(r"\b(?:19|20)\d\d\b", text):
            raise ReadError(f"SEZ term {text!r}: a term is stated but not as '<until|extended to> [day month] year'")
        return None, ""
    if len({m.group("phrase") for m in found}) > 1:
        raise ReadError(f"SEZ term {text!r}: more than one term stated ({[m.group('phrase') for m in found]})")
    m = found[0]
    year = int(m.group("year"))
    if m.group("day") is None:
        return year, m.group("phrase")
    word = m.group("month").lower()
    month = next((i + 1 for i, name in enumerate(_MONTHS) if len(word) >= 3 and name.startswith(word)), None)
    if month is None:
        raise ReadError(f"SEZ term {text!r}: {m.group('month')!r} is not a month (use e.g. 'Jan', 'January')")
    day = int(m.group("day"))
    last_full = year if (month, day) == (12, 31) else year - 1
    return last_full, m.group("phrase")


def read_sez_list(path: str | Path) -> pd.DataFrame:
    """Special economic zones from ``kz_sez_list.csv`` with a stable ``zone`` id and a status.

    ``status`` is ``"planned"`` where the name says so, ``"uncertain"`` where the
    term says the zone may be abolished, else ``"operating"``. ``term_end`` is
    the last full year of the zone's legal term read from ``term`` by
    :func:`parse_term_end` (empty where no term is stated) and ``term_basis``
    the phrase it was read from.
    """
    p = Path(path)
    need = [
        "sez_name",
        "region",
        "establishing_act_or_date",
        "term",
        "area_ha",
        "priority_focus",
        "sources",
        "certainty",
    ]
    d = _csv(p, need)
    if d.empty:
        raise ReadError(f"{p}: no zones (a header without rows)")
    zone = [_ZONE_IDS.get(n, _slug(n)) for n in d["sez_name"]]
    status = np.where(
        d["sez_name"].str.contains("planned"),
        "planned",
        np.where(d["term"].str.contains("abolished"), "uncertain", "operating"),
    )
    out = d[need].copy()
    out.insert(0, "zone", zone)
    out.insert(2, "status", status)
    ends = []
    for name, text in zip(d["sez_name"], d["term"], strict=True):
        try:
            ends.append(parse_term_end(text))
        except ReadError as exc:
            raise ReadError(f"{p}, zone {name!r}: {exc}") from None
    out.insert(out.columns.get_loc("term") + 1, "term_end", pd.array([e for e, _ in ends], dtype="Int64"))
    out.insert(out.columns.get_loc("term_end") + 1, "term_basis", [b for _, b in ends])
    if out["zone"].duplicated().any():
        raise ReadError(f"{p}: duplicated zone ids {out['zone'][out['zone'].duplicated()].tolist()}")
    return out.set_index("zone")


@dataclass(frozen=True)
class KazakhstanBuild:
    """What :func:`build_kazakhstan` produces: the table and its companions."""

    table: IOTable
    sectors: pd.DataFrame
    provenance: dict[str, Any]
    sez: pd.DataFrame
    tax_comparison: pd.DataFrame


def read_wage_table(wages: str | Path | pd.DataFrame) -> pd.DataFrame:
    """A user's table of average wages: columns ``code``, ``avg_wage`` and ``source``.

    ``code`` is a product code of the table, an OKED division (with a
    product-to-division mapping, see :func:`build_kazakhstan`) or an OKED
    section; ``avg_wage`` the average wage in one unit for all rows (e.g. KZT
    per month); ``source`` where the figure comes from (required on every row).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code`` (str), columns ``avg_wage`` (float) and ``source``.

    Raises
    ------
    ReadError
        A missing, empty or unreadable file, a missing column, a duplicated
        code, a wage that is not a finite positive number or a row without a
        source (the message names the code).

    Examples
    --------
    >>> w = read_wage_table(pd.DataFrame({"code": ["061", "B"], "avg_wage": [1.2e6, 866_500],
    ...                                   "source": ["survey", "BNS"]}))
    >>> w["avg_wage"].to_dict()
    {'061': 1200000.0, 'B': 866500.0}
    """
    where = str(wages) if isinstance(wages, str | Path) else "wage table"
    if isinstance(wages, str | Path):
        d = _csv(Path(wages))
    elif isinstance(wages, pd.DataFrame):
        d = wages.astype(str)
    else:
        raise ReadError(f"wages must be a CSV file or a pandas DataFrame, got {type(wages).__name__}")
    missing = [c for c in ("code", "avg_wage", "source") if c not in d.columns]
    if missing:
        raise ReadError(f"{where}: missing column(s) {missing}; expected code, avg_wage, source")
    d = d.assign(code=d["code"].astype(str).str.strip())
    dup = d["code"][d["code"].duplicated()].tolist()
    if dup:
        raise ReadError(f"{where}: duplicated code(s) {dup}")
    w = pd.to_numeric(d["avg_wage"].str.strip(), errors="coerce").astype(float)
    bad = d["code"][~(np.isfinite(w) & (w > 0))].tolist()
    if bad:
        raise ReadError(f"{where}: avg_wage is not a finite positive number for code(s) {bad}")
    nosrc = d["code"][d["source"].astype(str).str.strip().isin(["", "nan"])].tolist()
    if nosrc:
        raise ReadError(f"{where}: no source for code(s) {nosrc}")
    return pd.DataFrame({"avg_wage": w.to_numpy(float), "source": d["source"].to_numpy()}, index=d["code"].to_numpy())


def build_kazakhstan(
    sources: str | Path | None = None,
    year: int = 2024,
    *,
    workbook: str = "clean",
    wages: str | Path | pd.DataFrame | None = None,
    wage_codes: Mapping[str, str] | None = None,
) -> KazakhstanBuild:
    """Build the Kazakhstan table with employment and budget-revenue accounts.

    Parameters
    ----------
    sources
        Folder with ``kz_bns_io_2024/`` and ``kz_satellites/``; default
        :data:`SOURCES_DIR`, the copies vendored in the repository.
    year
        Year of the satellites (the workbook gives the table's own year).
    workbook
        ``"clean"`` or ``"raw"``: which copy of the Bureau's workbook to read
        (identical figures; the tests check both).
    wages
        Optional average wages (CSV file or frame, see :func:`read_wage_table`)
        by product, OKED division or section, to split each section's
        employment in proportion to compensation over the average wage
        (:func:`iomodel.satellites.pay_adjusted_key`) instead of compensation
        alone; products without a wage take their section's. The shipped
        table uses none: the published wages are by section only.
    wage_codes
        Code under which each product's wage is given in ``wages`` when it is
        not the product code, e.g. an OKED division: ``{"061": "06"}``.
    """
    root = default_sources() if sources is None else Path(sources)
    io_dir = root / "kz_bns_io_2024"
    sat_dir = root / "kz_satellites"
    blocks = read_bns_blocks(io_dir / f"kz_tzv_2024_{workbook}.xlsx")
    table = table_from_blocks(blocks)
    if table.meta.year != year:
        raise ReadError(f"workbook is for {table.meta.year}, satellites requested for {year}")
    codes = table.sectors

    # -- sector descriptions
    sec_map = _csv(io_dir / "reference_csv" / "products_to_oked_section.csv", ("code_CPA_KPVED", "oked_section"))
    sec = sec_map.set_index("code_CPA_KPVED")["oked_section"]
    unknown = codes.difference(sec.index)
    if len(unknown):
        raise ReadError(f"products_to_oked_section.csv lacks product(s) {unknown.tolist()}")
    sec = sec.reindex(codes)
    missing_en = codes.difference(list(PRODUCT_NAMES_EN))
    if len(missing_en):
        raise ReadError(f"no English name for product(s) {missing_en.tolist()}")
    sectors = pd.DataFrame(
        {
            "name_en": [PRODUCT_NAMES_EN[c] for c in codes],
            "name_ru": blocks.products["name_ru"].reindex(codes).to_numpy(),
            "oked_section": sec.to_numpy(),
        },
        index=codes,
    )

    # -- employment
    emp_sec, emp_src = read_employment_by_section(sat_dir / "kz_employment_by_section.csv", year)
    comp = table.value_added.loc["compensation"]
    aliases = {"T": "S"}
    emp_method = (
        "Labour Force Survey employment by OKED section split to products in proportion to compensation of "
        "employees; section T folded into S (not published separately)"
    )
    wage_record: list[dict[str, Any]] = []
    if wages is None:
        key = comp
    else:
        wt = read_wage_table(wages)
        key = pay_adjusted_key(comp, sec, wt["avg_wage"], wage_codes=wage_codes, aliases=aliases)
        emp_method = (
            "Labour Force Survey employment by OKED section split to products in proportion to compensation of "
            "employees divided by the average wage (wages given to build_kazakhstan; products without a wage take "
            "their section's; iomodel.satellites.pay_adjusted_key); section T folded into S (not published "
            "separately)"
        )
        wage_record = [{"code": c, "avg_wage": float(r.avg_wage), "source": r.source} for c, r in wt.iterrows()]
    emp = split_to_products(emp_sec, sec, key, aliases=aliases) * 1000.0
    table = table.with_satellites(
        pd.DataFrame([emp.to_numpy()], index=["employment"], columns=codes), {"employment": "persons"}
    )

    # -- taxes
    rev = read_tax_revenue(sat_dir / "kz_tax_revenue_annual_million_kzt.csv", year)

    def r(level: str, tax: str) -> tuple[float, str]:
        if (level, tax) not in rev.index:
            raise ReadError(f"tax revenue file has no {level}/{tax} for {year}")
        row = rev.loc[(level, tax)]
        return float(row["value"]), str(row["source"])

    va = table.value_added
    nos_pos = va.loc["net_operating_surplus"].clip(lower=0.0)
    non_oil = [c for c in codes if c not in OIL_AND_GAS]
    exports = table.final_demand["exports"]
    specs = [
        ("CIT", nos_pos, "net operating surplus, positive part (losses pay no CIT)", non_oil, r("state_budget", "CIT")),
        (
            "CIT_oil_sector",
            nos_pos,
            "net operating surplus, positive part",
            list(OIL_AND_GAS),
            r("national_fund", "CIT_oil_sector"),
        ),
        ("PIT", va.loc["compensation"], "compensation of employees", None, r("state_budget", "PIT")),
        ("social_tax", va.loc["compensation"], "compensation of employees", None, r("state_budget", "social_tax")),
        (
            "MET_oil_sector",
            table.output,
            "output at basic prices",
            list(OIL_AND_GAS),
            r("national_fund", "MET_oil_sector"),
        ),
        (
            "rent_tax_on_export_oil",
            exports,
            "exports at basic prices",
            list(CRUDE_OIL),
            r("national_fund", "rent_tax_on_export_oil"),
        ),
    ]
    rows, records = [], []
    for tax, base, base_name, prods, (revenue, src) in specs:
        t, rec = calibrate_tax(base, revenue, tax=tax, base_name=base_name, products=prods, source=src)
        rows.append(t)
        records.append(rec)
    table = table.with_taxes(pd.DataFrame(rows))

    # -- comparison of product taxes with VAT and excise revenue (reported, not forced)
    vat, vat_src = r("state_budget", "VAT")
    excise, excise_src = r("state_budget", "excise")
    tp_int = float(table.product_taxes.sum())
    if blocks.product_taxes_final is None:
        raise ReadError(f"{blocks.meta.get('file')}: no table of net taxes on products by final use (table 5)")
    tp_final = float(blocks.product_taxes_final.to_numpy().sum())
    consumption_taxes, consumption_comparison = _consumption_taxes(
        table, blocks.product_taxes_final, {"VAT": (vat, vat_src), "excise": (excise, excise_src)}
    )
    comparison = pd.DataFrame(
        {"thousand_kzt": [tp_int, tp_final, tp_int + tp_final, vat, excise, vat + excise]},
        index=[
            "net product taxes on intermediate use (table)",
            "net product taxes on final use (table)",
            "net product taxes, total (table)",
            "VAT revenue, state budget",
            "excise revenue, state budget",
            "VAT plus excise revenue",
        ],
    )
    provenance = {
        "source": BNS_SOURCE,
        "workbook": blocks.meta.get("file"),
        "built_by": "iomodel.io.kazakhstan.build_kazakhstan",
        "units": {"monetary blocks": "thousand KZT, basic prices", "employment": "persons"},
        "import_convention": (
            f"domestic flows (sheet '{blocks.meta['sheets'].get('Z_domestic', '?')}', use of "
            f"domestic products) in Z; imported flows (sheet "
            f"'{blocks.meta['sheets'].get('Z_imported', '?')}') as an import-use matrix"
        ),
        "employment": {
            "method": emp_method,
            "year": year,
            "total_persons": float(emp.sum()),
            "source": emp_src,
            **({"wages": wage_record, "wage_codes": dict(wage_codes or {})} if wages is not None else {}),
        },
        "taxes_from_table": {
            "net_product_taxes": "row 'Чистые налоги на продукты' of the basic-price use table (intermediate use)",
            "other_taxes_on_production": "value-added row 'Другие налоги на производство за вычетом субсидий'",
        },
        "calibrated_taxes": [rec.to_dict() for rec in records],
        "product_tax_comparison_thousand_kzt": comparison["thousand_kzt"].to_dict(),
        "consumption_taxes": consumption_taxes,
        "consumption_tax_comparison": consumption_comparison,
    }
    sez = read_sez_list(sat_dir / "kz_sez_list.csv")
    read = [
        io_dir / f"kz_tzv_2024_{workbook}.xlsx",
        io_dir / "reference_csv" / "products_to_oked_section.csv",
        sat_dir / "kz_employment_by_section.csv",
        sat_dir / "kz_tax_revenue_annual_million_kzt.csv",
        sat_dir / "kz_sez_list.csv",
    ]
    provenance["source_files"] = {
        f.relative_to(root).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in read
    }
    return KazakhstanBuild(table=table, sectors=sectors, provenance=provenance, sez=sez, tax_comparison=comparison)


#: Final-use categories whose product taxes are not VAT or excise: exports are zero-rated for
#: VAT, so the table's net taxes on products on exports are export duties.
NOT_VAT_USES = ("exports",)


def _consumption_taxes(
    table: IOTable, ptf: pd.DataFrame, revenue: dict[str, tuple[float, str]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Effective VAT and excise rates on household consumption (docs/fiscal.md, tau^f).

    Revenue of each tax is attributed to the domestic uses (intermediate use and
    every final-use category but exports) in proportion to the table's net
    taxes on products on each use (tables 5 and 6); the households' part is
    divided by household final consumption at basic prices, domestic plus
    imported. ``ptf`` is table 5 (taxed product x final-use category). Returns
    the records for the provenance and the comparison of the table's product
    taxes on domestic use with VAT plus excise revenue.
    """
    by_use = {"intermediate use": float(table.product_taxes.sum())}
    by_use.update({str(c): float(ptf[c].sum()) for c in ptf.columns if c not in NOT_VAT_USES})
    hh = "households"
    base = float(table.final_demand[hh].sum() + table.imports_final[hh].sum())
    att = attribute_product_taxes({k: v for k, (v, _) in revenue.items()}, by_use, {hh: base})
    records = [
        {
            "tax": row.tax,
            "base": "household final consumption at basic prices, domestic plus imported "
            "(final_demand['households'] + imports_final['households'])",
            "rate": row.rate,
            "revenue": row.revenue,
            "attributed_to_households": row.attributed,
            "household_share_of_domestic_product_taxes": row.share,
            "base_value": row.base,
            "units": "rate per unit of base; revenue, attributed_to_households and base_value in thousand KZT",
            "method": "revenue attributed to domestic uses (intermediate use and final uses but exports) in "
            "proportion to the table's net taxes on products on each use (Bureau tables 5 and 6); the "
            "households' part divided by the base (iomodel.satellites.attribute_product_taxes)",
            "source": revenue[row.tax][1],
        }
        for row in att.itertuples()
    ]
    domestic = sum(by_use.values())
    collected = sum(v for v, _ in revenue.values())
    comparison = {
        "net_product_taxes_on_domestic_use_table": domestic,
        "net_product_taxes_by_use_table": by_use,
        "net_product_taxes_on_exports_table": {c: float(ptf[c].sum()) for c in NOT_VAT_USES if c in ptf.columns},
        "vat_plus_excise_revenue": collected,
        "relative_gap": (collected - domestic) / domestic,
        "note": "relative gap = (VAT + excise revenue - table's net product taxes on domestic use) / the latter; "
        "exports are left out: zero-rated for VAT, their product taxes are export duties",
        "units": "thousand KZT",
    }
    return records, comparison


def write_kazakhstan(build: KazakhstanBuild, tables_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Write the build into ``tables_dir``: ``kazakhstan_<year>/`` and ``kazakhstan/sez.csv``.

    Every file is checked before any is written and written atomically
    (:func:`iomodel.files.atomic_write`); existing files are refused unless
    ``overwrite=True`` (``iomodel build-tables --force``), with a
    :class:`~iomodel.errors.WriteError` naming them.
    """
    from ..files import atomic_write, check_targets  # the writing helpers; nothing else of the reader needs them

    tables = Path(tables_dir)
    table_dir = tables / f"kazakhstan_{build.table.meta.year}"
    sez = tables / "kazakhstan" / "sez.csv"
    tidy = ["blocks.csv", "table.json"] + (["sectors.csv"] if build.sectors is not None else [])
    check_targets([table_dir / f for f in tidy] + [sez], overwrite=overwrite)  # all refused before any is written
    out = write_tidy(
        build.table,
        table_dir,
        provenance=build.provenance,
        sectors=build.sectors,
        overwrite=overwrite,
    )
    atomic_write(sez, build.sez.to_csv, overwrite=overwrite)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: rebuild ``tables/`` from the official sources."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--shared",
        default=None,
        help="folder with kz_bns_io_2024/ and kz_satellites/ (default: the vendored tables/sources)",
    )
    ap.add_argument("--out", default="tables", help="the project's tables/ folder")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--force", action="store_true", help="replace files already in --out")
    a = ap.parse_args(argv)
    out = write_kazakhstan(build_kazakhstan(a.shared, a.year), a.out, overwrite=a.force)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
