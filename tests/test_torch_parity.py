"""nncore beside PyTorch: the same network, weights and batch give the same numbers.

The chapter ``whats-next`` shows this agreement once; these tests hold it for
the forward pass, both binary and multi-class losses, every gradient, and one
step of SGD (with momentum) and of Adam, in float64. PyTorch is a pinned
dependency (requirements-torch.txt), so a missing torch fails here rather
than skipping.
"""
import numpy as np
import pytest
import torch

import nncore as nc

TOL = 1e-12  # float64 rounding: differences of a few machine epsilons times the values


def twin(sizes, activation="relu", seed=0):
    """An nncore MLP and a PyTorch Sequential holding the same float64 weights."""
    net = nc.MLP(sizes, activation, rng=np.random.default_rng(seed))
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}[activation]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=torch.float64))
        if i < len(sizes) - 2:
            layers.append(act())
    tnet = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for mine, theirs in zip(net, tnet):
            if isinstance(mine, nc.Linear):
                theirs.weight.copy_(torch.from_numpy(mine.params["W"].T))  # (out, in)
                theirs.bias.copy_(torch.from_numpy(mine.params["b"]))
    return net, tnet


def pairs(net, tnet):
    """(nncore array, PyTorch tensor) for every weight and bias, in the same layout."""
    linears = [(m, t) for m, t in zip(net, tnet) if isinstance(m, nc.Linear)]
    out = []
    for m, t in linears:
        out.append((m.params["W"], m.grads["W"], t.weight.T, t.weight.grad.T))
        out.append((m.params["b"], m.grads["b"], t.bias, t.bias.grad))
    return out


def assert_close(a, t):
    t = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    np.testing.assert_allclose(a, t, rtol=0, atol=TOL * max(1.0, np.abs(a).max()))


def run_both(net, tnet, loss, tloss, X, y, ty):
    out = net(X)
    value = loss(out, y)
    net.zero_grad()
    net.backward(loss.backward())
    tout = tnet(torch.from_numpy(X))
    tvalue = tloss(tout, ty)
    tnet.zero_grad()
    tvalue.backward()
    return out, value, tout, tvalue


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_binary_forward_loss_and_gradients_agree(activation):
    X, y = nc.make_lines(50, 0.3, np.random.default_rng(1))
    net, tnet = twin([9, 8, 1], activation, seed=2)
    out, value, tout, tvalue = run_both(
        net, tnet, nc.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), X, y,
        torch.from_numpy(y[:, None].astype(np.float64)))
    assert_close(out, tout)
    assert abs(value - tvalue.item()) < TOL
    for _, grad, _, tgrad in pairs(net, tnet):
        assert_close(grad, tgrad)
    # the comparison can fail: a wrong gradient is far outside the tolerance
    with pytest.raises(AssertionError):
        assert_close(2 * pairs(net, tnet)[0][1], pairs(net, tnet)[0][3])


def test_multiclass_cross_entropy_and_gradients_agree():
    rng = np.random.default_rng(3)
    X, y = nc.make_blobs(40, 0.8, rng, centers=3)
    net, tnet = twin([2, 6, 5, 3], "tanh", seed=4)
    out, value, tout, tvalue = run_both(
        net, tnet, nc.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), X, y, torch.from_numpy(y))
    assert_close(out, tout)
    assert abs(value - tvalue.item()) < TOL
    for _, grad, _, tgrad in pairs(net, tnet):
        assert_close(grad, tgrad)


@pytest.mark.parametrize("make_opts", [
    lambda p, tp: (nc.SGD(p, lr=0.3), torch.optim.SGD(tp, lr=0.3)),
    lambda p, tp: (nc.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
                   torch.optim.SGD(tp, lr=0.1, momentum=0.9, weight_decay=1e-3)),
    lambda p, tp: (nc.Adam(p, lr=0.01), torch.optim.Adam(tp, lr=0.01)),
    lambda p, tp: (nc.Adam(p, lr=0.01, weight_decay=1e-2),
                   torch.optim.Adam(tp, lr=0.01, weight_decay=1e-2)),
], ids=["sgd", "sgd-momentum-decay", "adam", "adam-decay"])
def test_optimizer_steps_agree(make_opts):
    X, y = nc.make_lines(30, 0.3, np.random.default_rng(5))
    net, tnet = twin([9, 4, 1], seed=6)
    opt, topt = make_opts(net.parameters(), tnet.parameters())
    ty = torch.from_numpy(y[:, None].astype(np.float64))
    for _ in range(3):  # a few steps, so momentum and Adam's moments matter
        run_both(net, tnet, nc.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), X, y, ty)
        opt.step()
        topt.step()
    for param, _, tparam, _ in pairs(net, tnet):
        assert_close(param, tparam)
    before = pairs(net, tnet)[0][0].copy()
    assert not np.array_equal(before, twin([9, 4, 1], seed=6)[0][0].params["W"])  # it moved
