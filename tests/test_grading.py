"""The grader: verdicts from the grader's process, isolation of each submission, the gradebook, nbgrader.

The fixture submissions in ``tests/grading/`` are for the assignment
``lab2-convolution`` (``my_conv2d`` and ``my_output_size``). Placeholders in
``attacker.ipynb`` (``@VICTIM@``, ``@OTHER@``, ``@PACKAGE@``, ``@MARKER@``) are
filled in with real paths before grading, so its attacks aim at files that
exist. The tests need bubblewrap (``apt-get install bubblewrap``) and fail
without it.
"""

import csv
import json
import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import cnnbook
from cnnbook.teaching import _worker
from cnnbook.teaching.__main__ import main
from cnnbook.teaching.assignments import ASSIGNMENTS, get_assignment, solution_source
from cnnbook.teaching.grade import grade_class, grade_rows
from cnnbook.teaching.nbgrader_export import write_nbgrader_source
from cnnbook.teaching.sandbox import sandbox_problem

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
FIXTURES = Path(__file__).resolve().parent / "grading"
PACKAGE = Path(cnnbook.__file__).resolve().parent
TIMEOUT = "4"  # seconds per cell and per check: the fixtures that hang cost this much


@pytest.fixture(scope="module", autouse=True)
def sandbox_ready():
    problem = sandbox_problem()
    if problem:
        pytest.fail(f"the grading tests need a working sandbox: {problem}")


def files_containing(folder, text):
    """Files under ``folder`` whose bytes contain ``text`` (the attacker's code carries the marker)."""
    return [p for p in Path(folder).rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def running_with(marker):
    """Pids of the processes whose command line contains ``marker``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def correct_notebook(assignment):
    """A submission made of the book's solution cells for every check of ``assignment``."""
    cells = [new_code_cell("import numpy as np\nimport cnnbook")]
    cells += [new_code_cell(solution_source(c, BOOK)) for c in assignment.checks]
    return new_notebook(cells=cells)


# ----------------------------------------------------------------------------- the class run
@pytest.fixture(scope="module")
def class_run(tmp_path_factory):
    """Grade every fixture in one command line call; keep what the tests inspect."""
    tmp = tmp_path_factory.mktemp("class")
    folder = tmp / "submissions"
    folder.mkdir()
    victim = tmp / "victim.txt"
    victim.write_text("a file outside the submission's folder")
    marker = f"cnnbook-leftover-{uuid.uuid4().hex}"
    for fixture in FIXTURES.glob("*.ipynb"):
        text = fixture.read_text(encoding="utf-8")
        text = (text.replace("@VICTIM@", str(victim)).replace("@OTHER@", str(folder / "good.ipynb"))
                .replace("@PACKAGE@", str(PACKAGE)).replace("@MARKER@", marker))
        (folder / fixture.name).write_text(text, encoding="utf-8")
    other_before = (folder / "good.ipynb").read_bytes()
    csv_path, json_path = tmp / "grades.csv", tmp / "grades.json"
    code = main(["grade", str(folder), "--assignment", "lab2-convolution", "--csv", str(csv_path),
                 "--json", str(json_path), "--jobs", "2", "--timeout", TIMEOUT, "--memory", "1024",
                 "--seed", "7"])
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return dict(code=code, rows={r["file"]: r for r in rows}, header=list(rows[0]),
                json=json.loads(json_path.read_text(encoding="utf-8")), victim=victim,
                other=folder / "good.ipynb", other_before=other_before,
                package_tampered=files_containing(PACKAGE, marker), marker=marker)


@pytest.mark.slow  # grades notebooks in the sandbox: the full suite runs it, the fast tier does not
def test_csv_has_one_row_per_file_and_the_expected_columns(class_run):
    assert class_run["header"] == ["file", "score", "max_score", "check_conv2d", "check_output_size", "error"]
    assert sorted(class_run["rows"]) == sorted(p.name for p in FIXTURES.glob("*.ipynb"))
    for row in class_run["rows"].values():
        assert row["max_score"] == "2"
        assert int(row["score"]) == int(row["check_conv2d"]) + int(row["check_output_size"])
    assert {g["file"]: g["score"] for g in class_run["json"]} == \
        {f: int(r["score"]) for f, r in class_run["rows"].items()}


@pytest.mark.slow
def test_correct_submission_scores_full_marks(class_run):
    row = class_run["rows"]["good.ipynb"]
    assert (row["score"], row["check_conv2d"], row["check_output_size"], row["error"]) == ("2", "1", "1", "")


@pytest.mark.slow
def test_printed_check_lines_do_not_count(class_run):
    row = class_run["rows"]["fake_lines.ipynb"]
    assert row["score"] == "0"
    assert "expected shape" in row["error"] and "the output is 0, expected" in row["error"]


@pytest.mark.slow
def test_a_checker_run_on_one_case_does_not_count(class_run):
    row = class_run["rows"]["few_cases.ipynb"]
    assert (row["score"], row["check_output_size"]) == ("0", "0")
    assert re.search(r"check_output_size: case \d+ of 25 failed", row["error"])


@pytest.mark.slow
def test_deleted_check_cell_and_missing_function_score_zero(class_run):
    row = class_run["rows"]["no_check_cell.ipynb"]
    assert (row["score"], row["check_conv2d"], row["check_output_size"]) == ("1", "1", "0")
    assert "my_output_size is not defined by the notebook" in row["error"]


@pytest.mark.slow
def test_calling_the_library_function_fails_with_a_reason(class_run):
    row = class_run["rows"]["delegates.ipynb"]
    assert row["score"] == "0"
    assert "cnnbook.fast.conv2d is the function this exercise asks you to write" in row["error"]
    assert "cnnbook.shapes.conv_output_size is the function this exercise asks you to write" in row["error"]


@pytest.mark.slow
def test_attacks_change_nothing_outside_the_sandbox(class_run):
    assert class_run["rows"]["attacker.ipynb"]["score"] == "2"  # its own functions are right
    assert class_run["victim"].read_text() == "a file outside the submission's folder"
    assert class_run["other"].read_bytes() == class_run["other_before"]
    assert class_run["package_tampered"] == []
    assert class_run["rows"]["good.ipynb"]["score"] == "2"  # graded after the attack


@pytest.mark.skipif(os.geteuid() != 0, reason="run by another user, the sandbox shares that user's files and process count")
@pytest.mark.slow
def test_root_files_and_the_process_count_are_out_of_reach(class_run):
    # snooper.ipynb's output size is right only if it could neither read /etc/shadow nor
    # start 1,000 processes (the workers run as nobody, with RLIMIT_NPROC)
    assert class_run["rows"]["snooper.ipynb"]["check_output_size"] == "1", class_run["rows"]["snooper.ipynb"]


@pytest.mark.slow
def test_leftover_process_is_killed(class_run):
    assert running_with(class_run["marker"]) == []


@pytest.mark.slow
def test_memory_bomb_fails_its_check_with_a_memory_reason(class_run):
    row = class_run["rows"]["memory_bomb.ipynb"]
    assert (row["check_conv2d"], row["check_output_size"]) == ("0", "1")
    assert "my_conv2d ran out of memory (limit 1024 MB)" in row["error"]


@pytest.mark.slow
def test_infinite_loops_time_out(class_run):
    row = class_run["rows"]["infinite_loop.ipynb"]
    assert (row["check_conv2d"], row["check_output_size"]) == ("1", "0")
    assert "check_output_size: timed out: my_output_size() took longer than allowed" in row["error"]


@pytest.mark.slow
def test_corrupt_file_gets_a_row_and_a_nonzero_exit_code(class_run):
    row = class_run["rows"]["corrupt.ipynb"]
    assert row["score"] == "0" and row["error"].startswith("cannot read corrupt.ipynb: NotJSONError")
    assert class_run["code"] == 1
    assert sum(1 for r in class_run["rows"].values() if r["error"].startswith("cannot read")) == 1


# ----------------------------------------------------------------------------- every assignment
@pytest.mark.slow
def test_book_solutions_score_full_marks_on_every_assignment(tmp_path):
    def grade(assignment):
        folder = tmp_path / assignment.name
        folder.mkdir()
        nbformat.write(correct_notebook(assignment), folder / "model.ipynb")
        [grade], _ = grade_class([folder], assignment, jobs=1, timeout=20, seed=1)
        return grade

    with ThreadPoolExecutor(2) as pool:
        grades = list(pool.map(grade, ASSIGNMENTS))
    for assignment, g in zip(ASSIGNMENTS, grades):
        assert (g.score, g.error) == (assignment.max_score, ""), (assignment.name, g.checks)


def test_grade_rows_are_points_and_reasons():
    from cnnbook.teaching.grade import CheckGrade, SubmissionGrade

    g = SubmissionGrade("ada.ipynb", 2, [CheckGrade("check_conv2d", 1, 1),
                                         CheckGrade("check_output_size", 0, 1, "why")])
    assert grade_rows([g], "lab2-convolution")[1] == ["ada.ipynb", 1, 2, 1, 0, "check_output_size: why"]


# ----------------------------------------------------------------------------- command line
def test_list_prints_every_assignment_and_check(capsys):
    assert main(["grade", "--list"]) == 0
    out = capsys.readouterr().out
    for assignment in ASSIGNMENTS:
        assert assignment.name in out
        for check in assignment.checks:
            assert re.search(rf"{check.name}\s+grades {check.function}\(\)", out)


def test_assignments_are_the_labs_of_chapter_13():
    nb = nbformat.read(BOOK / "13_teaching.ipynb", as_version=4)
    syllabus = next(c.source for c in nb.cells if "SYLLABUS = [" in c.source)
    labs = [re.findall(r'"(check_\w+)"', block) for block in re.findall(r"labs=\[([^\]]*)\]", syllabus)]
    for assignment in ASSIGNMENTS:
        assert [c.name for c in assignment.checks] in labs, assignment.name


def test_usage_errors_name_the_problem(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nowhere"), "--assignment", "lab2-convolution"]) == 2
    assert "nowhere" in capsys.readouterr().err
    assert main(["grade", str(tmp_path), "--assignment", "lab9"]) == 2
    assert "assignment must be one of lab1-images" in capsys.readouterr().err
    assert main(["grade", str(tmp_path)]) == 2
    assert "--assignment" in capsys.readouterr().err
    assert main(["grade", str(tmp_path), "--assignment", "lab2-convolution", "--csv",
                 str(tmp_path / "no" / "g.csv")]) == 2
    assert f"its folder {tmp_path / 'no'} does not exist" in capsys.readouterr().err
    with pytest.raises(ValueError, match="jobs=0"):
        grade_class([tmp_path], "lab2-convolution", jobs=0)


def test_refuses_without_sandbox_unless_told(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "subs"
    folder.mkdir()
    nbformat.write(correct_notebook(get_assignment("lab2-convolution")), folder / "ada.ipynb")
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on the PATH
    assert main(["grade", str(folder), "--assignment", "lab2-convolution"]) == 2
    assert "bubblewrap (bwrap) is not installed" in capsys.readouterr().err
    csv_path = tmp_path / "g.csv"
    assert main(["grade", str(folder), "--assignment", "lab2-convolution", "--csv", str(csv_path),
                 "--unsafe-no-sandbox", "--timeout", "20"]) == 0
    assert csv_path.read_text().splitlines()[1] == "ada.ipynb,2,2,1,1,"


# ----------------------------------------------------------------------------- wire format
def test_wire_round_trip_keeps_types_and_carries_no_pickle():
    values = (np.arange(6.0).reshape(2, 3), np.int64(3), 3, 2.5, True, None, "text", [1, (2.0,)],
              {"a": 1}, np.array([object()], dtype=object))
    header, got = _worker.decode(_worker.encode({"ok": True}, values))
    assert header == {"ok": True}
    assert np.array_equal(got[0], values[0]) and got[0].shape == (2, 3)
    assert type(got[1]) is np.int64 and type(got[2]) is int and type(got[3]) is float
    assert got[4:8] == (True, None, "text", [1, (2.0,)])
    assert isinstance(got[8], _worker.Opaque) and isinstance(got[9], _worker.Opaque)


def test_wire_refuses_oversized_and_malformed_messages():
    huge = (2 * _worker.MAX_MESSAGE).to_bytes(8, "big")
    with pytest.raises(_worker.WireError, match="larger than the limit"):
        _worker.read_message(lambda n: huge)
    with pytest.raises(_worker.WireError, match="malformed"):
        _worker.decode(b"\x00\x00\x00\x05{bad}")


# ----------------------------------------------------------------------------- nbgrader
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::Warning")
def test_nbgrader_export_generates_and_autogrades(tmp_path, monkeypatch):
    course = tmp_path / "course"
    written = write_nbgrader_source(course, BOOK)
    assert sorted(p.parent.name for p in written) == sorted(a.name for a in ASSIGNMENTS)
    nb = nbformat.read(course / "source" / "lab2-convolution" / "lab2-convolution.ipynb", as_version=4)
    tests = [c for c in nb.cells if c.metadata["nbgrader"]["grade"]]
    assert [c.metadata["nbgrader"]["grade_id"] for c in tests] == ["test_check_conv2d", "test_check_output_size"]
    assert all(c.metadata["nbgrader"]["locked"] and c.metadata["nbgrader"]["points"] == 1 for c in tests)
    assert sum("### BEGIN SOLUTION" in c.source and "### END SOLUTION" in c.source for c in nb.cells) == 2

    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    monkeypatch.setenv("PATH", str(Path(os.sys.executable).parent) + os.pathsep + os.environ["PATH"])
    monkeypatch.chdir(course)
    config = Config()
    config.CourseDirectory.root = str(course)
    api = NbGraderAPI(config=config)
    name = "lab2-convolution"
    t0 = time.monotonic()
    assert api.generate_assignment(name)["success"]
    t1 = time.monotonic()
    release = (course / "release" / name / f"{name}.ipynb").read_text()
    assert "### BEGIN SOLUTION" not in release and release.count("raise NotImplementedError()") == 2
    # one submission, one right function and one wrong: the test cells tell them apart
    submitted = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    [size] = [c for c in submitted.cells if c.source.startswith("def my_output_size")]
    size.source = size.source.replace("return (n + 2 * padding - kernel_size) // stride + 1",
                                      "return (n - kernel_size) // stride + 1")
    target = course / "submitted" / "ada" / name
    target.mkdir(parents=True)
    nbformat.write(submitted, target / f"{name}.ipynb")
    assert api.autograde(name, "ada", force=True, create=True)["success"]
    t2 = time.monotonic()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(name, "ada")
        score, max_score = submission.score, submission.max_score
        by_cell = {g.name: g.score for g in submission.notebooks[0].grades}
    assert (score, max_score) == (1.0, 2.0)
    assert by_cell == {"test_check_conv2d": 1.0, "test_check_output_size": 0.0}
    print(f"nbgrader: generate {t1 - t0:.1f} s, autograde {t2 - t1:.1f} s")
