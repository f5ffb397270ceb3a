"""Sphinx extension for the PDF edition's single-page build (``--builder singlehtml``).

Sphinx looks up a node's HTML handlers under the builder's name and falls back
to the ``html`` ones only when no extension registered any for ``singlehtml``.
Some do, so nodes that register for ``html`` only (myst-nb's folded code cells,
for one) would have no handler in the single page. Copying the ``html``
handlers over fixes that without touching the web book.
"""

from __future__ import annotations


def _share_html_handlers(app) -> None:
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node_name, pair in handlers.get("html", {}).items():
        single.setdefault(node_name, pair)


def setup(app):
    app.connect("builder-inited", _share_html_handlers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
