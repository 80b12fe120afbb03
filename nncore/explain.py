"""What did the network learn? Saliency maps and pictures of weights.

* :func:`saliency`: how much a small change in each input pixel would change
  the output the network gives for one class (a gradient with respect to the
  input, computed by the same backward pass that trains the network).
* :func:`weight_images`: each hidden unit's incoming weights, reshaped into
  the 3x3 picture they "look for".
"""
import numpy as np

from ._checks import as_float_array, check_labels, check_shape
from .gradcheck import _check_model, _preserved

__all__ = ["saliency", "weight_images"]


def saliency(model, X, target=None):
    """Gradient of one output score with respect to each input feature.

    For a model with one output (a binary classifier's logit) the score is
    that output; for C outputs it is the logit of class `target`. Because
    each example's score depends only on its own row of `X`, row n of the
    result is d score_n / d X[n]. Large magnitude = influential pixel; the
    sign says whether raising the pixel raises the score.

    The model runs in evaluation mode (Dropout off); afterwards its modes
    and gradients are as they were.

    Parameters
    ----------
    model : Module or NeuralNetwork
        E.g. a ``Sequential``, or a ``NeuralNetwork`` (its ``.model`` is used).
    X : ndarray, shape (N, D)
    target : int or array_like of int, shape (N,), optional
        Class whose logit is explained. Default: the predicted class (the
        largest logit) of each example. Must be None or 0 for one output.

    Returns
    -------
    ndarray, shape (N, D)
        ``S[n, d] = d logit[n, target[n]] / d X[n, d]``.
    """
    model = _check_model(model, "saliency")
    X = as_float_array(X, "saliency: X", ndim=2)
    with _preserved(model):
        raw = np.asarray(model.forward(X))  # (N, C), or (N,) for a one-output model
        out = raw.reshape(raw.shape[0], -1)  # (N, C)
        N, C = out.shape
        if target is None:
            labels = out.argmax(axis=1)  # (N,) predicted class
        elif np.ndim(target) == 0:
            labels = check_labels(np.full(N, target), C, "saliency: target")
        else:
            labels = as_float_array(target, "saliency: target", ndim=1)
            check_shape(labels, (N,), "saliency: target")
            labels = check_labels(labels, C, "saliency: target")
        dout = np.zeros((N, C))
        dout[np.arange(N), labels] = 1.0  # pick one score per example
        dX = model.backward(dout.reshape(raw.shape))  # (N, D)
    return np.asarray(dX, dtype=np.float64)


def weight_images(linear_or_W, shape=(3, 3)):
    """Each output unit's incoming weights, reshaped into a picture.

    Parameters
    ----------
    linear_or_W : Linear or array_like of shape (D_in, D_out)
        A layer (its ``params["W"]`` is used) or a weight matrix with
        D_in = ``shape[0] * shape[1]``.
    shape : tuple of int, default (3, 3)
        Picture shape (rows, columns); pixels are read row by row, as in
        ``nncore.data``.

    Returns
    -------
    ndarray, shape (D_out, rows, cols)
        ``images[j]`` is the picture of unit j's weights ``W[:, j]``.
    """
    params = getattr(linear_or_W, "params", None)
    if isinstance(params, dict):
        if "W" not in params:
            raise TypeError(f"weight_images: {type(linear_or_W).__name__} has no weights "
                            "params['W']; pass a Linear layer or a weight matrix")
        W = params["W"]
    else:
        W = linear_or_W
    W = as_float_array(W, "weight_images: W", ndim=2)
    shape = tuple(shape)
    if len(shape) != 2 or any(not isinstance(s, (int, np.integer)) or s < 1 for s in shape):
        raise ValueError(f"weight_images: shape must be two positive ints (rows, cols); "
                         f"got {shape}")
    check_shape(W, (shape[0] * shape[1], "D_out"), f"weight_images: W (for {shape} pictures)")
    return W.T.reshape(W.shape[1], *shape).copy()  # (D_out, rows, cols)
