"""How fast the live explorers of the web book respond, measured in Chromium.

Usage: .venv/bin/python benchmarks/explorer_latency.py SITE [--moves N]

SITE is a built web book (e.g. the offline build of the browser tests,
_build/browser-tests/_build/html). The page is opened from disk (file://) with
the network blocked; every control of every explorer is moved N times with the
arrow keys, and the time from the input event to the next drawn frame is read
from the page (core.js records it). Prints, per explorer: moves, median, 90th
percentile and maximum in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def measure(site: Path, moves: int) -> dict:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                           else r.abort())
        page.goto((site / "book" / "explorers.html").as_uri(), wait_until="load")
        page.wait_for_function("() => Array.from(document.querySelectorAll('.cnnbook-live'))"
                               ".every(r => r.dataset.cnnbookReady === '1')", timeout=60_000)
        roots = page.locator(".cnnbook-live")
        for k in range(roots.count()):
            root = roots.nth(k)
            name = root.get_attribute("data-cnnbook-explorer")
            for control in root.locator(".cnnbook-controls input[type=range]").all():
                control.focus()
                for m in range(moves):
                    low, high, value = control.evaluate("el => [Number(el.min), Number(el.max), Number(el.value)]")
                    if low >= high:
                        break
                    root.evaluate("r => { delete r.dataset.cnnbookPaintMs; }")
                    control.press("ArrowRight" if value < high else "ArrowLeft")
                    page.wait_for_function("r => r.dataset.cnnbookPaintMs !== undefined", arg=root.element_handle())
                    times.setdefault(name, []).append(float(root.get_attribute("data-cnnbook-paint-ms")))
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--moves", type=int, default=5)
    args = parser.parse_args()
    times = measure(args.site.resolve(), args.moves)
    print(f"{'explorer':15s} {'moves':>5s} {'median':>8s} {'p90':>8s} {'max':>8s}  (ms, key press to next frame)")
    for name, values in sorted(times.items()):
        values = sorted(values)
        p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
        print(f"{name:15s} {len(values):5d} {statistics.median(values):8.1f} {p90:8.1f} {max(values):8.1f}")


if __name__ == "__main__":
    main()
