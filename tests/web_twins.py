"""Run the explorers' page-side twins (JavaScript, in node) and compare them with Python.

Every explorer of the web book computes its state in the page with a twin of
its Python function (see :mod:`cnnbook.widgets.web`). These helpers feed a list
of settings to the twin in node and compare each state with ``result.state()``
of the Python function, value by value: strings and integers exactly, floats
to 1e-9.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pytest

from cnnbook.widgets.web import js_files, to_json

HARNESS = Path(__file__).parent / "web" / "twins.js"
EVAL = Path(__file__).parent / "web" / "eval.js"


def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("node is needed to test the page-side explorers (apt-get install nodejs)")
    return path


def run_twins(explorer: str, settings: list[dict], data: dict | None = None, scripts=()) -> list[dict]:
    """The twin's answers for each setting: ``{"state": ..., "limits": ...}`` or ``{"thrown": ...}``.

    ``scripts`` are loaded after the page-side code, e.g. on-demand data files
    (:func:`cnnbook.widgets.web.write_site_data`), as the page loads them.
    """
    request = [{"explorer": explorer, "data": to_json(data or {}), "settings": to_json(settings)}]
    proc = subprocess.run([node(), str(HARNESS), *map(str, js_files()), *map(str, scripts)],
                          input=json.dumps(request),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (answers,) = json.loads(proc.stdout)
    assert not (isinstance(answers, dict) and "missing" in answers), f"no page-side twin named {explorer!r}"
    return answers


def run_js(code: str, data=None):
    """Evaluate ``code``, a JavaScript function ``(E, input) => value``, with the page-side code loaded."""
    request = {"code": code, "input": to_json(data)}
    proc = subprocess.run([node(), str(EVAL), *map(str, js_files())], input=json.dumps(request),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def differences(python, js, path="state", found=None, limit=8):
    """Where two JSON values differ (floats to 1e-9), as readable lines."""
    found = [] if found is None else found
    if len(found) >= limit or python == js:
        # ``==`` on whole dicts and lists runs in C; it is the common case, and where it
        # holds each value pair below would compare equal too (True == 1 and 2 == 2.0
        # pass here as they do below).
        return found
    if isinstance(python, dict) and isinstance(js, dict):
        for key in sorted(set(python) | set(js)):
            if key not in js or key not in python:
                found.append(f"{path}.{key}: only in {'Python' if key in python else 'JavaScript'}")
            else:
                differences(python[key], js[key], f"{path}.{key}", found, limit)
    elif isinstance(python, list) and isinstance(js, list):
        if len(python) != len(js):
            found.append(f"{path}: length {len(python)} in Python, {len(js)} in JavaScript")
        else:
            for i, (a, b) in enumerate(zip(python, js)):
                differences(a, b, f"{path}[{i}]", found, limit)
    elif isinstance(python, bool) or isinstance(js, bool) or isinstance(python, str) or isinstance(js, str) \
            or python is None or js is None:
        if python != js:
            found.append(f"{path}: Python {python!r} != JavaScript {js!r}")
    elif isinstance(python, (int, float)) and isinstance(js, (int, float)):
        if not math.isclose(python, js, rel_tol=1e-9, abs_tol=1e-9):
            found.append(f"{path}: Python {python!r} != JavaScript {js!r}")
    elif python != js:
        found.append(f"{path}: Python {python!r} != JavaScript {js!r}")
    return found


def assert_twin_agrees(explorer: str, compute, settings: list[dict], data: dict | None = None,
                       limits=None, scripts=()) -> None:
    """The twin's state equals ``compute(**s).state()`` for every setting ``s``.

    ``limits(**s)``, if given, is the Python rule for dependent slider ranges;
    the twin's ``limits`` must give the same.
    """
    assert settings, "no settings to compare"
    answers = run_twins(explorer, settings, data, scripts)
    assert len(answers) == len(settings)
    failures = []
    for s, answer in zip(settings, answers):
        if "thrown" in answer:
            failures.append(f"{s}: the twin threw {answer['thrown'][:400]}")
            continue
        diff = differences(to_json(compute(**s).state()), answer["state"])
        if limits is not None:
            diff += differences(to_json(limits(**s)), answer.get("limits"), "limits")
        if diff:
            failures.append(f"{s}:\n    " + "\n    ".join(diff))
        if len(failures) >= 5:
            break
    assert not failures, f"{explorer}: the page-side twin differs from Python on " \
                         f"{len(failures)}+ of {len(settings)} settings:\n" + "\n".join(failures)
