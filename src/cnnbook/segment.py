"""Semantic segmentation: a class for every pixel, and how to score it (chapter 12).

:func:`iou` is the measure: for each class, the overlap of the predicted and
the true pixels divided by their union. :func:`box_iou` is the same measure
for two boxes, which :func:`cnnbook.fcn.detect` can use for non-maximum
suppression. :class:`cnnbook.nn.ConvTranspose2d` is the upsampling layer, whose backward
pass is an ordinary convolution (the mirror image of chapter 8's result), and
:func:`segmenter` / :func:`fit_segmenter` build and train the chapter's small
encoder-decoder on :func:`cnnbook.data.digit_pages`.
"""

import numpy as np

from ._validate import check_rng, is_int, positive_int
from .losses import pixel_softmax_cross_entropy
from .nn import Conv2d, ConvTranspose2d, Layer, MaxPool2d, ReLU, Sequential
from .optim import SGD

__all__ = ["iou", "iou_loop", "box_iou", "segmenter", "fit_segmenter", "predict_masks"]


def iou(predicted, target, num_classes):
    """Intersection over union of every class: ``|A ∩ B| / |A ∪ B|``.

    For class k, A is the set of pixels predicted as k and B the set of pixels
    whose true class is k. 1 means a perfect match, 0 no overlap at all.

    Parameters
    ----------
    predicted, target : ndarray of int, same shape (any, e.g. (N, H, W))
        A class in ``[0, num_classes)`` for every pixel.
    num_classes : int

    Returns
    -------
    ndarray of float, shape (num_classes,)
        IoU of each class. A class that appears in neither array has an empty
        union, where 0/0 means nothing: its entry is ``nan`` (not 0, which
        would punish a correct "not here", and not 1, which would reward it
        for free). Average with ``np.nanmean`` to skip such classes.

    Examples
    --------
    >>> predicted = np.array([[0, 0, 1], [1, 1, 1]])
    >>> target    = np.array([[0, 1, 1], [1, 1, 0]])
    >>> iou(predicted, target, 3)     # class 0: 1 of 3 pixels; class 1: 3 of 5; class 2: absent
    array([0.33333333, 0.6       ,        nan])
    """
    predicted, target = np.asarray(predicted), np.asarray(target)
    if not is_int(num_classes) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got num_classes={num_classes!r}")
    if predicted.shape != target.shape:
        raise ValueError(f"predicted and target must have the same shape, got predicted.shape="
                         f"{predicted.shape} and target.shape={target.shape}")
    for name, a in (("predicted", predicted), ("target", target)):
        if a.dtype.kind not in "iu":
            raise TypeError(f"{name} must hold integer classes, got {name}.dtype={a.dtype}")
        if a.size and (a.min() < 0 or a.max() >= num_classes):
            raise ValueError(f"{name} must lie in [0, num_classes) = [0, {num_classes}), "
                             f"got values from {a.min()} to {a.max()}")
    # pairs (true, predicted) counted at once: the confusion matrix
    confusion = np.bincount(target.ravel() * num_classes + predicted.ravel(),
                            minlength=num_classes * num_classes).reshape(num_classes, num_classes)
    intersection = np.diag(confusion)                                        # (num_classes,)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - intersection     # |A| + |B| - |A ∩ B|
    out = np.full(num_classes, np.nan)
    present = union > 0
    out[present] = intersection[present] / union[present]
    return out


def iou_loop(predicted, target, num_classes):
    """Loop twin of :func:`iou`, written from the definition with sets of pixels."""
    predicted, target = np.asarray(predicted), np.asarray(target)
    out = []
    for k in range(num_classes):
        a = {i for i, v in np.ndenumerate(predicted) if v == k}
        b = {i for i, v in np.ndenumerate(target) if v == k}
        out.append(len(a & b) / len(a | b) if a | b else float("nan"))
    return np.array(out)


def box_iou(a, b):
    """Intersection over union of two axis-aligned boxes ``(row, col, height, width)``.

    The same measure as :func:`iou`, for the pixels inside each box.

    Parameters
    ----------
    a, b : sequence of 4 numbers, or ndarray, shape (..., 4)
        Top-left corner and size; sizes must be positive. Arrays broadcast.

    Returns
    -------
    float or ndarray, shape (...)

    Examples
    --------
    >>> box_iou((0, 0, 8, 8), (0, 4, 8, 8))     # half a box overlaps: 32 / (64 + 64 - 32)
    0.3333333333333333
    >>> box_iou((0, 0, 8, 8), (8, 8, 8, 8))     # corners touch: nothing shared
    0.0
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    for name, box in (("a", a), ("b", b)):
        if box.shape[-1:] != (4,):
            raise ValueError(f"{name} must be (row, col, height, width), got {name}.shape={box.shape}")
        if np.any(box[..., 2:] <= 0):
            raise ValueError(f"{name} must have positive height and width, got {name}={box.tolist()}")
    top = np.maximum(a[..., 0], b[..., 0])
    left = np.maximum(a[..., 1], b[..., 1])
    bottom = np.minimum(a[..., 0] + a[..., 2], b[..., 0] + b[..., 2])
    right = np.minimum(a[..., 1] + a[..., 3], b[..., 1] + b[..., 3])
    intersection = np.clip(bottom - top, 0, None) * np.clip(right - left, 0, None)
    union = a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - intersection   # > 0: sizes are positive
    result = intersection / union
    return float(result) if result.ndim == 0 else result


def segmenter(num_classes=3, channels=(8, 16), *, rng=None):
    """The chapter's small encoder-decoder: two 3x3 convs with 2x2 pooling, two 4x4 up-convs.

    conv 3x3 (c1) -> ReLU -> pool 2 -> conv 3x3 (c2) -> ReLU -> pool 2 ->
    up-conv 4x4 stride 2 (c2) -> ReLU -> up-conv 4x4 stride 2 (c1) -> ReLU ->
    conv 1x1 (num_classes). The 4x4 kernels with stride 2 avoid uneven overlap
    (chapter 12's checkerboard); padding 1 makes each exactly double the size.

    Parameters
    ----------
    num_classes : int, default 3
        The chapter's task: the digit 0, the digit 1, background.
    channels : (int, int), default (8, 16)
    rng : numpy.random.Generator, optional

    Returns
    -------
    Sequential
        (N, 1, H, W) -> (N, num_classes, H, W) for H and W divisible by 4.
        Weights are drawn as in :func:`cnnbook.nn.uniform_init`, then scaled by
        sqrt(6) (He initialisation; see the comment in the code).

    Examples
    --------
    >>> net = segmenter(rng=np.random.default_rng(0))
    >>> net.forward(np.zeros((2, 1, 16, 24))).shape
    (2, 3, 16, 24)
    """
    rng = check_rng(rng)
    if (not isinstance(channels, (tuple, list)) or len(channels) != 2
            or not all(is_int(c) and c >= 1 for c in channels)):
        raise ValueError(f"channels must be two positive ints (c1, c2), got channels={channels!r}")
    c1, c2 = channels
    net = Sequential(
        Conv2d(1, c1, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
        Conv2d(c1, c2, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
        ConvTranspose2d(c2, c2, 4, stride=2, padding=1, rng=rng), ReLU(),
        ConvTranspose2d(c2, c1, 4, stride=2, padding=1, rng=rng), ReLU(),
        Conv2d(c1, num_classes, 1, rng=rng))
    # He initialisation, bound sqrt(6 / fan_in): with the default bound 1/sqrt(fan_in) the
    # signal shrinks through five layers and training sits for epochs on the plateau
    # "every pixel is background" (the most common class)
    for name, value, _ in net.parameters():
        if name.endswith("weight"):
            value *= np.sqrt(6.0)
    return net


def fit_segmenter(model, pages, masks, *, lr=0.1, momentum=0.9, batch_size=32, epochs=5, rng):
    """Train a segmentation network with the per-pixel cross-entropy; returns the mean loss per epoch.

    Parameters
    ----------
    model : Layer
        (N, C, H, W) -> (N, K, H, W) score maps.
    pages : ndarray, shape (N, C, H, W)
    masks : ndarray of int, shape (N, H, W)
    lr, momentum : float
        For :class:`cnnbook.optim.SGD`.
    batch_size, epochs : int
    rng : numpy.random.Generator
        Shuffles the pages each epoch.

    Returns
    -------
    list of float
        Per epoch, :func:`cnnbook.losses.pixel_softmax_cross_entropy` averaged over its batches.
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a cnnbook.nn.Layer, got model={model!r}")
    pages, masks = np.asarray(pages, dtype=float), np.asarray(masks)
    if pages.ndim != 4 or masks.shape != (pages.shape[0], *pages.shape[2:]):
        raise ValueError(f"pages must be (N, C, H, W) and masks (N, H, W), got pages.shape={pages.shape} "
                         f"and masks.shape={masks.shape}")
    batch_size, epochs = positive_int(batch_size, "batch_size"), positive_int(epochs, "epochs")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got rng={rng!r}")
    optimizer = SGD(model, lr=lr, momentum=momentum)
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(pages))
        losses = []
        for start in range(0, len(pages), batch_size):
            batch = order[start:start + batch_size]
            logits = model.forward(pages[batch])                              # (B, K, H, W)
            loss, dlogits = pixel_softmax_cross_entropy(logits, masks[batch])
            model.backward(dlogits)
            optimizer.step()
            losses.append(loss)
        history.append(float(np.mean(losses)))
    return history


def predict_masks(model, pages, batch_size=256):
    """The class of every pixel (argmax over the score map), computed in batches.

    Parameters
    ----------
    model : Layer
    pages : ndarray, shape (N, C, H, W)

    Returns
    -------
    ndarray of int, shape (N, H, W)
    """
    pages = np.asarray(pages, dtype=float)
    if pages.ndim != 4:
        raise ValueError(f"pages must be (N, C, H, W), got pages.shape={pages.shape}")
    return np.concatenate([model.forward(pages[i:i + batch_size]).argmax(axis=1)
                           for i in range(0, len(pages), batch_size)])
