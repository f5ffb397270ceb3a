"""A classifier turned fully convolutional, and the detections read from its score map."""

import numpy as np
import pytest

import cnnbook.nn as nn
from cnnbook.data import off_centre
from cnnbook.fcn import Detection, detect, to_fully_convolutional


def classifier(rng, classes=4):
    return nn.Sequential(nn.Conv2d(2, 6, 3, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(6 * 3 * 3, 20, rng=rng), nn.ReLU(), nn.Linear(20, classes, rng=rng))


def test_fully_convolutional_gives_the_classifier_on_every_window(rng):
    clf = classifier(rng)
    fcn = to_fully_convolutional(clf, (2, 8, 8))
    x = rng.standard_normal((3, 2, 8, 8))
    np.testing.assert_allclose(fcn.forward(x)[:, :, 0, 0], clf.forward(x), atol=1e-12)
    big = rng.standard_normal((1, 2, 14, 20))          # receptive field 8, stride 2: a 4 x 7 map
    scores = fcn.forward(big)[0]
    assert scores.shape == (4, 4, 7)
    crops = np.stack([big[0, :, 2 * i:2 * i + 8, 2 * j:2 * j + 8] for i in range(4) for j in range(7)])
    np.testing.assert_allclose(clf.forward(crops).reshape(4, 7, 4).transpose(2, 0, 1), scores, atol=1e-12)
    assert fcn.num_params() == clf.num_params()


def test_fully_convolutional_leaves_the_classifier_alone(rng):
    clf = classifier(rng)
    before = [p.copy() for _, p, _ in clf.parameters()]
    fcn = to_fully_convolutional(clf, (2, 8, 8))
    for _, p, _ in fcn.parameters():
        p += 1.0
    for (_, p, _), old in zip(clf.parameters(), before):
        np.testing.assert_array_equal(p, old)


@pytest.mark.parametrize("model, shape, match", [
    ("not a network", (2, 8, 8), "model must be a cnnbook.nn.Sequential"),
    (nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU()), (2, 8, 8), "one Flatten followed by a Linear"),
    (nn.Sequential(nn.Flatten(), nn.ReLU(), nn.Linear(128, 3)), (2, 8, 8), "one Flatten followed by a Linear"),
    (nn.Sequential(nn.Flatten(), nn.Linear(128, 3), nn.MaxPool2d(2)), (2, 8, 8), "only Linear and ReLU"),
    (nn.Sequential(nn.Flatten(), nn.Linear(100, 3)), (2, 8, 8), "expects 100 inputs"),
    (nn.Sequential(nn.Flatten(), nn.Linear(128, 3)), (8, 8), "input_shape must be"),
])
def test_fully_convolutional_refuses_what_it_cannot_convert(model, shape, match):
    with pytest.raises((TypeError, ValueError), match=match):
        to_fully_convolutional(model, shape)


def bright_pixel_detector():
    """Class 0 scores 10 * pixel, class 1 (background) scores 0: a pixel above 0 is an object."""
    net = nn.Sequential(nn.Conv2d(1, 2, 1, bias=False))
    net[0].params["weight"][:, 0, 0, 0] = [10.0, 0.0]
    return net


def test_detect_keeps_the_best_window_of_each_neighbourhood():
    image = np.zeros((1, 6, 12))
    image[0, 1, 1] = 1.0
    image[0, 1, 2] = 0.5       # a weaker neighbour of the first: suppressed
    image[0, 4, 9] = 0.8
    found, log_odds = detect(bright_pixel_detector(), image, background=1, window=3, stride=1, radius=1)
    assert found == [Detection(1, 1, 0, 10.0), Detection(4, 9, 0, 8.0)]
    assert log_odds.shape == (6, 12)
    found, _ = detect(bright_pixel_detector(), image, background=1, window=1, stride=1, radius=0)
    assert [(d.row, d.col) for d in found] == [(1, 1), (4, 9), (1, 2)]


def test_detect_reports_window_corners_in_pixels():
    image = np.zeros((1, 4, 4))
    image[0, 1, 1] = 1.0
    net = nn.Sequential(nn.Conv2d(1, 2, 2, stride=2, bias=False))   # windows 2 x 2, stride 2
    net[0].params["weight"][0] = 10.0
    net[0].params["weight"][1] = 0.0
    found, log_odds = detect(net, image, background=1, window=2, stride=2)
    assert log_odds.shape == (2, 2)
    assert found == [Detection(0, 0, 0, 10.0)]


def test_detect_finds_nothing_in_an_empty_image():
    found, log_odds = detect(bright_pixel_detector(), np.zeros((1, 5, 5)), background=1, window=1, stride=1)
    assert found == [] and (log_odds == 0).all()


@pytest.mark.parametrize("kwargs, match", [
    (dict(background=2), "background must be one of the 2 classes"),
    (dict(background=1, window=0), "window must be a positive int"),
    (dict(background=1, stride=1.5), "stride must be a positive int"),
    (dict(background=1, radius=-1), "radius must be a non-negative int"),
    (dict(background=1, threshold=float("nan")), "threshold must be a finite number"),
    (dict(background=1, threshold="high"), "threshold must be a finite number"),
])
def test_detect_rejects_bad_settings(kwargs, match):
    settings = dict(window=1, stride=1) | kwargs
    with pytest.raises(ValueError, match=match):
        detect(bright_pixel_detector(), np.zeros((1, 4, 4)), **settings)


def test_detect_wants_one_image():
    with pytest.raises(ValueError, match=r"image must be one \(C, H, W\) image"):
        detect(bright_pixel_detector(), np.zeros((1, 1, 4, 4)), background=1, window=1, stride=1)


def test_off_centre_moves_every_image_by_a_shift_in_range(rng):
    images = np.zeros((200, 1, 9, 9))
    images[:, 0, 4, 4] = 1.0                    # one bright pixel in the centre
    moved = off_centre(images, 2, 3, rng=rng)
    for image in moved[:, 0]:
        where = np.argwhere(image == 1.0)
        assert len(where) == 1                  # a shift of at most 3 keeps the pixel inside
        dy, dx = where[0] - 4
        assert 2 <= max(abs(dy), abs(dx)) <= 3
    seen = {tuple(np.argwhere(image == 1.0)[0]) for image in moved[:, 0]}
    assert len(seen) == 7 * 7 - 3 * 3           # every allowed shift turns up


@pytest.mark.parametrize("args, match", [
    ((np.zeros((4, 4)),), "images must be a batch"),
    ((np.zeros((2, 4, 4)), 3, 2), "min_shift <= max_shift"),
    ((np.zeros((2, 4, 4)), -1, 2), "min_shift must be a non-negative int"),
    ((np.zeros((2, 4, 4)), 0, 0), "max_shift >= 1"),
])
def test_off_centre_rejects_bad_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        off_centre(*args, rng=np.random.default_rng(0))


def test_detect_threshold_keeps_only_stronger_windows():
    image = np.zeros((1, 6, 12))
    image[0, 1, 1] = 1.0
    image[0, 4, 9] = 0.3
    found, _ = detect(bright_pixel_detector(), image, background=1, window=1, stride=1, threshold=5)
    assert found == [Detection(1, 1, 0, 10.0)]


@pytest.mark.slow  # trains the detector
def test_digit_detector_is_trained_once_and_reads_test_digits():
    from cnnbook import models
    from cnnbook.fcn import digit_detector

    trained = digit_detector()
    assert digit_detector() is trained
    assert trained.background == 10 and trained.x_test.shape == (449, 1, 8, 8)
    assert models.evaluate(trained.classifier, trained.x_test, trained.y_test)[1] > 0.95
