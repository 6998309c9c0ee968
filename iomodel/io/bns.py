"""Reader of the input-output workbook of Kazakhstan's Bureau of National Statistics.

The Bureau of National Statistics (BNS) of the Agency for Strategic Planning and
Reforms of the Republic of Kazakhstan publishes every December the workbook
"Таблицы «Затраты - Выпуск» Республики Казахстан за <year> год" (stat.gov.kz,
national accounts, spreadsheets): symmetric product-by-product input-output tables
for 68 products (CPA/KPVED groupings, codes such as ``"01"``, ``"061"``,
``"10-11"``, ``"58-63, кроме 61"``), in thousand tenge. :func:`read_bns_blocks`
reads one such workbook into the labelled blocks of :class:`BNSBlocks`.

The workbook
------------
Front matter (cover with the title and year, legend, contents, methodology) is
followed by ten tables, one per sheet (named ``"1."`` ... ``"10."``), each titled
in its top rows by its number and name:

==  =========================================================  ==========================================
No  Title                                                      Read into
==  =========================================================  ==========================================
1   Ресурсы в основных ценах, переход к ценам покупателя       (not read: supply, valuation)
2   Использование товаров и услуг в ценах покупателя           (not read: use at purchasers' prices)
3   Торговые наценки                                           (not read: trade margins)
4   Транспортные наценки                                       (not read: transport margins)
5   Чистые налоги на продукты                                  ``product_taxes_final``
6   Использование товаров и услуг в основных ценах             ``products``, ``value_added``,
                                                               ``product_taxes``, ``output``, ``imports``
7   Использование импортной продукции (товаров и услуг)        ``Z_imported``, ``final_demand_imported``
8   Использование отечественной продукции (товаров и услуг)    ``Z_domestic``, ``final_demand_domestic``
9   Коэффициенты прямых затрат                                 ``published_A``
10  Коэффициенты полных затрат                                 ``published_L``
==  =========================================================  ==========================================

Tables 5 to 8 share one layout: a unit line ("тыс. тенге") under the title, a row
of column headings (product names, then the final-use headings), a row holding
``Код`` in the label area and the product code above each product column, a row
of column numbers, then one row per product (number, code, name, values). The
columns after the 68 products are: intermediate use total ("Использование
продукции в отраслях экономики"), household, government and NPISH final
consumption, final consumption total, gross fixed capital formation, changes in
inventories, acquisitions less disposals of valuables, gross capital formation
total, exports, final demand total, total use ("Общий спрос на товары и
услуги"). Below the product rows come two rows of direct purchases (abroad by
residents, domestic by non-residents) and the column totals ("Итого"). Table 6
continues with net taxes on products, use at purchasers' prices, the four
value-added components, gross value added, output at basic prices, imports and
resources (output plus imports) of each column product. Tables 9 and 10 hold
coefficients: table 9 is every cell of table 6 divided by the resources (output
plus imports) of its column product, a competitive-imports convention; table 10
is the inverse ``inv(I - table 9)``.

Reading strategy
----------------
The workbook is opened once (``openpyxl``, read-only, cached values) and every
sheet is read into memory. A file that cannot be read (not a zip archive,
truncated, a part missing or not well-formed XML, a cell whose value does not
match its type) raises :class:`ReadError` naming the file and, where the damage
can be located, the sheet, the cell and the part of the archive. Nothing is
found by cell address:

* tables are found by their title (the table number followed by the table name,
  whatever the sheet is called); the cover is found by its title
  "... «Затраты - Выпуск» ... за <year> год", which gives ``meta["year"]``;
* in each table the header cell ``Код`` gives the code column and the header
  row; the product columns are the columns with a code in that row, the product
  rows the rows with a code in the code column; any other row is found by its
  label (e.g. "Оплата труда", "Выпуск в основных ценах") and any other column
  by its heading (e.g. "Экспорт товаров и услуг");
* labels, headings and codes are compared after folding case and collapsing
  whitespace (codes also ignore spaces altogether), so that
  ``"58-63, кроме 61 "`` and ``"58-63, кроме 61"`` are the same product;
* columns and rows that carry numbers but neither a code nor a label or heading
  (user additions) are ignored and listed in ``meta["irregularities"]``, as are
  sheets that are neither front matter nor one of the ten tables.

The products, in order, are those of the rows of table 6; every other product
axis read must hold the same codes in the same order, or :class:`ReadError` is
raised. The single tolerated exception is table 10 (``published_L``), whose
columns may be incomplete: the re-uploaded copy of the 2024 workbook carries
user-added formula columns in sheet ``"10."`` that overwrote the coefficient
columns of 38 of the 68 products. Missing table-10 columns are returned as NaN,
listed in ``meta["published_L_missing"]`` and announced with an
:class:`~iomodel.errors.IOModelWarning`; they equal ``inv(I - published_A)``,
which the columns present are checked against.

Cell conventions
----------------
The Bureau writes an explicit ``0`` in every empty cell of these tables. Its
legend defines ``-`` as "no such phenomenon", which is read as zero. A blank
cell inside a data block, ``x`` (confidential), ``...`` (not available) or any
other text is not a number and raises :class:`ReadError` naming the sheet, row,
column and cell. Nothing is clipped: negative values are genuine (changes in
inventories, gross capital formation of some products, other taxes less
subsidies on production, net taxes on products where subsidies exceed taxes).

Verification
------------
All these identities hold exactly in the Bureau's workbook and are checked to a
relative tolerance of ``1e-9`` of the magnitude of the quantities compared; the
first violation raises :class:`ReadError` naming the sheet, row and column:

* in tables 5 to 8, every subtotal column equals its parts (intermediate total,
  final consumption, gross capital formation, final demand, total use), the row
  "Итого" equals the column sums and the direct-purchase rows are zero;
* in table 6, purchasers' prices = "Итого" + net taxes on products, GVA = sum of
  its four components, resources = output + imports, and each value-added,
  output and imports row adds up to its economy total;
* table 6 = table 7 + table 8 cell by cell (flows and final demand);
* per product row: domestic intermediate + domestic final use = output, and
  imported intermediate + imported final use = imports;
* per product column: domestic + imported intermediate inputs + net taxes on
  products + gross value added = output;
* table 5's column sums equal table 6's row of net taxes on products;
* table 9 = table 6 / resources of the column product (coefficients, and the
  rows and column of totals where present), table 10 = ``inv(I - table 9)``.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_ISO8601

from iomodel.dims import CATEGORY, COMPONENT, SECTOR, SECTOR_TO
from iomodel.errors import IOModelWarning, ReadError

__all__ = ["CATEGORIES", "VALUE_ADDED_COMPONENTS", "BNSBlocks", "read_bns_blocks"]

#: Final-use categories returned, in this order.
CATEGORIES: tuple[str, ...] = (
    "households",
    "government",
    "npish",
    "gfcf",
    "inventories",
    "valuables",
    "exports",
)

#: Value-added components returned, in this order.
VALUE_ADDED_COMPONENTS: tuple[str, ...] = (
    "compensation",
    "other_taxes_on_production",
    "consumption_of_fixed_capital",
    "net_operating_surplus",
)

UNIT = "thousand KZT"
_RTOL = 1e-9
_ZERO_MARKS = frozenset({"-", "–", "—"})
_HEADER_SCAN_ROWS = 40
_TITLE_SCAN_ROWS = 6
_FRONT_SCAN_ROWS = 30


# ----------------------------------------------------------------------------
# Public result
# ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BNSBlocks:
    """Blocks of one Bureau input-output workbook, labelled by product code.

    All monetary blocks are float64 in thousand tenge (KZT) at basic prices.
    Product codes are strings exactly as the Bureau writes them (whitespace
    collapsed), e.g. ``"01"``, ``"10-11"``, ``"58-63, кроме 61"``.

    Attributes
    ----------
    products : pandas.DataFrame
        Index ``"sector"`` (product codes, in the Bureau's order), column
        ``name_ru`` (product name in Russian).
    Z_domestic : pandas.DataFrame
        Intermediate use of domestic output (table 8), supplying product
        (index ``"sector"``) by using product (columns ``"sector_to"``).
    Z_imported : pandas.DataFrame
        Intermediate use of imports (table 7), labelled like ``Z_domestic``.
    final_demand_domestic : pandas.DataFrame
        Final use of domestic output (table 8): products by the categories of
        :data:`CATEGORIES` (columns ``"category"``); no subtotals.
    final_demand_imported : pandas.DataFrame
        Final use of imports (table 7), labelled like ``final_demand_domestic``.
    value_added : pandas.DataFrame
        Components of :data:`VALUE_ADDED_COMPONENTS` (index ``"component"``) by
        using product (columns ``"sector_to"``), from table 6. Their sum is gross
        value added.
    product_taxes : pandas.Series
        Net taxes on products paid on intermediate use by each using product
        (index ``"sector_to"``), the row "Чистые налоги на продукты" of table 6.
    product_taxes_final : pandas.DataFrame or None
        Net taxes on products levied on final use (table 5): taxed product
        (index ``"sector"``) by category (columns ``"category"``).
    output : pandas.Series
        Output at basic prices of each product (index ``"sector"``).
    imports : pandas.Series
        Imports of each product (index ``"sector"``).
    published_A : pandas.DataFrame
        Direct requirement coefficients of table 9 (flows of table 6 divided by
        output plus imports of the column product), labelled like ``Z_domestic``.
    published_L : pandas.DataFrame
        Total requirement coefficients of table 10, labelled like
        ``Z_domestic``; columns the workbook lacks are NaN and listed in
        ``meta["published_L_missing"]``.
    meta : dict
        ``title``, ``year`` (int, from the cover), ``published`` (ISO date of
        publication or None), ``unit``, ``file``, ``layout`` (``"raw"`` when
        user additions were found and ignored, else ``"clean"``), ``sheets``
        (block name to sheet name), ``table_titles`` (sheet name to title),
        ``irregularities`` (list of what was ignored), ``published_L_missing``
        (codes) and ``n_products``.
    """

    products: pd.DataFrame
    Z_domestic: pd.DataFrame
    Z_imported: pd.DataFrame
    final_demand_domestic: pd.DataFrame
    final_demand_imported: pd.DataFrame
    value_added: pd.DataFrame
    product_taxes: pd.Series
    product_taxes_final: pd.DataFrame | None
    output: pd.Series
    imports: pd.Series
    published_A: pd.DataFrame
    published_L: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------
# Labels and codes
# ----------------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‒": "-",
        "−": "-",
        "ё": "е",
        "Ё": "Е",
        "\u00a0": " ",
        "«": '"',
        "»": '"',
        "“": '"',
        "”": '"',
    }
)


def _norm(text: object) -> str:
    """Fold a label for comparison: unify dashes and quotes, casefold, collapse spaces.

    Parameters
    ----------
    text
        Cell value or label.

    Returns
    -------
    str
        The folded label.
    """
    return " ".join(str(text).translate(_FOLD).casefold().split())


def _code_text(value: object) -> str | None:
    """Product code of a cell as text, or None for an empty cell.

    Parameters
    ----------
    value
        Cell value: a string such as ``"10-11"`` or a number such as ``242``.

    Returns
    -------
    str or None
        The code with whitespace collapsed; integral numbers as integers.
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value).split())
    return text or None


def _code_key(code: str) -> str:
    """Comparison key of a product code: folded, without any spaces."""
    return _norm(code).replace(" ", "")


def _col_letter(col: int) -> str:
    """Excel letter of a 0-based column index."""
    n = col + 1
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_ref(row: int, col: int) -> str:
    """Excel reference ("D7") of 0-based row and column indices."""
    return f"{_col_letter(col)}{row + 1}"


def _fmt(value: float) -> str:
    """Number for messages."""
    return f"{value:.15g}"


def _is_number(value: object) -> bool:
    """Whether a cell holds a real number (not a boolean)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class _Label:
    """A row label or column heading as the Bureau writes it.

    Attributes
    ----------
    text
        The label in the Bureau's words, for messages.
    keys
        Folded fragments; a label matches when it contains any of them (or
        equals one of them when ``exact``).
    exact
        Require equality instead of containment.
    """

    text: str
    keys: tuple[str, ...]
    exact: bool = False

    def matches(self, folded: str) -> bool:
        """Whether a folded label is this one."""
        if self.exact:
            return folded in self.keys
        return any(key in folded for key in self.keys)


# Columns after the product columns in tables 5 to 8.
_COL_INTERMEDIATE = _Label("Использование продукции в отраслях экономики", ("использование продукции в отраслях",))
_CATEGORY_COLS: dict[str, _Label] = {
    "households": _Label(
        "Расходы на конечное потребление домашних хозяйств", ("конечное потребление домашних хозяйств",)
    ),
    "government": _Label(
        "Расходы на конечное потребление органов государственного управления",
        ("органов государственного управления",),
    ),
    "npish": _Label(
        "Расходы на конечное потребление НКООДХ",
        ("нкоодх", "некоммерческих организаций, обслуживающих домашние хозяйства"),
    ),
    "gfcf": _Label("Валовое накопление основного капитала", ("валовое накопление основного капитала",)),
    "inventories": _Label("Изменение запасов материальных оборотных средств", ("изменение запасов",)),
    "valuables": _Label("Приобретение минус выбытие ценностей", ("выбытие ценностей",)),
    "exports": _Label("Экспорт товаров и услуг", ("экспорт",)),
}
_COL_FINAL_CONSUMPTION = _Label("Конечное потребление, всего", ("конечное потребление, всего",))
_COL_CAPITAL_FORMATION = _Label("Валовое накопление, всего", ("валовое накопление, всего",))
_COL_FINAL_DEMAND = _Label("Конечный спрос", ("конечный спрос",))
_COL_TOTAL_USE = _Label("Общий спрос на товары и услуги", ("общий спрос",))

# Rows below the product rows.
_ROW_TOTAL = _Label("Итого", ("итого",), exact=True)
_ROWS_DIRECT_PURCHASES = _Label("Прямые покупки", ("прямые покупки",))
_ROW_NET_TAXES = _Label("Чистые налоги на продукты", ("чистые налоги на продукты",))
_ROW_PURCHASERS = _Label("Использовано в ценах покупателя", ("использовано в ценах покупател",))
_VA_ROWS: dict[str, _Label] = {
    "compensation": _Label("Оплата труда", ("оплата труда",)),
    "other_taxes_on_production": _Label(
        "Другие налоги на производство за вычетом субсидий на производство",
        ("другие налоги на производство",),
    ),
    "consumption_of_fixed_capital": _Label("Потребление основного капитала", ("потребление основного капитала",)),
    "net_operating_surplus": _Label(
        "Чистая прибыль, чистый смешанный доход", ("чистая прибыль", "чистый смешанный доход")
    ),
}
_ROW_GVA = _Label("Валовая добавленная стоимость", ("валовая добавленная стоимость",))
_ROW_OUTPUT = _Label("Выпуск в основных ценах", ("выпуск в основных ценах",))
_ROW_IMPORTS = _Label("Импорт товаров и услуг", ("импорт товаров и услуг",))
_ROW_RESOURCES = _Label("Ресурсы в основных ценах", ("ресурсы в основных ценах",))


@dataclass(frozen=True)
class _TableSpec:
    """One of the Bureau's ten tables, recognised by its title."""

    key: str
    title: str
    fragment: str


_TABLES: tuple[_TableSpec, ...] = (
    _TableSpec("supply", "Ресурсы в основных ценах, переход к ценам покупателя", "ресурсы в основных ценах"),
    _TableSpec(
        "use_purchasers",
        "Использование товаров и услуг в ценах покупателя",
        "использование товаров и услуг в ценах покупател",
    ),
    _TableSpec("trade_margins", "Торговые наценки", "торговые наценки"),
    _TableSpec("transport_margins", "Транспортные наценки", "транспортные наценки"),
    _TableSpec("net_taxes", "Чистые налоги на продукты", "чистые налоги на продукты"),
    _TableSpec(
        "use_basic",
        "Использование товаров и услуг в основных ценах",
        "использование товаров и услуг в основных ценах",
    ),
    _TableSpec(
        "use_imported",
        "Использование импортной продукции (товаров и услуг)",
        "использование импортной продукции",
    ),
    _TableSpec(
        "use_domestic",
        "Использование отечественной продукции (товаров и услуг)",
        "использование отечественной продукции",
    ),
    _TableSpec("direct_coefficients", "Коэффициенты прямых затрат", "коэффициенты прямых затрат"),
    _TableSpec("total_coefficients", "Коэффициенты полных затрат", "коэффициенты полных затрат"),
)
_TABLE_TITLE = re.compile(r"^(\d{1,2})\s*\.\s*(.+)$")
_COVER_TITLE = re.compile(r'затраты\s*"?\s*-\s*"?\s*выпуск')
_YEAR = re.compile(r"за\s+(\d{4})\s*(?:год|г\.)")
_PUBLISHED = re.compile(r"дата опубликования:?\s*(\d{2})\.(\d{2})\.(\d{4})")
_FRONT_MATTER = ("условные обозначения", "содержание", "методологические пояснения")


# ----------------------------------------------------------------------------
# Workbook and sheet parsing
# ----------------------------------------------------------------------------

Rows = list[tuple[Any, ...]]


class _Context:
    """File-level state: the file name for messages and the irregularities found."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.irregularities: list[str] = []

    def error(self, message: str, sheet: str | None = None) -> ReadError:
        """A ReadError whose message names the file (and sheet)."""
        where = self.file if sheet is None else f"{self.file}, sheet '{sheet}'"
        return ReadError(f"{where}: {message}")


def _load_workbook(path: Path) -> dict[str, Rows]:
    """Read every worksheet of an .xlsx file into rows of cached cell values.

    Parameters
    ----------
    path
        The workbook.

    Returns
    -------
    dict
        Sheet name to list of row tuples, in workbook order.

    Raises
    ------
    ReadError
        If the file is missing or cannot be opened, or is not a readable .xlsx
        workbook: not a zip archive, truncated, a part missing or not
        well-formed XML, a cell value that does not match its type. The message
        names the file and, where the damage can be located, the sheet, the
        cell and the part of the archive (see :func:`_diagnose_xlsx`).
    """
    file = path.name
    try:
        if path.is_dir():
            raise ReadError(f"{file}: a folder, not an .xlsx workbook ({path})")
        if not path.is_file():
            raise ReadError(f"{file}: file not found ({path})")
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise ReadError(f"{path}: cannot be opened ({exc.strerror or exc})") from exc
    # openpyxl reports a damaged package with whatever its XML, zip or descriptor code raises
    # (ElementTree.ParseError, BadZipFile, KeyError, TypeError, ValueError, ...): every failure of
    # loading or reading is a damaged file here, located afterwards by _diagnose_xlsx.
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:
        raise _damaged(path, exc) from exc
    sheets: dict[str, Rows] = {}
    try:
        for ws in book.worksheets:
            rows: Rows = []
            try:
                rows.extend(tuple(row) for row in ws.iter_rows(values_only=True))
            except MemoryError:
                raise
            except Exception as exc:
                raise _damaged(path, exc, sheet=ws.title, rows_read=len(rows)) from exc
            sheets[ws.title] = rows
    finally:
        book.close()
    # openpyxl skips a sheet whose part is missing from the archive: a damaged file, not a missing table
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            parts = _sheet_parts(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _damaged(path, exc) from exc
    for part, sheet in parts.items():
        if part not in names:
            raise ReadError(
                f"{file}, sheet '{sheet}': not a readable .xlsx workbook: the sheet's part is missing "
                f"from the archive (part {part})"
            )
    return sheets


_XLSX_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XLSX_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}$")
_CELL_TYPES = frozenset({"n", "s", "str", "inlineStr", "b", "e", "d"})


@dataclass
class _Damage:
    """Where an .xlsx package is damaged: the part, and the sheet and cell when known."""

    problem: str
    part: str | None = None
    sheet: str | None = None
    cell: str | None = None


def _damaged(path: Path, exc: Exception, sheet: str | None = None, rows_read: int | None = None) -> ReadError:
    """The ReadError for a workbook openpyxl could not read, located as precisely as possible.

    Parameters
    ----------
    path
        The workbook.
    exc
        What openpyxl raised.
    sheet
        The sheet being read when it failed (None while loading the workbook).
    rows_read
        Rows of that sheet read before the failure.

    Returns
    -------
    ReadError
        ``"<file>[, sheet '<name>'][, cell <ref>]: not a readable .xlsx workbook: <problem>"``.
    """
    try:
        damage = _diagnose_xlsx(path)
    except Exception:  # the diagnosis is best effort and must not hide the original failure
        damage = None
    cause = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if damage is None:
        if sheet is not None and rows_read is not None:
            cause = f"{cause}, after row {rows_read}"
        damage = _Damage(problem=cause, sheet=sheet)
    where = path.name
    if damage.sheet or sheet:
        where += f", sheet '{damage.sheet or sheet}'"
    if damage.cell:
        where += f", cell {damage.cell}"
    part = f" (part {damage.part})" if damage.part else ""
    return ReadError(f"{where}: not a readable .xlsx workbook: {damage.problem}{part}")


def _diagnose_xlsx(path: Path) -> _Damage | None:
    """Locate the damage of an .xlsx package openpyxl failed on (best effort).

    Checks, in order: that the file is a zip archive whose members decompress
    with their checksums; that the workbook, its relationships and every part
    they name are present; that every XML part is well-formed; and, cell by
    cell in each worksheet, that a cell reference is a valid address and a
    value matches the cell's type (a number, a shared-string index in range, a
    boolean, an ISO date).

    Parameters
    ----------
    path
        The workbook.

    Returns
    -------
    _Damage or None
        The first problem found, or None if none of these checks fails.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return _Damage(f"not a zip archive (an .xlsx file is one), or truncated ({exc})")
    with archive:
        names = set(archive.namelist())
        try:
            bad = archive.testzip()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
            return _Damage(f"the archive is damaged ({exc})")
        if bad is not None:
            return _Damage("a member of the archive fails its checksum", part=bad)
        for required in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            if required not in names:
                return _Damage("a required part is missing from the archive", part=required)
        for name in sorted(names, key=lambda n: (n.startswith("xl/worksheets/"), n)):
            if name.endswith((".xml", ".rels")):
                try:
                    with archive.open(name) as stream:
                        for _event, _elem in ElementTree.iterparse(stream):
                            pass
                except ElementTree.ParseError as exc:
                    return _Damage(f"not well-formed XML ({exc})", part=name, sheet=_sheet_parts(archive).get(name))
        parts = _sheet_parts(archive)
        for part, sheet in parts.items():
            if part not in names:
                return _Damage("the sheet's part is missing from the archive", part=part, sheet=sheet)
        n_strings = None
        if "xl/sharedStrings.xml" in names:
            with archive.open("xl/sharedStrings.xml") as stream:
                root = ElementTree.parse(stream).getroot()
            n_strings = sum(1 for _ in root.iter(f"{_XLSX_MAIN}si"))
        for part, sheet in parts.items():
            with archive.open(part) as stream:
                for _event, elem in ElementTree.iterparse(stream):
                    if elem.tag != f"{_XLSX_MAIN}c":
                        continue
                    problem = _cell_problem(elem, n_strings)
                    if problem is not None:
                        ref = elem.get("r")
                        cell = ref if ref is not None and _CELL_REF.match(ref) else None
                        return _Damage(problem, part=part, sheet=sheet, cell=cell)
                    elem.clear()
    return None


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name to sheet name, from the workbook and its relationships ({} if unreadable)."""
    try:
        with archive.open("xl/workbook.xml") as stream:
            book = ElementTree.parse(stream).getroot()
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            rels = ElementTree.parse(stream).getroot()
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, zlib.error):
        return {}
    targets: dict[str | None, str] = {}
    for rel in rels.iter(f"{_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    parts: dict[str, str] = {}
    for sheet in book.iter(f"{_XLSX_MAIN}sheet"):
        part = targets.get(sheet.get(f"{_XLSX_REL}id"))
        if part is not None:
            parts[part] = sheet.get("name", "")
    return parts


def _cell_problem(cell: ElementTree.Element, n_strings: int | None) -> str | None:
    """What is wrong with one ``<c>`` element of a worksheet, or None."""
    ref = cell.get("r")
    if ref is not None and not _CELL_REF.match(ref):
        return f"invalid cell reference {ref!r}"
    kind = cell.get("t", "n")
    if kind not in _CELL_TYPES:
        return f"unknown cell type {kind!r}"
    v = cell.find(f"{_XLSX_MAIN}v")
    text = v.text if v is not None else None
    if text is None or kind in ("str", "inlineStr", "e"):
        return None
    if kind == "n":
        try:
            float(text) if any(ch in text for ch in ".eE") else int(text)
        except ValueError:
            return f"the value {text!r} of a number cell is not a number"
    elif kind == "s":
        try:
            index = int(text)
        except ValueError:
            return f"the shared-string index {text!r} is not an integer"
        if n_strings is None or not 0 <= index < n_strings:
            return f"the shared-string index {index} is out of range (the workbook has {n_strings or 0} strings)"
    elif kind == "b":
        try:
            int(text)
        except ValueError:
            return f"the value {text!r} of a boolean cell is not 0 or 1"
    elif kind == "d":
        try:
            from_ISO8601(text)
        except (ValueError, TypeError):
            return f"the value {text!r} of a date cell is not an ISO 8601 date"
    return None


def _strings(rows: Rows, max_rows: int) -> list[tuple[int, int, str]]:
    """String cells of the first rows of a sheet as (row, col, text)."""
    found = []
    for r, row in enumerate(rows[:max_rows]):
        for c, value in enumerate(row):
            if isinstance(value, str) and value.strip():
                found.append((r, c, value))
    return found


@dataclass
class _Book:
    """Sheets of a workbook classified into the ten tables, the cover and the rest."""

    tables: dict[str, tuple[str, str, int]]  # key -> (sheet name, title, title row)
    title: str
    year: int
    published: str | None


def _classify(ctx: _Context, sheets: dict[str, Rows]) -> _Book:
    """Find the ten tables by title and the cover with the year; note extra sheets.

    Parameters
    ----------
    ctx
        File context.
    sheets
        All sheets of the workbook.

    Returns
    -------
    _Book
        Where each table is, and the title, year and publication date.

    Raises
    ------
    ReadError
        If two sheets carry the same table title or the cover title is missing.
    """
    tables: dict[str, tuple[str, str, int]] = {}
    cover: tuple[str, str] | None = None
    published: str | None = None
    for name, rows in sheets.items():
        table = None
        for r, _c, text in _strings(rows, _TITLE_SCAN_ROWS):
            match = _TABLE_TITLE.match(_norm(text))
            if not match:
                continue
            for spec in _TABLES:
                if match.group(2).startswith(spec.fragment):
                    table = (spec, " ".join(text.split()), r)
                    break
            if table:
                break
        if table is not None:
            spec, title, row = table
            if spec.key in tables:
                raise ctx.error(f"sheets '{tables[spec.key][0]}' and '{name}' are both titled '{spec.title}'")
            tables[spec.key] = (name, title, row)
            continue
        texts = _strings(rows, _FRONT_SCAN_ROWS)
        is_front = False
        for _r, _c, text in texts:
            folded = _norm(text)
            is_cover = bool(_COVER_TITLE.search(folded) and _YEAR.search(folded))
            if is_cover and cover is None:
                cover = (name, " ".join(text.split()))
            if is_cover or folded.startswith(_FRONT_MATTER):
                is_front = True
            date = _PUBLISHED.search(folded)
            if date and published is None:
                published = f"{date.group(3)}-{date.group(2)}-{date.group(1)}"
        if not is_front:
            ctx.irregularities.append(f"sheet '{name}' is not one of the Bureau's sheets; ignored")
    if cover is None:
        raise ctx.error("cover title 'Таблицы «Затраты - Выпуск» ... за <year> год' not found in any sheet")
    year = _YEAR.search(_norm(cover[1]))
    assert year is not None  # the cover was recognised by its year
    return _Book(tables=tables, title=cover[1], year=int(year.group(1)), published=published)


@dataclass
class _Sheet:
    """The parsed layout of one table: where its product rows, columns and labels are.

    All indices are 0-based positions in the sheet's rows and cells.
    """

    ctx: _Context
    name: str
    title: str
    rows: Rows
    code_row: int
    code_col: int
    first_col: int
    product_rows: list[tuple[str, int]]
    product_cols: list[tuple[str, int]]
    names: dict[int, str]
    labelled_rows: list[tuple[str, str, int]]
    headed_cols: list[tuple[str, str, int]]
    unit: str | None

    def error(self, message: str) -> ReadError:
        """A ReadError naming file and sheet: ``"<file>, sheet '<name>': <message>"``."""
        return self.ctx.error(message, self.name)

    def error_at(self, location: str, problem: str) -> ReadError:
        """A ReadError at a row or cell: ``"<file>, sheet '<name>', <location>: <problem>"``."""
        return ReadError(f"{self.ctx.file}, sheet '{self.name}', {location}: {problem}")

    def cell(self, row: int, col: int) -> Any:
        """Raw value of a cell (None beyond the stored range)."""
        values = self.rows[row]
        return values[col] if col < len(values) else None

    def number(self, row: int, col: int, row_name: str, col_name: str) -> float:
        """Numeric value of a data cell.

        Parameters
        ----------
        row, col
            Cell position (0-based).
        row_name, col_name
            Product code or label of the row and column, for messages.

        Returns
        -------
        float
            The value; ``"-"`` (the Bureau's mark for "none") reads as 0.

        Raises
        ------
        ReadError
            For a blank cell, text, a boolean, a date or a non-finite number.
        """
        value = self.cell(row, col)
        if _is_number(value):
            number = float(value)
            if np.isfinite(number):
                return number
        elif isinstance(value, str) and value.strip() in _ZERO_MARKS:
            return 0.0
        where = f"row '{row_name}', column '{col_name}' (cell {_cell_ref(row, col)})"
        if value is None:
            problem = "empty cell inside the data block (the Bureau writes 0 or '-' for zero)"
        elif isinstance(value, str):
            problem = f"text {value.strip()!r} where a number was expected"
        else:
            problem = f"{type(value).__name__} {value!r} where a number was expected"
        raise self.error_at(where, problem)

    def block(self, rows: Sequence[tuple[str, int]], cols: Sequence[tuple[str, int]]) -> np.ndarray:
        """Numbers of a rectangular block given (name, index) of its rows and columns."""
        out = np.empty((len(rows), len(cols)))
        for i, (row_name, r) in enumerate(rows):
            for j, (col_name, c) in enumerate(cols):
                out[i, j] = self.number(r, c, row_name, col_name)
        return out

    def find_row(self, label: _Label, optional: bool = False) -> int | None:
        """Index of the one row carrying a label (None if optional and absent)."""
        hits = [r for folded, _text, r in self.labelled_rows if label.matches(folded)]
        if len(hits) > 1:
            rows = ", ".join(str(r + 1) for r in hits)
            raise self.error(f"several rows match '{label.text}' (rows {rows})")
        if not hits:
            if optional:
                return None
            raise self.error(f"row for '{label.text}' not found")
        return hits[0]

    def require_row(self, label: _Label) -> int:
        """Index of the one row carrying a label; ReadError if absent."""
        row = self.find_row(label)
        assert row is not None
        return row

    def rows_matching(self, label: _Label) -> list[tuple[str, int]]:
        """All rows carrying a label, as (original label, index)."""
        return [(text, r) for folded, text, r in self.labelled_rows if label.matches(folded)]

    def find_col(self, label: _Label, optional: bool = False) -> int | None:
        """Index of the one column whose heading carries a label (None if optional and absent)."""
        hits = [c for folded, _text, c in self.headed_cols if label.matches(folded)]
        if len(hits) > 1:
            cols = ", ".join(_col_letter(c) for c in hits)
            raise self.error(f"several columns match '{label.text}' (columns {cols})")
        if not hits:
            if optional:
                return None
            raise self.error(f"column for '{label.text}' not found")
        return hits[0]

    def require_col(self, label: _Label) -> int:
        """Index of the one column whose heading carries a label; ReadError if absent."""
        col = self.find_col(label)
        assert col is not None
        return col


def _parse_sheet(ctx: _Context, name: str, title: str, title_row: int, rows: Rows) -> _Sheet:
    """Locate the code header, product rows and columns, labelled rows and headed columns.

    Parameters
    ----------
    ctx
        File context (collects irregularities).
    name
        Sheet name.
    title
        Table title, as found.
    title_row
        Row of the title.
    rows
        The sheet's cell values.

    Returns
    -------
    _Sheet
        The layout.

    Raises
    ------
    ReadError
        If the ``Код`` header cell or the product codes are missing, or a product
        code appears twice.
    """
    code_row = code_col = -1
    for r, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        for c, value in enumerate(row[:8]):
            if isinstance(value, str) and _norm(value) == "код":
                code_row, code_col = r, c
                break
        if code_row >= 0:
            break
    if code_row < 0:
        raise ctx.error("header cell 'Код' above the product codes not found", name)

    header = rows[code_row]
    product_cols = [(code, c) for c in range(code_col + 1, len(header)) if (code := _code_text(header[c])) is not None]
    if not product_cols:
        raise ctx.error(f"no product codes in the header row {code_row + 1} (right of 'Код')", name)
    first_col = product_cols[0][1]
    product_col_set = {c for _code, c in product_cols}

    # Headings of the other columns: text between the title and the code row.
    width = max(len(row) for row in rows)
    headed_cols: list[tuple[str, str, int]] = []
    for c in range(first_col, width):
        if c in product_col_set:
            continue
        parts = [
            str(rows[r][c])
            for r in range(title_row + 1, code_row + 1)
            if c < len(rows[r]) and isinstance(rows[r][c], str) and rows[r][c].strip()
        ]
        if parts:
            text = " ".join(" ".join(parts).split())
            headed_cols.append((_norm(text), text, c))
    headed_col_set = {c for _f, _t, c in headed_cols}

    unit = None
    for r in range(title_row + 1, code_row):
        for value in rows[r][:first_col]:
            if isinstance(value, str) and "тыс" in _norm(value) and "тенге" in _norm(value):
                unit = " ".join(value.split())

    product_rows: list[tuple[str, int]] = []
    names: dict[int, str] = {}
    labelled_rows: list[tuple[str, str, int]] = []
    unlabelled_rows: list[int] = []
    for r in range(code_row + 1, len(rows)):
        row = rows[r]
        code = _code_text(row[code_col]) if code_col < len(row) else None
        label_cells = [v for c, v in enumerate(row[:first_col]) if c != code_col and isinstance(v, str) and v.strip()]
        if code is not None:
            product_rows.append((code, r))
            after = [v for v in row[code_col + 1 : first_col] if isinstance(v, str) and v.strip()]
            names[r] = " ".join(after[0].split()) if after else ""
        elif label_cells:
            text = " ".join(label_cells[0].split())
            labelled_rows.append((_norm(text), text, r))
        elif any(_is_number(v) for v in row[first_col:]):
            unlabelled_rows.append(r)
    if not product_rows:
        raise ctx.error(f"no product codes in the code column {_col_letter(code_col)}", name)

    # Columns with numbers in product rows but neither a code nor a heading.
    unlabelled_cols = [
        c
        for c in range(code_col + 1, width)
        if c not in product_col_set
        and c not in headed_col_set
        and any(_is_number(rows[r][c]) for _code, r in product_rows if c < len(rows[r]))
    ]
    if unlabelled_rows:
        listed = ", ".join(str(r + 1) for r in unlabelled_rows)
        ctx.irregularities.append(f"sheet '{name}': rows with numbers but no label ignored (rows {listed})")
    if unlabelled_cols:
        listed = ", ".join(_col_letter(c) for c in unlabelled_cols)
        ctx.irregularities.append(
            f"sheet '{name}': {len(unlabelled_cols)} columns with numbers but no code or heading "
            f"ignored (columns {listed})"
        )
    return _Sheet(
        ctx=ctx,
        name=name,
        title=title,
        rows=rows,
        code_row=code_row,
        code_col=code_col,
        first_col=first_col,
        product_rows=product_rows,
        product_cols=product_cols,
        names=names,
        labelled_rows=labelled_rows,
        headed_cols=headed_cols,
        unit=unit,
    )


def _match_codes(
    sheet: _Sheet,
    found: list[tuple[str, int]],
    expected: Sequence[str],
    axis: str,
    reference: str,
    allow_missing: bool = False,
) -> list[int | None]:
    """Positions of the expected products along one axis of a sheet.

    Parameters
    ----------
    sheet
        The sheet.
    found
        (code, index) of the product rows or columns found.
    expected
        The product codes in the reference order.
    axis
        ``"row"`` or ``"column"``.
    reference
        Where the expected codes come from, for messages.
    allow_missing
        Return None for absent products instead of raising.

    Returns
    -------
    list
        Row or column index of each expected product (None if missing and allowed).

    Raises
    ------
    ReadError
        On a duplicated, unknown, missing (unless allowed) or out-of-order code.
    """

    def where(index: int) -> str:
        return f"row {index + 1}" if axis == "row" else f"column {_col_letter(index)}"

    wanted = {_code_key(code): k for k, code in enumerate(expected)}
    positions: list[int | None] = [None] * len(expected)
    order: list[tuple[int, int]] = []  # (expected position, sheet index) in sheet order
    for code, index in found:
        k = wanted.get(_code_key(code))
        if k is None:
            raise sheet.error_at(
                f"{axis} '{code}' ({where(index)})",
                f"product code not among the {len(expected)} products of {reference}",
            )
        previous = positions[k]
        if previous is not None:
            raise sheet.error_at(
                f"{axis} '{code}'", f"product code appears twice ({where(previous)} and {where(index)})"
            )
        positions[k] = index
        order.append((k, index))
    missing = [expected[k] for k, pos in enumerate(positions) if pos is None]
    if missing and not allow_missing:
        raise sheet.error(f"{axis} for product '{missing[0]}' (as in {reference}) not found")
    for (a, _), (b, index_b) in pairwise(order):
        if b < a:
            raise sheet.error_at(
                f"{axis} '{expected[b]}' ({where(index_b)})",
                f"out of order; products must follow the order of {reference}",
            )
    return positions


# ----------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------


def _check(
    actual: np.ndarray,
    expected: np.ndarray,
    scale: np.ndarray | float,
    describe: Callable[[tuple[int, ...], float, float], str],
) -> None:
    """Raise ReadError at the first element where two arrays differ beyond tolerance.

    The tolerance is ``1e-9 * max(|scale|, |actual|, |expected|, 1)`` element by
    element; ``scale`` is typically the sum of absolute values of the parts.

    Parameters
    ----------
    actual, expected
        Arrays of the same shape.
    scale
        Magnitude of the quantities compared (broadcast).
    describe
        Builds the message from the index, the actual and the expected value.
    """
    actual = np.atleast_1d(np.asarray(actual, dtype=float))
    expected = np.atleast_1d(np.asarray(expected, dtype=float))
    size = np.maximum.reduce(
        [
            np.abs(np.broadcast_to(scale, actual.shape)),
            np.abs(actual),
            np.abs(expected),
            np.ones(actual.shape),
        ]
    )
    bad = np.argwhere(~(np.abs(actual - expected) <= _RTOL * size))
    if bad.size:
        index = tuple(int(i) for i in bad[0])
        raise ReadError(describe(index, float(actual[index]), float(expected[index])))


def _abs_sum(*parts: np.ndarray) -> np.ndarray:
    """Sum of absolute values of arrays of equal shape."""
    return np.sum([np.abs(p) for p in parts], axis=0)


# ----------------------------------------------------------------------------
# Tables 5 to 8: flows
# ----------------------------------------------------------------------------


@dataclass
class _Flows:
    """The blocks of one flow table (5 to 8)."""

    sheet: _Sheet
    Z: np.ndarray
    F: np.ndarray
    subtotals: np.ndarray  # columns: intermediate, final consumption, capital formation, final demand, total
    all_cols: list[tuple[str, int]]  # product, category and subtotal columns
    total_row: np.ndarray  # the row "Итого" over all_cols


def _read_flows(sheet: _Sheet, codes: Sequence[str], reference: str) -> _Flows:
    """Read and check one flow table: products by products and by final-use columns.

    Parameters
    ----------
    sheet
        The parsed sheet.
    codes
        Product codes in the reference order.
    reference
        Where the codes come from, for messages.

    Returns
    -------
    _Flows
        Intermediate flows, final use by category, subtotals and the totals row.

    Raises
    ------
    ReadError
        On a layout problem or a subtotal that does not equal its parts.
    """
    file = sheet.ctx.file
    if sheet.unit is None:
        raise sheet.error("unit line 'тыс. тенге' not found between the title and the header")
    row_pos = _match_codes(sheet, sheet.product_rows, codes, "row", reference)
    col_pos = _match_codes(sheet, sheet.product_cols, codes, "column", reference)
    rows = [(code, r) for code, r in zip(codes, row_pos, strict=True) if r is not None]
    pcols = [(code, c) for code, c in zip(codes, col_pos, strict=True) if c is not None]
    ccols = [(label.text, sheet.require_col(label)) for label in _CATEGORY_COLS.values()]
    sub_labels = (
        _COL_INTERMEDIATE,
        _COL_FINAL_CONSUMPTION,
        _COL_CAPITAL_FORMATION,
        _COL_FINAL_DEMAND,
        _COL_TOTAL_USE,
    )
    scols = [(label.text, sheet.require_col(label)) for label in sub_labels]
    Z = sheet.block(rows, pcols)
    F = sheet.block(rows, ccols)
    S = sheet.block(rows, scols)

    fd_parts = np.column_stack([S[:, 1], S[:, 2], F[:, 6]])
    checks = (
        (0, Z.sum(axis=1), np.abs(Z).sum(axis=1), "the sum of the product columns"),
        (1, F[:, 0:3].sum(axis=1), np.abs(F[:, 0:3]).sum(axis=1), "households + government + NPISH"),
        (2, F[:, 3:6].sum(axis=1), np.abs(F[:, 3:6]).sum(axis=1), "GFCF + inventories + valuables"),
        (3, fd_parts.sum(axis=1), np.abs(fd_parts).sum(axis=1), "consumption + capital formation + exports"),
        (4, S[:, 0] + S[:, 3], _abs_sum(S[:, 0], S[:, 3]), "intermediate use + final demand"),
    )
    for j, parts, scale, what in checks:

        def describe(i: tuple[int, ...], a: float, b: float, j: int = j, what: str = what) -> str:
            return (
                f"{file}, sheet '{sheet.name}', row '{rows[i[0]][0]}': column '{scols[j][0]}' "
                f"{_fmt(a)} differs from {what} {_fmt(b)}"
            )

        _check(S[:, j], parts, scale, describe)

    all_cols = pcols + ccols + scols
    body = np.hstack([Z, F, S])
    for text, r in sheet.rows_matching(_ROWS_DIRECT_PURCHASES):
        values = sheet.block([(text, r)], all_cols)[0]
        nonzero = np.flatnonzero(values)
        if nonzero.size:
            j = int(nonzero[0])
            raise sheet.error_at(
                f"row '{text}', column '{all_cols[j][0]}'",
                f"non-zero direct purchases {_fmt(values[j])}; "
                "this reader supports only tables without direct purchases",
            )
    total_r = sheet.require_row(_ROW_TOTAL)
    total = sheet.block([(_ROW_TOTAL.text, total_r)], all_cols)[0]
    _check(
        total,
        body.sum(axis=0),
        np.abs(body).sum(axis=0),
        lambda i, a, b: (
            f"{file}, sheet '{sheet.name}', row '{_ROW_TOTAL.text}', column '{all_cols[i[0]][0]}': "
            f"{_fmt(a)} differs from the sum of the product rows {_fmt(b)}"
        ),
    )
    return _Flows(sheet=sheet, Z=Z, F=F, subtotals=S, all_cols=all_cols, total_row=total)


@dataclass
class _BasicExtras:
    """Rows of table 6 below the totals, over the product columns."""

    net_taxes: np.ndarray
    value_added: np.ndarray  # 4 x n
    gva: np.ndarray
    output: np.ndarray
    imports: np.ndarray
    resources: np.ndarray
    purchasers: np.ndarray
    net_taxes_final: np.ndarray  # over the category columns
    intermediate_total: dict[str, float]  # economy totals of the rows


def _read_basic_extras(flows: _Flows, codes: Sequence[str]) -> _BasicExtras:
    """Read and check the rows of table 6 below "Итого".

    Parameters
    ----------
    flows
        Table 6 as read by :func:`_read_flows`.
    codes
        Product codes.

    Returns
    -------
    _BasicExtras
        Net taxes, value added, output, imports and resources by column product.

    Raises
    ------
    ReadError
        If a row is missing, a value is not a number or a total does not add up.
    """
    sheet = flows.sheet
    file = sheet.ctx.file
    n = len(codes)
    all_cols = flows.all_cols
    pcols = all_cols[:n]
    inter_col = all_cols[n + len(CATEGORIES)]
    other_cols = [col for col in all_cols[n:] if col != inter_col]

    def msg(row: str, col: str, a: float, what: str, b: float) -> str:
        return f"{file}, sheet '{sheet.name}', row '{row}', column '{col}': {_fmt(a)} differs from {what} {_fmt(b)}"

    # Net taxes and purchasers' prices span all columns.
    tax_r = sheet.require_row(_ROW_NET_TAXES)
    taxes = sheet.block([(_ROW_NET_TAXES.text, tax_r)], all_cols)[0]
    purch_r = sheet.find_row(_ROW_PURCHASERS, optional=True)
    purchasers = flows.total_row + taxes
    if purch_r is not None:
        purch = sheet.block([(_ROW_PURCHASERS.text, purch_r)], all_cols)[0]
        _check(
            purch,
            purchasers,
            _abs_sum(flows.total_row, taxes),
            lambda i, a, b: msg(_ROW_PURCHASERS.text, all_cols[i[0]][0], a, "'Итого' + net taxes", b),
        )

    # Rows defined for the using products only: products plus the economy total column.
    def column_row(label: _Label) -> tuple[np.ndarray, float]:
        r = sheet.require_row(label)
        values = sheet.block([(label.text, r)], [*pcols, inter_col])[0]
        for col_name, c in other_cols:
            value = sheet.cell(r, c)
            if value is not None and not (_is_number(value) and value == 0):
                raise sheet.error_at(
                    f"row '{label.text}', column '{col_name}' (cell {_cell_ref(r, c)})",
                    f"unexpected value {value!r} outside the product columns",
                )
        _check(
            values[n],
            values[:n].sum(),
            np.abs(values[:n]).sum(),
            lambda _i, a, b: msg(label.text, inter_col[0], a, "the sum of the product columns", b),
        )
        return values[:n], float(values[n])

    va = {key: column_row(label) for key, label in _VA_ROWS.items()}
    gva, gva_total = column_row(_ROW_GVA)
    output, output_total = column_row(_ROW_OUTPUT)
    imports, imports_total = column_row(_ROW_IMPORTS)
    parts = np.vstack([va[key][0] for key in VALUE_ADDED_COMPONENTS])
    _check(
        gva,
        parts.sum(axis=0),
        np.abs(parts).sum(axis=0),
        lambda i, a, b: msg(_ROW_GVA.text, codes[i[0]], a, "the sum of its four components", b),
    )
    resources = output + imports
    res_r = sheet.find_row(_ROW_RESOURCES, optional=True)
    if res_r is not None:
        res, _res_total = column_row(_ROW_RESOURCES)
        _check(
            res,
            resources,
            _abs_sum(output, imports),
            lambda i, a, b: msg(_ROW_RESOURCES.text, codes[i[0]], a, "output + imports", b),
        )
    return _BasicExtras(
        net_taxes=taxes[:n],
        value_added=parts,
        gva=gva,
        output=output,
        imports=imports,
        resources=resources,
        purchasers=purchasers,
        net_taxes_final=taxes[n : n + len(CATEGORIES)],
        intermediate_total={
            "purchasers": float(purchasers[n + len(CATEGORIES)]),
            "gva": gva_total,
            "output": output_total,
            "imports": imports_total,
            "resources": output_total + imports_total,
        },
    )


# ----------------------------------------------------------------------------
# Tables 9 and 10: coefficients
# ----------------------------------------------------------------------------


def _read_coefficients(
    sheet: _Sheet, codes: Sequence[str], reference: str, allow_missing_cols: bool
) -> tuple[np.ndarray, list[str]]:
    """Read a square coefficient table; absent columns (if allowed) become NaN.

    Parameters
    ----------
    sheet
        Table 9 or 10.
    codes
        Product codes in the reference order.
    reference
        Where the codes come from, for messages.
    allow_missing_cols
        Tolerate product columns missing from the sheet.

    Returns
    -------
    tuple
        The n x n matrix and the codes of the missing columns.
    """
    row_pos = _match_codes(sheet, sheet.product_rows, codes, "row", reference)
    col_pos = _match_codes(sheet, sheet.product_cols, codes, "column", reference, allow_missing_cols)
    rows = [(code, r) for code, r in zip(codes, row_pos, strict=True) if r is not None]
    matrix = np.full((len(codes), len(codes)), np.nan)
    present = [j for j, c in enumerate(col_pos) if c is not None]
    cols = [(codes[j], c) for j, c in enumerate(col_pos) if c is not None]
    matrix[:, present] = sheet.block(rows, cols)
    missing = [codes[j] for j, c in enumerate(col_pos) if c is None]
    return matrix, missing


def _check_direct_coefficients(
    sheet: _Sheet, A: np.ndarray, flows: _Flows, extras: _BasicExtras, codes: Sequence[str]
) -> None:
    """Check table 9 against table 6: each cell is a flow over the column's resources.

    The rows of totals (purchasers' prices, GVA, output, imports, resources) and
    the column of intermediate use are checked too where the sheet has them.
    """
    file = sheet.ctx.file
    n = len(codes)
    res = extras.resources
    if np.any(res == 0):
        j = int(np.flatnonzero(res == 0)[0])
        raise sheet.error_at(f"column '{codes[j]}'", "output plus imports is zero in table 6")
    _check(
        A,
        flows.Z / res,
        np.abs(A),
        lambda i, a, b: (
            f"{file}, sheet '{sheet.name}', row '{codes[i[0]]}', column '{codes[i[1]]}': coefficient "
            f"{_fmt(a)} differs from flow / (output + imports) = {_fmt(b)} of sheet '{flows.sheet.name}'"
        ),
    )
    pcols = [(code, c) for code, c in sheet.product_cols]
    checks = (
        (_ROW_TOTAL, extras.purchasers[:n], "intermediate use at purchasers' prices"),
        (_ROW_GVA, extras.gva, "gross value added"),
        (_ROW_OUTPUT, extras.output, "output"),
        (_ROW_IMPORTS, extras.imports, "imports"),
        (_ROW_RESOURCES, extras.resources, "resources"),
    )
    for label, numerator, what in checks:
        r = sheet.find_row(label, optional=True)
        if r is None:
            continue
        values = sheet.block([(label.text, r)], pcols)[0]

        def describe(i: tuple[int, ...], a: float, b: float, label: _Label = label, what: str = what) -> str:
            return (
                f"{file}, sheet '{sheet.name}', row '{label.text}', column '{codes[i[0]]}': "
                f"{_fmt(a)} differs from {what} / (output + imports) = {_fmt(b)}"
            )

        _check(values, numerator / res, np.abs(values), describe)
    c = sheet.find_col(_COL_INTERMEDIATE, optional=True)
    if c is not None:
        rows = [(code, r) for code, r in sheet.product_rows]
        values = sheet.block(rows, [(_COL_INTERMEDIATE.text, c)])[:, 0]
        total_resources = extras.intermediate_total["resources"]
        _check(
            values,
            flows.subtotals[:, 0] / total_resources,
            np.abs(values),
            lambda i, a, b: (
                f"{file}, sheet '{sheet.name}', row '{codes[i[0]]}', column '{_COL_INTERMEDIATE.text}': "
                f"{_fmt(a)} differs from intermediate use / total resources = {_fmt(b)}"
            ),
        )


# ----------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------


def read_bns_blocks(path: str | Path) -> BNSBlocks:
    """Read the Bureau's input-output workbook into labelled, verified blocks.

    Parameters
    ----------
    path
        The .xlsx workbook "Таблицы «Затраты - Выпуск» Республики Казахстан за
        <year> год", as published or re-laid (see the module docstring).

    Returns
    -------
    BNSBlocks
        Domestic and imported flows and final demand, value added, net taxes on
        products, output, imports, the published coefficient tables and
        metadata.

    Raises
    ------
    ReadError
        If the file is missing or cannot be opened; if it is not a readable
        .xlsx workbook (not a zip archive, truncated, a part missing or not
        well-formed XML, a cell value that does not match its type: the message
        names the sheet, the cell and the part of the archive where they can be
        located); if a table, row, column or product code is missing or
        duplicated, a data cell is not a number, or an accounting identity of
        the workbook does not hold. The message names the file, the sheet and
        the row (or label) concerned.

    Warns
    -----
    IOModelWarning
        If table 10 lacks some product columns (they are returned as NaN).

    Examples
    --------
    The re-laid 2024 workbook vendored in a checkout (``tables/sources``):

    >>> from iomodel.io.kazakhstan import default_sources
    >>> blocks = read_bns_blocks(default_sources() / "kz_bns_io_2024" / "kz_tzv_2024_clean.xlsx")
    >>> blocks.meta["year"], blocks.Z_domestic.shape
    (2024, (68, 68))
    """
    path = Path(path)
    ctx = _Context(path.name)
    file = ctx.file
    sheets = _load_workbook(path)
    book = _classify(ctx, sheets)

    def table(key: str) -> _Sheet:
        spec = next(s for s in _TABLES if s.key == key)
        if key not in book.tables:
            raise ctx.error(f"no sheet titled '<number>. {spec.title}' found")
        name, title, title_row = book.tables[key]
        return _parse_sheet(ctx, name, title, title_row, sheets[name])

    use_sheet = table("use_basic")
    codes_found = [code for code, _r in use_sheet.product_rows]
    keys_seen: dict[str, int] = {}
    for code, r in use_sheet.product_rows:
        key = _code_key(code)
        if key in keys_seen:
            raise use_sheet.error_at(
                f"row '{code}'", f"product code appears twice (rows {keys_seen[key] + 1} and {r + 1})"
            )
        keys_seen[key] = r
    codes = codes_found
    names = [use_sheet.names[r] for _code, r in use_sheet.product_rows]
    n = len(codes)
    reference = f"the rows of sheet '{use_sheet.name}'"

    use = _read_flows(use_sheet, codes, reference)
    extras = _read_basic_extras(use, codes)
    imported = _read_flows(table("use_imported"), codes, reference)
    domestic = _read_flows(table("use_domestic"), codes, reference)
    taxes = _read_flows(table("net_taxes"), codes, reference)

    # Rows: domestic use = output, imported use = imports.
    for flows, target, what in ((domestic, extras.output, "output"), (imported, extras.imports, "imports")):

        def describe_use(i: tuple[int, ...], a: float, b: float, flows: _Flows = flows, what: str = what) -> str:
            return (
                f"{file}, sheet '{flows.sheet.name}', row '{codes[i[0]]}': intermediate plus final use "
                f"{_fmt(a)} differs from {what} {_fmt(b)} (sheet '{use.sheet.name}')"
            )

        _check(
            flows.Z.sum(axis=1) + flows.F.sum(axis=1),
            target,
            np.abs(flows.Z).sum(axis=1) + np.abs(flows.F).sum(axis=1),
            describe_use,
        )

    # Columns: inputs + net taxes + GVA = output.
    inputs = domestic.Z.sum(axis=0) + imported.Z.sum(axis=0) + extras.net_taxes + extras.gva
    _check(
        inputs,
        extras.output,
        np.abs(domestic.Z).sum(axis=0) + np.abs(imported.Z).sum(axis=0) + np.abs(extras.net_taxes) + np.abs(extras.gva),
        lambda i, a, b: (
            f"{file}, sheet '{use.sheet.name}', column '{codes[i[0]]}': domestic plus imported "
            f"intermediate inputs plus net taxes on products plus GVA {_fmt(a)} differs from output {_fmt(b)}"
        ),
    )

    # Table 6 = table 7 + table 8.
    for part, whole in (("Z", use.Z), ("F", use.F)):
        dom = getattr(domestic, part)
        imp = getattr(imported, part)
        cols = use.all_cols[:n] if part == "Z" else use.all_cols[n : n + len(CATEGORIES)]

        def describe_split(i: tuple[int, ...], a: float, b: float, cols: list[tuple[str, int]] = cols) -> str:
            return (
                f"{file}, sheet '{use.sheet.name}', row '{codes[i[0]]}', column '{cols[i[1]][0]}': "
                f"{_fmt(a)} differs from domestic (sheet '{domestic.sheet.name}') plus imported "
                f"(sheet '{imported.sheet.name}') use {_fmt(b)}"
            )

        _check(whole, dom + imp, _abs_sum(dom, imp), describe_split)

    # Table 5 against the net-taxes row of table 6.
    tax_all = np.concatenate([extras.net_taxes, extras.net_taxes_final])
    tax_sums = np.concatenate([taxes.Z.sum(axis=0), taxes.F.sum(axis=0)])
    tax_cols = use.all_cols[: n + len(CATEGORIES)]
    _check(
        tax_all,
        tax_sums,
        np.concatenate([np.abs(taxes.Z).sum(axis=0), np.abs(taxes.F).sum(axis=0)]),
        lambda i, a, b: (
            f"{file}, sheet '{use.sheet.name}', row '{_ROW_NET_TAXES.text}', column '{tax_cols[i[0]][0]}': "
            f"{_fmt(a)} differs from the column total {_fmt(b)} of sheet '{taxes.sheet.name}'"
        ),
    )

    # Published coefficients.
    a_sheet = table("direct_coefficients")
    A, _ = _read_coefficients(a_sheet, codes, reference, allow_missing_cols=False)
    _check_direct_coefficients(a_sheet, A, use, extras, codes)
    l_sheet = table("total_coefficients")
    L, missing_l = _read_coefficients(l_sheet, codes, reference, allow_missing_cols=True)
    present = [j for j in range(n) if codes[j] not in set(missing_l)]
    if not present:
        raise l_sheet.error("no product column found")
    try:
        L_from_A = np.linalg.inv(np.eye(n) - A)
    except np.linalg.LinAlgError as exc:
        raise a_sheet.error("I minus the direct coefficients is singular") from exc
    _check(
        L[:, present],
        L_from_A[:, present],
        1.0,
        lambda i, a, b: (
            f"{file}, sheet '{l_sheet.name}', row '{codes[i[0]]}', column '{codes[present[i[1]]]}': "
            f"coefficient {_fmt(a)} differs from inv(I - A) = {_fmt(b)} of sheet '{a_sheet.name}'"
        ),
    )
    if missing_l:
        listed = ", ".join(repr(code) for code in missing_l)
        message = (
            f"{file}, sheet '{l_sheet.name}': the total requirement coefficients lack the columns of "
            f"{len(missing_l)} of the {n} products ({listed}); published_L holds NaN there. "
            f"They equal inv(I - published_A), which the {len(present)} columns present match."
        )
        ctx.irregularities.append(f"sheet '{l_sheet.name}': columns of {len(missing_l)} products missing ({listed})")
        warnings.warn(message, IOModelWarning, stacklevel=2)

    # Labelled results.
    sector = pd.Index(codes, name=SECTOR)
    sector_to = pd.Index(codes, name=SECTOR_TO)
    category = pd.Index(CATEGORIES, name=CATEGORY)

    def square(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values.astype(np.float64), index=sector.copy(), columns=sector_to.copy())

    def final(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values.astype(np.float64), index=sector.copy(), columns=category.copy())

    layout = "raw" if ctx.irregularities else "clean"
    meta: dict[str, Any] = {
        "title": book.title,
        "year": book.year,
        "published": book.published,
        "unit": UNIT,
        "file": file,
        "layout": layout,
        "sheets": {
            "products": use.sheet.name,
            "Z_domestic": domestic.sheet.name,
            "Z_imported": imported.sheet.name,
            "final_demand_domestic": domestic.sheet.name,
            "final_demand_imported": imported.sheet.name,
            "value_added": use.sheet.name,
            "product_taxes": use.sheet.name,
            "product_taxes_final": taxes.sheet.name,
            "output": use.sheet.name,
            "imports": use.sheet.name,
            "published_A": a_sheet.name,
            "published_L": l_sheet.name,
        },
        "table_titles": {
            sheet.name: sheet.title
            for sheet in (taxes.sheet, use.sheet, imported.sheet, domestic.sheet, a_sheet, l_sheet)
        },
        "irregularities": list(ctx.irregularities),
        "published_L_missing": list(missing_l),
        "n_products": n,
    }
    return BNSBlocks(
        products=pd.DataFrame({"name_ru": names}, index=sector.copy()),
        Z_domestic=square(domestic.Z),
        Z_imported=square(imported.Z),
        final_demand_domestic=final(domestic.F),
        final_demand_imported=final(imported.F),
        value_added=pd.DataFrame(
            extras.value_added.astype(np.float64),
            index=pd.Index(VALUE_ADDED_COMPONENTS, name=COMPONENT),
            columns=sector_to.copy(),
        ),
        product_taxes=pd.Series(extras.net_taxes.astype(np.float64), index=sector_to.copy(), name="product_taxes"),
        product_taxes_final=final(taxes.F),
        output=pd.Series(extras.output.astype(np.float64), index=sector.copy(), name="output"),
        imports=pd.Series(extras.imports.astype(np.float64), index=sector.copy(), name="imports"),
        published_A=square(A),
        published_L=square(L),
        meta=meta,
    )
