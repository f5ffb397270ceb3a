/* Shift explorer (chapter 2): the page-side twin of
 * cnnbook.widgets.shift.shift_view, and its picture.
 * The chapter's trained models cannot run in the page: the explorer's data
 * (cnnbook.widgets.shift.shift_data) holds, for every offered digit and every
 * move, each model's prediction and class probabilities as whole percents, one
 * character of data.codes each. This twin looks them up and writes the same
 * text as Python. tests/test_web_shift.py compares it with Python on every
 * index × dy × dx, and on settings that are not allowed. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};
  E.pictures = E.pictures || {};

  var decoders = {};
  function decoder(codes) {  // character -> number, by data.codes
    if (!decoders[codes]) {
      var table = {};
      for (var i = 0; i < codes.length; i++) { table[codes[i]] = i; }
      decoders[codes] = table;
    }
    return decoders[codes];
  }

  function pyNum(x) {  // repr of an int or a float
    return Number.isInteger(x) ? String(x) : E.py.repr(x);
  }

  // shift._problem: why a setting is not allowed, or null.
  function problem(N, H, W, index, dy, dx) {
    if (!Number.isInteger(index) || !(index >= 0 && index < N)) {
      return "index must be a whole number from 0 to " + (N - 1) + "; got index=" + pyNum(index);
    }
    if (!Number.isInteger(dy) || !Number.isInteger(dx)) {
      return "dy and dx must be whole numbers of pixels; got dy=" + pyNum(dy) + ", dx=" + pyNum(dx);
    }
    if (Math.abs(dy) >= H || Math.abs(dx) >= W) {
      return "a move of (" + dy + ", " + dx + ") pushes the whole " + H + "×" + W + " image out of the frame; " +
        "keep |dy| < " + H + " and |dx| < " + W;
    }
    return null;
  }

  function compute(v, data) {
    var H = data.shape[0], W = data.shape[1], N = data.labels.length, m = data.max_shift;
    var index = v.index, dy = v.dy, dx = v.dx;
    var error = problem(N, H, W, index, dy, dx);
    if (error) { return { summary: "No prediction", error: error, text: "", grids: [], picture: null }; }
    if (Math.abs(dy) > m || Math.abs(dx) > m) {
      throw new Error("the page only knows moves up to " + m + " pixels");
    }
    var code = decoder(data.codes), S = 2 * m + 1, move = (dy + m) * S + (dx + m);
    var label = data.labels[index], C = data.classes, M = data.models.length;
    var outputs = data.outputs[index], lines = [], says = [], predicts = [], models = [];
    data.models.forEach(function (name, k) {
      var at = (move * M + k) * (1 + C);
      var pred = code[outputs[at]], percents = [];
      for (var c = 0; c < C; c++) { percents.push(code[outputs[at + 1 + c]]); }
      lines.push(name + ": predicts " + pred + " (" + percents[pred] + "%), " + (pred === label ? "right" : "wrong") +
        "; probability of the true class " + label + ": " + percents[label] + "%");
      says.push(name + " says " + pred);
      predicts.push(name + " predicts " + pred);
      models.push({ name: name, prediction: pred, percents: percents });
    });
    var where = dy !== 0 || dx !== 0 ? "moved " + dy + " down and " + dx + " right" : "not moved";
    var text = lines.join("\n");
    var lost = data.lost[index][move];
    if (lost !== null) { text += "\n(The move pushed part of the ink, " + lost + "%, out of the frame.)"; }
    var pixels = data.images[index], image = [];
    for (var r = 0; r < H; r++) {  // cnnbook.data.shift: zero fill, nothing wraps around
      var row = [];
      for (var c = 0; c < W; c++) {
        var r0 = r - dy, c0 = c - dx;
        row.push(r0 >= 0 && r0 < H && c0 >= 0 && c0 < W ? code[pixels[r0 * W + c0]] : 0);
      }
      image.push(row);
    }
    var box = data.frames[index];
    var alt = "A handwritten " + label + " " + where + ", and bar charts of class probabilities: " +
      predicts.join("; ") + ".";
    return {
      summary: "Test digit " + index + " (a " + label + "), " + where + ": " + says.join(", "),
      error: null, text: text, grids: [],
      picture: { kind: "shift", alt: alt, label: label, title: "class " + label + ", moved (" + dy + ", " + dx + ")",
                 image: image, frame: box ? [box[0] + dy, box[1] + dx, box[2], box[3]] : null, models: models }
    };
  }

  E.explorers.shift = { compute: compute };

  /* The moved digit (white ink on black, dashed box round the ink) and one bar chart per model
   * (the true class hatched, its tick label bold and underlined), two charts to a row beside the
   * digit. Every text is E.TEXT_PX, and the picture is at most E.SVG_MAX_WIDTH wide (not scaled
   * down in the web book's text column). */
  E.pictures.shift = function (pic) {
    var image = pic.image, H = image.length, W = H ? image[0].length : 0, T = E.TEXT_PX;
    var cell = Math.max(4, Math.floor(150 / Math.max(H, W)));
    var out = [];
    function text(x, y, s, extra) {
      return '<text x="' + x + '" y="' + y + '" font-size="' + T + '" text-anchor="middle"' + (extra || "") + ">" +
        E.esc(s) + "</text>";
    }
    // The digit's title on two lines ("class 6," / "moved (0, 2)"): one line is wider than the digit.
    var cut = pic.title.indexOf(", "), lines = cut > 0 ? [pic.title.slice(0, cut + 1), pic.title.slice(cut + 2)] : [pic.title];
    lines.forEach(function (line, i) { out.push(text(W * cell / 2, 16 + 20 * i, line)); });
    var top = 16 + 20 * (lines.length - 1) + 10;
    for (var r = 0; r < H; r++) {
      for (var c = 0; c < W; c++) {
        var g = Math.round(2.55 * image[r][c]);
        out.push('<rect x="' + c * cell + '" y="' + (top + r * cell) + '" width="' + cell + '" height="' + cell +
          '" fill="' + E.hex([g, g, g]) + '"/>');
      }
    }
    if (pic.frame) {
      var f = pic.frame;
      out.push('<rect x="' + f[1] * cell + '" y="' + (top + f[0] * cell) + '" width="' + f[3] * cell + '" height="' +
        f[2] * cell + '" fill="none" stroke="#E69F00" stroke-width="2" stroke-dasharray="5 3"/>');
    }
    out.push('<defs><pattern id="cnnbook-shift-hatch" width="5" height="5" patternUnits="userSpaceOnUse" ' +
      'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="5" stroke="black" stroke-width="1.2"/>' +
      "</pattern></defs>");
    // Each chart: its title above, class numbers and "class" below; probability ticks left of the first column.
    var chartW = 170, chartH = 90, axis = 50, gap = 60, rowH = 28 + chartH + 56;
    var left = W * cell + 24 + axis, perRow = 2;
    pic.models.forEach(function (model, k) {
      var x0 = left + (k % perRow) * (chartW + gap), y0 = 28 + Math.floor(k / perRow) * rowH;
      var C = model.percents.length, bw = chartW / C;
      var wrong = model.prediction !== pic.label;
      out.push(text(x0 + chartW / 2, y0 - 14, model.name + ": " + model.prediction + " (" +
        model.percents[model.prediction] + "%)"));
      out.push('<rect x="' + x0 + '" y="' + y0 + '" width="' + chartW + '" height="' + chartH +
        '" fill="none" stroke="#909090" stroke-width="0.8"/>');
      model.percents.forEach(function (p, c) {
        var h = chartH * p / 100, x = x0 + c * bw + 1.5, y = y0 + chartH - h;
        var fill = c === model.prediction ? "#0072B2" : "#b0b0b0";
        var edge = c === pic.label && wrong ? "#D55E00" : "black";
        var width = c === pic.label && wrong ? 2 : 0.6;
        out.push('<rect x="' + x + '" y="' + y + '" width="' + (bw - 3) + '" height="' + h + '" fill="' + fill +
          '" stroke="' + edge + '" stroke-width="' + width + '"/>');
        if (c === pic.label) {
          out.push('<rect x="' + x + '" y="' + y + '" width="' + (bw - 3) + '" height="' + h +
            '" fill="url(#cnnbook-shift-hatch)" stroke="none"/>');
        }
        out.push(text(x0 + c * bw + bw / 2, y0 + chartH + 17, String(c),
          c === pic.label ? ' font-weight="bold" text-decoration="underline"' : ""));
      });
      out.push(text(x0 + chartW / 2, y0 + chartH + 37, "class"));
      if (k % perRow === 0) {
        [0, 0.5, 1].forEach(function (t) {
          out.push('<text x="' + (x0 - 4) + '" y="' + (y0 + chartH * (1 - t)) + '" font-size="' + T +
            '" text-anchor="end" dominant-baseline="central">' + t + "</text>");
        });
        var ax = x0 - 42, ay = y0 + chartH / 2;
        out.push('<text x="' + ax + '" y="' + ay + '" font-size="' + T + '" text-anchor="middle" ' +
          'dominant-baseline="central" transform="rotate(-90 ' + ax + " " + ay + ')">probability</text>');
      }
    });
    var rows = Math.ceil(pic.models.length / perRow);
    var width = left + Math.min(pic.models.length, perRow) * (chartW + gap) - gap + 35;
    var height = Math.max(top + H * cell, 28 + rows * rowH - 20) + 2;
    return E.figureBlock(E.svg(width, height, out.join(""), pic.alt), "");
  };
})();
