"""Checkers for the code exercises of the book.

Every code exercise ends with a cell such as ``check_conv2d(my_conv2d)``. The
checker calls the reader's function on small inputs drawn afresh at each run
(so they are not listed anywhere in the book), compares each answer with the
reference implementation in :mod:`cnnbook`, and prints either a one-line pass
message or the first failing case: its inputs, the expected and the obtained
output, and a hint aimed at the likely mistake.

A checker never raises on a wrong answer, a wrong shape or an exception from
the reader's function (including the ``NotImplementedError`` of an exercise
stub): all of these are reported as a failure. It returns a
:class:`CheckResult`, which is truthy when every case passed.

Every checker has the keyword arguments ``rng`` (``None`` draws fresh entropy;
an int seed or a ``numpy.random.Generator`` makes a run repeatable),
``n_cases`` and ``verbose`` (``False`` silences the printed report).

Conventions that the checkers expect (the same as PyTorch's):

- convolution is cross-correlation, the kernel is not flipped;
- output sizes use floor division: ``(n + 2*padding - kernel_size) // stride + 1``;
- max-pool backward sends the gradient of a window with tied maxima to the
  first maximum in row-major order (``np.argmax``), and overlapping windows
  add up their gradients;
- ``softmax_cross_entropy`` returns the mean loss over the batch.
"""

import re
from dataclasses import dataclass, field
from functools import partial

import numpy as np

__all__ = [
    "CheckResult",
    "check_output_size",
    "check_output_size_strict",
    "check_param_count",
    "check_fc_param_count",
    "check_receptive_field",
    "check_pixel_to_vector",
    "check_batch_numel",
    "check_to_nchw",
    "check_flatten",
    "check_conv2d",
    "check_conv2d_weight_grad",
    "check_conv2d_input_grad",
    "check_conv2d_bias_grad",
    "check_relu_backward",
    "check_max_pool",
    "check_max_pool_backward",
    "check_avg_pool",
    "check_avg_pool_backward",
    "check_softmax_cross_entropy",
]

DEFAULT_CASES = 25


@dataclass
class CheckResult:
    """Outcome of one checker run.

    Attributes
    ----------
    name : str
        Name of the checker, e.g. ``"check_conv2d"``.
    passed : bool
        True when every case passed. The result is truthy exactly when passed.
    message : str
        The report that the checker printed.
    n_cases : int
        Number of cases run (up to and including the first failure).
    case : dict or None
        Inputs of the first failing case, by argument name.
    expected, got : object
        Reference and obtained output of the failing case.
    hint : str
        The hint printed with a failure ('' on a pass).
    """

    name: str
    passed: bool
    message: str
    n_cases: int = 0
    case: dict = None
    expected: object = field(default=None, repr=False)
    got: object = field(default=None, repr=False)
    hint: str = ""

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return f"CheckResult(name={self.name!r}, passed={self.passed}, n_cases={self.n_cases})"

    def _ipython_display_(self):
        # The checker has already printed its report; showing the result
        # object again as the cell's value would only repeat it.
        pass


# --------------------------------------------------------------------------- #
# Shared machinery
# --------------------------------------------------------------------------- #

class _Mismatch(Exception):
    """Raised by a comparison when the reader's output is wrong."""


def _fmt(value, indent="      "):
    """Text of one input or output; arrays go on their own lines under the name."""
    if isinstance(value, np.ndarray) and value.ndim:
        text = np.array2string(value, precision=4, suppress_small=True, max_line_width=100)
        text = re.sub(r"\n\s*\n(\s*\n)*", "\n\n", text)  # one blank line between blocks is enough
        return f"shape {value.shape}\n{indent}" + text.replace("\n", "\n" + indent)
    if isinstance(value, tuple) and any(isinstance(v, np.ndarray) for v in value):
        return "(" + ", ".join(_fmt(v, indent) for v in value) + ")"
    if isinstance(value, np.ndarray):
        return repr(value.item())
    if isinstance(value, type) and issubclass(value, Exception):
        return f"raises {value.__name__}"
    return repr(value)


def _as_array(got, what="the output"):
    if got is None:
        raise _Mismatch(f"{what} is None: did you forget the `return` statement?")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as err:
        raise _Mismatch(f"{what} is a {type(got).__name__}, not an array of numbers ({err})") from None
    return arr


def _same(a, b):
    """True if candidate ``a`` and answer ``b`` agree (shape and values)."""
    try:
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-8)


def _compare_array(expected, got, what="the output"):
    arr = _as_array(got, what)
    expected = np.asarray(expected, dtype=float)
    if arr.shape != expected.shape:
        raise _Mismatch(f"{what} has shape {arr.shape}, expected shape {expected.shape}")
    if not np.all(np.isfinite(arr)):
        raise _Mismatch(f"{what} contains nan or inf")
    if not np.allclose(arr, expected, rtol=1e-6, atol=1e-8):
        wrong = ~np.isclose(arr, expected, rtol=1e-6, atol=1e-8)
        raise _Mismatch(f"{what} has the right shape but {int(wrong.sum())} of {wrong.size} values differ")


def _compare_int(expected, got, what="the output"):
    if got is None:
        raise _Mismatch(f"{what} is None: did you forget the `return` statement?")
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer, float, np.floating)):
        raise _Mismatch(f"{what} is a {type(got).__name__}, expected an int")
    if isinstance(got, (float, np.floating)):
        if got == expected:
            raise _Mismatch(f"{what} is the float {got!r}: return an int (use // for floor division)")
        raise _Mismatch(f"{what} is {got!r}, expected {expected!r}")
    if int(got) != expected:
        raise _Mismatch(f"{what} is {got!r}, expected {expected!r}")


def _run(name, fn, cases, *, reference, compare, hints, rng, n_cases, verbose, what):
    """Run ``fn`` on the cases and build the report.

    cases(rng, i) -> (label, inputs dict); reference(**inputs) -> expected;
    compare(expected, got) raises _Mismatch; hints(inputs, expected, got, label)
    -> str.
    """
    rng = np.random.default_rng(rng)
    if not callable(fn):
        message = f"✗ {name}: expected a function, got {type(fn).__name__} {fn!r}"
        if verbose:
            print(message)
        return CheckResult(name, False, message, 0, hint="pass the function itself, without calling it")
    fn_name = getattr(fn, "__name__", "your function")
    for i in range(n_cases):
        label, inputs = cases(rng, i)
        expected = reference(**inputs)
        copies = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}
        got = None
        try:
            got = fn(*copies.values())
        except NotImplementedError as err:
            problem = f"{fn_name} raised NotImplementedError({str(err)!r})"
            hint = "the function is still a stub: replace `raise NotImplementedError` with your code"
        except Exception as err:  # noqa: BLE001 - any error of the reader's code is a failure
            problem = f"{fn_name} raised {type(err).__name__}: {err}"
            hint = _exception_hint(err)
        else:
            changed = [k for k, v in inputs.items()
                       if isinstance(v, np.ndarray) and not np.array_equal(v, copies[k])]
            try:
                compare(expected, got)
            except _Mismatch as err:
                problem = str(err)
                try:
                    hint = hints(inputs, expected, got, label)
                except Exception:  # noqa: BLE001 - a hint must never hide the report
                    hint = ""
            else:
                if not changed:
                    continue
                problem = f"{fn_name} changed its input array(s) {', '.join(changed)} in place"
                hint = "work on a copy (e.g. `dx = dout.copy()`) so the caller's arrays stay unchanged"
        message = _failure_report(name, i, n_cases, label, inputs, expected, got, problem, hint, what)
        if verbose:
            print(message)
        return CheckResult(name, False, message, i + 1, inputs, expected, got, hint)
    message = f"✓ {name}: {n_cases} random cases passed"
    if verbose:
        print(message)
    return CheckResult(name, True, message, n_cases)


def _exception_hint(err):
    if isinstance(err, IndexError):
        return ("an index ran past the end of an array: check the loop ranges "
                "(H_out, W_out) and that x was padded before slicing")
    if isinstance(err, ValueError) and "broadcast" in str(err):
        return "two arrays had different shapes: print the shapes of the window and the kernel"
    return ""


def _failure_report(name, i, n_cases, label, inputs, expected, got, problem, hint, what):
    lines = [f"✗ {name}: case {i + 1} of {n_cases} failed ({label})", f"  Problem: {problem}", "  Inputs:"]
    lines += [f"    {k} = {_fmt(v)}" for k, v in inputs.items()]
    lines.append(f"  Expected {what}: {_fmt(expected)}")
    if got is not None:
        lines.append(f"  Got: {_fmt(got)}")
    if hint:
        lines.append(f"  Hint: {hint}")
    return "\n".join(lines)


def _first_match(got, candidates, inputs):
    """Return the hint of the first candidate mistake whose output equals ``got``."""
    for make, hint in candidates:
        try:
            candidate = make(**inputs)
        except Exception:  # noqa: BLE001 - a candidate that cannot be built does not match
            continue
        if _same(candidate, got):
            return hint
    return None


def _ints(rng, low, high, size):
    """Integer-valued float array: exact sums, and short to print."""
    return rng.integers(low, high + 1, size=size).astype(float)


def _api():
    import cnnbook  # imported late so that this module loads on its own

    return cnnbook


def _checker(doc_name):
    def wrap(body):
        def check(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
            return body(fn, rng=rng, n_cases=n_cases, verbose=verbose)

        check.__name__ = check.__qualname__ = doc_name
        check.__doc__ = body.__doc__
        check.__module__ = __name__
        return check

    return wrap


# --------------------------------------------------------------------------- #
# Sizes and counts
# --------------------------------------------------------------------------- #

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


@_checker("check_output_size")
def check_output_size(fn, *, rng, n_cases, verbose):
    """Check ``fn(n, kernel_size, stride, padding) -> int``, the number of window
    positions along one axis, with floor semantics (as PyTorch).

    Example
    -------
    >>> check_output_size(lambda n, k, s, p: (n + 2 * p - k) // s + 1, rng=0)
    ✓ check_output_size: 25 random cases passed
    CheckResult(name='check_output_size', passed=True, n_cases=25)
    """
    def hints(inputs, expected, got, label):
        return _first_match(got, _size_candidates(**inputs), {}) or (
            "count the window positions by hand on the printed case: starts at 0, s, 2s, ... "
            "while start + k <= n + 2p")

    ref = _api().conv_output_size
    return _run("check_output_size", fn, _size_case, reference=ref, compare=_compare_int, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="output size")


def _strict_reference(n, kernel_size, stride, padding):
    try:
        return _api().conv_output_size(n, kernel_size, stride, padding, strict=True)
    except ValueError:
        return ValueError


def _compare_strict(expected, got):
    if expected is ValueError and got is ValueError:
        return
    if got is ValueError:
        raise _Mismatch(f"raised ValueError, but this case tiles exactly: the answer is {expected}")
    if expected is ValueError:
        raise _Mismatch(f"returned {got!r}, but the windows do not tile the padded input exactly: "
                        "raise ValueError")
    _compare_int(expected, got)


@_checker("check_output_size_strict")
def check_output_size_strict(fn, *, rng, n_cases, verbose):
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
        return _first_match(got, _size_candidates(**inputs), {}) or ""

    return _run("check_output_size_strict", wrapped if callable(fn) else fn, partial(_size_case, strict=True),
                reference=_strict_reference, compare=_compare_strict, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="output size (or ValueError)")


def _param_reference(in_channels, out_channels, kernel_size):
    return kernel_size * kernel_size * in_channels * out_channels + out_channels


@_checker("check_param_count")
def check_param_count(fn, *, rng, n_cases, verbose):
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
        return _first_match(got, [
            (lambda: f * f * c * k, "forgot the biases: one per output channel (+ out_channels)"),
            (lambda: f * f * k + k, "each filter spans ALL input channels: F*F*in_channels weights per filter"),
            (lambda: f * f * c + 1, "there is one filter per output channel: multiply by out_channels"),
            (lambda: f * f * c * k + c, "one bias per OUTPUT channel, not per input channel"),
            (lambda: f * f * c * k + k * c, "one bias per filter (output channel), not per channel pair"),
            (lambda: f * c * k + k, "a kernel_size x kernel_size filter has F*F weights per channel"),
        ], {}) or "weights: out_channels filters of shape (in_channels, F, F); biases: one per filter"

    return _run("check_param_count", fn, cases, reference=_param_reference, compare=_compare_int,
                hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="parameter count")


@_checker("check_fc_param_count")
def check_fc_param_count(fn, *, rng, n_cases, verbose):
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
        return _first_match(got, [
            (lambda: a * b, "forgot the biases: one per output unit (+ out_features)"),
            (lambda: a * b + a, "one bias per OUTPUT unit, not per input"),
        ], {}) or "every output unit has one weight per input plus one bias"

    return _run("check_fc_param_count", fn, cases, reference=lambda in_features, out_features:
                in_features * out_features + out_features, compare=_compare_int, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="parameter count")


@_checker("check_receptive_field")
def check_receptive_field(fn, *, rng, n_cases, verbose):
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
        return int(_api().receptive_field(kernel_sizes, strides)[-1][0])

    def hints(inputs, expected, got, label):
        ks, ss = inputs["kernel_sizes"], inputs["strides"]
        return _first_match(got, [
            (lambda: 1 + sum(k - 1 for k in ks), "strides widen the step between neighbours: "
             "each layer adds (k - 1) * jump, where jump is the product of the earlier strides"),
            (lambda: sum(ks), "stacking layers adds (k - 1) per layer, not k: r = 1 + sum (k_l - 1) * jump_l"),
            (lambda: int(np.prod(ks)), "receptive fields grow additively, not multiplicatively"),
        ], {}) or "start with r = 1, jump = 1; for each layer r += (k - 1) * jump, then jump *= stride"

    return _run("check_receptive_field", fn, cases, reference=reference, compare=_compare_int, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="receptive field")


# --------------------------------------------------------------------------- #
# Pixels and vectors
# --------------------------------------------------------------------------- #

@_checker("check_pixel_to_vector")
def check_pixel_to_vector(fn, *, rng, n_cases, verbose):
    """Check ``fn(image) -> vector``: a greyscale image of shape (H, W) becomes
    a vector of shape (H*W,) read row by row (pixel (r, c) lands at r*W + c).

    Example
    -------
    >>> bool(check_pixel_to_vector(lambda img: img.reshape(-1), rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        h, w = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        return f"image of shape ({h}, {w})", dict(image=_ints(rng, 0, 255, (h, w)))

    def hints(inputs, expected, got, label):
        img = inputs["image"]
        return _first_match(got, [
            (lambda: img.reshape(-1, order="F"), "you read the image column by column; read it row by "
             "row (numpy's default order): pixel (r, c) goes to index r*W + c"),
            (lambda: img.reshape(-1, 1), "return a 1-D vector of shape (H*W,), not a column (H*W, 1)"),
            (lambda: img.reshape(1, -1), "return a 1-D vector of shape (H*W,), not a row (1, H*W)"),
        ], {}) or "img.reshape(-1) reads the rows one after the other"

    return _run("check_pixel_to_vector", fn, cases, reference=lambda image: image.reshape(-1),
                compare=_compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose,
                what="vector")


@_checker("check_batch_numel")
def check_batch_numel(fn, *, rng, n_cases, verbose):
    """Check ``fn(N, C, H, W) -> int``, the number of values in a batch of shape (N, C, H, W).

    Example
    -------
    >>> bool(check_batch_numel(lambda n, c, h, w: n * c * h * w, rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        if i == 0:
            dims = (1, 1, 1, 1)
        elif i == 1:
            dims = (64, 3, 224, 224)
        else:
            dims = tuple(int(v) for v in rng.integers(1, 65, size=4))
        return "N={}, C={}, H={}, W={}".format(*dims), dict(zip(("N", "C", "H", "W"), dims))

    def hints(inputs, expected, got, label):
        N, C, H, W = inputs.values()
        return _first_match(got, [
            (lambda: C * H * W, "that is one image: multiply by the batch size N too"),
            (lambda: N * H * W, "each pixel holds C values (one per channel): multiply by C"),
            (lambda: N * C * H, "multiply by the width W too"),
            (lambda: N + C + H + W, "the number of values is the product of the sizes, not their sum"),
        ], {}) or "every axis multiplies the count: N * C * H * W"

    return _run("check_batch_numel", fn, cases, reference=lambda N, C, H, W: N * C * H * W,
                compare=_compare_int, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose,
                what="number of values")


@_checker("check_to_nchw")
def check_to_nchw(fn, *, rng, n_cases, verbose):
    """Check ``fn(images) -> x``: uint8 images of shape (N, H, W, 3) become a
    float array of shape (N, 3, H, W) with values in [0, 1] (divided by 255).

    Example
    -------
    >>> bool(check_to_nchw(lambda im: im.transpose(0, 3, 1, 2) / 255, rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        n = 1 if i < 2 else int(rng.integers(1, 4))
        h = int(rng.integers(2, 4))
        w = h + 1 if i % 2 == 0 else int(rng.integers(2, 5))  # H != W first, so swapped axes show
        images = rng.integers(0, 256, size=(n, h, w, 3)).astype(np.uint8)  # (N, H, W, 3)
        images.flat[0] = 255
        return f"images of shape {images.shape}", dict(images=images)

    def reference(images):
        return images.transpose(0, 3, 1, 2) / 255.0  # (N, 3, H, W)

    def compare(expected, got):
        if isinstance(got, np.ndarray) and got.dtype.kind != "f":
            raise _Mismatch(f"the output has dtype {got.dtype}; expected floats in [0, 1]")
        _compare_array(expected, got)

    def hints(inputs, expected, got, label):
        im = inputs["images"]
        N, H, W, _ = im.shape
        if isinstance(got, np.ndarray) and got.dtype == np.uint8:
            return "the output is still uint8: convert with .astype(np.float64) (or divide by 255.0)"
        return _first_match(got, [
            (lambda: im.transpose(0, 3, 1, 2).astype(float), "scale the values to [0, 1]: divide by 255"),
            (lambda: im.transpose(0, 3, 1, 2) // 255, "// is integer division: use / 255 for values in [0, 1]"),
            (lambda: im.reshape(N, 3, H, W) / 255, "reshape keeps the memory order and scrambles the pixels; "
             "move the channel axis with transpose(0, 3, 1, 2)"),
            (lambda: im.transpose(0, 3, 2, 1) / 255, "H and W are swapped: the order is (N, 3, H, W), "
             "transpose(0, 3, 1, 2)"),
            (lambda: im / 255, "channels first: move the last axis to position 1 with transpose(0, 3, 1, 2)"),
            (lambda: im.transpose(0, 3, 1, 2) / im.max(), "divide by 255, the largest possible uint8 value, "
             "not by the largest value in the batch"),
        ], {}) or "x = images.transpose(0, 3, 1, 2) / 255"

    return _run("check_to_nchw", fn, cases, reference=reference, compare=compare, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="x")


@_checker("check_flatten")
def check_flatten(fn, *, rng, n_cases, verbose):
    """Check ``fn(x) -> out``: a batch x of shape (N, C, H, W) becomes a matrix
    of shape (N, C*H*W), each row one image read channel, row, column (as
    PyTorch's ``flatten(1)``).

    Example
    -------
    >>> bool(check_flatten(lambda x: x.reshape(x.shape[0], -1), rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        shape = tuple(int(v) for v in rng.integers(1, 4, size=4))
        return f"x of shape {shape}", dict(x=_ints(rng, 0, 9, shape))

    def hints(inputs, expected, got, label):
        x = inputs["x"]
        return _first_match(got, [
            (lambda: x.reshape(-1), "keep the batch axis: the result has one row per image, shape (N, C*H*W)"),
            (lambda: x.transpose(0, 2, 3, 1).reshape(x.shape[0], -1),
             "you put the channels last; NCHW order reads all of channel 0 first"),
            (lambda: x.reshape(-1, x.shape[0]), "reshape to (N, -1), not (-1, N)"),
        ], {}) or "x.reshape(N, -1) with N = x.shape[0]"

    return _run("check_flatten", fn, cases, reference=lambda x: x.reshape(x.shape[0], -1),
                compare=_compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose,
                what="matrix")


# --------------------------------------------------------------------------- #
# Convolution
# --------------------------------------------------------------------------- #

def _conv_case(rng, i):
    """Small conv problems; the first ones are the simplest, then stride,
    padding, several channels, rectangular images and kernels."""
    stride = [1, 1, 1, 2, 2, 1, 3][i % 7]
    padding = [0, 0, 1, 0, 1, 2, 1][i % 7]
    if i < 4:  # one image, one filter: short to print; case 1 has two input channels
        n, c, k, kh, kw = 1, 1 + (i == 1), 1, 3, 3 - (i == 3)
    else:
        n, c, k = int(rng.integers(1, 3)), int(rng.integers(1, 3)), int(rng.integers(1, 3))
        kh, kw = (int(v) for v in rng.integers(1, 4, size=2)) if i % 3 else (3, 2)
    # H >= KH even with padding, so that a solution that forgets the padding
    # still runs and its (smaller) output can be diagnosed
    h = int(rng.integers(kh, 6)) + (i > 0) * int(rng.integers(0, 2))
    w = int(rng.integers(kw, 7))
    x = _ints(rng, -3, 3, (n, c, h, w))
    wt = _ints(rng, -2, 2, (k, c, kh, kw))
    if kh * kw > 1 and np.array_equal(wt, wt[..., ::-1, ::-1]):
        wt[0, 0, 0, 0] += 1  # a symmetric kernel would hide a flipped one
    return (f"x {x.shape}, w {wt.shape}, stride={stride}, padding={padding}",
            dict(x=x, w=wt, b=_ints(rng, -2, 2, (k,)), stride=stride, padding=padding))


def _rot(w):
    return w[..., ::-1, ::-1]


def _shape_hint(got, expected, inputs, out_axes="(N, K, H_out, W_out)"):
    """Hints from the shape alone, for conv-like outputs."""
    got = np.asarray(got)
    if got.ndim != expected.ndim:
        return f"the output should have {expected.ndim} axes {out_axes}"
    if sorted(got.shape) == sorted(expected.shape) and got.shape != expected.shape:
        return f"the axes are in the wrong order: expected {out_axes}"
    if got.shape[:2] != expected.shape[:2]:
        return f"the first two axes should be {expected.shape[:2]}, as in {out_axes}"
    stride, padding = inputs.get("stride", 1), inputs.get("padding", 0)
    dh, dw = got.shape[2] - expected.shape[2], got.shape[3] - expected.shape[3]
    if padding and dh == -2 * padding // stride and dw == -2 * padding // stride:
        return "forgot the padding: pad x with `padding` zeros on each side before sliding"
    if abs(dh) <= 1 and abs(dw) <= 1:
        return "off by one in H_out or W_out: H_out = (H + 2*padding - KH) // stride + 1"
    if stride > 1:
        return "the output size should account for the stride: H_out = (H + 2*padding - KH) // stride + 1"
    return "H_out = (H + 2*padding - KH) // stride + 1 and W_out likewise"


@_checker("check_conv2d")
def check_conv2d(fn, *, rng, n_cases, verbose):
    """Check a naive conv2d ``fn(x, w, b, stride, padding) -> out`` (cross-correlation).

    x : ndarray, shape (N, C, H, W); w : ndarray, shape (K, C, KH, KW); b : ndarray,
    shape (K,); stride, padding : int. out : ndarray, shape (N, K, H_out, W_out).

    Example
    -------
    >>> import cnnbook
    >>> check_conv2d(cnnbook.conv2d, rng=0)
    ✓ check_conv2d: 25 random cases passed
    CheckResult(name='check_conv2d', passed=True, n_cases=25)
    """
    conv2d = _api().conv2d

    def hints(inputs, expected, got, label):
        x, w, b, s, p = inputs.values()
        hint = _first_match(got, [
            (lambda: conv2d(x, _rot(w), b, s, p), "your output matches a TRUE convolution (kernel flipped "
             "by 180°); CNNs use cross-correlation: out[i, j] = sum x[i*s + a, j*s + b] * w[a, b], w not flipped"),
            (lambda: conv2d(x, w, None, s, p), "forgot the bias: add b[k] to every value of output channel k"),
            (lambda: conv2d(x, _rot(w), None, s, p), "kernel flipped (true convolution) and bias missing"),
            (lambda: conv2d(x, w, b, s, 0), "forgot the padding: pad x with `padding` zeros on each side"),
            (lambda: conv2d(x, w, b, 1, p)[:, :, ::s, ::s][:, :, :expected.shape[2], :expected.shape[3]],
             "the window for output (i, j) starts at (i*stride, j*stride)"),
            (lambda: conv2d(x, w, 2 * b, s, p), "the bias is added once per output value, not per channel"),
        ], {})
        if hint:
            return hint
        if np.shape(got) != expected.shape:
            return _shape_hint(got, expected, inputs)
        return ("for each (n, k, i, j): out = sum over c, a, b of x_pad[n, c, i*s + a, j*s + b] * w[k, c, a, b], "
                "plus b[k]; check the sum runs over every input channel")

    return _run("check_conv2d", fn, _conv_case, reference=conv2d, compare=_compare_array, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="output")


def _grad_case(rng, i):
    label, inputs = _conv_case(rng, i)
    out = _api().conv2d(inputs["x"], inputs["w"], inputs["b"], inputs["stride"], inputs["padding"])
    dout = _ints(rng, -2, 2, out.shape)
    return label, dict(dout=dout, x=inputs["x"], w=inputs["w"], stride=inputs["stride"],
                       padding=inputs["padding"])


def _overwrite_dx(dout, x, w, stride, padding, order):
    """dx of a conv written with `=` where `+=` is needed, for a common loop order."""
    N, K, H_out, W_out = dout.shape
    _, C, KH, KW = w.shape
    dxp = np.zeros((N, C, x.shape[2] + 2 * padding, x.shape[3] + 2 * padding))
    loops = [(n, k, i, j) for n in range(N) for k in range(K) for i in range(H_out) for j in range(W_out)]
    if order == "ijk":
        loops = [(n, k, i, j) for n in range(N) for i in range(H_out) for j in range(W_out) for k in range(K)]
    for n, k, i, j in loops:
        dxp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW] = w[k] * dout[n, k, i, j]
    return dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]]


@_checker("check_conv2d_weight_grad")
def check_conv2d_weight_grad(fn, *, rng, n_cases, verbose):
    """Check ``fn(dout, x, w, stride, padding) -> dw``, the gradient of a conv2d
    with respect to its weights.

    dout : ndarray, shape (N, K, H_out, W_out); x : ndarray, shape (N, C, H, W);
    w : ndarray, shape (K, C, KH, KW); dw : ndarray, shape (K, C, KH, KW).

    Example
    -------
    >>> import cnnbook
    >>> dw = lambda dout, x, w, s, p: cnnbook.conv2d_backward(dout, x, w, s, p)[1]
    >>> bool(check_conv2d_weight_grad(dw, rng=0, verbose=False))
    True
    """
    backward = _api().conv2d_backward

    def reference(dout, x, w, stride, padding):
        return backward(dout, x, w, stride, padding)[1]

    def hints(inputs, expected, got, label):
        dout, x, w, s, p = inputs.values()
        N = x.shape[0]

        def last_only():
            xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
            _, _, KH, KW = w.shape
            Ho, Wo = dout.shape[2:]
            win = xp[N - 1, :, (Ho - 1) * s:(Ho - 1) * s + KH, (Wo - 1) * s:(Wo - 1) * s + KW]  # (C, KH, KW)
            return dout[N - 1, :, Ho - 1, Wo - 1][:, None, None, None] * win[None]  # (K, C, KH, KW)

        return _first_match(got, [
            (lambda: _rot(expected), "your dw is the right one rotated by 180°: dw[k, c, a, b] = "
             "sum over n, i, j of dout[n, k, i, j] * x_pad[n, c, i*s + a, j*s + b] (no flip for the weights)"),
            (lambda: reference(dout[-1:], x[-1:], w, s, p), "only the last image counts: accumulate (+=) the "
             "contributions of every image of the batch"),
            (last_only, "overwriting instead of accumulating: every output position adds its contribution "
             "to dw (dw[k] += ..., not dw[k] = ...)"),
            (lambda: expected / N, "do not divide by the batch size here: dout already carries the 1/N of the loss"),
            (lambda: reference(dout, x, w, s, 0) if p else None, "forgot the padding: the windows are taken "
             "from the zero-padded x"),
        ], {}) or ("dw[k, c, a, b] = sum over n, i, j of dout[n, k, i, j] * x_pad[n, c, i*s + a, j*s + b]; "
                   "loop over the output positions and add dout * window into dw[k]")

    return _run("check_conv2d_weight_grad", fn, _grad_case, reference=reference, compare=_compare_array,
                hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="dw")


@_checker("check_conv2d_input_grad")
def check_conv2d_input_grad(fn, *, rng, n_cases, verbose):
    """Check ``fn(dout, x, w, stride, padding) -> dx``, the gradient of a conv2d
    with respect to its input (a full convolution of dout with the rotated filter).

    dout : ndarray, shape (N, K, H_out, W_out); x : ndarray, shape (N, C, H, W);
    w : ndarray, shape (K, C, KH, KW); dx : ndarray, shape (N, C, H, W).

    Example
    -------
    >>> import cnnbook
    >>> dx = lambda dout, x, w, s, p: cnnbook.conv2d_backward(dout, x, w, s, p)[0]
    >>> bool(check_conv2d_input_grad(dx, rng=0, verbose=False))
    True
    """
    backward = _api().conv2d_backward

    def reference(dout, x, w, stride, padding):
        return backward(dout, x, w, stride, padding)[0]

    def hints(inputs, expected, got, label):
        dout, x, w, s, p = inputs.values()
        hint = _first_match(got, [
            (lambda: reference(dout, x, _rot(w), s, p), "forgot to rotate the filter: the full convolution "
             "that gives dx uses w rotated by 180° (w[..., ::-1, ::-1]); equivalently scatter "
             "dout[n, k, i, j] * w[k] back onto the window it came from"),
            (lambda: _overwrite_dx(dout, x, w, s, p, "kij"), "overwriting instead of accumulating: windows "
             "overlap, so dx_pad[..., window] += dout[n, k, i, j] * w[k] (use +=, not =)"),
            (lambda: _overwrite_dx(dout, x, w, s, p, "ijk"), "overwriting instead of accumulating: windows "
             "overlap, so dx_pad[..., window] += dout[n, k, i, j] * w[k] (use +=, not =)"),
            (lambda: reference(dout[:, -1:], x, w[-1:], s, p), "only the last output channel counts: every "
             "filter k sends gradient back to the input, sum over k"),
        ], {})
        if hint:
            return hint
        H, W = x.shape[2:]
        if np.shape(got)[2:] == (H + 2 * p, W + 2 * p) and p:
            return "dx must have the shape of x: crop the padding off (dx_pad[:, :, p:p+H, p:p+W])"
        if np.shape(got) != expected.shape:
            return _shape_hint(got, expected, inputs, "(N, C, H, W)")
        if s > 1:
            return ("with stride s, output (i, j) came from the window starting at (i*s, j*s): "
                    "add dout[n, k, i, j] * w[k] there (or insert s-1 zeros between the dout values "
                    "before the full convolution)")
        return "dx_pad[n, :, i*s:i*s+KH, j*s:j*s+KW] += dout[n, k, i, j] * w[k] for every n, k, i, j"

    return _run("check_conv2d_input_grad", fn, _grad_case, reference=reference, compare=_compare_array,
                hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="dx")


@_checker("check_conv2d_bias_grad")
def check_conv2d_bias_grad(fn, *, rng, n_cases, verbose):
    """Check ``fn(dout) -> db``: dout of shape (N, K, H_out, W_out) gives db of shape (K,).

    Example
    -------
    >>> bool(check_conv2d_bias_grad(lambda dout: dout.sum(axis=(0, 2, 3)), rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        return f"dout of shape {shape}", dict(dout=_ints(rng, -3, 3, shape))

    def hints(inputs, expected, got, label):
        d = inputs["dout"]
        return _first_match(got, [
            (lambda: d.sum(axis=(2, 3)), "also sum over the batch axis: db has shape (K,)"),
            (lambda: d.sum(axis=0).sum(axis=-1), "sum over axes (0, 2, 3), keeping the channel axis 1"),
            (lambda: d.mean(axis=(0, 2, 3)), "sum, do not average: each output value adds b[k] once"),
            (lambda: d[-1].sum(axis=(1, 2)), "sum over every image of the batch, not only the last"),
        ], {}) or "b[k] is added to every output of channel k: db[k] = dout[:, k].sum()"

    return _run("check_conv2d_bias_grad", fn, cases, reference=lambda dout: dout.sum(axis=(0, 2, 3)),
                compare=_compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="db")


# --------------------------------------------------------------------------- #
# ReLU and pooling
# --------------------------------------------------------------------------- #

@_checker("check_relu_backward")
def check_relu_backward(fn, *, rng, n_cases, verbose):
    """Check ``fn(dout, x) -> dx`` for ReLU: dx = dout where x > 0, else 0
    (the gradient at exactly 0 is taken as 0, as in PyTorch).

    Example
    -------
    >>> bool(check_relu_backward(lambda dout, x: dout * (x > 0), rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        shape = tuple(int(v) for v in rng.integers(1, 4, size=1 + i % 4))
        return f"x of shape {shape}", dict(dout=_ints(rng, -3, 3, shape), x=_ints(rng, -2, 2, shape))

    def hints(inputs, expected, got, label):
        d, x = inputs["dout"], inputs["x"]
        return _first_match(got, [
            (lambda: (x > 0).astype(float), "multiply the mask by dout: dx = dout * (x > 0)"),
            (lambda: d * (x >= 0), "at x == 0 the gradient is taken as 0: use x > 0, not x >= 0"),
            (lambda: d * (d > 0), "the mask comes from the forward input x, not from dout"),
            (lambda: np.maximum(d, 0), "the mask comes from the forward input x, not from dout"),
            (lambda: d, "ReLU blocks the gradient where x <= 0: dx = dout * (x > 0)"),
        ], {}) or "dx = dout * (x > 0)"

    return _run("check_relu_backward", fn, cases, reference=_api().relu_backward, compare=_compare_array,
                hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="dx")


def _pool_case(rng, i, *, ties=True, backward=False):
    """Pooling problems: non-overlapping then overlapping windows (stride <
    kernel_size), rectangular inputs, and from case 3 on small integers so that
    windows hold tied maxima."""
    kernel_size, stride = [(2, 2), (2, 1), (3, 2), (2, 2), (3, 1), (2, 3)][i % 6]
    n, c = (1, 1) if i < 2 else (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    h = int(rng.integers(kernel_size, kernel_size + 4))
    w = int(rng.integers(kernel_size, kernel_size + 5))
    if ties and i >= 3:
        x = _ints(rng, 0, 2, (n, c, h, w))
    else:
        x = rng.permutation(n * c * h * w).reshape(n, c, h, w).astype(float)  # (N, C, H, W), all distinct
    overlap = "overlapping" if stride < kernel_size else "non-overlapping"
    label = f"x {x.shape}, kernel_size={kernel_size}, stride={stride}, {overlap}"
    if not backward:
        return label, dict(x=x, kernel_size=kernel_size, stride=stride)
    H_out, W_out = (h - kernel_size) // stride + 1, (w - kernel_size) // stride + 1
    dout = _ints(rng, 1, 5, (n, c, H_out, W_out))
    return label, dict(dout=dout, x=x, kernel_size=kernel_size, stride=stride)


def _windows(x, kernel_size, stride):
    """Yield (n, c, i, j, window view) for every pooling window."""
    N, C, H, W = x.shape
    H_out, W_out = (H - kernel_size) // stride + 1, (W - kernel_size) // stride + 1
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    yield n, c, i, j, (n, c, slice(i * stride, i * stride + kernel_size),
                                       slice(j * stride, j * stride + kernel_size))


def _maxpool_variant(dout, x, kernel_size, stride, *, mode):
    """The max-pool backward that a common mistake computes."""
    dx = np.zeros_like(x)
    for n, c, i, j, idx in _windows(x, kernel_size, stride):
        win = x[idx]
        g = dout[n, c, i, j]
        if mode == "ties_all":
            dx[idx] += g * (win == win.max())
        elif mode == "ties_split":
            mask = win == win.max()
            dx[idx] += g * mask / mask.sum()
        elif mode == "ties_last":
            a = win.size - 1 - int(np.argmax(win.ravel()[::-1]))
            dx[idx][np.unravel_index(a, win.shape)] += g
        else:
            a, b = np.unravel_index(int(np.argmax(win)), win.shape)
            if mode == "overwrite_point":
                dx[idx][a, b] = g
            elif mode == "overwrite_window":
                mask = np.zeros_like(win)
                mask[a, b] = 1
                dx[idx] = g * mask
            elif mode == "mask_only":
                dx[idx][a, b] += 1
            elif mode == "not_routed":
                dx[idx] += g
    return dx


@_checker("check_max_pool")
def check_max_pool(fn, *, rng, n_cases, verbose):
    """Check ``fn(x, kernel_size, stride) -> out`` for max pooling (no padding):
    x : ndarray, shape (N, C, H, W); out : ndarray, shape (N, C, H_out, W_out).

    Example
    -------
    >>> import cnnbook
    >>> bool(check_max_pool(cnnbook.max_pool2d, rng=0, verbose=False))
    True
    """
    api = _api()

    def hints(inputs, expected, got, label):
        x, k, s = inputs.values()
        hint = _first_match(got, [
            (lambda: api.max_pool2d(x, k, k), "the windows move by `stride`, which may differ from kernel_size"),
            (lambda: api.avg_pool2d(x, k, s), "that is the average; max pooling keeps the largest value"),
        ], {})
        return hint or (_shape_hint(got, expected, dict(stride=s)) if np.shape(got) != expected.shape
                        else "out[n, c, i, j] = x[n, c, i*s:i*s+k, j*s:j*s+k].max()")

    return _run("check_max_pool", fn, partial(_pool_case, ties=False),
                reference=lambda x, kernel_size, stride: api.max_pool2d(x, kernel_size, stride),
                compare=_compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="output")


@_checker("check_max_pool_backward")
def check_max_pool_backward(fn, *, rng, n_cases, verbose):
    """Check ``fn(dout, x, kernel_size, stride) -> dx`` for max pooling (no padding).

    dout : ndarray, shape (N, C, H_out, W_out); x : ndarray, shape (N, C, H, W);
    dx : ndarray, shape (N, C, H, W). Each window sends its gradient to the
    position of its maximum (the first in row-major order when several tie);
    overlapping windows add up.

    Example
    -------
    >>> import cnnbook
    >>> bool(check_max_pool_backward(cnnbook.max_pool2d_backward, rng=0, verbose=False))
    True
    """
    api = _api()

    def reference(dout, x, kernel_size, stride):
        return api.max_pool2d_backward(dout, x, kernel_size, stride)

    def hints(inputs, expected, got, label):
        v = partial(_maxpool_variant, **inputs)
        hint = _first_match(got, [
            (lambda: v(mode="overwrite_point"), "overwriting instead of accumulating: overlapping windows can "
             "share their maximum, so add the gradients (dx[...] += dout[n, c, i, j])"),
            (lambda: v(mode="overwrite_window"), "overwriting instead of accumulating: `dx[window] = mask * g` "
             "erases what an earlier overlapping window wrote; use dx[window] += mask * g"),
            (lambda: v(mode="ties_all"), "a window with tied maxima sends its gradient to ALL of them; "
             "the convention (PyTorch's) is the first maximum only: np.argmax of the flattened window"),
            (lambda: v(mode="ties_split"), "a window with tied maxima splits its gradient; the convention "
             "(PyTorch's) sends all of it to the first maximum: np.argmax of the flattened window"),
            (lambda: v(mode="ties_last"), "with tied maxima, take the FIRST one in row-major order (np.argmax)"),
            (lambda: v(mode="mask_only"), "multiply the mask by dout[n, c, i, j]: the maximum receives the "
             "upstream gradient, not 1"),
            (lambda: v(mode="not_routed"), "only the maximum of each window gets the gradient, the others get 0"),
        ], {})
        if hint:
            return hint
        if np.shape(got) != expected.shape:
            return "dx has the shape of x, (N, C, H, W)"
        return "for each window: (a, b) = argmax of the window; dx[n, c, i*s + a, j*s + b] += dout[n, c, i, j]"

    return _run("check_max_pool_backward", fn, partial(_pool_case, backward=True), reference=reference,
                compare=_compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="dx")


@_checker("check_avg_pool")
def check_avg_pool(fn, *, rng, n_cases, verbose):
    """Check ``fn(x, kernel_size, stride) -> out`` for average pooling (no padding).

    Example
    -------
    >>> import cnnbook
    >>> bool(check_avg_pool(cnnbook.avg_pool2d, rng=0, verbose=False))
    True
    """
    api = _api()

    def reference(x, kernel_size, stride):
        return api.avg_pool2d(x, kernel_size, stride)

    def hints(inputs, expected, got, label):
        x, k, s = inputs.values()
        hint = _first_match(got, [
            (lambda: expected * k * k, "that is the window SUM: divide by kernel_size**2"),
            (lambda: expected * k, "divide by the number of values in the window, kernel_size**2"),
            (lambda: api.avg_pool2d(x, k, k), "the windows move by `stride`, which may differ from kernel_size"),
            (lambda: api.max_pool2d(x, k, s), "that is the maximum; average pooling takes the mean"),
        ], {})
        return hint or (_shape_hint(got, expected, dict(stride=s)) if np.shape(got) != expected.shape
                        else "out[n, c, i, j] = x[n, c, i*s:i*s+k, j*s:j*s+k].mean()")

    return _run("check_avg_pool", fn, partial(_pool_case, ties=False), reference=reference,
                compare=_compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="output")


@_checker("check_avg_pool_backward")
def check_avg_pool_backward(fn, *, rng, n_cases, verbose):
    """Check ``fn(dout, x, kernel_size, stride) -> dx`` for average pooling (no
    padding): every value of a window receives dout / kernel_size**2; overlapping
    windows add up.

    Example
    -------
    >>> import cnnbook
    >>> bool(check_avg_pool_backward(cnnbook.avg_pool2d_backward, rng=0, verbose=False))
    True
    """
    api = _api()

    def reference(dout, x, kernel_size, stride):
        return api.avg_pool2d_backward(dout, x, kernel_size, stride)

    def overwrite(dout, x, kernel_size, stride):
        dx = np.zeros_like(x)
        for n, c, i, j, idx in _windows(x, kernel_size, stride):
            dx[idx] = dout[n, c, i, j] / kernel_size**2
        return dx

    def hints(inputs, expected, got, label):
        k = inputs["kernel_size"]
        hint = _first_match(got, [
            (lambda: expected * k * k, "divide the gradient by kernel_size**2: each value counted for 1/k² "
             "of the mean"),
            (lambda: overwrite(**inputs), "overwriting instead of accumulating: overlapping windows add their "
             "gradients (dx[window] += dout[n, c, i, j] / k**2)"),
        ], {})
        return hint or ("dx has the shape of x, (N, C, H, W)" if np.shape(got) != expected.shape
                        else "dx[n, c, i*s:i*s+k, j*s:j*s+k] += dout[n, c, i, j] / k**2 for every window")

    return _run("check_avg_pool_backward", fn, partial(_pool_case, backward=True), reference=reference,
                compare=_compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="dx")


# --------------------------------------------------------------------------- #
# Loss
# --------------------------------------------------------------------------- #

def _loss_case(rng, i):
    n = 1 if i == 0 else int(rng.integers(2, 5))
    k = int(rng.integers(2, 5))
    logits = np.round(rng.normal(0, 2, size=(n, k)), 2)
    label = f"N={n}, K={k}"
    if i == 5 or (i > 5 and i % 5 == 0):
        logits = logits + 1000.0  # exp(1000) overflows: only a stable softmax survives
        label += ", large logits"
    return label, dict(logits=logits, targets=rng.integers(0, k, size=n))


def _compare_loss(expected, got):
    if got is None:
        raise _Mismatch("the output is None: did you forget the `return` statement?")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise _Mismatch(f"return a pair (loss, dlogits), got a {type(got).__name__}")
    loss, dlogits = got
    loss_arr = _as_array(loss, "loss")
    if loss_arr.size != 1:
        raise _Mismatch(f"loss should be one number (the mean over the batch), got shape {loss_arr.shape}")
    if not np.isfinite(loss_arr).all():
        raise _Mismatch(f"loss is {float(loss_arr.ravel()[0])}")
    if not np.isclose(float(loss_arr.ravel()[0]), expected[0], rtol=1e-6, atol=1e-9):
        raise _Mismatch(f"loss is {float(loss_arr.ravel()[0]):.6g}, expected {expected[0]:.6g}")
    _compare_array(expected[1], dlogits, "dlogits")


@_checker("check_softmax_cross_entropy")
def check_softmax_cross_entropy(fn, *, rng, n_cases, verbose):
    """Check ``fn(logits, targets) -> (loss, dlogits)``, softmax cross-entropy
    averaged over the batch.

    logits : ndarray, shape (N, K); targets : ndarray of int, shape (N,);
    loss : float; dlogits : ndarray, shape (N, K).

    Example
    -------
    >>> import cnnbook
    >>> check_softmax_cross_entropy(cnnbook.softmax_cross_entropy, rng=0)
    ✓ check_softmax_cross_entropy: 25 random cases passed
    CheckResult(name='check_softmax_cross_entropy', passed=True, n_cases=25)
    """
    api = _api()

    def reference(logits, targets):
        loss, dlogits = api.softmax_cross_entropy(logits, targets)
        return float(loss), dlogits

    def hints(inputs, expected, got, label):
        logits, targets = inputs["logits"], inputs["targets"]
        N = logits.shape[0]
        loss, dlogits = expected
        if isinstance(got, (tuple, list)) and len(got) == 2:
            g_loss, g_d = got
            if _same(g_loss, dlogits) and _same(g_d, loss):
                return "return (loss, dlogits) in that order"
            if np.size(g_loss) == N and _same(np.mean(g_loss), loss):
                return "average the per-example losses: loss = mean over the batch"
            try:
                g_loss = float(np.asarray(g_loss, dtype=float).ravel()[0])
            except (TypeError, ValueError, IndexError):
                return ""
            if not np.isfinite(g_loss) or not np.all(np.isfinite(np.asarray(g_d, dtype=float))):
                return ("exp overflowed: subtract each row's max logit before exponentiating "
                        "(softmax is unchanged by the shift)")
            if N > 1 and np.isclose(g_loss, N * loss):
                return "loss not averaged over the batch: you returned the sum; divide by N"
            if np.isclose(g_loss, loss):
                onehot = np.eye(logits.shape[1])[targets]  # (N, K)
                p = api.softmax(logits, axis=1)
                return _first_match(g_d, [
                    (lambda: dlogits * N, "dlogits not averaged over the batch: divide (p - onehot) by N"),
                    (lambda: p / N, "subtract the one-hot targets: dlogits = (p - onehot) / N"),
                    (lambda: (onehot - p) / N, "sign: dlogits = (p - onehot) / N"),
                ], {}) or "dlogits = (softmax(logits) - onehot(targets)) / N"
            return "loss = mean over n of -log softmax(logits[n])[targets[n]]; use the log of the softmax"
        return ""

    return _run("check_softmax_cross_entropy", fn, _loss_case, reference=reference, compare=_compare_loss,
                hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="(loss, dlogits)")
