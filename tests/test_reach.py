"""The book reaches learners outside this checkout.

A chapter opened on Colab, on Binder or as a downloaded ``.ipynb`` starts with
a setup cell that installs the package when ``import cnnbook`` would fail
(``pip install "cnnbook[book] @ <the repository's archive>"``, or whatever
``CNNBOOK_PIP_SOURCE`` names). Where cnnbook is installed the cell does
nothing and prints nothing, so nbval checks that too. The web book removes the
cell (tag ``remove-cell``): the page shows no install boilerplate that readers
of the site never need, while the downloaded ``.ipynb`` keeps it.

Fast checks here: every notebook carries the cell, it is silent when cnnbook
is installed and hands ``CNNBOOK_PIP_SOURCE`` to pip when it is not; what
the chapters import is declared in pyproject.toml's ``[book]`` extra; the
version agrees across pyproject.toml, ``cnnbook.__version__``, CITATION.cff,
the footer, the preface and the changelog; the Binder files use
requirements.txt; every page links to the issue tracker.

Tests marked ``reach`` build fresh virtual environments and take minutes, so
``python3 dev.py test`` leaves them out and ``python3 dev.py test-reach`` runs
them (they install from the package index, through pip's cache):

- a venv at the newest Python here (see newest_python), holding only Jupyter's
  execution pieces, runs two downloaded chapters
  (chapter 4 and chapter 10, which needs tqdm); their setup cells install
  cnnbook from this working tree;
- in that venv, now built from pyproject.toml's ``[book]`` extra alone (not
  requirements.txt), every chapter runs to the end.

Run as a script, this file gives notebooks the setup cell (a new chapter):
``.venv/bin/python tests/test_reach.py book/11_deeper.ipynb``.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")
ISSUES = f"{REPOSITORY}/issues"

SOURCE_VARIABLE = "CNNBOOK_PIP_SOURCE"
# An archive of the repository, not git+https: pip then needs no git (Windows,
# minimal images). The archive holds pyproject.toml and src/, all pip builds.
DEFAULT_SOURCE = f"cnnbook[book] @ {REPOSITORY}/archive/refs/heads/{BRANCH}.zip"
SETUP_ID = "cnnbook-setup"
SETUP_TAGS = ["remove-cell"]
SETUP_SOURCE = f'''\
# Setup (Colab, Binder, a downloaded copy): install the book's package if it is missing.
# {SOURCE_VARIABLE} may name another pip source, e.g. "path/to/cnnbook[book]" or a wheel.
import importlib.util, os, subprocess, sys
if importlib.util.find_spec("cnnbook") is None:
    cnnbook_source = os.environ.get("{SOURCE_VARIABLE}") or (
        "{DEFAULT_SOURCE}")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", cnnbook_source], check=True)
    importlib.invalidate_caches()'''


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


# ------------------------------------------------------------------ the setup cell
def add_setup_cell(path: Path) -> bool:
    """Give notebook ``path`` the setup cell as its first code cell (or refresh it).

    Loads, edits and writes the file in one go. The cell is stored as run and
    silent (no outputs, execution count 1); every later execution count moves
    up by one, so the notebook still reads as run top to bottom in one kernel.
    Returns True when the file changed.
    """
    import nbformat
    from nbformat.v4 import new_code_cell

    nb = nbformat.read(path, as_version=4)
    existing = [c for c in nb.cells if c.get("id") == SETUP_ID]
    if existing:
        cell = existing[0]
        if cell.source == SETUP_SOURCE and cell.metadata.get("tags") == SETUP_TAGS:
            return False
        cell.source = SETUP_SOURCE
        cell.metadata["tags"] = list(SETUP_TAGS)
    else:
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.get("execution_count") is not None:
                cell.execution_count += 1
                for output in cell.outputs:
                    if output.get("execution_count") is not None:
                        output.execution_count += 1
        cell = new_code_cell(SETUP_SOURCE, id=SETUP_ID, execution_count=1,
                             metadata={"tags": list(SETUP_TAGS)})
        # After the title cell, so the title stays first; before any other code.
        first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
        nb.cells.insert(min(1, first_code), cell)
    nbformat.write(nb, path)
    return True


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_the_setup_cell(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name}: no code cell"
    first = code[0]
    fix = f"run `.venv/bin/python tests/test_reach.py book/{path.name}`"
    assert first.get("id") == SETUP_ID and first.source == SETUP_SOURCE, (
        f"{path.name}: the first code cell is not the current setup cell; {fix}"
    )
    assert first.metadata.get("tags") == SETUP_TAGS, f"{path.name}: setup cell tags {first.metadata.get('tags')}"
    assert first.outputs == [] and first.execution_count == 1, (
        f"{path.name}: the setup cell must be stored silent and first run (no outputs, count 1)"
    )
    # The title cell stays first (it names the page).
    assert nb.cells[0].cell_type == "markdown"


def test_setup_cell_installs_from_the_repository_by_default():
    assert DEFAULT_SOURCE.startswith("cnnbook[book] @ https://github.com/")
    assert f'os.environ.get("{SOURCE_VARIABLE}") or (\n        "{DEFAULT_SOURCE}")' in SETUP_SOURCE
    assert max(len(line) for line in SETUP_SOURCE.splitlines()) <= 100, "keep the cell readable in JupyterLab"
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert "book" in extras, "the setup cell installs cnnbook[book]: pyproject.toml must define that extra"


def run_setup_cell(python: str, *, hide_cnnbook: bool, source: str) -> subprocess.CompletedProcess:
    # -S (no site-packages) is how a Python without cnnbook looks to the cell;
    # the pip it starts is a normal process of the same interpreter.
    cmd = [python, *(["-S"] if hide_cnnbook else []), "-c", SETUP_SOURCE]
    env = dict(os.environ, **{SOURCE_VARIABLE: source}, PIP_NO_INDEX="1")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
                          cwd=ROOT, timeout=120)


def test_setup_cell_does_nothing_and_prints_nothing_when_cnnbook_is_installed(tmp_path):
    # A source pip could never install: if the cell tried, it would fail loudly.
    proc = run_setup_cell(sys.executable, hide_cnnbook=False, source=str(tmp_path / "missing[book]"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == "", (proc.stdout, proc.stderr)


def test_setup_cell_hands_the_source_variable_to_pip_when_cnnbook_is_missing(tmp_path):
    missing = tmp_path / "no-such-folder"
    proc = run_setup_cell(sys.executable, hide_cnnbook=True, source=f"{missing}[book]")
    assert proc.returncode != 0, "the cell claimed to install from a folder that does not exist"
    assert "CalledProcessError" in proc.stderr, proc.stderr[-2000:]
    assert str(missing) in proc.stderr, proc.stderr[-2000:]  # pip's complaint names the source


# ------------------------------------------------------------------ declared dependencies
def chapter_imports(path: Path) -> dict[str, bool]:
    """Top-level modules a notebook's code imports -> whether the import is
    optional (inside ``try: ... except ImportError``, as chapter 10's torch)."""
    import ast

    import nbformat

    found: dict[str, bool] = {}

    def visit(node, optional: bool) -> None:
        if isinstance(node, ast.Try):
            catches = any(h.type is None or "ImportError" in ast.unparse(h.type) for h in node.handlers)
            for child in node.body:
                visit(child, optional or catches)
            for child in node.handlers + node.orelse + node.finalbody:
                visit(child, optional)
            return
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module]
        else:
            names = []
        for name in names:
            top = name.split(".")[0]
            found[top] = found.get(top, True) and optional
        for child in ast.iter_child_nodes(node):
            visit(child, optional)

    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
            visit(ast.parse("\n".join(lines)), False)
    return found


@functools.lru_cache(maxsize=None)
def declared_distributions() -> frozenset[str]:
    """cnnbook's dependencies and [book] extra, with everything they require in turn."""
    from importlib.metadata import PackageNotFoundError, requires

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [re.split(r"[\s\[<>=!~;]", req, 1)[0]
            for req in project["dependencies"] + project["optional-dependencies"]["book"]]
    seen: set[str] = set()
    while todo:
        name = norm(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = requires(name) or []
        except PackageNotFoundError:
            continue
        todo += [re.split(r"[\s\[<>=!~;(]", r, 1)[0] for r in reqs if "extra ==" not in r]
    return frozenset(seen)


@functools.lru_cache(maxsize=None)
def installed_providers() -> dict[str, list[str]]:
    from importlib.metadata import packages_distributions

    return packages_distributions()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_imports_are_declared_dependencies(path):
    """What a chapter imports is the standard library, cnnbook, or installed by
    cnnbook[book] (optional imports, guarded by except ImportError, excepted)."""
    providers = installed_providers()
    declared = declared_distributions()
    missing = []
    for module, optional in sorted(chapter_imports(path).items()):
        if optional or module in sys.stdlib_module_names or module == "cnnbook":
            continue
        dists = {re.sub(r"[-_.]+", "-", d).lower() for d in providers.get(module, [])}
        if not dists & declared:
            missing.append(f"{module} (from {sorted(dists) or 'no installed distribution'})")
    assert not missing, f"{path.name} imports what pyproject.toml's [book] extra does not install: {missing}"


# ------------------------------------------------------------------ version, citation, changelog
def test_version_agrees_everywhere():
    version = project_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
    assert version.split(".")[0] == "2", f"the second edition is version 2.x, pyproject.toml says {version}"
    init = (ROOT / "src" / "cnnbook" / "__init__.py").read_text()
    assert re.search(rf'^__version__ = "{re.escape(version)}"', init, re.M), "cnnbook.__version__ differs"
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert str(cff["version"]) == version, f"CITATION.cff version {cff['version']} != {version}"
    footer = CONFIG["html"]["extra_footer"]
    assert f"version {version}" in footer, f"the footer does not show version {version}: {footer}"
    import nbformat

    preface = nbformat.read(BOOK / "00_preface.ipynb", as_version=4)
    text = "\n".join(c.source for c in preface.cells if c.cell_type == "markdown")
    assert f"version {version}" in text, f"the preface does not say version {version}"
    changelog = (BOOK / "changelog.md").read_text()
    newest = re.search(r"^## .*?(\d+\.\d+\.\d+)", changelog, re.M)
    assert newest and newest.group(1) == version, "the changelog's first entry is not this version"


def test_installed_package_reports_the_version():
    import cnnbook

    assert cnnbook.__version__ == project_version()


def test_citation_cff_is_valid_cff_1_2():
    text = (ROOT / "CITATION.cff").read_text()
    cff = yaml.safe_load(text)
    assert isinstance(cff, dict)
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):  # required by the CFF 1.2.0 schema
        assert cff.get(key), f"CITATION.cff lacks {key}"
    assert isinstance(cff["authors"], list)
    for author in cff["authors"]:
        assert "name" in author or "family-names" in author, author
    allowed = {"cff-version", "message", "title", "authors", "version", "date-released", "abstract",
               "keywords", "license", "repository-code", "url", "type", "identifiers", "doi",
               "preferred-citation", "references", "contact", "commit", "license-url", "repository",
               "repository-artifact"}
    assert set(cff) <= allowed, f"keys the CFF 1.2.0 schema does not define: {set(cff) - allowed}"
    assert cff.get("type", "software") in {"software", "dataset"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"])), cff["date-released"]
    assert cff["repository-code"].rstrip("/") == REPOSITORY
    assert cff["license"] == "MIT"
    preferred = cff.get("preferred-citation")
    if preferred is not None:
        assert preferred["type"] == "book" and preferred["title"] and preferred["authors"]
        assert str(preferred["version"]) == project_version()


def toc_entries() -> list:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return toc["parts"]


def test_changelog_is_in_the_reference_part_and_names_every_chapter_that_changed():
    reference = [p for p in toc_entries() if p.get("caption") == "Reference"]
    assert reference and {"file": "book/changelog"} in reference[0]["chapters"]
    text = (BOOK / "changelog.md").read_text()
    assert text.startswith("# "), "the changelog needs a title"
    assert ISSUES in text, "the changelog (the errata page) should say where to report an error"
    for needle in ("global average pooling", "dilat", "segmentation", "model selection", "quiz", "explorer"):
        assert needle in text.lower(), f"the changelog does not mention {needle!r}"


# ------------------------------------------------------------------ where to report an error
def test_every_page_offers_downloads_and_issue_links_in_the_config():
    html = CONFIG["html"]
    assert html["use_issues_button"] is True
    assert f'href="{ISSUES}' in html["extra_footer"], "the footer should link to the issue tracker"
    theme = CONFIG["sphinx"]["config"]["html_theme_options"]
    assert theme["use_download_button"] is True
    import nbformat

    preface = nbformat.read(BOOK / "00_preface.ipynb", as_version=4)
    assert any(ISSUES in c.source for c in preface.cells if c.cell_type == "markdown"), (
        "the preface should say where to report an error"
    )


# ------------------------------------------------------------------ Binder
def requirement_set(path: Path) -> set[str]:
    """Every requirement line of ``path``, following ``-r`` includes (paths are
    relative to the including file, as pip reads them)."""
    found: set[str] = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            found |= requirement_set((path.parent / line.split(None, 1)[1]).resolve())
        else:
            found.add(line)
    return found


def test_binder_installs_exactly_the_pinned_requirements():
    binder = ROOT / "binder"
    assert requirement_set(binder / "requirements.txt") == requirement_set(ROOT / "requirements.txt")
    pins = {ln.split("==")[0].lower() for ln in requirement_set(ROOT / "requirements.txt")}
    assert {"jupyterlab", "jupyterlab-myst", "voila"} <= pins, "Binder needs JupyterLab, MyST and Voila"


def test_binder_python_matches_the_package():
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert match, f"binder/runtime.txt should read python-3.X, not {runtime!r}"
    needed = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    low = int(re.fullmatch(r">=3\.(\d+)", needed).group(1))
    assert int(match.group(1)) >= low, f"Binder's {runtime} is older than requires-python {needed}"


def test_binder_post_build_installs_the_book_extra_and_checks_the_import():
    script = ROOT / "binder" / "postBuild"
    assert os.access(script, os.X_OK), "binder/postBuild must be executable"
    text = script.read_text()
    assert text.startswith("#!") and "set -e" in text
    assert '".[book]"' in text and "import cnnbook" in text


def test_readme_links_binder_to_the_lab_and_to_voila():
    readme = (ROOT / "README.md").read_text()
    owner_repo = REPOSITORY.removeprefix("https://github.com/")
    base = f"https://mybinder.org/v2/gh/{owner_repo}/{BRANCH}"
    links = re.findall(re.escape(base) + r"\?urlpath=([\w/%.-]+)", readme)
    assert any(link.startswith("voila/render/book/explorers.ipynb") for link in links), links
    assert any(link.startswith("lab/tree/book/") for link in links), links
    for link in links:
        target = link.split("/", 2)[2] if link.startswith("voila/") else link.removeprefix("lab/tree/")
        assert (ROOT / target).exists(), f"the Binder link opens {target}, which does not exist"
    assert 'pip install "cnnbook[book]' in readme


# ------------------------------------------------------------------ fresh environments (slow)
def newest_python() -> str:
    """The newest CPython 3 on this machine: /usr/bin/python3.X or a pyenv build
    (CNNBOOK_REACH_PYTHON names another). The learner's report was on 3.13."""
    if os.environ.get("CNNBOOK_REACH_PYTHON"):
        return os.environ["CNNBOOK_REACH_PYTHON"]
    candidates = list(Path("/usr/bin").glob("python3.*"))
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += [version / "bin" / "python3" for version in pyenv.glob("3.*")]
    found = []
    for path in candidates:
        if not os.access(path, os.X_OK) or path.name.endswith("-config"):
            continue
        proc = subprocess.run([path, "-c", "import sys, venv, ensurepip; print(*sys.version_info[:3])"],
                              capture_output=True, text=True)
        if proc.returncode == 0:
            found.append((tuple(map(int, proc.stdout.split())), str(path)))
    assert found, "no Python 3 with venv and ensurepip found"
    return max(found)[1]


RUNNER = r"""
import sys, time
import nbformat
from nbclient import NotebookClient

for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    start = time.monotonic()
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
    print(f"ran {path.rsplit('/', 1)[-1]} in {time.monotonic() - start:.0f} s", flush=True)
"""


def clean_env(venv: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "CNNBOOK_", "MPL"))}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv),
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
               JUPYTER_PLATFORM_DIRS="1")
    env.update(extra)
    return env


def timed(label: str, cmd: list, **kwargs) -> subprocess.CompletedProcess:
    start = time.monotonic()
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          **kwargs)
    print(f"[reach] {label}: {time.monotonic() - start:.0f} s", flush=True)
    assert proc.returncode == 0, f"{label} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
    return proc


@pytest.fixture(scope="module")
def learner_venv(tmp_path_factory):
    """A fresh venv at the newest Python with only Jupyter's execution pieces,
    and a copy of the package's sources (what pip builds), as a learner has."""
    base = tmp_path_factory.mktemp("reach")
    venv = base / "venv"
    python_used = newest_python()
    version = subprocess.run([python_used, "--version"], capture_output=True, text=True).stdout.strip()
    timed(f"create venv ({version}, {python_used})", [python_used, "-m", "venv", venv])
    python = venv / "bin" / "python"
    timed("install ipykernel, nbclient, nbformat",
          [python, "-m", "pip", "install", "--quiet", "ipykernel", "nbclient", "nbformat"], env=clean_env(venv))
    probe = subprocess.run([python, "-c", "import cnnbook"], capture_output=True, env=clean_env(venv))
    assert probe.returncode != 0, "the fresh venv already has cnnbook: the setup cell would not be tested"
    tree = base / "cnnbook-source"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, tree / name)
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    source = f"cnnbook[book] @ {tree.as_uri()}"
    return {"venv": venv, "python": python, "base": base, "env": clean_env(venv, **{SOURCE_VARIABLE: source}),
            "ran": set()}  # chapters that already ran to the end in this venv


@pytest.mark.reach
@pytest.mark.slow
def test_downloaded_chapters_install_cnnbook_and_run(learner_venv):
    """Two chapters alone in a folder (as downloaded) run to the end; their
    setup cell installs cnnbook[book], with tqdm for chapter 10."""
    folder = learner_venv["base"] / "downloads"
    folder.mkdir()
    names = ("04_output_size.ipynb", "10_training.ipynb")
    chapters = [shutil.copy2(BOOK / name, folder / name) for name in names]
    timed("setup cell + chapters 4 and 10", [learner_venv["python"], "-c", RUNNER, *chapters],
          env=learner_venv["env"], cwd=folder)
    learner_venv["ran"].update(names)
    check = subprocess.run(
        [learner_venv["python"], "-c", "import cnnbook, tqdm, importlib.metadata as m; print(m.version('cnnbook'))"],
        capture_output=True, text=True, env=clean_env(learner_venv["venv"]))
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == project_version()


@pytest.mark.reach
@pytest.mark.slow
def test_every_chapter_runs_with_only_the_declared_dependencies(learner_venv):
    """pyproject.toml's [book] extra (installed by the setup cell from this
    tree; requirements.txt plays no part) covers every chapter's imports.
    The chapters the test above ran to the end in this venv are not run again."""
    book = learner_venv["base"] / "book"
    shutil.copytree(BOOK, book, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    everything = sorted(p.name for p in book.glob("*.ipynb"))
    assert everything == [p.name for p in NOTEBOOKS]
    chapters = [str(book / name) for name in everything if name not in learner_venv["ran"]]
    proc = timed(f"{len(chapters)} chapters (of {len(everything)})",
                 [learner_venv["python"], "-c", RUNNER, *chapters], env=learner_venv["env"], cwd=book)
    print(proc.stdout)
    freeze = subprocess.run([learner_venv["python"], "-m", "pip", "freeze"], capture_output=True, text=True,
                            env=clean_env(learner_venv["venv"]))
    assert "torch" not in freeze.stdout.lower(), "torch is optional: chapter 10 must run without it"


if __name__ == "__main__":
    for name in sys.argv[1:] or [str(p) for p in NOTEBOOKS]:
        changed = add_setup_cell(Path(name))
        print(f"{name}: {'setup cell added or refreshed' if changed else 'already current'}")
