"""Convolution-window explorer (chapter 3): one output value = one window times the filter, summed."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import conv2d, conv_output_size, data
from ..plots import show_grid
from ..plots._base import DIVERGING, hide_ticks, new_figure, outline
from ._base import Explorer, dropdown, slider
from ._pictures import colourize, draw_box, figure_block, png_uri, upscale

__all__ = ["FILTERS", "CONV_IMAGES", "ConvStep", "conv_step", "conv_window_explorer"]

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

    def _box(self):
        KH, KW = self.kernel.shape
        return self.row * self.stride, self.col * self.stride, KH, KW

    def figure(self, numbers=True):
        """Input with the window, the activation map so far, and (if ``numbers``) window, kernel, products."""
        fig = new_figure(8.0, 6.4) if numbers else new_figure(6.4, 3.3)
        top = 0.5 if numbers else 0.02
        ax_in = fig.add_axes((0.02, top, 0.46, 0.44 if numbers else 0.88))
        shown = self.padded if self.padded is not None else self.image
        ax_in.imshow(shown, cmap="gray", vmin=0, vmax=max(255, float(np.max(shown))), interpolation="nearest")
        hide_ticks(ax_in)
        ax_in.set_title("input" + (f" (zero padding {self.padding})" if self.padding else ""), fontsize=9)
        if self.window is None:
            return fig
        r, c, KH, KW = self._box()
        outline(ax_in, r, c, KH, KW, linewidth=2)
        ax_out = fig.add_axes((0.52, top, 0.46, 0.44 if numbers else 0.88))
        finite = self.output[np.isfinite(self.output)]
        limit = float(np.abs(finite).max()) or 1.0
        signed = finite.min() < 0
        ax_out.imshow(np.ma.masked_invalid(self.partial), cmap=DIVERGING if signed else "viridis",
                      vmin=-limit if signed else 0, vmax=limit, interpolation="nearest")
        ax_out.set_facecolor("#eeeeee")
        outline(ax_out, self.row, self.col, 1, 1, linewidth=2)
        hide_ticks(ax_out)
        ax_out.set_title(f"activation map so far ({self.output.shape[0]}×{self.output.shape[1]})", fontsize=9)
        if numbers:
            for i, (values, title, cmap) in enumerate((
                (self.window, "window", "gray"),
                (self.kernel, f"kernel ({self.kernel_name})", DIVERGING),
                (self.products, f"window × kernel, sum = {self.total:g}", DIVERGING),
            )):
                ax = fig.add_axes((0.02 + i * 0.33, 0.04, 0.29, 0.36))
                lim = float(np.abs(values).max()) or 1.0
                show_grid(values, ax=ax, cmap=cmap, fmt="auto",
                          vmin=0 if cmap == "gray" else -lim, vmax=255 if cmap == "gray" else lim)
                ax.set_title(title, fontsize=9)
        return fig

    def picture_html(self):
        """Input with the window, and the activation map so far, drawn with numpy (fast)."""
        shown = self.padded if self.padded is not None else self.image
        scale = max(1, 280 // max(shown.shape))
        canvas = upscale(colourize(shown, "gray", 0, max(255, float(np.max(shown)))), scale)
        caption = "input" + (f" (zero padding {self.padding})" if self.padding else "")
        if self.window is None:
            return figure_block(png_uri(canvas), self.alt, caption)
        r, c, KH, KW = self._box()
        draw_box(canvas, r * scale, c * scale, KH * scale, KW * scale)
        finite = self.output[np.isfinite(self.output)]
        limit = float(np.abs(finite).max()) or 1.0
        signed = finite.min() < 0
        H_out, W_out = self.output.shape
        out_scale = max(1, 280 // max(H_out, W_out))
        out = upscale(colourize(self.partial, DIVERGING if signed else "viridis",
                                -limit if signed else 0, limit), out_scale)
        draw_box(out, self.row * out_scale, self.col * out_scale, out_scale, out_scale)
        return (figure_block(png_uri(canvas), self.alt, caption)
                + figure_block(png_uri(out), f"Activation map, computed up to position {self.row}, {self.col}.",
                               f"activation map so far ({H_out}×{W_out})"))

    def grids(self):
        """Window, kernel and products as table specs for the explorer."""
        if self.window is None:
            return []
        r, c, KH, KW = self._box()
        origin = (r - self.padding, c - self.padding)
        lim_k = float(np.abs(self.kernel).max()) or 1.0
        lim_p = float(np.abs(self.products).max()) or 1.0
        return [
            dict(values=self.window, caption="window of the input", vmin=0, vmax=255, origin=origin),
            dict(values=self.kernel, caption=f"kernel ({self.kernel_name})", cmap=DIVERGING,
                 vmin=-lim_k, vmax=lim_k),
            dict(values=self.products, caption=f"window × kernel (sum = {self.total:g})",
                 cmap=DIVERGING, vmin=-lim_p, vmax=lim_p, origin=origin),
        ]


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
        :func:`cnnbook.conv2d`; ``.error`` explains a setting that is not allowed.

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
    step = ConvStep(img, kern, name, row, col, stride, padding)
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


def _adjust(explorer):
    c = explorer.controls
    img = _image(c["image"].value)
    k = FILTERS[c["kernel"].value].shape
    H_out, W_out = conv_output_size(img.shape, k, c["stride"].value, c["padding"].value)
    c["row"].max = H_out - 1
    c["col"].max = W_out - 1


def conv_window_explorer(image="eight", kernel="edge-x", row=3, col=5, stride=1, padding=0):
    """Slide a hand-made filter over a small image, one window at a time.

    Returns
    -------
    Explorer
        ``.controls``: 'image', 'kernel' (Dropdowns), 'row', 'col' (output
        position), 'stride', 'padding' (IntSliders); ``.result`` is the last :class:`ConvStep`.

    Examples
    --------
    >>> ex = conv_window_explorer()
    >>> ex.summary.value
    'output[3, 5] = 735'
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
                    layout_controls=[["image", "kernel"], ["row", "col"], ["stride", "padding"]])
