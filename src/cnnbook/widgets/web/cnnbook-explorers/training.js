/* SGD explorer (chapter 10): the page-side twin of cnnbook.widgets.training
 * (the explorer's compute, i.e. sgd_path_view with the sliders' values rounded
 * to 4 decimals), and the path-and-loss picture.
 * The path uses only +, ×, √ in the order cnnbook.optim.SGD does them, so it is
 * the same to the bit; tests/test_web_training.py compares compute() with Python
 * on every (learning rate, momentum) of the sliders at several step counts. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};
  E.pictures = E.pictures || {};

  var BLOW_UP = 1e6;  // training._BLOW_UP
  var BLUE = "#0072B2", ORANGE = "#E69F00", VERMILLION = "#D55E00";

  function g(x, p) { return E.py.general(x, p); }

  function roots(lr, mu, c) {  // training._roots: b and the discriminant of r² − b·r + μ
    var b = 1 + mu - lr * c;
    return [b, b * b - 4 * mu];
  }

  function factor(lr, mu, c) {  // training._factor
    var r = roots(lr, mu, c), b = r[0], disc = r[1];
    var f = disc < 0 ? Math.sqrt(mu) : (Math.abs(b) + Math.sqrt(disc)) / 2;
    return Math.abs(f - 1) < 1e-12 ? 1 : f;
  }

  function motion(lr, mu, c) {  // training._motion
    var r = roots(lr, mu, c);
    if (factor(lr, mu, c) < 1e-12) { return "lands on the minimum in one step"; }
    if (r[1] < 0) { return "oscillates around the minimum"; }
    return r[0] < 0 ? "zigzags across the minimum" : "slides straight in";
  }

  // optim._non_negative's messages (the sliders' values are floats).
  function checkRate(value, name, positive) {
    var kind = positive ? "positive" : "non-negative";
    if (typeof value !== "number") { throw new Error(name + " must be a " + kind + " number, got " + name + "=" + String(value)); }
    if (!Number.isFinite(value) || value < 0 || (positive && value === 0)) {
      throw new Error(name + " must be a finite " + kind + " number, got " + name + "=" + E.py.repr(value));
    }
  }

  function sgdPath(lr, mu, steps, lam, start) {
    var state = { summary: "No path", error: null, text: "", grids: [], picture: null };
    try {
      if (!Number.isInteger(steps) || steps < 1 || steps > 1000) {
        throw new Error("steps must be a whole number from 1 to 1000, got steps=" +
          (Number.isInteger(steps) ? String(steps) : E.py.repr(steps)));
      }
      checkRate(lr, "lr", true);
      checkRate(mu, "momentum", false);
      if (mu >= 1) { throw new Error("momentum must be in [0, 1), got momentum=" + E.py.repr(mu)); }
    } catch (err) {
      state.error = err.message;
      state.text = err.message;
      return state;
    }
    var w = [start[0], start[1]], v = [0, 0], path = [[w[0], w[1]]], i, t;
    for (t = 0; t < steps; t++) {
      for (i = 0; i < 2; i++) {  // cnnbook.optim.SGD.step: v *= μ; v += g; w -= η·v
        var grad = lam[i] * w[i];
        v[i] = v[i] * mu;
        v[i] = v[i] + grad;
        w[i] = w[i] - lr * v[i];
      }
      path.push([w[0], w[1]]);
      if (Math.max(Math.abs(w[0]), Math.abs(w[1])) > BLOW_UP) { break; }
    }
    var losses = path.map(function (p) { return 0.5 * (lam[0] * (p[0] * p[0]) + lam[1] * (p[1] * p[1])); });
    var factors = lam.map(function (c) { return factor(lr, mu, c); });
    var diverged = Math.max(factors[0], factors[1]) > 1;
    var limit = 2 * (1 + mu), eff = lr / (1 - mu), taken = path.length - 1;
    var summary = "Loss after " + taken + " steps: " + g(losses[taken], 3) + " (start " + g(losses[0], 3) + ")";
    if (diverged) {
      summary = "Diverges. " + summary + (taken < steps ? "; stopped where |w| passed 1e6" : "");
    }
    var lines = ["One step: v ← " + g(mu) + "·v + ∇L(w),  w ← w − " + g(lr) + "·v   (cnnbook.optim.SGD)"];
    lam.forEach(function (c, k) {
      var f = factors[k], n = k + 1, step = lr * c;
      var verdict = f < 1 ? "converges" : (f === 1 ? "stalls" : "diverges");
      var edge = step < limit - 1e-12 ? "<" : (step <= limit + 1e-12 ? "=" : ">");
      lines.push("w" + n + ": curvature λ" + n + " = " + g(c) + ", η·λ" + n + " = " + g(step, 3) + " (" + edge +
        " 2(1 + μ) = " + g(limit, 3) + "): per step the distance " + (f < 1 ? "shrinks" : "changes") +
        " by a factor " + E.py.fixed(f, 3) + "; " + verdict + ", " + motion(lr, mu, c));
    });
    lines.push("Effective step on a steady slope: η/(1 − μ) = " + g(eff, 3) + "." +
      (mu > 0 ? " Momentum lets the shallow direction travel faster; too much makes the path overshoot and spiral."
              : " Add momentum to speed up the shallow direction."));
    state.summary = summary;
    state.text = lines.join("\n");
    state.picture = null;
    return { state: state, path: path, losses: losses };
  }

  function compute(settings, data) {
    // The explorer's compute: slider floats such as 0.15000000000000002 rounded to 4 decimals.
    var lr = Number(E.py.fixed(settings.lr, 4)) + 0, mu = Number(E.py.fixed(settings.momentum, 4)) + 0;
    var lam = data.curvatures, start = data.start, box = data.box, range = data.loss_range;
    var run = sgdPath(lr, mu, settings.steps, lam, start);
    if (!run.path) { return run; }
    var state = run.state;
    var alt = "Path of gradient descent with learning rate " + g(lr) + " and momentum " + g(mu) + " on an elongated " +
      "bowl, from (" + g(start[0]) + ", " + g(start[1]) + ") toward the minimum at the origin, and the loss per step " +
      "on a log scale. " + state.summary + ".";
    state.picture = {
      kind: "sgd-path", alt: alt,
      caption: state.summary + ". Left: the path of w over the loss contours; right: the loss per step.",
      path: run.path, losses: run.losses, steps: settings.steps, curvatures: [lam[0], lam[1]],
      box: [box[0], box[1], box[2], box[3]], loss_range: [range[0], range[1]]
    };
    return state;
  }

  E.explorers.sgd = { compute: compute };

  function f1(x) { return x.toFixed(1); }

  /* The path of w over the loss contours, and the loss per step on a log scale, as SVG. */
  E.pictures["sgd-path"] = function (pic) {
    var x1 = pic.box[0], x2 = pic.box[1], y1 = pic.box[2], y2 = pic.box[3];
    // Text of E.TEXT_PX: a title line above the loss plot, two key lines below the path, tick labels
    // in the gap between the plots; at most E.SVG_MAX_WIDTH wide.
    var pw = 320, ph = 160, lw = 210, lh = 160, gap = 56, pad = 30, side = 10, T = E.TEXT_PX;
    var width = side + pw + gap + lw + side, height = pad + ph + 52;
    function toPx(w) { return [side + (w[0] - x1) / (x2 - x1) * pw, pad + (y2 - w[1]) / (y2 - y1) * ph]; }
    var clip = ' clip-path="url(#cnnbook-sgd-clip)"';
    var out = ['<clipPath id="cnnbook-sgd-clip"><rect x="' + side + '" y="' + pad + '" width="' + pw + '" height="' +
               ph + '"/></clipPath>',
               '<rect x="' + side + '" y="' + pad + '" width="' + pw + '" height="' + ph + '" fill="white" stroke="black"/>'];
    var centre = toPx([0, 0]), sx = pw / (x2 - x1), sy = ph / (y2 - y1);
    [0.1, 0.5, 2, 5, 10, 20, 40].forEach(function (level) {  // ellipses L(w) = level
      var rx = Math.sqrt(2 * level / pic.curvatures[0]) * sx, ry = Math.sqrt(2 * level / pic.curvatures[1]) * sy;
      out.push('<ellipse cx="' + f1(centre[0]) + '" cy="' + f1(centre[1]) + '" rx="' + f1(rx) + '" ry="' + f1(ry) +
               '" fill="none" stroke="#a0a0a0" stroke-width="0.8"' + clip + "/>");
    });
    var shown = pic.path.map(function (w) {  // keep coordinates finite and near
      return [Math.min(Math.max(w[0], x1 - 1), x2 + 1), Math.min(Math.max(w[1], y1 - 1), y2 + 1)];
    }).map(toPx);
    out.push('<polyline points="' + shown.map(function (p) { return f1(p[0]) + "," + f1(p[1]); }).join(" ") +
             '" fill="none" stroke="' + BLUE + '" stroke-width="1.5"' + clip + "/>");
    shown.slice(1).forEach(function (p) {
      out.push('<circle cx="' + f1(p[0]) + '" cy="' + f1(p[1]) + '" r="2.2" fill="' + BLUE + '"' + clip + "/>");
    });
    var s = toPx(pic.path[0]);
    out.push('<rect x="' + f1(s[0] - 5) + '" y="' + f1(s[1] - 5) + '" width="10" height="10" fill="' + ORANGE +
             '" stroke="black"/>');
    out.push('<text x="' + f1(centre[0]) + '" y="' + f1(centre[1] + 5) + '" font-size="16" text-anchor="middle" fill="' +
             VERMILLION + '" stroke="black" stroke-width="0.5">★</text>');
    out.push('<text x="' + (side + pw / 2) + '" y="' + (pad + ph + 20) + '" font-size="' + T + '" text-anchor="middle">' +
             "across: w1 (shallow), up: w2 (steep);</text>");
    out.push('<text x="' + (side + pw / 2) + '" y="' + (pad + ph + 42) + '" font-size="' + T + '" text-anchor="middle">' +
             "square: start, star: minimum</text>");
    // The loss per step, log scale.
    var lx0 = side + pw + gap, lo = Math.log10(pic.loss_range[0]), hi = Math.log10(pic.loss_range[1]);
    var last = Math.max(pic.steps, 1);
    function lossPx(t, v) {
      var y = Math.log10(Math.min(Math.max(v, pic.loss_range[0]), pic.loss_range[1]));
      return [lx0 + t / last * lw, pad + (hi - y) / (hi - lo) * lh];
    }
    out.push('<rect x="' + lx0 + '" y="' + pad + '" width="' + lw + '" height="' + lh + '" fill="white" stroke="black"/>');
    for (var e = Math.trunc(lo); e <= Math.trunc(hi); e += 2) {
      var yy = lossPx(0, Math.pow(10, e))[1];
      out.push('<line x1="' + lx0 + '" y1="' + f1(yy) + '" x2="' + (lx0 + lw) + '" y2="' + f1(yy) + '" stroke="#dddddd"/>');
      out.push('<text x="' + (lx0 - 5) + '" y="' + f1(yy) + '" font-size="' + T + '" text-anchor="end" ' +
               'dominant-baseline="central">1e' + e + "</text>");
    }
    out.push('<polyline points="' + pic.losses.map(function (v, t) {
      var p = lossPx(t, v);
      return f1(p[0]) + "," + f1(p[1]);
    }).join(" ") + '" fill="none" stroke="' + BLUE + '" stroke-width="1.8"/>');
    out.push('<text x="' + (lx0 + lw / 2) + '" y="' + (pad - 9) + '" font-size="' + T + '" text-anchor="middle">loss (log scale)</text>');
    out.push('<text x="' + (lx0 + lw / 2) + '" y="' + (pad + lh + 20) + '" font-size="' + T + '" text-anchor="middle">step 0 to ' +
             pic.steps + "</text>");
    return E.figureBlock(E.svg(width, height, out.join(""), pic.alt), pic.caption);
  };
})();
