"""Grading: run submitted notebooks and collect what their checkers printed.

A checker (:mod:`cnnbook.exercises`) prints one line that starts with ``✓``
or ``✗`` followed by its name, e.g. ``✓ check_conv2d: 25 random cases
passed``. Grading a submission is therefore: execute the notebook from top to
bottom in a fresh kernel (a student's error does not stop the run) and read
those lines back.

Student code runs with the grader's rights: grade untrusted submissions in a
container or a throw-away account.
"""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import nbformat

CHECK_LINE = re.compile(r"^(?P<mark>[✓✗]) (?P<name>check_\w+): (?P<text>.*)$", re.MULTILINE)


@dataclass(frozen=True)
class CheckLine:
    """One checker report found in a notebook's outputs."""

    name: str
    passed: bool
    text: str


def checker_results(nb):
    """Checker reports printed in the outputs of an executed notebook, in order.

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Returns
    -------
    results : list of CheckLine

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook, new_output
    >>> cell = new_code_cell("check_conv2d(f)")
    >>> cell.outputs = [new_output("stream", name="stdout", text="✓ check_conv2d: 25 random cases passed\\n")]
    >>> checker_results(new_notebook(cells=[cell]))
    [CheckLine(name='check_conv2d', passed=True, text='25 random cases passed')]
    """
    results = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            for m in CHECK_LINE.finditer(text):
                results.append(CheckLine(m["name"], m["mark"] == "✓", m["text"].strip()))
    return results


def grade_notebook(path, *, timeout=600, kernel_name="python3"):
    """Execute a copy of the notebook at ``path`` and return its checker reports.

    The notebook runs in its own folder with ``allow_errors=True``, so an
    error in one cell does not hide the checks that follow. The file itself
    is not modified.

    Parameters
    ----------
    path : str or Path
        A submitted notebook.
    timeout : int
        Seconds allowed per cell (a cell that loops forever fails the run).
    kernel_name : str
        Jupyter kernel to run it in.

    Returns
    -------
    results : list of CheckLine
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing notebook file, got path={str(path)!r}")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    try:
        # the kernel's own log lines (not the cells' output) would land in the caller's stderr
        client.execute(stderr=subprocess.DEVNULL)
    except (CellTimeoutError, DeadKernelError):
        pass  # the checks that ran before the timeout still count
    return checker_results(nb)


def grade_report(graded):
    """Plain-text table of ``{name: [CheckLine, ...]}``: one line per submission.

    Examples
    --------
    >>> print(grade_report({"alice.ipynb": [CheckLine("check_conv2d", True, "")],
    ...                     "bob.ipynb": [CheckLine("check_conv2d", False, "")]}))
    alice.ipynb  1/1  check_conv2d ✓
    bob.ipynb    0/1  check_conv2d ✗
    """
    width = max((len(str(k)) for k in graded), default=0)
    lines = []
    for name, results in graded.items():
        marks = "  ".join(f"{r.name} {'✓' if r.passed else '✗'}" for r in results) or "no checker ran"
        lines.append(f"{str(name):<{width}}  {sum(r.passed for r in results)}/{len(results)}  {marks}")
    return "\n".join(lines)
