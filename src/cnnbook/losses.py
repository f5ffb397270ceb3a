"""Activations and losses, each with the gradient the book derives for it."""

import numpy as np

from ._validate import is_int, as_float_array


def _same_shape(a, a_name, b, b_name):
    if a.shape != b.shape:
        raise ValueError(
            f"{a_name} and {b_name} must have the same shape, got "
            f"{a_name}.shape={a.shape} and {b_name}.shape={b.shape}"
        )


def relu(x):
    """Rectified linear unit, ``max(x, 0)`` elementwise.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    out : ndarray, same shape and float dtype as ``x``

    Examples
    --------
    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    x = as_float_array(x, "x")
    return np.maximum(x, 0)


def relu_backward(dout, x):
    """Gradient of :func:`relu`: the upstream gradient passes where ``x > 0``.

    ReLU acts as a gate. At ``x == 0`` the gradient is taken as 0, as in PyTorch.

    Parameters
    ----------
    dout : ndarray, same shape as ``x``
    x : ndarray
        The forward input.

    Returns
    -------
    dx : ndarray, same shape as ``x``

    Examples
    --------
    >>> relu_backward(np.array([5.0, 5.0, 5.0]), np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 5.])
    """
    x = as_float_array(x, "x")
    dout = as_float_array(dout, "dout")
    _same_shape(dout, "dout", x, "x")
    return np.where(x > 0, dout, 0).astype(np.result_type(dout, x), copy=False)


def sigmoid(z):
    """Logistic function ``1 / (1 + exp(-z))``, computed without overflow.

    Examples
    --------
    >>> sigmoid(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
    """
    z = as_float_array(z, "z")
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax(z, axis=-1):
    """Softmax along ``axis``, shifted by the maximum so ``exp`` cannot overflow.

    Parameters
    ----------
    z : ndarray, shape (N, K) typically
    axis : int

    Returns
    -------
    p : ndarray, same shape; entries along ``axis`` are positive and sum to 1.

    Examples
    --------
    >>> softmax(np.array([[1.0, 1.0], [0.0, 1000.0]]))
    array([[0.5, 0.5],
           [0. , 1. ]])
    """
    z = as_float_array(z, "z")
    if not is_int(axis) or not -z.ndim <= axis < max(z.ndim, 1):
        raise ValueError(f"axis must be an int in [-{z.ndim}, {z.ndim}), got axis={axis!r}")
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_cross_entropy(logits, targets):
    """Mean categorical cross-entropy of softmax(logits), and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (N, K)
        Unnormalised class scores.
    targets : ndarray of int, shape (N,)
        Class indices in ``[0, K)``.

    Returns
    -------
    loss : float
        ``-(1/N) * sum_n log softmax(logits[n])[targets[n]]``
    dlogits : ndarray, shape (N, K)
        ``(softmax(logits) - onehot(targets)) / N``: the ``y - t`` rule, divided
        by N because the loss is a mean over the batch.

    Examples
    --------
    >>> loss, dlogits = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    >>> round(loss, 4)       # log(4): a uniform guess over 4 classes
    1.3863
    >>> dlogits
    array([[-0.375,  0.125,  0.125,  0.125],
           [ 0.125,  0.125,  0.125, -0.375]])
    """
    logits = as_float_array(logits, "logits", 2, layout="(N, K)")
    N, K = logits.shape
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(
            f"targets must be integer class indices, got targets.dtype={targets.dtype}"
        )
    if targets.shape != (N,):
        raise ValueError(f"targets must have shape (N,)=({N},), got targets.shape={targets.shape}")
    if N and (targets.min() < 0 or targets.max() >= K):
        raise ValueError(
            f"targets must lie in [0, K) = [0, {K}), got values from {targets.min()} to {targets.max()}"
        )
    shifted = logits - logits.max(axis=1, keepdims=True)            # (N, K)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), targets].mean()
    dlogits = np.exp(log_probs)                                       # softmax, (N, K)
    dlogits[np.arange(N), targets] -= 1
    return float(loss), dlogits / N


def binary_cross_entropy(p, t):
    """Mean binary cross-entropy of probabilities ``p`` against targets ``t``.

    Parameters
    ----------
    p : ndarray, any shape
        Predicted probabilities in [0, 1].
    t : ndarray, same shape
        Targets in [0, 1] (usually 0 or 1).

    Returns
    -------
    loss : float
        ``-mean(t*log(p) + (1 - t)*log(1 - p))``, with each log clamped at -100
        as PyTorch does, so p = 0 or 1 gives a finite loss.
    dp : ndarray, same shape as ``p``
        ``(p - t) / (p*(1 - p)) / p.size``; the denominator is clamped at 1e-12.

    Notes
    -----
    With ``p = sigmoid(z)``, the chain rule gives ``dL/dz = (p - t) / p.size``:
    the ``p*(1 - p)`` cancels against the sigmoid's derivative.

    Examples
    --------
    >>> loss, dp = binary_cross_entropy(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    >>> round(loss, 4)
    0.6931
    >>> dp
    array([-1.,  1.])
    """
    p = as_float_array(p, "p")
    t = as_float_array(t, "t")
    _same_shape(p, "p", t, "t")
    if p.size == 0:
        raise ValueError("p must not be empty")
    if np.any((p < 0) | (p > 1)) or np.isnan(p).any():
        raise ValueError(
            f"p must hold probabilities in [0, 1], got values from {p.min()} to {p.max()}; "
            "apply sigmoid to logits first"
        )
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100)
        log_1mp = np.maximum(np.log1p(-p), -100)
    loss = -(t * log_p + (1 - t) * log_1mp).mean()
    dp = (p - t) / np.maximum(p * (1 - p), 1e-12) / p.size
    return float(loss), dp


def pixel_softmax_cross_entropy(logits, targets):
    """Softmax cross-entropy of every pixel, averaged over pixels and batch, and its gradient.

    Segmentation asks for one class per pixel, so the network returns a score
    map ``(N, K, H, W)``: at each pixel ``(n, i, j)`` the vector
    ``logits[n, :, i, j]`` is an ordinary K-class logit vector.

    Parameters
    ----------
    logits : ndarray, shape (N, K, H, W)
        Unnormalised class scores of every pixel.
    targets : ndarray of int, shape (N, H, W)
        The class of every pixel, in ``[0, K)``.

    Returns
    -------
    loss : float
        ``-(1/(N*H*W)) * sum_{n,i,j} log softmax(logits[n, :, i, j])[targets[n, i, j]]``
    dlogits : ndarray, shape (N, K, H, W)
        ``(softmax - onehot(targets)) / (N*H*W)`` along the class axis.

    Notes
    -----
    Each pixel's term is the loss of :func:`softmax_cross_entropy`, whose
    gradient is ``softmax - onehot``; the mean divides every term by the
    number of pixels ``N*H*W``. So the result equals
    ``softmax_cross_entropy`` on the logits laid out as ``(N*H*W, K)``.

    Examples
    --------
    >>> loss, dlogits = pixel_softmax_cross_entropy(np.zeros((1, 2, 1, 2)), np.array([[[0, 1]]]))
    >>> round(loss, 4), dlogits.shape     # log(2): a coin flip at each of 2 pixels
    (0.6931, (1, 2, 1, 2))
    >>> dlogits[0, :, 0, :]               # (softmax - onehot) / 2 pixels
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """
    logits = as_float_array(logits, "logits", 4, layout="(N, K, H, W)")
    N, K, H, W = logits.shape
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"targets must be integer class indices, got targets.dtype={targets.dtype}")
    if targets.shape != (N, H, W):
        raise ValueError(f"targets must have shape (N, H, W)=({N}, {H}, {W}), got targets.shape={targets.shape}")
    if N * H * W == 0:
        raise ValueError(f"logits must hold at least one pixel, got logits.shape={logits.shape}")
    if targets.min() < 0 or targets.max() >= K:
        raise ValueError(
            f"targets must lie in [0, K) = [0, {K}), got values from {targets.min()} to {targets.max()}"
        )
    count = N * H * W
    shifted = logits - logits.max(axis=1, keepdims=True)                      # (N, K, H, W)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, K, H, W)
    picked = np.take_along_axis(log_probs, targets[:, None], axis=1)          # (N, 1, H, W)
    loss = -picked.sum() / count
    onehot = targets[:, None] == np.arange(K)[None, :, None, None]           # (N, K, H, W)
    dlogits = (np.exp(log_probs) - onehot) / count                            # (softmax - onehot) / count
    return float(loss), dlogits
