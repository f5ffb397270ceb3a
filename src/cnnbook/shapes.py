"""Shape arithmetic: output sizes of convolution and pooling, receptive fields.

All formulas work per axis, so rectangular inputs, kernels and strides are
handled by applying them to the height and the width separately.
"""

from ._validate import check_bool, check_kernel_fits, is_int, pair, parse_padding


def _returns_pair(*args):
    return any(isinstance(a, (tuple, list)) for a in args)


def _fmt(value):
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _arithmetic(n, k, s, p0, p1, d):
    """The output-size formula written out with numbers, e.g. ``(7 + 2*0 - 3)/3 + 1``."""
    pad = f"2*{p0}" if p0 == p1 else f"{p0} + {p1}"
    kern = f"{k}" if d == 1 else f"{d}*({k} - 1) - 1"
    return f"({n} + {pad} - {kern})/{s} + 1"


def _fixing_padding(n, k, s, p, d):
    """The smallest symmetric padding >= p that makes the division exact, or None."""
    effective = d * (k - 1) + 1
    for candidate in range(p, p + s + 1):
        if (n + 2 * candidate - effective) % s == 0 and n + 2 * candidate >= effective:
            return candidate
    return None


def _windows_along(n, k, s, p0, p1, d=1, ceil_mode=False):
    """How many windows fit along one axis: the output-size formula, the only copy of it.

    ``floor((n + p0 + p1 - d*(k - 1) - 1) / s) + 1``; with ``ceil_mode`` rounded up,
    but a window may not start in the bottom/right padding (PyTorch's pooling rule).
    """
    span = n + p0 + p1 - d * (k - 1) - 1
    count = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (count - 1) * s >= n + p0:
        count -= 1
    return count


def _raise_inexact(n, k, s, p0, p1, d):
    """The error of ``conv_output_size(strict=True)``: the arithmetic, and a padding that fixes it."""
    effective = d * (k - 1) + 1
    exact = (n + p0 + p1 - effective) / s + 1
    msg = (
        f"{_arithmetic(n, k, s, p0, p1, d)} = {exact:.2f} is not an integer: "
        f"windows of size {effective} with stride {s} do not tile {n} inputs."
    )
    fix = _fixing_padding(n, k, s, p0, d) if p0 == p1 else None
    if fix is not None:
        fixed = _windows_along(n, k, s, fix, fix, d)
        msg += f" padding={fix} gives {_arithmetic(n, k, s, fix, fix, d)} = {fixed}."
    else:
        msg += " No symmetric padding makes it exact; change the input size or the stride."
    raise ValueError(msg)


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1, *, strict=False):
    """Spatial output size of a convolution, per axis, with PyTorch's floor.

    Parameters
    ----------
    n : int or (int, int)
        Input size (H, W) or a single size used for both axes.
    kernel_size, stride, dilation : int or (int, int)
    padding : int, (int, int), 'valid' or 'same'
    strict : bool
        If True, raise instead of flooring when the windows do not tile the
        padded input exactly; the message shows the arithmetic and names a
        padding that would make it exact.

    Returns
    -------
    int or (int, int)
        An int when every argument is an int, otherwise ``(H_out, W_out)``.

    Notes
    -----
    For one axis, with effective kernel ``d*(k - 1) + 1``::

        n_out = floor((n + 2p - d*(k - 1) - 1) / s) + 1

    Examples
    --------
    >>> conv_output_size(7, 3, stride=2)
    3
    >>> conv_output_size(7, 3, stride=3)
    2
    >>> conv_output_size((32, 24), 5, padding=2)
    (32, 24)
    >>> conv_output_size(7, 3, stride=3, strict=True)
    Traceback (most recent call last):
    ...
    ValueError: (7 + 2*0 - 3)/3 + 1 = 2.33 is not an integer: windows of size 3 with stride 3 do not tile 7 inputs. padding=1 gives (7 + 2*1 - 3)/3 + 1 = 3.
    """
    sizes = pair(n, "n")
    kernel = pair(kernel_size, "kernel_size")
    strides = pair(stride, "stride")
    dilations = pair(dilation, "dilation")
    pads = parse_padding(padding, kernel, dilations, strides)
    check_kernel_fits(sizes, pads, kernel, dilations, kernel_size=kernel_size)
    out = []
    for size, k, s, (p0, p1), d in zip(sizes, kernel, strides, pads, dilations):
        if strict and (size + p0 + p1 - d * (k - 1) - 1) % s:
            _raise_inexact(size, k, s, p0, p1, d)
        out.append(_windows_along(size, k, s, p0, p1, d))
    if _returns_pair(n, kernel_size, stride, padding, dilation):
        return tuple(out)
    return out[0]


def pool_output_size(n, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Spatial output size of a pooling layer, per axis, as PyTorch computes it.

    Parameters
    ----------
    n, kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int)
        At most half the kernel size.
    ceil_mode : bool
        Round up instead of down, so a partial window at the end is kept; a
        window that would start entirely in the right padding is still dropped.

    Returns
    -------
    int or (int, int)

    Examples
    --------
    >>> pool_output_size(32, 2)
    16
    >>> pool_output_size(7, 2)
    3
    >>> pool_output_size(7, 2, ceil_mode=True)
    4
    >>> pool_output_size((13, 13), 3, stride=2)
    (6, 6)
    """
    sizes = pair(n, "n")
    kernel = pair(kernel_size, "kernel_size")
    strides = kernel if stride is None else pair(stride, "stride")
    pads = pair(padding, "padding", minimum=0)
    ceil_mode = check_bool(ceil_mode, "ceil_mode")
    for k, p in zip(kernel, pads):
        if 2 * p > k:
            raise ValueError(
                f"padding={padding!r} must be at most half of kernel_size={kernel_size!r}: "
                "with more, the window at the border would hold more padding than input"
            )
    pads = tuple((p, p) for p in pads)
    check_kernel_fits(sizes, pads, kernel, (1, 1), kernel_size=kernel_size)
    out = [_windows_along(size, k, s, p0, p1, 1, ceil_mode)
           for size, k, s, (p0, p1) in zip(sizes, kernel, strides, pads)]
    if _returns_pair(n, kernel_size, stride, padding):
        return tuple(out)
    return out[0]


def conv_transpose_output_size(n, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """Spatial output size of a transposed convolution, per axis.

    Notes
    -----
    ``n_out = (n - 1)*s - 2p + d*(k - 1) + output_padding + 1``, the input size
    of the convolution whose input-gradient the transposed convolution is.

    Examples
    --------
    >>> conv_transpose_output_size(3, 3, stride=2)
    7
    >>> conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1)
    6
    """
    sizes = pair(n, "n")
    kernel = pair(kernel_size, "kernel_size")
    strides = pair(stride, "stride")
    pads = pair(padding, "padding", minimum=0)
    out_pads = pair(output_padding, "output_padding", minimum=0)
    dilations = pair(dilation, "dilation")
    out = []
    for size, k, s, p, op, d in zip(sizes, kernel, strides, pads, out_pads, dilations):
        if op >= max(s, d):
            raise ValueError(
                f"output_padding={output_padding!r} must be smaller than the stride or the "
                f"dilation (here {max(s, d)}); it only picks among input sizes that give the same output"
            )
        size_out = (size - 1) * s - 2 * p + d * (k - 1) + op + 1
        if size_out < 1:
            raise ValueError(
                f"padding={padding!r} crops everything: the output size would be {size_out}"
            )
        out.append(size_out)
    if _returns_pair(n, kernel_size, stride, padding, output_padding, dilation):
        return tuple(out)
    return out[0]


def receptive_field(kernel_sizes, strides=None, dilations=None):
    """Receptive field and jump after each layer of a 1-D stack.

    Parameters
    ----------
    kernel_sizes : sequence of int
    strides, dilations : sequence of int, optional
        Default 1 for every layer.

    Returns
    -------
    list of (int, int)
        ``(r, j)`` after each layer: ``r`` input pixels are seen by one output
        unit, and neighbouring output units are ``j`` input pixels apart.

    Notes
    -----
    ``r_l = r_{l-1} + d_l*(k_l - 1)*j_{l-1}`` and ``j_l = j_{l-1}*s_l``,
    starting from ``r_0 = j_0 = 1``.

    Examples
    --------
    >>> receptive_field([3, 3, 3])
    [(3, 1), (5, 1), (7, 1)]
    >>> receptive_field([5, 2, 5, 2], strides=[1, 2, 1, 2])
    [(5, 1), (6, 2), (14, 2), (16, 4)]
    """
    kernel_sizes = list(kernel_sizes)
    layers = len(kernel_sizes)
    strides = [1] * layers if strides is None else list(strides)
    dilations = [1] * layers if dilations is None else list(dilations)
    if len(strides) != layers or len(dilations) != layers:
        raise ValueError(
            f"kernel_sizes, strides and dilations must have the same length, got "
            f"{layers}, {len(strides)} and {len(dilations)}"
        )
    for name, values in (("kernel_sizes", kernel_sizes), ("strides", strides), ("dilations", dilations)):
        for v in values:
            if not is_int(v) or v < 1:
                raise ValueError(f"{name} must hold positive ints, got {name}={values!r}")
    r, j, out = 1, 1, []
    for k, s, d in zip(kernel_sizes, strides, dilations):
        r += d * (k - 1) * j
        j *= s
        out.append((r, j))
    return out
