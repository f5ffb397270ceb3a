"""A reader's journey through the offline book: start at the index, follow
"Next" through every chapter and "Previous" back, then search for "padding"
and land on the output-size chapter."""

from __future__ import annotations

from .conftest import toc_pages

PAGES = toc_pages()


def current_path(page, site_url) -> str:
    return page.url.split("#")[0].removeprefix(site_url)


# Leaving a page while MathJax still loads its fonts aborts those requests
# (net::ERR_ABORTED), which the page log rightly counts as failures. A reader
# stays on a page longer than that, so the walk waits for the typesetting and
# the fonts it asked for before it follows the next link.
def settle(page):
    """Wait until the page has loaded, MathJax has typeset it and every font it asked for is in."""
    page.wait_for_load_state("load")
    page.evaluate("""async () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
        // two frames: the typeset math is laid out, so the browser has asked for its fonts
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        await document.fonts.ready;
    }""")


def test_next_walks_the_whole_book_and_previous_links_lead_back(page, site_url):
    page.goto(site_url + "index.html", wait_until="load")
    # index.html redirects to the root page of the table of contents.
    page.wait_for_url(site_url + PAGES[0] + "*")
    settle(page)
    visited = [current_path(page, site_url)]
    previous_links = []     # where each page's Previous link leads, read on the way forward
    for _ in range(len(PAGES) - 1):
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.locator("a.right-next").first.click()
        settle(page)
        visited.append(current_path(page, site_url))
        target = page.locator("a.left-prev").first.evaluate("a => a.href")   # resolved, as a click follows it
        previous_links.append(target.split("#")[0].removeprefix(site_url))
    assert visited == PAGES
    assert page.locator("a.right-next").count() == 0, "the last page must not have a Next link"
    assert previous_links == PAGES[:-1], "each page's Previous link must lead to the page before it"
    # one step back by clicking, as a reader would
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("a.left-prev").first.click()
    settle(page)
    assert current_path(page, site_url) == PAGES[-2]
    assert not page.log.problems(), "\n".join(page.log.problems())


def test_search_padding_finds_the_output_size_chapter(page, site_url):
    page.goto(site_url + PAGES[0], wait_until="load")
    # The theme's search box lives in a dialog opened by the search button.
    page.locator("button.search-button__button, button[aria-label='Search']").first.click()
    box = page.locator("input[name='q']:visible").first
    box.fill("padding")
    box.press("Enter")
    page.wait_for_url("**/search.html?q=padding*")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=30_000)
    links = [href for href in results.evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    assert any("04_output_size" in href for href in links), f"search results for 'padding': {links}"
    # The search page fetches every result page for its summary; leaving before they arrive
    # would abort those requests (net::ERR_ABORTED), which is not a fault of the site.
    page.wait_for_load_state("networkidle")
    page.locator("#search-results ul.search li a[href*='04_output_size']").first.click()
    page.wait_for_load_state("load")
    assert "04_output_size" in page.url
    assert page.locator("h1").first.inner_text().strip() != ""
    assert not page.log.problems(), "\n".join(page.log.problems())
