"""Activation layers: elementwise nonlinearities with a cached backward pass.

Each layer applies a = f(z) to every entry of its input z (any shape, usually
(N, D) batch-first) and has no parameters. Forward caches exactly what the
derivative needs, so backward is one multiplication by f'(z)::

    dz = da * f'(z)                                  # same shape as z

The formulas themselves live in ``nncore.functional``. Every layer here
shares one ``forward(z)`` and one ``backward(da)``: they check the input (or
the upstream gradient against the output's shape) and call the layer's own
unchecked ``_forward`` / ``_backward``, which is what a ``Sequential`` runs
once its first layer has checked the batch.
"""
import numpy as np

from . import functional as F
from ._checks import as_float_array, check_choice, check_positive
from ._special import erfc
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "Softmax"]


class _Activation(Module):
    """Shared plumbing: input checking and the backward-before-forward guard."""

    def __init__(self):
        super().__init__()
        self._cache = None  # filled by forward

    def __repr__(self):
        return f"{type(self).__name__}()"

    def _check_input(self, z):
        return as_float_array(z, f"{self.short_name()}: input")

    def forward(self, z):
        """z : array_like, any shape -> a : ndarray, same shape."""
        return self._forward(self._check_input(z))

    def backward(self, da):
        """da : ndarray, shape of the forward output -> dz, same shape."""
        self._check_ready(self._cache)
        return self._backward(self._check_dout(da, self._output_shape()))

    def _output_shape(self):
        return self._cache.shape


class ReLU(_Activation):
    """Rectified linear unit, a = max(z, 0).

    Forward caches the mask z > 0; backward lets the gradient through only
    where the unit was active.

    Examples
    --------
    >>> ReLU()(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    """

    def _forward(self, z):
        self._cache = z > 0  # the mask: f'(z) as booleans, same shape as z
        return np.maximum(z, 0.0)

    def _backward(self, da):
        return da * self._cache  # True counts as 1, False as 0


class LeakyReLU(_Activation):
    """Leaky ReLU, a = z if z > 0 else negative_slope * z.

    Parameters
    ----------
    negative_slope : float, default 0.01
        Slope for negative inputs (>= 0); keeps "dead" units learning.
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = check_positive(
            negative_slope, "LeakyReLU: negative_slope", allow_zero=True)

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope:g})"

    def _forward(self, z):
        self._cache = z > 0
        return np.where(self._cache, z, self.negative_slope * z)

    def _backward(self, da):
        return np.where(self._cache, da, self.negative_slope * da)


class Sigmoid(_Activation):
    """Logistic sigmoid, a = 1 / (1 + exp(-z)); f'(z) = a (1 - a).

    Forward caches the output a, from which the derivative follows.
    """

    def _forward(self, z):
        self._cache = F._sigmoid(z)  # a, values in [0, 1]
        return self._cache

    def _backward(self, da):
        a = self._cache
        return da * a * (1.0 - a)


class Tanh(_Activation):
    """Hyperbolic tangent, a = tanh(z); f'(z) = 1 - a^2.

    Forward caches the output a.
    """

    def _forward(self, z):
        self._cache = np.tanh(z)  # a, values in [-1, 1]
        return self._cache

    def _backward(self, da):
        a = self._cache
        return da * (1.0 - a * a)


class GELU(_Activation):
    """Gaussian error linear unit, a = z Phi(z) (Hendrycks and Gimpel 2016).

    Parameters
    ----------
    approximate : {"none", "tanh"}, default "none"
        ``"none"``: exact normal CDF Phi; ``"tanh"``: the tanh approximation
        (see ``nncore.functional.gelu``).

    Notes
    -----
    Forward caches z and the factor it shares with the derivative:
    Phi(z) for the exact form, the tanh value t for the approximation.
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = check_choice(approximate, ("none", "tanh"), "GELU approximation")

    def __repr__(self):
        return f"GELU(approximate={self.approximate!r})"

    def _output_shape(self):
        return self._cache[0].shape

    def _forward(self, z):
        if self.approximate == "tanh":
            shared = np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z**3))  # t
            out = 0.5 * z * (1.0 + shared)
        else:
            shared = 0.5 * erfc(-z / np.sqrt(2.0))  # Phi(z)
            out = z * shared
        self._cache = (z, shared)
        return out

    def _backward(self, da):
        z, shared = self._cache
        if self.approximate == "tanh":
            t = shared
            dt_dz = (1.0 - t * t) * np.sqrt(2.0 / np.pi) * (1.0 + 3 * 0.044715 * z**2)
            return da * (0.5 * (1.0 + t) + 0.5 * z * dt_dz)
        pdf = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)  # phi(z), the normal density
        return da * (shared + z * pdf)  # d/dz [z Phi(z)] = Phi(z) + z phi(z)


class Softmax(_Activation):
    """Softmax along the class axis: each row becomes probabilities summing to 1.

    Unlike the other activations it mixes the entries of a row, so its
    backward pass is a Jacobian-vector product rather than a product with
    f'(z):  dz = a * (da - sum(da * a, axis)),  with a = softmax(z).

    For training a classifier, prefer raw logits with ``CrossEntropyLoss``
    (which applies softmax itself, stably); use this layer to *read* the
    probabilities.

    Parameters
    ----------
    axis : int, default -1
        The class axis, e.g. the last axis of logits of shape (N, C).
    """

    def __init__(self, axis=-1):
        super().__init__()
        self.axis = axis

    def __repr__(self):
        return f"Softmax(axis={self.axis})"

    def _forward(self, z):
        self._cache = F._softmax(z, self.axis)  # e.g. (N, C), rows summing to 1
        return self._cache

    def _backward(self, da):
        a = self._cache
        return a * (da - np.sum(da * a, axis=self.axis, keepdims=True))  # (N, C)
