"""The output-size explorer in the web book computes what Python computes."""

import pytest

import itertools

import numpy as np

from cnnbook.widgets import output_size_explorer, output_size_report
from web_twins import assert_twin_agrees


@pytest.mark.slow  # the whole grid; the fast tier keeps the random sample
def test_every_setting_of_the_small_grid():
    # The slider ranges cut to a grid node can run quickly: every kernel, stride and
    # padding on small and odd inputs, many not fitting. The dilation rotates from one
    # setting to the next, so each of its values meets every size, kernel and stride.
    settings = [dict(height=h, width=w, kernel_size=k, stride=s, padding=p, dilation=1 + (h + w + k + s + p) % 4)
                for h, w, k, s, p in itertools.product((1, 2, 3, 5, 7, 8), (1, 4, 9), range(1, 12),
                                                       range(1, 7), range(0, 6))]
    assert len(settings) == 7_128
    assert {(s["kernel_size"], s["dilation"]) for s in settings} == set(itertools.product(range(1, 12), range(1, 5)))
    assert sum(output_size_report(**s).error is not None for s in settings) > 1_000  # invalid ones included
    assert_twin_agrees("output-size", output_size_report, settings)


def test_random_settings_over_the_whole_slider_ranges():
    ex = output_size_explorer()
    rng = np.random.default_rng(4)
    names = list(ex.controls)
    settings = [{n: int(rng.integers(ex.controls[n].min, ex.controls[n].max + 1)) for n in names}
                for _ in range(3_000)]
    assert_twin_agrees("output-size", output_size_report, settings)
