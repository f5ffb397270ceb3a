"""Student edition: plain Markdown, the chapters it holds, no answers, and the student web book."""

import ast
import html
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cnnbook.teaching import stub_source, write_student_edition
from cnnbook.teaching.plain import MYST_LEFTOVER, BookIndex, parse_bib, plain_markdown, toc_documents
from cnnbook.teaching.student import (
    STUDENT_REMOVE_TAG,
    _ordered_chapters,
    is_instructors_only,
    is_solution,
    make_student_notebook,
    write_student_site,
)

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def read(path):
    return nbformat.read(path, as_version=4)


# --------------------------------------------------------------------------- #
# plain_markdown on snippets
# --------------------------------------------------------------------------- #

BIB = """
@book{bishop2006pattern, author = {Bishop, Christopher M.}, title = {PRML}, year = {2006}}
@article{azulay2019why, author = {Azulay, Aharon and Weiss, Yair}, year = {2019}}
@article{lecun1998gradient,
  author = {LeCun, Yann and Bottou, L{\\'e}on and Bengio, Yoshua and Haffner, Patrick},
  year   = {1998}
}
"""


def tiny_book(tmp_path):
    """A book of three pages in two numbered parts, then an unnumbered one."""
    (tmp_path / "book").mkdir(parents=True)
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/a\nparts:\n"
        "  - caption: One\n    numbered: 2\n    chapters:\n      - file: book/b\n"
        "  - caption: Two\n    numbered: 2\n    chapters:\n      - file: book/c\n"
        "  - caption: Ref\n    chapters:\n      - file: book/d\n")
    (tmp_path / "_config.yml").write_text("title: t\nbibtex_bibfiles:\n  - book/refs.bib\n")
    (tmp_path / "book" / "refs.bib").write_text(BIB)
    preface = new_notebook(cells=[new_markdown_cell("# Preface\n\n```{exercise} Warm up\n:label: ex-a1\nGo.\n```")])
    fig = new_code_cell("plot()")
    fig.metadata["mystnb"] = {"figure": {"name": "fig-b-1", "caption": "A plot."}}
    fig2 = new_code_cell("plot()")
    fig2.metadata["mystnb"] = {"figure": {"name": "fig-b-2", "caption": "Another."}}
    b = new_notebook(cells=[
        new_markdown_cell("# Pixels\n\n(sec-b-intro)=\n## The `uint8` grid\n\nText."),
        fig,
        new_markdown_cell("(sec-b-more)=\n\n## More\n\n$$\nx = 1\n$$ (eq-b-one)\n\n### Deeper"),
        fig2,
        new_markdown_cell("```{exercise} First\n:label: ex-b1\nDo.\n```\n\n```{exercise}\n:label: ex-b2\nAgain.\n```"),
    ])
    c = new_notebook(cells=[new_markdown_cell("# Filters\n\n## One\n\n## Two\n\n```{exercise} Third\n:label: ex-c1\n"
                                              "x\n```")])
    d = new_notebook(cells=[new_markdown_cell("# Formulas\n\n## A.1 Sheet")])
    for name, nb in zip("abcd", (preface, b, c, d)):
        nbformat.write(nb, tmp_path / "book" / f"{name}.ipynb")
    return tmp_path


@pytest.fixture
def index(tmp_path):
    return BookIndex.from_toc(tiny_book(tmp_path))


def test_index_numbers_as_the_web_book(index, tmp_path):
    assert [n for _, n in toc_documents(tmp_path)] == [None, 1, 2, None]
    assert index.titles == {"a": "Preface", "b": "Pixels", "c": "Filters", "d": "Formulas"}
    assert index.numbers["ex-a1"] == "Exercise 1"            # unnumbered page: no chapter prefix
    assert index.numbers["ex-b1"] == "Exercise 1.1" and index.numbers["ex-b2"] == "Exercise 1.2"
    assert index.numbers["ex-c1"] == "Exercise 2.1"          # numbering goes on across parts
    assert index.numbers["fig-b-1"] == "Fig. 1.1" and index.numbers["fig-b-2"] == "Fig. 1.2"
    assert index.numbers["sec-b-intro"] == "Section 1.1" and index.numbers["sec-b-more"] == "Section 1.2"
    assert index.labels["sec-b-intro"] == "*The `uint8` grid*" and index.labels["fig-b-2"] == "Another."
    assert index.equations["eq-b-one"] == "1.1"
    assert index.citations["lecun1998gradient"] == ("LeCun et al.", "1998")
    assert index.where["ex-c1"] == "c"


def test_parse_bib_authors_and_accents():
    bib = parse_bib(BIB + "@misc{x, author = {Dupont, {\\'E}mile}, year = 2001}")
    assert bib["bishop2006pattern"] == ("Bishop", "2006")
    assert bib["azulay2019why"] == ("Azulay and Weiss", "2019")
    assert bib["x"] == ("Dupont", "2001")
    assert parse_bib("@book{k, author = {Lucien {\\'E}mile Dupont}, year = {1900}}")["k"] == ("Dupont", "1900")


def test_exercise_and_solutions(index):
    src = ("```{exercise} First\n:label: ex-b1\n\nDo {ref}`this <sec-b-more>`.\n```\n\n"
           "```{solution} ex-b1\n:label: sol-b1\n:class: dropdown\n\nThe answer is 42.\n```\n")
    out = plain_markdown(src, index)
    assert out == "**Exercise 1.1** (First)\n\nDo this.\n"   # explicit text: as written
    kept = plain_markdown(src, index, keep_solutions=True)
    assert "**Solution to Exercise 1.1**\n\nThe answer is 42." in kept and ":class:" not in kept
    assert plain_markdown("```{exercise}\n:label: ex-b2\nAgain.\n```", index) == "**Exercise 1.2**\n\nAgain."
    assert plain_markdown("```{solution-start} ex-b1\n:label: s\n:class: dropdown\n```\n", index) == "\n"
    assert plain_markdown("```{solution-end}\n```", index) == ""


def test_references_and_citations(index):
    src = ("(sec-x)=\n# T\n\nSee {numref}`fig-b-2`, {ref}`ex-c1`, {ref}`sec-b-intro`, {doc}`b`,\n"
           "{doc}`the filters <c>`, {numref}`Figure %s <fig-b-1>`, {eq}`eq-b-one`, {math}`x^2`,\n"
           "{cite}`bishop2006pattern`, {cite:p}`azulay2019why,lecun1998gradient` and {cite:t}`lecun1998gradient`;\n"
           "{mod}`cnnbook.widgets`, {py:func}`~cnnbook.conv2d`.\n")
    out = plain_markdown(src, index)
    assert out == ("# T\n\nSee Fig. 1.2, Exercise 2.1, *The `uint8` grid*, *Pixels*,\n"
                   "the filters, Figure 1.1, (1.1), $x^2$,\n"
                   "(Bishop, 2006), (Azulay and Weiss, 2019; LeCun et al., 1998) and LeCun et al. (1998);\n"
                   "`cnnbook.widgets`, `cnnbook.conv2d`.\n")


def test_admonitions_math_figures_dropdowns(index):
    assert plain_markdown("```{note}\nRead *this*.\n\nTwice.\n```", index) == \
        "> **Note**\n>\n> Read *this*.\n>\n> Twice."
    assert plain_markdown(":::{admonition} What this code does\n:class: tip\nLoops, {doc}`c`.\n:::", index) == \
        "> **What this code does**\n>\n> Loops, *Filters*."
    assert plain_markdown("````{tip}\n```python\nx = 1\n```\n````", index) == \
        "> **Tip**\n>\n> ```python\n> x = 1\n> ```"
    assert plain_markdown("```{math}\n:label: eq-z\na = b\n```", index) == "$$\na = b\n$$"
    assert plain_markdown("$$\nx = 1\n$$ (eq-b-one)", index) == "$$\nx = 1\n\\tag{1.1}\n$$"
    assert plain_markdown("$$ x = 1 $$ (eq-b-one)", index) == "$$ x = 1 \\tag{1.1}$$"
    assert plain_markdown("inline $$x$$ (see)", index) == "inline $$x$$ (see)"   # prose, not a label
    assert plain_markdown("```{figure} img/a.png\n:name: fig-b-1\n:alt: Dots\n\nThe caption.\n```", index) == \
        "![Dots](img/a.png)\n\n*Fig. 1.1: The caption.*"
    assert plain_markdown("```{image} img/a.png\n:alt: Dots\n:width: 50%\n```", index) == "![Dots](img/a.png)"
    assert plain_markdown(":::{dropdown} Details\n:open:\nHidden.\n:::", index) == "**Details**\n\nHidden."


def test_code_is_left_alone(index):
    src = "Write `{exercise}` and `` {ref}`x` ``.\n\n```python\n# {ref}`not-a-ref`\n(sec-no)=\n```\n"
    assert plain_markdown(src, index, strict=True) == src


def test_strict_refuses_unknown_targets(index):
    assert plain_markdown("{ref}`nowhere`", index) == "nowhere"
    with pytest.raises(ValueError, match="'nowhere'"):
        plain_markdown("{ref}`nowhere`", index, strict=True)
    with pytest.raises(ValueError, match="'nobody2000'"):
        plain_markdown("{cite}`nobody2000`", index, strict=True)


def test_leftover_pattern_catches_myst():
    for bad in ("{ref}`a`", "```{note}", ":::{tip}", ":label: x", "(sec-a)=", "  :class: dropdown"):
        assert MYST_LEFTOVER.search(bad), bad
    for fine in ("a {set} of `code`", "(a) = b", "x: y", "$\\{x\\}$"):
        assert not MYST_LEFTOVER.search(fine), fine


# --------------------------------------------------------------------------- #
# Notebook rules: removed, kept and left-out cells
# --------------------------------------------------------------------------- #

def tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


def test_student_tags_and_plain_notebook(index):
    nb = new_notebook(cells=[
        new_markdown_cell("# Pixels"),
        tagged(new_code_cell("cnnbook.show_source('cnnbook.naive.f_naive')"), STUDENT_REMOVE_TAG),
        tagged(new_markdown_cell("Writing it is {ref}`ex-b1`."), "student-only", "remove-cell"),
        tagged(new_markdown_cell("## Slide\n- a point"), "slide-only", "remove-cell"),
        new_markdown_cell("```{exercise} First\n:label: ex-b1\nDo.\n```"),
        tagged(new_markdown_cell("```{solution} ex-b1\nSecret.\n```"), "solution"),
    ])
    myst = make_student_notebook(nb)
    assert [c.source[:9] for c in myst.cells] == ["# Pixels", "Writing i", "```{exerc"]
    assert myst.cells[1].metadata.tags == ["student-only"]      # shown in the student web book
    plain = make_student_notebook(nb, index, plain=True)
    assert [c.source for c in plain.cells] == ["# Pixels", "Writing it is Exercise 1.1.",
                                               "**Exercise 1.1** (First)\n\nDo."]
    assert len(nb.cells) == 6 and nb.cells[1].metadata.tags == [STUDENT_REMOVE_TAG]   # input untouched


def test_edition_follows_the_toc_and_leaves_out_the_instructors_chapter(tmp_path):
    root = tiny_book(tmp_path / "src")
    teach = new_notebook(cells=[new_markdown_cell("# Teaching\n\n(sec-t)=\n## Labs")])
    teach.metadata["cnnbook"] = {"edition": "instructors"}
    nbformat.write(teach, root / "book" / "t.ipynb")
    toc = (root / "_toc.yml").read_text().replace("  - caption: Ref", "  - caption: Teach\n    numbered: 2\n"
                                                  "    chapters:\n      - file: book/t\n  - caption: Ref")
    (root / "_toc.yml").write_text(toc)
    c = read(root / "book" / "c.ipynb")
    c.cells.append(new_markdown_cell("Labs: {ref}`sec-t`, {doc}`t`; here: {ref}`ex-c1`."))
    nbformat.write(c, root / "book" / "c.ipynb")
    written = write_student_edition(root / "book", tmp_path / "out")
    assert [p.name for p in written] == ["a.ipynb", "b.ipynb", "c.ipynb", "d.ipynb"]   # toc order, no t
    assert read(tmp_path / "out" / "c.ipynb").cells[-1].source == "Labs: *Labs*, *Teaching*; here: Exercise 2.1."
    site = write_student_site(root, tmp_path / "site")
    assert "book/t" not in (site / "_toc.yml").read_text() and "Teach" not in (site / "_toc.yml").read_text()
    assert "(student edition)" in (site / "_config.yml").read_text()
    # MyST kept for the web book, but references to the left-out chapter become text
    assert read(site / "book" / "c.ipynb").cells[-1].source == "Labs: *Labs*, *Teaching*; here: {ref}`ex-c1`."
    assert not (site / "book" / "t.ipynb").exists()


# --------------------------------------------------------------------------- #
# The real chapters
# --------------------------------------------------------------------------- #

CHAPTERS = _ordered_chapters(BOOK)


@pytest.fixture(scope="module")
def plain_edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student-plain")
    return {p.name: read(p) for p in write_student_edition(BOOK, out)}


@pytest.fixture(scope="module")
def book_index():
    return BookIndex.from_toc(ROOT)


def without_code(text):
    text = re.sub(r"^\s*(`{3,}|~{3,})(?![^\n]*\{).*?^\s*\1\s*$", "", text, flags=re.M | re.S)
    return re.sub(r"(`+)(?!\{).+?\1", "", text, flags=re.S)


def test_edition_holds_the_toc_chapters_but_not_the_instructors_one(plain_edition):
    left_out = [p.name for p in CHAPTERS if is_instructors_only(read(p))]
    assert left_out == ["13_teaching.ipynb"], left_out
    assert list(plain_edition) == [p.name for p in CHAPTERS if p.name not in left_out]


def test_edition_is_plain_markdown(plain_edition, book_index):
    for name, nb in plain_edition.items():
        for i, cell in enumerate(nb.cells):
            texts = [cell.source] if cell.cell_type == "markdown" else [
                "".join(o["data"]["text/markdown"]) for o in cell.get("outputs", [])
                if "text/markdown" in o.get("data", {})]
            for text in texts:
                left = MYST_LEFTOVER.search(without_code(text))
                assert not left, f"{name} cell {i}: MyST left over: {left[0]!r} in {text[:300]!r}"


def test_every_reference_of_the_edition_resolves(book_index):
    """Strict conversion of the MyST student notebooks: every target and key is in the index."""
    for path in CHAPTERS:
        nb = read(path)
        if is_instructors_only(nb):
            continue
        for cell in make_student_notebook(nb).cells:
            if cell.cell_type == "markdown":
                plain_markdown(cell.source, book_index, strict=True)


def printed_objects(nb):
    """The objects whose source a notebook prints with cnnbook.show_source."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for call in [n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Call)]:
            if getattr(call.func, "attr", getattr(call.func, "id", None)) == "show_source" and call.args:
                arg = call.args[0]
                found.append(ast.literal_eval(arg) if isinstance(arg, ast.Constant) else ast.unparse(arg))
    return found


def resolve_printed(name, nb):
    """A printed name as an object: a dotted string, or a name the chapter imported."""
    from cnnbook.source import resolve

    if "." in name and name.startswith("cnnbook"):
        return resolve(name)
    ns = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            for node in ast.parse(cell.source).body:
                if isinstance(node, (ast.Import, ast.ImportFrom)) and "cnnbook" in ast.unparse(node):
                    exec(ast.unparse(node), ns)  # noqa: S102 - the chapter's own imports
    head, *rest = name.split(".")
    obj = ns[head]
    for part in rest:
        obj = getattr(obj, part)
    return obj


def compared_with(checker):
    """Names the checker's code uses (its reference functions and classes), helpers included."""
    module = importlib.import_module(checker.__module__)
    names, todo, seen = set(), [checker], set()
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        for node in ast.walk(ast.parse(inspect.getsource(fn))):
            name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) \
                else None
            if isinstance(node, ast.ImportFrom):
                names |= {a.name for a in node.names}
            if name:
                names.add(name)
                helper = getattr(module, name, None)
                if inspect.isfunction(helper) and helper.__module__ == module.__name__:
                    todo.append(helper)
    return names


def answers(obj, compared):
    """Does printed ``obj`` show the answer to an exercise whose checker uses ``compared``?

    The loop twin of a reference (``cnnbook.naive.f_naive`` for ``f``) is the answer
    a loop exercise asks for; a reference without a twin is printed as the answer
    itself; a method answers when its class is what the checker drives. The
    vectorised reference of a function that has a twin (im2col ``conv2d``) is a
    different method, which the chapters teach, and stays.
    """
    import cnnbook.naive

    name, qual = obj.__name__, getattr(obj, "__qualname__", obj.__name__)
    if obj.__module__ == "cnnbook.naive" and name.removesuffix("_naive") in compared:
        return True
    if "." in qual and qual.split(".")[0] in compared:
        return True
    return name in compared and not hasattr(cnnbook.naive, f"{name}_naive")


def test_no_answer_is_printed_next_to_its_exercise(plain_edition):
    import cnnbook.exercises

    checked = 0
    for path in CHAPTERS:
        source = read(path)
        if is_instructors_only(source):
            continue
        student = plain_edition[path.name]
        stubs = {n for c in source.cells if is_solution(c) and c.cell_type == "code" for n in stub_source(c.source)[1]}
        calls = re.findall(r"\b(check_\w+)\(\s*(\w+)", "\n".join(c.source for c in student.cells
                                                              if c.cell_type == "code"))
        checkers = {getattr(cnnbook.exercises, chk) for chk, fn in calls if fn in stubs}
        printed = {name: resolve_printed(name, student) for name in printed_objects(student)}
        for checker in checkers:
            compared = compared_with(checker)
            for name, obj in printed.items():
                assert not answers(obj, compared), (
                    f"{path.name}: the student edition prints {name}, the answer to the exercise "
                    f"checked by {checker.__name__}; tag its cell {STUDENT_REMOVE_TAG!r}")
        # the rule does catch the answers the public chapter prints
        public = {name: resolve_printed(name, source) for name in printed_objects(source)}
        checked += sum(answers(obj, compared_with(chk)) for chk in checkers for obj in public.values())
    assert checked >= 5, "the public chapters print the answers of at least five exercises"


def test_student_only_cells_replace_what_was_removed(plain_edition):
    for path in CHAPTERS:
        source = read(path)
        removed = [c for c in source.cells if STUDENT_REMOVE_TAG in c.metadata.get("tags", [])]
        extra = [c for c in source.cells if "student-only" in c.metadata.get("tags", [])]
        assert all("remove-cell" in c.metadata.tags for c in extra), f"{path.name}: the public book shows it"
        if removed:
            assert extra, f"{path.name}: removed cells, but no student-only text says where the code is"


# --------------------------------------------------------------------------- #
# Solutions (moved from test_teaching.py)
# --------------------------------------------------------------------------- #

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
    total = sum(is_solution(c) for p in CHAPTERS for c in read(p).cells)
    assert total >= 1, "the chapters hold no cell tagged 'solution'"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_student_chapter_leaks_no_solution(path, plain_edition):
    source = read(path)
    if is_instructors_only(source):
        assert path.name not in plain_edition
        return
    student = plain_edition[path.name]
    seen = all_text(student.cells)
    assert not any(is_solution(c) for c in student.cells)
    assert "Solution to" not in seen and not re.search(r"\{solution(-start|-end)?\}", seen)
    for text in solution_texts(source):
        assert text.strip() not in seen, f"solution text leaks into the student copy: {text[:80]!r}"
    n_code = sum(is_solution(c) and c.cell_type == "code" for c in source.cells)
    stubs = [c for c in student.cells if "exercise" in c.metadata.get("tags", [])]
    assert len(stubs) == n_code
    for stub in stubs:   # a function to write raises until written; code to run is left blank
        assert not stub.outputs
        code = [line for line in stub.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        assert "raise NotImplementedError" in stub.source or all(line.startswith(("import ", "from ")) for line in code)


def text_of(cell):
    return "".join(o.get("text", "") + o.get("evalue", "") for o in cell.get("outputs", []))


def solution_names(nb):
    return [n for c in nb.cells if is_solution(c) and c.cell_type == "code" for n in stub_source(c.source)[1]]


def checker_cells(nb, names):
    """Code cells that call a checker on one of the functions ``names`` (written in solution cells)."""
    if not names:
        return []
    call = re.compile(r"\bcheck_\w+\(\s*(" + "|".join(map(re.escape, names)) + r")\b")
    return [c for c in nb.cells if c.cell_type == "code" and not is_solution(c) and call.search(c.source)]


CHAPTERS_WITH_CODE_EXERCISES = [p for p in CHAPTERS if not is_instructors_only(read(p))
                                and any(is_solution(c) and c.cell_type == "code" for c in read(p).cells)]


def _h2(cell, title=None):
    return cell.cell_type == "markdown" and re.search(r"^## " + (re.escape(title) if title else ""), cell.source, re.M)


def setup_and_exercises(nb):
    """The chapter's set-up cells (before its first section) and its exercises section onwards.

    The rest of a student chapter is the public chapter's text and code, which nbval
    runs; :func:`test_removed_cells_define_nothing_later_cells_use` checks that what
    the student edition leaves out cannot break it.
    """
    cells = nb.cells
    first = next(i for i, c in enumerate(cells) if _h2(c))
    exercises = next((i for i, c in enumerate(cells) if _h2(c, "Exercises")), first)  # none: run it all
    trimmed = nbformat.from_dict(nb)
    trimmed.cells = cells[:first] + cells[exercises:]
    return trimmed


def assigned_names(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def used_names(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@pytest.mark.parametrize("path", CHAPTERS_WITH_CODE_EXERCISES, ids=[p.stem for p in CHAPTERS_WITH_CODE_EXERCISES])
def test_removed_cells_define_nothing_later_cells_use(path, plain_edition):
    """A code cell left out of the student edition (a printed answer, a solution) assigns no
    name that a later cell of the student copy reads, unless an earlier kept cell assigned it too."""
    source = read(path)
    kept = {c.source for c in plain_edition[path.name].cells if c.cell_type == "code"}
    problems = []
    for i, cell in enumerate(source.cells):
        if cell.cell_type != "code" or cell.source in kept or is_solution(cell):
            continue
        names = assigned_names(cell.source)
        earlier = set().union(*(assigned_names(c.source) for c in source.cells[:i]
                                if c.cell_type == "code" and c.source in kept))
        later = set().union(*(used_names(c.source) for c in source.cells[i + 1:]
                              if c.cell_type == "code" and c.source in kept))
        if (names & later) - earlier:
            problems.append(f"cell {i} defines {sorted((names & later) - earlier)}, used later")
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.fixture(scope="module")
def executed_student_chapters(plain_edition):
    """Each student chapter's set-up and exercises, executed: {name: its cells with outputs}.

    One kernel runs them all, one chapter after another, and ``%reset -f`` empties its
    namespace before each chapter, so every chapter starts with no names of its own
    (what it uses it must import or define again). Starting a kernel and importing
    numpy, matplotlib and cnnbook once instead of once per chapter saves about 2 s a chapter.
    """
    combined, spans = new_notebook(), {}
    for path in CHAPTERS_WITH_CODE_EXERCISES:
        combined.cells.append(new_code_cell("%reset -f"))
        start = len(combined.cells)
        combined.cells.extend(setup_and_exercises(plain_edition[path.name]).cells)
        spans[path.name] = (start, len(combined.cells))
    NotebookClient(combined, timeout=900, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(BOOK)}}).execute()
    for cell in combined.cells:
        if cell.source == "%reset -f":
            assert not cell.outputs, cell.outputs
    return {name: nbformat.from_dict({"cells": combined.cells[a:b]}) for name, (a, b) in spans.items()}


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS_WITH_CODE_EXERCISES, ids=[p.stem for p in CHAPTERS_WITH_CODE_EXERCISES])
def test_student_chapter_executes_and_checkers_fail_on_stubs(path, executed_student_chapters):
    """The student copy's set-up and exercises run in a fresh namespace; only stubs may raise
    (NotImplementedError), and the checker cells report a failure instead of raising."""
    source = read(path)
    student = executed_student_chapters[path.name]
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


# --------------------------------------------------------------------------- #
# The student web book (one build per test session, about a minute)
# --------------------------------------------------------------------------- #

@pytest.fixture(scope="session")
def student_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("student-site")
    result = subprocess.run([sys.executable, str(ROOT / "dev.py"), "build", "--student", "--no-install",
                             "--path-output", str(out)], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    site = out / "_build" / "student-site" / "_build" / "html"
    assert (site / "index.html").exists()
    return site


def page_text(path):
    text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


PLAIN_LINE = re.compile(r"^[A-Za-z0-9 ,.;:()]+$")   # rendered as typed: no markup, math or quotes


def plain_lines(text):
    return [line.strip() for line in text.splitlines() if len(line.strip()) >= 40 and PLAIN_LINE.match(line.strip())]


@pytest.mark.slow
def test_student_site_has_exercises_and_no_solutions(student_site):
    pages = {p.stem: p for p in (student_site / "book").glob("*.html")}
    assert "13_teaching" not in pages and not list(student_site.rglob("13_teaching*"))
    assert "13_teaching" not in (student_site / "index.html").read_text() + pages["00_preface"].read_text()
    found_exercise_lines = 0
    for path in CHAPTERS:
        source = read(path)
        if is_instructors_only(source):
            continue
        page = pages[path.stem].read_text(encoding="utf-8")
        text = page_text(pages[path.stem])
        assert 'class="solution' not in page and "Solution to" not in text, path.name
        for label in re.findall(r"```\{exercise\}.*\n:label: (\S+)", "\n".join(c.source for c in source.cells)):
            assert f'id="{label}"' in page, f"{path.stem}: exercise {label} missing from its page"
        for cell in source.cells:
            lines = plain_lines(cell.source)
            # prose of the solutions (a code solution's stub keeps its docstring on purpose;
            # its statements are checked on the notebooks above)
            if is_solution(cell) and cell.cell_type == "markdown":
                for line in lines:
                    assert line not in text, f"{path.stem}: solution text on the student page: {line!r}"
            elif "{exercise}" in cell.source:
                found_exercise_lines += sum(line in text for line in lines)   # the search does find text
    assert found_exercise_lines >= 10


@pytest.mark.slow
def test_student_site_numbers_match_the_plain_notebooks(student_site, book_index):
    """The numbers of the plain Markdown are those the web book shows."""
    checked = 0
    for label, shown in book_index.numbers.items():
        page = student_site / "book" / f"{book_index.where[label]}.html"
        if not page.exists() or not shown.startswith(("Fig.", "Exercise")):
            continue
        html_text = page.read_text(encoding="utf-8")
        m = re.search(rf'id="{re.escape(label)}".*?<span class="caption-number">([^<]*)</span>', html_text, re.S)
        assert m, f"{label} not on {page.name}"
        assert m[1].strip() == shown, (label, m[1], shown)
        checked += 1
    assert checked >= 50


@pytest.mark.slow
def test_student_site_prints_no_answer(student_site):
    text = page_text(student_site / "book" / "03_convolution.html")
    assert "def conv2d_naive" not in text and "Writing these loops is Exercise 3.1" in text
    assert "def conv2d(" in text   # the im2col version, which the chapter teaches, stays
    # the download button offers the plain-Markdown notebook
    download = read(student_site / "_sources" / "book" / "03_convolution.ipynb")
    assert download.cells and not any(MYST_LEFTOVER.search(without_code(c.source)) for c in download.cells
                                       if c.cell_type == "markdown")
    assert "../_sources/book/03_convolution.ipynb" in (student_site / "book" / "03_convolution.html").read_text()
