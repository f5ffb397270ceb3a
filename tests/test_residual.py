"""Residual connections: finite differences, PyTorch with copied weights, and the identity path."""

import numpy as np
import pytest

import cnnbook as cb
from cnnbook.nn import BatchNorm2d, Conv2d, ReLU, Residual, Sequential, residual_block


def _flat_params(net):
    return [(name, p) for name, p, _ in net.parameters()]


@pytest.mark.parametrize("in_channels, out_channels, stride", [(2, 2, 1), (2, 3, 2)])
def test_residual_block_gradients_match_finite_differences(in_channels, out_channels, stride):
    rng = np.random.default_rng(0)
    block = residual_block(in_channels, out_channels, stride=stride, rng=rng)
    x = rng.normal(size=(2, in_channels, 3, 3))
    out = block.forward(x)
    dout = rng.normal(size=out.shape)
    dx = block.backward(dout)
    assert cb.gradient_check(block.forward, x, dx, dout=dout) < 1e-6
    grads = {name: g.copy() for name, _, g in block.parameters()}
    for name, p in _flat_params(block)[:3]:  # a conv, a BN scale and shift of the body (the rest as in test_nn)
        def f(value, p=p):
            saved = p.copy()
            p[...] = value
            try:
                return block.forward(x)
            finally:
                p[...] = saved
        assert cb.gradient_check(f, p.copy(), grads[name], dout=dout) < 1e-6, name
    if block[0].shortcut is not None:
        name, p = next((n, p) for n, p in _flat_params(block) if n.startswith("0.shortcut.0"))
        def g(value):
            saved = p.copy()
            p[...] = value
            try:
                return block.forward(x)
            finally:
                p[...] = saved
        assert cb.gradient_check(g, p.copy(), grads[name], dout=dout) < 1e-6


def test_residual_block_matches_torch(torch):
    tnn = torch.nn
    rng = np.random.default_rng(1)
    block = residual_block(3, 4, stride=2, rng=rng)
    res = block[0]
    for layer in res.modules():  # non-trivial BN parameters
        if isinstance(layer, BatchNorm2d):
            layer.params["weight"][...] = rng.normal(size=layer.num_features)
            layer.params["bias"][...] = rng.normal(size=layer.num_features)

    class TorchBlock(tnn.Module):
        def __init__(self):
            super().__init__()
            self.body = tnn.Sequential(
                tnn.Conv2d(3, 4, 3, stride=2, padding=1, bias=False), tnn.BatchNorm2d(4), tnn.ReLU(),
                tnn.Conv2d(4, 4, 3, padding=1, bias=False), tnn.BatchNorm2d(4))
            self.shortcut = tnn.Sequential(tnn.Conv2d(3, 4, 1, stride=2, bias=False), tnn.BatchNorm2d(4))

        def forward(self, t):
            return torch.relu(self.body(t) + self.shortcut(t))

    ref = TorchBlock().double()
    ours = dict(_flat_params(block))
    names = {"0.body.0": "body.0", "0.body.1": "body.1", "0.body.3": "body.3", "0.body.4": "body.4",
             "0.shortcut.0": "shortcut.0", "0.shortcut.1": "shortcut.1"}
    theirs = dict(ref.named_parameters())
    assert len(theirs) == len(ours) == 9
    with torch.no_grad():
        for name, p in ours.items():
            prefix, key = name.rsplit(".", 1)
            theirs[f"{names[prefix]}.{key}"].copy_(torch.tensor(p))
    x = rng.normal(size=(2, 3, 5, 5))
    xt = torch.tensor(x, requires_grad=True)
    out_ref = ref(xt)
    dout = rng.normal(size=tuple(out_ref.shape))
    out_ref.backward(torch.tensor(dout))
    out = block.forward(x)
    np.testing.assert_allclose(out, out_ref.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(block.backward(dout), xt.grad.numpy(), atol=1e-10)
    for name, _, g in block.parameters():
        prefix, key = name.rsplit(".", 1)
        np.testing.assert_allclose(g, theirs[f"{names[prefix]}.{key}"].grad.numpy(), atol=1e-10, err_msg=name)


def test_identity_path_adds_dout_to_the_body_gradient():
    rng = np.random.default_rng(2)
    body = Sequential(Conv2d(3, 3, 3, padding=1, rng=rng), ReLU(), Conv2d(3, 3, 3, padding=1, rng=rng))
    x = rng.normal(size=(2, 3, 4, 4))
    dout = rng.normal(size=x.shape)
    body.forward(x)
    dx_body = body.backward(dout)
    block = Residual(body)
    np.testing.assert_allclose(block.forward(x), body.forward(x) + x, atol=1e-12)
    dx = block.backward(dout)
    np.testing.assert_allclose(dx, dx_body + dout, atol=1e-12)
    # the measured identity path: the part of dx the body did not produce is dout itself
    assert np.abs(dx - dx_body - dout).max() < 1e-12 and np.abs(dout).max() > 0.1


def test_residual_container_behaviour():
    rng = np.random.default_rng(3)
    block = residual_block(2, 4, stride=2, rng=rng)
    res = block[0]
    names = [name for name, _, _ in block.parameters()]
    assert names[:3] == ["0.body.0.weight", "0.body.1.weight", "0.body.1.bias"]
    assert names[-3:] == ["0.shortcut.0.weight", "0.shortcut.1.weight", "0.shortcut.1.bias"]
    assert block.num_params() == 9 * 2 * 4 + 8 + 9 * 4 * 4 + 8 + 2 * 4 + 8
    assert set(block.params) == set(names) and set(res.params) == {n[2:] for n in names}
    block.forward(rng.normal(size=(2, 2, 4, 4)))
    block.backward(np.ones((2, 4, 2, 2)))
    assert any(np.abs(g).max() > 0 for g in block.grads.values())
    block.zero_grad()
    assert all(np.abs(g).max() == 0 for g in block.grads.values())
    assert "Residual(" in repr(block) and "shortcut=" in repr(block)
    assert residual_block(3, 3, rng=rng)[0].shortcut is None
    table = block.summary((2, 4, 4), show=False)
    assert "(4, 2, 2)" in table and f"total parameters: {block.num_params()}" in table


def test_shape_mismatch_suggests_a_projection():
    block = Residual(Conv2d(2, 3, 1))
    with pytest.raises(ValueError, match=r"\(1, 3, 2, 2\) differs from the input shape \(1, 2, 2, 2\).*1x1 projection"):
        block.forward(np.zeros((1, 2, 2, 2)))
    with pytest.raises(ValueError, match="1x1 projection"):
        Sequential(block).summary((2, 2, 2), show=False)
    with pytest.raises(TypeError, match="body must be a Layer"):
        Residual(lambda x: x)
    with pytest.raises(TypeError, match="shortcut must be a Layer or None"):
        Residual(ReLU(), shortcut="identity")
