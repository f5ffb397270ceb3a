"""Text in figures is no smaller than the caption text (second edition, figures item).

The minimum is the font size of a figure caption in the web book. Measured in
Chromium (Playwright) on the built page
_build/browser-tests/_build/html/book/10_training.html: the computed
``font-size`` of ``figure figcaption`` is 16px at a 1280 x 800 viewport (and
also at 1440, 1920 and at a 390 px phone width). sphinx-book-theme's
``font-size: .9em`` applies only to margin captions, not to these. At
1280 x 800 the text column shows an image at most 672 px wide; a wider figure is
scaled down to that, text and all (cnnbook.plots._base.COLUMN_PX).
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from cnnbook.plots import show_grid
from cnnbook.plots._base import (
    COLUMN_PX,
    MIN_TEXT_PX,
    _measure,
    display_scale,
    drawn_text_px,
    enlarge_small_text,
    figure_for_display,
    new_figure,
    smallest_text_px,
)

CAPTION_PX = 16  # computed font-size of <figcaption> in the web book, see the module docstring
BOOK = Path(__file__).resolve().parent.parent / "book"


def test_the_minimum_is_the_caption_size():
    assert MIN_TEXT_PX == CAPTION_PX and COLUMN_PX == 672


def stored_figures():
    for path in sorted(BOOK.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb["cells"]):
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    yield f"{path.stem} cell {index}", output.get("metadata", {}).get("image/png", {})


FIGURES = list(stored_figures())


def test_the_book_has_figures():
    assert len(FIGURES) > 50


@pytest.mark.parametrize("where, metadata", FIGURES, ids=[where for where, _ in FIGURES])
def test_every_stored_figure_shows_text_at_least_the_caption_size(where, metadata):
    assert "cnnbook_min_text_px" in metadata, f"{where}: no cnnbook_min_text_px (re-execute the chapter)"
    smallest = metadata["cnnbook_min_text_px"]
    assert smallest is None or smallest >= CAPTION_PX, (
        f"{where}: smallest text displays at {smallest} px, below the caption's {CAPTION_PX} px")
    assert {"width", "height"} <= set(metadata)


# ------------------------------------------------------------- smallest_text_px

def noted(width=4.0, height=3.0, note_pt=9.0):
    """A figure whose content fills it (an axes without decoration), with one note."""
    fig = new_figure(width, height)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.text(0.5, 0.5, "note", fontsize=note_pt, ha="center")
    return fig, ax


def test_smallest_text_px_converts_points_at_the_figure_dpi():
    fig, _ = noted(note_pt=9)
    assert smallest_text_px(fig) == pytest.approx(9 * 80 / 72)       # 10 px
    fig, ax = noted(note_pt=18)
    ax.set_title("title", fontsize=12)
    assert smallest_text_px(fig) == pytest.approx(12 * 80 / 72)      # now the title is smallest


def test_an_image_wider_than_the_column_is_scaled_down():
    fig, _ = noted(width=12.0, note_pt=9)             # 12.1 in with the margin: 968 px shown at 672
    assert display_scale(968) == pytest.approx(672 / 968)
    assert smallest_text_px(fig) == pytest.approx(10 * 672 / 968)
    assert smallest_text_px(fig, column_px=2000) == pytest.approx(10.0)


def test_hidden_empty_and_off_limits_text_does_not_count():
    fig, ax = noted(note_pt=20)
    ax.text(0.5, 0.5, "hidden", fontsize=5).set_visible(False)
    ax.text(0.5, 0.5, "   ", fontsize=5)
    ax.text(0.5, 0.5, "", fontsize=5)
    assert smallest_text_px(fig) == pytest.approx(20 * 80 / 72)
    other = fig.add_axes((0.1, 0.1, 0.2, 0.2))
    other.set_title("in a hidden axes", fontsize=5)
    other.set_visible(False)
    assert smallest_text_px(fig) == pytest.approx(20 * 80 / 72)
    plot = new_figure(4, 3).add_subplot()
    plot.set_xticks([0, 0.5, 2], labels=["0", "0.5", "outside"], fontsize=20)
    plot.set_xlim(0, 1)                                # the tick at 2 is not drawn
    plot.tick_params(axis="y", labelsize=20)
    assert [t for _, t in drawn_text_px(plot.figure) if t == "outside"] == []
    assert smallest_text_px(new_figure(1, 1)) == float("inf")


def test_legends_annotations_cells_and_colorbar_ticks_count():
    def smallest_with(add):
        fig = new_figure(4, 3)
        ax = fig.add_subplot()
        ax.tick_params(labelsize=20)
        add(fig, ax)
        return smallest_text_px(fig)

    px = 6 * 80 / 72
    assert smallest_with(lambda fig, ax: (ax.plot([0, 1], label="a line"), ax.legend(fontsize=6))) == pytest.approx(px)
    assert smallest_with(lambda fig, ax: ax.annotate("note", (0.5, 0.5), fontsize=6)) == pytest.approx(px)
    assert smallest_with(lambda fig, ax: fig.colorbar(ax.imshow(np.eye(3))).ax.tick_params(labelsize=6)
                         ) == pytest.approx(px)
    fig = show_grid(np.arange(64).reshape(8, 8), fontsize=6)
    fig.axes[0].set_title("grid", fontsize=20)
    sizes = [size for size, text in drawn_text_px(fig)]
    assert len(sizes) == 64 + 1 and min(sizes) == pytest.approx(px)  # every cell, and the title


# ------------------------------------------------------------ enlarge_small_text

def test_enlarge_raises_small_text_to_the_minimum_and_keeps_larger_text():
    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    ax.set_title("title", fontsize=9)
    ax.tick_params(labelsize=20)
    assert enlarge_small_text(fig, min_px=16) == pytest.approx(16, abs=0.1)
    assert ax.title.get_fontsize() == pytest.approx(14.4, abs=0.1)   # 16 px at 80 dpi
    assert all(label.get_fontsize() == 20 for label in ax.get_xticklabels())


def test_enlarged_tick_labels_stay_enlarged_when_the_ticks_change():
    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    ax.tick_params(labelsize=6)
    enlarge_small_text(fig)
    ax.set_xlim(0, 100)                                               # new ticks on the next draw
    assert smallest_text_px(fig) >= MIN_TEXT_PX


def test_enlarge_accounts_for_the_scaling_of_wide_images():
    fig, ax = noted(width=16.7, note_pt=9)            # 16.8 in with the margin: 1344 px shown at half size
    assert enlarge_small_text(fig) == pytest.approx(MIN_TEXT_PX, abs=0.1)
    assert ax.texts[0].get_fontsize() == pytest.approx(28.8, abs=0.2)
    with pytest.raises(ValueError, match="min_px"):
        enlarge_small_text(fig, min_px=0)


def test_text_that_cannot_reach_the_minimum_is_reported_not_hidden():
    fig = new_figure(2, 1)
    fig.text(0, 0.5, "a label far wider than its figure, growing with it " * 3, fontsize=6)
    with pytest.warns(UserWarning, match="more room"):
        smallest = enlarge_small_text(fig)
    assert smallest < MIN_TEXT_PX


def test_figure_for_display_enlarges_and_records_the_smallest_text():
    from matplotlib.patches import Rectangle

    fig, ax = noted(note_pt=7)
    fig.add_artist(Rectangle((0.25, 0.25), 0.5, 0.5, transform=fig.transFigure, color="0.8"))
    png, metadata = figure_for_display(fig)
    # the grey square, 160 x 120 px, with a margin of 0.05 in (4 px) all round
    assert metadata["width"] in (168, 170) and metadata["height"] in (128, 130)
    assert metadata["cnnbook_min_text_px"] == 16.0 and ax.texts[0].get_fontsize() >= 14.4
    assert png[:4] == b"\x89PNG"
    assert int.from_bytes(png[16:20], "big") == 2 * metadata["width"]     # rendered at 2x
    assert figure_for_display(new_figure(1, 1))[1]["cnnbook_min_text_px"] is None


@pytest.mark.parametrize("width", [2.0, 2.0125])                   # even and odd widths at 2x
def test_the_margin_is_the_figure_background(width):
    import io

    from matplotlib.patches import Rectangle
    from PIL import Image

    fig = new_figure(width, 1.0)
    fig.add_artist(Rectangle((0.2, 0.2), 0.6, 0.6, transform=fig.transFigure, color="0.5"))
    png, _ = figure_for_display(fig)
    rgba = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    edges = np.concatenate([rgba[0], rgba[-1], rgba[:, 0], rgba[:, -1]])
    assert (edges == 255).all()                                        # opaque white, no stray line


def test_figure_for_display_measures_wide_figures_at_their_displayed_width():
    fig, ax = noted(width=16.7, note_pt=9)             # 1344 px: shown at half size
    ax.add_patch(__import__("matplotlib").patches.Rectangle((0.01, 0.01), 0.98, 0.98, color="0.8"))
    _, metadata = figure_for_display(fig)
    assert metadata["width"] > COLUMN_PX and metadata["cnnbook_min_text_px"] >= MIN_TEXT_PX
    assert ax.texts[0].get_fontsize() == pytest.approx(28.8, rel=0.02)


def test_figure_for_display_keeps_a_label_longer_than_the_figure():
    fig = new_figure(4, 1.5)
    fig.add_subplot().set_ylabel("a label far longer than the figure is tall")
    _, metadata = figure_for_display(fig)
    assert metadata["height"] > 1.5 * 80 + 8                           # the whole label is shown


def test_figure_for_display_keeps_labels_that_stick_out_of_the_figure():
    fig = new_figure(2, 1)
    fig.add_axes((0, 0, 1, 1)).set_ylabel("outside", fontsize=20)  # left of the figure's edge
    _, metadata = figure_for_display(fig)
    assert metadata["width"] > 2 * 80 + 8


# ------------------------------------------- the book's figures, as displayed: no text on text

def overlapping_texts(fig):
    """Pairs of drawn texts whose boxes overlap by more than a pixel each way, after enlarging;
    and pairs of tick labels of one axis less than 4 px apart (a quarter of the 16 px text):
    "11" and "13" 3 px apart read as "1113"."""
    from itertools import combinations

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    enlarge_small_text(fig)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    drawn = {id(prop) for _, _, prop in _measure(fig, COLUMN_PX)[0]}
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in fig.findobj(Text)
             if id(t.get_fontproperties()) in drawn]
    found = [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2)
             if min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 1
             and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 1]
    for ax in fig.axes:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            ticks = [(t.get_text(), t.get_window_extent(renderer)) for t in labels if t.get_visible() and t.get_text()]
            found += [(a, b) for (a, box_a), (b, box_b) in combinations(ticks, 2)
                      if (a, b) not in found
                      and min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > -4
                      and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > -4]
    return found


def test_overlapping_texts_finds_text_on_text():
    fig = new_figure(3, 2)
    fig.text(0.1, 0.5, "one label")
    fig.text(0.15, 0.5, "another")
    assert overlapping_texts(fig) == [("one label", "another")]


def _book_figures():
    from cnnbook import data
    from cnnbook.fcn import Detection
    from cnnbook.plots import (
        architectures,
        backprop,
        beyond,
        diagrams,
        filters,
        grids,
        images,
        invariance,
        losses,
        pooling,
        runs,
        sliding,
        training,
    )

    from cnnbook.arch import trace_layers

    vgg_cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
    vgg16 = [("pool", 2) if c == "M" else ("conv", c, 3, 1, 1) for c in vgg_cfg] + [("fc", 4096)] * 2 + [("fc", 1000)]
    rng = np.random.default_rng(0)
    digit = data.load_digits()[0][0, 0]                                    # (8, 8)
    x5 = np.array([[4, 0, 0, 1, 0], [4, 4, 2, 0, 0], [1, 2, 3, 2, 1], [0, 3, 3, 0, 0], [2, 1, 4, 2, 2]])
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    epochs = np.arange(40)
    history = {"train_loss": 2.3 * np.exp(-epochs / 5), "val_loss": 2.3 * np.exp(-epochs / 6) + 0.3,
               "train_acc": 1 - np.exp(-epochs / 5), "val_acc": 0.9 - 0.8 * np.exp(-epochs / 6)}
    grid = rng.uniform(size=(5, 5))
    return {
        "grid_beside_image": lambda: images.grid_beside_image(data.eight()),
        "show_memory_order": lambda: images.show_memory_order((2, 3)),
        "show_unrolling": lambda: invariance.show_unrolling(digit),
        "show_connectivity": lambda: invariance.show_connectivity(8, 3),
        "show_templates": lambda: invariance.show_templates(
            rng.normal(size=(100, 144)), (12, 12), units=8, dead=np.arange(100) < 3, dead_label="nearly dead"),
        "show_shift_grids": lambda: invariance.show_shift_grids(
            [grid] * 4, ["MLP", "CNN + flatten", "CNN + global max", "MLP, shifted data"], list(range(-2, 3))),
        "show_equivariance": lambda: invariance.show_equivariance(digit, np.roll(digit, 1, 0), digit,
                                                                   np.roll(digit, 1, 0), (1, 0)),
        "sliding_steps": lambda: sliding.sliding_steps(x5, sobel),
        "sliding_steps, padded": lambda: sliding.sliding_steps(x5, sobel, padding=1),
        "show_grids": lambda: filters.show_grids(
            [rng.uniform(size=(7, 7)), sobel, rng.normal(size=(5, 5))],
            ["photo pixels (window outlined)", "Sobel x", "responses (this one outlined)"]),
        "show_responses": lambda: filters.show_responses(
            rng.uniform(size=(32, 32)), [sobel, np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256],
            [rng.normal(size=(30, 30)), rng.uniform(size=(28, 28))], ["Sobel x", "Gaussian"]),
        "draw_fibre": lambda: filters.draw_fibre(C=3, K=4, size=7, F=3, position=(2, 3)),
        "show_pooling": lambda: pooling.show_pooling(rng.integers(0, 10, size=(4, 4)), 2, mode="avg"),
        "draw_lenet": lambda: diagrams.draw_lenet(32),
        "plot_schedule": lambda: architectures.plot_schedule(trace_layers(vgg16, (3, 224, 224)), "VGG-16"),
        "plot_receptive_growth": lambda: beyond.plot_receptive_growth(3, (1, 2, 4, 8), channels=64),
        "show_pooling, avg": lambda: pooling.show_pooling(np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]),
                                                          2, mode="avg"),
        "plot_map_sizes": lambda: architectures.plot_map_sizes(32, kernel_sizes=(3, 5), n_layers=16),
        "plot_binary_losses": lambda: losses.plot_binary_losses(-6, 6, t=1),
        "grid_row": lambda: backprop.grid_row([np.eye(3)] * 5, [f"δ{k}·F on window {k}" for k in range(5)],
                                              symbols=["+"] * 4),
        "grid_row, two decimals": lambda: backprop.grid_row([rng.uniform(size=(2, 2))] * 6,
                                                            ["window x", "p = 1", "p = 2", "p = 4", "p = 16", "max"]),
        "plot_curves": lambda: training.plot_curves(history, marks={"early stop: best validation loss (epoch 24)": 24}),
        "show_filters, ncols=4": lambda: grids.show_filters(rng.normal(size=(16, 1, 3, 3)) * 0.4, ncols=4),
        "show_activations": lambda: training.show_activations(rng.uniform(size=(16, 8, 8)), ncols=8),
        "plot_agreement": lambda: runs.plot_agreement(2.3 - 0.01 * epochs, 2.3 - 0.01 * epochs + 4e-16),
        "plot_runs": lambda: runs.plot_runs({"plain": history["val_loss"], "weight decay 0.01": history["train_loss"]}),
        "draw_score_map": lambda: beyond.draw_score_map(28, 14, 2, picks=[(0, 0), (0, 1), (7, 7)]),
        "show_detections": lambda: beyond.show_detections(
            rng.uniform(size=(16, 40)), rng.integers(-25, 13, size=(5, 17)).astype(float),
            [Detection(0, 0, 3, 3.0), Detection(6, 12, 7, 2.0)], 8, 2),
    }


BOOK_FIGURES = _book_figures()


@pytest.mark.slow  # draws 25 of the book's figures twice each (about 1 s a figure)
@pytest.mark.parametrize("name", list(BOOK_FIGURES))
def test_book_figures_have_no_text_on_text_at_the_caption_size(name):
    fig = BOOK_FIGURES[name]()
    assert overlapping_texts(fig) == []
    assert smallest_text_px(fig) >= MIN_TEXT_PX - 0.05


@pytest.mark.parametrize("call, message", [
    (lambda: smallest_text_px("a figure"), "fig must be a matplotlib Figure, got str"),
    (lambda: smallest_text_px(new_figure(2, 1), column_px=0), "column_px must be a positive number of pixels, got column_px=0"),
    (lambda: display_scale(-5), "width_px must be a positive number of pixels, got width_px=-5"),
    (lambda: enlarge_small_text(new_figure(2, 1), min_px=0), "min_px must be positive, got 0"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises((TypeError, ValueError), match=re.escape(message)):
        call()


@pytest.mark.slow  # draws VGG's schedule twice
def test_overlapping_texts_finds_tick_labels_that_read_as_one():
    # VGG's 13 conv layers with every second one ticked: "11" and "13" 3 px apart read as "1113".
    fig = BOOK_FIGURES["plot_schedule"]()
    for ax in fig.axes:
        ax.set_xticks(range(1, 14, 2))
    assert ("11", "13") in overlapping_texts(fig)
    for ax in fig.axes:
        ax.set_xticks(range(1, 14, 3))
    assert overlapping_texts(fig) == []
