"""The fast path on several threads: the same numbers as on one, and no threads left behind."""

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
    # exact equality: the chunks do not depend on the thread count, each image's
    # products are computed alone, and the chunks' dw shares are added in chunk order.
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
    assert fast.thread_count() == fast.DEFAULT_THREADS == 1   # back to the default: one thread


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
