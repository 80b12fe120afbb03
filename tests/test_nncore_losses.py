"""Losses: hand-computed values, exact results at +-1000, laws, and bad input."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nncore as nc


def test_mse_by_hand():
    loss = nc.MSELoss()
    # diffs [1-1, 2-0, 3-5] = [0, 2, -2]; squares [0, 4, 4]; mean 8/3
    np.testing.assert_allclose(loss([1.0, 2.0, 3.0], [1.0, 0.0, 5.0]), 8 / 3, rtol=1e-15)
    # dL/dpred = 2 * diff / 3 = [0, 4/3, -4/3]
    np.testing.assert_allclose(loss.backward(), [0.0, 4 / 3, -4 / 3], rtol=1e-15)


def test_bce_with_logits_by_hand():
    loss = nc.BCEWithLogitsLoss()
    # z = 0, y = 1: max(0,0) - 0*1 + log(1 + e^0)   = log 2
    # z = 2, y = 0: max(2,0) - 2*0 + log(1 + e^-2)  = 2 + log(1 + e^-2)
    expected = (np.log(2.0) + 2.0 + np.log1p(np.exp(-2.0))) / 2  # = 1.41003...
    np.testing.assert_allclose(loss([0.0, 2.0], [1.0, 0.0]), expected, rtol=1e-15)
    # dL/dz = (sigmoid(z) - y) / 2 = [(0.5 - 1) / 2, sigmoid(2) / 2]
    np.testing.assert_allclose(loss.backward(), [-0.25, nc.sigmoid(2.0) / 2], rtol=1e-15)


def test_cross_entropy_by_hand():
    loss = nc.CrossEntropyLoss()
    # logits [2, 1, 0], label 0: -log softmax = log(e^2 + e^1 + e^0) - 2 = 0.40760...
    expected = np.log(np.exp(2.0) + np.exp(1.0) + 1.0) - 2.0
    np.testing.assert_allclose(loss([[2.0, 1.0, 0.0]], [0]), expected, rtol=1e-14)
    # gradient (softmax - onehot) / N with N = 1
    p = np.exp([2.0, 1.0, 0.0]) / np.exp([2.0, 1.0, 0.0]).sum()
    np.testing.assert_allclose(loss.backward(), [p - [1, 0, 0]], rtol=1e-14)


def test_bce_on_probabilities_by_hand_and_clamped():
    loss = nc.BCELoss()
    # p = 0.8, y = 1: -log 0.8;  p = 0.25, y = 0: -log 0.75
    np.testing.assert_allclose(loss([0.8, 0.25], [1, 0]),
                               -(np.log(0.8) + np.log(0.75)) / 2, rtol=1e-15)
    # dL/dp = (p - y) / (p (1 - p)) / N
    np.testing.assert_allclose(loss.backward(), [(0.8 - 1) / (0.8 * 0.2) / 2,
                                                 0.25 / (0.25 * 0.75) / 2], rtol=1e-14)
    # p = 0 with y = 1: the log is clamped at -100, the loss is 100, not inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(loss([0.0, 1.0], [1, 1]), 50.0, rtol=1e-15)
        assert np.all(np.isfinite(loss.backward()))


def test_plus_minus_1000_logits_give_exact_finite_losses_and_gradients():
    bce = nc.BCEWithLogitsLoss()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # wrong with confidence 1000: loss exactly 1000; right: loss exactly 0
        np.testing.assert_allclose(bce([1000.0], [0.0]), 1000.0, rtol=1e-15)
        np.testing.assert_allclose(bce.backward(), [1.0], rtol=1e-15)
        np.testing.assert_allclose(bce([-1000.0], [1.0]), 1000.0, rtol=1e-15)
        np.testing.assert_allclose(bce.backward(), [-1.0], rtol=1e-15)
        np.testing.assert_allclose(bce([1000.0, -1000.0], [1.0, 0.0]), 0.0, atol=0)
        np.testing.assert_allclose(bce.backward(), [0.0, 0.0], atol=0)

        ce = nc.CrossEntropyLoss()
        z = np.array([[1000.0, -1000.0], [1000.0, -1000.0]])
        # row 1 right (loss 0), row 2 wrong by 2000 (loss 2000); mean 1000
        np.testing.assert_allclose(ce(z, [0, 1]), 1000.0, rtol=1e-15)
        np.testing.assert_allclose(ce.backward(), [[0.0, 0.0], [0.5, -0.5]], atol=0)


def test_cross_entropy_one_hot_equals_labels():
    rng = np.random.default_rng(0)
    z, y = rng.standard_normal((6, 4)), rng.integers(0, 4, size=6)
    a, b = nc.CrossEntropyLoss(), nc.CrossEntropyLoss()
    np.testing.assert_allclose(a(z, y), b(z, nc.one_hot(y, 4)), rtol=1e-15)
    np.testing.assert_allclose(a.backward(), b.backward(), rtol=1e-15)


def test_target_of_shape_n_matches_a_single_output_column():
    a, b = nc.BCEWithLogitsLoss(), nc.BCEWithLogitsLoss()
    z = np.array([[0.3], [-1.2]])
    np.testing.assert_allclose(a(z, [1, 0]), b(z[:, 0], [1, 0]), rtol=1e-15)
    assert a.backward().shape == (2, 1)


@settings(max_examples=50, deadline=None)
@given(z=arrays(np.float64, st.integers(1, 20), elements=st.floats(-15, 15)),
       seed=st.integers(0, 2**32 - 1))
def test_bce_with_logits_equals_bce_of_sigmoid(z, seed):
    y = np.random.default_rng(seed).uniform(0, 1, size=z.shape)
    a, b = nc.BCEWithLogitsLoss(), nc.BCELoss()
    # both finite and unclamped; BCE loses digits in 1 - p as |z| grows (1 - p ~ 3e-7 at 15)
    np.testing.assert_allclose(a(z, y), b(nc.sigmoid(z), y), rtol=1e-8, atol=1e-12)
    # chain rule: dL/dz = dL/dp * p (1 - p)
    p = nc.sigmoid(z)
    np.testing.assert_allclose(a.backward(), b.backward() * p * (1 - p), rtol=1e-6, atol=1e-15)


# -- bad input -----------------------------------------------------------------------------
LOSSES = [nc.MSELoss, nc.BCELoss, nc.BCEWithLogitsLoss]


@pytest.mark.parametrize("make", LOSSES)
def test_pointwise_losses_reject_bad_input(make):
    loss, name = make(), make.__name__
    with pytest.raises(ValueError, match=rf"{name}: target \(must match pred\) has shape \(3, 2\); expected \(3, 1\)"):
        loss(np.full((3, 1), 0.5), np.full((3, 2), 0.5))
    with pytest.raises(ValueError, match=rf"{name}: pred and target must hold the same number of examples.*\(3,\).*\(4,\)"):
        loss(np.full(3, 0.5), np.full(4, 0.5))
    with pytest.raises(ValueError, match=rf"{name}: pred must be 1-D or 2-D; got 3-D"):
        loss(np.full((2, 2, 2), 0.5), np.full((2, 2, 2), 0.5))
    with pytest.raises(ValueError, match=rf"{name}: pred contains 1 non-finite"):
        loss(np.array([0.5, np.nan]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=rf"{name}: target contains 1 non-finite"):
        loss(np.array([0.5, 0.5]), np.array([0.0, np.inf]))
    with pytest.raises(TypeError, match=rf"{name}: target must hold real numbers; got dtype <U3"):
        loss(np.array([0.5]), np.array(["cat"]))
    with pytest.raises(RuntimeError, match=rf"{name}\(\): backward\(\) called before forward\(\)"):
        make().backward()


def test_bce_range_checks():
    with pytest.raises(ValueError, match=r"BCELoss: pred must lie in \[0, 1\]; got values from -0.5 to 2 \(pass logits to BCEWithLogitsLoss"):
        nc.BCELoss()([-0.5, 2.0], [0, 1])
    with pytest.raises(ValueError, match=r"BCELoss: target must lie in \[0, 1\]; got values from 0 to 2$"):
        nc.BCELoss()([0.5, 0.5], [0, 2])
    with pytest.raises(ValueError, match=r"BCEWithLogitsLoss: target must lie in \[0, 1\]; got values from -1 to 1"):
        nc.BCEWithLogitsLoss()([0.5, 0.5], [-1, 1])


def test_cross_entropy_rejects_bad_input():
    ce = nc.CrossEntropyLoss()
    z = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"target labels must hold labels in 0..3 \(4 classes\); got values from 0 to 4"):
        ce(z, [0, 1, 4])
    with pytest.raises(ValueError, match=r"target labels must hold labels in 0..3.*from -1 to 1"):
        ce(z, [0, 1, -1])
    with pytest.raises(ValueError, match=r"whole-number class labels; got 0.5"):
        ce(z, [0, 0.5, 1])
    with pytest.raises(ValueError, match=r"pred and target must hold the same number of examples.*\(3, 4\).*\(2,\)"):
        ce(z, [0, 1])
    with pytest.raises(ValueError, match=r"pred \(logits\) must be 2-D; got 1-D"):
        ce(np.zeros(3), [0, 1, 2])
    with pytest.raises(ValueError, match=r"target \(one-hot, like pred\) has shape \(3, 3\); expected \(3, 4\)"):
        ce(z, np.eye(3))
    with pytest.raises(ValueError, match=r"each target row must be non-negative and sum to 1; got row sums from 0 to 1"):
        ce(z, np.array([[1.0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]]))
    with pytest.raises(ValueError, match=r"pred \(logits\) contains 1 non-finite.*inf"):
        ce(np.array([[np.inf, 0.0]]), [0])
    with pytest.raises(TypeError, match=r"target labels must hold real numbers; got dtype <U1"):
        ce(z, np.array(["a", "b", "c"]))
    with pytest.raises(RuntimeError, match=r"CrossEntropyLoss\(\): backward\(\) called before forward"):
        nc.CrossEntropyLoss().backward()
