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

#: One colour, line style and marker per curve (runs, networks): the curves stay
#: distinct in greyscale print and for colour-blind readers.
LINE_STYLES = (
    (BLUE, "-", "o"),
    (VERMILLION, "--", "s"),
    (GREEN, ":", "^"),
    (ORANGE, "-.", "D"),
    (PURPLE, (0, (5, 1, 1, 1)), "v"),
    (SKY, (0, (1, 2)), "x"),
)
#: Colour maps that print readably in grey and suit colour-blind readers.
SEQUENTIAL = ("gray", "gray_r", "viridis", "cividis", "magma", "inferno", "Greys")
#: Diverging map for signed values (gradients, filters); 'PuOr' stays readable
#: for colour-blind readers and sign is also printed as the number itself.
DIVERGING = "PuOr"

DPI = 80


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
