"""Student edition: unit tests on a small notebook, then the real chapters (slides: tests/test_slides_build.py)."""

import ast
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cnnbook.teaching import (
    chapter_paths,
    make_student_notebook,
    stub_source,
    write_student_edition,
)
from cnnbook.teaching.__main__ import main
from cnnbook.teaching.npm import package_dir
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
# npm cache (shared by the offline site and the slides; tests/test_slides_build.py tests the slides)
# --------------------------------------------------------------------------- #

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


# --------------------------------------------------------------------------- #
# The real chapters
# --------------------------------------------------------------------------- #

CHAPTERS = chapter_paths(BOOK) if BOOK.is_dir() else []


def read(path):
    return nbformat.read(path, as_version=4)


# The student edition of the real chapters is tested in tests/test_student.py.


def test_stub_of_code_to_run_keeps_imports_and_asks_for_the_code():
    stub, names = stub_source("import numpy as np\nacc = np.mean([1, 0])\nprint(acc)\n")
    assert names == []
    assert stub == "import numpy as np\n\n# Exercise: write your code here.\n"
