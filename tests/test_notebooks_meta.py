"""Checks on the book's notebooks as stored files (no kernel is started here).

nbval (``pytest --nbval book/``) re-runs each notebook and compares outputs;
these tests check what nbval cannot: every notebook is in the table of
contents, is stored fully executed in order with the ``python3`` kernel, keeps
a live web copy of every explorer it displays, and no file reads the
steering folder that sits beside the repository.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))
SKIP_DIRS = {".git", ".venv", "_build", ".cache", "node_modules", ".pytest_cache",
             ".hypothesis", ".ipynb_checkpoints", "__pycache__", "_student", "_slides"}


def toc_files() -> list[str]:
    """Every `file:` entry of _toc.yml (and the root), without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [str(Path(f).with_suffix("")) if Path(f).suffix in {".md", ".ipynb"} else f for f in found]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_book_has_notebooks():
    assert NOTEBOOKS, f"no notebooks found in {BOOK}"


@pytest.mark.parametrize("entry", toc_files())
def test_toc_entry_exists(entry):
    candidates = [ROOT / f"{entry}{suffix}" for suffix in (".ipynb", ".md")]
    assert any(p.exists() for p in candidates), f"_toc.yml lists {entry!r} but neither .ipynb nor .md exists"


def test_toc_has_no_duplicates():
    entries = toc_files()
    duplicates = sorted({e for e in entries if entries.count(e) > 1})
    assert not duplicates, f"listed more than once in _toc.yml: {duplicates}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_listed_in_toc(path):
    entry = str(path.relative_to(ROOT).with_suffix(""))
    assert entry in toc_files(), f"{entry} is not listed in _toc.yml, so the web book would drop it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_kernel_is_python3(path):
    spec = load(path).get("metadata", {}).get("kernelspec", {})
    assert spec.get("name") == "python3", f"{path.name}: kernelspec name is {spec.get('name')!r}, want 'python3'"
    assert spec.get("language", "python") == "python"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_stored_executed_in_order(path):
    """Every non-empty code cell ran, once, top to bottom, in one fresh kernel."""
    cells = load(path)["cells"]
    counts = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
            continue
        count = cell.get("execution_count")
        assert count is not None, f"{path.name}: code cell {index} was never executed"
        counts.append(count)
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(counts)}; "
        "re-run it top to bottom (jupyter execute --inplace)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_errors_in_outputs(path):
    for index, cell in enumerate(load(path)["cells"]):
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", (
                f"{path.name}: code cell {index} stored an error: {output.get('ename')}: {output.get('evalue')}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_a_title(path):
    cells = load(path)["cells"]
    first = next((c for c in cells if c["cell_type"] == "markdown"), None)
    assert first is not None, f"{path.name}: no markdown cell"
    # A MyST target such as `(sec-ch05)=` may stand before the title.
    lines = [ln for ln in "".join(first["source"]).splitlines() if ln.strip()]
    lines = [ln for ln in lines if not re.fullmatch(r"\([\w:.-]+\)=", ln.strip())]
    assert lines and lines[0].startswith("# "), (
        f"{path.name}: the first markdown cell must start with a '# ' title (it becomes the page title)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_widget_outputs_are_live_explorers_with_ignore_tag(path):
    """Every displayed widget is an explorer or a quiz that the web book makes live from its
    text/html part (cnnbook.widgets.web); no widget state is stored (the page
    does not need a snapshot); the cell is tagged nbval-ignore-output (model ids are random)."""
    nb = load(path)
    assert WIDGET_STATE not in nb.get("metadata", {}).get("widgets", {}), (
        f"{path.name}: stores widget state the web book does not use; execute with `python3 dev.py execute`"
    )
    for index, cell in enumerate(nb["cells"]):
        outputs = [o for o in cell.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]
        if not outputs:
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        assert "nbval-ignore-output" in tags or "nbval-skip" in tags, (
            f"{path.name}: code cell {index} shows a widget but is not tagged nbval-ignore-output"
        )
        for output in outputs:
            page = "".join(output["data"].get("text/html", ""))
            explorer = 'class="cnnbook-explorer cnnbook-live' in page and 'class="cnnbook-config"' in page
            quiz = 'class="cnnbook-quiz cnnbook-quiz-live' in page and 'class="cnnbook-quiz-config"' in page
            assert explorer or quiz, (
                f"{path.name}: code cell {index} shows a widget that the web book cannot make live"
            )


MACHINE_SPECIFIC = [
    (re.compile(r"/work/main|/tmp/|/root/|/home/\w+"), "an absolute path of this machine"),
    (re.compile(r"\bat 0x[0-9a-f]{6,}"), "a memory address"),
]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_not_machine_specific(path):
    for index, cell in enumerate(load(path)["cells"]):
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")]
            texts += [v for k, v in output.get("data", {}).items() if k.startswith("text/")]
            text = "".join("".join(t) if isinstance(t, list) else t for t in texts)
            for pattern, what in MACHINE_SPECIFIC:
                match = pattern.search(text)
                assert match is None, f"{path.name}: code cell {index} output shows {what}: {match.group(0)!r}"


def repo_files():
    """The files a commit would hold: tracked, or new and not ignored (git); else a walk of the tree."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return [p for p in ROOT.rglob("*") if not any(part in SKIP_DIRS for part in p.relative_to(ROOT).parts)]
    return [ROOT / name for name in listed.decode("utf-8").split("\0") if name]


def repo_text_files():
    for path in repo_files():
        rel = path.relative_to(ROOT)
        if any(part in SKIP_DIRS for part in rel.parts) or not path.is_file():
            continue
        if path.stat().st_size > 5_000_000:
            continue
        try:
            yield rel, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def test_nothing_reads_the_steering_folder():
    """Code, docs and notebooks must not depend on the folder beside the repository."""
    # Built from parts so that this file does not match itself.
    needles = ["../" + "shared", "/work/" + "shared"]
    offenders = [
        f"{rel}: {needle}"
        for rel, text in repo_text_files()
        for needle in needles
        if needle in text
    ]
    assert not offenders, "files refer to a folder outside the repository:\n" + "\n".join(offenders)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solution_cells_are_tagged(path):
    """The student edition drops cells tagged ``solution``; a solution directive without the tag would leak."""
    nb = load(path)
    untagged = [i for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "markdown"
                and re.search(r"\{solution(-start|-end)?\}", "".join(cell["source"]))
                and "solution" not in cell.get("metadata", {}).get("tags", [])]
    assert not untagged, f"{path.name}: cells {untagged} hold a solution directive but are not tagged 'solution'"
