"""Checkers for ReLU and pooling, forward and backward."""

from functools import partial

import numpy as np

from ._core import DEFAULT_CASES, cnnbook_api, compare_array, first_match, ints, run, shape_hint


def check_relu_backward(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(dout, x) -> dx`` for ReLU: dx = dout where x > 0, else 0
    (the gradient at exactly 0 is taken as 0, as in PyTorch).

    Example
    -------
    >>> bool(check_relu_backward(lambda dout, x: dout * (x > 0), rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        shape = tuple(int(v) for v in rng.integers(1, 4, size=1 + i % 4))
        return f"x of shape {shape}", dict(dout=ints(rng, -3, 3, shape), x=ints(rng, -2, 2, shape))

    def hints(inputs, expected, got, label):
        d, x = inputs["dout"], inputs["x"]
        return first_match(got, [
            (lambda: (x > 0).astype(float), "multiply the mask by dout: dx = dout * (x > 0)"),
            (lambda: d * (x >= 0), "at x == 0 the gradient is taken as 0: use x > 0, not x >= 0"),
            (lambda: d * (d > 0), "the mask comes from the forward input x, not from dout"),
            (lambda: np.maximum(d, 0), "the mask comes from the forward input x, not from dout"),
            (lambda: d, "ReLU blocks the gradient where x <= 0: dx = dout * (x > 0)"),
        ], {}) or "dx = dout * (x > 0)"

    return run("check_relu_backward", fn, cases, reference=cnnbook_api().relu_backward, compare=compare_array,
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
        x = ints(rng, 0, 2, (n, c, h, w))
    else:
        x = rng.permutation(n * c * h * w).reshape(n, c, h, w).astype(float)  # (N, C, H, W), all distinct
    overlap = "overlapping" if stride < kernel_size else "non-overlapping"
    label = f"x {x.shape}, kernel_size={kernel_size}, stride={stride}, {overlap}"
    if not backward:
        return label, dict(x=x, kernel_size=kernel_size, stride=stride)
    H_out, W_out = (h - kernel_size) // stride + 1, (w - kernel_size) // stride + 1
    dout = ints(rng, 1, 5, (n, c, H_out, W_out))
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


def check_max_pool(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(x, kernel_size, stride) -> out`` for max pooling (no padding):
    x : ndarray, shape (N, C, H, W); out : ndarray, shape (N, C, H_out, W_out).

    Example
    -------
    >>> import cnnbook
    >>> bool(check_max_pool(cnnbook.max_pool2d, rng=0, verbose=False))
    True
    """
    api = cnnbook_api()

    def hints(inputs, expected, got, label):
        x, k, s = inputs.values()
        hint = first_match(got, [
            (lambda: api.max_pool2d(x, k, k), "the windows move by `stride`, which may differ from kernel_size"),
            (lambda: api.avg_pool2d(x, k, s), "that is the average; max pooling keeps the largest value"),
        ], {})
        return hint or (shape_hint(got, expected, dict(stride=s)) if np.shape(got) != expected.shape
                        else "out[n, c, i, j] = x[n, c, i*s:i*s+k, j*s:j*s+k].max()")

    return run("check_max_pool", fn, partial(_pool_case, ties=False),
                reference=lambda x, kernel_size, stride: api.max_pool2d(x, kernel_size, stride),
                compare=compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="output")


def check_max_pool_backward(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
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
    api = cnnbook_api()

    def reference(dout, x, kernel_size, stride):
        return api.max_pool2d_backward(dout, x, kernel_size, stride)

    def hints(inputs, expected, got, label):
        v = partial(_maxpool_variant, **inputs)
        hint = first_match(got, [
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

    return run("check_max_pool_backward", fn, partial(_pool_case, backward=True), reference=reference,
                compare=compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="dx")


def check_avg_pool(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(x, kernel_size, stride) -> out`` for average pooling (no padding).

    Example
    -------
    >>> import cnnbook
    >>> bool(check_avg_pool(cnnbook.avg_pool2d, rng=0, verbose=False))
    True
    """
    api = cnnbook_api()

    def reference(x, kernel_size, stride):
        return api.avg_pool2d(x, kernel_size, stride)

    def hints(inputs, expected, got, label):
        x, k, s = inputs.values()
        hint = first_match(got, [
            (lambda: expected * k * k, "that is the window SUM: divide by kernel_size**2"),
            (lambda: expected * k, "divide by the number of values in the window, kernel_size**2"),
            (lambda: api.avg_pool2d(x, k, k), "the windows move by `stride`, which may differ from kernel_size"),
            (lambda: api.max_pool2d(x, k, s), "that is the maximum; average pooling takes the mean"),
        ], {})
        return hint or (shape_hint(got, expected, dict(stride=s)) if np.shape(got) != expected.shape
                        else "out[n, c, i, j] = x[n, c, i*s:i*s+k, j*s:j*s+k].mean()")

    return run("check_avg_pool", fn, partial(_pool_case, ties=False), reference=reference,
                compare=compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="output")


def check_avg_pool_backward(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(dout, x, kernel_size, stride) -> dx`` for average pooling (no
    padding): every value of a window receives dout / kernel_size**2; overlapping
    windows add up.

    Example
    -------
    >>> import cnnbook
    >>> bool(check_avg_pool_backward(cnnbook.avg_pool2d_backward, rng=0, verbose=False))
    True
    """
    api = cnnbook_api()

    def reference(dout, x, kernel_size, stride):
        return api.avg_pool2d_backward(dout, x, kernel_size, stride)

    def overwrite(dout, x, kernel_size, stride):
        dx = np.zeros_like(x)
        for n, c, i, j, idx in _windows(x, kernel_size, stride):
            dx[idx] = dout[n, c, i, j] / kernel_size**2
        return dx

    def hints(inputs, expected, got, label):
        k = inputs["kernel_size"]
        hint = first_match(got, [
            (lambda: expected * k * k, "divide the gradient by kernel_size**2: each value counted for 1/k² "
             "of the mean"),
            (lambda: overwrite(**inputs), "overwriting instead of accumulating: overlapping windows add their "
             "gradients (dx[window] += dout[n, c, i, j] / k**2)"),
        ], {})
        return hint or ("dx has the shape of x, (N, C, H, W)" if np.shape(got) != expected.shape
                        else "dx[n, c, i*s:i*s+k, j*s:j*s+k] += dout[n, c, i, j] / k**2 for every window")

    return run("check_avg_pool_backward", fn, partial(_pool_case, backward=True), reference=reference,
                compare=compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="dx")
