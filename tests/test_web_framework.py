"""The page-side explorer code: Python-identical number formatting, colour maps,
tables, and a twin for every explorer of the book."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

import cnnbook.widgets
from cnnbook.plots._base import auto_fmt, cell_colours, format_value, text_colour
from cnnbook.widgets import web
from web_twins import run_js


def test_colormaps_js_is_generated_from_matplotlib():
    committed = (web.JS_DIR / "colormaps.js").read_text(encoding="utf-8")
    assert committed == web.colormaps_js(), "run: python -m cnnbook.widgets.web colormaps"


def test_fixed_formats_like_python():
    rng = np.random.default_rng(0)
    values = list(rng.normal(size=400) * 10.0 ** rng.integers(-6, 6, size=400))
    values += [0.125, 0.375, 2.5, 3.5, -0.5, -2.5, 0.0, -0.0, 1e-7, -1e-7, 0.005, 0.015, 1.005, 12345.675,
               1 / 3, 2 / 3, 1e15 + 0.5, 7.0, -7.25, 0.045, 99.995]
    values += [k / 8 for k in range(-40, 41)] + [k / 1024 for k in range(0, 60)]
    for digits in (0, 1, 2, 3, 4):
        js = run_js("(E, xs) => xs.map(x => E.py.fixed(x, %d))" % digits, values)
        py = [f"{v:.{digits}f}" for v in values]
        wrong = [(v, a, b) for v, a, b in zip(values, py, js) if a != b]
        assert not wrong, f".{digits}f: {wrong[:5]}"


def test_repr_and_format_like_python():
    rng = np.random.default_rng(1)
    values = list(rng.normal(size=300) * 10.0 ** rng.integers(-8, 18, size=300))
    values += [0.1 + 0.2, 1e-5, 1e-4, 1e16, 1e15, 123456789012345678.0, 2.0, -3.0, 0.5, 1 / 3, -0.0, 0.0]
    js = run_js("(E, xs) => xs.map(x => E.py.repr(x))", values)
    assert js == [repr(float(v)) for v in values]
    js = run_js("(E, xs) => xs.map(x => E.py.format('{:+.3f}', x))", values[:50])
    assert js == [f"{v:+.3f}" for v in values[:50]]


def test_auto_fmt_and_cell_text_like_the_book_figures():
    rng = np.random.default_rng(2)
    grids = [rng.integers(-9, 10, size=(3, 4)).astype(float), rng.normal(size=(2, 2)),
             rng.normal(size=(3, 3)) * 30, rng.normal(size=(2, 3)) * 300, np.array([[np.nan, 1.0]]),
             np.array([[0.5, -0.004]]), np.array([[1.0000001, 2.0]])]
    payload = [web.to_json(g) for g in grids]
    js = run_js("(E, gs) => gs.map(g => { const f = E.py.autoFmt(g); "
                "return [f, E.flat(g).filter(v => v !== null).map(v => E.py.formatValue(f, v))]; })", payload)
    for g, (fmt, texts) in zip(grids, js):
        assert fmt == auto_fmt(g)
        assert texts == [format_value(fmt, v) for v in g.ravel() if np.isfinite(v)]


@pytest.mark.parametrize("cmap", web.COLORMAPS)
def test_table_colours_are_matplotlib_colours(cmap):
    rng = np.random.default_rng(3)
    values = rng.normal(size=(6, 7))
    values[0, 0] = values.min() - 1  # the ends of the range
    values[5, 6] = values.max() + 1
    spec = web.grid(values, cmap=cmap, highlight=values > 1)
    html = run_js("(E, spec) => E.gridTable(spec)", spec)
    cells = re.findall(r'<td( class="cnnbook-hl")? style="[^"]*background:(#[0-9a-f]{6});color:(\w+)[^"]*">([^<]*)</td>',
                       html)
    assert len(cells) == values.size
    rgba = cell_colours(values, cmap, values.min(), values.max()).reshape(-1, 4)
    want = ["#{:02x}{:02x}{:02x}".format(*(int(round(255 * c)) for c in row[:3])) for row in rgba]
    assert [c[1] for c in cells] == want
    assert [c[2] for c in cells] == [text_colour(row) for row in rgba]
    assert [bool(c[0]) for c in cells] == list((values > 1).ravel())
    assert [c[3] for c in cells] == [format_value(auto_fmt(values), v) for v in values.ravel()]


def test_every_explorer_of_the_book_has_a_twin_in_the_page():
    folder = Path(cnnbook.widgets.__file__).parent
    source = "\n".join(p.read_text(encoding="utf-8") for p in folder.glob("*.py"))
    names = set(re.findall(r'Explorer\(\s*"([\w-]+)"', source))
    assert {"output-size", "pixels", "conv-window", "pooling", "gradient", "gradient-flow", "loss",
            "detection", "shift"} <= names
    twins = set(run_js("(E) => Object.keys(E.explorers)"))
    assert names <= twins, f"explorers with no page-side twin: {sorted(names - twins)}"


def test_static_html_cannot_close_its_script_early():
    ex = cnnbook.widgets.output_size_explorer()
    ex.title = "a </script><script>alert(1)</script> title"
    html = web.static_html(ex)
    assert html.count("</script>") == 1 and "<\\/script>" in html
    assert math.isclose(len(html), len(html))  # built without NaN (allow_nan=False would raise)


def test_to_json_makes_nan_and_inf_null():
    assert web.to_json([np.nan, np.inf, -np.inf, np.float32(1.5)]) == [None, None, None, 1.5]


def test_bad_arguments_are_named():
    from cnnbook.plots import unread_pixels, window_geometry

    with pytest.raises(ValueError, match="names must be a list of on-demand data names"):
        web.write_site_data("/nonexistent-never-created", names=["no-such-data"])
    with pytest.raises(ValueError, match="cmap='jet' is not exported"):
        web.grid([[1.0]], cmap="jet")
    rows, _ = window_geometry(4, 4, 3)
    with pytest.raises(TypeError, match="cols must be an AxisWindows"):
        unread_pixels(rows, (4, 0))


def test_general_format_like_python_including_exact_ties():
    rng = np.random.default_rng(5)
    values = list(rng.normal(size=300) * 10.0 ** rng.integers(-9, 12, size=300))
    values += [1125.0, 1135.0, 1145.0, 2.5e-05, 3.5e-05, 0.000125, 12345.0, 99950.0, 9995000.0, 125.0,
               1e16, 2.5, 0.5, -1125.0, 1e-300, 123456789.0, 0.0, -0.0]
    for precision in (1, 2, 3, 6):
        js = run_js("(E, xs) => xs.map(x => E.py.general(x, %d))" % precision, values)
        py = [f"{v:.{precision}g}" for v in values]
        wrong = [(v, a, b) for v, a, b in zip(values, py, js) if a != b]
        assert not wrong, f".{precision}g: {wrong[:5]}"
