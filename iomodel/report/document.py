"""The document of an appraisal report and its two renderings: a self-contained HTML page and an Excel workbook.

:class:`Report` holds what :func:`iomodel.report.build_report` computed: per
scenario a :class:`Section` of :class:`Table` s (frames whose headers carry
their units), :class:`Figure` s (PNG bytes) and methodology notes. The HTML
page is rendered with Jinja2 templates (``templates/report.html``,
``table.html``, ``report.css``) and embeds its figures and styles, so it opens
without network and prints on A4; the workbook is written with openpyxl, the
Excel engine pandas uses: one sheet per table, units in headers, number
formats, a sources-and-assumptions sheet.
"""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..files import atomic_write, check_targets

__all__ = ["FILES", "Figure", "Report", "Section", "Table", "cell_text", "render_html", "write_excel"]

_TEMPLATES = "templates"


def _version() -> str:
    try:
        return metadata.version("iomodel")
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        return "(not installed)"


#: The files :meth:`Report.write` writes into its folder.
FILES = ("report.html", "report.xlsx")


@dataclass(frozen=True)
class Table:
    """One table of a report: a frame whose headers carry the units, with a caption and a note."""

    key: str
    caption: str
    frame: pd.DataFrame = field(repr=False)
    note: str = ""
    index: bool = False


@dataclass(frozen=True)
class Figure:
    """One figure of a report as PNG bytes, with its caption."""

    key: str
    caption: str
    png: bytes = field(repr=False)

    @property
    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI (the HTML page embeds it; no file beside it is needed)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class Section:
    """The part of a report about one scenario.

    Attributes
    ----------
    name
        Section title.
    unit
        The money unit of its tables.
    appraisal
        The :class:`~iomodel.fiscal.Appraisal` it was built from.
    tables, figures, notes
        What it shows, in order; notes are ``{"title", "text", "source"}``.
    cards
        The headline figures as the page shows them: ``key``, ``label``,
        ``text``, ``unit``, ``raw`` (the value, for checks) and ``negative``.
    """

    name: str
    unit: str
    appraisal: Any = field(repr=False)
    tables: tuple[Table, ...]
    figures: tuple[Figure, ...]
    notes: tuple[Mapping[str, str], ...]
    cards: tuple[Mapping[str, Any], ...] = ()

    def table(self, key: str) -> Table:
        """The table with this key (e.g. ``"headline"``, ``"budget_by_level"``)."""
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(f"no table {key!r} in section {self.name!r}; tables: {[t.key for t in self.tables]}")


@dataclass(frozen=True)
class Report:
    """An appraisal report: one section per scenario and, for several, a comparison (:func:`build_report`).

    Attributes
    ----------
    title
        Title of the page and the workbook.
    unit
        The one money unit of every table.
    sections
        One :class:`Section` per scenario.
    comparison
        Headline figures side by side (``None`` for a single scenario).
    created
        ISO date the report was made.
    """

    title: str
    unit: str
    sections: tuple[Section, ...]
    comparison: Table | None = None
    created: str = ""

    def to_html(self, path: str | os.PathLike[str] | None = None, *, overwrite: bool = False) -> str:
        """The report as one self-contained HTML page (figures and styles inside; prints on A4).

        Parameters
        ----------
        path
            Also write the page there (atomically; an existing file only with
            ``overwrite``).

        Returns
        -------
        str
            The page.
        """
        page = render_html(self)
        if path is not None:
            atomic_write(path, lambda p: Path(p).write_text(page, encoding="utf-8"), overwrite=overwrite)
        return page

    def to_excel(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write the report as an Excel workbook: one sheet per table, units in headers, a sources sheet."""
        atomic_write(path, lambda p: write_excel(self, p), overwrite=overwrite)

    def write(self, folder: str | os.PathLike[str], *, overwrite: bool = False) -> dict[str, Path]:
        """Write ``report.html`` and ``report.xlsx`` into ``folder`` (both checked before either is written).

        Returns
        -------
        dict
            The paths written, by kind (``"html"``, ``"xlsx"``).
        """
        d = Path(folder)
        targets = [d / f for f in FILES]
        check_targets(targets, overwrite=overwrite)
        self.to_html(targets[0], overwrite=overwrite)
        self.to_excel(targets[1], overwrite=overwrite)
        return {"html": targets[0], "xlsx": targets[1]}


def _kind(column: str) -> str:
    """How a column's numbers read: ``share`` (percent), ``year``, ``count`` or ``money``."""
    c = column.lower()
    if c.startswith("share") or c.endswith("(share)") or c in ("additionality", "displacement"):
        return "share"
    if c == "year" or c.endswith("(year)"):
        return "year"
    if "job" in c or "persons" in c:
        return "count"
    return "money"


def cell_text(value: Any, kind: str = "money") -> str:
    """A number as the report prints it: thousands separators, percent for shares, plain years.

    Examples
    --------
    >>> cell_text(1234567.891), cell_text(0.5184, "share"), cell_text(2031.0, "year"), cell_text(float("nan"))
    ('1,234,568', '51.8%', '2031', '—')
    >>> cell_text(12.345), cell_text(-0.04567)
    ('12.3', '-0.046')
    """
    if value is None or isinstance(value, str):
        return "" if value is None else value
    v = float(value)
    if math.isnan(v):
        return "—"
    if kind == "share":
        return f"{v:.1%}"
    if kind == "year":
        return f"{v:.0f}"
    if kind == "count" or abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:,.1f}"
    return f"{v:,.3f}" if v else "0"


def _row_kind(table: Table, label: Any, column: str) -> str:
    """Per-cell kind: a table whose rows carry their own unit (headline, comparison) reads it from there."""
    frame = table.frame
    if "unit" in frame.columns and column not in ("unit",):
        u = str(frame.loc[label, "unit"]) if label in frame.index else ""
        return {"share": "share", "year": "year", "jobs": "count", "job-years": "count"}.get(u, "money")
    return _kind(column)


def _cells(table: Table) -> dict[str, Any]:
    """Header and rows of a table as text, with a flag for numeric cells (right-aligned)."""
    frame = table.frame
    index_names = [n or "" for n in frame.index.names] if table.index else []
    header = index_names + [str(c) for c in frame.columns]
    rows = []
    for label, row in frame.iterrows():
        cells = []
        if table.index:
            parts = label if isinstance(label, tuple) else (label,)
            cells += [{"text": str(p), "num": False} for p in parts]
        for col, v in row.items():
            numeric = isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
            kind = _row_kind(table, label, str(col)) if numeric else ""
            cells.append({"text": cell_text(v, kind) if numeric else str(v), "num": numeric})
        rows.append(cells)
    return {"key": table.key, "caption": table.caption, "header": header, "rows": rows}


def headline_cards(frame: pd.DataFrame) -> tuple[dict[str, Any], ...]:
    """Headline figures (columns ``item``, ``value``, ``unit``, ``key``) as the cards the page shows."""
    cards = []
    for _, r in frame.iterrows():
        kind = {"share": "share", "year": "year", "jobs": "count", "job-years": "count"}.get(str(r["unit"]), "money")
        v = float(r["value"])
        text = "none in horizon" if kind == "year" and math.isnan(v) else cell_text(v, kind)
        cards.append(
            {
                "key": r["key"],
                "label": r["item"],
                "text": text,
                "unit": "" if kind == "share" else str(r["unit"]),
                "raw": repr(v),
                "negative": kind == "money" and v < 0,
            }
        )
    return tuple(cards)


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("iomodel.report", _TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render_html(report: Report) -> str:
    """The report as one HTML page (styles inlined, figures as data URIs)."""
    env = _environment()
    import markupsafe

    # the style sheet is ours and goes inside <style>, where entities are not decoded: not escaped
    css = markupsafe.Markup(
        resources.files("iomodel.report").joinpath(_TEMPLATES, "report.css").read_text(encoding="utf-8")
    )
    table_template = env.get_template("table.html")

    def table_html(table: Table) -> Any:
        return markupsafe.Markup(table_template.render(t=_cells(table)))

    return env.get_template("report.html").render(report=report, css=css, version=_version(), table_html=table_html)


def _sheet_name(prefix: str, key: str, used: set[str]) -> str:
    base = (prefix + key.replace("_", " ").capitalize())[:31]
    name, i = base, 2
    while name in used:
        name = f"{base[:28]} {i}"
        i += 1
    used.add(name)
    return name


def _format_sheet(ws: Any, table: Table, start_row: int) -> None:
    """Number formats by column (or by row for tables with a unit column) and column widths."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    frame = table.frame
    n_index = frame.index.nlevels if table.index else 0
    columns = list(frame.columns)
    formats = {"money": "#,##0.0", "count": "#,##0", "share": "0.0%", "year": "0"}
    for cell in ws[start_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, label in enumerate(frame.index):
        r = start_row + 1 + i
        for j, col in enumerate(columns):
            cell = ws.cell(row=r, column=n_index + j + 1)
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = formats[_row_kind(table, label, str(col))]
    for j in range(1, n_index + len(columns) + 1):
        letter = get_column_letter(j)
        width = max((len(str(c.value)) for c in ws[letter] if c.value is not None), default=8)
        ws.column_dimensions[letter].width = min(max(10, width + 2), 60)


def write_excel(report: Report, path: str | os.PathLike[str]) -> None:
    """Write the workbook: contents, comparison, one sheet per table, sources and assumptions."""
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        contents = [("Title", report.title), ("Money unit", report.unit), ("Made", report.created)]
        contents.append(("Made with", f"iomodel {_version()}"))
        sheets: list[tuple[str, Table]] = []
        if report.comparison is not None:
            sheets.append((_sheet_name("", report.comparison.key, used), report.comparison))
        many = len(report.sections) > 1
        for k, s in enumerate(report.sections, start=1):
            for t in s.tables:
                if t.key == "assumptions":
                    continue
                sheets.append((_sheet_name(f"S{k} " if many else "", t.key, used), t))
        sources_sheet = _sheet_name("", "sources_and_assumptions", used)
        toc = pd.DataFrame(
            contents + [(name, t.caption) for name, t in sheets] + [(sources_sheet, "Sources and assumptions")],
            columns=["item", "value"],
        )
        toc.to_excel(xl, sheet_name="Contents", index=False)
        for name, t in sheets:
            t.frame.to_excel(xl, sheet_name=name, index=t.index, startrow=1)
            ws = xl.sheets[name]
            ws.cell(row=1, column=1, value=t.caption + (f" ({report.unit})" if t.key != "assumptions" else ""))
            _format_sheet(ws, t, 2)
            if t.note:
                ws.cell(row=len(t.frame) + 4, column=1, value="Note: " + t.note)
        rows = []
        for s in report.sections:
            a = s.table("assumptions").frame
            rows += [(s.name, "assumption", r["item"], r["value"], r["source"]) for _, r in a.iterrows()]
            rows += [(s.name, "method", n["title"], n["text"], n["source"]) for n in s.notes]
        src = pd.DataFrame(rows, columns=["scenario", "kind", "item", "value", "source"])
        src.to_excel(xl, sheet_name=sources_sheet, index=False)
        for name in ("Contents", sources_sheet):
            ws = xl.sheets[name]
            from openpyxl.styles import Alignment

            for col, width in zip("ABCDE", (28, 60, 30, 60, 80), strict=False):
                ws.column_dimensions[col].width = width
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
