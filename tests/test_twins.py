"""Loop twin == readable reference == fast path, on random settings.

The loop twins (:mod:`cnnbook.naive`) follow the equations, :mod:`cnnbook.conv`
is the im2col reference the chapters print, :mod:`cnnbook.fast` is what
``cnnbook.conv2d`` runs. Settings are drawn from a seeded rng: strides, padding
(including 'same'), dilation, rectangular inputs and kernels, float32 and float64.
"""

import numpy as np
import pytest

import cnnbook as cb
from cnnbook import conv, fast, naive

SEEDS = range(12)
TOL = {np.float32: 2e-4, np.float64: 1e-10}


def _conv_setting(rng, dtype):
    N, C, K = (int(v) for v in rng.integers(1, 4, size=3))
    KH, KW = (int(v) for v in rng.integers(1, 5, size=2))
    dh, dw = (int(v) for v in rng.integers(1, 3, size=2))
    sh, sw = (int(v) for v in rng.integers(1, 4, size=2))
    padding = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
    if rng.random() < 0.25:
        sh = sw = 1
        padding = "same"
    H = dh * (KH - 1) + 1 + int(rng.integers(0, 6))
    W = dw * (KW - 1) + 1 + int(rng.integers(0, 6))
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((K, C, KH, KW)).astype(dtype)
    b = rng.standard_normal(K).astype(dtype)
    return x, w, b, dict(stride=(sh, sw), padding=padding, dilation=(dh, dw))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_loop_readable_and_fast_agree(seed, dtype):
    rng = np.random.default_rng(seed)
    x, w, b, kw = _conv_setting(rng, dtype)
    outs = [f(x, w, b, **kw) for f in (naive.conv2d_naive, conv.conv2d, fast.conv2d)]
    dout = rng.standard_normal(outs[0].shape).astype(dtype)
    grads = [f(dout, x, w, **kw) for f in (naive.conv2d_backward_naive, conv.conv2d_backward, fast.conv2d_backward)]
    for out, (dx, dw, db) in zip(outs, grads):
        assert out.dtype == dx.dtype == dw.dtype == db.dtype == dtype
        np.testing.assert_allclose(out, outs[0], atol=TOL[dtype], rtol=TOL[dtype])
        for mine, loop in zip((dx, dw, db), grads[0]):
            np.testing.assert_allclose(mine, loop, atol=TOL[dtype], rtol=TOL[dtype])
    assert cb.conv2d is fast.conv2d and cb.conv2d_backward is fast.conv2d_backward


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", SEEDS)
def test_conv_transpose2d_loop_readable_and_fast_agree(seed, dtype):
    rng = np.random.default_rng(seed)
    x, w, b, kw = _conv_setting(rng, dtype)
    if kw["padding"] == "same":
        kw["padding"] = (0, 0)
    kw["padding"] = tuple(min(p, (k - 1) * d) // 2 for p, k, d in zip(kw["padding"], w.shape[2:], kw["dilation"]))
    kw["output_padding"] = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(kw["stride"], kw["dilation"]))
    wt = w.transpose(1, 0, 2, 3).copy()           # (C_in=C, C_out=K, KH, KW)
    xt = rng.standard_normal((x.shape[0], w.shape[1], 3, 4)).astype(dtype)
    bt = rng.standard_normal(w.shape[0]).astype(dtype)
    outs = [f(xt, wt, bt, **kw) for f in (naive.conv_transpose2d_naive, conv.conv_transpose2d, fast.conv_transpose2d)]
    for out in outs:
        assert out.dtype == dtype
        np.testing.assert_allclose(out, outs[0], atol=TOL[dtype], rtol=TOL[dtype])


def _pool_setting(rng, dtype):
    kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
    sh, sw = (int(v) for v in rng.integers(1, 4, size=2))
    settings = dict(kernel_size=(kh, kw), stride=(sh, sw), padding=(int(rng.integers(0, kh // 2 + 1)),
                                                                     int(rng.integers(0, kw // 2 + 1))),
                    ceil_mode=bool(rng.random() < 0.5))
    H, W = kh + int(rng.integers(0, 6)), kw + int(rng.integers(0, 6))
    x = rng.standard_normal((2, 2, H, W)).astype(dtype)
    if rng.random() < 0.3:
        x = rng.integers(0, 3, size=x.shape).astype(dtype)   # ties
    return x, settings


POOLS = [
    ("max", naive.max_pool2d_naive, cb.max_pool2d, naive.max_pool2d_backward_naive, cb.max_pool2d_backward, {}),
    ("avg", naive.avg_pool2d_naive, cb.avg_pool2d, naive.avg_pool2d_backward_naive, cb.avg_pool2d_backward,
     dict(count_include_pad=True)),
    ("avg, real pixels only", naive.avg_pool2d_naive, cb.avg_pool2d, naive.avg_pool2d_backward_naive,
     cb.avg_pool2d_backward, dict(count_include_pad=False)),
    ("lp", naive.lp_pool2d_naive, cb.lp_pool2d, naive.lp_pool2d_backward_naive, cb.lp_pool2d_backward, dict(p=3)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name,loop,pool,loop_back,pool_back,extra", POOLS, ids=[p[0] for p in POOLS])
def test_pooling_loop_twin_and_fast_agree(name, loop, pool, loop_back, pool_back, extra, seed, dtype):
    rng = np.random.default_rng(seed)
    x, settings = _pool_setting(rng, dtype)
    if name == "lp":
        x = np.abs(x)      # x**3 of a negative pixel: PyTorch and cnnbook clip the negative sum to 0
    kw = dict(settings, **extra)
    out = pool(x, **kw)
    np.testing.assert_allclose(loop(x, **kw), out, atol=TOL[dtype], rtol=TOL[dtype])
    dout = rng.standard_normal(out.shape).astype(dtype)
    np.testing.assert_allclose(loop_back(dout, x, **kw), pool_back(dout, x, **kw), atol=TOL[dtype], rtol=TOL[dtype])


def test_twins_validate_like_the_fast_versions():
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(TypeError, match="count_include_pad must be True or False"):
        naive.avg_pool2d_naive(x, 2, count_include_pad="yes")
    with pytest.raises(ValueError, match=r"p must be a real number >= 1.*got p=0.5"):
        naive.lp_pool2d_naive(x, 2, p=0.5)
    with pytest.raises(ValueError, match="output_padding=2 must be smaller"):
        naive.conv_transpose2d_naive(x, np.zeros((1, 1, 3, 3)), stride=2, output_padding=2)
