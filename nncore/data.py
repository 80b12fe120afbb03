"""Data for the book: the 3x3 line images, toy 2-D sets, one real table, and plumbing.

* The running problem: 3x3 images of a vertical line (label 1) or a
  horizontal line (label 0), clean (:func:`clean_lines`) or noisy
  (:func:`make_lines`), and the best any classifier can do on them
  (:func:`lines_bayes_proba`).
* Toy sets for decision boundaries: :func:`make_xor`, :func:`make_moons`,
  :func:`make_circles`, :func:`make_blobs`.
* A real tabular data set, shipped in ``nncore/datasets/``: :func:`load_wine`.
* Plumbing: :func:`train_val_test_split`, :class:`StandardScaler`,
  :func:`one_hot`, :func:`iterate_minibatches`.

Every random choice goes through an explicit ``rng`` argument
(``np.random.default_rng(seed)``), so the same seed gives the same data.
"""
from importlib import resources
from typing import NamedTuple

import numpy as np

from ._checks import (as_float_array, check_int, check_labels, check_positive,
                      check_probability, check_rng, check_same_batch, check_shape)
from ._special import log_erfc
from .functional import sigmoid

__all__ = [
    "LINE_PATTERNS", "LINE_LABELS", "LINE_CLASS_NAMES", "clean_lines", "make_lines",
    "lines_bayes_proba",
    "make_xor", "make_moons", "make_circles", "make_blobs",
    "TabularData", "load_wine",
    "train_val_test_split", "StandardScaler", "one_hot", "iterate_minibatches",
]

# --- the running problem: 3x3 line images ------------------------------------
# Pixels are read row by row: pixel k sits at row k // 3, column k % 3.
LINE_PATTERNS = np.array([
    [1, 0, 0, 1, 0, 0, 1, 0, 0],  # vertical line, left column      label 1
    [0, 1, 0, 0, 1, 0, 0, 1, 0],  # vertical line, middle column    label 1
    [0, 0, 1, 0, 0, 1, 0, 0, 1],  # vertical line, right column     label 1
    [1, 1, 1, 0, 0, 0, 0, 0, 0],  # horizontal line, top row        label 0
    [0, 0, 0, 1, 1, 1, 0, 0, 0],  # horizontal line, middle row     label 0
    [0, 0, 0, 0, 0, 0, 1, 1, 1],  # horizontal line, bottom row     label 0
], dtype=np.float64)  # (6, 9)
LINE_LABELS = np.array([1, 1, 1, 0, 0, 0])  # (6,)  1 = vertical, 0 = horizontal
LINE_CLASS_NAMES = ("horizontal", "vertical")  # LINE_CLASS_NAMES[label]
LINE_PATTERNS.flags.writeable = False
LINE_LABELS.flags.writeable = False


def clean_lines():
    """The six clean 3x3 line images and their labels.

    Returns
    -------
    X : ndarray, shape (6, 9)
        Pixels in {0.0, 1.0}, one flattened image per row (row-major, so
        ``X[i].reshape(3, 3)`` is the picture): three vertical lines (left,
        middle, right), then three horizontal lines (top, middle, bottom).
    y : ndarray of int, shape (6,)
        ``[1, 1, 1, 0, 0, 0]``: 1 = vertical, 0 = horizontal.
    """
    return LINE_PATTERNS.copy(), LINE_LABELS.copy()


def _balanced_labels(n, n_classes, rng):
    """n labels 0..n_classes-1, equal in number (lower labels get any extra), shuffled."""
    return rng.permutation(np.arange(n) % n_classes)  # (n,)


def make_lines(n, noise, rng):
    """Noisy 3x3 line images: the book's running vertical-vs-horizontal problem.

    Each sample is made in three steps:

    1. its label is fixed so the classes are balanced: ``n - n // 2``
       horizontal (0) and ``n // 2`` vertical (1) images, in random order;
    2. one of the three lines of that class (left/middle/right column or
       top/middle/bottom row) is picked uniformly at random;
    3. Gaussian noise with mean 0 and standard deviation `noise` is added to
       every pixel independently, and the result is clipped to [0, 1].

    With ``noise=0`` every row is exactly one of the clean patterns.

    Parameters
    ----------
    n : int
        Number of images (>= 1).
    noise : float
        Standard deviation of the pixel noise (>= 0), before clipping.
    rng : numpy.random.Generator
        Source of all randomness, e.g. ``np.random.default_rng(0)``.

    Returns
    -------
    X : ndarray, shape (n, 9)
        Pixel values in [0, 1].
    y : ndarray of int, shape (n,)
        Labels, 1 = vertical, 0 = horizontal.
    """
    n = check_int(n, "make_lines: n")
    noise = check_positive(noise, "make_lines: noise", allow_zero=True)
    check_rng(rng, "make_lines: rng")
    y = _balanced_labels(n, 2, rng)  # (n,)
    which = rng.integers(0, 3, size=n)  # which of the 3 lines of the class
    pattern = np.where(y == 1, which, 3 + which)  # row of LINE_PATTERNS, (n,)
    X = LINE_PATTERNS[pattern] + noise * rng.standard_normal((n, 9))  # (n, 9)
    return np.clip(X, 0.0, 1.0), y


def _log_mean_exp(a):
    """log(mean(exp(a), axis=1)) without overflow or underflow; a: (N, K) -> (N,)."""
    m = a.max(axis=1, keepdims=True)  # (N, 1)
    return m[:, 0] + np.log(np.mean(np.exp(a - m), axis=1))


def lines_bayes_proba(X, noise, p_vertical=0.5):
    """The exact probability that each image came from a vertical line, given the generator.

    This is the Bayes-optimal classifier for :func:`make_lines`: predicting
    "vertical" when the result exceeds 1/2 has the highest expected accuracy
    any classifier can reach on those images. It applies Bayes' rule to the
    generator itself:

    * each of the six clean patterns explains an image with likelihood
      ``prod_k p(x_k | c_k)``, where ``c_k`` is the pattern's pixel (0 or 1):
      an interior pixel ``0 < x_k < 1`` contributes the Gaussian density
      ``phi((x_k - c_k) / noise) / noise``; a pixel clipped to 0 contributes
      the mass the clip put there, ``P(c_k + noise * Z <= 0)``, and a pixel
      at 1 contributes ``P(c_k + noise * Z >= 1)`` (so a line pixel at 1
      contributes 1/2, a background pixel at 1 a tiny tail);
    * a class's likelihood is the mean over its three patterns (each is
      picked with probability 1/3), and the classes are weighed by their
      prior, ``p_vertical`` and ``1 - p_vertical``.

    Everything is computed in logs, so tiny noise levels do not underflow.
    With ``noise=0`` every image must be one of the six clean patterns, and
    its label is returned.

    Parameters
    ----------
    X : array_like, shape (N, 9)
        Images with pixels in [0, 1], as :func:`make_lines` makes them.
    noise : float
        The generator's noise standard deviation (>= 0).
    p_vertical : float, default 0.5
        Prior probability of a vertical line, in (0, 1); :func:`make_lines`
        makes balanced sets (1/2). Change it for a set with another mix.

    Returns
    -------
    ndarray of float64, shape (N,)
        ``P(vertical | X[n])`` for each image.

    Examples
    --------
    >>> X, y = make_lines(1000, 0.5, np.random.default_rng(0))
    >>> best = np.mean((lines_bayes_proba(X, 0.5) > 0.5) == y)  # doctest: +SKIP
    """
    X = as_float_array(X, "lines_bayes_proba: X", ndim=2)
    check_shape(X, ("N", 9), "lines_bayes_proba: X (3x3 line images)")
    if X.size and (X.min() < 0 or X.max() > 1):
        raise ValueError("lines_bayes_proba: X must hold pixels in [0, 1], as make_lines "
                         f"clips them; got values from {X.min():g} to {X.max():g}")
    noise = check_positive(noise, "lines_bayes_proba: noise", allow_zero=True)
    prior = check_probability(p_vertical, "lines_bayes_proba: p_vertical")
    if prior in (0.0, 1.0):
        raise ValueError(f"lines_bayes_proba: p_vertical must be in (0, 1); got {prior!r}")
    if noise == 0:
        match = np.all(X[:, None, :] == LINE_PATTERNS[None, :, :], axis=2)  # (N, 6)
        if not match.any(axis=1).all():
            bad = int(np.flatnonzero(~match.any(axis=1))[0])
            raise ValueError(f"lines_bayes_proba: with noise=0 every image must be one of the "
                             f"six clean patterns; image {bad} is not: {X[bad].tolist()}")
        return LINE_LABELS[match.argmax(axis=1)].astype(np.float64)
    # log p(x_k | c_k) for c_k = 0 and c_k = 1, each (N, 9)
    log_half = np.log(0.5)
    log_tail = np.log(0.5) + log_erfc(np.array(1.0 / (noise * np.sqrt(2.0))))  # P(Z > 1/noise)
    log_density = -0.5 * np.log(2 * np.pi) - np.log(noise)
    at0, at1 = X == 0.0, X == 1.0
    L0 = np.where(at0, log_half, np.where(at1, log_tail, log_density - 0.5 * (X / noise) ** 2))
    L1 = np.where(at1, log_half, np.where(at0, log_tail,
                                          log_density - 0.5 * ((X - 1) / noise) ** 2))
    ll = L0 @ (1 - LINE_PATTERNS).T + L1 @ LINE_PATTERNS.T  # (N, 6) log p(x | pattern)
    log_v = _log_mean_exp(ll[:, LINE_LABELS == 1])  # (N,) log p(x | vertical)
    log_h = _log_mean_exp(ll[:, LINE_LABELS == 0])  # (N,) log p(x | horizontal)
    return sigmoid(log_v - log_h + np.log(prior) - np.log1p(-prior))


# --- toy 2-D sets --------------------------------------------------------------
_XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_XOR_Y = np.array([0, 1, 1, 0])


def make_xor(n=None, noise=0.0, rng=None):
    """The XOR problem: label 1 when exactly one of the two inputs is 1.

    Parameters
    ----------
    n : int, optional
        If None (default), return the four corners (0,0), (0,1), (1,0), (1,1)
        in that order, no randomness involved. Otherwise draw `n` points:
        the corners are used in equal numbers (as far as `n` allows), in
        random order, each with Gaussian noise of std `noise` added to both
        coordinates (not clipped).
    noise : float, default 0.0
        Standard deviation of the noise (>= 0); only used when `n` is given.
    rng : numpy.random.Generator, optional
        Needed when `n` is given.

    Returns
    -------
    X : ndarray, shape (4, 2) or (n, 2)
    y : ndarray of int, shape (4,) or (n,)
        ``XOR(corner)``: 0 for (0,0) and (1,1), 1 for (0,1) and (1,0).
    """
    if n is None:
        return _XOR_X.copy(), _XOR_Y.copy()
    n = check_int(n, "make_xor: n")
    noise = check_positive(noise, "make_xor: noise", allow_zero=True)
    check_rng(rng, "make_xor: rng")
    corner = _balanced_labels(n, 4, rng)  # (n,) index of the corner
    X = _XOR_X[corner] + noise * rng.standard_normal((n, 2))  # (n, 2)
    return X, _XOR_Y[corner].copy()


def make_moons(n, noise, rng):
    """Two interleaving half circles ("moons"), a set no straight line separates.

    Class 0 lies on the upper half circle ``(cos t, sin t)``, class 1 on the
    lower one ``(1 - cos t, 0.5 - sin t)``, with t uniform in [0, pi]; then
    Gaussian noise of std `noise` is added to both coordinates.

    Parameters
    ----------
    n : int
        Number of points (>= 1); ``n // 2`` of class 1, the rest class 0.
    noise : float
        Standard deviation of the noise (>= 0).
    rng : numpy.random.Generator

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,), values in {0, 1}
    """
    n = check_int(n, "make_moons: n")
    noise = check_positive(noise, "make_moons: noise", allow_zero=True)
    check_rng(rng, "make_moons: rng")
    y = _balanced_labels(n, 2, rng)  # (n,)
    t = rng.uniform(0.0, np.pi, size=n)  # (n,)
    upper = np.column_stack([np.cos(t), np.sin(t)])  # (n, 2)
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])  # (n, 2)
    X = np.where(y[:, None] == 0, upper, lower)  # (n, 2)
    return X + noise * rng.standard_normal((n, 2)), y


def make_circles(n, noise, rng, factor=0.5):
    """A small circle inside a big one: class 0 outside (radius 1), class 1 inside.

    Angles are uniform in [0, 2 pi); the inner circle has radius `factor`;
    Gaussian noise of std `noise` is added to both coordinates.

    Parameters
    ----------
    n : int
        Number of points (>= 1); ``n // 2`` of class 1, the rest class 0.
    noise : float
        Standard deviation of the noise (>= 0).
    rng : numpy.random.Generator
    factor : float, default 0.5
        Radius of the inner circle, in (0, 1).

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray of int, shape (n,), values in {0, 1}
    """
    n = check_int(n, "make_circles: n")
    noise = check_positive(noise, "make_circles: noise", allow_zero=True)
    check_rng(rng, "make_circles: rng")
    factor = check_positive(factor, "make_circles: factor")
    if factor >= 1:
        raise ValueError(f"make_circles: factor must be in (0, 1); got {factor!r}")
    y = _balanced_labels(n, 2, rng)  # (n,)
    angle = rng.uniform(0.0, 2 * np.pi, size=n)  # (n,)
    radius = np.where(y == 0, 1.0, factor)  # (n,)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])  # (n, 2)
    return X + noise * rng.standard_normal((n, 2)), y


def make_blobs(n, noise, rng, centers=3):
    """Gaussian blobs: points scattered around a few centres, one class per centre.

    Parameters
    ----------
    n : int
        Number of points (>= 1), shared as equally as possible between classes.
    noise : float
        Standard deviation of each blob (> 0 makes a cloud; 0 puts every point
        on its centre).
    rng : numpy.random.Generator
    centers : int or array_like of shape (K, D), default 3
        An int K places K centres evenly on a circle of radius 2 in 2-D
        (K >= 2); an array gives the centres themselves.

    Returns
    -------
    X : ndarray, shape (n, D)
        D = 2 unless `centers` is an array with D columns.
    y : ndarray of int, shape (n,), values in 0..K-1
        The index of the centre each point was drawn around.
    """
    n = check_int(n, "make_blobs: n")
    noise = check_positive(noise, "make_blobs: noise", allow_zero=True)
    check_rng(rng, "make_blobs: rng")
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = check_int(centers, "make_blobs: centers", minimum=2)
        angle = 2 * np.pi * np.arange(k) / k  # (K,)
        C = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])  # (K, 2)
    else:
        C = as_float_array(centers, "make_blobs: centers", ndim=2)
        if C.shape[0] < 2:
            raise ValueError(f"make_blobs: centers needs at least 2 rows; got shape {C.shape}")
    y = _balanced_labels(n, C.shape[0], rng)  # (n,)
    X = C[y] + noise * rng.standard_normal((n, C.shape[1]))  # (n, D)
    return X, y


# --- a real tabular data set ----------------------------------------------------
class TabularData(NamedTuple):
    """A table of features and class labels; unpacks as ``X, y, names, targets``.

    Attributes
    ----------
    X : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)
    feature_names : tuple of str, length D
    target_names : tuple of str, length C
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple
    target_names: tuple


def load_wine():
    """The UCI Wine recognition data: 178 wines, 13 chemical measurements, 3 cultivars.

    Shipped with nncore as ``nncore/datasets/wine.csv`` (no download). The
    features are on very different scales (hue is about 1, proline about
    750), so they need standardising, with the scaler fit on training data.

    Source: Aeberhard, S. and Forina, M. (1991). *Wine* [Dataset]. UCI
    Machine Learning Repository, https://doi.org/10.24432/C5PC7J, licensed
    CC BY 4.0. Original owners: Forina, M. et al., PARVUS, Institute of
    Pharmaceutical and Food Analysis and Technologies, Genoa, Italy. See
    ``nncore/datasets/README.md`` for how the file was made.

    Returns
    -------
    TabularData
        ``X`` : ndarray, shape (178, 13), float64;
        ``y`` : ndarray of int, shape (178,), cultivar 0, 1 or 2
        (59, 71 and 48 wines);
        ``feature_names`` : tuple of 13 str;
        ``target_names`` : ``("cultivar_0", "cultivar_1", "cultivar_2")``.
    """
    path = resources.files("nncore") / "datasets" / "wine.csv"
    with path.open("r", encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        table = np.loadtxt(f, delimiter=",", dtype=np.float64)  # (178, 14)
    X, y = table[:, :-1], table[:, -1].astype(np.int64)
    return TabularData(X, y, tuple(header[:-1]), ("cultivar_0", "cultivar_1", "cultivar_2"))


# --- plumbing ---------------------------------------------------------------------
def _xy(X, y, who):
    """Validate a batch-first pair: X 1-D or more with finite numbers, y of matching length."""
    X = as_float_array(X, f"{who}: X")
    if X.ndim < 1:
        raise ValueError(f"{who}: X must have a batch dimension; got a scalar")
    y = np.asarray(y)
    if y.ndim < 1:
        raise ValueError(f"{who}: y must have a batch dimension; got a scalar")
    check_same_batch(X, y, (f"{who}: X", f"{who}: y"))
    return X, y


def train_val_test_split(X, y, val_size, test_size, rng, stratify=False):
    """Shuffle and split a data set into training, validation and test parts.

    The three parts never share an example. Sizes are fractions of N, rounded
    to the nearest whole number of examples; with ``stratify=True`` the
    fractions are applied within each class separately, so every part keeps
    the class proportions (totals can then differ from the unstratified ones
    by rounding).

    Parameters
    ----------
    X : ndarray, shape (N, ...)
    y : ndarray, shape (N,) or (N, K)
    val_size, test_size : float
        Fractions in [0, 1) with ``val_size + test_size < 1``.
    rng : numpy.random.Generator
    stratify : bool, default False
        Split each class separately (needs `y` of integer labels, shape (N,)).

    Returns
    -------
    X_train, X_val, X_test : ndarray, shapes (N_train, ...), (N_val, ...), (N_test, ...)
    y_train, y_val, y_test : ndarray, shapes (N_train,), (N_val,), (N_test,)
    """
    X, y = _xy(X, y, "train_val_test_split")
    for name, size in (("val_size", val_size), ("test_size", test_size)):
        size = check_positive(size, f"train_val_test_split: {name}", allow_zero=True)
        if size >= 1:
            raise ValueError(f"train_val_test_split: {name} must be a fraction in [0, 1); "
                             f"got {size!r}")
    if val_size + test_size >= 1:
        raise ValueError("train_val_test_split: val_size + test_size must be < 1 to leave "
                         f"training data; got {val_size} + {test_size} = {val_size + test_size}")
    check_rng(rng, "train_val_test_split: rng")
    if stratify:
        labels = as_float_array(y, "train_val_test_split: y (stratify=True)", ndim=1)
        labels = check_labels(labels, int(labels.max()) + 1, "train_val_test_split: y")
        groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    else:
        groups = [np.arange(len(y))]
    parts = ([], [], [])  # train, val, test indices
    for idx in groups:
        idx = rng.permutation(idx)
        n_test = int(round(test_size * len(idx)))
        n_val = int(round(val_size * len(idx)))
        parts[2].append(idx[:n_test])
        parts[1].append(idx[n_test:n_test + n_val])
        parts[0].append(idx[n_test + n_val:])
    train, val, test = (rng.permutation(np.concatenate(p)) for p in parts)
    if len(train) == 0:
        raise ValueError(f"train_val_test_split: no training examples left from N={len(y)}; "
                         "use smaller val_size/test_size")
    return X[train], X[val], X[test], y[train], y[val], y[test]


class StandardScaler:
    """Standardise features: subtract each column's mean, divide by its std.

    ``fit`` learns ``mean_`` and ``scale_`` from the training data only;
    ``transform`` then applies those same numbers to any data (validation,
    test, new inputs), which is what prevents leakage. A column with zero
    variance gets ``scale_ = 1`` (it is only centred), so nothing is divided
    by zero.

    Attributes
    ----------
    mean_ : ndarray, shape (D,)
        Column means of the data passed to ``fit``.
    scale_ : ndarray, shape (D,)
        Column standard deviations (population, ``ddof=0``), with 0 replaced by 1.

    Examples
    --------
    >>> scaler = StandardScaler().fit(X_train)    # learn from training data
    >>> X_train_s = scaler.transform(X_train)
    >>> X_test_s = scaler.transform(X_test)       # same mean_ and scale_
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def _check(self, X, who):
        if self.mean_ is None:
            raise RuntimeError(f"StandardScaler.{who}: call fit(X_train) first; "
                               "the scaler has not been fitted")
        X = as_float_array(X, f"StandardScaler.{who}: X", ndim=2)
        check_shape(X, ("N", self.mean_.shape[0]), f"StandardScaler.{who}: X")
        return X

    def fit(self, X):
        """Learn the column means and standard deviations of `X`.

        Parameters
        ----------
        X : ndarray, shape (N, D)
            Training data, N >= 1.

        Returns
        -------
        self : StandardScaler
        """
        X = as_float_array(X, "StandardScaler.fit: X", ndim=2)
        if X.shape[0] == 0:
            raise ValueError(f"StandardScaler.fit: X needs at least one row; got shape {X.shape}")
        self.mean_ = X.mean(axis=0)  # (D,)
        std = X.std(axis=0)  # (D,)
        self.scale_ = np.where(std > 0, std, 1.0)  # (D,)  constant column -> 1
        return self

    def transform(self, X):
        """Return ``(X - mean_) / scale_``.

        Parameters
        ----------
        X : ndarray, shape (N, D)

        Returns
        -------
        ndarray, shape (N, D)
        """
        X = self._check(X, "transform")
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``; use on training data only.

        Parameters
        ----------
        X : ndarray, shape (N, D)

        Returns
        -------
        ndarray, shape (N, D)
        """
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """Undo :meth:`transform`: ``X * scale_ + mean_``.

        Parameters
        ----------
        X : ndarray, shape (N, D)

        Returns
        -------
        ndarray, shape (N, D)
        """
        X = self._check(X, "inverse_transform")
        return X * self.scale_ + self.mean_


def one_hot(y, n_classes):
    """Turn class labels into one-hot rows.

    Parameters
    ----------
    y : array_like of int, shape (N,)
        Labels in 0..n_classes-1.
    n_classes : int
        Number of classes C (>= 1).

    Returns
    -------
    ndarray, shape (N, C)
        ``Y[i, y[i]] = 1.0``, every other entry 0.0.
    """
    n_classes = check_int(n_classes, "one_hot: n_classes")
    y = check_labels(y, n_classes, "one_hot: y")
    Y = np.zeros((y.shape[0], n_classes))  # (N, C)
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


def iterate_minibatches(X, y, batch_size, rng=None, shuffle=True):
    """Yield mini-batches ``(Xb, yb)`` that cover every example once (one epoch).

    Parameters
    ----------
    X : ndarray, shape (N, D)
        Inputs.
    y : ndarray, shape (N,) or (N, K)
        Targets, split along the first axis like `X`.
    batch_size : int
        Examples per batch (>= 1). The last batch is smaller when
        `batch_size` does not divide N.
    rng : numpy.random.Generator, optional
        Source of the shuffle; required when ``shuffle=True``.
    shuffle : bool, default True
        Visit the examples in a new random order (a permutation from `rng`).

    Returns
    -------
    iterator of (Xb, yb)
        ``Xb`` : ndarray, shape (B, D); ``yb`` : ndarray, shape (B,) or (B, K);
        B = `batch_size`, except possibly for the last batch. The inputs are
        checked when the function is called, not when iteration starts.
    """
    X, y = _xy(X, y, "iterate_minibatches")
    batch_size = check_int(batch_size, "iterate_minibatches: batch_size")
    n = X.shape[0]
    if shuffle:
        check_rng(rng, "iterate_minibatches: rng (needed because shuffle=True)")
        order = rng.permutation(n)  # (N,)
    else:
        order = np.arange(n)
    return _batches(X, y, order, batch_size)  # checked above, so errors show at the call


def _batches(X, y, order, batch_size):
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]  # (B,)
        yield X.take(idx, axis=0), y.take(idx, axis=0)  # take: X[idx], faster
