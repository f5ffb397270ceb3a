"""Small images and data sets used throughout the book, all available offline.

* :func:`eight` -- the 18 x 18 grid of grey levels of a handwritten "8" that
  opens the book (typed in as numbers, so it needs no file).
* :func:`load_digits` -- scikit-learn's bundled 8 x 8 handwritten digits
  (1797 images), rescaled to [0, 1] and laid out as ``(N, 1, 8, 8)``.
* :func:`photo` -- scikit-image's bundled test photographs.
* :func:`shift` -- move images by whole pixels with zero fill, to test
  translation (in)variance.
* :func:`digit_pages` -- pages of digits with a class per pixel, for segmentation.

scikit-learn and scikit-image are imported inside the functions that need them,
so ``import cnnbook`` stays light.
"""

import importlib.util
from pathlib import Path

import numpy as np

from ._validate import is_int
from ._validate import check_rng as _check_rng

__all__ = [
    "PHOTOS",
    "eight",
    "load_digits",
    "train_test_split",
    "train_test_split_digits",
    "standardize",
    "photo",
    "shift",
    "off_centre",
    "digit_pages",
]

#: Names accepted by :func:`photo` (all bundled with scikit-image, no download).
PHOTOS = ("camera", "astronaut", "coins", "chelsea")

# Grey levels (0 = black background, 255 = brightest ink) of a handwritten "8",
# 18 rows x 18 columns, after Adam Geitgey's "Machine Learning is Fun!" figure.
_EIGHT = (
    (  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0),
    (  0,   0,   0,   0,   1,  12,   0,  11,  39, 137,  37,   0, 152, 147,  84,   0,   0,   0),
    (  0,   0,   1,   0,   0,   0,  41, 160, 250, 255, 235, 162, 255, 238, 206,  11,  13,   0),
    (  0,   0,   0,  16,   9,   9, 150, 251,  45,  21, 184, 159, 154, 255, 233,  40,   0,   0),
    ( 10,   0,   0,   0,   0,   0, 145, 146,   3,  10,   0,  11, 124, 253, 255, 107,   0,   0),
    (  0,   0,   3,   0,   4,  15, 236, 216,   0,   0,  38, 109, 247, 240, 169,   0,  11,   0),
    (  1,   0,   2,   0,   0,   0, 253, 253,  23,  62, 224, 241, 255, 164,   0,   5,   0,   0),
    (  6,   0,   0,   4,   0,   3, 252, 250, 228, 255, 255, 234, 112,  28,   0,   2,  17,   0),
    (  0,   2,   1,   4,   0,  21, 255, 253, 251, 255, 172,  31,   8,   0,   1,   0,   0,   0),
    (  0,   0,   4,   0, 163, 225, 251, 255, 229, 120,   0,   0,   0,   0,   0,  11,   0,   0),
    (  0,   0,  21, 162, 255, 255, 254, 255, 126,   6,   0,  10,  14,   6,   0,   0,   9,   0),
    (  3,  79, 242, 255, 141,  66, 255, 245, 189,   7,   8,   0,   0,   5,   0,   0,   0,   0),
    ( 26, 221, 237,  98,   0,  67, 251, 255, 144,   0,   8,   0,   0,   7,   0,   0,  11,   0),
    (125, 255, 141,   0,  87, 244, 255, 208,   3,   0,   0,  13,   0,   1,   0,   1,   0,   0),
    (145, 248, 228, 116, 235, 255, 141,  34,   0,  11,   0,   1,   0,   0,   0,   1,   3,   0),
    ( 85, 237, 253, 246, 255, 210,  21,   1,   0,   1,   0,   0,   6,   2,   4,   0,   0,   0),
    (  6,  23, 112, 157, 114,  32,   0,   0,   0,   0,   2,   0,   8,   0,   7,   0,   0,   0),
    (  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0),
)  # fmt: skip


def eight():
    """The handwritten "8" that a computer sees as a grid of numbers.

    Returns
    -------
    image : ndarray of uint8, shape (18, 18)
        Grey levels, 0 (background) to 255 (brightest ink). A fresh copy on
        every call, so changing it is safe.

    Examples
    --------
    >>> img = eight()
    >>> img.shape, img.dtype
    ((18, 18), dtype('uint8'))
    >>> int(img.max()), int(img[2, 9])
    (255, 255)
    """
    return np.array(_EIGHT, dtype=np.uint8)


def _require(module):
    """Import an optional dependency, or say how to install it."""
    package = {"sklearn": "scikit-learn", "skimage": "scikit-image"}[module]
    try:
        return __import__(module)
    except ImportError as err:  # pragma: no cover - both are installed for the book
        raise ImportError(
            f"this function needs {package}; install it with `pip install 'cnnbook[data]'` (or `pip install {package}`)"
        ) from err


def load_digits(as_images=True):
    """scikit-learn's 8 x 8 handwritten digits, scaled to [0, 1].

    Parameters
    ----------
    as_images : bool, default True
        If True return images shaped for a CNN, ``(N, 1, 8, 8)``; if False
        return flat vectors ``(N, 64)`` for a fully connected network.

    Returns
    -------
    x : ndarray of float64, shape (N, 1, 8, 8) or (N, 64)
        Pixel values divided by 16 (the data set's maximum), so in [0, 1].
    y : ndarray of int64, shape (N,)
        Class labels 0..9. ``N = 1797``.

    Examples
    --------
    >>> x, y = load_digits()
    >>> x.shape, y.shape, x.dtype, y.dtype
    ((1797, 1, 8, 8), (1797,), dtype('float64'), dtype('int64'))
    >>> float(x.min()), float(x.max())
    (0.0, 1.0)
    """
    if not isinstance(as_images, (bool, np.bool_)):
        raise TypeError(f"as_images must be True or False, got as_images={as_images!r}")
    pixels, labels = _digits_table()                                # (N, 64), (N,)
    N = pixels.shape[0]
    x = pixels / 16.0                                               # (N, 64), float64
    x = x.reshape(N, 1, 8, 8) if as_images else x                   # (N, 1, 8, 8) or (N, 64)
    return x, labels.astype(np.int64)


def _digits_table():
    """The digits' pixel values (N, 64) as float64 and labels (N,), as scikit-learn ships them.

    scikit-learn keeps the data set in one small file, ``datasets/data/digits.csv.gz``
    (64 pixel columns, then the label). Reading that file directly takes a few
    milliseconds; importing ``sklearn.datasets`` takes more than a second, in every
    kernel that loads the digits. Should a scikit-learn release move the file, its
    own loader is used.
    """
    spec = importlib.util.find_spec("sklearn")                      # finds the package, does not import it
    if spec is not None and spec.submodule_search_locations:
        path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            table = np.loadtxt(path, delimiter=",", dtype=np.float64)  # (N, 65)
            return table[:, :-1], table[:, -1]
    _require("sklearn")
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    return bunch.data.astype(np.float64), bunch.target


def train_test_split(x, y, test_fraction=0.25, *, rng=None):
    """Shuffle and split arrays into a training part and a held-out test part.

    Parameters
    ----------
    x : ndarray, shape (N, ...)
    y : ndarray, shape (N,)
    test_fraction : float, default 0.25
        Share of the N examples kept for testing, strictly between 0 and 1.
    rng : numpy.random.Generator, optional
        Source of the shuffle; ``np.random.default_rng(0)`` if None, so the
        split is the same on every run.

    Returns
    -------
    x_train, x_test, y_train, y_test : ndarray
        In scikit-learn's order. ``len(x_test) = round(test_fraction * N)``.

    Examples
    --------
    >>> x, y = np.arange(20).reshape(10, 2), np.arange(10)
    >>> x_tr, x_te, y_tr, y_te = train_test_split(x, y, 0.3)
    >>> x_tr.shape, x_te.shape
    ((7, 2), (3, 2))
    >>> sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(10))
    True
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(
            f"x and y must have the same number of examples along axis 0 and y must be 1-D, "
            f"got x.shape={x.shape} and y.shape={y.shape}"
        )
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float, np.number)):
        raise TypeError(f"test_fraction must be a float in (0, 1), got test_fraction={test_fraction!r}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a float in (0, 1), got test_fraction={test_fraction!r}")
    rng = _check_rng(rng)
    N = len(x)
    n_test = int(round(test_fraction * N))
    if n_test == 0 or n_test == N:
        raise ValueError(
            f"test_fraction={test_fraction!r} of N={N} examples leaves an empty "
            "training or test set; use more data or a fraction nearer 0.5"
        )
    order = rng.permutation(N)
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


def train_test_split_digits(test_fraction=0.25, *, rng=None, as_images=True):
    """:func:`load_digits` followed by :func:`train_test_split`.

    Returns
    -------
    x_train, x_test : ndarray of float64, shape (N_train, 1, 8, 8) and (N_test, 1, 8, 8)
    y_train, y_test : ndarray of int64, shape (N_train,) and (N_test,)

    Examples
    --------
    >>> x_tr, x_te, y_tr, y_te = train_test_split_digits(rng=np.random.default_rng(0))
    >>> x_tr.shape, x_te.shape
    ((1348, 1, 8, 8), (449, 1, 8, 8))
    """
    x, y = load_digits(as_images=as_images)
    return train_test_split(x, y, test_fraction, rng=rng)


def standardize(x_train, *others):
    """Shift and scale so the training pixels have mean 0 and standard deviation 1.

    The mean and standard deviation come from ``x_train`` only (one number
    each, over all its pixels) and are applied unchanged to the other arrays,
    so nothing about the test set leaks into training.

    Parameters
    ----------
    x_train : ndarray, shape (N, ...)
    *others : ndarray
        E.g. the test images.

    Returns
    -------
    tuple of ndarray
        ``(x_train - mean) / std`` and each other array treated the same way.

    Examples
    --------
    >>> x_tr, x_te = standardize(np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.5]))
    >>> round(float(x_tr.mean()), 12), round(float(x_tr.std()), 12), x_te
    (0.0, 1.0, array([0.]))
    """
    x_train = np.asarray(x_train, dtype=np.float64)
    mean, std = x_train.mean(), x_train.std()
    if not std > 0:
        raise ValueError(f"x_train is constant (std={std}); there is no scale to divide by")
    return tuple((np.asarray(x, dtype=np.float64) - mean) / std for x in (x_train, *others))




def photo(name, *, gray=False, size=None):
    """One of scikit-image's bundled test photographs (no download needed).

    Parameters
    ----------
    name : {'camera', 'astronaut', 'coins', 'chelsea'}
        'camera' and 'coins' are grey; 'astronaut' and 'chelsea' (a cat) are colour.
    gray : bool, default False
        Convert colour photos to grey with ITU-R 709 luminance weights
        (scikit-image's ``rgb2gray``). Grey photos are returned unchanged.
    size : int or (int, int), optional
        Downsample (with anti-aliasing) to this size. An int sets the longer
        side and keeps the aspect ratio; a pair gives ``(H, W)`` exactly.

    Returns
    -------
    image : ndarray of uint8, shape (H, W) or (H, W, 3)
        Colour photos keep channels last, as image files do; use
        ``image.transpose(2, 0, 1)`` for the book's (C, H, W) layout.

    Examples
    --------
    >>> photo('camera').shape
    (512, 512)
    >>> photo('chelsea', gray=True, size=100).shape
    (67, 100)
    """
    if name not in PHOTOS:
        raise ValueError(f"name must be one of {PHOTOS}, got name={name!r}")
    if not isinstance(gray, (bool, np.bool_)):
        raise TypeError(f"gray must be True or False, got gray={gray!r}")
    _require("skimage")
    import skimage.data

    image = getattr(skimage.data, name)()  # (H, W) or (H, W, 3), uint8
    if gray and image.ndim == 3:
        from skimage.color import rgb2gray

        image = np.round(rgb2gray(image) * 255).astype(np.uint8)  # (H, W)
    if size is not None:
        image = _resize(image, size)
    return image


def _resize(image, size):
    H, W = image.shape[:2]
    if is_int(size):
        if size < 1:
            raise ValueError(f"size must be a positive int or an (H, W) pair, got size={size!r}")
        scale = size / max(H, W)
        shape = (max(1, round(H * scale)), max(1, round(W * scale)))
    elif (
        isinstance(size, (tuple, list)) and len(size) == 2 and all(is_int(s) and s >= 1 for s in size)
    ):
        shape = (int(size[0]), int(size[1]))
    else:
        raise TypeError(f"size must be a positive int or an (H, W) pair, got size={size!r}")
    from skimage.transform import resize

    out = resize(image, shape + image.shape[2:], anti_aliasing=True, preserve_range=True)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def shift(images, dy, dx):
    """Move images by whole pixels, filling the uncovered border with zeros.

    Unlike ``np.roll`` nothing wraps around: pixels pushed past the edge are lost.

    Parameters
    ----------
    images : ndarray, shape (..., H, W)
        One image or any batch of them (e.g. (N, C, H, W)); the last two axes are shifted.
    dy : int
        Rows to move down (negative: up).
    dx : int
        Columns to move right (negative: left).

    Returns
    -------
    shifted : ndarray, same shape and dtype as ``images``

    Examples
    --------
    >>> a = np.arange(1, 10).reshape(3, 3)
    >>> shift(a, 1, 0)
    array([[0, 0, 0],
           [1, 2, 3],
           [4, 5, 6]])
    >>> shift(a, 0, -1)
    array([[2, 3, 0],
           [5, 6, 0],
           [8, 9, 0]])
    """
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(
            f"images must have at least 2 dimensions (..., H, W), got images.shape={images.shape}"
        )
    for name, value in (("dy", dy), ("dx", dx)):
        if not is_int(value):
            raise TypeError(f"{name} must be an int number of pixels, got {name}={value!r}")
    H, W = images.shape[-2:]
    out = np.zeros_like(images)
    # Destination and source ranges along each axis; empty when |shift| >= size.
    y0, y1 = max(dy, 0), min(H, H + dy)
    x0, x1 = max(dx, 0), min(W, W + dx)
    if y0 < y1 and x0 < x1:
        out[..., y0:y1, x0:x1] = images[..., y0 - dy : y1 - dy, x0 - dx : x1 - dx]
    return out


def off_centre(images, min_shift=2, max_shift=8, *, rng=None):
    """Each image moved by a random whole-pixel shift that puts it off centre.

    What a sliding window sees when it is not centred on an object: part of
    one, or nothing. Trained as a "background" class, such images teach a
    classifier to answer "no object here" (see chapter 12).

    Parameters
    ----------
    images : ndarray, shape (N, ..., H, W)
    min_shift, max_shift : int
        Every image is moved by (dy, dx) with ``min_shift <= max(|dy|, |dx|) <= max_shift``,
        uniformly among those shifts.
    rng : numpy.random.Generator, optional

    Returns
    -------
    ndarray, same shape and dtype as ``images``

    Examples
    --------
    >>> moved = off_centre(np.ones((5, 1, 8, 8)), 2, 3, rng=np.random.default_rng(0))
    >>> moved.shape, bool((moved.sum(axis=(1, 2, 3)) <= 8 * 6).all())   # at least 2 rows or columns lost
    ((5, 1, 8, 8), True)
    """
    images = np.asarray(images)
    if images.ndim < 3:
        raise ValueError(f"images must be a batch (N, ..., H, W), got images.shape={images.shape}")
    for name, value in (("min_shift", min_shift), ("max_shift", max_shift)):
        if not is_int(value) or value < 0:
            raise ValueError(f"{name} must be a non-negative int, got {name}={value!r}")
    if not 0 < max_shift or min_shift > max_shift:
        raise ValueError(f"need 0 <= min_shift <= max_shift and max_shift >= 1, "
                         f"got min_shift={min_shift}, max_shift={max_shift}")
    rng = _check_rng(rng)
    out = np.empty_like(images)
    for i in range(len(images)):
        dy = dx = 0
        while max(abs(dy), abs(dx)) < min_shift:   # draw again until far enough off centre
            dy, dx = (int(v) for v in rng.integers(-max_shift, max_shift + 1, size=2))
        out[i] = shift(images[i], dy, dx)
    return out


def digit_pages(images, labels, n_pages, *, size=(16, 16), digits=2, ink=0.3, background=10, rng=None):
    """Pages of digits with a class for every pixel: a segmentation task (chapter 12).

    Each page is blank with ``digits`` digits pasted at random places that do
    not overlap. The mask gives every pixel whose grey level is above ``ink``
    the class of its digit, and every other pixel the class ``background``.

    Parameters
    ----------
    images : ndarray, shape (M, 1, h, w)
        Digits to draw from, values in [0, 1].
    labels : ndarray of int, shape (M,)
    n_pages : int
    size : (int, int), default (16, 16)
        (H, W) of a page; each must be at least the digit's (h, w).
    digits : int, default 2
        Digits per page.
    ink : float, default 0.3
        Grey level above which a pixel counts as the digit's.
    background : int, default 10
        The class of every other pixel.
    rng : numpy.random.Generator, optional
        Picks the digits and their places.

    Returns
    -------
    pages : ndarray, shape (n_pages, 1, H, W)
    masks : ndarray of int, shape (n_pages, H, W)

    Examples
    --------
    >>> x, y = load_digits()
    >>> pages, masks = digit_pages(x, y, 3, size=(16, 24), rng=np.random.default_rng(0))
    >>> pages.shape, masks.shape, bool(((masks == 10) == (pages[:, 0] <= 0.3)).all())
    ((3, 1, 16, 24), (3, 16, 24), True)
    """
    images = np.asarray(images, dtype=float)
    labels = np.asarray(labels)
    if images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(f"images must be a batch (M, 1, h, w), got images.shape={images.shape}")
    if labels.shape != (len(images),) or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be {len(images)} integer classes, got labels of shape {labels.shape}")
    for name, value in (("n_pages", n_pages), ("digits", digits)):
        if not is_int(value) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    _, _, h, w = images.shape
    if (not isinstance(size, (tuple, list)) or len(size) != 2
            or not all(is_int(v) for v in size) or size[0] < h or size[1] < w):
        raise ValueError(f"size must be (H, W) with H >= {h} and W >= {w}, got size={size!r}")
    if not 0 <= ink < 1:
        raise ValueError(f"ink must be a grey level in [0, 1), got ink={ink!r}")
    if not is_int(background):
        raise ValueError(f"background must be an int class, got background={background!r}")
    rng = _check_rng(rng)
    H, W = size
    pages = np.zeros((n_pages, 1, H, W))
    masks = np.full((n_pages, H, W), background, dtype=int)
    for n in range(n_pages):
        for _attempt in range(100):   # draw places until none overlap
            corners = [(int(rng.integers(0, H - h + 1)), int(rng.integers(0, W - w + 1))) for _ in range(digits)]
            if all(abs(r1 - r2) >= h or abs(c1 - c2) >= w
                   for i, (r1, c1) in enumerate(corners) for r2, c2 in corners[:i]):
                break
        else:
            raise ValueError(f"cannot place {digits} digits of {h}x{w} without overlap "
                             f"on a page of size={size!r}")
        for r, c in corners:
            k = int(rng.integers(len(images)))
            pages[n, 0, r:r + h, c:c + w] = images[k, 0]
            masks[n, r:r + h, c:c + w][images[k, 0] > ink] = labels[k]
    return pages, masks
