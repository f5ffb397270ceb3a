"""Tests for cnnbook.plots.invariance (chapter 2 figures)."""

import numpy as np
import pytest

import cnnbook
from cnnbook import data, nn
from cnnbook.plots.invariance import (
    connectivity_counts,
    show_connectivity,
    show_equivariance,
    show_shift_grids,
    show_templates,
    show_unrolling,
)


@pytest.mark.parametrize("n_in, k", [(8, 3), (10, 1), (5, 5), (32, 5)])
def test_connectivity_counts_match_real_layers(n_in, k):
    counts = connectivity_counts(n_in, k)
    n_out = counts["n_out"]
    assert n_out == cnnbook.conv_output_size(n_in, k)
    rng = np.random.default_rng(0)
    assert counts["dense"] == nn.Linear(n_in, n_out, rng=rng).num_params()
    # A 1-D convolution is a 2-D one on a 1-row image with a 1-row kernel.
    conv = nn.Conv2d(1, 1, (1, k), rng=rng)
    assert counts["conv"] == conv.num_params()
    assert conv.forward(np.zeros((1, 1, 1, n_in))).shape == (1, 1, 1, n_out)
    # Locally connected: one (k weights + 1 bias) set per output.
    assert counts["local"] == n_out * conv.num_params()


def test_connectivity_counts_rejects_bad_sizes():
    with pytest.raises(ValueError, match="kernel_size"):
        connectivity_counts(3, 4)
    with pytest.raises(ValueError, match="n_in"):
        connectivity_counts(0, 1)


def test_show_connectivity_draws_one_line_per_weight():
    fig = show_connectivity(8, 3)
    dense, local, conv = fig.axes
    assert len(dense.lines) == 8 * 6
    assert len(local.lines) == 6 * 3
    assert len(conv.lines) == 6 * 3
    # the convolution uses exactly kernel_size distinct line styles (the shared weights)
    assert len({(line.get_color(), line.get_linestyle()) for line in conv.lines}) == 3
    assert "4 parameters" in conv.get_title()


def test_show_unrolling_indices_are_row_major():
    img = np.arange(64.0).reshape(8, 8)
    fig = show_unrolling(img, pair=((3, 4), (4, 4)))
    assert "index 28" in fig.axes[1].get_title() and "index 36" in fig.axes[1].get_title()
    # the strip shows the image's values in vector order
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array().ravel(), img.ravel())
    with pytest.raises(ValueError, match="inside"):
        show_unrolling(img, pair=((8, 0), (0, 0)))


def test_show_templates_reshapes_rows_to_images():
    w = np.arange(2 * 6.0).reshape(2, 6)
    fig = show_templates(w, (2, 3), units=2)
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), w[1].reshape(2, 3))
    with pytest.raises(ValueError, match="weight must have shape"):
        show_templates(w, (3, 3))


def test_show_shift_grids_labels_and_checks_shapes():
    fig = show_shift_grids([np.full((5, 5), 0.5), np.ones((5, 5))], ["a", "b"], range(-2, 3))
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["-2", "-1", "0", "1", "2"]
    with pytest.raises(ValueError, match="shape"):
        show_shift_grids([np.ones((4, 4))], ["a"], range(-2, 3))
    with pytest.raises(ValueError, match="title"):
        show_shift_grids([np.ones((5, 5))], [], range(-2, 3))


def test_show_equivariance_difference_is_zero_for_a_true_shift():
    rng = np.random.default_rng(0)
    x = np.zeros((12, 12))
    x[4:8, 4:8] = rng.random((4, 4))
    w = rng.normal(size=(1, 1, 3, 3))
    xs = data.shift(x, 1, -2)
    f = cnnbook.conv2d(x[None, None], w, padding=1)[0, 0]
    fs = cnnbook.conv2d(xs[None, None], w, padding=1)[0, 0]
    fig = show_equivariance(x, xs, f, fs, (1, -2))
    assert fig.axes[4].get_title().endswith("max |difference| = 0")
    np.testing.assert_allclose(fig.axes[4].images[0].get_array(), 0, atol=1e-12)
    # a wrong shift shows a non-zero difference
    fig = show_equivariance(x, xs, f, fs, (0, 0))
    assert not fig.axes[4].get_title().endswith("= 0")
