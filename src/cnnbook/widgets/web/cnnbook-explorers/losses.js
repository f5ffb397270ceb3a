/* Loss explorer (chapter 7): the page-side twin of cnnbook.widgets.losses
 * (the explorer's compute: loss_view of the four sliders' logits, rounded to 4
 * decimals), and the bar charts of y and dL/dz.
 * The arithmetic follows cnnbook.softmax, softmax_cross_entropy, sigmoid and
 * binary_cross_entropy operation by operation (numpy sums fewer than 8 terms in
 * order); only exp, log and log1p may differ from numpy's in the last bit.
 * tests/test_web_losses.py compares compute() with Python on seeded settings of
 * the sliders' grid, extreme logits and settings that are not allowed. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};
  E.pictures = E.pictures || {};

  var BLUE = "#0072B2", ORANGE = "#E69F00";

  function sum(values) {  // numpy's sum of fewer than 8 numbers: left to right
    var s = values[0];
    for (var i = 1; i < values.length; i++) { s += values[i]; }
    return s;
  }

  function max(values) { return Math.max.apply(null, values); }

  function pyStr(s) {  // repr of a str
    s = String(s).replace(/\\/g, "\\\\");
    if (s.indexOf("'") >= 0 && s.indexOf('"') < 0) { return '"' + s + '"'; }
    return "'" + s.replace(/'/g, "\\'") + "'";
  }

  function pyValue(v) {  // repr of an int, float or str as the settings carry them
    if (typeof v === "string") { return pyStr(v); }
    return Number.isInteger(v) ? String(v) : E.py.repr(v);
  }

  function vec(values) { return "(" + values.map(function (v) { return E.py.fixed(v, 3); }).join(", ") + ")"; }

  function signed(values) {
    return "(" + values.map(function (v) { return E.py.format("+.3f", v).replace(/-/g, "−"); }).join(", ") + ")";
  }

  function softmax(z) {  // cnnbook.softmax
    var top = max(z);
    var e = z.map(function (v) { return Math.exp(v - top); });
    var total = sum(e);
    return e.map(function (v) { return v / total; });
  }

  function softmaxCrossEntropy(z, target) {  // cnnbook.softmax_cross_entropy for N = 1
    var top = max(z);
    var shifted = z.map(function (v) { return v - top; });
    var logSum = Math.log(sum(shifted.map(Math.exp)));
    var logProbs = shifted.map(function (v) { return v - logSum; });
    var grad = logProbs.map(Math.exp);
    grad[target] -= 1;
    return { loss: -logProbs[target], grad: grad };
  }

  function sigmoid(z) {  // cnnbook.sigmoid
    return z.map(function (v) {
      var e = Math.exp(-Math.abs(v));
      return v >= 0 ? 1 / (1 + e) : e / (1 + e);
    });
  }

  function binaryCrossEntropy(p, t) {  // cnnbook.binary_cross_entropy: loss and dL/dp
    var K = p.length;
    var terms = p.map(function (pk, k) {
      return t[k] * Math.max(Math.log(pk), -100) + (1 - t[k]) * Math.max(Math.log1p(-pk), -100);
    });
    var dp = p.map(function (pk, k) { return (pk - t[k]) / Math.max(pk * (1 - pk), 1e-12) / K; });
    return { loss: -(sum(terms) / K), dp: dp };
  }

  function lossView(z, target, mode, names, modes) {
    var K = z.length;
    var state = { summary: "No loss", error: null, text: "", grids: [], picture: null };
    if (K < 2 || !z.every(function (v) { return typeof v === "number" && Number.isFinite(v); })) {
      state.error = "logits must be at least 2 finite numbers in a 1-D list; got logits=[" + z.map(pyValue).join(", ") + "]";
    } else if (!Number.isInteger(target) || target < 0 || target >= K) {
      state.error = "target must be a class index from 0 to " + (K - 1) + "; got target=" + pyValue(target);
    } else if (modes.indexOf(mode) < 0) {
      state.error = "mode must be one of " + modes.map(pyStr).join(", ") + "; got mode=" + pyValue(mode);
    } else if (names.length !== K) {
      state.error = "class_names must have " + K + " entries, one per logit; got " + names.length;
    }
    if (state.error) {
      state.text = state.error;
      return state;
    }
    var name = names[target], probs, loss, grad, lines;
    var onehot = z.map(function (v, k) { return k === target ? 1 : 0; });
    if (mode === "softmax") {
      probs = softmax(z);
      var ce = softmaxCrossEntropy(z, target);
      loss = ce.loss + 0;  // -0 -> 0
      grad = ce.grad;
      state.summary = "loss = −ln y[" + name + "] = " + E.py.fixed(loss, 3);
      lines = [
        "z = " + vec(z),
        "y = softmax(z) = " + vec(probs) + "   (sum = " + E.py.fixed(sum(probs), 3) + ")",
        "loss = −ln y[" + name + "] = −ln " + E.py.fixed(probs[target], 3) + " = " + E.py.fixed(loss, 3),
        "dL/dz = y − t = " + signed(grad) + "   (sum = " + E.py.fixed(Math.abs(sum(grad)), 3) + ")",
        "A gradient step raises z[" + name + "] by η·" + E.py.fixed(1 - probs[target], 3) + " and lowers every " +
          "other logit by η times its probability."
      ];
    } else {
      probs = sigmoid(z);
      var bce = binaryCrossEntropy(probs, onehot);
      loss = bce.loss + 0;
      grad = bce.dp.map(function (d, k) { return d * probs[k] * (1 - probs[k]); });  // through the sigmoid
      state.summary = "loss = mean BCE over " + K + " outputs = " + E.py.fixed(loss, 3);
      lines = [
        "z = " + vec(z),
        "y = sigmoid(z) = " + vec(probs) + "   (sum = " + E.py.fixed(sum(probs), 3) + ": not a distribution)",
        "t = (" + onehot.join(", ") + ")   (each class is its own yes/no question)",
        "loss = −(1/" + K + ") Σ [t ln y + (1 − t) ln(1 − y)] = " + E.py.fixed(loss, 3),
        "dL/dz = (y − t)/" + K + " = " + signed(grad),
        "Each logit is pushed only by its own error: nothing couples the classes."
      ];
    }
    state.text = lines.join("\n");
    var words = names.map(function (n, k) { return n + " " + E.py.fixed(probs[k], 2); }).join(", ");
    var gwords = names.map(function (n, k) { return n + " " + E.py.format("+.2f", grad[k]); }).join(", ");
    var alt = "Two bar charts over " + K + " classes, true class " + name + " hatched. Probabilities: " + words +
      ". Gradient: " + gwords + ". " + state.summary + ".";
    state.picture = {
      kind: "loss-bars", alt: alt,
      caption: state.summary + ". Left: probabilities; right: the gradient, " +
        (mode === "softmax" ? "y − t." : "(y − t)/" + K + "."),
      names: names.slice(), target: target, mode: mode, probs: probs, grad: grad,
      grad_limit: mode === "softmax" ? 1 : 1 / K
    };
    return state;
  }

  function compute(settings, data) {
    var names = data.names;
    // The explorer's compute: slider floats such as 0.30000000000000004 rounded to 4 decimals, -0 made 0.
    var z = names.map(function (n, k) {
      var v = settings["z" + k];
      return typeof v === "number" && Number.isFinite(v) ? Number(E.py.fixed(v, 4)) + 0 : v;
    });
    return lossView(z, settings.target, settings.mode, names, data.modes);
  }

  E.explorers.loss = { compute: compute };

  function f1(x) { return x.toFixed(1); }

  // The panels' layout, for text of E.TEXT_PX: a value's label sits just past its bar (|value| <= lim, so a bar
  // never leaves its panel), and the class names sit below the lowest label a negative bar can have.
  var TOP = 44, BOTTOM = 68;

  function bars(pic, values, lim, signedBars, title, x0, width, height) {
    var K = values.length, top = TOP, plotH = height - top - BOTTOM, T = E.TEXT_PX;
    var zero = top + (signedBars ? plotH / 2 : plotH), scale = (signedBars ? plotH / 2 : plotH) / lim;
    var slot = width / K;
    var out = ['<text x="' + (x0 + width / 2) + '" y="18" font-size="' + T + '" text-anchor="middle">' + E.esc(title) + "</text>",
               '<line x1="' + x0 + '" y1="' + zero + '" x2="' + (x0 + width) + '" y2="' + zero +
               '" stroke="#808080" stroke-width="1"/>'];
    values.forEach(function (v, k) {
      var h = Math.min(Math.abs(v), 1.1 * lim) * scale;
      var x = x0 + k * slot + slot * 0.18, y = v >= 0 ? zero - h : zero;
      var fill = k === pic.target ? "url(#cnnbook-loss-hatch)" : BLUE;
      out.push('<rect x="' + f1(x) + '" y="' + f1(y) + '" width="' + f1(slot * 0.64) + '" height="' + f1(Math.max(h, 0.5)) +
               '" fill="' + fill + '" stroke="black" stroke-width="0.8"/>');
      var label = signedBars ? E.py.format("+.2f", v).replace(/-/g, "−") : E.py.fixed(v, 2);
      var ty = v >= 0 ? y - 5 : y + h + 16;
      out.push('<text x="' + f1(x + slot * 0.32) + '" y="' + f1(ty) + '" font-size="' + T + '" text-anchor="middle">' + label + "</text>");
      out.push('<text x="' + f1(x + slot * 0.32) + '" y="' + (height - 30) + '" font-size="' + T + '" text-anchor="middle"' +
               (k === pic.target ? ' font-weight="bold"' : "") + ">" + E.esc(pic.names[k]) + "</text>");
    });
    return out;
  }

  /* Bars of the probabilities and of dL/dz, the true class hatched orange. */
  E.pictures["loss-bars"] = function (pic) {
    var panelW = 280, height = 250, width = 2 * panelW + 60;
    var name = pic.mode === "softmax" ? "softmax" : "sigmoid";
    var out = ['<defs><pattern id="cnnbook-loss-hatch" width="6" height="6" patternUnits="userSpaceOnUse" ' +
               'patternTransform="rotate(45)"><rect width="6" height="6" fill="' + ORANGE + '"/>' +
               '<line x1="0" y1="0" x2="0" y2="6" stroke="black" stroke-width="1.5"/></pattern></defs>'];
    out = out.concat(bars(pic, pic.probs, 1, false, "probabilities y = " + name + "(z)", 10, panelW, height));
    out = out.concat(bars(pic, pic.grad, pic.grad_limit, true, "gradient dL/dz", panelW + 50, panelW, height));
    out.push('<text x="' + width / 2 + '" y="' + (height - 6) + '" font-size="' + E.TEXT_PX +
             '" text-anchor="middle" fill="#404040">hatched orange: the true class</text>');
    return E.figureBlock(E.svg(width, height, out.join(""), pic.alt), pic.caption);
  };
})();
