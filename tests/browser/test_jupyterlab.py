"""What a learner who leaves the web book gets: JupyterLab and the downloaded notebook.

JupyterLab (``python3 dev.py lab``, Binder) renders the chapters' MyST with the
pinned jupyterlab-myst: exercise boxes, cross-references and citations instead
of raw ``{exercise}`` or ``:label:`` text. The test starts JupyterLab on
127.0.0.1 with a token, on a copy of the preface (so nothing can write to
book/), and with notebook windowing off so every cell is rendered at once.

The built site offers each chapter's ``.ipynb`` for download (and that copy
holds the setup cell that installs cnnbook), shows the version in the footer
and links every page to the issue tracker.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import ROOT

from .conftest import free_port, toc_pages, wait_for_port

pytestmark = pytest.mark.slow

TIMEOUT_MS = 90_000
CHAPTER = "00_preface.ipynb"  # short, and its warm-up exercises use {exercise}, :label: and {cite}
EXERCISE_ID = "ex-ch00-numel"
EXERCISE_TITLE = "How many numbers in a batch?"
RAW_MYST = ("{exercise}", "{solution}", ":label:", "{cite}", "{doc}", "{ref}", "```")


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of the preface; always stopped afterwards."""
    from conftest import require_browser

    require_browser()
    base = tmp_path_factory.mktemp("lab")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    shutil.copy2(ROOT / "book" / CHAPTER, notebooks / CHAPTER)
    shutil.copy2(ROOT / "book" / "references.bib", notebooks / "references.bib")
    settings = base / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # No news or update checks from jupyter.org.
    apputils = base / "settings" / "@jupyterlab" / "apputils-extension"
    apputils.mkdir(parents=True)
    (apputils / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Only the server extensions the test needs: jupyterlab and jupyterlab_myst
    # (not Voila, Jupytext or anything else installed beside them), for a quicker start.
    config = base / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {
        name: False for name in ("voila.server_extension", "jupyterlab_jupytext", "notebook",
                                 "nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.assignment_list",
                                 "nbgrader.server_extensions.course_list",
                                 "nbgrader.server_extensions.validate_assignment")}}}))
    port, token = free_port(), uuid.uuid4().hex
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1",
               JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_RUNTIME_DIR=str(base / "runtime"))
    lab = Path(sys.executable).with_name("jupyter-lab")
    log_path = base / "lab.log"
    started = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [lab, "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={notebooks}", f"--LabApp.user_settings_dir={base / 'settings'}",
             f"--LabApp.workspaces_dir={base / 'workspaces'}",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=notebooks, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_port(proc, port, "jupyter lab", log_path, timeout=90)
            print(f"JupyterLab listening after {time.monotonic() - started:.0f} s")
            yield f"http://127.0.0.1:{port}/lab/tree/{CHAPTER}?token={token}&reset"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_jupyterlab_renders_the_chapters_myst(browser, lab_url):
    started = time.monotonic()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    off_machine: list[str] = []
    page.on("request", lambda r: off_machine.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")) else None)
    try:
        page.goto(lab_url, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
        # The exercise directive becomes jupyterlab-myst's exercise box, titled and labelled.
        box = page.locator(f"aside.myst-exercise#{EXERCISE_ID}")
        box.wait_for(state="visible", timeout=TIMEOUT_MS)
        assert EXERCISE_TITLE in box.locator(".myst-exercise-title").inner_text()
        assert box.locator(".myst-exercise-body").inner_text().strip().startswith("Write")
        # Every Markdown cell went through the MyST renderer, none shows raw syntax.
        # The renderer works through the cells one by one after the first is shown, so wait
        # for it to reach the last before counting.
        counts = """() => [document.querySelectorAll('.jp-Notebook .jp-MarkdownCell').length,
                           document.querySelectorAll('.jp-Notebook .jp-MarkdownCell .myst').length]"""
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(f"(() => {{ const [c, r] = ({counts})(); return c > 10 && r === c; }})",
                                   timeout=TIMEOUT_MS)
        cells, rendered = page.evaluate(counts)
        assert cells > 10 and rendered == cells, f"{rendered} of {cells} Markdown cells went through MyST"
        text = page.locator(".jp-Notebook").inner_text()
        shown = [raw for raw in RAW_MYST if raw in text]
        assert not shown, f"JupyterLab shows raw MyST: {shown}"
        print(f"preface rendered in JupyterLab in {time.monotonic() - started:.0f} s")
    finally:
        context.close()
    # jupyterlab-myst may try to look up citations online; nothing else should leave the machine.
    assert all("doi.org" in url or "crossref" in url for url in off_machine), off_machine


# ------------------------------------------------------------------ the built site
def test_pages_offer_the_notebook_show_the_version_and_link_the_issue_tracker(site):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    issues = config["repository"]["url"].rstrip("/") + "/issues"
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    checked = 0
    for page_path in toc_pages():
        html_file = site / page_path
        html = html_file.read_text(encoding="utf-8")
        assert f"version {version}" in html, f"{page_path}: the footer does not show version {version}"
        assert f'href="{issues}"' in html, f"{page_path}: no link to {issues}"
        assert f"{issues}/new" in html, f"{page_path}: no issue button for the page"
        source = Path(page_path).with_suffix(".ipynb")
        if not (ROOT / source).exists():
            continue
        # The download button offers the page's .ipynb, and that file runs anywhere.
        link = re.search(r'href="([^"]*_sources/' + re.escape(str(source)) + r')"', html)
        assert link, f"{page_path}: the download button does not offer {source.name}"
        offered = (html_file.parent / link.group(1)).resolve()
        notebook = json.loads(offered.read_text(encoding="utf-8"))
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert code and code[0].get("id") == "cnnbook-setup", f"{offered}: no setup cell first"
        # ... while the page itself does not show the setup cell (tag remove-cell).
        assert "find_spec(" not in html, f"{page_path}: the page shows the setup cell"
        checked += 1
    assert checked >= 12, f"only {checked} chapter pages offered their notebook"
