"""Tests for nncore.explain: saliency and weight pictures."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nncore import (Dropout, Linear, NeuralNetwork, ReLU, Sequential, Tanh, numerical_gradient,
                    saliency, weight_images)


def test_saliency_of_a_linear_model_is_its_weights():
    # score = x . w + b, so d score / d x = w for every example
    layer = Linear(3, 1, init="zeros")
    layer.params["W"][...] = [[1.0], [-2.0], [0.5]]
    X = np.random.default_rng(0).standard_normal((4, 3))
    assert_allclose(saliency(layer, X), np.tile([1.0, -2.0, 0.5], (4, 1)))


def test_saliency_matches_finite_differences_for_chosen_class():
    rng = np.random.default_rng(1)
    model = Sequential(Linear(4, 5, rng=rng), Tanh(), Linear(5, 3, rng=rng))
    X = rng.standard_normal((2, 4))
    S = saliency(model, X, target=[2, 0])
    for n, c in enumerate([2, 0]):
        x = X[n:n + 1].copy()
        num = numerical_gradient(lambda v: float(model.forward(v)[0, c]), x)
        assert_allclose(S[n], num[0], rtol=1e-6, atol=1e-9)
    # a single int applies to every example; None picks the predicted class
    assert_allclose(saliency(model, X, target=1)[0], saliency(model, X[:1], target=[1])[0])
    pred = model.forward(X).argmax(axis=1)
    assert_allclose(saliency(model, X), saliency(model, X, target=pred))


def test_saliency_leaves_model_unchanged():
    rng = np.random.default_rng(2)
    model = Sequential(Linear(3, 4, rng=rng), ReLU(), Dropout(0.5, rng=rng), Linear(4, 2, rng=rng))
    grads = [g.copy() for _, g in model.parameters()]
    saliency(model, rng.standard_normal((3, 3)))
    assert model.training
    for (_, g), old in zip(model.parameters(), grads):
        assert_array_equal(g, old)


def test_saliency_on_neural_network():
    rng = np.random.default_rng(3)
    net = NeuralNetwork([9, 4, 1], rng=rng)
    assert saliency(net, rng.random((5, 9))).shape == (5, 9)


def test_saliency_bad_input():
    layer = Linear(3, 2, init="zeros")
    with pytest.raises(TypeError, match="model must be an nncore Module"):
        saliency(np.eye(3), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="must be 2-D"):
        saliency(layer, np.zeros(3))
    with pytest.raises(ValueError, match=r"target must hold labels in 0..1 \(2 classes\); got values from 5"):
        saliency(layer, np.zeros((2, 3)), target=5)
    with pytest.raises(ValueError, match=r"target has shape \(3,\); expected \(2,\)"):
        saliency(layer, np.zeros((2, 3)), target=[0, 1, 1])


def test_weight_images():
    W = np.arange(18.0).reshape(9, 2)  # unit j's weights are column j
    imgs = weight_images(W)
    assert imgs.shape == (2, 3, 3)
    assert_array_equal(imgs[1], W[:, 1].reshape(3, 3))  # row-major, like the images
    layer = Linear(9, 4, rng=np.random.default_rng(0))
    assert_allclose(weight_images(layer)[3], layer.params["W"][:, 3].reshape(3, 3))
    assert weight_images(np.zeros((6, 1)), shape=(2, 3)).shape == (1, 2, 3)


def test_weight_images_bad_input():
    with pytest.raises(ValueError, match=r"W \(for \(3, 3\) pictures\) has shape \(8, 2\); expected \(9, D_out\)"):
        weight_images(np.zeros((8, 2)))
    with pytest.raises(TypeError, match="ReLU has no weights"):
        weight_images(ReLU())
    with pytest.raises(ValueError, match="shape must be two positive ints"):
        weight_images(np.zeros((9, 2)), shape=(3, 0))
    with pytest.raises(ValueError, match="must be 2-D"):
        weight_images(np.zeros(9))
