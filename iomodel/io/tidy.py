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
    every transformation made).
``sectors.csv`` (optional)
    Descriptions of the sectors (codes, names in several languages, sections).

The format is what ``tables/`` ships and what :mod:`iomodel.datasets` reads
through :mod:`importlib.resources`, so an installed wheel works offline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ReadError
from ..table import IOTable

__all__ = ["read_description", "read_sectors", "read_tidy", "write_tidy"]

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
) -> Path:
    """Write a table in the tidy format.

    Parameters
    ----------
    table
        The table; its labels are written as strings.
    directory
        Target directory (created if needed; existing files are replaced).
    provenance
        Source, dates, units and transformations, stored in ``table.json``.
    sectors
        Optional sector descriptions indexed by sector label.

    Returns
    -------
    pathlib.Path
        The directory.
    """
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
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
    pd.concat(frames, ignore_index=True).to_csv(d / "blocks.csv", index=False, float_format="%.17g")
    m = table.meta
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
    (d / "table.json").write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if sectors is not None:
        sectors.to_csv(d / "sectors.csv", index_label="sector")
    return d


def read_description(directory: str | Path) -> dict[str, Any]:
    """The ``table.json`` of a tidy table directory."""
    d = Path(directory)
    p = d / "table.json"
    if not p.is_file():
        raise ReadError(f"{d}: no table.json (not an iomodel tidy table)")
    try:
        desc = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReadError(f"{p}: invalid JSON ({exc})") from None
    if desc.get("format") != FORMAT:
        raise ReadError(f"{p}: format {desc.get('format')!r}, expected {FORMAT!r}")
    return desc


def read_tidy(directory: str | Path, *, check: bool = True) -> IOTable:
    """Read a table written by :func:`write_tidy`.

    Raises
    ------
    ReadError
        Missing files, an unknown block, or a label not declared in ``table.json``
        (the message names the file, block and label).
    """
    d = Path(directory)
    desc = read_description(d)
    lab = {k: pd.Index(v) for k, v in desc["labels"].items()}
    p = d / "blocks.csv"
    if not p.is_file():
        raise ReadError(f"{d}: no blocks.csv")
    cells = pd.read_csv(
        p,
        dtype={"block": str, "row": str, "col": str, "value": float},
        keep_default_na=False,
        na_values={"value": [""]},
    )
    if cells["value"].isna().any():
        i = int(np.flatnonzero(cells["value"].isna().to_numpy())[0])
        raise ReadError(f"{p}, line {i + 2}: empty value")
    unknown = sorted(set(cells["block"]) - set(_BLOCKS_2D) - set(_BLOCKS_1D))
    if unknown:
        raise ReadError(f"{p}: unknown block(s) {unknown}")
    arrays: dict[str, Any] = {}
    for block, (_, rows_key, cols_key) in _BLOCKS_2D.items():
        rows, cols = lab[rows_key], lab[cols_key]
        arr = np.zeros((len(rows), len(cols)))
        sub = cells[cells["block"] == block]
        if len(sub):
            ri, ci = rows.get_indexer(sub["row"]), cols.get_indexer(sub["col"])
            if (ri < 0).any() or (ci < 0).any():
                k = int(np.flatnonzero((ri < 0) | (ci < 0))[0])
                raise ReadError(
                    f"{p}: block {block!r} has a label not declared in table.json: "
                    f"row {sub['row'].iloc[k]!r}, col {sub['col'].iloc[k]!r}"
                )
            arr[ri, ci] = sub["value"].to_numpy()
        arrays[block] = pd.DataFrame(arr, index=rows, columns=cols)
    for block in _BLOCKS_1D:
        sub = cells[cells["block"] == block]
        ri = lab["sectors"].get_indexer(sub["row"])
        if (ri < 0).any():
            raise ReadError(f"{p}: block {block!r} has unknown sector {sub['row'].iloc[int(np.argmin(ri))]!r}")
        v = np.zeros(len(lab["sectors"]))
        v[ri] = sub["value"].to_numpy()
        arrays[block] = pd.Series(v, index=lab["sectors"])
    m = desc["meta"]
    has_import_use = len(lab["import_rows"]) > 0 and lab["import_rows"].equals(lab["sectors"])
    imports = None
    if len(lab["import_rows"]):
        imports = arrays["imports"] if has_import_use else arrays["imports"].iloc[0]
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
        check=check,
    )


def read_sectors(directory: str | Path) -> pd.DataFrame:
    """The ``sectors.csv`` descriptions of a tidy table (index: sector label, as str)."""
    p = Path(directory) / "sectors.csv"
    if not p.is_file():
        raise ReadError(f"{p}: not found")
    return pd.read_csv(p, dtype=str, keep_default_na=False).set_index("sector")
