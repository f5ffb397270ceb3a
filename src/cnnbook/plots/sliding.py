"""The sliding dot product, step by step: still frames and an animation.

One step of a convolution takes the patch of the input under the window,
multiplies it element by element with the filter and adds everything up.
:func:`sum_of_products` writes that sum out with the numbers;
:func:`draw_sliding_step` draws one step (input with the window, filter,
output filled in so far); :func:`sliding_steps` puts several steps side by
side; :func:`sliding_animation` plays all of them.

The numbers shown are computed by :func:`cnnbook.conv2d`, so a figure cannot
disagree with the library.
"""

import re

import numpy as np
from matplotlib.colors import ListedColormap

from .._validate import pair
from ..conv import conv2d
from ._base import (
    DIVERGING,
    MIN_TEXT_PT,
    ORANGE,
    auto_fmt,
    format_value,
    new_figure,
    number_width_in,
    outline,
)
from .grids import show_grid

__all__ = [
    "sum_of_products",
    "draw_sliding_step",
    "sliding_steps",
    "sliding_animation",
    "sliding_animation_html",
]


def _as_image(x, name):
    arr = np.asarray(x)
    if arr.ndim != 2 or arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a 2-D numeric array (H, W), got {name} with shape {arr.shape}")
    return arr.astype(float)


def _padded(x, padding):
    from .._validate import is_int

    if not is_int(padding) or padding < 0:
        raise TypeError(f"padding must be a non-negative int here, got padding={padding!r}")
    return np.pad(x, int(padding)), int(padding)


def _output(x, w, stride, padding):
    """The (H_out, W_out) map computed by the library, and the padded input."""
    xp, p = _padded(x, padding)
    out = conv2d(x[None, None], w[None, None], stride=stride, padding=p)[0, 0]  # (H_out, W_out)
    return out, xp


def _window_start(i, j, stride):
    sh, sw = pair(stride, "stride")
    return i * sh, j * sw


def sum_of_products(x, w, i, j, stride=1, padding=0):
    """Output ``(i, j)`` of a one-channel convolution written out as a sum of products.

    Parameters
    ----------
    x : ndarray, shape (H, W)
        One-channel input.
    w : ndarray, shape (KH, KW)
        Filter.
    i, j : int
        Output position (row, column).
    stride : int or (int, int)
    padding : int
        Zero padding on every side.

    Returns
    -------
    text : str
        ``"x·w + x·w + ... = value"``, patch values first, negative numbers in brackets.
    value : float
        The sum, equal to ``cnnbook.conv2d(x[None, None], w[None, None], stride=stride,
        padding=padding)[0, 0, i, j]``.

    Examples
    --------
    >>> x = np.arange(9).reshape(3, 3)
    >>> w = np.array([[1, 0], [0, -1]])
    >>> sum_of_products(x, w, 0, 1)
    ('1·1 + 2·0 + 4·0 + 5·(-1) = -4', -4.0)
    """
    x, w = _as_image(x, "x"), _as_image(w, "w")
    out, xp = _output(x, w, stride, padding)
    H_out, W_out = out.shape
    if not (0 <= i < H_out and 0 <= j < W_out):
        raise ValueError(f"(i, j) must be an output position inside (H_out, W_out)=({H_out}, {W_out}), got ({i}, {j})")
    KH, KW = w.shape
    r, c = _window_start(i, j, stride)
    patch = xp[r:r + KH, c:c + KW]  # (KH, KW)
    fmt = auto_fmt(np.concatenate([patch.ravel(), w.ravel()]))

    def show(v):
        text = format_value(fmt, v)
        return f"({text})" if text.startswith("-") else text

    terms = " + ".join(f"{show(a)}·{show(b)}" for a, b in zip(patch.ravel(), w.ravel()))
    value = float(np.sum(patch * w))
    return f"{terms} = {format_value(auto_fmt(np.array([value])), value)}", value


def _show_input(ax, xp, p, fontsize=None):
    """The padded input: real pixels in grey levels, padding as light cells printed '0'."""
    grid = xp.copy()
    if p:
        grid[:p], grid[-p:], grid[:, :p], grid[:, -p:] = np.nan, np.nan, np.nan, np.nan
    real = xp[p:xp.shape[0] - p, p:xp.shape[1] - p]
    show_grid(grid, ax=ax, cmap="gray", vmin=min(0.0, real.min()), vmax=max(1.0, real.max()),
              fmt=auto_fmt(real), fontsize=fontsize)
    if p:
        pad = np.isnan(grid)
        ax.imshow(np.ma.masked_where(~pad, np.ones_like(grid)), cmap=ListedColormap(["#d0d0d0"]),
                  interpolation="nearest", zorder=0.5)
        for r, c in zip(*np.nonzero(pad)):
            ax.text(c, r, "0", ha="center", va="center", fontsize=fontsize or 7, color="#505050")


def _limits(values):
    finite = values[np.isfinite(values)]
    top = float(np.abs(finite).max()) if finite.size else 1.0
    return -(top or 1.0), (top or 1.0)


def _draw_step_into(axes, x, w, out, xp, p, i, j, stride, show_sum):
    """Draw step (i, j) into three axes: input, filter, output so far."""
    ax_in, ax_w, ax_out = axes
    KH, KW = w.shape
    H_out, W_out = out.shape
    r, c = _window_start(i, j, stride)
    _show_input(ax_in, xp, p)
    outline(ax_in, r, c, KH, KW, colour=ORANGE)
    ax_in.set_title("input" + (f" (padding {p})" if p else "") + f", window at ({r}, {c})", fontsize=8)

    lo, hi = _limits(w)
    show_grid(w, ax=ax_w, cmap=DIVERGING, vmin=lo, vmax=hi, fmt=auto_fmt(w))
    ax_w.set_title("filter w", fontsize=8)

    so_far = np.full(out.shape, np.nan)
    flat = i * W_out + j
    so_far.ravel()[:flat + 1] = out.ravel()[:flat + 1]  # row-major: everything up to (i, j)
    lo, hi = _limits(out)
    show_grid(so_far, ax=ax_out, cmap=DIVERGING, vmin=lo, vmax=hi, fmt=auto_fmt(out))
    # Draw the empty cells' grid too, so the output's final shape is visible from the start.
    outline(ax_out, i, j, 1, 1, colour=ORANGE)
    ax_out.set_title(f"output {H_out}×{W_out}, entry ({i}, {j})", fontsize=8)
    if show_sum:
        text, _ = sum_of_products(xp, w, i, j, stride, 0)
        return text
    return None


def _step_layout(xp, w, out, max_width=9.0):
    """A figure with three axes sized to the three grids, in one row, no wider than needed."""
    cols = xp.shape[1] + w.shape[1] + out.shape[1] + 2.5  # grid cells plus gaps
    rows = max(xp.shape[0], w.shape[0], out.shape[0])
    cell = min(0.42, (max_width - 0.4) / cols)
    # wide enough for the grids and for the sum-of-products line under them
    width = min(max_width, max(cols * cell + 0.4, 0.075 * 10 * w.size + 0.5))
    height = rows * cell + 1.0
    fig = new_figure(width, height)
    axes = []
    x0 = (width - (cols - 2.5 + 2 * 1.25) * cell) / 2 / width  # centre the row of grids
    for grid in (xp, w, out):
        gw, gh = grid.shape[1] * cell / width, grid.shape[0] * cell / height
        axes.append(fig.add_axes((x0, 0.62 / height + (rows * cell / height - gh) / 2, gw, gh)))
        x0 += gw + 1.25 * cell / width
    return fig, axes


def draw_sliding_step(x, w, i, j, stride=1, padding=0, *, show_sum=True):
    """One step of the sliding dot product: window on the input, filter, output so far.

    Parameters
    ----------
    x : ndarray, shape (H, W)
        One-channel input (small: its values are printed).
    w : ndarray, shape (KH, KW)
        Filter.
    i, j : int
        The output position being computed; entries before it (row-major) are filled in.
    stride : int or (int, int)
    padding : int
    show_sum : bool
        Write the sum of products of this step under the grids.

    Returns
    -------
    matplotlib.figure.Figure
        Three axes: input (window outlined), filter, output.

    Examples
    --------
    >>> x = np.arange(25).reshape(5, 5)
    >>> fig = draw_sliding_step(x, np.ones((3, 3)), 1, 2)
    >>> [ax.get_title() for ax in fig.axes]
    ['input, window at (1, 2)', 'filter w', 'output 3×3, entry (1, 2)']
    """
    x, w = _as_image(x, "x"), _as_image(w, "w")
    out, xp = _output(x, w, stride, padding)
    p = (xp.shape[0] - x.shape[0]) // 2
    H_out, W_out = out.shape
    if not (0 <= i < H_out and 0 <= j < W_out):
        raise ValueError(f"(i, j) must be inside the output (H_out, W_out)=({H_out}, {W_out}), got ({i}, {j})")
    fig, axes = _step_layout(xp, w, out)
    text = _draw_step_into(axes, x, w, out, xp, p, i, j, stride, show_sum)
    if text:
        fig.text(0.5, 0.08, f"out[{i}, {j}] = {text}", ha="center", va="center", fontsize=8)
    return fig


def sliding_steps(x, w, positions=None, stride=1, padding=0):
    """Small multiples: the input with the window and the output so far, at several steps.

    Parameters
    ----------
    x : ndarray, shape (H, W)
    w : ndarray, shape (KH, KW)
    positions : list of (int, int), optional
        Output positions to show; default the first two of the first row, the
        first of the second row, and the last one.
    stride : int or (int, int)
    padding : int

    Returns
    -------
    matplotlib.figure.Figure
        Two axes per step (input on top, output below), plus one for the filter.

    Examples
    --------
    >>> fig = sliding_steps(np.arange(25).reshape(5, 5), np.ones((3, 3)))
    >>> len(fig.axes), fig.axes[1].get_title()
    (9, 'step 1: out[0, 0]')
    """
    x, w = _as_image(x, "x"), _as_image(w, "w")
    out, xp = _output(x, w, stride, padding)
    p = (xp.shape[0] - x.shape[0]) // 2
    H_out, W_out = out.shape
    if positions is None:
        positions = [(0, 0), (0, min(1, W_out - 1)), (min(1, H_out - 1), 0), (H_out - 1, W_out - 1)]
        positions = list(dict.fromkeys(positions))  # drop repeats for tiny outputs
    for i, j in positions:
        if not (0 <= i < H_out and 0 <= j < W_out):
            raise ValueError(f"positions must be inside the output ({H_out}, {W_out}), got ({i}, {j})")
    n = len(positions)
    # Inches, for numbers at the caption's size in a figure as wide as the book's column.
    # Cells are as wide as their widest number; steps that do not fit one row take two.
    fmt_in, fmt_out = auto_fmt(x), auto_fmt(out)
    need_in = 0.1 + number_width_in(np.append(xp.ravel(), 0.0), fmt_in)
    need_out = 0.1 + number_width_in(out, fmt_out)
    width, left_w, title_h = 8.3, 1.1, 0.35
    ncols = n
    if (width - left_w) / n < max(xp.shape[1] * need_in, out.shape[1] * need_out) / 0.9:
        ncols = min(n, 2)
    nrows = -(-n // ncols)
    panel = (width - left_w) / ncols
    cell = min(0.4, max(need_in, 0.9 * panel / xp.shape[1])) if ncols == n else max(need_in + 0.06, 0.3)
    cell_out = min(0.5, max(need_out, 0.9 * panel / out.shape[1] if ncols == n else need_out))
    row_h = title_h + xp.shape[0] * cell + title_h + out.shape[0] * cell_out + 0.15
    height = nrows * row_h
    fig = new_figure(width, height)
    lo, hi = _limits(w)
    kcell = min(0.32, 1.0 / w.shape[1])
    ax_w = fig.add_axes((0.05 / width, (height - title_h - w.shape[0] * kcell) / height,
                         w.shape[1] * kcell / width, w.shape[0] * kcell / height))
    show_grid(w, ax=ax_w, cmap=DIVERGING, vmin=lo, vmax=hi, fmt=auto_fmt(w), fontsize=MIN_TEXT_PT)
    ax_w.set_title("filter", fontsize=MIN_TEXT_PT)
    lo_o, hi_o = _limits(out)
    for s, (i, j) in enumerate(positions):
        row, col = divmod(s, ncols)
        top = height - row * row_h
        left = (left_w + col * panel + (panel - xp.shape[1] * cell) / 2) / width
        ax_in = fig.add_axes((left, (top - title_h - xp.shape[0] * cell) / height,
                              xp.shape[1] * cell / width, xp.shape[0] * cell / height))
        _show_input(ax_in, xp, p, fontsize=MIN_TEXT_PT)
        r, c = _window_start(i, j, stride)
        outline(ax_in, r, c, *w.shape, colour=ORANGE)
        ax_in.set_title(f"step {i * W_out + j + 1}: out[{i}, {j}]", fontsize=MIN_TEXT_PT)
        left_o = (left_w + col * panel + (panel - out.shape[1] * cell_out) / 2) / width
        ax_out = fig.add_axes((left_o, (top - row_h + 0.1) / height, out.shape[1] * cell_out / width,
                               out.shape[0] * cell_out / height))
        so_far = np.full(out.shape, np.nan)
        so_far.ravel()[:i * W_out + j + 1] = out.ravel()[:i * W_out + j + 1]
        show_grid(so_far, ax=ax_out, cmap=DIVERGING, vmin=lo_o, vmax=hi_o, fmt=fmt_out,
                  fontsize=MIN_TEXT_PT)
        outline(ax_out, i, j, 1, 1, colour=ORANGE)
        ax_out.set_title("output so far", fontsize=MIN_TEXT_PT)
    return fig


def sliding_animation(x, w, stride=1, padding=0, *, dpi=60, interval=900):
    """All steps of the sliding dot product as a matplotlib animation.

    Parameters
    ----------
    x : ndarray, shape (H, W)
    w : ndarray, shape (KH, KW)
    stride : int or (int, int)
    padding : int
    dpi : int
        Resolution of each frame; keep it low so an embedded animation stays small.
    interval : int
        Milliseconds between frames.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        One frame per output entry, in row-major order. Call ``.to_jshtml()``
        for an HTML player (see :func:`sliding_animation_html`).

    Examples
    --------
    >>> anim = sliding_animation(np.arange(16).reshape(4, 4), np.ones((3, 3)), dpi=20)
    >>> html = anim.to_jshtml()  # one frame per output entry
    >>> html.count('frames[3] =') == 1 and 'frames[4] =' not in html
    True
    """
    from matplotlib.animation import FuncAnimation

    x, w = _as_image(x, "x"), _as_image(w, "w")
    out, xp = _output(x, w, stride, padding)
    p = (xp.shape[0] - x.shape[0]) // 2
    H_out, W_out = out.shape
    fig, axes = _step_layout(xp, w, out)
    fig.set_dpi(dpi)
    caption = fig.text(0.5, 0.08, "", ha="center", va="center", fontsize=8)
    # Draw the last step once (every output printed), then each frame only moves
    # the two outlines and hides the outputs not computed yet: redrawing every
    # grid per frame would be several times slower.
    _draw_step_into(axes, x, w, out, xp, p, H_out - 1, W_out - 1, stride, False)
    ax_in, _, ax_out = axes
    window_boxes, cell_boxes = ax_in.patches[-2:], ax_out.patches[-2:]
    out_image, out_texts = ax_out.images[0], list(ax_out.texts)  # texts in row-major order

    def draw(frame):
        i, j = divmod(frame, W_out)
        r, c = _window_start(i, j, stride)
        for box in window_boxes:
            box.set_xy((c - 0.5, r - 0.5))
        for box in cell_boxes:
            box.set_xy((j - 0.5, i - 0.5))
        so_far = np.full(out.shape, np.nan)
        so_far.ravel()[:frame + 1] = out.ravel()[:frame + 1]
        out_image.set_data(np.ma.masked_invalid(so_far))
        for n, text in enumerate(out_texts):
            text.set_visible(n <= frame)
        ax_in.set_title(("input" + (f" (padding {p})" if p else "") + f", window at ({r}, {c})"), fontsize=8)
        ax_out.set_title(f"output {H_out}×{W_out}, entry ({i}, {j})", fontsize=8)
        caption.set_text(f"out[{i}, {j}] = {sum_of_products(xp, w, i, j, stride, 0)[0]}")
        return [caption]

    return FuncAnimation(fig, draw, frames=H_out * W_out, interval=interval, blit=False, repeat=True)


def sliding_animation_html(x, w, stride=1, padding=0, *, dpi=60, interval=900):
    """:func:`sliding_animation` rendered as a self-contained HTML/JavaScript player.

    Returns
    -------
    str
        HTML to display with ``IPython.display.HTML``; frames are embedded PNGs.

    Examples
    --------
    >>> html = sliding_animation_html(np.arange(16).reshape(4, 4), np.ones((3, 3)), dpi=30)
    >>> html.count('data:image/png')  # one frame per output entry
    4
    """
    anim = sliding_animation(x, w, stride, padding, dpi=dpi, interval=interval)
    return _offline_accessible(anim.to_jshtml(default_mode="loop"))


# matplotlib's player loads its button icons from a CDN and leaves the frame
# image and the slider unlabelled; the book must render offline and pass an
# accessibility audit, so the icons become plain characters and labels are added.
_ICONS = {
    "fa-minus": "\u2212", "fa-plus": "+", "fa-fast-backward": "|\u25c0", "fa-step-backward": "\u25c0",
    "fa-play fa-flip-horizontal": "\u25c1", "fa-pause": "||", "fa-play": "\u25b7",
    "fa-step-forward": "\u25b6", "fa-fast-forward": "\u25b6|",
}


def _offline_accessible(html):
    """Strip the CDN stylesheet from a jshtml player and label its image and slider."""
    html = re.sub(r'<link rel="stylesheet"\s+href="[^"]*font-awesome[^"]*">', "", html)
    html = re.sub(r'<i class="fa ([^"]*)"></i>', lambda m: _ICONS.get(m.group(1), ""), html)
    html = re.sub(r'<img id="(_anim_img\w+)">',
                  r'<img id="\1" alt="Animation: the filter slides over the input one position per frame, '
                  r'and the activation map fills in.">', html)
    html = re.sub(r'<input id="(_anim_slider\w+)" type="range"',
                  r'<input id="\1" type="range" aria-label="Animation frame"', html)
    return html
