"""Weight initialisers: scales from Glorot and Bengio (2010) and He et al. (2015), seeds, errors."""
import numpy as np
import pytest

import nncore as nc


@pytest.mark.parametrize("init, expected_std", [
    (nc.xavier_uniform, np.sqrt(2 / (500 + 300))),
    (nc.xavier_normal, np.sqrt(2 / (500 + 300))),
    (nc.he_normal, np.sqrt(2 / 500)),
    (nc.he_uniform, np.sqrt(2 / 500)),
])
def test_initialisers_have_the_published_variance(init, expected_std):
    W = init(500, 300, np.random.default_rng(0))
    assert W.shape == (500, 300) and W.dtype == np.float64
    np.testing.assert_allclose(W.std(), expected_std, rtol=0.01)  # 150 000 samples
    np.testing.assert_allclose(W.mean(), 0.0, atol=0.01 * expected_std * 10)


def test_uniform_bounds():
    W = nc.he_uniform(6, 1000, np.random.default_rng(1))
    assert np.abs(W).max() <= 1.0  # a = sqrt(6 / 6) = 1
    W = nc.xavier_uniform(3, 3, np.random.default_rng(1))
    assert np.abs(W).max() <= 1.0  # a = sqrt(6 / 6) = 1


def test_same_seed_same_weights_and_lookup_names():
    a = nc.get_initializer("he")(4, 3, np.random.default_rng(7))
    b = nc.he_normal(4, 3, np.random.default_rng(7))
    np.testing.assert_allclose(a, b, rtol=0, atol=0)
    assert not np.allclose(a, nc.he_normal(4, 3, np.random.default_rng(8)))
    np.testing.assert_allclose(nc.get_initializer("zeros")(2, 2, None), 0.0, atol=0)
    np.testing.assert_allclose(nc.zeros((2, 3)), np.zeros((2, 3)), atol=0)
    W = nc.get_initializer("normal")(200, 200, np.random.default_rng(0))
    np.testing.assert_allclose(W.std(), 0.01, rtol=0.02)
    assert set(nc.INITIALIZERS) == {"he", "he_normal", "he_uniform", "xavier", "xavier_uniform",
                                    "xavier_normal", "normal", "zeros"}


def test_initialisers_reject_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"unknown init 'kaiming'; choose one of 'he'"):
        nc.get_initializer("kaiming")
    with pytest.raises(TypeError, match=r"he_normal: rng must be a np.random.Generator.*got None"):
        nc.he_normal(2, 2, None)
    with pytest.raises(TypeError, match=r"xavier_uniform: rng must be a np.random.Generator.*got 0"):
        nc.xavier_uniform(2, 2, 0)
    with pytest.raises(ValueError, match=r"he_uniform: fan_in must be >= 1; got 0"):
        nc.he_uniform(0, 2, rng)
    with pytest.raises(TypeError, match=r"xavier_normal: fan_out must be an integer; got 2.0"):
        nc.xavier_normal(2, 2.0, rng)
    with pytest.raises(ValueError, match=r"normal: std must be > 0; got -1.0"):
        nc.normal((2, 2), -1.0, rng)
