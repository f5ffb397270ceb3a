"""Tests for cnnbook.plots.images (chapter 1 figures and the numbers behind them)."""

import numpy as np
import pytest

from cnnbook.plots.images import (
    block_mean,
    grid_beside_image,
    memory_order,
    quantise,
    show_memory_order,
    show_quantisation,
    show_resolution,
)


def test_quantise_keeps_at_most_levels_values_and_the_extremes():
    img = np.arange(256, dtype=np.uint8).reshape(16, 16)
    for levels in (2, 3, 4, 16, 100):
        q = quantise(img, levels)
        assert q.dtype == np.uint8 and q.shape == img.shape
        assert len(np.unique(q)) == levels
        assert q.min() == 0 and q.max() == 255
        # every value moves to the nearest kept level: at most half a step away
        assert np.abs(q.astype(int) - img).max() <= np.ceil(255 / (levels - 1) / 2)


def test_quantise_256_levels_is_identity():
    img = np.random.default_rng(0).integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    np.testing.assert_array_equal(quantise(img, 256), img)


@pytest.mark.parametrize("levels", [1, 257, 2.5, True])
def test_quantise_rejects_bad_levels(levels):
    with pytest.raises(ValueError, match="levels"):
        quantise(np.zeros((2, 2), np.uint8), levels)


def test_quantise_rejects_float_images():
    with pytest.raises(TypeError, match="uint8"):
        quantise(np.zeros((2, 2)), 4)


def test_block_mean_matches_a_loop():
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, size=(10, 13, 3), dtype=np.uint8)
    out = block_mean(img, 3)
    assert out.shape == (3, 4, 3)
    for i in range(3):
        for j in range(4):
            expected = np.round(img[3 * i:3 * i + 3, 3 * j:3 * j + 3].reshape(-1, 3).mean(axis=0))
            np.testing.assert_array_equal(out[i, j], expected.astype(np.uint8))


def test_block_mean_factor_one_is_identity_and_too_large_fails():
    img = np.arange(12, dtype=np.uint8).reshape(3, 4)
    np.testing.assert_array_equal(block_mean(img, 1), img)
    with pytest.raises(ValueError, match="larger than the image"):
        block_mean(img, 4)
    with pytest.raises(ValueError, match="factor"):
        block_mean(img, 0)


def test_memory_order_matches_numpy_c_order():
    H, W = 2, 3
    labels = memory_order((H, W), "HWC")
    img = np.arange(H * W * 3).reshape(H, W, 3)  # value = position in memory for HWC
    # The k-th number in memory is img.ravel()[k]; recover its (row, col, channel) label.
    for k, label in enumerate(labels):
        i, j, c = np.unravel_index(img.ravel()[k], (H, W, 3))
        assert label == f"{'RGB'[c]}{i}{j}"
    chw = memory_order((H, W), "CHW")
    planar = img.transpose(2, 0, 1).copy()  # (3, H, W) contiguous
    for k, label in enumerate(chw):
        i, j, c = np.unravel_index(planar.ravel()[k], (H, W, 3))
        assert label == f"{'RGB'[c]}{i}{j}"
    assert chw[:H * W] == [f"R{i}{j}" for i in range(H) for j in range(W)]
    with pytest.raises(ValueError, match="layout"):
        memory_order((1, 1), "NHWC")


def test_figures_have_the_documented_panels():
    eight = np.zeros((18, 18), np.uint8)
    assert len(grid_beside_image(eight).axes) == 2
    assert len(grid_beside_image(eight).axes[0].texts) == 18 * 18
    titles = [ax.get_title() for ax in show_quantisation(eight, (256, 16, 4, 2)).axes]
    assert titles == ["256 levels (8 bits)", "16 levels (4 bits)", "4 levels (2 bits)", "2 levels (1 bit)"]
    titles = [ax.get_title() for ax in show_resolution(np.zeros((32, 48, 3), np.uint8), (1, 4)).axes]
    assert titles == ["32×48 pixels", "8×12 pixels"]
    labels = [t.get_text() for t in show_memory_order((2, 3)).axes[0].texts]
    assert labels.count("G12") == 2


def test_grid_beside_image_rejects_colour_and_float():
    with pytest.raises(ValueError, match="shape"):
        grid_beside_image(np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(TypeError, match="uint8"):
        grid_beside_image(np.zeros((4, 4)))
