"""Layers: ``Linear``, ``Dropout`` and the ``Sequential`` container.

Everything is batch-first: a batch of N examples with D features is an array
of shape (N, D), one example per row. In the book's notation a linear layer
computes ::

    Y = X W + b        X: (N, D_in)   W: (D_in, D_out)   b: (D_out,)   Y: (N, D_out)

and its backward pass, given the upstream gradient dY = dL/dY, is ::

    dW = X^T dY        (D_in, D_out)
    db = sum_n dY[n]   (D_out,)
    dX = dY W^T        (N, D_in)

``Module`` (``nncore.module``) and the activation layers
(``nncore.activations``) can be imported from here too, so
``from nncore.layers import Linear, ReLU, Sequential`` works.
"""

from ._checks import (as_float_array, check_int, check_probability, check_rng,
                      check_shape, is_clean)
from .activations import GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh  # noqa: F401
from .init import get_initializer, zeros
from .module import Module

__all__ = ["Linear", "Dropout", "Sequential"]


class Linear(Module):
    """Fully connected layer, Y = X W + b.

    Parameters
    ----------
    in_features : int
        D_in, the number of input features.
    out_features : int
        D_out, the number of output units.
    init : str, default "he"
        Weight initialiser name (see ``nncore.init.INITIALIZERS``): "he",
        "he_uniform", "xavier", "xavier_normal", "normal" or "zeros".
        The bias always starts at zero.
    rng : np.random.Generator
        Source of the random initial weights. Required unless ``init="zeros"``.

    Attributes
    ----------
    params : {"W": ndarray, shape (in_features, out_features), "b": ndarray, shape (out_features,)}
    grads : same keys and shapes as `params`
    """

    def __init__(self, in_features, out_features, *, init="he", rng=None):
        super().__init__()
        self.in_features = check_int(in_features, "Linear: in_features")
        self.out_features = check_int(out_features, "Linear: out_features")
        make_W = get_initializer(init)
        if init != "zeros":
            check_rng(rng, f"{self.short_name()}: rng (needed by init={init!r})")
        self.init = init
        self.params["W"] = make_W(self.in_features, self.out_features, rng)
        self.params["b"] = zeros(self.out_features)
        self.grads["W"] = zeros((self.in_features, self.out_features))
        self.grads["b"] = zeros(self.out_features)
        self._X = None  # input cached by forward for backward

    def __repr__(self):
        return f"Linear({self.in_features} -> {self.out_features})"

    def forward(self, X):
        """Compute Y = X W + b.

        Parameters
        ----------
        X : ndarray, shape (N, in_features)

        Returns
        -------
        Y : ndarray, shape (N, out_features)
        """
        if not (is_clean(X) and X.ndim == 2):
            X = as_float_array(X, f"{self}: input X", ndim=2)
        return self._forward(X)

    def _forward(self, X):
        # The checks that stay on the unchecked path cost a few tuple
        # comparisons, not a pass over the data: the width of X (layers of a
        # Sequential that do not fit together), and the parameters' shapes,
        # which can be replaced by hand (layer.params["b"] = ...); a bias of
        # shape (N, 1) or (D_out, 1) would broadcast silently into a wrong Y.
        W, b = self.params["W"], self.params["b"]
        if X.ndim != 2 or X.shape[1] != self.in_features:  # raise the public message
            X = as_float_array(X, f"{self}: input X", ndim=2)
            check_shape(X, ("N", self.in_features), f"{self}: input X")
        if W.shape != (self.in_features, self.out_features) or b.shape != (self.out_features,):
            check_shape(W, (self.in_features, self.out_features), f"{self}: parameter W")
            check_shape(b, (self.out_features,), f"{self}: parameter b")
        self._X = X  # a reference, not a copy
        Y = X @ W  # (N, D_out)
        Y += b  # broadcast b over the N rows, in place
        return Y

    def backward(self, dY):
        """Backpropagate dY = dL/dY; add dL/dW and dL/db into ``grads``.

        Parameters
        ----------
        dY : ndarray, shape (N, out_features)

        Returns
        -------
        dX : ndarray, shape (N, in_features)
        """
        self._check_ready(self._X)
        return self._backward(self._check_dout(dY, (self._X.shape[0], self.out_features)))

    def _backward(self, dY):
        self._backward_to_params(dY)
        return dY @ self.params["W"].T  # (N, D_out) @ (D_out, D_in) -> (N, D_in)

    def _backward_to_params(self, dY):
        self.grads["W"] += self._X.T @ dY  # (D_in, N) @ (N, D_out) -> (D_in, D_out)
        self.grads["b"] += dY.sum(axis=0)  # (D_out,)


class Dropout(Module):
    """Inverted dropout: Srivastava et al.'s (2014) dropout, rescaled in training.

    Srivastava et al. keep each unit with probability p and scale the
    weights by p at test time; here, as in PyTorch, `p` is the probability
    of *dropping* an entry and the rescaling happens during training instead.

    In training mode each entry is zeroed with probability `p` and the
    survivors are scaled by 1 / (1 - p), so the expected output equals the
    input. In evaluation mode (after ``eval()``) it is the identity.

    Parameters
    ----------
    p : float in [0, 1)
        Probability of dropping an entry.
    rng : np.random.Generator
        Draws the dropout masks. Required when p > 0 (may be None if p = 0).
    """

    def __init__(self, p, rng=None):
        super().__init__()
        self.p = check_probability(p, "Dropout: p", allow_one=False)
        if self.p > 0:
            check_rng(rng, f"Dropout(p={self.p:g}): rng")
        self.rng = rng
        self._mask = None  # scaled keep-mask of the last training forward pass
        self._shape = None

    def __repr__(self):
        return f"Dropout(p={self.p:g})"

    def forward(self, x):
        """x : ndarray, any shape -> same shape (masked and rescaled in training)."""
        return self._forward(as_float_array(x, f"{self}: input"))

    def _forward(self, x):
        self._shape = x.shape
        if not self.training or self.p == 0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape) >= self.p  # True with probability 1 - p
        self._mask = keep / (1.0 - self.p)  # 0 or 1/(1-p), same shape as x
        return x * self._mask

    def backward(self, dout):
        """dout : ndarray, shape of the forward output -> dx, same shape."""
        self._check_ready(self._shape)
        return self._backward(self._check_dout(dout, self._shape))

    def _backward(self, dout):
        return dout if self._mask is None else dout * self._mask


class Sequential(Module):
    """A chain of modules: the output of each is the input of the next.

    Parameters
    ----------
    *layers : Module
        E.g. ``Sequential(Linear(9, 4, rng=rng), ReLU(), Linear(4, 1, rng=rng))``.

    Notes
    -----
    Parameter names are prefixed by layer position: "0.W", "0.b", "2.W", ...
    """

    def __init__(self, *layers):
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: layer {i} must be a Module; got {layer!r}")
        self.layers = list(layers)

    def children(self):
        """The layers, in order."""
        return self.layers

    def __repr__(self):
        lines = [f"  ({i}): {layer!r}".replace("\n", "\n  ")
                 for i, layer in enumerate(self.layers)]
        name = type(self).__name__
        return f"{name}(\n" + "\n".join(lines) + f"\n)  # {self.n_params} parameters"

    def short_name(self):
        """The class name (``"Sequential"``), for error messages."""
        return type(self).__name__

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, i):
        return self.layers[i]

    def forward(self, x):
        """Run `x` through every layer in order.

        Parameters
        ----------
        x : ndarray, shape (N, D_in) for a first Linear layer

        Returns
        -------
        ndarray, the last layer's output, e.g. shape (N, D_out)
        """
        return self._run(x, checked=False)

    def _forward(self, x):
        return self._run(x, checked=True)

    def _run(self, x, checked):
        # `checked`: x is known to be a valid float64 array, because the
        # caller checked it or a layer of nncore made it. A layer then runs
        # unchecked; otherwise (the batch a reader passes in, or what a
        # reader's own module returns) its public ``forward`` checks x and
        # names what is wrong.
        for layer in self.layers:
            x = layer._forward(x) if checked and layer._own_forward else layer.forward(x)
            checked = layer._output_is_checked()
        return x

    def _output_is_checked(self):
        return self._own_forward and bool(self.layers) and self.layers[-1]._output_is_checked()

    def _input_grad_is_checked(self):
        return self._own_backward and bool(self.layers) and self.layers[0]._input_grad_is_checked()

    def backward(self, dout):
        """Backpropagate through the layers in reverse order.

        Parameters
        ----------
        dout : ndarray, shape of the network output

        Returns
        -------
        ndarray, dL/d(input), shape of the network input
        """
        return self._run_backward(dout, checked=False)

    def _backward(self, dout):
        return self._run_backward(dout, checked=True)

    def _backward_to_params(self, dout):
        return self._run_backward(dout, checked=True, input_grad=False)

    def _run_backward(self, dout, checked, input_grad=True):
        # as in ``_run``: a gradient that a layer of nncore made is trusted.
        # Without `input_grad` (fit), the first layer skips dL/d(input).
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            own = layer._own_backward
            if checked and own and not input_grad and i == 0:
                return layer._backward_to_params(dout)
            dout = layer._backward(dout) if checked and own else layer.backward(dout)
            checked = layer._input_grad_is_checked()
        return dout
