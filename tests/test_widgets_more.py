"""Tests of the loss (ch. 7), SGD (ch. 10) and transposed-convolution (ch. 11) explorers:
pure functions against known answers and the core library, and the ipywidgets wiring."""

import itertools
import re
from html import unescape

import numpy as np
import pytest
from matplotlib.figure import Figure

import cnnbook
from cnnbook.widgets import (
    CLASSES,
    loss_explorer,
    loss_view,
    sgd_path_view,
    training_explorer,
    transpose_explorer,
    transpose_view,
)

EXPLORERS = [loss_explorer, training_explorer, transpose_explorer]


def cells(html):
    return re.findall(r"<td [^>]*>([^<]*)</td>", html)


def img_alts(html):
    return [unescape(a) for a in re.findall(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', html)]


# ---------------------------------------------------------------- loss (chapter 7)

def test_loss_view_softmax_known_answer():
    view = loss_view([2.0, 1.0, 0.1, -1.0], target=1)
    e = np.exp([2.0, 1.0, 0.1, -1.0])
    y = e / e.sum()
    np.testing.assert_allclose(view.probs, y)
    assert view.loss == pytest.approx(-np.log(y[1]))
    assert view.loss == pytest.approx(1.4493, abs=1e-4)
    np.testing.assert_allclose(view.grad, y - [0, 1, 0, 0])
    np.testing.assert_allclose(view.grad, [0.6381, -0.7653, 0.0954, 0.0318], atol=1e-4)
    assert view.summary == "loss = −ln y[dog] = 1.449"
    assert "dL/dz = y − t = (+0.638, −0.765, +0.095, +0.032)" in view.text
    assert view.class_names == ["cat", "dog", "car", "tree"]


def test_loss_view_uniform_logits_give_log_k():
    view = loss_view([0.0, 0.0, 0.0], target=2)
    assert view.loss == pytest.approx(np.log(3))
    np.testing.assert_allclose(view.grad, [1 / 3, 1 / 3, -2 / 3])
    assert view.class_names == ["0", "1", "2"]


def test_loss_view_sigmoids_is_mean_bce_with_gradient_over_k():
    z = np.array([2.0, -1.0, 0.5])
    view = loss_view(z, target=0, mode="sigmoids")
    y = 1 / (1 + np.exp(-z))
    t = np.array([1.0, 0.0, 0.0])
    expected = -(t * np.log(y) + (1 - t) * np.log(1 - y)).mean()
    assert view.loss == pytest.approx(expected)
    np.testing.assert_allclose(view.grad, (y - t) / 3)
    # the same gradient by central differences on cnnbook's loss
    numeric = cnnbook.numerical_gradient(
        lambda v: cnnbook.binary_cross_entropy(cnnbook.sigmoid(v), t)[0], z)
    np.testing.assert_allclose(view.grad, numeric, atol=1e-8)
    assert view.summary == f"loss = mean BCE over 3 outputs = {expected:.3f}"


@pytest.mark.parametrize("kwargs, words", [
    (dict(target=4), "target must be a class index from 0 to 3"),
    (dict(target=-1), "target must be"),
    (dict(target=1.0), "target must be"),
    (dict(logits=[1.0]), "at least 2 finite numbers"),
    (dict(logits=[1.0, np.nan]), "at least 2 finite numbers"),
    (dict(mode="hinge"), "mode must be one of"),
    (dict(class_names=["a", "b"]), "class_names must have 4 entries"),
])
def test_loss_view_disallowed_settings(kwargs, words):
    view = loss_view(**kwargs)
    assert words in view.error and view.probs is None and view.loss is None
    assert view.summary == "No loss" and view.figure() is None and view.picture_html() == ""


def test_loss_view_figure_has_the_numbers():
    view = loss_view()
    fig = view.figure()
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["probabilities y = softmax(z)", "gradient dL/dz = y − t"]
    heights = [bar.get_height() for bar in fig.axes[1].patches]
    np.testing.assert_allclose(heights, view.grad)


def test_loss_wiring():
    ex = loss_explorer()
    assert ex.summary.value == "loss = −ln y[dog] = 1.449" and "cnnbook-loss" in ex.summary._dom_classes
    assert ex.values() == {"z0": 2.0, "z1": 1.0, "z2": 0.1, "z3": -1.0, "target": 1, "mode": "softmax"}
    assert ex.controls["target"].label == "dog"
    before = ex.figure.value
    ex.controls["z1"].value = 3.0  # dog becomes the largest logit
    assert ex.result.loss < 1.449 and ex.figure.value != before
    assert ex.result.probs.argmax() == 1
    ex.controls["target"].value = 3
    expected, _ = cnnbook.softmax_cross_entropy(np.array([[2.0, 3.0, 0.1, -1.0]]), np.array([3]))
    assert ex.summary.value == f"loss = −ln y[tree] = {expected:.3f}"
    assert "tree" in ex.text.value
    ex.controls["mode"].value = "sigmoids"
    assert ex.summary.value.startswith("loss = mean BCE over 4 outputs")
    assert "not a distribution" in ex.text.value


def test_loss_wiring_bad_setting_explains_and_does_not_raise():
    ex = loss_explorer()
    ex.controls["target"].options = [("cat", 0), ("dog", 1), ("car", 2), ("tree", 3), ("bird", 4)]
    ex.controls["target"].value = 4  # a class with no logit
    assert "Not allowed" in ex.error.value and "target must be a class index" in ex.error.value
    assert ex.summary.value == "No loss" and ex.figure.layout.display == "none"
    ex.controls["target"].value = 0
    assert ex.error.value == "" and ex.summary.value == "loss = −ln y[cat] = 0.449"


# ---------------------------------------------------------------- transposed convolution (chapter 11)

def test_transpose_view_checkerboard_known_answer():
    view = transpose_view(3, 3, 2)
    assert view.n_out == 7 and view.summary == "Output shape: 7 × 7"
    row = np.array([1, 1, 2, 1, 2, 1, 1])  # 1-D writes per output position
    np.testing.assert_array_equal(view.counts, np.outer(row, row))
    np.testing.assert_array_equal(view.conv_grad, view.counts)
    assert view.even is False and "checkerboard" in view.text
    assert view.text.splitlines()[0].endswith("= (3 − 1)·2 − 2·0 + (3 − 1) + 0 + 1 = 7")
    assert "identical" in view.text
    # the patch of the centre input pixel (1, 1): rows/cols 2-4
    assert view.footprint.sum() == 9 and view.footprint[2:5, 2:5].all()


def test_transpose_view_even_when_stride_divides_kernel():
    view = transpose_view(3, 4, 2, padding=1)
    assert view.n_out == 6 and view.even is True
    np.testing.assert_array_equal(view.counts[1:-1, 1:-1], 4)
    assert "(4/2)² = 4" in view.text


def test_transpose_view_output_padding_adds_a_row_and_column():
    a, b = transpose_view(3, 3, 2, padding=1), transpose_view(3, 3, 2, padding=1, output_padding=1)
    assert (a.n_out, b.n_out) == (5, 6)
    np.testing.assert_array_equal(b.counts[:5, :5], a.counts)


def test_transpose_view_agrees_with_the_core_on_every_slider_setting():
    for n, k, s, p, op in itertools.product(range(1, 7), range(1, 6), range(1, 5), range(4), range(4)):
        view = transpose_view(n, k, s, p, op)
        try:
            n_out = cnnbook.conv_transpose_output_size(n, k, s, p, op)
        except ValueError:
            assert view.error and view.counts is None and view.summary == "Output shape: none"
            continue
        assert view.error is None and view.n_out == n_out
        expected = cnnbook.conv_transpose2d(np.ones((1, 1, n, n)), np.ones((1, 1, k, k)), stride=s,
                                            padding=p, output_padding=op)[0, 0]
        np.testing.assert_array_equal(view.counts, expected)
        np.testing.assert_array_equal(view.conv_grad, view.counts)


@pytest.mark.parametrize("args, words", [
    ((3, 3, 2, 0, 2), "output_padding=2 must be smaller than the stride"),
    ((1, 1, 1, 1, 0), "crops everything"),
    ((0, 3, 2, 0, 0), "n must be a positive int"),
    ((3, 3, 0, 0, 0), "stride must be"),
    ((3, 0, 1, 0, 0), "kernel_size must be"),
])
def test_transpose_view_disallowed_settings(args, words):
    view = transpose_view(*args)
    assert words in view.error and view.counts is None
    assert view.figure() is None and view.grids() == []


def test_transpose_figure():
    fig = transpose_view().figure()
    assert isinstance(fig, Figure) and fig.axes[0].get_title() == "writes per output pixel (7×7)"


def test_transpose_wiring():
    ex = transpose_explorer()
    assert ex.summary.value == "Output shape: 7 × 7" and "cnnbook-shape" in ex.summary._dom_classes
    assert cells(ex.grids.value) == [str(v) for v in transpose_view().counts.astype(int).ravel()]
    assert ex.grids.value.count('class="cnnbook-hl"') == 9
    ex.controls["kernel_size"].value = 4
    assert ex.summary.value == "Output shape: 8 × 8" and "divides" in ex.text.value
    assert len(cells(ex.grids.value)) == 64
    ex.controls["output_padding"].value = 2  # not smaller than the stride 2
    assert ex.summary.value == "Output shape: none" and "Not allowed" in ex.error.value
    assert ex.grids.layout.display == "none" and ex.error.layout.display is None
    ex.set(stride=3)
    assert ex.error.value == "" and ex.summary.value == "Output shape: 12 × 12"  # (3-1)·3 + 4 + 2 = 12


# ---------------------------------------------------------------- SGD (chapter 10)

def test_sgd_path_plain_gradient_descent_known_answer():
    view = sgd_path_view(lr=0.1, momentum=0.0, steps=3)
    # w_i <- (1 - lr·λ_i) w_i with λ = (1, 10)
    expected = np.array([[-4.0 * 0.9 ** t, 1.5 * 0.0 ** t] for t in range(4)])
    np.testing.assert_allclose(view.path, expected)
    np.testing.assert_allclose(view.losses, 0.5 * (expected[:, 0] ** 2 + 10 * expected[:, 1] ** 2))
    np.testing.assert_allclose(view.factors, [0.9, 0.0], atol=1e-12)
    assert view.diverged is False


def test_sgd_path_matches_the_momentum_recursion():
    lr, mu = 0.05, 0.8
    view = sgd_path_view(lr, mu, steps=25)
    lam = np.array([1.0, 10.0])
    w, v = np.array([-4.0, 1.5]), np.zeros(2)
    for t in range(25):
        v = mu * v + lam * w
        w = w - lr * v
        np.testing.assert_allclose(view.path[t + 1], w)
    # the distance shrinks asymptotically by the predicted factor (complex roots: |r| = sqrt(μ))
    np.testing.assert_allclose(view.factors, [np.sqrt(mu)] * 2)


def test_sgd_path_stability_limit_is_two_times_one_plus_mu():
    lam2 = 10.0
    for mu in (0.0, 0.5, 0.9):
        edge = 2 * (1 + mu) / lam2
        assert sgd_path_view(0.98 * edge, mu, 10).diverged is False
        bad = sgd_path_view(1.02 * edge, mu, 10)
        assert bad.diverged is True and bad.summary.startswith("Diverges")


def test_sgd_path_blow_up_is_cut_not_overflowed():
    view = sgd_path_view(lr=0.3, momentum=0.0, steps=200)
    assert view.diverged and len(view.path) < 201 and np.isfinite(view.losses).all()
    assert "stopped where |w| passed 1e6" in view.summary
    assert view.picture_html().count("<img") == 1


@pytest.mark.parametrize("kwargs, words", [
    (dict(lr=0.0), "lr must be a finite positive number"),
    (dict(momentum=1.0), "momentum must be in [0, 1)"),
    (dict(momentum=-0.1), "momentum must be"),
    (dict(steps=0), "steps must be a whole number"),
    (dict(steps=2.5), "steps must be a whole number"),
    (dict(curvatures=(1.0, -1.0)), "curvatures must be two positive numbers"),
])
def test_sgd_path_disallowed_settings(kwargs, words):
    view = sgd_path_view(**kwargs)
    assert words in view.error and view.path is None and view.summary == "No path"
    assert view.figure() is None and view.picture_html() == ""


def test_sgd_figure():
    view = sgd_path_view()
    fig = view.figure()
    assert isinstance(fig, Figure)
    line = fig.axes[0].lines[0]
    np.testing.assert_allclose(line.get_xdata(), view.path[:, 0])


def test_training_wiring():
    ex = training_explorer()
    assert ex.summary.value == sgd_path_view(0.15, 0.0, 30).summary and "cnnbook-sgd" in ex.summary._dom_classes
    before = ex.figure.value
    ex.controls["momentum"].value = 0.5
    assert ex.result.momentum == 0.5 and ex.figure.value != before
    assert ex.result.losses[-1] < sgd_path_view(0.15, 0.0, 30).losses[-1]  # momentum helps here
    ex.set(lr=0.25, momentum=0.0)
    assert ex.summary.value.startswith("Diverges") and "diverges" in ex.text.value
    ex.controls["steps"].value = 5
    assert len(ex.result.path) == 6
    ex.controls["lr"].value = 0.0  # clamped by the slider to its minimum: still a valid setting
    assert ex.result.lr == 0.01 and ex.error.value == ""


def test_training_wiring_bad_setting_explains_and_does_not_raise():
    ex = training_explorer()
    ex.controls["momentum"].max = 1.0
    ex.controls["momentum"].value = 1.0
    assert "Not allowed" in ex.error.value and "momentum must be in [0, 1)" in ex.error.value
    assert ex.summary.value == "No path" and ex.figure.layout.display == "none"


# ---------------------------------------------------------------- all three

@pytest.mark.parametrize("make", EXPLORERS)
def test_new_explorers_start_meaningful_labelled_and_fast(make):
    ex = make()
    assert ex.result.error is None
    assert CLASSES["root"] in ex._dom_classes and f"cnnbook-{ex.name}" in ex._dom_classes
    for name, control in ex.controls.items():
        assert control.description, name
        assert f"cnnbook-control-{name}" in control._dom_classes
    for part in ("summary", "text", "error", "figure", "grids"):
        assert CLASSES[part] in getattr(ex, part)._dom_classes
    assert ex.summary.value and ex.error.value == "" and ex.error.layout.display == "none"
    assert ex.figure.value or ex.grids.value
    if ex.figure.value:
        assert img_alts(ex.figure.value) == [ex.result.alt]
    ex.update()
    assert ex.last_redraw_ms < 250  # no matplotlib in a redraw


def test_sgd_text_names_the_motion_along_each_axis():
    lines = sgd_path_view(0.15, 0.0, 30).text.splitlines()
    assert lines[1].endswith("factor 0.850; converges, slides straight in")  # 1 - 0.15·1
    assert lines[2].endswith("factor 0.500; converges, zigzags across the minimum")  # 1 - 0.15·10 = -0.5
    assert "oscillates around the minimum" in sgd_path_view(0.15, 0.5, 30).text  # complex roots
    assert "lands on the minimum in one step" in sgd_path_view(0.1, 0.0, 3).text


def test_transpose_text_explains_output_padding():
    inside = transpose_view(3, 3, 2, padding=1, output_padding=1)
    assert "still inside the patches" in inside.text and inside.counts[-1].min() > 0
    beyond = transpose_view(3, 3, 2, padding=0, output_padding=1)
    assert "the last 1 lies beyond every patch (0 writes)" in beyond.text
    assert (beyond.counts[-1] == 0).all() and (beyond.counts[:, -1] == 0).all()
