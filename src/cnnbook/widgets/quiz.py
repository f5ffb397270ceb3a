"""Self-check quizzes: a chapter's questions (:mod:`cnnbook.quizzes`), answerable with instant feedback.

One drawing path, as for the explorers: ``web/cnnbook-explorers/quiz.js`` draws
the quiz and grades every answer in the page. In Jupyter (JupyterLab, Voila)
:class:`QuizView`, an anywidget, hands it the quiz; in the web book the cell's
``text/html`` output (:func:`quiz_html`) carries the same JSON and quiz.js,
loaded on every page, makes it live. Grading needs no kernel, so a quiz works
in a static page, offline, and from ``file://``.

Examples
--------
>>> view = quiz(4)
>>> view.chapter, len(view.quiz["questions"]) >= 5
(4, True)
>>> 'class="cnnbook-quiz cnnbook-quiz-live"' in quiz_html(4)
True
"""

import html
import json
from functools import lru_cache

import anywidget
import traitlets

from ..quizzes import quiz_state
from . import web

__all__ = ["QuizView", "quiz", "quiz_html", "quiz_esm"]

_ESM_FOOTER = """
// anywidget entry point: quiz.js draws and grades the quiz in the page, as in the web book.
export default {
  render({ model, el }) {
    const box = el.ownerDocument.createElement("div");
    box.className = "cnnbook-quiz";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", model.get("label"));
    el.appendChild(box);
    globalThis.cnnbookExplorers.quiz.render(box, model.get("quiz"));
  },
};
"""


@lru_cache(maxsize=None)
def quiz_esm():
    """quiz.js (after core.js, whose helpers the page shares) as an ES module for anywidget."""
    sources = (web.JS_DIR / name for name in ("core.js", "quiz.js"))
    return ("globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {noAutoMount: true};\n"
            + "\n".join(p.read_text(encoding="utf-8") for p in sources) + _ESM_FOOTER)


def _label(chapter):
    """The quiz's accessible name, e.g. 'Check yourself: Pooling (chapter 5)'."""
    return f"Check yourself: {quiz_state(chapter)['title']} (chapter {chapter})"


class QuizView(anywidget.AnyWidget):
    """A chapter's quiz in a kernel; quiz.js draws and grades it (see :mod:`cnnbook.widgets.quiz`)."""

    _esm = traitlets.Unicode(quiz_esm()).tag(sync=True)
    #: :func:`cnnbook.quizzes.quiz_state` of the chapter.
    quiz = traitlets.Dict().tag(sync=True)
    #: Accessible name of the quiz.
    label = traitlets.Unicode("").tag(sync=True)

    def __init__(self, chapter, **kwargs):
        self.chapter = chapter
        super().__init__(quiz=quiz_state(chapter), label=_label(chapter), **kwargs)

    def __repr__(self):
        return f"QuizView(chapter={self.chapter!r})"

    def _repr_mimebundle_(self, **kwargs):
        # Jupyter shows the widget; the web book (which prefers text/html, see
        # _config.yml) shows the same quiz made live by quiz.js.
        shown = super()._repr_mimebundle_(**kwargs)  # anywidget: (data, metadata)
        data, metadata = shown if isinstance(shown, tuple) else (shown or {}, {})
        data = dict(data)
        data["text/html"] = quiz_html(self.chapter)
        return data, metadata


def quiz(chapter):
    """The self-check quiz of a chapter.

    Parameters
    ----------
    chapter : int
        A key of :data:`cnnbook.quizzes.CHAPTERS`.

    Returns
    -------
    QuizView
    """
    return QuizView(chapter)


def quiz_html(chapter):
    """The quiz as the web book shows it: a mount point that quiz.js makes live.

    It carries the quiz as JSON; without JavaScript, a note says what it needs.
    """
    text = json.dumps(web.to_json(quiz_state(chapter)), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    text = text.replace("</", "<\\/")  # never close the <script> early
    return (f'<div class="cnnbook-quiz cnnbook-quiz-live" data-cnnbook-quiz="{int(chapter)}" role="group" '
            f'aria-label="{html.escape(_label(chapter))}">'
            f'<script type="application/json" class="cnnbook-quiz-config">{text}</script>'
            '<noscript><p class="cnnbook-quiz-static-note">This quiz runs in your browser: '
            "turn on JavaScript to use it.</p></noscript></div>")
