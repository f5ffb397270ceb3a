/* Pooling explorer (chapter 6): the page-side twin of cnnbook.widgets.pooling.pooling_view.
 *
 * E.pooling holds the twins of the cnnbook functions the pooling explorers call
 * (pool_output_size's rules, max/avg/L2 pooling and their backward passes); the
 * gradient-flow explorer (gradients.js) uses them too, as gradients.py imports
 * pool_forward from pooling.py. The inputs are not re-drawn from numpy's random
 * generator: the explorer's `data` carries the seeded grids Python uses.
 * tests/test_web_pooling.py and tests/test_web_gradients.py compare these twins
 * with Python, including settings that are not allowed. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};

  // pooling.POOL_KINDS: name -> what the window is reduced to
  var POOL_KINDS = { max: "the largest value", avg: "the mean", L2: "the square root of the sum of squares" };
  var KIND_NAMES = ["max", "avg", "L2"];

  function isInt(v) { return typeof v === "number" && Number.isInteger(v); }

  /** Python's repr of a setting (ints and strings are all the sliders and menus give). */
  function pyRepr(v) { return typeof v === "string" ? "'" + v + "'" : String(v); }

  /** cnnbook._validate.pair's message for an int below its minimum, or null. */
  function pairProblem(value, name, minimum) {
    if (value >= minimum) { return null; }
    var kind = minimum === 1 ? "positive" : "non-negative";
    return name + " must be a " + kind + " int or a pair of " + kind + " ints, got " + name + "=" + pyRepr(value);
  }

  /** pooling.pool_problem: the explorers' words for the two rules the sliders can break. */
  function poolProblem(shape, k, s, p) {
    if (2 * p > k) {
      return "padding=" + p + " must be at most half of kernel_size=" + k +
        ": with more, the window at the border would hold more padding than input";
    }
    return fitProblem(shape, [k, k], p);
  }

  /** pooling.fit_problem: why a [KH, KW] kernel does not fit the padded input, or null. */
  function fitProblem(shape, kernel, p) {
    var axes = ["height", "width"];
    for (var i = 0; i < 2; i++) {
      var n = shape[i], k = kernel[i];
      if (k > n + 2 * p) {
        return "kernel_size=" + k + " does not fit the padded input " + axes[i] + ": " + n + " + 2·" + p + " = " +
          (n + 2 * p) + " < " + k + "; use a smaller kernel, more padding or a larger input";
      }
    }
    return null;
  }

  /** pooling.pool_shape: [[H_out, W_out], null] (cnnbook.pool_output_size) or [null, why not]. */
  function poolShape(shape, k, s, p) {
    if (![k, s, p].every(isInt)) { throw new Error("pooling settings must be ints"); }
    var why = pairProblem(k, "kernel_size", 1) || pairProblem(s, "stride", 1) || pairProblem(p, "padding", 0) ||
      poolProblem(shape, k, s, p);
    if (why) { return [null, why]; }
    return [shape.map(function (n) { return Math.floor((n + 2 * p - k) / s) + 1; }), null];
  }

  /** x with p cells of `fill` on every side. */
  function pad(x, p, fill) {
    var W = x[0].length, out = [], r, c;
    for (r = 0; r < x.length + 2 * p; r++) {
      var row = [];
      for (c = 0; c < W + 2 * p; c++) {
        var inside = r >= p && r < p + x.length && c >= p && c < p + W;
        row.push(inside ? x[r - p][c - p] : fill);
      }
      out.push(row);
    }
    return out;
  }

  /** Geometry of a valid setting: output size and the divisor of average pooling (cnnbook.pool.avg_divisor,
   * count_include_pad=True: a window's cells up to the end of the padding). */
  function geometry(x, k, s, p) {
    var H = x.length, W = x[0].length;
    var H_out = Math.floor((H + 2 * p - k) / s) + 1, W_out = Math.floor((W + 2 * p - k) / s) + 1;
    function factor(n, i) { var start = i * s - p; return Math.min(start + k, n + p) - start; }
    return { H: H, W: W, k: k, s: s, p: p, H_out: H_out, W_out: W_out,
             divisor: function (i, j) { return factor(H, i) * factor(W, j); } };
  }

  /** cnnbook.max_pool2d's winner of window (i, j): the first offset a*k + b in row-major order that holds
   * the maximum; padding (null) never wins, and a window of -inf gives it to its first real input. */
  function maxWinner(xp, g, i, j) {
    var best = -Infinity, first = -1, winner = -1, a, b, v;
    for (a = 0; a < g.k; a++) {
      for (b = 0; b < g.k; b++) {
        v = xp[i * g.s + a][j * g.s + b];
        if (v === null) { continue; }
        if (first < 0) { first = a * g.k + b; }
        if (v > best) { best = v; winner = a * g.k + b; }
      }
    }
    return winner < 0 ? [first, -Infinity] : [winner, best];
  }

  /** pooling.pool_forward: (H_out, W_out) output of max, avg or L2 pooling (cnnbook's functions). */
  function forward(kind, x, k, s, p) {
    var g = geometry(x, k, s, p), i, j, a, b, out = [];
    var xp = pad(x, p, kind === "max" ? null : 0);
    for (i = 0; i < g.H_out; i++) {
      var row = [];
      for (j = 0; j < g.W_out; j++) {
        if (kind === "max") {
          row.push(maxWinner(xp, g, i, j)[1]);
          continue;
        }
        var total = 0;
        for (a = 0; a < k; a++) {
          for (b = 0; b < k; b++) {
            var v = xp[i * s + a][j * s + b];
            total += kind === "avg" ? v : v * v;
          }
        }
        row.push(kind === "avg" ? total / g.divisor(i, j) : Math.sqrt(Math.max(total, 0)));
      }
      out.push(row);
    }
    return out;
  }

  /** cnnbook.pool._scatter_windows: dx of the padded input, summing share(i, j, a, b) over window offsets
   * (a, b) in row-major order as numpy does, then the padding cropped off. */
  function scatter(g, share) {
    var dxp = E.zeros(g.H + 2 * g.p, g.W + 2 * g.p), a, b, i, j;
    for (a = 0; a < g.k; a++) {
      for (b = 0; b < g.k; b++) {
        for (i = 0; i < g.H_out; i++) {
          for (j = 0; j < g.W_out; j++) { dxp[i * g.s + a][j * g.s + b] += share(i, j, a, b); }
        }
      }
    }
    return dxp.slice(g.p, g.p + g.H).map(function (row) { return row.slice(g.p, g.p + g.W); });
  }

  /** cnnbook.max_pool2d_backward / avg_pool2d_backward / lp_pool2d_backward(p=2) for one channel. */
  function backward(kind, dout, x, k, s, p) {
    var g = geometry(x, k, s, p), i, j;
    if (kind === "max") {
      var xp = pad(x, p, null), won = [];
      for (i = 0; i < g.H_out; i++) {
        won.push([]);
        for (j = 0; j < g.W_out; j++) { won[i].push(maxWinner(xp, g, i, j)[0]); }
      }
      return scatter(g, function (i, j, a, b) { return won[i][j] === a * k + b ? dout[i][j] : 0; });
    }
    if (kind === "avg") {
      return scatter(g, function (i, j) { return dout[i][j] / g.divisor(i, j); });
    }
    // L2: dy/dx_i = x_i / y, and 0 where y = 0
    var zp = pad(x, p, 0), out = forward("L2", x, k, s, p);
    return scatter(g, function (i, j, a, b) {
      var scale = out[i][j] > 0 ? dout[i][j] / out[i][j] : 0;
      return scale * zp[i * s + a][j * s + b];
    });
  }

  E.pooling = { KINDS: POOL_KINDS, shape: poolShape, pad: pad, forward: forward, backward: backward,
                isInt: isInt, pyRepr: pyRepr, pairProblem: pairProblem, fitProblem: fitProblem };

  // ------------------------------------------------------------ the pooling explorer
  function num(value) {  // output_size._num: 2.333.. -> '2.33', 2.5 -> '2.5', 3.0 -> '3'
    if (value === Math.trunc(value)) { return String(value); }
    return E.py.fixed(value, 2).replace(/0+$/, "").replace(/\.$/, "");
  }

  function axisArithmetic(n, k, s, p) {  // output_size.axis_arithmetic(n, k, s, p, 1)[0]
    var line = "(" + n + " + 2·" + p + " − " + k + ")/" + s + " + 1 = " + num((n + 2 * p - k) / s + 1);
    if (n + 2 * p < k) { return line + " → the kernel does not fit"; }
    var size = Math.floor((n + 2 * p - k) / s) + 1;
    return (n + 2 * p - k) / s + 1 !== size ? line + " → floor → " + size : line;
  }

  function padBlank(kind) { return kind === "max" ? "−∞" : "0"; }

  function finiteRange(x) {
    var vals = E.flat(x).filter(Number.isFinite);
    return [Math.min.apply(null, vals), Math.max.apply(null, vals)];
  }

  /** pooling.pooling_view(kind, kernel_size, stride, padding, row, col, size).state() */
  function compute(v, data) {
    var kind = v.kind, k = v.kernel_size, s = v.stride, padding = v.padding, row = v.row, col = v.col;
    var x = data.inputs && data.inputs[String(v.size)];
    if (!x) { throw new Error("no input grid of size " + v.size + " in the explorer's data"); }
    var H = x.length, W = x[0].length;
    var p = isInt(padding) && padding >= 0 ? padding : 0;
    var padded = pad(x, p, null);  // null: drawn blank
    var shape = null, error = null;
    if (KIND_NAMES.indexOf(kind) < 0) {
      error = "kind must be one of " + KIND_NAMES.join(", ") + "; got " + pyRepr(kind);
    } else {
      var found = poolShape([H, W], k, s, padding);
      shape = found[0]; error = found[1];
    }
    if (error === null && !(row >= 0 && row < shape[0] && col >= 0 && col < shape[1])) {
      error = "output position (" + row + ", " + col + ") does not exist: the output is " + shape[0] + " × " +
        shape[1] + ".";
    }
    var range = finiteRange(x), blank = padBlank(kind);
    var input = { cmap: "viridis", vmin: range[0], vmax: range[1], origin: [-p, -p], blank: blank,
                  caption: "input" + (p ? " with padding " + p + " (" + blank + ")" : "") };
    if (error) {
      return { summary: "Output shape: none", error: error, text: error, grids: [E.grid(padded, input)],
               picture: null };
    }
    var output = forward(kind, x, k, s, padding);
    var r0 = row * s, c0 = col * s, vals = [], a, b;
    input.highlight = padded.map(function (line, r) {
      return line.map(function (_, c) { return r >= r0 && r < r0 + k && c >= c0 && c < c0 + k; });
    });
    for (a = 0; a < k; a++) {
      for (b = 0; b < k; b++) {
        var cell = padded[r0 + a][c0 + b];
        vals.push(cell === null ? blank : E.py.general(cell));
      }
    }
    var out = output[row][col], formula;
    if (kind === "max") {
      formula = "max(" + vals.join(", ") + ") = " + E.py.general(out);
    } else if (kind === "avg") {
      formula = "(" + vals.join(" + ") + ")/" + k * k + " = " + E.py.general(out, 3);
    } else {
      formula = "√(" + vals.map(function (t) { return t + "²"; }).join(" + ") + ") = " + E.py.general(out, 3);
    }
    var text = "output[" + row + ", " + col + "] = " + formula + "\n" +
      "Each " + k + "×" + k + " window is reduced to " + POOL_KINDS[kind] + "; windows start every " + s +
      " pixel" + (s > 1 ? "s" : "") + ": " + axisArithmetic(H, k, s, padding) + " per axis.\n" +
      "Pooling works on each channel separately: the number of channels does not change.";
    var outputGrid = E.grid(output, {
      cmap: "viridis", vmin: range[0], vmax: range[1],
      highlight: output.map(function (line, i) { return line.map(function (_, j) { return i === row && j === col; }); }),
      caption: kind + " pool output " + shape[0] + " × " + shape[1] });
    return { summary: "Output shape: " + shape[0] + " × " + shape[1], error: null, text: text,
             grids: [E.grid(padded, input), outputGrid], picture: null };
  }

  /** pooling.pooling_limits: the output-position sliders' maxima (none when the setting is not allowed). */
  function limits(v, data) {
    var found = poolShape([v.size, v.size], v.kernel_size, v.stride, v.padding);
    if (found[1]) { return {}; }
    return { row: { max: found[0][0] - 1 }, col: { max: found[0][1] - 1 } };
  }

  E.explorers.pooling = { compute: compute, limits: limits };
})();
