"""Figures for the pooling chapter.

* :func:`show_pooling` -- a small grid, its pooling windows (each in its own
  colour and line style) and the pooled grid, numbers printed;
* :func:`plot_shift_sensitivity` -- how much a representation changes when
  the image moves by a few pixels.

The pooled numbers come from :func:`cnnbook.max_pool2d`,
:func:`cnnbook.avg_pool2d` and :func:`cnnbook.lp_pool2d`, never recomputed here.
"""

import numpy as np

from .._validate import pair
from ..pool import avg_pool2d, lp_pool2d, max_pool2d
from ..shapes import pool_output_size
from ._base import (
    MIN_TEXT_PT,
    OUTLINE_COLOURS,
    OUTLINE_STYLES,
    auto_fmt,
    new_figure,
    number_width_in,
    outline,
    text_width_in,
)
from .grids import show_grid

__all__ = ["pool_grid", "show_pooling", "plot_shift_sensitivity"]

_MODES = ("max", "avg", "l2")


def pool_grid(values, kernel_size, stride=None, mode="max"):
    """Pool one 2-D grid with cnnbook's pooling functions.

    Parameters
    ----------
    values : array_like, shape (H, W)
    kernel_size, stride : int or (int, int)
        ``stride`` defaults to ``kernel_size``.
    mode : {'max', 'avg', 'l2'}

    Returns
    -------
    ndarray, shape (H_out, W_out)

    Examples
    --------
    >>> pool_grid(np.arange(16.0).reshape(4, 4), 2)
    array([[ 5.,  7.],
           [13., 15.]])
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"values must be a 2-D grid (H, W), got shape {x.shape}")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got mode={mode!r}")
    fn = {"max": max_pool2d, "avg": avg_pool2d, "l2": lp_pool2d}[mode]
    return fn(x[None, None], kernel_size, stride)[0, 0]  # (H_out, W_out)


def show_pooling(values, kernel_size, stride=None, mode="max", *, fmt="auto", cmap="gray"):
    """Draw a grid with its pooling windows, and the pooled grid beside it.

    Window ``(i, j)`` and output cell ``(i, j)`` share a colour and a line
    style (all windows are drawn when there are at most 6; otherwise the
    first row of windows). For max pooling the winning input of each drawn
    window is marked with a dot.

    Parameters
    ----------
    values : array_like, shape (H, W)
    kernel_size, stride : int or (int, int)
    mode : {'max', 'avg', 'l2'}
    fmt : str
        Number format ('auto' picks decimals from the data).
    cmap : str

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the input (title with its size) and the output (title with
        the mode and output size).

    Examples
    --------
    >>> fig = show_pooling(np.arange(16.0).reshape(4, 4), 2)
    >>> print(fig.axes[0].get_title()); print(fig.axes[1].get_title())
    input 4×4
    max pool 2×2, stride 2
    → 2×2
    """
    x = np.asarray(values, dtype=float)
    out = pool_grid(x, kernel_size, stride, mode)
    KH, KW = pair(kernel_size, "kernel_size")
    SH, SW = (KH, KW) if stride is None else pair(stride, "stride")
    H, W = x.shape
    H_out, W_out = out.shape
    assert (H_out, W_out) == pool_output_size((H, W), (KH, KW), (SH, SW))
    fmt_in = auto_fmt(x) if fmt == "auto" else fmt
    fmt_out = auto_fmt(out) if fmt == "auto" else fmt
    lo, hi = min(x.min(), out.min()), max(x.max(), out.max())
    name = {"max": "max", "avg": "average", "l2": "L2"}[mode]
    size = f"{KH}×{KW}" if KH != KW else f"{KH}×{KH}"
    stride_text = f"{SH}" if SH == SW else f"({SH}, {SW})"
    title_out = f"{name} pool {size}, stride {stride_text}\n→ {H_out}×{W_out}"
    # Inches. The output's slot is as wide as its title, so the title stays clear of the input.
    scale = min(0.55, 5.0 / max(H, W))
    # Output cells wide enough for their numbers ("3.25") with room for the window outlines.
    out_scale = max(scale, 0.3 + number_width_in(out, fmt_out))
    in_w, out_w = W * scale, W_out * out_scale
    slot = max(out_w, max(text_width_in(line) for line in title_out.splitlines()) + 0.1)
    title_h, gap = 0.7, 0.3
    grid_h = max(H * scale, H_out * out_scale)
    width, height = in_w + gap + slot + 0.1, grid_h + title_h + 0.1
    fig = new_figure(width, height)
    ax_in = fig.add_axes((0.05 / width, (0.05 + grid_h - H * scale) / height, in_w / width, H * scale / height))
    ax_out = fig.add_axes(((0.05 + in_w + gap + (slot - out_w) / 2) / width,
                           (0.05 + grid_h - H_out * out_scale) / height, out_w / width,
                           H_out * out_scale / height))
    show_grid(x, ax=ax_in, cmap=cmap, vmin=lo, vmax=hi, fmt=fmt_in, fontsize=MIN_TEXT_PT)
    show_grid(out, ax=ax_out, cmap=cmap, vmin=lo, vmax=hi, fmt=fmt_out, fontsize=MIN_TEXT_PT)
    windows = [(i, j) for i in range(H_out) for j in range(W_out)]
    if len(windows) > 6:
        windows = [(0, j) for j in range(W_out)][:6]
    inset_step = 0.06 if (SH < KH or SW < KW) else 0.0  # overlapping windows: nest the outlines
    for n, (i, j) in enumerate(windows):
        colour = OUTLINE_COLOURS[n % len(OUTLINE_COLOURS)]
        style = OUTLINE_STYLES[n % len(OUTLINE_STYLES)]
        outline(ax_in, i * SH, j * SW, KH, KW, colour=colour, linestyle=style, linewidth=2.2,
                inset=0.04 + inset_step * (n % 3))
        outline(ax_out, i, j, 1, 1, colour=colour, linestyle=style, linewidth=2.2, inset=0.04)
        if mode == "max":
            patch = x[i * SH : i * SH + KH, j * SW : j * SW + KW]
            r, c = np.unravel_index(np.argmax(patch), patch.shape)
            # A ring around the winning number: the value that the output cell copies.
            ax_in.plot(j * SW + c, i * SH + r, "o", markersize=0.62 * scale * 72, markerfacecolor="none",
                       markeredgecolor=colour, markeredgewidth=2.0, zorder=6)
    ax_in.set_title(f"input {H}×{W}", fontsize=MIN_TEXT_PT)
    ax_out.set_title(title_out, fontsize=MIN_TEXT_PT)
    return fig


def plot_shift_sensitivity(shifts, changes, ylabel="relative change"):
    """Line plot of how much each representation changes against the shift.

    Parameters
    ----------
    shifts : sequence of int
        Shifts in pixels (x axis).
    changes : dict
        ``label -> sequence of float``, one value per shift.
    ylabel : str

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_shift_sensitivity([0, 1, 2], {'pixels': [0, 1.0, 1.2], 'max pool': [0, 0.5, 0.9]})
    >>> len(fig.axes[0].lines)
    2
    """
    shifts = list(shifts)
    fig = new_figure(6, 3.2, layout="constrained")
    ax = fig.add_subplot()
    markers = ("o", "s", "^", "D", "v", "P")
    for n, (label, values) in enumerate(changes.items()):
        values = list(values)
        if len(values) != len(shifts):
            raise ValueError(f"changes[{label!r}] has {len(values)} values for {len(shifts)} shifts")
        ax.plot(shifts, values, marker=markers[n % len(markers)], markersize=4,
                color=OUTLINE_COLOURS[n % len(OUTLINE_COLOURS)], linestyle=OUTLINE_STYLES[n % len(OUTLINE_STYLES)],
                label=label)
    ax.set_xlabel("shift to the right (pixels)")
    ax.set_xticks(shifts)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
