"""Slides: one reveal.js deck per chapter, written as slides rather than cut from the prose.

A deck is built from cells the chapter marks for it, in notebook order:

- the **title slide**: the chapter's ``#`` title and its number in the book;
- every Markdown cell tagged ``slide-only`` (:data:`SLIDE_TAG`) is one slide:
  a ``##`` heading and 3–5 short bullets. These cells also carry Jupyter Book's
  ``remove-cell`` tag, so the web book never shows them;
- every code cell tagged ``slide-figure`` (:data:`FIGURE_TAG`) gives one slide
  with the first image it output, as large as the slide allows; its title is
  ``cell.metadata["slide_title"]``;
- every code cell tagged ``slide-code`` (:data:`CODE_TAG`, at most
  :data:`MAX_CODE_LINES` lines) gives one slide with its source and its text
  output; its title is ``cell.metadata["slide_title"]``.

Tags travel with their cells, so a deck survives edits around them. Book
paragraphs never become slides. :func:`check_slides` lists what would show raw
or not fit (MyST roles, labels, citation keys, long bullets, long code); the
tests hold every chapter to it.

Decks are 1280×720 (16:9) and need no network: reveal.js and MathJax 3 come
from pinned npm packages (fetched once with ``npm pack`` into a cache folder,
see :mod:`cnnbook.teaching.npm`) and the parts a deck loads are copied next to
the decks, into ``_vendor/``. Math is written ``$…$`` in the slide cells, as in
the book, and typeset by that MathJax.
"""

import base64
import html
import re
import shutil
import struct
from pathlib import Path

import nbformat

from .npm import fetch_package

SLIDE_TAG = "slide-only"
FIGURE_TAG = "slide-figure"
CODE_TAG = "slide-code"
HIDE_TAG = "remove-cell"  # Jupyter Book drops the cell from the web book
TITLE_KEY = "slide_title"  # cell metadata: the title of a figure or code slide

WIDTH, HEIGHT = 1280, 720  # reveal's slide size, 16:9
PAD_X, PAD_TOP, PAD_BOTTOM = 56, 28, 36  # slide padding, px
FIGURE_TITLE_H = 64  # height kept for a figure slide's title, px
MAX_BULLETS, MIN_BULLETS = 5, 3
MAX_BULLET_WORDS = 12  # "about ten": a formula counts as one word
MAX_CODE_LINES = 12
MAX_CODE_COLUMNS = 84
MAX_OUTPUT_LINES = 8

REVEAL_VERSION = "4.6.1"
MATHJAX_VERSION = "3.2.2"
# The pinned npm packages and the parts of each that a deck loads.
VENDOR = {
    "reveal.js": (REVEAL_VERSION, ("dist/reveal.js", "dist/reveal.css", "dist/theme/white.css",
                                   "dist/theme/fonts/source-sans-pro/", "LICENSE")),
    "mathjax": (MATHJAX_VERSION, ("es5/tex-chtml.js", "es5/input/tex/extensions/", "es5/output/chtml/fonts/woff-v2/",
                                  "es5/ui/", "es5/a11y/", "LICENSE")),
}
LOCAL_URLS = {
    "reveal_js": "_vendor/reveal.js/dist/reveal.js",
    "reveal_css": "_vendor/reveal.js/dist/reveal.css",
    "theme_css": "_vendor/reveal.js/dist/theme/white.css",
    "mathjax": "_vendor/mathjax/es5/tex-chtml.js",
}

# ------------------------------------------------------------------ MyST that must not reach a slide
_RAW_MYST = [
    (re.compile(r"\{[\w:-]+\}`"), "a MyST role such as {ref}`...`"),
    (re.compile(r"^\([\w:.-]+\)=", re.MULTILINE), "a (label)= target"),
    (re.compile(r"^(`{3,}|~{3,}|:{3,})", re.MULTILINE), "a fence or directive"),
    (re.compile(r"\[[a-z][\w-]*\d{4}[\w-]*\]"), "a citation key"),
    (re.compile(r"\((?:fig|sec|eq|tab|ex|ch)[\w-]*-[\w-]+\)"), "a label in parentheses"),
    (re.compile(r"<[a-z/][^>]*>"), "raw HTML"),
]


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def _title_of(nb):
    """The chapter's ``#`` title, as plain text."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if match:
                return match[1].strip()
    raise ValueError("the chapter has no '# ' title")


def _parse_slide_cell(source):
    """``(heading, [bullet, ...])`` of a slide-only cell (``##`` heading, ``-`` bullets)."""
    lines = [line for line in source.strip().splitlines() if line.strip()]
    if not lines or not re.match(r"##\s+\S", lines[0]):
        raise ValueError(f"a slide-only cell must start with a '## ' heading, got {lines[:1]!r}")
    bullets = []
    for line in lines[1:]:
        if re.match(r"[-*]\s+", line):
            bullets.append(re.sub(r"^[-*]\s+", "", line).strip())
        elif line.startswith("  ") and bullets:  # a bullet continued on the next line
            bullets[-1] += " " + line.strip()
        else:
            raise ValueError(f"a slide-only cell holds a heading and '- ' bullets only, got {line!r}")
    return lines[0].lstrip("#").strip(), bullets


def _bullet_words(text):
    """Words of a bullet as read aloud: a formula ``$…$`` or ``code`` counts as one word."""
    text = re.sub(r"\$[^$]+\$|`[^`]+`", " W ", text)
    return len(re.findall(r"[\w'’]+(?:[.,-][\w'’]+)*", text))  # 102.8, VGG-16, one-pixel: one word


def _image(cell):
    """``(mime, base64 data, width, height)`` of the first image a cell output, or None."""
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data:
            raw = base64.b64decode(data["image/png"])
            width, height = struct.unpack(">II", raw[16:24])  # the PNG's IHDR chunk
            return "image/png", "".join(data["image/png"]).replace("\n", ""), width, height
    return None


def _text_output(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stdout":
            parts.append(out.get("text", ""))
        elif "text/plain" in out.get("data", {}) and not any(k.startswith("image/") for k in out["data"]):
            parts.append(out["data"]["text/plain"] + "\n")
    return "".join(parts).rstrip("\n")


def check_slides(nb):
    """Problems that would make a chapter's deck show raw markup or overflow its slides.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter.

    Returns
    -------
    problems : list of str
        Empty when every slide cell follows the rules of the module docstring.

    Examples
    --------
    >>> tags = {"tags": ["slide-only", "remove-cell"]}
    >>> cell = nbformat.v4.new_markdown_cell("## Stride\\n- see {ref}`sec-a`", metadata=tags)
    >>> for problem in check_slides(nbformat.v4.new_notebook(cells=[cell])):
    ...     print(problem)
    cell 0: 1 bullets, want 3 to 5
    cell 0: 'see {ref}`sec-a`' holds a MyST role such as {ref}`...`
    """
    return [message for _, message in _problems(nb)]


def _problems(nb):
    """``[(kind, message), ...]``: kind "shown" (the deck would show it wrong), "fit" or "rule"."""
    problems = []

    def add(kind, message):
        problems.append((kind, message))

    for i, cell in enumerate(nb.cells):
        tags = _tags(cell)
        texts = []
        if SLIDE_TAG in tags:
            if cell.cell_type != "markdown":
                add("shown", f"cell {i}: tagged {SLIDE_TAG} but is not Markdown")
                continue
            if HIDE_TAG not in tags:
                add("rule", f"cell {i}: a {SLIDE_TAG} cell needs the {HIDE_TAG} tag too (hidden in the web book)")
            try:
                heading, bullets = _parse_slide_cell(cell.source)
            except ValueError as err:
                add("shown", f"cell {i}: {err}")
                continue
            if not MIN_BULLETS <= len(bullets) <= MAX_BULLETS:
                add("fit", f"cell {i}: {len(bullets)} bullets, want {MIN_BULLETS} to {MAX_BULLETS}")
            for bullet in bullets:
                if _bullet_words(bullet) > MAX_BULLET_WORDS:
                    add("fit", f"cell {i}: bullet of {_bullet_words(bullet)} words, at most "
                                    f"{MAX_BULLET_WORDS}: {bullet!r}")
            texts = [heading, *bullets]
        if FIGURE_TAG in tags or CODE_TAG in tags:
            title = cell.get("metadata", {}).get(TITLE_KEY, "")
            if cell.cell_type != "code":
                add("rule", f"cell {i}: tagged {FIGURE_TAG}/{CODE_TAG} but is not a code cell")
                continue
            if not title:
                add("rule", f"cell {i}: a {FIGURE_TAG}/{CODE_TAG} cell needs metadata[{TITLE_KEY!r}]")
            texts.append(title)
        if FIGURE_TAG in tags and _image(cell) is None:
            add("shown", f"cell {i}: tagged {FIGURE_TAG} but has no image output")
        if CODE_TAG in tags:
            lines = cell.source.strip().splitlines()
            output = _text_output(cell).splitlines()
            if len(lines) > MAX_CODE_LINES:
                add("fit", f"cell {i}: {len(lines)} lines of code, at most {MAX_CODE_LINES} on a slide")
            if len(output) > MAX_OUTPUT_LINES:
                add("fit", f"cell {i}: {len(output)} lines of output, at most {MAX_OUTPUT_LINES}")
            for line in lines + output:
                if len(line) > MAX_CODE_COLUMNS:
                    add("fit", f"cell {i}: a line of {len(line)} characters, at most {MAX_CODE_COLUMNS}: "
                                    f"{line!r}")
        for text in texts:
            plain = re.sub(r"\$\$[^$]+\$\$|\$[^$]+\$", "", text)  # math is typeset, not raw
            if "$" in plain:
                add("shown", f"cell {i}: {text!r} holds an unpaired $")
            for pattern, what in _RAW_MYST:
                if pattern.search(plain):
                    add("shown", f"cell {i}: {text!r} holds {what}")
    return problems


# ------------------------------------------------------------------ rendering
def _markdown():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True)
    # MathJax typesets \( \) and \[ \] in the page; the TeX is HTML-escaped like any text.
    md.add_render_rule("math_inline", lambda self, tokens, idx, options, env:
                       f"\\({html.escape(tokens[idx].content)}\\)")
    md.add_render_rule("math_inline_double", lambda self, tokens, idx, options, env:
                       f"\\[{html.escape(tokens[idx].content)}\\]")
    md.add_render_rule("math_block", lambda self, tokens, idx, options, env:
                       f"<div class='display'>\\[{html.escape(tokens[idx].content)}\\]</div>\n")
    return md


def _inline(md, text):
    return md.renderInline(text)


def _highlight(code):
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    return highlight(code, PythonLexer(), HtmlFormatter(nowrap=True))


def _figure_size(width, height):
    """Display size of an image scaled to fill the figure area of a slide, aspect kept."""
    box_w = WIDTH - 2 * PAD_X
    box_h = HEIGHT - PAD_TOP - PAD_BOTTOM - FIGURE_TITLE_H
    scale = min(box_w / width, box_h / height)
    return int(width * scale), int(height * scale)


def _slides(nb, md):
    """The HTML ``<section>`` of every slide after the title, in notebook order."""
    out = []
    for cell in nb.cells:
        tags = _tags(cell)
        title = _inline(md, cell.get("metadata", {}).get(TITLE_KEY, ""))
        if SLIDE_TAG in tags and cell.cell_type == "markdown":
            heading, bullets = _parse_slide_cell(cell.source)
            items = "\n".join(f"<li>{_inline(md, b)}</li>" for b in bullets)
            out.append(f'<section class="bullets">\n<h2>{_inline(md, heading)}</h2>\n<ul>\n{items}\n</ul>\n</section>')
        elif FIGURE_TAG in tags and cell.cell_type == "code":
            image = _image(cell)
            if image is None:
                raise ValueError(f"a cell tagged {FIGURE_TAG} has no image output: {cell.source[:80]!r}")
            mime, data, width, height = image
            w, h = _figure_size(width, height)
            alt = html.escape(re.sub(r"<[^>]+>", "", title) or "figure", quote=True)
            out.append(f'<section class="figure">\n<h2>{title}</h2>\n'
                       f'<img src="data:{mime};base64,{data}" width="{w}" height="{h}" alt="{alt}">\n</section>')
        elif CODE_TAG in tags and cell.cell_type == "code":
            output = _text_output(cell)
            shown = f'<pre class="output">{html.escape(output)}</pre>' if output else ""
            out.append(f'<section class="code">\n<h2>{title}</h2>\n'
                       f'<pre class="source"><code>{_highlight(cell.source.strip())}</code></pre>\n{shown}\n</section>')
    return out


CSS = f"""
.reveal {{ font-size: 38px; }}
.reveal .slides {{ text-align: left; }}
.reveal .slides > section {{ box-sizing: border-box; height: {HEIGHT}px;
  padding: {PAD_TOP}px {PAD_X}px {PAD_BOTTOM}px; overflow: hidden; }}
.reveal h1, .reveal h2 {{ text-transform: none; font-weight: 600; color: #1d3557; }}
.reveal h2 {{ font-size: 48px; margin: 0 0 32px; line-height: 1.2; }}
.reveal ul {{ display: block; margin: 0 0 0 1.1em; }}
.reveal li {{ margin: 0 0 0.55em; line-height: 1.3; }}
.reveal section.title {{ display: flex !important; flex-direction: column; justify-content: center; }}
.reveal section.title h1 {{ font-size: 64px; line-height: 1.15; margin: 0 0 32px; }}
.reveal section.title p {{ font-size: 30px; color: #555; margin: 0; }}
.reveal section.figure h2 {{ font-size: 36px; height: {FIGURE_TITLE_H - 12}px; margin: 0 0 12px; }}
.reveal section.figure img {{ display: block; margin: 0 auto; max-width: none; max-height: none;
  border: 0; box-shadow: none; }}
.reveal pre, .reveal pre code {{ box-sizing: border-box; }}
.reveal pre {{ width: 100%; box-shadow: none; margin: 0 0 16px; font-size: 21px; line-height: 1.35; }}
.reveal pre code {{ max-height: none; padding: 12px 16px; background: #f6f8fa; overflow: hidden; }}
.reveal pre.output {{ padding: 12px 16px; background: #fff; border-left: 4px solid #a8dadc;
  white-space: pre; overflow: hidden; }}
.reveal .slide-number {{ font-size: 16px; }}
.reveal mjx-container {{ font-size: 100%; }}
/* Pygments (default style, the colours that matter) */
.reveal .k, .reveal .kn, .reveal .ow {{ color: #008000; font-weight: bold; }}
.reveal .nf, .reveal .nc {{ color: #0000ff; }}
.reveal .s, .reveal .s1, .reveal .s2, .reveal .sa {{ color: #ba2121; }}
.reveal .c1, .reveal .c {{ color: #3d7b7b; font-style: italic; }}
.reveal .mi, .reveal .mf {{ color: #666; }}
"""

# MathJax 3 typesets inline and display math; the page marks itself ready (the tests wait for it).
MATHJAX = """<script>
window.MathJax = {
  tex: { inlineMath: [["\\\\(", "\\\\)"]], displayMath: [["\\\\[", "\\\\]"]] },
  options: { enableMenu: false },
  startup: { pageReady: function () {
    return MathJax.startup.defaultPageReady().then(function () { document.body.dataset.mathReady = "1"; });
  } }
};
</script>
<script defer src="{mathjax}"></script>
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} (slides)</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{reveal_css}">
<link rel="stylesheet" href="{theme_css}">
<style>{css}</style>
{mathjax_block}</head>
<body{body_attrs}>
<div class="reveal"><div class="slides">
{sections}
</div></div>
<script src="{reveal_js}"></script>
<script>
Reveal.initialize({{ width: {width}, height: {height}, margin: 0.04, center: false, hash: true,
                     slideNumber: "c/t", transition: "none", controlsTutorial: false }});
</script>
</body>
</html>
"""


def render_deck(nb, *, number=None, urls=None):
    """Render one chapter as a reveal.js deck (HTML text).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter.
    number : int or str, optional
        The chapter's number in the book, shown on the title slide.
    urls : dict, optional
        Where the deck finds reveal.js and MathJax (keys of :data:`LOCAL_URLS`);
        default the ``_vendor/`` folder that :func:`write_slides` fills.

    Returns
    -------
    html : str

    Raises
    ------
    ValueError
        If a slide cell would show raw MyST markup or does not fit (see :func:`check_slides`).

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Pooling")])
    >>> page = render_deck(nb, number=5)
    >>> page.count("<section"), "Chapter 5" in page
    (1, True)
    """
    markup = [message for kind, message in _problems(nb) if kind == "shown"]
    if markup:
        raise ValueError("slide cells that cannot be shown:\n" + "\n".join(markup))
    md = _markdown()
    title = _title_of(nb)
    subtitle = f"Chapter {number} · cnnbook" if number is not None else "cnnbook"
    sections = [f'<section class="title">\n<h1>{_inline(md, title)}</h1>\n<p>{subtitle}</p>\n</section>',
                *_slides(nb, md)]
    urls = urls or LOCAL_URLS
    body = "\n".join(sections)
    has_math = "\\(" in body or "\\[" in body
    return PAGE.format(title=html.escape(re.sub(r"\$", "", title)), css=CSS, sections=body, width=WIDTH,
                       height=HEIGHT, reveal_css=urls["reveal_css"], theme_css=urls["theme_css"],
                       reveal_js=urls["reveal_js"],
                       mathjax_block=MATHJAX.replace("{mathjax}", urls["mathjax"]) if has_math else "",
                       body_attrs="" if has_math else ' data-math-ready="1"')


# ------------------------------------------------------------------ the decks of the book
def fetch_vendor(cache_dir=None):
    """Fetch the JavaScript a deck needs; return ``{package: folder}``.

    Each pinned npm package (:data:`VENDOR`) is fetched once with ``npm pack``
    into ``cache_dir`` (default ``~/.cache/cnnbook``); later calls reuse it.

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
    return {name: fetch_package(cache, name, version, hint=" (the slides carry their own JavaScript)")
            for name, (version, _) in VENDOR.items()}


_OLD_FONTS = {".eot", ".ttf", ".otf"}  # browsers take the .woff next to them


def _copy_parts(folder, dest, keep):
    """Copy the files of ``folder`` whose relative path starts with one of ``keep`` into ``dest``."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel.startswith(keep) and path.suffix not in _OLD_FONTS:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / rel)


_REMOTE_IMPORT = re.compile(r"@import url\(https?://[^)]*\);?\n?")


def deck_chapters(book_dir):
    """``[(path, number), ...]``: the chapters that get a deck, in the order of ``_toc.yml``.

    The root page and every chapter of a numbered part get a deck (numbered as
    the web book numbers them, on from part to part); other pages get one
    only if they hold slide cells. ``_toc.yml`` is looked for in ``book_dir``
    and its parent; without one, every ``NN_*.ipynb`` of ``book_dir`` is a chapter.
    """
    import yaml

    book_dir = Path(book_dir)
    toc_path = next((p / "_toc.yml" for p in (book_dir, book_dir.parent) if (p / "_toc.yml").exists()), None)
    if toc_path is None:
        return [(p, int(p.name[:2]) or None) for p in sorted(book_dir.glob("[0-9][0-9]_*.ipynb"))]
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    entries = [(toc["root"], None)]
    number = 0
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        for chapter in part.get("chapters", []):
            if part.get("numbered"):
                number += 1
            entries.append((chapter["file"], number if part.get("numbered") else None))
    chosen = []
    for entry, num in entries:
        path = toc_path.parent / (str(Path(entry).with_suffix("")) + ".ipynb")
        if not path.exists():
            continue
        if num is None and entry != toc["root"]:
            nb = nbformat.read(path, as_version=4)
            if not any(SLIDE_TAG in _tags(c) for c in nb.cells):
                continue
        chosen.append((path, num))
    return chosen


def write_slides(book_dir, out_dir, *, cache_dir=None):
    """Write a deck for each chapter of :func:`deck_chapters` as ``out_dir/<chapter>.slides.html``.

    reveal.js and MathJax (see :func:`fetch_vendor`) are copied into
    ``out_dir/_vendor``, so the decks open without a network.

    Parameters
    ----------
    book_dir, out_dir : str or Path
        Folder of the chapters; destination folder (created if needed).
    cache_dir : str or Path, optional
        Cache for the npm packages.

    Returns
    -------
    decks : list of Path
        The decks written (``out_dir/index.html``, which lists them, is written too).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vendor = out_dir / "_vendor"
    shutil.rmtree(vendor, ignore_errors=True)
    for name, folder in fetch_vendor(cache_dir).items():
        _copy_parts(folder, vendor / name, keep=VENDOR[name][1])
    for css in (vendor / "reveal.js").rglob("theme/*.css"):
        # reveal's themes @import web fonts; without a network they fall back to local fonts
        css.write_text(_REMOTE_IMPORT.sub("", css.read_text(encoding="utf-8")), encoding="utf-8")
    decks, titles = [], []
    for path, number in deck_chapters(book_dir):
        nb = nbformat.read(path, as_version=4)
        try:
            page = render_deck(nb, number=number)
        except ValueError as err:
            raise ValueError(f"{path.name}: {err}") from None
        deck = out_dir / f"{path.stem}.slides.html"
        deck.write_text(page, encoding="utf-8")
        decks.append(deck)
        titles.append((f"{number}. " if number else "") + re.sub(r"\$", "", _title_of(nb)))
    items = "\n".join(f'<li><a href="{d.name}">{html.escape(t)}</a></li>' for d, t in zip(decks, titles))
    (out_dir / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>cnnbook slides</title>"
        "<link rel='icon' href='data:,'></head>\n"
        f"<body><h1>cnnbook slides</h1>\n<ul>\n{items}\n</ul></body></html>\n", encoding="utf-8")
    return decks
