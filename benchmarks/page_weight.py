"""What the live explorers add to the web book, in bytes.

Usage: .venv/bin/python benchmarks/page_weight.py [SITE]   (default: _build/html)

Per explorer: its page-side twin (a .js file every page loads), the config it
inlines in each page that shows it (controls, Python's first state, data), and
the data the page loads on demand (photos). Per page with explorers: the HTML
and the explorers' share of it. And the whole site.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cnnbook.widgets.web import JS_DIR  # noqa: E402

CONFIG = re.compile(r'<script type="application/json" class="cnnbook-config">(.*?)</script>', re.S)


def kb(n: int) -> str:
    return f"{n / 1024:,.1f} kB"


def main(site: Path) -> None:
    js = {p.name: p.stat().st_size for p in sorted(JS_DIR.glob("*.js"))}
    print(f"page-side code, loaded by every page: {kb(sum(js.values()))}")
    for name, size in js.items():
        print(f"  {name:20s} {kb(size)}")
    per_explorer = defaultdict(list)
    print("\npages with explorers:")
    for page in sorted((site / "book").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        configs = CONFIG.findall(text)
        if not configs:
            continue
        inline = sum(len(c.encode()) for c in configs)
        for c in configs:
            per_explorer[json.loads(c.replace("<\\/", "</"))["name"]].append(len(c.encode()))
        print(f"  {page.name:32s} HTML {kb(len(text.encode()))}, of which {len(configs)} explorer configs {kb(inline)}")
    print("\nper explorer (inline config per page that shows it):")
    for name, sizes in sorted(per_explorer.items()):
        print(f"  {name:15s} {', '.join(kb(s) for s in sizes)}")
    data = site / "_explorer-data"
    if data.exists():
        print("\ndata loaded on demand:")
        for path in sorted(data.glob("*.js")):
            print(f"  {path.name:30s} {kb(path.stat().st_size)}")
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    print(f"\nwhole site: {total / 1024 / 1024:.1f} MB in {sum(1 for p in site.rglob('*') if p.is_file())} files")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html")
