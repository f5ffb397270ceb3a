/* Transposed-convolution explorer (chapter 12): the page-side twin of
 * cnnbook.widgets.transpose.transpose_view. Counts writes per output pixel of a
 * transposed convolution of ones with a kernel of ones, and checks them against
 * the input-gradient of the matching convolution, each by its own loop.
 * tests/test_web_transpose.py compares compute() with Python on every setting
 * of the sliders' grid, and on settings that are not allowed. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};

  function show(v) { return Number.isInteger(v) ? String(v) : E.py.repr(v); }  // Python's repr of an int/float

  // cnnbook._validate.pair for one int argument (minimum 1 or 0).
  function checkPair(value, name, minimum) {
    var kind = minimum === 1 ? "positive" : "non-negative";
    if (!Number.isInteger(value) || value < minimum) {
      throw new Error(name + " must be a " + kind + " int or a pair of " + kind + " ints, got " + name + "=" + show(value));
    }
  }

  // cnnbook.conv_transpose_output_size (square, dilation 1).
  function outputSize(n, k, s, p, op) {
    checkPair(n, "n", 1);
    checkPair(k, "kernel_size", 1);
    checkPair(s, "stride", 1);
    checkPair(p, "padding", 0);
    checkPair(op, "output_padding", 0);
    if (op >= Math.max(s, 1)) {
      throw new Error("output_padding=" + op + " must be smaller than the stride or the dilation (here " +
        Math.max(s, 1) + "); it only picks among input sizes that give the same output");
    }
    var size = (n - 1) * s - 2 * p + (k - 1) + op + 1;
    if (size < 1) { throw new Error("padding=" + p + " crops everything: the output size would be " + size); }
    return size;
  }

  // The transposed convolution of ones: input pixel (a, b) adds its k×k patch at (a·s − p, b·s − p).
  function transposeCounts(n, k, s, p, nOut) {
    var out = E.zeros(nOut, nOut);
    for (var a = 0; a < n; a++) {
      for (var b = 0; b < n; b++) {
        for (var u = 0; u < k; u++) {
          for (var v = 0; v < k; v++) {
            var i = a * s + u - p, j = b * s + v - p;
            if (i >= 0 && i < nOut && j >= 0 && j < nOut) { out[i][j] += 1; }
          }
        }
      }
    }
    return out;
  }

  // dx of a convolution of an nOut×nOut input (kernel k, stride s, padding p) with dout = ones:
  // dx[i][j] counts the (output position, tap) pairs that read input pixel (i, j).
  function convGradOfOnes(n, k, s, p, nOut) {
    var dx = E.zeros(nOut, nOut);
    for (var i = 0; i < nOut; i++) {
      for (var j = 0; j < nOut; j++) {
        for (var oi = 0; oi < n; oi++) {
          var u = i + p - oi * s;
          if (u < 0 || u >= k) { continue; }
          for (var oj = 0; oj < n; oj++) {
            var v = j + p - oj * s;
            if (v >= 0 && v < k) { dx[i][j] += 1; }
          }
        }
      }
    }
    return dx;
  }

  function compute(v) {
    var n = v.n, k = v.kernel_size, s = v.stride, p = v.padding, op = v.output_padding, nOut;
    var state = { summary: "Output shape: none", error: null, text: "", grids: [], picture: null };
    try {
      if (!Number.isInteger(n) || n < 1) {
        throw new Error("n must be a positive int (the input height and width), got n=" + show(n));
      }
      nOut = outputSize(n, k, s, p, op);
    } catch (err) {
      state.error = err.message;
      state.text = err.message;
      return state;
    }
    var counts = transposeCounts(n, k, s, p, nOut), grad = convGradOfOnes(n, k, s, p, nOut);
    var c = Math.floor(n / 2), r0 = c * s - p;
    var from = Math.max(r0, 0), to = Math.min(Math.max(r0 + k, 0), nOut);
    var footprint = E.range(nOut).map(function (i) {
      return E.range(nOut).map(function (j) { return i >= from && i < to && j >= from && j < to ? 1 : 0; });
    });
    var even = k % s === 0;
    var flat = E.flat(counts), lo = Math.min.apply(null, flat), hi = Math.max.apply(null, flat);
    var same = JSON.stringify(counts) === JSON.stringify(grad);
    var lines = [
      "output size = (n − 1)·s − 2·p + (k − 1) + output_padding + 1 = (" + n + " − 1)·" + s + " − 2·" + p +
        " + (" + k + " − 1) + " + op + " + 1 = " + nOut,
      "Each input pixel writes a " + k + "×" + k + " patch of the output; patches start every " + s +
        " pixel" + (s > 1 ? "s" : "") + ". Writes per output pixel: " + lo + " to " + hi + "."
    ];
    if (op) {
      var empty = op - p;
      lines.push("output_padding = " + op + " keeps " + op + " more row" + (op > 1 ? "s" : "") + " and column" +
        (op > 1 ? "s" : "") + " at the bottom and right" +
        (empty > 0 ? "; the last " + empty + " lie" + (empty === 1 ? "s" : "") + " beyond every patch (0 writes)."
                   : ", still inside the patches (padding crops them otherwise)."));
    }
    if (even) {
      lines.push("The stride " + s + " divides the kernel size " + k + ": away from the border every output pixel " +
        "receives the same number of writes, (" + k + "/" + s + ")² = " + Math.pow(Math.floor(k / s), 2) + ".");
    } else {
      lines.push("The stride " + s + " does not divide the kernel size " + k + ": neighbouring output pixels receive " +
        "different numbers of writes. With learned weights this shows up as a checkerboard pattern.");
    }
    lines.push("This map is also the input-gradient of conv2d on a " + nOut + "×" + nOut + " input (kernel " + k +
      ", stride " + s + ", padding " + p + ") with dout = ones: " +
      (same ? "identical, checked with cnnbook.conv2d_backward." : "NOT identical."));
    state.summary = "Output shape: " + nOut + " × " + nOut;
    state.text = lines.join("\n");
    state.grids = [{
      values: counts, caption: "input pixels writing to each of the " + nOut + " × " + nOut +
        " output pixels (outlined: the patch written by input pixel (" + c + ", " + c + "))",
      fmt: "{:.0f}", cmap: "cividis", vmin: 0, vmax: null, highlight: footprint, origin: [0, 0], blank: ""
    }];
    return state;
  }

  E.explorers.transpose = { compute: compute };
})();
