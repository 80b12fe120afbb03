"""Tests for nncore.diagnostics: each check flags the problem it is meant to find."""
import inspect

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from nncore import (SGD, BCEWithLogitsLoss, CrossEntropyLoss, Linear, Module, MSELoss,
                    ReLU, Sequential, StandardScaler, dead_unit_fraction, diagnose,
                    expected_initial_loss, initial_loss_check, input_scale_report, load_wine,
                    gradient_norms, make_lines, update_to_weight_ratios)
from nncore.diagnostics import UPDATE_RATIO_RANGE, UPDATE_RATIO_TYPICAL


def lines_net(seed=0):
    rng = np.random.default_rng(seed)
    X, y = make_lines(200, 0.2, rng)
    return Sequential(Linear(9, 16, rng=rng), ReLU(), Linear(16, 1, rng=rng)), X, y


def wine_net(seed=0):
    rng = np.random.default_rng(seed)
    return Sequential(Linear(13, 16, rng=rng), ReLU(), Linear(16, 3, rng=rng)), load_wine()


# --- data --------------------------------------------------------------------------------
def test_input_scale_report_hand_example():
    X = np.array([[1.0, 100.0, 5.0, 0.001],
                  [3.0, 300.0, 5.0, 0.002]])
    r = input_scale_report(X, ["a", "b", "c", "d"])
    assert_allclose(r.mean, [2.0, 200.0, 5.0, 0.0015])
    assert_allclose(r.std, [1.0, 100.0, 0.0, 0.0005])  # population std: half the range here
    assert_allclose(r.min, [1.0, 100.0, 5.0, 0.001])
    assert_allclose(r.max, [3.0, 300.0, 5.0, 0.002])
    flagged = {name: reason for _, name, reason in r.flagged}
    assert set(flagged) == {"b", "c", "d"}  # a (mean 2, std 1) is fine
    assert flagged["b"].startswith("unscaled")
    assert flagged["c"].startswith("constant")
    assert flagged["d"].startswith("tiny scale")
    assert not r.ok
    text = str(r)
    assert text.splitlines()[0].split()[:5] == ["feature", "mean", "std", "min", "max"]
    assert "unscaled" in text.splitlines()[2]


def test_input_scale_report_flags_raw_wine_but_not_standardised():
    d = load_wine()
    raw = input_scale_report(d.X, d.feature_names)
    assert "proline" in [name for _, name, _ in raw.flagged]
    assert input_scale_report(StandardScaler().fit_transform(d.X)).ok
    X, _ = make_lines(50, 0.1, np.random.default_rng(0))
    assert input_scale_report(X).ok


def test_input_scale_report_bad_input():
    with pytest.raises(ValueError, match="must be 2-D"):
        input_scale_report(np.zeros(3))
    with pytest.raises(ValueError, match="feature_names has 1 names; expected 2"):
        input_scale_report(np.zeros((3, 2)), ["a"])
    with pytest.raises(ValueError, match="no rows"):
        input_scale_report(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="limit must be > 0"):
        input_scale_report(np.zeros((3, 2)), limit=0)


# --- loss ----------------------------------------------------------------------------------
def test_expected_initial_loss_values():
    assert_allclose(expected_initial_loss("bce"), np.log(2))  # p = 0.5: -ln 0.5
    assert_allclose(expected_initial_loss("BCEWithLogitsLoss"), 0.6931471805599453)
    assert_allclose(expected_initial_loss("cross_entropy", n_classes=10), np.log(10))
    assert_allclose(expected_initial_loss("CrossEntropyLoss", n_classes=3), 1.0986122886681098)
    assert_allclose(expected_initial_loss("mse", y=[1.0, -1.0, 2.0]), 2.0)  # (1 + 1 + 4) / 3


@pytest.mark.parametrize("kwargs, match", [
    (dict(kind="hinge"), "unknown expected_initial_loss: kind 'hinge'"),
    (dict(kind="cross_entropy"), "needs n_classes"),
    (dict(kind="ce", n_classes=1), "n_classes must be >= 2"),
    (dict(kind="mse"), "needs the targets y"),
])
def test_expected_initial_loss_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        expected_initial_loss(**kwargs)


def test_initial_loss_check_ok_high_and_low():
    model, X, y = lines_net()
    check = initial_loss_check(model, BCEWithLogitsLoss(), X, y)
    assert check.ok and check.kind == "bce" and "good" in str(check)
    assert_allclose(check.expected, np.log(2))
    # unscaled wine inputs: confidently wrong from the start
    net, d = wine_net()
    high = initial_loss_check(net, CrossEntropyLoss(), d.X, d.y)
    assert not high.ok and high.observed > 10 * high.expected
    assert "confidently wrong" in high.message
    # a "fresh" model that already knows the answer is suspicious: here the
    # target leaks into the input and the model copies it, so MSE = 0 while
    # predicting 0 would give mean(y^2) = (1 + 4) / 2 = 2.5
    cheat = Linear(1, 1, init="zeros")
    cheat.params["W"][...] = 1.0
    y_leak = np.array([1.0, 2.0])
    low = initial_loss_check(cheat, MSELoss(), y_leak[:, None], y_leak)
    assert not low.ok and "suspicious" in low.message
    assert_allclose([low.observed, low.expected], [0.0, 2.5])


def test_initial_loss_check_bad_input():
    model, X, y = lines_net()
    class HingeLoss:
        def forward(self, pred, target):
            return 0.0

        def backward(self):
            return None

    with pytest.raises(TypeError, match="unknown loss HingeLoss"):
        initial_loss_check(model, HingeLoss(), X, y)
    with pytest.raises(ValueError, match="factor must be > 1"):
        initial_loss_check(model, BCEWithLogitsLoss(), X, y, factor=0.5)
    with pytest.raises(ValueError, match="CrossEntropyLoss needs >= 2 outputs"):
        initial_loss_check(model, CrossEntropyLoss(), X, np.zeros(200))


# --- updates and units -------------------------------------------------------------------------
def test_update_to_weight_ratio_hand_example():
    layer = Linear(2, 1, init="zeros")
    layer.params["W"][...] = [[3.0], [4.0]]  # ||W|| = 5
    layer.grads["W"][...] = [[0.6], [0.8]]  # ||dW|| = 1
    # ratio = ||lr dW|| / ||W|| = 0.01 * 1 / 5 = 0.002
    assert_allclose(update_to_weight_ratios(layer, 0.01)["W (Linear)"], 0.002)
    opt = SGD(layer.parameters(), lr=0.01)
    assert_allclose(update_to_weight_ratios(layer, opt)["W (Linear)"], 0.002)


def test_update_ratios_fresh_gradients_scale_with_lr():
    model, X, y = lines_net()
    small = update_to_weight_ratios(model, 1e-3, BCEWithLogitsLoss(), X, y)
    large = update_to_weight_ratios(model, 10.0, BCEWithLogitsLoss(), X, y)
    assert list(small) == ["0.W (Linear)", "2.W (Linear)"]
    for k in small:
        assert_allclose(large[k], small[k] * 1e4, rtol=1e-12)
    for _, g in model.parameters():  # stored gradients untouched (still zero)
        assert_array_equal(g, 0.0)


def test_update_ratios_bad_input():
    model, X, y = lines_net()
    with pytest.raises(ValueError, match="pass all of loss, X and y"):
        update_to_weight_ratios(model, 0.1, BCEWithLogitsLoss(), X)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        update_to_weight_ratios(model, -0.1)
    with pytest.raises(TypeError, match="lr must be a real number"):
        update_to_weight_ratios(model, "fast")


def test_gradient_norms_hand_example():
    # one layer Y = XW + b on one example x = (1, 2), target 0, MSE loss:
    # W = (1, 1), b = 0 -> y_hat = 3, dL/dy_hat = 2 (y_hat - 0) = 6,
    # dW = x^T * 6 = (6, 12), ||dW|| = sqrt(36 + 144) = sqrt(180)
    layer = Linear(2, 1, init="zeros")
    layer.params["W"][...] = 1.0
    fresh = gradient_norms(layer, MSELoss(), np.array([[1.0, 2.0]]), np.array([[0.0]]))
    assert list(fresh) == ["W (Linear)"]
    assert_allclose(fresh["W (Linear)"], np.sqrt(180.0), rtol=1e-12)
    assert_array_equal(layer.grads["W"], 0.0)  # stored gradients untouched
    layer.grads["W"][...] = [[3.0], [4.0]]
    assert_allclose(gradient_norms(layer)["W (Linear)"], 5.0)  # the stored ones


def test_gradient_norms_fade_through_sigmoid_layers():
    # ten sigmoid layers: each multiplies the backward signal by at most 1/4 times
    # the weights, so the first layer's gradient is far smaller than the last one's
    from nncore import MLP
    rng = np.random.default_rng(0)
    X, y = make_lines(200, 0.2, rng)
    deep = MLP([9] + [16] * 10 + [1], "sigmoid", rng=rng)
    norms = list(gradient_norms(deep, BCEWithLogitsLoss(), X, y).values())
    assert len(norms) == 11
    assert norms[0] < 1e-3 * norms[-1]


def test_gradient_norms_bad_input():
    model, X, y = lines_net()
    with pytest.raises(ValueError, match="gradient_norms: pass all of loss, X and y"):
        gradient_norms(model, BCEWithLogitsLoss(), X)
    with pytest.raises(TypeError):
        gradient_norms("not a model")


def test_dead_unit_fraction():
    rng = np.random.default_rng(0)
    first = Linear(9, 4, rng=rng)
    first.params["b"][...] = [-100.0, -100.0, -100.0, 0.0]  # 3 of 4 units can never fire
    inner = Sequential(Linear(4, 5, rng=rng), ReLU())
    model = Sequential(first, ReLU(), inner, Linear(5, 1, rng=rng))
    X, _ = make_lines(30, 0.1, rng)
    dead = dead_unit_fraction(model, X)
    assert list(dead) == ["1 (ReLU)", "2.1 (ReLU)"]  # nested layers named by path
    assert_allclose(dead["1 (ReLU)"], 0.75)
    with pytest.raises(ValueError, match="must be 2-D"):
        dead_unit_fraction(model, X[0])


# --- diagnose ------------------------------------------------------------------------------------
def test_diagnose_healthy_model_has_no_warnings():
    model, X, y = lines_net()
    report = diagnose(model, BCEWithLogitsLoss(), X, y, lr=0.1)
    assert report.ok and report.warnings == []
    assert [f.topic for f in report.findings] == ["data", "loss", "gradients", "updates", "units"]
    assert str(report).startswith("Diagnosis: no problems found")
    assert report.gradcheck.passed


def test_diagnose_flags_unscaled_input():
    net, d = wine_net()
    report = diagnose(net, CrossEntropyLoss(), d.X, d.y, lr=1e-3)
    assert report.warnings[0].topic == "data"
    text = str(report)
    assert "5 feature(s) look unscaled: x0 (unscaled), x3" in text and "StandardScaler" in text
    assert "confidently wrong" in text  # the loss check sees the same problem
    assert not report.scale.ok
    # large updates from unscaled inputs: the advice is to scale, not to lower the rate
    big = [f for f in report.warnings if f.topic == "updates" and "above" in f.message]
    assert big and all(f.advice == "scale the inputs first, then check again" for f in big)


def test_diagnose_flags_too_large_lr():
    net, d = wine_net()
    X = StandardScaler().fit_transform(d.X)
    assert diagnose(net, CrossEntropyLoss(), X, d.y, lr=0.01).ok
    report = diagnose(net, CrossEntropyLoss(), X, d.y, lr=10.0)
    assert [f.topic for f in report.warnings] == ["updates", "updates"]  # both weight matrices
    assert "0.W (Linear): update/weight ratio" in str(report)
    assert "learning rate is probably too large" in str(report)
    assert all(r > 0.1 for r in report.update_ratios.values())


def test_diagnose_flags_dead_units():
    model, X, y = lines_net()
    model[0].params["b"][...] = -1e4  # every unit of the first ReLU layer is dead
    report = diagnose(model, BCEWithLogitsLoss(), X, y, lr=0.1)
    assert "dead ReLU units: 1 (ReLU): 100%" in str(report)
    assert "large negative biases" in str(report)
    assert report.dead_units == {"1 (ReLU)": 1.0}
    # no gradient reaches the weights of a dead network: the ratios are 0 too
    assert "too small, or the gradient vanishes" in str(report)


def test_diagnose_flags_small_lr_and_mse_on_labels():
    model, X, y = lines_net()
    report = diagnose(model, MSELoss(), X, y.astype(float), lr=1e-9)
    text = str(report)
    assert "below 1e-05" in text and "too small" in text
    assert "look like class labels but the loss is MSE" in text


class HalfGradLinear(Module):
    """A linear layer whose weight gradient is off by a factor of 2 (a bug)."""

    def __init__(self, W):
        super().__init__()
        self.params = {"W": np.array(W, dtype=float)}
        self.grads = {"W": np.zeros_like(self.params["W"])}

    def forward(self, X):
        self.X = X
        return X @ self.params["W"]

    def backward(self, dY):
        self.grads["W"] += 0.5 * self.X.T @ dY  # BUG
        return dY @ self.params["W"].T


def test_diagnose_flags_broken_gradient():
    rng = np.random.default_rng(5)
    model = Sequential(Linear(9, 4, rng=rng), ReLU(), HalfGradLinear(rng.standard_normal((4, 1))))
    X, y = make_lines(20, 0.1, rng)
    report = diagnose(model, BCEWithLogitsLoss(), X, y, lr=0.1)
    bad = [f for f in report.warnings if f.topic == "gradients"]
    assert len(bad) == 1 and "2.W (HalfGradLinear)" in bad[0].message
    assert "check that layer's backward pass" in str(bad[0])


def test_diagnose_bad_input():
    model, X, y = lines_net()
    with pytest.raises(ValueError, match=r"same number of examples.*\(200, 9\).*\(3,\)"):
        diagnose(model, BCEWithLogitsLoss(), X, y[:3], lr=0.1)
    with pytest.raises(ValueError, match="n_gradcheck must be >= 1"):
        diagnose(model, BCEWithLogitsLoss(), X, y, lr=0.1, n_gradcheck=0)
    with pytest.raises(TypeError, match="loss must have forward"):
        diagnose(model, "bce", X, y, lr=0.1)
    with pytest.raises(TypeError, match="model must be an nncore Module"):
        diagnose(None, BCEWithLogitsLoss(), X, y, lr=0.1)


def test_diagnose_thresholds_are_the_documented_update_ratio_range():
    # The documented range: a factor of 100 either side of the typical 1e-3 (CS231n).
    assert UPDATE_RATIO_TYPICAL == 1e-3
    assert UPDATE_RATIO_RANGE == (1e-5, 1e-1)
    assert inspect.signature(diagnose).parameters["ratio_range"].default == UPDATE_RATIO_RANGE
    for doc in (diagnose.__doc__, update_to_weight_ratios.__doc__):
        assert "(1e-5, 1e-1)" in " ".join(doc.split()) and "1e-3" in doc
    # ...and diagnose flags exactly the per-matrix ratios outside it
    model, X, y = lines_net()
    loss = BCEWithLogitsLoss()
    per_unit_lr = update_to_weight_ratios(model, 1.0, loss, X, y)  # ratio / lr, per matrix
    hi, lo = max(per_unit_lr.values()), min(per_unit_lr.values())
    low, high = UPDATE_RATIO_RANGE

    def update_warnings(lr):
        return [f.message for f in diagnose(model, loss, X, y, lr=lr).warnings
                if f.topic == "updates"]

    assert update_warnings(0.99 * high / hi) == []
    assert len(update_warnings(1.01 * high / hi)) == 1
    assert update_warnings(1.01 * low / lo) == []
    assert len(update_warnings(0.99 * low / lo)) == 1
