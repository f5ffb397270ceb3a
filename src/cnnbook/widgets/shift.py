"""Shift explorer (chapter 2): move a digit and watch what each trained model predicts.

The chapter trains the models; this explorer only runs them. Its pure
function, :func:`shift_view`, takes the models, the images and the settings,
so it can be called (and tested) without widgets.

The models cannot run in the web page. So when the explorer is made,
:func:`shift_data` runs them on every digit it offers, moved by every (dy, dx)
of its sliders, and keeps what the explorer prints: each model's prediction and
its class probabilities as whole percents. The page-side twin
(``web/cnnbook-explorers/shift.js``) only looks these up and formats them.
"""

from dataclasses import dataclass, field

import numpy as np

from .. import softmax
from ..data import shift
from . import web
from ._base import Explorer, slider

__all__ = ["ShiftView", "shift_view", "shift_data", "shift_explorer", "PERCENT_CODES"]

#: One character for each whole percent 0..100 in the page data (printable ASCII
#: without the quote and the backslash, then ten Latin-1 signs): a digit's 49
#: moves × 4 models × 11 numbers fit in about 2 kB instead of 5 kB of JSON numbers.
PERCENT_CODES = "".join(chr(c) for c in range(35, 127) if c != 92) + "¡¢£¤¥¦§¨©ª"
assert len(PERCENT_CODES) == 101


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
    frame : (int, int, int, int) or None
        (row, col, height, width) of the box around the ink, moved with it
        (None for a blank image).
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
    _scale: float = field(default=1.0, repr=False)   # the brightest pixel of all the images (at least 1)

    def state(self):
        """What the explorer draws (see :mod:`cnnbook.widgets.web`).

        The picture (``kind: 'shift'``) is the moved image as grey levels
        0..100 (:func:`grey_levels`), the dashed box around the ink, and one
        bar chart of class probabilities (whole percents) per model.
        """
        picture = None
        if self.image is not None:
            picture = {"kind": "shift", "alt": self.alt, "label": self.label,
                       "title": f"class {self.label}, moved ({self.dy}, {self.dx})",
                       "image": grey_levels(self.image, self._scale), "frame": self.frame,
                       "models": [{"name": name, "prediction": self.predictions[name],
                                   "percents": [percent(p) for p in probs]}
                                  for name, probs in self.probabilities.items()]}
        return web.to_json({"summary": self.summary, "error": self.error, "text": self.text,
                            "grids": [], "picture": picture})


def percent(p):
    """A probability as the whole percent that ``f"{p:.0%}"`` prints: 0.968 -> 97."""
    return int(f"{p:.0%}"[:-1])


def grey_levels(image, scale):
    """Pixels as grey levels 0..100 of ``scale`` (0 stays 0, so moving commutes with it)."""
    return np.clip(np.round(100 * np.asarray(image) / scale), 0, 100).astype(int)


def _ink_box(img):
    rows, cols = np.nonzero(img > 0)
    if rows.size == 0:
        return None
    return (int(rows.min()), int(cols.min()), int(rows.max() - rows.min() + 1),
            int(cols.max() - cols.min() + 1))


def _ink_lost(original, moved):
    """Percent of the ink that the move pushed out of the frame, or None if none was."""
    lost = float(original.sum() - moved.sum())
    return percent(lost / original.sum()) if lost > 1e-9 else None


def _problem(N, H, W, index, dy, dx):
    if not isinstance(index, (int, np.integer)) or not 0 <= index < N:
        return f"index must be a whole number from 0 to {N - 1}; got index={index!r}"
    if not all(isinstance(d, (int, np.integer)) for d in (dy, dx)):
        return f"dy and dx must be whole numbers of pixels; got dy={dy!r}, dx={dx!r}"
    if abs(dy) >= H or abs(dx) >= W:
        return (f"a move of ({dy}, {dx}) pushes the whole {H}×{W} image out of the frame; "
                f"keep |dy| < {H} and |dx| < {W}")
    return None


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
    view.error = _problem(N, H, W, index, dy, dx)
    if view.error:
        view.summary = "No prediction"
        view.alt = "No figure: the setting is not allowed."
        return view
    original = images[index:index + 1]                  # (1, 1, H, W)
    moved = shift(original, dy, dx)                     # (1, 1, H, W)
    view.label = int(labels[index])
    view.image = moved[0, 0]
    view._scale = max(1.0, float(images.max()))
    view.frame = _ink_box(original[0, 0])
    if view.frame is not None:
        r, c, h, w = view.frame
        view.frame = (r + dy, c + dx, h, w)
    lines = []
    for name, model in models.items():
        probs = softmax(model.forward(moved), axis=1)[0]  # (num_classes,)
        view.probabilities[name] = probs
        pred = view.predictions[name] = int(np.argmax(probs))
        verdict = "right" if pred == view.label else "wrong"
        lines.append(f"{name}: predicts {pred} ({percent(probs[pred])}%), "
                     f"{verdict}; probability of the true class {view.label}: {percent(probs[view.label])}%")
    where = f"moved {dy} down and {dx} right" if (dy, dx) != (0, 0) else "not moved"
    view.summary = f"Test digit {index} (a {view.label}), {where}: " + ", ".join(
        f"{name} says {pred}" for name, pred in view.predictions.items())
    view.text = "\n".join(lines)
    lost = _ink_lost(original, moved)
    if lost is not None:
        view.text += f"\n(The move pushed part of the ink, {lost}%, out of the frame.)"
    view.alt = (f"A handwritten {view.label} {where}, and bar charts of class probabilities: "
                + "; ".join(f"{name} predicts {pred}" for name, pred in view.predictions.items()) + ".")
    return view


def shift_data(models, images, labels, max_shift):
    """Everything the page-side twin needs, for every image and every move up to ``max_shift``.

    Each model runs once on all the moved images (a batch; its probabilities
    agree with :func:`shift_view`'s to rounding, and only whole percents are kept).

    Parameters
    ----------
    models, images, labels
        As in :func:`shift_view`.
    max_shift : int
        Moves ``-max_shift <= dy, dx <= max_shift``.

    Returns
    -------
    dict
        JSON-able: ``models`` (names), ``labels``, ``shape`` (H, W),
        ``max_shift``, ``classes``, ``codes`` (:data:`PERCENT_CODES`), and
        per image: ``images`` (grey levels, one code per pixel), ``frames``
        (ink box or None), ``lost`` (percent of ink pushed out per move, or
        None) and ``outputs``: for each move (dy-major, then dx) and each
        model, the prediction and the whole percent of every class, one code each.

    Examples
    --------
    >>> from cnnbook import nn
    >>> net = nn.Sequential(nn.Flatten(), nn.Linear(16, 10, rng=np.random.default_rng(0)))
    >>> x = np.zeros((2, 1, 4, 4)); x[:, 0, 1, 1] = 1
    >>> data = shift_data({'net': net}, x, [3, 5], max_shift=1)
    >>> len(data["outputs"][0]), data["lost"][1][:3], data["frames"][0]
    (99, [None, None, None], [1, 1, 1, 1])
    """
    images = np.asarray(images)
    N, H, W = images.shape[0], images.shape[-2], images.shape[-1]
    moves = [(dy, dx) for dy in range(-max_shift, max_shift + 1) for dx in range(-max_shift, max_shift + 1)]
    moved = np.stack([shift(images, dy, dx) for dy, dx in moves], axis=1)    # (N, S*S, 1, H, W)
    probs = {name: softmax(model.forward(moved.reshape(N * len(moves), *images.shape[1:])), axis=1)
             for name, model in models.items()}                             # each (N*S*S, num_classes)
    classes = next(iter(probs.values())).shape[1] if probs else 0
    scale = max(1.0, float(images.max()))
    outputs = []
    for i in range(N):
        codes = []
        for m in range(len(moves)):
            for p in probs.values():
                row = p[i * len(moves) + m]                                   # (num_classes,)
                codes.append(PERCENT_CODES[int(np.argmax(row))])
                codes.extend(PERCENT_CODES[percent(v)] for v in row)
        outputs.append("".join(codes))
    return web.to_json({
        "models": list(models), "labels": np.asarray(labels)[:N], "shape": (H, W), "max_shift": max_shift,
        "classes": classes, "codes": PERCENT_CODES,
        "images": ["".join(PERCENT_CODES[v] for v in grey_levels(images[i, 0], scale).ravel()) for i in range(N)],
        "frames": [_ink_box(images[i, 0]) for i in range(N)],
        "lost": [[_ink_lost(images[i:i + 1], shift(images[i:i + 1], dy, dx)) for dy, dx in moves]
                 for i in range(N)],
        "outputs": outputs,
    })


def shift_explorer(models, images, labels, index=0, dy=0, dx=0, max_shift=3, count=50):
    """Sliders for which test digit and how far to move it; one bar chart per model.

    Parameters
    ----------
    models, images, labels
        As in :func:`shift_view`.
    index, dy, dx : int
        Initial settings.
    max_shift : int
        Slider range for dy and dx: ``-max_shift .. max_shift``.
    count : int
        The explorer offers the first ``count`` images (the web page carries
        every model's answer for each of them and each move: :func:`shift_data`).

    Returns
    -------
    Explorer
        ``.controls``: 'index', 'dy', 'dx' (IntSliders); ``.result`` is the
        last :class:`ShiftView`.
    """
    images, labels = np.asarray(images)[:count], np.asarray(labels)[:count]

    def compute(index, dy, dx):
        return shift_view(models, images, labels, index, dy, dx)

    controls = {
        "index": slider("test digit", index, 0, len(images) - 1),
        "dy": slider("move down (dy)", dy, -max_shift, max_shift),
        "dx": slider("move right (dx)", dx, -max_shift, max_shift),
    }
    return Explorer("shift", controls, compute, title="Move the digit",
                    layout_controls=[["index"], ["dy", "dx"]],
                    data=shift_data(models, images, labels, max_shift),
                    key="Blue bar: the predicted class. Hatched bar: the true class "
                        "(outlined in red when the prediction is wrong). Dashed box: where the ink is.")
