"""Checkers for output sizes, parameter counts and receptive fields."""

from functools import partial

import numpy as np

from ._core import DEFAULT_CASES, cnnbook_api, compare_int, first_match, Mismatch, run


def _size_case(rng, i, *, strict=False):
    kernel_size = int(rng.integers(1, 6))
    stride = [1, 1, 2, 1, 2, 3][i % 6]
    padding = [0, 0, 0, 1, 1, 2][i % 6] if i % 6 < 5 else int(rng.integers(0, 4))
    low = max(kernel_size - 2 * padding, 1)
    n = int(rng.integers(low, low + 12))
    if strict and i % 3 == 2 and stride > 1:
        # make (n + 2p - k) not divisible by the stride, so the exact result is fractional
        while (n + 2 * padding - kernel_size) % stride == 0:
            n += 1
    elif strict:
        n += (-(n + 2 * padding - kernel_size)) % stride
    return f"n={n}, kernel_size={kernel_size}, stride={stride}, padding={padding}", dict(
        n=n, kernel_size=kernel_size, stride=stride, padding=padding)


def _size_candidates(n, kernel_size, stride, padding):
    return [
        (lambda **a: -(-(n + 2 * padding - kernel_size) // stride) + 1,
         "rounded up: windows that would run past the border are dropped, so use floor (//)"),
        (lambda **a: (n + 2 * padding - kernel_size) // stride,
         "off by one: the first window position counts too, so add 1: (n + 2p - k) // s + 1"),
        (lambda **a: (n + 2 * padding - kernel_size) // stride + 2,
         "off by one (one too many): the formula is (n + 2p - k) // s + 1"),
        (lambda **a: (n - kernel_size) // stride + 1,
         "forgot the padding: it adds `padding` pixels on BOTH sides, so n becomes n + 2*padding"),
        (lambda **a: (n + padding - kernel_size) // stride + 1,
         "padding is added on both sides: use n + 2*padding, not n + padding"),
        (lambda **a: (n + 2 * padding - kernel_size) + 1,
         "ignored the stride: divide (n + 2p - k) by the stride before adding 1"),
        (lambda **a: (n + 2 * padding - kernel_size + 1) // stride,
         "the +1 goes after the division: (n + 2p - k) // s + 1"),
    ]


def _true_division_hint(got):
    """The hint for a size computed with ``/``: a float, whole or not (None for anything else).

    Checked before the candidate mistakes: at stride 1 a float such as 8.0 equals
    the rounded-up candidate too, but true division is what went wrong.
    """
    if not isinstance(got, (float, np.floating)) or not np.isfinite(got):
        return None
    if float(got).is_integer():
        return (f"true division: `/` returns a float ({float(got)!r}) even when the stride divides "
                "exactly; use floor division (//) so the size is an int")
    return (f"true division: `/` gave the non-integer {float(got)!r}; a number of window positions "
            "is whole, and the formula floors: use (n + 2p - k) // s + 1")


def check_output_size(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(n, kernel_size, stride, padding) -> int``, the number of window
    positions along one axis, with floor semantics (as PyTorch).

    Example
    -------
    >>> check_output_size(lambda n, k, s, p: (n + 2 * p - k) // s + 1, rng=0)
    ✓ check_output_size: 25 random cases passed
    CheckResult(name='check_output_size', passed=True, n_cases=25)
    """
    def hints(inputs, expected, got, label):
        return _true_division_hint(got) or first_match(got, _size_candidates(**inputs), {}) or (
            "count the window positions by hand on the printed case: starts at 0, s, 2s, ... "
            "while start + k <= n + 2p")

    ref = cnnbook_api().conv_output_size
    return run("check_output_size", fn, _size_case, reference=ref, compare=compare_int, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="output size")


def _strict_reference(n, kernel_size, stride, padding):
    try:
        return cnnbook_api().conv_output_size(n, kernel_size, stride, padding, strict=True)
    except ValueError:
        return ValueError


def _compare_strict(expected, got):
    if expected is ValueError and got is ValueError:
        return
    if got is ValueError:
        raise Mismatch(f"raised ValueError, but this case tiles exactly: the answer is {expected}")
    if expected is ValueError:
        raise Mismatch(f"returned {got!r}, but the windows do not tile the padded input exactly: "
                        "raise ValueError")
    compare_int(expected, got)


def check_output_size_strict(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(n, kernel_size, stride, padding) -> int`` that raises
    ``ValueError`` when ``(n + 2*padding - kernel_size) / stride`` is not an integer.

    Example
    -------
    >>> def size(n, k, s, p):
    ...     if (n + 2 * p - k) % s:
    ...         raise ValueError("not integral")
    ...     return (n + 2 * p - k) // s + 1
    >>> bool(check_output_size_strict(size, rng=0, verbose=False))
    True
    """
    def wrapped(n, kernel_size, stride, padding):
        try:
            return fn(n, kernel_size, stride, padding)
        except ValueError:
            return ValueError

    wrapped.__name__ = getattr(fn, "__name__", "your function")

    def hints(inputs, expected, got, label):
        if expected is ValueError:
            return ("raise ValueError when (n + 2*padding - kernel_size) % stride != 0: "
                    "the last window would not fit")
        if got is ValueError:
            return "this case does tile exactly: only raise when (n + 2p - k) % s != 0"
        return _true_division_hint(got) or first_match(got, _size_candidates(**inputs), {}) or ""

    return run("check_output_size_strict", wrapped if callable(fn) else fn, partial(_size_case, strict=True),
                reference=_strict_reference, compare=_compare_strict, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="output size (or ValueError)")


def _param_reference(in_channels, out_channels, kernel_size):
    return kernel_size * kernel_size * in_channels * out_channels + out_channels


def check_param_count(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(in_channels, out_channels, kernel_size) -> int``, the number of
    learnable parameters of a conv layer with square kernels: F*F*D1*K + K.

    Example
    -------
    >>> check_param_count(lambda c, k, f: f * f * c * k + k, rng=0)
    ✓ check_param_count: 25 random cases passed
    CheckResult(name='check_param_count', passed=True, n_cases=25)
    """
    def cases(rng, i):
        c, k, f = int(rng.integers(1, 65)), int(rng.integers(2, 129)), int(rng.choice([1, 3, 5, 7]))
        return (f"in_channels={c}, out_channels={k}, kernel_size={f}",
                dict(in_channels=c, out_channels=k, kernel_size=f))

    def hints(inputs, expected, got, label):
        c, k, f = inputs["in_channels"], inputs["out_channels"], inputs["kernel_size"]
        return first_match(got, [
            (lambda: f * f * c * k, "forgot the biases: one per output channel (+ out_channels)"),
            (lambda: f * f * k + k, "each filter spans ALL input channels: F*F*in_channels weights per filter"),
            (lambda: f * f * c + 1, "there is one filter per output channel: multiply by out_channels"),
            (lambda: f * f * c * k + c, "one bias per OUTPUT channel, not per input channel"),
            (lambda: f * f * c * k + k * c, "one bias per filter (output channel), not per channel pair"),
            (lambda: f * c * k + k, "a kernel_size x kernel_size filter has F*F weights per channel"),
        ], {}) or "weights: out_channels filters of shape (in_channels, F, F); biases: one per filter"

    return run("check_param_count", fn, cases, reference=_param_reference, compare=compare_int,
                hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="parameter count")


def check_fc_param_count(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(in_features, out_features) -> int``, the number of parameters
    of a fully connected layer: in_features*out_features + out_features.

    Example
    -------
    >>> bool(check_fc_param_count(lambda i, o: i * o + o, rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        a, b = int(rng.integers(1, 5000)), int(rng.integers(1, 500))
        return f"in_features={a}, out_features={b}", dict(in_features=a, out_features=b)

    def hints(inputs, expected, got, label):
        a, b = inputs["in_features"], inputs["out_features"]
        return first_match(got, [
            (lambda: a * b, "forgot the biases: one per output unit (+ out_features)"),
            (lambda: a * b + a, "one bias per OUTPUT unit, not per input"),
        ], {}) or "every output unit has one weight per input plus one bias"

    return run("check_fc_param_count", fn, cases, reference=lambda in_features, out_features:
                in_features * out_features + out_features, compare=compare_int, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="parameter count")


def check_receptive_field(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(kernel_sizes, strides) -> int``, the receptive field (in input
    pixels, along one axis) of one unit of the last layer of a stack of conv or
    pool layers. ``kernel_sizes`` and ``strides`` are lists of ints, first layer first.

    Example
    -------
    >>> def rf(ks, ss):
    ...     r, j = 1, 1
    ...     for k, s in zip(ks, ss):
    ...         r, j = r + (k - 1) * j, j * s
    ...     return r
    >>> bool(check_receptive_field(rf, rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        depth = 1 + i % 5
        ks = [int(k) for k in rng.choice([1, 2, 3, 5, 7], size=depth)]
        ss = [1] * depth if i < 3 else [int(s) for s in rng.choice([1, 2, 2, 3], size=depth)]
        return f"{depth} layers", dict(kernel_sizes=ks, strides=ss)

    def reference(kernel_sizes, strides):
        return int(cnnbook_api().receptive_field(kernel_sizes, strides)[-1][0])

    def hints(inputs, expected, got, label):
        ks = inputs["kernel_sizes"]
        return first_match(got, [
            (lambda: 1 + sum(k - 1 for k in ks), "strides widen the step between neighbours: "
             "each layer adds (k - 1) * jump, where jump is the product of the earlier strides"),
            (lambda: sum(ks), "stacking layers adds (k - 1) per layer, not k: r = 1 + sum (k_l - 1) * jump_l"),
            (lambda: int(np.prod(ks)), "receptive fields grow additively, not multiplicatively"),
        ], {}) or "start with r = 1, jump = 1; for each layer r += (k - 1) * jump, then jump *= stride"

    return run("check_receptive_field", fn, cases, reference=reference, compare=compare_int, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="receptive field")


def _transpose_case(rng, i):
    # kernel_size >= 2: with k = 1 and stride 1 the forward and transposed formulas agree
    kernel_size = int(rng.integers(2, 6))
    stride = [1, 2, 2, 3, 1, 2][i % 6]
    padding = int(rng.integers(0, (kernel_size + 1) // 2 + 1)) if i % 3 else 0
    output_padding = int(rng.integers(0, stride))  # must stay below the stride
    n = 1 if i == 4 else int(rng.integers(1, 10))
    # keep the size positive: (n - 1)*s - 2p + k + op >= 1
    while (n - 1) * stride - 2 * padding + kernel_size + output_padding < 1:
        n += 1
    return (f"n={n}, kernel_size={kernel_size}, stride={stride}, padding={padding}, "
            f"output_padding={output_padding}",
            dict(n=n, kernel_size=kernel_size, stride=stride, padding=padding, output_padding=output_padding))


def check_conv_transpose_output_size(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(n, kernel_size, stride, padding, output_padding) -> int``, the
    output size of a transposed convolution (dilation 1):
    ``(n - 1)*stride - 2*padding + kernel_size + output_padding``.

    Example
    -------
    >>> f = lambda n, k, s, p, op: (n - 1) * s - 2 * p + k + op
    >>> bool(check_conv_transpose_output_size(f, rng=0, verbose=False))
    True
    """
    def reference(n, kernel_size, stride, padding, output_padding):
        return cnnbook_api().conv_transpose_output_size(n, kernel_size, stride, padding, output_padding)

    def hints(inputs, expected, got, label):
        n, k, s, p, op = inputs.values()
        return first_match(got, [
            (lambda: (n + 2 * p - k) // s + 1, "that is the forward (convolution) formula; a transposed "
             "convolution goes the other way: (n - 1)*s - 2p + k + output_padding"),
            (lambda: (n - 1) * s - 2 * p + k, "forgot output_padding: it adds that many rows/columns at the end"),
            (lambda: (n - 1) * s + 2 * p + k + op, "padding removes rows here: -2*padding, not +2*padding"),
            (lambda: n * s - 2 * p + k + op, "the n inputs are n - 1 strides apart: (n - 1)*s, not n*s"),
        ], {}) or "solve the forward formula n = (m + 2p - k) // s + 1 for m: m = (n - 1)*s - 2p + k (+ output_padding)"

    return run("check_conv_transpose_output_size", fn, _transpose_case, reference=reference,
                compare=compare_int, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="output size")
