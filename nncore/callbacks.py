"""Training history and callbacks: ``History``, ``Callback``, ``EarlyStopping``.

``fit`` (in ``nncore.train``) records one row of numbers per epoch in a
``History`` and, after each epoch, calls every callback's ``on_epoch_end``;
a callback returning True stops training. Live plots and dashboards are
callbacks too.
"""
import numpy as np

from ._checks import check_choice, check_int, check_positive

__all__ = ["History", "Callback", "EarlyStopping"]


class History:
    """What happened during training, one entry per epoch.

    Attributes
    ----------
    history : dict of str -> list of float
        ``"epoch"`` (1, 2, ...), ``"train_loss"``, and when they apply
        ``"train_acc"``, ``"val_loss"``, ``"val_acc"``. ``history["val_loss"][i]``
        belongs to epoch ``history["epoch"][i]``.
    stopped_epoch : int or None
        The epoch after which a callback stopped training, or None if every
        requested epoch ran.

    Notes
    -----
    ``h["train_loss"]`` is short for ``h.history["train_loss"]``. Training
    losses and accuracies are averaged over the epoch's mini-batches (as
    Keras does); validation ones are computed on the whole validation set
    with the end-of-epoch weights, in evaluation mode.
    """

    def __init__(self, keys=("train_loss",)):
        self.history = {"epoch": [], **{k: [] for k in keys}}
        self.stopped_epoch = None

    def __getitem__(self, key):
        return self.history[key]

    def __len__(self):
        return len(self.history["epoch"])

    @property
    def best_epoch(self):
        """The epoch (1-based) with the lowest ``val_loss``, or ``train_loss``
        when there is no validation data; None before the first epoch."""
        key = "val_loss" if "val_loss" in self.history else "train_loss"
        if not self.history[key]:
            return None
        return self.history["epoch"][int(np.argmin(self.history[key]))]

    def __repr__(self):
        last = {k: round(v[-1], 4) for k, v in self.history.items() if v and k != "epoch"}
        return f"History(epochs={len(self)}, best_epoch={self.best_epoch}, last={last})"


class Callback:
    """Base class for code that runs during ``fit`` (live plots, early stopping...).

    Override any of the three hooks; the defaults do nothing.
    """

    def on_train_begin(self, history, model):
        """Called once before the first epoch, with the still-empty History."""

    def on_epoch_end(self, epoch, history, model):
        """Called after each epoch (1-based); return True to stop training."""
        return False

    def on_train_end(self, history, model):
        """Called once after the last epoch."""


class EarlyStopping(Callback):
    """Stop when a monitored value has not improved for `patience` epochs.

    Parameters
    ----------
    patience : int
        Epochs without improvement to wait before stopping (>= 1).
    min_delta : float, default 0.0
        An improvement must beat the best value so far by more than this.
    restore_best : bool, default True
        At the end of training, load the weights of the best epoch back into
        the model.
    monitor : {"val_loss", "val_acc", "train_loss", "train_acc"}, default "val_loss"
        Losses must go down, accuracies up.

    Attributes
    ----------
    best_epoch : int or None
        Epoch (1-based) of the best monitored value.
    best_value : float or None
    """

    def __init__(self, patience, min_delta=0.0, restore_best=True, monitor="val_loss"):
        self.patience = check_int(patience, "EarlyStopping: patience")
        self.min_delta = check_positive(min_delta, "EarlyStopping: min_delta", allow_zero=True)
        self.restore_best = bool(restore_best)
        self.monitor = check_choice(
            monitor, ("val_loss", "val_acc", "train_loss", "train_acc"), "EarlyStopping monitor")
        self._sign = -1.0 if monitor.endswith("acc") else 1.0  # minimise sign * value
        self.best_epoch = self.best_value = self._best_state = None
        self._wait = 0

    def __repr__(self):
        return f"EarlyStopping(patience={self.patience}, monitor={self.monitor!r})"

    def on_train_begin(self, history, model):
        """Reset, and check that the monitored value will exist."""
        if self.monitor not in history.history:
            raise ValueError(
                f"{self!r}: {self.monitor!r} is not recorded in this run (recorded: "
                f"{sorted(k for k in history.history if k != 'epoch')}); "
                "pass validation_data to fit, or monitor a recorded value")
        self.best_epoch = self.best_value = self._best_state = None
        self._wait = 0

    def on_epoch_end(self, epoch, history, model):
        """Remember the weights if this epoch is the best so far; True means stop."""
        value = history[self.monitor][-1]
        if self.best_value is None or self._sign * (self.best_value - value) > self.min_delta:
            self.best_epoch, self.best_value = epoch, value
            self._best_state = model.state_dict()  # a copy of every parameter
            self._wait = 0
            return False
        self._wait += 1
        return self._wait >= self.patience

    def on_train_end(self, history, model):
        """Restore the best weights (if ``restore_best``)."""
        if self.restore_best and self._best_state is not None:
            model.load_state_dict(self._best_state)
