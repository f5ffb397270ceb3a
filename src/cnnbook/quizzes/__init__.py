"""Self-check quizzes: a few questions at the end of every chapter.

Each chapter's questions live in a module of this package (``ch04.py`` for
chapter 4), as :class:`Choice` and :class:`Numeric` objects aimed at the
classic misconceptions of the chapter. A question is plain data:

- a :class:`Choice` has exactly one correct :class:`Option`, and every option
  says why it is right or wrong (shown when the reader picks it);
- a :class:`Numeric` has its answer, a tolerance, and common wrong answers
  (:class:`Mistake`) with what each one gets wrong.

Both carry an ``explanation`` shown after answering. :func:`quiz_state` turns a
chapter's questions into JSON that ``widgets/web/cnnbook-explorers/quiz.js``
draws and grades in the page (see :mod:`cnnbook.widgets.quiz`). Text is plain
Unicode (no LaTeX, so it reads the same in the web book and in Jupyter);
backticks mark code.

``tests/test_quiz.py`` recomputes every numeric answer key (and the facts
behind the multiple-choice keys) with the package's own functions.

Examples
--------
>>> state = quiz_state(4)
>>> state["chapter"], len(state["questions"]) >= 5
(4, True)
>>> question("ch04-floor").answer
3
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field

__all__ = ["Option", "Choice", "Mistake", "Numeric", "CHAPTERS", "questions", "question", "quiz_state"]

#: Chapters with a quiz: chapter number -> module name in this package.
CHAPTERS = {1: "ch01", 2: "ch02", 3: "ch03", 4: "ch04", 5: "ch05", 6: "ch06", 7: "ch07", 8: "ch08",
            9: "ch09", 10: "ch10", 11: "ch11", 12: "ch12", 13: "ch13"}


def _text(value, name, owner):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{owner}: {name} must be a non-empty str, got {name}={value!r}")
    return value


@dataclass(frozen=True)
class Option:
    """One answer of a :class:`Choice`.

    Parameters
    ----------
    text : str
        The answer as the reader sees it.
    correct : bool
        True for the one right answer.
    feedback : str
        Why this answer is right, or which misconception makes it wrong.
    """

    text: str
    correct: bool
    feedback: str

    def __post_init__(self):
        _text(self.text, "text", "Option")
        _text(self.feedback, "feedback", f"Option {self.text!r}")
        if not isinstance(self.correct, bool):
            raise TypeError(f"Option {self.text!r}: correct must be a bool, got correct={self.correct!r}")


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question with exactly one correct option.

    Parameters
    ----------
    id : str
        Stable id, ``'chNN-name'``.
    prompt : str
    options : tuple of Option
        At least two, exactly one with ``correct=True``.
    explanation : str
        Shown after answering.
    """

    id: str
    prompt: str
    options: tuple
    explanation: str
    kind: str = field(default="choice", init=False)

    def __post_init__(self):
        _text(self.id, "id", "Choice")
        _text(self.prompt, "prompt", self.id)
        _text(self.explanation, "explanation", self.id)
        object.__setattr__(self, "options", tuple(self.options))
        if len(self.options) < 2 or not all(isinstance(o, Option) for o in self.options):
            raise ValueError(f"{self.id}: options must be at least two Option objects, got {self.options!r}")
        right = [o.text for o in self.options if o.correct]
        if len(right) != 1:
            raise ValueError(f"{self.id}: exactly one option must be correct, got {len(right)}: {right!r}")
        texts = [o.text for o in self.options]
        if len(set(texts)) != len(texts):
            raise ValueError(f"{self.id}: option texts must differ, got {texts!r}")

    @property
    def answer(self):
        """Index of the correct option."""
        return next(i for i, o in enumerate(self.options) if o.correct)

    def state(self):
        return {"id": self.id, "kind": self.kind, "prompt": self.prompt, "explanation": self.explanation,
                "options": [{"text": o.text, "correct": o.correct, "feedback": o.feedback} for o in self.options]}


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer of a :class:`Numeric` question and what it gets wrong."""

    value: float
    feedback: str

    def __post_init__(self):
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)) or not math.isfinite(self.value):
            raise ValueError(f"Mistake: value must be a finite number, got value={self.value!r}")
        _text(self.feedback, "feedback", f"Mistake {self.value!r}")


@dataclass(frozen=True)
class Numeric:
    """A question answered with a number.

    Parameters
    ----------
    id : str
        Stable id, ``'chNN-name'``.
    prompt : str
    answer : int or float
        The key; ``tests/test_quiz.py`` recomputes it with the package.
    explanation : str
        Shown after answering.
    wrong : str
        Feedback for a wrong number that is none of ``mistakes``.
    mistakes : tuple of Mistake
        Common wrong answers, each with what it gets wrong.
    tolerance : float
        An answer within ``tolerance`` of the key is right (0 for whole numbers).
    """

    id: str
    prompt: str
    answer: float
    explanation: str
    wrong: str
    mistakes: tuple = ()
    tolerance: float = 0.0
    kind: str = field(default="number", init=False)

    def __post_init__(self):
        _text(self.id, "id", "Numeric")
        _text(self.prompt, "prompt", self.id)
        _text(self.explanation, "explanation", self.id)
        _text(self.wrong, "wrong", self.id)
        object.__setattr__(self, "mistakes", tuple(self.mistakes))
        if isinstance(self.answer, bool) or not isinstance(self.answer, (int, float)) or not math.isfinite(self.answer):
            raise ValueError(f"{self.id}: answer must be a finite number, got answer={self.answer!r}")
        if not isinstance(self.tolerance, (int, float)) or not 0 <= self.tolerance < math.inf:
            raise ValueError(f"{self.id}: tolerance must be a number >= 0, got tolerance={self.tolerance!r}")
        for mistake in self.mistakes:
            if not isinstance(mistake, Mistake):
                raise TypeError(f"{self.id}: mistakes must be Mistake objects, got {mistake!r}")
            if abs(mistake.value - self.answer) <= 2 * self.tolerance:
                raise ValueError(f"{self.id}: the mistake {mistake.value!r} is within twice the tolerance "
                                 f"{self.tolerance!r} of the answer {self.answer!r}")

    def state(self):
        return {"id": self.id, "kind": self.kind, "prompt": self.prompt, "explanation": self.explanation,
                "answer": self.answer, "tolerance": self.tolerance, "wrong": self.wrong,
                "mistakes": [{"value": m.value, "feedback": m.feedback} for m in self.mistakes]}


def _module(chapter):
    if isinstance(chapter, bool) or chapter not in CHAPTERS:
        raise ValueError(f"chapter must be one of {sorted(CHAPTERS)}, got chapter={chapter!r}")
    return importlib.import_module(f"{__name__}.{CHAPTERS[chapter]}")


def questions(chapter):
    """The questions of one chapter, in order.

    Parameters
    ----------
    chapter : int
        A key of :data:`CHAPTERS`.

    Returns
    -------
    tuple of Choice or Numeric
    """
    return tuple(_module(chapter).QUESTIONS)


def question(id):
    """The question with this id (``'ch04-floor'``), from any chapter."""
    prefix = id.split("-")[0] if isinstance(id, str) else ""
    for chapter, name in CHAPTERS.items():
        if name == prefix:
            for q in questions(chapter):
                if q.id == id:
                    return q
    raise ValueError(f"no quiz question has id={id!r}")


def quiz_state(chapter):
    """A chapter's quiz as JSON-able data, as ``quiz.js`` draws and grades it.

    Returns
    -------
    dict
        ``{chapter, title, questions: [question.state(), ...]}``.
    """
    module = _module(chapter)
    return {"chapter": chapter, "title": module.TITLE, "questions": [q.state() for q in module.QUESTIONS]}
