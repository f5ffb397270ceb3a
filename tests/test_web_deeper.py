"""The depth explorer in the web book says what Python says.

A deep stack does not run in the page: the explorer's data holds every
setting's per-layer scales (:func:`cnnbook.widgets.deeper.deeper_data`). The
twin is compared with ``deeper_view`` on every depth × scale × batch norm ×
residual, and on settings that are not allowed.
"""

import itertools
import json

from cnnbook.widgets.deeper import DEPTHS, INITS, deeper_data, deeper_explorer, deeper_view
from web_twins import assert_twin_agrees, run_twins


def test_every_setting():
    settings = [dict(depth=d, init=i, batch_norm=bn, residual=r)
                for d, i, bn, r in itertools.product(DEPTHS, INITS, (False, True), (False, True))]
    assert len(settings) == 60
    texts = [deeper_view(**s).text for s in settings]
    # the grid reaches every branch of the text: vanishing, exploding, kept, tiny gradients
    for phrase in ("shrinking by", "growing by", "about constant", "Almost no signal", "blow up", "below 1e-6"):
        assert any(phrase in t for t in texts), phrase
    assert_twin_agrees("deeper", deeper_view, settings, data=deeper_explorer().data)


def test_settings_that_are_not_allowed():
    settings = [dict(depth=5, init="he", batch_norm=False, residual=False),
                dict(depth=24, init="he", batch_norm=False, residual=False),
                dict(depth=8.5, init="he", batch_norm=False, residual=False),
                dict(depth=8, init="xavier", batch_norm=False, residual=False),
                dict(depth=8, init="it's", batch_norm=False, residual=False),
                dict(depth=8, init=None, batch_norm=False, residual=False),
                dict(depth=8, init="he", batch_norm=1, residual=False),
                dict(depth=8, init="he", batch_norm=True, residual="yes")]
    assert all(deeper_view(**s).error for s in settings)
    assert_twin_agrees("deeper", deeper_view, settings, data=deeper_data())


def test_the_twin_reads_the_data_it_is_given():
    """A changed number in the data changes the page's text: the twin does look it up."""
    data = json.loads(json.dumps(deeper_data()))
    data["runs"]["8/he/0/0"]["activation"][-1] = 123.0
    (answer,) = run_twins("deeper", [dict(depth=8, init="he", batch_norm=False, residual=False)], data)
    assert "123 at conv9" in answer["state"]["text"]
    assert answer["state"]["picture"]["activation"][-1] == 123.0


def test_page_data_is_small():
    size = len(json.dumps(deeper_explorer().data, ensure_ascii=False, separators=(",", ":")).encode())
    assert size < 50_000, size
