"""Tools for teaching with the book: the student edition and the slides.

Command line (run from the repository root; ``--book`` points elsewhere)::

    python -m cnnbook.teaching student OUTDIR   # chapters without solutions
    python -m cnnbook.teaching slides OUTDIR    # one reveal.js deck per chapter
    python -m cnnbook.teaching slides OUTDIR --offline   # decks + local JavaScript
    python -m cnnbook.teaching grade a.ipynb b.ipynb     # run submissions, list checker results

The exercise checkers themselves live in :mod:`cnnbook.exercises`.
"""

from pathlib import Path

from .grade import CheckLine, checker_results, grade_notebook, grade_report
from .slides import REVEAL_VERSION, auto_slide_metadata, fetch_vendor, render_deck, write_slides
from .student import chapter_paths, make_student_notebook, stub_source, write_student_edition

__all__ = [
    "CheckLine",
    "checker_results",
    "grade_notebook",
    "grade_report",
    "REVEAL_VERSION",
    "auto_slide_metadata",
    "chapter_paths",
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
