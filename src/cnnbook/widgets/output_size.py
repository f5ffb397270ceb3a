"""Output-size explorer (chapter 4): how kernel, stride, padding and dilation set the output shape."""

from dataclasses import dataclass, field

from .. import conv_output_size
from .._validate import pair
from ..plots import window_geometry
from ..plots.diagrams import windows_to_draw
from . import web
from ._base import Explorer, slider

__all__ = ["OutputSizeReport", "output_size_report", "axis_arithmetic", "output_size_explorer"]


def _num(value):
    """2.333.. -> '2.33', 2.5 -> '2.5', 3.0 -> '3'."""
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


def axis_arithmetic(n, k, s, p, d):
    """The output-size formula for one axis, written out with numbers.

    Returns
    -------
    (str, int or None)
        The line of arithmetic and the output size (None if the kernel does not fit).

    Examples
    --------
    >>> axis_arithmetic(7, 3, 3, 0, 1)
    ('(7 + 2·0 − 3)/3 + 1 = 2.33 → floor → 2', 2)
    >>> axis_arithmetic(7, 3, 3, 1, 1)
    ('(7 + 2·1 − 3)/3 + 1 = 3', 3)
    """
    extent = d * (k - 1) + 1
    value = (n + 2 * p - extent) / s + 1
    line = f"({n} + 2·{p} − {extent})/{s} + 1 = {_num(value)}"
    if n + 2 * p < extent:
        return line + " → the kernel does not fit", None
    size = (n + 2 * p - extent) // s + 1
    if value != size:
        line += f" → floor → {size}"
    return line, size


def _fixing_padding(n, extent, s, p):
    for candidate in range(p + 1, p + s + 1):
        if n + 2 * candidate >= extent and (n + 2 * candidate - extent) % s == 0:
            return candidate
    return None


@dataclass
class OutputSizeReport:
    """What a convolution with these settings produces, and why.

    Attributes
    ----------
    settings : dict
        height, width, kernel_size, stride, padding, dilation as given.
    shape : (int, int) or None
        ``(H_out, W_out)`` from :func:`cnnbook.conv_output_size`, None if not allowed.
    text : str
        The arithmetic per axis, and what is dropped or how to fix it.
    error : str or None
        Why the setting is not allowed, or None.
    summary : str
        ``'Output shape: 2 × 2'`` (or ``'Output shape: none'``).
    alt : str
        Alt text describing the figure.
    """

    settings: dict
    shape: tuple = None
    text: str = ""
    error: str = None
    summary: str = ""
    alt: str = ""
    _geometry: tuple = field(default=None, repr=False)

    def state(self):
        """What the explorer draws (see :mod:`cnnbook.widgets.web`): text, and the windows picture."""
        picture = None
        if self._geometry is not None:
            rows, cols = window_geometry(*self._geometry)
            caption = (f"{rows.size}×{cols.size} input, kernel {rows.kernel}×{cols.kernel}, "
                       f"stride {rows.stride}×{cols.stride}, padding {rows.pad}×{cols.pad}, "
                       f"dilation {rows.dilation}×{cols.dilation} → "
                       + (f"output {rows.count}×{cols.count}" if self.shape else "kernel does not fit"))
            picture = {"kind": "windows", "alt": self.alt, "caption": caption,
                       "rows": _axis_state(rows), "cols": _axis_state(cols),
                       "outlined": windows_to_draw(rows, cols) if self.shape else []}
        return web.to_json({"summary": self.summary, "error": self.error, "text": self.text,
                            "grids": [], "picture": picture})


def _axis_state(axis):
    return {"size": axis.size, "pad": axis.pad, "kernel": axis.kernel, "dilation": axis.dilation,
            "extent": axis.extent, "count": axis.count, "starts": axis.starts, "read": axis.read}


def _spans(indices):
    """[0, 1, 2, 5] -> '0–2, 5'."""
    parts, start = [], None
    for i, v in enumerate(indices):
        if start is None:
            start = v
        if i + 1 == len(indices) or indices[i + 1] != v + 1:
            parts.append(str(start) if start == v else f"{start}–{v}")
            start = None
    return ", ".join(parts)


def _unread_lines(axis, geom):
    """Which input rows (or columns) no window reads, and why; with advice."""
    unit = "rows" if axis == "height" else "columns"
    reasons = {"floor": [], "gap": [], "hole": []}
    for i in range(geom.size):
        q = i + geom.pad  # index in the padded input
        if geom.read[q]:
            continue
        if q >= geom.covered:
            reasons["floor"].append(i)
        elif any(start <= q < start + geom.extent for start in geom.starts):
            reasons["hole"].append(i)
        else:
            reasons["gap"].append(i)
    lines = []

    def said(indices, one, many):
        return f"  {unit[:-1] if len(indices) == 1 else unit} {_spans(indices)} {one if len(indices) == 1 else many}"

    if reasons["gap"]:
        lines.append(said(reasons["gap"], "lies between windows and is never read",
                          "lie between windows and are never read")
                     + f": the stride {geom.stride} is larger than the "
                     f"{'effective ' if geom.dilation != 1 else ''}kernel {geom.extent}.")
    if reasons["hole"]:
        lines.append(said(reasons["hole"], "falls in a hole of the dilated kernel and is never read.",
                          "fall in the holes of the dilated kernel and are never read."))
    if reasons["floor"]:
        fix = _fixing_padding(geom.size, geom.extent, geom.stride, geom.pad)
        advice = (f" padding={fix} makes the division exact: "
                  f"{axis_arithmetic(geom.size, geom.kernel, geom.stride, fix, geom.dilation)[0]}."
                  if fix is not None else " No symmetric padding makes the division exact here.")
        lines.append(said(reasons["floor"], "comes after the last window and is never read: the floor drops it.",
                          "come after the last window and are never read: the floor drops them.") + advice)
    return lines


def output_size_report(height=7, width=7, kernel_size=3, stride=1, padding=0, dilation=1):
    """Explain the output shape of a convolution; never raises for a bad setting.

    Parameters
    ----------
    height, width : int
        Input size.
    kernel_size, stride, dilation : int or (int, int)
    padding : int or (int, int)

    Returns
    -------
    OutputSizeReport
        ``.shape`` comes from :func:`cnnbook.conv_output_size`; ``.error``
        explains a setting that is not allowed (then ``.shape`` is None).

    Examples
    --------
    >>> report = output_size_report(7, 7, 3, stride=3)
    >>> report.shape, report.summary
    ((2, 2), 'Output shape: 2 × 2')
    >>> print(report.text.splitlines()[0])
    height: (7 + 2·0 − 3)/3 + 1 = 2.33 → floor → 2
    >>> output_size_report(3, 3, 5).error.split('.')[0]
    'The kernel does not fit the padded input on the height axis'
    """
    settings = dict(height=height, width=width, kernel_size=kernel_size, stride=stride,
                    padding=padding, dilation=dilation)
    report = OutputSizeReport(settings=settings, summary="Output shape: none")
    try:
        sizes = pair((height, width), "(height, width)")
        ks = pair(kernel_size, "kernel_size")
        ss = pair(stride, "stride")
        ps = pair(padding, "padding", minimum=0)
        ds = pair(dilation, "dilation")
    except (TypeError, ValueError) as err:
        report.error = str(err)
        report.text = f"The formula needs whole numbers: {err}"
        report.alt = "No diagram: " + str(err)
        return report
    lines, problems = [], []
    for axis, n, k, s, p, d in zip(("height", "width"), sizes, ks, ss, ps, ds):
        extent = d * (k - 1) + 1
        if d != 1:
            lines.append(f"{axis}: effective kernel = {d}·({k} − 1) + 1 = {extent}")
        line, size = axis_arithmetic(n, k, s, p, d)
        lines.append(f"{axis}: {line}")
        if size is None:
            need = -(-(extent - n) // 2)
            problems.append(
                f"The kernel does not fit the padded input on the {axis} axis. "
                f"Its {'effective ' if d != 1 else ''}size is {extent} but the padded {axis} is only "
                f"{n} + 2·{p} = {n + 2 * p}. Use a kernel of at most {n + 2 * p}"
                f"{'' if d == 1 else ' (effective size)'}, padding of at least {need}, or a larger input."
            )
    report._geometry = (sizes[0], sizes[1], ks, ss, ps, ds)
    if problems:
        report.text = "\n".join(lines)
        report.error = " ".join(problems)
        report.alt = (f"A {sizes[0]} by {sizes[1]} input grid with a {ks[0]} by {ks[1]} kernel "
                      "outline that sticks out of it: the kernel does not fit.")
        return report
    try:
        shape = conv_output_size((sizes[0], sizes[1]), ks, ss, ps, ds)
    except ValueError as err:  # a rule of the core this explorer does not know about
        report.text = "\n".join(lines)
        report.error = str(err)
        report.alt = "The settings are not allowed: " + str(err)
        report._geometry = None
        return report
    rows, cols = window_geometry(*report._geometry)
    lines += _unread_lines("height", rows) + _unread_lines("width", cols)
    unread = sum(not r for r in rows.read[rows.pad:rows.pad + rows.size]) * cols.size + \
        sum(not c for c in cols.read[cols.pad:cols.pad + cols.size]) * rows.size - \
        sum(not r for r in rows.read[rows.pad:rows.pad + rows.size]) * \
        sum(not c for c in cols.read[cols.pad:cols.pad + cols.size])
    total = sizes[0] * sizes[1]
    lines.append(f"Input pixels that no window reads: {unread} of {total}." if unread
                 else f"Every one of the {total} input pixels is read by some window.")
    report.text = "\n".join(lines)
    report.shape = tuple(int(v) for v in shape)
    report.summary = f"Output shape: {report.shape[0]} × {report.shape[1]}"
    alt = (f"Padded {sizes[0] + 2 * ps[0]} by {sizes[1] + 2 * ps[1]} input grid with "
           f"{report.shape[0]} by {report.shape[1]} windows of size {ks[0]} by {ks[1]}, stride {ss[0]} by {ss[1]}")
    if unread:
        alt += f"; the {unread} input pixels that no window reads are hatched"
    report.alt = alt + "."
    return report


def output_size_explorer(height=7, width=7, kernel_size=3, stride=3, padding=0, dilation=1):
    """Sliders for the input size, kernel, stride, padding and dilation.

    Shows the output shape (class ``cnnbook-shape``), the arithmetic per axis,
    an explanation when the setting is not allowed (``cnnbook-error``) and the
    windows on the padded input (``cnnbook-figure``). The default, a 7×7 input
    with a 3×3 kernel and stride 3, is the case where the floor drops a row.

    Returns
    -------
    Explorer
        A VBox; ``.controls`` maps 'height', 'width', 'kernel_size', 'stride',
        'padding', 'dilation' to sliders and ``.result`` is the last
        :class:`OutputSizeReport`.

    Examples
    --------
    >>> ex = output_size_explorer()
    >>> ex.state["summary"]
    'Output shape: 2 × 2'
    >>> ex.controls['padding'].value = 1
    >>> ex.view.state["summary"]      # what core.js draws
    'Output shape: 3 × 3'
    """
    controls = {
        "height": slider("input height", height, 1, 32),
        "width": slider("input width", width, 1, 32),
        "kernel_size": slider("kernel size", kernel_size, 1, 11),
        "stride": slider("stride", stride, 1, 6),
        "padding": slider("padding", padding, 0, 5),
        "dilation": slider("dilation", dilation, 1, 4),
    }
    key = ("Key: grey cells marked 0 are zero padding; coloured outlines are windows (of the first "
           "output row and column); black dots mark where each window starts; orange squares are the "
           "cells the first window reads; hatched cells are input pixels that no window reads.")
    return Explorer("output-size", controls, output_size_report, summary_class="cnnbook-shape",
                    title="Convolution output size", key=key,
                    layout_controls=[["height", "width"], ["kernel_size", "stride"], ["padding", "dilation"]])
