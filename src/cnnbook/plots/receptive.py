"""The receptive field of a stack of layers, drawn in one dimension.

:func:`receptive_field_units` traces which units of every layer one output
unit depends on; :func:`draw_receptive_field` draws the layers as rows of dots
with those connections, so the growth ``r_l = r_{l-1} + d_l (k_l - 1) j_{l-1}``
can be counted on the picture. Sizes come from :func:`cnnbook.conv_output_size`
and the result is checked against :func:`cnnbook.receptive_field` in the tests.
"""

import numpy as np

from .._validate import is_int
from ..shapes import conv_output_size, receptive_field
from ._base import BLUE, ORANGE, VERMILLION, new_figure

__all__ = ["receptive_field_units", "draw_receptive_field"]


def _settings(kernel_sizes, strides, dilations):
    ks = list(kernel_sizes)
    ss = [1] * len(ks) if strides is None else list(strides)
    ds = [1] * len(ks) if dilations is None else list(dilations)
    receptive_field(ks, ss, ds)  # validates lengths and values with clear messages
    if not ks:
        raise ValueError("kernel_sizes must hold at least one layer, got an empty list")
    return ks, ss, ds


def receptive_field_units(kernel_sizes, strides=None, dilations=None, n_input=None, unit=None):
    """Which units of each layer one unit of the last layer depends on (1-D, no padding).

    Parameters
    ----------
    kernel_sizes : sequence of int
        First layer first.
    strides, dilations : sequence of int, optional
        Default 1 for every layer.
    n_input : int, optional
        Input length; default: enough for three units in the last layer.
    unit : int, optional
        The unit of the last layer to trace; default the middle one.

    Returns
    -------
    sizes : list of int
        Number of units per layer, input first.
    used : list of set of int
        Indices of the units that ``unit`` depends on, per layer, input first
        (the last entry is ``{unit}``).

    Examples
    --------
    >>> sizes, used = receptive_field_units([3, 3], n_input=7)
    >>> sizes, sorted(used[0]), sorted(used[1]), used[2]
    ([7, 5, 3], [1, 2, 3, 4, 5], [1, 2, 3], {1})
    """
    ks, ss, ds = _settings(kernel_sizes, strides, dilations)
    r, j = receptive_field(ks, ss, ds)[-1]
    if n_input is None:
        n_input = r + 2 * j
    if not is_int(n_input) or n_input < r:
        raise ValueError(f"n_input must be an int at least the receptive field {r}, got n_input={n_input!r}")
    sizes = [int(n_input)]
    for k, s, d in zip(ks, ss, ds):
        sizes.append(conv_output_size(sizes[-1], k, s, 0, d))
    if unit is None:
        unit = sizes[-1] // 2
    if not is_int(unit) or not 0 <= unit < sizes[-1]:
        raise ValueError(f"unit must be an index of the last layer (0..{sizes[-1] - 1}), got unit={unit!r}")
    used = [{int(unit)}]
    for k, s, d in zip(reversed(ks), reversed(ss), reversed(ds)):
        used.insert(0, {u * s + t * d for u in used[0] for t in range(k)})
    return sizes, used


def draw_receptive_field(kernel_sizes, strides=None, dilations=None, n_input=None, unit=None):
    """Draw a 1-D stack of layers and the receptive field of one top unit.

    Each layer is a row of dots placed at the centre of its own receptive
    field, input at the bottom. The traced unit, the units it depends on and
    their connections are coloured; the input units it sees are bracketed.

    Parameters
    ----------
    kernel_sizes, strides, dilations, n_input, unit
        As in :func:`receptive_field_units`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = draw_receptive_field([3, 3, 3])
    >>> fig.axes[0].get_title()
    'receptive field of one unit after 3 layers: 7 input pixels'
    """
    ks, ss, ds = _settings(kernel_sizes, strides, dilations)
    sizes, used = receptive_field_units(ks, ss, ds, n_input, unit)
    fields = receptive_field(ks, ss, ds)
    # centre of each unit in input coordinates
    centres = [np.arange(sizes[0], dtype=float)]
    jump = 1
    for k, s, d, n in zip(ks, ss, ds, sizes[1:]):
        centres.append(centres[-1][0] + d * (k - 1) * jump / 2 + np.arange(n) * s * jump)
        jump *= s
    L = len(ks)
    width = min(9.0, max(5.0, 0.32 * sizes[0] + 2.6))
    fig = new_figure(width, 0.75 * (L + 1) + 0.8)
    ax = fig.add_axes((0.2, 0.04, 0.78, 0.84))
    for layer in range(L, 0, -1):  # connections first, under the dots
        for u in used[layer]:
            for t in range(ks[layer - 1]):
                v = u * ss[layer - 1] + t * ds[layer - 1]
                ax.plot([centres[layer][u], centres[layer - 1][v]], [layer, layer - 1],
                        color=BLUE, linewidth=1.0, zorder=1)
    for layer in range(L + 1):
        colours = [ORANGE if u in used[layer] else "white" for u in range(sizes[layer])]
        ax.scatter(centres[layer], [layer] * sizes[layer], s=70, c=colours, edgecolors="black",
                   linewidths=0.8, zorder=3)
        if layer == 0:
            label = f"input ({sizes[0]})"
        else:
            r, j = fields[layer - 1]
            extra = f", s={ss[layer - 1]}" if ss[layer - 1] != 1 else ""
            extra += f", d={ds[layer - 1]}" if ds[layer - 1] != 1 else ""
            label = f"layer {layer}: k={ks[layer - 1]}{extra}\nr={r}, jump={j}"
        ax.text(-1.2, layer, label, ha="right", va="center", fontsize=8)
    top = next(iter(used[L]))
    ax.scatter([centres[L][top]], [L], s=130, c=VERMILLION, edgecolors="black", zorder=4)
    lo, hi = min(used[0]), max(used[0])
    ax.annotate("", xy=(lo - 0.4, -0.45), xytext=(hi + 0.4, -0.45),
                arrowprops=dict(arrowstyle="|-|", color=VERMILLION, linewidth=1.2))
    ax.text((lo + hi) / 2, -0.6, f"{hi - lo + 1} input pixels", ha="center", va="top", fontsize=8,
            color="black")
    ax.set_xlim(-1, sizes[0])
    ax.set_ylim(-1.0, L + 0.4)
    ax.axis("off")
    ax.set_title(f"receptive field of one unit after {L} layer{'s' * (L > 1)}: {fields[-1][0]} input pixels",
                 fontsize=9)
    return fig
