"""Fast pictures for the explorers: pixel images drawn with numpy, diagrams as SVG.

matplotlib needs 50-200 ms to build and render a figure, too slow for a
slider. The explorers' pictures are simple (pixels, boxes, dots), so they are
drawn directly: raster images as numpy arrays encoded to PNG with Pillow,
the windows diagram as an SVG string. Both take a few milliseconds. The
book's static figures still come from :mod:`cnnbook.plots`; the geometry
(where windows fall) comes from the same :func:`cnnbook.plots.window_geometry`.
"""

import base64
import html
import io

import numpy as np
from matplotlib import colormaps
from PIL import Image

from ..plots.diagrams import windows_to_draw

ORANGE = (0xE6, 0x9F, 0x00)
BLACK = (0, 0, 0)


def colourize(values, cmap="gray", vmin=None, vmax=None, nan=(238, 238, 238)):
    """Map a 2-D array through a colour map to uint8 RGB, shape (H, W, 3)."""
    arr = np.asarray(values, dtype=float)
    finite = arr[np.isfinite(arr)]
    lo = vmin if vmin is not None else (finite.min() if finite.size else 0.0)
    hi = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
    scaled = (arr - lo) / (hi - lo if hi > lo else 1.0)
    rgb = (colormaps[cmap](np.clip(np.nan_to_num(scaled), 0, 1))[..., :3] * 255).astype(np.uint8)  # (H, W, 3)
    rgb[~np.isfinite(arr)] = nan
    return rgb


def as_rgb(image):
    """uint8 grey (H, W) or colour (H, W, 3) image as uint8 RGB (H, W, 3)."""
    img = np.asarray(image)
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)  # (H, W, 3)
    return img.astype(np.uint8)


def upscale(rgb, scale):
    """Nearest-neighbour enlargement: every pixel becomes a scale × scale block."""
    return np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1)  # (H*scale, W*scale, 3)


def draw_box(canvas, top, left, height, width, colour=ORANGE, thickness=3):
    """Outline a box (in canvas pixels) in place, with a 1-pixel black halo on both sides."""
    H, W = canvas.shape[:2]
    t, b = max(top, 0), min(top + height, H)
    lft, r = max(left, 0), min(left + width, W)
    if t >= b or lft >= r:
        return canvas
    for grow, col in ((thickness + 1, BLACK), (thickness, colour)):
        inner = thickness - grow  # halo sticks out by one pixel on each side of the coloured line
        t0, b0 = max(t + inner, 0), min(b - inner, H)
        l0, r0 = max(lft + inner, 0), min(r - inner, W)
        canvas[t0:min(t0 + grow, H), l0:r0] = col
        canvas[max(b0 - grow, 0):b0, l0:r0] = col
        canvas[t0:b0, l0:min(l0 + grow, W)] = col
        canvas[t0:b0, max(r0 - grow, 0):r0] = col
    return canvas


def png_uri(rgb):
    """uint8 RGB array -> ``data:image/png;base64,...``."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def svg_uri(svg):
    """SVG text -> ``data:image/svg+xml;base64,...`` (usable as an ``<img>`` source)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def figure_block(uri, alt, caption):
    """One picture with its alt text and a visible caption."""
    # Pixel images stay sharp when the browser scales them (e.g. on a projector).
    style = ' style="image-rendering:pixelated"' if uri.startswith("data:image/png") else ""
    return (f'<figure style="display:inline-block;margin:0.3em 1em 0.3em 0;vertical-align:top">'
            f'<img src="{uri}" alt="{html.escape(alt, quote=True)}"{style}>'
            f'<figcaption style="font-size:0.9em;line-height:1.3;white-space:normal">'
            f'{html.escape(caption)}</figcaption></figure>')


def windows_svg(rows, cols, alt, cell=None):
    """The padded input, its windows and what the floor drops, as an SVG string.

    Same picture as :func:`cnnbook.plots.draw_windows`, from the same
    :func:`~cnnbook.plots.window_geometry` per-axis results ``rows``, ``cols``.
    """
    PH, PW = rows.size + 2 * rows.pad, cols.size + 2 * cols.pad
    n = max(PH, PW, rows.extent, cols.extent)
    cell = cell or max(9, min(30, 420 // n))
    width, height = max(PW, cols.extent) * cell + 2, max(PH, rows.extent) * cell + 2
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
           f'viewBox="-1 -1 {width} {height}" style="font-family:sans-serif">',
           f"<title>{html.escape(alt)}</title>",
           '<defs><pattern id="cnnbook-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f6d3bd"/>'
           '<line x1="0" y1="0" x2="0" y2="6" stroke="#D55E00" stroke-width="2"/></pattern></defs>']
    fits = rows.count > 0 and cols.count > 0
    for r in range(PH):
        in_r = rows.pad <= r < rows.pad + rows.size
        for c in range(PW):
            inside = in_r and cols.pad <= c < cols.pad + cols.size
            dropped = fits and (r >= rows.covered or c >= cols.covered)
            fill = "url(#cnnbook-hatch)" if dropped else ("#ffffff" if inside else "#d0d0d0")
            out.append(f'<rect x="{c * cell}" y="{r * cell}" width="{cell}" height="{cell}" '
                       f'fill="{fill}" stroke="#909090" stroke-width="0.5"/>')
            if not inside and n <= 16:
                out.append(f'<text x="{c * cell + cell / 2}" y="{r * cell + cell / 2}" font-size="{cell * 0.4:.0f}" '
                           f'text-anchor="middle" dominant-baseline="central" fill="#404040">0</text>')
    out.append(f'<rect x="0" y="0" width="{PW * cell}" height="{PH * cell}" fill="none" stroke="black" stroke-width="1.5"/>')
    if not fits:
        out.append(f'<rect x="0" y="0" width="{cols.extent * cell}" height="{rows.extent * cell}" fill="none" '
                   'stroke="#D55E00" stroke-width="3" stroke-dasharray="8 4"/>')
        out.append("</svg>")
        return "".join(out)
    colours = ("#E69F00", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9")
    dashes = ("", "8 3", "2 3", "8 3 2 3")
    for k, (i, j) in enumerate(windows_to_draw(rows, cols)):
        inset = 2 + 3 * (k % 3)
        x, y = cols.starts[j] * cell + inset, rows.starts[i] * cell + inset
        w, h = cols.extent * cell - 2 * inset, rows.extent * cell - 2 * inset
        dash = dashes[k % len(dashes)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="black" stroke-width="4"/>')
        out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" '
                   f'stroke="{colours[k % len(colours)]}" stroke-width="2.5"{dash_attr}/>')
    side = cell * 0.45
    for a in range(rows.kernel):
        for b in range(cols.kernel):
            r, c = a * rows.dilation, b * cols.dilation
            out.append(f'<rect x="{c * cell + (cell - side) / 2}" y="{r * cell + (cell - side) / 2}" '
                       f'width="{side}" height="{side}" fill="#E69F00" stroke="black" stroke-width="0.7"/>')
    radius = max(1.5, cell * 0.12)
    for r in rows.starts:
        for c in cols.starts:
            out.append(f'<circle cx="{c * cell + cell / 2}" cy="{r * cell + cell / 2}" r="{radius}" fill="black"/>')
    out.append("</svg>")
    return "".join(out)
