"""Module plumbing: state dicts, saving and loading, the base class's errors."""
import numpy as np
import pytest

import nncore as nc


def test_state_dict_is_a_copy_and_save_load_round_trips(tmp_path):
    rng = np.random.default_rng(4)
    model = nc.MLP([3, 5, 2], rng=rng)
    state = model.state_dict()
    model[0].params["W"] += 1.0  # changes the model, not the snapshot
    assert not np.allclose(state["0.W"], model[0].params["W"])
    model.save(tmp_path / "model")  # ".npz" is appended
    other = nc.MLP([3, 5, 2], rng=np.random.default_rng(99))
    W_array = other[0].params["W"]
    other.load(tmp_path / "model.npz")
    X = rng.standard_normal((4, 3))
    np.testing.assert_allclose(other(X), model(X), rtol=1e-15)
    assert other[0].params["W"] is W_array  # loaded in place: optimizers stay valid
    other.load_state_dict(state)
    np.testing.assert_allclose(other[0].params["W"], state["0.W"], rtol=1e-15)


def test_load_state_dict_reports_mismatched_keys_and_shapes(tmp_path):
    rng = np.random.default_rng(5)
    model = nc.MLP([3, 5, 2], rng=rng)
    bigger = nc.MLP([3, 5, 5, 2], rng=rng)
    with pytest.raises(ValueError, match=r"MLP: cannot load state: missing keys \[\], "
                                         r"unexpected keys \['4.W', '4.b'\]"):
        model.load_state_dict(bigger.state_dict())
    wide = nc.MLP([3, 6, 2], rng=rng)
    wide.save(tmp_path / "wide.npz")
    with pytest.raises(ValueError, match=r"state\['0.W'\] has shape \(3, 6\); expected \(3, 5\)"):
        model.load(tmp_path / "wide.npz")
    bad = model.state_dict()
    bad["0.b"][0] = np.nan
    with pytest.raises(ValueError, match=r"state\['0.b'\] contains 1 non-finite"):
        model.load_state_dict(bad)


def test_backward_before_forward_is_a_clear_error():
    rng = np.random.default_rng(6)
    layers = [nc.Linear(2, 3, rng=rng), nc.ReLU(), nc.Sigmoid(), nc.Tanh(), nc.GELU(),
              nc.LeakyReLU(), nc.Softmax(), nc.Dropout(0.5, rng=rng)]
    for layer in layers:
        with pytest.raises(RuntimeError, match=r"backward\(\) called before forward\(\)"):
            layer.backward(np.ones((1, 3)))


def test_base_module_must_be_subclassed():
    m = nc.Module()
    with pytest.raises(NotImplementedError, match="Module must implement forward"):
        m(np.ones((1, 1)))
    with pytest.raises(NotImplementedError, match="Module must implement backward"):
        m.backward(np.ones((1, 1)))
    assert m.parameters() == [] and m.n_params == 0


# -- bad input at every entry point --------------------------------------------------------
