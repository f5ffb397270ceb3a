"""Quiz of chapter 1 (pixels): layouts, indexing, uint8 arithmetic, light, memory of a batch."""

from . import Choice, Mistake, Numeric, Option

TITLE = "How computers see images"

QUESTIONS = (
    Choice(
        id="ch01-index",
        prompt="A grey image is the array `img`. Which pixel is `img[2, 5]`?",
        options=(
            Option("Row 2 from the top, column 5 from the left", True,
                   "Arrays index rows first, counted from the top, then columns from the left."),
            Option("x = 2, y = 5, measured from the bottom-left corner", False,
                   "That is the convention of a graph, not of an array: the first index is the row, "
                   "and rows are counted from the top."),
            Option("Column 2 from the left, row 5 from the top", False,
                   "The order is swapped: the first index is the row, the second the column."),
        ),
        explanation="`img[i, j]` is row i from the top and column j from the left, as in a matrix; "
                    "a shape (H, W) means H rows of W pixels.",
    ),
    Choice(
        id="ch01-uint8-wrap",
        prompt="`a = np.array([200], dtype=np.uint8)`. What is `a + a` (no conversion first)?",
        options=(
            Option("`array([144], dtype=uint8)`", True,
                   "400 does not fit in 8 bits, so uint8 arithmetic wraps around: 400 − 256 = 144."),
            Option("`array([400])`", False,
                   "NumPy keeps the uint8 type of the operands, and 400 does not fit in it."),
            Option("`array([255], dtype=uint8)`", False,
                   "uint8 arithmetic does not saturate at 255; it wraps around modulo 256."),
            Option("An OverflowError", False,
                   "Array arithmetic wraps around silently; it raises nothing."),
        ),
        explanation="Never do arithmetic in uint8: convert to float first (`img / 255` or "
                    "`img.astype(np.float32) / 255`), as the networks of this book do.",
    ),
    Choice(
        id="ch01-layout",
        prompt="A colour photo loads as `img` with shape (H, W, 3). Which expression gives the book's "
               "(3, H, W) layout, one whole colour plane per channel?",
        options=(
            Option("`np.transpose(img, (2, 0, 1))`", True,
                   "The transpose moves the channel axis first and keeps every pixel's three numbers "
                   "together with their own row and column."),
            Option("`img.reshape(3, H, W)`", False,
                   "A reshape keeps the numbers in memory order, R G B R G B …, so each new 'plane' "
                   "mixes the three colours: the shape is right, the image is scrambled."),
            Option("`img.T`", False,
                   "`.T` reverses every axis: (3, W, H), with rows and columns swapped."),
        ),
        explanation="Files store colour interleaved, (H, W, 3); PyTorch and this book use planar "
                    "(C, H, W). Change the order of axes with a transpose, never with a reshape.",
    ),
    Choice(
        id="ch01-srgb",
        prompt="In an 8-bit sRGB image, how much light does the mid-grey value 128 give, compared "
               "with white (255)?",
        options=(
            Option("About a fifth", True,
                   "sRGB spends more codes on dark tones: ((128/255 + 0.055)/1.055)^2.4 ≈ 0.22."),
            Option("Half", False,
                   "That would be true if the codes were proportional to light; sRGB values are not."),
            Option("About four fifths", False,
                   "The curve goes the other way: mid codes give less light than proportion, not more."),
        ),
        explanation="8-bit values are not proportional to light: the encoding is a power curve, so "
                    "128 emits about 22% of white's light. 0 is no light: black.",
    ),
    Numeric(
        id="ch01-to-float",
        prompt="A uint8 pixel has the value 51. What float does the book's conversion to [0, 1] give?",
        answer=0.2,
        tolerance=0.001,
        explanation="Divide by 255, the largest uint8 value: 51 / 255 = 0.2. Use true division "
                    "(`/`) on floats, not floor division.",
        wrong="Map 0 to 0.0 and 255 to 1.0: divide by 255.",
        mistakes=(
            Mistake(0, "That is floor division, `51 // 255`: it throws away everything but 0. Use `/`."),
            Mistake(51, "The value has not been scaled: networks want floats in [0, 1], so divide by 255."),
        ),
    ),
    Numeric(
        id="ch01-batch-bytes",
        prompt="How many bytes does a float32 batch of shape (N, C, H, W) = (32, 3, 64, 64) take?",
        answer=1572864,
        explanation="N·C·H·W = 32·3·64·64 = 393 216 numbers, 4 bytes each for float32: 1 572 864 bytes "
                    "(1.5 MiB). NumPy's `.nbytes` says the same.",
        wrong="Count the numbers, N·C·H·W, then multiply by the bytes per number (4 for float32).",
        mistakes=(
            Mistake(393216, "That is the count of numbers (one byte each would be uint8); a float32 "
                            "takes 4 bytes."),
            Mistake(3145728, "That is 8 bytes per number: float64, NumPy's default, not float32."),
            Mistake(524288, "You left out the 3 colour channels."),
        ),
    ),
)
