"""Optimizers: hand-computed steps on f(w) = 0.5 w^2 (gradient w), weight decay, bad input."""
import numpy as np
import pytest

import nncore as nc


def quadratic_param(w0):
    """One parameter w and its gradient array, as model.parameters() would give."""
    return np.array([w0]), np.zeros(1)


def run(opt, w, g, steps):
    """Take `steps` steps on f(w) = 0.5 w^2, whose gradient is w itself."""
    trace = []
    for _ in range(steps):
        opt.zero_grad()
        g += w  # "backward": accumulate df/dw = w
        opt.step()
        trace.append(float(w[0]))
    return trace


def test_plain_sgd_by_hand():
    w, g = quadratic_param(1.0)
    # w <- w - lr * w = 0.9 w each step
    trace = run(nc.SGD([(w, g)], lr=0.1), w, g, 3)
    np.testing.assert_allclose(trace, [0.9, 0.81, 0.729], rtol=1e-15)


def test_sgd_with_momentum_by_hand():
    w, g = quadratic_param(1.0)
    trace = run(nc.SGD([(w, g)], lr=0.1, momentum=0.9), w, g, 2)
    # step 1: g = 1.0;  buf = g = 1.0;                 w = 1.0 - 0.1 * 1.0  = 0.9
    # step 2: g = 0.9;  buf = 0.9 * 1.0 + 0.9 = 1.8;   w = 0.9 - 0.1 * 1.8  = 0.72
    np.testing.assert_allclose(trace, [0.9, 0.72], rtol=1e-15)


def test_sgd_weight_decay_by_hand():
    w, g = quadratic_param(1.0)
    trace = run(nc.SGD([(w, g)], lr=0.1, weight_decay=0.5), w, g, 1)
    # g = w + 0.5 w = 1.5;  w = 1 - 0.1 * 1.5 = 0.85
    np.testing.assert_allclose(trace, [0.85], rtol=1e-15)


def test_adam_by_hand_with_bias_correction():
    w, g = quadratic_param(1.0)
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    trace = run(nc.Adam([(w, g)], lr=lr, betas=(b1, b2), eps=eps), w, g, 2)
    # step 1: g = 1
    #   m = 0.1 * 1 = 0.1,  v = 0.001 * 1^2 = 0.001
    #   m_hat = 0.1 / (1 - 0.9) = 1,  v_hat = 0.001 / (1 - 0.999) = 1
    #   w = 1 - 0.1 * 1 / (sqrt(1) + 1e-8) = 0.900000001 (to 9 digits)
    w1 = 1.0 - lr * 1.0 / (1.0 + eps)
    # step 2: g = w1
    #   m = 0.9 * 0.1 + 0.1 * w1,      m_hat = m / (1 - 0.9^2)   = m / 0.19
    #   v = 0.999 * 0.001 + 0.001 * w1^2,  v_hat = v / (1 - 0.999^2) = v / 0.001999
    m = 0.9 * 0.1 + 0.1 * w1
    v = 0.999 * 0.001 + 0.001 * w1**2
    w2 = w1 - lr * (m / 0.19) / (np.sqrt(v / 0.001999) + eps)  # = 0.80041... 
    np.testing.assert_allclose(trace, [w1, w2], rtol=1e-13)
    np.testing.assert_allclose(trace[0], 0.900000001, rtol=1e-15)


def test_adam_first_step_is_lr_times_sign_of_gradient():
    # with bias correction, step 1 moves every parameter by ~lr, whatever |g|
    p = np.array([1.0, -2.0, 3.0])
    g = np.array([1e-3, -50.0, 2.0])
    expected = p - 0.01 * g / (np.abs(g) + 1e-8)  # m_hat = g, sqrt(v_hat) = |g|
    nc.Adam([(p, g)], lr=0.01).step()
    np.testing.assert_allclose(p, expected, rtol=1e-15)
    np.testing.assert_allclose(p, [0.99, -1.99, 2.99], rtol=1e-6)


def test_adam_weight_decay_is_added_to_the_gradient():
    w, g = quadratic_param(1.0)
    run(nc.Adam([(w, g)], lr=0.1, weight_decay=0.3), w, g, 1)
    # g = w + 0.3 w = 1.3; step 1 moves by lr * g / (|g| + eps)
    np.testing.assert_allclose(w, [1.0 - 0.1 * 1.3 / (1.3 + 1e-8)], rtol=1e-15)


def test_optimizers_update_model_parameters_in_place():
    rng = np.random.default_rng(0)
    model = nc.Linear(3, 2, rng=rng)
    W = model.params["W"]
    before = W.copy()
    opt = nc.SGD(model.parameters(), lr=0.5)
    model.forward(rng.standard_normal((4, 3)))
    model.backward(np.ones((4, 2)))
    opt.step()
    assert model.params["W"] is W
    np.testing.assert_allclose(W, before - 0.5 * model.grads["W"], rtol=1e-15)
    opt.zero_grad()
    np.testing.assert_allclose(model.grads["W"], 0.0, atol=0)
    assert repr(opt) == "SGD(lr=0.5, momentum=0, weight_decay=0)"
    assert repr(nc.Adam(model.parameters())) == "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0)"


@pytest.mark.parametrize("make, error, match", [
    (lambda ps: nc.SGD(ps, lr=-0.1), ValueError, r"SGD: lr must be >= 0; got -0.1"),
    (lambda ps: nc.SGD(ps, lr="fast"), TypeError, r"SGD: lr must be a real number; got 'fast'"),
    (lambda ps: nc.SGD(ps, lr=float("nan")), ValueError, r"SGD: lr must be finite; got nan"),
    (lambda ps: nc.SGD(ps, lr=0.1, momentum=1.0), ValueError, r"SGD: momentum must be in \[0, 1\); got 1.0"),
    (lambda ps: nc.SGD(ps, lr=0.1, weight_decay=-1), ValueError, r"SGD: weight_decay must be >= 0; got -1"),
    (lambda ps: nc.Adam(ps, lr=-1), ValueError, r"Adam: lr must be >= 0; got -1"),
    (lambda ps: nc.Adam(ps, betas=(0.9, 1.0)), ValueError, r"Adam: betas\[1\] must be in \[0, 1\); got 1.0"),
    (lambda ps: nc.Adam(ps, betas=0.9), TypeError, r"Adam: betas must be a pair \(beta1, beta2\); got 0.9"),
    (lambda ps: nc.Adam(ps, eps=0), ValueError, r"Adam: eps must be > 0; got 0"),
    (lambda ps: nc.Adam(ps, weight_decay=-0.5), ValueError, r"Adam: weight_decay must be >= 0; got -0.5"),
    (lambda ps: nc.SGD([], lr=0.1), ValueError, r"SGD: got an empty parameter list"),
    (lambda ps: nc.Adam([np.zeros(3)]), TypeError,
     r"Adam: params\[0\] must be a \(param, grad\) pair of float64 arrays.*got ndarray"),
    (lambda ps: nc.SGD([(np.zeros(3), np.zeros(2))], lr=0.1), ValueError,
     r"SGD: params\[0\] has param shape \(3,\) but grad shape \(2,\)"),
    (lambda ps: nc.SGD([(np.zeros(3, dtype=int), np.zeros(3))], lr=0.1), TypeError,
     r"pair of float64 arrays"),
])
def test_optimizers_reject_bad_arguments(make, error, match):
    params = nc.Linear(2, 2, rng=np.random.default_rng(0)).parameters()
    with pytest.raises(error, match=match):
        make(params)


def test_base_optimizer_must_be_subclassed():
    opt = nc.Optimizer([(np.zeros(1), np.zeros(1))], lr=0.1)
    assert repr(opt) == "Optimizer(lr=0.1)"
    with pytest.raises(NotImplementedError, match="Optimizer must implement step"):
        opt.step()


# --- gradient clipping ------------------------------------------------------------------
def test_clip_grad_norm_by_hand():
    # two gradients (3, 0) and (4,): global norm sqrt(9 + 16) = 5
    p1, g1 = np.zeros(2), np.array([3.0, 0.0])
    p2, g2 = np.zeros(1), np.array([4.0])
    norm = nc.clip_grad_norm([(p1, g1), (p2, g2)], max_norm=1.0)
    assert norm == 5.0  # the norm before clipping
    # every gradient scaled by 1 / 5: the direction is kept, the length is 1
    np.testing.assert_allclose(g1, [0.6, 0.0], rtol=1e-15)
    np.testing.assert_allclose(g2, [0.8], rtol=1e-15)


def test_clip_grad_norm_leaves_small_gradients_alone():
    p, g = np.zeros(2), np.array([0.3, 0.4])  # norm 0.5
    assert nc.clip_grad_norm([(p, g)], max_norm=1.0) == 0.5
    np.testing.assert_array_equal(g, [0.3, 0.4])
    z = np.zeros(3)
    assert nc.clip_grad_norm([(np.zeros(3), z)], max_norm=1.0) == 0.0  # no 0/0
    np.testing.assert_array_equal(z, 0.0)


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_clip_grad_norm_bad_max_norm(bad):
    with pytest.raises(ValueError, match="clip_grad_norm: max_norm must be > 0"):
        nc.clip_grad_norm([(np.zeros(1), np.ones(1))], bad)


def test_sgd_with_max_grad_norm_clips_before_the_step():
    w, g = quadratic_param(10.0)
    opt = nc.SGD([(w, g)], lr=0.1, max_grad_norm=2.0)
    assert opt.last_grad_norm is None
    run(opt, w, g, 1)
    # the gradient 10 is clipped to 2: w = 10 - 0.1 * 2 = 9.8
    np.testing.assert_allclose(w, [9.8], rtol=1e-15)
    assert opt.last_grad_norm == 10.0


def test_adam_with_max_grad_norm_matches_adam_on_clipped_gradients():
    rng = np.random.default_rng(0)
    w1, w2 = rng.standard_normal(3), None
    w2 = w1.copy()
    g1, g2 = np.zeros(3), np.zeros(3)
    clipped = nc.Adam([(w1, g1)], lr=0.1, max_grad_norm=0.5)
    plain = nc.Adam([(w2, g2)], lr=0.1)
    for _ in range(3):
        grad = 10 * rng.standard_normal(3)
        g1[...] = grad
        g2[...] = grad * 0.5 / np.linalg.norm(grad)  # clipped by hand
        clipped.step()
        plain.step()
    np.testing.assert_allclose(w1, w2, rtol=1e-12)


def test_max_grad_norm_bad_value():
    with pytest.raises(ValueError, match="SGD: max_grad_norm must be > 0"):
        nc.SGD([quadratic_param(1.0)], lr=0.1, max_grad_norm=0.0)
    with pytest.raises(ValueError, match="Adam: max_grad_norm must be > 0"):
        nc.Adam([quadratic_param(1.0)], lr=0.1, max_grad_norm=-1.0)


def test_adamw_decay_is_decoupled_from_the_gradient_scale():
    # Two weights of the same size, one with a tiny gradient, one with a huge one.
    # Step 1 of Adam moves each by lr * sign(g); AdamW first shrinks both by the
    # same factor (1 - lr * wd) = 1 - 0.1 * 0.5 = 0.95.
    p = np.array([1.0, 1.0])
    g = np.array([1e-3, 1e3])
    nc.AdamW([(p, g)], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p, 0.95 * 1.0 - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-15)
    # L2 inside Adam: g + wd p = [0.501, 1000.5], and the first step divides by |g|,
    # so both move by lr: the decay is drowned in the large gradient's scale.
    q = np.array([1.0, 1.0])
    nc.Adam([(q, g.copy())], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(q, [0.9, 0.9], rtol=1e-7)


def test_adamw_shrinks_weights_with_zero_gradient_geometrically():
    p, g = np.array([2.0, -4.0]), np.zeros(2)
    opt = nc.AdamW([(p, g)], lr=0.1, weight_decay=0.2)
    for _ in range(10):
        opt.step()  # m = v = 0, so the Adam part moves nothing
    np.testing.assert_allclose(p, np.array([2.0, -4.0]) * 0.98**10, rtol=1e-14)


def test_adamw_without_decay_is_adam():
    rng = np.random.default_rng(0)
    p1 = rng.standard_normal(5)
    p2, g = p1.copy(), rng.standard_normal(5)
    a, b = nc.Adam([(p1, g)], lr=0.05), nc.AdamW([(p2, g)], lr=0.05, weight_decay=0.0)
    for _ in range(3):
        a.step()
        b.step()
    np.testing.assert_array_equal(p1, p2)
    assert repr(b) == "AdamW(lr=0.05, betas=(0.9, 0.999), eps=1e-08, weight_decay=0)"
    with pytest.raises(ValueError, match=r"AdamW: weight_decay must be >= 0; got -1"):
        nc.AdamW([(p2, g)], weight_decay=-1)


def test_adamw_clips_before_its_step():
    p, g = np.array([1.0, 1.0]), np.array([3.0, 4.0])  # global norm 5
    opt = nc.AdamW([(p, g)], lr=0.1, weight_decay=0.5, max_grad_norm=1.0)
    opt.step()
    assert opt.last_grad_norm == 5.0
    np.testing.assert_allclose(g, [0.6, 0.8], rtol=1e-15)  # clipped in place
    # decay by 1 - 0.1 * 0.5 = 0.95, then Adam's first step moves each by lr
    np.testing.assert_allclose(p, 0.95 - 0.1 * g / (g + 1e-8), rtol=1e-15)
