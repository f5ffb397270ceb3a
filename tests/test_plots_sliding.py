"""Tests of cnnbook.plots.sliding: the numbers in the figures are the library's."""

import numpy as np
import pytest

import cnnbook
from cnnbook.plots.sliding import (
    draw_sliding_step,
    sliding_animation_html,
    sliding_steps,
    sum_of_products,
)


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 0), (1, 1), (2, 1), (3, 2)])
def test_sum_of_products_matches_conv2d(stride, padding):
    rng = np.random.default_rng(stride * 10 + padding)
    x = rng.integers(-4, 5, size=(6, 7))
    w = rng.integers(-2, 3, size=(3, 2))
    out = cnnbook.conv2d(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0]
    for (i, j), expected in np.ndenumerate(out):
        text, value = sum_of_products(x, w, i, j, stride, padding)
        assert value == expected
        assert text.endswith(f"= {int(expected)}")
        assert text.count("·") == w.size


def test_sum_of_products_brackets_negative_numbers():
    text, value = sum_of_products(np.array([[-1.5, 2.0]]), np.array([[2.0, -1.0]]), 0, 0)
    assert text == "(-1.50)·2.00 + 2.00·(-1.00) = -5"
    assert value == -5.0


def test_positions_outside_the_output_are_rejected():
    x = np.zeros((5, 5))
    with pytest.raises(ValueError, match=r"\(3, 0\)"):
        sum_of_products(x, np.ones((3, 3)), 3, 0)
    with pytest.raises(ValueError, match="inside the output"):
        draw_sliding_step(x, np.ones((3, 3)), 0, -1)
    with pytest.raises(ValueError, match="positions"):
        sliding_steps(x, np.ones((3, 3)), positions=[(0, 5)])


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="x must be a 2-D"):
        sum_of_products(np.zeros((1, 5, 5)), np.ones((3, 3)), 0, 0)
    with pytest.raises(TypeError, match="padding"):
        draw_sliding_step(np.zeros((5, 5)), np.ones((3, 3)), 0, 0, padding=1.5)


def test_step_figure_shows_output_so_far():
    x = np.arange(25).reshape(5, 5)
    fig = draw_sliding_step(x, np.ones((3, 3)), 1, 0)
    ax_out = fig.axes[2]
    printed = [t.get_text() for t in ax_out.texts]
    # row-major: the whole first row and (1, 0) are filled in, nothing after
    expected = cnnbook.conv2d(x[None, None], np.ones((1, 1, 3, 3)))[0, 0].ravel()[:4]
    assert printed == [str(int(v)) for v in expected]
    assert "out[1, 0] = " in fig.texts[0].get_text()


def test_steps_default_positions_and_tiny_outputs():
    fig = sliding_steps(np.arange(25).reshape(5, 5), np.ones((3, 3)))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title().startswith("step")]
    assert titles == ["step 1: out[0, 0]", "step 2: out[0, 1]", "step 4: out[1, 0]", "step 9: out[2, 2]"]
    # a 1x1 output has one step only: the default positions collapse to it
    fig = sliding_steps(np.ones((3, 3)), np.ones((3, 3)))
    assert [ax.get_title() for ax in fig.axes if ax.get_title().startswith("step")] == ["step 1: out[0, 0]"]


def test_animation_has_one_frame_per_output_entry():
    html = sliding_animation_html(np.arange(20).reshape(4, 5), np.ones((2, 2)), stride=2, dpi=20)
    # output 2x2 with stride 2
    assert html.count("data:image/png") == 4


def test_animation_player_is_offline_and_labelled():
    import re

    from cnnbook.plots.sliding import sliding_animation_html

    html = sliding_animation_html(np.arange(16).reshape(4, 4), np.ones((3, 3)), dpi=20)
    assert "http" not in re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)  # nothing from a CDN
    assert 'class="fa' not in html
    assert re.search(r'<img id="_anim_img\w+" alt="[^"]+">', html)
    assert re.search(r'<input id="_anim_slider\w+" type="range" aria-label="Animation frame"', html)
