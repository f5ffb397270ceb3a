"""The pixel explorer in the web book computes what Python computes, from the same pixels."""

import base64
import json

import numpy as np
import pytest

from cnnbook import data
from cnnbook.widgets import CHANNELS, IMAGES, pixel_explorer, pixel_view
from cnnbook.widgets import web
from cnnbook.widgets.pixels import pixel_limits
from web_twins import assert_twin_agrees, run_twins

PHOTOS = [f"pixels-{name}" for name in IMAGES[1:]]


@pytest.fixture(scope="module")
def site_data(tmp_path_factory):
    """The photos' on-demand data files, as the book build writes them."""
    return web.write_site_data(tmp_path_factory.mktemp("explorer-data"), names=PHOTOS)


@pytest.fixture(scope="module")
def page_data():
    return pixel_explorer().data


def _clamped(s):
    """A setting as the page's controls give it: the limits applied (channel, size, row, col)."""
    lim = pixel_limits(**s)
    s = dict(s, channel=s["channel"] if s["channel"] in lim["channel"]["options"] else "gray")
    s["size"] = min(s["size"], lim["size"]["max"])
    lim = pixel_limits(**s)
    return dict(s, row=min(s["row"], lim["row"]["max"]), col=min(s["col"], lim["col"]["max"]))


def test_random_settings_over_the_whole_control_ranges(site_data, page_data):
    ex = pixel_explorer()
    rng = np.random.default_rng(1)
    raw = [dict(image=str(rng.choice(IMAGES)), channel=str(rng.choice(CHANNELS)),
                row=int(rng.integers(0, 513)), col=int(rng.integers(0, 513)),
                size=int(rng.integers(ex.controls["size"].min, ex.controls["size"].max + 1))) for _ in range(2_000)]
    settings = raw[:1_000] + [_clamped(s) for s in raw[1_000:]]
    errors = sum(pixel_view(**s).error is not None for s in settings)
    assert 300 < errors < 1_300  # many windows that do not fit, grey images have no R, G, B
    assert_twin_agrees("pixels", pixel_view, settings, data=page_data, limits=pixel_limits, scripts=site_data)


def test_edges_and_settings_the_controls_cannot_reach(site_data, page_data):
    settings = []
    for name in IMAGES:
        H, W = page_data["shapes"][name][:2]
        for channel in CHANNELS:
            settings += [dict(image=name, channel=channel, row=H - 18, col=W - 18, size=18),
                         dict(image=name, channel=channel, row=H - 17, col=0, size=18),
                         dict(image=name, channel=channel, row=0, col=W - 1, size=2),
                         dict(image=name, channel=channel, row=H - 1, col=W - 1, size=1),
                         dict(image=name, channel=channel, row=0, col=0, size=0),
                         dict(image=name, channel=channel, row=-1, col=0, size=4),
                         dict(image=name, channel=channel, row=0, col=-3, size=4),
                         dict(image=name, channel=channel, row=0, col=0, size=min(H, W) + 1)]
    settings += [dict(image="mars", channel="gray", row=0, col=0, size=4),
                 dict(image="it's", channel="gray", row=0, col=0, size=4),
                 dict(image="astronaut", channel="X", row=0, col=0, size=4),
                 dict(image="camera", channel="red", row=0, col=0, size=4),
                 dict(image="astronaut", channel="gray", row=0, col=0, size=512)]
    assert_twin_agrees("pixels", pixel_view, settings, data=page_data, limits=pixel_limits, scripts=site_data)


def test_the_eight_needs_nothing_loaded_and_a_photo_waits_for_its_data(page_data):
    settings = [dict(image="eight", channel="gray", row=r, col=c, size=s)
                for s in (2, 3, 9, 18) for r in range(0, 19 - s, 4) for c in range(0, 19 - s, 5)]
    assert_twin_agrees("pixels", pixel_view, settings, data=page_data, limits=pixel_limits)  # no scripts
    (loading,) = run_twins("pixels", [dict(image="camera", channel="gray", row=0, col=0, size=4)], page_data)
    assert loading["state"]["summary"] == "Loading the camera photo …" and loading["state"]["grids"] == []
    # A setting that does not fit says so at once: the message needs only the image's shape.
    (wrong,) = run_twins("pixels", [dict(image="coins", channel="R", row=0, col=0, size=4)], page_data)
    assert wrong["state"] == json.loads(json.dumps(pixel_view("coins", "R", 0, 0, 4).state()))


def test_the_page_gets_pythons_pixels(site_data):
    # The files hold every plane exactly, the grey plane of a colour photo being Python's luminance.
    text = next(p for p in site_data if p.name == "pixels-astronaut.js").read_text()
    entry = json.loads(text[text.index(",") + 1:text.rindex(")")])
    planes = {c: np.frombuffer(base64.b64decode(v), np.uint8).reshape(entry["H"], entry["W"])
              for c, v in entry["planes"].items()}
    rgb = data.photo("astronaut")
    for i, c in enumerate("RGB"):
        np.testing.assert_array_equal(planes[c], rgb[..., i])
    np.testing.assert_array_equal(planes["gray"], data.photo("astronaut", gray=True))


def test_sizes_of_the_inline_and_the_loaded_data(site_data, page_data):
    assert len(json.dumps(page_data)) < 2_000  # the "8" and the shapes only
    sizes = {p.name: p.stat().st_size for p in site_data}
    assert sorted(sizes) == sorted(f"{name}.js" for name in PHOTOS)
    assert sizes["pixels-camera.js"] == pytest.approx(512 * 512 * 4 / 3, rel=0.01)
