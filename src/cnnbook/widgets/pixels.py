"""Pixel explorer (chapter 1): an image is a grid of numbers, one grid per colour channel."""

import base64
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from .. import data
from . import web
from ._base import Explorer, dropdown, slider

__all__ = ["IMAGES", "CHANNELS", "PixelView", "pixel_view", "pixel_limits", "pixel_explorer"]

#: Image names accepted by :func:`pixel_view`.
IMAGES = ("eight", "camera", "astronaut", "coins", "chelsea")
#: Channel names; 'gray' is the luminance of a colour image.
CHANNELS = ("gray", "R", "G", "B")
#: Largest window the size slider offers.
MAX_SIZE = 18


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


@lru_cache(maxsize=None)
def _pixels(name):
    """An image's planes for the page: base64 of their uint8 bytes, row after row.

    The grey plane of a colour image is Python's luminance (:func:`cnnbook.data.photo`
    with ``gray=True``), shipped rather than recomputed so the page shows the same numbers.
    """
    image = _load(name)
    H, W = image.shape[:2]
    planes = {"gray": image} if image.ndim == 2 else \
        {"gray": _load_gray(name), **{c: image[..., i] for i, c in enumerate("RGB")}}
    return {"H": H, "W": W, "planes": {c: base64.b64encode(np.ascontiguousarray(p, dtype=np.uint8).tobytes())
                                       .decode("ascii") for c, p in planes.items()}}


# The photos are too big to inline in the page: each is loaded when first chosen.
for _name in IMAGES[1:]:
    web.SITE_DATA[f"pixels-{_name}"] = partial(_pixels, _name)


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

    def state(self):
        """What the explorer draws (see :mod:`cnnbook.widgets.web`): the window's numbers, and the
        'pixels' picture (the image with the window outlined, drawn from the explorer's data)."""
        grids = []
        if self.values is not None:
            grids.append(web.grid(self.values, vmin=0, vmax=255, origin=(self.row, self.col),
                                  caption=f"{self._channel_name()}, rows {self.row}–{self.row + self.size - 1}, "
                                          f"columns {self.col}–{self.col + self.size - 1}"))
        picture = None
        if self.name in IMAGES:
            H, W = self.plane.shape
            colour = self.image.ndim == 3
            # A colour image is shown in colour, unless one of its channels is chosen.
            show = ("RGB" if self.channel == "gray" else self.channel) if colour and self.channel in CHANNELS \
                else "gray"
            label = f"{self.name}, {self._channel_name()}" if colour else self.name
            picture = {"kind": "pixels", "alt": self.alt, "caption": f"{label} ({H}×{W})", "image": self.name,
                       "show": show, "H": H, "W": W,
                       "box": None if self.values is None else (self.row, self.col, self.size)}
        return web.to_json({"summary": self.summary, "error": self.error, "text": self.text,
                            "grids": grids, "picture": picture})

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
        that is not allowed (then ``.values`` is None); ``.state()`` is what
        the explorer draws.

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


def pixel_limits(image="eight", channel="gray", row=0, col=0, size=18):
    """The choices the controls offer for this image: its channels, and where a window fits.

    Returns
    -------
    dict
        ``{'channel': {'options': [...]}, 'size': {'max': n}, 'row': {'max': H - size},
        'col': {'max': W - size}}``; empty for an unknown image. The page-side
        twin has the same rule.

    Examples
    --------
    >>> pixel_limits('coins', size=4)
    {'channel': {'options': ['gray']}, 'size': {'max': 18}, 'row': {'max': 299}, 'col': {'max': 380}}
    """
    if image not in IMAGES:
        return {}
    img = _load(image)
    H, W = img.shape[:2]
    return {"channel": {"options": list(CHANNELS) if img.ndim == 3 else ["gray"]},
            "size": {"max": min(H, W, MAX_SIZE)}, "row": {"max": H - size}, "col": {"max": W - size}}


def _adjust(explorer):
    c = explorer.controls
    limits = pixel_limits(**explorer.values())
    options = limits["channel"]["options"]
    if list(c["channel"].options) != options:
        value = c["channel"].value if c["channel"].value in options else options[0]
        c["channel"].options = options
        c["channel"].value = value
    for name in ("size", "row", "col"):
        c[name].max = limits[name]["max"]
    # The picture draws from the view's data: send the chosen photo's pixels (once) before its state.
    name = c["image"].value
    if name not in explorer.view.data.get("images", {}):
        images = {**explorer.data["images"], name: _pixels(name)}
        explorer.view.data = {**explorer.data, "images": images}


def pixel_explorer(image="eight", channel="gray", row=0, col=0, size=18):
    """Pick an image, a channel and a window; see the window's pixel values.

    The first state is the whole handwritten "8" as an 18×18 grid of numbers.

    Returns
    -------
    Explorer
        ``.controls``: 'image', 'channel' (Dropdowns), 'row', 'col', 'size'
        (IntSliders); ``.result`` is the last :class:`PixelView` and ``.state``
        what is drawn.

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
        "size": slider("window size", size, 2, MAX_SIZE),
    }
    # Inline in the page: the "8" itself (the first state and its windows need nothing loaded),
    # and every image's shape (the sliders' ranges and the messages of settings that do not fit).
    page_data = {"images": {"eight": _pixels("eight")},
                 "shapes": {name: (*_load(name).shape[:2], 3 if _load(name).ndim == 3 else 1) for name in IMAGES}}
    return Explorer("pixels", controls, pixel_view, title="Pixels are numbers",
                    summary_class="cnnbook-pixel-summary", adjust=_adjust, data=page_data,
                    layout_controls=[["image", "channel"], ["row", "col"], ["size"]])
