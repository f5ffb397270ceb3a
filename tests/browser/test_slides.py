"""One reveal.js deck, rendered offline by the teaching tool, opened in Chromium."""

import functools
import http.server
import shutil
import threading

import pytest

from conftest import ROOT, require_npm


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def deck_url(tmp_path_factory):
    """The preface's deck, written with every script vendored, served on 127.0.0.1."""
    require_npm()
    from cnnbook.teaching.slides import write_slides

    book = tmp_path_factory.mktemp("book")
    shutil.copy(ROOT / "book" / "00_preface.ipynb", book)
    out = tmp_path_factory.mktemp("slides")
    write_slides(book, out, offline=True, cache_dir=ROOT / ".cache" / "slides")
    assert (out / "00_preface.slides.html").exists()
    shutil.copy(ROOT / "_extra" / "favicon.ico", out)  # browsers ask for it
    handler = functools.partial(_Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/00_preface.slides.html"
    finally:
        server.shutdown()
        server.server_close()


def test_deck_renders_offline(page, deck_url, tmp_path):
    page.goto(deck_url)
    # reveal.js is loaded through require.js (no global): it marks the deck ready in the DOM
    page.wait_for_selector(".reveal.ready", state="attached", timeout=60_000)
    slides = page.locator(".reveal .slides > section").count()
    assert 5 <= slides <= 80, slides
    first = page.locator(".reveal .slides section.present").last.inner_text()
    assert "Preface" in first, first
    # move on with the keyboard, as a lecturer would: another slide becomes present
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "t => document.querySelector('.reveal .slides section.present:not(.stack)').innerText !== t",
        arg=first, timeout=10_000)
    assert page.locator(".MathJax, .MathJax_CHTML, mjx-container").count() > 0, "no typeset math in the deck"
    page.screenshot(path=str(tmp_path / "deck.png"))
    assert not page.log.problems(), "\n".join(page.log.problems())
