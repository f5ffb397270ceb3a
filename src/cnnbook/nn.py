"""Layers: thin objects around the functional core that remember what backward needs.

Every layer has

* ``forward(x)`` -- computes the output and keeps (caches) what the backward
  pass will need, so nothing is recomputed;
* ``backward(dout) -> dx`` -- given dL/d(output), fills ``grads`` with
  dL/d(parameter) and returns dL/d(input);
* ``params`` and ``grads`` -- dicts with the same keys (``'weight'``,
  ``'bias'``), empty for layers without parameters.

The arithmetic lives in :mod:`cnnbook.fast` (the fast path of the reference
in :mod:`cnnbook.conv`), :mod:`cnnbook.pool` and :mod:`cnnbook.losses`; a layer
only wires it up and keeps what backward needs in a named cache. Weights use PyTorch's
layouts: ``(K, C, KH, KW)`` for :class:`Conv2d`, ``(out_features, in_features)``
for :class:`Linear`.

Every layer is in training mode until :meth:`Layer.eval` (undone by
:meth:`Layer.train`); only :class:`BatchNorm2d` behaves differently in the two
modes. :class:`Sequential` and :class:`Residual` hold other layers and pass
the mode on to them.
"""

import math
from dataclasses import dataclass

import numpy as np

from .arch import layer_row
from ._validate import as_layer_input, check_bool, check_rng, is_int, pair, parse_padding, positive_int
from .fast import (
    avg_pool2d,
    avg_pool2d_backward,
    conv2d,
    conv2d_backward,
    conv2d_backward_core,
    conv2d_core,
    conv_transpose2d,
    max_pool2d_backward_core,
    max_pool2d_core,
)
from .geometry import ConvGeometry, pool_geometry, prepare_conv2d
from .losses import relu, relu_backward
from .norm import batch_norm2d, batch_norm2d_backward
from .pool import global_avg_pool2d, global_avg_pool2d_backward

__all__ = [
    "Layer",
    "Conv2d",
    "ConvTranspose2d",
    "MaxPool2d",
    "AvgPool2d",
    "ReLU",
    "Flatten",
    "Linear",
    "Sequential",
    "BatchNorm2d",
    "GlobalAvgPool2d",
    "Residual",
    "residual_block",
    "uniform_init",
    "init_normal",
]


def uniform_init(shape, fan_in, rng):
    """PyTorch's default initialisation for Conv2d and Linear weights and biases.

    Draws from ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, where ``fan_in`` is the
    number of inputs of one unit (``C*KH*KW`` for a conv filter,
    ``in_features`` for a linear unit).

    Parameters
    ----------
    shape : tuple of int
    fan_in : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of float64, shape ``shape``

    Notes
    -----
    PyTorch calls this ``kaiming_uniform_(w, a=sqrt(5))``: the He/Kaiming
    uniform rule ``bound = gain * sqrt(3 / fan_in)`` with the leaky-ReLU gain
    ``sqrt(2 / (1 + a**2)) = sqrt(1/3)``, which simplifies to ``1/sqrt(fan_in)``.
    The weights then have variance ``1 / (3 fan_in)``: small enough that the
    signal does not blow up through many layers, and the same numbers a
    PyTorch model would start from (up to the random draw).

    Examples
    --------
    >>> w = uniform_init((6, 1, 3, 3), fan_in=9, rng=np.random.default_rng(0))
    >>> w.shape, bool(np.abs(w).max() <= 1 / 3)
    ((6, 1, 3, 3), True)
    """
    bound = 1.0 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape)


class Layer:
    """Base class: no parameters, and a guard against backward before forward."""

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.cache = None  # set by forward, read by backward

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):  # pragma: no cover - every layer overrides it
        raise NotImplementedError

    def backward(self, dout):  # pragma: no cover - every layer overrides it
        raise NotImplementedError

    def _cached(self):
        if self.cache is None:
            raise RuntimeError(f"{self!r}: call forward before backward")
        return self.cache

    def parameters(self, prefix=""):
        """Yield ``(name, param, grad)`` for each parameter (the layer's own arrays)."""
        for key, p in self.params.items():
            yield prefix + key, p, self.grads[key]

    def zero_grad(self):
        """Set every gradient to zero (in place)."""
        for g in self.grads.values():
            g[...] = 0.0

    def num_params(self):
        """Number of learnable numbers in this layer."""
        return sum(p.size for p in self.params.values())

    def param_formula(self):
        """How :meth:`num_params` is computed, as text (``''`` without parameters)."""
        return ""

    # Training or evaluation mode. Only layers whose forward differs between
    # the two (BatchNorm2d) read it; a class attribute, so subclasses that do
    # not call Layer.__init__ still have it.
    training = True

    def children(self):
        """The layers directly inside this one (none for a plain layer)."""
        return []

    def modules(self):
        """Yield this layer and every layer inside it, in the order forward runs them."""
        yield self
        for child in self.children():
            yield from child.modules()

    def train(self, mode=True):
        """Put this layer and every layer inside it in training mode (``mode=False``: evaluation).

        Returns the layer, so ``net.train()`` can end a line that uses ``net``.
        """
        mode = check_bool(mode, "mode")
        for layer in self.modules():
            layer.training = mode
        return self

    def eval(self):
        """Evaluation mode: ``train(False)``. BatchNorm2d then uses its running statistics."""
        return self.train(False)


@dataclass
class ConvCache:
    """What :meth:`Conv2d.backward` needs from the forward pass."""

    x: np.ndarray          # (N, C, H, W), validated and in the compute dtype
    w: np.ndarray          # (K, C, KH, KW), the weights the forward pass used
    geom: ConvGeometry


@dataclass
class MaxPoolCache:
    """What :meth:`MaxPool2d.backward` needs: which input won each window."""

    argmax: np.ndarray     # (N, C, H_out, W_out), the winner's offset a*KW + b in its window
    x_shape: tuple         # (N, C, H, W)
    geom: ConvGeometry


class Conv2d(Layer):
    """A convolutional layer: K filters of shape (C, KH, KW), plus one bias each.

    Parameters
    ----------
    in_channels : int
        C, the depth of the input.
    out_channels : int
        K, the number of filters (= depth of the output).
    kernel_size : int or (int, int)
        (KH, KW); an int F means F x F.
    stride, dilation : int or (int, int), default 1
    padding : int, (int, int), 'valid' or 'same', default 0
    bias : bool, default True
    rng : numpy.random.Generator, optional
        For the initial weights (see :func:`uniform_init`); ``default_rng(0)`` if None.

    Attributes
    ----------
    params : dict
        ``'weight'`` shape (K, C, KH, KW) and ``'bias'`` shape (K,).
    grads : dict
        Same keys and shapes, filled by :meth:`backward`.

    Notes
    -----
    Parameter count: ``KH*KW*C*K + K`` (the book's ``F*F*D1*K + K``).

    :meth:`forward` keeps a reference to its input (not a copy) for
    :meth:`backward`: change that array in place in between and ``dw`` changes too.

    Examples
    --------
    >>> conv = Conv2d(3, 6, 5, rng=np.random.default_rng(0))
    >>> conv.params['weight'].shape, conv.num_params()
    ((6, 3, 5, 5), 456)
    >>> out = conv.forward(np.zeros((2, 3, 32, 32)))
    >>> out.shape
    (2, 6, 28, 28)
    >>> conv.backward(np.ones_like(out)).shape
    (2, 3, 32, 32)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 *, bias=True, rng=None):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels")
        self.out_channels = positive_int(out_channels, "out_channels")
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.dilation = pair(dilation, "dilation")
        self.padding = padding if isinstance(padding, str) else pair(padding, "padding", minimum=0)
        parse_padding(self.padding, self.kernel_size, self.dilation, self.stride)  # raises early if invalid
        rng = check_rng(rng)
        KH, KW = self.kernel_size
        C, K = self.in_channels, self.out_channels
        fan_in = C * KH * KW
        self.params["weight"] = uniform_init((K, C, KH, KW), fan_in, rng)
        self.grads["weight"] = np.zeros((K, C, KH, KW))
        if bias:
            self.params["bias"] = uniform_init((K,), fan_in, rng)
            self.grads["bias"] = np.zeros(K)

    def __repr__(self):
        extra = ""
        if self.stride != (1, 1):
            extra += f", stride={self.stride[0] if self.stride[0] == self.stride[1] else self.stride}"
        if self.padding not in ((0, 0), "valid"):
            p = self.padding
            extra += f", padding={p if isinstance(p, str) or p[0] != p[1] else p[0]}"
        if self.dilation != (1, 1):
            extra += f", dilation={self.dilation}"
        k = self.kernel_size
        k = k[0] if k[0] == k[1] else k
        return f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={k}{extra})"

    def forward(self, x):
        """x : (N, C, H, W) -> out : (N, K, H_out, W_out)."""
        x = as_layer_input(x, 4, "(N, C, H, W)", repr(self))
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f"{self!r} expects in_channels={self.in_channels} input channels, "
                f"got x.shape={x.shape} with C={x.shape[1]}"
            )
        x, w, b, geom = prepare_conv2d(
            x, self.params["weight"], self.params.get("bias"), self.stride, self.padding, self.dilation
        )
        out = conv2d_core(x, w, b, geom)
        # Keep the input, validated and in the compute dtype. Backward rebuilds the
        # im2col matrix from it a few images at a time, while they are in cache:
        # that is faster than keeping the whole matrix, C*KH*KW times larger than x,
        # and reading it back from main memory (benchmarks/README.md).
        self.cache = ConvCache(x=x, w=w, geom=geom)
        return out

    def backward(self, dout):
        """dout : (N, K, H_out, W_out) -> dx : (N, C, H, W); fills grads."""
        cache = self._cached()
        x, w, geom = cache.x, cache.w, cache.geom
        expected = (x.shape[0], self.out_channels, *geom.out_hw)
        dout = np.asarray(dout, dtype=x.dtype)
        if dout.shape != expected:
            raise ValueError(f"{self!r}.backward expects dout.shape={expected}, got dout.shape={dout.shape}")
        dx, dw, db = conv2d_backward_core(dout, x, w, geom)
        self.grads["weight"][...] = dw  # in place: optimisers may hold the array
        if "bias" in self.params:
            self.grads["bias"][...] = db
        return dx

    def param_formula(self):
        KH, KW = self.kernel_size
        C, K = self.in_channels, self.out_channels
        return f"{KH}*{KW}*{C}*{K}" + (f" + {K}" if "bias" in self.params else "")


@dataclass
class ConvTransposeCache:
    """What :meth:`ConvTranspose2d.backward` needs: the layer's input."""

    x: np.ndarray


class ConvTranspose2d(Layer):
    """A transposed convolution as a layer: learnable upsampling.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int, default 1
    padding, output_padding : int, default 0
    bias : bool, default True
    rng : numpy.random.Generator, optional
        For the initial weights; ``default_rng(0)`` if None.

    Attributes
    ----------
    params : dict
        ``'weight'`` shape (C_in, C_out, KH, KW), PyTorch's layout, and ``'bias'`` shape (C_out,).

    Notes
    -----
    The forward pass is ``conv_transpose2d(x, w)``, the input gradient of
    ``conv2d`` with the same weights. Read backwards, the backward pass is a
    convolution: ``dx = conv2d(dout, w, stride, padding)``, and ``dw`` is the
    weight gradient of that convolution with ``x`` as its upstream gradient,
    ``conv2d_backward(x, dout, w)[1]``.

    Examples
    --------
    >>> up = ConvTranspose2d(4, 2, 4, stride=2, padding=1, rng=np.random.default_rng(0))
    >>> out = up.forward(np.zeros((3, 4, 5, 5)))
    >>> out.shape, up.backward(np.ones_like(out)).shape
    ((3, 2, 10, 10), (3, 4, 5, 5))
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 *, bias=True, rng=None):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels")
        self.out_channels = positive_int(out_channels, "out_channels")
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = positive_int(stride, "stride")
        for name, value in (("padding", padding), ("output_padding", output_padding)):
            if not is_int(value) or value < 0:
                raise ValueError(f"{name} must be a non-negative int, got {name}={value!r}")
        if output_padding >= self.stride:
            raise ValueError(f"output_padding must be smaller than stride={self.stride}, "
                             f"got output_padding={output_padding}")
        self.padding, self.output_padding = int(padding), int(output_padding)
        rng = check_rng(rng)
        KH, KW = self.kernel_size
        fan_in = self.out_channels * KH * KW   # PyTorch's choice for ConvTranspose2d
        self.params["weight"] = uniform_init((self.in_channels, self.out_channels, KH, KW), fan_in, rng)
        self.grads["weight"] = np.zeros_like(self.params["weight"])
        if bias:
            self.params["bias"] = uniform_init((self.out_channels,), fan_in, rng)
            self.grads["bias"] = np.zeros(self.out_channels)

    def __repr__(self):
        k = self.kernel_size[0] if self.kernel_size[0] == self.kernel_size[1] else self.kernel_size
        return (f"ConvTranspose2d({self.in_channels}, {self.out_channels}, kernel_size={k}, "
                f"stride={self.stride}, padding={self.padding}, output_padding={self.output_padding})")

    def forward(self, x):
        """x : (N, C_in, H, W) -> out : (N, C_out, H_out, W_out)."""
        x = as_layer_input(x, 4, "(N, C, H, W)", repr(self))
        if x.shape[1] != self.in_channels:
            raise ValueError(f"{self!r} expects {self.in_channels} input channels, got x.shape={x.shape}")
        self.cache = ConvTransposeCache(x=x)
        return conv_transpose2d(x, self.params["weight"], self.params.get("bias"), self.stride,
                                self.padding, self.output_padding)

    def backward(self, dout):
        """dout : (N, C_out, H_out, W_out) -> dx : (N, C_in, H, W); fills grads."""
        x = self._cached().x
        w = self.params["weight"]                                  # (C_in, C_out, KH, KW) = conv's (K, C, ..)
        dx = conv2d(dout, w, stride=self.stride, padding=self.padding)          # (N, C_in, H, W)
        # x is the upstream gradient of that convolution of dout: its dw is ours
        _, dw, _ = conv2d_backward(x, dout, w, stride=self.stride, padding=self.padding)
        self.grads["weight"][...] = dw
        if "bias" in self.params:
            self.grads["bias"][...] = dout.sum(axis=(0, 2, 3))
        return dx

    def param_formula(self):
        KH, KW = self.kernel_size
        return f"{self.in_channels}*{self.out_channels}*{KH}*{KW}" + (
            f" + {self.out_channels}" if "bias" in self.params else "")


class _Pool2d(Layer):
    """Shared code of the pooling layers: settings, validation and repr."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else pair(stride, "stride")
        self.padding = pair(padding, "padding", minimum=0)
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")

    def _settings(self):
        return dict(kernel_size=self.kernel_size, stride=self.stride, padding=self.padding,
                    ceil_mode=self.ceil_mode)

    def __repr__(self):
        def short(p):
            return p[0] if p[0] == p[1] else p

        extra = f", stride={short(self.stride)}" if self.stride != self.kernel_size else ""
        extra += f", padding={short(self.padding)}" if self.padding != (0, 0) else ""
        extra += ", ceil_mode=True" if self.ceil_mode else ""
        return f"{type(self).__name__}(kernel_size={short(self.kernel_size)}{extra})"



class MaxPool2d(_Pool2d):
    """Max pooling over KH x KW windows of every channel separately.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int), default 0
        Padding with -inf, so it never wins the max.
    ceil_mode : bool, default False

    Notes
    -----
    The backward pass routes each gradient to the input that was the maximum
    of its window; all other inputs get zero.

    Examples
    --------
    >>> pool = MaxPool2d(2)
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> pool.forward(x)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    >>> pool.backward(np.ones((1, 1, 2, 2)))[0, 0]
    array([[0., 0., 0., 0.],
           [0., 1., 0., 1.],
           [0., 0., 0., 0.],
           [0., 1., 0., 1.]])
    """

    def forward(self, x):
        """x : (N, C, H, W) -> out : (N, C, H_out, W_out)."""
        x = as_layer_input(x, 4, "(N, C, H, W)", repr(self))
        x, geom = pool_geometry(x, **self._settings())
        out, argmax = max_pool2d_core(x, geom)
        # Backward only needs to know which input won each window.
        self.cache = MaxPoolCache(argmax=argmax, x_shape=x.shape, geom=geom)
        return out

    def backward(self, dout):
        """dout : (N, C, H_out, W_out) -> dx : (N, C, H, W)."""
        cache = self._cached()
        dout = np.asarray(dout, dtype=np.result_type(dout, np.float32))
        if dout.shape != cache.argmax.shape:
            raise ValueError(f"{self!r}.backward expects dout.shape={cache.argmax.shape}, got dout.shape={dout.shape}")
        return max_pool2d_backward_core(dout, cache.argmax, cache.x_shape, cache.geom)


class AvgPool2d(_Pool2d):
    """Average pooling over KH x KW windows of every channel separately.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0
    ceil_mode : bool, default False
    count_include_pad : bool, default True
        Whether padded zeros count in the divisor (PyTorch's default).

    Examples
    --------
    >>> pool = AvgPool2d(2)
    >>> pool.forward(np.arange(16.0).reshape(1, 1, 4, 4))[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> pool.backward(np.ones((1, 1, 2, 2)))[0, 0, 0]
    array([0.25, 0.25, 0.25, 0.25])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = check_bool(count_include_pad, "count_include_pad")

    def _settings(self):
        return dict(super()._settings(), count_include_pad=self.count_include_pad)

    def forward(self, x):
        """x : (N, C, H, W) -> out : (N, C, H_out, W_out)."""
        x = as_layer_input(x, 4, "(N, C, H, W)", repr(self))
        self.cache = x  # backward needs only x's shape, but the functional API takes x
        return avg_pool2d(x, **self._settings())

    def backward(self, dout):
        """dout : (N, C, H_out, W_out) -> dx : (N, C, H, W)."""
        return avg_pool2d_backward(dout, self._cached(), **self._settings())


class ReLU(Layer):
    """Elementwise ``max(0, x)``; its gradient passes where ``x > 0``.

    Examples
    --------
    >>> act = ReLU()
    >>> act.forward(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    >>> act.backward(np.array([5.0, 5.0, 5.0]))
    array([0., 0., 5.])
    """

    def __repr__(self):
        return "ReLU()"

    def forward(self, x):
        """x : any shape -> same shape."""
        x = np.asarray(x)
        self.cache = x
        return relu(x)

    def backward(self, dout):
        return relu_backward(dout, self._cached())


class Flatten(Layer):
    """Reshape (N, C, H, W) feature maps into (N, C*H*W) vectors for a Linear layer.

    Examples
    --------
    >>> flat = Flatten()
    >>> flat.forward(np.zeros((2, 16, 5, 5))).shape
    (2, 400)
    >>> flat.backward(np.zeros((2, 400))).shape
    (2, 16, 5, 5)
    """

    def __repr__(self):
        return "Flatten()"

    def forward(self, x):
        """x : (N, ...) -> (N, prod(...))."""
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"Flatten expects a batch x of shape (N, ...), got x.shape={x.shape}")
        self.cache = x.shape
        return x.reshape(x.shape[0], -1)  # (N, C*H*W)

    def backward(self, dout):
        return np.reshape(dout, self._cached())  # (N, C, H, W)


class Linear(Layer):
    """A fully connected layer: ``out = x @ W.T + b``.

    Parameters
    ----------
    in_features : int
    out_features : int
    bias : bool, default True
    rng : numpy.random.Generator, optional
        For the initial weights (see :func:`uniform_init`); ``default_rng(0)`` if None.

    Attributes
    ----------
    params : dict
        ``'weight'`` shape (out_features, in_features), as in PyTorch, and
        ``'bias'`` shape (out_features,).

    Notes
    -----
    Parameter count: ``in_features*out_features + out_features``.

    Examples
    --------
    >>> fc = Linear(400, 120, rng=np.random.default_rng(0))
    >>> fc.params['weight'].shape, fc.num_params()
    ((120, 400), 48120)
    >>> fc.forward(np.zeros((2, 400))).shape
    (2, 120)
    """

    def __init__(self, in_features, out_features, *, bias=True, rng=None):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features")
        self.out_features = positive_int(out_features, "out_features")
        rng = check_rng(rng)
        shape = (self.out_features, self.in_features)
        self.params["weight"] = uniform_init(shape, self.in_features, rng)
        self.grads["weight"] = np.zeros(shape)
        if bias:
            self.params["bias"] = uniform_init((self.out_features,), self.in_features, rng)
            self.grads["bias"] = np.zeros(self.out_features)

    def __repr__(self):
        return f"Linear({self.in_features}, {self.out_features})"

    def forward(self, x):
        """x : (N, in_features) -> out : (N, out_features)."""
        x = as_layer_input(x, 2, "(N, in_features)", repr(self))
        if x.shape[1] != self.in_features:
            hint = " (did you forget a Flatten layer?)" if x.ndim != 2 else ""
            raise ValueError(
                f"{self!r} expects in_features={self.in_features}, got x.shape={x.shape} "
                f"with {x.shape[1]} features{hint}"
            )
        self.cache = x
        out = x @ self.params["weight"].T  # (N, out_features)
        if "bias" in self.params:
            out = out + self.params["bias"]
        return out

    def backward(self, dout):
        """dout : (N, out_features) -> dx : (N, in_features); fills grads."""
        x = self._cached()
        dout = np.asarray(dout, dtype=x.dtype)
        if dout.shape != (x.shape[0], self.out_features):
            raise ValueError(
                f"{self!r}.backward expects dout.shape={(x.shape[0], self.out_features)}, "
                f"got dout.shape={dout.shape}"
            )
        self.grads["weight"][...] = dout.T @ x  # (out_features, in_features)
        if "bias" in self.params:
            self.grads["bias"][...] = dout.sum(axis=0)  # (out_features,)
        return dout @ self.params["weight"]  # (N, in_features)

    def param_formula(self):
        formula = f"{self.in_features}*{self.out_features}"
        return formula + (f" + {self.out_features}" if "bias" in self.params else "")


class GlobalAvgPool2d(Layer):
    """Global average pooling: the mean of each feature map, (N, C, H, W) -> (N, C).

    The layer form of :func:`cnnbook.global_avg_pool2d`. (PyTorch's
    ``AdaptiveAvgPool2d(1)`` gives the same numbers with two more axes,
    (N, C, 1, 1); a Flatten after either gives (N, C).)

    Examples
    --------
    >>> gap = GlobalAvgPool2d()
    >>> gap.forward(np.arange(8.0).reshape(1, 2, 2, 2))
    array([[1.5, 5.5]])
    >>> gap.backward(np.ones((1, 2))).shape
    (1, 2, 2, 2)
    """

    def __repr__(self):
        return "GlobalAvgPool2d()"

    def forward(self, x):
        """x : (N, C, H, W) -> out : (N, C)."""
        x = as_layer_input(x, 4, "(N, C, H, W)", repr(self))
        self.cache = x  # backward needs only x's shape and dtype
        return global_avg_pool2d(x)

    def backward(self, dout):
        """dout : (N, C) -> dx : (N, C, H, W)."""
        return global_avg_pool2d_backward(dout, self._cached())


@dataclass
class BatchNormCache:
    """What :meth:`BatchNorm2d.backward` needs from the forward pass."""

    x: np.ndarray            # (N, C, H, W), the input
    gamma: np.ndarray        # (C,), the scale the forward pass used
    mean: np.ndarray | None  # (C,) running mean in evaluation mode; None: batch statistics
    var: np.ndarray | None   # (C,) running variance in evaluation mode


class BatchNorm2d(Layer):
    """Batch normalisation of each of ``num_features`` channels (see :mod:`cnnbook.norm`).

    In training mode (:meth:`train`, the default) the layer normalises with
    the batch's statistics and updates its running averages as PyTorch does::

        running_mean = (1 - momentum) * running_mean + momentum * batch_mean
        running_var  = (1 - momentum) * running_var  + momentum * batch_var_unbiased

    (the unbiased variance divides by N*H*W - 1). In evaluation mode
    (:meth:`eval`) it normalises with the running averages instead, so an
    example's output no longer depends on the rest of its batch.

    Parameters
    ----------
    num_features : int
        C, the number of channels of the input.
    eps : float, default 1e-5
    momentum : float, default 0.1
        In (0, 1]: the weight of the newest batch in the running averages.

    Attributes
    ----------
    params : dict
        ``'weight'`` (gamma, ones) and ``'bias'`` (beta, zeros), shape (C,).
    grads : dict
        Same keys and shapes, filled by :meth:`backward`.
    running_mean, running_var : ndarray, shape (C,)
        Start at zeros and ones; not learned by gradient descent.
    num_batches_tracked : int
        Training-mode forward passes so far; evaluation needs at least one.
    training : bool

    Notes
    -----
    Parameter count: ``2*C`` (a scale and a shift per channel). The running
    statistics are not parameters: no optimiser touches them.

    Examples
    --------
    >>> bn = BatchNorm2d(3)
    >>> x = np.random.default_rng(0).normal(2.0, 5.0, size=(8, 3, 4, 4))
    >>> out = bn.forward(x)
    >>> np.round(out.mean(axis=(0, 2, 3)), 6) + 0.0, np.round(out.std(axis=(0, 2, 3)), 3)
    (array([0., 0., 0.]), array([1., 1., 1.]))
    >>> np.allclose(bn.running_mean, 0.9 * 0 + 0.1 * x.mean(axis=(0, 2, 3)))
    True
    >>> bn.eval().forward(x).shape
    (8, 3, 4, 4)
    """

    def __init__(self, num_features, *, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features = C = positive_int(num_features, "num_features")
        if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not eps > 0:
            raise ValueError(f"eps must be a positive number, got eps={eps!r}")
        if (isinstance(momentum, bool) or not isinstance(momentum, (int, float, np.floating))
                or not 0 < momentum <= 1):
            raise ValueError(f"momentum must be a number in (0, 1] (PyTorch's default is 0.1), "
                             f"got momentum={momentum!r}")
        self.eps, self.momentum = float(eps), float(momentum)
        self.params["weight"] = np.ones(C)
        self.grads["weight"] = np.zeros(C)
        self.params["bias"] = np.zeros(C)
        self.grads["bias"] = np.zeros(C)
        self.running_mean = np.zeros(C)
        self.running_var = np.ones(C)
        self.num_batches_tracked = 0

    def __repr__(self):
        extra = "" if self.eps == 1e-5 else f", eps={self.eps:g}"
        extra += "" if self.momentum == 0.1 else f", momentum={self.momentum:g}"
        return f"BatchNorm2d({self.num_features}{extra})"

    def forward(self, x):
        """x : (N, C, H, W) -> out : (N, C, H, W)."""
        x = as_layer_input(x, 4, "(N, C, H, W)", repr(self))
        N, C, H, W = x.shape
        if C != self.num_features:
            raise ValueError(f"{self!r} expects num_features={self.num_features} channels, "
                             f"got x.shape={x.shape} with C={C}")
        gamma, beta = self.params["weight"], self.params["bias"]
        if not self.training:
            if self.num_batches_tracked == 0:
                raise ValueError(
                    f"{self!r} is in evaluation mode but its running statistics were never "
                    "estimated: run some training-mode forward passes first (model.train(), "
                    "then forward on training batches), or set running_mean, running_var and "
                    "num_batches_tracked yourself")
            self.cache = BatchNormCache(x=x, gamma=gamma, mean=self.running_mean, var=self.running_var)
            return batch_norm2d(x, gamma, beta, eps=self.eps, mean=self.running_mean, var=self.running_var)
        M = N * H * W
        if M < 2:
            raise ValueError(f"{self!r} in training mode needs more than one value per channel "
                             f"(N*H*W > 1) to estimate a variance, got x.shape={x.shape}")
        mean = x.mean(axis=(0, 2, 3))                           # (C,)
        var_unbiased = x.var(axis=(0, 2, 3), ddof=1)            # (C,)
        m = self.momentum
        self.running_mean *= 1 - m                              # in place: others may hold the arrays
        self.running_mean += m * mean
        self.running_var *= 1 - m
        self.running_var += m * var_unbiased
        self.num_batches_tracked += 1
        self.cache = BatchNormCache(x=x, gamma=gamma, mean=None, var=None)
        return batch_norm2d(x, gamma, beta, eps=self.eps)

    def backward(self, dout):
        """dout : (N, C, H, W) -> dx : (N, C, H, W); fills grads."""
        cache = self._cached()
        dout = np.asarray(dout, dtype=cache.x.dtype)
        if dout.shape != cache.x.shape:
            raise ValueError(f"{self!r}.backward expects dout.shape={cache.x.shape}, got dout.shape={dout.shape}")
        dx, dgamma, dbeta = batch_norm2d_backward(dout, cache.x, cache.gamma, eps=self.eps,
                                                  mean=cache.mean, var=cache.var)
        self.grads["weight"][...] = dgamma
        self.grads["bias"][...] = dbeta
        return dx

    def param_formula(self):
        return f"2*{self.num_features}"


class Sequential(Layer):
    """Layers applied one after another; backward runs them in reverse.

    Parameters
    ----------
    *layers : Layer

    Attributes
    ----------
    layers : list of Layer
    params, grads : dict
        Every layer's parameters under names like ``'0.weight'`` (layer index,
        then key). The arrays are the layers' own, not copies.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> net = Sequential(Conv2d(1, 2, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2),
    ...                  Flatten(), Linear(2 * 4 * 4, 10, rng=rng))
    >>> net.forward(np.zeros((5, 1, 8, 8))).shape
    (5, 10)
    >>> net.backward(np.ones((5, 10))).shape
    (5, 1, 8, 8)
    >>> net.num_params()
    350
    """

    def __init__(self, *layers):
        # No Layer.__init__: params and grads are derived from the layers below.
        self.cache = None
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential takes Layer objects, got layers[{i}]={layer!r}")
        self.layers = list(layers)

    @property
    def params(self):
        return {name: p for name, p, _ in self.parameters()}

    @property
    def grads(self):
        return {name: g for name, _, g in self.parameters()}

    def parameters(self, prefix=""):
        """Yield ``(name, param, grad)`` for every parameter, e.g. ``('0.weight', w, dw)``.

        ``param`` and ``grad`` are the layers' own arrays: updating them in
        place (``param -= lr * grad``) updates the model.
        """
        for i, layer in enumerate(self.layers):
            yield from layer.parameters(prefix=f"{prefix}{i}.")

    def zero_grad(self):
        for layer in self.layers:
            layer.zero_grad()

    def children(self):
        return list(self.layers)

    def __repr__(self):
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def forward(self, x):
        """Run every layer; errors name the layer that rejected its input."""
        for i, layer in enumerate(self.layers):
            try:
                x = layer.forward(x)
            except (ValueError, TypeError) as err:
                raise type(err)(f"layer {i} ({layer!r}): {err}") from err
        return x

    def backward(self, dout):
        """Backpropagate ``dout`` = dL/d(output) through every layer, last first."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def num_params(self):
        return sum(layer.num_params() for layer in self.layers)

    def _output_shapes(self, input_shape):
        """Each layer's output shape (no batch axis) for one example of ``input_shape``."""
        shapes, shape = [], tuple(input_shape)
        for i, layer in enumerate(self.layers):
            try:
                if isinstance(layer, Sequential):
                    shape = layer._output_shapes(shape)[-1] if layer.layers else shape
                elif isinstance(layer, Residual):
                    shape = layer._output_shape(shape)
                elif (row := layer_row(layer, shape)) is not None:
                    shape = row["shape"]
                else:  # no formula for this layer: run it once, then put its cache back
                    saved = layer.cache
                    try:
                        shape = tuple(layer.forward(np.zeros((1, *shape))).shape[1:])
                    finally:
                        layer.cache = saved
            except (ValueError, TypeError) as err:
                raise type(err)(f"layer {i} ({layer!r}): {err}") from err
            shapes.append(shape)
        return shapes

    def summary(self, input_shape, *, show=True):
        """A table of every layer's output shape and parameter count.

        The shapes come from the output-size formulas (:func:`cnnbook.arch.layer_row`),
        with no forward pass. A layer with no formula there (your own
        :class:`Layer`) is run once on a zero input of its input shape instead,
        and its cache is restored, so a pending backward is not disturbed.

        Parameters
        ----------
        input_shape : tuple of int
            One example's shape without the batch axis, e.g. ``(1, 8, 8)``.
        show : bool, default True
            Also print the table. (In a notebook end the line with ``;`` so
            the returned string is not shown a second time.)

        Returns
        -------
        str
            The table, one row per layer and a total.

        Examples
        --------
        >>> net = Sequential(Conv2d(3, 6, 5), ReLU(), MaxPool2d(2), Flatten(), Linear(6 * 14 * 14, 10))
        >>> _ = net.summary((3, 32, 32))
        #  layer                        output shape  params  formula
        0  Conv2d(3, 6, kernel_size=5)  (6, 28, 28)      456  5*5*3*6 + 6
        1  ReLU()                       (6, 28, 28)        0
        2  MaxPool2d(kernel_size=2)     (6, 14, 14)        0
        3  Flatten()                    (1176,)            0
        4  Linear(1176, 10)             (10,)          11770  1176*10 + 10
        total parameters: 12226
        """
        input_shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else input_shape
        if not isinstance(input_shape, tuple) or not all(is_int(n) and n > 0 for n in input_shape):
            raise TypeError(
                f"input_shape must be a tuple of positive ints without the batch axis, "
                f"e.g. (1, 8, 8), got input_shape={input_shape!r}"
            )
        # " ".join(...split()): a multi-line repr (a nested Sequential) stays on its row
        rows = [(str(i), " ".join(repr(layer).split()), str(shape), str(layer.num_params()), layer.param_formula())
                for i, (layer, shape) in enumerate(zip(self.layers, self._output_shapes(input_shape)))]
        header = ("#", "layer", "output shape", "params", "formula")
        widths = [max(len(r[j]) for r in rows + [header]) for j in range(5)]

        def fmt(r):
            return (f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  "
                    f"{r[3]:>{widths[3]}}  {r[4]}").rstrip()

        lines = [fmt(header)] + [fmt(r) for r in rows] + [f"total parameters: {self.num_params()}"]
        table = "\n".join(lines)
        if show:
            print(table)
        return table


class Residual(Layer):
    """A residual connection: ``body(x) + x``, or ``body(x) + shortcut(x)``.

    Parameters
    ----------
    body : Layer
        The branch that learns the change (the residual), usually a Sequential.
    shortcut : Layer, optional
        None for the identity; a layer (usually a 1 x 1 Conv2d and a
        BatchNorm2d) when the body changes the number of channels or the size.

    Notes
    -----
    The backward pass sends ``dout`` through both paths and adds what they
    return: ``dx = body.backward(dout) + dout`` for the identity. The ``+ dout``
    term reaches the input unchanged however deep the body is, which is why a
    stack of residual blocks still trains when a plain stack of the same
    depth does not.

    Parameter names are ``'body.'`` and ``'shortcut.'`` followed by the
    branch's own names.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> block = Residual(Sequential(Conv2d(4, 4, 3, padding=1, rng=rng), ReLU()))
    >>> x = rng.normal(size=(2, 4, 5, 5))
    >>> block.forward(x).shape
    (2, 4, 5, 5)
    >>> block.backward(np.ones((2, 4, 5, 5))).shape
    (2, 4, 5, 5)
    >>> [name for name, _, _ in block.parameters()]
    ['body.0.weight', 'body.0.bias']
    """

    def __init__(self, body, shortcut=None):
        super().__init__()
        if not isinstance(body, Layer):
            raise TypeError(f"body must be a Layer (e.g. a Sequential), got body={body!r}")
        if shortcut is not None and not isinstance(shortcut, Layer):
            raise TypeError(f"shortcut must be a Layer or None (the identity), got shortcut={shortcut!r}")
        self.body, self.shortcut = body, shortcut

    @property
    def params(self):
        return {name: p for name, p, _ in self.parameters()}

    @params.setter
    def params(self, value):  # Layer.__init__ sets it; the branches own the arrays
        pass

    @property
    def grads(self):
        return {name: g for name, _, g in self.parameters()}

    @grads.setter
    def grads(self, value):
        pass

    def children(self):
        return [self.body] + ([] if self.shortcut is None else [self.shortcut])

    def parameters(self, prefix=""):
        yield from self.body.parameters(prefix=f"{prefix}body.")
        if self.shortcut is not None:
            yield from self.shortcut.parameters(prefix=f"{prefix}shortcut.")

    def zero_grad(self):
        for branch in self.children():
            branch.zero_grad()

    def num_params(self):
        return sum(branch.num_params() for branch in self.children())

    def __repr__(self):
        def indent(layer):
            return repr(layer).replace("\n", "\n  ")

        shortcut = "" if self.shortcut is None else f"\n  shortcut={indent(self.shortcut)}"
        return f"Residual(\n  body={indent(self.body)}{shortcut}\n)"

    def _mismatch(self, body_shape, skip_shape, what):
        hint = ("; pass shortcut=Sequential(Conv2d(C_in, C_out, 1, stride=s), BatchNorm2d(C_out)), "
                "a 1x1 projection, to match them" if self.shortcut is None else "")
        return ValueError(f"Residual: the body's output shape {body_shape} differs from the "
                          f"{what} shape {skip_shape}, so they cannot be added{hint}")

    def forward(self, x):
        """x : (N, C, H, W) -> body(x) + shortcut(x), the body's output shape."""
        x = np.asarray(x)
        out = self.body.forward(x)
        skip = x if self.shortcut is None else self.shortcut.forward(x)
        if out.shape != skip.shape:
            raise self._mismatch(out.shape, skip.shape, "input" if self.shortcut is None else "shortcut's output")
        self.cache = out.shape  # the branches keep what their backward needs; this checks dout
        return out + skip

    def backward(self, dout):
        """dout : the output's shape -> dx : the input's shape; fills the branches' grads."""
        out_shape = self._cached()
        dout = np.asarray(dout)
        if dout.shape != out_shape:
            raise ValueError(f"Residual.backward expects dout.shape={out_shape}, got dout.shape={dout.shape}")
        dx = self.body.backward(dout)
        return dx + (dout if self.shortcut is None else self.shortcut.backward(dout))

    def _output_shape(self, input_shape):
        """The output shape (no batch axis) for one example, from the branches' formulas."""
        def through(branch):
            return Sequential(branch)._output_shapes(input_shape)[-1]

        body_shape = through(self.body)
        skip_shape = tuple(input_shape) if self.shortcut is None else through(self.shortcut)
        if body_shape != skip_shape:
            raise self._mismatch(body_shape, skip_shape, "input" if self.shortcut is None else "shortcut's output")
        return body_shape


def residual_block(in_channels, out_channels, *, stride=1, rng=None):
    """The basic block of ResNet-18/34 (He et al., 2016), with ReLU after the addition.

    conv 3x3 (stride s) -> BN -> ReLU -> conv 3x3 -> BN, plus the shortcut,
    then ReLU. The shortcut is the identity when the shape does not change,
    else a 1 x 1 conv with stride s and a BN (the "projection shortcut").
    The convolutions have no bias: the BatchNorm2d after each one subtracts
    the mean of its channel, a bias with it, and adds its own ``beta``.

    Parameters
    ----------
    in_channels, out_channels : int
    stride : int, default 1
        2 halves the height and width (in the first conv and the shortcut).
    rng : numpy.random.Generator, optional
        For the initial weights; ``default_rng(0)`` if None.

    Returns
    -------
    Sequential
        ``Sequential(Residual(body, shortcut), ReLU())``.

    Examples
    --------
    >>> block = residual_block(8, 16, stride=2, rng=np.random.default_rng(0))
    >>> block.forward(np.zeros((2, 8, 8, 8))).shape
    (2, 16, 4, 4)
    >>> block.num_params()   # 3*3*8*16 + 2*16 + 3*3*16*16 + 2*16 + 1*1*8*16 + 2*16
    3680
    """
    C_in = positive_int(in_channels, "in_channels")
    C_out = positive_int(out_channels, "out_channels")
    s = positive_int(stride, "stride")
    rng = check_rng(rng)
    body = Sequential(
        Conv2d(C_in, C_out, 3, stride=s, padding=1, bias=False, rng=rng), BatchNorm2d(C_out), ReLU(),
        Conv2d(C_out, C_out, 3, padding=1, bias=False, rng=rng), BatchNorm2d(C_out),
    )
    shortcut = None
    if s != 1 or C_in != C_out:
        shortcut = Sequential(Conv2d(C_in, C_out, 1, stride=s, bias=False, rng=rng), BatchNorm2d(C_out))
    return Sequential(Residual(body, shortcut), ReLU())


def init_normal(model, *, gain=None, std=None, rng):
    """Draw every Conv2d and Linear weight from N(0, std^2); set their biases to 0.

    Parameters
    ----------
    model : Layer
        Every Conv2d and Linear inside it is re-initialised (BatchNorm2d keeps
        its ones and zeros).
    gain : float, optional
        ``std = gain / sqrt(fan_in)`` per layer, with ``fan_in = C*KH*KW`` for
        a conv and ``in_features`` for a linear layer. ``sqrt(2)`` is He
        (Kaiming) initialisation, made for ReLU, which zeroes half of its
        input; ``1`` is LeCun's.
    std : float, optional
        The same standard deviation for every layer instead.
    rng : numpy.random.Generator

    Give exactly one of ``gain`` and ``std``.

    Returns
    -------
    Layer
        ``model`` itself, changed in place.

    Notes
    -----
    Why ``sqrt(2 / fan_in)``: a unit's output sums ``fan_in`` products, so
    its variance is ``fan_in * Var(w) * E[x^2]``; after a ReLU ``E[x^2]`` is
    half the variance of the pre-activation. Keeping the variance equal from
    layer to layer needs ``fan_in * Var(w) / 2 = 1``.

    Examples
    --------
    >>> net = Sequential(Conv2d(16, 32, 3), ReLU(), Flatten(), Linear(32, 10))
    >>> _ = init_normal(net, gain=np.sqrt(2), rng=np.random.default_rng(0))
    >>> round(float(net[0].params['weight'].std()), 3), round(float(np.sqrt(2 / (16 * 9))), 3)
    (0.118, 0.118)
    >>> float(np.abs(net[0].params['bias']).max())
    0.0
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a Layer, got model={model!r}")
    if (gain is None) == (std is None):
        raise ValueError(f"give exactly one of gain (std = gain/sqrt(fan_in); sqrt(2) is He) and std, "
                         f"got gain={gain!r}, std={std!r}")
    for name, value in (("gain", gain), ("std", std)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, np.number))
                                  or not (np.isfinite(value) and value > 0)):
            raise ValueError(f"{name} must be a positive number, got {name}={value!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)), got rng={rng!r}")
    for layer in model.modules():
        if not isinstance(layer, (Conv2d, Linear)):
            continue
        w = layer.params["weight"]
        fan_in = w[0].size  # C*KH*KW for a conv filter, in_features for a linear unit
        scale = std if std is not None else gain / math.sqrt(fan_in)
        w[...] = rng.normal(0.0, scale, size=w.shape)  # in place: optimisers may hold the array
        if "bias" in layer.params:
            layer.params["bias"][...] = 0.0
    return model
