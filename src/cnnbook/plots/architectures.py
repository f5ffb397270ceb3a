"""Figures for the chapter on ConvNet architectures.

The arithmetic they draw lives in :mod:`cnnbook.arch` (:func:`trace_layers`,
:func:`layer_costs`, :func:`coverage_counts`, importable from here too):

* :func:`plot_costs` -- where the parameters live and where the compute lives;
* :func:`plot_coverage` -- how many windows read each
  input pixel, with and without padding;
* :func:`plot_map_sizes` -- feature maps shrinking layer after layer without padding;
* :func:`plot_receptive_field` -- receptive fields growing with depth;
* :func:`plot_schedule` -- the "halve the size, double the channels" schedule.

Every number drawn comes from :func:`cnnbook.conv_output_size`,
:func:`cnnbook.pool_output_size` and :func:`cnnbook.receptive_field`, so a
figure cannot disagree with the formulas in the text.
"""

import numpy as np

from ..arch import coverage_counts, layer_costs, trace_layers
from ..shapes import conv_output_size, receptive_field
from ._base import BLUE, GREEN, ORANGE, OUTLINE_COLOURS, OUTLINE_STYLES, VERMILLION, new_figure, outline
from .grids import show_grid

__all__ = [
    "trace_layers",
    "layer_costs",
    "plot_costs",
    "coverage_counts",
    "plot_coverage",
    "plot_map_sizes",
    "plot_receptive_field",
    "plot_schedule",
    "plot_size_profiles",
    "receptive_boxes",
    "show_receptive_fields",
]

def _human(n):
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return str(n)


def plot_costs(rows, title=None):
    """Bar charts: each weighted layer's share of the parameters and of the multiply-adds.

    Parameters
    ----------
    rows : list of dict
        Output of :func:`trace_layers` or :func:`layer_costs`; layers without
        parameters (pooling) are left out of the chart.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_costs(trace_layers([('conv', 6, 5), ('pool', 2), ('fc', 10)], (1, 32, 32)))
    >>> [ax.get_title() for ax in fig.axes]
    ['parameters', 'multiply-adds per image']
    """
    rows = [r for r in rows if r["params"] > 0]
    if not rows:
        raise ValueError("rows has no layer with parameters to plot")
    labels = [r["label"] for r in rows]
    params = np.array([r["params"] for r in rows], dtype=float)
    macs = np.array([r["macs"] for r in rows], dtype=float)
    colours = [BLUE if r["kind"] == "conv" else ORANGE for r in rows]
    hatches = ["" if r["kind"] == "conv" else "//" for r in rows]
    fig = new_figure(9, 0.45 * len(rows) + 1.3, layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(rows))
    for ax, values, name in ((axes[0], params, "parameters"), (axes[1], macs, "multiply-adds per image")):
        share = 100 * values / values.sum()
        bars = ax.barh(y, share, color=colours, edgecolor="black", linewidth=0.6)
        for bar, hatch in zip(bars, hatches):
            bar.set_hatch(hatch)
        for yi, (s, v) in enumerate(zip(share, values)):
            ax.text(s + 1.5, yi, f"{_human(int(v))} ({s:.0f}%)", va="center", fontsize=8)
        ax.set_xlim(0, 130)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_xlabel("share of the total (%)")
        ax.set_title(name, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_yticks(y, labels=labels, fontsize=8)
    axes[0].invert_yaxis()
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_coverage(size=8, kernel_size=3, paddings=(0, 1), stride=1):
    """Grids of :func:`coverage_counts`, one panel per padding, counts printed.

    Parameters
    ----------
    size : int
        Height and width of the (square) input.
    kernel_size, stride : int
    paddings : sequence of int

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_coverage(6, 3, (0, 1))
    >>> [ax.get_title().split(':')[0] for ax in fig.axes]
    ['P = 0', 'P = 1']
    """
    grids = [coverage_counts(size, size, kernel_size, stride, p) for p in paddings]
    top = max(int(g.max()) for g in grids)
    fig = new_figure(min(9, 3.6 * len(grids)), 3.7)
    axes = fig.subplots(1, len(grids), squeeze=False)[0]
    for ax, p, g in zip(axes, paddings, grids):
        out = conv_output_size(size, kernel_size, stride, p)
        show_grid(g, ax=ax, cmap="cividis", vmin=0, vmax=top, fontsize=8)
        ax.set_title(f"P = {p}: {size}×{size} → {out}×{out}\ncorner read {g[0, 0]}×, centre {g[size // 2, size // 2]}×",
                     fontsize=9)
    fig.subplots_adjust(left=0.03, right=0.97, bottom=0.03, top=0.84, wspace=0.12)
    return fig


def plot_map_sizes(input_size=32, kernel_sizes=(3, 5), n_layers=16):
    """Spatial size after each conv layer: no padding shrinks, 'same' padding keeps.

    Parameters
    ----------
    input_size : int
    kernel_sizes : sequence of int
        One 'no padding' curve per kernel size (odd sizes).
    n_layers : int

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_map_sizes(32, (3,), 4)
    >>> [[int(v) for v in line.get_ydata()] for line in fig.axes[0].lines]
    [[32, 30, 28, 26, 24], [32, 32, 32, 32, 32]]
    """
    fig = new_figure(8.0, 5.0, layout="constrained")
    ax = fig.add_subplot()
    styles = iter(OUTLINE_STYLES)
    for k, colour in zip(kernel_sizes, (VERMILLION, ORANGE, GREEN)):
        sizes = [input_size]
        while len(sizes) <= n_layers and sizes[-1] >= k:
            sizes.append(conv_output_size(sizes[-1], k))
        ax.plot(range(len(sizes)), sizes, marker="o", markersize=3, color=colour,
                linestyle=next(styles), label=f"{k}×{k}, P = 0 (shrinks by {k - 1})")
        if len(sizes) <= n_layers:
            ax.annotate("no room for\nanother window", (len(sizes) - 1, sizes[-1]), xytext=(6, 12),
                        textcoords="offset points", fontsize=8, color=colour)
    same = [input_size] * (n_layers + 1)
    ax.plot(range(n_layers + 1), same, marker="o", markersize=3, color=BLUE,
            label="any odd F, P = (F − 1)/2 ('same')")
    ax.set_xlabel("conv layers applied")
    ax.set_ylabel("height = width of the map")
    ax.set_ylim(0, input_size * 1.1)
    # Below the axes: inside, at the caption's size, it would cover the lines.
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def plot_receptive_field(stacks):
    """Receptive field (in input pixels, per axis) after each layer of several stacks.

    Parameters
    ----------
    stacks : dict
        ``label -> (kernel_sizes, strides)``; see :func:`cnnbook.receptive_field`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_receptive_field({'3x3 convs': ([3, 3, 3], [1, 1, 1])})
    >>> [int(v) for v in fig.axes[0].lines[0].get_ydata()]
    [1, 3, 5, 7]
    """
    fig = new_figure(6, 3.2, layout="constrained")
    ax = fig.add_subplot()
    colours = (BLUE, VERMILLION, GREEN, ORANGE)
    for (label, (kernels, strides)), colour, style in zip(stacks.items(), colours, OUTLINE_STYLES):
        rf = [1] + [r for r, _ in receptive_field(kernels, strides)]
        ax.plot(range(len(rf)), rf, marker="o", markersize=3, color=colour, linestyle=style, label=label)
        ax.annotate(str(rf[-1]), (len(rf) - 1, rf[-1]), xytext=(4, 0), textcoords="offset points",
                    fontsize=8, va="center", color=colour)
    ax.set_xlabel("layers applied")
    ax.set_ylabel("receptive field (pixels per axis)")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def plot_schedule(rows, title=None):
    """The downsampling schedule of a network: size, channels and cost per conv layer.

    Three panels over the conv layers: spatial size H, number of channels K,
    and multiply-adds. With "halve the size, double the channels" the
    multiply-adds of a layer stay the same from stage to stage.

    Parameters
    ----------
    rows : list of dict
        Output of :func:`trace_layers` or :func:`layer_costs`.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> rows = trace_layers([('conv', 8, 3, 1, 1), ('pool', 2), ('conv', 16, 3, 1, 1)], (8, 16, 16))
    >>> fig = plot_schedule(rows)
    >>> [[int(v) for v in ax.lines[0].get_ydata()] if ax.lines else None for ax in fig.axes]
    [[16, 8], [8, 16], None]
    """
    convs = [r for r in rows if r["kind"] == "conv"]
    if not convs:
        raise ValueError("rows has no conv layer to plot")
    x = np.arange(1, len(convs) + 1)
    fig = new_figure(9, 2.9, layout="constrained")
    axes = fig.subplots(1, 3)
    axes[0].plot(x, [r["shape"][1] for r in convs], marker="o", markersize=3, color=BLUE)
    axes[0].set_ylabel("H = W")
    axes[0].set_title("spatial size", fontsize=10)
    axes[1].plot(x, [r["shape"][0] for r in convs], marker="s", markersize=3, color=VERMILLION)
    axes[1].set_ylabel("K")
    axes[1].set_title("channels", fontsize=10)
    axes[2].bar(x, [r["macs"] / 1e6 for r in convs], color=GREEN, edgecolor="black", linewidth=0.5)
    axes[2].set_ylabel("millions")
    axes[2].set_title("multiply-adds per layer", fontsize=10)
    for ax in axes:
        ax.set_xlabel("conv layer")
        ax.set_xticks(x[::-(-len(x) // 5)])     # at most 5 ticks: two-digit layer numbers need room
        ax.spines[["top", "right"]].set_visible(False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_size_profiles(networks):
    """Spatial size (log scale) after each layer of several networks, depth normalised to 0..1.

    Every line ends at the same stage, the classifier: its last step is the
    feature map the classifier head receives. A global average pooling counts
    as part of that head (it is what replaces flatten + dense layers, see
    :func:`cnnbook.global_avg_pool2d`), so a network ending in one stops at its
    last conv maps, like the others, and its legend entry says "then GAP".

    Parameters
    ----------
    networks : dict
        ``name -> (rows, input_size)`` with rows from :func:`trace_layers` or
        :func:`layer_costs`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> rows = trace_layers([('conv', 8, 3, 1, 1), ('pool', 2), ('conv', 8, 3, 1, 1), ('pool', 2)], (3, 16, 16))
    >>> fig = plot_size_profiles({'toy': (rows, 16)})
    >>> [int(v) for v in fig.axes[0].patches[0].get_data().values]
    [16, 16, 8, 8, 4]
    >>> gap = trace_layers([('conv', 8, 3, 2, 1), ('gap',), ('fc', 10)], (3, 16, 16))
    >>> fig = plot_size_profiles({'toy': (gap, 16)})
    >>> [int(v) for v in fig.axes[0].patches[0].get_data().values], fig.axes[0].get_legend().get_texts()[0].get_text()
    ([16, 8], 'toy (16 → 8, then GAP)')
    """
    fig = new_figure(8.0, 5.0, layout="constrained")
    ax = fig.add_subplot()
    colours = (BLUE, VERMILLION, GREEN, ORANGE, "#CC79A7", "#56B4E9")
    for (name, (rows, size)), colour, style in zip(networks.items(), colours, OUTLINE_STYLES * 2):
        kinds = [r["kind"] for r in rows]
        head = next((i for i, k in enumerate(kinds) if k in ("gap", "fc")), len(rows))  # where the classifier starts
        sizes = [size] + [r["shape"][1] for r in rows[:head]]
        edges = np.linspace(0, 1, len(sizes) + 1)  # one equal-width step per layer (and the input)
        then = ", then GAP" if head < len(rows) and kinds[head] == "gap" else ""
        ax.stairs(sizes, edges, color=colour, linestyle=style, linewidth=1.8, baseline=None,
                  label=f"{name} ({size} → {sizes[-1]}{then})")
    ax.axvline(1, color="0.5", linewidth=0.8, linestyle=":")
    ax.text(0.995, 1.02, "classifier", transform=ax.get_xaxis_transform(), ha="right", va="bottom",
            fontsize=8, color="0.3")
    ax.set_yscale("log", base=2)
    ax.set_yticks([1, 2, 4, 8, 16, 32, 64, 128, 256], labels=["1", "2", "4", "8", "16", "32", "64", "128", "256"])
    ax.set_xlabel("position in the network\n(input on the left, the maps the classifier receives on the right)")
    ax.set_ylabel("height = width (log scale)")
    ax.legend(fontsize=8, frameon=False, loc="lower left")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def receptive_boxes(size, kernel_sizes, strides, paddings=None):
    """Input rows (or columns) seen by the most central unit after each layer, on one axis.

    Parameters
    ----------
    size : int
        Input length along the axis.
    kernel_sizes, strides : sequence of int
    paddings : sequence of int, optional
        Default 0 for every layer.

    Returns
    -------
    list of (int, int)
        ``(first, last)`` input index (inclusive; may lie in the padding,
        i.e. below 0 or above ``size - 1``) read by the unit of each layer
        whose field is centred nearest to the input's centre. The width
        ``last - first + 1`` is the receptive field of
        :func:`cnnbook.receptive_field`.

    Notes
    -----
    Unit ``u`` of layer ``l`` reads inputs ``u*j_l + o_l`` to
    ``u*j_l + o_l + r_l - 1``, where the offset follows
    ``o_l = o_{l-1} - p_l*j_{l-1}`` from ``o_0 = 0`` (padding moves the first
    window to the left of the input).

    Examples
    --------
    >>> receptive_boxes(18, [3, 3, 2], [1, 1, 2], [1, 1, 0])
    [(8, 10), (7, 11), (6, 11)]
    """
    kernel_sizes, strides = list(kernel_sizes), list(strides)
    paddings = [0] * len(kernel_sizes) if paddings is None else list(paddings)
    fields = receptive_field(kernel_sizes, strides)
    centre = (size - 1) / 2
    boxes, n, offset, jump = [], size, 0, 1
    for k, s, p, (r, j) in zip(kernel_sizes, strides, paddings, fields):
        offset -= p * jump
        jump = j
        n = conv_output_size(n, k, s, p)
        u = int(np.clip(np.floor((centre - offset - (r - 1) / 2) / j + 0.5), 0, n - 1))
        first = u * j + offset
        boxes.append((first, first + r - 1))
    return boxes


def show_receptive_fields(image, kernel_sizes, strides, paddings=None, labels=None):
    """Outline on an image the receptive field of a central unit after each layer.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Drawn in grey.
    kernel_sizes, strides, paddings : sequence of int
        The same stack on both axes (see :func:`receptive_boxes`).
    labels : sequence of str, optional
        Legend text per layer; default ``'layer i: r×r'``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = show_receptive_fields(np.zeros((8, 8)), [3, 3], [1, 1], [1, 1])
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['layer 1: 3×3', 'layer 2: 5×5']
    """
    from matplotlib.lines import Line2D

    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise ValueError(f"image must be a 2-D array (H, W), got shape {image.shape}")
    H, W = image.shape
    rows = receptive_boxes(H, kernel_sizes, strides, paddings)
    cols = receptive_boxes(W, kernel_sizes, strides, paddings)
    fig = new_figure(6.2, 4.0)
    ax = fig.add_axes((0.02, 0.03, 0.55, 0.94))
    ax.imshow(image, cmap="gray", interpolation="nearest")
    handles = []
    for i, ((r0, r1), (c0, c1)) in enumerate(zip(rows, cols)):
        colour, style = OUTLINE_COLOURS[i % len(OUTLINE_COLOURS)], OUTLINE_STYLES[i % len(OUTLINE_STYLES)]
        # Clip to the image: the part of a field that lies in the padding sees only zeros.
        top, left = max(r0, 0), max(c0, 0)
        outline(ax, top, left, min(r1, H - 1) - top + 1, min(c1, W - 1) - left + 1,
                colour=colour, linestyle=style, linewidth=2.0, inset=0.08 * (i % 3))
        text = labels[i] if labels else f"layer {i + 1}: {r1 - r0 + 1}×{c1 - c0 + 1}"
        handles.append(Line2D([], [], color=colour, linestyle=style, linewidth=2.0, label=text))
    ax.set_xlim(-0.5, W - 0.5)
    ax.set_ylim(H - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.03, 0.5), fontsize=8, frameon=False)
    return fig
