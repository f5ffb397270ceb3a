"""The explorers' page side: one JavaScript renderer, and twins that compute in the page.

Every explorer's pure function returns a result whose ``state()`` is a plain
JSON-able dict (summary, error, text, grids, picture). The JavaScript in
``cnnbook-explorers/`` beside this file draws such a state; it is the only
drawing path of every explorer:

- in a kernel (JupyterLab, Voila, VS Code), :class:`ExplorerView`, an
  anywidget, receives the state Python computed and draws it;
- in the web book, where no Python runs, each explorer's ``.js`` file holds a
  twin of the Python function that computes the same state in the page, and
  ``core.js`` builds the controls and draws it. ``tests/test_web_explorers.py``
  runs the twins in node and compares them with Python on every setting of
  each explorer's grid (or a seeded sample of at least 1,000 settings).

The web book loads these files because ``_config.yml`` lists this folder in
``html_static_path``; an explorer cell's output carries a ``text/html`` part
(:func:`static_html`) that the book shows instead of the widget.
The anywidget is :class:`cnnbook.widgets.ExplorerView`.

``python -m cnnbook.widgets.web colormaps`` rewrites ``colormaps.js`` from matplotlib.
"""

from __future__ import annotations

import html
import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["JS_DIR", "js_sources", "esm_source", "to_json", "grid", "static_html", "write_site_data",
           "SITE_DATA", "colormaps_js"]

#: The folder of the page-side JavaScript (copied to the web book's ``_static/``).
JS_DIR = Path(__file__).resolve().parent / "cnnbook-explorers"

#: Colour maps the explorers use, exported to ``colormaps.js``.
COLORMAPS = ("gray", "viridis", "cividis", "PuOr")

#: Data too big to inline in a page, loaded on demand: name -> function returning JSON-able data.
#: Explorer modules register theirs; the book build writes each to ``_explorer-data/NAME.js``.
SITE_DATA: dict = {}


def js_files():
    """The page-side scripts in load order: core first, then colour maps, then each explorer."""
    rest = sorted(p for p in JS_DIR.glob("*.js") if p.name not in ("core.js", "colormaps.js"))
    return [JS_DIR / "core.js", JS_DIR / "colormaps.js", *rest]


def js_sources():
    """All page-side JavaScript as one classic script."""
    return "\n".join(p.read_text(encoding="utf-8") for p in js_files())


_ESM_FOOTER = """
// anywidget entry point: the kernel computes the state, core.js draws it.
export default {
  render({ model, el }) {
    const E = globalThis.cnnbookExplorers;
    const out = E.outputArea(el.ownerDocument, model.get("summary_class"));
    el.appendChild(out);
    const draw = () => E.renderOutput(out, model.get("state"), model.get("data"));
    draw();
    model.on("change:state", draw);
  },
};
"""


@lru_cache(maxsize=None)
def esm_source():
    """The page-side JavaScript as an ES module for anywidget."""
    return "globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {noAutoMount: true};\n" + \
        js_sources() + _ESM_FOOTER


# ------------------------------------------------------------ states
def to_json(value):
    """Arrays, numpy scalars and tuples as plain JSON values; NaN and ±inf become None.

    Examples
    --------
    >>> to_json({"a": np.array([[1.0, np.nan]]), "b": (np.int64(2), True)})
    {'a': [[1.0, None]], 'b': [2, True]}
    """
    kind = type(value)  # plain Python values first: states hold thousands of them
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is int or kind is str or kind is bool or value is None:
        return value
    if kind is list or kind is tuple:
        # the common element types inline, without a call per number
        return [v if type(v) is int or type(v) is str or (type(v) is float and math.isfinite(v)) else to_json(v)
                for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biu" or (value.dtype.kind == "f" and np.isfinite(value).all()):
            return value.tolist()  # already plain bools, ints and finite floats (fast for big arrays)
        return to_json(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def grid(values, *, caption="", fmt="auto", cmap="gray", vmin=None, vmax=None, highlight=None,
         origin=(0, 0), blank=""):
    """One table of a state: a small matrix drawn with coloured cells and its numbers.

    Parameters
    ----------
    values : array_like, shape (H, W)
        NaN cells are drawn empty (or with ``blank``) on grey.
    caption : str
    fmt : str
        ``'auto'`` (:func:`cnnbook.plots._base.auto_fmt`, decided when drawn) or ``'{:.2f}'``-style.
    cmap : {'gray', 'viridis', 'cividis', 'PuOr'}
    vmin, vmax : float, optional
        Colour range; default the finite values' range.
    highlight : bool array_like, shape (H, W), optional
        Cells outlined in orange (class ``cnnbook-hl``).
    origin : (int, int)
        Index of the top-left cell, for the row and column headers.
    blank : str
        Text of NaN cells (e.g. '0' or '−∞' for padding).

    Returns
    -------
    dict
        JSON-able.
    """
    if cmap not in COLORMAPS:
        raise ValueError(f"cmap={cmap!r} is not exported to the page; use one of {COLORMAPS}")
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr[None, :]  # (1, W)
    mask = None if highlight is None else np.asarray(highlight, dtype=bool).astype(int)
    return to_json(dict(values=arr, caption=caption, fmt=fmt, cmap=cmap, vmin=vmin, vmax=vmax,
                        highlight=mask, origin=tuple(origin), blank=blank))


# ------------------------------------------------------------ the web book
def control_spec(name, widget):
    """An ipywidgets control as the page's control description (JSON-able)."""
    kind = type(widget).__name__
    base = {"name": name, "label": widget.description}
    if kind == "IntSlider":
        return {**base, "type": "int", "min": widget.min, "max": widget.max, "step": widget.step,
                "value": widget.value}
    if kind == "FloatSlider":
        digits = len(str(widget.step).split(".")[1]) if "." in str(widget.step) else 0
        return {**base, "type": "float", "min": widget.min, "max": widget.max, "step": widget.step,
                "value": widget.value, "digits": max(digits, 1)}
    if kind == "Dropdown":
        # options are (label, value) pairs, or plain values that label themselves
        pairs = [opt if isinstance(opt, tuple) else (str(opt), opt) for opt in widget.options]
        return {**base, "type": "select", "options": [[label, to_json(value)] for label, value in pairs],
                "value": to_json(widget.value)}
    raise TypeError(f"control {name!r} is a {kind}; the web book knows IntSlider, FloatSlider and Dropdown")


def static_html(explorer):
    """The explorer as the web book shows it: a mount point that core.js makes live.

    It carries the controls, the settings, Python's first state (drawn at once,
    so the page never waits for a computation) and the data the page-side twin
    needs. Without JavaScript, a note says what the explorer needs.
    """
    config = {
        "name": explorer.name,
        "title": explorer.title,
        "key": explorer.key,
        "summary_class": explorer.summary_class,
        "controls": [control_spec(name, widget) for name, widget in explorer.controls.items()],
        "layout": explorer.control_rows,
        "state": explorer.state,
        "data": explorer.data,
    }
    text = json.dumps(to_json(config), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("</", "<\\/")  # never close the <script> early
    return (f'<div class="cnnbook-explorer cnnbook-live cnnbook-{html.escape(explorer.name)}" '
            f'data-cnnbook-explorer="{html.escape(explorer.name)}">'
            f'<script type="application/json" class="cnnbook-config">{text}</script>'
            '<noscript><p class="cnnbook-static-note">This explorer runs in your browser: '
            "turn on JavaScript to use it.</p></noscript></div>")


def write_site_data(folder, names=None):
    """Write every on-demand data set (or those in ``names``) as ``folder/NAME.js`` (a script calling ``provide``).

    Returns
    -------
    list of pathlib.Path
    """
    import cnnbook.widgets  # noqa: F401  (importing the explorers registers their data)

    if names is not None:
        unknown = sorted(set(names) - set(SITE_DATA))
        if isinstance(names, str) or unknown:
            raise ValueError(f"names must be a list of on-demand data names among {sorted(SITE_DATA)}, "
                             f"got names={names!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in sorted(SITE_DATA.items()):
        if names is not None and name not in names:
            continue
        text = json.dumps(to_json(make()), separators=(",", ":"), allow_nan=False)
        path = folder / f"{name}.js"
        path.write_text(f"cnnbookExplorers.provide({json.dumps(name)},{text});\n", encoding="utf-8")
        written.append(path)
    return written


# ------------------------------------------------------------ colour maps
def colormaps_js():
    """The text of ``colormaps.js``: each map's 256 colours as hex, as imshow draws them."""
    from matplotlib import colormaps

    lines = ["// Generated from matplotlib by `python -m cnnbook.widgets.web colormaps`; do not edit.",
             "// tests/test_web_framework.py checks it against matplotlib.",
             "(function () {",
             '  "use strict";',
             "  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});",
             "  E.colormaps = E.colormaps || {};"]
    for name in COLORMAPS:
        cmap = colormaps[name]
        rgb = np.asarray(cmap(np.arange(cmap.N)))[:, :3]  # (N, 3)
        codes = "".join("{:02x}{:02x}{:02x}".format(*(int(round(255 * c)) for c in row)) for row in rgb)
        lines.append(f'  E.colormaps["{name}"] = "{codes}";')
    lines.append("})();")
    return "\n".join(lines) + "\n"
