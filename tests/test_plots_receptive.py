"""Tests of cnnbook.plots.receptive: the traced units agree with cnnbook.receptive_field."""

import numpy as np
import pytest

import cnnbook
from cnnbook.plots.receptive import draw_receptive_field, receptive_field_units


@pytest.mark.parametrize("ks,ss,ds", [
    ([3, 3], None, None),
    ([3, 3, 3], [1, 1, 1], None),
    ([5, 2, 5, 2], [1, 2, 1, 2], None),
    ([3, 3, 3], [2, 2, 1], [1, 2, 1]),
    ([7], [2], None),
])
def test_traced_input_units_span_the_receptive_field(ks, ss, ds):
    sizes, used = receptive_field_units(ks, ss, ds)
    r, j = cnnbook.receptive_field(ks, ss, ds)[-1]
    assert max(used[0]) - min(used[0]) + 1 == r
    assert sizes[-1] == 3  # default input length leaves three top units
    assert used[-1] == {1}


def test_traced_units_are_what_the_output_depends_on():
    # perturb an input outside the traced set: the traced output does not move
    ks, ss = [3, 2, 3], [1, 2, 1]
    sizes, used = receptive_field_units(ks, ss, n_input=16, unit=1)
    rng = np.random.default_rng(0)
    ws = [rng.normal(size=(1, 1, 1, k)) for k in ks]

    def forward(x):
        for w, s in zip(ws, ss):
            x = cnnbook.conv2d(x, w, stride=(1, s))
        return x[0, 0, 0, 1]

    x = rng.normal(size=(1, 1, 1, sizes[0]))
    base = forward(x)
    for v in range(sizes[0]):
        y = x.copy()
        y[0, 0, 0, v] += 1.0
        assert (forward(y) != base) == (v in used[0]), v


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_input"):
        receptive_field_units([3, 3], n_input=4)
    with pytest.raises(ValueError, match="unit"):
        receptive_field_units([3], n_input=5, unit=3)
    with pytest.raises(ValueError, match="same length"):
        receptive_field_units([3, 3], strides=[1])
    with pytest.raises(ValueError, match="at least one layer"):
        receptive_field_units([])


def test_figure_labels_each_layer():
    fig = draw_receptive_field([3, 3], strides=[2, 1])
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "layer 1: k=3, s=2\nr=3, jump=2" in labels
    assert "layer 2: k=3\nr=7, jump=2" in labels
    assert "7 input pixels" in labels
