/* Pixel explorer (chapter 1): the page-side twin of cnnbook.widgets.pixels.pixel_view,
 * and the 'pixels' picture (the image with the window outlined).
 *
 * The "8" is inline in the explorer's data; each photo's planes (base64 of their
 * uint8 bytes, the grey plane as Python computed it) are loaded on demand from
 * _explorer-data/pixels-NAME.js. In a kernel, the wiring sends the chosen
 * photo in the view's data instead. tests/test_web_pixels.py compares
 * compute() and limits() with Python on seeded random settings of every image. */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  E.explorers = E.explorers || {};
  E.pictures = E.pictures || {};

  var IMAGES = ["eight", "camera", "astronaut", "coins", "chelsea"];
  var CHANNELS = ["gray", "R", "G", "B"];
  var MAX_SIZE = 18;

  function strRepr(s) {  // Python's repr of a str (the quotes it picks)
    s = String(s);
    if (s.indexOf("'") >= 0 && s.indexOf('"') < 0) { return '"' + s.replace(/\\/g, "\\\\") + '"'; }
    return "'" + s.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
  }

  function thousands(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }  // f"{n:,}"

  // ------------------------------------------------------------ pixels: base64 uint8 planes
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  var LOOKUP = new Uint8Array(128);
  for (var k = 0; k < B64.length; k++) { LOOKUP[B64.charCodeAt(k)] = k; }

  function decode(text) {
    var n = text.length, pad = text[n - 1] === "=" ? (text[n - 2] === "=" ? 2 : 1) : 0;
    var out = new Uint8Array((n / 4) * 3 - pad), o = 0;
    for (var i = 0; i < n; i += 4) {
      var v = (LOOKUP[text.charCodeAt(i)] << 18) | (LOOKUP[text.charCodeAt(i + 1)] << 12) |
              (LOOKUP[text.charCodeAt(i + 2)] << 6) | LOOKUP[text.charCodeAt(i + 3)];
      if (o < out.length) { out[o++] = (v >> 16) & 255; }
      if (o < out.length) { out[o++] = (v >> 8) & 255; }
      if (o < out.length) { out[o++] = v & 255; }
    }
    return out;
  }

  var decoded = new WeakMap();  // an image's data entry -> {plane name: Uint8Array (H*W)}
  var rasters = new WeakMap();  // an image's data entry -> {shown planes: ImageData}

  function plane(entry, name) {
    var planes = decoded.get(entry);
    if (!planes) { planes = {}; decoded.set(entry, planes); }
    if (!planes[name]) { planes[name] = decode(entry.planes[name]); }
    return planes[name];
  }

  /** The image's pixels: in the explorer's data (the "8"; a kernel's chosen photo), else loaded on demand. */
  function pixelsOf(name, data, whenLoaded) {
    if (data && data.images && data.images[name]) { return data.images[name]; }
    return E.need("pixels-" + name, whenLoaded);
  }

  // ------------------------------------------------------------ the twin of pixel_view
  function channelName(channel, colour) {
    var names = { gray: colour ? "grey levels (luminance)" : "grey levels", R: "red channel", G: "green channel",
                  B: "blue channel" };
    return Object.prototype.hasOwnProperty.call(names, channel) ? names[channel] : String(channel);
  }

  function compute(v, data, context) {
    var image = v.image, channel = v.channel, row = v.row, col = v.col, size = v.size;
    if (IMAGES.indexOf(image) < 0) {
      return { summary: "No image", error: "image must be one of " + IMAGES.join(", ") + "; got " + strRepr(image),
               text: "", grids: [], picture: null };
    }
    var shape = data.shapes[image], H = shape[0], W = shape[1], colour = shape[2] === 3;
    var error = null;
    if (CHANNELS.indexOf(channel) < 0) {
      error = "channel must be one of " + CHANNELS.join(", ") + "; got " + strRepr(channel);
    } else if (channel !== "gray" && !colour) {
      error = image + " is a grey image: it has a single channel of brightness values, so there is no " + channel +
        " channel. Choose 'gray', or a colour image ('astronaut' or 'chelsea').";
    } else if (!(Number.isInteger(size) && size >= 1 && size <= Math.min(H, W))) {
      error = "size must be a whole number from 1 to " + Math.min(H, W) + "; got size=" + size;
    } else if (!(Number.isInteger(row) && row >= 0 && row <= H - size)) {
      error = "row=" + row + " does not fit: a window of " + size + " rows starting there would run past the last row (" +
        (H - 1) + "); choose row from 0 to " + (H - size) + ".";
    } else if (!(Number.isInteger(col) && col >= 0 && col <= W - size)) {
      error = "col=" + col + " does not fit: a window of " + size + " columns starting there would run past the last " +
        "column (" + (W - 1) + "); choose col from 0 to " + (W - size) + ".";
    }
    var kind = colour ? "colour image with 3 channels (R, G, B)" : "grey image with 1 channel";
    var name = channelName(channel, colour);
    var picture = { kind: "pixels", alt: "", caption: (colour ? image + ", " + name : image) + " (" + H + "×" + W + ")",
                    image: image, show: colour && CHANNELS.indexOf(channel) >= 0 ? (channel === "gray" ? "RGB" : channel) : "gray",
                    H: H, W: W, box: null };
    if (error) {
      picture.alt = "The " + image + " image; no window is selected because the setting is not allowed.";
      return { summary: "No window", error: error, text: image + ": " + H + " × " + W + " " + kind + ".", grids: [],
               picture: picture };
    }
    var entry = pixelsOf(image, data, function () { if (context && context.refresh) { context.refresh(); } });
    if (!entry) {
      return { summary: "Loading the " + image + " photo …", error: null,
               text: image + ": " + H + " × " + W + " " + kind + ". Its pixel values are being loaded.", grids: [],
               picture: null };
    }
    var pixels = plane(entry, channel);
    var values = [], lo = 255, hi = 0, sum = 0;
    for (var i = 0; i < size; i++) {
      var line = [];
      for (var j = 0; j < size; j++) {
        var x = pixels[(row + i) * W + col + j];
        line.push(x);
        lo = Math.min(lo, x); hi = Math.max(hi, x); sum += x;
      }
      values.push(line);
    }
    var last = "rows " + row + "–" + (row + size - 1) + ", columns " + col + "–" + (col + size - 1);
    picture.alt = "The " + image + " image with a " + size + " by " + size + " window outlined at row " + row + ", column " +
      col + ", and the window's " + name + " values printed in a grid, from " + lo + " to " + hi + ".";
    picture.box = [row, col, size];
    return {
      summary: "Rows " + row + "–" + (row + size - 1) + ", columns " + col + "–" + (col + size - 1) + " of the " + name +
        ": values " + lo + " to " + hi,
      error: null,
      text: image + ": " + H + " × " + W + " " + kind + ", " + thousands(H * W * (colour ? 3 : 1)) + " numbers in all.\n" +
        "Each number is a brightness from 0 (black) to 255 (white); this " + size + " × " + size + " window holds " +
        size * size + " of them, mean " + E.py.fixed(sum / (size * size), 1) + ".",
      grids: [{ values: values, caption: name + ", " + last, fmt: "auto", cmap: "gray", vmin: 0, vmax: 255,
                highlight: null, origin: [row, col], blank: "" }],
      picture: picture,
    };
  }

  function limits(v, data) {  // pixel_limits
    if (IMAGES.indexOf(v.image) < 0) { return {}; }
    var shape = data.shapes[v.image], H = shape[0], W = shape[1];
    return { channel: { options: shape[2] === 3 ? CHANNELS.slice() : ["gray"] },
             size: { max: Math.min(H, W, MAX_SIZE) }, row: { max: H - v.size }, col: { max: W - v.size } };
  }

  E.explorers.pixels = { compute: compute, limits: limits };

  // ------------------------------------------------------------ the picture
  /* The image at its own resolution on a canvas, scaled to about 300 px (blocky for the
   * small "8", smooth for photos), and the window as an orange box laid over it. */
  E.pictures.pixels = function (pic, data, doc) {
    var H = pic.H, W = pic.W;
    var fig = doc.createElement("figure");
    fig.style.cssText = "display:inline-block;margin:0.3em 1em 0.3em 0;vertical-align:top";
    var holder = doc.createElement("div");
    var scale = 300 / Math.max(H, W);
    holder.style.cssText = "position:relative;line-height:0;width:" + Math.round(W * scale) + "px;max-width:100%";
    var canvas = doc.createElement("canvas");
    canvas.width = W;
    canvas.height = H;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", pic.alt);
    canvas.style.cssText = "width:100%;height:auto;display:block;background:#e4e4e4;" +
      (scale >= 2 ? "image-rendering:pixelated;image-rendering:crisp-edges" : "");
    holder.appendChild(canvas);
    if (pic.box) {
      var box = doc.createElement("div");
      box.className = "cnnbook-window";
      box.style.cssText = "position:absolute;box-sizing:border-box;border:3px solid #E69F00;" +
        "box-shadow:0 0 0 1px #000,inset 0 0 0 1px #000;min-width:6px;min-height:6px;" +
        "top:" + (100 * pic.box[0] / H) + "%;left:" + (100 * pic.box[1] / W) + "%;" +
        "width:" + (100 * pic.box[2] / W) + "%;height:" + (100 * pic.box[2] / H) + "%";
      holder.appendChild(box);
    }
    fig.appendChild(holder);
    var cap = doc.createElement("figcaption");
    cap.style.cssText = "font-size:1em;line-height:1.3;white-space:normal";
    cap.textContent = pic.caption;
    fig.appendChild(cap);

    function paint(entry) {
      var ctx = canvas.getContext && canvas.getContext("2d");
      if (!ctx) { return; }
      var cache = rasters.get(entry);
      if (!cache) { cache = {}; rasters.set(entry, cache); }
      var img = cache[pic.show];
      if (!img) {  // built once per image and plane: moving the window only redraws the box
        img = cache[pic.show] = ctx.createImageData(W, H);
        var px = img.data, n = W * H;
        var rgb = pic.show === "RGB" ? [plane(entry, "R"), plane(entry, "G"), plane(entry, "B")] : null;
        var grey = rgb ? null : plane(entry, pic.show);
        for (var i = 0; i < n; i++) {
          px[4 * i] = rgb ? rgb[0][i] : grey[i];
          px[4 * i + 1] = rgb ? rgb[1][i] : grey[i];
          px[4 * i + 2] = rgb ? rgb[2][i] : grey[i];
          px[4 * i + 3] = 255;
        }
      }
      ctx.putImageData(img, 0, 0);
    }
    var entry = pixelsOf(pic.image, data, paint);  // a photo not loaded yet is painted when it arrives
    if (entry) { paint(entry); }
    return fig;
  };
})();
