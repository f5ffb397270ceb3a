"""``python -m cnnbook.widgets.web colormaps``: rewrite colormaps.js from matplotlib."""

import sys

from . import JS_DIR, colormaps_js

if sys.argv[1:] == ["colormaps"]:
    (JS_DIR / "colormaps.js").write_text(colormaps_js(), encoding="utf-8")
else:
    raise SystemExit("usage: python -m cnnbook.widgets.web colormaps")
