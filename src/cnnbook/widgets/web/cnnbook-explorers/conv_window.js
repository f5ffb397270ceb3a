/* Convolution-window explorer (chapter 3): the page-side twin of
 * cnnbook.widgets.conv_window.conv_step, and the 'conv-window' picture
 * (the padded input with the window, and the activation map so far).
 * tests/test_web_conv_window.py compares compute() with Python on every
 * output position of every image, filter, stride and padding of the sliders. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};
  E.pictures = E.pictures || {};

  var IMAGES = ["eight", "camera"];  // CONV_IMAGES; their pixels come in the explorer's data
  var FILTERS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "edge-x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "edge-y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "blur": [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
  };
  var DIVERGING = "PuOr";  // cnnbook.plots._base.DIVERGING

  function strRepr(s) {  // Python's repr of a str (the quotes it picks)
    s = String(s);
    if (s.indexOf("'") >= 0 && s.indexOf('"') < 0) { return '"' + s.replace(/\\/g, "\\\\") + '"'; }
    return "'" + s.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
  }

  /** numpy's float64 sum of a contiguous array: 0.0 + pairwise summation (8 accumulators).
   * The printed sum uses 6 significant digits, so it must be the same float as Python's. */
  function pairwise(a, lo, n) {
    var i, res;
    if (n < 8) {
      res = -0;
      for (i = 0; i < n; i++) { res += a[lo + i]; }
      return res;
    }
    if (n <= 128) {
      var r = a.slice(lo, lo + 8);
      for (i = 8; i < n - (n % 8); i += 8) {
        for (var j = 0; j < 8; j++) { r[j] += a[lo + i + j]; }
      }
      res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) { res += a[lo + i]; }
      return res;
    }
    var n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return pairwise(a, lo, n2) + pairwise(a, lo + n2, n - n2);
  }
  function npSum(flatValues) { return 0 + pairwise(flatValues, 0, flatValues.length); }

  function g(x, p) { return E.py.general(x, p); }

  var absMax = E.absMax;

  function grid(values, caption, cmap, vmin, vmax, origin) {  // cnnbook.widgets.web.grid
    return { values: values, caption: caption, fmt: "auto", cmap: cmap, vmin: vmin, vmax: vmax,
             highlight: null, origin: origin, blank: "" };
  }

  function pad(image, p) {  // np.pad(image.astype(float), p): (H + 2p, W + 2p)
    var H = image.length, W = image[0].length;
    return E.range(H + 2 * p).map(function (i) {
      return E.range(W + 2 * p).map(function (j) {
        var r = i - p, c = j - p;
        return r >= 0 && r < H && c >= 0 && c < W ? image[r][c] : 0;
      });
    });
  }

  function compute(v, data) {
    var state = { summary: "No output", error: null, text: "", grids: [], picture: null };
    var row = v.row, col = v.col, stride = v.stride, padding = v.padding;
    if (IMAGES.indexOf(v.image) < 0) {
      state.error = "image must be one of " + IMAGES.join(", ") + " or a 2-D array; got " + strRepr(v.image);
      return state;
    }
    var image = data.images[v.image];
    var picture = { kind: "conv-window", alt: "", image: v.image, padding: 0, caption: "input", box: null, map: null,
                    vmax: 255 };
    state.picture = picture;
    if (!Object.prototype.hasOwnProperty.call(FILTERS, v.kernel)) {
      state.error = "kernel must be one of " + Object.keys(FILTERS).join(", ") + " or a 2-D array; got " +
        strRepr(v.kernel);
      picture.alt = "No picture: the setting is not allowed.";
      return state;
    }
    // conv_output_size's checks, in its order (the page's sliders never break them)
    if (!(Number.isInteger(stride) && stride >= 1)) {
      state.error = "stride must be a positive int or a pair of positive ints, got stride=" + stride;
    } else if (!(Number.isInteger(padding) && padding >= 0)) {
      state.error = "padding must be a non-negative int or a pair of non-negative ints, got padding=" + padding;
    }
    if (state.error) {
      picture.alt = "The input image; the setting is not allowed.";
      return state;
    }
    var kernel = FILTERS[v.kernel], KH = kernel.length, KW = kernel[0].length;
    var H = image.length, W = image[0].length;
    var H_out = Math.floor((H + 2 * padding - KH) / stride) + 1, W_out = Math.floor((W + 2 * padding - KW) / stride) + 1;
    var padded = pad(image, padding);
    picture.padding = padding;
    picture.caption = "input" + (padding ? " (zero padding " + padding + ")" : "");
    picture.vmax = Math.max(255, absMax(padded));
    if (!(row >= 0 && row < H_out && col >= 0 && col < W_out)) {
      state.error = "output position (" + row + ", " + col + ") does not exist: the activation map is " + H_out +
        " × " + W_out + ", so row must be 0 to " + (H_out - 1) + " and col 0 to " + (W_out - 1) + ".";
      picture.alt = "The input image; the output position does not exist.";
      return state;
    }
    var output = E.range(H_out).map(function (i) {  // conv2d (cross-correlation) of the padded image
      return E.range(W_out).map(function (j) {
        var s = 0;
        for (var a = 0; a < KH; a++) {
          for (var b = 0; b < KW; b++) { s += padded[i * stride + a][j * stride + b] * kernel[a][b]; }
        }
        return s;
      });
    });
    var r = row * stride, c = col * stride;
    var window = E.range(KH).map(function (a) { return padded[r + a].slice(c, c + KW); });
    var products = window.map(function (line, a) { return line.map(function (x, b) { return x * kernel[a][b]; }); });
    var total = npSum(E.flat(products));
    var doneCount = row * W_out + col + 1;
    var partial = output.map(function (line, i) {
      return line.map(function (x, j) { return i * W_out + j < doneCount ? x : null; });
    });
    function num(x) { return x < 0 ? "(" + g(x, 3) + ")" : g(x, 3); }
    var wflat = E.flat(window), kflat = E.flat(kernel);
    var terms = wflat.map(function (x, i) { return num(x) + "·" + num(kflat[i]); }).join(" + ");
    var origin = [r - padding, c - padding];
    var limK = absMax(kernel) || 1, limP = absMax(products) || 1;
    state.grids = [
      grid(window, "window of the input", "gray", 0, 255, origin),
      grid(kernel, "kernel (" + v.kernel + ")", DIVERGING, -limK, limK, [0, 0]),
      grid(products, "window × kernel (sum = " + g(total) + ")", DIVERGING, -limP, limP, origin),
    ];
    state.summary = "output[" + row + ", " + col + "] = " + g(total);
    state.text = "The window starts at input row " + (r - padding) + ", column " + (c - padding) + " (stride " + stride +
      ", padding " + padding + ").\n" +
      "Multiply each of its " + KH * KW + " pixels by the filter weight on top of it and add up:\n" +
      terms + " = " + g(total) + "\n" +
      "The same " + KH + "×" + KW + " weights slide over every position: the map is " + H_out + " × " + W_out + ", " +
      doneCount + " of " + H_out * W_out + " values computed so far.";
    picture.alt = "Input image with a " + KH + " by " + KW + " window outlined at row " + (r - padding) + ", column " +
      (c - padding) + ", and the activation map filled in up to position " + row + ", " + col +
      ", whose value is " + g(total) + ".";
    picture.box = [r, c, KH, KW];
    var all = E.flat(output), limit = absMax(output) || 1;
    var signed = Math.min.apply(null, all) < 0;
    picture.map = { values: partial, cmap: signed ? DIVERGING : "viridis", vmin: signed ? -limit : 0, vmax: limit,
                    position: [row, col], caption: "activation map so far (" + H_out + "×" + W_out + ")",
                    alt: "Activation map, computed up to position " + row + ", " + col + "." };
    return state;
  }

  function limits(v) {  // conv_window_limits
    if (IMAGES.indexOf(v.image) < 0 || !Object.prototype.hasOwnProperty.call(FILTERS, v.kernel)) { return {}; }
    if (!(Number.isInteger(v.stride) && v.stride >= 1 && Number.isInteger(v.padding) && v.padding >= 0)) { return {}; }
    var n = v.image === "eight" ? 18 : 24, k = FILTERS[v.kernel].length;
    var out = Math.floor((n + 2 * v.padding - k) / v.stride) + 1;
    return { row: { max: out - 1 }, col: { max: out - 1 } };
  }

  E.explorers["conv-window"] = { compute: compute, limits: limits };

  /* One canvas of coloured cells (crisp at any zoom: each cell is a scale × scale block),
   * with an orange box (black halo) around cells [r, r + h) × [c, c + w). */
  function cellCanvas(doc, values, colourOf, box, alt) {
    var H = values.length, W = values[0].length;
    var scale = Math.max(1, Math.floor(280 / Math.max(H, W)));
    var canvas = doc.createElement("canvas");
    canvas.width = W * scale;
    canvas.height = H * scale;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", alt);
    canvas.style.cssText = "max-width:100%;height:auto;display:block";
    var ctx = canvas.getContext && canvas.getContext("2d");
    if (!ctx) { return canvas; }
    for (var i = 0; i < H; i++) {
      for (var j = 0; j < W; j++) {
        ctx.fillStyle = colourOf(values[i][j]);
        ctx.fillRect(j * scale, i * scale, scale, scale);
      }
    }
    if (box) {
      var x = box[1] * scale, y = box[0] * scale, w = box[3] * scale, h = box[2] * scale;
      ctx.lineWidth = 5;
      ctx.strokeStyle = "#000000";
      ctx.strokeRect(x + 1.5, y + 1.5, w - 3, h - 3);
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#E69F00";
      ctx.strokeRect(x + 1.5, y + 1.5, w - 3, h - 3);
    }
    return canvas;
  }

  function figure(doc, inner, caption) {
    var fig = doc.createElement("figure");
    fig.style.cssText = "display:inline-block;margin:0.3em 1em 0.3em 0;vertical-align:top";
    fig.appendChild(inner);
    var cap = doc.createElement("figcaption");
    cap.style.cssText = "font-size:1em;line-height:1.3;white-space:normal";
    cap.textContent = caption;
    fig.appendChild(cap);
    return fig;
  }

  /* The input (zero-padded) with the window, and the activation map filled in so far. */
  E.pictures["conv-window"] = function (pic, data, doc) {
    var image = pic.input || data.images[pic.image];
    var shown = pad(image, pic.padding);
    var wrap = doc.createElement("div");
    wrap.style.cssText = "display:flex;flex-wrap:wrap;align-items:flex-start";
    wrap.appendChild(figure(doc, cellCanvas(doc, shown, function (x) {
      return E.hex(E.colour("gray", x, 0, pic.vmax));
    }, pic.box, pic.alt), pic.caption));
    if (pic.map) {
      var m = pic.map;
      wrap.appendChild(figure(doc, cellCanvas(doc, m.values, function (x) {
        return x === null ? "#eeeeee" : E.hex(E.colour(m.cmap, x, m.vmin, m.vmax));
      }, [m.position[0], m.position[1], 1, 1], m.alt), m.caption));
    }
    return wrap;
  };
})();
