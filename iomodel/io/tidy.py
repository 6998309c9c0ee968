"""iomodel's own tidy table format: long CSV blocks plus a JSON description.

A table directory holds

``blocks.csv``
    One row per non-zero cell: ``block,row,col,value``. Blocks are ``Z``,
    ``final_demand``, ``value_added``, ``imports``, ``imports_final``,
    ``product_taxes``, ``satellites``, ``taxes`` and ``output``; one-dimensional
    blocks leave ``col`` empty. Values are written with full precision, so a
    table survives a round trip exactly.
``table.json``
    Metadata (:class:`iomodel.TableMeta` fields), the order of every label
    set, and a ``provenance`` mapping (source, publication date, units and
    every transformation made). Readable names of taxes are
    ``meta.tax_names``; names of sectors that ``sectors.csv`` does not give
    are ``meta.sector_names``.
``sectors.csv`` (optional)
    Descriptions of the sectors (codes, names in several languages, sections).
    Its ``name_en`` column (else ``name``) gives the sectors' readable names,
    :attr:`iomodel.TableMeta.sector_names`, which the reader attaches to the
    table; ``meta.sector_names`` of ``table.json`` take precedence.

The format is what ``tables/`` ships and what :mod:`iomodel.datasets` reads
through :mod:`importlib.resources`, so an installed wheel works offline.

The readers check a directory against the format before building anything:
``table.json`` against a schema (pydantic: required keys, types, unique
labels), ``blocks.csv`` for its columns, blocks, declared labels, finite
numbers and each cell given once. Anything else is a
:class:`~iomodel.errors.ReadError` naming the file, and the line, key or
label; no pandas or JSON exception reaches the caller.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from pydantic import ValidationError as PydanticValidationError

from ..errors import IOModelError, ReadError
from ..table import IOTable

__all__ = ["NAME_COLUMNS", "read_description", "read_sectors", "read_tidy", "write_tidy"]

FORMAT = "iomodel-tidy-1"

_BLOCKS_2D = {
    "Z": ("Z", "sectors", "sectors"),
    "final_demand": ("final_demand", "sectors", "categories"),
    "value_added": ("value_added", "components", "sectors"),
    "imports": ("imports", "import_rows", "sectors"),
    "imports_final": ("imports_final", "import_rows", "categories"),
    "satellites": ("satellites", "indicators", "sectors"),
    "taxes": ("taxes", "taxes", "sectors"),
}
_BLOCKS_1D = {"product_taxes": "product_taxes", "output": "output"}


def _labels(idx: pd.Index) -> list[str]:
    return [str(v) for v in idx]


def write_tidy(
    table: IOTable,
    directory: str | Path,
    *,
    provenance: Mapping[str, Any] | None = None,
    sectors: pd.DataFrame | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a table in the tidy format.

    Every file is written to a temporary file and renamed into place
    (:func:`iomodel.files.atomic_write`), after a check that none of them is
    in the way: a refusal comes before anything is written, and an
    interrupted run leaves no half-written file.

    Parameters
    ----------
    table
        The table; its labels are written as strings.
    directory
        Target directory (created if needed).
    provenance
        Source, dates, units and transformations, stored in ``table.json``.
    sectors
        Optional sector descriptions indexed by sector label; its ``name_en``
        column (else ``name``) gives the sectors' readable names, and only
        names of the table's :attr:`~iomodel.TableMeta.sector_names` that it
        does not give are written to ``table.json``.
    overwrite
        Replace ``blocks.csv``, ``table.json`` and ``sectors.csv`` if the
        directory has them; by default existing files are refused.

    Returns
    -------
    pathlib.Path
        The directory.

    Raises
    ------
    iomodel.errors.WriteError
        A file exists and ``overwrite`` is false, or the directory cannot be
        written (the message names the path and the reason).
    """
    from ..files import atomic_write, check_targets  # the writing helpers; nothing else of the reader needs them

    d = Path(directory)
    check_targets(
        [d / "blocks.csv", d / "table.json"] + ([d / "sectors.csv"] if sectors is not None else []), overwrite=overwrite
    )
    frames = []
    for block, (attr, _, _) in _BLOCKS_2D.items():
        df = getattr(table, attr)
        if df.size == 0:
            continue
        arr = df.to_numpy()
        r, c = np.nonzero(arr)
        frames.append(
            pd.DataFrame(
                {
                    "block": block,
                    "row": np.asarray(_labels(df.index), dtype=object)[r],
                    "col": np.asarray(_labels(df.columns), dtype=object)[c],
                    "value": arr[r, c],
                }
            )
        )
    for block, attr in _BLOCKS_1D.items():
        s = getattr(table, attr)
        nz = s.to_numpy() != 0
        frames.append(
            pd.DataFrame(
                {
                    "block": block,
                    "row": np.asarray(_labels(s.index), dtype=object)[nz],
                    "col": "",
                    "value": s.to_numpy()[nz],
                }
            )
        )
    blocks = pd.concat(frames, ignore_index=True)
    atomic_write(d / "blocks.csv", lambda p: blocks.to_csv(p, index=False, float_format="%.17g"), overwrite=overwrite)
    m = table.meta
    from_file = _names_column(sectors) if sectors is not None else {}
    sector_names = {k: v for k, v in m.sector_names.items() if from_file.get(k) != v}
    desc = {
        "format": FORMAT,
        "meta": {
            "name": m.name,
            "year": m.year,
            "currency": m.currency,
            "unit": m.unit,
            "price_basis": m.price_basis,
            "source": m.source,
            "import_convention": m.import_convention,
            "satellite_units": dict(m.satellite_units),
            "notes": dict(m.notes),
            **({"sector_names": sector_names} if sector_names else {}),
            **({"tax_names": dict(m.tax_names)} if m.tax_names else {}),
        },
        "labels": {
            "sectors": _labels(table.sectors),
            "categories": _labels(table.categories),
            "components": _labels(table.value_added.index),
            "import_rows": _labels(table.imports.index),
            "indicators": _labels(table.satellites.index),
            "taxes": _labels(table.taxes.index),
        },
        "provenance": dict(provenance or {}),
    }
    text = json.dumps(desc, indent=2, ensure_ascii=False) + "\n"
    atomic_write(d / "table.json", lambda p: p.write_text(text, encoding="utf-8"), overwrite=overwrite)
    if sectors is not None:
        atomic_write(d / "sectors.csv", lambda p: sectors.to_csv(p, index_label="sector"), overwrite=overwrite)
    return d


#: Columns of ``sectors.csv`` that hold the sectors' readable names, in order of preference.
NAME_COLUMNS = ("name_en", "name")


def _names_column(sectors: pd.DataFrame) -> dict[str, str]:
    """Readable names from sector descriptions: the first of :data:`NAME_COLUMNS` present, blank names left out."""
    column = next((c for c in NAME_COLUMNS if c in sectors.columns), None)
    if column is None:
        return {}
    names = sectors[column]
    return {str(k): str(v).strip() for k, v in names.items() if isinstance(v, str) and v.strip()}


class _Meta(BaseModel):
    """The ``meta`` object of ``table.json``: the :class:`iomodel.TableMeta` fields."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str
    year: int | None = None
    currency: str = ""
    unit: str = ""
    price_basis: str = "basic prices"
    source: str = ""
    import_convention: Literal["domestic", "total", "bureau"] = "domestic"
    satellite_units: dict[str, str] = PydanticField(default_factory=dict)
    notes: dict[str, str] = PydanticField(default_factory=dict)
    sector_names: dict[str, Annotated[str, PydanticField(min_length=1)]] = PydanticField(default_factory=dict)
    tax_names: dict[str, Annotated[str, PydanticField(min_length=1)]] = PydanticField(default_factory=dict)


_Label = Annotated[str, PydanticField(min_length=1)]


class _LabelSets(BaseModel):
    """The ``labels`` object of ``table.json``: the order of every label set."""

    model_config = ConfigDict(extra="forbid", strict=True)

    sectors: list[_Label] = PydanticField(min_length=1)
    categories: list[_Label]
    components: list[_Label]
    import_rows: list[_Label] = PydanticField(default_factory=list)
    indicators: list[_Label] = PydanticField(default_factory=list)
    taxes: list[_Label] = PydanticField(default_factory=list)


class _Description(BaseModel):
    """The whole of ``table.json``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    format: str
    meta: _Meta
    labels: _LabelSets
    provenance: dict[str, Any] = PydanticField(default_factory=dict)


def _schema_error(path: Path, exc: PydanticValidationError) -> ReadError:
    """A ReadError naming the file, the key and what was expected, for the first schema violation."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    key = ".".join(str(k) for k in first["loc"]) or "(top level)"
    if first["type"] == "missing":
        problem = "required key missing"
    elif first["type"] == "extra_forbidden":
        problem = "unknown key"
    else:
        problem = f"{first['msg']}, got {first['input']!r}"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return ReadError(f"{path}: {key}: {problem}{more}")


def read_description(directory: str | Path) -> dict[str, Any]:
    """The ``table.json`` of a tidy table directory, checked against the format.

    Parameters
    ----------
    directory
        The table directory.

    Returns
    -------
    dict
        The description as stored: ``format``, ``meta``, ``labels`` and
        ``provenance``.

    Raises
    ------
    ReadError
        ``table.json`` is missing, not UTF-8 JSON, of another format, lacks a
        required key (``meta.name``, ``labels.sectors``, ``labels.categories``,
        ``labels.components``), has an unknown key or a value of the wrong type,
        a label set with an empty or duplicated label, import rows that are
        neither none, one row nor the sectors, satellite units of undeclared
        indicators, names of undeclared sectors or an empty name. The
        message names the file and the key.
    """
    d = Path(directory)
    p = d / "table.json"
    try:
        if not p.is_file():
            raise ReadError(f"{d}: no table.json (not an iomodel tidy table)")
        desc = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReadError(f"{p}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ReadError(f"{p}: not a UTF-8 text file (byte {exc.start}: {exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ReadError(f"{p}: invalid JSON ({exc})") from None
    if not isinstance(desc, dict):
        raise ReadError(f"{p}: expected a JSON object with format, meta, labels and provenance")
    if desc.get("format") != FORMAT:
        raise ReadError(f"{p}: format {desc.get('format')!r}, expected {FORMAT!r}")
    try:
        checked = _Description.model_validate(desc)
    except PydanticValidationError as exc:
        raise _schema_error(p, exc) from None
    labels = checked.labels
    for key, values in labels.model_dump().items():
        seen = pd.Index(values)
        if seen.has_duplicates:
            dup = seen[seen.duplicated()].unique().tolist()
            raise ReadError(f"{p}: labels.{key} has duplicated label(s) {dup}; every label of a set must be unique")
    if len(labels.import_rows) > 1 and labels.import_rows != labels.sectors:
        raise ReadError(
            f"{p}: labels.import_rows must be empty, a single row, or the sectors in their order (an import-use "
            f"matrix); got {len(labels.import_rows)} rows starting {labels.import_rows[:3]}"
        )
    unknown = sorted(set(checked.meta.satellite_units).difference(labels.indicators))
    if unknown:
        raise ReadError(f"{p}: meta.satellite_units names indicator(s) {unknown} not in labels.indicators")
    unknown = sorted(set(checked.meta.sector_names).difference(labels.sectors))
    if unknown:
        raise ReadError(f"{p}: meta.sector_names names sector(s) {unknown[:10]} not in labels.sectors")
    return desc


_COLUMNS = ("block", "row", "col", "value")


def _read_csv(path: Path, columns: tuple[str, ...], *, exact: bool, rows: str) -> pd.DataFrame:
    """A CSV file of the format as text cells; blank lines dropped, the index keeps the line (index + 2).

    Parameters
    ----------
    path
        The file.
    columns
        Required columns.
    exact
        Refuse other columns too.
    rows
        What a line holds, for the message on an empty file.

    Raises
    ------
    ReadError
        Missing, unreadable, not UTF-8, empty, unparsable (pandas' message,
        with its line) or with missing or unexpected columns; the message names
        the file.
    """
    expected = ",".join(columns)
    try:
        if not path.is_file():
            raise ReadError(f"{path}: not found")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            cells = pd.read_csv(
                path, dtype=str, keep_default_na=False, index_col=False, skip_blank_lines=False, encoding="utf-8"
            )
    except OSError as exc:
        raise ReadError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path}: not a UTF-8 text file (byte {exc.start}: {exc.reason})") from None
    except pd.errors.EmptyDataError:
        raise ReadError(f"{path}: empty file; expected a header {expected} and one line per {rows}") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReadError(f"{path}: not a readable CSV file ({' '.join(str(exc).split())})") from None
    missing = [c for c in columns if c not in cells.columns]
    unexpected = [str(c) for c in cells.columns if c not in columns] if exact else []
    if missing or unexpected:
        raise ReadError(
            f"{path}: expected the columns {expected}; "
            + "; ".join(
                part
                for part in (
                    f"missing {missing}" if missing else "",
                    f"unexpected {unexpected}" if unexpected else "",
                )
                if part
            )
        )
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):  # pandas would drop the extra fields
        raise ReadError(f"{path}: lines with more fields than the header {','.join(map(str, cells.columns))}")
    return cells[(cells != "").any(axis=1)]


def _lines(index: pd.Index | np.ndarray, limit: int = 5) -> str:
    """File line numbers of data rows (header on line 1)."""
    lines = [str(int(i) + 2) for i in index[:limit]]
    return ", ".join(lines) + (f" and {len(index) - limit} more" if len(index) > limit else "")


def _values(cells: pd.DataFrame, p: Path) -> np.ndarray:
    """The ``value`` column as finite floats; ReadError naming the line of an empty, non-numeric or infinite value."""
    text = cells["value"].str.strip()
    try:
        values = text.to_numpy(dtype=float)  # Python's float(): correctly rounded, so a round trip is exact
    except ValueError:
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        i = int(bad[0])
        raw = text.iloc[i]
        if raw == "":
            problem = "empty value"
        else:
            try:
                float(raw)
                problem = f"value {raw!r} is not finite"
            except ValueError:
                problem = f"value {raw!r} is not a number"
        row = cells.iloc[i]
        others = f" ({len(bad) - 1} more such line(s): {_lines(cells.index[bad[1:]])})" if len(bad) > 1 else ""
        raise ReadError(
            f"{p}, line {cells.index[i] + 2}: {problem} (block {row['block']!r}, row {row['row']!r}, "
            f"col {row['col']!r}){others}"
        )
    return values


def _check_cells(cells: pd.DataFrame, p: Path, lab: Mapping[str, pd.Index]) -> None:
    """Blocks known, labels declared, one-dimensional blocks without a column, each cell given once."""
    known = [*_BLOCKS_2D, *_BLOCKS_1D]
    unknown = ~cells["block"].isin(known)
    if unknown.any():
        names = sorted(set(cells["block"][unknown]))
        raise ReadError(
            f"{p}: unknown block(s) {names} (line(s) {_lines(cells.index[unknown.to_numpy()])}); "
            f"valid blocks are {known}"
        )
    for block, (_, rows_key, cols_key) in _BLOCKS_2D.items():
        sub = cells[cells["block"] == block]
        for column, key in (("row", rows_key), ("col", cols_key)):
            bad = ~sub[column].isin(lab[key])
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise ReadError(
                    f"{p}, line {sub.index[i] + 2}: block {block!r} has a label not declared in table.json "
                    f"(labels.{key}): row {sub['row'].iloc[i]!r}, col {sub['col'].iloc[i]!r}"
                )
    for block in _BLOCKS_1D:
        sub = cells[cells["block"] == block]
        bad_row = ~sub["row"].isin(lab["sectors"])
        if bad_row.any():
            i = int(np.flatnonzero(bad_row.to_numpy())[0])
            raise ReadError(
                f"{p}, line {sub.index[i] + 2}: block {block!r} has unknown sector {sub['row'].iloc[i]!r} "
                "(not in labels.sectors of table.json)"
            )
        bad_col = sub["col"] != ""
        if bad_col.any():
            i = int(np.flatnonzero(bad_col.to_numpy())[0])
            raise ReadError(
                f"{p}, line {sub.index[i] + 2}: block {block!r} is one-dimensional and takes no col, "
                f"got {sub['col'].iloc[i]!r}"
            )
    dup = cells.duplicated(["block", "row", "col"], keep=False)
    if dup.any():
        groups = cells[dup].groupby(["block", "row", "col"], sort=False).groups
        described = [
            f"block {block!r}, row {row!r}" + (f", col {col!r}" if col else "") + f" on lines {_lines(index)}"
            for (block, row, col), index in list(groups.items())[:3]
        ]
        more = f" and {len(groups) - 3} more" if len(groups) > 3 else ""
        raise ReadError(
            f"{p}: {len(groups)} cell(s) given on more than one line: {'; '.join(described)}{more}; "
            "each cell must appear once (which value would hold is ambiguous)"
        )


def read_tidy(directory: str | Path, *, check: bool = True) -> IOTable:
    r"""Read a table written by :func:`write_tidy`.

    Everything is checked before the table is built: ``table.json`` against
    the format (:func:`read_description`); ``sectors.csv``, when there is
    one, for its columns, its sectors declared in ``table.json`` and each
    described once (its names become :attr:`~iomodel.TableMeta.sector_names`);
    ``blocks.csv`` for its columns
    (exactly ``block,row,col,value``), known blocks, labels declared in
    ``table.json``, one-dimensional blocks without a column, values that are
    finite numbers, and each cell given once (a second line for the same cell
    is refused, not silently preferred).

    Parameters
    ----------
    directory
        The table directory.
    check
        Check the accounting identities and productivity of the table
        (:meth:`IOTable.check`).

    Returns
    -------
    IOTable

    Raises
    ------
    ReadError
        A missing, empty, unreadable or malformed file; the message names the
        file and, for ``blocks.csv``, the line, block and label. A table that
        does not validate (negative flows, unbalanced accounts, ...) is
        reported as a ReadError naming the directory, chained to the error of
        :meth:`IOTable.from_flows`.

    Examples
    --------
    A second line for a cell already given is refused, with both lines:

    >>> import tempfile
    >>> import iomodel as iom
    >>> tmp = tempfile.TemporaryDirectory()
    >>> d = write_tidy(iom.datasets.miller_blair(), tmp.name)
    >>> read_tidy(d).output.tolist()
    [1000.0, 2000.0]
    >>> with open(d / "blocks.csv", "a") as f:
    ...     _ = f.write("Z,agriculture,agriculture,1\n")
    >>> read_tidy(d)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    iomodel.errors.ReadError: .../blocks.csv: 1 cell(s) given on more than one line: block 'Z', row 'agriculture',
    col 'agriculture' on lines 2, 16; each cell must appear once (which value would hold is ambiguous)
    >>> tmp.cleanup()
    """
    d = Path(directory)
    desc = read_description(d)
    lab = {k: pd.Index(v) for k, v in _LabelSets.model_validate(desc["labels"]).model_dump().items()}
    p = d / "blocks.csv"
    cells = _read_csv(p, _COLUMNS, exact=True, rows="cell")
    if cells.empty:
        raise ReadError(f"{p}: no cells, only a header (a table needs at least its output)")
    values = _values(cells, p)
    _check_cells(cells, p, lab)
    has_import_use = len(lab["import_rows"]) > 0 and lab["import_rows"].equals(lab["sectors"])
    if not has_import_use and (cells["block"] == "imports_final").any():
        i = int(np.flatnonzero((cells["block"] == "imports_final").to_numpy())[0])
        raise ReadError(
            f"{p}, line {cells.index[i] + 2}: block 'imports_final' needs an import-use matrix "
            "(labels.import_rows equal to labels.sectors in table.json)"
        )
    arrays: dict[str, Any] = {}
    for block, (_, rows_key, cols_key) in _BLOCKS_2D.items():
        rows, cols = lab[rows_key], lab[cols_key]
        arr = np.zeros((len(rows), len(cols)))
        mask = (cells["block"] == block).to_numpy()
        sub = cells[mask]
        arr[rows.get_indexer(sub["row"]), cols.get_indexer(sub["col"])] = values[mask]
        arrays[block] = pd.DataFrame(arr, index=rows, columns=cols)
    for block in _BLOCKS_1D:
        mask = (cells["block"] == block).to_numpy()
        v = np.zeros(len(lab["sectors"]))
        v[lab["sectors"].get_indexer(cells["row"][mask])] = values[mask]
        arrays[block] = pd.Series(v, index=lab["sectors"])
    m = desc["meta"]
    sector_names: dict[str, str] = {}
    if (d / "sectors.csv").exists():
        described = read_sectors(d)
        unknown = [str(k) for k in described.index if k not in lab["sectors"]]
        if unknown:
            raise ReadError(
                f"{d / 'sectors.csv'}: sector(s) {unknown[:10]} not in labels.sectors of table.json "
                "(the descriptions must be of the table's sectors)"
            )
        sector_names = _names_column(described)
    sector_names.update(m.get("sector_names") or {})
    imports = None
    if len(lab["import_rows"]):
        imports = arrays["imports"] if has_import_use else arrays["imports"].iloc[0]
    try:
        return IOTable.from_flows(
            arrays["Z"],
            arrays["final_demand"],
            arrays["value_added"],
            output=arrays["output"],
            imports=imports,
            imports_final=arrays["imports_final"] if has_import_use else None,
            product_taxes=arrays["product_taxes"],
            satellites=arrays["satellites"] if len(lab["indicators"]) else None,
            satellite_units=m.get("satellite_units"),
            taxes=arrays["taxes"] if len(lab["taxes"]) else None,
            name=m["name"],
            year=m.get("year"),
            currency=m.get("currency", ""),
            unit=m.get("unit", ""),
            price_basis=m.get("price_basis", "basic prices"),
            source=m.get("source", ""),
            import_convention=m.get("import_convention", "domestic"),
            notes=m.get("notes"),
            sector_names=sector_names,
            tax_names=m.get("tax_names"),
            check=check,
        )
    except IOModelError as exc:
        raise ReadError(f"{d}: the table does not validate: {exc}") from exc


def read_sectors(directory: str | Path) -> pd.DataFrame:
    """The ``sectors.csv`` descriptions of a tidy table (index: sector label, as str).

    Raises
    ------
    ReadError
        The file is missing, empty, unreadable, has no ``sector`` column or
        a sector on two lines (the message names the file and the lines).
    """
    p = Path(directory) / "sectors.csv"
    sectors = _read_csv(p, ("sector",), exact=False, rows="sector")
    dup = sectors["sector"].duplicated(keep=False)
    if dup.any():
        names = sorted(set(sectors["sector"][dup]))
        raise ReadError(f"{p}: sector(s) {names} described more than once (lines {_lines(sectors.index[dup])})")
    return sectors.set_index("sector")
