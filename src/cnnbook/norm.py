"""Batch normalisation: standardise every channel over the batch, then scale and shift.

For a batch ``x`` of shape (N, C, H, W), channel c has ``M = N*H*W`` numbers.
Batch normalisation (Ioffe and Szegedy, 2015) computes, per channel,

    mean[c] = (1/M) sum x[:, c]                    (over n, h, w)
    var[c]  = (1/M) sum (x[:, c] - mean[c])**2     (biased: divide by M)
    xhat    = (x - mean) / sqrt(var + eps)
    out     = gamma * xhat + beta

so each channel leaves with mean ``beta`` and standard deviation ``gamma``
whatever the layers before did to its scale. During training the statistics
are the batch's own; for evaluation they are fixed numbers (the running
averages that :class:`cnnbook.nn.BatchNorm2d` keeps), and the layer is a
plain per-channel affine map.

:func:`batch_norm2d` and its gradient :func:`batch_norm2d_backward` are the
functional core; :mod:`cnnbook.naive` holds their loop twins.
"""

from numbers import Real

import numpy as np

from ._validate import as_float_array

__all__ = ["batch_norm2d", "batch_norm2d_backward", "prepare_batch_norm2d"]

_AXES = (0, 2, 3)  # a channel's statistics run over the batch and both spatial axes


def _per_channel(a, name, C, dtype):
    """``a`` as a (C,) array of ``dtype`` (one number per channel)."""
    a = as_float_array(a, name, 1, layout="(C,)")
    if a.shape != (C,):
        raise ValueError(f"{name} must have shape (C,)=({C},), one number per channel of x, "
                         f"got {name}.shape={a.shape}")
    return a.astype(dtype, copy=False)


def prepare_batch_norm2d(x, gamma, beta=None, *, eps=1e-5, mean=None, var=None):
    """Validate the arguments of :func:`batch_norm2d` (shared with its loop twin).

    Returns
    -------
    x, gamma, beta, eps, mean, var
        ``x`` a float (N, C, H, W) array; the others (C,) arrays of x's dtype
        (``beta``, ``mean`` and ``var`` stay None when given as None), ``eps``
        a float.
    """
    x = as_float_array(x, "x", 4, layout="(N, C, H, W)")
    N, C, H, W = x.shape
    if 0 in x.shape:
        raise ValueError(f"x must not be empty, got x.shape={x.shape}")
    if isinstance(eps, bool) or not isinstance(eps, Real) or not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive number (it keeps sqrt(var + eps) away from 0; "
                         f"PyTorch's default is 1e-5), got eps={eps!r}")
    gamma = _per_channel(gamma, "gamma", C, x.dtype)
    beta = None if beta is None else _per_channel(beta, "beta", C, x.dtype)
    if (mean is None) != (var is None):
        raise ValueError("mean and var must be given together (evaluation mode) or both left None "
                         f"(training mode: the batch's statistics), got only "
                         f"{'mean' if var is None else 'var'}")
    if mean is not None:
        mean = _per_channel(mean, "mean", C, x.dtype)
        var = _per_channel(var, "var", C, x.dtype)
        if np.any(var < 0):
            raise ValueError(f"var must be non-negative, got var={var!r}")
    return x, gamma, beta, float(eps), mean, var


def batch_norm2d(x, gamma, beta, *, eps=1e-5, mean=None, var=None):
    """Batch normalisation of every channel, then a per-channel scale and shift.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    gamma, beta : ndarray, shape (C,)
        Scale and shift (the layer's ``weight`` and ``bias``).
    eps : float, default 1e-5
        Added to the variance before the square root.
    mean, var : ndarray, shape (C,), optional
        Statistics to normalise with (evaluation mode). If both are None the
        batch's own are used (training mode): the mean and the *biased*
        variance over the N*H*W numbers of each channel.

    Returns
    -------
    out : ndarray, shape (N, C, H, W)
        ``gamma * (x - mean) / sqrt(var + eps) + beta``, in x's dtype.

    Examples
    --------
    >>> x = np.arange(8.0).reshape(2, 1, 2, 2)        # one channel, values 0..7
    >>> out = batch_norm2d(x, np.ones(1), np.zeros(1))
    >>> out.shape, round(float(out.mean()), 6), round(float(out.std()), 4)
    ((2, 1, 2, 2), 0.0, 1.0)
    >>> out = batch_norm2d(x, np.ones(1), np.zeros(1), mean=np.array([1.0]), var=np.array([4.0]))
    >>> out[0, 0].round(4)                         # (x - 1) / sqrt(4 + 1e-5)
    array([[-0.5,  0. ],
           [ 0.5,  1. ]])
    """
    x, gamma, beta, eps, mean, var = prepare_batch_norm2d(x, gamma, beta, eps=eps, mean=mean, var=var)
    if mean is None:
        mean = x.mean(axis=_AXES)                            # (C,)
        var = x.var(axis=_AXES)                              # (C,), biased: divides by N*H*W
    inv_std = 1.0 / np.sqrt(var + eps)                       # (C,)
    xhat = (x - mean[:, None, None]) * inv_std[:, None, None]  # (N, C, H, W); (C,1,1) broadcasts
    return gamma[:, None, None] * xhat + beta[:, None, None]


def batch_norm2d_backward(dout, x, gamma, *, eps=1e-5, mean=None, var=None):
    """Gradients of :func:`batch_norm2d` with respect to x, gamma and beta.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H, W)
        dL/d(out).
    x : ndarray, shape (N, C, H, W)
        The forward input.
    gamma : ndarray, shape (C,)
    eps : float, default 1e-5
    mean, var : ndarray, shape (C,), optional
        As in :func:`batch_norm2d`. None (training mode): the batch statistics
        are recomputed from x, and x's gradient flows through them too. Given
        (evaluation mode): they are constants, and dx is just
        ``gamma / sqrt(var + eps) * dout``.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dgamma, dbeta : ndarray, shape (C,)

    Notes
    -----
    In training mode every x in a channel moves its mean and variance, so
    dx has three terms (see the comment in the code):

        dx = gamma / sigma * (dout - mean(dout) - xhat * mean(dout * xhat))

    with ``sigma = sqrt(var + eps)`` and means per channel over N, H, W. The
    gradient is orthogonal to the constant and to xhat: shifting or scaling a
    channel's input does not change its output.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, dout = rng.normal(size=(4, 3, 2, 2)), rng.normal(size=(4, 3, 2, 2))
    >>> dx, dgamma, dbeta = batch_norm2d_backward(dout, x, np.ones(3))
    >>> dx.shape, dgamma.shape, dbeta.shape
    ((4, 3, 2, 2), (3,), (3,))
    >>> np.allclose(dx.sum(axis=(0, 2, 3)), 0)    # a shift of the input changes nothing
    True
    """
    x, gamma, _, eps, mean, var = prepare_batch_norm2d(x, gamma, eps=eps, mean=mean, var=var)
    dout = as_float_array(dout, "dout", 4, layout="(N, C, H, W)")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x (N, C, H, W)={x.shape}, got dout.shape={dout.shape}")
    dout = dout.astype(x.dtype, copy=False)
    training = mean is None
    if training:
        mean = x.mean(axis=_AXES)                            # (C,)
        var = x.var(axis=_AXES)                              # (C,)
    inv_std = 1.0 / np.sqrt(var + eps)                       # (C,) = 1/sigma
    xhat = (x - mean[:, None, None]) * inv_std[:, None, None]  # (N, C, H, W)
    dbeta = dout.sum(axis=_AXES)                             # (C,)
    dgamma = (dout * xhat).sum(axis=_AXES)                   # (C,)
    dxhat = dout * gamma[:, None, None]                      # (N, C, H, W)
    if not training:
        return dxhat * inv_std[:, None, None], dgamma, dbeta
    # Training mode. Write M = N*H*W and, per channel, <a> for the mean of a
    # over the M positions. xhat_i = (x_i - mu) / sigma with mu = <x> and
    # sigma = sqrt(<(x - mu)^2> + eps), so
    #   d mu / d x_j    = 1/M
    #   d sigma / d x_j = (x_j - mu) / (M sigma) = xhat_j / M
    #   d xhat_i / d x_j = (delta_ij - 1/M) / sigma - xhat_i * xhat_j / (M sigma)
    # and dx_j = sum_i dxhat_i * d xhat_i / d x_j
    #          = (dxhat_j - <dxhat> - xhat_j * <dxhat * xhat>) / sigma.
    # The first term is the direct path, the second the path through the mean,
    # the third the path through the variance. With dxhat = gamma * dout:
    mean_dout = dout.mean(axis=_AXES, keepdims=True)         # (1, C, 1, 1)
    mean_dout_xhat = (dout * xhat).mean(axis=_AXES, keepdims=True)  # (1, C, 1, 1)
    dx = (gamma * inv_std)[:, None, None] * (dout - mean_dout - xhat * mean_dout_xhat)
    return dx, dgamma, dbeta
