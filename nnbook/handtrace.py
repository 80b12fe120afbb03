"""The 2-3-1 network traced by hand: every number of one training step, in order.

One example ``x`` (2 inputs) goes through a hidden layer of 3 ReLU units and
one output unit. :func:`hand_trace` writes down each quantity the way you
would on paper, in the order you would compute it:

forward    x -> z1 = x W1 + b1 -> h = ReLU(z1) -> y_hat = h W2 + b2 -> L
backward   dL/dy_hat -> dW2, db2 -> dh -> dz1 (ReLU mask) -> dW1, db1
update     W <- W - lr dW for each parameter, then the new prediction and loss

Every array has the shape it has in ``nncore`` (batch first, a batch of one
example): x (1, 2), z1 and h (1, 3), y_hat (1, 1), L a scalar, and every
gradient the shape of the array it belongs to (dh like h, dz1 like z1, dW1
like W1, db1 like b1). The tables' Shape column is each value's shape.

The formulas are plain NumPy, one line per row, so they can be read next to
the table. The tests check every entry against nncore's ``Linear``, ``ReLU``,
``MSELoss`` and ``BCEWithLogitsLoss`` and against a gradient check, so the
table and the library cannot drift apart.
"""
from typing import NamedTuple

import numpy as np

from nncore._checks import as_float_array, check_choice, check_positive, check_shape

__all__ = ["example_231", "hand_trace", "HandTrace", "TraceRow"]


def example_231():
    """The book's 2-3-1 example: small numbers that stay friendly all the way.

    Hidden unit 3 gets a negative weighted sum (z1 = -0.75), so ReLU switches
    it off and no blame flows back through it, although its outgoing weight
    (1.0) is the largest. The prediction 0.5 misses the target 1, so the loss
    is 0.25 and every gradient has at most two decimals.

    Returns
    -------
    dict
        ``x`` : ndarray, shape (1, 2) = [[1, 2]] (one example, as a row);
        ``W1`` : ndarray, shape (2, 3) = [[1.5, -1, -0.5], [-0.25, 0.75, -0.25]];
        ``b1`` : ndarray, shape (3,) = [0.5, 0, 0.25];
        ``W2`` : ndarray, shape (3, 1) = [[0.25], [-0.25], [1]];
        ``b2`` : ndarray, shape (1,) = [0.25];
        ``y`` : float = 1.0 (the target);
        ``lr`` : float = 0.1 (the learning rate of the update).
        Use it as ``hand_trace(**example_231())``.
    """
    return {
        "x": np.array([[1.0, 2.0]]),
        "W1": np.array([[1.5, -1.0, -0.5],
                        [-0.25, 0.75, -0.25]]),
        "b1": np.array([0.5, 0.0, 0.25]),
        "W2": np.array([[0.25], [-0.25], [1.0]]),
        "b2": np.array([0.25]),
        "y": 1.0,
        "lr": 0.1,
    }


class TraceRow(NamedTuple):
    """One quantity of the trace.

    Attributes
    ----------
    name : str
        Python-friendly name, e.g. ``"z1"``, ``"dW1"``, ``"W1_new"``.
    symbol : str
        LaTeX symbol, e.g. ``"z^{(1)}"``.
    formula : str
        LaTeX formula computing it from earlier rows.
    words : str
        The same in plain words.
    value : ndarray
    stage : str
        ``"forward"``, ``"backward"`` or ``"update"``.
    """

    name: str
    symbol: str
    formula: str
    words: str
    value: np.ndarray
    stage: str

    @property
    def shape(self):
        """Shape of the value (tuple)."""
        return self.value.shape


def _fmt(value, decimals):
    """Format numbers without trailing zeros: 1.50 -> 1.5, -0.0 -> 0, nested lists kept."""
    if np.ndim(value) == 0:
        v = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
        return np.format_float_positional(v, precision=decimals, trim="-")
    return "[" + ", ".join(_fmt(v, decimals) for v in value) + "]"


def _shape(shape):
    """(1, 3) -> '(1, 3)', (3,) -> '(3,)', () -> 'scalar'."""
    return str(shape) if shape else "scalar"


class HandTrace:
    """Every number of one forward pass, backward pass and SGD update.

    Attributes
    ----------
    rows : list of TraceRow
        In computation order: forward, then backward (chain-rule order),
        then update.
    loss_kind : str
        ``"mse"`` or ``"bce"``.
    """

    def __init__(self, rows, loss_kind):
        self.rows = list(rows)
        self.loss_kind = loss_kind

    @property
    def names(self):
        """Row names in order (list of str)."""
        return [r.name for r in self.rows]

    def row(self, name):
        """The :class:`TraceRow` called `name`."""
        for r in self.rows:
            if r.name == name:
                return r
        raise ValueError(f"HandTrace: no row named {name!r}; rows are {self.names}")

    def value(self, name):
        """A copy of the value of row `name` (ndarray)."""
        return self.row(name).value.copy()

    def table(self, which="forward", decimals=3):
        """A Markdown table of one stage: quantity, formula, shape, value.

        The Shape column is each value's own shape (``scalar`` for the loss).

        Parameters
        ----------
        which : {"forward", "backward", "update", "all"}, default "forward"
        decimals : int, default 3
            Values are rounded to this many decimals; trailing zeros dropped.

        Returns
        -------
        str
            Markdown; display it with ``IPython.display.Markdown``.
        """
        check_choice(which, ["forward", "backward", "update", "all"], "HandTrace.table: which")
        rows = [r for r in self.rows if which in ("all", r.stage)]
        if not rows:
            raise ValueError(f"HandTrace.table: no {which!r} rows; pass lr=... to hand_trace "
                             "to include the update")
        lines = ["| Quantity | Formula | Shape | Value |", "|---|---|---|---|"]
        for r in rows:
            lines.append(f"| ${r.symbol}$ | ${r.formula}$ | {_shape(r.shape)} | "
                         f"`{_fmt(r.value, decimals)}` |")
        return "\n".join(lines)

    def to_markdown(self, decimals=3):
        """All stages as Markdown: a heading and a table for each (str)."""
        parts = []
        for stage in ("forward", "backward", "update"):
            if any(r.stage == stage for r in self.rows):
                parts.append(f"**{stage.capitalize()}**\n\n" + self.table(stage, decimals))
        return "\n\n".join(parts)

    def _repr_markdown_(self):
        return self.to_markdown()

    def __str__(self):
        w = max(len(n) for n in self.names)
        return "\n".join(f"{r.stage:<8}  {r.name:<{w}}  {_shape(r.shape):<7}  {_fmt(r.value, 4)}"
                         for r in self.rows)

    __repr__ = __str__


def hand_trace(x, W1, b1, W2, b2, y, loss="mse", lr=None):
    """Trace one training step of a 2-3-1 ReLU network on a single example.

    Shapes are written for the 2-3-1 network; any D inputs and H hidden
    units work the same way. The example is a batch of one, as in nncore:
    z1 and h have shape (1, 3), y_hat (1, 1), the loss is a scalar, and each
    gradient has the shape of its array.

    Parameters
    ----------
    x : array_like, shape (1, 2) or (2,)
        The input, one example; a flat (2,) is taken as the row (1, 2).
    W1 : array_like, shape (2, 3)
    b1 : array_like, shape (3,)
    W2 : array_like, shape (3, 1)
    b2 : array_like, shape (1,)
    y : float
        The target (for ``loss="bce"``, a label in [0, 1]).
    loss : {"mse", "bce"}, default "mse"
        "mse": the output is the prediction and L = (y_hat - y)^2 (the mean
        squared error of one example with one output, as ``MSELoss``).
        "bce": the output z2 is a logit, y_hat = sigmoid(z2), and L is the
        binary cross-entropy (as ``BCEWithLogitsLoss``), so dL/dz2 = y_hat - y.
    lr : float, optional
        If given, add the SGD update rows ``W <- W - lr * dW`` and the new
        prediction and loss for the same example.

    Returns
    -------
    HandTrace
    """
    loss = check_choice(loss, ["mse", "bce"], "hand_trace: loss")
    x = as_float_array(x, "hand_trace: x")
    if x.ndim == 1:
        x = x[None, :]  # one example as a row, (1, D)
    if x.ndim != 2 or x.shape[0] != 1:
        raise ValueError(f"hand_trace: x must be one example, shape (1, D) or (D,); got shape "
                         f"{x.shape}")
    W1 = as_float_array(W1, "hand_trace: W1", ndim=2)
    check_shape(W1, (x.shape[1], "H"), "hand_trace: W1")
    H = W1.shape[1]
    b1 = as_float_array(b1, "hand_trace: b1")
    check_shape(b1, (H,), "hand_trace: b1")
    W2 = as_float_array(W2, "hand_trace: W2")
    check_shape(W2, (H, 1), "hand_trace: W2")
    b2 = as_float_array(b2, "hand_trace: b2")
    check_shape(b2, (1,), "hand_trace: b2")
    y_arr = as_float_array(y, "hand_trace: y")
    if y_arr.size != 1:
        raise ValueError(f"hand_trace: y must be one number (the target); got shape {y_arr.shape}")
    y = float(y_arr.reshape(-1)[0])
    if loss == "bce" and not 0 <= y <= 1:
        raise ValueError(f"hand_trace: with loss='bce' the target y must be in [0, 1]; got {y!r}")

    def fwd(W1, b1, W2, b2):
        z1 = x @ W1 + b1  # (1, 2) @ (2, 3) + (3,) -> (1, 3)
        h = np.maximum(z1, 0.0)  # (1, 3)
        out = h @ W2 + b2  # (1, 1)  y_hat for MSE, the logit z2 for BCE
        if loss == "mse":
            return z1, h, out, out, np.array(((out - y) ** 2).item())  # L = (y_hat - y)^2, scalar
        y_hat = 1.0 / (1.0 + np.exp(-out))  # sigmoid
        bce = np.logaddexp(0.0, out) - y * out  # stable BCE, (1, 1)
        return z1, h, out, y_hat, np.array(bce.item())

    z1, h, out, y_hat, L = fwd(W1, b1, W2, b2)
    R = TraceRow
    rows = [
        R("x", "x", "x", "the input", x, "forward"),
        R("z1", "z^{(1)}", "x W^{(1)} + b^{(1)}", "weighted sums of the hidden units", z1,
          "forward"),
        R("h", "h", r"\mathrm{ReLU}(z^{(1)})", "negative sums become 0", h, "forward"),
    ]
    if loss == "mse":
        rows += [
            R("y_hat", r"\hat{y}", "h W^{(2)} + b^{(2)}", "the prediction", out, "forward"),
            R("L", "L", r"(\hat{y} - y)^2", "squared error", L, "forward"),
        ]
        dout = 2.0 * (y_hat - y)  # (1, 1)  dL/dy_hat
        rows.append(R("dy_hat", r"\delta^{(2)} = \partial L / \partial \hat{y}", r"2 (\hat{y} - y)",
                      "how the loss changes with the prediction", dout, "backward"))
    else:
        rows += [
            R("z2", "z^{(2)}", "h W^{(2)} + b^{(2)}", "the output logit", out, "forward"),
            R("y_hat", r"\hat{y}", r"\sigma(z^{(2)})", "predicted probability", y_hat, "forward"),
            R("L", "L", r"-[y \ln \hat{y} + (1 - y) \ln(1 - \hat{y})]",
              "binary cross-entropy", L, "forward"),
        ]
        dout = y_hat - y  # (1, 1)  dL/dz2, sigmoid and BCE fused
        rows.append(R("dz2", r"\delta^{(2)} = \partial L / \partial z^{(2)}", r"\hat{y} - y",
                      "how the loss changes with the logit", dout, "backward"))
    dW2 = h.T @ dout  # (3, 1) @ (1, 1) -> (3, 1), like W2
    db2 = dout.sum(axis=0)  # (1,), like b2
    dh = dout @ W2.T  # (1, 1) @ (1, 3) -> (1, 3), like h: blame along each outgoing weight
    dz1 = dh * (z1 > 0)  # (1, 3), like z1: ReLU lets blame through only where z1 > 0
    dW1 = x.T @ dz1  # (2, 1) @ (1, 3) -> (2, 3), like W1
    db1 = dz1.sum(axis=0)  # (3,), like b1
    d = r"\partial L / \partial "
    rows += [
        R("dW2", d + "W^{(2)}", r"h^\top \delta^{(2)}", "hidden output times output blame",
          dW2, "backward"),
        R("db2", d + "b^{(2)}", r"\delta^{(2)}", "the output blame itself", db2, "backward"),
        R("dh", d + "h", r"\delta^{(2)} W^{(2)\top}", "blame sent back along each weight",
          dh, "backward"),
        R("dz1", d + "z^{(1)}", r"\partial L / \partial h \odot \mathbb{1}[z^{(1)} > 0]",
          "ReLU blocks blame where z1 <= 0", dz1, "backward"),
        R("dW1", d + "W^{(1)}", r"x^\top \, \partial L / \partial z^{(1)}",
          "input times hidden blame", dW1, "backward"),
        R("db1", d + "b^{(1)}", r"\partial L / \partial z^{(1)}", "the hidden blame itself",
          db1, "backward"),
    ]
    if lr is not None:
        lr = check_positive(lr, "hand_trace: lr")
        new = {"W1": W1 - lr * dW1, "b1": b1 - lr * db1, "W2": W2 - lr * dW2, "b2": b2 - lr * db2}
        symbols = {"W1": "W^{(1)}", "b1": "b^{(1)}", "W2": "W^{(2)}", "b2": "b^{(2)}"}
        for key, sym in symbols.items():
            rows.append(R(f"{key}_new", sym + r"_{\text{new}}", f"{sym} - \\eta \\, {d}{sym}",
                          f"step against the gradient, lr = {lr:g}", new[key], "update"))
        _, _, _, y_hat_new, L_new = fwd(new["W1"], new["b1"], new["W2"], new["b2"])
        rows += [
            R("y_hat_new", r"\hat{y}_{\text{new}}", r"\text{forward pass with the new weights}",
              "the prediction after one step", y_hat_new, "update"),
            R("L_new", r"L_{\text{new}}", r"\text{loss with the new weights}",
              "the loss after one step", L_new, "update"),
        ]
    return HandTrace(rows, loss)
