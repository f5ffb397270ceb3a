"""The fast path on several threads: the same numbers as on one, and no threads left behind."""

import re
import threading

import numpy as np
import pytest

import cnnbook as cb
from cnnbook import fast, nn
from cnnbook.fast import Speed, conv2d_backward_core, conv2d_core, conv_transpose2d_core
from cnnbook.geometry import prepare_conv2d, prepare_conv_transpose2d

threadpool_limits = pytest.importorskip("threadpoolctl").threadpool_limits

# (x shape, w shape, conv2d keywords, chunk_bytes): many chunks, an odd number, a short batch
CASES = [
    ((13, 3, 11, 9), (4, 3, 3, 3), dict(padding=1), 3000),
    ((9, 2, 10, 10), (5, 2, 3, 2), dict(stride=2, padding=(1, 0)), 2000),
    ((6, 4, 8, 8), (3, 4, 3, 3), dict(padding="same", dilation=2), 1),
    ((32, 16, 16, 16), (32, 16, 3, 3), dict(padding=1), fast.CHUNK_BYTES),   # a benchmark case
]


def run_all(x, w, b, kw, speed):
    xv, wv, bv, geom = prepare_conv2d(x, w, b, **kw)
    out = conv2d_core(xv, wv, bv, geom, speed)
    dout = np.random.default_rng(1).standard_normal(out.shape).astype(x.dtype)
    grads = conv2d_backward_core(dout, xv, wv, geom, speed)
    wt = np.random.default_rng(2).standard_normal((w.shape[0], 3, 4, 4)).astype(x.dtype)
    bt = np.arange(3, dtype=x.dtype)
    up = conv_transpose2d_core(*prepare_conv_transpose2d(out, wt, bt, stride=2, padding=1), speed=speed)
    return (out, *grads, up)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, w_shape, kw, chunk_bytes", CASES)
def test_same_numbers_on_1_2_3_and_4_threads(x_shape, w_shape, kw, chunk_bytes, dtype, rng):
    # exact equality: the chunks do not depend on the thread count, each chunk's
    # products are the same on any thread, and the chunks' dw shares are added in chunk order.
    # The reference runs with BLAS on one thread, as the pool's threads do: OpenBLAS
    # itself may round differently on two of its own threads (it does for this float32
    # benchmark case on an AMD EPYC machine), which is not the chunking's doing.
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    with threadpool_limits(limits=1, user_api="blas"):
        one = run_all(x, w, b, kw, Speed(chunk_bytes=chunk_bytes, threads=1))
    for threads in (2, 3, 4):
        many = run_all(x, w, b, kw, Speed(chunk_bytes=chunk_bytes, threads=threads))
        for a, c in zip(one, many):
            np.testing.assert_array_equal(a, c)


def test_chunks_do_not_depend_on_the_thread_count_and_come_in_fours():
    _, _, _, geom = prepare_conv2d(np.ones((32, 16, 16, 16)), np.ones((32, 16, 3, 3)), None, padding=1)
    cut = fast.chunks(32, 16, geom, 18, 4)
    assert [(s.start, s.stop) for s in cut] == [(0, 8), (8, 16), (16, 24), (24, 32)]
    assert [s.stop - s.start for s in fast.chunks(5, 16, geom, 18, 4)] == [1, 1, 1, 2]
    # a tiny input is one chunk: no chunk is cut smaller than MIN_CHUNK_BYTES
    assert len(fast.chunks(4, 1, geom, 18, 4)) == 1


def test_public_functions_and_layers_follow_using_threads(rng):
    x = rng.standard_normal((8, 3, 12, 12)).astype(np.float32)
    w = rng.standard_normal((6, 3, 3, 3)).astype(np.float32)
    with fast.using_threads(1):
        assert fast.thread_count() == 1
        want = cb.conv2d(x, w, padding=1)
        layer = nn.Conv2d(3, 6, 3, padding=1, rng=np.random.default_rng(0))
        want_layer = layer.forward(x.astype(np.float64))
    with fast.using_threads(2):
        assert fast.thread_count() == 2
        assert fast.thread_count(Speed(threads=3)) == 3    # an explicit Speed wins
        np.testing.assert_array_equal(cb.conv2d(x, w, padding=1), want)
        np.testing.assert_array_equal(layer.forward(x.astype(np.float64)), want_layer)
    assert fast.thread_count() == fast.DEFAULT_THREADS   # back to the default


def test_default_threads_come_from_the_environment_or_the_cores(monkeypatch):
    monkeypatch.delenv("CNNBOOK_THREADS", raising=False)
    assert fast._threads_from_environment() == fast.usable_cores()
    monkeypatch.setenv("CNNBOOK_THREADS", " 3 ")
    assert fast._threads_from_environment() == 3
    for bad in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv("CNNBOOK_THREADS", bad)
        with pytest.raises(ValueError, match=rf"CNNBOOK_THREADS must be a positive whole number of threads, "
                                             rf"got CNNBOOK_THREADS='{re.escape(bad)}'"):
            fast._threads_from_environment()


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_bad_thread_counts_are_refused(bad):
    with pytest.raises(ValueError, match=rf"threads must be a positive int or None, got threads={bad!r}"):
        Speed(threads=bad)
    with pytest.raises(ValueError, match=r"got threads="):
        with fast.using_threads(bad):
            pass


def _pool_threads():
    return [t for t in threading.enumerate() if t.name.startswith("cnnbook-fast")]


def test_no_thread_leak_and_blas_threads_restored(rng):
    from threadpoolctl import threadpool_info

    blas_before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    x = rng.standard_normal((16, 4, 10, 10))
    w = rng.standard_normal((5, 4, 3, 3))
    for _ in range(20):
        for threads in (2, 4, 3, 2):
            speed = Speed(chunk_bytes=1, threads=threads)
            xv, wv, _, geom = prepare_conv2d(x, w, None, padding=1)
            out = conv2d_core(xv, wv, None, geom, speed)
            conv2d_backward_core(out, xv, wv, geom, speed)
    # one pool for the process, of at most (largest thread count - 1) threads
    assert len(_pool_threads()) <= 3
    assert threading.active_count() <= len(_pool_threads()) + 8
    assert [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"] == blas_before


def test_calls_from_several_threads_at_once_share_the_pool(rng):
    # user threads that each run a threaded conv: every result is right, BLAS is restored after
    from concurrent.futures import ThreadPoolExecutor
    from threadpoolctl import threadpool_info

    blas_before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    cases = [(rng.standard_normal((12, 3, 12, 12)), rng.standard_normal((5, 3, 3, 3))) for _ in range(6)]
    speed = Speed(chunk_bytes=1, threads=2)

    def run(case):
        xv, wv, _, geom = prepare_conv2d(*case, None, padding=1)
        return conv2d_backward_core(conv2d_core(xv, wv, None, geom, speed), xv, wv, geom, speed)

    expected = [run(case) for case in cases]
    with ThreadPoolExecutor(4) as pool:
        for got, want in zip(pool.map(run, cases * 3), expected * 3):
            for a, c in zip(got, want):
                np.testing.assert_array_equal(a, c)
    assert [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"] == blas_before


def test_an_error_in_a_worker_reaches_the_caller():
    def work(batch):
        if batch == 3:
            raise RuntimeError("chunk 3 failed")
        return batch

    with pytest.raises(RuntimeError, match="chunk 3 failed"):
        fast.each_chunk(work, list(range(8)), Speed(threads=2))
    assert fast.each_chunk(lambda batch: batch * 2, list(range(8)), Speed(threads=2)) == list(range(0, 16, 2))


# (x shape, pooling keywords): windows that tile, overlap, pad and run past the edge (ceil_mode)
POOL_CASES = [
    ((5, 3, 8, 8), dict(kernel_size=2)),
    ((4, 2, 11, 10), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((3, 5, 7, 9), dict(kernel_size=3, stride=1, padding=1)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, kw", POOL_CASES)
def test_pooling_gives_the_readable_numbers_in_any_slices_on_any_thread_count(x_shape, kw, dtype, rng):
    # the fast pooling cuts the feature maps into slices and shares them among threads; every
    # window stays inside one feature map, so the numbers must be exactly pool.py's. Ties (small
    # integers), a NaN and a feature map of -inf test the winner rules slice by slice.
    from cnnbook import pool
    from cnnbook.geometry import pool_geometry

    x = rng.integers(0, 4, x_shape).astype(dtype)
    x[0, 0, 1, 1] = np.nan
    x[-1, -1] = -np.inf
    xv, geom = pool_geometry(x, **kw)
    dout = rng.standard_normal((*x_shape[:2], *geom.out_hw)).astype(dtype)
    dout[0, -1, 0, 0] = np.inf
    want = [pool.max_pool2d(x, **kw), pool.max_pool2d_backward(dout, x, **kw),
            pool.avg_pool2d(x, **kw), pool.avg_pool2d_backward(dout, x, **kw)]
    for threads in (1, 2, 3):
        for pool_chunk_bytes in (1, 300, fast.POOL_CHUNK_BYTES):
            speed = Speed(threads=threads, pool_chunk_bytes=pool_chunk_bytes)
            out, argmax = fast.max_pool2d_core(xv, geom, speed)
            got = [out, fast.max_pool2d_backward_from_input(dout, xv, geom, speed),
                   fast.avg_pool2d_core(xv, geom, True, speed),
                   fast.avg_pool2d_backward_core(dout, x.shape, geom, True, speed)]
            for name, a, c in zip(["max", "max backward", "avg", "avg backward"], want, got):
                np.testing.assert_array_equal(c, a, err_msg=f"{name}, {threads} threads, {pool_chunk_bytes} B")
            np.testing.assert_array_equal(fast.max_pool2d_backward_core(dout, argmax, x.shape, geom, speed), want[1])
    with fast.using_threads(2):   # the public functions take the fast path
        np.testing.assert_array_equal(cb.max_pool2d_backward(dout, x, **kw), want[1])
        np.testing.assert_array_equal(nn.MaxPool2d(**kw).forward(x), want[0])
