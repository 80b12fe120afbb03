"""Optimizers: turn gradients into parameter updates.

An optimizer receives ``model.parameters()`` once, a list of
``(param, grad)`` array pairs, and keeps any per-parameter state (momentum
buffers, Adam's moment estimates) alongside. Each ``step()`` updates every
``param`` *in place*. The update rules are exactly PyTorch's, in order of
increasing complexity::

    SGD            p <- p - lr g
    SGD+momentum   buf <- momentum buf + g;  p <- p - lr buf
    Adam           m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
                   p <- p - lr m_hat / (sqrt(v_hat) + eps)
    AdamW          p <- p - lr weight_decay p;  then the Adam step

In ``SGD`` and ``Adam``, weight decay is an L2 penalty: ``weight_decay * p``
is added to g first, so Adam divides it by sqrt(v_hat) like the rest of the
gradient. ``AdamW`` decouples it (Loshchilov and Hutter 2019): every weight
shrinks by the same factor (1 - lr weight_decay) per step, whatever its
gradient history.

Gradient clipping: with ``max_grad_norm`` set, ``step()`` first rescales all
gradients together so that their global norm is at most ``max_grad_norm``
(``clip_grad_norm``, as PyTorch's ``clip_grad_norm_`` and Keras's
``global_clipnorm`` do).
"""
import numpy as np

from ._checks import check_positive, check_probability

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "clip_grad_norm"]


def clip_grad_norm(params, max_norm):
    """Rescale all gradients together so that their global norm is at most `max_norm`.

    The global norm is ``sqrt(sum over every gradient of sum(g ** 2))``: all
    gradients taken as one long vector. If it exceeds `max_norm`, every
    gradient is multiplied (in place) by ``max_norm / norm``, which keeps the
    direction of the step and caps its length; otherwise nothing changes.

    Parameters
    ----------
    params : list of (ndarray, ndarray)
        ``(param, grad)`` pairs, as returned by ``model.parameters()``.
    max_norm : float
        The largest allowed global norm (> 0).

    Returns
    -------
    float
        The global norm before clipping (useful to log).
    """
    max_norm = check_positive(max_norm, "clip_grad_norm: max_norm")
    grads = [g for _, g in params]
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    if norm > max_norm:
        scale = max_norm / norm
        for g in grads:
            g *= scale
    return norm


class Optimizer:
    """Base class: holds the ``(param, grad)`` pairs and the learning rate.

    Parameters
    ----------
    params : list of (ndarray, ndarray)
        What ``model.parameters()`` returns.
    lr : float
        Learning rate (>= 0).
    max_grad_norm : float, optional
        If given (> 0), ``step()`` clips the gradients to this global norm
        first (see ``clip_grad_norm``). ``last_grad_norm`` then holds the
        norm before clipping.
    """

    def __init__(self, params, lr, max_grad_norm=None):
        name = type(self).__name__
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")
        for i, pair in enumerate(self.params):
            if not (isinstance(pair, tuple) and len(pair) == 2
                    and all(isinstance(a, np.ndarray) and a.dtype == np.float64 for a in pair)):
                raise TypeError(
                    f"{name}: params[{i}] must be a (param, grad) pair of float64 "
                    f"arrays, as returned by model.parameters(); got {type(pair).__name__}")
            if pair[0].shape != pair[1].shape:
                raise ValueError(
                    f"{name}: params[{i}] has param shape {pair[0].shape} but grad "
                    f"shape {pair[1].shape}")
        self.lr = check_positive(lr, f"{name}: lr", allow_zero=True)
        self.max_grad_norm = (None if max_grad_norm is None
                              else check_positive(max_grad_norm, f"{name}: max_grad_norm"))
        self.last_grad_norm = None

    def _clip(self):
        """Clip the gradients in place if ``max_grad_norm`` is set."""
        if self.max_grad_norm is not None:
            self.last_grad_norm = clip_grad_norm(self.params, self.max_grad_norm)

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g})"

    def zero_grad(self):
        """Set every gradient to zero (in place)."""
        for _, g in self.params:
            g.fill(0.0)

    def step(self):
        """Update every parameter once; subclasses implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement step()")


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay.

    Parameters
    ----------
    params : list of (ndarray, ndarray)
        What ``model.parameters()`` returns.
    lr : float
        Learning rate (>= 0).
    momentum : float in [0, 1), default 0.0
        Momentum factor; 0 gives plain SGD.
    weight_decay : float, default 0.0
        L2 penalty factor (>= 0), added to the gradient as ``weight_decay * p``.
    max_grad_norm : float, optional
        Clip the gradients to this global norm before each step.

    Notes
    -----
    As in PyTorch: g = grad + weight_decay * p; buf = g on the first step,
    then buf = momentum * buf + g; p -= lr * buf.
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, max_grad_norm=None):
        super().__init__(params, lr, max_grad_norm)
        self.momentum = check_probability(momentum, "SGD: momentum", allow_one=False)
        self.weight_decay = check_positive(weight_decay, "SGD: weight_decay", allow_zero=True)
        self.buffers = [None] * len(self.params)  # one momentum buffer per parameter

    def __repr__(self):
        return (f"SGD(lr={self.lr:g}, momentum={self.momentum:g}, "
                f"weight_decay={self.weight_decay:g})")

    def step(self):
        """Apply one SGD update to every parameter, in place."""
        self._clip()
        for i, (p, grad) in enumerate(self.params):
            g = grad + self.weight_decay * p if self.weight_decay else grad
            if self.momentum:
                if self.buffers[i] is None:
                    self.buffers[i] = np.array(g)  # a copy: buf = g
                else:
                    self.buffers[i] *= self.momentum
                    self.buffers[i] += g  # buf = momentum * buf + g
                g = self.buffers[i]
            p -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015): per-parameter step sizes from gradient moments.

    Parameters
    ----------
    params : list of (ndarray, ndarray)
        What ``model.parameters()`` returns.
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
        Decay rates of the first-moment (mean) and second-moment estimates.
    eps : float, default 1e-8
        Added to the denominator to avoid division by zero.
    weight_decay : float, default 0.0
        L2 penalty added to the gradient (PyTorch ``Adam``, not ``AdamW``).
    max_grad_norm : float, optional
        Clip the gradients to this global norm before each step.

    Notes
    -----
    At step t = 1, 2, ...:  m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,
    m_hat = m / (1 - b1^t),  v_hat = v / (1 - b2^t),
    p -= lr * m_hat / (sqrt(v_hat) + eps).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 max_grad_norm=None):
        super().__init__(params, lr, max_grad_norm)
        name = type(self).__name__  # "Adam" or "AdamW", for error messages
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2); got {betas!r}")
        self.betas = tuple(check_probability(b, f"{name}: betas[{i}]", allow_one=False)
                           for i, b in enumerate(betas))
        self.eps = check_positive(eps, f"{name}: eps")
        self.weight_decay = check_positive(weight_decay, f"{name}: weight_decay",
                                           allow_zero=True)
        # per-parameter state: step count t, first moment m, second moment v
        self.state = [{"t": 0, "m": np.zeros_like(p), "v": np.zeros_like(p)}
                      for p, _ in self.params]

    def __repr__(self):
        return (f"{type(self).__name__}(lr={self.lr:g}, betas={self.betas}, eps={self.eps:g}, "
                f"weight_decay={self.weight_decay:g})")

    def _decayed_gradient(self, p, grad):
        """The gradient the Adam update sees: here grad + weight_decay * p (L2)."""
        return grad + self.weight_decay * p if self.weight_decay else grad

    def step(self):
        """Apply one Adam update to every parameter, in place."""
        self._clip()
        b1, b2 = self.betas
        for (p, grad), s in zip(self.params, self.state):
            g = self._decayed_gradient(p, grad)
            s["t"] += 1
            m, v, t = s["m"], s["v"], s["t"]
            m *= b1
            m += (1 - b1) * g  # m = b1 m + (1 - b1) g, in place
            v *= b2
            v += (1 - b2) * g * g  # v = b2 v + (1 - b2) g^2, in place
            # p -= lr * m_hat / (sqrt(v_hat) + eps) with the bias corrections
            # m_hat = m / (1 - b1^t) and v_hat = v / (1 - b2^t); dividing m by
            # the scalar (1 - b1^t) is folded into the step size (fewer passes).
            denom = np.sqrt(v / (1 - b2**t)) + self.eps  # sqrt(v_hat) + eps
            p -= (self.lr / (1 - b1**t)) * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter 2019).

    Parameters
    ----------
    params : list of (ndarray, ndarray)
        What ``model.parameters()`` returns.
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 1e-2
        Decoupled decay factor (>= 0): each step first multiplies every
        parameter by (1 - lr * weight_decay), then takes a plain Adam step
        on the gradient alone (PyTorch ``AdamW``).
    max_grad_norm : float, optional
        If set, clip the global gradient norm first (see ``Adam``).

    Notes
    -----
    With ``Adam(weight_decay=wd)`` the term wd * p joins the gradient and is
    divided by sqrt(v_hat) + eps, so a weight whose gradients have been large
    is barely pulled towards zero and one whose gradients have been small is
    pulled hard. ``AdamW`` applies the pull outside the adaptive scaling, so
    it is the same fraction for every weight.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 max_grad_norm=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         max_grad_norm=max_grad_norm)

    def _decayed_gradient(self, p, grad):
        """Shrink p in place by (1 - lr * weight_decay); the Adam update sees grad alone."""
        if self.weight_decay:
            p *= 1.0 - self.lr * self.weight_decay  # decoupled: outside the adaptive scaling
        return grad
