"""Tests of the base figures in cnnbook.plots: what each figure draws, not just that it runs."""

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from cnnbook import conv_output_size, data, pool_output_size
from cnnbook.plots import (
    draw_lenet,
    draw_windows,
    figure_to_data_uri,
    figure_to_png,
    lenet_layers,
    new_figure,
    plot_confusion,
    plot_curves,
    show_channels,
    show_feature_maps,
    show_filters,
    show_grid,
    show_image,
    window_geometry,
)
from cnnbook.plots._base import auto_fmt, format_value, text_colour


def texts(ax):
    return [t.get_text() for t in ax.texts]


# ---------------------------------------------------------------- show_grid

def test_show_grid_prints_every_value_in_row_major_order():
    values = np.array([[0, 255, 7], [12, 128, 3]])
    fig = show_grid(values)
    assert len(fig.axes) == 1 and len(fig.axes[0].images) == 1
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), values)  # the cells are the values
    assert texts(fig.axes[0]) == ["0", "255", "7", "12", "128", "3"]


def test_show_grid_text_contrasts_with_the_cell():
    fig = show_grid(np.array([[0, 255]]), vmin=0, vmax=255)  # black cell, white cell
    colours = [to_rgba(t.get_color()) for t in fig.axes[0].texts]
    assert colours[0] == to_rgba("white") and colours[1] == to_rgba("black")


def test_show_grid_formats_and_skips_nan():
    fig = show_grid(np.array([[0.5, np.nan], [1.25, -0.0]]), fmt="{:.2f}")
    assert texts(fig.axes[0]) == ["0.50", "1.25", "0.00"]
    assert texts(show_grid(np.array([[0.5, 2.0]]), fmt="auto").axes[0]) == ["0.50", "2.00"]
    assert texts(show_grid(np.eye(2), annotate=False).axes[0]) == []


@pytest.mark.parametrize("highlight, boxes", [
    ((1, 1), 1),
    ((0, 0, 2, 2), 1),
    ([(0, 0), (1, 2)], 2),
    (np.array([[True, False, True], [False, False, True]]), 3),
])
def test_show_grid_outlines_highlighted_cells(highlight, boxes):
    fig = show_grid(np.zeros((2, 3)), highlight=highlight)
    # every outline is a black halo plus a coloured rectangle
    assert len(fig.axes[0].patches) == 2 * boxes


def test_show_grid_draws_into_given_axes_and_labels_origin():
    fig = new_figure()
    ax = fig.add_subplot()
    assert show_grid(np.eye(3), ax=ax, origin=(10, 20)) is fig
    assert [t.get_text() for t in ax.get_xticklabels()] == ["20", "21", "22"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["10", "11", "12"]


def test_show_grid_rejects_bad_input():
    with pytest.raises(ValueError, match="values must be a 2-D array"):
        show_grid(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="highlight"):
        show_grid(np.zeros((2, 2)), highlight=(1, 2, 3))
    with pytest.raises(ValueError, match="mask"):
        show_grid(np.zeros((2, 2)), highlight=np.ones((3, 3), dtype=bool))


def test_helpers():
    assert text_colour((0.1, 0.1, 0.1, 1)) == "white" and text_colour((0.9, 0.9, 0.9, 1)) == "black"
    assert auto_fmt(np.array([1.0, 250.0])) == "{:.0f}"
    assert auto_fmt(np.array([1.5, 25.0])) == "{:.1f}"
    assert format_value("{:.0f}", -0.2) == "0"
    png = figure_to_png(show_grid(np.eye(2)))
    assert png.startswith(b"\x89PNG")
    assert figure_to_data_uri(new_figure(1, 1)).startswith("data:image/png;base64,")


# ---------------------------------------------------------------- images

@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3), (3, 5, 7), (1, 5, 7)])
def test_show_image_layouts(shape):
    img = np.random.default_rng(0).integers(0, 256, size=shape, dtype=np.uint8)
    fig = show_image(img, title="t")
    shown = fig.axes[0].images[0].get_array()
    assert shown.shape[:2] == (5, 7)
    assert fig.axes[0].get_title() == "t"


def test_show_image_rejects_other_shapes():
    with pytest.raises(ValueError, match="img must have shape"):
        show_image(np.zeros((2, 3, 4, 5)))


def test_show_channels_shows_each_channel_in_grey():
    rgb = data.photo("chelsea", size=40)
    fig = show_channels(rgb)
    assert [ax.get_title() for ax in fig.axes] == ["colour image", "R (red)", "G (green)", "B (blue)"]
    for i, ax in enumerate(fig.axes[1:]):
        np.testing.assert_array_equal(ax.images[0].get_array(), rgb[..., i])
        assert ax.images[0].get_cmap().name == "gray"
    with pytest.raises(ValueError, match="colour image"):
        show_channels(np.zeros((4, 4)))


def test_show_feature_maps_one_axes_per_map():
    maps = np.random.default_rng(0).normal(size=(1, 5, 6, 6))
    fig = show_feature_maps(maps, ncols=2, titles=list("abcde"))
    assert [ax.get_title() for ax in fig.axes] == list("abcde")
    fig = show_feature_maps(np.ones((2, 2, 2)), annotate=True)
    assert texts(fig.axes[0]) == ["1"] * 4
    with pytest.raises(ValueError, match="titles"):
        show_feature_maps(maps, titles=["a"])
    with pytest.raises(ValueError, match="ncols"):
        show_feature_maps(maps, ncols=0)


def test_show_filters_prints_signed_weights():
    w = np.array([[[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]], dtype=float)
    fig = show_filters(w)
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "filter 0"
    assert texts(fig.axes[0]) == ["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]
    assert fig.axes[0].images[0].get_cmap().name == "PuOr"
    assert len(show_filters(np.ones((4, 3, 5, 5))).axes) == 12
    assert len(show_filters(np.ones((20, 7, 7)), max_filters=5).axes) == 5


# ---------------------------------------------------------------- training

def test_plot_curves_groups_losses_and_accuracies():
    history = [{"epoch": 1, "train_loss": 2.0, "val_loss": 2.1, "train_acc": 0.3},
               {"epoch": 2, "train_loss": 1.0, "val_loss": 1.5, "train_acc": 0.6}]
    fig = plot_curves(history)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_ylabel() == "loss" and acc_ax.get_ylabel() == "accuracy"
    assert [line.get_label() for line in loss_ax.lines] == ["training", "validation"]  # not the raw keys
    np.testing.assert_array_equal(loss_ax.lines[1].get_ydata(), [2.1, 1.5])
    # train and validation differ by line style too (greyscale print)
    assert loss_ax.lines[0].get_linestyle() != loss_ax.lines[1].get_linestyle()
    with pytest.raises(TypeError, match="history"):
        plot_curves([1, 2, 3])


def test_plot_confusion_counts_and_labels():
    cm = np.array([[5, 1, 0], [0, 4, 2], [1, 0, 6]])
    fig = plot_confusion(cm, labels=["a", "b", "c"])
    ax = fig.axes[0]
    assert texts(ax) == [str(v) for v in cm.ravel() if v]  # zeros are left blank
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert texts(plot_confusion(cm, normalize=True).axes[0])[0] == "0.83"
    with pytest.raises(ValueError, match="square"):
        plot_confusion(np.ones((2, 3)))
    with pytest.raises(ValueError, match="labels"):
        plot_confusion(cm, labels=["a"])


# ---------------------------------------------------------------- diagrams

def test_lenet_shapes_come_from_the_shape_functions():
    layers = lenet_layers(32)
    assert [layer["size"] for layer in layers[:5]] == [32, 28, 14, 10, 5]
    n1 = conv_output_size(28, 5, padding=2)
    assert lenet_layers(28, padding=2)[1]["size"] == n1 == 28
    n = pool_output_size(conv_output_size(pool_output_size(conv_output_size(28, 5), 2), 5), 2)
    assert lenet_layers(28)[4]["size"] == n == 4
    assert "flatten" in lenet_layers(28)[5]["op"]


def test_draw_lenet_labels():
    labels = [t.replace("\n", " ") for t in texts(draw_lenet(32).axes[0])]  # name and shape on two lines
    for expected in ["input: 1@32×32", "C1: 6@28×28", "S2: 6@14×14", "C3: 16@10×10", "S4: 16@5×5",
                     "C5: 120", "F6: 84", "output: 10"]:
        assert expected in labels
    assert "C1:\n6@24×24" in texts(draw_lenet(28).axes[0])
    with pytest.raises(ValueError):
        draw_lenet(8)


def test_window_geometry_matches_the_formula():
    for n in range(3, 12):
        for k in (1, 2, 3):
            for s in (1, 2, 3):
                for p in (0, 1):
                    for d in (1, 2):
                        rows, _ = window_geometry(n, n, k, s, p, d)
                        extent = d * (k - 1) + 1
                        if extent > n + 2 * p:
                            assert rows.count == 0
                            continue
                        assert rows.count == conv_output_size(n, k, s, p, d)
                        assert rows.covered + rows.dropped == n + 2 * p
                        assert rows.dropped == (n + 2 * p - extent) % s


def hatched(ax):
    return [a for a in ax.patches if a.get_hatch()]


def test_draw_windows_marks_what_the_floor_drops():
    fig = draw_windows(7, 7, 3, 3)
    ax = fig.axes[0]
    assert fig.texts[0].get_text() == "7×7 input, kernel 3×3, stride 3×3 → output 2×2"
    cells = hatched(ax)  # every input pixel that no window reads: the last row and the last column
    assert len(cells) == 7 * 7 - 6 * 6 and {(c.get_width(), c.get_height()) for c in cells} == {(1, 1)}
    assert {tuple(int(v + 0.5) for v in c.get_xy()) for c in cells} == \
        {(6, r) for r in range(7)} | {(c, 6) for c in range(7)}
    # Gaps between windows are hatched too: a 1x1 kernel with stride 2 reads 16 of 64 pixels.
    assert len(hatched(draw_windows(8, 8, 1, 2).axes[0])) == 48
    starts = ax.collections[-1].get_offsets()  # window starts, (x=col, y=row)
    assert sorted(map(tuple, np.asarray(starts).astype(int))) == [(0, 0), (0, 3), (3, 0), (3, 3)]
    assert hatched(draw_windows(7, 7, 3, 2).axes[0]) == []


def test_draw_windows_shows_padding_and_dilated_taps():
    fig = draw_windows(5, 5, 3, stride=1, padding=1, dilation=2)
    ax = fig.axes[0]
    assert "padding 1×1" in fig.texts[0].get_text() and "dilation 2×2" in fig.texts[0].get_text()
    assert texts(ax).count("0") == 7 * 7 - 5 * 5  # padding cells are marked 0
    taps = np.asarray(ax.collections[-2].get_offsets()).astype(int)
    assert sorted(map(tuple, taps)) == [(c, r) for c in (0, 2, 4) for r in (0, 2, 4)]


def test_draw_windows_when_the_kernel_does_not_fit():
    fig = draw_windows(3, 3, 5)
    assert fig.texts[0].get_text().endswith("kernel does not fit")
    dashed = [a for a in fig.axes[0].patches if a.get_linestyle() == "--"]
    assert len(dashed) == 1 and dashed[0].get_width() == 5
    with pytest.raises(ValueError, match="stride"):
        draw_windows(5, 5, 3, stride=0)


def test_draw_windows_legend_optional():
    assert len(draw_windows(7, 7, 3, 3).legends) == 1
    assert len(draw_windows(7, 7, 3, 3, legend=False).legends) == 0
