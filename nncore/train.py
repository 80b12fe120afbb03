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
import numpy as np

from ._checks import NonFiniteError, as_float_array, check_int, check_rng, check_same_batch
from .callbacks import Callback, EarlyStopping, History  # noqa: F401 (importable from here)
from .data import iterate_minibatches
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss

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
        result = {"loss": loss.forward(out, y)}
    finally:
        model.train(was_training)
    correct = _n_correct(loss, out, np.asarray(y))
    if correct is not None:
        result["acc"] = correct / len(out)
    return result


def _diverged(what, epoch, batch, detail=""):
    return FloatingPointError(
        f"training diverged: {what} at epoch {epoch}, batch {batch}{detail}. {_ADVICE}")


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
    """
    X = as_float_array(X, "fit: X", ndim=2)
    y = as_float_array(y, "fit: y", ndim=(1, 2))
    check_same_batch(X, y, ("fit: X", "fit: y"))
    epochs = check_int(epochs, "fit: epochs")
    batch_size = X.shape[0] if batch_size is None else check_int(batch_size, "fit: batch_size")
    if shuffle:
        check_rng(rng, "fit: rng (needed because shuffle=True)")
    if isinstance(loss, CrossEntropyLoss) and y.ndim == 1:
        y = y.astype(np.int64)  # class labels
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise TypeError("fit: validation_data must be a pair (X_val, y_val)")
        X_val = as_float_array(validation_data[0], "fit: X_val", ndim=2)
        y_val = as_float_array(validation_data[1], "fit: y_val", ndim=(1, 2))
        check_same_batch(X_val, y_val, ("fit: X_val", "fit: y_val"))
    is_classifier = isinstance(loss, _CLASSIFICATION_LOSSES)
    keys = ["train_loss"] + ["train_acc"] * is_classifier
    if validation_data is not None:
        keys += ["val_loss"] + ["val_acc"] * is_classifier
    history = History(keys)
    was_training = model.training
    for cb in callbacks:
        cb.on_train_begin(history, model)

    for epoch in range(1, epochs + 1):
        model.train()
        total_loss, total_correct = 0.0, 0
        batches = iterate_minibatches(X, y, batch_size, rng=rng, shuffle=shuffle)
        for batch, (Xb, yb) in enumerate(batches, start=1):
            optimizer.zero_grad()
            try:
                out = model.forward(Xb)  # (B, D_out)
                value = loss.forward(out, yb)
                if not np.isfinite(value):
                    raise _diverged(f"the loss became {value}", epoch, batch)
                model.backward(loss.backward())
            except NonFiniteError as err:  # a layer met a NaN or inf on its way
                raise _diverged("a NaN or inf appeared in the forward or backward pass",
                                epoch, batch, f" ({err})") from err
            optimizer.step()
            for p, _ in optimizer.params:
                if not np.isfinite(p).all():
                    raise _diverged("a parameter became NaN or inf", epoch, batch)
            total_loss += value * len(Xb)
            if is_classifier:
                total_correct += _n_correct(loss, out, yb)
        history.history["epoch"].append(epoch)
        history.history["train_loss"].append(total_loss / len(X))
        if is_classifier:
            history.history["train_acc"].append(total_correct / len(X))
        if validation_data is not None:
            scores = evaluate(model, loss, X_val, y_val)
            history.history["val_loss"].append(scores["loss"])
            if is_classifier:
                history.history["val_acc"].append(scores["acc"])
        if verbose:
            parts = [f"{k} {v[-1]:.4f}" for k, v in history.history.items() if k != "epoch"]
            print(f"epoch {epoch}/{epochs}  " + "  ".join(parts))
        stop = [cb.on_epoch_end(epoch, history, model) for cb in callbacks]
        if any(stop):
            history.stopped_epoch = epoch
            break

    for cb in callbacks:
        cb.on_train_end(history, model)
    model.train(was_training)
    return history
