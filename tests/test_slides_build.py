"""Slides: the rules a deck is built by, on small notebooks, then every chapter's slide cells.

tests/browser/test_slides.py opens the built decks in Chromium at 1280×720.
"""

import base64
import re
import struct
import zlib
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cnnbook.teaching.__main__ import main
from cnnbook.teaching.npm import package_dir
from cnnbook.teaching.slides import (
    CODE_TAG,
    FIGURE_TAG,
    LOCAL_URLS,
    SLIDE_TAG,
    VENDOR,
    check_slides,
    deck_chapters,
    render_deck,
    write_slides,
)

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
HIDDEN = ["slide-only", "remove-cell"]


def png(width, height):
    """A valid grey PNG of the given size."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    raw = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return base64.b64encode(raw).decode()


def small_chapter():
    """Title, a paragraph, a slide cell with math, a figure cell and a code cell."""
    figure = new_code_cell("plot()", metadata={"tags": [FIGURE_TAG], "slide_title": "A wide figure"})
    figure.outputs = [new_output("display_data", data={"image/png": png(400, 100), "text/plain": "<Figure>"})]
    code = new_code_cell("print(1 + 1)", metadata={"tags": [CODE_TAG], "slide_title": "Adding"})
    code.outputs = [new_output("stream", name="stdout", text="2\n")]
    untagged = new_code_cell("print('not on a slide')")
    untagged.outputs = [new_output("stream", name="stdout", text="not on a slide\n")]
    return new_notebook(cells=[
        new_markdown_cell("(sec-x)=\n# Output size"),
        new_markdown_cell("A long paragraph of the book that no slide shows, with {ref}`a label <sec-x>`."),
        new_markdown_cell("## The formula\n- Per axis: $n_{out} = \\lfloor (n - F)/S \\rfloor + 1$\n"
                          "- Stride $S$ and kernel $F$\n- The floor drops a remainder", metadata={"tags": HIDDEN}),
        figure, code, untagged])


def test_render_deck_shows_the_slide_cells_only():
    page = render_deck(small_chapter(), number=4)
    sections = re.findall(r'<section class="(\w+)"', page)
    assert sections == ["title", "bullets", "figure", "code"]
    assert "Chapter 4" in page and "<h1>Output size</h1>" in page
    assert "paragraph" not in page and "not on a slide" not in page and "{ref}" not in page
    # math goes to MathJax, never as raw $
    assert "\\(n_{out} = \\lfloor (n - F)/S \\rfloor + 1\\)" in page and "$" not in page
    assert 'src="_vendor/mathjax/es5/tex-chtml.js"' in page
    # the figure is scaled to fill the width of the slide (1280 - 2 * 56), aspect kept
    assert re.search(r'<img src="data:image/png;base64,[^"]+" width="1168" height="292"', page)
    assert "<span class=\"nb\">print</span>" in page and '<pre class="output">2</pre>' in page
    assert not re.search(r'(src|href)="https?://', page), "a deck loads nothing from the network"


def test_a_deck_without_math_loads_no_mathjax():
    nb = new_notebook(cells=[new_markdown_cell("# Teaching"),
                             new_markdown_cell("## Plan\n- one\n- two\n- three", metadata={"tags": HIDDEN})])
    page = render_deck(nb)
    assert "tex-chtml" not in page and 'data-math-ready="1"' in page


@pytest.mark.parametrize("source, problem", [
    ("## Pooling\n- see {ref}`sec-a`\n- b\n- c", "MyST role"),
    ("## Pooling\n- as in [lecun1998gradient]\n- b\n- c", "citation key"),
    ("## Pooling\n- see (fig-ch04-floor)\n- b\n- c", "label in parentheses"),
    ("## Pooling\n- costs 5 $ each\n- b\n- c", "unpaired $"),
    ("## Pooling\n- a\n- b", "2 bullets, want 3 to 5"),
    ("## Pooling\n" + "- a\n" * 6, "6 bullets"),
    ("## Pooling\n- " + "word " * 13 + "\n- b\n- c", "bullet of 13 words"),
    ("Pooling\n- a\n- b\n- c", "must start with a '## ' heading"),
    ("## Pooling\n- a\n- b\n- c\nA paragraph.", "heading and '- ' bullets only"),
])
def test_check_slides_reports_what_would_show_raw_or_not_fit(source, problem):
    nb = new_notebook(cells=[new_markdown_cell(source, metadata={"tags": HIDDEN})])
    problems = check_slides(nb)
    assert any(problem in p for p in problems), problems


def test_check_slides_on_tags_and_code():
    hidden_missing = new_markdown_cell("## T\n- a\n- b\n- c", metadata={"tags": [SLIDE_TAG]})
    no_image = new_code_cell("x = 1", metadata={"tags": [FIGURE_TAG], "slide_title": "F"})
    long_code = new_code_cell("\n".join(f"x{i} = {i}" for i in range(13)), metadata={"tags": [CODE_TAG]})
    wide_code = new_code_cell("x = " + "1 + " * 30 + "1", metadata={"tags": [CODE_TAG], "slide_title": "W"})
    problems = "\n".join(check_slides(new_notebook(cells=[hidden_missing, no_image, long_code, wide_code])))
    assert "cell 0: a slide-only cell needs the remove-cell tag" in problems
    assert "cell 1: tagged slide-figure but has no image output" in problems
    assert "cell 2: 13 lines of code" in problems and "cell 2: a slide-figure/slide-code cell needs" in problems
    assert "cell 3: a line of 125 characters" in problems
    assert check_slides(small_chapter()) == []


def test_render_deck_refuses_raw_markup():
    nb = small_chapter()
    nb.cells[2].source += "\n- see {numref}`fig-a`"
    with pytest.raises(ValueError, match="MyST role"):
        render_deck(nb)


def fake_cache(cache):
    """A pre-filled npm cache standing in for `npm pack` (the unit tests run without a network)."""
    kept = {}
    for name, (version, keep) in VENDOR.items():
        folder = package_dir(cache, name, version)
        kept[name] = keep[0] + "marker.js" if keep[0].endswith("/") else keep[0]  # a part a deck loads
        for rel in (kept[name], "test/unused.js", "dist/theme/fonts/source-sans-pro/x.ttf"):
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(f"/* {name} */")
        (folder.parent / ".complete").write_text("ok")
    return kept


def test_write_slides_copies_the_javascript_next_to_the_decks(tmp_path):
    kept = fake_cache(tmp_path / "cache")
    book = tmp_path / "book"
    book.mkdir()
    nbformat.write(small_chapter(), book / "04_size.ipynb")
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Notes")]), book / "notes.ipynb")  # not a chapter
    decks = write_slides(book, tmp_path / "slides", cache_dir=tmp_path / "cache")
    assert [d.name for d in decks] == ["04_size.slides.html"]
    page = decks[0].read_text()
    for url in LOCAL_URLS.values():
        assert url in page
    for name in VENDOR:
        assert (tmp_path / "slides" / "_vendor" / name / kept[name]).read_text() == f"/* {name} */"
        assert not (tmp_path / "slides" / "_vendor" / name / "test").exists(), "only the parts a deck loads"
    assert "4. Output size" in (tmp_path / "slides" / "index.html").read_text()


def test_cli_slides(tmp_path, capsys):
    fake_cache(tmp_path / "cache")
    book = tmp_path / "book"
    book.mkdir()
    nbformat.write(small_chapter(), book / "04_size.ipynb")
    assert main(["slides", str(tmp_path / "out"), "--book", str(book), "--cache-dir", str(tmp_path / "cache")]) == 0
    assert "wrote 1 slide decks" in capsys.readouterr().out
    bad = small_chapter()
    bad.cells[2].source += "\n- {cite}`lecun1998gradient`"
    nbformat.write(bad, book / "04_size.ipynb")
    assert main(["slides", str(tmp_path / "out"), "--book", str(book), "--cache-dir", str(tmp_path / "cache")]) == 2
    assert "04_size.ipynb" in capsys.readouterr().err


# --------------------------------------------------------------------------- #
# The book's chapters
# --------------------------------------------------------------------------- #

def toc_chapters():
    """The root page and every chapter of a numbered part of _toc.yml, read here independently."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [Path(toc["root"]).name] + [Path(c["file"]).name for part in toc["parts"] if part.get("numbered")
                                       for c in part["chapters"]]


DECKS = deck_chapters(BOOK)


def test_the_decks_follow_the_table_of_contents():
    assert [p.stem for p, _ in DECKS] == toc_chapters()
    numbers = [n for _, n in DECKS]
    assert numbers[0] is None and numbers[1:] == list(range(1, len(DECKS)))  # numbered as the web book does


@pytest.mark.parametrize("path", [p for p, _ in DECKS], ids=[p.stem for p, _ in DECKS])
def test_chapter_slides_are_written_as_slides(path):
    nb = nbformat.read(path, as_version=4)
    problems = check_slides(nb)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
    kinds = re.findall(r'<section class="(\w+)"', render_deck(nb))
    assert 8 <= len(kinds) <= 16, f"{path.name}: {len(kinds)} slides: {kinds}"
    assert kinds.count("bullets") >= 5, f"{path.name}: {kinds.count('bullets')} bullet slides, want 5 or more"
    assert kinds.count("code") <= 2, f"{path.name}: at most a few code slides"
