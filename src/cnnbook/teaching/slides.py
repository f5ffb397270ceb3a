"""Slides: every chapter as a reveal.js deck, rendered by nbconvert.

Chapters carry their own slide metadata (``cell.metadata.slideshow.slide_type``).
:func:`auto_slide_metadata` fills in the cells an author left without it, so
every chapter gets a sensible deck:

- headings ``#``/``##`` start a slide, ``###`` and deeper a subslide;
- exercises, figures, and code cells whose output is a figure or a widget get
  a subslide of their own;
- solutions and cells tagged ``remove-cell`` are skipped;
- prose longer than ``prose_words`` words goes to the speaker notes (press
  ``s`` in the deck), code longer than ``max_code_lines`` lines is skipped;
- a slide that grows past ``max_slide_lines`` (rough screen lines) continues on
  a new subslide.

MyST markup that plain Markdown would show raw (``(label)=`` targets, roles
such as ``{cite}`` and ``{doc}``, directives such as ``{exercise}``) is turned
into plain Markdown on the slides, and the input/output prompts are hidden.

reveal.js comes from a pinned release: by default from the public CDN (like
nbconvert's require.js, jQuery and MathJax, so the decks need a network
connection when opened); with ``offline=True`` these pinned npm packages are
fetched once into a cache folder with ``npm pack`` (:mod:`cnnbook.teaching.npm`)
and the parts a deck loads are copied next to the decks (``_vendor/``), so
they open without a network. Explorers are live on
the slides as in the web book: their page-side code is inlined in the deck.
"""

import copy
import re
import shutil
from pathlib import Path

import nbformat

from .npm import fetch_package
from .student import chapter_paths, is_solution

REVEAL_VERSION = "4.6.1"
REVEAL_CDN = f"https://unpkg.com/reveal.js@{REVEAL_VERSION}"
CHAPTER_NAME = re.compile(r"^\d\d_.*\.ipynb$")  # numbered chapters get decks; other pages do not

_RICH_OUTPUTS = ("image/png", "image/svg+xml", "image/jpeg", "application/vnd.jupyter.widget-view+json")


def _slide_type(cell):
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def _words(text):
    return len(re.findall(r"\w+", text))


def _screen_lines(cell):
    """Rough height of a cell on a slide, in lines of text."""
    if cell.cell_type == "markdown":
        return sum(1 + len(line) // 90 for line in cell.source.splitlines() if line.strip())
    lines = len(cell.source.splitlines())
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if any(kind in data for kind in _RICH_OUTPUTS):
            lines += 12
        elif "text" in out:
            lines += min(len(out["text"].splitlines()), 15)
        elif "text/plain" in data:
            lines += min(len(data["text/plain"].splitlines()), 15)
    return lines


def _default_slide_type(cell, prose_words, max_code_lines):
    tags = cell.get("metadata", {}).get("tags", [])
    if is_solution(cell) or "remove-cell" in tags:
        return "skip"
    if cell.cell_type == "markdown":
        text = cell.source.lstrip()
        if re.match(r"#{1,2}\s", text):
            return "slide"
        if re.match(r"#{3,6}\s", text):
            return "subslide"
        if "```{exercise" in text or "{figure" in text or "![" in text:
            return "subslide"
        return "notes" if _words(text) > prose_words else "-"
    if cell.cell_type == "code":
        outputs = cell.get("outputs", [])
        if any(kind in out.get("data", {}) for out in outputs for kind in _RICH_OUTPUTS):
            return "subslide"
        if len(cell.source.splitlines()) > max_code_lines:
            return "skip"
        return "-"
    return "skip"


_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                    re.MULTILINE | re.DOTALL)
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<text>[^`]*)`")


def _directive(match):
    name, arg = match["name"], match["arg"].strip()
    body = "\n".join(line for line in match["body"].splitlines() if not re.match(r"\s*:[\w-]+:", line)).strip()
    if name == "math":
        return f"$$\n{body}\n$$"
    if name in ("solution", "solution-start", "solution-end"):
        return ""
    title = name.replace("-", " ").capitalize() + (f": {arg}" if arg else "")
    return f"**{title}**\n\n{_myst_to_markdown(body)}" if body else f"**{title}**"


def _role(match):
    role, text = match["role"], match["text"]
    if role == "math":
        return f"${text}$"
    if role == "cite":
        return "[" + ", ".join(k.strip() for k in text.split(",")) + "]"
    shown = re.match(r"(.*?)\s*<[^>]*>$", text, re.DOTALL)  # {ref}`text <label>` shows text
    return (shown[1] if shown else text).strip()


def _myst_to_markdown(text):
    """MyST markup that nbconvert would show raw, turned into plain Markdown for a slide."""
    text = re.sub(r"^\([\w:.-]+\)=[ \t]*\n", "", text, flags=re.MULTILINE)  # (label)= targets
    text = _FENCE.sub(_directive, text)
    return _ROLE.sub(_role, text)


def auto_slide_metadata(nb, *, prose_words=60, max_code_lines=25, max_slide_lines=22):
    """Return a copy of ``nb`` where every cell has a slide type.

    Cells that already have ``metadata.slideshow.slide_type`` keep it; the
    others get the defaults described in the module docstring.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter.
    prose_words : int
        Markdown cells with more words go to the speaker notes.
    max_code_lines : int
        Code cells with more lines are skipped.
    max_slide_lines : int
        A cell that would make the current slide taller than this (in rough
        lines of text) starts a new subslide.

    Returns
    -------
    nb : nbformat.NotebookNode
        The copy, with ``metadata.slideshow.slide_type`` on every cell.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
    ...                                      nbformat.v4.new_markdown_cell("word " * 100)])
    >>> [c.metadata.slideshow.slide_type for c in auto_slide_metadata(nb).cells]
    ['slide', 'notes']
    """
    nb = copy.deepcopy(nb)
    height = 0
    for cell in nb.cells:
        kind = _slide_type(cell)
        if kind is None:
            kind = _default_slide_type(cell, prose_words, max_code_lines)
            if kind == "-" and height + _screen_lines(cell) > max_slide_lines and height > 0:
                kind = "subslide"
            cell.metadata["slideshow"] = {"slide_type": kind}
        if kind in ("slide", "subslide"):
            height = _screen_lines(cell)
        elif kind in ("-", "fragment"):
            height += _screen_lines(cell)
    return nb


# Offline decks: the pinned npm packages and the parts of each that a deck loads.
VENDOR = {
    "reveal.js": (REVEAL_VERSION, ("dist/", "plugin/", "LICENSE")),
    "requirejs": ("2.3.7", ("require.js", "LICENSE")),
    "jquery": ("3.7.1", ("dist/jquery.min.js", "LICENSE.txt")),
    "mathjax": ("2.7.9", ("MathJax.js", "config/", "extensions/", "jax/element/", "jax/input/TeX/",
                          "jax/output/CommonHTML/", "fonts/HTML-CSS/TeX/woff/", "localization/en/", "LICENSE")),
}
OFFLINE_URLS = {
    "reveal_url_prefix": "_vendor/reveal.js",
    "require_js_url": "_vendor/requirejs/require.js",
    "jquery_url": "_vendor/jquery/dist/jquery.min.js",
    "mathjax_url": "_vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
}


def fetch_vendor(cache_dir=None):
    """Fetch the JavaScript an offline deck needs; return ``{package: folder}``.

    Each pinned npm package (:data:`VENDOR`) is fetched once with ``npm pack``
    into ``cache_dir`` (default ``~/.cache/cnnbook``), in the layout of
    :func:`cnnbook.teaching.npm.fetch_package`; later calls reuse it.

    Parameters
    ----------
    cache_dir : str or Path, optional
        Cache folder.

    Returns
    -------
    folders : dict of str to Path
        The whole unpacked packages; :func:`write_slides` copies only the parts
        listed in :data:`VENDOR`.
    """
    cache = Path(cache_dir) if cache_dir is not None else Path.home() / ".cache" / "cnnbook"
    hint = " (or render the slides with the CDN, without --offline)"
    return {name: fetch_package(cache, name, version, hint=hint) for name, (version, _) in VENDOR.items()}


def _copy_parts(folder, dest, keep):
    """Copy the files of ``folder`` whose relative path starts with one of ``keep`` into ``dest``."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel.startswith(keep):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / rel)


def render_deck(nb, *, reveal_url_prefix=REVEAL_CDN, urls=None):
    """Render one notebook as reveal.js HTML.

    The cells get :func:`auto_slide_metadata`; MyST markup that a plain
    Markdown renderer would show raw (label targets, roles such as
    ``{cite}`` or ``{doc}``, directives such as ``{exercise}``) becomes plain
    Markdown; input and output prompts are hidden.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter.
    reveal_url_prefix : str
        Where reveal.js 4 lives.
    urls : dict, optional
        Other exporter settings (``require_js_url``, ``jquery_url``,
        ``mathjax_url``, ``reveal_url_prefix``), e.g. :data:`OFFLINE_URLS`.

    Returns
    -------
    html : str
    """
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.reveal_url_prefix = reveal_url_prefix
    for key, value in (urls or {}).items():
        setattr(config.SlidesExporter, key, value)
    config.SlidesExporter.reveal_scroll = True  # tall slides scroll instead of being cut off
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "solution"}
    config.TagRemovePreprocessor.remove_input_tags = {"remove-input", "hide-input"}
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    exporter = SlidesExporter(config=config)
    nb = auto_slide_metadata(nb)
    live = False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _myst_to_markdown(cell.source)
        for out in cell.get("outputs", []):
            if "text/markdown" in out.get("data", {}):  # e.g. a table built by a cell
                out["data"]["text/markdown"] = _myst_to_markdown("".join(out["data"]["text/markdown"]))
            if "cnnbook-live" in "".join(out.get("data", {}).get("text/html", "")):
                # An explorer: show its live web copy (as the web book does), not the widget.
                out["data"].pop("application/vnd.jupyter.widget-view+json", None)
                live = True
    html, _ = exporter.from_notebook_node(nb)
    if live:  # the explorers' page-side code, inline: the deck stays one self-contained file
        from ..widgets.web import js_sources

        script = js_sources().replace("</script", "<\\/script")
        html = html.replace("</body>", f"<script>\n{script}\n</script>\n</body>", 1)
    return html


_REMOTE_IMPORT = re.compile(r"@import url\(https?://[^)]*\);?\n?")
_MERMAID = re.compile(r'<script type="module">\s*import mermaid from \'https?://[^<]*</script>\n?')


def write_slides(book_dir, out_dir, *, offline=False, reveal_url_prefix=None, cache_dir=None):
    """Render every numbered chapter (``NN_*.ipynb``) of ``book_dir`` as
    ``out_dir/<chapter>.slides.html``.

    Parameters
    ----------
    book_dir, out_dir : str or Path
        Folder of the chapters; destination folder (created if needed).
    offline : bool
        Copy the pinned reveal.js, require.js, jQuery and MathJax into
        ``out_dir/_vendor`` (see :func:`fetch_vendor`) and point the decks to
        them, so they open without a network.
    reveal_url_prefix : str, optional
        Any other copy of reveal.js 4 (ignored when ``offline``); default the CDN.
    cache_dir : str or Path, optional
        Cache for the npm packages when ``offline``.

    Returns
    -------
    decks : list of Path
        The decks written (``out_dir/index.html``, which lists them, is written too).
    """
    out_dir = Path(out_dir)
    chapters = [p for p in chapter_paths(book_dir) if CHAPTER_NAME.match(p.name)]
    out_dir.mkdir(parents=True, exist_ok=True)
    urls = {"reveal_url_prefix": reveal_url_prefix or REVEAL_CDN}
    if offline:
        vendor = out_dir / "_vendor"
        shutil.rmtree(vendor, ignore_errors=True)
        for name, folder in fetch_vendor(cache_dir).items():
            _copy_parts(folder, vendor / name, keep=VENDOR[name][1])
        for css in (vendor / "reveal.js").rglob("theme/*.css"):
            # reveal's themes @import web fonts; offline they fall back to local fonts
            css.write_text(_REMOTE_IMPORT.sub("", css.read_text(encoding="utf-8")), encoding="utf-8")
        urls = dict(OFFLINE_URLS)
    decks = []
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        deck = out_dir / f"{path.stem}.slides.html"
        html = render_deck(nb, urls=urls)
        if offline:
            # nbconvert's template imports mermaid from a CDN; the chapters draw no mermaid diagrams
            html = _MERMAID.sub("", html)
        deck.write_text(html, encoding="utf-8")
        decks.append(deck)
    items = "\n".join(f'<li><a href="{d.name}">{d.stem.replace(".slides", "")}</a></li>' for d in decks)
    (out_dir / "index.html").write_text(
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>cnnbook slides</title></head>\n"
        f"<body><h1>cnnbook slides</h1>\n<ul>\n{items}\n</ul></body></html>\n", encoding="utf-8")
    return decks
