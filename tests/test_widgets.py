"""Tests of the explorers: the pure functions (known answers, no exceptions for
disallowed settings) and the ipywidgets wiring (set a control, check what is shown)."""

import re
from html import unescape

import numpy as np
import pytest
from matplotlib.figure import Figure

import cnnbook
from cnnbook import data
from cnnbook.widgets import (
    CLASSES,
    FILTERS,
    conv_step,
    conv_window_explorer,
    gradient_explorer,
    gradient_flow_explorer,
    gradient_flow_view,
    gradient_view,
    output_size_explorer,
    output_size_report,
    pixel_explorer,
    pixel_view,
    pooling_explorer,
    pooling_view,
)

EXPLORERS = [pixel_explorer, conv_window_explorer, output_size_explorer, pooling_explorer,
             gradient_explorer, gradient_flow_explorer]


def cells(html):
    """The texts of the <td> cells of every table in an HTML string."""
    return re.findall(r"<td [^>]*>([^<]*)</td>", html)


def picture_alts(html):
    """Alt texts of every <img> and the <title> of every <svg> in an HTML string."""
    alts = re.findall(r'<img src="data:image/(?:png|svg\+xml);base64,[A-Za-z0-9+/=]+" alt="([^"]+)"', html)
    alts += re.findall(r'<svg [^>]*role="img"[^>]*><title>([^<]+)</title>', html)
    return [unescape(a) for a in alts]


# ---------------------------------------------------------------- output size

@pytest.mark.parametrize("settings, shape", [
    ((7, 7, 3, 1, 0, 1), (5, 5)),
    ((7, 7, 3, 2, 0, 1), (3, 3)),
    ((7, 7, 3, 3, 0, 1), (2, 2)),
    ((7, 7, 3, 3, 1, 1), (3, 3)),
    ((32, 32, 5, 1, 0, 1), (28, 28)),
    ((10, 12, 3, 2, 1, 2), (4, 5)),
])
def test_output_size_known_answers(settings, shape):
    report = output_size_report(*settings)
    assert report.shape == shape and report.error is None
    assert report.summary == f"Output shape: {shape[0]} × {shape[1]}"


def test_output_size_text_shows_the_floor():
    report = output_size_report(7, 7, 3, 3, 0, 1)
    lines = report.text.splitlines()
    assert lines[0] == "height: (7 + 2·0 − 3)/3 + 1 = 2.33 → floor → 2"
    assert "padding=1 makes the division exact: (7 + 2·1 − 3)/3 + 1 = 3" in report.text
    assert "row 6 comes after the last window" in report.text
    exact = output_size_report(7, 7, 3, 2, 0, 1)
    assert exact.text.splitlines()[0] == "height: (7 + 2·0 − 3)/2 + 1 = 3"
    assert "floor" not in exact.text
    dilated = output_size_report(10, 12, 3, 2, 1, 2)
    assert dilated.text.splitlines()[0] == "height: effective kernel = 2·(3 − 1) + 1 = 5"


def test_output_size_shape_always_agrees_with_the_core():
    for n in (3, 6, 7, 10):
        for k in (1, 2, 3, 5):
            for s in (1, 2, 3):
                for p in (0, 1, 2):
                    for d in (1, 2):
                        report = output_size_report(n, n + 1, k, s, p, d)
                        try:
                            expected = cnnbook.conv_output_size((n, n + 1), k, s, p, d)
                        except ValueError:
                            assert report.shape is None and report.error
                        else:
                            assert report.shape == expected and report.error is None


@pytest.mark.parametrize("settings, words", [
    ((3, 3, 5, 1, 0, 1), "does not fit the padded input on the height axis"),
    ((5, 3, 4, 1, 0, 1), "does not fit the padded input on the width axis"),
    ((7, 7, 3, 0, 0, 1), "stride must be"),
    ((7, 7, 3, 1, -1, 1), "padding must be"),
    ((7, 7, 3.5, 1, 0, 1), "kernel_size must be"),
])
def test_output_size_disallowed_settings_explain(settings, words):
    report = output_size_report(*settings)
    assert report.shape is None and report.summary == "Output shape: none"
    assert words in report.error
    state = report.state()  # drawn as an explanation, never an exception
    assert state["error"] == report.error and state["summary"] == "Output shape: none"


def test_output_size_error_says_how_to_fix():
    report = output_size_report(3, 3, 5, 1, 0, 1)
    assert "padding of at least 1" in report.error and "kernel of at most 3" in report.error


def test_output_size_names_every_unread_pixel():
    # A 1x1 kernel with stride 2 reads 16 of 64 pixels: gaps between windows and the floor.
    report = output_size_report(8, 8, 1, 2, 0, 1)
    assert "rows 1, 3, 5 lie between windows and are never read: the stride 2 is larger than the kernel 1." \
        in report.text
    assert "row 7 comes after the last window" in report.text
    assert report.text.endswith("Input pixels that no window reads: 48 of 64.")
    # Dilation holes: taps at 0, 2, 4 of each 5-wide window.
    holes = output_size_report(9, 9, 3, 4, 0, 2)
    assert "rows 1, 3, 5, 7 fall in the holes of the dilated kernel" in holes.text
    assert holes.text.endswith("56 of 81.")
    # Padding that is not read is nobody's loss: only input pixels are counted.
    assert output_size_report(7, 7, 3, 2, 1, 1).text.endswith("Every one of the 49 input pixels is read by some window.")


def test_output_size_state_is_the_windows_picture():
    state = output_size_report(7, 7, 3, 3, 0, 1).state()
    picture = state["picture"]
    assert picture["kind"] == "windows" and picture["caption"].endswith("→ output 2×2")
    assert picture["rows"]["starts"] == [0, 3] and picture["rows"]["read"] == [True] * 6 + [False]
    assert picture["outlined"] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert state["summary"] == "Output shape: 2 × 2" and state["error"] is None and state["grids"] == []
    bad = output_size_report(3, 3, 5).state()
    assert bad["picture"]["outlined"] == [] and "does not fit" in bad["error"]


# ---------------------------------------------------------------- pixels

def test_pixel_view_values_are_the_image():
    view = pixel_view("eight", "gray", 2, 8, 3)
    np.testing.assert_array_equal(view.values, data.eight()[2:5, 8:11])
    assert view.summary == "Rows 2–4, columns 8–10 of the grey levels: values 0 to 255"
    full = pixel_view()
    np.testing.assert_array_equal(full.values, data.eight())


def test_pixel_view_colour_channels():
    rgb = data.photo("chelsea")
    for i, channel in enumerate("RGB"):
        view = pixel_view("chelsea", channel, 100, 200, 4)
        np.testing.assert_array_equal(view.values, rgb[100:104, 200:204, i])
    gray = pixel_view("chelsea", "gray", 100, 200, 4)
    np.testing.assert_array_equal(gray.values, data.photo("chelsea", gray=True)[100:104, 200:204])


@pytest.mark.parametrize("args, words", [
    (("camera", "R"), "camera is a grey image"),
    (("camera", "gray", 510, 0, 8), "choose row from 0 to 504"),
    (("eight", "gray", 0, 5, 18), "choose col from 0 to 0"),
    (("eight", "gray", 0, 0, 0), "size must be"),
    (("mars", "gray"), "image must be one of"),
    (("astronaut", "X"), "channel must be one of"),
])
def test_pixel_view_disallowed_settings(args, words):
    view = pixel_view(*args)
    assert words in view.error and view.values is None
    state = view.state()  # drawn as an explanation: the image without a window, or no picture
    assert state["error"] == view.error and state["summary"] in ("No window", "No image") and state["grids"] == []
    assert state["picture"] is None if args[0] == "mars" else state["picture"]["box"] is None


def test_pixel_view_state_is_the_window_and_the_image():
    state = pixel_view("chelsea", "B", row=128, col=156, size=8).state()
    (grid,) = state["grids"]
    assert grid["values"] == data.photo("chelsea")[128:136, 156:164, 2].tolist()
    assert grid["origin"] == [128, 156] and (grid["vmin"], grid["vmax"]) == (0, 255)
    assert grid["caption"] == "blue channel, rows 128–135, columns 156–163"
    picture = state["picture"]
    assert picture["kind"] == "pixels" and picture["image"] == "chelsea" and picture["show"] == "B"
    assert picture["box"] == [128, 156, 8] and (picture["H"], picture["W"]) == (300, 451)
    assert picture["caption"] == "chelsea, blue channel (300×451)"
    assert pixel_view("chelsea", "gray", 0, 0, 4).state()["picture"]["show"] == "RGB"  # the photo in colour
    assert pixel_view("coins").state()["picture"]["show"] == "gray"


# ---------------------------------------------------------------- conv window

def test_conv_step_matches_conv2d():
    image = data.eight()
    for name, kernel in FILTERS.items():
        step = conv_step("eight", name, row=4, col=6, stride=2, padding=1)
        full = cnnbook.conv2d(image[None, None].astype(float), kernel[None, None], stride=2, padding=1)[0, 0]
        np.testing.assert_allclose(step.output, full)
        assert step.total == pytest.approx(full[4, 6])
        np.testing.assert_allclose(step.products, step.window * kernel)
        padded = np.pad(image.astype(float), 1)
        np.testing.assert_array_equal(step.window, padded[8:11, 12:15])


def test_conv_step_builds_the_map_row_by_row():
    step = conv_step("eight", "blur", row=1, col=2)
    assert step.output.shape == (16, 16)
    assert np.isfinite(step.partial).sum() == 16 + 3
    assert step.summary == f"output[1, 2] = {step.total:g}"
    custom = conv_step(np.arange(16.0).reshape(4, 4), np.ones((2, 2)), 0, 0)
    assert custom.total == 0 + 1 + 4 + 5 and custom.kernel_name == "custom"


@pytest.mark.parametrize("kwargs, words", [
    (dict(row=16), "does not exist"),
    (dict(kernel="wobble"), "kernel must be one of"),
    (dict(image="mars"), "image must be one of"),
    (dict(stride=0), "stride"),
    (dict(image=np.zeros((2, 2))), "does not fit"),
])
def test_conv_step_disallowed_settings(kwargs, words):
    step = conv_step(**kwargs)
    assert words in step.error and step.total is None
    state = step.state()  # drawn as an explanation, never an exception
    assert state["error"] == step.error and state["summary"] == "No output" and state["grids"] == []
    assert state["picture"] is None or (state["picture"]["box"] is None and state["picture"]["map"] is None)


def test_conv_step_state_is_the_three_grids_and_the_map_so_far():
    step = conv_step("eight", "edge-x", row=1, col=5, padding=1)
    window, kernel, products = step.state()["grids"]
    assert window["values"] == np.pad(data.eight(), 1)[1:4, 5:8].tolist() and window["origin"] == [0, 4]
    assert kernel["values"] == FILTERS["edge-x"].tolist() and (kernel["vmin"], kernel["vmax"]) == (-2, 2)
    assert kernel["cmap"] == products["cmap"] == "PuOr"
    assert products["caption"] == f"window × kernel (sum = {step.total:g})"
    picture = step.state()["picture"]
    assert picture["kind"] == "conv-window" and picture["image"] == "eight" and picture["padding"] == 1
    assert picture["box"] == [1, 5, 3, 3] and picture["caption"] == "input (zero padding 1)"
    drawn = np.array(picture["map"]["values"], dtype=float)  # None (not computed yet) -> NaN
    assert drawn.shape == (18, 18) and np.isfinite(drawn).sum() == 18 + 6
    assert picture["map"]["cmap"] == "PuOr" and picture["map"]["vmin"] == -picture["map"]["vmax"]  # signed map
    assert conv_step("eight", "blur").state()["picture"]["map"]["cmap"] == "viridis"
    custom = conv_step(np.arange(16.0).reshape(4, 4), np.ones((2, 2))).state()["picture"]
    assert custom["image"] is None and custom["input"] == np.arange(16.0).reshape(4, 4).tolist()


# ---------------------------------------------------------------- pooling

@pytest.mark.parametrize("kind, fn", [("max", cnnbook.max_pool2d), ("avg", cnnbook.avg_pool2d),
                                      ("L2", cnnbook.lp_pool2d)])
def test_pooling_view_matches_the_core(kind, fn):
    x = np.random.default_rng(1).integers(0, 10, size=(7, 7)).astype(float)
    view = pooling_view(kind, 3, 2, 1, row=1, col=2, x=x)
    np.testing.assert_allclose(view.output, fn(x[None, None], 3, 2, 1)[0, 0])
    assert view.shape == (4, 4) and view.summary == "Output shape: 4 × 4"  # (7 + 2 - 3)/2 + 1


def test_pooling_view_text():
    x = np.arange(16.0).reshape(4, 4)
    assert pooling_view("max", 2, 2, x=x, row=1, col=1).text.startswith("output[1, 1] = max(10, 11, 14, 15) = 15")
    assert pooling_view("avg", 2, 2, x=x).text.startswith("output[0, 0] = (0 + 1 + 4 + 5)/4 = 2.5")
    assert pooling_view("max", 2, 2, padding=1, x=x).text.startswith("output[0, 0] = max(−∞, −∞, −∞, 0) = 0")
    assert "(6 + 2·0 − 3)/2 + 1 = 2.5 → floor → 2" in pooling_view("max", 3, 2).text


@pytest.mark.parametrize("kwargs, words", [
    (dict(padding=2), "at most half"),
    (dict(kernel_size=7), "does not fit"),
    (dict(kind="median"), "kind must be one of"),
    (dict(row=3), "does not exist"),
])
def test_pooling_view_disallowed_settings(kwargs, words):
    view = pooling_view(**kwargs)
    assert words in view.error and view.output is None and view.summary == "Output shape: none"


def test_pooling_default_input_is_seeded():
    a, b = pooling_view(), pooling_view(rng=np.random.default_rng(0))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, pooling_view(rng=np.random.default_rng(5)).x)


def test_pooling_state_outlines_the_window_and_its_output():
    x = np.arange(16.0).reshape(4, 4)
    inp, out = pooling_view("max", 3, 1, padding=1, row=1, col=2, x=x).state()["grids"]
    # padding drawn blank as −∞, headers from -1, the window of output (1, 2) outlined
    assert inp["values"][0] == [None] * 6 and inp["values"][1] == [None, 0.0, 1.0, 2.0, 3.0, None]
    assert inp["blank"] == "−∞" and inp["origin"] == [-1, -1] and inp["caption"] == "input with padding 1 (−∞)"
    assert np.argwhere(inp["highlight"]).tolist() == [[r, c] for r in (1, 2, 3) for c in (2, 3, 4)]
    assert out["values"] == cnnbook.max_pool2d(x[None, None], 3, 1, 1)[0, 0].tolist()
    assert np.argwhere(out["highlight"]).tolist() == [[1, 2]] and (inp["vmin"], inp["vmax"]) == (0.0, 15.0)
    avg = pooling_view("avg", 2, 2, padding=1, x=x).state()["grids"][0]
    assert avg["blank"] == "0" and avg["caption"] == "input with padding 1 (0)"


# ---------------------------------------------------------------- gradients

def test_gradient_view_reproduces_the_classic_derivation():
    view = gradient_view()  # 3x3 input 1..9, 2x2 kernel 1..4, one-hot dout at (0, 0)
    np.testing.assert_array_equal(view.dw, [[1, 2], [4, 5]])
    np.testing.assert_array_equal(view.dx, [[1, 2, 0], [3, 4, 0], [0, 0, 0]])
    np.testing.assert_array_equal(view.counts, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert view.feeds.all() and view.summary == "Input pixel (1, 1) feeds 4 outputs"
    corner = gradient_view(in_row=0, in_col=0)
    assert corner.summary == "Input pixel (0, 0) feeds 1 output"


def test_gradient_view_uses_the_core_backward():
    x = np.random.default_rng(0).normal(size=(6, 5))
    w = np.random.default_rng(1).normal(size=(3, 3))
    view = gradient_view(kernel_size=3, stride=2, padding=1, out_row=1, out_col=2, in_row=2, in_col=4, x=x, w=w)
    dout = np.zeros((1, 1, 3, 3))
    dout[0, 0, 1, 2] = 1
    dx, dw, _ = cnnbook.conv2d_backward(dout, x[None, None], w[None, None], 2, 1)
    np.testing.assert_allclose(view.dx, dx[0, 0])
    np.testing.assert_allclose(view.dw, dw[0, 0])
    assert int(view.feeds.sum()) == int(view.counts[2, 4])


def test_gradient_state_shows_every_grid():
    state = gradient_view().state()  # the classic 3x3 input, 2x2 kernel, dout one-hot at (0, 0)
    grids = {g["caption"]: g for g in state["grids"]}
    assert list(grids) == ["input x (outlined: window of the output)", "kernel w", "dout: one-hot at output (0, 0)",
                           "dW = window of x", "dX = w placed on the window", "outputs that read each input",
                           "outputs fed by input (1, 1)"]
    assert grids["dW = window of x"]["values"] == [[1, 2], [4, 5]]
    assert grids["dX = w placed on the window"]["values"] == [[1, 2, 0], [3, 4, 0], [0, 0, 0]]
    assert grids["dX = w placed on the window"]["highlight"] == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
    assert (grids["kernel w"]["vmin"], grids["kernel w"]["vmax"]) == (-4.0, 4.0)  # diverging, centred on 0
    assert grids["outputs that read each input"]["values"] == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    assert grids["outputs fed by input (1, 1)"]["highlight"] == [[1, 1], [1, 1]]
    assert state["summary"] == "Input pixel (1, 1) feeds 4 outputs" and state["picture"] is None
    assert gradient_view(kernel_size=1, padding=2).state()["grids"][3]["values"] == [[0.0]]  # window all padding


def test_gradient_flow_state():
    state = gradient_flow_view("avg", 3, 1, padding=1, size=3).state()
    x, out, dout, dx = state["grids"]
    assert dout["values"] == np.arange(1, 10.0).reshape(3, 3).tolist() and x["caption"].startswith("input x")
    assert state["summary"].startswith("sum of dx = ") and "The sums differ" in state["text"]
    assert np.all(np.array(dx["highlight"]) == (np.array(dx["values"]) != 0)) and out["caption"] == "avg output"
    assert gradient_flow_view("max", 3, 1, padding=2).state()["grids"] == []


@pytest.mark.parametrize("kwargs, words", [
    (dict(out_row=2), "output position (2, 0) does not exist"),
    (dict(in_col=3), "input pixel (1, 3) does not exist"),
    (dict(kernel_size=4), "does not fit"),
    (dict(stride=0), "stride"),
])
def test_gradient_view_disallowed_settings(kwargs, words):
    view = gradient_view(**kwargs)
    assert words in view.error and view.dx is None
    assert view.state()["error"] == view.error and view.state()["grids"] == []


def test_gradient_flow_max_routes_ties_to_the_first_max():
    x = np.array([[1., 3., 2., 2.], [0., 1., 0., 0.], [0., 0., 5., 0.], [0., 0., 0., 0.]])
    view = gradient_flow_view("max", 2, 2, x=x)
    np.testing.assert_array_equal(view.dx, [[0, 1, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])
    assert view.summary == "sum of dx = 10 = sum of dout"
    overlapping = gradient_flow_view("max", 2, 1, x=x)
    np.testing.assert_allclose(
        overlapping.dx, cnnbook.max_pool2d_backward(overlapping.dout[None, None], x[None, None], 2, 1)[0, 0])


def test_gradient_flow_default_input_has_a_tie():
    view = gradient_flow_view("max")
    assert view.x[0, 0] == view.x[0, 1] == view.x[:2, :2].max()
    assert view.dx[0, 0] == 1 and view.dx[0, 1] == 0


def test_gradient_flow_other_layers():
    avg = gradient_flow_view("avg", 2, 2)
    np.testing.assert_allclose(avg.dx, np.kron(avg.dout, np.ones((2, 2))) / 4)
    relu = gradient_flow_view("ReLU")
    np.testing.assert_array_equal(relu.dx, np.where(relu.x > 0, relu.dout, 0))
    assert "blocked" in relu.text
    l2 = gradient_flow_view("L2", 2, 2)
    np.testing.assert_allclose(
        l2.dx, cnnbook.lp_pool2d_backward(l2.dout[None, None], l2.x[None, None], 2, 2, p=2)[0, 0])
    bad = gradient_flow_view("max", 3, 1, padding=2)
    assert "at most half" in bad.error and bad.dx is None


# ---------------------------------------------------------------- wiring

@pytest.mark.parametrize("make", EXPLORERS)
def test_every_explorer_starts_meaningful_and_labelled(make):
    ex = make()
    assert ex.result.error is None
    assert CLASSES["root"] in ex._dom_classes and f"cnnbook-{ex.name}" in ex._dom_classes
    for name, control in ex.controls.items():
        assert control.description, name  # screen readers need a label
        assert f"cnnbook-control-{name}" in control._dom_classes
    state = ex.view.state
    assert state == ex.state == ex.result.state()
    assert state["summary"] and state["error"] is None
    assert state["picture"] or state["grids"]  # something to look at
    if state["picture"]:
        assert state["picture"]["alt"] and state["picture"]["kind"]  # every picture has alt text
    assert ex.last_redraw_ms > 0
    # The web book's copy of the explorer: the same first state, and controls it can draw.
    html = ex._repr_mimebundle_()["text/html"]
    assert f'data-cnnbook-explorer="{ex.name}"' in html and "cnnbook-live" in html


def test_output_size_wiring():
    ex = output_size_explorer()
    assert ex.state["summary"] == "Output shape: 2 × 2" and ex.view.summary_class == "cnnbook-shape"
    assert "2.33 → floor → 2" in ex.state["text"]
    before = ex.view.state["picture"]
    ex.controls["stride"].value = 1
    assert ex.view.state["summary"] == "Output shape: 5 × 5" and ex.result.shape == (5, 5)
    assert ex.view.state["picture"] != before and "floor" not in ex.view.state["text"]
    ex.set(height=3, kernel_size=5)
    assert ex.view.state["summary"] == "Output shape: none"
    assert "does not fit" in ex.view.state["error"]
    ex.controls["padding"].value = 1
    assert ex.view.state["summary"] == "Output shape: 1 × 5" and ex.view.state["error"] is None  # (3 + 2 - 5)/1 + 1
    with pytest.raises(ValueError, match="unknown control"):
        ex.set(colour=1)


def test_pixel_wiring_follows_the_image():
    ex = pixel_explorer()
    assert ex.state["grids"][0]["values"] == data.eight().tolist()
    assert list(ex.controls["channel"].options) == ["gray"]
    assert list(ex.view.data["images"]) == ["eight"]  # the "8" is inline: nothing else is sent
    ex.set(image="astronaut", size=4, row=10, col=20)
    assert list(ex.controls["channel"].options) == ["gray", "R", "G", "B"]
    assert ex.controls["row"].max == 512 - 4
    assert sorted(ex.view.data["images"]["astronaut"]["planes"]) == ["B", "G", "R", "gray"]  # for the picture
    assert list(ex.data["images"]) == ["eight"]  # the page's inline data stays small
    ex.controls["channel"].value = "G"
    expected = data.photo("astronaut")[10:14, 20:24, 1]
    assert ex.view.state["grids"][0]["values"] == expected.tolist()
    assert "green channel" in ex.view.state["summary"]
    ex.controls["image"].value = "coins"  # grey: the channel falls back to gray
    assert ex.controls["channel"].value == "gray" and ex.result.error is None
    assert list(ex.view.data["images"]) == ["eight", "coins"]


def test_conv_window_wiring():
    ex = conv_window_explorer()
    assert ex.state["summary"] == f"output[3, 5] = {ex.result.total:g}" == "output[3, 5] = 735"
    assert ex.view.summary_class == "cnnbook-sum"
    assert ex.controls["row"].max == 15
    ex.controls["stride"].value = 2
    assert ex.controls["row"].max == 7
    ex.set(kernel="identity", row=2, col=2)
    assert ex.result.total == data.eight()[5, 5]
    assert ex.view.state["summary"] == f"output[2, 2] = {data.eight()[5, 5]}"
    assert ex.data["images"]["camera"] == conv_step("camera").image.tolist()  # what the page computes from


def test_pooling_wiring():
    ex = pooling_explorer()
    assert ex.state["summary"] == "Output shape: 3 × 3" and ex.view.state == ex.state
    ex.set(kernel_size=3, stride=1)
    assert ex.state["summary"] == "Output shape: 4 × 4" and ex.controls["row"].max == 3
    ex.controls["padding"].value = 2
    assert ex.state["summary"] == "Output shape: none" and "at most half" in ex.state["error"]
    assert [g["caption"] for g in ex.state["grids"]] == ["input with padding 2 (−∞)"]  # no output to show
    ex.controls["padding"].value = 1
    ex.controls["kind"].value = "avg"
    out = ex.result.output
    assert ex.state["grids"][1]["values"] == out.tolist() and ex.state["grids"][1]["caption"] == "avg pool output 6 × 6"


def test_gradient_wiring():
    ex = gradient_explorer()
    assert ex.state["summary"] == "Input pixel (1, 1) feeds 4 outputs"
    ex.set(height=5, width=5, kernel_size=3, stride=2)
    assert ex.controls["out_row"].max == 1 and ex.controls["in_row"].max == 4
    assert ex.state["summary"] == "Input pixel (1, 1) feeds 1 output"
    ex.set(in_row=2, in_col=2)
    assert ex.state["summary"] == "Input pixel (2, 2) feeds 4 outputs" and ex.view.state == ex.state


def test_gradient_flow_wiring():
    ex = gradient_flow_explorer()
    assert ex.state["summary"] == "sum of dx = 10 = sum of dout"
    assert ex.view.summary_class == "cnnbook-flow"
    ex.controls["kind"].value = "L2"
    assert ex.state["summary"].startswith("sum of dx = ") and "sum of dout = 10" in ex.state["summary"]
    ex.controls["kind"].value = "ReLU"
    assert ex.result.dx.shape == (4, 4) and "blocked" in ex.state["text"]
    assert ex.state["grids"][3]["values"] == ex.result.dx.tolist()


def test_output_size_picture_follows_the_setting():
    ex = output_size_explorer()
    assert "13 input pixels that no window reads are hatched" in ex.result.alt
    assert ex.view.state["picture"]["caption"].endswith("output 2×2")
    ex.controls["padding"].value = 1
    assert ex.view.state["picture"]["caption"].endswith("output 3×3") and "hatched" not in ex.result.alt


def test_set_does_not_depend_on_the_order_of_settings():
    ex = pixel_explorer()  # the whole 8: the row slider's range is 0..0 until the size shrinks
    ex.set(row=2, col=8, size=3)
    np.testing.assert_array_equal(ex.result.values, data.eight()[2:5, 8:11])
    assert ex.values() == {"image": "eight", "channel": "gray", "row": 2, "col": 8, "size": 3}
