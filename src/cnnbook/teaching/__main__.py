"""Command line: ``python -m cnnbook.teaching {student,slides,grade,nbgrader} ...`` (see ``--help``)."""

import argparse
import subprocess
import sys
from pathlib import Path

from . import default_book_dir
from .slides import REVEAL_VERSION, write_slides
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
    slides.add_argument("--offline", action="store_true",
                        help="accepted for old scripts; every deck now carries its JavaScript "
                             f"(reveal.js {REVEAL_VERSION} and MathJax 3, fetched once with npm)")
    slides.add_argument("--cache-dir", type=Path, default=None,
                        help="cache for the npm packages (default ~/.cache/cnnbook)")
    grade = sub.add_parser("grade", help="grade submitted notebooks in a sandbox and write a gradebook")
    add_grade_arguments(grade)
    nbgrader = sub.add_parser("nbgrader", help="write the assignments in nbgrader's source layout")
    nbgrader.add_argument("outdir", type=Path, help="course folder: writes OUTDIR/source/<assignment>/")
    nbgrader.add_argument("--book", type=Path, default=None, help="folder of the chapters (default: ./book)")
    args = parser.parse_args(argv)
    if args.command == "grade":
        return run_grade(args, grade)
    if args.command == "nbgrader":
        from .nbgrader_export import write_nbgrader_source

        try:
            written = write_nbgrader_source(args.outdir, args.book or default_book_dir())
        except (ValueError, OSError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"wrote {len(written)} assignments to {args.outdir / 'source'}")
        return 0
    book = args.book or default_book_dir()
    try:
        if args.command == "student":
            written = write_student_edition(book, args.outdir)
            print(f"wrote {len(written)} student notebooks to {args.outdir}")
        else:
            decks = write_slides(book, args.outdir, cache_dir=args.cache_dir)
            print(f"wrote {len(decks)} slide decks to {args.outdir} (open {args.outdir / 'index.html'})")
    except (ValueError, RuntimeError, subprocess.CalledProcessError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


def add_grade_arguments(parser):
    parser.add_argument("paths", type=Path, nargs="*", metavar="FOLDER",
                        help="folder of submitted .ipynb files (every one is graded), or notebook files")
    parser.add_argument("--assignment", help="the assignment to grade against (see --list)")
    parser.add_argument("--list", action="store_true", help="list the assignments and their checks, then exit")
    parser.add_argument("--csv", type=Path, help="write the gradebook as CSV: file, score, max_score, "
                                                 "one column per check, error")
    parser.add_argument("--json", type=Path, help="write every grade, with the reasons, as JSON")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds allowed for each cell and for each check (default 10)")
    parser.add_argument("--memory", type=int, default=1536, help="memory limit per submission in MB (default 1536)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the problems (default: random, printed, the same for the whole class)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="grade without bubblewrap: for trusted notebooks only")


def run_grade(args, parser):
    """The ``grade`` command. Exit code 0 when every file was graded, 1 when one could not be, 2 on bad usage."""
    from .assignments import get_assignment, list_assignments
    from .grade import grade_class, grade_report, write_gradebook

    if args.list:
        print(list_assignments())
        return 0
    if not args.assignment or not args.paths:
        parser.print_usage(sys.stderr)
        print("error: give a folder of submissions and --assignment NAME (names: grade --list)", file=sys.stderr)
        return 2
    for path in (args.csv, args.json):
        if path is not None and not path.resolve().parent.is_dir():
            print(f"error: cannot write {path}: its folder {path.resolve().parent} does not exist", file=sys.stderr)
            return 2
    try:
        assignment = get_assignment(args.assignment)
        grades, seed = grade_class(args.paths, assignment, jobs=args.jobs, timeout=args.timeout,
                                   memory_mb=args.memory, seed=args.seed, unsafe=args.unsafe_no_sandbox)
    except (ValueError, RuntimeError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not grades:
        print(f"error: no .ipynb file in {', '.join(map(str, args.paths))}", file=sys.stderr)
        return 2
    for path, kind in ((args.csv, "csv_path"), (args.json, "json_path")):
        if path is not None:
            try:
                write_gradebook(grades, assignment, **{kind: path})
            except OSError as err:
                print(f"error: cannot write {path}: {err.strerror or err}", file=sys.stderr)
                return 2
    print(grade_report(grades))
    failed = [g.file for g in grades if not g.graded]
    print(f"{len(grades) - len(failed)} of {len(grades)} files graded against {assignment.name} (seed {seed})"
          + (f"; not graded: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
