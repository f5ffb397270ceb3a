"""Depth explorer (chapter 11): how the scale of activations and gradients changes from layer to layer.

A stack of 3x3 convolutions with ReLUs (:func:`cnnbook.deep.plain_stack`,
8 channels, on 8x8 digits: a first convolution and ``depth`` more) gets its
weights from one of three scales, with or without batch normalisation and
residual connections, and runs once forward and backward on a fixed batch of
digits. :func:`cnnbook.deep.layer_scales` measures, at every convolution, the
standard deviation of its activation (the ReLU after it) and of its weight
gradient. On a log scale a healthy network is a flat line; a vanishing or
exploding one a slope (about the same factor at every layer).

A forward and backward pass of a 21-layer stack does not belong in a web page,
and the 60 settings take seconds to measure: :func:`measure_deeper_data`
measured each once (seeded), to three significant digits, and the package
ships the numbers as ``deeper_scales.json`` beside this module
(``python -m cnnbook.widgets.deeper`` measures them again and rewrites it;
``tests/test_widgets_deeper.py`` checks them against fresh measurements).
:func:`deeper_view` and its page-side twin (``web/cnnbook-explorers/deeper.js``)
only look them up and describe them, so both say exactly the same thing.
"""

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import web
from ._base import Explorer, dropdown, slider

__all__ = ["DEPTHS", "INITS", "DeeperView", "deeper_view", "deeper_data", "deeper_explorer", "measure_scales",
           "measure_deeper_data"]

#: The measured scales that the package ships (see :func:`deeper_data`).
DATA_FILE = Path(__file__).resolve().parent / "deeper_scales.json"

#: The depths the explorer offers: convolutions after the first one (``plain_stack``'s ``depth``).
DEPTHS = (4, 8, 12, 16, 20)
#: Weight scales: name -> (label, keyword arguments of :func:`cnnbook.nn.init_normal`).
#: He's rule is ``std = sqrt(2 / fan_in)`` (gain sqrt 2); "large" doubles it.
INITS = {
    "small": ("naive small (std 0.01)", {"std": 0.01}),
    "he": ("He (std = √(2/fan_in))", {"gain": math.sqrt(2.0)}),
    "large": ("too large (2 × He)", {"gain": 2 * math.sqrt(2.0)}),
}
#: How many digits the stack sees, and the seeds of the stack and of its weights.
BATCH = 128
MODEL_SEED, INIT_SEED = 0, 1


def _sig3(value):
    """A positive number to three significant digits, as ``f"{value:.3g}"`` prints it."""
    return float(f"{value:.3g}")


def measure_scales(depth, init, batch_norm, residual):
    """Measure one setting directly with :mod:`cnnbook.deep` (full precision).

    The stack is ``plain_stack(depth, batch_norm=..., residual=..., rng=default_rng(MODEL_SEED))``,
    its weights drawn again by ``init_normal(..., rng=default_rng(INIT_SEED))``
    with the scale ``INITS[init]``, and it sees the first :data:`BATCH`
    digits of the training split of chapters 10 and 11 (seeds 0 and 1),
    standardized with the training split's statistics.

    Returns
    -------
    LayerScales
        What :func:`cnnbook.deep.layer_scales` returns: ``names``,
        ``activation_std`` and ``gradient_std`` (one per convolution).
    """
    from .. import deep, nn

    x, y = _batch()
    model = deep.plain_stack(depth, batch_norm=batch_norm, residual=residual,
                             rng=np.random.default_rng(MODEL_SEED))
    nn.init_normal(model, **INITS[init][1], rng=np.random.default_rng(INIT_SEED))
    return deep.layer_scales(model, x, y)


@lru_cache(maxsize=1)
def _batch():
    """The first BATCH training digits of chapters 10 and 11 (the same splits and standardization)."""
    from .. import data

    x_rest, _, y_rest, _ = data.train_test_split_digits(rng=np.random.default_rng(0))
    x_train, _, y_train, _ = data.train_test_split(x_rest, y_rest, 0.2, rng=np.random.default_rng(1))
    (x_train,) = data.standardize(x_train)
    return x_train[:BATCH], y_train[:BATCH]


def measure_deeper_data():
    """Measure every setting of the explorer (a few seconds): what :func:`deeper_data` loads.

    Returns
    -------
    dict
        As :func:`deeper_data`, measured now.
    """
    runs = {}
    for depth in DEPTHS:
        for init in INITS:
            for bn in (False, True):
                for res in (False, True):
                    s = measure_scales(depth, init, bn, res)
                    a = [_sig3(v) for v in s.activation_std]
                    g = [_sig3(v) for v in s.gradient_std]
                    # Derived here once, so that the page (another log10 and pow) cannot differ in a last bit.
                    runs[_key(depth, init, bn, res)] = {
                        "activation": a, "gradient": g,
                        "factors": [_factor(a[0], a[-1], len(a) - 1), _factor(g[-1], g[0], len(g) - 1)],
                        "decades": _decades(a + g)}
    return web.to_json({"depths": DEPTHS, "inits": {k: label for k, (label, _) in INITS.items()}, "runs": runs})


@lru_cache(maxsize=1)
def deeper_data():
    """Every setting of the explorer, measured once: what the page-side twin looks up.

    Returns
    -------
    dict
        JSON-able: ``depths``, ``inits`` (name -> label) and ``runs``, a dict
        from the key ``"depth/init/bn/res"`` (bn and res 0 or 1, e.g.
        ``"12/he/0/1"``) to ``{"activation", "gradient", "factors", "decades"}``:
        per convolution (``depth + 1`` of them, ``conv1`` first) the standard
        deviations to three significant digits, the average factor per layer
        of each (:class:`DeeperView`) and the whole powers of ten of the
        picture's log axis. Read from ``deeper_scales.json``
        (:func:`measure_deeper_data` wrote it).

    Examples
    --------
    >>> d = deeper_data()
    >>> len(d["runs"]), len(d["runs"]["12/he/0/0"]["activation"])
    (60, 13)
    """
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def _key(depth, init, bn, res):
    return f"{depth}/{init}/{int(bn)}/{int(res)}"


@dataclass
class DeeperView:
    """The measured scales of one stack, and what they say.

    Attributes
    ----------
    depth : int
        Convolutions after the first: the stack has ``depth + 1``.
    init : str
    batch_norm, residual : bool
    names : list of str
        ``'conv1'`` (next to the input) to ``f'conv{depth + 1}'``.
    activation_std : list of float
        Per convolution, the std of its activation (the ReLU after it;
        :class:`cnnbook.deep.LayerScales`), to three significant digits.
    gradient_std : list of float
        Per convolution, the std of the loss gradient of its weights.
    activation_factor, gradient_factor : float or None
        The average factor per layer, ``(last / first) ** (1 / depth)`` to
        three significant digits: forward (conv1 to the last) for activations,
        backward (the last to conv1) for gradients; None if a scale is 0.
    decades : [int, int]
        The picture's log axis, 10**lo to 10**hi.
    summary, text, alt : str
    error : str or None
    """

    depth: object
    init: object
    batch_norm: object
    residual: object
    names: list = field(default_factory=list)
    activation_std: list = field(default_factory=list)
    gradient_std: list = field(default_factory=list)
    activation_factor: float = None
    gradient_factor: float = None
    decades: list = None
    summary: str = "No measurement"
    text: str = ""
    alt: str = ""
    error: str = None

    def state(self):
        """What the explorer draws (see :mod:`cnnbook.widgets.web`).

        The picture (``kind: 'deeper'``) is both scales per convolution on a log axis.
        """
        picture = None
        if self.error is None:
            picture = {"kind": "deeper", "alt": self.alt, "caption": self.summary,
                       "activation": self.activation_std, "gradient": self.gradient_std,
                       "decades": self.decades}
        return web.to_json({"summary": self.summary, "error": self.error, "text": self.text,
                            "grids": [], "picture": picture})


def _decades(values):
    """The log axis: whole powers of ten covering the values and at least 1e-2 to 1e2."""
    logs = [math.log10(v) for v in values if v > 0]
    return [min([-2] + [math.floor(v) for v in logs]), max([2] + [math.ceil(v) for v in logs])]


def _problem(depth, init, batch_norm, residual):
    if type(depth) is not int or depth not in DEPTHS:
        return f"depth must be one of {', '.join(map(str, DEPTHS))}, got depth={depth!r}"
    if not isinstance(init, str) or init not in INITS:
        return f"init must be one of {', '.join(map(repr, INITS))}, got init={init!r}"
    for name, value in (("batch_norm", batch_norm), ("residual", residual)):
        if type(value) is not bool:
            return f"{name} must be True or False, got {name}={value!r}"
    return None


def _factor(first, last, steps):
    return _sig3((last / first) ** (1.0 / steps)) if first > 0 and last > 0 else None


def _trend(factor):
    if factor is None:
        return "down to exactly 0"
    if factor < 0.9:
        return f"shrinking by a factor of about {factor:g}"
    if factor > 1.1:
        return f"growing by a factor of about {factor:g}"
    return f"about constant (a factor of {factor:g})"


def deeper_view(depth=12, init="he", batch_norm=False, residual=False):
    """The per-layer scales of one stack, from :func:`deeper_data`; never raises for a bad setting.

    Parameters
    ----------
    depth : int
        Convolutions after the first one, one of :data:`DEPTHS`.
    init : str
        Weight scale, a key of :data:`INITS`: ``'small'``, ``'he'`` or ``'large'``.
    batch_norm, residual : bool
        Batch normalisation after every convolution but the first; residual
        blocks of two convolutions (:func:`cnnbook.deep.plain_stack`).

    Returns
    -------
    DeeperView
        ``.error`` explains a setting that is not allowed.

    Examples
    --------
    >>> view = deeper_view(20, "small")
    >>> len(view.activation_std), view.activation_std[0] > 1e10 * view.activation_std[-1]
    (21, True)
    >>> deeper_view(5).error
    'depth must be one of 4, 8, 12, 16, 20, got depth=5'
    """
    view = DeeperView(depth, init, batch_norm, residual)
    view.error = _problem(depth, init, batch_norm, residual)
    if view.error:
        view.text = view.error
        view.alt = "No figure: the setting is not allowed."
        return view
    run = deeper_data()["runs"][_key(depth, init, batch_norm, residual)]
    view.activation_std = list(run["activation"])
    view.gradient_std = list(run["gradient"])
    view.names = [f"conv{k}" for k in range(1, depth + 2)]
    view.activation_factor, view.gradient_factor = run["factors"]
    view.decades = list(run["decades"])
    a, g, last = view.activation_std, view.gradient_std, depth + 1
    extras = [w for w, on in (("batch norm", batch_norm), ("residual blocks", residual)) if on]
    setting = f"{last} convolutions, {INITS[init][0]}" + "".join(f", {w}" for w in extras)
    view.summary = f"{setting}: activation std {a[0]:.3g} → {a[-1]:.3g}, weight-gradient std {g[-1]:.3g} → {g[0]:.3g}"
    lines = [f"Activations (std after each convolution's ReLU): {a[0]:.3g} at conv1, {a[-1]:.3g} at conv{last}, "
             f"{_trend(view.activation_factor)} per layer on average going forward.",
             f"Weight gradients (std of dL/dw): {g[-1]:.3g} at conv{last}, {g[0]:.3g} at conv1, "
             f"{_trend(view.gradient_factor)} per layer on average going backward"
             + (f"; the largest is {max(g) / min(g):.3g} times the smallest." if min(g) > 0 else ".")]
    if a[-1] < 1e-3:
        lines.append("Almost no signal reaches the classifier: every digit gets nearly the same logits.")
    elif a[-1] > 1e2:
        lines.append("The last activations are huge: the logits, and the loss, blow up.")
    if max(g) < 1e-6:
        lines.append("Every weight gradient is below 1e-6: gradient descent barely moves any weight.")
    if init == "he" and not batch_norm and not residual:
        lines.append("He's scale makes fan_in · Var(w) / 2 = 1, so the expected variance is kept; zero padding "
                     "and only 8 channels still lose a little per layer.")
    if batch_norm:
        lines.append("Batch norm rescales every convolution's output to std 1 (γ = 1) per channel, "
                     "whatever the scale of the weights.")
    if residual:
        lines.append("Each block adds its input to its output: the gradient reaches the input through the identity "
                     "as well as through the block.")
    view.text = "\n".join(lines)
    view.alt = (f"Line chart on a log scale of the standard deviation of the activations and of the weight "
                f"gradients at each of the {last} convolutions. {view.summary}.")
    return view


def deeper_explorer(depth=12, init="he", batch_norm=False, residual=False):
    """Depth, weight scale, batch norm and residual connections; per-layer scales on a log axis.

    Returns
    -------
    Explorer
        ``.controls``: 'depth' (IntSlider, step 4), 'init', 'batch_norm',
        'residual' (Dropdowns); ``.result`` is the last :class:`DeeperView`.
        The summary line has the class ``cnnbook-deeper``.

    Examples
    --------
    >>> ex = deeper_explorer()
    >>> ex.set(depth=20, init="large").summary.startswith('21 convolutions, too large')
    True
    """
    controls = {
        "depth": slider("depth (convolutions after the first)", depth, DEPTHS[0], DEPTHS[-1], DEPTHS[1] - DEPTHS[0]),
        "init": dropdown("initial weights", [(label, name) for name, (label, _) in INITS.items()], init),
        "batch_norm": dropdown("batch norm", [("off", False), ("on", True)], batch_norm),
        "residual": dropdown("residual connections", [("off", False), ("on", True)], residual),
    }
    key = ("Blue circles: std of each convolution's activation (after its ReLU). Dashed vermillion squares: std "
           "of the loss gradient of its weights. Log scale; a flat line means the scale is kept from layer to layer.")
    return Explorer("deeper", controls, deeper_view, title="Scales through a deep stack",
                    summary_class="cnnbook-deeper", layout_controls=[["depth", "init"], ["batch_norm", "residual"]],
                    key=key, data=deeper_data())


if __name__ == "__main__":  # python -m cnnbook.widgets.deeper: measure again and rewrite deeper_scales.json
    DATA_FILE.write_text(json.dumps(measure_deeper_data(), separators=(",", ":")) + "\n", encoding="utf-8")
