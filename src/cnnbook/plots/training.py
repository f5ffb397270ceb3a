"""Training curves and confusion matrices."""

import numpy as np

from ._base import BLUE, ORANGE, new_figure
from .grids import show_grid

__all__ = ["plot_curves", "plot_confusion"]


def _as_history(history):
    """Accept a dict of lists or a list of per-epoch dicts; return a dict of arrays."""
    if isinstance(history, dict):
        series = {k: np.asarray(v, dtype=float) for k, v in history.items()}
    elif isinstance(history, (list, tuple)) and all(isinstance(h, dict) for h in history):
        keys = list(dict.fromkeys(k for h in history for k in h))
        series = {k: np.array([h.get(k, np.nan) for h in history], dtype=float) for k in keys}
    else:
        raise TypeError(
            "history must be a dict of lists (e.g. {'train_loss': [...]}) or a list of "
            f"per-epoch dicts, got {type(history).__name__}"
        )
    series.pop("epoch", None)
    if not series:
        raise ValueError("history must hold at least one series, got an empty history")
    for k, v in series.items():
        if v.ndim != 1:
            raise ValueError(f"history[{k!r}] must be a 1-D sequence, got shape {v.shape}")
    return series


def plot_curves(history):
    """Plot training curves: losses on the left, accuracies on the right.

    Series whose name contains 'loss' go in the first panel, those containing
    'acc' in the second (panels only when present). Training series are
    solid with circles and validation/test series dashed with squares, so the
    figure reads in greyscale.

    Parameters
    ----------
    history : dict of str -> sequence of float, or list of dict
        For example ``{'train_loss': [...], 'val_loss': [...], 'val_acc': [...]}``,
        one value per epoch. An 'epoch' key is ignored.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_curves({'train_loss': [2.0, 1.0], 'val_acc': [0.5, 0.8]})
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['loss', 'accuracy']
    """
    series = _as_history(history)
    groups = {"loss": {}, "accuracy": {}, "value": {}}
    for name, values in series.items():
        key = "loss" if "loss" in name else "accuracy" if "acc" in name else "value"
        groups[key][name] = values
    groups = {k: v for k, v in groups.items() if v}
    fig = new_figure(4.2 * len(groups), 3.0, layout="constrained")
    for i, (label, members) in enumerate(groups.items()):
        ax = fig.add_subplot(1, len(groups), i + 1)
        for name, values in members.items():
            train = "train" in name
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, label=name, color=BLUE if train else ORANGE,
                    linestyle="-" if train else "--", marker="o" if train else "s", markersize=3)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return fig


def plot_confusion(cm, labels=None, *, normalize=False):
    """Draw a confusion matrix with its counts printed in the cells.

    Parameters
    ----------
    cm : array_like, shape (K, K)
        ``cm[i, j]`` counts examples of true class i predicted as class j.
    labels : sequence of str, optional
        Class names; default '0', '1', ...
    normalize : bool
        Show each row as fractions of that class (recall on the diagonal).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_confusion([[5, 1], [0, 4]], labels=['cat', 'dog'])
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), [t.get_text() for t in ax.texts]
    ('predicted', ['5', '1', '0', '4'])
    """
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square (K, K) array, got cm.shape={cm.shape}")
    K = cm.shape[0]
    labels = [str(i) for i in range(K)] if labels is None else [str(v) for v in labels]
    if len(labels) != K:
        raise ValueError(f"labels must have {K} entries, one per class, got {len(labels)}")
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    size = min(6.0, 0.45 * K + 1.4)
    fig = new_figure(size, size)
    ax = fig.add_axes((0.2, 0.18, 0.75, 0.72))
    show_grid(shown, ax=ax, cmap="cividis", vmin=0, fmt="{:.2f}" if normalize else "{:.0f}")
    ax.set_xticks(np.arange(K), labels=labels, fontsize=8)
    ax.set_yticks(np.arange(K), labels=labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix" + (" (row fractions)" if normalize else ""), fontsize=9)
    return fig
