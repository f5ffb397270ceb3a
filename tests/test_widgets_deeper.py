"""Tests for the depth explorer (chapter 11): its shipped measurements, pure function and wiring."""

import math

import numpy as np
import pytest

from cnnbook import data, deep, nn
from cnnbook.widgets.deeper import (
    BATCH,
    DEPTHS,
    INIT_SEED,
    INITS,
    MODEL_SEED,
    deeper_data,
    deeper_explorer,
    deeper_view,
    measure_scales,
)

# Every depth, every scale and both switches appear at least once (the whole grid takes seconds).
SAMPLE = [(4, "small", False, False), (8, "he", True, False), (12, "large", False, True),
          (16, "he", True, True), (20, "small", True, True), (20, "large", False, False)]


def direct(depth, init, batch_norm, residual):
    """The measurement written out from cnnbook.deep, without the widget module's helpers."""
    x_rest, _, y_rest, _ = data.train_test_split_digits(rng=np.random.default_rng(0))   # chapter 10's splits
    x_train, _, y_train, _ = data.train_test_split(x_rest, y_rest, 0.2, rng=np.random.default_rng(1))
    x = (x_train - x_train.mean()) / x_train.std()
    x, y = x[:BATCH], y_train[:BATCH]
    model = deep.plain_stack(depth, batch_norm=batch_norm, residual=residual, rng=np.random.default_rng(MODEL_SEED))
    kwargs = {"small": dict(std=0.01), "he": dict(gain=math.sqrt(2)), "large": dict(gain=2 * math.sqrt(2))}[init]
    nn.init_normal(model, **kwargs, rng=np.random.default_rng(INIT_SEED))
    return deep.layer_scales(model, x, y)


@pytest.mark.parametrize("setting", SAMPLE, ids=lambda s: "/".join(map(str, s)))
def test_view_values_are_fresh_layer_scales(setting):
    view = deeper_view(*setting)
    scales = direct(*setting)
    assert view.error is None and len(view.activation_std) == setting[0] + 1 == len(scales.names)
    # three significant digits: within half a unit of the third digit
    np.testing.assert_allclose(view.activation_std, scales.activation_std, rtol=5e-3)
    np.testing.assert_allclose(view.gradient_std, scales.gradient_std, rtol=5e-3)
    assert view.names == scales.names


def test_measure_scales_is_the_direct_measurement():
    a, b = measure_scales(8, "he", False, True), direct(8, "he", False, True)
    np.testing.assert_array_equal(a.activation_std, b.activation_std)
    np.testing.assert_array_equal(a.gradient_std, b.gradient_std)


def test_data_covers_the_grid_and_derives_its_factors():
    d = deeper_data()
    assert len(d["runs"]) == len(DEPTHS) * len(INITS) * 4 and list(d["inits"]) == list(INITS)
    for key, run in d["runs"].items():
        a, g = run["activation"], run["gradient"]
        depth = int(key.split("/")[0])
        assert len(a) == len(g) == depth + 1
        assert all(float(f"{v:.3g}") == v for v in a + g), key
        expect = (a[-1] / a[0]) ** (1 / depth)
        assert run["factors"][0] == pytest.approx(expect, rel=5e-3)
        lo, hi = run["decades"]
        assert 10.0 ** lo <= min(a + g) and max(a + g) <= 10.0 ** hi and lo <= -2 and hi >= 2


def test_the_measurements_say_what_the_chapter_says():
    # chapter 11 measures the same stacks on the same batch (figure fig-ch11-scales)
    runs = deeper_data()["runs"]
    small, he, large = (runs[f"20/{i}/0/0"]["activation"] for i in ("small", "he", "large"))
    assert small[-1] < 1e-20 < 1e3 < large[-1]                     # vanishes, explodes
    assert 1e-3 < he[-1] < 1                                        # He: kept within a few decades
    assert 0.4 < runs["20/small/1/0"]["activation"][-1] < 1         # batch norm: about std(ReLU(N(0,1))) = 0.58


def test_view_text_and_state():
    view = deeper_view(8, "small", False, False)
    a, g = view.activation_std, view.gradient_std
    assert view.summary == (f"9 convolutions, naive small (std 0.01): activation std {a[0]:.3g} → {a[-1]:.3g}, "
                            f"weight-gradient std {g[-1]:.3g} → {g[0]:.3g}")
    assert "Almost no signal reaches the classifier" in view.text and view.activation_factor < 0.9
    state = view.state()
    assert state["picture"]["kind"] == "deeper" and state["picture"]["activation"] == a
    assert state["picture"]["decades"] == view.decades and state["error"] is None
    assert "batch norm" in deeper_view(8, "he", True, False).summary
    assert "through the identity" in deeper_view(8, "he", False, True).text


@pytest.mark.parametrize("kwargs, word", [
    (dict(depth=6), "depth must be one of 4, 8"), (dict(depth=True), "depth must be"),
    (dict(init="xavier"), "init must be one of 'small', 'he', 'large'"),
    (dict(batch_norm="on"), "batch_norm must be True or False"), (dict(residual=0), "residual must be"),
])
def test_view_explains_bad_settings(kwargs, word):
    view = deeper_view(**kwargs)
    assert view.error is not None and word in view.error
    assert view.state() == {"summary": "No measurement", "error": view.error, "text": view.error, "grids": [],
                            "picture": None}


def test_explorer_updates_with_the_controls():
    ex = deeper_explorer()
    assert (ex.result.depth, ex.result.init) == (12, "he")
    assert ex.controls["depth"].step == 4 and ex.controls["depth"].max == 20
    ex.set(depth=20, init="large", batch_norm=True)
    assert ex.result.summary.startswith("21 convolutions, too large (2 × He), batch norm")
    assert ex.view.state == ex.state and ex.data["runs"] == deeper_data()["runs"]
