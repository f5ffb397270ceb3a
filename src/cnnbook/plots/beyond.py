"""Figures for chapter 12 (beyond classification): receptive-field growth, shape flows, detections, masks.

``plot_receptive_growth`` compares a stack of dense and dilated convolutions;
``draw_shape_flow`` draws the feature maps of an encoder-decoder (or any chain
of layers) as boxes, with skip connections as arcs.
"""

import numpy as np
from matplotlib.patches import FancyArrowPatch, Rectangle

from ..shapes import receptive_field
from ._base import BLUE, GREEN, MIN_TEXT_PT, ORANGE, PURPLE, SKY, VERMILLION, new_figure


def receptive_growth(kernel_size=3, dilations=(1, 2, 4, 8), channels=64):
    """Receptive field and parameter count per layer, dense stack versus dilated stack.

    Parameters
    ----------
    kernel_size : int
        F of every layer.
    dilations : sequence of int
        Dilation of each layer of the dilated stack (the dense stack uses 1).
    channels : int
        C in and out of every layer, for the parameter count F*F*C*C + C.

    Returns
    -------
    dict
        ``'layers'`` (1..L), ``'dense'`` and ``'dilated'`` (receptive field after
        each layer, 1-D) and ``'params'`` (cumulative parameters, the same for both
        stacks since dilation adds no weights).

    Examples
    --------
    >>> g = receptive_growth(3, (1, 2, 4, 8), channels=1)
    >>> g['dense'], g['dilated'], g['params']
    ([3, 5, 7, 9], [3, 7, 15, 31], [10, 20, 30, 40])
    """
    dilations = list(dilations)
    if not dilations:
        raise ValueError(f"dilations must hold at least one layer, got dilations={dilations!r}")
    if int(channels) != channels or channels < 1:
        raise ValueError(f"channels must be a positive int, got channels={channels!r}")
    ks = [kernel_size] * len(dilations)
    dense = [r for r, _ in receptive_field(ks)]
    dilated = [r for r, _ in receptive_field(ks, dilations=dilations)]
    per_layer = kernel_size * kernel_size * channels * channels + channels
    params = [per_layer * (i + 1) for i in range(len(dilations))]
    return {"layers": list(range(1, len(dilations) + 1)), "dense": dense,
            "dilated": dilated, "params": params}


def plot_receptive_growth(kernel_size=3, dilations=(1, 2, 4, 8), channels=64):
    """Two panels: receptive field per layer (dense vs dilated) and cumulative parameters.

    Parameters are those of :func:`receptive_growth`.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: receptive field (left), parameters (right).

    Examples
    --------
    >>> fig = plot_receptive_growth(3, (1, 2, 4))
    >>> len(fig.axes)
    2
    """
    g = receptive_growth(kernel_size, dilations, channels)
    fig = new_figure(8.0, 3.2, layout="constrained")
    ax_rf, ax_p = fig.subplots(1, 2)
    ax_rf.plot(g["layers"], g["dense"], "o-", color=BLUE, label="dense (D = 1)")
    ax_rf.plot(g["layers"], g["dilated"], "s--", color=VERMILLION,
               label="dilated (D = " + ", ".join(str(d) for d in dilations) + ")")
    # one label per point: dilated above its marker, dense below; where both stacks
    # share a point (layer 1) it is labelled once, so no two labels land on each other
    for x, y_dil, y_den in zip(g["layers"], g["dilated"], g["dense"]):
        ax_rf.annotate(str(y_dil), (x, y_dil), textcoords="offset points", xytext=(-4, 6),
                       ha="right", va="bottom", fontsize=8, color=VERMILLION)
        if y_den != y_dil:
            ax_rf.annotate(str(y_den), (x, y_den), textcoords="offset points", xytext=(4, -6),
                           ha="left", va="top", fontsize=8, color=BLUE)
    ax_rf.set_ylim(0, max(g["dilated"]) * 1.6)         # room for the legend above the last label
    ax_rf.set_xlim(g["layers"][0] - 0.4, g["layers"][-1] + 0.4)
    ax_rf.set_xlabel("layer")
    ax_rf.set_ylabel("receptive field (pixels per axis)")
    ax_rf.set_xticks(g["layers"])
    ax_rf.legend(frameon=False, fontsize=8, loc="upper left")
    ax_rf.set_title(f"{kernel_size}×{kernel_size} layers: receptive field")
    ax_p.plot(g["layers"], g["params"], "o-", color=ORANGE, label="both stacks")
    ax_p.set_xlabel("layer")
    ax_p.set_ylabel(f"parameters (C = {channels})")
    ax_p.set_xticks(g["layers"])
    ax_p.legend(frameon=False, fontsize=8)
    ax_p.set_title("parameters: the same for both")
    return fig


def draw_shape_flow(stages, skips=(), title=None):
    """Feature maps of a network as boxes: height ~ spatial size, width ~ channels.

    Parameters
    ----------
    stages : sequence of (str, (int, int, int))
        A label and the (C, H, W) shape of each feature map, in order.
    skips : sequence of (int, int), optional
        Pairs of stage indices joined by a skip connection (drawn as an arc).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = draw_shape_flow([('in', (1, 8, 8)), ('down', (4, 4, 4)), ('up', (1, 8, 8))], skips=[(0, 2)])
    >>> len(fig.axes)
    1
    """
    stages = list(stages)
    if not stages:
        raise ValueError("stages must hold at least one (label, (C, H, W)) pair, got an empty sequence")
    for i, st in enumerate(stages):
        if (len(st) != 2 or len(st[1]) != 3
                or not all(int(v) == v and v > 0 for v in st[1])):
            raise ValueError(f"stages[{i}] must be (label, (C, H, W)) with positive ints, got {st!r}")
    for pair in skips:
        if len(pair) != 2 or not all(0 <= int(i) < len(stages) for i in pair):
            raise ValueError(f"skips must hold pairs of stage indices in 0..{len(stages) - 1}, got {pair!r}")
    n = len(stages)
    fig = new_figure(min(9.0, 1.1 * n + 0.5), 4.0)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.88 if title else 0.98))
    h_max = max(s[1][1] for s in stages)
    c_max = max(s[1][0] for s in stages)
    for i, (label, (C, H, W)) in enumerate(stages):
        height = 2.0 * H / h_max
        width = 0.15 + 0.6 * np.sqrt(C / c_max)
        x0 = i - width / 2
        ax.add_patch(Rectangle((x0, -height / 2), width, height, facecolor="#d9d9d9",
                               edgecolor="black", linewidth=1.2))
        # labels alternate between two heights so that neighbours never touch,
        # however many stages share the width
        low = 0.6 * (i % 2)
        ax.text(i, -1.15 - low, f"{C}×{H}×{W}", ha="center", va="top", fontsize=8)
        ax.text(i, -1.42 - low, label, ha="center", va="top", fontsize=8, style="italic")
        if i:
            ax.annotate("", (x0 - 0.02, 0), (i - 1 + 0.35, 0),
                        arrowprops=dict(arrowstyle="->", color="black", lw=1))
    for a, b in skips:
        ax.add_patch(FancyArrowPatch((a, 1.05), (b, 1.05), connectionstyle="arc3,rad=-0.25",
                                     arrowstyle="->", mutation_scale=12, color=VERMILLION,
                                     linestyle="--", linewidth=1.4))
    ax.set_xlim(-0.7, n - 0.3)
    ax.set_ylim(-2.45, 1.9)
    ax.set_axis_off()
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def draw_score_map(n, window, stride, picks=((0, 0), (0, 1), (-1, -1))):
    """An n×n input with a few sliding windows outlined, beside the map of their scores.

    The fully convolutional view of a classifier with receptive field ``window``
    and total stride ``stride``: output cell (i, j) holds the scores of the
    window whose top-left corner is (stride*i, stride*j).

    Parameters
    ----------
    n : int
        Input height and width.
    window, stride : int
        Receptive field and jump of the network (window side, distance between windows).
    picks : sequence of (int, int)
        Output cells to highlight (negative indices count from the end); each
        gets its own colour and line style, on both panels.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the input with the windows (left), the score map (right).

    Examples
    --------
    >>> fig = draw_score_map(28, 14, 2)
    >>> [ax.get_title() for ax in fig.axes]
    ['28×28 input, 14×14 windows, stride 2', '8×8 map of class scores']
    """
    from ._base import OUTLINE_COLOURS, OUTLINE_STYLES

    for name, value in (("n", n), ("window", window), ("stride", stride)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    if window > n:
        raise ValueError(f"window must fit in the input, got window={window} > n={n}")
    m = (n - window) // stride + 1
    cells = []
    for pick in picks:
        i, j = (int(v) % m if -m <= v < m else None for v in pick)
        if i is None or j is None:
            raise ValueError(f"picks must index a {m}×{m} score map, got {pick!r}")
        cells.append((i, j))
    # Two panels of the same size: the map's cells must hold a label such as '(0,1)'.
    fig = new_figure(8.3, 4.6, layout="constrained")
    ax_in, ax_out = fig.subplots(1, 2)
    for ax, size in ((ax_in, n), (ax_out, m)):
        ax.imshow(np.zeros((size, size)), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks(np.arange(-0.5, size, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, size, 1), minor=True)
        ax.grid(which="minor", color="#cccccc", linewidth=0.5)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    for t, (i, j) in enumerate(cells):
        colour = OUTLINE_COLOURS[t % len(OUTLINE_COLOURS)]
        style = OUTLINE_STYLES[t % len(OUTLINE_STYLES)]
        ax_in.add_patch(Rectangle((stride * j - 0.5, stride * i - 0.5), window, window, fill=False,
                                  edgecolor=colour, linestyle=style, linewidth=2.2, clip_on=False))
        ax_out.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=colour, edgecolor="black",
                                   linestyle=style, linewidth=1.2))
        ax_out.text(j, i, f"({i},{j})", ha="center", va="center", fontsize=MIN_TEXT_PT)
    ax_in.set_title(f"{n}×{n} input, {window}×{window} windows, stride {stride}", fontsize=MIN_TEXT_PT)
    ax_out.set_title(f"{m}×{m} map of class scores", fontsize=MIN_TEXT_PT)
    return fig


def show_detections(image, log_odds, detections, window, stride):
    """An image with the windows a detector kept, beside the map it read them from.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        A grey image (one channel), values in [0, 1].
    log_odds : ndarray, shape (H_s, W_s)
        Per window, log(P(an object) / P(background)), as :func:`cnnbook.fcn.detect` returns it.
    detections : sequence of cnnbook.fcn.Detection
    window, stride : int
        Window side and the distance between neighbouring windows, in pixels.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the image with one labelled box per detection (top), the
        log-odds map with the kept cells marked (below it).

    Examples
    --------
    >>> from cnnbook.fcn import Detection
    >>> fig = show_detections(np.zeros((8, 12)), np.zeros((3, 5)), [Detection(2, 4, 7, 3.0)], 4, 2)
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['1 detection', 'log-odds of an object, per window']
    """
    image = np.asarray(image, dtype=float)
    log_odds = np.asarray(log_odds, dtype=float)
    if image.ndim != 2 or log_odds.ndim != 2:
        raise ValueError(f"image and log_odds must be 2-D, got image.shape={image.shape}, "
                         f"log_odds.shape={log_odds.shape}")
    H, W = image.shape
    H_s, W_s = log_odds.shape
    # The map below the image, each as wide as the book's column: side by side, its
    # cells would be too small for their numbers at the caption's size.
    cell = 7.4 / W_s                                   # inches
    fig = new_figure(8.3, 8.3 * H / W + H_s * cell + 1.0, layout="constrained")
    ax_img, ax_map = fig.subplots(2, 1, height_ratios=[8.3 * H / W, H_s * cell])
    ax_img.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    # centred on 0 (as likely an object as not) and scaled to the positive side, where the
    # objects are: strongly negative windows all get the darkest orange
    limit = max(1.0, float(log_odds.max()))
    shown = ax_map.imshow(np.clip(log_odds, -limit, limit), cmap="PuOr", vmin=-limit, vmax=limit)
    fig.colorbar(shown, ax=ax_map, shrink=0.9, aspect=10)
    for (i, j), value in np.ndenumerate(log_odds):   # the numbers, for readers who cannot see colour
        ax_map.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=MIN_TEXT_PT,
                    color="white" if abs(value) > 0.6 * limit else "black")
    for d in detections:
        ax_img.add_patch(Rectangle((d.col - 0.5, d.row - 0.5), window, window, fill=False,
                                   edgecolor=VERMILLION, linewidth=2))
        # inside the box, so a box at the top edge does not push its label into the title
        ax_img.text(d.col + 0.1, d.row + 0.1, str(d.label), color=VERMILLION, fontsize=MIN_TEXT_PT,
                    fontweight="bold", ha="left", va="top",
                    bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.85))
        ax_map.add_patch(Rectangle((d.col // stride - 0.5, d.row // stride - 0.5), 1, 1, fill=False,
                                   edgecolor="black", linewidth=2))
    for ax in (ax_img, ax_map):
        ax.set_xticks([])
        ax.set_yticks([])
    count = len(detections)
    ax_img.set_title(f"{count} detection{'' if count == 1 else 's'}", fontsize=MIN_TEXT_PT)
    ax_map.set_title("log-odds of an object, per window", fontsize=MIN_TEXT_PT)
    return fig


def show_segmentation(pages, masks, predicted, class_names, ious=None):
    """Pages of digits, their true masks and the predicted masks, one page per row.

    Parameters
    ----------
    pages : ndarray, shape (N, H, W)
        Grey pages, values in [0, 1].
    masks, predicted : ndarray of int, shape (N, H, W)
        True and predicted class of every pixel, in ``[0, len(class_names))``.
    class_names : sequence of str
        Name of each class, for the legend; the last one is drawn white (background).
    ious : sequence of float, optional
        IoU of each class over the pages shown, added to the legend.

    Returns
    -------
    matplotlib.figure.Figure
        3 columns (page, true, predicted) by N rows, and one legend below.

    Examples
    --------
    >>> m = np.zeros((2, 4, 6), dtype=int)
    >>> fig = show_segmentation(np.zeros((2, 4, 6)), m, m, ["0", "1", "background"])
    >>> [ax.get_title() for ax in fig.axes[:3]]
    ['page', 'true classes', 'predicted classes']
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    pages, masks, predicted = (np.asarray(a) for a in (pages, masks, predicted))
    K = len(class_names)
    if pages.ndim != 3 or masks.shape != pages.shape or predicted.shape != pages.shape:
        raise ValueError(f"pages, masks and predicted must share one (N, H, W) shape, got "
                         f"{pages.shape}, {masks.shape} and {predicted.shape}")
    for name, a in (("masks", masks), ("predicted", predicted)):
        if a.size and (a.min() < 0 or a.max() >= K):
            raise ValueError(f"{name} must hold classes in [0, {K}), got values from {a.min()} to {a.max()}")
    if ious is not None and len(ious) != K:
        raise ValueError(f"ious must hold one value per class ({K}), got {len(ious)}")
    colours = [BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION][:K - 1] + ["white"]
    cmap = ListedColormap(colours)
    N, H, W = pages.shape
    fig = new_figure(6.4, 1.3 * N + 0.9, layout="constrained")
    axes = np.asarray(fig.subplots(N, 3, squeeze=False))
    for n in range(N):
        axes[n, 0].imshow(pages[n], cmap="gray_r", vmin=0, vmax=1)
        axes[n, 1].imshow(masks[n], cmap=cmap, vmin=-0.5, vmax=K - 0.5)
        axes[n, 2].imshow(predicted[n], cmap=cmap, vmin=-0.5, vmax=K - 0.5)
        for ax in axes[n]:
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_color("#999999")
    for ax, title in zip(axes[0], ("page", "true classes", "predicted classes")):
        ax.set_title(title, fontsize=9)
    labels = [name if ious is None or not np.isfinite(ious[k]) else f"{name} (IoU {ious[k]:.2f})"
              for k, name in enumerate(class_names)]
    handles = [Patch(facecolor=c, edgecolor="#666666", label=t) for c, t in zip(colours, labels)]
    fig.legend(handles=handles, loc="outside lower center", ncols=K, frameon=False, fontsize=8)
    return fig
