"""Tests for nncore.data: the line images, toy sets, the wine table, splits, scaling, batches."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nncore import (LINE_CLASS_NAMES, LINE_LABELS, LINE_PATTERNS, StandardScaler, clean_lines,
                    iterate_minibatches, load_wine, make_blobs, make_circles, make_lines,
                    make_moons, make_xor, one_hot, train_val_test_split)


def rng(seed=0):
    return np.random.default_rng(seed)


# --- line images -----------------------------------------------------------------
def test_clean_lines_are_the_six_patterns():
    X, y = clean_lines()
    assert X.shape == (6, 9) and X.dtype == np.float64
    assert_array_equal(y, [1, 1, 1, 0, 0, 0])
    imgs = X.reshape(6, 3, 3)
    for k in range(3):  # vertical k: column k lit; horizontal k: row k lit
        assert_array_equal(imgs[k][:, k], 1.0)
        assert imgs[k].sum() == 3
        assert_array_equal(imgs[3 + k][k, :], 1.0)
        assert imgs[3 + k].sum() == 3
    assert LINE_CLASS_NAMES[1] == "vertical" and LINE_CLASS_NAMES[0] == "horizontal"
    X[0, 0] = 5.0  # a copy: the constants are untouched
    assert LINE_PATTERNS[0, 0] == 1.0 and not LINE_PATTERNS.flags.writeable
    assert not LINE_LABELS.flags.writeable


def test_make_lines_balanced_in_range_reproducible():
    X, y = make_lines(101, 0.3, rng(1))
    assert X.shape == (101, 9) and y.shape == (101,)
    assert np.sum(y == 1) == 50 and np.sum(y == 0) == 51  # n // 2 vertical, the rest horizontal
    assert X.min() >= 0.0 and X.max() <= 1.0
    X2, y2 = make_lines(101, 0.3, rng(1))
    assert_array_equal(X, X2)
    assert_array_equal(y, y2)
    X3, _ = make_lines(101, 0.3, rng(2))
    assert not np.allclose(X, X3)


def test_make_lines_noise_zero_gives_exact_clean_patterns():
    X, y = make_lines(60, 0.0, rng(3))
    for row, label in zip(X, y):
        match = np.all(LINE_PATTERNS == row, axis=1)  # exact equality intended: no noise
        assert match.sum() == 1
        assert LINE_LABELS[np.argmax(match)] == label
    # all six patterns appear in 60 draws
    assert len({tuple(r) for r in X}) == 6


def test_make_lines_noise_statistics():
    # Noise on a 0 pixel is clipped below at 0, so the mean of a dark pixel is
    # E[max(e, 0)] = std / sqrt(2 pi) ~ 0.0399 for std 0.1.
    X, y = make_lines(4000, 0.1, rng(4))
    dark = X[X < 0.5]
    assert_allclose(dark.mean(), 0.1 / np.sqrt(2 * np.pi), rtol=0.05)


@pytest.mark.parametrize("n, noise, r, exc, match", [
    (0, 0.1, rng(), ValueError, "n must be >= 1"),
    (10.5, 0.1, rng(), TypeError, "n must be an integer"),
    (10, -0.1, rng(), ValueError, "noise must be >= 0"),
    (10, 0.1, 0, TypeError, "rng must be a np.random.Generator"),
])
def test_make_lines_bad_input(n, noise, r, exc, match):
    with pytest.raises(exc, match=match):
        make_lines(n, noise, r)


# --- toy sets ----------------------------------------------------------------------
def test_make_xor_corners_and_noisy():
    X, y = make_xor()
    assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert_array_equal(y, [0, 1, 1, 0])
    X, y = make_xor(40, 0.0, rng())
    assert X.shape == (40, 2)
    assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(int))
    assert np.bincount(y).tolist() == [20, 20]
    Xn, _ = make_xor(40, 0.1, rng())
    assert np.abs(Xn - X).max() > 0
    with pytest.raises(TypeError, match="rng"):
        make_xor(10)


def test_make_moons_shape_and_geometry():
    X, y = make_moons(200, 0.0, rng())
    assert X.shape == (200, 2) and np.bincount(y).tolist() == [100, 100]
    upper = X[y == 0]
    assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-12)  # on the unit circle
    lower = X[y == 1]
    assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        make_moons(10, -1, rng())


def test_make_circles_radii_and_bad_factor():
    X, y = make_circles(100, 0.0, rng(), factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    assert_allclose(r[y == 0], 1.0, atol=1e-12)
    assert_allclose(r[y == 1], 0.3, atol=1e-12)
    with pytest.raises(ValueError, match=r"factor must be in \(0, 1\); got 1.5"):
        make_circles(10, 0.1, rng(), factor=1.5)


def test_make_blobs_centres():
    X, y = make_blobs(90, 0.0, rng(), centers=3)
    assert np.bincount(y).tolist() == [30, 30, 30]
    assert_allclose(np.hypot(X[:, 0], X[:, 1]), 2.0, atol=1e-12)  # centres on radius 2
    C = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]])
    X, y = make_blobs(10, 0.0, rng(), centers=C)
    assert_allclose(X, C[y])
    with pytest.raises(ValueError, match="at least 2 rows"):
        make_blobs(10, 0.1, rng(), centers=[[0.0, 0.0]])
    with pytest.raises(ValueError, match="centers must be >= 2"):
        make_blobs(10, 0.1, rng(), centers=1)


# --- the wine table -------------------------------------------------------------------
def test_load_wine():
    X, y, names, targets = load_wine()
    assert X.shape == (178, 13) and X.dtype == np.float64
    assert np.bincount(y).tolist() == [59, 71, 48]
    assert names[0] == "alcohol" and names[-1] == "proline" and len(names) == 13
    assert targets == ("cultivar_0", "cultivar_1", "cultivar_2")
    assert_allclose(X[0, [0, 12]], [14.23, 1065.0])  # first wine: alcohol 14.23, proline 1065
    assert_allclose(X.mean(axis=0)[12], 746.893, atol=1e-3)  # UCI summary: proline mean 746


def test_wine_matches_scikit_learn_copy_if_available():
    datasets = pytest.importorskip("sklearn.datasets")
    ref = datasets.load_wine()
    ours = load_wine()
    assert_allclose(ours.X, ref.data, rtol=0, atol=0)
    assert_array_equal(ours.y, ref.target)


# --- splitting -------------------------------------------------------------------------
def test_split_sizes_and_no_overlap():
    X = np.arange(100, dtype=float).reshape(100, 1)  # each row holds its own index
    y = np.arange(100) % 2
    Xtr, Xva, Xte, ytr, yva, yte = train_val_test_split(X, y, 0.2, 0.1, rng())
    assert (len(Xtr), len(Xva), len(Xte)) == (70, 20, 10)
    ids = np.concatenate([Xtr[:, 0], Xva[:, 0], Xte[:, 0]])
    assert_array_equal(np.sort(ids), np.arange(100))  # disjoint and complete
    assert_array_equal(ytr, Xtr[:, 0].astype(int) % 2)  # rows and labels stay paired


def test_split_stratified_keeps_proportions():
    y = np.array([0] * 80 + [1] * 20)
    X = np.arange(100.0).reshape(100, 1)
    _, Xva, Xte, ytr, yva, yte = train_val_test_split(X, y, 0.25, 0.25, rng(), stratify=True)
    # per class: 80 -> 20 val, 20 test, 40 train; 20 -> 5, 5, 10
    assert np.bincount(yva).tolist() == [20, 5]
    assert np.bincount(yte).tolist() == [20, 5]
    assert np.bincount(ytr).tolist() == [40, 10]


def test_split_reproducible_and_zero_val():
    X, y = make_lines(50, 0.1, rng())
    a = train_val_test_split(X, y, 0.0, 0.2, rng(7))
    b = train_val_test_split(X, y, 0.0, 0.2, rng(7))
    for u, v in zip(a, b):
        assert_array_equal(u, v)
    assert a[1].shape == (0, 9)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(val_size=0.6, test_size=0.5), ValueError, r"val_size \+ test_size must be < 1"),
    (dict(val_size=1.0, test_size=0.0), ValueError, r"val_size must be a fraction in \[0, 1\)"),
    (dict(val_size=-0.1, test_size=0.1), ValueError, "val_size must be >= 0"),
    (dict(val_size="a", test_size=0.1), TypeError, "val_size must be a real number"),
])
def test_split_bad_sizes(kwargs, exc, match):
    X, y = make_lines(10, 0.1, rng())
    with pytest.raises(exc, match=match):
        train_val_test_split(X, y, rng=rng(), **kwargs)


def test_split_bad_data():
    with pytest.raises(ValueError, match=r"same number of examples.*\(10, 2\).*\(9,\)"):
        train_val_test_split(np.zeros((10, 2)), np.zeros(9), 0.1, 0.1, rng())
    with pytest.raises(ValueError, match="non-finite"):
        train_val_test_split(np.full((4, 2), np.nan), np.zeros(4), 0.1, 0.1, rng())
    with pytest.raises(ValueError, match="whole-number class labels"):
        train_val_test_split(np.zeros((4, 2)), [0, 0.5, 1, 1], 0.25, 0.25, rng(), stratify=True)
    with pytest.raises(ValueError, match="no training examples left"):
        train_val_test_split(np.zeros((2, 2)), [0, 1], 0.4, 0.4, rng())
    with pytest.raises(TypeError, match="rng"):
        train_val_test_split(np.zeros((4, 2)), np.zeros(4), 0.1, 0.1, 42)
    with pytest.raises(ValueError, match="batch dimension"):
        train_val_test_split(np.zeros((4, 2)), 3, 0.1, 0.1, rng())
    with pytest.raises(ValueError, match="batch dimension"):
        train_val_test_split(5.0, [1], 0.1, 0.1, rng())


# --- scaling ---------------------------------------------------------------------------
def test_scaler_hand_example():
    X = np.array([[1.0, 10.0],
                  [2.0, 10.0],
                  [3.0, 10.0]])
    s = StandardScaler().fit(X)
    # column 0: mean 2, population std sqrt(((1-2)^2 + 0 + (3-2)^2) / 3) = sqrt(2/3)
    # column 1: constant 10 -> std 0 -> scale 1 (only centred)
    assert_allclose(s.mean_, [2.0, 10.0])
    assert_allclose(s.scale_, [np.sqrt(2 / 3), 1.0])
    Z = s.transform(X)
    assert_allclose(Z, [[-1 / np.sqrt(2 / 3), 0.0], [0.0, 0.0], [1 / np.sqrt(2 / 3), 0.0]])
    assert_allclose(s.inverse_transform(Z), X, atol=1e-14)
    assert_allclose(StandardScaler().fit_transform(X), Z)
    # new data uses the training statistics, not its own
    assert_allclose(s.transform([[4.0, 12.0]]), [[2 / np.sqrt(2 / 3), 2.0]])


def test_scaler_errors():
    with pytest.raises(RuntimeError, match=r"call fit\(X_train\) first"):
        StandardScaler().transform(np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match="not been fitted"):
        StandardScaler().inverse_transform(np.zeros((2, 2)))
    s = StandardScaler().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"transform: X has shape \(3, 5\); expected \(N, 2\)"):
        s.transform(np.ones((3, 5)))
    with pytest.raises(ValueError, match="must be 2-D"):
        StandardScaler().fit(np.ones(3))
    with pytest.raises(ValueError, match="at least one row"):
        StandardScaler().fit(np.ones((0, 3)))
    with pytest.raises(ValueError, match="non-finite"):
        StandardScaler().fit([[1.0, np.inf]])


# --- one-hot and batches -------------------------------------------------------------------
def test_one_hot():
    assert_array_equal(one_hot([2, 0, 1], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match=r"labels in 0..2 \(3 classes\); got values from 0 to 3"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="n_classes must be >= 1"):
        one_hot([0], 0)
    with pytest.raises(ValueError, match="must be 1-D"):
        one_hot([[0]], 2)


def test_iterate_minibatches_covers_everything_once():
    X = np.arange(10.0).reshape(10, 1)
    y = np.arange(10)
    batches = list(iterate_minibatches(X, y, 4, rng()))
    assert [len(xb) for xb, _ in batches] == [4, 4, 2]
    seen = np.concatenate([yb for _, yb in batches])
    assert_array_equal(np.sort(seen), y)
    assert not np.array_equal(seen, y)  # shuffled
    for xb, yb in batches:
        assert_array_equal(xb[:, 0], yb)  # still paired
    ordered = np.concatenate([yb for _, yb in iterate_minibatches(X, y, 3, shuffle=False)])
    assert_array_equal(ordered, y)
    a = [yb for _, yb in iterate_minibatches(X, y, 3, rng(5))]
    b = [yb for _, yb in iterate_minibatches(X, y, 3, rng(5))]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


def test_iterate_minibatches_errors_at_call_time():
    X = np.zeros((5, 2))
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        iterate_minibatches(X, np.zeros(5), 0, rng())
    with pytest.raises(TypeError, match="needed because shuffle=True"):
        iterate_minibatches(X, np.zeros(5), 2)
    with pytest.raises(ValueError, match=r"\(5, 2\).*\(4,\)"):
        iterate_minibatches(X, np.zeros(4), 2, rng())
