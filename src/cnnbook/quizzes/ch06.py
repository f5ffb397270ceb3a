"""Quiz of chapter 6 (ConvNet architectures)."""

from . import Choice, Mistake, Numeric, Option

TITLE = "ConvNet architectures"

QUESTIONS = (
    Numeric(
        id="ch06-conv-params",
        prompt="A 3 × 3 convolution from C = 64 to K = 128 channels. How many parameters?",
        answer=73856,
        explanation="K·C·K_H·K_W + K = 128·64·9 + 128 = 73 856, the same for any image size.",
        wrong="Each of the K filters has C·K_H·K_W weights and one bias.",
        mistakes=(
            Mistake(73728, "The 128 biases are missing."),
            Mistake(1280, "Each filter spans all 64 input channels: 3·3·64 weights, not 3·3."),
            Mistake(73792, "One bias per output channel (128), not per input channel (64)."),
        ),
    ),
    Numeric(
        id="ch06-macs",
        prompt="A 3 × 3 convolution from C = 32 to K = 64 channels with a 32 × 32 output. How many "
               "multiply-adds (biases aside)?",
        answer=18874368,
        explanation="H_out·W_out·K·C·K_H·K_W = 32·32·64·32·9 = 18 874 368: every output number is a "
                    "C·K_H·K_W-term dot product.",
        wrong="Count the outputs (H_out·W_out·K) and multiply by the length of each dot product (C·K_H·K_W).",
        mistakes=(
            Mistake(18432, "That is the number of weights; each weight is used at every output position."),
            Mistake(589824, "That forgets the input channels: each dot product has C·K_H·K_W = 288 terms."),
        ),
    ),
    Numeric(
        id="ch06-lenet-flatten",
        prompt="LeNet-5 on a 32 × 32 × 1 image: 5 × 5 conv (6 filters), 2 × 2 pool, 5 × 5 conv (16 filters), "
               "2 × 2 pool, all without padding. How many numbers does the flatten produce?",
        answer=400,
        explanation="32 → 28 → 14 → 10 → 5, with 16 channels: 16·5·5 = 400 inputs to the first dense layer.",
        wrong="Trace the height: each 5 × 5 conv removes 4, each 2 × 2 pool halves; then multiply by "
              "the channels.",
        mistakes=(
            Mistake(25, "That is one channel's 5 × 5 map; there are 16 channels."),
            Mistake(1024, "Without padding each 5 × 5 convolution shrinks the map by 4: the map is 5 × 5, not 8 × 8."),
            Mistake(576, "The second convolution has no padding either: 14 → 10, not 14 → 12."),
        ),
    ),
    Choice(
        id="ch06-where-params",
        prompt="In a classic network such as LeNet-5 or VGG-16, where are most of the parameters, and where "
               "is most of the compute?",
        options=(
            Option("Parameters in the first dense layer; compute in the convolutional layers", True,
                   "A dense layer has a weight per input per unit but runs once; a conv layer has few "
                   "weights, each used at every position."),
            Option("Both in the convolutional layers", False,
                   "Conv weights are few and shared; the first dense layer on a flattened map holds most "
                   "of the parameters."),
            Option("Both in the dense layers", False,
                   "Dense layers run once per image; nearly all multiply-adds are in the conv layers."),
        ),
        explanation="Conv layers: few parameters, much compute (weights reused at every position). "
                    "Dense layers: many parameters, little compute.",
    ),
    Choice(
        id="ch06-odd-kernels",
        prompt="Why are convolution kernels almost always odd-sized (3 × 3, 5 × 5)?",
        options=(
            Option("They have a centre pixel, so 'same' padding P = (F − 1)/2 is symmetric", True,
                   "An even kernel needs one extra row and column on one side to keep the size."),
            Option("Even kernels cannot be trained", False,
                   "They can; they are just awkward to pad and to centre."),
            Option("Odd sizes are faster on GPUs", False,
                   "Speed is not the reason; the centre and the symmetric padding are."),
        ),
        explanation="Odd kernels allow P = (F − 1)/2 on every side, which keeps the size and lets border "
                    "pixels feed more outputs; without padding (P = 0) every layer shrinks the map by F − 1.",
    ),
    Choice(
        id="ch06-halve-double",
        prompt="From one stage to the next, the map halves in height and width and the channels double. "
               "What happens to the multiply-adds of a 3 × 3 conv layer?",
        options=(
            Option("They stay the same", True,
                   "H·W shrinks by 4 while K·C grows by 4: the product H_out·W_out·K·C·9 is unchanged."),
            Option("They halve", False,
                   "Both K and C double, so the channel product grows by 4, balancing the 4 times smaller map."),
            Option("They double", False,
                   "The map has four times fewer positions, which exactly cancels the four times longer work per position."),
        ),
        explanation="Halving the size while doubling the channels keeps the cost per layer constant; "
                    "that is why VGG and ResNet do it.",
    ),
    Choice(
        id="ch06-1x1",
        prompt="What does a 1 × 1 convolution do?",
        options=(
            Option("Mixes the channels at each pixel, with C·K + K parameters", True,
                   "It is a dense layer applied to the C-vector of every pixel."),
            Option("Nothing: it multiplies each pixel by one number", False,
                   "It has a C-long filter per output channel: each output is a weighted sum over all channels."),
            Option("Blurs the map", False,
                   "A 1 × 1 window sees one position; it has no spatial extent to blur with."),
        ),
        explanation="1 × 1 convolutions change the number of channels cheaply, as in bottleneck blocks.",
    ),
)
