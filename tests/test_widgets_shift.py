"""Tests for the shift explorer (chapter 2): pure function and Python-side wiring."""

import numpy as np
import pytest

from cnnbook import data, nn, softmax
from cnnbook.widgets.shift import PERCENT_CODES, percent, shift_data, shift_explorer, shift_view


@pytest.fixture
def setup():
    rng = np.random.default_rng(0)
    x = np.zeros((3, 1, 6, 6))
    x[:, 0, 2:4, 2:4] = rng.random((3, 2, 2)) + 0.1
    net = nn.Sequential(nn.Flatten(), nn.Linear(36, 10, rng=rng))
    return {"net": net}, x, np.array([4, 7, 1])


def test_shift_view_runs_each_model_on_the_moved_image(setup):
    models, x, y = setup
    view = shift_view(models, x, y, index=1, dy=-1, dx=2)
    assert view.error is None and view.label == 7
    moved = data.shift(x[1:2], -1, 2)
    np.testing.assert_array_equal(view.image, moved[0, 0])
    expected = softmax(models["net"].forward(moved), axis=1)[0]
    np.testing.assert_allclose(view.probabilities["net"], expected)
    pred = int(np.argmax(expected))
    assert view.predictions["net"] == pred
    # the dashed frame follows the ink
    assert view.frame == (2 - 1, 2 + 2, 2, 2)
    assert "moved -1 down and 2 right" in view.summary
    assert view.text.startswith(f"net: predicts {pred} ({expected.max():.0%}), ")


def test_state_draws_the_moved_digit_and_the_percents(setup):
    models, x, y = setup
    view = shift_view(models, x, y, index=1, dy=-1, dx=2)
    state = view.state()
    assert (state["summary"], state["text"], state["error"]) == (view.summary, view.text, None)
    pic = state["picture"]
    assert pic["kind"] == "shift" and pic["alt"] == view.alt and pic["title"] == "class 7, moved (-1, 2)"
    assert pic["frame"] == [1, 4, 2, 2] and pic["label"] == 7
    scale = max(1.0, x.max())
    np.testing.assert_array_equal(pic["image"], np.round(100 * view.image / scale))
    assert np.array(pic["image"])[1:3, 4:6].min() > 0 and np.array(pic["image"])[:, :4].max() == 0
    (model,) = pic["models"]
    assert model["name"] == "net" and model["prediction"] == view.predictions["net"]
    assert model["percents"] == [int(f"{p:.0%}"[:-1]) for p in view.probabilities["net"]]


def test_percent_is_what_the_text_prints():
    for p in (0.0, 0.004, 0.005, 0.015, 0.125, 0.5, 0.96499, 0.965, 0.99999, 1.0):
        assert f"{percent(p)}%" == f"{p:.0%}"
    assert len(set(PERCENT_CODES)) == 101 and '"' not in PERCENT_CODES and "\\" not in PERCENT_CODES


def test_shift_view_reports_ink_pushed_out(setup):
    models, x, y = setup
    view = shift_view(models, x, y, index=0, dy=0, dx=3)  # columns 2-3 move to 5-6: half falls off
    lost = x[0, 0, :, 3].sum() / x[0].sum()
    assert view.text.endswith(f"\n(The move pushed part of the ink, {lost:.0%}, out of the frame.)")


@pytest.mark.parametrize("kwargs, word", [
    (dict(index=3), "index"), (dict(index=-1), "index"),
    (dict(dy=6), "out of the frame"), (dict(dx=1.5), "whole numbers"),
])
def test_shift_view_explains_bad_settings(setup, kwargs, word):
    models, x, y = setup
    view = shift_view(models, x, y, **kwargs)
    assert view.error is not None and word in view.error
    assert view.image is None
    assert view.state() == {"summary": "No prediction", "error": view.error, "text": "", "grids": [],
                            "picture": None}


def test_shift_data_holds_every_answer(setup):
    models, x, y = setup
    d = shift_data(models, x, y, max_shift=2)
    assert (d["models"], d["labels"], d["shape"], d["max_shift"], d["classes"]) == (["net"], [4, 7, 1], [6, 6], 2, 10)
    assert len(d["outputs"]) == len(d["images"]) == len(d["lost"]) == 3
    code = {c: i for i, c in enumerate(d["codes"])}
    for i, dy, dx in [(0, 0, 0), (1, -1, 2), (2, 2, -2)]:
        view = shift_view(models, x, y, index=i, dy=dy, dx=dx)
        move = (dy + 2) * 5 + (dx + 2)
        answer = [code[c] for c in d["outputs"][i][move * 11:(move + 1) * 11]]
        assert answer == [view.predictions["net"]] + view.state()["picture"]["models"][0]["percents"]
    assert [code[c] for c in d["images"][1]] == np.round(100 * x[1, 0] / max(1.0, x.max())).ravel().tolist()
    assert d["frames"][0] == [2, 2, 2, 2]
    assert all(lost is None for row in d["lost"] for lost in row)       # the ink (2..3) stays in 0..5
    wide = shift_data(models, x, y, max_shift=3)
    lost = x[0, 0, :, 3].sum() / x[0].sum()                              # dx=3 pushes column 3 out
    assert wide["lost"][0][3 * 7 + 6] == percent(lost) and wide["lost"][0][3 * 7 + 5] is None


def test_shift_explorer_updates_with_the_sliders(setup):
    models, x, y = setup
    ex = shift_explorer(models, x, y, index=0, dy=0, dx=0, max_shift=2)
    assert ex.result.dx == 0 and "not moved" in ex.result.summary
    ex.set(index=2, dx=-2)
    assert (ex.result.index, ex.result.dx) == (2, -2)
    assert ex.controls["dy"].min == -2 and ex.controls["dy"].max == 2
    assert ex.controls["index"].max == 2
    assert ex.state["picture"]["title"] == "class 1, moved (0, -2)" and ex.view.state == ex.state
    assert ex.data["max_shift"] == 2 and len(ex.data["outputs"]) == 3


def test_shift_explorer_offers_the_first_count_images(setup):
    models, x, y = setup
    ex = shift_explorer(models, x, y, count=2)
    assert ex.controls["index"].max == 1 and len(ex.data["labels"]) == 2
