"""The pooling explorer in the web book computes what Python computes."""

import pytest

import itertools

import numpy as np

from cnnbook.widgets import pooling_explorer, pooling_view
from cnnbook.widgets.pooling import default_input, pool_shape, pooling_limits
from web_twins import assert_twin_agrees, run_twins

KINDS, KERNELS, STRIDES, PADDINGS, SIZES = ("max", "avg", "L2"), range(1, 5), range(1, 5), range(3), range(2, 10)


def _data():
    return pooling_explorer().data


@pytest.mark.slow  # the whole grid; the fast tier keeps the random sample
def test_every_reachable_setting():
    # Every kind, kernel, stride, padding and input size of the sliders, with every output
    # position the position sliders allow there (the page clamps them with `limits`); a
    # setting that is not allowed keeps whatever position it had, so one each is enough.
    # The kind rotates from one setting to the next, so each kind meets every geometry
    # many times and every geometry is checked once: a third of the full product.
    settings = []
    for i, (k, s, p, size) in enumerate(itertools.product(KERNELS, STRIDES, PADDINGS, SIZES)):
        shape, error = pool_shape((size, size), k, s, p)
        base = dict(kernel_size=k, stride=s, padding=p, size=size)
        if error:
            settings.append({**base, "kind": KINDS[i % len(KINDS)], "row": 0, "col": 1})
            continue
        positions = [(r, c) for r, c in np.ndindex(*shape)] + [(shape[0], 0), (0, shape[1])]  # and off the output
        settings += [{**base, "kind": KINDS[(i + j) % len(KINDS)], "row": r, "col": c}
                     for j, (r, c) in enumerate(positions)]
    errors = [pooling_view(**s).error for s in settings]
    assert sum("at most half" in e for e in errors if e) >= 8 * 4 * 3  # k=1 p≥1, k=2 p=2, k=3 p=2
    assert sum("does not fit" in e for e in errors if e) > 0 and sum("does not exist" in e for e in errors if e) > 0
    assert {s["kind"] for s in settings} == set(KINDS) and len(settings) > 3_000
    assert_twin_agrees("pooling", pooling_view, settings, data=_data(), limits=pooling_limits)


def test_random_settings_over_the_whole_slider_ranges():
    ex = pooling_explorer()
    # the position sliders' full ranges (the explorer has narrowed them to the default setting)
    ranges = {n: (c.min, c.max) for n, c in ex.controls.items() if n != "kind"} | {"row": (0, 8), "col": (0, 8)}
    rng = np.random.default_rng(6)
    settings = [{"kind": str(rng.choice(KINDS)), **{n: int(rng.integers(lo, hi + 1)) for n, (lo, hi) in ranges.items()}}
                for _ in range(1_000)]
    assert sum("does not exist" in (pooling_view(**s).error or "") for s in settings) > 300
    assert_twin_agrees("pooling", pooling_view, settings, data=ex.data, limits=pooling_limits)


def test_settings_outside_the_sliders_are_explained_alike():
    settings = [dict(kind="median", kernel_size=2, stride=2, padding=0, row=0, col=0, size=6),
                dict(kind="max", kernel_size=0, stride=2, padding=0, row=0, col=0, size=6),
                dict(kind="avg", kernel_size=2, stride=0, padding=0, row=0, col=0, size=6),
                dict(kind="L2", kernel_size=2, stride=2, padding=-1, row=0, col=0, size=6),
                dict(kind="max", kernel_size=3, stride=1, padding=1, row=-1, col=0, size=4)]
    assert all(pooling_view(**s).error for s in settings)
    assert_twin_agrees("pooling", pooling_view, settings, data=_data(), limits=pooling_limits)


def test_the_page_pools_the_seeded_grids():
    data = _data()
    assert sorted(data["inputs"], key=int) == [str(n) for n in SIZES]
    for n in SIZES:
        np.testing.assert_array_equal(data["inputs"][str(n)], default_input(n))
    (answer,) = run_twins("pooling", [dict(kind="max", kernel_size=2, stride=2, padding=0, row=0, col=0,
                                           size=6)], data)
    np.testing.assert_array_equal(answer["state"]["grids"][0]["values"], default_input(6))
