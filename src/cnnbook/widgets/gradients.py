"""Gradient explorers: convolution (chapter 8) and pooling/ReLU (chapter 9).

Both only call :mod:`cnnbook`'s backward functions; nothing here re-derives a
gradient, so what the reader sees is what the library computes.
"""

from dataclasses import dataclass, field

import numpy as np

from .. import (
    avg_pool2d_backward,
    conv2d,
    conv2d_backward,
    conv_output_size,
    lp_pool2d_backward,
    max_pool2d_backward,
    relu,
    relu_backward,
)
from ..plots._base import DIVERGING
from . import web
from ._base import Explorer, dropdown, slider
from .pooling import fit_problem, pool_forward, pool_shape

__all__ = [
    "GradientView",
    "gradient_view",
    "gradient_limits",
    "gradient_explorer",
    "FLOW_KINDS",
    "GradientFlowView",
    "gradient_flow_view",
    "gradient_flow_explorer",
]


def _mask(shape, *positions):
    mask = np.zeros(shape, dtype=bool)
    for r, c in positions:
        mask[r, c] = True
    return mask


def _grid_states(panels):
    """Panels of (values, caption, cmap, highlight) as the state's grids; diverging maps centred on 0."""
    grids = []
    for values, caption, cmap, highlight in panels:
        lim = float(np.abs(values).max()) or 1.0
        grids.append(web.grid(values, caption=caption, cmap=cmap, highlight=highlight,
                              vmin=-lim if cmap == DIVERGING else None, vmax=lim if cmap == DIVERGING else None))
    return grids


def _state(view):
    """A view's state (see :mod:`cnnbook.widgets.web`): its grids when the setting is allowed, no picture."""
    grids = [] if view.dx is None else _grid_states(view._panels())
    return web.to_json({"summary": view.summary, "error": view.error, "text": view.text,
                        "grids": grids, "picture": None})


@dataclass
class GradientView:
    """Where the gradient of one output goes, and which outputs one input feeds.

    Attributes
    ----------
    x : ndarray, shape (H, W)
    w : ndarray, shape (KH, KW)
    stride, padding : int
    out_pos, in_pos : (int, int)
    dout : ndarray, shape (H_out, W_out) or None
        One-hot upstream gradient at ``out_pos``.
    dx, dw : ndarray or None
        From :func:`cnnbook.conv2d_backward` with that ``dout``.
    counts : ndarray, shape (H, W) or None
        How many outputs read each input pixel.
    feeds : ndarray of bool, shape (H_out, W_out) or None
        The outputs whose window contains ``in_pos``.
    text, summary, alt : str
    error : str or None
    """

    x: np.ndarray
    w: np.ndarray
    stride: int
    padding: int
    out_pos: tuple
    in_pos: tuple
    dout: np.ndarray = None
    dx: np.ndarray = None
    dw: np.ndarray = None
    counts: np.ndarray = None
    feeds: np.ndarray = None
    window: np.ndarray = field(default=None, repr=False)
    text: str = ""
    summary: str = ""
    alt: str = ""
    error: str = None

    def _panels(self):
        return [
            (self.x, "input x (outlined: window of the output)", "viridis", self.window),
            (self.w, "kernel w", DIVERGING, None),
            (self.dout, f"dout: one-hot at output {self.out_pos}", "cividis", _mask(self.dout.shape, self.out_pos)),
            (self.dw, "dW = window of x", "viridis", None),
            (self.dx, "dX = w placed on the window", DIVERGING, self.window),
            (self.counts, "outputs that read each input", "cividis", _mask(self.counts.shape, self.in_pos)),
            (self.feeds.astype(float), f"outputs fed by input {self.in_pos}", "cividis", self.feeds),
        ]

    def state(self):
        """What the explorer draws: x, w, dout, dW, dX, the counts and the fed outputs as grids."""
        return _state(self)


def _conv_problem(shape, kernel, stride, padding):
    """Why a convolution setting is not allowed, in the explorer's words, or None.

    :func:`cnnbook.conv_output_size` decides; this words the rule that the
    sliders can break (``web/cnnbook-explorers/gradients.js`` words it the same way).
    """
    ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (stride, padding))
    if not ints or stride < 1 or padding < 0:
        return None
    return fit_problem(shape, kernel, padding)


def _conv_shape(shape, kernel, stride, padding):
    """``((H_out, W_out), None)`` from :func:`cnnbook.conv_output_size`, or ``((None, None), why not)``."""
    try:
        return tuple(int(v) for v in conv_output_size(tuple(shape), tuple(kernel), stride, padding)), None
    except (TypeError, ValueError) as err:
        return (None, None), _conv_problem(shape, kernel, stride, padding) or str(err)


def gradient_view(height=3, width=3, kernel_size=2, stride=1, padding=0, out_row=0, out_col=0,
                  in_row=1, in_col=1, x=None, w=None):
    """Backpropagate a one-hot gradient through a one-channel convolution.

    The defaults are the 3×3 input and 2×2 filter of the classic derivation:
    ``dW`` is the input window under the chosen output, ``dX`` is the filter
    placed on that window, and the centre input feeds all four outputs.

    Parameters
    ----------
    height, width : int
        Input size (ignored when ``x`` is given).
    kernel_size, stride, padding : int
    out_row, out_col : int
        Output position that gets the upstream gradient 1 (all others 0).
    in_row, in_col : int
        Input pixel whose outputs are counted.
    x : ndarray, shape (H, W), optional
        Default ``1, 2, ..., H*W`` row by row (so X11 = 1, X12 = 2, ...).
    w : ndarray, shape (KH, KW), optional
        Default ``1, 2, ..., KH*KW`` row by row.

    Returns
    -------
    GradientView

    Examples
    --------
    >>> view = gradient_view()
    >>> view.dw.tolist(), view.dx.tolist()
    ([[1.0, 2.0], [4.0, 5.0]], [[1.0, 2.0, 0.0], [3.0, 4.0, 0.0], [0.0, 0.0, 0.0]])
    >>> view.counts.astype(int).tolist()
    [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    >>> view.summary
    'Input pixel (1, 1) feeds 4 outputs'
    """
    xs = np.arange(1, height * width + 1, dtype=float).reshape(height, width) if x is None else np.asarray(x, float)
    if w is None:
        ws = np.arange(1, kernel_size * kernel_size + 1, dtype=float).reshape(kernel_size, kernel_size)
    else:
        ws = np.asarray(w, dtype=float)
    view = GradientView(xs, ws, stride, padding, (out_row, out_col), (in_row, in_col))
    H, W = xs.shape
    KH, KW = ws.shape
    (H_out, W_out), view.error = _conv_shape((H, W), (KH, KW), stride, padding)
    if view.error is None:
        if not (0 <= out_row < H_out and 0 <= out_col < W_out):
            view.error = (f"output position ({out_row}, {out_col}) does not exist: the output is "
                          f"{H_out} × {W_out}.")
        elif not (0 <= in_row < H and 0 <= in_col < W):
            view.error = f"input pixel ({in_row}, {in_col}) does not exist: the input is {H} × {W}."
    if view.error:
        view.summary, view.alt = "No gradient", "No picture: the setting is not allowed."
        return view
    x4, w4 = xs[None, None], ws[None, None]  # (1, 1, H, W), (1, 1, KH, KW)
    view.dout = np.zeros((H_out, W_out))
    view.dout[out_row, out_col] = 1.0
    dx, dw, _ = conv2d_backward(view.dout[None, None], x4, w4, stride, padding)
    view.dx, view.dw = dx[0, 0], dw[0, 0]  # (H, W), (KH, KW)
    # Counting with the library itself: backprop ones through an all-ones filter.
    view.counts = conv2d_backward(np.ones((1, 1, H_out, W_out)), x4, np.ones_like(w4), stride, padding)[0][0, 0]
    one_hot = np.zeros((1, 1, H, W))
    one_hot[0, 0, in_row, in_col] = 1.0
    view.feeds = conv2d(one_hot, np.ones_like(w4), stride=stride, padding=padding)[0, 0] > 0
    n_feeds = int(view.feeds.sum())
    assert n_feeds == int(view.counts[in_row, in_col]), "two ways of counting must agree"
    r0, c0 = out_row * stride - padding, out_col * stride - padding
    view.window = np.zeros((H, W), dtype=bool)
    view.window[max(r0, 0):max(r0 + KH, 0), max(c0, 0):max(c0 + KW, 0)] = True
    listed = ", ".join(str(tuple(int(v) for v in p)) for p in np.argwhere(view.feeds))
    view.summary = f"Input pixel ({in_row}, {in_col}) feeds {n_feeds} output{'s' if n_feeds != 1 else ''}"
    view.text = (
        f"dout is 1 at output ({out_row}, {out_col}) and 0 elsewhere, so only that output's window matters.\n"
        f"dW[a, b] = Σ dout[r, c]·x[r·s + a, c·s + b] = the input window under output ({out_row}, {out_col}) "
        f"(rows {r0}–{r0 + KH - 1}, columns {c0}–{c0 + KW - 1}; padding counts as 0).\n"
        f"dX = the kernel w placed on that window, zero elsewhere.\n"
        f"Input pixel ({in_row}, {in_col}) is read by {n_feeds} output{'s' if n_feeds != 1 else ''}"
        + (f": {listed}" if listed else "")
        + f"; its gradient dX[{in_row}, {in_col}] sums one term per output.\n"
        f"Outputs per input pixel range from {int(view.counts.min())} to {int(view.counts.max())}.")
    view.alt = (f"Grids of the input, kernel, one-hot upstream gradient at output {out_row}, {out_col}, "
                f"dW, dX, and the number of outputs each input pixel feeds (pixel {in_row}, {in_col}: {n_feeds}).")
    return view


def gradient_limits(height=3, width=3, kernel_size=2, stride=1, padding=0, out_row=0, out_col=0,
                    in_row=1, in_col=1):
    """The position sliders' maxima: input pixels always, output positions when the setting is allowed.

    Examples
    --------
    >>> gradient_limits(height=5, width=4, kernel_size=3, stride=2)
    {'in_row': {'max': 4}, 'in_col': {'max': 3}, 'out_row': {'max': 1}, 'out_col': {'max': 0}}
    """
    limits = {"in_row": {"max": height - 1}, "in_col": {"max": width - 1}}
    (H_out, W_out), error = _conv_shape((height, width), (kernel_size, kernel_size), stride, padding)
    if error is None:
        limits.update(out_row={"max": H_out - 1}, out_col={"max": W_out - 1})
    return limits


def _adjust_limits(explorer, limits):
    for name, limit in limits(**explorer.values()).items():
        explorer.controls[name].max = limit["max"]


def gradient_explorer(height=3, width=3, kernel_size=2, stride=1, padding=0, out_row=0, out_col=0,
                      in_row=1, in_col=1):
    """Choose a filter size, stride, padding, an output position and an input pixel.

    Shows dout (one-hot), dW, dX from :func:`cnnbook.conv2d_backward`, how many
    outputs each input pixel feeds, and which outputs the chosen pixel feeds.

    Returns
    -------
    Explorer
        ``.controls``: 'height', 'width', 'kernel_size', 'stride', 'padding',
        'out_row', 'out_col', 'in_row', 'in_col' (IntSliders);
        ``.result`` is the last :class:`GradientView`. Summary class ``cnnbook-feeds``.

    Examples
    --------
    >>> ex = gradient_explorer()
    >>> ex.set(in_row=0, in_col=0).summary
    'Input pixel (0, 0) feeds 1 output'
    """
    controls = {
        "height": slider("input height", height, 2, 7),
        "width": slider("input width", width, 2, 7),
        "kernel_size": slider("kernel size", kernel_size, 1, 4),
        "stride": slider("stride", stride, 1, 3),
        "padding": slider("padding", padding, 0, 2),
        "out_row": slider("output row", out_row, 0, 8),
        "out_col": slider("output column", out_col, 0, 8),
        "in_row": slider("input row", in_row, 0, 6),
        "in_col": slider("input column", in_col, 0, 6),
    }
    return Explorer("gradient", controls, gradient_view, title="Gradients of a convolution",
                    summary_class="cnnbook-feeds", adjust=lambda ex: _adjust_limits(ex, gradient_limits),
                    layout_controls=[["height", "width"], ["kernel_size", "stride"], ["padding"],
                                     ["out_row", "out_col"], ["in_row", "in_col"]])


# ---------------------------------------------------------------- pooling / ReLU

#: Layers whose backward pass the flow explorer shows.
FLOW_KINDS = ("max", "avg", "L2", "ReLU")


@dataclass
class GradientFlowView:
    """Where the upstream gradient goes through a pooling layer or a ReLU.

    Attributes
    ----------
    kind : {'max', 'avg', 'L2', 'ReLU'}
    x : ndarray, shape (H, W)
    out : ndarray
        Forward output.
    dout : ndarray, same shape as ``out``
    dx : ndarray, shape (H, W)
        From the matching ``cnnbook.*_backward``.
    routes : ndarray of bool, shape (H, W)
        Input pixels that receive a non-zero gradient.
    text, summary, alt : str
    error : str or None
    """

    kind: str
    x: np.ndarray
    kernel_size: int
    stride: int
    padding: int
    out: np.ndarray = None
    dout: np.ndarray = None
    dx: np.ndarray = None
    routes: np.ndarray = None
    text: str = ""
    summary: str = ""
    alt: str = ""
    error: str = None

    def _panels(self):
        return [
            (self.x, "input x (outlined: gets gradient)", "viridis", self.routes),
            (self.out, f"{self.kind} output", "viridis", None),
            (self.dout, "upstream gradient dout", "cividis", None),
            (self.dx, "dx", "cividis", self.routes),
        ]

    def state(self):
        """What the explorer draws: x, the output, dout and dx as grids."""
        return _state(self)


def _flow_input(kind, size, kernel_size, rng):
    rng = np.random.default_rng(0) if rng is None else rng
    if kind == "ReLU":
        return rng.integers(-4, 5, size=(size, size)).astype(float)  # (size, size)
    x = rng.integers(0, 9, size=(size, size)).astype(float)  # (size, size)
    k = max(2, min(kernel_size, size)) if isinstance(kernel_size, (int, np.integer)) else 2
    # A tie in the first window on purpose: it shows where PyTorch sends the gradient.
    x[0, 0] = x[0, 1] = x[:k, :k].max()
    return x


def gradient_flow_view(kind="max", kernel_size=2, stride=2, padding=0, size=4, x=None, dout=None, rng=None):
    """Send an upstream gradient back through max/avg/L2 pooling or a ReLU.

    Parameters
    ----------
    kind : {'max', 'avg', 'L2', 'ReLU'}
    kernel_size, stride, padding : int
        Pooling settings (ignored for ReLU).
    size : int
        Height and width of the default input.
    x : ndarray, shape (H, W), optional
        Default: seeded digits (for pooling, the first window has a tie; for
        ReLU, values from −4 to 4).
    dout : ndarray, optional
        Upstream gradient shaped like the output; default ``1, 2, 3, ...`` so
        each output's share can be traced.
    rng : numpy.random.Generator, optional
        For the default input; default ``np.random.default_rng(0)``.

    Returns
    -------
    GradientFlowView

    Examples
    --------
    >>> x = np.array([[1., 3., 2., 2.], [0., 1., 0., 0.], [0., 0., 5., 0.], [0., 0., 0., 0.]])
    >>> view = gradient_flow_view('max', 2, 2, x=x)
    >>> view.dx.astype(int).tolist()
    [[0, 1, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]
    >>> view.summary
    'sum of dx = 10 = sum of dout'
    """
    view = GradientFlowView(kind, None, kernel_size, stride, padding)
    if kind not in FLOW_KINDS:
        view.error = f"kind must be one of {', '.join(FLOW_KINDS)}; got {kind!r}"
        view.summary, view.alt = "No gradient", "No picture: the setting is not allowed."
        return view
    view.x = _flow_input(kind, size, kernel_size, rng) if x is None else np.asarray(x, dtype=float)
    x4 = view.x[None, None]  # (1, 1, H, W)
    if kind == "ReLU":
        view.out = relu(view.x)
    else:
        _, view.error = pool_shape(view.x.shape, kernel_size, stride, padding)
        if view.error:
            view.summary, view.alt = "No gradient", "No picture: the setting is not allowed."
            return view
        view.out = pool_forward(kind, view.x, kernel_size, stride, padding)
    n_out = view.out.size
    view.dout = np.arange(1, n_out + 1, dtype=float).reshape(view.out.shape) if dout is None else np.asarray(dout, float)
    if view.dout.shape != view.out.shape:
        view.error = f"dout must have the output's shape {view.out.shape}; got {view.dout.shape}"
        view.summary, view.alt = "No gradient", "No picture: the setting is not allowed."
        return view
    d4 = view.dout[None, None]  # (1, 1, H_out, W_out)
    if kind == "ReLU":
        view.dx = relu_backward(view.dout, view.x)
        rule = ("ReLU is a gate: dx = dout where x > 0, and 0 where x ≤ 0 "
                "(at x = 0 exactly the gradient is taken as 0, as in PyTorch). "
                "Kernel size, stride and padding do not apply to ReLU.")
    elif kind == "max":
        view.dx = max_pool2d_backward(d4, x4, kernel_size, stride, padding)[0, 0]
        rule = ("Each output sends its whole gradient to the one input that was the max of its window; "
                "on a tie, to the first max in row-major order (as PyTorch does). "
                "Where windows overlap, an input that wins several windows receives the sum.")
    elif kind == "avg":
        view.dx = avg_pool2d_backward(d4, x4, kernel_size, stride, padding)[0, 0]
        rule = (f"Each output shares its gradient equally: dout/{kernel_size * kernel_size} to every pixel "
                "of its window (the share of padding pixels is lost). Overlapping windows add up.")
    else:
        view.dx = lp_pool2d_backward(d4, x4, kernel_size, stride, padding, p=2)[0, 0]
        rule = ("For y = √(Σ x²), dy/dx_i = x_i / y: each pixel gets dout · x_i / y, "
                "so larger pixels get more and zeros get nothing.")
    view.routes = view.dx != 0
    total_in, total_out = float(view.dx.sum()), float(view.dout.sum())
    same = np.isclose(total_in, total_out)
    view.summary = (f"sum of dx = {total_in:g} = sum of dout" if same
                    else f"sum of dx = {total_in:.4g}, sum of dout = {total_out:g}")
    why = {"ReLU": "the gradient of outputs whose input was ≤ 0 is blocked.",
           "L2": "L2 pooling rescales the gradient by x_i / y instead of routing it.",
           "avg": "the shares that fell on padding pixels are lost.",
           "max": "windows that see only padding keep their gradient."}[kind]
    view.text = (rule + f"\n{int(view.routes.sum())} of {view.x.size} input pixels receive a gradient."
                 + ("" if same else f"\nThe sums differ: {why}"))
    view.alt = (f"Grids of the input, the {kind} output, the upstream gradient numbered 1 to {n_out}, and dx; "
                f"{int(view.routes.sum())} input cells receive gradient and are outlined.")
    return view


def gradient_flow_explorer(kind="max", kernel_size=2, stride=2, padding=0, size=4):
    """Choose max/avg/L2 pooling or ReLU and see where the gradient flows.

    Returns
    -------
    Explorer
        ``.controls``: 'kind' (Dropdown), 'kernel_size', 'stride', 'padding',
        'size' (IntSliders); ``.result`` is the last :class:`GradientFlowView`.
        Summary class ``cnnbook-flow``.

    Examples
    --------
    >>> ex = gradient_flow_explorer()
    >>> ex.state["summary"]
    'sum of dx = 10 = sum of dout'
    """
    controls = {
        "kind": dropdown("layer", list(FLOW_KINDS), kind),
        "kernel_size": slider("kernel size", kernel_size, 1, 4),
        "stride": slider("stride", stride, 1, 4),
        "padding": slider("padding", padding, 0, 2),
        "size": slider("input size", size, 2, 8),
    }
    # The page-side twin works on the same seeded inputs: the ReLU's for each input
    # size, and the pooling layers' for each size and tied window (see _flow_input).
    sizes, k_max = range(controls["size"].min, controls["size"].max + 1), controls["kernel_size"].max
    data = {"relu": {str(n): _flow_input("ReLU", n, 2, None) for n in sizes},
            "pool": {str(n): {str(k): _flow_input("max", n, k, None) for k in range(2, min(n, k_max) + 1)}
                     for n in sizes}}
    return Explorer("gradient-flow", controls, gradient_flow_view, title="Gradient through pooling and ReLU",
                    summary_class="cnnbook-flow", data=data,
                    layout_controls=[["kind", "size"], ["kernel_size", "stride"], ["padding"]])
