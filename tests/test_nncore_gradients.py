"""Central-difference gradient checks for every layer, loss and composite network.

Each analytic gradient is compared with a numerical one,

    dL/dx[i] ~ (L(x + h e_i) - L(x - h e_i)) / (2 h),    h = 1e-6,

in float64, and the relative error ||a - n|| / (||a|| + ||n||) of every
array must be at most 1e-6 (it is typically ~1e-10).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nncore as nc

TOL = 1e-6


def numeric_grad(f, x, h=1e-6):
    """Central differences of the scalar function f() with respect to array x (in place)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, n):
    return np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-300)


def check_module(module, x, rng):
    """Check dL/dx and dL/dparams for L = sum(module(x) * R) with a fixed random R."""
    R = rng.standard_normal(module.forward(x).shape)  # dL/d(output)

    def loss():
        return float(np.sum(module.forward(x) * R))

    module.zero_grad()
    module.forward(x)
    dx = module.backward(R)
    assert dx.shape == x.shape
    assert rel_error(dx, numeric_grad(loss, x)) <= TOL
    for name, p, g in module.named_parameters():
        assert g.shape == p.shape
        assert rel_error(g, numeric_grad(loss, p)) <= TOL, name


def check_loss(loss, pred, target):
    loss.forward(pred, target)
    analytic = loss.backward()
    assert analytic.shape == pred.shape
    numeric = numeric_grad(lambda: loss.forward(pred, target), pred)
    assert rel_error(analytic, numeric) <= TOL


# -- layers -----------------------------------------------------------------------
@pytest.mark.parametrize("init", ["he", "xavier", "normal"])
def test_linear_gradients(init):
    rng = np.random.default_rng(0)
    layer = nc.Linear(4, 3, init=init, rng=rng)
    layer.params["b"][...] = rng.standard_normal(3)
    check_module(layer, rng.standard_normal((5, 4)), rng)


@pytest.mark.parametrize("make", [
    nc.ReLU, nc.Sigmoid, nc.Tanh, nc.GELU, nc.Softmax,
    lambda: nc.LeakyReLU(0.1), lambda: nc.GELU(approximate="tanh"),
], ids=["relu", "sigmoid", "tanh", "gelu", "softmax", "leaky_relu", "gelu_tanh"])
def test_activation_gradients(make):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 4)) * 2.0
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the ReLU kink
    check_module(make(), x, rng)


def test_dropout_backward_uses_the_forward_mask():
    # The mask is random, so instead of finite differences we check that the
    # gradient is exactly the factor the forward pass multiplied by:
    # out = x * mask  =>  d sum(out * R) / dx = R * mask = R * out / x.
    rng = np.random.default_rng(2)
    drop = nc.Dropout(0.4, rng=rng)
    x = rng.uniform(1.0, 2.0, size=(50, 8))
    out = drop.forward(x)
    R = rng.standard_normal(x.shape)
    np.testing.assert_allclose(drop.backward(R), R * out / x, rtol=1e-13)


# -- losses -------------------------------------------------------------------------
def test_mse_gradient():
    rng = np.random.default_rng(3)
    check_loss(nc.MSELoss(), rng.standard_normal((5, 3)), rng.standard_normal((5, 3)))


def test_bce_gradient():
    rng = np.random.default_rng(4)
    p = rng.uniform(0.05, 0.95, size=(6, 1))
    check_loss(nc.BCELoss(), p, rng.uniform(0, 1, size=(6,)))


@pytest.mark.parametrize("shape", [(7,), (7, 1)])
def test_bce_with_logits_gradient(shape):
    rng = np.random.default_rng(5)
    check_loss(nc.BCEWithLogitsLoss(), rng.standard_normal(shape) * 3,
               rng.integers(0, 2, size=shape[0]).astype(float))


def test_cross_entropy_gradient_labels_and_one_hot():
    rng = np.random.default_rng(6)
    z = rng.standard_normal((5, 4)) * 2
    y = np.array([0, 3, 1, 1, 2])
    check_loss(nc.CrossEntropyLoss(), z, y)
    check_loss(nc.CrossEntropyLoss(), z, nc.one_hot(y, 4))


# -- composite networks ---------------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "sigmoid", "tanh", "gelu"])
def test_mlp_gradients_through_cross_entropy(activation):
    rng = np.random.default_rng(7)
    model = nc.MLP([3, 5, 4, 3], activation, rng=rng)
    for _, p, _ in model.named_parameters():  # non-zero biases, so db is tested too
        p += 0.1 * rng.standard_normal(p.shape)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 3, size=6)
    loss = nc.CrossEntropyLoss()

    def value():
        return loss.forward(model.forward(X), y)

    model.zero_grad()
    value()
    dX = model.backward(loss.backward())
    assert rel_error(dX, numeric_grad(value, X)) <= TOL
    for name, p, g in model.named_parameters():
        assert rel_error(g, numeric_grad(value, p)) <= TOL, name


def test_sequential_with_sigmoid_output_and_bce():
    rng = np.random.default_rng(8)
    model = nc.MLP([4, 6, 1], "tanh", output="sigmoid", rng=rng)
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 2, size=5)
    loss = nc.BCELoss()

    def value():
        return loss.forward(model.forward(X), y)

    model.zero_grad()
    value()
    model.backward(loss.backward())
    for name, p, g in model.named_parameters():
        assert rel_error(g, numeric_grad(value, p)) <= TOL, name


def test_dropout_network_in_eval_mode_and_nncore_gradcheck_agree():
    # an independent cross-check with the library's own gradcheck helper
    rng = np.random.default_rng(9)
    model = nc.MLP([3, 4, 2], "relu", dropout=0.5, rng=rng)
    X, y = rng.standard_normal((4, 3)), np.array([0, 1, 1, 0])
    report = nc.gradcheck(model, nc.CrossEntropyLoss(), X, y)
    assert report.passed
    model.eval()
    loss = nc.CrossEntropyLoss()
    model.zero_grad()
    loss.forward(model.forward(X), y)
    model.backward(loss.backward())
    for _, p, g in model.named_parameters():
        assert rel_error(g, numeric_grad(lambda: loss.forward(model.forward(X), y), p)) <= TOL


def test_gradients_accumulate_until_zero_grad():
    rng = np.random.default_rng(10)
    layer = nc.Linear(3, 2, rng=rng)
    X, dY = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer.forward(X)
    layer.backward(dY)
    once = layer.grads["W"].copy()
    layer.backward(dY)
    np.testing.assert_allclose(layer.grads["W"], 2 * once, rtol=1e-14)
    layer.zero_grad()
    np.testing.assert_allclose(layer.grads["W"], 0.0, atol=0)


# -- property test: Linear for random shapes --------------------------------------------
@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 5), d_in=st.integers(1, 5), d_out=st.integers(1, 5),
       seed=st.integers(0, 2**32 - 1))
def test_linear_backward_matches_finite_differences(n, d_in, d_out, seed):
    rng = np.random.default_rng(seed)
    layer = nc.Linear(d_in, d_out, init="xavier", rng=rng)
    layer.params["b"][...] = rng.standard_normal(d_out)
    check_module(layer, rng.standard_normal((n, d_in)), rng)
