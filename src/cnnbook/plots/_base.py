"""Shared helpers for every figure: figure creation, PNG export, colours, outlines.

Figures are built with matplotlib's object API (``matplotlib.figure.Figure``),
never with ``pyplot``: nothing is registered in a global figure manager, so a
figure is freed as soon as it is no longer referenced, nothing needs closing,
and the code runs the same on a headless machine (Agg) as in a notebook.

Text size. No text in a displayed figure is smaller than a figure caption of
the web book (:data:`MIN_TEXT_PX`, 16 CSS px). An image shows at its own size
in CSS pixels, scaled down to the text column (:data:`COLUMN_PX`) when wider,
so a text of ``size_pt`` points displays at::

    size_px = size_pt * dpi / 72 * min(1, COLUMN_PX / width_px)

The minimum is enforced in one place, when a figure is displayed:
:func:`figure_for_display` raises every text below it to (just over) the
minimum, keeps larger text as it is, and shows the drawn content with a small
margin, so that no label is cut off at the figure's edge. The figure
functions make room for that: they are at most 8.3 inches wide (the column at
:data:`DPI`), lay out their own text at :data:`MIN_TEXT_PT`, size cells to
hold their numbers (:func:`text_width_in`), and put panels on more rows or
legends under the axes where text at this size would not fit side by side.
:func:`smallest_text_px` measures a figure; the smallest text of each figure
in a chapter is stored with it (``cnnbook_min_text_px``) and checked by
tests/test_figure_text.py.
"""

import base64
import io
import math
import warnings
from numbers import Real

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

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
#: Width in CSS pixels of the web book's text column at 1280 x 800 (the widest an
#: image is shown there); a wider figure is scaled down to it, text and all.
COLUMN_PX = 672
#: Smallest text a displayed figure may show, in CSS pixels: the font size of a
#: figure caption (``figcaption``) in the web book, measured in Chromium.
MIN_TEXT_PX = 16
#: The same in points on a figure at :data:`DPI` that fits the column (14.4 pt):
#: figures lay out their own text (cell numbers, titles) at this size.
MIN_TEXT_PT = MIN_TEXT_PX * 72 / DPI


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


def text_width_in(text, fontsize=None):
    """Width of a one-line text in inches, at ``fontsize`` points (default :data:`MIN_TEXT_PT`).

    For laying out cells and panels before drawing (DejaVu Sans, matplotlib's font).

    Examples
    --------
    >>> round(text_width_in("0.13"), 2)       # four characters at the caption's size
    0.42
    """
    from matplotlib.textpath import TextPath

    return float(TextPath((0, 0), text, size=fontsize or MIN_TEXT_PT).get_extents().width) / 72


def number_width_in(values, fmt):
    """Width in inches of the widest of ``values`` printed with ``fmt`` at :data:`MIN_TEXT_PT`; 0 for none.

    What a cell must hold (plus a margin) so that its number fits at the caption's size.

    Examples
    --------
    >>> number_width_in(np.array([0.5, -0.25]), "{:.2f}") == text_width_in("-0.25")
    True
    >>> number_width_in(np.array([]), "{:.2f}")
    0.0
    """
    return max((text_width_in(format_value(fmt, v)) for v in np.asarray(values).ravel()), default=0.0)


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


class _TextRecorder(RendererAgg):
    """An Agg renderer that paints nothing and notes every text it is asked to draw.

    Matplotlib lays the figure out exactly as for a PNG (text metrics come from
    Agg), and only text that would really be drawn reaches ``draw_text``: it is
    visible, non-empty, inside a visible parent, and (for tick labels) at a tick
    within the axis limits.
    """

    def __init__(self, fig):
        super().__init__(fig.bbox.width, fig.bbox.height, fig.dpi)
        self.drawn = []  # (FontProperties, string) per text line
        # Agg binds these to its C++ renderer per instance; replace them with no-ops.
        for name in ("draw_gouraud_triangles", "draw_image", "draw_markers",
                     "draw_path_collection", "draw_quad_mesh"):
            setattr(self, name, _draw_nothing)

    def draw_path(self, gc, path, transform, rgbFace=None):
        pass

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        self.drawn.append((prop, s))

    def draw_tex(self, gc, x, y, s, prop, angle, *, mtext=None):
        self.drawn.append((prop, s))


def _draw_nothing(*args, **kwargs):
    pass


#: Margin kept around the drawn content when a figure is displayed, in inches.
PAD_INCHES = 0.05


def display_scale(width_px, column_px=COLUMN_PX):
    """How much the web book scales an image down: 1 if it fits the column.

    Examples
    --------
    >>> display_scale(320), display_scale(840)
    (1.0, 0.8)
    >>> display_scale(0)
    Traceback (most recent call last):
    ...
    ValueError: width_px must be a positive number of pixels, got width_px=0
    """
    for name, value in (("width_px", width_px), ("column_px", column_px)):
        if isinstance(value, bool) or not isinstance(value, Real) or not value > 0:
            raise ValueError(f"{name} must be a positive number of pixels, got {name}={value!r}")
    return min(1.0, float(column_px) / float(width_px))


def _check_figure(fig, column_px):
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}: {fig!r:.80}")
    display_scale(1, column_px)   # checks column_px


def _measure(fig, column_px):
    """Draw the layout without painting: every text line drawn, and the displayed box.

    Returns ``(drawn, box)``: ``drawn`` lists ``(size_px, text, FontProperties)``
    for each non-blank text line, and ``box`` is the tight bounding box of
    everything drawn, padded by :data:`PAD_INCHES` (inches), which is what
    :func:`figure_for_display` shows.
    """
    _check_figure(fig, column_px)
    recorder = _TextRecorder(fig)
    fig.draw(recorder)
    box = fig.get_tightbbox(recorder).padded(PAD_INCHES)
    px_per_pt = fig.dpi / 72 * display_scale(box.width * fig.dpi, column_px)
    drawn = [(prop.get_size_in_points() * px_per_pt, s, prop) for prop, s in recorder.drawn if s.strip()]
    return drawn, box


def drawn_text_px(fig, column_px=COLUMN_PX):
    """Every text line the figure draws, with its displayed size in CSS pixels.

    Draws the figure's layout without rendering pixels (as
    ``Figure.draw_without_rendering`` does) and notes each text line drawn:
    titles, axis and tick labels, legends, annotations, texts in cells,
    colorbar ticks. Whitespace-only text is left out.

    Returns
    -------
    list of (float, str)
        ``(size_px, text)`` in drawing order, where ``size_px = points * dpi / 72
        * display_scale(width_px, column_px)`` and ``width_px`` is the width of
        the displayed image: the drawn content plus :data:`PAD_INCHES`.
    """
    drawn, _ = _measure(fig, column_px)
    return [(size, s) for size, s, _ in drawn]


def smallest_text_px(fig, column_px=COLUMN_PX):
    """The smallest text of a figure as the web book displays it, in CSS pixels.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    column_px : float
        Width of the text column; a wider image is shown scaled down to it.

    Returns
    -------
    float
        ``points * dpi / 72 * min(1, column_px / width_px)`` of the smallest
        drawn text, or ``inf`` if the figure draws no text; ``width_px`` is the
        width of the displayed image (see :func:`drawn_text_px`).

    Examples
    --------
    A 9 pt text at 80 dpi, on a figure narrower than the column:

    >>> fig = new_figure(4, 3)
    >>> fig.add_axes((0, 0, 1, 1)).set_axis_off()     # content fills the figure
    >>> _ = fig.text(0.5, 0.5, "a note", fontsize=9)
    >>> smallest_text_px(fig)                      # 9 * 80 / 72
    10.0

    The image is 4.1 inches wide (328 px, with the margin); in a column half
    as wide it is shown at half its size:

    >>> smallest_text_px(fig, column_px=164)
    5.0
    """
    sizes = [size for size, _ in drawn_text_px(fig, column_px)]
    return min(sizes, default=float("inf"))


def _points_for(min_px, px_per_pt):
    """The font size in points that displays at ``min_px``: in 0.01 pt steps, never below, and a
    little over, so that a box widened by the larger text (shown a little smaller) needs no extra round."""
    return math.ceil(min_px * 1.005 / px_per_pt * 100) / 100


def _enlarge(fig, min_px, column_px):
    """:func:`enlarge_small_text`, returning also the displayed box of the result."""
    if not min_px > 0:
        raise ValueError(f"min_px must be positive, got {min_px!r}")
    for round_ in range(7):
        drawn, box = _measure(fig, column_px)
        small = {id(prop) for size, _, prop in drawn if size < min_px - 1e-6}
        smallest = min((size for size, _, _ in drawn), default=float("inf"))
        if not small:
            return smallest, box
        if round_ == 6:
            # Text that widens the image as fast as it grows never gets there:
            # the figure needs a new layout. Say so, and show it as it is.
            warnings.warn(f"figure text still displays at {smallest:.1f} px, below {min_px} px, "
                          "after six rounds of enlarging: give the figure more room", stacklevel=3)
            return smallest, box
        min_pt = _points_for(min_px, fig.dpi / 72 * display_scale(box.width * fig.dpi, column_px))
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                for which, ticks in (("major", axis.majorTicks), ("minor", axis.minorTicks)):
                    labels = [label for tick in ticks for label in (tick.label1, tick.label2)]
                    if any(id(label.get_fontproperties()) in small for label in labels):
                        axis.set_tick_params(which=which, labelsize=min_pt)
        for text in fig.findobj(Text):
            if id(text.get_fontproperties()) in small:
                text.set_fontsize(min_pt)


def enlarge_small_text(fig, min_px=MIN_TEXT_PX, column_px=COLUMN_PX):
    """Raise every text that would display below ``min_px`` to (just over) ``min_px``.

    Text already large enough keeps its size. Tick labels are enlarged through
    ``Axis.set_tick_params``, so ticks created by a later draw get the same size.
    The layout is drawn again after each round (a constrained layout makes room
    for the larger text, new ticks may appear, a wider image is shown smaller),
    until nothing is below the minimum.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Changed in place.
    min_px : float
        Smallest displayed text size, in CSS pixels.
    column_px : float
        Width of the text column (see :func:`display_scale`).

    Returns
    -------
    float
        :func:`smallest_text_px` of the figure afterwards (``inf`` if no text).

    Examples
    --------
    >>> fig = new_figure(4, 3)
    >>> ax = fig.add_subplot()
    >>> _ = ax.set_title("title", fontsize=9)
    >>> round(enlarge_small_text(fig, min_px=16), 1)     # 16 px = 14.4 pt at 80 dpi
    16.1
    >>> ax.title.get_fontsize(), ax.xaxis.get_ticklabels()[0].get_fontsize()
    (14.48, 14.48)
    """
    return _enlarge(fig, min_px, column_px)[0]


def _raise_to_minimum_pt(fig, min_px, column_px):
    """Without drawing: raise every text below ``min_px`` at the figure's own width.

    A first guess that is right for most figures (no label outside the
    figure), so that :func:`figure_for_display` needs a single draw.
    """
    min_pt = _points_for(min_px, fig.dpi / 72 * display_scale(fig.get_figwidth() * fig.dpi, column_px))
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for which, ticks in (("major", axis.get_major_ticks()), ("minor", axis.get_minor_ticks())):
                if ticks and ticks[0].label1.get_fontsize() < min_pt:
                    axis.set_tick_params(which=which, labelsize=min_pt)
    for text in fig.findobj(Text):
        if text.get_fontsize() < min_pt:
            text.set_fontsize(min_pt)


def _render_recording_text(fig, dpi):
    """Draw ``fig`` once at ``dpi`` with Agg.

    Returns the RGBA pixels, every non-blank text line drawn as ``(FontProperties,
    text)``, and whether all those texts lie inside the image (Agg drops a glyph
    that would cross the edge, so the pixels cannot tell).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    original_canvas, original_dpi = fig.canvas, fig.dpi
    drawn = []
    try:
        fig.dpi = dpi
        renderer = FigureCanvasAgg(fig).get_renderer()

        def draw_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
            drawn.append((prop, s))
            RendererAgg.draw_text(renderer, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

        renderer.draw_text = draw_text
        fig.draw(renderer)
        rgba = np.array(renderer.buffer_rgba())
        drawn = [(prop, s) for prop, s in drawn if s.strip()]
        ids = {id(prop) for prop, _ in drawn}
        canvas = fig.bbox.padded(-1)
        inside = all(canvas.contains(*box.min) and canvas.contains(*box.max)
                     for box in (t.get_window_extent(renderer) for t in fig.findobj(Text)
                                 if id(t.get_fontproperties()) in ids))
    finally:
        fig.dpi = original_dpi
        fig.set_canvas(original_canvas)
    return rgba, drawn, inside


def _crop_to_content(rgba, background, pad):
    """The pixels with the background around the drawing cut to ``pad``; None if it touches an edge.

    A drawing that reaches the edge of the figure may be cut off there: the
    caller then draws again with a tight bounding box.
    """
    content = np.any(rgba != background, axis=2)
    if not content.any():
        return rgba
    if content[0].any() or content[-1].any() or content[:, 0].any() or content[:, -1].any():
        return None
    rows, cols = np.flatnonzero(content.any(axis=1)), np.flatnonzero(content.any(axis=0))
    top, left = max(rows[0] - pad, 0), max(cols[0] - pad, 0)
    bottom, right = rows[-1] + 1 + pad, cols[-1] + 1 + pad
    bottom += (bottom - top) % 2                     # even sizes: a whole number of CSS pixels
    right += (right - left) % 2
    out = np.empty((bottom - top, right - left, 4), dtype=rgba.dtype)
    out[:] = background                              # where the margin reaches past the figure
    crop = rgba[top:bottom, left:right]
    out[:crop.shape[0], :crop.shape[1]] = crop
    return out


def _png(rgba):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, format="png")
    return buf.getvalue()


def figure_for_display(fig):
    """A figure as IPython shows it: text at least the caption size, PNG at twice its resolution.

    Text that the web book would show below :data:`MIN_TEXT_PX` is raised to
    it (this changes ``fig``), and the image is the drawn content plus a margin
    of :data:`PAD_INCHES`, so no label is cut off at the figure's edge:

    1. raise small text, judged at the figure's own width (no drawing needed);
    2. draw once at twice the resolution, noting every text line drawn;
    3. if the drawing stays inside the figure and every text displays at the
       minimum in the cropped image, crop the margins: done (most figures);
    4. otherwise :func:`enlarge_small_text`, which measures the drawn layout,
       and draw again with ``bbox_inches`` set to the drawing's tight box.

    The width and height in the metadata are the image's size in CSS pixels,
    so it stays crisp on high-density screens and when zoomed, in Jupyter and
    in the web book alike. ``cnnbook_min_text_px`` records the smallest text
    as displayed (rounded down to 0.1 px; ``None`` if the figure has no text);
    myst-nb uses only ``width`` and ``height`` and ignores it, and
    tests/test_figure_text.py checks it in every stored chapter.

    Returns
    -------
    (bytes, dict)
        The PNG, and ``{"width": ..., "height": ..., "cnnbook_min_text_px": ...}``,
        sizes in pixels at 1x.

    Examples
    --------
    >>> fig = new_figure(2, 1, dpi=100)
    >>> _ = fig.add_artist(Rectangle((0.1, 0.1), 0.8, 0.8, transform=fig.transFigure, color="0.9"))
    >>> _ = fig.text(0.5, 0.5, "a 6 pt note", fontsize=6, ha="center")
    >>> png, size = figure_for_display(fig)
    >>> size                                       # the grey axes and a 5 px margin
    {'width': 172, 'height': 92, 'cnnbook_min_text_px': 16.0}
    >>> png[16:24] == (344).to_bytes(4, "big") + (184).to_bytes(4, "big")  # the PNG is 344 x 184
    True
    """
    _raise_to_minimum_pt(fig, MIN_TEXT_PX, COLUMN_PX)
    rgba, drawn, inside = _render_recording_text(fig, 2 * fig.dpi)
    background = np.round(np.array(to_rgba(fig.get_facecolor())) * 255).astype(np.uint8)
    crop = _crop_to_content(rgba, background, pad=int(round(2 * PAD_INCHES * fig.dpi))) if inside else None
    if crop is not None:
        width, height = crop.shape[1] // 2, crop.shape[0] // 2
        px_per_pt = fig.dpi / 72 * display_scale(width, COLUMN_PX)
        smallest = min((prop.get_size_in_points() * px_per_pt for prop, _ in drawn), default=float("inf"))
    if crop is None or smallest < MIN_TEXT_PX - 1e-6:
        smallest, box = _enlarge(fig, MIN_TEXT_PX, COLUMN_PX)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=2 * fig.dpi, bbox_inches=box)
        png = buf.getvalue()
        width, height = int(round(box.width * fig.dpi)), int(round(box.height * fig.dpi))
    else:
        png = _png(crop)
    return png, {
        "width": width,
        "height": height,
        "cnnbook_min_text_px": math.floor(smallest * 10 + 1e-6) / 10 if math.isfinite(smallest) else None,
    }
