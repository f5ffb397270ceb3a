"""Quiz of chapter 3 (convolution and activation maps)."""

from . import Choice, Mistake, Numeric, Option

TITLE = "Convolution and activation maps"

QUESTIONS = (
    Choice(
        id="ch03-cross-correlation",
        prompt="What does the 'convolution' of deep learning (`cnnbook.conv2d`, PyTorch's `conv2d`) compute "
               "at each position?",
        options=(
            Option("A cross-correlation: the dot product of the filter, as stored, with the patch", True,
                   "No flip: weight (a, b) meets pixel (i + a, j + b)."),
            Option("A true convolution: the filter rotated by 180° first", False,
                   "That is the convolution of signal processing. Deep-learning libraries skip the "
                   "rotation and still call it convolution."),
            Option("The element-wise product of the filter and the patch, without a sum", False,
                   "Each output is one number: the products are summed over the whole window and depth."),
        ),
        explanation="Deep learning's 'convolution' is cross-correlation; true convolution is cross-"
                    "correlation with the kernel rotated by 180°. For learned filters it does not matter "
                    "(training would learn the rotated weights); for copied ones it does.",
    ),
    Numeric(
        id="ch03-by-hand",
        prompt="A 2 × 2 filter [[0, 1], [2, 3]] on the 2 × 2 input [[1, 2], [3, 4]], no padding. "
               "What is the single output of `cnnbook.conv2d` (bias 0)?",
        answer=20,
        explanation="Cross-correlation multiplies matching entries: 1·0 + 2·1 + 3·2 + 4·3 = 20.",
        wrong="Multiply each pixel by the weight at the same place in the window and add the four products.",
        mistakes=(
            Mistake(10, "That is the true convolution: the filter rotated by 180° (1·3 + 2·2 + 3·1 + 4·0). "
                        "`conv2d` does not rotate."),
            Mistake(6, "That is the sum of the weights; each weight multiplies the pixel under it."),
        ),
    ),
    Numeric(
        id="ch03-dot-length",
        prompt="A 5 × 5 filter on a 32 × 32 × 3 image. How many products does one output add up?",
        answer=75,
        explanation="A filter spans the full depth of its input: 5·5·3 = 75 products per output "
                    "(plus the bias).",
        wrong="A filter covers its window in every input channel: count F·F·C.",
        mistakes=(
            Mistake(25, "The filter spans all 3 channels, not one: 5·5·3."),
            Mistake(76, "75 products plus the bias; the bias is added, not multiplied."),
        ),
    ),
    Choice(
        id="ch03-depth",
        prompt="Ten filters of size 5 × 5 × 3 slide over a 32 × 32 × 3 image (stride 1, no padding). "
               "What is the output's shape (H × W × depth)?",
        options=(
            Option("28 × 28 × 10", True,
                   "Each filter gives one 28 × 28 activation map; ten filters give depth 10."),
            Option("28 × 28 × 3", False,
                   "The output depth is the number of filters; each filter sums over all 3 input channels."),
            Option("28 × 28 × 30", False,
                   "A filter does not make one map per input channel: it adds the channels up."),
            Option("32 × 32 × 10", False,
                   "Without padding a 5 × 5 window fits 32 − 5 + 1 = 28 times along each axis."),
        ),
        explanation="K filters of size F × F × C give K maps: depth K, whatever C was.",
    ),
    Choice(
        id="ch03-flip-matters",
        prompt="When does the difference between convolution and cross-correlation matter?",
        options=(
            Option("When you copy a fixed, non-symmetric kernel from a text that uses true convolution", True,
                   "Used with `conv2d` as it is, the copied kernel acts rotated by 180° (an edge "
                   "filter then responds with the opposite sign)."),
            Option("When training a CNN from random weights", False,
                   "Training learns whatever weights work; it would simply learn the rotated filter."),
            Option("For symmetric kernels such as a box blur", False,
                   "A kernel that equals its own 180° rotation gives the same result either way."),
        ),
        explanation="Rotate the kernel by 180° (`w[..., ::-1, ::-1]`) to turn one operation into the other.",
    ),
    Choice(
        id="ch03-im2col",
        prompt="im2col for one image with C = 3 channels, a 3 × 3 filter and a 30 × 30 output: what is the "
               "shape of `cols[n]` in the book's code?",
        options=(
            Option("(27, 900): one column per output position", True,
                   "C·K_H·K_W = 27 rows, H_out·W_out = 900 columns; `w.reshape(K, -1) @ cols[n]` "
                   "then gives K × 900."),
            Option("(900, 9): one row per position, one column per tap", False,
                   "The window spans all 3 channels: 27 numbers per position, not 9; and the book lays each "
                   "window out as a column, not a row."),
            Option("(3, 900)", False,
                   "Each column must hold a whole window of the input, C·K_H·K_W numbers."),
        ),
        explanation="Each column is one window, unrolled over channels and taps; the filters become "
                    "a K × (C·K_H·K_W) matrix, and one matrix product computes every output.",
    ),
)
