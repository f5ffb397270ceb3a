"""Tests for cnnbook.plots.runs: the curves drawn are the numbers passed in."""

import numpy as np
import pytest

from cnnbook.plots._base import new_figure
from cnnbook.plots.runs import plot_agreement, plot_runs


def test_runs_draw_each_series_with_its_own_style():
    runs = {"lr = 0.002": [2.3, 2.29, 2.28], "lr = 0.02": [2.2, 1.1], "lr = 0.2": [1.9, np.nan, 2.3]}
    fig = plot_runs(runs, ylabel="training loss", logy=True, title="three rates")
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == list(runs)
    for line, values in zip(ax.lines, runs.values()):
        np.testing.assert_array_equal(line.get_ydata(), np.asarray(values, dtype=float))
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, len(values) + 1))
    styles = {(line.get_color(), str(line.get_linestyle()), line.get_marker()) for line in ax.lines}
    assert len(styles) == 3
    assert len({line.get_linestyle() for line in ax.lines}) == 3  # distinct in greyscale too
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "training loss"
    assert ax.get_title() == "three rates"


def test_runs_into_given_axes():
    fig = new_figure(3, 2)
    ax = fig.add_subplot(1, 1, 1)
    assert plot_runs({"a": [1.0, 2.0]}, ax=ax) is fig
    assert len(ax.lines) == 1


def test_agreement_plots_both_curves_and_the_difference():
    a = np.array([2.0, 1.5, 1.0, 0.5])
    b = a + np.array([0.0, 1e-15, 0.0, 3e-16])
    fig = plot_agreement(a, b, labels=("numpy", "torch"))
    left, right = fig.axes
    np.testing.assert_array_equal(left.lines[0].get_ydata(), a)
    np.testing.assert_array_equal(left.lines[1].get_ydata(), b)
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["numpy", "torch"]
    diff = right.lines[0].get_ydata()
    assert np.isnan(diff[0]) and np.isnan(diff[2])  # exact agreement is counted, not drawn
    np.testing.assert_allclose(diff[[1, 3]], np.abs(a - b)[[1, 3]])
    assert right.get_yscale() == "log"
    assert "exactly 0 at 2 of 4 steps" in right.get_legend().get_texts()[0].get_text()
    assert right.get_ylabel() == "|numpy − torch|"


def test_agreement_of_identical_runs_has_an_empty_log_axis():
    fig = plot_agreement([1.0, 0.5], [1.0, 0.5])
    right = fig.axes[1]
    assert np.isnan(right.lines[0].get_ydata()).all()
    assert "max 0,\nexactly 0 at 2 of 2 steps" in right.get_legend().get_texts()[0].get_text()


@pytest.mark.parametrize("call, message", [
    (lambda: plot_runs({}), "runs must be a non-empty dict"),
    (lambda: plot_runs([[1.0, 2.0]]), "runs must be a non-empty dict"),
    (lambda: plot_runs({"a": []}), r"runs\['a'\] must be a non-empty 1-D"),
    (lambda: plot_runs({"a": [[1.0]]}), r"runs\['a'\] must be a non-empty 1-D"),
    (lambda: plot_runs({str(i): [1.0] for i in range(7)}), "at most 6 curves"),
    (lambda: plot_agreement([1.0, 2.0], [1.0]), "same length, got 2 and 1"),
    (lambda: plot_agreement([1.0], [1.0], labels=("a",)), "labels must be two strings"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
