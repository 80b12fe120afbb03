"""Small validation helpers shared by every public entry point of nncore.

Each helper checks one thing and, when it fails, raises an error whose
message names the object ("Linear(9 -> 4): input X"), the expected value and
the actual one, so a beginner can fix the call without reading this file:

    Linear(9 -> 4): input X has shape (5, 3); expected (N, 9)

Conventions
-----------
* ``TypeError`` when the *kind* of value is wrong (strings, objects, complex
  numbers, a seed where a ``np.random.Generator`` is needed).
* ``ValueError`` when the kind is right but the value is not (wrong shape or
  ndim, NaN/inf, labels out of range, a negative learning rate, an unknown
  name).

In an expected shape, an ``int`` must match exactly, while ``None`` or a
string such as ``"N"`` matches any size (the string is only used to print
the message).
"""
import math
import numbers

import numpy as np

__all__ = []  # private module: nothing is re-exported by ``import nncore``


class NonFiniteError(ValueError):
    """A NaN or inf where finite numbers are needed (a ``ValueError``).

    Its own class so that ``fit`` can tell "the network blew up during
    training" apart from other bad input, and say so.
    """


def _fmt_shape(shape):
    """Format a shape tuple, printing wildcards by name: ``(N, 9)``."""
    parts = ["*" if s is None else str(s) for s in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def as_float_array(x, name, ndim=None, *, finite=True):
    """Return `x` as a float64 ndarray, checking its kind, ndim and values.

    No copy is made when `x` already is a float64 array. Booleans are
    accepted and become 0.0 / 1.0.

    Parameters
    ----------
    x : array_like
        Numbers (int, float or bool).
    name : str
        How to name `x` in error messages, e.g. ``"Linear(9 -> 4): input X"``.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions; ``None`` allows any.
    finite : bool, default True
        Also reject NaN and +-inf.

    Returns
    -------
    ndarray of float64, same shape as `x`

    Raises
    ------
    TypeError
        If `x` holds strings, objects or complex numbers.
    ValueError
        If the ndim is not allowed or (with ``finite=True``) a value is NaN/inf.
    """
    if type(x) is np.ndarray and x.dtype == np.float64:  # the usual case: no conversion
        arr, kind = x, "f"
    else:
        arr = np.asarray(x)
        kind = arr.dtype.kind
        if kind not in "biuf":  # bool, signed int, unsigned int, float
            example = f" (e.g. {arr.ravel()[:1].tolist()[0]!r})" if arr.size else ""
            raise TypeError(f"{name} must hold real numbers; got dtype {arr.dtype}{example}")
        arr = arr.astype(np.float64, copy=False)
    if ndim is not None and arr.ndim != ndim:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(
                f"{name} must be {want}; got {arr.ndim}-D array of shape "
                f"{_fmt_shape(arr.shape)}"
            )
    if finite and kind == "f":  # bools and integers are always finite
        check_finite(arr, name)
    return arr


def _finite(x):
    """True if every entry of the float array `x` is finite.

    The sum of squares is finite exactly when every entry is finite, unless it
    overflows (entries beyond about 1e154); one BLAS call is cheaper than a
    boolean array, and an overflow falls through to the exact test.
    """
    return math.isfinite(np.vdot(x, x)) or bool(np.isfinite(x).all())


def all_finite(arrays):
    """True if every entry of every array in `arrays` is finite (no NaN, no inf)."""
    return all(_finite(a) for a in arrays)


def is_clean(x, shape=None):
    """True if `x` is a finite float64 ndarray (of `shape`, if given).

    Such an array needs no conversion and has nothing to report, so a public
    entry point asks this first and runs its naming checks only when it is
    False: the usual call pays for one pass over the data, not for building
    error messages it will not print.
    """
    return (type(x) is np.ndarray and x.dtype == np.float64
            and (shape is None or x.shape == shape) and _finite(x))


def check_finite(x, name):
    """Raise ``NonFiniteError`` (a ``ValueError``) if `x` contains NaN or +-inf.

    Parameters
    ----------
    x : ndarray
    name : str
        How to name `x` in the error message.
    """
    x = np.asarray(x)
    if _finite(x):
        return
    bad = np.argwhere(~np.isfinite(x))  # (n_bad, ndim) indices
    where = tuple(int(i) for i in bad[0])
    raise NonFiniteError(
        f"{name} contains {len(bad)} non-finite value(s) (NaN or inf), the "
        f"first at index {where}: {float(x[where])}"
    )


def check_shape(x, expected, name):
    """Raise ``ValueError`` unless ``x.shape`` matches `expected`.

    Parameters
    ----------
    x : ndarray
    expected : tuple of (int or None or str)
        An int must match; ``None`` or a name such as ``"N"`` matches anything.
    name : str
        How to name `x` in the error message.
    """
    shape = np.shape(x)
    if len(shape) == len(expected):
        for s, e in zip(shape, expected):
            if not (s == e or e is None or isinstance(e, str)):
                break
        else:
            return
    raise ValueError(
        f"{name} has shape {_fmt_shape(shape)}; expected {_fmt_shape(expected)}"
    )


def check_same_batch(a, b, names):
    """Raise ``ValueError`` unless `a` and `b` have the same first dimension.

    Parameters
    ----------
    a, b : ndarray
        Batch-first arrays, e.g. ``X`` of shape (N, D) and ``y`` of shape (N,).
    names : tuple of (str, str)
        How to name `a` and `b` in the error message.
    """
    if np.shape(a)[:1] != np.shape(b)[:1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must hold the same number of examples "
            f"(first dimension); got {names[0]} shape {_fmt_shape(np.shape(a))} "
            f"and {names[1]} shape {_fmt_shape(np.shape(b))}"
        )


def check_labels(y, n_classes, name):
    """Return integer class labels `y` as an int64 array, checking their range.

    Parameters
    ----------
    y : array_like, shape (N,)
        Class indices 0, 1, ..., n_classes - 1 (ints, bools, or floats that
        hold whole numbers).
    n_classes : int
    name : str
        How to name `y` in error messages.

    Returns
    -------
    ndarray of int64, shape (N,)
    """
    arr = as_float_array(y, name, ndim=1)
    if not np.all(arr == np.round(arr)):
        first = arr[arr != np.round(arr)][0]
        raise ValueError(f"{name} must hold whole-number class labels; got {float(first)!r}")
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name} must hold labels in 0..{n_classes - 1} ({n_classes} classes); "
            f"got values from {arr.min():g} to {arr.max():g}"
        )
    return arr.astype(np.int64)


def check_scalar(value, name):
    """Return `value` as a Python float, raising ``TypeError`` for non-numbers."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return value


def check_positive(value, name, *, allow_zero=False):
    """Return `value` as a float after checking ``value > 0`` (or ``>= 0``).

    Parameters
    ----------
    value : float
    name : str
        How to name `value` in the error message, e.g. ``"SGD: lr"``.
    allow_zero : bool, default False
        Accept 0 as well (for momentum, weight decay...).
    """
    value = check_scalar(value, name)
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}; got {value!r}")
    return value


def check_probability(value, name, *, allow_one=True):
    """Return scalar `value` as a float after checking it lies in [0, 1].

    Parameters
    ----------
    value : float
    name : str
    allow_one : bool, default True
        If False the range is [0, 1) (e.g. a dropout rate: p = 1 drops all).
    """
    value = check_scalar(value, name)
    if value < 0 or value > 1 or (value == 1 and not allow_one):
        interval = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(f"{name} must be in {interval}; got {value!r}")
    return value


def check_int(value, name, *, minimum=1):
    """Return `value` as an int after checking it is a whole number ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}")
    return int(value)


def check_choice(value, options, name):
    """Return `value` if it is one of `options`, else raise ``ValueError``.

    Parameters
    ----------
    value : str
    options : iterable of str
    name : str
        What is being chosen, e.g. ``"activation"``.
    """
    options = list(options)
    if not isinstance(value, str) or value not in options:
        valid = ", ".join(repr(o) for o in options)
        raise ValueError(f"unknown {name} {value!r}; choose one of {valid}")
    return value


def check_rng(rng, name):
    """Raise ``TypeError`` unless `rng` is a ``np.random.Generator``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a np.random.Generator, e.g. np.random.default_rng(0); "
            f"got {rng!r}"
        )
    return rng
