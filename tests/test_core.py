"""Known answers, fast-against-naive agreement and gradient checks of the functional core."""

import numpy as np
import pytest

import cnnbook as cb

TOL = 1e-7  # the book's bar for a float64 gradient check


# ----------------------------------------------------------- known answers

def test_output_size_slide_examples():
    # N=7, F=3: stride 1, 2, 3 give 5, 3 and floor(2.33)=2; padding 1 rescues stride 3
    assert [cb.conv_output_size(7, 3, s) for s in (1, 2, 3)] == [5, 3, 2]
    assert cb.conv_output_size(7, 3, 3, padding=1, strict=True) == 3


def test_output_size_strict_shows_the_arithmetic_and_a_fix():
    with pytest.raises(ValueError) as err:
        cb.conv_output_size(7, 3, stride=3, strict=True)
    msg = str(err.value)
    assert "(7 + 2*0 - 3)/3 + 1 = 2.33" in msg
    assert "padding=1" in msg


def test_output_size_strict_without_symmetric_fix():
    # n - F is odd and the stride even: no symmetric padding can help
    with pytest.raises(ValueError, match="No symmetric padding"):
        cb.conv_output_size(8, 3, stride=2, strict=True)


def test_output_size_rectangular_and_dilated():
    assert cb.conv_output_size((32, 20), (5, 3), stride=(1, 2), padding=(2, 1)) == (32, 10)
    assert cb.conv_output_size(10, 3, dilation=2) == 6  # effective kernel 5
    assert cb.conv_output_size((9, 8), 4, padding="same") == (9, 8)


def test_pool_output_size_ceil_mode_drops_window_in_padding():
    assert cb.pool_output_size(5, 2, 2, ceil_mode=True) == 3
    # A window that would start inside the right padding is dropped, as in PyTorch
    assert cb.pool_output_size(4, 2, 2, padding=1, ceil_mode=True) == 3


def test_receptive_field_of_stacked_3x3_equals_one_7x7():
    assert cb.receptive_field([3, 3, 3])[-1] == (7, 1)
    assert cb.receptive_field([3, 3], strides=[2, 2], dilations=[1, 2])[-1] == (11, 4)


def test_conv2d_activation_map_of_the_slides():
    x = np.ones((1, 3, 32, 32))
    w = np.ones((6, 3, 5, 5))
    out = cb.conv2d(x, w, np.arange(6.0))
    assert out.shape == (1, 6, 28, 28)
    np.testing.assert_array_equal(out[0, :, 0, 0], 75 + np.arange(6.0))


def test_conv2d_is_cross_correlation_not_convolution():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 1  # an impulse: cross-correlation returns the kernel rotated by 180
    w = np.arange(9.0).reshape(1, 1, 3, 3)
    out = cb.conv2d(x, w, padding=1)
    np.testing.assert_array_equal(out[0, 0], w[0, 0, ::-1, ::-1])


def test_conv2d_same_padding_even_kernel_pads_bottom_right():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 3, 3] = 1
    w = np.ones((1, 1, 2, 2))
    out = cb.conv2d(x, w, padding="same")
    assert out.shape == (1, 1, 4, 4)
    # padding (0 top/left, 1 bottom/right): the windows at (2,2),(2,3),(3,2),(3,3) see x[3,3]
    np.testing.assert_array_equal(np.argwhere(out[0, 0]), [[2, 2], [2, 3], [3, 2], [3, 3]])


def test_conv_backward_slide_example_3x3_input_2x2_filter():
    X = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    F = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    dO = np.array([[[[1.0, 10.0], [100.0, 1000.0]]]])
    dx, dw, db = cb.conv2d_backward(dO, X, F)
    x = X[0, 0]
    # dE/dF11 = dO11*X11 + dO12*X12 + dO21*X21 + dO22*X22, and so on
    expected_dw = np.array([
        [1 * x[0, 0] + 10 * x[0, 1] + 100 * x[1, 0] + 1000 * x[1, 1],
         1 * x[0, 1] + 10 * x[0, 2] + 100 * x[1, 1] + 1000 * x[1, 2]],
        [1 * x[1, 0] + 10 * x[1, 1] + 100 * x[2, 0] + 1000 * x[2, 1],
         1 * x[1, 1] + 10 * x[1, 2] + 100 * x[2, 1] + 1000 * x[2, 2]],
    ])
    np.testing.assert_array_equal(dw[0, 0], expected_dw)
    # dE/dX22 = dO11*F22 + dO12*F21 + dO21*F12 + dO22*F11
    assert dx[0, 0, 1, 1] == 1 * 4 + 10 * 3 + 100 * 2 + 1000 * 1
    assert dx[0, 0, 2, 2] == 1000 * 4
    assert db[0] == 1111


def test_input_gradient_is_full_convolution_with_rotated_filter(rng):
    x = rng.standard_normal((2, 3, 6, 5))
    w = rng.standard_normal((4, 3, 3, 2))
    dout = rng.standard_normal((2, 4, 4, 4))
    dx = cb.conv2d_backward(dout, x, w)[0]
    rotated = w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, K, KH, KW)
    full = cb.conv2d(dout, rotated, padding=(2, 1))       # pad by KH-1, KW-1
    np.testing.assert_allclose(dx, full, atol=1e-12)


def test_conv_transpose_is_the_input_gradient_of_conv(rng):
    x = rng.standard_normal((2, 3, 4, 5))       # (N, C_in, H, W)
    w = rng.standard_normal((3, 2, 3, 3))       # (C_in, C_out, KH, KW)
    out = cb.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)
    assert out.shape == (2, 2, 8, 10)
    z = np.zeros(out.shape)
    dx = cb.conv2d_backward(x, z, w, stride=2, padding=1)[0]
    np.testing.assert_allclose(out, dx, atol=1e-12)


def test_max_pool_ties_go_to_first_maximum():
    x = np.array([[[[2.0, 2.0], [2.0, 2.0]]]])
    dx = cb.max_pool2d_backward(np.ones((1, 1, 1, 1)), x, 2)
    np.testing.assert_array_equal(dx[0, 0], [[1, 0], [0, 0]])


def test_max_pool_overlapping_windows_accumulate():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 5  # the centre wins all four 2x2 windows
    dx = cb.max_pool2d_backward(np.full((1, 1, 2, 2), 0.5), x, 2, stride=1)
    assert dx[0, 0, 1, 1] == 2.0
    assert dx.sum() == 2.0


def test_avg_pool_count_include_pad():
    x = np.ones((1, 1, 2, 2))
    assert cb.avg_pool2d(x, 2, stride=1, padding=1)[0, 0, 0, 0] == 0.25
    assert cb.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False)[0, 0, 0, 0] == 1.0


def test_lp_pool_is_euclidean_norm_of_window():
    x = np.array([[[[1.0, 2.0], [2.0, 4.0]]]])
    assert cb.lp_pool2d(x, 2)[0, 0, 0, 0] == 5.0


def test_softmax_cross_entropy_gradient_is_y_minus_t_over_n():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    t = np.array([0, 1])
    loss, dlogits = cb.softmax_cross_entropy(logits, t)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert loss == pytest.approx(-np.log(p[[0, 1], t]).mean())
    np.testing.assert_allclose(dlogits, (p - np.eye(3)[t]) / 2)


def test_losses_survive_extreme_inputs():
    loss, d = cb.softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
    assert loss == pytest.approx(2000.0) and np.isfinite(d).all()
    loss, dp = cb.binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    assert loss == pytest.approx(100.0) and np.isfinite(dp).all()


# --------------------------------------------------------- dtype and purity

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_is_kept(dtype, rng):
    x = rng.standard_normal((1, 2, 5, 5)).astype(dtype)
    w = rng.standard_normal((3, 2, 3, 3)).astype(dtype)
    assert cb.conv2d(x, w).dtype == dtype
    assert all(g.dtype == dtype for g in cb.conv2d_backward(np.ones((1, 3, 3, 3), dtype), x, w))
    for pool in (cb.max_pool2d, cb.avg_pool2d, cb.lp_pool2d):
        assert pool(x, 2).dtype == dtype
    assert cb.relu(x).dtype == dtype


def test_uint8_image_is_computed_in_float64():
    img = np.full((1, 1, 4, 4), 255, dtype=np.uint8)
    out = cb.conv2d(img, np.ones((1, 1, 2, 2), dtype=np.uint8))
    assert out.dtype == np.float64 and out[0, 0, 0, 0] == 1020  # no uint8 overflow
    assert cb.max_pool2d(img, 2).dtype == np.float64


def test_inputs_are_never_mutated(rng):
    x = rng.standard_normal((2, 2, 5, 5))
    w = rng.standard_normal((2, 2, 3, 3))
    dout = rng.standard_normal((2, 2, 3, 3))
    copies = [a.copy() for a in (x, w, dout)]
    cb.conv2d(x, w)
    cb.conv2d_backward(dout, x, w)
    cb.conv2d_backward_naive(dout, x, w)
    cb.max_pool2d_backward(dout[:, :, :2, :2], x, 2)
    cb.numerical_gradient(lambda v: (v ** 2).sum(), x)
    for a, c in zip((x, w, dout), copies):
        np.testing.assert_array_equal(a, c)


# ------------------------------------------------------- fast against naive

CONV_CASES = [
    dict(stride=1, padding=0, dilation=1),
    dict(stride=2, padding=1, dilation=1),
    dict(stride=(1, 3), padding=(2, 0), dilation=(2, 1)),
    dict(stride=1, padding="same", dilation=2),
]


@pytest.mark.parametrize("kw", CONV_CASES)
def test_conv_fast_matches_naive(kw, rng):
    x = rng.standard_normal((2, 3, 9, 7))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(4)
    out = cb.conv2d(x, w, b, **kw)
    np.testing.assert_allclose(out, cb.conv2d_naive(x, w, b, **kw), atol=1e-12)
    dout = rng.standard_normal(out.shape)
    for fast, slow in zip(cb.conv2d_backward(dout, x, w, **kw), cb.conv2d_backward_naive(dout, x, w, **kw)):
        np.testing.assert_allclose(fast, slow, atol=1e-12)


@pytest.mark.parametrize("kw", CONV_CASES)
def test_im2col_and_col2im_are_adjoint(kw, rng):
    # <col2im(d), x> == <d, im2col(x)>: col2im adds back exactly what im2col copied out
    from cnnbook.conv import col2im, im2col
    from cnnbook.geometry import prepare_conv2d

    x, _, _, geom = prepare_conv2d(rng.standard_normal((2, 3, 9, 7)), np.ones((4, 3, 3, 2)), None, **kw)
    cols = im2col(x, geom)
    assert cols.shape == (2, 3 * 3 * 2, geom.out_hw[0] * geom.out_hw[1])
    d = rng.standard_normal(cols.shape)
    np.testing.assert_allclose(np.vdot(col2im(d, x.shape, geom), x), np.vdot(d, cols), rtol=1e-12)


def test_im2col_refuses_a_grid_width_it_cannot_fill(rng):
    from cnnbook.fast import im2col
    from cnnbook.geometry import prepare_conv2d

    x, _, _, geom = prepare_conv2d(rng.standard_normal((1, 2, 9, 9)), np.ones((3, 2, 3, 3)), None, stride=2)
    with pytest.raises(ValueError, match=r"width must be W_out=4 or grid_width\(geom, W\)=4, got width=9"):
        im2col(x, geom, 9)   # full-width rows exist only at stride 1


SPEEDS = [dict(chunk_bytes=1), dict(chunk_bytes=3000), dict(chunk_bytes=1 << 30), dict(threads=1), dict(threads=2),
          dict(wide_rows=False), dict(reuse_work=False)]


@pytest.mark.parametrize("speed", SPEEDS)
def test_conv_gives_the_same_numbers_whatever_the_speed_measures(speed, rng):
    # one image per chunk, a few images per chunk with a short last one, the whole batch at once;
    # the exact grid at stride 1; fresh work arrays
    from cnnbook.fast import Speed, conv2d_backward_core, conv2d_core, conv_transpose2d_core
    from cnnbook.geometry import prepare_conv2d, prepare_conv_transpose2d

    speed = Speed(**speed)
    x = rng.standard_normal((7, 3, 9, 8))
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)
    xv, wv, bv, geom = prepare_conv2d(x, w, b, padding=1)
    out = conv2d_core(xv, wv, bv, geom, speed)
    np.testing.assert_allclose(out, cb.conv2d_naive(x, w, b, padding=1), atol=1e-12)
    dout = rng.standard_normal(out.shape)
    for fast, slow in zip(conv2d_backward_core(dout, xv, wv, geom, speed),
                          cb.conv2d_backward_naive(dout, x, w, padding=1)):
        np.testing.assert_allclose(fast, slow, atol=1e-12)
    wt = rng.standard_normal((4, 2, 3, 3))
    prepared = prepare_conv_transpose2d(out, wt, None, stride=1, padding=1)
    np.testing.assert_allclose(conv_transpose2d_core(*prepared, speed=speed),
                               cb.conv_transpose2d_naive(out, wt, padding=1), atol=1e-12)


def test_results_never_share_memory_with_the_reused_work_arrays(rng):
    # conv2d keeps its work arrays between calls: what it returns must be fresh arrays
    x = rng.standard_normal((3, 2, 8, 8))
    w = rng.standard_normal((4, 2, 3, 3))
    out = cb.conv2d(x, w, padding=1)
    dx, dw, db = cb.conv2d_backward(np.ones_like(out), x, w, padding=1)
    kept = [a.copy() for a in (out, dx, dw, db)]
    for _ in range(2):  # the same shapes again, then other data through the same buffers
        cb.conv2d(rng.standard_normal(x.shape), w, padding=1)
        cb.conv2d_backward(rng.standard_normal(out.shape), rng.standard_normal(x.shape), w, padding=1)
    for before, now in zip(kept, (out, dx, dw, db)):
        np.testing.assert_array_equal(now, before)


def test_conv_in_several_threads_at_once(rng):
    # each thread has its own work arrays
    from concurrent.futures import ThreadPoolExecutor

    cases = [(rng.standard_normal((4, 3, 12, 12)), rng.standard_normal((5, 3, 3, 3))) for _ in range(8)]
    expected = [cb.conv2d_backward(cb.conv2d(x, w, padding=1), x, w, padding=1) for x, w in cases]

    def run(case):
        x, w = case
        return cb.conv2d_backward(cb.conv2d(x, w, padding=1), x, w, padding=1)

    with ThreadPoolExecutor(4) as pool:
        for got, want in zip(pool.map(run, cases * 4), expected * 4):
            for a, b in zip(got, want):
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kw", [
    dict(kernel_size=2), dict(kernel_size=3, stride=2), dict(kernel_size=3, stride=1, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), ceil_mode=True),
])
def test_max_pool_fast_matches_naive_with_ties(kw, rng):
    x = rng.integers(0, 3, (2, 3, 7, 8)).astype(float)  # many ties
    out = cb.max_pool2d(x, **kw)
    np.testing.assert_array_equal(out, cb.max_pool2d_naive(x, **kw))
    dout = rng.standard_normal(out.shape)
    np.testing.assert_allclose(cb.max_pool2d_backward(dout, x, **kw),
                               cb.max_pool2d_backward_naive(dout, x, **kw), atol=1e-12)


# ----------------------------------------------------- numerical gradients

@pytest.mark.parametrize("kw", CONV_CASES)
def test_conv_backward_matches_finite_differences(kw, rng):
    x = rng.standard_normal((2, 2, 6, 5))
    w = rng.standard_normal((3, 2, 3, 2))
    b = rng.standard_normal(3)
    dout = rng.standard_normal(cb.conv2d(x, w, b, **kw).shape)
    dx, dw, db = cb.conv2d_backward(dout, x, w, **kw)
    assert cb.gradient_check(lambda v: cb.conv2d(v, w, b, **kw), x, dx, dout=dout) < TOL
    assert cb.gradient_check(lambda v: cb.conv2d(x, v, b, **kw), w, dw, dout=dout) < TOL
    assert cb.gradient_check(lambda v: cb.conv2d(x, w, v, **kw), b, db, dout=dout) < TOL


def test_conv_naive_backward_matches_finite_differences(rng):
    x = rng.standard_normal((1, 2, 5, 5))
    w = rng.standard_normal((2, 2, 3, 3))
    dout = rng.standard_normal((1, 2, 2, 2))
    dx, dw, _ = cb.conv2d_backward_naive(dout, x, w, stride=2)
    assert cb.gradient_check(lambda v: cb.conv2d_naive(v, w, stride=2), x, dx, dout=dout) < TOL
    assert cb.gradient_check(lambda v: cb.conv2d_naive(x, v, stride=2), w, dw, dout=dout) < TOL


POOL_CASES = [
    dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(3, 2), stride=1), dict(kernel_size=2, stride=2, ceil_mode=True),
]


@pytest.mark.parametrize("kw", POOL_CASES)
@pytest.mark.parametrize("pool,backward,extra", [
    (cb.max_pool2d, cb.max_pool2d_backward, {}),
    (cb.max_pool2d_naive, cb.max_pool2d_backward_naive, {}),
    (cb.avg_pool2d, cb.avg_pool2d_backward, {}),
    (cb.avg_pool2d, cb.avg_pool2d_backward, {"count_include_pad": False}),
    (cb.lp_pool2d, cb.lp_pool2d_backward, {}),
    (cb.lp_pool2d, cb.lp_pool2d_backward, {"p": 3}),
])
def test_pool_backward_matches_finite_differences(pool, backward, extra, kw, rng):
    # distinct, positive values: no ties (max is not differentiable there) and p=3 is smooth
    x = rng.permutation(2 * 3 * 7 * 7).reshape(2, 3, 7, 7) / 10.0 + 0.5
    if pool is cb.max_pool2d_naive:
        x = x[:1, :2]  # the loop version is slow under finite differences
    dout = rng.standard_normal(pool(x, **kw, **extra).shape)
    dx = backward(dout, x, **kw, **extra)
    assert cb.gradient_check(lambda v: pool(v, **kw, **extra), x, dx, dout=dout) < TOL


def test_relu_and_loss_gradients_match_finite_differences(rng):
    x = rng.standard_normal((3, 4))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink
    dout = rng.standard_normal((3, 4))
    assert cb.gradient_check(cb.relu, x, cb.relu_backward(dout, x), dout=dout) < TOL
    t = np.array([0, 3, 1])
    _, dlogits = cb.softmax_cross_entropy(x, t)
    assert cb.gradient_check(lambda v: cb.softmax_cross_entropy(v, t)[0], x, dlogits) < TOL
    p = cb.sigmoid(x)
    tb = (rng.random((3, 4)) > 0.5).astype(float)
    _, dp = cb.binary_cross_entropy(p, tb)
    assert cb.gradient_check(lambda v: cb.binary_cross_entropy(v, tb)[0], p, dp) < TOL


def test_gradient_check_detects_a_wrong_gradient(rng):
    x = rng.standard_normal((1, 1, 4, 4))
    w = rng.standard_normal((1, 1, 2, 2))
    dout = rng.standard_normal((1, 1, 3, 3))
    _, dw, _ = cb.conv2d_backward(dout, x, w)
    flipped = dw[..., ::-1, ::-1]  # the classic "forgot it is cross-correlation" bug
    assert cb.gradient_check(lambda v: cb.conv2d(x, v), w, flipped, dout=dout) > 1e-2
