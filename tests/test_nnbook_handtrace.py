"""Tests for nnbook.handtrace: every entry by hand, then against nncore's own layers."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from nncore import (
    SGD, BCEWithLogitsLoss, Linear, MSELoss, ReLU, Sequential, gradcheck)
from nnbook.handtrace import HandTrace, example_231, hand_trace

EX = example_231()


def test_example_numbers():
    assert_allclose(EX["x"], [[1.0, 2.0]])
    assert EX["x"].shape == (1, 2)  # one example, batch first
    assert_allclose(EX["W1"], [[1.5, -1.0, -0.5], [-0.25, 0.75, -0.25]])
    assert_allclose(EX["b1"], [0.5, 0.0, 0.25])
    assert_allclose(EX["W2"], [[0.25], [-0.25], [1.0]])
    assert_allclose(EX["b2"], [0.25])
    assert_allclose([EX["y"], EX["lr"]], [1.0, 0.1])


def test_every_entry_by_hand_mse():
    t = hand_trace(**EX)
    v = t.value
    # forward
    # z1_j = x1 W1[0, j] + x2 W1[1, j] + b1_j
    #   unit 1: 1(1.5)  + 2(-0.25) + 0.5  = 1.5
    #   unit 2: 1(-1)   + 2(0.75)  + 0    = 0.5
    #   unit 3: 1(-0.5) + 2(-0.25) + 0.25 = -0.75   <- negative: ReLU zeroes it
    assert_allclose(v("z1"), [[1.5, 0.5, -0.75]], atol=1e-15)
    assert_allclose(v("h"), [[1.5, 0.5, 0.0]], atol=1e-15)
    # y_hat = 1.5(0.25) + 0.5(-0.25) + 0(1) + 0.25 = 0.375 - 0.125 + 0.25 = 0.5
    assert_allclose(v("y_hat"), [[0.5]], atol=1e-15)
    # L = (0.5 - 1)^2 = 0.25
    assert_allclose(v("L"), 0.25, atol=1e-15)
    # backward
    # dL/dy_hat = 2 (0.5 - 1) = -1
    assert_allclose(v("dy_hat"), [[-1.0]], atol=1e-15)
    # dW2 = h^T (-1) = [-1.5, -0.5, 0]^T ; db2 = -1
    assert_allclose(v("dW2"), [[-1.5], [-0.5], [0.0]], atol=1e-15)
    assert_allclose(v("db2"), [-1.0], atol=1e-15)
    # dh = (-1) W2^T = [-0.25, 0.25, -1]   (unit 3 gets the most blame...)
    assert_allclose(v("dh"), [[-0.25, 0.25, -1.0]], atol=1e-15)
    # dz1 = dh * [z1 > 0] = [-0.25, 0.25, 0]   (...but ReLU blocks it)
    assert_allclose(v("dz1"), [[-0.25, 0.25, 0.0]], atol=1e-15)
    # dW1 = x^T dz1: row 1 = 1 * dz1, row 2 = 2 * dz1
    assert_allclose(v("dW1"), [[-0.25, 0.25, 0.0], [-0.5, 0.5, 0.0]], atol=1e-15)
    assert_allclose(v("db1"), [-0.25, 0.25, 0.0], atol=1e-15)
    # update with lr = 0.1: W <- W - 0.1 dW
    # W1: 1.5 + 0.025 = 1.525, -1 - 0.025 = -1.025, -0.5; -0.25 + 0.05 = -0.2, 0.75 - 0.05 = 0.7, -0.25
    assert_allclose(v("W1_new"), [[1.525, -1.025, -0.5], [-0.2, 0.7, -0.25]], atol=1e-15)
    assert_allclose(v("b1_new"), [0.525, -0.025, 0.25], atol=1e-15)  # b1 - 0.1 db1
    assert_allclose(v("W2_new"), [[0.4], [-0.2], [1.0]], atol=1e-15)  # 0.25 + 0.15, -0.25 + 0.05
    assert_allclose(v("b2_new"), [0.35], atol=1e-15)  # 0.25 + 0.1
    # new forward: z1 = [1.525 - 0.4 + 0.525, -1.025 + 1.4 - 0.025, -0.75] = [1.65, 0.35, -0.75]
    # y_hat = 1.65(0.4) + 0.35(-0.2) + 0.35 = 0.66 - 0.07 + 0.35 = 0.94 ; L = 0.06^2 = 0.0036
    assert_allclose(v("y_hat_new"), [[0.94]], atol=1e-14)
    assert_allclose(v("L_new"), 0.0036, atol=1e-14)


def build_net(W1, b1, W2, b2):
    net = Sequential(Linear(2, 3, init="zeros"), ReLU(), Linear(3, 1, init="zeros"))
    net[0].params["W"][...] = W1
    net[0].params["b"][...] = b1
    net[2].params["W"][...] = W2
    net[2].params["b"][...] = b2
    return net


@pytest.mark.parametrize("loss_kind, loss", [("mse", MSELoss()), ("bce", BCEWithLogitsLoss())])
def test_trace_equals_nncore_layers(loss_kind, loss):
    t = hand_trace(**EX, loss=loss_kind)
    net = build_net(EX["W1"], EX["b1"], EX["W2"], EX["b2"])
    X = EX["x"]  # (1, 2): a batch of one
    z1 = net[0].forward(X)
    h = net[1].forward(z1)
    out = net[2].forward(h)
    value = loss.forward(out, np.array([[EX["y"]]]))
    assert_allclose(t.value("z1"), z1, rtol=1e-15)
    assert_allclose(t.value("h"), h, rtol=1e-15)
    assert_allclose(t.value("L"), value, rtol=1e-14)
    dout = loss.backward()
    dh = net[2].backward(dout)
    dz1 = net[1].backward(dh)
    net[0].backward(dz1)
    assert_allclose(t.value("dy_hat" if loss_kind == "mse" else "dz2"), dout, rtol=1e-14)
    assert_allclose(t.value("dh"), dh, rtol=1e-14)
    assert_allclose(t.value("dz1"), dz1, rtol=1e-14)
    assert_allclose(t.value("dW1"), net[0].grads["W"], rtol=1e-14)
    assert_allclose(t.value("db1"), net[0].grads["b"], rtol=1e-14)
    assert_allclose(t.value("dW2"), net[2].grads["W"], rtol=1e-14)
    assert_allclose(t.value("db2"), net[2].grads["b"], rtol=1e-14)
    SGD(net.parameters(), lr=EX["lr"]).step()
    assert_allclose(t.value("W1_new"), net[0].params["W"], rtol=1e-14)
    assert_allclose(t.value("b2_new"), net[2].params["b"], rtol=1e-14)
    assert_allclose(t.value("L_new"), loss.forward(net.forward(X), np.array([[EX["y"]]])),
                    rtol=1e-12)


def test_backward_confirmed_by_gradient_check():
    net = build_net(EX["W1"], EX["b1"], EX["W2"], EX["b2"])
    report = gradcheck(net, MSELoss(), EX["x"], np.array([[EX["y"]]]))
    assert report.passed
    t = hand_trace(**EX)
    assert_allclose(report.numerical["0.W (Linear)"], t.value("dW1"), atol=1e-8)


def test_bce_values():
    t = hand_trace(**EX, loss="bce")
    p = 1 / (1 + np.exp(-0.5))  # sigmoid of the logit z2 = 0.5 (same forward numbers)
    assert_allclose(t.value("y_hat"), [[p]])
    assert_allclose(t.value("L"), -np.log(p))  # y = 1: L = -ln p
    assert_allclose(t.value("dz2"), [[p - 1.0]])
    assert "dy_hat" not in t.names and "z2" in t.names


def test_rows_order_and_tables():
    t = hand_trace(**EX)
    assert isinstance(t, HandTrace)
    assert t.names == ["x", "z1", "h", "y_hat", "L", "dy_hat", "dW2", "db2", "dh", "dz1", "dW1",
                       "db1", "W1_new", "b1_new", "W2_new", "b2_new", "y_hat_new", "L_new"]
    assert t.row("dW1").shape == (2, 3) and t.row("dW1").stage == "backward"
    fwd = t.table("forward")
    assert fwd.splitlines()[0] == "| Quantity | Formula | Shape | Value |"
    assert "| $z^{(1)}$ | $x W^{(1)} + b^{(1)}$ | (1, 3) | `[[1.5, 0.5, -0.75]]` |" in fwd
    assert "`[[-0.25, 0.25, 0]]`" in t.table("backward")  # -0.0 printed as 0
    assert "| scalar | `0.004` |" in t.table("update")  # 0.0036 to 3 decimals
    assert "`0.0036`" in t.table("update", decimals=4)
    assert len(t.table("all").splitlines()) == 2 + 18
    md = t._repr_markdown_()
    assert md.startswith("**Forward**") and "**Backward**" in md and "**Update**" in md
    assert "dz1" in str(t) and "[[-0.25, 0.25, 0]]" in repr(t)
    t.value("x")[0, 0] = 99.0  # value() returns a copy
    assert_allclose(t.value("x"), [[1.0, 2.0]])
    assert_allclose(hand_trace(**{**EX, "x": [1.0, 2.0]}).value("z1"), t.value("z1"))  # flat x


def test_without_lr_there_is_no_update():
    t = hand_trace(**{k: v for k, v in EX.items() if k != "lr"})
    assert "W1_new" not in t.names
    assert "**Update**" not in t.to_markdown()
    with pytest.raises(ValueError, match="no 'update' rows; pass lr"):
        t.table("update")


@pytest.mark.parametrize("change, exc, match", [
    (dict(x=[1.0, 2.0, 3.0]), ValueError, r"W1 has shape \(2, 3\); expected \(3, H\)"),
    (dict(b1=[0.0, 0.0]), ValueError, r"b1 has shape \(2,\); expected \(3,\)"),
    (dict(W2=[0.1, 0.2, 0.3]), ValueError, r"W2 has shape \(3,\); expected \(3, 1\)"),
    (dict(b2=[0.0, 0.0]), ValueError, r"b2 has shape \(2,\); expected \(1,\)"),
    (dict(y=[1.0, 0.0]), ValueError, r"y must be one number.*\(2,\)"),
    (dict(x=[1.0, np.nan]), ValueError, "non-finite"),
    (dict(x=[[1.0, 2.0], [3.0, 4.0]]), ValueError, r"x must be one example.*\(2, 2\)"),
    (dict(loss="hinge"), ValueError, "unknown hand_trace: loss 'hinge'"),
    (dict(loss="bce", y=2.0), ValueError, r"target y must be in \[0, 1\]; got 2.0"),
    (dict(lr=-0.1), ValueError, "lr must be > 0"),
    (dict(W1="abc"), TypeError, "W1 must hold real numbers"),
])
def test_bad_input(change, exc, match):
    with pytest.raises(exc, match=match):
        hand_trace(**{**EX, **change})


def test_bad_row_name_and_table_choice():
    t = hand_trace(**EX)
    with pytest.raises(ValueError, match="no row named 'z3'"):
        t.value("z3")
    with pytest.raises(ValueError, match="unknown HandTrace.table: which 'sideways'"):
        t.table("sideways")


@pytest.mark.parametrize("loss_kind, loss", [("mse", MSELoss()), ("bce", BCEWithLogitsLoss())])
def test_every_table_shape_is_the_shape_of_the_array_in_nncore(loss_kind, loss):
    """Batch shapes everywhere: each row's Shape column equals the shape the same quantity has
    in nncore's layers, and every gradient has the shape of the array it belongs to."""
    t = hand_trace(**EX, loss=loss_kind)
    net = build_net(EX["W1"], EX["b1"], EX["W2"], EX["b2"])
    X, Y = EX["x"], np.array([[EX["y"]]])
    z1 = net[0].forward(X)
    h = net[1].forward(z1)
    out = net[2].forward(h)
    value = loss.forward(out, Y)
    dout = loss.backward()
    dh = net[2].backward(dout)
    dz1 = net[1].backward(dh)
    net[0].backward(dz1)
    arrays = {"x": X, "z1": z1, "h": h, "y_hat": out, "z2": out, "L": np.asarray(value),
              "dy_hat": dout, "dz2": dout, "dh": dh, "dz1": dz1,
              "dW1": net[0].grads["W"], "db1": net[0].grads["b"],
              "dW2": net[2].grads["W"], "db2": net[2].grads["b"]}
    for key, p in (("W1", net[0].params["W"]), ("b1", net[0].params["b"]),
                   ("W2", net[2].params["W"]), ("b2", net[2].params["b"])):
        arrays[f"{key}_new"] = p
    arrays["y_hat_new"], arrays["L_new"] = out, np.asarray(value)
    table = t.table("all").splitlines()[2:]
    assert len(table) == len(t.rows)
    for row, line in zip(t.rows, table):
        shape_cell = line.split(" | ")[2]
        expected = arrays[row.name].shape
        assert row.value.shape == expected, row.name
        assert shape_cell == (str(expected) if expected else "scalar"), (row.name, shape_cell)
    # a gradient has the shape of its array
    for grad, of in [("dh", "h"), ("dz1", "z1"), ("dW1", "W1_new"), ("db1", "b1_new"),
                     ("dW2", "W2_new"), ("db2", "b2_new")]:
        assert t.row(grad).shape == t.row(of).shape
