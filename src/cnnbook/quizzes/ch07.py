"""Quiz of chapter 7 (loss functions)."""

from . import Choice, Mistake, Numeric, Option

TITLE = "Loss functions"

QUESTIONS = (
    Numeric(
        id="ch07-batch-mean",
        prompt="The loss is the mean softmax cross-entropy over a batch of N = 8 images. For one image, "
               "y − t for class 3 is 0.4. What is ∂L/∂z for that logit?",
        answer=0.05,
        tolerance=0.0005,
        explanation="L = (1/N) Σ_n L_n, so every row of the gradient is divided by N: 0.4/8 = 0.05. "
                    "`cnnbook.softmax_cross_entropy` returns exactly (y − t)/N.",
        wrong="The per-image gradient is y − t; the batch mean divides it by the batch size.",
        mistakes=(
            Mistake(0.4, "That is the gradient of that image's own loss. The batch loss is a mean, so "
                         "divide by N = 8: forgetting the 1/N is the classic mistake."),
            Mistake(3.2, "That multiplies by N = 8; the mean divides by it."),
        ),
    ),
    Numeric(
        id="ch07-ce-value",
        prompt="Logits (2, 1, 0), true class 0 (the first). What is the softmax cross-entropy loss, "
               "with the natural logarithm? (3 decimals)",
        answer=0.40760596444438,
        tolerance=0.001,
        explanation="y_0 = e²/(e² + e + 1) ≈ 0.665, and the loss is −ln y_0 ≈ 0.408.",
        wrong="Softmax the logits, take the probability of the true class, and return minus its natural log.",
        mistakes=(
            Mistake(-2.0, "Minus the true class's logit is not the loss: normalise with the softmax first."),
            Mistake(0.1770, "That uses log base 10; cross-entropy uses the natural logarithm."),
            Mistake(0.665, "That is the probability of the true class; the loss is −ln of it."),
        ),
    ),
    Numeric(
        id="ch07-bce-gradient",
        prompt="One sigmoid output with binary cross-entropy: y = σ(z) = 0.8, target t = 1. What is ∂E/∂z?",
        answer=-0.2,
        tolerance=0.0005,
        explanation="The sigmoid's derivative y(1 − y) cancels against the loss's: ∂E/∂z = y − t = −0.2. "
                    "Negative, so gradient descent raises z.",
        wrong="For sigmoid with binary cross-entropy, ∂E/∂z = y − t.",
        mistakes=(
            Mistake(0.2, "The sign is flipped: the gradient is y − t, not t − y. Descent must push z up here."),
            Mistake(-0.032, "That keeps the sigmoid's factor y(1 − y): it is the squared error's "
                            "gradient, (y − t)·y(1 − y). With cross-entropy the factor cancels."),
            Mistake(-1.25, "That is ∂E/∂y = −t/y; chain it through the sigmoid, dy/dz = y(1 − y)."),
        ),
    ),
    Choice(
        id="ch07-multilabel",
        prompt="A photo can show a cat, a dog, both or neither. Which output and loss fit?",
        options=(
            Option("Two sigmoids, each with binary cross-entropy", True,
                   "The labels are independent yes/no questions: one Bernoulli output per label."),
            Option("A softmax over {cat, dog} with categorical cross-entropy", False,
                   "A softmax makes the classes compete (its outputs sum to 1): it cannot say 'both' or "
                   "'neither'."),
            Option("A softmax with the squared error", False,
                   "The classes are still forced to be exclusive, and the squared error learns slowly on "
                   "confident mistakes."),
        ),
        explanation="Softmax + categorical cross-entropy for exactly one of K classes; K sigmoids + BCE "
                    "for multi-label problems.",
    ),
    Choice(
        id="ch07-shift-max",
        prompt="The stable softmax computes softmax(z − max z) instead of softmax(z). What does the shift change?",
        options=(
            Option("Nothing in exact arithmetic; it only stops exp from overflowing", True,
                   "e^(z_k − m) / Σ e^(z_j − m): the factor e^(−m) cancels between numerator and denominator."),
            Option("It changes the probabilities slightly, a price paid for stability", False,
                   "The shift cancels exactly; the results are the same, without the overflow."),
            Option("It makes the largest probability exactly 1", False,
                   "The largest shifted logit is 0, so its exp is 1, but the probability divides by the sum."),
        ),
        explanation="Softmax is unchanged by adding a constant to every logit. Compute losses from logits, "
                    "with log-sum-exp.",
    ),
    Choice(
        id="ch07-mse-sigmoid",
        prompt="A sigmoid output trained with the squared error is confidently wrong: y ≈ 0.001, t = 1. "
               "What happens?",
        options=(
            Option("It learns very slowly: the gradient keeps the factor y(1 − y) ≈ 0.001", True,
                   "(y − t)·y(1 − y) is tiny exactly when the answer is most wrong."),
            Option("It learns fastest, because the error is largest", False,
                   "The error is large, but the sigmoid's flat tail multiplies the gradient by y(1 − y)."),
            Option("Nothing special: the gradient is y − t, as with cross-entropy", False,
                   "The cancellation that gives y − t only happens with cross-entropy."),
        ),
        explanation="With cross-entropy the gradient is y − t ≈ −1: confident mistakes are corrected fast. "
                    "That is why classification uses cross-entropy.",
    ),
)
