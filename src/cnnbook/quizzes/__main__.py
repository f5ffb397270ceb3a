"""Put each chapter's quiz cell into its notebook, or refresh its stored output.

    python -m cnnbook.quizzes book/04_output_size.ipynb ...   (no argument: every chapter with a quiz)

The quiz goes under a "## Check yourself" heading just before the chapter's
first "## Exercises" or "## Summary" section; a notebook that already has it
keeps its place and only gets a fresh output. The output is computed by running
the cell's code in a fresh Python process, and keeps the parts the web book
and a static notebook viewer use (``text/html``, ``text/plain``); the widget
view is left out because no widget state is stored with the chapters (run the
cell in Jupyter to get the widget). Execution counts after the cell move up by
one, so the chapter still reads as run top to bottom. Nothing else changes: the
notebook is read, changed and written in one go.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat

from . import CHAPTERS

CODE = "from cnnbook.widgets.quiz import quiz\n\nquiz({chapter})"

HEADING = """(sec-ch{chapter:02d}-quiz)=
## Check yourself

A few questions on the points of this chapter that are most often got wrong. Choose or type an answer
and press **Check** (or Enter): the feedback appears at once, and a wrong answer says what it gets
wrong. The quiz runs in your browser, in the web book and in Jupyter alike; nothing is sent anywhere."""

_RENDER = ("import json, sys\n"
           "from cnnbook.widgets.quiz import quiz\n"
           "data, _ = quiz(int(sys.argv[1]))._repr_mimebundle_()\n"
           "print(json.dumps({k: data[k] for k in ('text/html', 'text/plain')}))\n")


def chapter_of(path):
    """Chapter number from a file name such as ``04_output_size.ipynb``."""
    match = re.match(r"(\d\d)_", Path(path).name)
    if not match or int(match.group(1)) not in CHAPTERS:
        raise ValueError(f"{path}: not a chapter with a quiz (chapters: {sorted(CHAPTERS)})")
    return int(match.group(1))


def quiz_output(chapter):
    """The quiz cell's output, computed in a fresh Python process."""
    proc = subprocess.run([sys.executable, "-c", _RENDER, str(chapter)], capture_output=True, text=True,
                          check=True, stdin=subprocess.DEVNULL)
    return nbformat.v4.new_output("display_data", data=json.loads(proc.stdout))


def is_quiz_cell(cell):
    return cell.cell_type == "code" and cell.source.startswith("from cnnbook.widgets.quiz import quiz")


def _section_heading(cell):
    lines = [ln for ln in cell.source.splitlines() if ln.strip() and not re.fullmatch(r"\([\w:.-]+\)=", ln.strip())]
    return lines[0].strip() if cell.cell_type == "markdown" and lines else ""


def update(path):
    """Insert or refresh the quiz cell of one chapter; returns what was done."""
    path = Path(path)
    chapter = chapter_of(path)
    output = quiz_output(chapter)  # before reading: the notebook is open for as short a time as possible
    nb = nbformat.read(path, as_version=4)
    existing = [i for i, c in enumerate(nb.cells) if is_quiz_cell(c)]
    if existing:
        cell = nb.cells[existing[0]]
        cell.source = CODE.format(chapter=chapter)
        cell.outputs = [output]
        done = "refreshed"
    else:
        at = next((i for i, c in enumerate(nb.cells)
                   if _section_heading(c) in ("## Exercises", "## Summary")), None)
        if at is None:
            raise ValueError(f"{path}: no '## Exercises' or '## Summary' heading to put the quiz before")
        before = [c.execution_count for c in nb.cells[:at] if c.cell_type == "code" and c.execution_count]
        count = max(before, default=0) + 1
        for c in nb.cells[at:]:
            if c.cell_type == "code" and c.execution_count:
                c.execution_count += 1
        heading = nbformat.v4.new_markdown_cell(HEADING.format(chapter=chapter),
                                                metadata={"slideshow": {"slide_type": "skip"}})
        cell = nbformat.v4.new_code_cell(CODE.format(chapter=chapter), execution_count=count, outputs=[output],
                                         metadata={"tags": ["nbval-ignore-output"],
                                                   "slideshow": {"slide_type": "skip"}})
        nb.cells[at:at] = [heading, cell]
        done = f"inserted before cell {at}"
    nbformat.write(nb, path)
    return done


USAGE = """usage: python -m cnnbook.quizzes [NOTEBOOK ...]

Insert each chapter's quiz cell (a "Check yourself" heading and the quiz) before
its Exercises or Summary section, or refresh the stored output of the one it has.
Without arguments: every chapter of book/ that has a quiz."""


def main(argv=None):
    args = argv if argv is not None else sys.argv[1:]
    if any(a in ("-h", "--help") for a in args):
        print(USAGE)
        return 0
    paths = args or [p for p in sorted(Path("book").glob("*.ipynb")) if re.match(r"\d\d_", p.name)
                     and int(p.name[:2]) in CHAPTERS]
    status = 0
    for path in paths:
        try:
            print(f"{path}: {update(path)}", flush=True)
        except (ValueError, OSError) as err:
            print(f"error: {err}", file=sys.stderr, flush=True)
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main())
