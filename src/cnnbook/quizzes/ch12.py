"""Quiz of chapter 12 (beyond image classification)."""

from . import Choice, Mistake, Numeric, Option

TITLE = "Beyond image classification"

QUESTIONS = (
    Numeric(
        id="ch12-transpose-size",
        prompt="A transposed convolution: input height 4, kernel height 3, stride 2, padding 1, output_padding 1, "
               "dilation 1. What is the output height?",
        answer=8,
        explanation="(H − 1)S − 2P + D(K_H − 1) + output_padding + 1 = 3·2 − 2 + 2 + 1 + 1 = 8.",
        wrong="Use (H − 1)S − 2P + D(K_H − 1) + output_padding + 1.",
        mistakes=(
            Mistake(7, "output_padding adds one row at the end: it picks 8 among the sizes that the "
                       "forward floor maps to 4."),
            Mistake(2, "That is the forward convolution's formula; a transposed convolution goes the other way."),
            Mistake(12, "Padding removes 2P here (it crops the result): −2P, not +2P."),
        ),
    ),
    Choice(
        id="ch12-fc-as-conv",
        prompt="A Linear layer reads a flattened C × 5 × 5 map and has K outputs. Which layer computes the same "
               "numbers and slides over a larger image?",
        options=(
            Option("A 5 × 5 convolution with K filters, the weights reshaped to (K, C, 5, 5)", True,
                   "On a C × 5 × 5 input it gives K × 1 × 1, the Linear layer's outputs; on a larger image, one "
                   "classification per window."),
            Option("A 1 × 1 convolution with K filters", False,
                   "A 1 × 1 filter sees one position; the Linear layer sees the whole 5 × 5 map."),
            Option("None: a Linear layer needs a fixed input size", False,
                   "Reshaped into a convolution, the same weights run on any size of input."),
        ),
        explanation="Converted to convolutions, a classifier becomes fully convolutional: it runs on every window "
                    "of a larger image in one pass and shares the overlapping work.",
    ),
    Choice(
        id="ch12-transpose-inverse",
        prompt="Is a transposed convolution the inverse of the convolution with the same weights?",
        options=(
            Option("No: it multiplies by Mᵀ, and equals the convolution's input gradient", True,
                   "It restores the shape, not the values; Mᵀ is the inverse only for special M."),
            Option("Yes: it undoes the convolution", False,
                   "It undoes the shape change. M is usually not invertible (it shrinks the map), and Mᵀ is not M⁻¹."),
            Option("Yes, when output_padding is chosen right", False,
                   "output_padding only picks the output size among the sizes the floor merged."),
        ),
        explanation="Transposed convolution = multiplication by Mᵀ = the backward pass of the convolution with "
                    "respect to its input.",
    ),
    Numeric(
        id="ch12-box-iou",
        prompt="Two boxes (row, col, height, width): (0, 0, 4, 4) and (2, 2, 4, 4). What is their intersection "
               "over union? (3 decimals)",
        answer=1 / 7,
        tolerance=0.001,
        explanation="They overlap in a 2 × 2 square: 4 pixels. The union is 16 + 16 − 4 = 28, and 4/28 ≈ 0.143.",
        wrong="Divide the area of the overlap by the area covered by either box.",
        mistakes=(
            Mistake(0.125, "That divides by 16 + 16 = 32; the overlap would be counted twice. Union = 32 − 4 = 28."),
            Mistake(0.25, "That divides by one box's area; IoU divides by the union."),
        ),
    ),
    Choice(
        id="ch12-iou-vs-accuracy",
        prompt="A segmenter labels every pixel of mostly empty pages 'background' and scores 95% pixel accuracy. "
               "Why does the book score segmentations by per-class IoU instead?",
        options=(
            Option("IoU of each class is not flattered by a large background: here the digit classes score 0", True,
                   "Pixel accuracy rewards the majority class; the IoU of a class that is never found is 0."),
            Option("IoU is easier to compute", False,
                   "It is about as easy; the reason is what it measures."),
            Option("Pixel accuracy cannot be computed for more than two classes", False,
                   "It can; it just counts every correct pixel alike, which favours the background."),
        ),
        explanation="Report the IoU of each class (and their mean), not only pixel accuracy.",
    ),
    Numeric(
        id="ch12-dilated-rf",
        prompt="Three 3 × 3 convolutions with dilations 1, 2 and 4, stride 1. How wide is the receptive field "
               "of one unit of the third layer?",
        answer=15,
        explanation="Each layer adds D(F − 1): 1 + 2 + 4 + 8 = 15, growing exponentially with linearly many weights.",
        wrong="Start at 1 and add D(F − 1) per layer.",
        mistakes=(
            Mistake(7, "That ignores the dilations: a dilated 3 × 3 layer adds 2D, not 2."),
            Mistake(17, "The spans 3, 5 and 9 share one pixel at each step: each layer adds D(F − 1), "
                        "not D(F − 1) + 1."),
        ),
    ),
    Choice(
        id="ch12-checkerboard",
        prompt="When does a transposed convolution overlap unevenly and print a checkerboard?",
        options=(
            Option("When the kernel size is not divisible by the stride", True,
                   "Some output pixels then receive more kernel taps than their neighbours, e.g. kernel 3, stride 2."),
            Option("Whenever the stride is larger than 1", False,
                   "Kernel 4 with stride 2 overlaps evenly; it is the divisibility that matters."),
            Option("Only with padding", False,
                   "Padding crops the border; the uneven overlap comes from kernel size and stride."),
        ),
        explanation="A divisible kernel evens out the overlap, though a learned kernel can still produce a "
                    "checkerboard; resize-then-convolve avoids it.",
    ),
)
