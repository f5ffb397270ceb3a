"""Optimisers: SGD with momentum (the book's default) and Adam."""

from numbers import Real

import numpy as np

from .nn import Layer, Sequential

__all__ = ["SGD", "Adam"]


def _non_negative(value, name, *, positive=False):
    kind = "positive" if positive else "non-negative"
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a {kind} number, got {name}={value!r}")
    if not np.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be a finite {kind} number, got {name}={value!r}")
    return float(value)


def _as_model(model):
    """The optimiser's model: a Layer, or a list of Layers made into a Sequential."""
    if isinstance(model, (list, tuple)):
        model = Sequential(*model)
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer, a Sequential or a list of Layers, got model={model!r}")
    return model


class SGD:
    """Gradient descent with (heavy-ball) momentum and L2 weight decay, as in PyTorch.

    For every parameter ``p`` with gradient ``g`` one :meth:`step` does::

        g = g + weight_decay * p
        v = momentum * v + g        # v starts at 0
        p = p - lr * v

    This is PyTorch's ``torch.optim.SGD`` (``dampening=0``, ``nesterov=False``);
    with ``momentum=0`` it is plain gradient descent ``p -= lr * g``.

    Parameters
    ----------
    model : Layer or list of Layer
        Whose ``params`` to update, using the ``grads`` its backward filled in.
    lr : float, default 0.01
        Learning rate (step size), positive.
    momentum : float, default 0.9
        In [0, 1): how much of the previous update is kept.
    weight_decay : float, default 0.0
        L2 penalty coefficient, non-negative.

    Attributes
    ----------
    velocity : dict
        One array per parameter name, shaped like the parameter.

    Examples
    --------
    >>> from cnnbook.nn import Linear
    >>> fc = Linear(2, 1, rng=np.random.default_rng(0))
    >>> fc.params['weight'][...] = [[1.0, 1.0]]
    >>> opt = SGD(fc, lr=0.1, momentum=0.5)
    >>> fc.grads['weight'][...] = [[1.0, -2.0]]
    >>> opt.step(); fc.params['weight']          # v = g
    array([[0.9, 1.2]])
    >>> opt.step(); fc.params['weight']          # v = 0.5*g + g
    array([[0.75, 1.5 ]])
    """

    def __init__(self, model, lr=0.01, momentum=0.9, weight_decay=0.0):
        self.model = model = _as_model(model)
        self.lr = _non_negative(lr, "lr", positive=True)
        self.momentum = _non_negative(momentum, "momentum")
        if self.momentum >= 1:
            raise ValueError(f"momentum must be in [0, 1), got momentum={momentum!r}")
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self.velocity = {name: np.zeros_like(p) for name, p, _ in model.parameters()}
        if not self.velocity:
            raise ValueError(f"model has no parameters to optimise: {model!r}")

    def step(self):
        """Update every parameter in place from its current gradient."""
        for name, p, g in self.model.parameters():
            if self.weight_decay:
                g = g + self.weight_decay * p
            v = self.velocity[name]
            v *= self.momentum
            v += g
            p -= self.lr * v

    def zero_grad(self):
        """Set every gradient to zero. (Our backward overwrites gradients, so this is optional.)"""
        self.model.zero_grad()


class Adam:
    """Adam (Kingma and Ba, 2015): a step per parameter scaled by its gradients' recent size.

    For every parameter ``p`` with gradient ``g``, step ``t = 1, 2, ...`` does::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g          # running mean of g      (m, v start at 0)
        v = beta2 * v + (1 - beta2) * g**2       # running mean of g**2
        m_hat = m / (1 - beta1**t)               # bias correction: m and v start at 0,
        v_hat = v / (1 - beta2**t)               # so early averages are too small
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    This is ``torch.optim.Adam`` (``amsgrad=False``; weight decay added to the
    gradient, as L2, not decoupled as in AdamW). Each coordinate moves by about
    ``lr`` at most, whatever the scale of its gradient.

    Parameters
    ----------
    model : Layer or list of Layer
    lr : float, default 1e-3
        Positive.
    betas : (float, float), default (0.9, 0.999)
        Each in [0, 1): the decay of the two running averages.
    eps : float, default 1e-8
        Positive; added to sqrt(v_hat), outside the square root.
    weight_decay : float, default 0.0
        Non-negative.

    Attributes
    ----------
    m, v : dict
        One array per parameter name, shaped like the parameter.
    t : int
        Steps taken so far.

    Examples
    --------
    >>> from cnnbook.nn import Linear
    >>> fc = Linear(2, 1, rng=np.random.default_rng(0))
    >>> fc.params['weight'][...] = [[1.0, 1.0]]
    >>> opt = Adam(fc, lr=0.1)
    >>> fc.grads['weight'][...] = [[1.0, -100.0]]
    >>> opt.step(); fc.params['weight']         # the first step is lr * sign(g), whatever |g|
    array([[0.9, 1.1]])
    """

    def __init__(self, model, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.model = model = _as_model(model)
        self.lr = _non_negative(lr, "lr", positive=True)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), e.g. (0.9, 0.999), got betas={betas!r}")
        for i, beta in enumerate(betas):
            if isinstance(beta, bool) or not isinstance(beta, Real) or not 0 <= beta < 1:
                raise ValueError(f"betas[{i}] must be a number in [0, 1), got betas={betas!r}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = _non_negative(eps, "eps", positive=True)
        self.weight_decay = _non_negative(weight_decay, "weight_decay")
        self.m = {name: np.zeros_like(p) for name, p, _ in model.parameters()}
        self.v = {name: np.zeros_like(p) for name, p, _ in model.parameters()}
        if not self.m:
            raise ValueError(f"model has no parameters to optimise: {model!r}")
        self.t = 0

    def step(self):
        """Update every parameter in place from its current gradient."""
        self.t += 1
        beta1, beta2 = self.betas
        for name, p, g in self.model.parameters():
            if self.weight_decay:
                g = g + self.weight_decay * p
            m, v = self.m[name], self.v[name]
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            m_hat = m / (1 - beta1 ** self.t)
            v_hat = v / (1 - beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def zero_grad(self):
        """Set every gradient to zero. (Our backward overwrites gradients, so this is optional.)"""
        self.model.zero_grad()
