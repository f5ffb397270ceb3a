"""Deep stacks: plain_stack's layout, layer_scales against a direct computation, He initialisation."""

import math

import numpy as np
import pytest

from cnnbook.deep import layer_scales, plain_stack
from cnnbook.losses import relu, softmax_cross_entropy
from cnnbook.nn import (BatchNorm2d, Conv2d, GlobalAvgPool2d, Linear, ReLU, Residual, Sequential,
                        init_normal)


def _convs(net):
    return [m for m in net.modules() if isinstance(m, Conv2d)]


@pytest.mark.parametrize("depth, batch_norm, residual", [(0, False, False), (3, True, False), (4, True, True)])
def test_plain_stack_layout(depth, batch_norm, residual):
    net = plain_stack(depth, channels=5, batch_norm=batch_norm, residual=residual, rng=np.random.default_rng(0))
    assert net.forward(np.zeros((3, 1, 8, 8))).shape == (3, 10)
    convs = _convs(net)
    assert len(convs) == depth + 1
    assert (convs[0].in_channels, convs[0].out_channels) == (1, 5)
    assert all((c.in_channels, c.out_channels, c.kernel_size) == (5, 5, (3, 3)) for c in convs[1:])
    assert sum(isinstance(m, BatchNorm2d) for m in net.modules()) == (depth if batch_norm else 0)
    assert sum(isinstance(m, Residual) for m in net.modules()) == (depth // 2 if residual else 0)
    assert isinstance(net[-3], GlobalAvgPool2d) and isinstance(net[-1], Linear) and net[-1].in_features == 5


def test_plain_stack_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="depth must be even, got depth=5; use depth=4 or 6"):
        plain_stack(5, residual=True, rng=rng)
    with pytest.raises(ValueError, match="depth=-1"):
        plain_stack(-1, rng=rng)
    with pytest.raises(ValueError, match="depth=2.0"):
        plain_stack(2.0, rng=rng)
    with pytest.raises(TypeError, match="batch_norm must be True or False"):
        plain_stack(2, batch_norm="yes", rng=rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        plain_stack(2, rng=0)


def test_layer_scales_agree_with_a_direct_computation():
    rng = np.random.default_rng(1)
    net = plain_stack(1, channels=3, batch_norm=True, rng=rng)   # conv, ReLU, conv, BN, ReLU, ...
    net[3].params["weight"][...] = [0.5, 2.0, 1.0]
    x, y = rng.normal(size=(6, 1, 8, 8)), rng.integers(0, 10, size=6)
    conv1, conv2, bn = net[0], net[2], net[3]
    # by hand, from the functional core
    from cnnbook import batch_norm2d, batch_norm2d_backward, conv2d, conv2d_backward
    from cnnbook.pool import global_avg_pool2d, global_avg_pool2d_backward
    from cnnbook.losses import relu_backward

    w1, b1 = conv1.params["weight"], conv1.params["bias"]
    w2, b2 = conv2.params["weight"], conv2.params["bias"]
    fc_w, fc_b = net[-1].params["weight"], net[-1].params["bias"]
    z1 = conv2d(x, w1, b1, padding=1)
    a1 = relu(z1)
    z2 = conv2d(a1, w2, b2, padding=1)
    n2 = batch_norm2d(z2, bn.params["weight"], bn.params["bias"])
    a2 = relu(n2)
    pooled = global_avg_pool2d(a2)
    loss, dlogits = softmax_cross_entropy(pooled @ fc_w.T + fc_b, y)
    da2 = global_avg_pool2d_backward(dlogits @ fc_w, a2)
    dz2 = batch_norm2d_backward(relu_backward(da2, n2), z2, bn.params["weight"])[0]
    _, dw2, _ = conv2d_backward(dz2, a1, w2, padding=1)
    da1 = conv2d_backward(dz2, a1, w2, padding=1)[0]
    _, dw1, _ = conv2d_backward(relu_backward(da1, z1), x, w1, padding=1)

    before = (bn.running_mean.copy(), bn.num_batches_tracked)
    net.eval()
    scales = layer_scales(net, x, y)
    assert scales.names == ["conv1", "conv2"]
    np.testing.assert_allclose(scales.activation_std, [a1.std(), a2.std()], rtol=1e-12)
    np.testing.assert_allclose(scales.gradient_std, [dw1.std(), dw2.std()], rtol=1e-10)
    assert scales.loss == pytest.approx(loss, rel=1e-12)
    # the model is left as it was: evaluation mode, running statistics untouched
    assert not net.training and not bn.training
    np.testing.assert_array_equal(bn.running_mean, before[0])
    assert bn.num_batches_tracked == before[1]


def test_layer_scales_in_a_residual_stack_reads_the_block_output():
    rng = np.random.default_rng(2)
    net = plain_stack(2, channels=3, residual=True, rng=rng)
    x, y = rng.normal(size=(4, 1, 8, 8)), rng.integers(0, 10, size=4)
    scales = layer_scales(net, x, y)
    block = net[2]                           # Sequential(Residual(body), ReLU())
    a1 = relu(net[0].forward(x))
    inner = relu(block[0].body[0].forward(a1))
    out = block.forward(a1)
    np.testing.assert_allclose(scales.activation_std, [a1.std(), inner.std(), out.std()], rtol=1e-12)


def test_layer_scales_errors():
    x, y = np.zeros((2, 1, 4, 4)), np.zeros(2, dtype=int)
    with pytest.raises(ValueError, match="no ReLU after it"):
        layer_scales(Sequential(Conv2d(1, 10, 4)), x, y)
    with pytest.raises(ValueError, match="no Conv2d"):
        layer_scales(Sequential(ReLU()), x, y)
    with pytest.raises(TypeError, match="model must be a Layer"):
        layer_scales("net", x, y)


@pytest.mark.parametrize("gain", [math.sqrt(2), 1.0])
def test_init_normal_std_is_gain_over_sqrt_fan_in(gain):
    net = Sequential(Conv2d(16, 64, 3), ReLU(), Conv2d(64, 8, 1), BatchNorm2d(8), Linear(200, 100))
    assert init_normal(net, gain=gain, rng=np.random.default_rng(0)) is net
    for layer, fan_in in ((net[0], 16 * 9), (net[2], 64), (net[4], 200)):
        w = layer.params["weight"]
        assert w.std() == pytest.approx(gain / math.sqrt(fan_in), rel=0.05)
        assert abs(w.mean()) < 0.1 * w.std()
        assert np.all(layer.params["bias"] == 0)
    np.testing.assert_array_equal(net[3].params["weight"], np.ones(8))  # BatchNorm2d untouched


def test_init_normal_fixed_std_and_errors():
    net = Sequential(Conv2d(4, 32, 3), Linear(10, 300))
    init_normal(net, std=0.02, rng=np.random.default_rng(0))
    for layer in net.layers:
        assert layer.params["weight"].std() == pytest.approx(0.02, rel=0.05)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="exactly one of gain"):
        init_normal(net, rng=rng)
    with pytest.raises(ValueError, match="exactly one of gain"):
        init_normal(net, gain=1.0, std=0.1, rng=rng)
    with pytest.raises(ValueError, match="gain=-1"):
        init_normal(net, gain=-1, rng=rng)
    with pytest.raises(TypeError, match="rng must be"):
        init_normal(net, gain=1.0, rng=None)


def test_fit_trains_in_training_mode_and_evaluates_in_evaluation_mode():
    from cnnbook.models import evaluate, fit, predict

    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 1, 8, 8))
    y = (x.mean(axis=(1, 2, 3)) > 0).astype(int)
    net = plain_stack(2, channels=3, batch_norm=True, rng=rng)
    bn = net[3]
    history = fit(net, x[:32], y[:32], x_val=x[32:], y_val=y[32:], epochs=2, batch_size=8, rng=rng)
    assert bn.num_batches_tracked == 8           # 4 training batches per epoch; evaluation adds none
    assert net.training and bn.training          # left in training mode
    net.eval()
    logits = net.forward(x[32:])                 # running statistics, by hand
    net.train()
    loss = softmax_cross_entropy(logits, y[32:])[0]
    assert evaluate(net, x[32:], y[32:])[0] == pytest.approx(loss, rel=1e-12)
    assert history[-1]["val_loss"] == pytest.approx(loss, rel=1e-12)
    np.testing.assert_array_equal(predict(net, x[32:]), logits.argmax(axis=1))
    assert net.training and bn.training and bn.num_batches_tracked == 8


def test_restore_best_restores_the_running_statistics_with_the_weights():
    from cnnbook.models import best_epoch, evaluate, fit

    rng = np.random.default_rng(4)
    x = rng.normal(size=(40, 1, 8, 8))
    y = rng.integers(0, 10, size=40)               # noise: the validation loss soon gets worse
    net = plain_stack(2, channels=3, batch_norm=True, rng=rng)
    history = fit(net, x[:32], y[:32], x_val=x[32:], y_val=y[32:], epochs=4, lr=0.2, batch_size=8,
                  restore_best=True, rng=rng)
    assert best_epoch(history) < len(history)       # else there would be nothing to restore
    best = min(row["val_loss"] for row in history)
    assert evaluate(net, x[32:], y[32:])[0] == pytest.approx(best, rel=1e-12)


def test_summary_uses_formulas_for_the_new_layers():
    net = plain_stack(2, channels=4, batch_norm=True, residual=True, rng=np.random.default_rng(0))
    bn = next(m for m in net.modules() if isinstance(m, BatchNorm2d))
    table = net.summary((1, 8, 8), show=False)
    assert bn.num_batches_tracked == 0            # no forward pass ran, so nothing was estimated
    rows = table.splitlines()
    assert rows[4].startswith("3  GlobalAvgPool2d()") and "(4,)" in rows[4]   # rows[0] is the header
    assert rows[-1] == f"total parameters: {net.num_params()}"
    assert net.num_params() == (9 * 4 + 4) + 2 * (9 * 16 + 4 + 8) + (4 * 10 + 10)
    with pytest.raises(ValueError, match=r"layer 0 \(BatchNorm2d\(3\)\).*num_features=3"):
        Sequential(BatchNorm2d(3)).summary((2, 4, 4), show=False)
