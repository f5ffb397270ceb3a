"""SGD explorer (chapter 10): gradient descent with momentum on a 2-D quadratic bowl.

Not a real training run: the "network" is one parameter vector ``w = (w1, w2)``
and the loss ``L(w) = (λ1·w1² + λ2·w2²)/2`` is a long, narrow bowl, the shape
that makes the learning rate and momentum matter. Every step is taken by
:class:`cnnbook.optim.SGD`, the optimiser the book trains with, so the path is
exactly what the library does; a redraw takes a few milliseconds.
"""

import math
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..nn import Layer
from ..optim import SGD
from . import web
from ._base import _LABEL_STYLE, Explorer, slider

__all__ = ["SGDPathView", "sgd_path_view", "training_explorer"]

#: A bowl ten times steeper along w2 than along w1, and where the path starts.
CURVATURES = (1.0, 10.0)
START = (-4.0, 1.5)
#: Shown region of the (w1, w2) plane and of the loss axis (log scale).
_BOX = (-5.0, 5.0, -2.5, 2.5)
_LOSS_RANGE = (1e-6, 1e4)
_BLOW_UP = 1e6  # stop following a diverging path once |w| exceeds this


class _Point(Layer):
    """A 'layer' that is just a parameter vector w with a gradient, for SGD to update."""

    def __init__(self, w):
        super().__init__()
        self.params["w"] = np.array(w, dtype=float)  # (2,)
        self.grads["w"] = np.zeros(2)


def _roots(lr, momentum, curvature):
    """The roots of ``r² − b·r + μ = 0``, ``b = 1 + μ − ηλ``, as (b, discriminant).

    Heavy-ball momentum along one direction of a quadratic is the recursion
    ``w_{t+1} = (1 + μ − ηλ)·w_t − μ·w_{t−1}``, whose solutions are powers of
    these roots. Closed forms (only +, ×, √, all correctly rounded) rather than
    an eigenvalue solver, so the page-side twin gets the same bits.
    """
    b = 1 + momentum - lr * curvature
    return b, b * b - 4 * momentum


def _factor(lr, momentum, curvature):
    """Per-step shrink factor along one direction: the larger modulus of the two roots.

    Complex roots have modulus √μ; real ones ``(|b| + √disc)/2``. A factor within
    1e-12 of 1 is 1: on the stability edge ``ηλ = 2(1 + μ)`` (many slider settings)
    the rounding of the arithmetic must not decide between converging and diverging.
    """
    b, disc = _roots(lr, momentum, curvature)
    factor = math.sqrt(momentum) if disc < 0 else (abs(b) + math.sqrt(disc)) / 2
    return 1.0 if abs(factor - 1) < 1e-12 else factor


def _motion(lr, momentum, curvature):
    """How the path moves along one direction: 'zigzags', 'oscillates' or 'slides'."""
    b, disc = _roots(lr, momentum, curvature)
    if _factor(lr, momentum, curvature) < 1e-12:
        return "lands on the minimum in one step"
    if disc < 0:
        return "oscillates around the minimum"  # complex roots: a damped (or growing) rotation
    return "zigzags across the minimum" if b < 0 else "slides straight in"  # sign of the larger root


@dataclass
class SGDPathView:
    """The path of SGD with momentum on the bowl, and the loss after each step.

    Attributes
    ----------
    lr, momentum : float
    steps : int
    curvatures : (float, float)
        λ1, λ2 of the loss ``(λ1·w1² + λ2·w2²)/2``.
    path : ndarray, shape (steps_taken + 1, 2) or None
        ``w`` before the first step and after each step.
    losses : ndarray, shape (steps_taken + 1,) or None
    factors : ndarray, shape (2,) or None
        Per-step shrink factor of the distance to the minimum along w1 and w2
        (below 1: converges; above 1: diverges).
    diverged : bool
        True when a shrink factor exceeds 1: the distance to the minimum grows.
        A path whose ``|w|`` passes 1e6 is cut there.
    text, summary, alt : str
    error : str or None
    """

    lr: float
    momentum: float
    steps: int
    curvatures: tuple
    path: np.ndarray = None
    losses: np.ndarray = None
    factors: np.ndarray = None
    diverged: bool = False
    text: str = ""
    summary: str = "No path"
    alt: str = ""
    error: str = None

    def state(self):
        """What the explorer draws (see :mod:`cnnbook.widgets.web`): text, and the path and loss picture."""
        picture = None
        if self.path is not None:
            picture = {"kind": "sgd-path", "alt": self.alt,
                       "caption": f"{self.summary}. Left: the path of w over the loss contours; "
                                  "right: the loss per step.",
                       "path": self.path, "losses": self.losses, "steps": self.steps,
                       "curvatures": self.curvatures, "box": _BOX, "loss_range": _LOSS_RANGE}
        return web.to_json({"summary": self.summary, "error": self.error, "text": self.text,
                            "grids": [], "picture": picture})


def sgd_path_view(lr=0.15, momentum=0.0, steps=30, curvatures=CURVATURES, start=START):
    """Run SGD with momentum on the bowl ``L(w) = (λ1·w1² + λ2·w2²)/2``; never raises for a bad setting.

    Parameters
    ----------
    lr : float
        Learning rate η > 0.
    momentum : float
        μ in [0, 1).
    steps : int
        Number of updates, 1 to 1000.
    curvatures : (float, float)
        λ1, λ2 > 0 (default (1, 10): ten times steeper along w2).
    start : (float, float)
        Initial w.

    Returns
    -------
    SGDPathView
        ``.path`` from :class:`cnnbook.optim.SGD`; ``.factors`` the per-step
        shrink factor along each axis (the iteration converges along axis i
        exactly when ``0 < η·λ_i < 2·(1 + μ)``).

    Examples
    --------
    >>> view = sgd_path_view(lr=0.1, momentum=0.0, steps=2)
    >>> view.path.tolist()        # w1 shrinks by 1 - 0.1*1, w2 by 1 - 0.1*10 = 0
    [[-4.0, 1.5], [-3.6, 0.0], [-3.24, 0.0]]
    >>> sgd_path_view(lr=0.1, momentum=1.0).error
    'momentum must be in [0, 1), got momentum=1.0'
    """
    view = SGDPathView(lr, momentum, steps, tuple(curvatures))
    try:
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 1000:
            raise ValueError(f"steps must be a whole number from 1 to 1000, got steps={steps!r}")
        lam = np.asarray(curvatures, dtype=float)
        if lam.shape != (2,) or not (np.isfinite(lam).all() and (lam > 0).all()):
            raise ValueError(f"curvatures must be two positive numbers, got curvatures={curvatures!r}")
        point = _Point(start)
        if point.params["w"].shape != (2,) or not np.isfinite(point.params["w"]).all():
            raise ValueError(f"start must be two finite numbers, got start={start!r}")
        optimizer = SGD(point, lr=lr, momentum=momentum)
    except (TypeError, ValueError) as err:
        view.error = str(err)
        view.text = view.error
        view.alt = "No path: the setting is not allowed."
        return view
    w = point.params["w"]
    path = [w.copy()]
    for _ in range(steps):
        point.grads["w"][...] = lam * w  # dL/dw
        optimizer.step()  # v = μ v + g; w = w − η v (in place)
        path.append(w.copy())
        if np.abs(w).max() > _BLOW_UP:
            break
    view.path = np.array(path)  # (steps_taken + 1, 2)
    # Written out rather than a matmul, whose summation order (and FMA) BLAS chooses: the page computes the same bits.
    view.losses = 0.5 * (lam[0] * view.path[:, 0] ** 2 + lam[1] * view.path[:, 1] ** 2)  # (steps_taken + 1,)
    view.factors = np.array([_factor(lr, momentum, c) for c in lam])
    view.diverged = bool(view.factors.max() > 1)
    limit = 2 * (1 + momentum)
    eff = lr / (1 - momentum)
    taken = len(path) - 1
    view.summary = f"Loss after {taken} steps: {view.losses[-1]:.3g} (start {view.losses[0]:.3g})"
    if view.diverged:
        view.summary = "Diverges. " + view.summary + ("; stopped where |w| passed 1e6" if taken < steps else "")
    lines = [f"One step: v ← {momentum:g}·v + ∇L(w),  w ← w − {lr:g}·v   (cnnbook.optim.SGD)"]
    for i, (c, f) in enumerate(zip(lam, view.factors), start=1):
        verdict = "converges" if f < 1 else ("stalls" if f == 1 else "diverges")
        edge = "<" if lr * c < limit - 1e-12 else ("=" if lr * c <= limit + 1e-12 else ">")
        lines.append(f"w{i}: curvature λ{i} = {c:g}, η·λ{i} = {lr * c:.3g} "
                     f"({edge} 2(1 + μ) = {limit:.3g}): per step the distance "
                     f"{'shrinks' if f < 1 else 'changes'} by a factor {f:.3f}; {verdict}, "
                     f"{_motion(lr, momentum, c)}")
    lines.append(f"Effective step on a steady slope: η/(1 − μ) = {eff:.3g}."
                 + (" Momentum lets the shallow direction travel faster; too much makes the path overshoot "
                    "and spiral." if momentum > 0 else " Add momentum to speed up the shallow direction."))
    view.text = "\n".join(lines)
    view.alt = (f"Path of gradient descent with learning rate {lr:g} and momentum {momentum:g} on an elongated "
                f"bowl, from ({start[0]:g}, {start[1]:g}) toward the minimum at the origin, and the loss per step "
                f"on a log scale. {view.summary}.")
    return view


def training_explorer(lr=0.15, momentum=0.0, steps=30):
    """Sliders for learning rate, momentum and number of steps; the path and the loss curve.

    Returns
    -------
    Explorer
        ``.controls``: 'lr', 'momentum' (FloatSliders), 'steps' (IntSlider);
        ``.result`` is the last :class:`SGDPathView`. The summary line has the
        class ``cnnbook-sgd``.

    Examples
    --------
    >>> ex = training_explorer()
    >>> ex.set(lr=0.25).summary.startswith('Diverges')
    True
    """
    def float_slider(description, value, lo, hi, step):
        return widgets.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                                   readout_format=".2f", style=_LABEL_STYLE, continuous_update=True,
                                   layout=widgets.Layout(width="22rem"))

    def compute(lr, momentum, steps):
        # Slider floats such as 0.15000000000000002: round to the slider's resolution (a float, never -0.0),
        # as the page-side twin does.
        return sgd_path_view(round(lr, 4) + 0.0, round(momentum, 4) + 0.0, steps)

    controls = {
        "lr": float_slider("learning rate η", lr, 0.01, 0.3, 0.01),
        "momentum": float_slider("momentum μ", momentum, 0.0, 0.95, 0.05),
        "steps": slider("steps", steps, 1, 100),
    }
    # The page-side twin (web/cnnbook-explorers/training.js) runs the same bowl from the same start.
    data = {"curvatures": CURVATURES, "start": START, "box": _BOX, "loss_range": _LOSS_RANGE}
    return Explorer("sgd", controls, compute, title="Gradient descent with momentum on a narrow bowl",
                    summary_class="cnnbook-sgd", layout_controls=[["lr", "momentum"], ["steps"]], data=data)
