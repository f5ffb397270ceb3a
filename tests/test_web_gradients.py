"""The gradient explorers (convolution; pooling and ReLU) in the web book compute what Python computes."""

import pytest

import itertools

import numpy as np

from cnnbook.widgets import gradient_explorer, gradient_flow_explorer, gradient_flow_view, gradient_view
from cnnbook.widgets.gradients import FLOW_KINDS, _flow_input, gradient_limits
from web_twins import assert_twin_agrees, run_twins

SIZES, KERNELS, STRIDES, PADDINGS = range(2, 8), range(1, 5), range(1, 4), range(3)


# ---------------------------------------------------------------- convolution
@pytest.mark.slow  # the whole grid; the fast tier keeps the random sample
def test_every_geometry_of_the_convolution_sliders():
    # 5 million settings in all: every input size, kernel, stride and padding, each with
    # the first and the last output position and two input pixels drawn at random.
    rng = np.random.default_rng(8)
    settings = []
    for h, w, k, s, p in itertools.product(SIZES, SIZES, KERNELS, STRIDES, PADDINGS):
        H_out, W_out = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        for out_row, out_col in {(0, 0), (max(H_out - 1, 0), max(W_out - 1, 0))}:
            settings.append(dict(height=h, width=w, kernel_size=k, stride=s, padding=p, out_row=out_row,
                                 out_col=out_col, in_row=int(rng.integers(h)), in_col=int(rng.integers(w))))
    errors = [gradient_view(**s).error for s in settings]
    assert sum("does not fit" in e for e in errors if e) > 50
    assert_twin_agrees("gradient", gradient_view, settings, limits=gradient_limits)


def test_random_settings_over_the_whole_slider_ranges():
    ex = gradient_explorer()
    # the position sliders' full ranges (the explorer has narrowed them to the default setting)
    ranges = {n: (c.min, c.max) for n, c in ex.controls.items()} | {"out_row": (0, 8), "out_col": (0, 8),
                                                                    "in_row": (0, 6), "in_col": (0, 6)}
    rng = np.random.default_rng(9)
    settings = [{n: int(rng.integers(lo, hi + 1)) for n, (lo, hi) in ranges.items()} for _ in range(1_500)]
    errors = [gradient_view(**s).error for s in settings]
    assert sum("does not exist" in e for e in errors if e) > 500  # positions off the output or the input
    assert_twin_agrees("gradient", gradient_view, settings, limits=gradient_limits)


def test_hand_picked_convolution_settings():
    base = dict(height=3, width=3, kernel_size=2, stride=1, padding=0, out_row=0, out_col=0, in_row=1, in_col=1)
    settings = [
        base,                                                            # chapter 8
        {**base, "in_row": 0, "in_col": 0},
        dict(height=7, width=7, kernel_size=3, stride=2, padding=0, out_row=1, out_col=1, in_row=2, in_col=2),
        {**base, "kernel_size": 1, "padding": 2},                        # the window is all padding: dW = 0
        {**base, "height": 7, "width": 7, "kernel_size": 1, "stride": 3, "in_row": 1},  # read by no output
        {**base, "height": 2, "width": 5, "kernel_size": 4, "padding": 0},  # too big on the height only
        {**base, "height": 5, "width": 2, "kernel_size": 4, "padding": 0},  # ... on the width only
        {**base, "stride": 0}, {**base, "padding": -1}, {**base, "kernel_size": 0},
        {**base, "out_row": -1}, {**base, "in_col": 3},
    ]
    assert gradient_view(**settings[4]).summary == "Input pixel (1, 1) feeds 0 outputs"
    assert_twin_agrees("gradient", gradient_view, settings, limits=gradient_limits)


# ---------------------------------------------------------------- pooling and ReLU
def _flow_data():
    return gradient_flow_explorer().data


def test_every_setting_of_the_flow_explorer():
    settings = [dict(kind=kind, kernel_size=k, stride=s, padding=p, size=n)
                for kind, k, s, p, n in itertools.product(FLOW_KINDS, range(1, 5), range(1, 5), range(3), range(2, 9))]
    assert len(settings) == 1_344
    views = [gradient_flow_view(**s) for s in settings]
    assert sum(v.error is not None for v in views) > 300                             # padding or kernel too big
    assert sum(v.error is None and "The sums differ" in v.text for v in views) > 100  # shares lost or rescaled
    assert_twin_agrees("gradient-flow", gradient_flow_view, settings, data=_flow_data())


def test_flow_twin_sends_a_tie_to_the_first_max():
    # The default input has a tie in its first window (x[0, 0] == x[0, 1]); PyTorch and
    # cnnbook route the gradient to x[0, 0]. So must the page, also with overlapping
    # windows and with -inf padding around the tie.
    settings = [dict(kind="max", kernel_size=k, stride=s, padding=p, size=n)
                for k, s, p, n in [(2, 2, 0, 4), (2, 1, 0, 4), (3, 1, 1, 5), (4, 2, 2, 8)]]
    answers = run_twins("gradient-flow", settings, _flow_data())
    for s, answer in zip(settings, answers):
        view = gradient_flow_view(**s)
        assert view.x[0, 0] == view.x[0, 1] and view.dx[0, 0] > 0
        np.testing.assert_array_equal(answer["state"]["grids"][3]["values"], view.dx)
    assert gradient_flow_view(**settings[0]).dx[0, 1] == 0  # one window: the second max gets nothing


def test_flow_settings_outside_the_controls_are_explained_alike():
    base = dict(kind="max", kernel_size=2, stride=2, padding=0, size=4)
    settings = [{**base, "kind": "softmax"}, {**base, "stride": 0}, {**base, "kernel_size": 0},
                {**base, "padding": -1}, {**base, "kind": "avg", "kernel_size": 3, "padding": 2}]
    assert all(gradient_flow_view(**s).error for s in settings)
    assert_twin_agrees("gradient-flow", gradient_flow_view, settings, data=_flow_data())


def test_the_page_has_the_seeded_flow_inputs():
    data = _flow_data()
    for n in range(2, 9):
        np.testing.assert_array_equal(data["relu"][str(n)], _flow_input("ReLU", n, 2, None))
        for k in range(1, 5):
            tie = max(2, min(k, n))
            np.testing.assert_array_equal(data["pool"][str(n)][str(tie)], _flow_input("max", n, k, None))
