"""MyST markup turned into plain Markdown, with the numbers the web book shows.

The chapters are written in MyST for Jupyter Book: ``{exercise}`` boxes,
``(label)=`` targets, ``{ref}``/``{numref}``/``{doc}``/``{eq}`` references and
``{cite}`` citations. Classic Jupyter, Colab and nbconvert show that markup as
literal text. :func:`plain_markdown` rewrites it as plain Markdown that reads
the same everywhere:

- an exercise becomes a bold heading, ``**Exercise 4.3** (Title)``, then its body;
- solutions are removed (``keep_solutions=True`` keeps them, under
  ``**Solution to Exercise 4.3**``);
- ``{ref}``, ``{numref}``, ``{doc}`` and ``{eq}`` become the text the web
  book shows ("Fig. 8.3", "Exercise 4.3", "Section 8.3", "(4.2)"; a section or
  chapter title in italics, which stand in for the web book's link),
  ``{cite}`` becomes "(Author, Year)" and ``{cite:t}`` "Author (Year)";
- ``(label)=`` lines go; admonitions (``{note}``, ``{tip}``, ``{admonition}``,
  with backtick or colon fences) become blockquotes with a bold title;
  ``{math}`` blocks become ``$$ ... $$``; ``{figure}``/``{image}`` become
  Markdown images; dropdown and toggle markup goes.

The numbers come from a :class:`BookIndex`, built from the notebooks in
``_toc.yml`` order the way the web book numbers them: chapters of numbered
parts count on from part to part, sections (``##``) and figures, exercises and
equations count per chapter ("Fig. 8.3"); unnumbered pages (preface,
reference) number their exercises 1, 2, ... and nothing else.

Example::

    index = BookIndex.from_toc(".")
    text = plain_markdown(cell.source, index)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = ["BookIndex", "plain_markdown", "plain_notebook", "toc_documents", "MYST_LEFTOVER"]

# Syntax that only MyST understands; plain Markdown shows it as literal text.
MYST_LEFTOVER = re.compile(
    r"\{[a-z][\w:-]*\}`"                      # a role: {ref}`...`
    r"|^\s*(`{3,}|:{3,})\s*\{[\w:-]+\}"       # a directive fence: ```{note} or :::{note}
    r"|^\s*:[\w-]+:(\s|$)"                    # a directive option line: :label: x
    r"|^\s*\([\w:.-]+\)=\s*$",                # a target: (sec-x)=
    re.M)

_TARGET = re.compile(r"^\s*\(([^()\s]+)\)=\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\s*\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*?)\s*$")
_PLAIN_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")
# A role, or an inline code span (left alone), whichever starts first.
_INLINE = re.compile(r"\{(?P<role>[a-z][\w:-]*)\}(?P<tick>`+)(?P<text>.+?)(?P=tick)"
                     r"|(?P<code>(?P<ct>`+).+?(?P=ct))", re.S)
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
# A labelled display equation ends with ``$$ (label)``: the closing line, or a one-line ``$$ x $$ (label)``.
_EQ_LABEL = re.compile(r"^(?P<close>\s*\$\$(?:.*\$\$)?)\s*\((?P<label>[^()\s]+)\)\s*$")

ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error",
               "seealso", "admonition", "margin", "sidebar", "topic", "epigraph", "pull-quote"}
SOLUTIONS = {"solution", "solution-start", "solution-end"}
NUMREF_FORMATS = {"figure": "Fig. {}", "section": "Section {}", "exercise": "Exercise {}",
                  "table": "Table {}", "code": "Listing {}"}


# --------------------------------------------------------------------------- index
@dataclass
class BookIndex:
    """What the web book shows for each cross-reference target.

    Attributes
    ----------
    titles : dict
        Document name (a notebook's stem, e.g. ``'04_output_size'``) -> its title.
    labels : dict
        Label -> the text ``{ref}`` shows (a section title, in italics as plain text has no link
        to set it apart; a figure caption; "Exercise 4.3").
    numbers : dict
        Label -> the text ``{numref}`` shows ("Fig. 4.2", "Section 8.3", "Exercise 4.3").
    equations : dict
        Equation label -> its number, e.g. ``'4.2'``.
    citations : dict
        Bibliography key -> (author text, year), e.g. ``('LeCun et al.', '1998')``.
    where : dict
        Label -> the document that defines it.
    """

    titles: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    numbers: dict = field(default_factory=dict)
    equations: dict = field(default_factory=dict)
    citations: dict = field(default_factory=dict)
    where: dict = field(default_factory=dict)

    @classmethod
    def from_toc(cls, root, *, bib=None):
        """Index of the book whose ``_toc.yml`` and ``_config.yml`` are in ``root``.

        Parameters
        ----------
        root : str or Path
            Folder holding ``_toc.yml`` (the repository root).
        bib : str or Path, optional
            BibTeX file of the ``{cite}`` keys; default: the ``bibtex_bibfiles`` of
            ``_config.yml`` (else ``book/references.bib`` if it exists).
        """
        root = Path(root)
        if not (root / "_toc.yml").is_file():
            raise ValueError(f"root must be a folder holding _toc.yml, got root={str(root)!r}")
        docs = []
        for path, number in toc_documents(root):
            if path.suffix == ".ipynb" and path.exists():
                docs.append((path.stem, nbformat.read(path, as_version=4), number))
        bib_texts = [Path(p).read_text(encoding="utf-8") for p in _bib_files(root, bib)]
        index = cls.from_notebooks(docs, "\n".join(bib_texts))
        for path, _ in toc_documents(root):    # Markdown pages: their title only
            if path.suffix == ".md" and path.exists():
                index.titles.setdefault(path.stem, _first_title(path.read_text(encoding="utf-8").splitlines()))
        return index

    @classmethod
    def from_notebooks(cls, docs, bib_text=""):
        """Index of ``docs``, a list of ``(name, notebook, chapter number or None)`` in reading order."""
        index = cls(citations=parse_bib(bib_text))
        for name, nb, number in docs:
            index._add_document(name, nb, number)
        return index

    def _add_document(self, name, nb, number):
        prefix = f"{number}." if number is not None else ""
        self._doc = name
        counts = {"section": 0, "figure": 0, "exercise": 0, "equation": 0}
        pending = []   # (label)= targets waiting for the heading they name
        for cell in nb.cells:
            if cell.cell_type == "code":
                figure = cell.metadata.get("mystnb", {}).get("figure", {})
                if figure.get("name"):
                    counts["figure"] += 1
                    self._add(figure["name"], figure.get("caption", ""), f"Fig. {prefix}{counts['figure']}"
                              if number is not None else None)
                continue
            if cell.cell_type != "markdown":
                continue
            lines = cell.source.splitlines()
            i = 0
            while i < len(lines):
                line = lines[i]
                target, heading, fence = _TARGET.match(line), _HEADING.match(line), _FENCE_OPEN.match(line)
                eq = _EQ_LABEL.match(line)
                if target:
                    pending.append(target[1])
                elif heading:
                    level, title = len(heading[1]), heading[2]
                    if level == 1 and name not in self.titles:
                        self.titles[name] = title
                    numbered = None
                    if level == 2 and number is not None:
                        counts["section"] += 1
                        numbered = f"Section {prefix}{counts['section']}"
                    elif level == 1 and number is not None:
                        numbered = f"Section {number}"
                    for label in pending:   # a title in running text reads as a title: in italics
                        self._add(label, f"*{_inline_text(title)}*", numbered)
                    pending = []
                elif fence:
                    body, i = _fence_body(lines, i, fence)
                    options, _ = _options(body)
                    kind = fence["name"]
                    label = options.get("label") or options.get("name")
                    if kind in ("exercise", "figure"):
                        counts[kind] += 1
                        shown = (f"Exercise {prefix}{counts['exercise']}" if kind == "exercise"
                                 else f"Fig. {prefix}{counts['figure']}" if number is not None else None)
                        if label:
                            self._add(label, shown if kind == "exercise" else fence["arg"], shown)
                    elif kind == "math" and label:
                        counts["equation"] += 1
                        self.equations[label] = f"{prefix}{counts['equation']}"
                        self.where[label] = name
                    elif label:
                        self.labels[label] = fence["arg"] or label
                        self.where[label] = name
                    pending = []
                    continue
                elif eq:
                    counts["equation"] += 1
                    self.equations[eq["label"]] = f"{prefix}{counts['equation']}"
                elif line.strip():
                    for label in pending:   # a target on a paragraph: {ref} needs explicit text
                        self.labels.setdefault(label, label)
                    pending = []
                i += 1
        self.titles.setdefault(name, name)

    def _add(self, label, text, numbered):
        self.labels[label] = text
        self.where[label] = self._doc
        if numbered is not None:
            self.numbers[label] = numbered

    # ----- what each role shows
    def ref(self, target):
        return self.labels[target]

    def numref(self, target, template=None):
        shown = self.numbers[target]
        if template is None:
            return shown
        digits = shown.rsplit(" ", 1)[-1]
        return template.replace("%s", digits).replace("{number}", digits)

    def doc(self, target):
        return "*%s*" % self.titles[target.rstrip("/").rsplit("/", 1)[-1].removesuffix(".ipynb").removesuffix(".md")]

    def cite(self, keys, textual=False):
        entries = [self.citations[k.strip()] for k in keys.split(",") if k.strip()]
        if textual:
            return ", ".join(f"{who} ({year})" for who, year in entries)
        return "(" + "; ".join(f"{who}, {year}" for who, year in entries) + ")"


def toc_documents(root):
    """``(path, chapter number or None)`` of every page of ``root/_toc.yml``, in reading order.

    Chapters of parts with ``numbered`` count on from part to part (the book
    uses sphinx-multitoc-numbering); the root page and unnumbered parts get None.
    """
    import yaml  # PyYAML comes with Jupyter Book; imported here so the module loads without it

    root = Path(root)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    out, counter = [], 0

    def resolve(name):
        for suffix in (".ipynb", ".md"):
            path = root / f"{name}{suffix}"
            if path.exists():
                return path
        return root / f"{name}.ipynb"

    out.append((resolve(toc["root"]), None))

    def walk(entries, numbered):
        nonlocal counter
        for entry in entries or []:
            if "file" in entry:
                number = None
                if numbered:
                    counter += 1
                    number = counter
                out.append((resolve(entry["file"]), number))
                for sub in ("sections", "chapters"):
                    walk(entry.get(sub), False)   # sub-pages: not separately numbered here
            for key in ("chapters", "parts"):
                if key in entry:
                    walk(entry[key], numbered or bool(entry.get("numbered")))

    for part in toc.get("parts", []):
        walk(part.get("chapters"), bool(part.get("numbered")))
    walk(toc.get("chapters"), bool(toc.get("numbered")))
    return out


def _bib_files(root, bib):
    if bib is not None:
        return [Path(bib)]
    config = root / "_config.yml"
    if config.exists():
        import yaml

        files = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("bibtex_bibfiles") or []
        return [root / f for f in files if (root / f).exists()]
    default = root / "book" / "references.bib"
    return [default] if default.exists() else []


def _first_title(lines):
    for line in lines:
        m = _HEADING.match(line)
        if m and len(m[1]) == 1:
            return m[2]
    return ""


# --------------------------------------------------------------------------- bibliography
_LATEX_ACCENTS = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303", "c": "\u0327"}


def _latex_to_text(text):
    import unicodedata

    text = re.sub(r"\{?\\([\'`\"^~c])\{?\s*([A-Za-z])\}?\}?",
                  lambda m: unicodedata.normalize("NFC", m[2] + _LATEX_ACCENTS[m[1]]), text)
    return text.replace("{", "").replace("}", "").replace("~", " ").strip()


def _bib_field(body, name):
    m = re.search(rf"\b{name}\s*=\s*", body, re.I)
    if not m:
        return ""
    rest = body[m.end():]
    if rest.startswith("{"):
        depth = 0
        for i, ch in enumerate(rest):
            depth += ch == "{"
            depth -= ch == "}"
            if depth == 0:
                return rest[1:i]
    if rest.startswith('"'):
        return rest[1:rest.index('"', 1)]
    return re.match(r"[\w-]*", rest)[0]


def parse_bib(text):
    """``{key: (authors as the book cites them, year)}`` of a BibTeX text.

    One author gives "Fukushima", two "Azulay and Weiss", three or more
    "LeCun et al." (the author-year style of the web book).

    Examples
    --------
    >>> parse_bib("@book{b, author = {Bishop, Christopher M.}, year = {2006}}")
    {'b': ('Bishop', '2006')}
    """
    out = {}
    for m in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,", text):
        start = m.end()
        nxt = re.search(r"^\s*@\w+\s*\{", text[start:], re.M)
        body = text[start:start + nxt.start()] if nxt else text[start:]
        names = [n.strip() for n in re.split(r"\s+and\s+", _bib_field(body, "author")) if n.strip()]
        last = [_latex_to_text(n.split(",")[0] if "," in n else n.split()[-1]) for n in names]
        who = (last[0] if len(last) == 1 else f"{last[0]} and {last[1]}" if len(last) == 2
               else f"{last[0]} et al." if last else m[1])
        out[m[1]] = (who, _latex_to_text(_bib_field(body, "year")))
    return out


# --------------------------------------------------------------------------- conversion
def _fence_body(lines, i, fence):
    """Lines inside the directive that opens at ``lines[i]``, and the index after its closing fence."""
    char, width = fence["fence"][0], len(fence["fence"])
    closing = re.compile(rf"^\s*{re.escape(char)}{{{width},}}\s*$")
    body = []
    j = i + 1
    while j < len(lines) and not closing.match(lines[j]):
        body.append(lines[j])
        j += 1
    indent = len(fence["indent"])
    return [b[indent:] if b[:indent].strip() == "" else b.lstrip() for b in body], j + 1


def _options(body):
    """Directive options (``:key: value`` lines or a ``---`` YAML block) and the remaining body."""
    options, k = {}, 0
    if body and body[0].strip() == "---":
        end = next((n for n in range(1, len(body)) if body[n].strip() == "---"), None)
        if end is not None:
            for line in body[1:end]:
                key, _, value = line.partition(":")
                options[key.strip()] = value.strip()
            k = end + 1
    while k < len(body) and _OPTION.match(body[k]):
        m = _OPTION.match(body[k])
        options[m["key"]] = m["value"]
        k += 1
    while k < len(body) and not body[k].strip():
        k += 1
    return options, body[k:]


def _inline_text(title):
    """A heading as {ref} shows it: inline markup kept, roles resolved without an index."""
    return _INLINE.sub(lambda m: m["code"] or m["text"], title)


class _Converter:
    def __init__(self, index, keep_solutions, strict):
        self.index = index or BookIndex()
        self.keep_solutions = keep_solutions
        self.strict = strict

    # -- inline
    def _lookup(self, what, fn, target, *args):
        try:
            return fn(target, *args)
        except KeyError:
            if self.strict:
                raise ValueError(f"{what} target {target!r} is not in the book index") from None
            return target

    def role(self, m):
        if m["code"]:
            return m["code"]
        role, text = m["role"], m["text"]
        explicit = _EXPLICIT.match(text)
        if role in ("ref", "numref", "doc", "eq"):
            target = explicit["target"] if explicit else text
            label = explicit["text"] if explicit else None
            if role == "ref":
                return label if label else self._lookup("{ref}", self.index.ref, target)
            if role == "numref":
                return self._lookup("{numref}", self.index.numref, target, label)
            if role == "doc":
                return label if label else self._lookup("{doc}", self.index.doc, target)
            number = self._lookup("{eq}", self.index.equations.__getitem__, target)
            return f"({number})"
        if role.startswith("cite"):
            textual = role in ("cite:t", "cite:ts", "cite:alp")
            try:
                return self.index.cite(text, textual)
            except KeyError as err:
                if self.strict:
                    raise ValueError(f"{{cite}} key {err.args[0]!r} is not in the bibliography") from None
                return f"({text})"
        if role == "math":
            return f"${text}$"
        if role == "download":
            return f"[{explicit['text']}]({explicit['target']})" if explicit else f"[{text}]({text})"
        if role in ("sub", "sup", "term", "abbr", "index", "dfn", "guilabel", "menuselection"):
            return explicit["text"] if explicit else re.sub(r"\s*\(.*\)$", "", text) if role == "abbr" else text
        # code-like roles ({mod}, {func}, {py:class}, {kbd}, {file}, ...): the name as inline code
        shown = explicit["text"] if explicit else text
        return f"`{shown.lstrip('~.')}`"

    def inline(self, text):
        return _INLINE.sub(self.role, text)

    # -- blocks
    def convert(self, source):
        lines = source.splitlines()
        out = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if _TARGET.match(line):
                i += 1
                continue
            fence = _FENCE_OPEN.match(line)
            if fence:
                body, i = _fence_body(lines, i, fence)
                block = self.directive(fence["name"], self.inline(fence["arg"]), body)
                if block is not None:
                    out.extend(fence["indent"] + b if b else b for b in block.split("\n"))
                elif out and not out[-1].strip() and i < len(lines) and not lines[i].strip():
                    i += 1       # a removed block leaves one blank line, not two
                continue
            plain = _PLAIN_FENCE.match(line)
            if plain:               # a code block: copied as it is
                close = re.compile(rf"^\s*{re.escape(plain['fence'][0])}{{{len(plain['fence'])},}}\s*$")
                out.append(line)
                i += 1
                while i < len(lines):
                    out.append(lines[i])
                    i += 1
                    if close.match(out[-1]):
                        break
                continue
            eq = _EQ_LABEL.match(line)
            if eq:
                number = self.index.equations.get(eq["label"])
                before, tag = eq["close"][:-2].rstrip(), rf"\tag{{{number}}}" if number else ""
                if before.strip():          # $$ x = 1 $$ (label) on one line
                    out.append(f"{before} {tag}$$" if tag else f"{before}$$")
                else:
                    out += [before + tag, "$$"] if tag else [before + "$$"]
                i += 1
                continue
            out.append(line)
            i += 1
        text = "\n".join(out)
        # roles may span a line break inside a paragraph: resolve them on the whole text,
        # outside the code blocks copied above
        return self._inline_outside_code(text).strip("\n") + ("\n" if source.endswith("\n") else "")

    def _inline_outside_code(self, text):
        parts = re.split(r"(^\s*(?:`{3,}|~{3,})[^\n]*\n.*?^\s*(?:`{3,}|~{3,})\s*$)", text, flags=re.M | re.S)
        return "".join(p if k % 2 else self.inline(p) for k, p in enumerate(parts))

    def directive(self, name, arg, body):
        options, content = _options(body)
        inner = self.convert("\n".join(content)) if content else ""
        label = options.get("label") or options.get("name")
        if name == "exercise":
            shown = self.index.numbers.get(label, "Exercise") if label else "Exercise"
            head = f"**{shown}**" + (f" ({arg})" if arg else "")
            return f"{head}\n\n{inner}".rstrip() + "\n"
        if name in SOLUTIONS:
            if not self.keep_solutions or name == "solution-end":
                return None
            target = arg.strip()
            shown = self.index.numbers.get(target, "the exercise")
            return f"**Solution to {shown}**" + (f"\n\n{inner}" if inner else "")
        if name in ADMONITIONS:
            title = arg if name in ("admonition", "sidebar", "topic") and arg else name.capitalize()
            if name == "seealso":
                title = "See also"
            quoted = "\n".join(f"> {l}" if l.strip() else ">" for l in inner.rstrip("\n").split("\n"))
            return f"> **{title}**\n>\n{quoted}" if inner.strip() else f"> **{title}**"
        if name == "math":
            number = self.index.equations.get(label) if label else None
            tag = rf" \tag{{{number}}}" if number else ""
            return "$$\n" + "\n".join(content).strip("\n") + tag + "\n$$"
        if name in ("figure", "image"):
            alt = options.get("alt", "")
            image = f"![{alt or inner.strip()}]({arg.strip()})"
            if name == "image" or not inner.strip():
                return image
            shown = self.index.numbers.get(label) if label else None
            return f"{image}\n\n*{shown + ': ' if shown else ''}{inner.strip()}*"
        if name in ("dropdown", "toggle", "div", "container", "card", "grid-item", "grid-item-card"):
            return (f"**{arg}**\n\n{inner}" if arg else inner).rstrip("\n")
        if name in ("code-block", "code", "code-cell", "sourcecode"):
            return f"```{arg}\n" + "\n".join(content) + "\n```"
        if name in ("raw", "eval-rst", "bibliography", "tableofcontents", "glue:figure", "only"):
            return None
        if name in ("list-table", "table", "csv-table"):
            return inner or None
        # an unknown directive: its title in bold, then its content
        return (f"**{arg}**\n\n{inner}" if arg else inner).rstrip("\n") or None


def plain_markdown(source, index=None, *, keep_solutions=False, strict=False):
    """Rewrite the MyST markup of ``source`` as plain Markdown (see the module docstring).

    Parameters
    ----------
    source : str
        The source of a Markdown cell (or a ``text/markdown`` output).
    index : BookIndex, optional
        Numbers, titles and citations of the book (:meth:`BookIndex.from_toc`).
        Without one, references fall back to their explicit text or their label.
    keep_solutions : bool, default False
        Keep ``{solution}`` directives (under a bold heading) instead of removing them.
    strict : bool, default False
        Raise ``ValueError`` on a reference or citation that the index does not know.

    Returns
    -------
    str
        Markdown that classic Jupyter, Colab and nbconvert render as the web book does.

    Examples
    --------
    >>> index = BookIndex(labels={"ex-a": "Exercise 4.3"}, numbers={"ex-a": "Exercise 4.3"})
    >>> print(plain_markdown("(sec-x)=\\n```{exercise} Stride\\n:label: ex-a\\nCompute it.\\n```", index))
    **Exercise 4.3** (Stride)
    <BLANKLINE>
    Compute it.
    <BLANKLINE>
    """
    return _Converter(index, keep_solutions, strict).convert(source)


def plain_notebook(nb, index=None, *, keep_solutions=False, strict=False):
    """Apply :func:`plain_markdown` to every Markdown cell and ``text/markdown`` output of ``nb`` (in place).

    A Markdown cell that is empty after the conversion (a solution marker) is removed.
    Returns ``nb``.
    """
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source, index, keep_solutions=keep_solutions, strict=strict)
            if not cell.source.strip():
                continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data:
                md = data["text/markdown"]
                data["text/markdown"] = plain_markdown("".join(md) if isinstance(md, list) else md, index,
                                                       keep_solutions=keep_solutions, strict=strict)
        cells.append(cell)
    nb.cells = cells
    if nb.metadata.get("markdown_format") == "myst":
        del nb.metadata["markdown_format"]
    return nb
