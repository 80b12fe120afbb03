"""The training loop: ``fit`` a model to data, and ``evaluate`` it.

One epoch visits every training example once, in mini-batches. For each
mini-batch (Xb, yb) the loop does the four steps of gradient descent::

    optimizer.zero_grad()              # forget the previous batch's gradients
    out = model.forward(Xb)            # forward pass, (B, D_out)
    value = loss.forward(out, yb)      # mean loss on the batch
    model.backward(loss.backward())    # backward pass fills every grads[...]
    optimizer.step()                   # update every parameter

After each epoch the validation set (if any) is scored, a row is added to
the ``History``, and the callbacks run (see ``nncore.callbacks``); one of
them returning True stops training early.
"""
import math

import numpy as np

from ._checks import (NonFiniteError, all_finite, as_float_array, check_int, check_rng,
                      check_same_batch)
from .callbacks import Callback, EarlyStopping, History  # noqa: F401 (importable from here)
from .data import _batches
from .layers import Sequential
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss
from .module import _forward_trusted

__all__ = ["fit", "evaluate"]

_ADVICE = ("Check: the learning rate may be too large (try 10x smaller); the inputs "
           "may not be scaled (standardise X); the initial weights may be too large.")
_CLASSIFICATION_LOSSES = (CrossEntropyLoss, BCEWithLogitsLoss, BCELoss)


def _predicted_labels(loss, out):
    """Class predictions from the model output, or None if the loss is not a classifier's."""
    if isinstance(loss, CrossEntropyLoss):
        return out.argmax(axis=1)  # (N,)
    if isinstance(loss, BCEWithLogitsLoss):
        return (out > 0).astype(np.int64).reshape(out.shape[0], -1)  # logit > 0 <=> p > 0.5
    if isinstance(loss, BCELoss):
        return (out > 0.5).astype(np.int64).reshape(out.shape[0], -1)
    return None


def _n_correct(loss, out, y):
    """Number of correctly classified examples in a batch (None for regression)."""
    if isinstance(loss, BCEWithLogitsLoss) and out.shape[1:] == (1,) and y.ndim == 1:
        return int(np.count_nonzero((out[:, 0] > 0) == (y > 0.5)))  # one column, 0/1 labels
    pred = _predicted_labels(loss, out)
    if pred is None:
        return None
    if isinstance(loss, CrossEntropyLoss):
        true = y if y.ndim == 1 else y.argmax(axis=1)
    else:
        true = (y > 0.5).reshape(pred.shape)
    return int(np.sum(np.all(pred == true, axis=1) if pred.ndim == 2 else pred == true))


def evaluate(model, loss, X, y):
    """Loss (and accuracy, for classification losses) on a whole data set.

    The model runs in evaluation mode (Dropout off); its mode is restored
    afterwards.

    Parameters
    ----------
    model : Module
    loss : MSELoss, BCELoss, BCEWithLogitsLoss or CrossEntropyLoss
    X : ndarray, shape (N, D_in)
    y : ndarray, targets as `loss` expects, e.g. shape (N,)

    Returns
    -------
    dict
        ``{"loss": float}``, plus ``"acc": float`` for classification losses.
    """
    was_training = model.training
    model.eval()
    try:
        out = model.forward(X)
        try:
            result = {"loss": loss.forward(out, y)}
        except NonFiniteError:  # the output is NaN or inf: name the first layer that saw one
            with np.errstate(all="ignore"):  # the first pass has already warned
                _forward_checking_every_layer(model, X)
            raise  # (only the last layer's output was non-finite)
    finally:
        model.train(was_training)
    correct = _n_correct(loss, out, np.asarray(y))
    if correct is not None:
        result["acc"] = correct / len(out)
    return result


def _diverged(what, epoch, batch, detail=""):
    return FloatingPointError(
        f"training diverged: {what} at epoch {epoch}, batch {batch}{detail}. {_ADVICE}")


def _check_schedule(epochs, batch_size, n, rng, shuffle):
    """Check fit's epochs, batch_size and rng; return (epochs, batch_size)."""
    epochs = check_int(epochs, "fit: epochs")
    batch_size = n if batch_size is None else check_int(batch_size, "fit: batch_size")
    if shuffle:
        check_rng(rng, "fit: rng (needed because shuffle=True)")
    return epochs, batch_size


def fit(model, loss, optimizer, X, y, *, epochs, batch_size, rng=None, shuffle=True,
        validation_data=None, callbacks=(), verbose=False):
    """Train `model` with mini-batch gradient descent.

    Parameters
    ----------
    model : Module
        E.g. a ``Sequential`` or ``MLP``.
    loss : MSELoss, BCELoss, BCEWithLogitsLoss or CrossEntropyLoss
    optimizer : Optimizer
        Built on ``model.parameters()``.
    X : ndarray, shape (N, D_in)
    y : ndarray, shape (N,) or (N, K)
        Targets as `loss` expects them.
    epochs : int
        Number of passes over the training set (>= 1).
    batch_size : int or None
        Examples per mini-batch; None means the whole set (full-batch).
    rng : np.random.Generator, optional
        Shuffles the examples each epoch; required when ``shuffle=True``.
    shuffle : bool, default True
        Visit the examples in a new random order each epoch. With a single
        batch per epoch (`batch_size` None or >= N) there is nothing to
        reorder: the batch is the whole set, and `rng` is not used.
    validation_data : (X_val, y_val), optional
        Scored after every epoch (``val_loss``, ``val_acc``).
    callbacks : sequence of Callback, default ()
    verbose : bool, default False
        Print one line per epoch.

    Returns
    -------
    History

    Raises
    ------
    FloatingPointError
        If the loss, an activation or a parameter becomes NaN or inf; the
        message says at which epoch and batch, and what to check.

    Notes
    -----
    Accuracy (``train_acc``, ``val_acc``) is recorded for the classification
    losses: argmax of the logits for ``CrossEntropyLoss``, logit > 0 for
    ``BCEWithLogitsLoss``, probability > 0.5 for ``BCELoss``. The model's
    train/eval mode is restored when ``fit`` returns.

    The inputs are checked once, here. The loss checks the targets of each
    batch in the first epoch (every example once); later epochs, and the
    layers inside the model, skip the checks, which would only repeat them.
    """
    X = as_float_array(X, "fit: X", ndim=2)
    y = as_float_array(y, "fit: y", ndim=(1, 2))
    check_same_batch(X, y, ("fit: X", "fit: y"))
    epochs, batch_size = _check_schedule(epochs, batch_size, X.shape[0], rng, shuffle)
    if isinstance(loss, CrossEntropyLoss) and y.ndim == 1:
        y = y.astype(np.int64)  # class labels
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise TypeError("fit: validation_data must be a pair (X_val, y_val)")
        X_val = as_float_array(validation_data[0], "fit: X_val", ndim=2)
        y_val = as_float_array(validation_data[1], "fit: y_val", ndim=(1, 2))
        check_same_batch(X_val, y_val, ("fit: X_val", "fit: y_val"))
        if isinstance(loss, CrossEntropyLoss) and y_val.ndim == 1:
            y_val = y_val.astype(np.int64)
        validation_data = (X_val, y_val)
    return _fit(model, loss, optimizer, X, y, epochs, batch_size, rng, shuffle,
                validation_data, callbacks, verbose)


def _fit(model, loss, optimizer, X, y, epochs, batch_size, rng, shuffle,
         validation_data, callbacks, verbose):
    """``fit`` on checked arguments: X float64 (N, D) and finite, y of N rows."""
    is_classifier = isinstance(loss, _CLASSIFICATION_LOSSES)
    keys = ["train_loss"] + ["train_acc"] * is_classifier
    if validation_data is not None:
        keys += ["val_loss"] + ["val_acc"] * is_classifier
    history = History(keys)
    record = history.history
    was_training = model.training
    params = [p for p, _ in optimizer.params]
    n = X.shape[0]
    for cb in callbacks:
        cb.on_train_begin(history, model)

    for epoch in range(1, epochs + 1):
        model.train()
        first = epoch == 1  # the loss checks every target once, in the first epoch
        total_loss, total_correct = 0.0, 0
        if batch_size >= n:  # one batch, the whole set: nothing to shuffle or copy
            batches = ((X, y),)
        else:
            order = rng.permutation(n) if shuffle else np.arange(n)  # (N,)
            batches = _batches(X, y, order, batch_size)
        for batch, (Xb, yb) in enumerate(batches, start=1):
            optimizer.zero_grad()
            try:
                out = _forward_trusted(model, Xb)  # (B, D_out)
                value = loss.forward(out, yb) if first else _loss_trusted(loss, out, yb)
            except NonFiniteError as err:  # the first epoch's loss met a NaN or inf
                raise _locate_nonfinite(model, loss, Xb, yb, epoch, batch) or err
            if not math.isfinite(value):
                raise _locate_nonfinite(model, loss, Xb, yb, epoch, batch) or _diverged(
                    f"the loss became {value}", epoch, batch)
            dout = loss.backward()
            if model._own_backward:  # skip dL/dX, which no one reads here
                model._backward_to_params(dout)
            else:
                model.backward(dout)
            optimizer.step()
            if not all_finite(params):
                raise _diverged(
                    "a NaN or inf appeared in the forward or backward pass"
                    if not all_finite([g for _, g in optimizer.params])
                    else "a parameter became NaN or inf", epoch, batch)
            total_loss += value * len(Xb)
            if is_classifier:
                total_correct += _n_correct(loss, out, yb)
        record["epoch"].append(epoch)
        record["train_loss"].append(total_loss / n)
        if is_classifier:
            record["train_acc"].append(total_correct / n)
        if validation_data is not None:
            scores = (evaluate if first else _evaluate)(model, loss, *validation_data)
            record["val_loss"].append(scores["loss"])
            if is_classifier:
                record["val_acc"].append(scores["acc"])
        if verbose:
            parts = [f"{k} {v[-1]:.4f}" for k, v in record.items() if k != "epoch"]
            print(f"epoch {epoch}/{epochs}  " + "  ".join(parts))
        stop = [cb.on_epoch_end(epoch, history, model) for cb in callbacks]
        if any(stop):
            history.stopped_epoch = epoch
            break

    for cb in callbacks:
        cb.on_train_end(history, model)
    model.train(was_training)
    return history


def _loss_trusted(loss, out, y):
    """The loss on checked targets: nncore's losses skip their checks."""
    if type(loss).forward.__module__.startswith("nncore."):
        return loss._forward(out, y)
    return loss.forward(out, y)


def _evaluate(model, loss, X, y):
    """``evaluate`` on checked arrays, with the unchecked passes."""
    was_training = model.training
    model.eval()
    try:
        out = _forward_trusted(model, X)
        value = _loss_trusted(loss, out, y)
    finally:
        model.train(was_training)
    if not math.isfinite(value):  # let the checked path name the culprit
        return evaluate(model, loss, X, y)
    correct = _n_correct(loss, out, y)
    return {"loss": value} if correct is None else {"loss": value, "acc": correct / len(out)}


def _locate_nonfinite(model, loss, Xb, yb, epoch, batch):
    """Find where a NaN or inf first appeared in a forward pass, for the message.

    The training loop runs the layers without checks; when the loss comes
    out NaN or inf it runs the batch again with every layer checking its
    input, so the message names the first layer that saw one (as the public
    ``forward`` of each layer would). Returns the error, or None when every
    input was finite and only the loss itself overflowed.
    """
    try:
        with np.errstate(all="ignore"):  # the first pass has already warned
            loss.forward(_forward_checking_every_layer(model, Xb), yb)
    except NonFiniteError as err:  # the message names the layer, or the loss's pred
        error = _diverged("a NaN or inf appeared in the forward or backward pass",
                          epoch, batch, f" ({err})")
        error.__cause__ = err
        return error
    return None


def _forward_checking_every_layer(model, x):
    """``model.forward(x)`` with every layer of a Sequential checking its input."""
    if isinstance(model, Sequential) and model._own_forward:
        for layer in model.layers:
            x = _forward_checking_every_layer(layer, x)
        return x
    return model.forward(x)
