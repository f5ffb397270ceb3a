"""Arithmetic of whole networks: shapes, parameters and multiply-adds, window coverage.

* :func:`trace_layers` -- shapes, parameters and multiply-adds of a stack of
  layers, computed from the output-size formulas (no forward pass, so it works
  for networks far too big to build in numpy, such as VGG-16);
* :func:`layer_costs` -- the same table for a :class:`cnnbook.nn.Sequential`,
  built from :func:`layer_row`, the row of one layer (which
  :meth:`cnnbook.nn.Sequential.summary` also uses);
* :func:`coverage_counts` -- how many windows read each input pixel.

Everything comes from :func:`cnnbook.conv_output_size` and
:func:`cnnbook.pool_output_size`; the figures of :mod:`cnnbook.plots.architectures`
draw these numbers.
"""

import numpy as np

from ._validate import is_int, pair
from .shapes import conv_output_size, pool_output_size

__all__ = ["trace_layers", "layer_row", "layer_costs", "coverage_counts"]

_KINDS = ("conv", "pool", "gap", "fc")


def _spec_error(i, spec, why):
    return ValueError(
        f"layers[{i}]={spec!r}: {why}. Valid specs: ('conv', K, F[, S, P[, D]]), "
        "('pool', F[, S[, P[, ceil_mode]]]), ('gap',), ('fc', out_features)"
    )


def _input_shape(input_shape):
    if not (isinstance(input_shape, (tuple, list)) and len(input_shape) in (1, 3)
            and all(is_int(n) and n > 0 for n in input_shape)):
        raise ValueError(f"input_shape must be (C, H, W) or (n,) of positive ints, got input_shape={input_shape!r}")
    return tuple(int(n) for n in input_shape)


def trace_layers(layers, input_shape):
    """Trace shapes, parameters and multiply-adds through a stack of layers.

    Uses only the output-size formulas, so it costs nothing even for
    ImageNet-sized networks. ReLUs are left out: they change no shape and have
    no parameters.

    Parameters
    ----------
    layers : sequence of tuple
        One spec per layer:

        * ``('conv', K, F)``, ``('conv', K, F, S, P)`` or ``('conv', K, F, S, P, D)``
          -- K filters of F x F (or (KH, KW)), stride S (default 1), padding P
          (default 0; an int, a pair, 'same' or 'valid'), dilation D (default 1);
        * ``('pool', F)``, ``('pool', F, S)``, ``('pool', F, S, P)`` or
          ``('pool', F, S, P, ceil_mode)`` -- max or average pooling, stride
          defaults to F, ``ceil_mode`` (default False) as in PyTorch;
        * ``('gap',)`` -- global average pooling, (C, H, W) -> (C, 1, 1);
        * ``('fc', out_features)`` -- a fully connected layer (flattens its input).
    input_shape : (int, int, int) or (int,)
        ``(C, H, W)`` of one example, or ``(n,)`` for a stack of fc layers.

    Returns
    -------
    list of dict
        One per layer, with keys ``'kind'``, ``'label'`` (short text),
        ``'shape'`` (output shape without the batch axis), ``'params'``
        (weights + biases) and ``'macs'`` (multiply-adds for one example:
        ``H_out*W_out*K*C*KH*KW`` for a conv, ``in*out`` for a fc layer,
        0 for pooling).

    Examples
    --------
    >>> rows = trace_layers([('conv', 6, 5), ('pool', 2), ('fc', 10)], (1, 32, 32))
    >>> [(r['shape'], r['params'], r['macs']) for r in rows]
    [((6, 28, 28), 156, 117600), ((6, 14, 14), 0, 0), ((10,), 11770, 11760)]
    """
    shape = _input_shape(input_shape)
    rows = []
    for i, spec in enumerate(layers):
        if not isinstance(spec, (tuple, list)) or not spec or spec[0] not in _KINDS:
            raise _spec_error(i, spec, f"the kind must be one of {_KINDS}")
        kind, args = spec[0], tuple(spec[1:])
        if kind != "fc" and len(shape) != 3:
            raise _spec_error(i, spec, f"needs a (C, H, W) input but gets the vector shape {shape}")
        if kind == "conv":
            if len(args) not in (2, 4, 5):
                raise _spec_error(i, spec, "a conv takes K, F or K, F, S, P or K, F, S, P, D")
            K, F = args[:2]
            S, P, D = tuple(args[2:]) + (1, 0, 1)[len(args) - 2:]  # defaults S=1, P=0, D=1
            KH, KW = pair(F, "F")
            S, D = pair(S, "S"), pair(D, "D")
            C, H, W = shape
            H_out, W_out = conv_output_size((H, W), (KH, KW), S, P, D)
            params = KH * KW * C * K + K
            macs = H_out * W_out * K * C * KH * KW
            stride_text = "" if S == (1, 1) else f"/{S[0] if S[0] == S[1] else S}"
            dilation_text = "" if D == (1, 1) else f" dilated {D[0] if D[0] == D[1] else D}"
            rows.append(dict(kind=kind, label=f"conv {KH}×{KW}{stride_text}{dilation_text}, {K}",
                             shape=(K, H_out, W_out), params=params, macs=macs))
        elif kind == "pool":
            if len(args) not in (1, 2, 3, 4):
                raise _spec_error(i, spec, "a pool takes F, F, S, F, S, P or F, S, P, ceil_mode")
            KH, KW = pair(args[0], "F")
            S = pair(args[1], "S") if len(args) > 1 else (KH, KW)
            P = args[2] if len(args) > 2 else 0
            ceil_mode = args[3] if len(args) > 3 else False
            C, H, W = shape
            H_out, W_out = pool_output_size((H, W), (KH, KW), S, P, ceil_mode)
            stride_text = "" if S == (KH, KW) else f"/{S[0] if S[0] == S[1] else S}"
            ceil_text = " (ceil)" if ceil_mode else ""
            rows.append(dict(kind=kind, label=f"pool {KH}×{KW}{stride_text}{ceil_text}",
                             shape=(C, H_out, W_out), params=0, macs=0))
        elif kind == "gap":
            if args:
                raise _spec_error(i, spec, "global average pooling takes no arguments")
            rows.append(dict(kind=kind, label="global avg pool", shape=(shape[0], 1, 1), params=0, macs=0))
        else:  # fc
            if len(args) != 1 or not is_int(args[0]) or args[0] < 1:
                raise _spec_error(i, spec, "a fc layer takes one positive int, out_features")
            n_in, n_out = int(np.prod(shape)), int(args[0])
            rows.append(dict(kind=kind, label=f"fc {n_out}", shape=(n_out,),
                             params=n_in * n_out + n_out, macs=n_in * n_out))
        shape = rows[-1]["shape"]
    return rows


def layer_row(layer, input_shape):
    """The :func:`trace_layers` row of one :mod:`cnnbook.nn` layer, checked against its input.

    Parameters
    ----------
    layer : cnnbook.nn.Layer
        A Conv2d, MaxPool2d, AvgPool2d, Linear, ReLU, Flatten, BatchNorm2d or
        GlobalAvgPool2d.
    input_shape : tuple of int
        The shape the layer receives, without the batch axis.

    Returns
    -------
    dict or None
        As a row of :func:`trace_layers` (``'kind'`` is ``'relu'``,
        ``'flatten'`` or ``'bn'`` for those layers; a GlobalAvgPool2d row has
        the layer's (C,) output shape), with ``'params'`` the layer's own
        count (a layer without bias has none); None for any other layer, which
        has no formula here.

    Raises
    ------
    ValueError
        If the layer cannot take ``input_shape`` (wrong channels or features,
        a vector into a convolution, a kernel larger than the padded input).

    Examples
    --------
    >>> from cnnbook.nn import Conv2d, Flatten
    >>> layer_row(Conv2d(3, 8, 3, padding=1, dilation=2), (3, 16, 16))['shape']
    (8, 14, 14)
    >>> layer_row(Flatten(), (8, 14, 14))['shape']
    (1568,)
    """
    from .nn import AvgPool2d, BatchNorm2d, Conv2d, Flatten, GlobalAvgPool2d, Linear, MaxPool2d, ReLU

    shape = tuple(input_shape)
    if isinstance(layer, ReLU):
        return dict(kind="relu", label="relu", shape=shape, params=0, macs=0)
    if isinstance(layer, BatchNorm2d):
        if len(shape) != 3 or shape[0] != layer.num_features:
            raise ValueError(f"expects a (C, H, W) input with num_features={layer.num_features} channels, "
                             f"got an input of shape {shape}")
        return dict(kind="bn", label="batch norm", shape=shape, params=layer.num_params(), macs=0)
    if isinstance(layer, GlobalAvgPool2d):
        if len(shape) != 3:
            raise ValueError(f"expects a (C, H, W) input, got an input of shape {shape}")
        return dict(kind="gap", label="global avg pool", shape=(shape[0],), params=0, macs=0)
    if isinstance(layer, Flatten):
        return dict(kind="flatten", label="flatten", shape=(int(np.prod(shape)),), params=0, macs=0)
    if isinstance(layer, (Conv2d, MaxPool2d, AvgPool2d)) and len(shape) != 3:
        raise ValueError(f"expects a (C, H, W) input, got an input of shape {shape}")
    if isinstance(layer, Conv2d):
        if shape[0] != layer.in_channels:
            raise ValueError(f"expects in_channels={layer.in_channels}, got an input of shape {shape} "
                             f"with C={shape[0]}")
        spec = ("conv", layer.out_channels, layer.kernel_size, layer.stride, layer.padding, layer.dilation)
    elif isinstance(layer, (MaxPool2d, AvgPool2d)):
        spec = ("pool", layer.kernel_size, layer.stride, layer.padding, layer.ceil_mode)
    elif isinstance(layer, Linear):
        if shape != (layer.in_features,):
            hint = " (did you forget a Flatten layer?)" if len(shape) != 1 else ""
            raise ValueError(f"expects in_features={layer.in_features}, got an input of shape {shape}{hint}")
        spec = ("fc", layer.out_features)
    else:
        return None
    row = trace_layers([spec], shape)[0]
    row["params"] = layer.num_params()
    return row


def layer_costs(net, input_shape):
    """:func:`trace_layers` for a :class:`cnnbook.nn.Sequential` (ReLU and Flatten skipped).

    Parameters
    ----------
    net : cnnbook.nn.Sequential
        Conv2d, MaxPool2d, AvgPool2d, ReLU, Flatten and Linear layers.
    input_shape : (int, int, int) or (int,)
        ``(C, H, W)`` of one example, or ``(n,)`` for a stack of Linear layers.

    Returns
    -------
    list of dict
        As :func:`trace_layers`, plus ``'index'``: the layer's position in ``net``.

    Raises
    ------
    TypeError
        For a layer :func:`layer_row` has no formula for.
    ValueError
        If a layer cannot take what the layer before it gives; the message
        starts with ``layer i (...)``.

    Examples
    --------
    >>> from cnnbook.models import lenet5
    >>> rows = layer_costs(lenet5(input_size=32), (1, 32, 32))
    >>> [r['index'] for r in rows], sum(r['params'] for r in rows)
    ([0, 2, 3, 5, 7, 9, 11], 61706)
    """
    shape = _input_shape(input_shape)
    rows = []
    for i, layer in enumerate(net.layers):
        try:
            row = layer_row(layer, shape)
        except ValueError as err:
            raise ValueError(f"layer {i} ({layer!r}): {err}") from err
        if row is None:
            raise TypeError(f"layer {i} ({layer!r}) is not one of Conv2d, MaxPool2d, AvgPool2d, ReLU, "
                            "Flatten, Linear, BatchNorm2d, GlobalAvgPool2d")
        shape = row["shape"]
        if row["kind"] not in ("relu", "flatten"):
            rows.append(dict(row, index=i))
    return rows


def coverage_counts(height, width, kernel_size, stride=1, padding=0):
    """How many windows of a convolution read each input pixel.

    Parameters
    ----------
    height, width : int
        Input size.
    kernel_size, stride : int or (int, int)
    padding : int or (int, int)

    Returns
    -------
    counts : ndarray of int, shape (height, width)
        ``counts[r, c]`` is the number of output positions whose window
        contains input pixel ``(r, c)``. Windows are products of a row range
        and a column range, so this is the outer product of the two 1-D counts.

    Examples
    --------
    >>> coverage_counts(5, 5, 3)
    array([[1, 2, 3, 2, 1],
           [2, 4, 6, 4, 2],
           [3, 6, 9, 6, 3],
           [2, 4, 6, 4, 2],
           [1, 2, 3, 2, 1]])
    >>> int(coverage_counts(5, 5, 3, padding=1).min())
    4
    """
    sizes = pair((height, width), "(height, width)")
    ks, ss = pair(kernel_size, "kernel_size"), pair(stride, "stride")
    ps = pair(padding, "padding", minimum=0)
    per_axis = []
    for n, k, s, p in zip(sizes, ks, ss, ps):
        counts = np.zeros(n + 2 * p, dtype=int)  # over the padded axis
        for i in range(conv_output_size(n, k, s, p)):
            counts[i * s : i * s + k] += 1
        per_axis.append(counts[p : p + n])  # keep the real pixels only
    return np.outer(*per_axis)  # (height, width)
