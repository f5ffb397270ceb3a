"""Tests of the loss (ch. 7), SGD (ch. 10) and transposed-convolution (ch. 11) explorers:
pure functions against known answers and the core library, and the ipywidgets wiring."""

import itertools
import json

import numpy as np
import pytest

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
    state = view.state()
    assert state["summary"] == "No loss" and state["error"] == view.error == state["text"]
    assert state["picture"] is None and state["grids"] == []


def test_loss_state_is_the_bars_of_y_and_the_gradient():
    view = loss_view()
    picture = view.state()["picture"]
    assert picture["kind"] == "loss-bars" and picture["mode"] == "softmax" and picture["grad_limit"] == 1.0
    assert picture["names"] == ["cat", "dog", "car", "tree"] and picture["target"] == 1
    np.testing.assert_allclose(picture["probs"], view.probs)
    np.testing.assert_allclose(picture["grad"], view.probs - [0, 1, 0, 0])
    assert picture["alt"] == ("Two bar charts over 4 classes, true class dog hatched. Probabilities: cat 0.64, "
                              "dog 0.23, car 0.10, tree 0.03. Gradient: cat +0.64, dog -0.77, car +0.10, tree +0.03. "
                              "loss = −ln y[dog] = 1.449.")
    assert picture["caption"] == "loss = −ln y[dog] = 1.449. Left: probabilities; right: the gradient, y − t."
    sig = loss_view([0.0, 0.0, 0.0], target=2, mode="sigmoids").state()["picture"]
    assert sig["grad_limit"] == pytest.approx(1 / 3) and sig["caption"].endswith("(y − t)/3.")
    np.testing.assert_allclose(sig["grad"], [0.5 / 3, 0.5 / 3, -0.5 / 3])
    json.dumps(view.state(), allow_nan=False)  # the page gets it as JSON


def test_loss_certain_prediction_prints_zero_not_minus_zero():
    view = loss_view([1000.0, 0.0, 0.0, 0.0], target=0)
    assert view.loss == 0 and view.summary == "loss = −ln y[cat] = 0.000"
    assert loss_view([1000.0, -1000.0], target=0, mode="sigmoids").summary.endswith("= 0.000")


def test_loss_wiring():
    ex = loss_explorer()
    assert ex.state["summary"] == "loss = −ln y[dog] = 1.449" and ex.view.summary_class == "cnnbook-loss"
    assert ex.values() == {"z0": 2.0, "z1": 1.0, "z2": 0.1, "z3": -1.0, "target": 1, "mode": "softmax"}
    assert ex.controls["target"].label == "dog" and ex.data == {"names": ["cat", "dog", "car", "tree"],
                                                                "modes": ["softmax", "sigmoids"]}
    before = ex.view.state["picture"]
    ex.controls["z1"].value = 3.0  # dog becomes the largest logit
    assert ex.result.loss < 1.449 and ex.view.state["picture"]["probs"] != before["probs"]
    assert ex.result.probs.argmax() == 1
    ex.controls["target"].value = 3
    expected, _ = cnnbook.softmax_cross_entropy(np.array([[2.0, 3.0, 0.1, -1.0]]), np.array([3]))
    assert ex.view.state["summary"] == f"loss = −ln y[tree] = {expected:.3f}"
    assert "tree" in ex.view.state["text"] and ex.view.state["picture"]["target"] == 3
    ex.controls["mode"].value = "sigmoids"
    assert ex.view.state["summary"].startswith("loss = mean BCE over 4 outputs")
    assert "not a distribution" in ex.view.state["text"] and ex.view.state["picture"]["mode"] == "sigmoids"


def test_loss_wiring_bad_setting_explains_and_does_not_raise():
    ex = loss_explorer()
    ex.controls["target"].options = [("cat", 0), ("dog", 1), ("car", 2), ("tree", 3), ("bird", 4)]
    ex.controls["target"].value = 4  # a class with no logit
    assert ex.view.state["error"] == "target must be a class index from 0 to 3; got target=4"
    assert ex.view.state["summary"] == "No loss" and ex.view.state["picture"] is None
    ex.controls["target"].value = 0
    assert ex.view.state["error"] is None and ex.view.state["summary"] == "loss = −ln y[cat] = 0.449"


# ---------------------------------------------------------------- transposed convolution (chapter 12)

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
    state = view.state()
    assert state["grids"] == [] and state["picture"] is None and state["error"] == view.error


def test_transpose_state_is_the_count_grid_with_the_centre_patch_outlined():
    state = transpose_view(3, 3, 2).state()
    (grid,) = state["grids"]
    row = [1, 1, 2, 1, 2, 1, 1]
    assert grid["values"] == np.outer(row, row).tolist() and grid["cmap"] == "cividis" and grid["vmin"] == 0
    assert grid["fmt"] == "{:.0f}" and np.array(grid["highlight"]).sum() == 9
    assert np.array(grid["highlight"])[2:5, 2:5].all()  # the patch of input pixel (1, 1)
    assert grid["caption"].startswith("input pixels writing to each of the 7 × 7 output pixels")
    assert state["picture"] is None and state["summary"] == "Output shape: 7 × 7"


def test_transpose_wiring():
    ex = transpose_explorer()
    assert ex.state["summary"] == "Output shape: 7 × 7" and ex.view.summary_class == "cnnbook-shape"
    assert ex.state["grids"][0]["values"] == transpose_view().counts.tolist()
    ex.controls["kernel_size"].value = 4
    assert ex.view.state["summary"] == "Output shape: 8 × 8" and "divides" in ex.view.state["text"]
    assert np.shape(ex.view.state["grids"][0]["values"]) == (8, 8)
    ex.controls["output_padding"].value = 2  # not smaller than the stride 2
    assert ex.view.state["summary"] == "Output shape: none"
    assert ex.view.state["error"].startswith("output_padding=2 must be smaller than the stride")
    assert ex.view.state["grids"] == []
    ex.set(stride=3)
    assert ex.view.state["error"] is None and ex.view.state["summary"] == "Output shape: 12 × 12"  # (3-1)·3 + 4 + 2


# ---------------------------------------------------------------- SGD (chapter 10)

def test_sgd_path_plain_gradient_descent_known_answer():
    view = sgd_path_view(lr=0.1, momentum=0.0, steps=3)
    # w_i <- (1 - lr·λ_i) w_i with λ = (1, 10)
    expected = np.array([[-4.0 * 0.9 ** t, 1.5 * 0.0 ** t] for t in range(4)])
    np.testing.assert_allclose(view.path, expected)
    np.testing.assert_allclose(view.losses, 0.5 * (expected[:, 0] ** 2 + 10 * expected[:, 1] ** 2))
    np.testing.assert_allclose(view.factors, [0.9, 0.0], atol=1e-12)
    assert view.diverged is False


def test_sgd_on_the_stability_edge_stalls_instead_of_a_rounding_verdict():
    # eta*lambda2 = 2(1 + mu) exactly in decimals: the w2 root is -1, |w2| neither shrinks nor grows.
    for lr, mu in [(0.2, 0.0), (0.21, 0.05), (0.25, 0.25), (0.3, 0.5)]:
        view = sgd_path_view(lr, mu, 30)
        assert view.factors[1] == 1.0 and view.diverged is False, (lr, mu)
        assert "= 2(1 + μ)" in view.text and "by a factor 1.000; stalls, zigzags" in view.text
    w2 = sgd_path_view(0.2, 0.0, 6).path[:, 1]
    np.testing.assert_allclose(np.abs(w2), 1.5)  # w2 flips sign every step


def test_sgd_factor_is_the_larger_root_of_the_momentum_recursion():
    for lr, mu, lam in itertools.product((0.01, 0.1, 0.15, 0.25, 0.3), (0.0, 0.25, 0.5, 0.9), (1.0, 10.0)):
        roots = np.roots([1.0, -(1 + mu - lr * lam), mu])
        view = sgd_path_view(lr, mu, 1, curvatures=(lam, lam))
        assert view.factors[0] == pytest.approx(np.abs(roots).max(), abs=1e-7), (lr, mu, lam)


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
    assert np.abs(view.path[-2]).max() <= 1e6 < np.abs(view.path[-1]).max()  # cut at the first step past 1e6
    picture = view.state()["picture"]
    assert len(picture["path"]) == len(view.path) == len(picture["losses"]) and picture["steps"] == 200
    json.dumps(view.state(), allow_nan=False)


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
    assert view.state()["picture"] is None and view.state()["error"] == view.error


def test_sgd_state_is_the_path_and_loss_picture():
    view = sgd_path_view()
    picture = view.state()["picture"]
    assert picture["kind"] == "sgd-path" and picture["alt"] == view.alt and picture["steps"] == 30
    np.testing.assert_allclose(picture["path"], view.path)
    np.testing.assert_allclose(picture["losses"], 0.5 * (view.path[:, 0] ** 2 + 10 * view.path[:, 1] ** 2))
    assert picture["curvatures"] == [1.0, 10.0] and picture["box"] == [-5.0, 5.0, -2.5, 2.5]
    assert picture["caption"] == view.summary + ". Left: the path of w over the loss contours; right: the loss per step."


def test_training_wiring():
    ex = training_explorer()
    assert ex.state["summary"] == sgd_path_view(0.15, 0.0, 30).summary and ex.view.summary_class == "cnnbook-sgd"
    assert ex.data == {"curvatures": [1.0, 10.0], "start": [-4.0, 1.5], "box": [-5.0, 5.0, -2.5, 2.5],
                       "loss_range": [1e-6, 1e4]}
    before = ex.view.state["picture"]
    ex.controls["momentum"].value = 0.5
    assert ex.result.momentum == 0.5 and ex.view.state["picture"]["path"] != before["path"]
    assert ex.result.losses[-1] < sgd_path_view(0.15, 0.0, 30).losses[-1]  # momentum helps here
    ex.set(lr=0.25, momentum=0.0)
    assert ex.view.state["summary"].startswith("Diverges") and "diverges" in ex.view.state["text"]
    ex.controls["steps"].value = 5
    assert len(ex.result.path) == 6 and len(ex.view.state["picture"]["path"]) == 6
    ex.controls["lr"].value = 0.0  # clamped by the slider to its minimum: still a valid setting
    assert ex.result.lr == 0.01 and ex.view.state["error"] is None
    ex.controls["lr"].value = 0.15000000000000002  # a slider float: rounded to the slider's resolution
    assert ex.result.lr == 0.15


def test_training_wiring_bad_setting_explains_and_does_not_raise():
    ex = training_explorer()
    ex.controls["momentum"].max = 1.0
    ex.controls["momentum"].value = 1.0
    assert ex.view.state["error"] == "momentum must be in [0, 1), got momentum=1.0"
    assert ex.view.state["summary"] == "No path" and ex.view.state["picture"] is None


# ---------------------------------------------------------------- all three

@pytest.mark.parametrize("make", EXPLORERS)
def test_new_explorers_start_meaningful_labelled_and_fast(make):
    ex = make()
    assert ex.result.error is None
    assert CLASSES["root"] in ex._dom_classes and f"cnnbook-{ex.name}" in ex._dom_classes
    for name, control in ex.controls.items():
        assert control.description, name
        assert f"cnnbook-control-{name}" in control._dom_classes
    state = ex.view.state
    assert state == ex.state == ex.result.state() and state["summary"] and state["error"] is None
    assert state["picture"] or state["grids"]
    if state["picture"]:
        assert state["picture"]["alt"] == ex.result.alt
    json.dumps(ex.data, allow_nan=False)
    assert len(json.dumps(ex.data)) < 1_000  # the page's inline data stays small
    html = ex._repr_mimebundle_()["text/html"]
    assert f'data-cnnbook-explorer="{ex.name}"' in html and "cnnbook-live" in html
    ex.update()
    assert ex.last_redraw_ms < 250


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
