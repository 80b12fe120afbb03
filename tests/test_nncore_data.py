"""Tests for nncore.data: the line images, toy sets, the wine table, splits, scaling, batches."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nncore import (LINE_CLASS_NAMES, LINE_LABELS, LINE_PATTERNS, StandardScaler, clean_lines,
                    iterate_minibatches, lines_bayes_proba, load_wine, make_blobs,
                    make_circles, make_lines, make_moons, make_xor, one_hot,
                    train_val_test_split)


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


# --- the Bayes-optimal rule for the line images ---------------------------------------
def _brute_force_proba(x, noise, p_vertical=0.5):
    """P(vertical | x) pixel by pixel with math.erfc, no logs, no arrays: the definition."""
    def phi_cdf(z):  # P(Z <= z)
        return 0.5 * math.erfc(-z / math.sqrt(2))

    def pixel(v, c):
        if v == 0.0:
            return phi_cdf((0 - c) / noise)  # mass clipped down to 0
        if v == 1.0:
            return 1 - phi_cdf((1 - c) / noise)  # mass clipped up to 1
        return math.exp(-0.5 * ((v - c) / noise) ** 2) / (noise * math.sqrt(2 * math.pi))

    like = [math.prod(pixel(v, c) for v, c in zip(x, pat)) for pat in LINE_PATTERNS]
    vert = p_vertical * sum(like[:3]) / 3
    hori = (1 - p_vertical) * sum(like[3:]) / 3
    return vert / (vert + hori)


@pytest.mark.parametrize("noise", [0.15, 0.3, 0.6])  # 0.15 reaches erfc's far-tail branch
def test_bayes_proba_matches_brute_force_likelihoods(noise):
    X, _ = make_lines(12, noise, rng(4))
    X[0, :3] = [0.0, 1.0, 0.37]  # both clipped bounds and an interior pixel, surely
    X[1] = 1.0  # every pixel clipped up
    for prior in (0.5, 0.05):
        p = lines_bayes_proba(X, noise, p_vertical=prior)
        ref = [_brute_force_proba(x, noise, prior) for x in X]
        assert_allclose(p, ref, rtol=1e-12, atol=1e-15)


def test_bayes_proba_is_calibrated_and_its_accuracy_is_what_it_promises():
    # Monte Carlo: among images the rule calls vertical with probability p, a
    # fraction p really are; so its accuracy equals the mean of max(p, 1 - p).
    X, y = make_lines(40000, 0.5, rng(5))
    p = lines_bayes_proba(X, 0.5)
    acc = np.mean((p > 0.5) == y)
    expected = np.mean(np.maximum(p, 1 - p))
    se = np.sqrt(acc * (1 - acc) / len(y))
    assert abs(acc - expected) < 4 * se
    for lo, hi in [(0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9)]:
        inside = (p >= lo) & (p < hi)
        frac, n = y[inside].mean(), inside.sum()
        assert n > 500 and abs(frac - p[inside].mean()) < 4 * np.sqrt(0.25 / n)
    # and nothing simple beats it: the stripe rule (columns vs rows brightness)
    imgs = X.reshape(-1, 3, 3)
    stripe = imgs.sum(axis=1).max(axis=1) > imgs.sum(axis=2).max(axis=1)  # (N,)
    assert np.mean(stripe == y) < acc


def test_bayes_accuracy_falls_with_noise():
    accs = []
    for noise in (0.2, 0.4, 0.6):
        X, y = make_lines(5000, noise, rng(6))
        accs.append(np.mean((lines_bayes_proba(X, noise) > 0.5) == y))
    assert accs[0] > accs[1] > accs[2] > 0.5


def test_bayes_proba_on_clean_images_and_symmetry():
    X, y = clean_lines()
    p = lines_bayes_proba(X, 0.3)
    assert np.all(p[y == 1] > 0.99) and np.all(p[y == 0] < 0.01)
    assert_array_equal(lines_bayes_proba(X, 0.0), y)  # no noise: certainty
    Xn, _ = make_lines(50, 0.4, rng(7))
    transposed = Xn.reshape(-1, 3, 3).transpose(0, 2, 1).reshape(-1, 9)
    assert_allclose(lines_bayes_proba(transposed, 0.4), 1 - lines_bayes_proba(Xn, 0.4),
                    atol=1e-12)  # turning the image turns the answer
    odds = lambda q: np.log(q) - np.log1p(-q)  # noqa: E731
    assert_allclose(odds(lines_bayes_proba(Xn, 0.4, 0.2)) - odds(lines_bayes_proba(Xn, 0.4)),
                    odds(0.2), atol=1e-9)  # the prior shifts the log-odds by its own


def test_bayes_proba_stays_finite_at_tiny_noise():
    # erfc(1 / (0.01 sqrt 2)) underflows to 0; its logarithm must not
    X = np.zeros((2, 9))
    X[1, [0, 3]] = 1.0  # two pixels of the left column lit, the third dark
    p = lines_bayes_proba(X, 0.01)
    assert np.all(np.isfinite(p))
    assert_allclose(p[0], 0.5)  # a blank image: every pattern misses three pixels
    assert p[1] > 0.999  # one missing pixel is far likelier than five wrong ones


@pytest.mark.parametrize("X, noise, prior, exc, match", [
    (np.zeros((2, 4)), 0.3, 0.5, ValueError, r"shape \(2, 4\); expected \(N, 9\)"),
    (np.full((1, 9), 1.5), 0.3, 0.5, ValueError, "pixels in \\[0, 1\\].*1.5"),
    (np.full((1, 9), np.nan), 0.3, 0.5, ValueError, "NaN"),
    (np.zeros((1, 9)), -0.1, 0.5, ValueError, "noise must be >= 0"),
    (np.zeros((1, 9)), 0.3, 1.0, ValueError, r"p_vertical must be in \(0, 1\)"),
    (np.zeros((1, 9)), 0.3, 1.2, ValueError, "p_vertical must be in"),
    (np.full((1, 9), 0.5), 0.0, 0.5, ValueError, "image 0 is not"),
])
def test_bayes_proba_bad_input(X, noise, prior, exc, match):
    with pytest.raises(exc, match=match):
        lines_bayes_proba(X, noise, prior)


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
