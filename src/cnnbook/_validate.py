"""Argument checking shared by every public function.

Each helper raises ``TypeError`` or ``ValueError`` whose message quotes the
argument by name, shows the value it got, and says what would be valid, so a
reader never meets a traceback from deep inside numpy.
"""

from numbers import Integral

import numpy as np


def _is_int(value):
    return isinstance(value, (Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def pair(value, name, *, minimum=1):
    """Return ``value`` as an ``(h, w)`` tuple of ints, each at least ``minimum``.

    Accepts an int or a sequence of two ints.
    """
    kind = "positive" if minimum == 1 else "non-negative" if minimum == 0 else f">= {minimum}"
    valid = f"a {kind} int or a pair of {kind} ints"
    if _is_int(value):
        values = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_int(v) for v in value):
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


def common_dtype(*arrays):
    """The floating dtype to compute in: numpy's promotion of the inputs."""
    return np.result_type(*arrays)


def check_shape(arr, name, expected, names):
    """Raise unless ``arr.shape`` equals ``expected`` (a tuple, with None for 'any')."""
    if len(arr.shape) != len(expected) or any(
        e is not None and s != e for s, e in zip(arr.shape, expected)
    ):
        spelled = ", ".join(
            f"{n}={e}" if e is not None else n for n, e in zip(names, expected)
        )
        raise ValueError(f"{name} must have shape ({spelled}), got {name}.shape={arr.shape}")


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


def check_kernel_fits(size, pads, kernel, dilation, what="input"):
    """Raise if an effective kernel is larger than the padded input on either axis."""
    for axis, n, (p0, p1), k, d in zip(("height", "width"), size, pads, kernel, dilation):
        effective = d * (k - 1) + 1
        if effective > n + p0 + p1:
            kname = "KH" if axis == "height" else "KW"
            dil = f" with dilation {d} (effective {effective})" if d != 1 else ""
            raise ValueError(
                f"kernel {kname}={k}{dil} is larger than the padded {what} {axis} "
                f"{n} + {p0} + {p1} = {n + p0 + p1}; use a smaller kernel or more padding"
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
