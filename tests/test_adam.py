"""Adam against torch.optim.Adam, step for step, and its argument checks."""

import numpy as np
import pytest

from cnnbook.losses import softmax_cross_entropy
from cnnbook.nn import Conv2d, Flatten, Linear, ReLU, Sequential
from cnnbook.optim import SGD, Adam


def _net(rng):
    return Sequential(Conv2d(1, 3, 3, padding=1, rng=rng), ReLU(), Flatten(), Linear(3 * 4 * 4, 4, rng=rng))


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_steps_match_torch(torch, weight_decay):
    rng = np.random.default_rng(0)
    net = _net(rng)
    ref = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                              torch.nn.Linear(3 * 4 * 4, 4)).double()
    with torch.no_grad():
        for (name, p, _), q in zip(net.parameters(), ref.parameters()):
            q.copy_(torch.tensor(p))
    kw = dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=weight_decay)
    opt, opt_ref = Adam(net, **kw), torch.optim.Adam(ref.parameters(), **kw)
    x, y = rng.normal(size=(8, 1, 4, 4)), rng.integers(0, 4, size=8)
    for step in range(12):
        loss, dlogits = softmax_cross_entropy(net.forward(x), y)
        net.backward(dlogits)
        opt.step()
        opt_ref.zero_grad()
        torch.nn.functional.cross_entropy(ref(torch.tensor(x)), torch.tensor(y)).backward()
        opt_ref.step()
        for (name, p, _), q in zip(net.parameters(), ref.parameters()):
            np.testing.assert_allclose(p, q.detach().numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=f"{name} after step {step + 1}")
    assert opt.t == 12


def test_first_step_moves_each_coordinate_by_lr():
    # m_hat = g and v_hat = g**2 after one step, so the step is lr * g / (|g| + eps)
    rng = np.random.default_rng(1)
    fc = Linear(3, 2, rng=rng)
    before = fc.params["weight"].copy()
    fc.grads["weight"][...] = [[1e-3, -5.0, 200.0], [-1.0, 2.0, -0.5]]
    fc.grads["bias"][...] = 0.0
    Adam(fc, lr=0.1, eps=1e-12).step()
    np.testing.assert_allclose(before - fc.params["weight"], 0.1 * np.sign(fc.grads["weight"]), rtol=1e-6)
    np.testing.assert_array_equal(fc.params["bias"], Linear(3, 2, rng=np.random.default_rng(1)).params["bias"])


def test_argument_errors():
    fc = Linear(2, 1)
    with pytest.raises(ValueError, match="lr=0"):
        Adam(fc, lr=0)
    with pytest.raises(TypeError, match="lr='fast'"):
        Adam(fc, lr="fast")
    with pytest.raises(TypeError, match=r"betas must be a pair.*betas=0.9"):
        Adam(fc, betas=0.9)
    with pytest.raises(ValueError, match=r"betas\[1\] must be a number in \[0, 1\).*betas=\(0.9, 1.0\)"):
        Adam(fc, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match=r"betas\[0\].*betas=\(-0.1, 0.9\)"):
        Adam(fc, betas=(-0.1, 0.9))
    with pytest.raises(ValueError, match="eps=0"):
        Adam(fc, eps=0)
    with pytest.raises(ValueError, match="weight_decay=-1"):
        Adam(fc, weight_decay=-1)
    with pytest.raises(TypeError, match="model must be a Layer"):
        Adam("net")
    with pytest.raises(ValueError, match="no parameters"):
        Adam(ReLU())
    with pytest.raises(TypeError):
        Adam(fc, 0.01)  # lr is keyword-only


def test_fit_with_adam_and_its_argument_checks():
    from cnnbook.models import fit

    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 1, 4, 4))
    y = (x.mean(axis=(1, 2, 3)) > 0).astype(int)
    net = _net(np.random.default_rng(0))
    history = fit(net, x, y, optimizer="adam", lr=0.01, epochs=3, batch_size=16, rng=rng)
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    with pytest.raises(ValueError, match="momentum belongs to SGD.*momentum=0.5"):
        fit(net, x, y, optimizer="adam", momentum=0.5)
    with pytest.raises(ValueError, match="optimizer must be 'sgd' or 'adam', got optimizer='rmsprop'"):
        fit(net, x, y, optimizer="rmsprop")
    # the default is still SGD(lr=0.05, momentum=0.9), exactly as a hand-written loop with it
    from cnnbook.models import train_epoch

    a, b = _net(np.random.default_rng(4)), _net(np.random.default_rng(4))
    fit(a, x, y, epochs=2, rng=np.random.default_rng(5))
    opt, shuffle = SGD(b, lr=0.05, momentum=0.9), np.random.default_rng(5)
    for _ in range(2):
        train_epoch(b, opt, x, y, 32, rng=shuffle)
    for (_, p, _), (_, q, _) in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p, q)
