"""Shared machinery of the checkers: the result object, the case loop and the report."""

import re
from dataclasses import dataclass, field

import numpy as np

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

    Notes
    -----
    As the value of a notebook cell the result displays nothing, since the
    checker has already printed its report; ``print(result.message)`` shows
    it again.
    """

    name: str
    passed: bool
    message: str
    n_cases: int = 0
    case: dict | None = None
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


class Mismatch(Exception):
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


def as_array(got, what="the output"):
    if got is None:
        raise Mismatch(f"{what} is None: did you forget the `return` statement?")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError) as err:
        raise Mismatch(f"{what} is a {type(got).__name__}, not an array of numbers ({err})") from None
    return arr


def same(a, b):
    """True if candidate ``a`` and answer ``b`` agree (shape and values)."""
    try:
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-8)


def compare_array(expected, got, what="the output"):
    arr = as_array(got, what)
    expected = np.asarray(expected, dtype=float)
    if arr.shape != expected.shape:
        raise Mismatch(f"{what} has shape {arr.shape}, expected shape {expected.shape}")
    if not np.all(np.isfinite(arr)):
        raise Mismatch(f"{what} contains nan or inf")
    if not np.allclose(arr, expected, rtol=1e-6, atol=1e-8):
        wrong = ~np.isclose(arr, expected, rtol=1e-6, atol=1e-8)
        raise Mismatch(f"{what} has the right shape but {int(wrong.sum())} of {wrong.size} values differ")


def compare_int(expected, got, what="the output"):
    if got is None:
        raise Mismatch(f"{what} is None: did you forget the `return` statement?")
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer, float, np.floating)):
        raise Mismatch(f"{what} is a {type(got).__name__}, expected an int")
    if isinstance(got, (float, np.floating)):
        if got == expected:
            raise Mismatch(f"{what} is the float {got!r}: return an int (use // for floor division)")
        raise Mismatch(f"{what} is {got!r}, expected {expected!r}")
    if int(got) != expected:
        raise Mismatch(f"{what} is {got!r}, expected {expected!r}")


def run(name, fn, cases, *, reference, compare, hints, rng, n_cases, verbose, what):
    """Run ``fn`` on the cases and build the report.

    cases(rng, i) -> (label, inputs dict); reference(**inputs) -> expected;
    compare(expected, got) raises Mismatch; hints(inputs, expected, got, label)
    -> str.
    """
    if isinstance(n_cases, bool) or not isinstance(n_cases, (int, np.integer)) or n_cases < 1:
        raise ValueError(f"n_cases must be a positive int, got n_cases={n_cases!r}")
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
            with np.errstate(all="ignore"):  # an overflow shows up in the report, not as a warning
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
            except Mismatch as err:
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


def first_match(got, candidates, inputs):
    """Return the hint of the first candidate mistake whose output equals ``got``."""
    for make, hint in candidates:
        try:
            candidate = make(**inputs)
        except Exception:  # noqa: BLE001 - a candidate that cannot be built does not match
            continue
        if same(candidate, got):
            return hint
    return None


def ints(rng, low, high, size):
    """Integer-valued float array: exact sums, and short to print."""
    return rng.integers(low, high + 1, size=size).astype(float)


def cnnbook_api():
    import cnnbook  # imported late so that this module loads on its own

    return cnnbook


def shape_hint(got, expected, inputs, out_axes="(N, K, H_out, W_out)"):
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
