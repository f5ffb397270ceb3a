"""Quiz of chapter 10 (training a CNN)."""

import math

from . import Choice, Mistake, Numeric, Option

TITLE = "Training a CNN"

QUESTIONS = (
    Numeric(
        id="ch10-momentum-step",
        prompt="SGD with momentum, v ← μv + g, θ ← θ − ηv, with μ = 0.8. On a long, steady slope (g constant), "
               "the step approaches how many times ηg?",
        answer=5,
        explanation="v → g(1 + μ + μ² + …) = g/(1 − μ) = 5g, so the step becomes η/(1 − μ) = 5 times ηg "
                    "(10 times for μ = 0.9).",
        wrong="Sum the geometric series of the velocity: v = g(1 + μ + μ² + …).",
        mistakes=(
            Mistake(1.8, "The velocity keeps every past gradient with weight μ^k, not just one: sum the series."),
            Mistake(0.8, "Momentum enlarges the steady step, it does not shrink it: 1/(1 − μ)."),
            Mistake(1.25, "That is 1/μ; the limit of 1 + μ + μ² + … is 1/(1 − μ)."),
        ),
    ),
    Numeric(
        id="ch10-uniform-loss",
        prompt="An untrained 10-class network gives every class the same probability. What is its cross-"
               "entropy loss? (3 decimals)",
        answer=math.log(10),
        tolerance=0.002,
        explanation="Each class gets 1/10, so the loss is −ln(1/10) = ln 10 ≈ 2.303: the first check of a new "
                    "network, and the plateau of one whose ReLUs died.",
        wrong="With probability 1/K for the true class, the loss is −ln(1/K).",
        mistakes=(
            Mistake(1.0, "That is log base 10 of 10; cross-entropy uses the natural logarithm."),
            Mistake(0.1, "That is the probability of the true class; the loss is −ln of it."),
            Mistake(0.0, "A loss of 0 means certainty on the right class; a uniform guess is far from it."),
        ),
    ),
    Numeric(
        id="ch10-batches",
        prompt="1200 training images, batches of 32, the last batch smaller (as `cnnbook.models."
               "iterate_minibatches`). How many updates in one epoch?",
        answer=38,
        explanation="⌈1200/32⌉ = 38: 37 full batches of 32 (1184 images) and one of 16.",
        wrong="Count the batches that cover all 1200 images once, the last one smaller.",
        mistakes=(
            Mistake(37, "That drops the last 16 images; here the last batch is kept, smaller."),
            Mistake(37.5, "Batches come in whole numbers: round up, the last batch is smaller."),
            Mistake(1200, "One update per batch, not per image."),
        ),
    ),
    Choice(
        id="ch10-splits",
        prompt="On which data should you choose the learning rate and the epoch to keep?",
        options=(
            Option("The validation set", True,
                   "Choices are made on data the weights never trained on, keeping the test set untouched."),
            Option("The test set", False,
                   "Choosing on the test set makes its score optimistic: it is no longer an unseen "
                   "measurement. Use it once, at the end."),
            Option("The training set", False,
                   "The training loss keeps falling as the network memorises; it cannot reveal overfitting."),
        ),
        explanation="Three splits, three jobs: learn on training data, choose on validation data, evaluate the "
                    "test set once.",
    ),
    Choice(
        id="ch10-overfit",
        prompt="Trained on only 150 digits, a network reaches 100% training accuracy. Which sign shows it overfits?",
        options=(
            Option("The validation loss climbs while the training loss keeps falling", True,
                   "It is memorising the training set, and its confident mistakes on new digits cost more and more."),
            Option("The training accuracy is 100%", False,
                   "That alone says nothing about new data; compare with the validation set."),
            Option("The training loss stops at ln 10", False,
                   "That is a network that learns nothing (e.g. dead ReLUs), the opposite of overfitting."),
        ),
        explanation="Early stopping keeps the epoch with the lowest validation loss; weight decay and, most of all, "
                    "more data help too.",
    ),
    Choice(
        id="ch10-weight-decay",
        prompt="What does weight decay λ do in `cnnbook.optim.SGD`, as in PyTorch?",
        options=(
            Option("Adds λθ to every gradient before the momentum step", True,
                   "It is the gradient of the penalty (λ/2)‖θ‖²: every step also shrinks the weights a little."),
            Option("Lowers the learning rate a little every epoch", False,
                   "That is a learning-rate schedule (like the book's milestone), not weight decay."),
            Option("Sets the smallest weights to zero", False,
                   "Weight decay shrinks all weights proportionally; it does not prune."),
        ),
        explanation="Weight decay penalises large weights and the very confident logits they produce.",
    ),
    Choice(
        id="ch10-lr-too-large",
        prompt="With η = 0.2 and momentum 0.9, the loss falls, then returns to ln 10 and stays there. What happened?",
        options=(
            Option("Big updates pushed most ReLUs negative for every input; dead ReLUs pass no gradient", True,
                   "A ReLU that is never positive never learns, so the network is left guessing uniformly."),
            Option("The loss overflowed to infinity", False,
                   "Nothing diverged: the loss sits at exactly the uniform guess, ln 10."),
            Option("The learning rate was too small to make progress", False,
                   "Too small would barely move the loss from the start; this one moved and came back."),
        ),
        explanation="Too small a learning rate barely moves the loss; too large can kill ReLUs. Choose it on the "
                    "validation set.",
    ),
)
