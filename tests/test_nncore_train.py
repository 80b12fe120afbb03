"""The training loop: learning, early stopping, reproducibility, weight decay, divergence."""
import numpy as np
import pytest

import nncore as nc


def xor_model(seed=0):
    return nc.MLP([2, 4, 1], "tanh", rng=np.random.default_rng(seed))


def test_fit_solves_xor():
    X, y = nc.make_xor()  # the four corners, labels [0, 1, 1, 0]
    model = xor_model()
    loss = nc.BCEWithLogitsLoss()
    history = nc.fit(model, loss, nc.Adam(model.parameters(), lr=0.05), X, y,
                     epochs=300, batch_size=4, rng=np.random.default_rng(1))
    assert len(history) == 300 and history.stopped_epoch is None
    assert history["epoch"] == list(range(1, 301))
    assert history["train_acc"][-1] == 1.0
    assert history["train_loss"][-1] < 0.01 < history["train_loss"][0]
    predicted = (model(X)[:, 0] > 0).astype(int)  # logit > 0 <=> p > 0.5
    np.testing.assert_array_equal(predicted, y)
    assert nc.evaluate(model, loss, X, y)["acc"] == 1.0


def test_same_seed_gives_identical_weights_and_history():
    def train(seed):
        rng = np.random.default_rng(seed)
        X, y = nc.make_lines(64, 0.3, rng)
        model = nc.MLP([9, 8, 1], dropout=0.2, rng=rng)
        h = nc.fit(model, nc.BCEWithLogitsLoss(), nc.SGD(model.parameters(), lr=0.1, momentum=0.9),
                   X, y, epochs=5, batch_size=16, rng=rng)
        return model.state_dict(), h["train_loss"]

    (w1, l1), (w2, l2), (w3, _) = train(3), train(3), train(4)
    for key in w1:
        np.testing.assert_allclose(w1[key], w2[key], rtol=1e-15, atol=0)
    np.testing.assert_allclose(l1, l2, rtol=1e-15)
    assert not np.allclose(w1["0.W"], w3["0.W"])


def test_more_weight_decay_gives_smaller_weights():
    rng = np.random.default_rng(5)
    X, y = nc.make_lines(200, 0.3, rng)
    norms = []
    for wd in (0.0, 0.01, 0.1):
        model = nc.MLP([9, 16, 1], rng=np.random.default_rng(6))
        nc.fit(model, nc.BCEWithLogitsLoss(), nc.SGD(model.parameters(), lr=0.1, weight_decay=wd),
               X, y, epochs=30, batch_size=20, rng=np.random.default_rng(7))
        norms.append(sum(np.sum(p**2) for name, p, _ in model.named_parameters() if name.endswith("W")))
    assert norms[0] > norms[1] > norms[2]


def test_fit_regression_full_batch_without_shuffle_and_verbose(capsys):
    rng = np.random.default_rng(8)
    X = rng.standard_normal((50, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3  # (50, 1), a linear target
    model = nc.Linear(3, 1, init="zeros")
    history = nc.fit(model, nc.MSELoss(), nc.SGD(model.parameters(), lr=0.1), X, y,
                     epochs=200, batch_size=None, shuffle=False, verbose=True,
                     validation_data=(X, y))
    assert set(history.history) == {"epoch", "train_loss", "val_loss"}  # no accuracy
    np.testing.assert_allclose(model.params["W"][:, 0], [1.0, -2.0, 0.5], rtol=1e-6)
    np.testing.assert_allclose(model.params["b"], [0.3], rtol=1e-6)
    assert "epoch 200/200  train_loss" in capsys.readouterr().out
    assert repr(history).startswith("History(epochs=200, best_epoch=")
    assert nc.History().best_epoch is None


def test_fit_with_one_hot_targets_and_probabilities():
    rng = np.random.default_rng(9)
    X, y = nc.make_blobs(90, 0.5, rng)
    model = nc.MLP([2, 8, 3], rng=rng)
    h = nc.fit(model, nc.CrossEntropyLoss(), nc.Adam(model.parameters(), lr=0.05), X,
               nc.one_hot(y, 3), epochs=20, batch_size=30, rng=rng, validation_data=(X, y))
    assert h["train_acc"][-1] > 0.9 and h["val_acc"][-1] > 0.9
    probs = nc.MLP([2, 4, 1], output="sigmoid", rng=rng)  # BCELoss on probabilities
    Xb, yb = nc.make_xor()
    h = nc.fit(probs, nc.BCELoss(), nc.Adam(probs.parameters(), lr=0.05), Xb, yb,
               epochs=5, batch_size=2, rng=rng)
    assert 0.0 <= h["train_acc"][-1] <= 1.0


def test_fit_restores_the_model_mode():
    rng = np.random.default_rng(10)
    X, y = nc.make_xor()
    model = nc.MLP([2, 4, 1], dropout=0.5, rng=rng).eval()
    nc.fit(model, nc.BCEWithLogitsLoss(), nc.Adam(model.parameters()), X, y, epochs=1,
           batch_size=4, rng=rng)
    assert model.training is False


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_raises_floating_point_error_saying_where_and_why():
    rng = np.random.default_rng(11)
    X, y = nc.make_lines(40, 0.3, rng)
    model = nc.MLP([9, 16, 1], rng=rng)
    with pytest.raises(FloatingPointError, match=r"training diverged: the loss became inf at "
                                                 r"epoch \d+, batch \d+\. .*learning rate"):
        nc.fit(model, nc.MSELoss(), nc.SGD(model.parameters(), lr=1e3), X * 1e3, y,
               epochs=50, batch_size=8, rng=rng)
    # a step so large that a parameter becomes inf
    model = nc.MLP([9, 16, 1], rng=rng)
    with pytest.raises(FloatingPointError, match=r"a parameter became NaN or inf at epoch 1, batch 1"):
        nc.fit(model, nc.MSELoss(), nc.SGD(model.parameters(), lr=1e308), X, y * 100,
               epochs=1, batch_size=8, rng=rng)
    # weights so large that an activation overflows inside the network
    model = nc.MLP([9, 16, 1], rng=rng)
    model[0].params["W"][...] = 1e300
    with pytest.raises(FloatingPointError, match=r"NaN or inf appeared in the forward or backward pass at "
                                                 r"epoch 1, batch 1.*ReLU\(\): input contains"):
        nc.fit(model, nc.MSELoss(), nc.SGD(model.parameters(), lr=0.1), X + 1e10, y,
               epochs=1, batch_size=8, rng=rng)


def test_fit_rejects_bad_input():
    rng = np.random.default_rng(12)
    model = nc.MLP([9, 4, 1], rng=rng)
    opt, loss = nc.SGD(model.parameters(), lr=0.1), nc.BCEWithLogitsLoss()
    X, y = nc.make_lines(10, 0.1, rng)

    def call(**kw):
        args = dict(model=model, loss=loss, optimizer=opt, X=X, y=y, epochs=1,
                    batch_size=4, rng=rng)
        args.update(kw)
        return nc.fit(**args)

    with pytest.raises(ValueError, match=r"fit: X must be 2-D; got 1-D array of shape \(9,\)"):
        call(X=X[0])
    with pytest.raises(ValueError, match=r"fit: X and fit: y must hold the same number of examples.*\(10, 9\).*\(9,\)"):
        call(y=y[:9])
    with pytest.raises(ValueError, match=r"fit: X contains 1 non-finite value.*nan"):
        bad = X.copy()
        bad[3, 4] = np.nan
        call(X=bad)
    with pytest.raises(TypeError, match=r"fit: y must hold real numbers; got dtype <U"):
        call(y=np.array(["v"] * 10))
    with pytest.raises(ValueError, match=r"fit: epochs must be >= 1; got 0"):
        call(epochs=0)
    with pytest.raises(TypeError, match=r"fit: batch_size must be an integer; got 2.5"):
        call(batch_size=2.5)
    with pytest.raises(TypeError, match=r"fit: rng \(needed because shuffle=True\) must be a np.random.Generator"):
        call(rng=None)
    with pytest.raises(TypeError, match=r"fit: validation_data must be a pair \(X_val, y_val\)"):
        call(validation_data=X)
    with pytest.raises(ValueError, match=r"fit: X_val and fit: y_val must hold the same number"):
        call(validation_data=(X, y[:3]))
    with pytest.raises(ValueError, match=r"Linear\(9 -> 4\): input X has shape \(4, 3\); expected \(N, 9\)"):
        call(X=X[:, :3])
    with pytest.raises(ValueError, match=r"EarlyStopping\(patience=2, monitor='val_loss'\): 'val_loss' "
                                         r"is not recorded in this run \(recorded: \['train_acc', 'train_loss'\]\)"):
        call(callbacks=[nc.EarlyStopping(2)])
    with pytest.raises(ValueError, match=r"unknown EarlyStopping monitor 'loss'; choose one of 'val_loss'"):
        nc.EarlyStopping(2, monitor="loss")
    with pytest.raises(ValueError, match=r"EarlyStopping: patience must be >= 1; got 0"):
        nc.EarlyStopping(0)
    with pytest.raises(ValueError, match=r"EarlyStopping: min_delta must be >= 0; got -0.1"):
        nc.EarlyStopping(1, min_delta=-0.1)


def test_evaluate_scores_in_eval_mode_and_rejects_bad_input():
    rng = np.random.default_rng(13)
    X, y = nc.make_lines(20, 0.2, rng)
    model = nc.MLP([9, 4, 1], dropout=0.5, rng=rng)
    scores = nc.evaluate(model, nc.BCEWithLogitsLoss(), X, y)
    assert set(scores) == {"loss", "acc"} and model.training is True
    again = nc.evaluate(model, nc.BCEWithLogitsLoss(), X, y)  # dropout off: deterministic
    np.testing.assert_allclose(again["loss"], scores["loss"], rtol=1e-15)
    with pytest.raises(ValueError, match=r"Linear\(9 -> 4\): input X has shape \(20, 8\); expected \(N, 9\)"):
        nc.evaluate(model, nc.BCEWithLogitsLoss(), X[:, :8], y)
    with pytest.raises(ValueError, match=r"BCEWithLogitsLoss: pred and target must hold the same number of examples"):
        nc.evaluate(model, nc.BCEWithLogitsLoss(), X, y[:5])
    assert model.training is True  # restored even after an error


# -- fit checks its input once; the loop runs nncore's layers unchecked ------------


def test_full_batch_fit_matches_a_hand_written_loop_and_leaves_rng_alone():
    rng = np.random.default_rng(20)
    X, y = nc.make_lines(60, 0.3, rng)
    by_fit, by_hand = nc.MLP([9, 4, 1], rng=np.random.default_rng(1)), nc.MLP([9, 4, 1], rng=np.random.default_rng(1))
    shuffler = np.random.default_rng(5)
    state = shuffler.bit_generator.state
    h = nc.fit(by_fit, nc.BCEWithLogitsLoss(), nc.SGD(by_fit.parameters(), lr=0.5), X, y,
               epochs=20, batch_size=None, rng=shuffler)
    assert shuffler.bit_generator.state == state  # one batch: nothing to shuffle
    loss, opt = nc.BCEWithLogitsLoss(), nc.SGD(by_hand.parameters(), lr=0.5)
    for epoch in range(20):
        opt.zero_grad()
        value = loss(by_hand(X), y)
        by_hand.backward(loss.backward())
        opt.step()
        assert h["train_loss"][epoch] == value
    for (a, _), (b, _) in zip(by_fit.parameters(), by_hand.parameters()):
        np.testing.assert_array_equal(a, b)


def test_fit_checks_every_target_in_the_first_epoch():
    rng = np.random.default_rng(21)
    X, y = nc.make_lines(10, 0.1, rng)
    model = nc.MLP([9, 3, 1], rng=rng)
    bad = y.astype(float)
    bad[-1] = 2.0  # in the last batch
    with pytest.raises(ValueError, match=r"BCEWithLogitsLoss: target must lie in \[0, 1\]; got values from [01] to 2"):
        nc.fit(model, nc.BCEWithLogitsLoss(), nc.SGD(model.parameters(), lr=0.1), X, bad,
               epochs=2, batch_size=4, shuffle=False)
    model = nc.MLP([9, 3, 3], rng=rng)
    labels = np.arange(10) % 3
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: target labels must hold labels in 0..2"):
        nc.fit(model, nc.CrossEntropyLoss(), nc.SGD(model.parameters(), lr=0.1), X, labels,
               epochs=2, batch_size=4, rng=rng, validation_data=(X, labels + 1))


def test_fit_runs_a_readers_model_and_loss_through_their_own_methods():
    calls = {"forward": 0, "backward": 0, "loss": 0}

    class Affine(nc.Module):  # a reader's one-layer model, not an nncore class
        def __init__(self):
            super().__init__()
            self.params["w"], self.grads["w"] = np.zeros((2, 1)), np.zeros((2, 1))

        def forward(self, x):
            calls["forward"] += 1
            self.x = x
            return x @ self.params["w"]

        def backward(self, dout):
            calls["backward"] += 1
            self.grads["w"] += self.x.T @ dout
            return dout @ self.params["w"].T

    class HalfSquaredError:  # a reader's loss, not an nncore class
        def forward(self, pred, target):
            calls["loss"] += 1
            self.diff = pred - target
            return float(np.mean(self.diff ** 2) / 2)

        def backward(self):
            return self.diff / self.diff.size

    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = X @ np.array([[2.0], [-1.0]])
    model = Affine()
    nc.fit(model, HalfSquaredError(), nc.SGD(model.parameters(), lr=0.5), X, y,
           epochs=300, batch_size=None, validation_data=(X, y), shuffle=False)
    np.testing.assert_allclose(model.params["w"][:, 0], [2.0, -1.0], atol=1e-6)
    # each epoch: one training batch, plus one forward for validation
    assert calls == {"forward": 600, "backward": 300, "loss": 600}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_nan_in_a_later_validation_pass_names_the_layer():
    class Blowup(nc.Callback):  # after epoch 1, weights no input can survive
        def on_epoch_end(self, epoch, history, model):
            model[0].params["W"][...] = 1e300
            return False

    rng = np.random.default_rng(22)
    model = nc.MLP([2, 3, 1], rng=rng)
    X, y = np.zeros((4, 2)), np.array([0.0, 1.0, 1.0, 0.0])  # zeros: training stays finite
    with pytest.raises(ValueError, match=r"ReLU\(\): input contains \d+ non-finite"):
        nc.fit(model, nc.BCEWithLogitsLoss(), nc.SGD(model.parameters(), lr=0.1), X, y,
               epochs=3, batch_size=None, rng=rng, validation_data=(X + 1e10, y),
               callbacks=[Blowup()])


def test_a_nan_gradient_is_reported_as_such():
    class NanGradient(nc.Module):
        def __init__(self):
            super().__init__()
            self.params["w"], self.grads["w"] = np.ones(1), np.zeros(1)

        def forward(self, x):
            return x * self.params["w"]

        def backward(self, dout):
            self.grads["w"] += np.nan
            return dout

    model = NanGradient()
    with pytest.raises(FloatingPointError, match=r"NaN or inf appeared in the forward or backward "
                                                 r"pass at epoch 1, batch 1"):
        nc.fit(model, nc.MSELoss(), nc.SGD(model.parameters(), lr=0.1), np.ones((3, 1)),
               np.zeros((3, 1)), epochs=1, batch_size=None, shuffle=False)


def test_accuracy_is_the_same_for_label_vectors_columns_and_any_first_layer():
    rng = np.random.default_rng(23)
    X, y = nc.make_lines(30, 0.4, rng)
    model = nc.Sequential(nc.Dropout(0.0), nc.Linear(9, 1, rng=rng))  # first layer: no parameters
    accs = []
    for target in (y, y[:, None].astype(float)):
        h = nc.fit(model, nc.BCEWithLogitsLoss(), nc.SGD(model.parameters(), lr=0.0), X, target,
                   epochs=1, batch_size=7, rng=rng)
        accs.append(h["train_acc"][0])
    expected = np.mean((model(X)[:, 0] > 0) == (y == 1))  # lr = 0: the weights never move
    assert accs == [expected, expected]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_evaluate_names_where_a_nan_or_inf_first_appeared():
    rng = np.random.default_rng(24)
    X, y = np.full((3, 2), 1e10), np.zeros((3, 1))
    hidden = nc.MLP([2, 3, 1], rng=rng)
    hidden[0].params["W"][...] = 1e300  # the hidden layer overflows
    with pytest.raises(ValueError, match=r"ReLU\(\): input contains \d+ non-finite"):
        nc.evaluate(hidden, nc.MSELoss(), X, y)
    last = nc.Linear(2, 1, rng=rng)
    last.params["W"][...] = 1e300  # only the output overflows: the loss says so
    with pytest.raises(ValueError, match=r"MSELoss: pred contains 3 non-finite"):
        nc.evaluate(last, nc.MSELoss(), X, y)
