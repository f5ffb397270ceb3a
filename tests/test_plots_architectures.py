"""Tests for cnnbook.plots.architectures: shape tracing, costs, coverage and the figures."""

import numpy as np
import pytest

import cnnbook
from cnnbook import nn
from cnnbook.models import lenet5
from cnnbook.plots.architectures import (
    coverage_counts,
    layer_costs,
    plot_costs,
    plot_coverage,
    plot_map_sizes,
    plot_receptive_field,
    plot_schedule,
    plot_size_profiles,
    receptive_boxes,
    show_receptive_fields,
    trace_layers,
)

VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def _net(rng):
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1, rng=rng), nn.ReLU(),
        nn.Conv2d(8, 8, (3, 5), stride=(1, 2), padding=(1, 0), rng=rng), nn.ReLU(),
        nn.MaxPool2d(3, stride=2), nn.AvgPool2d(2),
        nn.Conv2d(8, 4, 1, rng=rng), nn.Flatten(), nn.Linear(4 * 3 * 1, 5, rng=rng),
    )


def test_layer_costs_matches_forward_pass_and_param_count():
    rng = np.random.default_rng(0)
    net = _net(rng)
    x = rng.normal(size=(2, 3, 14, 13))
    rows = layer_costs(net, (3, 14, 13))
    # Every traced shape equals the shape the real forward pass produces.
    for row in rows:
        x_i = x
        for layer in net.layers[: row["index"] + 1]:
            x_i = layer.forward(x_i)
        assert x_i.shape[1:] == row["shape"], row
    assert sum(r["params"] for r in rows) == net.num_params()
    for row in rows:
        assert row["params"] == net.layers[row["index"]].num_params()


def test_macs_count_the_products_of_a_naive_convolution():
    # One multiply-add per (output position, filter, input channel, kernel tap).
    rows = trace_layers([("conv", 4, (3, 2), 2, 1)], (3, 9, 8))
    K, H_out, W_out = rows[0]["shape"]
    assert rows[0]["macs"] == H_out * W_out * K * 3 * 3 * 2
    assert (H_out, W_out) == cnnbook.conv2d(np.zeros((1, 3, 9, 8)), np.zeros((4, 3, 3, 2)),
                                           stride=2, padding=1).shape[2:]


def test_vgg16_and_lenet_totals():
    specs = [("pool", 2) if c == "M" else ("conv", c, 3, 1, 1) for c in VGG16]
    specs += [("fc", 4096), ("fc", 4096), ("fc", 1000)]
    rows = trace_layers(specs, (3, 224, 224))
    assert sum(r["params"] for r in rows) == 138_357_544  # the published VGG-16 count
    assert rows[-4]["shape"] == (512, 7, 7)
    assert sum(r["params"] for r in layer_costs(lenet5(input_size=32), (1, 32, 32))) == 61706


def test_trace_layers_gap_and_errors():
    rows = trace_layers([("conv", 16, 3), ("gap",), ("fc", 10)], (3, 8, 8))
    assert rows[1]["shape"] == (16, 1, 1) and rows[2]["params"] == 16 * 10 + 10
    with pytest.raises(ValueError, match="kind must be one of"):
        trace_layers([("dense", 10)], (3, 8, 8))
    with pytest.raises(ValueError, match="input_shape"):
        trace_layers([("fc", 10)], (8, 8))
    with pytest.raises(ValueError, match="vector shape"):
        trace_layers([("fc", 10), ("conv", 3, 3)], (3, 8, 8))
    with pytest.raises(ValueError, match="kernel_size"):
        trace_layers([("conv", 3, 9)], (3, 8, 8))
    with pytest.raises(TypeError, match="is not one of"):
        layer_costs(nn.Sequential(nn.Conv2d(1, 1, 1), object.__new__(nn.Layer)), (1, 4, 4))


@pytest.mark.parametrize("size,k,s,p", [(8, 3, 1, 0), (8, 3, 1, 1), (9, 3, 2, 1), ((7, 6), (3, 5), 2, 2), (6, 2, 2, 0)])
def test_coverage_equals_input_gradient_of_all_ones_conv(size, k, s, p):
    # dx of a conv with all-ones filter and all-ones dout adds 1 for every window
    # that reads a pixel: exactly the coverage count.
    H, W = (size, size) if isinstance(size, int) else size
    KH, KW = (k, k) if isinstance(k, int) else k
    x = np.zeros((1, 1, H, W))
    w = np.ones((1, 1, KH, KW))
    out = cnnbook.conv2d(x, w, stride=s, padding=p)
    dx, _, _ = cnnbook.conv2d_backward(np.ones_like(out), x, w, stride=s, padding=p)
    np.testing.assert_array_equal(coverage_counts(H, W, k, s, p), dx[0, 0].astype(int))


def test_figures_draw_the_traced_numbers():
    rows = layer_costs(lenet5(input_size=32), (1, 32, 32))
    fig = plot_costs(rows, "LeNet-5")
    assert fig._suptitle.get_text() == "LeNet-5"
    for ax, key in zip(fig.axes, ("params", "macs")):  # bar lengths are shares of the total, in %
        total = sum(r[key] for r in rows)
        widths = [bar.get_width() for bar in ax.patches]
        np.testing.assert_allclose(widths, [100 * r[key] / total for r in rows if r["params"] > 0])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [r["label"] for r in rows if r["params"]]
    assert fig.axes[0].texts[0].get_text() == "156 (0%)"  # conv 5×5, 6: 5*5*1*6 + 6 weights
    fig = plot_coverage(8, 3, (0, 1, 2))
    for ax, p in zip(fig.axes, (0, 1, 2)):
        np.testing.assert_array_equal(ax.images[0].get_array(), coverage_counts(8, 8, 3, 1, p))
        assert ax.get_title().startswith(f"P = {p}: 8×8 → {cnnbook.conv_output_size(8, 3, 1, p)}×")
    fig = plot_map_sizes(28, (3, 5, 7), 10)
    assert [int(v) for v in fig.axes[0].lines[0].get_ydata()[:4]] == [28, 26, 24, 22]  # 3×3 valid: -2 a layer
    assert list(fig.axes[0].lines[3].get_ydata()) == [28] * 11  # 'same' padding keeps the size
    fig = plot_receptive_field({"a": ([3, 3], [1, 1]), "b": ([3, 2], [1, 2])})
    assert [list(line.get_ydata()) for line in fig.axes[0].lines] == [[1, 3, 5], [1, 3, 4]]
    fig = plot_schedule(rows)
    convs = [r for r in rows if r["kind"] == "conv"]
    assert list(fig.axes[0].lines[0].get_ydata()) == [r["shape"][1] for r in convs]
    assert list(fig.axes[1].lines[0].get_ydata()) == [r["shape"][0] for r in convs]
    np.testing.assert_allclose([b.get_height() for b in fig.axes[2].patches], [r["macs"] / 1e6 for r in convs])
    fig = plot_size_profiles({"LeNet-5": (rows, 32)})
    assert [int(v) for v in fig.axes[0].patches[0].get_data().values] == [32, 28, 14, 10, 5]
    with pytest.raises(ValueError, match="no layer with parameters"):
        plot_costs(trace_layers([("pool", 2)], (1, 4, 4)))
    with pytest.raises(ValueError, match="no conv layer"):
        plot_schedule(trace_layers([("pool", 2)], (1, 4, 4)))


@pytest.mark.parametrize("kernels,strides,paddings,size", [
    ([3, 3, 2, 3, 3, 2], [1, 1, 2, 1, 1, 2], [1, 1, 0, 1, 1, 0], 18),
    ([5, 2, 5], [1, 2, 1], [0, 0, 0], 20),
    ([3, 3, 3], [2, 1, 2], [1, 0, 1], 17),
])
def test_receptive_boxes_match_the_gradient_support(kernels, strides, paddings, size):
    # Backpropagate a one-hot gradient from the chosen unit through an all-ones
    # stack (average pooling for stride-2 layers of kernel 2, strided convs
    # otherwise): the inputs with a non-zero gradient are exactly its field.
    boxes = receptive_boxes(size, kernels, strides, paddings)
    layers = []
    for k, s, p in zip(kernels, strides, paddings):
        if k == 2 and s == 2:
            layers.append(nn.AvgPool2d(2))
        else:
            conv = nn.Conv2d(1, 1, k, stride=s, padding=p)
            conv.params["weight"][...] = 1.0
            layers.append(conv)
    for depth in range(1, len(layers) + 1):
        net = nn.Sequential(*layers[:depth])
        out = net.forward(np.ones((1, 1, size, size)))
        first, last = boxes[depth - 1]
        # the unit index along the axis: invert first = u*j + offset using the width-1 case
        rf, jump = cnnbook.receptive_field(kernels[:depth], strides[:depth])[-1]
        assert last - first + 1 == rf
        offset = -sum(p * cnnbook.receptive_field(kernels[:i], strides[:i])[-1][1] if i else p
                      for i, p in enumerate(paddings[:depth]))
        u = (first - offset) // jump
        dout = np.zeros_like(out)
        dout[0, 0, u, u] = 1.0
        support = np.nonzero(net.backward(dout)[0, 0].any(axis=1))[0]
        assert (support.min(), support.max()) == (max(first, 0), min(last, size - 1))


def test_show_receptive_fields_draws_one_box_per_layer():
    fig = show_receptive_fields(np.zeros((18, 18)), [3, 3, 2], [1, 1, 2], [1, 1, 0])
    assert len(fig.axes[0].get_legend().get_texts()) == 3
    with pytest.raises(ValueError, match="2-D"):
        show_receptive_fields(np.zeros((1, 18, 18)), [3], [1])


def test_network_arithmetic_lives_in_the_core_without_matplotlib():
    import subprocess
    import sys

    import cnnbook.arch
    import cnnbook.plots.architectures as plotted

    assert plotted.trace_layers is cnnbook.arch.trace_layers       # old import path still works
    assert plotted.layer_costs is cnnbook.arch.layer_costs
    assert plotted.coverage_counts is cnnbook.arch.coverage_counts
    code = "import sys, cnnbook.arch; print('matplotlib' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "False"
