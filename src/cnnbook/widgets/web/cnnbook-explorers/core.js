/* cnnbook explorers in the page: the one renderer, and the controls of the web book.
 *
 * Every explorer of the book is a pure function from settings to a *state*:
 *
 *   { summary: str, error: str|null, text: str,
 *     grids: [{values, caption, fmt, cmap, vmin, vmax, highlight, origin, blank}],
 *     picture: {kind, alt, caption, ...} | null }
 *
 * Python computes it in a kernel (cnnbook.widgets, `result.state()`); in the web
 * book, where no Python runs, each explorer's file in this folder computes the
 * same state with a JavaScript twin of the Python function (tests compare the
 * two on every setting of each explorer's grid). Either way, *this* file draws
 * it: `renderOutput` is the only drawing path of every explorer, in Jupyter and
 * Voila (through anywidget) and in the web book (through `mount`).
 *
 * Classic script on purpose: the web book loads it with <script src>, which also
 * works from file:// (module scripts do not); cnnbook.widgets.web appends an ESM
 * `export default` to it for anywidget.
 */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};
  E.pictures = E.pictures || {};
  E.colormaps = E.colormaps || {};
  E.data = E.data || {};

  // ------------------------------------------------------------ numbers as Python prints them
  var view = new DataView(new ArrayBuffer(8));

  function trailingZeros32(v) {
    var n = 0;
    while (n < 32 && (v & 1) === 0) { v >>>= 1; n += 1; }
    return n;
  }

  // Is |x|·10^d exactly k + 1/2? Then Python (round half to even on the exact
  // binary value) and toFixed (half away from zero) can differ.
  function isTie(x, d) {
    view.setFloat64(0, x);
    var hi = view.getUint32(0), lo = view.getUint32(4);
    var exp = (hi >>> 20) & 0x7ff;
    if (exp === 0 || exp === 0x7ff) { return false; }
    var top = (hi & 0xfffff) | 0x100000;  // the 53-bit significand is top:lo
    var zeros = lo !== 0 ? trailingZeros32(lo) : 32 + trailingZeros32(top);
    return zeros + (exp - 1075) + d + 1 === 0;
  }

  /** Python's format(x, f".{d}f"): "-0.00" for -0.0, "inf"/"nan", ties to even. */
  function fixed(x, d) {
    if (Number.isNaN(x)) { return "nan"; }
    var sign = x < 0 || Object.is(x, -0) ? "-" : "";
    var a = Math.abs(x);
    if (a === Infinity) { return sign + "inf"; }
    if (a >= 1e21) {  // toFixed switches to exponent form here; Python prints every digit (a is a whole number)
      return sign + BigInt(a).toString() + (d > 0 ? "." + "0".repeat(d) : "");
    }
    var s = a.toFixed(d);
    if (isTie(a, d)) {
      var last = s.charCodeAt(s.length - 1) - 48;
      if (last % 2 === 1) { s = s.slice(0, -1) + String(last - 1); }  // toFixed went up to odd
    }
    return sign + s;
  }

  /** Python's repr(float) / str(float): shortest round trip, Python's exponent style. */
  function repr(x) {
    if (Number.isNaN(x)) { return "nan"; }
    if (x === Infinity) { return "inf"; }
    if (x === -Infinity) { return "-inf"; }
    if (x === 0) { return Object.is(x, -0) ? "-0.0" : "0.0"; }
    var e = x.toExponential();  // shortest digits, e.g. "1.5e-7"
    var parts = e.split("e"), exp = parseInt(parts[1], 10);
    if (exp < -4 || exp >= 16) {
      var mant = parts[0];
      return mant + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
    }
    var s = String(x);
    return s.indexOf(".") < 0 ? s + ".0" : s;
  }

  /** Python's format(x, spec) for the specs the explorers use: ".Nf", "+.Nf", ".Ng", "d", "" (str). */
  function format(spec, x) {
    var m = /^\{:?(\+)?\.(\d+)f\}$|^(\+)?\.(\d+)f$/.exec(spec);
    if (m) {
      var plus = m[1] || m[3], digits = parseInt(m[2] || m[4], 10);
      var s = fixed(x, digits);
      return plus && s[0] !== "-" ? "+" + s : s;
    }
    var g = /^\{:?(?:\.(\d+))?g\}$|^(?:\.(\d+))?g$/.exec(spec);
    if (g) { return general(x, g[1] || g[2] ? parseInt(g[1] || g[2], 10) : 6); }
    if (spec === "d" || spec === "{:d}") { return String(Math.trunc(x)); }
    if (spec === "" || spec === "{}") { return repr(x); }
    throw new Error("cnnbook explorers: unsupported number format " + JSON.stringify(spec));
  }

  // Is |a|·10^d exactly k + 1/2 (any sign of d)? For d < 0 that needs an integer a.
  function tieAt(a, d) {
    if (d >= 0) { return isTie(a, d); }
    if (!Number.isInteger(a)) { return false; }
    var scale = BigInt(10) ** BigInt(-d);
    return (BigInt(a) % scale) * BigInt(2) === scale;
  }

  /** Python's format(x, f".{precision}g") (default 6, as f"{x:g}"): fixed or exponent form, zeros stripped,
   * exact ties rounded to even as Python does. */
  function general(x, precision) {
    var P = precision === undefined ? 6 : Math.max(precision, 1);
    if (Number.isNaN(x)) { return "nan"; }
    var sign = x < 0 || Object.is(x, -0) ? "-" : "";
    var a = Math.abs(x);
    if (a === Infinity) { return sign + "inf"; }
    if (a === 0) { return sign + "0"; }
    var e = a.toExponential(P - 1).split("e"), exp = parseInt(e[1], 10);  // the exponent after rounding
    if (exp >= -4 && exp < P) {
      var s = fixed(a, P - 1 - exp);
      return sign + (s.indexOf(".") < 0 ? s : s.replace(/0+$/, "").replace(/\.$/, ""));
    }
    var mant = e[0];
    var exp0 = parseInt(a.toExponential().split("e")[1], 10);  // before rounding
    if (exp === exp0 && tieAt(a, P - 1 - exp0)) {  // toExponential went up; Python goes to the even digit
      var last = mant.charCodeAt(mant.length - 1) - 48;
      if (last % 2 === 1) { mant = mant.slice(0, -1) + String(last - 1); }
    }
    mant = mant.indexOf(".") < 0 ? mant : mant.replace(/0+$/, "").replace(/\.$/, "");
    return sign + mant + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
  }

  /** The grid cells' text: format_value in cnnbook.plots._base ("-0" prints as "0"). */
  function formatValue(spec, x) {
    var s = format(spec, x);
    if (s[0] === "-" && parseFloat(s) === 0) { s = s.slice(1); }
    return s;
  }

  /** cnnbook.plots._base.auto_fmt: whole numbers without decimals, else at most two. */
  function autoFmt(values) {
    var finite = flat(values).filter(function (v) { return v !== null && Number.isFinite(v); });
    if (finite.length === 0) { return "{:.0f}"; }
    // np.allclose(finite, np.round(finite)): |a - b| <= 1e-8 + 1e-5 * |b|
    var whole = finite.every(function (v) {
      var r = roundHalfEven(v);
      return Math.abs(v - r) <= 1e-8 + 1e-5 * Math.abs(r);
    });
    if (whole) { return "{:.0f}"; }
    var big = Math.max.apply(null, finite.map(Math.abs));
    if (big >= 100) { return "{:.0f}"; }
    if (big >= 10) { return "{:.1f}"; }
    return "{:.2f}";
  }

  /** numpy's round: half to even. */
  function roundHalfEven(v) {
    var r = Math.round(v);
    if (Math.abs(v % 1) === 0.5 && r % 2 !== 0) { r -= 1; }
    return r;
  }

  function flat(values) {  // nested arrays -> one array, in row-major order (a loop per array, not per value)
    var out = [];
    (function walk(v) {
      for (var i = 0; i < v.length; i++) {
        if (Array.isArray(v[i])) { walk(v[i]); } else { out.push(v[i]); }
      }
    })(Array.isArray(values) ? values : [values]);
    return out;
  }
  /** max |v| over nested arrays, 0 for none; NaN if any value is NaN (as Math.max gives). */
  function absMax(values) {
    var all = flat(values), m = 0;
    for (var i = 0; i < all.length; i++) { m = Math.max(m, Math.abs(all[i])); }
    return m;
  }

  E.py = { fixed: fixed, repr: repr, format: format, formatValue: formatValue, autoFmt: autoFmt,
           roundHalfEven: roundHalfEven, general: general };
  E.flat = flat;
  E.absMax = absMax;

  // ------------------------------------------------------------ small helpers for the twins
  E.range = function (n) { var out = []; for (var i = 0; i < n; i++) { out.push(i); } return out; };
  E.zeros = function (h, w) { return E.range(h).map(function () { return E.range(w).map(function () { return 0; }); }); };
  E.full = function (h, w, v) { return E.range(h).map(function () { return E.range(w).map(function () { return v; }); }); };
  /** cnnbook.widgets.web.grid: one table of a state. values: rows of numbers (NaN, ±inf or null drawn
   * blank); opts: caption, fmt, cmap, vmin, vmax, highlight (rows of booleans), origin, blank. */
  E.grid = function (values, opts) {
    var o = opts || {};
    function num(v) { return v === null || v === undefined || !Number.isFinite(v) ? null : v; }
    return { values: values.map(function (row) { return row.map(num); }), caption: o.caption || "",
             fmt: o.fmt || "auto", cmap: o.cmap || "gray",
             vmin: o.vmin === undefined ? null : num(o.vmin), vmax: o.vmax === undefined ? null : num(o.vmax),
             highlight: o.highlight ? o.highlight.map(function (row) { return row.map(function (h) { return h ? 1 : 0; }); }) : null,
             origin: o.origin || [0, 0], blank: o.blank || "" };
  };

  // ------------------------------------------------------------ colours
  /** RGB of value v under a matplotlib colour map normalised to [lo, hi] (as imshow). */
  function colour(cmap, v, lo, hi) {
    var table = E.colormaps[cmap];
    if (!table) { throw new Error("cnnbook explorers: unknown colour map " + cmap); }
    var n = table.length / 6;
    var t = (v - lo) / (hi - lo);
    var i = Math.floor(t * n);
    if (t === 1) { i = n - 1; }
    i = Math.max(0, Math.min(n - 1, i));
    var hex = table.substr(6 * i, 6);
    return [parseInt(hex.substr(0, 2), 16), parseInt(hex.substr(2, 2), 16), parseInt(hex.substr(4, 2), 16)];
  }

  /** 'black' or 'white', whichever contrasts more (WCAG luminance; cnnbook.plots._base.text_colour). */
  function textColour(rgb) {
    var lin = rgb.map(function (c8) {
      var c = c8 / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    return luminance > 0.179 ? "black" : "white";
  }

  function hex(rgb) {
    return "#" + rgb.map(function (c) { return c.toString(16).padStart(2, "0"); }).join("");
  }

  E.colour = colour;
  E.textColour = textColour;
  E.hex = hex;

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }
  E.esc = esc;

  // ------------------------------------------------------------ the one renderer
  /** The smallest text of every explorer, in CSS px: the book's figure captions (`figure figcaption`
   * in the web book) are 16 px, and no text in a figure is smaller (as cnnbook.plots._base.MIN_TEXT_PX).
   * SVG pictures use it as their font size in user units, and are drawn no wider than SVG_MAX_WIDTH
   * so that the web book's text column shows them at scale 1. */
  var TEXT_PX = 16, SVG_MAX_WIDTH = 660;
  E.TEXT_PX = TEXT_PX;
  E.SVG_MAX_WIDTH = SVG_MAX_WIDTH;
  // Row and column numbers: as large as the values, but grey and light so that the values lead.
  var HEAD = "font-weight:normal;font-size:" + TEXT_PX + "px;color:#595959;font-family:sans-serif";

  /** A small matrix as a table: coloured cells, printed numbers, row and column headers. */
  function gridTable(spec) {
    var values = spec.values;
    if (values.length && !Array.isArray(values[0])) { values = [values]; }
    var H = values.length, W = H ? values[0].length : 0;
    var finite = flat(values).filter(function (v) { return v !== null && Number.isFinite(v); });
    var lo = spec.vmin !== null && spec.vmin !== undefined ? spec.vmin : (finite.length ? Math.min.apply(null, finite) : 0);
    var hi = spec.vmax !== null && spec.vmax !== undefined ? spec.vmax : (finite.length ? Math.max.apply(null, finite) : 1);
    if (hi === lo) { lo -= 1; hi += 1; }
    var fmt = !spec.fmt || spec.fmt === "auto" ? autoFmt(values) : spec.fmt;
    var origin = spec.origin || [0, 0];
    // Every number at TEXT_PX, the size of the book's figure captions. Wide grids (the transposed
    // convolution's output reaches 28 columns) get narrower cells so that they still fit the
    // web book's text column (about 670 px), at TEXT_PX all the same.
    var width = W > 16 ? Math.max(1.2, Math.min(2.1, 38 / W)) : 2.1;
    var cell = "min-width:" + width.toFixed(2) + "em;height:1.9em;padding:0 0.2em;text-align:center;border:1px solid #888";
    var parts = ['<table class="cnnbook-grid" style="border-collapse:collapse;font-family:monospace;' +
                 "font-size:" + TEXT_PX + 'px;line-height:1.2;margin:0.3em 0.8em 0.3em 0">'];
    if (spec.caption) {
      parts.push('<caption style="caption-side:top;text-align:left;font-family:sans-serif;' +
                 'line-height:1.3;max-width:18em;white-space:normal">' + esc(spec.caption) + "</caption>");
    }
    var header = ['<tr><td></td>'];
    for (var c = 0; c < W; c++) {
      header.push('<th scope="col" style="' + HEAD + '">' + (origin[1] + c) + "</th>");
    }
    parts.push(header.join("") + "</tr>");
    for (var r = 0; r < H; r++) {
      var row = ['<tr><th scope="row" style="' + HEAD + ';padding-right:0.3em">' +
                 (origin[0] + r) + "</th>"];
      for (c = 0; c < W; c++) {
        var v = values[r][c], bg, fg, text;
        if (v !== null && Number.isFinite(v)) {
          var rgb = colour(spec.cmap || "gray", v, lo, hi);
          bg = hex(rgb); fg = textColour(rgb); text = formatValue(fmt, v);
        } else {
          bg = "#e4e4e4"; fg = "#404040"; text = esc(spec.blank || "");
        }
        var style = cell + ";background:" + bg + ";color:" + fg, cls = "";
        if (spec.highlight && spec.highlight[r] && spec.highlight[r][c]) {
          style += ";box-shadow:inset 0 0 0 3px #E69F00;font-weight:bold";
          cls = ' class="cnnbook-hl"';
        }
        row.push("<td" + cls + ' style="' + style + '">' + text + "</td>");
      }
      parts.push(row.join("") + "</tr>");
    }
    parts.push("</table>");
    return parts.join("");
  }
  E.gridTable = gridTable;

  /** A picture with its alt text and a visible caption. */
  E.figureBlock = function (inner, caption) {
    return '<figure style="display:inline-block;margin:0.3em 1em 0.3em 0;vertical-align:top">' + inner +
      '<figcaption style="font-size:1em;line-height:1.3;white-space:normal">' + esc(caption || "") +
      "</figcaption></figure>";
  };

  /** An SVG picture as an inline <svg role="img"> with a <title> (its alt text). */
  E.svg = function (width, height, body, alt) {
    return '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="' + esc(alt) + '" width="' + width +
      '" height="' + height + '" viewBox="-1 -1 ' + width + " " + height + '" style="font-family:sans-serif;max-width:100%;height:auto">' +
      "<title>" + esc(alt) + "</title>" + body + "</svg>";
  };

  var WRAP = "line-height:1.4;white-space:normal";

  /** Build the output area once: summary (announced, with an extra class if given), error, text, grids, picture. */
  function outputArea(doc, summaryClass) {
    var out = doc.createElement("div");
    out.className = "cnnbook-output";
    var parts = {};
    [["summary", "div"], ["error", "div"], ["text", "pre"], ["grids", "div"], ["figure", "div"]].forEach(function (p) {
      var el = doc.createElement(p[1]);
      el.className = "cnnbook-" + p[0];
      out.appendChild(el);
      parts[p[0]] = el;
    });
    if (summaryClass) { parts.summary.classList.add(summaryClass); }
    parts.summary.setAttribute("aria-live", "polite");
    parts.summary.setAttribute("aria-atomic", "true");
    parts.summary.style.cssText = "font-weight:600;margin:0.3em 0";
    parts.text.style.cssText = "margin:0.2em 0;white-space:pre-wrap;word-break:normal;overflow-wrap:anywhere;" +
      "line-height:1.4;font-size:1em;background:none;border:none;padding:0";
    parts.grids.style.cssText = "display:flex;flex-wrap:wrap;align-items:flex-start";
    out.cnnbookParts = parts;
    return out;
  }

  /** Draw a state into an output area: the only drawing path of every explorer. */
  function renderOutput(out, state, data) {
    var parts = out.cnnbookParts;
    parts.summary.textContent = state.summary || "";
    if (state.error) {
      parts.error.innerHTML = '<div role="alert" style="' + WRAP + ';color:#8a2500"><strong>Not allowed:</strong> ' +
        esc(state.error) + "</div>";
      parts.error.style.display = "";
    } else {
      parts.error.innerHTML = "";
      parts.error.style.display = "none";
    }
    parts.text.textContent = state.text || "";
    parts.text.style.display = state.text ? "" : "none";
    var grids = state.grids || [];
    parts.grids.innerHTML = grids.map(gridTable).join("");
    parts.grids.style.display = grids.length ? "flex" : "none";
    var picture = "";
    if (state.picture) {
      var draw = E.pictures[state.picture.kind];
      if (!draw) { throw new Error("cnnbook explorers: no picture of kind " + state.picture.kind); }
      picture = draw(state.picture, data || {}, out.ownerDocument);
    }
    if (typeof picture === "string") {
      parts.figure.innerHTML = picture;
    } else {  // a DOM node (e.g. a canvas)
      parts.figure.innerHTML = "";
      parts.figure.appendChild(picture);
    }
    parts.figure.style.display = picture ? "" : "none";
    out.cnnbookState = state;
  }
  E.outputArea = outputArea;
  E.renderOutput = renderOutput;

  // ------------------------------------------------------------ controls of the web book
  function controlValue(spec, input) {
    if (spec.type === "select") { return JSON.parse(input.value); }
    return Number(input.value);
  }

  function readout(spec, value) {
    if (spec.type === "float") { return fixed(value, spec.digits === undefined ? 2 : spec.digits); }
    return String(value);
  }

  function buildControl(doc, spec, id) {
    var wrap = doc.createElement("div");
    wrap.className = "cnnbook-control cnnbook-control-" + spec.name;
    wrap.style.cssText = "display:flex;align-items:center;gap:0.5em;margin:0.15em 1.2em 0.15em 0;min-width:20rem";
    var label = doc.createElement("label");
    label.htmlFor = id;
    label.textContent = spec.label;
    label.style.cssText = "min-width:9.5em";
    wrap.appendChild(label);
    var input;
    if (spec.type === "select") {
      input = doc.createElement("select");
      spec.options.forEach(function (opt) {
        var o = doc.createElement("option");
        o.value = JSON.stringify(opt[1]);
        o.textContent = opt[0];
        input.appendChild(o);
      });
      input.value = JSON.stringify(spec.value);
    } else {
      input = doc.createElement("input");
      input.type = "range";
      input.min = spec.min; input.max = spec.max; input.step = spec.step; input.value = spec.value;
      input.style.cssText = "flex:1;min-width:8rem";
    }
    input.id = id;
    input.name = spec.name;
    wrap.appendChild(input);
    if (spec.type !== "select") {
      var out = doc.createElement("output");
      out.htmlFor = id;
      out.textContent = readout(spec, spec.value);
      out.style.cssText = "min-width:3em;font-variant-numeric:tabular-nums";
      wrap.appendChild(out);
      wrap.cnnbookReadout = out;
    }
    wrap.cnnbookInput = input;
    return wrap;
  }

  var counter = 0;

  /** Make one explorer of the web book live: controls, compute in the page, render. */
  function mount(root) {
    if (root.cnnbookMounted) { return; }
    var doc = root.ownerDocument;
    var config = JSON.parse(root.querySelector("script.cnnbook-config").textContent);
    var twin = E.explorers[config.name];
    var data = config.data || {};
    var specs = {}, inputs = {};
    counter += 1;
    var prefix = "cnnbook-" + config.name + "-" + counter + "-";
    var form = doc.createElement("div");
    form.className = "cnnbook-controls";
    form.setAttribute("role", "group");
    form.setAttribute("aria-label", (config.title || config.name) + ": settings");
    (config.layout || config.controls.map(function (c) { return [c.name]; })).forEach(function (row) {
      var line = doc.createElement("div");
      line.style.cssText = "display:flex;flex-wrap:wrap";
      row.forEach(function (name) {
        var spec = config.controls.filter(function (c) { return c.name === name; })[0];
        specs[name] = spec;
        var control = buildControl(doc, spec, prefix + name);
        inputs[name] = control;
        line.appendChild(control);
      });
      form.appendChild(line);
    });
    var out = outputArea(doc, config.summary_class);
    var note = root.querySelector(".cnnbook-static-note");
    root.insertBefore(form, note ? note.nextSibling : root.firstChild);
    root.appendChild(out);
    if (config.title) {
      var title = doc.createElement("div");
      title.className = "cnnbook-title";
      title.innerHTML = "<strong>" + esc(config.title) + "</strong>";
      root.insertBefore(title, form);
    }
    if (config.key) {
      var key = doc.createElement("div");
      key.className = "cnnbook-key";
      // Full size (no <small>): the key reads the picture, and no text of an explorer is below TEXT_PX.
      key.style.cssText = WRAP + ";margin-top:0.4em;color:#404040";
      key.textContent = config.key;
      root.appendChild(key);
    }
    root.cnnbookMounted = true;

    // Passed to compute: a twin whose data is loaded on demand (E.need) calls
    // context.refresh() when it arrives.
    var context = { refresh: function () { update(); } };

    function settings() {
      var values = {};
      Object.keys(inputs).forEach(function (name) { values[name] = controlValue(specs[name], inputs[name].cnnbookInput); });
      return values;
    }

    function applyLimits(values) {
      if (!twin || !twin.limits) { return values; }
      var limits = twin.limits(values, data);
      Object.keys(limits).forEach(function (name) {
        var input = inputs[name] && inputs[name].cnnbookInput;
        if (!input) { return; }
        var lim = limits[name];
        if (lim.options !== undefined) {
          // A dropdown's choices follow the settings, as ipywidgets' `options = [...]` in a kernel;
          // a value no longer offered falls back to the first.
          var wanted = lim.options.map(function (o) { return JSON.stringify(o); });
          var have = Array.prototype.map.call(input.options, function (o) { return o.value; });
          if (wanted.join("\n") !== have.join("\n")) {
            var labels = input.cnnbookLabels || (input.cnnbookLabels = {}), current = input.value;
            Array.prototype.forEach.call(input.options, function (o) { labels[o.value] = o.textContent; });
            while (input.options.length) { input.remove(0); }
            wanted.forEach(function (value, i) {
              var o = input.ownerDocument.createElement("option");
              o.value = value;
              o.textContent = labels[value] !== undefined ? labels[value] : String(lim.options[i]);
              input.appendChild(o);
            });
            input.value = wanted.indexOf(current) >= 0 ? current : wanted[0];
          }
          values[name] = JSON.parse(input.value);
          return;
        }
        if (lim.max !== undefined) { input.max = lim.max; }
        if (lim.min !== undefined) { input.min = lim.min; }
        var v = Math.min(Math.max(Number(input.value), Number(input.min)), Number(input.max));
        input.value = v;
        values[name] = v;
      });
      return values;
    }

    function update(started) {
      // started: the input event's timeStamp (same clock as performance.now()).
      var values = applyLimits(settings());
      Object.keys(inputs).forEach(function (name) {
        if (inputs[name].cnnbookReadout) { inputs[name].cnnbookReadout.textContent = readout(specs[name], values[name]); }
      });
      var state;
      try {
        state = twin.compute(values, data, context);
      } catch (err) {
        state = { summary: "", error: "This explorer could not compute this setting in the page (" + err.message +
          "). Run the chapter in Jupyter for the Python version.", text: "", grids: [], picture: null };
      }
      renderOutput(out, state, data);
      root.cnnbookSettings = values;
      root.dataset.cnnbookUpdates = String(Number(root.dataset.cnnbookUpdates || 0) + 1);
      if (started !== undefined) {
        root.dataset.cnnbookLastMs = String(performance.now() - started);
        // Until the next frame is drawn: what a reader waits for.
        requestAnimationFrame(function () {
          setTimeout(function () { root.dataset.cnnbookPaintMs = String(performance.now() - started); }, 0);
        });
      }
    }

    if (!twin) {
      renderOutput(out, config.state, data);
      form.querySelectorAll("input,select").forEach(function (el) { el.disabled = true; });
      var dead = doc.createElement("p");
      dead.className = "cnnbook-static-note";
      dead.textContent = "This explorer is a still picture here: its controls only work in Jupyter.";
      root.insertBefore(dead, form);
      return;
    }
    Object.keys(inputs).forEach(function (name) {
      var input = inputs[name].cnnbookInput;
      input.addEventListener(specs[name].type === "select" ? "change" : "input", function (event) {
        update(event.timeStamp || performance.now());
      });
    });
    renderOutput(out, config.state, data);  // Python's first state, as computed when the chapter ran
    applyLimits(settings());
    root.cnnbookSettings = settings();
    root.dataset.cnnbookReady = "1";
  }
  E.mount = mount;

  // ------------------------------------------------------------ data loaded on demand
  // Big inputs (photos) are not inlined in the page: the build writes each as
  // _explorer-data/NAME.js, a script that calls provide(NAME, data). A <script>
  // tag loads it from a web server and from file:// alike.
  var here = typeof document !== "undefined" && document.currentScript && document.currentScript.src;
  var waiting = {};
  E.provide = function (name, value) {
    E.data[name] = value;
    (waiting[name] || []).forEach(function (done) { done(value); });
    delete waiting[name];
  };
  /** Call done(data) once data NAME is here; load it if needed. Returns it if already here. */
  E.need = function (name, done) {
    if (Object.prototype.hasOwnProperty.call(E.data, name)) { return E.data[name]; }
    if (!waiting[name]) {
      waiting[name] = [];
      if (here && typeof document !== "undefined") {
        var script = document.createElement("script");
        script.src = new URL("../../_explorer-data/" + name + ".js", here).href;
        document.head.appendChild(script);
      }
    }
    if (done) { waiting[name].push(done); }
    return undefined;
  };

  E.mountAll = function (doc) {
    (doc || document).querySelectorAll(".cnnbook-live").forEach(function (root) {
      try { mount(root); } catch (err) {
        var p = root.ownerDocument.createElement("p");
        p.className = "cnnbook-error";
        p.textContent = "This explorer failed to start in the page: " + err.message;
        root.appendChild(p);
        if (globalThis.console) { console.error(err); }
      }
    });
  };

  if (typeof document !== "undefined" && !E.noAutoMount) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { E.mountAll(document); });
    } else {
      setTimeout(function () { E.mountAll(document); }, 0);
    }
  }
})();
