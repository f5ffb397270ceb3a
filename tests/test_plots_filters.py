"""Tests of cnnbook.plots.filters (figures for hand-made filters and layer wiring)."""

import numpy as np
import pytest

from cnnbook.plots.filters import draw_fibre, show_grids, show_responses


def test_show_grids_one_axes_per_grid_with_its_numbers():
    fig = show_grids([np.arange(6).reshape(2, 3), np.array([[1, -1]])], ["a", "b"])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    assert [t.get_text() for t in fig.axes[0].texts] == ["0", "1", "2", "3", "4", "5"]
    # the signed grid gets the diverging map, the other grey
    assert fig.axes[0].images[0].get_cmap().name == "gray"
    assert fig.axes[1].images[0].get_cmap().name == "PuOr"


def test_show_grids_rejects_mismatched_lists():
    with pytest.raises(ValueError, match="titles must have one entry per grid"):
        show_grids([np.eye(2)], ["a", "b"])
    with pytest.raises(ValueError, match="non-empty"):
        show_grids([])


def test_show_responses_colours_zero_sum_kernels_as_signed():
    img = np.zeros((8, 8))
    img[:, 4:] = 1
    edge = np.array([[1.0, -1.0]])
    blur = np.full((1, 2), 0.5)
    fig = show_responses(img, [edge, blur], [img[:, :-1] - img[:, 1:], (img[:, :-1] + img[:, 1:]) / 2],
                         ["edge", "blur"])
    # axes: input, then kernel + response per filter
    assert [ax.get_title() for ax in fig.axes] == ["input", "edge", "", "blur", ""]
    edge_map, blur_map = fig.axes[2].images[0], fig.axes[4].images[0]
    assert edge_map.get_cmap().name == "PuOr"
    lo, hi = edge_map.get_clim()
    assert lo == -hi
    assert blur_map.get_cmap().name == "gray" and blur_map.get_clim() == (0.0, 1.0)


def test_show_responses_checks_lengths():
    with pytest.raises(ValueError, match="same length"):
        show_responses(np.zeros((4, 4)), [np.ones((2, 2))], [])


def test_draw_fibre_titles_and_position_check():
    fig = draw_fibre(C=3, K=5)
    assert fig.axes[0].get_title() == "local connectivity: one 3×3×3 patch → a fibre of 5 numbers"
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert [t for t in labels if t] == ["input 7×7×3", "output 5×5×5"]   # (the arrow is an empty annotation)
    with pytest.raises(ValueError, match="position"):
        draw_fibre(size=7, F=3, position=(5, 0))
