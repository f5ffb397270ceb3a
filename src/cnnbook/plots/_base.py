"""Shared helpers for every figure: figure creation, PNG export, colours, outlines.

Figures are built with matplotlib's object API (``matplotlib.figure.Figure``),
never with ``pyplot``: nothing is registered in a global figure manager, so a
figure is freed as soon as it is no longer referenced, nothing needs closing,
and the code runs the same on a headless machine (Agg) as in a notebook.
"""

import base64
import io

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

# Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
ORANGE = "#E69F00"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
#: Cycle used for window outlines; each also gets its own line style so the
#: outlines stay distinct when printed in grey.
OUTLINE_COLOURS = (ORANGE, BLUE, VERMILLION, GREEN, PURPLE, SKY)
OUTLINE_STYLES = ("-", "--", "-.", ":")

#: Colour maps that print readably in grey and suit colour-blind readers.
SEQUENTIAL = ("gray", "gray_r", "viridis", "cividis", "magma", "inferno", "Greys")
#: Diverging map for signed values (gradients, filters); 'PuOr' stays readable
#: for colour-blind readers and sign is also printed as the number itself.
DIVERGING = "PuOr"

DPI = 80

#: The web book's caption text, in CSS pixels: ``getComputedStyle`` of a
#: figure's ``figcaption`` (sphinx-book-theme; 16 px on desktop and phone).
CAPTION_PX = 16
#: Width of the content column in CSS pixels at a 1280 x 800 desktop viewport
#: (an ``<img>``'s ``clientWidth``; 774 at 1440 x 900). A wider figure is
#: scaled down by CSS to this width, and its text with it. On a phone the
#: column is 342 px and every figure shrinks; the rule is set on the desktop.
COLUMN_PX = 672


def min_font_pt(width_in, dpi=DPI):
    """Smallest font size, in points, that shows at least as large as the caption text.

    A figure ``width_in`` inches wide is shown ``min(width_in*dpi, COLUMN_PX)``
    CSS pixels wide, so text of ``s`` points shows at
    ``s * shown / (72 * width_in)`` pixels. Setting that to ``CAPTION_PX``
    gives ``CAPTION_PX * 72 / dpi`` points (14.4 at 80 dpi) for a figure
    that fits the column (up to 8.4 inches), and more for a wider one, which
    CSS scales down.

    Examples
    --------
    >>> min_font_pt(4.0), min_font_pt(8.4), round(min_font_pt(10.0), 2)
    (14.4, 14.4, 17.14)
    """
    if not width_in > 0:
        raise ValueError(f"width_in must be a positive number of inches, got width_in={width_in!r}")
    shown_px = min(width_in * dpi, COLUMN_PX)
    return round(CAPTION_PX * 72 * width_in / shown_px, 2)


#: Widest figure shown at its own size on the desktop (8.4 inches), and the text
#: size that is then enough everywhere in it (14.4 pt).
MAX_WIDTH = COLUMN_PX / DPI
BASE_PT = min_font_pt(MAX_WIDTH)


def number_cell_in(longest, size=BASE_PT):
    """Side, in inches, of a grid cell that holds a number of ``longest`` characters at ``size`` points.

    A digit is about 0.6 em wide; a tenth of an inch keeps the number off the cell's edges.

    Examples
    --------
    >>> round(number_cell_in(3), 2)  # '255' at 14.4 pt
    0.46
    """
    return 0.6 * size * max(longest, 2) / 72 + 0.1


def text_width_in(text, size=BASE_PT):
    """Width, in inches, of the widest line of ``text`` at ``size`` points (the default font).

    Examples
    --------
    >>> 0.6 < text_width_in("label 0") < 0.8
    True
    """
    from matplotlib.textpath import TextPath

    lines = [line for line in str(text).split("\n") if line.strip()]
    return float(max((TextPath((0, 0), line, size=size).get_extents().width for line in lines), default=0.0)) / 72


def figure_font(fig):
    """:func:`min_font_pt` of a figure's own width: the size for its ordinary text."""
    return min_font_pt(fig.get_figwidth(), fig.dpi)


def text_artists(fig):
    """Every visible text of a figure: titles, labels, tick labels, legends, annotations."""
    from matplotlib.text import Text

    hidden = set()  # labels of ticks outside the view limits, which matplotlib does not draw
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not (ax.axison and axis.get_visible()):  # ax.axis("off"): no tick label is drawn
                hidden.update(id(t) for t in axis.get_ticklabels(which="both"))
                continue
            lo, hi = sorted(axis.get_view_interval())
            tol = 1e-9 * (hi - lo)
            # matplotlib draws the first len(locs) ticks, and of those the ones in view; the
            # others keep the label of an earlier layout.
            for ticks, locs in ((axis.get_major_ticks(), axis.get_majorticklocs()),
                                (axis.get_minor_ticks(), axis.get_minorticklocs())):
                for k, tick in enumerate(ticks):
                    if k >= len(locs) or not lo - tol <= locs[k] <= hi + tol:
                        hidden.update((id(tick.label1), id(tick.label2)))
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def raise_small_text(fig, size=None):
    """Raise every visible text smaller than ``size`` (default :func:`figure_font`) to it.

    The floor that every figure function applies last, so that tick labels and
    legends left at matplotlib's defaults follow the rule too. Layouts are
    sized for this text; the tests check that no text overlaps another.
    Returns the figure.
    """
    size = figure_font(fig) if size is None else size
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            sizes = [t.get_fontsize() for t in axis.get_ticklabels(which="both")]
            if min(sizes, default=0) < size:  # future ticks too: set on the axis, not on each label
                axis.set_tick_params(which="both", labelsize=size)
    for t in text_artists(fig):
        if t.get_fontsize() < size:
            t.set_fontsize(size)
    return fig


def new_figure(width=4.0, height=3.0, dpi=DPI, layout=None):
    """A fresh figure not managed by pyplot (no global state, nothing to close).

    Parameters
    ----------
    width, height : float
        Size in inches.
    dpi : int
    layout : {None, 'constrained'}
        'constrained' spaces titles and labels automatically (slower; not
        used in the explorers, which must redraw quickly).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = new_figure(2, 1)
    >>> tuple(int(v) for v in fig.get_size_inches())
    (2, 1)
    """
    return Figure(figsize=(width, height), dpi=dpi, layout=layout)


def figure_to_png(fig, dpi=None):
    """Render a figure to PNG bytes.

    Examples
    --------
    >>> png = figure_to_png(new_figure(1, 1))
    >>> png[:4] == b'\\x89PNG'
    True
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi)
    return buf.getvalue()


def figure_to_data_uri(fig, dpi=None):
    """Render a figure as a ``data:image/png;base64,...`` string for an ``<img>`` tag."""
    return "data:image/png;base64," + base64.b64encode(figure_to_png(fig, dpi)).decode("ascii")


def text_colour(rgba):
    """'black' or 'white', whichever contrasts more with a cell colour.

    Uses the WCAG relative luminance of the cell colour.

    Examples
    --------
    >>> text_colour((0.0, 0.0, 0.0, 1.0)), text_colour((1.0, 1.0, 1.0, 1.0))
    ('white', 'black')
    """
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Contrast with black is (L + 0.05)/0.05, with white 1.05/(L + 0.05): equal at L ~ 0.179.
    return "black" if luminance > 0.179 else "white"


def auto_fmt(values):
    """A format string that prints every value of a small array legibly.

    Whole numbers print without decimals; others with at most two.

    Examples
    --------
    >>> auto_fmt(np.array([1.0, 2.0])), auto_fmt(np.array([0.5, 0.25]))
    ('{:.0f}', '{:.2f}')
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0 or np.allclose(finite, np.round(finite)):
        return "{:.0f}"
    if np.abs(finite).max() >= 100:
        return "{:.0f}"
    if np.abs(finite).max() >= 10:
        return "{:.1f}"
    return "{:.2f}"


def format_value(fmt, value):
    """Format a number, printing ``-0`` as ``0``."""
    text = fmt.format(value)
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text


def outline(ax, row, col, height, width, colour=ORANGE, linestyle="-", linewidth=2.5, inset=0.0):
    """Outline the cells ``[row, row+height) x [col, col+width)`` of an imshow'd grid.

    A black halo under the coloured line keeps the outline visible on both light
    and dark cells, and in greyscale print.
    """
    x0, y0 = col - 0.5 + inset, row - 0.5 + inset
    w, h = width - 2 * inset, height - 2 * inset
    ax.add_artist(Rectangle((x0, y0), w, h, fill=False, edgecolor="black",
                           linewidth=linewidth + 1.2, linestyle="-", zorder=4))
    ax.add_artist(Rectangle((x0, y0), w, h, fill=False, edgecolor=colour,
                           linewidth=linewidth, linestyle=linestyle, zorder=5))


def cell_colours(values, cmap, vmin, vmax):
    """RGBA colour of every cell as imshow would draw it, shape values.shape + (4,)."""
    from matplotlib import colormaps

    cmap = colormaps[cmap] if isinstance(cmap, str) else cmap
    norm = Normalize(vmin=vmin, vmax=vmax)
    return cmap(norm(np.ma.masked_invalid(values)))


def hide_ticks(ax):
    ax.set_xticks([])
    ax.set_yticks([])


def register_notebook_display():
    """Let IPython show a bare :class:`~matplotlib.figure.Figure` as a PNG.

    Figures made without pyplot have no display hook of their own; this adds
    one (idempotent) when running inside IPython, and does nothing elsewhere.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is always there in the book
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, figure_for_display)


def figure_for_display(fig):
    """A figure as IPython shows it: PNG at twice its resolution, displayed at its own size.

    The width and height in the metadata are the figure's size in CSS pixels,
    so the image stays crisp on high-density screens and when zoomed, in
    Jupyter and in the web book alike.

    Returns
    -------
    (bytes, dict)
        The PNG, and ``{"width": ..., "height": ...}`` in pixels at 1x.

    Examples
    --------
    >>> png, size = figure_for_display(new_figure(2, 1, dpi=100))
    >>> size
    {'width': 200, 'height': 100}
    >>> png[16:24] == (400).to_bytes(4, "big") + (200).to_bytes(4, "big")  # the PNG is 400 x 200
    True
    """
    width, height = fig.get_size_inches()
    return figure_to_png(fig, dpi=2 * fig.dpi), {"width": int(round(width * fig.dpi)),
                                                  "height": int(round(height * fig.dpi))}
