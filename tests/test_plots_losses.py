"""Tests for cnnbook.plots.losses: the curves and bars are cnnbook's own numbers."""

import numpy as np
import pytest

import cnnbook
from cnnbook.plots._base import enlarge_small_text
from cnnbook.plots.losses import binary_loss_curves, plot_binary_losses, plot_softmax_gradient


@pytest.mark.parametrize("t", [0.0, 1.0])
def test_curves_match_cnnbook_and_finite_differences(t):
    z = np.linspace(-5, 5, 21)
    c = binary_loss_curves(z, t)
    for i in (0, 7, 20):
        loss, _ = cnnbook.binary_cross_entropy(cnnbook.sigmoid(z[i:i + 1]), np.array([t]))
        assert c["ce"][i] == pytest.approx(loss)
        f = lambda v: cnnbook.binary_cross_entropy(cnnbook.sigmoid(v), np.array([t]))[0]  # noqa: E731
        assert cnnbook.gradient_check(f, z[i:i + 1], c["ce_grad"][i:i + 1]) < 1e-7
        g = lambda v: ((cnnbook.sigmoid(v) - t) ** 2 / 2).sum()  # noqa: E731
        assert cnnbook.gradient_check(g, z[i:i + 1], c["se_grad"][i:i + 1]) < 1e-7


def test_binary_figure_plots_the_curves():
    fig = plot_binary_losses(-2, 2, t=0, num=5)
    c = binary_loss_curves(np.linspace(-2, 2, 5), 0)
    ax_loss, ax_grad = fig.axes
    np.testing.assert_allclose(ax_loss.lines[0].get_ydata(), c["ce"])
    np.testing.assert_allclose(ax_grad.lines[1].get_ydata(), c["se_grad"])
    assert ax_loss.get_title() == "loss (target t = 0)"


def test_softmax_bars_are_probabilities_and_gradient():
    z = np.array([2.0, 1.0, 0.1, -1.0])
    fig = plot_softmax_gradient(z, 1)
    ax_p, ax_g = fig.axes
    heights_p = [b.get_height() for b in ax_p.patches]
    heights_g = [b.get_height() for b in ax_g.patches]
    np.testing.assert_allclose(heights_p, cnnbook.softmax(z))
    np.testing.assert_allclose(heights_g, cnnbook.softmax_cross_entropy(z[None], np.array([1]))[1][0])
    assert sum(heights_g) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: binary_loss_curves(np.zeros((2, 2))), "z must be a 1-D array"),
    (lambda: binary_loss_curves(np.zeros(3), t=0.5), "t must be 0 or 1"),
    (lambda: plot_binary_losses(1, -1), "z_min must be below z_max"),
    (lambda: plot_softmax_gradient([1.0, 2.0], 2), "target must be an int in"),
    (lambda: plot_softmax_gradient([1.0], 0), "at least 2 scores"),
    (lambda: plot_softmax_gradient([1.0, 2.0], 0, ["a"]), "class_names must have 2"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _drawn(fig):
    """Lay out and draw ``fig`` with Agg; return its renderer (window extents are then final)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _overlap(a, b, tol=0.5):
    """True if two display boxes share an area wider than ``tol`` pixels both ways (touching is not overlap)."""
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


@pytest.mark.parametrize("logits, target", [
    ([2.0, 1.0, 0.1, -1.0], 1),                      # the chapter's figure (cat, dog, car, tree)
    ([9.0, 0.0, 0.0], 0),                            # confident and right: y_c = 1.00, gradient -0.00
    ([-3.0, 8.0, 0.5, 0.4, 0.3], 0),                 # confident and wrong: gradient -1.00 and +1.00
    (np.linspace(-1, 1, 10), 3),                     # ten classes, narrow bars
])
def test_bar_labels_clear_of_bars_and_each_other(logits, target):
    """Every value label lies beyond the end of its own bar, touches no bar and no other label,
    and stays inside its axes (the first edition's "-0.77" sat on the edge of its bar)."""
    fig = plot_softmax_gradient(logits, target)
    renderer = _drawn(fig)
    for ax in fig.axes:
        bars = [p.get_window_extent(renderer) for p in ax.patches]
        labels = [t.get_window_extent(renderer) for t in ax.texts]
        assert len(labels) == len(bars) == len(logits)
        frame = ax.get_window_extent(renderer)
        for k, (bar, label) in enumerate(zip(bars, labels)):
            height = ax.patches[k].get_height()
            if height >= 0:
                assert label.y0 >= bar.y1 + 1, f"label {k} of {ax.get_title()!r} sits on its bar"
            else:
                assert label.y1 <= bar.y0 - 1, f"label {k} of {ax.get_title()!r} sits on its bar"
            assert not any(_overlap(label, other) for other in bars), f"label {k} touches a bar"
            assert not any(_overlap(label, other) for j, other in enumerate(labels) if j != k), \
                f"label {k} of {ax.get_title()!r} overlaps another label"
            assert frame.x0 <= label.x0 and label.x1 <= frame.x1 and frame.y0 <= label.y0 and label.y1 <= frame.y1


def test_bar_labels_print_the_values():
    fig = plot_softmax_gradient([2.0, 1.0, 0.1, -1.0], 1)
    ax_p, ax_g = fig.axes
    assert [t.get_text() for t in ax_p.texts] == ["0.64", "0.23", "0.10", "0.03"]
    assert [t.get_text() for t in ax_g.texts] == ["+0.64", "−0.77", "+0.10", "+0.03"]


@pytest.mark.parametrize("t", [0.0, 1.0])
def test_binary_figure_label_clear_of_the_curves(t):
    """'confidently wrong' crosses neither loss curve (it once sat on the cross-entropy line at z = -6)."""
    fig = plot_binary_losses(-6, 6, t=t)
    enlarge_small_text(fig)                            # as displayed in the book
    renderer = _drawn(fig)
    ax_loss = fig.axes[0]
    (label,) = ax_loss.texts
    box = label.get_window_extent(renderer).padded(2)
    for line in ax_loss.lines:
        xy = line.get_transform().transform(line.get_xydata())
        inside = (box.x0 <= xy[:, 0]) & (xy[:, 0] <= box.x1) & (box.y0 <= xy[:, 1]) & (xy[:, 1] <= box.y1)
        assert not inside.any(), f"the label crosses the {line.get_label()} curve"
    assert not _overlap(box, ax_loss.get_legend().get_window_extent(renderer))


def test_many_classes_leave_the_bars_unlabelled():
    fig = plot_softmax_gradient(np.linspace(-1, 1, 11), 0)
    assert all(len(ax.texts) == 0 for ax in fig.axes)
    assert all(len(ax.patches) == 11 for ax in fig.axes)
