"""2-D convolution (cross-correlation, as in PyTorch) and its gradients.

The fast path is im2col: every receptive field is copied into one row of a
matrix, so the whole layer becomes a single matrix product. The loop versions
in :mod:`cnnbook.naive` compute the same numbers the way the book writes the
equations, and the tests keep the two in agreement.
"""

import math
import threading
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


def _pad(x, pads, value=0.0, spare_rows=0):
    """``x`` with ``pads`` ((top, bottom), (left, right)) of ``value`` around each image,
    and ``spare_rows`` more rows at the bottom."""
    (top, bottom), (left, right) = pads
    if top == bottom == left == right == spare_rows == 0:
        return x
    N, C, H, W = x.shape
    shape = (N, C, top + H + bottom + spare_rows, left + W + right)
    xp = np.zeros(shape, x.dtype) if value == 0 else np.full(shape, value, x.dtype)
    xp[:, :, top:top + H, left:left + W] = x
    return xp


def _windows(xp, geom, width=None):
    """A read-only view of every receptive field: (N, C, H_out, width, KH, KW).

    ``width`` defaults to W_out; a wider view (see :func:`grid_width`) runs on
    past the end of each row into the next one.
    """
    N, C, _, _ = xp.shape
    sN, sC, sH, sW = xp.strides
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    H_out, W_out = geom.out_hw
    return as_strided(
        xp,
        shape=(N, C, H_out, W_out if width is None else width, *geom.kernel),
        strides=(sN, sC, sH * sh, sW * sw, sH * dh, sW * dw),
        writeable=False,
    )


def _offset_slices(geom, a, b):
    """Rows and columns of the padded input that kernel tap (a, b) reads, over all outputs."""
    (H_out, W_out), (sh, sw), (dh, dw) = geom.out_hw, geom.stride, geom.dilation
    return (slice(a * dh, a * dh + sh * (H_out - 1) + 1, sh),
            slice(b * dw, b * dw + sw * (W_out - 1) + 1, sw))


def grid_width(geom, W):
    """Columns per output row that the fast conv2d computes: W_out, or with stride 1 the padded width.

    With stride 1, each row of outputs is computed as wide as the padded input
    (``W + left + right`` instead of W_out). Then what one kernel tap meets over
    all outputs of an image is one contiguous run of memory, not H_out short
    rows, and the copies of im2col and col2im go about twice as fast. The extra
    ``dw*(KW-1)`` windows of each row run off the right edge into the next row;
    they are computed and thrown away.
    """
    left, right = geom.pads[1]
    return W + left + right if geom.stride == (1, 1) else geom.out_hw[1]


def im2col(x, geom, width=None, out=None):
    """Copy every receptive field of ``x`` into one column of a matrix per image.

    Returns ``cols`` with shape (N, C*KH*KW, H_out*W_out): column ``i*W_out + j``
    of ``cols[n]`` is the window of output (i, j) of image n, flattened as
    (C, KH, KW). With ``width`` (see :func:`grid_width`) each row of outputs has
    ``width`` columns, and those past W_out are not windows. ``out``, if given, is
    a C-contiguous array of the result's size to fill.

    Examples
    --------
    >>> x, w, _, geom = prepare_conv2d(np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3)))
    >>> cols = im2col(x, geom)
    >>> cols.shape                  # (N, C*KH*KW, H_out*W_out)
    (1, 9, 4)
    >>> cols[0, :, 0]               # the 3x3 window of output (0, 0), row by row
    array([ 0.,  1.,  2.,  4.,  5.,  6.,  8.,  9., 10.])
    >>> w.reshape(1, -1) @ cols[0]  # one filter on every window: the 2x2 output, flattened
    array([[45., 54., 81., 90.]])
    """
    N, C, _, W = x.shape
    KH, KW = geom.kernel
    H_out, W_out = geom.out_hw
    width = W_out if width is None else width
    if width not in (W_out, grid_width(geom, W)):
        raise ValueError(f"width must be W_out={W_out} or grid_width(geom, W)={grid_width(geom, W)}, "
                         f"got width={width!r}")
    xp = _pad(x, geom.pads, spare_rows=int(width > W_out))  # a wide last row runs one row further
    # cols[n, c, a, b, i, j] = xpad[n, c, i*sh + a*dh, j*sw + b*dw]: one strided copy
    windows = _windows(xp, geom, width).transpose(0, 1, 4, 5, 2, 3)   # (N, C, KH, KW, H_out, width)
    cols = np.empty(windows.shape, dtype=x.dtype) if out is None else out.reshape(windows.shape)
    np.copyto(cols, windows)
    return cols.reshape(N, C * KH * KW, H_out * width)           # (N, C*KH*KW, H_out*width)


def col2im(dcols, x_shape, geom, out=None):
    """Adjoint of :func:`im2col`: add each column back onto the pixels it came from.

    ``dcols`` has shape (N, C*KH*KW, H_out*width), ``width`` being W_out or the
    one :func:`im2col` was given (then its columns past W_out must be zero).
    Returns (N, C, H, W), written into ``out`` if given. Pixels covered by
    several windows receive the sum of their contributions.

    Examples
    --------
    >>> x, _, _, geom = prepare_conv2d(np.zeros((1, 1, 4, 4)), np.ones((1, 1, 3, 3)))
    >>> col2im(np.ones((1, 9, 4)), x.shape, geom)[0, 0]   # how many windows cover each pixel
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    """
    N, C, H, W = x_shape
    H_out, W_out = geom.out_hw
    KH, KW = geom.kernel
    (top, bottom), (left, right) = geom.pads
    (dh, dw) = geom.dilation
    width = dcols.shape[2] // H_out
    d = dcols.reshape(N, C, KH, KW, H_out, width)
    dxp = _scratch("col2im", (N, C, top + H + bottom + int(width > W_out), left + W + right), dcols.dtype)
    dxp.fill(0)
    # One strided add per kernel tap: KH*KW vectorised adds instead of a Python
    # loop over every output position. (+= through one view of all windows would
    # lose the sums where windows overlap; one tap's slice has no pixel twice.)
    if width > W_out:
        assert geom.stride == (1, 1) and width == grid_width(geom, W), "a wide grid is for stride 1 only"
        runs = dxp.reshape(N, C, -1)   # stride 1: a tap's outputs are one run of each plane
        for a in range(KH):
            for b in range(KW):
                start = a * dh * dxp.shape[3] + b * dw
                runs[:, :, start:start + H_out * width] += d[:, :, a, b].reshape(N, C, -1)
    else:
        for a in range(KH):
            for b in range(KW):
                rows, columns = _offset_slices(geom, a, b)
                dxp[:, :, rows, columns] += d[:, :, a, b]       # (N, C, H_out, W_out)
    interior = dxp[:, :, top:top + H, left:left + W]
    if out is None:
        return interior.copy()
    out[...] = interior
    return out


# ---------------------------------------------------------- the fast path
#
# conv2d and its backward go through the batch a few images at a time. One
# chunk's im2col matrix (C*KH*KW times larger than its images) then stays in the
# processor's cache between the copy that writes it and the matrix products that
# read it; a whole batch's matrix would go out to main memory and back several
# times. The work arrays are kept and reused from call to call: a large array
# allocated afresh costs a page fault for every 4 KiB the first time it is written.

CHUNK_BYTES = 2 << 20   # bytes of im2col matrix per chunk: the best of 0.25-2 MiB (benchmarks/README.md)

KEEP_BYTES = 64 << 20   # a larger work array (one huge image) is not kept after the call

_work = threading.local()


def _scratch(name, shape, dtype):
    """A reusable work array of ``shape`` (contents undefined), one per name, dtype and thread."""
    size = math.prod(shape)
    key = (name, np.dtype(dtype))
    buffers = _work.__dict__
    buffer = buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = np.empty(size, dtype)
        if buffer.nbytes <= KEEP_BYTES:
            buffers[key] = buffer
    return buffer[:size].reshape(shape)


def _chunks(N, C, geom, width, itemsize):
    """Slices of a batch of N whose im2col matrices (C*KH*KW, H_out*width) take about CHUNK_BYTES each."""
    per_image = C * math.prod(geom.kernel) * geom.out_hw[0] * width * itemsize
    step = max(1, CHUNK_BYTES // per_image)
    return [slice(start, min(start + step, N)) for start in range(0, N, step)]


def _on_grid(y, width, name):
    """(n, K, H_out, W_out) -> (n, K, H_out*width) with zeros past W_out, in a work array."""
    n, K, H_out, W_out = y.shape
    if width == W_out:
        return np.ascontiguousarray(y).reshape(n, K, H_out * W_out)
    grid = _scratch(name, (n, K, H_out, width), y.dtype)
    grid.fill(0)
    grid[..., :W_out] = y
    return grid.reshape(n, K, H_out * width)


def conv2d_forward(x, w, b, geom):
    """conv2d on validated inputs."""
    N, _, _, W = x.shape
    K = w.shape[0]
    H_out, W_out = geom.out_hw
    width = grid_width(geom, W)
    w_mat = w.reshape(K, -1)                                      # (K, C*KH*KW)
    out = np.empty((N, K, H_out, W_out), dtype=x.dtype)
    for batch in _chunks(N, x.shape[1], geom, width, x.itemsize):
        xb = x[batch]
        n = xb.shape[0]
        cols = im2col(xb, geom, width, out=_scratch("cols", (n, w_mat.shape[1], H_out * width), x.dtype))
        # every filter on every window: (K, C*KH*KW) @ (n, C*KH*KW, H_out*width)
        if width == W_out:
            np.matmul(w_mat, cols, out=out[batch].reshape(n, K, H_out * W_out))
        else:
            grid = np.matmul(w_mat, cols, out=_scratch("out", (n, K, H_out * width), x.dtype))
            out[batch] = grid.reshape(n, K, H_out, width)[..., :W_out]      # (n, K, H_out, W_out)
    if b is not None:
        out += b[:, None, None]
    return out


def conv2d_backward_core(dout, x, w, geom, exact=False):
    """conv2d_backward on validated inputs; rebuilds each chunk's im2col matrix.

    ``exact`` computes on the exact grid (no thrown-away columns, see :func:`grid_width`).
    """
    N, C, H, W = x.shape
    K = w.shape[0]
    H_out, W_out = geom.out_hw
    # inf or NaN weights: a thrown-away column of the wide grid would be inf * 0 = NaN, not 0
    exact = exact or not np.isfinite(w).all()
    width = W_out if exact else grid_width(geom, W)
    w_mat = w.reshape(K, -1)                                      # (K, C*KH*KW)
    db = dout.sum(axis=(0, 2, 3))                                 # (K,)
    dw_mat = np.zeros(w_mat.T.shape, dtype=x.dtype)               # (C*KH*KW, K)
    dx = np.empty(x.shape, dtype=x.dtype)
    for batch in _chunks(N, x.shape[1], geom, width, x.itemsize):
        xb = x[batch]
        n = xb.shape[0]
        cols = im2col(xb, geom, width, out=_scratch("cols", (n, w_mat.shape[1], H_out * width), x.dtype))
        d = _on_grid(dout[batch], width, "dout")   # (n, K, H_out*width); no gradient for thrown-away columns
        # dw = sum over images of d[n] @ cols[n].T, taken transposed: BLAS is faster that way round
        dw_mat += np.matmul(cols, d.transpose(0, 2, 1)).sum(axis=0)       # (C*KH*KW, K)
        dcols = np.matmul(w_mat.T, d, out=_scratch("dcols", cols.shape, x.dtype))  # (n, C*KH*KW, H_out*width)
        col2im(dcols, xb.shape, geom, out=dx[batch])                       # (n, C, H, W)
    if width > W_out and not np.isfinite(dw_mat).all():
        # an inf or NaN pixel that only thrown-away windows read must not reach dw
        return conv2d_backward_core(dout, x, w, geom, exact=True)
    return dx, dw_mat.T.reshape(w.shape), db


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
    return conv2d_forward(x, w, b, geom)


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
    return conv2d_backward_core(dout, x, w, geom)


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
    # Each input value spreads over a KHxKW patch of the output: the columns col2im adds
    # back, computed a chunk of images at a time and, at stride 1, on full-width rows
    # (see conv2d_forward). With inf or NaN weights a thrown-away column would be NaN.
    width = grid_width(geom, out_hw[1]) if np.isfinite(w).all() else W
    w_cols = w.reshape(C_in, -1).T                                            # (C_out*KH*KW, C_in)
    out = np.empty((N, C_out, *out_hw), dtype=dtype)
    for batch in _chunks(N, C_out, geom, width, x.itemsize):
        xg = _on_grid(x[batch], width, "x")                                   # (n, C_in, H*width)
        dcols = np.matmul(w_cols, xg, out=_scratch("dcols", (xg.shape[0], w_cols.shape[0], H * width), dtype))
        col2im(dcols, (xg.shape[0], C_out, *out_hw), geom, out=out[batch])   # (n, C_out, H_out, W_out)
    if b is not None:
        out += b[:, None, None]
    return out
