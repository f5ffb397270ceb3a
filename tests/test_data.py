"""cnnbook.data: the slide's "8", the digits, the photographs and shift."""

import numpy as np
import pytest

from cnnbook import data


# ---------------------------------------------------------------- eight()

def test_eight_shape_dtype_and_range():
    img = data.eight()
    assert img.shape == (18, 18)
    assert img.dtype == np.uint8
    assert img.min() == 0 and img.max() == 255


def test_eight_known_values_from_the_slide():
    img = data.eight()
    # Entries read off the table "How computers perceive images?".
    assert img[1, 9] == 137 and img[1, 12] == 152
    assert img[2].tolist()[6:10] == [41, 160, 250, 255]
    assert img[11, :4].tolist() == [3, 79, 242, 255]
    assert img[13, 0] == 125 and img[14, 0] == 145
    assert img[16, :6].tolist() == [6, 23, 112, 157, 114, 32]
    # First and last rows and the last column are empty background.
    assert not img[0].any() and not img[17].any() and not img[:, 17].any()


def test_eight_returns_a_fresh_copy():
    img = data.eight()
    img[:] = 0
    assert data.eight().max() == 255


# ------------------------------------------------------------------ digits

def test_load_digits_images():
    x, y = data.load_digits()
    assert x.shape == (1797, 1, 8, 8) and x.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert sorted(np.unique(y).tolist()) == list(range(10))
    # The pixel values were 0..16 integers: scaling by 16 keeps them on that grid.
    assert np.array_equal(x * 16, np.round(x * 16))


def test_load_digits_reads_what_scikit_learn_loads(monkeypatch):
    """The file read directly holds scikit-learn's digits, in its order; without the file,
    scikit-learn's own loader gives the same arrays."""
    from sklearn.datasets import load_digits as sk_load_digits

    bunch = sk_load_digits()
    x, y = data.load_digits(as_images=False)
    assert np.array_equal(x * 16, bunch.data) and np.array_equal(y, bunch.target)
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: None)   # as if the file moved
    x2, y2 = data.load_digits(as_images=False)
    assert np.array_equal(x2, x) and np.array_equal(y2, y) and y2.dtype == np.int64


def test_load_digits_flat_matches_images():
    x, _ = data.load_digits()
    flat, _ = data.load_digits(as_images=False)
    assert flat.shape == (1797, 64)
    assert np.array_equal(flat, x.reshape(1797, 64))
    with pytest.raises(TypeError, match="as_images='yes'"):
        data.load_digits(as_images="yes")


def test_split_is_deterministic_disjoint_and_complete():
    a = data.train_test_split_digits(rng=np.random.default_rng(5))
    b = data.train_test_split_digits(rng=np.random.default_rng(5))
    c = data.train_test_split_digits(rng=np.random.default_rng(6))
    for u, v in zip(a, b):
        assert np.array_equal(u, v)
    assert not np.array_equal(a[1], c[1])
    x_tr, x_te, y_tr, y_te = a
    assert len(x_te) == round(0.25 * 1797) and len(x_tr) + len(x_te) == 1797
    # Every original image appears exactly once across the two parts.
    x, _ = data.load_digits()
    together = np.concatenate([x_tr, x_te]).reshape(1797, -1)
    assert np.array_equal(np.unique(together, axis=0), np.unique(x.reshape(1797, -1), axis=0))
    assert len(np.unique(together, axis=0)) == len(np.unique(x.reshape(1797, -1), axis=0))


@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        (dict(test_fraction=0.0), ValueError, "test_fraction=0.0"),
        (dict(test_fraction=1), ValueError, "test_fraction=1"),
        (dict(test_fraction="0.2"), TypeError, "test_fraction='0.2'"),
        (dict(test_fraction=0.01), ValueError, "empty"),
        (dict(rng=42), TypeError, "rng=42"),
    ],
)
def test_split_rejects_bad_arguments(kwargs, error, text):
    with pytest.raises(error, match=text):
        data.train_test_split(np.zeros((10, 2)), np.arange(10), **kwargs)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"x.shape=\(10, 2\) and y.shape=\(9,\)"):
        data.train_test_split(np.zeros((10, 2)), np.arange(9))


def test_standardize_uses_training_statistics_only():
    x_tr = np.array([[1.0, 3.0], [5.0, 7.0]])
    x_te = np.array([[4.0, 100.0]])
    s_tr, s_te = data.standardize(x_tr, x_te)
    assert s_tr.mean() == pytest.approx(0.0) and s_tr.std() == pytest.approx(1.0)
    std = np.sqrt(5.0)
    np.testing.assert_allclose(s_te, [[0.0, 96.0 / std]])
    with pytest.raises(ValueError, match="constant"):
        data.standardize(np.ones(4))


# ------------------------------------------------------------------ photos

@pytest.mark.parametrize(
    "name, shape",
    [("camera", (512, 512)), ("astronaut", (512, 512, 3)), ("coins", (303, 384)), ("chelsea", (300, 451, 3))],
)
def test_photo_shapes(name, shape):
    img = data.photo(name)
    assert img.shape == shape and img.dtype == np.uint8


def test_photo_names_are_the_documented_ones():
    assert data.PHOTOS == ("camera", "astronaut", "coins", "chelsea")


def test_photo_gray_and_size():
    gray = data.photo("astronaut", gray=True)
    assert gray.shape == (512, 512) and gray.dtype == np.uint8
    # Luminance of a colour image lies between its smallest and largest channel (+ rounding).
    rgb = data.photo("astronaut").astype(int)
    assert np.all(gray >= rgb.min(axis=2) - 1) and np.all(gray <= rgb.max(axis=2) + 1)
    assert np.array_equal(data.photo("camera", gray=True), data.photo("camera"))
    small = data.photo("chelsea", size=90)
    assert small.shape == (60, 90, 3) and small.dtype == np.uint8
    assert data.photo("coins", size=(30, 40)).shape == (30, 40)
    # Downsampling averages: the mean brightness is kept.
    assert abs(data.photo("camera", size=64).mean() - data.photo("camera").mean()) < 2


@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        (dict(name="lena"), ValueError, r"one of \('camera', 'astronaut', 'coins', 'chelsea'\), got name='lena'"),
        (dict(name="camera", gray="yes"), TypeError, "gray='yes'"),
        (dict(name="camera", size=0), ValueError, "size=0"),
        (dict(name="camera", size=(10,)), TypeError, r"size=\(10,\)"),
    ],
)
def test_photo_rejects_bad_arguments(kwargs, error, text):
    with pytest.raises(error, match=text):
        data.photo(**kwargs)


# ------------------------------------------------------------------- shift

def test_shift_moves_content_and_fills_zeros():
    a = np.arange(1, 13).reshape(3, 4)
    down_right = data.shift(a, 1, 2)
    assert down_right.tolist() == [[0, 0, 0, 0], [0, 0, 1, 2], [0, 0, 5, 6]]
    up_left = data.shift(a, -2, -3)
    assert up_left.tolist() == [[12, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    assert np.array_equal(data.shift(a, 0, 0), a)


def test_shift_never_wraps_and_keeps_dtype_and_batch_axes():
    img = data.eight()
    moved = data.shift(img, 0, 5)
    assert moved.dtype == np.uint8 and moved.shape == (18, 18)
    assert not moved[:, :5].any()  # np.roll would have wrapped ink here
    assert np.array_equal(moved[:, 5:], img[:, :-5])
    batch = np.stack([img, img + 0]).reshape(2, 1, 18, 18)
    assert np.array_equal(data.shift(batch, -3, 2)[1, 0], data.shift(img, -3, 2))
    assert not data.shift(img, 18, 0).any() and not data.shift(img, 0, -40).any()


def test_shift_composes_in_one_direction_but_loses_pixels_back_and_forth():
    x = np.random.default_rng(0).integers(1, 9, size=(2, 7, 7))
    assert np.array_equal(data.shift(data.shift(x, 1, -2), 2, -1), data.shift(x, 3, -3))
    there_and_back = data.shift(data.shift(x, 0, 2), 0, -2)
    assert np.array_equal(there_and_back[..., :5], x[..., :5]) and not there_and_back[..., 5:].any()


@pytest.mark.parametrize(
    "args, error, text",
    [
        ((np.zeros(5), 1, 0), ValueError, r"images.shape=\(5,\)"),
        ((np.zeros((3, 3)), 1.5, 0), TypeError, "dy=1.5"),
        ((np.zeros((3, 3)), 0, "1"), TypeError, "dx='1'"),
    ],
)
def test_shift_rejects_bad_arguments(args, error, text):
    with pytest.raises(error, match=text):
        data.shift(*args)


def test_importing_cnnbook_data_loads_neither_sklearn_nor_skimage():
    import subprocess
    import sys

    code = ("import sys, cnnbook, cnnbook.data, cnnbook.nn, cnnbook.models, cnnbook.optim; "
            "print(sorted(m for m in ('sklearn', 'skimage', 'tqdm', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
