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


def test_draw_score_map_windows_match_the_fcn_geometry():
    from cnnbook.plots.beyond import draw_score_map

    fig = draw_score_map(28, 14, 2, picks=[(0, 0), (0, 1), (-1, -1)])
    ax_in, ax_out = fig.axes
    outlines = [p for p in ax_in.patches if type(p).__name__ == "Rectangle"]
    corners = [tuple(np.add(p.get_xy(), 0.5)) for p in outlines]
    assert corners == [(0, 0), (2, 0), (14, 14)]            # (x, y) = (stride*j, stride*i)
    assert all(p.get_width() == 14 for p in outlines)
    assert ax_out.get_images()[0].get_array().shape == (cnnbook.conv_output_size(28, 14, 2),) * 2
    assert {t.get_text() for t in ax_out.texts} == {"(0,0)", "(0,1)", "(7,7)"}


@pytest.mark.parametrize("kwargs", [dict(n=10, window=12, stride=1), dict(n=10, window=3, stride=0),
                                    dict(n=10, window=4, stride=2, picks=[(4, 0)])])
def test_draw_score_map_rejects_bad_input(kwargs):
    from cnnbook.plots.beyond import draw_score_map

    with pytest.raises(ValueError):
        draw_score_map(**kwargs)


def test_show_detections_draws_one_box_per_detection():
    from matplotlib.patches import Rectangle

    from cnnbook.fcn import Detection
    from cnnbook.plots.beyond import show_detections

    found = [Detection(0, 0, 3, 7.4), Detection(8, 10, 7, 7.7)]
    fig = show_detections(np.zeros((16, 40)), np.full((5, 17), -3.0), found, 8, 2)
    ax_img, ax_map = fig.axes[:2]
    boxes = [p for p in ax_img.patches if isinstance(p, Rectangle)]
    assert [(b.get_x(), b.get_y(), b.get_width()) for b in boxes] == [(-0.5, -0.5, 8), (9.5, 7.5, 8)]
    assert [t.get_text() for t in ax_img.texts] == ["3", "7"]
    marked = [(p.get_x(), p.get_y()) for p in ax_map.patches]
    assert marked == [(-0.5, -0.5), (4.5, 3.5)]          # score-map cells (0, 0) and (4, 5)
    assert len(ax_map.texts) == 5 * 17 and ax_img.get_title() == "2 detections"
    with pytest.raises(ValueError, match="must be 2-D"):
        show_detections(np.zeros((1, 16, 40)), np.zeros((5, 17)), found, 8, 2)
