"""nncore.functional: values, derivatives, stability at +-1000, and softmax laws."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import nncore as nc

GRID = np.linspace(-8, 8, 161) + 0.0123  # avoids exactly 0 (kinks)


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_step_values_and_convention_at_zero():
    np.testing.assert_allclose(nc.step([-2.0, 0.0, 3.0]), [0.0, 1.0, 1.0], atol=0)


def test_sigmoid_matches_definition_where_it_is_safe():
    x = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(nc.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)


def test_sigmoid_and_grad_at_plus_minus_1000_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow warning fails the test
        s = nc.sigmoid([-1000.0, 0.0, 1000.0])
        g = nc.sigmoid_grad([-1000.0, 0.0, 1000.0])
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0], rtol=1e-15, atol=0)
    np.testing.assert_allclose(g, [0.0, 0.25, 0.0], rtol=1e-15, atol=0)


def test_sigmoid_grad_keeps_tiny_values_accurate():
    # sigma'(40) = e^-40 / (1 + e^-40)^2 ~ 4.25e-18, where s (1 - s) would give 0
    np.testing.assert_allclose(nc.sigmoid_grad(40.0), math.exp(-40), rtol=1e-12)


@pytest.mark.parametrize("f, df", [
    (nc.sigmoid, nc.sigmoid_grad), (nc.tanh, nc.tanh_grad), (nc.relu, nc.relu_grad),
    (nc.leaky_relu, nc.leaky_relu_grad), (nc.gelu, nc.gelu_grad),
    (lambda x: nc.gelu(x, "tanh"), lambda x: nc.gelu_grad(x, "tanh")),
    (lambda x: nc.leaky_relu(x, 0.2), lambda x: nc.leaky_relu_grad(x, 0.2)),
], ids=["sigmoid", "tanh", "relu", "leaky_relu", "gelu", "gelu_tanh", "leaky_0.2"])
def test_derivatives_match_central_differences(f, df):
    np.testing.assert_allclose(df(GRID), central(f, GRID), rtol=1e-7, atol=1e-9)


def test_relu_family_values():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(nc.relu(x), [0.0, 0.0, 3.0], atol=0)
    np.testing.assert_allclose(nc.relu_grad(x), [0.0, 0.0, 1.0], atol=0)  # 0 at the kink
    np.testing.assert_allclose(nc.leaky_relu(x, 0.1), [-0.2, 0.0, 3.0], rtol=1e-15)
    np.testing.assert_allclose(nc.leaky_relu_grad(x, 0.1), [0.1, 0.1, 1.0], rtol=1e-15)


def test_gelu_exact_matches_math_erf_to_full_precision():
    # the reference: x * Phi(x) with Phi from math.erf, one number at a time
    x = np.concatenate([np.linspace(-10, 10, 2001), [-40.0, 40.0, 0.0]])
    ref = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x])
    np.testing.assert_allclose(nc.gelu(x), ref, rtol=1e-14, atol=1e-15)


def test_gelu_normal_cdf_matches_math_erfc_in_the_tails():
    # gelu(x) / x = Phi(x) = erfc(-x / sqrt 2) / 2, compared in relative terms
    # across the tails, where 1 + erf would lose every digit.
    x = np.concatenate([np.linspace(-37, -0.5, 3000), np.linspace(0.5, 37, 3000)])
    ref = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    np.testing.assert_allclose(nc.gelu(x) / x, ref, rtol=1e-14, atol=0)


def test_gelu_extremes_and_tanh_approximation_close_to_exact():
    np.testing.assert_allclose(nc.gelu([-1000.0, 1000.0]), [0.0, 1000.0], rtol=1e-15, atol=0)
    np.testing.assert_allclose(nc.gelu_grad([-1000.0, 1000.0]), [0.0, 1.0], rtol=1e-15, atol=0)
    np.testing.assert_allclose(nc.gelu(GRID, "tanh"), nc.gelu(GRID), atol=1e-3)


def test_softmax_and_log_softmax_at_plus_minus_1000():
    z = np.array([[1000.0, -1000.0, 0.0], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p, logp, lse = nc.softmax(z), nc.log_softmax(z), nc.logsumexp(z)
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0], atol=0)
    np.testing.assert_allclose(p[1], [1 / 3] * 3, rtol=1e-15)
    np.testing.assert_allclose(logp[0], [0.0, -2000.0, -1000.0], rtol=1e-15, atol=0)
    np.testing.assert_allclose(lse, [1000.0, np.log(3.0)], rtol=1e-15)


def test_logsumexp_keepdims_and_axis():
    z = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(nc.logsumexp(z, axis=0, keepdims=True),
                               np.log(np.exp(z).sum(axis=0, keepdims=True)), rtol=1e-14)
    np.testing.assert_allclose(nc.softmax(z, axis=0).sum(axis=0), [1, 1, 1], rtol=1e-15)


finite_rows = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 8)),
                     elements=st.floats(-1e3, 1e3))


@settings(max_examples=50, deadline=None)
@given(z=finite_rows, shift=st.floats(-1e3, 1e3))
def test_softmax_rows_sum_to_one_and_are_shift_invariant(z, shift):
    p = nc.softmax(z)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-13)
    np.testing.assert_allclose(nc.softmax(z + shift), p, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.exp(nc.log_softmax(z)), p, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("f", [nc.step, nc.sigmoid, nc.sigmoid_grad, nc.tanh, nc.tanh_grad,
                               nc.relu, nc.relu_grad, nc.leaky_relu, nc.leaky_relu_grad,
                               nc.gelu, nc.gelu_grad, nc.softmax, nc.log_softmax,
                               nc.logsumexp])
def test_bad_inputs_are_rejected_with_the_function_name(f):
    name = f.__name__
    with pytest.raises(TypeError, match=rf"{name}: .*real numbers; got dtype <U"):
        f(np.array(["a", "b"]))
    with pytest.raises(TypeError, match=rf"{name}: .*got dtype object"):
        f(np.array([1.0, None], dtype=object))
    with pytest.raises(ValueError, match=rf"{name}: .*1 non-finite value.*index \(1,\): nan"):
        f(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match=r"non-finite.*inf"):
        f(np.array([[np.inf, 0.0]]))


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match=r"unknown gelu approximation 'erf'; choose one of 'none', 'tanh'"):
        nc.gelu([1.0], approximate="erf")
    with pytest.raises(ValueError, match=r"unknown gelu approximation"):
        nc.gelu_grad([1.0], approximate="fast")
    with pytest.raises(ValueError, match=r"leaky_relu: negative_slope must be >= 0; got -0.1"):
        nc.leaky_relu([1.0], negative_slope=-0.1)
    with pytest.raises(TypeError, match=r"negative_slope must be a real number; got 'a'"):
        nc.leaky_relu_grad([1.0], negative_slope="a")
    with pytest.raises(ValueError, match=r"negative_slope must be finite; got nan"):
        nc.leaky_relu([1.0], negative_slope=float("nan"))


def test_booleans_and_ints_are_accepted_as_numbers():
    np.testing.assert_allclose(nc.relu(np.array([True, False])), [1.0, 0.0], atol=0)
    assert nc.sigmoid(np.array([0, 1])).dtype == np.float64
