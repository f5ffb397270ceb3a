"""cnnbook: the numerics behind the interactive textbook on convolutional networks.

Everything works on NCHW arrays with filters shaped (K, C, KH, KW) and follows
PyTorch's conventions (cross-correlation, floor in the output-size formula),
in plain numpy.

``cnnbook.conv2d``, ``conv2d_backward`` and ``conv_transpose2d`` are the fast
path (:mod:`cnnbook.fast`); :mod:`cnnbook.conv` holds the same three functions
written to be read, and :mod:`cnnbook.naive` their loop twins. Plotting and widgets live in :mod:`cnnbook.plots` and
:mod:`cnnbook.widgets`, so ``import cnnbook`` needs neither matplotlib nor a display.
"""

from . import conv  # the readable reference, cnnbook.conv.conv2d etc.
from .fast import (  # the fast path: chunks of the batch, on every core
    avg_pool2d,
    avg_pool2d_backward,
    conv2d,
    conv2d_backward,
    conv_transpose2d,
    max_pool2d,
    max_pool2d_backward,
)
from .gradcheck import gradient_check, numerical_gradient, relative_error
from .losses import (
    binary_cross_entropy,
    relu,
    relu_backward,
    sigmoid,
    softmax,
    softmax_cross_entropy,
)
from .naive import (
    avg_pool2d_backward_naive,
    avg_pool2d_naive,
    batch_norm2d_backward_naive,
    batch_norm2d_naive,
    conv2d_backward_naive,
    conv2d_naive,
    conv_transpose2d_naive,
    lp_pool2d_backward_naive,
    lp_pool2d_naive,
    max_pool2d_backward_naive,
    max_pool2d_naive,
)
from .norm import batch_norm2d, batch_norm2d_backward
from .pool import global_avg_pool2d, global_avg_pool2d_backward, lp_pool2d, lp_pool2d_backward
from .source import show_source
from .shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    receptive_field,
)

__version__ = "2.0.0"  # equals pyproject.toml, CITATION.cff and _config.yml (tests/test_reach.py)

__all__ = [
    "avg_pool2d",
    "avg_pool2d_backward",
    "avg_pool2d_backward_naive",
    "avg_pool2d_naive",
    "batch_norm2d",
    "batch_norm2d_backward",
    "batch_norm2d_backward_naive",
    "batch_norm2d_naive",
    "binary_cross_entropy",
    "conv2d",
    "conv2d_backward",
    "conv2d_backward_naive",
    "conv2d_naive",
    "conv_output_size",
    "conv_transpose2d",
    "conv_transpose2d_naive",
    "conv_transpose_output_size",
    "global_avg_pool2d",
    "global_avg_pool2d_backward",
    "gradient_check",
    "lp_pool2d",
    "lp_pool2d_backward",
    "lp_pool2d_backward_naive",
    "lp_pool2d_naive",
    "max_pool2d",
    "max_pool2d_backward",
    "max_pool2d_backward_naive",
    "max_pool2d_naive",
    "numerical_gradient",
    "pool_output_size",
    "receptive_field",
    "relative_error",
    "relu",
    "relu_backward",
    "show_source",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
]
