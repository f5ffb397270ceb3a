"""The PDF edition: Chromium prints the single-page build of the book.

``python3 dev.py pdf`` builds the whole book as one HTML page (Jupyter Book's
``singlehtml`` builder, offline: MathJax and the explorers' JavaScript come
from the page's own folder) and then runs this module, which

1. opens that page in Chromium with the network blocked, waits until MathJax
   has typeset every formula and every explorer has drawn its first state;
2. turns the web page into a book (:data:`PREPARE_JS`): a title page with the
   version, a table of contents, one chapter per top-level heading (so one
   bookmark per chapter, nested ones per section), every explorer and
   animation kept as the still the page draws on load, captioned with the
   address of its live version, solutions unfolded and moved to a
   "Solutions" section at the end of their chapter, web-only furniture
   (buttons, folded set-up code, slide-only cells) removed, and links inside
   the book turned into links inside the PDF;
3. prints the body once (pages numbered from the preface), reads from its
   named destinations on which page each heading landed, writes those
   numbers into the table of contents, prints the front matter (title page,
   contents), puts it in front of the body and adds the bookmarks, one per
   chapter, section and subsection.

Why Chromium rather than LaTeX: the page Chromium prints is the page readers
see, so the explorers' stills, the SVG figures and the MathJax typesetting
are the web book's own, with no second renderer; and CI already installs
Chromium for the browser tests, whereas a TeX Live for Jupyter Book's LaTeX
builder would add a large install to every CI run.

Run it as ``python -m cnnbook.edition.pdf SITE_PAGE OUT.pdf`` (dev.py does).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

__all__ = ["print_book", "heading_pages", "assemble", "web_url_from", "main"]

#: Chromium flags for a headless print with no network side traffic.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--font-render-hinting=none"]

#: Placeholder address of the contents' links in the front matter's print (see assemble).
TOC_LINK = "https://contents.invalid/"

#: Printed-book styling on top of the web theme.
PRINT_CSS = r"""
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
html, body { background: #fff !important; }
body { font-size: 10pt; }
.pdf-book { max-width: none; margin: 0; padding: 0; }
.pdf-book article.bd-article { padding: 0 !important; max-width: none !important; }
/* Code and text outputs wrap instead of running off the page. */
.pdf-book pre, .pdf-book .highlight pre, .pdf-book .output pre {
  white-space: pre-wrap !important; overflow-wrap: anywhere !important; word-break: break-word;
  overflow: visible !important; max-height: none !important; font-size: 8pt; line-height: 1.3; }
.pdf-book div.highlight, .pdf-book .cell_output, .pdf-book .output, .pdf-book .table-wrapper,
.pdf-book .pst-scrollable-table-container, .pdf-book .math-wrapper, .pdf-book div.math {
  overflow: visible !important; max-height: none !important; }
.pdf-book img { max-width: 100% !important; height: auto; }
.pdf-book table { font-size: 8.5pt; }
.pdf-book mjx-container[display="true"] { overflow: visible !important; }
.pdf-book figure, .pdf-book img, .pdf-book .cnnbook-explorer, .pdf-book .animation,
.pdf-book .pdf-still, .pdf-book tr { break-inside: avoid; }
.pdf-book h1, .pdf-book h2, .pdf-book h3, .pdf-book h4, .pdf-book .admonition-title { break-after: avoid; }
.pdf-book h1 { break-before: page; font-size: 20pt; margin-top: 0; }
.pdf-book h2 { font-size: 14pt; }
.pdf-book h3 { font-size: 12pt; }
.pdf-book a { color: #1a4d8f; text-decoration: none; }
.pdf-book a.pdf-self { color: inherit; }
/* Shadows and filters make Chromium print a region as a bitmap: flat boxes instead. */
.pdf-book *, .pdf-book *::before, .pdf-book *::after { box-shadow: none !important; text-shadow: none !important;
  filter: none !important; backdrop-filter: none !important; }
/* Title page and table of contents. */
.pdf-title-page { height: 250mm; display: flex; flex-direction: column; justify-content: center;
  text-align: center; break-after: page; }
.pdf-title-page .pdf-title { font-size: 28pt; font-weight: 700; line-height: 1.2; margin-bottom: 10mm; }
.pdf-title-page .pdf-subtitle { font-size: 14pt; margin-bottom: 20mm; }
.pdf-title-page p { margin: 2mm 0; }
.pdf-toc ol { list-style: none; padding-left: 0; margin: 0; }
.pdf-toc li.pdf-toc-1 { margin-top: 2.2mm; font-weight: 600; }
.pdf-toc li.pdf-toc-2 { padding-left: 7mm; font-size: 9pt; }
.pdf-toc a { display: flex; color: inherit; }
.pdf-toc .pdf-toc-title { flex: 0 1 auto; }
.pdf-toc .pdf-toc-dots { flex: 1 1 auto; border-bottom: 1px dotted #999; margin: 0 2mm 1.2mm 2mm; }
.pdf-toc .pdf-toc-page { flex: 0 0 9mm; text-align: right; }
/* Stills of the explorers and animations, and their captions. */
.pdf-still { margin: 3mm 0 5mm 0; }
.pdf-still-caption { break-inside: avoid; break-before: avoid; font-size: 8.5pt; color: #333; margin-top: 1.5mm; font-style: italic; }
.pdf-still-caption a { word-break: break-all; }
.pdf-solutions .solution { margin: 3mm 0; }
.pdf-book .animation .anim-controls { display: none !important; }
"""

#: Turns the loaded web page into the book to print. Returns what it did.
PREPARE_JS = r"""
(opts) => {
  const doc = document;
  const report = {explorers: 0, animations: 0, widgets: 0, solutions: 0, chapters: [], removed: 0};
  const article = doc.querySelector("article.bd-article") || doc.querySelector("main");
  const root = opts.rootDoc;                  // e.g. "book/00_preface"
  const pageOf = (el) => {                     // the web page (doc name) holding el
    let name = root;
    for (const span of doc.querySelectorAll('span[id^="document-"]')) {
      if (span.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) name = span.id.slice(9);
      else break;
    }
    return name;
  };
  const liveUrl = (el) => {
    const section = el.closest("section[id]");
    return opts.webUrl + pageOf(el) + ".html" + (section ? "#" + section.id : "");
  };
  const caption = (el, text) => {
    const box = doc.createElement("div");
    box.className = "pdf-still";
    el.replaceWith(box);
    box.appendChild(el);
    const cap = doc.createElement("p");
    cap.className = "pdf-still-caption";
    const url = liveUrl(box);
    cap.append(text + " Live version: ");
    const a = doc.createElement("a");
    a.href = url; a.textContent = url;
    cap.append(a);
    box.appendChild(cap);
  };

  // 1. Web-only furniture goes: heading anchors, the toctree (the PDF has its own
  //    contents), copy buttons, folded code (set-up cells, hidden inputs),
  //    cells for slides only, anything marked remove.
  const drop = [".headerlink", ".toctree-wrapper > p.caption", ".copybtn", "button.toggle-button",
    ".tag_hide-cell", ".tag_hide-input > details.above-input", ".tag_hide-input .cell_input",
    ".tag_remove-cell", ".tag_remove-input .cell_input", ".tag_remove-output .cell_output",
    ".tag_slide-only", ".slide-only", ".tag_setup", "noscript", "script:not([type])",
    "script[type='text/javascript']"];
  for (const el of doc.querySelectorAll(drop.join(","))) { el.remove(); report.removed++; }

  // 2. Explorers: the page drew each one's first state on load; keep that still.
  for (const el of doc.querySelectorAll(".cnnbook-explorer")) {
    let title = "";
    const cfg = el.querySelector("script.cnnbook-config");
    if (cfg) { try { title = JSON.parse(cfg.textContent).title || ""; } catch (e) {} }
    if (!title) { const t = el.querySelector(".cnnbook-title"); if (t) title = t.textContent.trim(); }
    for (const c of el.querySelectorAll("input, select, button")) c.setAttribute("tabindex", "-1");
    caption(el, "Explorer" + (title ? " \u201c" + title + "\u201d" : "") +
      ": a still of its first state; in the web book its controls are live.");
    report.explorers++;
  }
  // Other interactive outputs the book may hold (quizzes, ipywidgets, animations).
  for (const el of doc.querySelectorAll(".cnnbook-quiz, .quiz")) {
    if (el.closest(".pdf-still")) continue;
    caption(el, "Quiz: answer it in the web book, where it checks your answers.");
    report.explorers++;
  }
  for (const el of doc.querySelectorAll(".animation")) {
    caption(el, "Animation: its first frame.");
    report.animations++;
  }
  for (const el of doc.querySelectorAll("script[type='application/vnd.jupyter.widget-view+json']")) {
    const out = el.closest(".output") || el.parentElement;
    const p = doc.createElement("p");
    p.textContent = "(An interactive widget.)";
    out.replaceWith(p);
    caption(p, "Interactive widget: see the web book.");
    report.widgets++;
  }

  // 3. Links inside the book become links inside the PDF.
  for (const a of doc.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href");
    const m = href.match(/^(?:\.\.\/)*(?:book\/)?[^\/#:]*\.html(#.*)?$/);
    if (m && !/^[a-z]+:/i.test(href)) a.setAttribute("href", m[1] || "#");
  }

  // 4. Headings: the root page's title is <h1> and every other page's is <h2>
  //    in the single page. Lift the other pages one level so that each chapter
  //    is a top-level heading (a top-level bookmark, a new page).
  const first = doc.querySelector('span[id^="document-"]');
  const rename = (el, tag) => {
    const n = doc.createElement(tag);
    for (const at of el.attributes) n.setAttribute(at.name, at.value);
    while (el.firstChild) n.appendChild(el.firstChild);
    el.replaceWith(n);
    return n;
  };
  if (first) {
    for (const h of [...article.querySelectorAll("h2, h3, h4, h5, h6")]) {
      if (first.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING) {
        rename(h, "h" + (Number(h.tagName[1]) - 1));
      }
    }
  }

  // 5. Solutions: unfolded, moved to a "Solutions" section closing their chapter.
  const chapters = [...article.querySelectorAll("h1")].map((h) => h.closest("section") || h.parentElement);
  const chapterOf = (el) => chapters.filter((c) => c.contains(el)).pop();  // the innermost one
  for (const chapter of chapters) {
    const sols = [...chapter.querySelectorAll(".solution")].filter((s) => chapterOf(s) === chapter);
    report.chapters.push(chapter.querySelector("h1").textContent.trim());
    if (!sols.length) continue;
    const sec = doc.createElement("section");
    sec.className = "pdf-solutions";
    const slug = (chapter.id || "chapter") + "-solutions";
    sec.id = slug;
    const h = doc.createElement("h2");
    const head = chapter.querySelector(":scope > h1") || chapter.querySelector("h1");
    const num = head.querySelector(".section-number");
    h.textContent = "Solutions to the exercises of " + (num ? "chapter " + num.textContent.trim().replace(/\.$/, "")
      : "the " + head.textContent.replace(/\s+/g, " ").trim().toLowerCase());
    sec.appendChild(h);
    for (const s of sols) {
      s.classList.remove("dropdown", "toggle", "toggle-hidden");
      for (const hidden of s.querySelectorAll(".toggle-hidden")) hidden.classList.remove("toggle-hidden");
      sec.appendChild(s);
      report.solutions++;
    }
    // The root page's section holds the chapters that follow it: its solutions go before them.
    const nested = [...chapter.querySelectorAll(".toctree-wrapper")].find((w) => w.closest("section") === chapter);
    if (nested) chapter.insertBefore(sec, nested); else chapter.appendChild(sec);
  }
  for (const d of doc.querySelectorAll("details")) d.open = true;
  for (const el of doc.querySelectorAll(".toggle-hidden")) el.classList.remove("toggle-hidden");

  // 6. Title page and contents, then the book; nothing else of the web page.
  const book = doc.createElement("div");
  book.className = "pdf-book bd-page-width";
  const title = doc.createElement("section");
  title.className = "pdf-title-page";
  const [main, sub] = opts.title.split(/:\s+/, 2);
  title.innerHTML = '<div class="pdf-title"></div><div class="pdf-subtitle"></div>' +
    '<p class="pdf-author"></p><p class="pdf-version"></p><p class="pdf-web"></p>';
  title.querySelector(".pdf-title").textContent = main;
  title.querySelector(".pdf-subtitle").textContent = sub || "";
  title.querySelector(".pdf-author").textContent = opts.author;
  title.querySelector(".pdf-version").textContent = "Version " + opts.version;
  title.querySelector(".pdf-web").textContent = "The web book, with live explorers: " + opts.webUrl;
  const toc = doc.createElement("section");
  toc.className = "pdf-toc";
  toc.id = "pdf-contents";
  const tocHead = doc.createElement("h1");
  tocHead.textContent = "Contents";
  toc.appendChild(tocHead);
  const list = doc.createElement("ol");
  toc.appendChild(list);
  // Every chapter, section and subsection heading links to itself: Chromium then
  // records where it landed (a named destination), for the contents' page
  // numbers and the bookmarks.
  const headings = [];
  // A heading's text for its bookmark; a formula in it is given by its TeX, simplified.
  const tex = new Map();
  if (window.MathJax && MathJax.startup && MathJax.startup.document) {
    for (const item of MathJax.startup.document.math) tex.set(item.typesetRoot, item.math);
  }
  const plain = (h) => {
    let out = "";
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) { out += node.textContent; return; }
      if (node.nodeName === "MJX-CONTAINER") {
        out += (tex.get(node) || "").replace(/\\times/g, "\u00d7").replace(/\\cdot/g, "\u00b7")
          .replace(/\\[a-zA-Z]+/g, "").replace(/[{}]/g, "");
        return;
      }
      for (const c of node.childNodes) walk(c);
    };
    walk(h);
    return out.replace(/\s+/g, " ").trim();
  };
  for (const h of article.querySelectorAll("h1, h2, h3")) {
    const sec = h.closest("section[id]");
    const id = h.id || (sec && sec.id);
    if (!id || headings.some((x) => x.id === id)) continue;
    const text = plain(h);
    headings.push({level: Number(h.tagName[1]), id: id, text: text});
    const self = doc.createElement("a");
    self.href = "#" + id;
    self.className = "pdf-self";
    while (h.firstChild) self.appendChild(h.firstChild);
    h.appendChild(self);
    if (h.tagName === "H3") continue;
    const li = doc.createElement("li");
    li.className = "pdf-toc-" + h.tagName[1];
    const a = doc.createElement("a");
    a.href = "#" + id;
    const t = doc.createElement("span");
    t.className = "pdf-toc-title";
    for (const c of self.childNodes) t.appendChild(c.cloneNode(true));
    const dots = doc.createElement("span");
    dots.className = "pdf-toc-dots";
    const p = doc.createElement("span");
    p.className = "pdf-toc-page";
    a.append(t, dots, p);
    li.appendChild(a);
    list.appendChild(li);
  }
  const front = doc.createElement("div");
  front.className = "pdf-front";
  front.append(title, toc);
  book.append(front, article);
  for (const el of [...doc.body.children]) el.remove();
  doc.body.className = "";
  doc.body.appendChild(book);
  report.headings = headings;
  return report;
}
"""

#: Runs before the page's scripts: MathJax without its menu and without the hidden
#: MathML copy of each formula (the PDF has no use for either, and they add to
#: the work of typesetting some 4,000 formulas).
MATHJAX_OPTIONS_JS = r"""
(() => {
  let value;
  Object.defineProperty(window, "MathJax", {configurable: true, get() { return value; }, set(v) {
    if (v && typeof v === "object" && !v.version) {  // the page's configuration, not MathJax itself
      v.options = Object.assign({}, v.options, {enableMenu: false,
                                                menuOptions: {settings: {assistiveMml: false}}});
    }
    value = v;
  }});
})();
"""

#: Scripts of the web page that the printed book does not need (search, theme
#: behaviour, icons, copy buttons): not loaded, which saves time.
SKIPPED_SCRIPTS = re.compile(r"/(searchindex|searchtools|language_data|fontawesome|bootstrap|pydata-sphinx-theme|"
                             r"sphinx-book-theme|clipboard\.min|copybutton|design-tabs|sphinx_highlight|doctools)"
                             r"\.js(\?|$)")

#: Waits until MathJax has typeset and every explorer and animation has drawn.
READY_JS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    if (MathJax.typesetPromise) await MathJax.typesetPromise();
  }
  const pending = () => [...document.querySelectorAll(".cnnbook-live")].filter(
    (el) => el.querySelectorAll("canvas, svg, img, table, .cnnbook-out, pre").length === 0).length;
  for (let i = 0; i < 300 && pending(); i++) await new Promise((r) => setTimeout(r, 100));
  await Promise.all([...document.images].map((im) => im.complete ? null :
    new Promise((r) => { im.onload = im.onerror = r; })));
  if (document.fonts) await document.fonts.ready;
  return {pending: pending(), math: document.querySelectorAll("mjx-container").length,
          rawMath: document.querySelectorAll(".math:not(:has(mjx-container))").length};
}
"""


def heading_pages(pdf_path: Path, headings: list[dict]) -> list[int | None]:
    """The page (1-based) each heading landed on, from the PDF's named destinations.

    Chromium writes a named destination for every element a link points to;
    each heading links to its own section (see :data:`PREPARE_JS`).
    """
    from pypdf import PdfReader

    reader = PdfReader(str(pdf_path))
    pages = {name.lstrip("/"): reader.get_destination_page_number(dest) + 1
             for name, dest in reader.named_destinations.items()}
    return [pages.get(h["id"]) for h in headings]


def assemble(body: Path, front: Path, out: Path, headings: list[dict], pages: list[int | None]) -> dict:
    """Write ``out``: the front matter's pages, then the body, with bookmarks.

    The body PDF is the base (it keeps its links); the front pages go before
    it, and the bookmarks are made here, one per chapter (the book's top-level
    headings), section and subsection, nested, titled with the headings' text.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, NameObject

    writer = PdfWriter(clone_from=str(body))
    front_pages = PdfReader(str(front)).pages
    for index, page in enumerate(front_pages):
        writer.insert_page(page, index)
    targets = {h["id"]: page for h, page in zip(headings, pages) if page is not None}
    linked = 0
    for page in writer.pages[:len(front_pages)]:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            uri = str((annot.get("/A") or {}).get("/URI", ""))
            if uri.startswith(TOC_LINK + "#") and uri[len(TOC_LINK) + 1:] in targets:
                target = writer.pages[len(front_pages) + targets[uri[len(TOC_LINK) + 1:]] - 1]
                del annot["/A"]
                annot[NameObject("/Dest")] = ArrayObject([target.indirect_reference, NameObject("/Fit")])
                linked += 1
    writer.add_outline_item("Contents", page_number=1 if len(front_pages) > 1 else 0)
    parents: dict[int, object] = {}
    made = 0
    for heading, page in zip(headings, pages):
        if page is None:
            continue
        level = heading["level"]
        parent = parents.get(level - 1) if level > 1 else None
        if level > 1 and parent is None:
            continue
        parents[level] = writer.add_outline_item(heading["text"], page_number=len(front_pages) + page - 1,
                                                 parent=parent)
        for deeper in [k for k in parents if k > level]:
            del parents[deeper]
        made += 1
    writer.page_mode = "/UseOutlines"
    with open(out, "wb") as handle:
        writer.write(handle)
    return {"bookmarks": made, "front_pages": len(front_pages), "contents_links": linked}


def print_book(page: Path, out: Path, *, title: str, author: str, version: str, web_url: str,
               root_doc: str, chromium: str = "/usr/bin/chromium", log=print) -> dict:
    """Print the single-page build ``page`` to ``out``; return a report of what was done.

    The body (preface to the last page) is printed once, pages numbered from 1;
    the front matter (title page, contents) is printed on its own after the
    body, when the page of every heading is known, and put in front (its
    entries link to their pages). One print
    of the whole book, not two.
    """
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    out.parent.mkdir(parents=True, exist_ok=True)
    body_pdf = out.with_name(out.stem + ".body.pdf")
    front_pdf = out.with_name(out.stem + ".front.pdf")
    footer = ('<div style="font-size:7.5pt;width:100%;text-align:center;color:#555;'
              'font-family:sans-serif;"><span class="pageNumber"></span></div>')
    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 794, "height": 1123}, service_workers="block")

        def route(r):
            url = r.request.url
            if SKIPPED_SCRIPTS.search(url):
                r.abort()
            elif url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            else:
                blocked.append(url)
                r.abort()

        context.route("**/*", route)
        tab = context.new_page()
        tab.set_default_timeout(900_000)
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.add_init_script(MATHJAX_OPTIONS_JS)
        tab.goto(page.resolve().as_uri(), wait_until="load")
        ready = tab.evaluate(READY_JS)
        log(f"[pdf] page ready after {time.monotonic() - started:.0f} s: {ready}")
        tab.add_style_tag(content=PRINT_CSS)
        report = tab.evaluate(PREPARE_JS, {"title": title, "author": author, "version": version,
                                           "webUrl": web_url, "rootDoc": root_doc})
        tab.emulate_media(media="print")
        options = dict(format="A4", print_background=True, display_header_footer=True,
                       header_template="<span></span>", prefer_css_page_size=True)
        tab.evaluate("document.querySelector('.pdf-front').style.display = 'none'")
        tab.pdf(path=str(body_pdf), footer_template=footer, **options)
        log(f"[pdf] body printed after {time.monotonic() - started:.0f} s")
        pages = heading_pages(body_pdf, report["headings"])
        toc_pages = [n for n, h in zip(pages, report["headings"]) if h["level"] <= 2]
        tab.evaluate("""(pages) => {
            const cells = document.querySelectorAll('.pdf-toc .pdf-toc-page');
            pages.forEach((n, i) => { if (cells[i]) cells[i].textContent = n == null ? '' : String(n); });
            // The headings are not in this print: the entries point to a placeholder
            // address that assemble() turns into a jump to the heading's page.
            for (const a of document.querySelectorAll('.pdf-toc a')) a.href = TOC_LINK + a.getAttribute('href');
            document.querySelector('.pdf-front').style.display = '';
            document.querySelector('.pdf-book > article, .pdf-book > main').style.display = 'none';
        }""".replace("TOC_LINK", json.dumps(TOC_LINK)), toc_pages)
        tab.pdf(path=str(front_pdf), footer_template="<span></span>", **options)
        browser.close()
    report["assembly"] = assemble(body_pdf, front_pdf, out, report["headings"], pages)
    body_pdf.unlink()
    front_pdf.unlink()
    report.update(ready=ready, errors=errors, blocked=blocked, toc_pages=toc_pages,
                  seconds=round(time.monotonic() - started, 1))
    return report


def web_url_from(config: dict) -> str:
    """The web book's address: ``html.baseurl`` if set, else the repository's GitHub Pages site."""
    base = (config.get("html") or {}).get("baseurl") or ""
    if not base:
        m = re.match(r"https://github\.com/([^/]+)/([^/]+?)/?$", (config.get("repository") or {}).get("url", ""))
        if not m:
            raise ValueError("cannot tell the web book's address: set html.baseurl in _config.yml")
        base = f"https://{m.group(1).lower()}.github.io/{m.group(2)}/"
    return base if base.endswith("/") else base + "/"


def main(argv: list[str] | None = None) -> int:
    import logging

    import yaml

    import cnnbook

    # pypdf notes that Chromium's trailer undercounts its objects; harmless.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    parser = argparse.ArgumentParser(prog="python -m cnnbook.edition.pdf", description=__doc__.split("\n\n")[0])
    parser.add_argument("page", type=Path, help="the singlehtml build's page (e.g. _build/pdf/.../book/00_preface.html)")
    parser.add_argument("out", type=Path, help="the PDF to write")
    parser.add_argument("--config", type=Path, default=Path("_config.yml"))
    parser.add_argument("--toc", type=Path, default=Path("_toc.yml"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    config = yaml.safe_load(args.config.read_text(encoding="utf-8"))
    root_doc = yaml.safe_load(args.toc.read_text(encoding="utf-8"))["root"]
    report = print_book(args.page, args.out, title=config.get("title", "cnnbook"),
                        author=config.get("author", ""), version=cnnbook.__version__,
                        web_url=web_url_from(config), root_doc=root_doc, chromium=args.chromium)
    print(f"[pdf] chapters: {len(report['chapters'])}; explorers: {report['explorers']}; "
          f"animations: {report['animations']}; widgets: {report['widgets']}; "
          f"solutions moved: {report['solutions']}; {report['assembly']}; {report['seconds']} s")
    problems = []
    if report["errors"]:
        problems.append(f"page errors: {report['errors'][:5]}")
    if report["blocked"]:
        problems.append(f"the page asked the network for: {report['blocked'][:5]}")
    if report["ready"]["pending"]:
        problems.append(f"{report['ready']['pending']} explorer(s) never drew")
    if report["ready"]["rawMath"]:
        problems.append(f"{report['ready']['rawMath']} formula(s) not typeset")
    if report["assembly"]["contents_links"] != len(report["toc_pages"]):
        problems.append(f"{report['assembly']['contents_links']} of {len(report['toc_pages'])} contents entries link to their page")
    if any(n is None for n in report["toc_pages"]):
        problems.append("some contents entries have no page number")
    for problem in problems:
        print(f"[pdf] error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
