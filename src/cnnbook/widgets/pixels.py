"""Pixel explorer (chapter 1): an image is a grid of numbers, one grid per colour channel."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import data
from ..plots import show_grid, show_image
from ..plots._base import new_figure, outline
from ._base import Explorer, dropdown, slider
from ._pictures import as_rgb, draw_box, figure_block, png_uri, upscale

__all__ = ["IMAGES", "CHANNELS", "PixelView", "pixel_view", "pixel_explorer"]

#: Image names accepted by :func:`pixel_view`.
IMAGES = ("eight", "camera", "astronaut", "coins", "chelsea")
#: Channel names; 'gray' is the luminance of a colour image.
CHANNELS = ("gray", "R", "G", "B")


@lru_cache(maxsize=None)
def _load(name):
    image = data.eight() if name == "eight" else data.photo(name)
    image.setflags(write=False)  # shared by the cache: nobody may change it
    return image


@lru_cache(maxsize=None)
def _load_gray(name):
    image = data.photo(name, gray=True)
    image.setflags(write=False)
    return image


@dataclass
class PixelView:
    """A window of pixel values of one channel of an image.

    Attributes
    ----------
    name : str
    image : ndarray, shape (H, W) or (H, W, 3)
        The whole image as stored.
    channel : str
    plane : ndarray, shape (H, W)
        The chosen channel (for 'gray' on a colour image: its luminance).
    row, col, size : int
    values : ndarray, shape (size, size), or None
        ``plane[row:row+size, col:col+size]``; None when the setting is not allowed.
    text, summary, alt : str
    error : str or None
    """

    name: str
    image: np.ndarray
    channel: str
    plane: np.ndarray
    row: int
    col: int
    size: int
    values: np.ndarray = None
    text: str = ""
    summary: str = ""
    alt: str = ""
    error: str = None

    def figure(self, numbers=True):
        """The image with the window outlined, and (if ``numbers``) the window's numbers."""
        H, W = self.plane.shape
        fig = new_figure(9.6, 4.8) if numbers else new_figure(3.6, 3.4)
        left = fig.add_axes((0.01, 0.04, 0.36, 0.86) if numbers else (0.02, 0.02, 0.96, 0.88))
        shown = self.image if self.channel == "gray" or self.image.ndim == 2 else self.plane
        # Photos are shown subsampled (the numbers come from the full image): much faster to draw.
        step = -(-max(H, W) // 200)
        show_image(shown[::step, ::step], ax=left)
        left.images[0].set_extent((-0.5, W - 0.5, H - 0.5, -0.5))
        label = self.name if self.image.ndim == 2 else f"{self.name}, {self._channel_name()}"
        left.set_title(f"{label} ({H}×{W})", fontsize=9)
        if self.values is None:
            return fig
        # A thick outline stays visible even when the window is a few pixels of a big photo.
        outline(left, self.row, self.col, self.size, self.size, linewidth=2.5 if max(H, W) <= 64 else 2.0)
        if numbers:
            right = fig.add_axes((0.44, 0.06, 0.55, 0.84))
            show_grid(self.values, ax=right, vmin=0, vmax=255, origin=(self.row, self.col))
            right.set_title(f"pixel values, rows {self.row}–{self.row + self.size - 1}, "
                            f"columns {self.col}–{self.col + self.size - 1}", fontsize=9)
        return fig

    def picture_html(self):
        """The image with the window outlined, drawn with numpy (fast)."""
        H, W = self.plane.shape
        shown = self.image if self.channel == "gray" or self.image.ndim == 2 else self.plane
        step = -(-max(H, W) // 300)  # subsample big photos for display only
        small = as_rgb(shown[::step, ::step])  # (h, w, 3)
        scale = max(1, 300 // max(small.shape[:2]))
        canvas = upscale(small, scale)
        if self.values is not None:
            f = scale / step
            draw_box(canvas, int(self.row * f), int(self.col * f), max(int(self.size * f), 4), max(int(self.size * f), 4))
        label = self.name if self.image.ndim == 2 else f"{self.name}, {self._channel_name()}"
        return figure_block(png_uri(canvas), self.alt, f"{label} ({H}×{W})")

    def grids(self):
        """The window's values as a table spec for the explorer (see ``grid_table_html``)."""
        if self.values is None:
            return []
        return [dict(values=self.values, vmin=0, vmax=255, origin=(self.row, self.col),
                     caption=f"{self._channel_name()}, rows {self.row}–{self.row + self.size - 1}, "
                             f"columns {self.col}–{self.col + self.size - 1}")]

    def _channel_name(self):
        grey = "grey levels" if self.image.ndim == 2 else "grey levels (luminance)"
        names = {"gray": grey, "R": "red channel", "G": "green channel", "B": "blue channel"}
        return names.get(self.channel, str(self.channel))


def pixel_view(image="eight", channel="gray", row=0, col=0, size=18):
    """Zoom into an image: the numbers of a ``size`` × ``size`` window of one channel.

    Parameters
    ----------
    image : {'eight', 'camera', 'astronaut', 'coins', 'chelsea'}
        'eight' is the 18×18 handwritten digit; the others are scikit-image's
        photos ('astronaut' and 'chelsea' are in colour).
    channel : {'gray', 'R', 'G', 'B'}
        R, G and B exist only for colour images; 'gray' of a colour image is
        its luminance (ITU-R 709 weights).
    row, col : int
        Top-left pixel of the window.
    size : int
        Window height and width.

    Returns
    -------
    PixelView
        ``.values`` has shape (size, size); ``.error`` explains a setting
        that is not allowed (then ``.values`` is None).

    Examples
    --------
    >>> view = pixel_view('eight', 'gray', row=2, col=8, size=3)
    >>> view.values.tolist()
    [[250, 255, 235], [45, 21, 184], [3, 10, 0]]
    >>> pixel_view('camera', 'R').error.split(':')[0]
    'camera is a grey image'
    """
    if image not in IMAGES:
        plane = np.zeros((1, 1), dtype=np.uint8)
        return PixelView(str(image), plane, str(channel), plane, row, col, size,
                         error=f"image must be one of {', '.join(IMAGES)}; got {image!r}",
                         summary="No image", alt="No image.")
    img = _load(image)
    colour = img.ndim == 3
    view = PixelView(image, img, channel, img if not colour else _load_gray(image), row, col, size)
    if channel not in CHANNELS:
        view.error = f"channel must be one of {', '.join(CHANNELS)}; got {channel!r}"
    elif channel != "gray" and not colour:
        view.error = (f"{image} is a grey image: it has a single channel of brightness values, "
                      f"so there is no {channel} channel. Choose 'gray', or a colour image "
                      "('astronaut' or 'chelsea').")
    elif colour and channel != "gray":
        view.plane = img[..., "RGB".index(channel)]  # (H, W)
    H, W = view.plane.shape
    if view.error is None:
        if not (isinstance(size, (int, np.integer)) and 1 <= size <= min(H, W)):
            view.error = f"size must be a whole number from 1 to {min(H, W)}; got size={size!r}"
        elif not (isinstance(row, (int, np.integer)) and 0 <= row <= H - size):
            view.error = (f"row={row!r} does not fit: a window of {size} rows starting there would "
                          f"run past the last row ({H - 1}); choose row from 0 to {H - size}.")
        elif not (isinstance(col, (int, np.integer)) and 0 <= col <= W - size):
            view.error = (f"col={col!r} does not fit: a window of {size} columns starting there would "
                          f"run past the last column ({W - 1}); choose col from 0 to {W - size}.")
    kind = "colour image with 3 channels (R, G, B)" if colour else "grey image with 1 channel"
    if view.error:
        view.summary = "No window"
        view.text = f"{image}: {H} × {W} {kind}."
        view.alt = f"The {image} image; no window is selected because the setting is not allowed."
        return view
    view.values = np.asarray(view.plane[row:row + size, col:col + size])  # (size, size)
    lo, hi = int(view.values.min()), int(view.values.max())
    view.summary = (f"Rows {row}–{row + size - 1}, columns {col}–{col + size - 1} "
                    f"of the {view._channel_name()}: values {lo} to {hi}")
    view.text = (f"{image}: {H} × {W} {kind}, {H * W * (3 if colour else 1):,} numbers in all.\n"
                 f"Each number is a brightness from 0 (black) to 255 (white); "
                 f"this {size} × {size} window holds {size * size} of them, mean {view.values.mean():.1f}.")
    view.alt = (f"The {image} image with a {size} by {size} window outlined at row {row}, column {col}, "
                f"and the window's {view._channel_name()} values printed in a grid, from {lo} to {hi}.")
    return view


def _adjust(explorer):
    c = explorer.controls
    colour = _load(c["image"].value).ndim == 3
    options = list(CHANNELS) if colour else ["gray"]
    if list(c["channel"].options) != options:
        value = c["channel"].value if c["channel"].value in options else "gray"
        c["channel"].options = options
        c["channel"].value = value
    H, W = _load(c["image"].value).shape[:2]
    c["size"].max = min(H, W, 18)
    c["row"].max = H - c["size"].value
    c["col"].max = W - c["size"].value


def pixel_explorer(image="eight", channel="gray", row=0, col=0, size=18):
    """Pick an image, a channel and a window; see the window's pixel values.

    The first state is the whole handwritten "8" as an 18×18 grid of numbers.

    Returns
    -------
    Explorer
        ``.controls``: 'image', 'channel' (Dropdowns), 'row', 'col', 'size'
        (IntSliders); ``.result`` is the last :class:`PixelView`.

    Examples
    --------
    >>> ex = pixel_explorer()
    >>> ex.set(row=2, col=8, size=3).values.tolist()
    [[250, 255, 235], [45, 21, 184], [3, 10, 0]]
    """
    controls = {
        "image": dropdown("image", list(IMAGES), image),
        "channel": dropdown("channel", list(CHANNELS), channel),
        "row": slider("top row", row, 0, 512),
        "col": slider("left column", col, 0, 512),
        "size": slider("window size", size, 2, 18),
    }
    return Explorer("pixels", controls, pixel_view, title="Pixels are numbers",
                    summary_class="cnnbook-pixel-summary", adjust=_adjust,
                    layout_controls=[["image", "channel"], ["row", "col"], ["size"]])
