"""Loop versions of convolution, pooling and batch normalisation, written like the equations.

These are the reference the book reads line by line. They validate their
arguments exactly as the fast versions do (through :mod:`cnnbook.geometry`'s
``prepare_*`` functions and :func:`cnnbook.norm.prepare_batch_norm2d`, so the same arguments are refused the same way) and
return the same numbers, only slower: one Python iteration per output
position. Everything after the validation is written from the equation alone,
sharing no helper with :mod:`cnnbook.conv`, :mod:`cnnbook.pool` or
:mod:`cnnbook.fast`, so that a bug in one cannot hide in the agreement tests.

There is no ``conv_transpose2d_backward``: the gradients of a transposed
convolution are conv2d's (its dx is ``conv2d(dout, w)``), so no twin is needed.
"""

import numpy as np

from ._validate import check_bool, check_dout, check_p
from .geometry import pool_geometry, prepare_conv2d, prepare_conv_transpose2d
from .norm import prepare_batch_norm2d


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
    xp = np.pad(x, ((0, 0), (0, 0), *geom.pads))            # zero padding: (N, C, H + 2ph, W + 2pw)
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
    dout = check_dout(dout, (N, K, H_out, W_out))
    (top, _), (left, _) = geom.pads
    xp = np.pad(x, ((0, 0), (0, 0), *geom.pads))            # (N, C, H + 2ph, W + 2pw)
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
                    window = x[n, c, *_inside(r0, s0, KH, KW, H, W)]
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
    dout = check_dout(dout, (N, C, H_out, W_out))
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


def avg_pool2d_naive(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Loop version of :func:`cnnbook.avg_pool2d` (same arguments, same result).

    ``out[n, c, i, j]`` is the sum of the input pixels under window (i, j)
    divided by how many cells count: with ``count_include_pad`` every cell of the
    window inside the padded input (not the extra cells a ceil-mode window runs
    past it), otherwise only the real pixels.

    Examples
    --------
    >>> avg_pool2d_naive(np.ones((1, 1, 2, 2)), 2, stride=1, padding=1)[0, 0]
    array([[0.25, 0.5 , 0.25],
           [0.5 , 1.  , 0.5 ],
           [0.25, 0.5 , 0.25]])
    """
    check_bool(count_include_pad, "count_include_pad")
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    N, C, H, W = x.shape
    (KH, KW), (sh, sw) = geom.kernel, geom.stride
    (ph, _), (pw, _) = geom.pads
    H_out, W_out = geom.out_hw
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    r0, s0 = i * sh - ph, j * sw - pw          # top-left of the window, in input pixels
                    total = x[n, c, *_inside(r0, s0, KH, KW, H, W)].sum()
                    out[n, c, i, j] = total / _cells(r0, s0, KH, KW, H, W, ph, pw, count_include_pad)
    return out


def avg_pool2d_backward_naive(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False,
                              count_include_pad=True):
    """Loop version of :func:`cnnbook.avg_pool2d_backward` (same arguments, same result).

    Every real pixel of window (i, j) gets ``dout[n, c, i, j] / count``, the
    share it had in the average; overlapping windows add up.

    Examples
    --------
    >>> avg_pool2d_backward_naive(np.ones((1, 1, 1, 1)), np.zeros((1, 1, 2, 2)), 2)
    array([[[[0.25, 0.25],
             [0.25, 0.25]]]])
    """
    check_bool(count_include_pad, "count_include_pad")
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    N, C, H, W = x.shape
    (KH, KW), (sh, sw) = geom.kernel, geom.stride
    (ph, _), (pw, _) = geom.pads
    H_out, W_out = geom.out_hw
    dout = check_dout(dout, (N, C, H_out, W_out))
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    r0, s0 = i * sh - ph, j * sw - pw
                    share = dout[n, c, i, j] / _cells(r0, s0, KH, KW, H, W, ph, pw, count_include_pad)
                    dx[n, c, *_inside(r0, s0, KH, KW, H, W)] += share
    return dx


def _inside(r0, s0, KH, KW, H, W):
    """Row and column slices of the input pixels under the KH x KW window with top-left (r0, s0)
    (which may lie in the padding: the slices stop at the input's edges)."""
    return slice(max(r0, 0), min(r0 + KH, H)), slice(max(s0, 0), min(s0 + KW, W))


def _cells(r0, s0, KH, KW, H, W, ph, pw, count_include_pad):
    """How many cells of the window with top-left (r0, s0) count in the average."""
    if count_include_pad:   # inside the padded input, -ph <= r < H + ph
        return (min(r0 + KH, H + ph) - r0) * (min(s0 + KW, W + pw) - s0)
    return (min(r0 + KH, H) - max(r0, 0)) * (min(s0 + KW, W) - max(s0, 0))


def lp_pool2d_naive(x, kernel_size, stride=None, padding=0, ceil_mode=False, p=2):
    """Loop version of :func:`cnnbook.lp_pool2d` (same arguments, same result).

    ``out[n, c, i, j] = (sum of x**p over the window) ** (1/p)``; padding adds
    nothing to the sum, and a negative sum (odd p) counts as 0.

    Examples
    --------
    >>> lp_pool2d_naive(np.array([[[[3., 4.], [0., 0.]]]]), 2)
    array([[[[5.]]]])
    """
    p = check_p(p)
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    N, C, H, W = x.shape
    (KH, KW), (sh, sw) = geom.kernel, geom.stride
    (ph, _), (pw, _) = geom.pads
    H_out, W_out = geom.out_hw
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    r0, s0 = i * sh - ph, j * sw - pw
                    window = x[n, c, *_inside(r0, s0, KH, KW, H, W)]
                    out[n, c, i, j] = max(np.sum(window ** p), 0) ** (1 / p)
    return out


def lp_pool2d_backward_naive(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False, p=2):
    """Loop version of :func:`cnnbook.lp_pool2d_backward` (same arguments, same result).

    For ``y = (sum x_k**p)**(1/p)``, ``dy/dx_k = x_k**(p-1) / y**(p-1)``; a window
    with ``y == 0`` passes no gradient.

    Examples
    --------
    >>> lp_pool2d_backward_naive(np.ones((1, 1, 1, 1)), np.array([[[[3., 4.], [0., 0.]]]]), 2)
    array([[[[0.6, 0.8],
             [0. , 0. ]]]])
    """
    p = check_p(p)
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    N, C, H, W = x.shape
    (KH, KW), (sh, sw) = geom.kernel, geom.stride
    (ph, _), (pw, _) = geom.pads
    H_out, W_out = geom.out_hw
    dout = check_dout(dout, (N, C, H_out, W_out))
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    r0, s0 = i * sh - ph, j * sw - pw
                    rows, cols = _inside(r0, s0, KH, KW, H, W)
                    y = max(np.sum(x[n, c, rows, cols] ** p), 0) ** (1 / p)
                    if y > 0:
                        dx[n, c, rows, cols] += dout[n, c, i, j] * x[n, c, rows, cols] ** (p - 1) / y ** (p - 1)
    return dx


def conv_transpose2d_naive(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1):
    """Loop version of :func:`cnnbook.conv_transpose2d` (same arguments, same result).

    Every input value ``x[n, ci, i, j]`` adds the filter ``x[n, ci, i, j] * w[ci]``
    (C_out, KH, KW) onto the output at rows ``i*sh + a*dh``, columns ``j*sw + b*dw``;
    then ``padding`` rows and columns are cropped from each side.

    Examples
    --------
    >>> conv_transpose2d_naive(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), stride=2)[0, 0]
    array([[1., 1., 2., 1., 1.],
           [1., 1., 2., 1., 1.],
           [2., 2., 4., 2., 2.],
           [1., 1., 2., 1., 1.],
           [1., 1., 2., 1., 1.]])
    """
    x, w, b, geom, (H_out, W_out) = prepare_conv_transpose2d(x, w, b, stride, padding, output_padding, dilation)
    N, C_in, H, W = x.shape
    _, C_out, KH, KW = w.shape
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    (ph, _), (pw, _) = geom.pads
    # the uncropped output: big enough for every scattered filter and for the output_padding rows
    full = np.zeros((N, C_out, max((H - 1) * sh + dh * (KH - 1) + 1, ph + H_out),
                     max((W - 1) * sw + dw * (KW - 1) + 1, pw + W_out)), dtype=x.dtype)
    for n in range(N):
        for ci in range(C_in):
            for i in range(H):
                for j in range(W):
                    rows = slice(i * sh, i * sh + dh * (KH - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (KW - 1) + 1, dw)
                    full[n, :, rows, cols] += x[n, ci, i, j] * w[ci]      # (C_out, KH, KW)
    out = full[:, :, ph:ph + H_out, pw:pw + W_out].copy()              # crop the padding
    if b is not None:
        out += b[:, None, None]
    return out


def batch_norm2d_naive(x, gamma, beta, *, eps=1e-5, mean=None, var=None):
    """Loop version of :func:`cnnbook.batch_norm2d` (same arguments, same result).

    Per channel c, over its M = N*H*W numbers: ``mu = sum(x) / M``,
    ``var = sum((x - mu)**2) / M``, then ``out = gamma * (x - mu) / sqrt(var + eps) + beta``.

    Examples
    --------
    >>> x = np.arange(8.0).reshape(2, 1, 2, 2)
    >>> out = batch_norm2d_naive(x, np.ones(1), np.zeros(1))
    >>> out.shape, round(float(out.std()), 4)
    ((2, 1, 2, 2), 1.0)
    """
    x, gamma, beta, eps, mean, var = prepare_batch_norm2d(x, gamma, beta, eps=eps, mean=mean, var=var)
    N, C, H, W = x.shape
    M = N * H * W
    out = np.zeros_like(x)
    for c in range(C):
        if mean is None:  # training mode: the batch's own statistics
            mu = 0.0
            for n in range(N):
                for h in range(H):
                    for w in range(W):
                        mu += x[n, c, h, w]
            mu /= M
            sq = 0.0
            for n in range(N):
                for h in range(H):
                    for w in range(W):
                        sq += (x[n, c, h, w] - mu) ** 2
            var_c = sq / M
        else:
            mu, var_c = mean[c], var[c]
        sigma = np.sqrt(var_c + eps)
        for n in range(N):
            for h in range(H):
                for w in range(W):
                    out[n, c, h, w] = gamma[c] * (x[n, c, h, w] - mu) / sigma + beta[c]
    return out


def batch_norm2d_backward_naive(dout, x, gamma, *, eps=1e-5, mean=None, var=None):
    """Loop version of :func:`cnnbook.batch_norm2d_backward`, by the chain rule stage by stage.

    The forward pass, per channel, in stages: ``mu``, ``xmu = x - mu``,
    ``var = sum(xmu**2) / M``, ``sigma = sqrt(var + eps)``, ``xhat = xmu / sigma``,
    ``out = gamma * xhat + beta``. Backward walks them in reverse:

    * ``dxhat = dout * gamma``
    * ``dvar = sum(dxhat * xmu) * (-1/2) * (var + eps)**(-3/2)``
    * ``dmu = -sum(dxhat) / sigma + dvar * sum(-2 * xmu) / M``
    * ``dx = dxhat / sigma + dvar * 2 * xmu / M + dmu / M``

    In evaluation mode (``mean`` and ``var`` given) mu and var are constants,
    and only the first term of dx is left.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, dout = rng.normal(size=(2, 2, 2, 2)), rng.normal(size=(2, 2, 2, 2))
    >>> [a.shape for a in batch_norm2d_backward_naive(dout, x, np.ones(2))]
    [(2, 2, 2, 2), (2,), (2,)]
    """
    x, gamma, _, eps, mean, var = prepare_batch_norm2d(x, gamma, eps=eps, mean=mean, var=var)
    dout = np.asarray(dout, dtype=x.dtype)
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x (N, C, H, W)={x.shape}, got dout.shape={dout.shape}")
    N, C, H, W = x.shape
    M = N * H * W
    dx = np.zeros_like(x)
    dgamma = np.zeros(C, dtype=x.dtype)
    dbeta = np.zeros(C, dtype=x.dtype)
    for c in range(C):
        positions = [(n, h, w) for n in range(N) for h in range(H) for w in range(W)]
        if mean is None:
            mu = sum(x[n, c, h, w] for n, h, w in positions) / M
            var_c = sum((x[n, c, h, w] - mu) ** 2 for n, h, w in positions) / M
        else:
            mu, var_c = mean[c], var[c]
        sigma = np.sqrt(var_c + eps)
        dvar = dmu = sum_xmu = 0.0
        for n, h, w in positions:
            xmu = x[n, c, h, w] - mu
            xhat = xmu / sigma
            dbeta[c] += dout[n, c, h, w]
            dgamma[c] += dout[n, c, h, w] * xhat
            dxhat = dout[n, c, h, w] * gamma[c]
            dvar += dxhat * xmu * -0.5 * (var_c + eps) ** -1.5
            dmu += -dxhat / sigma
            sum_xmu += -2.0 * xmu
        dmu += dvar * sum_xmu / M   # sum_xmu is 0 up to rounding, but it is the chain rule's term
        for n, h, w in positions:
            dxhat = dout[n, c, h, w] * gamma[c]
            dx[n, c, h, w] = dxhat / sigma
            if mean is None:  # training mode: x also moves mu and var
                dx[n, c, h, w] += dvar * 2.0 * (x[n, c, h, w] - mu) / M + dmu / M
    return dx, dgamma, dbeta
