#!/usr/bin/env python3
"""Developer tasks for cnnbook. Needs only Python 3.11+ to start.

    python3 dev.py build     build the web book   -> _build/html/index.html
                             (--student: the student edition -> _build/student-site/_build/html)
    python3 dev.py test      run the whole test suite (pytest, doctests, nbval, browser)
                             (--fast: unit tests and doctests only, for the edit-test loop)
    python3 dev.py test-reach  run each chapter in fresh venvs built from pyproject.toml (minutes;
                             needs the package index), as on Colab, Binder or a downloaded notebook
                             (--quick: only two downloaded chapters installing through their setup cell)
    python3 dev.py lab       open the notebooks in JupyterLab (MyST rendered by jupyterlab-myst)
    python3 dev.py voila     serve the live explorers with Voila
    python3 dev.py bench     run the benchmarks
    python3 dev.py student   write the student edition (solutions removed)
    python3 dev.py slides    write reveal.js slides of every chapter
    python3 dev.py pdf       write the PDF edition of the whole book -> _build/pdf/cnnbook.pdf
    python3 dev.py vendor    fetch the pinned JavaScript for an offline site
    python3 dev.py execute   re-run chapters in place (default: every notebook in book/)
    python3 dev.py setup     only create/refresh .venv

Every command first makes sure `.venv/` exists and holds requirements.txt
(it is created and filled on first use, and refreshed when requirements.txt or
pyproject.toml change). Set CNNBOOK_OFFLINE=1 (or pass --offline) to build a
site that needs no internet: MathJax, require.js and the ipywidgets
html-manager then come from pinned npm packages copied into _build/html/_vendor/.

Every command exits non-zero on failure; a test run that collects no test
counts as a failure.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".cnnbook-requirements.sha256"
CACHE = ROOT / ".cache"
NPM_CACHE = CACHE / "npm"
SITE = ROOT / "_build" / "html"

# JavaScript for the offline site and the accessibility tests, at exact versions
# (fetched by src/cnnbook/teaching/npm.py; _config.yml pins the online copies
# with SRI hashes, which tests/test_project.py checks against these).
NPM_PACKAGES = {
    "mathjax": "3.2.2",
    "requirejs": "2.3.7",
    "@jupyter-widgets/html-manager": "1.0.15",
    "axe-core": "4.10.3",
}

MIN_PYTHON = (3, 11)


def say(message: str) -> None:
    print(f"[dev.py] {message}", flush=True)


def die(message: str, code: int = 1) -> None:
    print(f"[dev.py] error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)


def venv_bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / folder / f"{name}{suffix}"


def tool_env(single_blas_thread: bool = True) -> dict[str, str]:
    """Environment for every tool we start: the venv first on PATH."""
    env = dict(os.environ)
    env["PATH"] = str(venv_bin("python").parent) + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(VENV)
    env.pop("PYTHONHOME", None)
    # Quieter, deterministic tools: no debugger warnings in kernels, standard
    # Jupyter paths, no hash randomisation surprises in stored outputs.
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    env.setdefault("PYTHONHASHSEED", "0")
    # Keep compiled bytecode (__pycache__/, git-ignored) even where the shell turns it off:
    # a test run starts dozens of Python processes (pytest workers, kernels, sandboxed
    # graders), and without the cache each one compiles cnnbook and the test modules from
    # source again (test collection alone: 12.6 s of CPU without, 5.4 s with).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The book's matrices are small: one BLAS thread is many times faster than
    # several fighting over two cores (and results do not depend on timing).
    if single_blas_thread:
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("OMP_NUM_THREADS", "1")
        env.setdefault("MKL_NUM_THREADS", "1")
        env.setdefault("CNNBOOK_THREADS", "1")   # cnnbook's own chunk threads (cnnbook.fast)
    return env


def run(cmd: list[str | Path], *, check: bool = True, **kwargs) -> int:
    printable = " ".join(str(c) for c in cmd)
    say(f"$ {printable}")
    kwargs.setdefault("env", tool_env())
    kwargs.setdefault("cwd", ROOT)
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    code = subprocess.call([str(c) for c in cmd], **kwargs)
    if check and code != 0:
        die(f"command failed with exit code {code}: {printable}", code)
    return code


# ---------------------------------------------------------------- bootstrap
def requirements_digest() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_venv(install: bool = True) -> None:
    """Create .venv with requirements.txt if it is missing or out of date."""
    if sys.version_info < MIN_PYTHON:
        die(f"Python {'.'.join(map(str, MIN_PYTHON))}+ is needed, this is {sys.version.split()[0]}")
    if not venv_bin("python").exists():
        say(f"creating {VENV.relative_to(ROOT)}/")
        run([sys.executable, "-m", "venv", VENV], env=dict(os.environ))
    if not install:
        return
    wanted = requirements_digest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    say("installing requirements.txt into .venv (first run or requirements changed)")
    pip = [venv_bin("python"), "-m", "pip", "--disable-pip-version-check", "--no-input"]
    run(pip + ["install", "--upgrade", "pip>=23.1"])
    run(pip + ["install", "-r", ROOT / "requirements.txt"])
    STAMP.write_text(wanted + "\n")


# ---------------------------------------------------------------- npm vendoring
def _load_npm_helper():
    """cnnbook.teaching.npm, loaded by file path: it is stdlib only, and importing
    the cnnbook package would need the venv (numpy), which may not exist yet."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cnnbook_npm", ROOT / "src" / "cnnbook" / "teaching" / "npm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


npm = _load_npm_helper()


def npm_package_dir(name: str) -> Path:
    """Fetch ``name`` at its pinned version into .cache/npm and return its folder."""
    try:
        return npm.fetch_package(NPM_CACHE, name, NPM_PACKAGES[name], hint=" (needed for the offline site)",
                                 log=say)
    except (npm.NpmError, subprocess.CalledProcessError) as err:
        die(str(err))


def vendor() -> dict[str, Path]:
    """Make sure every pinned npm package is in the cache; return their folders."""
    return {name: npm_package_dir(name) for name in NPM_PACKAGES}


# Where the vendored files live inside the built site, and what they are.
VENDOR_DIR = "_vendor"
OFFLINE_MATHJAX = f"{VENDOR_DIR}/mathjax/tex-mml-chtml.js"
OFFLINE_REQUIREJS = f"{VENDOR_DIR}/requirejs/require.js"
OFFLINE_GLUE = f"{VENDOR_DIR}/requirejs/widgets-glue.js"
OFFLINE_EMBED = f"{VENDOR_DIR}/html-manager/embed-amd.js"

# Glue for the widget scripts (the online build in _config.yml carries a
# minified twin of this as a data: URL):
# 1. tell require.js where html-manager lives: its bundle loads the icon fonts
#    relative to that module's URL, which otherwise resolves next to the page;
# 2. ipywidgets typesets widget labels with the MathJax 2 call
#    `MathJax.Hub.Queue(["Typeset", hub, element])`; MathJax 3 has no Hub, so
#    route it to `MathJax.typesetPromise` (DOMContentLoaded runs after the
#    deferred MathJax script and before the widgets render on "load").
WIDGETS_GLUE_JS = """\
// Generated by dev.py for the offline site (see WIDGETS_GLUE_JS there).
(function () {
  var here = document.currentScript && document.currentScript.src;
  if (here && window.require) {
    var base = new URL("../html-manager", here).href;
    window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": base } });
  }
  window.addEventListener("DOMContentLoaded", function () {
    var M = window.MathJax;
    if (M && M.typesetPromise && !M.Hub) {
      M.Hub = {
        Queue: function () {
          [].forEach.call(arguments, function (a) {
            if (a && a[0] === "Typeset" && a[2]) {
              M.startup.promise.then(function () { return M.typesetPromise([a[2]]); });
            }
          });
        },
      };
    }
  });
})();
"""


def install_vendor_files(site: Path) -> None:
    """Copy the offline JavaScript into ``site/_vendor`` (outside _static on purpose:
    Jupyter Book adds every .js under html_static_path to every page)."""
    pkgs = vendor()
    out = site / VENDOR_DIR
    if out.exists():
        shutil.rmtree(out)
    # MathJax: the combined TeX/MathML -> CHTML component, plus the pieces it
    # loads on demand (TeX extensions, fonts, menu, accessibility).
    shutil.copytree(pkgs["mathjax"] / "es5", out / "mathjax",
                    ignore=shutil.ignore_patterns("sre", "*-full*", "*svg*", "*.map", "node-main.js"))
    (out / "requirejs").mkdir(parents=True)
    shutil.copy2(pkgs["requirejs"] / "require.js", out / "requirejs" / "require.js")
    (site / OFFLINE_GLUE).write_text(WIDGETS_GLUE_JS)
    shutil.copytree(pkgs["@jupyter-widgets/html-manager"] / "dist", out / "html-manager",
                    ignore=shutil.ignore_patterns("*.map", "*.d.ts", "embed.js"))
    # Fallback for the icon fonts: when the widget bundle loads before the glue's
    # require.js path is in place, webpack resolves its fonts next to the page
    # (seen intermittently in the browser tests as 404s for
    # book/@jupyter-widgets/<hash>.woff2). A copy there makes both paths work.
    fonts = [f for f in (pkgs["@jupyter-widgets/html-manager"] / "dist").iterdir()
             if f.suffix in (".woff", ".woff2", ".ttf", ".eot", ".svg")]
    for folder in {page.parent for page in site.rglob("*.html") if "_vendor" not in page.parts}:
        target = folder / "@jupyter-widgets"
        target.mkdir(exist_ok=True)
        for font in fonts:
            shutil.copy2(font, target / font.name)
    for name in NPM_PACKAGES:
        licence = next((pkgs[name] / f for f in ("LICENSE", "LICENSE.txt", "LICENSE.md") if (pkgs[name] / f).exists()), None)
        if licence is not None:
            (out / "licenses").mkdir(exist_ok=True)
            shutil.copy2(licence, out / "licenses" / f"{name.replace('/', '__')}-{NPM_PACKAGES[name]}.txt")


def offline_config(path: Path, source: Path = ROOT) -> Path:
    """Write a copy of _config.yml whose JavaScript comes from the site itself."""
    import yaml  # from the venv (PyYAML is pinned in requirements.txt)

    config = yaml.safe_load((source / "_config.yml").read_text())
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    # Sphinx puts "_static/" in front of relative script paths, so "../" climbs
    # back to the site root; pages in subfolders get the right relative URL.
    sphinx_config["mathjax_path"] = f"../{OFFLINE_MATHJAX}"
    sphinx_config["nb_ipywidgets_js"] = {
        f"../{OFFLINE_REQUIREJS}": {},
        f"../{OFFLINE_GLUE}": {},
        f"../{OFFLINE_EMBED}": {},
    }
    # No launch buttons that point to the internet in an offline site.
    config["launch_buttons"] = {"binderhub_url": "", "colab_url": "", "jupyterhub_url": "", "thebe": False}
    path.write_text("# generated by dev.py for an offline build; do not edit\n"
                    + yaml.safe_dump(config, sort_keys=False))
    return path


# ---------------------------------------------------------------- tasks
def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def build(offline: bool, path_output: Path | None = None, all_pages: bool = False,
          source: Path = ROOT) -> Path:
    source = source.resolve()
    out_root = (path_output or source).resolve()
    site = out_root / "_build" / "html"
    cmd: list[str | Path] = [venv_bin("jupyter-book"), "build", source, "-W", "--keep-going"]
    if path_output is not None:
        cmd += ["--path-output", out_root]
    if all_pages:
        cmd += ["--all"]
    if offline:
        vendor()  # fail early, before a long build, if npm cannot fetch them
        (out_root / "_build").mkdir(parents=True, exist_ok=True)
        cmd += ["--config", offline_config(out_root / "_build" / "_config.offline.yml", source)]
    code = run(cmd, check=False)
    if code != 0:
        die(f"the book build failed (exit code {code}); see the warnings above", code or 1)
    if offline:
        install_vendor_files(site)
    # The explorers' big inputs (photos), loaded by the page on demand.
    run([venv_bin("python"), "-c",
         "import sys; from cnnbook.widgets.web import write_site_data; write_site_data(sys.argv[1])",
         site / "_explorer-data"])
    # The PDF edition, when one has been built (`dev.py pdf`), sits at the site's
    # root, where the "PDF edition" link of every page's navigation points (not in
    # the student edition: the PDF holds the solutions).
    if PDF.exists() and source == ROOT:
        shutil.copy2(PDF, site / PDF.name)
    index = site / "index.html"
    if not index.exists():
        die(f"the build finished but {index} is missing")
    say(f"built {'offline ' if offline else ''}site: open {index}")
    return site


def build_student(offline: bool, path_output: Path | None = None, all_pages: bool = False) -> Path:
    """Build the student web book: stage its source, then build that like the public book.

    The source (``_config.yml``, ``_toc.yml``, ``book/`` without solutions, the
    teaching chapter, slide-only and ``student-remove`` cells) is written by
    cnnbook.teaching.student.write_student_site to PATH/_build/student-site/;
    the site lands in PATH/_build/student-site/_build/html. Unchanged files are
    not rewritten, so a second build is incremental. The notebooks behind the
    pages' download buttons are then replaced by the plain-Markdown edition.
    """
    staging = (path_output or ROOT).resolve() / "_build" / "student-site"
    run([venv_bin("python"), "-c",
         "import sys; from cnnbook.teaching.student import write_student_site; "
         "write_student_site(sys.argv[1], sys.argv[2])", ROOT, staging])
    site = build(offline, None, all_pages, source=staging)
    # The page's download button offers _sources/book/NAME.ipynb: the plain-Markdown
    # notebook that reads well in Jupyter and Colab, not the MyST copy the site is built from.
    run([venv_bin("python"), "-c",
         "import sys; from cnnbook.teaching.student import write_student_edition; "
         "write_student_edition(sys.argv[1], sys.argv[2])", ROOT / "book", site / "_sources" / "book"])
    return site


PDF = ROOT / "_build" / "pdf" / "cnnbook.pdf"


def pdf_config(path: Path) -> Path:
    """The offline configuration, plus what the single-page build the PDF is printed from needs."""
    import yaml

    config = yaml.safe_load(offline_config(path).read_text())
    sphinx_config = config["sphinx"]["config"]
    # The single page shows each explorer's text/html part too, as the web book does.
    sphinx_config["nb_mime_priority_overrides"] = [*sphinx_config.get("nb_mime_priority_overrides", []),
                                                   ["singlehtml", "text/html", 5]]
    sphinx_config["extensions"] = [*sphinx_config["extensions"], "cnnbook.edition.sphinx_singlehtml"]
    path.write_text("# generated by dev.py for the PDF edition; do not edit\n"
                    + yaml.safe_dump(config, sort_keys=False))
    return path


def build_pdf() -> Path:
    """Write the PDF edition: the whole book as one offline page, printed by Chromium.

    See src/cnnbook/edition/pdf.py for the printing (title page, contents,
    bookmarks, explorers' stills, solutions at the end of each chapter).
    """
    import yaml

    vendor()
    work = PDF.parent / "work"  # jupyter-book writes work/_build/singlehtml (and its doctrees)
    work.mkdir(parents=True, exist_ok=True)
    code = run([venv_bin("jupyter-book"), "build", ROOT, "--builder", "singlehtml", "--path-output", work,
                "--config", pdf_config(PDF.parent / "_config.pdf.yml"), "-W", "--keep-going"], check=False)
    if code != 0:
        die(f"the single-page build failed (exit code {code}); see the warnings above", code or 1)
    site = work / "_build" / "singlehtml"
    install_vendor_files(site)
    run([venv_bin("python"), "-c",
         "import sys; from cnnbook.widgets.web import write_site_data; write_site_data(sys.argv[1])",
         site / "_explorer-data"])
    # Sphinx writes the single page under the root document's name but with links
    # relative to the site's root: a copy at the root makes them resolve.
    root_doc = yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]
    page = site / "cnnbook.html"
    shutil.copy2(site / f"{root_doc}.html", page)
    run([venv_bin("python"), "-m", "cnnbook.edition.pdf", page, PDF,
         "--config", ROOT / "_config.yml", "--toc", ROOT / "_toc.yml"])
    say(f"wrote {PDF.relative_to(ROOT)}")
    return PDF


def execute(notebooks: list[str]) -> None:
    """Re-run notebooks in place, top to bottom, and drop their stored widget state.

    The web book draws every explorer in the page from the cell's text/html
    output (see cnnbook.widgets.web), so a widget snapshot would only add
    weight: the stored widget state is removed after the run.
    """
    import json

    paths = [Path(n).resolve() for n in notebooks] or sorted((ROOT / "book").glob("*.ipynb"))
    for path in paths:
        if path.suffix != ".ipynb" or not path.exists():
            die(f"not a notebook: {path}")
        run([venv_bin("jupyter"), "execute", "--inplace", path.name], cwd=path.parent)
        nb = json.loads(path.read_text(encoding="utf-8"))
        if nb.get("metadata", {}).pop("widgets", None) is not None:
            path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        say(f"executed {path.relative_to(ROOT) if ROOT in path.parents else path}")


# `dev.py test --fast`: unit tests and doctests, no notebooks, no browser, nothing marked slow,
# no PyTorch reference comparisons (importing torch alone takes about 3 s in each worker).
FAST = ["-m", "not slow and not browser and not torch", "tests", "src/cnnbook", "--ignore=tests/browser"]


def test(pytest_args: list[str]) -> None:
    if "--fast" in pytest_args:
        pytest_args = [a for a in pytest_args if a != "--fast"] + FAST
    cmd: list[str | Path] = [venv_bin("python"), "-m", "pytest"]
    workers = os.environ.get("CNNBOOK_TEST_WORKERS", "2")
    if workers not in ("", "0", "1"):
        # loadscope keeps all cells of one notebook (one nbval "module") on one
        # worker, which nbval needs; each test module or class is one unit.
        # (--dist loadgroup would be finer, but with pytest 9.2 and
        # pytest-xdist 3.8 its groups are silently ignored.)
        cmd += ["-n", workers, "--dist", "loadscope"]
    # The fresh-venv tests (marked reach) take minutes: `dev.py test-reach` runs them.
    cmd += pytest_args or ["tests", "src/cnnbook", "book", "--durations=15", "-m", "not reach"]
    code = run(cmd, check=False)
    if code == 5:
        die("pytest collected no tests (exit code 5)", 5)
    if code != 0:
        die(f"tests failed (pytest exit code {code})", code)
    say("all tests passed")


def test_reach(quick: bool = False) -> None:
    """tests/test_reach.py's fresh-venv tests, one after another, with their timings shown.

    ``quick``: only the downloaded chapters installing cnnbook through their setup
    cell, not every chapter run again in the fresh venv (which nbval already runs
    in .venv, and whose imports tests/test_reach.py checks against pyproject.toml).
    """
    select = ["-k", "test_downloaded_chapters_install_cnnbook_and_run"] if quick else []
    code = run([venv_bin("python"), "-m", "pytest", "-p", "no:xdist", "-m", "reach", *select, "-s",
                "--durations=0", "tests/test_reach.py"], check=False)
    if code == 5:
        die("pytest collected no reach tests (exit code 5)", 5)
    if code != 0:
        die(f"reach tests failed (pytest exit code {code})", code)
    say("reach tests passed")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="dev.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="task", required=True)
    p_build = sub.add_parser("build", help="build the web book into _build/html")
    p_build.add_argument("--offline", action="store_true",
                         help="serve MathJax/widget JS from the site (same as CNNBOOK_OFFLINE=1)")
    p_build.add_argument("--path-output", type=Path, default=None,
                         help="build into PATH/_build/html instead of ./_build/html")
    p_build.add_argument("--all", action="store_true", help="rebuild every page")
    p_build.add_argument("--source", type=Path, default=ROOT,
                         help="folder holding _config.yml, _toc.yml and book/ (default: this repository)")
    p_build.add_argument("--student", action="store_true",
                         help="build the student edition (no solutions, no teaching chapter) into "
                              "_build/student-site/_build/html")
    p_build.add_argument("--no-install", action="store_true",
                         help="do not create/refresh .venv (used by the tests)")
    # test/bench/student/slides pass any further arguments on to the tool.
    sub.add_parser("test", help="run the whole test suite (or: dev.py test PYTEST_ARGS...)")
    p_reach = sub.add_parser("test-reach", help="run the chapters in fresh venvs built from pyproject.toml (slow)")
    p_reach.add_argument("--quick", action="store_true",
                         help="only two downloaded chapters installing cnnbook through their setup cell")
    p_lab = sub.add_parser("lab", help="open the notebooks in JupyterLab")
    p_lab.add_argument("path", nargs="?", default="book/", help="folder or notebook to open (default: book/)")
    p_voila = sub.add_parser("voila", help="serve the live explorers with Voila")
    p_voila.add_argument("notebook", nargs="?", default="book/explorers.ipynb")
    p_voila.add_argument("--port", type=int, default=8866)
    sub.add_parser("bench", help="run the benchmarks (--quick: a smoke run)")
    sub.add_parser("student", help="write the student edition to _build/student")
    sub.add_parser("slides", help="write reveal.js slides to _build/slides")
    sub.add_parser("pdf", help="write the PDF edition to _build/pdf/cnnbook.pdf")
    sub.add_parser("vendor", help="fetch the pinned npm packages into .cache/npm")
    sub.add_parser("setup", help="only create/refresh .venv from requirements.txt")
    p_execute = sub.add_parser("execute", help="re-run notebooks in place (default: all of book/)")
    p_execute.add_argument("notebooks", nargs="*")
    args, extra = parser.parse_known_args(argv)
    if extra and args.task not in ("test", "bench", "student", "slides"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")

    if args.task == "vendor":
        for name, folder in vendor().items():
            say(f"{name}@{NPM_PACKAGES[name]}: {folder}")
        return

    ensure_venv(install=not getattr(args, "no_install", False))
    py = venv_bin("python")
    if args.task == "setup":
        say(f"{VENV.relative_to(ROOT)}/ is ready")
    elif args.task == "build":
        offline = args.offline or truthy(os.environ.get("CNNBOOK_OFFLINE"))
        if args.student:
            build_student(offline, args.path_output, args.all)
        else:
            build(offline, args.path_output, args.all, args.source)
    elif args.task == "test":
        test(extra)
    elif args.task == "execute":
        execute(args.notebooks)
    elif args.task == "lab":
        run([venv_bin("jupyter"), "lab", args.path], stdin=None)
    elif args.task == "test-reach":
        test_reach(quick=args.quick)
    elif args.task == "voila":
        run([venv_bin("voila"), f"--port={args.port}", args.notebook], stdin=None)
    elif args.task == "bench":
        # The benchmarks choose their own thread counts.
        run([py, ROOT / "benchmarks" / "run.py", *extra], env=tool_env(single_blas_thread=False))
    elif args.task == "student":
        run([py, "-m", "cnnbook.teaching", "student", *extra])
    elif args.task == "pdf":
        build_pdf()
    elif args.task == "slides":
        # The decks carry their JavaScript (reveal.js, MathJax 3); one cache for every npm package.
        if "--cache-dir" not in extra:
            extra += ["--cache-dir", str(NPM_CACHE)]
        run([py, "-m", "cnnbook.teaching", "slides", *extra])


if __name__ == "__main__":
    main()
