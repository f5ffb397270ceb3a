"""Argument checking shared by every public function.

Each helper raises ``TypeError`` or ``ValueError`` whose message quotes the
argument by name, shows the value it got, and says what would be valid, so a
reader never meets a traceback from deep inside numpy.
"""

from numbers import Integral, Real

import numpy as np


def is_int(value):
    """True for a Python or numpy integer, False for a bool (which Python counts as an int)."""
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_int(value, name):
    """Return ``value`` as an int, raising unless it is an int of at least 1."""
    if not is_int(value):
        raise TypeError(f"{name} must be a positive int, got {name}={value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return int(value)


def check_bool(value, name):
    """Return ``value`` as a bool, raising unless it is True or False (numpy's bools too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {name}={value!r}")
    return bool(value)


def check_p(p):
    """The exponent of L_p pooling as a float, at least 1."""
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, Real) or not p >= 1:
        raise ValueError(f"p must be a real number >= 1 (2 gives L2 pooling), got p={p!r}")
    return float(p)


def pair(value, name, *, minimum=1):
    """Return ``value`` as an ``(h, w)`` tuple of ints, each at least ``minimum``.

    Accepts an int or a sequence of two ints.
    """
    kind = "positive" if minimum == 1 else "non-negative" if minimum == 0 else f">= {minimum}"
    valid = f"a {kind} int or a pair of {kind} ints"
    if is_int(value):
        values = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(is_int(v) for v in value):
        values = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{name} must be {valid}, got {name}={value!r}")
    if min(values) < minimum:
        raise ValueError(f"{name} must be {valid}, got {name}={value!r}")
    return values


def as_float_array(x, name, ndim=None, *, layout=None):
    """Return ``x`` as a floating-point ndarray, checking its dimensions.

    Float arrays keep their dtype; integer and boolean arrays (for example
    uint8 images) are converted to float64. The input is never modified.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as err:
            raise TypeError(f"{name} must be a numeric array, got {name} of type {type(x).__name__}") from err
    if arr.dtype.kind == "f":
        pass
    elif arr.dtype.kind in "iub":
        arr = arr.astype(np.float64)
    else:
        raise TypeError(
            f"{name} must have a real numeric dtype (float, int, uint or bool), "
            f"got {name}.dtype={arr.dtype}"
        )
    if ndim is not None and arr.ndim != ndim:
        hint = f" laid out as {layout}" if layout else ""
        raise ValueError(
            f"{name} must be a {ndim}-D array{hint}, got {name}.ndim={arr.ndim} "
            f"with {name}.shape={arr.shape}"
        )
    return arr


def parse_padding(padding, kernel, dilation, stride):
    """Turn a ``padding`` argument into ``((top, bottom), (left, right))``.

    ``padding`` is an int, an ``(h, w)`` pair, ``'valid'`` (no padding) or
    ``'same'`` (output size equals input size; stride must be 1). For an even
    effective kernel, 'same' pads one more on the bottom and right, as PyTorch does.
    """
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return ((0, 0), (0, 0))
        if mode == "same":
            if stride != (1, 1):
                raise ValueError(
                    f"padding='same' needs stride=1, got stride={stride}: with a larger stride "
                    "no padding keeps the output the size of the input; give padding as an int instead"
                )
            result = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                result.append((total // 2, total - total // 2))
            return tuple(result)
        raise ValueError(
            f"padding must be an int, an (h, w) pair, 'valid' or 'same', got padding={padding!r}"
        )
    ph, pw = pair(padding, "padding", minimum=0)
    return ((ph, ph), (pw, pw))


def check_kernel_fits(size, pads, kernel, dilation, what="input", kernel_size=None):
    """Raise if an effective kernel is larger than the padded ``what`` on either axis.

    ``size`` is (H, W), ``pads`` ((top, bottom), (left, right)), ``kernel`` (KH, KW);
    ``kernel_size``, the argument as the caller wrote it, is quoted when given.
    """
    for axis, n, (p0, p1), k, d in zip(("height", "width"), size, pads, kernel, dilation):
        effective = d * (k - 1) + 1
        if effective > n + p0 + p1:
            label = f"kernel {'KH' if axis == 'height' else 'KW'}={k}"
            if kernel_size is not None:
                label = f"kernel_size={kernel_size!r}" + (f" ({label[7:]})" if kernel_size != k else "")
            dil = f" with dilation {d} (effective {effective})" if d != 1 else ""
            raise ValueError(
                f"{label}{dil} does not fit the padded {what} {axis}: "
                f"{n} + {p0} + {p1} = {n + p0 + p1} < {effective}; "
                f"use a smaller kernel, more padding or a larger {what}"
            )


def check_rng(rng):
    """Return ``rng`` (a numpy Generator), or a Generator seeded with 0 when None."""
    if rng is None:
        return np.random.default_rng(0)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)) or None, "
            f"got rng={rng!r}"
        )
    return rng


def as_layer_input(x, ndim, layout, owner):
    """A layer's input as a float array of ``ndim`` dimensions; errors name the layer ``owner``."""
    x = np.asarray(x)
    if x.dtype.kind not in "fiub":
        raise TypeError(f"{owner} needs a numeric input, got x.dtype={x.dtype}")
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    if x.ndim != ndim:
        raise ValueError(f"{owner} expects x of shape {layout}, got x.shape={x.shape}")
    return x


def check_conv_inputs(x, w, *, x_name="x", w_layout="(K, C, KH, KW)", channel_axis=1):
    """``x`` (N, C, H, W) and ``w`` as float arrays, non-empty, with matching channels."""
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


def check_bias(b, count, dtype, name="K"):
    """``b`` as a (count,) array of ``dtype``, or None."""
    if b is None:
        return None
    b = as_float_array(b, "b", 1, layout=f"({name},)")
    if b.shape != (count,):
        raise ValueError(f"b must have shape ({name},)=({count},), one bias per filter, got b.shape={b.shape}")
    return b.astype(dtype, copy=False)


def check_dout(dout, expected):
    """``dout`` as a float array of the forward output's shape ``expected``."""
    dout = as_float_array(dout, "dout", 4, layout="(N, K, H_out, W_out)")
    if dout.shape != expected:
        raise ValueError(
            f"dout must have the forward output's shape (N, K, H_out, W_out)={expected}, "
            f"got dout.shape={dout.shape}"
        )
    return dout
