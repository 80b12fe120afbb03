"""Exercise checkers: call one with your answer and it says what is right or wrong.

Every checker returns a :class:`CheckResult`: it is truthy when the answer is
right, its ``message`` explains what is wrong in plain words (which entry,
what was expected, what you gave), and it prints as that message in Jupyter.
A solution cell can insist on being right with ``assert_correct(...)`` or a
plain ``assert check_...(...)``.

    >>> check_dot_product(11.0, [1, 2], [3, 4])
    Right! The dot product is 11.

Checkers raise ``TypeError``/``ValueError`` only for mistakes in calling the
checker itself (an unknown entry name, expected values of the wrong kind);
mistakes in the *answer* are reported in the result, never raised.
"""
import warnings

import numpy as np

from nncore import functional as F
from nncore._checks import as_float_array, check_choice, check_int, check_positive
from nncore.gradcheck import numerical_gradient, relative_error
from .handtrace import hand_trace

__all__ = ["CheckResult", "assert_correct", "check_array", "check_scalar",
           "check_shape_ledger", "check_trace", "check_gradient", "check_dot_product",
           "check_linear_forward", "check_neuron_output", "check_perceptron_update",
           "check_softmax", "check_stable_softmax", "check_loss"]


class CheckResult:
    """The verdict of a checker: truthy when right, with a plain-words message.

    Attributes
    ----------
    correct : bool
    message : str
    """

    def __init__(self, correct, message):
        self.correct = bool(correct)
        self.message = message

    def __bool__(self):
        return self.correct

    def __str__(self):
        return self.message

    __repr__ = __str__

    def raise_if_wrong(self):
        """Return self if right; raise ``AssertionError(message)`` if wrong."""
        if not self.correct:
            raise AssertionError(self.message)
        return self


def assert_correct(result):
    """Raise ``AssertionError`` with the checker's message unless `result` is right.

    Parameters
    ----------
    result : CheckResult

    Returns
    -------
    CheckResult
        The same result, so a cell can end with ``assert_correct(check_...(...))``.
    """
    if not isinstance(result, CheckResult):
        raise TypeError("assert_correct: expected the result of a check_... function; "
                        f"got {result!r}")
    return result.raise_if_wrong()


def _right(text):
    return CheckResult(True, "Right! " + text)


def _wrong(text):
    return CheckResult(False, "Not yet. " + text)


def _show(a):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return _num(a)
    return np.array2string(a + 0.0, precision=4, suppress_small=True, separator=", ")


def _num(v):
    """One number for a message: at most 6 significant digits, tiny noise shown as 0."""
    return f"{round(float(v), 9) + 0.0:.6g}"


def _numbers(answer, name):
    """Turn an answer into a float array, or return a CheckResult saying why not."""
    if answer is None:
        return _wrong(f"{name} is None: replace the None (or the `...`) with your answer.")
    if answer is Ellipsis:
        return _wrong(f"{name} is still `...`: replace it with your answer.")
    try:
        arr = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return _wrong(f"{name} should be a number or an array of numbers; got "
                      f"{type(answer).__name__} {answer!r:.60}.")
    if not np.all(np.isfinite(arr)):
        return _wrong(f"{name} contains NaN or inf: {_show(arr)}. Something overflowed or "
                      "divided by zero.")
    return arr


def _compare(answer, expected, name, atol, rtol, squeeze=False):
    """Shared core of the checkers: a CheckResult comparing two arrays."""
    got = _numbers(answer, name)
    if isinstance(got, CheckResult):
        return got
    exp = np.asarray(expected, dtype=np.float64)
    if squeeze and got.size == exp.size and np.squeeze(got).shape == np.squeeze(exp).shape:
        exp = exp.reshape(got.shape)  # (1, 3), (3, 1) and (3,) mean the same here; speak
        # in the reader's own layout
    if got.shape != exp.shape:
        hint = ""
        if got.ndim == 2 and got.T.shape == exp.shape and np.allclose(got.T, exp, atol=atol,
                                                                      rtol=rtol):
            hint = " It is the transpose of the expected answer."
        elif got.size == exp.size and np.allclose(got.reshape(exp.shape), exp, atol=atol,
                                                  rtol=rtol):
            hint = " The numbers are right but arranged in the wrong shape."
        return _wrong(f"{name} has shape {got.shape}, but it should have shape {exp.shape}.{hint}")
    bad = ~np.isclose(got, exp, atol=atol, rtol=rtol)
    if not bad.any():
        return _right(f"{name} = {_show(got)}.")
    if exp.ndim == 0:
        msg = f"{name} should be {_show(exp)}, but you have {_show(got)}."
    else:
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        msg = (f"{bad.sum()} of {bad.size} entries of {name} are wrong; the first is {name}"
               f"{list(first)}: expected {_num(exp[first])}, got {_num(got[first])}.")
    if np.allclose(-got, exp, atol=atol, rtol=rtol):
        msg += " Every sign is flipped."
    elif got.ndim == 2 and np.allclose(got.T, exp, atol=atol, rtol=rtol):
        msg += " It is the transpose of the expected answer."
    return _wrong(msg)


def check_array(answer, expected, name="answer", atol=1e-6, rtol=1e-6):
    """Compare an array answer with the expected array, entry by entry.

    Parameters
    ----------
    answer : array_like
        The reader's answer.
    expected : array_like
        The right answer.
    name : str, default "answer"
        How to call the answer in the message, e.g. ``"Y"``.
    atol, rtol : float, default 1e-6
        Tolerances as in ``np.isclose``.

    Returns
    -------
    CheckResult
        Wrong type, NaN, wrong shape (noting a transpose or a reshape), or
        the number of wrong entries and the first one (index, expected, got).
    """
    expected = as_float_array(expected, "check_array: expected", finite=False)
    atol = check_positive(atol, "check_array: atol", allow_zero=True)
    rtol = check_positive(rtol, "check_array: rtol", allow_zero=True)
    return _compare(answer, expected, name, atol, rtol)


def check_scalar(answer, expected, name="answer", atol=1e-6, rtol=1e-6):
    """Compare a single-number answer with the expected number.

    Parameters
    ----------
    answer : float
    expected : float
    name : str, default "answer"
    atol, rtol : float, default 1e-6

    Returns
    -------
    CheckResult
    """
    expected = as_float_array(expected, "check_scalar: expected")
    if expected.size != 1:
        raise ValueError(f"check_scalar: expected must be one number; got shape {expected.shape}")
    got = _numbers(answer, name)
    if isinstance(got, CheckResult):
        return got
    if got.size != 1:
        return _wrong(f"{name} should be a single number, but it has shape {got.shape}.")
    return _compare(got.reshape(()), expected.reshape(()), name, atol, rtol)


_LEDGER = {  # name -> (shape in symbols, hint)
    "X": (("N", "D_in"), "one row per example, one column per input feature"),
    "W": (("D_in", "D_out"), "inputs down the rows, output units across the columns"),
    "b": (("D_out",), "one bias per output unit, shared by every example"),
    "Y": (("N", "D_out"), "one row per example, one column per output unit"),
    "dY": (("N", "D_out"), "a gradient has the shape of what it is the gradient of: Y"),
    "dW": (("D_in", "D_out"), "a gradient has the shape of what it is the gradient of: W"),
    "db": (("D_out",), "a gradient has the shape of what it is the gradient of: b"),
    "dX": (("N", "D_in"), "a gradient has the shape of what it is the gradient of: X"),
}


def check_shape_ledger(answers, N, D_in, D_out):
    """Check the shape ledger of a linear layer Y = X W + b and its backward pass.

    Parameters
    ----------
    answers : dict of str -> tuple of int
        Shapes for the names X, W, b, Y, dY, dW, db, dX.
    N, D_in, D_out : int
        Batch size, input features, output units.

    Returns
    -------
    CheckResult
        Right when all eight shapes are right; otherwise names every wrong
        shape (expected vs given) and every missing entry.
    """
    if not isinstance(answers, dict):
        raise TypeError(f"check_shape_ledger: answers must be a dict name -> shape; got "
                        f"{type(answers).__name__}")
    sizes = {"N": check_int(N, "check_shape_ledger: N"),
             "D_in": check_int(D_in, "check_shape_ledger: D_in"),
             "D_out": check_int(D_out, "check_shape_ledger: D_out")}
    unknown = sorted(set(answers) - set(_LEDGER))
    if unknown:
        raise ValueError(f"check_shape_ledger: unknown entries {unknown}; use {list(_LEDGER)}")
    problems, missing = [], []
    for name, (symbols, hint) in _LEDGER.items():
        want = tuple(sizes[s] for s in symbols)
        if name not in answers or answers[name] is None or answers[name] is Ellipsis:
            missing.append(name)
            continue
        try:
            got = tuple(int(s) for s in np.atleast_1d(answers[name]))
        except (TypeError, ValueError):
            got = answers[name]
        if got != want:
            sym = "(" + ", ".join(symbols) + ("," if len(symbols) == 1 else "") + ")"
            problems.append(f"{name} should be {sym} = {want}, not {got!r}: {hint}.")
    if not problems and not missing:
        return _right("All eight shapes are right: " + ", ".join(
            f"{n} {tuple(sizes[s] for s in _LEDGER[n][0])}" for n in _LEDGER) + ".")
    text = " ".join(problems)
    if missing:
        text += (" " if text else "") + "Still missing: " + ", ".join(missing) + "."
    return _wrong(text)


def check_trace(answers, x, W1, b1, W2, b2, y, loss="mse", lr=None, atol=1e-3):
    """Check a hand trace of the 2-3-1 network, entry by entry in chain-rule order.

    Parameters
    ----------
    answers : dict of str -> array_like
        Any of the rows of :func:`nnbook.handtrace.hand_trace`, by name: ``x, z1, h,
        y_hat, L, dy_hat, dW2, db2, dh, dz1, dW1, db1`` (for ``loss="bce"``
        also ``z2, dz2`` instead of ``dy_hat``) and, with `lr`, ``W1_new,
        b1_new, W2_new, b2_new, y_hat_new, L_new``. The trace's arrays have
        batch shapes (z1 and h are (1, 3)); a row or column may also be given
        flat: shape (3,) for (1, 3) or (3, 1) is fine.
    x, W1, b1, W2, b2, y, loss, lr
        The network and example, as for :func:`nnbook.handtrace.hand_trace`.
    atol : float, default 1e-3
        Hand arithmetic is rounded, so entries within `atol` count as right.

    Returns
    -------
    CheckResult
        Right when every entry you gave is right; otherwise names the FIRST
        wrong entry in computation order (later ones depend on it).
    """
    if not isinstance(answers, dict):
        raise TypeError(f"check_trace: answers must be a dict name -> value; got "
                        f"{type(answers).__name__}")
    trace = hand_trace(x, W1, b1, W2, b2, y, loss=loss, lr=lr)
    unknown = [k for k in answers if k not in trace.names]
    if unknown:
        raise ValueError(f"check_trace: unknown entries {unknown}; the trace has {trace.names}")
    atol = check_positive(atol, "check_trace: atol")
    done = []
    for row in trace.rows:
        if row.name not in answers:
            continue
        result = _compare(answers[row.name], row.value, row.name, atol, 0.0, squeeze=True)
        if not result:
            before = f" The entries before it ({', '.join(done)}) are right." if done else ""
            later = [k for k in trace.names[trace.names.index(row.name) + 1:] if k in answers]
            after = (f" Fix {row.name} first: the later entries ({', '.join(later)}) "
                     "depend on it." if later else "")
            return _wrong(f"{row.name} is the first entry that went wrong "
                          f"({row.words}, {row.name} = {row.formula}). "
                          + result.message.removeprefix("Not yet. ") + before + after)
        done.append(row.name)
    if not done:
        return _wrong("No entries to check yet: fill in some of " + ", ".join(trace.names) + ".")
    todo = [k for k in trace.names if k not in answers]
    rest = f" Not given yet: {', '.join(todo)}." if todo else ""
    return _right(f"All {len(done)} entries you gave are right: {', '.join(done)}.{rest}")


def check_gradient(f, grad, x, eps=1e-6, tol=1e-6, name="gradient"):
    """Check a gradient (a function or its value) against central differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    grad : callable or array_like
        ``grad(x) -> ndarray`` shaped like `x`, or the gradient's value at `x`.
    x : array_like
        The point.
    eps : float, default 1e-6
    tol : float, default 1e-6
        Largest accepted relative error ``||a - n|| / (||a|| + ||n||)``.
    name : str, default "gradient"

    Returns
    -------
    CheckResult
        Names the entry with the largest difference when wrong.
    """
    if not callable(f):
        raise TypeError(f"check_gradient: f must be callable, f(x) -> float; got {f!r}")
    x = np.array(as_float_array(x, "check_gradient: x"), dtype=np.float64)
    numeric = numerical_gradient(f, x.copy(), eps)
    try:
        answer = grad(x.copy()) if callable(grad) else grad
    except Exception as err:  # the reader's code failed: say so rather than crash
        return _wrong(f"your {name} function raised {type(err).__name__}: {err}")
    got = _numbers(answer, name)
    if isinstance(got, CheckResult):  # None, text, NaN...
        return got
    if got.size != numeric.size:
        return _wrong(f"{name} has shape {got.shape}, but it should have the shape of x, "
                      f"{numeric.shape}.")
    got = got.reshape(numeric.shape)
    err = relative_error(got, numeric)
    if err <= check_positive(tol, "check_gradient: tol"):
        return _right(f"{name} matches finite differences (relative error {err:.1e}).")
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(got - numeric)), got.shape))
    return _wrong(f"{name} disagrees with finite differences (relative error {err:.1e}); the "
                  f"largest difference is at {list(worst)}: finite differences give "
                  f"{_num(numeric[worst])}, your gradient {_num(got[worst])}.")


def check_dot_product(answer, a, b):
    """Check ``a . b = sum_i a_i b_i`` for two vectors of equal length.

    Returns
    -------
    CheckResult
    """
    a = as_float_array(a, "check_dot_product: a", ndim=1)
    b = as_float_array(b, "check_dot_product: b", ndim=1)
    if a.shape != b.shape:
        raise ValueError(f"check_dot_product: a has shape {a.shape} but b has shape {b.shape}")
    result = check_scalar(answer, a @ b, "the dot product")
    got = _numbers(answer, "answer")
    if not result and not isinstance(got, CheckResult) and got.size == 1 \
            and np.isclose(float(got.reshape(-1)[0]), a.sum() + b.sum()):
        result.message += " You added all the numbers; multiply pairs a_i * b_i first, then add."
    return result


def check_linear_forward(answer, X, W, b):
    """Check ``Y = X W + b`` for a batch ``X`` (N, D_in), ``W`` (D_in, D_out), ``b`` (D_out,).

    Returns
    -------
    CheckResult
        Also spots a forgotten bias.
    """
    X = as_float_array(X, "check_linear_forward: X", ndim=2)
    W = as_float_array(W, "check_linear_forward: W", ndim=2)
    b = as_float_array(b, "check_linear_forward: b", ndim=1)
    if X.shape[1] != W.shape[0] or b.shape[0] != W.shape[1]:
        raise ValueError(f"check_linear_forward: shapes do not fit Y = X W + b: X {X.shape}, "
                         f"W {W.shape}, b {b.shape}")
    result = check_array(answer, X @ W + b, "Y")
    got = _numbers(answer, "Y")
    if not result and not isinstance(got, CheckResult) and got.shape == (X.shape[0], W.shape[1]) \
            and np.allclose(got, X @ W):
        result.message += " That is X W without the bias: add b to every row."
    return result


_ACTIVATIONS = {"identity": lambda z: z, "step": F.step, "sigmoid": F.sigmoid,
                "relu": F.relu, "tanh": F.tanh}


def check_neuron_output(answer, x, w, b, activation="identity"):
    """Check a neuron's output ``activation(x . w + b)``.

    Parameters
    ----------
    answer : float or array_like
    x : array_like, shape (D,) or (N, D)
    w : array_like, shape (D,)
    b : float
    activation : {"identity", "step", "sigmoid", "relu", "tanh"}, default "identity"

    Returns
    -------
    CheckResult
        Also spots an answer that forgot the activation.
    """
    check_choice(activation, list(_ACTIVATIONS), "check_neuron_output: activation")
    x = as_float_array(x, "check_neuron_output: x", ndim=(1, 2))
    w = as_float_array(w, "check_neuron_output: w", ndim=1)
    if x.shape[-1] != w.shape[0]:
        raise ValueError(f"check_neuron_output: x has {x.shape[-1]} features (shape {x.shape}) "
                         f"but w has {w.shape[0]} weights")
    z = x @ w + float(as_float_array(b, "check_neuron_output: b").reshape(-1)[0])
    result = check_array(answer, _ACTIVATIONS[activation](z), "the neuron's output")
    got = _numbers(answer, "answer")
    if not result and activation != "identity" and not isinstance(got, CheckResult) \
            and got.size == z.size and np.allclose(got.reshape(z.shape), z):
        result.message += (f" That is the weighted sum z = x . w + b; now apply {activation}.")
    return result


def check_perceptron_update(answer, w, b, x, y, lr=1.0):
    """Check one step of the perceptron learning rule.

    The prediction is ``y_hat = step(w . x + b)`` (1 if >= 0, else 0), and
    ``w_new = w + lr (y - y_hat) x``, ``b_new = b + lr (y - y_hat)``.

    Parameters
    ----------
    answer : tuple (w_new, b_new)
    w : array_like, shape (D,)
    b : float
    x : array_like, shape (D,)
    y : {0, 1}
        The true label.
    lr : float, default 1.0

    Returns
    -------
    CheckResult
    """
    w = as_float_array(w, "check_perceptron_update: w", ndim=1)
    x = as_float_array(x, "check_perceptron_update: x", ndim=1)
    if x.shape != w.shape:
        raise ValueError(f"check_perceptron_update: x has shape {x.shape} but w has shape "
                         f"{w.shape}")
    b = float(as_float_array(b, "check_perceptron_update: b").reshape(-1)[0])
    if y not in (0, 1):
        raise ValueError(f"check_perceptron_update: y must be 0 or 1; got {y!r}")
    lr = check_positive(lr, "check_perceptron_update: lr")
    y_hat = float(F.step(w @ x + b))
    w_new, b_new = w + lr * (y - y_hat) * x, b + lr * (y - y_hat)
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return _wrong("give the answer as a pair (w_new, b_new).")
    rw = _compare(answer[0], w_new, "w_new", 1e-6, 1e-6)
    rb = check_scalar(answer[1], b_new, "b_new")
    if rw and rb:
        what = ("the prediction was right, so nothing changes" if y == y_hat
                else f"the prediction {y_hat:g} was wrong, so the weights move by "
                     f"lr (y - y_hat) x")
        return _right(f"w_new = {_show(w_new)}, b_new = {b_new:g}: {what}.")
    msg = (rw if not rw else rb).message
    if y == y_hat:
        msg += (f" Hint: w . x + b = {w @ x + b:g} gives y_hat = {y_hat:g} = y, so nothing "
                "should change.")
    else:
        msg += f" Hint: w . x + b = {w @ x + b:g} gives y_hat = {y_hat:g}, but y = {y}."
    return CheckResult(False, msg)


def check_softmax(answer, logits):
    """Check softmax probabilities for logits (softmax along the last axis).

    Returns
    -------
    CheckResult
        Also says when rows do not sum to 1.
    """
    z = as_float_array(logits, "check_softmax: logits", ndim=(1, 2))
    result = check_array(answer, F.softmax(z, axis=-1), "the probabilities")
    got = _numbers(answer, "answer")
    if not result and not isinstance(got, CheckResult) and got.shape == z.shape \
            and not np.allclose(got.sum(axis=-1), 1.0):
        result.message += " Each row of probabilities must sum to 1."
    return result


def check_stable_softmax(fn, batch=False):
    """Probe a softmax function with huge and tiny logits (+-1000).

    Parameters
    ----------
    fn : callable
        ``fn(z) -> probabilities``, softmax along the last axis.
    batch : bool, default False
        False: probe with 1-D vectors of logits, shape (3,); True: with a
        batch of rows, shape (4, 3).

    Returns
    -------
    CheckResult
        Names the first probe that overflowed (NaN/inf), raised, or gave
        wrong numbers.
    """
    if not callable(fn):
        raise TypeError(f"check_stable_softmax: fn must be callable; got {fn!r}")
    probes = np.array([[1.0, 2.0, 3.0], [1000.0, 999.0, 998.0],
                       [-1000.0, -1000.0, -1000.0], [1000.0, -1000.0, 0.0]])
    cases = [probes] if batch else list(probes)
    for z in cases:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                got = fn(z.copy())
        except Exception as err:  # the reader's code failed: report it
            return _wrong(f"softmax({z.tolist()}) raised {type(err).__name__}: {err}")
        result = _compare(got, F.softmax(z, axis=-1), f"softmax({z.tolist()})", 1e-9, 1e-9)
        if not result:
            if "NaN or inf" in result.message or "None" in result.message:
                result.message += (" exp(1000) overflows and exp(-1000) underflows to 0: "
                                   "subtract the largest logit before exponentiating.")
            return result
    return _right("your softmax gives the right probabilities even for logits of +-1000.")


def check_loss(answer, pred, target, kind="mse"):
    """Check a loss value computed by hand or by your own code.

    Parameters
    ----------
    answer : float
    pred : array_like
        "mse": predictions, shape (N,); "bce": probabilities in (0, 1),
        shape (N,); "cross_entropy": logits, shape (N, C).
    target : array_like
        Targets, shape (N,) (class labels for "cross_entropy").
    kind : {"mse", "bce", "cross_entropy"}, default "mse"
        Mean over the batch in every case.

    Returns
    -------
    CheckResult
        Also spots a sum instead of a mean and a missing minus sign.
    """
    from nncore.losses import BCELoss, CrossEntropyLoss, MSELoss  # the tested formulas

    check_choice(kind, ["mse", "bce", "cross_entropy"], "check_loss: kind")
    loss = {"mse": MSELoss, "bce": BCELoss, "cross_entropy": CrossEntropyLoss}[kind]()
    expected = loss.forward(pred, target)
    result = check_scalar(answer, expected, f"the {kind} loss")
    got = _numbers(answer, "answer")
    if result or isinstance(got, CheckResult) or got.size != 1:
        return result
    g, n = float(got.reshape(-1)[0]), np.shape(pred)[0]
    if n > 1 and np.isclose(g, expected * n):
        result.message += f" That is the sum over the {n} examples; the loss is the mean."
    elif np.isclose(g, -expected):
        result.message += " The sign is flipped: the loss is minus the mean log-probability."
    return result
