"""The live explorers in Voila, driven from the keyboard like a reader would.

Voila serves book/explorers.ipynb with a real kernel: Python computes each
state and core.js draws it inside an anywidget (the same drawing as the web book's). We move sliders with the
arrow keys on their `[role=slider]` handles (the value is `aria-valuenow`),
wait for the explorer's text to change (no fixed sleeps), and compare what the
page shows with the package's own functions computed here.
"""

from __future__ import annotations

import re

import pytest

import cnnbook
from cnnbook.widgets import detection_view, gradient_view, output_size_report

pytestmark = pytest.mark.slow

TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def explorers(browser, voila_url):
    """One Voila page for the whole module (a kernel per page load is slow)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)[:300]))
    page.goto(voila_url, wait_until="load", timeout=TIMEOUT_MS)
    # Voila renders cell by cell; the last explorer appears when all ran.
    try:
        page.locator(".cnnbook-gradient-flow").first.wait_for(timeout=TIMEOUT_MS * 3)
    except Exception:
        shown = page.locator("body").inner_text()[-3000:]
        pytest.fail(f"the explorers did not all appear in Voila; the page ends with:\n{shown}\n{errors}")
    page.errors = errors
    yield page
    context.close()


def text_of(page, selector: str) -> str:
    return page.locator(selector).first.inner_text().strip()


def slider_value(handle) -> int:
    return round(float(handle.get_attribute("aria-valuenow")))


def set_slider(page, root: str, name: str, value: int) -> None:
    """Move slider `name` of explorer `root` to `value` with the arrow keys."""
    handle = page.locator(f"{root} .cnnbook-control-{name} [role=slider]").first
    handle.wait_for(timeout=TIMEOUT_MS)
    current = slider_value(handle)
    handle.focus()
    key = "ArrowRight" if value > current else "ArrowLeft"
    for _ in range(abs(value - current)):
        handle.press(key)
    page.wait_for_function(
        "([el, v]) => Math.round(parseFloat(el.getAttribute('aria-valuenow'))) === v",
        arg=[handle.element_handle(), value],
        timeout=TIMEOUT_MS,
    )


def wait_for_text(page, selector: str, expected: str) -> None:
    page.wait_for_function(
        "([sel, want]) => { const el = document.querySelector(sel);"
        " return el !== null && el.innerText.trim() === want; }",
        arg=[selector, expected],
        timeout=TIMEOUT_MS,
    )


def shape_text(shape) -> str:
    return "Output shape: none" if shape is None else f"Output shape: {shape[0]} × {shape[1]}"


OUTPUT_SIZE = ".cnnbook-output-size"
SHAPE = f"{OUTPUT_SIZE} .cnnbook-shape"

# (height, width, kernel_size, stride, padding, dilation), applied in order.
OUTPUT_SIZE_STEPS = [
    (7, 7, 3, 3, 1, 1),
    (7, 7, 3, 1, 1, 1),
    (7, 7, 3, 2, 0, 1),
    (9, 12, 3, 2, 0, 2),
    (9, 12, 5, 3, 2, 1),
]


def test_output_size_initial_state(explorers):
    expected = cnnbook.conv_output_size((7, 7), 3, stride=3, padding=0, dilation=1)
    wait_for_text(explorers, SHAPE, shape_text(expected))
    assert "2.33" in text_of(explorers, f"{OUTPUT_SIZE} .cnnbook-text")


@pytest.mark.parametrize("step", range(len(OUTPUT_SIZE_STEPS)))
def test_output_size_sliders_match_conv_output_size(explorers, step):
    # Apply the steps up to this one, so the test also passes on its own.
    for height, width, kernel, stride, padding, dilation in OUTPUT_SIZE_STEPS[: step + 1]:
        for name, value in [("height", height), ("width", width), ("kernel_size", kernel),
                            ("stride", stride), ("padding", padding), ("dilation", dilation)]:
            set_slider(explorers, OUTPUT_SIZE, name, value)
    expected = cnnbook.conv_output_size((height, width), kernel, stride=stride, padding=padding,
                                        dilation=dilation)
    wait_for_text(explorers, SHAPE, shape_text(expected))
    error = explorers.locator(f"{OUTPUT_SIZE} .cnnbook-error").first
    assert not error.is_visible(), "a valid setting must not show an error"
    figure = explorers.locator(f"{OUTPUT_SIZE} .cnnbook-figure svg[role=img]").first
    expected_alt = output_size_report(height, width, kernel, stride, padding, dilation).alt
    # Some steps give the same shape as the step before (the floor), so the shape text can
    # match while the kernel is still answering the last slider: wait for the picture itself.
    from playwright.sync_api import expect

    try:
        expect(figure).to_have_attribute("aria-label", expected_alt, timeout=30_000)
    except AssertionError:
        assert figure.get_attribute("aria-label") == expected_alt, "the picture is not the one Python describes"


def test_output_size_invalid_setting_is_explained(explorers):
    settings = dict(height=3, width=7, kernel_size=5, stride=1, padding=0, dilation=1)
    with pytest.raises(ValueError):
        cnnbook.conv_output_size((3, 7), 5, stride=1, padding=0, dilation=1)
    for name in ("padding", "dilation", "stride", "width", "kernel_size", "height"):
        set_slider(explorers, OUTPUT_SIZE, name, settings[name])
    wait_for_text(explorers, SHAPE, "Output shape: none")
    error = explorers.locator(f"{OUTPUT_SIZE} .cnnbook-error [role=alert]").first
    error.wait_for(state="visible", timeout=TIMEOUT_MS)
    message = error.inner_text()
    assert "does not fit" in message and "height" in message, message
    # Back to a valid kernel: the explanation goes away again.
    set_slider(explorers, OUTPUT_SIZE, "kernel_size", 3)
    wait_for_text(explorers, SHAPE, shape_text(cnnbook.conv_output_size((3, 7), 3)))
    assert not explorers.locator(f"{OUTPUT_SIZE} .cnnbook-error").first.is_visible()


GRADIENT = ".cnnbook-gradient"


def gradient_tables(page) -> str:
    return page.locator(f"{GRADIENT} .cnnbook-grids").first.inner_text()


def test_gradient_explorer_updates_with_the_input_pixel(explorers):
    summary = f"{GRADIENT} .cnnbook-summary"
    wait_for_text(explorers, summary, gradient_view(height=3, width=3, kernel_size=2).summary)
    before = gradient_tables(explorers)
    for in_row, in_col in [(0, 0), (2, 1)]:
        set_slider(explorers, GRADIENT, "in_row", in_row)
        set_slider(explorers, GRADIENT, "in_col", in_col)
        expected = gradient_view(height=3, width=3, kernel_size=2, in_row=in_row, in_col=in_col)
        wait_for_text(explorers, summary, expected.summary)
    after = gradient_tables(explorers)
    assert after != before, "the gradient tables did not change with the input pixel"


def test_gradient_explorer_kernel_change_updates_dw(explorers):
    summary = f"{GRADIENT} .cnnbook-summary"
    set_slider(explorers, GRADIENT, "in_row", 1)
    set_slider(explorers, GRADIENT, "in_col", 1)
    before = gradient_tables(explorers)
    set_slider(explorers, GRADIENT, "kernel_size", 3)
    expected = gradient_view(height=3, width=3, kernel_size=3, in_row=1, in_col=1)
    wait_for_text(explorers, summary, expected.summary)
    explorers.wait_for_function(
        "([sel, old]) => document.querySelector(sel).innerText !== old",
        arg=[f"{GRADIENT} .cnnbook-grids", before],
        timeout=TIMEOUT_MS,
    )
    # dW of a one-hot dout is the input window under that output: with a 3x3
    # kernel on the 3x3 input, it is the whole input.
    numbers = [int(n) for n in re.findall(r"-?\d+", gradient_tables(explorers))]
    assert set(expected.dw.astype(int).ravel()) <= set(numbers)


DETECTION = ".cnnbook-detection"


def test_detection_explorer_follows_the_suppression_radius(explorers):
    summary = f"{DETECTION} .cnnbook-detections"
    wait_for_text(explorers, summary, detection_view().summary)
    for radius in (0, 2):
        set_slider(explorers, DETECTION, "radius", radius)
        wait_for_text(explorers, summary, detection_view(radius=radius).summary)
    set_slider(explorers, DETECTION, "threshold", 8)   # the 3 and the 7 score below 8
    expected = detection_view(threshold=8)
    assert expected.missed == 2
    wait_for_text(explorers, summary, expected.summary)
    picture = explorers.locator(f"{DETECTION} .cnnbook-figure").locator("svg[role=img], canvas[role=img], img").first
    assert (picture.get_attribute("aria-label") or picture.get_attribute("alt")) == expected.alt
    assert explorers.locator(f"{DETECTION} .cnnbook-grids .cnnbook-hl").count() == len(expected.found)


def test_no_javascript_errors(explorers):
    assert not explorers.errors, "\n".join(explorers.errors)
