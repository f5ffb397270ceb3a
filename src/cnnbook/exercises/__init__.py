"""Checkers for the code exercises of the book.

Every code exercise ends with a cell such as ``check_conv2d(my_conv2d)``. The
checker calls the reader's function on small inputs drawn afresh at each run
(so they are not listed anywhere in the book), compares each answer with the
reference implementation in :mod:`cnnbook`, and prints either a one-line pass
message or the first failing case: its inputs, the expected and the obtained
output, and a hint aimed at the likely mistake.

A checker never raises on a wrong answer, a wrong shape or an exception from
the reader's function (including the ``NotImplementedError`` of an exercise
stub): all of these are reported as a failure. It returns a
:class:`CheckResult`, which is truthy when every case passed.

Every checker has the keyword arguments ``rng`` (``None`` draws fresh entropy;
an int seed or a ``numpy.random.Generator`` makes a run repeatable),
``n_cases`` and ``verbose`` (``False`` silences the printed report).

Conventions that the checkers expect (the same as PyTorch's):

- convolution is cross-correlation, the kernel is not flipped;
- output sizes use floor division: ``(n + 2*padding - kernel_size) // stride + 1``;
- max-pool backward sends the gradient of a window with tied maxima to the
  first maximum in row-major order (``np.argmax``), and overlapping windows
  add up their gradients;
- ``softmax_cross_entropy`` returns the mean loss over the batch.

The checkers live by topic in :mod:`~cnnbook.exercises.sizes`,
:mod:`~cnnbook.exercises.pixels`, :mod:`~cnnbook.exercises.conv`,
:mod:`~cnnbook.exercises.pool`, :mod:`~cnnbook.exercises.loss`,
:mod:`~cnnbook.exercises.optim` and :mod:`~cnnbook.exercises.deeper`; the case
loop, the report and :class:`CheckResult` in ``_core``.
"""


from ._core import DEFAULT_CASES, CheckResult
from .conv import (
    check_conv2d,
    check_conv2d_bias_grad,
    check_conv2d_input_grad,
    check_conv2d_weight_grad,
)
from .deeper import check_adam_step, check_batch_norm_backward, check_batch_norm_eval
from .loss import check_softmax_cross_entropy
from .optim import check_sgd_momentum_step
from .pixels import (
    check_batch_numel,
    check_flatten,
    check_pixel_to_vector,
    check_to_nchw,
)
from .pool import (
    check_avg_pool,
    check_avg_pool_backward,
    check_max_pool,
    check_max_pool_backward,
    check_relu_backward,
)
from .sizes import (
    check_conv_transpose_output_size,
    check_fc_param_count,
    check_output_size,
    check_output_size_strict,
    check_param_count,
    check_receptive_field,
)

__all__ = [
    "CheckResult",
    "DEFAULT_CASES",
    "check_output_size",
    "check_output_size_strict",
    "check_param_count",
    "check_fc_param_count",
    "check_receptive_field",
    "check_pixel_to_vector",
    "check_batch_numel",
    "check_to_nchw",
    "check_flatten",
    "check_conv2d",
    "check_conv2d_weight_grad",
    "check_conv2d_input_grad",
    "check_conv2d_bias_grad",
    "check_relu_backward",
    "check_max_pool",
    "check_max_pool_backward",
    "check_avg_pool",
    "check_avg_pool_backward",
    "check_softmax_cross_entropy",
    "check_conv_transpose_output_size",
    "check_sgd_momentum_step",
    "check_batch_norm_backward",
    "check_batch_norm_eval",
    "check_adam_step",
]
