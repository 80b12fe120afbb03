"""Gradient checking: compare backpropagation with finite differences.

The central difference

    df/dx_i  ~  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

has error of order eps**2, so with eps = 1e-6 in float64 it agrees with a
correct analytic gradient to about 1e-9 relative error. A bug in a backward
pass usually shows up as a relative error of 1e-2 or more.

:func:`gradcheck` does this for every parameter of a model (and optionally
for its input) and reports, per parameter, the relative error

    ||a - n|| / max(||a|| + ||n||, tiny)

between the analytic gradient a and the numerical one n (Euclidean norms over
all entries of the parameter). Using norms rather than single entries keeps
entries whose true gradient is ~0 from producing huge ratios out of rounding
noise; the report still names the single entry with the largest difference.
"""
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np

from ._checks import as_float_array, check_positive

__all__ = ["numerical_gradient", "relative_error", "gradcheck", "GradcheckReport"]

_TINY = 1e-12


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference estimate of the gradient of a scalar function.

    Each entry ``x[i]`` is nudged to ``x[i] + eps`` and ``x[i] - eps`` *in
    place*, ``f`` is evaluated at both, and the entry is restored, so ``x``
    ends exactly as it started.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``. It is called with the array `x` itself after one
        entry has been nudged, so it may also ignore its argument and read
        `x` through a closure (that is how :func:`gradcheck` perturbs a
        layer's weights).
    x : ndarray of float64, any shape
        The point; must be a writable float64 array (it is modified in place
        and restored).
    eps : float, default 1e-6
        Step size (> 0).

    Returns
    -------
    ndarray, same shape as `x`
        ``grad[i] = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``.

    Examples
    --------
    >>> x = np.array([1.0, -2.0])
    >>> numerical_gradient(lambda v: float(np.sum(v ** 2)), x)   # 2 x
    array([ 2., -4.])
    """
    if not callable(f):
        raise TypeError(f"numerical_gradient: f must be callable, f(x) -> float; got {f!r}")
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient: x must be a float64 ndarray (it is nudged in "
                        f"place); got {type(x).__name__} with dtype {getattr(x, 'dtype', None)}")
    if not x.flags.writeable:
        raise ValueError("numerical_gradient: x must be writable (it is nudged in place)")
    eps = check_positive(eps, "numerical_gradient: eps")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):  # one entry at a time: 2 calls of f per entry
        old = x[i]
        x[i] = old + eps
        f_plus = _as_loss(f(x))
        x[i] = old - eps
        f_minus = _as_loss(f(x))
        x[i] = old  # restore exactly
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _as_loss(value):
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1 or not np.isfinite(arr):
        raise ValueError(f"numerical_gradient: f must return one finite number; got {value!r}")
    return float(arr.reshape(()))


def relative_error(a, n, tiny=_TINY):
    """Relative error ``||a - n|| / max(||a|| + ||n||, tiny)`` of two arrays.

    Parameters
    ----------
    a, n : array_like, same shape
        Usually an analytic and a numerical gradient.
    tiny : float, default 1e-12
        Floor for the denominator, so two all-zero gradients give 0.0.

    Returns
    -------
    float
        0 for identical arrays, at most 1 (e.g. 1 when the signs are flipped).
    """
    a = as_float_array(a, "relative_error: a")
    n = as_float_array(n, "relative_error: n")
    if a.shape != n.shape:
        raise ValueError(f"relative_error: a has shape {a.shape} but n has shape {n.shape}")
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), tiny))


class GradcheckRow(NamedTuple):
    """One checked array: its name, shape, relative error and worst entry."""

    name: str
    shape: tuple
    error: float
    worst_index: tuple
    analytic: float
    numerical: float


class GradcheckReport:
    """Result of :func:`gradcheck`: one row per parameter (and the input).

    Attributes
    ----------
    rows : list of GradcheckRow
        ``name`` (e.g. ``"0.W (Linear)"``), ``shape``, ``error`` (relative
        error of the whole array), ``worst_index`` (the entry with the largest
        ``|a - n|``) and the ``analytic`` and ``numerical`` values there.
    analytic, numerical : dict of str -> ndarray
        The full gradients, by row name.
    loss : float
        The loss at the checked point.
    tol : float
        Tolerance used by :attr:`passed`.
    """

    def __init__(self, rows, analytic, numerical, loss, tol=1e-6):
        self.rows = list(rows)
        self.analytic = analytic
        self.numerical = numerical
        self.loss = float(loss)
        self.tol = tol

    @property
    def max_error(self):
        """The largest relative error over all rows (float; 0.0 if no rows)."""
        return max((r.error for r in self.rows), default=0.0)

    @property
    def worst(self):
        """Name of the row with the largest error (str, or None if no rows)."""
        return max(self.rows, key=lambda r: r.error).name if self.rows else None

    def ok(self, tol=None):
        """True if every relative error is at most `tol` (default: ``self.tol``)."""
        tol = self.tol if tol is None else check_positive(tol, "GradcheckReport.ok: tol")
        return self.max_error <= tol

    @property
    def passed(self):
        """``ok()`` at the report's tolerance (bool)."""
        return self.ok()

    def __bool__(self):
        return self.passed

    def __str__(self):
        w = max([len("parameter")] + [len(r.name) for r in self.rows])
        lines = [f"Gradient check at loss {self.loss:.6g} (tolerance {self.tol:g}): "
                 + ("PASSED" if self.passed else f"FAILED, worst: {self.worst}"),
                 f"{'parameter':<{w}}  {'shape':<10} {'rel. error':>10}  {'worst entry':<12}"
                 f" {'analytic':>11} {'numerical':>11}"]
        for r in self.rows:
            flag = "" if r.error <= self.tol else "  <-- check this backward pass"
            lines.append(f"{r.name:<{w}}  {str(r.shape):<10} {r.error:>10.2e}  "
                         f"{str(list(r.worst_index)):<12} {r.analytic:>11.4g} "
                         f"{r.numerical:>11.4g}{flag}")
        return "\n".join(lines)

    __repr__ = __str__


def _modules(module):
    """The module and all its descendants, depth first."""
    out = [module]
    for child in module.children():
        out += _modules(child)
    return out


@contextmanager
def _preserved(model):
    """Run a block in eval mode; afterwards restore every mode and gradient.

    Used by the tools that run a model only to look at it (gradcheck,
    saliency, diagnostics), so that looking changes nothing.
    """
    modes = [(m, m.training) for m in _modules(model)]
    grads = [(g, g.copy()) for _, _, g in model.named_parameters()]
    try:
        model.eval()
        yield model
    finally:
        for g, old in grads:
            g[...] = old
        for m, mode in modes:
            m.training = mode


def _check_model(model, who):
    """Return the Module to inspect (a NeuralNetwork's ``.model``), or raise TypeError."""
    inner = getattr(model, "model", None)
    wrapper = not callable(getattr(model, "backward", None))
    if wrapper and callable(getattr(inner, "backward", None)):
        model = inner  # a NeuralNetwork: look at the MLP inside
    for method in ("forward", "backward", "named_parameters", "zero_grad", "children"):
        if not callable(getattr(model, method, None)):
            raise TypeError(f"{who}: model must be an nncore Module with {method}(); "
                            f"got {type(model).__name__}")
    return model


def _check_loss(loss, who):
    for method in ("forward", "backward"):
        if not callable(getattr(loss, method, None)):
            raise TypeError(f"{who}: loss must have {method}(), like nncore's MSELoss; "
                            f"got {type(loss).__name__}")


def _owners(module, prefix=""):
    """Map each parameter name of ``named_parameters()`` to the class owning it."""
    names = {prefix + k: type(module).__name__ for k in module.params}
    for i, child in enumerate(module.children()):
        names.update(_owners(child, f"{prefix}{i}."))
    return names


def _row(name, a, n):
    worst = np.unravel_index(np.argmax(np.abs(a - n)), a.shape) if a.size else ()
    worst = tuple(int(i) for i in worst)
    return GradcheckRow(name, a.shape, relative_error(a, n), worst,
                        float(a[worst]) if a.size else 0.0, float(n[worst]) if a.size else 0.0)


def gradcheck(model, loss, X, y, eps=1e-6, check_input=False, tol=1e-6):
    """Check a model's backward pass against central differences.

    Runs ``model.forward``, ``loss.forward``, ``loss.backward`` and
    ``model.backward`` once for the analytic gradients, then nudges every
    entry of every parameter (see :func:`numerical_gradient`). The model runs
    in evaluation mode (Dropout off) during the check; afterwards its
    parameters, gradients and train/eval modes are as they were before.

    Parameters
    ----------
    model : Module or NeuralNetwork
        Anything with ``forward``, ``backward``, ``named_parameters``,
        ``zero_grad``, ``children`` (every nncore layer and ``Sequential``);
        a ``NeuralNetwork`` is checked through its ``.model``. Parameters
        must be float64.
    loss : loss object
        ``loss.forward(pred, target) -> float`` and ``loss.backward() -> dpred``.
    X : ndarray, shape (N, D_in)
        A small batch (each parameter entry costs two forward passes).
    y : ndarray
        Targets as the loss expects them.
    eps : float, default 1e-6
        Finite-difference step.
    check_input : bool, default False
        Also check dL/dX (the row named ``"X (input)"``).
    tol : float, default 1e-6
        Tolerance for :attr:`GradcheckReport.passed`.

    Returns
    -------
    GradcheckReport
    """
    model = _check_model(model, "gradcheck")
    _check_loss(loss, "gradcheck")
    X = np.array(as_float_array(X, "gradcheck: X"), dtype=np.float64)  # own copy
    eps = check_positive(eps, "gradcheck: eps")
    tol = check_positive(tol, "gradcheck: tol")
    named = model.named_parameters()
    for name, p, _ in named:
        if p.dtype != np.float64:
            raise TypeError(f"gradcheck: parameter {name!r} is {p.dtype}; gradient checks "
                            "need float64 (rounding in float32 swamps the differences)")
    owners = _owners(model)
    with _preserved(model):
        model.zero_grad()
        value = loss.forward(model.forward(X), y)
        dX = model.backward(loss.backward())  # fills every grads[...] and returns dL/dX
        analytic = {f"{n} ({owners.get(n, '?')})": g.copy() for n, _, g in named}
        numerical = {}
        for (name, p, _), key in zip(named, analytic):
            numerical[key] = numerical_gradient(lambda _: loss.forward(model.forward(X), y), p, eps)
        if check_input:
            analytic["X (input)"] = np.asarray(dX, dtype=np.float64)
            numerical["X (input)"] = numerical_gradient(lambda x: loss.forward(model.forward(x), y),
                                                        X, eps)
    rows = [_row(k, analytic[k], numerical[k]) for k in analytic]
    return GradcheckReport(rows, analytic, numerical, value, tol)
