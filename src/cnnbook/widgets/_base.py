"""The thin ipywidgets layer shared by every explorer.

An explorer is a pure function (settings in, a result object out) plus this
wiring: labelled controls, an HTML summary line, an HTML text block, an HTML
error block and the figure as an ``<img>`` with alt text. Every output widget
carries a stable CSS class (see :data:`CLASSES`) so browser tests and
stylesheets can find it.

Result objects given to :class:`Explorer` provide ``summary`` (one line),
``text`` (plain text, shown preformatted), ``error`` (str or None), ``alt``
(the figure's alt text) and ``figure()`` (a matplotlib Figure), and
optionally ``grids()`` (a list of keyword dicts for :func:`grid_table_html`)
and ``picture_html()`` (the picture as HTML, drawn without matplotlib so that a
slider redraws in a few milliseconds; see :mod:`cnnbook.widgets._pictures`).
"""

import html
import time

import ipywidgets as widgets

from ..plots._base import figure_to_data_uri

#: CSS classes added to the widgets of every explorer.
CLASSES = {
    "root": "cnnbook-explorer",
    "control": "cnnbook-control",
    "summary": "cnnbook-summary",
    "text": "cnnbook-text",
    "error": "cnnbook-error",
    "figure": "cnnbook-figure",
    "grids": "cnnbook-grids",
}

_LABEL_STYLE = {"description_width": "initial"}
# ipywidgets' HTML inherits a tall fixed line height and no wrapping; text blocks reset both.
_WRAP = "line-height:1.4;white-space:normal"


def slider(description, value, min, max, step=1):
    """An IntSlider whose label is fully shown (screen readers read the description)."""
    return widgets.IntSlider(value=value, min=min, max=max, step=step, description=description,
                             style=_LABEL_STYLE, continuous_update=True,
                             layout=widgets.Layout(width="22rem"))


def dropdown(description, options, value):
    """A Dropdown with a fully shown label."""
    return widgets.Dropdown(options=options, value=value, description=description,
                            style=_LABEL_STYLE, layout=widgets.Layout(width="22rem"))


def text_html(text):
    """Plain text as a preformatted HTML block (escaped)."""
    # Widget HTML inherits a tall fixed line height and no-wrap from ipywidgets: reset both.
    return ('<pre style="margin:0.2em 0;white-space:pre-wrap;word-break:normal;overflow-wrap:anywhere;'
            f'line-height:1.4;font-size:0.95em">{html.escape(text)}</pre>')


def figure_html(fig, alt):
    """A figure as an ``<img>`` with alt text (a data URI, so it works offline)."""
    return (f'<img src="{figure_to_data_uri(fig)}" alt="{html.escape(alt, quote=True)}" '
            'style="max-width:100%;height:auto">')


class Explorer(widgets.VBox):
    """A VBox holding labelled controls and the rendered result of a pure function.

    Parameters
    ----------
    name : str
        Short id; the root gets the CSS class ``cnnbook-<name>``.
    controls : dict of str -> ipywidgets widget
        Keyword name of the pure function's argument -> control. Each control
        gets the classes ``cnnbook-control`` and ``cnnbook-control-<name>``.
    compute : callable
        ``compute(**values)`` -> result object (never raises for a bad setting).
    summary_class : str, optional
        Extra CSS class for the summary line (e.g. ``cnnbook-shape``).
    title : str, optional
        Heading shown above the controls.
    layout_controls : list of list of str, optional
        Rows of control names (default: one control per row).
    figure_kwargs : dict, optional
        Passed to ``result.figure()``.
    key : str, optional
        A fixed key to the figure, shown under it (class ``cnnbook-key``).
    adjust : callable, optional
        ``adjust(explorer)`` runs before each update (and first at creation)
        to keep dependent controls consistent, e.g. a slider's maximum; its
        changes do not trigger extra redraws.

    Attributes
    ----------
    controls : dict
        The control widgets; set ``controls[name].value`` to change a setting.
    result : object
        The last result of ``compute``.
    summary, text, error, grids, figure : ipywidgets.HTML
        The output widgets. ``grids`` holds HTML tables of the small
        matrices (from ``result.grids()``, if the result has it): redrawing
        numbers as HTML is much faster than as matplotlib text, and screen
        readers can read them. ``figure`` holds ``result.picture_html()`` if
        the result has it, else ``result.figure(**figure_kwargs)`` as an
        ``<img>`` with alt text (hidden when there is no picture).
    last_redraw_ms : float
        Time of the last update (compute + render), in milliseconds.
    """

    def __init__(self, name, controls, compute, *, summary_class=None, title=None,
                 layout_controls=None, figure_kwargs=None, key=None, adjust=None, **kwargs):
        self.name = name
        self._figure_kwargs = dict(figure_kwargs or {})
        figure_key = key
        self.controls = dict(controls)
        self._compute = compute
        for name_, control in self.controls.items():
            control.add_class(CLASSES["control"])
            control.add_class(f"cnnbook-control-{name_}")
        self.summary = widgets.HTML()
        self.summary.add_class(CLASSES["summary"])
        if summary_class:
            self.summary.add_class(summary_class)
        self.text = widgets.HTML()
        self.text.add_class(CLASSES["text"])
        self.error = widgets.HTML()
        self.error.add_class(CLASSES["error"])
        self.figure = widgets.HTML()
        self.figure.add_class(CLASSES["figure"])
        self.grids = widgets.HTML()
        self.grids.add_class(CLASSES["grids"])
        rows = layout_controls or [[key] for key in self.controls]
        control_box = widgets.VBox([widgets.HBox([self.controls[k] for k in row]) for row in rows])
        children = []
        if title:
            heading = widgets.HTML(f"<strong>{html.escape(title)}</strong>")
            heading.add_class("cnnbook-title")
            children.append(heading)
        children += [control_box, self.summary, self.error, self.text, self.grids, self.figure]
        if figure_key:
            key_widget = widgets.HTML(f'<div style="{_WRAP}"><small>{html.escape(figure_key)}</small></div>')
            key_widget.add_class("cnnbook-key")
            children.append(key_widget)
        super().__init__(children, **kwargs)
        self.add_class(CLASSES["root"])
        self.add_class(f"cnnbook-{name}")
        self.result = None
        self.last_redraw_ms = None
        self._adjust = adjust
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def values(self):
        """Current settings: control name -> value."""
        return {key: control.value for key, control in self.controls.items()}

    def set(self, **values):
        """Set several controls at once, redrawing only once at the end."""
        self._holding = True
        try:
            for key in values:
                if key not in self.controls:
                    raise ValueError(f"unknown control {key!r}; controls are {sorted(self.controls)}")
            # Two passes: a value clamped by a slider range that a later value widens
            # (e.g. row before a smaller window size) is set again.
            for _ in range(2):
                for key, value in values.items():
                    self.controls[key].value = value
                    if self._adjust is not None:
                        self._adjust(self)
        finally:
            self._holding = False
        self.update()
        return self.result

    _holding = False

    def _on_change(self, change):
        if not self._holding:
            self.update()

    def update(self):
        """Recompute the result from the controls and redraw every output."""
        start = time.perf_counter()
        if self._adjust is not None:
            held, self._holding = self._holding, True
            try:
                self._adjust(self)
            finally:
                self._holding = held
        result = self._compute(**self.values())
        self.result = result
        self.summary.value = html.escape(result.summary)
        if result.error:
            self.error.value = (f'<div role="alert" style="{_WRAP};color:#8a2500">'
                                f"<strong>Not allowed:</strong> {html.escape(result.error)}</div>")
            self.error.layout.display = None
        else:
            self.error.value = ""
            self.error.layout.display = "none"
        self.text.value = text_html(result.text) if result.text else ""
        tables = result.grids() if hasattr(result, "grids") else []
        self.grids.value = (
            '<div style="display:flex;flex-wrap:wrap;align-items:flex-start">'
            + "".join(grid_table_html(**spec) for spec in tables) + "</div>"
        ) if tables else ""
        self.grids.layout.display = None if tables else "none"
        if hasattr(result, "picture_html"):  # a fast picture drawn without matplotlib
            picture = result.picture_html()
        else:
            fig = result.figure(**self._figure_kwargs)
            picture = figure_html(fig, result.alt) if fig is not None else ""
        self.figure.value = picture
        self.figure.layout.display = None if picture else "none"
        self.last_redraw_ms = (time.perf_counter() - start) * 1000
        return result


def _hex(rgba):
    return "#{:02x}{:02x}{:02x}".format(*(int(round(255 * c)) for c in rgba[:3]))


def grid_table_html(values, *, caption="", fmt="auto", cmap="gray", vmin=None, vmax=None,
                    highlight=None, origin=(0, 0), blank=""):
    """A small matrix as an HTML ``<table>`` with coloured cells and printed numbers.

    The HTML twin of :func:`cnnbook.plots.show_grid` for the explorers: much
    faster to redraw than matplotlib text, crisp at any zoom, and readable by
    screen readers (a caption, and row/column indices as header cells).

    Parameters
    ----------
    values : array_like, shape (H, W)
        NaN cells are shown empty (or ``blank``) on a light grey background.
    caption : str
    fmt : str
        Format string or 'auto'.
    cmap, vmin, vmax
        As in :func:`~cnnbook.plots.show_grid`.
    highlight : bool ndarray of shape (H, W), optional
        Cells outlined in orange; they also get the class ``cnnbook-hl``.
    origin : (int, int)
        Index of the top-left cell, for the header labels.
    blank : str
        Text for NaN cells (e.g. '0' or '−∞' for padding).

    Returns
    -------
    str

    Examples
    --------
    >>> html = grid_table_html([[0, 255]], caption='two pixels')
    >>> html.count('<td '), '>255</td>' in html  # two cells (plus an empty corner)
    (2, True)
    """
    import numpy as np

    from ..plots._base import auto_fmt, cell_colours, format_value, text_colour

    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr[None, :]  # (1, W)
    H, W = arr.shape
    finite = arr[np.isfinite(arr)]
    lo = vmin if vmin is not None else (finite.min() if finite.size else 0.0)
    hi = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    if fmt == "auto":
        fmt = auto_fmt(arr)
    colours = cell_colours(arr, cmap, lo, hi)  # (H, W, 4)
    mask = np.zeros((H, W), dtype=bool) if highlight is None else np.asarray(highlight, dtype=bool)
    r0, c0 = origin
    cell = "min-width:2.1em;height:1.9em;padding:0 0.25em;text-align:center;border:1px solid #888"
    parts = ['<table class="cnnbook-grid" style="border-collapse:collapse;font-family:monospace;'
             'font-size:13px;line-height:1.2;margin:0.3em 0.8em 0.3em 0">']
    if caption:
        parts.append(f'<caption style="caption-side:top;text-align:left;font-family:sans-serif;'
                     f'line-height:1.3;max-width:18em;white-space:normal">'
                     f"{html.escape(caption)}</caption>")
    header = "".join(f'<th scope="col" style="font-weight:normal;font-size:10px">{c0 + c}</th>' for c in range(W))
    parts.append(f'<tr><td></td>{header}</tr>')
    for r in range(H):
        row = [f'<th scope="row" style="font-weight:normal;font-size:10px;padding-right:0.3em">{r0 + r}</th>']
        for c in range(W):
            v = arr[r, c]
            if np.isfinite(v):
                bg = _hex(colours[r, c])
                fg = text_colour(colours[r, c])
                text = format_value(fmt, v)
            else:
                bg, fg, text = "#e4e4e4", "#404040", html.escape(blank)
            style = f"{cell};background:{bg};color:{fg}"
            cls = ""
            if mask[r, c]:
                style += ";box-shadow:inset 0 0 0 3px #E69F00;font-weight:bold"
                cls = ' class="cnnbook-hl"'
            row.append(f'<td{cls} style="{style}">{text}</td>')
        parts.append("<tr>" + "".join(row) + "</tr>")
    parts.append("</table>")
    return "".join(parts)
