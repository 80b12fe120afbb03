"""Activation layers: forward values and bad input (their gradients are in test_nncore_gradients.py)."""
import numpy as np
import pytest

import nncore as nc


def test_activation_layers_forward_values():
    z = np.array([[-1.0, 0.5]])
    np.testing.assert_allclose(nc.ReLU()(z), [[0.0, 0.5]], atol=0)
    np.testing.assert_allclose(nc.LeakyReLU(0.2)(z), [[-0.2, 0.5]], rtol=1e-15)
    np.testing.assert_allclose(nc.Sigmoid()(z), nc.sigmoid(z), rtol=1e-15)
    np.testing.assert_allclose(nc.Tanh()(z), np.tanh(z), rtol=1e-15)
    np.testing.assert_allclose(nc.GELU()(z), nc.gelu(z), rtol=1e-15)
    np.testing.assert_allclose(nc.GELU("tanh")(z), nc.gelu(z, "tanh"), rtol=1e-15)
    np.testing.assert_allclose(nc.Softmax()(z), nc.softmax(z), rtol=1e-15)
    assert [repr(m) for m in (nc.ReLU(), nc.LeakyReLU(), nc.GELU(), nc.Softmax())] == [
        "ReLU()", "LeakyReLU(negative_slope=0.01)", "GELU(approximate='none')", "Softmax(axis=-1)"]


@pytest.mark.parametrize("layer", [nc.ReLU(), nc.Sigmoid(), nc.Tanh(), nc.GELU(),
                                   nc.LeakyReLU(), nc.Softmax(),
                                   nc.Dropout(0.2, rng=np.random.default_rng(0))])
def test_activation_layers_reject_bad_input(layer):
    name = repr(layer).replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")
    with pytest.raises(ValueError, match=rf"{name}: input contains 1 non-finite"):
        layer(np.array([[1.0, np.nan]]))
    with pytest.raises(TypeError, match=rf"{name}: input must hold real numbers; got dtype object"):
        layer(np.array([[1.0, None]], dtype=object))
    layer(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"upstream gradient dout has shape \(3, 2\); expected \(2, 3\)"):
        layer.backward(np.ones((3, 2)))
