"""Global average pooling: known answers, the gradient check and PyTorch.

PyTorch's ``adaptive_avg_pool2d(x, 1)`` is the reference; its output keeps
two axes of size 1, ours is (N, C). Without torch those tests skip (see
conftest.py; CNNBOOK_REQUIRE_TORCH=1 makes the skip a failure).
"""

import numpy as np
import pytest

import cnnbook as cb

ATOL = 1e-10  # float64 on both sides


# ------------------------------------------------------------- known answers

def test_forward_known_answer():
    x = np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],       # mean 3.5
                   [[0.0, 0.0, 0.0], [0.0, 0.0, 12.0]]]])    # mean 2
    np.testing.assert_array_equal(cb.global_avg_pool2d(x), [[3.5, 2.0]])


def test_forward_is_one_window_the_size_of_the_map():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5, 7))                    # (N, C, H, W)
    out = cb.global_avg_pool2d(x)
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out, cb.avg_pool2d(x, (5, 7))[:, :, 0, 0], atol=ATOL)
    # the loop, written from the equation out[n, c] = sum_ij x[n, c, i, j] / (H*W)
    N, C, H, W = x.shape
    loop = np.zeros((N, C))
    for n in range(N):
        for c in range(C):
            total = 0.0
            for i in range(H):
                for j in range(W):
                    total += x[n, c, i, j]
            loop[n, c] = total / (H * W)
    np.testing.assert_allclose(out, loop, atol=ATOL)


def test_output_shape_does_not_depend_on_the_map_size():
    for H, W in [(1, 1), (7, 7), (10, 13)]:
        assert cb.global_avg_pool2d(np.ones((2, 5, H, W))).shape == (2, 5)


def test_backward_known_answer_spreads_evenly():
    dout = np.array([[6.0, -3.0]])                           # (N, C) = (1, 2)
    dx = cb.global_avg_pool2d_backward(dout, np.zeros((1, 2, 2, 3)))
    assert dx.shape == (1, 2, 2, 3)
    np.testing.assert_array_equal(dx[0, 0], np.full((2, 3), 1.0))
    np.testing.assert_array_equal(dx[0, 1], np.full((2, 3), -0.5))
    # every map's gradient sums back to its dout: the mean is a sum divided by H*W
    np.testing.assert_allclose(dx.sum(axis=(2, 3)), dout)


def test_backward_matches_avg_pool_backward_with_a_whole_map_window():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4, 6))
    dout = rng.standard_normal((2, 3))
    expected = cb.avg_pool2d_backward(dout[:, :, None, None], x, (4, 6))
    np.testing.assert_allclose(cb.global_avg_pool2d_backward(dout, x), expected, atol=ATOL)


def test_dtype_is_kept():
    x = np.ones((1, 2, 3, 3), dtype=np.float32)
    assert cb.global_avg_pool2d(x).dtype == np.float32
    assert cb.global_avg_pool2d_backward(np.ones((1, 2)), x).dtype == np.float32


# ------------------------------------------------------------ gradient check

@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 4, 5), (1, 2, 7, 3)])
def test_gradient_check(shape):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape)
    dout = rng.standard_normal(shape[:2])
    dx = cb.global_avg_pool2d_backward(dout, x)
    assert cb.gradient_check(cb.global_avg_pool2d, x, dx, dout=dout) < 1e-7


# ------------------------------------------------------------ argument checks

@pytest.mark.parametrize("x, pattern", [
    (np.zeros((2, 3, 4)), r"x must be a 4-D array.*x\.shape=\(2, 3, 4\)"),
    (np.zeros((1, 2, 0, 3)), r"x must have at least one pixel.*x\.shape=\(1, 2, 0, 3\)"),
])
def test_forward_rejects_bad_x(x, pattern):
    with pytest.raises(ValueError, match=pattern):
        cb.global_avg_pool2d(x)


def test_forward_rejects_non_numeric_x():
    with pytest.raises(TypeError, match="x must have a real numeric dtype"):
        cb.global_avg_pool2d(np.array([[[["a"]]]]))


def test_backward_rejects_bad_arguments():
    x = np.zeros((2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"dout must have the forward output's shape \(N, C\)=\(2, 3\), "
                                         r"got dout\.shape=\(3, 2\)"):
        cb.global_avg_pool2d_backward(np.zeros((3, 2)), x)
    with pytest.raises(ValueError, match=r"dout must be a 2-D array.*dout\.shape=\(2, 3, 1, 1\)"):
        cb.global_avg_pool2d_backward(np.zeros((2, 3, 1, 1)), x)
    with pytest.raises(ValueError, match=r"x must be a 4-D array.*x\.shape=\(3, 4, 4\)"):
        cb.global_avg_pool2d_backward(np.zeros((2, 3)), np.zeros((3, 4, 4)))


# ------------------------------------------------------------------- PyTorch

@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 7, 7), (3, 2, 5, 9), (1, 4, 10, 13)])
def test_matches_torch_adaptive_avg_pool(torch, shape):
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape)
    dout = rng.standard_normal(shape[:2])
    t = torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.adaptive_avg_pool2d(t, 1)       # (N, C, 1, 1)
    ref.backward(torch.tensor(dout[:, :, None, None]))
    np.testing.assert_allclose(cb.global_avg_pool2d(x), ref.detach().numpy()[:, :, 0, 0], atol=ATOL)
    np.testing.assert_allclose(cb.global_avg_pool2d_backward(dout, x), t.grad.numpy(), atol=ATOL)
