"""Student edition and slides: unit tests on a small notebook, then the real chapters."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cnnbook.teaching import (
    CheckLine,
    auto_slide_metadata,
    chapter_paths,
    grade_notebook,
    grade_report,
    make_student_notebook,
    render_deck,
    stub_source,
    write_slides,
    write_student_edition,
)
from cnnbook.teaching.__main__ import main
from cnnbook.teaching.npm import package_dir
from cnnbook.teaching.slides import CHAPTER_NAME, OFFLINE_URLS, VENDOR
from cnnbook.teaching.student import is_solution

BOOK = Path(__file__).resolve().parents[1] / "book"

SOLUTION_CODE = '''import numpy as np


def my_output_size(n, kernel_size, stride, padding):
    """Number of window positions along one axis."""
    # windows start at 0, s, 2s, ...
    span = n + 2 * padding - kernel_size
    return span // stride + 1
'''


def tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


def synthetic_notebook():
    """A chapter in the book's exercise convention, executed so it has outputs."""
    nb = new_notebook(cells=[
        new_markdown_cell("# Output size\n\nHow many positions does a window take?"),
        new_code_cell("print(2 + 3)"),
        new_markdown_cell("```{exercise} Output size\n:label: ex-test-size\nWrite `my_output_size`.\n```"),
        tagged(new_markdown_cell("```{solution-start} ex-test-size\n:label: sol-test-size\n:class: dropdown\n```"),
               "solution"),
        tagged(new_code_cell(SOLUTION_CODE), "solution"),
        tagged(new_markdown_cell("```{solution-end}\n```"), "solution"),
        new_code_cell("from cnnbook.exercises import check_output_size\ncheck_output_size(my_output_size)"),
        new_markdown_cell("```{exercise} Why floor?\n:label: ex-test-floor\nExplain.\n```"),
        tagged(new_markdown_cell("```{solution} ex-test-floor\n:label: sol-test-floor\n:class: dropdown\n"
                                 "Because a partial window at the border is dropped entirely.\n```"), "solution"),
        new_markdown_cell("## Summary\n\nFloor, then plus one."),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(nb, allow_errors=False):
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=allow_errors).execute()
    return nb


def text_of(cell):
    return "".join(o.get("text", "") + o.get("evalue", "") for o in cell.get("outputs", []))


# --------------------------------------------------------------------------- #
# Stubs
# --------------------------------------------------------------------------- #

def test_stub_keeps_signature_docstring_and_imports():
    stub, names = stub_source(SOLUTION_CODE)
    assert names == ["my_output_size"]
    tree = ast.parse(stub)
    assert [type(n).__name__ for n in tree.body] == ["Import", "FunctionDef"]
    fn = tree.body[1]
    assert [a.arg for a in fn.args.args] == ["n", "kernel_size", "stride", "padding"]
    assert ast.get_docstring(fn) == "Number of window positions along one axis."
    assert isinstance(fn.body[-1], ast.Raise) and "NotImplementedError" in ast.unparse(fn.body[-1])
    for secret in ("span", "windows start", "// stride"):
        assert secret not in stub


def test_stub_several_functions_classes_and_one_liners():
    source = ("import numpy as np\nfrom math import floor\n\n@staticmethod\ndef a(x): return x + 1\n\n"
              "def b(x,\n      y):\n    return x * y\n\nresult = b(2, 3)\n\n"
              "class Layer:\n    '''A layer.'''\n    size = 3\n    def forward(self, x):\n        return x * 7\n")
    stub, names = stub_source(source)
    assert names == ["a", "b", "Layer"]
    ns = {}
    exec(stub, ns)  # noqa: S102 - the stub is our own output
    for call in (lambda: ns["a"](1), lambda: ns["b"](1, 2), lambda: ns["Layer"]().forward(1)):
        with pytest.raises(NotImplementedError, match="Exercise"):
            call()
    for secret in ("x + 1", "x * y", "result", "x * 7", "size = 3"):
        assert secret not in stub
    assert "from math import floor" in stub and "def b(x,\n      y):" in stub


def test_stub_strips_magics_and_rejects_bad_syntax():
    stub, names = stub_source("%matplotlib inline\ndef f():\n    return 1\n")
    assert names == ["f"] and "%matplotlib" not in stub
    with pytest.raises(ValueError, match="solution"):
        stub_source("def f(:\n    pass\n")


# --------------------------------------------------------------------------- #
# Student notebook
# --------------------------------------------------------------------------- #

def test_student_notebook_structure():
    nb = synthetic_notebook()
    before = nbformat.writes(nb)
    nb.cells[1].outputs = [new_output("stream", name="stdout", text="5\n")]
    nb.cells[6].outputs = [new_output("stream", name="stdout", text="✓ check_output_size: 25 random cases passed\n")]
    student = make_student_notebook(nb)
    assert nbformat.writes(nb) != before  # we added outputs ...
    assert len(nb.cells) == 10  # ... but the source notebook keeps all its cells
    assert not any(is_solution(c) for c in student.cells)
    assert len(student.cells) == 7
    joined = "\n".join(c.source for c in student.cells)
    assert "{solution" not in joined and "partial window" not in joined
    stub = student.cells[3]
    assert stub.cell_type == "code" and "raise NotImplementedError" in stub.source and stub.outputs == []
    assert student.cells[4].outputs == []  # the checker's old "✓" must not show
    assert student.cells[1].outputs[0]["text"] == "5\n"  # other outputs are kept


@pytest.mark.slow
def test_student_notebook_executes_and_checker_fails_on_stub():
    source = execute(synthetic_notebook())
    assert "✓ check_output_size" in text_of(source.cells[6])
    student = execute(make_student_notebook(source))  # allow_errors=False: any error fails the test
    out = text_of(student.cells[4])
    assert out.startswith("✗ check_output_size: case 1 of 25 failed") and "NotImplementedError" in out


def test_write_student_edition(tmp_path):
    book = tmp_path / "book"
    (book / "images").mkdir(parents=True)
    (book / "_build").mkdir()
    nbformat.write(synthetic_notebook(), book / "01_size.ipynb")
    (book / "_config.yml").write_text("title: x\n")
    (book / "images" / "eight.png").write_bytes(b"png")
    (book / "_build" / "junk.ipynb").write_text("{}")
    out = tmp_path / "student"
    written = write_student_edition(book, out)
    assert written == [out / "01_size.ipynb"]
    assert (out / "_config.yml").exists() and (out / "images" / "eight.png").read_bytes() == b"png"
    assert not (out / "_build").exists()
    assert "span //" not in (out / "01_size.ipynb").read_text()
    with pytest.raises(ValueError, match="out_dir"):
        write_student_edition(book, book / "student")
    with pytest.raises(ValueError, match="book_dir"):
        write_student_edition(tmp_path / "missing", out)


def test_cli_student(tmp_path, capsys):
    book = tmp_path / "book"
    book.mkdir()
    nbformat.write(synthetic_notebook(), book / "01_size.ipynb")
    assert main(["student", str(tmp_path / "out"), "--book", str(book)]) == 0
    assert "wrote 1 student notebooks" in capsys.readouterr().out
    assert main(["student", str(tmp_path / "out"), "--book", str(tmp_path / "nope")]) == 2


# --------------------------------------------------------------------------- #
# Grading
# --------------------------------------------------------------------------- #

def submission(tmp_path, name, body):
    """A student copy of the synthetic chapter with the stub filled in by ``body``."""
    nb = make_student_notebook(synthetic_notebook())
    stub = next(c for c in nb.cells if "exercise" in c.metadata.get("tags", []))
    stub.source = stub.source.replace("raise NotImplementedError('Exercise: write my_output_size')", body)
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_grade_notebooks(tmp_path, capsys):
    good = submission(tmp_path, "good.ipynb", "return (n + 2 * padding - kernel_size) // stride + 1")
    bad = submission(tmp_path, "bad.ipynb", "return (n - kernel_size) // stride + 1")
    crash = submission(tmp_path, "crash.ipynb", "return undefined_name")
    assert grade_notebook(good) == [CheckLine("check_output_size", True, "25 random cases passed")]
    [bad_line] = grade_notebook(bad)
    assert not bad_line.passed and bad_line.text.startswith("case ")
    assert main(["grade", str(good), str(crash)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("1/1  check_output_size ✓") and out[1].endswith("0/1  check_output_size ✗")
    assert "good.ipynb" in out[0] and "crash.ipynb" in out[1]
    assert main(["grade", str(tmp_path / "missing.ipynb")]) == 2
    assert grade_report({"x.ipynb": []}) == "x.ipynb  0/0  no checker ran"


# --------------------------------------------------------------------------- #
# Slides
# --------------------------------------------------------------------------- #

def test_auto_slide_metadata_defaults_and_respects_authors():
    nb = synthetic_notebook()
    nb.cells[1].metadata["slideshow"] = {"slide_type": "fragment"}
    nb.cells.append(new_markdown_cell("word " * 200))
    figure = new_code_cell("plot()")
    figure.outputs = [new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})]
    nb.cells.append(figure)
    nb.cells.append(new_code_cell("\n".join(f"x{i} = {i}" for i in range(40))))
    kinds = [c.metadata.slideshow.slide_type for c in auto_slide_metadata(nb).cells]
    assert kinds[0] == "slide" and kinds[1] == "fragment"
    assert kinds[2] == "subslide"  # exercise
    assert kinds[3:6] == ["skip"] * 3 and kinds[8] == "skip"  # solutions
    assert kinds[9] == "slide"  # "## Summary"
    assert kinds[-3:] == ["notes", "subslide", "skip"]
    assert "slideshow" not in nb.cells[0].metadata  # the input is not modified


def test_auto_slide_metadata_splits_tall_slides():
    nb = new_notebook(cells=[new_markdown_cell("# T")] + [new_code_cell("\n".join(["a = 1"] * 10))
                                                          for _ in range(6)])
    kinds = [c.metadata.slideshow.slide_type for c in auto_slide_metadata(nb).cells]
    assert kinds[0] == "slide" and "subslide" in kinds[1:] and "-" in kinds[1:]


def count_sections(html):
    return len(re.findall(r"<section\b", html))


@pytest.mark.slow
def test_render_deck_synthetic():
    html = render_deck(execute(synthetic_notebook()))
    assert "reveal.js@" in html and count_sections(html) >= 3
    assert "partial window" not in html and "span //" not in html
    # MyST markup is turned into plain Markdown, prompts are hidden
    assert "{exercise}" not in html and "Exercise: Output size" in html and ":label:" not in html
    assert "In&nbsp;[" not in html and "In [" not in html


def test_myst_markup_on_slides():
    from cnnbook.teaching.slides import _myst_to_markdown

    text = ("(sec-a)=\n# T\n{doc}`03_convolution`, {ref}`the start <sec-a>`, {cite}`a,b`, {math}`x^2`\n"
            "```{exercise} Stride\n:label: ex-1\nCompute it.\n```\n```{solution} ex-1\nsecret\n```\n")
    out = _myst_to_markdown(text)
    assert out.startswith("# T\n03_convolution, the start, [a, b], $x^2$")
    assert "**Exercise: Stride**\n\nCompute it." in out and "secret" not in out and ":label:" not in out


def test_fetch_package_reuses_the_cache_and_explains_a_missing_npm(tmp_path, monkeypatch):
    import cnnbook.teaching.npm as npm

    folder = package_dir(tmp_path, "@scope/pkg", "1.2.3")
    assert folder == tmp_path / "@scope__pkg@1.2.3" / "package"
    monkeypatch.setattr(npm.shutil, "which", lambda name: None)  # no npm on this machine
    with pytest.raises(npm.NpmError, match=r"@scope/pkg@1\.2\.3.*install Node\.js/npm or else"):
        npm.fetch_package(tmp_path, "@scope/pkg", "1.2.3", hint=" or else")
    folder.mkdir(parents=True)
    (folder.parent / ".complete").write_text("ok")
    assert npm.fetch_package(tmp_path, "@scope/pkg", "1.2.3") == folder  # cached: npm is not needed
    with pytest.raises(ValueError, match=r"'\^1\.2'"):
        npm.fetch_package(tmp_path, "pkg", "^1.2")


def test_write_slides_offline_uses_local_javascript(tmp_path):
    # a pre-filled cache stands in for `npm pack` (tests run without a network)
    cache = tmp_path / "cache"
    kept = {}
    for name, (version, keep) in VENDOR.items():
        folder = package_dir(cache, name, version)
        kept[name] = keep[0] + "marker.js" if keep[0].endswith("/") else keep[0]  # a part a deck loads
        for rel in (kept[name], "test/unused.js"):
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(f"/* {name} */")
        (folder.parent / ".complete").write_text("ok")
    book = tmp_path / "book"
    book.mkdir()
    nbformat.write(synthetic_notebook(), book / "01_size.ipynb")
    decks = write_slides(book, tmp_path / "slides", offline=True, cache_dir=cache)
    assert [d.name for d in decks] == ["01_size.slides.html"]
    html = decks[0].read_text()
    for url in OFFLINE_URLS.values():
        assert url in html
    assert not re.search(r"(src|href)=\"https?://", html), "an offline deck loads nothing from the network"
    for name in VENDOR:
        assert (tmp_path / "slides" / "_vendor" / name / kept[name]).read_text() == f"/* {name} */"
        assert not (tmp_path / "slides" / "_vendor" / name / "test").exists(), "only the parts a deck loads"
    assert "01_size.slides.html" in (tmp_path / "slides" / "index.html").read_text()


# --------------------------------------------------------------------------- #
# The real chapters
# --------------------------------------------------------------------------- #

CHAPTERS = chapter_paths(BOOK) if BOOK.is_dir() else []


def read(path):
    return nbformat.read(path, as_version=4)


def all_text(cells):
    """Sources and text outputs of cells, as a reader sees them."""
    parts = []
    for cell in cells:
        parts.append(cell.source)
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts += [v if isinstance(v, str) else "".join(v) for k, v in out.get("data", {}).items()
                      if k.startswith("text/")]
    return "\n".join(parts)


def solution_texts(nb):
    """Statements and prose of the solution cells that appear nowhere else in the source chapter."""
    others = all_text([c for c in nb.cells if not is_solution(c)])
    texts = []
    for cell in nb.cells:
        if not is_solution(cell):
            continue
        if cell.cell_type == "code":
            tree = ast.parse(cell.source)
            for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
                body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
                texts += [ast.get_source_segment(cell.source, stmt) for stmt in body]
        else:
            # the prose of a {solution} directive: everything but the fence and option lines
            texts += [line for line in cell.source.splitlines()
                      if line.strip() and not line.lstrip().startswith(("```", ":"))]
    return [t for t in texts if t and len(t.strip()) >= 12 and t.strip() not in others]


def test_book_has_solutions():
    assert CHAPTERS, f"no chapters found in {BOOK}"
    total = sum(is_solution(c) for p in CHAPTERS for c in read(p).cells)
    assert total >= 1, "the chapters hold no cell tagged 'solution'"


@pytest.fixture(scope="module")
def student_book(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    write_student_edition(BOOK, out)
    return out


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_student_chapter_leaks_no_solution(path, student_book):
    source = read(path)
    student_path = student_book / path.relative_to(BOOK)
    student = read(student_path)
    seen = all_text(student.cells)
    assert not any(is_solution(c) for c in student.cells)
    assert not any(re.search(r"\{solution(-start|-end)?\}", c.source) for c in student.cells)
    for text in solution_texts(source):
        assert text.strip() not in seen, f"solution text leaks into the student copy: {text[:80]!r}"
    n_code = sum(is_solution(c) and c.cell_type == "code" for c in source.cells)
    stubs = [c for c in student.cells if "exercise" in c.metadata.get("tags", [])]
    assert len(stubs) == n_code
    for stub in stubs:   # a function to write raises until written; code to run is left blank
        assert not stub.outputs
        code = [line for line in stub.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        assert "raise NotImplementedError" in stub.source or all(line.startswith(("import ", "from ")) for line in code)


def solution_names(nb):
    return [n for c in nb.cells if is_solution(c) and c.cell_type == "code" for n in stub_source(c.source)[1]]


def checker_cells(nb, names):
    """Code cells that call a checker on one of the functions ``names`` (written in solution cells)."""
    if not names:
        return []
    call = re.compile(r"\bcheck_\w+\(\s*(" + "|".join(map(re.escape, names)) + r")\b")
    return [c for c in nb.cells if c.cell_type == "code" and not is_solution(c) and call.search(c.source)]


CHAPTERS_WITH_CODE_EXERCISES = [p for p in CHAPTERS if any(is_solution(c) and c.cell_type == "code"
                                                           for c in read(p).cells)]


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS_WITH_CODE_EXERCISES, ids=[p.stem for p in CHAPTERS_WITH_CODE_EXERCISES])
def test_student_chapter_executes_and_checkers_fail_on_stubs(path, student_book):
    """The student copy runs to the end; only stubs may raise (NotImplementedError),
    and the checker cells report a failure instead of raising."""
    source = read(path)
    student = read(student_book / path.relative_to(BOOK))
    NotebookClient(student, timeout=900, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in student.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "error" and "raises-exception" not in cell.metadata.get("tags", []):
                assert out.ename == "NotImplementedError" and out.evalue.startswith("Exercise"), (
                    f"{path.name}: cell raised {out.ename}: {out.evalue}\n{cell.source[:300]}")
    # the checkers pass on the solutions (stored, nbval-checked outputs of the source) ...
    names = solution_names(source)
    source_checks = [text_of(c) for c in checker_cells(source, names)]
    assert len(checker_cells(student, names)) == len(source_checks)
    assert source_checks, f"{path.name}: no checker cell after the code solutions"
    assert all("✓ check_" in t and "✗" not in t for t in source_checks), source_checks
    # ... and fail on the stubs, without raising
    student_checks = [text_of(c) for c in checker_cells(student, names)]
    assert all("✗ check_" in t for t in student_checks), student_checks


NUMBERED = [p for p in CHAPTERS if CHAPTER_NAME.match(p.name)]


@pytest.mark.slow
@pytest.mark.parametrize("path", NUMBERED, ids=[p.stem for p in NUMBERED])
def test_chapter_slide_deck(path, tmp_path):
    html = render_deck(read(path))
    n = count_sections(html)
    assert 5 <= n <= 80, f"{path.name}: {n} sections"


@pytest.mark.slow
def test_cli_slides_all_chapters(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cnnbook.teaching", "slides", str(tmp_path), "--book", str(BOOK)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    decks = sorted(p.name for p in tmp_path.glob("*.slides.html"))
    chapters = [p for p in chapter_paths(BOOK) if CHAPTER_NAME.match(p.name)]
    assert chapters and decks == sorted(f"{p.stem}.slides.html" for p in chapters)


def test_markdown_outputs_on_slides_lose_myst_roles():
    nb = new_notebook(cells=[new_markdown_cell("# T")])
    cell = new_code_cell("Markdown(table)")
    cell.outputs = [new_output("execute_result", data={"text/markdown": "| a |\n|---|\n| {doc}`03_convolution` |",
                                                       "text/plain": "<Markdown>"}, execution_count=1)]
    nb.cells.append(cell)
    html = render_deck(nb)
    assert "03_convolution" in html and "{doc}" not in html


def test_stub_of_code_to_run_keeps_imports_and_asks_for_the_code():
    stub, names = stub_source("import numpy as np\nacc = np.mean([1, 0])\nprint(acc)\n")
    assert names == []
    assert stub == "import numpy as np\n\n# Exercise: write your code here.\n"
