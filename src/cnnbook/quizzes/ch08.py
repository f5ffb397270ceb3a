"""Quiz of chapter 8 (backpropagation through a convolutional layer)."""

from . import Choice, Mistake, Numeric, Option

TITLE = "Backpropagation through a convolutional layer"

QUESTIONS = (
    Choice(
        id="ch08-dw",
        prompt="The forward pass is O = X ⋆ F (cross-correlation), δ = ∂L/∂O. What is ∂L/∂F?",
        options=(
            Option("X ⋆ δ: the input cross-correlated with the upstream gradient, no rotation", True,
                   "∂L/∂F_ab = Σ_ij δ_ij X_(i+a)(j+b): slide δ over X like a filter."),
            Option("X ⋆ rot180(δ)", False,
                   "There is no rotation in the weight gradient: weight (a, b) always meets X_(i+a)(j+b)."),
            Option("pad(δ) ⋆ rot180(F)", False,
                   "That is the input gradient ∂L/∂X, the full convolution with the rotated filter."),
        ),
        explanation="Weights: X ⋆ δ, summed over the batch. Input: pad(δ) ⋆ rot180(F). Bias: Σ δ.",
    ),
    Choice(
        id="ch08-dx",
        prompt="How does the book compute ∂L/∂X of a stride-1, unpadded convolution?",
        options=(
            Option("Pad δ with K_H − 1 rows and K_W − 1 columns of zeros on every side and cross-correlate it "
                   "with the filter rotated by 180°", True,
                   "A full convolution: each pixel collects δ·F from every output whose window covers it."),
            Option("Cross-correlate δ with the filter as it is, without padding", False,
                   "That gives an array smaller than X, and the taps meet the wrong weights: the filter "
                   "must be rotated."),
            Option("Divide δ by the filter", False,
                   "Backpropagation multiplies by the local derivative (the weights), it never divides."),
        ),
        explanation="Scatter (each output sends δ·F to its window) and gather (each pixel collects with the "
                    "rotated filter) compute the same sum; it is also the transposed convolution of δ.",
    ),
    Numeric(
        id="ch08-db",
        prompt="A conv layer with one filter; δ = ∂L/∂O has shape (N, K, H_out, W_out) = (2, 1, 3, 3) and "
               "every entry 1. What is ∂L/∂b?",
        answer=18,
        explanation="The bias is added to every output of its filter, in every image: ∂L/∂b_k = Σ_(n,i,j) δ "
                    "= 2·3·3 = 18.",
        wrong="The bias takes part in every output of its filter: sum δ over the batch and every position.",
        mistakes=(
            Mistake(9, "That sums over one image; the bias is shared by the whole batch too."),
            Mistake(1, "That is a mean. The gradient of a shared parameter is a sum over every place it is used."),
        ),
    ),
    Numeric(
        id="ch08-corner-terms",
        prompt="A 3 × 3 filter, stride 1, no padding, on a 5 × 5 input. How many gradient terms does the "
               "top-left corner pixel receive?",
        answer=1,
        explanation="Only the first window covers the corner, so it feeds one output and receives one "
                    "term. The centre pixel receives 9. (Fewer terms, not necessarily a smaller gradient.)",
        wrong="Count the window positions whose 3 × 3 window contains the corner pixel.",
        mistakes=(
            Mistake(9, "That is an interior pixel, covered by K_H·K_W = 9 windows; the corner is in one."),
            Mistake(4, "Count again: a window contains pixel (0, 0) only if it starts at (0, 0)."),
        ),
    ),
    Numeric(
        id="ch08-dw-1d",
        prompt="1-D: x = (1, 2, 3, 4), filter w = (w0, w1), stride 1, so o_i = w0·x_i + w1·x_(i+1). With "
               "δ = (1, 1, 1), what is ∂L/∂w0?",
        answer=6,
        explanation="∂L/∂w0 = Σ_i δ_i x_i = 1 + 2 + 3 = 6: the input cross-correlated with δ.",
        wrong="w0 multiplies x_i in output o_i: add δ_i·x_i over the three outputs.",
        mistakes=(
            Mistake(9, "That is ∂L/∂w1 = x_1 + x_2 + x_3; w0 meets x_0, x_1, x_2."),
            Mistake(10, "Only three outputs exist; x_3 never meets w0."),
        ),
    ),
    Choice(
        id="ch08-stride",
        prompt="How does the backward pass handle a stride S > 1?",
        options=(
            Option("Insert S − 1 zeros between the entries of δ, then proceed as at stride 1", True,
                   "The dilated δ has an entry for every position a stride-1 layer would have computed; "
                   "the skipped ones contribute zero."),
            Option("Divide the gradient by S", False,
                   "Nothing is averaged; the outputs that stride skipped simply do not exist."),
            Option("Subsample the input gradient with stride S", False,
                   "Every input pixel still needs its gradient; it is δ that is spread out, not ∂L/∂X "
                   "that is thinned."),
        ),
        explanation="Stride dilates δ with S − 1 zeros; when the floor dropped r rows, the input gradient "
                    "gets r zero rows back. Padding crops the input gradient.",
    ),
    Choice(
        id="ch08-sums",
        prompt="With N images, C input channels and K filters: what does ∂L/∂X sum over, and ∂L/∂w?",
        options=(
            Option("∂L/∂X sums over the K filters; ∂L/∂w over the batch and the positions", True,
                   "Every input channel feeds all K filters; every weight is used in every image at every position."),
            Option("∂L/∂X sums over the batch; ∂L/∂w over the filters", False,
                   "Each image has its own input gradient, and each filter its own weight gradient."),
            Option("Both sum over the channels C", False,
                   "C is kept in both: ∂L/∂X has shape (N, C, H, W), ∂L/∂w (K, C, K_H, K_W)."),
        ),
        explanation="Channels and filters swap roles between the two gradients; the shapes tell you which axes are summed.",
    ),
)
