"""The slide decks, built once and opened in Chromium at 1280×720, every slide of every deck.

Each deck is checked slide by slide through reveal.js's own API: nothing may
overflow the 16:9 slide (the slide's scroll size and the boxes of its
``pre``/``img``/``table``/list/heading children against the slide box), no
raw MyST or unrendered math may show, a figure slide's image must be large,
and the deck must load nothing from off this machine. A synthetic deck with
a slide that is too tall and a line that is too wide proves the checks fail.
"""

import functools
import http.server
import re
import threading
import time

import pytest

from cnnbook.teaching.slides import deck_chapters
from conftest import ROOT, require_npm

VIEWPORT = {"width": 1280, "height": 720}
DECKS = [path.stem for path, _ in deck_chapters(ROOT / "book")]  # from _toc.yml

# Runs in the page: walk every slide, return one record per slide.
WALK_JS = """() => {
  const out = [];
  const n = Reveal.getTotalSlides();
  for (let h = 0; h < n; h++) {
    Reveal.slide(h, 0);
    const s = Reveal.getCurrentSlide();
    const box = s.getBoundingClientRect();
    const scale = box.height / s.offsetHeight;  // reveal scales the 1280x720 slide to the window
    const problems = [];
    if (s.scrollHeight > s.clientHeight + 1) problems.push(`content ${s.scrollHeight}px tall in ${s.clientHeight}px`);
    if (s.scrollWidth > s.clientWidth + 1) problems.push(`content ${s.scrollWidth}px wide in ${s.clientWidth}px`);
    for (const el of s.querySelectorAll("pre, pre code, img, table, ul, h1, h2, p, mjx-container")) {
      const r = el.getBoundingClientRect();
      const tag = el.tagName.toLowerCase();
      if (r.bottom > box.bottom + 1 || r.right > box.right + 1 || r.left < box.left - 1 || r.top < box.top - 1)
        problems.push(`${tag} outside the slide (${Math.round(r.right - box.left)}x${Math.round(r.bottom - box.top)}`
                      + ` in ${Math.round(box.width)}x${Math.round(box.height)})`);
      if (tag !== "img" && tag !== "mjx-container" && el.scrollWidth > el.clientWidth + 1)
        problems.push(`${tag} cut off on the right (${el.scrollWidth}px in ${el.clientWidth}px)`);
      if ((tag === "pre" || tag === "code") && el.scrollHeight > el.clientHeight + 1)
        problems.push(`${tag} cut off at the bottom (${el.scrollHeight}px in ${el.clientHeight}px)`);
      // a figure slide's title has a fixed height: a second line would cover the figure
      // (a few pixels of descenders past the box are not a second line)
      if (tag === "h2" && el.scrollHeight > el.clientHeight + 12)
        problems.push(`h2 wraps to a second line (${el.scrollHeight}px in ${el.clientHeight}px)`);
    }
    let used = 0;  // how far down the slide its content reaches, for the report
    for (const el of s.children) used = Math.max(used, (el.getBoundingClientRect().bottom - box.top) / box.height);
    const clone = s.cloneNode(true);
    clone.querySelectorAll("mjx-container, pre").forEach(e => e.remove());
    const text = clone.textContent;
    let image = null;
    if (s.classList.contains("figure")) {
      const img = s.querySelector("img");
      const r = img ? img.getBoundingClientRect() : null;
      image = img ? {loaded: img.complete && img.naturalWidth > 0,
                     h: r.height / box.height, w: r.width / box.width} : {loaded: false, h: 0, w: 0};
    }
    out.push({index: h, kind: s.className.split(" ")[0], title: (s.querySelector("h1, h2") || {}).textContent || "",
              problems, text, image, used, scale});
  }
  return out;
}"""

RAW = [
    (re.compile(r"\$"), "a raw $"),
    (re.compile(r"\\[()\[\]]"), "unrendered math delimiters"),
    (re.compile(r"\{[\w:-]+\}`?"), "a MyST role or directive"),
    (re.compile(r"\((?:fig|sec|eq|tab|ex|ch)[\w-]*-[\w-]+\)"), "a label"),
    (re.compile(r"\[[a-z][\w-]*\d{4}[\w-]*\]"), "a citation key"),
    (re.compile(r"```|:::"), "a fence"),
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def decks_url(tmp_path_factory):
    """Every deck of the book, plus a synthetic deck that overflows, served on 127.0.0.1."""
    require_npm()
    from cnnbook.teaching.slides import render_deck, write_slides

    out = tmp_path_factory.mktemp("slides")
    started = time.monotonic()
    written = write_slides(ROOT / "book", out, cache_dir=ROOT / ".cache" / "npm")
    print(f"{len(written)} decks built in {time.monotonic() - started:.1f} s")
    assert sorted(d.name for d in written) == sorted(f"{s}.slides.html" for s in DECKS)
    # the build refuses raw markup and sizes figures itself, so those faults are added to the page afterwards
    faults = ('<section class="bullets"><h2>Raw markup</h2><ul><li>see {ref}`sec-a` and $x$</li></ul></section>\n'
              '<section class="figure"><h2>Small figure, with a title long enough to wrap onto a second line of the slide, and then some more words to be sure</h2><img src="data:image/png;base64,' + _PIXEL
              + '" width="200" height="100" alt="a dot"></section>\n</div></div>')
    bad = render_deck(_overflowing_chapter(), number=99).replace("</div></div>", faults, 1)
    (out / "99_bad.slides.html").write_text(bad, encoding="utf-8")
    server = _serve(out)
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


_PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="  # 1x1 PNG


def _overflowing_chapter():
    """A chapter whose second slide is too tall and whose code slide is too wide (the build
    rules would refuse the code, so the cell's source is made long after tagging)."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    tall = new_markdown_cell("## Too tall\n" + "\n".join(f"- bullet {i} with a long long line of words here and there"
                                                            for i in range(14)), metadata={"tags": ["slide-only",
                                                                                                   "remove-cell"]})
    wide = new_code_cell("x = " + "1 + " * 80 + "1", metadata={"tags": ["slide-code"], "slide_title": "Too wide"})
    wide.outputs = [new_output("stream", name="stdout", text="161\n")]
    return new_notebook(cells=[new_markdown_cell("# A bad chapter"), tall, wide])


@pytest.fixture(scope="module")
def deck_context(browser):
    """One browser context for every deck: reveal.js and MathJax are fetched and compiled once."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context
    finally:
        context.close()


def walk(context, url):
    """Open one deck at 1280×720 in a page of its own, walk every slide; return (records, problems of the page)."""
    page = context.new_page()
    log = []
    page.on("console", lambda m: m.type == "error" and log.append(f"console error: {m.text[:300]}"))
    page.on("pageerror", lambda e: log.append(f"page error: {str(e)[:300]}"))
    page.on("requestfailed", lambda r: log.append(f"failed request: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and log.append(f"{r.status} {r.url}"))
    page.on("request", lambda r: r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
            or log.append(f"request off this machine: {r.url}"))
    try:
        page.goto(url)
        page.wait_for_function("() => window.Reveal && Reveal.isReady() && document.body.dataset.mathReady === '1'",
                               timeout=60_000)
        return page.evaluate(WALK_JS), log
    finally:
        page.close()


def deck_problems(records):
    problems = []
    for r in records:
        where = f"slide {r['index'] + 1} ({r['kind']}: {r['title'][:50]!r})"
        problems += [f"{where}: {p}" for p in r["problems"]]
        for pattern, what in RAW:
            found = pattern.search(r["text"])
            if found:
                problems.append(f"{where}: {what} in the text: ...{r['text'][max(0, found.start() - 30):found.end() + 30]}...")
        if r["kind"] == "figure":
            img = r["image"]
            if not img["loaded"]:
                problems.append(f"{where}: the figure did not load")
            elif img["h"] < 0.5 and img["w"] < 0.85:  # a wide figure may fill the width instead
                problems.append(f"{where}: the figure is small ({img['w']:.0%} of the width, {img['h']:.0%} of the height)")
    return problems


@pytest.mark.parametrize("stem", DECKS)
def test_deck_fits_and_shows_no_raw_markup(deck_context, decks_url, stem):
    started = time.monotonic()
    records, log = walk(deck_context, f"{decks_url}{stem}.slides.html")
    kinds = [r["kind"] for r in records]
    fullest = max(records, key=lambda r: r["used"])
    print(f"{stem}: {len(records)} slides ({kinds.count('figure')} figures, {kinds.count('code')} code) "
          f"in {time.monotonic() - started:.1f} s; fullest: slide {fullest['index'] + 1}, "
          f"{fullest['used']:.0%} of the height")
    assert kinds[0] == "title" and 8 <= len(records) <= 16, f"{stem}: {len(records)} slides: {kinds}"
    assert kinds.count("bullets") >= 5, f"{stem}: {kinds}"
    problems = deck_problems(records) + log
    assert not problems, f"{stem}:\n" + "\n".join(problems)


def test_the_checks_catch_overflow(deck_context, decks_url):
    records, log = walk(deck_context, f"{decks_url}99_bad.slides.html")
    problems = deck_problems(records)
    assert any("Too tall" in p and "tall in" in p for p in problems), problems
    assert any("Too wide" in p and "cut off on the right" in p for p in problems), problems
    assert any("Raw markup" in p and "a raw $" in p for p in problems), problems
    assert any("Raw markup" in p and "MyST role" in p for p in problems), problems
    assert any("Small figure" in p and "the figure is small" in p for p in problems), problems
    assert any("Small figure" in p and "h2 wraps to a second line" in p for p in problems), problems
    assert not any("A bad chapter" in p for p in problems), problems  # the title slide fits
    assert not log, log
