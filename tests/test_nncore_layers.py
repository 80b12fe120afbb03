"""Layers, Sequential and Module plumbing: hand-computed passes, modes, saving, errors."""
import numpy as np
import pytest

import nncore as nc


def small_linear():
    layer = nc.Linear(2, 2, init="zeros")
    layer.params["W"][...] = [[0.5, -1.0],
                              [1.0, 2.0]]
    layer.params["b"][...] = [0.1, -0.2]
    return layer


def test_linear_forward_and_backward_by_hand():
    layer = small_linear()
    X = np.array([[1.0, 2.0],
                  [3.0, 4.0]])
    # Y = X W + b
    # row 1: [1*0.5 + 2*1,  1*(-1) + 2*2] + [0.1, -0.2] = [2.5, 3.0] + b = [2.6, 2.8]
    # row 2: [3*0.5 + 4*1,  3*(-1) + 4*2] + [0.1, -0.2] = [5.5, 5.0] + b = [5.6, 4.8]
    np.testing.assert_allclose(layer(X), [[2.6, 2.8], [5.6, 4.8]], rtol=1e-15)

    dY = np.array([[1.0, -1.0],
                   [2.0, 0.0]])
    dX = layer.backward(dY)
    # dW = X^T dY = [[1*1 + 3*2, 1*(-1) + 3*0],  = [[ 7, -1],
    #                [2*1 + 4*2, 2*(-1) + 4*0]]     [10, -2]]
    np.testing.assert_allclose(layer.grads["W"], [[7.0, -1.0], [10.0, -2.0]], rtol=1e-15)
    # db = column sums of dY = [1 + 2, -1 + 0] = [3, -1]
    np.testing.assert_allclose(layer.grads["b"], [3.0, -1.0], rtol=1e-15)
    # dX = dY W^T, W^T = [[0.5, 1], [-1, 2]]
    # row 1: [1*0.5 + (-1)*(-1), 1*1 + (-1)*2] = [1.5, -1]
    # row 2: [2*0.5 + 0,         2*1 + 0     ] = [1.0,  2]
    np.testing.assert_allclose(dX, [[1.5, -1.0], [1.0, 2.0]], rtol=1e-15)


def test_linear_shapes_and_init_scales():
    rng = np.random.default_rng(0)
    layer = nc.Linear(400, 300, rng=rng)  # He normal: std sqrt(2 / 400)
    assert layer.params["W"].shape == (400, 300) and layer.params["b"].shape == (300,)
    assert layer.params["W"].dtype == np.float64
    np.testing.assert_allclose(layer.params["W"].std(), np.sqrt(2 / 400), rtol=0.02)
    np.testing.assert_allclose(layer.params["b"], 0.0, atol=0)
    assert layer.n_params == 400 * 300 + 300
    assert repr(layer) == "Linear(400 -> 300)"


def test_dropout_is_identity_in_eval_mode():
    rng = np.random.default_rng(1)
    drop = nc.Dropout(0.5, rng=rng).eval()
    x = rng.standard_normal((4, 3))
    np.testing.assert_allclose(drop(x), x, rtol=0, atol=0)
    np.testing.assert_allclose(drop.backward(np.ones((4, 3))), 1.0, atol=0)
    assert drop.training is False
    np.testing.assert_allclose(nc.Dropout(0.0)(x), x, atol=0)  # p = 0 needs no rng


def test_dropout_keeps_the_expectation_in_training_mode():
    rng = np.random.default_rng(2)
    p = 0.3
    out = nc.Dropout(p, rng=rng)(np.ones((2000, 50)))  # 100 000 entries
    # each entry is 0 (prob p) or 1 / (1 - p): mean 1, std of the mean ~ 0.002
    np.testing.assert_allclose(out.mean(), 1.0, atol=0.01)
    np.testing.assert_allclose(np.mean(out == 0), p, atol=0.01)
    np.testing.assert_allclose(np.unique(out), [0.0, 1 / (1 - p)], rtol=1e-15)


def test_sequential_train_eval_propagate_and_repr():
    rng = np.random.default_rng(3)
    model = nc.Sequential(nc.Linear(9, 4, rng=rng), nc.ReLU(), nc.Dropout(0.5, rng=rng),
                          nc.Linear(4, 1, rng=rng))
    assert model.eval() is model
    assert not any(layer.training for layer in model)
    model.train()
    assert all(layer.training for layer in model) and len(model) == 4
    assert model.n_params == 9 * 4 + 4 + 4 * 1 + 1
    assert repr(model) == ("Sequential(\n  (0): Linear(9 -> 4)\n  (1): ReLU()\n"
                           "  (2): Dropout(p=0.5)\n  (3): Linear(4 -> 1)\n)  # 45 parameters")
    assert [name for name, _, _ in model.named_parameters()] == ["0.W", "0.b", "3.W", "3.b"]
    assert len(model.parameters()) == 4


def test_linear_backward_accepts_an_array_like_upstream_gradient():
    # what is not already a finite float64 array takes the checked path and is converted
    layer = nc.Linear(3, 2, rng=np.random.default_rng(0))
    X = np.arange(6.0).reshape(2, 3)
    layer(X)
    dX_list = layer.backward([[1, 0], [0, 2]])  # a nested list of ints
    dW_list = layer.grads["W"].copy()
    layer.zero_grad()
    dX_array = layer.backward(np.array([[1.0, 0.0], [0.0, 2.0]]))
    np.testing.assert_array_equal(dX_list, dX_array)
    np.testing.assert_array_equal(dW_list, layer.grads["W"])
    np.testing.assert_array_equal(dW_list, X.T @ [[1.0, 0.0], [0.0, 2.0]])


def test_linear_rejects_bad_input():
    layer = nc.Linear(9, 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"Linear\(9 -> 4\): input X has shape \(5, 3\); expected \(N, 9\)"):
        layer(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"Linear\(9 -> 4\): input X must be 2-D; got 1-D array of shape \(9,\)"):
        layer(np.ones(9))
    with pytest.raises(ValueError, match=r"input X contains 1 non-finite value.*index \(0, 2\): inf"):
        layer(np.array([[0, 0, np.inf, 0, 0, 0, 0, 0, 0.0]]))
    with pytest.raises(TypeError, match=r"input X must hold real numbers; got dtype <U"):
        layer(np.full((1, 9), "x"))
    layer(np.ones((5, 9)))
    with pytest.raises(ValueError, match=r"upstream gradient dout has shape \(5, 3\); expected \(5, 4\)"):
        layer.backward(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"upstream gradient dout contains 5 non-finite"):
        layer.backward(np.array([[np.nan, 0, 0, 0]] * 5))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(in_features=0, out_features=3), ValueError, r"Linear: in_features must be >= 1; got 0"),
    (dict(in_features=2.5, out_features=3), TypeError, r"in_features must be an integer; got 2.5"),
    (dict(in_features=2, out_features=True), TypeError, r"out_features must be an integer; got True"),
    (dict(in_features=2, out_features=3, init="glorot"), ValueError,
     r"unknown init 'glorot'; choose one of 'he', .*'zeros'"),
    (dict(in_features=2, out_features=3, rng=None), TypeError,
     r"Linear\(2 -> 3\): rng \(needed by init='he'\) must be a np.random.Generator"),
    (dict(in_features=2, out_features=3, rng=42), TypeError, r"got 42"),
])
def test_linear_constructor_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        nc.Linear(**kwargs)


def test_activation_and_dropout_constructors_reject_bad_arguments():
    with pytest.raises(ValueError, match=r"Dropout: p must be in \[0, 1\); got 1.0"):
        nc.Dropout(1.0, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"Dropout: p must be in \[0, 1\); got -0.1"):
        nc.Dropout(-0.1)
    with pytest.raises(TypeError, match=r"Dropout\(p=0.5\): rng must be a np.random.Generator"):
        nc.Dropout(0.5)
    with pytest.raises(ValueError, match=r"LeakyReLU: negative_slope must be >= 0; got -1.0"):
        nc.LeakyReLU(-1.0)
    with pytest.raises(ValueError, match=r"unknown GELU approximation 'fast'"):
        nc.GELU("fast")
    with pytest.raises(TypeError, match=r"Sequential: layer 1 must be a Module; got 'relu'"):
        nc.Sequential(nc.ReLU(), "relu")


def test_sequential_names_the_failing_layer():
    rng = np.random.default_rng(0)
    model = nc.MLP([9, 4, 1], rng=rng)
    with pytest.raises(ValueError, match=r"Linear\(9 -> 4\): input X has shape \(2, 3\)"):
        model(np.ones((2, 3)))
    model(np.ones((2, 9)))
    with pytest.raises(ValueError, match=r"Linear\(4 -> 1\): upstream gradient dout has shape \(2, 2\)"):
        model.backward(np.ones((2, 2)))


def test_linear_rejects_hand_set_parameters_of_the_wrong_shape():
    # A bias of shape (2, 1) would broadcast over a batch of 2 into a wrong
    # Y = [[b0, b0], [b1, b1]] + XW; the layer must refuse instead.
    layer = nc.Linear(3, 2, rng=np.random.default_rng(0))
    layer.params["b"] = np.zeros((2, 1))
    with pytest.raises(ValueError, match=r"parameter b has shape \(2, 1\); expected \(2,\)"):
        layer.forward(np.ones((2, 3)))
    layer.params["b"] = np.zeros(2)
    layer.params["W"] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"parameter W has shape \(2, 3\); expected \(3, 2\)"):
        layer.forward(np.ones((2, 3)))


# -- the batch is checked once; layers of nncore trust each other ----------------


class ReadersLayer(nc.Module):
    """A module written outside nncore: it returns a list, with a NaN in it."""

    def forward(self, x):
        out = np.array(x, dtype=float)
        out[0, 0] = np.nan
        return out.tolist()

    def backward(self, dout):
        return np.full(np.shape(dout), np.nan)  # a NaN gradient for the layer below


def test_sequential_checks_what_a_readers_module_returns():
    rng = np.random.default_rng(0)
    X = np.ones((2, 3))
    model = nc.Sequential(nc.Linear(3, 2, rng=rng), ReadersLayer(), nc.ReLU())
    with pytest.raises(ValueError, match=r"ReLU\(\): input contains 1 non-finite"):
        model(X)
    # nested: the inner Sequential ends with the reader's module, so the
    # outer one cannot trust its output either
    nested = nc.Sequential(nc.Sequential(nc.Linear(3, 2, rng=rng), ReadersLayer()), nc.ReLU())
    with pytest.raises(ValueError, match=r"ReLU\(\): input contains 1 non-finite"):
        nested(X)
    # backward: the gradient the reader's module returns is checked by the layer below
    model = nc.Sequential(nc.Linear(3, 2, rng=rng),
                          nc.Sequential(ReadersLayer(), nc.Linear(2, 1, rng=rng)))
    with np.errstate(invalid="ignore"):
        model[1][1].forward(np.ones((2, 2)))
        model[0].forward(X)
    with pytest.raises(ValueError, match=r"Linear\(3 -> 2\): upstream gradient dout contains 4 non-finite"):
        model.backward(np.ones((2, 1)))


def test_a_subclass_that_overrides_forward_runs_inside_sequential():
    calls = []

    class LoggedReLU(nc.ReLU):
        def forward(self, z):
            calls.append(np.shape(z))
            return super().forward(z)

        def backward(self, da):
            calls.append("backward")
            return super().backward(da)

    rng = np.random.default_rng(1)
    model = nc.Sequential(nc.Linear(3, 4, rng=rng), LoggedReLU(), nc.Linear(4, 1, rng=rng))
    X = rng.standard_normal((5, 3))
    plain = nc.Sequential(model[0], nc.ReLU(), model[2])
    np.testing.assert_array_equal(model(X), plain(X))
    model.backward(np.ones((5, 1)))
    assert calls == [(5, 4), "backward"]
    nc.fit(model, nc.MSELoss(), nc.SGD(model.parameters(), lr=0.1), X, np.zeros(5),
           epochs=2, batch_size=None, shuffle=False)
    assert calls[2:] == [(5, 4), "backward"] * 2


def test_layers_that_do_not_fit_together_are_named():
    rng = np.random.default_rng(2)
    model = nc.Sequential(nc.Linear(9, 4, rng=rng), nc.ReLU(), nc.Linear(5, 1, rng=rng))
    with pytest.raises(ValueError, match=r"Linear\(5 -> 1\): input X has shape \(2, 4\); expected \(N, 5\)"):
        model(np.ones((2, 9)))
    model = nc.Sequential(nc.ReLU(), nc.Linear(9, 1, rng=rng))  # ReLU takes any shape
    with pytest.raises(ValueError, match=r"Linear\(9 -> 1\): input X must be 2-D; got 1-D"):
        model(np.ones(9))


def test_a_module_without_forward_or_backward_fails_inside_sequential():
    class NoForward(nc.Module):
        pass

    class NoBackward(nc.Module):
        def forward(self, x):
            return x

    rng = np.random.default_rng(3)
    with pytest.raises(NotImplementedError, match="NoForward must implement forward"):
        nc.Sequential(nc.Linear(2, 2, rng=rng), NoForward())(np.ones((1, 2)))
    model = nc.Sequential(nc.Linear(2, 2, rng=rng), NoBackward(), nc.Linear(2, 1, rng=rng))
    model(np.ones((1, 2)))
    with pytest.raises(NotImplementedError, match="NoBackward must implement backward"):
        model.backward(np.ones((1, 1)))


def test_large_finite_inputs_pass_the_finite_check():
    # the check's fast path (x . x) overflows above 1e154; the entrywise test decides
    layer = nc.Linear(2, 1, init="zeros")
    np.testing.assert_array_equal(layer(np.array([[1e200, -1e300]])), [[0.0]])
    with pytest.raises(ValueError, match=r"input X contains 1 non-finite value.*index \(0, 1\): -inf"):
        layer(np.array([[1e200, -np.inf]]))


def test_nested_sequential_gives_the_same_passes_as_a_flat_one():
    rng = np.random.default_rng(4)
    flat = nc.MLP([3, 4, 2], "tanh", rng=rng)
    nested = nc.Sequential(nc.Sequential(flat[0], flat[1]), flat[2])
    X, dout = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    out_flat, dx_flat = flat(X), flat.backward(dout)
    flat.zero_grad()
    np.testing.assert_array_equal(nested(X), out_flat)
    np.testing.assert_array_equal(nested.backward(dout), dx_flat)
