"""Every explorer of the offline web book is live: no kernel, no server, no network.

For every page with explorers, in Chromium with every request off this machine
blocked, each control of each explorer is moved with the keyboard (arrow keys
on the range inputs, which are `[role=slider]`, and on the selects). After each
move the page must show what Python computes for the new settings: the
summary, the text, the explanation of a setting that is not allowed, the
tables and the picture. The time from the input event until the new state is
drawn into the page is collected, and its median must stay under 50 ms (the
time to the next frame is printed too; benchmarks/explorer_latency.py measures
it on a quiet machine).
"""

from __future__ import annotations

import json
import statistics
from functools import lru_cache

import pytest

from cnnbook import widgets
from cnnbook.widgets.web import to_json

from .conftest import notebook_facts, toc_pages, wait_until_rendered

PAGES = [p for p in toc_pages() if notebook_facts(p)["explorers"]]
LATENCY_BUDGET_MS = 50.0


@lru_cache(maxsize=None)
def python_explorers() -> dict:
    """Explorer name -> the Python function behind it (for those that need no trained model passed in)."""
    factories = [widgets.output_size_explorer, widgets.pixel_explorer, widgets.conv_window_explorer,
                 widgets.pooling_explorer, widgets.loss_explorer, widgets.gradient_explorer,
                 widgets.gradient_flow_explorer, widgets.training_explorer, widgets.deeper_explorer,
                 widgets.transpose_explorer, widgets.detection_explorer]
    return {ex.name: ex._compute for ex in (make() for make in factories)}


def expected_state(name: str, settings: dict, config: dict) -> dict:
    compute = python_explorers().get(name)
    if compute is not None:
        return to_json(compute(**settings).state())
    # Explorers of trained models passed in by the chapter (the shift explorer):
    # the twin, which tests/test_web_*.py checks against Python on its whole grid.
    from web_twins import run_twins

    (answer,) = run_twins(name, [settings], config.get("data"))
    return answer["state"]


SHOWN = """root => {
  const part = (c) => root.querySelector('.cnnbook-output .cnnbook-' + c);
  const figure = part('figure');
  const pic = figure.querySelector('svg[role=img], canvas[role=img], img');
  return {
    settings: root.cnnbookSettings,
    summary: part('summary').textContent,
    text: part('text').textContent,
    error: part('error').style.display === 'none' ? null : part('error').textContent,
    tables: Array.from(part('grids').querySelectorAll('table')).map(t => t.querySelectorAll('td[style]').length),
    picture: pic ? (pic.getAttribute('aria-label') || pic.getAttribute('alt')) : null,
  };
}"""


def check_shown(shown: dict, state: dict, where: str) -> None:
    assert shown["summary"] == (state["summary"] or ""), f"{where}: summary"
    assert shown["text"] == (state["text"] or ""), f"{where}: text"
    if state["error"]:
        assert shown["error"] is not None and state["error"] in shown["error"], f"{where}: explanation"
    else:
        assert shown["error"] is None, f"{where}: an explanation is shown for an allowed setting"
    assert shown["tables"] == [len(g["values"]) * len(g["values"][0]) for g in state["grids"]], f"{where}: tables"
    want = state["picture"]["alt"] if state["picture"] else None
    assert shown["picture"] == want, f"{where}: picture"


def block_the_network(page) -> None:
    page.context.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(("http://127.0.0.1", "file:", "data:", "blob:"))
                       else route.abort())


def move(control, spec: dict, value) -> str | None:
    """Press the key that moves the control from ``value``; None if it has one possible value now.

    The range and the choices are read from the page: a dependent control's
    limits change with the other settings (e.g. the pixel explorer's channels).
    """
    if spec["type"] == "select":
        values = control.evaluate("el => Array.from(el.options).map(o => JSON.parse(o.value))")
        if len(values) < 2:
            return None
        key = "ArrowDown" if values.index(value) < len(values) - 1 else "ArrowUp"
    else:
        low, high = control.evaluate("el => [Number(el.min), Number(el.max)]")
        if low >= high:
            return None
        key = "ArrowRight" if value < high else "ArrowLeft"
    control.press(key)
    return key


@pytest.mark.parametrize("page_path", PAGES)
def test_every_control_updates_the_page_as_python_computes(page, site_url, page_path):
    block_the_network(page)
    page.goto(site_url + page_path, wait_until="load")
    facts = wait_until_rendered(page, page_path)
    roots = page.locator(".cnnbook-live")
    assert roots.count() == facts["explorers"] > 0
    latencies, frames = [], []
    for k in range(roots.count()):
        root = roots.nth(k)
        config = json.loads(root.locator("script.cnnbook-config").text_content())
        name = config["name"]
        check_shown(root.evaluate(SHOWN), config["state"], f"{page_path} {name} first state")
        moved = 0
        for spec in config["controls"]:
            control = root.locator(f".cnnbook-control-{spec['name']} input, .cnnbook-control-{spec['name']} select")
            assert control.count() == 1, f"{name}: no control {spec['name']}"
            if control.get_attribute("type") == "range":
                assert control.evaluate("el => el.matches('[type=range]')")  # role slider, keyboard, touch
            before = root.evaluate("r => Object.assign({}, r.cnnbookSettings)")
            updates = int(root.get_attribute("data-cnnbook-updates") or 0)
            control.focus()
            key = move(control, spec, before[spec["name"]])
            if key is None:
                continue
            moved += 1
            page.wait_for_function("([r, n]) => Number(r.dataset.cnnbookUpdates || 0) > n",
                                   arg=[root.element_handle(), updates], timeout=10_000)
            page.wait_for_function("r => r.dataset.cnnbookPaintMs !== undefined", arg=root.element_handle())
            # The budget is on the page's own work (input event -> state computed and drawn into the
            # DOM); the wait for the next frame also counts whatever else the machine is doing
            # (another test worker, MathJax), so it is reported, not asserted.
            latencies.append(float(root.get_attribute("data-cnnbook-last-ms")))
            frames.append(float(root.get_attribute("data-cnnbook-paint-ms")))
            # A photo loads on demand: the page says so, then draws it when it arrives.
            page.wait_for_function(
                "r => !r.querySelector('.cnnbook-output .cnnbook-summary').textContent.startsWith('Loading')",
                arg=root.element_handle(), timeout=30_000)
            shown = root.evaluate(SHOWN)
            assert shown["settings"][spec["name"]] != before[spec["name"]], \
                f"{page_path} {name}: {key} did not change {spec['name']}"
            where = f"{page_path} {name} {shown['settings']}"
            check_shown(shown, expected_state(name, shown["settings"], config), where)
            root.evaluate("r => { delete r.dataset.cnnbookPaintMs; }")
        assert moved >= len(config["controls"]) - 2, f"{page_path} {name}: only {moved} controls could move"
    assert latencies
    median = statistics.median(latencies)
    print(f"{page_path}: {len(latencies)} moves, update median {median:.1f} ms (max {max(latencies):.1f}), "
          f"to the next frame median {statistics.median(frames):.1f} ms")
    assert median < LATENCY_BUDGET_MS, f"{page_path}: median latency {median:.1f} ms"
    assert not page.log.problems(), "\n".join(page.log.problems())


def test_output_size_explains_a_kernel_that_does_not_fit(page, site_url):
    block_the_network(page)
    page.goto(site_url + "book/04_output_size.html", wait_until="load")
    wait_until_rendered(page, "book/04_output_size.html")
    root = page.locator(".cnnbook-output-size.cnnbook-live").first
    height = root.locator(".cnnbook-control-height input")
    height.focus()
    for _ in range(6):  # 7 -> 1: a 3x3 kernel no longer fits
        height.press("ArrowLeft")
    shown = root.evaluate(SHOWN)
    assert shown["settings"]["height"] == 1
    assert shown["summary"] == "Output shape: none"
    assert "does not fit" in shown["error"] and "height" in shown["error"]
    check_shown(shown, expected_state("output-size", shown["settings"], {}), "7x1 input")
    assert root.locator(".cnnbook-summary.cnnbook-shape[aria-live=polite]").count() == 1


def test_explorers_work_opened_from_disk(page, site):
    """The explorers page opened as a file (no server at all): every explorer mounts and responds."""
    block_the_network(page)
    page.goto((site / "book" / "explorers.html").as_uri(), wait_until="load")
    page.wait_for_function("() => Array.from(document.querySelectorAll('.cnnbook-live'))"
                           ".every(r => r.dataset.cnnbookReady === '1')", timeout=60_000)
    roots = page.locator(".cnnbook-live")
    assert roots.count() >= 10
    for k in range(roots.count()):
        root = roots.nth(k)
        movable = [c for c in root.locator("input[type=range]").all()
                   if c.evaluate("el => Number(el.min) < Number(el.max)")]
        assert movable, f"explorer {k} has no slider that can move"
        control = movable[0]
        updates = int(root.get_attribute("data-cnnbook-updates") or 0)
        control.focus()
        value = float(control.input_value())
        control.press("ArrowRight" if value < float(control.get_attribute("max")) else "ArrowLeft")
        page.wait_for_function("([r, n]) => Number(r.dataset.cnnbookUpdates || 0) > n",
                               arg=[root.element_handle(), updates], timeout=10_000)
        assert root.locator(".cnnbook-summary").text_content()
    # file:// is this machine (the page log only expects http://127.0.0.1); anything else was blocked above.
    errors = [m for m in page.log.problems() if not m.startswith("request off this machine: file://")]
    assert not errors, "\n".join(errors)
