"""Command line: ``python -m cnnbook.teaching {student,slides,grade} ...`` (see ``--help``)."""

import argparse
import subprocess
import sys
from pathlib import Path

from . import default_book_dir
from .grade import grade_notebook, grade_report
from .slides import REVEAL_CDN, REVEAL_VERSION, write_slides
from .student import write_student_edition


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m cnnbook.teaching",
        description="Build the student edition or the slides of the cnnbook chapters, or grade submissions.")
    sub = parser.add_subparsers(dest="command", required=True)
    student = sub.add_parser("student", help="write the chapters without solutions (code exercises as stubs)")
    slides = sub.add_parser("slides", help="render every chapter as a reveal.js deck")
    for p, default in ((student, "_build/student"), (slides, "_build/slides")):
        p.add_argument("outdir", type=Path, nargs="?", default=Path(default),
                       help=f"destination folder, created if needed (default: {default})")
        p.add_argument("--book", type=Path, default=None, help="folder of the chapters (default: ./book)")
    group = slides.add_mutually_exclusive_group()
    group.add_argument("--offline", action="store_true",
                       help=f"copy reveal.js {REVEAL_VERSION}, require.js, jQuery and MathJax 2 (fetched once with "
                            "npm into ~/.cache/cnnbook) next to the decks so they open without a network")
    group.add_argument("--reveal-url", default=None, help=f"URL of a reveal.js 4 copy (default {REVEAL_CDN})")
    slides.add_argument("--cache-dir", type=Path, default=None, help="cache for the npm packages of --offline")
    grade = sub.add_parser("grade", help="execute submitted notebooks and list their checker results")
    grade.add_argument("notebooks", type=Path, nargs="+", help="submitted .ipynb files")
    grade.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    args = parser.parse_args(argv)
    if args.command == "grade":
        try:
            graded = {str(p): grade_notebook(p, timeout=args.timeout) for p in args.notebooks}
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(grade_report(graded))
        return 0
    book = args.book or default_book_dir()
    try:
        if args.command == "student":
            written = write_student_edition(book, args.outdir)
            print(f"wrote {len(written)} student notebooks to {args.outdir}")
        else:
            decks = write_slides(book, args.outdir, offline=args.offline, reveal_url_prefix=args.reveal_url,
                                 cache_dir=args.cache_dir)
            print(f"wrote {len(decks)} slide decks to {args.outdir} (open {args.outdir / 'index.html'})")
    except (ValueError, RuntimeError, subprocess.CalledProcessError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
