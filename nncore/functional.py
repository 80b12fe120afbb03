"""Activation functions, their derivatives, and stable softmax.

Every function works elementwise on an array of any shape (softmax and
friends work along one axis) and returns float64. Each ``*_grad(x)`` takes
the *pre-activation* x (the book's z) and returns d activation / dx, the
factor that backpropagation multiplies into the upstream gradient::

    dx = dout * relu_grad(x)

Numerically stable forms are used throughout, so inputs of +-1000 give
exact, finite results with no overflow warnings.
"""
import numpy as np

from ._checks import as_float_array, check_choice, check_positive
from ._special import erfc

__all__ = [
    "step", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad",
    "relu", "relu_grad", "leaky_relu", "leaky_relu_grad",
    "gelu", "gelu_grad", "softmax", "log_softmax", "logsumexp",
]

_SQRT_2 = np.sqrt(2.0)
_SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)  # used by the tanh approximation of GELU


def step(x):
    """Heaviside step, the perceptron's activation: 1 where x >= 0, else 0.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray of float64, same shape as `x`, values in {0.0, 1.0}
    """
    x = as_float_array(x, "step: x")
    return (x >= 0).astype(np.float64)


def sigmoid(x):
    """Logistic sigmoid 1 / (1 + exp(-x)), computed without overflow.

    ``e = exp(-abs(x))`` lies in (0, 1] for every x, so using it in both
    branches never overflows: for x >= 0 the value is ``1 / (1 + e)``, for
    x < 0 it is ``e / (1 + e)``.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray of float64, same shape as `x`, values in [0, 1]
    """
    return _sigmoid(as_float_array(x, "sigmoid: x"))


def _sigmoid(x):
    """``sigmoid`` for a float64 array already checked (layers and losses call this)."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    """Derivative of the sigmoid, sigma(x) * (1 - sigma(x)) = e / (1 + e)^2.

    Written with ``e = exp(-abs(x))`` (the derivative is even in x), which
    stays accurate where 1 - sigma(x) would round to 0.

    Parameters
    ----------
    x : array_like, any shape
        Pre-activation.

    Returns
    -------
    ndarray of float64, same shape as `x`, values in [0, 0.25]
    """
    x = as_float_array(x, "sigmoid_grad: x")
    e = np.exp(-np.abs(x))
    return e / (1.0 + e) ** 2


def tanh(x):
    """Hyperbolic tangent, values in [-1, 1].

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray of float64, same shape as `x`
    """
    return np.tanh(as_float_array(x, "tanh: x"))


def tanh_grad(x):
    """Derivative of tanh: 1 - tanh(x)^2.

    Parameters
    ----------
    x : array_like, any shape
        Pre-activation.

    Returns
    -------
    ndarray of float64, same shape as `x`, values in [0, 1]
    """
    t = np.tanh(as_float_array(x, "tanh_grad: x"))
    return 1.0 - t * t


def relu(x):
    """Rectified linear unit max(x, 0).

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray of float64, same shape as `x`
    """
    return np.maximum(as_float_array(x, "relu: x"), 0.0)


def relu_grad(x):
    """Derivative of ReLU: 1 where x > 0, else 0 (we pick 0 at x = 0, as PyTorch).

    Parameters
    ----------
    x : array_like, any shape
        Pre-activation.

    Returns
    -------
    ndarray of float64, same shape as `x`, values in {0.0, 1.0}
    """
    return (as_float_array(x, "relu_grad: x") > 0).astype(np.float64)


def leaky_relu(x, negative_slope=0.01):
    """Leaky ReLU: x where x > 0, else negative_slope * x.

    Parameters
    ----------
    x : array_like, any shape
    negative_slope : float, default 0.01
        Slope for negative inputs (>= 0).

    Returns
    -------
    ndarray of float64, same shape as `x`
    """
    x = as_float_array(x, "leaky_relu: x")
    a = check_positive(negative_slope, "leaky_relu: negative_slope", allow_zero=True)
    return np.where(x > 0, x, a * x)


def leaky_relu_grad(x, negative_slope=0.01):
    """Derivative of leaky ReLU: 1 where x > 0, else negative_slope.

    Parameters
    ----------
    x : array_like, any shape
        Pre-activation.
    negative_slope : float, default 0.01

    Returns
    -------
    ndarray of float64, same shape as `x`
    """
    x = as_float_array(x, "leaky_relu_grad: x")
    a = check_positive(negative_slope, "leaky_relu_grad: negative_slope", allow_zero=True)
    return np.where(x > 0, 1.0, a)


def _normal_cdf(x):
    """Phi(x), the standard normal CDF, accurate in both tails."""
    return 0.5 * erfc(-x / _SQRT_2)


def gelu(x, approximate="none"):
    """Gaussian error linear unit, x * Phi(x) (Hendrycks and Gimpel 2016).

    Parameters
    ----------
    x : array_like, any shape
    approximate : {"none", "tanh"}, default "none"
        ``"none"`` uses the exact normal CDF Phi; ``"tanh"`` uses
        0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))), as PyTorch.

    Returns
    -------
    ndarray of float64, same shape as `x`
    """
    x = as_float_array(x, "gelu: x")
    check_choice(approximate, ("none", "tanh"), "gelu approximation")
    if approximate == "tanh":
        return 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))
    return x * _normal_cdf(x)


def gelu_grad(x, approximate="none"):
    """Derivative of GELU with respect to its input x.

    Exact form: d/dx [x Phi(x)] = Phi(x) + x phi(x), with phi the normal pdf.

    Parameters
    ----------
    x : array_like, any shape
        Pre-activation.
    approximate : {"none", "tanh"}, default "none"
        Must match the one used in the forward pass.

    Returns
    -------
    ndarray of float64, same shape as `x`
    """
    x = as_float_array(x, "gelu_grad: x")
    check_choice(approximate, ("none", "tanh"), "gelu approximation")
    if approximate == "tanh":
        t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3))
        dt_dx = (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x**2)
        return 0.5 * (1.0 + t) + 0.5 * x * dt_dx
    pdf = np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
    return _normal_cdf(x) + x * pdf


def logsumexp(z, axis=-1, keepdims=False):
    """log(sum(exp(z))) along `axis`, computed stably.

    Subtracting the maximum m first keeps every exp(z - m) in (0, 1]:
    log sum exp(z) = m + log sum exp(z - m).

    Parameters
    ----------
    z : array_like, e.g. logits of shape (N, C)
    axis : int, default -1
    keepdims : bool, default False

    Returns
    -------
    ndarray of float64, `z`'s shape without `axis` (or with size 1 if `keepdims`)
    """
    return _logsumexp(as_float_array(z, "logsumexp: z"), axis, keepdims)


def _logsumexp(z, axis, keepdims):
    """``logsumexp`` for a float64 array already checked."""
    m = z.max(axis=axis, keepdims=True)  # (N, 1) for z of shape (N, C)
    out = m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(z, axis=-1):
    """Softmax exp(z) / sum(exp(z)) along `axis`, with max-subtraction.

    Parameters
    ----------
    z : array_like, e.g. logits of shape (N, C)
    axis : int, default -1
        The class axis; each slice along it sums to 1.

    Returns
    -------
    ndarray of float64, same shape as `z`, values in [0, 1]
    """
    return _softmax(as_float_array(z, "softmax: z"), axis)


def _softmax(z, axis):
    """``softmax`` for a float64 array already checked."""
    e = np.exp(z - z.max(axis=axis, keepdims=True))  # (N, C), largest entry 1
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z, axis=-1):
    """log(softmax(z)) = z - logsumexp(z), exact even when softmax underflows.

    Parameters
    ----------
    z : array_like, e.g. logits of shape (N, C)
    axis : int, default -1

    Returns
    -------
    ndarray of float64, same shape as `z`, values <= 0
    """
    return _log_softmax(as_float_array(z, "log_softmax: z"), axis)


def _log_softmax(z, axis):
    """``log_softmax`` for a float64 array already checked."""
    return z - _logsumexp(z, axis, keepdims=True)
