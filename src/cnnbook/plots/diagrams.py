"""Diagrams drawn by code: where the windows of a convolution fall, and LeNet-5.

Sizes in these diagrams are never typed in: they come from
:func:`cnnbook.conv_output_size` and :func:`cnnbook.pool_output_size`, so a
diagram cannot disagree with the arithmetic it illustrates.
"""

from dataclasses import dataclass

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle

from .._validate import pair
from ..shapes import conv_output_size, pool_output_size
from ._base import (
    BLUE,
    MIN_TEXT_PT,
    GREEN,
    OUTLINE_STYLES,
    PURPLE,
    SKY,
    VERMILLION,
    new_figure,
    outline,
)

#: Window outlines avoid orange and vermillion, the colours of the hatch that
#: marks unread pixels, so an outline never blends into a hatched cell.
WINDOW_COLOURS = (BLUE, GREEN, PURPLE, SKY)
#: Font size of every text in these diagrams, in points: at the book's 80 dpi
#: this is about the size of the caption text under the figure.
FONT = 13

__all__ = ["window_geometry", "unread_pixels", "draw_windows", "draw_lenet", "lenet_layers"]


@dataclass(frozen=True)
class AxisWindows:
    """Where the windows fall along one axis of the padded input.

    Attributes
    ----------
    size, pad, kernel, stride, dilation : int
        The settings for this axis.
    extent : int
        Effective kernel size ``dilation*(kernel - 1) + 1``.
    count : int
        Number of windows (the output size); 0 if the kernel does not fit.
    starts : tuple of int
        First padded index of each window.
    covered : int
        Padded indices ``[0, covered)`` are inside some window's extent.
    dropped : int
        Padded indices after the last window that no window reaches (the floor).
    read : tuple of bool
        For every padded index, whether some window reads it (a tap lands on
        it). An index can be unread after the last window (the floor),
        between windows (stride larger than the effective kernel), or in a
        dilation hole. A pixel is read when its row and its column are.
    """

    size: int
    pad: int
    kernel: int
    stride: int
    dilation: int
    extent: int
    count: int
    starts: tuple
    covered: int
    dropped: int
    read: tuple = ()


def _axis_windows(n, k, s, p, d):
    extent = d * (k - 1) + 1
    padded = n + 2 * p
    if extent > padded:
        return AxisWindows(n, p, k, s, d, extent, 0, (), 0, padded, (False,) * padded)
    count = conv_output_size(n, k, s, p, d)
    starts = tuple(i * s for i in range(count))
    covered = starts[-1] + extent
    taps = {start + t * d for start in starts for t in range(k)}
    read = tuple(i in taps for i in range(padded))
    return AxisWindows(n, p, k, s, d, extent, count, starts, covered, padded - covered, read)


def unread_pixels(rows, cols):
    """Boolean mask of the padded input: True where a pixel of the input is read by no window.

    ``rows`` and ``cols`` are the per-axis results of :func:`window_geometry`.
    Padding cells are never marked (nobody misses them).

    Examples
    --------
    >>> rows, cols = window_geometry(8, 8, 1, stride=2)
    >>> int(unread_pixels(rows, cols).sum())  # a 1x1 stride-2 conv reads 16 of 64 pixels
    48
    """
    for name, axis in (("rows", rows), ("cols", cols)):
        if not isinstance(axis, AxisWindows):
            raise TypeError(f"{name} must be an AxisWindows from window_geometry(), got {name}={axis!r}")
    PH, PW = rows.size + 2 * rows.pad, cols.size + 2 * cols.pad
    inside = np.zeros((PH, PW), dtype=bool)
    inside[rows.pad:rows.pad + rows.size, cols.pad:cols.pad + cols.size] = True
    read = np.outer(rows.read, cols.read)  # (PH, PW)
    return inside & ~read


def windows_to_draw(rows, cols):
    """Which windows a picture outlines: all if at most 9, else the first row and column.

    ``rows`` and ``cols`` are the per-axis results of :func:`window_geometry`;
    returns a list of output positions ``(i, j)``. The matplotlib figure and
    the explorer's SVG both use it, so they always show the same windows.
    """
    if rows.count * cols.count <= 9:
        return [(i, j) for i in range(rows.count) for j in range(cols.count)]

    def thin(count):
        return list(range(count)) if count <= 6 else [0, 1, count - 1]

    return sorted({(0, j) for j in thin(cols.count)} | {(i, 0) for i in thin(rows.count)})


def window_geometry(n_h, n_w, kernel, stride=1, padding=0, dilation=1):
    """Per-axis window positions of a convolution; the numbers behind :func:`draw_windows`.

    Parameters
    ----------
    n_h, n_w : int
        Input height and width.
    kernel, stride, dilation : int or (int, int)
    padding : int or (int, int)

    Returns
    -------
    (AxisWindows, AxisWindows)
        Height axis, width axis. ``count`` is 0 on an axis where the kernel
        does not fit the padded input.

    Examples
    --------
    >>> rows, cols = window_geometry(7, 7, 3, stride=3)
    >>> rows.count, rows.starts, rows.dropped
    (2, (0, 3), 1)
    """
    (n_h, n_w) = pair((n_h, n_w), "(n_h, n_w)")
    ks, ss = pair(kernel, "kernel"), pair(stride, "stride")
    ps, ds = pair(padding, "padding", minimum=0), pair(dilation, "dilation")
    return tuple(_axis_windows(n, k, s, p, d) for n, k, s, p, d in zip((n_h, n_w), ks, ss, ps, ds))


def _taps(axis, start):
    return [start + t * axis.dilation for t in range(axis.kernel)]


def draw_windows(n_h, n_w, kernel, stride=1, padding=0, dilation=1, ax=None, *, legend=True,
                 outlined=None):
    """Draw the padded input grid, the windows that fit, and what the floor drops.

    * white cells: the input; grey cells marked ``0``: zero padding;
    * coloured outlines: the windows of ``outlined`` (by default those of the
      first output row and column, all windows when there are at most 9),
      each with its own colour, line style and inset, in colours other than
      the hatch's orange;
    * dots: the top-left tap of every window (the stride grid);
    * filled squares: the cells the first outlined window actually reads
      (with dilation > 1 it skips cells); with dilation > 1 and at most two
      outlined windows, the cells read by the second are marked too, with
      diamonds in its outline's colour;
    * hatched cells: input pixels that no window reads -- after the last
      window (the rounding down, floor, in the output-size formula), between
      windows when the stride is larger than the kernel, and in the holes of
      a dilated kernel (see :func:`unread_pixels`).

    If the kernel does not fit the padded input, the grid is drawn with the
    one window that would stick out, dashed.

    Parameters
    ----------
    n_h, n_w : int
        Input height and width.
    kernel, stride, dilation : int or (int, int)
    padding : int or (int, int)
    ax : matplotlib Axes, optional
    legend : bool
        Draw the key below the grid (the explorer shows it as text instead,
        which redraws faster).
    outlined : sequence of (int, int), optional
        Output positions ``(i, j)`` whose windows are outlined; default
        :func:`windows_to_draw`. Fewer outlines keep overlapping windows
        readable.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = draw_windows(7, 7, 3, stride=3)
    >>> fig.texts[0].get_text()
    '7×7 input, kernel 3×3, stride 3×3 → output 2×2'
    >>> fig = draw_windows(9, 9, 3, stride=4, dilation=2, outlined=[(0, 0), (1, 1)])
    >>> len([p for p in fig.axes[0].patches if p.get_hatch()])  # 56 pixels in an odd row or column
    56
    """
    rows, cols = window_geometry(n_h, n_w, kernel, stride, padding, dilation)
    PH, PW = rows.size + 2 * rows.pad, cols.size + 2 * cols.pad
    fits = rows.count > 0 and cols.count > 0
    if outlined is None:
        outlined = windows_to_draw(rows, cols) if fits else []
    outlined = [tuple(int(v) for v in ij) for ij in outlined]
    for i, j in outlined:
        if not (0 <= i < rows.count and 0 <= j < cols.count):
            raise ValueError(f"outlined window {(i, j)} is not an output position; the output is "
                             f"{rows.count}×{cols.count}, so 0 <= i < {rows.count} and 0 <= j < {cols.count}")
    if ax is None:
        # Lay out in inches: the grid, a title strip above, a legend strip below.
        cell = min(0.45, 4.6 / max(PH, PW, rows.extent, cols.extent))
        grid_w, grid_h = max(PW, cols.extent) * cell, max(PH, rows.extent) * cell
        top, bottom = 0.55, (1.25 if legend else 0.1)
        width, height = max(grid_w + 0.4, 7.0 if legend else 4.0), grid_h + top + bottom
        fig = new_figure(width, height)
        ax = fig.add_axes(((width - grid_w) / 2 / width, bottom / height, grid_w / width, grid_h / height))
    fig = ax.figure

    # 0 = input, 1 = padding, 2 = input pixel that no window reads
    kind = np.ones((PH, PW), dtype=int)
    kind[rows.pad:rows.pad + rows.size, cols.pad:cols.pad + cols.size] = 0
    unread = unread_pixels(rows, cols) if fits else np.zeros((PH, PW), dtype=bool)
    kind[unread] = 2
    colours = ListedColormap(["#ffffff", "#d0d0d0", "#f6d3bd"])
    ax.imshow(kind, cmap=colours, vmin=-0.5, vmax=2.5, interpolation="nearest")
    # Cell separators only inside the padded input, and a frame around it, so
    # a kernel that sticks out is visibly outside.
    ax.vlines(np.arange(0.5, PW - 1), -0.5, PH - 0.5, color="#909090", linewidth=0.5)
    ax.hlines(np.arange(0.5, PH - 1), -0.5, PW - 0.5, color="#909090", linewidth=0.5)
    ax.add_artist(Rectangle((-0.5, -0.5), PW, PH, fill=False, edgecolor="black", linewidth=1.2))
    ax.axis("off")
    small = max(PH, PW) <= 14
    if small and (rows.pad or cols.pad):
        for r, c in zip(*np.nonzero(kind == 1)):
            ax.text(c, r, "0", ha="center", va="center", fontsize=9, color="#505050")

    marker_size = 34 * min(1.0, 10 / max(PH, PW)) + 8
    if fits:
        # Every input pixel that no window reads: after the last window (the
        # floor), between windows (stride > kernel) and in dilation holes.
        for r, c in zip(*np.nonzero(unread)):
            ax.add_artist(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="xx",
                                   edgecolor=VERMILLION, linewidth=0, zorder=3))
        for n, (i, j) in enumerate(outlined):
            # Insets of up to a third of a cell keep the edges of overlapping windows apart.
            inset = 0.13 * (n % 3)
            outline(ax, rows.starts[i], cols.starts[j], rows.extent, cols.extent,
                    colour=WINDOW_COLOURS[n % len(WINDOW_COLOURS)],
                    linestyle=OUTLINE_STYLES[n % len(OUTLINE_STYLES)], linewidth=2.2, inset=inset)
        # With few outlined windows of a dilated kernel, every one of them shows its taps;
        # with more, the marks would bury the grid.
        mark_all = (rows.dilation > 1 or cols.dilation > 1) and len(outlined) <= 2
        if mark_all:
            # The taps of the other outlined windows, drawn above the first window's squares.
            for n, (i, j) in enumerate(outlined[1:], start=1):
                taps_r, taps_c = np.meshgrid(_taps(rows, rows.starts[i]), _taps(cols, cols.starts[j]),
                                             indexing="ij")
                ax.scatter(taps_c.ravel(), taps_r.ravel(), marker="D", s=0.55 * marker_size,
                           color=WINDOW_COLOURS[n % len(WINDOW_COLOURS)], edgecolors="black",
                           linewidths=0.5, zorder=6.5)
        # Taps of the first outlined window, then the start of every window.
        i0, j0 = outlined[0] if outlined else (0, 0)
        taps_r, taps_c = np.meshgrid(_taps(rows, rows.starts[i0]), _taps(cols, cols.starts[j0]), indexing="ij")
        ax.scatter(taps_c.ravel(), taps_r.ravel(), marker="s", s=marker_size,
                   color=WINDOW_COLOURS[0], edgecolors="black", linewidths=0.5, zorder=6)
        start_r, start_c = np.meshgrid(rows.starts, cols.starts, indexing="ij")
        ax.scatter(start_c.ravel(), start_r.ravel(), marker="o", s=12, color="black", zorder=7)
        out = f"output {rows.count}×{cols.count}"
    else:
        ax.add_artist(Rectangle((-0.5, -0.5), cols.extent, rows.extent, fill=False,
                               edgecolor=VERMILLION, linestyle="--", linewidth=2.5, zorder=5))
        out = "kernel does not fit"
    ax.set_xlim(-0.5, max(PW, cols.extent) - 0.5)
    ax.set_ylim(max(PH, rows.extent) - 0.5, -0.5)
    ax.set_aspect("equal")

    def show(values):
        return f"{values[0]}×{values[1]}"

    k = (rows.kernel, cols.kernel)
    title = f"{rows.size}×{cols.size} input, kernel {show(k)}, stride {show((rows.stride, cols.stride))}"
    if rows.pad or cols.pad:
        title += f", padding {show((rows.pad, cols.pad))}"
    if rows.dilation != 1 or cols.dilation != 1:
        title += f", dilation {show((rows.dilation, cols.dilation))}"
    # A figure-level title is cheaper to lay out than an axes title.
    fig.text(0.5, 1 - 0.1 / fig.get_figheight(), f"{title} → {out}", ha="center", va="top",
             fontsize=FONT if legend else 9, wrap=True)
    if not legend:
        return fig
    handles = []
    if rows.pad or cols.pad:
        handles.append(Patch(facecolor="#d0d0d0", edgecolor="#909090", label="zero padding"))
    if fits:
        handles += [
            Line2D([], [], color=WINDOW_COLOURS[0], linewidth=2.2, label="window"),
            Line2D([], [], marker="s", color=WINDOW_COLOURS[0], markeredgecolor="black", linestyle="",
                   markersize=8, label="cells read by window 1" if mark_all else "cells read by the first window"),
        ]
        if mark_all and len(outlined) > 1:
            handles.append(Line2D([], [], marker="D", color=WINDOW_COLOURS[1], markeredgecolor="black",
                                  linestyle="", markersize=6, label="cells read by window 2"))
        handles.append(Line2D([], [], marker="o", color="black", linestyle="", markersize=4,
                              label="start of a window"))
        if unread.any():
            handles.append(Patch(facecolor="#f6d3bd", edgecolor=VERMILLION, hatch="xx", label="read by no window"))
    else:
        handles.append(Line2D([], [], color=VERMILLION, linestyle="--", linewidth=2, label="kernel (too large)"))
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=FONT - 1, frameon=False,
               handlelength=1.6, columnspacing=1.2, borderaxespad=0.2)
    return fig


def lenet_layers(input_size=32, padding=0):
    """The layers of LeNet-5 with every shape computed, not typed in.

    C1 conv 5×5 (6 maps), S2 pool 2×2, C3 conv 5×5 (16 maps), S4 pool 2×2,
    then C5 (120 units: a 5×5 convolution when S4 is 5×5, i.e. fully
    connected), F6 (84) and the output (10).

    Parameters
    ----------
    input_size : int
        Height and width of the (square, one-channel) input.
    padding : int
        Padding of C1 (2 lets a 28×28 MNIST digit keep the 32×32 geometry).

    Returns
    -------
    list of dict
        Each with 'name', 'channels', 'size' (int, or None for vectors),
        'units' (for vectors) and 'op' (the operation that produced it).

    Examples
    --------
    >>> [(layer['name'], layer['size']) for layer in lenet_layers(32)][:5]
    [('input', 32), ('C1', 28), ('S2', 14), ('C3', 10), ('S4', 5)]
    """
    n1 = conv_output_size(input_size, 5, 1, padding)
    n2 = pool_output_size(n1, 2)
    n3 = conv_output_size(n2, 5)
    n4 = pool_output_size(n3, 2)
    c5_op = "conv 5×5" if n4 == 5 else f"flatten {16}·{n4}·{n4} → full"
    return [
        {"name": "input", "channels": 1, "size": input_size, "op": ""},
        {"name": "C1", "channels": 6, "size": n1, "op": "conv 5×5" + (f", pad {padding}" if padding else "")},
        {"name": "S2", "channels": 6, "size": n2, "op": "pool 2×2"},
        {"name": "C3", "channels": 16, "size": n3, "op": "conv 5×5"},
        {"name": "S4", "channels": 16, "size": n4, "op": "pool 2×2"},
        {"name": "C5", "channels": None, "size": None, "units": 120, "op": c5_op},
        {"name": "F6", "channels": None, "size": None, "units": 84, "op": "full"},
        {"name": "output", "channels": None, "size": None, "units": 10, "op": "full"},
    ]


def draw_lenet(input_size=32, padding=0):
    """Draw the LeNet-5 architecture: a stack of boxes per layer, shapes computed.

    Parameters
    ----------
    input_size : int
        Square input size (32 in LeCun et al., 1998).
    padding : int
        Padding of the first convolution.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = draw_lenet(32)
    >>> labels = [t.get_text() for t in fig.axes[0].texts]
    >>> 'C1:\\n6@28×28' in labels and 'S4:\\n16@5×5' in labels
    True
    """
    layers = lenet_layers(input_size, padding)
    fig = new_figure(10, 2.9)
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.96))
    ax.set_ylim(0, 34)
    ax.axis("off")
    biggest = max(layer["size"] for layer in layers if layer["size"])
    x, centre = 2.0, 16.0
    previous_right = None
    for layer in layers:
        if layer["size"]:
            side = 4 + 18 * layer["size"] / biggest
            depth = min(layer["channels"], 6)
            offset = 0.9
            for d in range(depth - 1, -1, -1):
                ax.add_artist(Rectangle((x + d * offset, centre - side / 2 + d * offset), side, side,
                                       facecolor="#e8e8e8" if d else "#c8c8c8", edgecolor="black",
                                       linewidth=0.8))
            left, right = x, x + side + (depth - 1) * offset
            label = f"{layer['name']}:\n{layer['channels']}@{layer['size']}×{layer['size']}"
            top = centre + side / 2 + (depth - 1) * offset
        else:
            height = 4 + 18 * min(layer["units"], 120) / 120
            ax.add_artist(Rectangle((x, centre - height / 2), 1.6, height,
                                   facecolor="#c8c8c8", edgecolor="black", linewidth=0.8))
            left, right = x, x + 1.6
            label = f"{layer['name']}:\n{layer['units']}"
            top = centre + height / 2
        # Name and shape on two lines: at the caption's size, one line is wider than the gap to the next layer.
        ax.text((left + right) / 2, top + 1.0, label, ha="center", va="bottom", fontsize=MIN_TEXT_PT,
                linespacing=1.1)
        if previous_right is not None:
            ax.add_artist(FancyArrowPatch((previous_right + 0.5, centre), (left - 0.5, centre),
                                         arrowstyle="->", mutation_scale=10, color=BLUE))
            # Short two-line labels fit in the gap under the arrow.
            label_text = layer["op"].replace(", ", "\n").replace(" → ", "\n→ ").replace("conv ", "conv\n")
            label_text = label_text.replace("pool ", "pool\n").replace("flatten ", "flatten\n")
            ax.text((previous_right + left) / 2, centre - 1.5, label_text, ha="center",
                    va="top", fontsize=MIN_TEXT_PT, linespacing=1.1)
        previous_right = right
        x = right + 13  # room for the operation under each arrow, and for the labels of thin layers
    ax.set_xlim(0, x - 5)
    # Same scale on both axes (square feature maps): the figure's height follows the width used.
    fig.set_size_inches(10, 10 * (0.98 / 0.96) * 34 / (x - 5))
    return fig
