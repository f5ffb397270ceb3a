"""Quiz of chapter 11 (training deeper networks)."""

from . import Choice, Mistake, Numeric, Option

TITLE = "Training deeper networks"

QUESTIONS = (
    Numeric(
        id="ch11-he-std",
        prompt="He initialisation for a 3 × 3 convolution with C = 8 input channels, followed by a ReLU: what "
               "standard deviation do the weights get? (3 decimals)",
        answer=(2 / 72) ** 0.5,
        tolerance=0.001,
        explanation="The fan-in is n_in = C·F·F = 72, and std = √(2/n_in) = √(2/72) ≈ 0.167, so that n_in·Var(w)/2 = 1: "
                    "the ReLU halves E[x²], the factor 2 puts it back.",
        wrong="Count the fan-in n_in = C·F·F, then take √(2/n_in).",
        mistakes=(
            Mistake(0.118, "That is √(1/n_in), LeCun's scale. It forgets that the ReLU zeroes half of its input: "
                           "each layer would shrink the variance by 2."),
            Mistake(0.028, "That is the variance 2/n_in; the standard deviation is its square root."),
            Mistake(0.471, "The fan-in counts every input channel: n_in = 8·3·3 = 72, not 3·3 = 9."),
        ),
    ),
    Numeric(
        id="ch11-bn-count",
        prompt="Batch normalisation after a convolution, on a batch of shape (N, C, H, W) = (32, 16, 8, 8). Over "
               "how many values is each channel's mean taken?",
        answer=2048,
        explanation="Per channel, over the batch and both spatial axes: M = N·H·W = 32·8·8 = 2048. The same filter "
                    "made all of them, so they are one population.",
        wrong="A channel's statistics pool every image of the batch and every position of the map.",
        mistakes=(
            Mistake(32, "That normalises each position separately over the batch, as for a dense layer; a conv "
                        "layer's statistics also pool H and W, or the centre and the edge would be treated "
                        "differently."),
            Mistake(64, "That is one image's map: batch normalisation also averages over the batch."),
            Mistake(32768, "The channels are normalised separately: each has its own mean."),
        ),
    ),
    Numeric(
        id="ch11-bn-backward",
        prompt="One channel x = (1, 1, 3, 3), γ = 2, β = 0.5, ε → 0, training mode. The loss is the first output, "
               "so dout = (1, 0, 0, 0). What is ∂L/∂x₁, the gradient of the first input?",
        answer=1,
        explanation="Three paths: direct γ·dout/σ = 2, through the variance +1·2(x₁ − μ)/M = −0.5, through the mean "
                    "−2/M = −0.5: dx₁ = 2 − 0.5 − 0.5 = 1.",
        wrong="Follow the three paths from x₁ to y₁: directly, through the mean and through the variance.",
        mistakes=(
            Mistake(2, "That is only the direct path, γ·dout/σ (evaluation mode). In training mode x₁ also moves "
                       "the mean and the variance of its channel."),
            Mistake(1.5, "You kept the mean's path and dropped the variance's (or the other way round): both count."),
        ),
    ),
    Choice(
        id="ch11-bn-eval",
        prompt="A trained network with batch normalisation classifies one digit on its own. What statistics does "
               "each batch-norm layer use?",
        options=(
            Option("The running averages kept during training (evaluation mode)", True,
                   "`model.eval()` switches to them: the output then no longer depends on the rest of the batch."),
            Option("The mean and variance of this one digit's batch", False,
                   "Then the answer would depend on what else is in the batch (here only this digit's own "
                   "maps, normalised against themselves), and a digit must get the same answer alone."),
            Option("Mean 0 and variance 1, fixed", False,
                   "The statistics are those measured during training, kept as running averages."),
        ),
        explanation="Training mode: batch statistics. Evaluation mode: running averages, and the layer is a fixed "
                    "affine map per channel (it can even be folded into the convolution before it).",
    ),
    Choice(
        id="ch11-residual",
        prompt="A residual block computes out = x + F(x). What is its input gradient dx?",
        options=(
            Option("dout + the body's dx: the addition copies dout to both branches", True,
                   "Even if F's Jacobian is tiny, dout reaches x unchanged through the identity path."),
            Option("The body's dx only", False,
                   "That forgets the shortcut: the gradient of x with respect to itself is the identity."),
            Option("dout × the body's dx", False,
                   "An addition adds gradients; only a chain of layers multiplies Jacobians."),
        ),
        explanation="Through many blocks the gradient reaches the first layers through a chain of additions, not only "
                    "through a product of one Jacobian per block: that is why residual networks train at depth.",
    ),
    Numeric(
        id="ch11-adam-first-step",
        prompt="Adam (β₁ = 0.9, β₂ = 0.999, with bias correction), η = 0.1, first step, gradient g = −0.002. By how "
               "much does the parameter change (with its sign)?",
        answer=0.1,
        tolerance=0.001,
        explanation="m̂ = g and v̂ = g² after correction, so the step is −η·g/|g| = +η = +0.1, however small g is.",
        wrong="After bias correction m̂ = g and √v̂ = |g| at the first step; the change is −η·m̂/√v̂.",
        mistakes=(
            Mistake(-0.1, "Right size, wrong direction: the parameter moves against the gradient, and g is negative."),
            Mistake(0.316, "That is the first step without bias correction: 0.1g/√(0.001g²) ≈ 3.16 times η."),
            Mistake(0.0002, "That is SGD's step, −η·g. Adam divides by the gradient's RMS, so every parameter moves "
                            "by about η."),
        ),
    ),
    Choice(
        id="ch11-bias-before-bn",
        prompt="Why do the convolutions of `residual_block` have no bias (`bias=False`)?",
        options=(
            Option("Batch norm subtracts each channel's mean, which removes any bias; its gradient is always 0", True,
                   "A per-channel constant shifts the mean by the same amount; the sum of dx over a channel is 0."),
            Option("Biases are never useful in deep networks", False,
                   "They are, in general; here batch norm's shift β does the same job."),
            Option("To save compute", False,
                   "A bias costs almost nothing; the point is that it would never learn anything."),
        ),
        explanation="In training mode a batch-norm layer is invariant to shifting its input channel, so a bias "
                    "before it receives zero gradient.",
    ),
)
