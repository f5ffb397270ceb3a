"""The loss explorer (chapter 7) in the web book computes what Python computes.

The sliders' grid (121 values for each of four logits, four targets, two output
layers) is too large to run whole: a seeded sample of it, every corner of it,
logits far beyond the sliders and settings that are not allowed.
"""

import itertools

import numpy as np

from cnnbook.widgets import loss_explorer, loss_view
from web_twins import assert_twin_agrees

ZS = ("z0", "z1", "z2", "z3")


def test_seeded_settings_of_the_slider_grid():
    ex = loss_explorer()
    rng = np.random.default_rng(7)
    c = ex.controls["z0"]
    count = int(round((c.max - c.min) / c.step)) + 1
    assert count == 121
    settings = []
    for i in range(3_000):
        k = rng.integers(0, count, size=4)
        # The page's <input type=range> gives the decimal value ("0.3"); a kernel's slider
        # may give min + k*step (0.30000000000000004): both must give the same state.
        zs = [round(c.min + kk * c.step, 1) if i % 3 else c.min + kk * c.step for kk in k]
        settings.append(dict(zip(ZS, map(float, zs)), target=int(rng.integers(0, 4)),
                             mode=["softmax", "sigmoids"][i % 2]))
    assert_twin_agrees("loss", ex._compute, settings, data=ex.data)


def test_corners_ties_and_extreme_logits():
    ex = loss_explorer()
    rows = [list(zs) for zs in itertools.product((-6.0, 6.0), repeat=4)]
    rows += [[0.0] * 4, [6.0] * 4, [-6.0] * 4, [0.1, 0.1, 0.1, 0.1], [0.0, 0.0, -6.0, -6.0],
             [1000.0, -1000.0, 0.0, 0.0], [-1000.0, -1000.0, -1000.0, 1000.0], [1e300, -1e300, 5.0, -5.0],
             [1e-300, -1e-300, 0.0, -0.0], [36.0, 37.0, 38.0, -745.0], [709.0, 710.0, -709.0, -710.0],
             [40.0, -40.0, 17.0, -17.0], [0.69314718, -0.69314718, 2.5, -2.5], [0.00005, -0.00005, 0.00015, 0.00025]]
    settings = [dict(zip(ZS, zs), target=t, mode=m)
                for zs, t, m in itertools.product(rows, range(4), ("softmax", "sigmoids"))]
    views = [ex._compute(**s) for s in settings]
    assert any(v.loss == 0 for v in views) and any(v.probs.min() == 0 for v in views)  # certain, underflow
    assert not any(str(v.loss).startswith("-") for v in views)
    assert_twin_agrees("loss", ex._compute, settings, data=ex.data)


def test_settings_that_are_not_allowed():
    ex = loss_explorer()
    base = dict(z0=2.0, z1=1.0, z2=0.1, z3=-1.0)
    settings = [dict(base, target=4, mode="softmax"), dict(base, target=-1, mode="sigmoids"),
                dict(base, target=1, mode="hinge"), dict(base, target=1, mode="it's"),
                dict(base, target=17, mode="hinge")]
    assert all(ex._compute(**s).error for s in settings)
    assert_twin_agrees("loss", ex._compute, settings, data=ex.data)


def test_the_explorer_rounds_slider_floats_as_the_page_does():
    ex = loss_explorer()
    noisy = ex.set(z2=0.30000000000000004).text
    assert "0.300" in noisy and ex.result.logits[2] == 0.3
    assert ex.result.summary == loss_view([2.0, 1.0, 0.3, -1.0], target=1).summary
