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
  the copy reads well before it is run.

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

SOLUTION_TAG = "solution"
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


def make_student_notebook(nb):
    """Return a student copy of a notebook (the input is not modified).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter.

    Returns
    -------
    student : nbformat.NotebookNode
        The chapter without solutions (see the module docstring for the rules).
    """
    student = copy.deepcopy(nb)
    cells, stubbed = [], []
    for cell in student.cells:
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
    return student


def chapter_paths(book_dir):
    """Notebooks of the book folder, sorted by name (build and checkpoint folders excluded)."""
    book_dir = Path(book_dir)
    if not book_dir.is_dir():
        raise ValueError(f"book_dir must be an existing folder holding the chapters, got book_dir={str(book_dir)!r}")
    return sorted(p for p in book_dir.rglob("*.ipynb")
                  if not _SKIP_DIRS.intersection(p.relative_to(book_dir).parts[:-1]))


def write_student_edition(book_dir, out_dir):
    """Write the student edition of every chapter of ``book_dir`` into ``out_dir``.

    Parameters
    ----------
    book_dir : str or Path
        Folder of the chapters (the ``book/`` folder of the repository).
    out_dir : str or Path
        Destination; created if needed. It must not be ``book_dir`` or inside it.

    Returns
    -------
    written : list of Path
        The student notebooks written.
    """
    book_dir, out_dir = Path(book_dir).resolve(), Path(out_dir).resolve()
    if out_dir == book_dir or book_dir in out_dir.parents:
        raise ValueError(f"out_dir must be outside the book folder, got out_dir={str(out_dir)!r}")
    chapters = chapter_paths(book_dir)
    for src in book_dir.rglob("*"):
        rel = src.relative_to(book_dir)
        if src.is_dir() or src.suffix == ".ipynb" or _SKIP_DIRS.intersection(rel.parts) \
                or any(part.startswith(".") for part in rel.parts):
            continue
        (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, out_dir / rel)
    written = []
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        dest = out_dir / path.relative_to(book_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(make_student_notebook(nb), dest)
        written.append(dest)
    return written
