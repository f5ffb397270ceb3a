"""The detection explorer (chapter 12): the pure function against cnnbook.fcn, and its wiring."""

import json

import numpy as np
import pytest

from cnnbook.fcn import detect, digit_detector
from cnnbook.widgets import CLASSES, PAGES, detection_explorer, detection_view
from cnnbook.widgets.detection import detection_data, make_page
from cnnbook.widgets.web import static_html


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
    assert view.page is None
    state = view.state()
    assert (state["error"], state["text"], state["grids"], state["picture"]) == (view.error, view.error, [], None)


def test_state_shows_the_map_and_the_kept_windows():
    view = detection_view("spread out", threshold=0, radius=0)
    state = view.state()
    (table,) = state["grids"]
    np.testing.assert_array_equal(table["values"], view.log_odds)
    kept = np.argwhere(np.array(table["highlight"]))
    assert sorted(map(tuple, kept)) == sorted((d.row // 2, d.col // 2) for d in view.found)
    limit = max(1.0, np.abs(view.log_odds).max())
    assert (table["vmin"], table["vmax"], table["cmap"]) == (-limit, limit, "PuOr")
    picture = state["picture"]
    assert picture["kind"] == "detection" and picture["page"] == "spread out" and picture["alt"] == view.alt
    assert [b[:3] for b in picture["boxes"]] == [[d.row, d.col, d.label] for d in view.found]
    assert sum(b[3] for b in picture["boxes"]) == view.correct == 4      # the true boxes are flagged
    assert sum(not b[3] for b in picture["boxes"]) == view.wrong > 0
    assert picture["caption"].startswith(f"kept windows: {view.found[0].label} at ({view.found[0].row}, ")


def test_data_is_what_the_detector_computes():
    data = detection_data()
    trained = digit_detector()
    for name in PAGES:
        page, truth = make_page(name)
        entry = data["pages"][name]
        np.testing.assert_array_equal(entry["image"], page[0])
        assert entry["truth"] == [list(t) for t in truth]
        found, log_odds = detect(trained.detector, page, background=10, window=8, stride=2, radius=1,
                                 threshold=-5)
        np.testing.assert_array_equal(entry["log_odds"], log_odds)
        for d in found:
            assert entry["labels"][d.row // 2][d.col // 2] == d.label
        # the labels are the best non-background class of each window
        scores = trained.detector.forward(page[None])[0]                     # (11, H_s, W_s)
        np.testing.assert_array_equal(entry["labels"], scores[:10].argmax(axis=0))


def test_explorer_redraws_from_its_controls():
    ex = detection_explorer()
    assert CLASSES["root"] in ex._dom_classes and "cnnbook-detection" in ex._dom_classes
    assert ex.view.summary_class == "cnnbook-detections"
    for name, control in ex.controls.items():
        assert control.description and f"cnnbook-control-{name}" in control._dom_classes
    assert ex.state["summary"] == "Detections: 4 (4 correct, 0 wrong, 0 missed)"
    assert ex.view.state == ex.state and ex.view.data == ex.data
    assert ex.state["picture"]["alt"] == ex.result.alt and "4 boxes" in ex.result.alt
    assert np.sum(ex.state["grids"][0]["highlight"]) == 4       # the kept cells of the log-odds map
    ex.controls["radius"].value = 0
    assert ex.result.wrong > 0 and np.sum(ex.state["grids"][0]["highlight"]) == len(ex.result.found)
    ex.set(page="side by side", radius=4)
    assert ex.result.missed == 2 and ex.state["summary"].endswith("2 missed)")
    assert ex.state["picture"]["page"] == "side by side"
    assert ex.last_redraw_ms < 250


def test_static_html_carries_the_data_for_the_page():
    ex = detection_explorer()
    html = static_html(ex)
    config = json.loads(html.split('class="cnnbook-config">')[1].split("</script>")[0])
    assert config["name"] == "detection" and config["state"] == ex.state
    assert list(config["data"]["pages"]) == list(PAGES)
