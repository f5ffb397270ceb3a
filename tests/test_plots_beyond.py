"""Tests of cnnbook.plots.beyond: the numbers behind the figures agree with cnnbook."""

import numpy as np
import pytest

import cnnbook
import cnnbook.nn
from cnnbook.plots.beyond import draw_shape_flow, plot_receptive_growth, receptive_growth


def test_receptive_growth_matches_formula():
    g = receptive_growth(3, (1, 2, 4, 8), channels=16)
    assert g["dense"] == [3, 5, 7, 9]
    # r_l = 2^(l+1) - 1 for dilations 1, 2, 4, ...
    assert g["dilated"] == [2 ** (l + 1) - 1 for l in g["layers"]]
    assert g["params"] == [(9 * 16 * 16 + 16) * l for l in g["layers"]]
    layer = cnnbook.nn.Conv2d(16, 16, 3, dilation=8)
    assert layer.num_params() == g["params"][0]


def test_receptive_growth_rejects_bad_input():
    with pytest.raises(ValueError, match="dilations"):
        receptive_growth(3, ())
    with pytest.raises(ValueError, match="channels"):
        receptive_growth(3, (1, 2), channels=0)


def test_plot_receptive_growth_draws_both_stacks():
    fig = plot_receptive_growth(3, (1, 2, 4, 8))
    ax_rf, ax_p = fig.axes
    lines = ax_rf.get_lines()
    assert [list(l.get_ydata()) for l in lines] == [[3, 5, 7, 9], [3, 7, 15, 31]]
    assert len(ax_p.get_lines()) == 1


def test_draw_shape_flow_boxes_and_labels():
    stages = [("in", (1, 16, 16)), ("enc", (8, 8, 8)), ("dec", (1, 16, 16))]
    fig = draw_shape_flow(stages, skips=[(0, 2)], title="t")
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert {"1×16×16", "8×8×8", "in", "enc", "dec"} <= texts
    rects = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
    heights = [r.get_height() for r in rects]
    assert len(rects) == 3 and np.isclose(heights[0], 2 * heights[1])


@pytest.mark.parametrize("stages,skips", [
    ([], ()),
    ([("a", (1, 2))], ()),
    ([("a", (1, 0, 2))], ()),
    ([("a", (1, 2, 2))], [(0, 3)]),
])
def test_draw_shape_flow_rejects_bad_input(stages, skips):
    with pytest.raises(ValueError):
        draw_shape_flow(stages, skips)
