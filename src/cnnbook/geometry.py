"""Where the windows of a convolution or pooling layer lie: validated geometry and views.

Everything here is shared by the readable functions in :mod:`cnnbook.conv` and
:mod:`cnnbook.pool` and by the fast path in :mod:`cnnbook.fast`. The loop twins
in :mod:`cnnbook.naive` use only the ``prepare_*`` and ``pool_geometry``
validation (the same arguments must be refused the same way), never the views.
"""

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._validate import as_float_array, check_bias, check_kernel_fits, check_conv_inputs, pair, parse_padding
from .shapes import conv_output_size, conv_transpose_output_size, pool_output_size


class ConvGeometry(NamedTuple):
    """Everything about a convolution or pooling layer that is not data, already validated."""

    kernel: tuple   # (KH, KW)
    stride: tuple   # (sh, sw)
    dilation: tuple  # (dh, dw)
    pads: tuple     # ((top, bottom), (left, right))
    out_hw: tuple   # (H_out, W_out)


def conv_geometry(in_hw, kernel, stride=1, padding=0, dilation=1):
    """The :class:`ConvGeometry` of a convolution of an ``in_hw`` = (H, W) input.

    Examples
    --------
    >>> conv_geometry((5, 5), (3, 3), stride=2, padding=1)
    ConvGeometry(kernel=(3, 3), stride=(2, 2), dilation=(1, 1), pads=((1, 1), (1, 1)), out_hw=(3, 3))
    """
    stride = pair(stride, "stride")
    dilation = pair(dilation, "dilation")
    pads = parse_padding(padding, kernel, dilation, stride)
    check_kernel_fits(in_hw, pads, kernel, dilation)   # names KH or KW, not conv_output_size's kernel_size
    out_hw = conv_output_size(tuple(in_hw), tuple(kernel), stride, padding, dilation)
    return ConvGeometry(tuple(kernel), stride, dilation, pads, out_hw)


def prepare_conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
    """Validate conv2d arguments; returns ``(x, w, b, geom)`` in the compute dtype.

    Examples
    --------
    >>> x, w, b, geom = prepare_conv2d(np.zeros((1, 3, 8, 8), np.uint8), np.ones((4, 3, 3, 3)), padding=1)
    >>> x.dtype, geom.out_hw
    (dtype('float64'), (8, 8))
    """
    x, w = check_conv_inputs(x, w)
    dtype = np.result_type(x, w)
    geom = conv_geometry(x.shape[2:], w.shape[2:], stride, padding, dilation)
    b = check_bias(b, w.shape[0], dtype)
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False), b, geom


def prepare_conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1):
    """Validate conv_transpose2d arguments; returns ``(x, w, b, geom, out_hw)``.

    ``geom`` is the geometry of the convolution this layer is the adjoint of: it
    maps an ``out_hw`` image with C_out channels to our (H, W) input with C_in
    channels, so ``geom.out_hw`` is (H, W).
    """
    x, w = check_conv_inputs(x, w, w_layout="(C_in, C_out, KH, KW)", channel_axis=0)
    dtype = np.result_type(x, w)
    if isinstance(padding, str):
        raise TypeError(f"padding must be an int or an (h, w) pair for conv_transpose2d, got padding={padding!r}")
    _, _, H, W = x.shape
    _, C_out, KH, KW = w.shape
    out_hw = conv_transpose_output_size((H, W), (KH, KW), stride, padding, output_padding, dilation)
    b = check_bias(b, C_out, dtype, name="C_out")
    geom = conv_geometry(out_hw, (KH, KW), stride, padding, dilation)._replace(out_hw=(H, W))
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False), b, geom, out_hw


def pool_geometry(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Validate pooling arguments; returns ``(x, geom)``.

    With ``ceil_mode`` the last window may run past the padded input; the
    geometry then pads extra rows and columns at the bottom and right, which
    the caller fills with a value that does not change the result.

    Examples
    --------
    >>> _, geom = pool_geometry(np.zeros((1, 1, 5, 5)), 2, ceil_mode=True)
    >>> geom.out_hw, geom.pads          # the last window reaches one row and column past the input
    ((3, 3), ((0, 1), (0, 1)))
    """
    x = as_float_array(x, "x", 4, layout="(N, C, H, W)")
    if 0 in x.shape:
        raise ValueError(f"x must not be empty, got x.shape={x.shape}")
    # pool_output_size validates every argument and quotes it as the caller wrote it
    out_hw = pool_output_size(x.shape[2:], kernel_size, stride, padding, ceil_mode)
    kernel = pair(kernel_size, "kernel_size")
    strides = kernel if stride is None else pair(stride, "stride")
    ph, pw = pair(padding, "padding", minimum=0)
    pads = []
    for n, p, k, s, n_out in zip(x.shape[2:], (ph, pw), kernel, strides, out_hw):
        needed = (n_out - 1) * s + k  # padded length the last window reaches
        pads.append((p, max(p, needed - n - p)))
    return x, ConvGeometry(kernel, strides, (1, 1), tuple(pads), out_hw)


def pad(x, pads, value=0.0, spare_rows=0):
    """``x`` (N, C, H, W) with ``pads`` ((top, bottom), (left, right)) of ``value`` around
    each image, and ``spare_rows`` more rows at the bottom; ``x`` itself when there is none."""
    (top, bottom), (left, right) = pads
    if top == bottom == left == right == spare_rows == 0:
        return x
    N, C, H, W = x.shape
    shape = (N, C, top + H + bottom + spare_rows, left + W + right)
    xp = np.zeros(shape, x.dtype) if value == 0 else np.full(shape, value, x.dtype)
    xp[:, :, top:top + H, left:left + W] = x
    return xp


def windows(xp, geom, width=None):
    """A read-only view of every receptive field of a padded ``xp``: (N, C, H_out, width, KH, KW).

    ``width`` defaults to W_out; a wider view (see :func:`cnnbook.fast.grid_width`)
    runs on past the end of each row into the next one.

    Examples
    --------
    >>> _, geom = pool_geometry(np.zeros((1, 1, 4, 4)), 2)
    >>> view = windows(np.arange(16.0).reshape(1, 1, 4, 4), geom)
    >>> view.shape                   # (N, C, H_out, W_out, KH, KW)
    (1, 1, 2, 2, 2, 2)
    >>> view[0, 0, 1, 0]             # the window of output (1, 0)
    array([[ 8.,  9.],
           [12., 13.]])
    """
    sN, sC, sH, sW = xp.strides
    (sh, sw), (dh, dw) = geom.stride, geom.dilation
    N, C = xp.shape[:2]
    H_out, W_out = geom.out_hw
    return as_strided(
        xp,
        shape=(N, C, H_out, W_out if width is None else width, *geom.kernel),
        strides=(sN, sC, sH * sh, sW * sw, sH * dh, sW * dw),
        writeable=False,
    )


def tap_slices(geom, a, b):
    """Rows and columns of the padded input that kernel tap (a, b) reads, over all outputs.

    ``xp[:, :, rows, cols]`` is (N, C, H_out, W_out): entry (i, j) is what tap (a, b)
    of window (i, j) sees.
    """
    (H_out, W_out), (sh, sw), (dh, dw) = geom.out_hw, geom.stride, geom.dilation
    return (slice(a * dh, a * dh + sh * (H_out - 1) + 1, sh),
            slice(b * dw, b * dw + sw * (W_out - 1) + 1, sw))
