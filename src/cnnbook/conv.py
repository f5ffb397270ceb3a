"""2-D convolution (cross-correlation, as in PyTorch) and its gradients: the readable reference.

Every receptive field is copied into one column of a matrix (im2col), so the
whole layer becomes one matrix product. ``cnnbook.conv2d`` and the layers run
the same computation in :mod:`cnnbook.fast`, chunked and tuned; the loop twins
in :mod:`cnnbook.naive` follow the equations; the tests keep all three equal.
"""

import numpy as np

from ._validate import check_dout
from .geometry import pad, prepare_conv2d, prepare_conv_transpose2d, tap_slices, windows


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
    N, K = x.shape[0], w.shape[0]
    H_out, W_out = geom.out_hw
    cols = im2col(x, geom)                         # (N, C*KH*KW, H_out*W_out)
    out = w.reshape(K, -1) @ cols                  # (K, C*KH*KW) @ (N, C*KH*KW, H_out*W_out)
    out = out.reshape(N, K, H_out, W_out)          # (N, K, H_out, W_out)
    if b is not None:
        out += b[:, None, None]
    return out


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
        ``col2im(w_mat.T @ dout)``: each window's gradient added back onto its pixels.
    dw : ndarray, shape (K, C, KH, KW)
        ``dout @ cols.T`` summed over the batch: a cross-correlation of the input
        with the upstream gradient.
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
    N, K = x.shape[0], w.shape[0]
    dout = check_dout(dout, (N, K, *geom.out_hw)).astype(x.dtype, copy=False)
    d = dout.reshape(N, K, -1)                               # (N, K, H_out*W_out)
    cols = im2col(x, geom)                                   # (N, C*KH*KW, H_out*W_out)
    db = dout.sum(axis=(0, 2, 3))                            # (K,)
    dw = (d @ cols.transpose(0, 2, 1)).sum(axis=0)           # (K, C*KH*KW)
    dcols = w.reshape(K, -1).T @ d                           # (N, C*KH*KW, H_out*W_out)
    dx = col2im(dcols, x.shape, geom)                        # (N, C, H, W)
    return dx, dw.reshape(w.shape), db


def im2col(x, geom):
    """Copy every receptive field of ``x`` into one column of a matrix per image.

    Returns ``cols`` with shape (N, C*KH*KW, H_out*W_out): column ``i*W_out + j``
    of ``cols[n]`` is the window of output (i, j) of image n, flattened as (C, KH, KW).

    Examples
    --------
    >>> from cnnbook.geometry import prepare_conv2d
    >>> x, w, _, geom = prepare_conv2d(np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3)))
    >>> cols = im2col(x, geom)
    >>> cols.shape                  # (N, C*KH*KW, H_out*W_out)
    (1, 9, 4)
    >>> cols[0, :, 0]               # the 3x3 window of output (0, 0), row by row
    array([ 0.,  1.,  2.,  4.,  5.,  6.,  8.,  9., 10.])
    >>> w.reshape(1, -1) @ cols[0]  # one filter on every window: the 2x2 output, flattened
    array([[45., 54., 81., 90.]])
    """
    N, C = x.shape[:2]
    KH, KW = geom.kernel
    H_out, W_out = geom.out_hw
    # cols[n, c, a, b, i, j] = xpad[n, c, i*sh + a*dh, j*sw + b*dw]: one strided copy
    view = windows(pad(x, geom.pads), geom)                  # (N, C, H_out, W_out, KH, KW)
    cols = view.transpose(0, 1, 4, 5, 2, 3)                  # (N, C, KH, KW, H_out, W_out)
    return cols.reshape(N, C * KH * KW, H_out * W_out)       # (N, C*KH*KW, H_out*W_out)


def col2im(dcols, x_shape, geom):
    """Adjoint of :func:`im2col`: add each column back onto the pixels it came from.

    ``dcols`` has shape (N, C*KH*KW, H_out*W_out); returns (N, C, H, W). Pixels
    covered by several windows receive the sum of their contributions.

    Examples
    --------
    >>> from cnnbook.geometry import prepare_conv2d
    >>> x, _, _, geom = prepare_conv2d(np.zeros((1, 1, 4, 4)), np.ones((1, 1, 3, 3)))
    >>> col2im(np.ones((1, 9, 4)), x.shape, geom)[0, 0]   # how many windows cover each pixel
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    """
    N, C, H, W = x_shape
    KH, KW = geom.kernel
    H_out, W_out = geom.out_hw
    (top, bottom), (left, right) = geom.pads
    d = dcols.reshape(N, C, KH, KW, H_out, W_out)            # (N, C, KH, KW, H_out, W_out)
    dxp = np.zeros((N, C, top + H + bottom, left + W + right), dtype=dcols.dtype)
    # One strided add per kernel tap. (+= through one view of all windows would
    # lose the sums where windows overlap; one tap's slice has no pixel twice.)
    for a in range(KH):
        for b in range(KW):
            rows, columns = tap_slices(geom, a, b)
            dxp[:, :, rows, columns] += d[:, :, a, b]        # (N, C, H_out, W_out)
    return dxp[:, :, top:top + H, left:left + W].copy()     # (N, C, H, W)


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
    >>> conv_transpose2d(x, w, stride=2)[0, 0]
    array([[1., 1., 2., 1., 1.],
           [1., 1., 2., 1., 1.],
           [2., 2., 4., 2., 2.],
           [1., 1., 2., 1., 1.],
           [1., 1., 2., 1., 1.]])
    """
    x, w, b, geom, out_hw = prepare_conv_transpose2d(x, w, b, stride, padding, output_padding, dilation)
    N, C_in, H, W = x.shape
    C_out = w.shape[1]
    # geom is the convolution from (C_out, *out_hw) down to (C_in, H, W); we run its backward
    dcols = w.reshape(C_in, -1).T @ x.reshape(N, C_in, H * W)   # (N, C_out*KH*KW, H*W)
    out = col2im(dcols, (N, C_out, *out_hw), geom)                 # (N, C_out, H_out, W_out)
    if b is not None:
        out += b[:, None, None]
    return out
