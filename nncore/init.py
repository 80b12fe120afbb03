"""Weight initialisation schemes.

A Linear layer computes Y = X W + b with W of shape (fan_in, fan_out). How
large the random entries of W start out decides whether signals keep their
size as they flow through many layers:

* Xavier / Glorot (Glorot and Bengio 2010) keeps the variance of activations
  and gradients roughly constant for tanh and sigmoid layers:
  Var(W) = 2 / (fan_in + fan_out).
* He / Kaiming (He et al. 2015) doubles the variance to make up for ReLU
  zeroing half its inputs: Var(W) = 2 / fan_in.

Every random scheme takes an explicit ``np.random.Generator`` so the same
seed always gives the same weights.
"""
import numpy as np

from ._checks import check_choice, check_int, check_positive, check_rng

__all__ = [
    "zeros", "normal", "xavier_uniform", "xavier_normal", "he_normal",
    "he_uniform", "INITIALIZERS", "get_initializer",
]


def _check_fans(fan_in, fan_out, name):
    return check_int(fan_in, f"{name}: fan_in"), check_int(fan_out, f"{name}: fan_out")


def zeros(shape):
    """All-zero float64 array (the usual start for biases).

    Parameters
    ----------
    shape : int or tuple of int

    Returns
    -------
    ndarray of float64, shape `shape`
    """
    return np.zeros(shape, dtype=np.float64)


def normal(shape, std, rng):
    """Entries drawn from N(0, std^2).

    Parameters
    ----------
    shape : int or tuple of int
    std : float
        Standard deviation, > 0.
    rng : np.random.Generator

    Returns
    -------
    ndarray of float64, shape `shape`
    """
    std = check_positive(std, "normal: std")
    return check_rng(rng, "normal: rng").normal(0.0, std, size=shape)


def xavier_uniform(fan_in, fan_out, rng):
    """Glorot and Bengio (2010) uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)).

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs and outputs of the layer (D_in, D_out).
    rng : np.random.Generator

    Returns
    -------
    ndarray of float64, shape (fan_in, fan_out)
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out, "xavier_uniform")
    a = np.sqrt(6.0 / (fan_in + fan_out))  # Var(U(-a, a)) = a^2 / 3 = 2 / (in + out)
    return check_rng(rng, "xavier_uniform: rng").uniform(-a, a, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng):
    """Glorot and Bengio (2010) normal: N(0, 2 / (fan_in + fan_out)).

    Parameters
    ----------
    fan_in, fan_out : int
    rng : np.random.Generator

    Returns
    -------
    ndarray of float64, shape (fan_in, fan_out)
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out, "xavier_normal")
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return check_rng(rng, "xavier_normal: rng").normal(0.0, std, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, rng):
    """He et al. (2015) normal for ReLU layers: N(0, 2 / fan_in).

    Parameters
    ----------
    fan_in, fan_out : int
    rng : np.random.Generator

    Returns
    -------
    ndarray of float64, shape (fan_in, fan_out)
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out, "he_normal")
    std = np.sqrt(2.0 / fan_in)
    return check_rng(rng, "he_normal: rng").normal(0.0, std, size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, rng):
    """He et al. (2015) uniform for ReLU layers: U(-a, a), a = sqrt(6 / fan_in).

    Parameters
    ----------
    fan_in, fan_out : int
    rng : np.random.Generator

    Returns
    -------
    ndarray of float64, shape (fan_in, fan_out)
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out, "he_uniform")
    a = np.sqrt(6.0 / fan_in)  # Var = a^2 / 3 = 2 / fan_in
    return check_rng(rng, "he_uniform: rng").uniform(-a, a, size=(fan_in, fan_out))


def _normal_001(fan_in, fan_out, rng):
    """N(0, 0.01^2): the small fixed-scale start of early tutorials."""
    return normal((fan_in, fan_out), 0.01, rng)


def _zeros(fan_in, fan_out, rng):
    """All zeros (shows why symmetry must be broken)."""
    return zeros((fan_in, fan_out))


#: Weight initialisers by name, as used by ``Linear(init=...)``. Each is
#: called as ``f(fan_in, fan_out, rng)`` and returns shape (fan_in, fan_out).
INITIALIZERS = {
    "he": he_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "xavier": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "normal": _normal_001,
    "zeros": _zeros,
}


def get_initializer(name):
    """Look up a weight initialiser by name.

    Parameters
    ----------
    name : str
        One of the keys of ``INITIALIZERS``: "he" (= "he_normal"),
        "he_uniform", "xavier" (= "xavier_uniform"), "xavier_normal",
        "normal" (std 0.01) or "zeros".

    Returns
    -------
    callable
        ``f(fan_in, fan_out, rng) -> ndarray, shape (fan_in, fan_out)``
    """
    return INITIALIZERS[check_choice(name, INITIALIZERS, "init")]
