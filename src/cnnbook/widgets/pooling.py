"""Pooling explorer (chapter 5): max, average and L2 pooling on a small grid."""

from dataclasses import dataclass

import numpy as np

from .. import avg_pool2d, lp_pool2d, max_pool2d, pool_output_size
from . import web
from ._base import Explorer, dropdown, slider
from .output_size import axis_arithmetic

__all__ = ["POOL_KINDS", "PoolingView", "pooling_view", "pooling_limits", "pooling_explorer", "pool_forward",
           "pool_problem", "pool_shape"]

#: Pooling kinds: name -> what the window is reduced to.
POOL_KINDS = {"max": "the largest value", "avg": "the mean", "L2": "the square root of the sum of squares"}


def default_input(size, rng=None):
    """A small grid of digits 0-9 (seeded), the explorers' default input."""
    rng = np.random.default_rng(0) if rng is None else rng
    return rng.integers(0, 10, size=(size, size)).astype(float)  # (size, size)


def pool_forward(kind, x, kernel_size, stride, padding):
    """Pool a 2-D array with :mod:`cnnbook`'s functions; returns (H_out, W_out)."""
    x4 = np.asarray(x, dtype=float)[None, None]  # (1, 1, H, W)
    if kind == "max":
        out = max_pool2d(x4, kernel_size, stride, padding)
    elif kind == "avg":
        out = avg_pool2d(x4, kernel_size, stride, padding)
    else:
        out = lp_pool2d(x4, kernel_size, stride, padding, p=2)
    return out[0, 0]  # (H_out, W_out)


def pool_problem(shape, kernel_size, stride, padding):
    """Why a pooling setting is not allowed, in the explorers' words, or None.

    :func:`cnnbook.pool_output_size` decides whether a setting is allowed; this
    only words its two rules that the sliders can break (the page-side twins
    in ``web/cnnbook-explorers/pooling.js`` word them the same way).

    Examples
    --------
    >>> pool_problem((6, 6), 2, 2, 2)
    'padding=2 must be at most half of kernel_size=2: with more, the window at the border would hold more padding than input'
    >>> pool_problem((3, 3), 4, 1, 0)
    'kernel_size=4 does not fit the padded input height: 3 + 2·0 = 3 < 4; use a smaller kernel, more padding or a larger input'
    """
    ints = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (kernel_size, stride, padding))
    if not ints or kernel_size < 1 or stride < 1 or padding < 0:
        return None
    if 2 * padding > kernel_size:
        return (f"padding={padding} must be at most half of kernel_size={kernel_size}: "
                "with more, the window at the border would hold more padding than input")
    return fit_problem(shape, (kernel_size, kernel_size), padding)


def fit_problem(shape, kernel, padding):
    """Why a (KH, KW) kernel does not fit the padded (H, W) input, in the explorers' words, or None.

    Shared by the pooling and the convolution explorers (and by their page-side twins,
    ``fitProblem`` in ``web/cnnbook-explorers/pooling.js``).

    Examples
    --------
    >>> fit_problem((3, 7), (5, 5), 0)
    'kernel_size=5 does not fit the padded input height: 3 + 2·0 = 3 < 5; use a smaller kernel, more padding or a larger input'
    >>> fit_problem((3, 7), (3, 3), 0) is None
    True
    """
    for axis, n, k in zip(("height", "width"), shape, kernel):
        if k > n + 2 * padding:
            return (f"kernel_size={k} does not fit the padded input {axis}: {n} + 2·{padding} = "
                    f"{n + 2 * padding} < {k}; use a smaller kernel, more padding or a larger input")
    return None


def pool_shape(shape, kernel_size, stride, padding):
    """``((H_out, W_out), None)`` from :func:`cnnbook.pool_output_size`, or ``(None, why not)``."""
    try:
        return tuple(int(v) for v in pool_output_size(tuple(shape), kernel_size, stride, padding)), None
    except (TypeError, ValueError) as err:
        return None, pool_problem(shape, kernel_size, stride, padding) or str(err)


def _pad_blank(kind):
    return "−∞" if kind == "max" else "0"


@dataclass
class PoolingView:
    """A pooling layer on a small grid, with one output position explained.

    Attributes
    ----------
    kind : {'max', 'avg', 'L2'}
    x : ndarray, shape (H, W)
    kernel_size, stride, padding, row, col : int
    padded : ndarray, shape (H + 2p, W + 2p)
        The input with NaN where the padding is.
    output : ndarray, shape (H_out, W_out) or None
    shape : (int, int) or None
        From :func:`cnnbook.pool_output_size`.
    window : ndarray, shape (k, k) or None
        The (padded) window under output ``(row, col)``.
    text, summary, alt : str
    error : str or None
    """

    kind: str
    x: np.ndarray
    kernel_size: int
    stride: int
    padding: int
    row: int
    col: int
    padded: np.ndarray = None
    output: np.ndarray = None
    shape: tuple = None
    window: np.ndarray = None
    text: str = ""
    summary: str = "Output shape: none"
    alt: str = ""
    error: str = None

    def _window_mask(self):
        mask = np.zeros(self.padded.shape, dtype=bool)
        r, c, k = self.row * self.stride, self.col * self.stride, self.kernel_size
        mask[r:r + k, c:c + k] = True
        return mask

    def state(self):
        """What the explorer draws (see :mod:`cnnbook.widgets.web`): the input with the
        chosen window outlined and, for an allowed setting, the output with its cell outlined."""
        lo, hi = float(np.nanmin(self.x)), float(np.nanmax(self.x))
        p = (self.padded.shape[0] - self.x.shape[0]) // 2  # the padding drawn (0 if not valid)
        blank = _pad_blank(self.kind)
        grids = [web.grid(self.padded, cmap="viridis", vmin=lo, vmax=hi, origin=(-p, -p), blank=blank,
                          highlight=self._window_mask() if self.output is not None else None,
                          caption="input" + (f" with padding {p} ({blank})" if p else ""))]
        if self.output is not None:
            grids.append(web.grid(self.output, cmap="viridis", vmin=lo, vmax=hi,
                                  highlight=_cell_mask(self.output.shape, self.row, self.col),
                                  caption=f"{self.kind} pool output {self.shape[0]} × {self.shape[1]}"))
        return web.to_json({"summary": self.summary, "error": self.error, "text": self.text,
                            "grids": grids, "picture": None})


def _cell_mask(shape, row, col):
    mask = np.zeros(shape, dtype=bool)
    mask[row, col] = True
    return mask


def pooling_view(kind="max", kernel_size=2, stride=2, padding=0, row=0, col=0, size=6, x=None, rng=None):
    """Pool a small grid and explain one output value; never raises for a bad setting.

    Parameters
    ----------
    kind : {'max', 'avg', 'L2'}
        L2 is :func:`cnnbook.lp_pool2d` with p=2; avg counts padding zeros
        (PyTorch's default ``count_include_pad=True``); max pads with −∞.
    kernel_size, stride, padding : int
    row, col : int
        The output position to explain.
    size : int
        Height and width of the default input.
    x : ndarray, shape (H, W), optional
        Input; default a seeded grid of digits 0-9.
    rng : numpy.random.Generator, optional
        For the default input; default ``np.random.default_rng(0)``.

    Returns
    -------
    PoolingView
        ``.shape`` from :func:`cnnbook.pool_output_size`, ``.output`` from the
        pooling function, ``.error`` explaining a setting that is not allowed.

    Examples
    --------
    >>> view = pooling_view('max', 2, 2, x=np.arange(16).reshape(4, 4))
    >>> view.summary, view.output.tolist()
    ('Output shape: 2 × 2', [[5.0, 7.0], [13.0, 15.0]])
    >>> print(view.text.splitlines()[0])
    output[0, 0] = max(0, 1, 4, 5) = 5
    >>> pooling_view('max', 2, 2, padding=2).error.split(':')[0]
    'padding=2 must be at most half of kernel_size=2'
    """
    x = default_input(size, rng) if x is None else np.asarray(x, dtype=float)
    p = padding if isinstance(padding, (int, np.integer)) and padding >= 0 else 0
    padded = np.pad(x, p, constant_values=np.nan)  # (H + 2p, W + 2p)
    view = PoolingView(kind, x, kernel_size, stride, padding, row, col, padded=padded)
    if kind not in POOL_KINDS:
        view.error = f"kind must be one of {', '.join(POOL_KINDS)}; got {kind!r}"
    else:
        view.shape, view.error = pool_shape(x.shape, kernel_size, stride, padding)
    if view.error is None and not (0 <= row < view.shape[0] and 0 <= col < view.shape[1]):
        view.error = (f"output position ({row}, {col}) does not exist: the output is "
                      f"{view.shape[0]} × {view.shape[1]}.")
    if view.error:
        view.alt = "The input grid; the setting is not allowed."
        view.text = view.error
        return view
    view.output = pool_forward(kind, x, kernel_size, stride, padding)
    s, k = stride, kernel_size
    view.window = padded[row * s:row * s + k, col * s:col * s + k]  # (k, k)
    vals = [f"{v:g}" if np.isfinite(v) else _pad_blank(kind) for v in view.window.ravel()]
    out = view.output[row, col]
    if kind == "max":
        formula = f"max({', '.join(vals)}) = {out:g}"
    elif kind == "avg":
        formula = f"({' + '.join(vals)})/{k * k} = {out:.3g}"
    else:
        formula = f"√({' + '.join(v + '²' for v in vals)}) = {out:.3g}"
    H_out, W_out = view.shape
    H = x.shape[0]
    view.summary = f"Output shape: {H_out} × {W_out}"
    view.text = (f"output[{row}, {col}] = {formula}\n"
                 f"Each {k}×{k} window is reduced to {POOL_KINDS[kind]}; windows start every {s} "
                 f"pixel{'s' if s > 1 else ''}: {axis_arithmetic(H, k, s, padding, 1)[0]} per axis.\n"
                 "Pooling works on each channel separately: the number of channels does not change.")
    view.alt = (f"A {x.shape[0]} by {x.shape[1]} grid of numbers with a {k} by {k} window outlined at "
                f"output position {row}, {col}, and the {H_out} by {W_out} {kind}-pooled output.")
    return view


def pooling_limits(kind="max", kernel_size=2, stride=2, padding=0, row=0, col=0, size=6):
    """The output-position sliders' maxima for these settings (none when the setting is not allowed).

    Examples
    --------
    >>> pooling_limits(kernel_size=3, stride=1)
    {'row': {'max': 3}, 'col': {'max': 3}}
    """
    shape, _ = pool_shape((size, size), kernel_size, stride, padding)
    if shape is None:
        return {}  # the view explains the problem; keep the position sliders as they are
    return {"row": {"max": shape[0] - 1}, "col": {"max": shape[1] - 1}}


def _adjust(explorer):
    for name, limit in pooling_limits(**explorer.values()).items():
        explorer.controls[name].max = limit["max"]


def pooling_explorer(kind="max", kernel_size=2, stride=2, padding=0, row=0, col=0, size=6):
    """Choose max/avg/L2 pooling, kernel, stride and padding on a 6×6 grid of digits.

    Returns
    -------
    Explorer
        ``.controls``: 'kind' (Dropdown), 'kernel_size', 'stride', 'padding',
        'row', 'col' (output position), 'size' (input size) IntSliders;
        ``.result`` is the last :class:`PoolingView`. The summary line has the
        class ``cnnbook-shape`` (``Output shape: 3 × 3``).

    Examples
    --------
    >>> ex = pooling_explorer()
    >>> ex.set(kernel_size=3, stride=1).shape
    (4, 4)
    """
    controls = {
        "kind": dropdown("pooling", list(POOL_KINDS), kind),
        "kernel_size": slider("kernel size", kernel_size, 1, 4),
        "stride": slider("stride", stride, 1, 4),
        "padding": slider("padding", padding, 0, 2),
        "row": slider("output row", row, 0, 8),
        "col": slider("output column", col, 0, 8),
        "size": slider("input size", size, 2, 9),
    }
    # The page-side twin pools the same seeded grids: one per input size of the slider.
    data = {"inputs": {str(n): default_input(n) for n in range(controls["size"].min, controls["size"].max + 1)}}
    return Explorer("pooling", controls, pooling_view, title="Pooling", summary_class="cnnbook-shape",
                    adjust=_adjust, data=data,
                    layout_controls=[["kind", "size"], ["kernel_size", "stride"], ["padding"], ["row", "col"]])
