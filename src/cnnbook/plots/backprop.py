"""Figures for the backpropagation chapters: rows of small annotated grids.

A backward pass is best seen as a handful of small matrices side by side, the
input, the upstream gradient, the filter, the result, joined by the operation
that links them (``⋆`` for cross-correlation, ``=``, ``→``). :func:`grid_row`
draws such a row with every cell the same physical size, so a 2×2 gradient
sits visibly smaller next to the 3×3 input it came from.
"""

import numpy as np

from ._base import DIVERGING, MIN_TEXT_PT, auto_fmt, new_figure, number_width_in, text_width_in
from .grids import as_2d, show_grid

__all__ = ["grid_row"]


def _per_panel(value, n, name):
    """Broadcast a single setting to one per panel, or check a list has n entries."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name} must have one entry per panel ({n}), got {len(value)} entries")
        return list(value)
    return [value] * n


def grid_row(arrays, titles=None, *, symbols=None, highlights=None, cmaps="gray", fmts="auto",
             vmin=None, vmax=None, axis_labels=None, cell=0.45, max_width=8.3):
    """Draw small matrices side by side, with an operator symbol between neighbours.

    Parameters
    ----------
    arrays : sequence of array_like, each shape (H_i, W_i)
        The matrices, left to right (1-D arrays are drawn as one row).
    titles : sequence of str, optional
        One title per panel.
    symbols : sequence of str, optional
        ``len(arrays) - 1`` strings drawn between neighbouring panels, e.g.
        ``["⋆", "="]``; an empty string leaves a plain gap.
    highlights : sequence, optional
        One entry per panel, each as ``highlight`` in :func:`show_grid`
        (``(row, col)``, ``(row, col, height, width)``, a list of those, a
        boolean mask, or None).
    cmaps : str or sequence of str
        Colour map for all panels, or one per panel. A panel drawn with the
        diverging map ``'PuOr'`` gets limits symmetric about 0, so zero is
        always the neutral middle colour.
    fmts : str or sequence of str
        Number format(s), as in :func:`show_grid` (``'auto'`` picks decimals).
    vmin, vmax : float or sequence of float, optional
        Colour limits for all panels or one per panel (None: the panel's own
        range). Shared limits let equal numbers get equal colours across panels.
    axis_labels : sequence, optional
        One entry per panel: None or ``(row_labels, col_labels)``, each a
        sequence of str (or None), written beside the rows and under the columns.
    cell : float
        Side of one cell in inches (reduced when the row would exceed ``max_width``).
    max_width : float
        Largest figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel, left to right; the symbols are figure texts
        (``fig.texts``) in order.

    Examples
    --------
    >>> fig = grid_row([np.ones((3, 3)), np.eye(2)], ["X", "F"], symbols=["⋆"])
    >>> len(fig.axes), [ax.get_title() for ax in fig.axes], fig.texts[0].get_text()
    (2, ['X', 'F'], '⋆')
    """
    if not isinstance(arrays, (list, tuple)) or not arrays:
        raise ValueError(f"arrays must be a non-empty list of 2-D arrays, got arrays={arrays!r}")
    mats = [as_2d(a, f"arrays[{i}]") for i, a in enumerate(arrays)]
    n = len(mats)
    titles = _per_panel(titles, n, "titles") if titles is not None else [None] * n
    highlights = _per_panel(highlights, n, "highlights") if highlights is not None else [None] * n
    cmaps = _per_panel(cmaps, n, "cmaps")
    fmts = _per_panel(fmts, n, "fmts")
    vmins = _per_panel(vmin, n, "vmin")
    vmaxs = _per_panel(vmax, n, "vmax")
    labels = _per_panel(axis_labels, n, "axis_labels") if axis_labels is not None else [None] * n
    for i, (m, lab) in enumerate(zip(mats, labels)):
        if lab is None:
            continue
        if not (isinstance(lab, (list, tuple)) and len(lab) == 2):
            raise ValueError(f"axis_labels[{i}] must be None or (row_labels, col_labels), got {lab!r}")
        for what, names, size in (("row", lab[0], m.shape[0]), ("column", lab[1], m.shape[1])):
            if names is not None and len(names) != size:
                raise ValueError(f"axis_labels[{i}] needs {size} {what} labels, got {len(names)}")
    if symbols is None:
        symbols = [""] * (n - 1)
    if not isinstance(symbols, (list, tuple)) or len(symbols) != n - 1:
        raise ValueError(f"symbols must be a list of {n - 1} strings (one between each pair of panels), "
                         f"got symbols={symbols!r}")
    if not (isinstance(cell, (int, float)) and cell > 0):
        raise ValueError(f"cell must be a positive number of inches, got cell={cell!r}")

    gap, margin, top = 0.55, 0.15, 0.4   # inches: between panels, at the sides, for titles
    has_rows = any(lab is not None and lab[0] is not None for lab in labels)
    has_cols = any(lab is not None and lab[1] is not None for lab in labels)
    left = margin + (0.45 if has_rows else 0.0)
    bottom = 0.1 + (0.3 if has_cols else 0.0)
    cols = sum(m.shape[1] for m in mats)
    # Never smaller than the widest number printed at the caption's size; then the gaps give way.
    need = 0.08 + max(number_width_in(m[np.isfinite(m)], auto_fmt(m) if f == "auto" else f)
                      for m, f in zip(mats, fmts))
    cell = max(need, min(cell, (max_width - left - margin - gap * (n - 1)) / cols))
    # Each panel's slot is as wide as its grid or its title, whichever is wider;
    # titles go on two lines when the row would not fit on one.
    def slot_widths(titles):
        return [max(m.shape[1] * cell, max(map(text_width_in, t.splitlines())) + 0.05 if t else 0.0)
                for m, t in zip(mats, titles)]

    slots = slot_widths(titles)
    if left + margin + 0.35 * (n - 1) + sum(slots) > max_width:
        titles = [_two_lines(t) for t in titles]
        slots = slot_widths(titles)
        top += 0.3
    if left + margin + gap * (n - 1) + sum(slots) > max_width and n > 1:
        gap = max(0.35, (max_width - left - margin - sum(slots)) / (n - 1))
    rows = max(m.shape[0] for m in mats)
    width = left + margin + gap * (n - 1) + sum(slots)
    height = rows * cell + top + bottom
    fig = new_figure(width, height)

    x = left
    panels = zip(mats, titles, highlights, cmaps, fmts, vmins, vmaxs, labels, slots)
    for i, (m, title, hl, cmap, fmt, lo, hi, lab, slot) in enumerate(panels):
        H, W = m.shape
        y = bottom + (rows - H) * cell / 2          # centre shorter panels vertically
        ax = fig.add_axes(((x + (slot - W * cell) / 2) / width, y / height, W * cell / width, H * cell / height))
        if cmap == DIVERGING and lo is None and hi is None:
            finite = m[np.isfinite(m)]
            bound = float(np.abs(finite).max()) if finite.size else 1.0
            lo, hi = -(bound or 1.0), (bound or 1.0)
        show_grid(m, ax=ax, cmap=cmap, fmt=fmt, highlight=hl, vmin=lo, vmax=hi, fontsize=MIN_TEXT_PT)
        if title:
            ax.set_title(title, fontsize=MIN_TEXT_PT)
        if lab is not None:
            if lab[0] is not None:
                ax.set_yticks(np.arange(H), labels=list(lab[0]))
            if lab[1] is not None:
                ax.set_xticks(np.arange(W), labels=list(lab[1]))
            ax.tick_params(labelsize=MIN_TEXT_PT, length=0)
        x += slot
        if i < n - 1:
            fig.text((x + gap / 2) / width, (bottom + rows * cell / 2) / height, symbols[i],
                     ha="center", va="center", fontsize=20)
            x += gap
    return fig


def _two_lines(title):
    """``title`` broken at the space nearest its middle (unchanged if it has no space)."""
    if not title or " " not in title:
        return title
    spaces = [i for i, ch in enumerate(title) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(title) / 2))
    return title[:cut] + "\n" + title[cut + 1:]
