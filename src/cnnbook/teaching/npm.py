"""Pinned npm packages, fetched once with ``npm pack`` into a cache folder.

The offline web book (``dev.py build --offline``), the accessibility tests and
the offline slides all need a few JavaScript packages at exact versions. This
module is the one place that fetches them. It uses the standard library only,
because ``dev.py`` loads it by file path before any virtualenv exists.

Layout of the cache::

    <cache>/<name>@<version>/package/...   the unpacked tarball ("/" in a scoped name becomes "__")
    <cache>/<name>@<version>/.complete     written last: the folder is whole
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

_EXACT_VERSION = re.compile(r"\d+\.\d+\.\d+")


class NpmError(RuntimeError):
    """npm is missing, or ``npm pack`` did not give one tarball."""


def package_dir(cache: str | Path, name: str, version: str) -> Path:
    """Where ``name@version`` lives in ``cache`` once fetched (no fetching here).

    Examples
    --------
    >>> package_dir("/tmp/npm", "@jupyter-widgets/html-manager", "1.0.15").as_posix()
    '/tmp/npm/@jupyter-widgets__html-manager@1.0.15/package'
    """
    return Path(cache) / f"{name.replace('/', '__')}@{version}" / "package"


def fetch_package(cache: str | Path, name: str, version: str, *, hint: str = "",
                  log: Callable[[str], None] | None = None) -> Path:
    """Fetch ``name@version`` into ``cache`` unless it is already there; return its folder.

    ``npm pack`` downloads exactly the published tarball: no dependencies and
    no install scripts (the bundles used here are self-contained).

    Parameters
    ----------
    cache : str or Path
        Cache folder (created if needed).
    name : str
        npm package name, e.g. ``"mathjax"`` or ``"@jupyter-widgets/html-manager"``.
    version : str
        Exact version ``MAJOR.MINOR.PATCH``.
    hint : str
        Added to the error message when npm is missing (what else the user can do).
    log : callable, optional
        Called with the npm command line before it runs.

    Returns
    -------
    folder : Path
        ``package_dir(cache, name, version)``, holding the unpacked package.

    Raises
    ------
    ValueError
        If ``version`` is not an exact version.
    NpmError
        If npm is not installed or ``npm pack`` does not produce one tarball.
    """
    if not _EXACT_VERSION.fullmatch(version):
        raise ValueError(f"version must be exact (MAJOR.MINOR.PATCH), got {name}@{version!r}")
    folder = package_dir(cache, name, version)
    target = folder.parent
    if (target / ".complete").exists():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise NpmError(f"npm is needed to fetch {name}@{version}, but the `npm` command was not found; "
                       f"install Node.js/npm{hint}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        cmd = [npm, "pack", f"{name}@{version}", "--silent", "--ignore-scripts", "--pack-destination", tmp]
        if log is not None:
            log("$ " + " ".join(cmd))
        env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
        subprocess.run(cmd, check=True, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        tarballs = list(Path(tmp).glob("*.tgz"))
        if len(tarballs) != 1:
            raise NpmError(f"npm pack {name}@{version} produced {len(tarballs)} tarballs, expected 1")
        if target.exists():
            shutil.rmtree(target)
        target.mkdir()
        with tarfile.open(tarballs[0]) as tar:
            tar.extractall(target, filter="data")
    (target / ".complete").write_text(f"{name}@{version}\n")
    return folder
