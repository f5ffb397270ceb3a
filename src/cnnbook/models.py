"""Ready-made networks (LeNet-5, an MLP) and a short training loop.

The loop is the one every framework runs: shuffle, cut into mini-batches,
forward, loss, backward, optimiser step. It is written out here in a few lines
so the training chapter can show it whole.
"""

from contextlib import contextmanager

import numpy as np

from ._validate import is_int, pair
from .losses import softmax_cross_entropy
from ._validate import check_rng as _check_rng
from .nn import AvgPool2d, BatchNorm2d, Conv2d, Flatten, Layer, Linear, MaxPool2d, ReLU, Sequential
from .optim import SGD, Adam
from .shapes import conv_output_size, pool_output_size

__all__ = [
    "lenet5",
    "digits_lenet",
    "DIGITS_TRAINING",
    "mlp",
    "iterate_minibatches",
    "train_epoch",
    "evaluate",
    "predict",
    "fit",
    "best_epoch",
]


def _pool_layer(pool):
    if pool == "max":
        return MaxPool2d(2)
    if pool == "avg":
        return AvgPool2d(2)
    raise ValueError(f"pool must be 'max' or 'avg', got pool={pool!r}")


def lenet5(in_channels=1, input_size=32, num_classes=10, *, rng=None, pool="max"):
    """LeNet-5 (LeCun et al., 1998) with ReLU, adapted to the input size.

    conv 5x5 (6) -> ReLU -> pool 2 -> conv 5x5 (16) -> ReLU -> pool 2 ->
    flatten -> 120 -> ReLU -> 84 -> ReLU -> num_classes.

    Parameters
    ----------
    in_channels : int, default 1
    input_size : int or (int, int), default 32
        Height and width of the input images; at least 4.
    num_classes : int, default 10
    rng : numpy.random.Generator, optional
        For the initial weights; ``default_rng(0)`` if None.
    pool : {'max', 'avg'}, default 'max'
        The paper's subsampling layers averaged (with a learned scale); max
        pooling is the modern choice.

    Returns
    -------
    Sequential
        Output: logits, shape (N, num_classes).

    Notes
    -----
    Adaptation to the input size, per axis:

    * 32 x 32 (the paper): no padding, 32 -> 28 -> 14 -> 10 -> 5, so the first
      Linear layer sees 16*5*5 = 400 features.
    * smaller inputs: a conv whose input is smaller than the paper's (32 for
      the first, 14 for the second) gets padding 2 ('same'), so it no longer
      shrinks the map. 28 x 28 MNIST gives 28 -> 28 -> 14 -> 10 -> 5 (the
      paper placed its 28 x 28 digits in a 32 x 32 field, the same idea);
      8 x 8 scikit-learn digits give 8 -> 8 -> 4 -> 4 -> 2 and 16*2*2 = 64
      features.
    * below 4 x 4 the second pooling would leave nothing, so it is refused.

    The paper's tanh units, partial connection table between the conv layers
    and RBF output layer are replaced by ReLU, full connections and logits.

    Examples
    --------
    >>> net = lenet5(input_size=32)
    >>> net.forward(np.zeros((2, 1, 32, 32))).shape
    (2, 10)
    >>> net.num_params()
    61706
    >>> lenet5(input_size=8)[-5]
    Linear(64, 120)
    """
    H, W = pair(input_size, "input_size")
    if min(H, W) < 4:
        raise ValueError(
            f"lenet5 needs input_size of at least 4 x 4 (two 2x2 poolings must leave at least "
            f"1 pixel), got input_size={input_size!r}"
        )
    rng = _check_rng(rng)
    size = (H, W)
    layers = []
    for c_in, c_out, paper_size in ((in_channels, 6, 32), (6, 16, 14)):
        padding = tuple(2 if n < paper_size else 0 for n in size)
        layers += [Conv2d(c_in, c_out, 5, padding=padding, rng=rng), ReLU(), _pool_layer(pool)]
        size = pool_output_size(conv_output_size(size, 5, 1, padding), 2)
    layers += [
        Flatten(),
        Linear(16 * size[0] * size[1], 120, rng=rng), ReLU(),
        Linear(120, 84, rng=rng), ReLU(),
        Linear(84, num_classes, rng=rng),
    ]
    return Sequential(*layers)


#: Training settings for :func:`digits_lenet` on standardized 8 x 8 digits
#: (see :func:`cnnbook.data.standardize`): 20 epochs of SGD with momentum, the
#: learning rate divided by 10 for the last 6. Pass them to :func:`fit`.
DIGITS_TRAINING = dict(lr=0.02, momentum=0.9, batch_size=32, epochs=20, milestones=(14,))


def digits_lenet(rng=None, *, channels=(16, 32), hidden=(120, 84)):
    """A LeNet-style network sized for the 8 x 8 scikit-learn digits.

    conv 3x3 pad 1 -> ReLU -> max pool 2 -> conv 3x3 pad 1 -> ReLU -> max pool 2
    -> flatten -> Linear -> ReLU -> Linear -> ReLU -> Linear(10). Spatially
    8 -> 8 -> 4 -> 4 -> 2. Train it with :data:`DIGITS_TRAINING`.

    Parameters
    ----------
    rng : numpy.random.Generator, optional
    channels : (int, int), default (16, 32)
        Filters in the two conv layers. LeNet's (6, 16) also works but
        scores about a point lower: after two poolings only 2 x 2 positions
        are left, so more channels carry the information instead.
    hidden : (int, int), default (120, 84)
        Units in the two hidden Linear layers.

    Returns
    -------
    Sequential
        Input (N, 1, 8, 8), output logits (N, 10).

    Examples
    --------
    >>> net = digits_lenet(np.random.default_rng(0))
    >>> net.forward(np.zeros((3, 1, 8, 8))).shape
    (3, 10)
    """
    rng = _check_rng(rng)
    c1, c2 = channels
    h1, h2 = hidden
    return Sequential(
        Conv2d(1, c1, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),   # (c1, 4, 4)
        Conv2d(c1, c2, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),  # (c2, 2, 2)
        Flatten(),                                                     # (c2*2*2,)
        Linear(c2 * 2 * 2, h1, rng=rng), ReLU(),
        Linear(h1, h2, rng=rng), ReLU(),
        Linear(h2, 10, rng=rng),
    )


def mlp(in_features, hidden, num_classes, *, rng=None):
    """A fully connected network: (Linear -> ReLU) per hidden layer, then Linear.

    Parameters
    ----------
    in_features : int
        E.g. 64 for flattened 8 x 8 digits.
    hidden : int or sequence of int
        Width of each hidden layer (an empty sequence gives logistic regression).
    num_classes : int
    rng : numpy.random.Generator, optional

    Returns
    -------
    Sequential
        Input (N, in_features) -- or images, which a leading Flatten turns
        into vectors -- output logits (N, num_classes).

    Examples
    --------
    >>> net = mlp(64, [32], 10)
    >>> net.forward(np.zeros((5, 1, 8, 8))).shape
    (5, 10)
    >>> net.num_params()   # 64*32 + 32 + 32*10 + 10
    2410
    """
    rng = _check_rng(rng)
    widths = [hidden] if is_int(hidden) else list(hidden)
    layers = [Flatten()]
    for n_in, n_out in zip([in_features] + widths, widths):
        layers += [Linear(n_in, n_out, rng=rng), ReLU()]
    layers.append(Linear(([in_features] + widths)[-1], num_classes, rng=rng))
    return Sequential(*layers)


def _check_xy(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if y.ndim != 1 or x.ndim < 2 or len(x) != len(y):
        raise ValueError(
            f"x must be a batch (N, ...) and y its N integer labels, got x.shape={x.shape}, y.shape={y.shape}"
        )
    return x, y


def _check_batch_size(batch_size):
    if not is_int(batch_size) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got batch_size={batch_size!r}")
    return int(batch_size)


def iterate_minibatches(x, y, batch_size, *, rng=None):
    """Yield ``(x_batch, y_batch)`` pairs covering the data once.

    Parameters
    ----------
    x : ndarray, shape (N, ...)
    y : ndarray, shape (N,)
    batch_size : int
        The last batch is smaller when ``batch_size`` does not divide N.
    rng : numpy.random.Generator, optional
        Shuffle with it; if None keep the order (for evaluation).

    Examples
    --------
    >>> x, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in iterate_minibatches(x, y, 2)]
    [[0, 1], [2, 3], [4]]
    """
    x, y = _check_xy(x, y)
    batch_size = _check_batch_size(batch_size)
    order = np.arange(len(x)) if rng is None else _check_rng(rng).permutation(len(x))
    for start in range(0, len(x), batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], y[idx]


def train_epoch(model, optimizer, x, y, batch_size=32, *, rng, progress=False):
    """One pass over shuffled training data; returns ``(mean_loss, accuracy)``.

    Parameters
    ----------
    model : Layer
        Maps (N, ...) inputs to (N, num_classes) logits.
    optimizer : SGD or Adam
    x : ndarray, shape (N, ...)
    y : ndarray of int, shape (N,)
    batch_size : int, default 32
    rng : numpy.random.Generator
        Shuffles the examples.
    progress : bool, default False
        Show a tqdm progress bar (needs tqdm).

    Returns
    -------
    mean_loss : float
        Cross-entropy averaged over the epoch's examples (measured while the
        weights were changing). The model is left in training mode.
    accuracy : float
        Fraction of training examples classified correctly during the epoch.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(64, 2)); y = (x[:, 0] > 0).astype(int)
    >>> net = mlp(2, 8, 2, rng=rng)
    >>> opt = SGD(net, lr=0.1)
    >>> first = train_epoch(net, opt, x, y, 16, rng=rng)
    >>> for _ in range(9):
    ...     last = train_epoch(net, opt, x, y, 16, rng=rng)
    >>> bool(last[0] < first[0]), bool(last[1] > 0.9)
    (True, True)
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer, got model={model!r}")
    if not isinstance(optimizer, (SGD, Adam)):
        raise TypeError(f"optimizer must be a cnnbook.optim.SGD or Adam, got optimizer={optimizer!r}")
    model.train()  # BatchNorm2d: batch statistics, running averages updated
    batches = iterate_minibatches(x, y, batch_size, rng=rng)
    if progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, total=-(-len(x) // batch_size), leave=False)
    total_loss = correct = 0.0
    for xb, yb in batches:
        logits = model.forward(xb)                        # (B, num_classes)
        loss, dlogits = softmax_cross_entropy(logits, yb)
        model.backward(dlogits)
        optimizer.step()
        total_loss += loss * len(yb)
        correct += np.sum(logits.argmax(axis=1) == yb)
    return total_loss / len(x), float(correct / len(x))


@contextmanager
def _evaluation_mode(model):
    """Run the block with ``model`` in evaluation mode, then restore each layer's mode."""
    modes = [(layer, layer.training) for layer in model.modules()] if isinstance(model, Layer) else []
    if isinstance(model, Layer):
        model.eval()
    try:
        yield
    finally:
        for layer, mode in modes:
            layer.training = mode


def predict(model, x, batch_size=256):
    """Class predictions (argmax of the logits), computed in batches, in evaluation mode.

    Returns
    -------
    ndarray of int64, shape (N,)

    Examples
    --------
    >>> net = mlp(4, 3, 5)
    >>> predict(net, np.zeros((7, 4))).shape
    (7,)
    """
    batch_size = _check_batch_size(batch_size)
    with _evaluation_mode(model):
        return np.concatenate([
            model.forward(x[i:i + batch_size]).argmax(axis=1) for i in range(0, len(x), batch_size)
        ]).astype(np.int64)


def evaluate(model, x, y, batch_size=256):
    """Mean cross-entropy and accuracy on data the model does not learn from.

    The model runs in evaluation mode (BatchNorm2d uses its running
    statistics); each layer's mode is restored afterwards.

    Returns
    -------
    loss : float
        Mean softmax cross-entropy over the N examples.
    accuracy : float
        Fraction classified correctly.

    Examples
    --------
    >>> net = mlp(4, 3, 5)
    >>> loss, acc = evaluate(net, np.zeros((6, 4)), np.zeros(6, dtype=int))
    >>> 0 <= acc <= 1, loss > 0
    (True, True)
    """
    total_loss = correct = 0.0
    with _evaluation_mode(model):
        for xb, yb in iterate_minibatches(x, y, batch_size):
            logits = model.forward(xb)  # (B, num_classes)
            total_loss += softmax_cross_entropy(logits, yb)[0] * len(yb)
            correct += np.sum(logits.argmax(axis=1) == yb)
    return total_loss / len(x), float(correct / len(x))


def best_epoch(history, key="val_loss"):
    """The epoch whose ``key`` is lowest (the first one if several tie).

    This is the epoch early stopping keeps: the one with the best validation
    loss, never chosen by looking at the test set.

    Parameters
    ----------
    history : list of dict
        One dict per epoch, as returned by :func:`fit`, each with ``'epoch'``
        and ``key``.
    key : str, default 'val_loss'
        A quantity to minimise (use a loss, not an accuracy).

    Returns
    -------
    int
        The ``'epoch'`` value of that row (epochs count from 1).

    Examples
    --------
    >>> best_epoch([{'epoch': 1, 'val_loss': 0.9}, {'epoch': 2, 'val_loss': 0.4},
    ...             {'epoch': 3, 'val_loss': 0.5}])
    2
    """
    if not isinstance(history, (list, tuple)) or not history:
        raise ValueError(f"history must be a non-empty list of per-epoch dicts, got history={history!r:.80}")
    missing = [row.get("epoch", i + 1) for i, row in enumerate(history) if key not in row]
    if missing:
        raise ValueError(
            f"key={key!r} is missing from the history rows of epochs {missing[:5]}; "
            f"available keys: {sorted(history[0])}. (Pass x_val and y_val to fit for 'val_loss'.)"
        )
    values = np.array([row[key] for row in history], dtype=float)  # (epochs,)
    return int(history[int(np.argmin(values))]["epoch"])


def fit(model, x_train, y_train, x_test=None, y_test=None, *, x_val=None, y_val=None, lr=0.05,
        momentum=0.9, weight_decay=0.0, batch_size=32, epochs=10, milestones=(), rng=None,
        restore_best=False, patience=None, progress=False, optimizer="sgd"):
    """Train with SGD (or Adam) for ``epochs`` passes; returns one dict of metrics per epoch.

    ``milestones`` lists epoch counts after which the learning rate is divided
    by 10 (PyTorch's ``MultiStepLR`` with ``gamma=0.1``): large steps first to
    make progress, small steps last to settle into a minimum.

    Parameters
    ----------
    model : Layer
    x_train : ndarray, shape (N, ...)
    y_train : ndarray of int, shape (N,)
    x_test, y_test : ndarray, optional
        Evaluated after every epoch (rows get ``test_loss``, ``test_acc``). Kept
        for the earlier chapters; to *choose* anything, pass validation data.
    x_val, y_val : ndarray, optional
        Validation data, evaluated after every epoch (``val_loss``,
        ``val_acc``). Needed by ``restore_best`` and ``patience``.
    lr, momentum, weight_decay : float
        Passed to :class:`~cnnbook.optim.SGD`, or ``lr`` and ``weight_decay``
        to :class:`~cnnbook.optim.Adam` (whose lr is usually about 1e-3).
    batch_size : int, default 32
    epochs : int, default 10
        Largest number of epochs.
    milestones : sequence of int, default ()
    rng : numpy.random.Generator, optional
        Shuffles the training data every epoch; ``default_rng(0)`` if None.
    restore_best : bool, default False
        Early stopping: at the end, put back the weights of the epoch with the
        lowest validation loss (:func:`best_epoch`).
    patience : int, optional
        Stop when the validation loss has not improved for this many epochs.
        None trains all ``epochs``.
    progress : bool, default False
    optimizer : {'sgd', 'adam'}, default 'sgd'
        With ``'adam'`` leave ``momentum`` at its default: Adam's betas (0.9,
        0.999) play that role.

    Returns
    -------
    list of dict
        One dict per epoch trained, with ``epoch``, ``lr``, ``train_loss``,
        ``train_acc`` (measured during the epoch) and the validation/test
        entries.

    Notes
    -----
    The model trains in training mode and is evaluated in evaluation mode
    (:meth:`cnnbook.nn.Layer.eval`), so BatchNorm2d layers normalise the
    validation and test data with their running statistics.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(40, 1, 8, 8)); y = (x.mean(axis=(1, 2, 3)) > 0).astype(int)
    >>> history = fit(mlp(64, 16, 2, rng=rng), x, y, epochs=3, rng=rng)
    >>> len(history), sorted(history[0])
    (3, ['epoch', 'lr', 'train_acc', 'train_loss'])
    >>> history = fit(mlp(64, 16, 2, rng=rng), x[:30], y[:30], x_val=x[30:], y_val=y[30:],
    ...               epochs=3, restore_best=True, rng=rng)
    >>> sorted(history[0])
    ['epoch', 'lr', 'train_acc', 'train_loss', 'val_acc', 'val_loss']
    """
    rng = _check_rng(rng)
    if optimizer == "sgd":
        optimizer = SGD(model, lr=lr, momentum=momentum, weight_decay=weight_decay)
    elif optimizer == "adam":
        if momentum != 0.9:
            raise ValueError(f"momentum belongs to SGD; with optimizer='adam' leave it at its default "
                             f"(Adam's betas=(0.9, 0.999) play its role), got momentum={momentum!r}")
        optimizer = Adam(model, lr=lr, weight_decay=weight_decay)
    else:
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got optimizer={optimizer!r}")
    if not is_int(epochs) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got epochs={epochs!r}")
    if (x_val is None) != (y_val is None):
        raise ValueError("x_val and y_val must be given together, got only "
                         f"{'x_val' if y_val is None else 'y_val'}")
    if x_val is None and (restore_best or patience is not None):
        raise ValueError(f"restore_best={restore_best!r} and patience={patience!r} need validation data; "
                         "pass x_val and y_val")
    if patience is not None and (not is_int(patience) or patience < 1):
        raise ValueError(f"patience must be a positive int or None, got patience={patience!r}")
    history, best = [], None   # best: (val_loss, {name: parameter copy}, epoch, running statistics)
    for epoch in range(1, epochs + 1):
        if epoch - 1 in milestones:
            optimizer.lr /= 10
        loss, acc = train_epoch(model, optimizer, x_train, y_train, batch_size, rng=rng, progress=progress)
        row = dict(epoch=epoch, lr=optimizer.lr, train_loss=loss, train_acc=acc)
        if x_val is not None:
            row["val_loss"], row["val_acc"] = evaluate(model, x_val, y_val)
            if best is None or row["val_loss"] < best[0]:
                best = (row["val_loss"], {name: p.copy() for name, p, _ in model.parameters()}, epoch,
                        _running_statistics(model))
        if x_test is not None:
            row["test_loss"], row["test_acc"] = evaluate(model, x_test, y_test)
        history.append(row)
        if patience is not None and epoch - best[2] >= patience:
            break
    if restore_best:
        for name, p, _ in model.parameters():
            p[...] = best[1][name]       # in place: the optimizer and the layers keep the same arrays
        for layer, mean, var in best[3]:  # BatchNorm2d's running statistics belong to those weights
            layer.running_mean[...] = mean
            layer.running_var[...] = var
    return history


def _running_statistics(model):
    """Copies of every BatchNorm2d's running statistics: ``[(layer, mean, var), ...]``."""
    return [(layer, layer.running_mean.copy(), layer.running_var.copy())
            for layer in model.modules() if isinstance(layer, BatchNorm2d)]
