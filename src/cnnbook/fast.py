"""The fast path of convolution and pooling: what ``cnnbook.conv2d`` and ``cnnbook.max_pool2d`` run.

Same signatures and same numbers as the readable reference in :mod:`cnnbook.conv`
and :mod:`cnnbook.pool` (the tests keep them in agreement); ``cnnbook.conv2d``,
``conv2d_backward``, ``conv_transpose2d``, ``max_pool2d``, ``avg_pool2d`` and
their backwards, and the layers of :mod:`cnnbook.nn`, are the functions of this
module. Five speed measures make it faster than the reference:

* chunks: the batch goes through a few images at a time. One chunk's im2col
  matrix (C*KH*KW times larger than its images) then stays in the processor's
  cache between the copy that writes it and the matrix products that read it;
  a whole batch's matrix would go out to main memory and back several times.
  Pooling goes through a few feature maps at a time, for the same reason;
* one matrix product per chunk: the chunk's images stand side by side in its
  im2col matrix, so BLAS gets one wide product instead of one small one per image;
* kept work arrays: a large array allocated afresh costs a page fault for every
  4 KiB the first time it is written, so the work arrays are reused from call
  to call (:func:`scratch`);
* full-width rows at stride 1 (:func:`grid_width`);
* every core: the chunks are shared out among a few threads (:func:`each_chunk`).

Chunk sizes, full-width rows, work arrays and threads can be chosen through a
:class:`Speed` argument of the ``*_core`` functions; ``benchmarks/run.py``
measures what each one buys.

The numbers do not depend on the thread count. Where chunks are cut depends
only on the shapes, every chunk's products are the same whichever thread
computes them (BLAS runs on one thread inside each), and the chunks' shares of
``dw`` are added up in chunk order by the calling thread.
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

from . import pool
from ._validate import check_bool, check_dout
from .geometry import pad, pool_geometry, prepare_conv2d, prepare_conv_transpose2d, tap_slices, windows

CHUNK_BYTES = 2 << 20   # bytes of im2col matrix per chunk: the best of 0.25-2 MiB (benchmarks/README.md)

KEEP_BYTES = 64 << 20   # a larger work array (one huge image) is not kept after the call

BALANCE = 4             # chunks come in multiples of 4 (batch allowing): even shares for 1, 2 or 4 threads

MIN_CHUNK_BYTES = 64 << 10  # ... but no chunk is cut smaller than this to get there

POOL_CHUNK_BYTES = 256 << 10  # pooling: bytes of input feature maps per chunk


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
    pool_chunk_bytes: int = POOL_CHUNK_BYTES  # pooling: input feature maps per chunk
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


def _threads_from_environment(name="CNNBOOK_THREADS"):
    """``$CNNBOOK_THREADS`` if set (like ``OMP_NUM_THREADS``), else every usable core."""
    value = os.environ.get(name, "").strip()
    if not value:
        return usable_cores()
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a positive whole number of threads, got {name}={value!r}")
    return int(value)


#: Threads when nobody asks for a number: every core this process may use, or
#: ``$CNNBOOK_THREADS`` (the book's test runner sets 1: its workers already fill the cores).
DEFAULT_THREADS = _threads_from_environment()


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
    return cut(N, C * math.prod(geom.kernel) * geom.out_hw[0] * width * itemsize, speed.chunk_bytes)


def cut(count, item_bytes, chunk_bytes):
    """Slices of ``count`` items of ``item_bytes`` each, at most ``chunk_bytes`` a slice (see :func:`chunks`)."""
    needed = -(-count // max(1, chunk_bytes // item_bytes))           # slices of at most chunk_bytes
    balanced = min(-(-needed // BALANCE) * BALANCE, count * item_bytes // MIN_CHUNK_BYTES)
    parts = min(count, max(needed, balanced))
    return [slice(count * i // parts, count * (i + 1) // parts) for i in range(parts)]


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
    """:func:`cnnbook.conv.im2col` on a grid ``width`` columns wide, images side by side, into ``out`` if given.

    Returns (C*KH*KW, N, H_out*width): row ``(c, a, b)`` holds what tap (a, b) of
    channel c meets in every window of every image, image after image, so that
    one matrix product serves the whole batch (``cnnbook.conv.im2col`` keeps
    the images apart: (N, C*KH*KW, H_out*W_out)). ``width`` is W_out (the
    default) or ``grid_width(geom, W)``; columns past W_out are not windows.

    Examples
    --------
    >>> x, _, _, geom = prepare_conv2d(np.arange(32.0).reshape(2, 1, 4, 4), np.ones((1, 1, 3, 3)))
    >>> im2col(x, geom, grid_width(geom, 4)).shape   # 2 images, rows of 4 columns, 2 of them windows
    (9, 2, 8)
    """
    N, C, _, W = x.shape
    KH, KW = geom.kernel
    H_out, W_out = geom.out_hw
    width = W_out if width is None else width
    if width not in (W_out, grid_width(geom, W)):
        raise ValueError(f"width must be W_out={W_out} or grid_width(geom, W)={grid_width(geom, W)}, "
                         f"got width={width!r}")
    xp = pad(x, geom.pads, spare_rows=int(width > W_out))  # a wide last row runs one row further
    view = windows(xp, geom, width).transpose(1, 4, 5, 0, 2, 3)       # (C, KH, KW, N, H_out, width)
    cols = np.empty(view.shape, dtype=x.dtype) if out is None else out.reshape(view.shape)
    np.copyto(cols, view)
    return cols.reshape(C * KH * KW, N, H_out * width)                 # (C*KH*KW, N, H_out*width)


def col2im(dcols, x_shape, geom, out, speed=SHIPPED):
    """:func:`cnnbook.conv.col2im` of an :func:`im2col` grid (C*KH*KW, N, H_out*width), written into ``out``.

    Columns past W_out must be zero.
    """
    N, C, H, W = x_shape
    H_out, W_out = geom.out_hw
    KH, KW = geom.kernel
    (top, bottom), (left, right) = geom.pads
    dh, dw = geom.dilation
    width = dcols.shape[2] // H_out
    d = dcols.reshape(C, KH, KW, N, H_out, width)
    dxp = scratch("col2im", (C, N, top + H + bottom + int(width > W_out), left + W + right), dcols.dtype, speed)
    dxp.fill(0)
    if width > W_out:
        assert geom.stride == (1, 1) and width == grid_width(geom, W), "a wide grid is for stride 1 only"
        runs = dxp.reshape(C, N, -1)   # stride 1: a tap's outputs are one run of each plane
        for a in range(KH):
            for b in range(KW):
                start = a * dh * dxp.shape[3] + b * dw
                runs[:, :, start:start + H_out * width] += d[:, a, b].reshape(C, N, -1)
    else:
        for a in range(KH):
            for b in range(KW):
                rows, columns = tap_slices(geom, a, b)
                dxp[:, :, rows, columns] += d[:, a, b]       # (C, N, H_out, W_out)
    out[...] = dxp[:, :, top:top + H, left:left + W].transpose(1, 0, 2, 3)
    return out


def on_grid(y, width, name, speed=SHIPPED):
    """(n, K, H_out, W_out) -> (K, n, H_out*width), channels first, with zeros past W_out, in a work array."""
    n, K, H_out, W_out = y.shape
    grid = scratch(name, (K, n, H_out, width), y.dtype, speed)
    grid[..., W_out:] = 0
    grid[..., :W_out] = y.transpose(1, 0, 2, 3)
    return grid.reshape(K, n, H_out * width)


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
        cols = im2col(xb, geom, width, out=scratch("cols", (w_mat.shape[1], n, H_out * width), x.dtype, speed))
        # every filter on every window of every image of the chunk, in one product:
        # (K, C*KH*KW) @ (C*KH*KW, n*H_out*width)
        grid = np.matmul(w_mat, cols.reshape(w_mat.shape[1], -1), out=scratch("out", (K, n * H_out * width),
                                                                                 x.dtype, speed))
        y = grid.reshape(K, n, H_out, width)[..., :W_out].transpose(1, 0, 2, 3)   # (n, K, H_out, W_out)
        if b is None:
            out[batch] = y
        else:
            np.add(y, b[:, None, None], out=out[batch])

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
        cols = im2col(xb, geom, width, out=scratch("cols", (w_mat.shape[1], n, H_out * width), x.dtype, speed))
        cols = cols.reshape(w_mat.shape[1], -1)                            # (C*KH*KW, n*H_out*width)
        d = on_grid(dout[batch], width, "dout", speed).reshape(K, -1)     # (K, n*H_out*width); 0 past W_out
        dcols = np.matmul(w_mat.T, d, out=scratch("dcols", cols.shape, x.dtype, speed))
        col2im(dcols.reshape(-1, n, H_out * width), xb.shape, geom, dx[batch], speed)   # (n, C, H, W)
        # this chunk's share of dw = d @ cols.T, taken transposed: BLAS is faster that way round
        return np.matmul(cols, d.T)                                        # (C*KH*KW, K)

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
        xg = on_grid(x[batch], width, "x", speed)                             # (C_in, n, H*width)
        n = xg.shape[1]
        dcols = np.matmul(w_cols, xg.reshape(C_in, -1),
                          out=scratch("dcols", (w_cols.shape[0], n * H * width), x.dtype, speed))
        col2im(dcols.reshape(-1, n, H * width), (n, C_out, *out_hw), geom, out[batch], speed)
        if b is not None:
            out[batch] += b[:, None, None]

    each_chunk(spread, chunks(N, C_out, geom, width, x.itemsize, speed), speed)
    return out


# ------------------------------------------------ pooling, a few feature maps at a time

def _planes(a):
    """(N, C, H, W) -> (N*C, 1, H, W): pooling treats every feature map alone."""
    return a.reshape(-1, 1, *a.shape[2:])


def _plane_chunks(x_shape, itemsize, speed):
    # the pooling's temporaries (taps, masks, argmax) of a slice stay in cache between passes
    N, C, H, W = x_shape
    return cut(N * C, H * W * itemsize, speed.pool_chunk_bytes)


def max_pool2d_core(x, geom, speed=SHIPPED, winners=True):
    """:func:`cnnbook.pool.max_pool2d_forward` on validated input, a slice of feature maps at a time.

    Returns ``(out, argmax)``, or ``(out, None)`` without ``winners``.
    """
    N, C = x.shape[:2]
    planes = _planes(x)
    out = np.empty((N * C, 1, *geom.out_hw), dtype=x.dtype)
    argmax = np.empty(out.shape, dtype=np.min_scalar_type(math.prod(geom.kernel) - 1)) if winners else None

    def forward(part):
        if winners:
            out[part], argmax[part] = pool.max_pool2d_forward(planes[part], geom)
        else:
            out[part] = pool.window_max(planes[part], geom)[0]

    each_chunk(forward, _plane_chunks(x.shape, x.itemsize, speed), speed)
    return out.reshape(N, C, *geom.out_hw), None if argmax is None else argmax.reshape(N, C, *geom.out_hw)


def max_pool2d_backward_core(dout, argmax, x_shape, geom, speed=SHIPPED):
    """:func:`cnnbook.pool.max_pool2d_backward_from_argmax`, a slice of feature maps at a time."""
    H, W = x_shape[2:]
    d, won = _planes(dout), _planes(argmax)
    dx = np.empty((len(d), 1, H, W), dtype=dout.dtype)

    def backward(part):
        dx[part] = pool.max_pool2d_backward_from_argmax(d[part], won[part], (len(won[part]), 1, H, W), geom)

    each_chunk(backward, _plane_chunks(x_shape, dout.itemsize, speed), speed)
    return dx.reshape(x_shape)


def max_pool2d_backward_from_input(dout, x, geom, speed=SHIPPED):
    """The gradient of max pooling from ``x`` itself, a slice of feature maps at a time, while it is in cache.

    Where the slice's maxima and ``dout`` are all finite, each window offset in
    row-major order takes the gradient where it holds the maximum and no offset
    before it did (PyTorch's tie rule), written straight into ``dx`` without an
    argmax array. Otherwise (a NaN, or a window of nothing but -inf) the slice
    goes through :func:`cnnbook.pool.max_pool2d_forward`'s rules.
    """
    H, W = x.shape[2:]
    planes, d = _planes(x), _planes(dout)
    dx = np.empty(planes.shape, dtype=dout.dtype)
    (top, bottom), (left, right) = geom.pads
    overlapping = geom.stride[0] < geom.kernel[0] or geom.stride[1] < geom.kernel[1]
    # windows that tile the input exactly: every pixel is in one window, so nothing needs zeroing
    tiled = (geom.stride == geom.kernel and top == bottom == left == right == 0
             and H == geom.out_hw[0] * geom.kernel[0] and W == geom.out_hw[1] * geom.kernel[1])

    def backward(part):
        out, taps = pool.window_max(planes[part], geom)
        if not (np.isfinite(out.sum()) and np.isfinite(d[part].sum())):  # a sum is finite only if every term is
            won = pool.max_pool2d_forward(planes[part], geom)[1]
            dx[part] = pool.max_pool2d_backward_from_argmax(d[part], won, (len(won), 1, H, W), geom)
            return
        if tiled:
            dxp = dx[part]
        else:
            dxp = np.zeros((len(out), 1, top + H + bottom, left + W + right), dtype=dout.dtype)
        not_met = np.ones(out.shape, dtype=bool)   # no offset before this one held the maximum
        holds = np.empty(out.shape, dtype=bool)
        for k, (tap, (a, b)) in enumerate(zip(taps, np.ndindex(*geom.kernel))):
            np.equal(tap, out, out=holds)
            won = np.logical_and(holds, not_met, out=holds) if k else holds
            target = _tap_view(dxp, geom, a, b)
            if overlapping:
                target += d[part] * won
            else:
                np.multiply(d[part], won, out=target)
            if k < len(taps) - 1:
                np.logical_and(not_met, np.logical_not(won), out=not_met)
        if not tiled:
            dx[part] = dxp[:, :, top:top + H, left:left + W]

    each_chunk(backward, _plane_chunks(x.shape, x.itemsize, speed), speed)
    return dx.reshape(x.shape)


def _tap_view(a, geom, i, j):
    rows, columns = tap_slices(geom, i, j)
    return a[:, :, rows, columns]


def avg_pool2d_core(x, geom, count_include_pad, speed=SHIPPED):
    """:func:`cnnbook.pool.avg_pool2d_core`, a slice of feature maps at a time."""
    N, C = x.shape[:2]
    planes = _planes(x)
    out = np.empty((N * C, 1, *geom.out_hw), dtype=x.dtype)

    def forward(part):
        out[part] = pool.avg_pool2d_core(planes[part], geom, count_include_pad)

    each_chunk(forward, _plane_chunks(x.shape, x.itemsize, speed), speed)
    return out.reshape(N, C, *geom.out_hw)


def avg_pool2d_backward_core(dout, x_shape, geom, count_include_pad, speed=SHIPPED):
    """:func:`cnnbook.pool.avg_pool2d_backward_core`, a slice of feature maps at a time."""
    H, W = x_shape[2:]
    d = _planes(dout)
    dx = np.empty((len(d), 1, H, W), dtype=dout.dtype)

    def backward(part):
        dx[part] = pool.avg_pool2d_backward_core(d[part], (len(dx[part]), 1, H, W), geom, count_include_pad)

    each_chunk(backward, _plane_chunks(x_shape, dout.itemsize, speed), speed)
    return dx.reshape(x_shape)


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


def max_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Fast :func:`cnnbook.pool.max_pool2d`: same arguments, same result (documented there).

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(2, 3, 7, 7))
    >>> np.array_equal(max_pool2d(x, 3, stride=2, padding=1), pool.max_pool2d(x, 3, stride=2, padding=1))
    True
    """
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    return max_pool2d_core(x, geom, winners=False)[0]


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False):
    """Fast :func:`cnnbook.pool.max_pool2d_backward`: same arguments, same result (documented there)."""
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    dout = check_dout(dout, (*x.shape[:2], *geom.out_hw)).astype(x.dtype, copy=False)
    return max_pool2d_backward_from_input(dout, x, geom)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Fast :func:`cnnbook.pool.avg_pool2d`: same arguments, same result (documented there)."""
    check_bool(count_include_pad, "count_include_pad")
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    return avg_pool2d_core(x, geom, count_include_pad)


def avg_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Fast :func:`cnnbook.pool.avg_pool2d_backward`: same arguments, same result (documented there)."""
    check_bool(count_include_pad, "count_include_pad")
    x, geom = pool_geometry(x, kernel_size, stride, padding, ceil_mode)
    dout = check_dout(dout, (*x.shape[:2], *geom.out_hw)).astype(x.dtype, copy=False)
    return avg_pool2d_backward_core(dout, x.shape, geom, count_include_pad)
