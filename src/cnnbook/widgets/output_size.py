"""Output-size explorer (chapter 4): how kernel, stride, padding and dilation set the output shape."""

from dataclasses import dataclass, field

from .. import conv_output_size
from .._validate import pair
from ..plots import draw_windows, window_geometry
from ..plots._base import new_figure
from ._base import Explorer, slider
from ._pictures import figure_block, svg_uri, windows_svg

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

    def figure(self, legend=True):
        """The padded input with the windows (:func:`cnnbook.plots.draw_windows`)."""
        if self._geometry is None:
            fig = new_figure(4.0, 1.2)
            fig.text(0.5, 0.5, self.error or "", ha="center", va="center", wrap=True, fontsize=9)
            return fig
        return draw_windows(*self._geometry, legend=legend)

    def picture_html(self):
        """The same diagram as :meth:`figure`, as an SVG ``<img>`` with alt text and a caption (fast)."""
        if self._geometry is None:
            return ""
        rows, cols = window_geometry(*self._geometry)
        title = (f"{rows.size}×{cols.size} input, kernel {rows.kernel}×{cols.kernel}, "
                 f"stride {rows.stride}×{cols.stride}, padding {rows.pad}×{cols.pad}, "
                 f"dilation {rows.dilation}×{cols.dilation} → "
                 + (f"output {rows.count}×{cols.count}" if self.shape else "kernel does not fit"))
        return figure_block(svg_uri(windows_svg(rows, cols, self.alt)), self.alt, title)


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
        elif (n + 2 * p - extent) % s:
            dropped = (n + 2 * p - extent) % s
            unit = ("row" if axis == "height" else "column") + ("s" if dropped > 1 else "")
            verbs = "fit no window and are" if dropped > 1 else "fits no window and is"
            fix = _fixing_padding(n, extent, s, p)
            advice = (f" padding={fix} makes it exact: {axis_arithmetic(n, k, s, fix, d)[0]}."
                      if fix is not None else " No symmetric padding makes it exact here.")
            lines.append(f"  the last {dropped} {unit} of the padded input {verbs} dropped.{advice}")
    report.text = "\n".join(lines)
    report._geometry = (sizes[0], sizes[1], ks, ss, ps, ds)
    if problems:
        report.error = " ".join(problems)
        report.alt = (f"A {sizes[0]} by {sizes[1]} input grid with a {ks[0]} by {ks[1]} kernel "
                      "outline that sticks out of it: the kernel does not fit.")
        return report
    try:
        shape = conv_output_size((sizes[0], sizes[1]), ks, ss, ps, ds)
    except ValueError as err:  # a rule of the core this explorer does not know about
        report.error = str(err)
        report.alt = "The settings are not allowed: " + str(err)
        report._geometry = None
        return report
    report.shape = tuple(int(v) for v in shape)
    report.summary = f"Output shape: {report.shape[0]} × {report.shape[1]}"
    dropped = [(n + 2 * p - (d * (k - 1) + 1)) % s for n, k, s, p, d in zip(sizes, ks, ss, ps, ds)]
    alt = (f"Padded {sizes[0] + 2 * ps[0]} by {sizes[1] + 2 * ps[1]} input grid with "
           f"{report.shape[0]} by {report.shape[1]} windows of size {ks[0]} by {ks[1]}, stride {ss[0]}")
    if any(dropped):
        alt += (f"; the last {dropped[0]} row(s) and {dropped[1]} column(s) are hatched: "
                "dropped by the floor")
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
    >>> ex.summary.value
    'Output shape: 2 × 2'
    >>> ex.controls['padding'].value = 1
    >>> ex.summary.value
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
           "cells the first window reads; hatched cells fit no window and are dropped by the floor.")
    return Explorer("output-size", controls, output_size_report, summary_class="cnnbook-shape",
                    title="Convolution output size", key=key,
                    layout_controls=[["height", "width"], ["kernel_size", "stride"], ["padding", "dilation"]])
