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
    BASE_PT,
    DIVERGING,
    MAX_WIDTH,
    ORANGE,
    auto_fmt,
    format_value,
    new_figure,
    number_cell_in,
    outline,
    raise_small_text,
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
            ax.text(c, r, "0", ha="center", va="center", fontsize=ax.texts[0].get_fontsize() if ax.texts else BASE_PT,
                    color="#505050")


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
    ax_in.set_title(_input_title(p, r, c), fontsize=BASE_PT)

    lo, hi = _limits(w)
    show_grid(w, ax=ax_w, cmap=DIVERGING, vmin=lo, vmax=hi, fmt=auto_fmt(w))
    ax_w.set_title("filter w", fontsize=BASE_PT)

    so_far = np.full(out.shape, np.nan)
    flat = i * W_out + j
    so_far.ravel()[:flat + 1] = out.ravel()[:flat + 1]  # row-major: everything up to (i, j)
    lo, hi = _limits(out)
    show_grid(so_far, ax=ax_out, cmap=DIVERGING, vmin=lo, vmax=hi, fmt=auto_fmt(out))
    # Draw the empty cells' grid too, so the output's final shape is visible from the start.
    outline(ax_out, i, j, 1, 1, colour=ORANGE)
    ax_out.set_title(f"output {H_out}×{W_out}, entry ({i}, {j})", fontsize=BASE_PT)
    if show_sum:
        text, _ = sum_of_products(xp, w, i, j, stride, 0)
        return text
    return None


def _longest_number(*grids):
    """Characters in the longest number printed in any of the grids (each in its own 'auto' format)."""
    return max(len(format_value(auto_fmt(g), v)) for g in grids for v in g[np.isfinite(g)].ravel())


def _input_title(p, r, c):
    # Padded: two lines, so that the title is not wider than the column allows.
    return "input" + (f" (padding {p}),\n" if p else ", ") + f"window at ({r}, {c})"


def _sum_lines(text, per_line):
    """A sum of products broken after every ``per_line`` terms (one kernel row a line)."""
    terms = text.split(" + ")
    return " +\n".join(" + ".join(terms[k:k + per_line]) for k in range(0, len(terms), per_line))


def _step_layout(xp, w, out, max_width=MAX_WIDTH):
    """A figure with three axes sized to the three grids, in one row, and room for the sum under them.

    Inches: every cell holds its number at the caption's size (number_cell_in), every grid
    sits in a slot as wide as its title, and the sum of products takes one line per kernel row.
    """
    rows = max(xp.shape[0], w.shape[0], out.shape[0])
    cell = number_cell_in(_longest_number(xp, w, out))
    title_w = [0.55 * BASE_PT * n / 72 for n in (20, 9, 24)]          # 'window at (r, c)', 'filter w', ...
    slots = [max(g.shape[1] * cell, t) for g, t in zip((xp, w, out), title_w)]
    gap = 0.35
    width = sum(slots) + 2 * gap + 0.3
    title_h, sum_h = 0.75, 0.3 * w.shape[0] + 0.2
    height = rows * cell + title_h + sum_h
    fig = new_figure(width, height)
    axes = []
    x = 0.15
    for grid, slot in zip((xp, w, out), slots):
        gw, gh = grid.shape[1] * cell, grid.shape[0] * cell
        axes.append(fig.add_axes(((x + (slot - gw) / 2) / width, (sum_h + (rows * cell - gh) / 2) / height,
                                  gw / width, gh / height)))
        x += slot + gap
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
        sum_h = 0.3 * w.shape[0] + 0.2
        fig.text(0.5, sum_h / 2 / fig.get_figheight(), _sum_lines(f"out[{i}, {j}] = {text}", w.shape[1]),
                 ha="center", va="center", fontsize=BASE_PT, linespacing=1.1)
    return raise_small_text(fig)


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
    # Inches: cells hold their numbers at the caption's size; a panel (input over output) per
    # step, beside the filter, as many per row as fit the column (MAX_WIDTH).
    n = len(positions)
    cell = number_cell_in(_longest_number(xp, w, out))
    title_w = 0.55 * BASE_PT * len("step 25: out[4, 4]") / 72
    panel = max(xp.shape[1] * cell, title_w) + 0.15
    filter_w = max(w.shape[1] * cell, 0.55 * BASE_PT * len("filter") / 72) + 0.15
    ncols = max(1, min(n, int((MAX_WIDTH - filter_w) // panel)))
    nrows = -(-n // ncols)
    title_h = 0.45
    panel_h = xp.shape[0] * cell + out.shape[0] * cell + 2 * title_h + 0.1
    width, height = filter_w + ncols * panel, nrows * panel_h
    fig = new_figure(width, height)
    lo, hi = _limits(w)
    kw, kh = w.shape[1] * cell, w.shape[0] * cell
    ax_w = fig.add_axes(((filter_w - kw) / 2 / width, (height - title_h - kh) / height, kw / width, kh / height))
    show_grid(w, ax=ax_w, cmap=DIVERGING, vmin=lo, vmax=hi, fmt=auto_fmt(w))
    ax_w.set_title("filter", fontsize=BASE_PT)
    lo_o, hi_o = _limits(out)
    for s, (i, j) in enumerate(positions):
        row, col = divmod(s, ncols)
        top = height - row * panel_h
        x0 = filter_w + col * panel
        gw, gh = xp.shape[1] * cell, xp.shape[0] * cell
        ax_in = fig.add_axes(((x0 + (panel - gw) / 2) / width, (top - title_h - gh) / height, gw / width, gh / height))
        _show_input(ax_in, xp, p)
        r, c = _window_start(i, j, stride)
        outline(ax_in, r, c, *w.shape, colour=ORANGE)
        ax_in.set_title(f"step {i * W_out + j + 1}: out[{i}, {j}]", fontsize=BASE_PT)
        ow, oh = out.shape[1] * cell, out.shape[0] * cell
        ax_out = fig.add_axes(((x0 + (panel - ow) / 2) / width, (top - 2 * title_h - gh - oh) / height,
                               ow / width, oh / height))
        so_far = np.full(out.shape, np.nan)
        so_far.ravel()[:i * W_out + j + 1] = out.ravel()[:i * W_out + j + 1]
        show_grid(so_far, ax=ax_out, cmap=DIVERGING, vmin=lo_o, vmax=hi_o, fmt=auto_fmt(out))
        outline(ax_out, i, j, 1, 1, colour=ORANGE)
        ax_out.set_title("output so far", fontsize=BASE_PT)
    return raise_small_text(fig)


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
    caption = fig.text(0.5, (0.15 * w.shape[0] + 0.1) / fig.get_figheight(), "", ha="center", va="center",
                       fontsize=BASE_PT, linespacing=1.1)
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
        ax_in.set_title(_input_title(p, r, c), fontsize=BASE_PT)
        ax_out.set_title(f"output {H_out}×{W_out}, entry ({i}, {j})", fontsize=BASE_PT)
        caption.set_text(_sum_lines(f"out[{i}, {j}] = {sum_of_products(xp, w, i, j, stride, 0)[0]}", w.shape[1]))
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
