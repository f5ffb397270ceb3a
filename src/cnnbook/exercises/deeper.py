"""Checkers for the deeper-networks chapter: batch normalisation and Adam."""

import numpy as np

from ._core import DEFAULT_CASES, Mismatch, cnnbook_api, compare_array, first_match, run

_AXES = (0, 2, 3)


def _compare_tuple(names):
    def compare(expected, got):
        if got is None:
            raise Mismatch("the output is None: did you forget the `return` statement?")
        if not isinstance(got, (tuple, list)) or len(got) != len(names):
            raise Mismatch(f"return a tuple ({', '.join(names)}), got a {type(got).__name__}"
                           + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""))
        for e, g, name in zip(expected, got, names):
            compare_array(e, g, name)
    return compare


def _bn_case(rng, i):
    N, C = int(rng.integers(2, 4)), int(rng.integers(1, 4))
    H, W = int(rng.integers(1, 4)), int(rng.integers(2, 4))
    eps = float(rng.choice([1e-5, 0.1]))
    x = np.round(rng.normal(1.0, 2.0, size=(N, C, H, W)), 2)
    gamma = np.round(rng.uniform(0.5, 2.0, size=C), 2)
    dout = np.round(rng.normal(size=(N, C, H, W)), 2)
    return f"x shape {(N, C, H, W)}, eps={eps}", dict(dout=dout, x=x, gamma=gamma, eps=eps)


def _bn_backward_reference(dout, x, gamma, eps):
    return cnnbook_api().batch_norm2d_backward(dout, x, gamma, eps=eps)


def check_batch_norm_backward(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(dout, x, gamma, eps) -> (dx, dgamma, dbeta)``, batch norm's backward pass.

    Training mode: ``x`` (N, C, H, W) was normalised with its own per-channel
    mean and biased variance over N, H and W, then scaled by ``gamma`` (C,)
    and shifted; ``dout`` is dL/d(out). As :func:`cnnbook.batch_norm2d_backward`.

    Example
    -------
    >>> import cnnbook
    >>> bool(check_batch_norm_backward(lambda d, x, g, e: cnnbook.batch_norm2d_backward(d, x, g, eps=e),
    ...                                rng=0, verbose=False))
    True
    """
    def hints(inputs, expected, got, label):
        dout, x, gamma, eps = inputs.values()
        if not (isinstance(got, (tuple, list)) and len(got) == 3):
            return ""
        mu = x.mean(axis=_AXES, keepdims=True)                     # (1, C, 1, 1)
        sigma = np.sqrt(x.var(axis=_AXES, keepdims=True) + eps)   # (1, C, 1, 1)
        xhat = (x - mu) / sigma
        g = gamma[None, :, None, None]
        direct = g / sigma * dout
        mean_only = g / sigma * (dout - dout.mean(axis=_AXES, keepdims=True))
        dx, dgamma, dbeta = expected
        hint = first_match(got[0], [
            (lambda: direct, "dx ignores that the mean and the variance depend on x too: "
             "dx = gamma/sigma * (dout - mean(dout) - xhat * mean(dout * xhat)), means per channel"),
            (lambda: mean_only, "dx keeps the path through the mean but misses the one through the "
             "variance: subtract xhat * mean(dout * xhat) as well"),
            (lambda: dx / gamma[None, :, None, None], "dx is missing the factor gamma (dxhat = gamma * dout)"),
        ], {})
        if hint:
            return hint
        if np.allclose(got[0], dx, rtol=1e-6, atol=1e-8):
            if np.allclose(got[1], dbeta) and np.allclose(got[2], dgamma):
                return "dgamma and dbeta are swapped: return (dx, dgamma, dbeta)"
            if np.allclose(got[1], (dout * (x - mu)).sum(axis=_AXES)):
                return "dgamma sums dout * xhat, the normalised input, not dout * (x - mean)"
            return "dgamma = sum of dout * xhat and dbeta = sum of dout, per channel over N, H, W"
        return ("means and sums run over N, H and W for each channel, e.g. "
                "dout.mean(axis=(0, 2, 3), keepdims=True); the variance is the biased one (divide by N*H*W)")

    return run("check_batch_norm_backward", fn, _bn_case, reference=_bn_backward_reference,
               compare=_compare_tuple(("dx", "dgamma", "dbeta")), hints=hints, rng=rng, n_cases=n_cases,
               verbose=verbose, what="(dx, dgamma, dbeta)")


def _bn_eval_case(rng, i):
    label, inputs = _bn_case(rng, i)
    C = inputs["x"].shape[1]
    x = inputs["x"]
    beta = np.round(rng.normal(size=C), 2)
    # running statistics clearly away from the batch's own
    running_mean = np.round(rng.normal(0.0, 1.0, size=C), 2)
    running_var = np.round(rng.uniform(0.5, 3.0, size=C), 2)
    return label, dict(x=x, gamma=inputs["gamma"], beta=beta, running_mean=running_mean,
                       running_var=running_var, eps=inputs["eps"])


def _bn_eval_reference(x, gamma, beta, running_mean, running_var, eps):
    return cnnbook_api().batch_norm2d(x, gamma, beta, eps=eps, mean=running_mean, var=running_var)


def check_batch_norm_eval(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(x, gamma, beta, running_mean, running_var, eps) -> out``, batch norm at evaluation.

    ``out = gamma * (x - running_mean) / sqrt(running_var + eps) + beta`` per
    channel, with x (N, C, H, W) and the other arrays (C,).

    Example
    -------
    >>> def bn_eval(x, g, b, m, v, eps):
    ...     s = (slice(None), None, None)
    ...     return g[s] * (x - m[s]) / np.sqrt(v[s] + eps) + b[s]
    >>> bool(check_batch_norm_eval(bn_eval, rng=0, verbose=False))
    True
    """
    def hints(inputs, expected, got, label):
        x, gamma, beta, rm, rv, eps = inputs.values()
        s = (slice(None), None, None)

        def bn(mean, var, eps=eps):
            return gamma[s] * (x - mean[s]) / np.sqrt(var[s] + eps) + beta[s]

        return first_match(got, [
            (lambda: bn(x.mean(axis=_AXES), x.var(axis=_AXES)), "that uses the batch's own mean and "
             "variance, as in training; at evaluation use running_mean and running_var"),
            (lambda: gamma[s] * (x - rm[s]) / (rv[s] + eps) + beta[s], "divide by the standard deviation "
             "sqrt(running_var + eps), not by the variance"),
            (lambda: gamma[s] * (x - rm[s]) / np.sqrt(rv[s]) + beta[s], "eps is missing: sqrt(running_var + eps)"),
            (lambda: gamma[:, None] * (x - rm[:, None]) / np.sqrt(rv[:, None] + eps) + beta[:, None],
             "the (C,) arrays must line up with axis 1 of x: index them as gamma[:, None, None]"),
        ], {}) or "out = gamma * (x - running_mean) / sqrt(running_var + eps) + beta, per channel (axis 1)"

    return run("check_batch_norm_eval", fn, _bn_eval_case, reference=_bn_eval_reference,
               compare=compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="out")


def _adam_case(rng, i):
    shape = [(3,), (2, 3), (2, 1, 2, 2)][i % 3]
    t = 1 if i == 0 else int(rng.integers(1, 6))
    lr = float(rng.choice([0.001, 0.01, 0.1]))
    beta1, beta2 = float(rng.choice([0.8, 0.9])), float(rng.choice([0.99, 0.999]))
    eps = float(rng.choice([1e-3, 1e-2, 0.1]))     # large enough that where eps goes shows
    param = np.round(rng.normal(size=shape), 2)
    grad = np.round(rng.normal(size=shape), 2)
    m = np.zeros(shape) if t == 1 else np.round(rng.normal(0.0, 0.3, size=shape), 2)
    v = np.zeros(shape) if t == 1 else np.round(rng.uniform(0.0, 0.05, size=shape), 3)
    return (f"shape {shape}, t={t}, lr={lr}, betas=({beta1}, {beta2}), eps={eps}",
            dict(param=param, grad=grad, m=m, v=v, t=t, lr=lr, beta1=beta1, beta2=beta2, eps=eps))


def _adam_reference(param, grad, m, v, t, lr, beta1, beta2, eps):
    """Step ``t`` of cnnbook.optim.Adam on a single parameter array."""
    from cnnbook.nn import Layer
    from cnnbook.optim import Adam

    layer = Layer()
    layer.params = {"p": param.copy()}
    layer.grads = {"p": grad.copy()}
    opt = Adam(layer, lr=lr, betas=(beta1, beta2), eps=eps)
    opt.m["p"][...] = m
    opt.v["p"][...] = v
    opt.t = t - 1  # step() counts this step
    opt.step()
    return layer.params["p"], opt.m["p"], opt.v["p"]


def check_adam_step(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(param, grad, m, v, t, lr, beta1, beta2, eps) -> (new_param, new_m, new_v)``.

    Step ``t`` (counted from 1) of Adam, as ``torch.optim.Adam``::

        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        m_hat = m / (1 - beta1**t);  v_hat = v / (1 - beta2**t)
        param = param - lr * m_hat / (sqrt(v_hat) + eps)

    ``fn`` must return new arrays and leave its inputs unchanged.

    Example
    -------
    >>> def adam(p, g, m, v, t, lr, b1, b2, eps):
    ...     m = b1 * m + (1 - b1) * g
    ...     v = b2 * v + (1 - b2) * g ** 2
    ...     step = lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    ...     return p - step, m, v
    >>> bool(check_adam_step(adam, rng=0, verbose=False))
    True
    """
    def hints(inputs, expected, got, label):
        p, g, m, v, t, lr, b1, b2, eps = inputs.values()
        if not (isinstance(got, (tuple, list)) and len(got) == 3):
            return ""
        m_new = b1 * m + (1 - b1) * g
        v_new = b2 * v + (1 - b2) * g ** 2
        m_hat, v_hat = m_new / (1 - b1 ** t), v_new / (1 - b2 ** t)
        hint = first_match(got[0], [
            (lambda: p - lr * m_new / (np.sqrt(v_new) + eps), "the bias correction is missing: divide m by "
             "(1 - beta1**t) and v by (1 - beta2**t) before the step; without it the first step is "
             "(1 - beta1) / sqrt(1 - beta2) times the corrected one, 3.2 times too large with the usual betas"),
            (lambda: p - lr * m_hat / np.sqrt(v_hat + eps), "eps goes outside the square root: "
             "sqrt(v_hat) + eps (PyTorch's convention)"),
            (lambda: p - lr * (m_new / (1 - b1 ** (t + 1))) / (np.sqrt(v_new / (1 - b2 ** (t + 1))) + eps),
             "t already counts this step (it starts at 1): use beta**t, not beta**(t + 1)"),
            (lambda: p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps),
             "update m and v with this gradient first, then step with the new m and v"),
            (lambda: p - lr * m_hat / (v_hat + eps), "divide by the square root of v_hat, not v_hat itself"),
        ], {})
        if hint:
            return hint
        if not np.allclose(got[1], m_new) or not np.allclose(got[2], v_new):
            return ("m = beta1*m + (1 - beta1)*grad and v = beta2*v + (1 - beta2)*grad**2; "
                    "return the new m and v themselves, not the bias-corrected ones")
        return "param - lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m/(1 - beta1**t), v_hat = v/(1 - beta2**t)"

    return run("check_adam_step", fn, _adam_case, reference=_adam_reference,
               compare=_compare_tuple(("new_param", "new_m", "new_v")), hints=hints, rng=rng,
               n_cases=n_cases, verbose=verbose, what="(new_param, new_m, new_v)")
