"""Quiz of chapter 5 (pooling)."""

from . import Choice, Mistake, Numeric, Option

TITLE = "Pooling"

QUESTIONS = (
    Numeric(
        id="ch05-pool-floor",
        prompt="2 × 2 max pooling with stride 2 on a 7 × 7 map (no padding, PyTorch's default "
               "`ceil_mode=False`). What is the output's height?",
        answer=3,
        explanation="⌊(7 − 2)/2⌋ + 1 = 3: the last row and column are in no window and are dropped.",
        wrong="Pooling uses the convolution formula ⌊(H + 2P − F)/S⌋ + 1 with S = F by default.",
        mistakes=(
            Mistake(4, "That is `ceil_mode=True`, which keeps a partial last window; the default floors."),
            Mistake(3.5, "Floor the division: windows come in whole numbers."),
        ),
    ),
    Numeric(
        id="ch05-no-params",
        prompt="How many learnable parameters does a 2 × 2 max-pooling layer on 64 channels have?",
        answer=0,
        explanation="Pooling applies a fixed rule (max, mean, or root of the sum of squares) to each "
                    "window of each channel; there is nothing to learn.",
        wrong="What in a max-pooling layer could training change?",
        mistakes=(
            Mistake(4, "A pooling window has no weights: the max is a fixed rule."),
            Mistake(256, "There is no 2 × 2 filter per channel: pooling has no weights at all."),
            Mistake(64, "No bias per channel either: pooling has no parameters."),
        ),
    ),
    Choice(
        id="ch05-depth",
        prompt="2 × 2 max pooling with stride 2 on a batch of shape (N, 64, 32, 32) gives:",
        options=(
            Option("(N, 64, 16, 16)", True,
                   "Pooling works on each channel separately: the depth stays 64, each map halves."),
            Option("(N, 16, 16, 16)", False,
                   "Pooling does not pool over channels; only height and width shrink."),
            Option("(N, 64, 31, 31)", False,
                   "That would be stride 1; with stride 2 the windows do not overlap and the map halves."),
        ),
        explanation="Pooling is channel by channel: depth unchanged, no parameters.",
    ),
    Numeric(
        id="ch05-avg-value",
        prompt="2 × 2 average pooling, stride 2, on the 4 × 4 map [[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 2, 2], "
               "[3, 1, 0, 4]]. What is the top-left output?",
        answer=2.5,
        tolerance=0.001,
        explanation="The top-left window is [[1, 3], [4, 2]]; its mean is 10/4 = 2.5.",
        wrong="Average the four numbers of the top-left 2 × 2 window.",
        mistakes=(
            Mistake(4, "That is the maximum: max pooling, not average pooling."),
            Mistake(10, "That is the sum; average pooling divides it by the window's 4 pixels."),
        ),
    ),
    Numeric(
        id="ch05-gap-gradient",
        prompt="Global average pooling of one 7 × 7 map; the gradient arriving at its output is 1. What "
               "gradient does each of the 49 pixels receive?",
        answer=1 / 49,
        tolerance=0.0005,
        explanation="The output is the mean of 49 pixels, so each pixel's derivative is 1/49 ≈ 0.0204: "
                    "dout/(HW), spread evenly.",
        wrong="The output is a mean: how much does it change when one of its 49 pixels changes by 1?",
        mistakes=(
            Mistake(1, "Each pixel contributes only 1/49 of the mean; the gradient is divided, not copied."),
            Mistake(0, "Unlike max pooling, every pixel contributes to the mean, so every pixel gets a gradient."),
        ),
    ),
    Choice(
        id="ch05-invariance",
        prompt="What does 2 × 2 max pooling do to a network's response to a one-pixel shift of the input?",
        options=(
            Option("It makes the shift matter less, but the output still changes", True,
                   "Inside a window the maximum often stays put; across window borders it moves. "
                   "The book measures about 0.54 instead of 0.82 relative change."),
            Option("It makes the output exactly shift invariant", False,
                   "A 2 × 2 window gives only partial invariance. Exact invariance needs global pooling of a "
                   "stride-1 convolution's map, and only while the pattern stays inside the frame."),
            Option("Nothing: pooling and shifts are unrelated", False,
                   "Keeping only the maximum of each window forgets where in the window it was, which "
                   "is what makes small shifts matter less."),
        ),
        explanation="Max pooling throws away the exact position inside each window: some invariance to "
                    "small shifts, at the price of precise positions.",
    ),
    Choice(
        id="ch05-strided-conv",
        prompt="Which of these is a convolution with fixed weights?",
        options=(
            Option("2 × 2 average pooling with stride 2", True,
                   "It is a stride-2 convolution of each channel with the filter of four 1/4s."),
            Option("2 × 2 max pooling with stride 2", False,
                   "The maximum is not a weighted sum of the window: max pooling is not a convolution."),
            Option("Neither", False,
                   "Averaging is a weighted sum with equal weights 1/F², so average pooling is one."),
        ),
        explanation="A stride-2 convolution halves the map like pooling and learns what to keep; "
                    "average pooling is the special case with fixed weights, max pooling is not linear.",
    ),
)
