"""Transposed-convolution explorer (chapter 12): output size and the overlap-count map.

Every input pixel of a transposed convolution writes a kernel-sized patch of
the output, and the patches start every ``stride`` pixels. Counting the
writes per output pixel is a transposed convolution of ones with a kernel of
ones, :func:`cnnbook.conv_transpose2d`; it equals the input-gradient of a
convolution with the same settings, :func:`cnnbook.conv2d_backward` with
``dout`` all ones, and the explorer checks that on every redraw.
"""

from dataclasses import dataclass

import numpy as np

from .. import conv2d_backward, conv_output_size, conv_transpose2d, conv_transpose_output_size
from . import web
from ._base import Explorer, slider

__all__ = ["TransposeView", "transpose_view", "transpose_explorer"]


@dataclass
class TransposeView:
    """A transposed convolution of an n×n input, described by its overlap counts.

    Attributes
    ----------
    n, kernel_size, stride, padding, output_padding : int
    n_out : int or None
        From :func:`cnnbook.conv_transpose_output_size`.
    counts : ndarray, shape (n_out, n_out) or None
        How many input pixels write to each output pixel:
        ``conv_transpose2d(ones (n, n), ones (k, k))``.
    conv_grad : ndarray, shape (n_out, n_out) or None
        ``dx`` of :func:`cnnbook.conv2d_backward` for a convolution of an
        n_out×n_out input with the same kernel size, stride and padding, with
        ``dout`` all ones; equal to ``counts``.
    footprint : ndarray of bool, shape (n_out, n_out) or None
        The output pixels written by the centre input pixel ``(n//2, n//2)``.
    even : bool or None
        True when the stride divides the kernel size (no checkerboard).
    text, summary, alt : str
    error : str or None
    """

    n: int
    kernel_size: int
    stride: int
    padding: int
    output_padding: int
    n_out: int = None
    counts: np.ndarray = None
    conv_grad: np.ndarray = None
    footprint: np.ndarray = None
    even: bool = None
    text: str = ""
    summary: str = "Output shape: none"
    alt: str = ""
    error: str = None

    def state(self):
        """What the explorer draws (see :mod:`cnnbook.widgets.web`): the overlap-count map as a grid."""
        grids = []
        if self.counts is not None:
            c = self.n // 2
            grids.append(web.grid(self.counts, cmap="cividis", vmin=0, fmt="{:.0f}", highlight=self.footprint,
                                  caption=(f"input pixels writing to each of the {self.n_out} × {self.n_out} "
                                           f"output pixels (outlined: the patch written by input pixel ({c}, {c}))")))
        return web.to_json({"summary": self.summary, "error": self.error, "text": self.text,
                            "grids": grids, "picture": None})


def transpose_view(n=3, kernel_size=3, stride=2, padding=0, output_padding=0):
    """Output size and overlap counts of a transposed convolution; never raises for a bad setting.

    Parameters
    ----------
    n : int
        Input height and width.
    kernel_size, stride, padding, output_padding : int
        As in :func:`cnnbook.conv_transpose2d` (dilation 1): ``padding``
        crops the output on every side, ``output_padding`` (smaller than the
        stride) adds rows and columns at the bottom and right.

    Returns
    -------
    TransposeView

    Examples
    --------
    >>> view = transpose_view(3, 3, 2)
    >>> view.summary
    'Output shape: 7 × 7'
    >>> view.counts[:3, :3].astype(int).tolist()
    [[1, 1, 2], [1, 1, 2], [2, 2, 4]]
    >>> bool(np.array_equal(view.counts, view.conv_grad)), view.even
    (True, False)
    >>> transpose_view(3, 3, 2, output_padding=2).error.split(';')[0]
    'output_padding=2 must be smaller than the stride or the dilation (here 2)'
    """
    view = TransposeView(n, kernel_size, stride, padding, output_padding)
    try:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive int (the input height and width), got n={n!r}")
        view.n_out = int(conv_transpose_output_size(n, kernel_size, stride, padding, output_padding))
    except (TypeError, ValueError) as err:
        view.error = str(err)
        view.text = view.error
        view.alt = "No map: the setting is not allowed."
        return view
    k, s, p, op = kernel_size, stride, padding, output_padding
    ones_x = np.ones((1, 1, n, n))  # (N, C_in, n, n)
    ones_w = np.ones((1, 1, k, k))  # (C_in, C_out, k, k)
    view.counts = conv_transpose2d(ones_x, ones_w, stride=s, padding=p, output_padding=op)[0, 0]
    # The convolution that maps an n_out × n_out input back to n × n: its dx for dout = ones.
    assert conv_output_size(view.n_out, k, s, p) == n, "the transposed conv inverts the shape of a conv"
    z = np.zeros((1, 1, view.n_out, view.n_out))
    view.conv_grad = conv2d_backward(ones_x, z, ones_w, s, p)[0][0, 0]  # (n_out, n_out)
    c = n // 2
    view.footprint = np.zeros((view.n_out, view.n_out), dtype=bool)
    r0 = c * s - p
    view.footprint[max(r0, 0):max(r0 + k, 0), max(r0, 0):max(r0 + k, 0)] = True
    view.even = k % s == 0
    lo, hi = int(view.counts.min()), int(view.counts.max())
    same = bool(np.array_equal(view.counts, view.conv_grad))
    view.summary = f"Output shape: {view.n_out} × {view.n_out}"
    lines = [
        f"output size = (n − 1)·s − 2·p + (k − 1) + output_padding + 1 "
        f"= ({n} − 1)·{s} − 2·{p} + ({k} − 1) + {op} + 1 = {view.n_out}",
        f"Each input pixel writes a {k}×{k} patch of the output; patches start every {s} "
        f"pixel{'s' if s > 1 else ''}. Writes per output pixel: {lo} to {hi}.",
    ]
    if op:
        empty = op - p  # rows beyond the last patch: padding crops p from the end, output_padding adds op
        lines.append(f"output_padding = {op} keeps {op} more row{'s' if op > 1 else ''} and column{'s' if op > 1 else ''} "
                     "at the bottom and right" + (f"; the last {empty} lie{'s' if empty == 1 else ''} beyond every patch (0 writes)."
                                                  if empty > 0 else ", still inside the patches (padding crops them otherwise)."))
    if view.even:
        lines.append(f"The stride {s} divides the kernel size {k}: away from the border every output pixel "
                     f"receives the same number of writes, ({k}/{s})² = {(k // s) ** 2}.")
    else:
        lines.append(f"The stride {s} does not divide the kernel size {k}: neighbouring output pixels receive "
                     "different numbers of writes. With learned weights this shows up as a checkerboard pattern.")
    lines.append(f"This map is also the input-gradient of conv2d on a {view.n_out}×{view.n_out} input "
                 f"(kernel {k}, stride {s}, padding {p}) with dout = ones: "
                 + ("identical, checked with cnnbook.conv2d_backward." if same else "NOT identical."))
    view.text = "\n".join(lines)
    view.alt = (f"A {view.n_out} by {view.n_out} grid of counts from {lo} to {hi}: how many of the {n} by {n} "
                f"input pixels write to each output pixel with kernel {k}, stride {s}, padding {p}"
                + (", an even pattern." if view.even else ", an uneven checkerboard pattern."))
    return view


def transpose_explorer(n=3, kernel_size=3, stride=2, padding=0, output_padding=0):
    """Sliders for a transposed convolution's settings; shows the output size and overlap counts.

    Returns
    -------
    Explorer
        ``.controls``: 'n', 'kernel_size', 'stride', 'padding',
        'output_padding' (IntSliders); ``.result`` is the last
        :class:`TransposeView`. The summary line has the class
        ``cnnbook-shape`` (``Output shape: 7 × 7``).

    Examples
    --------
    >>> ex = transpose_explorer()
    >>> ex.set(kernel_size=4).summary
    'Output shape: 8 × 8'
    """
    controls = {
        "n": slider("input size", n, 1, 6),
        "kernel_size": slider("kernel size", kernel_size, 1, 5),
        "stride": slider("stride", stride, 1, 4),
        "padding": slider("padding", padding, 0, 3),
        "output_padding": slider("output padding", output_padding, 0, 3),
    }
    return Explorer("transpose", controls, transpose_view, title="Transposed convolution: who writes where",
                    summary_class="cnnbook-shape",
                    layout_controls=[["n", "kernel_size"], ["stride", "padding"], ["output_padding"]])
