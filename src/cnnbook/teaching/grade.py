"""Grading: the grader's process judges the functions a submitted notebook defines.

A submission is a notebook that defines the functions of an assignment
(:mod:`cnnbook.teaching.assignments`), e.g. ``my_conv2d``. Grading it:

1. the notebook's code cells run top to bottom in a sandboxed worker process
   (:mod:`cnnbook.teaching.sandbox`: bubblewrap, read-only file system, no
   network, memory and CPU limits, a deadline per cell); a cell that raises
   ends only itself, a cell that hangs or kills the process is skipped on a
   fresh start;
2. for each check of the assignment, the grader runs the checker of
   :mod:`cnnbook.exercises` *in its own process*, with problems it draws
   from a seed of its own and references from its own copy of the package.
   The checker's calls of the student's function are sent to the worker as
   arrays, and the answers come back as arrays (never pickles) and are judged
   by the checker's comparison.

Nothing the notebook prints counts: the "✓ check_..." lines are feedback for
the student while working. Every check of the assignment counts, whether or
not the notebook calls its checker; a missing, broken, crashing, slow or
memory-hungry function scores 0 for that check, with the reason.
"""

import csv
import json
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import numpy as np

from .assignments import get_assignment
from .sandbox import Sandbox, SandboxFailure, Worker

SAFE_ERRORS = {e.__name__: e for e in (
    NotImplementedError, ValueError, TypeError, IndexError, KeyError, ZeroDivisionError, AttributeError,
    NameError, RuntimeError, AssertionError, ArithmeticError, OverflowError, FloatingPointError,
    RecursionError, UnboundLocalError, LookupError)}
MAGIC = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)
MAX_RESTARTS = 5


@dataclass
class CheckGrade:
    """Outcome of one check: its name, points earned and the reason when it failed."""

    name: str
    points: int
    max_points: int
    reason: str = ""

    @property
    def passed(self):
        return self.points == self.max_points


@dataclass
class SubmissionGrade:
    """Grade of one file: a check per expected check, or the reason the file could not be graded.

    ``error`` is empty when the file was graded (whatever its score).
    """

    file: str
    max_score: int
    checks: list = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def score(self):
        return sum(c.points for c in self.checks)

    @property
    def graded(self):
        return not self.error


def notebook_code(nb):
    """Source of each code cell, with IPython magics and shell lines commented out.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> notebook_code(new_notebook(cells=[new_code_cell("%matplotlib inline\\nx = 1")]))
    ['# %matplotlib inline\\nx = 1']
    """
    return [MAGIC.sub(r"\1# \2", cell.source) for cell in nb.cells if cell.cell_type == "code"]


def _failure_reason(result):
    """One line from a failed CheckResult: the failing case and the problem."""
    lines = result.message.splitlines()
    problem = next((ln.strip()[len("Problem: "):] for ln in lines if ln.strip().startswith("Problem: ")), "")
    head = lines[0].split(": ", 1)[-1] if lines else "failed"
    return f"{head}: {problem}" if problem else head


def _rebuild_error(name, message):
    if name in SAFE_ERRORS:
        return SAFE_ERRORS[name](message)
    safe = re.sub(r"\W", "", str(name))[:60] or "Error"
    return type(safe, (Exception,), {})(message)


def _proxy(worker, function, deadline, memory_mb):
    """A stand-in for the student's function: each call runs in the worker."""
    def call(*args):
        worker.send({"op": "call", "name": function}, list(args))
        header, values = worker.receive(deadline, f"{function}()")
        if "error" in header:
            if header["error"] == "MemoryError":
                raise SandboxFailure(f"{function} ran out of memory (limit {memory_mb} MB)")
            raise _rebuild_error(header["error"], str(header.get("message", "")))
        if not (isinstance(values, tuple) and len(values) == 2 and isinstance(values[1], tuple)):
            raise SandboxFailure("the submission's process sent a bad answer")
        out, new_args = values
        for old, new in zip(args, new_args):  # changes made in place show up in the caller's arrays
            if isinstance(old, np.ndarray) and isinstance(new, np.ndarray) and old.shape == new.shape:
                np.copyto(old, new, casting="unsafe")
        return out

    call.__name__ = function
    return call


class _Run:
    """The worker of one submission, restarted after a hang or a crash."""

    def __init__(self, sandbox, workdir, cells, names, timeout, n_checks):
        self.sandbox, self.workdir, self.cells, self.names = sandbox, workdir, cells, names
        self.timeout = timeout
        self.cpu = int(timeout * (len(cells) + n_checks + 2)) + 5
        self.skip = {}  # cell index -> why it is skipped
        self.worker = None
        self.found, self.errors = {}, {}

    def start(self):
        """Run the notebook's cells; return False when it cannot be brought to its end."""
        for _ in range(MAX_RESTARTS + 1):
            self.stop()
            self.worker = Worker(self.sandbox, self.workdir, cpu_seconds=self.cpu)
            current = None
            try:
                self.worker.send({"cells": self.cells, "skip": sorted(self.skip), "names": self.names,
                                  "limits": self.worker.limits})
                while True:
                    header, _ = self.worker.receive(time.monotonic() + self.timeout,
                                                    f"cell {current + 1}" if current is not None else "start-up")
                    if header.get("event") == "cell":
                        current = int(header["index"])
                    elif header.get("event") == "ready":
                        self.found = dict(header.get("found", {}))
                        self.errors = {int(k): str(v) for k, v in header.get("errors", {}).items()}
                        return True
                    else:
                        raise SandboxFailure("the submission's process sent a bad message")
            except SandboxFailure as err:
                if current is None or current in self.skip:
                    self.skip[-1] = str(err)
                    return False
                self.skip[current] = str(err)
        return False

    def stop(self):
        if self.worker is not None:
            self.worker.kill()
            self.worker = None

    def why_missing(self, function):
        kind = self.found.get(function, "missing")
        if kind not in ("missing", "function"):
            return f"{function} is a {kind}, not a function"
        why = f"{function} is not defined by the notebook"
        notes = [f"cell {i + 1} raised {e}" for i, e in sorted(self.errors.items())]
        notes += [f"cell {i + 1} was skipped ({e})" for i, e in sorted(self.skip.items()) if i >= 0]
        return why + (f" ({'; '.join(notes[:2])})" if notes else "")


def grade_submission(path, assignment, sandbox, *, timeout=10.0, seed=0):
    """Grade one notebook file against ``assignment``.

    Parameters
    ----------
    path : str or Path
        The submitted notebook.
    assignment : Assignment or str
    sandbox : Sandbox
        Built for this assignment (:class:`cnnbook.teaching.sandbox.Sandbox`).
    timeout : float
        Seconds allowed for each cell, and for each check (all its problems).
    seed : int
        Seed of the problems; every submission graded with the same seed gets the same problems.

    Returns
    -------
    grade : SubmissionGrade
        ``error`` says why the file could not be graded (every check then scores 0).
    """
    if isinstance(assignment, str):
        assignment = get_assignment(assignment)
    path = Path(path)
    start = time.monotonic()
    grade = SubmissionGrade(path.name, assignment.max_score)
    zero = [CheckGrade(c.name, 0, c.points) for c in assignment.checks]
    try:
        nb = nbformat.read(path, as_version=4)
        cells = notebook_code(nb)
    except Exception as err:  # noqa: BLE001 - any unreadable file is reported in its row
        grade.checks, grade.error = zero, f"cannot read {path.name}: {type(err).__name__}: {str(err)[:200]}"
        return grade
    workdir = sandbox.new_workdir()
    shutil.copy(path, workdir / "submission.ipynb")
    run = _Run(sandbox, workdir, cells, [c.function for c in assignment.checks], timeout, len(assignment.checks))
    try:
        if not run.start():
            grade.checks = zero
            grade.error = f"the notebook could not be run: {run.skip.get(-1, 'too many cells hung or crashed')}"
            return grade
        for index, check in enumerate(assignment.checks):
            if run.found.get(check.function) != "function":
                grade.checks.append(CheckGrade(check.name, 0, check.points, run.why_missing(check.function)))
                continue
            if run.worker is None and not run.start():
                grade.checks.append(CheckGrade(check.name, 0, check.points, "the notebook could not be re-run"))
                continue
            proxy = _proxy(run.worker, check.function, time.monotonic() + timeout, sandbox.memory_mb)
            try:
                result = check.checker(proxy, rng=np.random.default_rng([seed, index]), verbose=False)
            except SandboxFailure as err:
                grade.checks.append(CheckGrade(check.name, 0, check.points, str(err)))
                run.stop()  # the next check starts a fresh worker
                continue
            if result.passed:
                grade.checks.append(CheckGrade(check.name, check.points, check.points))
            else:
                grade.checks.append(CheckGrade(check.name, 0, check.points, _failure_reason(result)))
    finally:
        run.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        grade.seconds = round(time.monotonic() - start, 2)
    return grade


def submission_files(paths):
    """The .ipynb files to grade: each file given, and every .ipynb directly inside each folder given."""
    files = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(q for q in p.iterdir() if q.suffix == ".ipynb" and not q.name.startswith("."))
        elif p.exists():
            files.append(p)
        else:
            raise ValueError(f"paths must be existing notebooks or folders; got {str(p)!r}, which does not exist")
    return files


def grade_class(paths, assignment, *, jobs=2, timeout=10.0, memory_mb=1536, seed=None, unsafe=False):
    """Grade many submissions in parallel, each in its own sandbox.

    Parameters
    ----------
    paths : sequence of str or Path
        Notebooks, or folders whose ``.ipynb`` files are all graded.
    assignment : str or Assignment
    jobs : int
        Submissions graded at once.
    timeout : float
        Seconds per cell and per check.
    memory_mb : int
        Memory (address space) limit of each submission's process.
    seed : int or None
        Seed of the problems (None: drawn at random, the same for the whole class).
    unsafe : bool
        Grade without bubblewrap (trusted notebooks only).

    Returns
    -------
    grades : list of SubmissionGrade
        In the order of the files.
    seed : int
        The seed used.
    """
    if isinstance(assignment, str):
        assignment = get_assignment(assignment)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, got jobs={jobs!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got timeout={timeout!r}")
    files = submission_files(paths)
    seed = int(np.random.SeedSequence().entropy % 2**32) if seed is None else int(seed)
    hide = {p.parent.resolve() for p in files} | {Path(__file__).resolve().parents[3] / "book"}
    sandbox = Sandbox(assignment.checks, memory_mb=memory_mb, unsafe=unsafe, hide=sorted(hide))

    def grade_one(path):
        try:
            return grade_submission(path, assignment, sandbox, timeout=timeout, seed=seed)
        except Exception as err:  # noqa: BLE001 - one file's trouble must not stop the class
            return SubmissionGrade(Path(path).name, assignment.max_score,
                                   [CheckGrade(c.name, 0, c.points) for c in assignment.checks],
                                   error=f"could not grade {Path(path).name}: {type(err).__name__}: {err}")

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            grades = list(pool.map(grade_one, files))
    finally:
        sandbox.close()
    return grades, seed


def grade_rows(grades, assignment):
    """CSV rows: file, score, max_score, one column per check (its points), error.

    ``error`` holds why the file could not be graded or, for a graded file,
    why each lost check failed (``check_name: reason``, separated by `` | ``).
    """
    if isinstance(assignment, str):
        assignment = get_assignment(assignment)
    header = ["file", "score", "max_score", *(c.name for c in assignment.checks), "error"]
    rows = [header]
    for g in grades:
        points = {c.name: c.points for c in g.checks}
        reasons = g.error or " | ".join(f"{c.name}: {c.reason}" for c in g.checks if not c.passed)
        rows.append([g.file, g.score, g.max_score, *(points.get(c.name, 0) for c in assignment.checks), reasons])
    return rows


def write_gradebook(grades, assignment, csv_path=None, json_path=None):
    """Write the grades as CSV (:func:`grade_rows`) and/or JSON (every field of every grade)."""
    if csv_path is not None:
        with open(csv_path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(grade_rows(grades, assignment))
    if json_path is not None:
        data = [dict(asdict(g), score=g.score, graded=g.graded) for g in grades]
        Path(json_path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def grade_report(grades):
    """Plain-text table: one line per submission, its score and each check's mark.

    Examples
    --------
    >>> g = SubmissionGrade("ada.ipynb", 2, [CheckGrade("check_conv2d", 1, 1), CheckGrade("check_output_size", 0, 1)])
    >>> print(grade_report([g]))
    ada.ipynb  1/2  check_conv2d ✓  check_output_size ✗
    """
    width = max((len(g.file) for g in grades), default=0)
    lines = []
    for g in grades:
        marks = "  ".join(f"{c.name} {'✓' if c.passed else '✗'}" for c in g.checks)
        if g.error:
            marks = f"not graded: {g.error}"
        lines.append(f"{g.file:<{width}}  {g.score}/{g.max_score}  {marks}")
    return "\n".join(lines)
