"""Bad input gets a clear error that names the argument and its value."""

import numpy as np
import pytest

import cnnbook as cb

X = np.zeros((1, 3, 8, 8))
W = np.zeros((4, 3, 3, 3))


@pytest.mark.parametrize("call,exc,pattern", [
    (lambda: cb.conv2d(X, W, stride=0), ValueError, r"stride must be a positive int.*got stride=0"),
    (lambda: cb.conv2d(X, W, stride=(1, -2)), ValueError, r"got stride=\(1, -2\)"),
    (lambda: cb.conv2d(X, W, stride=1.5), TypeError, r"got stride=1.5"),
    (lambda: cb.conv2d(X, W, padding=-1), ValueError, r"padding must be a non-negative int.*got padding=-1"),
    (lambda: cb.conv2d(X, W, padding="full"), ValueError, r"'valid' or 'same', got padding='full'"),
    (lambda: cb.conv2d(X, W, stride=2, padding="same"), ValueError, r"padding='same' needs stride=1, got stride=\(2, 2\)"),
    (lambda: cb.conv2d(X, W, dilation=0), ValueError, r"got dilation=0"),
    (lambda: cb.conv2d(X, np.zeros((4, 3, 9, 3))), ValueError, r"kernel KH=9 does not fit the padded input height: 8 \+ 0 \+ 0 = 8 < 9"),
    (lambda: cb.conv2d(X, W, dilation=4), ValueError, r"dilation 4 \(effective 9\)"),
    (lambda: cb.conv2d(X, np.zeros((4, 2, 3, 3))), ValueError, r"channel mismatch: x has C=3 channels but w expects C=2"),
    (lambda: cb.conv2d(X[0], W), ValueError, r"x must be a 4-D array laid out as \(N, C, H, W\), got x.ndim=3"),
    (lambda: cb.conv2d(X, W[0]), ValueError, r"w must be a 4-D array laid out as \(K, C, KH, KW\)"),
    (lambda: cb.conv2d(X.astype(str), W), TypeError, r"x must have a real numeric dtype.*got x.dtype=<U"),
    (lambda: cb.conv2d(X.astype(complex), W), TypeError, r"got x.dtype=complex128"),
    (lambda: cb.conv2d(X, W, b=np.zeros(3)), ValueError, r"b must have shape \(K,\)=\(4,\).*got b.shape=\(3,\)"),
    (lambda: cb.conv2d_backward(np.zeros((1, 4, 5, 5)), X, W), ValueError, r"dout must have the forward output's shape.*\(1, 4, 6, 6\), got dout.shape=\(1, 4, 5, 5\)"),
    (lambda: cb.conv_transpose2d(X, np.zeros((2, 3, 3, 3))), ValueError, r"x has C=3 channels but w expects C_in=2"),
    (lambda: cb.conv_transpose2d(X, np.zeros((3, 3, 3, 3)), stride=2, output_padding=2), ValueError, r"output_padding=2 must be smaller"),
    (lambda: cb.max_pool2d(X, 2, padding=2), ValueError, r"padding=2 must be at most half of kernel_size=2"),
    (lambda: cb.max_pool2d(X, 0), ValueError, r"kernel_size must be a positive int.*got kernel_size=0"),
    (lambda: cb.max_pool2d(X, 9), ValueError, r"kernel_size=9 does not fit the padded input height: 8 \+ 0 \+ 0 = 8 < 9"),
    (lambda: cb.avg_pool2d(X, 2, stride=0), ValueError, r"got stride=0"),
    (lambda: cb.avg_pool2d(X, 2, count_include_pad="yes"), TypeError, r"count_include_pad must be True or False"),
    (lambda: cb.lp_pool2d(X, 2, p=0.5), ValueError, r"p must be a real number >= 1.*got p=0.5"),
    (lambda: cb.max_pool2d_backward(np.zeros((1, 3, 3, 3)), X, 2), ValueError, r"dout must have.*\(1, 3, 4, 4\)"),
    (lambda: cb.max_pool2d(X, 2, ceil_mode=1), TypeError, r"ceil_mode must be True or False, got ceil_mode=1"),
    (lambda: cb.conv_output_size(7, 3, stride=0), ValueError, r"got stride=0"),
    (lambda: cb.conv_output_size(3, 5), ValueError, r"kernel_size=5 does not fit the padded input height: 3 \+ 0 \+ 0 = 3 < 5"),
    (lambda: cb.conv_output_size((8, 4), (3, 5)), ValueError, r"kernel_size=\(3, 5\) \(KW=5\) does not fit the padded input width: 4"),
    (lambda: cb.conv_output_size("7", 3), TypeError, r"n must be a positive int.*got n='7'"),
    (lambda: cb.receptive_field([3, 0]), ValueError, r"kernel_sizes must hold positive ints"),
    (lambda: cb.receptive_field([3, 3], strides=[1]), ValueError, r"same length"),
    (lambda: cb.relu_backward(np.zeros(3), np.zeros(4)), ValueError, r"dout and x must have the same shape"),
    (lambda: cb.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])), ValueError, r"targets must lie in \[0, K\) = \[0, 3\)"),
    (lambda: cb.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), TypeError, r"targets must be integer class indices"),
    (lambda: cb.softmax_cross_entropy(np.zeros((2, 3)), np.array([0])), ValueError, r"targets must have shape \(N,\)=\(2,\)"),
    (lambda: cb.softmax_cross_entropy(np.zeros(3), np.array([0])), ValueError, r"logits must be a 2-D array"),
    (lambda: cb.binary_cross_entropy(np.array([1.5]), np.array([1.0])), ValueError, r"p must hold probabilities in \[0, 1\]"),
    (lambda: cb.softmax(np.zeros((2, 2)), axis=2), ValueError, r"axis must be an int in \[-2, 2\), got axis=2"),
    (lambda: cb.numerical_gradient(3, np.zeros(2)), TypeError, r"f must be callable"),
    (lambda: cb.numerical_gradient(lambda v: v, np.zeros(2)), ValueError, r"f must return a scalar when dout is None"),
    (lambda: cb.numerical_gradient(lambda v: v.sum(), np.zeros(2), eps=0), ValueError, r"eps must be a positive number, got eps=0"),
    (lambda: cb.gradient_check(lambda v: v.sum(), np.zeros(2), np.zeros(3)), ValueError, r"analytic must have the shape of x"),
])
def test_bad_input_names_argument_and_value(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_errors_come_from_cnnbook_not_numpy():
    """The raising frame is cnnbook's own validation, not numpy internals."""
    with pytest.raises(ValueError) as err:
        cb.conv2d(X, np.zeros((4, 3, 20, 20)))
    assert "cnnbook" in err.traceback[-1].path.as_posix()
    assert "numpy" not in err.traceback[-1].path.as_posix()


@pytest.mark.parametrize("fn", [cb.conv2d_naive, cb.conv2d])
def test_naive_twin_validates_like_the_fast_version(fn):
    with pytest.raises(ValueError, match="channel mismatch"):
        fn(X, np.zeros((4, 2, 3, 3)))
