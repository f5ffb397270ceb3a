"""Grids of numbers, images, channels, feature maps and filters.

Every function returns a :class:`matplotlib.figure.Figure`. Functions that take
``ax`` draw into that axes instead and return its figure, so panels can be
combined.
"""

import numpy as np

from ._base import (
    DIVERGING,
    ORANGE,
    auto_fmt,
    cell_colours,
    format_value,
    hide_ticks,
    new_figure,
    number_width_in,
    outline,
    text_colour,
    text_width_in,
)

__all__ = ["show_grid", "show_image", "show_channels", "show_feature_maps", "show_filters"]


def as_2d(values, name):
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        arr = arr.astype(float)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a numeric array, got {name}.dtype={arr.dtype}")
    if arr.ndim == 1:
        arr = arr[None, :]  # (1, W): a row vector
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (H, W), got {name}.shape={arr.shape}")
    return arr.astype(float)


def _highlight_boxes(highlight, shape):
    """Turn ``highlight`` into a list of (row, col, height, width) boxes."""
    if highlight is None:
        return []
    arr = np.asarray(highlight)
    if arr.dtype.kind == "b":
        if arr.shape != shape:
            raise ValueError(
                f"a boolean highlight mask must have the grid's shape {shape}, got shape {arr.shape}"
            )
        return [(int(r), int(c), 1, 1) for r, c in zip(*np.nonzero(arr))]
    if arr.ndim == 1 and arr.size in (2, 4):
        boxes = [tuple(int(v) for v in arr)]
    elif arr.ndim == 2 and arr.shape[1] in (2, 4):
        boxes = [tuple(int(v) for v in row) for row in arr]
    else:
        raise ValueError(
            "highlight must be (row, col), (row, col, height, width), a list of those, "
            f"or a boolean mask, got highlight={highlight!r}"
        )
    return [box if len(box) == 4 else (box[0], box[1], 1, 1) for box in boxes]


def _grid_axes(shape, ax, cell=0.42, max_width=7.0):
    if ax is not None:
        return ax.figure, ax
    H, W = shape
    scale = min(cell, max_width / max(W, 1), 6.0 / max(H, 1))
    fig = new_figure(W * scale + 0.5, H * scale + 0.5)
    ax = fig.add_axes((0.25 / (W * scale + 0.5), 0.25 / (H * scale + 0.5),
                       W * scale / (W * scale + 0.5), H * scale / (H * scale + 0.5)))
    return fig, ax


def show_grid(values, ax=None, *, annotate=True, cmap="gray", vmin=None, vmax=None,
              fmt="{:.0f}", highlight=None, title=None, fontsize=None, origin=None):
    """Draw a small matrix as coloured cells with its numbers printed in them.

    The text in each cell is black or white, whichever contrasts more with the
    cell's colour, so numbers stay readable on dark and light cells.

    Parameters
    ----------
    values : array_like, shape (H, W)
        A 1-D array is drawn as one row. NaN cells are left blank.
    ax : matplotlib Axes, optional
        Draw here; otherwise a new figure sized to the grid is made.
    annotate : bool
        Print the value in each cell.
    cmap : str
        Prefer greyscale-safe maps: 'gray', 'viridis', 'cividis', or 'PuOr'
        for signed values.
    vmin, vmax : float, optional
        Colour limits; default the data range.
    fmt : str or 'auto'
        Format for the printed numbers; 'auto' picks decimals from the data.
    highlight : (row, col), (row, col, height, width), a list of those, or bool mask, optional
        Cells to outline.
    title : str, optional
    fontsize : float, optional
        Default: chosen from the cell size.
    origin : (int, int), optional
        Label the rows and columns with indices starting here (e.g. the
        position of a crop in a larger image). Default: no tick labels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = show_grid(np.eye(3))
    >>> len(fig.axes), [t.get_text() for t in fig.axes[0].texts][:3]
    (1, ['1', '0', '0'])
    """
    arr = as_2d(values, "values")
    H, W = arr.shape
    if fmt == "auto":
        fmt = auto_fmt(arr)
    finite = arr[np.isfinite(arr)]
    lo = vmin if vmin is not None else (finite.min() if finite.size else 0.0)
    hi = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
    if hi == lo:  # a constant grid: centre its colour instead of dividing by zero
        lo, hi = lo - 1, hi + 1
    fig, ax = _grid_axes((H, W), ax)
    ax.imshow(np.ma.masked_invalid(arr), cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
    # Thin separators between cells make the grid readable even for constant regions.
    ax.set_xticks(np.arange(-0.5, W, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, H, 1), minor=True)
    ax.grid(which="minor", color="#888888", linewidth=0.5)
    ax.tick_params(which="both", length=0)
    if origin is None:
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        r0, c0 = origin
        step = max(1, int(np.ceil(max(H, W) / 12)))
        ax.set_xticks(np.arange(0, W, step), labels=[str(c0 + c) for c in range(0, W, step)])
        ax.set_yticks(np.arange(0, H, step), labels=[str(r0 + r) for r in range(0, H, step)])
        ax.tick_params(labelsize=7)
    if annotate:
        colours = cell_colours(arr, cmap, lo, hi)
        if fontsize is None:
            bbox = ax.get_position()
            width_pts = bbox.width * fig.get_figwidth() * 72 / W
            height_pts = bbox.height * fig.get_figheight() * 72 / H
            longest = max((len(format_value(fmt, v)) for v in finite), default=1)
            fontsize = max(4.0, min(11.0, 1.35 * width_pts / max(longest, 2), 0.5 * height_pts))
        for (r, c), v in np.ndenumerate(arr):
            if not np.isfinite(v):
                continue
            ax.text(c, r, format_value(fmt, v), ha="center", va="center",
                    fontsize=fontsize, color=text_colour(colours[r, c]))
    for r, c, h, w in _highlight_boxes(highlight, (H, W)):
        outline(ax, r, c, h, w, colour=ORANGE)
    ax.set_xlim(-0.5, W - 0.5)
    ax.set_ylim(H - 0.5, -0.5)
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def _image_range(img):
    if img.dtype == np.uint8:
        return 0, 255
    if img.dtype.kind == "f" and img.size and 0 <= np.nanmin(img) and np.nanmax(img) <= 1:
        return 0, 1
    return None, None


def _to_hwc(img, name):
    """Accept (H, W), (H, W, 3), (3, H, W) or (1, H, W); return (H, W) or (H, W, 3)."""
    arr = np.asarray(img)
    if arr.ndim == 3 and arr.shape[0] in (1, 3) and arr.shape[-1] not in (3, 4):
        arr = arr.transpose(1, 2, 0)  # (C, H, W) -> (H, W, C)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]  # (H, W)
    if arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (3, 4)):
        return arr
    raise ValueError(
        f"{name} must have shape (H, W), (H, W, 3) or (3, H, W), got {name}.shape={arr.shape}"
    )


def show_image(img, ax=None, title=None, *, cmap="gray"):
    """Show a grey or colour image without axes ticks.

    Parameters
    ----------
    img : ndarray, shape (H, W), (H, W, 3) or (3, H, W)
        uint8 images use the 0..255 range, floats in [0, 1] the 0..1 range.
    ax : matplotlib Axes, optional
    title : str, optional
    cmap : str
        For grey images.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = show_image(np.zeros((4, 6), dtype=np.uint8), title='black')
    >>> fig.axes[0].get_title(), fig.axes[0].images[0].get_array().shape
    ('black', (4, 6))
    """
    arr = _to_hwc(img, "img")
    if ax is None:
        H, W = arr.shape[:2]
        scale = 3.2 / max(H, W)
        fig = new_figure(W * scale + 0.2, H * scale + (0.5 if title else 0.2))
        ax = fig.add_axes((0.03, 0.03, 0.94, 0.94 - (0.3 / fig.get_figheight() if title else 0)))
    vmin, vmax = _image_range(arr)
    if arr.ndim == 2:
        ax.imshow(arr, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    else:
        shown = arr if arr.dtype == np.uint8 else np.clip(arr, 0, 1 if vmax == 1 else arr.max())
        if shown.dtype.kind == "f" and vmax is None:  # scale arbitrary floats to [0, 1] for display
            lo, hi = shown.min(), shown.max()
            shown = (shown - lo) / (hi - lo if hi > lo else 1)
        ax.imshow(shown, interpolation="nearest")
    hide_ticks(ax)
    if title:
        ax.set_title(title, fontsize=9)
    return ax.figure


def show_channels(rgb):
    """A colour image next to its red, green and blue channels, each in grey.

    Each channel is a grey image in its own right: bright where that colour
    is strong. The titles name the channel, so the figure reads in greyscale.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3) or (3, H, W)

    Returns
    -------
    matplotlib.figure.Figure
        Four axes: colour, R, G, B.

    Examples
    --------
    >>> img = np.zeros((3, 5, 5), dtype=np.uint8); img[0] = 255
    >>> fig = show_channels(img)
    >>> [ax.get_title() for ax in fig.axes]
    ['colour image', 'R (red)', 'G (green)', 'B (blue)']
    """
    arr = _to_hwc(rgb, "rgb")
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise ValueError(f"rgb must be a colour image (H, W, 3) or (3, H, W), got shape {np.shape(rgb)}")
    H, W = arr.shape[:2]
    panel = 2.4
    fig = new_figure(4 * panel, panel * H / W + 0.45)
    names = ("R (red)", "G (green)", "B (blue)")
    vmin, vmax = _image_range(arr)
    if vmin is None:
        vmin, vmax = float(arr.min()), float(arr.max())
    for i in range(4):
        ax = fig.add_axes((i / 4 + 0.005, 0.02, 0.24, 0.98 - 0.4 / fig.get_figheight()))
        if i == 0:
            show_image(arr, ax=ax, title="colour image")
        else:
            ax.imshow(arr[..., i - 1], cmap="gray", vmin=vmin, vmax=vmax, interpolation="nearest")
            hide_ticks(ax)
            ax.set_title(names[i - 1], fontsize=9)
    return fig


def show_feature_maps(maps, ncols=4, titles=None, *, cmap="viridis", shared_scale=False,
                      annotate=False, fmt="auto", image=None, image_title="input", fontsize=8):
    """Show a stack of feature maps (activation maps) as a grid of panels.

    Parameters
    ----------
    maps : ndarray, shape (C, H, W) or (1, C, H, W)
    ncols : int
        Panels per row.
    titles : sequence of str, optional
        One per map; default 'map 0', 'map 1', ...
    cmap : str
        'viridis' or 'cividis' (sequential, greyscale-safe) or 'PuOr' for signed maps.
    shared_scale : bool
        One colour scale for all maps (compare maps) or one per map (see each map's pattern).
    annotate : bool
        Print the values (only sensible for small maps).
    fmt : str
    image : ndarray, shape (H, W), (H, W, 3) or (3, H, W), optional
        The input the maps were computed from, drawn first (and as wide as one
        panel), so that each map can be compared with the image it comes from.
    image_title : str
    fontsize : float
        Size of the titles, in points.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per map, after the image's axes if ``image`` is given.

    Examples
    --------
    >>> fig = show_feature_maps(np.zeros((6, 5, 5)), ncols=3)
    >>> len(fig.axes), fig.axes[5].get_title()
    (6, 'map 5')
    """
    arr = np.asarray(maps, dtype=float)
    if arr.ndim == 4 and arr.shape[0] == 1:
        arr = arr[0]  # (C, H, W)
    if arr.ndim == 2:
        arr = arr[None]  # (1, H, W)
    if arr.ndim != 3:
        raise ValueError(f"maps must have shape (C, H, W) or (1, C, H, W), got maps.shape={np.shape(maps)}")
    if not (isinstance(ncols, (int, np.integer)) and ncols >= 1):
        raise ValueError(f"ncols must be a positive int, got ncols={ncols!r}")
    C, H, W = arr.shape
    if titles is None:
        titles = [f"map {i}" for i in range(C)]
    if len(titles) != C:
        raise ValueError(f"titles must have one entry per map ({C}), got {len(titles)}")
    ncols = min(ncols, C)
    nrows = -(-C // ncols)
    first = 1 if image is not None else 0         # panels taken by the input image
    columns = ncols + first
    title_h = 1.6 * fontsize / 72                  # inches for a title line
    panel = min(2.0, 9.0 / columns)
    fig = new_figure(columns * panel, nrows * (panel * H / W + title_h))
    row_h = 1 / nrows - 0.02 - title_h / fig.get_figheight()
    if image is not None:
        ax = fig.add_axes((0.01 / columns, 1 - 1 / nrows + 0.01, 1 / columns - 0.02 / columns, row_h))
        show_image(image, ax=ax)
        ax.set_title(image_title, fontsize=fontsize)
    lo, hi = (np.nanmin(arr), np.nanmax(arr)) if shared_scale else (None, None)
    for i in range(C):
        r, c = divmod(i, ncols)
        ax = fig.add_axes(((c + first) / columns + 0.01, 1 - (r + 1) / nrows + 0.01,
                           1 / columns - 0.02, row_h))
        if annotate:
            show_grid(arr[i], ax=ax, cmap=cmap, vmin=lo, vmax=hi, fmt=fmt, title=titles[i])
        else:
            ax.imshow(arr[i], cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
            hide_ticks(ax)
            ax.set_title(titles[i], fontsize=fontsize)
    return fig


def show_filters(w, *, annotate=None, max_filters=16, ncols=None):
    """Show convolution weights: one panel per (filter, input channel).

    Signed weights use the diverging 'PuOr' map centred on zero; the printed
    numbers carry the sign too, so the figure reads in greyscale.

    Parameters
    ----------
    w : ndarray, shape (K, C, KH, KW), (K, KH, KW) or (KH, KW)
    annotate : bool, optional
        Print weights; default when the kernels are at most 5 x 5.
    max_filters : int
        Show at most this many filters (the first ones).
    ncols : int, optional
        Panels per row for single-channel filters (default up to 6). When
        given, each panel is made wide enough for its printed weights and title
        at the caption's size (the figure then is as tall as it needs to be).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per shown (filter, channel) pair.

    Examples
    --------
    >>> fig = show_filters(np.ones((2, 3, 3, 3)))
    >>> len(fig.axes), fig.axes[0].get_title()
    (6, 'filter 0, channel 0')
    """
    arr = np.asarray(w, dtype=float)
    if arr.ndim == 2:
        arr = arr[None, None]  # (1, 1, KH, KW)
    elif arr.ndim == 3:
        arr = arr[:, None]  # (K, 1, KH, KW)
    if arr.ndim != 4:
        raise ValueError(f"w must have shape (K, C, KH, KW), (K, KH, KW) or (KH, KW), got w.shape={np.shape(w)}")
    K, C, KH, KW = arr.shape
    K = min(K, max_filters)
    C_shown = min(C, 8)
    if annotate is None:
        annotate = KH * KW <= 25
    limit = float(np.abs(arr[:K, :C_shown]).max()) or 1.0
    panel = min(1.6, 10.0 / max(C_shown, 1))
    title_h = 0.25
    if ncols is not None and C_shown == 1:
        if not (isinstance(ncols, (int, np.integer)) and ncols >= 1):
            raise ValueError(f"ncols must be a positive int, got ncols={ncols!r}")
        # Inches: cells as wide as the widest weight, panels as wide as a title.
        widest = max(number_width_in(arr[k, 0], auto_fmt(arr[k, 0])) for k in range(K))
        panel = max(KW * (widest + 0.2), text_width_in(f"filter {K - 1}") + 0.1)
        title_h = 0.4
    ncols = C_shown if C_shown > 1 else min(K, ncols or 6)
    nrows = K if C_shown > 1 else -(-K // ncols)
    fig = new_figure(ncols * panel, nrows * (panel * KH / KW + title_h))
    i = 0
    for k in range(K):
        for c in range(C_shown):
            r, col = (k, c) if C_shown > 1 else divmod(k, ncols)
            ax = fig.add_axes((col / ncols + 0.01, 1 - (r + 1) / nrows + 0.01,
                               1 / ncols - 0.02, 1 / nrows - 0.02 - title_h / fig.get_figheight()))
            title = f"filter {k}, channel {c}" if C > 1 else f"filter {k}"
            show_grid(arr[k, c], ax=ax, cmap=DIVERGING, vmin=-limit, vmax=limit,
                      annotate=annotate, fmt=auto_fmt(arr[k, c]))
            ax.set_title(title, fontsize=7)
            i += 1
    return fig
