"""Chapter 8, section "Backpropagation through a dilated convolution": the formulas it derives.

For ``out = conv2d(x, w, stride=S, padding=P, dilation=D)`` (per axis), with
``r = (H + 2P - D(KH - 1) - 1) mod S`` the rows the floor drops:

- dw = conv2d(x, dout, stride=D, padding=P, dilation=S)[:KH, :KW] (batch and
  channel axes swapped): stride and dilation trade places, then crop;
- dx = full convolution of dout dilated by S with w dilated by D (pad by
  D(KH - 1), rotated filter with dilation=D), padded by r at the end, cropped by P;
- dx = conv_transpose2d(dout, w, S, P, output_padding=r, dilation=D).

Each is compared with conv2d_backward, its loop twin and finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest

import cnnbook
from cnnbook import conv2d, conv2d_backward, conv2d_backward_naive, conv_transpose2d, gradient_check


def dropped(n, k, stride, padding, dilation):
    """Rows (or columns) after the last window: (n + 2P - D(k - 1) - 1) mod S."""
    return (n + 2 * padding - dilation * (k - 1) - 1) % stride


def formula_grads(dout, x, w, stride, padding, dilation):
    """dx, dw by the chapter's formulas; stride, padding, dilation are (rows, columns) pairs."""
    N, C, H, W = x.shape
    K, _, KH, KW = w.shape
    _, _, H_out, W_out = dout.shape
    (Sh, Sw), (Ph, Pw), (Dh, Dw) = stride, padding, dilation
    r_h, r_w = dropped(H, KH, Sh, Ph, Dh), dropped(W, KW, Sw, Pw, Dw)
    dw = conv2d(x.transpose(1, 0, 2, 3), dout.transpose(1, 0, 2, 3),
                stride=(Dh, Dw), padding=(Ph, Pw), dilation=(Sh, Sw))  # (C, K, KH + r_h//Dh, KW + r_w//Dw)
    assert dw.shape[2:] == (KH + r_h // Dh, KW + r_w // Dw)
    dw = dw[:, :, :KH, :KW].transpose(1, 0, 2, 3)                    # (K, C, KH, KW)
    dil = np.zeros((N, K, (H_out - 1) * Sh + 1, (W_out - 1) * Sw + 1))
    dil[:, :, ::Sh, ::Sw] = dout
    w_back = np.flip(w, axis=(2, 3)).transpose(1, 0, 2, 3)           # (C, K, KH, KW)
    full = conv2d(dil, w_back, padding=(Dh * (KH - 1), Dw * (KW - 1)), dilation=(Dh, Dw))
    assert full.shape[2:] == (H + 2 * Ph - r_h, W + 2 * Pw - r_w)
    dxpad = np.pad(full, ((0, 0), (0, 0), (0, r_h), (0, r_w)))       # (N, C, H + 2Ph, W + 2Pw)
    return dxpad[:, :, Ph:Ph + H, Pw:Pw + W], dw, (r_h, r_w)


def random_setting(rng):
    stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
    dilation = tuple(int(v) for v in rng.integers(1, 4, size=2))
    padding = tuple(int(v) for v in rng.integers(0, 3, size=2))
    N, C, K, KH, KW = (int(v) for v in rng.integers(1, 4, size=5))
    H = max(1, dilation[0] * (KH - 1) + 1 - 2 * padding[0] + int(rng.integers(0, 7)))
    W = max(1, dilation[1] * (KW - 1) + 1 - 2 * padding[1] + int(rng.integers(0, 7)))
    x = rng.normal(size=(N, C, H, W))
    w = rng.normal(size=(K, C, KH, KW))
    dout = rng.normal(size=conv2d(x, w, stride=stride, padding=padding, dilation=dilation).shape)
    return dout, x, w, stride, padding, dilation


def test_worked_example_1d():
    X = np.arange(1.0, 6.0)[None, None, None]                        # (1, 1, 1, 5)
    F = np.array([1.0, 2.0])[None, None, None]                       # (1, 1, 1, 2)
    delta = np.array([1.0, -2.0, 0.5])[None, None, None]             # (1, 1, 1, 3)
    np.testing.assert_array_equal(conv2d(X, F, dilation=2).ravel(), [7.0, 10.0, 13.0])
    dx, dw, _ = conv2d_backward(delta, X, F, dilation=2)
    np.testing.assert_allclose(dw.ravel(), [-1.5, -2.5])
    np.testing.assert_allclose(dx.ravel(), [1.0, -2.0, 2.5, -4.0, 1.0])


@pytest.mark.parametrize("seed", range(8))
def test_formulas_match_backward_twins_and_transpose(seed):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        dout, x, w, stride, padding, dilation = setting = random_setting(rng)
        dx, dw, db = conv2d_backward(*setting)
        dx_f, dw_f, r = formula_grads(*setting)
        np.testing.assert_allclose(dx_f, dx, rtol=0, atol=1e-12, err_msg=f"dx, setting {setting[3:]}")
        np.testing.assert_allclose(dw_f, dw, rtol=0, atol=1e-12, err_msg=f"dw, setting {setting[3:]}")
        for mine, ref in zip(conv2d_backward_naive(*setting), (dx, dw, db)):
            np.testing.assert_allclose(mine, ref, rtol=0, atol=1e-12)
        dx_t = conv_transpose2d(dout, w, stride=stride, padding=padding, output_padding=r,
                                dilation=dilation)
        np.testing.assert_allclose(dx_t, dx, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_formulas_match_finite_differences(seed):
    rng = np.random.default_rng(100 + seed)
    for _ in range(5):
        dout, x, w, stride, padding, dilation = random_setting(rng)
        dx, dw, _ = formula_grads(dout, x, w, stride, padding, dilation)
        assert gradient_check(lambda v: conv2d(v, w, None, stride, padding, dilation), x, dx, dout=dout) < 1e-7
        assert gradient_check(lambda v: conv2d(x, v, None, stride, padding, dilation), w, dw, dout=dout) < 1e-7


def test_holes_get_no_gradient():
    """9x9 input, 3x3 filter, D = 2, S = 4 (chapter 4's figure): odd rows and columns are never read."""
    rng = np.random.default_rng(9)
    dx = conv2d_backward(rng.normal(size=(1, 1, 2, 2)), rng.normal(size=(1, 1, 9, 9)),
                         rng.normal(size=(1, 1, 3, 3)), stride=4, dilation=2)[0][0, 0]
    odd = (np.arange(9)[:, None] % 2 == 1) | (np.arange(9)[None, :] % 2 == 1)
    np.testing.assert_array_equal(dx == 0, odd)
    counts = conv2d_backward(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 9, 9)), np.ones((1, 1, 3, 3)),
                             stride=4, dilation=2)[0][0, 0]
    np.testing.assert_array_equal(counts[:, 0], [1, 0, 1, 0, 2, 0, 1, 0, 1])
    assert counts[4, 4] == 4
    assert cnnbook.conv_output_size(9, 3, stride=4, dilation=2) == 2
