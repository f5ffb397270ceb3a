"""Quiz of chapter 13 (teaching with this book)."""

from . import Choice, Option

TITLE = "Teaching with this book"

QUESTIONS = (
    Choice(
        id="ch13-fresh-cases",
        prompt="Why does a checker such as `check_conv2d` draw its test problems afresh at every run?",
        options=(
            Option("So that an answer cannot be hard-coded, and a bug must survive many new cases", True,
                   "About 25 new small problems, with the topic's edge cases, each time the cell runs."),
            Option("To make the grading slower and harder to cheat by timing", False,
                   "The problems are small and fast; freshness is about hard-coded answers, not time."),
            Option("Because the reference implementation is random", False,
                   "The reference is deterministic; only the inputs are drawn at random (`rng` fixes them)."),
        ),
        explanation="Fresh random problems test the function, not a memorised output; `rng=0` gives everyone "
                    "the same problems when you want that.",
    ),
    Choice(
        id="ch13-true-division",
        prompt="A student's output-size function computes `(n + 2*p - k) / s + 1`. What does "
               "`check_output_size` report?",
        options=(
            Option("A failure whose hint names true division: `/` returns a float, use `//`", True,
                   "Even when the stride divides exactly, `/` returns a float; otherwise a non-integer."),
            Option("A pass whenever the stride divides exactly", False,
                   "The checker wants an int; 8.0 is reported as a float, with the hint to use `//`."),
            Option("A hint that the result was rounded up", False,
                   "Nothing was rounded: true division keeps the fraction. Rounding up is a different "
                   "mistake (ceil instead of floor)."),
        ),
        explanation="A checker compares the answer with the reference and with the outputs of the classic "
                    "mistakes, and names the one it matches.",
    ),
    Choice(
        id="ch13-never-raises",
        prompt="A student's function still raises `NotImplementedError`. What does its checker do?",
        options=(
            Option("Reports a failure and returns a false result; the notebook runs on", True,
                   "Checkers never raise, so a class loop or a whole notebook always runs to the end."),
            Option("Re-raises the exception and stops the notebook", False,
                   "That would stop a grading loop at the first unfinished exercise; checkers report instead."),
            Option("Skips the exercise silently", False,
                   "A stub is reported as a failure, never counted as a pass or skipped."),
        ),
        explanation="Stubs, functions that return None, raise, or change their inputs in place are all reported "
                    "as failures.",
    ),
    Choice(
        id="ch13-student-edition",
        prompt="What does `python -m cnnbook.teaching student` do to a code solution cell?",
        options=(
            Option("Turns it into a stub: imports, signature and docstring kept, the body raises "
                   "`NotImplementedError`", True,
                   "Students get the function to write, and the checker below it still runs."),
            Option("Deletes it, with the checker cell", False,
                   "The checker stays, so students can test their own function; only its output is cleared."),
            Option("Keeps it but hides the output", False,
                   "The solution itself is removed; hiding it would still hand it out."),
        ),
        explanation="Markdown solutions are removed, code solutions become stubs, and the outputs of the stubs "
                    "and their checkers are cleared; every other output is kept.",
    ),
    Choice(
        id="ch13-printed-ticks",
        prompt="A submitted notebook prints its own line '✓ check_conv2d: 25 random cases passed'. Does it get "
               "the points from `python -m cnnbook.teaching grade`?",
        options=(
            Option("No: the grader runs the assignment's fixed checks itself; printed ✓ lines do not count", True,
                   "The verdicts come from the grader's own process, not from what the notebook prints."),
            Option("Yes: the grader collects the ✓ lines the notebook prints", False,
                   "Anything a notebook prints, it could fake; the grader calls the functions and judges them."),
            Option("Only if the line is printed by the last cell", False,
                   "Printed output is never evidence: the grader calls the submission's functions with its own checks."),
        ),
        explanation="`grade` runs each submission and calls its functions against the assignment's fixed checks; "
                    "a missing or broken function scores 0.",
    ),
    Choice(
        id="ch13-sandbox",
        prompt="A submission deletes files and appends a pass-everything checker to `cnnbook`. What does it "
               "achieve under `python -m cnnbook.teaching grade`?",
        options=(
            Option("Nothing but its own grade: it runs in a sandbox, with a read-only file system and a "
                   "read-only copy of the package", True,
                   "Only its own working folder and a private /tmp are writable; other submissions and the "
                   "book are hidden, and there is no network."),
            Option("It passes every check of the assignment", False,
                   "The package it can write to is not the grader's: its copy is read-only, and the grader "
                   "judges in its own process."),
            Option("It can delete the other students' submissions", False,
                   "The folder of submissions and the other working folders are hidden from it."),
        ),
        explanation="Each submission runs in its own process under bubblewrap, with limits on memory, CPU time "
                    "and a deadline per cell; the grader's tests try these attacks.",
    ),
)
