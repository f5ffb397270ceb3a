"""Text in every figure is no smaller than the web book's caption text.

The rule lives in :func:`cnnbook.plots._base.min_font_pt`: a figure ``w``
inches wide shows at ``min(w*DPI, COLUMN_PX)`` CSS pixels, so its text must be
at least ``CAPTION_PX * 72 * w / min(w*DPI, COLUMN_PX)`` points. Every public
figure function of :mod:`cnnbook.plots` is drawn here once, with arguments like
the chapters', and every visible text (titles, labels, tick labels, legends,
annotations, numbers in cells) is measured after rendering.
"""

import importlib
import inspect
import pkgutil

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import cnnbook.plots
from cnnbook.plots import _base
from cnnbook.plots._base import CAPTION_PX, COLUMN_PX, DPI, min_font_pt, text_artists

#: Functions of cnnbook.plots that draw no figure (geometry, data, animations of frames
#: that are each one call of a figure function tested below).
NOT_FIGURES = {
    "architectures.receptive_boxes", "beyond.receptive_growth", "diagrams.lenet_layers",
    "diagrams.unread_pixels", "diagrams.window_geometry", "diagrams.windows_to_draw",
    "filters.common_denominator", "grids.as_2d", "images.block_mean", "images.memory_order",
    "images.quantise", "invariance.connectivity_counts", "losses.binary_loss_curves",
    "pooling.pool_grid", "receptive.receptive_field_units", "sliding.sum_of_products",
    "sliding.sliding_animation", "sliding.sliding_animation_html",
}


def _rng():
    return np.random.default_rng(0)


def _camera():
    from cnnbook import data
    return data.photo("camera", gray=True, size=(64, 64))


def _digit():
    img = np.zeros((12, 12))
    img[2:10, 4] = img[2, 4:8] = img[9, 4:8] = img[2:10, 7] = 1.0
    return img


def _rows():
    from cnnbook.arch import trace_layers
    return trace_layers([("conv", 6, 5), ("pool", 2), ("conv", 16, 5), ("pool", 2), ("fc", 120), ("fc", 84),
                         ("fc", 10)], (1, 32, 32))


def _vgg_rows():
    from cnnbook.arch import trace_layers
    layers = []
    for k, n in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        layers += [("conv", k, 3, 1, 1)] * n + [("pool", 2)]
    return trace_layers(layers + [("fc", 4096), ("fc", 4096), ("fc", 1000)], (3, 224, 224))


def _detections():
    from cnnbook.fcn import Detection
    return [Detection(2, 4, 7, 3.0), Detection(10, 14, 3, 1.5)]


def _scales(ratio):
    """What cnnbook.deep.layer_scales measures, for a network whose scale changes by ratio a layer."""
    from types import SimpleNamespace
    layers = np.arange(8)
    return SimpleNamespace(activation_std=ratio ** layers, gradient_std=ratio ** -layers)


def _sobel():
    return np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])


#: One call like the book's for every figure function, by "module.function".
CALLS = {
    "architectures.plot_costs": lambda m: m.plot_costs(_rows(), "LeNet-5, one 32×32 image"),
    "architectures.plot_coverage": lambda m: m.plot_coverage(8, 3, (0, 1)),
    "architectures.plot_map_sizes": lambda m: m.plot_map_sizes(32, kernel_sizes=(3, 5), n_layers=16),
    "architectures.plot_receptive_field": lambda m: m.plot_receptive_field(
        {"3×3 convs": ([3] * 6, [1] * 6), "3×3 convs, pool every 2": ([3, 3, 2] * 2, [1, 1, 2] * 2)}),
    "architectures.plot_schedule": lambda m: m.plot_schedule(_vgg_rows(), "VGG-16 on a 224×224 image"),
    "architectures.plot_size_profiles": lambda m: m.plot_size_profiles(
        {"LeNet-5": (_rows(), 32), "VGG-16": (_vgg_rows(), 224)}),
    "architectures.show_receptive_fields": lambda m: m.show_receptive_fields(
        np.zeros((18, 18)), [3, 3, 2], [1, 1, 2], [1, 1, 0], labels=["conv 1", "conv 2", "pool"]),
    "backprop.grid_row": lambda m: m.grid_row(
        [np.arange(16.0).reshape(4, 4), np.array([[1.0, -1.0], [0.5, 2.0]]), np.arange(9.0).reshape(3, 3)],
        ["input X", "δ = dL/dO", "dL/dF"], symbols=["⋆", "="]),
    "beyond.draw_score_map": lambda m: m.draw_score_map(28, 14, 2, picks=[(0, 0), (0, 1), (7, 7)]),
    "beyond.draw_shape_flow": lambda m: m.draw_shape_flow(
        [("input", (1, 28, 28)), ("conv", (8, 28, 28)), ("pool", (8, 14, 14)), ("conv", (16, 14, 14)),
         ("pool", (16, 7, 7)), ("up", (16, 14, 14)), ("conv", (8, 14, 14)), ("up", (8, 28, 28)),
         ("scores", (3, 28, 28))], skips=[(2, 5), (1, 8)]),
    "beyond.plot_receptive_growth": lambda m: m.plot_receptive_growth(3, (1, 2, 4, 8), channels=64),
    "beyond.show_detections": lambda m: m.show_detections(
        np.zeros((28, 40)), _rng().normal(size=(11, 17)), _detections(), window=8, stride=2),
    "beyond.show_segmentation": lambda m: m.show_segmentation(
        np.zeros((3, 16, 24)), _rng().integers(0, 3, (3, 16, 24)), _rng().integers(0, 3, (3, 16, 24)),
        ["digit 0", "digit 1", "background"], ious=[0.9, 0.8, 0.95]),
    "deeper.draw_residual_block": lambda m: m.draw_residual_block(),
    "deeper.plot_layer_scales": lambda m: m.plot_layer_scales(
        {"std 0.01": _scales(0.5), "He init": _scales(1.0), "std 1": _scales(2.0)}, title="scales per layer"),
    "diagrams.draw_lenet": lambda m: m.draw_lenet(32),
    "diagrams.draw_windows": lambda m: m.draw_windows(9, 9, 3, stride=4, dilation=2, padding=1),
    "filters.draw_fibre": lambda m: m.draw_fibre(C=3, K=4, size=7, F=3, position=(2, 3)),
    # Chapter 3's: 15 columns of two-decimal numbers, too many for one row at the caption's size.
    "filters.show_grids": lambda m: m.show_grids(
        [_rng().random((7, 7)), _sobel(), _rng().normal(size=(5, 5)) * 1.5],
        ["photo pixels (window outlined)", "Sobel x", "responses (this one outlined)"]),
    "filters.show_responses": lambda m: m.show_responses(
        _camera(), [_sobel(), _sobel().T, np.full((5, 5), 1 / 25), np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256,
                    np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]])],
        [np.zeros((30, 30))] * 5, ["Sobel x", "Sobel y", "box blur", "Gaussian", "sharpen"]),
    "grids.show_channels": lambda m: m.show_channels(_rng().integers(0, 256, (3, 32, 32), dtype=np.uint8)),
    "grids.show_feature_maps": lambda m: m.show_feature_maps(
        _rng().random((6, 28, 28)), ncols=6, image=_rng().random((32, 32, 3))),
    "grids.show_filters": lambda m: m.show_filters(_rng().normal(size=(8, 1, 3, 3))),
    "grids.show_grid": lambda m: m.show_grid(_rng().integers(0, 256, (7, 7)), origin=(10, 20),
                                             title="a 7×7 crop"),
    "grids.show_image": lambda m: m.show_image(_digit(), title="validation digit 3, label 7"),
    "images.grid_beside_image": lambda m: m.grid_beside_image((_digit() * 255).astype(np.uint8)),
    "images.show_memory_order": lambda m: m.show_memory_order((2, 3)),
    "images.show_quantisation": lambda m: m.show_quantisation(_camera(), levels=(256, 16, 4, 2)),
    "images.show_resolution": lambda m: m.show_resolution(_camera(), factors=(1, 4, 16, 32)),
    "invariance.show_connectivity": lambda m: m.show_connectivity(n_in=8, kernel_size=3),
    "invariance.show_equivariance": lambda m: m.show_equivariance(
        _digit(), np.roll(_digit(), 2, axis=1), _digit()[1:-1, 1:-1], np.roll(_digit()[1:-1, 1:-1], 2, axis=1),
        (0, 2)),
    "invariance.show_shift_grids": lambda m: m.show_shift_grids(
        [_rng().random((7, 7)), _rng().random((7, 7))], ["MLP", "CNN"], range(-3, 4)),
    "invariance.show_templates": lambda m: m.show_templates(
        _rng().normal(size=(16, 144)), (12, 12), units=8, dead=np.arange(16) == 3),
    "invariance.show_unrolling": lambda m: m.show_unrolling(np.arange(36.0).reshape(6, 6)),
    "losses.plot_binary_losses": lambda m: m.plot_binary_losses(-6, 6, t=1),
    "losses.plot_softmax_gradient": lambda m: m.plot_softmax_gradient(
        [2.0, 1.0, 0.1, -1.0], target=1, class_names=["cat", "dog", "car", "tree"]),
    "pooling.plot_shift_sensitivity": lambda m: m.plot_shift_sensitivity(
        [0, 1, 2, 3], {"pixels": [0, 1.0, 1.2, 1.3], "max pool 2×2": [0, 0.5, 0.9, 1.0]}),
    "pooling.show_pooling": lambda m: m.show_pooling(_rng().integers(0, 10, (4, 4)), 2, mode="max"),
    "receptive.draw_receptive_field": lambda m: m.draw_receptive_field([3, 3, 3], strides=[2, 2, 1]),
    "runs.plot_agreement": lambda m: m.plot_agreement(np.linspace(2, 0.5, 20), np.linspace(2, 0.5, 20) + 1e-9),
    "runs.plot_runs": lambda m: m.plot_runs(
        {"lr = 0.1": np.linspace(2.3, 0.2, 30), "lr = 0.01": np.linspace(2.3, 1.2, 30)}, ylabel="training loss"),
    "sliding.draw_sliding_step": lambda m: m.draw_sliding_step(np.arange(25).reshape(5, 5), _sobel(), 1, 2),
    "sliding.sliding_steps": lambda m: m.sliding_steps(np.arange(25).reshape(5, 5), _sobel(), stride=2,
                                                       padding=1),
    "training.plot_confusion": lambda m: m.plot_confusion(
        np.diag([50, 48, 45, 50, 47, 44, 49, 50, 46, 45]) + np.eye(10, k=1, dtype=int) * 2),
    "training.plot_curves": lambda m: m.plot_curves(
        {"train_loss": np.linspace(2, 0.1, 20), "val_loss": np.linspace(2, 0.3, 20),
         "train_acc": np.linspace(0.2, 0.99, 20), "val_acc": np.linspace(0.2, 0.95, 20)},
        labels={"train_loss": "training (during the epoch)"}, marks={"lr ÷ 10": 14.5}),
    "training.show_activations": lambda m: m.show_activations(_rng().random((16, 8, 8)), ncols=8),
}


def _public_functions():
    """'module.function' for every public function defined in a module of cnnbook.plots."""
    names = set()
    for info in pkgutil.iter_modules(cnnbook.plots.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"cnnbook.plots.{info.name}")
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and func.__module__ == module.__name__:
                names.add(f"{info.name}.{name}")
    return names


def test_every_figure_function_is_checked():
    public = _public_functions()
    missing = sorted(public - set(CALLS) - NOT_FIGURES)
    stale = sorted((set(CALLS) | NOT_FIGURES) - public)
    assert not missing, f"figure functions with no call in CALLS: {missing}"
    assert not stale, f"CALLS or NOT_FIGURES name functions that no longer exist: {stale}"


def test_min_font_pt_follows_the_shown_width():
    # A figure that fits the column shows at DPI pixels per inch: 16 px = 14.4 pt at 80 dpi.
    narrow = COLUMN_PX / DPI / 2
    assert min_font_pt(narrow) == pytest.approx(CAPTION_PX * 72 / DPI)
    # Twice the column's width: scaled down by half, so the text must be twice as large.
    wide = 2 * COLUMN_PX / DPI
    assert min_font_pt(wide) == pytest.approx(2 * CAPTION_PX * 72 / DPI)
    # The shown size of text at the minimum is the caption's size, whatever the width.
    for width in (1.0, 6.0, 8.4, 9.0, 12.0):
        shown_px = min(width * DPI, COLUMN_PX)
        assert min_font_pt(width) * shown_px / (72 * width) == pytest.approx(CAPTION_PX, abs=0.01)
    with pytest.raises(ValueError, match="width_in"):
        min_font_pt(0)


def test_raise_small_text_lifts_only_small_text():
    fig = _base.new_figure(4, 3)
    ax = fig.add_subplot()
    small = ax.text(0, 0, "small", fontsize=6)
    big = ax.set_title("big", fontsize=20)
    _base.raise_small_text(fig)
    FigureCanvasAgg(fig).draw()
    assert small.get_fontsize() == min_font_pt(4)
    assert big.get_fontsize() == 20
    assert min(t.get_fontsize() for t in ax.get_xticklabels()) == min_font_pt(4)


@pytest.fixture(scope="module")
def drawn():
    """Every figure of CALLS, drawn once (rendering is the slow part)."""
    figures = {}
    for key, call in CALLS.items():
        module = importlib.import_module(f"cnnbook.plots.{key.split('.')[0]}")
        fig = call(module)
        assert isinstance(fig, Figure), f"{key} returned {type(fig).__name__}, not a Figure"
        FigureCanvasAgg(fig).draw()  # a figure made without pyplot has no drawing canvas of its own
        figures[key] = fig
    return figures


@pytest.mark.parametrize("key", sorted(CALLS))
def test_no_text_smaller_than_the_caption(drawn, key):
    fig = drawn[key]
    floor = min_font_pt(fig.get_figwidth(), fig.dpi)
    texts = text_artists(fig)
    assert texts, f"{key} draws no text at all"
    small = sorted({(round(t.get_fontsize(), 1), t.get_text()[:30]) for t in texts if t.get_fontsize() < floor - 1e-6})
    assert not small, (f"{key}: a {fig.get_figwidth():.1f}-inch figure needs text of at least {floor} pt "
                       f"({CAPTION_PX} px shown); smaller: {small[:8]}")


def _boxes(fig):
    renderer = fig.canvas.get_renderer()
    return [(t, t.get_window_extent(renderer)) for t in text_artists(fig)]


@pytest.mark.parametrize("key", sorted(CALLS))
def test_text_stays_inside_the_figure(drawn, key):
    fig = drawn[key]
    frame = fig.bbox
    outside = [t.get_text()[:30] for t, box in _boxes(fig)
               if box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1 or box.y0 < frame.y0 - 1 or box.y1 > frame.y1 + 1]
    assert not outside, f"{key}: text cut off at the figure's edge: {outside[:6]}"


@pytest.mark.parametrize("key", sorted(CALLS))
def test_texts_do_not_overlap(drawn, key):
    boxes = _boxes(drawn[key])
    clashes = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            # Shared area more than 1 px each way (touching is not overlap).
            if min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 1 and \
                    min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 1:
                clashes.append((a.get_text()[:20], b.get_text()[:20]))
    assert not clashes, f"{key}: overlapping texts: {clashes[:6]}"


@pytest.mark.parametrize("key", sorted(CALLS))
def test_numbers_fit_their_cells(drawn, key):
    """A number printed in a grid cell is narrower than the cell (at the caption's size it needs a bigger cell)."""
    fig = drawn[key]
    renderer = fig.canvas.get_renderer()
    crowded = []
    for ax in fig.axes:
        if not ax.images:
            continue
        x0, x1 = ax.get_xlim()
        cell_px = ax.get_window_extent(renderer).width / abs(x1 - x0)   # one data unit = one cell
        for t in ax.texts:
            x, y = t.get_position()
            on_a_cell = t.get_transform() == ax.transData and float(x).is_integer() and float(y).is_integer()
            if on_a_cell and t.get_visible() and t.get_window_extent(renderer).width > cell_px:
                crowded.append(t.get_text())
    assert not crowded, f"{key}: numbers wider than their cells: {crowded[:8]}"
