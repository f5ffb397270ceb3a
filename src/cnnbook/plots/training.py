"""Training curves, confusion matrices and activation maps on a shared scale."""

import textwrap

import numpy as np

from matplotlib.colors import to_rgb

from ._base import BLUE, GREEN, MIN_TEXT_PT, ORANGE, VERMILLION, new_figure, text_width_in

__all__ = ["plot_curves", "plot_confusion", "show_activations"]


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


#: Legend text for the keys that :func:`cnnbook.models.fit` writes.
_SPLITS = {"train": "training", "val": "validation", "test": "test"}
# split -> (colour, line style, marker): distinct in greyscale print too.
_SPLIT_STYLE = {"train": (BLUE, "-", "o"), "val": (ORANGE, "--", "s"), "test": (VERMILLION, ":", "^")}
_MARK_STYLES = (("gray", ":"), (GREEN, "-."), (VERMILLION, (0, (5, 2))), (BLUE, (0, (1, 1))))


def _readable(name):
    """'val_loss' -> 'validation'; unknown names lose their underscores."""
    split = name.split("_", 1)[0]
    if split in _SPLITS and name.split("_", 1)[-1] in ("loss", "acc", "accuracy"):
        return _SPLITS[split]
    return name.replace("_", " ")


def plot_curves(history, *, labels=None, marks=None):
    """Plot training curves: losses on the left, accuracies on the right.

    Series whose name contains 'loss' go in the first panel, those containing
    'acc' in the second (panels only when present). Training series are
    solid with circles, validation dashed with squares, test dotted with
    triangles, so the figure reads in greyscale. The legend says
    'training', 'validation', 'test' rather than the dictionary keys.

    Parameters
    ----------
    history : dict of str -> sequence of float, or list of dict
        For example ``{'train_loss': [...], 'val_loss': [...], 'val_acc': [...]}``,
        one value per epoch, or the list that :func:`cnnbook.models.fit`
        returns. 'epoch' and 'lr' keys are ignored.
    labels : dict of str -> str, optional
        Legend text for some series, overriding the defaults, e.g.
        ``{'train_acc': 'training (during the epoch)'}``.
    marks : dict of str -> float, optional
        Milestones drawn as vertical lines on every panel, legend text ->
        epoch, e.g. ``{'lr ÷ 10': 14.5, 'best validation loss': 9}``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_curves({'train_loss': [2.0, 1.0], 'val_acc': [0.5, 0.8]}, marks={'stop': 2})
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['loss', 'accuracy']
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['training', 'stop']
    """
    series = _as_history(history)
    series.pop("lr", None)
    labels = {} if labels is None else dict(labels)
    unknown = sorted(set(labels) - set(series))
    if unknown:
        raise ValueError(f"labels names series that are not in history: {unknown}; history has {sorted(series)}")
    marks = {} if marks is None else dict(marks)
    if len(marks) > len(_MARK_STYLES):
        raise ValueError(f"marks can hold at most {len(_MARK_STYLES)} milestones, got {len(marks)}")
    for text, x in marks.items():
        if isinstance(x, bool) or not isinstance(x, (int, float, np.number)) or not np.isfinite(x):
            raise ValueError(f"marks[{text!r}] must be an epoch number, got {x!r}")
    groups = {"loss": {}, "accuracy": {}, "value": {}}
    for name, values in series.items():
        key = "loss" if "loss" in name else "accuracy" if "acc" in name else "value"
        groups[key][name] = values
    groups = {k: v for k, v in groups.items() if v}
    # At most the book's column wide; legends under the axes, where at the caption's size
    # they cover no curve.
    lines = 2 + sum(-(-len(str(text)) // 32) for text in marks)        # legend lines under each panel
    fig = new_figure(min(8.3, 4.2 * len(groups)), 3.3 + 0.33 * lines, layout="constrained")
    for i, (label, members) in enumerate(groups.items()):
        ax = fig.add_subplot(1, len(groups), i + 1)
        for name, values in members.items():
            colour, style, marker = _SPLIT_STYLE.get(name.split("_", 1)[0], _SPLIT_STYLE["val"])
            epochs = np.arange(1, len(values) + 1)
            ax.plot(epochs, values, label=labels.get(name, _readable(name)), color=colour,
                    linestyle=style, marker=marker, markersize=3, markevery=max(1, len(values) // 25))
        for (text, x), (colour, style) in zip(marks.items(), _MARK_STYLES):
            ax.axvline(x, color=colour, linestyle=style, linewidth=1.2, label=str(text))
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        # Long labels on two lines, so that each legend stays as wide as its panel.
        handles, texts = ax.get_legend_handles_labels()
        ax.legend(handles, [textwrap.fill(t, 32) for t in texts], fontsize=8, loc="upper center",
                  bbox_to_anchor=(0.5, -0.25), frameon=False)
    return fig


def plot_confusion(cm, labels=None, *, normalize=False):
    """Draw a confusion matrix: correct counts in blue, mistakes in red, zeros blank.

    Only nonzero cells are printed. The diagonal is shaded by its count; every
    nonzero off-diagonal cell (a mistake) is filled in vermillion with its
    count in bold, however small, so one error never looks like an empty cell.

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
    >>> ax.get_xlabel(), [t.get_text() for t in ax.texts]   # zeros are left blank
    ('predicted', ['5', '1', '4'])
    """
    cm = np.asarray(cm, dtype=float)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square (K, K) array, got cm.shape={cm.shape}")
    K = cm.shape[0]
    labels = [str(i) for i in range(K)] if labels is None else [str(v) for v in labels]
    if len(labels) != K:
        raise ValueError(f"labels must have {K} entries, one per class, got {len(labels)}")
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    fmt = "{:.2f}" if normalize else "{:.0f}"
    size = min(6.0, 0.45 * K + 1.4)
    fig = new_figure(size, size)
    ax = fig.add_axes((0.2, 0.18, 0.75, 0.72))
    # Colour says what a cell is: white = no example, blue = correct (diagonal,
    # darker = more), vermillion = a mistake. A single colour scale would make
    # 1 or 2 errors next to a diagonal of 50 look exactly like 0.
    rgb = np.ones((K, K, 3))                                          # (K, K, RGB) white
    diag = np.eye(K, dtype=bool)
    top = max(shown[diag].max(), 1e-12)
    blues = np.array([0.78, 0.87, 0.95]), np.array([0.03, 0.27, 0.58])   # light blue -> dark blue
    t = (shown[diag] / top)[:, None]                                  # (K, 1)
    rgb[diag] = (1 - t) * blues[0] + t * blues[1]
    errors = ~diag & (cm > 0)
    rgb[errors] = to_rgb(VERMILLION)
    ax.imshow(rgb, interpolation="nearest")
    for i, j in zip(*np.nonzero(cm > 0)):
        colour = "white" if errors[i, j] or (shown[i, j] / top) > 0.45 else "black"
        ax.text(j, i, fmt.format(shown[i, j]), ha="center", va="center", fontsize=8, color=colour,
                fontweight="bold" if errors[i, j] else "normal")
    ax.set_xticks(np.arange(K + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(K + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="0.85", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(np.arange(K), labels=labels, fontsize=8)
    ax.set_yticks(np.arange(K), labels=labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    n_err = int(cm[errors].sum())
    ax.set_title(("confusion matrix (row fractions)" if normalize else "confusion matrix")
                 + f": {n_err} error{'s' * (n_err != 1)} in red, blank = 0", fontsize=9)
    return fig


def show_activations(maps, channels=None, *, ncols=8, panel=1.1, cmap="viridis"):
    """Activation maps on one shared colour scale, with a colour bar.

    Every panel uses the same scale, from 0 to the largest value shown, so a
    dim map is a weak response and not a rescaled strong one; the colour bar
    gives the numbers.

    Parameters
    ----------
    maps : ndarray, shape (C, H, W) or (1, C, H, W)
        E.g. the output of a ReLU for one image.
    channels : sequence of int, optional
        Which channels to show, in this order; default all.
    ncols : int, default 8
        Most panels per row; fewer if their titles would not fit the book's
        column side by side.
    panel : float, default 1.1
        Width of a panel in inches.
    cmap : str, default 'viridis'

    Returns
    -------
    matplotlib.figure.Figure
        One axes per map, titled 'channel k', then the colour bar's axes.

    Examples
    --------
    >>> fig = show_activations(np.arange(48.0).reshape(3, 4, 4), channels=[2, 0])
    >>> [ax.get_title() for ax in fig.axes[:2]], len(fig.axes)
    (['channel 2', 'channel 0'], 3)
    """
    arr = np.asarray(maps, dtype=float)
    if arr.ndim == 4 and arr.shape[0] == 1:
        arr = arr[0]                                                  # (C, H, W)
    if arr.ndim != 3:
        raise ValueError(f"maps must have shape (C, H, W) or (1, C, H, W), got maps.shape={np.shape(maps)}")
    C, H, W = arr.shape
    channels = list(range(C)) if channels is None else [int(k) for k in channels]
    bad = [k for k in channels if not 0 <= k < C]
    if not channels or bad:
        raise ValueError(f"channels must be a non-empty list of indices in 0..{C - 1}, got channels={channels!r}")
    if not (isinstance(ncols, (int, np.integer)) and ncols >= 1):
        raise ValueError(f"ncols must be a positive int, got ncols={ncols!r}")
    if not (isinstance(panel, (int, float)) and panel > 0):
        raise ValueError(f"panel must be a positive number of inches, got panel={panel!r}")
    # No more columns than titles at the caption's size fit side by side in the book's
    # column (beside the colour bar); the rows are then filled evenly.
    title_w = text_width_in(f"channel {max(channels)}") + 0.2
    ncols = min(ncols, len(channels), max(1, int((8.3 - 0.9) // max(panel, title_w))))
    ncols = -(-len(channels) // -(-len(channels) // ncols))
    nrows = -(-len(channels) // ncols)
    panel = max(panel, title_w)
    fig = new_figure(ncols * panel + 0.9, nrows * (panel * H / W + 0.35), layout="constrained")
    grid = fig.add_gridspec(nrows, ncols)
    hi = max(float(arr[channels].max()), 1e-12)
    for i, k in enumerate(channels):
        ax = fig.add_subplot(grid[i // ncols, i % ncols])
        image = ax.imshow(arr[k], cmap=cmap, vmin=0.0 if arr.min() >= 0 else float(arr[channels].min()),
                          vmax=hi, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"channel {k}", fontsize=MIN_TEXT_PT)
    fig.colorbar(image, ax=fig.axes, shrink=0.9, label="activation")
    return fig
