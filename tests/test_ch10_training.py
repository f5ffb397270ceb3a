"""Chapter 10 (training): weight decay in SGD, early stopping in fit, and the chapter's figures."""

import numpy as np
import pytest

from cnnbook import models
from cnnbook.nn import Linear, ReLU, Sequential
from cnnbook.optim import SGD
from cnnbook.plots.training import plot_confusion, plot_curves, show_activations


# ---------------------------------------------------------------- weight decay

def test_weight_decay_known_answer_with_momentum():
    """PyTorch's order: g <- g + wd * p first, then v <- mu v + g, then p <- p - lr v."""
    layer = Linear(1, 1, bias=False)
    layer.params["weight"][...] = 2.0
    opt = SGD(layer, lr=0.1, momentum=0.5, weight_decay=0.1)
    layer.grads["weight"][...] = 1.0
    opt.step()                        # g = 1 + 0.2 = 1.2; v = 1.2; p = 2 - 0.12 = 1.88
    np.testing.assert_allclose(layer.params["weight"], [[1.88]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(opt.velocity["weight"], [[1.2]], rtol=0, atol=1e-15)
    opt.step()                        # g = 1 + 0.188 = 1.188; v = 0.6 + 1.188 = 1.788; p = 1.88 - 0.1788
    np.testing.assert_allclose(opt.velocity["weight"], [[1.788]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(layer.params["weight"], [[1.7012]], rtol=0, atol=1e-15)


def test_weight_decay_alone_shrinks_weights_geometrically():
    layer = Linear(3, 2, rng=np.random.default_rng(1))
    start = layer.params["weight"].copy()
    opt = SGD(layer, lr=0.5, momentum=0.0, weight_decay=0.2)
    for _ in range(5):
        layer.grads["weight"][...] = 0.0
        layer.grads["bias"][...] = 0.0
        opt.step()
    np.testing.assert_allclose(layer.params["weight"], start * (1 - 0.5 * 0.2) ** 5, rtol=1e-13)


@pytest.mark.parametrize("momentum, weight_decay", [(0.0, 0.05), (0.9, 0.01), (0.5, 0.3)])
def test_weight_decay_matches_torch(torch, momentum, weight_decay):
    rng = np.random.default_rng(3)
    net = Sequential(Linear(4, 5, rng=rng), ReLU(), Linear(5, 3, rng=rng))
    tparams = [torch.tensor(p.copy(), requires_grad=True) for _, p, _ in net.parameters()]
    topt = torch.optim.SGD(tparams, lr=0.1, momentum=momentum, weight_decay=weight_decay)
    opt = SGD(net, lr=0.1, momentum=momentum, weight_decay=weight_decay)
    for _ in range(6):
        for (_, p, g), tp in zip(net.parameters(), tparams):
            g[...] = rng.normal(size=p.shape)
            tp.grad = torch.tensor(g.copy())
        opt.step()
        topt.step()
    for (name, p, _), tp in zip(net.parameters(), tparams):
        np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=name)


# ---------------------------------------------------------------- early stopping

def _toy(n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(np.int64)
    return x, y


def test_restore_best_puts_back_the_best_validation_epoch():
    x, y = _toy()
    def kwargs():
        return dict(x_val=x[40:], y_val=y[40:], lr=0.3, epochs=15, rng=np.random.default_rng(0))

    net = models.mlp(4, 16, 2, rng=np.random.default_rng(1))
    history = models.fit(net, x[:40], y[:40], restore_best=True, **kwargs())
    best = models.best_epoch(history)
    assert best < len(history)                       # otherwise there is nothing to restore
    assert history[best - 1]["val_loss"] == min(r["val_loss"] for r in history)
    assert models.evaluate(net, x[40:], y[40:])[0] == pytest.approx(history[best - 1]["val_loss"], abs=1e-12)
    # the same run without restore_best ends with the last epoch's weights
    net2 = models.mlp(4, 16, 2, rng=np.random.default_rng(1))
    history2 = models.fit(net2, x[:40], y[:40], **kwargs())
    assert [r["val_loss"] for r in history2] == [r["val_loss"] for r in history]
    assert models.evaluate(net2, x[40:], y[40:])[0] == pytest.approx(history2[-1]["val_loss"], abs=1e-12)


def test_patience_stops_after_that_many_epochs_without_improvement():
    x, y = _toy()
    net = models.mlp(4, 32, 2, rng=np.random.default_rng(1))
    history = models.fit(net, x[:20], y[:20], x_val=x[20:], y_val=y[20:], lr=0.5, epochs=200, patience=3,
                         rng=np.random.default_rng(0))
    assert len(history) < 200
    assert len(history) - models.best_epoch(history) == 3


def test_best_epoch_and_fit_reject_bad_arguments():
    x, y = _toy(10)
    net = models.mlp(4, 3, 2)
    with pytest.raises(ValueError, match="x_val and y_val"):
        models.fit(net, x, y, x_val=x)
    with pytest.raises(ValueError, match="restore_best=True"):
        models.fit(net, x, y, restore_best=True)
    with pytest.raises(ValueError, match="patience=0"):
        models.fit(net, x, y, x_val=x, y_val=y, patience=0)
    with pytest.raises(ValueError, match="key='val_loss' is missing"):
        models.best_epoch([{"epoch": 1, "train_loss": 1.0}])
    with pytest.raises(ValueError, match="non-empty list"):
        models.best_epoch([])


# ---------------------------------------------------------------- figures

def test_curves_have_readable_legends_and_milestones():
    history = [dict(epoch=e, lr=0.1, train_loss=1 / e, val_loss=0.5 + abs(e - 3) / 10,
                    train_acc=1 - 1 / (e + 1), val_acc=0.8) for e in range(1, 7)]
    fig = plot_curves(history, labels={"train_acc": "training (during the epoch)"},
                      marks={"lr ÷ 10": 4.5, "best validation loss": 3})
    loss_ax, acc_ax = fig.axes                        # 'lr' is not drawn as a third panel
    legend = [t.get_text() for t in loss_ax.get_legend().get_texts()]
    assert legend == ["training", "validation", "lr ÷ 10", "best validation loss"]
    assert [t.get_text() for t in acc_ax.get_legend().get_texts()][0] == "training (during the epoch)"
    assert not any("_" in text for text in legend)
    assert [line.get_xdata()[0] for line in loss_ax.lines[2:]] == [4.5, 3]
    with pytest.raises(ValueError, match="not in history"):
        plot_curves(history, labels={"test_acc": "test"})
    with pytest.raises(ValueError, match=r"marks\['x'\]"):
        plot_curves(history, marks={"x": "three"})


def test_confusion_shows_errors_in_colour_and_leaves_zeros_blank():
    cm = np.array([[50, 1, 0], [0, 40, 2], [0, 0, 45]])
    fig = plot_confusion(cm)
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == sorted(["50", "1", "40", "2", "45"])  # no '0'
    rgb = ax.images[0].get_array()                   # (3, 3, 3)
    np.testing.assert_allclose(rgb[0, 2], [1, 1, 1])                  # zero: white
    assert rgb[0, 1, 0] > 0.8 and rgb[0, 1, 2] < 0.2                  # an error: vermillion
    assert rgb[1, 1, 2] > rgb[1, 1, 0]                                # correct: blue
    bold = {t.get_text() for t in ax.texts if t.get_fontweight() == "bold"}
    assert bold == {"1", "2"}
    assert "3 errors" in ax.get_title()


def test_activations_share_one_scale_and_a_colour_bar():
    maps = np.zeros((5, 4, 4))
    maps[1, 0, 0], maps[3, 2, 2] = 2.0, 8.0
    fig = show_activations(maps, channels=[3, 1], ncols=2)
    panels, bar = fig.axes[:2], fig.axes[-1]
    assert len(fig.axes) == 3 and bar.get_ylabel() == "activation"
    assert {im.get_clim() for ax in panels for im in ax.images} == {(0.0, 8.0)}
    with pytest.raises(ValueError, match="channels=\\[7\\]"):
        show_activations(maps, channels=[7])
    with pytest.raises(ValueError, match="maps.shape"):
        show_activations(np.zeros((2, 3)))
