"""Convolution-window explorer (chapter 3): one output value = one window times the filter, summed."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import conv2d, conv_output_size, data
from ..plots._base import DIVERGING
from . import web
from ._base import Explorer, dropdown, slider

__all__ = ["FILTERS", "CONV_IMAGES", "ConvStep", "conv_step", "conv_window_limits", "conv_window_explorer"]

#: Hand-made 3×3 filters (cross-correlation, as in every deep-learning library).
FILTERS = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    # Sobel: responds where brightness changes from left to right (vertical edges).
    "edge-x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    # Its transpose: brightness changing from top to bottom (horizontal edges).
    "edge-y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "blur": np.full((3, 3), 1 / 9),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "outline": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float),
}
for _w in FILTERS.values():
    _w.setflags(write=False)

#: Images accepted by name by :func:`conv_step`.
CONV_IMAGES = ("eight", "camera")


@lru_cache(maxsize=None)
def _image(name):
    image = data.eight() if name == "eight" else data.photo(name, gray=True, size=24)
    image.setflags(write=False)
    return image


@dataclass
class ConvStep:
    """One step of a convolution: the window under output ``(row, col)`` and its sum.

    Attributes
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (KH, KW)
    kernel_name : str
        The name in :data:`FILTERS`, or 'custom'.
    image_name : str or None
        The name in :data:`CONV_IMAGES`, or None for an array.
    row, col, stride, padding : int
    padded : ndarray, shape (H + 2p, W + 2p)
    window, products : ndarray, shape (KH, KW) or None
        The input window and ``window * kernel`` (elementwise).
    total : float or None
        ``products.sum()``, equal to ``output[row, col]``.
    output : ndarray, shape (H_out, W_out) or None
        The whole activation map from :func:`cnnbook.conv2d`.
    partial : ndarray, shape (H_out, W_out) or None
        The map as built so far, scanning row by row: NaN after ``(row, col)``.
    text, summary, alt : str
    error : str or None
    """

    image: np.ndarray
    kernel: np.ndarray
    kernel_name: str
    row: int
    col: int
    stride: int
    padding: int
    image_name: str = None
    padded: np.ndarray = None
    window: np.ndarray = None
    products: np.ndarray = None
    total: float = None
    output: np.ndarray = None
    partial: np.ndarray = None
    text: str = ""
    summary: str = ""
    alt: str = ""
    error: str = None

    def state(self):
        """What the explorer draws (see :mod:`cnnbook.widgets.web`): the three small grids
        (window, kernel, products) and the picture of the input and the activation map so far."""
        return web.to_json({"summary": self.summary, "error": self.error, "text": self.text,
                            "grids": self._grids(), "picture": self._picture()})

    def _grids(self):
        if self.window is None:
            return []
        r, c = self.row * self.stride, self.col * self.stride
        origin = (r - self.padding, c - self.padding)
        lim_k = float(np.abs(self.kernel).max()) or 1.0
        lim_p = float(np.abs(self.products).max()) or 1.0
        return [
            web.grid(self.window, caption="window of the input", vmin=0, vmax=255, origin=origin),
            web.grid(self.kernel, caption=f"kernel ({self.kernel_name})", cmap=DIVERGING, vmin=-lim_k, vmax=lim_k),
            web.grid(self.products, caption=f"window × kernel (sum = {self.total:g})", cmap=DIVERGING,
                     vmin=-lim_p, vmax=lim_p, origin=origin),
        ]

    def _picture(self):
        """The 'conv-window' picture: the padded input with the window, and the map so far.

        A named image is drawn from the explorer's data (both sides have it);
        an array given to :func:`conv_step` travels in the picture itself.
        """
        if self.image.ndim != 2 or (self.image_name is None and self.error and self.image.shape == (1, 1)):
            return None  # no image to show (an unknown name or a bad array)
        padding = self.padding if self.padded is not None else 0  # not padded when the padding is not allowed
        picture = {"kind": "conv-window", "alt": self.alt, "image": self.image_name, "padding": padding,
                   "caption": "input" + (f" (zero padding {padding})" if padding else ""), "box": None, "map": None}
        if self.image_name is None:
            picture["input"] = self.image
        shown = self.padded if self.padded is not None else self.image
        picture["vmax"] = max(255.0, float(np.max(shown)))
        if self.window is None:
            return picture
        KH, KW = self.kernel.shape
        picture["box"] = (self.row * self.stride, self.col * self.stride, KH, KW)
        finite = self.output[np.isfinite(self.output)]
        limit = float(np.abs(finite).max()) or 1.0
        signed = bool(finite.min() < 0)
        H_out, W_out = self.output.shape
        picture["map"] = {"values": self.partial, "cmap": DIVERGING if signed else "viridis",
                          "vmin": -limit if signed else 0.0, "vmax": limit, "position": (self.row, self.col),
                          "caption": f"activation map so far ({H_out}×{W_out})",
                          "alt": f"Activation map, computed up to position {self.row}, {self.col}."}
        return picture


def conv_step(image="eight", kernel="edge-x", row=0, col=0, stride=1, padding=0):
    """Compute output ``(row, col)`` of a one-filter convolution by hand.

    Parameters
    ----------
    image : {'eight', 'camera'} or ndarray, shape (H, W)
        'camera' is scikit-image's camera photo shrunk to 24×24.
    kernel : str (a key of :data:`FILTERS`) or ndarray, shape (KH, KW)
    row, col : int
        Position in the output (activation map).
    stride, padding : int

    Returns
    -------
    ConvStep
        ``.total == .output[row, col]``, where ``.output`` comes from
        :func:`cnnbook.conv2d`; ``.error`` explains a setting that is not
        allowed; ``.state()`` is what the explorer draws.

    Examples
    --------
    >>> step = conv_step('eight', 'edge-x', row=1, col=5)
    >>> step.window.astype(int).tolist()
    [[12, 0, 11], [0, 41, 160], [9, 150, 251]]
    >>> step.total, step.output.shape
    (561.0, (16, 16))
    """
    name = kernel if isinstance(kernel, str) else "custom"
    if isinstance(image, str):
        img = _image(image) if image in CONV_IMAGES else np.zeros((1, 1))
    else:
        img = np.asarray(image)
    kern = FILTERS.get(kernel, np.zeros((1, 1))) if isinstance(kernel, str) else np.asarray(kernel, dtype=float)
    step = ConvStep(img, kern, name, row, col, stride, padding,
                    image_name=image if isinstance(image, str) and image in CONV_IMAGES else None)
    if isinstance(image, str) and image not in CONV_IMAGES:
        step.error = f"image must be one of {', '.join(CONV_IMAGES)} or a 2-D array; got {image!r}"
    elif isinstance(kernel, str) and kernel not in FILTERS:
        step.error = f"kernel must be one of {', '.join(FILTERS)} or a 2-D array; got {kernel!r}"
    elif img.ndim != 2 or kern.ndim != 2:
        step.error = f"image and kernel must be 2-D; got shapes {img.shape} and {kern.shape}"
    if step.error:
        step.summary, step.alt = "No output", "No picture: the setting is not allowed."
        return step
    KH, KW = kern.shape
    try:
        H_out, W_out = conv_output_size(img.shape, (KH, KW), stride, padding)
    except (TypeError, ValueError) as err:
        step.error, step.summary, step.alt = str(err), "No output", "The input image; the setting is not allowed."
        return step
    step.padded = np.pad(img.astype(float), padding)  # (H + 2p, W + 2p)
    if not (0 <= row < H_out and 0 <= col < W_out):
        step.error = (f"output position ({row}, {col}) does not exist: the activation map is "
                      f"{H_out} × {W_out}, so row must be 0 to {H_out - 1} and col 0 to {W_out - 1}.")
        step.summary, step.alt = "No output", "The input image; the output position does not exist."
        return step
    x = img.astype(float)[None, None]  # (1, 1, H, W)
    step.output = conv2d(x, kern[None, None], stride=stride, padding=padding)[0, 0]  # (H_out, W_out)
    r, c = row * stride, col * stride
    step.window = step.padded[r:r + KH, c:c + KW]  # (KH, KW)
    step.products = step.window * kern  # (KH, KW)
    step.total = float(step.products.sum())
    assert np.isclose(step.total, step.output[row, col]), "the hand sum must equal conv2d's output"
    done = np.arange(H_out * W_out).reshape(H_out, W_out) <= row * W_out + col
    step.partial = np.where(done, step.output, np.nan)  # (H_out, W_out)
    def num(v):
        return f"({v:.3g})" if v < 0 else f"{v:.3g}"

    terms = " + ".join(f"{num(v)}·{num(w)}" for v, w in zip(step.window.ravel(), kern.ravel()))
    step.summary = f"output[{row}, {col}] = {step.total:g}"
    step.text = (f"The window starts at input row {r - padding}, column {c - padding} "
                 f"(stride {stride}, padding {padding}).\n"
                 f"Multiply each of its {KH * KW} pixels by the filter weight on top of it and add up:\n"
                 f"{terms} = {step.total:g}\n"
                 f"The same {KH}×{KW} weights slide over every position: the map is {H_out} × {W_out}, "
                 f"{int(done.sum())} of {H_out * W_out} values computed so far.")
    step.alt = (f"Input image with a {KH} by {KW} window outlined at row {r - padding}, column {c - padding}, "
                f"and the activation map filled in up to position {row}, {col}, whose value is {step.total:g}.")
    return step


def conv_window_limits(image="eight", kernel="edge-x", row=0, col=0, stride=1, padding=0):
    """The output-position sliders' ranges for this image, filter, stride and padding.

    Returns
    -------
    dict
        ``{'row': {'max': H_out - 1}, 'col': {'max': W_out - 1}}``; empty when
        the setting has no activation map (the page-side twin has the same rule).

    Examples
    --------
    >>> conv_window_limits('eight', 'edge-x', stride=2)
    {'row': {'max': 7}, 'col': {'max': 7}}
    """
    if image not in CONV_IMAGES or kernel not in FILTERS:
        return {}
    try:
        H_out, W_out = conv_output_size(_image(image).shape, FILTERS[kernel].shape, stride, padding)
    except (TypeError, ValueError):
        return {}
    return {"row": {"max": H_out - 1}, "col": {"max": W_out - 1}}


def _adjust(explorer):
    for name, limit in conv_window_limits(**explorer.values()).items():
        explorer.controls[name].max = limit["max"]


def conv_window_explorer(image="eight", kernel="edge-x", row=3, col=5, stride=1, padding=0):
    """Slide a hand-made filter over a small image, one window at a time.

    Returns
    -------
    Explorer
        ``.controls``: 'image', 'kernel' (Dropdowns), 'row', 'col' (output
        position), 'stride', 'padding' (IntSliders); ``.result`` is the last
        :class:`ConvStep` and ``.state`` what is drawn.

    Examples
    --------
    >>> ex = conv_window_explorer()
    >>> ex.result.summary
    'output[3, 5] = 735'
    >>> ex.set(stride=2).summary, ex.controls['row'].max
    ('output[3, 5] = -419', 7)
    """
    controls = {
        "image": dropdown("image", list(CONV_IMAGES), image),
        "kernel": dropdown("filter", list(FILTERS), kernel),
        "row": slider("output row", row, 0, 40),
        "col": slider("output column", col, 0, 40),
        "stride": slider("stride", stride, 1, 3),
        "padding": slider("padding", padding, 0, 2),
    }
    return Explorer("conv-window", controls, conv_step, title="One window of a convolution",
                    summary_class="cnnbook-sum", adjust=_adjust,
                    data={"images": {name: _image(name) for name in CONV_IMAGES}},
                    layout_controls=[["image", "kernel"], ["row", "col"], ["stride", "padding"]])
