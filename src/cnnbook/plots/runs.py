"""Comparing training runs: several learning curves on one axes, and two runs that should agree.

:func:`~cnnbook.plots.plot_curves` draws one run (train and test series of
the same model). The figures here compare *different* runs: the same network
trained with several learning rates, or the same training done by two
libraries, where the interesting number is how far apart the two curves are.
"""

import numpy as np

from ._base import BLUE, LINE_STYLES, ORANGE, VERMILLION, new_figure

__all__ = ["plot_runs", "plot_agreement"]



def _series(values, name):
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of numbers, got shape {arr.shape}")
    return arr


def plot_runs(runs, *, xlabel="epoch", ylabel="loss", logy=False, title=None, ax=None):
    """Draw several runs' curves on one axes, one style per run.

    Parameters
    ----------
    runs : dict of str -> sequence of float
        Label -> one value per epoch (or step); the x axis counts from 1.
        Runs may have different lengths; NaN or inf values leave gaps.
    xlabel, ylabel : str
    logy : bool, default False
        Logarithmic y axis (for losses spanning several orders of magnitude).
    title : str, optional
    ax : matplotlib.axes.Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_runs({'lr = 0.1': [2.3, 1.0, 0.5], 'lr = 0.01': [2.3, 2.1, 1.9]})
    >>> ax = fig.axes[0]
    >>> [line.get_label() for line in ax.lines], ax.get_xlabel()
    (['lr = 0.1', 'lr = 0.01'], 'epoch')
    """
    if not isinstance(runs, dict) or not runs:
        raise ValueError(f"runs must be a non-empty dict of label -> sequence, got {type(runs).__name__} "
                         f"{runs!r:.60}")
    if len(runs) > len(LINE_STYLES):
        raise ValueError(f"runs can hold at most {len(LINE_STYLES)} curves (one style each), got {len(runs)}")
    series = {str(label): _series(values, f"runs[{label!r}]") for label, values in runs.items()}
    if ax is None:
        fig = new_figure(6.0, 3.2 + 0.3 * len(series), layout="constrained")
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    longest = max(len(v) for v in series.values())
    for (label, values), (colour, style, marker) in zip(series.items(), LINE_STYLES):
        x = np.arange(1, len(values) + 1)
        ax.plot(x, values, label=label, color=colour, linestyle=style, marker=marker, markersize=4,
                markevery=max(1, len(values) // 20))
    if logy:
        ax.set_yscale("log")
    if longest <= 20:
        ax.set_xticks(np.arange(1, longest + 1))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    # Under the axes: inside, at the caption's size, the legend would cover the curves.
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    return fig


def plot_agreement(a, b, labels=("cnnbook", "PyTorch"), *, xlabel="step", ylabel="loss"):
    """Two runs that should coincide: both curves, and their absolute difference.

    Left panel: ``a`` (solid) and ``b`` (dashed) on top of each other. Right
    panel: ``|a - b|`` per step on a logarithmic scale, so a difference of
    1e-15 (rounding) and one of 1e-3 (a bug) look nothing alike. Steps where the
    two agree exactly cannot be drawn on a log scale; the legend counts them.

    Parameters
    ----------
    a, b : sequence of float, same length
        E.g. the loss of every training step, from two implementations.
    labels : (str, str)
    xlabel, ylabel : str

    Returns
    -------
    matplotlib.figure.Figure
        Two axes; the second one's y axis is logarithmic.

    Examples
    --------
    >>> fig = plot_agreement([2.0, 1.5, 1.0], [2.0, 1.5 + 1e-12, 1.0])
    >>> left, right = fig.axes
    >>> right.get_yscale(), right.get_legend().get_texts()[0].get_text()
    ('log', '|difference|: max 1e-12,\\nexactly 0 at 2 of 3 steps')
    """
    a, b = _series(a, "a"), _series(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length, got {len(a)} and {len(b)}")
    if len(labels) != 2:
        raise ValueError(f"labels must be two strings, got labels={labels!r}")
    diff = np.abs(a - b)
    zeros = int(np.sum(diff == 0))
    fig = new_figure(8.3, 4.4, layout="constrained")
    left = fig.add_subplot(1, 2, 1)
    x = np.arange(1, len(a) + 1)
    left.plot(x, a, color=BLUE, linestyle="-", linewidth=2.5, label=str(labels[0]))
    left.plot(x, b, color=ORANGE, linestyle="--", linewidth=1.5, label=str(labels[1]))
    left.set_xlabel(xlabel)
    left.set_ylabel(ylabel)
    left.grid(alpha=0.3)
    # Legends under the axes: at the caption's size they would cover the points.
    left.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), frameon=False)
    right = fig.add_subplot(1, 2, 2)
    shown = np.where(diff > 0, diff, np.nan)  # log scale: exact zeros are counted, not drawn
    right.plot(x, shown, color=VERMILLION, linestyle="none", marker="o", markersize=3,
               label=f"|difference|: max {diff.max():.2g},\nexactly 0 at {zeros} of {len(a)} {xlabel}s")
    right.set_yscale("log")
    if zeros == len(a):
        right.set_ylim(1e-17, 1e-15)  # nothing to draw; keep a sensible empty log axis
    right.set_xlim(left.get_xlim())
    right.set_xlabel(xlabel)
    right.set_ylabel(f"|{labels[0]} − {labels[1]}|")
    right.grid(alpha=0.3)
    right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), frameon=False)
    return fig
