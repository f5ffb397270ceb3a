"""Student edition: the chapters with the exercise solutions taken out.

Cells tagged ``solution`` hold the worked solutions (see the exercise
convention of the book). In the student copy:

- a markdown cell tagged ``solution`` (the ``{solution}``, ``{solution-start}``
  and ``{solution-end}`` directives) is removed;
- a code cell tagged ``solution`` becomes a stub: imports, decorators,
  signatures and docstrings are kept, each function body becomes
  ``raise NotImplementedError("Exercise: ...")``; other statements are
  dropped (a cell with no function keeps its imports and a comment);
- the outputs of the stubs and of every cell that uses a stubbed name (the
  checker cells) are cleared, so that the reader sees fresh results when
  running them; all other outputs (figures, widget snapshots) are kept so
  the copy reads well before it is run;
- a cell tagged ``student-remove`` (:data:`STUDENT_REMOVE_TAG`: printed
  library code that would answer an exercise of the page) and a slide-only
  cell (tagged ``slide-only``) are removed; a cell tagged ``student-only``
  (also tagged ``remove-cell``, so the public book hides it) is kept and loses
  its ``remove-cell`` tag;
- a chapter whose notebook metadata holds ``"cnnbook": {"edition": "instructors"}``
  (the teaching chapter, which holds the lab answers) is left out.

Two forms of the edition:

- :func:`write_student_edition` writes the notebooks to hand out, with their
  MyST markup turned into plain Markdown (:mod:`cnnbook.teaching.plain`) so
  that classic Jupyter, Colab and nbconvert show exercise headings, figure
  numbers and citations instead of ``{exercise}`` and ``{ref}``;
- :func:`write_student_site` writes a buildable book folder (``_config.yml``,
  ``_toc.yml``, ``book/`` with the MyST notebooks) for the student web book,
  ``python3 dev.py build --student``, where exercise boxes and cross-references
  render as in the public book. References to what the edition leaves out
  (the teaching chapter, a removed cell's label) become the plain text the
  public book shows.

The other files of the book folder (bibliography, images) are copied as
they are, so that relative links keep working; the student folder holds the
notebooks directly (``OUTDIR/03_convolution.ipynb``), ready to hand out.
"""

import ast
import copy
import re
import shutil
from pathlib import Path

import nbformat

from .plain import _INLINE, _EXPLICIT, BookIndex, _Converter, plain_notebook, toc_documents

SOLUTION_TAG = "solution"
STUDENT_REMOVE_TAG = "student-remove"
STUDENT_ONLY_TAG = "student-only"
SLIDE_ONLY_TAG = "slide-only"
STUB_HEADER = "# Exercise: write the body of the function(s) below, then run the check in the next cell.\n"
_SKIP_DIRS = {"_build", ".ipynb_checkpoints", "__pycache__", ".jupyter_cache"}


def is_solution(cell):
    """True if ``cell`` is tagged ``solution``."""
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def _strip_magics(source):
    # IPython magics and shell escapes are not Python; a solution has no need of them.
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _offset(lines, lineno, col):
    """Character offset of (1-based line, 0-based column) in the joined text."""
    return sum(len(line) for line in lines[:lineno - 1]) + col


def _stub_function(node, lines, text, message):
    """Text of ``node`` (a function) with its body replaced by ``raise``."""
    start_line = min([node.lineno] + [d.lineno for d in node.decorator_list])
    start = _offset(lines, start_line, 0)
    body = node.body
    doc = None
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        doc = body[0]
    header = text[start:_offset(lines, body[0].lineno, body[0].col_offset)]
    # drop comment and blank lines between the signature and the body: they belong to the solution
    head_lines = header.splitlines()
    while head_lines and (not head_lines[-1].strip() or head_lines[-1].strip().startswith("#")):
        head_lines.pop()
    # `def f(x): return x` puts the body on the signature's line
    same_line = bool(lines[body[0].lineno - 1][:body[0].col_offset].strip())
    indent = " " * (node.col_offset + 4) if same_line else " " * body[0].col_offset
    out = "\n".join(head_lines).rstrip() + "\n"
    if doc is not None and not same_line:
        out += indent + ast.get_source_segment(text, doc) + "\n"
    out += f"{indent}raise NotImplementedError({message!r})\n"
    return out


def stub_source(source):
    """Turn the source of a solution cell into a stub.

    Parameters
    ----------
    source : str
        Python source of a code cell tagged ``solution``.

    Returns
    -------
    stub : str
        Imports, then each function (or class, with its methods) with signature
        and docstring and a body that raises ``NotImplementedError``. A cell that
        defines no function (code to run, not to write) keeps only its imports and
        a comment that asks for the code.
    names : list of str
        Names the stub defines.

    Examples
    --------
    >>> stub, names = stub_source('import numpy as np\\ndef area(h, w):\\n    "Area."\\n    return h * w\\n')
    >>> print(stub)
    # Exercise: write the body of the function(s) below, then run the check in the next cell.
    import numpy as np
    <BLANKLINE>
    def area(h, w):
        "Area."
        raise NotImplementedError('Exercise: write area')
    <BLANKLINE>
    >>> names
    ['area']
    """
    text = _strip_magics(source)
    try:
        tree = ast.parse(text)
    except SyntaxError as err:
        raise ValueError(f"a cell tagged 'solution' must be valid Python, got a SyntaxError: {err}") from err
    lines = text.splitlines(keepends=True)
    parts, names = [], []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            parts.append(ast.get_source_segment(text, node) + "\n")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts.append("\n" + _stub_function(node, lines, text, f"Exercise: write {node.name}"))
            names.append(node.name)
        elif isinstance(node, ast.ClassDef):
            parts.append("\n" + _stub_class(node, lines, text))
            names.append(node.name)
        # any other statement (a test call, a constant) belongs to the solution and is dropped
    if not names:   # an exercise to run code, not to write a function: no check follows
        parts.append("\n# Exercise: write your code here.\n")
        return "".join(parts).lstrip("\n").rstrip("\n") + "\n", names
    return STUB_HEADER + "".join(parts).lstrip("\n").rstrip("\n") + "\n", names


def _stub_class(node, lines, text):
    """A class keeps its header, docstring and the stubs of its methods."""
    start_line = min([node.lineno] + [d.lineno for d in node.decorator_list])
    first = node.body[0]
    header = text[_offset(lines, start_line, 0):_offset(lines, first.lineno, first.col_offset)].rstrip() + "\n"
    indent = " " * first.col_offset
    out = header
    body = node.body
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        out += indent + ast.get_source_segment(text, first) + "\n"
        body = body[1:]
    methods = [m for m in body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for m in methods:
        out += "\n" + _stub_function(m, lines, text, f"Exercise: write {node.name}.{m.name}")
    if not methods and out == header:
        out += indent + "pass\n"
    return out


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def is_instructors_only(nb):
    """True if the notebook is marked ``"cnnbook": {"edition": "instructors"}`` (left out of the edition)."""
    return nb.metadata.get("cnnbook", {}).get("edition") == "instructors"


def make_student_notebook(nb, index=None, *, plain=False):
    """Return a student copy of a notebook (the input is not modified).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter.
    index : BookIndex, optional
        Numbers and titles for the plain Markdown (see :mod:`cnnbook.teaching.plain`).
    plain : bool, default False
        Turn the MyST markup of Markdown cells and outputs into plain Markdown.

    Returns
    -------
    student : nbformat.NotebookNode
        The chapter without solutions (see the module docstring for the rules).
    """
    student = copy.deepcopy(nb)
    cells, stubbed = [], []
    for cell in student.cells:
        tags = _tags(cell)
        if STUDENT_REMOVE_TAG in tags or SLIDE_ONLY_TAG in tags:
            continue
        if STUDENT_ONLY_TAG in tags:
            cell.metadata["tags"] = [t for t in tags if t != "remove-cell"]
        if not is_solution(cell):
            cells.append(cell)
        elif cell.cell_type == "code":
            cell.source, names = stub_source(cell.source)
            cell.outputs, cell.execution_count = [], None
            cell.metadata["tags"] = [t for t in cell.metadata.get("tags", []) if t != SOLUTION_TAG] + ["exercise"]
            cells.append(cell)
            stubbed.extend(names)
        # markdown / raw solution cells are dropped
    if stubbed:
        uses_stub = re.compile(r"\b(" + "|".join(map(re.escape, stubbed)) + r")\b")
        for cell in cells:
            if cell.cell_type == "code" and "exercise" not in cell.metadata.get("tags", []) \
                    and uses_stub.search(cell.source):
                cell.outputs, cell.execution_count = [], None
    student.cells = cells
    if plain:
        plain_notebook(student, index)
    return student


def chapter_paths(book_dir):
    """Notebooks of the book folder, sorted by name (build and checkpoint folders excluded)."""
    book_dir = Path(book_dir)
    if not book_dir.is_dir():
        raise ValueError(f"book_dir must be an existing folder holding the chapters, got book_dir={str(book_dir)!r}")
    return sorted(p for p in book_dir.rglob("*.ipynb")
                  if not _SKIP_DIRS.intersection(p.relative_to(book_dir).parts[:-1]))


def _book_root(book_dir):
    """The folder holding ``_toc.yml`` above ``book_dir``, or None."""
    for folder in (book_dir, book_dir.parent):
        if (folder / "_toc.yml").is_file():
            return folder
    return None


def _ordered_chapters(book_dir, root=None):
    """The chapters of ``_toc.yml`` in its order when the book has one (a notebook it does not
    list is a draft, left out as the web book leaves it out); else every notebook, by name."""
    found = chapter_paths(book_dir)
    root = root or _book_root(book_dir)
    if root is None:
        return found
    listed = [p.resolve() for p, _ in toc_documents(root) if p.suffix == ".ipynb"]
    rank = {p: i for i, p in enumerate(listed)}
    return sorted((p for p in found if p.resolve() in rank), key=lambda p: rank[p.resolve()])


def _labels_of(cell):
    """Cross-reference targets a cell defines: ``(x)=``, ``:label:``/``:name:``, a figure's name."""
    if cell.cell_type == "code":
        name = cell.metadata.get("mystnb", {}).get("figure", {}).get("name")
        return {name} if name else set()
    return set(re.findall(r"^\s*\(([^()\s]+)\)=\s*$", cell.source, re.M)) | \
        set(re.findall(r"^\s*:(?:label|name):\s*(\S+)\s*$", cell.source, re.M))


def unlink_missing(nb, labels, docs, index):
    """Turn MyST references to targets outside the edition into the text the public book shows.

    ``labels`` and ``docs`` are the targets the edition keeps; a ``{ref}``, ``{numref}``,
    ``{eq}`` or ``{doc}`` to anything else would break the student web book's build
    (and point at a page students do not have). Modifies ``nb`` in place and returns it.
    """
    converter = _Converter(index, keep_solutions=False, strict=False)

    def fix(m):
        if m["code"] or m["role"] not in ("ref", "numref", "eq", "doc"):
            return m[0]
        explicit = _EXPLICIT.match(m["text"])
        target = explicit["target"] if explicit else m["text"]
        kept = target.rsplit("/", 1)[-1] in docs if m["role"] == "doc" else target in labels
        return m[0] if kept else converter.role(m)

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _INLINE.sub(fix, cell.source)
        for out in cell.get("outputs", []):
            md = out.get("data", {}).get("text/markdown")
            if md is not None:
                out["data"]["text/markdown"] = _INLINE.sub(fix, "".join(md) if isinstance(md, list) else md)
    return nb


def _write_if_changed(path, text):
    """Write ``text`` unless the file already holds it (keeps incremental book builds incremental)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _copy_if_changed(src, dest):
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists() or dest.read_bytes() != src.read_bytes():
        shutil.copy2(src, dest)


def _student_notebooks(book_dir, *, plain, root=None):
    """``{source path: student notebook}`` of the chapters that go into the edition, in reading order."""
    root = root or _book_root(book_dir)
    index = BookIndex.from_toc(root) if root is not None else BookIndex()
    sources = {p: nbformat.read(p, as_version=4) for p in _ordered_chapters(book_dir, root)}
    kept = {p: nb for p, nb in sources.items() if not is_instructors_only(nb)}
    students = {p: make_student_notebook(nb, index, plain=plain) for p, nb in kept.items()}
    if not plain:   # MyST kept for the web book: references must point inside the edition
        labels = {label for nb in students.values() for cell in nb.cells for label in _labels_of(cell)}
        docs = {p.stem for p in students}
        for nb in students.values():
            unlink_missing(nb, labels, docs, index)
    return students


def write_student_edition(book_dir, out_dir, *, plain=True, root=None):
    """Write the student edition of every chapter of ``book_dir`` into ``out_dir``.

    Parameters
    ----------
    book_dir : str or Path
        Folder of the chapters (the ``book/`` folder of the repository). When it
        or its parent holds ``_toc.yml``, the numbers of the plain Markdown are
        those of the web book.
    out_dir : str or Path
        Destination; created if needed. It must not be ``book_dir`` or inside it.
    plain : bool, default True
        Plain Markdown for Jupyter, Colab and nbconvert; False keeps the MyST
        markup (the source of the student web book, see :func:`write_student_site`).
    root : str or Path, optional
        The folder of ``_toc.yml``; default: ``book_dir`` or its parent, if either holds one.

    Returns
    -------
    written : list of Path
        The student notebooks written, in reading order.
    """
    book_dir, out_dir = Path(book_dir).resolve(), Path(out_dir).resolve()
    if out_dir == book_dir or book_dir in out_dir.parents:
        raise ValueError(f"out_dir must be outside the book folder, got out_dir={str(out_dir)!r}")
    root = Path(root).resolve() if root is not None else None
    students = _student_notebooks(book_dir, plain=plain, root=root)
    for src in book_dir.rglob("*"):
        rel = src.relative_to(book_dir)
        if src.is_dir() or src.suffix == ".ipynb" or _SKIP_DIRS.intersection(rel.parts) \
                or any(part.startswith(".") for part in rel.parts):
            continue
        _copy_if_changed(src, out_dir / rel)
    written = []
    for path, nb in students.items():
        dest = out_dir / path.relative_to(book_dir)
        _write_if_changed(dest, nbformat.writes(nb) + "\n")
        written.append(dest)
    left_out = {path.relative_to(book_dir) for path in chapter_paths(book_dir)} - \
        {path.relative_to(book_dir) for path in students}
    for rel in left_out:    # from an earlier run, before the chapter was marked
        (out_dir / rel).unlink(missing_ok=True)
    return written


def _student_toc(toc, kept):
    """``toc`` (the parsed ``_toc.yml``) without the pages not in ``kept`` and without emptied parts."""
    def keep_entries(entries):
        out = []
        for entry in entries:
            entry = dict(entry)
            if "file" in entry and entry["file"] not in kept:
                continue
            for key in ("chapters", "sections"):
                if key in entry:
                    entry[key] = keep_entries(entry[key])
                    if not entry[key]:
                        del entry[key]
            out.append(entry)
        return out

    toc = dict(toc)
    if "parts" in toc:
        toc["parts"] = [p for p in keep_entries(toc["parts"]) if p.get("chapters")]
    if "chapters" in toc:
        toc["chapters"] = keep_entries(toc["chapters"])
    return toc


def write_student_site(root, out_dir):
    """Write a book folder from which Jupyter Book builds the student web book.

    Parameters
    ----------
    root : str or Path
        The repository root (``_config.yml``, ``_toc.yml``, ``book/``).
    out_dir : str or Path
        Destination (e.g. ``_build/student-site``); created if needed, outside ``root/book``.
        It receives ``_config.yml`` (title marked as the student edition, no launch
        buttons: they would open the public notebooks), ``_toc.yml`` without the
        left-out chapters, ``book/`` with the MyST student notebooks, and the
        static folders the configuration names. Unchanged files are not rewritten.

    Returns
    -------
    Path
        ``out_dir``; build it with ``jupyter-book build OUT_DIR`` (``python3 dev.py build --student``).
    """
    import yaml  # PyYAML comes with Jupyter Book

    root, out_dir = Path(root).resolve(), Path(out_dir).resolve()
    if not (root / "_toc.yml").is_file() or not (root / "_config.yml").is_file():
        raise ValueError(f"root must hold _config.yml and _toc.yml, got root={str(root)!r}")
    book = root / "book"
    written = write_student_edition(book, out_dir / "book", plain=False, root=root)
    kept = {str(p.relative_to(out_dir).with_suffix("")) for p in written}
    kept |= {str(p.relative_to(root).with_suffix("")) for p in book.rglob("*.md")}
    toc = _student_toc(yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8")), kept)
    _write_if_changed(out_dir / "_toc.yml", "# generated by cnnbook.teaching.student; do not edit\n"
                      + yaml.safe_dump(toc, sort_keys=False))
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"{config.get('title', 'cnnbook')} (student edition)"
    config["launch_buttons"] = {"binderhub_url": "", "colab_url": "", "jupyterhub_url": "", "thebe": False}
    _write_if_changed(out_dir / "_config.yml", "# generated by cnnbook.teaching.student; do not edit\n"
                      + yaml.safe_dump(config, sort_keys=False))
    sphinx = config.get("sphinx", {}).get("config", {})
    folders = list(sphinx.get("html_static_path", [])) + list(sphinx.get("html_extra_path", [])) + ["_static"]
    for rel in folders:
        src = root / rel
        for path in ([src] if src.is_file() else sorted(src.rglob("*")) if src.is_dir() else []):
            if path.is_file() and not _SKIP_DIRS.intersection(path.parts) and path.suffix != ".pyc":
                _copy_if_changed(path, out_dir / path.relative_to(root))
    return out_dir
