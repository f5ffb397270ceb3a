"""Figures for the loss-function chapter.

Both figures compute their curves and bars with :mod:`cnnbook`'s own losses,
so what the reader sees is what the library computes.
"""

import numpy as np

from .. import binary_cross_entropy, sigmoid, softmax, softmax_cross_entropy
from ._base import BLUE, ORANGE, VERMILLION, new_figure

__all__ = ["binary_loss_curves", "plot_binary_losses", "plot_softmax_gradient"]


def binary_loss_curves(z, t=1.0):
    """Loss and gradient, as functions of the logit, for one sigmoid output.

    Compares cross-entropy with the squared error ``(sigmoid(z) - t)**2 / 2``.

    Parameters
    ----------
    z : ndarray, shape (M,)
        Logits.
    t : float
        The target, 0 or 1.

    Returns
    -------
    dict of ndarray, each shape (M,)
        ``'ce'``, ``'ce_grad'``: cross-entropy ``-(t ln y + (1-t) ln(1-y))`` with
        ``y = sigmoid(z)`` (from :func:`cnnbook.binary_cross_entropy`) and its
        derivative ``y - t``; ``'se'``, ``'se_grad'``: squared error and its
        derivative ``(y - t) y (1 - y)``.

    Examples
    --------
    >>> c = binary_loss_curves(np.array([0.0]), t=1.0)
    >>> round(float(c['ce'][0]), 4), float(c['ce_grad'][0]), float(c['se_grad'][0])
    (0.6931, -0.5, -0.125)
    """
    z = np.asarray(z, dtype=float)
    if z.ndim != 1:
        raise ValueError(f"z must be a 1-D array of logits, got z.shape={z.shape}")
    if t not in (0, 1):
        raise ValueError(f"t must be 0 or 1, got t={t!r}")
    y = sigmoid(z)
    ce = np.array([binary_cross_entropy(y[i:i + 1], np.array([float(t)]))[0] for i in range(z.size)])
    return {"ce": ce, "ce_grad": y - t, "se": (y - t) ** 2 / 2, "se_grad": (y - t) * y * (1 - y)}


def plot_binary_losses(z_min=-6.0, z_max=6.0, t=1.0, num=241):
    """Cross-entropy against squared error for a sigmoid output: loss and slope.

    Parameters
    ----------
    z_min, z_max : float
        Range of the logit ``z``.
    t : float
        Target, 0 or 1.
    num : int
        Number of points.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: 'loss' and 'gradient dL/dz', each with a cross-entropy line
        (solid) and a squared-error line (dashed).

    Examples
    --------
    >>> fig = plot_binary_losses()
    >>> [ax.get_title() for ax in fig.axes]
    ['loss (target t = 1)', 'gradient dL/dz (target t = 1)']
    """
    if not z_min < z_max:
        raise ValueError(f"z_min must be below z_max, got z_min={z_min!r}, z_max={z_max!r}")
    z = np.linspace(z_min, z_max, num)
    c = binary_loss_curves(z, t)
    fig = new_figure(8.3, 4.6, layout="constrained")
    ax_loss, ax_grad = fig.subplots(1, 2)
    ax_loss.plot(z, c["ce"], color=BLUE, lw=2, label="cross-entropy")
    ax_loss.plot(z, c["se"], color=VERMILLION, lw=2, ls="--", label="squared error")
    ax_grad.plot(z, c["ce_grad"], color=BLUE, lw=2, label="cross-entropy: y − t")
    ax_grad.plot(z, c["se_grad"], color=VERMILLION, lw=2, ls="--", label="squared error: (y − t)·y(1 − y)")
    ax_grad.axhline(0, color="grey", lw=0.8)
    wrong = z < 0 if t == 1 else z > 0
    for ax in (ax_loss, ax_grad):
        ax.axvspan(z[wrong].min(), z[wrong].max(), color=ORANGE, alpha=0.15, lw=0)
        ax.set_xlabel("logit z")
        ax.grid(alpha=0.3)
    # The label sits at the top of the shaded region, against its inner edge (z = 0), where the
    # cross-entropy curve is low: at the outer edge (z = z_min for t = 1) the curve runs through it.
    inset = 0.02 * (z_max - z_min)
    ax_loss.text(z[wrong].max() - inset if t == 1 else z[wrong].min() + inset, 0.95, "confidently\nwrong",
                 transform=ax_loss.get_xaxis_transform(), ha="right" if t == 1 else "left", va="top",
                 fontsize=8)
    t_label = int(t)
    ax_loss.set_title(f"loss (target t = {t_label})", fontsize=10)
    ax_grad.set_title(f"gradient dL/dz (target t = {t_label})", fontsize=10)
    # Legends below the axes: inside, at the caption's size, they would cover the curves.
    for ax in (ax_loss, ax_grad):
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False)
    return fig


def plot_softmax_gradient(logits, target, class_names=None):
    """Softmax probabilities of one example and the gradient ``y - t`` of its loss.

    Parameters
    ----------
    logits : array_like, shape (K,)
    target : int
        The true class, in ``[0, K)``.
    class_names : sequence of str, optional
        Tick labels; default ``'0'``, ``'1'``, ...

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: 'probabilities y = softmax(z)' and 'gradient dL/dz = y − t'.
        The bars hold exactly ``cnnbook.softmax(logits)`` and the ``dlogits``
        of :func:`cnnbook.softmax_cross_entropy` (N = 1). For up to 10 classes
        each bar carries its value (2 decimals) just beyond its end; with more
        classes the labels would overlap and are omitted.

    Examples
    --------
    >>> fig = plot_softmax_gradient([2.0, 1.0, 0.1], 0)
    >>> [ax.get_title() for ax in fig.axes]
    ['probabilities y = softmax(z)', 'gradient dL/dz = y − t']
    """
    z = np.asarray(logits, dtype=float)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"logits must be a 1-D array of at least 2 scores, got shape {z.shape}")
    K = z.size
    if not (isinstance(target, (int, np.integer)) and 0 <= target < K):
        raise ValueError(f"target must be an int in [0, {K}), got target={target!r}")
    names = [str(k) for k in range(K)] if class_names is None else list(class_names)
    if len(names) != K:
        raise ValueError(f"class_names must have {K} entries, got {len(names)}")
    y = softmax(z)
    loss, dz = softmax_cross_entropy(z[None, :], np.array([target]))
    fig = new_figure(8.5, 2.8, layout="constrained")
    ax_p, ax_g = fig.subplots(1, 2)
    colours = [ORANGE if k == target else BLUE for k in range(K)]
    hatches = ["//" if k == target else "" for k in range(K)]
    for ax, values in ((ax_p, y), (ax_g, dz[0])):
        bars = ax.bar(range(K), values, color=colours, edgecolor="black", linewidth=0.6)
        for bar, hatch in zip(bars, hatches):
            bar.set_hatch(hatch)
        # Each value is printed just outside the end of its bar (3 points of padding), above a
        # bar that points up and below one that points down; signed values get a true minus sign.
        # Up to ten classes the labels fit side by side (smaller type from seven on); beyond that
        # they would overlap, and the bars are left unlabelled.
        if K <= 10:
            labels = [f"{v:+.2f}".replace("-", "−") if ax is ax_g else f"{v:.2f}" for v in values]
            ax.bar_label(bars, labels=labels, padding=3, fontsize=8 if K <= 6 else 6)
        ax.set_xticks(range(K), names)
        ax.set_xlabel("class (hatched: the true class)")
        ax.axhline(0, color="grey", lw=0.8)
    ax_p.set_ylim(0, 1.2)
    lo, hi = min(dz.min(), 0), max(dz.max(), 0)
    margin = 0.3 * (hi - lo)                          # room for the labels beyond the longest bars
    ax_g.set_ylim(lo - margin, hi + margin)
    ax_p.set_title("probabilities y = softmax(z)", fontsize=10)
    ax_g.set_title("gradient dL/dz = y − t", fontsize=10)
    fig.suptitle(f"loss = −ln y[{names[target]}] = {loss:.3f}", fontsize=9)
    return fig
