"""The ``Module`` base class every layer and network builds on.

A module does two things:

* ``forward(x)`` computes its output and caches what the backward pass needs;
* ``backward(dout)`` takes dL/d(output) and returns dL/d(input), adding the
  gradients of its own parameters into ``grads`` on the way.

Parameters and their gradients live in two dicts with the same keys
(``params["W"]`` and ``grads["W"]`` have the same shape). Gradients
*accumulate* (``+=``), as in PyTorch, so call ``zero_grad()`` before each
backward pass. Optimizers update the parameter arrays *in place*, which is why
they can hold on to them: to set weights by hand, write into the existing
array (``layer.params["W"][...] = new_W``) rather than replacing it.
"""
import numpy as np

from ._checks import as_float_array, check_shape, is_clean

__all__ = ["Module"]


class Module:
    """Base class for layers and networks.

    Attributes
    ----------
    params : dict of str -> ndarray
        The module's own learnable arrays, e.g. ``{"W": ..., "b": ...}``.
    grads : dict of str -> ndarray
        dL/d(param) for each entry of `params`, same keys and shapes.
    training : bool
        True in training mode (the default), False after ``eval()``; only
        layers such as ``Dropout`` behave differently.
    """

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.training = True

    # -- the two passes ---------------------------------------------------
    def forward(self, x):
        """Compute the output for a batch `x`; subclasses implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self, dout):
        """Return dL/dx given dL/d(output); subclasses implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    def __call__(self, x):
        """``module(x)`` is ``module.forward(x)``."""
        return self.forward(x)

    # -- the unchecked passes, for containers and the training loop --------
    # ``forward`` and ``backward`` are the public boundary: they check their
    # input and name what is wrong. nncore's layers split each into the check
    # and ``_forward`` / ``_backward``, which trust their input. A container
    # (``Sequential``) and ``fit`` check the batch once and then call the
    # unchecked passes of the layers they run, as long as the input comes
    # from a check or from another nncore layer (``_output_is_checked``), and
    # only for classes whose ``forward`` (``backward``) is nncore's own: a
    # reader's module, or a subclass that overrides ``forward``, always has
    # its own ``forward`` run (``_own_forward`` is False for it).
    _own_forward = True
    _own_backward = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._own_forward = cls.forward.__module__.startswith("nncore.")
        cls._own_backward = cls.backward.__module__.startswith("nncore.")

    def _forward(self, x):
        """``forward`` without the input checks (for an input already checked)."""
        return self.forward(x)

    def _backward(self, dout):
        """``backward`` without the checks (for a gradient an nncore layer made)."""
        return self.backward(dout)

    def _backward_to_params(self, dout):
        """``_backward`` for the first layer in ``fit``: only the parameter
        gradients are needed, not dL/d(input); layers that can skip it do."""
        return self._backward(dout)

    def _output_is_checked(self):
        """True if ``forward`` always returns a float64 array a next layer may trust."""
        return self._own_forward

    def _input_grad_is_checked(self):
        """True if ``backward`` always returns a float64 array of the input's shape."""
        return self._own_backward

    # -- parameters -------------------------------------------------------
    def children(self):
        """Sub-modules, in order (none for a single layer)."""
        return []

    def named_parameters(self):
        """All parameters as ``(name, param, grad)`` triples.

        A child's names are prefixed with its position: ``"0.W"``, ``"0.b"``,
        ``"2.W"``...

        Returns
        -------
        list of (str, ndarray, ndarray)
        """
        out = [(k, self.params[k], self.grads[k]) for k in self.params]
        for i, child in enumerate(self.children()):
            out += [(f"{i}.{k}", p, g) for k, p, g in child.named_parameters()]
        return out

    def parameters(self):
        """All parameters as ``(param, grad)`` pairs of arrays, for an optimizer.

        Returns
        -------
        list of (ndarray, ndarray)
            Each pair has matching shapes; the optimizer updates ``param``
            in place using ``grad``.
        """
        return [(p, g) for _, p, g in self.named_parameters()]

    @property
    def n_params(self):
        """Total number of learnable numbers (int)."""
        return sum(p.size for p, _ in self.parameters())

    def zero_grad(self):
        """Set every gradient to zero (in place)."""
        for _, g in self.parameters():
            g.fill(0.0)

    # -- modes --------------------------------------------------------------
    def train(self, mode=True):
        """Switch to training mode (or evaluation mode if `mode` is False).

        Returns
        -------
        self
        """
        self.training = bool(mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """Switch to evaluation mode (Dropout becomes the identity). Returns self."""
        return self.train(False)

    # -- saving and loading -------------------------------------------------
    def state_dict(self):
        """A copy of every parameter, by name.

        Returns
        -------
        dict of str -> ndarray
            Copies, so later training does not change the snapshot.
        """
        return {name: p.copy() for name, p, _ in self.named_parameters()}

    def load_state_dict(self, state):
        """Copy parameter values from `state` into this module (in place).

        Parameters
        ----------
        state : dict of str -> array_like
            Must have exactly the names of ``state_dict()``, with the same shapes.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            On missing or unexpected names, or on a shape mismatch.
        """
        own = {name: p for name, p, _ in self.named_parameters()}
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own))
        if missing or unexpected:
            raise ValueError(
                f"{self.short_name()}: cannot load state: missing keys {missing}, "
                f"unexpected keys {unexpected}"
            )
        values = {}
        for name, p in own.items():  # check everything before changing anything
            values[name] = as_float_array(state[name], f"{self.short_name()}: state[{name!r}]")
            check_shape(values[name], p.shape, f"{self.short_name()}: state[{name!r}]")
        for name, p in own.items():
            p[...] = values[name]
        return self

    def save(self, path):
        """Save the parameters to a ``.npz`` file (``.npz`` is appended if missing).

        Parameters
        ----------
        path : str or os.PathLike
        """
        np.savez(_npz(path), **self.state_dict())

    def load(self, path):
        """Load parameters saved by ``save`` into this (same-shaped) module.

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        self
        """
        with np.load(_npz(path)) as data:
            return self.load_state_dict({k: data[k] for k in data.files})

    # -- helpers for subclasses -------------------------------------------
    def short_name(self):
        """The one-line name used in error messages, e.g. ``Linear(9 -> 4)``."""
        return repr(self).splitlines()[0]

    def _check_ready(self, cache):
        """Raise if ``backward`` is called before ``forward`` filled `cache`."""
        if cache is None:
            raise RuntimeError(
                f"{self.short_name()}: backward() called before forward(); "
                "run a forward pass on a batch first"
            )

    def _check_dout(self, dout, shape):
        """Validate the upstream gradient: float, finite, same shape as the output."""
        if is_clean(dout, shape):
            return dout
        name = f"{self.short_name()}: upstream gradient dout"
        dout = as_float_array(dout, name)
        check_shape(dout, shape, name)
        return dout


def _npz(path):
    path = str(path)
    return path if path.endswith(".npz") else path + ".npz"


def _forward_trusted(module, x):
    """Run `module` forward on an `x` already checked (by ``fit``, or a layer).

    nncore's own modules skip their input checks; any other runs ``forward``.
    """
    return module._forward(x) if module._own_forward else module.forward(x)
