"""Broken training runs: the gallery of the debugging chapter, and its mystery run.

Every run starts from the same healthy recipe (noisy line images, a 9-8-1
ReLU network, binary cross-entropy on logits, plain SGD) and changes one
thing: the *fault*. :func:`run` trains the faulty recipe, or the fixed one,
with a training loop written out step by step (so that a fault can live in
the loop itself), and returns everything a diagnosis needs.

:func:`mystery_run` hides which fault it used; :func:`check_diagnosis` says
whether a reader's diagnosis is right and, if not, where to look next.
"""
from typing import NamedTuple

import numpy as np

from nncore import (SGD, BCEWithLogitsLoss, History, Linear, ReLU, Sequential,
                    Sigmoid, evaluate, iterate_minibatches, make_lines,
                    train_val_test_split)

__all__ = ["FAULTS", "STAGES", "Recipe", "Run", "BuggyReLU", "recipe", "train_loop", "run",
           "mystery_run", "check_diagnosis"]

#: The order of inquiry: where a failing run can break, checked in this order.
STAGES = ("data", "loss", "gradients", "updates", "model")

#: fault name -> (stage of the checklist where it is found, what it is)
FAULTS = {
    "unscaled": ("data", "pixels stored as 0-255 instead of 0-1"),
    "leak": ("data", "a tenth column that gives away the label"),
    "wrong-labels": ("data", "30% of the labels flipped"),
    "loss-mismatch": ("loss", "a sigmoid layer before BCEWithLogitsLoss"),
    "backward-bug": ("gradients", "a ReLU whose backward pass forgets its mask"),
    "lr-too-large": ("updates", "a learning rate 50 times too large"),
    "dead-relu": ("updates", "hidden biases that start at -3"),
    "no-zero-grad": ("updates", "a loop that never calls zero_grad()"),
    "too-small": ("model", "a hidden layer of one unit"),
}

NOISE, N_IMAGES, HIDDEN, LR, EPOCHS, BATCH = 0.3, 600, 8, 0.1, 40, 32


class BuggyReLU(ReLU):
    """A ReLU with a classic backward bug: it passes every gradient through.

    The forward pass is right; the backward pass should multiply by the mask
    ``x > 0`` and forgets to, so it is the backward pass of the identity.
    """

    def backward(self, dout):
        return dout  # bug: should be dout * (x > 0)


class Recipe(NamedTuple):
    """Everything a training run is made of.

    Attributes
    ----------
    X_train, X_val, X_test : ndarray, shape (N, D)
    y_train, y_val, y_test : ndarray, shape (N,)
    model : Sequential
    loss : BCEWithLogitsLoss
    lr : float
    zero_grad : bool
        Whether the training loop resets the gradients before each backward pass.
    """

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray
    model: Sequential
    loss: BCEWithLogitsLoss
    lr: float
    zero_grad: bool


class Run(NamedTuple):
    """A finished run: the recipe it trained, its history and final test accuracy."""

    fault: str
    fixed: bool
    recipe: Recipe
    history: History
    test_acc: float


def _check_fault(fault, who):
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"{who}: unknown fault {fault!r}; expected None or one of "
                         f"{', '.join(FAULTS)}")


def recipe(fault=None, seed=0):
    """The healthy recipe with one `fault` built in (None: no fault).

    The data are 600 noisy line images (noise 0.3) split 60/20/20 into
    training, validation and test sets; the model is 9-8-1 with ReLU and He
    initialisation; the loss is BCEWithLogitsLoss; the learning rate LR (0.1).
    `seed` fixes the images, the split and the initial weights.
    """
    _check_fault(fault, "recipe")
    rng = np.random.default_rng(seed)
    X, y = make_lines(N_IMAGES, NOISE, rng)                        # (600, 9), (600,)
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        X, y, val_size=0.2, test_size=0.2, rng=rng)
    hidden, act, lr, zero_grad = HIDDEN, ReLU(), LR, True
    tail = []
    if fault == "unscaled":
        X_train, X_val, X_test = (255 * A for A in (X_train, X_val, X_test))
    elif fault == "leak":   # a 'quality flag' column that was filled in from the label
        X_train, X_val, X_test = (np.column_stack([A, b]) for A, b in
                                  ((X_train, y_train), (X_val, y_val), (X_test, y_test)))
    elif fault == "wrong-labels":
        flip = rng.random(len(y_train)) < 0.3
        y_train = np.where(flip, 1 - y_train, y_train)
        flip = rng.random(len(y_val)) < 0.3
        y_val = np.where(flip, 1 - y_val, y_val)
    elif fault == "loss-mismatch":
        tail = [Sigmoid()]
    elif fault == "backward-bug":
        act = BuggyReLU()
    elif fault == "lr-too-large":
        lr = 50 * LR
    elif fault == "no-zero-grad":
        zero_grad = False
    elif fault == "too-small":
        hidden = 1
    first = Linear(X_train.shape[1], hidden, rng=rng)
    if fault == "dead-relu":
        first.params["b"][:] = -3.0
    model = Sequential(first, act, Linear(hidden, 1, rng=rng), *tail)
    return Recipe(X_train, X_val, X_test, y_train, y_val, y_test, model,
                  BCEWithLogitsLoss(), lr, zero_grad)


def train_loop(r, epochs=EPOCHS, batch_size=BATCH, *, rng):
    """Train recipe `r` with mini-batch SGD, one step written out per batch.

    `rng` (a ``np.random.Generator``) shuffles the training set each epoch.

    Returns a ``History`` with ``train_loss`` (mean over the epoch's batches),
    ``val_loss`` and ``val_acc`` after each epoch.
    """
    model, loss = r.model, r.loss
    opt = SGD(model.parameters(), lr=r.lr)
    history = History(("train_loss", "val_loss", "val_acc"))
    for epoch in range(1, epochs + 1):
        losses = []
        for Xb, yb in iterate_minibatches(r.X_train, r.y_train, batch_size, rng=rng):
            L = loss(model(Xb), yb)            # forward pass and loss
            if r.zero_grad:
                model.zero_grad()              # forget the last batch's gradients
            model.backward(loss.backward())    # backward pass: adds into grads
            opt.step()                         # update
            losses.append(L)
        val = evaluate(model, loss, r.X_val, r.y_val)
        for key, value in (("epoch", epoch), ("train_loss", float(np.mean(losses))),
                           ("val_loss", val["loss"]), ("val_acc", val["acc"])):
            history.history[key].append(value)
    return history


def run(fault=None, seed=0, fixed=False, epochs=EPOCHS):
    """Build the recipe with `fault` (or, with ``fixed=True``, without it) and train it.

    Returns
    -------
    Run
    """
    _check_fault(fault, "run")
    r = recipe(None if fixed else fault, seed)
    history = train_loop(r, epochs=epochs, rng=np.random.default_rng(seed + 1000))
    test_acc = evaluate(r.model, r.loss, r.X_test, r.y_test)["acc"]
    return Run(fault, fixed, r, history, float(test_acc))


def mystery_run(seed):
    """A run with a hidden fault, chosen by `seed` (an int >= 0).

    Returns a ``Run`` whose ``fault`` is ``"?"``. Its ``history`` and
    ``test_acc`` come from training; its ``recipe`` holds the data and a
    freshly initialised copy of the model (the weights training started
    from), with ``zero_grad=None``: the training loop is not shown. Diagnose
    it, then ask :func:`check_diagnosis`.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"mystery_run: seed must be an int >= 0, got {seed!r}")
    fault = _mystery_fault(seed)
    done = run(fault, seed=int(seed))
    return done._replace(fault="?", recipe=recipe(fault, int(seed))._replace(zero_grad=None))


def _mystery_fault(seed):
    names = list(FAULTS)
    return names[np.random.default_rng([int(seed), 2024]).integers(len(names))]


def check_diagnosis(seed, answer):
    """Is `answer` the fault hidden in ``mystery_run(seed)``?

    `answer` is one of the names in :data:`FAULTS`. Returns a one-line verdict
    (a str that starts with "Right" or "Not quite"); a wrong answer gets the
    stage of the checklist where the true fault shows itself.
    """
    if answer not in FAULTS:
        raise ValueError(f"check_diagnosis: answer must be one of {', '.join(FAULTS)}, "
                         f"got {answer!r}")
    truth = _mystery_fault(seed)
    if answer == truth:
        return f"Right: the run had {FAULTS[truth][1]}."
    stage, _ = FAULTS[truth]
    hint = ("the same stage" if FAULTS[answer][0] == stage else
            f"the '{stage}' stage of the checklist, not '{FAULTS[answer][0]}'")
    return f"Not quite: look again; the fault shows itself at {hint}."
