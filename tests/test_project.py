"""The project skeleton: pins, task script, book configuration.

These guard the promises made in README.md: exact pins without torch, a task
script that fails loudly (pytest's "no tests" included), an offline build
configuration that takes its JavaScript from the site itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import dev  # noqa: E402  (the repository's task script)

sys.path.remove(str(ROOT))


def requirement_lines():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


def test_requirements_are_exact_pins_without_torch():
    lines = list(requirement_lines())
    assert "-e .[data]" in lines, "requirements.txt must install cnnbook itself, editable"
    pins = [ln for ln in lines if not ln.startswith("-")]
    loose = [ln for ln in pins if not re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][\w.+\-]*", ln)]
    assert not loose, f"requirements.txt lines that are not exact `name==version` pins: {loose}"
    names = {re.split(r"==", ln)[0].lower().replace("_", "-") for ln in pins}
    assert "torch" not in names, "torch must not be in requirements.txt (.ci/run installs torch==2.13.0)"
    assert {"jupyter-book", "myst-nb", "nbval", "pytest", "playwright", "voila"} <= names


def test_pyproject_runtime_dependencies_are_lower_bounds():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"]
    assert {re.split(r"[<>=!~ ]", d)[0] for d in deps} == {"numpy", "matplotlib", "ipywidgets", "anywidget"}
    assert all(">=" in d and "==" not in d and "<" not in d for d in deps), deps
    assert not any("torch" in d for d in deps + sum(project["optional-dependencies"].values(), []))


def test_jupyter_book_is_pinned_to_version_1():
    pins = dict(ln.split("==") for ln in requirement_lines() if "==" in ln)
    assert pins["jupyter-book"].startswith("1."), pins["jupyter-book"]


def test_config_has_bibliography_and_the_cited_classics():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["bibtex_bibfiles"] == ["book/references.bib"]
    assert config["execute"]["execute_notebooks"] == "off"
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    for key in ["lecun1998gradient", "springenberg2015striving", "dumoulin2016guide", "he2016deep",
                "krizhevsky2012imagenet", "simonyan2015very", "long2015fully", "ronneberger2015unet",
                "yu2016multi", "glorot2010understanding", "he2015delving", "zeiler2014visualizing",
                "goodfellow2016deep", "lin2014network", "radford2016unsupervised", "ren2015faster",
                "redmon2016you", "kingma2015adam", "ioffe2015batch"]:
        assert key in keys, f"{key} missing from references.bib"
    assert len(keys) == len(re.findall(r"^@", bib, flags=re.M)), "duplicate keys in references.bib"


def test_offline_config_serves_javascript_from_the_site(tmp_path):
    pytest.importorskip("yaml")
    path = dev.offline_config(tmp_path / "offline.yml")
    config = yaml.safe_load(path.read_text())["sphinx"]["config"]
    assert config["mathjax_path"] == f"../{dev.OFFLINE_MATHJAX}"
    scripts = list(config["nb_ipywidgets_js"])
    assert scripts == [f"../{dev.OFFLINE_REQUIREJS}", f"../{dev.OFFLINE_GLUE}", f"../{dev.OFFLINE_EMBED}"]
    assert not any("://" in s for s in scripts + [config["mathjax_path"]])
    assert all(not p.startswith("_static") for p in (dev.OFFLINE_MATHJAX, dev.OFFLINE_EMBED))


def test_online_config_pins_its_cdn_scripts():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    assert "mathjax@3.2.2" in config["mathjax_path"]
    embeds = [u for u in config["nb_ipywidgets_js"] if "embed-amd.js" in u]
    assert embeds and f"html-manager@{dev.NPM_PACKAGES['@jupyter-widgets/html-manager']}/" in embeds[0]


def test_npm_packages_are_exact_versions():
    for name, version in dev.NPM_PACKAGES.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}@{version} is not an exact version"


def test_test_task_treats_no_tests_collected_as_failure(monkeypatch):
    calls = []

    def fake_run(cmd, check=True, **kwargs):
        calls.append(cmd)
        return 5  # pytest: no tests collected

    monkeypatch.setattr(dev, "run", fake_run)
    with pytest.raises(SystemExit) as exc:
        dev.test(["tests/nothing_here"])
    assert exc.value.code != 0
    assert calls and "pytest" in [str(c) for c in calls[0]]


def test_test_task_fails_when_pytest_fails(monkeypatch):
    monkeypatch.setattr(dev, "run", lambda cmd, check=True, **kw: 1)
    with pytest.raises(SystemExit) as exc:
        dev.test([])
    assert exc.value.code == 1


def test_dev_script_rejects_unknown_task():
    proc = subprocess.run([sys.executable, ROOT / "dev.py", "no-such-task"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode != 0
    assert "invalid choice" in proc.stderr


def test_ci_script_is_strict_and_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert "torch==2.13.0" in ci
    assert "CNNBOOK_REQUIRE_TORCH=1" in ci and "CNNBOOK_REQUIRE_BROWSER=1" in ci
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [ln.split("#", 1)[0].strip() for ln in quick_start.strip().splitlines()]
    assert commands == ["python3 dev.py build", "python3 dev.py test"]
    assert '"$PY" dev.py test' in ci


def test_gitignore_keeps_build_output_and_caches_out():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in (".venv/", "_build/", ".cache/", "node_modules/"):
        assert entry in ignored


def test_online_widget_scripts_match_the_offline_copies():
    """Same pinned versions online and offline, and SRI hashes of the npm files."""
    import base64
    import hashlib

    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    files = {
        "requirejs": ("require.js", "requirejs"),
        "@jupyter-widgets/html-manager": ("dist/embed-amd.js", "html-manager"),
    }
    for name, (inner, marker) in files.items():
        version = dev.NPM_PACKAGES[name]
        url = next(u for u in config["nb_ipywidgets_js"] if f"{name}@" in u and u.startswith("https://"))
        assert f"{name}@{version}/{inner}" in url, (url, version)
        cached = dev.NPM_CACHE / f"{name.replace('/', '__')}@{version}" / "package" / inner
        if not cached.exists():
            continue  # the hash is checked wherever `dev.py vendor` has run (CI runs it first)
        digest = base64.b64encode(hashlib.sha384(cached.read_bytes()).digest()).decode()
        assert config["nb_ipywidgets_js"][url]["integrity"] == f"sha384-{digest}", f"{url}: integrity is stale"
