"""Loop versions of convolution and max pooling, written like the equations.

These are the reference the book reads line by line. They validate their
arguments exactly as the fast versions do and return the same numbers, only
slower: one Python iteration per output position.
"""

import numpy as np

from .conv import _check_dout, _pad, prepare_conv2d
from .pool import pool_geometry


def _window(geom, i, j):
    """Row and column slices of the (dilated) window of output position (i, j)."""
    (KH, KW), (sh, sw), (dh, dw) = geom.kernel, geom.stride, geom.dilation
    rows = slice(i * sh, i * sh + dh * (KH - 1) + 1, dh)
    cols = slice(j * sw, j * sw + dw * (KW - 1) + 1, dw)
    return rows, cols


def conv2d_naive(x, w, b=None, stride=1, padding=0, dilation=1):
    """Loop version of :func:`cnnbook.conv2d` (same arguments, same result).

    ``out[n, k, i, j] = b[k] + sum(xpad[n, :, window(i, j)] * w[k])``: one dot
    product of the filter with the patch under it, for every output position.

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d_naive(x, np.ones((1, 1, 3, 3)))
    array([[[[45., 54.],
             [81., 90.]]]])
    """
    x, w, b, geom = prepare_conv2d(x, w, b, stride, padding, dilation)
    N, K = x.shape[0], w.shape[0]
    H_out, W_out = geom.out_hw
    xp = _pad(x, geom.pads)
    out = np.zeros((N, K, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for k in range(K):
            for i in range(H_out):
                for j in range(W_out):
                    rows, cols = _window(geom, i, j)
                    out[n, k, i, j] = np.sum(xp[n, :, rows, cols] * w[k])
            if b is not None:
                out[n, k] += b[k]
    return out


def conv2d_backward_naive(dout, x, w, stride=1, padding=0, dilation=1):
    """Loop version of :func:`cnnbook.conv2d_backward` (same arguments, same result).

    Every output ``out[n, k, i, j]`` was ``sum(xpad[window] * w[k]) + b[k]``, so
    its gradient ``g = dout[n, k, i, j]`` flows back as ``g * xpad[window]`` into
    ``dw[k]``, as ``g * w[k]`` into ``dxpad[window]``, and as ``g`` into ``db[k]``.
    Summing over every output position is the chain rule.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> dx, dw, db = conv2d_backward_naive(np.ones((1, 1, 2, 2)), x, np.ones((1, 1, 2, 2)))
    >>> dw[0, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    x, w, _, geom = prepare_conv2d(x, w, None, stride, padding, dilation)
    N, C, H, W = x.shape
    K = w.shape[0]
    H_out, W_out = geom.out_hw
    dout = _check_dout(dout, (N, K, H_out, W_out))
    (top, _), (left, _) = geom.pads
    xp = _pad(x, geom.pads)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = np.zeros(K, dtype=x.dtype)
    for n in range(N):
        for k in range(K):
            for i in range(H_out):
                for j in range(W_out):
                    rows, cols = _window(geom, i, j)
                    g = dout[n, k, i, j]
                    dw[k] += g * xp[n, :, rows, cols]
                    dxp[n, :, rows, cols] += g * w[k]
                    db[k] += g
    return dxp[:, :, top:top + H, left:left + W], dw, db


def max_pool2d_naive(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Loop version of :func:`cnnbook.max_pool2d` (same arguments, same result).

    ``out[n, c, i, j]`` is the largest input under window (i, j); padding is
    not an input, so only the part of the window inside the image counts.

    Examples
    --------
    >>> max_pool2d_naive(np.arange(16.0).reshape(1, 1, 4, 4), 2)
    array([[[[ 5.,  7.],
             [13., 15.]]]])
    """
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    N, C, H, W = x.shape
    (KH, KW), (sh, sw) = geom.kernel, geom.stride
    (top, _), (left, _) = geom.pads
    H_out, W_out = geom.out_hw
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    r0, s0 = i * sh - top, j * sw - left   # top-left of the window, in input pixels
                    window = x[n, c, max(r0, 0):min(r0 + KH, H), max(s0, 0):min(s0 + KW, W)]
                    out[n, c, i, j] = window.max()
    return out


def max_pool2d_backward_naive(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Loop version of :func:`cnnbook.max_pool2d_backward` (same arguments, same result).

    Each window hands its whole gradient to the input pixel that won it; ``+=``,
    not ``=``, because a pixel can win several overlapping windows. The winner
    is found as PyTorch does: visit the window's pixels row by row, skipping the
    padding, and keep the first one that beats everything before it. A NaN always
    takes over, so of several NaNs the last wins; a window of -inf goes to its
    first pixel.

    Examples
    --------
    >>> x = np.array([[[[1., 3., 2.], [0., 1., 0.], [0., 0., 0.]]]])
    >>> max_pool2d_backward_naive(np.ones((1, 1, 2, 2)), x, 2, stride=1)
    array([[[[0., 2., 0.],
             [0., 2., 0.],
             [0., 0., 0.]]]])
    """
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    N, C, H, W = x.shape
    (KH, KW), (sh, sw) = geom.kernel, geom.stride
    (top, _), (left, _) = geom.pads
    H_out, W_out = geom.out_hw
    dout = _check_dout(dout, (N, C, H_out, W_out))
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    winner, best = None, -np.inf
                    for a in range(KH):
                        for b in range(KW):
                            r, s = i * sh + a - top, j * sw + b - left   # input pixel under cell (a, b)
                            if not (0 <= r < H and 0 <= s < W):
                                continue                                  # padding never wins
                            v = x[n, c, r, s]
                            if winner is None or v > best or np.isnan(v):
                                winner, best = (r, s), v
                    dx[n, c, winner[0], winner[1]] += dout[n, c, i, j]
    return dx
