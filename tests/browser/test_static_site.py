"""The offline web book in Chromium: every page renders with nothing missing.

For each page in _toc.yml: no console errors, no failed requests, no request
leaves this machine, MathJax has typeset the math, every image decoded, and
every explorer was made live by core.js (see test_live_explorers.py for what
they compute).
"""

from __future__ import annotations

import pytest

from .conftest import toc_pages, wait_until_rendered

PAGES = toc_pages()


def check_page(page, site_url, page_path, tmp_path):
    response = page.goto(site_url + page_path, wait_until="load")
    assert response is not None and response.ok, f"{page_path}: HTTP {response and response.status}"
    facts = wait_until_rendered(page, page_path)
    if facts["math"]:
        assert page.locator("mjx-container").count() > 0, f"{page_path}: math present but no mjx-container"
        assert page.locator("mjx-merror").count() == 0, f"{page_path}: MathJax reported a TeX error"
    if facts["explorers"]:
        live = page.locator(".cnnbook-live[data-cnnbook-ready='1']")
        assert live.count() == facts["explorers"], f"{page_path}: not every explorer is live"
        assert page.locator(".cnnbook-live .cnnbook-static-note").count() == 0, (
            f"{page_path}: an explorer fell back to a still picture"
        )
        # The widget snapshot is not shown: the live explorer replaces it.
        assert page.locator(".jupyter-widgets").count() == 0
    broken = page.evaluate(
        """() => Array.from(document.images)
                 .filter(img => !(img.complete && img.naturalWidth > 0))
                 .map(img => img.currentSrc.slice(0, 120) || img.outerHTML.slice(0, 120))"""
    )
    assert not broken, f"{page_path}: images that did not load: {broken}"

    page.screenshot(path=str(tmp_path / (page_path.replace("/", "_") + ".png")), full_page=True)
    assert not page.log.problems(), f"{page_path}:\n" + "\n".join(page.log.problems())


# Two classes, so that `--dist loadscope` (one class = one unit) can check the
# two halves of the book on both workers at once.
class TestFirstHalf:
    @pytest.mark.parametrize("page_path", PAGES[: len(PAGES) // 2])
    def test_page_renders_offline(self, page, site_url, page_path, tmp_path):
        check_page(page, site_url, page_path, tmp_path)


class TestSecondHalf:
    @pytest.mark.parametrize("page_path", PAGES[len(PAGES) // 2 :])
    def test_page_renders_offline(self, page, site_url, page_path, tmp_path):
        check_page(page, site_url, page_path, tmp_path)


def test_every_page_exists_in_the_site(site):
    missing = [p for p in PAGES if not (site / p).exists()]
    assert not missing, f"pages in _toc.yml missing from the built site: {missing}"
    assert (site / "_vendor" / "mathjax" / "tex-mml-chtml.js").exists()
    assert not list((site / "_static").rglob("tex-mml-chtml.js")), "vendored files must stay out of _static"
