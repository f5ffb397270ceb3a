"""Tests of cnnbook.segment, the per-pixel loss, digit_pages and detect's IoU suppression."""

import numpy as np
import pytest

import cnnbook
from cnnbook.data import digit_pages, load_digits
from cnnbook.fcn import Detection, detect, digit_detector, match_detections
from cnnbook.losses import pixel_softmax_cross_entropy
from cnnbook.nn import ConvTranspose2d
from cnnbook.segment import box_iou, fit_segmenter, iou, iou_loop, predict_masks, segmenter


@pytest.mark.parametrize("seed", range(5))
def test_iou_matches_its_loop_twin(seed):
    rng = np.random.default_rng(seed)
    predicted, target = rng.integers(0, 4, size=(2, 3, 5)), rng.integers(0, 4, size=(2, 3, 5))
    target[target == 3] = 2                                    # class 3 only predicted
    predicted[predicted == 3] = 1                              # now class 3 is in neither: nan
    np.testing.assert_array_equal(iou(predicted, target, 5), iou_loop(predicted, target, 5))
    assert np.isnan(iou(predicted, target, 5)[3:]).all()


def test_iou_edge_cases_and_errors():
    assert iou(np.array([1, 1]), np.array([1, 1]), 2).tolist()[1] == 1.0
    assert iou(np.array([0, 0]), np.array([1, 1]), 2).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="num_classes"):
        iou(np.array([0]), np.array([0]), 0)
    with pytest.raises(ValueError, match="same shape"):
        iou(np.array([0]), np.array([0, 0]), 2)
    with pytest.raises(ValueError, match=r"predicted must lie in \[0, num_classes\)"):
        iou(np.array([2]), np.array([0]), 2)
    with pytest.raises(TypeError, match="target.dtype"):
        iou(np.array([0]), np.array([0.5]), 2)


def test_box_iou_equals_iou_of_the_pixel_masks():
    rng = np.random.default_rng(0)
    for _ in range(20):
        a, b = rng.integers(0, 6, size=2), rng.integers(0, 6, size=2)
        sa, sb = rng.integers(1, 6, size=2), rng.integers(1, 6, size=2)
        ma, mb = np.zeros((12, 12), int), np.zeros((12, 12), int)
        ma[a[0]:a[0] + sa[0], a[1]:a[1] + sa[1]] = 1
        mb[b[0]:b[0] + sb[0], b[1]:b[1] + sb[1]] = 1
        # the two masks as two "class 1" sets: IoU of class 1
        inter, union = np.sum(ma & mb), np.sum(ma | mb)
        assert box_iou((*a, *sa), (*b, *sb)) == pytest.approx(inter / union)
    with pytest.raises(ValueError, match="positive height and width"):
        box_iou((0, 0, 0, 4), (0, 0, 4, 4))


def test_pixel_loss_gradient_and_flat_equivalence():
    rng = np.random.default_rng(1)
    z, t = rng.normal(size=(2, 4, 3, 2)), rng.integers(0, 4, size=(2, 3, 2))
    loss, dz = pixel_softmax_cross_entropy(z, t)
    assert cnnbook.gradient_check(lambda v: pixel_softmax_cross_entropy(v, t)[0], z, dz) < 1e-7
    flat_loss, flat_dz = cnnbook.softmax_cross_entropy(z.transpose(0, 2, 3, 1).reshape(-1, 4), t.ravel())
    assert loss == pytest.approx(flat_loss)
    np.testing.assert_allclose(dz, flat_dz.reshape(2, 3, 2, 4).transpose(0, 3, 1, 2))
    with pytest.raises(ValueError, match="targets must have shape"):
        pixel_softmax_cross_entropy(z, t[0])
    with pytest.raises(ValueError, match="targets must lie"):
        pixel_softmax_cross_entropy(z, t + 4)


def test_conv_transpose_layer_gradients_and_forward():
    rng = np.random.default_rng(2)
    up = ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1, rng=rng)
    x = rng.normal(size=(2, 3, 3, 4))
    out = up.forward(x)
    np.testing.assert_allclose(out, cnnbook.conv_transpose2d(x, up.params["weight"], up.params["bias"],
                                                             stride=2, padding=1, output_padding=1))
    dout = rng.normal(size=out.shape)
    dx = up.backward(dout)
    dw, db = up.grads["weight"].copy(), up.grads["bias"].copy()
    assert cnnbook.gradient_check(up.forward, x, dx, dout=dout) < 1e-7

    def with_weight(w):
        up.params["weight"][...] = w
        return up.forward(x)

    assert cnnbook.gradient_check(with_weight, up.params["weight"].copy(), dw, dout=dout) < 1e-7
    np.testing.assert_allclose(db, dout.sum(axis=(0, 2, 3)))
    with pytest.raises(ValueError, match="output_padding"):
        ConvTranspose2d(1, 1, 3, stride=2, output_padding=2)


def test_digit_pages_masks_follow_the_ink():
    x, y = load_digits()
    pages, masks = digit_pages(x, y, 20, size=(16, 24), rng=np.random.default_rng(0))
    assert pages.shape == (20, 1, 16, 24) and masks.shape == (20, 16, 24)
    np.testing.assert_array_equal(masks == 10, pages[:, 0] <= 0.3)
    again, _ = digit_pages(x, y, 20, size=(16, 24), rng=np.random.default_rng(0))
    np.testing.assert_array_equal(pages, again)
    with pytest.raises(ValueError, match="size"):
        digit_pages(x, y, 1, size=(4, 4))
    with pytest.raises(ValueError, match="cannot place"):
        digit_pages(x, y, 1, size=(8, 8), digits=2)


def test_segmenter_learns_a_tiny_task():
    rng = np.random.default_rng(3)
    pages = np.zeros((32, 1, 8, 8))
    masks = np.ones((32, 8, 8), dtype=int)
    for n in range(32):                                        # a bright square: class 0
        r, c = rng.integers(0, 5, size=2)
        pages[n, 0, r:r + 3, c:c + 3] = 1.0
        masks[n, r:r + 3, c:c + 3] = 0
    net = segmenter(2, channels=(4, 8), rng=np.random.default_rng(0))
    history = fit_segmenter(net, pages, masks, lr=0.3, batch_size=8, epochs=15, rng=np.random.default_rng(1))
    assert history[-1] < history[0]
    assert iou(predict_masks(net, pages), masks, 2)[0] > 0.5


def test_detect_iou_threshold_matches_radius_on_the_chapter_page():
    trained = digit_detector()
    from cnnbook.widgets.detection import make_page

    page, truth = make_page("spread out")
    kw = dict(background=trained.background, window=8, stride=2)
    by_radius, _ = detect(trained.detector, page, **kw)
    by_iou, _ = detect(trained.detector, page, iou_threshold=0.3, **kw)
    assert by_radius == by_iou
    assert match_detections(by_iou, truth, 8) == (4, 0, 0)
    with pytest.raises(ValueError, match="not both"):
        detect(trained.detector, page, radius=2, iou_threshold=0.3, **kw)
    with pytest.raises(ValueError, match=r"iou_threshold must be a number in \[0, 1\)"):
        detect(trained.detector, page, iou_threshold=1.0, **kw)


def test_match_detections_claims_each_truth_once():
    found = [Detection(0, 0, 3, 9.0), Detection(0, 0, 3, 8.0)]
    assert match_detections(found, [(0, 0, 3)], 8) == (1, 1, 0)
    assert match_detections([], [(0, 0, 3)], 8) == (0, 0, 1)
