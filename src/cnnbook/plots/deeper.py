"""Figures for chapter 11 (training deeper networks): scales per layer, and the residual block.

:func:`plot_layer_scales` draws what :func:`cnnbook.deep.layer_scales`
measures, the standard deviation of every convolution's output and of the
gradient at it, for several networks on log axes: a healthy network is a
flat line, a vanishing or exploding one a straight slope.
:func:`draw_residual_block` draws the block of :func:`cnnbook.nn.residual_block`.
"""

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ._base import BLUE, LINE_STYLES, ORANGE, VERMILLION, new_figure

__all__ = ["plot_layer_scales", "draw_residual_block"]



def _scales(value, label):
    """(activation_std, gradient_std) of a LayerScales-like object, as float arrays of one length."""
    try:
        act = np.asarray(value.activation_std, dtype=float)
        grad = np.asarray(value.gradient_std, dtype=float)
    except AttributeError:
        raise TypeError(f"runs[{label!r}] must have activation_std and gradient_std (what "
                        f"cnnbook.deep.layer_scales returns), got {type(value).__name__}") from None
    if act.ndim != 1 or act.size == 0 or act.shape != grad.shape:
        raise ValueError(f"runs[{label!r}] must hold one activation_std and one gradient_std per layer, "
                         f"got shapes {act.shape} and {grad.shape}")
    return act, grad


def _text_pt(fig):
    """Smallest font size (points) at which text shows as large as the web book's captions.

    A figure ``w`` inches wide shows ``min(80 w, 672)`` CSS pixels wide (the
    content column), and caption text is 16 px: ``16 * 72 * w / min(dpi w, 672)``.
    """
    width = fig.get_figwidth()
    return round(16 * 72 * width / min(width * fig.dpi, 672), 2) + 0.01


def plot_layer_scales(runs, *, title=None):
    """Two log-scale panels: each layer's activation std (left) and weight-gradient std (right), per network.

    Parameters
    ----------
    runs : dict of str -> LayerScales
        Label -> what :func:`cnnbook.deep.layer_scales` returned (anything with
        ``activation_std`` and ``gradient_std``, one value per layer). At most
        six networks; they may have different depths.
    title : str, optional
        Shown above the two panels.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes, both with a logarithmic y axis; layer 1 is next to the input.
        A std of exactly 0 is left out (it has no logarithm). The legend sits
        under the panels. Every text is at least as large as the web book's
        caption text.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> s = SimpleNamespace(activation_std=[1.0, 0.1, 0.01], gradient_std=[1e-3, 1e-2, 1e-1])
    >>> fig = plot_layer_scales({"std 0.01": s})
    >>> [ax.get_yscale() for ax in fig.axes], fig.axes[0].lines[0].get_label()
    (['log', 'log'], 'std 0.01')
    """
    if not isinstance(runs, dict) or not runs:
        raise ValueError(f"runs must be a non-empty dict of label -> layer scales, got {runs!r:.80}")
    if len(runs) > len(LINE_STYLES):
        raise ValueError(f"runs can hold at most {len(LINE_STYLES)} networks (one style each), got {len(runs)}")
    series = {str(label): _scales(value, label) for label, value in runs.items()}
    fig = new_figure(8.4, 4.6, layout="constrained")
    size = _text_pt(fig)
    axes = [fig.add_subplot(1, 2, k) for k in (1, 2)]
    longest = max(len(a) for a, _ in series.values())
    for (label, pair), (colour, style, marker) in zip(series.items(), LINE_STYLES):
        for ax, values in zip(axes, pair):
            x = np.arange(1, len(values) + 1)
            shown = np.where(values > 0, values, np.nan)      # log axis: zeros are left out
            ax.plot(x, shown, label=label, color=colour, linestyle=style, marker=marker, markersize=5)
    step = 1 if longest <= 6 else 2 if longest <= 12 else 4
    for ax, what in zip(axes, ("activations (after ReLU)", "weight gradients dL/dw")):
        ax.set_yscale("log")
        ax.axhline(1.0, color="gray", linewidth=0.8, linestyle=":")
        ax.set_xlabel("convolution", fontsize=size)
        ax.set_title(what, fontsize=size)
        ax.set_xticks(np.arange(1, longest + 1, step))
        ax.tick_params(which="both", labelsize=size)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("standard deviation", fontsize=size)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=min(len(series), 3),
               fontsize=size, frameon=False)
    if title:
        fig.suptitle(title, fontsize=size)
    return fig


def draw_residual_block(labels=("conv\n3×3", "batch\nnorm", "ReLU", "conv\n3×3", "batch\nnorm")):
    """The residual block as a diagram: the body's layers in a row, the identity arched over them.

    Parameters
    ----------
    labels : sequence of str
        The body's layers, in order (default: those of :func:`cnnbook.nn.residual_block`).

    Returns
    -------
    matplotlib.figure.Figure
        One axes. Its patches are one box per label, the add node (the circle
        "+") and the final ReLU; its texts are the labels. Every text is at
        least as large as the web book's caption text.

    Examples
    --------
    >>> fig = draw_residual_block(["conv", "ReLU"])
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['+', 'ReLU', 'ReLU', 'conv', 'dx = dout + body.backward(dout)', 'identity', 'x', 'x + F(x)']
    """
    labels = [str(s) for s in labels]
    if not labels:
        raise ValueError(f"labels must name at least one layer of the body, got labels={labels!r}")
    n = len(labels)
    width, gap, y = 1.0, 0.45, 0.0
    end = n * (width + gap) + 0.2 + 0.6 + 0.8           # the body, the add node, the last ReLU
    span_x, span_y = end + 1.5, 3.4                      # data units shown: x from -0.8, y from -1.5
    fig = new_figure(min(8.4, 0.82 * span_x), min(8.4, 0.82 * span_x) * span_y / span_x)
    size = _text_pt(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    arrow = dict(arrowstyle="-|>", mutation_scale=12, color="black", linewidth=1.0)
    ax.text(-0.5, y, "x", ha="center", va="center", fontsize=size)
    x, prev = 0.0, -0.3
    for label in labels:
        ax.add_patch(FancyBboxPatch((x, y - 0.45), width, 0.9, boxstyle="round,pad=0.03", facecolor="#dbe9f6",
                                    edgecolor=BLUE))
        ax.text(x + width / 2, y, label, ha="center", va="center", fontsize=size, linespacing=1.0)
        ax.add_patch(FancyArrowPatch((prev, y), (x, y), **arrow))
        prev = x + width
        x += width + gap
    add = x + 0.2
    ax.add_patch(FancyArrowPatch((prev, y), (add - 0.2, y), **arrow))
    ax.add_patch(FancyBboxPatch((add - 0.2, y - 0.2), 0.4, 0.4, boxstyle="circle,pad=0", facecolor="white",
                                edgecolor="black"))
    ax.text(add, y, "+", ha="center", va="center", fontsize=size)
    relu = add + 0.6
    ax.add_patch(FancyBboxPatch((relu, y - 0.45), 0.8, 0.9, boxstyle="round,pad=0.03", facecolor="#fde8c8",
                                edgecolor=ORANGE))
    ax.text(relu + 0.4, y, "ReLU", ha="center", va="center", fontsize=size)
    ax.add_patch(FancyArrowPatch((add + 0.2, y), (relu, y), **arrow))
    ax.add_patch(FancyArrowPatch((relu + 0.8, y), (relu + 1.3, y), **arrow))
    # The identity: up from x, over the body, down into the add node.
    top = y + 1.0
    ax.plot([-0.2, -0.2, add], [y, top, top], color=VERMILLION, linewidth=1.8)
    ax.add_patch(FancyArrowPatch((add, top), (add, y + 0.2), arrowstyle="-|>", mutation_scale=12,
                                 color=VERMILLION, linewidth=1.8))
    ax.text(add / 2, top + 0.08, "identity", ha="center", va="bottom", fontsize=size, color=VERMILLION)
    ax.text(add / 2, y - 0.95, "dx = dout + body.backward(dout)", ha="center", va="center", fontsize=size,
            color=VERMILLION)
    ax.text(add + 0.1, y + 0.55, "x + F(x)", ha="left", va="bottom", fontsize=size)
    ax.set_xlim(-0.8, -0.8 + span_x)
    ax.set_ylim(-1.5, -1.5 + span_y)
    return fig
