"""axe-core on every page of the offline book: no serious or critical violations.

axe-core comes from the npm registry at a pinned version (dev.py NPM_PACKAGES),
fetched into .cache/npm by `python3 dev.py vendor` (CI) or on first use here.
"""

from __future__ import annotations

import re
import sys

import pytest

from conftest import ROOT, require_npm

from .conftest import toc_pages, wait_until_rendered

PAGES = toc_pages()

# Syntax-highlighted code is thousands of spans (7,000 on some pages) whose colours come
# from a few Pygments classes, the same CSS on every page; checking their contrast took
# most of axe's time. They are checked in full on CODE_PAGE, whose code uses every token
# class that any page uses (test_code_page_holds_every_token_class), and left out elsewhere.
CODE_PAGE = "book/13_teaching.html"
TOKEN = re.compile(r'<span class="(\w+)"')
HIGHLIGHT = re.compile(r'<div class="highlight[^"]*"><pre>(.*?)</pre>', re.S)


def token_classes(html_file) -> set[str]:
    return set(TOKEN.findall("".join(HIGHLIGHT.findall(html_file.read_text(encoding="utf-8")))))


@pytest.fixture(scope="session")
def axe_source() -> str:
    require_npm()
    sys.path.insert(0, str(ROOT))
    try:
        import dev
    finally:
        sys.path.remove(str(ROOT))
    script = dev.npm_package_dir("axe-core") / "axe.min.js"
    assert script.exists(), f"{script} missing from the axe-core package"
    return script.read_text()


def describe(violation: dict) -> str:
    targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
    return f"[{violation['impact']}] {violation['id']}: {violation['help']} -> {targets}"


def check_page(page, site_url, axe_source, page_path):
    page.goto(site_url + page_path, wait_until="load")
    wait_until_rendered(page, page_path)  # axe must see the typeset math and the widgets
    page.add_script_tag(content=axe_source)
    # MathJax's typeset output is excluded: it is thousands of tiny elements
    # (checking their colour contrast triples the run time) and screen readers
    # read the assistive MathML that MathJax puts beside it instead.
    exclude = [["mjx-container"]] + ([] if page_path == CODE_PAGE else [[".highlight"]])
    result = page.evaluate(
        """async (exclude) => await axe.run({exclude}, {
               runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
               resultTypes: ['violations'],
           })""",
        exclude,
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{page_path}:\n" + "\n".join(describe(v) for v in serious)


# Two classes, so that `--dist loadscope` (one class = one unit) can run the
# two halves of the book on both workers at once.
class TestFirstHalf:
    @pytest.mark.parametrize("page_path", PAGES[: len(PAGES) // 2])
    def test_no_serious_accessibility_violations(self, page, site_url, axe_source, page_path):
        check_page(page, site_url, axe_source, page_path)


class TestSecondHalf:
    @pytest.mark.parametrize("page_path", PAGES[len(PAGES) // 2 :])
    def test_no_serious_accessibility_violations(self, page, site_url, axe_source, page_path):
        check_page(page, site_url, axe_source, page_path)


def test_code_page_holds_every_token_class(site):
    assert CODE_PAGE in PAGES
    wanted = set().union(*(token_classes(site / p) for p in PAGES))
    missing = wanted - token_classes(site / CODE_PAGE)
    assert len(wanted) > 10 and not missing, f"{CODE_PAGE} lacks Pygments classes {sorted(missing)}: " \
                                             "pick another CODE_PAGE, or check .highlight on more pages"
