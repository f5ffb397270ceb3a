"""Pooling explorer (chapter 6): max, average and L2 pooling on a small grid."""

from dataclasses import dataclass

import numpy as np

from .. import avg_pool2d, lp_pool2d, max_pool2d, pool_output_size
from ..plots import show_grid
from ..plots._base import OUTLINE_COLOURS, OUTLINE_STYLES, new_figure, outline
from ._base import Explorer, dropdown, slider
from .output_size import axis_arithmetic

__all__ = ["POOL_KINDS", "PoolingView", "pooling_view", "pooling_explorer", "pool_forward"]

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

    def figure(self, numbers=True):
        """Input grid with the windows, and the output grid (None without ``numbers``)."""
        if not numbers:
            return None
        PH, PW = self.padded.shape
        H_out, W_out = self.shape or (0, 0)
        fig = new_figure(7.2, 3.6)
        ax_in = fig.add_axes((0.02, 0.05, 0.52, 0.82))
        lo, hi = np.nanmin(self.x), np.nanmax(self.x)
        show_grid(self.padded, ax=ax_in, cmap="viridis", vmin=lo, vmax=hi, fmt="auto")
        ax_in.set_title(f"input {self.x.shape[0]}×{self.x.shape[1]}"
                        + (f", padding {self.padding} (blank)" if self.padding else ""), fontsize=9)
        if self.output is None:
            return fig
        k, s = self.kernel_size, self.stride
        # Every window only when they do not overlap (or are few); else just the chosen one.
        others = np.ndindex(H_out, W_out) if s >= k or H_out * W_out <= 4 else []
        for n, (i, j) in enumerate(others):
            if (i, j) != (self.row, self.col):
                outline(ax_in, i * s, j * s, k, k, colour=OUTLINE_COLOURS[1 + n % 5],
                        linestyle=OUTLINE_STYLES[n % 4], linewidth=1.0, inset=0.08 * (n % 3))
        outline(ax_in, self.row * s, self.col * s, k, k, linewidth=3)
        ax_out = fig.add_axes((0.62, 0.25, 0.36, 0.55))
        show_grid(self.output, ax=ax_out, cmap="viridis", vmin=lo, vmax=hi, fmt="auto",
                  highlight=(self.row, self.col))
        ax_out.set_title(f"{self.kind} pool → {H_out}×{W_out}", fontsize=9)
        return fig

    def grids(self):
        """Input (selected window highlighted) and output tables for the explorer."""
        lo, hi = float(np.nanmin(self.x)), float(np.nanmax(self.x))
        p = self.padding
        tables = [dict(values=self.padded, cmap="viridis", vmin=lo, vmax=hi, origin=(-p, -p),
                       blank=_pad_blank(self.kind),
                       highlight=self._window_mask() if self.output is not None else None,
                       caption="input" + (f" with padding {p} ({_pad_blank(self.kind)})" if p else ""))]
        if self.output is not None:
            mask = np.zeros(self.output.shape, dtype=bool)
            mask[self.row, self.col] = True
            tables.append(dict(values=self.output, cmap="viridis", vmin=lo, vmax=hi, highlight=mask,
                               caption=f"{self.kind} pool output {self.shape[0]} × {self.shape[1]}"))
        return tables


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
        try:
            view.shape = tuple(int(v) for v in pool_output_size(x.shape, kernel_size, stride, padding))
        except (TypeError, ValueError) as err:
            view.error = str(err)
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


def _adjust(explorer):
    c = explorer.controls
    try:
        H_out = W_out = pool_output_size(c["size"].value, c["kernel_size"].value, c["stride"].value,
                                         c["padding"].value)
    except ValueError:
        return  # the view explains the problem; keep the position sliders as they are
    c["row"].max = H_out - 1
    c["col"].max = W_out - 1


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
    return Explorer("pooling", controls, pooling_view, title="Pooling", summary_class="cnnbook-shape",
                    adjust=_adjust, figure_kwargs={"numbers": False},
                    layout_controls=[["kind", "size"], ["kernel_size", "stride"], ["padding"], ["row", "col"]])
