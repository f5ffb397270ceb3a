"""Every forward and backward of the functional core against PyTorch 2.13 (CPU).

PyTorch is the correctness reference, never a runtime dependency. Without it
these tests skip, unless CNNBOOK_REQUIRE_TORCH=1 (set by CI) makes that a failure.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnnbook as cb
import cnnbook.nn

ATOL = 1e-10  # float64 on both sides

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel:UserWarning")


def _grad_of(torch, fn, *arrays, dout):
    """Run a torch function on copies of ``arrays`` and backpropagate ``dout``."""
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*tensors)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), [t.grad.numpy() for t in tensors]


@st.composite
def conv_configs(draw):
    KH, KW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    same = draw(st.booleans()) and draw(st.booleans())
    sh, sw = (1, 1) if same else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = "same" if same else (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    H = dh * (KH - 1) + 1 + draw(st.integers(0, 6))
    W = dw * (KW - 1) + 1 + draw(st.integers(0, 6))
    N, C, K = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    return dict(shape=(N, C, H, W), w_shape=(K, C, KH, KW), stride=(sh, sw),
                padding=padding, dilation=(dh, dw), seed=seed)


@settings(max_examples=60)
@given(cfg=conv_configs())
def test_conv2d_forward_and_backward_match_torch(torch, cfg):
    F = torch.nn.functional
    rng = np.random.default_rng(cfg["seed"])
    x = rng.standard_normal(cfg["shape"])
    w = rng.standard_normal(cfg["w_shape"])
    b = rng.standard_normal(cfg["w_shape"][0])
    kw = dict(stride=cfg["stride"], padding=cfg["padding"], dilation=cfg["dilation"])
    out = cb.conv2d(x, w, b, **kw)
    dout = rng.standard_normal(out.shape)
    ref, (dx_ref, dw_ref, db_ref) = _grad_of(torch, lambda *t: F.conv2d(*t, **kw), x, w, b, dout=dout)
    np.testing.assert_allclose(out, ref, atol=ATOL)
    dx, dw, db = cb.conv2d_backward(dout, x, w, **kw)
    np.testing.assert_allclose(dx, dx_ref, atol=ATOL)
    np.testing.assert_allclose(dw, dw_ref, atol=ATOL)
    np.testing.assert_allclose(db, db_ref, atol=ATOL)


@settings(max_examples=15)
@given(cfg=conv_configs())
def test_naive_conv_matches_torch(torch, cfg):
    F = torch.nn.functional
    rng = np.random.default_rng(cfg["seed"])
    x = rng.standard_normal(cfg["shape"])
    w = rng.standard_normal(cfg["w_shape"])
    kw = dict(stride=cfg["stride"], padding=cfg["padding"], dilation=cfg["dilation"])
    out = cb.conv2d_naive(x, w, None, **kw)
    dout = rng.standard_normal(out.shape)
    ref, (dx_ref, dw_ref) = _grad_of(torch, lambda *t: F.conv2d(*t, **kw), x, w, dout=dout)
    np.testing.assert_allclose(out, ref, atol=ATOL)
    dx, dw, _ = cb.conv2d_backward_naive(dout, x, w, **kw)
    np.testing.assert_allclose(dx, dx_ref, atol=ATOL)
    np.testing.assert_allclose(dw, dw_ref, atol=ATOL)


@settings(max_examples=40)
@given(cfg=conv_configs(), op=st.integers(0, 2))
def test_conv_transpose2d_matches_torch(torch, cfg, op):
    if cfg["padding"] == "same":
        cfg["padding"] = 0
    sh, sw = cfg["stride"]
    dh, dw = cfg["dilation"]
    output_padding = (min(op, max(sh, dh) - 1), min(op, max(sw, dw) - 1))
    rng = np.random.default_rng(cfg["seed"])
    N, C, H, W = cfg["shape"]
    K, _, KH, KW = cfg["w_shape"]
    x = rng.standard_normal((N, K, H, W))
    w = rng.standard_normal((K, C, KH, KW))  # (C_in, C_out, KH, KW)
    b = rng.standard_normal(C)
    kw = dict(stride=cfg["stride"], padding=cfg["padding"], output_padding=output_padding,
              dilation=cfg["dilation"])
    try:
        size = cb.conv_transpose_output_size((H, W), (KH, KW), cfg["stride"], cfg["padding"],
                                             output_padding, cfg["dilation"])
    except ValueError:
        with pytest.raises(RuntimeError):  # torch refuses the same settings
            torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), **kw)
        return
    ref = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), **kw)
    out = cb.conv_transpose2d(x, w, b, **kw)
    assert out.shape[2:] == size
    np.testing.assert_allclose(out, ref.numpy(), atol=ATOL)
    np.testing.assert_allclose(cb.conv_transpose2d_naive(x, w, b, **kw), ref.numpy(), atol=ATOL)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf * 0, as in PyTorch
@pytest.mark.parametrize("where", ["x", "w"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
@pytest.mark.parametrize("kw", [dict(padding=1), dict(padding=2, dilation=2), dict(stride=2, padding=1)])
def test_conv2d_non_finite_values_reach_the_same_outputs_as_in_torch(torch, rng, where, value, kw):
    # an inf or NaN spreads to exactly the outputs and gradients it reaches in PyTorch
    F = torch.nn.functional
    x = rng.standard_normal((2, 2, 7, 6))
    w = rng.standard_normal((3, 2, 3, 3))
    if where == "x":
        x[1, 0, 3, 5] = value   # on the right edge
    else:
        w[2, 1, 0, 2] = value
    b = rng.standard_normal(3)
    out = cb.conv2d(x, w, b, **kw)
    dout = rng.standard_normal(out.shape)
    ref, grads = _grad_of(torch, lambda *t: F.conv2d(*t, **kw), x, w, b, dout=dout)
    np.testing.assert_allclose(out, ref, atol=ATOL)
    for ours, theirs in zip(cb.conv2d_backward(dout, x, w, **kw), grads):
        np.testing.assert_array_equal(np.isfinite(ours), np.isfinite(theirs))
        np.testing.assert_allclose(ours, theirs, atol=ATOL)
    t = F.conv_transpose2d(torch.tensor(x[:, :2]), torch.tensor(w[:2]), **kw).numpy()
    np.testing.assert_allclose(cb.conv_transpose2d(x[:, :2], w[:2], **kw), t, atol=ATOL)


def test_max_pool_nan_wins_its_window_as_in_torch(torch, rng):
    x = rng.standard_normal((1, 2, 6, 6))
    x[0, 0, 1, 1] = x[0, 0, 1, 2] = np.nan   # two NaNs in one window: PyTorch routes to the last
    x[0, 1, 4, 4] = np.inf
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1)):
        out = cb.max_pool2d(x, **kw)
        dout = rng.standard_normal(out.shape)
        ref, (dx_ref,) = _grad_of(torch, lambda t: torch.nn.functional.max_pool2d(t, **kw), x, dout=dout)
        np.testing.assert_array_equal(out, ref)
        np.testing.assert_allclose(cb.max_pool2d_backward(dout, x, **kw), dx_ref, atol=ATOL)



MINUS_INF_CASES = [dict(kernel_size=3, stride=1, padding=1),
                   dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                   dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 1)),
                   dict(kernel_size=2, ceil_mode=True)]


@pytest.mark.parametrize("kw", MINUS_INF_CASES)
@pytest.mark.parametrize("pattern", ["corner", "all", "nan and -inf"])
def test_max_pool_padding_never_wins_a_window_of_minus_inf(torch, rng, kw, pattern):
    # A window whose real inputs are all -inf gives its gradient to its first real
    # input, as PyTorch does; the -inf padding must not take it (it would be lost).
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    if pattern == "corner":
        x[0, 0, :2, :2] = -np.inf
    elif pattern == "all":
        x[...] = -np.inf
    else:
        x[0, 0, :3, :3] = -np.inf
        x[0, 0, 1, 1] = x[0, 0, 2, 2] = np.nan
    out = cb.max_pool2d(x, **kw)
    dout = rng.standard_normal(out.shape)
    ref, (dx_ref,) = _grad_of(torch, lambda t: torch.nn.functional.max_pool2d(t, **kw), x, dout=dout)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(cb.max_pool2d_naive(x, **kw), ref)
    layer = cb.nn.MaxPool2d(**kw)
    layer.forward(x)
    for dx in (cb.max_pool2d_backward(dout, x, **kw), cb.max_pool2d_backward_naive(dout, x, **kw),
               layer.backward(dout)):
        np.testing.assert_allclose(dx, dx_ref, atol=ATOL)
        assert np.isclose(dx.sum(), dout.sum())   # no window's gradient is lost


def test_max_pool_minus_inf_corner_example():
    # The case from the bug report: 0..15 with a -inf top-left 2x2, kernel 3, stride 1, padding 1.
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, :2, :2] = -np.inf
    for backward in (cb.max_pool2d_backward, cb.max_pool2d_backward_naive):
        dx = backward(np.ones((1, 1, 4, 4)), x, 3, stride=1, padding=1)
        assert dx[0, 0, 0, 0] == 1 and dx.sum() == 16


@st.composite
def pool_configs(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    sh, sw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    H = kh + draw(st.integers(0, 7))
    W = kw + draw(st.integers(0, 7))
    return dict(shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3)), H, W),
                kernel_size=(kh, kw), stride=(sh, sw), padding=(ph, pw),
                ceil_mode=draw(st.booleans()), seed=draw(st.integers(0, 2**32 - 1)),
                ties=draw(st.booleans()))


@settings(max_examples=60)
@given(cfg=pool_configs())
def test_max_pool_matches_torch_including_ties_and_overlap(torch, cfg):
    rng = np.random.default_rng(cfg["seed"])
    x = (rng.integers(0, 3, cfg["shape"]).astype(float) if cfg["ties"]
         else rng.standard_normal(cfg["shape"]))
    kw = {k: cfg[k] for k in ("kernel_size", "stride", "padding", "ceil_mode")}
    out = cb.max_pool2d(x, **kw)
    dout = rng.standard_normal(out.shape)
    ref, (dx_ref,) = _grad_of(torch, lambda t: torch.nn.functional.max_pool2d(t, **kw), x, dout=dout)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_allclose(cb.max_pool2d_backward(dout, x, **kw), dx_ref, atol=ATOL)
    np.testing.assert_array_equal(cb.max_pool2d_naive(x, **kw), ref)
    np.testing.assert_allclose(cb.max_pool2d_backward_naive(dout, x, **kw), dx_ref, atol=ATOL)


@settings(max_examples=60)
@given(cfg=pool_configs(), count_include_pad=st.booleans())
def test_avg_pool_matches_torch(torch, cfg, count_include_pad):
    rng = np.random.default_rng(cfg["seed"])
    x = rng.standard_normal(cfg["shape"])
    kw = {k: cfg[k] for k in ("kernel_size", "stride", "padding", "ceil_mode")}
    kw["count_include_pad"] = count_include_pad
    out = cb.avg_pool2d(x, **kw)
    dout = rng.standard_normal(out.shape)
    ref, (dx_ref,) = _grad_of(torch, lambda t: torch.nn.functional.avg_pool2d(t, **kw), x, dout=dout)
    np.testing.assert_allclose(out, ref, atol=ATOL)
    np.testing.assert_allclose(cb.avg_pool2d_backward(dout, x, **kw), dx_ref, atol=ATOL)
    np.testing.assert_allclose(cb.avg_pool2d_naive(x, **kw), ref, atol=ATOL)
    np.testing.assert_allclose(cb.avg_pool2d_backward_naive(dout, x, **kw), dx_ref, atol=ATOL)


@settings(max_examples=40)
@given(cfg=pool_configs(), p=st.sampled_from([1.0, 2.0, 3.0]))
def test_lp_pool_matches_torch(torch, cfg, p):
    # torch.lp_pool2d has no padding and rescales partial ceil-mode windows:
    # compare on the settings it shares with cnnbook
    rng = np.random.default_rng(cfg["seed"])
    x = np.abs(rng.standard_normal(cfg["shape"])) + 0.1
    kw = dict(kernel_size=cfg["kernel_size"], stride=cfg["stride"])
    out = cb.lp_pool2d(x, p=p, **kw)
    dout = rng.standard_normal(out.shape)
    ref, (dx_ref,) = _grad_of(torch, lambda t: torch.nn.functional.lp_pool2d(t, p, **kw), x, dout=dout)
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=ATOL)
    np.testing.assert_allclose(cb.lp_pool2d_backward(dout, x, p=p, **kw), dx_ref, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(cb.lp_pool2d_naive(x, p=p, **kw), ref, rtol=1e-10, atol=ATOL)
    np.testing.assert_allclose(cb.lp_pool2d_backward_naive(dout, x, p=p, **kw), dx_ref, rtol=1e-9, atol=1e-9)


@settings(max_examples=60)
@given(cfg=conv_configs())
def test_output_size_matches_torch_shapes(torch, cfg):
    N, C, H, W = cfg["shape"]
    K, _, KH, KW = cfg["w_shape"]
    conv = torch.nn.Conv2d(C, K, (KH, KW), stride=cfg["stride"], padding=cfg["padding"],
                           dilation=cfg["dilation"], dtype=torch.float64)
    with torch.no_grad():
        shape = conv(torch.zeros(N, C, H, W, dtype=torch.float64)).shape
    size = cb.conv_output_size((H, W), (KH, KW), cfg["stride"], cfg["padding"], cfg["dilation"])
    assert size == tuple(shape[2:])


@settings(max_examples=60)
@given(cfg=pool_configs())
def test_pool_output_size_matches_torch_shapes(torch, cfg):
    out = torch.nn.functional.max_pool2d(torch.zeros(cfg["shape"]), cfg["kernel_size"], cfg["stride"],
                                         cfg["padding"], ceil_mode=cfg["ceil_mode"])
    size = cb.pool_output_size(cfg["shape"][2:], cfg["kernel_size"], cfg["stride"], cfg["padding"],
                               cfg["ceil_mode"])
    assert size == tuple(out.shape[2:])


def test_relu_and_losses_match_torch(torch, rng):
    F = torch.nn.functional
    x = rng.standard_normal((4, 5))
    x[0, 0] = 0.0  # the kink: both libraries give gradient 0
    dout = rng.standard_normal((4, 5))
    ref, (dx_ref,) = _grad_of(torch, F.relu, x, dout=dout)
    np.testing.assert_array_equal(cb.relu(x), ref)
    np.testing.assert_array_equal(cb.relu_backward(dout, x), dx_ref)

    t = rng.integers(0, 5, 4)
    logits = torch.tensor(x, requires_grad=True)
    loss_ref = F.cross_entropy(logits, torch.tensor(t))
    loss_ref.backward()
    loss, dlogits = cb.softmax_cross_entropy(x, t)
    assert loss == pytest.approx(loss_ref.item(), abs=1e-12)
    np.testing.assert_allclose(dlogits, logits.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(cb.softmax(x), F.softmax(torch.tensor(x), dim=-1).numpy(), atol=1e-12)
    np.testing.assert_allclose(cb.sigmoid(x), torch.sigmoid(torch.tensor(x)).numpy(), atol=1e-12)

    p = np.concatenate([cb.sigmoid(x).ravel(), [0.0, 1.0]])
    tb = np.concatenate([(rng.random(20) > 0.5).astype(float), [1.0, 0.0]])
    pt = torch.tensor(p, requires_grad=True)
    loss_ref = F.binary_cross_entropy(pt, torch.tensor(tb))
    loss_ref.backward()
    loss, dp = cb.binary_cross_entropy(p, tb)
    assert loss == pytest.approx(loss_ref.item(), abs=1e-12)
    np.testing.assert_allclose(dp, pt.grad.numpy(), rtol=1e-8)  # 1e-12 clamp amplifies rounding
