"""No explorer text is smaller than the book's figure captions, and none overlaps or is cut off.

The book's rule: text in figures no smaller than the caption text. The web
book's figure captions (`figure figcaption`, sphinx-book-theme) compute to
16 CSS px in Chromium; :data:`cnnbook.plots._base.MIN_TEXT_PX` holds that
number for the matplotlib figures, and this test checks it against the
captions of each page before using it. The explorers are drawn in the page by
``cnnbook-explorers/core.js`` (HTML grids, controls, summary, text, captions)
and by each explorer's SVG picture, which the page may scale down to fit the
text column (`max-width:100%`). So, at 1280x800 (a text column of about
670 px), for every text node of every explorer on every page:

- its rendered size is at least MIN_TEXT_PX: the computed font size for HTML
  text; for SVG text, the computed font size times the SVG's scale (rendered
  width / viewBox width);
- its box (each word's, for HTML) meets no other text box of the explorer;
- it lies inside the explorer horizontally (nothing runs out of the column),
  and SVG text inside its SVG (nothing is cut off at the picture's edge).

The first state of every explorer is checked on every page; on the
explorers page, and for explorers found only in a chapter, the controls are
also moved to their ends (one at a time, and all together for each choice of
each dropdown), where grids and pictures are largest.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import pytest

from cnnbook.plots._base import MIN_TEXT_PX

from .conftest import BOOK_SOURCE, notebook_facts, toc_pages, wait_until_rendered

PAGES = [p for p in toc_pages() if notebook_facts(p)["explorers"]]
EXPLORERS_PAGE = "book/explorers.html"
VIEWPORT = {"width": 1280, "height": 800}
TOLERANCE_PX = 1.0  # boxes may touch: rounding of glyph boxes, not a visible overlap


@lru_cache(maxsize=None)
def explorer_names(page_path: str) -> frozenset:
    """The explorers that a page's stored notebook outputs hold."""
    nb = json.loads((BOOK_SOURCE / page_path.replace(".html", ".ipynb")).read_text())
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))
    return frozenset(re.findall(r'data-cnnbook-explorer="([^"]+)"', html))


def swept_here(page_path: str, name: str) -> bool:
    """Move the controls of this explorer on this page? Once per explorer in the book is enough."""
    return page_path == EXPLORERS_PAGE or name not in explorer_names(EXPLORERS_PAGE)


# Every text node of an explorer: its rendered size in CSS px, its boxes, and the box it must stay in.
MEASURE = r"""root => {
  const items = [];
  const rootBox = root.getBoundingClientRect();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (el.closest('script, noscript, style, title, select')) continue;  // a <select> is measured whole, below
    const svg = el.closest('svg');
    const label = n.textContent.trim().slice(0, 50);
    if (svg) {
      const text = el.closest('text');
      if (!text) continue;
      const box = text.getBoundingClientRect();
      if (box.width === 0) continue;
      const svgBox = svg.getBoundingClientRect(), viewBox = svg.viewBox.baseVal;
      const scale = viewBox && viewBox.width ? svgBox.width / viewBox.width : 1;
      items.push({label: 'svg: ' + label, size: parseFloat(getComputedStyle(text).fontSize) * scale,
                  boxes: [box], inside: svgBox, vertical: true});
      continue;
    }
    if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
    const boxes = [];
    for (const word of n.textContent.matchAll(/\S+/g)) {  // words: a line's trailing space may hang past the edge
      const range = document.createRange();
      range.setStart(n, word.index);
      range.setEnd(n, word.index + word[0].length);
      for (const b of range.getClientRects()) if (b.width > 0 && b.height > 0) boxes.push(b);
    }
    items.push({label: el.tagName.toLowerCase() + ': ' + label, size: parseFloat(getComputedStyle(el).fontSize),
                boxes, inside: rootBox, vertical: false});
  }
  root.querySelectorAll('select').forEach(s => {
    if (!s.getClientRects().length) return;
    items.push({label: 'select: ' + s.name, size: parseFloat(getComputedStyle(s).fontSize),
                boxes: [s.getBoundingClientRect()], inside: rootBox, vertical: false});
  });
  const tol = %(tol)s, small = [], overlaps = [], outside = [];
  items.forEach((it, i) => {
    if (it.size < %(min)s - 0.01) small.push(it.label + ' at ' + it.size.toFixed(1) + ' px');
    it.boxes.forEach(a => {
      const c = it.inside;
      if (a.left < c.left - tol || a.right > c.right + tol ||
          (it.vertical && (a.top < c.top - tol || a.bottom > c.bottom + tol)))
        outside.push(it.label);
      for (let j = i + 1; j < items.length; j++) {
        for (const b of items[j].boxes) {
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > tol && h > tol) overlaps.push(it.label + ' | ' + items[j].label);
        }
      }
    });
  });
  return {count: items.length, smallest: Math.min(...items.map(it => it.size)), small, overlaps,
          outside: [...new Set(outside)]};
}""" % {"tol": TOLERANCE_PX, "min": MIN_TEXT_PX}

# Set control k of an explorer ('min' or 'max' for a slider, an option's index for a dropdown) as a
# reader would (the same input/change event); false when there is nothing to set.
SET = """(root, [k, how]) => {
  const c = root.querySelectorAll('.cnnbook-controls input[type=range], .cnnbook-controls select')[k];
  if (c.tagName === 'SELECT') {
    if (typeof how !== 'number' || how >= c.options.length || c.selectedIndex === how) return false;
    c.selectedIndex = how;
    c.dispatchEvent(new Event('change'));
    return true;
  }
  if (typeof how === 'number') return false;
  const value = how === 'min' ? c.min : c.max;
  if (c.value === String(value)) return false;
  c.value = value;
  c.dispatchEvent(new Event('input'));
  return true;
}"""
KINDS = "r => Array.from(r.querySelectorAll('.cnnbook-controls input[type=range], .cnnbook-controls select'))" \
        ".map(c => c.tagName === 'SELECT' ? c.options.length : 0)"


def settings_to_check(kinds: list[int]):
    """Moves, each made on top of the last: each slider to its ends; all sliders to their ends, for each
    option of each dropdown."""
    sliders = [k for k, n in enumerate(kinds) if n == 0]
    for k in sliders:
        yield [(k, "max")]
        yield [(k, "min")]
    dropdowns = [(k, option) for k, n in enumerate(kinds) for option in range(n)] or [None]
    for choice in dropdowns:
        for end in ("max", "min"):
            moves = [choice] if choice else []
            yield moves + [(k, end) for k in sliders] * 2  # twice: one slider's limits follow another's


def check(root, where: str, problems: list[str]) -> float:
    root.page.wait_for_function(
        "r => !r.querySelector('.cnnbook-output .cnnbook-summary').textContent.startsWith('Loading')",
        arg=root.element_handle(), timeout=30_000)
    m = root.evaluate(MEASURE)
    assert m["count"] > 0, f"{where}: no text found"
    problems += [f"{where}: smaller than {MIN_TEXT_PX} px: {s}" for s in m["small"][:5]]
    problems += [f"{where}: text overlaps: {s}" for s in m["overlaps"][:5]]
    problems += [f"{where}: text outside the explorer or its picture: {s}" for s in m["outside"][:5]]
    return m["smallest"]


@pytest.mark.parametrize("page_path", PAGES)
def test_explorer_text_is_no_smaller_than_the_captions(page, site_url, page_path):
    page.set_viewport_size(VIEWPORT)
    page.goto(site_url + page_path, wait_until="load")
    facts = wait_until_rendered(page, page_path)
    # The reference: the book's own figure captions on this page (if any) are MIN_TEXT_PX.
    captions = page.evaluate("() => Array.from(document.querySelectorAll('figure figcaption'))"
                             ".filter(c => !c.closest('.cnnbook-live'))"
                             ".map(c => parseFloat(getComputedStyle(c).fontSize))")
    assert all(abs(size - MIN_TEXT_PX) < 0.01 for size in captions), \
        f"{page_path}: the book's figure captions are {sorted(set(captions))} px, MIN_TEXT_PX is {MIN_TEXT_PX}"
    roots = page.locator(".cnnbook-live")
    assert roots.count() == facts["explorers"] > 0
    problems, smallest = [], {}
    for i in range(roots.count()):
        root = roots.nth(i)
        name = root.get_attribute("data-cnnbook-explorer")
        smallest[name] = check(root, f"{page_path} {name} first state", problems)
        if not swept_here(page_path, name):
            continue
        kinds = root.evaluate(KINDS)
        for moves in settings_to_check(kinds):
            changed = [root.evaluate(SET, [k, how]) for k, how in moves]
            if any(changed):
                settings = root.evaluate("r => JSON.stringify(r.cnnbookSettings)")
                smallest[name] = min(smallest[name], check(root, f"{page_path} {name} {settings}", problems))
    print(f"{page_path}: smallest text per explorer (px): {smallest}")
    assert not problems, "\n".join(problems[:40])
    assert not page.log.problems(), "\n".join(page.log.problems())
