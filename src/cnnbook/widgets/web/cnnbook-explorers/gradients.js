/* Gradient explorers: the page-side twins of cnnbook.widgets.gradients.gradient_view
 * (convolution, chapters 8 and 11) and gradient_flow_view (pooling and ReLU, chapter 9).
 *
 * The convolution twin writes out what conv2d_backward gives for a one-hot dout:
 * dW is the input window under the chosen output, dX is the kernel placed on that
 * window. The flow twin uses E.pooling (pooling.js, loaded after this file but
 * only called when computing) for the pooling layers, and the seeded inputs that
 * Python ships in the explorer's data. tests/test_web_gradients.py compares both
 * twins with Python. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};

  var DIVERGING = "PuOr";  // cnnbook.plots._base.DIVERGING

  function plural(n) { return n !== 1 ? "s" : ""; }

  function absMax(values) { return Math.max.apply(null, E.flat(values).map(Math.abs)); }

  /** gradients._grid_states: panels [values, caption, cmap, highlight] as grids; diverging maps centred on 0. */
  function gridStates(panels) {
    return panels.map(function (panel) {
      var lim = absMax(panel[0]) || 1.0, div = panel[2] === DIVERGING;
      return E.grid(panel[0], { caption: panel[1], cmap: panel[2], highlight: panel[3],
                                vmin: div ? -lim : null, vmax: div ? lim : null });
    });
  }

  function mask(h, w, test) {
    return E.range(h).map(function (r) { return E.range(w).map(function (c) { return Boolean(test(r, c)); }); });
  }

  function count(m) { return E.flat(m).filter(Boolean).length; }

  function noGradient(error, text) {
    return { summary: "No gradient", error: error, text: text || "", grids: [], picture: null };
  }

  // ------------------------------------------------------------ convolution
  /** gradients._conv_shape: [[H_out, W_out], null] (cnnbook.conv_output_size) or [null, why not]. */
  function convShape(H, W, k, s, p) {
    var P = E.pooling;
    var why = P.pairProblem(k, "kernel_size", 1) && "kernel_size must be a positive int or a pair of positive ints, " +
      "got kernel_size=(" + k + ", " + k + ")";
    why = why || P.pairProblem(s, "stride", 1) || P.pairProblem(p, "padding", 0);
    why = why || P.fitProblem([H, W], [k, k], p);
    if (why) { return [null, why]; }
    return [[Math.floor((H + 2 * p - k) / s) + 1, Math.floor((W + 2 * p - k) / s) + 1], null];
  }

  /** gradients.gradient_view(height, width, kernel_size, stride, padding, out_row, out_col, in_row, in_col).state() */
  function computeConv(v) {
    var H = v.height, W = v.width, K = v.kernel_size, s = v.stride, p = v.padding;
    var orow = v.out_row, ocol = v.out_col, irow = v.in_row, icol = v.in_col;
    if (![H, W, K, s, p, orow, ocol, irow, icol].every(E.pooling.isInt) || H < 1 || W < 1) {
      throw new Error("the gradient explorer's settings are whole numbers, the input at least 1×1");
    }
    var x = mask(H, W, function () { return true; }).map(function (row, r) {
      return row.map(function (_, c) { return r * W + c + 1; });
    });
    var w = E.range(K).map(function (a) { return E.range(K).map(function (b) { return a * K + b + 1; }); });
    var found = convShape(H, W, K, s, p), error = found[1];
    var H_out = found[0] && found[0][0], W_out = found[0] && found[0][1];
    if (!error && !(orow >= 0 && orow < H_out && ocol >= 0 && ocol < W_out)) {
      error = "output position (" + orow + ", " + ocol + ") does not exist: the output is " + H_out + " × " + W_out + ".";
    } else if (!error && !(irow >= 0 && irow < H && icol >= 0 && icol < W)) {
      error = "input pixel (" + irow + ", " + icol + ") does not exist: the input is " + H + " × " + W + ".";
    }
    if (error) { return noGradient(error); }
    var r0 = orow * s - p, c0 = ocol * s - p;  // top-left of the window, in input coordinates
    var dout = mask(H_out, W_out, function (r, c) { return r === orow && c === ocol; });
    var dw = w.map(function (row, a) {  // the input window under the output; padding counts as 0
      return row.map(function (_, b) {
        var r = r0 + a, c = c0 + b;
        return r >= 0 && r < H && c >= 0 && c < W ? x[r][c] : 0;
      });
    });
    var inWindow = function (r, c) { return r >= r0 && r < r0 + K && c >= c0 && c < c0 + K; };
    var window = mask(H, W, inWindow);
    var dx = x.map(function (row, r) { return row.map(function (_, c) { return inWindow(r, c) ? w[r - r0][c - c0] : 0; }); });
    // How many outputs read input (r, c): windows i with i*s - p <= r < i*s - p + K, per axis.
    function reads(n, n_out, q) {
      var total = 0;
      for (var i = 0; i < n_out; i++) { if (i * s - p <= q && q < i * s - p + K) { total += 1; } }
      return total;
    }
    var counts = x.map(function (row, r) { return row.map(function (_, c) { return reads(H, H_out, r) * reads(W, W_out, c); }); });
    var feeds = mask(H_out, W_out, function (i, j) {
      return i * s - p <= irow && irow < i * s - p + K && j * s - p <= icol && icol < j * s - p + K;
    });
    var nFeeds = count(feeds), listed = [];
    feeds.forEach(function (row, i) { row.forEach(function (f, j) { if (f) { listed.push("(" + i + ", " + j + ")"); } }); });
    var flatCounts = E.flat(counts);
    var text = "dout is 1 at output (" + orow + ", " + ocol + ") and 0 elsewhere, so only that output's window matters.\n" +
      "dW[a, b] = Σ dout[r, c]·x[r·s + a, c·s + b] = the input window under output (" + orow + ", " + ocol + ") " +
      "(rows " + r0 + "–" + (r0 + K - 1) + ", columns " + c0 + "–" + (c0 + K - 1) + "; padding counts as 0).\n" +
      "dX = the kernel w placed on that window, zero elsewhere.\n" +
      "Input pixel (" + irow + ", " + icol + ") is read by " + nFeeds + " output" + plural(nFeeds) +
      (listed.length ? ": " + listed.join(", ") : "") +
      "; its gradient dX[" + irow + ", " + icol + "] sums one term per output.\n" +
      "Outputs per input pixel range from " + Math.min.apply(null, flatCounts) + " to " +
      Math.max.apply(null, flatCounts) + ".";
    var grids = gridStates([
      [x, "input x (outlined: window of the output)", "viridis", window],
      [w, "kernel w", DIVERGING, null],
      [dout.map(function (row) { return row.map(Number); }), "dout: one-hot at output (" + orow + ", " + ocol + ")",
       "cividis", dout],
      [dw, "dW = window of x", "viridis", null],
      [dx, "dX = w placed on the window", DIVERGING, window],
      [counts, "outputs that read each input", "cividis", mask(H, W, function (r, c) { return r === irow && c === icol; })],
      [feeds.map(function (row) { return row.map(Number); }), "outputs fed by input (" + irow + ", " + icol + ")",
       "cividis", feeds],
    ]);
    return { summary: "Input pixel (" + irow + ", " + icol + ") feeds " + nFeeds + " output" + plural(nFeeds),
             error: null, text: text, grids: grids, picture: null };
  }

  /** gradients.gradient_limits: input pixels always, output positions when the setting is allowed. */
  function limitsConv(v) {
    var out = { in_row: { max: v.height - 1 }, in_col: { max: v.width - 1 } };
    var found = convShape(v.height, v.width, v.kernel_size, v.stride, v.padding);
    if (!found[1]) {
      out.out_row = { max: found[0][0] - 1 };
      out.out_col = { max: found[0][1] - 1 };
    }
    return out;
  }

  E.explorers.gradient = { compute: computeConv, limits: limitsConv };

  // ------------------------------------------------------------ pooling and ReLU
  var FLOW_KINDS = ["max", "avg", "L2", "ReLU"];

  /** gradients._flow_input from the explorer's data: the same seeded grids. */
  function flowInput(data, kind, size, k) {
    var x;
    if (kind === "ReLU") {
      x = data.relu && data.relu[String(size)];
    } else {
      var tie = E.pooling.isInt(k) ? Math.max(2, Math.min(k, size)) : 2;  // the window with a tie on purpose
      x = data.pool && data.pool[String(size)] && data.pool[String(size)][String(tie)];
    }
    if (!x) { throw new Error("no input grid of size " + size + " in the explorer's data"); }
    return x;
  }

  /** numpy's float64 sum of a small array, to the last bit: pairwise_sum (8 accumulators
   * from 8 values on, blocks of 128) over the C-ordered values, as ndarray.sum() does
   * (also for the cropped, non-contiguous dx of the pooling backward passes). */
  function npSum(values) {
    function pairwise(a, lo, n) {
      var i, res;
      if (n < 8) {
        res = -0.0;
        for (i = 0; i < n; i++) { res += a[lo + i]; }
        return res;
      }
      if (n <= 128) {
        var r = a.slice(lo, lo + 8);
        for (i = 8; i < n - n % 8; i += 8) {
          for (var j = 0; j < 8; j++) { r[j] += a[lo + i + j]; }
        }
        res = (r[0] + r[1] + (r[2] + r[3])) + (r[4] + r[5] + (r[6] + r[7]));
        for (; i < n; i++) { res += a[lo + i]; }
        return res;
      }
      var n2 = n / 2;
      n2 -= n2 % 8;
      return pairwise(a, lo, n2) + pairwise(a, lo + n2, n - n2);
    }
    return pairwise(values, 0, values.length);
  }

  function isClose(a, b) { return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b); }  // np.isclose

  /** gradients.gradient_flow_view(kind, kernel_size, stride, padding, size).state() */
  function computeFlow(v, data) {
    var kind = v.kind, k = v.kernel_size, s = v.stride, p = v.padding, P = E.pooling;
    if (FLOW_KINDS.indexOf(kind) < 0) {
      return noGradient("kind must be one of " + FLOW_KINDS.join(", ") + "; got " + P.pyRepr(kind));
    }
    var x = flowInput(data, kind, v.size, k), out, dx, rule;
    if (kind === "ReLU") {
      out = x.map(function (row) { return row.map(function (t) { return Math.max(t, 0); }); });
    } else {
      var error = P.shape([x.length, x[0].length], k, s, p)[1];
      if (error) { return noGradient(error); }
      out = P.forward(kind, x, k, s, p);
    }
    var H_out = out.length, W_out = out[0].length, nOut = H_out * W_out;
    var dout = E.range(H_out).map(function (r) { return E.range(W_out).map(function (c) { return r * W_out + c + 1; }); });
    if (kind === "ReLU") {
      dx = x.map(function (row, r) { return row.map(function (t, c) { return t > 0 ? dout[r][c] : 0; }); });
      rule = "ReLU is a gate: dx = dout where x > 0, and 0 where x ≤ 0 " +
        "(at x = 0 exactly the gradient is taken as 0, as in PyTorch). " +
        "Kernel size, stride and padding do not apply to ReLU.";
    } else {
      dx = P.backward(kind, dout, x, k, s, p);
      rule = {
        max: "Each output sends its whole gradient to the one input that was the max of its window; " +
          "on a tie, to the first max in row-major order (as PyTorch does). " +
          "Where windows overlap, an input that wins several windows receives the sum.",
        avg: "Each output shares its gradient equally: dout/" + k * k + " to every pixel " +
          "of its window (the share of padding pixels is lost). Overlapping windows add up.",
        L2: "For y = √(Σ x²), dy/dx_i = x_i / y: each pixel gets dout · x_i / y, " +
          "so larger pixels get more and zeros get nothing.",
      }[kind];
    }
    var routes = dx.map(function (row) { return row.map(function (t) { return t !== 0; }); });
    var totalIn = npSum(E.flat(dx)), totalOut = npSum(E.flat(dout));
    var same = isClose(totalIn, totalOut), nRoutes = count(routes), nIn = x.length * x[0].length;
    var why = { ReLU: "the gradient of outputs whose input was ≤ 0 is blocked.",
                L2: "L2 pooling rescales the gradient by x_i / y instead of routing it.",
                avg: "the shares that fell on padding pixels are lost.",
                max: "windows that see only padding keep their gradient." }[kind];
    var text = rule + "\n" + nRoutes + " of " + nIn + " input pixels receive a gradient." +
      (same ? "" : "\nThe sums differ: " + why);
    return {
      summary: same ? "sum of dx = " + E.py.general(totalIn) + " = sum of dout"
                    : "sum of dx = " + E.py.general(totalIn, 4) + ", sum of dout = " + E.py.general(totalOut),
      error: null, text: text, picture: null,
      grids: gridStates([
        [x, "input x (outlined: gets gradient)", "viridis", routes],
        [out, kind + " output", "viridis", null],
        [dout, "upstream gradient dout", "cividis", null],
        [dx, "dx", "cividis", routes],
      ]),
    };
  }

  E.explorers["gradient-flow"] = { compute: computeFlow };
})();
