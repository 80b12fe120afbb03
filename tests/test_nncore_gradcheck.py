"""Tests for nncore.gradcheck: passes on correct layers, catches a broken one."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nncore import (BCEWithLogitsLoss, CrossEntropyLoss, Dropout, GradcheckReport, Linear,
                    Module, MSELoss, NeuralNetwork, ReLU, Sequential, Tanh, gradcheck,
                    numerical_gradient, relative_error)


class BuggyLinear(Module):
    """Y = X W + b, with a deliberate bug: db uses the mean over the batch, not the sum."""

    def __init__(self, W, b):
        super().__init__()
        self.params = {"W": np.array(W, dtype=float), "b": np.array(b, dtype=float)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.X = None

    def forward(self, X):
        self.X = X
        return X @ self.params["W"] + self.params["b"]

    def backward(self, dY):
        self.grads["W"] += self.X.T @ dY
        self.grads["b"] += dY.mean(axis=0)  # BUG: should be dY.sum(axis=0)
        return dY @ self.params["W"].T


class WrongInputGrad(BuggyLinear):
    """Correct parameter gradients, but dX forgets the transpose: dY @ W."""

    def backward(self, dY):
        self.grads["W"] += self.X.T @ dY
        self.grads["b"] += dY.sum(axis=0)
        return dY @ self.params["W"]  # BUG: W is square here, so the shape hides the error


def small_net(seed=0):
    rng = np.random.default_rng(seed)
    return Sequential(Linear(4, 5, rng=rng), Tanh(), Linear(5, 3, rng=rng)), rng


def test_numerical_gradient_of_known_function_and_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    g = numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
    assert_allclose(g, 3 * before ** 2, rtol=1e-8)  # d/dx sum x^3 = 3 x^2
    assert_array_equal(x, before)  # restored bit for bit
    # f may ignore its argument and read x through a closure
    assert_allclose(numerical_gradient(lambda _: float(x[0, 0] * x[1, 1]), x),
                    [[3.0, 0.0], [0.0, 1.0]], atol=1e-8)


def test_relative_error_values():
    assert_allclose(relative_error([1.0, 2.0], [1.0, 2.0]), 0.0, atol=0)
    assert_allclose(relative_error([1.0, 0.0], [-1.0, 0.0]), 1.0)  # ||2|| / (1 + 1)
    assert_allclose(relative_error([0.0], [0.0]), 0.0, atol=0)  # tiny floor: no 0 / 0


def test_gradcheck_passes_on_correct_model_with_input():
    model, rng = small_net()
    X = rng.standard_normal((6, 4))
    y = rng.integers(0, 3, size=6)
    report = gradcheck(model, CrossEntropyLoss(), X, y, check_input=True)
    assert isinstance(report, GradcheckReport)
    assert report.passed and report.ok() and bool(report)
    assert report.max_error < 1e-7
    assert [r.name for r in report.rows] == ["0.W (Linear)", "0.b (Linear)", "2.W (Linear)",
                                             "2.b (Linear)", "X (input)"]
    assert report.rows[0].shape == (4, 5)
    assert "PASSED" in str(report) and "0.W (Linear)" in repr(report)
    assert_allclose(report.analytic["2.W (Linear)"], report.numerical["2.W (Linear)"],
                    rtol=1e-6, atol=1e-9)


def test_gradcheck_fails_on_broken_layer_and_names_it():
    rng = np.random.default_rng(1)
    model = Sequential(Linear(3, 4, rng=rng), ReLU(),
                       BuggyLinear(rng.standard_normal((4, 2)), [0.1, -0.2]))
    X = rng.standard_normal((5, 3))
    y = rng.standard_normal((5, 2))
    report = gradcheck(model, MSELoss(), X, y)
    errors = {r.name: r.error for r in report.rows}
    assert errors["2.b (BuggyLinear)"] > 0.3  # mean vs sum over 5 rows: ratio 4/6 ~ 0.67
    assert errors["2.W (BuggyLinear)"] < 1e-7 and errors["0.W (Linear)"] < 1e-7
    assert not report.passed and not report
    assert report.worst == "2.b (BuggyLinear)"
    assert "FAILED, worst: 2.b (BuggyLinear)" in str(report)
    assert "<-- check this backward pass" in str(report)
    assert report.ok(tol=1.0)  # a lenient tolerance accepts anything


def test_gradcheck_catches_wrong_input_gradient_upstream():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((3, 3))
    model = Sequential(Linear(2, 3, rng=rng), Tanh(), WrongInputGrad(W, np.zeros(3)))
    X = rng.standard_normal((4, 2))
    y = rng.standard_normal((4, 3))
    report = gradcheck(model, MSELoss(), X, y)
    errors = {r.name: r.error for r in report.rows}
    assert errors["2.W (WrongInputGrad)"] < 1e-7  # its own gradients are right...
    assert errors["0.W (Linear)"] > 1e-2  # ...but the blame it passes back is wrong


def test_gradcheck_leaves_model_unchanged_and_handles_dropout():
    rng = np.random.default_rng(3)
    model = Sequential(Linear(4, 6, rng=rng), ReLU(), Dropout(0.5, rng=rng), Linear(6, 1, rng=rng))
    for _, _, g in model.named_parameters():
        g[...] = 7.0  # pretend a previous backward pass left gradients here
    params = [p.copy() for _, p, _ in model.named_parameters()]
    X = rng.standard_normal((5, 4))
    y = (rng.random(5) > 0.5).astype(float)
    report = gradcheck(model, BCEWithLogitsLoss(), X, y)
    assert report.passed  # dropout is off during the check
    for (_, p, g), old in zip(model.named_parameters(), params):
        assert_array_equal(p, old)
        assert_array_equal(g, 7.0)
    assert model.training and model[2].training  # train mode restored


def test_gradcheck_accepts_a_neural_network():
    rng = np.random.default_rng(4)
    net = NeuralNetwork([3, 4, 2], rng=rng)
    X = rng.standard_normal((4, 3))
    report = gradcheck(net, net.loss, X, np.array([0, 1, 1, 0]))
    assert report.passed


@pytest.mark.parametrize("call, exc, match", [
    (lambda: numerical_gradient(3, np.zeros(2)), TypeError, "f must be callable"),
    (lambda: numerical_gradient(np.sum, [1.0, 2.0]), TypeError, "x must be a float64 ndarray"),
    (lambda: numerical_gradient(np.sum, np.zeros(2, dtype=np.float32)), TypeError, "float32"),
    (lambda: numerical_gradient(lambda v: v, np.zeros(2)), ValueError, "one finite number"),
    (lambda: numerical_gradient(np.sum, np.zeros(2), eps=0), ValueError, "eps must be > 0"),
    (lambda: relative_error([1, 2], [1, 2, 3]), ValueError, r"shape \(2,\) but n has shape \(3,\)"),
])
def test_numerical_gradient_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_numerical_gradient_readonly_x():
    x = np.zeros(2)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="writable"):
        numerical_gradient(np.sum, x)


def test_gradcheck_bad_input():
    model, rng = small_net()
    X, y = rng.standard_normal((3, 4)), np.array([0, 1, 2])
    with pytest.raises(TypeError, match="model must be an nncore Module with forward"):
        gradcheck("not a model", CrossEntropyLoss(), X, y)
    with pytest.raises(TypeError, match="loss must have forward"):
        gradcheck(model, object(), X, y)
    with pytest.raises(ValueError, match="non-finite"):
        gradcheck(model, CrossEntropyLoss(), np.full((3, 4), np.nan), y)
    with pytest.raises(ValueError, match="eps must be > 0"):
        gradcheck(model, CrossEntropyLoss(), X, y, eps=-1)
    with pytest.raises(ValueError, match=r"input X has shape \(3, 2\); expected \(N, 4\)"):
        gradcheck(model, CrossEntropyLoss(), X[:, :2], y)
    model[0].params["W"] = model[0].params["W"].astype(np.float32)
    with pytest.raises(TypeError, match="parameter '0.W' is float32"):
        gradcheck(model, CrossEntropyLoss(), X, y)
