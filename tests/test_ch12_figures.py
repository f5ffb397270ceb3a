"""Chapter 12's figures: no two text labels overlap (the first edition's reviews found some)."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from cnnbook.fcn import Detection
from cnnbook.plots.beyond import draw_shape_flow, plot_receptive_growth, show_detections, show_segmentation


def draw(fig):
    """Lay the figure out on an Agg canvas (the book's figures have none) and return its renderer."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def text_overlaps(fig):
    """Pairs of visible, non-empty texts whose drawn boxes intersect."""
    renderer = draw(fig)
    texts = [t for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    return [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[:i] if ba.overlaps(bb)]


def unet_stages():
    return [("input", (1, 32, 32)), ("enc 1", (8, 32, 32)), ("enc 2", (16, 16, 16)),
            ("bottleneck", (32, 8, 8)), ("up 2", (16, 16, 16)), ("+ skip", (32, 16, 16)),
            ("dec 2", (16, 16, 16)), ("up 1", (8, 32, 32)), ("+ skip", (16, 32, 32)),
            ("scores", (3, 32, 32))]


@pytest.mark.parametrize("make", [
    lambda: plot_receptive_growth(3, (1, 2, 4, 8), channels=64),
    lambda: draw_shape_flow(unet_stages(), skips=[(2, 5), (1, 8)]),
    lambda: show_segmentation(np.zeros((2, 16, 24)), np.full((2, 16, 24), 2), np.full((2, 16, 24), 2),
                              ["zero", "one", "background"], ious=[0.74, 0.8, 0.97]),
], ids=["receptive_growth", "shape_flow", "segmentation"])
def test_no_overlapping_labels(make):
    assert text_overlaps(make()) == []


def test_detection_labels_stay_inside_the_image():
    fig = show_detections(np.zeros((16, 40)), np.zeros((5, 17)), [Detection(0, 0, 3, 7.0)], 8, 2)
    ax_img = fig.axes[0]
    renderer = draw(fig)
    label = [t for t in ax_img.texts if t.get_text() == "3"][0]
    title = ax_img.title.get_window_extent(renderer)
    assert not label.get_window_extent(renderer).overlaps(title)
    assert ax_img.get_window_extent(renderer).contains(*label.get_window_extent(renderer).get_points()[0])
