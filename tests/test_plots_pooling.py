"""Tests for cnnbook.plots.pooling."""

import numpy as np
import pytest

from cnnbook.plots.pooling import plot_shift_sensitivity, pool_grid, show_pooling

GRID = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=float)


def test_pool_grid_values_by_hand():
    np.testing.assert_array_equal(pool_grid(GRID, 2), [[6, 8], [3, 4]])
    np.testing.assert_array_equal(pool_grid(GRID, 2, mode="avg"), [[13 / 4, 21 / 4], [2, 2]])
    np.testing.assert_allclose(pool_grid(GRID, 2, mode="l2"),
                               [[np.sqrt(63), np.sqrt(133)], [np.sqrt(18), np.sqrt(26)]])
    assert pool_grid(GRID, 3, 1).shape == (2, 2)


def test_pool_grid_rejects_bad_input():
    with pytest.raises(ValueError, match="mode must be one of"):
        pool_grid(GRID, 2, mode="median")
    with pytest.raises(ValueError, match="2-D grid"):
        pool_grid(GRID[None], 2)


def test_show_pooling_prints_the_pooled_numbers_and_rings_the_winners():
    fig = show_pooling(GRID, 2)
    ax_in, ax_out = fig.axes
    assert [t.get_text() for t in ax_out.texts] == ["6", "8", "3", "4"]
    assert len(ax_in.lines) == 4  # one ring per window around its maximum
    rings = sorted((int(line.get_ydata()[0]), int(line.get_xdata()[0])) for line in ax_in.lines)
    assert rings == [(1, 1), (1, 3), (2, 0), (3, 3)]
    assert len(show_pooling(GRID, 2, mode="avg").axes[0].lines) == 0
    # more than 6 windows: only the first row is outlined
    fig = show_pooling(np.arange(49.0).reshape(7, 7), 3, 2)
    assert fig.axes[1].get_title().endswith("3×3")


def test_plot_shift_sensitivity():
    fig = plot_shift_sensitivity([0, 1], {"a": [0, 1], "b": [0, 0.5]})
    assert len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="has 1 values for 2 shifts"):
        plot_shift_sensitivity([0, 1], {"a": [0]})
