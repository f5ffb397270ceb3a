"""Figures for chapter 2: from fully connected networks to convolutional ones.

* :func:`show_unrolling` -- an image flattened into a vector; neighbours drift apart;
* :func:`connectivity_counts` and :func:`show_connectivity` -- dense, locally
  connected and convolutional layers in 1-D, with their parameter counts;
* :func:`show_templates` -- first-layer weights of a fully connected network as images;
* :func:`show_shift_grids` -- accuracy for every shift (dy, dx), one panel per model;
* :func:`show_equivariance` -- shift then convolve equals convolve then shift.

The shift explorer's picture (a moved digit and what each model predicts) is
drawn by the page side, ``widgets/web/cnnbook-explorers/shift.js``.
"""

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ._base import BLUE, DIVERGING, MIN_TEXT_PT, ORANGE, VERMILLION, hide_ticks, new_figure, outline
from .grids import show_grid

__all__ = [
    "show_unrolling",
    "connectivity_counts",
    "show_connectivity",
    "show_templates",
    "show_shift_grids",
    "show_equivariance",
]


def _image_2d(img, name="img"):
    arr = np.asarray(img, dtype=float)
    if arr.ndim == 3 and arr.shape[0] == 1:
        arr = arr[0]  # (H, W)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (H, W) or (1, H, W), got {name}.shape={np.shape(img)}")
    return arr


def show_unrolling(img, pair=((3, 4), (4, 4)), *, fmt="auto"):
    """An image and the vector a fully connected network sees: its rows laid end to end.

    Two pixels that touch in the image (by default one above the other) are
    outlined in both; in the vector they are a whole row apart.

    Parameters
    ----------
    img : ndarray, shape (H, W) or (1, H, W)
        A small image (8 x 8 digits work well).
    pair : ((int, int), (int, int))
        Two (row, col) positions to outline.
    fmt : str
        Number format for the image's cells (see :func:`show_grid`).

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the image grid (top) and the vector as one long strip
        (bottom), its x-axis labelled with vector indices.

    Examples
    --------
    >>> fig = show_unrolling(np.arange(16.0).reshape(4, 4), pair=((1, 1), (2, 1)))
    >>> fig.axes[1].get_title()
    'the same 16 numbers as a vector:\\npixel (1, 1) -> index 5, pixel (2, 1) -> index 9'
    """
    arr = _image_2d(img)
    H, W = arr.shape
    (r1, c1), (r2, c2) = pair
    for r, c in pair:
        if not (0 <= r < H and 0 <= c < W):
            raise ValueError(f"pair positions must lie inside the {H} x {W} image, got {(r, c)}")
    i1, i2 = r1 * W + c1, r2 * W + c2  # row-major (C order) index of each pixel
    n = H * W
    # Inches: cells of 0.55 in hold "0.00" at the caption's size; the figure fits the column.
    cell = 0.55
    grid_w, grid_h = W * cell, H * cell
    fig_w, fig_h = 8.3, grid_h + 2.25
    fig = new_figure(fig_w, fig_h)
    top = fig.add_axes(((fig_w - grid_w) / 2 / fig_w, 1.85 / fig_h, grid_w / fig_w, grid_h / fig_h))
    show_grid(arr, ax=top, fmt=fmt, highlight=[(r1, c1), (r2, c2)], origin=(0, 0), fontsize=MIN_TEXT_PT)
    top.tick_params(labelsize=MIN_TEXT_PT)
    top.set_title(f"the image, {H}×{W}", fontsize=MIN_TEXT_PT)
    strip = fig.add_axes((0.02, 0.4 / fig_h, 0.96, 0.45 / fig_h))
    strip.imshow(arr.reshape(1, n), cmap="gray", aspect="auto", interpolation="nearest")
    for k in range(1, H):  # mark where each image row starts in the vector
        strip.axvline(k * W - 0.5, color=BLUE, linewidth=1.2)
    for i in (i1, i2):
        outline(strip, 0, i, 1, 1, colour=ORANGE, linewidth=2.0)
    strip.set_yticks([])
    ticks = sorted({0, n - 1, i1, i2} | set(range(0, n, W)))
    strip.set_xticks(ticks, labels=[str(t) for t in ticks])
    strip.tick_params(labelsize=MIN_TEXT_PT)
    strip.set_title(
        f"the same {n} numbers as a vector:\npixel ({r1}, {c1}) -> index {i1}, "
        f"pixel ({r2}, {c2}) -> index {i2}",
        fontsize=MIN_TEXT_PT,
    )
    return fig


def connectivity_counts(n_in, kernel_size):
    """Weights and biases of three 1-D layers mapping ``n_in`` inputs to outputs.

    The local layers use no padding, so they have ``n_out = n_in - kernel_size + 1``
    outputs; the dense layer is given the same number of outputs, so the three
    layers are compared like for like.

    Parameters
    ----------
    n_in : int
    kernel_size : int
        Width of the local window, ``1 <= kernel_size <= n_in``.

    Returns
    -------
    dict
        ``{'n_out': int, 'dense': int, 'local': int, 'conv': int}``: learnable
        numbers (weights + biases) of a dense layer (``n_in*n_out + n_out``), a
        locally connected layer (each output its own window weights and bias:
        ``n_out*(kernel_size + 1)``) and a convolution (one shared window:
        ``kernel_size + 1``).

    Examples
    --------
    >>> connectivity_counts(8, 3)
    {'n_out': 6, 'dense': 54, 'local': 24, 'conv': 4}
    """
    for name, value in (("n_in", n_in), ("kernel_size", kernel_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    if kernel_size > n_in:
        raise ValueError(f"kernel_size must be at most n_in={n_in}, got kernel_size={kernel_size}")
    n_out = n_in - kernel_size + 1
    return {
        "n_out": n_out,
        "dense": n_in * n_out + n_out,
        "local": n_out * (kernel_size + 1),
        "conv": kernel_size + 1,
    }


# Line styles for the kernel taps, so the shared weights of a convolution read
# in greyscale too: tap 0 solid, tap 1 dashed, tap 2 dotted, ...
_TAP_STYLES = ("-", "--", ":", "-.")
_TAP_COLOURS = (ORANGE, BLUE, VERMILLION, "#009E73")


def show_connectivity(n_in=8, kernel_size=3):
    """Three ways to connect ``n_in`` inputs to a layer of units, drawn in 1-D.

    * **dense**: every output unit sees every input, each line its own weight;
    * **locally connected**: each unit sees ``kernel_size`` neighbours, but
      every line still has its own weight (drawn grey: all different);
    * **convolutional**: local, and all units share the same ``kernel_size``
      weights -- lines of the same colour and style are the same number.

    Parameters
    ----------
    n_in : int
    kernel_size : int

    Returns
    -------
    matplotlib.figure.Figure
        Three axes, titled with the parameter count of each layer (from
        :func:`connectivity_counts`).

    Examples
    --------
    >>> fig = show_connectivity(8, 3)
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes]
    ['dense', 'locally connected', 'convolutional']
    """
    counts = connectivity_counts(n_in, kernel_size)
    n_out = counts["n_out"]
    fig = new_figure(8.3, 3.6)
    titles = (
        ("dense", f"{n_in}·{n_out} + {n_out}\n= {counts['dense']} parameters"),
        ("locally connected", f"{n_out}·({kernel_size} + 1)\n= {counts['local']} parameters"),
        ("convolutional", f"(shared weights)\n{kernel_size} + 1 = {counts['conv']} parameters"),
    )
    x_in = np.arange(n_in)
    x_out = np.arange(n_out) + (kernel_size - 1) / 2  # each output centred over its window
    for p, (name, count) in enumerate(titles):
        # The first panel is wider: it carries the 'input' and 'output' labels.
        left = 0.0 if p == 0 else 0.12 + p * 0.293
        ax = fig.add_axes((left, 0.03, 0.12 + 0.293 - 0.01 if p == 0 else 0.283, 0.6))
        for j in range(n_out):
            inputs = range(n_in) if name == "dense" else range(j, j + kernel_size)
            for i in inputs:
                if name.startswith("conv"):
                    tap = i - j
                    style = dict(color=_TAP_COLOURS[tap % 4], linestyle=_TAP_STYLES[tap % 4], linewidth=1.6)
                else:
                    style = dict(color="#7a7a7a", linestyle="-", linewidth=0.7 if name == "dense" else 1.2)
                ax.add_line(Line2D([x_in[i], x_out[j]], [0, 1], zorder=1, **style))
        ax.scatter(x_in, np.zeros(n_in), s=70, color="white", edgecolors="black", zorder=3)
        ax.scatter(x_out, np.ones(n_out), s=70, color="#c8c8c8", edgecolors="black", zorder=3)
        if p == 0:
            ax.text(-0.6, 0, "input", ha="right", va="center", fontsize=MIN_TEXT_PT)
            ax.text(-0.6, 1, "output", ha="right", va="center", fontsize=MIN_TEXT_PT)
        ax.set_xlim(-3.4 if p == 0 else -0.5, n_in - 0.5)
        ax.set_ylim(-0.25, 1.25)
        ax.axis("off")
        ax.set_title(f"{name}\n{count}", fontsize=MIN_TEXT_PT)
    return fig


def show_templates(weight, shape, *, units=8, region=None, ncols=8, dead=None, dead_label="dead",
                   fontsize=MIN_TEXT_PT):
    """First-layer weights of a fully connected network, each unit's row as an image.

    Unit ``k`` computes ``weight[k] @ x``: its row of weights is a template
    laid over the image, one weight per pixel. Reshaping the row to the image
    shape shows which pixels the unit looks at, and with which sign.

    Parameters
    ----------
    weight : ndarray, shape (units_total, H*W)
        ``Linear.params['weight']`` of the first layer.
    shape : (int, int)
        The image shape (H, W).
    units : int
        Show the first ``units`` rows.
    region : ndarray of bool, shape (H, W), optional
        Outline these pixels (e.g. where any training image had ink).
    ncols : int
        Most panels per row; fewer if their titles would not fit the book's
        column side by side.
    dead : ndarray of bool, shape (units_total,), optional
        Units to mark as dead ReLUs (off for every training image, so no
        gradient reached their weights): their panel is hatched grey and titled
        ``dead_label``, so that an empty template is not mistaken for a missing one.
    dead_label : str
        Title line of the dead units (e.g. "nearly dead" for units active on a
        handful of images); the other units are titled "alive".
    fontsize : float
        Size of the titles, in points.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per unit, diverging colours centred on 0 (shared scale).

    Examples
    --------
    >>> fig = show_templates(np.ones((4, 9)), (3, 3), units=4, ncols=4)
    >>> len(fig.axes), fig.axes[0].get_title()
    (4, 'unit 0')
    """
    w = np.asarray(weight, dtype=float)
    H, W = shape
    if w.ndim != 2 or w.shape[1] != H * W:
        raise ValueError(f"weight must have shape (units, {H}*{W}={H * W}), got weight.shape={w.shape}")
    units = min(units, w.shape[0])
    if dead is not None:
        dead = np.asarray(dead, dtype=bool)
        if dead.shape != (w.shape[0],):
            raise ValueError(f"dead must have one entry per unit, shape ({w.shape[0]},), got dead.shape={dead.shape}")
    templates = w[:units].reshape(units, H, W)  # (units, H, W)
    limit = float(np.abs(templates).max()) or 1.0
    # At most as many columns as titles of this size fit in the 8.4-inch column.
    longest = max(len(dead_label), 7) if dead is not None else 7
    title_w = 0.62 * longest * fontsize / 72 + 0.15             # inches, DejaVu Sans
    ncols = min(ncols, units, max(1, int(8.3 // title_w)))
    ncols = -(-units // -(-units // ncols))                      # balance the rows
    nrows = -(-units // ncols)
    panel = min(1.3 * max(1, fontsize / 12), 8.3 / ncols)
    lines = 2 if dead is not None else 1
    title_h = lines * 1.3 * fontsize / 72 + 0.05   # inches for the title lines
    fig = new_figure(ncols * panel, nrows * (panel * H / W + title_h))
    for k in range(units):
        r, c = divmod(k, ncols)
        ax = fig.add_axes((c / ncols + 0.005, 1 - (r + 1) / nrows + 0.01,
                           1 / ncols - 0.01, 1 / nrows - 0.02 - title_h / fig.get_figheight()))
        is_dead = dead is not None and bool(dead[k])
        if is_dead:
            # Hatched grey under a transparent template: "nothing here" is drawn, not left blank.
            ax.set_facecolor("#d8d8d8")
            ax.add_patch(Rectangle((-0.5, -0.5), W, H, facecolor="#d8d8d8", edgecolor="#808080",
                                   hatch="//", linewidth=0, zorder=0))
            ax.imshow(templates[k], cmap=DIVERGING, vmin=-limit, vmax=limit, alpha=0.6,
                      interpolation="nearest", zorder=1)
        else:
            ax.imshow(templates[k], cmap=DIVERGING, vmin=-limit, vmax=limit, interpolation="nearest")
        if region is not None:
            rows, cols = np.nonzero(np.asarray(region, dtype=bool))
            if rows.size:
                r0, c0 = rows.min(), cols.min()
                ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), cols.max() - c0 + 1, rows.max() - r0 + 1,
                                       fill=False, edgecolor="black", linewidth=1.2, linestyle="--"))
        hide_ticks(ax)
        if dead is None:
            ax.set_title(f"unit {k}", fontsize=fontsize)
        else:
            ax.set_title(f"unit {k}\n" + (dead_label if is_dead else "alive"), fontsize=fontsize,
                         color="#a03000" if is_dead else "black")
    return fig


def show_shift_grids(grids, titles, shifts, *, fmt="{:.2f}"):
    """Accuracy for every shift (dy, dx) of the test images, one panel per model.

    Parameters
    ----------
    grids : sequence of ndarray, each shape (len(shifts), len(shifts))
        ``grid[i, j]`` is the accuracy on test images moved down by
        ``shifts[i]`` and right by ``shifts[j]`` pixels.
    titles : sequence of str
        One per grid.
    shifts : sequence of int
        Consecutive integers, e.g. ``range(-2, 3)``.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per model, cividis from 0 (dark) to 1 (light), values printed.

    Examples
    --------
    >>> fig = show_shift_grids([np.eye(3)], ['model'], range(-1, 2))
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_xticklabels()[0].get_text()
    ('dx (pixels right)', '-1')
    """
    shifts = list(shifts)
    grids = [np.asarray(g, dtype=float) for g in grids]
    if len(grids) != len(titles):
        raise ValueError(f"give one title per grid: {len(grids)} grids, {len(titles)} titles")
    for g in grids:
        if g.shape != (len(shifts), len(shifts)):
            raise ValueError(f"each grid must have shape {(len(shifts), len(shifts))}, got {g.shape}")
    n = len(grids)
    # Cells of 0.55 in hold "0.96" at the caption's size: two panels per row fit the column.
    ncols = min(n, 2)
    nrows = -(-n // ncols)
    side = 0.55 * len(shifts)
    panel_w, panel_h = side + 1.35, side + 1.15
    fig = new_figure(ncols * panel_w, nrows * panel_h)
    fig_w, fig_h = fig.get_size_inches()
    for p, (g, title) in enumerate(zip(grids, titles)):
        r, c = divmod(p, ncols)
        ax = fig.add_axes(((c * panel_w + 1.2) / fig_w, ((nrows - 1 - r) * panel_h + 0.8) / fig_h,
                           side / fig_w, side / fig_h))
        show_grid(g, ax=ax, cmap="cividis", vmin=0, vmax=1, fmt=fmt, origin=(shifts[0], shifts[0]),
                  fontsize=MIN_TEXT_PT)
        ax.tick_params(labelsize=MIN_TEXT_PT)
        centre = shifts.index(0) if 0 in shifts else None
        if centre is not None:
            outline(ax, centre, centre, 1, 1, colour=ORANGE, linewidth=1.8)
        ax.set_title(title, fontsize=MIN_TEXT_PT)
        ax.set_xlabel("dx (pixels right)", fontsize=MIN_TEXT_PT)
        ax.set_ylabel("dy (pixels down)", fontsize=MIN_TEXT_PT)
    return fig


def show_equivariance(x, x_shifted, fmap, fmap_shifted, shift):
    """Shift then convolve versus convolve then shift, side by side.

    Panels: the input, the shifted input, the feature map of the input, the
    feature map of the shifted input, and the difference between the latter
    and the shifted feature map (zero wherever convolution is equivariant).

    Parameters
    ----------
    x, x_shifted : ndarray, shape (H, W)
    fmap, fmap_shifted : ndarray, shape (H_out, W_out)
        ``conv(x)`` and ``conv(shift(x))``.
    shift : (int, int)
        (dy, dx) used, for the titles. The difference panel compares
        ``fmap_shifted`` with ``fmap`` moved by the same (dy, dx), with zero fill.

    Returns
    -------
    matplotlib.figure.Figure
        Five axes.

    Examples
    --------
    >>> a = np.zeros((5, 5)); a[2, 2] = 1
    >>> b = np.roll(a, 1, axis=1)
    >>> fig = show_equivariance(a, b, a, b, (0, 1))
    >>> fig.axes[4].get_title()
    'conv(shift(x))\\n− shift(conv(x))\\nmax |difference| = 0'
    """
    x, xs = _image_2d(x, "x"), _image_2d(x_shifted, "x_shifted")
    f, fs = _image_2d(fmap, "fmap"), _image_2d(fmap_shifted, "fmap_shifted")
    dy, dx = shift
    moved = np.zeros_like(f)  # shift(conv(x)) with zero fill, like cnnbook.data.shift
    H, W = f.shape
    y0, y1, x0, x1 = max(dy, 0), min(H, H + dy), max(dx, 0), min(W, W + dx)
    if y0 < y1 and x0 < x1:
        moved[y0:y1, x0:x1] = f[y0 - dy:y1 - dy, x0 - dx:x1 - dx]
    diff = fs - moved
    lo, hi = min(f.min(), fs.min()), max(f.max(), fs.max())
    limit = max(float(np.abs(diff).max()), 1e-12)
    # Two rows (inputs above, feature maps below) so that the titles fit the column.
    fig = new_figure(8.3, 5.4)
    panels = (
        (x, "input x", "gray", None, None, (0, 0)),
        (xs, f"shift(x) by {dy}, {dx}", "gray", None, None, (0, 1)),
        (f, "conv(x)", "viridis", lo, hi, (1, 0)),
        (fs, "conv(shift(x))", "viridis", lo, hi, (1, 1)),
        (diff, f"conv(shift(x))\n− shift(conv(x))\nmax |difference| = {np.abs(diff).max():.2g}",
         DIVERGING, -limit, limit, (1, 2)),
    )
    for values, title, cmap, vmin, vmax, (r, c) in panels:
        ax = fig.add_axes((c / 3 + 0.03, 0.03 if r else 0.53, 1 / 3 - 0.06, 0.36))
        ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        hide_ticks(ax)
        ax.set_title(title, fontsize=MIN_TEXT_PT)
    return fig
