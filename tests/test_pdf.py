"""The PDF edition (`python3 dev.py pdf` -> _build/pdf/cnnbook.pdf), read back with poppler and pypdf.

Building the PDF takes minutes, so an up-to-date ``_build/pdf/cnnbook.pdf``
(newer than every chapter, ``_toc.yml``, ``_config.yml`` and the code that
prints it) is reused; CI runs ``dev.py pdf`` before the tests. Otherwise the
module builds it once. Needs Chromium (to build) and poppler-utils
(``pdftotext``, ``pdfimages``): skipped when they are missing, a failure under
CNNBOOK_REQUIRE_BROWSER=1. ``CNNBOOK_PDF=path`` checks that PDF instead, as it is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, _missing, require_browser

pytestmark = pytest.mark.slow

PDF = ROOT / "_build" / "pdf" / "cnnbook.pdf"
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))


def toc_files() -> list[Path]:
    """Every page the book lists, in order (root first)."""
    names = [TOC["root"]]
    for part in TOC.get("parts", []):
        names += [c["file"] for c in part.get("chapters", []) if "file" in c]
    found = []
    for name in names:
        for suffix in (".ipynb", ".md"):
            if (ROOT / (name + suffix)).exists():
                found.append(ROOT / (name + suffix))
                break
    assert len(found) == len(names), f"pages in _toc.yml without a file: {names}"
    return found


def cells(path: Path) -> list[dict]:
    if path.suffix == ".ipynb":
        return json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [{"cell_type": "markdown", "source": path.read_text(encoding="utf-8"), "metadata": {}}]


def text_of(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def printed(cell: dict) -> bool:
    tags = set(cell.get("metadata", {}).get("tags", []))
    return not tags & {"remove-cell", "slide-only", "hide-cell"}


def title_of(path: Path) -> str:
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            m = re.search(r"^# (.+)$", text_of(cell), re.M)
            if m:
                return m.group(1).strip()
    raise AssertionError(f"{path.name} has no '# ' title")


def outputs(path: Path):
    for cell in cells(path):
        if cell["cell_type"] == "code" and printed(cell):
            yield from cell.get("outputs", [])


def squash(text: str) -> str:
    """Text without whitespace or soft hyphens, to compare across line breaks."""
    return re.sub(r"[\s\u00ad]+", "", text)


def inputs() -> list[Path]:
    edition = ROOT / "src" / "cnnbook" / "edition"
    web = ROOT / "src" / "cnnbook" / "widgets" / "web" / "cnnbook-explorers"
    return [*toc_files(), ROOT / "_toc.yml", ROOT / "_config.yml", ROOT / "dev.py",
            *edition.glob("*.py"), *web.glob("*.js")]


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        _missing(name, "CNNBOOK_REQUIRE_BROWSER", "apt-get install poppler-utils")
    return path


@pytest.fixture(scope="module")
def book_pdf() -> Path:
    tool("pdftotext")
    tool("pdfimages")
    if os.environ.get("CNNBOOK_PDF"):  # check another PDF as it is (e.g. an older build)
        return Path(os.environ["CNNBOOK_PDF"])
    newest = max(p.stat().st_mtime for p in inputs())
    if not PDF.exists() or PDF.stat().st_mtime < newest:
        require_browser()
        proc = subprocess.run([sys.executable, ROOT / "dev.py", "pdf"], cwd=ROOT, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, "dev.py pdf failed:\n" + proc.stdout[-4000:] + proc.stderr[-4000:]
    assert PDF.stat().st_size > 100_000
    return PDF


@pytest.fixture(scope="module")
def pages(book_pdf) -> list[str]:
    """The text of each page (pdftotext, reading order)."""
    out = subprocess.run([tool("pdftotext"), "-enc", "UTF-8", book_pdf, "-"], capture_output=True,
                         text=True, check=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


@pytest.fixture(scope="module")
def text(pages) -> str:
    return "\n".join(pages)


@pytest.fixture(scope="module")
def bookmarks(book_pdf) -> list[tuple[int, str, int]]:
    """(depth, title, page number from 1) of every bookmark, in order."""
    from pypdf import PdfReader

    reader = PdfReader(str(book_pdf))
    marks = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                marks.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return marks


def test_title_page_names_the_book_and_its_version(pages):
    import cnnbook

    first = pages[0]
    assert "cnnbook" in first and "Convolutional Neural Networks" in first, first[:300]
    assert f"Version {cnnbook.__version__}" in first, first[:300]


def test_every_chapter_is_in_the_text_and_the_bookmarks(text, bookmarks):
    top = [squash(t) for depth, t, _ in bookmarks if depth == 0]
    body = squash(text)
    for path in toc_files():
        title = title_of(path)
        plain = re.sub(r"\$[^$]*\$", "", title)  # a formula in a title is typeset, not text
        assert squash(plain) in body, f"chapter title {title!r} ({path.name}) is not in the PDF"
        assert any(squash(plain) in t for t in top), f"no top-level bookmark for {title!r}: {top}"


def test_chapters_have_section_bookmarks(bookmarks):
    chapters = [i for i, (depth, _, _) in enumerate(bookmarks) if depth == 0]
    with_sections = [i for i in chapters if i + 1 < len(bookmarks) and bookmarks[i + 1][0] == 1]
    assert len(with_sections) >= len(toc_files()) - 2, bookmarks[:20]  # the bibliography has no sections
    for depth, title, _ in bookmarks:
        assert title and title.strip(), "a bookmark without a title"
        half = len(title) // 2
        assert not (len(title) > 3 and title[:half] == title[half:]), f"doubled bookmark title {title!r}"


def test_contents_lists_chapters_with_the_pages_they_start_on(book_pdf, pages, bookmarks):
    assert bookmarks[0][1] == "Contents", bookmarks[:3]
    chapters = [(t, page) for depth, t, page in bookmarks if depth == 0 and t != "Contents"]
    front = chapters[0][1] - 1  # title page and contents: the numbered pages start at the preface
    layout = subprocess.run([tool("pdftotext"), "-layout", "-enc", "UTF-8", "-f", "1", "-l", str(front),
                             book_pdf, "-"], capture_output=True, text=True, check=True).stdout
    listed = {}
    for line in layout.splitlines():
        m = re.match(r"^\s*(\S.*?)\s{2,}(\d+)\s*$", line)
        if m:
            listed[squash(m.group(1))] = int(m.group(2))
    assert "Contents" in layout and len(listed) >= len(chapters), layout[:2000]
    for title, page in chapters:
        number = listed.get(squash(title))
        assert number is not None, f"{title!r} is not in the contents: {sorted(listed)[:40]}"
        assert number == page - front, f"the contents put {title!r} on page {number}, it starts on {page - front}"
        assert re.search(rf"^{number}\s*$", pages[page - 1], re.M), f"page {page} is not numbered {number}"


def test_contents_entries_link_to_their_pages(book_pdf, bookmarks):
    from pypdf import PdfReader

    reader = PdfReader(str(book_pdf))
    front = [page for depth, t, page in bookmarks if depth == 0 and t != "Contents"][0] - 1
    targets = []
    for page in reader.pages[:front]:
        for ref in page.get("/Annots") or []:
            dest = ref.get_object().get("/Dest")
            if dest is not None:
                targets.append(reader.get_page_number(dest[0].get_object()) + 1)
    listed = [page for depth, t, page in bookmarks if depth <= 1 and t != "Contents"]  # chapters, sections
    assert targets == listed, f"the contents' {len(targets)} links do not go where its {len(listed)} entries start"


def test_every_figure_is_an_image(book_pdf):
    figures = sum("image/png" in out.get("data", {}) for path in toc_files() for out in outputs(path))
    listing = subprocess.run([tool("pdfimages"), "-list", book_pdf], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    images = [line for line in listing if line.split()[2] == "image"]
    assert figures > 50, f"only {figures} figures found in the notebooks: is the count broken?"
    assert len(images) >= figures, f"{len(images)} images in the PDF, {figures} figures in the book"


def code_text() -> str:
    """Everything the book prints as code: code cells, their text outputs, code in Markdown."""
    parts = []
    for path in toc_files():
        for cell in cells(path):
            source = text_of(cell)
            if cell["cell_type"] == "code":
                parts.append(source)
                for out in cell.get("outputs", []):
                    parts.append("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", "")))
            else:
                parts += re.findall(r"```[^\n]*\n(.*?)```", source, re.S) + re.findall(r"`([^`\n]+)`", source)
    return squash("\n".join(parts))


def test_no_unresolved_references_or_raw_tex(pages):
    code = code_text()
    patterns = [r"\?\?", r"\\frac", r"\\begin", r"\\end\{", r"\\mathrm", r"\\times", r"\\cdot", r"\\sum",
                r"\$[^$\n]{1,80}\$"]
    for number, page in enumerate(pages, start=1):
        for line in page.splitlines():
            for pattern in patterns:
                # Code may hold such text (a string with "$2P$"): only prose may not.
                if re.search(pattern, line) and squash(line) not in code:
                    raise AssertionError(f"page {number}: {pattern!r} in {line!r}")


def test_no_widget_placeholders(text):
    for placeholder in ("Loading widget", "Error displaying widget", "IntSlider", "FloatSlider",
                        "Dropdown(", "Explorer(children", "widget-view", "turn on JavaScript"):
        assert placeholder not in text, f"{placeholder!r} in the PDF"


def test_every_explorer_is_a_captioned_still_with_a_live_link(text):
    explorers = sum("cnnbook-explorer" in "".join(out.get("data", {}).get("text/html", ""))
                    for path in toc_files() for out in outputs(path))
    marker = squash("a still of its first state; in the web book its controls are live. Live version:")
    after = squash(text).split(marker)[1:]
    assert explorers >= 10 and len(after) == explorers, f"{len(after)} captioned stills, {explorers} explorers"
    for part in after:
        assert re.match(r"https://[\w.-]+/([\w.-]+/)*book/[\w-]+\.html#[\w-]+", part), part[:120]


def test_solutions_sit_in_a_solutions_section_after_their_chapter(pages, bookmarks):
    solutions = sum(bool(re.match(r"```\{solution(-start)?\}", text_of(c).lstrip()))
                    for path in toc_files() for c in cells(path) if c["cell_type"] == "markdown")
    text = "\n".join(pages)
    assert text.count("Solution to") >= solutions > 20, (text.count("Solution to"), solutions)
    sections = [(i, t, page) for i, (depth, t, page) in enumerate(bookmarks) if t.startswith("Solutions")]
    assert sections, "no Solutions section in the bookmarks"
    for i, title, page in sections:
        chapter = max(j for j in range(i) if bookmarks[j][0] == 0)
        later = [j for j in range(i + 1, len(bookmarks)) if bookmarks[j][0] <= bookmarks[i][0]]
        end = bookmarks[later[0]][2] if later else len(pages)
        span = "\n".join(pages[page - 1:end])
        assert "Solution to" in span, f"{title!r} (in {bookmarks[chapter][1]!r}) holds no solution"
    # Every solution is printed inside a Solutions section: the last heading
    # that starts on or before its page is a Solutions one (they have no subsections).
    for n, page in enumerate(pages, start=1):
        if "Solution to Exercise" in page:
            last = [t for depth, t, p in bookmarks if p <= n and depth > 0][-1]
            assert last.startswith("Solutions"), f"a solution on page {n}, in section {last!r}"


def test_code_is_not_cut_off_at_the_page_edge(book_pdf):
    out = subprocess.run([tool("pdftotext"), "-bbox", book_pdf, "-"], capture_output=True, text=True,
                         check=True).stdout
    widths = [float(w) for w in re.findall(r'<page width="([\d.]+)"', out)]
    assert widths, "no pages in pdftotext -bbox output"
    right = max(widths) - 0.5 * 15 / 25.4 * 72  # half the 15 mm side margin
    words = re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', out)
    outside = [w for x, w in words if float(x) > right]
    assert not outside, f"{len(outside)} words reach past the right margin, e.g. {outside[:10]}"


def test_every_web_page_links_the_pdf_at_the_site_root():
    """The sidebar's PDF icon points to ../cnnbook.pdf, where `dev.py build` puts the PDF."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    links = config["sphinx"]["config"]["html_theme_options"].get("icon_links", [])
    assert any(link["url"] == "../" + PDF.name for link in links), links
    # Every page is one folder down from the site root, so "../" reaches the root.
    assert all(path.parent == ROOT / "book" for path in toc_files()), [p.name for p in toc_files()]
