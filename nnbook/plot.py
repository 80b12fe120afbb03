"""Figures for the book, in one consistent, colour-blind-safe style.

Use as ``from nnbook import plot`` (``import nnbook`` does not load
matplotlib). Every helper takes ``ax=None`` (a new figure is made) and
returns the Axes it drew on, or the Figure for multi-panel pictures.

The style: the Okabe-Ito palette (Okabe and Ito 2008), which stays
distinguishable with every common colour-vision deficiency; categories also
differ by marker or line style, so the figures survive greyscale printing; a
white figure background, so figures read on light and dark page themes; at
most 6.5 inches wide, to fit a PDF page; fonts of 9-11 pt at that size.
"""
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap, ListedColormap

from nncore import functional as F
from nncore._checks import as_float_array, check_choice, check_int, check_positive
from nncore.explain import weight_images as _weight_images

__all__ = ["OKABE_ITO", "COLORS", "MARKERS", "LINESTYLES", "BOOK_RC", "use_book_style",
           "image_grid", "decision_boundary", "loss_curves", "confusion_matrix",
           "activation_with_derivative", "activations_grid", "network_diagram",
           "optimizer_paths", "weight_images"]

OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
             "green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
             "vermillion": "#D55E00", "purple": "#CC79A7"}
#: Colours for categories, in order (class 0, class 1, ...).
COLORS = [OKABE_ITO[k] for k in ("blue", "vermillion", "green", "purple", "orange",
                                 "sky_blue", "black")]
#: Markers for categories, in the same order as COLORS.
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
#: Line styles for series, in the same order as COLORS.
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 3)), (0, (8, 2))]
MAX_WIDTH = 6.5  # inches: the text width of the PDF page

BOOK_RC = {
    "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white",
    "figure.figsize": (6.0, 3.6), "figure.dpi": 100, "savefig.dpi": 200,
    "savefig.bbox": "tight", "font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10,
    "xtick.labelsize": 9, "ytick.labelsize": 9, "legend.fontsize": 9,
    "legend.frameon": False, "axes.spines.top": False, "axes.spines.right": False,
    "axes.grid": False, "lines.linewidth": 2.0, "lines.markersize": 6,
    "axes.prop_cycle": mpl.cycler(color=COLORS, linestyle=LINESTYLES),
    "image.cmap": "viridis", "text.color": "black", "axes.labelcolor": "black",
    "axes.edgecolor": "black", "xtick.color": "black", "ytick.color": "black",
}


class use_book_style:
    """Apply the book's matplotlib style (rcParams).

    Called on its own it sets the style for the whole session; used as
    ``with plot.use_book_style(): ...`` it applies only inside the block.
    """

    def __init__(self):
        self._old = {k: mpl.rcParams[k] for k in BOOK_RC}
        mpl.rcParams.update(BOOK_RC)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        mpl.rcParams.update(self._old)
        return False


@contextmanager
def _styled():
    with mpl.rc_context(BOOK_RC):
        yield


def _axes(ax, figsize=None):
    """Return `ax`, or the Axes of a new figure (size capped at MAX_WIDTH)."""
    if ax is not None:
        if not isinstance(ax, mpl.axes.Axes):
            raise TypeError(f"ax must be a matplotlib Axes or None; got {type(ax).__name__}")
        return ax
    w, h = figsize or BOOK_RC["figure.figsize"]
    _, ax = plt.subplots(figsize=(min(w, MAX_WIDTH), h))
    return ax


def _grid(n, ncols, panel=1.2, extra_h=0.35):
    """A figure with n small panels in rows of ncols; unused panels hidden."""
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    width = min(MAX_WIDTH, panel * ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, nrows * (width / ncols + extra_h)),
                             squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()[:n]


def _pixel_frame(ax, rows, cols):
    """Thin grey lines between pixels, no ticks: a 3x3 image reads as 9 cells."""
    ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="0.6", linewidth=0.6)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("0.4")


def _annotate_cells(ax, img, fmt, vmin, vmax):
    """Write each pixel's value in its cell, white on dark cells, black on light."""
    mid = (vmin + vmax) / 2
    for (r, c), v in np.ndenumerate(img):
        dark = v > mid if ax.images[-1].cmap.name.endswith("_r") else v < mid
        ax.text(c, r, format(v, fmt), ha="center", va="center", fontsize=7,
                color="white" if dark else "black")


def image_grid(X, labels=None, titles=None, ncols=6, shape=(3, 3), cmap="gray_r",
               annotate=False, class_names=None, vmin=0.0, vmax=1.0):
    """Show small images (the 3x3 line pictures) side by side.

    Parameters
    ----------
    X : ndarray, shape (n, 9) or (n, 3, 3)
        One image per row (pixels row by row), values in [vmin, vmax].
    labels : array_like of int, shape (n,), optional
        Shown as titles (``class_names[label]`` if `class_names` is given).
    titles : sequence of str, length n, optional
        Titles; override `labels`.
    ncols : int, default 6
    shape : (int, int), default (3, 3)
    cmap : str, default "gray_r"
        0 is white and 1 is black, so lines print dark on the page.
    annotate : bool, default False
        Write each pixel's value in its cell.
    class_names : sequence of str, optional
        E.g. ``nncore.LINE_CLASS_NAMES``.
    vmin, vmax : float, default 0 and 1

    Returns
    -------
    matplotlib.figure.Figure
    """
    shape = tuple(shape)
    X = as_float_array(X, "image_grid: X", ndim=(2, 3))
    if X.ndim == 2 and len(shape) == 2:
        if X.shape[1] != shape[0] * shape[1]:
            raise ValueError(f"image_grid: X has shape {X.shape}; expected (n, "
                             f"{shape[0] * shape[1]}) for {shape} images")
        X = X.reshape(-1, *shape)  # (n, rows, cols)
    if X.shape[0] == 0:
        raise ValueError(f"image_grid: X holds no images; got shape {X.shape}")
    n = X.shape[0]
    if titles is None and labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (n,):
            raise ValueError(f"image_grid: labels has shape {labels.shape}; expected ({n},)")
        titles = [class_names[int(v)] if class_names is not None else f"label {int(v)}"
                  for v in labels]
    if titles is not None and len(titles) != n:
        raise ValueError(f"image_grid: {len(titles)} titles for {n} images")
    ncols = check_int(ncols, "image_grid: ncols")
    with _styled():
        fig, axes = _grid(n, ncols, extra_h=0.35 if titles is not None else 0.1)
        for i, ax in enumerate(axes):
            ax.imshow(X[i], cmap=cmap, vmin=vmin, vmax=vmax)
            _pixel_frame(ax, *X[i].shape)
            if annotate:
                _annotate_cells(ax, X[i], ".2f", vmin, vmax)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=9)
        fig.tight_layout()
    return fig


def decision_boundary(predict_fn, X, y, ax=None, resolution=200, padding=0.5,
                      class_names=None):
    """Colour the plane by the model's decision and draw the data on top.

    Parameters
    ----------
    predict_fn : callable
        Takes points of shape (G, 2). Returns either labels, shape (G,) of
        ints; or P(class 1), shape (G,) or (G, 1) of floats in [0, 1] (the
        boundary is drawn at 0.5); or class scores, shape (G, C) (the
        largest wins).
    X : ndarray, shape (N, 2)
    y : array_like of int, shape (N,)
    ax : matplotlib Axes, optional
    resolution : int, default 200
        Grid points per axis.
    padding : float, default 0.5
        Margin around the data, in data units.
    class_names : sequence of str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not callable(predict_fn):
        raise TypeError(f"decision_boundary: predict_fn must be callable; got {predict_fn!r}")
    X = as_float_array(X, "decision_boundary: X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(f"decision_boundary: X has shape {X.shape}; expected (N, 2)")
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"decision_boundary: y has shape {y.shape}; expected ({X.shape[0]},)")
    resolution = check_int(resolution, "decision_boundary: resolution", minimum=2)
    padding = check_positive(padding, "decision_boundary: padding", allow_zero=True)
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))  # (R, R) each
    grid = np.column_stack([gx.ravel(), gy.ravel()])  # (G, 2): the G grid points
    Z = np.asarray(predict_fn(grid), dtype=np.float64)
    if Z.shape[0] != grid.shape[0] or Z.ndim > 2:
        raise ValueError(f"decision_boundary: predict_fn returned shape {Z.shape} for "
                         f"{grid.shape[0]} points; expected ({grid.shape[0]},) or "
                         f"({grid.shape[0]}, C)")
    classes = np.unique(y).astype(int)
    if Z.ndim == 2 and Z.shape[1] > 1:
        Z = Z.argmax(axis=1)  # class scores -> labels
    Z = Z.reshape(gx.shape)
    is_labels = bool(np.all(Z == np.round(Z)))
    if not is_labels and (Z.min() < 0 or Z.max() > 1):
        raise ValueError("decision_boundary: predict_fn returned one column of values from "
                         f"{Z.min():.3g} to {Z.max():.3g}; return labels or probabilities in "
                         "[0, 1] (e.g. a network's predict_proba), not logits")
    n_col = int(max(classes.max(), Z.max() if is_labels else 1)) + 1
    with _styled():
        ax = _axes(ax, (5.0, 4.0))
        if is_labels:  # labels: one flat colour per region
            cmap = ListedColormap(COLORS[:n_col])
            ax.contourf(gx, gy, Z, levels=np.arange(n_col + 1) - 0.5, cmap=cmap, alpha=0.25)
            ax.contour(gx, gy, Z, levels=np.arange(n_col) + 0.5, colors="black", linewidths=1.0)
        else:  # probability of class 1: shaded, boundary at 0.5
            cmap = LinearSegmentedColormap.from_list("p", [COLORS[0], "white", COLORS[1]])
            ax.contourf(gx, gy, Z, levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.45)
            ax.contour(gx, gy, Z, levels=[0.5], colors="black", linewidths=1.5)
        for c in classes:
            pts = X[y == c]
            name = class_names[c] if class_names is not None else f"class {c}"
            ax.scatter(pts[:, 0], pts[:, 1], color=COLORS[c % 7], marker=MARKERS[c % 7],
                       edgecolor="black", linewidth=0.5, s=28, label=name, zorder=3)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.legend(loc="best")
    return ax


def loss_curves(history, metrics=("loss", "acc")):
    """Training (and validation) loss and accuracy per epoch.

    Parameters
    ----------
    history : History or dict of str -> list of float
        ``nncore.History`` or a dict with keys such as ``"train_loss"``,
        ``"val_loss"``, ``"train_acc"``, ``"val_acc"`` and optionally ``"epoch"``.
    metrics : tuple of str, default ("loss", "acc")
        One panel per metric that the history contains.

    Returns
    -------
    matplotlib.figure.Figure
    """
    h = getattr(history, "history", history)
    if not isinstance(h, dict) or "train_loss" not in h:
        raise TypeError("loss_curves: history must be an nncore History or a dict with a "
                        f"'train_loss' list; got {type(history).__name__}")
    panels = [m for m in metrics if f"train_{m}" in h or f"val_{m}" in h]
    n = len(h["train_loss"])
    epochs = h.get("epoch") or list(range(1, n + 1))
    titles = {"loss": "Loss", "acc": "Accuracy"}
    with _styled():
        fig, axes = plt.subplots(1, len(panels), figsize=(min(MAX_WIDTH, 3.25 * len(panels)), 3.0),
                                 squeeze=False)
        for ax, m in zip(axes[0], panels):
            for i, split in enumerate(("train", "val")):
                key = f"{split}_{m}"
                if h.get(key):
                    ax.plot(epochs[:len(h[key])], h[key], color=COLORS[i], linestyle=LINESTYLES[i],
                            label="training" if split == "train" else "validation")
            ax.set_xlabel("epoch")
            ax.set_title(titles.get(m, m))
            ax.legend()
        fig.tight_layout()
    return fig


def confusion_matrix(cm, labels=None, ax=None, normalize=False):
    """Draw a confusion matrix with its counts written in the cells.

    Parameters
    ----------
    cm : array_like of int, shape (C, C)
        Rows: true class; columns: predicted class (``nncore.confusion_matrix``).
    labels : sequence of str, length C, optional
    ax : matplotlib Axes, optional
    normalize : bool, default False
        Colour (and print) each row as fractions of that class.

    Returns
    -------
    matplotlib.axes.Axes
    """
    cm = as_float_array(cm, "plot.confusion_matrix: cm", ndim=2)
    C = cm.shape[0]
    if cm.shape != (C, C):
        raise ValueError(f"plot.confusion_matrix: cm has shape {cm.shape}; expected square (C, C)")
    labels = [str(i) for i in range(C)] if labels is None else [str(s) for s in labels]
    if len(labels) != C:
        raise ValueError(f"plot.confusion_matrix: {len(labels)} labels for {C} classes")
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    with _styled():
        ax = _axes(ax, (3.6, 3.2))
        ax.imshow(shown, cmap="Blues", vmin=0, vmax=max(shown.max(), 1e-12))
        for (i, j), v in np.ndenumerate(shown):
            text = f"{v:.2f}" if normalize else f"{int(v)}"
            ax.text(j, i, text, ha="center", va="center",
                    color="white" if v > shown.max() / 2 else "black")
        ax.set_xticks(range(C), labels)
        ax.set_yticks(range(C), labels)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        for spine in ax.spines.values():
            spine.set_visible(False)
    return ax


_ACTS = {
    "step": (F.step, lambda x: np.zeros_like(x)),  # derivative 0 (undefined at 0)
    "sigmoid": (F.sigmoid, F.sigmoid_grad),
    "tanh": (F.tanh, F.tanh_grad),
    "relu": (F.relu, F.relu_grad),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), lambda x: F.leaky_relu_grad(x, 0.1)),
    "gelu": (F.gelu, F.gelu_grad),
}

_TITLES = {"step": "step", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU",
           "leaky_relu": "leaky ReLU (slope 0.1)", "gelu": "GELU"}  # titles readers see


def activation_with_derivative(activation, x_range=(-5.0, 5.0), ax=None):
    """Plot an activation function (solid) and its derivative (dashed).

    Parameters
    ----------
    activation : str or (callable, callable) or (callable, callable, str)
        A name: "step", "sigmoid", "tanh", "relu", "leaky_relu" (slope 0.1,
        to make it visible) or "gelu"; or ``(f, f_prime)`` or ``(f, f_prime, title)``.
    x_range : (float, float), default (-5, 5)
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if isinstance(activation, str):
        check_choice(activation, list(_ACTS), "activation")
        (f, df), title = _ACTS[activation], _TITLES[activation]
    elif isinstance(activation, (tuple, list)) and len(activation) in (2, 3) \
            and all(callable(g) for g in activation[:2]):
        f, df = activation[:2]
        title = activation[2] if len(activation) == 3 else None
    else:
        raise TypeError("activation_with_derivative: activation must be a name or a pair "
                        f"(f, f_prime) of callables; got {activation!r}")
    lo, hi = (float(v) for v in x_range)
    if not lo < hi:
        raise ValueError(f"activation_with_derivative: x_range must be (low, high) with "
                         f"low < high; got {x_range}")
    x = np.linspace(lo, hi, 401)
    with _styled():
        ax = _axes(ax, (3.2, 2.6))
        ax.axhline(0, color="0.7", linewidth=0.8)
        ax.axvline(0, color="0.7", linewidth=0.8)
        ax.plot(x, f(x), color=COLORS[0], linestyle="-", label=r"$\phi(z)$")
        ax.plot(x, df(x), color=COLORS[1], linestyle="--", label=r"$\phi'(z)$")
        ax.set_xlabel("$z$")
        if title:
            ax.set_title(title)
        ax.legend(loc="best")
    return ax


def activations_grid(names=("step", "sigmoid", "tanh", "relu", "leaky_relu", "gelu"),
                     x_range=(-5.0, 5.0), ncols=3):
    """All activations with their derivatives, one panel each.

    Parameters
    ----------
    names : sequence of str
        Names accepted by :func:`activation_with_derivative`.
    x_range : (float, float), default (-5, 5)
    ncols : int, default 3

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = list(names)
    if not names:
        raise ValueError("activations_grid: names is empty; give at least one activation")
    for name in names:
        check_choice(name, list(_ACTS), "activation")
    ncols = check_int(ncols, "activations_grid: ncols")
    with _styled():
        fig, axes = _grid(len(names), ncols, panel=MAX_WIDTH / min(ncols, len(names)), extra_h=-0.4)
        for ax, name in zip(axes, names):
            activation_with_derivative(name, x_range, ax=ax)
        fig.tight_layout()
    return fig


def _node_labels(sizes, hidden="h"):
    names = []
    for layer, n in enumerate(sizes):
        if layer == 0:
            names.append([f"$x_{i + 1}$" for i in range(n)])
        elif layer == len(sizes) - 1:
            names.append([r"$\hat{y}$"] if n == 1 else [f"$\\hat{{y}}_{i + 1}$" for i in range(n)])
        else:
            names.append([f"${hidden}^{{({layer})}}_{i + 1}$" for i in range(n)])
    return names


def network_diagram(layers, ax=None, show_weights=True, node_values=None, decimals=2,
                    hidden="h"):
    """Draw a fully connected network: nodes in columns, one edge per weight.

    With weights, an edge's width grows with ``|w|`` and its colour and
    line style give the sign: blue solid for positive, vermillion dashed for
    negative, grey dotted for exactly zero (e.g. a gradient ReLU blocked).

    Parameters
    ----------
    layers : list of int, or list of ndarray
        Layer widths, e.g. ``[2, 3, 1]``; or the weight matrices
        ``[W1, W2]`` with ``W1`` of shape (D_0, D_1), ``W2`` (D_1, D_2)...
    ax : matplotlib Axes, optional
    show_weights : bool, default True
        Write each weight's value on its edge (when weights are given).
    node_values : list of array_like, optional
        One array per layer (e.g. ``[x, h, y_hat]`` from a hand trace),
        written under the node labels.
    decimals : int, default 2
    hidden : str, default "h"
        The symbol of the hidden nodes, ``h^(l)_k``; e.g. ``"z"`` for a diagram
        whose hidden nodes carry the gradients of the weighted sums.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(layers, (list, tuple)) or not layers:
        raise ValueError("network_diagram: layers must be a list of widths (e.g. [2, 3, 1]) "
                         f"or of weight matrices; got {layers!r}")
    if all(np.ndim(item) == 0 for item in layers):
        sizes = [check_int(s, f"network_diagram: layers[{i}]") for i, s in enumerate(layers)]
        weights = None
    else:
        weights = [as_float_array(W, f"network_diagram: weights[{i}]", ndim=2)
                   for i, W in enumerate(layers)]
        for i in range(1, len(weights)):
            if weights[i].shape[0] != weights[i - 1].shape[1]:
                raise ValueError(f"network_diagram: weights[{i}] has shape {weights[i].shape} "
                                 f"but weights[{i - 1}] has shape {weights[i - 1].shape}; "
                                 "consecutive matrices must chain (D_l, D_l+1), (D_l+1, ...)")
        sizes = [weights[0].shape[0]] + [W.shape[1] for W in weights]
    if len(sizes) < 2:
        raise ValueError("network_diagram: need at least two layers (input and output); "
                         f"got {sizes}")
    if node_values is not None and len(node_values) != len(sizes):
        raise ValueError(f"network_diagram: node_values has {len(node_values)} arrays for "
                         f"{len(sizes)} layers")
    top, dx, r = max(sizes), 2.6, 0.36  # layer spacing and node radius, in data units
    pos = [[(col * dx, (top - 1) / 2 - i) for i in range(n)] for col, n in enumerate(sizes)]
    wmax = max(np.abs(W).max() for W in weights) if weights else 1.0
    labels = _node_labels(sizes, check_choice(hidden, ("h", "z"), "network_diagram: hidden"))
    edges = []  # (source centre, target centre, weight label), in drawing order
    with _styled():
        ax = _axes(ax, (min(MAX_WIDTH, 1.7 * len(sizes) + 0.4), 0.95 * top + 0.6))
        for layer in range(len(sizes) - 1):
            for i, (x0, y0) in enumerate(pos[layer]):
                for j, (x1, y1) in enumerate(pos[layer + 1]):
                    length = np.hypot(x1 - x0, y1 - y0)
                    ux, uy = (x1 - x0) / length, (y1 - y0) / length  # unit vector
                    seg = ([x0 + r * ux, x1 - r * ux], [y0 + r * uy, y1 - r * uy])
                    if weights is None:
                        ax.plot(*seg, color="0.5", linewidth=1.0, zorder=1)
                        continue
                    w = weights[layer][i, j]
                    if w == 0:  # no weight (or no gradient): a thin grey dotted edge
                        style = dict(color="0.6", linestyle=":", linewidth=0.8)
                    else:
                        style = dict(color=COLORS[0] if w > 0 else COLORS[1],
                                     linestyle="-" if w > 0 else "--",
                                     linewidth=0.6 + 3.0 * abs(w) / max(wmax, 1e-12))
                    ax.plot(*seg, zorder=1, **style)
                    edges.append(((x0, y0), (x1, y1), f"{round(float(w), decimals) + 0.0:g}"))
        for layer, column in enumerate(pos):
            for i, (x, yv) in enumerate(column):
                ax.add_patch(mpl.patches.Circle((x, yv), r, facecolor="white",
                                                edgecolor="black", linewidth=1.2, zorder=2))
                text = labels[layer][i]
                if node_values is not None:
                    v = np.ravel(node_values[layer])[i]
                    text += "\n" + f"{round(float(v), decimals) + 0.0:g}"
                ax.text(x, yv, text, ha="center", va="center", fontsize=8.5, zorder=4)
        ax.set_xlim(-r - 0.1, (len(sizes) - 1) * dx + r + 0.1)
        ax.set_ylim(-(top - 1) / 2 - r - 0.1, (top - 1) / 2 + r + 0.1)
        ax.set_aspect("equal")
        ax.axis("off")
        if show_weights and edges:
            _place_weight_labels(ax, edges, r, [p for column in pos for p in column])
    return ax


def _place_weight_labels(ax, edges, r, centres, fontsize=8, pad=0.35):
    """Write each weight on its edge, near the source node, where it is unambiguous.

    Candidate spots run along the source half of the edge. Each label takes the
    spot nearest its source that overlaps no label placed so far, no node and
    no other edge, and stays inside the axes (measured in display units, so
    it works at any figure size); if every spot collides, the least-bad one.
    The white box drawn behind the text (`pad`, in font sizes) is wider than
    the room reserved for it, so it hides the label's own thick edge and may
    cover a sliver of a neighbour.
    """
    ax.apply_aspect()
    to_px = ax.transData.transform
    pt = ax.figure.dpi / 72.0
    frame = ax.get_window_extent()
    r_px = abs(to_px((r, 0))[0] - to_px((0, 0))[0])
    node_px = to_px(np.asarray(centres, dtype=float))
    lines_px = [to_px(np.linspace(a, b, 60)) for a, b, _ in edges]
    placed = []  # (x0, y0, x1, y1) boxes in pixels
    for k, (a, b, text) in enumerate(edges):
        half_w = (0.55 * fontsize * len(text) / 2 + 0.15 * fontsize) * pt
        half_h = (0.6 * fontsize + 0.15 * fontsize) * pt
        best = None
        for t in np.linspace(0.14, 0.48, 18):
            cx, cy = to_px((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
            box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
            cost = 100 * sum(box[0] < q[2] and q[0] < box[2] and box[1] < q[3]
                             and q[1] < box[3] for q in placed)
            cost += sum(np.any((box[0] < ln[:, 0]) & (ln[:, 0] < box[2])
                               & (box[1] < ln[:, 1]) & (ln[:, 1] < box[3]))
                        for m, ln in enumerate(lines_px) if m != k)
            nx = np.clip(node_px[:, 0], box[0], box[2]) - node_px[:, 0]
            ny = np.clip(node_px[:, 1], box[1], box[3]) - node_px[:, 1]
            cost += 100 * int(np.sum(np.hypot(nx, ny) < r_px + 5 * pt))
            cost += 100 * int(box[0] < frame.x0 or box[2] > frame.x1
                              or box[1] < frame.y0 or box[3] > frame.y1)
            if best is None or cost < best[0]:
                best = (cost, t, box)
            if cost == 0:
                break
        _, t, box = best
        placed.append(box)
        ax.text(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), text, fontsize=fontsize,
                ha="center", va="center", zorder=3,
                bbox=dict(boxstyle=f"round,pad={pad}", fc="white", ec="none"))


def optimizer_paths(f, paths, ax=None, xlim=None, ylim=None, levels=20, resolution=200):
    """Contours of a 2-D loss surface with the paths optimizers took across it.

    Parameters
    ----------
    f : callable
        ``f(w1, w2) -> loss``, vectorised: called with two arrays of the grid's shape.
    paths : dict of str -> array_like of shape (T, 2)
        Each optimizer's sequence of points, e.g. ``{"SGD": ..., "Adam": ...}``.
    ax : matplotlib Axes, optional
    xlim, ylim : (float, float), optional
        Default: the paths' extent with a margin.
    levels : int, default 20
    resolution : int, default 200

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not callable(f):
        raise TypeError(f"optimizer_paths: f must be callable, f(w1, w2) -> loss; got {f!r}")
    if not isinstance(paths, dict) or not paths:
        raise ValueError("optimizer_paths: paths must be a non-empty dict name -> (T, 2) array")
    arrays = {}
    for name, p in paths.items():
        p = as_float_array(p, f"optimizer_paths: paths[{name!r}]", ndim=2)
        if p.shape[1] != 2 or p.shape[0] == 0:
            raise ValueError(f"optimizer_paths: paths[{name!r}] has shape {p.shape}; "
                             "expected (T, 2)")
        arrays[name] = p
    allp = np.vstack(list(arrays.values()))
    span = np.maximum(allp.max(axis=0) - allp.min(axis=0), 1.0)
    xlim = xlim or (allp[:, 0].min() - 0.2 * span[0], allp[:, 0].max() + 0.2 * span[0])
    ylim = ylim or (allp[:, 1].min() - 0.2 * span[1], allp[:, 1].max() + 0.2 * span[1])
    resolution = check_int(resolution, "optimizer_paths: resolution", minimum=2)
    gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    Z = np.asarray(f(gx, gy), dtype=np.float64)
    if Z.shape != gx.shape:
        raise ValueError(f"optimizer_paths: f(w1, w2) returned shape {Z.shape}; expected "
                         f"{gx.shape} (make f work on whole arrays)")
    with _styled():
        ax = _axes(ax, (5.0, 4.0))
        ax.contour(gx, gy, Z, levels=levels, colors="0.7", linewidths=0.8)
        for i, (name, p) in enumerate(arrays.items()):
            ax.plot(p[:, 0], p[:, 1], color=COLORS[i % 7], linestyle=LINESTYLES[i % 7],
                    marker=MARKERS[i % 7], markersize=3, markevery=max(len(p) // 15, 1),
                    label=name)
            ax.plot(*p[-1], marker=MARKERS[i % 7], color=COLORS[i % 7], markersize=8,
                    markeredgecolor="black")
        starts = np.array([p[0] for p in arrays.values()])  # (n_paths, 2)
        ax.plot(starts[:, 0], starts[:, 1], marker="*", color="black", markersize=12,
                linestyle="none", label="start", zorder=3)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        ax.legend(loc="best")
    return ax


def weight_images(W, shape=(3, 3), ncols=6, annotate=False):
    """Each unit's incoming weights as a picture: blue positive, orange negative.

    Parameters
    ----------
    W : Linear or array_like of shape (D_in, D_out)
        A layer or its weight matrix, D_in = ``shape[0] * shape[1]``.
    shape : (int, int), default (3, 3)
    ncols : int, default 6
    annotate : bool, default False
        Write each weight in its cell.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per unit, with a shared colour bar (symmetric around 0).
    """
    imgs = _weight_images(W, shape)  # (D_out, rows, cols)
    ncols = check_int(ncols, "weight_images: ncols")
    vmax = max(np.abs(imgs).max(), 1e-12)
    cmap = LinearSegmentedColormap.from_list("sign", [OKABE_ITO["orange"], "white",
                                                      OKABE_ITO["blue"]])
    with _styled():
        fig, axes = _grid(len(imgs), ncols)
        for j, ax in enumerate(axes):
            im = ax.imshow(imgs[j], cmap=cmap, vmin=-vmax, vmax=vmax)
            _pixel_frame(ax, *imgs[j].shape)
            ax.set_title(f"unit {j + 1}", fontsize=9)
            if annotate:
                for (r, c), v in np.ndenumerate(imgs[j]):
                    ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=7)
        fig.colorbar(im, ax=list(axes), shrink=0.8, label="weight")
    return fig
