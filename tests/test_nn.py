"""Layers and SGD: numerical gradient checks, parameter counts, PyTorch agreement, errors."""

import numpy as np
import pytest

from cnnbook import gradient_check, numerical_gradient, softmax_cross_entropy
from cnnbook.models import digits_lenet, lenet5
from cnnbook.nn import AvgPool2d, Conv2d, Flatten, Layer, Linear, MaxPool2d, ReLU, Sequential, uniform_init
from cnnbook.optim import SGD

TOL = 1e-7


def away_from_zero(rng, shape, margin=0.05):
    """Random values at least ``margin`` from 0, so ReLU's kink is never inside a finite difference."""
    x = rng.uniform(margin, 1.0, size=shape)
    return x * rng.choice([-1.0, 1.0], size=shape)


def check_layer(layer, x, rng):
    """Gradient-check dx and every parameter gradient of ``layer`` at ``x``."""
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    err = gradient_check(layer.forward, x, dx, dout=dout)
    assert err < TOL, f"{layer!r}: dx relative error {err:.2e}"
    for key, p in layer.params.items():
        analytic = layer.grads[key].copy()
        original = p.copy()

        def f(value, p=p):
            p[...] = value
            return layer.forward(x)

        err = gradient_check(f, original, analytic, dout=dout)
        p[...] = original
        assert err < TOL, f"{layer!r}: d{key} relative error {err:.2e}"


# ------------------------------------------------------------------ gradients

@pytest.mark.parametrize(
    "kwargs, hw",
    [
        (dict(kernel_size=3), (6, 6)),
        (dict(kernel_size=3, padding=1), (5, 5)),
        (dict(kernel_size=(3, 2), stride=2, padding=(1, 0)), (7, 6)),
        (dict(kernel_size=2, stride=(1, 2), dilation=2), (6, 7)),
        (dict(kernel_size=3, padding="same"), (4, 5)),
    ],
)
def test_conv2d_gradients(kwargs, hw, rng):
    layer = Conv2d(2, 3, rng=rng, **kwargs)
    check_layer(layer, rng.normal(size=(2, 2, *hw)), rng)


def test_conv2d_without_bias_gradients(rng):
    layer = Conv2d(2, 3, 3, bias=False, rng=rng)
    assert set(layer.params) == set(layer.grads) == {"weight"}
    check_layer(layer, rng.normal(size=(2, 2, 5, 5)), rng)


@pytest.mark.parametrize(
    "kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=1), dict(kernel_size=3, stride=2, padding=1),
               dict(kernel_size=2, ceil_mode=True)]
)
def test_max_pool_gradients(kwargs, rng):
    # A permutation has no ties, so every window has one clear winner.
    x = rng.permutation(2 * 3 * 7 * 7).reshape(2, 3, 7, 7) / 10.0
    check_layer(MaxPool2d(**kwargs), x, rng)


@pytest.mark.parametrize(
    "kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=1), dict(kernel_size=3, stride=2, padding=1),
               dict(kernel_size=3, stride=2, padding=1, count_include_pad=False), dict(kernel_size=2, ceil_mode=True)]
)
def test_avg_pool_gradients(kwargs, rng):
    check_layer(AvgPool2d(**kwargs), rng.normal(size=(2, 3, 7, 7)), rng)


def test_relu_flatten_linear_gradients(rng):
    check_layer(ReLU(), away_from_zero(rng, (3, 4, 5)), rng)
    check_layer(Flatten(), rng.normal(size=(3, 2, 4, 4)), rng)
    check_layer(Linear(7, 5, rng=rng), rng.normal(size=(4, 7)), rng)


def test_sequential_end_to_end_gradient(rng):
    """Loss of a whole small CNN: backprop through every layer against finite differences."""
    net = Sequential(
        Conv2d(1, 3, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
        Conv2d(3, 4, 3, padding=1, rng=rng), ReLU(), AvgPool2d(2),
        Flatten(), Linear(4 * 2 * 2, 6, rng=rng), ReLU(), Linear(6, 3, rng=rng),
    )
    x = rng.normal(size=(4, 1, 8, 8))
    y = np.array([0, 2, 1, 2])

    def loss(inputs):
        return softmax_cross_entropy(net.forward(inputs), y)[0]

    _, dlogits = softmax_cross_entropy(net.forward(x), y)
    dx = net.backward(dlogits)
    grads = {name: g.copy() for name, g in net.grads.items()}
    assert gradient_check(loss, x, dx) < TOL
    assert len(grads) == 8
    for name, p, _ in net.parameters():
        original = p.copy()

        def f(value, p=p):
            p[...] = value
            return loss(x)

        numeric = numerical_gradient(f, original)
        p[...] = original
        err = np.max(np.abs(numeric - grads[name])) / max(np.max(np.abs(numeric)), np.max(np.abs(grads[name])))
        assert err < TOL, f"{name}: relative error {err:.2e}"


def test_backward_overwrites_grads_in_place(rng):
    """Optimisers may hold the grad arrays: backward must write into them, not rebind."""
    layer = Linear(3, 2, rng=rng)
    held = layer.grads["weight"]
    x = rng.normal(size=(4, 3))
    layer.forward(x)
    layer.backward(np.ones((4, 2)))
    assert layer.grads["weight"] is held
    np.testing.assert_allclose(held, np.ones((2, 4)) @ x)
    layer.backward(np.ones((4, 2)))  # a second backward replaces, it does not accumulate
    np.testing.assert_allclose(held, np.ones((2, 4)) @ x)
    layer.zero_grad()
    assert not held.any()


def test_summary_does_not_disturb_pending_backward(rng):
    net = Sequential(Linear(3, 2, rng=rng), ReLU())
    x = away_from_zero(rng, (5, 3))
    net.forward(x)
    net.summary((3,), show=False)  # a forward pass with a different batch
    assert net.backward(np.ones((5, 2))).shape == (5, 3)


# ------------------------------------------------------------ initialisation

def test_uniform_init_matches_pytorch_bound(rng):
    conv = Conv2d(4, 8, 3, rng=rng)
    bound = 1 / np.sqrt(4 * 3 * 3)
    w = conv.params["weight"]
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(conv.params["bias"]).max() <= bound
    # Uniform on [-b, b] has variance b^2/3.
    big = uniform_init((200_000,), fan_in=50, rng=rng)
    assert abs(big.var() - 1 / (3 * 50)) < 0.02 / (3 * 50)


def test_init_is_reproducible_and_rng_dependent():
    a = Linear(5, 4, rng=np.random.default_rng(1)).params["weight"]
    b = Linear(5, 4, rng=np.random.default_rng(1)).params["weight"]
    c = Linear(5, 4, rng=np.random.default_rng(2)).params["weight"]
    assert np.array_equal(a, b) and not np.array_equal(a, c)


# ------------------------------------------------------------ parameter counts

def test_parameter_counts_follow_the_formulas():
    # Conv: F*F*D1*K weights + K biases.
    for F, D1, K in [(5, 3, 6), (3, 64, 64), (1, 16, 4)]:
        assert Conv2d(D1, K, F).num_params() == F * F * D1 * K + K
    assert Conv2d(3, 6, (5, 3)).num_params() == 5 * 3 * 3 * 6 + 6
    assert Conv2d(3, 6, 5, bias=False).num_params() == 5 * 5 * 3 * 6
    assert Linear(400, 120).num_params() == 400 * 120 + 120
    assert MaxPool2d(2).num_params() == ReLU().num_params() == Flatten().num_params() == 0


def test_lenet5_summary_table():
    net = lenet5(input_size=32)
    table = net.summary((1, 32, 32), show=False)
    lines = table.splitlines()
    assert len(lines) == 1 + len(net) + 1
    expected_shapes = ["(6, 28, 28)", "(6, 28, 28)", "(6, 14, 14)", "(16, 10, 10)", "(16, 10, 10)",
                       "(16, 5, 5)", "(400,)", "(120,)", "(120,)", "(84,)", "(84,)", "(10,)"]
    for line, shape in zip(lines[1:], expected_shapes):
        assert shape in line, (line, shape)
    by_hand = (5 * 5 * 1 * 6 + 6) + (5 * 5 * 6 * 16 + 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
    assert by_hand == 61706
    assert lines[-1] == f"total parameters: {by_hand}"
    assert "5*5*6*16 + 16" in lines[4] and lines[4].split()[-4] == "2416"


def test_summary_prints(capsys):
    table = Sequential(Flatten(), Linear(4, 2)).summary((1, 2, 2))
    assert capsys.readouterr().out.strip() == table.strip()


class _Double(Layer):
    """A layer cnnbook.arch has no formula for: it stacks x twice along the channels."""

    def forward(self, x):
        self.cache = "forward ran"
        return np.concatenate([x, x], axis=1)


def test_summary_shapes_are_the_forward_shapes_without_a_forward_pass(rng, monkeypatch):
    # dilation, ceil_mode, a custom layer, a nested Sequential and a vector input
    net = Sequential(Conv2d(2, 3, 3, padding=1, dilation=2, rng=rng), ReLU(), MaxPool2d(2, ceil_mode=True),
                     _Double(), Sequential(AvgPool2d(3, stride=2, padding=1, ceil_mode=True), ReLU()),
                     Flatten(), Linear(6 * 3 * 3, 5, rng=rng))
    x = rng.normal(size=(1, 2, 9, 9))
    forward_shapes = []
    for layer in net.layers:
        x = layer.forward(x)
        forward_shapes.append(str(x.shape[1:]))
    net.layers[3].cache = "pending"
    for cls in (Conv2d, MaxPool2d, AvgPool2d, Linear):  # arch's formulas, not a forward pass
        monkeypatch.setattr(cls, "forward", lambda self, x: pytest.fail(f"{self!r}.forward ran"))
    table = net.summary((2, 9, 9), show=False)
    header, *lines, total = table.splitlines()
    column = header.index("output shape")
    shapes = [line[column:].split("  ")[0] for line in lines]
    assert shapes == forward_shapes
    assert net.layers[3].cache == "pending", "the custom layer's cache is restored"
    vector = Sequential(Linear(400, 64, rng=rng), ReLU(), Linear(64, 4, rng=rng)).summary((400,), show=False)
    assert vector.splitlines()[1:4] == ["0  Linear(400, 64)  (64,)          25664  400*64 + 64",
                                        "1  ReLU()           (64,)              0",
                                        "2  Linear(64, 4)    (4,)             260  64*4 + 4"]


def test_summary_errors_name_the_layer_and_the_shape(rng):
    with pytest.raises(ValueError, match=r"^layer 1 \(Conv2d\(3, 4, kernel_size=3\)\): .*in_channels=3.*\(2, 6, 6\)"):
        Sequential(Conv2d(1, 2, 3, rng=rng), Conv2d(3, 4, 3, rng=rng)).summary((1, 8, 8), show=False)
    with pytest.raises(ValueError, match=r"^layer 1 .*in_features=8.*\(2, 6, 6\).*forget a Flatten"):
        Sequential(Conv2d(1, 2, 3, rng=rng), Linear(8, 4, rng=rng)).summary((1, 8, 8), show=False)
    with pytest.raises(ValueError, match=r"^layer 0 .*\(C, H, W\).*\(400,\)"):
        Sequential(MaxPool2d(2)).summary((400,), show=False)
    with pytest.raises(ValueError, match=r"^layer 0 .*kernel"):
        Sequential(Conv2d(1, 2, 5, rng=rng)).summary((1, 4, 4), show=False)


# ---------------------------------------------------------------------- SGD

def test_sgd_momentum_by_hand():
    layer = Linear(2, 1, bias=False)
    p = layer.params["weight"]
    p[...] = [[1.0, -1.0]]
    opt = SGD(layer, lr=0.1, momentum=0.9)
    grads = [np.array([[1.0, 2.0]]), np.array([[0.5, -1.0]]), np.array([[0.0, 0.0]])]
    v = np.zeros((1, 2))
    expected = np.array([[1.0, -1.0]])
    for g in grads:
        layer.grads["weight"][...] = g
        opt.step()
        v = 0.9 * v + g
        expected = expected - 0.1 * v
        np.testing.assert_allclose(p, expected, rtol=0, atol=1e-15)
    # Third step: zero gradient, yet the parameter keeps moving with the velocity.
    np.testing.assert_allclose(expected, [[1.0 - 0.1 * (1 + 1.4 + 1.26), -1.0 - 0.1 * (2 + 0.8 + 0.72)]])


def test_sgd_weight_decay_and_plain():
    layer = Linear(1, 1, bias=False)
    layer.params["weight"][...] = 2.0
    layer.grads["weight"][...] = 0.5
    SGD(layer, lr=0.1, momentum=0.0, weight_decay=0.1).step()
    np.testing.assert_allclose(layer.params["weight"], [[2.0 - 0.1 * (0.5 + 0.1 * 2.0)]])


def test_sgd_matches_torch(torch, rng):
    net = Sequential(Linear(3, 4, rng=rng), ReLU(), Linear(4, 2, rng=rng))
    tparams = [torch.tensor(p.copy(), requires_grad=True) for _, p, _ in net.parameters()]
    topt = torch.optim.SGD(tparams, lr=0.05, momentum=0.8, weight_decay=0.01)
    opt = SGD(net, lr=0.05, momentum=0.8, weight_decay=0.01)
    for _ in range(4):
        grads = [rng.normal(size=p.shape) for _, p, _ in net.parameters()]
        for (_, _, g), new, tp in zip(net.parameters(), grads, tparams):
            g[...] = new
            tp.grad = torch.tensor(new)
        opt.step()
        topt.step()
    for (name, p, _), tp in zip(net.parameters(), tparams):
        np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=name)


def test_sgd_accepts_a_list_of_layers(rng):
    a, b = Linear(2, 2, rng=rng), Linear(2, 1, rng=rng)
    opt = SGD([a, b], lr=1.0, momentum=0.0)
    before = b.params["bias"].copy()
    b.grads["bias"][...] = 1.0
    opt.step()
    np.testing.assert_allclose(b.params["bias"], before - 1.0)


@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        (dict(lr=0), ValueError, "lr=0"),
        (dict(lr=-0.1), ValueError, "lr=-0.1"),
        (dict(lr="0.1"), TypeError, "lr='0.1'"),
        (dict(momentum=1.0), ValueError, "momentum=1.0"),
        (dict(momentum=-0.5), ValueError, "momentum=-0.5"),
        (dict(weight_decay=-1e-4), ValueError, "weight_decay=-0.0001"),
        (dict(lr=float("nan")), ValueError, "lr=nan"),
    ],
)
def test_sgd_rejects_bad_arguments(kwargs, error, text):
    with pytest.raises(error, match=text):
        SGD(Linear(2, 1), **kwargs)


def test_sgd_rejects_models_without_parameters():
    with pytest.raises(TypeError, match="model must be"):
        SGD(np.zeros(3))
    with pytest.raises(ValueError, match="no parameters"):
        SGD(Sequential(ReLU(), Flatten()))


# ------------------------------------------------------------------ PyTorch

def torch_copy(torch, net):
    """The same architecture in torch.nn with the same weights (float64)."""
    tnn = torch.nn
    layers = []
    for layer in net.layers:
        if isinstance(layer, Conv2d):
            t = tnn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                           stride=layer.stride, padding=layer.padding, dilation=layer.dilation)
        elif isinstance(layer, Linear):
            t = tnn.Linear(layer.in_features, layer.out_features)
        elif isinstance(layer, MaxPool2d):
            t = tnn.MaxPool2d(layer.kernel_size, layer.stride, layer.padding, ceil_mode=layer.ceil_mode)
        elif isinstance(layer, AvgPool2d):
            t = tnn.AvgPool2d(layer.kernel_size, layer.stride, layer.padding, ceil_mode=layer.ceil_mode,
                              count_include_pad=layer.count_include_pad)
        elif isinstance(layer, ReLU):
            t = tnn.ReLU()
        elif isinstance(layer, Flatten):
            t = tnn.Flatten()
        t = t.double()
        for key, p in layer.params.items():
            getattr(t, key).data = torch.tensor(p.copy())
        layers.append(t)
    return tnn.Sequential(*layers)


@pytest.mark.parametrize(
    "make, size",
    [(lambda rng: digits_lenet(rng), 8), (lambda rng: lenet5(input_size=12, pool="avg", rng=rng), 12),
     (lambda rng: lenet5(input_size=32, rng=rng), 32)],
)
def test_lenet_forward_backward_matches_torch(make, size, torch, rng):
    net = make(rng)
    x = rng.normal(size=(5, 1, size, size))
    y = rng.integers(0, 10, size=5)
    tnet = torch_copy(torch, net)

    logits = net.forward(x)
    loss, dlogits = softmax_cross_entropy(logits, y)
    dx = net.backward(dlogits)

    tx = torch.tensor(x, requires_grad=True)
    tlogits = tnet(tx)
    tloss = torch.nn.functional.cross_entropy(tlogits, torch.tensor(y))
    tloss.backward()

    np.testing.assert_allclose(logits, tlogits.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert loss == pytest.approx(tloss.item(), rel=1e-12)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-9, atol=1e-13)
    tgrads = dict(tnet.named_parameters())
    for name, _, g in net.parameters():
        np.testing.assert_allclose(g, tgrads[name].grad.numpy(), rtol=1e-9, atol=1e-13, err_msg=name)


def test_one_training_step_matches_torch(torch, rng):
    """Forward, backward and an SGD step give the same weights as PyTorch."""
    net = digits_lenet(rng, channels=(4, 8), hidden=(16, 12))
    tnet = torch_copy(torch, net)
    opt = SGD(net, lr=0.1, momentum=0.9)
    topt = torch.optim.SGD(tnet.parameters(), lr=0.1, momentum=0.9)
    for _ in range(3):
        x = rng.normal(size=(6, 1, 8, 8))
        y = rng.integers(0, 10, size=6)
        _, dlogits = softmax_cross_entropy(net.forward(x), y)
        net.backward(dlogits)
        opt.step()
        topt.zero_grad()
        torch.nn.functional.cross_entropy(tnet(torch.tensor(x)), torch.tensor(y)).backward()
        topt.step()
    tparams = dict(tnet.named_parameters())
    for name, p, _ in net.parameters():
        np.testing.assert_allclose(p, tparams[name].detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


# -------------------------------------------------------------------- errors

def test_linear_rejects_wrong_in_features(rng):
    with pytest.raises(ValueError, match=r"in_features=64.*x.shape=\(2, 10\)"):
        Linear(64, 10, rng=rng).forward(np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"\(N, in_features\).*x.shape=\(2, 1, 8, 8\)"):
        Linear(64, 10, rng=rng).forward(np.zeros((2, 1, 8, 8)))


def test_conv_rejects_wrong_channels(rng):
    with pytest.raises(ValueError, match=r"in_channels=3 .*C=1"):
        Conv2d(3, 6, 5, rng=rng).forward(np.zeros((2, 1, 32, 32)))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*x.shape=\(1, 32, 32\)"):
        Conv2d(1, 6, 5, rng=rng).forward(np.zeros((1, 32, 32)))


def test_sequential_names_the_failing_layer(rng):
    net = Sequential(Conv2d(1, 2, 3, rng=rng), ReLU(), Flatten(), Linear(99, 10, rng=rng))
    with pytest.raises(ValueError, match=r"^layer 3 \(Linear\(99, 10\)\): .*in_features=99.*\(1, 72\)"):
        net.forward(np.zeros((1, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"^layer 3 "):
        net.summary((1, 8, 8), show=False)
    with pytest.raises(ValueError, match=r"^layer 0 .*kernel"):
        net.forward(np.zeros((1, 1, 2, 2)))


@pytest.mark.parametrize(
    "make, error, text",
    [
        (lambda: Conv2d(0, 6, 3), ValueError, "in_channels=0"),
        (lambda: Conv2d(1.0, 6, 3), TypeError, "in_channels=1.0"),
        (lambda: Conv2d(1, 6, 0), ValueError, "kernel_size=0"),
        (lambda: Conv2d(1, 6, 3, stride=0), ValueError, "stride=0"),
        (lambda: Conv2d(1, 6, 3, padding=-1), ValueError, "padding=-1"),
        (lambda: Conv2d(1, 6, 3, rng=0), TypeError, "rng=0"),
        (lambda: Conv2d(1, 6, 3, padding="full"), ValueError, "padding='full'"),
        (lambda: Conv2d(1, 6, 3, stride=2, padding="same"), ValueError, "padding='same' needs stride=1"),
        (lambda: Linear(10, -1), ValueError, "out_features=-1"),
        (lambda: MaxPool2d(2, ceil_mode=1), TypeError, "ceil_mode=1"),
        (lambda: AvgPool2d(2, count_include_pad="no"), TypeError, "count_include_pad='no'"),
        (lambda: Sequential(ReLU(), "relu"), TypeError, r"layers\[1\]='relu'"),
    ],
)
def test_constructors_reject_bad_arguments(make, error, text):
    with pytest.raises(error, match=text):
        make()


def test_backward_before_forward_is_an_error(rng):
    for layer in (Conv2d(1, 1, 3, rng=rng), Linear(2, 2, rng=rng), MaxPool2d(2), AvgPool2d(2), ReLU(), Flatten()):
        with pytest.raises(RuntimeError, match="call forward before backward"):
            layer.backward(np.zeros((1, 1, 1, 1)))


def test_backward_rejects_wrong_dout_shape(rng):
    conv = Conv2d(1, 2, 3, rng=rng)
    conv.forward(np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"dout.shape=\(1, 2, 3, 3\).*\(1, 2, 5, 5\)"):
        conv.backward(np.zeros((1, 2, 5, 5)))
    pool = MaxPool2d(2)
    pool.forward(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"dout.shape"):
        pool.backward(np.zeros((1, 1, 4, 4)))


def test_summary_rejects_bad_input_shape():
    with pytest.raises(TypeError, match=r"input_shape=\(1, 0, 8\)"):
        Sequential(ReLU()).summary((1, 0, 8), show=False)
    with pytest.raises(TypeError, match="input_shape=8"):
        Sequential(ReLU()).summary(8, show=False)
