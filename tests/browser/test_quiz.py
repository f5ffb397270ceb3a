"""A chapter's quiz in the offline web book: answered with the keyboard, graded in the page.

One wrong numeric answer (a named mistake) and one right multiple-choice answer on
chapter 4, with the network blocked; then axe-core on the answered quiz, whose
feedback and explanation only exist after answering (the site-wide accessibility
test, tests/browser/test_accessibility.py, sees the quiz before any answer).
Last, the anywidget module that Jupyter loads draws and grades the same quiz.
"""

from __future__ import annotations

from cnnbook.quizzes import questions, quiz_state
from cnnbook.widgets.quiz import quiz_esm

from .test_accessibility import axe_source, describe  # noqa: F401  (axe_source is a fixture)

PAGE = "book/04_output_size.html"


def test_quiz_gives_instant_feedback_in_the_offline_page(page, site_url, axe_source):  # noqa: F811
    numeric, choice = questions(4)[0], questions(4)[1]
    assert numeric.kind == "number" and choice.kind == "choice"
    mistake = numeric.mistakes[0]
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site_url)
               else route.abort())
    page.goto(site_url + PAGE, wait_until="domcontentloaded")  # the quiz mounts then; no need to wait for images
    page.wait_for_selector(".cnnbook-quiz[data-cnnbook-ready='1']", timeout=60_000)
    quiz = page.locator(".cnnbook-quiz-live").first
    assert quiz.locator(".cnnbook-quiz-question").count() == len(questions(4))

    # A wrong number, typed and submitted with Enter: the feedback names the mistake.
    first = quiz.locator(f".cnnbook-quiz-question[data-question-id='{numeric.id}']")
    box = first.get_by_label("Your answer")
    box.focus()
    page.keyboard.type(f"{mistake.value:g}")
    page.keyboard.press("Enter")
    feedback = first.locator(".cnnbook-quiz-feedback")
    assert feedback.get_attribute("aria-live") == "polite" and feedback.get_attribute("role") == "status"
    page.wait_for_function("el => el.textContent.length > 0", arg=feedback.element_handle())
    assert "cnnbook-quiz-wrong" in feedback.get_attribute("class")
    assert "cnnbook-quiz-wrong" in first.get_attribute("class")
    text = feedback.inner_text()
    assert "Not quite." in text and mistake.feedback in text
    assert first.locator("details.cnnbook-quiz-explanation summary").inner_text() == "Show the explanation"

    # The right option, chosen with the arrow keys and submitted from the Check button with the keyboard.
    second = quiz.locator(f".cnnbook-quiz-question[data-question-id='{choice.id}']")
    second.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")  # select the first option
    for _ in range(choice.answer):
        page.keyboard.press("ArrowDown")
    assert second.locator("input[type=radio]:checked").get_attribute("value") == str(choice.answer)
    page.keyboard.press("Tab")  # out of the radio group, to the button
    assert page.evaluate("document.activeElement.textContent") == "Check"
    page.keyboard.press("Enter")
    feedback = second.locator(".cnnbook-quiz-feedback")
    page.wait_for_function("el => el.textContent.length > 0", arg=feedback.element_handle())
    assert "cnnbook-quiz-correct" in feedback.get_attribute("class")
    text = feedback.inner_text()
    right = choice.options[choice.answer]
    assert "Correct." in text and right.feedback in text and choice.explanation.replace("`", "") in text
    assert quiz.locator(".cnnbook-quiz-score").inner_text() == f"Answered correctly: 1 of {len(questions(4))}."

    assert not page.log.problems(), page.log.problems()

    # The answered quiz, feedback and explanations included, has no serious accessibility problem. axe runs
    # on a copy of it alone: on the whole chapter it takes many seconds, and the site-wide test covers the page.
    answered = quiz.evaluate("el => el.outerHTML")
    page.set_content('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Answered quiz</title>'
                     f"</head><body><main><h1>Answered quiz</h1>{answered}</main></body></html>")
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => await axe.run(document, {
               runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
               resultTypes: ['violations'],
           })"""
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(describe(v) for v in serious)


    # Jupyter's path: the anywidget ES module renders the quiz from the widget's model and grades in the page.
    drawn = page.evaluate(
        """async ([source, quiz]) => {
               const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
               const widget = (await import(url)).default;
               const el = document.createElement('div');
               document.body.appendChild(el);
               const model = {get: (name) => ({quiz: quiz, label: 'Quiz'})[name]};
               widget.render({model, el});
               const form = el.querySelector('.cnnbook-quiz-question');
               form.querySelector('input').value = String(quiz.questions[0].answer);
               form.requestSubmit();
               return [el.querySelectorAll('.cnnbook-quiz-question').length,
                       form.querySelector('.cnnbook-quiz-feedback').className];
           }""",
        [quiz_esm(), quiz_state(4)],
    )
    assert drawn == [len(questions(4)), "cnnbook-quiz-feedback cnnbook-quiz-correct"]
