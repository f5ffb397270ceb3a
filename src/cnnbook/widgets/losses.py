"""Loss explorer (chapter 7): logits in, probabilities, loss and gradient ``y - t`` out.

Every number comes from :mod:`cnnbook`: :func:`cnnbook.softmax` and
:func:`cnnbook.softmax_cross_entropy` for one true class, :func:`cnnbook.sigmoid`
and :func:`cnnbook.binary_cross_entropy` for independent yes/no outputs.
"""

from dataclasses import dataclass

import numpy as np
import ipywidgets as widgets

from .. import binary_cross_entropy, sigmoid, softmax, softmax_cross_entropy
from . import web
from ._base import _LABEL_STYLE, Explorer, dropdown

__all__ = ["LOSS_MODES", "LossView", "loss_view", "loss_explorer"]

#: Output layers the explorer compares: name -> description.
LOSS_MODES = {
    "softmax": "softmax + categorical cross-entropy (exactly one class is true)",
    "sigmoids": "one sigmoid per class + binary cross-entropy (multi-label: each class is a yes/no)",
}

#: The chapter's example: logits of a cat/dog/car/tree classifier, true class 'dog'.
DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0)
DEFAULT_NAMES = ("cat", "dog", "car", "tree")


def _vec(values):
    return "(" + ", ".join(f"{v:.3f}" for v in values) + ")"


def _signed(values):
    return "(" + ", ".join(f"{v:+.3f}".replace("-", "−") for v in values) + ")"


@dataclass
class LossView:
    """One example's logits, probabilities, loss and the gradient of the loss.

    Attributes
    ----------
    logits : ndarray, shape (K,)
    target : int
        The true class.
    mode : {'softmax', 'sigmoids'}
    class_names : list of str
    probs : ndarray, shape (K,) or None
        ``softmax(logits)`` or ``sigmoid(logits)``.
    onehot : ndarray, shape (K,) or None
        The target vector t.
    loss : float or None
    grad : ndarray, shape (K,) or None
        dL/dz: ``y - t`` (softmax, N = 1) or ``(y - t)/K`` (sigmoids, the
        binary cross-entropy is a mean over the K outputs).
    text, summary, alt : str
    error : str or None
    """

    logits: np.ndarray
    target: int
    mode: str
    class_names: list
    probs: np.ndarray = None
    onehot: np.ndarray = None
    loss: float = None
    grad: np.ndarray = None
    text: str = ""
    summary: str = "No loss"
    alt: str = ""
    error: str = None

    def _grad_limit(self):
        # Fixed scales, so that bars do not jump when a slider moves: |y - t| <= 1.
        return 1.0 if self.mode == "softmax" else 1.0 / len(self.logits)

    def state(self):
        """What the explorer draws (see :mod:`cnnbook.widgets.web`): text, and bars of y and dL/dz."""
        picture = None
        if self.probs is not None:
            K = len(self.logits)
            picture = {"kind": "loss-bars", "alt": self.alt,
                       "caption": (f"{self.summary}. Left: probabilities; right: the gradient, "
                                   + ("y − t." if self.mode == "softmax" else f"(y − t)/{K}.")),
                       "names": self.class_names, "target": self.target, "mode": self.mode,
                       "probs": self.probs, "grad": self.grad, "grad_limit": self._grad_limit()}
        return web.to_json({"summary": self.summary, "error": self.error, "text": self.text,
                            "grids": [], "picture": picture})


def loss_view(logits=DEFAULT_LOGITS, target=1, mode="softmax", class_names=None):
    """Probabilities, loss and dL/dz for one example; never raises for a bad setting.

    Parameters
    ----------
    logits : array_like, shape (K,)
        K >= 2 finite class scores z.
    target : int
        The true class, in ``[0, K)``.
    mode : {'softmax', 'sigmoids'}
        'softmax': :func:`cnnbook.softmax_cross_entropy` (N = 1), so
        ``dL/dz = y - t``. 'sigmoids': one sigmoid per class and
        :func:`cnnbook.binary_cross_entropy` against the one-hot target (a
        mean over the K outputs), so ``dL/dz = (y - t)/K``, from the library's
        ``dL/dy`` times the sigmoid's derivative ``y(1 - y)``.
    class_names : sequence of str, optional
        Default 'cat', 'dog', 'car', 'tree' for four classes, else '0', '1', ...

    Returns
    -------
    LossView

    Examples
    --------
    >>> view = loss_view([2.0, 1.0, 0.1, -1.0], target=1)
    >>> view.summary
    'loss = −ln y[dog] = 1.449'
    >>> np.round(view.grad, 4).tolist()
    [0.6381, -0.7653, 0.0954, 0.0318]
    >>> loss_view([1.0, 2.0], target=2).error
    'target must be a class index from 0 to 1; got target=2'
    """
    z = np.asarray(logits, dtype=float) if np.ndim(logits) == 1 else np.atleast_1d(np.asarray(logits, float))
    K = z.size
    if class_names is None:
        class_names = list(DEFAULT_NAMES) if K == 4 else [str(k) for k in range(K)]
    view = LossView(z, target, mode, [str(n) for n in class_names])
    if z.ndim != 1 or K < 2 or not np.isfinite(z).all():
        view.error = f"logits must be at least 2 finite numbers in a 1-D list; got logits={np.asarray(logits).tolist()!r}"
    elif isinstance(target, bool) or not isinstance(target, (int, np.integer)) or not 0 <= target < K:
        view.error = f"target must be a class index from 0 to {K - 1}; got target={target!r}"
    elif mode not in LOSS_MODES:
        view.error = f"mode must be one of {', '.join(map(repr, LOSS_MODES))}; got mode={mode!r}"
    elif len(view.class_names) != K:
        view.error = f"class_names must have {K} entries, one per logit; got {len(view.class_names)}"
    if view.error:
        view.alt = "No chart: the setting is not allowed."
        view.text = view.error
        return view
    target = int(target)
    view.target = target
    view.onehot = np.eye(K)[target]  # (K,)
    name = view.class_names[target]
    if mode == "softmax":
        view.probs = softmax(z)
        view.loss, dz = softmax_cross_entropy(z[None, :], np.array([target]))  # dz: (1, K)
        view.loss += 0.0  # a certain prediction: -0.0 -> 0.0, never printed as "-0.000"
        view.grad = dz[0]
        view.summary = f"loss = −ln y[{name}] = {view.loss:.3f}"
        view.text = (f"z = {_vec(z)}\n"
                     f"y = softmax(z) = {_vec(view.probs)}   (sum = {view.probs.sum():.3f})\n"
                     f"loss = −ln y[{name}] = −ln {view.probs[target]:.3f} = {view.loss:.3f}\n"
                     f"dL/dz = y − t = {_signed(view.grad)}   (sum = {abs(view.grad.sum()):.3f})\n"
                     f"A gradient step raises z[{name}] by η·{1 - view.probs[target]:.3f} and lowers every "
                     "other logit by η times its probability.")
    else:
        view.probs = sigmoid(z)
        view.loss, dp = binary_cross_entropy(view.probs, view.onehot)  # dp: dL/dy, (K,)
        view.loss += 0.0  # -0.0 -> 0.0
        view.grad = dp * view.probs * (1 - view.probs)  # chain rule through the sigmoid, (K,)
        view.summary = f"loss = mean BCE over {K} outputs = {view.loss:.3f}"
        view.text = (f"z = {_vec(z)}\n"
                     f"y = sigmoid(z) = {_vec(view.probs)}   (sum = {view.probs.sum():.3f}: not a distribution)\n"
                     f"t = {tuple(int(v) for v in view.onehot)}   (each class is its own yes/no question)\n"
                     f"loss = −(1/{K}) Σ [t ln y + (1 − t) ln(1 − y)] = {view.loss:.3f}\n"
                     f"dL/dz = (y − t)/{K} = {_signed(view.grad)}\n"
                     "Each logit is pushed only by its own error: nothing couples the classes.")
    words = " ".join(f"{n} {p:.2f}," for n, p in zip(view.class_names, view.probs))[:-1]
    gwords = " ".join(f"{n} {g:+.2f}," for n, g in zip(view.class_names, view.grad))[:-1]
    view.alt = (f"Two bar charts over {K} classes, true class {name} hatched. Probabilities: {words}. "
                f"Gradient: {gwords}. {view.summary}.")
    return view


def _logit_slider(description, value):
    return widgets.FloatSlider(value=value, min=-6.0, max=6.0, step=0.1, description=description,
                               readout_format=".1f", style=_LABEL_STYLE, continuous_update=True,
                               layout=widgets.Layout(width="22rem"))


def loss_explorer(logits=DEFAULT_LOGITS, target=1, mode="softmax", class_names=DEFAULT_NAMES):
    """Sliders for four logits, the true class and the output layer; bars of y and dL/dz.

    Parameters
    ----------
    logits : sequence of 4 floats
        Initial logits (sliders from −6 to 6 in steps of 0.1).
    target : int
        Initial true class.
    mode : {'softmax', 'sigmoids'}
    class_names : sequence of 4 str

    Returns
    -------
    Explorer
        ``.controls``: 'z0'...'z3' (FloatSliders), 'target' (Dropdown of the
        class names, values 0-3), 'mode' (Dropdown); ``.result`` is the last
        :class:`LossView`. The summary line has the class ``cnnbook-loss``.

    Examples
    --------
    >>> ex = loss_explorer()
    >>> ex.set(target=0).summary
    'loss = −ln y[cat] = 0.449'
    """
    names = list(class_names)
    if len(logits) != len(names):
        raise ValueError(f"logits and class_names must have the same length; got {len(logits)} and {len(names)}")
    controls = {f"z{k}": _logit_slider(f"logit z{k} ({n})", float(v)) for k, (n, v) in enumerate(zip(names, logits))}
    controls["target"] = dropdown("true class", [(n, k) for k, n in enumerate(names)], target)
    controls["mode"] = dropdown("output layer", [(f"{m}: {d.split(' (')[0]}", m) for m, d in LOSS_MODES.items()],
                                mode)

    def compute(target, mode, **zs):
        # Slider floats such as 0.30000000000000004 rounded to 0.3 (and -0.0 made 0.0), in the page as in a kernel.
        return loss_view([round(zs[f"z{k}"], 4) + 0.0 for k in range(len(names))], target, mode, names)

    rows = [[f"z{k}", f"z{k + 1}"] if k + 1 < len(names) else [f"z{k}"] for k in range(0, len(names), 2)]
    return Explorer("loss", controls, compute, title="Softmax, cross-entropy and its gradient",
                    summary_class="cnnbook-loss", layout_controls=rows + [["target", "mode"]],
                    data={"names": names, "modes": list(LOSS_MODES)})
