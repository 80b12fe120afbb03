"""Whole networks: ``MLP`` (a ready-made ``Sequential``) and ``NeuralNetwork``.

``MLP([9, 8, 1])`` builds  Linear(9 -> 8), ReLU, Linear(8 -> 1): the layer
sizes list the input width, every hidden width, then the output width.

``NeuralNetwork`` is the book's complete class: it owns an MLP, a loss and an
optimizer, and offers scikit-learn style ``fit`` / ``predict`` /
``predict_proba`` / ``score`` for classification with labels 0..K-1:

* one output unit  -> binary task, ``BCEWithLogitsLoss``; ``predict_proba``
  returns shape (N,), the probability of label 1;
* K >= 2 outputs   -> K classes, ``CrossEntropyLoss``; ``predict_proba``
  returns shape (N, K), rows summing to 1.
"""
import numpy as np

from ._checks import (as_float_array, check_choice, check_int, check_labels,
                      check_positive, check_probability, check_rng, check_shape)
from .activations import GELU, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .functional import sigmoid, softmax
from .layers import Dropout, Linear, Sequential
from .losses import BCEWithLogitsLoss, CrossEntropyLoss
from .optim import SGD, Adam
from .train import EarlyStopping, _check_schedule, _fit

__all__ = ["ACTIVATIONS", "MLP", "NeuralNetwork"]

#: Hidden-layer activations by name, as accepted by ``MLP`` and ``NeuralNetwork``.
ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid,
               "tanh": Tanh, "gelu": GELU}
_DEFAULT_INIT = {"relu": "he", "leaky_relu": "he", "gelu": "he",
                 "sigmoid": "xavier", "tanh": "xavier"}
_OUTPUTS = {"sigmoid": Sigmoid, "softmax": Softmax}


def _check_sizes(sizes, who):
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise ValueError(f"{who}: sizes must list at least an input and an output width, "
                         f"e.g. [9, 8, 1]; got {sizes!r}")
    return [check_int(s, f"{who}: sizes[{i}]") for i, s in enumerate(sizes)]


class MLP(Sequential):
    """A multilayer perceptron: Linear layers with an activation between them.

    Parameters
    ----------
    sizes : list of int
        [D_in, H_1, ..., H_k, D_out], e.g. [9, 8, 1].
    activation : str, default "relu"
        Hidden activation, a key of ``ACTIVATIONS``: "relu", "leaky_relu",
        "sigmoid", "tanh" or "gelu".
    output : {None, "sigmoid", "softmax"}, default None
        Activation after the last Linear layer; None leaves raw scores
        (logits), which is what ``BCEWithLogitsLoss`` and ``CrossEntropyLoss`` want.
    init : str, optional
        Weight initialiser (see ``nncore.init``); by default "he" for the
        ReLU family and GELU, "xavier" for sigmoid and tanh.
    dropout : float in [0, 1), default 0.0
        If > 0, a Dropout layer follows every hidden activation.
    rng : np.random.Generator
        Draws the initial weights (and the dropout masks). Required.

    Examples
    --------
    >>> MLP([9, 8, 1], rng=np.random.default_rng(0))  # doctest: +SKIP
    MLP(
      (0): Linear(9 -> 8)
      (1): ReLU()
      (2): Linear(8 -> 1)
    )  # 89 parameters
    """

    def __init__(self, sizes, activation="relu", output=None, *, init=None,
                 dropout=0.0, rng):
        sizes = _check_sizes(sizes, "MLP")
        check_choice(activation, ACTIVATIONS, "activation")
        if output is not None:
            check_choice(output, ("sigmoid", "softmax"), "output")
        dropout = check_probability(dropout, "MLP: dropout", allow_one=False)
        check_rng(rng, "MLP: rng")
        init = _DEFAULT_INIT[activation] if init is None else init
        layers = []
        for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(d_in, d_out, init=init, rng=rng))
            if i < len(sizes) - 2:  # hidden layer: activation (+ dropout)
                layers.append(ACTIVATIONS[activation]())
                if dropout > 0:
                    layers.append(Dropout(dropout, rng=rng))
        if output is not None:
            layers.append(_OUTPUTS[output]())
        super().__init__(*layers)
        self.sizes = sizes


class NeuralNetwork:
    """A complete classifier: an MLP plus a loss, an optimizer and a training loop.

    Parameters
    ----------
    sizes : list of int
        [D_in, H_1, ..., D_out]. D_out = 1 means a binary task (labels 0/1);
        D_out = K >= 2 means K classes (labels 0..K-1).
    activation : str, default "relu"
        Hidden activation, a key of ``ACTIVATIONS``.
    dropout : float in [0, 1), default 0.0
    init : str, optional
        Weight initialiser; see ``MLP``.
    rng : np.random.Generator
        Draws the initial weights and dropout masks, and (unless ``fit`` is
        given its own) shuffles the mini-batches. Required.

    Attributes
    ----------
    model : MLP
        The network; its last layer outputs logits, shape (N, D_out).
    loss : BCEWithLogitsLoss or CrossEntropyLoss
    n_classes : int
        2 for a binary task, else D_out.
    history : History or None
        The History of the last ``fit`` call.
    """

    def __init__(self, sizes, activation="relu", *, dropout=0.0, init=None, rng):
        self.model = MLP(sizes, activation, init=init, dropout=dropout, rng=rng)
        self.rng = rng
        self.binary = self.model.sizes[-1] == 1
        self.n_classes = 2 if self.binary else self.model.sizes[-1]
        self.loss = BCEWithLogitsLoss() if self.binary else CrossEntropyLoss()
        self.history = None

    def __repr__(self):
        return f"NeuralNetwork(sizes={self.model.sizes}, {self.model.n_params} parameters)"

    def _X(self, X, who):
        X = as_float_array(X, f"NeuralNetwork.{who}: X", ndim=2)
        check_shape(X, ("N", self.model.sizes[0]), f"NeuralNetwork.{who}: X")
        return X

    def _y(self, y, X, who):
        y = check_labels(y, self.n_classes, f"NeuralNetwork.{who}: y")
        if len(y) != len(X):
            raise ValueError(f"NeuralNetwork.{who}: X has {len(X)} rows but y has {len(y)} labels")
        return y

    def fit(self, X, y, epochs=100, batch_size=32, lr=0.01, optimizer="adam", *,
            momentum=0.0, weight_decay=0.0, validation_data=None, early_stopping=None,
            rng=None, verbose=False):
        """Train on (X, y), continuing from the current weights with a fresh optimizer.

        Parameters
        ----------
        X : ndarray, shape (N, D_in)
        y : ndarray of int, shape (N,)
            Labels 0..n_classes-1.
        epochs : int, default 100
        batch_size : int or None, default 32
            None means full-batch gradient descent.
        lr : float, default 0.01
            Learning rate.
        optimizer : {"adam", "sgd"}, default "adam"
        momentum : float, default 0.0
            SGD momentum (ignored by Adam).
        weight_decay : float, default 0.0
            L2 penalty factor (>= 0).
        validation_data : (X_val, y_val), optional
        early_stopping : int or EarlyStopping, optional
            An int is the patience of ``EarlyStopping(patience)`` on
            ``val_loss`` (needs `validation_data`); the best weights are restored.
        rng : np.random.Generator, optional
            Shuffles the mini-batches; defaults to the generator given at
            construction, so one seed reproduces the whole run.
        verbose : bool, default False

        Returns
        -------
        History
        """
        X = self._X(X, "fit")
        y = self._y(y, X, "fit")
        if validation_data is not None:
            if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
                raise TypeError("NeuralNetwork.fit: validation_data must be a pair (X_val, y_val)")
            X_val = self._X(validation_data[0], "fit (validation)")
            validation_data = (X_val, self._y(validation_data[1], X_val, "fit (validation)"))
        check_choice(optimizer, ("adam", "sgd"), "optimizer")
        lr = check_positive(lr, "NeuralNetwork.fit: lr")
        if optimizer == "adam":
            opt = Adam(self.model.parameters(), lr=lr, weight_decay=weight_decay)
        else:
            opt = SGD(self.model.parameters(), lr=lr, momentum=momentum,
                      weight_decay=weight_decay)
        callbacks = []
        if early_stopping is not None:
            if not isinstance(early_stopping, EarlyStopping):
                early_stopping = EarlyStopping(early_stopping)
            callbacks.append(early_stopping)
        rng = self.rng if rng is None else rng
        epochs, batch_size = _check_schedule(epochs, batch_size, len(X), rng, True)
        if self.binary:  # labels 0/1 as the float targets of BCEWithLogitsLoss
            y = y.astype(np.float64)
            if validation_data is not None:
                validation_data = (X_val, validation_data[1].astype(np.float64))
        # X and y are checked above: the loop need not check them again
        self.history = _fit(self.model, self.loss, opt, X, y, epochs, batch_size, rng,
                            True, validation_data, callbacks, verbose)
        return self.history

    def decision_function(self, X):
        """Raw scores (logits) in evaluation mode.

        Parameters
        ----------
        X : ndarray, shape (N, D_in)

        Returns
        -------
        ndarray, shape (N,) for a binary task, else (N, K)
        """
        return self._scores(self._X(X, "decision_function"))

    def _scores(self, X):
        """Logits for already-checked X, in evaluation mode (mode restored after)."""
        was_training = self.model.training
        logits = self.model.eval().forward(X)  # (N, D_out)
        self.model.train(was_training)
        return logits[:, 0] if self.binary else logits

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : ndarray, shape (N, D_in)

        Returns
        -------
        ndarray
            Binary task: shape (N,), the probability of label 1.
            K classes: shape (N, K), each row summing to 1.
        """
        scores = self._scores(self._X(X, "predict_proba"))
        return sigmoid(scores) if self.binary else softmax(scores, axis=1)

    def predict(self, X):
        """Predicted labels: p > 0.5 (binary) or the most probable class.

        Parameters
        ----------
        X : ndarray, shape (N, D_in)

        Returns
        -------
        ndarray of int64, shape (N,)
        """
        scores = self._scores(self._X(X, "predict"))
        if self.binary:
            return (scores > 0).astype(np.int64)  # logit > 0 <=> sigmoid > 0.5
        return scores.argmax(axis=1).astype(np.int64)

    def score(self, X, y):
        """Accuracy, the fraction of correct predictions on (X, y).

        Parameters
        ----------
        X : ndarray, shape (N, D_in)
        y : ndarray of int, shape (N,)

        Returns
        -------
        float in [0, 1]
        """
        X = self._X(X, "score")
        y = self._y(y, X, "score")
        return float(np.mean(self.predict(X) == y))
