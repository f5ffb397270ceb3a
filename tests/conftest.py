"""Shared pytest setup for cnnbook.

Optional references and tools
-----------------------------
PyTorch (an independent reference implementation) and a browser (Chromium
driven by Playwright) are optional on a developer's machine: tests that need
them are skipped when they are missing. CI sets ``CNNBOOK_REQUIRE_TORCH=1`` and
``CNNBOOK_REQUIRE_BROWSER=1``, which turn such a skip into a failure, so a
broken install can never pass silently.

Use them like this::

    def test_conv_matches_torch(torch):          # fixture
        ...

    from conftest import require_torch           # or at module level
    torch = require_torch()
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

# The grader's fixture submissions (some broken or hostile on purpose) are data that
# tests/test_grading.py grades, not notebooks for nbval to run.
collect_ignore = ["grading"]

# Figures in this (test) process are drawn off screen. Only the backend of this
# process is set: MPLBACKEND is deliberately not exported, because the
# kernels that nbval starts must keep the inline backend, or the figures
# stored in the notebooks would be missing from the re-run outputs.
try:
    import matplotlib

    matplotlib.use("Agg")
except ImportError:  # pragma: no cover - matplotlib is a runtime dependency
    pass

try:
    from hypothesis import HealthCheck, settings

    # No per-example deadline: CI machines are slow and shared, and a deadline
    # failure says nothing about correctness.
    settings.register_profile(
        "cnnbook", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "cnnbook"))
except ImportError:  # pragma: no cover
    pass


def flag(name: str) -> bool:
    """True when environment variable ``name`` is set to 1/true/yes/on."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _missing(what: str, env_name: str, hint: str):
    message = f"{what} is not available: {hint}"
    if flag(env_name):
        pytest.fail(f"{message} ({env_name}=1 makes this a failure)", pytrace=False)
    pytest.skip(message, allow_module_level=True)


def require_torch():
    """Return the ``torch`` module, or skip (fail under CNNBOOK_REQUIRE_TORCH=1)."""
    try:
        import torch
    except ImportError:
        _missing("PyTorch", "CNNBOOK_REQUIRE_TORCH", "install it with `pip install torch==2.13.0`")
    return torch


CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def require_browser() -> str:
    """Return the path of a Chromium binary usable by Playwright, or skip.

    Playwright's Python package is needed too; its own browser download is never
    used (``CNNBOOK_CHROMIUM`` may name another Chromium binary).
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Playwright for Python", "CNNBOOK_REQUIRE_BROWSER", "pip install -r requirements.txt")
    candidates = [os.environ.get("CNNBOOK_CHROMIUM", "")] + list(CHROMIUM_CANDIDATES)
    for path in candidates:
        if path and os.access(path, os.X_OK):
            return path
    found = shutil.which("chromium")
    if found:
        return found
    _missing("Chromium", "CNNBOOK_REQUIRE_BROWSER", "apt-get install chromium (Debian)")


def require_npm() -> str:
    """Return the path of npm (fetches the pinned JavaScript), or skip."""
    npm = shutil.which("npm")
    if npm is None:
        _missing("npm", "CNNBOOK_REQUIRE_BROWSER", "install Node.js and npm")
    return npm


def pytest_collection_modifyitems(config, items):
    """Tests that use the ``torch`` fixture are marked ``torch``: `dev.py test --fast` leaves them out
    (importing PyTorch takes about 3 s in each worker); the full suite runs them."""
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.torch)


@pytest.fixture(scope="session")
def torch():
    """The ``torch`` module (skips, or fails under CNNBOOK_REQUIRE_TORCH=1)."""
    module = require_torch()
    module.set_num_threads(1)  # two xdist workers on two cores
    return module


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the Chromium binary (skips, or fails under CNNBOOK_REQUIRE_BROWSER=1)."""
    return require_browser()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture
def rng():
    """A fresh, seeded numpy Generator for each test."""
    import numpy as np

    return np.random.default_rng(0)

