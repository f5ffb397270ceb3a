"""SGD explorer (chapter 10): gradient descent with momentum on a 2-D quadratic bowl.

Not a real training run: the "network" is one parameter vector ``w = (w1, w2)``
and the loss ``L(w) = (λ1·w1² + λ2·w2²)/2`` is a long, narrow bowl, the shape
that makes the learning rate and momentum matter. Every step is taken by
:class:`cnnbook.optim.SGD`, the optimiser the book trains with, so the path is
exactly what the library does; a redraw takes a few milliseconds.
"""

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..nn import Layer
from ..optim import SGD
from ..plots._base import BLUE, ORANGE, VERMILLION, new_figure
from ._base import _LABEL_STYLE, Explorer, slider
from ._pictures import figure_block, svg_uri

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


def _factor(lr, momentum, curvature):
    """Per-step shrink factor of heavy-ball momentum along one direction of a quadratic.

    ``w_{t+1} = (1 + μ − ηλ)·w_t − μ·w_{t−1}``; the factor is the larger
    modulus of the roots of ``r² − (1 + μ − ηλ)·r + μ = 0``.
    """
    return float(np.abs(np.roots([1.0, -(1 + momentum - lr * curvature), momentum])).max())


def _motion(lr, momentum, curvature):
    """How the path moves along one direction: 'zigzags', 'oscillates' or 'slides'."""
    roots = np.roots([1.0, -(1 + momentum - lr * curvature), momentum])
    if np.abs(roots).max() < 1e-12:
        return "lands on the minimum in one step"
    if np.abs(roots.imag).max() > 1e-12:
        return "oscillates around the minimum"  # complex roots: a damped (or growing) rotation
    top = roots.real[np.argmax(np.abs(roots.real))]
    return "zigzags across the minimum" if top < 0 else "slides straight in"


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

    def _loss_grid(self, n=120):
        x1, x2, y1, y2 = _BOX
        W1, W2 = np.meshgrid(np.linspace(x1, x2, n), np.linspace(y1, y2, n // 2))  # (n/2, n) each
        return W1, W2, 0.5 * (self.curvatures[0] * W1 ** 2 + self.curvatures[1] * W2 ** 2)

    def figure(self, numbers=True):
        """Path over the loss contours, and the loss per step on a log scale (None when not allowed)."""
        if self.path is None:
            return None
        fig = new_figure(8.5, 3.2, layout="constrained")
        ax_w, ax_l = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
        W1, W2, L = self._loss_grid()
        ax_w.contour(W1, W2, L, levels=[0.1, 0.5, 2, 5, 10, 20, 40], colors="#9a9a9a", linewidths=0.7)
        x1, x2, y1, y2 = _BOX
        ax_w.plot(self.path[:, 0], self.path[:, 1], "-o", color=BLUE, ms=3, lw=1.2)
        ax_w.plot(*self.path[0], "s", color=ORANGE, mec="black", ms=7, label="start")
        ax_w.plot(0, 0, "*", color=VERMILLION, mec="black", ms=11, label="minimum")
        ax_w.set_xlim(x1, x2)
        ax_w.set_ylim(y1, y2)
        ax_w.set_aspect("equal")
        ax_w.set_xlabel("w1 (shallow direction)")
        ax_w.set_ylabel("w2 (steep)")
        ax_w.legend(fontsize=8, loc="lower right")
        ax_w.set_title(f"η = {self.lr:g}, μ = {self.momentum:g}", fontsize=10)
        ax_l.semilogy(np.arange(len(self.losses)), np.clip(self.losses, *_LOSS_RANGE), "-", color=BLUE)
        ax_l.set_ylim(*_LOSS_RANGE)
        ax_l.set_xlim(0, max(self.steps, 1))
        ax_l.set_xlabel("step")
        ax_l.set_ylabel("loss")
        ax_l.set_title("loss per step (log scale)", fontsize=10)
        fig.suptitle(self.summary, fontsize=9)
        return fig

    def picture_html(self):
        """The same two panels as SVG (fast): an ``<img>`` with alt text and a caption."""
        if self.path is None:
            return ""
        x1, x2, y1, y2 = _BOX
        pw, ph = 320, 160  # path panel, pixels
        lw, lh = 200, 160  # loss panel
        gap, pad = 50, 20
        width, height = pw + gap + lw + 2 * pad, ph + 2 * pad + 20

        def to_px(w):
            return pad + (w[0] - x1) / (x2 - x1) * pw, pad + (y2 - w[1]) / (y2 - y1) * ph

        out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
               f'viewBox="0 0 {width} {height}" style="font-family:sans-serif">',
               f"<title>{html.escape(self.alt)}</title>",
               f'<clipPath id="cnnbook-sgd-clip"><rect x="{pad}" y="{pad}" width="{pw}" height="{ph}"/></clipPath>',
               f'<rect x="{pad}" y="{pad}" width="{pw}" height="{ph}" fill="white" stroke="black"/>']
        cx, cy = to_px((0.0, 0.0))
        sx, sy = pw / (x2 - x1), ph / (y2 - y1)
        for level in (0.1, 0.5, 2, 5, 10, 20, 40):  # ellipses L(w) = level
            rx, ry = np.sqrt(2 * level / self.curvatures[0]) * sx, np.sqrt(2 * level / self.curvatures[1]) * sy
            out.append(f'<ellipse cx="{cx:.1f}" cy="{cy:.1f}" rx="{rx:.1f}" ry="{ry:.1f}" fill="none" '
                       'stroke="#a0a0a0" stroke-width="0.8" clip-path="url(#cnnbook-sgd-clip)"/>')
        shown = np.clip(self.path, [x1 - 1, y1 - 1], [x2 + 1, y2 + 1])  # keep coordinates finite and near
        pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in map(to_px, shown))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{BLUE}" stroke-width="1.5" '
                   'clip-path="url(#cnnbook-sgd-clip)"/>')
        for w in shown[1:]:
            px, py = to_px(w)
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.2" fill="{BLUE}" clip-path="url(#cnnbook-sgd-clip)"/>')
        px, py = to_px(self.path[0])
        out.append(f'<rect x="{px - 5:.1f}" y="{py - 5:.1f}" width="10" height="10" fill="{ORANGE}" stroke="black"/>')
        out.append(f'<text x="{cx:.1f}" y="{cy + 5:.1f}" font-size="16" text-anchor="middle" fill="{VERMILLION}" '
                   'stroke="black" stroke-width="0.5">★</text>')
        out.append(f'<text x="{pad + pw / 2}" y="{pad + ph + 16}" font-size="12" text-anchor="middle">'
                   "across: w1 (shallow), up: w2 (steep); square: start, star: minimum</text>")
        # Loss panel, log scale.
        lx0 = pad + pw + gap
        lo, hi = np.log10(_LOSS_RANGE[0]), np.log10(_LOSS_RANGE[1])

        def loss_px(t, v):
            v = np.log10(np.clip(v, *_LOSS_RANGE))
            return lx0 + t / max(self.steps, 1) * lw, pad + (hi - v) / (hi - lo) * lh

        out.append(f'<rect x="{lx0}" y="{pad}" width="{lw}" height="{lh}" fill="white" stroke="black"/>')
        for e in range(int(lo), int(hi) + 1, 2):
            _, yy = loss_px(0, 10.0 ** e)
            out.append(f'<line x1="{lx0}" y1="{yy:.1f}" x2="{lx0 + lw}" y2="{yy:.1f}" stroke="#dddddd"/>')
            out.append(f'<text x="{lx0 - 4}" y="{yy + 4:.1f}" font-size="10" text-anchor="end">1e{e}</text>')
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in (loss_px(t, v) for t, v in enumerate(self.losses)))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{BLUE}" stroke-width="1.8"/>')
        out.append(f'<text x="{lx0 + lw / 2}" y="{pad - 6}" font-size="12" text-anchor="middle">loss (log scale)</text>')
        out.append(f'<text x="{lx0 + lw / 2}" y="{pad + lh + 16}" font-size="12" text-anchor="middle">'
                   f"step 0 to {self.steps}</text></svg>")
        caption = f"{self.summary}. Left: the path of w over the loss contours; right: the loss per step."
        return figure_block(svg_uri("".join(out)), self.alt, caption)


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
    view.losses = 0.5 * (view.path ** 2 @ lam)  # (steps_taken + 1,)
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
        lines.append(f"w{i}: curvature λ{i} = {c:g}, η·λ{i} = {lr * c:.3g} "
                     f"({'<' if lr * c < limit else '≥'} 2(1 + μ) = {limit:.3g}): per step the distance "
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
        # Slider floats such as 0.15000000000000002: round to the slider's resolution.
        return sgd_path_view(round(lr, 4), round(momentum, 4), steps)

    controls = {
        "lr": float_slider("learning rate η", lr, 0.01, 0.3, 0.01),
        "momentum": float_slider("momentum μ", momentum, 0.0, 0.95, 0.05),
        "steps": slider("steps", steps, 1, 100),
    }
    return Explorer("sgd", controls, compute, title="Gradient descent with momentum on a narrow bowl",
                    summary_class="cnnbook-sgd", layout_controls=[["lr", "momentum"], ["steps"]])
