"""Smoke test: the benchmark suite runs end to end and reports every case."""

import importlib.util
import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("cnnbook_benchmarks", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_quick_suite_reports_every_case(bench):
    buf = io.StringIO()
    with redirect_stdout(buf):
        rows = bench.main(["--quick", "--threads", "1"])
    text = buf.getvalue()
    ops = [r.op for r in rows]
    assert ops.count("conv2d fwd+bwd") == 10  # 5 shapes x 2 dtypes
    assert ops.count("conv_transpose2d fwd") == 2
    assert {"max_pool2d 2x2/2 fwd+bwd", "avg_pool2d 2x2/2 fwd+bwd", "digits LeNet, 1 epoch"} <= set(ops)
    assert any(op.startswith("widget ") for op in ops)
    assert all(r.ms is not None and r.ms > 0 for r in rows)
    assert rows[0].naive_ms is not None  # the fast-vs-naive case
    assert "| op | shape | dtype | naive ms | cnnbook ms (1t) | torch ms (1t) | cnnbook/torch (1t) |" in text
    assert len([line for line in text.splitlines() if line.startswith("| ")]) == len(rows) + 1


@pytest.mark.torch  # times PyTorch beside cnnbook when it is installed
def test_one_column_per_thread_count_with_torch_at_the_same_count(bench):
    buf = io.StringIO()
    with redirect_stdout(buf):
        rows = bench.main(["--quick", "--threads", "1", "--threads", "2", "--threads", "0", "--only", "pool",
                           "--passes", "2"])
    header = next(line for line in buf.getvalue().splitlines() if line.startswith("| op"))
    assert "cnnbook ms (1t) | torch ms (1t) | cnnbook/torch (1t) | cnnbook ms (2t)" in header
    assert "| cnnbook ms (default) | torch ms (default) | cnnbook/torch (default) |" in header  # --threads 0
    assert len(rows) == 4 and all(set(r.by_threads) == {1, 2, 0} for r in rows)
    assert all(r.by_threads[t].ms > 0 for r in rows for t in (1, 2, 0))
    if bench.torch is not None:
        assert all(len(r.by_threads[t].ratios) == 2 for r in rows for t in (1, 2, 0))   # one per pass


def test_choices_turn_each_speed_measure_off_through_arguments(bench):
    import cnnbook.fast as fast

    before = dict(vars(fast))
    with redirect_stdout(io.StringIO()):
        rows = bench.main(["--quick", "--threads", "1", "--only", "choices"])
    assert len(rows) == 3 * 5  # 3 shapes x (as shipped + 4 measures off)
    assert {r.op for r in rows} >= {"conv2d fwd+bwd, as shipped", "conv2d fwd+bwd, fresh work arrays"}
    assert all(r.ms > 0 for r in rows)
    assert dict(vars(fast)) == before   # no module global was changed, not even for a while


@pytest.mark.parametrize("argv", [["--repeat", "0"], ["--threads", "-1"], ["--passes", "0"], ["--only", "nothing"]])
def test_suite_rejects_bad_arguments(bench, argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench.main(argv)
    assert exit_info.value.code == 2
    assert argv[0] in capsys.readouterr().err
