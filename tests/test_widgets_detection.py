"""The detection explorer (chapter 11): the pure function against cnnbook.fcn, and its wiring."""

import re
from html import unescape

import numpy as np
import pytest

from cnnbook.fcn import detect, digit_detector
from cnnbook.widgets import CLASSES, PAGES, detection_explorer, detection_view
from cnnbook.widgets.detection import make_page


def test_pages_put_every_digit_on_the_stride_grid_inside_the_page():
    for name, (H, W, placed) in PAGES.items():
        page, truth = make_page(name)
        assert page.shape == (1, H, W)
        for (r, c), digit in placed:
            assert r % 2 == 0 and c % 2 == 0 and r + 8 <= H and c + 8 <= W, name
        assert [d for _, _, d in truth] == [d for _, d in placed]


@pytest.mark.parametrize("page", list(PAGES))
def test_default_settings_find_every_digit_once(page):
    view = detection_view(page)
    assert (view.correct, view.wrong, view.missed) == (4, 0, 0)
    assert sorted((d.row, d.col, d.label) for d in view.found) == sorted(view.truth)
    assert view.summary == "Detections: 4 (4 correct, 0 wrong, 0 missed)"
    assert "Every digit found once" in view.text


def test_view_is_detect_on_the_page():
    trained = digit_detector()
    view = detection_view("two rows", threshold=3, radius=1)
    found, log_odds = detect(trained.detector, view.page, background=10, window=8, stride=2,
                             radius=1, threshold=3)
    assert view.found == found
    np.testing.assert_array_equal(view.log_odds, log_odds)


def test_no_suppression_keeps_neighbours_and_a_wide_radius_drops_a_digit():
    loose = detection_view("spread out", threshold=0, radius=0)
    assert loose.wrong > 0 and loose.missed == 0 and "nothing suppresses" in loose.text
    wide = detection_view("side by side", threshold=0, radius=4)   # digits 8 pixels (4 cells) apart
    assert wide.missed > 0 and "neighbour of a stronger window" in wide.text
    strict = detection_view("spread out", threshold=15)
    assert strict.found == [] and strict.missed == 4 and strict.summary.startswith("Detections: 0")


def test_bad_settings_are_explained():
    assert detection_view("nowhere").error.startswith("page must be one of 'spread out'")
    view = detection_view("spread out", radius=-1)
    assert view.error == "radius must be a non-negative int, got radius=-1"
    assert view.page is None and view.grids() == [] and view.picture_html() == ""


def test_explorer_redraws_from_its_controls():
    ex = detection_explorer()
    assert CLASSES["root"] in ex._dom_classes and "cnnbook-detection" in ex._dom_classes
    assert "cnnbook-detections" in ex.summary._dom_classes
    for name, control in ex.controls.items():
        assert control.description and f"cnnbook-control-{name}" in control._dom_classes
    assert ex.summary.value == "Detections: 4 (4 correct, 0 wrong, 0 missed)"
    alts = [unescape(a) for a in re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"',
                                            ex.figure.value)]
    assert alts == [ex.result.alt] and "4 boxes" in alts[0]
    assert ex.grids.value.count('class="cnnbook-hl"') == 4       # the kept cells of the log-odds map
    ex.controls["radius"].value = 0
    assert ex.result.wrong > 0 and ex.grids.value.count('class="cnnbook-hl"') == len(ex.result.found)
    ex.set(page="side by side", radius=4)
    assert ex.result.missed == 2 and ex.summary.value.endswith("2 missed)")
    assert ex.last_redraw_ms < 250
