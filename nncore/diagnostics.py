"""Why won't it learn? Checks for data, loss, gradients and updates.

Each function answers one question a debugging session asks, in the order
the book's checklist asks them:

1. data: :func:`input_scale_report`, are the features on similar scales?
2. loss: :func:`initial_loss_check`, is the loss at initialisation what
   chance predicts (ln 2, ln C, ...)?
3. gradients: ``gradcheck``, does backprop match finite differences?
4. updates: :func:`update_to_weight_ratios`, is each step a sensible fraction
   of each weight matrix (about ``UPDATE_RATIO_TYPICAL`` = 1e-3, flagged
   outside ``UPDATE_RATIO_RANGE`` = (1e-5, 1e-1))? :func:`gradient_norms`,
   do the gradients fade or grow from layer to layer? And
   :func:`dead_unit_fraction`, are ReLU units stuck at zero?

:func:`diagnose` runs them all and lists findings with advice. None of them
changes the model: they run it in evaluation mode and restore its gradients.
Wherever a model is expected, a ``NeuralNetwork`` works too (its ``.model``
is examined).
"""
from typing import NamedTuple

import numpy as np

from ._checks import (as_float_array, check_choice, check_int, check_positive,
                      check_same_batch)
from .activations import ReLU
from .gradcheck import _check_loss, _check_model, _owners, _preserved, gradcheck

__all__ = ["input_scale_report", "ScaleReport", "expected_initial_loss", "initial_loss_check",
           "InitialLossCheck", "update_to_weight_ratios", "gradient_norms", "dead_unit_fraction",
           "diagnose", "DiagnosticsReport", "Finding", "UPDATE_RATIO_TYPICAL",
           "UPDATE_RATIO_RANGE"]

#: The update-to-weight ratio ``||lr * dW|| / ||W||`` of one weight matrix is
#: "somewhere around 1e-3" in healthy training, as a rough heuristic (Stanford
#: CS231n notes, "Neural Networks Part 3", which also call 1e-2 healthy for a
#: small network).
UPDATE_RATIO_TYPICAL = 1e-3
#: The range :func:`diagnose` accepts: a factor of 100 either side of the
#: typical value. Below it the weights barely move; above it each step
#: rewrites a tenth or more of the weights.
UPDATE_RATIO_RANGE = (UPDATE_RATIO_TYPICAL / 100, UPDATE_RATIO_TYPICAL * 100)


# --- 1. data ---------------------------------------------------------------------
class ScaleReport(NamedTuple):
    """Per-feature statistics of an input matrix (from :func:`input_scale_report`).

    Attributes
    ----------
    names : tuple of str, length D
    mean, std, min, max : ndarray, shape (D,)
    flagged : tuple of (int, str, str)
        ``(index, name, reason)`` for each feature that looks unscaled.
    """

    names: tuple
    mean: np.ndarray
    std: np.ndarray
    min: np.ndarray
    max: np.ndarray
    flagged: tuple

    @property
    def ok(self):
        """True if no feature was flagged."""
        return not self.flagged

    def __str__(self):
        w = max(len("feature"), *(len(n) for n in self.names))
        reasons = {i: r for i, _, r in self.flagged}
        lines = [f"{'feature':<{w}} {'mean':>10} {'std':>10} {'min':>10} {'max':>10}  note"]
        for i, n in enumerate(self.names):
            lines.append(f"{n:<{w}} {self.mean[i]:>10.4g} {self.std[i]:>10.4g} "
                         f"{self.min[i]:>10.4g} {self.max[i]:>10.4g}  {reasons.get(i, '')}")
        return "\n".join(lines)


def input_scale_report(X, feature_names=None, limit=3.0):
    """Per-feature mean, std, min and max, flagging features that look unscaled.

    A network trains best when every input feature has a similar, modest
    scale (standardised: mean 0, std 1; or pixels in [0, 1]). A feature is
    flagged when its ``|mean| > limit`` or ``std > limit`` (too big: it
    dominates the weighted sums), when ``0 < std < 1 / (100 limit)`` (so small
    it barely counts), or when it is constant (``std == 0``: no information).

    Parameters
    ----------
    X : ndarray, shape (N, D)
    feature_names : sequence of str, length D, optional
        Default ``"x0", "x1", ...``.
    limit : float, default 3.0

    Returns
    -------
    ScaleReport
    """
    X = as_float_array(X, "input_scale_report: X", ndim=2)
    if X.shape[0] == 0:
        raise ValueError(f"input_scale_report: X has no rows; got shape {X.shape}")
    limit = check_positive(limit, "input_scale_report: limit")
    D = X.shape[1]
    if feature_names is None:
        names = tuple(f"x{j}" for j in range(D))
    else:
        names = tuple(str(n) for n in feature_names)
    if len(names) != D:
        raise ValueError(f"input_scale_report: feature_names has {len(names)} names; "
                         f"expected {D} (one per column of X)")
    mean, std = X.mean(axis=0), X.std(axis=0)  # (D,) each
    flagged = []
    for j in range(D):
        if std[j] == 0:
            reason = "constant: carries no information"
        elif abs(mean[j]) > limit or std[j] > limit:
            reason = f"unscaled: |mean| or std above {limit:g}"
        elif std[j] < 1 / (100 * limit):
            reason = f"tiny scale: std below {1 / (100 * limit):g}"
        else:
            continue
        flagged.append((j, names[j], reason))
    return ScaleReport(names, mean, std, X.min(axis=0), X.max(axis=0), tuple(flagged))


# --- 2. loss -----------------------------------------------------------------------
_LOSS_KINDS = {"mse": "mse", "MSELoss": "mse", "bce": "bce", "BCELoss": "bce",
               "BCEWithLogitsLoss": "bce", "cross_entropy": "cross_entropy",
               "ce": "cross_entropy", "CrossEntropyLoss": "cross_entropy"}


def expected_initial_loss(kind, n_classes=None, y=None):
    """The loss a network that knows nothing should get.

    Parameters
    ----------
    kind : str
        "bce" (also "BCELoss", "BCEWithLogitsLoss"): predicting p = 0.5 for
        every example gives ln 2 ~ 0.693, whatever the labels.
        "cross_entropy" (also "ce", "CrossEntropyLoss"): uniform
        probabilities 1/C give ln C (ln 10 ~ 2.303 for 10 classes).
        "mse" (also "MSELoss"): predicting 0 for every target gives
        ``mean(y**2)``; needs `y`.
    n_classes : int, optional
        C (>= 2); needed for "cross_entropy".
    y : array_like, optional
        The targets; needed for "mse".

    Returns
    -------
    float
    """
    check_choice(kind, list(_LOSS_KINDS), "expected_initial_loss: kind")
    kind = _LOSS_KINDS[kind]
    if kind == "bce":
        return float(np.log(2.0))
    if kind == "cross_entropy":
        if n_classes is None:
            raise ValueError("expected_initial_loss: kind='cross_entropy' needs n_classes (C >= 2)")
        return float(np.log(check_int(n_classes, "expected_initial_loss: n_classes", minimum=2)))
    if y is None:
        raise ValueError("expected_initial_loss: kind='mse' needs the targets y")
    return float(np.mean(as_float_array(y, "expected_initial_loss: y") ** 2))


class InitialLossCheck(NamedTuple):
    """Observed vs expected loss at initialisation (from :func:`initial_loss_check`).

    Attributes
    ----------
    observed, expected : float
    kind : str
        "mse", "bce" or "cross_entropy".
    ok : bool
        ``expected / factor <= observed <= expected * factor``.
    message : str
    """

    observed: float
    expected: float
    kind: str
    ok: bool
    message: str

    def __str__(self):
        return self.message


def _kind_of(loss):
    name = type(loss).__name__
    if name not in _LOSS_KINDS:
        raise TypeError(f"unknown loss {name}; expected MSELoss, BCELoss, BCEWithLogitsLoss "
                        "or CrossEntropyLoss")
    return _LOSS_KINDS[name]


def initial_loss_check(model, loss, X, y, factor=2.0):
    """Compare the untrained model's loss with :func:`expected_initial_loss`.

    A loss far above the expected value means the initial predictions are
    confidently wrong (weights too large, unscaled inputs); far below means
    the model is not freshly initialised (trained weights, a loaded
    checkpoint) or the loss or targets are wrong. A label leaked into the
    inputs does not show here: untrained weights read the leaked feature
    with a random sign, so the leak is as likely to raise the loss as to
    lower it. Leaks show up after training, as results too good to be true.

    Parameters
    ----------
    model : Module
    loss : MSELoss, BCELoss, BCEWithLogitsLoss or CrossEntropyLoss
    X : ndarray, shape (N, D)
    y : ndarray
        Targets as the loss expects them.
    factor : float, default 2.0
        Accepted ratio (> 1) between observed and expected loss.

    Returns
    -------
    InitialLossCheck
    """
    model = _check_model(model, "initial_loss_check")
    _check_loss(loss, "initial_loss_check")
    kind = _kind_of(loss)
    factor = check_positive(factor, "initial_loss_check: factor")
    if factor <= 1:
        raise ValueError(f"initial_loss_check: factor must be > 1; got {factor!r}")
    X = as_float_array(X, "initial_loss_check: X", ndim=2)
    with _preserved(model):
        out = np.asarray(model.forward(X))
        observed = float(loss.forward(out, y))
    C = out.shape[1] if out.ndim == 2 else 1
    if kind == "cross_entropy" and C < 2:
        raise ValueError(f"initial_loss_check: CrossEntropyLoss needs >= 2 outputs; the model "
                         f"gives shape {out.shape}, so the loss is always 0. Use "
                         "BCEWithLogitsLoss for one output")
    expected = expected_initial_loss(kind, n_classes=C, y=y)
    ok = expected / factor <= observed <= expected * factor
    if ok:
        msg = f"Initial loss {observed:.4g} is close to the expected {expected:.4g}: good."
    elif observed > expected:
        msg = (f"Initial loss {observed:.4g} is more than {factor:g}x the expected "
               f"{expected:.4g}: the untrained network is confidently wrong. Check the input "
               "scaling and the weight initialisation (use 'he' or 'xavier').")
    else:
        msg = (f"Initial loss {observed:.4g} is less than 1/{factor:g} of the expected "
               f"{expected:.4g}: suspicious for an untrained network. Is the model freshly "
               "initialised? Is the loss computed on the right targets?")
    return InitialLossCheck(observed, expected, kind, ok, msg)


# --- 4. updates and units --------------------------------------------------------------
def update_to_weight_ratios(model, lr, loss=None, X=None, y=None):
    """Size of one SGD step relative to the weights, for each weight matrix.

    ``ratio = ||lr * dW|| / ||W||`` (Frobenius norms), one number per weight
    matrix (biases are left out: they may start at zero). Around
    ``UPDATE_RATIO_TYPICAL`` = 1e-3 is typical of healthy training;
    :func:`diagnose` flags a ratio outside ``UPDATE_RATIO_RANGE`` =
    (1e-5, 1e-1): above it each step rewrites a large part of the weights
    (learning rate too large), below it nothing moves. For Adam the step is
    about lr per entry rather than lr * grad, so read the ratios as a rough
    guide only.

    Parameters
    ----------
    model : Module
    lr : float or optimizer
        The learning rate, or an optimizer with an ``lr`` attribute.
    loss : loss object, optional
    X : ndarray, shape (N, D), optional
    y : ndarray, optional
        With `loss`, `X` and `y` the gradients are computed fresh (and the
        model's stored gradients are left as they were); without them the
        gradients currently stored in the model are used (call after a
        backward pass).

    Returns
    -------
    dict of str -> float
        One entry per weight matrix, named like ``"0.W (Linear)"``.
    """
    model = _check_model(model, "update_to_weight_ratios")
    lr = check_positive(getattr(lr, "lr", lr), "update_to_weight_ratios: lr", allow_zero=True)
    owners = _owners(model)

    def ratios():
        return {f"{n} ({owners.get(n, '?')})":
                float(lr * np.linalg.norm(g) / max(np.linalg.norm(p), 1e-12))
                for n, p, g in model.named_parameters() if n.split(".")[-1] == "W"}

    return _with_gradients(model, "update_to_weight_ratios", loss, X, y, ratios)


def gradient_norms(model, loss=None, X=None, y=None):
    """Size of the gradient of each weight matrix, layer by layer.

    ``||dW||`` (Frobenius norm) for every weight matrix, in forward order.
    Comparing the first layers with the last shows vanishing gradients (the
    first layers' norms are orders of magnitude smaller) or exploding ones
    (orders of magnitude larger).

    Parameters
    ----------
    model : Module
    loss : loss object, optional
    X : ndarray, shape (N, D), optional
    y : ndarray, optional
        With `loss`, `X` and `y` the gradients are computed fresh on (X, y)
        (and the model's stored gradients are left as they were); without
        them the gradients currently stored in the model are used (call after
        a backward pass).

    Returns
    -------
    dict of str -> float
        One entry per weight matrix, named like ``"0.W (Linear)"``.
    """
    model = _check_model(model, "gradient_norms")
    owners = _owners(model)

    def norms():
        return {f"{n} ({owners.get(n, '?')})": float(np.linalg.norm(g))
                for n, p, g in model.named_parameters() if n.split(".")[-1] == "W"}

    return _with_gradients(model, "gradient_norms", loss, X, y, norms)


def _with_gradients(model, who, loss, X, y, read):
    """``read()`` on the stored gradients, or on fresh ones from (loss, X, y)."""
    given = [a is not None for a in (loss, X, y)]
    if any(given) and not all(given):
        raise ValueError(f"{who}: pass all of loss, X and y (to compute fresh "
                         "gradients) or none of them (to use the stored ones)")
    if loss is None:
        return read()
    _check_loss(loss, who)
    X = as_float_array(X, f"{who}: X", ndim=2)
    with _preserved(model):
        model.zero_grad()
        loss.forward(model.forward(X), y)
        model.backward(loss.backward())
        return read()


def _leaves(module, prefix=""):
    """(name, layer) for the layers without children, in forward order."""
    kids = module.children()
    if not kids:
        return [(prefix.rstrip(".") or "0", module)]
    out = []
    for i, child in enumerate(kids):
        out += _leaves(child, f"{prefix}{i}.")
    return out


def dead_unit_fraction(model, X):
    """Fraction of the units of each ReLU layer that output 0 for every example.

    A unit whose input is negative for every example in `X` passes no
    gradient back, so its own weights stop changing: it is "dead". In the
    first layer, whose inputs are fixed, it never recovers; in a deeper layer
    updates to earlier layers can still move its inputs and revive it. The
    model is run layer by layer (its layers, in order, as in ``Sequential``).

    Parameters
    ----------
    model : Module
        A ``Sequential`` (possibly nested) or a single layer.
    X : ndarray, shape (N, D)
        Typically the training inputs.

    Returns
    -------
    dict of str -> float
        For each ReLU layer, named like ``"1 (ReLU)"``, the dead fraction in [0, 1].
    """
    model = _check_model(model, "dead_unit_fraction")
    a = as_float_array(X, "dead_unit_fraction: X", ndim=2)
    out = {}
    with _preserved(model):
        for name, layer in _leaves(model):
            a = layer.forward(a)
            if isinstance(layer, ReLU):
                units = a.reshape(a.shape[0], -1)  # (N, units)
                out[f"{name} (ReLU)"] = float(np.mean(np.all(units <= 0, axis=0)))
    return out


# --- all together ------------------------------------------------------------------------
class Finding(NamedTuple):
    """One line of a diagnosis: ``level`` "ok" or "warning", ``topic``, ``message``, ``advice``."""

    level: str
    topic: str
    message: str
    advice: str

    def __str__(self):
        tail = f"\n    -> {self.advice}" if self.advice else ""
        return f"[{self.level}] {self.topic}: {self.message}{tail}"


class DiagnosticsReport(NamedTuple):
    """Everything :func:`diagnose` found.

    Attributes
    ----------
    scale : ScaleReport
    initial_loss : InitialLossCheck
    gradcheck : GradcheckReport
    update_ratios : dict of str -> float
    dead_units : dict of str -> float
    findings : list of Finding
        In checklist order: data, loss, gradients, updates, units.
    """

    scale: object
    initial_loss: object
    gradcheck: object
    update_ratios: dict
    dead_units: dict
    findings: list

    @property
    def warnings(self):
        """The findings with level "warning" (list of Finding)."""
        return [f for f in self.findings if f.level == "warning"]

    @property
    def ok(self):
        """True if there are no warnings."""
        return not self.warnings

    def __str__(self):
        head = "Diagnosis: " + ("no problems found" if self.ok
                                else f"{len(self.warnings)} warning(s)")
        return "\n".join([head] + [str(f) for f in self.findings])


def diagnose(model, loss, X, y, lr, n_gradcheck=8, ratio_range=UPDATE_RATIO_RANGE,
             dead_threshold=0.5):
    """Run the whole debugging checklist on a model and a data set.

    Parameters
    ----------
    model : Module
    loss : MSELoss, BCELoss, BCEWithLogitsLoss or CrossEntropyLoss
    X : ndarray, shape (N, D)
    y : ndarray
        Targets as the loss expects them.
    lr : float or optimizer
        The learning rate you intend to train with.
    n_gradcheck : int, default 8
        The gradient check uses the first `n_gradcheck` examples only (it
        costs two forward passes per parameter).
    ratio_range : (float, float), default ``UPDATE_RATIO_RANGE`` = (1e-5, 1e-1)
        Update-to-weight ratios (per weight matrix) outside this range are
        flagged: a factor of 100 either side of the typical 1e-3.
    dead_threshold : float, default 0.5
        A ReLU layer with at least this fraction of dead units is flagged.

    Returns
    -------
    DiagnosticsReport
        ``str(report)`` is a readable summary; ``report.warnings`` lists the problems.
    """
    model = _check_model(model, "diagnose")
    _check_loss(loss, "diagnose")
    X = as_float_array(X, "diagnose: X", ndim=2)
    check_same_batch(X, np.asarray(y), ("diagnose: X", "diagnose: y"))
    n_gradcheck = check_int(n_gradcheck, "diagnose: n_gradcheck")
    low, high = (check_positive(r, "diagnose: ratio_range") for r in ratio_range)
    dead_threshold = check_positive(dead_threshold, "diagnose: dead_threshold")
    F = Finding
    findings = []

    scale = input_scale_report(X)
    if scale.ok:
        findings.append(F("ok", "data", "all features are on modest scales", ""))
    else:
        listed = ", ".join(f"{n} ({r.split(':')[0]})" for _, n, r in scale.flagged[:5])
        findings.append(F("warning", "data", f"{len(scale.flagged)} feature(s) look unscaled: "
                          f"{listed}", "standardise the inputs with StandardScaler, fit on "
                          "the training split only"))

    init = initial_loss_check(model, loss, X, y)
    findings.append(F("ok" if init.ok else "warning", "loss", init.message, ""))
    if init.kind == "mse":
        yv = np.asarray(y, dtype=np.float64)
        if yv.size and np.all(yv == np.round(yv)) and len(np.unique(yv)) <= 10:
            findings.append(F("warning", "loss", "the targets look like class labels but the "
                              "loss is MSE", "use BCEWithLogitsLoss (two classes) or "
                              "CrossEntropyLoss (more) for classification"))

    gc = gradcheck(model, loss, X[:n_gradcheck], np.asarray(y)[:n_gradcheck])
    if gc.passed:
        findings.append(F("ok", "gradients", f"backprop matches finite differences "
                          f"(max relative error {gc.max_error:.1e})", ""))
    else:
        findings.append(F("warning", "gradients", f"backprop disagrees with finite differences "
                          f"for {gc.worst} (relative error {gc.max_error:.1e})",
                          "check that layer's backward pass"))

    ratios = update_to_weight_ratios(model, lr, loss, X, y)
    # Unscaled inputs make large gradients, so they come first (data before updates).
    too_large = ("scale the inputs first, then check again" if not scale.ok else
                 "the learning rate is probably too large; try 10x smaller")
    for name, r in ratios.items():
        if r > high:
            findings.append(F("warning", "updates", f"{name}: update/weight ratio {r:.1e} is "
                              f"above {high:g}", too_large))
        elif r < low:
            findings.append(F("warning", "updates", f"{name}: update/weight ratio {r:.1e} is "
                              f"below {low:g}", "the learning rate is probably too small, or "
                              "the gradient vanishes before reaching this layer"))
    if all(low <= r <= high for r in ratios.values()):
        findings.append(F("ok", "updates", "update/weight ratios are in range "
                          + ", ".join(f"{r:.1e}" for r in ratios.values()), ""))

    dead = dead_unit_fraction(model, X)
    bad = {n: f for n, f in dead.items() if f >= dead_threshold}
    if bad:
        listed = ", ".join(f"{n}: {f:.0%}" for n, f in bad.items())
        findings.append(F("warning", "units", f"dead ReLU units: {listed}",
                          "look for large negative biases (reset them to 0); then use He "
                          "initialisation, a smaller learning rate, or LeakyReLU"))
    else:
        findings.append(F("ok", "units", "no ReLU layer has many dead units", ""))
    return DiagnosticsReport(scale, init, gc, ratios, dead, findings)
