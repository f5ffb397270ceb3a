"""Checkers for images as arrays: pixels, vectors, batches."""

import numpy as np

from ._core import DEFAULT_CASES, compare_array, compare_int, first_match, ints, Mismatch, run


def check_pixel_to_vector(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(image) -> vector``: a greyscale image of shape (H, W) becomes
    a vector of shape (H*W,) read row by row (pixel (r, c) lands at r*W + c).

    Example
    -------
    >>> bool(check_pixel_to_vector(lambda img: img.reshape(-1), rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        h, w = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        return f"image of shape ({h}, {w})", dict(image=ints(rng, 0, 255, (h, w)))

    def hints(inputs, expected, got, label):
        img = inputs["image"]
        return first_match(got, [
            (lambda: img.reshape(-1, order="F"), "you read the image column by column; read it row by "
             "row (numpy's default order): pixel (r, c) goes to index r*W + c"),
            (lambda: img.reshape(-1, 1), "return a 1-D vector of shape (H*W,), not a column (H*W, 1)"),
            (lambda: img.reshape(1, -1), "return a 1-D vector of shape (H*W,), not a row (1, H*W)"),
        ], {}) or "img.reshape(-1) reads the rows one after the other"

    return run("check_pixel_to_vector", fn, cases, reference=lambda image: image.reshape(-1),
                compare=compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose,
                what="vector")


def check_batch_numel(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(N, C, H, W) -> int``, the number of values in a batch of shape (N, C, H, W).

    Example
    -------
    >>> bool(check_batch_numel(lambda n, c, h, w: n * c * h * w, rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        if i == 0:
            dims = (1, 1, 1, 1)
        elif i == 1:
            dims = (64, 3, 224, 224)
        else:
            dims = tuple(int(v) for v in rng.integers(1, 65, size=4))
        return "N={}, C={}, H={}, W={}".format(*dims), dict(zip(("N", "C", "H", "W"), dims))

    def hints(inputs, expected, got, label):
        N, C, H, W = inputs.values()
        return first_match(got, [
            (lambda: C * H * W, "that is one image: multiply by the batch size N too"),
            (lambda: N * H * W, "each pixel holds C values (one per channel): multiply by C"),
            (lambda: N * C * H, "multiply by the width W too"),
            (lambda: N + C + H + W, "the number of values is the product of the sizes, not their sum"),
        ], {}) or "every axis multiplies the count: N * C * H * W"

    return run("check_batch_numel", fn, cases, reference=lambda N, C, H, W: N * C * H * W,
                compare=compare_int, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose,
                what="number of values")


def check_to_nchw(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(images) -> x``: uint8 images of shape (N, H, W, 3) become a
    float array of shape (N, 3, H, W) with values in [0, 1] (divided by 255).

    Example
    -------
    >>> bool(check_to_nchw(lambda im: im.transpose(0, 3, 1, 2) / 255, rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        n = 1 if i < 2 else int(rng.integers(1, 4))
        h = int(rng.integers(2, 4))
        w = h + 1 if i % 2 == 0 else int(rng.integers(2, 5))  # H != W first, so swapped axes show
        images = rng.integers(0, 256, size=(n, h, w, 3)).astype(np.uint8)  # (N, H, W, 3)
        images.flat[0] = 255
        return f"images of shape {images.shape}", dict(images=images)

    def reference(images):
        return images.transpose(0, 3, 1, 2) / 255.0  # (N, 3, H, W)

    def compare(expected, got):
        if isinstance(got, np.ndarray) and got.dtype.kind != "f":
            raise Mismatch(f"the output has dtype {got.dtype}; expected floats in [0, 1]")
        compare_array(expected, got)

    def hints(inputs, expected, got, label):
        im = inputs["images"]
        N, H, W, _ = im.shape
        if isinstance(got, np.ndarray) and got.dtype == np.uint8:
            return "the output is still uint8: convert with .astype(np.float64) (or divide by 255.0)"
        return first_match(got, [
            (lambda: im.transpose(0, 3, 1, 2).astype(float), "scale the values to [0, 1]: divide by 255"),
            (lambda: im.transpose(0, 3, 1, 2) // 255, "// is integer division: use / 255 for values in [0, 1]"),
            (lambda: im.reshape(N, 3, H, W) / 255, "reshape keeps the memory order and scrambles the pixels; "
             "move the channel axis with transpose(0, 3, 1, 2)"),
            (lambda: im.transpose(0, 3, 2, 1) / 255, "H and W are swapped: the order is (N, 3, H, W), "
             "transpose(0, 3, 1, 2)"),
            (lambda: im / 255, "channels first: move the last axis to position 1 with transpose(0, 3, 1, 2)"),
            (lambda: im.transpose(0, 3, 1, 2) / im.max(), "divide by 255, the largest possible uint8 value, "
             "not by the largest value in the batch"),
        ], {}) or "x = images.transpose(0, 3, 1, 2) / 255"

    return run("check_to_nchw", fn, cases, reference=reference, compare=compare, hints=hints,
                rng=rng, n_cases=n_cases, verbose=verbose, what="x")


def check_flatten(fn, *, rng=None, n_cases=DEFAULT_CASES, verbose=True):
    """Check ``fn(x) -> out``: a batch x of shape (N, C, H, W) becomes a matrix
    of shape (N, C*H*W), each row one image read channel, row, column (as
    PyTorch's ``flatten(1)``).

    Example
    -------
    >>> bool(check_flatten(lambda x: x.reshape(x.shape[0], -1), rng=0, verbose=False))
    True
    """
    def cases(rng, i):
        shape = tuple(int(v) for v in rng.integers(1, 4, size=4))
        return f"x of shape {shape}", dict(x=ints(rng, 0, 9, shape))

    def hints(inputs, expected, got, label):
        x = inputs["x"]
        return first_match(got, [
            (lambda: x.reshape(-1), "keep the batch axis: the result has one row per image, shape (N, C*H*W)"),
            (lambda: x.transpose(0, 2, 3, 1).reshape(x.shape[0], -1),
             "you put the channels last; NCHW order reads all of channel 0 first"),
            (lambda: x.reshape(-1, x.shape[0]), "reshape to (N, -1), not (-1, N)"),
        ], {}) or "x.reshape(N, -1) with N = x.shape[0]"

    return run("check_flatten", fn, cases, reference=lambda x: x.reshape(x.shape[0], -1),
                compare=compare_array, hints=hints, rng=rng, n_cases=n_cases, verbose=verbose,
                what="matrix")
