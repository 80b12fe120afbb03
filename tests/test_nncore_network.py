"""MLP and the book's complete NeuralNetwork class."""
import numpy as np
import pytest

import nncore as nc


def test_mlp_layout_default_inits_and_output_layers():
    rng = np.random.default_rng(0)
    model = nc.MLP([9, 8, 4, 1], "tanh", dropout=0.25, rng=rng)
    assert [repr(layer) for layer in model] == [
        "Linear(9 -> 8)", "Tanh()", "Dropout(p=0.25)", "Linear(8 -> 4)", "Tanh()",
        "Dropout(p=0.25)", "Linear(4 -> 1)"]
    assert isinstance(model, nc.Sequential) and model.sizes == [9, 8, 4, 1]
    assert repr(model).startswith("MLP(\n  (0): Linear(9 -> 8)")
    assert model[0].init == "xavier" and nc.MLP([2, 2], rng=rng)[0].init == "he"
    assert repr(nc.MLP([3, 2], output="softmax", rng=rng)[-1]) == "Softmax(axis=-1)"
    p = nc.MLP([3, 5, 1], output="sigmoid", rng=rng)(np.zeros((2, 3)))
    assert p.shape == (2, 1) and np.all((p > 0) & (p < 1))
    assert set(nc.ACTIVATIONS) == {"relu", "leaky_relu", "sigmoid", "tanh", "gelu"}


def test_neural_network_reaches_90_percent_on_noisy_lines():
    rng = np.random.default_rng(0)
    X_train, y_train = nc.make_lines(400, 0.4, rng)
    X_test, y_test = nc.make_lines(400, 0.4, rng)
    net = nc.NeuralNetwork([9, 8, 1], rng=np.random.default_rng(1))
    history = net.fit(X_train, y_train, epochs=30, batch_size=32, lr=0.01)
    assert history is net.history and len(history) == 30
    accuracy = net.score(X_test, y_test)
    assert accuracy >= 0.90
    proba = net.predict_proba(X_test)
    assert proba.shape == (400,) and np.all((proba >= 0) & (proba <= 1))  # P(label 1)
    np.testing.assert_array_equal(net.predict(X_test), (proba > 0.5).astype(int))
    np.testing.assert_allclose(accuracy, nc.accuracy(y_test, net.predict(X_test)), rtol=1e-15)


def test_multiclass_network_with_sgd_validation_and_early_stopping():
    rng = np.random.default_rng(2)
    X, y = nc.make_blobs(300, 0.6, rng, centers=3)
    net = nc.NeuralNetwork([2, 16, 3], "gelu", dropout=0.1, rng=rng)
    h = net.fit(X[:200], y[:200], epochs=200, batch_size=20, lr=0.05, optimizer="sgd",
                momentum=0.9, weight_decay=1e-4, validation_data=(X[200:], y[200:]),
                early_stopping=5)
    assert h.stopped_epoch is not None and h.stopped_epoch < 200
    proba = net.predict_proba(X[200:])
    assert proba.shape == (100, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(net.predict(X[200:]), proba.argmax(axis=1))
    assert net.score(X[200:], y[200:]) >= 0.9
    assert net.decision_function(X[:5]).shape == (5, 3)
    assert repr(net) == "NeuralNetwork(sizes=[2, 16, 3], 99 parameters)"
    assert net.model.training is True  # predicting did not leave it in eval mode


def test_neural_network_accepts_an_early_stopping_object_and_its_own_rng():
    rng = np.random.default_rng(3)
    X, y = nc.make_lines(100, 0.3, rng)
    net = nc.NeuralNetwork([9, 4, 1], rng=np.random.default_rng(4))
    stopper = nc.EarlyStopping(2, monitor="train_loss")
    net.fit(X, y, epochs=3, early_stopping=stopper, rng=np.random.default_rng(5))
    assert stopper.best_epoch is not None


def test_neural_network_same_seed_same_result():
    X, y = nc.make_lines(50, 0.3, np.random.default_rng(0))
    probs = []
    for _ in range(2):
        net = nc.NeuralNetwork([9, 4, 1], dropout=0.2, rng=np.random.default_rng(7))
        net.fit(X, y, epochs=3)
        probs.append(net.predict_proba(X))
    np.testing.assert_allclose(probs[0], probs[1], rtol=1e-15, atol=0)


def test_mlp_rejects_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod'; choose one of 'relu', "
                                         r"'leaky_relu', 'sigmoid', 'tanh', 'gelu'"):
        nc.MLP([2, 3, 1], "sigmod", rng=rng)
    with pytest.raises(ValueError, match=r"unknown output 'linear'; choose one of 'sigmoid', 'softmax'"):
        nc.MLP([2, 1], output="linear", rng=rng)
    with pytest.raises(ValueError, match=r"MLP: sizes must list at least an input and an output width.*got \[9\]"):
        nc.MLP([9], rng=rng)
    with pytest.raises(ValueError, match=r"MLP: sizes\[1\] must be >= 1; got 0"):
        nc.MLP([9, 0, 1], rng=rng)
    with pytest.raises(ValueError, match=r"MLP: dropout must be in \[0, 1\); got 1.5"):
        nc.MLP([9, 1], dropout=1.5, rng=rng)
    with pytest.raises(TypeError, match=r"MLP: rng must be a np.random.Generator.*got 0"):
        nc.MLP([9, 1], rng=0)
    with pytest.raises(TypeError, match=r"missing 1 required keyword-only argument: 'rng'"):
        nc.MLP([9, 1])


def test_neural_network_rejects_bad_input():
    rng = np.random.default_rng(0)
    net = nc.NeuralNetwork([9, 4, 1], rng=rng)
    X, y = nc.make_lines(10, 0.1, rng)
    with pytest.raises(ValueError, match=r"NeuralNetwork.fit: X has shape \(10, 3\); expected \(N, 9\)"):
        net.fit(X[:, :3], y)
    with pytest.raises(ValueError, match=r"NeuralNetwork.fit: y must hold labels in 0..1 \(2 classes\); got values from 0 to 2"):
        net.fit(X, y * 2)
    with pytest.raises(ValueError, match=r"NeuralNetwork.fit: X has 10 rows but y has 9 labels"):
        net.fit(X, y[:9])
    with pytest.raises(ValueError, match=r"NeuralNetwork.fit: y must be 1-D; got 2-D"):
        net.fit(X, y[:, None])
    with pytest.raises(ValueError, match=r"unknown optimizer 'rmsprop'; choose one of 'adam', 'sgd'"):
        net.fit(X, y, optimizer="rmsprop")
    with pytest.raises(ValueError, match=r"NeuralNetwork.fit: lr must be > 0; got -0.01"):
        net.fit(X, y, lr=-0.01)
    with pytest.raises(TypeError, match=r"NeuralNetwork.fit: validation_data must be a pair"):
        net.fit(X, y, validation_data=(X,))
    with pytest.raises(ValueError, match=r"NeuralNetwork.fit \(validation\): X has shape \(10, 8\)"):
        net.fit(X, y, validation_data=(X[:, :8], y))
    with pytest.raises(ValueError, match=r"'val_loss' is not recorded in this run"):
        net.fit(X, y, early_stopping=3)
    with pytest.raises(ValueError, match=r"NeuralNetwork.predict_proba: X contains 1 non-finite"):
        bad = X.copy()
        bad[0, 0] = np.inf
        net.predict_proba(bad)
    with pytest.raises(TypeError, match=r"NeuralNetwork.predict: X must hold real numbers; got dtype <U"):
        net.predict(np.full((2, 9), "pixel"))
    with pytest.raises(ValueError, match=r"NeuralNetwork.score: y must hold labels in 0..1.*from -1"):
        net.score(X, y - 1)
    with pytest.raises(ValueError, match=r"NeuralNetwork.decision_function: X must be 2-D; got 1-D"):
        net.decision_function(X[0])


def test_binary_network_records_validation_accuracy():
    rng = np.random.default_rng(30)
    X, y = nc.make_lines(200, 0.4, rng)
    net = nc.NeuralNetwork([9, 6, 1], rng=rng)
    h = net.fit(X[:150], y[:150], epochs=5, batch_size=None, lr=0.1, optimizer="sgd",
                validation_data=(X[150:], y[150:]))
    assert h["val_acc"][-1] == net.score(X[150:], y[150:])
    assert h["val_loss"][-1] == nc.evaluate(net.model, net.loss, X[150:], y[150:])["loss"]
