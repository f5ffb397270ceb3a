"""The thin ipywidgets layer shared by every explorer.

An explorer is a pure function (settings in, a result object out) plus this
wiring: labelled ipywidgets controls and an :class:`ExplorerView`, the
anywidget in which ``web/cnnbook-explorers/core.js`` draws the result's
``state()``. The same JavaScript draws the same state in the web book, where
a twin of the pure function computes it in the page (see
:mod:`cnnbook.widgets.web`), so an explorer has one drawing path.

Result objects given to :class:`Explorer` provide ``summary`` (one line),
``text`` (plain text), ``error`` (str or None) and ``state()``, a JSON-able
dict ``{summary, error, text, grids, picture}`` (grids are
:func:`cnnbook.widgets.web.grid` tables; the picture is a dict whose ``kind``
names a drawing function of the page side, or None).

Every drawn part carries a stable CSS class (see :data:`CLASSES`), in Jupyter
and in the web book alike, so browser tests and stylesheets can find it.
"""

import html
import time

import anywidget
import ipywidgets as widgets
import traitlets

from . import web

#: CSS classes of the parts of every explorer (drawn by core.js).
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


class ExplorerView(anywidget.AnyWidget):
    """An explorer's drawn output in a kernel: core.js draws ``state`` (see :mod:`cnnbook.widgets.web`)."""

    _esm = traitlets.Unicode(web.esm_source()).tag(sync=True)
    #: The result's ``state()``.
    state = traitlets.Dict().tag(sync=True)
    #: Data the pictures draw from (e.g. an image), sent once.
    data = traitlets.Dict().tag(sync=True)
    #: Extra CSS class of the summary line.
    summary_class = traitlets.Unicode("").tag(sync=True)


class Explorer(widgets.VBox):
    """A VBox holding labelled controls and the drawn result of a pure function.

    Parameters
    ----------
    name : str
        Short id; the root gets the CSS class ``cnnbook-<name>``, and the web
        book's twin of ``compute`` is registered under this name in core.js.
    controls : dict of str -> ipywidgets widget
        Keyword name of the pure function's argument -> control (IntSlider,
        FloatSlider or Dropdown). Each control gets the classes
        ``cnnbook-control`` and ``cnnbook-control-<name>``.
    compute : callable
        ``compute(**values)`` -> result object (never raises for a bad setting).
    summary_class : str, optional
        Extra CSS class for the summary line (e.g. ``cnnbook-shape``).
    title : str, optional
        Heading shown above the controls.
    layout_controls : list of list of str, optional
        Rows of control names (default: one control per row).
    key : str, optional
        A fixed key to the picture, shown under it (class ``cnnbook-key``).
    adjust : callable, optional
        ``adjust(explorer)`` runs before each update (and first at creation)
        to keep dependent controls consistent, e.g. a slider's maximum; its
        changes do not trigger extra redraws. The page-side twin has the same
        rule as its ``limits``.
    data : dict, optional
        JSON-able data that the page-side twin and the picture need (e.g. an
        input grid), sent once.

    Attributes
    ----------
    controls : dict
        The control widgets; set ``controls[name].value`` to change a setting.
    result : object
        The last result of ``compute``.
    state : dict
        The last ``result.state()``, as drawn.
    view : ExplorerView
        The drawn output.
    last_redraw_ms : float
        Time of the last update in Python (compute and state), in milliseconds.
    """

    def __init__(self, name, controls, compute, *, summary_class=None, title=None,
                 layout_controls=None, key=None, adjust=None, data=None, **kwargs):
        self.name = name
        self.title = title
        self.key = key
        self.summary_class = summary_class or ""
        self.controls = dict(controls)
        self.control_rows = layout_controls or [[k] for k in self.controls]
        self.data = web.to_json(data or {})
        self._compute = compute
        for name_, control in self.controls.items():
            control.add_class(CLASSES["control"])
            control.add_class(f"cnnbook-control-{name_}")
        self.view = ExplorerView(data=self.data, summary_class=self.summary_class)
        control_box = widgets.VBox([widgets.HBox([self.controls[k] for k in row]) for row in self.control_rows])
        children = []
        if title:
            heading = widgets.HTML(f"<strong>{html.escape(title)}</strong>")
            heading.add_class("cnnbook-title")
            children.append(heading)
        children += [control_box, self.view]
        if key:
            # At the text size, in dark grey (as the web book draws it): a key in <small> fell below the captions.
            key_widget = widgets.HTML(f'<div style="{_WRAP};color:#444">{html.escape(key)}</div>')
            key_widget.add_class("cnnbook-key")
            children.append(key_widget)
        super().__init__(children, **kwargs)
        self.add_class(CLASSES["root"])
        self.add_class(f"cnnbook-{name}")
        self.result = None
        self.state = None
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
        """Recompute the result from the controls and send its state to the view."""
        start = time.perf_counter()
        if self._adjust is not None:
            held, self._holding = self._holding, True
            try:
                self._adjust(self)
            finally:
                self._holding = held
        result = self._compute(**self.values())
        self.result = result
        self.state = result.state()
        self.view.state = self.state
        self.last_redraw_ms = (time.perf_counter() - start) * 1000
        return result

    def _repr_mimebundle_(self, **kwargs):
        # Jupyter shows the widget; the web book (which prefers text/html, see
        # _config.yml) shows the same explorer made live by core.js.
        bundle = dict(super()._repr_mimebundle_(**kwargs))
        bundle["text/html"] = web.static_html(self)
        return bundle
