"""Tests for cnnbook.plots.backprop (rows of annotated grids)."""

import numpy as np
import pytest

from cnnbook.plots.backprop import grid_row


def test_one_axes_per_panel_with_titles_and_symbols():
    fig = grid_row([np.ones((3, 3)), np.eye(2), np.zeros((2, 2))], ["X", "F", "O"], symbols=["⋆", "="])
    assert [ax.get_title() for ax in fig.axes] == ["X", "F", "O"]
    assert [t.get_text() for t in fig.texts] == ["⋆", "="]


def test_cells_have_the_same_physical_size():
    fig = grid_row([np.ones((4, 4)), np.ones((2, 2))])
    w_big = fig.axes[0].get_position().width * fig.get_figwidth()
    w_small = fig.axes[1].get_position().width * fig.get_figwidth()
    assert w_big == pytest.approx(2 * w_small)


def test_numbers_printed_in_cells():
    fig = grid_row([np.array([[1.5, -2.0]])], fmts="{:.1f}")
    assert [t.get_text() for t in fig.axes[0].texts] == ["1.5", "-2.0"]


def test_diverging_panel_is_centred_on_zero():
    fig = grid_row([np.array([[1.0, -3.0], [0.0, 2.0]])], cmaps="PuOr")
    assert fig.axes[0].images[0].get_clim() == (-3.0, 3.0)


def test_wide_rows_stay_within_max_width():
    fig = grid_row([np.ones((2, 12)), np.ones((2, 12))], max_width=9.0)
    assert fig.get_figwidth() <= 9.0 + 1e-9


def test_cells_hold_their_numbers_at_the_caption_size_even_past_max_width():
    from cnnbook.plots._base import MIN_TEXT_PT, text_width_in

    fig = grid_row([np.full((2, 30), 0.25)], max_width=9.0)
    cell = fig.axes[0].get_position().width * fig.get_figwidth() / 30   # inches
    assert cell >= text_width_in("0.25") and fig.get_figwidth() > 9.0
    assert fig.axes[0].texts[0].get_fontsize() == MIN_TEXT_PT


def test_long_titles_go_on_two_lines_when_the_row_is_too_wide():
    fig = grid_row([np.eye(3)] * 5, [f"1·F on window {k}" for k in range(5)], symbols=["+"] * 4)
    assert [ax.get_title() for ax in fig.axes][:2] == ["1·F on\nwindow 0", "1·F on\nwindow 1"]
    assert grid_row([np.eye(2)], ["short title"]).axes[0].get_title() == "short title"


@pytest.mark.parametrize("kwargs, message", [
    (dict(arrays=[]), "arrays must be a non-empty list"),
    (dict(arrays=[np.ones((2, 2))] * 2, symbols=["="] * 2), "symbols must be a list of 1"),
    (dict(arrays=[np.ones((2, 2))] * 2, titles=["a"]), "titles must have one entry per panel"),
    (dict(arrays=[np.ones((2, 2, 2))]), "2-D array"),
    (dict(arrays=[np.ones((2, 2))], cell=0), "cell must be a positive"),
])
def test_bad_arguments_are_named(kwargs, message):
    arrays = kwargs.pop("arrays")
    with pytest.raises(ValueError, match=message):
        grid_row(arrays, **kwargs)


def test_shared_colour_limits_and_axis_labels():
    fig = grid_row([np.ones((2, 2)), 4 * np.ones((2, 3))], vmin=0, vmax=[9, 4],
                   axis_labels=[None, (["a", "b"], ["x", "y", "z"])])
    assert fig.axes[0].images[0].get_clim() == (0, 9)
    assert fig.axes[1].images[0].get_clim() == (0, 4)
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["a", "b"]
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["x", "y", "z"]


def test_axis_labels_must_match_the_grid():
    with pytest.raises(ValueError, match="needs 2 row labels"):
        grid_row([np.ones((2, 2))], axis_labels=[(["a"], None)])
