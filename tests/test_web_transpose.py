"""The transposed-convolution explorer in the web book computes what Python computes."""

import itertools
import random

import pytest

from cnnbook.widgets import transpose_explorer, transpose_view
from web_twins import assert_twin_agrees


def every_setting():
    ex = transpose_explorer()
    ranges = [range(c.min, c.max + 1) for c in ex.controls.values()]
    return [dict(zip(ex.controls, values)) for values in itertools.product(*ranges)]


@pytest.mark.slow  # the whole grid; the fast tier takes a sample of it
def test_every_setting_of_the_sliders():
    settings = every_setting()
    assert len(settings) == 6 * 5 * 4 * 4 * 4
    assert sum(transpose_view(**s).error is not None for s in settings) > 300  # output_padding >= stride, crops
    assert_twin_agrees("transpose", transpose_view, settings)


def test_a_sample_of_the_settings():
    settings = random.Random(0).sample(every_setting(), 60)
    assert any(transpose_view(**s).error is not None for s in settings)
    assert any(transpose_view(**s).error is None for s in settings)
    assert_twin_agrees("transpose", transpose_view, settings)


def test_settings_the_sliders_cannot_reach():
    settings = [dict(n=0, kernel_size=3, stride=2, padding=0, output_padding=0),
                dict(n=-2, kernel_size=3, stride=2, padding=0, output_padding=0),
                dict(n=3, kernel_size=0, stride=2, padding=0, output_padding=0),
                dict(n=3, kernel_size=3, stride=0, padding=0, output_padding=0),
                dict(n=3, kernel_size=3, stride=2, padding=-1, output_padding=0),
                dict(n=3, kernel_size=3, stride=2, padding=0, output_padding=-1),
                dict(n=1, kernel_size=1, stride=1, padding=1, output_padding=0),
                dict(n=12, kernel_size=7, stride=5, padding=2, output_padding=4),
                dict(n=9, kernel_size=2, stride=6, padding=0, output_padding=5)]
    assert all(transpose_view(**s).error for s in settings[:7])
    assert_twin_agrees("transpose", transpose_view, settings)
