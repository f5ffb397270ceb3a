"""Shift explorer (chapter 2): move a digit and watch what each trained model predicts.

The chapter trains the models; this explorer only runs them. Its pure
function, :func:`shift_view`, takes the models, the images and the settings,
so it can be called (and tested) without widgets.
"""

from dataclasses import dataclass, field

import numpy as np

from .. import softmax
from ..data import shift
from ..plots.invariance import show_shift_predictions
from ._base import Explorer, slider

__all__ = ["ShiftView", "shift_view", "shift_explorer"]


@dataclass
class ShiftView:
    """One test image moved by (dy, dx), and each model's class probabilities.

    Attributes
    ----------
    index, dy, dx : int
    label : int or None
        True class of the image.
    image : ndarray, shape (H, W) or None
        The moved image (what the models saw).
    probabilities : dict of str -> ndarray, shape (num_classes,)
    predictions : dict of str -> int
    text, summary, alt : str
    error : str or None
    """

    index: int
    dy: int
    dx: int
    label: int = None
    image: np.ndarray = None
    probabilities: dict = field(default_factory=dict)
    predictions: dict = field(default_factory=dict)
    frame: tuple = None
    text: str = ""
    summary: str = ""
    alt: str = ""
    error: str = None

    def figure(self):
        """The moved digit beside one bar chart of class probabilities per model."""
        if self.image is None:
            return None
        return show_shift_predictions(self.image, self.probabilities, self.label,
                                      (self.dy, self.dx), frame=self.frame)


def _ink_box(img):
    rows, cols = np.nonzero(img > 0)
    if rows.size == 0:
        return None
    return (int(rows.min()), int(cols.min()), int(rows.max() - rows.min() + 1),
            int(cols.max() - cols.min() + 1))


def shift_view(models, images, labels, index=0, dy=0, dx=0):
    """Move test image ``index`` by (dy, dx) pixels and run every model on it.

    Parameters
    ----------
    models : dict of str -> Layer
        Trained models mapping (1, 1, H, W) images to logits (1, num_classes).
    images : ndarray, shape (N, 1, H, W)
    labels : ndarray of int, shape (N,)
    index : int
        Which image, ``0 <= index < N``.
    dy, dx : int
        Pixels down and right (zero fill, see :func:`cnnbook.data.shift`);
        ``|dy| < H`` and ``|dx| < W``.

    Returns
    -------
    ShiftView
        ``.error`` explains a setting that is not allowed (then no model runs).

    Examples
    --------
    >>> from cnnbook import nn
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(16, 10, rng=np.random.default_rng(0)))
    >>> x = np.zeros((2, 1, 4, 4)); x[:, 0, 1, 1] = 1
    >>> view = shift_view({'net': net}, x, np.array([3, 5]), index=1, dy=1, dx=2)
    >>> view.label, float(view.image[2, 3]), view.probabilities['net'].shape
    (5, 1.0, (10,))
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    view = ShiftView(index, dy, dx)
    N, H, W = images.shape[0], images.shape[-2], images.shape[-1]
    if not isinstance(index, (int, np.integer)) or not 0 <= index < N:
        view.error = f"index must be a whole number from 0 to {N - 1}; got index={index!r}"
    elif not all(isinstance(d, (int, np.integer)) for d in (dy, dx)):
        view.error = f"dy and dx must be whole numbers of pixels; got dy={dy!r}, dx={dx!r}"
    elif abs(dy) >= H or abs(dx) >= W:
        view.error = (f"a move of ({dy}, {dx}) pushes the whole {H}×{W} image out of the frame; "
                      f"keep |dy| < {H} and |dx| < {W}")
    if view.error:
        view.summary = "No prediction"
        view.alt = "No figure: the setting is not allowed."
        return view
    original = images[index:index + 1]                  # (1, 1, H, W)
    moved = shift(original, dy, dx)                     # (1, 1, H, W)
    view.label = int(labels[index])
    view.image = moved[0, 0]
    view.frame = _ink_box(original[0, 0])
    if view.frame is not None:
        r, c, h, w = view.frame
        view.frame = (r + dy, c + dx, h, w)
    lines = []
    for name, model in models.items():
        probs = softmax(model.forward(moved), axis=1)[0]  # (num_classes,)
        view.probabilities[name] = probs
        view.predictions[name] = int(np.argmax(probs))
        verdict = "right" if view.predictions[name] == view.label else "wrong"
        lines.append(f"{name}: predicts {view.predictions[name]} ({probs.max():.0%}), "
                     f"{verdict}; probability of the true class {view.label}: {probs[view.label]:.0%}")
    lost = float(original.sum() - moved.sum())
    where = f"moved {dy} down and {dx} right" if (dy, dx) != (0, 0) else "not moved"
    view.summary = f"Test digit {index} (a {view.label}), {where}: " + ", ".join(
        f"{name} says {pred}" for name, pred in view.predictions.items())
    view.text = "\n".join(lines)
    if lost > 1e-9:
        view.text += f"\n(The move pushed part of the ink, {lost / original.sum():.0%}, out of the frame.)"
    view.alt = (f"A handwritten {view.label} {where}, and bar charts of class probabilities: "
                + "; ".join(f"{name} predicts {pred}" for name, pred in view.predictions.items()) + ".")
    return view


def shift_explorer(models, images, labels, index=0, dy=0, dx=0, max_shift=3):
    """Sliders for which test digit and how far to move it; one bar chart per model.

    Parameters
    ----------
    models, images, labels
        As in :func:`shift_view`.
    index, dy, dx : int
        Initial settings.
    max_shift : int
        Slider range for dy and dx: ``-max_shift .. max_shift``.

    Returns
    -------
    Explorer
        ``.controls``: 'index', 'dy', 'dx' (IntSliders); ``.result`` is the
        last :class:`ShiftView`.
    """
    N = len(images)

    def compute(index, dy, dx):
        return shift_view(models, images, labels, index, dy, dx)

    controls = {
        "index": slider("test digit", index, 0, N - 1),
        "dy": slider("move down (dy)", dy, -max_shift, max_shift),
        "dx": slider("move right (dx)", dx, -max_shift, max_shift),
    }
    return Explorer("shift", controls, compute, title="Move the digit",
                    layout_controls=[["index"], ["dy", "dx"]],
                    key="Blue bar: the predicted class. Hatched bar: the true class "
                        "(outlined in red when the prediction is wrong). Dashed box: where the ink is.")
