"""Quiz of chapter 9 (backpropagation through pooling and ReLU)."""

from . import Choice, Mistake, Numeric, Option

TITLE = "Backpropagation through pooling and ReLU"

QUESTIONS = (
    Choice(
        id="ch09-maxpool-routes",
        prompt="In the backward pass of 2 × 2 max pooling, where does the gradient of one window go?",
        options=(
            Option("All of it to the pixel that was the maximum; the other three get 0", True,
                   "The output equals that one pixel, so only it has derivative 1."),
            Option("A quarter to each pixel of the window", False,
                   "That is average pooling's backward. Max pooling routes, it does not spread."),
            Option("To every pixel, weighted by its value", False,
                   "The max does not depend on the other pixels (away from ties): their derivative is 0."),
        ),
        explanation="Max pooling routes each window's gradient to its argmax; average pooling spreads δ/|w| "
                    "over the window.",
    ),
    Numeric(
        id="ch09-maxpool-value",
        prompt="2 × 2 max pooling of the window [[1, 3], [2, 0]]; the upstream gradient is 5. What gradient "
               "does the pixel holding 3 receive?",
        answer=5,
        explanation="3 is the maximum, so the whole gradient, 5, goes to it; 1, 2 and 0 receive 0.",
        wrong="The output is the value of one pixel of the window: which one, and what is its derivative?",
        mistakes=(
            Mistake(1.25, "That spreads 5 over the four pixels, as average pooling does."),
            Mistake(15, "Routing passes δ on unchanged; it is not multiplied by the pixel's value."),
            Mistake(0, "The pixel holding 3 is the maximum: it receives the gradient."),
        ),
    ),
    Choice(
        id="ch09-ties",
        prompt="A window of max pooling holds [[4, 4], [1, 0]] (a tie). Where do `cnnbook` and PyTorch "
               "send its gradient?",
        options=(
            Option("All of it to the first maximum in row-major order, the top-left 4", True,
                   "As `np.argmax` does; any split summing to 1 is a valid subgradient, this one is the convention."),
            Option("All of it to both 4s", False,
                   "That doubles the gradient: the shares of a subgradient must add up to 1."),
            Option("Half to each 4", False,
                   "A valid subgradient (and what finite differences see), but not the convention of "
                   "PyTorch and `cnnbook`."),
        ),
        explanation="At a tie the max has no derivative; check gradients away from ties, where finite "
                    "differences and the convention must agree.",
    ),
    Numeric(
        id="ch09-overlap",
        prompt="3 × 3 max pooling with stride 2 on a 5 × 5 map whose centre pixel is by far the largest; "
               "every upstream gradient is 1. What gradient does the centre pixel receive?",
        answer=4,
        explanation="The windows start at 0 and 2 along each axis: 2 × 2 = 4 windows, all containing the "
                    "centre, which is the maximum of each. It receives the sum, 4.",
        wrong="Count the windows that contain the centre pixel; each routes its gradient of 1 to it.",
        mistakes=(
            Mistake(1, "That keeps one window's gradient, as `dx[...] = dout[...]` does. Overlapping windows "
                       "accumulate: `+=`."),
            Mistake(9, "The output is 2 × 2: there are 4 windows, not 9."),
        ),
    ),
    Numeric(
        id="ch09-avg",
        prompt="2 × 2 average pooling, stride 2; one window's upstream gradient is 8. What does each of its "
               "four pixels receive?",
        answer=2,
        explanation="The output is the mean of 4 pixels, so each pixel's derivative is 1/4: 8/4 = 2.",
        wrong="The output is (a + b + c + d)/4: what is its derivative with respect to one pixel?",
        mistakes=(
            Mistake(8, "Each pixel contributes a quarter of the mean: divide by the window size."),
            Mistake(32, "The gradient is divided by the window size, not multiplied."),
        ),
    ),
    Choice(
        id="ch09-relu",
        prompt="ReLU on x = (−1, 0, 2) with upstream gradient (3, 3, 3). What is ∂L/∂x in `cnnbook` and PyTorch?",
        options=(
            Option("(0, 0, 3)", True,
                   "The gate 𝟙[x > 0] is closed at exactly 0: by convention the gradient there is 0."),
            Option("(0, 3, 3)", False,
                   "That uses x ≥ 0. At x = 0 any value in [0, 1] is a subgradient; the convention is 0."),
            Option("(−3, 0, 3)", False,
                   "The gate multiplies by 0 or 1, never by the sign of x."),
            Option("(0, 0, 6)", False,
                   "The gradient passes unchanged where x > 0; it is not multiplied by x."),
        ),
        explanation="∂L/∂x = ∂L/∂y · 𝟙[x > 0], a gate set by the forward pass's input (not by dout). "
                    "A unit that is never positive never learns.",
    ),
    Numeric(
        id="ch09-l2",
        prompt="L2 pooling of the window (3, 4): y = √(3² + 4²) = 5. What is ∂y/∂x for the pixel holding 4?",
        answer=0.8,
        tolerance=0.001,
        explanation="∂y/∂x_i = x_i/y = 4/5 = 0.8.",
        wrong="Differentiate √(Σ x_j²) with respect to one x_i.",
        mistakes=(
            Mistake(8, "That is the derivative of the sum of squares, 2x_i; the root divides it by 2y."),
            Mistake(0.5, "The shares are not equal: ∂y/∂x_i = x_i/y."),
        ),
    ),
)
