/* Output-size explorer (chapter 4): the page-side twin of
 * cnnbook.widgets.output_size.output_size_report, and the windows picture.
 * tests/test_web_explorers.py compares compute() with Python on every setting
 * of a grid that includes kernels that do not fit. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};
  E.pictures = E.pictures || {};

  function num(value) {  // output_size._num: 2.333.. -> '2.33', 2.5 -> '2.5', 3.0 -> '3'
    if (value === Math.trunc(value)) { return String(value); }
    return E.py.fixed(value, 2).replace(/0+$/, "").replace(/\.$/, "");
  }

  function floorDiv(a, b) { return Math.floor(a / b); }

  function axisArithmetic(n, k, s, p, d) {
    var extent = d * (k - 1) + 1;
    var value = (n + 2 * p - extent) / s + 1;
    var line = "(" + n + " + 2·" + p + " − " + extent + ")/" + s + " + 1 = " + num(value);
    if (n + 2 * p < extent) { return [line + " → the kernel does not fit", null]; }
    var size = floorDiv(n + 2 * p - extent, s) + 1;
    if (value !== size) { line += " → floor → " + size; }
    return [line, size];
  }

  function fixingPadding(n, extent, s, p) {
    for (var c = p + 1; c <= p + s; c++) {
      if (n + 2 * c >= extent && (n + 2 * c - extent) % s === 0) { return c; }
    }
    return null;
  }

  // cnnbook.plots.diagrams._axis_windows
  function axisWindows(n, k, s, p, d) {
    var extent = d * (k - 1) + 1, padded = n + 2 * p, read = [], i;
    if (extent > padded) {
      for (i = 0; i < padded; i++) { read.push(false); }
      return { size: n, pad: p, kernel: k, stride: s, dilation: d, extent: extent, count: 0, starts: [],
               covered: 0, read: read };
    }
    var count = floorDiv(padded - extent, s) + 1, starts = [];
    for (i = 0; i < count; i++) { starts.push(i * s); }
    for (i = 0; i < padded; i++) { read.push(false); }
    starts.forEach(function (start) { for (var t = 0; t < k; t++) { read[start + t * d] = true; } });
    return { size: n, pad: p, kernel: k, stride: s, dilation: d, extent: extent, count: count, starts: starts,
             covered: starts[count - 1] + extent, read: read };
  }

  function windowsToDraw(rows, cols) {  // cnnbook.plots.diagrams.windows_to_draw
    var out = [], i, j;
    if (rows.count * cols.count <= 9) {
      for (i = 0; i < rows.count; i++) { for (j = 0; j < cols.count; j++) { out.push([i, j]); } }
      return out;
    }
    function thin(count) { return count <= 6 ? E.range(count) : [0, 1, count - 1]; }
    var seen = {};
    thin(cols.count).forEach(function (j) { seen["0," + j] = [0, j]; });
    thin(rows.count).forEach(function (i) { seen[i + ",0"] = [i, 0]; });
    return Object.keys(seen).map(function (key) { return seen[key]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
  }

  function spans(indices) {
    var parts = [], start = null;
    indices.forEach(function (v, i) {
      if (start === null) { start = v; }
      if (i + 1 === indices.length || indices[i + 1] !== v + 1) {
        parts.push(start === v ? String(start) : start + "–" + v);
        start = null;
      }
    });
    return parts.join(", ");
  }

  function unreadLines(axis, g) {
    var unit = axis === "height" ? "rows" : "columns";
    var floor = [], gap = [], hole = [];
    for (var i = 0; i < g.size; i++) {
      var q = i + g.pad;
      if (g.read[q]) { continue; }
      if (q >= g.covered) { floor.push(i); } else if (g.starts.some(function (st) { return st <= q && q < st + g.extent; })) {
        hole.push(i);
      } else { gap.push(i); }
    }
    var lines = [];
    function said(indices, one, many) {
      var single = indices.length === 1;
      return "  " + (single ? unit.slice(0, -1) : unit) + " " + spans(indices) + " " + (single ? one : many);
    }
    if (gap.length) {
      lines.push(said(gap, "lies between windows and is never read", "lie between windows and are never read") +
        ": the stride " + g.stride + " is larger than the " + (g.dilation !== 1 ? "effective " : "") + "kernel " + g.extent + ".");
    }
    if (hole.length) {
      lines.push(said(hole, "falls in a hole of the dilated kernel and is never read.",
                      "fall in the holes of the dilated kernel and are never read."));
    }
    if (floor.length) {
      var fix = fixingPadding(g.size, g.extent, g.stride, g.pad);
      var advice = fix !== null
        ? " padding=" + fix + " makes the division exact: " + axisArithmetic(g.size, g.kernel, g.stride, fix, g.dilation)[0] + "."
        : " No symmetric padding makes the division exact here.";
      lines.push(said(floor, "comes after the last window and is never read: the floor drops it.",
                      "come after the last window and are never read: the floor drops them.") + advice);
    }
    return lines;
  }

  function countFalse(list) { return list.filter(function (v) { return !v; }).length; }

  function axisState(g) {
    return { size: g.size, pad: g.pad, kernel: g.kernel, dilation: g.dilation, extent: g.extent, count: g.count,
             starts: g.starts, read: g.read };
  }

  function compute(v) {
    var sizes = [v.height, v.width], ks = [v.kernel_size, v.kernel_size], ss = [v.stride, v.stride];
    var ps = [v.padding, v.padding], ds = [v.dilation, v.dilation];
    var lines = [], problems = [], axes = ["height", "width"], a;
    for (a = 0; a < 2; a++) {
      var n = sizes[a], k = ks[a], s = ss[a], p = ps[a], d = ds[a], extent = d * (k - 1) + 1;
      if (d !== 1) { lines.push(axes[a] + ": effective kernel = " + d + "·(" + k + " − 1) + 1 = " + extent); }
      var ar = axisArithmetic(n, k, s, p, d);
      lines.push(axes[a] + ": " + ar[0]);
      if (ar[1] === null) {
        var need = -floorDiv(-(extent - n), 2);
        problems.push("The kernel does not fit the padded input on the " + axes[a] + " axis. Its " +
          (d !== 1 ? "effective " : "") + "size is " + extent + " but the padded " + axes[a] + " is only " + n +
          " + 2·" + p + " = " + (n + 2 * p) + ". Use a kernel of at most " + (n + 2 * p) +
          (d === 1 ? "" : " (effective size)") + ", padding of at least " + need + ", or a larger input.");
      }
    }
    var rows = axisWindows(sizes[0], ks[0], ss[0], ps[0], ds[0]);
    var cols = axisWindows(sizes[1], ks[1], ss[1], ps[1], ds[1]);
    var state = { summary: "Output shape: none", error: null, text: "", grids: [], picture: null };
    var fits = !problems.length;
    var caption = sizes[0] + "×" + sizes[1] + " input, kernel " + ks[0] + "×" + ks[1] + ", stride " + ss[0] + "×" + ss[1] +
      ", padding " + ps[0] + "×" + ps[1] + ", dilation " + ds[0] + "×" + ds[1] + " → " +
      (fits ? "output " + rows.count + "×" + cols.count : "kernel does not fit");
    var alt;
    if (!fits) {
      state.text = lines.join("\n");
      state.error = problems.join(" ");
      alt = "A " + sizes[0] + " by " + sizes[1] + " input grid with a " + ks[0] + " by " + ks[1] +
        " kernel outline that sticks out of it: the kernel does not fit.";
      state.picture = { kind: "windows", alt: alt, caption: caption, rows: axisState(rows), cols: axisState(cols), outlined: [] };
      return state;
    }
    lines = lines.concat(unreadLines("height", rows), unreadLines("width", cols));
    var ur = countFalse(rows.read.slice(rows.pad, rows.pad + rows.size));
    var uc = countFalse(cols.read.slice(cols.pad, cols.pad + cols.size));
    var unread = ur * cols.size + uc * rows.size - ur * uc, total = sizes[0] * sizes[1];
    lines.push(unread ? "Input pixels that no window reads: " + unread + " of " + total + "."
                      : "Every one of the " + total + " input pixels is read by some window.");
    state.text = lines.join("\n");
    state.summary = "Output shape: " + rows.count + " × " + cols.count;
    alt = "Padded " + (sizes[0] + 2 * ps[0]) + " by " + (sizes[1] + 2 * ps[1]) + " input grid with " + rows.count + " by " +
      cols.count + " windows of size " + ks[0] + " by " + ks[1] + ", stride " + ss[0] + " by " + ss[1];
    if (unread) { alt += "; the " + unread + " input pixels that no window reads are hatched"; }
    state.picture = { kind: "windows", alt: alt + ".", caption: caption, rows: axisState(rows), cols: axisState(cols),
                      outlined: windowsToDraw(rows, cols) };
    return state;
  }

  E.explorers["output-size"] = { compute: compute };

  /* The padded input, the windows, their first taps and every unread input pixel, as SVG.
   * The matplotlib twin for the printed book is cnnbook.plots.draw_windows. */
  E.pictures.windows = function (pic) {
    var rows = pic.rows, cols = pic.cols;
    var PH = rows.size + 2 * rows.pad, PW = cols.size + 2 * cols.pad;
    var n = Math.max(PH, PW, rows.extent, cols.extent);
    // Cells large enough for the padding's zeros at E.TEXT_PX (drawn up to n = 16: cell >= 36), at most 580 px in all.
    var cell = Math.max(9, Math.min(40, Math.floor(580 / n)));
    var width = Math.max(PW, cols.extent) * cell + 2, height = Math.max(PH, rows.extent) * cell + 2;
    var fits = rows.count > 0 && cols.count > 0;
    var out = ['<defs><pattern id="cnnbook-hatch" width="6" height="6" patternUnits="userSpaceOnUse" ' +
      'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f6d3bd"/>' +
      '<line x1="0" y1="0" x2="0" y2="6" stroke="#D55E00" stroke-width="2"/></pattern></defs>'];
    for (var r = 0; r < PH; r++) {
      var inR = rows.pad <= r && r < rows.pad + rows.size;
      for (var c = 0; c < PW; c++) {
        var inside = inR && cols.pad <= c && c < cols.pad + cols.size;
        var unread = fits && inside && !(rows.read[r] && cols.read[c]);
        var fill = unread ? "url(#cnnbook-hatch)" : (inside ? "#ffffff" : "#d0d0d0");
        out.push('<rect x="' + c * cell + '" y="' + r * cell + '" width="' + cell + '" height="' + cell +
          '" fill="' + fill + '" stroke="#909090" stroke-width="0.5"/>');
        if (!inside && n <= 16) {
          out.push('<text x="' + (c * cell + cell / 2) + '" y="' + (r * cell + cell / 2) + '" font-size="' +
            E.TEXT_PX + '" text-anchor="middle" dominant-baseline="central" fill="#404040">0</text>');
        }
      }
    }
    out.push('<rect x="0" y="0" width="' + PW * cell + '" height="' + PH * cell + '" fill="none" stroke="black" stroke-width="1.5"/>');
    if (!fits) {
      out.push('<rect x="0" y="0" width="' + cols.extent * cell + '" height="' + rows.extent * cell +
        '" fill="none" stroke="#D55E00" stroke-width="3" stroke-dasharray="8 4"/>');
      return E.figureBlock(E.svg(width, height, out.join(""), pic.alt), pic.caption);
    }
    // Never orange or vermillion: those are the taps and the hatch of unread pixels (as draw_windows).
    var colours = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9"];
    var dashes = ["", "8 3", "2 3", "8 3 2 3"];
    pic.outlined.forEach(function (ij, k) {
      var inset = 2 + 3 * (k % 3);
      var x = cols.starts[ij[1]] * cell + inset, y = rows.starts[ij[0]] * cell + inset;
      var w = cols.extent * cell - 2 * inset, h = rows.extent * cell - 2 * inset;
      var dash = dashes[k % dashes.length];
      out.push('<rect x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '" fill="none" stroke="black" stroke-width="4"/>');
      out.push('<rect x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '" fill="none" stroke="' +
        colours[k % colours.length] + '" stroke-width="2.5"' + (dash ? ' stroke-dasharray="' + dash + '"' : "") + "/>");
    });
    var side = cell * 0.45;
    for (var a = 0; a < rows.kernel; a++) {
      for (var b = 0; b < cols.kernel; b++) {
        var rr = a * rows.dilation, cc = b * cols.dilation;
        out.push('<rect x="' + (cc * cell + (cell - side) / 2) + '" y="' + (rr * cell + (cell - side) / 2) +
          '" width="' + side + '" height="' + side + '" fill="#E69F00" stroke="black" stroke-width="0.7"/>');
      }
    }
    var radius = Math.max(1.5, cell * 0.12);
    rows.starts.forEach(function (r0) {
      cols.starts.forEach(function (c0) {
        out.push('<circle cx="' + (c0 * cell + cell / 2) + '" cy="' + (r0 * cell + cell / 2) + '" r="' + radius + '" fill="black"/>');
      });
    });
    return E.figureBlock(E.svg(width, height, out.join(""), pic.alt), pic.caption);
  };
})();
