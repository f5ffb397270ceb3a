"""Fully convolutional networks: a classifier turned into a sliding-window detector.

A Linear layer that reads a (C, F1, F2) feature map through ``Flatten`` is an
F1 x F2 convolution with as many filters as it has outputs, and every Linear
layer after it is a 1 x 1 convolution. :func:`to_fully_convolutional` makes that
conversion; the result accepts any input size and returns a map of class
scores, one per window of the classifier's input size. :func:`detect` reads
such a map, with a "background" class, as a list of objects.
"""

import copy
from functools import lru_cache
from numbers import Real
from typing import NamedTuple

import numpy as np

from ._validate import is_int
from .nn import Conv2d, Flatten, Layer, Linear, MaxPool2d, ReLU, Sequential
from .segment import box_iou

__all__ = ["to_fully_convolutional", "detect", "Detection", "match_detections", "digit_detector", "DigitDetector"]


def _check_input_shape(input_shape):
    if (not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3
            or not all(is_int(v) and v >= 1 for v in input_shape)):
        raise ValueError(
            f"input_shape must be the classifier's input (C, H, W) as three positive ints, "
            f"got input_shape={input_shape!r}"
        )
    return tuple(int(v) for v in input_shape)


def to_fully_convolutional(model, input_shape):
    """The same network with its Flatten + Linear layers turned into convolutions.

    Parameters
    ----------
    model : Sequential
        A classifier: convolutions, poolings and ReLUs, then ``Flatten``, then
        Linear layers (with ReLUs between them).
    input_shape : (int, int, int)
        (C, H, W) of one input image of the classifier.

    Returns
    -------
    Sequential
        A new network (the model is not changed) whose output on a
        ``(N, C, H, W)`` batch is ``(N, num_classes, 1, 1)``, equal to the
        classifier's; on larger images it is a map of scores, one for every
        H x W window the network's stride reaches.

    Notes
    -----
    The first Linear layer, (out, C*F1*F2), becomes a Conv2d with weights
    ``W.reshape(out, C, F1, F2)``: ``Flatten`` orders its input as (c, i, j),
    so row k of W is filter k. Each later Linear layer (out, in) becomes a
    1 x 1 Conv2d with weights ``W.reshape(out, in, 1, 1)``.

    Examples
    --------
    >>> import cnnbook.nn as nn
    >>> rng = np.random.default_rng(0)
    >>> clf = nn.Sequential(nn.Conv2d(1, 4, 3, rng=rng), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5, rng=rng))
    >>> fcn = to_fully_convolutional(clf, (1, 8, 8))
    >>> fcn.forward(np.zeros((2, 1, 8, 8))).shape, fcn.forward(np.zeros((1, 1, 12, 20))).shape
    ((2, 5, 1, 1), (1, 5, 5, 13))
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a cnnbook.nn.Sequential, got model={model!r}")
    input_shape = _check_input_shape(input_shape)
    flat = [i for i, layer in enumerate(model.layers) if isinstance(layer, Flatten)]
    if len(flat) != 1 or flat[0] + 1 >= len(model.layers) or not isinstance(model.layers[flat[0] + 1], Linear):
        raise ValueError(
            f"model must have one Flatten followed by a Linear layer to turn into convolutions, "
            f"got the layers {[type(layer).__name__ for layer in model.layers]}"
        )
    body, head = model.layers[:flat[0]], model.layers[flat[0] + 1:]
    for layer in head:
        if not isinstance(layer, (Linear, ReLU)):
            raise ValueError(
                f"after Flatten only Linear and ReLU layers can become convolutions, got {layer!r}"
            )
    features = np.zeros((1, *input_shape))
    for layer in body:   # the shape of the map that Flatten receives
        features = layer.forward(features)
    _, C, F1, F2 = features.shape

    layers = []
    for layer in body:
        layer = copy.deepcopy(layer)
        layer.cache = None
        layers.append(layer)
    in_channels, kernel = C, (F1, F2)
    for layer in head:
        if isinstance(layer, ReLU):
            layers.append(ReLU())
            continue
        out_features, in_features = layer.params["weight"].shape
        if in_features != in_channels * kernel[0] * kernel[1]:
            raise ValueError(
                f"{layer!r} expects {in_features} inputs, but the layer before it gives "
                f"{in_channels}*{kernel[0]}*{kernel[1]} = {in_channels * kernel[0] * kernel[1]}"
            )
        conv = Conv2d(in_channels, out_features, kernel, bias="bias" in layer.params)
        # (out, C*F1*F2) -> (K, C, KH, KW): row k of W is filter k
        conv.params["weight"][...] = layer.params["weight"].reshape(out_features, in_channels, *kernel)
        if "bias" in layer.params:
            conv.params["bias"][...] = layer.params["bias"]
        layers.append(conv)
        in_channels, kernel = out_features, (1, 1)
    return Sequential(*layers)


class Detection(NamedTuple):
    """One object found by :func:`detect`."""

    row: int        # top-left pixel of its window in the image
    col: int
    label: int      # the class with the highest score there (never the background)
    log_odds: float  # log(P(an object) / P(background)) of that window


def detect(fcn, image, *, background, window, stride, radius=None, threshold=0.0, iou_threshold=None):
    """Find objects with a fully convolutional classifier that has a background class.

    Every window gets the log-odds that it holds an object rather than
    background. The best window is kept, its neighbours within ``radius``
    score-map cells are dropped (they see most of the same object:
    non-maximum suppression), and so on while the log-odds are above
    ``threshold`` (0: an object is more likely than background).

    Parameters
    ----------
    fcn : Layer
        A network whose output on a (1, C, H, W) image is a score map
        (1, num_classes, H_s, W_s), such as :func:`to_fully_convolutional` makes.
    image : ndarray, shape (C, H, W)
    background : int
        The class that means "no object here".
    window, stride : int
        The classifier's input size and the network's total stride: score
        (i, j) belongs to the window whose top-left pixel is (i*stride, j*stride).
    radius : int, optional
        Neighbours dropped around each detection; default ``window // (2*stride)``
        (windows that overlap by at least half in both directions).
    threshold : float, default 0
        Smallest log-odds kept.
    iou_threshold : float in [0, 1), optional
        Suppress by overlap instead of by radius: drop every window whose
        intersection over union with a kept window
        (:func:`cnnbook.segment.box_iou`) is above ``iou_threshold``.
        Cannot be combined with ``radius``. Default None: suppress by radius.

    Returns
    -------
    detections : list of Detection
        Best first.
    log_odds : ndarray, shape (H_s, W_s)
        The map the detections were read from.

    Examples
    --------
    >>> import cnnbook.nn as nn
    >>> net = nn.Sequential(nn.Conv2d(1, 2, 1, bias=False))    # class 0: "bright", class 1: background
    >>> net[0].params["weight"][:, 0, 0, 0] = [10.0, 0.0]
    >>> image = np.zeros((1, 5, 9)); image[0, 1, 2] = image[0, 3, 7] = 1.0
    >>> found, _ = detect(net, image, background=1, window=1, stride=1)
    >>> [(d.row, d.col, d.label) for d in found]
    [(1, 2, 0), (3, 7, 0)]
    >>> found, _ = detect(net, image, background=1, window=4, stride=1, iou_threshold=0.5)
    >>> [(d.row, d.col) for d in found]     # windows 4 wide, corners 5 apart: no overlap
    [(1, 2), (3, 7)]
    """
    if not isinstance(fcn, Layer):
        raise TypeError(f"fcn must be a cnnbook.nn.Layer, got fcn={fcn!r}")
    image = np.asarray(image, dtype=float)
    if image.ndim != 3:
        raise ValueError(f"image must be one (C, H, W) image, got image.shape={image.shape}")
    for name, value in (("window", window), ("stride", stride)):
        if not is_int(value) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    if iou_threshold is not None:
        if radius is not None:
            raise ValueError(f"give radius or iou_threshold, not both, got radius={radius!r} "
                             f"and iou_threshold={iou_threshold!r}")
        if (isinstance(iou_threshold, bool) or not isinstance(iou_threshold, Real)
                or not 0 <= iou_threshold < 1):
            raise ValueError(f"iou_threshold must be a number in [0, 1), got iou_threshold={iou_threshold!r}")
    radius = window // (2 * stride) if radius is None else radius
    if not is_int(radius) or radius < 0:
        raise ValueError(f"radius must be a non-negative int, got radius={radius!r}")
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not np.isfinite(threshold):
        raise ValueError(f"threshold must be a finite number (log-odds), got threshold={threshold!r}")
    scores = fcn.forward(image[None])
    if scores.ndim != 4:
        raise ValueError(f"fcn must return a score map (1, num_classes, H_s, W_s), got shape {scores.shape}")
    scores = scores[0]                                                  # (num_classes, H_s, W_s)
    if not is_int(background) or not 0 <= background < len(scores):
        raise ValueError(f"background must be one of the {len(scores)} classes 0..{len(scores) - 1}, "
                         f"got background={background!r}")
    objects = np.delete(scores, background, axis=0)                     # (num_classes - 1, H_s, W_s)
    top = objects.max(axis=0)
    log_odds = top + np.log(np.exp(objects - top).sum(axis=0)) - scores[background]  # logsumexp - background
    labels = np.delete(np.arange(len(scores)), background)[objects.argmax(axis=0)]
    left = log_odds.copy()
    if iou_threshold is not None:
        rows, cols = np.indices(left.shape) * stride                           # (2, H_s, W_s) corners
        boxes = np.stack([rows, cols, np.full_like(rows, window), np.full_like(rows, window)], axis=-1)
    found = []
    while left.size and left.max() > threshold:
        i, j = np.unravel_index(left.argmax(), left.shape)
        found.append(Detection(int(i) * stride, int(j) * stride, int(labels[i, j]), float(log_odds[i, j])))
        if iou_threshold is None:
            left[max(0, i - radius):i + radius + 1, max(0, j - radius):j + radius + 1] = -np.inf
        else:
            left[box_iou(boxes, boxes[i, j]) > iou_threshold] = -np.inf        # (H_s, W_s) mask
            left[i, j] = -np.inf
    return found, log_odds


class DigitDetector(NamedTuple):
    """The trained detector of chapter 12 and the test digits it never saw."""

    classifier: Sequential   # 8x8 digit -> 11 scores (0-9 and background)
    detector: Sequential     # the same network, fully convolutional
    x_test: np.ndarray       # (449, 1, 8, 8), in [0, 1]
    y_test: np.ndarray       # (449,)
    background: int          # 10


@lru_cache(maxsize=1)
def digit_detector():
    """Train chapter 12's digit detector once per session (a few seconds) and keep it.

    The recipe of the chapter: the digits' training split, plus every training
    digit moved 2 to 8 pixels off centre as an eleventh class, background
    (:func:`cnnbook.data.off_centre`); a 3x3 convolution with 16 filters, ReLU,
    2x2 max pooling, Linear 144 -> 64, ReLU, Linear 64 -> 11; SGD with
    momentum 0.9, learning rate 0.02 (0.002 after epoch 9), 12 epochs. Every
    seed is fixed, so the weights are the same in every session.

    Returns
    -------
    DigitDetector
        Do not change its arrays in place: the same object is returned to every caller.
    """
    from . import models
    from .data import off_centre, train_test_split_digits

    background = 10
    x_train, x_test, y_train, y_test = train_test_split_digits(rng=np.random.default_rng(1))
    x_bg = off_centre(x_train, 2, 8, rng=np.random.default_rng(3))          # (1348, 1, 8, 8)
    x_all = np.concatenate([x_train, x_bg])                                # (2696, 1, 8, 8)
    y_all = np.concatenate([y_train, np.full(len(x_bg), background)])
    rng = np.random.default_rng(0)
    classifier = Sequential(
        Conv2d(1, 16, 3, rng=rng), ReLU(), MaxPool2d(2), Flatten(),
        Linear(16 * 3 * 3, 64, rng=rng), ReLU(), Linear(64, 11, rng=rng))
    models.fit(classifier, x_all, y_all, lr=0.02, momentum=0.9, epochs=12, milestones=(9,),
               rng=np.random.default_rng(2))
    return DigitDetector(classifier, to_fully_convolutional(classifier, (1, 8, 8)), x_test, y_test, background)


def match_detections(found, truth, window, min_iou=0.5):
    """Count right, wrong and missed detections against the true objects of a page.

    A detection is right when its box overlaps a true object's box with
    IoU >= ``min_iou`` (the usual 0.5 of PASCAL VOC) and has its label; each
    true object can be claimed once, by the best detection first.

    Parameters
    ----------
    found : sequence of Detection
        Best first, as :func:`detect` returns them.
    truth : sequence of (int, int, int)
        Top-left corner and class of every true object (window x window boxes).
    window : int
        Side of every box.
    min_iou : float, default 0.5

    Returns
    -------
    correct, wrong, missed : int
        ``precision = correct / (correct + wrong)``, ``recall = correct / (correct + missed)``.

    Examples
    --------
    >>> found = [Detection(0, 0, 3, 9.0), Detection(0, 2, 3, 4.0), Detection(8, 8, 1, 2.0)]
    >>> match_detections(found, [(0, 0, 3), (8, 10, 7)], window=8)   # a double, a wrong label
    (1, 2, 1)
    """
    if not is_int(window) or window < 1:
        raise ValueError(f"window must be a positive int, got window={window!r}")
    if isinstance(min_iou, bool) or not isinstance(min_iou, Real) or not 0 < min_iou <= 1:
        raise ValueError(f"min_iou must be a number in (0, 1], got min_iou={min_iou!r}")
    unclaimed = list(truth)
    correct = 0
    for d in found:
        for t in unclaimed:
            if t[2] == d.label and box_iou((d.row, d.col, window, window), (t[0], t[1], window, window)) >= min_iou:
                unclaimed.remove(t)
                correct += 1
                break
    return correct, len(found) - correct, len(unclaimed)
