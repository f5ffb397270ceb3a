"""Batch normalisation: loop twins, finite differences, PyTorch's BatchNorm2d, and the errors."""

import numpy as np
import pytest

import cnnbook as cb
from cnnbook.nn import BatchNorm2d

SEEDS = [0, 1, 2]


def _case(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    N, C, H, W = rng.integers(1, 4), rng.integers(1, 4), rng.integers(1, 4), rng.integers(2, 4)
    x = rng.normal(1.5, 3.0, size=(N, C, H, W)).astype(dtype)
    gamma, beta = rng.normal(size=C).astype(dtype), rng.normal(size=C).astype(dtype)
    dout = rng.normal(size=x.shape).astype(dtype)
    mean, var = rng.normal(size=C).astype(dtype), rng.uniform(0.2, 3.0, size=C).astype(dtype)
    return x, gamma, beta, dout, mean, var


# ------------------------------------------------------------- loop twins

@pytest.mark.parametrize("seed", SEEDS)
def test_loop_twin_forward_agrees(seed):
    x, gamma, beta, _, mean, var = _case(seed)
    np.testing.assert_allclose(cb.batch_norm2d(x, gamma, beta), cb.batch_norm2d_naive(x, gamma, beta),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cb.batch_norm2d(x, gamma, beta, mean=mean, var=var, eps=0.1),
                               cb.batch_norm2d_naive(x, gamma, beta, mean=mean, var=var, eps=0.1),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_loop_twin_backward_agrees(seed):
    x, gamma, _, dout, mean, var = _case(seed)
    for stats in ({}, dict(mean=mean, var=var)):
        fast = cb.batch_norm2d_backward(dout, x, gamma, **stats)
        loops = cb.batch_norm2d_backward_naive(dout, x, gamma, **stats)
        for a, b in zip(fast, loops):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_training_output_is_standardised_per_channel():
    x = np.random.default_rng(5).normal(4.0, 7.0, size=(6, 3, 4, 4))
    out = cb.batch_norm2d(x, np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.0, 5.0]))
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), [-1.0, 0.0, 5.0], atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), [1.0, 2.0, 3.0], rtol=1e-5)  # eps shrinks it a little


# ------------------------------------------------------- finite differences

@pytest.mark.parametrize("seed", SEEDS)
def test_backward_matches_finite_differences(seed):
    x, gamma, beta, dout, mean, var = _case(seed)
    dx, dgamma, dbeta = cb.batch_norm2d_backward(dout, x, gamma)
    assert cb.gradient_check(lambda v: cb.batch_norm2d(v, gamma, beta), x, dx, dout=dout) < 1e-7
    assert cb.gradient_check(lambda g: cb.batch_norm2d(x, g, beta), gamma, dgamma, dout=dout) < 1e-7
    assert cb.gradient_check(lambda b: cb.batch_norm2d(x, gamma, b), beta, dbeta, dout=dout) < 1e-7
    dx_eval = cb.batch_norm2d_backward(dout, x, gamma, mean=mean, var=var)[0]
    assert cb.gradient_check(lambda v: cb.batch_norm2d(v, gamma, beta, mean=mean, var=var),
                             x, dx_eval, dout=dout) < 1e-7


def test_dropping_the_statistics_paths_fails_the_check():
    # The gradient check can tell: dx = gamma/sigma * dout alone is wrong in training mode.
    x, gamma, beta, dout, *_ = _case(1)
    sigma = np.sqrt(x.var(axis=(0, 2, 3)) + 1e-5)
    naive_dx = (gamma / sigma)[:, None, None] * dout
    assert cb.gradient_check(lambda v: cb.batch_norm2d(v, gamma, beta), x, naive_dx, dout=dout) > 1e-3


# ----------------------------------------------------------------- PyTorch

def _torch_bn(torch, bn, dtype):
    ref = torch.nn.BatchNorm2d(bn.num_features, eps=bn.eps, momentum=bn.momentum).to(dtype)
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(bn.params["weight"]))
        ref.bias.copy_(torch.tensor(bn.params["bias"]))
    return ref


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layer_matches_torch(torch, dtype):
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-10)
    tdtype = getattr(torch, dtype)
    rng = np.random.default_rng(3)
    C = 3
    bn = BatchNorm2d(C)
    bn.params["weight"][...] = rng.normal(size=C)
    bn.params["bias"][...] = rng.normal(size=C)
    ref = _torch_bn(torch, bn, tdtype)
    for _ in range(4):  # several training steps: the running statistics follow the batches
        x = rng.normal(2.0, 3.0, size=(4, C, 3, 5)).astype(dtype)
        dout = rng.normal(size=x.shape).astype(dtype)
        out = bn.forward(x)
        assert out.dtype == np.dtype(dtype)
        dx = bn.backward(dout)
        xt = torch.tensor(x, requires_grad=True)
        ref.zero_grad()
        out_ref = ref(xt)
        out_ref.backward(torch.tensor(dout))
        np.testing.assert_allclose(out, out_ref.detach().numpy(), **tol)
        np.testing.assert_allclose(dx, xt.grad.numpy(), **tol)
        np.testing.assert_allclose(bn.grads["weight"], ref.weight.grad.numpy(), **tol)
        np.testing.assert_allclose(bn.grads["bias"], ref.bias.grad.numpy(), **tol)
        np.testing.assert_allclose(bn.running_mean, ref.running_mean.numpy(), **tol)
        np.testing.assert_allclose(bn.running_var, ref.running_var.numpy(), **tol)
    bn.eval()
    ref.eval()
    x = rng.normal(2.0, 3.0, size=(2, C, 3, 5)).astype(dtype)
    dout = rng.normal(size=x.shape).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    ref.zero_grad()
    out_ref = ref(xt)
    out_ref.backward(torch.tensor(dout))
    np.testing.assert_allclose(bn.forward(x), out_ref.detach().numpy(), **tol)
    np.testing.assert_allclose(bn.backward(dout), xt.grad.numpy(), **tol)
    np.testing.assert_allclose(bn.grads["weight"], ref.weight.grad.numpy(), **tol)
    np.testing.assert_allclose(bn.grads["bias"], ref.bias.grad.numpy(), **tol)


def test_eval_mode_output_does_not_depend_on_the_batch():
    rng = np.random.default_rng(0)
    bn = BatchNorm2d(2)
    bn.forward(rng.normal(size=(8, 2, 3, 3)))
    x = rng.normal(size=(4, 2, 3, 3))
    bn.eval()
    alone = bn.forward(x[:1])
    np.testing.assert_allclose(bn.forward(x)[:1], alone, rtol=1e-12)
    bn.train()
    assert not np.allclose(bn.forward(x)[:1], bn.forward(x[:2])[:1])  # training mode: it does


def test_train_and_eval_reach_nested_layers():
    net = cb.nn.Sequential(cb.nn.Residual(cb.nn.Sequential(BatchNorm2d(2))), BatchNorm2d(2))
    assert net.eval() is net
    assert [m.training for m in net.modules()] == [False] * 5
    net.train()
    assert [m.training for m in net.modules()] == [True] * 5


# ------------------------------------------------------------------ errors

def test_clear_errors():
    x, gamma, beta, dout, mean, var = _case(0)
    C = x.shape[1]
    with pytest.raises(ValueError, match=r"gamma must have shape \(C,\)"):
        cb.batch_norm2d(x, np.ones(C + 1), beta)
    with pytest.raises(ValueError, match="eps must be a positive number.*eps=0"):
        cb.batch_norm2d(x, gamma, beta, eps=0)
    with pytest.raises(ValueError, match="eps=-1"):
        cb.batch_norm2d_backward(dout, x, gamma, eps=-1)
    with pytest.raises(ValueError, match="mean and var must be given together"):
        cb.batch_norm2d(x, gamma, beta, mean=mean)
    with pytest.raises(ValueError, match="x must be a 4-D array"):
        cb.batch_norm2d(x[0], gamma, beta)
    with pytest.raises(ValueError, match="dout must have the shape of x"):
        cb.batch_norm2d_backward(dout[:, :, :1], x, gamma)
    with pytest.raises(ValueError, match=r"num_features=3 channels, got x.shape=\(2, 4, 2, 2\)"):
        BatchNorm2d(3).forward(np.zeros((2, 4, 2, 2)))
    with pytest.raises(ValueError, match="never estimated"):
        BatchNorm2d(3).eval().forward(np.zeros((2, 3, 2, 2)))
    with pytest.raises(ValueError, match="more than one value per channel"):
        BatchNorm2d(3).forward(np.zeros((1, 3, 1, 1)))
    with pytest.raises(ValueError, match="momentum=0"):
        BatchNorm2d(3, momentum=0)
    with pytest.raises(ValueError, match="eps=0"):
        BatchNorm2d(3, eps=0)
    with pytest.raises(TypeError, match="num_features"):
        BatchNorm2d(2.5)
