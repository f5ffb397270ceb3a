"""Measure the book's budgets: build times and the peak memory of each notebook.

Run from the repository root with the project's environment::

    .venv/bin/python benchmarks/budgets.py            # everything
    .venv/bin/python benchmarks/budgets.py --memory   # only the notebooks' peak memory

Build times: ``jupyter-book build .`` into a fresh output folder (clean), then
again with nothing changed (rebuild). Peak memory: each notebook is executed
by ``jupyter execute`` in a child process into a scratch copy; the largest
resident set of any process it waited for (the kernel included) is read with
``resource.getrusage(RUSAGE_CHILDREN)``, so one measurement per process.
"""

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def build_times():
    out = Path(tempfile.mkdtemp(prefix="cnnbook-build-"))
    cmd = [str(BIN / "jupyter-book"), "build", str(ROOT), "--path-output", str(out)]
    times = []
    for _ in range(2):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    shutil.rmtree(out, ignore_errors=True)
    return times


def peak_memory_mib(notebook):
    """Run one notebook in a fresh process and return the peak RSS of its children in MiB."""
    code = (
        "import resource, subprocess, sys\n"
        "subprocess.run([sys.argv[1], 'execute', '--output', sys.argv[3], sys.argv[2]],"
        " check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / notebook.name
        result = subprocess.run(
            [sys.executable, "-c", code, str(BIN / "jupyter"), str(notebook), str(target)],
            check=True, capture_output=True, text=True, cwd=notebook.parent,
        )
    return int(result.stdout.strip()) / 1024  # ru_maxrss is in KiB on Linux


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memory", action="store_true", help="only the notebooks' peak memory")
    args = parser.parse_args(argv)
    if not args.memory:
        clean, rebuild = build_times()
        print(f"jupyter-book build, clean: {clean:.1f} s; rebuild with nothing changed: {rebuild:.1f} s")
    print("| notebook | peak RSS (MiB) |\n|---|---|")
    peaks = {}
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        peaks[notebook.name] = peak_memory_mib(notebook)
        print(f"| {notebook.name} | {peaks[notebook.name]:.0f} |", flush=True)
    worst = max(peaks, key=peaks.get)
    print(f"largest: {worst}, {peaks[worst]:.0f} MiB")


if __name__ == "__main__":
    main()
