"""The deeper-networks checkers accept correct solutions and reject the classic mistakes.

Organised like tests/test_exercises.py: reader-style solutions and mistakes
first (plain numpy, as a reader would write them), then one test per mistake
checking that the hint names it.
"""

import numpy as np
import pytest

import cnnbook
from cnnbook import exercises as ex

SEEDS = [0, 1]
AXES = (0, 2, 3)
S = (slice(None), None, None)  # a (C,) array against (N, C, H, W)


# --------------------------------------------------------------------------- #
# Reader-style solutions and mistakes
# --------------------------------------------------------------------------- #

def bn_backward_staged(dout, x, gamma, eps):
    M = x.shape[0] * x.shape[2] * x.shape[3]
    mu = x.mean(axis=AXES, keepdims=True)
    xmu = x - mu
    var = (xmu ** 2).mean(axis=AXES, keepdims=True)
    xhat = xmu / np.sqrt(var + eps)
    dxhat = dout * gamma[S]
    dvar = (dxhat * xmu).sum(axis=AXES, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = -dxhat.sum(axis=AXES, keepdims=True) / np.sqrt(var + eps) + dvar * (-2 * xmu).mean(axis=AXES, keepdims=True)
    dx = dxhat / np.sqrt(var + eps) + dvar * 2 * xmu / M + dmu / M
    return dx, (dout * xhat).sum(axis=AXES), dout.sum(axis=AXES)


def bn_backward_direct_only(dout, x, gamma, eps):
    _, dgamma, dbeta = bn_backward_staged(dout, x, gamma, eps)
    return gamma[S] / np.sqrt(x.var(axis=AXES) + eps)[S] * dout, dgamma, dbeta


def bn_backward_mean_only(dout, x, gamma, eps):
    _, dgamma, dbeta = bn_backward_staged(dout, x, gamma, eps)
    centred = dout - dout.mean(axis=AXES, keepdims=True)
    return gamma[S] / np.sqrt(x.var(axis=AXES) + eps)[S] * centred, dgamma, dbeta


def bn_eval(x, gamma, beta, running_mean, running_var, eps):
    return gamma[S] * (x - running_mean[S]) / np.sqrt(running_var[S] + eps) + beta[S]


def bn_eval_batch_stats(x, gamma, beta, running_mean, running_var, eps):
    return bn_eval(x, gamma, beta, x.mean(axis=AXES), x.var(axis=AXES), eps)


def adam(p, g, m, v, t, lr, b1, b2, eps, *, correct=True, eps_inside=False):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = (m / (1 - b1 ** t), v / (1 - b2 ** t)) if correct else (m, v)
    denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
    return p - lr * m_hat / denom, m, v


CORRECT = {
    "check_batch_norm_backward": [bn_backward_staged,
                                  lambda d, x, g, e: cnnbook.batch_norm2d_backward(d, x, g, eps=e),
                                  lambda d, x, g, e: cnnbook.batch_norm2d_backward_naive(d, x, g, eps=e)],
    "check_batch_norm_eval": [bn_eval, lambda x, g, b, m, v, e: cnnbook.batch_norm2d(x, g, b, eps=e, mean=m, var=v)],
    "check_adam_step": [adam],
}


def stub(*args):
    raise NotImplementedError("write your code here")


def _rejects(checker, fn, *hint_words, seeds=SEEDS):
    for seed in seeds:
        result = checker(fn, rng=seed, verbose=False)
        assert not result, f"{checker.__name__} accepted {fn} with rng={seed}"
        for word in hint_words:
            assert word in result.hint, (word, result.message)
        assert "Expected" in result.message and "Got" in result.message


# --------------------------------------------------------------------------- #
# Correct solutions pass; stubs and wrong return values fail cleanly
# --------------------------------------------------------------------------- #

def test_every_deeper_checker_is_exported_and_covered():
    from cnnbook.exercises import deeper

    names = sorted(n for n in dir(deeper) if n.startswith("check_"))
    assert names == sorted(CORRECT)
    assert all(name in ex.__all__ and getattr(ex, name) is getattr(deeper, name) for name in names)


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_checker_accepts_correct_solutions(name, capsys):
    checker = getattr(ex, name)
    for seed in SEEDS:
        for fn in CORRECT[name]:
            result = checker(fn, rng=seed)
            assert result, result.message
            assert result.n_cases == ex.DEFAULT_CASES
    out = capsys.readouterr().out
    assert out.splitlines() == [f"✓ {name}: {ex.DEFAULT_CASES} random cases passed"] * (len(SEEDS) * len(CORRECT[name]))


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_stub_and_wrong_returns_fail_cleanly(name, capsys):
    checker = getattr(ex, name)
    result = checker(stub, rng=0)
    assert not result and result.n_cases == 1
    assert "NotImplementedError" in result.message and "stub" in result.hint
    assert capsys.readouterr().out.startswith(f"✗ {name}: case 1 of")
    for bad in (lambda *a: None, lambda *a: "text", lambda *a: 1 / 0, lambda *a: (1.0, 2.0)):
        assert not checker(bad, rng=0, verbose=False)
    assert "return" in checker(lambda *a: None, rng=0, verbose=False).message


# --------------------------------------------------------------------------- #
# The classic mistakes, each rejected with a hint that names it
# --------------------------------------------------------------------------- #

def test_batch_norm_backward_ignoring_the_statistics():
    _rejects(ex.check_batch_norm_backward, bn_backward_direct_only, "mean and the variance depend on x")


def test_batch_norm_backward_keeping_only_the_mean_term():
    _rejects(ex.check_batch_norm_backward, bn_backward_mean_only, "through the variance")


def test_batch_norm_backward_swapped_parameter_gradients():
    def swapped(d, x, g, e):
        dx, dgamma, dbeta = bn_backward_staged(d, x, g, e)
        return dx, dbeta, dgamma
    _rejects(ex.check_batch_norm_backward, swapped, "swapped")


def test_batch_norm_eval_with_batch_statistics():
    _rejects(ex.check_batch_norm_eval, bn_eval_batch_stats, "batch's own mean", "running_mean")


def test_batch_norm_eval_without_eps():
    _rejects(ex.check_batch_norm_eval, lambda x, g, b, m, v, e: bn_eval(x, g, b, m, v, 0.0), "eps is missing")


def test_adam_without_bias_correction():
    _rejects(ex.check_adam_step, lambda *a: adam(*a, correct=False), "bias correction")


def test_adam_eps_inside_the_square_root():
    _rejects(ex.check_adam_step, lambda *a: adam(*a, eps_inside=True), "outside the square root")


def test_adam_in_place_update_is_reported():
    def in_place(p, g, m, v, t, lr, b1, b2, eps):
        new_p, new_m, new_v = adam(p, g, m, v, t, lr, b1, b2, eps)
        m[...] = new_m
        return new_p, m, new_v
    result = ex.check_adam_step(in_place, rng=0, verbose=False)
    assert not result and "in place" in result.message
