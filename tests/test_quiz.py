"""The self-check quizzes: every chapter has one, every question is well formed, every
answer key is recomputed here with the package, quiz.js grades as the data says, and
each chapter stores its quiz cell with a current output."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import cnnbook
import cnnbook.exercises as ex
from cnnbook import conv_output_size, conv_transpose_output_size, pool_output_size, receptive_field
from cnnbook.arch import coverage_counts, trace_layers
from cnnbook.models import iterate_minibatches
from cnnbook.nn import Conv2d, Linear, MaxPool2d, init_normal
from cnnbook.optim import SGD, Adam
from cnnbook.quizzes import CHAPTERS, Choice, Mistake, Numeric, Option, question, questions, quiz_state
from cnnbook.quizzes.__main__ import CODE, is_quiz_cell
from cnnbook.segment import box_iou
from cnnbook.widgets.quiz import QuizView, quiz, quiz_esm, quiz_html
from web_twins import run_js

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTER_FILES = {int(p.name[:2]): p for p in sorted(BOOK.glob("[0-9][0-9]_*.ipynb")) if int(p.name[:2]) > 0}
ALL = [q for chapter in CHAPTERS for q in questions(chapter)]


# --------------------------------------------------------------------------- every chapter, well formed
def test_every_chapter_of_the_book_has_a_quiz_of_at_least_five_questions():
    assert set(CHAPTER_FILES) == set(CHAPTERS), (
        f"chapters without a quiz: {sorted(set(CHAPTER_FILES) - set(CHAPTERS))}; "
        f"quizzes without a chapter: {sorted(set(CHAPTERS) - set(CHAPTER_FILES))}")
    for chapter in CHAPTERS:
        assert len(questions(chapter)) >= 5, f"chapter {chapter} has {len(questions(chapter))} questions"


def test_ids_are_unique_and_name_their_chapter():
    ids = [q.id for q in ALL]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for chapter in CHAPTERS:
        for q in questions(chapter):
            assert re.fullmatch(rf"ch{chapter:02d}-[a-z0-9-]+", q.id), q.id
            assert question(q.id) is q


@pytest.mark.parametrize("q", [q for q in ALL if isinstance(q, Choice)], ids=lambda q: q.id)
def test_choice_has_one_correct_option_and_feedback_for_each(q):
    assert len(q.options) >= 3, "offer at least two wrong answers"
    assert sum(o.correct for o in q.options) == 1
    for option in q.options:
        assert option.feedback.strip() and option.feedback != q.explanation
    assert len({o.feedback for o in q.options}) == len(q.options), "each option says its own why"
    assert q.explanation.strip() and q.prompt.strip()


@pytest.mark.parametrize("q", [q for q in ALL if isinstance(q, Numeric)], ids=lambda q: q.id)
def test_numeric_has_explanation_and_named_mistakes(q):
    assert q.explanation.strip() and q.wrong.strip() and q.prompt.strip()
    assert q.mistakes, "name at least one common wrong answer"
    for mistake in q.mistakes:
        assert abs(mistake.value - q.answer) > 2 * q.tolerance
    values = [m.value for m in q.mistakes]
    assert len(values) == len(set(values))
    if float(q.answer).is_integer():
        assert q.tolerance == 0, "whole-number answers are exact"
    else:
        assert 0 < q.tolerance <= 0.01 * max(1.0, abs(q.answer)), "a non-integer key needs a small tolerance"


def test_malformed_questions_are_refused_with_the_offending_value():
    good = Option("a", True, "why a")
    with pytest.raises(ValueError, match="exactly one option must be correct, got 2"):
        Choice("ch99-x", "p", (good, Option("b", True, "why b")), "e")
    with pytest.raises(ValueError, match="exactly one option must be correct, got 0"):
        Choice("ch99-x", "p", (Option("a", False, "f"), Option("b", False, "g")), "e")
    with pytest.raises(ValueError, match="feedback must be a non-empty str"):
        Option("a", True, "  ")
    with pytest.raises(ValueError, match="explanation must be a non-empty str"):
        Choice("ch99-x", "p", (good, Option("b", False, "f")), "")
    with pytest.raises(ValueError, match="mistake 3.0005 is within twice the tolerance"):
        Numeric("ch99-y", "p", 3, "e", "w", mistakes=(Mistake(3.0005, "f"),), tolerance=0.001)
    with pytest.raises(ValueError, match="answer must be a finite number, got answer=nan"):
        Numeric("ch99-y", "p", math.nan, "e", "w")
    with pytest.raises(ValueError, match=r"chapter must be one of .*got chapter=0"):
        questions(0)
    with pytest.raises(ValueError, match="no quiz question has id='ch04-nothing'"):
        question("ch04-nothing")


# --------------------------------------------------------------------------- answer keys, recomputed
def _one_conv_output(x, w):
    return float(cnnbook.conv2d(np.array(x, float)[None, None], np.array(w, float)[None, None], np.zeros(1))[0, 0, 0, 0])


def _conv_row(C, H, K, F, padding=0):
    return trace_layers([("conv", K, F, 1, padding)], (C, H, H))[0]


def _lenet_flatten():
    rows = trace_layers([("conv", 6, 5), ("pool", 2), ("conv", 16, 5), ("pool", 2)], (1, 32, 32))
    return int(np.prod(rows[-1]["shape"]))


def _momentum_gain(mu, steps=200):
    """The step of cnnbook's SGD on a steady slope, in units of lr * g."""
    fc = Linear(1, 1, rng=np.random.default_rng(0))
    opt = SGD(fc, lr=0.01, momentum=mu)
    for _ in range(steps):
        before = float(fc.params["weight"][0, 0])
        fc.grads["weight"][...] = 1.0
        opt.step()
    return (before - float(fc.params["weight"][0, 0])) / 0.01


def _avg_top_left():
    x = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 2, 2], [3, 1, 0, 4]], float)[None, None]
    return float(cnnbook.avg_pool2d(x, 2)[0, 0, 0, 0])


def _gap_gradient():
    x = np.random.default_rng(0).normal(size=(1, 1, 7, 7))
    return float(cnnbook.global_avg_pool2d_backward(np.ones((1, 1)), x)[0, 0, 3, 3])


def _conv_db():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 1, 5, 5)), rng.normal(size=(1, 1, 3, 3))
    return float(cnnbook.conv2d_backward(np.ones((2, 1, 3, 3)), x, w)[2][0])


def _conv_dw0_1d():
    x, w = np.array([[[[1.0, 2, 3, 4]]]]), np.array([[[[0.5, -1.0]]]])
    return float(cnnbook.conv2d_backward(np.ones((1, 1, 1, 3)), x, w)[1][0, 0, 0, 0])


def _maxpool_grad(x, kernel, stride, dout, at):
    x = np.array(x, float)[None, None]
    return float(cnnbook.max_pool2d_backward(np.full((1, 1) + (pool_output_size(x.shape[2], kernel, stride),) * 2,
                                                     float(dout)), x, kernel, stride)[(0, 0) + at])


def _overlap_centre():
    x = np.random.default_rng(1).uniform(size=(5, 5))
    x[2, 2] = 10.0
    return _maxpool_grad(x, 3, 2, 1.0, (2, 2))


def _avg_backward():
    x = np.random.default_rng(2).normal(size=(1, 1, 2, 2))
    return float(cnnbook.avg_pool2d_backward(np.full((1, 1, 1, 1), 8.0), x, 2)[0, 0, 1, 0])


def _l2_grad():
    x = np.array([[[[3.0, 4.0]]]])
    return float(cnnbook.lp_pool2d_backward(np.ones((1, 1, 1, 1)), x, (1, 2), p=2)[0, 0, 0, 1])


def _batch_mean_grad():
    # 8 images; image 0 has y - t = 0.4 on class 3 (logits chosen so that softmax gives 0.4 there)
    logits = np.zeros((8, 4))
    logits[0] = np.log([0.2, 0.2, 0.2, 0.4])
    targets = np.zeros(8, dtype=int)
    _, dlogits = cnnbook.softmax_cross_entropy(logits, targets)
    return float(dlogits[0, 3])


def _updates_per_epoch():
    x, y = np.zeros((1200, 1)), np.zeros(1200, dtype=int)
    return sum(1 for _ in iterate_minibatches(x, y, 32, rng=np.random.default_rng(0)))


def _he_std():
    conv = Conv2d(8, 2048, 3, rng=np.random.default_rng(0))  # fan-in 8·3·3 = 72; many weights, a tight sample std
    init_normal(conv, gain=np.sqrt(2), rng=np.random.default_rng(1))
    return float(conv.params["weight"].std())


def _bn_count(shape):
    """How many values batch_norm2d pools per channel, read off its output."""
    x = np.random.default_rng(4).normal(size=shape)
    x[:, 0] = 0.0
    x[0, 0, 0, 0] = 1.0  # one 1 among M - 1 zeros: the channel mean is 1/M
    out = cnnbook.batch_norm2d(x, np.ones(shape[1]), np.zeros(shape[1]), eps=1e-12)
    # (1 - 1/M) / (0 - 1/M) = -(M - 1): the ratio of the two normalised values gives M
    return round(1 - out[0, 0, 0, 0] / out[-1, 0, -1, -1])


def _bn_backward_first(mean=None, var=None):
    x, dout = np.array([1.0, 1, 3, 3]).reshape(1, 1, 1, 4), np.array([1.0, 0, 0, 0]).reshape(1, 1, 1, 4)
    dx = cnnbook.batch_norm2d_backward(dout, x, np.array([2.0]), eps=1e-12, mean=mean, var=var)[0]
    return float(dx[0, 0, 0, 0])


def _adam_first_step():
    fc = Linear(1, 1, rng=np.random.default_rng(0))
    fc.params["weight"][...] = 0.0
    opt = Adam(fc, lr=0.1)
    fc.grads["weight"][...] = -0.002
    opt.step()
    return float(fc.params["weight"][0, 0])


#: Every numeric answer key, computed with the package (or plain arithmetic on the book's formula).
KEYS = {
    "ch01-to-float": lambda: float(np.array([51], np.uint8).astype(np.float32)[0] / 255),
    "ch01-batch-bytes": lambda: np.zeros((32, 3, 64, 64), np.float32).nbytes,
    "ch02-dense-params": lambda: trace_layers([("fc", 1000)], (224 * 224 * 3,))[0]["params"],
    "ch02-conv-params": lambda: _conv_row(3, 32, 6, 5)["params"],
    "ch03-by-hand": lambda: _one_conv_output([[1, 2], [3, 4]], [[0, 1], [2, 3]]),
    "ch03-dot-length": lambda: np.ones((5, 5, 3)).size,
    "ch04-floor": lambda: conv_output_size(8, 3, 2, 0),
    "ch04-resnet-stem": lambda: conv_output_size(224, 7, 2, 3),
    "ch04-dilation": lambda: conv_output_size(9, 3, 1, 0, 2),
    "ch04-same-padding": lambda: next(p for p in range(5) if conv_output_size(32, 5, 1, p) == 32),
    "ch04-receptive-3x3": lambda: receptive_field([3, 3, 3])[-1][0],
    "ch04-receptive-stride": lambda: receptive_field([3, 3, 3], [1, 2, 1])[-1][0],
    "ch05-pool-floor": lambda: pool_output_size(7, 2),
    "ch05-no-params": lambda: MaxPool2d(2).num_params(),
    "ch05-avg-value": _avg_top_left,
    "ch05-gap-gradient": _gap_gradient,
    "ch06-conv-params": lambda: _conv_row(64, 32, 128, 3, padding=1)["params"],
    "ch06-macs": lambda: _conv_row(32, 32, 64, 3, padding=1)["macs"],
    "ch06-lenet-flatten": _lenet_flatten,
    "ch07-batch-mean": _batch_mean_grad,
    "ch07-ce-value": lambda: cnnbook.softmax_cross_entropy(np.array([[2.0, 1.0, 0.0]]), np.array([0]))[0],
    "ch07-bce-gradient": lambda: float(cnnbook.sigmoid(np.log(4.0))) - 1.0,  # sigmoid(ln 4) = 0.8
    "ch08-db": _conv_db,
    "ch08-corner-terms": lambda: int(coverage_counts(5, 5, 3)[0, 0]),
    "ch08-dw-1d": _conv_dw0_1d,
    "ch09-maxpool-value": lambda: _maxpool_grad([[1, 3], [2, 0]], 2, 2, 5.0, (0, 1)),
    "ch09-overlap": _overlap_centre,
    "ch09-avg": _avg_backward,
    "ch09-l2": _l2_grad,
    "ch10-momentum-step": lambda: _momentum_gain(0.8),
    "ch10-uniform-loss": lambda: cnnbook.softmax_cross_entropy(np.zeros((1, 10)), np.array([3]))[0],
    "ch10-batches": _updates_per_epoch,
    "ch11-he-std": _he_std,
    "ch11-bn-count": lambda: _bn_count((32, 16, 8, 8)),
    "ch11-bn-backward": _bn_backward_first,
    "ch11-adam-first-step": _adam_first_step,
    "ch12-transpose-size": lambda: conv_transpose_output_size(4, 3, 2, 1, 1),
    "ch12-box-iou": lambda: float(box_iou((0, 0, 4, 4), (2, 2, 4, 4))),
    "ch12-dilated-rf": lambda: receptive_field([3, 3, 3], dilations=[1, 2, 4])[-1][0],
}

#: Named wrong answers that are themselves computed: the mistake the feedback describes gives this value.
MISTAKE_KEYS = {
    ("ch04-floor", 4): lambda: -(-(8 - 3) // 2) + 1,  # rounded up
    ("ch04-resnet-stem", 113): lambda: -(-(224 + 6 - 7) // 2) + 1,
    ("ch04-dilation", 7): lambda: conv_output_size(9, 3),
    ("ch04-receptive-stride", 7): lambda: receptive_field([3, 3, 3])[-1][0],
    ("ch05-pool-floor", 4): lambda: pool_output_size(7, 2, ceil_mode=True),
    ("ch03-by-hand", 10): lambda: _one_conv_output([[1, 2], [3, 4]], np.rot90([[0, 1], [2, 3]], 2)),
    ("ch09-overlap", 1): lambda: 1.0,  # one window's gradient (what `=` instead of `+=` keeps)
    ("ch10-batches", 37): lambda: 1200 // 32,
    ("ch12-transpose-size", 2): lambda: conv_output_size(4, 3, 2, 1),
    ("ch12-dilated-rf", 7): lambda: receptive_field([3, 3, 3])[-1][0],
    ("ch11-he-std", 0.118): lambda: (1 / 72) ** 0.5,  # LeCun: no factor 2 for the ReLU
    ("ch11-bn-backward", 2): lambda: _bn_backward_first(mean=np.array([2.0]), var=np.array([1.0])),  # eval mode
    ("ch07-bce-gradient", -0.032): lambda: (0.8 - 1) * 0.8 * 0.2,
    ("ch07-ce-value", 0.1770): lambda: -math.log10(math.exp(2) / (math.exp(2) + math.e + 1)),
}


def test_every_numeric_answer_has_a_computed_key():
    numeric = {q.id for q in ALL if isinstance(q, Numeric)}
    assert numeric == set(KEYS), (f"numeric questions without a computed key: {sorted(numeric - set(KEYS))}; "
                                  f"keys of no numeric question: {sorted(set(KEYS) - numeric)}")


@pytest.mark.parametrize("qid", sorted(KEYS))
def test_numeric_answer_key_is_what_the_package_computes(qid):
    q, computed = question(qid), float(KEYS[qid]())
    assert abs(q.answer - computed) <= q.tolerance + 1e-9 * max(1.0, abs(computed)), (
        f"{qid}: the key is {q.answer!r}, the package computes {computed!r}")


@pytest.mark.parametrize("qid, value", sorted(MISTAKE_KEYS))
def test_named_mistakes_are_what_the_mistake_computes(qid, value):
    q = question(qid)
    assert value in [m.value for m in q.mistakes]
    assert abs(value - float(MISTAKE_KEYS[qid, value]())) <= max(q.tolerance, 1e-9)


def _correct(qid):
    q = question(qid)
    return q.options[q.answer].text


def test_choice_keys_match_the_package():
    # uint8 wraps around
    a = np.array([200], dtype=np.uint8)
    assert f"[{int((a + a)[0])}]" in _correct("ch01-uint8-wrap")
    # transpose keeps each plane one colour; reshape scrambles them
    img = np.random.default_rng(0).integers(0, 256, size=(4, 5, 3))
    assert np.array_equal(np.transpose(img, (2, 0, 1))[1], img[..., 1])
    assert not np.array_equal(img.reshape(3, 4, 5)[1], img[..., 1])
    assert "np.transpose(img, (2, 0, 1))" in _correct("ch01-layout")
    # sRGB mid-grey emits about a fifth of white's light
    light = ((128 / 255 + 0.055) / 1.055) ** 2.4
    assert abs(light - 1 / 5) < 0.03 and "fifth" in _correct("ch01-srgb")
    # ten 5x5x3 filters on 32x32x3: 28 x 28 x 10
    out = cnnbook.conv2d(np.zeros((1, 3, 32, 32)), np.zeros((10, 3, 5, 5)), np.zeros(10))
    assert _correct("ch03-depth") == f"{out.shape[2]} × {out.shape[3]} × {out.shape[1]}"
    # the im2col matrix: (C*KH*KW, H_out*W_out)
    assert _correct("ch03-im2col").startswith(f"({3 * 3 * 3}, {30 * 30})")
    # the floor leaves pixel 7 unread
    assert coverage_counts(8, 8, 3, 2)[0, 7] == 0 and "No window reads it" in _correct("ch04-dropped")
    # pooling keeps the depth
    pooled = cnnbook.max_pool2d(np.zeros((1, 64, 32, 32)), 2)
    assert _correct("ch05-depth") == f"(N, {pooled.shape[1]}, {pooled.shape[2]}, {pooled.shape[3]})"
    # average pooling is a stride-2 convolution with weights 1/4; max pooling is not
    x = np.random.default_rng(1).normal(size=(1, 1, 6, 6))
    assert np.allclose(cnnbook.avg_pool2d(x, 2), cnnbook.conv2d(x, np.full((1, 1, 2, 2), 0.25), np.zeros(1), stride=2))
    assert "average pooling" in _correct("ch05-strided-conv")
    # halving the map and doubling the channels keeps the multiply-adds
    before, after = _conv_row(32, 32, 64, 3, padding=1), _conv_row(64, 16, 128, 3, padding=1)
    assert before["macs"] == after["macs"] and _correct("ch06-halve-double") == "They stay the same"


def test_gradient_choice_keys_match_the_package():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(1, 1, 5, 5)), rng.normal(size=(1, 1, 3, 3))
    dout = rng.normal(size=(1, 1, 3, 3))
    dx, dw, _ = cnnbook.conv2d_backward(dout, x, w)
    assert np.allclose(dw, cnnbook.conv2d(x, dout, np.zeros(1)))  # X ⋆ δ, no rotation
    assert _correct("ch08-dw").startswith("X ⋆ δ")
    full = cnnbook.conv2d(np.pad(dout, ((0, 0), (0, 0), (2, 2), (2, 2))), w[..., ::-1, ::-1], np.zeros(1))
    assert np.allclose(dx, full) and "rotated by 180°" in _correct("ch08-dx")
    # max pooling: all to the (first) maximum
    window = np.array([[[[4.0, 4.0], [1.0, 0.0]]]])
    grad = cnnbook.max_pool2d_backward(np.ones((1, 1, 1, 1)), window, 2)[0, 0]
    assert grad.tolist() == [[1.0, 0.0], [0.0, 0.0]] and "top-left" in _correct("ch09-ties")
    # ReLU at exactly 0 passes nothing
    relu = cnnbook.relu_backward(np.array([3.0, 3.0, 3.0]), np.array([-1.0, 0.0, 2.0]))
    assert _correct("ch09-relu") == "(" + ", ".join(f"{v:g}" for v in relu) + ")"


def test_checkerboard_key_matches_the_transposed_convolution():
    def coverage(kernel, stride):  # how many kernel taps land on each interior output pixel
        out = cnnbook.conv_transpose2d(np.ones((1, 1, 6, 6)), np.ones((1, 1, kernel, kernel)), np.zeros(1),
                                       stride=stride)
        return set(out[0, 0, kernel:-kernel, kernel:-kernel].ravel().tolist())

    assert len(coverage(3, 2)) > 1 and len(coverage(4, 2)) == 1
    assert "not divisible" in _correct("ch12-checkerboard")


def test_true_division_key_matches_the_checker():
    result = ex.check_output_size(lambda n, k, s, p: (n + 2 * p - k) / s + 1, rng=0, verbose=False)
    assert not result and "true division" in result.hint and "rounded up" not in result.hint
    assert "true division" in _correct("ch13-true-division")


# --------------------------------------------------------------------------- quiz.js grades as the data says
def test_quiz_js_grades_every_option_and_key_as_the_data_says():
    requests = []
    for q in ALL:
        state = q.state()
        if isinstance(q, Choice):
            answers = [*range(len(q.options)), None]
        else:
            tol = q.tolerance
            answers = [repr(q.answer), f" {q.answer + 0.9 * tol!r} ", repr(q.answer - 0.9 * tol),
                       *[repr(m.value) for m in q.mistakes], repr(q.answer * 1000 + 12345.5), "abc", ""]
        requests.append({"q": state, "answers": answers})
    graded = run_js("(E, rs) => rs.map(r => r.answers.map(a => E.quiz.grade(r.q, a)))", requests)
    for q, results in zip(ALL, graded):
        if isinstance(q, Choice):
            for option, got in zip(q.options, results):
                assert got["status"] == ("correct" if option.correct else "wrong"), (q.id, option.text, got)
                assert got["message"] == option.feedback
                assert got["verdict"] == ("Correct." if option.correct else "Not quite.")
            assert results[-1]["status"] == "invalid"
        else:
            assert [r["status"] for r in results[:3]] == ["correct"] * 3, (q.id, results[:3])
            for mistake, got in zip(q.mistakes, results[3:]):
                assert (got["status"], got["message"]) == ("wrong", mistake.feedback), (q.id, mistake, got)
            assert (results[-3]["status"], results[-3]["message"]) == ("wrong", q.wrong)
            assert [r["status"] for r in results[-2:]] == ["invalid", "invalid"]


def test_quiz_js_reads_numbers_as_readers_type_them():
    typed = ["12", " -0.5 ", "\u22123", "1e-3", "0,25", "1 572 864", "1,572,864", ".5", "1/4", "-3 / 4", "abc", "",
             "1/0", "1/2/3", "NaN", "Infinity", "--1"]
    want = [12, -0.5, -3, 0.001, 0.25, 1572864, 1572864, 0.5, 0.25, -0.75, None, None, None, None, None, None, None]
    assert run_js("(E, xs) => xs.map(E.quiz.parseNumber)", typed) == want


# --------------------------------------------------------------------------- Jupyter and the web book
def test_quiz_view_shows_the_widget_in_jupyter_and_the_quiz_in_the_web_book():
    view = quiz(7)
    assert isinstance(view, QuizView) and view.quiz == quiz_state(7)
    data, _ = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data and data["text/plain"] == "QuizView(chapter=7)"
    assert data["text/html"] == quiz_html(7)
    assert "E.quiz = E.quiz || {}" in quiz_esm() and "quiz.render(box, model.get(\"quiz\"))" in quiz_esm()
    assert quiz_esm().startswith("globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {noAutoMount: true};")


def test_quiz_html_carries_the_quiz_state_and_cannot_close_its_script_early():
    page = quiz_html(4)
    assert page.startswith('<div class="cnnbook-quiz cnnbook-quiz-live" data-cnnbook-quiz="4"')
    assert "cnnbook-live" not in page.replace("cnnbook-quiz-live", "")  # not mistaken for an explorer
    config = re.search(r'<script type="application/json" class="cnnbook-quiz-config">(.*?)</script>', page, re.S)
    assert json.loads(config.group(1)) == json.loads(json.dumps(quiz_state(4)))
    assert page.count("</script>") == 1


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_chapter_stores_its_quiz_cell_with_a_current_output(chapter):
    nb = nbformat.read(CHAPTER_FILES[chapter], as_version=4)
    where = [i for i, c in enumerate(nb.cells) if is_quiz_cell(c)]
    assert len(where) == 1, f"{CHAPTER_FILES[chapter].name}: {len(where)} quiz cells (run python -m cnnbook.quizzes)"
    cell = nb.cells[where[0]]
    assert cell.source == CODE.format(chapter=chapter)
    assert "nbval-ignore-output" in cell.metadata.get("tags", [])
    pages = [o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
    assert pages == [quiz_html(chapter)], (
        f"{CHAPTER_FILES[chapter].name}: the stored quiz is not the current one; run "
        f"`python -m cnnbook.quizzes {CHAPTER_FILES[chapter].relative_to(BOOK.parent)}`")
    later = [c.source.lstrip() for c in nb.cells[where[0] + 1:] if c.cell_type == "markdown"]
    assert any(re.search(r"^## (Exercises|Summary)\b", s, re.M) for s in later), "the quiz comes before the end"
