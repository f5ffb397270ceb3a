/* Self-check quizzes (cnnbook.quizzes): the one renderer and grader of every chapter's quiz.
 *
 * A quiz is the JSON of cnnbook.quizzes.quiz_state(chapter):
 *
 *   { chapter, title, questions: [
 *       { id, kind: "choice", prompt, explanation, options: [{text, correct, feedback}] },
 *       { id, kind: "number", prompt, explanation, answer, tolerance, wrong, mistakes: [{value, feedback}] } ] }
 *
 * `render` draws it and grades every answer in the page, with no kernel and no
 * server: in the web book (`mountAll` finds the cell's stored text/html, see
 * cnnbook.widgets.quiz.quiz_html) and in Jupyter (the anywidget QuizView calls
 * `render` with the same JSON). `grade` is the only grader; tests/test_quiz.py
 * runs it in node on every option and answer key.
 *
 * Classic script, like core.js: it works from file:// too.
 */
(function () {
  "use strict";
  var E = (globalThis.cnnbookExplorers = globalThis.cnnbookExplorers || {});
  var Q = (E.quiz = E.quiz || {});

  // ------------------------------------------------------------ grading
  /** The number a reader typed, or null: "12", " -0.5 ", "−3" (Unicode minus), "1e-3", "0,25", "1 572 864",
   * "1,572,864", "1/49". */
  function parseNumber(text) {
    if (typeof text === "number") { return Number.isFinite(text) ? text : null; }
    var s = String(text === null || text === undefined ? "" : text).trim()
      .replace(/\u2212/g, "-").replace(/[\s\u00a0\u202f_]/g, "");
    var fraction = /^([^/]+)\/([^/]+)$/.exec(s);
    if (fraction) {
      var top = parseNumber(fraction[1]), bottom = parseNumber(fraction[2]);
      return top === null || bottom === null || bottom === 0 ? null : top / bottom;
    }
    if (/^[-+]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) {
      s = s.replace(/,/g, "");  // thousands separators
    } else if (/^[-+]?\d*,\d+$/.test(s)) {
      s = s.replace(",", ".");  // a decimal comma
    }
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) { return null; }
    var x = Number(s);
    return Number.isFinite(x) ? x : null;
  }

  function near(x, target, tolerance) {
    return Math.abs(x - target) <= (tolerance || 0) + 1e-9 * Math.max(1, Math.abs(target));
  }

  /** Grade one answer: the option's index for a choice, the typed text for a number.
   * Returns {status: "correct"|"wrong"|"invalid", verdict, message}. */
  function grade(question, answer) {
    if (question.kind === "choice") {
      var option = typeof answer === "number" ? question.options[answer] : undefined;
      if (!option) { return { status: "invalid", verdict: "", message: "Choose an answer first." }; }
      return option.correct ? { status: "correct", verdict: "Correct.", message: option.feedback }
        : { status: "wrong", verdict: "Not quite.", message: option.feedback };
    }
    if (question.kind === "number") {
      var x = parseNumber(answer);
      if (x === null) { return { status: "invalid", verdict: "", message: "Enter a number, such as 12 or 0.25." }; }
      if (near(x, question.answer, question.tolerance)) {
        return { status: "correct", verdict: "Correct.", message: "" };
      }
      var mistakes = question.mistakes || [];
      for (var i = 0; i < mistakes.length; i++) {
        if (near(x, mistakes[i].value, question.tolerance)) {
          return { status: "wrong", verdict: "Not quite.", message: mistakes[i].feedback };
        }
      }
      return { status: "wrong", verdict: "Not quite.", message: question.wrong };
    }
    throw new Error("cnnbook quiz: unknown question kind " + JSON.stringify(question.kind));
  }
  Q.parseNumber = parseNumber;
  Q.grade = grade;

  // ------------------------------------------------------------ drawing
  var STATUS = ["correct", "wrong", "invalid"];
  var COLOUR = { correct: "#1a7f37", wrong: "#c62828", invalid: "#767676" };

  /** Plain text with `code` spans, as DOM nodes (never parsed as HTML). */
  function inline(doc, parent, text) {
    String(text).split("`").forEach(function (part, i) {
      if (!part) { return; }
      if (i % 2 === 1) {
        var code = doc.createElement("code");
        code.textContent = part;
        parent.appendChild(code);
      } else {
        parent.appendChild(doc.createTextNode(part));
      }
    });
    return parent;
  }

  function element(doc, tag, className, css) {
    var el = doc.createElement(tag);
    if (className) { el.className = className; }
    if (css) { el.style.cssText = css; }
    return el;
  }

  var counter = 0;

  /** Draw a quiz into `root` and make it answerable. Returns root. */
  function render(root, quiz) {
    var doc = root.ownerDocument;
    counter += 1;
    var prefix = "cnnbook-quiz-" + quiz.chapter + "-" + counter + "-";
    var solved = {};
    var score = element(doc, "p", "cnnbook-quiz-score", "margin:0.4em 0;font-size:1em");
    function updateScore() {
      score.textContent = "Answered correctly: " + Object.keys(solved).length + " of " + quiz.questions.length + ".";
    }

    quiz.questions.forEach(function (question, index) {
      var id = prefix + index;
      var form = element(doc, "form", "cnnbook-quiz-question cnnbook-quiz-" + question.kind);
      form.dataset.questionId = question.id;
      form.noValidate = true;
      var fieldset = element(doc, "fieldset", "",
        "border:1px solid #8c8c8c;border-radius:6px;padding:0.5em 0.9em 0.7em;margin:0.9em 0;min-width:0");
      // Explicit size and flow: some page themes style <legend> as a large floated heading.
      var legend = element(doc, "legend", "cnnbook-quiz-prompt",
        "font-size:1em;font-weight:normal;line-height:1.45;white-space:normal;float:none;width:auto;" +
        "max-width:100%;padding:0 0.3em;margin:0 0 0.2em");
      var number = element(doc, "strong");
      number.textContent = "Question " + (index + 1) + " of " + quiz.questions.length + ".";
      legend.appendChild(number);
      legend.appendChild(doc.createTextNode(" "));
      inline(doc, legend, question.prompt);
      fieldset.appendChild(legend);
      var read;
      if (question.kind === "choice") {
        question.options.forEach(function (option, j) {
          var row = element(doc, "div", "cnnbook-quiz-option", "display:flex;align-items:baseline;gap:0.5em;margin:0.3em 0");
          var input = element(doc, "input");
          input.type = "radio";
          input.name = id;
          input.id = id + "-" + j;
          input.value = String(j);
          var label = element(doc, "label", "", "line-height:1.4");
          label.htmlFor = input.id;
          inline(doc, label, option.text);
          row.appendChild(input);
          row.appendChild(label);
          fieldset.appendChild(row);
        });
        read = function () {
          var picked = form.querySelector("input[type=radio]:checked");
          return picked ? Number(picked.value) : null;
        };
      } else {
        var row = element(doc, "div", "cnnbook-quiz-answer", "display:flex;align-items:baseline;gap:0.5em;margin:0.3em 0");
        var label = element(doc, "label");
        label.htmlFor = id + "-answer";
        label.textContent = "Your answer";
        var input = element(doc, "input", "", "width:10em;padding:0.15em 0.3em");
        input.type = "text";
        input.id = id + "-answer";
        // No inputmode="decimal": some phone keypads for it have no minus sign, and answers can be negative.
        input.setAttribute("autocomplete", "off");
        input.setAttribute("spellcheck", "false");
        row.appendChild(label);
        row.appendChild(input);
        fieldset.appendChild(row);
        read = function () { return input.value; };
      }
      var button = element(doc, "button", "cnnbook-quiz-check",
        "margin-top:0.4em;padding:0.2em 0.9em;border:1px solid currentColor;border-radius:4px;" +
        "background:transparent;color:inherit;font:inherit;cursor:pointer");
      button.type = "submit";
      button.textContent = "Check";
      fieldset.appendChild(button);
      form.appendChild(fieldset);
      var feedback = element(doc, "div", "cnnbook-quiz-feedback", "margin:-0.5em 0 0.9em;line-height:1.45");
      feedback.setAttribute("role", "status");
      feedback.setAttribute("aria-live", "polite");
      form.appendChild(feedback);

      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var result = grade(question, read());
        STATUS.forEach(function (s) {
          form.classList.toggle("cnnbook-quiz-" + s, s === result.status);
          feedback.classList.toggle("cnnbook-quiz-" + s, s === result.status);
        });
        form.dataset.status = result.status;
        feedback.textContent = "";
        feedback.style.borderLeft = "4px solid " + COLOUR[result.status];
        feedback.style.paddingLeft = "0.7em";
        var line = element(doc, "p", "cnnbook-quiz-verdict", "margin:0.2em 0");
        if (result.verdict) {
          var strong = element(doc, "strong");
          strong.textContent = (result.status === "correct" ? "✓ " : "✗ ") + result.verdict;
          line.appendChild(strong);
          line.appendChild(doc.createTextNode(" "));
        }
        inline(doc, line, result.message);
        feedback.appendChild(line);
        if (result.status === "correct") {
          feedback.appendChild(inline(doc, element(doc, "p", "cnnbook-quiz-explanation", "margin:0.2em 0"),
                                      question.explanation));
          solved[question.id] = true;
        } else if (result.status === "wrong") {
          // After a wrong answer the explanation waits behind one click, so that a second try is still worth it.
          var details = element(doc, "details", "cnnbook-quiz-explanation", "margin:0.2em 0");
          var summary = element(doc, "summary", "", "cursor:pointer");
          summary.textContent = "Show the explanation";
          details.appendChild(summary);
          details.appendChild(inline(doc, element(doc, "p", "", "margin:0.2em 0"), question.explanation));
          feedback.appendChild(details);
        }
        updateScore();
      });
      root.appendChild(form);
    });
    updateScore();
    root.appendChild(score);
    root.dataset.cnnbookReady = "1";
    return root;
  }
  Q.render = render;

  // ------------------------------------------------------------ the web book
  /** Make every stored quiz of the page live (the text/html of cnnbook.widgets.quiz.quiz_html). */
  Q.mountAll = function (doc) {
    (doc || document).querySelectorAll(".cnnbook-quiz-live").forEach(function (root) {
      if (root.cnnbookMounted) { return; }
      root.cnnbookMounted = true;
      try {
        render(root, JSON.parse(root.querySelector("script.cnnbook-quiz-config").textContent));
      } catch (err) {
        var p = root.ownerDocument.createElement("p");
        p.className = "cnnbook-error";
        p.textContent = "This quiz failed to start in the page: " + err.message;
        root.appendChild(p);
        if (globalThis.console) { console.error(err); }
      }
    });
  };

  if (typeof document !== "undefined" && !E.noAutoMount) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { Q.mountAll(document); });
    } else {
      setTimeout(function () { Q.mountAll(document); }, 0);
    }
  }
})();
