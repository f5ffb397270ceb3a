/* Depth explorer (chapter 11): the page-side twin of cnnbook.widgets.deeper.deeper_view,
 * and its log-scale picture of the scales per layer.
 * A forward and backward pass of a 20-layer stack does not run in the page: the
 * explorer's data (cnnbook.widgets.deeper.deeper_data) holds every setting's
 * per-layer standard deviations, factors and axis, measured once by Python.
 * This twin looks them up and writes the same text as Python.
 * tests/test_web_deeper.py compares it with Python on every setting and on
 * settings that are not allowed. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};
  E.pictures = E.pictures || {};

  var BLUE = "#0072B2", VERMILLION = "#D55E00";

  function pyStr(s) {  // repr of a str
    s = String(s).replace(/\\/g, "\\\\");
    if (s.indexOf("'") >= 0 && s.indexOf('"') < 0) { return '"' + s + '"'; }
    return "'" + s.replace(/'/g, "\\'") + "'";
  }

  function pyValue(v) {  // repr of the values settings can carry
    if (v === null || v === undefined) { return "None"; }
    if (v === true) { return "True"; }
    if (v === false) { return "False"; }
    if (typeof v === "string") { return pyStr(v); }
    if (typeof v === "number") { return Number.isInteger(v) ? String(v) : E.py.repr(v); }
    return String(v);
  }

  function g3(x) { return E.py.general(x, 3); }

  // deeper._problem
  function problem(v, data) {
    var depths = data.depths, inits = Object.keys(data.inits);
    if (typeof v.depth !== "number" || !Number.isInteger(v.depth) || depths.indexOf(v.depth) < 0) {
      return "depth must be one of " + depths.join(", ") + ", got depth=" + pyValue(v.depth);
    }
    if (typeof v.init !== "string" || inits.indexOf(v.init) < 0) {
      return "init must be one of " + inits.map(pyStr).join(", ") + ", got init=" + pyValue(v.init);
    }
    var flags = ["batch_norm", "residual"];
    for (var i = 0; i < flags.length; i++) {
      if (typeof v[flags[i]] !== "boolean") {
        return flags[i] + " must be True or False, got " + flags[i] + "=" + pyValue(v[flags[i]]);
      }
    }
    return null;
  }

  // deeper._trend
  function trend(factor) {
    if (factor === null) { return "down to exactly 0"; }
    if (factor < 0.9) { return "shrinking by a factor of about " + E.py.general(factor); }
    if (factor > 1.1) { return "growing by a factor of about " + E.py.general(factor); }
    return "about constant (a factor of " + E.py.general(factor) + ")";
  }

  function compute(v, data) {
    var error = problem(v, data);
    if (error) {
      return { summary: "No measurement", error: error, text: error, grids: [], picture: null };
    }
    var run = data.runs[v.depth + "/" + v.init + "/" + (v.batch_norm ? 1 : 0) + "/" + (v.residual ? 1 : 0)];
    var a = run.activation, g = run.gradient, last = v.depth + 1;
    var setting = last + " convolutions, " + data.inits[v.init] + (v.batch_norm ? ", batch norm" : "") +
      (v.residual ? ", residual blocks" : "");
    var summary = setting + ": activation std " + g3(a[0]) + " → " + g3(a[last - 1]) + ", weight-gradient std " +
      g3(g[last - 1]) + " → " + g3(g[0]);
    var gMax = Math.max.apply(null, g), gMin = Math.min.apply(null, g);
    var lines = [
      "Activations (std after each convolution's ReLU): " + g3(a[0]) + " at conv1, " + g3(a[last - 1]) + " at conv" +
        last + ", " + trend(run.factors[0]) + " per layer on average going forward.",
      "Weight gradients (std of dL/dw): " + g3(g[last - 1]) + " at conv" + last + ", " + g3(g[0]) + " at conv1, " +
        trend(run.factors[1]) + " per layer on average going backward" +
        (gMin > 0 ? "; the largest is " + g3(gMax / gMin) + " times the smallest." : ".")
    ];
    if (a[last - 1] < 1e-3) {
      lines.push("Almost no signal reaches the classifier: every digit gets nearly the same logits.");
    } else if (a[last - 1] > 1e2) {
      lines.push("The last activations are huge: the logits, and the loss, blow up.");
    }
    if (gMax < 1e-6) {
      lines.push("Every weight gradient is below 1e-6: gradient descent barely moves any weight.");
    }
    if (v.init === "he" && !v.batch_norm && !v.residual) {
      lines.push("He's scale makes fan_in · Var(w) / 2 = 1, so the expected variance is kept; zero padding " +
        "and only 8 channels still lose a little per layer.");
    }
    if (v.batch_norm) {
      lines.push("Batch norm rescales every convolution's output to std 1 (γ = 1) per channel, " +
        "whatever the scale of the weights.");
    }
    if (v.residual) {
      lines.push("Each block adds its input to its output: the gradient reaches the input through the identity " +
        "as well as through the block.");
    }
    var alt = "Line chart on a log scale of the standard deviation of the activations and of the weight " +
      "gradients at each of the " + last + " convolutions. " + summary + ".";
    return {
      summary: summary, error: null, text: lines.join("\n"), grids: [],
      picture: { kind: "deeper", alt: alt, caption: summary, activation: a.slice(), gradient: g.slice(),
                 decades: [run.decades[0], run.decades[1]] }
    };
  }

  E.explorers.deeper = { compute: compute };

  function f1(x) { return x.toFixed(1); }

  /* Two lines over the layers on a log axis: the activations' std (solid, circles) and the
   * gradients' std (dashed, squares), with the line std = 1 for reference. Every text is
   * E.TEXT_PX; the picture is at most E.SVG_MAX_WIDTH wide. */
  E.pictures.deeper = function (pic) {
    var n = pic.activation.length, lo = pic.decades[0], hi = pic.decades[1], T = E.TEXT_PX;
    var left = 84, top = 12, w = 540, h = 230, width = left + w + 16, height = top + h + 78;
    function px(i) { return left + (n > 1 ? i / (n - 1) : 0.5) * w; }
    function py(value) {
      var y = value > 0 ? Math.log(value) / Math.LN10 : lo;
      y = Math.min(Math.max(y, lo), hi);
      return top + (hi - y) / (hi - lo) * h;
    }
    var out = ['<rect x="' + left + '" y="' + top + '" width="' + w + '" height="' + h +
               '" fill="white" stroke="black"/>'];
    var every = Math.max(1, Math.ceil((hi - lo) / 8));  // at most about 8 labelled decades
    for (var e = lo; e <= hi; e++) {
      var yy = top + (hi - e) / (hi - lo) * h;
      out.push('<line x1="' + left + '" y1="' + f1(yy) + '" x2="' + (left + w) + '" y2="' + f1(yy) + '" stroke="' +
               (e === 0 ? "#707070" : "#e0e0e0") + '"' + (e === 0 ? ' stroke-dasharray="2 2"' : "") + "/>");
      // 1 (e = 0) is always labelled; a decade label closer to it than `every` would touch it.
      if (e === 0 || ((e - lo) % every === 0 && Math.abs(e) >= every)) {
        out.push('<text x="' + (left - 5) + '" y="' + f1(yy) + '" font-size="' + T + '" text-anchor="end" ' +
                 'dominant-baseline="central">' + (e === 0 ? "1" : "1e" + e) + "</text>");
      }
    }
    for (var i = 0; i < n; i++) {
      if (n <= 12 || i % 2 === 0 || i === n - 1) {
        out.push('<text x="' + f1(px(i)) + '" y="' + (top + h + 20) + '" font-size="' + T + '" text-anchor="middle">' +
                 (i + 1) + "</text>");
      }
    }
    out.push('<text x="' + (left + w / 2) + '" y="' + (top + h + 42) + '" font-size="' + T + '" text-anchor="middle">' +
             "convolution (conv1 = next to the input)</text>");
    out.push('<text x="14" y="' + (top + h / 2) + '" font-size="' + T + '" text-anchor="middle" ' +
             'dominant-baseline="central" transform="rotate(-90 14 ' + (top + h / 2) + ')">standard deviation (log)</text>');
    [[pic.activation, BLUE, "", "circle"], [pic.gradient, VERMILLION, ' stroke-dasharray="6 3"', "square"]]
      .forEach(function (series) {
        var values = series[0], colour = series[1];
        out.push('<polyline points="' + values.map(function (v, k) { return f1(px(k)) + "," + f1(py(v)); }).join(" ") +
                 '" fill="none" stroke="' + colour + '" stroke-width="1.8"' + series[2] + "/>");
        values.forEach(function (v, k) {
          var x = px(k), y = py(v);
          out.push(series[3] === "circle"
            ? '<circle cx="' + f1(x) + '" cy="' + f1(y) + '" r="3" fill="' + colour + '"/>'
            : '<rect x="' + f1(x - 3) + '" y="' + f1(y - 3) + '" width="6" height="6" fill="' + colour + '"/>');
        });
      });
    var ly = top + h + 68;
    out.push('<circle cx="' + (left + 8) + '" cy="' + (ly - 5) + '" r="4" fill="' + BLUE + '"/>' +
             '<text x="' + (left + 18) + '" y="' + ly + '" font-size="' + T + '">activations (after each ReLU)</text>');
    out.push('<rect x="' + (left + 300) + '" y="' + (ly - 9) + '" width="8" height="8" fill="' + VERMILLION + '"/>' +
             '<text x="' + (left + 314) + '" y="' + ly + '" font-size="' + T + '">weight gradients dL/dw</text>');
    return E.figureBlock(E.svg(width, height, out.join(""), pic.alt), pic.caption);
  };
})();
