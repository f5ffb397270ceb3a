"""Tests for cnnbook.plots.deeper: the scales drawn are the numbers measured, on log axes."""

from types import SimpleNamespace

import numpy as np
import pytest

from cnnbook.plots.deeper import draw_residual_block, plot_layer_scales


def test_layer_scales_draw_each_network_in_both_panels():
    small = SimpleNamespace(activation_std=np.array([1e-2, 1e-4, 1e-6]), gradient_std=np.array([1e-9, 1e-9, 2e-9]))
    he = SimpleNamespace(activation_std=[0.7, 0.6, 0.0, 0.5, 0.5], gradient_std=[1e-3] * 5)
    fig = plot_layer_scales({"std 0.01": small, "He": he}, title="two inits")
    left, right = fig.axes
    assert left.get_yscale() == right.get_yscale() == "log"
    assert [line.get_label() for line in left.lines if not line.get_label().startswith("_")] == ["std 0.01", "He"]
    np.testing.assert_array_equal(left.lines[0].get_ydata(), small.activation_std)
    np.testing.assert_array_equal(right.lines[0].get_ydata(), small.gradient_std)
    np.testing.assert_array_equal(left.lines[1].get_xdata(), np.arange(1, 6))
    assert np.isnan(left.lines[1].get_ydata()[2])                 # an exact 0 has no logarithm: left out
    assert len({line.get_linestyle() for line in left.lines[:2]}) == 2
    assert fig._suptitle.get_text() == "two inits"


@pytest.mark.parametrize("runs, error, word", [
    ({}, ValueError, "non-empty dict"),
    ({"a": 3}, TypeError, "activation_std and gradient_std"),
    ({"a": SimpleNamespace(activation_std=[1.0, 2.0], gradient_std=[1.0])}, ValueError, "one gradient_std per layer"),
    ({str(k): SimpleNamespace(activation_std=[1.0], gradient_std=[1.0]) for k in range(7)}, ValueError, "at most 6"),
])
def test_layer_scales_reject_bad_runs(runs, error, word):
    with pytest.raises(error, match=word):
        plot_layer_scales(runs)


def test_residual_block_draws_the_body_the_add_and_the_identity():
    fig = draw_residual_block(["conv", "batch norm"])
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    assert texts[:3] == ["x", "conv", "batch norm"] and "+" in texts and "identity" in texts
    assert "dx = dout + body.backward(dout)" in texts
    with pytest.raises(ValueError, match="at least one layer"):
        draw_residual_block([])


def test_every_text_is_as_large_as_the_caption_text():
    """16 CSS px in a figure shown min(80 w, 672) px wide: 16 * 72 * w / min(80 w, 672) points."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    s = SimpleNamespace(activation_std=np.logspace(-2, -23, 17), gradient_std=np.full(17, 1e-25))
    for fig in (plot_layer_scales({"std 0.01": s, "He": s, "2 × He": s}, title="t"), draw_residual_block()):
        FigureCanvasAgg(fig).draw()
        w = fig.get_figwidth()
        floor = 16 * 72 * w / min(w * fig.dpi, 672)
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert len(texts) > 8
        small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < floor - 1e-9]
        assert not small, (floor, small)
