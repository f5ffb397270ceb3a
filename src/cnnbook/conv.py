"""2-D convolution (cross-correlation, as in PyTorch) and its gradients.

The fast path is im2col: every receptive field is copied into one row of a
matrix, so the whole layer becomes a single matrix product. The loop versions
in :mod:`cnnbook.naive` compute the same numbers the way the book writes the
equations, and the tests keep the two in agreement.
"""

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._validate import as_float_array, check_kernel_fits, pair, parse_padding
from .shapes import conv_transpose_output_size


class ConvGeometry(NamedTuple):
    """Everything about a convolution that is not data, already validated."""

    kernel: tuple   # (KH, KW)
    stride: tuple   # (sh, sw)
    dilation: tuple  # (dh, dw)
    pads: tuple     # ((top, bottom), (left, right))
    out_hw: tuple   # (H_out, W_out)


def _geometry(in_hw, kernel, stride, padding, dilation, what="input"):
    stride = pair(stride, "stride")
    dilation = pair(dilation, "dilation")
    pads = parse_padding(padding, kernel, dilation, stride)
    check_kernel_fits(in_hw, pads, kernel, dilation, what)
    out_hw = tuple(
        (n + p0 + p1 - d * (k - 1) - 1) // s + 1
        for n, (p0, p1), k, d, s in zip(in_hw, pads, kernel, dilation, stride)
    )
    return ConvGeometry(kernel, stride, dilation, pads, out_hw)


def _check_inputs(x, w, *, x_name="x", w_layout="(K, C, KH, KW)", channel_axis=1):
    x = as_float_array(x, x_name, 4, layout="(N, C, H, W)")
    w = as_float_array(w, "w", 4, layout=w_layout)
    if 0 in x.shape or 0 in w.shape:
        raise ValueError(f"{x_name} and w must not be empty, got {x_name}.shape={x.shape}, w.shape={w.shape}")
    if x.shape[1] != w.shape[channel_axis]:
        axis_name = "C" if channel_axis == 1 else "C_in"
        raise ValueError(
            f"channel mismatch: {x_name} has C={x.shape[1]} channels but w expects "
            f"{axis_name}={w.shape[channel_axis]} (w.shape={w.shape} is {w_layout})"
        )
    return x, w


def _check_bias(b, count, dtype, name="K"):
    if b is None:
        return None
    b = as_float_array(b, "b", 1, layout=f"({name},)")
    if b.shape != (count,):
        raise ValueError(f"b must have shape ({name},)=({count},), one bias per filter, got b.shape={b.shape}")
    return b.astype(dtype, copy=False)


def _pad(x, pads, value=0.0):
    (top, bottom), (left, right) = pads
    if top == bottom == left == right == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def _windows(xp, geom):
    """A read-only view of every receptive field: (N, C, H_out, W_out, KH, KW)."""
    N, C, _, _ = xp.shape
    sN, sC, sH, sW = xp.strides
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    return as_strided(
        xp,
        shape=(N, C, *geom.out_hw, *geom.kernel),
        strides=(sN, sC, sH * sh, sW * sw, sH * dh, sW * dw),
        writeable=False,
    )


def im2col(x, geom):
    """Copy every receptive field of ``x`` into one row of a matrix.

    Returns ``cols`` with shape (N*H_out*W_out, C*KH*KW): row ``n*H_out*W_out +
    i*W_out + j`` is the window of output (i, j) of image n, flattened as (C, KH, KW).
    """
    N, C, _, _ = x.shape
    H_out, W_out = geom.out_hw
    KH, KW = geom.kernel
    xp = _pad(x, geom.pads)
    # Filled one kernel offset (a, b) at a time: each copy moves a whole strided
    # slice of the image, which is far faster than gathering window by window.
    cols = np.empty((C, KH, KW, N, H_out, W_out), dtype=x.dtype)
    for a in range(KH):
        for b in range(KW):
            rows, columns = _offset_slices(geom, a, b)
            cols[:, a, b] = xp[:, :, rows, columns].transpose(1, 0, 2, 3)  # (C, N, H_out, W_out)
    # The transpose is a view: BLAS reads it as is, and no second copy is made.
    return cols.reshape(C * KH * KW, N * H_out * W_out).T  # (N*H_out*W_out, C*KH*KW)


def _offset_slices(geom, a, b):
    """Rows and columns of the padded input that kernel tap (a, b) reads, over all outputs."""
    (H_out, W_out), (sh, sw), (dh, dw) = geom.out_hw, geom.stride, geom.dilation
    return (slice(a * dh, a * dh + sh * (H_out - 1) + 1, sh),
            slice(b * dw, b * dw + sw * (W_out - 1) + 1, sw))


def col2im(dcols, x_shape, geom):
    """Adjoint of :func:`im2col`: add each row back onto the pixels it came from.

    ``dcols`` has shape (N*H_out*W_out, C*KH*KW); returns (N, C, H, W). Pixels
    covered by several windows receive the sum of their contributions.
    """
    N, C, H, W = x_shape
    H_out, W_out = geom.out_hw
    KH, KW = geom.kernel
    (top, bottom), (left, right) = geom.pads
    d = dcols.T.reshape(C, KH, KW, N, H_out, W_out)  # a view when dcols came transposed
    dxp = np.zeros((N, C, H + top + bottom, W + left + right), dtype=dcols.dtype)
    # One strided slice per kernel offset: KH*KW vectorised adds instead of a
    # Python loop over every output position.
    for a in range(KH):
        for b in range(KW):
            rows, columns = _offset_slices(geom, a, b)
            dxp[:, :, rows, columns] += d[:, a, b].transpose(1, 0, 2, 3)  # (N, C, H_out, W_out)
    return dxp[:, :, top:top + H, left:left + W]


def conv2d_forward(x, w, b, geom):
    """conv2d on validated inputs; also returns the im2col matrix for backward."""
    N = x.shape[0]
    K = w.shape[0]
    H_out, W_out = geom.out_hw
    cols = im2col(x, geom)                       # (N*H_out*W_out, C*KH*KW)
    out = w.reshape(K, -1) @ cols.T              # (K, N*H_out*W_out): every filter on every window
    out = out.reshape(K, N, H_out, W_out).transpose(1, 0, 2, 3)  # (N, K, H_out, W_out)
    out = np.ascontiguousarray(out)
    if b is not None:
        out += b[:, None, None]
    return out, cols


def conv2d_backward_from_cols(dout, cols, w, x_shape, geom):
    """conv2d_backward given the im2col matrix saved by :func:`conv2d_forward`."""
    K = w.shape[0]
    dout_mat = dout.transpose(1, 0, 2, 3).reshape(K, -1)  # (K, N*H_out*W_out)
    db = dout_mat.sum(axis=1)                              # (K,)
    dw = (dout_mat @ cols).reshape(w.shape)                # (K, C*KH*KW) -> (K, C, KH, KW)
    dcols = (w.reshape(K, -1).T @ dout_mat).T              # (N*H_out*W_out, C*KH*KW)
    dx = col2im(dcols, x_shape, geom)                      # (N, C, H, W)
    return dx, dw, db


def prepare_conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
    """Validate conv2d arguments; returns ``(x, w, b, geom)`` in the compute dtype."""
    x, w = _check_inputs(x, w)
    dtype = np.result_type(x, w)
    geom = _geometry(x.shape[2:], w.shape[2:], stride, padding, dilation)
    b = _check_bias(b, w.shape[0], dtype)
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False), b, geom


def _check_dout(dout, expected):
    dout = as_float_array(dout, "dout", 4, layout="(N, K, H_out, W_out)")
    if dout.shape != expected:
        raise ValueError(
            f"dout must have the forward output's shape (N, K, H_out, W_out)={expected}, "
            f"got dout.shape={dout.shape}"
        )
    return dout


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
    """2-D convolution (cross-correlation) of a batch of images with K filters.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        Input batch. Float dtypes are kept; integer images are computed in float64.
    w : ndarray, shape (K, C, KH, KW)
        Filters.
    b : ndarray, shape (K,), optional
        One bias per filter.
    stride, dilation : int or (int, int)
    padding : int, (int, int), 'valid' or 'same'
        Zero padding on each side. 'same' keeps H and W (stride 1 only); for an
        even effective kernel the extra row and column go at the bottom and right.

    Returns
    -------
    out : ndarray, shape (N, K, H_out, W_out)
        ``out[n, k, i, j] = b[k] + sum_{c, a, b'} xpad[n, c, i*sh + a*dh, j*sw + b'*dw] * w[k, c, a, b']``

    Notes
    -----
    ``H_out = floor((H + 2*ph - dh*(KH - 1) - 1) / sh) + 1``, likewise for W_out
    (see :func:`cnnbook.conv_output_size`).

    Examples
    --------
    >>> x = np.ones((1, 3, 32, 32))
    >>> w = np.ones((6, 3, 5, 5))
    >>> conv2d(x, w).shape
    (1, 6, 28, 28)
    >>> conv2d(x, w, padding='same').shape
    (1, 6, 32, 32)
    >>> float(conv2d(x, w)[0, 0, 0, 0])   # a 5*5*3 = 75-term dot product
    75.0
    """
    x, w, b, geom = prepare_conv2d(x, w, b, stride, padding, dilation)
    return conv2d_forward(x, w, b, geom)[0]


def conv2d_backward(dout, x, w, stride=1, padding=0, dilation=1):
    """Gradients of a conv2d layer with respect to its input, weights and bias.

    Parameters
    ----------
    dout : ndarray, shape (N, K, H_out, W_out)
        Upstream gradient dL/dout.
    x : ndarray, shape (N, C, H, W)
        The forward input.
    w : ndarray, shape (K, C, KH, KW)
        The forward filters.
    stride, padding, dilation
        As given to :func:`conv2d`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dw : ndarray, shape (K, C, KH, KW)
        A cross-correlation of the input with the upstream gradient.
    db : ndarray, shape (K,)
        ``dout`` summed over the batch and every position.

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.ones((1, 1, 2, 2))
    >>> dx, dw, db = conv2d_backward(np.ones((1, 1, 2, 2)), x, w)
    >>> dx[0, 0]       # how many outputs each input feeds
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> dw[0, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    x, w, _, geom = prepare_conv2d(x, w, None, stride, padding, dilation)
    dout = _check_dout(dout, (x.shape[0], w.shape[0], *geom.out_hw)).astype(x.dtype, copy=False)
    return conv2d_backward_from_cols(dout, im2col(x, geom), w, x.shape, geom)


def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1):
    """Transposed convolution: the input-gradient of conv2d, used as a layer.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (C_in, C_out, KH, KW)
        PyTorch's layout for ``ConvTranspose2d``.
    b : ndarray, shape (C_out,), optional
    stride, padding, output_padding, dilation : int or (int, int)
        ``padding`` crops the output; ``output_padding`` (smaller than the
        stride or the dilation) adds rows and columns at the bottom and right.

    Returns
    -------
    out : ndarray, shape (N, C_out, H_out, W_out)
        ``H_out = (H - 1)*sh - 2*ph + dh*(KH - 1) + output_padding + 1``.

    Notes
    -----
    ``conv_transpose2d(x, w)`` equals ``conv2d_backward(x, z, w)[0]`` for any
    ``z`` of shape (N, C_out, H_out, W_out): the transposed convolution spreads
    each input value over a KHxKW patch of the output, exactly as backprop
    spreads an output gradient over the inputs that produced it.

    Examples
    --------
    >>> x = np.ones((1, 1, 2, 2))
    >>> w = np.ones((1, 1, 3, 3))
    >>> conv_transpose2d(x, w, stride=2).shape
    (1, 1, 5, 5)
    >>> conv_transpose2d(x, w, stride=2)[0, 0]
    array([[1., 1., 2., 1., 1.],
           [1., 1., 2., 1., 1.],
           [2., 2., 4., 2., 2.],
           [1., 1., 2., 1., 1.],
           [1., 1., 2., 1., 1.]])
    """
    x, w = _check_inputs(x, w, w_layout="(C_in, C_out, KH, KW)", channel_axis=0)
    dtype = np.result_type(x, w)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    N, C_in, H, W = x.shape
    _, C_out, KH, KW = w.shape
    if isinstance(padding, str):
        raise TypeError(f"padding must be an int or an (h, w) pair for conv_transpose2d, got padding={padding!r}")
    out_hw = conv_transpose_output_size((H, W), (KH, KW), stride, padding, output_padding, dilation)
    b = _check_bias(b, C_out, dtype, name="C_out")
    # The convolution this layer is the adjoint of: it maps an (out_hw) image
    # with C_out channels to our (H, W) input with C_in channels.
    geom = _geometry(out_hw, (KH, KW), stride, padding, dilation)
    geom = geom._replace(out_hw=(H, W))
    x_mat = x.transpose(0, 2, 3, 1).reshape(-1, C_in)       # (N*H*W, C_in)
    dcols = (w.reshape(C_in, -1).T @ x_mat.T).T              # (N*H*W, C_out*KH*KW)
    out = col2im(dcols, (N, C_out, *out_hw), geom)           # (N, C_out, H_out, W_out)
    if b is not None:
        out = out + b[:, None, None]
    return np.ascontiguousarray(out)
