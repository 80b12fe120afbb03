"""Loss functions: a number that says how wrong the predictions are.

Every loss follows the same two-step protocol as the layers:

* ``forward(pred, target) -> float`` returns the mean loss over the batch
  (over all elements, as PyTorch's default ``reduction="mean"``) and caches
  what the gradient needs; ``loss(pred, target)`` is the same call;
* ``backward() -> dpred`` returns dL/d(pred), same shape as `pred`, ready to
  be passed to ``model.backward``.

For a binary task with one output column, `pred` of shape (N, 1) and a
`target` of shape (N,) are accepted together (the target is read as (N, 1)).
"""
import numpy as np

from ._checks import (as_float_array, check_labels, check_same_batch, check_shape,
                      is_clean)
from .functional import _log_softmax, _sigmoid

__all__ = ["MSELoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss"]


class _Loss:
    """Shared plumbing: ``__call__``, input checks and the backward guard."""

    def __init__(self):
        self._cache = None  # filled by forward

    def __repr__(self):
        return f"{type(self).__name__}()"

    def __call__(self, pred, target):
        """``loss(pred, target)`` is ``loss.forward(pred, target)``."""
        return self.forward(pred, target)

    # Each loss's ``forward`` checks pred and target, then calls its
    # ``_forward``, which trusts them; ``fit`` checks its targets once and
    # then calls ``_forward`` directly (see ``nncore.train``).

    def _check_pair(self, pred, target):
        """Return float arrays pred and target of the same shape."""
        if (is_clean(pred) and pred.ndim in (1, 2) and is_clean(target, pred.shape)):
            return pred, target  # the usual call: nothing to convert or report
        name = type(self).__name__
        pred = as_float_array(pred, f"{name}: pred", ndim=(1, 2))
        target = as_float_array(target, f"{name}: target", ndim=(1, 2))
        check_same_batch(pred, target, (f"{name}: pred", "target"))
        if pred.ndim == 2 and pred.shape[1] == 1 and target.ndim == 1:
            target = target[:, None]  # (N,) -> (N, 1), to match one output column
        check_shape(target, pred.shape, f"{name}: target (must match pred)")
        return pred, target

    def _check_ready(self):
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward() called before forward()")


class MSELoss(_Loss):
    """Mean squared error, L = mean((pred - target)^2).

    Gradient: dL/dpred = 2 (pred - target) / size, where size is the number
    of elements (N for shape (N,), N * D for shape (N, D)).
    """

    def forward(self, pred, target):
        """pred, target : ndarray, shape (N,) or (N, D) -> float."""
        return self._forward(*self._check_pair(pred, target))

    def _forward(self, pred, target):
        pred, target = _as_column_pair(pred, target)
        diff = pred - target
        self._cache = diff
        return float(np.mean(diff**2))

    def backward(self):
        """Return dL/dpred, same shape as pred."""
        self._check_ready()
        diff = self._cache  # pred - target
        return (2.0 / diff.size) * diff


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities p in [0, 1].

    L = -mean(y log p + (1 - y) log(1 - p)).  As in PyTorch, each log is
    clamped at -100 so p = 0 or 1 gives a large finite loss, and the gradient
    (p - y) / (p (1 - p)) has its denominator clamped at 1e-12. Prefer
    ``BCEWithLogitsLoss`` on raw scores: it is exact for any logit.

    ``forward(pred, target)`` takes probabilities `pred` in [0, 1] of shape
    (N,) or (N, 1) and `target` values in [0, 1] (usually the labels 0 and
    1) of the same shape.
    """

    def forward(self, pred, target):
        """pred, target : ndarray, shape (N,) or (N, 1) -> float."""
        p, y = self._check_pair(pred, target)
        for arr, what in ((p, "pred"), (y, "target")):
            if arr.size and (arr.min() < 0 or arr.max() > 1):
                raise ValueError(
                    f"BCELoss: {what} must lie in [0, 1]; got values from {arr.min():g} "
                    f"to {arr.max():g}" + (" (pass logits to BCEWithLogitsLoss instead)"
                                           if what == "pred" else "")
                )
        return self._forward(p, y)

    def _forward(self, p, y):
        p, y = _as_column_pair(p, y)
        self._cache = (p, y)
        with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped
            log_p = np.maximum(np.log(p), -100.0)
            log_1mp = np.maximum(np.log1p(-p), -100.0)
        return float(-np.mean(y * log_p + (1.0 - y) * log_1mp))

    def backward(self):
        """Return dL/dpred, same shape as pred."""
        self._check_ready()
        p, y = self._cache
        return (p - y) / np.maximum(p * (1.0 - p), 1e-12) / p.size


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits z (raw scores; p = sigmoid(z)).

    Uses the stable identity ::

        -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))]
            = max(z, 0) - z y + log(1 + exp(-abs(z)))

    which never overflows: z = 1000, y = 0 gives exactly 1000.
    Gradient: dL/dz = (sigmoid(z) - y) / size.
    """

    def forward(self, pred, target):
        """pred : logits, shape (N,) or (N, 1); target : in [0, 1], same shape -> float."""
        z, y = self._check_pair(pred, target)
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError(
                f"BCEWithLogitsLoss: target must lie in [0, 1]; got values from "
                f"{y.min():g} to {y.max():g}")
        return self._forward(z, y)

    def _forward(self, z, y):
        z, y = _as_column_pair(z, y)
        self._cache = (z, y)
        return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))

    def backward(self):
        """Return dL/dz, same shape as pred."""
        self._check_ready()
        z, y = self._cache
        return (_sigmoid(z) - y) / z.size


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits, for C-class classification.

    L = -(1/N) sum_n log softmax(z_n)[y_n], computed with ``log_softmax``
    (max-subtraction), so logits of +-1000 give exact, finite values.
    Gradient: dL/dz = (softmax(z) - Y) / N with Y the one-hot targets.

    ``forward(pred, target)`` takes logits `pred` of shape (N, C) and either
    integer labels 0..C-1 of shape (N,) or one-hot (or probability) rows of
    shape (N, C), each summing to 1.
    """

    def forward(self, pred, target):
        """pred : ndarray, shape (N, C); target : shape (N,) or (N, C) -> float."""
        z = as_float_array(pred, "CrossEntropyLoss: pred (logits)", ndim=2)
        N, C = z.shape
        target_arr = np.asarray(target)
        if target_arr.ndim == 1:  # integer labels
            check_same_batch(z, target_arr, ("CrossEntropyLoss: pred", "target"))
            Y = check_labels(target_arr, C, "CrossEntropyLoss: target labels")
        else:
            Y = as_float_array(target_arr, "CrossEntropyLoss: target", ndim=2)
            check_shape(Y, (N, C), "CrossEntropyLoss: target (one-hot, like pred)")
            if Y.size and (Y.min() < 0 or not np.allclose(Y.sum(axis=1), 1.0)):
                raise ValueError(
                    "CrossEntropyLoss: each target row must be non-negative and sum "
                    f"to 1; got row sums from {Y.sum(axis=1).min():g} to "
                    f"{Y.sum(axis=1).max():g}")
        return self._forward(z, Y)

    def _forward(self, z, Y):
        N, C = z.shape
        if Y.ndim == 1:  # integer labels (int64) -> one-hot rows
            labels, Y = Y, np.zeros((N, C))
            Y[np.arange(N), labels] = 1.0  # (N, C) one-hot
        log_p = _log_softmax(z, 1)  # (N, C), log of the predicted probabilities
        self._cache = (log_p, Y)
        return float(-np.sum(Y * log_p) / N)

    def backward(self):
        """Return dL/dz, shape (N, C)."""
        self._check_ready()
        log_p, Y = self._cache
        return (np.exp(log_p) - Y) / log_p.shape[0]  # (softmax - onehot) / N


def _as_column_pair(pred, target):
    """Read a target of shape (N,) as (N, 1) when pred is one column (N, 1)."""
    if pred.ndim == 2 and pred.shape[1] == 1 and target.ndim == 1:
        return pred, target[:, None]
    return pred, target
