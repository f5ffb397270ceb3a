/* Detection explorer (chapter 12): the page-side twin of
 * cnnbook.widgets.detection.detection_view, and the page picture.
 * The trained detector cannot run in the page: the explorer's data
 * (cnnbook.widgets.detection.detection_data) holds its log-odds map and labels
 * on every page, and this twin does the rest as cnnbook.fcn.detect does:
 * keep the best window above the threshold, drop its neighbours within the
 * radius, repeat. tests/test_web_detection.py compares it with Python on every
 * setting of the controls. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};
  E.pictures = E.pictures || {};

  function pyStr(s) {  // Python's repr of a str (the quotes it picks)
    s = String(s).replace(/\\/g, "\\\\");
    if (s.indexOf("'") >= 0 && s.indexOf('"') < 0) { return '"' + s + '"'; }
    return "'" + s.replace(/'/g, "\\'") + "'";
  }

  function pyNum(x) {  // repr of an int or a float
    return Number.isInteger(x) ? String(x) : E.py.repr(x);
  }

  /* cnnbook.fcn.detect after the network: the best window first, its neighbours dropped. */
  function suppress(logOdds, labels, stride, radius, threshold) {
    var H = logOdds.length, W = H ? logOdds[0].length : 0;
    var left = logOdds.map(function (row) { return row.slice(); });
    var found = [];
    while (H * W) {
      var best = -Infinity, bi = 0, bj = 0;
      for (var i = 0; i < H; i++) {
        for (var j = 0; j < W; j++) {
          if (left[i][j] > best) { best = left[i][j]; bi = i; bj = j; }  // the first maximum, as argmax
        }
      }
      if (!(best > threshold)) { break; }
      found.push({ row: bi * stride, col: bj * stride, label: labels[bi][bj], log_odds: logOdds[bi][bj] });
      for (i = Math.max(0, bi - radius); i <= Math.min(H - 1, bi + radius); i++) {
        for (j = Math.max(0, bj - radius); j <= Math.min(W - 1, bj + radius); j++) { left[i][j] = -Infinity; }
      }
    }
    return found;
  }

  function cells(n) { return "cell" + (n !== 1 ? "s" : ""); }

  function compute(v, data) {
    var state = { summary: "Detections: none", error: null, text: "", grids: [], picture: null };
    var names = Object.keys(data.pages);
    var page = data.pages.hasOwnProperty(v.page) ? data.pages[v.page] : null;
    if (page === null) {
      state.error = "page must be one of " + names.map(pyStr).join(", ") + ", got page=" + pyStr(v.page);
    } else if (!Number.isInteger(v.radius) || v.radius < 0) {
      state.error = "radius must be a non-negative int, got radius=" + pyNum(v.radius);
    } else if (!Number.isFinite(v.threshold)) {
      state.error = "threshold must be a finite number (log-odds), got threshold=" + pyNum(v.threshold);
    }
    if (state.error) {
      state.text = state.error;
      return state;
    }
    var threshold = v.threshold, radius = v.radius, stride = data.stride;
    var found = suppress(page.log_odds, page.labels, stride, radius, threshold);
    var truth = {};
    page.truth.forEach(function (t) { truth[t.join(",")] = true; });
    var boxes = found.map(function (d) {
      return [d.row, d.col, d.label, truth[[d.row, d.col, d.label].join(",")] === true];
    });
    var correct = boxes.filter(function (b) { return b[3]; }).length;
    var wrong = found.length - correct, missed = page.truth.length - correct;
    state.summary = "Detections: " + found.length + " (" + correct + " correct, " + wrong + " wrong, " +
      missed + " missed)";
    var lines = ["A window counts when its log-odds of a digit are above " + pyNum(threshold) + "; around each kept " +
      "window, the windows up to " + radius + " " + cells(radius) + " (" + stride * radius + " pixels) away are dropped."];
    if (wrong) {
      lines.push("Wrong detections: windows that see part of a digit, or parts of two, and " +
        (radius === 0 ? "that nothing suppresses (radius 0)." :
          "lie more than " + radius + " " + cells(radius) + " from a better window."));
    }
    if (missed) {
      lines.push("Missed digits: their best window was below the threshold, or was dropped as the " +
        "neighbour of a stronger window within the radius.");
    }
    if (!wrong && !missed) { lines.push("Every digit found once, with the right label."); }
    state.text = lines.join("\n");
    var digits = page.truth.map(function (t) { return String(t[2]); }).join(", ");
    var alt = "A page with the digits " + digits + "; " + found.length + " boxes mark the kept windows: " +
      correct + " correct, " + wrong + " wrong, " + missed + " digits missed.";

    var lo = page.log_odds, Hs = lo.length, Ws = Hs ? lo[0].length : 0;
    var kept = E.zeros(Hs, Ws);
    found.forEach(function (d) { kept[d.row / stride][d.col / stride] = 1; });
    var limit = 1.0;
    E.flat(lo).forEach(function (x) { limit = Math.max(limit, Math.abs(x)); });
    state.grids = [{ values: lo, caption: "log-odds of a digit for each of the " + Hs + " × " + Ws +
      " windows (outlined: kept)", fmt: "{:.0f}", cmap: "PuOr", vmin: -limit, vmax: limit, highlight: kept,
      origin: [0, 0], blank: "" }];
    var labels = found.map(function (d) { return d.label + " at (" + d.row + ", " + d.col + ")"; }).join(", ");
    state.picture = { kind: "detection", alt: alt, caption: "kept windows: " + (labels || "nothing"),
                      page: v.page, window: data.window, boxes: boxes };
    return state;
  }

  E.explorers.detection = { compute: compute };

  /* The page (ink dark on white) with a box on every kept window and the digit read there. */
  E.pictures.detection = function (pic, data) {
    var image = data.pages[pic.page].image, H = image.length, W = H ? image[0].length : 0;
    var cell = 10, width = W * cell + 2, height = H * cell + 2;
    var out = ['<rect x="0" y="0" width="' + W * cell + '" height="' + H * cell + '" fill="#ffffff"/>'];
    for (var r = 0; r < H; r++) {
      for (var c = 0; c < W; c++) {
        var v = image[r][c];
        if (v > 0) {
          var g = Math.round(255 * (1 - Math.min(1, v)));
          out.push('<rect x="' + c * cell + '" y="' + r * cell + '" width="' + cell + '" height="' + cell +
            '" fill="' + E.hex([g, g, g]) + '"/>');
        }
      }
    }
    out.push('<rect x="0" y="0" width="' + W * cell + '" height="' + H * cell +
      '" fill="none" stroke="#909090" stroke-width="1"/>');
    var side = pic.window * cell;
    pic.boxes.forEach(function (b) {
      var x = b[1] * cell + 1.5, y = b[0] * cell + 1.5, colour = b[3] ? "#009E73" : "#D55E00";
      var dash = b[3] ? "" : ' stroke-dasharray="6 3"';
      out.push('<rect x="' + x + '" y="' + y + '" width="' + (side - 3) + '" height="' + (side - 3) +
        '" fill="none" stroke="black" stroke-width="4.5"' + dash + "/>");
      out.push('<rect x="' + x + '" y="' + y + '" width="' + (side - 3) + '" height="' + (side - 3) +
        '" fill="none" stroke="' + colour + '" stroke-width="3"' + dash + "/>");
      out.push('<rect x="' + x + '" y="' + y + '" width="20" height="20" fill="' + colour + '"/>' +
        '<text x="' + (x + 10) + '" y="' + (y + 10) + '" font-size="' + E.TEXT_PX + '" font-weight="bold" text-anchor="middle" ' +
        'dominant-baseline="central" fill="black">' + b[2] + "</text>");
    });
    return E.figureBlock(E.svg(width, height, out.join(""), pic.alt), pic.caption);
  };
})();
