"""The detection explorer in the web book computes what Python computes.

The trained detector does not run in the page: the explorer's data holds its
log-odds maps, and the twin does threshold and suppression. Every setting of
the controls is compared, plus settings that are not allowed.
"""

import itertools
import json
import random

import pytest

from cnnbook.widgets import PAGES, detection_explorer, detection_view
from cnnbook.widgets.detection import detection_data
from web_twins import assert_twin_agrees


def every_setting(ex):
    threshold, radius = ex.controls["threshold"], ex.controls["radius"]
    return [dict(page=p, threshold=t, radius=r)
            for p, t, r in itertools.product([v for _, v in ex.controls["page"].options],
                                             range(threshold.min, threshold.max + 1),
                                             range(radius.min, radius.max + 1))]


def test_a_sample_of_the_settings():
    ex = detection_explorer()
    settings = random.Random(0).sample(every_setting(ex), 40)
    assert {s["page"] for s in settings} == {v for _, v in ex.controls["page"].options}
    assert_twin_agrees("detection", detection_view, settings, data=ex.data)


@pytest.mark.slow  # the whole grid; the fast tier takes a sample of it
def test_every_setting_of_the_controls():
    ex = detection_explorer()
    settings = every_setting(ex)
    assert len(settings) == 3 * 26 * 7
    summaries = {detection_view(**s).summary for s in settings}
    assert len(summaries) > 10      # wrong, missed and perfect pages are all in the grid
    assert_twin_agrees("detection", detection_view, settings, data=ex.data)


def test_settings_that_are_not_allowed():
    settings = [dict(page="nowhere", threshold=0, radius=2), dict(page="it's", threshold=0, radius=2),
                dict(page="spread out", threshold=0, radius=-1), dict(page="two rows", threshold=0, radius=1.5),
                dict(page="two rows", threshold=2.5, radius=1), dict(page="side by side", threshold=-30, radius=0)]
    assert [detection_view(**s).error is not None for s in settings] == [True] * 4 + [False] * 2
    assert_twin_agrees("detection", detection_view, settings, data=detection_data())


def test_data_is_small():
    size = len(json.dumps(detection_data()))
    assert size < 30_000, size
    assert list(detection_data()["pages"]) == list(PAGES)
