"""Finite differences: the referee for every backward pass in the book."""

import numpy as np

from ._validate import as_float_array


def numerical_gradient(f, x, eps=1e-6, dout=None):
    """Central-difference estimate of the gradient of ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x``. Returns a scalar, or, when ``dout`` is
        given, an array shaped like ``dout``.
    x : ndarray of float
        The point; it is copied, never modified.
    eps : float
        Step size. 1e-6 suits float64.
    dout : ndarray, optional
        Upstream gradient. The result is then the gradient of
        ``sum(f(x) * dout)``, which is what a backward pass computes.

    Returns
    -------
    grad : ndarray, same shape as ``x``
        ``grad[i] = (F(x + eps*e_i) - F(x - eps*e_i)) / (2*eps)``.

    Examples
    --------
    >>> g = numerical_gradient(lambda v: (v ** 2).sum(), np.array([1.0, -2.0]))
    >>> np.round(g, 6)
    array([ 2., -4.])
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got f of type {type(f).__name__}")
    x = as_float_array(x, "x").astype(np.float64, copy=True)
    if not (isinstance(eps, (int, float)) and eps > 0):
        raise ValueError(f"eps must be a positive number, got eps={eps!r}")
    if dout is not None:
        dout = as_float_array(dout, "dout")

    def scalar(v):
        value = f(v)
        if dout is None:
            value = np.asarray(value)
            if value.size != 1:
                raise ValueError(
                    f"f must return a scalar when dout is None, got an output of shape {value.shape}; "
                    "pass dout to differentiate sum(f(x) * dout)"
                )
            return float(value.reshape(()))
        return float(np.sum(np.asarray(f(v)) * dout))

    grad = np.zeros_like(x)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)  # views into x and grad
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + eps
        plus = scalar(x)
        flat_x[i] = old - eps
        minus = scalar(x)
        flat_x[i] = old
        flat_g[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """``max|a - b| / max(max|a|, max|b|)``: the error relative to the gradient's scale.

    Dividing by the largest magnitude, not elementwise, keeps tiny entries (an
    exact 0 against a 1e-11 rounding residue) from looking like large errors.

    Examples
    --------
    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.002]))
    0.000999...
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got a.shape={a.shape} and b.shape={b.shape}")
    scale = max(np.abs(a).max(initial=0), np.abs(b).max(initial=0))
    if scale == 0:
        return 0.0
    return float(np.abs(a - b).max() / scale)


def gradient_check(f, x, analytic, eps=1e-6, dout=None):
    """Compare an analytic gradient with :func:`numerical_gradient`.

    Parameters
    ----------
    f, x, eps, dout
        As in :func:`numerical_gradient`.
    analytic : ndarray, same shape as ``x``
        The gradient to check, e.g. ``dx`` from a backward function.

    Returns
    -------
    float
        The maximum relative error (see :func:`relative_error`). In float64 a
        correct backward pass gives about 1e-9 or less; 1e-7 is the book's bar.

    Examples
    --------
    >>> x = np.array([1.0, -2.0, 3.0])
    >>> gradient_check(lambda v: (v ** 3).sum(), x, 3 * x ** 2) < 1e-7
    True
    """
    analytic = as_float_array(analytic, "analytic")
    x_arr = np.asarray(x)
    if analytic.shape != x_arr.shape:
        raise ValueError(
            f"analytic must have the shape of x {x_arr.shape}, got analytic.shape={analytic.shape}"
        )
    return relative_error(analytic, numerical_gradient(f, x, eps, dout))
