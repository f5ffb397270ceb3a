"""Property tests over random shapes, strides, paddings and dilations (numpy only)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import cnnbook as cb
from test_torch_reference import conv_configs, pool_configs


def _arrays(cfg):
    rng = np.random.default_rng(cfg["seed"])
    return rng, rng.standard_normal(cfg["shape"]), rng.standard_normal(cfg["w_shape"])


def _conv_kw(cfg):
    return dict(stride=cfg["stride"], padding=cfg["padding"], dilation=cfg["dilation"])


@settings(max_examples=80)
@given(cfg=conv_configs())
def test_conv_shape_follows_output_size_formula(cfg):
    _, x, w = _arrays(cfg)
    out = cb.conv2d(x, w, **_conv_kw(cfg))
    N, _, H, W = x.shape
    K, _, KH, KW = w.shape
    assert out.shape == (N, K, *cb.conv_output_size((H, W), (KH, KW), **_conv_kw(cfg)))


@settings(max_examples=30)
@given(cfg=conv_configs())
def test_conv_fast_equals_loop_version(cfg):
    rng, x, w = _arrays(cfg)
    b = rng.standard_normal(w.shape[0])
    kw = _conv_kw(cfg)
    out = cb.conv2d(x, w, b, **kw)
    np.testing.assert_allclose(out, cb.conv2d_naive(x, w, b, **kw), atol=1e-11)
    dout = rng.standard_normal(out.shape)
    for fast, slow in zip(cb.conv2d_backward(dout, x, w, **kw), cb.conv2d_backward_naive(dout, x, w, **kw)):
        np.testing.assert_allclose(fast, slow, atol=1e-11)


@settings(max_examples=60)
@given(cfg=conv_configs())
def test_backward_is_the_adjoint_of_forward(cfg):
    """<conv(x), y> = <x, dx(y)> and = <w, dw(y)>: backward is the transpose of a linear map."""
    rng, x, w = _arrays(cfg)
    kw = _conv_kw(cfg)
    y = rng.standard_normal(cb.conv2d(x, w, **kw).shape)
    dx, dw, _ = cb.conv2d_backward(y, x, w, **kw)
    lhs = np.sum(cb.conv2d(x, w, **kw) * y)
    assert np.isclose(lhs, np.sum(x * dx), rtol=1e-9, atol=1e-9)
    assert np.isclose(lhs, np.sum(w * dw), rtol=1e-9, atol=1e-9)


@settings(max_examples=40)
@given(cfg=conv_configs())
def test_conv_transpose_equals_input_gradient(cfg):
    if cfg["padding"] == "same":
        return
    rng, x, w = _arrays(cfg)
    kw = _conv_kw(cfg)
    y = rng.standard_normal(cb.conv2d(x, w, **kw).shape)
    dx = cb.conv2d_backward(y, x, w, **kw)[0]
    # output_padding gives back the rows and columns the floor dropped, so the
    # transposed conv reproduces the input size exactly
    output_padding = tuple(
        (n + 2 * p - d * (k - 1) - 1) % s
        for n, p, d, k, s in zip(x.shape[2:], cfg["padding"], cfg["dilation"], w.shape[2:], cfg["stride"])
    )
    out = cb.conv_transpose2d(y, w, output_padding=output_padding, **kw)
    np.testing.assert_allclose(out, dx, atol=1e-11)


@settings(max_examples=15)
@given(cfg=conv_configs())
def test_conv_gradients_pass_finite_differences(cfg):
    rng, x, w = _arrays(cfg)
    x, w = x[:1, :, :6, :6], w  # keep the finite-difference loop short
    kw = _conv_kw(cfg)
    try:
        out = cb.conv2d(x, w, **kw)
    except ValueError:
        return  # cropping made the kernel too large; covered by the error tests
    dout = rng.standard_normal(out.shape)
    dx, dw, _ = cb.conv2d_backward(dout, x, w, **kw)
    assert cb.gradient_check(lambda v: cb.conv2d(v, w, **kw), x, dx, dout=dout) < 1e-7
    assert cb.gradient_check(lambda v: cb.conv2d(x, v, **kw), w, dw, dout=dout) < 1e-7


@settings(max_examples=60)
@given(cfg=pool_configs())
def test_max_pool_fast_equals_loop_version_with_ties(cfg):
    rng = np.random.default_rng(cfg["seed"])
    x = rng.integers(0, 3, cfg["shape"]).astype(float) if cfg["ties"] else rng.standard_normal(cfg["shape"])
    kw = {k: cfg[k] for k in ("kernel_size", "stride", "padding", "ceil_mode")}
    out = cb.max_pool2d(x, **kw)
    assert out.shape[2:] == cb.pool_output_size(x.shape[2:], **kw)
    np.testing.assert_array_equal(out, cb.max_pool2d_naive(x, **kw))
    dout = rng.standard_normal(out.shape)
    dx = cb.max_pool2d_backward(dout, x, **kw)
    np.testing.assert_allclose(dx, cb.max_pool2d_backward_naive(dout, x, **kw), atol=1e-12)
    # every window hands on its gradient whole: nothing is lost or created
    assert np.isclose(dx.sum(), dout.sum())


@settings(max_examples=60)
@given(cfg=pool_configs(), count_include_pad=st.booleans())
def test_avg_pool_gradient_is_the_adjoint(cfg, count_include_pad):
    rng = np.random.default_rng(cfg["seed"])
    x = rng.standard_normal(cfg["shape"])
    kw = {k: cfg[k] for k in ("kernel_size", "stride", "padding", "ceil_mode")}
    out = cb.avg_pool2d(x, count_include_pad=count_include_pad, **kw)
    y = rng.standard_normal(out.shape)
    dx = cb.avg_pool2d_backward(y, x, count_include_pad=count_include_pad, **kw)
    assert np.isclose(np.sum(out * y), np.sum(x * dx))  # avg pooling is linear


@settings(max_examples=60)
@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 5), p=st.integers(0, 4),
       d=st.integers(1, 3))
def test_output_size_strict_agrees_with_floor_when_exact(n, k, s, p, d):
    effective = d * (k - 1) + 1
    if effective > n + 2 * p:
        return
    size = cb.conv_output_size(n, k, s, p, d)
    assert (size - 1) * s + effective <= n + 2 * p < size * s + effective  # the last window fits, one more would not
    if (n + 2 * p - effective) % s == 0:
        assert cb.conv_output_size(n, k, s, p, d, strict=True) == size
