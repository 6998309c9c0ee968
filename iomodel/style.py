"""One style for every figure of iomodel: sizes that read at A4 width, a colour-blind-safe palette, readable labels.

Every figure the package draws (:mod:`iomodel.plot`, the command line, the
studies in ``examples/``) is made the same way::

    with style.figure_style():
        fig, axes = style.new_figure(width="a4", height=3.2)
        ...                                      # draw
        ax.set_xlabel(style.axis_label("employment", "persons"))
        style.thousands(ax.yaxis)
        style.finish(fig, note=style.source_note(table.meta, kind="type2"))

What the style fixes:

* **size**: :data:`A4_WIDTH` (6.3 in, the text width of an A4 page with
  2.5 cm margins) or :data:`HALF_WIDTH` across, saved at :data:`DPI`; text of
  at least :data:`MIN_FONT_SIZE` pt at that size, so a figure pasted into a
  report at its own width needs no scaling;
* **colour**: the palette of Okabe & Ito (2008), distinguishable with every
  common colour-vision deficiency (:data:`OKABE_ITO`, :data:`PALETTE`,
  :data:`COLORS`);
* **labels**: every axis ``"quantity (unit)"`` (:func:`axis_label`), numbers
  with thousands separators (:func:`thousands`, :func:`number`), category
  names shortened with an ellipsis, never replaced by an id
  (:func:`short_name`);
* **fit**: :func:`finish` wraps the titles and axis labels to the room they
  have, adds a source line at the foot (:func:`source_note`: table edition,
  Type I/II, prices, source) and lays the figure out so that no text runs off
  its edge;
* **checks**: :func:`audit` lists what a journal or a ministry would send
  back: a missing title or axis label, an axis label without its unit,
  numbers without separators, raw ids, text outside the figure or
  overlapping, text too small, a figure wider than an A4 page.

matplotlib is imported by the functions that need it, not by the module.

References
----------
Okabe, M. & Ito, K. (2008). *Color Universal Design (CUD): how to make
figures and presentations that are friendly to colorblind people.*
J*Fly, https://jfly.uni-koeln.de/color/ (the eight colours of
:data:`OKABE_ITO`). Wong, B. (2011). Points of view: Color blindness.
*Nature Methods* 8, 441, doi:10.1038/nmeth.1618 (the same palette,
recommended for scientific figures).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .errors import ValidationError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Text

__all__ = [
    "A4_WIDTH",
    "COLORS",
    "DPI",
    "FONT_SIZE",
    "HALF_WIDTH",
    "MAX_WIDTH",
    "MIN_FONT_SIZE",
    "NAME_WIDTH",
    "NOTE_GID",
    "OKABE_ITO",
    "PALETTE",
    "TYPES",
    "audit",
    "axis_label",
    "figure_style",
    "finish",
    "grouped_formatter",
    "legend_below",
    "name_of",
    "new_figure",
    "number",
    "rc",
    "save",
    "separate",
    "short_name",
    "source_note",
    "thousands",
]

#: Text width of an A4 page with 2.5 cm margins (21 cm - 5 cm = 16 cm), inches: a full-width figure.
A4_WIDTH = 6.3
#: Half the text width, for figures side by side (inches).
HALF_WIDTH = 3.1
#: Widest figure :func:`audit` accepts (inches): a little over :data:`A4_WIDTH`, still on the page.
MAX_WIDTH = 7.0
#: Resolution figures are saved at (dots per inch): 1,260 pixels across at A4 width.
DPI = 200
#: Size of tick labels, axis labels, legends and notes (points).
FONT_SIZE = 8.0
#: Size of axes titles (points).
TITLE_SIZE = 9.0
#: Size of figure titles (points).
SUPTITLE_SIZE = 10.0
#: Smallest text :func:`audit` accepts (points at the figure's own size).
MIN_FONT_SIZE = 8.0
#: Characters of a category name on an axis; longer names end in an ellipsis (:func:`short_name`).
NAME_WIDTH = 40
#: ``gid`` of the source/notes line :func:`finish` adds (how :func:`audit` and tests find it).
NOTE_GID = "iomodel-note"

#: The eight colours of Okabe & Ito (2008), by their names.
OKABE_ITO: Mapping[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Order of colours for series (the property cycle): the darker and most distinct first.
PALETTE: tuple[str, ...] = tuple(
    OKABE_ITO[c]
    for c in ("blue", "orange", "bluish_green", "vermillion", "sky_blue", "reddish_purple", "yellow", "black")
)
#: Colours by role.
COLORS: Mapping[str, str] = {
    "bar": OKABE_ITO["blue"],
    "accent": OKABE_ITO["orange"],
    "positive": OKABE_ITO["bluish_green"],
    "negative": OKABE_ITO["vermillion"],
    "line": OKABE_ITO["black"],
    "reference": "#777777",
    "note": "#333333",
    "grid": "#d9d9d9",
    # effects of an impact, dark to light so that they also read in grey
    "direct": OKABE_ITO["blue"],
    "indirect": OKABE_ITO["sky_blue"],
    "induced": OKABE_ITO["orange"],
}
#: Readable names of the multiplier types (:func:`source_note`).
TYPES: Mapping[str, str] = {
    "type1": "Type I (direct and indirect effects)",
    "type2": "Type II (direct, indirect and induced effects of household spending)",
}
_WIDTHS = {"a4": A4_WIDTH, "half": HALF_WIDTH}
_PAD = 0.06  # inches between the outermost text and the figure's edge
_LAYOUT_PAD = 0.3  # tight_layout's padding, in font sizes
_SUPTITLE_GID = "iomodel-suptitle"
_LEGEND_BELOW_GID = "iomodel-legend-below"


# --------------------------------------------------------------------------- rc and figures
def rc() -> dict[Any, Any]:
    """The matplotlib settings of the style (``rcParams`` keys and values).

    Examples
    --------
    >>> rc()["font.size"], rc()["savefig.dpi"]
    (8.0, 200)
    """
    from cycler import cycler

    return {
        "font.size": FONT_SIZE,
        "axes.titlesize": TITLE_SIZE,
        "axes.labelsize": FONT_SIZE,
        "xtick.labelsize": FONT_SIZE,
        "ytick.labelsize": FONT_SIZE,
        "legend.fontsize": FONT_SIZE,
        "legend.title_fontsize": FONT_SIZE,
        "figure.titlesize": SUPTITLE_SIZE,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "axes.prop_cycle": cycler(color=list(PALETTE)),
        "axes.grid": False,
        "grid.color": COLORS["grid"],
        "grid.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.linewidth": 0.6,
        "axes.unicode_minus": True,
        "legend.frameon": True,
        "legend.framealpha": 0.9,
        "legend.edgecolor": "#cccccc",
        "legend.fancybox": False,
        "axes.formatter.use_locale": False,
        "axes.formatter.useoffset": False,
    }


@contextmanager
def figure_style() -> Iterator[None]:
    """Context in which figures are drawn in the style (matplotlib's ``rc_context`` of :func:`rc`).

    Examples
    --------
    >>> import matplotlib
    >>> with figure_style():
    ...     matplotlib.rcParams["font.size"]
    8.0
    """
    import matplotlib

    with matplotlib.rc_context(rc()):
        yield


def _width(width: Literal["a4", "half"] | float) -> float:
    if isinstance(width, str):
        if width not in _WIDTHS:
            raise ValidationError(f"figure width {width!r} unknown; valid options are {list(_WIDTHS)} or inches")
        return _WIDTHS[width]
    w = float(width)
    if not 0.5 <= w <= MAX_WIDTH:
        raise ValidationError(f"figure width {w:g} in: give 0.5 to {MAX_WIDTH:g} in (A4 text width is {A4_WIDTH} in)")
    return w


def new_figure(
    width: Literal["a4", "half"] | float = "a4",
    height: float | None = None,
    *,
    nrows: int = 1,
    ncols: int = 1,
    **subplots: Any,
) -> tuple[Figure, np.ndarray]:
    """A figure of the style's size and its axes (always a 2-D array, ``squeeze=False``).

    Parameters
    ----------
    width
        ``"a4"`` (:data:`A4_WIDTH`), ``"half"`` (:data:`HALF_WIDTH`) or inches.
    height
        Inches; default 0.62 of the width.
    nrows, ncols
        Grid of axes.
    **subplots
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``sharey``,
        ``gridspec_kw``, ...).

    Returns
    -------
    (Figure, numpy.ndarray)
        The figure (registered with pyplot, so ``plt.close(fig)`` closes it)
        and its axes, ``(nrows, ncols)``.

    Raises
    ------
    ValidationError
        A width that is not ``"a4"``, ``"half"`` or 0.5 to :data:`MAX_WIDTH` inches.

    Examples
    --------
    >>> with figure_style():
    ...     fig, axes = new_figure("a4", 3.0, ncols=2)
    >>> fig.get_size_inches().tolist(), axes.shape
    ([6.3, 3.0], (1, 2))
    """
    import matplotlib.pyplot as plt

    w = _width(width)
    h = float(height) if height is not None else round(0.62 * w, 2)
    fig = plt.figure(figsize=(w, h), dpi=DPI)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplots)
    return fig, axes


def legend_below(ax: Axes, **kwargs: Any) -> Any:
    """A legend under the axes, below its x label (placed by :func:`finish`), its entries side by side.

    For figures whose data fill the axes (a tornado, a fan chart), where a
    legend inside would hide some of them. ``kwargs`` go to
    :meth:`matplotlib.axes.Axes.legend`.
    """
    n = len(kwargs["handles"]) if kwargs.get("handles") is not None else len(ax.get_legend_handles_labels()[0])
    kwargs.setdefault("ncol", min(max(n, 1), 3))
    kwargs.setdefault("frameon", False)
    legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), **kwargs)
    legend.set_gid(_LEGEND_BELOW_GID)
    return legend


def _place_legends(fig: Figure, renderer: RendererBase) -> bool:
    """Put each :func:`legend_below` just under its axes' x axis; whether one moved."""
    moved = False
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or legend.get_gid() != _LEGEND_BELOW_GID:
            continue
        bottom = ax.xaxis.get_tightbbox(renderer)
        y_disp = (bottom.y0 if bottom is not None else ax.get_window_extent(renderer).y0) - 0.3 * FONT_SIZE
        # centred under the axes, moved sideways as far as it needs to stay inside the figure
        box = legend.get_window_extent(renderer)
        axes_box = ax.get_window_extent(renderer)
        pad = _PAD * fig.dpi
        cx = 0.5 * (axes_box.x0 + axes_box.x1)
        cx = min(cx, fig.bbox.x1 - pad - 0.5 * box.width)
        cx = max(cx, fig.bbox.x0 + pad + 0.5 * box.width)
        x, y = (float(v) for v in ax.transAxes.inverted().transform((cx, y_disp)))
        old = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
        if abs(old.y0 - y) > 1e-3 or abs(old.x0 - x) > 1e-3:
            legend.set_bbox_to_anchor((x, y), transform=ax.transAxes)
            moved = True
    return moved


def save(fig: Figure, path: Any, **kwargs: Any) -> None:
    """Save a figure at the style's resolution (:data:`DPI`); ``kwargs`` go to ``savefig``."""
    kwargs.setdefault("dpi", DPI)
    fig.savefig(path, **kwargs)


# --------------------------------------------------------------------------- labels and numbers
def axis_label(quantity: str, unit: Any) -> str:
    """``"quantity (unit)"``: a missing unit is said, not hidden; parentheses inside the unit become brackets.

    Examples
    --------
    >>> axis_label("employment", "persons")
    'employment (persons)'
    >>> axis_label("level", "scale of the project (1 = as specified)")
    'level (scale of the project [1 = as specified])'
    >>> axis_label("share", "1"), axis_label("output", None)
    ('share (dimensionless)', 'output (units not given)')
    """
    text = "" if unit is None else str(unit).strip()
    if not text:
        return f"{quantity} (units not given)"
    if text == "1":
        return f"{quantity} (dimensionless)"
    return f"{quantity} ({text.replace('(', '[').replace(')', ']')})"


def number(v: Any, group: bool = True) -> str:
    """A value for a label: thousands separators (``group``), at most four significant digits below 1,000.

    Examples
    --------
    >>> number(590000.0), number(0.123456), number(2031, group=False), number(-1234.5)
    ('590,000', '0.1235', '2031', '-1,234')
    """
    if isinstance(v, bool | str | np.str_) or not isinstance(v, int | float | np.number):
        return str(v)
    x = float(v)
    if not math.isfinite(x):
        return str(x)
    sep = "," if group else ""
    return f"{x:{sep}.0f}" if abs(x) >= 1000 else f"{x:{sep}.4g}"


def grouped_formatter(group: bool = True) -> Any:
    """A tick formatter with thousands separators (``group``) and as many decimals as the ticks need.

    No offset and no scientific notation: ``590,000``, not ``5.9`` and ``1e5``.
    Negative numbers take a true minus sign when ``axes.unicode_minus`` is on.
    """
    from matplotlib import rcParams
    from matplotlib.ticker import Formatter

    class GroupedFormatter(Formatter):
        decimals = 0

        def set_locs(self, locs: list[float]) -> None:
            super().set_locs(locs)
            v = np.asarray(locs, dtype=float)
            v = v[np.isfinite(v)]
            span = float(np.ptp(v)) if v.size > 1 else 1.0
            tol = 1e-6 * (span or 1.0)
            self.decimals = next((d for d in range(9) if np.allclose(np.round(v, d), v, rtol=0.0, atol=tol)), 9)

        def __call__(self, x: float, pos: int | None = None) -> str:
            text = f"{x:{',' if group else ''}.{self.decimals}f}"
            if float(text.replace(",", "")) == 0.0:
                text = text.lstrip("-")
            return text.replace("-", "\N{MINUS SIGN}") if rcParams["axes.unicode_minus"] else text

    return GroupedFormatter()


def thousands(*axes: Axis, group: bool = True) -> None:
    """Format numeric axes with thousands separators (:func:`grouped_formatter`); ``group=False`` for years.

    Examples
    --------
    >>> with figure_style():
    ...     fig, ax = new_figure()
    ...     _ = ax[0, 0].plot([0, 1], [0, 590_000])
    ...     thousands(ax[0, 0].yaxis)
    ...     fig.canvas.draw()
    >>> [t.get_text() for t in ax[0, 0].get_yticklabels()][1:3]
    ['0', '100,000']
    """
    for axis in axes:
        axis.set_major_formatter(grouped_formatter(group))


def short_name(name: Any, width: int = NAME_WIDTH) -> str:
    """A name cut to ``width`` characters with an ellipsis (at a word boundary where one is near).

    Examples
    --------
    >>> short_name("Public administration and defence; compulsory social security")
    'Public administration and defence…'
    >>> short_name("Crude petroleum")
    'Crude petroleum'
    """
    lines = str(name).split("\n")
    if len(lines) > 1:  # each line of a name on two lines
        return "\n".join(short_name(line, width) for line in lines)
    text = " ".join(str(name).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space >= int(0.6 * width):
        cut = cut[:space]
    return cut.rstrip(" ,;:-\N{EN DASH}") + "\N{HORIZONTAL ELLIPSIS}"


def name_of(label: Any, names: Mapping[str, str] | None, width: int | None = NAME_WIDTH) -> str:
    """The readable name of a label (the label itself where none is known), shortened to ``width``.

    Examples
    --------
    >>> name_of("061", {"061": "Crude petroleum"}), name_of("x", {})
    ('Crude petroleum', 'x')
    """
    text = str((names or {}).get(str(label), label))
    return short_name(text, width) if width else text


def source_note(
    meta: Any = None,
    *,
    kind: str | None = None,
    prices: str | None = None,
    notes: Sequence[str] = (),
    source: str | None = None,
) -> str:
    """The source/notes line of a figure: table edition, Type I/II, prices, notes and source.

    Parameters
    ----------
    meta
        A :class:`~iomodel.TableMeta`, or the attributes of a result
        (``table``, ``price_basis``, ``source``, and where present ``kind``
        and ``prices``), or ``None``.
    kind
        ``"type1"`` or ``"type2"`` (:data:`TYPES`); default ``meta["kind"]``.
    prices
        E.g. ``"constant 2024 prices"``; default ``meta["prices"]``.
    notes
        Further notes, each a clause (e.g. what is gross or net).
    source
        The source; default the table's.

    Examples
    --------
    >>> import iomodel as iom
    >>> print(source_note(iom.datasets.miller_blair().meta, kind="type1", notes=["illustrative"]))
    ... # doctest: +ELLIPSIS
    Miller ... input-output table at basic prices; Type I (direct and indirect effects); illustrative. Source: ...
    """
    attrs: Mapping[str, Any]
    if meta is None:
        attrs = {}
    elif hasattr(meta, "attrs") and callable(meta.attrs):
        attrs = meta.attrs()
    else:
        attrs = dict(meta)
    table = str(attrs.get("table") or "").strip()
    basis = str(attrs.get("price_basis") or "").strip()
    kind = kind if kind is not None else (str(attrs["kind"]) if attrs.get("kind") else None)
    prices = prices if prices is not None else (str(attrs["prices"]) if attrs.get("prices") else None)
    source = source if source is not None else str(attrs.get("source") or "").strip()
    parts = []
    if table:
        parts.append(f"{table} input-output table" + (f" at {basis}" if basis else ""))
    if kind:
        parts.append(TYPES.get(kind, kind))
    if prices:
        parts.append(prices)
    parts += [n for n in notes if n]
    text = "; ".join(parts)
    text = f"{text[:1].upper()}{text[1:]}." if text else ""
    if source:
        text = f"{text} Source: {source.rstrip('.')}.".strip()
    return text


# --------------------------------------------------------------------------- fitting
def _renderer(fig: Figure) -> RendererBase:
    """Draw the figure and return its renderer (an Agg canvas is attached to a figure without one, e.g. closed)."""
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()  # type: ignore[attr-defined]


def _text_width(renderer: RendererBase, text: str, artist: Text) -> float:
    if not text:
        return 0.0
    w, _, _ = renderer.get_text_width_height_descent(text, artist.get_fontproperties(), ismath=False)
    return float(w)


def _wrap(artist: Text, max_px: float, renderer: RendererBase) -> bool:
    """Wrap a text's lines (at spaces, words longer than the room at characters) to ``max_px``; whether it changed."""
    text = artist.get_text()
    if not text or max_px <= 0:
        return False
    lines: list[str] = []
    for para in text.split("\n"):
        current = ""
        for word in para.split(" "):
            while _text_width(renderer, word, artist) > max_px and len(word) > 1:
                k = len(word)
                while k > 1 and _text_width(renderer, word[:k], artist) > max_px:
                    k -= 1
                if current:
                    lines.append(current)
                    current = ""
                lines.append(word[:k])
                word = word[k:]
            trial = f"{current} {word}" if current else word
            if current and _text_width(renderer, trial, artist) > max_px:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
    new = "\n".join(lines)
    if new != text:
        artist.set_text(new)
        return True
    return False


def _suptitle(fig: Figure) -> Text | None:
    """The figure's suptitle artist (public API only: its text among the figure's texts)."""
    title = fig.get_suptitle()
    if not title:
        return None
    for t in fig.texts:
        if t.get_gid() == _SUPTITLE_GID or (t.get_gid() != NOTE_GID and t.get_text() == title):
            return t
    return None


def _neighbours(ax: Axes, axes: Sequence[Axes]) -> bool:
    """Whether another visible axes shares a row with ``ax`` (then a title keeps to its own axes' width)."""
    box = ax.get_position()
    for other in axes:
        if other is ax or not other.get_visible():
            continue
        ob = other.get_position()
        if min(box.y1, ob.y1) - max(box.y0, ob.y0) > 0.25 * min(box.height, ob.height):
            return True
    return False


def _fit_texts(fig: Figure, renderer: RendererBase) -> bool:
    """Wrap titles and axis labels to the room they have; whether any changed."""
    dpi = fig.dpi
    w_px = fig.get_figwidth() * dpi
    pad = _PAD * dpi
    changed = False
    sup = _suptitle(fig)
    if sup is not None:
        changed |= _wrap(sup, w_px - 2 * pad, renderer)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for ax in axes:
        box = ax.get_window_extent(renderer)
        cx = 0.5 * (box.x0 + box.x1)
        room = 2 * min(cx - pad, w_px - pad - cx)
        own = box.width if _neighbours(ax, axes) else room
        changed |= _wrap(ax.title, min(room, own), renderer)
        changed |= _wrap(ax.xaxis.label, min(room, own), renderer)
        changed |= _wrap(ax.yaxis.label, box.height, renderer)
    return changed


def finish(fig: Figure, note: str | None = None, *, layout: bool = True) -> Figure:
    """Fit a figure to its width: tick sizes, wrapped titles and labels, the source line, a tight layout.

    The figure keeps its width; it grows in height by the source/notes line
    (drawn at the foot, left-aligned, in :data:`FONT_SIZE`), so the axes keep
    their room. Titles and axis labels are wrapped (at spaces) to the width
    they have, and the layout is redone until nothing runs off the figure.

    Parameters
    ----------
    fig
        The figure.
    note
        The source/notes line (:func:`source_note`); ``None`` for none.
    layout
        Lay the axes out (``tight_layout``); ``False`` when the caller
        placed them by hand.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``, for chaining.

    Examples
    --------
    >>> with figure_style():
    ...     fig, ax = new_figure("half", 2.0)
    ...     _ = ax[0, 0].plot([2026, 2030], [0.0, 1.0])
    ...     _ = ax[0, 0].set_title("A title far too long to stand on one line of a figure half a page wide")
    ...     fig = finish(fig, note="Source: illustrative.")
    >>> len(ax[0, 0].get_title().splitlines()) > 1, [t.get_text() for t in fig.texts]
    (True, ['Source: illustrative.'])
    """
    for ax in fig.axes:
        ax.tick_params(labelsize=FONT_SIZE)
    sup = _suptitle(fig)
    if sup is not None:
        sup.set_gid(_SUPTITLE_GID)
    renderer = _renderer(fig)
    w, h = (float(v) for v in fig.get_size_inches())
    bottom = 0.0
    if note:
        text = fig.text(
            _PAD / w, 0.0, note, fontsize=FONT_SIZE, ha="left", va="bottom", color=COLORS["note"], gid=NOTE_GID
        )
        _wrap(text, (w - 2 * _PAD) * fig.dpi, renderer)
        height = text.get_window_extent(renderer).height / fig.dpi
        bottom = height + 2 * _PAD
        fig.set_size_inches(w, h + bottom)
        text.set_position((_PAD / w, _PAD / (h + bottom)))
    if sup is not None:
        # tight_layout leaves room for the suptitle as if it stood at the very top: put it there
        sup.set_verticalalignment("top")
        sup.set_y(1.0 - _LAYOUT_PAD * FONT_SIZE / 72.0 / float(fig.get_figheight()))
    if layout and fig.axes:
        rect = (0.0, bottom / float(fig.get_figheight()), 1.0, 1.0)
        for _ in range(6):
            fig.tight_layout(pad=_LAYOUT_PAD, h_pad=0.8, w_pad=0.8, rect=rect)
            renderer = _renderer(fig)
            changed = _fit_texts(fig, renderer)
            changed |= any(_declutter(ax, renderer) for ax in fig.axes if ax.get_visible())
            changed |= _place_legends(fig, renderer)
            if not changed:
                break
    else:
        renderer = _renderer(fig)
        _fit_texts(fig, renderer)
        _place_legends(fig, renderer)
    return fig


def separate(fig: Figure, labels: Sequence[Any]) -> None:
    """Move point labels (annotations in offset points) so that none overlaps another or leaves its axes.

    Each label, in order, keeps its place if it is clear of the labels
    before it and inside its axes; else it takes the first clear place of
    right-above, right-below, left-above, left-below its point. Call it after
    :func:`finish` (the layout fixes where the points are).

    Parameters
    ----------
    fig
        The figure.
    labels
        The annotations (:meth:`matplotlib.axes.Axes.annotate` with
        ``textcoords="offset points"``).
    """
    renderer = _renderer(fig)
    placed: list[Any] = []
    for label in labels:
        box = label.axes.get_window_extent(renderer) if label.axes is not None else fig.bbox
        h = label.get_window_extent(renderer).height * 72.0 / fig.dpi
        options = [
            (label.xyann, label.get_horizontalalignment()),
            ((4.0, 3.0), "left"),
            ((4.0, -3.0 - h), "left"),
            ((-4.0, 3.0), "right"),
            ((-4.0, -3.0 - h), "right"),
        ]
        for offset, ha in options:
            label.xyann = offset
            label.set_horizontalalignment(ha)
            bb = label.get_window_extent(renderer)
            inside = bb.x0 >= box.x0 and bb.x1 <= box.x1 and bb.y0 >= box.y0 and bb.y1 <= box.y1
            if inside and not any(bb.overlaps(other) for other in placed):
                break
        else:
            label.xyann, _ = options[0]
            label.set_horizontalalignment(options[0][1])
        placed.append(label.get_window_extent(renderer))


def _declutter(ax: Axes, renderer: RendererBase) -> bool:
    """Fewer ticks on a numeric axis whose tick labels touch each other; whether any axis changed."""
    from matplotlib.ticker import FixedLocator, MaxNLocator

    changed = False
    for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        ticks = _drawn_ticks(axis)
        if len(ticks) < 3 or isinstance(axis.get_major_locator(), FixedLocator) or _is_category(axis):
            continue
        boxes = sorted((t.get_window_extent(renderer) for t in ticks), key=lambda b: b.x0 if which == "x" else b.y0)
        gap = 0.25 * FONT_SIZE * ax.figure.dpi / 72.0
        crowded = any((b.x0 - a.x1 if which == "x" else b.y0 - a.y1) < gap for a, b in itertools.pairwise(boxes))
        if crowded:
            integer = all(float(t.get_loc()).is_integer() for t in axis.get_major_ticks())
            axis.set_major_locator(
                MaxNLocator(nbins=max(2, len(ticks) // 2), steps=[1, 2, 2.5, 5, 10], integer=integer)
            )
            changed = True
    return changed


# --------------------------------------------------------------------------- audit
_NUMBER = re.compile(r"^[\u2212+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
_IDENTIFIER = re.compile(r"(?<![\w.@/-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w@/-])|\b\w+@\w+\b")
_YEAR_LABELS = ("year", "years", "calendar year")


def _numeric(text: str) -> float | None:
    t = text.strip().replace("\N{MINUS SIGN}", "-")
    if not _NUMBER.match(t):
        return None
    return float(t.rstrip("%").replace(",", ""))


def _drawn_ticks(axis: Axis) -> list[Text]:
    """The tick labels an axis draws: visible, non-empty, at a tick inside the view."""
    lo, hi = sorted(float(v) for v in axis.get_view_interval())
    tol = 1e-9 * max(1.0, abs(hi - lo))
    out = []
    for ticks in (axis.get_major_ticks(), axis.get_minor_ticks()):
        for tick in ticks:
            if not lo - tol <= float(tick.get_loc()) <= hi + tol:
                continue
            for label in (tick.label1, tick.label2):
                if label.get_visible() and label.get_text():
                    out.append(label)
    return out


def _is_category(axis: Axis) -> bool:
    ticks = _drawn_ticks(axis)
    return bool(ticks) and any(_numeric(t.get_text()) is None for t in ticks)


def _describe(ax: Axes, k: int) -> str:
    title = ax.get_title() or ax.get_title(loc="left")
    first = short_name(" ".join(title.split()), 30) if title else ""
    return f"axes {k}" + (f" ({first!r})" if first else "")


def audit(
    fig: Figure,
    *,
    ids: Iterable[str] = (),
    dpi: float | None = None,
    identifiers: bool = True,
    overlaps: bool = True,
) -> list[str]:
    """What a reader would object to in a figure: one sentence per problem (empty if none).

    The figure is drawn (``fig.canvas.draw()``) and checked for

    * a title (a suptitle or an axes title);
    * on every axes with data, an x and a y label, unless the axis is a
      category axis (its tick labels are names), or shares its ticks with one;
      the label of a numeric axis names its unit in parentheses,
      ``"quantity (unit)"`` (a year axis may read ``"year"``);
    * numbers of 10,000 or more with thousands separators, and no offset or
      scientific multiplier on an axis;
    * no raw ids: none of ``ids`` (labels whose readable name is known) in
      any text, and (``identifiers``) no ``snake_case`` or ``a@b`` token in
      titles, labels, tick labels or legends; the source line is exempt;
    * every text inside the figure (1 px tolerance), and (``overlaps``) no
      two texts overlapping;
    * text of at least :data:`MIN_FONT_SIZE` pt, a width of at most
      :data:`MAX_WIDTH` in, and (``dpi``, the resolution the figure is saved
      at) at least 150 dpi.

    Parameters
    ----------
    fig
        The figure.
    ids
        Labels that must not appear (their names are known).
    dpi
        The resolution it is saved at, if known.
    identifiers
        Flag ``snake_case`` and ``a@b`` tokens.
    overlaps
        Flag overlapping texts.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(9, 3))
    >>> _ = ax.plot([0, 1], [0, 590_000])
    >>> _ = ax.set_ylabel("nfe")
    >>> for problem in audit(fig):
    ...     print(problem)
    figure is 9.00 in wide, more than 7 in (A4 text width 6.3 in)
    no title (neither a suptitle nor an axes title)
    axes 1: the x axis has no label
    axes 1: the y axis label 'nfe' names no unit in parentheses, '(unit)'
    axes 1: y tick labels '100000', '200000' and 4 more lack thousands separators
    >>> plt.close(fig)
    """
    problems: list[str] = []
    width = float(fig.get_figwidth())
    if width > MAX_WIDTH + 1e-9:
        problems.append(f"figure is {width:.2f} in wide, more than {MAX_WIDTH:g} in (A4 text width {A4_WIDTH} in)")
    if dpi is not None and dpi < 150:
        problems.append(f"saved at {dpi:g} dpi, below 150 dpi: it prints blurred at A4 width")
    renderer = _renderer(fig)
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    if not fig.get_suptitle() and not any(ax.get_title(loc=lc) for ax in axes for lc in ("center", "left", "right")):
        problems.append("no title (neither a suptitle nor an axes title)")

    texts: list[tuple[str, Text]] = []  # (role, artist)
    tick_ids: set[int] = set()
    for k, ax in enumerate(axes, start=1):
        name = _describe(ax, k)
        for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            ticks = _drawn_ticks(axis)
            for tick in (*axis.get_major_ticks(), *axis.get_minor_ticks()):
                tick_ids.update({id(tick.label1), id(tick.label2)})
            texts += [("tick label", t) for t in ticks]
            label = axis.get_label_text().strip()
            if ax.has_data() and axis.get_visible():
                siblings = (ax.get_shared_x_axes() if which == "x" else ax.get_shared_y_axes()).get_siblings(ax)
                category = _is_category(axis) or any(
                    _is_category(s.xaxis if which == "x" else s.yaxis) for s in siblings if s is not ax
                )
                numeric = bool(ticks) and not category
                if not label and not category:
                    problems.append(f"{name}: the {which} axis has no label")
                elif label and numeric and "(" not in label and label.lower() not in _YEAR_LABELS:
                    problems.append(f"{name}: the {which} axis label {label!r} names no unit in parentheses, '(unit)'")
            bare = [
                t.get_text() for t in ticks if "," not in t.get_text() and abs(_numeric(t.get_text()) or 0.0) >= 10_000
            ]
            if bare:
                more = f" and {len(bare) - 2} more" if len(bare) > 2 else ""
                shown = ", ".join(repr(b) for b in bare[:2])
                problems.append(f"{name}: {which} tick labels {shown}{more} lack thousands separators")
            offset = axis.get_offset_text()
            if offset.get_visible() and offset.get_text().strip():
                problems.append(
                    f"{name}: the {which} axis shows an offset or multiplier {offset.get_text()!r} instead of "
                    "plain numbers with thousands separators"
                )
    from matplotlib.text import Text as TextArtist

    for artist in fig.findobj(TextArtist):
        if not isinstance(artist, TextArtist) or id(artist) in tick_ids:
            continue
        if not artist.get_visible() or not artist.get_text().strip():
            continue
        role = "note" if artist.get_gid() == NOTE_GID else "text"
        if any(artist is ax.xaxis.label or artist is ax.yaxis.label for ax in fig.axes):
            role = "axis label"
        elif any(artist is ax.title for ax in fig.axes) or artist.get_gid() == _SUPTITLE_GID:
            role = "title"
        elif artist.get_text() == fig.get_suptitle():
            role = "title"
        texts.append((role, artist))

    fbox = fig.bbox
    known = [str(i) for i in ids]
    seen: set[str] = set()
    boxes = []
    for role, t in texts:
        s = t.get_text()
        short = s.replace("\n", " ")
        short = short if len(short) <= 50 else short[:47] + "..."
        bb = t.get_window_extent(renderer)
        boxes.append((role, short, bb))
        out = []
        if bb.x0 < fbox.x0 - 1:
            out.append(f"{fbox.x0 - bb.x0:.0f} px past the left edge")
        if bb.x1 > fbox.x1 + 1:
            out.append(f"{bb.x1 - fbox.x1:.0f} px past the right edge")
        if bb.y0 < fbox.y0 - 1:
            out.append(f"{fbox.y0 - bb.y0:.0f} px below the bottom")
        if bb.y1 > fbox.y1 + 1:
            out.append(f"{bb.y1 - fbox.y1:.0f} px above the top")
        if out:
            problems.append(f"text {short!r} ({role}) is clipped: " + ", ".join(out))
        size = float(t.get_fontsize())
        if size < MIN_FONT_SIZE - 1e-9:
            problems.append(f"text {short!r} ({role}) is {size:g} pt, below {MIN_FONT_SIZE:g} pt")
        if role == "note":
            continue
        for label_id in known:
            if re.search(rf"(?<![\w@]){re.escape(label_id)}(?![\w@])", s) and label_id not in seen:
                seen.add(label_id)
                problems.append(f"text {short!r} ({role}) shows the id {label_id!r}, not its name")
        if identifiers:
            for token in _IDENTIFIER.findall(s):
                if token not in seen:
                    seen.add(token)
                    problems.append(f"text {short!r} ({role}) shows the identifier {token!r}, not a readable name")
    for legend in [*(ax.get_legend() for ax in fig.axes), *fig.legends]:
        if legend is None or not legend.get_visible():
            continue
        bb = legend.get_window_extent(renderer)
        if bb.x0 < fbox.x0 - 1 or bb.x1 > fbox.x1 + 1 or bb.y0 < fbox.y0 - 1 or bb.y1 > fbox.y1 + 1:
            problems.append("a legend is clipped by the figure's edge")
    if overlaps:
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                (ri, si, bi), (rj, sj, bj) = boxes[i], boxes[j]
                dx = min(bi.x1, bj.x1) - max(bi.x0, bj.x0)
                dy = min(bi.y1, bj.y1) - max(bi.y0, bj.y0)
                if dx > 1 and dy > 1:
                    problems.append(f"texts {si!r} ({ri}) and {sj!r} ({rj}) overlap")
    return problems
