"""Tests for nnbook.checkers: right answers pass, wrong ones are explained."""
import numpy as np
import pytest

from nncore import softmax
from nnbook.checkers import (
    CheckResult, assert_correct, check_array, check_dot_product,
    check_gradient, check_linear_forward, check_loss, check_neuron_output,
    check_perceptron_update, check_scalar, check_shape_ledger, check_softmax,
    check_stable_softmax, check_trace)
from nnbook.handtrace import example_231, hand_trace

EX = example_231()


def test_result_object_and_assert_correct():
    ok = check_scalar(2.0, 2.0, "x")
    assert isinstance(ok, CheckResult) and ok and ok.correct
    assert str(ok) == "Right! x = 2." and repr(ok) == str(ok)
    assert assert_correct(ok) is ok
    bad = check_scalar(3.0, 2.0, "x")
    assert not bad
    assert bad.message == "Not yet. x should be 2, but you have 3."
    with pytest.raises(AssertionError, match="x should be 2, but you have 3"):
        assert_correct(bad)
    with pytest.raises(TypeError, match="expected the result of a check_... function"):
        assert_correct(True)


# --- generic ---------------------------------------------------------------------------------
def test_check_array_messages():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert check_array(expected.copy(), expected, "W")
    r = check_array([[1.0, 2.0], [3.0, 5.0]], expected, "W")
    assert "1 of 4 entries of W are wrong; the first is W[1, 1]: expected 4, got 5." in r.message
    r = check_array([1.0, 2.0, 3.0, 4.0], expected, "W")
    assert "W has shape (4,), but it should have shape (2, 2)" in r.message
    assert "arranged in the wrong shape" in r.message
    r = check_array(np.ones((2, 3)), np.ones((3, 2)), "W")
    assert "It is the transpose" in r.message
    r = check_array([[1.0, 3.0], [2.0, 4.0]], expected, "W")
    assert "2 of 4 entries" in r.message and "It is the transpose" in r.message
    r = check_array(-expected, expected, "W")
    assert "Every sign is flipped" in r.message
    assert "None" in check_array(None, expected).message
    assert "still `...`" in check_array(..., expected).message
    assert "should be a number or an array of numbers" in check_array("abc", expected).message
    assert "NaN or inf" in check_array([[np.nan, 1], [1, 1]], expected).message


def test_check_scalar_shape_and_bad_call():
    assert "should be a single number, but it has shape (2,)" in check_scalar([1, 2], 1.0).message
    assert check_scalar(np.array([0.1 + 0.2]), 0.3)  # within tolerance
    with pytest.raises(ValueError, match=r"expected must be one number; got shape \(2,\)"):
        check_scalar(1.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="atol must be >= 0"):
        check_array(1.0, 1.0, atol=-1)


# --- shape ledger ------------------------------------------------------------------------------
LEDGER = {"X": (4, 9), "W": (9, 2), "b": (2,), "Y": (4, 2),
          "dY": (4, 2), "dW": (9, 2), "db": (2,), "dX": (4, 9)}


def test_shape_ledger_right_and_wrong():
    r = check_shape_ledger(LEDGER, N=4, D_in=9, D_out=2)
    assert r and r.message.startswith("Right! All eight shapes are right")
    r = check_shape_ledger({**LEDGER, "dW": (2, 9), "b": (4, 2)}, 4, 9, 2)
    assert not r
    assert "b should be (D_out,) = (2,), not (4, 2)" in r.message
    assert "dW should be (D_in, D_out) = (9, 2), not (2, 9): a gradient has the shape of what " \
           "it is the gradient of: W" in r.message
    partial = {k: LEDGER[k] for k in ("X", "W", "b")}
    r = check_shape_ledger(partial, 4, 9, 2)
    assert not r and "Still missing: Y, dY, dW, db, dX." in r.message
    assert "not 'abc'" in check_shape_ledger({**LEDGER, "X": "abc"}, 4, 9, 2).message


def test_shape_ledger_bad_call():
    with pytest.raises(TypeError, match="answers must be a dict"):
        check_shape_ledger([(4, 9)], 4, 9, 2)
    with pytest.raises(ValueError, match=r"unknown entries \['Z'\]"):
        check_shape_ledger({"Z": (1,)}, 4, 9, 2)
    with pytest.raises(ValueError, match="N must be >= 1"):
        check_shape_ledger(LEDGER, 0, 9, 2)


# --- the 2-3-1 trace -------------------------------------------------------------------------------
def test_check_trace_all_right_and_partial():
    t = hand_trace(**EX)
    full = {name: t.value(name) for name in t.names}
    assert check_trace(full, **EX)
    forward = {"x": [1, 2], "z1": [1.5, 0.5, -0.75], "h": [1.5, 0.5, 0], "y_hat": 0.5, "L": 0.25}
    r = check_trace(forward, **EX)
    assert r and "All 5 entries you gave are right" in r.message and "Not given yet: dy_hat" in r.message
    # column vectors may be given flat; hand rounding within atol is fine
    assert check_trace({"dW2": [-1.5, -0.5, 0.0], "L_new": 0.0036}, **EX)
    assert check_trace({"z1": [1.5004, 0.5, -0.75]}, **EX)


def test_check_trace_names_first_wrong_entry():
    answers = {"z1": [1.5, 0.5, -0.75],
               "h": [1.5, 0.5, -0.75],  # forgot ReLU
               "y_hat": -0.25,  # follows from the wrong h
               "dW1": [[0, 0, 0], [0, 0, 0]]}
    r = check_trace(answers, **EX)
    assert not r
    assert r.message.startswith("Not yet. h is the first entry that went wrong")
    assert "h[2]: expected 0, got -0.75" in r.message
    assert "The entries before it (z1) are right" in r.message
    assert "Fix h first: the later entries (y_hat, dW1) depend on it" in r.message
    # a wrong backward entry after right forward ones
    r = check_trace({"L": 0.25, "dz1": [-0.25, 0.25, -1.0]}, **EX)  # ReLU mask not applied
    assert "dz1 is the first entry that went wrong" in r.message and "dz1[2]" in r.message
    r = check_trace({"dW1": [[-0.25, -0.5], [0.25, 0.5], [0, 0]]}, **EX)
    assert "dW1 has shape (3, 2), but it should have shape (2, 3)" in r.message
    assert "transpose" in r.message


def test_check_trace_bce_and_bad_call():
    t = hand_trace(**EX, loss="bce")
    assert check_trace({"dz2": t.value("dz2")}, **EX, loss="bce")
    assert "No entries to check yet" in check_trace({}, **EX).message
    with pytest.raises(ValueError, match=r"unknown entries \['z3'\]"):
        check_trace({"z3": 1.0}, **EX)
    with pytest.raises(TypeError, match="answers must be a dict"):
        check_trace([1.0], **EX)
    with pytest.raises(ValueError, match=r"W1 has shape \(3, 3\)"):
        check_trace({}, **{**EX, "W1": np.zeros((3, 3))})


# --- gradients -------------------------------------------------------------------------------------
def test_check_gradient():
    f = lambda x: float(np.sum(x ** 2) + x[0] * x[1])  # noqa: E731
    right = lambda x: np.array([2 * x[0] + x[1], 2 * x[1] + x[0]])  # noqa: E731
    x = np.array([1.0, -2.0])
    assert check_gradient(f, right, x)
    assert check_gradient(f, right(x), x)  # a value works too
    r = check_gradient(f, lambda x: 2 * x, x)  # forgot the cross term
    assert not r and "largest difference is at [0]: finite differences give 0, your gradient 2" in r.message
    assert "shape of x, (2,)" in check_gradient(f, [1.0, 2.0, 3.0], x).message
    r = check_gradient(f, lambda x: x["a"], x)
    assert "your gradient function raised IndexError" in r.message
    assert "None" in check_gradient(f, None, x).message
    with pytest.raises(TypeError, match="f must be callable"):
        check_gradient(3, right, x)


# --- chapter checkers ---------------------------------------------------------------------------------
def test_check_dot_product():
    assert check_dot_product(11, [1, 2], [3, 4])  # 1*3 + 2*4
    r = check_dot_product(10, [1, 2], [3, 4])  # 1 + 2 + 3 + 4
    assert "should be 11, but you have 10" in r.message and "You added all the numbers" in r.message
    assert "You added" not in check_dot_product(12, [1, 2], [3, 4]).message
    with pytest.raises(ValueError, match=r"a has shape \(2,\) but b has shape \(3,\)"):
        check_dot_product(1, [1, 2], [1, 2, 3])


def test_check_linear_forward():
    X = np.array([[1.0, 2.0]])
    W = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0]])
    b = np.array([0.5, 0.5, 0.5])
    assert check_linear_forward([[1.5, 2.5, 0.5]], X, W, b)  # [1, 2, 0] + 0.5
    r = check_linear_forward([[1.0, 2.0, 0.0]], X, W, b)
    assert "That is X W without the bias" in r.message
    with pytest.raises(ValueError, match=r"shapes do not fit Y = X W \+ b: X \(1, 2\), W \(3, 3\)"):
        check_linear_forward(0, X, np.eye(3), b)


def test_check_neuron_output():
    x, w, b = [1.0, 0.0, 1.0], [0.5, 0.5, 0.5], -0.5  # z = 0.5 + 0.5 - 0.5 = 0.5
    assert check_neuron_output(0.5, x, w, b)
    assert check_neuron_output(1.0, x, w, b, "step")
    assert check_neuron_output(1 / (1 + np.exp(-0.5)), x, w, b, "sigmoid")
    r = check_neuron_output(0.5, x, w, b, "sigmoid")
    assert "That is the weighted sum z = x . w + b; now apply sigmoid" in r.message
    assert check_neuron_output([0.5, 0.0], [x, [0.0, 0.0, 0.0]], w, b, "relu")  # a batch
    with pytest.raises(ValueError, match="unknown check_neuron_output: activation 'swish'"):
        check_neuron_output(0.5, x, w, b, "swish")
    with pytest.raises(ValueError, match="x has 3 features .* but w has 2 weights"):
        check_neuron_output(0.5, x, [1.0, 1.0], b)


def test_check_perceptron_update():
    w, b, x = [0.0, 0.0], 0.0, [1.0, 2.0]
    # z = 0 -> step(0) = 1, but y = 0: w_new = w + 1 (0 - 1) x = [-1, -2], b_new = -1
    assert check_perceptron_update(([-1.0, -2.0], -1.0), w, b, x, 0)
    r = check_perceptron_update(([1.0, 2.0], 1.0), w, b, x, 0)
    assert "w_new[0]: expected -1, got 1" in r.message and "Every sign is flipped" in r.message
    assert "gives y_hat = 1, but y = 0" in r.message
    r = check_perceptron_update(([-1.0, -2.0], 0.0), w, b, x, 0)
    assert "b_new should be -1, but you have 0" in r.message
    # a right prediction changes nothing
    assert "nothing changes" in check_perceptron_update(([0.0, 0.0], 0.0), w, b, x, 1).message
    assert "so nothing should change" in check_perceptron_update(([1.0, 0.0], 0.0), w, b, x, 1).message
    assert "pair (w_new, b_new)" in check_perceptron_update([0.0, 0.0, 0.0], w, b, x, 1).message
    with pytest.raises(ValueError, match="y must be 0 or 1; got 2"):
        check_perceptron_update(([0, 0], 0), w, b, x, 2)
    with pytest.raises(ValueError, match=r"x has shape \(3,\) but w has shape \(2,\)"):
        check_perceptron_update(([0, 0], 0), w, b, [1.0, 2.0, 3.0], 1)


def test_check_softmax_and_stable_softmax():
    z = np.array([[1.0, 2.0, 3.0]])
    assert check_softmax(softmax(z), z)
    r = check_softmax(np.exp(z), z)
    assert "rows of probabilities must sum to 1" in r.message.replace("Each row", "rows")
    naive = lambda v: np.exp(v) / np.exp(v).sum(axis=-1, keepdims=True)  # noqa: E731
    r = check_stable_softmax(naive)
    assert not r and "softmax([1000.0, 999.0, 998.0])" in r.message
    assert "subtract the largest logit" in r.message

    def stable(v):
        e = np.exp(v - v.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    assert check_stable_softmax(stable) and check_stable_softmax(stable, batch=True)
    r = check_stable_softmax(lambda v: v)
    assert "entries of softmax([1.0, 2.0, 3.0]) are wrong" in r.message
    assert "raised ValueError: nope" in check_stable_softmax(_raises).message
    with pytest.raises(TypeError, match="fn must be callable"):
        check_stable_softmax("softmax")


def _raises(v):
    raise ValueError("nope")


def test_check_loss():
    # MSE of pred [0, 1] vs target [1, 1]: ((0 - 1)^2 + 0) / 2 = 0.5
    assert check_loss(0.5, [0.0, 1.0], [1.0, 1.0])
    assert "sum over the 2 examples" in check_loss(1.0, [0.0, 1.0], [1.0, 1.0]).message
    # BCE of p = [0.5, 0.5]: -ln 0.5 = 0.6931
    assert check_loss(np.log(2), [0.5, 0.5], [1.0, 0.0], "bce")
    assert "sign is flipped" in check_loss(-np.log(2), [0.5, 0.5], [1.0, 0.0], "bce").message
    # cross-entropy of equal logits over 4 classes: ln 4
    assert check_loss(np.log(4), np.zeros((3, 4)), [0, 1, 3], "cross_entropy")
    assert "None" in check_loss(None, [0.0], [1.0]).message
    with pytest.raises(ValueError, match="unknown check_loss: kind 'hinge'"):
        check_loss(0.5, [0.0], [1.0], "hinge")
