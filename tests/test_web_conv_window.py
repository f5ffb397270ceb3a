"""The convolution-window explorer in the web book computes what Python computes."""

import pytest

import itertools
import json

import numpy as np

from cnnbook.widgets import CONV_IMAGES, FILTERS, conv_step, conv_window_explorer
from cnnbook.widgets.conv_window import conv_window_limits
from web_twins import assert_twin_agrees, run_twins


def _data():
    return conv_window_explorer().data


def _every_position(image, kernels):
    """Every output position of every stride and padding of the sliders, and the first ones past the map.

    The kernel rotates through ``kernels`` from one position to the next, so every
    position is checked once and every kernel at a sixth of the positions: the
    geometry is what varies with the position, the arithmetic what varies with the kernel.
    """
    settings = []
    for stride, padding in itertools.product(range(1, 4), range(0, 3)):
        lim = conv_window_limits(image, kernels[0], stride=stride, padding=padding)
        n = lim["row"]["max"] + 1
        for row, col in itertools.product(range(n + 1), range(n + 1)):
            kernel = kernels[(row * (n + 1) + col + stride + padding) % len(kernels)]
            settings.append(dict(image=image, kernel=kernel, row=row, col=col, stride=stride, padding=padding))
    return settings


@pytest.mark.slow  # the whole grid of positions; the fast tier keeps the random sample
def test_every_position_of_every_setting_of_the_controls():
    settings = [s for image in CONV_IMAGES for s in _every_position(image, list(FILTERS))]
    assert len(settings) == (sum((n + 1) ** 2 for n in (16, 18, 20, 8, 9, 10, 6, 6, 7))
                             + sum((n + 1) ** 2 for n in (22, 24, 26, 11, 12, 13, 8, 8, 9)))  # 4,591
    assert {s["kernel"] for s in settings} == set(FILTERS)
    assert_twin_agrees("conv-window", conv_step, settings, data=_data(), limits=conv_window_limits)


def test_settings_the_controls_cannot_reach():
    ex = conv_window_explorer()
    base = dict(image="eight", kernel="edge-x", row=3, col=5, stride=1, padding=0)
    settings = [dict(base, **change) for change in (
        dict(image="mars"), dict(kernel="wobble"), dict(image="mars", kernel="wobble"), dict(kernel="it's"),
        dict(stride=0), dict(stride=-1), dict(padding=-1), dict(stride=0, padding=-1), dict(row=-1),
        dict(col=-1), dict(row=40, col=40), dict(image="camera", stride=3, padding=2, row=8, col=8),
        dict(image="camera", stride=3, padding=2, row=9, col=0))]
    assert sum(conv_step(**s).error is not None for s in settings) == 12
    assert_twin_agrees("conv-window", conv_step, settings, data=ex.data, limits=conv_window_limits)


def test_the_printed_sum_is_numpys_float():
    # The blur's 1/9 weights: the sum printed with 6 digits must be the very float numpy adds up.
    rng = np.random.default_rng(0)
    settings = [dict(image="camera", kernel="blur", row=int(r), col=int(c), stride=1, padding=1)
                for r, c in rng.integers(0, 24, size=(50, 2))]
    answers = run_twins("conv-window", settings, _data())
    for s, answer in zip(settings, answers):
        assert answer["state"]["summary"] == f"output[{s['row']}, {s['col']}] = {conv_step(**s).total:g}"


def test_inline_data_is_small():
    data = _data()
    assert set(data["images"]) == set(CONV_IMAGES)
    assert len(json.dumps(data)) < 10_000
