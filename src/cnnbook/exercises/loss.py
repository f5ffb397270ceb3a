"""Checker for the softmax cross-entropy loss and its gradient."""

import numpy as np

from ._core import DEFAULT_CASES, cnnbook_api, as_array, compare_array, first_match, Mismatch, run, same


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
        raise Mismatch("the output is None: did you forget the `return` statement?")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mismatch(f"return a pair (loss, dlogits), got a {type(got).__name__}")
    loss, dlogits = got
    loss_arr = as_array(loss, "loss")
    if loss_arr.size != 1:
        raise Mismatch(f"loss should be one number (the mean over the batch), got shape {loss_arr.shape}")
    if not np.isfinite(loss_arr).all():
        raise Mismatch(f"loss is {float(loss_arr.ravel()[0])}")
    if not np.isclose(float(loss_arr.ravel()[0]), expected[0], rtol=1e-6, atol=1e-9):
        raise Mismatch(f"loss is {float(loss_arr.ravel()[0]):.6g}, expected {expected[0]:.6g}")
    compare_array(expected[1], dlogits, "dlogits")


def check_softmax_cross_entropy(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
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
    api = cnnbook_api()

    def reference(logits, targets):
        loss, dlogits = api.softmax_cross_entropy(logits, targets)
        return float(loss), dlogits

    def hints(inputs, expected, got, label):
        logits, targets = inputs["logits"], inputs["targets"]
        N = logits.shape[0]
        loss, dlogits = expected
        if isinstance(got, (tuple, list)) and len(got) == 2:
            g_loss, g_d = got
            if same(g_loss, dlogits) and same(g_d, loss):
                return "return (loss, dlogits) in that order"
            if np.size(g_loss) == N and same(np.mean(g_loss), loss):
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
                return first_match(g_d, [
                    (lambda: dlogits * N, "dlogits not averaged over the batch: divide (p - onehot) by N"),
                    (lambda: p / N, "subtract the one-hot targets: dlogits = (p - onehot) / N"),
                    (lambda: (onehot - p) / N, "sign: dlogits = (p - onehot) / N"),
                ], {}) or "dlogits = (softmax(logits) - onehot(targets)) / N"
            return "loss = mean over n of -log softmax(logits[n])[targets[n]]; use the log of the softmax"
        return ""

    return run("check_softmax_cross_entropy", fn, _loss_case, reference=reference, compare=_compare_loss,
                hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="(loss, dlogits)")
