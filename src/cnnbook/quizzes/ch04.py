"""Quiz of chapter 4 (output size, padding, stride, dilation, receptive fields)."""

from . import Choice, Mistake, Numeric, Option

TITLE = "Output size, padding, stride and receptive fields"

QUESTIONS = (
    Numeric(
        id="ch04-floor",
        prompt="An 8-pixel axis, a 3-pixel kernel, stride 2, no padding. How many outputs along this axis?",
        answer=3,
        explanation="(8 − 3)/2 + 1 = 3.5, and the formula floors: 3. Windows start at 0, 2 and 4; one "
                    "starting at 6 would need pixels 6, 7 and 8, and pixel 8 does not exist.",
        wrong="Use n_out = ⌊(n + 2P − F)/S⌋ + 1 and count the window positions to check.",
        mistakes=(
            Mistake(4, "That rounds up. A window that would run past the border is dropped: the formula floors."),
            Mistake(3.5, "The count of windows is a whole number: floor (n + 2P − F)/S before adding 1."),
            Mistake(2, "Off by one: the first window, at position 0, counts too (+1)."),
        ),
    ),
    Choice(
        id="ch04-dropped",
        prompt="With 8 pixels, a 3-pixel kernel and stride 2, the floor leaves pixel 7 after the last window. "
               "What happens to it?",
        options=(
            Option("No window reads it: it has no effect on the output and gets no gradient", True,
                   "The windows start at 0, 2 and 4 and end at pixel 6; pixel 7 takes part in nothing."),
            Option("The last window is shifted left so that it ends at pixel 7", False,
                   "Windows always start at multiples of the stride; frameworks do not move the last one."),
            Option("It is zero-padded into a fourth, partial window", False,
                   "Only explicit padding adds zeros; without it the partial window is dropped (the floor)."),
        ),
        explanation="When the division is not exact, the last (n + 2P − D(F − 1) − 1) mod S pixels come after "
                    "the last window. Padding, or `conv_output_size(..., strict=True)`, makes the windows fit.",
    ),
    Numeric(
        id="ch04-resnet-stem",
        prompt="A 224 × 224 input, a 7 × 7 kernel, stride 2, padding 3. What is the output's height?",
        answer=112,
        explanation="(224 + 2·3 − 7)/2 + 1 = 111.5 + 1 → ⌊223/2⌋ + 1 = 112.",
        wrong="Use ⌊(n + 2P − F)/S⌋ + 1 with n = 224, F = 7, S = 2, P = 3.",
        mistakes=(
            Mistake(113, "That rounds 111.5 up. The formula floors the division: ⌊223/2⌋ = 111, plus 1."),
            Mistake(109, "Padding is added on both sides: n + 2P, not n."),
            Mistake(112.5, "Floor the division before adding 1: the count of windows is whole."),
        ),
    ),
    Numeric(
        id="ch04-dilation",
        prompt="A 9-pixel axis, a 3-tap kernel with dilation 2, stride 1, no padding. How many outputs?",
        answer=5,
        explanation="The effective kernel spans D(F − 1) + 1 = 5 pixels, so (9 − 5)/1 + 1 = 5.",
        wrong="Replace F by the effective kernel D(F − 1) + 1 in the formula.",
        mistakes=(
            Mistake(7, "That ignores the dilation: the dilated kernel spans 5 pixels, not 3."),
            Mistake(4, "The effective kernel is D(F − 1) + 1 = 5, not D·F = 6."),
        ),
    ),
    Numeric(
        id="ch04-same-padding",
        prompt="Which padding P keeps the size of the map for a 5 × 5 kernel at stride 1?",
        answer=2,
        explanation="'Same' padding is P = (F − 1)/2 = 2: n + 4 − 5 + 1 = n.",
        wrong="Solve n + 2P − F + 1 = n for P.",
        mistakes=(
            Mistake(4, "P is added on each side; 4 on each side would grow the map by 4."),
            Mistake(0, "Without padding a 5 × 5 kernel shrinks the map by 4."),
        ),
    ),
    Numeric(
        id="ch04-receptive-3x3",
        prompt="Three 3 × 3 convolutions, stride 1, stacked. How many input pixels wide is the receptive "
               "field of one unit of the third layer?",
        answer=7,
        explanation="Each layer adds F − 1 = 2 pixels at stride 1: 1 + 2 + 2 + 2 = 7, like one 7 × 7 "
                    "layer but with fewer parameters (27 C² weights instead of 49 C²).",
        wrong="Start at 1 and add (F − 1)·jump for each layer; the jump is 1 at stride 1.",
        mistakes=(
            Mistake(9, "Receptive fields grow by F − 1 per layer, not by F."),
            Mistake(27, "They grow additively, not multiplicatively."),
            Mistake(3, "That is one layer; each further layer widens the view by 2 pixels."),
        ),
    ),
    Numeric(
        id="ch04-receptive-stride",
        prompt="Three 3 × 3 convolutions with strides 1, 2, 1, stacked. How wide is the receptive field "
               "of one unit of the third layer?",
        answer=9,
        explanation="r = 1 + 2·1 = 3, then + 2·1 = 5 (the jump becomes 2 after the stride-2 layer), then "
                    "+ 2·2 = 9.",
        wrong="Add (F − 1)·jump per layer, where the jump is the product of the earlier layers' strides.",
        mistakes=(
            Mistake(7, "That ignores the stride: after a stride-2 layer, neighbouring units are 2 input "
                       "pixels apart, so the next layer adds (F − 1)·2."),
            Mistake(11, "The stride of a layer enlarges the jump of the layers after it, not its own step."),
        ),
    ),
)
