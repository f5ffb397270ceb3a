"""Tools for teaching with the book: the student edition and the slides.

Command line (run from the repository root; ``--book`` points elsewhere)::

    python -m cnnbook.teaching student OUTDIR   # chapters without solutions
    python -m cnnbook.teaching slides OUTDIR    # one reveal.js deck per chapter, no network needed
    python -m cnnbook.teaching grade FOLDER --assignment lab2-convolution --csv grades.csv
    python -m cnnbook.teaching grade --list              # the assignments and their checks
    python -m cnnbook.teaching nbgrader DIR              # the assignments in nbgrader's source layout

The exercise checkers themselves live in :mod:`cnnbook.exercises`.
"""

from pathlib import Path

from .assignments import ASSIGNMENTS, get_assignment, list_assignments
from .grade import grade_class, grade_report, grade_submission, write_gradebook
from .slides import REVEAL_VERSION, check_slides, deck_chapters, fetch_vendor, render_deck, write_slides
from .student import chapter_paths, make_student_notebook, stub_source, write_student_edition

__all__ = [
    "ASSIGNMENTS",
    "get_assignment",
    "grade_class",
    "grade_report",
    "grade_submission",
    "list_assignments",
    "write_gradebook",
    "REVEAL_VERSION",
    "chapter_paths",
    "check_slides",
    "deck_chapters",
    "default_book_dir",
    "fetch_vendor",
    "make_student_notebook",
    "render_deck",
    "stub_source",
    "write_slides",
    "write_student_edition",
]


def default_book_dir():
    """The ``book/`` folder: ``./book`` if it exists, else the one of this source checkout."""
    here = Path.cwd() / "book"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "book"
