"""Tests for the shift explorer (chapter 2): pure function and Python-side wiring."""

import numpy as np
import pytest

from cnnbook import data, nn, softmax
from cnnbook.plots.invariance import show_shift_predictions
from cnnbook.widgets.shift import shift_explorer, shift_view


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
    assert view.predictions["net"] == int(np.argmax(expected))
    # the dashed frame follows the ink
    assert view.frame == (2 - 1, 2 + 2, 2, 2)
    assert "moved -1 down and 2 right" in view.summary
    assert view.figure() is not None


def test_shift_view_reports_ink_pushed_out(setup):
    models, x, y = setup
    view = shift_view(models, x, y, index=0, dy=0, dx=3)  # columns 2-3 move to 5-6: half falls off
    assert "out of the frame" in view.text


@pytest.mark.parametrize("kwargs, word", [
    (dict(index=3), "index"), (dict(index=-1), "index"),
    (dict(dy=6), "out of the frame"), (dict(dx=1.5), "whole numbers"),
])
def test_shift_view_explains_bad_settings(setup, kwargs, word):
    models, x, y = setup
    view = shift_view(models, x, y, **kwargs)
    assert view.error is not None and word in view.error
    assert view.image is None and view.figure() is None


def test_shift_explorer_updates_with_the_sliders(setup):
    models, x, y = setup
    ex = shift_explorer(models, x, y, index=0, dy=0, dx=0, max_shift=2)
    assert ex.result.dx == 0 and "not moved" in ex.result.summary
    ex.set(index=2, dx=-2)
    assert (ex.result.index, ex.result.dx) == (2, -2)
    assert ex.controls["dy"].min == -2 and ex.controls["dy"].max == 2
    assert ex.controls["index"].max == 2
    assert "<img" in ex.figure.value


def test_show_shift_predictions_marks_prediction_and_truth():
    p = np.full(10, 0.05)
    p[2] = 0.55
    fig = show_shift_predictions(np.zeros((5, 5)), {"a": p, "b": p[::-1]}, label=2, shift=(1, 0))
    assert [ax.get_title() for ax in fig.axes] == ["class 2, moved (1, 0)", "a: 2 (55%)", "b: 7 (55%)"]
    bars = fig.axes[1].patches
    assert bars[2].get_hatch() == "///"
