"""Checkers for convolution and its gradients."""

import numpy as np

from ._core import DEFAULT_CASES, cnnbook_api, compare_array, first_match, ints, run, shape_hint


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
    h = int(rng.integers(kh + (i < 4), 6)) + (i > 0) * int(rng.integers(0, 2))  # first cases: >= 2 outputs
    w = int(rng.integers(kw + (i < 4), 7))
    x = ints(rng, -3, 3, (n, c, h, w))
    wt = ints(rng, -2, 2, (k, c, kh, kw))
    if kh * kw > 1 and np.array_equal(wt, wt[..., ::-1, ::-1]):
        wt[0, 0, 0, 0] += 1  # a symmetric kernel would hide a flipped one
    return (f"x {x.shape}, w {wt.shape}, stride={stride}, padding={padding}",
            dict(x=x, w=wt, b=ints(rng, -2, 2, (k,)), stride=stride, padding=padding))


def _rot(w):
    return w[..., ::-1, ::-1]


def check_conv2d(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
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
    conv2d = cnnbook_api().conv2d

    def hints(inputs, expected, got, label):
        x, w, b, s, p = inputs.values()
        hint = first_match(got, [
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
            return shape_hint(got, expected, inputs)
        return ("for each (n, k, i, j): out = sum over c, a, b of x_pad[n, c, i*s + a, j*s + b] * w[k, c, a, b], "
                "plus b[k]; check the sum runs over every input channel")

    return run("check_conv2d", fn, _conv_case, reference=conv2d, compare=compare_array, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="output")


def _grad_case(rng, i):
    label, inputs = _conv_case(rng, i)
    out = cnnbook_api().conv2d(inputs["x"], inputs["w"], inputs["b"], inputs["stride"], inputs["padding"])
    dout = ints(rng, -2, 2, out.shape)
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


def check_conv2d_weight_grad(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
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
    backward = cnnbook_api().conv2d_backward

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

        return first_match(got, [
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

    return run("check_conv2d_weight_grad", fn, _grad_case, reference=reference, compare=compare_array,
                hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="dw")


def check_conv2d_input_grad(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
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
    backward = cnnbook_api().conv2d_backward

    def reference(dout, x, w, stride, padding):
        return backward(dout, x, w, stride, padding)[0]

    def hints(inputs, expected, got, label):
        dout, x, w, s, p = inputs.values()
        hint = first_match(got, [
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
            return shape_hint(got, expected, inputs, "(N, C, H, W)")
        if s > 1:
            return ("with stride s, output (i, j) came from the window starting at (i*s, j*s): "
                    "add dout[n, k, i, j] * w[k] there (or insert s-1 zeros between the dout values "
                    "before the full convolution)")
        return "dx_pad[n, :, i*s:i*s+KH, j*s:j*s+KW] += dout[n, k, i, j] * w[k] for every n, k, i, j"

    return run("check_conv2d_input_grad", fn, _grad_case, reference=reference, compare=compare_array,
                hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="dx")


def check_conv2d_bias_grad(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(dout) -> db``: dout of shape (N, K, H_out, W_out) gives db of shape (K,).

    Example
    -------
    >>> bool(check_conv2d_bias_grad(lambda dout: dout.sum(axis=(0, 2, 3)), rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        return f"dout of shape {shape}", dict(dout=ints(rng, -3, 3, shape))

    def hints(inputs, expected, got, label):
        d = inputs["dout"]
        return first_match(got, [
            (lambda: d.sum(axis=(2, 3)), "also sum over the batch axis: db has shape (K,)"),
            (lambda: d.sum(axis=0).sum(axis=-1), "sum over axes (0, 2, 3), keeping the channel axis 1"),
            (lambda: d.mean(axis=(0, 2, 3)), "sum, do not average: each output value adds b[k] once"),
            (lambda: d[-1].sum(axis=(1, 2)), "sum over every image of the batch, not only the last"),
        ], {}) or "b[k] is added to every output of channel k: db[k] = dout[:, k].sum()"

    return run("check_conv2d_bias_grad", fn, cases, reference=lambda dout: dout.sum(axis=(0, 2, 3)),
                compare=compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="db")
