"""Callbacks: early stopping (patience, restoring the best weights, monitors) and the base hooks."""
import numpy as np

import nncore as nc


def test_early_stopping_stops_after_patience_and_restores_the_best_weights():
    rng = np.random.default_rng(0)
    X, y = nc.make_lines(40, 0.6, rng)  # few, noisy examples: the big net overfits
    X_val, y_val = nc.make_lines(200, 0.6, rng)
    model = nc.MLP([9, 64, 64, 1], rng=np.random.default_rng(1))
    snapshots = {}

    class Snapshot(nc.Callback):
        def on_epoch_end(self, epoch, history, model):
            snapshots[epoch] = model.state_dict()

    stopper = nc.EarlyStopping(patience=3)
    history = nc.fit(model, nc.BCEWithLogitsLoss(), nc.Adam(model.parameters(), lr=0.02), X, y,
                     epochs=200, batch_size=8, rng=np.random.default_rng(2),
                     validation_data=(X_val, y_val), callbacks=[Snapshot(), stopper])
    best = stopper.best_epoch
    assert best == history.best_epoch
    assert 1 < best and history.stopped_epoch == best + 3 == len(history) < 200
    val = history["val_loss"]
    assert min(val[best:]) >= val[best - 1]  # no later epoch beat the best one
    for name, value in model.state_dict().items():  # the best epoch's weights are back
        np.testing.assert_allclose(value, snapshots[best][name], rtol=0, atol=0)
    assert not np.allclose(snapshots[len(history)]["0.W"], snapshots[best]["0.W"])


def test_early_stopping_min_delta_accuracy_monitor_and_no_restore():
    rng = np.random.default_rng(0)
    X, y = nc.make_lines(60, 0.2, rng)
    model = nc.MLP([9, 8, 1], rng=rng)
    stopper = nc.EarlyStopping(patience=2, min_delta=0.5, restore_best=False, monitor="train_acc")
    history = nc.fit(model, nc.BCEWithLogitsLoss(), nc.Adam(model.parameters(), lr=0.01), X, y,
                     epochs=50, batch_size=10, rng=rng, callbacks=[stopper])
    # accuracy can never improve by more than 0.5 after epoch 1, so training stops at 3
    assert stopper.best_epoch == 1 and history.stopped_epoch == 3
    assert repr(stopper) == "EarlyStopping(patience=2, monitor='train_acc')"


def test_callback_base_hooks_do_nothing_and_can_stop():
    class StopAtTwo(nc.Callback):
        def on_epoch_end(self, epoch, history, model):
            return super().on_epoch_end(epoch, history, model) or epoch == 2

    X, y = nc.make_xor()
    model = nc.MLP([2, 4, 1], "tanh", rng=np.random.default_rng(0))
    h = nc.fit(model, nc.BCEWithLogitsLoss(), nc.Adam(model.parameters()), X, y, epochs=10,
               batch_size=2, rng=np.random.default_rng(0), callbacks=[StopAtTwo()])
    assert h.stopped_epoch == 2 and len(h) == 2
