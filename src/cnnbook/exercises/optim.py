"""Checker for one step of stochastic gradient descent with momentum."""

import numpy as np

from ._core import DEFAULT_CASES, compare_array, first_match, Mismatch, run


def _sgd_case(rng, i):
    shape = [(3,), (2, 3), (4, 1, 3, 3)][i % 3]
    lr = float(rng.choice([0.01, 0.1, 0.5]))
    momentum = 0.0 if i % 4 == 1 else float(rng.choice([0.5, 0.9]))
    param = np.round(rng.normal(size=shape), 2)
    grad = np.round(rng.normal(size=shape), 2)
    velocity = np.zeros(shape) if i == 0 else np.round(rng.normal(size=shape), 2)
    return (f"shape {shape}, lr={lr}, momentum={momentum}",
            dict(param=param, grad=grad, velocity=velocity, lr=lr, momentum=momentum))


def _sgd_reference(param, grad, velocity, lr, momentum):
    """One step of cnnbook.optim.SGD on a single parameter array."""
    from cnnbook.nn import Layer
    from cnnbook.optim import SGD

    layer = Layer()
    layer.params = {"p": param.copy()}
    layer.grads = {"p": grad.copy()}
    opt = SGD(layer, lr=lr, momentum=momentum)
    opt.velocity["p"][...] = velocity
    opt.step()
    return layer.params["p"], opt.velocity["p"]


def _compare_pair(expected, got):
    if got is None:
        raise Mismatch("the output is None: did you forget the `return` statement?")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mismatch(f"return a pair (new_param, new_velocity), got a {type(got).__name__}")
    compare_array(expected[0], got[0], "new_param")
    compare_array(expected[1], got[1], "new_velocity")


def check_sgd_momentum_step(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(param, grad, velocity, lr, momentum) -> (new_param, new_velocity)``,
    one step of SGD with momentum in PyTorch's convention (no dampening, no
    Nesterov, no weight decay)::

        new_velocity = momentum * velocity + grad
        new_param = param - lr * new_velocity

    The arrays may have any shape; ``fn`` must return new arrays and leave its
    inputs unchanged.

    Example
    -------
    >>> def step(p, g, v, lr, mu):
    ...     v = mu * v + g
    ...     return p - lr * v, v
    >>> bool(check_sgd_momentum_step(step, rng=0, verbose=False))
    True
    """
    def hints(inputs, expected, got, label):
        p, g, v, lr, mu = inputs.values()
        v_new = mu * v + g
        if isinstance(got, (tuple, list)) and len(got) == 2:
            return first_match(tuple(got), [
                (lambda: (v_new, p - lr * v_new), "return (new_param, new_velocity) in that order"),
                (lambda: (p - lr * v, v_new), "update the parameter with the NEW velocity: first "
                 "v = momentum*v + grad, then param - lr*v"),
                (lambda: (p + (mu * v - lr * g), mu * v - lr * g), "that is the other convention "
                 "(v = momentum*v - lr*grad; param += v), equivalent only while lr is constant; the book "
                 "uses PyTorch's: v = momentum*v + grad, param -= lr*v"),
                (lambda: (p - lr * g, g), "momentum ignored: v = momentum*v + grad keeps part of the old velocity"),
                (lambda: (p - lr * v_new, lr * v_new), "return the velocity itself, momentum*v + grad, "
                 "not the step lr*v"),
            ], {}) or "new_velocity = momentum*velocity + grad; new_param = param - lr*new_velocity"
        return ""

    return run("check_sgd_momentum_step", fn, _sgd_case, reference=_sgd_reference, compare=_compare_pair,
                hints=hints, rng=rng, n_cases=n_cases, verbose=verbose, what="(new_param, new_velocity)")
