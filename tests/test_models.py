"""cnnbook.models: LeNet-5 adapted to the input size, MLP, and the training loop."""

import numpy as np
import pytest

from cnnbook import data, models, softmax_cross_entropy
from cnnbook.nn import AvgPool2d, Conv2d, Linear, MaxPool2d
from cnnbook.optim import SGD


# ----------------------------------------------------------------- lenet5

@pytest.mark.parametrize(
    "size, features, paddings",
    [(32, 400, [(0, 0), (0, 0)]), (28, 400, [(2, 2), (0, 0)]), (8, 64, [(2, 2), (2, 2)]),
     (4, 16, [(2, 2), (2, 2)]), ((12, 30), 16 * 3 * 5, [(2, 2), (2, 0)])],
)
def test_lenet5_adapts_to_the_input_size(size, features, paddings, rng):
    net = models.lenet5(input_size=size, rng=rng)
    convs = [layer for layer in net.layers if isinstance(layer, Conv2d)]
    assert [c.padding for c in convs] == paddings
    assert net[-5].in_features == features
    H, W = (size, size) if isinstance(size, int) else size
    assert net.forward(rng.normal(size=(2, 1, H, W))).shape == (2, 10)


def test_lenet5_options(rng):
    net = models.lenet5(in_channels=3, input_size=32, num_classes=7, pool="avg", rng=rng)
    assert net[0].in_channels == 3 and net[-1].out_features == 7
    assert sum(isinstance(layer, AvgPool2d) for layer in net.layers) == 2
    assert not any(isinstance(layer, MaxPool2d) for layer in net.layers)
    assert net.forward(np.zeros((1, 3, 32, 32))).shape == (1, 7)


@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        (dict(input_size=3), ValueError, "at least 4 x 4.*input_size=3"),
        (dict(input_size=(8, 2)), ValueError, r"input_size=\(8, 2\)"),
        (dict(input_size=8.0), TypeError, "input_size=8.0"),
        (dict(pool="median"), ValueError, "pool='median'"),
    ],
)
def test_lenet5_rejects_bad_arguments(kwargs, error, text):
    with pytest.raises(error, match=text):
        models.lenet5(**kwargs)


def test_digits_lenet_shapes_and_count(rng):
    net = models.digits_lenet(rng)
    assert net.forward(np.zeros((3, 1, 8, 8))).shape == (3, 10)
    c1, c2 = 16, 32
    expected = (3 * 3 * 1 * c1 + c1) + (3 * 3 * c1 * c2 + c2) + (c2 * 4 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
    assert net.num_params() == expected


# -------------------------------------------------------------------- mlp

def test_mlp_layers_and_count(rng):
    net = models.mlp(64, [32, 16], 10, rng=rng)
    linears = [layer for layer in net.layers if isinstance(layer, Linear)]
    assert [(l.in_features, l.out_features) for l in linears] == [(64, 32), (32, 16), (16, 10)]
    assert net.num_params() == 64 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10
    assert models.mlp(64, [], 10).num_params() == 64 * 10 + 10  # logistic regression
    assert net.forward(np.zeros((4, 64))).shape == (4, 10)


# --------------------------------------------------------- training helpers

def test_iterate_minibatches_covers_every_example_once(rng):
    x, y = np.arange(23)[:, None] * np.ones((1, 2)), np.arange(23)
    batches = list(models.iterate_minibatches(x, y, 5, rng=rng))
    assert [len(yb) for _, yb in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(23)) and seen.tolist() != list(range(23))
    for xb, yb in batches:
        assert np.array_equal(xb[:, 0], yb)  # inputs stay paired with their labels
    ordered = np.concatenate([yb for _, yb in models.iterate_minibatches(x, y, 5)])
    assert ordered.tolist() == list(range(23))


@pytest.mark.parametrize("batch_size", [0, -1, 2.5])
def test_iterate_minibatches_rejects_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match=f"batch_size={batch_size}"):
        list(models.iterate_minibatches(np.zeros((4, 1)), np.zeros(4), batch_size))


def test_iterate_minibatches_rejects_mismatched_data():
    with pytest.raises(ValueError, match=r"x.shape=\(4, 1\), y.shape=\(3,\)"):
        list(models.iterate_minibatches(np.zeros((4, 1)), np.zeros(3), 2))


def test_train_epoch_lowers_the_loss_and_evaluate_agrees_with_predict(rng):
    x = rng.normal(size=(64, 6))
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    net = models.mlp(6, 8, 2, rng=rng)
    opt = SGD(net, lr=0.1, momentum=0.9)
    before, _ = models.evaluate(net, x, y)
    losses = [models.train_epoch(net, opt, x, y, 16, rng=rng)[0] for _ in range(15)]
    after, acc = models.evaluate(net, x, y)
    assert after < before / 2 and losses[-1] < losses[0]
    assert acc == np.mean(models.predict(net, x) == y) and acc > 0.9
    loss_direct = softmax_cross_entropy(net.forward(x), y)[0]
    assert after == pytest.approx(loss_direct)  # batch-weighted mean = mean over all examples
    assert models.predict(net, x, batch_size=7).dtype == np.int64


def test_train_epoch_rejects_wrong_objects(rng):
    net = models.mlp(2, 2, 2, rng=rng)
    with pytest.raises(TypeError, match="optimizer must be"):
        models.train_epoch(net, "sgd", np.zeros((2, 2)), np.zeros(2, int), rng=rng)
    with pytest.raises(TypeError, match="model must be"):
        models.train_epoch(None, SGD(net), np.zeros((2, 2)), np.zeros(2, int), rng=rng)


def test_fit_milestones_divide_the_learning_rate(rng):
    x = rng.normal(size=(20, 3))
    y = (x[:, 0] > 0).astype(np.int64)
    history = models.fit(models.mlp(3, 4, 2, rng=rng), x, y, x, y, lr=0.1, epochs=4, milestones=(1, 3), rng=rng)
    assert [h["lr"] for h in history] == pytest.approx([0.1, 0.01, 0.01, 0.001])
    assert set(history[0]) == {"epoch", "lr", "train_loss", "train_acc", "test_loss", "test_acc"}
    with pytest.raises(ValueError, match="epochs=0"):
        models.fit(models.mlp(3, 4, 2), x, y, epochs=0)


@pytest.mark.slow
def test_digits_lenet_reaches_97_percent():
    """The training chapter's claim: the recommended recipe beats 97% on held-out digits."""
    x_tr, x_te, y_tr, y_te = data.train_test_split_digits(rng=np.random.default_rng(0))
    x_tr, x_te = data.standardize(x_tr, x_te)
    rng = np.random.default_rng(0)
    net = models.digits_lenet(rng)
    history = models.fit(net, x_tr, y_tr, x_te, y_te, rng=rng, **models.DIGITS_TRAINING)
    assert history[-1]["test_acc"] >= 0.97
    assert history[-1]["train_loss"] < history[0]["train_loss"] / 5
