"""The shift explorer in the web book says what Python says.

The models do not run in the page: the explorer's data holds every model's
prediction and whole-percent probabilities for every offered digit and move
(:func:`cnnbook.widgets.shift.shift_data`). The twin is compared with
``shift_view`` on every index × dy × dx, and on settings that are not allowed.
"""

import itertools
import json

import numpy as np
import pytest

from cnnbook import data, models, nn
from cnnbook.widgets.shift import shift_data, shift_explorer, shift_view
from web_twins import assert_twin_agrees


@pytest.fixture(scope="module")
def chapter_like():
    """Digits on a 12×12 canvas, a briefly trained MLP (sure of itself) and an untrained CNN (unsure)."""
    digits, labels = data.load_digits()
    canvas = np.pad(digits, ((0, 0), (0, 0), (2, 2), (2, 2)))                # (N, 1, 12, 12)
    mlp = models.mlp(144, 32, 10, rng=np.random.default_rng(1))
    models.fit(mlp, canvas[100:600], labels[100:600], epochs=3, lr=0.05, momentum=0.9, batch_size=32,
               rng=np.random.default_rng(3))
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=np.random.default_rng(4)), nn.ReLU(),
                        nn.MaxPool2d(12), nn.Flatten(), nn.Linear(4, 10, rng=np.random.default_rng(5)))
    return {"MLP": mlp, "CNN + global max": cnn}, canvas[:12], labels[:12]


@pytest.mark.slow  # every index x move; the fast tier keeps the refused settings
def test_every_index_and_move(chapter_like):
    trained, x, y = chapter_like
    ex = shift_explorer(trained, x, y, max_shift=3)
    settings = [dict(index=i, dy=dy, dx=dx) for i, dy, dx in itertools.product(range(12), range(-3, 4), range(-3, 4))]
    assert len(settings) == 12 * 49
    views = [shift_view(trained, x, y, **s) for s in settings]
    assert any("out of the frame" in v.text for v in views)                      # ink pushed out
    assert any(v.predictions["MLP"] != v.label for v in views)                   # wrong answers
    assert any(v.predictions["MLP"] == v.label for v in views)
    assert_twin_agrees("shift", lambda **s: shift_view(trained, x, y, **s), settings, data=ex.data)


def test_settings_that_are_not_allowed(chapter_like):
    trained, x, y = chapter_like
    settings = [dict(index=12, dy=0, dx=0), dict(index=-1, dy=0, dx=0), dict(index=2.5, dy=0, dx=0),
                dict(index=0, dy=1.5, dx=0), dict(index=0, dy=12, dx=0), dict(index=3, dy=0, dx=-12)]
    compute = lambda **s: shift_view(trained, x, y, **s)  # noqa: E731
    assert all(compute(**s).error for s in settings)
    assert_twin_agrees("shift", compute, settings, data=shift_data(trained, x, y, 3))


def test_data_for_the_chapter_is_small(chapter_like):
    trained, _, _ = chapter_like
    digits, labels = data.load_digits()
    canvas = np.pad(digits, ((0, 0), (0, 0), (2, 2), (2, 2)))[:50]
    four = {f"{name} {k}": model for k in range(2) for name, model in trained.items()}   # as many as chapter 2
    size = len(json.dumps(shift_data(four, canvas, labels[:50], 3), ensure_ascii=False).encode())
    assert size < 200_000, size
