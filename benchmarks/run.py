"""cnnbook's performance suite: each kernel beside its loop twin and PyTorch.

Run from the repository root::

    python benchmarks/run.py              # full suite, at 1 thread and at every core
    python benchmarks/run.py --quick      # tiny shapes, one repeat: a smoke run

For every case it prints the op, shape and dtype; the median time of the loop
("naive") version; for each thread count (``--threads``, by default 1 and
every usable core), the median time of cnnbook and of PyTorch's CPU kernels
(when torch is installed) with that many threads on both sides, and their
ratio; and, at the last thread count, the achieved GFLOP/s as a fraction of
a numpy matmul of equal work measured in the same run. PyTorch is only a
yardstick here, never a dependency.
"""

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field

import numpy as np

import cnnbook as cb
from cnnbook import fast, models
from cnnbook.data import load_digits

try:
    import torch
except ImportError:  # the suite still runs, without the PyTorch column
    torch = None


@dataclass
class Row:
    op: str
    shape: str
    dtype: str
    naive_ms: float = None
    ms: float = None
    torch_ms: float = None
    matmul_ms: float = None  # numpy matmul of the same FLOPs, for the efficiency column
    gflop: float = None
    notes: list = field(default_factory=list)
    # per thread count: {threads: Row} with ms, torch_ms (and matmul_ms) at that count
    by_threads: dict = field(default_factory=dict)
    ratios: list = field(default_factory=list)   # cnnbook/torch of each pass

    @property
    def ratio(self):
        if self.ratios:
            return statistics.median(self.ratios)
        return self.ms / self.torch_ms if self.ms and self.torch_ms else None


_BLAS = None


@contextlib.contextmanager
def thread_setting(threads):
    """``threads`` threads for numpy's BLAS, for cnnbook's fast path and for PyTorch, within the block.

    0 changes nothing: each library runs as it does for a user who sets nothing (numpy's BLAS
    and PyTorch on every core, cnnbook on ``cnnbook.fast.DEFAULT_THREADS``).
    """
    global _BLAS
    from threadpoolctl import ThreadpoolController

    if threads == 0:
        yield
        return
    if _BLAS is None:
        _BLAS = ThreadpoolController()   # found once: scanning the loaded libraries takes a while
    before = torch.get_num_threads() if torch is not None else None
    with _BLAS.limit(limits=threads, user_api="blas"), fast.using_threads(threads):
        if torch is not None:
            torch.set_num_threads(threads)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)


def label(threads):
    """A column's name for a thread count: "1t", "2t", or "default" for 0."""
    return "default" if threads == 0 else f"{threads}t"


def median_ms(fn, repeat, warmup=1):
    """Median wall time of ``fn()`` in milliseconds over ``repeat`` runs."""
    return median_ms_side_by_side([fn], repeat, warmup)[0]


def median_ms_side_by_side(fns, repeat, warmup=1):
    """Median wall time (ms) of each of ``fns`` over ``repeat`` rounds, run in turn within a round.

    Taking turns means that a busy moment of the machine slows every side
    alike, instead of whichever happened to be running then. Each turn starts
    with one untimed call: PyTorch's OpenMP threads keep spinning on the cores
    for a while after its call returns, and a call timed right after them would
    find one core taken (cnnbook's two-thread path measured 9.3 ms alone and
    14.4 ms right after a two-thread PyTorch call, on the 3x3 case).
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, bucket in zip(fns, times):
            fn()                                   # settles: the other side's threads go quiet
            start = time.perf_counter()
            fn()
            bucket.append((time.perf_counter() - start) * 1e3)
    return [statistics.median(bucket) for bucket in times]


# ------------------------------------------------------------------ conv

def conv_case(x_shape, w_shape, stride, padding, dtype, repeat, naive=False):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    out = cb.conv2d(x, w, b, stride, padding)
    dout = rng.standard_normal(out.shape).astype(dtype)
    N, C, _, _ = x_shape
    K, _, KH, KW = w_shape
    _, _, H_out, W_out = out.shape
    row = Row("conv2d fwd+bwd", f"{x_shape}x{w_shape} s{stride} p{padding}", np.dtype(dtype).name)

    def ours():
        cb.conv2d(x, w, b, stride, padding)
        cb.conv2d_backward(dout, x, w, stride, padding)

    if naive:
        def loops():
            cb.conv2d_naive(x, w, b, stride, padding)
            cb.conv2d_backward_naive(dout, x, w, stride, padding)
        row.naive_ms = median_ms(loops, 1, warmup=0)
    # Three GEMMs of the same size: forward, dw and dx.
    M, Kd = N * H_out * W_out, C * KH * KW
    a = rng.standard_normal((M, Kd)).astype(dtype)
    m = rng.standard_normal((Kd, K)).astype(dtype)
    row.matmul_ms = 3 * median_ms(lambda: a @ m, repeat)
    row.gflop = 3 * 2 * M * Kd * K / 1e9
    if torch is not None:
        xt = torch.from_numpy(x).requires_grad_()
        wt = torch.from_numpy(w).requires_grad_()
        bt = torch.from_numpy(b).requires_grad_()
        dt = torch.from_numpy(dout)

        def theirs():
            xt.grad = wt.grad = bt.grad = None
            torch.nn.functional.conv2d(xt, wt, bt, stride, padding).backward(dt)

        row.ms, row.torch_ms = median_ms_side_by_side([ours, theirs], repeat)
    else:
        row.ms = median_ms(ours, repeat)
    return row


def conv_transpose_case(x_shape, w_shape, stride, padding, dtype, repeat):
    """The upsampling layer of chapter 12: forward only (its gradients are conv2d's)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)   # (C_in, C_out, KH, KW)
    row = Row("conv_transpose2d fwd", f"{x_shape}x{w_shape} s{stride} p{padding}", np.dtype(dtype).name)

    def ours():
        cb.conv_transpose2d(x, w, stride=stride, padding=padding)

    if torch is None:
        row.ms = median_ms(ours, repeat)
        return row
    xt, wt = torch.from_numpy(x), torch.from_numpy(w)

    def theirs():
        torch.nn.functional.conv_transpose2d(xt, wt, stride=stride, padding=padding)

    row.ms, row.torch_ms = median_ms_side_by_side([ours, theirs], repeat)
    return row


# --------------------------------------------------------------- pooling

def pool_case(kind, shape, dtype, repeat, naive=False):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    forward = {"max": cb.max_pool2d, "avg": cb.avg_pool2d}[kind]
    backward = {"max": cb.max_pool2d_backward, "avg": cb.avg_pool2d_backward}[kind]
    dout = rng.standard_normal(forward(x, 2, 2).shape).astype(dtype)
    row = Row(f"{kind}_pool2d 2x2/2 fwd+bwd", str(shape), np.dtype(dtype).name)

    def ours():
        forward(x, 2, 2)
        backward(dout, x, 2, 2)

    if naive and kind == "max":
        def loops():
            cb.max_pool2d_naive(x, 2, 2)
            cb.max_pool2d_backward_naive(dout, x, 2, 2)
        row.naive_ms = median_ms(loops, 1, warmup=0)
    if torch is not None:
        tfun = {"max": torch.nn.functional.max_pool2d, "avg": torch.nn.functional.avg_pool2d}[kind]
        xt = torch.from_numpy(x).requires_grad_()
        dt = torch.from_numpy(dout)

        def theirs():
            xt.grad = None
            tfun(xt, 2, 2).backward(dt)

        row.ms, row.torch_ms = median_ms_side_by_side([ours, theirs], repeat)
    else:
        row.ms = median_ms(ours, repeat)
    return row


# ------------------------------------------------------------ LeNet epoch

def to_torch(model):
    """The same network in PyTorch, with cnnbook's initial weights copied over."""
    layers = []
    for layer in model.layers:
        name = type(layer).__name__
        if name == "Conv2d":
            K, C, KH, KW = layer.params["weight"].shape
            t = torch.nn.Conv2d(C, K, (KH, KW), stride=layer.stride, padding=layer.padding)
        elif name == "Linear":
            out_f, in_f = layer.params["weight"].shape
            t = torch.nn.Linear(in_f, out_f)
        elif name == "ReLU":
            t = torch.nn.ReLU()
        elif name == "MaxPool2d":
            t = torch.nn.MaxPool2d(layer.kernel_size, layer.stride)
        elif name == "AvgPool2d":
            t = torch.nn.AvgPool2d(layer.kernel_size, layer.stride)
        elif name == "Flatten":
            t = torch.nn.Flatten()
        else:
            raise ValueError(f"no PyTorch twin for layer {name}")
        if "weight" in layer.params:
            with torch.no_grad():
                t.weight.copy_(torch.from_numpy(layer.params["weight"]))
                t.bias.copy_(torch.from_numpy(layer.params["bias"]))
        layers.append(t)
    return torch.nn.Sequential(*layers).double()


def lenet_epoch_case(repeat, quick):
    images, labels = load_digits()
    if quick:
        images, labels = images[:256], labels[:256]
    cfg = models.DIGITS_TRAINING
    row = Row("digits LeNet, 1 epoch", f"{images.shape} batch {cfg['batch_size']}", "float64")

    def ours():
        model = models.digits_lenet(np.random.default_rng(0))
        opt = cb.optim.SGD(model, lr=cfg["lr"], momentum=cfg["momentum"])
        models.train_epoch(model, opt, images, labels, cfg["batch_size"], rng=np.random.default_rng(1))

    if torch is not None:
        x_all = torch.from_numpy(images)
        y_all = torch.from_numpy(labels)

        def theirs():
            net = to_torch(models.digits_lenet(np.random.default_rng(0)))
            opt = torch.optim.SGD(net.parameters(), lr=cfg["lr"], momentum=cfg["momentum"])
            order = np.random.default_rng(1).permutation(len(images))
            for start in range(0, len(order), cfg["batch_size"]):
                idx = torch.from_numpy(order[start:start + cfg["batch_size"]])
                opt.zero_grad()
                torch.nn.functional.cross_entropy(net(x_all[idx]), y_all[idx]).backward()
                opt.step()

        row.ms, row.torch_ms = median_ms_side_by_side([ours, theirs], repeat)
    else:
        row.ms = median_ms(ours, repeat)
    return row


# ------------------------------------------- what each speed measure buys

def choice_cases(repeat, quick):
    """conv2d fwd+bwd as shipped, and with one of its speed measures turned off at a time.

    The measures are those described in ``cnnbook.fast``: rows as wide as the
    padded input at stride 1 (``grid_width``), work arrays kept between calls
    (``scratch``) and cache-sized chunks of images (``CHUNK_BYTES``). Each is
    turned off through the ``speed`` argument of the fast path's core functions.
    """
    from cnnbook.fast import Speed, conv2d_backward_core, conv2d_core
    from cnnbook.geometry import prepare_conv2d

    variants = {
        "as shipped": Speed(),
        "exact grid at stride 1": Speed(wide_rows=False),
        "fresh work arrays": Speed(reuse_work=False),
        "whole batch, one chunk": Speed(chunk_bytes=1 << 40),
        "chunks of 256 KiB": Speed(chunk_bytes=256 << 10),
    }
    shapes = [((32, 16, 16, 16), (32, 16, 3, 3), 1, 1), ((64, 6, 14, 14), (16, 6, 5, 5), 1, 0),
              ((64, 3, 32, 32), (16, 3, 5, 5), 1, 2)]
    rows = []
    for x_shape, w_shape, stride, padding in shapes:
        if quick:
            x_shape = (max(1, x_shape[0] // 8), *x_shape[1:])
        rng = np.random.default_rng(0)
        x = rng.standard_normal(x_shape).astype(np.float32)
        w = rng.standard_normal(w_shape).astype(np.float32)
        dout = rng.standard_normal(cb.conv2d(x, w, None, stride, padding).shape).astype(np.float32)

        def run(speed):
            # what cnnbook.conv2d and conv2d_backward do, with the speed measures chosen
            xv, wv, _, geom = prepare_conv2d(x, w, None, stride, padding)
            conv2d_core(xv, wv, None, geom, speed)
            conv2d_backward_core(dout, xv, wv, geom, speed)

        times = median_ms_side_by_side([lambda s=s: run(s) for s in variants.values()], repeat)
        for name, ms in zip(variants, times):
            row = Row(f"conv2d fwd+bwd, {name}", f"{x_shape}x{w_shape} s{stride} p{padding}", "float32")
            row.ms = ms
            rows.append(row)
    return rows


# -------------------------------------------------------- widget latency

def widget_cases(repeat):
    """Median time from setting a control's value to the explorer's updated output."""
    from cnnbook import widgets

    rows = []
    for name in sorted(n for n in dir(widgets) if n.endswith("_explorer")):
        explorer = getattr(widgets, name)()
        times = []
        for control in explorer.controls.values():
            options = _values_to_try(control)
            for value in options * max(1, repeat // max(1, len(options))):
                start = time.perf_counter()
                control.value = value  # the explorer redraws synchronously
                times.append((time.perf_counter() - start) * 1e3)
        row = Row(f"widget {name}", f"{len(times)} slider moves", "-")
        row.ms = statistics.median(times) if times else None
        rows.append(row)
    return rows


def _values_to_try(control):
    if hasattr(control, "options") and control.options:
        values = list(getattr(control, "_options_values", None) or control.options)
        return [v[1] if isinstance(v, tuple) else v for v in values][:4]
    if hasattr(control, "min") and hasattr(control, "max"):
        lo, hi = control.min, control.max
        return sorted({lo, (lo + hi) // 2, hi, control.value})
    return []


# ----------------------------------------------------------------- report

def _fmt(value, spec="{:.2f}"):
    return "-" if value is None else spec.format(value)


def machine_description(thread_counts):
    counts = " and ".join(map(str, thread_counts)).replace("0", "the default number of")
    lines = [f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
             f"{os.cpu_count()} logical cores ({fast.usable_cores()} usable), {counts} thread(s) for BLAS,"
             f" cnnbook and PyTorch (cnnbook's default: {fast.DEFAULT_THREADS}, numpy's BLAS: "
             f"{_blas_threads()}, PyTorch: {torch.get_num_threads() if torch is not None else '-'})",
             f"load average {os.getloadavg()[0]:.2f} at the start"]
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), None)
        if model:
            lines.append(f"cpu: {model}")
    except OSError:
        pass
    if torch is not None:
        lines.append(f"torch {torch.__version__}")
    return "\n".join(lines)


def _blas_threads():
    from threadpoolctl import threadpool_info

    return ", ".join(str(lib["num_threads"]) for lib in threadpool_info() if lib["user_api"] == "blas") or "-"


def print_table(rows, thread_counts, out=None):
    out = out or sys.stdout
    header = ["op", "shape", "dtype", "naive ms"]
    for t in thread_counts:
        header += [f"cnnbook ms ({label(t)})", f"torch ms ({label(t)})", f"cnnbook/torch ({label(t)})"]
    header += ["fast vs naive", f"GFLOP/s ({label(thread_counts[-1])})", f"of matmul ({label(thread_counts[-1])})"]
    table = []
    for r in rows:
        line = [r.op, r.shape, r.dtype, _fmt(r.naive_ms, "{:.0f}")]
        for t in thread_counts:
            at = r.by_threads.get(t)
            line += [_fmt(at and at.ms), _fmt(at and at.torch_ms), _fmt(at and at.ratio, "{:.2f}x")]
        first = r.by_threads.get(thread_counts[0])
        last = r.by_threads.get(thread_counts[-1])
        gflops = r.gflop / (last.ms / 1e3) if r.gflop and last and last.ms else None
        line += [_fmt(r.naive_ms / first.ms if r.naive_ms and first and first.ms else None, "{:.0f}x"),
                 _fmt(gflops, "{:.1f}"),
                 _fmt(last.matmul_ms / last.ms if last and last.matmul_ms and last.ms else None, "{:.0%}")]
        table.append(line)
    print("| " + " | ".join(header) + " |", file=out)
    print("|" + "|".join("---" for _ in header) + "|", file=out)
    for line in table:
        print("| " + " | ".join(line) + " |", file=out)


def merge(runs):
    """One Row from the Rows of one case measured at several thread counts, in several passes.

    ``runs`` is a list of (threads, Row). Each thread count gets the median over
    passes of the medians; its ratio is the median of the passes' own ratios
    (each pass times cnnbook and PyTorch in turns, so a pass's ratio is fair).
    """
    first = runs[0][1]
    row = Row(first.op, first.shape, first.dtype, gflop=first.gflop)
    row.naive_ms = next((r.naive_ms for _, r in runs if r.naive_ms is not None), None)
    for threads in dict.fromkeys(t for t, _ in runs):
        mine = [r for t, r in runs if t == threads]
        at = Row(first.op, first.shape, first.dtype)
        for name in ("ms", "torch_ms", "matmul_ms"):
            values = [getattr(r, name) for r in mine if getattr(r, name) is not None]
            setattr(at, name, statistics.median(values) if values else None)
        at.ratios = [r.ratio for r in mine if r.ratio is not None]
        row.by_threads[threads] = at
    row.ms, row.torch_ms = at.ms, at.torch_ms   # the last thread count's, as the single-column API had
    row.ratios = at.ratios
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes and one repeat (smoke run)")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per case (median reported)")
    parser.add_argument("--passes", type=int, default=None,
                        help="times the whole list of cases is measured, one case after another"
                             " (median of the passes reported; default 3, --quick 1)")
    parser.add_argument("--threads", type=int, action="append",
                        help="threads for numpy's BLAS, cnnbook's fast path and PyTorch; repeatable, one"
                             " column each; 0 leaves every library at its own default (default: 1 and 0)")
    parser.add_argument("--only", choices=["conv", "pool", "lenet", "widgets", "choices"], action="append",
                        help="run only these groups (repeatable); 'choices' (conv2d with each of its speed"
                             " measures turned off in turn) runs only when asked for")
    args = parser.parse_args(argv)
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 7)
    passes = args.passes if args.passes is not None else (1 if args.quick else 3)
    if repeat < 1:
        parser.error(f"--repeat must be at least 1, got --repeat={repeat}")
    if passes < 1:
        parser.error(f"--passes must be at least 1, got --passes={passes}")
    for threads in args.threads or []:
        if threads < 0:
            parser.error(f"--threads must be 0 (each library's default) or a positive count, got --threads={threads}")
    thread_counts = list(dict.fromkeys(args.threads or [1, 0]))
    groups = set(args.only or ["conv", "pool", "lenet", "widgets"])

    print(machine_description(thread_counts))
    print(f"median of {passes} pass(es) of the median of {repeat} run(s); naive loop versions run once\n")

    scale = 8 if args.quick else 1  # --quick divides the batch and the sizes
    cases = []   # (name, measure(naive) -> Row or list of Rows); measured at every thread count
    if "conv" in groups:
        conv_shapes = [
            ((64, 3, 32, 32), (16, 3, 5, 5), 1, 2, True),
            ((32, 16, 16, 16), (32, 16, 3, 3), 1, 1, False),
            ((32, 16, 16, 16), (32, 16, 3, 3), 2, 1, False),
            ((64, 1, 32, 32), (6, 1, 5, 5), 1, 0, False),    # LeNet-5 C1
            ((64, 6, 14, 14), (16, 6, 5, 5), 1, 0, False),   # LeNet-5 C3
        ]
        for x_shape, w_shape, stride, padding, naive in conv_shapes:
            if args.quick:
                x_shape = (max(1, x_shape[0] // scale), *x_shape[1:])
            for dtype in (np.float32, np.float64):
                cases.append(lambda first, a=(x_shape, w_shape, stride, padding, dtype, repeat), n=naive:
                             conv_case(*a, naive=n and first and a[4] == np.float32))
        for dtype in (np.float32, np.float64):  # 2x upsampling, as in chapter 12
            cases.append(lambda first, d=dtype: conv_transpose_case(
                (max(1, 32 // scale), 16, 16, 16), (16, 8, 4, 4), 2, 1, d, repeat))
    if "pool" in groups:
        shape = (64 // scale, 16, 32, 32)
        for kind in ("max", "avg"):
            for dtype in (np.float32, np.float64):
                cases.append(lambda first, k=kind, d=dtype: pool_case(k, shape, d, repeat,
                                                                       naive=first and d == np.float32))
    if "lenet" in groups:
        cases.append(lambda first: lenet_epoch_case(max(1, min(repeat, 3)), args.quick))
    if "choices" in groups:
        cases.append(lambda first: choice_cases(repeat, args.quick))

    # Case after case, each at every thread count in turn, the whole list `passes` times:
    # a busy spell of the machine then touches one pass of a few cases, not all passes of one.
    runs = {}
    for p in range(passes):
        for i, measure in enumerate(cases):
            for t_index, threads in enumerate(thread_counts):
                with thread_setting(threads):
                    got = measure(p == 0 and t_index == 0)   # the loop versions run once, at 1 thread
                for j, row in enumerate(got if isinstance(got, list) else [got]):
                    runs.setdefault((i, j), []).append((threads, row))
    rows = [merge(runs[key]) for key in sorted(runs)]
    if "widgets" in groups:   # no PyTorch twin and no threads: measured once, at the last thread count
        with thread_setting(thread_counts[-1]):
            for row in widget_cases(repeat):
                row.by_threads[thread_counts[-1]] = Row(row.op, row.shape, row.dtype, ms=row.ms)
                rows.append(row)
    print_table(rows, thread_counts)
    return rows


if __name__ == "__main__":
    main()
