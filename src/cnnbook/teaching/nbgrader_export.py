"""The assignments as nbgrader source notebooks.

``python -m cnnbook.teaching nbgrader DIR`` writes, for every assignment of
:mod:`cnnbook.teaching.assignments`, ``DIR/source/<assignment>/<assignment>.ipynb``
in nbgrader's source layout:

- each function the assignment asks for, as in the book's solution cell, with
  its body between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, so that
  ``nbgrader generate_assignment`` replaces it by a stub;
- after each, a locked autograder test cell (``grade: true``, ``points``,
  ``grade_id``) that runs the exercise's checker and asserts that it passed;
  it prints the checker's report, so it is also the student's self-check.

nbgrader's autograder runs the student's notebook in an ordinary kernel: it
trusts the submission in ways ``python -m cnnbook.teaching grade`` does not
(see :mod:`cnnbook.teaching.grade`), so use the sandboxed grader for grades
that count and this export where a course already runs nbgrader.
"""

import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .assignments import ASSIGNMENTS, get_assignment, solution_source, split_solution

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _meta(cell, grade_id, *, solution=False, grade=False, locked=False, points=None):
    nbgrader = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
                "solution": solution, "task": False}
    if points is not None:
        nbgrader["points"] = points
    cell.metadata["nbgrader"] = nbgrader
    return cell


def _task(check):
    """One sentence saying what to write, from the checker's docstring."""
    doc = (check.checker.__doc__ or "").strip().split("\n\n")[0]
    doc = re.sub(r"\s+", " ", doc)
    doc = re.sub(r"^Check ", "", doc).replace("``fn(", f"``{check.function}(")
    return f"**Write `{check.function}`**: {doc}"


def assignment_notebook(assignment, book_dir):
    """The nbgrader source notebook of ``assignment`` (solutions from the book's chapters).

    Parameters
    ----------
    assignment : Assignment or str
    book_dir : str or Path
        The folder of the chapters, whose solution cells give the model answers.

    Returns
    -------
    nb : nbformat.NotebookNode
    """
    if isinstance(assignment, str):
        assignment = get_assignment(assignment)
    cells = [
        _meta(new_markdown_cell(
            f"# {assignment.title}\n\nWrite each function below where it says `YOUR CODE HERE`, with numpy "
            "only (the library's version of each function is not available when your work is graded). "
            "Run the cell after each function: it checks your function on fresh random problems and "
            "counts towards your grade."), "intro", locked=True),
        _meta(new_code_cell("import numpy as np\nimport cnnbook"), "setup", locked=True),
    ]
    for check in assignment.checks:
        header, body = split_solution(solution_source(check, book_dir), check.function)
        indent = re.match(r"\s*", body).group(0)
        cells += [
            _meta(new_markdown_cell(_task(check)), f"task_{check.function}", locked=True),
            _meta(new_code_cell(f"{header}\n{indent}### BEGIN SOLUTION\n{body}\n{indent}### END SOLUTION"),
                  check.function, solution=True),
            _meta(new_code_cell(f"from cnnbook.exercises import {check.name}\n\n"
                                f"assert {check.name}({check.function}), "
                                f"\"{check.name} failed: read its report above\""),
                  f"test_{check.name}", grade=True, locked=True, points=check.points),
        ]
    return new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC})


def write_nbgrader_source(course_dir, book_dir, assignments=None):
    """Write ``course_dir/source/<name>/<name>.ipynb`` for each assignment.

    Parameters
    ----------
    course_dir : str or Path
        The nbgrader course folder (created if needed).
    book_dir : str or Path
        The folder of the chapters.
    assignments : sequence of str, optional
        Names of the assignments to write (default: all).

    Returns
    -------
    written : list of Path
    """
    course_dir = Path(course_dir)
    if course_dir.exists() and not course_dir.is_dir():
        raise ValueError(f"course_dir must be a folder, got course_dir={str(course_dir)!r}, which is a file")
    chosen = ASSIGNMENTS if assignments is None else [get_assignment(a) for a in assignments]
    written = []
    for assignment in chosen:
        folder = course_dir / "source" / assignment.name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{assignment.name}.ipynb"
        nbformat.write(assignment_notebook(assignment, book_dir), path)
        written.append(path)
    return written
