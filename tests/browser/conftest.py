"""Fixtures for the browser tests: a built offline site, a local web server,
Chromium driven by Playwright, and a Voila server for the live explorers.

Everything listens on 127.0.0.1 only, and every server is stopped by its
fixture. The offline site is built once per test run (shared by the xdist
workers through a lock file), so these tests also prove that
`CNNBOOK_OFFLINE=1 python3 dev.py build` works with `-W`.

Environment:
- ``CNNBOOK_SITE=/path/to/_build/html``: use an existing offline build.
- ``CNNBOOK_BOOK_SOURCE=/path``: build another book folder (with its own
  _config.yml/_toc.yml/book/) instead of this repository.
- ``CNNBOOK_REQUIRE_BROWSER=1``: a missing Chromium/Playwright/npm fails.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, require_browser, require_npm

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BOOK_SOURCE = Path(os.environ.get("CNNBOOK_BOOK_SOURCE", ROOT)).resolve()
BUILD_ROOT = ROOT / "_build" / "browser-tests"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def toc_pages(source: Path = BOOK_SOURCE) -> list[str]:
    """Site-relative .html paths of every page in _toc.yml, in reading order."""
    toc = yaml.safe_load((source / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                pages.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key, []))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [str(Path(p).with_suffix("")) + ".html" for p in pages]


def notebook_facts(page_path: str) -> dict:
    """What the stored source promises the page shows: math? how many explorers?"""
    source = BOOK_SOURCE / page_path.replace(".html", ".ipynb")
    if not source.exists():
        md = BOOK_SOURCE / page_path.replace(".html", ".md")
        text = md.read_text() if md.exists() else ""
        return {"math": bool(re.search(r"\$[^$]+\$|\{math\}", text)), "explorers": 0}
    nb = json.loads(source.read_text())
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    explorers = sum(
        1
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if "cnnbook-live" in "".join(o.get("data", {}).get("text/html", ""))
    )
    return {"math": bool(re.search(r"\$[^$]+\$", markdown)), "explorers": explorers}


def wait_until_rendered(page, page_path: str, timeout_ms: int = 90_000) -> dict:
    """Wait (on the page's own signals, no fixed sleeps) until MathJax has
    typeset and every explorer of the page is live (core.js has mounted it)."""
    facts = notebook_facts(page_path)
    if facts["math"]:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=timeout_ms
        )
        page.evaluate("() => MathJax.startup.promise")
    if facts["explorers"]:
        page.wait_for_function(
            """(n) => {
                 const roots = document.querySelectorAll('.cnnbook-live');
                 return roots.length >= n && Array.from(roots).every(r => r.dataset.cnnbookReady === '1');
               }""",
            arg=facts["explorers"],
            timeout=timeout_ms,
        )
    page.wait_for_load_state("networkidle")
    return facts


def wait_for_port(proc, port: int, name: str, log_path: Path, timeout: float) -> None:
    """Wait until the server ``proc`` (``name``, logging to ``log_path``) listens on ``port``."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        with contextlib.suppress(OSError):
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        if time.monotonic() > deadline:
            pytest.fail(f"{name} did not listen on port {port} within {timeout:.0f} s")
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ the site
@pytest.fixture(scope="session")
def run_id(request) -> str:
    """Same for every xdist worker of one test run; new for each run."""
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is not None:
        return workerinput["testrunuid"]
    return uuid.uuid4().hex


@pytest.fixture(scope="session")
def site(run_id) -> Path:
    """The offline web book, built once per test run."""
    if os.environ.get("CNNBOOK_SITE"):
        path = Path(os.environ["CNNBOOK_SITE"]).resolve()
        assert (path / "index.html").exists(), f"CNNBOOK_SITE={path} has no index.html"
        return path
    require_browser()  # no point building when the browser is missing
    require_npm()
    BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    html = BUILD_ROOT / "_build" / "html"
    marker = BUILD_ROOT / "built-by-run.txt"
    with open(BUILD_ROOT / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other xdist worker waits here
        if not (marker.exists() and marker.read_text() == run_id):
            started = time.monotonic()
            proc = subprocess.run(
                [sys.executable, ROOT / "dev.py", "build", "--offline", "--no-install",
                 "--source", BOOK_SOURCE, "--path-output", BUILD_ROOT],
                cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            )
            if proc.returncode != 0:
                pytest.fail(
                    "offline build failed:\n" + (proc.stdout[-6000:] + proc.stderr[-6000:]), pytrace=False
                )
            print(f"offline site built in {time.monotonic() - started:.0f} s")
            marker.write_text(run_id)
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The browser drops connections it no longer needs (page navigations);
        # those are not server errors.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site_url(site):
    """Serve the built site on 127.0.0.1 from a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------ the browser
@pytest.fixture(scope="session")
def browser():
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageLog:
    """What went wrong while a page was open."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
            + [f"request off this machine: {m}" for m in self.external_requests]
        )


@pytest.fixture
def page(browser):
    """A fresh page; ``page.log`` collects console errors and failed requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    log = PageLog()

    def on_console(message):
        if message.type == "error":
            log.console_errors.append(message.text[:500])

    def on_response(response):
        if response.status >= 400:
            log.failed_requests.append(f"{response.status} {response.url}")

    def on_request(request):
        if not request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            log.external_requests.append(request.url)

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: log.page_errors.append(str(exc)[:500]))
    pg.on("requestfailed", lambda r: log.failed_requests.append(f"{r.failure} {r.url}"))
    pg.on("response", on_response)
    pg.on("request", on_request)
    pg.log = log
    try:
        yield pg
    finally:
        context.close()


# ------------------------------------------------------------------ Voila
@pytest.fixture(scope="module")
def voila_url():
    """Voila serving book/explorers.ipynb on 127.0.0.1; always stopped afterwards."""
    require_browser()
    notebook = BOOK_SOURCE / "book" / "explorers.ipynb"
    assert notebook.exists(), f"{notebook} is missing: the live explorers page is part of the book"
    port = free_port()
    voila = Path(sys.executable).with_name("voila")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    log_path = BUILD_ROOT / f"voila-{port}.log"
    BUILD_ROOT.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [voila, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
             "--ServerApp.port_retries=0", notebook.name],
            cwd=notebook.parent, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_for_port(proc, port, "voila", log_path, timeout=60)
            yield url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
