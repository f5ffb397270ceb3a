"""The SGD explorer (chapter 10) in the web book computes what Python computes."""

import pytest

import itertools

import numpy as np

from cnnbook.widgets import sgd_path_view, training_explorer
from web_twins import assert_twin_agrees


def slider_values(control):
    """Every value of a FloatSlider, as the page's <input type=range> gives it and as min + k·step."""
    count = int(round((control.max - control.min) / control.step)) + 1
    return [round(control.min + k * control.step, 2) for k in range(count)], \
        [control.min + k * control.step for k in range(count)]


@pytest.mark.slow  # the whole grid; the fast tier keeps the random sample
def test_every_rate_and_momentum_at_several_step_counts():
    ex = training_explorer()
    lrs, raw_lrs = slider_values(ex.controls["lr"])
    mus, raw_mus = slider_values(ex.controls["momentum"])
    assert (len(lrs), len(mus)) == (30, 20)
    settings = [dict(lr=lr, momentum=mu, steps=steps)
                for lr, mu, steps in itertools.product(lrs, mus, (1, 2, 7, 30, 100))]
    settings += [dict(lr=lr, momentum=mu, steps=100) for lr, mu in itertools.product(raw_lrs, raw_mus)]
    assert len(settings) == 600 * 6
    views = [ex._compute(**s) for s in settings[:3000]]
    # The grid holds every kind of behaviour, including the stability edge eta*lambda2 = 2(1 + mu).
    assert sum(v.diverged for v in views) == 55 * 5 and sum("stalls" in v.text for v in views) == 11 * 5
    assert sum("stopped where |w| passed 1e6" in v.summary for v in views) > 50
    assert_twin_agrees("sgd", ex._compute, settings, data=ex.data)


def test_random_settings_and_settings_the_sliders_cannot_reach():
    ex = training_explorer()
    rng = np.random.default_rng(10)
    settings = [dict(lr=float(rng.uniform(0.01, 0.3)), momentum=float(rng.uniform(0, 0.95)),
                     steps=int(rng.integers(1, 101))) for _ in range(1_000)]
    settings += [dict(lr=0.0, momentum=0.0, steps=5), dict(lr=-0.1, momentum=0.0, steps=5),
                 dict(lr=0.1, momentum=1.0, steps=5), dict(lr=0.1, momentum=-0.1, steps=5),
                 dict(lr=0.1, momentum=0.5, steps=0), dict(lr=0.1, momentum=0.5, steps=1001),
                 dict(lr=0.1, momentum=0.0, steps=1000), dict(lr=2.5, momentum=0.99, steps=1000),
                 dict(lr=0.00001, momentum=0.9999, steps=1000), dict(lr=0.25, momentum=0.25, steps=40)]
    assert all(ex._compute(**s).error for s in settings[1000:1006])
    assert_twin_agrees("sgd", ex._compute, settings, data=ex.data)


def test_the_module_function_and_the_explorer_agree():
    ex = training_explorer()
    assert ex.set(lr=0.15, momentum=0.5, steps=30).text == sgd_path_view(0.15, 0.5, 30).text
