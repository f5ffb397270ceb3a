"""Deep stacks of convolutions, and how the signal and the gradient fare through them.

* :func:`plain_stack` builds a digits classifier with any number of 3 x 3
  conv layers, with or without batch normalisation and residual connections;
* :func:`layer_scales` runs one forward and backward pass and reports, per
  conv layer, the spread of its activations and of its weight gradients.

A plain stack with PyTorch's default initialisation shrinks both as depth
grows; batch normalisation and residual connections keep them level.
"""

from dataclasses import dataclass

import numpy as np

from ._validate import check_bool, is_int, positive_int
from .losses import relu, softmax_cross_entropy
from .nn import (
    BatchNorm2d,
    Conv2d,
    Flatten,
    GlobalAvgPool2d,
    Layer,
    Linear,
    ReLU,
    Residual,
    Sequential,
)

__all__ = ["plain_stack", "layer_scales", "LayerScales"]


def plain_stack(depth, *, channels=8, batch_norm=False, residual=False, rng):
    """A digits classifier with ``depth`` 3 x 3 conv layers after a first one.

    Layers, for input (N, 1, 8, 8)::

        Conv2d(1, channels, 3, padding=1), ReLU          the stem
        depth x [Conv2d(channels, channels, 3, padding=1), (BatchNorm2d), ReLU]
        GlobalAvgPool2d, Flatten, Linear(channels, 10)

    With ``residual=True`` the ``depth`` convs are grouped in pairs, each pair
    a residual block ``relu(x + body(x))`` with body = conv, (BN), ReLU,
    conv, (BN). Every conv keeps the 8 x 8 size and the channel count, so the
    shortcut is the identity.

    Parameters
    ----------
    depth : int
        Number of conv layers after the stem, at least 0 (even when
        ``residual``).
    channels : int, default 8
    batch_norm : bool, default False
        A BatchNorm2d after each of the ``depth`` convs (not after the stem).
    residual : bool, default False
    rng : numpy.random.Generator
        For the initial weights: PyTorch's default (:func:`cnnbook.nn.uniform_init`).

    Returns
    -------
    Sequential
        Input (N, 1, 8, 8), output logits (N, 10); ``depth + 1`` conv layers.

    Examples
    --------
    >>> net = plain_stack(4, rng=np.random.default_rng(0))
    >>> net.forward(np.zeros((2, 1, 8, 8))).shape
    (2, 10)
    >>> sum(isinstance(layer, Conv2d) for layer in net.modules())
    5
    >>> net = plain_stack(4, batch_norm=True, residual=True, rng=np.random.default_rng(0))
    >>> len(net)        # stem conv, ReLU, 2 blocks, pooling, Flatten, Linear
    7
    """
    if not is_int(depth) or depth < 0:
        raise ValueError(f"depth must be a non-negative int (conv layers after the stem), got depth={depth!r}")
    channels = positive_int(channels, "channels")
    batch_norm = check_bool(batch_norm, "batch_norm")
    residual = check_bool(residual, "residual")
    if residual and depth % 2:
        raise ValueError(f"with residual=True the convs come in blocks of two, so depth must be even, "
                         f"got depth={depth!r}; use depth={depth - 1} or {depth + 1}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)), got rng={rng!r}")

    def conv_bn():
        conv = Conv2d(channels, channels, 3, padding=1, rng=rng)
        return [conv, BatchNorm2d(channels)] if batch_norm else [conv]

    layers = [Conv2d(1, channels, 3, padding=1, rng=rng), ReLU()]  # (channels, 8, 8)
    if residual:
        for _ in range(depth // 2):
            body = Sequential(*conv_bn(), ReLU(), *conv_bn())
            layers.append(Sequential(Residual(body), ReLU()))
    else:
        for _ in range(depth):
            layers += [*conv_bn(), ReLU()]
    layers += [GlobalAvgPool2d(), Flatten(), Linear(channels, 10, rng=rng)]  # (channels,) -> (10,)
    return Sequential(*layers)


@dataclass
class LayerScales:
    """Per conv layer, in forward order: the spread of the signal and of the gradient.

    Attributes
    ----------
    names : list of str
        ``'conv1'``, ``'conv2'``, ... (``conv1`` is the first conv of the model).
    activation_std : ndarray, shape (L,)
        Standard deviation of each conv layer's activation: the output of the
        first ReLU after it (after the batch norm, and for the second conv of
        a residual block after the addition, i.e. the block's output).
    gradient_std : ndarray, shape (L,)
        Standard deviation of dL/d(weight) of each conv layer.
    loss : float
        The batch's mean cross-entropy.
    """

    names: list
    activation_std: np.ndarray
    gradient_std: np.ndarray
    loss: float


def layer_scales(model, x, y):
    """One forward and backward pass, measuring each conv layer's activations and gradients.

    The pass runs in training mode (batch statistics in BatchNorm2d) with
    softmax cross-entropy on the batch. The model's weights, modes and
    BatchNorm2d running statistics are left as they were; its gradients are
    those of this batch.

    Parameters
    ----------
    model : Layer
        Logits out, e.g. from :func:`plain_stack`; every Conv2d must be
        followed (somewhere later in forward order) by a ReLU.
    x : ndarray, shape (N, ...)
    y : ndarray of int, shape (N,)

    Returns
    -------
    LayerScales
        Names, activation std and weight-gradient std, one per conv layer.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.normal(size=(16, 1, 8, 8)), rng.integers(0, 10, size=16)
    >>> scales = layer_scales(plain_stack(6, rng=rng), x, y)
    >>> scales.names[:3], scales.activation_std.shape, scales.gradient_std.shape
    (['conv1', 'conv2', 'conv3'], (7,), (7,))
    >>> bool(scales.activation_std[-1] < scales.activation_std[0])   # the signal fades
    True
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer, got model={model!r}")
    modules = list(model.modules())
    convs, relus = [], []  # each conv with the first ReLU after it in forward order
    for i, layer in enumerate(modules):
        if isinstance(layer, Conv2d):
            after = next((m for m in modules[i + 1:] if isinstance(m, ReLU)), None)
            if after is None:
                raise ValueError(f"conv layer {len(convs) + 1} ({layer!r}) has no ReLU after it, "
                                 "so it has no activation to measure")
            convs.append(layer)
            relus.append(after)
    if not convs:
        raise ValueError(f"model has no Conv2d layer to measure: {model!r}")
    modes = [(m, m.training) for m in modules]
    stats = [(m, m.running_mean.copy(), m.running_var.copy(), m.num_batches_tracked)
             for m in modules if isinstance(m, BatchNorm2d)]
    try:
        model.train()
        logits = model.forward(x)                            # (N, 10)
        # Each ReLU keeps its input for backward; read the activations now,
        # before a later use of the same ReLU could replace it.
        activation_std = np.array([relu(r.cache).std() for r in relus])
        loss, dlogits = softmax_cross_entropy(logits, y)
        model.backward(dlogits)
        gradient_std = np.array([conv.grads["weight"].std() for conv in convs])
    finally:
        for m, mode in modes:
            m.training = mode
        for m, mean, var, count in stats:
            m.running_mean[...], m.running_var[...], m.num_batches_tracked = mean, var, count
    return LayerScales(names=[f"conv{i + 1}" for i in range(len(convs))],
                       activation_std=activation_std, gradient_std=gradient_std, loss=float(loss))
