"""The exercise checkers accept correct solutions and reject the classic mistakes.

Each mistake is written the way a reader would write it (plain loops), so the
tests also show that a checker's hint names the mistake that was made.
"""

import numpy as np
import pytest

import cnnbook
from cnnbook import exercises as ex

SEEDS = [0, 1, 2, 3]


# --------------------------------------------------------------------------- #
# Reader-style solutions (loops, as a reader would write them) and mistakes
# --------------------------------------------------------------------------- #

def size_ok(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def size_off_by_one(n, k, s, p):
    return (n + 2 * p - k) // s


def size_no_padding(n, k, s, p):
    return (n - k) // s + 1


def size_strict_ok(n, k, s, p):
    if (n + 2 * p - k) % s:
        raise ValueError(f"({n} + 2*{p} - {k})/{s} + 1 is not an integer")
    return (n + 2 * p - k) // s + 1


def conv_loops(x, w, b, stride, padding, *, flip=False, pad=True):
    N, C, H, W = x.shape
    K, _, KH, KW = w.shape
    p = padding if pad else 0
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    if flip:
        w = w[:, :, ::-1, ::-1]
    H_out = (H + 2 * p - KH) // stride + 1
    W_out = (W + 2 * p - KW) // stride + 1
    out = np.zeros((N, K, H_out, W_out))
    for n in range(N):
        for k in range(K):
            for i in range(H_out):
                for j in range(W_out):
                    win = xp[n, :, i * stride:i * stride + KH, j * stride:j * stride + KW]  # (C, KH, KW)
                    out[n, k, i, j] = np.sum(win * w[k]) + b[k]
    return out


def conv_true_convolution(x, w, b, stride, padding):
    return conv_loops(x, w, b, stride, padding, flip=True)


def conv_no_padding(x, w, b, stride, padding):
    return conv_loops(x, w, b, stride, padding, pad=False)


def conv_backward_loops(dout, x, w, stride, padding, *, rotate=True, accumulate=True):
    N, C, H, W = x.shape
    K, _, KH, KW = w.shape
    _, _, H_out, W_out = dout.shape
    p = padding
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    # The scatter form uses w as is; "forgetting to rotate" in the full-convolution
    # form is the same as scattering the rotated filter.
    wb = w if rotate else w[:, :, ::-1, ::-1]
    for n in range(N):
        for k in range(K):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    dw[k] += dout[n, k, i, j] * xp[n, :, hs:hs + KH, ws:ws + KW]
                    if accumulate:
                        dxp[n, :, hs:hs + KH, ws:ws + KW] += dout[n, k, i, j] * wb[k]
                    else:
                        dxp[n, :, hs:hs + KH, ws:ws + KW] = dout[n, k, i, j] * wb[k]
    return dxp[:, :, p:p + H, p:p + W], dw


def dx_full_convolution(dout, x, w, stride, padding, *, rotate=True):
    """dx as the full convolution of (zero-inserted) dout with the rotated filter."""
    N, C, H, W = x.shape
    K, _, KH, KW = w.shape
    _, _, H_out, W_out = dout.shape
    # insert stride-1 zeros between dout values, then pad KH-1 / KW-1 on each side
    d = np.zeros((N, K, (H_out - 1) * stride + 1, (W_out - 1) * stride + 1))
    d[:, :, ::stride, ::stride] = dout
    d = np.pad(d, ((0, 0), (0, 0), (KH - 1, KH - 1), (KW - 1, KW - 1)))
    wr = w[:, :, ::-1, ::-1] if rotate else w
    Hp, Wp = H + 2 * padding, W + 2 * padding
    dxp = np.zeros((N, C, Hp, Wp))
    for n in range(N):
        for c in range(C):
            for i in range(min(Hp, d.shape[2] - KH + 1)):
                for j in range(min(Wp, d.shape[3] - KW + 1)):
                    dxp[n, c, i, j] = np.sum(d[n, :, i:i + KH, j:j + KW] * wr[:, c])
    return dxp[:, :, padding:padding + H, padding:padding + W]


def maxpool_backward_loops(dout, x, k, s, *, accumulate=True):
    N, C, H, W = x.shape
    _, _, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    win = x[n, c, i * s:i * s + k, j * s:j * s + k]
                    a, b = np.unravel_index(np.argmax(win), win.shape)
                    if accumulate:
                        dx[n, c, i * s + a, j * s + b] += dout[n, c, i, j]
                    else:
                        dx[n, c, i * s + a, j * s + b] = dout[n, c, i, j]
    return dx


def softmax_ce(logits, targets, *, average=True):
    N = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)  # (N, K)
    loss = -np.log(p[np.arange(N), targets]).sum()
    dlogits = p.copy()
    dlogits[np.arange(N), targets] -= 1
    if average:
        return loss / N, dlogits / N
    return loss, dlogits


def stub(*args):
    """A function still to be written."""
    raise NotImplementedError("Exercise: write this function")


# --------------------------------------------------------------------------- #
# Every checker: correct solutions pass, stubs and wrong types fail cleanly
# --------------------------------------------------------------------------- #

B = cnnbook.conv2d_backward
CORRECT = {
    "check_output_size": [size_ok, cnnbook.conv_output_size],
    "check_output_size_strict": [size_strict_ok],
    "check_param_count": [lambda c, k, f: f * f * c * k + k],
    "check_fc_param_count": [lambda i, o: i * o + o],
    "check_receptive_field": [lambda ks, ss: cnnbook.receptive_field(ks, ss)[-1][0]],
    "check_pixel_to_vector": [lambda img: img.reshape(-1), lambda img: img.flatten()],
    "check_flatten": [lambda x: x.reshape(x.shape[0], -1)],
    "check_batch_numel": [lambda n, c, h, w: n * c * h * w, lambda *dims: int(np.prod(dims))],
    "check_to_nchw": [lambda im: im.transpose(0, 3, 1, 2) / 255,
                      lambda im: np.moveaxis(im.astype(np.float32), -1, 1) / 255.0],
    "check_conv2d": [conv_loops, cnnbook.conv2d, cnnbook.conv2d_naive],
    "check_conv2d_weight_grad": [lambda d, x, w, s, p: conv_backward_loops(d, x, w, s, p)[1],
                                 lambda d, x, w, s, p: B(d, x, w, s, p)[1]],
    "check_conv2d_input_grad": [lambda d, x, w, s, p: conv_backward_loops(d, x, w, s, p)[0],
                                dx_full_convolution, lambda d, x, w, s, p: B(d, x, w, s, p)[0]],
    "check_conv2d_bias_grad": [lambda d: d.sum(axis=(0, 2, 3))],
    "check_relu_backward": [cnnbook.relu_backward, lambda d, x: np.where(x > 0, d, 0.0)],
    "check_max_pool": [cnnbook.max_pool2d, cnnbook.max_pool2d_naive],
    "check_max_pool_backward": [maxpool_backward_loops, cnnbook.max_pool2d_backward,
                                cnnbook.max_pool2d_backward_naive],
    "check_avg_pool": [cnnbook.avg_pool2d],
    "check_avg_pool_backward": [cnnbook.avg_pool2d_backward],
    "check_softmax_cross_entropy": [softmax_ce, cnnbook.softmax_cross_entropy],
    "check_conv_transpose_output_size": [cnnbook.conv_transpose_output_size,
                                         lambda n, k, s, p, op: (n - 1) * s - 2 * p + k + op],
    "check_sgd_momentum_step": [lambda p, g, v, lr, mu: (p - lr * (mu * v + g), mu * v + g)],
}


def test_every_checker_is_covered():
    # The deeper-networks checkers (chapter 11) have their own file, test_exercises_deeper.py.
    from cnnbook.exercises import deeper
    elsewhere = {n for n in dir(deeper) if n.startswith("check_")}
    assert elsewhere and elsewhere <= set(ex.__all__)
    assert sorted(CORRECT) == sorted(n for n in ex.__all__ if n.startswith("check_") and n not in elsewhere)


@pytest.mark.parametrize("name", sorted(CORRECT))
@pytest.mark.parametrize("seed", SEEDS)
def test_checker_accepts_correct_solutions(name, seed, capsys):
    checker = getattr(ex, name)
    for fn in CORRECT[name]:
        result = checker(fn, rng=seed)
        assert result, result.message
        assert result.passed and result.n_cases == ex.DEFAULT_CASES
    out = capsys.readouterr().out
    assert out.splitlines() == [f"✓ {name}: {ex.DEFAULT_CASES} random cases passed"] * len(CORRECT[name])


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_stub_fails_cleanly(name, capsys):
    result = getattr(ex, name)(stub, rng=0)
    assert not result
    assert result.n_cases == 1
    assert "NotImplementedError" in result.message and "stub" in result.hint
    out = capsys.readouterr().out
    assert out.startswith(f"✗ {name}: case 1 of") and "Inputs:" in out and "Expected" in out


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_wrong_return_values_fail_cleanly(name):
    checker = getattr(ex, name)
    for bad in (lambda *a: None, lambda *a: "text", lambda *a: 1 / 0):
        result = checker(bad, rng=0, verbose=False)
        assert not result
    assert "return" in checker(lambda *a: None, rng=0, verbose=False).message
    assert not checker(42, verbose=False)


def test_pass_message_has_no_random_numbers(capsys):
    for seed in (None, 5, 6):
        ex.check_conv2d(cnnbook.conv2d, rng=seed)
    lines = capsys.readouterr().out.splitlines()
    assert len(set(lines)) == 1


def test_fresh_cases_each_run():
    seen = set()
    for _ in range(5):
        result = ex.check_conv2d(stub, verbose=False)
        seen.add(result.case["x"].tobytes())
    assert len(seen) > 1


def test_seeded_runs_repeat():
    a = ex.check_conv2d(conv_true_convolution, rng=3, verbose=False)
    b = ex.check_conv2d(conv_true_convolution, rng=3, verbose=False)
    assert a.message == b.message


def test_result_is_falsy_on_failure_and_has_case():
    result = ex.check_output_size(size_off_by_one, rng=0, verbose=False)
    assert not result and result.case is not None and result.expected != result.got
    assert set(result.case) == {"n", "kernel_size", "stride", "padding"}
    assert "passed=False" in repr(result)


# --------------------------------------------------------------------------- #
# The classic mistakes, each rejected with a hint that names it
# --------------------------------------------------------------------------- #

def _rejects(checker, fn, *hint_words, seeds=SEEDS):
    for seed in seeds:
        result = checker(fn, rng=seed, verbose=False)
        assert not result, f"{checker.__name__} accepted {fn} with rng={seed}"
        for word in hint_words:
            assert word in result.hint, (word, result.message)
        assert "Expected" in result.message and "Got" in result.message


def test_output_size_off_by_one():
    _rejects(ex.check_output_size, size_off_by_one, "off by one")


def test_output_size_forgot_padding():
    _rejects(ex.check_output_size, size_no_padding, "forgot the padding")


def test_output_size_ceil_and_float():
    _rejects(ex.check_output_size, lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1, "floor")
    result = ex.check_output_size(lambda n, k, s, p: (n + 2 * p - k) / s + 1, rng=0, verbose=False)
    assert not result


def test_output_size_true_division_is_named_not_called_rounding_up():
    def true_division(n, k, s, p):
        return (n + 2 * p - k) / s + 1

    def true_division_when_inexact(n, k, s, p):  # right whenever the stride divides exactly
        return (n + 2 * p - k) // s + 1 if (n + 2 * p - k) % s == 0 else (n + 2 * p - k) / s + 1

    for checker in (ex.check_output_size, ex.check_output_size_strict):
        _rejects(checker, true_division, "true division", "float", "//")
        for seed in SEEDS:
            assert "rounded up" not in checker(true_division, rng=seed, verbose=False).hint
    _rejects(ex.check_output_size, true_division_when_inexact, "true division", "non-integer", "//")
    for seed in SEEDS:
        result = ex.check_output_size(true_division_when_inexact, rng=seed, verbose=False)
        assert not float(result.got).is_integer() and repr(result.got) in result.hint


def test_output_size_strict_rejects_silent_floor():
    _rejects(ex.check_output_size_strict, size_ok, "ValueError")

    def always_raises(n, k, s, p):
        raise ValueError("not integral")

    _rejects(ex.check_output_size_strict, always_raises, "only raise")


def test_conv2d_true_convolution():
    _rejects(ex.check_conv2d, conv_true_convolution, "TRUE convolution")


def test_conv2d_forgot_padding():
    _rejects(ex.check_conv2d, conv_no_padding, "forgot the padding")


def test_conv2d_forgot_bias_and_off_by_one():
    _rejects(ex.check_conv2d, lambda x, w, b, s, p: conv_loops(x, w, 0 * b, s, p), "bias")

    def off_by_one(x, w, b, s, p):
        return conv_loops(x, w, b, s, p)[:, :, :-1, :]

    _rejects(ex.check_conv2d, off_by_one, "off by one")


def test_input_grad_forgot_to_rotate():
    _rejects(ex.check_conv2d_input_grad, lambda d, x, w, s, p: dx_full_convolution(d, x, w, s, p, rotate=False),
             "forgot to rotate")
    _rejects(ex.check_conv2d_input_grad,
             lambda d, x, w, s, p: conv_backward_loops(d, x, w, s, p, rotate=False)[0], "forgot to rotate")


def test_input_grad_overwrites_instead_of_accumulating():
    _rejects(ex.check_conv2d_input_grad,
             lambda d, x, w, s, p: conv_backward_loops(d, x, w, s, p, accumulate=False)[0], "accumulating")


def test_weight_grad_mistakes():
    def dw(d, x, w, s, p):
        return conv_backward_loops(d, x, w, s, p)[1]

    _rejects(ex.check_conv2d_weight_grad, lambda d, x, w, s, p: dw(d, x, w, s, p)[:, :, ::-1, ::-1], "rotated")
    _rejects(ex.check_conv2d_weight_grad, lambda d, x, w, s, p: dw(d, x, w, s, p) / x.shape[0], "batch size")
    _rejects(ex.check_conv2d_weight_grad, lambda d, x, w, s, p: dw(d[-1:], x[-1:], w, s, p), "last image")


def test_max_pool_backward_overwrites_instead_of_accumulating():
    _rejects(ex.check_max_pool_backward, lambda d, x, k, s: maxpool_backward_loops(d, x, k, s, accumulate=False),
             "accumulating")


def test_max_pool_backward_ties_to_all_maxima():
    def all_ties(dout, x, k, s):
        dx = np.zeros_like(x)
        N, C, H_out, W_out = dout.shape
        for n in range(N):
            for c in range(C):
                for i in range(H_out):
                    for j in range(W_out):
                        win = x[n, c, i * s:i * s + k, j * s:j * s + k]
                        dx[n, c, i * s:i * s + k, j * s:j * s + k] += (win == win.max()) * dout[n, c, i, j]
        return dx

    _rejects(ex.check_max_pool_backward, all_ties, "tied maxima")


def test_loss_not_averaged_over_batch():
    _rejects(ex.check_softmax_cross_entropy, lambda l, t: softmax_ce(l, t, average=False), "not averaged")


def test_loss_gradient_not_averaged():
    def half(logits, targets):
        loss, d = softmax_ce(logits, targets)
        return loss, d * logits.shape[0]

    _rejects(ex.check_softmax_cross_entropy, half, "dlogits not averaged")


def test_loss_unstable_softmax():
    def unstable(logits, targets):
        N = logits.shape[0]
        with np.errstate(all="ignore"):
            p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # (N, K)
            loss = -np.log(p[np.arange(N), targets]).mean()
        d = p.copy()
        d[np.arange(N), targets] -= 1
        return loss, d / N

    _rejects(ex.check_softmax_cross_entropy, unstable, "max logit")


def test_relu_backward_mistakes():
    _rejects(ex.check_relu_backward, lambda d, x: d * (x >= 0), "x == 0")
    _rejects(ex.check_relu_backward, lambda d, x: (x > 0).astype(float), "multiply the mask")


def test_relu_backward_in_place_is_reported():
    def in_place(dout, x):
        dout[x <= 0] = 0
        return dout

    result = ex.check_relu_backward(in_place, rng=0, verbose=False)
    assert not result and "in place" in result.message


def test_param_count_forgot_bias():
    _rejects(ex.check_param_count, lambda c, k, f: f * f * c * k, "biases")


def test_avg_pool_backward_mistakes():
    def no_divide(dout, x, k, s):
        return cnnbook.avg_pool2d_backward(dout, x, k, s) * k * k

    _rejects(ex.check_avg_pool_backward, no_divide, "kernel_size**2")


def test_receptive_field_ignores_strides():
    _rejects(ex.check_receptive_field, lambda ks, ss: 1 + sum(k - 1 for k in ks), "jump")


def test_pixel_to_vector_column_major():
    _rejects(ex.check_pixel_to_vector, lambda img: img.reshape(-1, order="F"), "column by column")


def test_batch_numel_forgot_batch():
    _rejects(ex.check_batch_numel, lambda n, c, h, w: c * h * w, "batch size")


def test_to_nchw_mistakes():
    _rejects(ex.check_to_nchw, lambda im: im.transpose(0, 3, 1, 2), "uint8")
    _rejects(ex.check_to_nchw, lambda im: im.transpose(0, 3, 1, 2).astype(float), "255")
    _rejects(ex.check_to_nchw, lambda im: im.reshape(im.shape[0], 3, *im.shape[1:3]) / 255, "transpose")
    _rejects(ex.check_to_nchw, lambda im: im.transpose(0, 3, 2, 1) / 255, "swapped")


def test_conv_transpose_output_size_mistakes():
    _rejects(ex.check_conv_transpose_output_size, lambda n, k, s, p, op: (n + 2 * p - k) // s + 1, "forward")
    _rejects(ex.check_conv_transpose_output_size, lambda n, k, s, p, op: (n - 1) * s - 2 * p + k, "output_padding")
    _rejects(ex.check_conv_transpose_output_size, lambda n, k, s, p, op: (n - 1) * s + 2 * p + k + op, "-2*padding")


def test_sgd_momentum_mistakes():
    def old_velocity(p, g, v, lr, mu):
        return p - lr * v, mu * v + g

    def lr_inside(p, g, v, lr, mu):
        v = mu * v - lr * g
        return p + v, v

    def in_place(p, g, v, lr, mu):
        v *= mu
        v += g
        p -= lr * v
        return p, v

    _rejects(ex.check_sgd_momentum_step, old_velocity, "NEW velocity")
    _rejects(ex.check_sgd_momentum_step, lr_inside, "other convention")
    _rejects(ex.check_sgd_momentum_step, lambda p, g, v, lr, mu: (p - lr * g, g), "momentum ignored")
    _rejects(ex.check_sgd_momentum_step, lambda p, g, v, lr, mu: (p - lr * (mu * v + g), lr * (mu * v + g)),
             "not the step")
    result = ex.check_sgd_momentum_step(in_place, rng=0, verbose=False)
    assert not result and "in place" in result.message


def test_bad_checker_arguments_raise():
    # a wrong n_cases is the caller's mistake, not the student's: it raises
    with pytest.raises(ValueError, match="n_cases"):
        ex.check_conv2d(cnnbook.conv2d, n_cases=0)
    with pytest.raises(ValueError, match="n_cases"):
        ex.check_conv2d(cnnbook.conv2d, n_cases=True)
