"""Figures for hand-made filters and for how a convolutional layer is wired.

* :func:`show_grids` -- several small annotated matrices in one row (a crop,
  a kernel, a response), each with its own colours.
* :func:`show_responses` -- a photo, and under each filter (printed as numbers)
  the activation map it produces.
* :func:`draw_fibre` -- the input volume, one patch through its whole depth,
  and the output fibre of K numbers that the K filters compute from it; next to
  it, one filter reused at every position (parameter sharing).
"""

import numpy as np
from matplotlib.patches import Polygon

from ._base import (
    BLUE,
    DIVERGING,
    OUTLINE_COLOURS,
    ORANGE,
    MIN_TEXT_PT,
    VERMILLION,
    auto_fmt,
    hide_ticks,
    new_figure,
    number_width_in,
    text_width_in,
)
from .grids import show_grid

__all__ = ["show_grids", "show_responses", "common_denominator", "draw_fibre"]


def _is_signed(values):
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return finite.size > 0 and finite.min() < 0 < finite.max()


def _symmetric(values):
    top = float(np.nanmax(np.abs(values))) if np.size(values) else 1.0
    return -(top or 1.0), (top or 1.0)


def show_grids(grids, titles=None, *, cmaps=None, highlight=None, fmt="auto", cell=0.36):
    """Several small matrices side by side, numbers printed, each on its own colour scale.

    Signed grids default to the diverging 'PuOr' map centred on zero, others to 'gray'.

    Parameters
    ----------
    grids : sequence of array_like, each shape (H_i, W_i)
    titles : sequence of str, optional
    cmaps : sequence of str, optional
        One colour map per grid; default chosen from the signs as above.
    highlight : sequence, optional
        One ``highlight`` argument of :func:`cnnbook.plots.show_grid` per grid (or None).
    fmt : str
        Number format, 'auto' per grid by default.
    cell : float
        Smallest size of one cell in inches; a grid's cells grow to hold its
        numbers at the caption's size. Grids that do not fit the book's column
        (8.3 inches) side by side continue on a new row.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per grid, in order.

    Examples
    --------
    >>> fig = show_grids([np.eye(3), -np.eye(2)], ['identity', 'minus'])
    >>> [ax.get_title() for ax in fig.axes]
    ['identity', 'minus']
    """
    arrays = [np.atleast_2d(np.asarray(g, dtype=float)) for g in grids]
    if not arrays or any(a.ndim != 2 for a in arrays):
        raise ValueError(f"grids must be a non-empty sequence of 2-D arrays, got shapes {[np.shape(g) for g in grids]}")
    n = len(arrays)
    titles = list(titles) if titles is not None else [""] * n
    cmaps = list(cmaps) if cmaps is not None else [DIVERGING if _is_signed(a) else "gray" for a in arrays]
    highlight = list(highlight) if highlight is not None else [None] * n
    for name, seq in (("titles", titles), ("cmaps", cmaps), ("highlight", highlight)):
        if len(seq) != n:
            raise ValueError(f"{name} must have one entry per grid ({n}), got {len(seq)}")
    fmts = [auto_fmt(a) if fmt == "auto" else fmt for a in arrays]
    # Per grid, in inches: a cell as wide as its widest number (plus a margin),
    # and a slot as wide as the grid or its title.
    cells = [max(cell, 0.12 + number_width_in(a[np.isfinite(a)], f))
             if np.isfinite(a).any() else cell for a, f in zip(arrays, fmts)]
    slots = [max(a.shape[1] * c, text_width_in(t)) for a, c, t in zip(arrays, cells, titles)]
    gap, width_max, title_h = 0.35, 8.3, 0.4
    rows, row = [], []
    for k, w in enumerate(slots):
        if row and sum(slots[i] + gap for i in row) + w > width_max:
            rows.append(row)
            row = []
        row.append(k)
    rows.append(row)
    row_h = [max(arrays[k].shape[0] * cells[k] for k in r) + title_h for r in rows]
    width = max(sum(slots[k] + gap for k in r) - gap for r in rows) + 0.1
    height = sum(row_h) + 0.1
    fig = new_figure(width, height)
    top = height
    for r, h_row in zip(rows, row_h):
        x = 0.05 + (width - 0.1 - (sum(slots[k] + gap for k in r) - gap)) / 2
        for k in r:
            a = arrays[k]
            h, w = a.shape[0] * cells[k], a.shape[1] * cells[k]
            ax = fig.add_axes(((x + (slots[k] - w) / 2) / width,
                               (top - title_h - (h_row - title_h + h) / 2) / height, w / width, h / height))
            lo, hi = _symmetric(a) if cmaps[k] == DIVERGING else (None, None)
            show_grid(a, ax=ax, cmap=cmaps[k], vmin=lo, vmax=hi, fmt=fmts[k], highlight=highlight[k],
                      fontsize=MIN_TEXT_PT)
            ax.set_title(titles[k], fontsize=MIN_TEXT_PT)
            x += slots[k] + gap
        top -= h_row
    return fig


def common_denominator(kernel, largest=1024):
    """The smallest m <= largest such that m * kernel is all whole numbers, else None.

    Used to print small fractional weights legibly, as whole numbers times 1/m.

    Examples
    --------
    >>> common_denominator(np.full((3, 3), 1 / 9))
    9
    >>> common_denominator(np.array([[1.0, -2.0]])) is None  # already whole
    True
    >>> common_denominator(np.array([[0.3183]])) is None      # no small m
    True
    """
    k = np.asarray(kernel, dtype=float)
    if np.allclose(k, np.round(k)):
        return None
    for m in range(2, largest + 1):
        scaled = k * m
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return m
    return None


def show_responses(image, kernels, responses, titles=None, *, ncols=3, fontsize=MIN_TEXT_PT):
    """A photo, then for each filter its weights (as numbers) above its activation map.

    Weights that are all whole multiples of one fraction ``1/m`` (a box blur's
    ``1/25``) are printed as the whole numbers, with ``× 1/m`` under the
    grid, so that even a 5×5 kernel stays readable.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        The grey input photo.
    kernels : sequence of ndarray, each shape (KH, KW)
    responses : sequence of ndarray, each shape (H_out, W_out)
        The activation map of each kernel (computed by the caller, e.g. with
        :func:`cnnbook.conv2d`). Maps of kernels whose weights sum to zero
        (edge detectors: zero on flat regions) are drawn with 'PuOr' centred
        on zero (orange negative, purple positive), clipped at the 98th
        percentile of their magnitude so that thin edges stay visible; the
        others are images, drawn in grey on the input's range.
    titles : sequence of str, optional
    ncols : int
        Blocks per row (the photo is the first block); the figure is 8.3
        inches wide, the book's text column.
    fontsize : float
        Titles and weights, in points (the caption's size by default).

    Returns
    -------
    matplotlib.figure.Figure
        Axes: the photo, then per filter its kernel and its response below it.

    Examples
    --------
    >>> img = np.zeros((8, 8)); img[:, 4:] = 1
    >>> k = np.array([[1.0, -1.0]])
    >>> fig = show_responses(img, [k], [img[:, :-1] - img[:, 1:]], ['difference'])
    >>> len(fig.axes), fig.axes[1].get_title()
    (3, 'difference')
    """
    kernels = [np.asarray(k, dtype=float) for k in kernels]
    responses = [np.asarray(r, dtype=float) for r in responses]
    if len(kernels) != len(responses):
        raise ValueError(f"kernels and responses must have the same length, got {len(kernels)} and {len(responses)}")
    n = len(kernels)
    titles = list(titles) if titles is not None else [f"filter {i}" for i in range(n)]
    if len(titles) != n:
        raise ValueError(f"titles must have one entry per kernel ({n}), got {len(titles)}")
    image = np.asarray(image)
    H, W = image.shape[:2]
    ncols = max(1, min(ncols, n + 1))
    nrows = -(-(n + 1) // ncols)
    col_w = 8.3 / ncols                                # inches
    title_h = 1.6 * fontsize / 72                      # a title line
    kernel_h = 1.75                                    # room for a 5x5 kernel's whole numbers
    img_w = min(0.94 * col_w, 1.9)
    img_h = img_w * H / W
    block_h = title_h + kernel_h + 1.4 * title_h + img_h + 0.15   # a block: title, kernel, "× 1/m", map
    width, height = 8.3, nrows * block_h
    lo_img, hi_img = float(np.min(image)), float(np.max(image))
    fig = new_figure(width, height)

    def block(b):
        """Left edge and bottom of block ``b``, in inches (row-major, first row on top)."""
        r, c = divmod(b, ncols)
        return c * col_w, (nrows - 1 - r) * block_h

    def map_axes(b):
        x0, y0 = block(b)
        return fig.add_axes(((x0 + (col_w - img_w) / 2) / width, (y0 + 0.05) / height,
                             img_w / width, img_h / height))

    ax = map_axes(0)
    ax.imshow(image, cmap="gray", interpolation="nearest")
    hide_ticks(ax)
    ax.set_title("input", fontsize=fontsize)
    for b, (k, r, title) in enumerate(zip(kernels, responses, titles), start=1):
        x0, y0 = block(b)
        kh, kw = k.shape
        kcell = min(kernel_h / kh, 0.94 * col_w / kw)
        ax_k = fig.add_axes(((x0 + col_w / 2 - kw * kcell / 2) / width,
                             (y0 + 0.05 + img_h + 1.4 * title_h + kernel_h - kh * kcell) / height,
                             kw * kcell / width, kh * kcell / height))
        lo, hi = _symmetric(k)
        m = common_denominator(k)
        shown = np.round(k * m) if m else k
        show_grid(shown, ax=ax_k, cmap=DIVERGING, vmin=lo * (m or 1), vmax=hi * (m or 1), fmt=auto_fmt(shown),
                  fontsize=fontsize)
        ax_k.set_title(title, fontsize=fontsize)
        if m:
            ax_k.set_xlabel(f"× 1/{m}", fontsize=fontsize, labelpad=2)
        ax_r = map_axes(b)
        if abs(k.sum()) < 1e-9 * max(1.0, np.abs(k).sum()):
            limit = float(np.percentile(np.abs(r), 98)) or 1.0
            ax_r.imshow(r, cmap=DIVERGING, vmin=-limit, vmax=limit, interpolation="nearest")
        else:
            ax_r.imshow(r, cmap="gray", vmin=lo_img, vmax=hi_img, interpolation="nearest")
        hide_ticks(ax_r)
    return fig


def _slab(ax, x0, y0, w, h, shift, depth, colour="#e8e8e8", edge="black"):
    """A box seen in oblique projection: `depth` stacked faces, the front one at (x0, y0)."""
    for d in range(depth - 1, -1, -1):
        dx, dy = d * shift, d * shift
        ax.add_patch(Polygon([(x0 + dx, y0 + dy), (x0 + w + dx, y0 + dy), (x0 + w + dx, y0 + h + dy),
                              (x0 + dx, y0 + h + dy)], closed=True, facecolor=colour if d else "#f7f7f7",
                             edgecolor=edge, linewidth=0.7, zorder=1 + (depth - d) * 0.01))


def _grid_lines(ax, x0, y0, rows, cols, cell):
    for r in range(1, rows):
        ax.plot([x0, x0 + cols * cell], [y0 + r * cell] * 2, color="#b0b0b0", linewidth=0.4, zorder=2)
    for c in range(1, cols):
        ax.plot([x0 + c * cell] * 2, [y0, y0 + rows * cell], color="#b0b0b0", linewidth=0.4, zorder=2)


def draw_fibre(C=3, K=4, size=7, F=3, position=(2, 3)):
    """Local connectivity and parameter sharing, drawn as volumes.

    Left: the input volume (size x size x C) with one F x F x C patch, and the
    output volume ((size-F+1)^2 x K) with the fibre (column) of K numbers that the K
    filters compute from that one patch. Right: one filter reused at two positions,
    giving two numbers of the same activation map.

    Parameters
    ----------
    C : int
        Input depth.
    K : int
        Number of filters (output depth).
    size : int
        Input height and width.
    F : int
        Filter size.
    position : (int, int)
        Output position (i, j) of the highlighted fibre.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: 'local connectivity' and 'parameter sharing'.

    Examples
    --------
    >>> fig = draw_fibre()
    >>> [ax.get_title().split(':')[0] for ax in fig.axes]
    ['local connectivity', 'parameter sharing']
    """
    n_out = size - F + 1
    i, j = position
    if not (0 <= i < n_out and 0 <= j < n_out):
        raise ValueError(f"position must be inside the {n_out}x{n_out} output, got position={position!r}")
    # One panel above the other: side by side, the labels at the caption's size would collide.
    fig = new_figure(8.3, 7.0)
    shift, cell = 0.55, 1.0
    panels = []
    for p, title in enumerate((f"local connectivity: one {F}×{F}×{C} patch → a fibre of {K} numbers",
                               "parameter sharing: one filter, every position → one map")):
        ax = fig.add_axes((0.01, 0.53 - p * 0.5, 0.98, 0.41))
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title, fontsize=MIN_TEXT_PT)
        panels.append(ax)
    gap = 4.0
    out_x = size * cell + (C - 1) * shift + gap
    for p, ax in enumerate(panels):
        depth_out = K if p == 0 else 1
        # input volume: C slabs; the front face (channel 0) carries the grid
        _slab(ax, 0, 0, size * cell, size * cell, shift, C)
        _grid_lines(ax, 0, 0, size, size, cell)
        _slab(ax, out_x, (size - n_out) / 2, n_out * cell, n_out * cell, shift, depth_out)
        _grid_lines(ax, out_x, (size - n_out) / 2, n_out, n_out, cell)
        ax.text(size * cell / 2, -0.8, f"input {size}×{size}×{C}", ha="center", va="top", fontsize=MIN_TEXT_PT)
        label = f"output {n_out}×{n_out}×{K}" if p == 0 else f"one map {n_out}×{n_out}"
        ax.text(out_x + n_out * cell / 2, (size - n_out) / 2 - 0.8, label, ha="center", va="top",
                fontsize=MIN_TEXT_PT)
        ax.set_xlim(-0.5, out_x + n_out * cell + K * shift + 0.5)
        ax.set_ylim(-2.0, size * cell + C * shift + 0.6)
    # Rows are counted from the top in images; y grows upwards in these axes.

    def patch_corner(r, c, d):
        return c * cell + d * shift, (size - r - F) * cell + d * shift

    def out_cell(r, c, d):
        y0 = (size - n_out) / 2
        return out_x + c * cell + d * shift, y0 + (n_out - r - 1) * cell + d * shift

    ax = panels[0]
    # The patch is a block through the whole depth: front face on channel 0,
    # top and right faces reaching back to channel C-1.
    px, py = patch_corner(i, j, 0)
    back = (C - 1) * shift
    faces = (
        [(px, py + F), (px + F, py + F), (px + F + back, py + F + back), (px + back, py + F + back)],
        [(px + F, py), (px + F + back, py + back), (px + F + back, py + F + back), (px + F, py + F)],
        [(px, py), (px + F, py), (px + F, py + F), (px, py + F)],
    )
    for face, tone in zip(faces, ("#f0c09c", "#e8a878", "#f6d3bd")):
        ax.add_patch(Polygon(face, closed=True, facecolor=tone, edgecolor=ORANGE, linewidth=1.6,
                             alpha=0.9, zorder=3))
    # No labels on the drawing itself: at the caption's size they would cover the volumes; the
    # title names the patch and the fibre.
    for k in range(K - 1, -1, -1):  # the fibre: one cell in each of the K maps
        x0, y0 = out_cell(i, j, k)
        ax.add_patch(Polygon([(x0, y0), (x0 + 1, y0), (x0 + 1, y0 + 1), (x0, y0 + 1)], closed=True,
                             facecolor=OUTLINE_COLOURS[k % len(OUTLINE_COLOURS)], edgecolor="black",
                             linewidth=0.8, zorder=3 + 0.01 * (K - k)))
    fx, fy = out_cell(i, j, 0)
    ax.annotate("", xy=(fx, fy + 0.5), xytext=(px + F + back, py + F / 2 + back / 2), zorder=6,
                arrowprops=dict(arrowstyle="->", color=BLUE, linewidth=1.3))

    ax = panels[1]
    for n, (r, c) in enumerate(((0, 0), (i, j))):
        x0, y0 = patch_corner(r, c, 0)
        colour = (VERMILLION, ORANGE)[n]
        ax.add_patch(Polygon([(x0, y0), (x0 + F, y0), (x0 + F, y0 + F), (x0, y0 + F)], closed=True,
                             fill=False, edgecolor=colour, linewidth=1.8, linestyle=("-", "--")[n], zorder=4))
        ox, oy = out_cell(r, c, 0)
        ax.add_patch(Polygon([(ox, oy), (ox + 1, oy), (ox + 1, oy + 1), (ox, oy + 1)], closed=True,
                             facecolor=colour, edgecolor="black", linewidth=0.8, zorder=4))
        ax.annotate("", xy=(ox + 0.5, oy + 0.5), xytext=(x0 + F, y0 + F / 2), zorder=6,
                    arrowprops=dict(arrowstyle="->", color=colour, linewidth=1.3, linestyle=("-", "--")[n]))
    ax.text(out_x + n_out * cell / 2, size * cell + 0.2, "same weights w\nat both positions", ha="center",
            va="bottom", fontsize=MIN_TEXT_PT)
    return fig
