"""The fast path of conv2d, conv2d_backward and conv_transpose2d: what ``cnnbook.conv2d`` runs.

Same signatures and same numbers as the readable reference in :mod:`cnnbook.conv`
(the tests keep them in agreement); ``cnnbook.conv2d``, ``cnnbook.conv2d_backward``,
``cnnbook.conv_transpose2d`` and the layers of :mod:`cnnbook.nn` are the
functions of this module. Three speed measures make it faster than the reference:

* chunks: the batch goes through a few images at a time. One chunk's im2col
  matrix (C*KH*KW times larger than its images) then stays in the processor's
  cache between the copy that writes it and the matrix products that read it;
  a whole batch's matrix would go out to main memory and back several times;
* kept work arrays: a large array allocated afresh costs a page fault for every
  4 KiB the first time it is written, so the work arrays are reused from call
  to call (:func:`scratch`);
* full-width rows at stride 1 (:func:`grid_width`);
* every core: the chunks are shared out among a few threads (:func:`each_chunk`).

Each can be turned off through a :class:`Speed` argument of the ``*_core``
functions; ``benchmarks/run.py`` measures what each one buys.

The numbers do not depend on the thread count. Where chunks are cut depends
only on the shapes, each image's products are computed alone, and the chunks'
shares of ``dw`` are added up in chunk order by the calling thread.
"""

import contextlib
import contextvars
import dataclasses
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

try:  # limits BLAS to one thread while our own threads run; without it, one thread does all
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover - installed with scikit-learn, which the book uses
    ThreadpoolController = None

from ._validate import check_dout
from .geometry import pad, prepare_conv2d, prepare_conv_transpose2d, tap_slices, windows

CHUNK_BYTES = 2 << 20   # bytes of im2col matrix per chunk: the best of 0.25-2 MiB (benchmarks/README.md)

KEEP_BYTES = 64 << 20   # a larger work array (one huge image) is not kept after the call

BALANCE = 4             # chunks come in multiples of 4 (batch allowing): even shares for 1, 2 or 4 threads

MIN_CHUNK_BYTES = 64 << 10  # ... but no chunk is cut smaller than this to get there


@dataclass(frozen=True)
class Speed:
    """Which speed measures the fast path takes (all of them by default).

    ``threads`` is how many threads share the chunks: None means the current
    :func:`using_threads` setting, by default every core this process may use.
    1 runs the chunks one after another in the calling thread.
    """

    wide_rows: bool = True          # stride 1: rows of outputs as wide as the padded input
    reuse_work: bool = True         # keep work arrays between calls
    chunk_bytes: int = CHUNK_BYTES  # im2col matrix per chunk of images
    threads: int = None             # threads that share the chunks (None: see using_threads)

    def __post_init__(self):
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 1):
            raise ValueError(f"threads must be a positive int or None, got threads={self.threads!r}")


SHIPPED = Speed()

_THREADS = contextvars.ContextVar("cnnbook_fast_threads", default=None)


def usable_cores():
    """The number of cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - no sched_getaffinity (macOS, Windows)
        return os.cpu_count() or 1


@contextlib.contextmanager
def using_threads(threads):
    """Within the block, the fast path (and so ``cnnbook.nn``) uses ``threads`` threads.

    ``None`` restores the default, :data:`DEFAULT_THREADS`. The setting belongs to
    the calling thread (a context variable), so other threads keep theirs.

    Examples
    --------
    >>> with using_threads(1):   # the chunks one after another, in this thread
    ...     conv2d(np.ones((4, 1, 5, 5)), np.ones((2, 1, 3, 3))).shape
    (4, 2, 3, 3)
    """
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive int or None, got threads={threads!r}")
    token = _THREADS.set(threads)
    try:
        yield
    finally:
        _THREADS.reset(token)


#: Threads when nobody asks for a number. 1: on this book's 2-core benchmark machine the chunk pool
#: measured slower than one thread on most cases even when idle (benchmarks/README.md, 2026-12-02),
#: so it is opt-in (``using_threads(usable_cores())``) until a quiet run shows it winning.
DEFAULT_THREADS = 1


def thread_count(speed=SHIPPED):
    """The threads that ``speed`` asks for: its ``threads``, else :func:`using_threads`'s, else :data:`DEFAULT_THREADS`."""
    return speed.threads or _THREADS.get() or DEFAULT_THREADS


class _Workers:
    """The pool of worker threads, and who has BLAS limited to one thread right now.

    One pool for the process, grown (replaced) when more threads are asked for.
    OpenBLAS's thread count is a setting of the whole process, so it is lowered
    to 1 when the first parallel call starts and restored when the last one ends.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.pool = None
        self.size = 0
        self.controller = None
        self.blas_users = 0
        self.blas_limit = None
        self.local = threading.local()   # .inside: this thread is one of the pool's workers

    def get_pool(self, size):
        with self.lock:
            if self.pool is None or self.size < size:
                if self.pool is not None:
                    self.pool.shutdown(wait=False)   # its threads finish their tasks, then exit
                self.pool = ThreadPoolExecutor(size, thread_name_prefix="cnnbook-fast",
                                               initializer=self._mark_worker)
                self.size = size
            return self.pool

    def _mark_worker(self):
        self.local.inside = True

    def in_worker(self):
        return getattr(self.local, "inside", False)

    @contextlib.contextmanager
    def blas_single_threaded(self):
        with self.lock:
            if self.blas_users == 0:
                if self.controller is None:
                    self.controller = ThreadpoolController()
                self.blas_limit = self.controller.limit(limits=1, user_api="blas")
            self.blas_users += 1
        try:
            yield
        finally:
            with self.lock:
                self.blas_users -= 1
                if self.blas_users == 0:
                    self.blas_limit.restore_original_limits()
                    self.blas_limit = None


_workers = _Workers()


def each_chunk(work, batches, speed=SHIPPED):
    """``[work(batch) for batch in batches]``, the batches shared out among :func:`thread_count` threads.

    The calling thread works too, beside ``threads - 1`` threads of a pool that
    lives as long as the process. While they run, BLAS is limited to one thread,
    so the two levels of threads do not fight over the cores (numpy's copies and
    BLAS release the GIL, so the threads really run at once). ``work`` must
    write only into its own batch's part of the results.
    """
    workers = min(thread_count(speed), len(batches))
    if workers == 1 or ThreadpoolController is None or _workers.in_worker():
        return [work(batch) for batch in batches]
    results = [None] * len(batches)
    taken = iter(range(len(batches)))
    lock = threading.Lock()

    def drain():
        # each thread takes the next chunk nobody has taken yet
        while True:
            with lock:
                i = next(taken, None)
            if i is None:
                return
            results[i] = work(batches[i])

    with _workers.blas_single_threaded():
        pool = _workers.get_pool(workers - 1)
        futures = [pool.submit(drain) for _ in range(workers - 1)]
        try:
            drain()
        finally:
            wait(futures)   # never return (or raise) while a worker still writes
        for future in futures:
            future.result()  # re-raises a worker's exception
    return results

_work = threading.local()


def scratch(name, shape, dtype, speed=SHIPPED):
    """A reusable work array of ``shape`` (contents undefined), one per name, dtype and thread."""
    if not speed.reuse_work:
        return np.empty(shape, dtype)
    size = math.prod(shape)
    key = (name, np.dtype(dtype))
    buffers = _work.__dict__
    buffer = buffers.get(key)
    if buffer is None or buffer.size < size:
        buffer = np.empty(size, dtype)
        if buffer.nbytes <= KEEP_BYTES:
            buffers[key] = buffer
    return buffer[:size].reshape(shape)


def chunks(N, C, geom, width, itemsize, speed=SHIPPED):
    """Slices of a batch of N whose im2col matrices (C*KH*KW, H_out*width) take at most ``chunk_bytes`` each.

    The chunks are as equal as whole images allow, and there are a multiple of
    ``BALANCE`` of them when the batch has that many images and no chunk gets
    smaller than ``MIN_CHUNK_BYTES``, so that 2 or 4 threads get equal shares.
    The cut depends on the shapes only, never on the thread count.
    """
    per_image = C * math.prod(geom.kernel) * geom.out_hw[0] * width * itemsize
    needed = -(-N // max(1, speed.chunk_bytes // per_image))          # chunks of at most chunk_bytes
    balanced = min(-(-needed // BALANCE) * BALANCE, N * per_image // MIN_CHUNK_BYTES)
    count = min(N, max(needed, balanced))
    return [slice(N * i // count, N * (i + 1) // count) for i in range(count)]


def grid_width(geom, W, speed=SHIPPED):
    """Columns per output row that the fast conv2d computes: W_out, or with stride 1 the padded width.

    With stride 1, each row of outputs is computed as wide as the padded input
    (``W + left + right`` instead of W_out). Then what one kernel tap meets over
    all outputs of an image is one contiguous run of memory, not H_out short
    rows, and the copies of im2col and col2im go about twice as fast. The extra
    ``dw*(KW-1)`` windows of each row run off the right edge into the next row;
    they are computed and thrown away.
    """
    left, right = geom.pads[1]
    return W + left + right if geom.stride == (1, 1) and speed.wide_rows else geom.out_hw[1]


def im2col(x, geom, width=None, out=None):
    """:func:`cnnbook.conv.im2col` on a grid ``width`` columns wide, written into ``out`` if given.

    Returns (N, C*KH*KW, H_out*width); ``width`` is W_out (the default) or
    ``grid_width(geom, W)``, and columns past W_out are not windows.

    Examples
    --------
    >>> x, _, _, geom = prepare_conv2d(np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3)))
    >>> im2col(x, geom, grid_width(geom, 4)).shape   # rows of 4 columns, 2 of them windows
    (1, 9, 8)
    """
    N, C, _, W = x.shape
    KH, KW = geom.kernel
    H_out, W_out = geom.out_hw
    width = W_out if width is None else width
    if width not in (W_out, grid_width(geom, W)):
        raise ValueError(f"width must be W_out={W_out} or grid_width(geom, W)={grid_width(geom, W)}, "
                         f"got width={width!r}")
    xp = pad(x, geom.pads, spare_rows=int(width > W_out))  # a wide last row runs one row further
    view = windows(xp, geom, width).transpose(0, 1, 4, 5, 2, 3)       # (N, C, KH, KW, H_out, width)
    cols = np.empty(view.shape, dtype=x.dtype) if out is None else out.reshape(view.shape)
    np.copyto(cols, view)
    return cols.reshape(N, C * KH * KW, H_out * width)                 # (N, C*KH*KW, H_out*width)


def col2im(dcols, x_shape, geom, out, speed=SHIPPED):
    """:func:`cnnbook.conv.col2im` of an ``im2col`` grid of any width, written into ``out``.

    Columns past W_out must be zero.
    """
    N, C, H, W = x_shape
    H_out, W_out = geom.out_hw
    KH, KW = geom.kernel
    (top, bottom), (left, right) = geom.pads
    dh, dw = geom.dilation
    width = dcols.shape[2] // H_out
    d = dcols.reshape(N, C, KH, KW, H_out, width)
    dxp = scratch("col2im", (N, C, top + H + bottom + int(width > W_out), left + W + right), dcols.dtype, speed)
    dxp.fill(0)
    if width > W_out:
        assert geom.stride == (1, 1) and width == grid_width(geom, W), "a wide grid is for stride 1 only"
        runs = dxp.reshape(N, C, -1)   # stride 1: a tap's outputs are one run of each plane
        for a in range(KH):
            for b in range(KW):
                start = a * dh * dxp.shape[3] + b * dw
                runs[:, :, start:start + H_out * width] += d[:, :, a, b].reshape(N, C, -1)
    else:
        for a in range(KH):
            for b in range(KW):
                rows, columns = tap_slices(geom, a, b)
                dxp[:, :, rows, columns] += d[:, :, a, b]       # (N, C, H_out, W_out)
    out[...] = dxp[:, :, top:top + H, left:left + W]
    return out


def on_grid(y, width, name, speed=SHIPPED):
    """(n, K, H_out, W_out) -> (n, K, H_out*width) with zeros past W_out, in a work array."""
    n, K, H_out, W_out = y.shape
    if width == W_out:
        return np.ascontiguousarray(y).reshape(n, K, H_out * W_out)
    grid = scratch(name, (n, K, H_out, width), y.dtype, speed)
    grid.fill(0)
    grid[..., :W_out] = y
    return grid.reshape(n, K, H_out * width)


def conv2d_core(x, w, b, geom, speed=SHIPPED):
    """conv2d on the validated output of :func:`cnnbook.geometry.prepare_conv2d`."""
    N, C, _, W = x.shape
    K = w.shape[0]
    H_out, W_out = geom.out_hw
    width = grid_width(geom, W, speed)
    w_mat = w.reshape(K, -1)                                      # (K, C*KH*KW)
    out = np.empty((N, K, H_out, W_out), dtype=x.dtype)

    def forward(batch):
        xb = x[batch]
        n = xb.shape[0]
        cols = im2col(xb, geom, width, out=scratch("cols", (n, w_mat.shape[1], H_out * width), x.dtype, speed))
        # every filter on every window: (K, C*KH*KW) @ (n, C*KH*KW, H_out*width)
        if width == W_out:
            np.matmul(w_mat, cols, out=out[batch].reshape(n, K, H_out * W_out))
        else:
            grid = np.matmul(w_mat, cols, out=scratch("out", (n, K, H_out * width), x.dtype, speed))
            out[batch] = grid.reshape(n, K, H_out, width)[..., :W_out]      # (n, K, H_out, W_out)
        if b is not None:
            out[batch] += b[:, None, None]

    each_chunk(forward, chunks(N, C, geom, width, x.itemsize, speed), speed)
    return out


def conv2d_backward_core(dout, x, w, geom, speed=SHIPPED):
    """conv2d_backward on validated inputs; rebuilds each chunk's im2col matrix."""
    N, C, H, W = x.shape
    K = w.shape[0]
    H_out, W_out = geom.out_hw
    if not np.isfinite(w).all():
        # a thrown-away column of the wide grid would be inf * 0 = NaN, not 0
        speed = dataclasses.replace(speed, wide_rows=False)
    width = grid_width(geom, W, speed)
    w_mat = w.reshape(K, -1)                                      # (K, C*KH*KW)
    db = dout.sum(axis=(0, 2, 3))                                 # (K,)
    dx = np.empty(x.shape, dtype=x.dtype)

    def backward(batch):
        xb = x[batch]
        n = xb.shape[0]
        cols = im2col(xb, geom, width, out=scratch("cols", (n, w_mat.shape[1], H_out * width), x.dtype, speed))
        d = on_grid(dout[batch], width, "dout", speed)  # (n, K, H_out*width); no gradient for thrown-away columns
        dcols = np.matmul(w_mat.T, d, out=scratch("dcols", cols.shape, x.dtype, speed))  # (n, C*KH*KW, H_out*width)
        col2im(dcols, xb.shape, geom, dx[batch], speed)                    # (n, C, H, W)
        # this chunk's share of dw = sum over images of d[n] @ cols[n].T, taken transposed:
        # BLAS is faster that way round
        return np.matmul(cols, d.transpose(0, 2, 1)).sum(axis=0)          # (C*KH*KW, K)

    dw_mat = np.zeros(w_mat.T.shape, dtype=x.dtype)               # (C*KH*KW, K)
    for share in each_chunk(backward, chunks(N, C, geom, width, x.itemsize, speed), speed):
        dw_mat += share   # in chunk order, whatever the thread count: the same sum every time
    if width > W_out and not np.isfinite(dw_mat).all():
        # an inf or NaN pixel that only thrown-away windows read must not reach dw
        return conv2d_backward_core(dout, x, w, geom, dataclasses.replace(speed, wide_rows=False))
    return dx, dw_mat.T.reshape(w.shape), db


def conv_transpose2d_core(x, w, b, geom, out_hw, speed=SHIPPED):
    """conv_transpose2d on the validated output of :func:`cnnbook.geometry.prepare_conv_transpose2d`."""
    N, C_in, H, W = x.shape
    C_out = w.shape[1]
    if not np.isfinite(w).all():
        # inf or NaN weights: a thrown-away column would be NaN
        speed = dataclasses.replace(speed, wide_rows=False)
    # Each input value spreads over a KHxKW patch of the output: the columns col2im adds
    # back, a chunk of images at a time and, at stride 1, on full-width rows.
    width = grid_width(geom, out_hw[1], speed)
    w_cols = w.reshape(C_in, -1).T                                            # (C_out*KH*KW, C_in)
    out = np.empty((N, C_out, *out_hw), dtype=x.dtype)

    def spread(batch):
        xg = on_grid(x[batch], width, "x", speed)                             # (n, C_in, H*width)
        n = xg.shape[0]
        dcols = np.matmul(w_cols, xg, out=scratch("dcols", (n, w_cols.shape[0], H * width), x.dtype, speed))
        col2im(dcols, (n, C_out, *out_hw), geom, out[batch], speed)          # (n, C_out, H_out, W_out)
        if b is not None:
            out[batch] += b[:, None, None]

    each_chunk(spread, chunks(N, C_out, geom, width, x.itemsize, speed), speed)
    return out


# ------------------------------------------------ the public fast functions

def conv2d(x, w, b=None, stride=1, padding=0, dilation=1):
    """Fast :func:`cnnbook.conv.conv2d`: same arguments, same result (documented there).

    Examples
    --------
    >>> from cnnbook import conv
    >>> x, w = np.random.default_rng(0).normal(size=(2, 3, 8, 8)), np.ones((4, 3, 3, 3))
    >>> np.allclose(conv2d(x, w, padding=1), conv.conv2d(x, w, padding=1))
    True
    """
    x, w, b, geom = prepare_conv2d(x, w, b, stride, padding, dilation)
    return conv2d_core(x, w, b, geom)


def conv2d_backward(dout, x, w, stride=1, padding=0, dilation=1):
    """Fast :func:`cnnbook.conv.conv2d_backward`: same arguments, same result (documented there).

    Examples
    --------
    >>> from cnnbook import conv
    >>> x, w = np.random.default_rng(0).normal(size=(2, 3, 8, 8)), np.ones((4, 3, 3, 3))
    >>> dout = np.ones((2, 4, 3, 3))
    >>> all(np.allclose(f, r) for f, r in zip(conv2d_backward(dout, x, w, stride=2),
    ...                                        conv.conv2d_backward(dout, x, w, stride=2)))
    True
    """
    x, w, _, geom = prepare_conv2d(x, w, None, stride, padding, dilation)
    dout = check_dout(dout, (x.shape[0], w.shape[0], *geom.out_hw)).astype(x.dtype, copy=False)
    return conv2d_backward_core(dout, x, w, geom)


def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, dilation=1):
    """Fast :func:`cnnbook.conv.conv_transpose2d`: same arguments, same result (documented there).

    Examples
    --------
    >>> from cnnbook import conv
    >>> x, w = np.random.default_rng(0).normal(size=(2, 3, 4, 4)), np.ones((3, 2, 3, 3))
    >>> np.allclose(conv_transpose2d(x, w, stride=2), conv.conv_transpose2d(x, w, stride=2))
    True
    """
    x, w, b, geom, out_hw = prepare_conv_transpose2d(x, w, b, stride, padding, output_padding, dilation)
    return conv_transpose2d_core(x, w, b, geom, out_hw)
