"""The input-output table: one immutable, validated object with labelled blocks.

:class:`IOTable` holds a symmetric (product-by-product or industry-by-industry)
input-output table at basic prices with its satellite accounts and metadata.
It is immutable: every ``with_*``, :meth:`IOTable.aggregate` and
:meth:`IOTable.select` returns a new table, and the factorisation of
``I - A`` is computed once per table and cached (ARCHITECTURE.md).

Block layout (row sells to column; ``n`` sectors):

=====================  ==========================  ===========================================
block                  shape                       meaning
=====================  ==========================  ===========================================
``Z``                  sector x sector_to          domestic intermediate flows
``final_demand``       sector x category           domestic final demand by category
``imports``            product x sector_to         imported intermediate inputs (an import-use
                                                   matrix, or a single row ``"imports"``)
``imports_final``      product x category          imports used directly by final demand
``product_taxes``      sector_to                   net taxes on products paid on intermediate use
``value_added``        component x sector_to       compensation, other taxes on production, ...
``satellites``         indicator x sector_to       employment and other physical accounts
``taxes``              tax x sector_to             budget revenue attributed to each sector's
                                                   production, in the table's currency unit
``output``             sector                      gross output ``x``
=====================  ==========================  ===========================================

Accounting identities (docs/math.md), checked by :meth:`IOTable.check`:

* rows: ``Z.sum(1) + final_demand.sum(1) = x``;
* columns: ``Z.sum(0) + imports.sum(0) + product_taxes + value_added.sum(0) = x``;
* imports by product (when ``imports`` is an import-use matrix): its rows and
  ``imports_final`` add up to total imports.
"""

from __future__ import annotations

import json
import logging
import numbers
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from frozendict import frozendict
from numpy.typing import ArrayLike

from . import dims
from . import linalg as la
from .economy import Economy, HouseholdClosure
from .errors import IOModelWarning, LabelError, NotProductiveError, ValidationError

logger = logging.getLogger(__name__)

__all__ = ["IMPORT_CONVENTIONS", "HouseholdClosure", "IOTable", "TableArrays", "TableMeta"]

#: How imports enter the technical coefficients.
#:
#: ``"domestic"`` (default): :math:`A^d = Z^d \hat x^{-1}`, the domestic-technology
#: model used for impact analysis (docs/scenarios.md).
#: ``"total"``: :math:`A = (Z^d + Z^m)\hat x^{-1}`, the competitive-imports total
#: coefficients (imports treated as if produced at home).
#: ``"bureau"``: :math:`A = (Z^d + Z^m)(\widehat{x + m})^{-1}`, the convention of the
#: Bureau of National Statistics of Kazakhstan (its table 9): flows divided by
#: output plus imports of the column product.
IMPORT_CONVENTIONS = ("domestic", "total", "bureau")
#: :meth:`IOTable.with_coefficients` updates the parent's dense factorisation (Woodbury) instead of
#: factorising anew when at most ``n // LOW_RANK_SHARE`` columns change (at least one); beyond that a
#: fresh LU is cheaper than the ``k`` extra solves and the ``k x k`` capacitance of the update.
LOW_RANK_SHARE = 10

ImportConvention = Literal["domestic", "total", "bureau"]


class _FlowsOperator:
    r"""``apply(X, trans)``: :math:`(I-A)X = X - Z(\hat x^{-1}X)` or :math:`(I-A)'X = X - \hat x^{-1}(Z'X)`.

    Products with the flows and :math:`1/x` only (no ``n x n`` array formed); picklable.
    """

    def __init__(self, flows: np.ndarray, inv: np.ndarray) -> None:
        self.flows, self.inv = flows, inv

    def __call__(self, X: np.ndarray, trans: bool) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        s = self.inv[:, None] if X.ndim == 2 else self.inv
        return X - s * (self.flows.T @ X) if trans else X - self.flows @ (s * X)


@dataclass(frozen=True)
class TableMeta:
    """Metadata that travels with a table and every result made from it.

    Attributes
    ----------
    name
        Short name, e.g. ``"Kazakhstan 2024"``.
    year
        Reference year of the table.
    currency
        ISO currency code, e.g. ``"KZT"``.
    unit
        Unit of every monetary block, e.g. ``"thousand KZT"``.
    price_basis
        ``"basic prices"`` for symmetric tables of the SNA.
    source
        Where the figures come from (publisher, title, date).
    import_convention
        One of :data:`IMPORT_CONVENTIONS`.
    satellite_units
        Unit of each satellite row, e.g. ``{"employment": "thousand persons"}``.
    notes
        Free-form provenance notes (transformations, assumptions).
    sector_names
        Readable names of sectors by label, e.g. ``{"061": "Crude petroleum"}``,
        what figures and reports show instead of the label; a sector without
        a name is shown by its label (:meth:`sector_name`). Every key must be
        a sector of the table.
    tax_names
        Readable names of taxes by id, e.g. ``{"CIT": "Corporate income tax
        (state budget)"}``: the table's tax rows and the other taxes its
        results report (taxes on consumption, the taxes of a fiscal account);
        a tax without a name is shown by its id (:meth:`tax_name`).

    Examples
    --------
    >>> meta = TableMeta(name="demo", sector_names={"061": "Crude petroleum"})
    >>> meta.sector_name("061"), meta.sector_name("062"), meta.tax_name("CIT")
    ('Crude petroleum', '062', 'CIT')
    """

    name: str = "unnamed table"
    year: int | None = None
    currency: str = ""
    unit: str = "currency units"
    price_basis: str = "basic prices"
    source: str = ""
    import_convention: ImportConvention = "domestic"
    satellite_units: Mapping[str, str] = field(default_factory=frozendict)
    notes: Mapping[str, str] = field(default_factory=frozendict)
    sector_names: Mapping[str, str] = field(default_factory=frozendict)
    tax_names: Mapping[str, str] = field(default_factory=frozendict)

    def __post_init__(self) -> None:
        # read-only mappings: a cached table's metadata cannot be changed by a caller
        for name in ("satellite_units", "notes", "sector_names", "tax_names"):
            value = getattr(self, name)
            if not isinstance(value, Mapping):
                raise ValidationError(f"TableMeta.{name} must be a mapping, got {type(value).__name__}")
            object.__setattr__(self, name, frozendict({str(k): str(v) for k, v in value.items()}))
        for name in ("sector_names", "tax_names"):
            blank = [k for k, v in getattr(self, name).items() if not v.strip()]
            if blank:
                raise ValidationError(f"TableMeta.{name}: empty name(s) for {blank[:10]}; leave a label out instead")

    def sector_name(self, label: Any) -> str:
        """The readable name of a sector: :attr:`sector_names`, else the label itself."""
        return self.sector_names.get(str(label), str(label))

    def tax_name(self, tax: Any) -> str:
        """The readable name of a tax: :attr:`tax_names`, else its id."""
        return self.tax_names.get(str(tax), str(tax))

    def attrs(self) -> dict[str, Any]:
        """Flat attributes for xarray results (netCDF-safe)."""
        return {
            "table": self.name,
            "table_year": self.year if self.year is not None else "",
            "currency": self.currency,
            "table_unit": self.unit,
            "price_basis": self.price_basis,
            "source": self.source,
            "import_convention": self.import_convention,
        }


def _index(labels: Iterable[Any], name: str, what: str) -> pd.Index:
    idx = pd.Index(list(labels), name=name)
    if idx.has_duplicates:
        dup = idx[idx.duplicated()].unique().tolist()
        raise LabelError(f"{what}: duplicated labels {dup}")
    return idx


def _frozen(a: np.ndarray, copy: bool = True) -> np.ndarray:
    """A read-only float array; without ``copy`` the caller's float64 buffer is taken over."""
    a = np.array(a, dtype=float, copy=True) if copy else np.asarray(a, dtype=float)
    a.flags.writeable = False
    return a


def _check_finite(arr: np.ndarray, block: str, rows: pd.Index, cols: pd.Index | None) -> None:
    ok = np.isfinite(arr)
    if ok.all():
        return
    pos = np.argwhere(~ok)[0]
    where = f"row {rows[pos[0]]!r}" + (f", column {cols[pos[1]]!r}" if cols is not None else "")
    raise ValidationError(f"{block} has {int((~ok).sum())} NaN or infinite value(s), first at {where}")


def _check_nonneg(arr: np.ndarray, block: str, rows: pd.Index, cols: pd.Index | None) -> None:
    neg = arr < 0
    if not neg.any():
        return
    pos = np.argwhere(neg)[0]
    where = f"row {rows[pos[0]]!r}" + (f", column {cols[pos[1]]!r}" if cols is not None else "")
    raise ValidationError(
        f"{block} has {int(neg.sum())} negative value(s), first {arr[tuple(pos)]:.6g} at {where}; "
        "flows must be non-negative"
    )


def _as_frame(obj: Any, what: str) -> pd.DataFrame:
    if isinstance(obj, pd.Series):
        return obj.to_frame()
    if isinstance(obj, pd.DataFrame):
        return obj
    raise ValidationError(f"{what} must be a pandas DataFrame or Series, got {type(obj).__name__}")


def _check_labels(labels: pd.Index, what: str) -> None:
    """Refuse labels a table cannot take: a MultiIndex or tuples (one label per row or column).

    Raises
    ------
    LabelError
        Names the block and axis, the first label and how to flatten them.
    """
    flatten = "flatten them to one label each first, e.g. df.index = ['/'.join(map(str, t)) for t in df.index]"
    if isinstance(labels, pd.MultiIndex):
        first = labels[0] if len(labels) else ()
        raise LabelError(
            f"{what}: MultiIndex labels ({labels.nlevels} levels, first {first!r}) are not supported; {flatten}"
        )
    if labels.dtype == object:
        first = next((v for v in labels if isinstance(v, tuple)), None)
        if first is not None:
            raise LabelError(f"{what}: tuple label {first!r} is not supported; {flatten}")


def _is_missing(value: Any) -> bool:
    """None, NaN or pandas' NA: reported by the finiteness check, not as a type."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _check_numeric(df: pd.DataFrame, what: str, one_dim: bool) -> None:
    """Refuse cells that are not real numbers: text, booleans, dates, complex numbers.

    Columns of a numeric dtype pass at the cost of a look at their dtype;
    object and text columns are checked cell by cell. Missing cells pass here
    and are reported by the finiteness check of the table.

    Raises
    ------
    ValidationError
        Names the block, the row and column labels and the value.
    """

    def where(i: int, j: int) -> str:
        return f"row {df.index[i]!r}" + ("" if one_dim else f", column {df.columns[j]!r}")

    def complex_error(i: int, j: int, value: Any) -> ValidationError:
        value = value.item() if isinstance(value, np.generic) else value
        return ValidationError(
            f"{what} holds complex numbers, first {value!r} at {where(i, j)}; a table is real and the imaginary "
            "part would be lost: pass the real part explicitly (e.g. df.apply(np.real)) if it is meaningless"
        )

    kinds = [getattr(dtype, "kind", "O") for dtype in df.dtypes]
    complex_cols = [j for j, kind in enumerate(kinds) if kind == "c"]
    if complex_cols:  # name the first cell with an imaginary part, else the first complex cell
        nonzero = np.argwhere(np.imag(df.iloc[:, complex_cols].to_numpy()) != 0)
        i, k = (int(nonzero[0][0]), int(nonzero[0][1])) if len(nonzero) else (0, 0)
        raise complex_error(i, complex_cols[k], df.iloc[i, complex_cols[k]])
    for j, kind in enumerate(kinds):
        if kind in "iuf":
            continue
        cells = df.iloc[:, j].to_numpy(dtype=object)
        for i, value in enumerate(cells):
            if _is_missing(value) or (
                isinstance(value, numbers.Real | Decimal) and not isinstance(value, bool | np.bool_)
            ):
                continue
            if isinstance(value, numbers.Complex) and not isinstance(value, bool | np.bool_):
                raise complex_error(i, j, value)
            shown = value.item() if isinstance(value, np.generic) else value
            raise ValidationError(
                f"{what} holds non-numeric values: {shown!r} ({type(value).__name__}) at {where(i, j)}; "
                "every cell must be a real number"
            )


def _block(obj: Any, what: str, *, one_dim: bool = False) -> pd.DataFrame:
    """A block given to :meth:`IOTable.from_flows` as a DataFrame, with its labels and cells checked.

    A Series is one column (``one_dim``: a vector by sector, whose messages name only the row).
    """
    if one_dim and isinstance(obj, pd.DataFrame) and obj.shape[1] == 1:
        obj = obj.iloc[:, 0]
    if one_dim and not isinstance(obj, pd.Series):
        raise ValidationError(f"{what} must be a pandas Series by sector, got {type(obj).__name__}")
    df = _as_frame(obj, what)
    _check_labels(df.index, f"{what} rows")
    if not one_dim:
        _check_labels(df.columns, f"{what} columns")
    _check_numeric(df, what, one_dim)
    return df


def _aligned(df: pd.DataFrame, rows: pd.Index | None, cols: pd.Index | None, what: str) -> np.ndarray:
    """Reorder ``df`` to ``rows`` x ``cols`` and refuse anything that does not line up."""
    for axis, want in ((0, rows), (1, cols)):
        if want is None:
            continue
        have = df.index if axis == 0 else df.columns
        if have.has_duplicates:
            raise LabelError(f"{what}: duplicated {'row' if axis == 0 else 'column'} labels")
        missing = want.difference(have, sort=False)
        extra = have.difference(want, sort=False)
        if len(missing) or len(extra):
            side = "rows" if axis == 0 else "columns"
            raise LabelError(
                f"{what}: {side} do not line up with the sectors; "
                f"missing {missing.tolist()[:10]}, unknown {extra.tolist()[:10]}"
            )
    out = df
    if rows is not None and not df.index.equals(rows):
        out = out.reindex(index=rows)
    if cols is not None and not df.columns.equals(cols):
        out = out.reindex(columns=cols)
    try:
        return out.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{what} holds non-numeric values: {exc}") from None


@dataclass(frozen=True, eq=False, repr=False)
class TableArrays:
    r"""Read-only numpy view of an :class:`IOTable`'s blocks, for array code.

    Get it from :attr:`IOTable.arrays`; it is the one public way for other
    modules to reach the unlabelled arrays (kernels take arrays, the table
    converts at the boundary). No block is copied: every attribute is the
    table's own buffer with ``writeable=False``, in the order of
    :attr:`IOTable.sectors` (and of the categories, components, import rows,
    satellites and taxes of the table).

    Attributes
    ----------
    Z
        ``(n, n)`` domestic intermediate flows, row sells to column.
    final_demand
        ``(n, c)`` domestic final demand by category.
    value_added
        ``(v, n)`` value-added components.
    imports
        ``(m, n)`` imported intermediate inputs (``m = n`` for an import-use
        matrix, 1 for a single ``imports`` row, 0 for none).
    imports_final
        ``(m, c)`` imports used by final demand.
    product_taxes
        ``(n,)`` net taxes on products paid on intermediate use.
    satellites
        ``(k, n)`` satellite accounts.
    taxes
        ``(t, n)`` budget revenue by tax.
    output
        ``(n,)`` gross output :math:`x`.
    inv_output
        ``(n,)`` :math:`1/x`, computed once per table and cached; a sector with
        zero output raises :class:`~iomodel.errors.ValidationError` naming it.
    A
        ``(n, n)`` technical coefficients under the table's import convention
        (see :data:`IMPORT_CONVENTIONS`), computed once per table and cached.
        On a large table this forms and keeps a dense ``n x n`` array
        (``8 n**2`` bytes) that :meth:`IOTable.factor` itself avoids; prefer
        ``Z``, ``inv_output`` and the factorisation where they suffice.

    Examples
    --------
    >>> import iomodel as iom
    >>> a = iom.datasets.miller_blair().arrays
    >>> a.A
    array([[0.15, 0.25],
           [0.2 , 0.05]])
    >>> a.inv_output
    array([0.001 , 0.0005])
    >>> a.Z.flags.writeable
    False
    """

    Z: np.ndarray
    final_demand: np.ndarray
    value_added: np.ndarray
    imports: np.ndarray
    imports_final: np.ndarray
    product_taxes: np.ndarray
    satellites: np.ndarray
    taxes: np.ndarray
    output: np.ndarray
    _table: IOTable

    @property
    def inv_output(self) -> np.ndarray:
        """:math:`1/x` (read-only, cached by the table)."""
        return self._table._inv_output()

    @property
    def A(self) -> np.ndarray:
        """Technical coefficients under the import convention (read-only, cached by the table)."""
        return self._table._coefficients_array()

    def __repr__(self) -> str:
        blocks = (
            "Z",
            "final_demand",
            "value_added",
            "imports",
            "imports_final",
            "product_taxes",
            "satellites",
            "taxes",
            "output",
        )
        shapes = ", ".join(f"{name}={getattr(self, name).shape}" for name in blocks)
        return f"<TableArrays of {self._table.meta.name!r}: {shapes}>"


class IOTable:
    r"""An immutable input-output table with satellite accounts.

    Build it with :meth:`from_flows` (labelled pandas blocks) or a reader in
    :mod:`iomodel.io`; load the shipped tables with :mod:`iomodel.datasets`.

    Examples
    --------
    The two-sector example of Miller & Blair (2009), chapter 2:

    >>> import pandas as pd
    >>> import iomodel as iom
    >>> s = ["agriculture", "manufacturing"]
    >>> Z = pd.DataFrame([[150, 500], [200, 100]], index=s, columns=s)
    >>> f = pd.DataFrame({"households": [350, 1700]}, index=s)
    >>> va = pd.DataFrame([[650, 1400]], index=["compensation"], columns=s)
    >>> t = iom.IOTable.from_flows(Z, f, va, name="Miller & Blair 2.3")
    >>> t.A.round(2)
    sector_to      agriculture  manufacturing
    sector
    agriculture           0.15           0.25
    manufacturing         0.20           0.05
    >>> t.leontief_inverse().round(4)
    sector_to      agriculture  manufacturing
    sector
    agriculture         1.2541          0.330
    manufacturing       0.2640          1.122
    """

    __slots__ = (
        "_F",
        "_M",
        "_MF",
        "_S",
        "_T",
        "_V",
        "_Z",
        "_cache",
        "_categories",
        "_components",
        "_economy",
        "_import_rows",
        "_indicators",
        "_meta",
        "_sectors",
        "_tax_names",
        "_tp",
        "_x",
    )

    # ------------------------------------------------------------------ build
    def __init__(
        self,
        *,
        sectors: pd.Index,
        categories: pd.Index,
        components: pd.Index,
        Z: np.ndarray,
        F: np.ndarray,
        V: np.ndarray,
        x: np.ndarray,
        import_rows: pd.Index | None = None,
        M: np.ndarray | None = None,
        MF: np.ndarray | None = None,
        product_taxes: np.ndarray | None = None,
        indicators: pd.Index | None = None,
        S: np.ndarray | None = None,
        tax_names: pd.Index | None = None,
        T: np.ndarray | None = None,
        meta: TableMeta | None = None,
        economy: Economy | None = None,
        copy: bool = True,
    ) -> None:
        n = len(sectors)
        self._sectors = _index(sectors, dims.SECTOR, "sectors")
        self._categories = _index(categories, dims.CATEGORY, "final-demand categories")
        self._components = _index(components, dims.COMPONENT, "value-added components")
        self._import_rows = _index(import_rows if import_rows is not None else [], "import", "imports")
        self._indicators = _index(indicators if indicators is not None else [], dims.INDICATOR, "satellites")
        self._tax_names = _index(tax_names if tax_names is not None else [], dims.TAX, "taxes")
        c, v, m, k, t = (
            len(self._categories),
            len(self._components),
            len(self._import_rows),
            len(self._indicators),
            len(self._tax_names),
        )
        shapes = {
            "Z": (Z, (n, n)),
            "final_demand": (F, (n, c)),
            "value_added": (V, (v, n)),
            "output": (x, (n,)),
            "imports": (M if M is not None else np.zeros((m, n)), (m, n)),
            "imports_final": (MF if MF is not None else np.zeros((m, c)), (m, c)),
            "product_taxes": (product_taxes if product_taxes is not None else np.zeros(n), (n,)),
            "satellites": (S if S is not None else np.zeros((k, n)), (k, n)),
            "taxes": (T if T is not None else np.zeros((t, n)), (t, n)),
        }
        for name, (arr, shape) in shapes.items():
            if np.shape(arr) != shape:
                raise ValidationError(f"{name} has shape {np.shape(arr)}, expected {shape}")
        self._Z = _frozen(Z, copy)
        self._F = _frozen(F)
        self._V = _frozen(V)
        self._x = _frozen(x)
        self._M = _frozen(shapes["imports"][0])
        self._MF = _frozen(shapes["imports_final"][0])
        self._tp = _frozen(shapes["product_taxes"][0])
        self._S = _frozen(shapes["satellites"][0])
        self._T = _frozen(shapes["taxes"][0])
        meta = meta or TableMeta()
        if meta.import_convention not in IMPORT_CONVENTIONS:
            raise ValidationError(
                f"unknown import convention {meta.import_convention!r}; valid options are {list(IMPORT_CONVENTIONS)}"
            )
        self._meta = meta
        if economy is not None and not isinstance(economy, Economy):
            raise ValidationError(f"economy must be an iomodel.Economy, got {type(economy).__name__}")
        self._economy = economy
        self._cache: dict[str, Any] = {}
        self._validate_structure()

    def _validate_structure(self) -> None:
        s = self._sectors
        _check_finite(self._Z, "Z (intermediate flows)", s, s)
        _check_finite(self._F, "final_demand", s, self._categories)
        _check_finite(self._V, "value_added", self._components, s)
        _check_finite(self._x, "output", s, None)
        _check_finite(self._M, "imports", self._import_rows, s)
        _check_finite(self._MF, "imports_final", self._import_rows, self._categories)
        _check_finite(self._tp, "product_taxes", s, None)
        _check_finite(self._S, "satellites", self._indicators, s)
        _check_finite(self._T, "taxes", self._tax_names, s)
        _check_nonneg(self._Z, "Z (intermediate flows)", s, s)
        _check_nonneg(self._M, "imports", self._import_rows, s)
        _check_nonneg(self._S, "satellites", self._indicators, s)
        neg = self._x < 0
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise ValidationError(f"output of sector {s[i]!r} is negative ({self._x[i]:.6g})")
        if len(self._import_rows) > 1 and not self._import_rows.equals(self._sectors):
            raise LabelError(
                "imports must be a single row or an import-use matrix whose rows are the sectors; "
                f"got rows {self._import_rows.tolist()[:5]}..."
            )
        missing = set(self._meta.satellite_units).difference(self._indicators)
        if missing:
            raise LabelError(f"satellite_units names unknown satellites {sorted(missing)}")
        unknown = set(self._meta.sector_names).difference(map(str, self._sectors))
        if unknown:
            raise LabelError(
                f"sector_names names unknown sector(s) {sorted(unknown)[:10]}; valid labels are e.g. "
                f"{[str(s) for s in self._sectors[:8]]}"
            )

    @classmethod
    def from_flows(
        cls,
        Z: pd.DataFrame,
        final_demand: pd.DataFrame | pd.Series,
        value_added: pd.DataFrame | pd.Series,
        *,
        output: pd.Series | None = None,
        imports: pd.DataFrame | pd.Series | None = None,
        imports_final: pd.DataFrame | None = None,
        product_taxes: pd.Series | None = None,
        satellites: pd.DataFrame | None = None,
        satellite_units: Mapping[str, str] | None = None,
        taxes: pd.DataFrame | None = None,
        name: str = "unnamed table",
        year: int | None = None,
        currency: str = "",
        unit: str = "currency units",
        price_basis: str = "basic prices",
        source: str = "",
        import_convention: ImportConvention = "domestic",
        notes: Mapping[str, str] | None = None,
        sector_names: Mapping[str, str] | None = None,
        tax_names: Mapping[str, str] | None = None,
        check: bool = True,
        rtol: float = 1e-6,
        copy: bool = True,
    ) -> IOTable:
        """Build a table from labelled pandas blocks.

        Parameters
        ----------
        Z
            Square DataFrame of domestic intermediate flows, row sells to column;
            its index and columns are the sector labels (same set, same order
            after alignment).
        final_demand
            Domestic final demand, sectors x categories (a Series is one category).
        value_added
            Components x sectors (a Series is one component named by its name).
        output
            Gross output by sector. Default: row sums of ``Z`` and final demand.
        imports
            Imported intermediate inputs: an import-use DataFrame (products x
            sectors, same labels as ``Z``), or a Series by using sector (a single
            primary-input row ``"imports"``).
        imports_final
            Imports used by final demand, products x categories (only with an
            import-use matrix).
        product_taxes
            Net taxes on products paid on intermediate use, by using sector.
        satellites
            Indicators x sectors (e.g. ``"employment"``), non-negative.
        satellite_units
            Unit of each satellite row.
        taxes
            Budget revenue by tax x sector, in the table's currency unit.
        name, year, currency, unit, price_basis, source, import_convention, notes, sector_names, tax_names
            Metadata (:class:`TableMeta`).
        check
            Run :meth:`check` (accounting identities and productivity).
        rtol
            Relative tolerance of the identities.
        copy
            ``False`` lets the table take over the float64 buffer of ``Z``
            when no reordering is needed, instead of copying it (large
            tables); the buffer is then made read-only, so the caller must
            not need to write to ``Z`` afterwards.

        Returns
        -------
        IOTable

        Raises
        ------
        LabelError
            Labels are duplicated, blocks do not line up, or labels are a
            :class:`pandas.MultiIndex` or tuples: every row and column takes
            one label, so flatten a MultiIndex first (e.g.
            ``df.index = ["/".join(map(str, t)) for t in df.index]``); nothing
            is flattened silently.
        ValidationError
            An empty table (no sectors); a cell that is not a real number
            (text, booleans, dates, and complex numbers, which are refused
            rather than cut to their real part); NaN, infinite or negative
            flows; shapes; unbalanced accounts. The message names the block
            and the row and column labels.
        NotProductiveError
            The coefficient matrix has spectral radius >= 1.

        Examples
        --------
        Bad input is refused with the block and the labels:

        >>> s = ["a", "b"]
        >>> Z = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=s, columns=s)
        >>> IOTable.from_flows(Z.astype(complex) + 1j, pd.DataFrame({"f": [9.0, 9.0]}, index=s), Z)
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        iomodel.errors.ValidationError: Z holds complex numbers, first (1+1j) at row 'a', column 'a'; ...
        >>> Zm = Z.set_axis(pd.MultiIndex.from_tuples([("x", "a"), ("x", "b")]), axis=0)
        >>> IOTable.from_flows(Zm, pd.DataFrame({"f": [9.0, 9.0]}, index=s), Z)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        iomodel.errors.LabelError: Z rows: MultiIndex labels (2 levels, first ('x', 'a')) are not supported; flatten ...
        """
        Z = _block(Z, "Z")
        if Z.shape[0] == 0:
            raise ValidationError(
                f"Z has no sectors (shape {Z.shape}): an input-output table needs at least one sector"
            )
        sectors = _index(Z.index, dims.SECTOR, "Z rows")
        cols = pd.Index(Z.columns)
        if len(cols) != len(sectors) or set(cols) != set(sectors):
            raise LabelError(
                f"Z must be square with the same labels on rows and columns; got {Z.shape[0]} rows "
                f"and {Z.shape[1]} columns, column labels not in rows: "
                f"{cols.difference(sectors).tolist()[:10]}"
            )
        Zv = _aligned(Z, sectors, sectors, "Z")
        F = _block(final_demand, "final_demand")
        Fv = _aligned(F, sectors, None, "final_demand")
        categories = pd.Index(F.columns)
        V = _block(value_added.to_frame().T if isinstance(value_added, pd.Series) else value_added, "value_added")
        Vv = _aligned(V, None, sectors, "value_added")
        components = pd.Index(V.index)

        import_rows = None
        Mv = MFv = None
        if imports is not None:
            if isinstance(imports, pd.Series):
                import_rows = pd.Index(["imports"])
                Mv = _aligned(_block(imports, "imports", one_dim=True).T, None, sectors, "imports")
                if imports_final is not None:
                    raise ValidationError("imports_final needs an import-use matrix, not a single imports row")
            else:
                import_rows = sectors
                Mv = _aligned(_block(imports, "imports"), sectors, sectors, "imports")
                if imports_final is not None:
                    MFv = _aligned(_block(imports_final, "imports_final"), sectors, categories, "imports_final")
        elif imports_final is not None:
            raise ValidationError("imports_final given without imports")

        tp = (
            None
            if product_taxes is None
            else _aligned(
                _block(product_taxes, "product_taxes", one_dim=True).T, None, sectors, "product_taxes"
            ).ravel()
        )
        indicators = S = None
        if satellites is not None:
            sat = _block(satellites, "satellites")
            indicators, S = pd.Index(sat.index), _aligned(sat, None, sectors, "satellites")
        tax_rows = T = None
        if taxes is not None:
            tx = _block(taxes, "taxes")
            tax_rows, T = pd.Index(tx.index), _aligned(tx, None, sectors, "taxes")
        if output is None:
            xv = Zv.sum(axis=1) + Fv.sum(axis=1)
        else:
            xv = _aligned(_block(output, "output", one_dim=True), sectors, None, "output").ravel()

        meta = TableMeta(
            name=name,
            year=year,
            currency=currency,
            unit=unit,
            price_basis=price_basis,
            source=source,
            import_convention=import_convention,
            satellite_units=dict(satellite_units or {}),
            notes=dict(notes or {}),
            sector_names=dict(sector_names or {}),
            tax_names=dict(tax_names or {}),
        )
        table = cls(
            sectors=sectors,
            categories=categories,
            components=components,
            Z=Zv,
            F=Fv,
            V=Vv,
            x=xv,
            import_rows=import_rows,
            M=Mv,
            MF=MFv,
            product_taxes=tp,
            indicators=indicators,
            S=S,
            tax_names=tax_rows,
            T=T,
            meta=meta,
            copy=copy,
        )
        if check:
            table.check(rtol=rtol)
        return table

    def _replace(self, **changes: Any) -> IOTable:
        """A new table with some internal blocks changed (validated again)."""
        kw: dict[str, Any] = dict(
            sectors=self._sectors,
            categories=self._categories,
            components=self._components,
            Z=self._Z,
            F=self._F,
            V=self._V,
            x=self._x,
            import_rows=self._import_rows,
            M=self._M,
            MF=self._MF,
            product_taxes=self._tp,
            indicators=self._indicators,
            S=self._S,
            tax_names=self._tax_names,
            T=self._T,
            meta=self._meta,
            economy=self._economy,
        )
        kw.update(changes)
        return IOTable(**kw)

    # ------------------------------------------------------------- accessors
    @property
    def meta(self) -> TableMeta:
        """Metadata (:class:`TableMeta`)."""
        return self._meta

    @property
    def sectors(self) -> pd.Index:
        """Sector labels."""
        return self._sectors

    @property
    def n(self) -> int:
        """Number of sectors."""
        return len(self._sectors)

    @property
    def categories(self) -> pd.Index:
        """Final-demand categories."""
        return self._categories

    def _df(self, arr: np.ndarray, index: pd.Index, columns: pd.Index) -> pd.DataFrame:
        return pd.DataFrame(arr, index=index, columns=columns, copy=False)

    @property
    def Z(self) -> pd.DataFrame:
        """Domestic intermediate flows (sector x sector_to)."""
        return self._df(self._Z, self._sectors, self._sectors.rename(dims.SECTOR_TO))

    @property
    def final_demand(self) -> pd.DataFrame:
        """Domestic final demand (sector x category)."""
        return self._df(self._F, self._sectors, self._categories)

    @property
    def value_added(self) -> pd.DataFrame:
        """Value-added block (component x sector_to)."""
        return self._df(self._V, self._components, self._sectors.rename(dims.SECTOR_TO))

    @property
    def gva(self) -> pd.Series:
        """Gross value added by sector (sum of the value-added components)."""
        return pd.Series(self._V.sum(axis=0), index=self._sectors, name="gva")

    @property
    def imports(self) -> pd.DataFrame:
        """Imported intermediate inputs (import-use matrix or one ``imports`` row)."""
        return self._df(self._M, self._import_rows, self._sectors.rename(dims.SECTOR_TO))

    @property
    def imports_final(self) -> pd.DataFrame:
        """Imports used by final demand (product x category)."""
        return self._df(self._MF, self._import_rows, self._categories)

    @property
    def has_import_use(self) -> bool:
        """Whether imports come as an import-use matrix (products x sectors)."""
        return len(self._import_rows) > 1 or (len(self._import_rows) == 1 and self._import_rows.equals(self._sectors))

    @property
    def total_imports(self) -> pd.Series:
        """Total imports of each product (intermediate plus final), import-use tables only."""
        if not self.has_import_use:
            raise ValidationError(f"table {self._meta.name!r} has no import-use matrix: imports by product are unknown")
        return pd.Series(self._M.sum(axis=1) + self._MF.sum(axis=1), index=self._sectors, name="imports")

    @property
    def product_taxes(self) -> pd.Series:
        """Net taxes on products paid on intermediate use, by using sector."""
        return pd.Series(self._tp, index=self._sectors, name="product_taxes")

    @property
    def satellites(self) -> pd.DataFrame:
        """Satellite accounts (indicator x sector_to)."""
        return self._df(self._S, self._indicators, self._sectors.rename(dims.SECTOR_TO))

    @property
    def taxes(self) -> pd.DataFrame:
        """Budget revenue by tax attributed to each sector's production (tax x sector_to)."""
        return self._df(self._T, self._tax_names, self._sectors.rename(dims.SECTOR_TO))

    @property
    def output(self) -> pd.Series:
        """Gross output ``x`` by sector."""
        return pd.Series(self._x, index=self._sectors, name="output")

    x = output

    @property
    def arrays(self) -> TableArrays:
        """Read-only numpy view of every block, without copies (:class:`TableArrays`).

        The public array interface for modules that compute on arrays: use
        ``table.arrays.A``, ``table.arrays.inv_output`` and so on rather than
        converting the pandas properties.
        """
        if "arrays" not in self._cache:
            self._cache["arrays"] = TableArrays(
                Z=self._Z,
                final_demand=self._F,
                value_added=self._V,
                imports=self._M,
                imports_final=self._MF,
                product_taxes=self._tp,
                satellites=self._S,
                taxes=self._T,
                output=self._x,
                _table=self,
            )
        return self._cache["arrays"]

    def __repr__(self) -> str:
        m = self._meta
        parts = [f"{self.n} sectors", f"{len(self._categories)} final-demand categories"]
        if len(self._indicators):
            parts.append("satellites " + ", ".join(map(str, self._indicators)))
        if len(self._tax_names):
            parts.append(f"{len(self._tax_names)} taxes")
        return (
            f"<IOTable {m.name!r} ({m.year or 'no year'}, {m.unit}, {m.price_basis}, "
            f"{m.import_convention} imports): " + "; ".join(parts) + ">"
        )

    # --------------------------------------------------------- coefficients
    def _divisor(self) -> np.ndarray:
        if self._meta.import_convention == "bureau":
            return self._x + self.total_imports.to_numpy()
        return self._x

    def _flows_for_convention(self) -> np.ndarray:
        conv = self._meta.import_convention
        if conv == "domestic":
            return self._Z
        if not self.has_import_use:
            raise ValidationError(
                f"import convention {conv!r} needs an import-use matrix; table {self._meta.name!r} has none"
            )
        return self._Z + self._M

    def _new_coefficients(self) -> np.ndarray:
        """A fresh (writable, uncached) coefficient array under the import convention."""
        try:
            return la.technical_coefficients(self._flows_for_convention(), self._divisor())
        except ValidationError as exc:
            raise self._relabel(exc) from None

    def _coefficients_array(self) -> np.ndarray:
        if "A" not in self._cache:
            A = self._new_coefficients()
            A.flags.writeable = False
            self._cache["A"] = A
        return self._cache["A"]

    def _column_sums(self) -> np.ndarray:
        """Column sums of ``A`` without forming it."""
        flows = self._flows_for_convention()
        try:
            inv = la.reciprocal(self._divisor())
        except ValidationError as exc:
            raise self._relabel(exc) from None
        return flows.sum(axis=0) * inv

    @property
    def A(self) -> pd.DataFrame:
        """Technical coefficients under the table's import convention (sector x sector_to)."""
        return self._df(self._coefficients_array(), self._sectors, self._sectors.rename(dims.SECTOR_TO))

    def coefficients(self, block: str) -> pd.DataFrame:
        """Coefficients per unit of output of a row block.

        Parameters
        ----------
        block
            ``"value_added"``, ``"satellites"``, ``"taxes"``, ``"imports"`` or
            ``"product_taxes"``.

        Returns
        -------
        pandas.DataFrame
            The block divided column-wise by gross output.
        """
        getters = {
            "value_added": self.value_added,
            "satellites": self.satellites,
            "taxes": self.taxes,
            "imports": self.imports,
            "product_taxes": self.product_taxes.to_frame().T,
        }
        if block not in getters:
            raise LabelError(f"unknown block {block!r}; valid options are {sorted(getters)}")
        df = getters[block]
        inv = self._inv_output()
        return pd.DataFrame(df.to_numpy() * inv[np.newaxis, :], index=df.index, columns=df.columns)

    def _inv_output(self) -> np.ndarray:
        """:math:`1/x`, computed once and cached read-only; a zero output raises naming the sector."""
        if "inv_output" not in self._cache:
            try:
                inv = la.reciprocal(self._x)
            except ValidationError as exc:
                raise self._relabel(exc) from None
            inv.flags.writeable = False
            self._cache["inv_output"] = inv
        return self._cache["inv_output"]

    def _relabel(self, exc: ValidationError) -> ValidationError:
        """Translate kernel positions into sector labels in a new error of the same type."""
        if not exc.positions:
            return exc
        labels = [self._sectors[i] for i in exc.positions if i < self.n]
        msg = str(exc)
        for pos_text in (str(list(exc.positions)),):
            msg = msg.replace(f"position(s) {pos_text}", f"sector(s) {labels}")
        return type(exc)(f"table {self._meta.name!r}: {msg}", positions=exc.positions)

    def factor(
        self, method: la.Method = "auto", *, warm: la.KrylovSolver | None = None
    ) -> la.LeontiefFactor | la.KrylovSolver:
        """The solver of ``I - A``, computed once per table and method.

        Parameters
        ----------
        method
            ``"auto"`` (default): an LU below
            :data:`~iomodel.linalg.KRYLOV_MIN_SIZE` sectors (every shipped
            table); on larger dense tables a matrix-free
            :class:`~iomodel.linalg.KrylovSolver` that solves calls of at most
            ``n // KRYLOV_RHS_SHARE`` right-hand sides by GMRES and larger
            ones through an LU built then (:func:`iomodel.linalg.use_krylov`);
            on large sparse ones GMRES on a sparse ``I - A``.
            ``"lu"``: always the LU. ``"krylov"``: always GMRES (the LU is
            built only for :attr:`L`, or when GMRES stalls, with an
            :class:`~iomodel.errors.IOModelWarning`). ``"dense"``,
            ``"splu"``, ``"gmres"``: as :func:`iomodel.linalg.factorize`.
            The Krylov solver forms neither ``A`` nor ``L``: its products
            use the stored flows and :math:`1/x`.
        warm
            A Krylov solver of a nearby table (e.g. the previous draw of a
            Monte Carlo run) whose solutions start this one's GMRES
            (:meth:`~iomodel.linalg.KrylovSolver.warm_start`); ignored by the LU.

        Raises
        ------
        NotProductiveError
            Names the sectors whose coefficient column sums reach one.

        Examples
        --------
        >>> import iomodel as iom
        >>> t = iom.datasets.miller_blair()
        >>> t.factor().method, t.factor("krylov").method
        ('dense', 'krylov')
        >>> t.factor("krylov").solve_transposed(np.ones(2)).round(6)
        array([1.518152, 1.452145])
        """
        flows = self._flows_for_convention()
        chosen = la.choose_method(flows, method)  # A has the sparsity pattern of the flows
        key = f"factor:{method}"
        if key not in self._cache:
            same = [f"factor:{m}" for m in ("auto", "lu", chosen) if chosen in ("dense", "splu", "gmres")]
            reuse = next((self._cache[k] for k in same if k in self._cache and self._cache[k].method == chosen), None)
            if reuse is not None:
                self._cache[key] = reuse
            elif chosen == "krylov":
                self._cache[key] = self._krylov(flows, auto=method == "auto")
            else:
                self._cache[key] = self._direct_factor(flows, chosen)
        out = self._cache[key]
        if warm is not None and isinstance(out, la.KrylovSolver):
            out.warm_start(warm)
        return out

    def _direct_factor(self, flows: np.ndarray, chosen: str) -> la.LeontiefFactor | la.KrylovSolver:
        """An LU (``"dense"``, ``"splu"``) or sparse-GMRES factor of ``I - A``."""
        if chosen != "dense":
            # sparse path: coefficients straight from the non-zeros of the flows, no dense A
            try:
                inv = la.reciprocal(self._divisor())
            except ValidationError as exc:
                raise self._relabel(exc) from None
            r, c = np.nonzero(flows)
            A = sp.csr_array((flows[r, c] * inv[c], (r, c)), shape=(self.n, self.n))
            own = False
        else:
            # dense path: coefficients in a scratch buffer that the LU overwrites, so a
            # large table holds Z and the LU factors only (no cached A)
            A = self._cache.get("A")
            own = A is None
            if own:
                A = self._new_coefficients()
        try:
            return la.factorize(
                A,
                method=chosen,  # type: ignore[arg-type]
                overwrite_a=own,
                check=not self._cache.get("productive", False),
                apply=self._apply_I_minus_A,
            )
        except ValidationError as exc:
            raise self._relabel(exc) from None

    def _krylov(self, flows: np.ndarray, *, auto: bool) -> la.KrylovSolver:
        """A matrix-free solver: products with the flows and ``1/x``, no ``n x n`` array formed."""
        try:
            inv = la.reciprocal(self._divisor())
            if not self._cache.get("productive", False):
                la.check_productive_matrix_free(flows.sum(axis=0) * inv, self._apply_I_minus_A)
        except ValidationError as exc:
            raise self._relabel(exc) from None

        max_rhs = max(1, self.n // la.KRYLOV_RHS_SHARE) if auto else None
        return la.KrylovSolver(n=self.n, apply=_FlowsOperator(flows, inv), fallback=self._lu, max_rhs=max_rhs)

    def _lu(self) -> la.LeontiefFactor:
        """The LU of ``I - A`` (:meth:`factor` with ``"lu"``), what a Krylov solver falls back to."""
        fac = self.factor("lu")
        if not isinstance(fac, la.LeontiefFactor):  # pragma: no cover - "lu" is a direct factorisation
            raise TypeError(f"expected an LU, got {type(fac).__name__}")
        return fac

    def _apply_I_minus_A(self, X: np.ndarray, trans: bool) -> np.ndarray:
        """:math:`(I-A)X` or :math:`(I-A)'X` from the stored flows (no ``n x n`` temporary for domestic tables)."""
        inv = self._inv_output() if self._meta.import_convention != "bureau" else 1.0 / self._divisor()
        flows = self._flows_for_convention()
        X = np.asarray(X, dtype=float)
        if trans:
            return X - (inv[:, None] * (flows.T @ X)) if X.ndim == 2 else X - inv * (flows.T @ X)
        return X - flows @ (inv[:, None] * X if X.ndim == 2 else inv * X)

    def leontief_inverse(self) -> pd.DataFrame:
        """The Leontief inverse ``L = (I - A)^-1``, formed on request (sector x sector_to)."""
        return self._df(self.factor().inverse(), self._sectors, self._sectors.rename(dims.SECTOR_TO))

    L = property(leontief_inverse, doc="Alias of :meth:`leontief_inverse`.")

    def require_domestic(self, what: str) -> None:
        """Raise unless the table uses the domestic import convention.

        Ghosh, extraction and household closure assume ``x = L f`` with the
        domestic flows; under the ``total`` or ``bureau`` conventions that
        identity does not hold.
        """
        if self._meta.import_convention != "domestic":
            raise ValidationError(
                f"{what} needs the domestic import convention (x = L f); table {self._meta.name!r} uses "
                f"{self._meta.import_convention!r}: call .with_import_convention('domestic')"
            )

    def ghosh_inverse(self) -> pd.DataFrame:
        r"""Ghosh inverse :math:`G = \hat x^{-1} L \hat x` (docs/math.md)."""
        self.require_domestic("the Ghosh inverse")
        G = la.ghosh_inverse(self.factor().inverse(), self._x)
        return self._df(G, self._sectors, self._sectors.rename(dims.SECTOR_TO))

    def solve(self, final_demand: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
        """Output ``x = L f`` for a labelled final-demand vector or matrix.

        Labels must be sectors of the table; missing sectors count as zero
        demand, unknown labels raise :class:`LabelError`.

        Examples
        --------
        >>> import iomodel as iom
        >>> t = iom.datasets.miller_blair()
        >>> t.solve(pd.Series({"agriculture": 600.0, "manufacturing": 1500.0})).round(2)
        sector
        agriculture      1247.52
        manufacturing    1841.58
        Name: output, dtype: float64
        """
        f = self.align_demand(final_demand)
        x = self.factor().solve(f.to_numpy())
        if isinstance(f, pd.Series):
            return pd.Series(x, index=self._sectors, name="output")
        return pd.DataFrame(x, index=self._sectors, columns=f.columns)

    def align_demand(self, demand: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
        """Reindex a demand vector to the table's sectors; unknown labels raise.

        Missing sectors are zero demand: that is what an impact vector means.
        """
        if not isinstance(demand, pd.Series | pd.DataFrame):
            raise ValidationError(f"demand must be a pandas Series or DataFrame, got {type(demand).__name__}")
        unknown = pd.Index(demand.index).difference(self._sectors)
        if len(unknown):
            raise LabelError(
                f"unknown sector label(s) {unknown.tolist()[:10]} for table {self._meta.name!r}; "
                f"valid labels are e.g. {self._sectors.tolist()[:8]}"
            )
        if pd.Index(demand.index).has_duplicates:
            raise LabelError("demand has duplicated sector labels")
        try:
            given = demand.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"demand holds non-numeric values: {exc}") from None
        if not np.all(np.isfinite(given)):
            raise ValidationError("demand holds NaN or infinite values")
        return demand.astype(float).reindex(self._sectors, fill_value=0.0)

    # ----------------------------------------------------- household closure
    def household_vectors(self, closure: HouseholdClosure | None = None) -> tuple[np.ndarray, np.ndarray, float]:
        r"""The households row :math:`h_R`, column :math:`h_C` and :math:`h` for Type II.

        See :class:`HouseholdClosure` for the two conventions.
        """
        closure = closure or HouseholdClosure()
        self.require_domestic("the household closure (Type II)")
        if closure.income not in self._components:
            raise LabelError(
                f"income component {closure.income!r} not in value added; valid options are {self._components.tolist()}"
            )
        if closure.consumption not in self._categories:
            raise LabelError(
                f"household category {closure.consumption!r} not in final demand; "
                f"valid options are {self._categories.tolist()}"
            )
        W = self._V[self._components.get_loc(closure.income)]
        h_R = W * self._inv_output()
        c_dom = self._F[:, self._categories.get_loc(closure.consumption)]
        if closure.mpc is None:
            total_income = W.sum()
            if total_income <= 0:
                raise ValidationError(f"total {closure.income!r} is {total_income:.6g}; cannot close for households")
            h_C = c_dom / total_income
        else:
            c_all = c_dom.sum()
            if self.has_import_use:
                c_all += self._MF[:, self._categories.get_loc(closure.consumption)].sum()
            if c_all <= 0:
                raise ValidationError("household consumption is not positive; cannot close for households")
            tau = sum(closure.consumption_taxes.values())
            h_C = closure.spending_per_income / (1.0 + tau) * c_dom / c_all
        return h_R, h_C, float(closure.h)

    def closed(self, closure: HouseholdClosure | None = None, method: la.Method = "auto") -> la.ClosedLeontief:
        """The model closed for households, from the cached open solver of ``method`` (see :meth:`factor`)."""
        closure = closure or HouseholdClosure()
        key = f"closed:{closure}" if method == "auto" else f"closed:{closure}:{method}"
        if key not in self._cache:
            h_R, h_C, h = self.household_vectors(closure)
            self._cache[key] = la.close_households(self.factor(method), h_R, h_C, h)
        return self._cache[key]

    # --------------------------------------------------------------- checks
    def balance(self) -> pd.DataFrame:
        """Row and column discrepancies of the accounting identities.

        Returns
        -------
        pandas.DataFrame
            Columns ``output``, ``row_total``, ``column_total``, ``row_gap``,
            ``column_gap`` by sector (gaps = total - output).
        """
        row = self._Z.sum(axis=1) + self._F.sum(axis=1)
        col = self._Z.sum(axis=0) + self._M.sum(axis=0) + self._tp + self._V.sum(axis=0)
        return pd.DataFrame(
            {
                "output": self._x,
                "row_total": row,
                "column_total": col,
                "row_gap": row - self._x,
                "column_gap": col - self._x,
            },
            index=self._sectors,
        )

    def check(self, *, rtol: float = 1e-6, productive: bool = True, outliers: float | None = 20.0) -> IOTable:
        r"""Verify the accounting identities and productivity; return the table.

        Parameters
        ----------
        rtol
            Tolerance relative to each sector's output (or, for a sector with
            zero output, to the largest output of the table).
        productive
            Also verify that the coefficient matrix is productive.
        outliers
            Band factor :math:`k` for jobs per unit of output: where the table
            has an ``employment`` satellite, sectors whose employment per unit
            of output :math:`r_j = e_j / x_j` lies outside
            :math:`[\tilde r / k,\ k \tilde r]`, with :math:`\tilde r` the
            median over sectors with positive employment and output, are named
            in an :class:`~iomodel.errors.IOModelWarning` with their values (a
            unit slip, or a section total split to the wrong products). The
            default 20 leaves genuine differences in labour intensity alone:
            the Kazakhstan 2024 table ranges from 1/7 to 14 times its median.
            ``None`` skips the test.

        Raises
        ------
        ValidationError
            Names the sector whose row or column does not balance, or has zero
            output; ``outliers`` not above 1.
        NotProductiveError
            Names the sectors whose coefficient column sums reach one.

        Examples
        --------
        >>> import warnings
        >>> import pandas as pd
        >>> jobs = pd.DataFrame([[30.0, 60.0, 1.0]], index=["employment"], columns=["a", "b", "c"])
        >>> t = IOTable.from_flows(pd.DataFrame(0.0, jobs.columns, jobs.columns),
        ...                        pd.DataFrame({"households": [100.0, 100.0, 100.0]}, index=jobs.columns),
        ...                        pd.DataFrame([[100.0, 100.0, 100.0]], index=["compensation"], columns=jobs.columns),
        ...                        satellites=jobs, satellite_units={"employment": "persons"}, name="t",
        ...                        unit="thousand KZT", check=False)
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     _ = t.check()
        >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
        table 't': employment per unit of output lies more than a factor 20 from its median 0.3 persons per
        thousand KZT for sector(s) {'c': 0.01} (1/30 times the median); check the employment row (units,
        split to products)
        """
        b = self.balance()
        scale = np.maximum(np.abs(self._x), max(float(np.abs(self._x).max()) * 1e-12, np.finfo(float).tiny))
        for kind, what in (
            ("row", "intermediate plus final use"),
            ("column", "inputs plus imports, product taxes and value added"),
        ):
            with np.errstate(over="ignore"):  # a gap over a near-zero output is an infinite relative gap
                rel = np.abs(b[f"{kind}_gap"].to_numpy()) / scale
            if (rel > rtol).any():
                i = int(np.argmax(rel))
                raise ValidationError(
                    f"table {self._meta.name!r} is unbalanced: {kind} of sector {self._sectors[i]!r}: "
                    f"{what} = {b[f'{kind}_total'].iloc[i]:.10g} but output = {self._x[i]:.10g} "
                    f"(relative gap {rel[i]:.3g} > rtol {rtol:g}); "
                    f"{int((rel > rtol).sum())} sector(s) fail"
                )
        if productive:
            colsum = self._column_sums()
            if colsum.size and colsum.max() >= 1.0:
                try:
                    la.check_productive(self._new_coefficients())
                except NotProductiveError as exc:
                    raise self._relabel(exc) from None
            self._cache["productive"] = True
            high = np.flatnonzero(colsum >= 1.0)
            if len(high):
                warnings.warn(
                    f"table {self._meta.name!r}: coefficient column sums at or above 1 for sector(s) "
                    f"{[self._sectors[i] for i in high]} (negative value added?); the matrix is "
                    "still productive",
                    IOModelWarning,
                    stacklevel=2,
                )
        if outliers is not None:
            if not (np.isfinite(outliers) and outliers > 1.0):
                raise ValidationError(f"outliers must be a band factor above 1 (or None), got {outliers}")
            if "employment" in self._indicators:
                e = self._S[self._indicators.get_loc("employment")]
                ok = np.flatnonzero((e > 0) & (self._x > 0))
                r = e[ok] / self._x[ok]
                med = float(np.median(r)) if len(r) else 0.0
                far = np.flatnonzero((r > outliers * med) | (r * outliers < med))
                if len(far):
                    vals = {str(self._sectors[ok[i]]): float(f"{r[i]:.4g}") for i in far}
                    how = ", ".join(f"{r[i] / med:.3g}" if r[i] > med else f"1/{med / r[i]:.3g}" for i in far)
                    su = self._meta.satellite_units.get("employment", "jobs")
                    warnings.warn(
                        f"table {self._meta.name!r}: employment per unit of output lies more than a factor "
                        f"{outliers:g} from its median {med:.4g} {su} per {self._meta.unit or 'unit'} for "
                        f"sector(s) {vals} ({how} times the median); check the employment row (units, split to "
                        "products)",
                        IOModelWarning,
                        stacklevel=2,
                    )
        return self

    @property
    def economy(self) -> Economy | None:
        """The country facts that travel with the table (:class:`~iomodel.Economy`), or ``None``.

        Evaluations (:func:`iomodel.impact`, :func:`iomodel.multipliers` of
        Type II, the fiscal accounts) use it when no economy is passed; a
        table without one runs in :meth:`iomodel.Economy.neutral`.
        """
        return self._economy

    def with_economy(self, economy: Economy | None) -> IOTable:
        """The same table with an :class:`~iomodel.Economy` attached (``None`` detaches it)."""
        table = self._replace(economy=economy)
        # same blocks: the factorisation and cached coefficients stay valid
        table._cache.update({k: v for k, v in self._cache.items() if not k.startswith("closed:")})
        return table

    # ---------------------------------------------------------- new tables
    def with_meta(self, **changes: Any) -> IOTable:
        """A copy with metadata fields changed (see :class:`TableMeta`)."""
        return self._replace(meta=replace(self._meta, **changes))

    def rest_scale(self, A: ArrayLike) -> np.ndarray:
        r"""Factor on each column's rest (imports, product taxes, value added) under coefficients ``A``.

        :math:`r_j = (1 - \sum_i a^*_{ij}) / (1 - \sum_i a_{ij})`, so that with
        :math:`Z^* = A^* \hat x` and the rest scaled by :math:`r_j` every column
        still sums to output (:meth:`with_coefficients`). ``A`` may be one
        ``(n, n)`` matrix or a stack ``(d, n, n)``; the result has shape
        ``(n,)`` or ``(d, n)``.

        Raises
        ------
        NotProductiveError
            A column of ``A`` sums to one or more (the sector, and the
            variant of a stack, are named).
        ValidationError
            A column with no rest in the table gains one.
        """
        self.require_domestic("rest_scale")
        A = np.asarray(A, dtype=float)
        old = 1.0 - self._Z.sum(axis=0) * self._inv_output()
        new = 1.0 - A.sum(axis=-2)
        bad = ~(new > 0)
        if bad.any():
            pos = np.argwhere(np.atleast_2d(bad))[0]
            var = f"variant {int(pos[0])}: " if A.ndim == 3 else ""
            j = int(pos[-1])
            total = 1.0 - float(np.atleast_2d(new)[tuple(pos)])
            raise NotProductiveError(
                f"{var}the coefficients of sector {self._sectors[j]!r} sum to {total:.6g} >= 1: its inputs would "
                "exceed its output",
                positions=[j],
            )
        none = np.isclose(old, 0.0, atol=1e-12)
        gains = none & ~np.isclose(new, 0.0, atol=1e-12)
        if gains.any():
            j = int(np.argwhere(np.atleast_2d(gains))[0][-1])
            raise ValidationError(
                f"sector {self._sectors[j]!r} has no imports, taxes or value added to rescale, but its new "
                "coefficients leave a rest"
            )
        return np.where(none, 1.0, new / np.where(none, 1.0, old))

    def with_coefficients(self, A: pd.DataFrame | ArrayLike, *, name: str | None = None) -> IOTable:
        r"""The table with another technology: coefficients ``A`` and the same outputs.

        The flows become :math:`Z^* = A^* \hat x`; the rest of each column
        (imports, product taxes, value-added components) keeps its
        composition and is rescaled by :meth:`rest_scale`, so every column
        still sums to output. Satellite and tax coefficients per unit of
        output are kept, and so is final demand: the rows of the new table no
        longer add up to output, because what changed is the technology, not
        the year's flows. Multipliers and impacts use coefficients only; use
        :meth:`with_final_demand` afterwards for a table whose rows balance.
        This is how :mod:`iomodel.sensitivity` builds each draw of a perturbed
        table (METHODS.md 6.1).

        When only a few columns change and this table already holds its dense
        factorisation, the new table solves through a low-rank (Woodbury)
        update of it instead of a new LU (:func:`iomodel.linalg.update_columns`,
        METHODS.md 6.3).

        Parameters
        ----------
        A
            ``(n, n)`` coefficients, a DataFrame labelled like :attr:`A` (rows
            and columns aligned by label) or an array in the order of
            :attr:`sectors`; finite and non-negative.
        name
            Name of the new table (default: this table's).

        Examples
        --------
        >>> import iomodel as iom
        >>> t = iom.datasets.miller_blair()
        >>> A = t.A.copy()
        >>> A.loc["manufacturing", "agriculture"] = 0.25
        >>> t2 = t.with_coefficients(A)
        >>> t2.Z.round(1)
        sector_to      agriculture  manufacturing
        sector
        agriculture          150.0          500.0
        manufacturing        250.0          100.0
        >>> t2.value_added.sum().round(1).tolist()   # the columns still sum to output
        [600.0, 1400.0]
        """
        self.require_domestic("with_coefficients")
        if isinstance(A, pd.DataFrame):
            arr = _aligned(A, self._sectors, self._sectors, "coefficients A")
        else:
            arr = np.array(A, dtype=float)
            if arr.shape != (self.n, self.n):
                raise ValidationError(f"coefficients A must have shape ({self.n}, {self.n}), got {arr.shape}")
        _check_finite(arr, "coefficients A", self._sectors, self._sectors)
        _check_nonneg(arr, "coefficients A", self._sectors, self._sectors)
        try:
            r = self.rest_scale(arr)
        except ValidationError as exc:
            raise self._relabel(exc) from None
        Z = arr * self._x[None, :]
        meta = self._meta if name is None else replace(self._meta, name=name)
        new = self._replace(Z=Z, M=self._M * r, product_taxes=self._tp * r, V=self._V * r, meta=meta)
        parent = self._cache.get("factor:auto")
        if parent is not None and parent.method == "dense":
            changed = np.flatnonzero((arr != self._coefficients_array()).any(axis=0))
            if 0 < len(changed) <= max(1, self.n // LOW_RANK_SHARE):
                D = arr[:, changed] - self._coefficients_array()[:, changed]
                try:
                    new._cache["factor:auto"] = la.update_columns(parent, changed, D, apply=new._apply_I_minus_A)
                except ValidationError as exc:
                    raise new._relabel(exc) from None
        return new

    def with_import_convention(self, convention: ImportConvention) -> IOTable:
        """The same table read under another import convention (:data:`IMPORT_CONVENTIONS`)."""
        return self.with_meta(import_convention=convention)

    def with_satellites(
        self, satellites: pd.DataFrame, units: Mapping[str, str] | None = None, *, replace_all: bool = False
    ) -> IOTable:
        """Add or replace satellite rows (indicator x sector).

        Parameters
        ----------
        satellites
            New rows; existing rows of the same name are replaced.
        units
            Units of the new rows.
        replace_all
            Drop every existing satellite first.
        """
        new = _as_frame(satellites, "satellites")
        indicators, S = self._merge_rows(self._indicators, self._S, new, replace_all, "satellites")
        su = {} if replace_all else dict(self._meta.satellite_units)
        su.update(units or {})
        su = {k: v for k, v in su.items() if k in indicators}
        return self._replace(indicators=indicators, S=S, meta=replace(self._meta, satellite_units=su))

    def _merge_rows(
        self, names: pd.Index, arr: np.ndarray, new: pd.DataFrame, replace_all: bool, what: str
    ) -> tuple[pd.Index, np.ndarray]:
        new_arr = _aligned(new, None, self._sectors, what)
        keep = np.zeros(len(names), dtype=bool) if replace_all else ~names.isin(new.index)
        merged = names[keep].append(pd.Index(new.index))
        return _index(merged, names.name, what), np.vstack([arr[keep], new_arr])

    def with_taxes(self, taxes: pd.DataFrame, *, replace_all: bool = False) -> IOTable:
        """Add or replace tax rows (tax x sector), in the table's currency unit."""
        indicators, T = self._merge_rows(self._tax_names, self._T, _as_frame(taxes, "taxes"), replace_all, "taxes")
        return self._replace(tax_names=indicators, T=T)

    def with_final_demand(self, final_demand: pd.DataFrame | pd.Series) -> IOTable:
        r"""The table that the same technology produces for another final demand.

        Output becomes :math:`x^* = L f^*`; every column block (flows, imports,
        product taxes, value added, satellites, taxes) is rescaled with its
        coefficient, :math:`Z^* = A \hat x^*` and so on (fixed coefficients,
        Miller & Blair 2009, ch. 2). Imports in final demand are kept.

        Parameters
        ----------
        final_demand
            Sectors x categories (a Series is one category named by its name);
            categories may differ from the original ones.
        """
        if self._meta.import_convention != "domestic":
            raise ValidationError("with_final_demand needs the domestic import convention")
        F = _as_frame(final_demand, "final_demand")
        Fv = _aligned(F, self._sectors, None, "final_demand")
        x_new = self.factor().solve(Fv.sum(axis=1))
        if (x_new < -1e-9 * max(1.0, np.abs(x_new).max())).any():
            i = int(np.argmin(x_new))
            raise ValidationError(f"final demand implies negative output for sector {self._sectors[i]!r}")
        scale = x_new * self._inv_output()
        cats = pd.Index(F.columns)
        MF = self._MF if cats.equals(self._categories) else np.zeros((len(self._import_rows), len(cats)))
        return self._replace(
            categories=cats,
            F=Fv,
            x=x_new,
            Z=self._Z * scale,
            M=self._M * scale,
            MF=MF,
            product_taxes=self._tp * scale,
            V=self._V * scale,
            S=self._S * scale,
            T=self._T * scale,
        )

    def aggregate(self, mapping: Mapping[Any, Any] | pd.Series | pd.DataFrame, *, name: str | None = None) -> IOTable:
        r"""Aggregate sectors by a concordance.

        Parameters
        ----------
        mapping
            Many-to-one: a dict or Series ``sector -> group`` covering every
            sector. Weighted: a DataFrame ``group x sector`` whose columns each
            sum to 1 (a sector may be split across groups).
        name
            Name of the new table (default: the old name plus ``"(aggregated)"``).

        Returns
        -------
        IOTable
            :math:`Z^* = C Z C'`, :math:`F^* = C F`, row blocks :math:`V C'`,
            :math:`x^* = C x`; totals are preserved. Sector names
            (:attr:`TableMeta.sector_names`) are kept for a group that is one
            sector under its own label; other groups are named by their label
            (name them with ``.with_meta(sector_names=...)``).

        Raises
        ------
        LabelError
            A sector is missing from the mapping or unknown.
        """
        C, groups = self._concordance(mapping)
        CT = C.T
        imp_rows = self._import_rows
        if self.has_import_use:
            M, MF, imp_rows = C @ self._M @ CT, C @ self._MF, groups
        else:
            M, MF = self._M @ CT, self._MF
        # a group that is one sector under its own label keeps its name; other groups are named by their label
        own = {
            str(g): self._meta.sector_names[str(g)]
            for i, g in enumerate(groups)
            if str(g) in self._meta.sector_names
            and g in self._sectors
            and np.count_nonzero(C[i]) == 1
            and C[i, self._sectors.get_loc(g)] == 1.0
        }
        meta = replace(self._meta, name=name or f"{self._meta.name} (aggregated)", sector_names=own)
        return self._replace(
            sectors=groups,
            Z=C @ self._Z @ CT,
            F=C @ self._F,
            V=self._V @ CT,
            x=C @ self._x,
            import_rows=imp_rows,
            M=M,
            MF=MF,
            product_taxes=self._tp @ CT,
            S=self._S @ CT,
            T=self._T @ CT,
            meta=meta,
        )

    def _concordance(self, mapping: Any) -> tuple[np.ndarray, pd.Index]:
        if isinstance(mapping, pd.DataFrame):
            C_df = mapping
            unknown = pd.Index(C_df.columns).difference(self._sectors)
            missing = self._sectors.difference(C_df.columns)
            if len(unknown) or len(missing):
                raise LabelError(
                    f"concordance columns: unknown sectors {unknown.tolist()[:10]}, "
                    f"missing sectors {missing.tolist()[:10]}"
                )
            C = C_df.reindex(columns=self._sectors).to_numpy(dtype=float)
            if not np.all(np.isfinite(C)) or (C < 0).any():
                raise ValidationError("concordance weights must be finite and non-negative")
            colsum = C.sum(axis=0)
            bad = np.flatnonzero(np.abs(colsum - 1.0) > 1e-9)
            if len(bad):
                raise ValidationError(
                    f"concordance weights of sector {self._sectors[bad[0]]!r} sum to {colsum[bad[0]]:.6g}, not 1"
                )
            return C, _index(C_df.index, dims.SECTOR, "concordance groups")
        m = pd.Series(mapping) if not isinstance(mapping, pd.Series) else mapping
        unknown = pd.Index(m.index).difference(self._sectors)
        missing = self._sectors.difference(m.index)
        if len(unknown) or len(missing):
            raise LabelError(
                f"mapping: unknown sectors {unknown.tolist()[:10]}, sectors without a group {missing.tolist()[:10]}"
            )
        m = m.reindex(self._sectors)
        groups = pd.Index(pd.unique(m.to_numpy()), name=dims.SECTOR)
        C = (m.to_numpy()[np.newaxis, :] == groups.to_numpy()[:, np.newaxis]).astype(float)
        return C, groups

    def select(self, sectors: Iterable[Any], *, name: str | None = None) -> IOTable:
        """The sub-table of some sectors, with the rest of the economy moved outside.

        Purchases of the kept sectors from dropped ones become a value-added
        row ``inputs_from_outside`` (like imports from the rest of the
        economy); their sales to dropped sectors become a final-demand category
        ``sales_outside``. Imports of dropped products used by kept sectors are
        added to ``inputs_from_outside`` too. Every identity of the kept
        sectors still holds, so the sub-table can be analysed on its own (an
        enclave or a cluster as a closed system).

        Raises
        ------
        LabelError
            Unknown or duplicated sector labels.
        """
        keep_labels = list(sectors)
        unknown = [s for s in keep_labels if s not in self._sectors]
        if unknown:
            raise LabelError(f"unknown sector label(s) {unknown}; valid labels are e.g. {self._sectors.tolist()[:8]}")
        if len(set(keep_labels)) != len(keep_labels):
            raise LabelError("duplicated sector labels in the selection")
        k = self._sectors.get_indexer(keep_labels)
        drop = np.setdiff1d(np.arange(self.n), k)
        outside_in = self._Z[np.ix_(drop, k)].sum(axis=0)
        M, MF, import_rows = self._M, self._MF, self._import_rows
        if self.has_import_use:
            outside_in = outside_in + self._M[np.ix_(drop, k)].sum(axis=0)
            M, MF, import_rows = self._M[np.ix_(k, k)], self._MF[k], self._sectors[k]
        else:
            M = self._M[:, k]
        V = np.vstack([self._V[:, k], outside_in[None, :]])
        components = self._components.append(pd.Index(["inputs_from_outside"]))
        F = np.column_stack([self._F[k], self._Z[np.ix_(k, drop)].sum(axis=1)])
        categories = self._categories.append(pd.Index(["sales_outside"]))
        if self.has_import_use:
            MF = np.column_stack([MF, np.zeros(len(k))])
        else:
            MF = np.zeros((len(import_rows), len(categories)))
        kept = {str(s) for s in keep_labels}
        meta = replace(
            self._meta,
            name=name or f"{self._meta.name} (selection)",
            sector_names={k: v for k, v in self._meta.sector_names.items() if k in kept},
        )
        return self._replace(
            sectors=self._sectors[k],
            categories=categories,
            components=components,
            Z=self._Z[np.ix_(k, k)],
            F=F,
            V=V,
            x=self._x[k],
            import_rows=import_rows,
            M=M,
            MF=MF,
            product_taxes=self._tp[k],
            S=self._S[:, k],
            T=self._T[:, k],
            meta=meta,
        )

    def select_final_demand(self, categories: Iterable[Any]) -> pd.Series:
        """Domestic final demand summed over some categories (unknown names raise)."""
        cats = list(categories)
        unknown = [c for c in cats if c not in self._categories]
        if unknown:
            raise LabelError(
                f"unknown final-demand categories {unknown}; valid options are {self._categories.tolist()}"
            )
        return self.final_demand[cats].sum(axis=1).rename("final_demand")

    # -------------------------------------------------------------- export
    def to_dataset(self):  # -> xr.Dataset
        """All blocks as one :class:`xarray.Dataset` (for netCDF interchange).

        Every monetary block carries the table's unit in ``attrs["units"]``;
        the satellites carry theirs in a ``units`` coordinate along
        ``indicator`` (``"unspecified"`` where the table has none). Satellite
        units, notes, sector names and tax names are also stored as JSON
        strings in ``attrs``.

        Examples
        --------
        >>> import iomodel as iom
        >>> ds = iom.datasets.miller_blair().to_dataset()
        >>> ds.Z.dims, ds.Z.attrs["units"]
        (('sector', 'sector_to'), 'dollars')
        """
        import xarray as xr

        s, st = self._sectors, self._sectors.rename(dims.SECTOR_TO)
        money = {"units": self._meta.unit}
        sat_units = [str(self._meta.satellite_units.get(k, "unspecified")) for k in self._indicators]
        ds = xr.Dataset(
            {
                "Z": ((dims.SECTOR, dims.SECTOR_TO), self._Z, money),
                "final_demand": ((dims.SECTOR, dims.CATEGORY), self._F, money),
                "value_added": ((dims.COMPONENT, dims.SECTOR_TO), self._V, money),
                "output": ((dims.SECTOR,), self._x, money),
                "product_taxes": ((dims.SECTOR_TO,), self._tp, money),
                "satellites": ((dims.INDICATOR, dims.SECTOR_TO), self._S),
                "taxes": ((dims.TAX, dims.SECTOR_TO), self._T, money),
                "imports": ((dims.IMPORT, dims.SECTOR_TO), self._M, money),
                "imports_final": ((dims.IMPORT, dims.CATEGORY), self._MF, money),
            },
            coords={
                dims.SECTOR: s.to_numpy(),
                dims.SECTOR_TO: st.to_numpy(),
                dims.CATEGORY: self._categories.to_numpy(),
                dims.COMPONENT: self._components.to_numpy(),
                dims.INDICATOR: self._indicators.to_numpy(),
                "units": (dims.INDICATOR, np.array(sat_units, dtype=str)),
                dims.TAX: self._tax_names.to_numpy(),
                dims.IMPORT: self._import_rows.to_numpy(),
            },
            attrs={
                **self._meta.attrs(),
                "satellite_units": json.dumps(dict(self._meta.satellite_units), ensure_ascii=False),
                "notes": json.dumps(dict(self._meta.notes), ensure_ascii=False),
                "sector_names": json.dumps(dict(self._meta.sector_names), ensure_ascii=False),
                "tax_names": json.dumps(dict(self._meta.tax_names), ensure_ascii=False),
            },
        )
        return ds

    # -------------------------------------------------------------- pymrio
    @property
    def sector_index(self) -> pd.MultiIndex:
        """The sector labels split into their levels, e.g. ``(region, product)`` of an MRIO.

        A table read with :meth:`from_pymrio` (whole MRIO) has flat labels
        ``"region/product"`` and records the level names in
        ``meta.notes["sector_levels"]``; this gives them back as a
        :class:`pandas.MultiIndex` in the order of :attr:`sectors`, for
        regrouping any result (``m.groupby(t.sector_index.get_level_values(0))``).

        Raises
        ------
        ValidationError
            The table has no sector levels, or a label does not split into
            them (e.g. a group of :meth:`aggregate`), naming the label.

        Examples
        --------
        >>> import pymrio, iomodel as iom
        >>> t = iom.IOTable.from_pymrio(pymrio.load_test())
        >>> t.sector_index[:2].tolist(), list(t.sector_index.names)
        ([('reg1', 'food'), ('reg1', 'mining')], ['region', 'product'])
        """
        names = _sector_level_names(self._meta)
        if not names:
            raise ValidationError(
                f"table {self._meta.name!r} has no sector levels (meta.notes['sector_levels']); "
                "only a whole MRIO read with IOTable.from_pymrio has them"
            )
        parts = [_split_label(s, len(names)) for s in self._sectors]
        bad = next((s for s, p in zip(self._sectors, parts, strict=True) if p is None), None)
        if bad is not None:
            raise ValidationError(f"sector {bad!r} of table {self._meta.name!r} does not split into {names}")
        return pd.MultiIndex.from_tuples(parts, names=names)

    def sector_coords(self) -> dict[str, np.ndarray]:
        """The levels of :attr:`sector_index` by name, or ``{}`` where the labels do not split.

        :func:`iomodel.multipliers` and the other results by sector carry
        them as non-dimension coordinates along ``sector`` (e.g. ``region``
        and ``product``), so ``m.groupby("region")`` works.
        """
        if "sector_coords" not in self._cache:
            names = _sector_level_names(self._meta)
            parts = [_split_label(s, len(names)) for s in self._sectors] if names else [None]
            self._cache["sector_coords"] = (
                {}
                if any(p is None for p in parts)
                else {
                    name: np.array([p[i] for p in parts if p is not None], dtype=object) for i, name in enumerate(names)
                }
            )
        return dict(self._cache["sector_coords"])

    @classmethod
    def from_pymrio(
        cls,
        io: Any,
        region: str | None = None,
        *,
        labels: Literal["flat", "multi"] = "flat",
        value_added: str | None = "factor_inputs",
        satellites: Iterable[str] | None = None,
        residual: str | None = "other_inputs",
        name: str | None = None,
        check: bool = True,
        rtol: float = 1e-6,
    ) -> IOTable:
        r"""A table from a :class:`pymrio.IOSystem` (EXIOBASE, OECD ICIO, Eora, ... as parsed by pymrio).

        The system is duck-typed: anything with ``Z`` and ``Y`` (or ``A``
        and ``x``, then :math:`Z = A\hat x`), optionally ``x``, ``unit``
        and extensions (``get_extensions()``, each with ``F`` and ``unit``)
        is read; pymrio itself is not imported.

        Parameters
        ----------
        io
            The pymrio system; rows and columns of ``Z`` are ``(region, sector)``
            pairs, columns of ``Y`` ``(region, category)`` pairs.
        region
            ``None``: the whole MRIO, one sector per ``(region, sector)``
            pair labelled ``"region/sector"`` (:attr:`sector_index` gives the
            pairs back, results carry ``region`` and ``product``
            coordinates) and one final-demand category per ``(region,
            category)`` pair, ``"region/category"``. A region name: that
            region's domestic table (see Notes).
        labels
            ``"flat"`` (the only one supported so far); ``"multi"`` raises
            and says what to use instead.
        value_added
            The extension whose rows become value-added components (default
            ``"factor_inputs"``, skipped when the system has none; ``"VA"``
            for Eora); ``None`` for none.
        satellites
            The extensions whose rows become satellites (default: every other
            extension); their ``unit`` gives the satellite units. Rows with
            several levels are named by joining them with ``"/"``.
        residual
            Name of the value-added component that takes each sector's
            output less its intermediate inputs, imports and value added,
            when these do not add up (inputs the system does not itemise,
            e.g. imports from outside a partial MRIO such as pymrio's test
            system); it is added only when needed, counts in the ``gva``
            multipliers, and its largest share of output is written in
            ``meta.notes``. ``None`` adds none: unbalanced columns are then
            refused by :meth:`check`.
        name
            Table name (default: the system's ``name``, plus the region).
        check, rtol
            As in :meth:`from_flows`.

        Returns
        -------
        IOTable

        Raises
        ------
        LabelError
            Unknown region (listing the regions), unknown extension (listing
            them), satellite names found in two extensions, a region name
            holding ``"/"``, or a component or category clashing with the
            names this method adds.
        ValidationError
            The system has no ``Y``, neither ``Z`` nor ``A`` and ``x``, its
            labels are not ``(region, sector)`` pairs, or any check of
            :meth:`from_flows` fails (negative flows or satellites, NaN).

        Notes
        -----
        A single region ``r`` is read as a domestic table under the
        ``"domestic"`` import convention:

        * ``Z``: deliveries of ``r``'s sectors to ``r``'s sectors;
        * ``imports`` (an import-use matrix, products x sectors of ``r``):
          deliveries of the other regions to ``r``'s sectors, summed over the
          regions of origin by product; ``imports_final`` the same for
          ``r``'s final demand;
        * ``final_demand``: ``r``'s own final-demand categories for ``r``'s
          products, plus a category ``exports_to_other_regions``: deliveries
          to the other regions' intermediate use and final demand;
        * value added and satellites: the columns of ``r``'s sectors.

        Final-demand accounts of the extensions (``F_Y``, e.g. household
        emissions) are not held by a table, whose accounts are by producing
        sector; their totals are recorded in ``meta.notes``. Source, the
        system's ``meta`` description and these conventions also go to
        ``meta.notes``.

        Examples
        --------
        >>> import pymrio, iomodel as iom
        >>> t = iom.IOTable.from_pymrio(pymrio.load_test())
        >>> t.n, t.sectors[9], t.meta.sector_name("reg2/mining")
        (48, 'reg2/mining', 'mining (reg2)')
        >>> r = iom.IOTable.from_pymrio(pymrio.load_test(), "reg2")
        >>> r.n, r.categories[-1], r.has_import_use
        (8, 'exports_to_other_regions', True)
        >>> iom.IOTable.from_pymrio(pymrio.load_test(), "reg9")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        iomodel.errors.LabelError: unknown region 'reg9' in pymrio system 'testmrio'; regions are ['reg1', ...
        """
        if labels != "flat":
            if labels == "multi":
                raise ValidationError(
                    "from_pymrio(labels='multi') is not supported yet: a table takes one label per sector; "
                    "use labels='flat' (labels 'region/sector') and IOTable.sector_index for the MultiIndex"
                )
            raise ValidationError(f"unknown labels {labels!r}; valid options are 'flat', 'multi'")
        sys_name = str(getattr(io, "name", None) or "pymrio system")
        Z, Y, x = _pymrio_core(io, sys_name)
        regions = pd.Index(Z.index.get_level_values(0)).unique()
        notes: dict[str, str] = {"source": f"pymrio system {sys_name!r}"}
        description = getattr(getattr(io, "meta", None), "description", None)
        if description:
            notes["pymrio description"] = str(description)
        exts = _pymrio_extensions(io)
        if value_added is not None and value_added not in exts and value_added != "factor_inputs":
            raise LabelError(
                f"value_added: no extension {value_added!r} in pymrio system {sys_name!r}; extensions are {list(exts)}"
            )
        va_ext = exts.get(value_added) if value_added is not None else None
        if satellites is None:
            sat_names = [e for e in exts if e != value_added]
        else:
            sat_names = [satellites] if isinstance(satellites, str) else list(satellites)
            unknown = [e for e in sat_names if e not in exts]
            if unknown:
                raise LabelError(
                    f"satellites: no extension(s) {unknown} in pymrio system {sys_name!r}; extensions are {list(exts)}"
                )

        if region is None:
            bad = [str(r) for r in regions if "/" in str(r)]
            if bad:
                raise LabelError(f"region name(s) {bad} hold '/', which separates region and sector in flat labels")
            cols = Z.columns
            sectors = pd.Index([_flat(t) for t in Z.index], name=dims.SECTOR)
            Zv = Z.to_numpy(dtype=float)
            Fv = Y.to_numpy(dtype=float)
            categories = pd.Index([_flat(t) for t in Y.columns])
            xv = x.to_numpy(dtype=float)
            Mv = MFv = None
            sector_names = {s: f"{t[1]} ({t[0]})" for s, t in zip(sectors, Z.index, strict=True)}
            notes["sector_levels"] = "region/product"
            notes["category_levels"] = "region/category"
            table_name = name or sys_name
        else:
            if region not in regions:
                raise LabelError(
                    f"unknown region {region!r} in pymrio system {sys_name!r}; regions are {regions.tolist()}"
                )
            own = Z.index.get_level_values(0) == region
            own_y = Y.columns.get_level_values(0) == region
            cols = Z.columns[own]
            sectors = pd.Index(Z.index.get_level_values(1)[own], name=dims.SECTOR)
            Zv = Z.to_numpy(dtype=float)[np.ix_(own, own)]
            Yv = Y.to_numpy(dtype=float)
            Fv = Yv[np.ix_(own, own_y)]
            categories = pd.Index(Y.columns.get_level_values(1)[own_y])
            export_cat = "exports_to_other_regions"
            if export_cat in categories:
                raise LabelError(f"final-demand category {export_cat!r} of region {region!r} clashes with exports")
            exports = Z.to_numpy(dtype=float)[np.ix_(own, ~own)].sum(axis=1) + Yv[np.ix_(own, ~own_y)].sum(axis=1)
            Fv = np.column_stack([Fv, exports])
            categories = categories.append(pd.Index([export_cat]))
            by_product = pd.Index(Z.index.get_level_values(1)[~own])
            unknown_p = by_product.difference(sectors).unique().tolist()
            if unknown_p:
                raise LabelError(
                    f"products {unknown_p[:10]} delivered to region {region!r} by other regions are not sectors of "
                    f"{region!r}: an import-use matrix needs the region's own product list"
                )
            imp = pd.DataFrame(Z.to_numpy(dtype=float)[np.ix_(~own, own)], index=by_product)
            Mv = imp.groupby(level=0, sort=False).sum().reindex(sectors, fill_value=0.0).to_numpy()
            impf = pd.DataFrame(Yv[np.ix_(~own, own_y)], index=by_product)
            MFv = np.column_stack(
                [
                    impf.groupby(level=0, sort=False).sum().reindex(sectors, fill_value=0.0).to_numpy(),
                    np.zeros(len(sectors)),
                ]
            )
            xv = x.to_numpy(dtype=float)[own]
            sector_names = {}
            notes["region"] = (
                f"region {region!r} of the MRIO: Z its domestic flows, imports the other regions' deliveries by "
                f"product, final demand its own categories plus {export_cat!r} (deliveries to the other regions' "
                "intermediate use and final demand)"
            )
            table_name = name or f"{sys_name} {region}"

        # value added and satellites: the columns of the table's sectors
        components: list[str] = []
        V_rows: list[np.ndarray] = []
        if va_ext is not None:
            va_names, va_arr, _, fy = _pymrio_rows(va_ext, value_added or "", cols, sys_name)
            components += va_names
            V_rows += list(va_arr)
            if fy:
                notes[f"{value_added}.F_Y"] = fy
        sat_rows: list[str] = []
        S_rows: list[np.ndarray] = []
        sat_units: dict[str, str] = {}
        origin: dict[str, str] = {}
        for ext_name in sat_names:
            names_, arr, units_, fy = _pymrio_rows(exts[ext_name], ext_name, cols, sys_name)
            clash = [s for s in names_ if s in origin]
            if clash:
                raise LabelError(
                    f"satellite(s) {clash[:5]} found in extensions {origin[clash[0]]!r} and {ext_name!r}; "
                    "choose extensions with satellites=[...]"
                )
            origin.update(dict.fromkeys(names_, ext_name))
            sat_rows += names_
            S_rows += list(arr)
            sat_units.update(units_)
            if fy:
                notes[f"{ext_name}.F_Y"] = fy
        V = np.array(V_rows, dtype=float).reshape(len(components), len(sectors))
        gap = xv - Zv.sum(axis=0) - V.sum(axis=0) - (Mv.sum(axis=0) if Mv is not None else 0.0)
        scale = np.maximum(np.abs(xv), 1.0)
        if residual is not None and (np.abs(gap) > 1e-9 * scale).any():
            if residual in components:
                raise LabelError(f"residual {residual!r} clashes with a value-added component of {value_added!r}")
            share = np.abs(gap) / scale
            i = int(np.argmax(share))
            components.append(residual)
            V = np.vstack([V, gap[None, :]])
            notes[residual] = (
                "output less intermediate inputs, imports and value added of each sector (inputs the pymrio system "
                f"does not itemise); largest share of output {share[i]:.4g} in sector {sectors[i]!r}"
            )
        unit_df = getattr(io, "unit", None)
        unit = "currency units"
        if isinstance(unit_df, pd.DataFrame) and unit_df.shape[1] >= 1 and len(unit_df):
            found = pd.unique(unit_df.iloc[:, 0].astype(str).to_numpy())
            unit = str(found[0]) if len(found) == 1 else " | ".join(map(str, found))
        year = getattr(io, "year", None)
        sat_df = pd.DataFrame(np.array(S_rows, dtype=float).reshape(len(sat_rows), len(sectors)), sat_rows, sectors)
        return cls.from_flows(
            pd.DataFrame(Zv, sectors, sectors),
            pd.DataFrame(Fv, sectors, categories),
            pd.DataFrame(V, pd.Index(components), sectors),
            output=pd.Series(xv, sectors),
            imports=None if Mv is None else pd.DataFrame(Mv, sectors, sectors),
            imports_final=None if MFv is None else pd.DataFrame(MFv, sectors, categories),
            satellites=sat_df if sat_rows else None,
            satellite_units=sat_units,
            name=table_name,
            year=int(year)
            if isinstance(year, numbers.Integral) or (isinstance(year, str) and year.isdigit())
            else None,
            unit=unit,
            source=f"pymrio system {sys_name!r}",
            notes=notes,
            sector_names=sector_names,
            check=check,
            rtol=rtol,
        )

    def to_pymrio(self, region: str | None = None):  # -> pymrio.IOSystem
        """The table as a :class:`pymrio.IOSystem` with ``Z``, ``Y`` and its accounts as extensions.

        A table with sector levels (a whole MRIO from :meth:`from_pymrio`)
        gets its ``(region, sector)`` pairs back, and its ``(region,
        category)`` pairs when every category splits into two (else its
        categories go to one region named as below); any other table, or any
        table when ``region`` is given, is one region named ``region``
        (default the table's name). Extensions: ``factor_inputs`` holds the value-added
        components, a row ``product_taxes`` (when the table has any) and its
        imports (rows ``imports`` or ``imports/<product>``, imports of final
        demand in ``F_Y``); ``satellites`` the satellites with their units;
        ``taxes`` the tax rows. Nothing else is computed: call ``calc_all()``.

        Raises
        ------
        ValidationError
            pymrio is not installed (``pip install pymrio``).

        Examples
        --------
        >>> import iomodel as iom
        >>> io = iom.datasets.miller_blair().to_pymrio().calc_all()
        >>> io.L.round(4).to_numpy()
        array([[1.2541, 0.33  ],
               [0.264 , 1.1221]])
        """
        import importlib

        try:
            pymrio = importlib.import_module("pymrio")
        except ImportError:
            raise ValidationError("IOTable.to_pymrio needs pymrio; install it with `pip install pymrio`") from None
        reg = region or self._meta.name
        coords = self.sector_coords() if region is None else {}
        if len(coords) == 2:
            idx = pd.MultiIndex.from_arrays(list(coords.values()), names=["region", "sector"])
        else:
            idx = pd.MultiIndex.from_arrays([[reg] * self.n, self._sectors.astype(str)], names=["region", "sector"])
        cat_parts = [_split_label(c, 2) for c in self._categories]
        if len(coords) == 2 and self._meta.notes.get("category_levels") and all(p is not None for p in cat_parts):
            ycols = pd.MultiIndex.from_tuples(cat_parts, names=["region", "category"])
        else:
            ycols = pd.MultiIndex.from_arrays(
                [[reg] * len(self._categories), self._categories.astype(str)], names=["region", "category"]
            )
        unit = pd.DataFrame({"unit": [self._meta.unit] * self.n}, index=idx)
        fi_rows = [str(c) for c in self._components]
        fi = [self._V]
        if (self._tp != 0).any():
            fi_rows.append("product_taxes")
            fi.append(self._tp[None, :])
        imp_names = (
            [f"imports/{p}" for p in self._import_rows] if self.has_import_use else ["imports"] * len(self._import_rows)
        )
        fi_rows += imp_names
        fi.append(self._M)
        F = pd.DataFrame(np.vstack(fi), index=pd.Index(fi_rows, name="inputtype"), columns=idx)
        F_Y = pd.DataFrame(0.0, index=F.index, columns=ycols)
        if len(imp_names):
            F_Y.iloc[len(fi_rows) - len(imp_names) :, :] = self._MF
        exts = {
            "factor_inputs": dict(
                name="factor_inputs",
                F=F,
                F_Y=F_Y,
                unit=pd.DataFrame({"unit": [self._meta.unit] * len(F)}, index=F.index),
            )
        }
        if len(self._indicators):
            sidx = pd.Index([str(s) for s in self._indicators], name="stressor")
            exts["satellites"] = dict(
                name="satellites",
                F=pd.DataFrame(self._S, index=sidx, columns=idx),
                unit=pd.DataFrame(
                    {"unit": [self._meta.satellite_units.get(str(s), "unspecified") for s in self._indicators]},
                    index=sidx,
                ),
            )
        if len(self._tax_names):
            tidx = pd.Index([str(s) for s in self._tax_names], name="tax")
            exts["taxes"] = dict(
                name="taxes",
                F=pd.DataFrame(self._T, index=tidx, columns=idx),
                unit=pd.DataFrame({"unit": [self._meta.unit] * len(tidx)}, index=tidx),
            )
        return pymrio.IOSystem(
            Z=pd.DataFrame(self._Z, index=idx, columns=idx),
            Y=pd.DataFrame(self._F, index=idx, columns=ycols),
            x=pd.DataFrame({"indout": self._x}, index=idx),
            unit=unit,
            name=self._meta.name,
            year=self._meta.year,
            **exts,
        )


def _flat(label: Any) -> str:
    """A ``(region, sector)`` pair (or any tuple) as one label ``"region/sector"``."""
    return "/".join(map(str, label)) if isinstance(label, tuple) else str(label)


def _split_label(label: Any, levels: int) -> tuple[str, ...] | None:
    """A flat label split into ``levels`` parts at the first ``"/"`` signs, or ``None``."""
    if not isinstance(label, str):
        return None
    parts = tuple(label.split("/", levels - 1))
    return parts if len(parts) == levels else None


def _sector_level_names(meta: TableMeta) -> list[str]:
    levels = meta.notes.get("sector_levels", "")
    return levels.split("/") if levels else []


def _pymrio_core(io: Any, sys_name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """``Z``, ``Y`` and ``x`` of a pymrio system, ``Z`` from ``A`` and ``x`` when it has no ``Z``."""
    Z, Y, A, x = (getattr(io, k, None) for k in ("Z", "Y", "A", "x"))
    if Y is None:
        raise ValidationError(f"pymrio system {sys_name!r} has no final demand Y")
    if isinstance(x, pd.DataFrame):
        x = x.iloc[:, 0]
    if Z is None:
        if A is None or x is None:
            raise ValidationError(f"pymrio system {sys_name!r} has neither Z nor A and x")
        x = x.reindex(A.columns)
        Z = A * x.to_numpy()[None, :]
    for what, labels in (("Z rows", Z.index), ("Z columns", Z.columns), ("Y columns", Y.columns)):
        if not isinstance(labels, pd.MultiIndex) or labels.nlevels != 2:
            raise ValidationError(
                f"pymrio system {sys_name!r}: {what} must be (region, sector or category) pairs, "
                f"got {labels[:2].tolist()}"
            )
    if not Z.columns.equals(Z.index):
        Z = Z.reindex(columns=Z.index)
    if not Y.index.equals(Z.index):
        Y = Y.reindex(index=Z.index)
    if x is None:
        x = Z.sum(axis=1) + Y.sum(axis=1)
    elif not x.index.equals(Z.index):
        x = x.reindex(Z.index)
    return Z, Y, x


def _pymrio_extensions(io: Any) -> dict[str, Any]:
    """The extensions of a pymrio system by attribute name (``factor_inputs``, ``emissions``, ...)."""
    get = getattr(io, "get_extensions", None)
    if get is None:
        return {}
    return {str(n): getattr(io, n) for n in get() if getattr(getattr(io, n, None), "F", None) is not None}


def _pymrio_rows(
    ext: Any, ext_name: str, cols: pd.Index, sys_name: str
) -> tuple[list[str], np.ndarray, dict[str, str], str]:
    """Names, ``(k, n)`` rows for the table's sector columns, units and a note on ``F_Y`` of one extension."""
    F = ext.F
    missing = cols.difference(F.columns)
    if len(missing):
        raise LabelError(f"extension {ext_name!r} of {sys_name!r} lacks sector columns {missing[:5].tolist()}")
    names = [_flat(r) for r in F.index]
    arr = F.reindex(columns=cols).to_numpy(dtype=float)
    units: dict[str, str] = {}
    unit = getattr(ext, "unit", None)
    if isinstance(unit, pd.DataFrame) and unit.shape[1] >= 1:
        u = unit.iloc[:, 0].reindex(F.index)
        units = {n: str(v) for n, v in zip(names, u, strict=True) if not _is_missing(v)}
    note = ""
    F_Y = getattr(ext, "F_Y", None)
    if isinstance(F_Y, pd.DataFrame) and F_Y.size and (F_Y.to_numpy(dtype=float) != 0).any():
        totals = F_Y.sum(axis=1)
        note = "final-demand accounts not carried (a table holds accounts by producing sector); totals " + ", ".join(
            f"{_flat(k)}: {v:.6g}" for k, v in totals.items()
        )
    return names, arr, units, note
