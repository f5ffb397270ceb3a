"""Quiz of chapter 2 (from fully connected networks to CNNs)."""

from . import Choice, Mistake, Numeric, Option

TITLE = "From fully connected networks to CNNs"

QUESTIONS = (
    Numeric(
        id="ch02-dense-params",
        prompt="A dense layer maps a 224 × 224 × 3 photo, unrolled into a vector, to 1000 units. "
               "How many parameters does it have?",
        answer=150529000,
        explanation="n_in·n_out + n_out = 150 528·1000 + 1000 = 150 529 000: one weight per input "
                    "number per unit, and one bias per unit.",
        wrong="Count one weight per input number per unit (n_in·n_out), plus one bias per unit.",
        mistakes=(
            Mistake(150528000, "Right weights, but the 1000 biases are missing."),
            Mistake(50177000, "You left out the 3 colour channels: n_in is 224·224·3 = 150 528."),
        ),
    ),
    Numeric(
        id="ch02-conv-params",
        prompt="Six 5 × 5 filters on a 32 × 32 × 3 image (stride 1, no padding) give 4704 outputs. "
               "How many parameters does this convolutional layer have?",
        answer=456,
        explanation="Each filter spans all 3 channels: 5·5·3 = 75 weights and one bias, 76 per filter, "
                    "456 for six, whatever the size of the image.",
        wrong="Count the weights of one filter (it spans every input channel), add its bias, and "
              "multiply by the number of filters.",
        mistakes=(
            Mistake(450, "The six biases are missing."),
            Mistake(156, "A filter spans all 3 input channels: 5·5·3 weights, not 5·5."),
            Mistake(4704, "That is the number of outputs; the parameters are shared by every position."),
        ),
    ),
    Choice(
        id="ch02-scramble",
        prompt="Every training and test image is scrambled with the same fixed permutation of its pixels. "
               "What happens to a fully connected network trained on them?",
        options=(
            Option("It learns exactly as well as on the unscrambled images", True,
                   "A dense layer has one weight per pixel and no notion of neighbours; permuting the "
                   "inputs only permutes its weights. Started from the same weights, permuted alike, it "
                   "trains identically."),
            Option("It fails, because the digits no longer look like digits", False,
                   "That is how we see the images; the network never used the arrangement of the pixels."),
            Option("It learns, but more slowly", False,
                   "The training is the same up to a relabelling of the weights: identical, not slower."),
        ),
        explanation="An MLP ignores which pixels are neighbours. A CNN would suffer from the scrambling, "
                    "because local receptive fields assume that nearby pixels belong together.",
    ),
    Choice(
        id="ch02-shift-mlp",
        prompt="An MLP trained only on centred digits fails on digits moved by a few pixels. Why?",
        options=(
            Option("Its weights are tied to positions, and the weights of pixels that were never "
                   "inked in training never learned anything", True,
                   "The gradient of a weight is proportional to its input; a pixel that was always 0 "
                   "leaves its weights at their initial values."),
            Option("A dense layer is translation invariant, but the softmax is not", False,
                   "Neither is invariant: every weight of a dense layer belongs to one position."),
            Option("It cannot represent shifted digits at all", False,
                   "It can, but only by seeing digits at every position during training."),
        ),
        explanation="Convolution shares one filter over all positions, so what it learns at one place "
                    "applies everywhere; a dense layer must learn each position separately.",
    ),
    Choice(
        id="ch02-equivariance",
        prompt="Away from the borders, what does shifting the input of a stride-1 convolution by one pixel do "
               "to its output?",
        options=(
            Option("The output shifts by one pixel too (equivariance)", True,
                   "f(Tx) = T f(x): the same filter meets the same pixels one position later."),
            Option("Nothing: the output stays the same (invariance)", False,
                   "That is invariance, f(Tx) = f(x). Convolution is equivariant; invariance comes from "
                   "pooling (partly) and from training data."),
            Option("Something unpredictable", False,
                   "Weight sharing makes the change exactly predictable: the map moves with the input."),
        ),
        explanation="Convolution is translation equivariant, away from the borders and for shifts that "
                    "are multiples of the stride.",
    ),
    Choice(
        id="ch02-stride-shift",
        prompt="A stride-2 convolution; the input moves by one pixel. Is the output the old output, shifted?",
        options=(
            Option("Not in general: equivariance holds for shifts that are multiples of the stride", True,
                   "With stride 2 the windows start at even positions; a one-pixel shift puts the "
                   "pattern between two of them."),
            Option("Yes, by one pixel", False,
                   "The output grid is twice as coarse as the input: there is no 'one input pixel' "
                   "shift of the output."),
            Option("Yes, by half a pixel", False,
                   "Outputs only exist at whole positions; a half-pixel shift of a map is not an output "
                   "the layer can produce."),
        ),
        explanation="Stride (and pooling) sample the map; only shifts by whole multiples of the stride "
                    "move the output by whole positions.",
    ),
)
