"""Max, average, global average and L_p pooling over each channel, with their gradients.

Pooling reuses the strided window view of :mod:`cnnbook.geometry`: every window is
a view, reduced over its last two axes. Backward loops over the KHxKW offsets
inside a window (not over output positions) and adds a strided slice per
offset, so overlapping windows accumulate their gradients as they must.
"""

import numpy as np

from ._validate import as_float_array, check_bool, check_dout, check_p
from .geometry import pad, pool_geometry, tap_slices, windows


def _tap(xp, geom, a, b):
    """What window offset (a, b) holds in every window: a (N, C, H_out, W_out) view of ``xp``."""
    rows, columns = tap_slices(geom, a, b)
    return xp[:, :, rows, columns]


def _scatter_windows(per_offset, x_shape, geom, dtype):
    """Sum ``per_offset(a, b)`` (N, C, H_out, W_out) back onto the input pixels."""
    N, C, H, W = x_shape
    KH, KW = geom.kernel
    (top, bottom), (left, right) = geom.pads
    dxp = np.zeros((N, C, top + H + bottom, left + W + right), dtype=dtype)
    overlapping = geom.stride[0] < KH or geom.stride[1] < KW
    for a in range(KH):
        for b in range(KW):
            target = _tap(dxp, geom, a, b)      # (N, C, H_out, W_out), a view
            if overlapping:
                target += per_offset(a, b)      # a pixel in several windows gets the sum
            else:
                target[...] = per_offset(a, b)  # every pixel in one window at most: no sum to make
    return dxp[:, :, top:top + H, left:left + W]


# ----------------------------------------------------------------- max pooling

def window_max(x, geom):
    """The maximum of every window of validated input, and what each window offset holds in every window.

    Returns ``out`` (N, C, H_out, W_out) and ``taps``: for each offset (a, b) in row-major
    order, a (N, C, H_out, W_out) view of the -inf padded input.
    """
    xp = pad(x, geom.pads, -np.inf)
    KH, KW = geom.kernel
    taps = [_tap(xp, geom, a, b) for a in range(KH) for b in range(KW)]  # each (N, C, H_out, W_out), a view
    # The maximum: one pass over whole strided slices per window offset. NaN wins, as in PyTorch.
    out = taps[0].copy()
    for tap in taps[1:]:
        np.maximum(out, tap, out=out)
    return out, taps


def max_pool2d_forward(x, geom):
    """Max pooling on validated input; also returns the argmax of every window.

    The argmax is the window offset ``a*KW + b`` of the winner, shape (N, C, H_out, W_out),
    in the smallest unsigned integer type that holds ``KH*KW - 1``.
    """
    out, taps = window_max(x, geom)
    KH, KW = geom.kernel
    # The winner is the first offset in row-major order that holds the maximum (PyTorch's
    # tie rule). Its number is how many offsets come before it, so count, in every window
    # at once, the offsets passed while the maximum has not been met yet.
    argmax = np.zeros(out.shape, dtype=np.min_scalar_type(len(taps) - 1))
    not_met = np.ones(out.shape, dtype=bool)
    for tap in taps[:-1]:
        not_met &= tap != out
        argmax += not_met
    if np.isneginf(out).any():
        # A window whose real inputs are all -inf: its -inf padding must not win. PyTorch
        # gives it to the first real input, whose offset is where the padding ends.
        (sh, sw), (top, _), (left, _) = geom.stride, *geom.pads
        H_out, W_out = geom.out_hw
        first_row = np.maximum(top - sh * np.arange(H_out), 0)       # (H_out,)
        first_col = np.maximum(left - sw * np.arange(W_out), 0)      # (W_out,)
        first_real = first_row[:, None] * KW + first_col[None, :]    # (H_out, W_out)
        np.copyto(argmax, np.broadcast_to(first_real, out.shape), where=np.isneginf(out), casting="unsafe")
    if np.isnan(out).any():
        # PyTorch takes any NaN over the running maximum, so the last NaN of a window wins
        for offset, tap in enumerate(taps):
            np.copyto(argmax, offset, where=np.isnan(tap))
    return out, argmax


def max_pool2d_backward_from_argmax(dout, argmax, x_shape, geom):
    """Route each upstream gradient to the input that won its window."""
    KW = geom.kernel[1]
    # dout * won keeps only the winners' gradients, fast, but inf * 0 and NaN * 0 are NaN
    keep = np.multiply if np.isfinite(dout).all() else (lambda d, won: np.where(won, d, 0))
    return _scatter_windows(lambda a, b: keep(dout, argmax == a * KW + b), x_shape, geom, dout.dtype)


def max_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Max pooling over each channel separately.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``. A stride smaller than the kernel gives
        overlapping windows.
    padding : int or (int, int)
        Implicit -inf padding, at most half the kernel.
    ceil_mode : bool
        Keep a partial window at the bottom and right edges.

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out)
        See :func:`cnnbook.pool_output_size` for H_out and W_out.

    Examples
    --------
    >>> x = np.array([[[[1, 2, 5, 6], [3, 4, 7, 8], [0, 0, 1, 1], [0, 9, 1, 1]]]])
    >>> max_pool2d(x, 2)
    array([[[[4., 8.],
             [9., 1.]]]])
    """
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    return max_pool2d_forward(x, geom)[0]


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Gradient of :func:`max_pool2d` with respect to its input.

    Each upstream gradient goes to the position that held its window's maximum
    (the first one in row-major order on a tie, as in PyTorch); a pixel that
    wins several overlapping windows receives the sum.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H_out, W_out)
    x : ndarray, shape (N, C, H, W)
    kernel_size, stride, padding, ceil_mode
        As given to :func:`max_pool2d`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> x = np.array([[[[1., 3., 2.], [0., 1., 0.], [0., 0., 0.]]]])
    >>> max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 2, stride=1)  # 3 and the centre 1 each win two windows
    array([[[[0., 2., 0.],
             [0., 2., 0.],
             [0., 0., 0.]]]])
    """
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    dout = check_dout(dout, (*x.shape[:2], *geom.out_hw)).astype(x.dtype, copy=False)
    _, argmax = max_pool2d_forward(x, geom)
    return max_pool2d_backward_from_argmax(dout, argmax, x.shape, geom)


# ------------------------------------------------------------- average pooling

def _window_sum(xp, geom):
    """Sum of every window, one strided slice per window offset: (N, C, H_out, W_out)."""
    total = _tap(xp, geom, 0, 0).copy()
    for a in range(geom.kernel[0]):
        for b in range(geom.kernel[1]):
            if a or b:
                total += _tap(xp, geom, a, b)
    return total


def avg_divisor(x_shape, geom, count_include_pad):
    """The number each window's sum is divided by, shape (H_out, W_out).

    Follows PyTorch: with ``count_include_pad`` the padding counts but the
    extra cells of a ceil-mode window do not; without it only real pixels count.
    """
    factors = []
    for n, (p, _), k, s, n_out in zip(x_shape[2:], geom.pads, geom.kernel, geom.stride, geom.out_hw):
        start = np.arange(n_out) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            factors.append(end - start)
        else:
            factors.append(np.minimum(end, n) - np.maximum(start, 0))
    return np.outer(*factors)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Average pooling over each channel separately.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size, stride, padding, ceil_mode
        As in :func:`max_pool2d`; padding is with zeros.
    count_include_pad : bool
        Whether padded zeros count in the average (PyTorch's default, True).

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out)

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> avg_pool2d(x, 2)
    array([[[[ 2.5,  4.5],
             [10.5, 12.5]]]])
    """
    check_bool(count_include_pad, "count_include_pad")
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    return avg_pool2d_core(x, geom, count_include_pad)


def avg_pool2d_core(x, geom, count_include_pad):
    """Average pooling on validated input."""
    sums = _window_sum(pad(x, geom.pads), geom)  # (N, C, H_out, W_out)
    return sums / avg_divisor(x.shape, geom, count_include_pad).astype(x.dtype)


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True):
    """Gradient of :func:`avg_pool2d`: each window shares its gradient equally.

    ``dx[p] = sum over windows w containing p of dout[w] / divisor[w]``.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H_out, W_out)
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> avg_pool2d_backward(np.ones((1, 1, 1, 1)), np.zeros((1, 1, 2, 2)), 2)
    array([[[[0.25, 0.25],
             [0.25, 0.25]]]])
    """
    check_bool(count_include_pad, "count_include_pad")
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    dout = check_dout(dout, (*x.shape[:2], *geom.out_hw)).astype(x.dtype, copy=False)
    return avg_pool2d_backward_core(dout, x.shape, geom, count_include_pad)


def avg_pool2d_backward_core(dout, x_shape, geom, count_include_pad):
    """Gradient of average pooling on validated input."""
    share = dout / avg_divisor(x_shape, geom, count_include_pad).astype(dout.dtype)
    return _scatter_windows(lambda i, j: share, x_shape, geom, dout.dtype)


# ------------------------------------------------------ global average pooling

def global_avg_pool2d(x):
    """Global average pooling: the mean of each whole feature map.

    ``out[n, c] = sum over i, j of x[n, c, i, j] / (H*W)``.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    out : ndarray, shape (N, C)
        One number per channel. PyTorch's ``adaptive_avg_pool2d(x, 1)`` gives
        the same numbers with two more axes, shape (N, C, 1, 1).

    Notes
    -----
    It is :func:`avg_pool2d` with one window the size of the map,
    ``avg_pool2d(x, (H, W))[:, :, 0, 0]``, so its output has the same
    shape for every H and W.

    Examples
    --------
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)   # channel 0: 0..3, channel 1: 4..7
    >>> global_avg_pool2d(x)
    array([[1.5, 5.5]])
    >>> global_avg_pool2d(np.ones((4, 3, 7, 5))).shape
    (4, 3)
    """
    x = as_float_array(x, "x", 4, layout="(N, C, H, W)")
    N, C, H, W = x.shape
    if H == 0 or W == 0:
        raise ValueError(f"x must have at least one pixel per map to average, got x.shape={x.shape}")
    return x.mean(axis=(2, 3))  # (N, C)


def global_avg_pool2d_backward(dout, x):
    """Gradient of :func:`global_avg_pool2d`: each map shares its gradient evenly.

    ``dx[n, c, i, j] = dout[n, c] / (H*W)`` for every pixel (i, j).

    Parameters
    ----------
    dout : ndarray, shape (N, C)
    x : ndarray, shape (N, C, H, W)
        The forward input; only its shape and dtype are used.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> dx = global_avg_pool2d_backward(np.array([[4.0, 8.0]]), np.zeros((1, 2, 2, 2)))
    >>> dx.shape
    (1, 2, 2, 2)
    >>> dx[0]
    array([[[1., 1.],
            [1., 1.]],
    <BLANKLINE>
           [[2., 2.],
            [2., 2.]]])
    """
    x = as_float_array(x, "x", 4, layout="(N, C, H, W)")
    N, C, H, W = x.shape
    if H == 0 or W == 0:
        raise ValueError(f"x must have at least one pixel per map, got x.shape={x.shape}")
    dout = as_float_array(dout, "dout", 2, layout="(N, C)")
    if dout.shape != (N, C):
        raise ValueError(f"dout must have the forward output's shape (N, C)={(N, C)}, got dout.shape={dout.shape}")
    share = (dout / (H * W)).astype(x.dtype, copy=False)         # (N, C)
    return np.broadcast_to(share[:, :, None, None], x.shape).copy()  # (N, C, H, W)


# --------------------------------------------------------------- L_p pooling

def _lp_forward(x, geom, p):
    """L_p pooling on validated input; also returns the window view."""
    view = windows(pad(x, geom.pads), geom)                            # (N, C, H_out, W_out, KH, KW)
    out = np.maximum((view ** p).sum(axis=(4, 5)), 0) ** (1 / p)       # (N, C, H_out, W_out)
    return out, view


def lp_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, p=2):
    """L_p pooling: ``(sum of x**p over the window) ** (1/p)``; p=2 is L2 pooling.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_size, stride, padding, ceil_mode
        As in :func:`avg_pool2d` (zero padding).
    p : float
        At least 1. p=1 sums the window (for non-negative inputs); large p
        approaches max pooling.

    Returns
    -------
    out : ndarray, shape (N, C, H_out, W_out)

    Notes
    -----
    PyTorch's ``lp_pool2d`` has no padding argument; with ``padding=0`` and
    ``ceil_mode=False`` the two agree. For odd p, negative sums are clipped to 0.

    Examples
    --------
    >>> x = np.array([[[[3., 4.], [0., 0.]]]])
    >>> lp_pool2d(x, 2)
    array([[[[5.]]]])
    """
    p = check_p(p)
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    return _lp_forward(x, geom, p)[0]


def lp_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False, p=2):
    """Gradient of :func:`lp_pool2d` with respect to its input.

    For an output ``y = (sum x_i**p)**(1/p)``, ``dy/dx_i = x_i**(p-1) / y**(p-1)``
    (``x_i / y`` for L2). Where ``y == 0`` the gradient is taken as 0.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H_out, W_out)
    x : ndarray, shape (N, C, H, W)

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)

    Examples
    --------
    >>> x = np.array([[[[3., 4.], [0., 0.]]]])
    >>> lp_pool2d_backward(np.ones((1, 1, 1, 1)), x, 2)
    array([[[[0.6, 0.8],
             [0. , 0. ]]]])
    """
    p = check_p(p)
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    dout = check_dout(dout, (*x.shape[:2], *geom.out_hw)).astype(x.dtype, copy=False)
    out, view = _lp_forward(x, geom, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(out > 0, dout / out ** (p - 1), 0.0)  # (N, C, H_out, W_out)
    return _scatter_windows(lambda i, j: scale * view[..., i, j] ** (p - 1), x.shape, geom, x.dtype)
