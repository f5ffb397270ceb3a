"""Figures for chapter 1: what an image is to a computer.

* :func:`grid_beside_image` -- the numbers of a small image beside the picture they make;
* :func:`quantise` and :func:`show_quantisation` -- fewer grey levels;
* :func:`block_mean` and :func:`show_resolution` -- fewer pixels;
* :func:`show_memory_order` -- how an (H, W, 3) image and a (3, H, W) image lie in memory.

The arithmetic behind each figure is a plain numpy function in this module, so
the chapter can print and check the very numbers the figure shows.
"""

import numpy as np
from matplotlib.patches import Rectangle

from ._base import MIN_TEXT_PT, new_figure
from .grids import show_grid, show_image

__all__ = [
    "grid_beside_image",
    "quantise",
    "show_quantisation",
    "block_mean",
    "show_resolution",
    "memory_order",
    "show_memory_order",
]


def _as_uint8_image(img, name="img", colour_ok=True):
    arr = np.asarray(img)
    if arr.dtype != np.uint8:
        raise TypeError(f"{name} must be a uint8 image (values 0..255), got {name}.dtype={arr.dtype}")
    if arr.ndim == 2 or (colour_ok and arr.ndim == 3 and arr.shape[-1] == 3):
        return arr
    wanted = "(H, W) or (H, W, 3)" if colour_ok else "(H, W)"
    raise ValueError(f"{name} must have shape {wanted}, got {name}.shape={arr.shape}")


def grid_beside_image(img, *, title_grid="what the computer stores",
                      title_image="what we see"):
    """A small grey image twice: as its grid of numbers, and as a picture.

    Parameters
    ----------
    img : ndarray of uint8, shape (H, W)
        Small enough for the numbers to be legible (about 20 x 20 at most).
    title_grid, title_image : str

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the annotated grid (top) and the image (below it), both
        drawn with 0 as black and 255 as white.

    Examples
    --------
    >>> fig = grid_beside_image(np.array([[0, 255], [128, 64]], dtype=np.uint8))
    >>> [ax.get_title() for ax in fig.axes]
    ['what the computer stores', 'what we see']
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['0', '128', '255', '64']
    """
    arr = _as_uint8_image(img, colour_ok=False)
    H, W = arr.shape
    # Inches. Three-digit numbers at the caption's size need cells of about 0.42 in,
    # so the grid takes the column's whole width and the picture goes below it.
    grid_w = 7.6
    grid_h = grid_w * H / W
    pic_h = 3.0
    pic_w = pic_h * W / H
    fig_w, fig_h = 8.3, 0.3 + grid_h + 0.75 + pic_h + 0.4
    fig = new_figure(fig_w, fig_h)
    left = fig.add_axes((0.6 / fig_w, (pic_h + 1.15) / fig_h, grid_w / fig_w, grid_h / fig_h))
    show_grid(arr, ax=left, vmin=0, vmax=255, origin=(0, 0), fontsize=MIN_TEXT_PT)
    left.tick_params(labelsize=MIN_TEXT_PT)
    left.set_title(title_grid, fontsize=MIN_TEXT_PT)
    right = fig.add_axes(((0.6 + (grid_w - pic_w) / 2) / fig_w, 0.05 / fig_h, pic_w / fig_w, pic_h / fig_h))
    show_image(arr, ax=right)
    right.set_title(title_image, fontsize=MIN_TEXT_PT)
    return fig


def quantise(img, levels):
    """Keep only ``levels`` evenly spaced grey levels of a uint8 image.

    Each value is rounded to the nearest of ``levels`` values spread evenly
    from 0 to 255 (for 2 levels: 0 and 255, i.e. black and white).

    Parameters
    ----------
    img : ndarray of uint8, shape (H, W) or (H, W, 3)
    levels : int
        From 2 to 256; 256 returns the image unchanged.

    Returns
    -------
    ndarray of uint8, same shape as ``img``
        At most ``levels`` distinct values.

    Examples
    --------
    >>> quantise(np.array([0, 60, 100, 200, 255], dtype=np.uint8), 2)
    array([  0,   0,   0, 255, 255], dtype=uint8)
    >>> quantise(np.array([0, 60, 100, 200, 255], dtype=np.uint8), 4)
    array([  0,  85,  85, 170, 255], dtype=uint8)
    """
    arr = np.asarray(img)
    if arr.dtype != np.uint8:
        raise TypeError(f"img must be a uint8 image (values 0..255), got img.dtype={arr.dtype}")
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or not 2 <= levels <= 256:
        raise ValueError(f"levels must be an int from 2 to 256, got levels={levels!r}")
    step = 255 / (levels - 1)  # distance between neighbouring kept levels
    return np.round(np.round(arr / step) * step).astype(np.uint8)


def show_quantisation(img, levels=(256, 16, 4, 2)):
    """The same grey image with fewer and fewer grey levels.

    Parameters
    ----------
    img : ndarray of uint8, shape (H, W)
    levels : sequence of int
        One panel per entry (see :func:`quantise`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per entry of ``levels``, titled e.g. '16 levels (4 bits)'.

    Examples
    --------
    >>> fig = show_quantisation(np.arange(64, dtype=np.uint8).reshape(8, 8) * 4, levels=(256, 2))
    >>> [ax.get_title() for ax in fig.axes]
    ['256 levels (8 bits)', '2 levels (1 bit)']
    """
    arr = _as_uint8_image(img, colour_ok=False)
    levels = list(levels)
    H, W = arr.shape
    n = len(levels)
    panel = min(2.2, 9.0 / n)
    fig = new_figure(n * panel, panel * H / W + 0.4)
    for i, q in enumerate(levels):
        ax = fig.add_axes((i / n + 0.005, 0.02, 1 / n - 0.01, 1 - 0.45 / fig.get_figheight()))
        show_image(quantise(arr, q), ax=ax)
        bits = np.log2(q)
        bits_text = f"{bits:.0f} bit{'s' if bits != 1 else ''}" if bits == int(bits) else f"{bits:.1f} bits"
        ax.set_title(f"{q} levels ({bits_text})", fontsize=9)
    return fig


def block_mean(img, factor):
    """Lower the resolution: replace every ``factor`` x ``factor`` block by its mean.

    Rows and columns that do not fill a whole block at the bottom and right
    are dropped.

    Parameters
    ----------
    img : ndarray of uint8, shape (H, W) or (H, W, 3)
    factor : int
        Block side, at least 1.

    Returns
    -------
    ndarray of uint8, shape (H // factor, W // factor) (+ (3,) for colour)

    Examples
    --------
    >>> a = np.array([[0, 2, 10, 10], [4, 6, 10, 10]], dtype=np.uint8)
    >>> block_mean(a, 2)
    array([[ 3, 10]], dtype=uint8)
    """
    arr = _as_uint8_image(img)
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"factor must be a positive int, got factor={factor!r}")
    H, W = arr.shape[:2]
    Hb, Wb = H // factor, W // factor
    if Hb == 0 or Wb == 0:
        raise ValueError(f"factor={factor} is larger than the image ({H} x {W})")
    blocks = arr[:Hb * factor, :Wb * factor].astype(np.float64)
    blocks = blocks.reshape(Hb, factor, Wb, factor, *arr.shape[2:])  # (Hb, f, Wb, f[, 3])
    return np.round(blocks.mean(axis=(1, 3))).astype(np.uint8)      # (Hb, Wb[, 3])


def show_resolution(img, factors=(1, 4, 16, 32)):
    """The same image sampled with fewer and fewer pixels, shown at the same size.

    Parameters
    ----------
    img : ndarray of uint8, shape (H, W) or (H, W, 3)
    factors : sequence of int
        Block sides for :func:`block_mean`; one panel each, titled with the
        resulting pixel count, e.g. '128×128 pixels'.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = show_resolution(np.zeros((64, 64), dtype=np.uint8), factors=(1, 8))
    >>> [ax.get_title() for ax in fig.axes]
    ['64×64 pixels', '8×8 pixels']
    """
    arr = _as_uint8_image(img)
    factors = list(factors)
    H, W = arr.shape[:2]
    n = len(factors)
    panel = min(2.2, 9.0 / n)
    fig = new_figure(n * panel, panel * H / W + 0.4)
    for i, f in enumerate(factors):
        small = block_mean(arr, f)
        ax = fig.add_axes((i / n + 0.005, 0.02, 1 / n - 0.01, 1 - 0.45 / fig.get_figheight()))
        show_image(small, ax=ax)
        ax.set_title(f"{small.shape[0]}×{small.shape[1]} pixels", fontsize=9)
    return fig


def memory_order(shape, layout):
    """Labels of a colour image's numbers in the order they lie in memory.

    Parameters
    ----------
    shape : (int, int)
        Image height H and width W.
    layout : {'HWC', 'CHW'}
        'HWC': pixel by pixel, the three colours of a pixel side by side
        (image files, PIL, scikit-image, matplotlib). 'CHW': channel by
        channel, a whole red plane, then green, then blue (PyTorch, cnnbook).

    Returns
    -------
    list of str
        ``H*W*3`` labels like ``'R01'`` (channel, row, column), in memory order
        (NumPy's default C order: the last axis changes fastest).

    Examples
    --------
    >>> memory_order((1, 2), 'HWC')
    ['R00', 'G00', 'B00', 'R01', 'G01', 'B01']
    >>> memory_order((1, 2), 'CHW')
    ['R00', 'R01', 'G00', 'G01', 'B00', 'B01']
    """
    if layout not in ("HWC", "CHW"):
        raise ValueError(f"layout must be 'HWC' or 'CHW', got layout={layout!r}")
    H, W = shape
    labels = np.array([[[f"{c}{i}{j}" for c in "RGB"] for j in range(W)] for i in range(H)])  # (H, W, 3)
    if layout == "CHW":
        labels = labels.transpose(2, 0, 1)  # (3, H, W)
    return labels.ravel().tolist()  # C order: what the bytes in memory look like


_CHANNEL_FACE = {"R": "#f4b6a8", "G": "#b9dfc4", "B": "#b7cde8"}
_CHANNEL_HATCH = {"R": "", "G": "..", "B": "//"}


def show_memory_order(shape=(2, 3)):
    """Draw the numbers of a tiny colour image in memory order, HWC and CHW.

    Each cell is one number, labelled channel + row + column (``G12`` is the
    green value of the pixel in row 1, column 2). Channels are told apart by
    the label, a light tint and a hatch pattern, so the figure reads in grey.

    Parameters
    ----------
    shape : (int, int)
        Height and width of the tiny image (H*W*3 cells per row of the figure).

    Returns
    -------
    matplotlib.figure.Figure
        One axes; two strips of cells titled 'HWC (interleaved)' and
        'CHW (planar)'.

    Examples
    --------
    >>> fig = show_memory_order((1, 2))
    >>> [t.get_text() for t in fig.axes[0].texts][:3]
    ['HWC (interleaved): image files, PIL, scikit-image', 'R00', 'G00']
    """
    H, W = shape
    n = H * W * 3
    # At most 8.4 inches (672 px, the book's text column) so that the labels,
    # raised to the caption size when displayed, still fit their cells.
    fig = new_figure(min(8.3, (n + 0.6) * 0.45 / 0.98), 2.0)
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.96))
    ax.set_xlim(-0.1, n + 0.5)
    ax.set_ylim(-0.3, 4.4)
    ax.axis("off")
    strips = (("HWC", "HWC (interleaved): image files, PIL, scikit-image", 2.6),
              ("CHW", "CHW (planar): PyTorch, cnnbook — each channel one H×W block", 0.3))
    for layout, title, y in strips:
        ax.text(0, y + 1.25, title, fontsize=9, va="bottom")
        for k, label in enumerate(memory_order(shape, layout)):
            face = _CHANNEL_FACE[label[0]]
            ax.add_patch(Rectangle((k, y), 1, 1, facecolor=face, edgecolor="#404040",
                                   hatch=_CHANNEL_HATCH[label[0]], linewidth=0.6))
            ax.text(k + 0.5, y + 0.5, label, ha="center", va="center", fontsize=7,
                    color="black",
                    bbox=dict(boxstyle="square,pad=0.02", facecolor="white", edgecolor="none", alpha=0.85))
        ax.annotate("", xy=(n + 0.4, y - 0.15), xytext=(0, y - 0.15),
                    arrowprops=dict(arrowstyle="->", color="#404040", linewidth=0.8))
    ax.text(n + 0.4, 0.05, "memory address →", ha="right", va="top", fontsize=7, color="#404040")
    return fig
