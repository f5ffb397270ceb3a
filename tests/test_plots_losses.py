"""Tests for cnnbook.plots.losses: the curves and bars are cnnbook's own numbers."""

import numpy as np
import pytest

import cnnbook
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
